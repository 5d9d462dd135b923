"""Whether the words a claim pattern matched are denied rather than asserted.

A claim pattern finds a belief in the user's words, but the same words can deny it: "I know a larger batch
doesn't save memory", "not that accumulation changes the memory", "I don't think bigger batches are faster".
A match is *negated* when

1. a sentential negation (not, n't, never, nor, neither, nobody, cannot) stands at most `WINDOW` words before it
   in the same clause ("I don't think that bigger batches are faster"), or further over the first item of a
   coordination ("I don't want to use gradient checkpointing or gradient accumulation");
2. a determiner negation (no, without, instead of, rather than) stands right before it, at most two words back
   ("without a bigger batch", "no way a bigger batch is faster") - further back it usually denies something else
   ("with no budget left I figured accumulation would speed it up");
3. a distancing word stands before it in the clause ("the myth that accumulation saves memory") or just after
   it ("... saves memory is a myth", "... is false", "... is not true");
4. a negation stands inside the matched words ("a larger batch doesn't save memory"), unless the pattern declares
   `contains_negation`: its belief is itself a negative statement ("accumulation doesn't work"), so only what
   stands before it can deny it ("I'm not saying accumulation doesn't work"); or unless it follows a "why"
   ("the same memory with fp16 - why doesn't it work?").

Two kinds of negation leave the belief standing:

* the inverted auxiliary of a question is a leading question, which states the belief ("Doesn't accumulation
  save memory?", "Why isn't a bigger batch faster?", "Shouldn't the LR double with the batch?");
* a hedge is doubt, not denial ("I'm not sure a bigger batch is faster", "no idea whether accumulation helps"):
  the counter answers exactly that doubt.

Clauses end at . ! ? ; : , (a period or comma only before a space, so "3.5" and "1,024" do not split) and at
the conjunctions in `CLAUSE_WORDS`. Every check looks at a bounded number of characters around the match
(`REACH`), so the cost per match is constant and reading stays linear in the message's length.
"""

from __future__ import annotations

import re

WINDOW = 6  # words before a match that a sentential negation may stand at
DETERMINER_WINDOW = 3  # words before a match that "no", "without", "instead of" may stand at
REACH = 240  # characters looked at on either side of a match
COORDINATED_ITEM = 4  # words an item before "or" may take ("gradient checkpointing or …")

SENTENTIAL = {"not", "never", "nor", "neither", "nobody", "cannot", "hardly",
              # the same without an apostrophe, as people type them
              "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "wouldnt", "shouldnt", "couldnt",
              "cant", "havent", "hasnt"}
DETERMINER = {"no", "without", "instead"}
DISTANCING = {"myth", "myths", "misconception", "misconceptions", "fallacy", "misbelief", "untrue"}
VERDICTS = {"false", "untrue", "wrong"}  # "... is false" right after the match (not "use_cache=False" anywhere)
INVERTED_AUXILIARIES = {"don't", "doesn't", "didn't", "isn't", "aren't", "wasn't", "weren't", "won't",
                        "wouldn't", "shouldn't", "can't", "couldn't", "haven't", "hasn't", "hadn't", "mustn't"}
QUESTION_LEAD = {"so", "but", "and", "then", "wait", "surely", "hmm", "ok", "okay", "well", "also", "really"}
# words that may stand before an inverted auxiliary ("so doesn't ...")
HEDGE_OBJECTS = {"sure", "certain", "idea", "clue", "convinced",  # "not sure", "no idea", "not convinced"
                 "realize", "realise", "notice",  # "I didn't realize the warmup …": found out, not denied
                 "familiar", "experienced"}  # "I'm not (very) familiar with tensorflow/jax": knowing it, not using it
CLAUSE_WORDS = {"but", "so", "because", "although", "though", "however", "whereas", "and", "yet", "since",
                "while", "when", "then", "otherwise"}

_TOKEN = re.compile(r"[a-z0-9_]+(?:'[a-z]+)?|[!?;]|[.:,](?=\s|$)")
_PUNCTUATION = {"!", "?", ";", ".", ":", ","}
_SENTENCE_END = re.compile(r"[!?]|\.(?=\s|$)")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


