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
