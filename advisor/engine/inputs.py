"""Accepting a caller's inputs: one set of rules, with one wording, for `consult`, the Session and scenario files.

An input is a stated fact (`given`), a measurement (`measured`) or an answer to a question (`answer`). Facts the
advisor computes (`derived: true` in facts.yaml) are refused whatever the route: stating them would silently
override the computation. Only askable facts can be answered, and only answers can be skipped.
"""

from __future__ import annotations

from typing import Any

from advisor.engine.memory import coerce_named, is_skip, unknown_fact_error
from advisor.errors import InputError
from advisor.kb.model import KnowledgeBase

INPUT_KINDS = ("given", "measured", "answer")
SKIPPED = object()  # what `accept_input` returns for a declined answer


def accept_input(kb: KnowledgeBase, name: str, raw: Any, kind: str) -> Any:
    """The validated value of one input, or SKIPPED for an answer of 'skip'. Raises InputError naming the fact."""
    if not isinstance(name, str):
        raise InputError(f"a fact name must be text, got {type(name).__name__}")
    spec = kb.facts.get(name)
    if spec is None:
        prefix = "answer to unknown question: " if kind == "answer" else ""
        raise InputError(prefix + unknown_fact_error(kb, name))
    if kind == "answer":
        if not spec.askable:
            raise InputError(f"{name!r} is not a question the advisor asks; state it as a fact instead")
        if is_skip(raw):
            return SKIPPED
    elif spec.derived:
        raise InputError(f"{name!r} is computed by the advisor, not given; state its inputs instead "
                         f"(advisor facts shows which facts are inputs)")
    return coerce_named(kb, name, raw)
