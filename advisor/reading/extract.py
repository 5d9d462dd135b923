"""Facts from the user's own words.

Each fact in rules/facts.yaml may list `patterns`: regular expressions matched case-insensitively against
the message. A pattern with `value` sets that value (claims, choices); otherwise its named group `value` is
parsed like any other input, units included ("8GB", "500M", "2 weeks"), and divided by the count in its group
`per` when the pattern has one ("37.8 seconds to run 100 iterations" is 0.378 s an iteration; "2 steps per minute", a
unit alone, is one of it over 2). For a `pairs`
fact every match of a pattern with groups `batch` and `value` adds a pair ("batch 128: 85.2%, ... batch 256:
84.0%"); a pairs fact whose patterns blank only their values (`blanks: value`, the keys left for the reader: "1 GPU:
2.1 it/s, 4 GPUs: 0.6 it/s") is a comparison and needs two pairs.

Facts are tried in vocabulary order and a number, once read, is *consumed*: so "the paper uses batch 512"
feeds `reference_batch` (listed first) and is not read again as the user's own `batch_size`. Claims (facts
with a fixed `value`) only detect phrasings and consume nothing; a claim's match that the words around it deny
("I know a larger batch doesn't save memory") is skipped (advisor/reading/negation.py). Values stated
explicitly (facts, answers) always take precedence over extracted ones.
"""

from __future__ import annotations

import re
from typing import Any

from advisor.engine.memory import coerce
from advisor.kb.model import FactSpec, KnowledgeBase
from advisor.reading.literals import may_match
from advisor.reading.negation import negated
from advisor.reading.tokens import WORD_NUMBERS
from advisor.units import UnitError, parse_count


def _finditer(regex: str, text: str, folded: str):
    """re.finditer (case-insensitive), skipped when the text lacks what every match needs (most patterns)."""
    return re.finditer(regex, text, re.IGNORECASE) if may_match(regex, folded) else ()


def _overlaps(span: tuple[int, int], used: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in used)


def _pairs(spec: FactSpec, text: str, folded: str, used: list[tuple[int, int]]) -> tuple[Any, str] | None:
    """Every match of every pattern adds a pair (a list is often written with the unit only once: "batch 64 took
    20000 steps, batch 128 took 10500"), in the order of the text; a pattern whose values do not parse adds none."""
    found: list[tuple[tuple[int, int], list[str]]] = []
    for pattern in spec.patterns:
        items, spans = [], []
        for match in _finditer(pattern.regex, text, folded):
            if not _overlaps(match.span(), used) and not _overlaps(match.span(), [f[0] for f in found]):
                key = match.group("batch").strip().lower().removeprefix("a ")
                items.append([str(WORD_NUMBERS[key]) if key in WORD_NUMBERS else match.group("batch"),
                              _bytes_said(spec, match.group("value"))])  # ("one GPU", "a single GPU": a count in words)
                # (a pattern that blanks only its values leaves its keys - "4 GPUs" - for the reader)
                spans.append(match.span("value") if pattern.blanks == "value" else match.span())
        if items:
            try:
                coerce(spec, items)
            except UnitError:
                continue
            found.extend(zip(spans, items))
    if not found or len(found) < 2 and any(pattern.blanks == "value" for pattern in spec.patterns):
        return None  # (a comparison's pairs - "1 GPU: 2.1 it/s, 4 GPUs: 0.6 it/s" - need two; one is a single reading)
    found.sort()
    used.extend(span for span, _ in found)
    pairs = coerce(spec, [item for _, item in found])
    # (a log's lines repeat a pair - "Epoch [1/2], Step [100/600]" … "Step [200/600]": each pair once, in order)
    seen: set[tuple] = set()
    pairs = [pair for pair in pairs if not (tuple(pair) in seen or seen.add(tuple(pair)))]
    return pairs, "; ".join(text[a:b] for (a, b), _ in found)


