"""Batch arithmetic: effective batch, accumulation plans, steps per epoch, speed-ups, communication volume."""

from __future__ import annotations

import math

from advisor.units import fmt_bytes_gib, fmt_count, fmt_duration, fmt_share, fmt_short_duration, fmt_sig
from advisor.engine.estimators import Estimate, NotComputable, estimator
from advisor.domain.estimators.plan_search import ASSUMED_SEQ_LEN
from advisor.domain.estimators.training import divisors


@estimator(cites=("bert-readme", "hf-ga"))
def effective_batch(micro_batch: float, num_gpus: float = 1, grad_accum_steps: float = 1) -> dict[str, Estimate]:
    """Samples (or, for a framework that batches by tokens, tokens) per optimizer update: micro-batch × accumulation
    steps × data-parallel GPUs; one micro-batch an update when no accumulation is given."""
    value = int(micro_batch * grad_accum_steps * num_gpus)
    formula = f"{fmt_sig(micro_batch)} × {fmt_sig(grad_accum_steps)} × {fmt_sig(num_gpus)} = {value}"
    return {"value": Estimate(value, None, formula, ("bert-readme", "hf-ga"))}


@estimator(cites=("hf-ga", "arithmetic"))
def accumulation_to_reach(batch_per_update: float, micro_batch: float, num_gpus: float) -> dict[str, Estimate]:
    """The accumulation steps that make micro-batch × GPUs reach a batch per update - only where it divides exactly
    (a fraction of a step is no setting)."""
    # (the whole-number split is micro_batches_per_update's, with one micro-batch the samples all GPUs take)
    steps = micro_batches_per_update(batch_per_update, micro_batch * num_gpus)["value"].value
    return {"value": Estimate(steps, None, f"{fmt_sig(batch_per_update)} / ({fmt_sig(micro_batch)} × "
                                            f"{fmt_sig(num_gpus)}) = {steps}", ("hf-ga", "arithmetic"))}


def plan_accumulation(target: int, max_micro: int, gpus: int) -> tuple[int, int, int]:
    """(micro, accum, effective): the fewest accumulation steps whose micro-batch fits, preferring an exact
    plan (micro × accum × gpus == target) within twice the fewest steps, else the nearest batch."""
    if target <= 0 or max_micro <= 0 or gpus <= 0:
        raise NotComputable("target, micro-batch and GPU count must be positive")
    first = max(1, math.ceil(target / (max_micro * gpus)))
    # the fewest steps at or above `first` that divide the batch exactly (4096 on a micro-batch of at most 183: 32 ×
    # 128, not 23 × 178 = 4094), within twice the fewest (a prime target would otherwise accumulate one sample a step)
    if target % gpus == 0:
        per_gpu = target // gpus
        for accum in divisors(per_gpu):  # (ascending, √n trial divisions: bounded whatever the target)
            if first <= accum <= max(first + 8, 2 * first) and per_gpu // accum <= max_micro:
                return per_gpu // accum, accum, target
    # no exact split: the nearest batch, keeping the micro-batch as large as fits (32 on 3 GPUs at most 2 each:
    # 2 × 5 × 3 = 30, not 1 × 6 × 3 = 18)
    plans = []
    for accum in sorted({max(1, first - 1), first}):
        micro = min(max_micro, max(1, round(target / (accum * gpus))))
        plans.append((abs(micro * accum * gpus - target), accum, micro))
    _, accum, micro = min(plans)
    return micro, accum, micro * accum * gpus


ULTRALYTICS_NBS = 64  # the YOLO trainer's nominal batch when nbs is not set


@estimator("accumulate", "update", "reference_update", cites=("ultralytics-train",))
def ultralytics_update_batch(batch: float, nbs: float = ULTRALYTICS_NBS, reference_batch: float | None = None,
                             micro_batch: float | None = None, num_gpus: float | None = None) -> dict[str, Estimate]:
    """The images an update of the YOLO trainer sums: accumulate = max(round(nbs / batch), 1) batches of `batch`; and a
    batch it ran before (`reference_batch`) at the default nbs, to compare. `batch` is the trainer's, the total over
    the GPUs: each GPU's loader gets batch // GPUs, so with each GPU's batch said the total is that × the GPUs."""
    if micro_batch and num_gpus and num_gpus > 1:
        batch = micro_batch * num_gpus  # ("batch=16 and two GPUs … the batch used by each GPU is 8": 16 in total)
    if batch < 1 or nbs < 1:
        raise NotComputable("the batch and nbs must be positive")
    accumulate = max(round(nbs / batch), 1)
    update = int(batch * accumulate)
    out = {"accumulate": Estimate(accumulate, None, f"max(round({fmt_sig(nbs)} / {fmt_sig(batch)}), 1) = {accumulate}",
                                  ("ultralytics-train",)),
           "update": Estimate(update, None, f"{fmt_sig(batch)} × {accumulate} = {update} images an update",
                              ("ultralytics-train",))}
    if reference_batch and reference_batch >= 1:
        before = max(round(ULTRALYTICS_NBS / reference_batch), 1)
        out["reference_update"] = Estimate(int(reference_batch * before), None,
                                           f"{fmt_sig(reference_batch)} × max(round({ULTRALYTICS_NBS} / "
                                           f"{fmt_sig(reference_batch)}), 1) = {int(reference_batch * before)} at the "
                                           f"default nbs {ULTRALYTICS_NBS}", ("ultralytics-train",))
    return out


@estimator("micro_batch", "grad_accum_steps", "effective_batch", "exact", cites=("bert-readme", "hf-ga"))
def accumulation_plan(target_batch: float, max_micro_batch: float, num_gpus: float) -> dict[str, Estimate]:
    """Reach a target global batch with micro-batches that fit: accumulate."""
    micro, accum, eff = plan_accumulation(int(target_batch), int(max_micro_batch), int(num_gpus))
    exact = eff == int(target_batch)
    formula = (f"accum = ⌈{fmt_sig(target_batch)} / ({fmt_sig(max_micro_batch)} × {fmt_sig(num_gpus)})⌉ → "
               f"{micro} × {accum} × {fmt_sig(num_gpus)} = {eff}" + ("" if exact else f" (nearest to {fmt_sig(target_batch)})"))
    src = ("bert-readme", "hf-ga")
    return {
        "micro_batch": Estimate(micro, None, formula, src),
        "grad_accum_steps": Estimate(accum, None, formula, src),
        "effective_batch": Estimate(eff, None, formula, src),
        "exact": Estimate(exact, None, formula, src),
    }


REFERENCE_GPU_COUNTS = (1, 2, 4, 8, 16)  # the GPU counts recipes are usually run on


