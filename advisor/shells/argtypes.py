"""argparse `type=` functions for numeric options: a value that is not finite or out of range is a usage error
(one line, exit 2) at argument parsing, before any work is done and before any estimator sees it.

The messages read after the option's name (`--batch must be between 1 and 10,000,000, got 0`): `cli.Parser` turns
argparse's "argument --batch: must ..." into that.
"""

from __future__ import annotations

import argparse
import math
from typing import Callable


def _fmt(x: float) -> str:
    if x == int(x) and abs(x) >= 1e6:
        return f"{x:.0e}".replace("e+0", "e").replace("e+", "e")
    return f"{x:,g}" if x == int(x) else f"{x:g}"


def _got(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "…")


def number(low: float, high: float, *, low_open: bool = False, high_open: bool = False) -> Callable[[str], float]:
    """A finite float in the interval from low to high (an open end excludes its bound)."""
    if low == 0 and low_open:
        below, above = "must be positive", f"must be at most {_fmt(high)}"
    else:
        below = above = f"must be in {'(' if low_open else '['}{_fmt(low)}, {_fmt(high)}{')' if high_open else ']'}"

    def parse(text: str) -> float:
        try:
            value = float(text.strip().replace("_", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number, got {_got(text)}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be a finite number, got {_got(text)}")
        if value < low or (low_open and value == low):
            raise argparse.ArgumentTypeError(f"{below}, got {_got(text)}")
        if value > high or (high_open and value == high):
            raise argparse.ArgumentTypeError(f"{above}, got {_got(text)}")
        return value

    parse.__name__ = "number"  # argparse names the type in its fallback message
    return parse


def integer(low: int, high: int, *, between: bool = True, below: str | None = None) -> Callable[[str], int]:
    """A whole number from low to high (digits only: no float syntax, no 10**400)."""
    if between:
        below = above = f"must be between {low:,} and {high:,}"
    else:
        below, above = below or f"must be at least {low:,}", f"must be at most {high:,}"

    def parse(text: str) -> int:
        cleaned = text.strip().replace("_", "").replace(",", "")
        digits = cleaned[1:] if cleaned[:1] in "+-" else cleaned
        if not (digits.isascii() and digits.isdigit()):
            raise argparse.ArgumentTypeError(f"must be a whole number, got {_got(text)}")
        if len(digits) > 30:
            raise argparse.ArgumentTypeError(f"{above if not cleaned.startswith('-') else below}, got {_got(text)}")
        value = int(cleaned)
        if value < low:
            raise argparse.ArgumentTypeError(f"{below}, got {_got(text)}")
        if value > high:
            raise argparse.ArgumentTypeError(f"{above}, got {_got(text)}")
        return value

    parse.__name__ = "integer"
    return parse


def count(high: float) -> Callable[[str], str]:
    """A count with an optional suffix ('350M', '7.5e9') from 1 to high; the text itself is kept (the command parses
    it again and names the model by it)."""
    def parse(text: str) -> str:
        from advisor.units import UnitError, parse_count

        try:
            value = parse_count(text)
        except UnitError as exc:
            if "too large" not in str(exc):
                raise argparse.ArgumentTypeError(str(exc)) from None
            value = math.inf
        if not 1 <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between 1 and {_fmt(high)}, got {_got(text)}")
        return text

    parse.__name__ = "count"
    return parse


# the shared ranges (the same as the chat tools' argument models where both exist)
GIB = number(0, 1e9, low_open=True)  # a memory size in GiB: positive, at most ~1 EB
MARGIN = number(0, 1, high_open=True)
FRACTION = number(0, 1, low_open=True)
BATCH = integer(1, 10**7)
SEQ_LEN = integer(1, 10**7)
TARGET_BATCH = integer(1, 10**7, between=False, below="must be positive")
GPUS = integer(1, 100_000, between=False)
STEPS = integer(2, 1000, between=False)
