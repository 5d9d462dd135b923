"""Learning-rate and warmup scaling when the batch changes.

The result is a *bracket to sweep*, never one answer (Goyal et al. 2017 for SGD: linear + gradual warmup;
Malladi et al. 2022 for Adam and RMSprop: square root - applied to Lion and Adafactor only by analogy, labelled
heuristic; the optimum can even fall at very large batch, Li et al. 2024). The sweep always brackets its centre.
"""

from __future__ import annotations

import math

from advisor.domain import vocabulary
from advisor.domain.vocabulary import ADAPTIVE_OPTIMIZERS
from advisor.units import fmt_count, fmt_sig
from advisor.engine.estimators import Estimate, NotComputable, estimator

ADAPTIVE = set(ADAPTIVE_OPTIMIZERS)
SQRT_ANALYSED = {"adam", "adamw", "adamw_8bit", "adamw_4bit"}  # Malladi et al. analyse Adam and RMSprop
SGD_FAMILY = set(vocabulary.SGD_FAMILY)


def sweep_points(center: float, other: float, max_points: int = 5) -> list[float]:
    """LR multipliers to sweep: √2 steps around `center` (one on each side, so the sweep brackets it), then on
    toward the other rule's multiplier `other`, which ends the sweep if it is reached within `max_points`
    (3 significant digits). Always 3 to `max_points` points, sorted."""
    step = math.sqrt(2)
    points = [center / step, center, center * step]
    up = other > center
    edge = points[-1] if up else points[0]
    while len(points) < max_points:
        if (up and edge >= other * 0.999) or (not up and edge <= other * 1.001):
            break
        nxt = edge * step if up else edge / step
        if (up and nxt > other * 1.001) or (not up and nxt < other * 0.999):
            nxt = other
        points.append(nxt)
        edge = nxt
    return sorted(float(f"{p:.3g}") for p in points)


@estimator("linear", "sqrt", "center", "sweep", cites=("goyal", "malladi", "li-surge", "playbook"))
def lr_multipliers(batch_from: float, batch_to: float, optimizer: str) -> dict[str, Estimate]:
    """How much to multiply the learning rate by when the effective batch goes from `batch_from` to `batch_to`."""
    if batch_from <= 0 or batch_to <= 0:
        raise NotComputable("batch sizes must be positive")
    k = batch_to / batch_from
    linear, root = k, math.sqrt(k)
    heuristic = False
    if optimizer in SGD_FAMILY:
        center, other, rule, sources = linear, root, "linear (SGD + momentum, with warmup)", ("goyal",)
    elif optimizer in SQRT_ANALYSED:
        center, other, rule, sources = root, linear, "square root (Adam-family)", ("malladi", "li-surge")
    elif optimizer in ADAPTIVE:
        # Malladi et al.'s SDE analysis covers Adam and RMSprop; for Lion and Adafactor the √ rule is an analogy
        center, other, rule, sources = root, linear, f"square root, by analogy with Adam ({optimizer} is not covered by " \
                                                     "Malladi et al.'s analysis: heuristic)", ("malladi", "li-surge")
        heuristic = True
    else:
        raise NotComputable(f"unknown optimizer {optimizer!r}")
    sweep = sweep_points(center, other)
    ratio = f"{fmt_sig(batch_to)}/{fmt_sig(batch_from)} = {fmt_sig(k, 3)}"
    reached = min(sweep) <= other * 1.001 and max(sweep) >= other * 0.999
    how = (f"√2 steps around ×{fmt_sig(center, 3)}, on to the other rule's ×{fmt_sig(other, 3)}" if reached else
           f"√2 steps around ×{fmt_sig(center, 3)}; the other rule's ×{fmt_sig(other, 3)} lies beyond {len(sweep)} points")
    return {
        "linear": Estimate(linear, "multiplier", f"k = {ratio}", ("goyal",)),
        "sqrt": Estimate(root, "multiplier", f"√k = √({ratio}) = {fmt_sig(root, 3)}", ("malladi",), heuristic=heuristic),
        "center": Estimate(center, "multiplier", f"{rule}: start at ×{fmt_sig(center, 3)}", sources, heuristic=heuristic),
        "sweep": Estimate(sweep, "multiplier", f"sweep ×{{{', '.join(fmt_sig(x, 3) for x in sweep)}}} ({how})",
                          sources + ("playbook",), heuristic=heuristic),
    }


