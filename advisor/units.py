"""Parsing and formatting of quantities with units.

ML users write "8GB", "24 GiB", "500M", "1.3B", "3e-4", "2 weeks", "85.2%", "4x". YAML 1.1 also turns `3e-4`
into a *string*, so every numeric fact goes through these parsers. GB means 10^9 bytes and GiB 2^30, as
printed by the advisor; nvidia-smi's "MiB" are 2^20. One exception: the memory of a GPU or of a host
(`card_bytes`) is sized in binary units whatever the vendor prints - an "8GB" card has 8 GiB, an "80GB" A100 has
80 GiB, "128GB" of RAM is 128 GiB of DIMMs - so its "N GB" is read as N GiB, as `advisor estimate --budget-gib N`
does.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable

BYTE_UNITS = {
    "b": 1, "bytes": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,  # (XLA's "allocate 22542867840 bytes")
    "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40,
}
COUNT_SUFFIXES = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9, "t": 10**12}
WORD_SUFFIXES = {"thousand": "k", "million": "m", "billion": "b", "trillion": "t"}
DURATION_UNITS = {
    "ms": 0.001, "msec": 0.001, "millisecond": 0.001, "milliseconds": 0.001,
    "s": 1, "sec": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "wk": 604800, "week": 604800, "weeks": 604800,
    "month": 2592000, "months": 2592000,  # (30 days: "within 2 months" as a budget)
}
WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "a": 1, "an": 1}

_NUMBER = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][-+]?\d+)?"


class UnitError(ValueError):
    """A value that does not parse; the message says what was expected."""


# The sane range of every number a user can give, checked here (the one validation path for numeric input) so that
# no estimator sees NaN, an infinity or a value whose arithmetic overflows: |x| is 0 or between TINY and the unit's
# maximum. The maxima are far beyond any real training run (1 EB of memory, 10^18 tokens or parameters).
TINY = 1e-15
MAX_BY_UNIT = {"number": 1e15, "bytes": 1e18, "count": 1e18, "seconds": 1e10, "percent": 1e6, "multiplier": 1e9,
               "fraction": 1.0}
_UNIT_WORDS = {"number": "a number", "bytes": "a memory size", "count": "a count", "seconds": "a duration",
               "percent": "a percentage", "multiplier": "a factor", "fraction": "a share (0 to 1, or a percentage)"}


def shown(value: object, limit: int = 32) -> str:
    """A short, one-line rendering of a user's value for an error message."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"an integer of about {round(value.bit_length() * math.log10(2))} digits"
    try:
        text = value if isinstance(value, str) else repr(value)
    except Exception:  # noqa: BLE001 - a hostile object's __repr__
        text = f"<{type(value).__name__}>"
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[:limit] + "…")


def check_range(value: float | int, unit: str = "number", raw: object = None) -> float:
    """`value` as a float if it is finite and within the sane range of its unit; UnitError otherwise."""
    raw = value if raw is None else raw
    maximum = MAX_BY_UNIT[unit]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > maximum:  # before float(): 10**400
        raise UnitError(f"{shown(raw)} is too large for {_UNIT_WORDS[unit]} (at most {fmt_sig(maximum)})")
    value = float(value)
    if math.isnan(value):
        raise UnitError(f"{shown(raw)} is not a number (NaN); expected a finite number")
    if math.isinf(value) or abs(value) > maximum:
        raise UnitError(f"{shown(raw)} is too large for {_UNIT_WORDS[unit]} (at most {fmt_sig(maximum)})")
    if value != 0 and abs(value) < TINY:
        raise UnitError(f"{shown(raw)} is too close to zero (write 0, or at least {TINY:g})")
    return value


def _to_float(text: str, unit: str = "number", raw: object = None) -> float:
    raw = text if raw is None else raw
    text = text.strip().replace(",", "").replace("_", "")
    word = WORD_NUMBERS.get(text.lower())
    if word is not None:
        return float(word)
    if len(text) > 400:  # float() would take it (and make it infinite); no real quantity needs so many characters
        raise UnitError(f"{shown(raw)} is not a number (too long)")
    try:
        value = float(text)
    except ValueError:
        raise UnitError(f"{shown(raw)} is not a number") from None
    if not math.isfinite(value):
        raise UnitError(f"{shown(raw)} is not a finite number")
    return check_range(value, unit, raw)


