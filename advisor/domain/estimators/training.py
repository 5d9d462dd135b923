"""The whole training-memory picture for one GPU: model states (with frozen parameters and ZeRO/FSDP sharding),
activations, logits and loss temporaries, and CUDA overheads - and from it peak(batch) = a + b·batch, the largest
micro-batch under a budget, and plans that reach a target global batch.

Sources: model states - HF model_memory_anatomy and the ZeRO paper (stage formulas, §5); activations -
Korthikanti et al. 2022, sbh(34 + 5as/h) bytes per layer in 16-bit with dropout, generalised to the storage
dtype of each saved tensor (CUDA autocast keeps softmax, layer_norm and pow in fp32), the model's MLP activation
(GELU, HF GPT-2's written-out gelu_new, SwiGLU) and norm code (HF LLaMA's RMSNorm), dropout masks and fused
attention; CNNs and ViT's patch embedding in advisor/domain/cnn.py; logits - the advisor team's CPU experiment,
where the peak sits at the start of backward with the saved fp32 log-softmax and two logits-sized fp32 gradients
alive (docs/memory-estimation.md, "The CPU experiment"). Gradients alive in backward: none for the first
micro-batch on one GPU, all of them from micro-step 2 of an accumulation, DDP's buckets always, ZeRO-2/3's
partition. Checked against traced runs in tests/test_memory_accuracy.py (within 3%) and
tests/test_training_memory.py; what differs on CUDA is in docs/memory-estimation.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from advisor.domain.catalogue import ModelSpec
from advisor.errors import InputError
from advisor.units import fmt_bytes, fmt_bytes_gib, fmt_count, fmt_sig
from advisor.domain.estimators.memory import OFFLOAD_CPU_BYTES, OPTIMIZER_STATE, PRECISIONS, QUANTIZED, frozen_base_bytes
from advisor.domain.vocabulary import CUDA_CONTEXT_BYTES

MiB = 2**20
# precisions beyond memory.PRECISIONS: DeepSpeed/Megatron-style mixed precision keeps 16-bit weights and
# gradients with an fp32 master copy inside the optimizer state (ZeRO's K = 12 for Adam = 4 master + 8 moments)
MASTER_COPY = {"mixed": 4}
ALL_PRECISIONS = tuple(PRECISIONS) + tuple(MASTER_COPY)


@dataclass(frozen=True)
class TrainingSetup:
    precision: str = "fp32"
    optimizer: str = "adamw"
    gpus: int = 1
    zero: int = 0  # 0 = plain data parallel (replicated states); 1, 2, 3 = ZeRO stages (FSDP full shard = 3)
    offload_optimizer: bool = False
    checkpointing: str = "none"  # none | selective | full | offloaded (full, its checkpoints in CPU RAM)
    attention: str = "eager"  # eager (s×s scores stored) | flash (SDPA/flash: not stored)
    dropout: bool = False
    fused_loss: bool = False  # chunked/fused cross-entropy: no full fp32 logits
    logits_16bit: bool = False  # Unsloth's cross-entropy: one 16-bit copy of the logits, its gradient written in place
    trainable_fraction: float = 1.0  # < 1: adapters of this fraction of the parameters are trained, the base is frozen
    base_bits: float = 0  # storage of a frozen base (16, 8, 4); 0 = the precision's weight bytes
    cuda_context: float = CUDA_CONTEXT_BYTES  # outside PyTorch's allocator
    workspace: float = 8 * MiB  # cuBLAS workspace (32 MiB on Hopper)
    margin: float = 0.10  # allocator rounding, fragmentation and longer inputs, as a share of allocated memory
    grad_accum: int = 1  # micro-batches per optimizer update: from the 2nd on, every gradient is alive in backward
    bucket_view: bool = False  # DDP gradient_as_bucket_view=True: the gradients are views of the buckets (one copy)
    reference_bytes: float = 0.0  # a frozen reference model beside the trained one (DPO, KTO), per GPU
    offload_params: bool = False  # with ZeRO-3 and offload: the 16-bit parameters live on the CPU too
    # GPUs one model's layers are split over in one process (device_map="auto", naive model parallel): each holds
    # its share of the layers' states and activations; the last also holds the LM head and the logits
    layer_split: int = 1

    def check(self) -> None:
        if self.precision not in ALL_PRECISIONS:
            raise InputError(f"unknown precision {self.precision!r}; use one of {', '.join(ALL_PRECISIONS)}")
        if self.optimizer not in OPTIMIZER_STATE:
            raise InputError(f"unknown optimizer {self.optimizer!r}; use one of {', '.join(OPTIMIZER_STATE)}")
        if self.gpus < 1:
            raise InputError(f"--gpus must be at least 1, got {self.gpus}")
        if self.zero not in (0, 1, 2, 3):
            raise InputError(f"--zero must be 0, 1, 2 or 3, got {self.zero}")
        if self.layer_split < 1:
            raise InputError(f"the layers must be split over at least 1 GPU, got {self.layer_split}")
        if self.checkpointing not in ("none", "selective", "full", "offloaded"):
            raise InputError(f"--checkpointing must be none, selective, full or offloaded, got {self.checkpointing!r}")
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
    # candidate peaks inside backward: (gradients produced so far in this backward, other fixed bytes, per-sample
    # bytes, weight-gradient temporary when accumulating); empty: one, (0, 0, slope, 0), at its start. From
    # micro-step 2 on the gradients exist already (in gradients_at_backward): a new weight gradient is a temporary
    # added into them, so the last term replaces the first.
    backward_phases: tuple[tuple[float, float, float, float], ...] = ()

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

    def phases(self, accumulation: int | None = None) -> list[tuple[float, float]]:
        """(fixed, per-sample) bytes of each candidate peak in backward, beyond the model states."""
        k = self.accumulation if accumulation is None else accumulation
        raw = self.backward_phases or ((0.0, 0.0, self.slope, 0.0),)
        return [((temp if k > 1 else grads) + other, per) for grads, other, per, temp in raw]

    def _phase(self, batch: int, accumulation: int | None = None) -> int:
        values = [fixed + per * batch for fixed, per in self.phases(accumulation)]
        return values.index(max(values))

    def at_backward(self, batch: int, accumulation: int | None = None) -> float:
        fixed, per = self.phases(accumulation)[self._phase(batch, accumulation)]
        return self.intercept + self.gradients_at_backward(accumulation) + fixed + per * batch

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

    def device_line(self, batch: int, accumulation: int | None = None) -> tuple[float, float]:
        """(fixed, per-sample) bytes with device_total(b) = fixed + b × per-sample for the batches whose peak is the
        same moment as at `batch` (the optimizer step: flat; or the same point of backward): the line a chart of
        peak against micro-batch draws through a plan's micro-batch, margin and CUDA overheads included."""
        overhead, scale = sum(self.overhead.values()), 1 + self.margin
        if self.peak_is_optimizer_step(batch, accumulation):
            return self.at_step * scale + overhead, 0.0
        fixed, per = self.phases(accumulation)[self._phase(batch, accumulation)]
        return (self.intercept + self.gradients_at_backward(accumulation) + fixed) * scale + overhead, per * scale

    def device_points(self, batch: int, largest: int | None, accumulation: int | None = None) -> list[tuple[int, float]]:
        """(micro-batch, device total) at 1, 2, 4, ... up to twice the larger of `batch` and `largest` (the largest
        micro-batch that fits), plus `batch`, `largest` and `largest + 1`, so a table or a chart shows where the
        budget is crossed. At most 17 points; only `batch` and below without an activation model."""
        top = max(batch, largest or 0) * 2 if self.per_sample else batch
        batches, b = [], 1
        while b <= max(top, 1) and len(batches) < 14:
            batches.append(b)
            b *= 2
        for extra in (batch, largest, (largest or 0) + 1) if self.per_sample else ():
            if extra and extra not in batches:
                batches.append(extra)
        return [(b, self.device_total(b, accumulation)) for b in sorted(batches)]

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
            fixed, per = self.phases(accumulation)[self._phase(batch, accumulation)]
            if fixed:
                out["weight gradients in backward"] = fixed
            parts = {k: v for k, v in self.per_sample.items() if k != "backward temporaries"}
            if per > sum(parts.values()):
                parts["backward temporaries"] = per - sum(parts.values())
            elif per < sum(parts.values()):  # freed before this peak (the logits' saved log-softmax, the final norm)
                parts["freed before this peak"] = per - sum(parts.values())
            out.update({k: v * batch for k, v in parts.items()})
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
        base = room - self.intercept - self.gradients_at_backward(accumulation)
        limits = [math.floor((base - fixed) / per) for fixed, per in self.phases(accumulation) if per > 0]
        return int(min(limits)) if limits else 10**9


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


