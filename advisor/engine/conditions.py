"""Three-valued evaluation of rule conditions over the working memory.

A condition is True, False, or undecided because some facts are unknown (`Truth(None, missing)`). `all` is
False as soon as one part is False, even if others are unknown: that is MYCIN's *preview*, and it is why the
engine never asks a question whose answer could not change the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from advisor.engine.memory import WorkingMemory
from advisor.kb.model import All, Any_, Condition, FactRef, FactTest, Not, Offered

COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
}


@dataclass(frozen=True)
class Truth:
    value: bool | None
    missing: frozenset[str] = frozenset()
    because: Any = None  # for WHY-NOT: the premise that was False (described only when asked)
    got: Any = None

    @property
    def failed(self) -> str | None:
        if self.value is not False or self.because is None:
            return None
        if isinstance(self.because, str):
            return self.because
        text = describe(self.because)
        return f"{text} (it is {self.got!r})" if isinstance(self.because, FactTest) and self.got is not None else text


TRUE = Truth(True)


def describe(cond: Condition) -> str:
    """A short readable form of a condition, for explanations."""
    if isinstance(cond, All):
        return "all of (" + "; ".join(describe(c) for c in cond.all) + ")"
    if isinstance(cond, Any_):
        return "any of (" + "; ".join(describe(c) for c in cond.any) + ")"
    if isinstance(cond, Not):
        return "not " + describe(cond.not_)
    if isinstance(cond, Offered):
        return f"option {cond.offered} offered"
    op, operand = cond.operator, cond.operand
    if op == "known":
        return f"{cond.fact} is {'known' if operand else 'unknown'}"
    shown = operand.fact if isinstance(operand, FactRef) else operand
    return f"{cond.fact} {op} {shown}"


def evaluate(cond: Condition | None, wm: WorkingMemory, offered: set[str]) -> Truth:
    if cond is None:
        return TRUE
    if isinstance(cond, All):
        missing: set[str] = set()
        for part in cond.all:
            t = evaluate(part, wm, offered)
            if t.value is False:
                return t
            missing |= t.missing
        return Truth(None, frozenset(missing)) if missing else TRUE
    if isinstance(cond, Any_):
        missing = set()
        for part in cond.any:
            t = evaluate(part, wm, offered)
            if t.value is True:
                return TRUE
            missing |= t.missing
        if missing:
            return Truth(None, frozenset(missing))
        return Truth(False, because=cond)
    if isinstance(cond, Not):
        t = evaluate(cond.not_, wm, offered)
        if t.value is None:
            return t
        return TRUE if t.value is False else Truth(False, because=cond)
    if isinstance(cond, Offered):
        return TRUE if cond.offered in offered else Truth(False, because=cond)
    return _fact_test(cond, wm)


def _fact_test(cond: FactTest, wm: WorkingMemory) -> Truth:
    op, operand = cond.operator, cond.operand
    if op == "known":
        ok = wm.known(cond.fact) == operand
        return TRUE if ok else Truth(False, because=cond)
    missing = {name for name in (cond.fact, operand.fact if isinstance(operand, FactRef) else None)
               if name and not wm.known(name)}
    if missing:
        return Truth(None, frozenset(missing))
    left = wm.value(cond.fact)
    right = wm.value(operand.fact) if isinstance(operand, FactRef) else operand
    try:
        if op == "in":
            ok = left in right
        elif op == "lists":  # "time, lr, speed" lists "lr"
            ok = isinstance(left, str) and right in (part.strip() for part in left.split(","))
        else:
            ok = COMPARE[op](left, right)
    except TypeError:
        ok = False  # e.g. comparing text with a number: lint reports these
    if ok:
        return TRUE
    return Truth(False, because=cond, got=left)
