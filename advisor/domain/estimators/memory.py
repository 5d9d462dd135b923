"""Training-memory estimators: model states by precision x optimizer, adapters, offload, headroom, and the
affine peak(batch) fit from two or more measurements.

Bytes per parameter (sources: HF `model_memory_anatomy`, ZeRO paper, bitsandbytes docs):

| precision | weights | grads | 16-bit working copy | optimizer state scale |
|-----------|---------|-------|---------------------|-----------------------|
| fp32      | 4       | 4     | 0                   | fp32 states           |
| amp_bf16 / amp_fp16 (torch.autocast, fp32 params) | 4 | 4 | 2 | fp32 states |
| bf16 (pure bf16 params, states in bf16) | 2 | 2 | 0 | half of fp32 states |

Optimizer state in fp32 bytes/param: SGD 0, SGD-momentum 4, Adam/AdamW 8 (two moments), 8-bit AdamW 2,
Lion 4 (one moment), Adafactor ~0 (factored second moment, O(rows+cols) per matrix).
"""

from __future__ import annotations

import math
import re

from advisor.domain.fit import fit_line
from advisor.units import fmt_bytes, fmt_bytes_gb, fmt_bytes_gib, fmt_card, fmt_count, fmt_share, fmt_sig
from advisor.engine.estimators import Estimate, NotComputable, estimator

PRECISIONS = {
    # name: (weights, grads, working copy, optimizer-state scale)
    "fp32": (4, 4, 0, 1.0),
    "amp_bf16": (4, 4, 2, 1.0),
    "amp_fp16": (4, 4, 2, 1.0),
    "bf16": (2, 2, 0, 0.5),
}
# bytes of optimizer state per trained parameter in fp32 (halved in pure bf16 but for an 8-bit state):
# Prodigy keeps Adam's two moments plus its starting point p0 and the sum s (prodigyopt, slice_p=1); Adam-mini keeps
# Adam's first moment and one second moment per block (a few per layer: nothing per parameter); schedule-free AdamW
# keeps the sequence z and Adam's second moment
OPTIMIZER_STATE = {"sgd": 0, "sgd_momentum": 4, "adam": 8, "adamw": 8, "adamw_8bit": 2, "adamw_4bit": 1, "lion": 4,
                   "adafactor": 0, "prodigy": 16, "adam_mini": 4, "schedule_free_adamw": 8}
OPTIMIZER_SOURCES = {"adamw_8bit": ("bnb",), "adamw_4bit": ("lowbit-optim",), "prodigy": ("prodigy",),
                     "adam_mini": ("adam-mini",),
                     "schedule_free_adamw": ("schedule-free",)}  # the state sizes other than Adam's, SGD's and Lion's
QUANTIZED = {"adamw_8bit", "adamw_4bit"}  # already 8- or 4-bit: pure-bf16 training does not halve it again
MEMORY_SOURCES = ("hf-anatomy", "zero")


def bytes_per_param(precision: str, optimizer: str) -> tuple[float, dict[str, float]]:
    if precision not in PRECISIONS:
        raise NotComputable(f"unknown precision {precision!r}")
    if optimizer not in OPTIMIZER_STATE:
        raise NotComputable(f"unknown optimizer {optimizer!r}")
    weights, grads, copy, scale = PRECISIONS[precision]
    state = OPTIMIZER_STATE[optimizer] * (1.0 if optimizer in QUANTIZED else scale)
    parts = {"weights": weights, "gradients": grads, "16-bit copy": copy, "optimizer state": state}
    return sum(parts.values()), parts


def _parts_formula(parts: dict[str, float]) -> str:
    return " + ".join(f"{fmt_sig(v)} ({k})" for k, v in parts.items() if v)


@estimator("value", "bytes_per_param",
           cites=MEMORY_SOURCES + ("bnb", "lowbit-optim", "prodigy", "adam-mini", "schedule-free"))
def model_state_bytes(params: float, precision: str, optimizer: str) -> dict[str, Estimate]:
    """Weights, gradients and optimizer state of a full training run; independent of batch size."""
    per_param, parts = bytes_per_param(precision, optimizer)
    total = params * per_param
    sources = MEMORY_SOURCES + OPTIMIZER_SOURCES.get(optimizer, ())
    formula = (f"{fmt_count(params)} params × ({_parts_formula(parts)}) = {fmt_sig(per_param)} B/param "
               f"→ {fmt_bytes_gib(total)}")
    return {
        "value": Estimate(total, "bytes", formula, sources, heuristic=optimizer == "adafactor"),
        "bytes_per_param": Estimate(per_param, None, f"{precision} + {optimizer}: {_parts_formula(parts)}", sources),
    }


@estimator(cites=("korthikanti",))
def model_parallel_states(states: float, model_parallel_gpus: float) -> dict[str, Estimate]:
    """Model states per GPU when tensor and pipeline parallelism split one copy of the model over several GPUs:
    the states divided by them (embeddings and a stage's extra layers aside; a distributed optimizer divides the
    optimizer's part further over the data-parallel GPUs)."""
    if states <= 0 or model_parallel_gpus < 1:
        raise NotComputable("the states and the GPUs must be positive")
    each = states / model_parallel_gpus
    return {"value": Estimate(each, "bytes", f"{fmt_bytes_gib(states)} / {int(model_parallel_gpus)} GPUs (tensor × "
                              f"pipeline parallel) = {fmt_bytes_gib(each)} per GPU", ("korthikanti",))}


# Megatron-LM with bf16 weights and fp32 main gradients (its docs' "Distributed Optimizer" table): 18 bytes a
# parameter replicated on every data-parallel GPU, 6 + 12/d with --use-distributed-optimizer over d of them (the fp32
# main weights and Adam's two moments sharded, the 16-bit weights and fp32 gradients kept whole)
MEGATRON_REPLICATED, MEGATRON_KEPT, MEGATRON_SHARDED = 18, 6, 12


@estimator("replicated", "distributed", cites=("megatron-distributed-optimizer",))
def megatron_states(params: float, data_parallel: float, model_parallel_gpus: float = 1) -> dict[str, Estimate]:
    """Model states per GPU of a Megatron-LM run, without and with the distributed optimizer, the model's copy split
    over model_parallel_gpus (tensor × pipeline) and the copies over data_parallel GPUs."""
    if params <= 0 or data_parallel < 1 or model_parallel_gpus < 1:
        raise NotComputable("the parameters and the GPUs must be positive")
    share = params / model_parallel_gpus
    split = f"{fmt_count(params)} params / {int(model_parallel_gpus)} (tensor × pipeline)" if model_parallel_gpus > 1 \
        else f"{fmt_count(params)} params"
    replicated = share * MEGATRON_REPLICATED
    per_param = MEGATRON_KEPT + MEGATRON_SHARDED / data_parallel
    distributed = share * per_param
    return {
        "replicated": Estimate(replicated, "bytes", f"{split} × {MEGATRON_REPLICATED} B/param = "
                               f"{fmt_bytes_gib(replicated)} per GPU", ("megatron-distributed-optimizer",)),
        "distributed": Estimate(distributed, "bytes", f"{split} × ({MEGATRON_KEPT} + {MEGATRON_SHARDED} / "
                                f"{int(data_parallel)} data-parallel GPUs) B/param = {fmt_bytes_gib(distributed)} "
                                f"per GPU", ("megatron-distributed-optimizer",)),
    }


# the share of the card a split's model states may take, the rest left to activations, buffers and the CUDA context
# (heuristic: Megatron's published recipes leave a quarter to a third of an 80 GB card to activations)
MEGATRON_STATES_SHARE = 0.7
TENSOR_SIZES = (8, 4, 2, 1)  # tensor parallelism stays within a node's NVLink: 8 GPUs at most, the largest first
PIPELINE_SIZES = (1, 2, 4, 8, 16, 32, 64)
NODE_GPUS = 8  # GPUs are added a node at a time when the user's are too few
MOST_NODES = 1024


