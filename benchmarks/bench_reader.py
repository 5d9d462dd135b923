"""The situation reader: a 5 KB realistic message warm, and 100,000 characters of digits or repeated units.

    python benchmarks/bench_reader.py [--repeat 50]

Besides wall time, the 5 KB message is timed in CPU time (time.process_time), which other jobs on a shared machine
disturb less: the project's machine has 2 cores shared with other test suites.
"""

import argparse
import sys
import time
from pathlib import Path

import yaml
from _common import machine, summary, timeit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor.reading.reader import read  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    messages = yaml.safe_load((ROOT / "tests" / "corpus" / "real_messages.yaml").read_text())["messages"]
    five_kb = ""
    for m in messages:  # real messages (the corpus's first ones), concatenated to 5 KB
        if len(five_kb) >= 5000:
            break
        five_kb += m["message"] + "\n"
    five_kb = five_kb[:5000]
    read(five_kb)  # warm: catalogues and phrase indexes built once
    print(machine())
    print("5 KB of real messages          ", summary(timeit(lambda: read(five_kb), args.repeat), "ms"))
    print("5 KB, CPU time                 ", summary(timeit(lambda: read(five_kb), args.repeat, time.process_time), "ms"))
    print(f"one corpus pass ({len(messages)} messages) ", summary(timeit(lambda: [read(m["message"]) for m in messages], 5), "s"))
    for label, text in (("100,000 digits", "9" * 100_000), ("'24GB ' × 20,000", "24GB " * 20_000),
                        ("'1,' × 50,000", "1," * 50_000), ("'A100 ' × 20,000", "A100 " * 20_000),
                        ("'1' + ',000' × 25,000 + '0'", "1" + ",000" * 25_000 + "0"),
                        ("'1' + ' 000' × 25,000", "1" + " 000" * 25_000),
                        ("'batch ' × 16,667", "batch " * 16_667), ("'1->' × 33,333", "1->" * 33_333),
                        ("Chinese, 100,000 characters", ("用4个v100训练7b模型，" * 7_200)[:100_000])):
        print(f"{label:31}", summary(timeit(lambda: read(text), 5), "ms"))


if __name__ == "__main__":
    main()