def lora_adapter_params(spec: ModelSpec, rank: int, targets: str = "all_linear") -> int:
    """Parameters LoRA adds at rank r on the layers of the transformer blocks it targets - every linear layer
    (PEFT's 'all-linear'), the attention projections, or q and v: a d_in × d_out weight gets B (d_out × r) and A
    (r × d_in), r × (d_in + d_out) (LoRA §4.1). A mixture of experts adapts each expert and the router. 0 when the
    shapes are unknown."""
    d, L, ff = spec.d_model, spec.n_layers, spec.d_ff
    if d <= 0 or L <= 0 or ff <= 0 or spec.family not in LORA_LAYOUTS:
        return 0
    heads = spec.n_heads * spec.head_dim if spec.n_heads and spec.head_dim else d
    kv = (spec.n_kv_heads or spec.n_heads) * spec.head_dim if spec.n_heads and spec.head_dim else d
    if targets == "qv":
        return rank * L * ((d + heads) + (d + kv))
    attention = (d + heads) + 2 * (d + kv) + (heads + d)  # q, k, v, output projection
    if targets == "attention":
        return rank * L * attention
    mlp = 3 * (d + ff) if spec.mlp == "swiglu" else 2 * (d + ff)  # gate, up, down (or up, down)
    if spec.family == "mixtral":
        experts = int(spec.dims.get("n_experts", 0))
        if experts <= 0:
            return 0
        mlp = experts * mlp + (d + experts)  # every expert, and the router
    return rank * L * (attention + mlp)