def _smallest_split(params: float, gpus: int, budget: float) -> tuple[int, int, float] | None:
    """(tensor, pipeline, states per GPU) of the split of `gpus` into tensor × pipeline × data parallelism with the
    fewest GPUs per model copy (the most data-parallel copies, so the most speed) whose states per GPU, with the
    distributed optimizer, are within budget - the larger tensor size first at the same copy size."""
    best = None
    for tensor in TENSOR_SIZES:
        if gpus % tensor:
            continue
        for pipeline in PIPELINE_SIZES:  # (powers of two: the layer counts models have divide by them)
            split = tensor * pipeline
            if split > gpus or gpus % split or best is not None and split >= best[0] * best[1]:
                continue
            per_gpu = params / split * (MEGATRON_KEPT + MEGATRON_SHARDED / (gpus // split))
            if per_gpu <= budget:
                best = (tensor, pipeline, per_gpu)
                break  # (more stages only lengthen the copy)
    return best


@estimator("tensor", "pipeline", "data", "split", "per_gpu", "gpus", "more_gpus",
           cites=("megatron-distributed-optimizer", "megatron-parallel-state"))
def megatron_split(params: float, num_gpus: float, gpu_memory: float, model_parallel_gpus: float = 1) -> dict[str, Estimate]:
    """The smallest tensor × pipeline split of a Megatron-LM run whose model states per GPU, with the distributed
    optimizer, leave a share of the card to activations: on the user's GPUs (the data-parallel ones times the split
    they said), or else on the fewest whole 8-GPU nodes that have one."""
    if params <= 0 or num_gpus < 1 or gpu_memory <= 0 or model_parallel_gpus < 1:
        raise NotComputable("needs a parameter count, the GPUs and the card's memory")
    gpus = int(num_gpus * model_parallel_gpus)
    budget = MEGATRON_STATES_SHARE * gpu_memory
    found, counted = _smallest_split(params, gpus, budget), gpus
    if found is None:
        for nodes in range(gpus // NODE_GPUS + 1, MOST_NODES + 1):
            found, counted = _smallest_split(params, nodes * NODE_GPUS, budget), nodes * NODE_GPUS
            if found is not None:
                break
    if found is None:
        raise NotComputable("no split of up to 1,024 nodes leaves room for activations")
    tensor, pipeline, per_gpu = found
    data = counted // (tensor * pipeline)
    how = (f"{fmt_count(params)} params / ({tensor} tensor × {pipeline} pipeline) × ({MEGATRON_KEPT} + "
           f"{MEGATRON_SHARDED} / {data} data-parallel) B/param = {fmt_bytes_gib(per_gpu)} per GPU, within "
           f"{fmt_share(MEGATRON_STATES_SHARE)} of {fmt_bytes_gib(gpu_memory)}")
    cites = ("megatron-distributed-optimizer", "megatron-parallel-state")
    return {"tensor": Estimate(tensor, "count", "", cites), "pipeline": Estimate(pipeline, "count", "", cites),
            "data": Estimate(data, "count", "", cites), "split": Estimate(tensor * pipeline, "count", "", cites),
            "per_gpu": Estimate(per_gpu, "bytes", how, cites), "gpus": Estimate(counted, "count", "", cites),
            "more_gpus": Estimate(1 if counted > gpus else 0, "count", "", cites)}


@estimator("value", "card_share", cites=("arithmetic",))
def weights_in_16_bits(params: float, gpu_memory: float) -> dict[str, Estimate]:
    """The model's weights in 16 bits, as they are loaded before a quantizer that works on a loaded model (quanto,
    torchao) turns them into 8 or 4 bits, and their share of the card."""
    if params <= 0 or gpu_memory <= 0:
        raise NotComputable("needs a parameter count and the card's memory")
    weights = loaded_weights_bytes(params)["bf16"]
    total = weights.value
    return {"value": weights,
            "card_share": Estimate(total / gpu_memory, "fraction", f"{fmt_bytes_gib(total)} / {fmt_bytes_gib(gpu_memory)} "
                                   f"= {fmt_share(total / gpu_memory)}", ("arithmetic",))}


@estimator("value", "total", "reference_per_gpu", cites=("pt-fsdp", "zero"))
def sharded_states_on_fewer_gpus(params: float, gpus: int, reference_gpus: int) -> dict[str, Estimate]:
    """Each GPU's share of a full AdamW run's states (16 B/param, fp32 under autocast too) that ZeRO-3 or FSDP shard:
    on the user's GPUs and on the reference's more - per-GPU memory of a sharded run is not the same on fewer GPUs."""
    if params <= 0 or gpus < 1 or reference_gpus <= gpus:
        raise NotComputable("needs a parameter count and a reference on more GPUs than the run")
    total = params * 16
    mine, theirs = total / gpus, total / reference_gpus
    return {"value": Estimate(mine, "bytes", f"{fmt_count(params)} params × 16 B / {gpus} GPUs = {fmt_bytes_gib(mine)}",
                              ("pt-fsdp", "zero")),
            "total": Estimate(total, "bytes", f"{fmt_count(params)} params × 16 B = {fmt_bytes_gib(total)}", ("zero",)),
            "reference_per_gpu": Estimate(theirs, "bytes", f"{fmt_bytes_gib(total)} / {reference_gpus} GPUs = "
                                                           f"{fmt_bytes_gib(theirs)}", ("pt-fsdp", "zero"))}


@estimator(cites=("trl-reference-model", "dpo"))
def reference_model_bytes(params: float, precision: str = "amp_bf16") -> dict[str, Estimate]:
    """DPO and KTO score every pair with a frozen copy of the starting model as well: its weights only (no
    gradients, no optimizer state), in 16 bits unless the run is fp32."""
    per_param = 4 if precision == "fp32" else 2
    total = params * per_param
    return {"value": Estimate(total, "bytes", f"{fmt_count(params)} params × {per_param} B (frozen, "
                                              f"{'fp32' if per_param == 4 else '16-bit'}) = {fmt_bytes_gib(total)}",
                              ("trl-reference-model", "dpo"))}


@estimator(cites=("zero", "pt-fsdp"))
def sharded_share(total: float, num_gpus: float) -> dict[str, Estimate]:
    """Each GPU's share of a whole copy of something ZeRO-3 or FSDP's full shard splits over the GPUs (a DPO
    reference model prepared with the trained one)."""
    if total <= 0 or num_gpus < 2:
        raise NotComputable("the copy must be positive and the GPUs more than one")
    each = total / num_gpus
    return {"value": Estimate(each, "bytes", f"{fmt_bytes_gib(total)} / {fmt_sig(num_gpus)} GPUs = {fmt_bytes_gib(each)}",
                              ("zero", "pt-fsdp"))}


@estimator(cites=("diffusers-ema",))
def ema_weights_bytes(params: float, precision: str = "amp_bf16") -> dict[str, Estimate]:
    """An exponential moving average of the weights (`--use_ema`) keeps a shadow copy of every trained weight on the
    GPU, in the weights' own dtype: fp32 under mixed precision, 16-bit only when the weights themselves are."""
    per_param = 2 if precision in ("bf16", "fp16") else 4
    total = params * per_param
    return {"value": Estimate(total, "bytes", f"{fmt_count(params)} params × {per_param} B (a shadow copy of the "
                              f"weights) = {fmt_bytes_gib(total)}", ("diffusers-ema",))}


@estimator("adam", "momentum", cites=MEMORY_SOURCES)
def adam_and_sgd_states(params: float) -> dict[str, Estimate]:
    """The optimizer state Adam keeps (two fp32 moments) against SGD with momentum (one buffer): what changing
    one for the other adds to or frees from every step's peak."""
    if params <= 0:
        raise NotComputable("the parameter count must be positive")
    adam, momentum = params * OPTIMIZER_STATE["adam"], params * OPTIMIZER_STATE["sgd_momentum"]
    return {"adam": Estimate(adam, "bytes", f"{fmt_count(params)} params × 8 B (two fp32 moments) = "
                             f"{fmt_bytes_gib(adam)}", MEMORY_SOURCES),
            "momentum": Estimate(momentum, "bytes", f"{fmt_count(params)} params × 4 B (one momentum buffer) = "
                                 f"{fmt_bytes_gib(momentum)}", MEMORY_SOURCES)}


WEIGHTS_MATCH = 0.08  # within 8% of the weights in a dtype: a parameter count said rounded ("~3B") is that far off


@estimator(cites=("hf-anatomy", "arithmetic"))
def weights_copy_allocation(allocation: float, params: float) -> dict[str, Estimate]:
    """Whether the allocation an OOM error reports is one whole copy of the weights (params × 4 B or × 2 B): a
    flat buffer FSDP, DeepSpeed or a wrapper builds of every parameter at once, or the model moved in one piece -
    not an activation."""
    for nbytes, kind in ((4, "fp32"), (2, "16-bit")):
        size = params * nbytes
        if allocation > 0 and abs(allocation - size) <= WEIGHTS_MATCH * size:
            text = (f"{fmt_count(params)} params × {nbytes} B = {fmt_bytes_gib(size)}: one {kind} copy of all the "
                    f"weights")
            return {"value": Estimate(text, None, text, ("hf-anatomy", "arithmetic"))}
    raise NotComputable("the allocation is no whole copy of the weights")


@estimator(cites=("arithmetic",))
def allocation_as_weights(allocation: float) -> dict[str, Estimate]:
    """The parameter counts whose every weight at once is the allocation an OOM error reports: allocation / 4 B
    (an fp32 copy) and / 2 B (a 16-bit one), for the user to hold against their model's size."""
    if allocation <= 0:
        raise NotComputable("no allocation")
    text = (f"{fmt_bytes_gib(allocation)} is {fmt_count(allocation / 4)} parameters × 4 B in fp32, or "
            f"{fmt_count(allocation / 2)} × 2 B in 16 bits")
    return {"value": Estimate(text, None, text, ("arithmetic",))}


@estimator("ratio", "whole", "shard", cites=("arithmetic", "zero"))
def measured_as_whole_weights(measured_use: float, params: float, num_gpus: float) -> dict[str, Estimate]:
    """The memory a sharded run measured on one GPU over a whole 16-bit copy of the weights (params × 2 B; near 1,
    each GPU holds the whole model), the copy, and the 1/N shard of it each GPU should hold."""
    if measured_use <= 0 or params <= 0 or num_gpus < 2:
        raise NotComputable("no measurement, no parameter count or one GPU")
    whole = params * 2
    ratio = measured_use / whole
    said = f"{fmt_count(params)} × 2 B = {fmt_bytes_gib(whole)}"
    return {"ratio": Estimate(ratio, "multiplier", f"{fmt_bytes_gib(measured_use)} measured / ({said}) = "
                              f"{fmt_sig(ratio, 3)}×", ("arithmetic",)),
            "whole": Estimate(whole, "bytes", said, ("arithmetic",)),
            "shard": Estimate(whole / num_gpus, "bytes", f"{fmt_bytes_gib(whole)} / {fmt_sig(num_gpus)} GPUs = "
                              f"{fmt_bytes_gib(whole / num_gpus)}", ("arithmetic", "zero"))}


@estimator("batch", "measured", "room_per_sample", "worst", "surely_fits", "per_sample", "peak", "fits",
           cites=("memexp-affine", "arithmetic"))
def asked_batch_from_use(asked: float, gpu_memory: float, measured_use: float | None = None, peaks: list | None = None,
                         batch: float | None = None, num_gpus: float | None = None, at_one: float | None = None,
                         at_one_sample: float | None = None, safety_margin: float = 0.1) -> dict[str, Estimate]:
    """A larger batch the user asks about ("it uses 15.8GB at batch 2 - can I go to 4?"), from the memory they
    measured on one GPU. Peak memory is affine in the batch (memexp-affine): through two measured batches the line
    gives it; from one, every added sample has to fit in what the card has left, (card − measured) / (asked −
    batch), and with the part that does not grow with the batch counted (the plan at micro-batch 1 less its one
    sample) the rest of the measurement is `batch` samples' activations: measured + (asked − batch) × that share."""
    if (num_gpus or 1) > 1:
        raise NotComputable("a batch asked about on several GPUs may be each GPU's or the total")
    points = sorted({float(b): float(m) for b, m in peaks or ()}.items())
    usable = gpu_memory * (1 - safety_margin)
    if len(points) >= 2:
        fixed, slope = fit_line(points)
        if slope <= 0:
            raise NotComputable("the measurements do not grow with the batch")
        batch, measured_use = points[-1]
        if asked <= batch:
            raise NotComputable("no batch asked above the largest measured")
        peak = fixed + slope * asked
        shown = ", ".join(f"{fmt_sig(b)}→{fmt_bytes_gib(m)}" for b, m in points)
        return {"batch": Estimate(batch, "count", "", ("arithmetic",)),
                "measured": Estimate(measured_use, "bytes", f"measured at batch {fmt_sig(batch)}", ("arithmetic",)),
                "per_sample": Estimate(slope, "bytes", f"slope of ({shown}) = {fmt_bytes_gib(slope)} per sample",
                                       ("memexp-affine",)),
                "peak": Estimate(peak, "bytes", f"{fmt_bytes_gib(fixed)} + {fmt_sig(asked)} × {fmt_bytes_gib(slope)} = "
                                 f"{fmt_bytes_gib(peak)}", ("memexp-affine", "arithmetic")),
                "room_per_sample": Estimate(max(gpu_memory - measured_use, 0.0) / (asked - batch), "bytes",
                                            "what the card has left per added sample", ("arithmetic",)),
                "fits": Estimate(peak <= usable, None, f"{fmt_bytes_gib(peak)} against {fmt_bytes_gib(usable)} usable",
                                 ("arithmetic",))}
    if len(points) == 1:
        batch, measured_use = points[0]
    if not batch or not measured_use or asked <= batch:
        raise NotComputable("no larger batch asked over one the user measured")
    added = asked - batch
    room = max(gpu_memory - measured_use, 0.0)
    # at most every byte measured grows with the batch (nothing fixed): the most the asked batch can need
    worst = measured_use * asked / batch
    out = {"batch": Estimate(batch, "count", "", ("arithmetic",)),
           "worst": Estimate(worst, "bytes", f"{fmt_bytes_gib(measured_use)} × {fmt_sig(asked)} / {fmt_sig(batch)} = "
                             f"{fmt_bytes_gib(worst)}", ("memexp-affine", "arithmetic")),
           "surely_fits": Estimate(worst <= usable, None, f"{fmt_bytes_gib(worst)} against {fmt_bytes_gib(usable)} "
                                   "usable", ("arithmetic",)),
           "measured": Estimate(measured_use, "bytes", f"measured at batch {fmt_sig(batch)}", ("arithmetic",)),
           "room_per_sample": Estimate(room / added, "bytes",
                                       f"({fmt_card(gpu_memory)} − {fmt_bytes_gib(measured_use)} measured) / "
                                       f"({fmt_sig(asked)} − {fmt_sig(batch)}) = {fmt_bytes_gib(room / added)} "
                                       "per added sample", ("arithmetic",))}
    if at_one is None:
        return out
    fixed = at_one - (at_one_sample or 0.0)
    if not 0 < fixed < measured_use:
        return out  # (the count's fixed part above what was measured: it assumed what the run does not do)
    per_sample = (measured_use - fixed) / batch
    peak = measured_use + added * per_sample
    out["per_sample"] = Estimate(per_sample, "bytes", f"({fmt_bytes_gib(measured_use)} measured − "
                                 f"{fmt_bytes_gib(fixed)} that does not grow with the batch) / {fmt_sig(batch)} = "
                                 f"{fmt_bytes_gib(per_sample)} per sample", ("memexp-affine", "arithmetic"))
    out["peak"] = Estimate(peak, "bytes", f"{fmt_bytes_gib(measured_use)} + ({fmt_sig(asked)} − {fmt_sig(batch)}) × "
                           f"{fmt_bytes_gib(per_sample)} = {fmt_bytes_gib(peak)}", ("memexp-affine", "arithmetic"))
    out["fits"] = Estimate(peak <= usable, None, f"{fmt_bytes_gib(peak)} against {fmt_bytes_gib(usable)} usable "
                           f"({fmt_share(1 - safety_margin)} of {fmt_card(gpu_memory)})", ("arithmetic",))
    return out


@estimator("reserved", "left", cites=("vllm-gpu-util",))
def rollout_reservation(gpu_memory: float, share: float) -> dict[str, Estimate]:
    """What a colocated vLLM engine takes of each card (gpu_memory_utilization × the card) and what it leaves."""
    if not 0 < share <= 1:
        raise NotComputable(f"gpu_memory_utilization {fmt_sig(share)} is not a share of the card")
    reserved = gpu_memory * share
    left = gpu_memory - reserved
    said = f"{fmt_card(gpu_memory)} × {fmt_share(share)}"
    return {"reserved": Estimate(reserved, "bytes", f"{said} = {fmt_bytes_gib(reserved)}", ("vllm-gpu-util",)),
            "left": Estimate(left, "bytes", f"{fmt_card(gpu_memory)} − {fmt_bytes_gib(reserved)} = "
                                            f"{fmt_bytes_gib(left)}", ("vllm-gpu-util",))}


@estimator("cap", "weights", "left", cites=("vllm-gpu-util", "arithmetic"))
def serving_cache_budget(gpu_memory: float, share: float, params: float,
                         model_parallel_gpus: float = 1, weight_bits: float = 16) -> dict[str, Estimate]:
    """What a serving engine's cap leaves for its KV cache on each card: gpu_memory_utilization × the card, less the
    weights at their width (16 bits unless a quantized checkpoint is said: an AWQ 4-bit one is a quarter - review 72
    #1) - each card's 1/N of them under N-way tensor parallelism (--tensor-parallel-size 4: review 66 #28) - before
    the activations' profiled peak and CUDA graphs, which come out of it too."""
    if not 0 < share <= 1 or gpu_memory <= 0 or params <= 0 or model_parallel_gpus < 1 or not 2 <= weight_bits <= 32:
        raise NotComputable("the share, the card, the model, the weights' width and the GPUs must be positive")
    split = int(model_parallel_gpus)
    cap, weights = gpu_memory * share, params * weight_bits / 8 / split
    src = ("vllm-gpu-util", "arithmetic")
    said = f"{fmt_sig(params / 1e9)}B parameters × {fmt_sig(weight_bits / 8)} B" \
        + (f" / {split} GPUs (tensor parallel)" if split > 1 else "")
    return {"cap": Estimate(cap, "bytes", f"{fmt_card(gpu_memory)} × {fmt_share(share)} = {fmt_bytes_gib(cap)}", src),
            "weights": Estimate(weights, "bytes", f"{said} = {fmt_bytes_gib(weights)}", src),
            "left": Estimate(cap - weights, "bytes", f"{fmt_bytes_gib(cap)} − {fmt_bytes_gib(weights)} = "
                                                     f"{fmt_bytes_gib(cap - weights)}", src)}


def _decoder_kv(model: str):
    """A catalogue decoder's spec and the KV cache one token keeps in 16 bits: 2 (keys, values) × layers × KV heads ×
    head width × 2 bytes (NotComputable for a model without a decoder's shapes)."""
    from advisor.domain.catalogue import preset
    from advisor.errors import InputError

    try:
        spec = preset(model)
    except InputError as exc:
        raise NotComputable(str(exc)) from None
    if not (spec.n_layers and spec.n_heads and spec.head_dim) or spec.arch_kind not in ("decoder", "moe-decoder"):
        raise NotComputable(f"no decoder shapes for {model}")
    return spec, 2 * spec.n_layers * (spec.n_kv_heads or spec.n_heads) * spec.head_dim * 2


@estimator("per_token", "weights", "tokens", cites=("vllm-paged-attention", "arithmetic"))
def kv_cache_budget(model: str, gpu_memory: float, weight_bits: float = 16, num_gpus: float = 1,
                    model_parallel_gpus: float = 1) -> dict[str, Estimate]:
    """Serving a catalogue transformer: its KV cache per token in 16 bits (keys and values at every layer: 2 × layers
    × KV heads × head width × 2 bytes), its weights at `weight_bits`, and the tokens the rest of the memory holds -
    the budget concurrency × context shares, before the prefill's activations, CUDA graphs and the CUDA context take
    their part. The memory is the `model_parallel_gpus` cards' the engine is told to shard the model over
    (--tensor-parallel-size 2: review 72 #2); else one card's where the weights fit one (a copy on each), else all
    `num_gpus` cards' (tensor parallelism splits the weights and the KV heads alike)."""
    spec, per_token = _decoder_kv(model)
    if gpu_memory <= 0 or not 2 <= weight_bits <= 32:
        raise NotComputable("the card and the weights' width must be positive")
    kv_heads = spec.n_kv_heads or spec.n_heads
    weights = spec.params * weight_bits / 8
    cards = int(model_parallel_gpus) if model_parallel_gpus > 1 else 1 if weights < gpu_memory else max(1, int(num_gpus))
    memory = gpu_memory * cards
    left = memory - weights
    if left <= 0:
        raise NotComputable("the weights alone fill the memory")
    tokens = left / per_token
    src = ("vllm-paged-attention", "arithmetic")
    held = fmt_card(gpu_memory) if cards == 1 else f"{cards} × {fmt_card(gpu_memory)}"
    return {"per_token": Estimate(per_token, "bytes", f"2 (keys, values) × {spec.n_layers} layers × {kv_heads} KV heads "
                                  f"× {spec.head_dim} × 2 B = {fmt_sig(per_token / 2**20, 3)} MiB", src),
            "weights": Estimate(weights, "bytes", f"{fmt_count(spec.params)} params × {fmt_sig(weight_bits / 8)} B = "
                                f"{fmt_bytes_gib(weights)}", src),
            "tokens": Estimate(tokens, "count", f"({held} − {fmt_bytes_gib(weights)}) / "
                               f"{fmt_sig(per_token / 2**20, 3)} MiB = {fmt_count(tokens)} tokens", src)}


GGUF_Q4_BITS = 4.5  # Q4_K_M's bits a weight, on average (its super-blocks carry 6-bit scales beside the 4-bit values)


@estimator("weights", "rest", "tokens", cites=("llamacpp-server-slots", "arithmetic"))
def gguf_memory_beyond_weights(model: str, measured: float) -> dict[str, Estimate]:
    """A GGUF runtime's measured memory against its 4-bit weights ("ollama ps: 34 GB for Qwen3-14B Q4_K_M"): what is
    beyond the weights is the KV cache of the context × the parallel slots (and compute buffers), in tokens of the
    model's 16-bit KV cache."""
    spec, per_token = _decoder_kv(model)
    weights = spec.params * GGUF_Q4_BITS / 8
    rest = measured - weights
    if rest <= 0:
        raise NotComputable("the measured memory is no more than the weights")
    src = ("llamacpp-server-slots", "arithmetic")
    return {"weights": Estimate(weights, "bytes", f"{fmt_count(spec.params)} params × {GGUF_Q4_BITS} bits = "
                                f"{fmt_bytes_gib(weights)}", src),
            "rest": Estimate(rest, "bytes", f"{fmt_bytes_gib(measured)} − {fmt_bytes_gib(weights)} = {fmt_bytes_gib(rest)}",
                             src),
            "tokens": Estimate(rest / per_token, "count", f"{fmt_bytes_gib(rest)} / {fmt_sig(per_token / 2**20, 3)} MiB a "
                               f"token = {fmt_count(rest / per_token)} tokens", src)}


VLLM_BLOCK_TOKENS = 16  # vLLM's default --block-size: the tokens one block of its KV cache holds


@estimator("tokens", cites=("vllm-tp-kv-heads", "arithmetic"))
def kv_blocks_tokens(blocks: float) -> dict[str, Estimate]:
    """The tokens a vLLM engine's "# GPU blocks" hold at its default block of 16 tokens."""
    if blocks < 1:
        raise NotComputable("the blocks must be at least one")
    tokens = int(blocks) * VLLM_BLOCK_TOKENS
    return {"tokens": Estimate(tokens, "count", f"{int(blocks)} blocks × {VLLM_BLOCK_TOKENS} tokens a block = {tokens} "
                                                "tokens", ("vllm-tp-kv-heads", "arithmetic"))}


@estimator("tokens", "bytes", "patch_tokens", cites=("arithmetic",))
def pixel_attention(dims: str) -> dict[str, Estimate]:
    """Self-attention with a token for every pixel of an image 'H x W': H·W tokens, one head's fp32 scores (H·W)² × 4
    bytes, and the tokens 16 × 16 patches (a ViT's) would make instead."""
    parts = [p for p in re.split(r"\s*[x×*]\s*", dims.strip().lower()) if p]
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise NotComputable(f"not an image size: {dims!r}")
    h, w = int(parts[0]), int(parts[1])
    tokens = h * w
    scores = dense_square_bytes(tokens)["value"]  # (one head's scores: a dense tokens × tokens matrix in fp32)
    src = ("arithmetic",)
    return {"tokens": Estimate(tokens, "count", f"{h} × {w} = {tokens:,} tokens, one a pixel", src),
            "bytes": Estimate(scores.value, "bytes", f"{scores.formula} per head", src),
            "patch_tokens": Estimate(tokens / 256, "count", f"{tokens:,} / (16 × 16) = {fmt_count(tokens / 256)} "
                                     "patch tokens", src)}


@estimator(cites=("arithmetic",))
def dense_square_bytes(side: float, bytes_per_value: float = 4) -> dict[str, Estimate]:
    """A dense side × side matrix (a graph's adjacency or attention over all its nodes) in fp32."""
    if side <= 0:
        raise NotComputable("the side must be positive")
    value = side * side * bytes_per_value
    return {"value": Estimate(value, "bytes", f"{fmt_count(side)}² × {fmt_sig(bytes_per_value)} B = "
                                              f"{fmt_bytes_gib(value)}", ("arithmetic",))}


NF4_BLOCK = 64  # QLoRA: one absmax quantisation constant per 64 weights
DQ_BLOCK = 256  # double quantisation: the absmax constants in 8 bits, one fp32 constant per 256 of them


def quantization_constant_bytes(base_bits: float, double_quant: bool = True, row_width: int = 0) -> tuple[float, str]:
    """Bytes per quantised weight for the quantisation constants: NF4 (QLoRA) one fp32 absmax per 64 weights, or
    with double quantisation an 8-bit absmax per 64 plus one fp32 per 256 blocks; LLM.int8 one fp32 scale per
    output row (4 / row width, when the width is known)."""
    if base_bits == 4:
        if double_quant:
            per = 1 / NF4_BLOCK + 4 / (NF4_BLOCK * DQ_BLOCK)
            return per, f"double-quantised NF4 constants 1/{NF4_BLOCK} + 4/({NF4_BLOCK}·{DQ_BLOCK}) = {per:.4f} B"
        per = 4 / NF4_BLOCK
        return per, f"NF4 constants 4/{NF4_BLOCK} = {per:.4f} B"
    if base_bits == 8 and row_width:
        return 4 / row_width, f"int8 row scales 4/{row_width} B"
    return 0.0, ""


def frozen_base_bytes(params: float, base_bits: float, unquantized: float = 0, double_quant: bool = True,
                      row_width: int = 0) -> tuple[float, str]:
    """A frozen base at `base_bits` per quantised weight plus its quantisation constants; `unquantized` parameters
    (embeddings, LM head, norms, biases: bitsandbytes quantises only the linear layers) stay in 16 bits."""
    if base_bits >= 16:
        return params * base_bits / 8, f"{fmt_count(params)} × {fmt_sig(base_bits / 8)} B"
    quantized = params - unquantized
    const, const_txt = quantization_constant_bytes(base_bits, double_quant, row_width)
    per = base_bits / 8 + const
    total = quantized * per + unquantized * 2
    formula = f"{fmt_count(quantized)} quantised × ({fmt_sig(base_bits / 8)} B" + (f" + {const_txt}" if const_txt else "") + ")"
    formula += (f" + {fmt_count(unquantized)} embeddings/head/norms at 2 B" if unquantized else
                " (embeddings and LM head stay 16-bit: not known from a parameter count, not included)")
    return total, formula


@estimator(cites=("lora", "qlora") + MEMORY_SOURCES)
def adapter_state_bytes(params: float, base_bits: float, adapter_fraction: float, optimizer: str = "adamw",
                        precision: str = "amp_bf16", model: str = "", double_quant: bool = True,
                        lora_adapter_share: float | None = None) -> dict[str, Estimate]:
    """LoRA/QLoRA: a frozen base stored at `base_bits` per weight (no grads, no optimizer state) plus adapters
    of `adapter_fraction` × params trained in full (the share counted from the rank and the layers, where known).
    A 4-bit base adds its NF4 quantisation constants (QLoRA §3); with a catalogue `model`, its embeddings, LM head
    and norms are counted at 16 bits (they are not quantised)."""
    adapter_fraction = lora_adapter_share or adapter_fraction
    if not 0 < adapter_fraction < 1:
        raise NotComputable("adapter_fraction must be between 0 and 1")
    per_param, _ = bytes_per_param(precision, optimizer)
    unquantized, row = 0, 0
    if model and base_bits < 16:
        from advisor.domain.catalogue import preset
        from advisor.domain.estimators.training import linear_weight_params
        from advisor.errors import InputError

        try:
            spec = preset(model)
        except InputError as exc:
            raise NotComputable(str(exc)) from None
        linear = linear_weight_params(spec)
        if linear:
            unquantized, row = spec.params - linear, spec.d_model
            params = spec.params
    base, base_formula = frozen_base_bytes(params, base_bits, unquantized, double_quant, row)
    adapters = params * adapter_fraction * per_param
    formula = (f"frozen base {base_formula} = {fmt_bytes_gib(base)}; adapters "
               f"{fmt_sig(adapter_fraction * 100)}% × {fmt_count(params)} × {fmt_sig(per_param)} B = "
               f"{fmt_bytes_gib(adapters)} → {fmt_bytes_gib(base + adapters)}")
    return {"value": Estimate(base + adapters, "bytes", formula, ("lora", "qlora") + MEMORY_SOURCES)}


LORA_TARGET_WORDS = {"all_linear": "every linear layer", "attention": "the attention projections (q, k, v, o)",
                     "qv": "q and v"}


@estimator(cites=("lora", "peft-lora-config"))
def lora_adapter_share(model: str, lora_rank: int, lora_targets: str | None = None,
                       rank_unsaid: bool = False) -> dict[str, Estimate]:
    """The share of a catalogue model's parameters LoRA trains at rank r on the layers it targets (unsaid: all
    linear layers of its blocks, PEFT's 'all-linear', the most it can be): r × (d_in + d_out) per matrix (LoRA §4.1).
    `rank_unsaid`: the layers were said but not the rank, which is then PEFT's (and LLaMA-Factory's) default r=8."""
    from advisor.domain.catalogue import preset
    from advisor.domain.estimators.training import lora_adapter_params
    from advisor.errors import InputError

    try:
        spec = preset(model)
    except InputError as exc:
        raise NotComputable(str(exc)) from None
    targets = lora_targets or "all_linear"
    adapters = lora_adapter_params(spec, int(lora_rank), targets)
    if not adapters or not spec.params or adapters >= spec.params:
        raise NotComputable(f"no layer shapes for {model} (the adapter share stays the default)")
    share = adapters / spec.params
    formula = (f"rank {int(lora_rank)}" + (" (unsaid: PEFT's default)" if rank_unsaid else "")
               + f" on {LORA_TARGET_WORDS[targets]} of the {spec.n_layers} blocks"
               + ("" if lora_targets else " (the layers unsaid: the most there can be)")
               + f": {fmt_count(adapters)} adapter parameters of {fmt_count(spec.params)} = {fmt_share(share)}")
    return {"value": Estimate(share, "fraction", formula, ("lora", "peft-lora-config") if rank_unsaid else ("lora",))}


@estimator(cites=("lora", "arithmetic"))
def adapter_share_counted(adapter_params: float, params: float | None = None) -> dict[str, Estimate]:
    """The adapters' share of the parameters from the count a trainer printed ("trainable params: 408,944,640")
    over the model's: exact, whatever the rank and the layers targeted."""
    if not params or params <= 0 or adapter_params <= 0 or adapter_params >= params:
        raise NotComputable("no model size, or a count that is no share of it")
    share = adapter_params / params
    formula = f"{fmt_count(adapter_params)} trainable of {fmt_count(params)} = {fmt_share(share)}"
    return {"value": Estimate(share, "fraction", formula, ("arithmetic",))}


@estimator(cites=("lora", "arithmetic"))
def lora_adapter_share_by_size(lora_rank: int, params: float | None = None,
                               lora_targets: str | None = None) -> dict[str, Estimate]:
    """The share LoRA trains at rank r for a model the catalogue does not name: counted on the layers of the
    catalogue's decoder nearest in size (within 1.5×; "Qwen1.5-72B" on Qwen2.5-72B's): a transformer's width grows
    with its size, so the share at one rank falls with it, and a default 1% share is 2% too few for r=128 on every
    layer of a 72B. A heuristic: the architectures may differ (grouped-query attention, the MLP's width)."""
    from advisor.domain.catalogue import catalogue_entry, preset, preset_names
    from advisor.domain.estimators.training import lora_adapter_params

    if not params or params <= 0 or lora_rank < 1:
        raise NotComputable("no parameters or no rank")
    decoders = [preset(name) for name in preset_names() if catalogue_entry(name).get("arch_kind", "") in ("", "decoder")]
    near = [spec for spec in decoders if spec.arch_kind == "decoder" and spec.params
            and max(spec.params, params) / min(spec.params, params) <= 1.5]
    if not near:
        raise NotComputable("no decoder in the catalogue near this size")
    spec = min(near, key=lambda m: (abs(math.log(m.params / params)), m.name))
    targets = lora_targets or "all_linear"
    adapters = lora_adapter_params(spec, int(lora_rank), targets)
    if not adapters or adapters >= spec.params:
        raise NotComputable(f"no layer shapes for {spec.name}")
    share = adapters / spec.params
    formula = (f"rank {int(lora_rank)} on {LORA_TARGET_WORDS[targets]} of {spec.name}, the catalogue's decoder "
               f"nearest {fmt_count(params)}: {fmt_count(adapters)} adapter parameters of {fmt_count(spec.params)} = "
               f"{fmt_share(share)}")
    return {"value": Estimate(share, "fraction", formula, ("lora", "arithmetic"), heuristic=True)}


OFFLOAD_CPU_BYTES = 4 + 4  # fp32 master weights and fp32 gradients on the CPU, plus the optimizer's fp32 state
DEEPSPEED_BUFFER_FACTOR = 1.5  # additional_buffer_factor of DeepSpeed's estimate_zero2_model_states_mem_needs


@estimator("value", "cpu", "cpu_buffered", cites=("zero", "zero-offload", "deepspeed-memory"))
def offload_gpu_state_bytes(params: float, optimizer: str = "adamw") -> dict[str, Estimate]:
    """Optimizer offload (ZeRO-Offload, DeepSpeed bf16/fp16 mode): the GPU keeps 16-bit weights and 16-bit
    gradients (4 B/param); the CPU holds fp32 master weights, fp32 gradients and the optimizer state - 16 B/param
    for Adam, × 1.5 for buffers in DeepSpeed's own estimator."""
    if optimizer not in OPTIMIZER_STATE:
        raise NotComputable(f"unknown optimizer {optimizer!r}")
    total = params * 4
    per_cpu = OFFLOAD_CPU_BYTES + OPTIMIZER_STATE[optimizer]
    cpu = params * per_cpu
    formula = f"{fmt_count(params)} × (2 bf16 weights + 2 bf16 grads) B on the GPU = {fmt_bytes_gib(total)}"
    cpu_formula = (f"{fmt_count(params)} × (4 fp32 master + 4 fp32 grads + {fmt_sig(OPTIMIZER_STATE[optimizer])} {optimizer} state) "
                   f"= {fmt_sig(per_cpu)} B/param = {fmt_bytes_gib(cpu)} of CPU RAM")
    src = ("zero", "zero-offload")
    return {"value": Estimate(total, "bytes", formula, src),
            "cpu": Estimate(cpu, "bytes", cpu_formula, src + ("deepspeed-memory",)),
            "cpu_buffered": Estimate(cpu * DEEPSPEED_BUFFER_FACTOR, "bytes",
                                     f"{cpu_formula} × {DEEPSPEED_BUFFER_FACTOR} (DeepSpeed's additional_buffer_factor) = "
                                     f"{fmt_bytes_gib(cpu * DEEPSPEED_BUFFER_FACTOR)}", ("deepspeed-memory",))}


@estimator("value", "peak", "ranks", cites=("hf-big-models",))
def host_load_bytes(params: float, num_gpus: float = 1, num_nodes: float = 1) -> dict[str, Estimate]:
    """Host RAM the processes of one machine use to load the model before it reaches a GPU: every data-parallel
    process loads the whole model on the CPU (fp32 unless a 16-bit dtype is asked for), and the usual loading path
    holds two copies while it builds the model and reads the weights (Hugging Face, "Instantiate a big model")."""
    ranks = max(1, int(num_gpus // max(1, num_nodes)))
    one = params * 4 * ranks
    formula = f"{fmt_count(params)} params × 4 B (fp32) × {ranks} process(es) on the machine = {fmt_bytes_gib(one)}"
    return {"value": Estimate(one, "bytes", formula, ("hf-big-models",)),
            "peak": Estimate(2 * one, "bytes", f"{formula} × 2 (the model built, then the weights loaded) = "
                             f"{fmt_bytes_gib(2 * one)}", ("hf-big-models",)),
            "ranks": Estimate(ranks, "count", "processes on one machine, each loading its own copy", ("hf-big-models",))}


@estimator("fp32", "bf16", "int8", "int4", cites=("hf-big-models", "arithmetic"))
def loaded_weights_bytes(params: float) -> dict[str, Estimate]:
    """The weights alone, as a GPU holds them once loaded, in each width they are commonly loaded in (fp32, 16-bit,
    8-bit, 4-bit): what an OOM while loading the model, before any batch, has to fit (quantization's per-block
    constants, a few percent, aside)."""
    out = {}
    widths = (("fp32", 4, "fp32"), ("bf16", 2, "bf16/fp16"), ("int8", 1, "8-bit"), ("int4", 0.5, "4-bit"))
    for key, width, label in widths:
        value = params * width
        out[key] = Estimate(value, "bytes", f"{fmt_count(params)} params × {fmt_sig(width)} B ({label}) = "
                            f"{fmt_bytes_gib(value)}", ("arithmetic",))
    return out


@estimator(cites=("arithmetic",))
def batch_of_items(items: float, item_bytes: float) -> dict[str, Estimate]:
    """A batch's memory from a tool's figure for each item (256 items × 50 MB = 12.8 GB)."""
    if items < 1 or item_bytes <= 0:
        raise NotComputable("needs a batch and each item's memory")
    total = items * item_bytes
    return {"value": Estimate(total, "bytes", f"{fmt_sig(items)} items × {fmt_bytes(item_bytes)} = {fmt_bytes(total)}",
                              ("arithmetic",))}


@estimator("w16", "w8", "w4", "full", cites=("hf-big-models", "zero", "arithmetic"))
def requirements_by_use(params: float) -> dict[str, Estimate]:
    """What a model's parameters alone need for each way of using it ("What GPU do I need to run Llama-2-13B?",
    "minimum VRAM for inference and fine-tuning?"): its weights in 16, 8 and 4 bits - inference, and the frozen base of
    LoRA or QLoRA - and a full fine-tune's 16 bytes a parameter under AdamW in mixed precision (ZeRO paper's 2 + 2 + 12:
    16-bit weights and gradients, fp32 master weights and Adam's two moments). Activations, the KV cache and the
    adapters' own states come on top."""
    if params <= 0:
        raise NotComputable("needs a parameter count")
    out = loaded_weights_bytes(params)
    full = params * 16
    return {"w16": out["bf16"], "w8": out["int8"], "w4": out["int4"],
            "full": Estimate(full, "bytes", f"{fmt_count(params)} params × 16 B (16-bit weights and gradients, fp32 master "
                                            f"weights and Adam's two moments) = {fmt_bytes_gib(full)}", ("zero",))}


@estimator("on_one", "per_gpu", cites=("hf-big-models", "arithmetic"))
def weights_split_over_machine(params: float, gpus: int, adapter: str = "") -> dict[str, Estimate]:
    """The weights a run loads whole onto one of the machine's GPUs, and each GPU's share once device_map="auto"
    splits the layers over all of them: 4-bit under QLoRA, else 16-bit (how adapters' bases and inference load)."""
    if gpus < 2 or params <= 0:
        raise NotComputable("needs a machine of several GPUs and a parameter count")
    width, label = (0.5, "4-bit") if adapter == "qlora" else (2, "16-bit")
    whole = params * width
    return {"on_one": Estimate(whole, "bytes", f"{fmt_count(params)} params × {fmt_sig(width)} B ({label}) = "
                                               f"{fmt_bytes_gib(whole)}", ("arithmetic",)),
            "per_gpu": Estimate(whole / gpus, "bytes", f"{fmt_bytes_gib(whole)} / {gpus} GPUs = "
                                                       f"{fmt_bytes_gib(whole / gpus)}", ("hf-big-models",))}


# the widths weights are held in, each with its name: what a memory figure equal to the weights says was alive
WEIGHT_WIDTHS = ((4, "fp32"), (2, "16-bit"), (1, "8-bit"), (0.5, "4-bit"))


@estimator("bytes_per_param", "width", cites=("arithmetic",))
def measured_as_weights(measured: float, params: float) -> dict[str, Estimate]:
    """Whether a memory figure the user read (a profile's total) is the weights alone in one width: within 4% of
    params × 4, 2, 1 or 0.5 bytes. Such a figure was taken while nothing but the weights was alive."""
    if params <= 0 or measured <= 0:
        raise NotComputable("no parameters or no figure")
    per = measured / params
    for width, name in WEIGHT_WIDTHS:
        if abs(per - width) <= 0.04 * width:
            formula = (f"{fmt_bytes_gib(measured)} / {fmt_count(params)} params = {fmt_sig(per, 3)} B a parameter: the "
                       f"weights alone in {name} ({fmt_sig(width)} B each)")
            return {"bytes_per_param": Estimate(width, None, formula, ("arithmetic",)),
                    "width": Estimate(name, None, formula, ("arithmetic",))}
    raise NotComputable(f"{fmt_sig(per, 3)} bytes a parameter is no width weights are held in")


# the recipes a quoted figure is usually for, each with what it keeps per parameter before activations (the
# training ones as bytes_per_param counts them, so the figures agree with the plan's)
QUOTED_RECIPES = (("amp_bf16", "adamw", "a full fine-tune's states with AdamW in mixed precision"),
                  ("fp32", "adamw", "a full fine-tune's states with AdamW in fp32"),
                  ("bf16", "adamw", "a full fine-tune's states in pure bf16 (AdamW's moments in bf16 too)"),
                  ("bf16", "adamw_8bit", "a full fine-tune's states in pure bf16 with an 8-bit Adam"),
                  (2, None, "the 16-bit weights alone (inference, or a frozen LoRA base)"),
                  (0.5, None, "the 4-bit weights alone (a QLoRA base)"))


ACTIVATIONS_ON_TOP = 1.3  # a figure up to 30% above a recipe's states is read as those states and a batch's activations


def _recipe_widths() -> list[tuple[float, str]]:
    return [(width if optimizer is None else bytes_per_param(width, optimizer)[0], name)
            for width, optimizer, name in QUOTED_RECIPES]


@estimator("bytes_per_param", "recipe", "full_mixed", "full_bf16", "params", cites=("hf-anatomy", "arithmetic"))
def quoted_as_recipe(quoted: float, params: float | None = None, quoted_params: float | None = None
                     ) -> dict[str, Estimate]:
    """A memory figure a document gives for a model, as bytes a parameter, and the recipe it matches (within 10%):
    what it can have counted. A figure below every full fine-tune's states is per GPU of a sharded run, offloaded,
    or another recipe's. The size said with the figure is the model it is for ("54.3GB for Llama 3.1 8B" while the
    user trains a 3B); else the user's model's."""
    if quoted_params and quoted_params >= 1e7:
        params = quoted_params
    if not params or params <= 0 or quoted <= 0:
        raise NotComputable("no parameters or no figure")
    per = quoted / params
    formula = f"{fmt_bytes_gib(quoted)} / {fmt_count(params)} params = {fmt_sig(per, 3)} B a parameter"
    widths = _recipe_widths()
    match = next((f"what {name} take" for width, name in widths if abs(per - width) <= 0.1 * width), None)
    if match is None:
        above = min((w for w, _ in widths if w > per), default=None)
        below = max((w for w, _ in widths if w < per), default=None)
        named = dict((w, n) for w, n in reversed(widths))
        if above is None:
            match = f"more than {named[below]} take ({fmt_sig(below)} B): those and the activations"
        elif below is None:
            match = f"less than {named[above]} take ({fmt_sig(above)} B)"
        elif per <= ACTIVATIONS_ON_TOP * below:
            # a README's "about 60G for 7B full + fp16" is 9.2 B: pure bf16's 8 B and a batch's activations - a table's
            # figure is a run's peak, not its states alone
            match = f"a little above {named[below]} take ({fmt_sig(below)} B): those and the activations"
        else:
            match = (f"between {named[below]} ({fmt_sig(below)} B) and {named[above]} ({fmt_sig(above)} B): no "
                     "recipe's whole count")
    out = {"bytes_per_param": Estimate(per, None, formula, ("arithmetic",)),
           "recipe": Estimate(match, None, formula, ("hf-anatomy",)),
           "params": Estimate(params, "count", f"{fmt_count(params)} params", ("arithmetic",))}
    for key, (precision, optimizer) in (("full_mixed", ("amp_bf16", "adamw")), ("full_bf16", ("bf16", "adamw"))):
        width = bytes_per_param(precision, optimizer)[0]
        out[key] = Estimate(params * width, "bytes", f"{fmt_count(params)} params × {fmt_sig(width)} B = "
                            f"{fmt_bytes_gib(params * width)}", ("hf-anatomy", "arithmetic"))
    return out


@estimator(cites=("hf-anatomy", "pt-cuda-context", "pt-cuda-allocator"))
def headroom_bytes(gpu_memory: float, fixed_bytes: float, cuda_context: float, safety_margin: float = 0.0) -> dict[str, Estimate]:
    """What is left for activations after the batch-independent memory, the CUDA context and the share of the card
    kept free for fragmentation and longer inputs (the same margin the measured line uses)."""
    usable = gpu_memory * (1 - safety_margin)
    left = usable - fixed_bytes - cuda_context
    card = f"{fmt_card(gpu_memory)}" + (f" × {fmt_share(1 - safety_margin)} ({fmt_share(safety_margin)} kept free)"
                                        if safety_margin else "")
    formula = f"{card} − {fmt_bytes_gib(fixed_bytes)} − {fmt_bytes_gib(cuda_context)} (CUDA context) = {fmt_bytes_gib(left)}"
    return {"value": Estimate(left, "bytes", formula, ("hf-anatomy", "pt-cuda-context") + (("pt-cuda-allocator",) if safety_margin else ()),
                              heuristic=bool(safety_margin))}


@estimator(cites=("pt-cuda-allocator",))
def memory_outside_pytorch(capacity: float, free: float, allocated: float, reserved_unallocated: float = 0.0
                           ) -> dict[str, Estimate]:
    """What PyTorch's out-of-memory error shows held on the card outside the failing process's PyTorch allocator:
    the capacity less what is free and what PyTorch allocated and reserved (another process, or this process's own
    non-PyTorch memory: an inference engine, NCCL, the CUDA context)."""
    outside = capacity - free - allocated - reserved_unallocated
    if outside < 0:
        raise NotComputable("the error's figures do not add up")
    formula = (f"{fmt_bytes_gib(capacity)} − {fmt_bytes_gib(free)} free − {fmt_bytes_gib(allocated)} allocated by "
               f"PyTorch − {fmt_bytes_gib(reserved_unallocated)} reserved by it = {fmt_bytes_gib(outside)}")
    return {"value": Estimate(outside, "bytes", formula, ("pt-cuda-allocator",))}


@estimator("value", "card", cites=("arithmetic",))
def run_share_of_card(allocated: float, free: float) -> dict[str, Estimate]:
    """An out-of-memory error that gives what the failing process's allocator holds and what is left, but not the
    card ("10.647278GB memory has been allocated and available memory is only 108.750000MB", PaddlePaddle): the
    process's share of what the two make up - near all of it, the run itself fills the card."""
    total = allocated + free
    if allocated <= 0 or total <= 0:
        raise NotComputable("the error's figures must be positive")
    return {"value": Estimate(allocated / total, "fraction", f"{fmt_bytes_gib(allocated)} ÷ ({fmt_bytes_gib(allocated)} + "
                                                            f"{fmt_bytes_gib(free)})", ("arithmetic",)),
            "card": Estimate(total, "bytes", f"{fmt_bytes_gib(allocated)} + {fmt_bytes_gib(free)} = {fmt_bytes_gib(total)}",
                             ("arithmetic",))}


@estimator(cites=("pt-cuda-allocator",))
def reserved_share(reserved_unallocated: float, capacity: float) -> dict[str, Estimate]:
    """What PyTorch's out-of-memory error reports reserved but unallocated, as a share of the card: the most that
    expandable_segments could win back."""
    if capacity <= 0 or reserved_unallocated > capacity:
        raise NotComputable("the error's figures do not add up")
    share = reserved_unallocated / capacity
    formula = f"{fmt_bytes_gib(reserved_unallocated)} / {fmt_bytes_gib(capacity)} = {fmt_share(share)}"
    return {"value": Estimate(share, "fraction", formula, ("pt-cuda-allocator",))}


@estimator("left", "share_in_use", cites=("tf-bfc-allocator",))
def tf_allocator_left(limit: float, in_use: float) -> dict[str, Estimate]:
    """What TensorFlow's GPU allocator had left when an allocation failed: its Limit less its InUse (the summary
    it logs after "ran out of memory trying to allocate")."""
    if in_use > limit:
        raise NotComputable("the allocator's figures do not add up")
    left = limit - in_use
    formula = f"{fmt_bytes_gib(limit)} limit − {fmt_bytes_gib(in_use)} in use = {fmt_bytes_gib(left)}"
    share = f"{fmt_bytes_gib(in_use)} / {fmt_bytes_gib(limit)} = {fmt_share(in_use / limit)}"
    return {"left": Estimate(left, "bytes", formula, ("tf-bfc-allocator",)),
            "share_in_use": Estimate(in_use / limit, "fraction", share, ("tf-bfc-allocator",))}


# bytes per element of the dtypes TensorFlow names in "OOM when allocating tensor with shape[…] and type float"
TENSOR_DTYPE_BYTES = {"float": 4, "float32": 4, "half": 2, "float16": 2, "bfloat16": 2, "double": 8, "float64": 8,
                      "int32": 4, "int64": 8, "int16": 2, "int8": 1, "uint8": 1, "bool": 1}
MAX_TENSOR_DIMS = 8


@estimator(cites=("arithmetic",))
def tensor_bytes(shape: str, dtype: str = "float") -> dict[str, Estimate]:
    """The size of the one tensor an out-of-memory error names by its shape ("[8,65536,64]" of float): its
    elements times their width."""
    dims = [int(part) for part in shape.replace(" ", "").split(",") if part.isdigit()]
    width = TENSOR_DTYPE_BYTES.get(dtype.lower())
    if not dims or len(dims) > MAX_TENSOR_DIMS or width is None:
        raise NotComputable("no shape and width to multiply")
    total = width
    for dim in dims:
        total *= dim
    formula = " × ".join(f"{d:,}" for d in dims) + f" × {width} B ({dtype}) = {fmt_bytes_gib(total)}"
    return {"value": Estimate(float(total), "bytes", formula, ("arithmetic",))}


SMALLEST_IMAGE_SIDE = 32  # a feature map's side below this is a deep layer's or no image's: not read as the input


@estimator("batch", "side", cites=("arithmetic",))
def tensor_image_batch(shape: str) -> dict[str, Estimate]:
    """A failed tensor of four dimensions with two equal ones among the last three is a batch of square feature
    maps ([30,512,512,16]: NHWC; [4,32,1952,1952]: NCHW): its first dimension the images, its square side the
    map's - the input's at the first layers."""
    dims = [int(part) for part in shape.replace(" ", "").split(",") if part.isdigit()]
    if len(dims) != 4 or dims[0] < 2:
        raise NotComputable("no batch of image maps")
    height_width = (dims[1], dims[2]) if dims[1] == dims[2] else (dims[2], dims[3]) if dims[2] == dims[3] else None
    if height_width is None or height_width[0] < SMALLEST_IMAGE_SIDE:
        raise NotComputable("no square feature map in the shape")
    side = height_width[0]
    formula = f"[{shape}]: {dims[0]} images, maps of {side}×{side}"
    return {"batch": Estimate(dims[0], None, formula, ("arithmetic",)),
            "side": Estimate(side, None, formula, ("arithmetic",))}


@estimator(cites=("arithmetic",))
def bytes_per_item(total: float, count: float) -> dict[str, Estimate]:
    """A tensor's bytes shared over its first dimension: one image's or one sequence's part of it."""
    if count < 1 or total <= 0:
        raise NotComputable("no items to share the bytes over")
    value = total / count
    return {"value": Estimate(value, "bytes", f"{fmt_bytes_gib(total)} / {fmt_sig(count)} = {fmt_bytes_gib(value)}",
                              ("arithmetic",))}


HIDDEN_WIDTHS = frozenset({256, 384, 512, 768, 1024, 1280, 1536, 2048, 2560, 3072, 4096, 5120, 6144, 8192})
SHORTEST_SEQUENCE = 64  # a middle dimension below this is no padded length worth naming


@estimator("batch", "length", "width", cites=("arithmetic",))
def tensor_sequence_batch(shape: str) -> dict[str, Estimate]:
    """A failed tensor of three dimensions whose last is a transformer's width is a batch of sequences ([32,512,768]:
    32 sequences of 512 tokens of BERT-base's 768): its first dimension the sequences, its middle the length."""
    dims = [int(part) for part in shape.replace(" ", "").split(",") if part.isdigit()]
    if len(dims) != 3 or dims[0] < 2 or dims[2] not in HIDDEN_WIDTHS or dims[1] < SHORTEST_SEQUENCE:
        raise NotComputable("no batch of sequences of a transformer's width")
    formula = f"[{shape}]: {dims[0]} sequences of {dims[1]} tokens, {dims[2]} wide"
    return {"batch": Estimate(dims[0], None, formula, ("arithmetic",)),
            "length": Estimate(dims[1], None, formula, ("arithmetic",)),
            "width": Estimate(dims[2], None, formula, ("arithmetic",))}


@estimator(cites=MEMORY_SOURCES)
def max_params_for_budget(gpu_memory: float, bytes_per_param: float, share: float) -> dict[str, Estimate]:
    """The largest model whose model states take at most `share` of the card (the rest is for activations)."""
    if bytes_per_param <= 0 or not 0 < share <= 1:
        raise NotComputable("bytes_per_param must be > 0 and share in (0, 1]")
    params = math.floor(gpu_memory * share / bytes_per_param)
    formula = f"{fmt_card(gpu_memory)} ({fmt_bytes_gib(gpu_memory)}) × {fmt_share(share)} / {fmt_sig(bytes_per_param)} B/param = {fmt_count(params)} params"
    return {"value": Estimate(params, "count", formula, MEMORY_SOURCES, heuristic=True)}


LORA_BASE_BYTES = 2  # a frozen 16-bit base under LoRA: its weights alone (the adapters and their states are small)


@estimator("value", "sharded", "offload", "lora", cites=("zero", "zero-offload", "deepspeed-memory", "hf-anatomy", "lora"))
def largest_models_by_plan(gpu_memory: float, num_gpus: float, share: float, cpu_ram: float = 0.0) -> dict[str, Estimate]:
    """The largest model each plan trains on `num_gpus` cards of `gpu_memory`, `share` of each left for model states:
    every weight with AdamW in mixed precision under DDP (16 B/param on every GPU) and under ZeRO-3/FSDP (16 B/param
    over the GPUs); with the optimizer offloaded to `cpu_ram` (4 B/param of 16-bit weights and gradients over the GPUs,
    16 B/param × DeepSpeed's 1.5 buffer factor in RAM); and LoRA on a 16-bit base sharded over the GPUs (2 B/param)."""
    if gpu_memory <= 0 or num_gpus < 1 or not 0 < share <= 1:
        raise NotComputable("gpu_memory and num_gpus must be positive and share in (0, 1]")
    budget = gpu_memory * share
    card = f"{fmt_card(gpu_memory)} × {fmt_share(share)}"
    gpus = f"{fmt_sig(num_gpus)} GPU{'s' if num_gpus > 1 else ''}"
    ddp = math.floor(budget / 16)
    sharded = math.floor(budget * num_gpus / 16)
    lora = math.floor(budget * num_gpus / LORA_BASE_BYTES)
    out = {"value": Estimate(ddp, "count", f"{card} / 16 B/param = {fmt_count(ddp)} params (a whole copy on each GPU)",
                             MEMORY_SOURCES, heuristic=True),
           "sharded": Estimate(sharded, "count", f"{card} × {gpus} / 16 B/param = {fmt_count(sharded)} params",
                               MEMORY_SOURCES, heuristic=True),
           "lora": Estimate(lora, "count", f"{card} × {gpus} / {LORA_BASE_BYTES} B/param (16-bit frozen base) = "
                            f"{fmt_count(lora)} params before activations", MEMORY_SOURCES + ("lora",), heuristic=True)}
    if cpu_ram > 0:
        per_cpu = (OFFLOAD_CPU_BYTES + OPTIMIZER_STATE["adamw"]) * DEEPSPEED_BUFFER_FACTOR
        on_gpus, in_ram = math.floor(budget * num_gpus / 4), math.floor(cpu_ram / per_cpu)
        offload = min(on_gpus, in_ram)
        out["offload"] = Estimate(offload, "count", f"min({card} × {gpus} / 4 B/param = {fmt_count(on_gpus)}, "
                                  f"{fmt_bytes_gib(cpu_ram)} of RAM / {fmt_sig(per_cpu)} B/param = {fmt_count(in_ram)}) = "
                                  f"{fmt_count(offload)} params", ("zero-offload", "deepspeed-memory"), heuristic=True)
    return out


@estimator("per_sample", "fixed", "max_micro_batch", "usable", cites=("hf-anatomy", "memexp-affine", "pt-cuda-allocator"))
def linear_memory_fit(peaks: list, safety_margin: float, gpu_memory: float | None = None) -> dict[str, Estimate]:
    """Peak memory is affine in batch size: fit peak = fixed + per_sample × batch through the measurements
    (least squares), then, with the card's size, the largest micro-batch under (1 − margin) × GPU memory."""
    points = sorted((float(b), float(m)) for b, m in peaks)
    if len({b for b, _ in points}) < 2:
        raise NotComputable("need peak memory at two different batch sizes")
    fixed, slope = fit_line(points)
    if slope <= 0:
        raise NotComputable("peak memory does not grow with batch in these measurements; re-measure full steps")
    shown = ", ".join(f"{fmt_sig(b)}→{fmt_bytes_gib(m)}" for b, m in points)
    sources = ("hf-anatomy", "memexp-affine")
    line = {"per_sample": Estimate(slope, "bytes", f"slope of ({shown}) = {fmt_bytes_gib(slope)} per sample", sources),
            "fixed": Estimate(fixed, "bytes", f"intercept of ({shown}) = {fmt_bytes_gib(fixed)}", sources)}
    if not gpu_memory or gpu_memory <= 0:
        return line  # (the card unsaid: the line answers "is it linear?" by itself)
    usable = gpu_memory * (1 - safety_margin)
    max_batch = math.floor((usable - fixed) / slope)
    return {
        **line,
        "usable": Estimate(usable, "bytes", f"{fmt_card(gpu_memory)} × {fmt_share(1 - safety_margin)} ({fmt_share(safety_margin)} kept free) = {fmt_bytes_gib(usable)}",
                           ("pt-cuda-allocator",), heuristic=True),
        "max_micro_batch": Estimate(max_batch, None,
                                    f"⌊({fmt_bytes_gib(usable)} − {fmt_bytes_gib(fixed)}) / {fmt_bytes_gib(slope)}⌋ = {max_batch}",
                                    sources),
    }


@estimator("fp32", "bf16", "plan", cites=("lightning-precision", "arithmetic"))
def amp_frozen_base(params: float, plan_per_gpu: float | None = None) -> dict[str, Estimate]:
    """A frozen base under automatic mixed precision: its parameters stay in fp32 (4 B each), where the adapters'
    plans count them in bf16 (2 B); the plan's peak with the fp32 copy is the count plus 2 B a parameter."""
    if params <= 0:
        raise NotComputable("no parameters")
    cites = ("lightning-precision", "arithmetic")
    out = {"fp32": Estimate(params * 4, "bytes", f"{fmt_count(params)} params × 4 B = {fmt_bytes_gib(params * 4)}", cites),
           "bf16": Estimate(params * 2, "bytes", f"{fmt_count(params)} params × 2 B = {fmt_bytes_gib(params * 2)}", cites)}
    if plan_per_gpu and plan_per_gpu > 0:
        total = plan_per_gpu + params * 2
        out["plan"] = Estimate(total, "bytes", f"{fmt_bytes_gib(plan_per_gpu)} + {fmt_count(params)} × 2 B = "
                               f"{fmt_bytes_gib(total)}", cites)
    return out


@estimator(cites=("pt-fsdp", "arithmetic"))
def fsdp_generation_gather(params: float, num_gpus: float) -> dict[str, Estimate]:
    """FSDP keeps each GPU's 1/N of the weights and all-gathers every layer's full weights for each forward: each
    GPU receives the other GPUs' (N - 1)/N of the 16-bit weights at every forward - in generation, every token."""
    if params <= 0 or num_gpus < 2:
        raise NotComputable("no parameters, or one GPU (nothing to gather)")
    share = (num_gpus - 1) / num_gpus
    moved = params * 2 * share
    return {"value": Estimate(moved, "bytes", f"{fmt_count(params)} params × 2 B × ({fmt_count(num_gpus)} - 1)/"
                              f"{fmt_count(num_gpus)} = {fmt_bytes_gib(moved)} received by each GPU per forward",
                              ("pt-fsdp", "arithmetic"))}


@estimator("gather", "total", cites=("deepspeed-zero3-save", "arithmetic"))
def host_save_gather(params: float, offloaded: float | None = None) -> dict[str, Estimate]:
    """Saving under ZeRO-3 consolidates the whole model's 16-bit weights on rank 0's CPU (2 B a parameter), on top
    of whatever states are already offloaded to the host."""
    if params <= 0:
        raise NotComputable("no parameters")
    cites = ("deepspeed-zero3-save", "arithmetic")
    gather = params * 2
    out = {"gather": Estimate(gather, "bytes", f"{fmt_count(params)} params × 2 B = {fmt_bytes_gib(gather)}", cites)}
    if offloaded and offloaded > 0:
        out["total"] = Estimate(gather + offloaded, "bytes", f"{fmt_bytes_gib(gather)} + {fmt_bytes_gib(offloaded)} "
                                f"offloaded = {fmt_bytes_gib(gather + offloaded)}", cites)
    return out


GBDT_DEFAULT_BINS = 256  # XGBoost's and LightGBM's max_bin default
GBDT_HISTOGRAM_ENTRY = 8  # bytes of one bin: the sums of the gradients and the hessians, fp32 each


@estimator(cites=("xgboost-gpu-memory",))
def gbdt_histogram(features: float, max_bin: float = GBDT_DEFAULT_BINS) -> dict[str, Estimate]:
    """One tree node's gradient histogram in a histogram-based booster (XGBoost's hist and gpu_hist, LightGBM): a bin
    of summed gradients and hessians for every bin of every feature, whatever the number of rows."""
    if features < 1 or max_bin < 2:
        raise NotComputable("the features and the bins must be positive")
    value = features * max_bin * GBDT_HISTOGRAM_ENTRY
    formula = (f"{fmt_count(features)} features × {int(max_bin)} bins × {GBDT_HISTOGRAM_ENTRY} B "
               f"(gradient and hessian sums, fp32) = {fmt_bytes_gib(value)}")
    return {"value": Estimate(value, "bytes", formula, ("xgboost-gpu-memory",))}


@estimator(cites=("sam",))
def sam_point_grid(points_per_side: float) -> dict[str, Estimate]:
    """The point prompts SAM's automatic mask generator decodes for one image (one crop layer): a grid of
    points_per_side × points_per_side."""
    if points_per_side < 1:
        raise NotComputable("points_per_side must be positive")
    side = int(points_per_side)
    return {"value": Estimate(side * side, "count", f"{side} × {side} = {side * side:,} point prompts", ("sam",))}


@estimator("table", "row_state", "with_adam", cites=("arithmetic",))
def embedding_table(rows: float, dim: float) -> dict[str, Estimate]:
    """An embedding table's bytes, fp32: rows × width × 4 (76.9M entities × 400 = 123 GB); a row-wise optimizer state
    (DGL-KE's Adagrad keeps one sum of squares per row: rows × 4 B) beside it, and the table with a dense Adam's two
    moments (three tables)."""
    if min(rows, dim) <= 0:
        raise NotComputable("the rows and the width must be positive")
    table, src = rows * dim * 4, ("arithmetic",)
    return {"table": Estimate(table, "bytes", f"{fmt_count(rows)} rows × {int(dim):,} × 4 B = {fmt_bytes_gb(table)}", src),
            "row_state": Estimate(rows * 4, "bytes", f"{fmt_count(rows)} rows × 4 B = {fmt_bytes_gb(rows * 4)}", src),
            "with_adam": Estimate(table * 3, "bytes", f"{fmt_bytes_gb(table)} × 3 (the table and Adam's two moments) = "
                                  f"{fmt_bytes_gb(table * 3)}", src)}
