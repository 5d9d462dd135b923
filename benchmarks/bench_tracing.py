"""Tracing against the real thing: `advisor estimate --model` as a whole process (it traces two training steps at
two batch sizes under FakeTensorMode) against a whole process that runs two real training steps of the same model
at the same batch on the CPU. Target: tracing ≤ 1.5× the real steps. Also the cost of importing PyTorch's
MemTracker with and without `torch.distributed._tools`' package init.

    python benchmarks/bench_tracing.py [--repeat 5] [--model tests.factories:gpt_25m] [--batch 8 16]
"""

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

from _common import machine, summary, timeit

ROOT = Path(__file__).resolve().parent.parent

REAL_STEPS = """
import sys, torch
sys.path.insert(0, {root!r})
from advisor.measure.tracing import load_factory, make_optimizer, train_step
model, make_batch, loss_fn = load_factory({model!r})()
model.train()
opt = make_optimizer("adamw", model.parameters(), torch)
for _ in range(2):
    train_step(model, make_batch, loss_fn, opt, {batch}, "fp32")
"""

IMPORT = """
import time, torch
t = time.perf_counter()
{stmt}
print(time.perf_counter() - t)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--model", default="tests.factories:gpt_25m")
    parser.add_argument("--batch", type=int, nargs="+", default=[8, 16])
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    print(machine(), "| model", args.model)
    for stmt, label in (("from torch.distributed._tools.mem_tracker import MemTracker", "MemTracker, package init   "),
                        ("from advisor.measure.tracing import mem_tracker; mem_tracker()", "MemTracker, module only    ")):
        samples = [float(subprocess.run([sys.executable, "-c", IMPORT.format(stmt=stmt)], env=env, cwd=ROOT,
                                        capture_output=True, text=True, check=True).stdout) for _ in range(args.repeat)]
        print(label, summary(samples, "s"))
    for batch in args.batch:
        trace = [sys.executable, "-m", "advisor", "estimate", "--model", args.model, "--batch", str(batch), "--device", "cpu",
                 "--format", "json"]
        real = [sys.executable, "-c", REAL_STEPS.format(root=str(ROOT), model=args.model, batch=batch)]
        t_trace = timeit(lambda: subprocess.run(trace, env=env, cwd=ROOT, check=True, capture_output=True), args.repeat)
        t_real = timeit(lambda: subprocess.run(real, env=env, cwd=ROOT, check=True, capture_output=True), args.repeat)
        ratio = statistics.median(t_trace) / statistics.median(t_real)
        print(f"batch {batch:>3}: estimate --model (2 batches × 2 fake steps) {summary(t_trace, 's')}")
        print(f"           two real CPU steps                     {summary(t_real, 's')}")
        print(f"           ratio {ratio:.2f} (target ≤ 1.5)")


if __name__ == "__main__":
    main()
