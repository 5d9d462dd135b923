"""The whole training-memory picture for one GPU: model states (with frozen parameters and ZeRO/FSDP sharding),
activations, logits and loss temporaries, and CUDA overheads - and from it peak(batch) = a + b·batch, the largest
micro-batch under a budget, and plans that reach a target global batch.

Sources: model states - HF model_memory_anatomy and the ZeRO paper (stage formulas, §5); activations -
Korthikanti et al. 2022, sbh(34 + 5as/h) bytes per layer in 16-bit with dropout, generalised to the storage
dtype, SwiGLU MLPs, RMSNorm and fused attention; logits - the advisor team's CPU experiment, where the peak sits
at the start of backward with the saved fp32 log-softmax and two logits-sized fp32 gradients alive
(docs/memory-estimation.md, "The CPU experiment"). That experiment is reproduced by tests/test_training_memory.py.
The CPU dispatch caveats (what differs on CUDA) are in docs/memory-estimation.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from advisor.domain.catalogue import ModelSpec
from advisor.errors import InputError
from advisor.units import fmt_bytes_gb, fmt_count, fmt_sig
from advisor.domain.estimators.memory import OFFLOAD_CPU_BYTES, OPTIMIZER_STATE, PRECISIONS, QUANTIZED, frozen_base_bytes

MiB = 2**20
# precisions beyond memory.PRECISIONS: DeepSpeed/Megatron-style mixed precision keeps 16-bit weights and
# gradients with an fp32 master copy inside the optimizer state (ZeRO's K = 12 for Adam = 4 master + 8 moments)
MASTER_COPY = {"mixed": 4}
ALL_PRECISIONS = tuple(PRECISIONS) + tuple(MASTER_COPY)
SIXTEEN_BIT = {"amp_bf16", "amp_fp16", "bf16", "mixed"}


@dataclass(frozen=True)
class TrainingSetup:
    precision: str = "fp32"
    optimizer: str = "adamw"
    gpus: int = 1
    zero: int = 0  # 0 = plain data parallel (replicated states); 1, 2, 3 = ZeRO stages (FSDP full shard = 3)
    offload_optimizer: bool = False
    checkpointing: str = "none"  # none | selective | full
    attention: str = "eager"  # eager (s×s scores stored) | flash (SDPA/flash: not stored)
    dropout: bool = False
    fused_loss: bool = False  # chunked/fused cross-entropy: no full fp32 logits
    trainable_fraction: float = 1.0  # < 1: adapters of this fraction of the parameters are trained, the base is frozen
    base_bits: float = 0  # storage of a frozen base (16, 8, 4); 0 = the precision's weight bytes
    cuda_context: float = 0.4e9  # outside PyTorch's allocator; ~0.3-0.4 GB with lazy loading
    workspace: float = 8 * MiB  # cuBLAS workspace (32 MiB on Hopper)
    margin: float = 0.10  # allocator rounding, fragmentation and longer inputs, as a share of allocated memory

    def check(self) -> None:
        if self.precision not in ALL_PRECISIONS:
            raise InputError(f"unknown precision {self.precision!r}; use one of {', '.join(ALL_PRECISIONS)}")
        if self.optimizer not in OPTIMIZER_STATE:
            raise InputError(f"unknown optimizer {self.optimizer!r}; use one of {', '.join(OPTIMIZER_STATE)}")
        if self.gpus < 1:
            raise InputError(f"--gpus must be at least 1, got {self.gpus}")
        if self.zero not in (0, 1, 2, 3):
            raise InputError(f"--zero must be 0, 1, 2 or 3, got {self.zero}")
        if self.checkpointing not in ("none", "selective", "full"):
            raise InputError(f"--checkpointing must be none, selective or full, got {self.checkpointing!r}")
        if self.attention not in ("eager", "flash"):
            raise InputError(f"--attention must be eager or flash, got {self.attention!r}")
        if not 0 < self.trainable_fraction <= 1:
            raise InputError(f"the trainable fraction must be in (0, 1], got {self.trainable_fraction}")
        if not 0 <= self.margin < 1:
            raise InputError(f"--margin must be in [0, 1), got {self.margin}")
        if self.cuda_context < 0 or self.workspace < 0:
            raise InputError("overheads cannot be negative")


@dataclass
class MemoryEstimate:
    """Per-GPU bytes. `fixed` does not depend on the batch; `per_sample` does, linearly."""

    params: int
    fixed: dict[str, float]
    per_sample: dict[str, float]
    gradients: float  # alive after backward; None (freed) at the start of backward
    overhead: dict[str, float]
    margin: float
    formulas: dict[str, str] = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)
    cpu_bytes: float = 0.0
    sources: tuple[str, ...] = ("hf-anatomy", "zero", "korthikanti", "memexp-affine", "pt-cuda-context")

    @property
    def intercept(self) -> float:
        return sum(self.fixed.values())

    @property
    def after_backward(self) -> float:
        """Weights + gradients + optimizer state: the peak at the optimizer step, when activations are small."""
        return self.intercept + self.gradients

    def peak_is_optimizer_step(self, batch: int) -> bool:
        return self.after_backward > self.intercept + self.slope * batch

    @property
    def slope(self) -> float:
        return sum(self.per_sample.values())

    def allocated(self, batch: int) -> float:
        """Peak allocated bytes: the start of backward (activations + logits temporaries) or the optimizer step."""
        return max(self.intercept + self.slope * batch, self.after_backward)

    def device_total(self, batch: int) -> float:
        """What the GPU must hold: allocated plus the margin for the allocator, plus context and workspace."""
        return self.allocated(batch) * (1 + self.margin) + sum(self.overhead.values())

    def components(self, batch: int) -> dict[str, float]:
        """What is alive at the peak: at the optimizer step (gradients) or at the start of backward (activations)."""
        out = dict(self.fixed)
        if self.peak_is_optimizer_step(batch):
            out["gradients"] = self.gradients
        else:
            out.update({k: v * batch for k, v in self.per_sample.items()})
        out["allocator margin"] = self.allocated(batch) * self.margin
        out.update(self.overhead)
        return out

    def max_micro_batch(self, budget: float) -> int:
        """Largest batch whose device total fits the budget (0 if not even one sample fits)."""
        room = (budget - sum(self.overhead.values())) / (1 + self.margin)
        if self.after_backward > room or self.intercept + self.slope > room:
            return 0
        if self.slope <= 0:
            return 10**9
        return int(math.floor((room - self.intercept) / self.slope))


def linear_weight_params(spec: ModelSpec) -> int:
    """Parameters in the weight matrices of the transformer layers - what bitsandbytes quantises; the rest
    (embeddings, LM head, norms, biases) stays in 16 bits. 0 when the shapes are unknown."""
    if not spec.has_transformer_shape:
        return 0
    d, L, ff = spec.d_model, spec.n_layers, spec.d_ff
    if spec.family == "llama":
        kv = (spec.n_kv_heads or spec.n_heads) * (d // spec.n_heads)
        return L * (2 * d * d + 2 * d * kv + 3 * d * ff)
    return L * (4 * d * d + 2 * d * ff)  # q, k, v, output projection; two MLP matrices (GPT-2, BERT, ViT)


def model_state_parts(params: int, setup: TrainingSetup, spec: ModelSpec | None = None) -> tuple[dict[str, float], dict[str, str], float]:
    """(per-GPU bytes of weights, gradients, optimizer state; their formulas; CPU bytes with offload)."""
    if setup.precision in MASTER_COPY:
        w, g, copy, scale, master = 2, 2, 0, 1.0, MASTER_COPY[setup.precision]
    else:
        (w, g, copy, scale), master = PRECISIONS[setup.precision], 0
    opt = OPTIMIZER_STATE[setup.optimizer] * (1.0 if setup.optimizer in QUANTIZED else scale) + master
    trainable = params * setup.trainable_fraction if setup.trainable_fraction < 1 else params
    frozen = params if setup.trainable_fraction < 1 else 0  # adapters are added on top of a frozen base
    base_bytes = setup.base_bits / 8 if setup.base_bits else w
    frozen_bytes, frozen_formula = frozen * base_bytes, ""
    if frozen and setup.base_bits and setup.base_bits < 16:
        linear = linear_weight_params(spec) if spec is not None else 0
        frozen_bytes, frozen_formula = frozen_base_bytes(frozen, setup.base_bits, frozen - linear if linear else 0,
                                                         row_width=spec.d_model if linear and spec else 0)
    n = setup.gpus
    shard = lambda stage: n if setup.zero >= stage else 1  # noqa: E731
    weights = (trainable * (w + copy) + frozen_bytes) / shard(3)
    grads = trainable * g / shard(2)
    optimizer = trainable * opt / shard(1)
    cpu = 0.0
    if setup.offload_optimizer:
        # ZeRO-Offload: fp32 master weights, fp32 gradients and the optimizer's fp32 state on the CPU (16 B/param
        # for Adam; DeepSpeed's estimator adds ×1.5 for buffers), in total over all ranks
        cpu, optimizer = trainable * (OFFLOAD_CPU_BYTES + OPTIMIZER_STATE[setup.optimizer]), 0.0
    trained = f"{fmt_count(trainable)} trained" + (
        (f" + frozen base {frozen_formula}" if frozen_formula else f" + {fmt_count(frozen)} frozen at {fmt_sig(base_bytes)} B") if frozen else "")
    zero = f", ZeRO-{setup.zero} over {n} GPUs" if setup.zero and n > 1 else (f", replicated on {n} GPUs" if n > 1 else "")
    formulas = {
        "weights": f"{trained}: {fmt_sig(w + copy)} B/param{' (incl. 16-bit copy)' if copy else ''}"
                   + (f" / {n} (ZeRO-3)" if shard(3) > 1 else "") + f" = {fmt_bytes_gb(weights)}",
        "gradients": f"{fmt_count(trainable)} × {fmt_sig(g)} B" + (f" / {n} (ZeRO-2+)" if shard(2) > 1 else "")
                     + f" = {fmt_bytes_gb(grads)}",
        "optimizer state": f"{fmt_count(trainable)} × {fmt_sig(opt)} B ({setup.optimizer}"
                           + (f", incl. fp32 master {master} B" if master else "") + ")"
                           + (f" / {n} (ZeRO-1+)" if shard(1) > 1 else "")
                           + (" → offloaded to CPU" if setup.offload_optimizer else "") + f" = {fmt_bytes_gb(optimizer)}{zero}",
    }
    return {"weights": weights, "gradients": grads, "optimizer state": optimizer}, formulas, cpu


def activation_parts(spec: ModelSpec, setup: TrainingSetup) -> tuple[dict[str, float], dict[str, str]]:
    """Per-sample bytes saved for backward (transformers), generalising Korthikanti's sbh(34 + 5as/h)."""
    if not spec.has_transformer_shape or spec.seq_len <= 0:
        return {}, {}
    s, h, a, L, ff = spec.seq_len, spec.d_model, spec.n_heads, spec.n_layers, spec.d_ff
    dt = 2 if setup.precision in SIXTEEN_BIT else 4
    drop = 1 if setup.dropout else 0  # CUDA dropout masks are 1 byte per element
    stats = 4 if spec.norm == "rmsnorm" else 8  # fp32 rstd (and mean) per token per norm
    attn_linear = 5 * s * h * dt + drop * s * h  # norm output, Q, K, V, projection input (+ output dropout mask)
    if setup.attention == "flash" or setup.checkpointing == "selective":
        scores = 4 * a * s  # log-sum-exp per row, fp32; the s×s probabilities are recomputed in backward
    else:
        scores = a * s * s * (dt + drop * (1 + dt))  # softmax output (+ dropout mask and output)
    mlp = s * (h + (4 if spec.mlp == "swiglu" else 2) * ff) * dt + drop * s * h
    norms = 2 * s * h * dt + 2 * s * stats
    layer = attn_linear + scores + mlp + norms
    if setup.checkpointing == "full":
        stored = L * s * h * dt + layer  # every layer's input, plus one layer recomputed during backward
        layers_formula = f"full checkpointing: {L} × s·h·{dt} B (layer inputs) + one layer's {fmt_bytes_gb(layer)}"
    else:
        stored = L * layer
        layers_formula = (f"{L} layers × [attention {fmt_sig(attn_linear / (s * h), 3)}·sh + scores "
                          f"{'4as (flash/selective)' if scores == 4 * a * s else f'{fmt_sig(scores / (a * s * s), 3)}·as²'} + "
                          f"{spec.mlp} MLP + norms] with s={s}, h={h}, a={a}, ff={ff}, {dt}-byte storage")
    head = 2 * s * h * dt + s * stats + 2 * 8 * s  # final norm in/out, its stats, int64 inputs and targets
    parts = {"activations": float(stored + head)}
    formulas = {"activations": f"{layers_formula} + head {fmt_bytes_gb(head)} = {fmt_bytes_gb(stored + head)} per sample"}
    if spec.vocab and not setup.fused_loss:
        logits = 12 * s * spec.vocab  # fp32 log-softmax saved + two fp32 logits-sized gradients at the start of backward
        parts["logits and loss"] = float(logits)
        formulas["logits and loss"] = (f"3 × 4 B × s·V = 12 × {s} × {spec.vocab:,} = {fmt_bytes_gb(logits)} per sample "
                                       f"(fp32 log-softmax + two logits-sized gradients)")
    return parts, formulas


