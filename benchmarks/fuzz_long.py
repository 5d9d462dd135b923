"""A long fuzz run by hand over the public entry points (the strategies of tests/fuzzing.py, with longer digit runs
and many more examples than CI): prints every distinct crash (an exception other than AdvisorError), every call
slower than --slow seconds, and how many examples each target ran. Record a run's result in docs/robustness.md.

    python benchmarks/fuzz_long.py [--minutes 10] [--max-digits 2000] [--slow 2] [--timeout 30]

Exit code 1 if anything crashed or timed out. Each call runs under SIGALRM (--timeout): a hang is reported, not
waited for. No shrinking (a bounded run); inputs are shown truncated.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, settings, strategies as st  # noqa: E402

from tests import fuzzing as fz  # noqa: E402

COUNTS: Counter = Counter()
SLOW: list[tuple[float, str, str]] = []
CRASHES: dict[tuple, tuple[str, str, int]] = {}
DEADLINE = [float("inf")]


class CallTimeout(BaseException):  # not an Exception: broad handlers in the code under test must not swallow it
    pass


def _alarm(signum, frame):  # noqa: ANN001
    raise CallTimeout("the call did not finish in time")


def _shown(args: tuple, limit: int = 300) -> str:
    try:
        text = repr(args)
    except Exception:  # noqa: BLE001 - e.g. an integer too long to print
        text = "<unprintable input>"
    return text if len(text) <= limit else text[:limit] + f"… ({len(text):,} chars)"


def guarded(name: str, target, timeout: float, slow: float):  # noqa: ANN001
    """Run a target; record slow calls; turn any failure into a recorded crash (the run goes on)."""
    def run(example: tuple) -> None:
        args = example
        if time.monotonic() >= DEADLINE[0]:  # time is up: let hypothesis finish its batch at once
            return
        COUNTS[name] += 1
        start = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            target(*args)
        except BaseException as exc:  # noqa: BLE001 - the finding
            if isinstance(exc, KeyboardInterrupt):
                raise
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            key = (name, type(exc).__name__, frame.filename, frame.lineno)
            first = " ".join(str(exc).split())[:200]
            where = f"{Path(frame.filename).name}:{frame.lineno}"
            if key in CRASHES:
                CRASHES[key] = (CRASHES[key][0], CRASHES[key][1], CRASHES[key][2] + 1)
            else:
                CRASHES[key] = (f"{type(exc).__name__}: {first} (at {where})", _shown(args), 1)
                print(f"CRASH in {name}: {type(exc).__name__}: {first} (at {where})\n    input: {_shown(args)}", flush=True)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            elapsed = time.perf_counter() - start
            if elapsed > slow:
                SLOW.append((elapsed, name, _shown(args, 160)))
    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--max-digits", type=int, default=2000, help="longest generated digit run (CI: 200)")
    parser.add_argument("--slow", type=float, default=2.0, help="report calls slower than this (seconds)")
    parser.add_argument("--timeout", type=float, default=30.0, help="a call running longer is a crash (seconds)")
    parser.add_argument("--batch", type=int, default=200, help="examples per hypothesis run")
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, _alarm)
    d = args.max_digits
    seeds = [p.read_bytes() for p in sorted((ROOT / "scenarios").glob("*.yaml"))]
    targets = {
        "consult": ((fz.texts(d, 16), fz.fact_dicts(d), fz.answer_dicts(d)), fz.consult_target),
        "scenario (YAML-ish bytes)": ((fz.yaml_bytes(d),), fz.scenario_target),
        "scenario (mutated files)": ((st.sampled_from(seeds).flatmap(fz.mutated),), fz.scenario_target),
        "session": ((fz.session_ops(d),), fz.session_target),
        "call_tool": ((fz.tool_calls(d),), lambda call: fz.tool_target(*call)),
    }
    config = settings(max_examples=args.batch, deadline=None, database=None, phases=[Phase.generate],
                      suppress_health_check=list(HealthCheck), derandomize=False)
    runners = {name: config(given(st.tuples(*strategies))(guarded(name, target, args.timeout, args.slow)))
               for name, (strategies, target) in targets.items()}
    end = DEADLINE[0] = time.monotonic() + args.minutes * 60
    start = time.monotonic()
    print(f"fuzzing for {args.minutes:g} min, digit runs up to {d}, slow > {args.slow:g} s, timeout {args.timeout:g} s",
          flush=True)
    while time.monotonic() < end:
        for runner in runners.values():
            if time.monotonic() >= end:
                break
            runner()
    minutes = (time.monotonic() - start) / 60
    print(f"\n{sum(COUNTS.values()):,} examples in {minutes:.1f} min: "
          + ", ".join(f"{name} {n:,}" for name, n in COUNTS.items()))
    print(f"{len(CRASHES)} distinct crashes" + (":" if CRASHES else ""))
    for (name, *_), (what, shown, n) in sorted(CRASHES.items(), key=lambda kv: -kv[1][2]):
        print(f"  [{name}] {what} x{n}\n      e.g. {shown}")
    SLOW.sort(reverse=True)
    print(f"{len(SLOW)} calls slower than {args.slow:g} s" + (":" if SLOW else ""))
    for seconds, name, shown in SLOW[:10]:
        print(f"  {seconds:6.2f} s [{name}] {shown}")
    return 1 if CRASHES else 0


if __name__ == "__main__":
    sys.exit(main())