# the layouts whose blocks are attention (q, k, v, o) then an MLP: what lora_adapter_params counts
LORA_LAYOUTS = frozenset({"llama", "mixtral", "gpt2", "neox", "opt", "falcon", "phi", "bert", "vit"})


def _divided(sharded: int, split: int, stage: str) -> str:
    """' / 8 (ZeRO-3)', ' / 2 (layers split over 2 GPUs)', or '' when a state is whole on each GPU."""
    return (f" / {sharded} ({stage})" if sharded > 1 else "") + (f" / {split} (layers split over {split} GPUs)" if split > 1 else "")


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
    n, split = setup.gpus, setup.layer_split
    # (a layer split divides every state by the GPUs the layers are spread over, evenly: the GPU that also holds the
    # LM head and the logits is the one counted)
    shard = lambda stage: (n if setup.zero >= stage else 1) * split  # noqa: E731
    weights = (trainable * (w + copy) + frozen_bytes) / shard(3)
    grads = trainable * g / shard(2)
    optimizer = trainable * opt / shard(1)
    cpu = 0.0
    if setup.offload_optimizer:
        # ZeRO-Offload: fp32 master weights, fp32 gradients and the optimizer's fp32 state on the CPU (16 B/param
        # for Adam; DeepSpeed's estimator adds ×1.5 for buffers), in total over all ranks
        cpu, optimizer = trainable * (OFFLOAD_CPU_BYTES + OPTIMIZER_STATE[setup.optimizer]), 0.0
    grads_off = setup.offload_optimizer and n > 1 and setup.zero >= 2
    if grads_off:
        # ZeRO-2/3 with the optimizer offloaded copies each rank's gradient partition to the CPU as it is reduced
        # (DeepSpeed's estimate keeps no gradients on the GPU: 2·P for ZeRO-2, 2·P/N for ZeRO-3); what stays is the
        # reduce bucket, counted with the backward's transient gradients
        grads = 0.0
    params_off = setup.offload_params and setup.offload_optimizer and setup.zero == 3
    if params_off:
        # ZeRO-3's offload_param / FSDP's CPU offload: the 16-bit parameters wait on the CPU (DeepSpeed's 18 B/param
        # with the optimizer's 16) and each GPU gathers one layer at a time, the next prefetched: two layers' worth
        layers = spec.n_layers if spec is not None and spec.has_transformer_shape and spec.n_layers else 0
        cpu += trainable * (w + copy) + frozen_bytes
        weights = 2 * (trainable * (w + copy) + frozen_bytes) / layers if layers else 0.0
    gathered = 0.0
    if setup.zero == 3 and n > 1 and not params_off and spec is not None and spec.has_transformer_shape \
            and spec.n_layers:
        # ZeRO-3 / FSDP full shard computes each layer with its whole weights, all-gathered from the shards: the layer
        # computing and the one prefetched are whole on every GPU beside the shard (DeepSpeed's prefetch bucket and
        # max live parameters, FSDP's one unit ahead), in the 16 bits they compute in (fp32 only for an fp32 run)
        gathered = 2 * (trainable * min(w, 2 if setup.precision != "fp32" else 4) + frozen_bytes) / spec.n_layers / split
        weights += gathered
    trained = f"{fmt_count(trainable)} trained" + (
        (f" + frozen base {frozen_formula}" if frozen_formula else f" + {fmt_count(frozen)} frozen at {fmt_sig(base_bytes)} B") if frozen else "")
    zero = f", ZeRO-{setup.zero} over {n} GPUs" if setup.zero and n > 1 else (f", replicated on {n} GPUs" if n > 1 else "")
    formulas = {
        "weights": (f"{trained}: {fmt_sig(w + copy)} B/param on the CPU (offload_param); two layers gathered at a time "
                    f"on the GPU = {fmt_bytes_gib(weights)}") if params_off else
                   f"{trained}: {fmt_sig(w + copy)} B/param{' (incl. 16-bit copy)' if copy else ''}"
                   + _divided(n if setup.zero >= 3 else 1, split, "ZeRO-3")
                   + (f" + two layers gathered whole (computing, prefetched) {fmt_bytes_gib(gathered)}" if gathered else "")
                   + f" = {fmt_bytes_gib(weights)}",
        "gradients": (f"{fmt_count(trainable)} × {fmt_sig(g)} B, each partition copied to the CPU as it is reduced "
                      "(ZeRO-Offload) = 0 on the GPU between steps") if grads_off else
                     f"{fmt_count(trainable)} × {fmt_sig(g)} B" + _divided(n if setup.zero >= 2 else 1, split, "ZeRO-2+")
                     + f" = {fmt_bytes_gib(grads)}",
        "optimizer state": f"{fmt_count(trainable)} × {fmt_sig(opt)} B ({setup.optimizer}"
                           + (f", incl. fp32 master {master} B" if master else "") + ")"
                           + _divided(n if setup.zero >= 1 else 1, split, "ZeRO-1+")
                           + (" → offloaded to CPU" if setup.offload_optimizer else "") + f" = {fmt_bytes_gib(optimizer)}{zero}",
    }
    return {"weights": weights, "gradients": grads, "optimizer state": optimizer}, formulas, cpu


