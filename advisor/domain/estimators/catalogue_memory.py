"""The analytic training-memory model (estimators.training) exposed to rules for catalogue models."""

from __future__ import annotations

from advisor.domain.catalogue import at_image_size, preset
from advisor.domain.gpus import find_gpu
from advisor.errors import InputError
from advisor.units import fmt_bytes_gib, fmt_card, fmt_count, fmt_share
from advisor.engine.estimators import Estimate, NotComputable, estimator
from advisor.domain.estimators.training import TrainingSetup, estimate_training_memory

SOURCES = ("korthikanti", "hf-anatomy", "memexp-affine", "pt-cuda-context")


@estimator("params", "fixed", "per_sample", "max_micro_batch", cites=SOURCES)
def preset_training_memory(model: str, gpu_memory: float, precision: str, optimizer: str, seq_len: float = 0,
                           attention: str = "flash", num_gpus: float = 1, grad_accum_steps: float = 1,
                           image_size: float = 0, grad_checkpointing: bool = False) -> dict[str, Estimate]:
    """Model states, per-sample activations and logits, and the largest micro-batch for a catalogue model (with
    DDP's gradient buckets on several GPUs, and every gradient alive in backward when accumulating). Attention is
    SDPA's unless the user says eager, as the plan search assumes, so the two never give two different batches."""
    attention = "eager" if attention == "eager" else "flash"
    try:
        spec = at_image_size(preset(model, int(seq_len) or None), int(image_size))  # (as the plan search does)
        # (with activation checkpointing, as the plan search counts the user's run: one per-sample figure for both)
        est = estimate_training_memory(spec, TrainingSetup(precision=precision, optimizer=optimizer, attention=attention,
                                                           gpus=int(num_gpus), grad_accum=int(grad_accum_steps),
                                                           checkpointing="full" if grad_checkpointing else "none"))
    except InputError as exc:
        raise NotComputable(str(exc)) from None
    if not est.per_sample:
        raise NotComputable(f"no activation model for {model}")
    best = est.max_micro_batch(gpu_memory)
    where = (f"{spec.name}, sequence {spec.seq_len}, {precision}, {optimizer}, {attention} attention"
             + (", activation checkpointing" if grad_checkpointing else "")
             + (f", {int(num_gpus)} GPUs (DDP)" if num_gpus > 1 else "") + (f", {int(grad_accum_steps)} micro-batches per update" if grad_accum_steps > 1 else ""))
    grads = est.gradients_at_backward()
    return {
        "params": Estimate(spec.params, "count", f"{spec.name}: {spec.params:,} parameters (computed from its shapes)", ("hf-anatomy",)),
        "fixed": Estimate(est.intercept, "bytes", f"weights + optimizer state ({where}) = {fmt_bytes_gib(est.intercept)}", SOURCES),
        "per_sample": Estimate(est.slope, "bytes", "; ".join(est.formulas[k] for k in est.per_sample), SOURCES),
        "max_micro_batch": Estimate(int(best), None, f"largest b with ({fmt_bytes_gib(est.intercept)} + "
                                               + (f"{fmt_bytes_gib(grads)} gradients + " if grads else "") + f"{fmt_bytes_gib(est.slope)} × b) × "
                                               f"(1 + {fmt_share(est.margin)} margin) + CUDA overheads ≤ {fmt_card(gpu_memory)} → {best}", SOURCES),
    }


LOGITS_MATCH = 0.03  # an allocation within 3% of a logits tensor's size is that tensor (PyTorch rounds to 2 MiB blocks)


@estimator("per_thousand", "at_sequence", cites=("hf-anatomy", "arithmetic"))
def vocabulary_logits(vocab: float, seq_len: float | None = None, micro_batch: float | None = None,
                      batch_size: float | None = None, grad_accum_steps: float | None = None,
                      num_gpus: float | None = None) -> dict[str, Estimate]:
    """fp32 logits of a vocabulary the user names ("my dict has more than 500,000 lines"): vocabulary × 4 B per
    token (the loss's upcast), per 1,000 tokens, and for one micro-batch at the sequence length when it is said
    (the micro-batch unsaid: the batch per update over the accumulation and the GPUs, when both are known, else
    one sequence)."""
    if vocab <= 0:
        raise NotComputable("no vocabulary")
    if not micro_batch and batch_size and grad_accum_steps and num_gpus:
        split = batch_size / (grad_accum_steps * num_gpus)
        micro_batch = split if split >= 1 and float(split).is_integer() else None
    per_k = 1000 * vocab * 4
    out = {"per_thousand": Estimate(per_k, "bytes", f"1,000 tokens × {fmt_count(vocab)} vocabulary × 4 B (fp32) = "
                                    f"{fmt_bytes_gib(per_k)}", ("hf-anatomy", "arithmetic"))}
    if seq_len and seq_len > 0:
        rows = (micro_batch or 1) * seq_len
        size = rows * vocab * 4
        out["at_sequence"] = Estimate(size, "bytes", f"{int(micro_batch or 1)} × {int(seq_len):,} tokens × "
                                      f"{fmt_count(vocab)} vocabulary × 4 B = {fmt_bytes_gib(size)}",
                                      ("hf-anatomy", "arithmetic"))
    return out


