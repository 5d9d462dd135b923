"""Answers in the user's own words: "bf16 mixed", "yes, flash attention is on", "80 gigs", "not sure".

`read_answer` turns a free-text reply to one question into the question's value. It tries, in order: the value
as the vocabulary accepts it ('amp_bf16', '24GB', 'yes'); the message reader (the same one that reads the first
message, so 'bf16 mixed precision' or 'we fine-tune' mean what they mean there); the question's own choices in
plain words ('8-bit AdamW', 'fine-tuning', a unique start such as 'fine'); a leading yes or no; the first number
with the unit written after it ('80 gigs', '7 billion'; a bare number to a memory question is GB, as the
question's examples are). Nothing is guessed beyond that: a reply it cannot read returns None, and the caller
says so; what was read is shown back to the user.
"""

from __future__ import annotations

import re
from typing import Any

from advisor.engine.inputs import SKIPPED, accept_input
from advisor.errors import InputError
from advisor.kb.model import KnowledgeBase

NOT_KNOWN = {"skip", "unknown", "don't know", "dont know", "do not know", "idk", "?", "not sure", "no idea",
             "pass", "i don't know", "i do not know", "i'm not sure", "no clue", "dunno"}
YES = {"yes", "yeah", "yep", "y", "sure", "correct", "right", "true", "on", "enabled", "of course", "we do", "i do"}
NO = {"no", "nope", "n", "false", "off", "disabled", "not", "never", "we don't", "i don't", "we do not", "i do not"}
# unit words people type -> the unit the parsers read; bounded alternatives, no nested quantifiers
UNIT_WORDS = {"gigs": "GB", "gig": "GB", "gigabytes": "GB", "gigabyte": "GB", "gb": "GB", "g": "GB", "gib": "GiB",
              "megs": "MB", "megabytes": "MB", "mb": "MB", "mib": "MiB", "tb": "TB", "terabytes": "TB",
              "billion": "B", "bn": "B", "b": "B", "million": "M", "mil": "M", "m": "M", "thousand": "k", "k": "k",
              "days": "days", "day": "days", "hours": "h", "hour": "h", "h": "h", "weeks": "weeks", "week": "weeks",
              "minutes": "min", "min": "min", "%": "%", "percent": "%", "x": "x", "times": "x"}
_NUMBER_WITH_UNIT = re.compile(r"(?<![\w.])(\d{1,12}(?:\.\d{1,12})?)\s{0,3}(%|[a-z]{1,10})?(?![\w])", re.IGNORECASE)
MAX_ANSWER = 2_000  # characters of one reply that are read (an answer is a few words)


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w%'.]+", " ", text.lower()).split())


def read_answer(kb: KnowledgeBase, question: str, text: str) -> Any:
    """The value of `question` in the reply `text`, SKIPPED for 'not sure'/'skip', or None if none is there."""
    from advisor.consultation import read_message

    text = text.strip()[:MAX_ANSWER]
    spec = kb.facts[question]
    words = _words(text)
    if words.strip(" .!'") in NOT_KNOWN:
        return SKIPPED
    try:
        return accept_input(kb, question, text, "answer")
    except InputError:
        pass
    found = read_message(kb, text)
    if question in found:
        return found[question][0]
    if spec.type == "bool":
        return _yes_no(words)  # a leading yes or no answers, whatever else the line says
    if found:  # the line speaks of other things ('I use LoRA rank 16'): a message, not this answer
        return None
    if spec.type == "choice":
        return _choice(spec.choices or [], spec.value_labels or {}, words)
    if spec.type in ("number", "integer"):
        return _number(kb, question, text)
    return None


def _norm(text: str) -> str:
    return re.sub(r"[\s_-]+", " ", text.lower()).strip()


def _choice(choices: list[str], labels: dict[str, str], words: str) -> str | None:
    """A choice named by its value or its label, as the whole reply, inside it, or by a unique start."""
    names = {c: {_norm(c), _norm(labels.get(c, c))} for c in choices}
    reply = _norm(words)
    exact = [c for c, forms in names.items() if reply in forms]
    if len(exact) == 1:
        return exact[0]
    inside = [c for c, forms in names.items() if any(re.search(rf"(?<!\w){re.escape(f)}(?!\w)", reply) for f in forms)]
    if len(inside) == 1:
        return inside[0]
    if len(reply) >= 2:
        starts = [c for c, forms in names.items() if any(f.startswith(reply) for f in forms)]
        if len(starts) == 1:
            return starts[0]
    return None


def _yes_no(words: str) -> bool | None:
    for phrase_set, value in ((YES, True), (NO, False)):
        for phrase in phrase_set:
            if words == phrase or words.startswith(phrase + " "):
                return value
    return None


def _number(kb: KnowledgeBase, question: str, text: str) -> Any:
    """The first number in the reply, with the unit word after it translated ('80 gigs' -> '80GB')."""
    for match in _NUMBER_WITH_UNIT.finditer(text):
        number, unit = match.group(1), (match.group(2) or "").lower()
        candidates = [number + UNIT_WORDS[unit]] if unit in UNIT_WORDS else []
        candidates.append(number)
        if kb.facts[question].unit in ("bytes", "card_bytes") and not unit:
            candidates.append(number + "GB")  # "80" to "how much memory does each GPU have?" (shown back as read)
        for candidate in candidates:
            try:
                return accept_input(kb, question, candidate, "answer")
            except InputError:
                continue
        return None  # the first number is the answer or nothing is: no hunting through the rest
    return None