@estimator("per_update", "one_gpu", "linear", "sqrt", cites=("goyal", "malladi", "arithmetic"))
def lr_times_the_gpus(learning_rate: float, lr_scale_factor: float, micro_batch: float, num_gpus: float,
                      grad_accum_steps: float | None = None) -> dict[str, Estimate]:
    """An LR multiplied by the GPU count ("lr 0.1 on 8 GPUs: should I use 0.8?"): the batch per update is the GPUs
    times one GPU's, so the linear rule carries an LR tuned on one GPU over ×GPUs, the square-root rule ×√GPUs.
    Only where the multiplier is the GPU count (within 1%): another factor is no move from one GPU's batch."""
    if learning_rate <= 0 or micro_batch < 1 or num_gpus < 2 or abs(lr_scale_factor - num_gpus) > 0.01 * num_gpus:
        raise NotComputable("the learning rate's multiplier is not the GPU count")
    accum = grad_accum_steps or 1
    one_gpu, per_update = micro_batch * accum, micro_batch * accum * num_gpus
    said = f" × {fmt_count(accum)} accumulation" if grad_accum_steps else ""
    root = math.sqrt(num_gpus)
    return {
        "per_update": Estimate(per_update, None, f"{fmt_count(micro_batch)} per GPU{said} × {fmt_count(num_gpus)} GPUs = "
                                                 f"{fmt_count(per_update)}", ("arithmetic",)),
        "one_gpu": Estimate(one_gpu, None, f"{fmt_count(micro_batch)}{said}", ("arithmetic",)),
        "linear": Estimate(learning_rate * num_gpus, None, f"{fmt_sig(learning_rate)} × {fmt_count(num_gpus)} = "
                                                          f"{fmt_sig(learning_rate * num_gpus, 3)}", ("goyal",)),
        "sqrt": Estimate(learning_rate * root, None, f"{fmt_sig(learning_rate)} × √{fmt_count(num_gpus)} = "
                                                    f"{fmt_sig(learning_rate * root, 3)}", ("malladi",)),
    }


@estimator("center", "low", "high", cites=("goyal", "malladi", "playbook"))
def scaled_lr(learning_rate: float, center: float, sweep: list) -> dict[str, Estimate]:
    """Apply the LR multipliers to a known learning rate."""
    values = [learning_rate * m for m in sweep]
    return {
        "center": Estimate(learning_rate * center, None,
                           f"{fmt_sig(learning_rate)} × {fmt_sig(center, 3)} = {fmt_sig(learning_rate * center, 3)}", ("goyal", "malladi")),
        "low": Estimate(min(values), None, f"{fmt_sig(learning_rate)} × {fmt_sig(min(sweep), 3)}", ("playbook",)),
        "high": Estimate(max(values), None, f"{fmt_sig(learning_rate)} × {fmt_sig(max(sweep), 3)}", ("playbook",)),
    }


MMDET_RECIPE_BATCH = 16  # MMDetection's configs: 8 GPUs × 2 images (mmdet-default-lr)
MMDET_IMAGES_PER_GPU = 2


@estimator("batch", "lr", cites=("mmdet-default-lr", "goyal"))
def mmdet_recipe_lr(learning_rate: float, num_gpus: float, images_per_gpu: float | None = None) -> dict[str, Estimate]:
    """An MMDetection config's learning rate (set for 8 GPUs × 2 images = 16) scaled linearly to the images per
    update run: GPUs × images per GPU (2 unless said)."""
    images = images_per_gpu or MMDET_IMAGES_PER_GPU
    if learning_rate <= 0 or num_gpus < 1 or images < 1:
        raise NotComputable("the learning rate, the GPUs and the images must be positive")
    batch = int(num_gpus * images)
    lr = learning_rate * batch / MMDET_RECIPE_BATCH
    said = "" if images_per_gpu else " (2 unless set)"
    return {"batch": Estimate(batch, None, f"{fmt_sig(num_gpus)} GPUs × {fmt_sig(images)} images{said} = {batch}",
                              ("mmdet-default-lr",)),
            "lr": Estimate(lr, None, f"{fmt_sig(learning_rate)} × {batch} / {MMDET_RECIPE_BATCH} = {fmt_sig(lr, 3)}",
                           ("mmdet-default-lr", "goyal"))}


