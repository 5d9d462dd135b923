"""The situation: one typed model of what the user has, trains, plans and asks, and its mapping onto the facts the
knowledge base reasons with.

A `Situation` is filled from free text (`reader.read`), from a structured call (the chat tools and MCP pass one,
so a function-calling model fills it from a conversation), or both; `facts_of` turns it into the input facts of
`rules/facts.yaml`, each with the words it came from. Its JSON Schema is `advisor schema situation`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from advisor.reading import chinese, hardware
from advisor.reading.layouts import PER_PROCESS
from advisor.reading.reader import Reading
from advisor.reading.state import Read
from advisor.reading.timings import TIMING_FACTS

Strictly = ConfigDict(extra="forbid")


class Hardware(BaseModel):
    model_config = Strictly
    gpu_model: Optional[str] = Field(None, description="GPU id or name, e.g. 'a100-80gb', 'rtx-3090', 'T4'")
    gpu_memory_gb: Optional[float] = Field(None, gt=0, le=4096, description="Memory of ONE GPU in GB as the card is "
                                           "sold (24 for an RTX 3090; a card 'N GB' is N GiB nominal)")
    num_gpus: Optional[int] = Field(None, ge=1, le=100_000, description="GPUs in the user's own run, all nodes")
    num_nodes: Optional[int] = Field(None, ge=1, le=10_000)
    cpu_ram_gb: Optional[float] = Field(None, gt=0, le=1e6, description="Host memory per node, for offload")
    gpu_alternative: Optional[str] = Field(None, description="A second card the user weighs against the first ('an "
                                           "A6000 or an H100'): a catalogue name; the plan is checked on it too")
    gpu_second: Optional[str] = Field(None, description="A second, different card training beside the first in the same "
                                      "data-parallel run ('a Tesla K80 and a 1080 Ti'): a catalogue name")


class ModelInfo(BaseModel):
    model_config = Strictly
    name: Optional[str] = Field(None, description="A model id or name, e.g. 'llama-3-8b', 'mistral-7b', 'resnet50'")
    params: Optional[float] = Field(None, gt=0, le=1e14, description="Parameter count")


class Training(BaseModel):
    model_config = Strictly
    mode: Optional[Literal["scratch", "finetune"]] = Field(None, description="Pre-training from scratch or fine-tuning")
    adapter: Optional[Literal["none", "lora", "qlora"]] = Field(None, description="LoRA adapters; QLoRA = on a 4-bit base")
    lora_rank: Optional[int] = Field(None, ge=1, le=65536)
    lora_targets: Optional[Literal["all_linear", "attention", "qv"]] = Field(
        None, description="Layers LoRA adapts: every linear layer, the attention projections (q, k, v, o), or q and v")
    precision: Optional[Literal["fp32", "amp_bf16", "amp_fp16", "bf16", "fp16"]] = Field(
        None, description="amp_* = autocast with fp32 weights (HF --bf16/--fp16); bf16 = pure bf16 weights")
    optimizer: Optional[str] = Field(None, description="adamw, adam, sgd, sgd_momentum, adamw_8bit, adamw_4bit, "
                                     "paged_adamw_8bit, adafactor, lion, prodigy, …")
    parallelism: Optional[Literal["ddp", "dp", "fsdp", "zero", "tensor", "pipeline", "device_map"]] = Field(
        None, description="ddp = DistributedDataParallel (one process per GPU); dp = torch.nn.DataParallel (one process)")
    zero_stage: Optional[int] = Field(None, ge=0, le=3, description="DeepSpeed ZeRO stage")
    tensor_parallel: Optional[int] = Field(None, ge=1, le=100_000, description="Tensor-parallel size (Megatron's TP)")
    pipeline_parallel: Optional[int] = Field(None, ge=1, le=100_000, description="Pipeline-parallel size (PP)")
    sequence_parallel: Optional[int] = Field(None, ge=1, le=100_000, description="Sequence- (context-) parallel size: "
                                             "GPUs that share one sample's tokens, each holding the whole model")
    offload: Optional[Literal["cpu", "nvme"]] = None
    offload_params: Optional[bool] = Field(None, description="the parameters offloaded too (ZeRO-3 offload_param, FSDP "
                                           "CPU offload), not only the optimizer state")
    fused_loss: Optional[bool] = Field(None, description="a loss that never builds the whole logits (Unsloth, Liger, "
                                       "a chunked cross-entropy)")
    grad_checkpointing: Optional[bool] = None
    attention: Optional[Literal["flash", "sdpa", "eager"]] = None
    preference_objective: Optional[Literal["dpo", "kto", "orpo", "simpo", "reward"]] = Field(
        None, description="Preference training; DPO and KTO run a frozen reference copy of the model; reward: a pairwise "
                          "reward model (chosen and rejected sequences, no reference)")
    num_generations: Optional[int] = Field(None, ge=1, le=10**4, description="GRPO: completions sampled per prompt "
                                           "(TRL's num_generations); the batch sizes count completions")


class Batches(BaseModel):
    model_config = Strictly
    micro_batch: Optional[int] = Field(None, ge=1, le=10**7, description="Samples per GPU per forward/backward")
    grad_accum_steps: Optional[int] = Field(None, ge=1, le=10**6)
    global_batch: Optional[int] = Field(None, ge=1, le=10**9, description="Samples per optimizer update, all GPUs")
    seq_len: Optional[int] = Field(None, ge=1, le=10**7, description="Tokens per sample")
    image_size: Optional[int] = Field(None, ge=1, le=100_000)


class Schedule(BaseModel):
    model_config = Strictly
    lr: Optional[float] = Field(None, gt=0, lt=100)
    warmup_steps: Optional[int] = Field(None, ge=0, le=10**9)
    warmup_ratio: Optional[float] = Field(None, ge=0, lt=1)
    epochs: Optional[float] = Field(None, gt=0, le=1e5)
    planned_steps: Optional[int] = Field(None, ge=1, le=10**9, description="Optimizer steps the run is set to take "
                                     "(max_steps, max_iters, train_iters)")
    dataset_size: Optional[float] = Field(None, gt=0, le=1e15, description="Training examples")


class Reference(BaseModel):
    """A setup the user compares with (a paper's, a recipe's, a script's default, an earlier run) - not theirs."""

    model_config = Strictly
    batch: Optional[int] = Field(None, ge=1, le=10**9)
    lr: Optional[float] = Field(None, gt=0, lt=100)
    model: Optional[str] = None


class Changes(BaseModel):
    model_config = Strictly
    batch_from: Optional[int] = Field(None, ge=1, le=10**9)
    batch_to: Optional[int] = Field(None, ge=1, le=10**9)
    batch_scale_factor: Optional[float] = Field(None, gt=0, le=1e6)
    lr_from: Optional[float] = Field(None, gt=0, lt=100)
    lr_to: Optional[float] = Field(None, gt=0, lt=100)
    gpus_from: Optional[int] = Field(None, ge=1, le=100_000, description="GPU count before a change ('from 1 to 4')")
    gpus_to: Optional[int] = Field(None, ge=1, le=100_000, description="GPU count after it (the run asked about)")


class Situation(BaseModel):
    """Everything the advisor knows about the user's situation; every field optional."""

    model_config = Strictly
    hardware: Hardware = Hardware()
    model: ModelInfo = ModelInfo()
    training: Training = Training()
    batches: Batches = Batches()
    schedule: Schedule = Schedule()
    reference: Reference = Reference()
    changes: Changes = Changes()
    oom: Optional[bool] = Field(None, description="The user reports an out-of-memory error")
    goal: Optional[Literal["fit", "faster", "match_reference", "choose_lr", "explain_result", "choose_batch"]] = None


# reader field -> (situation section, field)
_PLACES = {
    "gpu_model": ("hardware", "gpu_model"), "gpu_memory_gb": ("hardware", "gpu_memory_gb"),
    "cpu_ram_gb": ("hardware", "cpu_ram_gb"),
    "num_gpus": ("hardware", "num_gpus"), "num_nodes": ("hardware", "num_nodes"),
    "model": ("model", "name"), "params": ("model", "params"),
    "training_mode": ("training", "mode"), "adapter": ("training", "adapter"), "lora_rank": ("training", "lora_rank"),
    "lora_targets": ("training", "lora_targets"),
    "precision": ("training", "precision"), "optimizer": ("training", "optimizer"),
    "parallelism": ("training", "parallelism"), "zero_stage": ("training", "zero_stage"),
    "tensor_parallel": ("training", "tensor_parallel"), "pipeline_parallel": ("training", "pipeline_parallel"),
    "sequence_parallel": ("training", "sequence_parallel"),
    "offload": ("training", "offload"), "offload_params": ("training", "offload_params"),
    "fused_loss": ("training", "fused_loss"),
    "grad_checkpointing": ("training", "grad_checkpointing"),
    "attention": ("training", "attention"), "preference_objective": ("training", "preference_objective"),
    "num_generations": ("training", "num_generations"),
    "micro_batch": ("batches", "micro_batch"), "grad_accum_steps": ("batches", "grad_accum_steps"),
    "global_batch": ("batches", "global_batch"), "seq_len": ("batches", "seq_len"),
    "image_size": ("batches", "image_size"),
    "lr": ("schedule", "lr"), "warmup_steps": ("schedule", "warmup_steps"), "warmup_ratio": ("schedule", "warmup_ratio"),
    "epochs": ("schedule", "epochs"), "dataset_size": ("schedule", "dataset_size"),
    "planned_steps": ("schedule", "planned_steps"),
    "batch_from": ("changes", "batch_from"), "batch_to": ("changes", "batch_to"),
    "batch_scale_factor": ("changes", "batch_scale_factor"), "lr_from": ("changes", "lr_from"),
    "lr_to": ("changes", "lr_to"), "gpus_from": ("changes", "gpus_from"), "gpus_to": ("changes", "gpus_to"),
}


IDLE_GPU_BYTES = 128 * 2**20  # less in use than this on a GPU is no training process's (its CUDA context is more)


def labels_of(reading: Reading) -> dict[str, Any]:
    """The reading in the corpus's label vocabulary (tests/corpus/real_messages.yaml)."""
    v = {name: r.value for name, r in reading.values.items()}
    out: dict[str, Any] = {}
    for name in ("gpu_model", "gpu_memory_gb", "num_gpus", "num_nodes", "model", "lora_rank", "precision",
                 "optimizer", "parallelism", "zero_stage", "offload", "grad_checkpointing", "attention",
                 "micro_batch", "grad_accum_steps", "seq_len", "image_size", "lr", "warmup_steps", "warmup_ratio",
                 "epochs", "dataset_size", "batch_from", "batch_to", "oom", "goal"):
        if name in v:
            out[name] = v[name]
    if reading.job_gpus is not None:  # (the corpus labels the GPUs a job runs on, all its pools together)
        out["num_gpus"] = reading.job_gpus.value
    micro = reading.values.get("micro_batch")
    if "global_batch" in v and not (micro is not None and micro.implied and micro.text == reading.values["global_batch"].text):
        out["batch_size"] = v["global_batch"]  # (on one GPU a batch per update is labelled as the per-device batch)
    changed = {v[name] for name in ("batch_from", "batch_to") if name in v}
    for name in ("micro_batch", "batch_size"):  # a batch the change names is the change's, not a third value
        if out.get(name) in changed:
            del out[name]
    if "params" in v:  # as written ("a 7B model", "Llama-2-7B"); a catalogue count is the engine's business
        out["params"] = v["params"]
    mode = v.get("adapter") or v.get("training_mode")
    if mode:
        out["training_mode"] = mode
    ref = reading.reference.get("batch")
    if ref is not None:
        out["reference_batch"] = ref.value
    return out


def _peak_tflops(gpu_id: str) -> float | None:
    """The card's peak dense 16-bit TFLOP/s; for a family named without its size ("A100"), the peak its members
    share (the A100 40GB and 80GB both 312), none when they differ."""
    from advisor.domain.gpus import families, gpus

    card = gpus().get(gpu_id)
    members = (card,) if card is not None else families().get(gpu_id, ())
    peaks = {card.bf16_tflops_dense or card.fp16_tflops_dense for card in members}
    return peaks.pop() if len(peaks) == 1 else None


def shape_params(reading: Reading) -> tuple[float, str] | None:
    """A transformer's parameters counted from the shape its settings give (`--num-layers 36 --hidden-size 1280
    --num-attention-heads 20`, nanoGPT's n_layer/n_head/n_embd, a pasted config.json), with the settings' words:
    per layer the attention's projections (query and output d×d, key and value d×d·kv_heads/heads) and the MLP's
    two d×d_ff matrices (three when it is gated, SwiGLU; d_ff 4d unless given), plus the embeddings when the
    vocabulary is given. The heads must be named too: layers and a hidden size alone are also an LSTM's. Without a
    vocabulary only a model of 50,000 layer-widths or more is counted, where a 50k-word embedding is under 8%."""
    shape = reading.shape
    if not {"n_layers", "d_model", "n_heads"} <= shape.keys():
        return None
    layers, width, heads = shape["n_layers"].value, shape["d_model"].value, shape["n_heads"].value
    if "vocab" not in shape and layers * width < MIN_LAYER_WIDTHS:
        return None
    ff = shape["d_ff"].value if "d_ff" in shape else 4 * width
    kv = min(shape["n_kv_heads"].value, heads) if "n_kv_heads" in shape else heads
    attention = 2 * width * width + 2 * width * (width * kv // heads)
    mlp = (3 if reading.gated_mlp else 2) * width * ff
    count = layers * (attention + mlp) + (shape["vocab"].value * width if "vocab" in shape else 0)
    return float(count), reading.shape_text


MIN_LAYER_WIDTHS = 50_000  # layers × width from which a shape without its vocabulary is counted


def shape_written(reading: Reading) -> str:
    """The shape the settings give, as the fact `model_shape` writes it ("n_layers=32 d_model=4096 n_heads=32
    n_kv_heads=8 d_ff=14336 gated=1"), or "" when layers, width and heads are not all given."""
    shape = reading.shape
    if not {"n_layers", "d_model", "n_heads"} <= shape.keys():
        return ""
    parts = [f"{name}={shape[name].value}" for name in ("n_layers", "d_model", "n_heads", "n_kv_heads", "d_ff", "vocab")
             if name in shape]
    return " ".join(parts + (["gated=1"] if reading.gated_mlp else []))


def _catalogue_params(model_id: str) -> float | None:
    from advisor.domain.catalogue import preset

    try:
        return float(preset(model_id).params)
    except Exception:  # noqa: BLE001 - a family name without a preset has no count
        return None


MAX_LINE_SIZES = 6  # a line in more sizes than this is asked for as a count, not as a list to choose from


def _line_sizes(family: str) -> str | None:
    """'bert-base (109M) or bert-large (335M)': the catalogue's models of a line named without its size, or None
    where it knows fewer than two or too many to list."""
    from advisor.domain import catalogue
    from advisor.units import fmt_sig

    def short(count: float) -> str:  # (3 figures: "110M", "1.54B")
        return next(f"{fmt_sig(count / scale, 3)}{suffix}" for suffix, scale in (("B", 1e9), ("M", 1e6), ("k", 1e3), ("", 1))
                    if count >= scale)

    members = catalogue.line_members(family)
    if not 2 <= len(members) <= MAX_LINE_SIZES:
        return None
    return _either([f"{name} ({short(catalogue.preset(name).params)})" for name in members])


LENGTH_CAPS = ("cutoff", "max_len", "max_seq", "max_source", "max_target")  # ("max_len" in max_length, model_max_length)


def _length_that_ran(reading: Reading) -> Read | None:
    """A shorter sequence length said of a run that worked, beside the longer one read as the run's that failed
    ("seq len 1024 runs fine, 2048 OOMs"): the length the run last fitted at, or None."""
    run = reading.values.get("seq_len")
    if run is None or run.mood != "fail":
        return None
    for a, b in reading.conflicts:
        for ran, failed in ((a, b), (b, a)):
            if ran.field == "seq_len" and failed is run and ran.mood == "ok" and 0 < ran.value < run.value:
                return ran
    return None


def _card_sizes(family: str) -> str | None:
    """'40GB or 80GB': the sizes the catalogue knows a card family in, or None for a card that is no family."""
    from advisor.domain.gpus import families

    members = families().get(family)
    sizes = sorted({m.memory_gb for m in members}) if members else []
    if len(sizes) < 2:
        return None
    return _either([f"{size:g}GB" for size in sizes])


def _either(choices: list[str]) -> str:
    """'a, b or c': choices offered in a question."""
    return ", ".join(choices[:-1]) + " or " + choices[-1]


# ------------------------------------------------------------------------------------------ to the engine's facts

OPTIMIZER_FACT = {"paged_adamw_8bit": "adamw_8bit", "paged_adamw_32bit": "adamw"}  # same memory as these
# reader field -> fact, where the value passes as it is
_DIRECT = (("num_gpus", "num_gpus"), ("seq_len", "seq_len"), ("grad_accum_steps", "grad_accum_steps"),
           ("lr", "base_lr"), ("epochs", "epochs"), ("dataset_size", "dataset_size"),
           ("training_mode", "training_mode"), ("precision", "precision"), ("oom", "oom"), ("gpu_model", "gpu_model"),
           ("num_nodes", "num_nodes"), ("adapter", "adapter"), ("lora_rank", "lora_rank"),
           ("lora_targets", "lora_targets"), ("base_bits", "base_bits"),
           ("parallelism", "parallelism"), ("zero_stage", "zero_stage"), ("offload", "offload"),
           ("offload_params", "offload_params"), ("fused_loss", "fused_loss"),
           ("grad_checkpointing", "grad_checkpointing"), ("attention", "attention"), ("image_size", "image_size"),
           ("image_size_from", "image_size_from"),
           ("warmup_steps", "warmup_steps"), ("warmup_ratio", "warmup_ratio"),
           ("batch_scale_factor", "batch_scale_factor"), ("lr_scale_factor", "lr_scale_factor"),
           ("goal", "user_goal"), ("global_batch", "batch_size"), ("preference_objective", "preference_objective"),
           ("num_generations", "num_generations"), ("planned_steps", "planned_steps"), ("ultralytics", "ultralytics"),
           ("accelerate", "accelerate"), ("lightning", "lightning_named"), ("asked_topics", "asked_topics"), ("rollout_prompts", "rollout_prompts"),
           ("ppo_mini_prompts", "ppo_mini_prompts"), ("gpus_available", "gpus_available"))
# every fact facts_of may fill, and the timings' own (marked `reader: true` in rules/facts.yaml; tests/test_reader.py
# checks both ways)
READER_FACTS = frozenset({fact for _, fact in _DIRECT} | TIMING_FACTS | {"micro_batch", "optimizer", "gpu_memory", "params",
                                                          "model_preset", "model_named", "model_line_sizes", "model_compared",
                                                          "gpu_named", "gpu_line_sizes", "seq_len_ran", "seq_len_is_cap", "unified_memory_named",
                                                          "reference_batch", "batch_unqualified",
                                                          "full_training", "cpu_ram", "gpu_alternative",
                                                          "gpu_alternative_memory", "gpu_second", "gpu_second_memory", "target_tokens_per_step",
                                                          "max_micro_batch", "gpu_peak_tflops", "split_gpus",
                                                          "claim_run_fits", "asked_settings", "model_parallel_gpus",
                                                          "sequence_parallel_gpus",
                                                          "accumulation_implied", "rl_method", "optimizer_named", "pipeline_stages",
                                                          "logits_16bit", "deepspeed_world_size_seen", "user_lr",
                                                          "deepspeed_batch_asked", "deepspeed_batch_product",
                                                          "gpu_count_unsaid", "compared_gpus", "hf_trainer", "said_and_set_disagree", "rl_trainer",
                                                          "compared_micro_batch", "compared_runs_own", "measured_use",
                                                          "named_card_memory", "gpu_memory_written", "reference_micro_batch",
                                                          "oom_capacity", "split_micro_batch", "split_accum_steps",
                                                          "split_other_micro_batch", "split_other_accum_steps",
                                                          "model_shape", "adapter_params",
                                                          "accumulation_over_gpus", "asked_batch",
                                                          "reference_steps", "launch", "sharding_asked",
                                                          "asked_micro_batch", "reference_batch_own", "reference_batch_from_gpus",
                                                          "machine_gpus", "reference_layout_micro",
                                                          "reference_layout_gpus", "reference_layout_accum",
                                                          "several_machines", "reference_num_gpus",
                                                          "claim_multi_gpu_oom_one_fits", "zero_stage_errored"})


OWN_BATCHES = frozenset({"batch", "micro_batch", "global_batch", "batch_unqualified", "batch_from", "batch_to"})


def _reference_gpus(reading: Reading, put: Any) -> None:
    """The reference's GPUs: counted, or its nodes × the GPUs of each ("16 nodes of 8 H100s")."""
    ref = reading.reference
    gpus, nodes, per_node = ref.get("num_gpus"), ref.get("num_nodes"), ref.get("gpus_per_node")
    if gpus is not None:
        put("reference_num_gpus", gpus.value, gpus.text)
    elif nodes is not None and per_node is not None:
        put("reference_num_gpus", nodes.value * per_node.value, nodes.text)


def _sized_in_name(text: str, nbytes: float) -> bool:
    """Whether a card's name as written carries its memory ('A100 80G', 'RTX A6000 48GB'): the catalogue size, in
    GB or GiB, among its numbers."""
    sizes = {round(nbytes / 1e9), round(nbytes / 2**30)}
    return any(int(n) in sizes for n in re.findall(r"\d+", text))


def _is_change_source(v: dict, micro: Any) -> bool:
    """Whether the micro-batch read is the batch a change started from, said in its words ("I trained with batch
    256 … now I increased the batch to 1024", "changed … samples_per_gpu=6 … to samples_per_gpu=16")."""
    return micro is not None and "batch_from" in v and "batch_to" in v and micro.value == v["batch_from"].value \
        and micro.text in v["batch_from"].text


def _said_per_gpu(value: int, text: str) -> bool:
    """Whether the words give the batch `value` as each GPU's: "16 per GPU", "2 img/gpu", "32 images per device",
    "samples_per_gpu=2" (not "8x GPU (2 samples per gpu" for a product of 16: the per-GPU words are another
    number's)."""
    number = rf"(?<![\d.]){value}(?![\d.])"
    per_gpu = r"(?:per|each|/)[\s_-]?(?:gpu|device|card)s?\b"
    return bool(re.search(rf"{number}\s*(?:[a-z]{{1,12}}\s*)?{per_gpu}", text, re.IGNORECASE)
                or re.search(rf"{per_gpu}[a-z_]{{0,12}}\s*[:=]?\s*{number}", text, re.IGNORECASE))


def _machine_of_one_gpu_in_use(reading: Reading) -> Any:
    """The GPUs counted for a run that the message says uses one of them ("I think it does not use 8 gpus and just
    uses 1 gpu"): the count of the user's own above one, the value kept or one it disagreed with."""
    if reading.one_gpu_symptom is None:
        return None
    said = reading.values.get("num_gpus")
    counts = [said] + [r for pair in reading.conflicts for r in pair if r.field == "num_gpus"]
    return next((r for r in counts if r is not None and r.setup == "user" and r.value > 1), None)


def facts_of(reading: Reading, kb: Any) -> dict[str, tuple[Any, str]]:
    """The input facts (rules/facts.yaml names) a reading gives, each with the words it came from. Values the
    vocabulary cannot hold (an optimizer it does not know) are left out rather than guessed."""
    from advisor.engine.memory import coerce
    from advisor.units import UnitError

    v = reading.values
    out: dict[str, tuple[Any, str]] = {}

    def put(fact: str, value: Any, text: str) -> None:
        if fact not in READER_FACTS:  # a programming error: rules/facts.yaml must mark it `reader: true`
            raise KeyError(f"facts_of fills {fact!r}, which READER_FACTS does not declare")
        spec = kb.facts.get(fact)
        if spec is None or fact in out:
            return
        try:
            out[fact] = (coerce(spec, value), text)
        except UnitError:
            pass  # e.g. an optimizer outside the choices: nothing to reason with, so nothing claimed

    disagreement = _said_and_set_apart(reading)
    if disagreement is not None:
        put("said_and_set_disagree", *disagreement)
    machine = _machine_of_one_gpu_in_use(reading)
    if machine is not None:  # "8 gpus … it just uses 1 gpu": the run trains on one of the machine's GPUs
        put("machine_gpus", machine.value, machine.text)
        put("num_gpus", 1, reading.one_gpu_symptom)
    lowered = _lowering_asked(reading)
    if lowered is not None:  # the run is the batch that ran out; the smaller one is the question
        v, asked = lowered
        put("asked_micro_batch", asked.value, asked.text)
    elif reading.batch_kept is not None and "batch_from" in v and "batch_to" in v and "micro_batch" in v \
            and v["micro_batch"].value == v["batch_to"].value != v["batch_from"].value:
        # "If I raise the batch to 32 … to keep the effective batch at 64": the micro-batch asked about is no run's
        # yet; the run is the one it changes from (_split_kept)
        v = {**v, "micro_batch": replace(v["micro_batch"], value=v["batch_from"].value, text=v["batch_from"].text)}

    changed_from = _is_change_source(v, v.get("micro_batch"))
    if "micro_batch" in v and (not v["micro_batch"].implied or v["micro_batch"].value == 1) and not changed_from:
        # (a plain "batch size 1" is per device however many GPUs there are: no batch per update is smaller; not
        # the key's value a change started from: "changed … samples_per_gpu=6 … to samples_per_gpu=16")
        put("micro_batch", v["micro_batch"].value, v["micro_batch"].text)
    parallelism, count = v.get("parallelism"), v.get("num_gpus")
    if parallelism is not None and parallelism.value == "pipeline" and "adapter" in v and "pipeline_parallel" not in v \
            and not reading.deepspeed:
        # "transformers and PEFT to QLoRA InternLM-7B … with 2 GPUs by pipeline-parallel": with no pipeline engine
        # (Megatron, DeepSpeed) nor degree, an adapter run's "pipeline" is the model's layers split by device_map
        parallelism = replace(parallelism, value="device_map")
        put("parallelism", "device_map", parallelism.text)
    if reading.gpus_per_process is not None and count is not None:
        # 4 processes (NPROC_PER_NODE) over 8 visible GPUs: each process's copy split over 2 of them
        put("split_gpus", reading.gpus_per_process.value, reading.gpus_per_process.text)
        put("launch", "process_per_gpu", v["num_gpus"].text)  # (ms-swift starts them with torchrun)
        put("parallelism", "device_map", parallelism.text if parallelism is not None else reading.gpus_per_process.text)
    elif parallelism is not None and parallelism.value == "device_map" and count is not None and count.value > 1:
        # device_map="auto" over 2 GPUs: one process holds one copy of the model, its layers split over them - one GPU
        # in data parallel (num_gpus), which sets the batch per update; the split sets the memory per GPU
        put("split_gpus", count.value, count.text)
        put("num_gpus", 1, parallelism.text)
    tp, pp, dp = v.get("tensor_parallel"), v.get("pipeline_parallel"), v.get("data_parallel")
    spans = (tp.value if tp else 1) * (pp.value if pp else 1)
    if spans == 1 and parallelism is not None and parallelism.value == "tensor" and count is not None \
            and count.value > 1 and "modelparallel" in parallelism.text.lower():  # (the class, not "model parallel")
        # keras.distribution.ModelParallel on 4x 4090: a layout map shards each variable over the devices of its
        # mesh - one copy of the model over all of them, unless a degree is said
        put("model_parallel_gpus", count.value, parallelism.text)
        put("num_gpus", 1, parallelism.text)
    launched = _launched_count(reading)
    sequence = v.get("sequence_parallel")
    shares = sequence.value if sequence is not None else 1
    if shares > 1:
        # FastVideo's `--nproc_per_node 8 --sp_size 8`: the 8 GPUs split one clip's tokens, so one copy in data
        # parallel sets the batch per update (each GPU still holds the whole model: no model_parallel_gpus)
        put("sequence_parallel_gpus", shares, sequence.text)
    # (provenance quotes the message's own words: the model-parallel degree said, else the sequence-parallel one)
    said = (tp if tp and tp.value > 1 else pp).text if spans > 1 else sequence.text if shares > 1 else ""
    if spans > 1:  # "8x A100, TP 4, PP 1": one model copy over 4 GPUs, so 2 in data parallel
        put("model_parallel_gpus", spans, said)
        if pp is not None and pp.value > 1:
            put("pipeline_stages", pp.value, pp.text)  # (whose bubble a micro-batch's size changes)
        sharded = next((r for pair in reading.conflicts for r in pair
                        if r.field == "parallelism" and r.value in ("fsdp", "zero")), None)
        if sharded is not None and parallelism is not None and parallelism.value in ("tensor", "pipeline"):
            # `data_parallel=fsdp` beside `model_parallel=2`: the degree says the model parallelism, so the scheme
            # said is how the data-parallel copies shard (finding-sharding-one-dp-rank where there is one copy)
            put("parallelism", sharded.value, sharded.text)
    if spans * shares > 1:
        # the GPUs of one copy (tensor × pipeline) times those sharing a sample leave the data-parallel copies (of
        # the GPUs launched where fewer than the machine's: `torchrun --nproc_per_node=2` with `model_parallel=2` on
        # an 8-GPU machine is one copy in data parallel - review 51 #11)
        total = launched if launched is not None else count
        if dp is not None:
            put("num_gpus", dp.value, dp.text)
        elif total is not None and total.value % (spans * shares) == 0:
            put("num_gpus", total.value // (spans * shares), said)
    if launched is not None:
        # "Titan V * 2 … train_net.py --num-gpus 1": the machine has 2, the run uses 1 - the run's count sets its batch
        # per GPU and its scaling (the labels keep the machine's), and the machine's others are GPUs left idle
        if spans == 1 and shares == 1:
            put("num_gpus", launched.value, launched.text)
        if launched.value == 1 or not reading.tuning_method:
            # (the GPUs left idle - not those an RL trainer gives its generation engine: "NPROC_PER_NODE=7" of 8)
            put("machine_gpus", v["num_gpus"].value, v["num_gpus"].text)
    _accumulation_over_gpus(v, put)
    lone = hardware.lone_card(reading)
    if lone is not None and "num_gpus" not in out:
        put("num_gpus", 1, lone.text)  # one card named, nothing of several: a run on it (hardware.lone_card)
    gpus_said = v.get("num_gpus")
    second = v.get("gpu_second")
    if second is not None and (reading.several_gpus or "parallelism" in v or gpus_said is not None and gpus_said.value > 1):
        # "a Tesla K80 and a 1080 Ti" trained together (DataParallel, "both GPUs"): two different cards in one run -
        # not "the same speed on a 3090 and a 4090", two runs compared
        put("gpu_second", second.value, second.text)
        if "gpu_second_bytes" in v:
            put("gpu_second_memory", v["gpu_second_bytes"].value, second.text)
        if gpus_said is None or gpus_said.value == 1:
            put("num_gpus", 2, second.text)  # (one of each: the second card makes two)
    if reading.spawning_script is not None and gpus_said is not None and gpus_said.value > 1:
        # detectron2's `python tools/train_net.py --num-gpus 2` (review 52 #11): its launch() starts a process per GPU
        put("launch", "process_per_gpu", reading.spawning_script)
    elif reading.plain_python and reading.launcher is None and "parallelism" not in v and gpus_said is not None \
            and gpus_said.setup == "user" and gpus_said.value > 1:
        # "python train.py --device 0,1,2,3": one process driving the GPUs (DataParallel), not one per GPU
        put("launch", "one_process", reading.plain_python)
    elif reading.plain_python and reading.launcher is None and ("machine_gpus" in v or "machine_gpus" in out):
        # "python train.py … it just uses 1 gpu" on a machine of 8: one process, on one of them
        put("launch", "one_process", reading.plain_python)
    elif reading.launcher is not None and gpus_said is not None and gpus_said.value > 1:
        put("launch", "process_per_gpu", reading.launcher)  # "torchrun --nproc_per_node 8": a process per GPU
    elif reading.launcher is None and (nodes := v.get("num_nodes")) is not None and nodes.value > 1 \
            or "num_nodes" not in v and reading.several_machines_text:
        # a run over several machines runs a process per GPU (torchrun, deepspeed, mpirun, a cluster's launcher):
        # torch.nn.DataParallel drives one machine's GPUs only
        put("launch", "process_per_gpu", v["num_nodes"].text if "num_nodes" in v else reading.several_machines_text)
    elif "accelerate" in v and not reading.plain_python:
        # a script written with accelerate runs a process per GPU under `accelerate launch` (else one process on one
        # GPU): it never falls back to torch.nn.DataParallel, so how it is started is no question
        put("launch", "process_per_gpu", v["accelerate"].text)
    if reading.tuning_method and "training_mode" not in v:
        # GRPO, PPO, DPO tune a pretrained model: not a question of scratch or fine-tuning
        put("training_mode", "finetune", reading.tuning_method_text)
    if reading.tuning_method in ("grpo", "ppo", "rloo", "rlhf"):
        put("rl_method", reading.tuning_method, reading.tuning_method_text)
    elif "num_generations" in v:  # ("num_generations 8": GRPO's group size, said without its name)
        put("rl_method", "grpo", v["num_generations"].text)
        if "training_mode" not in v:
            put("training_mode", "finetune", v["num_generations"].text)  # (GRPO tunes a pretrained model too)
    for read_name, fact in _DIRECT:
        if read_name in v and not (read_name == "offload" and v[read_name].past):
            # ("cpu_offload helps but is 3x slower": tried and set aside, not the run's)
            put(fact, v[read_name].value, v[read_name].text)
    if reading.swift_cli and "grad_checkpointing" not in v:
        # ms-swift's `swift sft` turns gradient checkpointing on unless told otherwise (its command-line parameters:
        # "gradient_checkpointing: Whether to use gradient checkpointing, default is True")
        put("grad_checkpointing", True, reading.swift_cli)
    if reading.several_machines_text and "num_nodes" not in v:  # "with multiple nodes": machines, uncounted
        put("several_machines", True, reading.several_machines_text)
    if "machine_gpus" in v:  # "a 4x Tesla P40 node … device_map='cuda'": the GPUs the run leaves idle
        put("machine_gpus", v["machine_gpus"].value, v["machine_gpus"].text)
    if "attention_default" in v:  # "transformers 4.3.3, PyTorch 1.6.0": no SDPA in that stack (not said: no label)
        put("attention", v["attention_default"].value, v["attention_default"].text)
    if reading.several_gpus and not reading.only_per_gpu and "num_gpus" not in v and "split_gpus" not in v \
            and reading.several_gpus_text:
        put("gpu_count_unsaid", True, reading.several_gpus_text)  # "a multi-GPU, multi-node setup": how many, unsaid
    mmlab = _read_naming(v, ("imgs_per_gpu", "samples_per_gpu")) or v.get("openmmlab")
    if mmlab is not None and "grad_accum_steps" not in v:
        # OpenMMLab's `imgs_per_gpu` / `samples_per_gpu`: its runners step the optimizer every iteration unless a
        # cumulative hook is configured (which the message would name), so one micro-batch per update
        put("grad_accum_steps", 1, mmlab.text)
    if reading.weights_dtype is not None and "precision" not in v and "adapter" in v:
        # adapters on a base loaded in 16 bits (`--train_type lora --torch_dtype bfloat16`): the frozen base is
        # 16-bit and the steps run in it - the 16-bit autocast the plans count, not fp32's 4 bytes a weight (a
        # setting implied, not said: the reading's labels leave it out)
        width, text = reading.weights_dtype
        put("precision", "amp_" + width, text)
    if reading.rl_trainer:
        put("rl_trainer", reading.rl_trainer, reading.rl_trainer_text)
    if reading.hf_trainer:
        put("hf_trainer", True, reading.hf_trainer)  # (its defaults stand for what the message leaves unsaid)
    if "optimizer" in v:
        put("optimizer", OPTIMIZER_FACT.get(v["optimizer"].value, v["optimizer"].value), v["optimizer"].text)
        if "optimizer" not in out:  # Muon, GaLore: named, but outside the optimizers the estimates know
            put("optimizer_named", v["optimizer"].value, v["optimizer"].text)
    elif reading.hf_trainer:
        # Hugging Face's Trainer (and TRL's, built on it) trains with AdamW unless `optim` says otherwise
        put("optimizer", "adamw", reading.hf_trainer)  # (the words that name the Trainer: provenance quotes the message)
    elif reading.adam_setting:
        put("optimizer", "adamw", reading.adam_setting)  # (`--adam_eps 1e-06`: Adam's two moments either way)
    elif reading.rl_trainer in ("openrlhf", "verl"):
        # OpenRLHF's actor and critic (DeepSpeed's FusedAdam / CPU Adam) and verl's FSDP workers train with AdamW
        put("optimizer", "adamw", reading.rl_trainer_text)
    if reading.rl_trainer == "verl" and "precision" not in v:
        # verl's FSDP workers compute in bf16 over fp32 master weights (mixed_precision: param_dtype bf16, reduce and
        # buffers fp32), its Megatron workers in bf16 with fp32 master weights too: bf16 mixed precision
        put("precision", "amp_bf16", reading.rl_trainer_text)
    capacity, nominal = reading.capacity_gb, (v["gpu_memory_gb"].value if "gpu_memory_gb" in v else None)
    if capacity and ("capacity" in reading.capacity_text.lower() or "capacty" in reading.capacity_text.lower()):
        # (PyTorch's error, "total capacty" as 2.1 printed it: what it adds up to, below)
        put("oom_capacity", capacity * 2**30, reading.capacity_text)
    smi_total = "/" in reading.capacity_text  # nvidia-smi's "13709MiB / 15360MiB": the driver's total
    if capacity and nominal and 0.85 <= capacity / nominal <= 1.01 and ("gib" in reading.capacity_text.lower()
                                                                       or smi_total) \
            and ("gpu_memory_bytes" not in v or smi_total):
        # the "23.64 GiB total capacity" of a pasted OOM error on a card named, not sized: what PyTorch can use on
        # it, more exact than the catalogue's size (a size the user writes stays theirs, but for the total nvidia-smi
        # shows for it: "16GB VRAM … 13709MiB / 15360MiB" is a card of 15 GiB)
        put("gpu_memory", f"{capacity:g}GiB", reading.capacity_text)
    card = v.get("gpu_memory_catalogue_bytes")
    if "gpu_memory_bytes" in v and card is not None and v["gpu_memory_bytes"].value < 0.8 * card.value \
            and _sized_in_name(card.text, card.value) and v["gpu_memory_bytes"].text != card.text:
        # "8 * A100 80G per node … GPU memory 51.5GB": the card's size is in its name, so a smaller memory said
        # apart is what the run uses on it, not another card
        used = v["gpu_memory_bytes"]
        if not (v.get("oom") is not None and v["oom"].value) and not reading.used_bytes:
            put("measured_use", float(used.value), used.text)
        put("gpu_memory", card.value, card.text)
    elif "gpu_memory_bytes" in v:  # a size the user wrote ("24 GiB", "8GB"): read with the vocabulary's convention
        read_size = v["gpu_memory_bytes"]
        unit = "GiB" if "gib" in read_size.text.lower() else "GB"
        put("gpu_memory", f"{v['gpu_memory_gb'].value:g}{unit}", read_size.text)
        put("gpu_memory_written", True, read_size.text)
        card = v.get("gpu_memory_catalogue_bytes")
        if card is not None and not 0.8 <= v["gpu_memory_gb"].value * 1e9 / card.value <= 1.1:
            # "an A10G (16 GB VRAM)": the size said is the one counted, but the named card comes in another (each
            # card's size: "3x A100 for a total of 240gb" is 80 GB each, the A100 80GB's)
            put("named_card_memory", card.value, card.text)
    elif "gpu_memory_catalogue_bytes" in v:  # the card named: what the runtime reports (or its nominal GiB)
        put("gpu_memory", v["gpu_memory_catalogue_bytes"].value, v["gpu_memory_catalogue_bytes"].text)
    elif "gpu_memory_gb" in v:  # a size written next to an ambiguous name ("A100 80GB")
        put("gpu_memory", f"{v['gpu_memory_gb'].value:g}GB", v["gpu_memory_gb"].text)
    # (the size read from the name, whole or in part: "Qwen2.5-7B" of "Qwen2.5-7B-Instruct")
    from_name = "model" in v and "params" in v and v["params"].text in v["model"].text
    if "params" in v and not (from_name and _catalogue_params(v["model"].value)):
        put("params", v["params"].value, v["params"].text)  # a catalogue model's exact count comes from its shapes
    elif (counted := shape_params(reading)) is not None and not ("model" in v and _catalogue_params(v["model"].value)):
        # no size said, but the shape's settings count it (`--num-layers 36 --hidden-size 1280 ...`): the
        # estimates need a count, and this one is the model's own (a catalogue model's exact count wins)
        put("params", *counted)
    if (shape := shape_written(reading)) and not ("model" in v and _catalogue_params(v["model"].value)):
        put("model_shape", shape, reading.shape_text)  # (the activation model of a transformer no catalogue names)
    if "adapter" in v and "use_peft" in v["adapter"].text.lower() and "lora_targets" not in v and "model" in v \
            and _peft_defaults_to_qv(v["model"].value):
        # TRL's `--use_peft` without lora_target_modules: PEFT's own default for a LLaMA-layout decoder is q_proj and
        # v_proj (TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING), not every linear layer
        put("lora_targets", "qv", v["adapter"].text)
    if "adapter_params" in v:
        put("adapter_params", v["adapter_params"].value, v["adapter_params"].text)
    if "model" in v:
        put("model_preset", v["model"].value, v["model"].text)
        other = next((r for pair in reading.conflicts for r in pair if r.field == "model" and r.setup == "user"
                      and r.value != v["model"].value and _catalogue_params(r.value)), None)
        if other is not None and _catalogue_params(v["model"].value):
            # "Llama 2 7b or Mistral-7b only consumes around 10g … Llama 3 8b needs almost double" (review 72 #21):
            # another catalogue model the message sets beside the run's
            put("model_compared", other.value, other.text)
    named = v["model"] if "model" in v and _catalogue_params(v["model"].value) is None else \
        reading.vague_model or (reading.unlisted_model if "model" not in v else None)
    if named is not None and SIZE_ONLY.fullmatch(chinese.CJK.sub("", named.text).strip()):
        named = None  # "一个4B的模型" (a 4B model): a size said, no name to ask the size of
    if named is not None:  # (a name the catalogue lacks: the size question asks for it by name)
        put("model_named", named.text, named.text)
        if (sizes := _line_sizes(named.value)) is not None:
            put("model_line_sizes", sizes, named.text)
    seq = v.get("seq_len")
    if seq is not None and "packing" not in v and any(cap in seq.text.lower() for cap in LENGTH_CAPS):
        # `cutoff_len: 8192`, `max_seq_length=2048`: the longest a sample is cut to, most are shorter (no packing)
        put("seq_len_is_cap", True, seq.text)
    if reading.unified_memory:  # Apple silicon, DGX Spark, a Jetson: the GPU's memory is the machine's RAM
        put("unified_memory_named", True, reading.unified_memory_text)
    ran = _length_that_ran(reading)
    if ran is not None:  # "I can train w/ a 512 sequence length …, but I can't … w/ a 8192": the run that fit
        put("seq_len_ran", ran.value, ran.text)
    if "gpu_memory" not in out and "gpu_model" in v and (sizes := _card_sizes(v["gpu_model"].value)) is not None:
        # a card made in several sizes, named without one ("A800 8卡"): the memory question asks which
        put("gpu_named", v["gpu_model"].text, v["gpu_model"].text)
        put("gpu_line_sizes", sizes, v["gpu_model"].text)
    tflops = _peak_tflops(v["gpu_model"].value) if "gpu_model" in v else None
    if tflops:  # the card named: its peak dense 16-bit throughput, for how long a token budget takes
        put("gpu_peak_tflops", tflops, v["gpu_model"].text)
    if "gpu_alternative" in v and "gpu_alternative_bytes" in v:  # "an A6000 or an H100": the plan on both
        put("gpu_alternative", v["gpu_alternative"].value, v["gpu_alternative"].text)
        put("gpu_alternative_memory", v["gpu_alternative_bytes"].value, v["gpu_alternative"].text)
    fused = v.get("fused_loss")
    if fused is not None and "unsloth" in fused.text.lower() and "grad_checkpointing" not in v:
        # Unsloth checkpoints the activations unless told not to (use_gradient_checkpointing="unsloth")
        put("grad_checkpointing", True, fused.text)
    if fused is not None and "unsloth" in fused.text.lower():
        put("logits_16bit", True, fused.text)  # (its cross-entropy: one 16-bit copy of the logits, not none)
    yolo = v.get("ultralytics")
    if yolo is not None and yolo.value and "precision" not in v:
        # Ultralytics trains with fp16 autocast unless told `amp=False` (its default.yaml: amp: True)
        put("precision", "amp_fp16", yolo.text)
    known = v.get("dataset_known")
    if known is not None and known.value and "dataset_size" not in v:
        # "ResNet-50 on ImageNet": the training split's size (1,281,167 images), when no size is said
        put("dataset_size", known.value, known.text)
    sharding = v.get("sharding_default")
    if reading.rl_trainer == "verl" and sharding is None:
        # verl (named, or known by its keys) trains its actor, critic and reference with FSDP unless
        # `strategy=megatron` (its ppo_trainer.yaml)
        sharding = Read("sharding_default", "fsdp", reading.rl_trainer_text)
    if sharding is not None and "parallelism" not in v and "zero_stage" not in v and "model_parallel_gpus" not in out:
        put("parallelism", sharding.value, sharding.text)  # torchtitan, verl: FSDP unless another strategy is named
    # LLaMA-Factory named, or its `finetuning_type` key in the launch ("finetuning_type lora, cutoff_len 51974")
    framework = v.get("checkpointing_default") or _read_naming(v, ("finetuning_type",))
    if framework is not None and "grad_checkpointing" not in v:
        # LLaMA-Factory checkpoints unless `disable_gradient_checkpointing: true` (its ModelArguments default)
        put("grad_checkpointing", True, framework.text)
    if reading.asked_settings:  # "would zero3 help or cpu offload?": each is checked as a change of the plan
        put("asked_settings", "; ".join(f"{name}={value}" for name, value, _ in reading.asked_settings),
            reading.asked_settings[0][2])
        sharding = [text for name, value, text in reading.asked_settings
                    if name == "zero_stage" or (name == "parallelism" and value in ("zero", "fsdp"))]
        if sharding and "parallelism" not in v and "zero_stage" not in v:
            # "do I need DeepSpeed?": a run that asks whether to shard does not shard yet
            put("sharding_asked", True, sharding[0])
    if reading.batch_assertion is not None:
        asked, micro, accumulation, world, said = reading.batch_assertion
        if all(float(v).is_integer() and v >= 1 for v in (asked, micro, accumulation, world)):
            # "train_batch_size is not equal to … 9 != 1 * 3 * 1": the batch the config asks, and the product DeepSpeed
            # worked out from what it saw (its world size, often not the GPUs the job has)
            put("deepspeed_batch_asked", int(asked), said)
            put("deepspeed_batch_product", int(micro * accumulation * world), said)
            put("deepspeed_world_size_seen", int(world), said)
    # (not an idle GPU's row of nvidia-smi, "9MiB / 32768MiB" - review 83 #14: a process on the GPU holds its CUDA
    # context, some hundreds of MiB, before any tensor)
    if (reading.used_bytes or 0.0) >= IDLE_GPU_BYTES and not (v.get("oom") is not None and v["oom"].value):
        # "training takes 24GB on each GPU": what the run that worked uses, to hold the count against
        put("measured_use", float(reading.used_bytes), reading.used_text)
    compared = reading.compared_layout
    if compared is not None:  # "batch 64 on one GPU or 8 GPUs x 8?": the other split of the same total
        put("compared_gpus", compared.gpus, compared.text)
        put("compared_micro_batch", compared.per_gpu, compared.text)
        if compared.setup == "user":
            put("compared_runs_own", True, compared.text)
    if reading.compared_splits:  # "is bs 2 with accumulation 4 the same as bs 8?": two splits weighed
        text = reading.compared_splits_text
        (micro, steps), (other_micro, other_steps) = reading.compared_splits
        put("split_micro_batch", micro, text)
        put("split_accum_steps", steps, text)
        put("split_other_micro_batch", other_micro, text)
        put("split_other_accum_steps", other_steps, text)
        if "grad_accum_steps" not in v and "micro_batch" in v and v["micro_batch"].value == micro and steps > 1:
            # "we compute 16 pictures at a time, accumulate 4 times … equivalent to 64?": the accumulating split is
            # the run's own micro-batch, so its steps are the run's accumulation
            put("grad_accum_steps", steps, text)
    if "max_micro_batch" in v:  # "only 32 fits": what accumulation builds a larger batch from
        put("max_micro_batch", v["max_micro_batch"].value, v["max_micro_batch"].text)
    if "cpu_ram_gb" in v:  # "RAM 512GB": what offloading can use
        put("cpu_ram", f"{v['cpu_ram_gb'].value:g}GB", v["cpu_ram_gb"].text)
    if reading.full_training is not None and v.get("adapter") is None:
        put("full_training", True, reading.full_training)  # "full fine-tuning", "without peft": no adapters
    elif reading.adapter_tried and v.get("adapter") is None:
        # "I tried to activate LoRA but it failed …" beside settings with no adapter: the run trains every weight,
        # and the adapters it tried are no plan to offer back first
        put("full_training", True, reading.adapter_tried)
    stage = v.get("zero_stage")
    if reading.stage_errored is not None and stage is not None and stage.value != reading.stage_errored.value:
        # "ZeRO3 gives an error, so I switched to ZeRO2 … OOM": the stage that errored is no plan to offer back
        put("zero_stage_errored", reading.stage_errored.value, reading.stage_errored.text)
    # the batch of the user's run: stated as global, or a plain "batch 32" on one GPU without accumulation
    micro = v.get("micro_batch")
    if _is_change_source(v, micro):
        micro = None  # "I trained with batch 256 … now I increased the batch to 1024": the batch before the change
    if reading.accumulation_unset and micro is not None:
        # the whole config or launch pasted sets the batch and no accumulation: every framework's default, one
        # step per update (read back, so a config cut short is corrected)
        put("grad_accum_steps", 1, micro.text)
    one_gpu = reading.get("num_gpus") == 1 or (reading.get("num_gpus") is None and not reading.several_gpus)
    if micro is not None and reading.get("num_gpus") is None and PER_GPU_KEY.search(micro.text):
        # `samples_per_gpu` is set to 4, no GPU count said: each GPU's batch, the batch per update unknown (not
        # one GPU's: "the default is 8 GPUs and 2 samples per GPU" asks how many the authors used - review 51 #19)
        one_gpu = False
    # (not where accumulation is spoken of without its count: "the loss grows with gradient_accumulation_steps")
    unsaid_accumulation = reading.accumulation_said and reading.get("grad_accum_steps") is None
    # (a setting named a micro-batch - litgpt's and Megatron's micro_batch_size - says updates gather several of it)
    said_micro = micro is not None and "micro" in micro.text.lower() and reading.get("grad_accum_steps") is None
    if micro is not None and "batch_size" not in out and one_gpu and reading.get("grad_accum_steps") in (None, 1) \
            and out.get("grad_accum_steps", (1,))[0] == 1 and not unsaid_accumulation and not said_micro:
        put("batch_size", micro.value, micro.text)
        if not micro.implied:
            put("micro_batch", micro.value, micro.text)
    elif micro is not None and micro.implied and one_gpu and (micro.keyed or (reading.get("grad_accum_steps") or 0) > 1):
        # nanoGPT's `batch_size 12` beside `gradient_accumulation_steps 40`: a script's batch key with the
        # accumulation its own key is the batch of one step; so is "batch size 8 with grad accum 4" on one GPU,
        # the way trainers count it (a batch per update is said so: "effective batch 32")
        put("micro_batch", micro.value, micro.text)
    elif micro is not None and "batch_size" not in out and (
            unsaid_accumulation or micro.implied and micro.keyed and micro.value < (reading.get("num_gpus") or 0)):
        # each step's batch, which the accumulation spoken of multiplies; or `batch_size = 2` on 4 GPUs, where a
        # total smaller than the GPUs would leave some without a sample, so it is each GPU's
        put("micro_batch", micro.value, micro.text)
    elif micro is not None and micro.implied and micro.keyed and "batch_size" not in out \
            and not PER_PROCESS.isdisjoint(v):
        # MAE's, DeiT's and timm's `--batch_size 256`: each process's batch, by the script's own help text; a
        # script under accelerate builds one DataLoader a process (diffusers' "Batch size (per device)")
        put("micro_batch", micro.value, micro.text)
    elif micro is not None and micro.implied and micro.keyed and "batch_size" not in out and parallelism is not None \
            and parallelism.value == "dp":
        # `batch_size = 1000` fed to nn.DataParallel (review 52 #30): one process, one DataLoader, its batch split
        # over the GPUs - the total, never each GPU's
        put("batch_size", micro.value, micro.text)
    elif micro is not None and micro.implied and micro.keyed and "batch_size" not in out:
        # `batch_size=256` on 4 GPUs: a script's key, most often each GPU's, but not said to be: asked, not dropped
        put("batch_unqualified", micro.value, micro.text)
    layout = [reading.reference.get(name) for name in ("micro_batch", "num_gpus", "grad_accum_steps", "batch")]
    if all(read is not None for read in layout):
        # "the table says 2 GPUs, 8 per device, 4 grad accum steps, resulting batch size 32": a recipe's whole layout,
        # which its stated batch can be checked against
        for name, read in zip(("reference_layout_micro", "reference_layout_gpus", "reference_layout_accum"), layout):
            put(name, read.value, read.text)
    _reference_gpus(reading, put)
    ref = reading.reference.get("batch")
    if ref is not None and _said_per_gpu(ref.value, ref.text) and "num_gpus" not in reading.reference:
        # "the paper sets the batch to 16 per GPU" and no count of its GPUs: its batch per update is unknown
        put("reference_micro_batch", ref.value, ref.text)
        ref = None
    said_from = reading.values.get("batch_from")
    if ref is not None and (reading.batch_kept is not None or lowered is not None) and said_from is not None \
            and ref.text == said_from.text:
        ref = None  # (the run's own batch, which a split that keeps the batch per update, or a question, changes from)
    gpus_said = reading.get("num_gpus")
    if ref is not None and "batch_to" in v and "batch_from" in v and gpus_said and gpus_said > 1 \
            and ref.value == v["batch_to"].value * gpus_said != v["batch_from"].value:
        # "I used --max-duration 800 with 4 GPUs; according to your statement the batch is 800 * 4 = 3200s, right?":
        # the user's own batch per update, checked - no recipe's
        ref = None
    if ref is not None and v.get("goal") is not None and v["goal"].value == "match_reference":
        # "reproduce the benchmark's batch of 1024": the batch to match is the reference's, before any change of the
        # user's own (which then says where their batch came from)
        put("reference_batch", ref.value, ref.text)
    # changes: "from 256 to 1024" is a batch now of 1024 that was 256, a ×4 change
    if "batch_from" in v and "batch_to" in v and _split_kept(reading, v, put):
        pass  # (the micro-batch changes, the batch per update is kept: no change of the batch)
    elif "batch_from" in v and "batch_to" in v:
        a, b = v["batch_from"].value, v["batch_to"].value
        gpus = reading.get("num_gpus") or (1 if one_gpu else None)
        # (or said so by the user's own product: "--max-duration 800 with 4 GPUs … 800 * 4 = 3200, right?" - the GPUs
        # the old batch ran on then unsaid: no batch per update, nor a factor, for it)
        by_product = not reading.batch_change_per_gpu and bool(gpus and gpus > 1 and any(
            m.value == b * gpus != a for m in reading.batch_mentions))  # (not the old batch itself: 32 → 16 on 2)
        # (a batch below the GPU count, unqualified, is each GPU's: data parallelism runs a whole sample on every GPU
        # - "8 A800 GPUs … slower when I set batch size to 4 compared with batch size equal to 1", review 78 #14)
        per_gpu = reading.batch_change_per_gpu or by_product \
            or bool(gpus and gpus > 1 and max(a, b) < gpus and "global_batch" not in v and "grad_accum_steps" not in v
                    and "batch" not in reading.reference)
        if per_gpu:
            # "the batch_size of one GPU from 4 to 8" on 2 GPUs: each GPU's batch is 8, the batch per update 16
            put("micro_batch", b, v["batch_to"].text)
        before = after = 1  # what multiplies each batch into its batch per update
        from_one_gpu = "gpus_from" in v and v["gpus_from"].value == 1 and gpus
        if not per_gpu and from_one_gpu and (
                reading.batch_to_said_as == "micro_batch" or reading.batch_to_said_as == "batch" and b * gpus == a):
            # "on a single GPU I used batch 32 … moving to 2 GPUs, 16 per GPU": one GPU's batch is its total, so the
            # 32 before and 16 × 2 after are each a batch per update (the same here); a plain 16 that splits the 32
            # over the 2 GPUs is the share each GPU's loader is given ("should the batch size become 16?")
            accum = v["grad_accum_steps"].value if "grad_accum_steps" in v else 1
            before, after = accum, accum * gpus
            put("micro_batch", b, v["batch_to"].text)
        elif not per_gpu and (gpus or 1) == 1 and "grad_accum_steps" in v \
                and b * v["grad_accum_steps"].value == a:
            # "halving the batch size to 56 and setting gradient accumulation to 2 (56 × 2 = 112)": the loader's batch
            # halved, the batch per update kept
            after = v["grad_accum_steps"].value
            put("micro_batch", b, v["batch_to"].text)
        elif not per_gpu and (gpus or 1) == 1 and "grad_accum_steps" in v and "micro_batch" in v \
                and v["micro_batch"].value == a:
            # "train_batch_size=2, gradient_accumulation_steps=4 -> OOM … batch 1 works": the loader's batch changed
            # under the same accumulation, which multiplies both (8 per update before, 4 after)
            before = after = v["grad_accum_steps"].value
            out.pop("micro_batch", None)  # (the key's old value, put above: the run now has the new one)
            put("micro_batch", b, v["batch_to"].text)
        elif per_gpu and gpus:
            # each GPU's batch changed: the batches per update are per-GPU × accumulation × GPUs, and "now 8 GPUs ×
            # 16, so if 4 GPUs × 4?" changes the GPUs too (16 × 4 × 8 = 512 before, 4 × 4 × 4 = 64 after)
            accum = v["grad_accum_steps"].value if "grad_accum_steps" in v else 1
            after = accum * gpus
            before = accum * (v["gpus_from"].value if "gpus_from" in v else gpus)
        if not per_gpu or gpus:
            if "global_batch" in v and v["global_batch"].value == a * before and out.get("batch_size", (None,))[0] == a * before:
                del out["batch_size"]  # "global batch 1024 … doubling the batch to 2048": the change's batch is the run's
            put("batch_size", b * after, v["batch_to"].text)
            if not by_product:
                put("reference_batch", a * before, v["batch_from"].text)
                if out["reference_batch"][1] == v["batch_from"].text and v["batch_from"].setup == "user" \
                        and "batch" not in reading.reference:
                    put("reference_batch_own", True, v["batch_from"].text)  # (the run's own batch, changed)
        if a > 0 and not by_product:
            put("batch_scale_factor", b * after / (a * before), v["batch_to"].text)

    factor, now = out.get("batch_scale_factor"), out.get("batch_size")
    if factor and now and "reference_batch" not in out and "batch_from" not in v and "batch" not in reading.reference:
        # "I changed the batch size to 70 (half of the original)": the batch before the change is the one said over the
        # factor (140), what the LR was set for
        before = now[0] / factor[0]
        if before >= 1 and abs(before - round(before)) < 1e-9:
            put("reference_batch", int(round(before)), factor[1])
            put("reference_batch_own", True, factor[1])
    if "lr_from" in v and "lr_to" in v and v["lr_from"].value > 0:
        put("base_lr", v["lr_from"].value, v["lr_from"].text)
        put("lr_scale_factor", v["lr_to"].value / v["lr_from"].value, v["lr_to"].text)
    unqualified = v.get("batch_unqualified")  # "batch 256 on 4 GPUs": each GPU's or the total? (a question)
    if unqualified is not None and "batch_size" not in out and "micro_batch" not in out:
        put("batch_unqualified", unqualified.value, unqualified.text)
    # the accumulation the user's own numbers imply: per-device 32 on 8 GPUs with a batch per update of 256 is one
    # step, with 1,024 four (said by the numbers, so not asked)
    micro_fact, total = out.get("micro_batch"), out.get("batch_size")
    gpus = out["num_gpus"][0] if "num_gpus" in out else None  # (in data parallel: TP and PP GPUs share one copy)
    if "grad_accum_steps" not in out and micro_fact and total and gpus:
        per_step = micro_fact[0] * gpus
        if total[0] >= per_step and total[0] % per_step == 0:
            put("grad_accum_steps", total[0] // per_step, total[1])
            put("accumulation_implied", True, total[1])
    if ref is not None:  # (the reference's batch read above)
        put("reference_batch", ref.value, ref.text)
    if "gpus_from" in v and "gpus_to" in v and "micro_batch" in out and "reference_batch" not in out \
            and "batch_from" not in v:
        # "was on 1 GPU with per_device 16 … now 4 GPUs keeping per_device 16": the batch per update the LR was
        # tuned for is the per-GPU batch over the GPUs before
        accum = out["grad_accum_steps"][0] if "grad_accum_steps" in out else 1
        put("reference_batch", out["micro_batch"][0] * accum * v["gpus_from"].value, v["gpus_from"].text)
        put("reference_batch_from_gpus", True, v["gpus_from"].text)
        if "batch_size" not in out:
            # each GPU's batch kept and no batch per update said to be kept: it grew with the GPUs, whatever the
            # accumulation (2 → 8 GPUs at 32 each: ×4, and the LR tuned for the 2 GPUs' batch); unsaid, none
            put("batch_scale_factor", v["gpus_to"].value / v["gpus_from"].value, v["gpus_to"].text)
            put("batch_size", out["micro_batch"][0] * accum * v["gpus_to"].value, v["gpus_to"].text)
    tuned = reading.tuned_on
    if tuned is not None and "micro_batch" in out and "reference_batch" not in out and "batch" not in reading.reference:
        # "per_device 4, accumulation 8 on 2 nodes of 8; the LR was tuned on a single node with the same settings":
        # the batch the LR belongs to is those settings on the GPUs it was tuned on (4 × 8 × 8 = 256)
        nodes = v["num_nodes"].value if "num_nodes" in v else None
        gpus_now = out["num_gpus"][0] if "num_gpus" in out else None
        there = tuned.value if tuned.field == "num_gpus" else \
            tuned.value * gpus_now // nodes if tuned.field == "num_nodes" and nodes and gpus_now else None
        if there:
            accum = out["grad_accum_steps"][0] if "grad_accum_steps" in out else 1
            put("reference_batch", out["micro_batch"][0] * accum * int(there), tuned.text)
    if "gpus_from" in v and "gpus_to" in v and v["gpus_from"].value < v["gpus_to"].value and "batch_from" in v \
            and "batch_to" in v and v["batch_to"].value < v["batch_from"].value \
            and v.get("oom") is not None and v["oom"].value:
        # "when switching between 1 and 2 GPUs I have to change the micro_batch from 4 to 2, otherwise I get OOM" (review
        # 56 #7): the per-GPU batch that fit one GPU runs out of memory on more - the multi-GPU setup costs something
        put("claim_multi_gpu_oom_one_fits", True, v["gpus_from"].text)
    if "gpus_from" in v and "gpus_to" in v and v["gpus_from"].value < v["gpus_to"].value and "micro_batch" in out \
            and not (v.get("oom") is not None and v["oom"].value):
        # "went from 4x to 8x A100, kept per_device 2": the per-GPU settings ran on fewer GPUs, and more GPUs need no
        # more memory each (the same under DDP, less when sharded) - a run that fits, whatever the estimate assumes
        put("claim_run_fits", True, v["gpus_from"].text)
    completion = reading.completion_only
    if completion is not None and "seq_len" not in v and (reading.tuning_method in ("grpo", "ppo", "rloo", "dpo")
                                                          or "num_generations" in v):
        # `max_completion_length=1024` alone: TRL's GRPOConfig (and DPOConfig) prompts run up to their default
        # max_prompt_length of 512, so a sequence trained on is 512 + 1024 tokens
        put("seq_len", TRL_PROMPT_DEFAULT + completion.value, completion.text)
    seq = v["seq_len"].value if "seq_len" in v else None
    if "batch_tokens" in v:  # "global batch 4M tokens" at seq 4096: 1,024 sequences per update
        total, sequences = _in_sequences(v["batch_tokens"].value, seq)
        put("target_tokens_per_step", total, v["batch_tokens"].text)
        if sequences and "batch_size" not in out:
            put("batch_size", sequences, v["batch_tokens"].text)
    ref_seq = reading.reference.get("seq_len")
    if ref_seq is not None and "seq_len" not in v and v.get("goal") is not None and v["goal"].value == "match_reference":
        # "match the Llama 2 paper: global batch 4M tokens, seq len 4096": matching it trains at its length
        put("seq_len", ref_seq.value, ref_seq.text)
    elif ref_seq is not None and "seq_len" not in v and v.get("goal") is not None and v["goal"].value == "fit" \
            and OWN_BATCHES.isdisjoint(v) and reading.reference.get("batch") is not None:
        # "the paper's supervised SimCSE uses batch 512 and seq len 32: how much GPU memory does this need?" (review
        # 68 #2): with no run of their own, the memory asked is the reference's configuration's
        put("seq_len", ref_seq.value, ref_seq.text)
        put("batch_size", reading.reference["batch"].value, reading.reference["batch"].text)
    ref_batch, ref_length = reading.reference.get("batch"), reading.reference.get("seq_len")
    if ref_batch is not None and ref_length is not None and "target_tokens_per_step" not in out \
            and "batch_tokens" not in reading.reference and ref_batch.text == ref_length.text:
        # "the T5 paper used 128 seqs x 512": the reference's tokens per update, said with its batch
        put("target_tokens_per_step", ref_batch.value * ref_length.value, ref_batch.text)
    ref_tokens = reading.reference.get("batch_tokens")
    if ref_tokens is not None:  # "the paper used batch 0.5M tokens at seq 2048": 256 sequences
        ref_seq = reading.reference["seq_len"].value if "seq_len" in reading.reference else seq
        _, sequences = _in_sequences(ref_tokens.value, ref_seq)
        own = out.get("batch_size", (None,))[0]
        if sequences and own and _rounded(ref_tokens.text) and abs(own / sequences - 1) <= 0.1:
            sequences = None  # "the comment says total batch ~0.5M tokens" of 491,520: the same batch, rounded
        if sequences:
            put("reference_batch", sequences, ref_tokens.text)
    ref_steps = reading.reference.get("planned_steps")
    if ref_steps is not None:  # "the 1x schedule: 90k iterations": the reference's, at its batch
        put("reference_steps", ref_steps.value, ref_steps.text)
    ref_data = reading.reference.get("dataset_size")
    if ref_data is not None and "dataset_size" not in v and "dataset_size" not in out:
        # "you set batch size=128, the number of the whole training set is 39291958" (review 63 #14): the data set
        # said beside a reference's settings is the one the user trains on too, when they give no other
        put("dataset_size", ref_data.value, ref_data.text)
    ref_lr = reading.reference.get("lr")
    if ref_lr is not None and "lr" not in v:
        put("base_lr", ref_lr.value, ref_lr.text)  # "the paper used lr 0.1": the LR tuned for the batch started from
    elif ref_lr is not None and v["lr"].value != ref_lr.value and "reference_batch" in out and "base_lr" in out:
        # "the official recipe uses lr 4e-3 at batch 4096; I train at 1024 with --lr 4e-2": the recipe's LR is the
        # one tuned for the batch started from, which the rules scale; the user's own is checked against that
        put("user_lr", out.pop("base_lr")[0], v["lr"].text)
        put("base_lr", ref_lr.value, ref_lr.text)
    return out


# the keys that name each GPU's batch (OpenMMLab's, the Hugging Face Trainer's, DeepSpeed's)
SIZE_ONLY = re.compile(r"\d{1,4}(?:\.\d{1,2})?\s?[bBmM]")  # "4B", "1.5B": a model's size, no model's name
PER_GPU_KEY = re.compile(r"(?:samples|imgs|images)_per_gpu|per_device_train_batch_size|train_micro_batch_size_per_gpu",
                         re.I)
# a launcher's or a script's own count of the processes or devices it runs on
# (not CUDA_VISIBLE_DEVICES, often one of two runs compared, nor a world size, which a pipeline over many devices
# keeps at one process)
LAUNCH_COUNT = re.compile(r"num[-_ ]?gpus|nproc[-_]per[-_]node|\bn[-_]gpus?\b|num[-_]processes", re.I)


TRL_PROMPT_DEFAULT = 512  # TRL's GRPOConfig max_prompt_length default (trl/trainer/grpo_config.py)


def _rounded(text: str) -> bool:
    """Whether a value was said as a rough figure ("~0.5M tokens", "about 4M"), which a run within a tenth matches."""
    from advisor.reading.hardware import ROUNDING
    return "~" in text or "≈" in text or not ROUNDING.isdisjoint(text.lower().split())


def _split_kept(reading: Reading, v: dict, put) -> bool:
    """"per_device_train_batch_size=8 … if I raise it to 32 … divide grad accum by 4 to keep the effective batch at
    64": the micro-batch is to change and the accumulation with it, so the batch per update stays. The run is the
    one measured (8 × 8), the micro-batch asked about is 32, and the two splits of 64 are compared - no batch change,
    so no learning rate to retune. False (nothing put) when the numbers do not make such a split."""
    kept = reading.batch_kept
    if kept is None:
        return False
    a, b = v["batch_from"].value, v["batch_to"].value
    gpus = v["num_gpus"].value if "num_gpus" in v and v["num_gpus"].setup == "user" else 1
    if not (a > 0 and b > 0 and gpus > 0) or kept.value % (a * gpus) or kept.value % (b * gpus):
        return False
    put("micro_batch", a, v["batch_from"].text)
    put("grad_accum_steps", kept.value // (a * gpus), kept.text)
    put("batch_size", kept.value, kept.text)
    if b > a:
        put("asked_batch", b, v["batch_to"].text)
    if gpus == 1:
        put("split_micro_batch", a, kept.text)
        put("split_accum_steps", kept.value // a, kept.text)
        put("split_other_micro_batch", b, kept.text)
        put("split_other_accum_steps", kept.value // b, kept.text)
    return True


def _lowering_asked(reading: Reading) -> tuple[dict[str, Read], Read] | None:
    """"Llama-2-7b LoRA, batch 8 … OOM. Should I lower the batch to 2?": a smaller batch asked about after the run ran
    out of memory is no change made - the run is the batch that failed, and the smaller one is what the question asks
    to check. The values with the run's batch back in place of the asked one, and the asked batch; None when the
    change was made or is not a lowering after an OOM."""
    v = reading.values
    if not reading.batch_change_asked or "batch_from" not in v or "batch_to" not in v:
        return None
    old, new, oom = v["batch_from"], v["batch_to"], v.get("oom")
    if not 0 < new.value < old.value or oom is None or not oom.value:
        return None
    values = {name: r for name, r in v.items() if name not in ("batch_from", "batch_to")}
    for name in ("micro_batch", "global_batch"):
        if values.get(name) is not None and values[name].value == new.value:
            # (the asked batch, read as the run's: the run's batch said the same way)
            values[name] = replace(values[name], value=old.value, text=old.text)
    return values, new


def _accumulation_over_gpus(v: dict, put) -> None:
    """nanoGPT's train.py divides `gradient_accumulation_steps` by the processes (`gradient_accumulation_steps //=
    ddp_world_size`): the key is the accumulation over all GPUs, so each GPU accumulates its share, its `batch_size`
    is each GPU's, and the batch per update is batch_size × the key's value whatever the GPU count ("5 * 8" on 4
    GPUs: 10 steps each, 12 × 40 = 480 sequences as on 8)."""
    total, accum, gpus, micro = v.get("accumulation_over_gpus"), v.get("grad_accum_steps"), v.get("num_gpus"), \
        v.get("micro_batch")
    if total is None or accum is None or gpus is None or micro is None or gpus.setup != "user":
        return
    steps, count = int(accum.value), int(gpus.value)
    if count < 2 or steps % count:
        return  # (its assert fails on a count that does not divide the key: no run to describe)
    put("grad_accum_steps", steps // count, accum.text)
    put("accumulation_over_gpus", True, total.text)
    put("micro_batch", micro.value, micro.text)
    put("batch_size", micro.value * steps, accum.text)


SEQ_KEY = re.compile(r"\b(?:max_)?(?:seq|sequence)_?len(?:gth)?\b", re.IGNORECASE)  # `max_seq_length`, `seq_len`
SETTINGS_COMPARED = ("seq_len",)  # what a pasted command sets and the prose may misquote (no run compares two)


def _said_and_set_apart(reading: Reading) -> tuple[str, str] | None:
    """One setting given two values of the user's own in two sentences ("max_sequence_length=128 … Command: …
    `--max_seq_length 64`"), neither an earlier run nor a plan: (the two, in the message's words), or None."""
    for old, new in reading.conflicts:
        if old.field == new.field and old.field in SETTINGS_COMPARED and old.setup == new.setup == "user" \
                and old.value != new.value and old.sentence != new.sentence \
                and not (old.past or new.past or old.planned or new.planned) \
                and all(SEQ_KEY.search(r.text) and " to " not in r.text and ">" not in r.text for r in (old, new)):
            # (both said as the setting's key - `max_seq_length 64`, not a change "to 1000", a bound "seq_len > 4096"
            # nor another length)
            return f"'{old.text}' and '{new.text}'", new.text
    return None


def _peft_defaults_to_qv(model: str) -> bool:
    """Whether PEFT's default LoRA targets for the catalogue model are q_proj and v_proj (its LLaMA-layout decoders:
    LLaMA, Mistral, Qwen2, Gemma)."""
    from advisor.domain.catalogue import catalogue_entry, has_preset

    return has_preset(model) and catalogue_entry(model).get("family") == "llama" \
        and catalogue_entry(model).get("arch_kind", "decoder") == "decoder"


def _launched_count(reading: Reading) -> Any:
    """The GPUs a launch command gives the run when it is fewer than the machine has ("2 x Titan V" and `--num-gpus
    1`, "8 GPUs" and `NUM_GPUS=4`): the read of a launcher's key that lost to the machine's count, or None."""
    machine = reading.values.get("num_gpus")
    if machine is None or "gpus_from" in reading.values:
        return None  # (nor a count changed: "--num-gpus from 1 to 2")
    for pair in reading.conflicts:
        for read in pair:
            if read.field == "num_gpus" and read is not machine and read.setup == "user" \
                    and isinstance(read.value, int) and 1 <= read.value < machine.value and LAUNCH_COUNT.search(read.text):
                return read
    return None


def _read_naming(values: dict[str, Any], keys: tuple[str, ...]) -> Any:
    """The first read whose words name one of a framework's own keys (`finetuning_type`, `samples_per_gpu`): the
    framework is the run's, whatever else the message names."""
    return next((r for r in values.values() if any(key in r.text.lower() for key in keys)), None)


def _in_sequences(tokens: tuple[float, float], seq: int | None) -> tuple[float, int | None]:
    """Tokens per update said with a suffix ("4M") as (tokens, sequences) at `seq` tokens per sequence: the
    reading (4 × 2^20 or 4 × 10^6) that makes a whole number of sequences, the binary one first (sequences per
    update are usually powers of two: 4M tokens at 4,096 is 1,024), else one within half a percent of a whole
    number; no sequence count when neither does."""
    decimal, binary = tokens
    if seq:
        for total in (binary, decimal):
            if total % seq == 0:
                return total, int(total // seq)
        for total in (binary, decimal):  # "4M tokens" at a max length of 8196 (8192 mistyped): 511.75, so 512
            if abs(total / seq - round(total / seq)) <= 0.005 * total / seq:
                return total, round(total / seq)
    return decimal, None


def situation_facts(situation: "Situation | dict[str, Any]", kb: Any) -> dict[str, Any]:
    """The input facts a structured situation states (a chat model fills one from a conversation)."""
    from advisor.errors import InputError
    from advisor.reading.reader import Read

    if isinstance(situation, dict):
        try:
            situation = Situation.model_validate(situation)
        except Exception as exc:  # noqa: BLE001 - pydantic names the field and what it expected
            first = exc.errors()[0] if hasattr(exc, "errors") else None
            where = ".".join(str(p) for p in first["loc"]) if first else ""
            raise InputError(f"situation{'.' + where if where else ''}: {first['msg'] if first else exc}") from None
    reading = Reading()
    reverse = {place: name for name, place in _PLACES.items()}
    for section in ("hardware", "model", "training", "batches", "schedule", "changes"):
        for key, value in getattr(situation, section).model_dump(exclude_none=True).items():
            name = reverse.get((section, key))
            if name is not None:
                reading.set(Read(name, value, "situation"))
    if situation.training.adapter == "none":
        reading.values.pop("adapter", None)
        reading.set(Read("adapter", "none", "situation"))
        reading.full_training = "situation"  # no adapters, said: every weight is trained
    if situation.oom is not None:
        reading.set(Read("oom", situation.oom, "situation"))
    if situation.goal is not None:
        reading.set(Read("goal", situation.goal, "situation"))
    if situation.reference.batch is not None:
        reading.reference["batch"] = Read("batch", situation.reference.batch, "situation", "reference")
    if situation.hardware.gpu_model and situation.hardware.gpu_memory_gb is None:
        from advisor.domain.gpus import find_gpu

        match = find_gpu(situation.hardware.gpu_model)
        if match is not None and match.gpu is not None:
            reading.set(Read("gpu_memory_catalogue_bytes", match.gpu.memory_bytes, "situation"))
            reading.values["gpu_model"] = Read("gpu_model", match.gpu.id, "situation")
    if situation.hardware.gpu_second:
        from advisor.domain.gpus import find_gpu

        match = find_gpu(situation.hardware.gpu_second)
        if match is None:
            raise InputError(f"situation.hardware.gpu_second: {situation.hardware.gpu_second!r} is not a card of the "
                             "catalogue (e.g. 'gtx-1080-ti', 'rtx-3060')")
        reading.set(Read("gpu_second", match.id, "situation"))
        if match.gpu is not None:
            reading.set(Read("gpu_second_bytes", match.gpu.memory_bytes, "situation"))
    if situation.hardware.gpu_alternative:
        from advisor.domain.gpus import find_gpu

        match = find_gpu(situation.hardware.gpu_alternative)
        if match is None or match.gpu is None:
            raise InputError(f"situation.hardware.gpu_alternative: {situation.hardware.gpu_alternative!r} is not a "
                             "card of the catalogue with one memory size (e.g. 'h100-80gb', 'rtx-4090')")
        reading.set(Read("gpu_alternative", situation.hardware.gpu_alternative, "situation"))
        reading.set(Read("gpu_alternative_bytes", match.gpu.memory_bytes, "situation"))
    if situation.model.name:
        from advisor.domain.catalogue import find_model

        spec = find_model(situation.model.name)
        if spec is not None:
            reading.values["model"] = Read("model", spec.name, "situation")
    return {name: value for name, (value, _) in facts_of(reading, kb).items()}