def parse_number(value: object, unit: str = "number") -> float:
    """A plain number; strings such as '3e-4' (YAML 1.1 leaves them as strings) are accepted."""
    if isinstance(value, bool):
        raise UnitError("expected a number, got true/false")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise UnitError(f"{shown(value)} is not a finite number")
        return check_range(value, unit)
    if isinstance(value, str):
        return _to_float(value, unit)
    raise UnitError(f"expected a number, got {type(value).__name__}")


def parse_bytes(value: object) -> float:
    """'8GB' -> 8e9, '24 GiB' -> 24*2^30. A bare number is taken as bytes only if it is clearly bytes."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = parse_number(value, "bytes")
        if value < 2**20:
            raise UnitError(f"{fmt_sig(value)} is too small to be a byte count; write the unit, e.g. '{fmt_sig(value)}GB' "
                            f"or '{fmt_sig(value)}GiB'")
        return value
    if not isinstance(value, str):
        raise UnitError("expected a memory size such as '8GB' or '24 GiB'")
    if len(value) > 400:
        raise UnitError(f"{shown(value)} is not a memory size (too long)")
    match = re.fullmatch(rf"\s*({_NUMBER})\s*([kKmMgGtT]?i?[bB]|bytes)\s*", value)
    if not match:
        if re.fullmatch(rf"\s*{_NUMBER}\s*[gG]\s*", value):
                raise UnitError(f"{shown(value)} is ambiguous; write GB (10^9 bytes) or GiB (2^30 bytes)")
        raise UnitError(f"{shown(value)} is not a memory size; expected e.g. '8GB', '24 GiB', '512MiB'")
    unit = match.group(2).lower()
    if unit not in BYTE_UNITS:
        raise UnitError(f"unknown memory unit {match.group(2)!r}; use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB")
    return check_range(_to_float(match.group(1), "bytes", value) * BYTE_UNITS[unit], "bytes", value)


def parse_card_bytes(value: object) -> float:
    """The memory of a GPU or a host: '8GB' -> 8 GiB, '24 GiB' -> 24 GiB, '16384MiB' -> 16 GiB, '80G' -> 80 GiB.

    Cards and RAM are sized in binary units (an "8GB" card has 8 GiB, nvidia-smi shows 8192MiB), so the decimal and
    binary spellings of a prefix mean the same here. A bare number is bytes (as for `parse_bytes`)."""
    if not isinstance(value, str):
        return parse_bytes(value)
    match = re.fullmatch(rf"\s*({_NUMBER})\s*([kKmMgGtT])?(i?[bB])?\s*", value)
    if not match or not match.group(1) or not (match.group(2) or match.group(3)):
        raise UnitError(f"{value!r} is not a memory size; expected e.g. '8GB', '24 GiB', '81920MiB' (a GPU's GB are read as GiB)")
    if len(value) > 400:
        raise UnitError(f"{shown(value)} is not a memory size (too long)")
    prefix = (match.group(2) or "").lower()
    size = _to_float(match.group(1), "bytes", value) * {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}[prefix]
    return check_range(size, "bytes", value)


def parse_count(value: object) -> float:
    """'500M' -> 5e8, '1.3B' -> 1.3e9, '22,696,448' -> 22696448, '7e9' -> 7e9."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return parse_number(value, "count")
    if not isinstance(value, str):
        raise UnitError("expected a count such as 500M, 1.3B or 125000")
    match = re.fullmatch(rf"\s*({_NUMBER})\s*([kKmMbBtT]?|thousand|million|billion|trillion)\s*", value, re.IGNORECASE) \
        if len(value) <= 400 else None
    if not match or not match.group(1):
        raise UnitError(f"{shown(value)} is not a count; expected e.g. 500M, 1.3B, 7e9 or 125000")
    suffix = WORD_SUFFIXES.get(match.group(2).lower(), match.group(2).lower())  # ("40 million": 40M)
    return check_range(_to_float(match.group(1), "count", value) * COUNT_SUFFIXES[suffix], "count", value)