def _single(spec: FactSpec, text: str, folded: str, used: list[tuple[int, int]]) -> tuple[Any, str] | None:
    claim = spec.name.startswith("claim_")
    # (what the user measured, never a source's reported figure)
    measured = spec.name.startswith("measured_") or spec.name in TIMED_BY_THE_USER
    for pattern in spec.patterns:
        for match in _finditer(pattern.regex, text, folded):
            if spec.name in COMMENT_BLIND and _in_code_comment(text, match.start()) \
                    or not spec.name.endswith("_named") and _commented_setting(text, match.start()):
                # ("# auto_find_batch_size=True," - review 86 #1: a setting switched off; but a commented line of a
                # tool's config still names the tool: darknet's "#learning_rate=0.0005")
                continue
            if spec.name in THE_GPUS_OWN and _the_cpus(text, match.start()):
                continue  # "the CPU is constantly at around 5% utilization": no GPU figure
            if (claim or pattern.value is not None) and \
                    negated(text, _said_from(pattern.regex, text, match), match.end(),
                            contains_negation=pattern.contains_negation):
                continue  # "I know a larger batch doesn't save memory" states no belief; "no NVLink" names none
            if pattern.value is not None:
                try:
                    return coerce(spec, pattern.value), match.group(0)
                except UnitError:
                    break
            if _overlaps(match.span() if pattern.blanks == "match" else match.span("value"), used):
                continue  # (a pattern that blanks only its value may reach over another's words, not its number)
            if measured and _attributed(text, match.start()):
                continue  # "you claim 24K tokens/s with the 1.1B model": the source's figure, not the user's
            if spec.name in REPORTED_BY_A_SOURCE and not _attributed(text, match.start()):
                continue  # (a source's figure only where the sentence names the source before it)
            try:
                raw, per = _bytes_said(spec, match.group("value")), match.groupdict().get("per")
                if per is not None and not any(c.isdigit() for c in raw):
                    raw = "1 " + raw  # "2 steps per minute": one of the unit
                if pattern.unit is not None:
                    raw += " " + pattern.unit  # "Limit: 10586741146": bytes, which the log leaves unsaid
                value = coerce(spec, raw)
                if per is not None:  # "37.8 seconds to run 100 iterations": a time for that many
                    count = parse_count(per)  # ("1,000 steps", "800k steps")
                    if count <= 0:
                        continue
                    value = coerce(spec, value / count)
            except (UnitError, IndexError, TypeError):
                continue
            if pattern.blanks != "nothing":
                used.append(match.span("value") if pattern.blanks == "value" else match.span())
            return value, match.group(0)
    return None


def _said_from(regex: str, text: str, match: re.Match) -> int:
    r"""Where a match's own words start, for the negation check: a pattern anchored at the message's start ("^(?!… a
    training word anywhere)[\s\S]*? … inference") matches from the first character, but what it says is at its end,
    its last word ("no effect of changing batch size … to generate embeddings" denies no inference)."""
    if not regex.startswith("^"):
        return match.start()
    # (the match's last word: "… No enough cache entries. Assertion fail: /opt/tritonserver" says a server, undenied)
    return max(match.start(), text.rfind("\n", 0, match.end()) + 1, text.rfind(" ", 0, match.end() - 1) + 1)


BARE_GIGA = re.compile(r"\s*\d[\d.]*\s*[GgMm]\s*")


def _bytes_said(spec: FactSpec, raw: str) -> str:
    """A memory size as a message writes it: "around 4G" is 4 GB there, as the reader takes a use said so (a
    scenario file's value must still say GB or GiB)."""
    return raw.strip() + "B" if spec.unit == "bytes" and BARE_GIGA.fullmatch(raw) else raw


# the timings a user measures, besides the measured_ facts: a source's "4.7 sec/step" is the source's
TIMED_BY_THE_USER = frozenset({"step_seconds", "current_duration"})
# the figures a source reports, never the user's: "in the paper … it took 20 hours"
REPORTED_BY_A_SOURCE = frozenset({"reference_duration", "reference_epoch_seconds"})
# what a library's comment in pasted code describes, not the user's run: "sampling_timesteps=250,  # (using ddim for
# faster inference)" in a training script is no inference of theirs (review 65 #11)
COMMENT_BLIND = frozenset({"inference_slow", "generation_run"})


# a figure of the GPU's, which the same words say of the CPU: "the CPU is constantly at around 5% utilization"
THE_GPUS_OWN = frozenset({"gpu_utilization"})
CPU_SUBJECT = re.compile(r"\bCPUs?\b(?![^.?!\n,;]*\bGPU)", re.IGNORECASE)


def _the_cpus(text: str, at: int) -> bool:
    """Whether the figure at `at` is the CPU's: the CPU named before it in its clause (40 characters back at most),
    and no GPU named after the CPU."""
    before = text[max(0, at - 40):at]
    cut = max(before.rfind(c) for c in ".?!\n,;")
    return CPU_SUBJECT.search(before[cut + 1:]) is not None


