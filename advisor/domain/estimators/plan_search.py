"""The plan search (domain/plans.py) exposed to rules: the user's plan checked, and the options that fit.

Facts in (what the user said, with the assumptions for what they did not), estimates out: the current plan's
per-GPU memory and whether it fits, and `options` - the 2-4 plans to show, each already in the shape of an
option of the advice (settings, computed estimates, tradeoffs, how to validate, sources) plus its memory table
for charts. The engine's `plans` rule kind turns them into options and recommends the first.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from advisor.domain.estimators.memory import QUANTIZED
from advisor.domain.gpus import find_gpu, gpus
from advisor.domain.plans import (SLUG_JOIN, Candidate, Knobs, Problem, SearchResult, describe_changes, evaluate, host_cpu,
                                  host_fits, search)
from advisor.engine.estimators import Estimate, NotComputable, estimator
from advisor.errors import InputError
from advisor.units import and_join, fmt_bytes_gib, fmt_card, fmt_on_card, fmt_share

SOURCES = ("hf-anatomy", "zero", "korthikanti", "pt-cuda-context")
UNSLOTH_SOURCES = ("unsloth-offloaded-checkpointing", "unsloth-cross-entropy")


def _cited(p: Problem) -> tuple[str, ...]:
    """The sources of a count of the run as it is: SOURCES, and Unsloth's where its offloaded checkpoints or its
    16-bit logits are counted."""
    return SOURCES + (("unsloth-offloaded-checkpointing",) if p.current.checkpointing == "offloaded" else ()) \
        + (("unsloth-cross-entropy",) if p.logits_16bit else ())

# What each kind of change costs and risks, in words, with its sources. Keys are the first word of slug parts.
CHANGE_NOTES: dict[str, dict[str, Any]] = {
    "lora": {"speed": "LoRA skips the base's weight gradients and optimizer step",
             "accuracy": "LoRA trains about {adapter_share} of the weights: close to full fine-tuning on many tasks, not all",
             "risk": "adapter rank and target modules are new hyperparameters", "sources": ("lora",)},
    "qlora": {"speed": "QLoRA dequantises the 4-bit base on the fly (slower per step than LoRA)",
              "accuracy": "QLoRA matched 16-bit fine-tuning on its benchmarks; check yours",
              "risk": "needs bitsandbytes; 4-bit quantisation is one more difference", "sources": ("qlora", "lora")},
    "amp": {"speed": "16-bit matmuls run on Tensor Cores", "accuracy": "autocast keeps fp32 weights: the algorithm is unchanged",
            "risk": "fp16 (not bf16) needs a GradScaler; bf16 needs an Ampere or newer GPU", "sources": ("pt-amp",)},
    "bf16": {"speed": "16-bit matmuls run on Tensor Cores, and the optimizer step moves half the bytes",
             "accuracy": "weights and AdamW's moments in bf16 (8 significant bits): an update much smaller than a "
                         "weight rounds away, so small learning rates can stall (Kahan summation or stochastic "
                         "rounding in the optimizer recovers it)",
             "risk": "needs an Ampere or newer GPU; compare the loss curve with a short autocast run",
             "sources": ("bf16-training", "hf-bf16")},
    "adamw": {"speed": "about the same step time", "accuracy": "8-bit optimizer states matched 32-bit Adam in the bitsandbytes benchmarks",
              "risk": "needs bitsandbytes", "sources": ("bnb",)},
    "gpus": {"speed": "more GPUs in data parallel process more samples per second (scaling is below linear)",
             "accuracy": "unchanged if the batch per update stays the same", "risk": "more GPUs to rent or wait for",
             "sources": ("pt-ddp", "goyal")},
    "zero": {"speed": "sharding adds communication (ZeRO-3/FSDP gathers the weights in every forward and backward)",
             "accuracy": "the same algorithm", "risk": "DeepSpeed or FSDP setup; checkpoints are sharded", "sources": ("zero",)},
    "optimizer": {"speed": "the optimizer step runs on the CPU and gradients cross PCIe every update (slower)",
                  "accuracy": "the same AdamW, with 16-bit weights in forward and backward",
                  "risk": "needs host RAM and DeepSpeed; throughput depends on CPU and PCIe", "sources": ("zero-offload", "deepspeed-memory")},
    "checkpointing": {"speed": "recomputes the forward in backward (about 30 % more time)", "accuracy": "the same computation",
                      "risk": "none beyond the time", "sources": ("chen-ckpt", "pt-ckpt")},
    # the changes back from a memory saving the user already runs: what they give back is time
    "no-checkpointing": {"speed": "no forward recomputed in the backward (about a quarter less time per step)",
                         "accuracy": "the same computation",
                         "risk": "every layer's activations stay alive: size the micro-batch on the longest sample",
                         "sources": ("chen-ckpt", "pt-ckpt")},
    "less-sharding": {"speed": "less sharding than you run, less communication (ZeRO-3/FSDP gathers the weights in every "
                               "forward and backward; ZeRO-1/2 and DDP reduce the gradients once per update)",
                      "accuracy": "the same algorithm", "risk": "each GPU holds more of the model states",
                      "sources": ("zero",)},
    "no-offload": {"speed": "the optimizer step back on the GPU: no gradients and states over PCIe every update",
                   "accuracy": "the same algorithm", "risk": "the optimizer state takes GPU memory again",
                   "sources": ("zero-offload",)},
    "flash": {"speed": "fused attention is faster and does not store the s×s scores", "accuracy": "the same attention",
              "risk": "falls back to the math kernel for unsupported masks, dtypes or head sizes", "sources": ("pt-sdpa",)},
    "fused": {"speed": "about the same step time (Liger reports it faster)",
              "accuracy": "the same loss, computed in chunks without the full logits",
              "risk": "another library patching the model (Liger Kernel, or Unsloth's trainer)", "sources": ("liger",)},
    "smaller": {"speed": "smaller micro-batches use the GPU less efficiently",
                "accuracy": "the same updates: accumulation keeps the batch per update",
                "risk": "BatchNorm normalises over the smaller micro-batch", "sources": ("hf-ga",)},
    "batch": {"speed": "", "accuracy": "the batch per update changes: retune the learning rate",
              "risk": "a different batch than planned", "sources": ("goyal", "malladi")},
}


def _note_keys(plan_id: str, current: Knobs) -> list[str]:
    keys = []
    for part in plan_id.split(SLUG_JOIN):
        head = part.split("-")[0]
        key = "amp" if head in ("amp", "mixed") else head
        if part in ("no-checkpointing", "no-offload"):
            key = part
        elif part == "no-sharding" or (head == "zero" and int(part.split("-")[1]) < current.zero):
            key = "less-sharding"
        if key in CHANGE_NOTES and key not in keys:
            keys.append(key)
    return keys


def _card_has_bf16(gpu_model: str | None) -> bool | None:
    """Whether the card (or every card of a family) supports bf16; None for an unknown card."""
    if not gpu_model:
        return None
    match = find_gpu(str(gpu_model).replace("-", " "))
    cards = ((match.gpu,) if match.gpu else match.candidates) if match is not None else ()
    return all(card.bf16 for card in cards) if cards else None


LOGITS_PART = "logits and loss"  # the component the activation model gives a language model's head (training.py)


# a plan's memory components that follow the model, not the batch
STATE_PARTS = ("weights", "gradients", "gradients (alive at backward)", "optimizer state", "reference model",
               "gradient buckets (DDP)", "optimizer step temporaries")
# each example a chosen and a rejected sequence (KTO's are unpaired): the preference objectives and a pairwise reward
# model's training (LLaMA-Factory's stage rm, TRL's RewardTrainer), which scores both
PAIRED_OBJECTIVES = ("dpo", "orpo", "simpo", "reward")
ASSUMED_SEQ_LEN = 4096  # tokens per sample assumed when the user does not say (at most the model's own context)
# what the user's plan is counted at when no batch is said (memory_needed, with no card, counts micro-batch 1 instead)
LARGEST_MICRO_ASSUMED = "the largest micro-batch my estimate fits"
# the layouts of several GPUs counted when none is said: each GPU a whole copy of the model states
WHOLE_COPY = "a whole copy on each GPU (DDP)"
NO_STAGE = "no ZeRO stage said (stage 0: a whole copy on each GPU)"


LLM_KINDS = ("decoder", "moe-decoder")  # the language models whose unsaid precision is assumed bf16 autocast


def _model_spec(args: dict[str, Any], assumed: list[str]) -> Any:
    """The catalogue model at the user's sequence length (or image size), else None; a length assumed is said."""
    from advisor.domain.catalogue import at_image_size, preset

    if not args.get("model_preset"):
        if not args.get("model_shape") and args.get("architecture") == "transformer" \
                and float(args.get("params") or 0) >= TYPICAL_DECODER_FROM and not args.get("image_size") \
                and not args.get("multimodal_named"):
            return _typical_decoder(float(args["params"]), args.get("seq_len"), assumed)
        return _shape_spec(args.get("model_shape"), args.get("seq_len"), assumed)
    try:
        spec = preset(args["model_preset"], int(args["seq_len"]) if args.get("seq_len") else None)
    except InputError:
        return None
    spec = at_image_size(spec, int(args.get("image_size") or 0))
    if not args.get("seq_len") and spec.has_activation_shape and spec.vocab > 0:
        if spec.seq_len > ASSUMED_SEQ_LEN:
            # a model's longest context (131,072 tokens for Llama 3.1) is no training length anyone assumes: count
            # a usual fine-tuning length, say so, and ask
            spec = preset(args["model_preset"], ASSUMED_SEQ_LEN)
        assumed.append(f"{spec.seq_len} tokens per sample")  # (a model's own shorter context is assumed too: said)
    return spec


