"""The framework catalogue (advisor/domain/data/frameworks.yaml): how a training framework counts the batch it is
given - per device or the total over the replicas, in samples or in tokens - and the words that name it.

Read on first use, never at import time. A message is searched once, with one alternation of fixed words (no
backtracking), over its first MAX_SCAN characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from advisor.domain.datafile import read_catalogue
from advisor.errors import InputError

FRAMEWORKS = Path(__file__).parent / "data" / "frameworks.yaml"
MAX_SCAN = 20_000  # characters of a message searched for a framework's name
SCOPES = ("per_device", "global")
UNITS = ("samples", "tokens")
ACCUMULATIONS = ("multiplies", "splits")


@dataclass(frozen=True)
class FrameworkSpec:
    id: str
    name: str
    detect: tuple[str, ...]
    batch: str  # per_device | global
    unit: str  # samples | tokens
    key: str
    note: str
    source: str
    token_keys: tuple[str, ...] = ()  # the settings that count tokens ("max-tokens"), lower case
    # whether the accumulation count said multiplies the batch (most) or splits the batch given into that many
    # micro-batches (T5X's num_microbatches)
    accumulation: str = "multiplies"


@lru_cache(maxsize=1)
def frameworks() -> dict[str, FrameworkSpec]:
    data = read_catalogue(FRAMEWORKS, "frameworks", "the framework catalogue")
    out: dict[str, FrameworkSpec] = {}
    for fid, entry in data["frameworks"].items():
        where = f"{FRAMEWORKS}: frameworks.{fid}"
        try:
            spec = FrameworkSpec(id=fid, name=str(entry["name"]), detect=tuple(str(w).lower() for w in entry["detect"]),
                                 batch=str(entry["batch"]), unit=str(entry["unit"]), key=str(entry["key"]),
                                 note=str(entry["note"]), source=str(entry["source"]),
                                 token_keys=tuple(str(w).lower() for w in entry.get("token_keys", ())),
                                 accumulation=str(entry.get("accumulation", "multiplies")))
        except (KeyError, TypeError) as exc:
            raise InputError(f"{where}: expected name, detect, batch, unit, key, note and source ({exc})") from None
        if spec.batch not in SCOPES or spec.unit not in UNITS or not spec.detect \
                or spec.accumulation not in ACCUMULATIONS:
            raise InputError(f"{where}: batch must be one of {SCOPES}, unit one of {UNITS}, accumulation one of "
                             f"{ACCUMULATIONS}, detect not empty")
        out[fid] = spec
    return out


@lru_cache(maxsize=1)
def _names_in_paths() -> re.Pattern[str]:
    """The frameworks' distinctive words (with a dash, a dot or an underscore), found between slashes too."""
    _, owner = _names()
    words = sorted((w for w in owner if any(c in w for c in "-._")), key=len, reverse=True)
    return re.compile(r"(?<![\w.\-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w\-])", re.IGNORECASE)


@lru_cache(maxsize=1)
def _names() -> tuple[re.Pattern[str], dict[str, str]]:
    """One alternation of every framework's words (longest first), and which framework each word names."""
    owner = {word: spec.id for spec in reversed(list(frameworks().values())) for word in spec.detect}
    words = sorted(owner, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w.\-/])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w\-/])", re.IGNORECASE)
    return pattern, owner


def framework_named(text: str) -> tuple[FrameworkSpec, str] | None:
    """The framework a message names, with the words that name it: of those it names, the catalogue's first."""
    pattern, owner = _names()
    table = frameworks()
    order = list(table)
    found: dict[str, str] = {}
    for match in pattern.finditer(text[:MAX_SCAN]):
        fid = owner[match.group(0).lower()]
        found.setdefault(fid, match.group(0))
        if len(found) == len(table):
            break
    if not found:
        # a distinctive name inside a path or a link ("github.com/kuza55/keras-extras/blob/master/utils/multi_gpu.py"):
        # a bare word in a path may be any folder's, a name with a dash, a dot or an underscore is the code's
        for match in _names_in_paths().finditer(text[:MAX_SCAN]):
            found.setdefault(owner[match.group(0).lower()], match.group(0))
    if not found:
        return None
    first = min(found, key=order.index)
    return table[first], found[first]