@estimator(cites=("arithmetic", "hf-ga"))
def accumulation_by_reference_gpus(grad_accum_steps: float, num_gpus: float) -> dict[str, Estimate]:
    """A recipe's accumulation carried to another GPU count at the same micro-batch, for each count the recipe may
    have run on: accumulation × their GPUs ÷ yours, where that is a whole number ("8 on 1 GPU is 2 on 4")."""
    accum, gpus = int(grad_accum_steps), int(num_gpus)
    if accum < 1 or gpus < 1:
        raise NotComputable("the accumulation and the GPUs must be positive")
    cases = [(ref, accum * ref // gpus) for ref in REFERENCE_GPU_COUNTS if (accum * ref) % gpus == 0]
    if not cases:
        raise NotComputable("no usual GPU count makes a whole accumulation")
    said = [f"{a} if it ran on {ref} GPU{'s' if ref > 1 else ''}" for ref, a in cases]
    formula = f"{accum} × their GPUs ÷ {gpus}: " + ", ".join(said)
    return {"value": Estimate(", ".join(said), None, formula, ("arithmetic",))}


@estimator("per_epoch", "total", cites=("arithmetic",))
def training_steps(dataset_size: float, batch_size: float, epochs: float) -> dict[str, Estimate]:
    """Optimizer steps per epoch (last partial batch kept) and in total."""
    per_epoch = math.ceil(dataset_size / batch_size)
    total = int(per_epoch * epochs)
    return {
        "per_epoch": Estimate(per_epoch, None, f"⌈{fmt_count(dataset_size)} / {fmt_sig(batch_size)}⌉ = {per_epoch}", ("arithmetic",)),
        "total": Estimate(total, None, f"{per_epoch} × {fmt_sig(epochs)} epochs = {total}", ("arithmetic",)),
    }


@estimator("full", "last", "with_last", cites=("last-partial-batch", "arithmetic"))
def partial_batch(dataset_size: float, batch_size: float) -> dict[str, Estimate]:
    """An epoch's full batches and the samples left for a last, smaller one ("1050 samples at batch 32": 32 full
    batches and one of 26 - 33 steps when it is kept, 32 when it is dropped). Only where the batch does not divide
    the data set: with no remainder there is nothing to keep or drop."""
    n, b = int(dataset_size), int(batch_size)
    if n <= 0 or b <= 0 or n < b:
        raise NotComputable("the data set must hold at least one batch")
    full, last = divmod(n, b)
    if last == 0:
        raise NotComputable("the batch divides the data set: no partial batch")
    formula = f"{n:,} = {full:,} × {b:,} + {last:,}"
    src = ("last-partial-batch", "arithmetic")
    return {"full": Estimate(full, None, formula, src), "last": Estimate(last, None, formula, src),
            "with_last": Estimate(full + 1, None, f"⌈{n:,} / {b:,}⌉ = {full + 1:,}", src)}


@estimator("value", "accumulation", cites=("hf-trainer-steps", "arithmetic"))
def batch_from_steps(dataset_size: float, steps_per_epoch: float, micro_batch: float | None = None,
                     num_gpus: float | None = None) -> dict[str, Estimate]:
    """The batch per update an epoch's number of updates implies ("29,450 samples, one epoch about 1,800 steps":
    16.4, so 16 samples an update), and with the micro-batch and the GPUs said, the accumulation steps that make it."""
    if min(dataset_size, steps_per_epoch) <= 0 or steps_per_epoch > dataset_size:
        raise NotComputable("the data set must be at least as large as the updates of an epoch")
    ratio = dataset_size / steps_per_epoch
    batch = max(1, round(ratio))
    # (an epoch said as "about 1,800 steps" is rounded: the whole batch whose updates come nearest, ⌈N / B⌉)
    formula = (f"{fmt_count(dataset_size)} samples / {fmt_count(steps_per_epoch)} updates = {fmt_sig(ratio, 3)} per "
               f"update: {batch} (⌈{dataset_size:,.0f} / {batch}⌉ = {math.ceil(dataset_size / batch):,} updates)")
    out = {"value": Estimate(batch, None, formula, ("hf-trainer-steps", "arithmetic"))}
    if micro_batch and micro_batch > 0 and batch % (micro_batch * (num_gpus or 1)) == 0:
        share = batch // int(micro_batch * (num_gpus or 1))
        out["accumulation"] = Estimate(share, None, f"{batch} / ({fmt_sig(micro_batch)} micro-batch × "
                                        f"{fmt_sig(num_gpus or 1)} GPU) = {share} accumulation steps"
                                        + ("" if num_gpus else " × GPUs"), ("hf-trainer-steps", "arithmetic"))
    return out


@estimator(cites=("hf-trainer-steps", "arithmetic"))
def data_from_steps(steps_per_epoch: float, batch_size: float) -> dict[str, Estimate]:
    """The samples an epoch goes over, from the updates a run shows for it and its batch per update (the last batch
    may be partial, so the data set is up to one batch fewer)."""
    if steps_per_epoch < 1 or batch_size < 1:
        raise NotComputable("no steps or no batch")
    value = steps_per_epoch * batch_size
    return {"value": Estimate(value, "count", f"{fmt_count(steps_per_epoch)} steps × {fmt_sig(batch_size)} samples = "
                                              f"{fmt_count(value)} samples", ("hf-trainer-steps", "arithmetic"))}


@estimator("per_epoch", "total", "micro_batches", "left_over", cites=("hf-trainer-steps", "arithmetic"))
def optimizer_updates(dataset_size: float, micro_batch: float, grad_accum_steps: float, num_gpus: float,
                      epochs: float, repeats: float = 1) -> dict[str, Estimate]:
    """Optimizer updates per epoch and in total, counted the way data-parallel loops count them: each process's
    loader yields ⌈N / (micro × GPUs)⌉ micro-batches, and an update takes `grad_accum_steps` of them. A last window
    shorter than the accumulation is not counted (the Hugging Face Trainer's ⌊len(loader) / accumulation⌋); a loop
    that also steps on it makes one more update per epoch. `repeats`: samples each example becomes (GRPO's
    num_generations completions per prompt, which its batch sizes count). Under accumulation it also gives the
    micro-batches of an epoch and, where they are no multiple of the accumulation, how many are left over."""
    if min(dataset_size, micro_batch, grad_accum_steps, num_gpus, epochs, repeats) <= 0:
        raise NotComputable("the dataset size, micro-batch, accumulation, GPUs and epochs must be positive")
    loader = math.ceil(dataset_size * repeats / (micro_batch * num_gpus))
    per_epoch = max(1, loader // int(grad_accum_steps))
    total = math.ceil(per_epoch * epochs)
    src = ("hf-trainer-steps", "arithmetic")
    examples = fmt_count(dataset_size) + (f" × {fmt_sig(repeats)} completions" if repeats != 1 else "")
    per_epoch_formula = (f"⌈{examples} / ({fmt_sig(micro_batch)} × {fmt_sig(num_gpus)} GPU)⌉ = {loader:,} "
                         f"micro-batches per GPU per epoch; ⌊{loader:,} / {fmt_sig(grad_accum_steps)}⌋ = {per_epoch:,} updates")
    out = {"per_epoch": Estimate(per_epoch, None, per_epoch_formula, src),
           "total": Estimate(total, None, f"{per_epoch:,} × {fmt_sig(epochs)} epochs = {total:,} updates", src)}
    left_over = loader % int(grad_accum_steps)
    if grad_accum_steps > 1 and left_over:
        out["micro_batches"] = Estimate(loader, "count", per_epoch_formula.split(";")[0], src)
        out["left_over"] = Estimate(left_over, "count", f"{loader:,} mod {fmt_sig(grad_accum_steps)} = {left_over:,} "
                                                        f"micro-batches after the last whole window", src)
    return out


@estimator("passes", "per_update", "steps_at_one", cites=("arithmetic",))
def passes_of_steps(planned_steps: float, dataset_size: float, micro_batch: float, num_gpus: float = 1,
                    grad_accum_steps: float | None = None) -> dict[str, Estimate]:
    """How many times a run set in steps goes over the data set: steps × the batch per update / the examples
    ("100 pairs, 8 GPUs × 8, 2,000 steps": 2,000 × 64 / 100 = 1,280 passes), and the steps that train on the same
    samples one example at a time (2,000 × 64 = 128,000) - what a step count borrowed from a recipe at batch 1 means
    at this batch. No accumulation said counts one micro-batch per update."""
    accum = grad_accum_steps or 1
    if min(planned_steps, dataset_size, micro_batch, num_gpus, accum) <= 0:
        raise NotComputable("the steps, the data set, the micro-batch and the GPUs must be positive")
    per_update = micro_batch * num_gpus * accum
    samples = planned_steps * per_update
    said = f"{fmt_sig(accum)} accumulation" if grad_accum_steps else "no accumulation said"
    per_update_formula = f"{fmt_sig(micro_batch)} × {fmt_sig(num_gpus)} GPU(s) × {said} = {fmt_count(per_update)}"
    return {"passes": Estimate(samples / dataset_size, None,
                               f"{fmt_count(planned_steps)} steps × {fmt_count(per_update)} per update = "
                               f"{fmt_count(samples)} samples / {fmt_count(dataset_size)} examples = "
                               f"{fmt_sig(samples / dataset_size, 4)} passes", ("arithmetic",)),
            "per_update": Estimate(per_update, None, per_update_formula, ("arithmetic",)),
            "steps_at_one": Estimate(samples, None, f"{fmt_count(planned_steps)} × {fmt_count(per_update)} = "
                                     f"{fmt_count(samples)} steps of one sample", ("arithmetic",))}


@estimator("images", "number", "largest", "epoch_batches", "mean_batch", cites=("arithmetic",))
def bucket_batches(bucket_counts: list[list[float]], batch: float | None = None,
                   batch_size: float | None = None) -> dict[str, Estimate]:
    """The steps an epoch makes when a batch takes images of one aspect-ratio bucket only (kohya's sd-scripts,
    musubi-tuner): Σ ⌈images in the bucket / batch⌉ ("18 images in buckets of 1, 1, 9, 1, 2, 2, 2 at batch 18": 7
    steps of 2.6 images on average, not 1 of 18)."""
    counts = [int(c) for _, c in bucket_counts if float(c) >= 1]
    batch = batch or batch_size  # (the micro-batch a bucket is cut into; the batch said when no micro-batch is)
    if not counts:
        raise NotComputable("no bucket with images")
    images, src = sum(counts), ("arithmetic",)
    listed = " + ".join(str(c) for c in counts) if len(counts) <= 12 else f"{len(counts)} buckets"
    out = {"images": Estimate(images, None, f"{listed} = {images} images", src),
           "number": Estimate(len(counts), None, f"{len(counts)} buckets listed", src),
           "largest": Estimate(max(counts), None, f"the largest bucket holds {max(counts)} images", src)}
    if batch and batch >= 2:  # (at batch 1 every image is its own step, buckets or not)
        steps = sum(math.ceil(c / batch) for c in counts)
        terms = " + ".join(f"⌈{c}/{fmt_sig(batch)}⌉" for c in counts) if len(counts) <= 12 else "Σ ⌈images / batch⌉"
        out["epoch_batches"] = Estimate(steps, None, f"{terms} = {steps} steps", src)
        out["mean_batch"] = Estimate(images / steps, None, f"{images} images / {steps} steps = {fmt_sig(images / steps, 3)}", src)
    return out


@estimator("samples", "epochs", cites=("arithmetic",))
def epochs_at_step(step: float, dataset_size: float, batch_per_update: float) -> dict[str, Estimate]:
    """How far into the data a step of a run is: step × the batch per update samples, over the data set ("step 6000
    at batch 1 over 10,000 images": 6,000 samples, 0.6 of the first epoch)."""
    if min(step, dataset_size, batch_per_update) <= 0:
        raise NotComputable("the step, the data set and the batch must be positive")
    samples = step * batch_per_update
    src = ("arithmetic",)
    return {"samples": Estimate(samples, None, f"{fmt_count(step)} steps × {fmt_count(batch_per_update)} per update = "
                                f"{fmt_count(samples)} samples", src),
            "epochs": Estimate(samples / dataset_size, None, f"{fmt_count(samples)} / {fmt_count(dataset_size)} examples = "
                               f"{fmt_sig(samples / dataset_size, 3)} epochs", src)}


@estimator("step_seconds", "total", "remaining", cites=("arithmetic",))
def eta_from_progress(elapsed: float, step_reached: float, planned_steps: float) -> dict[str, Estimate]:
    """The whole run's time from how far it got ("15 hours … just reach 4960 step … 50000 steps": 10.9 s a step,
    151 h in all, 136 h still to go)."""
    if min(elapsed, step_reached, planned_steps) <= 0 or step_reached > planned_steps:
        raise NotComputable("the time so far, the step reached and the steps planned must be positive, in that order")
    per_step = elapsed / step_reached
    total, src = per_step * planned_steps, ("arithmetic",)
    return {"step_seconds": Estimate(per_step, "seconds", f"{fmt_duration(elapsed)} / {fmt_count(step_reached)} steps = "
                                     f"{fmt_short_duration(per_step)} a step", src),
            "total": Estimate(total, "seconds", f"{fmt_count(planned_steps)} steps × {fmt_short_duration(per_step)} = "
                              f"{fmt_duration(total)}", src),
            "remaining": Estimate(total - elapsed, "seconds", f"{fmt_duration(total)} − {fmt_duration(elapsed)} = "
                                  f"{fmt_duration(total - elapsed)}", src)}


PEAK_FALL = 0.1  # a throughput this far below the peak at a larger batch is a fall, not noise (heuristic)


@estimator("peak_batch", "peak_rate", "largest_batch", "largest_rate", "fall", cites=("arithmetic",))
def throughput_peak(throughput_by_batch: list[list[float]]) -> dict[str, Estimate]:
    """Where measured samples per second stop rising with the batch and fall ("1: 8.9, 16: 115, 48: 165, 112: 90
    sent/s": the peak at 48, 45% lost at 112) - only when a larger batch measured at least a tenth below the peak."""
    points = sorted((float(b), float(r)) for b, r in throughput_by_batch if float(b) > 0 and float(r) > 0)
    if len(points) < 3:
        raise NotComputable("three batches or more are needed to see a peak")
    peak_batch, peak_rate = max(points, key=lambda p: (p[1], -p[0]))
    largest_batch, largest_rate = points[-1]
    fall = 1 - largest_rate / peak_rate
    if largest_batch <= peak_batch or fall < PEAK_FALL:
        raise NotComputable("the throughput does not fall past its peak")
    src = ("arithmetic",)
    return {"peak_batch": Estimate(peak_batch, None, f"batch {fmt_sig(peak_batch)}: {fmt_sig(peak_rate, 4)}/s, the "
                                   f"highest of {len(points)} batches measured", src),
            "peak_rate": Estimate(peak_rate, None, f"{fmt_sig(peak_rate, 4)}/s at batch {fmt_sig(peak_batch)}", src),
            "largest_batch": Estimate(largest_batch, None, f"the largest batch measured: {fmt_sig(largest_batch)}", src),
            "largest_rate": Estimate(largest_rate, None, f"{fmt_sig(largest_rate, 4)}/s at batch {fmt_sig(largest_batch)}", src),
            "fall": Estimate(fall, None, f"1 − {fmt_sig(largest_rate, 4)} / {fmt_sig(peak_rate, 4)} = {fmt_share(fall)}", src)}


@estimator("if_per_micro", "if_per_update", cites=("arithmetic",))
def warmup_under_accumulation(warmup_steps: float, grad_accum_steps: float) -> dict[str, Estimate]:
    """A warmup of N steps under k-step accumulation: N / k optimizer updates if the scheduler steps per micro-batch,
    N × k micro-batches if it steps per update (as the Trainer, accelerate and Lightning's interval='step' do)."""
    if warmup_steps <= 0 or grad_accum_steps <= 1:
        raise NotComputable("a warmup and an accumulation of more than one step are needed")
    per_micro, per_update = warmup_steps / grad_accum_steps, warmup_steps * grad_accum_steps
    return {"if_per_micro": Estimate(per_micro, None, f"{fmt_count(warmup_steps)} / {fmt_sig(grad_accum_steps)} = "
                                     f"{fmt_count(per_micro)} updates", ("arithmetic",)),
            "if_per_update": Estimate(per_update, None, f"{fmt_count(warmup_steps)} × {fmt_sig(grad_accum_steps)} = "
                                      f"{fmt_count(per_update)} micro-batches", ("arithmetic",))}


@estimator(cites=("hf-warmup-ratio",))
def warmup_steps_from_ratio(total_steps: float, warmup_ratio: float) -> dict[str, Estimate]:
    """A warmup said as a share of training, in optimizer updates: the Hugging Face Trainer's
    ⌈total updates × warmup_ratio⌉ (3 % of 7,029 is 211)."""
    if total_steps <= 0 or not 0 < warmup_ratio < 1:
        raise NotComputable("the run needs at least one update and the warmup ratio must be between 0 and 1")
    steps = math.ceil(total_steps * warmup_ratio)
    return {"value": Estimate(steps, None, f"⌈{total_steps:,.0f} × {fmt_sig(warmup_ratio)}⌉ = {steps:,} updates",
                              ("hf-warmup-ratio",))}


@estimator(cites=("hf-schedules",))
def warmup_share_reached(total_steps: float, warmup_steps: float) -> dict[str, Estimate]:
    """The share of the peak learning rate a linear warmup reaches when the run has `total_steps` updates: the
    multiplier is step / warmup_steps while step < warmup_steps, so at most total / warmup."""
    if total_steps <= 0 or warmup_steps <= 0:
        raise NotComputable("the run and the warmup must have at least one step")
    share = min(1.0, total_steps / warmup_steps) * 100
    return {"value": Estimate(share, "percent", f"min(1, {total_steps:,.0f} / {warmup_steps:,.0f}) = {fmt_sig(share, 3)} % "
                              "of the peak learning rate", ("hf-schedules",))}


@estimator("batch", "steps", cites=("arithmetic",))
def batch_for_min_steps(dataset_size: float, epochs: float, min_steps: float) -> dict[str, Estimate]:
    """The largest power-of-two batch that still gives at least `min_steps` optimizer steps."""
    limit = dataset_size * epochs / min_steps
    if limit < 1:
        raise NotComputable(f"even batch 1 gives fewer than {fmt_sig(min_steps)} steps")
    batch = 2 ** int(math.floor(math.log2(limit)))
    steps = math.ceil(dataset_size / batch) * int(epochs)
    formula = f"largest 2^n ≤ {fmt_count(dataset_size)} × {fmt_sig(epochs)} / {fmt_sig(min_steps)} = {fmt_sig(limit, 3)} → {batch} ({steps} steps)"
    return {"batch": Estimate(batch, None, formula, ("arithmetic",), heuristic=True),
            "steps": Estimate(steps, None, formula, ("arithmetic",), heuristic=True)}


@estimator(cites=("arithmetic",))
def epochs_for_min_steps(dataset_size: float, batch_size: float, min_steps: float) -> dict[str, Estimate]:
    """Epochs needed at this batch to reach `min_steps` optimizer steps."""
    per_epoch = math.ceil(dataset_size / batch_size)
    epochs = math.ceil(min_steps / per_epoch)
    return {"value": Estimate(epochs, None, f"⌈{fmt_sig(min_steps)} / {per_epoch} steps per epoch⌉ = {epochs}", ("arithmetic",), heuristic=True)}


@estimator("batch", "samples", "epochs", cites=("bert-readme", "hf-ga", "arithmetic"))
def steps_over_data(steps: float, micro_batch: float, num_gpus: float, dataset_size: float,
                    grad_accum_steps: float = 1) -> dict[str, Estimate]:
    """What a schedule counted in steps trains on: steps × the batch per update, in samples and in epochs of the
    data set ("1k steps on 4 GPUs at 1 per GPU" against 165k samples is 4k samples, 0.024 of an epoch)."""
    if dataset_size <= 0 or steps <= 0:
        raise NotComputable("no data set or no steps")
    batch = effective_batch(micro_batch, num_gpus, grad_accum_steps)["value"]
    samples = steps * batch.value
    epochs = samples / dataset_size
    cites = ("arithmetic",)
    return {"batch": batch,
            "samples": Estimate(samples, "count", f"{fmt_sig(steps)} steps × {batch.value} = {fmt_count(samples)}", cites),
            "epochs": Estimate(epochs, None, f"{fmt_count(samples)} / {fmt_count(dataset_size)} = {fmt_sig(epochs, 3)}",
                               cites)}


@estimator("ratio", "most", "fewest", cites=("arithmetic",))
def logged_steps_ratio(epoch_steps: list) -> dict[str, Estimate]:
    """Two runs' logs that count an epoch in different steps: the most over the fewest (the samples each step of
    the run with fewer takes, relative to the other's)."""
    counts = sorted({int(steps) for _, steps in epoch_steps if steps > 0})
    if len(counts) < 2:
        raise NotComputable("the logs count every epoch alike")
    most, fewest = counts[-1], counts[0]
    cites = ("arithmetic",)
    return {"ratio": Estimate(most / fewest, "multiplier", f"{most} / {fewest} = {fmt_sig(most / fewest, 3)}", cites),
            "most": Estimate(most, None, f"{most} steps an epoch", cites),
            "fewest": Estimate(fewest, None, f"{fewest} steps an epoch", cites)}


@estimator(cites=("arithmetic",))
def ratio(numerator: float, denominator: float) -> dict[str, Estimate]:
    """numerator / denominator (batch ratios, update ratios)."""
    if denominator == 0:
        raise NotComputable("division by zero")
    value = numerator / denominator
    return {"value": Estimate(value, "multiplier", f"{fmt_sig(numerator)} / {fmt_sig(denominator)} = {fmt_sig(value, 3)}", ("arithmetic",))}


@estimator(cites=("arithmetic",))
def area_ratio(size: float, size_from: float) -> dict[str, Estimate]:
    """How many times the pixels of a square image at `size` against `size_from` per side: (size / size_from)²."""
    if size <= 0 or size_from <= 0:
        raise NotComputable("image sizes must be positive")
    value = (size / size_from) ** 2
    return {"value": Estimate(value, "multiplier", f"({fmt_sig(size)} / {fmt_sig(size_from)})² = {fmt_sig(value, 3)}",
                              ("arithmetic",))}


@estimator(cites=("deepspeed-steps-per-print",))
def micro_batches_per_print(steps_per_print: float, grad_accum_steps: float) -> dict[str, Estimate]:
    """DeepSpeed reports every steps_per_print optimizer updates, each of gradient_accumulation_steps micro-batches:
    the micro-batches (a loader's tqdm's count) between two reports."""
    if steps_per_print < 1 or grad_accum_steps < 1:
        raise NotComputable("steps_per_print and the accumulation must be at least 1")
    value = int(steps_per_print * grad_accum_steps)
    return {"value": Estimate(value, None, f"{fmt_sig(steps_per_print)} updates × {fmt_sig(grad_accum_steps)} "
                              f"micro-batches each = {value:,} micro-batches", ("deepspeed-steps-per-print",))}


COUNT_FACTOR_TOLERANCE = 0.01  # a trainer's count and mine, both rounded up per epoch, agree to this share


@estimator(cites=("arithmetic",))
def steps_over_world(said: float, counted: float, num_gpus: float) -> dict[str, Estimate]:
    """The trainer's total steps over the updates its own numbers make, when the quotient is the processes: the
    trainer counted one process going through every example ("Total optimization steps = 287,113" for 287,113
    examples at 32 per update on 32 processes: 8,973)."""
    if counted <= 0 or num_gpus < 2:
        raise NotComputable("the count and the processes must be positive, the processes more than one")
    factor = said / counted
    if abs(factor / num_gpus - 1) > COUNT_FACTOR_TOLERANCE:
        raise NotComputable("the trainer's count differs from mine by another factor than the processes")
    return {"value": Estimate(factor, "multiplier", f"{fmt_sig(said)} / {fmt_sig(counted)} = {fmt_sig(factor, 3)} ≈ "
                              f"{fmt_sig(num_gpus)} processes", ("arithmetic",))}


@estimator(cites=("korthikanti",))
def tokens_per_micro_batch(micro_batch: float, seq_len: float) -> dict[str, Estimate]:
    """The tokens one forward and backward holds the activations of: the micro-batch × the sequence length."""
    if micro_batch < 1 or seq_len < 1:
        raise NotComputable("the micro-batch and the sequence length must be at least 1")
    value = int(micro_batch * seq_len)
    return {"value": Estimate(value, None, f"{fmt_sig(micro_batch)} × {fmt_sig(seq_len)} tokens = {value:,} tokens",
                              ("korthikanti",))}


@estimator(cites=("arithmetic",))
def steps_said_ratio(said: float, counted: float) -> dict[str, Estimate]:
    """My count of the updates over the trainer's fewer, whole or not ("8861 samples × 3 epochs / 16 = 1661; the bar
    says 489" - 3.4×, no whole factor: the trainer sees fewer, longer examples)."""
    if said < 1 or counted <= said:
        raise NotComputable("the trainer's count is not below mine")
    return {"value": Estimate(counted / said, "multiplier", f"{fmt_sig(counted)} / {fmt_sig(said)} = "
                              f"{fmt_sig(counted / said, 3)}", ("arithmetic",))}


@estimator(cites=("arithmetic",))
def steps_said_fraction(said: float, counted: float) -> dict[str, Estimate]:
    """My count of the updates over the trainer's, when the trainer's is a whole fraction of it: a factor the
    message's numbers leave out - an accumulation, GPUs, or a data set the trainer sees smaller ("14,339 examples,
    batch 8, 3 epochs: 5,379 steps; the trainer says 672" - 8×)."""
    factor = steps_said_ratio(said, counted)["value"].value
    whole = round(factor)
    if whole < 2 or abs(factor - whole) > COUNT_FACTOR_TOLERANCE * factor:
        raise NotComputable("the counts differ by no whole factor")
    return {"value": Estimate(whole, "multiplier", f"{fmt_sig(counted)} / {fmt_sig(said)} = {fmt_sig(factor, 3)}",
                              ("arithmetic",))}


@estimator(cites=("arithmetic",))
def data_wait_share(data_seconds: float, step_seconds: float) -> dict[str, Estimate]:
    """The share of a logged iteration spent waiting for its batch: the log's data time over its step time (both
    timers start when the previous step ends, so the data time is part of the step's)."""
    if step_seconds <= 0 or data_seconds > step_seconds * 1.05:
        raise NotComputable("a data time within the step time")
    value = min(1.0, data_seconds / step_seconds)
    return {"value": Estimate(value, "fraction", f"{fmt_duration(data_seconds)} of {fmt_duration(step_seconds)} per "
                                                 f"iteration = {fmt_share(value)}", ("arithmetic",))}


@estimator(cites=("palm-mfu",))
def utilization_from_tflops(tflops_per_gpu: float, peak_tflops: float) -> dict[str, Estimate]:
    """The share of a card's peak dense 16-bit throughput that the TFLOP/s per GPU a training log reports use."""
    if peak_tflops <= 0:
        raise NotComputable("a peak above zero")
    value = tflops_per_gpu / peak_tflops
    return {"value": Estimate(value, "fraction", f"{fmt_sig(tflops_per_gpu)} / {fmt_sig(peak_tflops)} TFLOP/s = "
                                                 f"{fmt_share(value)}", ("palm-mfu",))}


@estimator("ideal", "at_efficiency", cites=("arithmetic", "goyal"))
def gpus_for_speedup(current_duration: float, target_duration: float, efficiency: float) -> dict[str, Estimate]:
    """GPUs needed for a wall-clock speed-up, ideally and at a given data-parallel scaling efficiency."""
    speedup = current_duration / target_duration
    ideal = math.ceil(speedup - 1e-9)
    real = math.ceil(speedup / efficiency - 1e-9)
    base = f"{fmt_duration(current_duration)} / {fmt_duration(target_duration)} = {fmt_sig(speedup, 3)}×"
    return {
        "ideal": Estimate(ideal, None, f"⌈{base}⌉ = {ideal} GPUs at perfect scaling", ("arithmetic",)),
        "at_efficiency": Estimate(real, None, f"⌈{fmt_sig(speedup, 3)} / {fmt_sig(efficiency)}⌉ = {real} GPUs at {fmt_sig(efficiency * 100)}% scaling efficiency", ("goyal",)),
    }


@estimator("hours", "slowdown", cites=("arithmetic",))
def gpu_hours_on_your_gpus(gpu_hours: float, num_gpus: float, current_duration: float) -> dict[str, Estimate]:
    """A reported budget in GPU-hours spread over the user's GPUs (the wall-clock at the reporting card's per-GPU
    rate, with every GPU busy), and how many times longer the user's run says it takes."""
    if gpu_hours <= 0 or num_gpus < 1 or current_duration <= 0:
        raise NotComputable("no GPU-hours, GPUs or run time")
    seconds = gpu_hours * 3600 / num_gpus
    slowdown = current_duration / seconds
    return {"hours": Estimate(seconds, "seconds", f"{fmt_sig(gpu_hours)} GPU-hours / {fmt_sig(num_gpus)} GPUs = "
                                                  f"{fmt_duration(seconds)}", ("arithmetic",)),
            "slowdown": Estimate(slowdown, "multiplier", f"{fmt_duration(current_duration)} / {fmt_duration(seconds)} = "
                                                         f"{fmt_sig(slowdown, 3)}×", ("arithmetic",))}


@estimator(cites=("arithmetic",))
def speedup(current_duration: float, target_duration: float) -> dict[str, Estimate]:
    """Required wall-clock speed-up."""
    value = current_duration / target_duration
    return {"value": Estimate(value, "multiplier", f"{fmt_duration(current_duration)} / {fmt_duration(target_duration)} = {fmt_sig(value, 3)}×", ("arithmetic",))}


@estimator("gradient_bytes", "ring_bytes_per_gpu", cites=("pt-ddp", "nccl-ring"))
def allreduce_volume(params: float, num_gpus: float, grad_bytes: float = 4) -> dict[str, Estimate]:
    """Bytes all-reduced per gradient sync, and what a ring all-reduce moves per GPU: 2(N−1)/N × that."""
    grads = params * grad_bytes
    ring = 2 * (num_gpus - 1) / num_gpus * grads
    return {
        "gradient_bytes": Estimate(grads, "bytes", f"{fmt_count(params)} × {fmt_sig(grad_bytes)} B = {fmt_bytes_gib(grads)}", ("pt-ddp",)),
        "ring_bytes_per_gpu": Estimate(ring, "bytes", f"2 × ({fmt_sig(num_gpus)} − 1) / {fmt_sig(num_gpus)} × {fmt_bytes_gib(grads)} = {fmt_bytes_gib(ring)}", ("nccl-ring",)),
    }


# Line rates per direction, the most a link carries: PCIe 3.0 / 4.0 x16 (8 / 16 GT/s a lane, 128b/130b) and the
# network links machines are joined by (10 and 25 Gb/s Ethernet, 100 Gb/s InfiniBand EDR or RoCE)
LINK_BYTES_PER_SECOND = {"pcie3": 15.75e9, "pcie4": 31.5e9, "ethernet_10g": 1.25e9, "ethernet_25g": 3.125e9,
                         "link_100g": 12.5e9}
LINK_NAMES = {"pcie3": "PCIe 3.0 x16", "pcie4": "PCIe 4.0 x16", "ethernet_10g": "10 Gb/s Ethernet",
              "ethernet_25g": "25 Gb/s Ethernet", "link_100g": "100 Gb/s InfiniBand"}


@estimator(*LINK_BYTES_PER_SECOND, cites=("nccl-ring", "link-rates"))
def allreduce_link_time(ring_bytes_per_gpu: float) -> dict[str, Estimate]:
    """The least time a ring all-reduce of the gradients takes over each kind of link, at its line rate: every GPU
    (and, across machines, every machine's link) sends and receives 2(N-1)/N of the gradients. Real transfers reach
    less - NCCL over TCP sockets much less - so these are floors."""
    if ring_bytes_per_gpu <= 0:
        raise NotComputable("the bytes all-reduced must be positive")
    return {name: Estimate(ring_bytes_per_gpu / rate, "seconds",
                           f"{fmt_bytes_gib(ring_bytes_per_gpu)} ÷ {fmt_sig(rate / 1e9)} GB/s ({LINK_NAMES[name]}) = "
                           f"{fmt_short_duration(ring_bytes_per_gpu / rate)}", ("nccl-ring", "link-rates"))
            for name, rate in LINK_BYTES_PER_SECOND.items()}


@estimator("value", "step_share", "link_share", cites=("arithmetic",))
def sync_wait(steps_per_second_by_gpus: list[list[float]], link_seconds: float = 0.0) -> dict[str, Estimate]:
    """How much longer a step takes on more GPUs at the same per-GPU batch ("1 V100: 3.81 steps/s, 4: 2.62": 0.119 s
    more a step), the time the added GPUs spend waiting; its share of a step on fewer GPUs; and which share of it the
    all-reduce's floor over the link can explain."""
    (n1, r1), (n2, r2) = _two_counts(steps_per_second_by_gpus, "steps per second")
    extra = 1 / r2 - 1 / r1
    if extra <= 0:
        raise NotComputable("the step on more GPUs is no longer")
    out = {"value": Estimate(extra, "seconds", f"1 / {fmt_sig(r2, 3)} steps/s on {n2} − 1 / {fmt_sig(r1, 3)} on {n1} = "
                                               f"{fmt_short_duration(extra)} a step", ("arithmetic",)),
           "step_share": Estimate(extra * r1, None, f"{fmt_short_duration(extra)} × {fmt_sig(r1, 3)} steps/s on {n1}",
                                  ("arithmetic",))}
    if link_seconds > 0:
        out["link_share"] = Estimate(link_seconds / extra, None,
                                     f"{fmt_short_duration(link_seconds)} ÷ {fmt_short_duration(extra)}", ("arithmetic",))
    return out


@estimator(cites=("pt-syncbn", "goyal"))
def per_device_batch(batch_size: float, num_gpus: float) -> dict[str, Estimate]:
    """Samples each GPU sees per step: what BatchNorm normalizes over (without SyncBatchNorm)."""
    value = batch_size / num_gpus
    return {"value": Estimate(value, None, f"{fmt_sig(batch_size)} / {fmt_sig(num_gpus)} GPUs = {fmt_sig(value)}", ("pt-syncbn", "goyal"))}


MFU_ASSUMED = 0.4  # the share of a GPU's peak dense 16-bit FLOP/s a well-tuned training run reaches (heuristic)


def flops_per_token(adapter: str | None) -> int:
    """FLOPs per parameter per token of a training step: 2 forward and 4 backward (Kaplan et al.'s 6); a frozen base
    under adapters computes no weight gradients, half the backward, so 4."""
    return 4 if adapter in ("lora", "qlora") else 6


@estimator("value", "mfu", cites=("kaplan",))
def training_time(params: float, tokens: float, peak_tflops: float, num_gpus: float = 1,
                  adapter: str | None = None) -> dict[str, Estimate]:
    """Wall-clock time to train on `tokens` tokens: about 6 FLOPs per parameter per token (forward and backward,
    Kaplan et al.; 4 with a frozen base under adapters), at MFU_ASSUMED of the GPUs' peak dense 16-bit throughput."""
    if min(params, tokens, peak_tflops, num_gpus) <= 0:
        raise NotComputable("the parameters, tokens, peak TFLOP/s and GPUs must be positive")
    per = flops_per_token(adapter)
    flops = per * params * tokens
    seconds = flops / (num_gpus * peak_tflops * 1e12 * MFU_ASSUMED)
    formula = (f"{per} × {fmt_count(params)} params × {fmt_count(tokens)} tokens = {fmt_sig(flops, 3)} FLOPs, at "
               f"{MFU_ASSUMED:.0%} of {fmt_sig(num_gpus)} × {fmt_sig(peak_tflops)} TFLOP/s = {fmt_duration(seconds)}")
    return {"value": Estimate(seconds, "seconds", formula, ("kaplan",), heuristic=True),
            "mfu": Estimate(MFU_ASSUMED, "fraction", "the share of the peak a well-tuned run reaches", ("kaplan",),
                            heuristic=True)}


@estimator("value", "mfu", cites=("kaplan", "palm-mfu"))
def time_per_exaflop(peak_tflops: float, num_gpus: float = 1) -> dict[str, Estimate]:
    """The wall-clock time the GPUs take for 10^18 FLOPs of training at MFU_ASSUMED of their peak dense 16-bit
    throughput: the rate to divide a run's work by when the work itself (model, data) is not known yet."""
    if min(peak_tflops, num_gpus) <= 0:
        raise NotComputable("the peak TFLOP/s and the GPUs must be positive")
    seconds = 1e18 / (num_gpus * peak_tflops * 1e12 * MFU_ASSUMED)
    formula = (f"10^18 FLOPs / ({MFU_ASSUMED:.0%} of {fmt_sig(num_gpus)} × {fmt_sig(peak_tflops)} TFLOP/s) = "
               f"{fmt_duration(seconds)}")
    return {"value": Estimate(seconds, "seconds", formula, ("kaplan", "palm-mfu"), heuristic=True),
            "mfu": Estimate(MFU_ASSUMED, "fraction", "the share of the peak a well-tuned run reaches", ("palm-mfu",),
                            heuristic=True)}


PPO_FULL_BYTES = 2 * 16 + 2 * 2  # actor and critic trained (16 B/param each), reference and reward frozen (2 each)
PPO_ADAPTER_BYTES = 4 * 2  # the four models' 16-bit weights, the trained two through adapters


@estimator("total", "per_gpu", cites=("zero", "arithmetic"))
def ppo_states(params: float, num_gpus: float = 1) -> dict[str, Estimate]:
    """A full PPO's four models' states for a policy of `params` (actor and critic of its size trained in mixed
    precision with AdamW, reference and reward frozen in 16 bits), all together and sharded over every GPU (ZeRO-3
    without waste), before activations, generation and the KV cache."""
    if params <= 0 or num_gpus < 1:
        raise NotComputable("the parameters and the GPUs must be positive")
    total = params * PPO_FULL_BYTES
    said = f"{fmt_count(params)} params × (2 × 16 + 2 × 2 B/param) = {fmt_bytes_gib(total)}"
    return {"total": Estimate(total, "bytes", said, ("zero", "arithmetic")),
            "per_gpu": Estimate(total / num_gpus, "bytes", f"{fmt_bytes_gib(total)} / {fmt_sig(num_gpus)} GPUs = "
                                f"{fmt_bytes_gib(total / num_gpus)}", ("zero", "arithmetic"))}


@estimator("value", cites=("zero", "arithmetic"))
def ppo_unsharded_weights(params: float) -> dict[str, Estimate]:
    """What every GPU holds of a full PPO when nothing shards the weights (ZeRO-1 and -2 partition only the
    optimizer state and the gradients): the 16-bit weights of all four models - actor, critic, reference and reward,
    each of the policy's size - whatever the batch."""
    if params <= 0:
        raise NotComputable("the parameters must be positive")
    weights = params * PPO_ADAPTER_BYTES
    return {"value": Estimate(weights, "bytes", f"4 models × 2 B/param × {fmt_count(params)} params = "
                              f"{fmt_bytes_gib(weights)}", ("zero", "arithmetic"))}


@estimator("full", "adapters", cites=("zero", "arithmetic"))
def ppo_largest_model(gpu_memory: float, num_gpus: float = 1) -> dict[str, Estimate]:
    """The largest model whose PPO model states fit the GPUs' memory all together (as if ZeRO-3 sharded all four
    models without waste, before activations, generation and the KV cache): actor and critic trained in mixed
    precision with AdamW, reference and reward models frozen in 16 bits - and the same with both trained models
    learning through adapters on their frozen 16-bit weights."""
    if min(gpu_memory, num_gpus) <= 0:
        raise NotComputable("the GPU memory and the GPUs must be positive")
    total = gpu_memory * num_gpus
    said = f"{fmt_sig(num_gpus)} × {fmt_bytes_gib(gpu_memory)} = {fmt_bytes_gib(total)}"
    full, adapters = total / PPO_FULL_BYTES, total / PPO_ADAPTER_BYTES
    return {"full": Estimate(full, "count", f"{said} / (2 × 16 + 2 × 2 B/param) = {fmt_count(full)} params",
                             ("zero", "arithmetic")),
            "adapters": Estimate(adapters, "count", f"{said} / (4 × 2 B/param) = {fmt_count(adapters)} params",
                                 ("zero", "arithmetic"))}


def _vision_forward(model: str, image_size: float) -> tuple:
    """A catalogue CNN's or ViT's spec and its forward's multiply-accumulates at the image size (0: its own)."""
    from advisor.domain.catalogue import preset
    from advisor.domain.vision_flops import forward_macs
    from advisor.errors import InputError

    try:
        spec = preset(model)
    except InputError as exc:
        raise NotComputable(str(exc)) from None
    macs = forward_macs(spec, int(image_size))
    if macs is None:
        raise NotComputable(f"no convolution or ViT shapes for {model}")
    return spec, macs


@estimator("flops", "per_gpu_rate", "tflops_per_gpu", "share", cites=("torchvision-flops", "kaplan", "arithmetic"))
def vision_utilization(model: str, samples_per_second: float, peak_tflops: float, num_gpus: float = 1,
                       per_gpu: bool = False, image_size: float = 0) -> dict[str, Estimate]:
    """What a measured rate of a catalogue CNN or ViT uses of the GPUs' peak: FLOPs per training sample (3 × 2 × the
    forward's multiply-accumulates, from the model's shapes at the image size) × samples/s per GPU, over the card's
    dense 16-bit peak. (A CNN's compute follows its feature maps, not its parameters: 6 × parameters per sample, a
    language model's rule, would put ResNet-50 at 0.15 GFLOP instead of 24.5.)"""
    if min(samples_per_second, peak_tflops, num_gpus) <= 0:
        raise NotComputable("the rate, the peak TFLOP/s and the GPUs must be positive")
    spec, macs = _vision_forward(model, image_size)
    flops = 6.0 * macs
    each = samples_per_second if per_gpu else samples_per_second / num_gpus
    tflops = flops * each / 1e12
    cites = ("torchvision-flops", "kaplan")
    where = f"{spec.name}" + (f" at {int(image_size)} px" if image_size else "")
    said = "" if per_gpu or num_gpus == 1 else f"{fmt_sig(samples_per_second, 4)} samples/s over {fmt_sig(num_gpus)} GPUs = "
    return {"flops": Estimate(flops / 1e9, None, f"{where}: 3 × 2 × {fmt_sig(macs / 1e9, 4)} G multiply-accumulates forward "
                              f"= {fmt_sig(flops / 1e9, 3)} GFLOP per training sample", cites),
            "per_gpu_rate": Estimate(each, None, f"{said}{fmt_sig(each, 4)} samples/s per GPU", ("arithmetic",)),
            "tflops_per_gpu": Estimate(tflops, None, f"{fmt_sig(flops / 1e9, 3)} GFLOP × {fmt_sig(each, 4)} samples/s = "
                                       f"{fmt_sig(tflops, 3)} TFLOP/s per GPU", cites),
            "share": Estimate(tflops / peak_tflops, "fraction", f"{fmt_sig(tflops, 3)} of {fmt_sig(peak_tflops)} TFLOP/s, "
                              "the card's dense 16-bit peak", cites)}


VISION_MFU_ASSUMED = 0.25  # the share of the peak a CNN's mixed-precision training reaches (ResNet-50 on a V100:
# about 1,200 images/s × 24.5 GFLOP = 29 TFLOP/s of 125; heuristic)


@estimator("value", "per_gpu_rate", cites=("torchvision-flops", "arithmetic"))
def vision_training_time(model: str, dataset_size: float, epochs: float, peak_tflops: float, num_gpus: float = 1,
                         image_size: float = 0) -> dict[str, Estimate]:
    """Wall-clock time of a catalogue CNN's or ViT's training: FLOPs per training sample (6 × the forward's
    multiply-accumulates at the image size) × images × epochs, at VISION_MFU_ASSUMED of the GPUs' dense 16-bit peak
    (mixed precision; fp32 runs several times slower) - before evaluation, and with a loader that keeps up."""
    if min(dataset_size, epochs, peak_tflops, num_gpus) <= 0:
        raise NotComputable("the images, epochs, peak TFLOP/s and GPUs must be positive")
    _, macs = _vision_forward(model, image_size)
    per_sample = 6.0 * macs
    rate = peak_tflops * 1e12 * VISION_MFU_ASSUMED / per_sample
    seconds = dataset_size * epochs / (rate * num_gpus)
    cites = ("torchvision-flops", "arithmetic")
    formula = (f"{fmt_count(dataset_size)} images × {fmt_sig(epochs)} epochs × {fmt_sig(per_sample / 1e9, 3)} GFLOP "
               f"each, at {VISION_MFU_ASSUMED:.0%} of {fmt_sig(num_gpus)} × {fmt_sig(peak_tflops)} TFLOP/s = "
               f"{fmt_duration(seconds)}")
    return {"value": Estimate(seconds, "seconds", formula, cites, heuristic=True),
            "per_gpu_rate": Estimate(rate, None, f"{fmt_sig(peak_tflops)} TFLOP/s × {VISION_MFU_ASSUMED:.0%} / "
                                     f"{fmt_sig(per_sample / 1e9, 3)} GFLOP = {fmt_sig(rate, 3)} images/s per GPU",
                                     cites, heuristic=True)}


@estimator("value", "per_gpu", cites=("arithmetic",))
def epoch_throughput(dataset_size: float, epoch_seconds: float, num_gpus: float = 1) -> dict[str, Estimate]:
    """Samples per second an epoch's measured time gives ("ImageNet, 3 h per epoch on 8 V100s": 1,281,167 / 10,800 s
    = 118.6 images/s, 14.8 per GPU): the figure to hold against what the model does on the card."""
    if min(dataset_size, epoch_seconds, num_gpus) <= 0:
        raise NotComputable("the data set, the epoch's time and the GPUs must be positive")
    rate = dataset_size / epoch_seconds
    formula = f"{fmt_count(dataset_size)} samples / {fmt_duration(epoch_seconds)} = {fmt_sig(rate, 4)} samples/s"
    return {"value": Estimate(rate, None, formula, ("arithmetic",)),
            "per_gpu": Estimate(rate / num_gpus, None, f"{formula} over {fmt_sig(num_gpus)} GPU(s) = "
                                f"{fmt_sig(rate / num_gpus, 4)} per GPU", ("arithmetic",))}


@estimator("per_update", "samples_per_second", cites=("arithmetic",))
def run_pace(duration: float, updates: float, dataset_size: float, epochs: float) -> dict[str, Estimate]:
    """What a run's whole time says per optimizer update and per sample ("the progress bar estimates 88 hours" for
    4,060 updates of 128 over 10 epochs of 52k: 78 s an update, 1.64 samples/s): the figures to hold against a few
    timed steps."""
    if min(duration, updates, dataset_size, epochs) <= 0:
        raise NotComputable("the time, the updates, the data set and the epochs must be positive")
    samples = dataset_size * epochs
    per_update, rate = duration / updates, samples / duration
    return {"per_update": Estimate(per_update, "seconds", f"{fmt_duration(duration)} / {fmt_count(updates)} updates = "
                                   f"{fmt_duration(per_update)} per update", ("arithmetic",)),
            "samples_per_second": Estimate(rate, None, f"{fmt_count(samples)} samples / {fmt_duration(duration)} = "
                                           f"{fmt_sig(rate, 3)} samples/s", ("arithmetic",))}


@estimator("updates", "steps_tokens", cites=("arithmetic",))
def warmup_in_tokens(warmup_tokens: float, tokens_per_update: float, warmup_steps: float | None = None) -> dict[str, Estimate]:
    """A warmup said in tokens ("GPT-3's 375M") at a run's tokens per update (0.5M): the updates it makes (750) - and
    what the run's own warmup steps are in tokens (2,000 × 0.5M = 1B), to set the two side by side."""
    if warmup_tokens <= 0 or tokens_per_update <= 0 or warmup_steps is not None and warmup_steps <= 0:
        raise NotComputable("the warmup, the tokens per update and the steps must be positive")
    updates = warmup_tokens / tokens_per_update
    out = {"updates": Estimate(updates, "count", f"{fmt_count(warmup_tokens)} tokens / {fmt_count(tokens_per_update)} "
                                                 f"tokens an update = {fmt_count(updates)} updates", ("arithmetic",))}
    if warmup_steps:
        out["steps_tokens"] = Estimate(warmup_steps * tokens_per_update, "count", f"{fmt_count(warmup_steps)} steps × "
                                       f"{fmt_count(tokens_per_update)} tokens = {fmt_count(warmup_steps * tokens_per_update)} "
                                       "tokens", ("arithmetic",))
    return out


ULTRALYTICS_MIN_WARMUP = 100  # Ultralytics' trainer warms up for at least 100 iterations (nw = max(..., 100))


@estimator("batches", "images", cites=("ultralytics-warmup", "arithmetic"))
def ultralytics_warmup_floor(warmup_epochs_seen: float, batch: float) -> dict[str, Estimate]:
    """A warmup that took more epochs than set: Ultralytics' 100-iteration floor over the epochs it took gives the
    batches an epoch (20 epochs: 5), and × the batch the images an epoch holds (240 at batch 48)."""
    if warmup_epochs_seen <= 0 or batch <= 0:
        raise NotComputable("the epochs and the batch must be positive")
    batches = ULTRALYTICS_MIN_WARMUP / warmup_epochs_seen
    src = ("ultralytics-warmup", "arithmetic")
    return {"batches": Estimate(batches, None, f"{ULTRALYTICS_MIN_WARMUP} iterations / {fmt_sig(warmup_epochs_seen)} "
                                               f"epochs = {fmt_sig(batches)} batches an epoch", src),
            "images": Estimate(batches * batch, "count", f"{fmt_sig(batches)} batches × {fmt_count(batch)} = "
                                                          f"{fmt_count(batches * batch)} images", src)}


@estimator("samples", "per_update", "samples_per_second", cites=("arithmetic",))
def steps_work(planned_steps: float, batch_size: float, duration: float | None = None) -> dict[str, Estimate]:
    """The samples a run of a number of updates processes ("SDXL for 200 steps at 2048 per update": 409,600), and what
    a time said or guessed for it ("is it 30 hours?") means per update and per sample - the figures to hold against a
    few timed updates."""
    if min(planned_steps, batch_size) <= 0 or duration is not None and duration <= 0:
        raise NotComputable("the updates, the batch and the time must be positive")
    samples = planned_steps * batch_size
    src = ("arithmetic",)
    out = {"samples": Estimate(samples, "count", f"{fmt_count(planned_steps)} updates × {fmt_count(batch_size)} = "
                                                 f"{fmt_count(samples)} samples", src)}
    if duration is not None:
        out["per_update"] = Estimate(duration / planned_steps, "seconds", f"{fmt_duration(duration)} / "
                                     f"{fmt_count(planned_steps)} updates = {fmt_duration(duration / planned_steps)}", src)
        out["samples_per_second"] = Estimate(samples / duration, None, f"{fmt_count(samples)} samples / "
                                             f"{fmt_duration(duration)} = {fmt_sig(samples / duration, 3)} samples/s", src)
    return out


@estimator(cites=("arithmetic",))
def run_time_from_epochs(epoch_seconds: float, epochs: float) -> dict[str, Estimate]:
    """The whole run's time from one epoch's ("22 hours per epoch, 25 epochs": 23 days)."""
    if min(epoch_seconds, epochs) <= 0:
        raise NotComputable("the epoch's time and the epochs must be positive")
    total = epoch_seconds * epochs
    return {"value": Estimate(total, "seconds", f"{fmt_sig(epochs)} epochs × {fmt_duration(epoch_seconds)} = "
                              f"{fmt_duration(total)}", ("arithmetic",))}


@estimator("value", "steps", cites=("arithmetic",))
def run_time_from_steps(step_seconds: float, planned_steps: float | None = None,
                        total_updates: float | None = None, epoch_steps: float | None = None,
                        epochs: float | None = None) -> dict[str, Estimate]:
    """The whole run's time from one measured step's ("1000 steps took 25 minutes … how long for 50k steps?": 50,000
    × 1.5 s = 20.8 h): the steps planned, else the updates the data set, batch and epochs make, else an epoch's
    steps as the user sees them times the epochs ("500 steps every epoch, 10 epochs, 2 minutes a step")."""
    steps = planned_steps or total_updates
    per_epoch = ""
    if not steps and epoch_steps and epochs:
        steps = epoch_steps * epochs
        per_epoch = f"{fmt_count(epoch_steps)} updates an epoch × {fmt_count(epochs)} epochs = "
    if not steps or min(step_seconds, steps) <= 0:
        raise NotComputable("the time of a step and the number of steps must be positive")
    total = step_seconds * steps
    formula = f"{per_epoch}{fmt_count(steps)} updates × {fmt_duration(step_seconds)} = {fmt_duration(total)}"
    return {"value": Estimate(total, "seconds", formula, ("arithmetic",)),
            "steps": Estimate(steps, None, f"{fmt_count(steps)} updates", ("arithmetic",))}


@estimator("gain", "batch_ratio", "small_batch", "large_batch", cites=("arithmetic",))
def batch_speedup(step_seconds_by_batch: list[list[float]]) -> dict[str, Estimate]:
    """What a larger batch bought, from the time per step measured at two batches ("batch 1 at 6.5 s/it, batch 4
    at 22 s/it": 4× the samples in 3.4× the time is 1.18× the samples/s)."""
    points = sorted({int(b): float(s) for b, s in step_seconds_by_batch if b > 0 and s > 0}.items())
    if len(points) < 2:
        raise NotComputable("two batches with their time per step are needed")
    (b1, s1), (b2, s2) = points[0], points[-1]
    rate1, rate2 = b1 / s1, b2 / s2
    gain = rate2 / rate1
    small = f"batch {b1}: {b1} / {fmt_sig(s1, 3)} s = {fmt_sig(rate1, 3)} samples/s"
    large = f"batch {b2}: {b2} / {fmt_sig(s2, 3)} s = {fmt_sig(rate2, 3)} samples/s"
    formula = f"{small}; {large}; {fmt_sig(gain, 3)}× for {fmt_sig(b2 / b1, 3)}× the batch"
    return {"gain": Estimate(gain, "multiplier", formula, ("arithmetic",)),
            "batch_ratio": Estimate(b2 / b1, "multiplier", f"{b2} / {b1}", ("arithmetic",)),
            "small_batch": Estimate(b1, None, small, ("arithmetic",)),
            "large_batch": Estimate(b2, None, large, ("arithmetic",))}


@estimator("gain", "batch_ratio", "step_cost", "small_batch", "large_batch", cites=("arithmetic",))
def run_batch_speedup(run_seconds_by_batch: list[list[float]]) -> dict[str, Estimate]:
    """What a larger batch bought over the same training, from its whole time at two batches ("batch 10: 140.2 s,
    batch 500: 6.3 s" over the same data and epochs): the run ran T_small / T_large times faster, and since it took
    b_large / b_small times fewer steps, a step at the larger batch cost (T_large × b_large) / (T_small × b_small)
    of one at the smaller - a step cost that hardly grows with the batch is fixed per-step overhead."""
    (b1, t1), (b2, t2) = _two_counts(run_seconds_by_batch, "run's time", of="batches")
    gain, ratio = t1 / t2, b2 / b1
    step_cost = (t2 * b2) / (t1 * b1)
    cites = ("arithmetic",)
    return {"gain": Estimate(gain, "multiplier", f"{fmt_duration(t1)} at batch {b1} / {fmt_duration(t2)} at batch {b2} = "
                             f"{fmt_sig(gain, 3)}×", cites),
            "batch_ratio": Estimate(ratio, "multiplier", f"{b2} / {b1}", cites),
            "step_cost": Estimate(step_cost, "multiplier", f"({fmt_duration(t2)} × {b2}) / ({fmt_duration(t1)} × {b1}) = "
                                  f"{fmt_sig(step_cost, 3)}× (the steps are {fmt_sig(ratio, 3)}× fewer)", cites),
            "small_batch": Estimate(b1, None, f"batch {b1}", cites),
            "large_batch": Estimate(b2, None, f"batch {b2}", cites)}


@estimator("gain", "gpu_ratio", "efficiency", "few_gpus", "many_gpus", cites=("arithmetic",))
def gpu_speedup(steps_per_second_by_gpus: list[list[float]]) -> dict[str, Estimate]:
    """What more GPUs bought, from the steps per second measured at two GPU counts with the per-GPU batch kept ("1
    GPU: 2.1 it/s, 4 GPUs: 0.6 it/s": each step on 4 GPUs trains 4 per-GPU batches, so 4 × 0.6 = 2.4 batches/s
    against 2.1 - 1.14× for 4× the GPUs, 29% scaling efficiency)."""
    (n1, r1), (n2, r2) = _two_counts(steps_per_second_by_gpus, "steps per second")
    gain = (n2 * r2) / (n1 * r1)
    few = f"{n1} GPU{'s' if n1 > 1 else ''}: {fmt_sig(r1, 3)} steps/s × {n1} = {fmt_sig(n1 * r1, 3)} per-GPU batches/s"
    many = f"{n2} GPUs: {fmt_sig(r2, 3)} steps/s × {n2} = {fmt_sig(n2 * r2, 3)} per-GPU batches/s"
    return _scaling(gain, n1, n2, f"{many} ÷ {fmt_sig(n1 * r1, 3)} = {fmt_sig(gain, 3)}×", few, many)


def _two_counts(pairs: list[list[float]], what: str, of: str = "GPU counts") -> tuple[tuple[int, float], tuple[int, float]]:
    """The smallest and the largest count timed (GPUs, or batches), each with its positive measurement."""
    points = sorted({int(n): float(x) for n, x in pairs if n > 0 and x > 0}.items())
    if len(points) < 2:
        raise NotComputable(f"two {of} with their {what} are needed")
    return points[0], points[-1]


def _scaling(gain: float, n1: int, n2: int, formula: str, few: str, many: str) -> dict[str, Estimate]:
    """What more GPUs bought against how many more there are: the gain, the GPUs' ratio, the efficiency."""
    ratio = n2 / n1
    return {"gain": Estimate(gain, "multiplier", formula, ("arithmetic",)),
            "gpu_ratio": Estimate(ratio, "multiplier", f"{n2} / {n1}", ("arithmetic",)),
            "efficiency": Estimate(gain / ratio, None, f"{fmt_sig(gain, 3)}× ÷ {fmt_sig(ratio, 3)}×", ("arithmetic",)),
            "few_gpus": Estimate(n1, None, few, ("arithmetic",)),
            "many_gpus": Estimate(n2, None, many, ("arithmetic",))}


@estimator("gain", "gpu_ratio", "efficiency", "few_gpus", "many_gpus", "few_at_many_rate", "few_per_gpu",
           "many_per_gpu", cites=("arithmetic",))
def epoch_gpu_speedup(epoch_seconds_by_gpus: list[list[float]], dataset_size: float = 0) -> dict[str, Estimate]:
    """What more GPUs bought, from an epoch's time measured at two GPU counts ("1 RTX 3090: 10 hours per epoch, 4:
    8 hours"): an epoch is the same data whatever the GPUs, so the speed-up is the ratio of the times - 1.25x for
    4x the GPUs, 31% scaling efficiency."""
    (n1, t1), (n2, t2) = _two_counts(epoch_seconds_by_gpus, "time per epoch")
    gain = t1 / t2
    out = _scaling(gain, n1, n2, f"{fmt_duration(t1)} per epoch on {n1} ÷ {fmt_duration(t2)} on {n2} = "
                   f"{fmt_sig(gain, 3)}×", f"{n1} GPU{'s' if n1 > 1 else ''}: {fmt_duration(t1)} per epoch",
                   f"{n2} GPUs: {fmt_duration(t2)} per epoch")
    # (what the fewer GPUs would take at the other run's rate per GPU: "12 min on 16" is 24 min on 8)
    out["few_at_many_rate"] = Estimate(t2 * n2 / n1, "seconds", f"{fmt_duration(t2)} × {n2} / {n1} GPUs = "
                                                                f"{fmt_duration(t2 * n2 / n1)}", ("arithmetic",))
    if dataset_size > 0:  # examples per second each GPU trains, in each run
        for key, n, t in (("few_per_gpu", n1, t1), ("many_per_gpu", n2, t2)):
            out[key] = Estimate(dataset_size / t / n, None, f"{fmt_count(dataset_size)} examples ÷ {fmt_duration(t)} ÷ "
                                                            f"{n} GPUs = {fmt_sig(dataset_size / t / n, 3)} a second", ("arithmetic",))
    return out


@estimator("gain", "gpu_ratio", "efficiency", "few_gpus", "many_gpus", cites=("arithmetic",))
def throughput_gpu_speedup(throughput_by_gpus: list[list[float]]) -> dict[str, Estimate]:
    """What more GPUs bought, from the whole run's examples per second at two GPU counts ("one node of 8 GPUs:
    1188.51 images/sec; two nodes of 8: 745.06" is 0.627× for 2× the GPUs, 31% scaling efficiency)."""
    (n1, r1), (n2, r2) = _two_counts(throughput_by_gpus, "examples per second")
    gain = r2 / r1
    few = f"{n1} GPU{'s' if n1 > 1 else ''}: {fmt_sig(r1, 4)} examples/s, {fmt_sig(r1 / n1, 3)} per GPU"
    many = f"{n2} GPUs: {fmt_sig(r2, 4)} examples/s, {fmt_sig(r2 / n2, 3)} per GPU"
    return _scaling(gain, n1, n2, f"{fmt_sig(r2, 4)} ÷ {fmt_sig(r1, 4)} = {fmt_sig(gain, 3)}×", few, many)


def _slowdown(pairs: list[list[float]], unit: str) -> tuple[Estimate, Estimate, Estimate]:
    (p1, t1), (p2, t2) = _two_counts(pairs, "time", of=f"{unit}s")
    growth = t2 / t1
    return (Estimate(growth, "multiplier", f"{fmt_duration(t2)} at {unit} {p2} ÷ {fmt_duration(t1)} at {unit} {p1} = "
                     f"{fmt_sig(growth, 3)}×", ("arithmetic",)),
            Estimate(p1, None, f"{unit} {p1}: {fmt_duration(t1)}", ("arithmetic",)),
            Estimate(p2, None, f"{unit} {p2}: {fmt_duration(t2)}", ("arithmetic",)))


@estimator("growth", "first_epoch", "last_epoch", cites=("arithmetic",))
def epoch_slowdown(epoch_seconds_by_epoch: list[list[float]]) -> dict[str, Estimate]:
    """How much longer a later epoch took than an earlier one of the same run ("the first epoch ~1 h, the 8th ~8 h":
    8× in 7 epochs): the same data each epoch, so the work did not grow - something the process keeps did."""
    growth, first, last = _slowdown(epoch_seconds_by_epoch, "epoch")
    return {"growth": growth, "first_epoch": first, "last_epoch": last}


@estimator("growth", "first_step", "last_step", cites=("arithmetic",))
def step_slowdown(step_seconds_by_step: list[list[float]]) -> dict[str, Estimate]:
    """How much longer the later steps of one run took than the earlier (a progress bar's "250/3646 … 29.05s/it"
    and "805/3646 … 81.26s/it": 2.8×)."""
    growth, first, last = _slowdown(step_seconds_by_step, "step")
    return {"growth": growth, "first_step": first, "last_step": last}


@estimator("time_ratio", cites=("arithmetic",))
def card_time_ratio(older_seconds: float, newer_seconds: float) -> dict[str, Estimate]:
    """The newer card's time for the same work over the older card's (1 = no faster)."""
    if min(older_seconds, newer_seconds) <= 0:
        raise NotComputable("both times must be positive")
    ratio = newer_seconds / older_seconds
    return {"time_ratio": Estimate(ratio, "multiplier", f"{fmt_duration(newer_seconds)} ÷ {fmt_duration(older_seconds)}"
                                   f" = {fmt_sig(ratio, 3)}×", ("arithmetic",))}


@estimator("batch", "samples", "tokens", cites=("arithmetic",))
def throughput_from_log(consumed_samples: float, global_step: float, step_seconds: float | None = None,
                        seq_len: float | None = None) -> dict[str, Estimate]:
    """What a progress line says of the run: the samples consumed over the steps taken are the global batch
    ("consumed_samples=6.3e+5" at "global_step=9e+3": 70), and that batch over the logged step time the samples per
    second (and, at the sequence length, the tokens per second)."""
    if consumed_samples <= 0 or global_step < 1:
        raise NotComputable("no samples or no steps")
    batch = consumed_samples / global_step
    formula = f"{fmt_count(consumed_samples)} samples / {fmt_count(global_step)} steps = {fmt_sig(batch, 3)} per step"
    out = {"batch": Estimate(batch, None, formula, ("arithmetic",))}
    if step_seconds and step_seconds > 0:
        rate = batch / step_seconds
        out["samples"] = Estimate(rate, None, f"{fmt_sig(batch, 3)} per step / {fmt_sig(step_seconds)} s = "
                                  f"{fmt_sig(rate, 3)} samples/s", ("arithmetic",))
        if seq_len and seq_len > 0:
            out["tokens"] = Estimate(rate * seq_len, "count", f"{fmt_sig(rate, 3)} samples/s × {int(seq_len):,} tokens "
                                     f"= {fmt_count(rate * seq_len)} tokens/s", ("arithmetic",))
    return out


@estimator(cites=("kaplan", "chen-ckpt"))
def tflops_per_thousand_tokens(params: float, step_seconds: float, num_gpus: float = 1,
                               grad_checkpointing: bool = False, adapter: str | None = None) -> dict[str, Estimate]:
    """The model TFLOP/s per GPU each 1,000 tokens of an optimizer step give at the step's measured time: 6 FLOPs per
    parameter per token (4 with a frozen base under adapters; one more forward, 2 more, when activations are
    recomputed), for a user who has the step's time but not yet its tokens ("528.9 ms per iteration: how many
    TFLOPS?")."""
    if min(params, step_seconds, num_gpus) <= 0:
        raise NotComputable("the parameters, the step's time and the GPUs must be positive")
    base = flops_per_token(adapter)
    per = base + (2 if grad_checkpointing else 0)
    rate = per * params * 1000 / (step_seconds * num_gpus) / 1e12
    # (each part named: "4 (a frozen base: no weight gradients) + 2 (the forward recomputed)" - review 68 #13)
    parts = f"{base} (a frozen base: no weight gradients)" if base != 6 else f"{base}"
    why = f"({parts} + 2 (the forward recomputed))" if grad_checkpointing else parts
    formula = (f"{why} × {fmt_count(params)} params × 1,000 tokens / ({fmt_sig(step_seconds)} s × "
               f"{fmt_sig(num_gpus)} GPU(s)) = {fmt_sig(rate, 3)} TFLOP/s per GPU")
    cited = ("kaplan", "chen-ckpt") if grad_checkpointing else ("kaplan",)
    return {"value": Estimate(rate, None, formula, cited, heuristic=True)}


@estimator(cites=("kaplan", "chen-ckpt"))
def tokens_a_step_at_peak(params: float, step_seconds: float, peak_tflops: float, grad_checkpointing: bool = False,
                          adapter: str | None = None) -> dict[str, Estimate]:
    """The tokens one GPU would work through in a step of the measured time at the card's peak dense 16-bit
    throughput: the most a step that long could hold. A step holding a hundredth of it left the GPU idle almost all
    the time ("3 hours for 1 step" of a 5B model on a 4090 - review 77 #3: memory paged to the host, not compute)."""
    if min(params, step_seconds, peak_tflops) <= 0:
        raise NotComputable("the parameters, the step's time and the peak TFLOP/s must be positive")
    per = flops_per_token(adapter) + (2 if grad_checkpointing else 0)
    tokens = step_seconds * peak_tflops * 1e12 / (per * params)
    formula = (f"{fmt_sig(step_seconds)} s × {fmt_sig(peak_tflops)} TFLOP/s / ({per} × {fmt_count(params)} params) "
               f"= {fmt_count(tokens)} tokens per GPU")
    cited = ("kaplan", "chen-ckpt") if grad_checkpointing else ("kaplan",)
    return {"value": Estimate(tokens, "count", formula, cited, heuristic=True)}


DIT_PIXELS_PER_TOKEN = 16 * 16  # an 8× VAE and 2×2 patches: FLUX, SD3, Qwen-Image (a 1024² image is 4,096 tokens)


@estimator("value", "tflops", cites=("kaplan", "sd3-paper", "chen-ckpt"))
def image_dit_utilization(params: float, image_size: float, step_seconds: float, peak_tflops: float,
                          images_per_gpu: float | None = None, batch: float | None = None, num_gpus: float = 1,
                          adapter: str | None = None, grad_checkpointing: bool = False) -> dict[str, Estimate]:
    """The share of the card's peak an image diffusion transformer's measured step uses: each image is
    (side / 16)² tokens (an 8× VAE and 2×2 patches), each token 6 FLOPs a parameter (4 under adapters, 2 more
    recomputed) - the text tokens and attention's quadratic part left out, so the share is a floor (review 77 #12:
    SD3 at 1024², 10 images a GPU, 45 s a step on an A6000)."""
    if images_per_gpu is None:
        # (a batch not said per GPU: at least its share of each GPU, so the share stays a floor)
        images_per_gpu = max(1.0, (batch or 1) / max(num_gpus, 1))
    if min(params, image_size, step_seconds, peak_tflops, images_per_gpu) <= 0:
        raise NotComputable("the parameters, the image's side, the step's time and the peak must be positive")
    tokens = (image_size * image_size / DIT_PIXELS_PER_TOKEN) * images_per_gpu
    per = flops_per_token(adapter) + (2 if grad_checkpointing else 0)
    achieved = per * params * tokens / step_seconds / 1e12
    share = achieved / peak_tflops
    formula = (f"{per} × {fmt_count(params)} params × ({fmt_sig(image_size)}² / 256 = "
               f"{fmt_count(image_size * image_size / DIT_PIXELS_PER_TOKEN)} tokens × {fmt_sig(images_per_gpu)} "
               f"image(s) a GPU) / {fmt_sig(step_seconds)} s = {fmt_sig(achieved, 3)} TFLOP/s, "
               f"{fmt_sig(share * 100, 3)}% of {fmt_sig(peak_tflops)}")
    cited = ("kaplan", "sd3-paper", "chen-ckpt") if grad_checkpointing else ("kaplan", "sd3-paper")
    return {"value": Estimate(share, "fraction", formula, cited, heuristic=True),
            "tflops": Estimate(achieved, None, formula, cited, heuristic=True)}


TOKENS_PER_PARAM_OPTIMAL = 20  # Hoffmann et al.'s compute-optimal ratio, as usually quoted (Chinchilla: 70B, 1.4T)


@estimator("flops", "optimal_params", "optimal_tokens", "tokens", "mfu", cites=("kaplan", "chinchilla"))
def compute_budget(peak_tflops: float, seconds: float, num_gpus: float = 1, params: float | None = None,
                   adapter: str | None = None) -> dict[str, Estimate]:
    """What a time budget buys: the GPUs' FLOPs at MFU_ASSUMED of their peak, the compute-optimal model for it (C =
    6·N·D with D = 20·N, so N = sqrt(C / 120)) and, for a model of a given size, the tokens it trains on."""
    if min(peak_tflops, seconds, num_gpus) <= 0 or (params is not None and params <= 0):
        raise NotComputable("the peak TFLOP/s, the time and the GPUs must be positive")
    flops = num_gpus * peak_tflops * 1e12 * MFU_ASSUMED * seconds
    said = (f"{fmt_sig(num_gpus)} GPU(s) × {fmt_sig(peak_tflops)} TFLOP/s × {MFU_ASSUMED:.0%} × "
            f"{fmt_duration(seconds)} = {fmt_sig(flops, 3)} FLOPs")
    ratio = TOKENS_PER_PARAM_OPTIMAL
    n_opt = math.sqrt(flops / (6 * ratio))
    out = {"flops": Estimate(flops, None, said, ("kaplan",), heuristic=True),
           "optimal_params": Estimate(n_opt, "count", f"N = sqrt(C / (6 × {ratio})) = sqrt({fmt_sig(flops, 3)} / "
                                      f"{6 * ratio}) = {fmt_count(n_opt)}", ("kaplan", "chinchilla"), heuristic=True),
           "optimal_tokens": Estimate(ratio * n_opt, "count",
                                      f"{ratio} × {fmt_count(n_opt)} = {fmt_count(ratio * n_opt)}", ("chinchilla",),
                                      heuristic=True),
           "mfu": Estimate(MFU_ASSUMED, "fraction", "the share of the peak a well-tuned run reaches", ("kaplan",),
                           heuristic=True)}
    if params is not None:
        per = flops_per_token(adapter)
        tokens = flops / (per * params)
        out["tokens"] = Estimate(tokens, "count", f"{fmt_sig(flops, 3)} FLOPs / ({per} × {fmt_count(params)}) = "
                                 f"{fmt_count(tokens)} tokens", ("kaplan",), heuristic=True)
    return out


@estimator(cites=("kaplan",))
def training_flops(params: float, tokens: float, adapter: str | None = None) -> dict[str, Estimate]:
    """The compute of a run: about 6 FLOPs per parameter per token (4 with a frozen base under adapters), the
    number a time needs when the card's peak is not known (divide by the throughput measured)."""
    if min(params, tokens) <= 0:
        raise NotComputable("the parameters and the tokens must be positive")
    per = flops_per_token(adapter)
    flops = per * params * tokens
    return {"value": Estimate(flops, None, f"{per} × {fmt_count(params)} params × {fmt_count(tokens)} tokens = "
                              f"{fmt_sig(flops, 3)} FLOPs", ("kaplan",), heuristic=True)}


@estimator("value", "if_per_gpu", cites=("palm-mfu",))
def measured_utilization(params: float, tokens_per_second: float, peak_tflops: float, num_gpus: float = 1,
                         per_gpu: bool = False, adapter: str | None = None,
                         scope_unsaid: bool = False, model_parallel_gpus: float = 1) -> dict[str, Estimate]:
    """Model FLOPs utilization from a measured throughput (PaLM's MFU: 6 FLOPs per parameter per token, 4 with a
    frozen base under adapters; attention left out, so a long sequence's figure is a little low). With several GPUs
    and a figure nobody said was the run's or each GPU's (`scope_unsaid`), the utilization if it is each GPU's too:
    logs printed by every rank count that rank's tokens."""
    if min(params, tokens_per_second, peak_tflops, num_gpus) <= 0:
        raise NotComputable("the parameters, the throughput, the peak TFLOP/s and the GPUs must be positive")
    per = flops_per_token(adapter)
    num_gpus = num_gpus * max(1.0, model_parallel_gpus)  # (each data-parallel copy spans its model-parallel GPUs)
    each = tokens_per_second if per_gpu else tokens_per_second / num_gpus
    mfu = per * params * each / (peak_tflops * 1e12)
    said = f"{fmt_count(tokens_per_second)} tokens/s" + (" per GPU" if per_gpu else f" over {fmt_sig(num_gpus)} GPU(s)")
    out = {"value": Estimate(mfu, "fraction", f"{per} × {fmt_count(params)} params × {fmt_count(each)} tokens/s per GPU "
                             f"= {fmt_sig(per * params * each / 1e12, 3)} TFLOP/s of {fmt_sig(peak_tflops)} ({said})",
                             ("palm-mfu",))}
    alt = per * params * tokens_per_second / (peak_tflops * 1e12)
    if scope_unsaid and not per_gpu and num_gpus > 1 and alt <= 1:
        # (a reading per GPU that needs more than the cards' peak is ruled out, not offered)
        out["if_per_gpu"] = Estimate(alt, "fraction", f"{per} × {fmt_count(params)} params × "
                                     f"{fmt_count(tokens_per_second)} tokens/s on each GPU = "
                                     f"{fmt_sig(alt * peak_tflops, 3)} TFLOP/s of {fmt_sig(peak_tflops)}", ("palm-mfu",))
    return out


@estimator(cites=("arithmetic",))
def training_tokens(token_budget: float | None = None, dataset_tokens: float | None = None,
                    epochs: float | None = None, steps: float | None = None,
                    tokens_per_step: float | None = None, dataset_size: float | None = None,
                    seq_len: float | None = None, length_unsaid: bool | None = None) -> dict[str, Estimate]:
    """The tokens the whole run trains on: the budget said, else the data set's tokens times the epochs ("3 epochs
    over 200M tokens" is 600M), else the steps the run is set to take times its tokens per step (nanoGPT's
    `max_iters 600000` at 12 × 40 × 1,024 tokens is 295B), else its examples at the sequence length (every example
    as long as the length allows: an upper bound, unless the examples are packed to it; `length_unsaid`: at the
    length the plan search assumes when none is said)."""
    length = seq_len or (ASSUMED_SEQ_LEN if length_unsaid else None)
    if (not dataset_tokens or dataset_tokens <= 0) and not (steps and tokens_per_step) and dataset_size \
            and dataset_size > 0 and length and length > 0:
        passes = float(epochs) if epochs and epochs > 0 else 1.0
        value = float(dataset_size) * float(length) * passes
        said = "" if seq_len else " (a length assumed: you did not say it)"
        return {"value": Estimate(value, "count", f"{fmt_count(dataset_size)} examples × at most {int(length):,} tokens{said} "
                                  f"× {fmt_sig(passes)} epoch{'s' if passes != 1 else ''} = {fmt_count(value)} tokens "
                                  "(an upper bound: shorter examples unpacked train on fewer)", ("arithmetic",))}
    if token_budget and token_budget > 0:
        return {"value": Estimate(float(token_budget), "count", f"the budget you gave: {fmt_count(token_budget)} tokens",
                                  ("arithmetic",))}
    if (not dataset_tokens or dataset_tokens <= 0) and steps and steps > 0 and tokens_per_step and tokens_per_step > 0:
        value = float(steps) * float(tokens_per_step)
        return {"value": Estimate(value, "count", f"{int(steps):,} steps × {fmt_count(tokens_per_step)} tokens per step = "
                                  f"{fmt_count(value)} tokens", ("arithmetic",))}
    if not dataset_tokens or dataset_tokens <= 0:
        raise NotComputable("no token budget and no data set size in tokens")
    passes = float(epochs) if epochs and epochs > 0 else 1.0
    value = dataset_tokens * passes
    return {"value": Estimate(value, "count", f"{fmt_sig(passes)} epoch{'s' if passes != 1 else ''} × "
                              f"{fmt_count(dataset_tokens)} tokens = {fmt_count(value)} tokens", ("arithmetic",))}


@estimator(cites=("arithmetic",))
def run_throughput(tokens_per_second: float | None = None, num_gpus: float | None = None, per_gpu: bool | None = None,
                   tokens_per_step: float | None = None, step_seconds: float | None = None,
                   model_parallel_gpus: float | None = None) -> dict[str, Estimate]:
    """Tokens per second of the whole run: a throughput said (times the GPUs when said per GPU), else the tokens of one
    optimizer step over the time it takes ("micro 1 × GA 8 × 8 GPUs × 8,192 tokens in ~42 s"). The GPUs are the
    data-parallel copies times the GPUs each copy spans (tensor × pipeline parallel: TP 4 × DP 2 is 8 GPUs)."""
    gpus = (num_gpus or 1) * (model_parallel_gpus or 1)
    if tokens_per_second and tokens_per_second > 0:
        value = tokens_per_second * (gpus if per_gpu else 1)
        text = (f"{fmt_count(tokens_per_second)} tokens/s per GPU × {fmt_sig(gpus)} GPUs = {fmt_count(value)} tokens/s"
                if per_gpu and gpus > 1 else f"{fmt_count(value)} tokens/s, as you measured")
        return {"value": Estimate(value, "count", text, ("arithmetic",))}
    if not (tokens_per_step and step_seconds and tokens_per_step > 0 and step_seconds > 0):
        raise NotComputable("no throughput and no step time with its tokens")
    value = tokens_per_step / step_seconds
    return {"value": Estimate(value, "count", f"{fmt_count(tokens_per_step)} tokens per step / {fmt_sig(step_seconds)} s "
                              f"= {fmt_count(value)} tokens/s ({fmt_count(value / gpus)} per GPU)", ("arithmetic",))}


@estimator(cites=("arithmetic",))
def time_at_throughput(tokens: float, tokens_per_second: float, num_gpus: float = 1,
                       per_gpu: bool = False) -> dict[str, Estimate]:
    """The time a token budget takes at a measured throughput (each GPU's times the GPUs when said per GPU)."""
    if min(tokens, tokens_per_second, num_gpus) <= 0:
        raise NotComputable("the tokens, the throughput and the GPUs must be positive")
    total = tokens_per_second * (num_gpus if per_gpu else 1)
    seconds = tokens / total
    return {"value": Estimate(seconds, "seconds", f"{fmt_count(tokens)} tokens / {fmt_count(total)} tokens/s = "
                              f"{fmt_duration(seconds)}", ("arithmetic",))}


@estimator(cites=("pt-ddp", "hf-ga"))
def share_per_gpu(batch_size: float, num_gpus: float) -> dict[str, Estimate]:
    """Samples each GPU contributes to one update of a batch per update: micro-batch × accumulation steps on each
    GPU (whole numbers only: a batch that does not divide has no such split)."""
    if num_gpus < 1 or batch_size % num_gpus:
        raise NotComputable(f"{fmt_sig(batch_size)} per update does not divide over {fmt_sig(num_gpus)} GPUs")
    value = int(batch_size // num_gpus)
    return {"value": Estimate(value, None, f"{fmt_sig(batch_size)} per update / {fmt_sig(num_gpus)} GPUs = {value} "
                              "per GPU (micro-batch × accumulation steps)", ("pt-ddp", "hf-ga"))}


@estimator(cites=("pt-ddp", "hf-ga"))
def micro_batches_per_update(batch_size: float, micro_batch: float) -> dict[str, Estimate]:
    """Micro-batches one update averages when the GPUs and the accumulation are not said: accumulation steps × GPUs
    (whole numbers only: a batch per update that does not divide into micro-batches has no such split)."""
    if micro_batch < 1 or batch_size <= micro_batch or batch_size % micro_batch:
        raise NotComputable(f"{fmt_sig(batch_size)} per update is no whole number of micro-batches of {fmt_sig(micro_batch)}")
    value = int(batch_size // micro_batch)
    return {"value": Estimate(value, None, f"{fmt_sig(batch_size)} per update / micro-batch {fmt_sig(micro_batch)} = "
                              f"{value} micro-batches (accumulation steps × GPUs)", ("pt-ddp", "hf-ga"))}


@estimator(cites=("arithmetic",))
def tokens_per_step(batch_size: float, seq_len: float) -> dict[str, Estimate]:
    """Tokens per optimizer update: global batch × sequence length (count target tokens if padding is masked)."""
    value = batch_size * seq_len
    return {"value": Estimate(value, "count", f"{fmt_sig(batch_size)} × {fmt_sig(seq_len)} tokens = {fmt_count(value)}", ("arithmetic",))}


@estimator("grad_accum_steps", "tokens_per_step", "exact", cites=("arithmetic",))
def accumulation_for_tokens(target_tokens: float, micro_batch: float, seq_len: float, num_gpus: float) -> dict[str, Estimate]:
    """Accumulation steps so that micro × seq × accum × GPUs reaches a token target (nearest whole number)."""
    per_step = micro_batch * seq_len * num_gpus
    exact_value = target_tokens / per_step
    accum = max(1, round(exact_value))
    tokens = accum * per_step
    exact = math.isclose(exact_value, accum)
    formula = (f"{fmt_count(target_tokens)} / ({fmt_sig(micro_batch)} × {fmt_sig(seq_len)} × {fmt_sig(num_gpus)}) = "
               f"{fmt_sig(exact_value, 4)} → {accum}" + ("" if exact else f" ({fmt_count(tokens)} tokens per step; "
               f"{max(1, math.floor(exact_value))} or {math.ceil(exact_value)} bracket the target)"))
    return {"grad_accum_steps": Estimate(accum, None, formula, ("arithmetic",)),
            "tokens_per_step": Estimate(tokens, "count", formula, ("arithmetic",)),
            "exact": Estimate(exact, None, formula, ("arithmetic",))}


@estimator("prompts", "divisible", cites=("trl-grpo",))
def grpo_prompts(completions: float, num_generations: float) -> dict[str, Estimate]:
    """GRPO's prompts per optimizer update: TRL's batch sizes count completions, so the completions of an update
    (micro-batch × accumulation × training processes) are num_generations per prompt; TRL refuses a batch that
    is no whole number of groups."""
    whole, g = int(completions), int(num_generations)
    divisible = whole % g == 0
    formula = (f"{whole} completions ÷ {g} per prompt = " +
               (f"{whole // g} prompts" if divisible else f"{whole / g:.2f}: not a whole number of prompts"))
    return {"prompts": Estimate(whole // g, None, formula, ("trl-grpo",)),
            "divisible": Estimate(divisible, None, formula, ("trl-grpo",))}


@estimator("samples", "updates", "whole", cites=("verl-config", "openrlhf-batches"))
def updates_per_rollout(rollout_prompts: float, responses_per_prompt: float, samples_per_update: float) -> dict[str, Estimate]:
    """The optimizer updates one rollout feeds in an RL trainer that counts prompts (verl, OpenRLHF): the rollout's
    prompts × responses each, cut into updates of `samples_per_update` responses (per PPO epoch over the rollout)."""
    if min(rollout_prompts, responses_per_prompt, samples_per_update) < 1:
        raise NotComputable("the prompts, the responses per prompt and the samples per update must be at least 1")
    samples = int(rollout_prompts * responses_per_prompt)
    whole = samples % int(samples_per_update) == 0
    updates = samples / samples_per_update
    formula = (f"{int(rollout_prompts):,} prompts × {int(responses_per_prompt)} responses = {samples:,} samples; "
               f"{samples:,} / {int(samples_per_update):,} per update = {fmt_sig(updates, 4)} updates per rollout")
    cites = ("verl-config", "openrlhf-batches")
    return {"samples": Estimate(samples, None, formula, cites), "updates": Estimate(updates, None, formula, cites),
            "whole": Estimate(whole, None, formula, cites)}


@estimator("own_gpu", "gathered", cites=("gradcache",))
def in_batch_negatives(micro_batch: float, num_gpus: float) -> dict[str, Estimate]:
    """The negatives each sample of a contrastive loss sees: the rest of its own GPU's micro-batch, or of all the
    GPUs' micro-batches when the features are gathered across them."""
    if micro_batch < 1 or num_gpus < 1:
        raise NotComputable("the micro-batch and the GPUs must be at least 1")
    own, gathered = int(micro_batch) - 1, int(micro_batch * num_gpus) - 1
    formula = (f"{int(micro_batch)} - 1 = {own} on its own GPU; {int(micro_batch)} × {int(num_gpus)} - 1 = {gathered} "
               f"with the features gathered over the GPUs")
    return {"own_gpu": Estimate(own, None, formula, ("gradcache",)), "gathered": Estimate(gathered, None, formula, ("gradcache",))}


@estimator(cites=("peft-kbit-prepare",))
def fp32_weights(params: float) -> dict[str, Estimate]:
    """A model's weights once every 16-bit parameter is cast to fp32: 4 bytes a parameter."""
    if params <= 0:
        raise NotComputable("the parameter count must be positive")
    value = params * 4
    return {"value": Estimate(value, "bytes", f"{fmt_count(params)} parameters × 4 bytes = {fmt_bytes_gib(value)}",
                              ("peft-kbit-prepare",))}


@estimator(cites=("arithmetic",))
def time_per_step(duration: float, steps: float) -> dict[str, Estimate]:
    """The time one step takes in a run of `steps` steps that lasts `duration` seconds."""
    if duration <= 0 or steps < 1:
        raise NotComputable("the duration must be positive and the steps at least 1")
    value = duration / steps
    return {"value": Estimate(value, "seconds", f"{fmt_duration(duration)} / {fmt_count(steps)} steps = "
                              f"{fmt_sig(value * 1000, 3)} ms a step", ("arithmetic",))}


@estimator("value", "divisible", "micro_needed", cites=("trl-grpo-versions",))
def grpo_old_check(micro_batch: float, num_gpus: float, num_generations: float) -> dict[str, Estimate]:
    """TRL 0.15-0.16's GRPO check: per-device batch × processes, without the accumulation, must be a multiple of
    num_generations; `micro_needed` is the smallest per-device batch that passes it on these processes."""
    micro, gpus, group = int(micro_batch), int(num_gpus), int(num_generations)
    if min(micro, gpus, group) < 1:
        raise NotComputable("the per-device batch, the processes and num_generations must be at least 1")
    value = micro * gpus
    needed = group // math.gcd(group, gpus)
    formula = (f"{gpus} process(es) × per-device {micro} = {value} completions, checked against num_generations "
               f"{group}; the smallest per-device batch that divides: {group} / gcd({group}, {gpus}) = {needed}")
    cites = ("trl-grpo-versions",)
    return {"value": Estimate(value, None, formula, cites), "divisible": Estimate(value % group == 0, None, formula, cites),
            "micro_needed": Estimate(needed, None, formula, cites)}


@estimator(cites=("openrlhf-batches",))
def micro_batches_per_rollout(rollout_samples: float, num_gpus: float, micro_batch: float) -> dict[str, Estimate]:
    """The micro-batches one GPU trains on per pass over a rollout: its share of the rollout's samples (they are
    spread over the GPUs) in micro-batches - what OpenRLHF's training progress bar counts."""
    if min(rollout_samples, num_gpus, micro_batch) < 1:
        raise NotComputable("the samples, the GPUs and the micro-batch must be at least 1")
    value = math.ceil(rollout_samples / (num_gpus * micro_batch))
    formula = (f"{int(rollout_samples):,} samples / ({int(num_gpus)} GPU(s) × micro-batch {int(micro_batch)}) = "
               f"{value:,} micro-batches per GPU")
    return {"value": Estimate(value, None, formula, ("openrlhf-batches",), heuristic=True)}


@estimator(cites=("arithmetic",))
def steps_for_tokens(token_budget: float, tokens_per_step: float) -> dict[str, Estimate]:
    """Optimizer steps to consume a token budget."""
    steps = math.ceil(token_budget / tokens_per_step)
    return {"value": Estimate(steps, None, f"⌈{fmt_count(token_budget)} / {fmt_count(tokens_per_step)}⌉ = {steps:,} steps", ("arithmetic",))}


@estimator("gpu_capacity", "headroom", cites=("playbook",))
def input_bound(gpu_utilization: float, loader_rate: float) -> dict[str, Estimate]:
    """An input-bound run: the GPU busy `gpu_utilization` % of the time while the loader delivers `loader_rate`
    samples/s could take about loader_rate / utilization if fed (a rough upper bound: utilization counts time with
    any kernel running); the loader's rate caps throughput whatever the batch."""
    if not 0 < gpu_utilization <= 100 or loader_rate <= 0:
        raise NotComputable("utilization must be in (0, 100] % and the loader rate positive")
    capacity = loader_rate / (gpu_utilization / 100)
    return {"gpu_capacity": Estimate(capacity, None, f"{fmt_sig(loader_rate)} samples/s ÷ {fmt_sig(gpu_utilization)} % busy ≈ "
                                     f"{fmt_sig(capacity, 3)} samples/s if the GPU were fed", ("playbook",), heuristic=True),
            "headroom": Estimate(capacity / loader_rate, "multiplier", f"{fmt_sig(capacity, 3)} / {fmt_sig(loader_rate)} = "
                                 f"{fmt_sig(capacity / loader_rate, 3)}× more samples/s with a faster input pipeline",
                                 ("playbook",), heuristic=True)}


@estimator("steps", "samples", "reference_samples", "share", cites=("goyal", "arithmetic"))
def schedule_for_batch(reference_steps: float, reference_batch: float, batch_size: float,
                       planned_steps: float | None = None) -> dict[str, Estimate]:
    """A schedule counted in iterations belongs to its batch: at another batch the linear rule scales the iterations
    (and the LR decay points) inversely, so the run sees the same samples - Faster R-CNN's 90k at 16 is 180k at 8.
    `samples`, `share`: what the planned iterations see at the user's batch, against the reference's."""
    if min(reference_steps, reference_batch, batch_size) <= 0:
        raise NotComputable("the reference's iterations and both batches must be positive")
    reference_samples = reference_steps * reference_batch
    steps = math.ceil(reference_samples / batch_size - 1e-9)
    src = ("goyal", "arithmetic")
    out = {"steps": Estimate(steps, None, f"{fmt_count(reference_steps)} × {fmt_sig(reference_batch)} / "
                                          f"{fmt_sig(batch_size)} = {steps:,} iterations", src),
           "reference_samples": Estimate(reference_samples, None, f"{fmt_count(reference_steps)} × "
                                                                  f"{fmt_sig(reference_batch)} = {fmt_count(reference_samples)} samples", src)}
    if planned_steps and planned_steps > 0:
        samples = planned_steps * batch_size
        out["samples"] = Estimate(samples, None, f"{fmt_count(planned_steps)} × {fmt_sig(batch_size)} = "
                                                 f"{fmt_count(samples)} samples", src)
        out["share"] = Estimate(samples / reference_samples, "multiplier",
                                f"{fmt_count(samples)} / {fmt_count(reference_samples)} = {fmt_sig(samples / reference_samples, 3)}", src)
    return out


@estimator("value", "tokens_per_sample", cites=("arithmetic",))
def samples_against_tokens(steps: float, batch: float, tokens: float) -> dict[str, Estimate]:
    """The samples a schedule trains on (steps × batch) against a budget counted in tokens: each sample of a
    language model is a whole sequence, so the budget over the samples is the tokens each must hold."""
    if steps <= 0 or batch <= 0 or tokens <= 0:
        raise NotComputable("needs steps, a batch and a token count")
    samples = steps * batch
    per = tokens / samples
    return {"value": Estimate(samples, None, f"{fmt_count(steps)} steps × {fmt_count(batch)} = {fmt_count(samples)} "
                                             "samples", ("arithmetic",)),
            "tokens_per_sample": Estimate(per, None, f"{fmt_count(tokens)} tokens / {fmt_count(samples)} samples = "
                                                     f"{fmt_count(per)} tokens a sample", ("arithmetic",))}


CONTEXT_CHUNK_TOKENS = 16_384  # tokens per GPU a context-parallel split aims at (a length most recipes train at)


@estimator("value", "tokens_per_gpu", "data_parallel", cites=("megatron-context-parallel", "arithmetic"))
def context_parallel_split(seq_len: float, gpus: int) -> dict[str, Estimate]:
    """The context-parallel degree that cuts one sequence to about CONTEXT_CHUNK_TOKENS per GPU (a power of two that
    divides the GPUs), the tokens each GPU then holds, and the data-parallel replicas the GPUs leave without tensor
    or pipeline parallelism."""
    if seq_len <= CONTEXT_CHUNK_TOKENS or gpus < 2:
        raise NotComputable("a sequence short enough for one GPU, or one GPU")
    degree = 1
    while degree * 2 <= gpus and gpus % (degree * 2) == 0 and seq_len / degree > CONTEXT_CHUNK_TOKENS:
        degree *= 2
    if degree == 1:
        raise NotComputable("no split of the GPUs cuts the sequence")
    per = seq_len / degree
    return {"value": Estimate(degree, None, f"the power of two dividing {gpus} GPUs that brings {fmt_count(seq_len)} "
                                            f"tokens to at most {fmt_count(CONTEXT_CHUNK_TOKENS)} per GPU: {degree}",
                              ("megatron-context-parallel",)),
            "tokens_per_gpu": Estimate(per, None, f"{fmt_count(seq_len)} / {degree} = {fmt_count(per)} tokens per GPU",
                                       ("arithmetic",)),
            "data_parallel": Estimate(gpus // degree, None, f"{gpus} GPUs / {degree} = {gpus // degree} replicas",
                                      ("arithmetic",))}


@estimator("value", "samples_per_step", cites=("arithmetic",))
def steps_said_multiple(said: float, counted: float, batch: float, num_gpus: float = 1) -> dict[str, Estimate]:
    """The trainer's total steps as a whole multiple of the updates its settings make (not the processes, which
    steps_over_world reads): each of its steps then covers that fraction of the batch per update set - the batch the
    run really uses ("Total steps = 99,486" where 12.7M examples × 2 epochs at 1,024 make 24,870: 256 a step)."""
    if counted <= 0 or batch <= 0:
        raise NotComputable("the count and the batch must be positive")
    factor = said / counted
    whole = round(factor)
    if whole < 2 or abs(factor / whole - 1) > COUNT_FACTOR_TOLERANCE or whole == round(num_gpus):
        raise NotComputable("no whole multiple other than the processes")
    per = batch / whole  # (the two counts round up per epoch: the whole multiple is the ratio meant)
    return {"value": Estimate(float(whole), "multiplier", f"{fmt_sig(said)} / {fmt_sig(counted)} = {fmt_sig(factor, 3)}",
                              ("arithmetic",)),
            "samples_per_step": Estimate(per, None, f"{fmt_sig(batch)} / {whole} = {fmt_sig(per, 3)} samples a step",
                                         ("arithmetic",))}


@estimator("event", "step", cites=("arithmetic",))
def event_at_failing_step(oom_step: float, save_steps: float | None = None,
                          eval_steps: float | None = None) -> dict[str, Estimate]:
    """Which periodic event falls on the step an OOM comes at ("dies around step 200" with `--save_steps 200`): a
    save or an evaluation whose interval divides the step, within 2% of the interval (people round the step they
    say). None falling there is not computable."""
    if oom_step < 1:
        raise NotComputable("no step to compare")
    for name, every in (("evaluation", eval_steps), ("checkpoint save", save_steps)):
        if every and every >= 1:
            nearest = max(1, round(oom_step / every)) * every
            if abs(oom_step - nearest) <= max(1.0, 0.02 * every):
                return {"event": Estimate(name, None, f"step {fmt_count(oom_step)} ≈ {fmt_count(nearest / every)} × "
                                                      f"every {fmt_count(every)} steps", ("arithmetic",)),
                        "step": Estimate(nearest, None, f"{fmt_count(nearest / every)} × {fmt_count(every)}",
                                         ("arithmetic",))}
    raise NotComputable("no save or evaluation falls on that step")


@estimator("rollout", "updates", "rollout_other", "updates_other", cites=("sb3-on-policy", "arithmetic"))
def rl_rollout_batch(num_envs: float, steps_per_env: float, total_timesteps: float | None = None,
                     other_envs: float | None = None) -> dict[str, Estimate]:
    """An on-policy update's batch (A2C, PPO): the transitions the envs collected since the last one, num_envs ×
    steps per env; over a run of total timesteps, that many fewer updates. `other_envs`: the same at another env
    count the user compares (the steps per env kept)."""
    if num_envs < 1 or steps_per_env < 1:
        raise NotComputable("the envs and the steps per env must be positive")
    rollout = num_envs * steps_per_env
    out = {"rollout": Estimate(rollout, None, f"{fmt_count(num_envs)} envs × {fmt_count(steps_per_env)} steps each = "
                                              f"{fmt_count(rollout)} transitions per update", ("sb3-on-policy",))}
    if total_timesteps and total_timesteps >= rollout:
        out["updates"] = Estimate(math.floor(total_timesteps / rollout), None,
                                  f"⌊{fmt_count(total_timesteps)} timesteps / {fmt_count(rollout)}⌋", ("arithmetic",))
    if other_envs and other_envs >= 1 and other_envs != num_envs:
        other = other_envs * steps_per_env
        out["rollout_other"] = Estimate(other, None, f"{fmt_count(other_envs)} envs × {fmt_count(steps_per_env)} = "
                                                     f"{fmt_count(other)}", ("arithmetic",))
        if total_timesteps and total_timesteps >= other:
            out["updates_other"] = Estimate(math.floor(total_timesteps / other), None,
                                            f"⌊{fmt_count(total_timesteps)} / {fmt_count(other)}⌋", ("arithmetic",))
    return out


@estimator("share", "share_halved", cites=("megatron-pipeline-bubble",))
def pipeline_bubble(stages: float, micro_batches: float) -> dict[str, Estimate]:
    """The share of a pipeline-parallel step its stages sit idle: with p stages and m micro-batches per update, the
    schedule runs m + p - 1 slots, of which p - 1 fill and drain the pipeline; and the share at twice the
    micro-batches (the micro-batch halved, the batch per update kept)."""
    p, m = int(stages), int(micro_batches)
    if p < 2 or m < 1:
        raise NotComputable("a pipeline of two stages or more and one micro-batch or more")
    share, halved = (p - 1) / (m + p - 1), (p - 1) / (2 * m + p - 1)
    return {"share": Estimate(share, "fraction", f"({p} stages - 1) / ({m} micro-batches + {p} - 1) = "
                              f"{fmt_share(share)}", ("megatron-pipeline-bubble",)),
            "share_halved": Estimate(halved, "fraction", f"({p} - 1) / ({2 * m} micro-batches + {p} - 1) = "
                                     f"{fmt_share(halved)}", ("megatron-pipeline-bubble",))}


@estimator("samples", "tokens", "epoch_tokens_at_most", cites=("megatron-gpt-dataset",))
def megatron_samples(seq_len: float, train_samples: float | None = None, iterations: float | None = None,
                     global_batch: float | None = None, epochs_logged: float | None = None) -> dict[str, Estimate]:
    """A Megatron run's samples (--train-samples, else --train-iters × the global batch), each seq_len tokens cut
    from the concatenated documents; and, with the epochs its dataset builder logged, the most tokens one pass over
    the data can hold (the builder adds passes until they hold the samples' tokens)."""
    if train_samples:
        samples, said = float(train_samples), f"--train-samples {fmt_count(train_samples)}"
    elif iterations and global_batch:
        samples = float(iterations) * float(global_batch)
        said = f"{fmt_count(iterations)} iterations × {fmt_count(global_batch)} global batch = {fmt_count(samples)}"
    else:
        raise NotComputable("--train-samples, or --train-iters with the global batch")
    tokens = samples * seq_len
    out = {"samples": Estimate(samples, "count", said, ("megatron-gpt-dataset",)),
           "tokens": Estimate(tokens, "count", f"{fmt_count(samples)} samples × {int(seq_len):,} tokens = "
                              f"{fmt_count(tokens)} tokens", ("megatron-gpt-dataset",))}
    if epochs_logged and epochs_logged > 1:  # (one pass logged bounds nothing: it may hold far more)
        most = tokens / (epochs_logged - 1)
        out["epoch_tokens_at_most"] = Estimate(
            most, "count", f"{fmt_count(tokens)} tokens needed {fmt_count(epochs_logged)} passes, so "
            f"{fmt_count(epochs_logged - 1)} held fewer: one pass < {fmt_count(most)} tokens", ("megatron-gpt-dataset",))
    return out
