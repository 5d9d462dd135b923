"""Per-field precision and recall of the reader on the corpus of real messages (tests/corpus/real_messages.yaml).

    python -m tests.corpus.score                 # the tuned set's table, then the held-out set's
    python -m tests.corpus.score -v FIELD        # and every miss of one field (tuned set)
    python -m tests.corpus.score --heldout -v FIELD   # the same on the held-out set

The held-out messages (`heldout: true`) were labelled before the reader was run on them and are never tuned
on: their figures estimate how the reader does on messages it has never seen.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import yaml

from advisor.reading.situation import labels_of

CORPUS = Path(__file__).with_name("real_messages.yaml")


def load(heldout: bool | None = None) -> list[dict]:
    """The corpus's messages: all (None), the tuned set (False) or the held-out set (True)."""
    messages = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["messages"]
    return [m for m in messages if heldout is None or bool(m.get("heldout")) == heldout]


def close(field: str, got, want) -> bool:
    if isinstance(want, bool) or isinstance(got, bool):
        return got == want
    if field == "model" and isinstance(got, str) and isinstance(want, str) and got != want:
        return same_model(got, want)
    if field == "params" and isinstance(got, (int, float)) and isinstance(want, (int, float)):
        return abs(got - want) <= 0.15 * want
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return abs(got - want) <= 1e-9 * max(1.0, abs(want)) or (field == "gpu_memory_gb" and abs(got - want) < 0.6)
    return got == want


def same_model(got: str, want: str) -> bool:
    """Two ids of one model: the labels were written by people who never saw the catalogue, so a label the
    catalogue resolves to the reader's id ('stable-diffusion-2-1' is sd-2.1-unet), or one spelled with other
    separators ('whisper-largev3', 'whisper-large-v3'), names the same model."""
    from advisor.domain.catalogue import model_id_of, name_tokens

    return model_id_of(want) == got or "".join(name_tokens(got)) == "".join(name_tokens(want))


def score(messages: list[dict]) -> tuple[dict[str, Counter], list[tuple[str, str, object, object]]]:
    from advisor.reading.reader import read

    per: dict[str, Counter] = {}
    misses = []
    for m in messages:
        got = labels_of(read(m["message"]))
        want = m["expect"]
        for name in set(got) | set(want):
            c = per.setdefault(name, Counter())
            if name in want and name in got and close(name, got[name], want[name]):
                c["tp"] += 1
            else:
                if name in got:
                    c["fp"] += 1
                if name in want:
                    c["fn"] += 1
                misses.append((m["id"], name, got.get(name), want.get(name)))
    return per, misses


def totals(per: dict[str, Counter], fields=None) -> tuple[float, float]:
    tp = sum(c["tp"] for f, c in per.items() if fields is None or f in fields)
    fp = sum(c["fp"] for f, c in per.items() if fields is None or f in fields)
    fn = sum(c["fn"] for f, c in per.items() if fields is None or f in fields)
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


def table(title: str, messages: list[dict]) -> list[tuple[str, str, object, object]]:
    per, misses = score(messages)
    print(f"{title}: {len(messages)} messages")
    print(f"{'field':22} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7}")
    for name in sorted(per, key=lambda n: (-(per[n]["tp"] + per[n]["fn"]), n)):
        c = per[name]
        p = c["tp"] / max(1, c["tp"] + c["fp"])
        r = c["tp"] / max(1, c["tp"] + c["fn"])
        print(f"{name:22} {c['tp']:>4} {c['fp']:>4} {c['fn']:>4} {p:>9.3f} {r:>7.3f}")
    p, r = totals(per)
    print(f"{'all fields':22} precision {p:.3f} recall {r:.3f}\n")
    return misses


def main(argv: list[str]) -> None:
    heldout = "--heldout" in argv
    field = argv[argv.index("-v") + 1] if "-v" in argv and argv.index("-v") + 1 < len(argv) else None
    misses = table("tuned set", load(heldout=False))
    held = table("held-out set (never tuned on)", load(heldout=True))
    if field:
        chosen = load(heldout=heldout)
        for mid, name, got, want in held if heldout else misses:
            if name == field:
                text = next(m["message"] for m in chosen if m["id"] == mid)
                print(f"{mid}: got {got!r} want {want!r}\n    {text[:300]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
