"""What text every match of a phrase pattern must contain, so that a message without it is not searched.

The knowledge base has some 250 phrase patterns (rules/facts.yaml), most of them claims, and a message names
only a few of their topics. `required_literals(regex)` reads a pattern once and returns literals of which every
match contains at least one (case-folded, as re.IGNORECASE compares), or () when it cannot tell:

    'accumulat\\w*[^.]{0,40}stale'                  -> ('accumulat',)
    '(?:fp16|bf16|mixed precision|amp)[^.]{0,40}x'  -> ('fp16', 'bf16', 'mixed precision', 'amp')
    'out of time|no time|deadline'                  -> ('out of time', 'no time', 'deadline')

It understands the top level of a pattern and its groups: literal characters (unless a quantifier makes them
optional), non-capturing and named groups (unless optional), and alternation; escapes, classes, lookarounds
and counted repetition are treated as "anything", which can only make the answer weaker, never wrong.
A literal shorter than 3 characters is too common to be worth a look-up, so such an answer is ().
"""

from __future__ import annotations

import functools

MIN_LENGTH = 3
_LITERAL = " '-_"  # besides ASCII letters and digits


def _class_end(regex: str, i: int) -> int:
    """The index after the character class that starts at regex[i] == '['."""
    i += 1
    if regex[i:i + 1] == "^":
        i += 1
    if regex[i:i + 1] == "]":  # a leading ] is a member of the class
        i += 1
    while i < len(regex) and regex[i] != "]":
        i += 2 if regex[i] == "\\" else 1
    return i + 1


def _structure(regex: str, i: int = 0):
    """(index, character) of each character from regex[i] that can open or close a group or split branches: escapes
    and character classes are stepped over whole."""
    while i < len(regex):
        c = regex[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _class_end(regex, i)
            continue
        yield i, c
        i += 1


def _group_end(regex: str, i: int) -> int:
    """The index of the ')' that closes the group opened at regex[i] == '('."""
    depth = 0
    for i, c in _structure(regex, i):
        depth += 1 if c == "(" else -1 if c == ")" else 0
        if depth == 0:
            return i
    return len(regex)


def _top_level_branches(regex: str) -> list[str]:
    branches, start, depth = [], 0, 0
    for i, c in _structure(regex):
        if c in "()":
            depth += 1 if c == "(" else -1
        elif c == "|" and depth == 0:
            branches.append(regex[start:i])
            start = i + 1
    return branches + [regex[start:]]


def _strength(alternatives: tuple[str, ...]) -> int:
    return min((len(a.strip()) for a in alternatives), default=0)


def _sequence(regex: str) -> tuple[str, ...]:
    """The best requirement among the parts of a pattern without top-level alternation."""
    candidates: list[tuple[str, ...]] = []
    run: list[str] = []

    def close() -> None:
        if run:
            candidates.append(("".join(run),))
            run.clear()

    i, n = 0, len(regex)
    while i < n:
        c = regex[i]
        if c == "\\":
            close()
            i += 2
        elif c == "[":
            close()
            i = _class_end(regex, i)
        elif c == "(":
            close()
            end = _group_end(regex, i)
            inner, i = regex[i + 1:end], end + 1
            optional = regex[i:i + 1] in ("?", "*") or regex[i:i + 3] == "{0,"
            if inner.startswith("?:"):
                inner = inner[2:]
            elif inner.startswith("?P<"):
                inner = inner[inner.find(">") + 1:]
            elif inner.startswith("?"):
                continue  # a lookaround or a flag: it consumes nothing to count on
            if not optional:
                alternatives = required_literals(inner)
                if alternatives:
                    candidates.append(alternatives)
        elif c == "{":  # a counted quantifier: its digits are no literal
            close()
            i = regex.find("}", i) + 1 or n
        elif c.isascii() and c.isalnum() or c in _LITERAL:
            following = regex[i + 1:i + 2]
            if following and following in "?*{":  # optional: not required, and it ends the run
                close()
            else:
                run.append(c)
                if following == "+":
                    close()
            i += 1
        else:  # . ^ $ and quantifiers
            close()
            i += 1
    close()
    best = max(candidates, key=_strength, default=())
    return best if _strength(best) >= MIN_LENGTH else ()


@functools.lru_cache(maxsize=None)
def required_literals(regex: str) -> tuple[str, ...]:
    """Literals (case-folded) of which every match of `regex` contains one, or () when none is known."""
    branches = _top_level_branches(regex)
    if len(branches) == 1:
        found = _sequence(regex)
    else:
        each = [_sequence(b) for b in branches]
        found = tuple(dict.fromkeys(a for alternatives in each for a in alternatives)) if all(each) else ()
    return tuple(a.casefold() for a in found)


def may_match(regex: str, folded_text: str) -> bool:
    """False only when `regex` cannot match a text whose case-folded form is `folded_text`."""
    needed = required_literals(regex)
    return not needed or any(a in folded_text for a in needed)
