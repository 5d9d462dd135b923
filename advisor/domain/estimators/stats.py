"""Run-to-run noise: is one run at another batch size outside what the repeated runs predict?

A Student-t prediction interval for one new observation from n repeated runs (mean ± t·sd·√(1 + 1/n)), the
t statistic and its two-sided p-value, and the runs per arm needed to detect a given difference (normal
approximation). No SciPy: the t distribution comes from the regularized incomplete beta function.
"""

from __future__ import annotations

import math
from collections import Counter

from advisor.units import fmt_sig
from advisor.engine.estimators import Estimate, NotComputable, estimator


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_two_sided_p(t: float, df: float) -> float:
    return betainc(df / 2, 0.5, df / (df + t * t))


def t_quantile(p: float, df: float) -> float:
    """Upper quantile: the t with P(T ≤ t) = p, for p > 0.5 (bisection on the CDF)."""
    target = 2 * (1 - p)  # two-sided tail mass
    lo, hi = 0.0, 1e4
    for _ in range(200):
        mid = (lo + hi) / 2
        if t_two_sided_p(mid, df) > target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def z_quantile(p: float) -> float:
    lo, hi = -40.0, 40.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if 0.5 * math.erfc(-mid / math.sqrt(2)) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


@estimator("baseline_batch", "mean", "sd", "n", "other_batch", "other_value", "pi_low", "pi_high", "t", "p", cites=("student-t",))
def run_noise(runs: list) -> dict[str, Estimate]:
    """Repeated runs at one batch (the batch with most runs) against a single run at another batch."""
    counts = Counter(float(b) for b, _ in runs)
    if len(counts) != 2:
        raise NotComputable("need runs at exactly two batch sizes")
    baseline, n = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    values = [float(v) for b, v in runs if float(b) == baseline]
    others = [float(v) for b, v in runs if float(b) != baseline]
    other_batch = next(float(b) for b, _ in runs if float(b) != baseline)
    if n < 2:
        raise NotComputable("need at least two runs at one batch size to estimate run-to-run noise")
    if len(others) != 1:
        raise NotComputable("the prediction-interval test compares a single run against repeated runs")
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    df = n - 1
    scale = sd * math.sqrt(1 + 1 / n)
    tq = t_quantile(0.975, df)
    other = others[0]
    src = ("student-t",)
    values_txt = ", ".join(fmt_sig(v) for v in values)
    if scale == 0:
        raise NotComputable("the repeated runs are identical; no noise estimate")
    t = abs(mean - other) / scale
    p = t_two_sided_p(t, df)
    return {
        "baseline_batch": Estimate(baseline, None, f"batch {fmt_sig(baseline)} has {n} runs", src),
        "mean": Estimate(mean, "percent", f"mean({values_txt}) = {mean:.2f}", src),
        "sd": Estimate(sd, "percent", f"sample sd({values_txt}) = {sd:.3f} (n − 1 = {df})", src),
        "n": Estimate(n, None, f"{n} runs at batch {fmt_sig(baseline)}", src),
        "other_batch": Estimate(other_batch, None, f"single run at batch {fmt_sig(other_batch)}", src),
        "other_value": Estimate(other, "percent", f"{fmt_sig(other)}", src),
        "pi_low": Estimate(mean - tq * scale, "percent", f"{mean:.2f} − t(0.975, {df}) {tq:.3f} × {sd:.3f} × √(1 + 1/{n}) = {mean - tq * scale:.3f}", src),
        "pi_high": Estimate(mean + tq * scale, "percent", f"{mean:.2f} + {tq:.3f} × {sd:.3f} × √(1 + 1/{n}) = {mean + tq * scale:.3f}", src),
        "t": Estimate(t, None, f"|{mean:.2f} − {fmt_sig(other)}| / ({sd:.3f} × √(1 + 1/{n})) = {t:.2f}", src),
        "p": Estimate(p, None, f"two-sided P(|T_{df}| ≥ {t:.2f}) = {p:.3f}", src),
    }


@estimator(cites=("power-analysis",))
def runs_per_arm(sd: float, min_effect: float, alpha: float = 0.05, power: float = 0.8) -> dict[str, Estimate]:
    """Runs per batch size to detect a difference of `min_effect` with run-to-run sd (at least 3)."""
    if min_effect <= 0:
        raise NotComputable("the effect size must be positive")
    za, zb = z_quantile(1 - alpha / 2), z_quantile(power)
    raw = 2 * (za + zb) ** 2 * sd**2 / min_effect**2
    n = max(3, math.ceil(raw))
    formula = (f"2 × ({za:.2f} + {zb:.2f})² × {sd:.3f}² / {fmt_sig(min_effect)}² = {raw:.2f} → {n} runs per arm "
               f"(at least 3 to estimate the spread)")
    return {"value": Estimate(n, None, formula, ("power-analysis",))}