# ---------------------------------------------------------------------------------------------- activations

# What the presets' source implementations use unless the preset says otherwise (models.yaml dims may set
# `activation`, `norm_impl`, `dropout`): Hugging Face GPT-2 writes GELU out as the tanh formula (`gelu_new`, five
# saved tensors instead of two), BERT and ViT use the exact GELU, LLaMA a SwiGLU MLP and an RMSNorm written out
# in Python (it saves the normalised tensor as well as its input).
FAMILY_ACTIVATION = {"gpt2": "gelu_new", "bert": "gelu", "vit": "gelu", "llama": "swiglu"}
FAMILY_NORM_IMPL = {"llama": "hf_rmsnorm"}
FAMILY_CONFIG_DROPOUT = {"gpt2": 0.1, "bert": 0.1, "vit": 0.0, "llama": 0.0}  # the HF/torchvision config defaults


@dataclass(frozen=True)
class StorageBytes:
    """Bytes per element of each kind of tensor saved for backward, by precision and device.

    lin: inputs saved by linears and matmuls (16-bit under autocast and for 16-bit weights); res: the residual
    stream (fp32 under autocast); soft: the softmax output (fp32 under CUDA autocast, which runs softmax, layer_norm
    and pow in fp32); amp: an fp32 result that feeds a matmul is saved again as the 16-bit copy autocast makes;
    mask: a dropout mask (1 byte with CUDA's fused dropout, the activation dtype on the CPU); loss: the dtype the
    cross-entropy works in (fp32 unless the logits are 16-bit without autocast)."""

    lin: int
    res: int
    soft: int
    amp: bool
    mask: int
    loss: int


