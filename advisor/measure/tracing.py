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

import contextlib
import importlib
import inspect
import os
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

from advisor.domain.fit import fit_line
from advisor.errors import InputError
from advisor.measure.step import autocast, make_optimizer, train_step  # noqa: F401  (re-exported for callers)

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
        return fit_line((b, self.total(b)) for b in self.batches)[1]

    @property
    def intercept(self) -> float:
        return fit_line((b, self.total(b)) for b in self.batches)[0]


@contextlib.contextmanager
def user_output_to_stderr() -> Any:
    """While the user's code runs (its import, factory, make_batch, loader), whatever it prints goes to stderr - at
    the Python level and at the file-descriptor level (C extensions, subprocesses) - so that `--format json` stdout
    stays exactly one JSON document. Nests (restored last in, first out)."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    try:
        saved = os.dup(1)
        os.dup2(2, 1)
    except OSError:  # no file descriptors to redirect (an embedding without a console)
        saved = None
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        try:
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)


def short_error(exc: BaseException, limit: int = 300) -> str:
    """'ValueError: first line of the message' (bounded): how a failure of the user's code is named."""
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    return text if len(text) <= limit else text[:limit] + "…"


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


def require_torch() -> Any:
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
        with user_output_to_stderr():
            module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == "torch":
            require_torch()  # raises the "needs PyTorch: pip install ..." error
        raise InputError(f"cannot import {module_name!r}: ModuleNotFoundError: {exc}") from None
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - any import failure is the user's to fix
        raise InputError(f"cannot import {module_name!r}: {short_error(exc)}") from None
    fn = getattr(module, attr, None)
    if not callable(fn):
        raise InputError(f"{module_name!r} has no callable {attr!r}")
    return fn


def _call_factory(factory: Callable[..., Any], options: dict[str, Any]) -> tuple[Any, Callable, Callable]:
    sig = inspect.signature(factory)
    accepts_any = any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values())
    kwargs = {k: v for k, v in options.items() if v is not None and (accepts_any or k in sig.parameters)}
    try:
        with user_output_to_stderr():
            out = factory(**kwargs)
    except (Exception, SystemExit) as exc:  # noqa: BLE001
        raise InputError(f"the model factory failed: {short_error(exc)}") from None
    torch = require_torch()
    if not (isinstance(out, tuple) and len(out) == 3 and isinstance(out[0], torch.nn.Module) and callable(out[1])
            and callable(out[2])):
        raise InputError("the factory must return (model, make_batch, loss_fn): an nn.Module, "
                         "make_batch(batch_size) -> (inputs, targets), loss_fn(outputs, targets) -> scalar")
    return out


def measure(factory: Callable[..., Any], batch: int, *, precision: str = "fp32", optimizer: str = "adamw",
            steps: int = 2, fake: bool = True, options: dict[str, Any] | None = None) -> tuple[int, dict[str, int]]:
    """(parameter count, peak bytes by category) over `steps` full training steps at one batch size."""
    torch = require_torch()
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
                    train_step(model, make_batch, loss_fn, opt, batch, precision, torch)
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
        with user_output_to_stderr():
            params, peaks[batch] = measure(factory, batch, precision=precision, optimizer=optimizer, steps=steps,
                                           options=options)
        seconds[batch] = time.perf_counter() - t
    return TraceResult(params, peaks, seconds)
