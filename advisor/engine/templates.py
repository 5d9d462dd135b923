"""Rule texts may quote facts: `{params:count}`, `{gpu_memory:gb}`, `{required_speedup:x}`.

A tiny, safe substitution (no str.format, no attribute access): the field is a fact name and an optional
format from FORMATS. The engine only fires a rule when every fact its texts name is known.
"""

from __future__ import annotations

from typing import Any

from advisor.engine.memory import WorkingMemory
from advisor.kb.model import TEMPLATE_FIELD
from advisor.units import FORMATS, fmt_value


def render(text: str, wm: WorkingMemory, unknown: str = "(unknown)") -> str:
    """`text` with its fields filled in; a field whose fact is not known yet becomes `unknown`."""

    def sub(match: Any) -> str:
        name, fmt = match.group(1), match.group(2)
        if not wm.known(name):
            return unknown
        value = wm.value(name)
        if fmt:
            return FORMATS[fmt](value)
        spec = wm.kb.facts[name]
        if spec.type == "choice" and isinstance(value, str):
            return spec.value_label(value)  # 'bf16 mixed precision', not 'amp_bf16'
        return fmt_value(value, spec.unit, spec.pair_key)

    return TEMPLATE_FIELD.sub(sub, text)