def storage_bytes(setup: TrainingSetup, device: str) -> StorageBytes:
    if setup.precision == "fp32":
        return StorageBytes(4, 4, 4, False, 1 if device == "cuda" else 4, 4)
    if setup.precision in ("amp_bf16", "amp_fp16"):
        return StorageBytes(2, 4, 4, True, 1 if device == "cuda" else 2, 4)
    if setup.precision == "mixed":
        # DeepSpeed's 16-bit mode runs Hugging Face models, whose loss upcasts the 16-bit logits to fp32
        # (ForCausalLMLoss: logits.float()): the loss works in fp32 as under autocast
        return StorageBytes(2, 2, 2, False, 1 if device == "cuda" else 2, 4)
    return StorageBytes(2, 2, 2, False, 1 if device == "cuda" else 2, 2)  # pure bf16: 16-bit weights and activations


def mlp_bytes_per_element(activation: str, b: StorageBytes) -> float:
    """Saved bytes per element of the MLP's hidden width (per token), the down projection's input included."""
    if activation == "swiglu":
        return 4 * b.lin  # gate output, SiLU output, up output, their product
    if activation == "gelu_new":
        # 0.5·x·(1 + tanh(√(2/π)(x + 0.044715·x³))) written out saves five tensors: pow's input, tanh's output,
        # 0.5·x, 1 + tanh, and the result (the down projection's input). Under CUDA autocast pow runs in fp32
        # (an fp32 copy of x), so does everything after it; 0.5·x stays 16-bit and the result is saved as a 16-bit copy.
        return 4 + 4 + 2 + 4 + 2 if b.amp else 5 * b.lin
    return 2 * b.lin  # GELU (nn.GELU / F.gelu): its input and its output


@dataclass
class ActivationModel:
    per_sample: dict[str, float]
    formulas: dict[str, str]
    assumption: str
    phases: tuple[tuple[float, float, float, float], ...] = ()  # see MemoryEstimate.backward_phases


