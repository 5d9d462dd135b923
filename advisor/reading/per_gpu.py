"""The memory each GPU of one run shows, as a message lists it: "GPU 0: 52.7GB / 80GB, GPU 1: 71.5GB / 80GB", or
nvidia-smi's table, whose rows give a GPU's index on one line and its "43591MiB / 81920MiB" on the next.

Which GPU holds the most decides the diagnosis of an imbalance: GPU 0 ahead is rank 0's extra work (DataParallel's
gather, the other processes' contexts); another GPU ahead is that rank's own batches or cache (review 82 #9, #10).
One pass of two bounded patterns over at most MAX_SCAN characters, so the cost is linear in the message."""

from __future__ import annotations

import re
from dataclasses import dataclass

from advisor.reading.timings import MAX_SCAN

# "GPU 0: 52.7GB / 80GB", "GPU1 uses 30 GB", "cuda:1 - 71.5 GiB"
# "GPU 0 memory is 38335MB、GPU 1 memory is 45733MB", "gpu0 38GB gpu1 45GB" (a space alone after the index)
LISTED = re.compile(r"\b(?:GPU|cuda|device|rank)\s?[:#]?\s?(?P<index>\d{1,2})(?:\s{0,3}"
                    r"(?:(?:memory|mem|vram)(?:\s+usage)?\s{1,3}(?:is\b)?|[:=]|-|–|\buses?\b|\bat\b)|(?=\s))\s{0,3}"
                    r"(?:about\s+|~\s?)?(?P<value>\d{1,6}(?:\.\d{1,3})?)\s?(?P<unit>GiB|GB|G|MiB|MB)\b", re.IGNORECASE)
# nvidia-smi: "|   0  NVIDIA A100-SXM4-80GB  On | …" then "| N/A 59C P0 372W / 400W |  43591MiB / 81920MiB | …"
SMI_ROW = re.compile(r"^\|?[ \t]{0,8}(?P<index>\d{1,2})[ \t]{1,8}(?:NVIDIA|Tesla|GeForce|Quadro|AMD|Radeon)[^\n]{0,200}\n"
                     r"[^\n]{0,200}?\b(?P<value>\d{1,7})\s?MiB\s{0,3}/\s{0,3}\d{1,7}\s?MiB", re.IGNORECASE | re.MULTILINE)

UNIT_BYTES = {"gib": 2**30, "gb": 1e9, "g": 2**30, "mib": 2**20, "mb": 1e6}


@dataclass(frozen=True)
class ListedUse:
    """One numbered GPU's use as LISTED finds it: the index, the bytes, the words, and where they stand in the text
    (the words' start, the size's start, the end)."""

    index: int
    nbytes: float
    words: str
    start: int
    value_start: int
    end: int


def listed_uses(text: str) -> tuple[ListedUse, ...]:
    """The uses LISTED finds, where they name two GPUs or more; () otherwise. The reader reads a size among them as
    that GPU's use (never the card's size), and memory_by_gpu takes them as they are: one pass serves both."""
    uses = tuple(ListedUse(int(m.group("index")), float(m.group("value")) * UNIT_BYTES[m.group("unit").lower()],
                           m.group(0), m.start(), m.start("value"), m.end("unit"))
                 for m in LISTED.finditer(text[:MAX_SCAN]))
    return uses if len({use.index for use in uses}) >= 2 else ()


def memory_by_gpu(text: str, listed: tuple[ListedUse, ...] | None = None) -> dict[int, tuple[float, str]]:
    """GPU index → (bytes in use, the words that say it), for a message that lists two GPUs or more; {} otherwise.
    The first figure said for an index counts (a later line may be another run's). `listed`: listed_uses(text), where
    the caller has it already."""
    found: dict[int, tuple[float, str]] = {}
    for match in SMI_ROW.finditer(text[:MAX_SCAN]):
        found.setdefault(int(match.group("index")), (float(match.group("value")) * 2**20, match.group(0).strip()))
    if not found:
        for use in listed_uses(text) if listed is None else listed:
            found.setdefault(use.index, (use.nbytes, use.words))
    return found if len(found) >= 2 else {}


# a gap this large, and this share of the lighter GPU, is an imbalance worth a diagnosis (heuristic: smaller ones
# are the allocator's rounding and one rank's logging)
IMBALANCE_BYTES = 2**30
IMBALANCE_SHARE = 0.1


def heaviest(by_gpu: dict[int, tuple[float, str]]) -> int | None:
    """The GPU that holds the most, where its gap to the one that holds the least is an imbalance (IMBALANCE_BYTES and
    IMBALANCE_SHARE); None otherwise."""
    if len(by_gpu) < 2:
        return None
    most = max(by_gpu, key=lambda i: (by_gpu[i][0], -i))
    least = min(by_gpu, key=lambda i: (by_gpu[i][0], i))
    gap = by_gpu[most][0] - by_gpu[least][0]
    if gap < IMBALANCE_BYTES or gap < IMBALANCE_SHARE * by_gpu[least][0]:
        return None
    return most
