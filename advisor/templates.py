"""Rule texts may quote facts: `{params:count}`, `{gpu_memory:gb}`, `{required_speedup:x}`.

A tiny, safe substitution (no str.format, no attribute access): the field is a fact name and an optional
format from FORMATS. The engine only fires a rule when every fact its texts name is known.
"""

from __future__ import annotations

from typing import Any, Callable

from .facts import WorkingMemory
from .model import TEMPLATE_FIELD
from .units import fmt_bytes_gb, fmt_bytes_gib, fmt_count, fmt_duration, fmt_sig, fmt_value


def _list(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(fmt_sig(v, 3) if isinstance(v, (int, float)) else str(v) for v in value)
    return str(value)


FORMATS: dict[str, Callable[[Any], str]] = {
    "gb": fmt_bytes_gb,
    "gib": fmt_bytes_gib,
    "count": fmt_count,
    "int": lambda v: str(int(round(v))),
    "x": lambda v: f"{fmt_sig(v, 3)}×",
    "pct": lambda v: f"{fmt_sig(v, 3)}%",
    "p": lambda v: f"{v:.3f}",
    "g": lambda v: fmt_sig(v, 3),
    "f2": lambda v: f"{v:.2f}",
    "f5": lambda v: f"{v:.5f}",
    "dur": fmt_duration,
    "list": _list,
}


def render(text: str, wm: WorkingMemory) -> str:
    def sub(match: Any) -> str:
        name, fmt = match.group(1), match.group(2)
        if not wm.known(name):
            return "(unknown)"
        value = wm.value(name)
        if fmt:
            return FORMATS[fmt](value)
        return fmt_value(value, wm.kb.facts[name].unit)

    return TEMPLATE_FIELD.sub(sub, text)
