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
    grad_accum: int = 1  # micro-batches per optimizer update: from the 2nd on, every gradient is alive in backward
    bucket_view: bool = False  # DDP gradient_as_bucket_view=True: the gradients are views of the buckets (one copy)

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
        if self.grad_accum < 1:
            raise InputError(f"gradient accumulation must be at least 1, got {self.grad_accum}")


class MicroBatchLimit(int):
    """The largest micro-batch that fits without accumulation, carrying the (smaller) largest micro-batch for
    plans that accumulate (micro-steps 2..k hold every gradient beside the activations). It is an int, so callers
    that only want the number are unaffected; `exact_plans` reads `accumulating`."""

    accumulating: int

    def __new__(cls, value: int, accumulating: int) -> "MicroBatchLimit":
        obj = super().__new__(cls, value)
        obj.accumulating = accumulating
        return obj


@dataclass
class MemoryEstimate:
    """Per-GPU bytes. `fixed` does not depend on the batch; `per_sample` does, linearly.

    Gradients: `gradients` are the trained parameters' gradients (per GPU, after sharding), alive from the end of
    backward to `zero_grad(set_to_none=True)`. `resident_gradients` are alive at the start of *every* backward
    (DDP's gradient buckets, ZeRO-2/3 gradient partitions); `gradient_buffers` are extra gradient-sized buffers
    alive after backward (DDP's buckets beside `param.grad` without `gradient_as_bucket_view`). With accumulation,
    micro-steps 2..k start their backward with all of `gradients + gradient_buffers` alive."""

    params: int
    fixed: dict[str, float]
    per_sample: dict[str, float]
    gradients: float
    overhead: dict[str, float]
    margin: float
    formulas: dict[str, str] = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)
    cpu_bytes: float = 0.0
    sources: tuple[str, ...] = ("hf-anatomy", "zero", "korthikanti", "memexp-affine", "pt-cuda-context")
    resident_gradients: float = 0.0
    gradient_buffers: float = 0.0
    step_temporaries: float = 0.0  # optimizer.step() temporaries (foreach Adam: one copy of the trained parameters)
    accumulation: int = 1  # micro-batches per update assumed when a method is not told

    @property
    def intercept(self) -> float:
        return sum(self.fixed.values())

    @property
    def after_backward(self) -> float:
        """Weights + gradients (+ DDP buckets) + optimizer state: the model states at the optimizer step."""
        return self.intercept + self.gradients + self.gradient_buffers

    @property
    def slope(self) -> float:
        return sum(self.per_sample.values())

    def gradients_at_backward(self, accumulation: int | None = None) -> float:
        """Gradient memory alive when backward starts: the resident buffers, or everything after backward once a
        previous micro-step of the same update has produced gradients."""
        k = self.accumulation if accumulation is None else accumulation
        return self.gradients + self.gradient_buffers if k > 1 else self.resident_gradients

    def at_backward(self, batch: int, accumulation: int | None = None) -> float:
        return self.intercept + self.gradients_at_backward(accumulation) + self.slope * batch

    @property
    def at_step(self) -> float:
        return self.after_backward + self.step_temporaries

    def peak_is_optimizer_step(self, batch: int, accumulation: int | None = None) -> bool:
        return self.at_step > self.at_backward(batch, accumulation)

    def allocated(self, batch: int, accumulation: int | None = None) -> float:
        """Peak allocated bytes: the start of backward (activations, logits temporaries and whatever gradients are
        alive then) or the optimizer step (gradients and the step's temporaries)."""
        return max(self.at_backward(batch, accumulation), self.at_step)

    def device_total(self, batch: int, accumulation: int | None = None) -> float:
        """What the GPU must hold: allocated plus the margin for the allocator, plus context and workspace."""
        return self.allocated(batch, accumulation) * (1 + self.margin) + sum(self.overhead.values())

    def components(self, batch: int, accumulation: int | None = None) -> dict[str, float]:
        """What is alive at the peak: at the optimizer step (gradients) or at the start of backward (activations)."""
        out = dict(self.fixed)
        if self.peak_is_optimizer_step(batch, accumulation):
            out["gradients"] = self.gradients
            if self.gradient_buffers:
                out["gradient buckets"] = self.gradient_buffers
            if self.step_temporaries:
                out["optimizer step temporaries"] = self.step_temporaries
        else:
            grads = self.gradients_at_backward(accumulation)
            if grads:
                out["gradients (alive at backward)"] = grads
            out.update({k: v * batch for k, v in self.per_sample.items()})
        out["allocator margin"] = self.allocated(batch, accumulation) * self.margin
        out.update(self.overhead)
        return out

    def max_micro_batch(self, budget: float, accumulation: int | None = None) -> int:
        """Largest batch whose device total fits the budget (0 if not even one sample fits). Without an explicit
        accumulation, the result also carries the limit for accumulating plans (`MicroBatchLimit.accumulating`)."""
        if accumulation is None:
            own = self._max_micro(budget, self.accumulation)
            return MicroBatchLimit(own, self._max_micro(budget, 2) if self.accumulation == 1 else own)
        return self._max_micro(budget, accumulation)

    def _max_micro(self, budget: float, accumulation: int) -> int:
        room = (budget - sum(self.overhead.values())) / (1 + self.margin)
        if self.at_step > room or self.at_backward(1, accumulation) > room:
            return 0
        if self.slope <= 0:
            return 10**9
        return int(math.floor((room - self.intercept - self.gradients_at_backward(accumulation)) / self.slope))


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


