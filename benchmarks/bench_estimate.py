"""`advisor estimate`: analytic cold start (a new process; torch and pydantic must not be imported) and the time
to trace a ~23M-parameter GPT under FakeTensorMode, per batch size (needs torch).

    python benchmarks/bench_estimate.py [--repeat 11] [--no-trace]
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from _common import machine, summary, timeit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--no-trace", action="store_true")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cmd = [sys.executable, "-m", "advisor", "estimate", "--preset", "llama-2-7b", "--budget-gib", "80"]
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    print(machine())
    print("python -c pass              ", summary(timeit(lambda: subprocess.run([sys.executable, "-c", "pass"], env=env), args.repeat), "s"))
    print("advisor estimate --preset   ", summary(timeit(lambda: subprocess.run(cmd, check=True, capture_output=True, env=env), args.repeat), "s"))
    trace = subprocess.run([sys.executable, "-X", "importtime"] + cmd[1:], capture_output=True, text=True, env=env).stderr
    heavy = sorted({line.split("|")[-1].strip().split(".")[0] for line in trace.splitlines() if "|" in line} & {"torch", "pydantic", "numpy"})
    print("heavy imports:", heavy or "none")
    if args.no_trace:
        return
    from advisor.measure import tracing

    factory = tracing.load_factory("tests.factories:gpt_25m")
    t = time.perf_counter()
    params, _ = tracing.measure(factory, 1)
    print(f"first trace incl. torch import and warm-up: {time.perf_counter() - t:.2f} s ({params:,} parameters)")
    for batch in (1, 8, 64):
        samples = timeit(lambda: tracing.measure(factory, batch), 3)
        print(f"trace 2 training steps at batch {batch:>3}:", summary(samples, "s"))


if __name__ == "__main__":
    main()
