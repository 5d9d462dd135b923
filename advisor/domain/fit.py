"""The straight line through measured points: peak memory is affine in the batch (fixed + per-sample × batch)."""

from __future__ import annotations

from typing import Iterable


def fit_line(points: Iterable[tuple[float, float]]) -> tuple[float, float]:
    """Least-squares (intercept, slope) of y = intercept + slope·x; exact through two points. Needs two distinct x."""
    pts = [(float(x), float(y)) for x, y in points]
    n = len(pts)
    mx = sum(x for x, _ in pts) / n if n else 0.0
    spread = sum((x - mx) ** 2 for x, _ in pts)
    if n < 2 or spread == 0:
        raise ValueError("a line needs points at two different x")
    my = sum(y for _, y in pts) / n
    slope = sum((x - mx) * (y - my) for x, y in pts) / spread
    return my - slope * mx, slope
