"""A traced model as a memory model: the report of `advisor estimate --model` from two traced batch sizes."""

from __future__ import annotations

from typing import Any, Callable

from advisor.domain.estimators.training import MemoryEstimate
from advisor.domain.memory_report import MemoryRequest
from advisor.errors import InputError
from advisor.units import fmt_bytes_gib

CATEGORY_NAMES = {"PARAM": "weights", "BUFFER": "buffers", "GRAD": "gradients", "ACT": "activations",
                  "TEMP": "temporaries", "OPT": "optimizer state", "OTH": "other"}


def traced_estimate(request: MemoryRequest, progress: Callable[[str], None] | None = None
                    ) -> tuple[MemoryEstimate, dict[str, Any], dict[str, float] | None, dict[str, Any]]:
    """Trace the requested batch and one more; the curve comes from the two totals, the components from the
    exact snapshot at the requested batch (the peak can fall at the start of backward or at the optimizer step,
    so categories are not interpolated). Returns (estimate, model info, components at the batch, extra fields)."""
    from advisor.measure.tracing import trace

    setup = request.setup()
    if setup.gpus > 1 or setup.zero or setup.offload_optimizer or setup.trainable_fraction < 1:
        raise InputError("tracing covers one device without sharding or adapters; use the analytic estimate "
                         "(preset, config or params) for gpus, zero, fsdp, offload or lora")
    b1, b2 = request.trace_batches or (request.batch, 2 * request.batch)
    result = trace(request.model, (b1, b2), precision=setup.precision, optimizer=setup.optimizer,
                   steps=request.steps, options={"seq_len": request.seq_len}, progress=progress)
    snapshots = {b: {CATEGORY_NAMES.get(k.split(".")[-1], k): v for k, v in peak.items() if k != "Total" and v}
                 for b, peak in result.peaks.items()}
    overhead = {"CUDA context": setup.cuda_context, "cuBLAS workspace": setup.workspace} if request.device == "cuda" else {}
    est = MemoryEstimate(
        params=result.params, fixed={"traced intercept": result.intercept},
        per_sample={"traced per sample": result.slope} if result.slope > 0 else {},
        gradients=0.0, overhead=overhead, margin=setup.margin,
        formulas={"trace": f"MemTracker peaks under FakeTensorMode, {request.steps} steps: "
                           + ", ".join(f"batch {b}: {fmt_bytes_gib(result.total(b))}" for b in result.batches)},
        assumptions=[f"traced {request.steps} full training steps at batches {b1} and {b2} under FakeTensorMode on the "
                     f"CPU ({', '.join(f'{s:.1f} s' for s in result.seconds.values())}); exact for CPU kernels",
                     "on CUDA, kernel choices differ (flash/memory-efficient attention, 1-byte dropout masks, autocast op "
                     "lists) and the caching allocator rounds and fragments: the margin and the overheads cover that",
                     f"allocator margin {setup.margin * 100:g}% of allocated memory (heuristic)"],
        sources=("memexp-affine", "pt-cuda-context", "pt-cuda-allocator"))
    model = {"name": request.model, "family": "traced", "source": "factory"}
    extra = {"traced_peaks": {str(b): result.total(b) for b in result.batches}}
    return est, model, snapshots.get(request.batch), extra
