"""advisor: an expert system for choosing a batch size and living within GPU memory.

    >>> import advisor
    >>> advice = advisor.consult("8GB GPU, 500M parameter model, what batch fits?")
    >>> [q.id for q in advice.questions]  # doctest: +SKIP

`consult()` is the one stateless core; the CLI, REPL and chat tooling are shells around it.
torch is never imported here. Names are imported on first use, so `advisor estimate` starts without pydantic.
"""

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    # the public API: every shell (CLI, REPL, chat tools, MCP) is a mapping onto these
    "consult": "advisor.consultation",  # advice for a message, stated facts and answers
    "run_consultation": "advisor.consultation",  # the same, keeping the engine state for explanations
    "explain": "advisor.engine.explain",  # HOW / WHY / WHY-NOT of one item of a consultation
    "Session": "advisor.shells.session",  # a multi-turn consultation that serialises
    "estimate_memory": "advisor.estimation",  # training memory per GPU (analytic, or traced with torch)
    "probe": "advisor.measure.probe",  # the largest micro-batch that runs, measured on a device (torch)
    "load_kb": "advisor.consultation",
    "Advice": "advisor.engine.advice",
    "AdvisorError": "advisor.errors",
    "InputError": "advisor.errors",
}
__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'advisor' has no attribute {name!r}")
