"""`advisor probe`: measure the largest safe micro-batch and the throughput curve of the user's own model.

Search (few trials, each a fresh model running `steps` >= 2 full training steps - forward, backward,
optimizer.step() - so the optimizer state exists):
  1. predict: trace the model under FakeTensorMode at two batch sizes (advisor.tracing) and solve for the budget;
  2. measure two small batches (about 1/8 and 1/4 of the prediction) and fit peak = a + b·batch on allocated
     and on reserved memory;
  3. jump to the largest batch the measured line allows under budget × (1 − margin) and run it;
  4. verify: run the batch 5% above it; if that one still fits, keep going by bisection, and if the jump failed,
     bisect between the last batch that ran and it.
The batch returned has been run. OOM is caught by type (torch.OutOfMemoryError; on the CPU a simulated cap
raises the same error), every reference is dropped, gc and empty_cache run, the peak statistics are reset.

On the CPU, `--memory-cap-gib` simulates a device: the tracked peak of each real step (PyTorch's MemTracker)
is checked against it. On CUDA, peaks come from torch.cuda.max_memory_allocated / max_memory_reserved.
The factory protocol is the one of `advisor estimate --model` (see advisor/tracing.py).
"""

from __future__ import annotations

import gc
import math
import os
import time
from contextlib import nullcontext
from typing import Any, Callable, Optional

from pydantic import BaseModel

from advisor.domain.fit import fit_line
from advisor.errors import InputError
from advisor.measure.step import make_optimizer, to_device, train_step
from advisor.measure.tracing import _call_factory, load_factory, require_torch, short_error, user_output_to_stderr

GiB = 2**30


class Trial(BaseModel):
    batch: int
    peak_allocated_bytes: int
    peak_reserved_bytes: int
    seconds: float
    ok: bool
    purpose: str


class Throughput(BaseModel):
    batch: int
    samples_per_s: float
    tokens_per_s: Optional[float] = None


class NoiseScale(BaseModel):
    b_simple: float
    stderr: float
    micro_batch: int
    accumulation: int
    windows: int


class SyncCost(BaseModel):
    world_size: int
    accumulation: int
    seconds_per_update_with_no_sync: float
    seconds_per_update_without_no_sync: float
    per_rank_peak_bytes: list[int]


class ProbeResult(BaseModel):
    device: str
    budget_bytes: int
    margin: float
    predicted_max_micro_batch: Optional[int]
    max_micro_batch: int
    recommended_micro_batch: int
    trials: list[Trial]
    throughput: list[Throughput]
    curve: dict[str, Any]  # {intercept_bytes, per_sample_bytes} of reserved memory, and "allocated": {...}
    input_pipeline_bound: Optional[bool] = None
    noise_scale: Optional[NoiseScale] = None
    sync: Optional[SyncCost] = None
    notes: list[str] = []

    def measured_facts(self) -> dict[str, Any]:
        """What a consultation can use, with provenance `measured`."""
        facts: dict[str, Any] = {
            "max_micro_batch": self.max_micro_batch,
            "peak_memory_by_batch": [[t.batch, t.peak_reserved_bytes] for t in self.trials if t.ok],
        }
        if self.device.startswith("cuda"):
            facts["gpu_memory"] = float(self.budget_bytes)
        if self.throughput:
            facts["throughput_by_batch"] = [[t.batch, t.samples_per_s] for t in self.throughput]
        if self.noise_scale:
            facts["gradient_noise_scale"] = self.noise_scale.b_simple
        return facts


class Device:
    """Runs one trial and reports its peaks; raises torch.OutOfMemoryError when it does not fit."""

    def __init__(self, name: str, cap_bytes: float | None):
        self.torch = require_torch()
        self.name = name
        if name == "cuda" and not self.torch.cuda.is_available():
            raise InputError("device 'cuda': no CUDA device is available here; use device 'cpu' with cap_gib "
                             "(a simulated device memory; --device cpu --memory-cap-gib X on the command line)")
        if name == "cpu" and not cap_bytes:
            raise InputError("device 'cpu' needs cap_gib, a simulated device memory to search against "
                             "(--memory-cap-gib on the command line)")
        self.cap = cap_bytes or self.torch.cuda.mem_get_info()[1]

    def run(self, step: Callable[[], None], steps: int) -> tuple[int, int]:
        """Run `steps` training steps; return (peak allocated, peak reserved) bytes."""
        torch = self.torch
        if self.name == "cuda":
            torch.cuda.reset_peak_memory_stats()
            for _ in range(steps):
                step()
            torch.cuda.synchronize()
            return torch.cuda.max_memory_allocated(), torch.cuda.max_memory_reserved()
        from torch.distributed._tools.mem_tracker import MemTracker

        tracker = MemTracker()
        with tracker:
            for i in range(steps):
                if i:
                    tracker.reset_mod_stats()  # MemTracker's per-module stats are per iteration
                step()
        peak = tracker.get_tracker_snapshot("peak")
        total = int(sum(v["Total"] for v in peak.values()))
        if total > self.cap:
            raise torch.OutOfMemoryError(f"simulated OOM: peak {total} bytes > cap {int(self.cap)} bytes")
        return total, total  # no caching allocator on the CPU: reserved = allocated

    def release(self) -> None:
        gc.collect()
        if self.name == "cuda":
            self.torch.cuda.empty_cache()
            self.torch.cuda.reset_peak_memory_stats()