def parse_duration(value: object) -> float:
    """'2 weeks' -> seconds. A bare number is taken as seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return parse_number(value, "seconds")
    if not isinstance(value, str):
        raise UnitError("expected a duration such as '3 days' or '12h'")
    # "an hour", "half an hour", "a day": one unit, or half of one ("An epoch takes nearly half an hour")
    one = re.fullmatch(r"\s*(half\s+)?an?\s+([a-zA-Z]+)\s*", value) if len(value) <= 400 else None
    if one and one.group(2).lower() in DURATION_UNITS:
        return float(DURATION_UNITS[one.group(2).lower()]) * (0.5 if one.group(1) else 1)
    # ("10+ days": at least that long, read as its number)
    match = re.fullmatch(r"\s*([0-9.]+|[a-zA-Z]+)\+?\s*([a-zA-Z]+)\s*", value) if len(value) <= 400 else None
    if match and match.group(2).lower() in DURATION_UNITS:
        return check_range(_to_float(match.group(1), "seconds", value) * DURATION_UNITS[match.group(2).lower()],
                           "seconds", value)
    # "1 hour 20 minutes", "1h20m", "2 hours and 30 minutes": up to three parts, each a number and a unit
    parts = COMPOUND_DURATION.fullmatch(value) if len(value) <= 400 else None
    if parts is not None:
        pieces = DURATION_PART.findall(value)
        if all(unit.lower() in DURATION_UNITS for _, unit in pieces):
            total = sum(_to_float(number, "seconds", value) * DURATION_UNITS[unit.lower()] for number, unit in pieces)
            return check_range(total, "seconds", value)
    raise UnitError(f"{shown(value)} is not a duration; expected e.g. '90 min', '12h', '3 days', '2 weeks'")


DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]+)")
COMPOUND_DURATION = re.compile(r"\s*[0-9]+(?:\.[0-9]+)?\s*[a-zA-Z]+(?:\s*(?:,|and)?\s*[0-9]+(?:\.[0-9]+)?\s*[a-zA-Z]+){1,2}\s*")


def parse_percent(value: object) -> float:
    """'85.2%' or 85.2 -> 85.2 (percentage points)."""
    if isinstance(value, str):
        value = value.strip().rstrip("%").strip()
    return parse_number(value, "percent")


def parse_fraction(value: object) -> float:
    """A share of a whole: '10%' or 0.1 -> 0.1 (at most 1, i.e. 100%)."""
    if isinstance(value, str) and value.strip().endswith("%"):
        return check_range(parse_number(value.strip().rstrip("%").strip(), "percent") / 100, "fraction", value)
    return check_range(parse_number(value, "number"), "fraction", value)


def parse_multiplier(value: object) -> float:
    """'4x', '×4', '4' -> 4.0"""
    if isinstance(value, str):
        value = value.strip().lower().replace("×", "x").strip("x").strip()
    return parse_number(value, "multiplier")


PARSERS = {
    "number": parse_number,
    "bytes": parse_bytes,
    "card_bytes": parse_card_bytes,
    "count": parse_count,
    "seconds": parse_duration,
    "percent": parse_percent,
    "multiplier": parse_multiplier,
    "fraction": parse_fraction,
}


# ---------------------------------------------------------------------------------------------- formatting

MAX_LISTED = 3  # items named in one sentence; the rest are counted


def and_join(items: list[str], limit: int = MAX_LISTED) -> str:
    """'a', 'a and b', 'a, b and c', 'a, b, c and 2 more'."""
    items = list(dict.fromkeys(items))
    if len(items) > limit:
        items = items[:limit] + [f"{len(items) - limit} more"]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def fmt_sig(value: float, digits: int = 4) -> str:
    """A stable, short rendering: integers stay integers, others get `digits` significant digits."""
    if value == 0:
        return "0"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{int(exponent)}"
    return text


def fmt_bytes_gb(value: float) -> str:
    return f"{value / 1e9:.2f} GB"


def fmt_bytes(value: float) -> str:
    """GB, or MB/kB for small amounts (decimal units)."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.2f} {unit}"
    return f"{value:.0f} B"


def fmt_bytes_gib(value: float) -> str:
    return f"{value / 2**30:.2f} GiB"


def fmt_on_card(need: float, card: float) -> str:
    """A need set against a card, both in the card's binary units, so the two read as comparable: '22.47 GiB per GPU
    of 23.99 GiB' (not '24.13 GB per GPU of 23.99 GiB', which reads as more than the card)."""
    return f"{fmt_bytes_gib(need)} per GPU of {fmt_card(card)}"


def fmt_card(value: float) -> str:
    """A GPU's memory, in the binary units cards are sized in: '8 GiB', '79.6 GiB'."""
    return f"{fmt_sig(round(value / 2**30, 2))} GiB"


def fmt_count(value: float) -> str:
    for suffix, scale in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= scale:
            return f"{fmt_sig(value / scale, 4)}{suffix}"
    return fmt_sig(value)


