"""Typed facts with provenance: coercion of raw values against the vocabulary, and the working memory.

Provenance kinds, from strongest to weakest: `given` (scenario or caller), `answer` (to a question),
`measured` (a probe), `config` (read from a training config file), `message` (extracted from the user's words),
`derived` (by a rule), `estimate` (by an estimator), `default` (assumed by the vocabulary). Rules never overwrite
what the user said or what the user's files say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import Any

from advisor.errors import InputError
from advisor.kb.model import FactSpec, KnowledgeBase
from advisor.units import PARSERS, UnitError, shown, fmt_sig

MAX_PAIR_BATCH = 10**9  # a batch size in a [batch, value] pair
MAX_ITEMS = 10_000  # pairs or list items in one fact
USER_PROVENANCE = ("given", "answer", "measured", "config", "message")
SKIP_ANSWERS = {"skip", "unknown", "don't know", "dont know", "idk", "?"}
TRUE_WORDS = {"true", "yes", "y", "on", "1"}
FALSE_WORDS = {"false", "no", "n", "off", "0"}


@dataclass(frozen=True)
class Provenance:
    """Where a value came from, as data: explanations read these fields, never a string."""

    kind: str  # given | answer | measured | config | message | derived | estimate | default
    rule: str | None = None  # the rule that derived or estimated it
    estimator: str | None = None  # the estimator (or catalogue) that computed it
    matched: str | None = None  # the words of the message (or the setting of a config file) it was read from
    file: str | None = None  # the config file it was read from
    line: int | None = None  # and the line there

    @property
    def by(self) -> str | None:
        """One line for people and for the JSON output's `by`."""
        if self.file is not None:
            where = f"from {self.file}" + (f" line {self.line}" if self.line else "")
            return where + (f" ({self.matched})" if self.matched else "")
        if self.matched is not None:
            return repr(self.matched)
        if self.estimator and self.rule:
            return f"{self.estimator} via {self.rule}"
        return self.estimator or self.rule

    def __str__(self) -> str:
        return f"{self.kind} ({self.by})" if self.by else self.kind


@dataclass
class Fact:
    name: str
    value: Any
    provenance: Provenance
    version: int


def unknown_fact_error(kb: KnowledgeBase, name: str) -> str:
    hint = get_close_matches(name, list(kb.facts), n=1)
    return f"unknown fact {name!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "") + "; `advisor facts` lists them"


def _scalar(spec: FactSpec, raw: Any) -> Any:
    parser = PARSERS[spec.unit or "number"]
    value = parser(raw)
    if spec.type == "integer":
        if not float(value).is_integer():
            raise UnitError(f"expected a whole number, got {fmt_sig(value)}")
        value = int(value)
    if spec.minimum is not None and value < spec.minimum:
        raise UnitError(f"must be at least {fmt_sig(spec.minimum)}, got {fmt_sig(value)}")
    if spec.exclusive_minimum is not None and value <= spec.exclusive_minimum:
        raise UnitError(f"must be greater than {fmt_sig(spec.exclusive_minimum)}, got {fmt_sig(value)}")
    if spec.maximum is not None and value > spec.maximum:
        raise UnitError(f"must be at most {fmt_sig(spec.maximum)}, got {fmt_sig(value)}")
    return value


def _pairs(spec: FactSpec, raw: Any) -> list[list[Any]]:
    """[[batch, value], ...] from a list of pairs/mappings or a string like '64=14GB, 128=24GB'."""
    parser = PARSERS[spec.unit or "number"]
    if isinstance(raw, str):
        items = [p for p in re.split(r"[;,]\s*(?=\d)", raw.strip()) if p.strip()]
        raw = [re.split(r"\s*[=:→]\s*|\s+", item.strip(), maxsplit=1) for item in items]
    if not isinstance(raw, list) or not raw:
        raise UnitError("expected a list of [batch, value] pairs, e.g. [[64, 14GB], [128, 24GB]] or '64=14GB, 128=24GB'")
    if len(raw) > MAX_ITEMS:
        raise UnitError(f"expected at most {MAX_ITEMS:,} [batch, value] pairs, got {len(raw):,}")
    out = []
    for item in raw:
        if isinstance(item, dict) and set(item) == {"batch", "value"}:
            item = [item["batch"], item["value"]]
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            raise UnitError(f"expected a [batch, value] pair, got {shown(item)}")
        batch = PARSERS["count"](item[0])
        if not 1 <= batch <= MAX_PAIR_BATCH or not float(batch).is_integer():
            raise UnitError(f"batch must be a whole number from 1 to {MAX_PAIR_BATCH:,}, got {shown(item[0])}")
        out.append([int(batch), parser(item[1])])
    return out


