"""Cue phrases matched on word keys: a phrase is the tuple of its keys ("per_device_train_batch_size" is per, device,
train, batch, size), indexed by its first and by its last key so a lookup at a position costs one dict access."""

from __future__ import annotations

from typing import Any

from advisor.reading.tokens import tokenize


def phrase_keys(phrase: str) -> tuple[str, ...]:
    out: list[str] = []
    for tok in tokenize(phrase):
        if tok.kind == "word":
            out += [p for p in tok.text.split("_") if p]
        elif tok.kind == "num":
            out.append(tok.text)
        elif tok.text in ("/", "'"):
            out.append(tok.text)
    return tuple(out)


class PhraseIndex:
    """Phrases as key tuples indexed by their first and by their last key; `at` gives the longest phrase starting
    at a position, `ending_at` the longest ending there. Under each key the phrases are grouped by length, longest
    first, each group a dict: a lookup costs one dict access per length, not one comparison per phrase ("size"
    ends some thirty cue phrases of five lengths)."""

    def __init__(self, pairs: list[tuple[str, Any]]):
        by_first: dict[str, dict[int, dict[tuple[str, ...], Any]]] = {}
        by_last: dict[str, dict[int, dict[tuple[str, ...], Any]]] = {}
        for phrase, target in pairs:
            keys = phrase_keys(phrase)
            if keys:  # (the first phrase given wins over a later copy)
                by_first.setdefault(keys[0], {}).setdefault(len(keys), {}).setdefault(keys, target)
                by_last.setdefault(keys[-1], {}).setdefault(len(keys), {}).setdefault(keys, target)
        self.by_first = {w: sorted(groups.items(), reverse=True) for w, groups in by_first.items()}
        # the keys that follow each first key in its longer phrases: most words start no longer phrase where they
        # stand, which one set lookup tells before any tuple is built
        self.seconds = {w: frozenset(p[1] for n, g in groups.items() if n > 1 for p in g)
                        for w, groups in by_first.items()}
        self.by_last = {w: sorted(groups.items(), reverse=True) for w, groups in by_last.items()}
        self.befores = {w: frozenset(p[-2] for n, g in groups.items() if n > 1 for p in g)
                        for w, groups in by_last.items()}  # (the same for the keys before each last key)
        # the one-key phrases: where no longer phrase can start or end (the common case) a lookup is one of these
        self.singles = {p[0]: target for groups in by_first.values() for p, target in groups.get(1, {}).items()}
        self.enders = {p[0]: target for groups in by_last.values() for p, target in groups.get(1, {}).items()}
        self.first_words = frozenset(self.by_first)  # (a set: a clause's words meet it faster than a dict's keys)

    def at(self, keys: list[str], i: int, limit: int | None = None) -> tuple[int, Any] | None:
        """The longest phrase starting at keys[i] (of at most `limit` keys)."""
        word = keys[i]
        groups = self.by_first.get(word)
        if groups is None:
            return None
        if not (i + 1 < len(keys) and keys[i + 1] in self.seconds[word]):  # no longer phrase here
            target = self.singles.get(word, _NONE)
            return (1, target) if target is not _NONE and (limit is None or limit >= 1) else None
        for n, group in groups:
            if limit is None or n <= limit:
                target = group.get(tuple(keys[i:i + n]), _NONE)
                if target is not _NONE:
                    return n, target
        return None

    def ending_at(self, keys: list[str], end: int) -> tuple[int, Any] | None:
        """The longest phrase whose last key is keys[end - 1]."""
        word = keys[end - 1]
        groups = self.by_last.get(word)
        if groups is None:
            return None
        if not (end >= 2 and keys[end - 2] in self.befores[word]):  # no longer phrase here
            target = self.enders.get(word, _NONE)
            return (1, target) if target is not _NONE else None
        for n, group in groups:
            if n <= end:
                target = group.get(tuple(keys[end - n:end]), _NONE)
                if target is not _NONE:
                    return n, target
        return None


_NONE = object()  # no phrase (a phrase's target may itself be None)