@estimator("linear", "sqrt", cites=("goyal", "malladi"))
def lr_by_either_rule(linear: float, sqrt: float, learning_rate: float | None = None) -> dict[str, Estimate]:
    """A known learning rate moved by each rule's multiplier, for an optimizer not said: the linear rule's value (SGD
    with momentum) and the square root's (Adam and its relatives)."""
    if learning_rate is None:
        raise NotComputable("no learning rate said")
    if learning_rate <= 0 or linear <= 0 or sqrt <= 0:
        raise NotComputable("the learning rate and the multipliers must be positive")
    return {
        "linear": Estimate(learning_rate * linear, None, f"{fmt_sig(learning_rate)} × {fmt_sig(linear, 3)} = "
                           f"{fmt_sig(learning_rate * linear, 3)}", ("goyal",)),
        "sqrt": Estimate(learning_rate * sqrt, None, f"{fmt_sig(learning_rate)} × {fmt_sig(sqrt, 3)} = "
                         f"{fmt_sig(learning_rate * sqrt, 3)}", ("malladi",)),
    }


@estimator("steps", "examples", cites=("goyal",))
def warmup_at_new_batch(warmup_steps: float, batch_from: float, batch_to: float) -> dict[str, Estimate]:
    """Warmup held constant in *examples* when the batch changes - Goyal et al.'s choice for large-batch SGD (they
    gave it in epochs), not a law: Adam's untuned rule counts iterations (`untuned_adam_warmup`)."""
    examples = warmup_steps * batch_from
    steps = math.ceil(examples / batch_to)
    return {
        "examples": Estimate(examples, "count", f"{fmt_sig(warmup_steps)} steps × {fmt_sig(batch_from)} = {fmt_sig(examples)} examples", ("goyal",)),
        "steps": Estimate(steps, None, f"⌈{fmt_sig(examples)} / {fmt_sig(batch_to)}⌉ = {steps} steps", ("goyal",)),
    }


@estimator(cites=("ma-yarats",))
def untuned_adam_warmup(beta2: float) -> dict[str, Estimate]:
    """Ma & Yarats's untuned linear warmup for Adam: 2 / (1 − β2) iterations, whatever the batch."""
    if not 0 < beta2 < 1:
        raise NotComputable("β2 must be between 0 and 1")
    steps = math.ceil(2 / (1 - beta2) - 1e-9)
    return {"value": Estimate(steps, None, f"2 / (1 − {fmt_sig(beta2)}) = {steps} iterations", ("ma-yarats",), heuristic=True)}


@estimator(cites=("playbook",))
def lr_sweep_values(learning_rate: float) -> dict[str, Estimate]:
    """Three log-spaced learning rates around the current one: ×{0.3, 1, 3}."""
    values = [float(f"{learning_rate * m:.3g}") for m in (0.3, 1.0, 3.0)]
    return {"value": Estimate(values, None, f"{fmt_sig(learning_rate)} × {{0.3, 1, 3}}", ("playbook",), heuristic=True)}


@estimator("value", "half_life_steps", cites=("marek",))
def beta2_for_batch(beta2: float, batch_from: float, batch_to: float) -> dict[str, Estimate]:
    """Adam's β2 at a new batch with its half-life held fixed in samples (tokens): β2' = β2^(B'/B) (Marek et al.).
    The half-life of β2 itself is counted in optimizer steps: ln 0.5 / ln β2 (samples only once the batch is
    known: `beta2_half_life_samples`)."""
    if not 0 < beta2 < 1:
        raise NotComputable("β2 must be between 0 and 1")
    if batch_from <= 0 or batch_to <= 0:
        raise NotComputable("batch sizes must be positive")
    new = beta2 ** (batch_to / batch_from)
    steps = math.log(0.5) / math.log(beta2)
    return {
        "value": Estimate(new, None, f"{fmt_sig(beta2)}^({fmt_sig(batch_to)}/{fmt_sig(batch_from)}) = {new:.5f}", ("marek",)),
        "half_life_steps": Estimate(steps, None, f"ln 0.5 / ln {fmt_sig(beta2)} = {fmt_sig(steps, 4)} optimizer steps "
                                                 f"(at the new β2: {fmt_sig(steps * batch_from / batch_to, 4)} steps)", ("marek",)),
    }


@estimator(cites=("marek",))
def beta2_half_life_samples(beta2: float, batch_size: float) -> dict[str, Estimate]:
    """The β2 half-life in samples at a known batch: ln 0.5 / ln β2 optimizer steps × samples per step."""
    if not 0 < beta2 < 1 or batch_size <= 0:
        raise NotComputable("β2 must be between 0 and 1 and the batch positive")
    steps = math.log(0.5) / math.log(beta2)
    return {"value": Estimate(steps * batch_size, "count", f"ln 0.5 / ln {fmt_sig(beta2)} × {fmt_sig(batch_size)} samples per step = "
                                                          f"{fmt_sig(steps * batch_size, 4)} samples", ("marek",))}


