"""Estimators: the code behind every number in the advice.

Rules call them by name (`estimate: {fn: NAME, args: {...}, into: FACT}`); each returns named `Estimate`s with
the value, its unit, the formula with the numbers filled in, and the sources. They are pure functions of
their arguments, so the engine memoises them.
"""

from advisor.engine.estimators import ESTIMATORS, Estimate, NotComputable, call_estimator, estimator
from . import batching, catalogue_memory, critical, memory, plan_search, scaling, stats  # noqa: F401  (registers the estimators)

__all__ = ["ESTIMATORS", "Estimate", "NotComputable", "call_estimator", "estimator"]