def coerce(spec: FactSpec, raw: Any) -> Any:
    """Validate and normalise a raw value for a fact; raises UnitError with what was expected."""
    if raw is None:
        raise UnitError("a value is required (answer 'skip' to leave a question open)")
    if spec.type in ("number", "integer"):
        return _scalar(spec, raw)
    if spec.type == "bool":
        if isinstance(raw, bool):
            return raw
        text = _text(raw).strip().lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise UnitError(f"expected yes or no, got {shown(raw)}")
    if spec.type == "choice":
        text = _text(raw).strip().lower()
        for candidate in (text, text.replace("-", "_").replace(" ", "_"), text.replace("_", "-").replace(" ", "-")):
            if candidate in spec.choices:
                return candidate
        hint = get_close_matches(text, spec.choices, n=1) if len(text) <= 100 else []
        raise UnitError(f"expected one of {', '.join(spec.choices)}, got {shown(raw)}" + (f" (did you mean {hint[0]!r}?)" if hint else ""))
    if spec.type == "pairs":
        return _pairs(spec, raw)
    if spec.type == "list":
        if not isinstance(raw, list):
            raise UnitError("expected a list of numbers")
        if len(raw) > MAX_ITEMS:
            raise UnitError(f"expected at most {MAX_ITEMS:,} numbers, got {len(raw):,}")
        return [PARSERS[spec.unit or "number"](item) for item in raw]
    if not isinstance(raw, (str, int, float)):
        raise UnitError("expected text")
    return _text(raw)


def _text(raw: Any) -> str:
    """str(raw), except that an integer too long to print (str() refuses more than 4,300 digits) is an error."""
    if isinstance(raw, int) and not isinstance(raw, bool) and raw.bit_length() > 4096:
        raise UnitError(f"expected a value, got {shown(raw)}")
    return str(raw)


def coerce_named(kb: KnowledgeBase, name: str, raw: Any) -> Any:
    """Coerce a value for a named fact, raising InputError naming the fact."""
    spec = kb.facts.get(name)
    if spec is None:
        raise InputError(unknown_fact_error(kb, name))
    try:
        return coerce(spec, raw)
    except UnitError as exc:
        raise InputError(f"fact {name!r}: {exc}") from None


def is_skip(raw: Any) -> bool:
    return isinstance(raw, str) and raw.strip().lower() in SKIP_ANSWERS


@dataclass
class WorkingMemory:
    """The blackboard: one value per fact, each with provenance and a version for refraction."""

    kb: KnowledgeBase
    facts: dict[str, Fact] = field(default_factory=dict)
    declined: set[str] = field(default_factory=set)
    clock: int = 0

    def known(self, name: str) -> bool:
        return name in self.facts

    def value(self, name: str) -> Any:
        return self.facts[name].value

    def version(self, name: str) -> int:
        fact = self.facts.get(name)
        return fact.version if fact else 0

    def set(self, name: str, value: Any, provenance: Provenance) -> bool:
        """Store a value; returns False when a weaker source would overwrite what the user said."""
        old = self.facts.get(name)
        if old is not None:
            if old.provenance.kind in USER_PROVENANCE and provenance.kind not in USER_PROVENANCE:
                return False
            if old.value == value and old.provenance == provenance:
                return False
        self.clock += 1
        self.facts[name] = Fact(name, value, provenance, self.clock)
        return True