@estimator(cites=("bergsma",))
def weight_decay_for_batch(weight_decay: float, batch_from: float, batch_to: float, lr_from: float,
                           lr_to: float) -> dict[str, Estimate]:
    """AdamW weight decay at a new batch and LR with the EMA timescale τ = B/(η·λ·D) held fixed (Bergsma et al.)."""
    new = weight_decay * (batch_to / batch_from) * (lr_from / lr_to)
    formula = (f"λ' = λ × (B'/B) × (η/η') = {fmt_sig(weight_decay)} × ({fmt_sig(batch_to)}/{fmt_sig(batch_from)}) × "
               f"({fmt_sig(lr_from)}/{fmt_sig(lr_to, 3)}) = {fmt_sig(new, 3)}")
    return {"value": Estimate(new, None, formula, ("bergsma",))}


@estimator("steps", "epochs", cites=("goyal",))
def warmup_in_epochs(warmup_epochs: float, dataset_size: float, batch_size: float) -> dict[str, Estimate]:
    """Warmup given in epochs (Goyal et al. used 5) as optimizer steps at this batch."""
    steps = math.ceil(warmup_epochs * dataset_size / batch_size)
    return {"steps": Estimate(steps, None, f"⌈{fmt_sig(warmup_epochs)} × {fmt_sig(dataset_size)} / {fmt_sig(batch_size)}⌉ = {steps} steps", ("goyal",)),
            "epochs": Estimate(warmup_epochs, None, f"{fmt_sig(warmup_epochs)} epochs", ("goyal",))}


@estimator(cites=("deit",))
def deit_lr(batch_size: float) -> dict[str, Estimate]:
    """DeiT's AdamW recipe as a data point: lr = 5e-4 × B / 512 (linear, for ViT/DeiT on ImageNet)."""
    value = 5e-4 * batch_size / 512
    return {"value": Estimate(value, None, f"5e-4 × {fmt_sig(batch_size)} / 512 = {fmt_sig(value, 3)}", ("deit",), heuristic=True)}


@estimator("linear", "reference", "sqrt", cites=("deit-main", "deit"))
def deit_batch_change(batch_from: float, batch_to: float) -> dict[str, Estimate]:
    """DeiT's main.py at another batch: the LR it sets itself (5e-4 × B / 512, linear), the one it set at the batch the
    recipe was tuned at, and the square-root alternative from that one (lr × √(B / B_ref)) - Adam's usual rule."""
    if batch_from <= 0 or batch_to <= 0 or batch_from == batch_to:
        raise NotComputable("two different positive batches are needed")
    ref, lin = deit_lr(batch_from)["value"], deit_lr(batch_to)["value"]  # (the recipe's linear rule)
    sq = ref.value * math.sqrt(batch_to / batch_from)
    src = ("deit-main", "deit")
    return {"linear": lin, "reference": ref,
            "sqrt": Estimate(sq, None, f"{fmt_sig(ref.value, 3)} × √({fmt_sig(batch_to)} / {fmt_sig(batch_from)}) = "
                             f"{fmt_sig(sq, 3)}", src, heuristic=True)}


@estimator(cites=("mae-blr",))
def lr_from_base(base_lr: float, batch: float) -> dict[str, Estimate]:
    """The learning rate a `blr` script sets: blr × batch per update / 256 (MAE's and DeiT's rule)."""
    if base_lr <= 0 or batch <= 0:
        raise NotComputable("the base LR and the batch per update must be positive")
    value = base_lr * batch / 256
    return {"value": Estimate(value, None, f"{fmt_sig(base_lr)} × {fmt_sig(batch)} / 256 = {fmt_sig(value, 3)}",
                              ("mae-blr",))}


@estimator("linear", "sqrt", cites=("goyal", "malladi"))
def lr_at_batch(learning_rate: float, batch: float, reference_batch: float) -> dict[str, Estimate]:
    """A learning rate tuned at `reference_batch` carried to `batch` by the linear rule (what mmdetection's
    --auto-scale-lr does) and by the square-root rule (Adam's)."""
    if min(learning_rate, batch, reference_batch) <= 0:
        raise NotComputable("the learning rate and both batches must be positive")
    ratio = batch / reference_batch
    linear, sqrt = learning_rate * ratio, learning_rate * math.sqrt(ratio)
    return {"linear": Estimate(linear, None, f"{fmt_sig(learning_rate)} × {fmt_sig(batch)} / {fmt_sig(reference_batch)} = "
                                             f"{fmt_sig(linear, 3)}", ("goyal",)),
            "sqrt": Estimate(sqrt, None, f"{fmt_sig(learning_rate)} × √({fmt_sig(batch)} / {fmt_sig(reference_batch)}) = "
                                         f"{fmt_sig(sqrt, 3)}", ("malladi",))}


