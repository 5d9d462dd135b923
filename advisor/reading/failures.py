"""Running out of memory said in words rather than with the error's name: "I get a memory overflow", "any larger
overflows memory", "memory blows up", "the model exceeds GPU memory capacity", "not enough CUDA memory", "it still
reports insufficient GPU memory", "running out of regular memory".

The keyword list (`reading.cues`) holds the fixed phrases ("out of memory", "OOM", "tried to allocate"). People
also write a memory noun and a failure word in many orders and with words between them, so this step reads the
pair: a memory noun and a failure word within a few words of each other in one clause, with no comma between,
neither negated ("it doesn't overflow memory") nor a thing the user means to prevent ("to avoid memory overflow").
"""

from __future__ import annotations

from advisor.reading.clause import Clause, negated
from advisor.reading.state import Read, Reading

MEMORY_NOUNS = frozenset({"memory", "vram", "ram"})
# a card said to overflow is its memory ("otherwise my GPU overflows"), though a card that crashes is not
CARD_NOUNS = frozenset({"gpu", "gpus", "card"})
OVERFLOWS = frozenset({"overflow", "overflows", "overflowed", "overflowing"})
FAILURE_WORDS = frozenset({"overflow", "overflows", "overflowed", "overflowing", "exceeds", "exceeded", "exceed",
                           "exceeding", "insufficient", "blows", "blew", "blown", "exploded", "exploding", "outage",
                           "exhausted", "overflown", "crash", "crashes", "crashed", "crashing", "maxes"})
# "not enough CUDA memory", "doesn't have enough VRAM": 'enough' counts only with a negation just before it
ENOUGH = "enough"
# the user means to keep it from happening, fears it, or asks about a limit in general ("as large as possible
# before running out of memory", "wouldnt it cause out of memory?" - review 68 #28): not a failure they saw
PREVENTING = frozenset({"avoid", "avoiding", "prevent", "prevents", "preventing", "reduce", "reducing", "save",
                        "saving", "fix", "solve", "without", "if", "whether", "won", "wouldn", "before",
                        "wouldnt", "wont", "would", "might"})
# where memory past the card's goes when the driver lets it spill (Windows and WSL): no out-of-memory error
SPILL_TARGETS = frozenset({"ram", "system", "shared", "cpu", "host"})
WINDOW = 3  # keys between the noun and the failure word
# words that do not count towards it ("blows up the GPU memory")
FILLERS = frozenset({"up", "the", "gpu", "cuda", "my", "all"})


def understood(clause: Clause) -> bool:
    """Whether the clause says the user's understanding of why something is done ("My understanding is that GPU
    memory isn't enough to compute 64 pictures at once, so …"): a reason supposed, no failure reported."""
    words = clause.words
    return "understanding" in clause.present and any(words[x:x + 2] == ["understanding", "is"]
                                                     for x in range(len(words) - 1))


def memory_failure(clause: Clause, reading: Reading) -> None:
    """Set `oom` when the clause reports running out of memory in words (the first such pair; bounded look-around)."""
    present = clause.present
    nouns = MEMORY_NOUNS | CARD_NOUNS if present & OVERFLOWS else MEMORY_NOUNS
    if reading.values.get("oom") is not None or not present & nouns:
        return
    if not (present & FAILURE_WORDS or ENOUGH in present or {"out", "of"} <= present):
        return
    words = clause.words
    if understood(clause):
        return  # "my understanding is that GPU memory isn't enough to compute 64 at once, so …": why a design exists
    for k, w in enumerate(words):
        if w not in nouns:
            continue
        start, counted = k, 0
        while start > 0 and counted < WINDOW and k - start < 2 * WINDOW:  # (fillers before the noun count for nothing)
            start -= 1
            counted += words[start] not in FILLERS
        for j in range(start, min(len(words), k + WINDOW + 1)):
            if j == k or not _fails(clause, j) or _comma_between(clause, min(j, k), max(j, k)) \
                    or w in CARD_NOUNS and words[j] not in OVERFLOWS:
                continue
            lo = min(j, k)
            if words[j] in OVERFLOWS and words[j + 1:j + 2] in (["to"], ["into"]) \
                    and SPILL_TARGETS & set(words[j + 2:j + 4]):
                return  # "VRAM overflows to RAM", "… into shared memory": the driver's spill, no error
            if PREVENTING & set(words[max(0, lo - 3):lo]) or (words[j] != ENOUGH and negated(clause, j)):
                # (the negation before 'enough' is what makes it a failure)
                return
            first, last = clause.keys[lo], clause.keys[max(j, k)]
            reading.set(Read("oom", True, clause.text(first, last)))
            return


def _fails(clause: Clause, j: int) -> bool:
    w = clause.words[j]
    if w in FAILURE_WORDS:
        return True
    if w == "out":  # "running out of regular memory", "ran out of system RAM" (a plain "out of memory" is a keyword,
        # read where a question that foresees it is told apart)
        return clause.words[j + 1:j + 2] == ["of"] and clause.words[j + 2:j + 3] != [] \
            and clause.words[j + 2] not in MEMORY_NOUNS
    if w != ENOUGH:
        return False
    before = clause.words[max(0, j - 3):j]
    return "not" in before or "no" in before or "t" in before  # "not enough", "isn't enough", "no … enough"


def _comma_between(clause: Clause, a: int, b: int) -> bool:
    return any(clause.tokens[t].text in (",", ";", "(", ")") for t in range(clause.keys[a] + 1, clause.keys[b]))
