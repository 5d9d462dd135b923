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
    """Phrases as key tuples indexed by their first key; `at` gives the longest phrase starting at a position."""

    def __init__(self, pairs: list[tuple[str, Any]]):
        self.by_first: dict[str, list[tuple[tuple[str, ...], Any]]] = {}
        self.by_last: dict[str, list[tuple[tuple[str, ...], Any]]] = {}
        for phrase, target in pairs:
            keys = phrase_keys(phrase)
            if keys:
                self.by_first.setdefault(keys[0], []).append((keys, target))
                self.by_last.setdefault(keys[-1], []).append((keys, target))
        for table in (self.by_first, self.by_last):
            for cands in table.values():
                cands.sort(key=lambda c: len(c[0]), reverse=True)

    def at(self, keys: list[str], i: int, limit: int | None = None) -> tuple[int, Any] | None:
        """The longest phrase starting at keys[i] (of at most `limit` keys)."""
        for cand, target in self.by_first.get(keys[i], ()):
            if (limit is None or len(cand) <= limit) and tuple(keys[i:i + len(cand)]) == cand:
                return len(cand), target
        return None

    def ending_at(self, keys: list[str], end: int) -> tuple[int, Any] | None:
        """The longest phrase whose last key is keys[end - 1]."""
        for cand, target in self.by_last.get(keys[end - 1], ()):
            n = len(cand)
            if n <= end and tuple(keys[end - n:end]) == cand:
                return n, target
        return None