def activation_parts(spec: ModelSpec, setup: TrainingSetup, device: str = "cuda") -> tuple[dict[str, float], dict[str, str], str]:
    """Per-sample bytes saved for backward (transformers), generalising Korthikanti's sbh(34 + 5as/h); and the
    assumption to print."""
    if not spec.has_transformer_shape or spec.seq_len <= 0:
        return {}, {}, ("activations not estimated: this model has no transformer shape here; use --model FACTORY to trace "
                        "it, or measure with advisor probe")
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
    assumption = (f"activations: Korthikanti et al. generalised ({spec.mlp} MLP, {spec.norm}, attention {setup.attention}, "
                  f"checkpointing {setup.checkpointing}, dropout {'on' if setup.dropout else 'off'}); "
                  "autocast kernels may keep some tensors in fp32 - trace the model (--model) for exact numbers")
    return parts, formulas, assumption


FOREACH_TEMP_OPTIMIZERS = {"adam", "adamw", "lion"}  # torch's foreach step allocates one state-sized list (√v or the update)


def largest_tensor(spec: ModelSpec) -> int:
    """Elements of the largest parameter tensor (the single-tensor optimizer path's temporaries scale with it)."""
    if not spec.has_transformer_shape:
        return 0
    d = spec.d_model
    qkv = 3 * d * d if spec.family == "gpt2" else d * d  # GPT-2's fused c_attn
    return max(spec.vocab * d, spec.dims.get("n_positions", 0) * d if spec.family == "gpt2" else 0, d * spec.d_ff, qkv)


def gradient_residency(grads: float, trainable: float, setup: TrainingSetup) -> tuple[float, float, str]:
    """(gradient bytes alive at the start of every backward, extra gradient buffers after backward, why)."""
    n = setup.gpus
    if n > 1 and setup.zero == 0:
        buffers = 0.0 if setup.bucket_view else grads
        why = ("DDP keeps gradient buckets of every trained parameter for the whole run: they sit beside the activations "
               + ("(gradient_as_bucket_view: the gradients are views of them)" if setup.bucket_view else
                  "and, without gradient_as_bucket_view=True, beside param.grad after backward (2 copies)"))
        return grads, buffers, why
    if n > 1:
        g = PRECISIONS[setup.precision][1] if setup.precision in PRECISIONS else 2
        part = trainable * g / n
        return part, 0.0, (f"ZeRO-{setup.zero} keeps this rank's gradient partition between steps "
                           "(DeepSpeed's reduce buckets, reduce_bucket_size, are not included)")
    return 0.0, 0.0, "one GPU: gradients are None at the start of backward (zero_grad(set_to_none=True))"