def _is_negation(word: str) -> bool:
    return word in SENTENTIAL or word.endswith("n't")


def _clause_before(text: str, start: int) -> list[str]:
    """The words of the clause that leads up to `start`, nearest last (at most REACH characters back)."""
    lo = max(0, start - REACH)
    words = _tokens(text[lo:start])
    if lo > 0 and words:
        words = words[1:]  # the first word may be cut in half
    for i in range(len(words) - 1, -1, -1):
        if words[i] in CLAUSE_WORDS or words[i] in _PUNCTUATION:
            return words[i + 1:]
    return words


def _clause_after(text: str, end: int) -> list[str]:
    words = _tokens(text[end:end + REACH])
    for i, word in enumerate(words):
        if word in CLAUSE_WORDS or word in _PUNCTUATION:
            return words[:i]
    return words


def _is_question(text: str, end: int) -> bool:
    found = _SENTENCE_END.search(text, end, min(len(text), end + REACH))
    return bool(found and found.group() == "?")


def _hedge(words: list[str], i: int) -> bool:
    """'not sure', "don't know whether", 'no idea', 'whether or not': doubt about the belief, not its denial."""
    nxt = words[i + 1:i + 3]
    if nxt[:1] and nxt[0] in HEDGE_OBJECTS or nxt[:1] in (["very"], ["too"], ["so"]) and nxt[1:] \
            and nxt[1] in HEDGE_OBJECTS:
        return True
    if words[i] == "not" and i > 0 and words[i - 1] == "or":
        return True
    return words[i] in ("don't", "dont", "not") and nxt[:1] == ["know"] and nxt[1:] in (["if"], ["whether"], [])


def _inverted_question(words: list[str], i: int, question: bool) -> bool:
    """A negative auxiliary at the head of a question: "Doesn't accumulation save memory?"."""
    return question and words[i] in INVERTED_AUXILIARIES and all(w in QUESTION_LEAD for w in words[:i])


def _after_why(words: list[str]) -> list[str] | None:
    """The words after the last "why" / "how come" of the clause, or None without one. A negation after it is
    the puzzle of someone who expected the belief to hold ("why isn't a bigger batch faster?"), and one before
    it denies the knowing, not the belief ("I don't understand why ...")."""
    for i in range(len(words) - 1, -1, -1):
        if words[i] == "why" or (words[i] == "come" and i > 0 and words[i - 1] == "how"):
            return words[i + 1:]
    return None


def negated(text: str, start: int, end: int, *, contains_negation: bool = False) -> bool:
    """Whether the words text[start:end] (a claim pattern's match) are denied by what surrounds them."""
    before = _clause_before(text, start)
    after = _clause_after(text, end)[:WINDOW]
    if any(w in DISTANCING for w in before + after) or (after[:1] in (["is"], ["are"]) and after[1:2] and
                                                          after[1] in VERDICTS) \
            or any(_is_negation(w) and "true" in after[j + 1:j + 3] for j, w in enumerate(after)):
        return True  # "the myth that ...", "... is a myth", "... is false", "... is not true"
    if _after_why(before) is not None:
        return False
    question = _is_question(text, end)
    # the second item of "X or Y" is denied with the first ("I don't want to use gradient checkpointing or gradient
    # accumulation"): the window reaches over the first item
    window = WINDOW + (COORDINATED_ITEM if before[-1:] in (["or"], ["nor"]) else 0)
    for i in range(len(before) - 1, -1, -1):
        word, distance = before[i], len(before) - i
        if word in DETERMINER and distance <= DETERMINER_WINDOW:
            return True
        if word == "rather" and before[i + 1:i + 2] == ["than"] and distance <= DETERMINER_WINDOW + 1:
            return True
        if distance <= window and _is_negation(word) and not _hedge(before, i) \
                and not _inverted_question(before, i, question):
            return True
    if contains_negation:
        return False
    inside = _tokens(text[start:end])
    puzzle = _after_why(inside)  # "... the same memory - why doesn't fp16 work?"
    if puzzle is not None:
        inside = inside[:len(inside) - len(puzzle)]
    return any((_is_negation(w) or w in DETERMINER) and not _hedge(inside, j) for j, w in enumerate(inside))
