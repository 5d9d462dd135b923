"""The estimator protocol the engine calls: the result type, the registry, and the checked call.

The engine knows estimators only by name through `ESTIMATORS`; the domain layer registers them with
`@estimator(...)` (advisor/domain/estimators/). Rules call them with `kind: estimate`.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Estimate:
    value: Any
    unit: str | None
    formula: str
    sources: tuple[str, ...] = ()
    heuristic: bool = False


class NotComputable(ValueError):
    """The inputs do not allow this estimate (e.g. two measurements at the same batch)."""


@dataclass(frozen=True)
class Estimator:
    name: str
    fn: Callable[..., dict[str, Estimate]]
    doc: str
    parameters: tuple[str, ...]
    required: tuple[str, ...]
    results: tuple[str, ...]
    cites: tuple[str, ...]


ESTIMATORS: dict[str, Estimator] = {}


def estimator(*results: str, cites: tuple[str, ...]) -> Callable:
    """Register a function as an estimator; `results` are the keys of the dict it returns, `cites` every
    source id its estimates may name (lint checks they exist in rules/sources.yaml)."""

    def register(fn: Callable[..., dict[str, Estimate]]) -> Callable:
        sig = inspect.signature(fn)
        params = tuple(sig.parameters)
        required = tuple(n for n, p in sig.parameters.items() if p.default is inspect.Parameter.empty)
        ESTIMATORS[fn.__name__] = Estimator(fn.__name__, fn, inspect.getdoc(fn) or "", params, required,
                                            results or ("value",), cites)
        return fn

    return register


def call_estimator(name: str, args: dict[str, Any]) -> dict[str, Estimate]:
    est = ESTIMATORS[name]
    out = est.fn(**args)
    for key, value in out.items():
        if not isinstance(value, Estimate):
            raise TypeError(f"estimator {name} returned {type(value).__name__} for {key!r}")
        if not set(value.sources) <= set(est.cites):
            raise TypeError(f"estimator {name} cites {sorted(set(value.sources) - set(est.cites))} without declaring them")
    return out
