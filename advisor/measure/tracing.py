"""Exact training memory of the user's own model, traced under FakeTensorMode (optional: needs torch).

Nothing is really allocated: the model, the batch and the optimizer are fake tensors, and PyTorch's
MemTracker records every storage by category (parameters, buffers, gradients, activations, temporaries,
optimizer state). We run at least two full training steps (forward, backward, optimizer.step() - the first step
misses the optimizer state, created lazily) at two batch sizes, and fit peak = a + b·batch. On CPU this matched a
real run to the byte (docs/memory-estimation.md, "The CPU experiment"); tests/test_tracing.py checks it against a real
CPU run of two small models.

The factory protocol (shared with `advisor probe`): `factory(**options)` returns `(model, make_batch, loss_fn)`:
an nn.Module, `make_batch(batch_size) -> (inputs, targets)` and `loss_fn(outputs, targets) -> scalar tensor`.
Options such as `seq_len` are passed as keyword arguments. The factory must create its tensors with the default
device (no `.cuda()`): we call it inside FakeTensorMode on the CPU.

What differs on CUDA (fake CUDA tensors cannot run autograd on a CPU-only build, so tracing follows CPU kernel
choices): flash/memory-efficient attention kernels and their workspaces, 1-byte dropout masks, the autocast op
lists, the caching allocator's rounding and fragmentation, and the CUDA context and cuBLAS workspace - which the
estimator adds on top (`advisor estimate` does).
"""

from __future__ import annotations

import importlib
import inspect
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

from advisor.errors import InputError

# torch warns on stderr when NumPy is absent (also when a factory module imports torch); nothing here needs NumPy,
# and the warning would break `--format json` being quiet. This module is only imported when torch is wanted.
warnings.filterwarnings("ignore", message="Failed to initialize NumPy")

CATEGORIES = ("Parameter", "Buffer", "Gradient", "Activation", "Temp", "Optstate", "Other")


@dataclass
class TraceResult:
    params: int
    peaks: dict[int, dict[str, int]]  # batch -> category -> bytes at the peak (plus "Total")
    seconds: dict[int, float] = field(default_factory=dict)

    @property
    def batches(self) -> list[int]:
        return sorted(self.peaks)

    def total(self, batch: int) -> int:
        return self.peaks[batch]["Total"]

    @property
    def slope(self) -> float:
        b1, b2 = self.batches[0], self.batches[-1]
        return (self.total(b2) - self.total(b1)) / (b2 - b1)

    @property
    def intercept(self) -> float:
        b1 = self.batches[0]
        return self.total(b1) - self.slope * b1


def mem_tracker() -> Any:
    """PyTorch's MemTracker class, imported without `torch.distributed._tools`' package __init__: that imports the
    FSDP memory tracker, the runtime and SAC estimators and through them the inductor compiler (≈0.6 s of CPU per
    `advisor estimate --model`, none of it used here). The package is stood in for while its mem_tracker module
    loads, then removed, so a later ordinary import of the package still runs its __init__."""
    name = "torch.distributed._tools"
    module = sys.modules.get(name + ".mem_tracker")
    if module is None:
        import os
        import types

        import torch.distributed

        created = name not in sys.modules
        if created:
            stand_in = types.ModuleType(name)
            stand_in.__path__ = [os.path.join(os.path.dirname(torch.distributed.__file__), "_tools")]
            sys.modules[name] = stand_in
        try:
            module = importlib.import_module(name + ".mem_tracker")
        except ImportError:  # a layout this shortcut does not know: the ordinary import
            if created:
                sys.modules.pop(name, None)
                created = False
            module = importlib.import_module(name + ".mem_tracker")
        finally:
            if created:
                sys.modules.pop(name, None)
    return module.MemTracker


def _torch() -> Any:
    try:
        import torch  # noqa: F401
    except ImportError:
        raise InputError("tracing a model needs PyTorch: pip install torch (or use --preset/--config/--params for the "
                         "analytic estimate)") from None
    return sys.modules["torch"]


def load_factory(path: str) -> Callable[..., Any]:
    """'pkg.module:function' -> the function (the current directory is importable, as for python -m)."""
    module_name, sep, attr = path.partition(":")
    if not sep or not module_name or not attr:
        raise InputError(f"--model expects MODULE:FACTORY (e.g. mypkg.models:build), got {path!r}")
    if "" not in sys.path:
        sys.path.insert(0, "")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == "torch":
            _torch()  # raises the "needs PyTorch: pip install ..." error
        raise InputError(f"cannot import {module_name!r}: ModuleNotFoundError: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - any import failure is the user's to fix
        raise InputError(f"cannot import {module_name!r}: {type(exc).__name__}: {exc}") from None
    fn = getattr(module, attr, None)
    if not callable(fn):
        raise InputError(f"{module_name!r} has no callable {attr!r}")
    return fn


def _call_factory(factory: Callable[..., Any], options: dict[str, Any]) -> tuple[Any, Callable, Callable]:
    sig = inspect.signature(factory)
    accepts_any = any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values())
    kwargs = {k: v for k, v in options.items() if v is not None and (accepts_any or k in sig.parameters)}
    try:
        out = factory(**kwargs)
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"the model factory failed: {type(exc).__name__}: {exc}") from None
    torch = _torch()
    if not (isinstance(out, tuple) and len(out) == 3 and isinstance(out[0], torch.nn.Module) and callable(out[1])
            and callable(out[2])):
        raise InputError("the factory must return (model, make_batch, loss_fn): an nn.Module, "
                         "make_batch(batch_size) -> (inputs, targets), loss_fn(outputs, targets) -> scalar")
    return out


