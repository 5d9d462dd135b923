"""Cold start of `advisor answer` on a shipped scenario, as a user runs it (a new process each time).

Also reports a bare `python -c pass` on the same machine (the floor no Python tool can go below) and checks
with `python -X importtime` that torch is never imported.

    python benchmarks/bench_cold_start.py [--repeat 21]
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

from _common import machine, summary, timeit

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "s01-memory-pressure.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    answer = [sys.executable, "-m", "advisor", "answer", str(SCENARIO)]
    # as users run it: with bytecode caches (some sandboxes set PYTHONDONTWRITEBYTECODE, which adds ~50 ms)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(answer, check=True, capture_output=True, env=env)  # write .pyc, warm file and KB caches
    print(machine())
    print("python -c pass       ", summary(timeit(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True, env=env), args.repeat), "s"))
    print("advisor answer (text)", summary(timeit(lambda: subprocess.run(answer, check=True, capture_output=True, env=env), args.repeat), "s"))
    trace = subprocess.run([sys.executable, "-X", "importtime"] + answer[1:], capture_output=True, text=True, check=True).stderr
    modules = [line.split("|")[-1].strip() for line in trace.splitlines() if "|" in line]
    heavy = [m for m in modules if m.split(".")[0] in ("torch", "numpy", "prompt_toolkit", "jsonschema", "mcp")]
    print("imports of torch/numpy/prompt_toolkit/jsonschema/mcp:", heavy or "none")
    if any(m.split(".")[0] == "torch" for m in heavy):
        sys.exit("torch was imported by `advisor answer`")


if __name__ == "__main__":
    main()