def estimate_training_memory(spec: ModelSpec, setup: TrainingSetup, device: str = "cuda") -> MemoryEstimate:
    setup.check()
    states, formulas, cpu = model_state_parts(spec.params, setup, spec)
    per_sample, act_formulas = activation_parts(spec, setup)
    formulas.update(act_formulas)
    fixed = {"weights": states["weights"], "optimizer state": states["optimizer state"]}
    overhead = {"CUDA context": setup.cuda_context, "cuBLAS workspace": setup.workspace} if device == "cuda" else {}
    assumptions = [
        f"precision {setup.precision}, optimizer {setup.optimizer}, {setup.gpus} GPU(s), ZeRO stage {setup.zero}"
        + (", optimizer offloaded to CPU" if setup.offload_optimizer else ""),
        "peak = max(start of backward: weights + optimizer state + activations + logits temporaries, "
        "optimizer step: weights + gradients + optimizer state); gradients are None at the start of backward "
        "(zero_grad(set_to_none=True))",
        f"allocator margin {fmt_sig(setup.margin * 100)}% of allocated memory (heuristic: rounding, fragmentation, longer inputs)",
    ]
    if device == "cuda":
        assumptions.append(f"CUDA context {fmt_bytes_gb(setup.cuda_context)} and cuBLAS workspace "
                           f"{fmt_sig(setup.workspace / MiB)} MiB, outside the allocator; override with --cuda-context-gb/--workspace-mib")
    if per_sample:
        assumptions.append(f"activations: Korthikanti et al. generalised ({spec.mlp} MLP, {spec.norm}, attention {setup.attention}, "
                           f"checkpointing {setup.checkpointing}, dropout {'on' if setup.dropout else 'off'}); "
                           "autocast kernels may keep some tensors in fp32 - trace the model (--model) for exact numbers")
    else:
        assumptions.append("activations not estimated: this model has no transformer shape here; use --model FACTORY to trace "
                           "it, or measure with advisor probe")
    return MemoryEstimate(spec.params, fixed, per_sample, states["gradients"], overhead, setup.margin, formulas, assumptions, cpu)


def exact_plans(target: int, max_micro: int, gpus: int, limit: int = 6) -> list[tuple[int, int, int]]:
    """(micro, accum, gpus) with micro × accum × gpus == target and micro ≤ max_micro, fewest steps first."""
    plans = []
    if target % gpus:
        return plans
    per_gpu = target // gpus
    for accum in range(1, per_gpu + 1):
        if per_gpu % accum == 0 and per_gpu // accum <= max_micro:
            plans.append((per_gpu // accum, accum, gpus))
            if len(plans) == limit:
                break
    return plans