VOCAB_GAP = 1.5  # two vocabularies this far apart make a difference in memory worth naming


@estimator("run_vocab", "compared_vocab", "run_logits", "compared_logits", "ratio", cites=("hf-anatomy", "arithmetic"))
def compared_vocab_logits(model: str, compared: str, seq_len: float, micro_batch: float | None = None) -> dict[str, Estimate]:
    """Two catalogue language models set side by side at one length ("Llama 2 7b takes 10 GB at 16k, Llama 3 8b
    double"): their fp32 logits, micro-batch × tokens × vocabulary × 4 B - the tensor that differs most between models
    of one width when their vocabularies differ (32,000 against 128,256)."""
    try:
        a, b = preset(model), preset(compared)
    except InputError as exc:
        raise NotComputable(str(exc)) from None
    if not a.vocab or not b.vocab or seq_len <= 0 or max(a.vocab, b.vocab) < VOCAB_GAP * min(a.vocab, b.vocab):
        raise NotComputable("no vocabularies far enough apart")
    rows = int(micro_batch or 1) * int(seq_len)
    src = ("hf-anatomy", "arithmetic")

    def logits(spec) -> Estimate:
        size = rows * spec.vocab * 4
        return Estimate(size, "bytes", f"{rows:,} tokens × {spec.vocab:,} vocabulary × 4 B = {fmt_bytes_gib(size)}", src)

    return {"run_vocab": Estimate(a.vocab, "count", f"{a.name}: {a.vocab:,} tokens", src),
            "compared_vocab": Estimate(b.vocab, "count", f"{b.name}: {b.vocab:,} tokens", src),
            "run_logits": logits(a), "compared_logits": logits(b),
            "ratio": Estimate(a.vocab / b.vocab, None, f"{a.vocab:,} / {b.vocab:,} = {a.vocab / b.vocab:.2f}", src)}


@estimator(cites=("hf-anatomy", "arithmetic"))
def logits_allocation(allocation: float, model: str, micro_batch: float, seq_len: float) -> dict[str, Estimate]:
    """Whether the allocation an OOM error reports ("Tried to allocate 4.00 GiB") is one copy of the language model's
    logits: micro-batch × sequence × vocabulary in fp32 (the loss's upcast) or in 16 bits."""
    try:
        spec = preset(model)
    except InputError as exc:
        raise NotComputable(str(exc)) from None
    if not spec.vocab or allocation <= 0:
        raise NotComputable(f"{model} has no vocabulary to make logits over")
    for nbytes, kind in ((4, "fp32"), (2, "16-bit")):
        size = micro_batch * seq_len * spec.vocab * nbytes
        if abs(allocation - size) <= LOGITS_MATCH * size:
            text = (f"{int(micro_batch)} × {int(seq_len):,} tokens × {spec.vocab:,} vocabulary × {nbytes} B = "
                    f"{fmt_bytes_gib(size)}: one {kind} copy of the logits")
            return {"value": Estimate(text, None, text, ("hf-anatomy", "arithmetic"))}
    raise NotComputable("the allocation is no logits tensor of this micro-batch and sequence")


# head counts models use: a quotient solved for the heads must be one of them (any whole number would match some
# allocation by chance)
USUAL_HEADS = frozenset({4, 8, 12, 16, 20, 24, 25, 28, 32, 40, 48, 56, 64, 96, 128})
# the allocation as the error prints it: GiB to two decimals, rounded up to PyTorch's 2 MiB blocks
PRINTED_SLACK = 0.005 * 1024 ** 3 + 2 * 1024 ** 2