def _in_code_comment(text: str, at: int) -> bool:
    """Whether `at` lies in a code comment: after code on its line ("x = 1,  # …"), or on a line of its own that is
    indented or inside a ``` fence - not a Markdown heading ("# Title" at a line's start, outside a fence)."""
    line_start = text.rfind("\n", 0, at) + 1
    hash_at = text.find("#", line_start, at)
    if hash_at < 0:
        return False
    before = text[line_start:hash_at]
    if before.strip():
        return any(c in before for c in "=,:()")
    if before or text.count("```", 0, line_start) % 2 == 1:
        return True
    # (the reader's text has lines' indentation folded away: a comment line inside a call's arguments, after a line
    # that ends "image_size=128," or "GaussianDiffusion(", is code's)
    previous = text[text.rfind("\n", 0, max(0, line_start - 1)) + 1:max(0, line_start - 1)].rstrip()
    return previous.endswith((",", "(", "[", "{", "="))


COMMENTED_SETTING = re.compile(r"[ \t]*#[ \t]*(?:--?[a-z]|[a-z]\w*_\w*[ \t]*[=:])", re.IGNORECASE)


def _commented_setting(text: str, at: int) -> bool:
    """Whether `at` lies on a setting line commented out ("# auto_find_batch_size=True,", "# --deepspeed ds.json"):
    a '#' opens the line, then a flag or a key with '_' and its '=' or ':' - not a heading ("# Results: 8 GPUs")."""
    line_start = text.rfind("\n", 0, at) + 1
    return text.find("#", line_start, at) >= 0 and COMMENTED_SETTING.match(text, line_start) is not None


# a source said to report a figure, earlier in the same sentence: "you claim", "the paper reports", "they got", "from
# the Deep Voice 3 paper it seems …", "according to the README"
ATTRIBUTED = re.compile(r"\b(?:you|they|authors?|paper|readme|blog|repo)\s+(?:claim|claims|claimed|report|reports|"
                        r"reported|mention|mentions|mentioned|say|says|said|get|gets|got|achieve|achieves|achieved|"
                        r"reach|reaches|reached|list|lists|listed|show|shows|showed)\b"
                        # ("the result reported by you, which is about 24 hours" - review 69 #27)
                        r"|\b(?:reported|claimed|stated|mentioned|given|shown|listed)\s+(?:by|in)\s+(?:you|them|the\s+authors?"
                        r"|(?:the|your|their)\s+(?:paper|readme|repo|blog))\b"
                        r"|\b(?:from|in|according\s+to)\s+(?:the|their|your)\s+(?:[\w-]+\s+){0,4}?"
                        r"(?:paper|readme|blog|article|publication|docs|documentation)\b", re.IGNORECASE)


# (a regex over the raw text: the reader's FIRST_PERSON is a set of word keys)
FIRST_PERSON_WORD = re.compile(r"\b(?:I|we|my|our|me|us)\b", re.IGNORECASE)


def _attributed(text: str, start: int) -> bool:
    """Whether the figure at `start` is one a source reports: a source and a reporting verb before it in its sentence
    (at most 80 characters back)."""
    before = text[max(0, start - 80):start]
    cut = max(before.rfind("."), before.rfind("?"), before.rfind("!"), before.rfind("\n"))
    sentence = before[cut + 1:]
    said = None
    for said in ATTRIBUTED.finditer(sentence):
        pass  # (the last source named before the figure)
    # ("the blog says 2357 tokens/s but I only get under 1900": the user speaks after the source)
    return said is not None and FIRST_PERSON_WORD.search(sentence, said.end()) is None


def extract(kb: KnowledgeBase, message: str) -> dict[str, tuple[Any, str]]:
    """fact name -> (value, the text that matched)"""
    return extract_spans(kb, message)[0]


def extract_spans(kb: KnowledgeBase, message: str) -> tuple[dict[str, tuple[Any, str]], str, list[tuple[int, int]]]:
    """The facts, the message with its whitespace normalised, and the spans of it whose numbers the patterns
    took (so that the situation reader does not read "Run 1 (batch 128): 85.2%" a second time as a batch)."""
    found: dict[str, tuple[Any, str]] = {}
    # spaces folded, line breaks kept: the reader reads a config line's comment, a commented-out flag and a line's
    # heading by them (a curly apostrophe reads as a straight one)
    text = "\n".join(" ".join(line.split()) for line in (message or "").replace("\u2019", "'").strip().splitlines())
    used: list[tuple[int, int]] = []
    folded = text.casefold()  # what may_match looks literals up in, as IGNORECASE compares
    if not text:
        return found, text, used
    for name, spec in kb.facts.items():
        if not spec.patterns:
            continue
        hit = _pairs(spec, text, folded, used) if spec.type == "pairs" else _single(spec, text, folded, used)
        if hit is not None:
            found[name] = hit
    return found, text, used