def make_optimizer(name: str, params: Any, torch: Any) -> Any:
    if name == "sgd":
        return torch.optim.SGD(params, lr=1e-3)
    if name == "sgd_momentum":
        return torch.optim.SGD(params, lr=1e-3, momentum=0.9)
    if name == "adam":
        return torch.optim.Adam(params, lr=1e-3)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=1e-3)
    raise InputError(f"tracing supports the optimizers sgd, sgd_momentum, adam, adamw (got {name!r}); "
                     "use the analytic estimate for others")


def _autocast(precision: str, torch: Any) -> Any:
    from contextlib import nullcontext

    if precision == "fp32":
        return nullcontext()
    if precision == "amp_bf16":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    if precision == "amp_fp16":
        return torch.autocast("cpu", dtype=torch.float16)
    raise InputError(f"tracing supports precisions fp32, amp_bf16, amp_fp16 (got {precision!r})")


def train_step(model: Any, make_batch: Callable, loss_fn: Callable, optimizer: Any, batch: int, precision: str) -> None:
    torch = _torch()
    inputs, targets = make_batch(batch)
    with _autocast(precision, torch):
        loss = loss_fn(model(inputs), targets)
    if not (hasattr(loss, "shape") and tuple(loss.shape) == ()):
        raise InputError("loss_fn must return a scalar tensor")
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)


def measure(factory: Callable[..., Any], batch: int, *, precision: str = "fp32", optimizer: str = "adamw",
            steps: int = 2, fake: bool = True, options: dict[str, Any] | None = None) -> tuple[int, dict[str, int]]:
    """(parameter count, peak bytes by category) over `steps` full training steps at one batch size."""
    torch = _torch()
    from contextlib import nullcontext

    from torch._subclasses.fake_tensor import FakeTensorMode

    MemTracker = mem_tracker()  # noqa: N806 - a class
    if steps < 2:
        raise InputError("trace at least 2 steps: the first step has no optimizer state yet")
    mode = FakeTensorMode() if fake else nullcontext()
    try:
        with mode:
            torch.manual_seed(0)
            model, make_batch, loss_fn = _call_factory(factory, options or {})
            model.train()
            opt = make_optimizer(optimizer, model.parameters(), torch)
            tracker = MemTracker()
            tracker.track_external(model, opt)
            with tracker:
                for step in range(steps):
                    if step:
                        tracker.reset_mod_stats()
                    train_step(model, make_batch, loss_fn, opt, batch, precision)
            peak = tracker.get_tracker_snapshot("peak")
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - fake-mode failures are expected for some models
        name = type(exc).__name__
        hint = ("the model uses data-dependent operations that FakeTensorMode cannot trace" if "DataDependent" in name
                or "DynamicOutputShape" in name else "the training step failed under FakeTensorMode" if fake
                else "the training step failed")
        raise InputError(f"{hint} ({name}: {str(exc).splitlines()[0] if str(exc) else ''}); use the analytic estimate "
                         f"(--preset/--config) or measure with advisor probe") from None
    (device,) = list(peak)
    snapshot = {str(k): int(v) for k, v in peak[device].items()}
    snapshot.setdefault("Total", sum(snapshot.get(c, 0) for c in CATEGORIES))
    n_params = sum(p.numel() for p in model.parameters())
    return int(n_params), snapshot


def trace(factory_path: str, batches: tuple[int, int] = (1, 2), *, precision: str = "fp32", optimizer: str = "adamw",
          steps: int = 2, options: dict[str, Any] | None = None, progress: Callable[[str], None] | None = None) -> TraceResult:
    """Trace full training steps at two batch sizes under FakeTensorMode and return the peaks."""
    import time

    factory = load_factory(factory_path)
    if len(set(batches)) < 2 or min(batches) < 1:
        raise InputError("tracing needs two different positive batch sizes")
    peaks, seconds, params = {}, {}, 0
    for batch in batches:
        if progress:
            progress(f"tracing {steps} training steps at batch {batch} (fake tensors, nothing allocated)…")
        t = time.perf_counter()
        params, peaks[batch] = measure(factory, batch, precision=precision, optimizer=optimizer, steps=steps, options=options)
        seconds[batch] = time.perf_counter() - t
    return TraceResult(params, peaks, seconds)