@estimator(cites=("pt-sdpa", "arithmetic"))
def attention_scores_allocation(allocation: float, micro_batch: float, seq_len: float, model: str | None = None,
                                model_shape: str | None = None) -> dict[str, Estimate]:
    """Whether the allocation an OOM error reports is eager attention's score matrix: micro-batch × heads ×
    sequence² in 16 bits or fp32 ("batch 32, 8192 tokens, Tried to allocate 48.00 GiB": 32 × 12 × 8,192² × 2 B).
    The heads are the model's where known (a catalogue model, or n_heads in the user's settings); otherwise the
    allocation must divide into a whole number of heads, which is then said as a condition."""
    if allocation <= 0 or micro_batch <= 0 or seq_len <= 0:
        raise NotComputable("the allocation, micro-batch and sequence must be positive")
    heads = 0
    if model:
        try:
            heads = preset(model).n_heads
        except InputError:
            heads = 0
    if not heads and model_shape:
        for part in str(model_shape).split():
            name, _, value = part.partition("=")
            if name == "n_heads" and value.isdigit():
                heads = int(value)
    square = micro_batch * seq_len * seq_len
    for nbytes, kind in ((2, "16-bit"), (4, "fp32")):
        known = heads > 0
        count = heads if known else round(allocation / (square * nbytes))
        size = square * count * nbytes
        if known and abs(allocation - size) > LOGITS_MATCH * size \
                or not known and (count not in USUAL_HEADS or abs(allocation - size) > PRINTED_SLACK):
            continue
        text = (f"{int(micro_batch)} × {count} heads × {int(seq_len):,}² tokens × {nbytes} B = {fmt_bytes_gib(size)}: "
                f"the {kind} attention scores of one layer" + ("" if known else f", if the model has {count} heads"))
        return {"value": Estimate(text, None, text, ("pt-sdpa", "arithmetic"))}
    raise NotComputable("the allocation is no attention score matrix of this micro-batch and sequence")


HF_EVAL_BATCH_DEFAULT = 8  # TrainingArguments.per_device_eval_batch_size when unset (hf-training-arguments)


@estimator("eval", "train", "eval_batch", cites=("hf-training-arguments", "arithmetic"))
def eval_batch_logits(model: str, seq_len: float, micro_batch: float, eval_batch: float | None = None) -> dict[str, Estimate]:
    """The fp32 logits of one evaluation batch against one training micro-batch's, at the sequence length: the
    Trainer evaluates at per_device_eval_batch_size (8 when unset), whatever the training's micro-batch - only a
    larger evaluation batch is worth naming."""
    try:
        spec = preset(model)
    except InputError as exc:
        raise NotComputable(str(exc)) from None
    if not spec.vocab or seq_len <= 0 or micro_batch <= 0:
        raise NotComputable(f"{model} has no vocabulary to make logits over")
    said = eval_batch is not None and eval_batch > 0
    batch = int(eval_batch) if said else HF_EVAL_BATCH_DEFAULT
    if batch <= micro_batch:
        raise NotComputable("evaluation's batch is no larger than training's")
    cites = ("hf-training-arguments", "arithmetic")
    per_sample = seq_len * spec.vocab * 4
    where = "" if said else " (the Trainer's default)"
    return {"eval": Estimate(batch * per_sample, "bytes", f"{batch}{where} × {int(seq_len):,} tokens × "
                             f"{spec.vocab:,} vocabulary × 4 B = {fmt_bytes_gib(batch * per_sample)}", cites),
            "train": Estimate(micro_batch * per_sample, "bytes", f"{int(micro_batch)} × {int(seq_len):,} tokens × "
                              f"{spec.vocab:,} vocabulary × 4 B = {fmt_bytes_gib(micro_batch * per_sample)}", cites),
            "eval_batch": Estimate(batch, None, f"per_device_eval_batch_size {batch}{where}", cites)}


@estimator(cites=("gpu-catalogue",))
def card_sizes_made(gpu_model: str, gpu_memory: float) -> dict[str, Estimate]:
    """The memory sizes the card named comes in, when the size said is none of them ("A100 GPUs with 64GB"): a
    little under one is what the card leaves usable, and is one of them."""
    named = find_gpu(str(gpu_model).replace("-", " "))
    if named is None or not named.candidates or named.platform:
        raise NotComputable(f"no one card {gpu_model} in the catalogue")  # (a platform offers several kinds)
    sizes = sorted({card.memory_gb for card in named.candidates})
    said = gpu_memory / 2**30  # (a card's GB are read as GiB)
    if len(sizes) < 2 or not sizes[0] < said < sizes[-1] or any(0.85 * size <= said <= 1.05 * size for size in sizes):
        # (only a size between a family's sizes, "A100 with 64GB": a size above them all is usually the sum over
        # several cards or another card's, one below a use, and a one-size card said larger often a modded one)
        raise NotComputable("the size said is one the card comes in, or not between its sizes")
    listed = " or ".join(f"{size:g} GB" for size in sizes)
    return {"value": Estimate(listed, None, f"the catalogue's {named.text.upper()}: {listed}; said: {said:g} GB",
                              ("gpu-catalogue",))}
