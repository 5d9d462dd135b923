"""Work that must stay bounded whatever the numbers or the text (regressions of the hostile-input audit)."""

import subprocess
import sys
from pathlib import Path

import pytest

from advisor import Session, consult, estimate_memory
from advisor.domain.estimators.training import exact_plans
from advisor.errors import InputError

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("text", ["1" * 100_000, "1.1" * 30_000, "24GB GPU " * 10_000,
                                  "Run 1 (batch 128): 85.2% accuracy. " * 2_000, "8 GPUs " * 14_000,
                                  # cards the catalogue does not know, each with a count and a size (twelfth session)
                                  "4x RTX 5880 Ada 48GB " * 5_000])
def test_a_long_message_is_consulted_in_bounded_time(text):
    """Run in a child process with a deadline: a quadratic pattern would take minutes here."""
    code = f"import advisor; advisor.consult({text!r}[:{len(text)}])"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr[-500:]


def test_patterns_that_start_with_digits_cannot_start_inside_a_number(kb):
    for spec in kb.facts.values():
        for pattern in spec.patterns:
            if pattern.regex.startswith(("(?P<value>\\d", "\\d")):
                pytest.fail(f"{spec.name}: {pattern.regex!r} needs a (?<![\\d.]) guard")


def test_plans_for_a_huge_target_batch_are_found_by_divisors():
    assert exact_plans(64, 8, 1) == [(8, 8, 1), (4, 16, 1), (2, 32, 1), (1, 64, 1)]
    assert exact_plans(999_999_999_989, 16, 1) == [(1, 999_999_999_989, 1)]  # a prime: √n work, not n
    result = estimate_memory(preset="gpt2", budget_gib=16, target_batch=10**12)
    assert all(p["effective_batch"] == 10**12 for p in result["plans"])


def test_a_throughput_curve_without_positive_throughput_computes_nothing():
    advice = consult("", {"throughput_by_batch": [[1, 0]], "gradient_noise_scale": 1e9})
    assert not [e for e in advice.estimates if e.id.startswith("ttt_")]  # time_to_target's results


def test_non_unicode_text_is_refused_and_the_session_is_not_poisoned():
    s = Session()
    with pytest.raises(InputError, match="not valid Unicode"):
        s.say("batch 32 \ud800")
    assert s.to_dict()["messages"] == [] and s.say("I have an 8GB GPU") is not None
    with pytest.raises(InputError, match="takes text"):
        s.say(123)