def step_temporaries(spec: ModelSpec, setup: TrainingSetup, device: str) -> float:
    if setup.offload_optimizer or setup.optimizer not in FOREACH_TEMP_OPTIMIZERS or setup.precision == "mixed":
        return 0.0  # CPU step, bitsandbytes/fused kernels, or no per-parameter temporaries
    elem = 2 if setup.precision == "bf16" else 4
    if device == "cuda":  # foreach: √v (Adam) or the update (Lion) for every trained parameter at once
        trainable = spec.params * setup.trainable_fraction
        return trainable * elem / (setup.gpus if setup.zero >= 1 else 1)
    return 2 * largest_tensor(spec) * elem  # the CPU single-tensor loop: √v and √v / bias correction of one tensor


def estimate_training_memory(spec: ModelSpec, setup: TrainingSetup, device: str = "cuda") -> MemoryEstimate:
    setup.check()
    states, formulas, cpu = model_state_parts(spec.params, setup, spec)
    per_sample, act_formulas, act_assumption = activation_parts(spec, setup, device)
    formulas.update(act_formulas)
    fixed = {"weights": states["weights"], "optimizer state": states["optimizer state"]}
    overhead = {"CUDA context": setup.cuda_context, "cuBLAS workspace": setup.workspace} if device == "cuda" else {}
    trainable = spec.params * setup.trainable_fraction
    resident, buffers, why = gradient_residency(states["gradients"], trainable, setup)
    temps = step_temporaries(spec, setup, device)
    if resident or buffers:
        formulas["gradients"] += (f"; alive at the start of backward: {fmt_bytes_gb(resident)}"
                                  + (f", plus {fmt_bytes_gb(buffers)} of DDP buckets after backward" if buffers else ""))
    if setup.grad_accum > 1:
        formulas["gradients"] += f"; with {setup.grad_accum} micro-batches per update all of it is alive in backward from the 2nd on"
    if temps:
        formulas["optimizer step temporaries"] = (f"{setup.optimizer}'s step allocates {fmt_bytes_gb(temps)} of temporaries "
                                                  + ("(foreach: one copy of the trained parameters)" if device == "cuda"
                                                     else "(single-tensor loop: two copies of the largest parameter)"))
    assumptions = [
        f"precision {setup.precision}, optimizer {setup.optimizer}, {setup.gpus} GPU(s), ZeRO stage {setup.zero}"
        + (", optimizer offloaded to CPU" if setup.offload_optimizer else "")
        + (f", {setup.grad_accum} micro-batches per update" if setup.grad_accum > 1 else ""),
        "peak = max(start of backward: weights + optimizer state + activations + logits temporaries + the gradients alive "
        "then, optimizer step: weights + gradients + optimizer state + the step's temporaries); " + why
        + ("; accumulating plans (micro-steps 2..k) also hold every gradient in backward" if setup.grad_accum == 1 else ""),
        f"allocator margin {fmt_sig(setup.margin * 100)}% of allocated memory (heuristic: rounding, fragmentation, longer inputs)",
    ]
    if device == "cuda":
        assumptions.append(f"CUDA context {fmt_bytes_gb(setup.cuda_context)} and cuBLAS workspace "
                           f"{fmt_sig(setup.workspace / MiB)} MiB, outside the allocator; override with --cuda-context-gb/--workspace-mib")
    assumptions.append(act_assumption)
    return MemoryEstimate(spec.params, fixed, per_sample, states["gradients"], overhead, setup.margin, formulas, assumptions,
                          cpu, resident_gradients=resident, gradient_buffers=buffers, step_temporaries=temps,
                          accumulation=setup.grad_accum)


def exact_plans(target: int, max_micro: int, gpus: int, limit: int = 6,
                max_micro_accumulating: int | None = None) -> list[tuple[int, int, int]]:
    """(micro, accum, gpus) with micro × accum × gpus == target and micro ≤ max_micro, fewest steps first. Plans
    that accumulate (accum > 1) must fit with every gradient alive in backward: their micro-batch is capped by
    `max_micro_accumulating`, or by `max_micro.accumulating` when max_micro is a `MicroBatchLimit`."""
    plans = []
    if target % gpus:
        return plans
    accumulating = max_micro_accumulating if max_micro_accumulating is not None else getattr(max_micro, "accumulating", max_micro)
    per_gpu = target // gpus
    for accum in range(1, per_gpu + 1):
        if per_gpu % accum == 0 and per_gpu // accum <= (max_micro if accum == 1 else accumulating):
            plans.append((per_gpu // accum, accum, gpus))
            if len(plans) == limit:
                break
    return plans
