"""Per-field precision and recall of the reader on the corpus of real messages (tests/corpus/real_messages.yaml).

    python -m tests.corpus.score            # the table
    python -m tests.corpus.score -v FIELD   # and every miss of one field
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import yaml

from advisor.reading.situation import labels_of

CORPUS = Path(__file__).with_name("real_messages.yaml")


def close(field: str, got, want) -> bool:
    if isinstance(want, bool) or isinstance(got, bool):
        return got == want
    if field == "params" and isinstance(got, (int, float)) and isinstance(want, (int, float)):
        return abs(got - want) <= 0.15 * want
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return abs(got - want) <= 1e-9 * max(1.0, abs(want)) or (field == "gpu_memory_gb" and abs(got - want) < 0.6)
    return got == want


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


def main() -> None:
    messages = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["messages"]
    per, misses = score(messages)
    print(f"{'field':22} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7}")
    for name in sorted(per, key=lambda n: -(per[n]["tp"] + per[n]["fn"])):
        c = per[name]
        p = c["tp"] / max(1, c["tp"] + c["fp"])
        r = c["tp"] / max(1, c["tp"] + c["fn"])
        print(f"{name:22} {c['tp']:>4} {c['fp']:>4} {c['fn']:>4} {p:>9.3f} {r:>7.3f}")
    p, r = totals(per)
    print(f"{'all fields':22} precision {p:.3f} recall {r:.3f} over {len(messages)} messages")
    if len(sys.argv) > 2 and sys.argv[1] == "-v":
        for mid, name, got, want in misses:
            if name == sys.argv[2]:
                text = next(m["message"] for m in messages if m["id"] == mid)
                print(f"{mid}: got {got!r} want {want!r}\n    {text[:300]!r}")


if __name__ == "__main__":
    main()
