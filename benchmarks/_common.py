"""Shared timing helpers for the benchmarks (run by hand; results go to docs/benchmarks.md)."""

import platform
import statistics
import time


def machine() -> str:
    import os

    return f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}"


def timeit(fn, repeat: int, clock=time.perf_counter) -> list[float]:
    """Seconds per call; clock=time.process_time counts this process's CPU time only (less noise on a busy box)."""
    out = []
    for _ in range(repeat):
        t = clock()
        fn()
        out.append(clock() - t)
    return out


def summary(samples: list[float], unit: str = "ms") -> str:
    scale = {"ms": 1e3, "s": 1.0}[unit]
    q = sorted(samples)
    return (f"median {statistics.median(q) * scale:.2f} {unit}, min {q[0] * scale:.2f}, "
            f"p90 {q[int(0.9 * (len(q) - 1))] * scale:.2f} (n={len(q)})")
