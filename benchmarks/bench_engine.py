"""The engine alone on a synthetic knowledge base: N rules over N facts (default 1,000 × 1,000).

Rule i derives fact i from two earlier facts, so the run is a long chain of firings with a dependency index
to keep up to date; a tenth of the inputs are askable and unknown, so the rules downstream of them are blocked and become questions.

    python benchmarks/bench_engine.py [--rules 1000] [--repeat 5]
"""

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import machine, summary, timeit  # noqa: E402

from pydantic import TypeAdapter  # noqa: E402

from advisor.consultation import _advice  # noqa: E402
from advisor.engine.chaining import Engine  # noqa: E402
from advisor.engine.memory import Provenance, WorkingMemory  # noqa: E402
from advisor.kb.model import FactSpec, KnowledgeBase, Rule, Source  # noqa: E402


def synthetic_kb(n: int, seed: int = 0) -> KnowledgeBase:
    rng = random.Random(seed)
    inputs = max(10, n // 10)
    facts = {f"f{i}": FactSpec(name=f"f{i}", type="number", description="input", askable=i % 10 == 9,
                               question="?" if i % 10 == 9 else None) for i in range(inputs)}
    facts.update({f"f{i}": FactSpec(name=f"f{i}", type="number", derived=True, description="derived")
                  for i in range(inputs, n)})
    adapter = TypeAdapter(Rule)
    rules = []
    for i in range(inputs, n):
        a, b = rng.randrange(i), rng.randrange(i)
        rules.append(adapter.validate_python({
            "id": f"r{i}", "kind": "derive", "title": f"f{i} from f{a}, f{b}", "salience": rng.randrange(10),
            "when": {"all": [{"fact": f"f{a}", "gt": 0}, {"fact": f"f{b}", "gte": 0}]},
            "set": {f"f{i}": {"fact": f"f{a}"}}}))
    for i in range(n - len(rules)):  # pad to n rules with findings over random facts
        a = rng.randrange(n)
        rules.append(adapter.validate_python({
            "id": f"x{i}", "kind": "finding", "title": "t", "text": f"f{a} is {{f{a}}}", "sources": ["s"],
            "when": {"fact": f"f{a}", "gt": 0}}))
    return KnowledgeBase(facts=facts, sources={"s": Source(id="s", citation="c", status="verified")}, rules=rules)


def run(kb: KnowledgeBase, engine: Engine) -> int:
    wm = WorkingMemory(kb)
    for name, spec in kb.facts.items():
        if not spec.derived and not spec.askable:
            wm.set(name, 1.0, Provenance("given"))
    result = engine.run(wm)
    _advice(kb, wm, result)
    return len(result.trace)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    kb = synthetic_kb(args.rules)
    engine = Engine(kb)
    fired = run(kb, engine)
    print(machine())
    print(f"{len(kb.rules)} rules × {len(kb.facts)} facts: {fired} firings per run")
    print("run to fixed point + questions + advice:", summary(timeit(lambda: run(kb, engine), args.repeat)))


if __name__ == "__main__":
    main()