class Prober:
    def __init__(self, factory_path: str, *, device: str = "cpu", cap_gib: float | None = None, budget_gib: float | None = None,
                 margin: float = 0.10, precision: str = "fp32", optimizer: str = "adamw", steps: int = 2,
                 seq_len: int | None = None, max_batch: int = 65536, progress: Callable[[str], None] | None = None):
        if steps < 2:
            raise InputError("steps must be at least 2: the first step has no optimizer state yet")
        if not 0 <= margin < 1:
            raise InputError(f"margin must be in [0, 1), got {margin}")
        self.factory_path = factory_path
        self.factory = load_factory(factory_path)
        self.options = {"seq_len": seq_len}
        self.device = Device(device, cap_gib * GiB if cap_gib else None)
        self.budget = (budget_gib * GiB) if budget_gib else self.device.cap
        self.margin, self.precision, self.optimizer, self.steps = margin, precision, optimizer, steps
        self.max_batch = max_batch
        self.progress = progress or (lambda msg: None)
        self.trials: list[Trial] = []

    # ------------------------------------------------------------------------------------------ one trial

    def _build(self) -> tuple[Any, Callable, Callable, Any]:
        torch = self.device.torch
        with torch.device(self.device.name):
            model, make_batch, loss_fn = _call_factory(self.factory, self.options)
        model.to(self.device.name).train()
        return model, make_batch, loss_fn, make_optimizer(self.optimizer, model.parameters(), torch)

    def _batch(self, make_batch: Callable, batch: int) -> tuple[Any, Any]:
        """make_batch(batch) -> (inputs, targets); its failure names it (an InputError, exit 2), OOM excepted."""
        try:
            inputs, targets = make_batch(batch)
        except self.device.torch.OutOfMemoryError:
            raise
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - the user's function
            raise InputError(f"make_batch({batch}) of {self.factory_path} failed: {short_error(exc)} (it must return "
                             f"(inputs, targets))") from None
        return inputs, targets

    def _user_step(self, what: str, batch: int, run: Callable[[], Any]) -> Any:
        """Run user code outside the search (throughput, noise scale, sync): any failure is an InputError naming the
        factory and what was being measured; running out of memory says so."""
        try:
            with user_output_to_stderr():
                return run()
        except InputError:
            raise
        except self.device.torch.OutOfMemoryError:
            raise InputError(f"out of memory at batch {batch} during the {what}, although that batch fit in the search; "
                             f"rerun with a larger --margin, or skip the {what}") from None
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - the user's model, make_batch or loss_fn
            raise InputError(f"the {what} failed at batch {batch} ({self.factory_path}: model, make_batch or loss_fn): "
                             f"{short_error(exc)}") from None

    def _step(self, model: Any, make_batch: Callable, loss_fn: Callable, opt: Any, batch: int) -> None:
        train_step(model, lambda b: self._batch(make_batch, b), loss_fn, opt, batch, self.precision, self.device.torch,
                   self.device.name)

    def trial(self, batch: int, purpose: str) -> Trial:
        torch = self.device.torch
        self.progress(f"trial {len(self.trials) + 1}: batch {batch} ({purpose})…")
        start = time.perf_counter()
        model = opt = None
        try:
            with user_output_to_stderr():
                model, make_batch, loss_fn, opt = self._build()
                allocated, reserved = self.device.run(lambda: self._step(model, make_batch, loss_fn, opt, batch), self.steps)
            ok = reserved <= self.budget * (1 - self.margin)
        except torch.OutOfMemoryError:
            allocated = reserved = -1
            ok = False
        except InputError:
            raise
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - the model failed for another reason: a clear error
            raise InputError(f"the training step failed at batch {batch} ({self.factory_path}): {short_error(exc)}") from None
        finally:
            model = opt = None  # drop the references (closures above still name them) before releasing memory
            self.device.release()
        result = Trial(batch=batch, peak_allocated_bytes=allocated, peak_reserved_bytes=reserved,
                       seconds=round(time.perf_counter() - start, 3), ok=ok, purpose=purpose)
        self.trials.append(result)
        shown = f"peak {reserved / 1e9:.3f} GB" if reserved >= 0 else "out of memory"
        self.progress(f"trial {len(self.trials)}: batch {batch}: {shown}{'' if ok else ' - does not fit'}")
        return result

    # ------------------------------------------------------------------------------------------ the search

    def predict(self) -> Optional[int]:
        """The estimator's prediction from a FakeTensorMode trace (None if the model cannot be traced)."""
        from advisor.measure.tracing import trace

        try:
            t = trace(self.factory_path, (8, 16), precision=self.precision, optimizer=self.optimizer, steps=self.steps,
                      options=self.options)
        except InputError:
            return None
        usable = self.budget * (1 - self.margin)
        if t.slope <= 0:
            return None
        return max(1, min(self.max_batch, math.floor((usable - t.intercept) / t.slope)))

    def search(self) -> tuple[int, Optional[int]]:
        """(largest batch that ran within 5% of the limit, the estimator's prediction)."""
        predicted = self.predict()
        b1 = max(1, (predicted or 8) // 8)
        b2 = max(b1 + 1, (predicted or 8) // 4)
        t1, t2 = self.trial(b1, "measure"), self.trial(b2, "measure")
        if not t1.ok:
            if b1 == 1:
                raise InputError("even batch 1 does not fit the budget; reduce model states first (advisor estimate)")
            return self._bisect(0, b1), predicted
        if not t2.ok:
            return self._bisect(b1, b2), predicted
        intercept, slope = fit_line([(b1, t1.peak_reserved_bytes), (b2, t2.peak_reserved_bytes)])  # measured, reserved
        usable = self.budget * (1 - self.margin)
        jump = self.max_batch if slope <= 0 else max(b2, min(self.max_batch, math.floor((usable - intercept) / slope)))
        if jump == b2:
            return self._bisect(b2, b2 + 1), predicted
        tj = self.trial(jump, "jump to the predicted largest batch")
        if not tj.ok:
            return self._bisect(b2, jump), predicted
        above = min(self.max_batch, max(jump + 1, math.ceil(jump * 1.05)))
        if above == jump:
            return jump, predicted
        if not self.trial(above, "verify: 5% above").ok:
            return self._bisect(jump, above), predicted
        return self._bisect(above, min(self.max_batch, above * 2)), predicted

    def _bisect(self, good: int, bad: int) -> int:
        """good ran, bad did not (or is the ceiling): narrow to within 5% (or 1)."""
        while bad - good > max(1, good // 20):
            mid = (good + bad) // 2
            if self.trial(mid, "bisect").ok:
                good = mid
            else:
                bad = mid
        if good == 0:
            raise InputError("even batch 1 does not fit the budget; reduce model states first (advisor estimate)")
        return good

    # ------------------------------------------------------------------------------------------ throughput

    def throughput(self, max_batch: int, warmup: int = 2, timed: int = 3) -> list[Throughput]:
        torch = self.device.torch
        ladder = sorted({b for b in (2**k for k in range(0, 20)) if b < max_batch} | {max_batch})[-6:]
        out = []
        for batch in ladder:
            self.progress(f"throughput at batch {batch}…")
            model = opt = None
            try:
                def timed_steps() -> tuple[float, Any]:
                    nonlocal model, opt
                    model, make_batch, loss_fn, opt = self._build()
                    for _ in range(warmup):
                        self._step(model, make_batch, loss_fn, opt, batch)
                    _sync(torch, self.device.name)
                    start = time.perf_counter()
                    for _ in range(timed):
                        self._step(model, make_batch, loss_fn, opt, batch)
                    _sync(torch, self.device.name)
                    return (time.perf_counter() - start) / timed, self._batch(make_batch, 1)[0]

                seconds, inputs = self._user_step("throughput run", batch, timed_steps)
                seconds = max(seconds, 1e-9)  # a clock too coarse for a tiny model
                seq = inputs.shape[1] if getattr(inputs, "dim", lambda: 0)() == 2 and not inputs.is_floating_point() else None
                out.append(Throughput(batch=batch, samples_per_s=round(batch / seconds, 3),
                                      tokens_per_s=round(batch * seq / seconds, 1) if seq else None))
            finally:
                model = opt = None
                self.device.release()
        return out

    # ------------------------------------------------------------------------------------------ noise scale

    def noise_scale(self, micro_batch: int, accumulation: int = 4, windows: int = 4) -> NoiseScale:
        """McCandlish et al. App. A.1: |G_small|² per micro-batch against |G_big|² of their mean, averaged."""
        torch = self.device.torch
        small_sq: list[float] = []
        big_sq: list[float] = []

        def run() -> None:
            model, make_batch, loss_fn, opt = self._build()
            params = [p for p in model.parameters() if p.requires_grad]
            for w in range(windows):
                self.progress(f"gradient noise scale: window {w + 1} of {windows}…")
                total = [torch.zeros_like(p) for p in params]
                sq = 0.0
                for _ in range(accumulation):
                    inputs, targets = self._batch(make_batch, micro_batch)
                    model.zero_grad(set_to_none=True)
                    loss = loss_fn(model(to_device(inputs, self.device.name)), to_device(targets, self.device.name))
                    loss.backward()
                    grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in params]
                    sq += float(sum((g.float() ** 2).sum() for g in grads))
                    for t, g in zip(total, grads):
                        t.add_(g)
                small_sq.append(sq / accumulation)
                big_sq.append(float(sum(((t / accumulation).float() ** 2).sum() for t in total)))
                opt.step()  # move on so the windows sample the trajectory, as in training
                opt.zero_grad(set_to_none=True)

        try:
            self._user_step("gradient noise scale run", micro_batch, run)
        finally:
            self.device.release()  # the model and optimizer went out of scope with run()
        b_small, b_big = micro_batch, micro_batch * accumulation
        g2 = [(b_big * bg - b_small * sg) / (b_big - b_small) for sg, bg in zip(small_sq, big_sq)]
        s = [(sg - bg) / (1 / b_small - 1 / b_big) for sg, bg in zip(small_sq, big_sq)]
        mean_g2, mean_s = sum(g2) / len(g2), sum(s) / len(s)
        if mean_g2 <= 0:
            raise InputError("the gradient signal is too small to estimate a noise scale; use more windows or a larger batch")
        b_simple = mean_s / mean_g2
        per_window = [si / gi for si, gi in zip(s, g2) if gi > 0]
        spread = (sum((x - b_simple) ** 2 for x in per_window) / max(1, len(per_window) - 1)) ** 0.5
        return NoiseScale(b_simple=round(b_simple, 3), stderr=round(spread / math.sqrt(max(1, len(per_window))), 3),
                          micro_batch=micro_batch, accumulation=accumulation, windows=windows)


def fit_curve(trials: list[Trial]) -> dict[str, Any]:
    """Least-squares peak = a + b·batch over every trial that ran: reserved at the top level, allocated nested."""
    ok = [t for t in trials if t.ok]
    if len({t.batch for t in ok}) < 2:
        return {}

    def fit(key: str) -> dict[str, int]:
        intercept, slope = fit_line((t.batch, getattr(t, key)) for t in ok)
        return {"intercept_bytes": round(intercept), "per_sample_bytes": round(slope)}

    return {**fit("peak_reserved_bytes"), "allocated": fit("peak_allocated_bytes")}


def _sync(torch: Any, device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def probe(factory_path: str, *, throughput: bool = True, noise_scale: bool = False, loader: str | None = None,
          clock: Callable[[], float] = time.perf_counter, **kwargs: Any) -> ProbeResult:
    """Find the largest safe micro-batch (run, not extrapolated), the throughput curve and, on request, the
    gradient noise scale. Returns a ProbeResult; raises InputError with what to do on failure. Whatever the user's
    code prints goes to stderr. `clock` times the data loader (tests pass a fake one)."""
    with user_output_to_stderr():
        return _probe(factory_path, throughput=throughput, noise_scale=noise_scale, loader=loader, clock=clock, **kwargs)


def _probe(factory_path: str, *, throughput: bool, noise_scale: bool, loader: str | None, clock: Callable[[], float],
           **kwargs: Any) -> ProbeResult:
    prober = Prober(factory_path, **kwargs)
    best, predicted = prober.search()
    notes = []
    curve_json = fit_curve(prober.trials)
    points = prober.throughput(best) if throughput else []
    recommended = best
    if points:
        top = max(p.samples_per_s for p in points)
        recommended = min(p.batch for p in points if p.samples_per_s >= 0.95 * top)
        if recommended < best:
            notes.append(f"examples/s saturate by batch {recommended} (within 5% of the best): a larger batch only "
                         f"costs memory (Tuning Playbook)")
    pipeline_bound = _loader_check(loader, recommended, points, prober, clock) if loader else None
    if loader and pipeline_bound is None:
        notes.append("the data loader was timed but not compared: without the throughput run there is no step time")
    noise = prober.noise_scale(max(1, min(recommended, 64))) if noise_scale else None
    peak_at_best = next(t.peak_reserved_bytes for t in prober.trials if t.batch == best and t.ok)
    sync = distributed_sync_cost(prober, recommended, peak_at_best) if int(os.environ.get("WORLD_SIZE", "1")) > 1 else None
    return ProbeResult(device=prober.device.name, budget_bytes=int(prober.budget), margin=prober.margin,
                       predicted_max_micro_batch=predicted, max_micro_batch=best, recommended_micro_batch=recommended,
                       trials=prober.trials, throughput=points, curve=curve_json, input_pipeline_bound=pipeline_bound,
                       noise_scale=noise, sync=sync, notes=notes)


def loader_is_bottleneck(fetch_seconds: float, step_seconds: float | None) -> bool | None:
    """Is fetching a batch slower than half a training step at that batch? Then the input pipeline limits you.
    None when the step time is unknown (no throughput run)."""
    if step_seconds is None:
        return None
    return fetch_seconds > 0.5 * step_seconds


def _loader_check(loader: str, batch: int, points: list[Throughput], prober: Prober,
                  clock: Callable[[], float] = time.perf_counter, batches: int = 5) -> bool | None:
    """Time `batches` fetches from the user's loader with `clock` and compare with the measured step time. Every
    failure of the loader is an InputError that names it."""
    fn = load_factory(loader)
    prober.progress("timing the data loader…")
    try:
        source = fn(batch)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - the user's function
        raise InputError(f"the data loader {loader} failed: {short_error(exc)}") from None
    try:
        it = iter(source)
    except TypeError:
        raise InputError(f"the data loader {loader} must return an iterable of batches, got {type(source).__name__}") from None
    start = clock()
    n = 0
    for _ in range(batches):
        try:
            next(it)
        except StopIteration:
            break
        except (Exception, SystemExit) as exc:  # noqa: BLE001
            raise InputError(f"the data loader {loader} failed while fetching batch {n + 1}: {short_error(exc)}") from None
        n += 1
    if n == 0:
        raise InputError(f"the data loader {loader} yielded nothing")
    fetch = (clock() - start) / n
    step = next((batch / p.samples_per_s for p in points if p.batch == batch), None)
    return loader_is_bottleneck(fetch, step)


def distributed_sync_cost(prober: Prober, micro_batch: int, peak_bytes: int, accumulation: int = 4,
                          repeats: int = 3) -> SyncCost:
    """Under torchrun: DDP over the process group; per-rank peaks, and an update's time with the forward and
    backward of the first k-1 micro-batches inside no_sync() against syncing every micro-step."""
    torch = prober.device.torch
    import torch.distributed as dist

    if not dist.is_initialized():
        dist.init_process_group("nccl" if prober.device.name == "cuda" else "gloo")
    from torch.nn.parallel import DistributedDataParallel as DDP

    model, make_batch, loss_fn, opt = prober._build()
    ddp = DDP(model)

    def update(use_no_sync: bool) -> None:
        for i in range(accumulation):
            ctx = ddp.no_sync() if use_no_sync and i < accumulation - 1 else nullcontext()
            with ctx:
                inputs, targets = prober._batch(make_batch, micro_batch)
                loss = loss_fn(ddp(to_device(inputs, prober.device.name)), to_device(targets, prober.device.name)) / accumulation
                loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    times = {}

    def timed(mode: bool) -> float:
        update(mode)  # warm-up
        _sync(torch, prober.device.name)
        dist.barrier()
        start = time.perf_counter()
        for _ in range(repeats):
            update(mode)
        _sync(torch, prober.device.name)
        return (time.perf_counter() - start) / repeats

    for mode in (True, False):
        times[mode] = prober._user_step("gradient sync measurement", micro_batch, lambda: timed(mode))
    peak = torch.tensor([peak_bytes], dtype=torch.int64)  # this rank's peak at the batch it returns
    gathered = [torch.zeros_like(peak) for _ in range(dist.get_world_size())]
    dist.all_gather(gathered, peak)
    ddp = model = opt = None  # drop the references before releasing memory
    prober.device.release()
    return SyncCost(world_size=dist.get_world_size(), accumulation=accumulation,
                    seconds_per_update_with_no_sync=round(times[True], 4),
                    seconds_per_update_without_no_sync=round(times[False], 4),
                    per_rank_peak_bytes=[int(g.item()) for g in gathered])
