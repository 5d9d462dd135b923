"""The training-memory report behind `advisor estimate`, the `estimate_memory` tool and `advisor.estimate_memory`.

`MemoryRequest` is the one definition of what a caller may ask (the CLI's flags, the tool's arguments and the
library's keywords map onto its fields, and its errors name those fields); `report()` is a pure function of a
request and the model's memory model. Tracing a user's model (`model=`) is the measure layer's job: its result
comes in as a ready `MemoryEstimate`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

from advisor.domain.catalogue import ModelSpec, from_hf_config, preset, safetensors_params
from advisor.domain.estimators.training import MemoryEstimate, TrainingSetup, estimate_training_memory, exact_plans
from advisor.domain.vocabulary import ALL_PRECISIONS, CUDA_CONTEXT_BYTES, OPTIMIZERS
from advisor.errors import InputError
from advisor.units import UnitError, fmt_count, parse_count

GiB = 2**30
MAX_PARAMS = 1e14
MAX_BATCH = 10**7
MODEL_SOURCES = ("preset", "params", "config", "safetensors", "model")


@dataclass
class MemoryRequest:
    """What to estimate: one model source, the training setup, and optionally the GPU and a target batch."""

    preset: str | None = None  # a catalogue model
    params: str | float | None = None  # a parameter count ("350M", 7.5e9): model states only
    config: str | None = None  # a local Hugging Face config.json (or its folder)
    safetensors: str | None = None  # count parameters from a .safetensors header
    model: str | None = None  # MODULE:FACTORY to trace (needs torch)
    batch: int = 8  # micro-batch per GPU
    seq_len: int | None = None  # default: the model's context
    precision: str = "fp32"
    optimizer: str = "adamw"
    gpus: int = 1  # data-parallel GPUs
    zero: int = 0  # ZeRO stage; 0 = plain DDP
    fsdp: bool = False  # FSDP full sharding (= ZeRO-3)
    offload: bool = False  # optimizer state in CPU memory
    checkpointing: str = "none"  # none | selective | full
    attention: str = "eager"  # eager stores the s×s scores; flash/SDPA does not
    dropout: bool = False
    fused_loss: bool = False  # chunked/fused cross-entropy: no full fp32 logits
    lora: float | None = None  # train adapters of this fraction of the parameters on a frozen base
    base_bits: int | None = None  # storage of the frozen base with lora (4 = QLoRA)
    budget_gib: float | None = None  # GPU memory: whether it fits and the largest micro-batch
    margin: float = 0.10  # allocator/fragmentation margin, share of allocated
    cuda_context_gb: float = CUDA_CONTEXT_BYTES / 1e9
    workspace_mib: float = 8  # cuBLAS workspace (32 on Hopper)
    device: str = "cuda"  # cpu: no CUDA context or workspace
    target_batch: int | None = None  # global batch to reach: micro × accumulation × GPUs plans
    steps: int = 2  # tracing: training steps per batch size
    trace_batches: tuple[int, int] | None = None  # tracing: the two batch sizes (default batch and 2×batch)

    def __post_init__(self) -> None:
        chosen = [k for k in MODEL_SOURCES if getattr(self, k) not in (None, "")]
        if len(chosen) != 1:
            raise InputError(f"give exactly one model source: {', '.join(MODEL_SOURCES)} "
                             f"(got {', '.join(chosen) or 'none'})")
        _whole("batch", self.batch, 1, MAX_BATCH)
        if self.seq_len is not None:
            _whole("seq_len", self.seq_len, 1, MAX_BATCH)
        _choice("precision", self.precision, ALL_PRECISIONS)
        _choice("optimizer", self.optimizer, OPTIMIZERS)
        _whole("gpus", self.gpus, 1, 10**6)
        _choice("zero", self.zero, (0, 1, 2, 3))
        _choice("checkpointing", self.checkpointing, ("none", "selective", "full", "offloaded"))
        _choice("attention", self.attention, ("eager", "flash"))
        _choice("device", self.device, ("cuda", "cpu"))
        if self.lora is not None:
            _number("lora", self.lora, 0, 1, low_open=True)
        if self.base_bits is not None:
            if self.lora is None:
                raise InputError("base_bits goes with lora (the storage of the frozen base)")
            _choice("base_bits", self.base_bits, (4, 8, 16, 32))
        if self.budget_gib is not None:
            _number("budget_gib", self.budget_gib, 0, 1e6, low_open=True)
        _number("margin", self.margin, 0, 1, high_open=True)
        _number("cuda_context_gb", self.cuda_context_gb, 0, 1e3)
        _number("workspace_mib", self.workspace_mib, 0, 1e6)
        if self.target_batch is not None:
            _whole("target_batch", self.target_batch, 1, 10**12)
        _whole("steps", self.steps, 2, 1000)
        if self.trace_batches is not None:
            if len(self.trace_batches) != 2:
                raise InputError(f"trace_batches expects two batch sizes, got {self.trace_batches!r}")
            for b in self.trace_batches:
                _whole("trace_batches", b, 1, MAX_BATCH)

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def setup(self) -> TrainingSetup:
        return TrainingSetup(
            precision=self.precision, optimizer=self.optimizer, gpus=self.gpus, zero=3 if self.fsdp else self.zero,
            offload_optimizer=self.offload, checkpointing=self.checkpointing, attention=self.attention,
            dropout=self.dropout, fused_loss=self.fused_loss,
            trainable_fraction=self.lora if self.lora is not None else 1.0, base_bits=self.base_bits or 0,
            cuda_context=self.cuda_context_gb * 1e9, workspace=self.workspace_mib * 2**20, margin=self.margin)

    def model_spec(self) -> ModelSpec:
        """The model of a catalogue, config or count source (tracing is not a spec: see advisor.estimate_memory)."""
        if self.preset:
            return preset(self.preset, self.seq_len)
        if self.config:
            return from_hf_config(self.config, self.seq_len)
        if self.safetensors:
            counts = safetensors_params(self.safetensors)
            return ModelSpec(self.safetensors, "generic", int(sum(counts.values())), source=f"safetensors header: {counts}")
        try:
            params = parse_count(self.params)
        except UnitError as exc:
            raise InputError(f"params: {exc}") from None
        if not 0 < params <= MAX_PARAMS:
            raise InputError(f"params must be between 1 and {MAX_PARAMS:.0e}, got {self.params}")
        return ModelSpec(f"{fmt_count(params)} parameters", "generic", int(params))


def _whole(name: str, value: Any, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(f"{name} must be a whole number from {low:,} to {high:,}, got {value!r}")


def _number(name: str, value: Any, low: float, high: float, low_open: bool = False, high_open: bool = False) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and (value > low if low_open else value >= low) and (value < high if high_open else value <= high)
    if not ok:
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise InputError(f"{name} must be a finite number in {interval}, got {value!r}")


def _choice(name: str, value: Any, choices: tuple) -> None:
    if value not in choices:
        raise InputError(f"{name} must be one of {', '.join(map(str, choices))}, got {value!r}")


def analytic_estimate(request: MemoryRequest) -> tuple[MemoryEstimate, dict[str, Any]]:
    """The analytic memory model of the request's model, and what the report says about the model."""
    spec = request.model_spec()
    est = estimate_training_memory(spec, request.setup(), device=request.device)
    return est, {"name": spec.name, "family": spec.family, "source": spec.source, "seq_len": spec.seq_len or None}


