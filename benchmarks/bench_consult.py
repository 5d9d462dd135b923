"""Warm `consult()` per golden scenario turn (knowledge base loaded once, as in a REPL or chat server).

    python benchmarks/bench_consult.py [--repeat 200]
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import machine, summary, timeit  # noqa: E402

from advisor.consultation import consult  # noqa: E402
from advisor.consultation import load_kb  # noqa: E402
from advisor.regress.scenario import load_scenario  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    kb = load_kb()
    print(machine())
    worst = 0.0
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        sc = load_scenario(str(path), kb)
        message, facts, answers, _, _ = sc.turns()[-1]  # the last turn has the most facts and options
        consult(message, facts, answers, kb=kb)
        samples = timeit(lambda: consult(message, facts, answers, kb=kb), args.repeat)
        worst = max(worst, sorted(samples)[len(samples) // 2])
        print(f"{path.stem:30s} {summary(samples)}")
    print(f"slowest median: {worst * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