def fmt_share(value: float) -> str:
    """A fraction as a percentage: 0.1 -> '10%', 0.015 -> '1.5%'."""
    return f"{fmt_sig(round(value * 100, 6), 3)}%"


def fmt_duration(seconds: float) -> str:
    for name, scale in (("weeks", 604800), ("days", 86400), ("h", 3600), ("min", 60)):
        if name == "min" and seconds >= 7200:
            break  # (75,000 s is "20.8 h", not "1250 min")
        if seconds >= scale and (seconds / scale).is_integer():
            count = int(seconds / scale)
            return f"{count} {name[:-1] if count == 1 and name.endswith('s') else name}"  # ("1 day", "1 week")
    if seconds >= 86400:
        return f"{seconds / 86400:.1f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 120:
        return f"{seconds / 60:.1f} min"  # (1082 s is "18.0 min")
    return f"{fmt_sig(seconds)} s"


def fmt_short_duration(seconds: float) -> str:
    """A step's or a transfer's time: milliseconds below a second ('9.74 ms'), three significant digits."""
    if seconds < 1:
        return f"{fmt_sig(seconds * 1000, 3)} ms"
    return fmt_duration(seconds) if seconds >= 120 else f"{fmt_sig(seconds, 3)} s"


def fmt_value(value: object, unit: str | None, pair_key: str | None = None) -> str:
    """Human rendering of a fact value in its unit."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        if unit == "bytes":
            return f"{fmt_bytes_gb(value)} ({fmt_bytes_gib(value)})"
        if unit == "card_bytes":
            return fmt_card(value)
        if unit == "count":
            return fmt_count(value)
        if unit == "seconds":
            return fmt_duration(value)
        if unit == "percent":
            return f"{fmt_sig(value)}%"
        if unit == "multiplier":
            return f"{fmt_sig(value, 3)}×"
        if unit == "fraction":
            return fmt_share(value)
        return fmt_sig(value)
    if isinstance(value, dict):  # a structured item (a plan): its id names it
        return str(value.get("id") or (value.get("plan") or {}).get("id") or "item")
    if isinstance(value, list):
        return ", ".join(fmt_pair(item, unit, pair_key) if isinstance(item, (list, tuple)) else fmt_value(item, unit)
                         for item in value)
    return str(value)


def fmt_pair(item: object, unit: str | None, key: str | None = None) -> str:
    """'batch 64: 14 GB' - or, for pairs whose first number counts something else, '4 GPUs: 8 h'; a key with a
    '{}' places the number ('epoch {}': 'epoch 8: 8 h')."""
    if isinstance(item, (list, tuple)) and len(item) == 2:
        if key and "{}" in key:
            return f"{key.format(fmt_sig(item[0]))}: {fmt_value(item[1], unit)}"
        if key:
            return f"{fmt_sig(item[0])} {key}{'' if item[0] == 1 else 's'}: {fmt_value(item[1], unit)}"
        return f"batch {fmt_sig(item[0])}: {fmt_value(item[1], unit)}"
    return str(item)


def _fmt_list(value: Any) -> str:
    if isinstance(value, dict):  # a structured item (a plan): its id names it
        return str(value.get("id") or (value.get("plan") or {}).get("id") or "item")
    if isinstance(value, list):
        return ", ".join(fmt_sig(v, 3) if isinstance(v, (int, float)) else str(v) for v in value)
    return str(value)


# the formats a rule text may name in a field, `{params:count}` (lint checks the names)
FORMATS: dict[str, Callable[[Any], str]] = {
    "gb": fmt_bytes_gb,
    "gib": fmt_bytes_gib,
    "mib": lambda v: f"{fmt_sig(v / 2**20, 3)} MiB",  # what one token or one sample keeps
    "bytes": fmt_bytes,  # GB, or MB for what one sample takes
    "card": fmt_card,
    "count": fmt_count,
    "int": lambda v: str(int(round(v))),
    "x": lambda v: f"{fmt_sig(v, 3)}×",
    "pct": lambda v: f"{fmt_sig(v, 3)}%",
    "share": fmt_share,
    "p": lambda v: f"{v:.3f}",
    "g": lambda v: fmt_sig(v, 3),
    "f2": lambda v: f"{v:.2f}",
    "f5": lambda v: f"{v:.5f}",
    "dur": fmt_duration,
    "ms": fmt_short_duration,
    "list": _fmt_list,
}