# a transformer of a billion parameters and more that no catalogue names is, in these messages, a decoder language
# model ("a 7B model", "$PRETRAIN_7b_model", "一个4B的模型"); its activations are counted with the shape typical of
# its size, said as assumed
TYPICAL_DECODER_FROM = 1e9
# the width over depth of the usual decoders: Llama 2 7B 4096/32 and 13B 5120/40, Qwen2.5-7B 3584/28 (128 each);
# Llama 2 70B 8192/80 (102), Llama 3.2 1B 2048/16 (128) - with P ≈ 12 L d² (attention 4d², a gated MLP ≈ 8d²)
TYPICAL_WIDTH_PER_LAYER = 128
TYPICAL_HEAD_DIM = 128


def _length(seq_len: Any, assumed: list[str]) -> int:
    """The user's sequence length, else the length assumed (and said so)."""
    if seq_len:
        return int(seq_len)
    assumed.append(f"{ASSUMED_SEQ_LEN} tokens per sample")
    return ASSUMED_SEQ_LEN


def _typical_decoder(params: float, seq_len: Any, assumed: list[str]) -> Any:
    """The activation model of a decoder of `params` parameters whose shapes are not known: the width and depth
    usual for its size (d ≈ (128 P / 12)^(1/3), rounded to whole 128-wide heads; L = P / 12d²), a gated MLP, no
    vocabulary (its logits are not counted: said), at the user's length (else the length assumed, and said)."""
    from advisor.domain.catalogue import spec_from_dims

    width = max(TYPICAL_HEAD_DIM, round((TYPICAL_WIDTH_PER_LAYER * params / 12) ** (1 / 3) / TYPICAL_HEAD_DIM)
                * TYPICAL_HEAD_DIM)
    layers = max(1, round(params / (12 * width * width)))
    heads = width // TYPICAL_HEAD_DIM
    dims = {"n_layers": layers, "d_model": width, "n_heads": heads, "n_kv_heads": heads, "d_ff": width * 8 // 3,
            "vocab": 0, "n_positions": 0, "gated": True}
    length = _length(seq_len, assumed)
    assumed.append(f"the shapes usual for a decoder of {params / 1e9:.3g}B parameters ({layers} layers of width "
                   f"{width}; its logits not counted, as I do not know its vocabulary)")
    spec = spec_from_dims(f"a typical {params / 1e9:.3g}B decoder", "llama", dims, length, source="assumed")
    # (the states are the parameters said: the shape stands in for the activations only)
    return replace(spec, params=int(params), active_params=int(params))


def _shape_spec(shape: str | None, seq_len: Any, assumed: list[str]) -> Any:
    """The transformer the user's settings shape (`model_shape`: "n_layers=32 d_model=4096 n_heads=32 ..."): a
    Llama-style decoder when its MLP is gated, else a GPT-2-style one, at the user's sequence length (else the
    length assumed, and said); None when there is no shape."""
    from advisor.domain.catalogue import spec_from_dims

    if not shape:
        return None
    dims: dict[str, Any] = {}
    for part in str(shape).split():
        name, _, value = part.partition("=")
        if name in SHAPE_DIMS and value.isdigit() and int(value) > 0:
            dims[name] = int(value)
    if not {"n_layers", "d_model", "n_heads"} <= dims.keys():
        return None
    gated = bool(dims.pop("gated", 0))
    dims.setdefault("d_ff", 4 * dims["d_model"])
    dims.setdefault("vocab", 0)
    dims.setdefault("n_positions", 0)
    length = _length(seq_len, assumed)
    return spec_from_dims("the model of your settings", "llama" if gated else "gpt2", dims, length,
                          source="your settings")


SHAPE_DIMS = frozenset({"n_layers", "d_model", "n_heads", "n_kv_heads", "d_ff", "vocab", "gated"})


