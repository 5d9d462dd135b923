"""The literal pre-check of the phrase patterns (advisor/reading/literals.py) never skips a text a pattern matches."""

import re

import pytest
import yaml

from advisor.reading.literals import may_match, required_literals

from .conftest import ROOT


@pytest.mark.parametrize("regex, expected", [
    (r"accumulat\w*[^.]{0,40}stale", ("accumulat",)),
    (r"(?:fp16|bf16|mixed precision)[^.]{0,40}x", ("fp16", "bf16", "mixed precision")),
    (r"out of time|no time|Deadline", ("out of time", "no time", "deadline")),
    (r"the (?:max(?:imum)?|largest) batch(?: size)?", (" batch",)),   # the most selective part
    (r"batch(?: size)?s? (?:must|should) be", ("batch",)),             # 5 characters beat must/should
    (r"(?:x|×|\*) ?\d+ ?gb", ()),                                      # nothing long enough to look up
    (r"out of time|\d+ gb", ()),                                       # one branch requires nothing
    (r"(?<![\d.])(?P<value>\d+)\s*tokens? per step", (" per step",)),
    (r"(?:ddp|fsdp)?[^.]{0,9}zero", ("zero",)),                        # an optional group requires nothing
    (r"foo{2}barbaz", ("barbaz",)),
    (r"[]abc]wxyz", ("wxyz",)),
])
def test_required_literals(regex, expected):
    assert set(required_literals(regex)) == set(expected)


def _texts():
    corpus = yaml.safe_load((ROOT / "tests" / "corpus" / "real_messages.yaml").read_text(encoding="utf-8"))
    phrasings = yaml.safe_load((ROOT / "tests" / "claim_phrasings.yaml").read_text(encoding="utf-8"))
    yield from (m["message"] for m in corpus["messages"])
    yield from (s for cases in phrasings.values() for texts in cases.values() for s in texts)


def test_no_pattern_match_is_ever_skipped(kb):
    """Every pattern of the knowledge base, on every corpus message and paraphrase: where the regex matches,
    the pre-check lets it run (the reverse - skipping texts that cannot match - is the point)."""
    texts = list(_texts())
    skipped = 0
    for spec in kb.facts.values():
        for pattern in spec.patterns:
            for text in texts:
                folded = text.casefold()
                if re.search(pattern.regex, text, re.IGNORECASE):
                    assert may_match(pattern.regex, folded), (spec.name, pattern.regex, text)
                elif not may_match(pattern.regex, folded):
                    skipped += 1
    assert skipped > len(texts)  # the pre-check does spare work
