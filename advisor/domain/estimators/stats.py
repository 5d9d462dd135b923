"""Run-to-run noise: is one run at another batch size outside what the repeated runs predict?

A Student-t prediction interval for one new observation from n repeated runs (mean ± t·sd·√(1 + 1/n)), the
t statistic and its two-sided p-value, and the runs per arm needed to detect a given difference (the power of
a two-sample t-test, from the noncentral t distribution, as R's power.t.test), with the chi-square interval of
an sd estimated from few runs. No SciPy: the t distribution comes from the regularized incomplete beta function,
the chi-square from the regularized incomplete gamma, the noncentral t from a quadrature over the chi
distribution.
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


def gammainc_lower(a: float, x: float) -> float:
    """Regularized lower incomplete gamma P(a, x): series below a + 1, continued fraction above."""
    if x <= 0:
        return 0.0
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        ap = a
        for _ in range(1000):
            ap += 1
            term *= x / ap
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return total * math.exp(log_front)
    tiny = 1e-300  # modified Lentz for the upper tail Q(a, x)
    b, c, d = x + 1 - a, 1 / tiny, 1 / (x + 1 - a)
    h = d
    for i in range(1, 1000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = 1 / (d if abs(d) > tiny else tiny)
        c = b + an / c if abs(b + an / c) > tiny else tiny
        h *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return 1.0 - math.exp(log_front) * h


def chi2_quantile(p: float, df: float) -> float:
    """The x with P(χ²_df ≤ x) = p (bisection on the regularized gamma function)."""
    lo, hi = 0.0, max(10.0, df * 10 + 100)
    for _ in range(200):
        mid = (lo + hi) / 2
        if gammainc_lower(df / 2, mid / 2) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _norm_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2))


def noncentral_t_cdf(t: float, df: float, ncp: float, intervals: int = 2000) -> float:
    """P(T ≤ t) for T = (Z + ncp) / √(V/df): E over X = √(V/df) of Φ(t·X − ncp), by Simpson's rule on the
    density of X (V ~ χ²_df)."""
    sd_u = math.sqrt(2 * df)
    x_lo = math.sqrt(max(0.0, df - 12 * sd_u) / df)
    x_hi = math.sqrt((df + 12 * sd_u + 60) / df)
    log_norm = (df / 2) * math.log(df / 2) - math.lgamma(df / 2) + math.log(2)

    def f(x: float) -> float:
        if x <= 0:
            return 0.0
        density = math.exp(log_norm + (df - 1) * math.log(x) - df * x * x / 2)  # density of X = √(V/df)
        return density * _norm_cdf(t * x - ncp)

    h = (x_hi - x_lo) / intervals
    total = f(x_lo) + f(x_hi)
    for i in range(1, intervals):
        total += (4 if i % 2 else 2) * f(x_lo + i * h)
    return min(1.0, max(0.0, total * h / 3))


def t_test_power(n: int, effect: float, sd: float, alpha: float = 0.05) -> float:
    """Power of a two-sided two-sample t-test with n runs per arm (equal variances), as R's power.t.test."""
    df = 2 * n - 2
    ncp = effect / (sd * math.sqrt(2 / n))
    tc = t_quantile(1 - alpha / 2, df)
    return 1 - noncentral_t_cdf(tc, df, ncp) + noncentral_t_cdf(-tc, df, ncp)


def runs_for_power(effect: float, sd: float, alpha: float = 0.05, power: float = 0.8) -> int:
    """The smallest n per arm whose t-test power reaches `power` (searched upward from the normal approximation)."""
    za, zb = z_quantile(1 - alpha / 2), z_quantile(power)
    n = max(2, math.ceil(2 * (za + zb) ** 2 * sd**2 / effect**2) - 1)
    while n > 2 and t_test_power(n - 1, effect, sd, alpha) >= power:
        n -= 1
    while t_test_power(n, effect, sd, alpha) < power:
        n += 1
    return n


@estimator("value", "power_at_value", "sd_upper", "at_sd_upper", cites=("power-analysis", "chi2-sd"))
def runs_per_arm(sd: float, min_effect: float, sd_runs: float, alpha: float = 0.05, power: float = 0.8) -> dict[str, Estimate]:
    """Runs per batch size to detect a difference of `min_effect` with run-to-run sd: the smallest n per arm whose
    two-sample t-test reaches `power` (noncentral t), at least 3; and the same at the upper 95% confidence bound of
    an sd estimated from `sd_runs` runs."""
    if min_effect <= 0 or sd <= 0:
        raise NotComputable("the effect size and the sd must be positive")
    if sd_runs < 2:
        raise NotComputable("an sd needs at least two runs")
    n = max(3, runs_for_power(min_effect, sd, alpha, power))
    achieved = t_test_power(n, min_effect, sd, alpha)
    below = t_test_power(n - 1, min_effect, sd, alpha)
    df_sd = int(sd_runs) - 1
    upper = sd * math.sqrt(df_sd / chi2_quantile(alpha / 2, df_sd))
    n_upper = max(3, runs_for_power(min_effect, upper, alpha, power))
    src = ("power-analysis",)
    formula = (f"smallest n with power ≥ {fmt_sig(power * 100)}% for a two-sided two-sample t-test (α = {fmt_sig(alpha)}): "
               f"df = 2n − 2, noncentrality = {fmt_sig(min_effect)} / ({sd:.3f} × √(2/n)); n = {n - 1} gives "
               f"{below * 100:.0f}%, n = {n} gives {achieved * 100:.0f}% → {n} runs per arm (at least 3)")
    sd_formula = (f"95% upper bound of σ from {int(sd_runs)} runs: {sd:.3f} × √({df_sd} / χ²(0.025, {df_sd}) "
                  f"{chi2_quantile(alpha / 2, df_sd):.4f}) = {upper:.3f}")
    return {
        "value": Estimate(n, None, formula, src),
        "power_at_value": Estimate(achieved * 100, "percent", formula, src),
        "sd_upper": Estimate(upper, None, sd_formula, ("chi2-sd",)),
        "at_sd_upper": Estimate(n_upper, None, f"{sd_formula}; at that σ: {n_upper} runs per arm", ("power-analysis", "chi2-sd")),
    }