def _problem(args: dict[str, Any]) -> Problem:
    precision = args.get("precision")
    optimizer = args.get("optimizer")
    assumed = []
    spec = _model_spec(args, assumed)
    if spec is not None and (args.get("preference_objective") == "reward" or args.get("embedding_training")
                             or args.get("claim_contrastive")) and spec.vocab:
        # a reward model ends in a scalar value head (AutoModelForSequenceClassification with one label), and an
        # embedding model (a contrastive loss's encoder: a retriever, CLIP) pools its last hidden states: neither
        # computes the vocabulary's logits
        spec = replace(spec, vocab=0)
    bf16 = _card_has_bf16(args.get("gpu_model"))
    if precision is None and bf16 and spec is not None and spec.arch_kind in LLM_KINDS and spec.params >= 1e9:
        # a language model of a billion parameters and more on a card with bf16 is trained in bf16 autocast by
        # the published recipes (said, and asked); counted in fp32 its activations would be twice too big
        precision = "amp_bf16"
        assumed.append("bf16 autocast")
    if precision is None:
        precision = "fp32"
        assumed.append("fp32")
    if optimizer is None:
        optimizer = "adamw"
        named = args.get("optimizer_named")  # ("muon": said, but with no state size the estimates know)
        assumed.append(f"AdamW's states for your {named}" if named else "AdamW")
    zero = int(args.get("zero_stage") or 0)
    parallelism = args.get("parallelism")
    layout = args.get("layout")
    if layout and parallelism in (None, "zero") and args.get("zero_stage") is None:
        # the answer to "how is the model spread over your GPUs?" (DeepSpeed said without its stage, or nothing
        # said): DDP, or a ZeRO stage (FSDP's strategies match stages 2 and 3)
        parallelism, zero = ("ddp", 0) if layout == "ddp" else ("zero", int(layout[-1]))
    if parallelism == "fsdp" and not zero:
        zero = 3
    gpus = int(args.get("num_gpus") or 1)
    stage_said = zero  # (kept on more GPUs: the stage the user chose, which one GPU does not use)
    if gpus == 1 and not (zero == 3 and args.get("offload") in ("cpu", "nvme") and args.get("offload_params")):
        zero = 0  # sharding over one GPU shards nothing (but ZeRO-3 offloading the parameters moves them off it)
    if (parallelism == "zero" or (zero and parallelism != "fsdp")) and precision in ("amp_bf16", "amp_fp16"):
        precision = "mixed"  # DeepSpeed's bf16/fp16 modes: 16-bit weights and gradients, fp32 master in the optimizer
    offload = args.get("offload") in ("cpu", "nvme")
    if offload and precision not in ("bf16",):
        precision = "mixed"
    adapter = args.get("adapter") or "none"
    if adapter == "none" and args.get("prefix_tuning") and not args.get("full_training"):
        adapter = "prefix"  # P-tuning v2, prefix or prompt tuning: a frozen 16-bit base, a few trained parameters
    if adapter == "lora" and args.get("base_bits") == 8:
        adapter = "lora8"  # LoRA on a base loaded in 8 bits (load_in_8bit): about half the frozen weights' bytes
    if adapter != "none" and precision == "fp32":
        precision = "amp_fp16" if bf16 is False else "amp_bf16"  # a T4 or V100 has no bf16: adapters train in fp16
        assumed = [("fp16 autocast" if bf16 is False else "bf16 autocast") if a == "fp32" else a for a in assumed]
    # PyTorch's SDPA (and Hugging Face's default attn_implementation "sdpa") does not store the s×s scores: assume
    # it unless the user says eager
    attention = "eager" if args.get("attention") == "eager" else "flash"
    if args.get("attention") is None and (args.get("model_preset") or spec is not None) \
            and not (spec is not None and spec.arch_kind == "cnn"):  # (a convolutional network has no attention)
        assumed.append("SDPA attention")
    # (Unsloth's gradient checkpointing, DeepSpeed's cpu_checkpointing: the checkpoints wait in CPU RAM)
    checkpointing = "offloaded" if args.get("checkpoint_offload") else "full" if args.get("grad_checkpointing") \
        else "none"
    if args.get("grad_checkpointing") is None and spec is not None and spec.has_activation_shape:
        # (every activation stored is the largest part of most counts: said, since many recipes turn it on)
        assumed.append("no activation checkpointing")
    # device_map="auto" over several GPUs: one process, one copy of the model with its layers split over them (the
    # GPUs in data parallel, num_gpus, are then 1 - or each of several processes with its own split copy, as
    # ms-swift runs NPROC_PER_NODE processes over more GPUs); no sharding or DeepSpeed offload applies to it
    split = int(args.get("split_gpus") or 1)
    if split > 1:
        zero, offload = 0, False
    if gpus > 1 and parallelism is None and not zero and split == 1:
        # several GPUs and no layout said: counted as DDP, each GPU a whole copy - an assumption a sharding
        # framework's default (FSDP, ZeRO-3) overturns, so it is said with the others
        assumed.append(WHOLE_COPY)
    elif gpus > 1 and parallelism == "zero" and not zero and args.get("zero_stage") is None and split == 1:
        assumed.append(NO_STAGE)  # "with DeepSpeed": its stage unsaid, counted as DeepSpeed's default, stage 0
    # (Unsloth's loss keeps 16-bit logits: no fused loss, which a plan may still offer)
    current = Knobs(precision, optimizer, min(zero, 3), offload, checkpointing, attention, adapter, gpus,
                    bool(args.get("fused_loss")) and not args.get("logits_16bit"), split)
    micro, accum = args.get("micro_batch"), args.get("grad_accum_steps")
    target = args.get("batch_size")
    if target is None and micro is None and args.get("batch_unqualified"):
        # "batch 8 on 2 GPUs", each GPU's or the total unsaid (a question asks): keep at least 8 per update, the
        # smaller reading, so no plan shrinks the batch
        target = int(args["batch_unqualified"])
        assumed.append(f"your batch {target} is the total per update")
    asked = {topic.strip() for topic in str(args.get("asked_topics") or "").split(",")}
    if micro is None and target and gpus == 1 and accum in (None, 1) and "batch" not in asked:
        # "batch 4" on one GPU without accumulation is the micro-batch - unless the micro-batch is what is asked
        # ("what per_device_train_batch_size fits? target global batch 32": the search finds it)
        micro, accum = target, 1
    if micro is None and not target and args.get("max_micro_batch") and not _training_oom(args):
        # "I can only fit batch 128 per GPU": the plan they run is at the largest micro-batch they say fits, not
        # at the one the estimate would allow
        micro = int(args["max_micro_batch"])
    if micro is None and not target and spec is not None and spec.has_activation_shape:
        # no batch said: the user's plan is counted at the largest micro-batch that fits (1 after an OOM), which
        # the plan's numbers must say they assumed
        assumed.append(LARGEST_MICRO_ASSUMED)
    if micro and accum is None and target and int(target) % (int(micro) * gpus) == 0:
        accum = int(target) // (int(micro) * gpus)  # "micro 2, global 256 on 8 GPUs": 16 accumulation steps
    if micro and args.get("num_gpus") is not None:
        # the batch per update the user runs now (a stated total that disagrees is a red flag elsewhere); with the
        # GPU count unsaid ("how many H100s do I need, micro batch 1?") there is no batch per update to keep
        target = int(micro) * int(accum or 1) * gpus
    reference = args.get("reference_batch")
    to_reference = bool(reference and micro and int(micro) == int(reference) and gpus > 1 and accum in (None, 1)
                        and int(reference) % gpus == 0)
    if to_reference:
        # "per_device_train_batch_size=32 because the paper says batch 32" on 4 GPUs: the paper's batch is the
        # batch per update to reach (the red flag says why), not 4 × 32
        target = int(reference)
    goal = "fit"
    if args.get("claim_time_pressure") or args.get("user_goal") == "faster" or args.get("constraint") == "wall_clock":
        goal = "faster"
    elif args.get("user_goal") == "match_reference" or args.get("goal") == "replicate":
        goal = "accuracy"
    return Problem(params=float(args["params"]), budget=float(args["gpu_memory"]), current=current, spec=spec,
                   micro_batch=int(micro) if micro else None, grad_accum=int(accum) if accum else None,
                   target_batch=int(target) if target else None, target_is_reference=to_reference,
                   said_max_micro=_said_max_micro(args, micro),
                   # the GPUs the user could use bound the search; asked "how many do I need?", the fewest that fit
                   # (the GPUs a device_map splits one model over could each train a replica instead)
                   # (and the GPUs of a machine of which the run uses one: its launch is the finding)
                   gpus_max=max(gpus, split, int(args.get("gpus_available") or args.get("gpus_to_fit")
                                                 or args.get("machine_gpus") or gpus)),
                   finetune={"finetune": True, "scratch": False}.get(args.get("training_mode")),
                   bf16=bf16,
                   # the share counted from the rank and the layers, else the assumed one
                   adapter_fraction=float(args.get("lora_adapter_share") or args.get("adapter_fraction") or 0.01),
                   cuda_context=float(args.get("cuda_context") or 0.4e9), margin=float(args.get("safety_margin") or 0.1),
                   # (a throughput or a time measured is a run that trains: it fits, whatever the unsaid settings
                   # are assumed)
                   goal=goal, assumed=tuple(assumed), oom=_training_oom(args), runs=_trains(args),
                   trained_before_oom=_training_oom(args) and bool(args.get("oom_at_fixed_step")),
                   full_training=bool(args.get("full_training")),
                   stage_errored=int(args.get("zero_stage_errored") or 0),
                   reference_bytes=float(args.get("reference_model_bytes") or 0.0),
                   cpu_ram=float(args.get("cpu_ram") or 0.0),
                   gpus_per_host=max(1, gpus // int(args.get("num_nodes") or 1)) if args.get("num_nodes") else 0,
                   # (a pair runs chosen and rejected together; a retriever's query brings train_group_size passages,
                   # each encoded at the passage length, the query counted as one more - review 89 #24)
                   sequences_per_sample=2 if args.get("preference_objective") in PAIRED_OBJECTIVES
                   else 1 + int(args.get("train_group_size") or 0),
                   # (FSDP's CPU offload always moves the parameters: CPUOffload(offload_params=True))
                   offload_params=offload and (bool(args.get("offload_params")) or parallelism == "fsdp"),
                   logits_16bit=bool(args.get("logits_16bit")),
                   stage_said=stage_said,
                   ddp_buckets=not args.get("megatron_named"),
                   sharded_over_unsaid=not args.get("num_gpus") and (parallelism == "fsdp"
                                                                       or int(args.get("zero_stage") or 0) >= 1))


def _memory_line(p: Problem, c: Candidate) -> str:
    # the parts in the card's units, as the total is, so they add up to it
    parts = ", ".join(f"{name} {fmt_bytes_gib(v)}" for name, v in c.components.items() if v >= 0.005e9)
    text = f"{fmt_on_card(c.per_gpu, p.budget)} ({parts})"
    if c.knobs.split > 1:
        text += f" on the last of the {c.knobs.split} GPUs the layers are split over (it holds the LM head and logits too)"
    if c.headroom is not None:
        text += f"; {fmt_bytes_gib(c.headroom)} left for activations after a {fmt_share(p.margin)} margin"
    if c.cpu:
        text += f"; {fmt_bytes_gib(c.cpu)} of CPU RAM for the offloaded states"
    return text


def _batch_line(p: Problem, c: Candidate) -> str:
    if c.micro is None or c.max_micro is None and p.spec is not None:
        return "Measure the micro-batch that fits (activations are not modelled for this model)."
    if c.max_micro is None:
        return ""
    eff = c.effective_batch
    gpus = (f"1 copy of the model (its layers over {c.knobs.split} GPUs)" if c.knobs.split > 1 else
            f"{c.knobs.gpus} GPU{'s' if c.knobs.gpus > 1 else ''}")
    line = (f"Micro-batch {c.micro} × accumulation {c.accum} × {gpus} = "
            f"{eff} per update (largest micro-batch that fits: {c.max_micro})")
    if p.target_batch and not c.batch_changed:
        line += ", the batch per update you planned"
    elif c.batch_changed and p.target_batch:
        line += f", not the {p.target_batch} you planned"
    return line + "."


def _plan_table(p: Problem, c: Candidate, plan_id: str, title: str, current: bool, recommended: bool) -> dict[str, Any]:
    return {"id": plan_id, "title": title, "current": current, "recommended": recommended, "fits": c.fits,
            "per_gpu_bytes": c.per_gpu, "budget_bytes": p.budget, "components": dict(c.components),
            "micro_batch": c.micro, "grad_accum_steps": c.accum, "num_gpus": c.knobs.gpus,
            "effective_batch": c.effective_batch, "fixed_bytes": c.fixed, "per_sample_bytes": c.per_sample,
            "peak_by_micro_batch": [[b, v] for b, v in c.curve], "cpu_bytes": c.cpu or None,
            # (over several machines, each machine's share of the offloaded states: what its RAM must hold)
            "cpu_bytes_per_machine": host_cpu(p, c) if c.cpu and host_cpu(p, c) < c.cpu else None}


def _option(p: Problem, c: Candidate, plan_id: str, recommended: bool) -> dict[str, Any]:
    title = "; ".join(c.changes)
    title = title[0].upper() + title[1:]
    keys = _note_keys(plan_id, p.current) + (["batch"] if c.batch_changed else [])
    notes = [CHANGE_NOTES[k] for k in keys]
    share = fmt_share(p.adapter_fraction)  # the adapter share (counted from the rank, or the adapter_fraction fact)
    joined = lambda field: ("; ".join(n[field].replace("{adapter_share}", share) for n in notes if n[field])  # noqa: E731
                            or "unchanged") + "."
    sources = list(dict.fromkeys(SOURCES + tuple(s for n in notes for s in n["sources"])))
    k = c.knobs
    # (DeepSpeed's 16-bit weights with an fp32 master copy is mixed precision in the card's 16-bit type: fp16 on a
    # card without bf16, never "pure bf16")
    mixed = "amp_fp16" if p.bf16 is False else "amp_bf16"
    settings = {"precision": k.precision if k.precision in ("fp32", "amp_bf16", "amp_fp16", "bf16") else mixed,
                "optimizer": k.optimizer, "gradient_checkpointing": k.checkpointing != "none", "num_gpus": k.gpus}
    if c.micro and c.accum and c.max_micro is not None:
        settings.update(micro_batch=c.micro, grad_accum_steps=c.accum)
    estimates = {"per_gpu_bytes": {"value": c.per_gpu, "unit": "bytes"},
                 "model_states_bytes": {"value": c.states, "unit": "bytes"}}
    if c.headroom is not None:
        estimates["headroom_bytes"] = {"value": c.headroom, "unit": "bytes"}
    if c.max_micro is not None:
        estimates["max_micro_batch"] = {"value": c.max_micro, "unit": None}
    if c.cpu:
        estimates["cpu_ram_bytes"] = {"value": c.cpu, "unit": "bytes"}
    validate = (f"Run 3 full training steps (forward, backward, optimizer.step()) "
                f"{'at micro-batch ' + str(c.micro) if c.micro and c.max_micro is not None else 'at micro-batch 1 and 2'} "
                "and read torch.cuda.max_memory_allocated(); compare with the estimate before the long run"
                + ("; compare the validation metric with your current setup on a short run" if notes and any(
                    key in keys for key in ("lora", "qlora", "adamw", "batch")) else "") + ".")
    option = {
        "id": plan_id, "title": title,
        "summary": f"{_memory_line(p, c)}. {_batch_line(p, c)}".strip(),
        "settings": settings, "estimates": estimates,
        "tradeoffs": {"speed": joined("speed") if any(n["speed"] for n in notes) else "About the same.",
                      "memory": _memory_line(p, c) + ".", "accuracy": joined("accuracy"), "risk": joined("risk")},
        "validate": validate, "sources": sources, "heuristic": False,
    }
    return option


def _assumed(p: Problem) -> str:
    """' (assuming fp32, AdamW and SDPA attention: you did not say)', or '' when nothing was assumed."""
    return f" (assuming {and_join(list(p.assumed), len(p.assumed))}: you did not say)" if p.assumed else ""


def _best_line(p: Problem, c: Candidate) -> str:
    """'LoRA adapters on a frozen 16-bit base (32.56 GiB per GPU of 48 GiB)': a plan in a sentence."""
    title = "; ".join(c.changes)
    return f"{title} ({fmt_on_card(c.per_gpu, p.budget)})"


def _rationale(p: Problem, result: SearchResult, best: Candidate, plan_id: str) -> str:
    cur = result.current
    # the verdict on the user's plan first, what it assumed after it: a short answer cut at the end of a line keeps
    # "does not fit" and loses only the assumptions (review 51 #1)
    assumed = f", assuming {and_join(list(p.assumed), len(p.assumed))}" if p.assumed else ""
    if cur.fits and cur.per_gpu > p.budget:
        now = f"Your plan runs, as you say, though I count {fmt_on_card(cur.per_gpu, p.budget)}{assumed}"
    elif cur.fits:
        now = f"Your plan fits ({fmt_on_card(cur.per_gpu, p.budget)}){assumed}"
    elif p.oom and cur.per_gpu <= p.budget:
        now = f"Your plan does not fit: {cur.why_not}{assumed}"
    else:
        now = f"Your plan needs {fmt_on_card(cur.per_gpu, p.budget)} and does not fit"
        if cur.per_gpu <= p.budget and cur.why_not:
            now += f" ({cur.why_not})"  # under the card, over what is usable: say what decided it
        now += assumed
    goal = {"fit": "the smallest safe change", "faster": "the least time per update",
            "accuracy": "the least change to the training algorithm"}[p.goal]
    return (f"{now}. Of {result.considered} other plans searched, {result.fitting} fit; "
            f"{best.changes[0][0].upper() + '; '.join(best.changes)[1:]} ranks first for {goal} "
            f"(a heuristic order of accuracy risk, time per update and number of changes): {_memory_line(p, best)}.")


def _trains(args: dict) -> bool:
    """Whether the user's run trains as described: they say so, or give its throughput or its time ("the progress
    bar estimates 88 hours", "an epoch takes 3 h"), or the memory it uses with no out-of-memory said ("VRAM usage is
    only around 37GB/80GB")."""
    return any(args.get(name) for name in ("claim_run_fits", "measured_tokens_per_second", "step_seconds",
                                           "epoch_seconds", "current_duration", "elapsed_duration",
                                           "steps_per_second_by_gpus")) \
        or bool(args.get("measured_use")) and not args.get("oom")


def _training_oom(args: dict) -> bool:
    """Whether training itself ran out of memory: an OOM said, but not one in evaluation after training fits
    ("training runs fine at batch 4 (31GB), but evaluation OOMs"), nor one the user's run no longer has - it runs,
    they say, and they measured it well under the card ("CUDA out of memory with the defaults" as the title, then
    "with micro_batch_size 32 it completes, 20556 / 24268 MB": review 52 #29)."""
    if not args.get("oom") or args.get("oom_stage") == "evaluation":
        return False
    measured, card = args.get("measured_use") or 0.0, args.get("gpu_memory") or 0.0
    return not (args.get("claim_run_fits") and not args.get("oom_at_fixed_step")
                and 0 < measured < MEASURED_WELL_UNDER * card)


# a measured use under this share of the card leaves room no OOM at the same settings would (heuristic: the
# allocator's cache and a longer batch rarely take more than a tenth of the card)
MEASURED_WELL_UNDER = 0.9


def _said_max_micro(args: dict, micro: int | None) -> int | None:
    """The largest micro-batch the user says runs with their settings: said ("8 works"), or their own micro-batch
    in a run they say trains (without an OOM in training) - whatever the estimate, that one fits."""
    runs = _trains(args) and not _training_oom(args)
    said = [int(v) for v in (args.get("max_micro_batch"), micro if runs else None) if v]
    return max(said) if said else None


def _fits_text(p: Problem, cur: Candidate, current_text: str) -> str:
    """Whether the user's plan fits, in words that agree with its number: a run the user says runs, estimated over
    the card, runs as they say - the estimate's assumptions are what is off, not the card."""
    if cur.fits and cur.per_gpu > p.budget:
        runs = "trains until the step that fails" if p.trained_before_oom else "runs"
        return f"{runs}, as you say, though I count {current_text}: what I assumed overstates your run"
    return ("fits: " if cur.fits else "does not fit: ") + (cur.why_not or current_text)


def _at_one(p: Problem, result: SearchResult) -> Candidate:
    """The user's settings at the smallest batch (micro-batch 1, no accumulation): what no batch size can go below."""
    if result.current.max_micro is None:
        return result.current  # parameters only: model states and overheads, independent of the batch
    if p.micro_batch == 1 and ((p.grad_accum or 1) == 1 or p.oom and not result.current.fits):
        return result.current  # the user's run is at micro-batch 1 already (an OOM they saw there counts)
    return evaluate(replace(p, micro_batch=1, grad_accum=1, target_batch=None), p.current, as_run=True)


@estimator("current_per_gpu", "current_fits", "current_max_micro", "considered", "fitting", "ruled_out", "ruled_out_names",
           "options", "verdicts", "current_cpu", "current_fits_card", "current_fits_host", "best", "best_cpu",
           "activations_modelled", "current_eager", "current_eager_fits",
           "replicated_full", "at_one", "at_one_states", "at_one_sample", "fits_at_one", "seq_matters", "not_decisive",
           "asked", "current_largest", "current_assumed", "decisive", "sharded_per_gpu", "asked_micro_per_gpu",
           "asked_micro_fits", "asked_micro_accum", "current_logits", "current_logits_share", "model_vocab",
           cites=SOURCES + UNSLOTH_SOURCES + ("arithmetic",)
           + tuple(sorted({s for note in CHANGE_NOTES.values() for s in note["sources"]})))
def plan_search(params: float, gpu_memory: float, precision: str | None = None, optimizer: str | None = None,
                num_gpus: int | None = None, gpus_available: int | None = None, gpus_to_fit: int | None = None,
                machine_gpus: int | None = None, prefix_tuning: bool | None = None, zero_stage: int | None = None, parallelism: str | None = None, layout: str | None = None,
                offload: str | None = None,
                grad_checkpointing: bool | None = None, checkpoint_offload: bool | None = None,
                attention: str | None = None, adapter: str | None = None,
                training_mode: str | None = None, model_preset: str | None = None, model_shape: str | None = None,
                architecture: str | None = None, multimodal_named: bool | None = None,
                seq_len: int | None = None,
                micro_batch: int | None = None, grad_accum_steps: int | None = None, batch_size: int | None = None,
                gpu_model: str | None = None, image_size: int | None = None, adapter_fraction: float | None = None,
                lora_adapter_share: float | None = None, reference_batch: int | None = None,
                max_micro_batch: int | None = None, cuda_context: float | None = None, safety_margin: float | None = None,
                user_goal: str | None = None, goal: str | None = None, constraint: str | None = None,
                base_bits: int | None = None,
                claim_time_pressure: bool | None = None, oom: bool | None = None, oom_stage: str | None = None,
                claim_run_fits: bool | None = None, full_training: bool | None = None,
                zero_stage_errored: int | None = None, elapsed_duration: float | None = None,
                batch_unqualified: int | None = None, preference_objective: str | None = None,
                train_group_size: int | None = None,
                offload_params: bool | None = None, fused_loss: bool | None = None, logits_16bit: bool | None = None,
                reference_model_bytes: float | None = None, cpu_ram: float | None = None,
                num_nodes: int | None = None, split_gpus: int | None = None,
                measured_tokens_per_second: float | None = None, step_seconds: float | None = None,
                epoch_seconds: float | None = None, current_duration: float | None = None,
                oom_at_fixed_step: bool | None = None, optimizer_named: str | None = None,
                asked_settings: str | None = None, asked_topics: str | None = None,
                asked_micro_batch: int | None = None, megatron_named: bool | None = None,
                steps_per_second_by_gpus: list | None = None, measured_use: float | None = None,
                embedding_training: bool | None = None, claim_contrastive: bool | None = None) -> dict[str, Estimate]:
    """Check the user's plan and search the plans that fit (see advisor/domain/plans.py); every argument but
    the parameter count and the GPU memory is optional (the rule passes the facts that are known)."""
    try:
        p = _problem(dict(locals()))
        result = search(p)
    except InputError as exc:
        raise NotComputable(str(exc)) from None
    cur = result.current
    assumed = _assumed(p)
    items = []
    for i, c in enumerate(result.shown):
        plan_id = c.plan_id
        items.append({"option": _option(p, c, plan_id, i == 0), "plan": _plan_table(p, c, plan_id, "; ".join(c.changes), False, i == 0),
                      "recommended": i == 0, "rationale": _rationale(p, result, c, plan_id) if i == 0 else ""})
    items.insert(0, {"option": None, "plan": _plan_table(p, cur, "current", "your plan" + assumed, True, False),
                     "recommended": False, "rationale": ""})
    # (two knob settings may read the same, "16-bit weights with fp32 master weights" from ZeRO-2 and from offload:
    # each title once)
    first: dict[str, Candidate] = {}
    for title, c in result.ruled_out:
        first.setdefault(title, c)
    ruled_out = list(first.items())[:6]
    ruled = [f"{title}: {c.why_not or _memory_line(p, c)}" for title, c in ruled_out]
    current_text = _memory_line(p, cur) + assumed
    out = {
        "current_per_gpu": Estimate(cur.per_gpu, "bytes", current_text, _cited(p)),
        "current_fits": Estimate(cur.fits, None, _fits_text(p, cur, current_text), SOURCES),
        "current_fits_card": Estimate(cur.fits or cur.host_short, None, "whether the plan fits the GPUs (CPU RAM "
                                      "aside)", SOURCES),
        "considered": Estimate(result.considered, "count", "candidate plans: precision × optimizer × sharding × "
                               "checkpointing × attention × adapters × GPUs", ("arithmetic",)),
        "fitting": Estimate(result.fitting, "count", "candidate plans that fit the card", SOURCES),
        "ruled_out": Estimate("; ".join(ruled) if ruled else "none", None, "single changes that do not fit", SOURCES),
        "ruled_out_names": Estimate(and_join([title for title, _ in ruled_out], len(ruled_out)) or "none", None,
                                    "single changes that do not fit", SOURCES),
        "best": Estimate(_best_line(p, result.shown[0]) if result.shown else "none", None,
                         "the plan the search ranks first, with its memory per GPU", SOURCES, heuristic=True),
        "options": Estimate(items, None, f"{len(result.shown)} plans from the Pareto front of accuracy risk, time per "
                            "update and changes (heuristic ranking)", SOURCES, heuristic=True),
    }
    if cur.cpu and p.cpu_ram:  # (nothing offloaded, no RAM to count; no RAM said, nothing to answer yes or no)
        out["current_fits_host"] = Estimate(host_fits(p, cur), None, "whether the offloaded states fit "
                                            f"{(1 - p.margin) * 100:.0f}% of the host's RAM", SOURCES)
    if cur.cpu:
        # (the value alone, "on each machine" where the GPUs span several: the fact's label says what it is)
        out["current_cpu"] = Estimate(host_cpu(p, cur), "bytes", fmt_bytes_gib(host_cpu(p, cur))
                                      + (" on each machine" if p.gpus_per_host and cur.knobs.gpus > p.gpus_per_host
                                         else ""), SOURCES)
    if result.shown and result.shown[0].cpu:
        out["best_cpu"] = Estimate(host_cpu(p, result.shown[0]), "bytes",
                                   "CPU RAM per machine for the offloaded states of the plan ranked first", SOURCES)
    if cur.components:  # what a run said to fit while the count says it does not is most likely not holding
        name, size = max(cur.components.items(), key=lambda item: item[1])
        out["current_largest"] = Estimate(f"{name} {fmt_bytes_gib(size)}", None, "the largest part of your plan's "
                                          f"memory per GPU: {name}, {fmt_bytes_gib(size)}", SOURCES)
    out.update({f"current_{name}" if name != "model_vocab" else name: e for name, e in _logits(p, cur).items()})
    out["current_assumed"] = Estimate(and_join(list(p.assumed), len(p.assumed)) if p.assumed else "nothing", None,
                                      "what your plan assumes because you did not say it", SOURCES)
    k = p.current
    # (not a run said to shard over GPUs it does not count: "--fsdp=True" on a TPU pod's cores)
    replicated = (k.gpus == 1 or k.zero == 0) and k.adapter == "none" and not k.offload and not p.sharded_over_unsaid
    out["replicated_full"] = Estimate(replicated, None, "every weight trained, states replicated on each GPU"
                                      if replicated else "sharded states, offload or adapters", SOURCES)
    out["verdicts"] = Estimate([{"id": k, "text": v} for k, v in sorted(result.verdicts.items())], None,
                               "why each single change is or is not offered", SOURCES)
    smallest = _at_one(p, result)
    out["at_one"] = Estimate(smallest.per_gpu, "bytes", ("at micro-batch 1: " if smallest.max_micro is not None else
                                                         "model states and overheads, before any activation: ")
                             + _memory_line(p, smallest), SOURCES)
    if smallest.max_micro is not None:  # activations modelled: what one sample takes, against the model states
        parts = smallest.components
        out["at_one_states"] = Estimate(sum(v for k, v in parts.items() if k in STATE_PARTS), "bytes",
                                        "weights, gradients and optimizer state at micro-batch 1", SOURCES)
        # one sample's activations whatever peaks, not those in the peak's breakdown: at micro-batch 1 the peak
        # can be the optimizer step, when no activation is alive (BERT-base at 128 tokens: 0 there, 80 MB a sample)
        out["at_one_sample"] = Estimate(smallest.sample_bytes, "bytes",
                                        "one sample's activations, logits and backward temporaries", SOURCES)
    # (a ViT's tokens follow its image size and patch: 197 at 224 px with 16 px patches - no length to ask for)
    if p.spec is not None and p.spec.has_activation_shape:  # (without a shape, nothing is known either way)
        out["seq_matters"] = Estimate(p.spec.family != "vit", None, "whether the model's memory depends on a "
                                      "sequence length (a text transformer)", SOURCES)
    try:  # (a setting the estimator refuses leaves these out, not the whole search)
        changes = _asked_changes(p, asked_settings or "")
        asked = [_asked_line(p, cur, change) for change in changes]
        together = _combined(p.current, changes)
        if together is not None:  # "would adamw_8bit + gradient checkpointing be enough?": the two at once as well
            asked.append("all of them together: " + _asked_line(p, cur, together).split(": ", 1)[1])
        answers = _assumed_answers(p)  # (the plans both the undecisive and the decisive inputs are judged on)
        unasked = _not_decisive(p, cur, answers)
        sharded = _sharded(p)
        decisive = _decisive(p, cur, sharded, answers)
    except InputError:
        asked, unasked, decisive, sharded = [], [], [], None
    if asked_micro_batch and cur.max_micro is not None and p.micro_batch and asked_micro_batch < p.micro_batch:
        # "batch 8 … OOM. Should I lower the batch to 2?": the user's settings at the smaller micro-batch, and the
        # accumulation that keeps their batch per update
        lower = evaluate(replace(p, micro_batch=asked_micro_batch, grad_accum=1, target_batch=None), p.current,
                         as_run=True)
        out["asked_micro_per_gpu"] = Estimate(lower.per_gpu, "bytes", f"your plan at micro-batch {asked_micro_batch}: "
                                              + _memory_line(p, lower), SOURCES)
        out["asked_micro_fits"] = Estimate(lower.fits, None, f"whether micro-batch {asked_micro_batch} fits", SOURCES)
        per_update = p.micro_batch * (p.grad_accum or 1)
        if per_update % asked_micro_batch == 0:
            out["asked_micro_accum"] = Estimate(per_update // asked_micro_batch, "count",
                                                f"{per_update} per GPU per update ÷ micro-batch {asked_micro_batch}",
                                                ("arithmetic",))
    out["decisive"] = Estimate(", ".join(decisive) or "none", None, "the inputs the plan assumed whose plausible "
                               "answers turn it from fitting to not fitting, the largest swing first", SOURCES)
    if sharded is not None:
        out["sharded_per_gpu"] = Estimate(sharded.per_gpu, "bytes", "your plan with its states sharded over the "
                                          f"{p.current.gpus} GPUs (ZeRO-3, FSDP full shard): "
                                          + _memory_line(p, sharded), SOURCES)
    if asked:
        text = f"Your plan as it is needs {fmt_on_card(cur.per_gpu, p.budget)}; " + "; ".join(asked)
        out["asked"] = Estimate(text, None, "each change the user asks about, as one change of their plan", SOURCES)
    out["not_decisive"] = Estimate(", ".join(unasked) or "none", None, "inputs assumed whose answer would not change "
                                   "whether the plan fits, nor its largest micro-batch by a quarter", SOURCES)
    out["fits_at_one"] = Estimate(smallest.fits, None, "whether your settings fit at micro-batch 1" if smallest.max_micro
                                  is not None else "whether your settings leave room for any activations", SOURCES)
    out["activations_modelled"] = Estimate(cur.max_micro is not None, None, "whether the model's activations are "
                                           "counted (a model with a known shape)", SOURCES)
    if p.oom and "SDPA attention" in p.assumed and p.spec is not None and p.spec.has_activation_shape:
        # an OOM and the attention assumed: the same plan with eager attention (older transformers, an encoder
        # without SDPA), whose s × s scores an OOM the assumed plan cannot explain may come from
        eager = evaluate(p, replace(p.current, attention="eager"), as_run=True)
        out["current_eager"] = Estimate(eager.per_gpu, "bytes", "the same plan with eager attention: "
                                        + _memory_line(p, eager), SOURCES + ("pt-sdpa",))
        out["current_eager_fits"] = Estimate(eager.fits, None, "whether the plan fits with eager attention",
                                             SOURCES + ("pt-sdpa",))
    # only with a modelled activation footprint, and not a 0 for a run that trains (its count overstates it)
    if cur.max_micro is not None and not (cur.max_micro < 1 and p.runs and not p.oom):
        if p.said_max_micro == cur.max_micro and cur.micro == cur.max_micro and cur.per_gpu > p.cap:
            largest = f"{cur.max_micro}: what you say runs (the estimate's assumptions put it over {fmt_card(p.budget)})"
        else:
            largest = f"{cur.max_micro}: the largest whose peak stays within {fmt_card(p.budget)}"
        out["current_max_micro"] = Estimate(cur.max_micro, None, largest, SOURCES)
    return out


def _asked_changes(p: Problem, said: str) -> list[Knobs]:
    """The user's plan with each setting a question asks about ("would zero3 help or cpu offload?": 'zero_stage=3;
    offload=cpu', facts.yaml `asked_settings`), one change at a time; settings that change nothing, or that the
    search has no knob for, are left out."""
    cur, out = p.current, []
    for item in said.split(";")[:8]:
        name, _, value = item.strip().partition("=")
        k = None
        if name == "parallelism" and value == "zero" and cur.gpus > 1 and not cur.zero:
            # "do I need DeepSpeed?" names no stage: the two that shard more than the optimizer, each as a change
            for stage in (2, 3):
                if replace(cur, zero=stage) not in out:
                    out.append(replace(cur, zero=stage))
            continue
        if name == "zero_stage" and value.isdigit() and cur.gpus > 1:
            k = replace(cur, zero=min(int(value), 3))
        elif name == "parallelism" and value in ("fsdp", "ddp") and cur.gpus > 1:
            k = replace(cur, zero=3 if value == "fsdp" else 0)
        elif name == "offload" and value in ("cpu", "nvme"):
            k = replace(cur, offload=True, precision="mixed" if cur.precision != "bf16" else cur.precision)
        elif name == "grad_checkpointing" and value == "True":
            k = replace(cur, checkpointing="full")
        elif name == "optimizer" and value in ("adamw_8bit", "adamw_4bit", "sgd", "adafactor", "lion", "adamw", "adam"):
            k = replace(cur, optimizer=value)
        elif name == "precision" and value in ("fp32", "amp_bf16", "amp_fp16", "bf16"):
            k = replace(cur, precision=value)
        elif name == "adapter" and value in ("lora", "qlora") and p.finetune is not False:
            k = replace(cur, adapter=value, precision=(("amp_fp16" if p.bf16 is False else "amp_bf16")
                                                       if cur.precision == "fp32" else cur.precision))
        elif name == "attention" and value == "flash":
            k = replace(cur, attention="flash")
        elif name == "fused_loss" and value == "True":
            k = replace(cur, fused_loss=True)
        if k is not None and k != cur and k not in out:
            out.append(k)
    return out


def _combined(current: Knobs, changes: list[Knobs]) -> Knobs | None:
    """The changes asked about made together, when there are several and no two change the same setting ("zero2 or
    fsdp?" are alternatives: None)."""
    if len(changes) < 2:
        return None
    fields = [{name for name in Knobs.__dataclass_fields__ if getattr(k, name) != getattr(current, name)} - {"precision"}
              for k in changes]
    if any(a & b for i, a in enumerate(fields) for b in fields[i + 1:]):
        return None
    merged = current
    for k, changed in zip(changes, fields):
        merged = replace(merged, **{name: getattr(k, name) for name in changed | ({"precision"} if k.precision !=
                                                                                   current.precision else set())})
    return merged


def _asked_line(p: Problem, cur: Candidate, knobs: Knobs) -> str:
    """'ZeRO-2 (FSDP shard grad/optimizer): 31.2 GiB, fits at micro-batch 4 × 1 accumulation step' - one change asked
    about, with its memory per GPU."""
    c = evaluate(p, knobs)
    title = "; ".join(describe_changes(p.current, knobs))
    line = f"{title}: {fmt_bytes_gib(c.per_gpu)}, " + ("fits" if c.fits else "does not fit")
    if c.fits and c.micro and c.accum and c.max_micro is not None:
        line += f" at micro-batch {c.micro} × {c.accum} accumulation step{'s' if c.accum > 1 else ''}"
    return line


# the inputs the search assumes when unsaid ("AdamW", "bf16 autocast"), and the values an answer could give them
ASSUMED_INPUTS = {"optimizer": (("AdamW",), ("adamw", "adamw_8bit", "sgd")),
                  "precision": (("fp32", "bf16 autocast", "fp16 autocast"), ("fp32", "autocast", "bf16"))}
DECISIVE_MICRO = 1.25  # an answer that moves the largest micro-batch by more than a quarter decides it (heuristic)


def _assumed_answers(p: Problem) -> list[tuple[str, list[tuple[str, Candidate]]]]:
    """Each input the search assumed (ASSUMED_INPUTS), with the user's plan at each of its plausible answers
    ((answer, plan) pairs)."""
    out = []
    for fact, (labels, values) in ASSUMED_INPUTS.items():
        if not set(labels) & set(p.assumed):
            continue
        plans = []
        for value in values:
            if fact == "precision" and value == "fp32" and p.current.adapter != "none":
                continue  # adapters train under autocast (the search counts them so): fp32 is no answer to weigh
            answer = value
            if fact == "precision":
                value = ("amp_fp16" if p.bf16 is False else "amp_bf16") if value == "autocast" else value
                if p.current.zero and value in ("amp_bf16", "amp_fp16") and p.current.adapter == "none":
                    value = "mixed"  # DeepSpeed's 16-bit modes, as the user's own plan is counted
            plans.append((answer, evaluate(p, replace(p.current, **{fact: value}), as_run=True)))
        out.append((fact, plans))
    return out


def _not_decisive(p: Problem, cur: Candidate, answers: list[tuple[str, list[tuple[str, Candidate]]]]) -> list[str]:
    """The inputs the search assumed whose other plausible values leave the user's plan as it is: fitting whatever
    the answer (or, with adapters, not fitting whatever it is), with its largest micro-batch within a quarter
    ("which optimizer?" for LoRA adapters, whose states are 1% of the weights). A question for one would not change
    the advice."""
    out = []
    for fact, answered in answers:
        plans = [c for _, c in answered]
        if cur.max_micro is None and fact == "precision":
            continue  # activations not counted: the precision sets their size, which decides the batch that fits
        # the largest micro-batch, or without activations counted, the room left for them
        sizes = [c.max_micro if c.max_micro is not None else max(c.headroom or 0.0, 0.0) for c in plans]
        # (a plan that does not fit whatever the answer may still get another option from it: asked, unless the
        # answer moves only adapter states, a hundredth of the weights)
        settled = all(c.fits for c in plans) or (p.current.adapter != "none" and not any(c.fits for c in plans))
        if settled and max(sizes) <= DECISIVE_MICRO * max(1, min(sizes)):
            out.append(fact)
    return out


def _layout_unsaid(p: Problem) -> bool:
    """Several GPUs, each counted with a whole copy because no layout (or no ZeRO stage) was said."""
    return WHOLE_COPY in p.assumed or NO_STAGE in p.assumed


def _sharded(p: Problem) -> Candidate | None:
    """The user's plan on its GPUs with the states sharded over them (ZeRO-3 / FSDP full shard), where it keeps a
    whole copy on each now (DDP, said or assumed): what spreading the model over the GPUs gives each."""
    k = p.current
    if k.gpus < 2 or k.zero or k.split > 1 or k.offload:
        return None
    return evaluate(p, replace(k, zero=3), as_run=True)  # (under ZeRO-3 autocast's fp32 weights shard like the rest)


def _decisive(p: Problem, cur: Candidate, sharded: Candidate | None,
              answers: list[tuple[str, list[tuple[str, Candidate]]]]) -> list[str]:
    """The inputs the search assumed whose plausible answers decide whether the plan fits (one answer fits, another
    does not), by how much they move its memory per GPU: the questions to ask first. The layout of several GPUs
    whose DDP was assumed is one (sharding the states over them, its other answer); pure bf16 is a change to offer
    more than an answer to expect."""
    swings = [(fact, [c for answer, c in answered if answer != "bf16"]) for fact, answered in answers]
    if _layout_unsaid(p) and sharded is not None:
        swings.append(("layout", [cur, sharded]))
    decided = [(max(c.per_gpu for c in plans) - min(c.per_gpu for c in plans), fact) for fact, plans in swings
               if len({c.fits for c in plans}) > 1]
    return [fact for _, fact in sorted(decided, key=lambda item: -item[0])]


# the counts "how many GPUs do I need?" is answered in: one machine's 1, 2, 4 or 8, then whole 8-GPU machines (24 is
# three of them, where powers of two would jump from 16 to 32), coarser past 64
GPU_COUNTS = (1, 2, 4, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512)


def _fewest(p: Problem, offload: bool) -> Candidate | None:
    """The fewest GPUs (from GPU_COUNTS, fewer than the user has too: "how many do I need?") on which the user's
    plan fits with its states sharded over them (ZeRO-3 / FSDP full shard, and activation checkpointing where
    activations are modelled)."""
    cur = p.current
    if offload and (cur.adapter != "none" or cur.optimizer in QUANTIZED):
        return None
    for n in GPU_COUNTS:
        knobs = replace(cur, gpus=n, zero=3 if n > 1 else 0, offload=offload, split=cur.split if n == cur.gpus else 1,
                        precision="mixed" if offload and cur.precision != "bf16" else cur.precision,
                        checkpointing="full" if p.spec is not None and cur.checkpointing != "offloaded"
                        else cur.checkpointing)
        c = evaluate(replace(p, gpus_max=n), knobs)
        if c.fits:
            return c
    return None


@estimator("gpus", "per_gpu", "gpus_offload", "per_gpu_offload", "cpu_offload",
           cites=SOURCES + ("zero-offload", "deepspeed-memory"))
def gpus_needed(params: float, gpu_memory: float, precision: str | None = None, optimizer: str | None = None,
                num_gpus: int | None = None, adapter: str | None = None, training_mode: str | None = None,
                model_preset: str | None = None, model_shape: str | None = None, architecture: str | None = None,
                multimodal_named: bool | None = None,
                seq_len: int | None = None, micro_batch: int | None = None,
                grad_accum_steps: int | None = None, batch_size: int | None = None, gpu_model: str | None = None,
                grad_checkpointing: bool | None = None, attention: str | None = None, image_size: int | None = None,
                cuda_context: float | None = None, safety_margin: float | None = None,
                adapter_fraction: float | None = None, lora_adapter_share: float | None = None) -> dict[str, Estimate]:
    """"How many GPUs do I need?": the fewest GPUs on which the user's own plan (its adapters, optimizer and
    precision kept) fits with the model states sharded over all of them, and the fewest with the optimizer
    offloaded to CPU RAM as well."""
    try:
        p = _problem(dict(locals()))
    except InputError as exc:
        raise NotComputable(str(exc)) from None
    sharded = _fewest(p, offload=False)
    if sharded is None:
        raise NotComputable(f"the plan does not fit even on {GPU_COUNTS[-1]} GPUs of {fmt_card(p.budget)}")
    assumed = _assumed(p)
    n = sharded.knobs.gpus
    how = "on one GPU" if n == 1 else f"sharded over {n} GPUs (ZeRO-3 / FSDP full shard)"
    out = {"gpus": Estimate(n, "count", f"the fewest GPUs (1, 2, 4, then whole 8-GPU machines) that fit your plan, "
                            f"{how}{assumed}", SOURCES),
           "per_gpu": Estimate(sharded.per_gpu, "bytes", _memory_line(p, sharded) + assumed, SOURCES)}
    offloaded = _fewest(p, offload=True)
    if offloaded is not None and offloaded.knobs.gpus < n:
        m = offloaded.knobs.gpus
        out["gpus_offload"] = Estimate(m, "count", f"with the optimizer offloaded to CPU RAM: {m} GPU(s)",
                                       SOURCES + ("zero-offload", "deepspeed-memory"))
        out["per_gpu_offload"] = Estimate(offloaded.per_gpu, "bytes", _memory_line(p, offloaded),
                                          SOURCES + ("zero-offload", "deepspeed-memory"))
        out["cpu_offload"] = Estimate(host_cpu(p, offloaded), "bytes", "CPU RAM the offloaded states need on each "
                                      f"machine: {fmt_bytes_gib(host_cpu(p, offloaded))}",
                                      SOURCES + ("zero-offload", "deepspeed-memory"))
    return out


def _logits(p: Problem, c: Candidate) -> dict[str, Estimate]:
    """A language model's logits and the loss's tensors in a plan's memory per GPU, and their share of it ("why does
    the 2B model need more memory than the 7B?": a large vocabulary's logits can outweigh the model)."""
    logits = c.components.get(LOGITS_PART, 0.0)
    if logits <= 0 or c.per_gpu <= 0 or p.spec is None or not p.spec.vocab:
        return {}
    rows = (c.micro or 1) * p.sequences_per_sample
    return {"logits": Estimate(logits, "bytes", f"{rows} sequence(s) × {p.spec.seq_len:,} tokens × {p.spec.vocab:,} "
                               f"vocabulary scores, held three times at the start of backward (the loss's log-softmax "
                               f"and two gradients of its size) = {fmt_bytes_gib(logits)}", SOURCES),
            "logits_share": Estimate(logits / c.per_gpu, "fraction", f"{fmt_bytes_gib(logits)} of "
                                     f"{fmt_bytes_gib(c.per_gpu)} per GPU", ("arithmetic",)),
            "model_vocab": Estimate(p.spec.vocab, "count", f"{p.spec.name}: a {p.spec.vocab:,}-token vocabulary",
                                    ("hf-anatomy",))}


NO_CARD = 1e15  # bytes: a card larger than any plan, so that the user's plan is measured, not fitted


@estimator("per_gpu", "per_gpu_checkpointed", "checkpointing_saves", "checkpointed_rest", "assumed", "states",
           "largest_card", "logits", "logits_share", "model_vocab", "named_card", "activations_counted",
           cites=SOURCES + UNSLOTH_SOURCES + ("chen-ckpt", "gpu-catalogue", "arithmetic"))
def memory_needed(params: float, precision: str | None = None, optimizer: str | None = None,
                  num_gpus: int | None = None, zero_stage: int | None = None, parallelism: str | None = None,
                  offload: str | None = None, adapter: str | None = None, training_mode: str | None = None,
                  model_preset: str | None = None, model_shape: str | None = None, architecture: str | None = None,
                  multimodal_named: bool | None = None,
                  seq_len: int | None = None, micro_batch: int | None = None,
                  grad_accum_steps: int | None = None, grad_checkpointing: bool | None = None,
                  checkpoint_offload: bool | None = None, attention: str | None = None, image_size: int | None = None,
                  cuda_context: float | None = None, batch_size: int | None = None,
                  adapter_fraction: float | None = None, lora_adapter_share: float | None = None,
                  gpu_model: str | None = None, embedding_training: bool | None = None,
                  claim_contrastive: bool | None = None,
                  fused_loss: bool | None = None, logits_16bit: bool | None = None) -> dict[str, Estimate]:
    """"How much GPU memory does it need?" before a card is named: the user's plan per GPU at their micro-batch
    (else their batch per update over their GPUs and accumulation, else 1), with the assumptions for what they did
    not say."""
    try:
        # (the card named only bounds the states below: the count stays the card-less one, its precision unassumed)
        p = _problem({**{k: v for k, v in locals().items() if k != "gpu_model"}, "gpu_memory": NO_CARD})
    except InputError as exc:
        raise NotComputable(str(exc)) from None
    if p.sharded_over_unsaid and p.current.adapter == "none" and (parallelism == "fsdp" or (zero_stage or 0) >= 3):
        # FSDP or ZeRO said and the GPUs they shard over not: one GPU's figure would be every weight's whole states
        # (finding-sharded-states-total gives them before the split; with adapters the activations dominate)
        raise NotComputable("the states are sharded over GPUs you did not count")
    micro = p.micro_batch
    if not micro and batch_size:  # "how much VRAM for batch 4?": the batch per update, split as the user runs it
        micro = max(1, int(batch_size) // (p.current.gpus * (p.grad_accum or 1)))
    # the plan itself: the share of a card kept free is the finding's to add, not this figure's
    # (no card to fit a micro-batch to: the count is at micro-batch 1, and says so)
    assumed_now = tuple("micro-batch 1" if a == LARGEST_MICRO_ASSUMED and not micro else a for a in p.assumed)
    p = replace(p, micro_batch=micro or 1, grad_accum=p.grad_accum or 1, target_batch=None, margin=0.0,
                assumed=type(p.assumed)(assumed_now))
    c = evaluate(p, p.current, as_run=True)
    if c.max_micro is None and p.offload_params and p.current.offload:
        # every state in CPU RAM and no model shape: what stays on the GPU (the layers gathered in turn, the
        # activations, the logits) is all that is left, and none of it is counted - the CUDA context alone is no answer
        raise NotComputable("with the parameters offloaded too, the GPU holds gathered layers and activations, which "
                            "no model shape lets me count")
    assumed = _assumed(p)
    parts = ", ".join(f"{name} {fmt_bytes_gib(v)}" for name, v in c.components.items() if v >= 0.005e9)
    at = f"at micro-batch {c.micro}" if c.max_micro is not None else "before activations (no model shape to count them)"
    out = {"per_gpu": Estimate(c.per_gpu, "bytes", f"{fmt_bytes_gib(c.per_gpu)} per GPU {at} ({parts}){assumed}",
                               _cited(p)),
           # (whether the figure holds the activations: without a model shape it is the states and the context)
           "activations_counted": Estimate(c.max_micro is not None, None, at, SOURCES),
           # (what the figure stands on, for the finding's own words: "nothing" when the user said everything)
           "assumed": Estimate(and_join(list(p.assumed), len(p.assumed)) if p.assumed else "nothing", None,
                               "what the count assumed because it was not said", SOURCES)}
    # the part ZeRO-3 and FSDP divide over the GPUs, and the largest card there is: a plan over it fits no one GPU
    states = sum(v for name, v in c.components.items() if name in ("weights", "gradients", "optimizer state"))
    out["states"] = Estimate(states, "bytes", f"weights, gradients and optimizer state: {fmt_bytes_gib(states)} per GPU"
                             f"{assumed}", SOURCES)
    out.update(_logits(p, c))
    largest = max(gpus().values(), key=lambda card: card.memory_bytes)
    out["largest_card"] = Estimate(largest.memory_bytes, "bytes", f"the largest card in the catalogue, the "
                                   f"{largest.names[0]}: {fmt_card(largest.memory_bytes)}", ("gpu-catalogue",))
    named = find_gpu(str(gpu_model).replace("-", " ")) if gpu_model else None
    if named is not None and named.candidates:
        # a card named without its size ("4 Titan GPUs"): the largest it can be, which the states alone may exceed
        biggest = max(named.candidates, key=lambda card: card.memory_bytes)
        out["named_card"] = Estimate(biggest.memory_bytes, "bytes", f"the largest {gpu_model}, the {biggest.names[0]}: "
                                     f"{fmt_card(biggest.memory_bytes)}", ("gpu-catalogue",))
    if c.max_micro is not None and p.current.checkpointing == "none":
        # what the same plan needs with activation checkpointing: the usual first lever, asked about or not
        k = replace(p.current, checkpointing="full")
        ck = evaluate(p, k, as_run=True)
        out["per_gpu_checkpointed"] = Estimate(ck.per_gpu, "bytes", f"{fmt_bytes_gib(ck.per_gpu)} per GPU {at} with "
                                               f"activation checkpointing{assumed}", SOURCES + ("chen-ckpt",))
        # what checkpointing takes off, which a rule holds against what is left: the lever, whatever the card
        saved = c.per_gpu - ck.per_gpu
        out["checkpointing_saves"] = Estimate(saved, "bytes", f"activation checkpointing saves {fmt_bytes_gib(saved)} "
                                              "per GPU", SOURCES + ("chen-ckpt",))
        # what no sharding of the states divides: one micro-batch's checkpointed activations, its logits and the
        # context - over the largest card, a sequence that long has to be split along its length
        rest = ck.per_gpu - sum(v for name, v in ck.components.items()
                                if name in ("weights", "gradients", "optimizer state"))
        out["checkpointed_rest"] = Estimate(rest, "bytes", f"{fmt_bytes_gib(rest)} per GPU {at} with activation "
                                            f"checkpointing, besides the weights, gradients and optimizer state"
                                            f"{assumed}", SOURCES + ("chen-ckpt",))
    return out


@estimator("stage1", "stage2", "stage3", cites=("zero", "hf-anatomy", "arithmetic"))
def zero_stage_states(params: float, num_gpus: int, precision: str | None = None, optimizer: str | None = None,
                      adapter: str | None = None) -> dict[str, Estimate]:
    """"ZeRO-2 or ZeRO-3?": the model states per GPU under each stage over the user's GPUs (weights, gradients and
    optimizer state; activations come on top and do not change with the stage)."""
    from advisor.domain.estimators.training import TrainingSetup, model_state_parts

    n = int(num_gpus)
    if n < 2:
        raise NotComputable("ZeRO stages shard over several GPUs; on one GPU they are the same")
    precision = precision or "fp32"
    if precision in ("amp_bf16", "amp_fp16"):
        precision = "mixed"  # DeepSpeed's bf16/fp16 modes: 16-bit weights and gradients, fp32 master in the optimizer
    adapted = adapter in ("lora", "qlora")
    out = {}
    for stage in (1, 2, 3):
        setup = TrainingSetup(precision=precision, optimizer=optimizer or "adamw", gpus=n, zero=stage,
                              trainable_fraction=0.01 if adapted else 1.0,
                              base_bits=(4 if adapter == "qlora" else 16) if adapted else 0)
        parts, _, _ = model_state_parts(int(params), setup, None)
        total = sum(parts.values())
        text = f"ZeRO-{stage} over {n} GPUs: " + ", ".join(f"{k} {fmt_bytes_gib(v)}" for k, v in parts.items()) \
            + f" = {fmt_bytes_gib(total)} per GPU"
        out[f"stage{stage}"] = Estimate(total, "bytes", text, ("zero", "hf-anatomy", "arithmetic"))
    return out