def activation_parts(spec: ModelSpec, setup: TrainingSetup, device: str = "cuda") -> ActivationModel:
    """Per-sample bytes saved for backward, generalising Korthikanti's sbh(34 + 5as/h) to the storage dtypes of the
    precision, the model's MLP activation and norm implementation, dropout and fused attention; CNNs and ViT's
    patch embedding from advisor/domain/cnn.py. Two candidate peaks in backward: its start (everything saved, the
    logits temporaries) and the last block's MLP backward (its gradients beside almost everything saved)."""
    from advisor.domain import cnn

    if spec.family == "resnet":
        return cnn.resnet_activation_model(spec, setup, device)
    if not spec.has_activation_shape or spec.seq_len <= 0:
        return ActivationModel({}, {}, "activations not estimated: this model has no transformer shape here; use --model "
                                       "FACTORY to trace it, or measure with advisor probe")
    s, h, a, L, ff = spec.seq_len, spec.d_model, spec.n_heads, spec.n_layers, spec.d_ff
    family = spec.family
    if spec.is_moe:  # each token runs through its top-k experts: k expert MLPs' activations per token (router aside)
        ff *= int(spec.dims["top_k"])
        family = "llama"  # (Mixtral's blocks are Llama's - RMSNorm written out, no dropout - around the experts)
    # split over GPUs, each keeps its own layers' activations for the whole micro-batch (the last also the logits)
    L = -(-L // setup.layer_split)
    b = storage_bytes(setup, device)
    activation = spec.dims.get("activation") or ("swiglu" if spec.mlp == "swiglu" else FAMILY_ACTIVATION.get(family, "gelu"))
    norm_impl = spec.dims.get("norm_impl") or FAMILY_NORM_IMPL.get(family, "fused")
    drop = setup.dropout
    sites = {"llama": ("attn",)}.get(family, ("attn", "resid", "embd"))
    stats = 4 if spec.norm == "rmsnorm" else 8  # fp32 rstd (and mean) per token per norm
    hf_rms = norm_impl == "hf_rmsnorm"
    # a norm saves its input (the residual stream) and, through the next linear, its output; an RMSNorm written out
    # also keeps the normalised tensor (fp32 unless the weights are 16-bit), and takes an fp32 copy of a 16-bit input
    norm_in = 4 if hf_rms and b.res == 2 else b.res
    norm = s * h * (norm_in + b.lin + ((4 if b.res == 4 else 2) if hf_rms else 0)) + s * stats
    qkv_proj = 4 * s * h * b.lin  # Q, K, V and the attention output (the projection's input)
    if setup.attention == "flash" or setup.checkpointing == "selective":
        scores = 4 * a * s  # log-sum-exp per row, fp32; the s×s probabilities are recomputed in backward
        scores_txt = "4as (flash/selective)"
    else:
        per = b.soft + (b.lin if (b.amp or (drop and "attn" in sites)) else 0) + (b.mask if drop and "attn" in sites else 0)
        scores = a * s * s * per
        scores_txt = f"{fmt_sig(per)}·as²"
    mlp = s * ff * mlp_bytes_per_element(activation, b)
    resid_masks = 2 * s * h * b.mask if drop and "resid" in sites else 0
    if spec.family == "vit" and drop:
        resid_masks += s * ff * b.mask  # torchvision's MLPBlock also drops after the activation
    layer = 2 * norm + qkv_proj + scores + mlp + resid_masks
    if setup.checkpointing == "full":
        stored = L * s * h * b.res + layer  # every layer's input, plus one layer recomputed during backward
        layers_formula = f"full checkpointing: {L} × s·h·{b.res} B (layer inputs) + one layer's {fmt_bytes_gib(layer)}"
    elif setup.checkpointing == "offloaded":
        # the layer inputs wait in CPU RAM (unsloth-offloaded-checkpointing): on the GPU, the one being copied back
        # beside the one in use, and one layer recomputed during backward
        stored = 2 * s * h * b.res + layer
        layers_formula = (f"checkpoints offloaded to CPU RAM: 2 × s·h·{b.res} B (the layer inputs in transit) + one "
                          f"layer's {fmt_bytes_gib(layer)}")
    else:
        stored = L * layer
        layers_formula = (f"{L} layers × [2 norms {fmt_bytes_gib(norm)} + Q, K, V, attention output 4·sh·{b.lin} + scores "
                          f"{scores_txt} + {activation} MLP {fmt_sig(mlp_bytes_per_element(activation, b))}·s·ff"
                          + (" + dropout masks" if drop else "") + f"] with s={s}, h={h}, a={a}, ff={ff}")
    if setup.layer_split > 1:
        layers_formula += f" (the last GPU's share of {spec.n_layers} layers split over {setup.layer_split} GPUs)"
    embd_mask = s * h * b.mask if drop and "embd" in sites else 0
    ints = 8 * s * (2 if family in ("gpt2", "llama", "bert") else 0)  # int64 ids and targets (BERT: ids, token types)
    if spec.family == "bert":
        # embedding LayerNorm (input, stats); the pooler's [CLS] slice keeps the last hidden state alive (in fp32;
        # under autocast only its 16-bit copy of the slice)
        head = s * h * b.res + s * stats + (s * h * b.res if not b.amp else 0)
        head_txt = "embedding LayerNorm + last hidden state"
    elif spec.family == "vit":
        head = cnn.vit_input_bytes(spec, b) + s * h * b.res + s * stats + (s * h * b.res if not b.amp else 0)
        head_txt = "image + final LayerNorm"
    else:
        head = s * h * ((4 if hf_rms and b.res == 2 else b.res) + b.lin + ((4 if b.res == 4 else 2) if hf_rms else 0)) + s * stats
        head_txt = "final norm"
    head += embd_mask + ints
    saved = stored + head
    per_sample = {"activations": float(saved)}
    formulas = {"activations": f"{layers_formula} + {head_txt} {fmt_bytes_gib(head)} = {fmt_bytes_gib(saved)} per sample"}
    lm = bool(spec.vocab) and not setup.fused_loss
    if lm and setup.logits_16bit:
        # one 16-bit copy, kept for backward, which writes the gradient into it (unsloth-cross-entropy): nothing at
        # the start of backward beside it
        per_sample["logits and loss"] = float(2 * s * spec.vocab)
        formulas["logits and loss"] = (f"2 B × s·V = 2 × {s} × {spec.vocab:,} = {fmt_bytes_gib(2 * s * spec.vocab)} per "
                                       "sample (one 16-bit copy, its gradient written in place)")
    logits_temps = 2 * b.loss * s * spec.vocab if lm and not setup.logits_16bit else 0
    if lm and not setup.logits_16bit:
        per_sample["logits and loss"] = float(b.loss * s * spec.vocab + logits_temps)
        formulas["logits and loss"] = (f"3 × {b.loss} B × s·V = {3 * b.loss} × {s} × {spec.vocab:,} = "
                                       f"{fmt_bytes_gib(3 * b.loss * s * spec.vocab)} per sample (the saved log-softmax + two "
                                       f"logits-sized gradients at the start of backward)")
    # the last block's MLP backward: the gradients of its hidden layer and of the residual stream, beside everything
    # saved except the final norm (or BERT's last LayerNorm and hidden state); its output weight's gradient and the
    # head's gradients already exist
    logits_saved = (2 if setup.logits_16bit else b.loss) * s * spec.vocab if lm else 0
    mlp_grads = s * (ff * b.lin + h * b.res) - 2 * s * h * b.res - s * stats - logits_saved
    head_params = (spec.vocab * h if spec.vocab else 0) + {"bert": h * h + h + h * spec.dims.get("num_classes", 2),
                                                           "vit": h * spec.dims.get("num_classes", 1000)}.get(spec.family, 0)
    # (a frozen base under adapters has no weight gradients: only the adapters', counted with the model states)
    trained = 0.0 if setup.trainable_fraction < 1 else 4.0
    mlp_fixed = trained * (ff * h + h + head_params + 2 * h)
    start = saved + logits_temps + logits_saved
    phases = ((0.0, 0.0, float(start), 0.0),
              (trained * (head_params + 2 * h), trained * (ff * h + h), float(saved + logits_saved + mlp_grads), 0.0))
    if phases[1][2] > start:
        per_sample["backward temporaries"] = float(phases[1][2] - start)
        formulas["backward temporaries"] = (f"in the last block's MLP backward: gradients s·(ff·{b.lin} + h·{b.res}) beside "
                                            f"what is still saved, + {fmt_bytes(mlp_fixed)} of weight gradients")
    config_drop = spec.dims.get("dropout", FAMILY_CONFIG_DROPOUT.get(spec.family, 0.0))
    drop_txt = "on" if drop else ("off" + (f" (the {spec.family} config sets {config_drop}: --dropout adds its masks)" if config_drop else ""))
    assumption = (f"activations: Korthikanti et al. generalised ({activation} MLP, "
                  f"{'RMSNorm written out (HF)' if hf_rms else spec.norm}, attention {setup.attention}, checkpointing "
                  f"{setup.checkpointing}, dropout {drop_txt}; {'CUDA' if device == 'cuda' else 'CPU'} storage: "
                  f"{b.lin}-byte matmul inputs, {b.res}-byte residual stream"
                  + (", softmax/layer_norm/pow in fp32 as CUDA autocast runs them" if b.amp else "") + ")")
    return ActivationModel(per_sample, formulas, assumption, phases)


FOREACH_TEMP_OPTIMIZERS = {"adam", "adamw", "lion"}  # torch's foreach step allocates one state-sized list (√v or the update)


def largest_tensor(spec: ModelSpec) -> int:
    """Elements of the largest parameter tensor (the single-tensor optimizer path's temporaries scale with it)."""
    if spec.family == "resnet" and "blocks" in spec.dims:
        from advisor.domain.cnn import resnet_stages

        stages, head = resnet_stages(spec.dims)
        return int(max([st.largest_weight for st in stages] + [head["features"] * head["classes"]]))
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
    if n > 1 and setup.zero == 1:
        return grads, 0.0, ("ZeRO-1 shards only the optimizer state: every rank keeps the full gradients, averaged "
                            "across ranks, until its partition of the update is done")
    if n > 1 and setup.offload_optimizer:
        return 0.0, 0.0, (f"ZeRO-{setup.zero} with the optimizer offloaded copies this rank's gradient partition to "
                          "the CPU as it is reduced: none stays on the GPU between steps")
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
        return trainable * elem / (setup.gpus if setup.zero >= 1 else 1) / setup.layer_split
    return 2 * largest_tensor(spec) * elem  # the CPU single-tensor loop: √v and √v / bias correction of one tensor


def estimate_training_memory(spec: ModelSpec, setup: TrainingSetup, device: str = "cuda") -> MemoryEstimate:
    setup.check()
    states, formulas, cpu = model_state_parts(spec.params, setup, spec)
    act = activation_parts(spec, setup, device)
    per_sample, act_assumption = act.per_sample, act.assumption
    formulas.update(act.formulas)
    fixed = {"weights": states["weights"], "optimizer state": states["optimizer state"]}
    if setup.reference_bytes:
        fixed["reference model"] = setup.reference_bytes
        formulas["reference model"] = f"a frozen copy of the weights for DPO/KTO: {fmt_bytes_gib(setup.reference_bytes)}"
    overhead = {"CUDA context": setup.cuda_context, "cuBLAS workspace": setup.workspace} if device == "cuda" else {}
    trainable = spec.params * setup.trainable_fraction
    resident, buffers, why = gradient_residency(states["gradients"], trainable, setup)
    temps = step_temporaries(spec, setup, device)
    if resident or buffers:
        formulas["gradients"] += (f"; alive at the start of backward: {fmt_bytes_gib(resident)}"
                                  + (f", plus {fmt_bytes_gib(buffers)} of DDP buckets after backward" if buffers else ""))
    if setup.grad_accum > 1:
        formulas["gradients"] += f"; with {setup.grad_accum} micro-batches per update all of it is alive in backward from the 2nd on"
    if temps:
        formulas["optimizer step temporaries"] = (f"{setup.optimizer}'s step allocates {fmt_bytes_gib(temps)} of temporaries "
                                                  + ("(foreach: one copy of the trained parameters)" if device == "cuda"
                                                     else "(single-tensor loop: two copies of the largest parameter)"))
    assumptions = [
        f"precision {setup.precision}, optimizer {setup.optimizer}, {setup.gpus} GPU(s), ZeRO stage {setup.zero}"
        + (", optimizer offloaded to CPU" if setup.offload_optimizer else "")
        + (f", the layers split over {setup.layer_split} GPUs evenly (device_map: the last GPU, which also holds the "
           "LM head and the logits, is counted)" if setup.layer_split > 1 else "")
        + (f", {setup.grad_accum} micro-batches per update" if setup.grad_accum > 1 else ""),
        "peak = max(start of backward: weights + optimizer state + activations + logits temporaries + the gradients alive "
        "then, optimizer step: weights + gradients + optimizer state + the step's temporaries); " + why
        + ("; accumulating plans (micro-steps 2..k) also hold every gradient in backward" if setup.grad_accum == 1 else ""),
        f"allocator margin {fmt_sig(setup.margin * 100)}% of allocated memory (heuristic: rounding, fragmentation, longer inputs)",
    ]
    if device == "cuda":
        assumptions.append(f"CUDA context {fmt_bytes_gib(setup.cuda_context)} and cuBLAS workspace "
                           f"{fmt_sig(setup.workspace / MiB)} MiB, outside the allocator; override with --cuda-context-gb/--workspace-mib")
    assumptions.append(act_assumption)
    return MemoryEstimate(spec.params, fixed, per_sample, states["gradients"], overhead, setup.margin, formulas, assumptions,
                          cpu, resident_gradients=resident, gradient_buffers=buffers, step_temporaries=temps,
                          accumulation=setup.grad_accum, backward_phases=act.phases)


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
    for accum in divisors(per_gpu):  # ascending; √n trial divisions, not one per unit of the target
        if per_gpu // accum <= (max_micro if accum == 1 else accumulating):
            plans.append((per_gpu // accum, accum, gpus))
            if len(plans) == limit:
                break
    return plans


def divisors(n: int) -> list[int]:
    """The divisors of n, ascending (n ≤ 10^12 in practice: at most 10^6 trial divisions)."""
    small, large = [], []
    i = 1
    while i * i <= n:
        if n % i == 0:
            small.append(i)
            if i * i != n:
                large.append(n // i)
        i += 1
    return small + large[::-1]
