"""Critical batch size: McCandlish et al.'s steps/examples trade-off, Kaplan et al.'s B_crit(L) fit, and the
time to a target loss from a measured throughput curve.

S = S_min (1 + B_noise / B) optimizer steps and E = E_min (1 + B / B_noise) examples reach the same loss; at
B = B_noise both are twice their minimum. B_noise grows as the loss falls, so a measured value holds for the
phase of training it was measured in.
"""

from __future__ import annotations

from advisor.units import fmt_count, fmt_sig
from advisor.engine.estimators import Estimate, NotComputable, estimator


@estimator("steps_ratio", "examples_ratio", cites=("mccandlish",))
def critical_batch_tradeoff(batch_size: float, noise_scale: float) -> dict[str, Estimate]:
    """Steps and examples, relative to their minimum, at this batch for a gradient noise scale B_noise."""
    if batch_size <= 0 or noise_scale <= 0:
        raise NotComputable("batch and noise scale must be positive")
    s = 1 + noise_scale / batch_size
    e = 1 + batch_size / noise_scale
    return {
        "steps_ratio": Estimate(s, "multiplier", f"S/S_min = 1 + {fmt_sig(noise_scale)}/{fmt_sig(batch_size)} = {fmt_sig(s, 3)}", ("mccandlish",)),
        "examples_ratio": Estimate(e, "multiplier", f"E/E_min = 1 + {fmt_sig(batch_size)}/{fmt_sig(noise_scale)} = {fmt_sig(e, 3)}", ("mccandlish",)),
    }


@estimator(cites=("kaplan",))
def kaplan_critical_batch(loss_nats: float) -> dict[str, Estimate]:
    """Kaplan et al.'s fit B_crit(L) ≈ 2e8 tokens / L^(1/0.21): their tokenizer and data, loss in nats - a rough guide."""
    if loss_nats <= 0:
        raise NotComputable("the loss must be positive (in nats)")
    value = 2e8 / loss_nats ** (1 / 0.21)
    return {"value": Estimate(value, "count", f"2e8 / {fmt_sig(loss_nats)}^(1/0.21) = {fmt_count(value)} tokens", ("kaplan",), heuristic=True)}


@estimator("best_batch", "relative_time", cites=("mccandlish", "playbook"))
def time_to_target(throughput: list, noise_scale: float) -> dict[str, Estimate]:
    """Relative wall-clock to a target loss per batch: steps S_min(1 + B_noise/B) × B / (samples/s at B)."""
    if not throughput or noise_scale <= 0:
        raise NotComputable("need a throughput curve and a positive noise scale")
    times = {int(b): (1 + noise_scale / b) * b / thr for b, thr in throughput if thr > 0 and b > 0}
    if not times:
        raise NotComputable("the throughput curve has no batch with a positive throughput")
    best = min(times, key=times.get)
    rel = [[b, times[b] / times[best]] for b in sorted(times)]
    shown = ", ".join(f"{b}: {t:.2f}×" for b, t in rel)
    return {"best_batch": Estimate(best, None, f"min over batches of (1 + B_noise/B)·B/throughput → {best}", ("mccandlish", "playbook")),
            "relative_time": Estimate(rel, None, f"time relative to the best: {shown}", ("mccandlish", "playbook"))}


@estimator("min_steps", "noise_scale", "points", "largest_batch", cites=("mccandlish",))
def critical_batch_fit(steps: list) -> dict[str, Estimate]:
    """Fit McCandlish et al.'s S = S_min (1 + B_noise / B) to measured steps-to-target at several batches: S is
    linear in 1/B, so a least-squares line gives S_min (intercept) and S_min·B_noise (slope)."""
    points = sorted({int(b): float(s) for b, s in steps if b > 0 and s > 0}.items())
    if len(points) < 2:
        raise NotComputable("need steps-to-target at two or more batch sizes")
    xs, ys = [1 / b for b, _ in points], [s for _, s in points]
    n = len(points)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    s_min = my - slope * mx
    if s_min <= 0 or slope <= 0:
        raise NotComputable("the steps do not fall as S_min (1 + B_noise/B): they do not shrink with the batch, or "
                            "shrink faster than 1/B - measure again with the learning rate retuned at each batch")
    noise = slope / s_min
    shown = ", ".join(f"{b}: {fmt_count(s)}" for b, s in points)
    formula = (f"least squares of S against 1/B over {n} runs ({shown}): S = {fmt_count(s_min)} + {fmt_count(slope)}/B, "
               f"so S_min = {fmt_count(s_min)} steps and B_noise = {fmt_count(slope)} / {fmt_count(s_min)} = {fmt_count(noise)}")
    return {"min_steps": Estimate(s_min, "count", formula, ("mccandlish",)),
            "noise_scale": Estimate(noise, "count", formula, ("mccandlish",)),
            "points": Estimate(n, None, f"{n} batch sizes measured", ("mccandlish",)),
            "largest_batch": Estimate(points[-1][0], None, f"the largest batch measured: {points[-1][0]}", ("mccandlish",))}


@estimator("speedup", "share", "steps_before", "steps_after", cites=("mccandlish", "goyal"))
def scale_out_speedup(noise_scale: float, min_steps: float, batch_size: float, factor: float,
                      efficiency: float = 1.0) -> dict[str, Estimate]:
    """Wall-clock speedup of k× the GPUs at the same per-GPU batch and step time: the batch grows k×, the steps
    to the target shrink only from S(B) to S(kB) = S_min (1 + B_noise/(kB)); times the scaling efficiency."""
    if min(noise_scale, min_steps, batch_size, factor) <= 0:
        raise NotComputable("noise scale, steps, batch and factor must be positive")
    before = min_steps * (1 + noise_scale / batch_size)
    after = min_steps * (1 + noise_scale / (batch_size * factor))
    speedup = before / after * efficiency
    formula = (f"S({fmt_count(batch_size)}) / S({fmt_count(batch_size * factor)}) = {fmt_count(before)} / {fmt_count(after)} steps"
               + (f" × {fmt_sig(efficiency)} scaling efficiency" if efficiency != 1 else "") + f" = {fmt_sig(speedup, 3)}× "
               f"(not {fmt_sig(factor)}×)")
    return {"speedup": Estimate(speedup, "multiplier", formula, ("mccandlish", "goyal")),
            "share": Estimate(speedup / factor, None, f"{fmt_sig(speedup, 3)} / {fmt_sig(factor)} = {fmt_sig(speedup / factor, 3)} of linear",
                              ("mccandlish", "goyal")),
            "steps_before": Estimate(before, "count", f"S_min (1 + B_noise/B) at {fmt_count(batch_size)}", ("mccandlish",)),
            "steps_after": Estimate(after, "count", f"S_min (1 + B_noise/B) at {fmt_count(batch_size * factor)}", ("mccandlish",))}
