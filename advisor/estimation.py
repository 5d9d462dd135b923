"""`advisor.estimate_memory`: the library entry of `advisor estimate` and of the `estimate_memory` tool.

It composes the domain's analytic memory model with the measure layer's tracer (for `model=`), so the CLI and
the tools are thin mappings of their flags or arguments onto the same keywords.
"""

from __future__ import annotations

from typing import Any, Callable

from advisor.domain.memory_report import MemoryRequest, analytic_estimate, report
from advisor.errors import InputError


def estimate_memory(*, progress: Callable[[str], None] | None = None, **arguments: Any) -> dict[str, Any]:
    """Training memory per GPU: components with formulas, peak(batch) = a + b·batch, whether it fits `budget_gib`
    and the largest micro-batch, and micro-batch × accumulation × GPUs plans for `target_batch`.

    Give one model source (`preset`, `params`, `config`, `safetensors`, or `model="module:factory"` to trace it,
    which needs torch) and any of the setup fields of `advisor.domain.memory_report.MemoryRequest`. Raises
    InputError, naming the argument, on bad input. `progress` receives one-line status messages while tracing.
    """
    unknown = sorted(set(arguments) - set(MemoryRequest.field_names()))
    if unknown:
        raise InputError(f"unknown argument {unknown[0]!r}; estimate_memory takes {', '.join(MemoryRequest.field_names())}")
    request = MemoryRequest(**arguments)
    if request.model:
        from advisor.measure.traced_memory import traced_estimate

        est, model, components, extra = traced_estimate(request, progress)
        return report(request, est, model, components, extra)
    est, model = analytic_estimate(request)
    return report(request, est, model)