# GPT-3's models (Brown et al. 2020, Table 2.1): parameters, batch in tokens, learning rate - the best-known table of
# learning rates tuned by size for decoder language models trained from scratch with Adam
GPT3_TABLE = ((125e6, 0.5e6, 6.0e-4), (350e6, 0.5e6, 3.0e-4), (760e6, 0.5e6, 2.5e-4), (1.3e9, 1e6, 2.0e-4),
              (2.7e9, 1e6, 1.6e-4), (6.7e9, 2e6, 1.2e-4), (13e9, 2e6, 1.0e-4), (175e9, 3.2e6, 0.6e-4))


@estimator("params", "batch_tokens", "lr", "ratio", cites=("gpt3", "arithmetic"))
def gpt3_reference_lr(params: float, learning_rate: float, model_preset: str | None = None) -> dict[str, Estimate]:
    """The GPT-3 model nearest in size (on a log scale) with the batch and the LR it was trained with, and the
    user's LR as a multiple of it: a yardstick for a decoder trained from scratch, not a rule (a catalogue model that
    is no decoder - BERT, T5, a ViT - has none)."""
    if params <= 0 or learning_rate <= 0:
        raise NotComputable("the parameters and the learning rate must be positive")
    if model_preset:
        from advisor.domain import catalogue

        if catalogue.has_preset(model_preset) and catalogue.catalogue_entry(model_preset).get("arch_kind") != "decoder":
            raise NotComputable("GPT-3's table is for decoder language models")
    if not GPT3_TABLE[0][0] / 2 <= params <= GPT3_TABLE[-1][0] * 2:
        raise NotComputable("the model is far outside GPT-3's sizes (62M to 350B)")
    size, tokens, lr = min(GPT3_TABLE, key=lambda row: abs(math.log(row[0] / params)))
    ratio = learning_rate / lr
    named = f"GPT-3 {fmt_count(size)}: batch {fmt_count(tokens)} tokens, LR {fmt_sig(lr)}"
    return {"params": Estimate(size, "count", named, ("gpt3",)),
            "batch_tokens": Estimate(tokens, "count", named, ("gpt3",)),
            "lr": Estimate(lr, None, named, ("gpt3",)),
            "ratio": Estimate(ratio, "multiplier", f"{fmt_sig(learning_rate)} / {fmt_sig(lr)} = {fmt_sig(ratio, 3)}",
                              ("arithmetic",))}



@estimator("value", "if_total", cites=("deit-main",))
def deit_lr_that_runs(lr: float, batch: float, gpus: int, batch_is_per_gpu: bool = True) -> dict[str, Estimate]:
    """DeiT's main.py replaces the --lr it is given by lr × batch-size × world size / 512 (unless --unscale_lr), where
    --batch-size is each GPU's: the LR the optimizer runs at. With the batch's scope unsaid, both readings: the batch
    as each GPU's (value) and as the total over the GPUs (if_total)."""
    if lr <= 0 or batch <= 0 or gpus < 1:
        raise NotComputable("needs a learning rate, a batch and a GPU count")
    each = lr * batch * gpus / 512
    out = {"value": Estimate(each, None, f"{fmt_sig(lr)} × {fmt_sig(batch)} per GPU × {gpus} GPUs / 512 = "
                                         f"{fmt_sig(each, 3)}", ("deit-main",))}
    if not batch_is_per_gpu or gpus > 1:
        total = lr * batch / 512
        out["if_total"] = Estimate(total, None, f"{fmt_sig(lr)} × ({fmt_sig(batch)} / {gpus} per GPU) × {gpus} GPUs / "
                                                f"512 = {fmt_sig(total, 3)}", ("deit-main",))
    return out


@estimator("linear", "sqrt", cites=("simclr",))
def simclr_learning_rates(batch: float) -> dict[str, Estimate]:
    """SimCLR's two learning-rate rules for LARS (Chen et al. 2020, appendix B.1): 0.3 × batch / 256, and the square
    root rule 0.075 × √batch, which the paper found better at small batches and longer training."""
    if batch <= 0:
        raise NotComputable("the batch must be positive")
    linear, root = 0.3 * batch / 256, 0.075 * math.sqrt(batch)
    return {"linear": Estimate(linear, "lr", f"0.3 × {fmt_sig(batch)} / 256 = {fmt_sig(linear, 3)}", ("simclr",)),
            "sqrt": Estimate(root, "lr", f"0.075 × √{fmt_sig(batch)} = {fmt_sig(root, 3)}", ("simclr",))}