def report(request: MemoryRequest, est: MemoryEstimate, model: dict[str, Any],
           components: dict[str, float] | None = None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Components, peak(batch), fit and the largest micro-batch, plans and the curve points, as a JSON-able dict.
    `components`, when given, are exact categories measured at this very batch (tracing)."""
    batch = request.batch
    if components is None:
        components = est.components(batch)
    else:
        components = {**components, "allocator margin": est.allocated(batch) * est.margin, **est.overhead}
    out: dict[str, Any] = {
        "model": model, "params": est.params, "batch": batch, "per_gpu": True,
        "components": {k: round(v) for k, v in components.items()},
        "allocated_bytes": round(est.allocated(batch)), "peak_bytes": round(est.device_total(batch)),
        "curve": {"intercept_bytes": round(est.intercept), "per_sample_bytes": round(est.slope)},
        "activations_estimated": bool(est.per_sample),
        "fits": None, "budget_bytes": None, "max_micro_batch": None,
        "cpu_bytes": round(est.cpu_bytes), "formulas": est.formulas, "assumptions": est.assumptions,
        "sources": list(est.sources), **(extra or {}),
    }
    if request.budget_gib is not None:
        budget = request.budget_gib * GiB
        out.update(budget_bytes=round(budget), fits=est.device_total(batch) <= budget)
        if est.per_sample:
            out["max_micro_batch"] = est.max_micro_batch(budget)
        elif est.device_total(1) > budget:
            out["max_micro_batch"] = 0
    if request.target_batch is not None:
        limit = out["max_micro_batch"] if out["max_micro_batch"] is not None else batch
        out["plans"] = [{"micro_batch": m, "grad_accum_steps": k, "num_gpus": g, "effective_batch": m * k * g}
                        for m, k, g in exact_plans(request.target_batch, max(limit, 0), request.gpus)]
    out["curve_points"] = [{"batch": b, "peak_bytes": round(v)} for b, v in est.device_points(batch, out["max_micro_batch"])]
    return out
