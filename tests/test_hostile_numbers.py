"""Non-finite and overflowing numbers are refused where they come in (the unit parsers), with a clear message:
no 'nan GB' in the advice, no OverflowError (exit 3) from a 400-digit integer or `loss_nats: 1e308` (issue 12)."""

import subprocess
import sys

import pytest

from advisor.consultation import consult
from advisor.engine.memory import coerce_named
from advisor.errors import InputError
from advisor.units import (MAX_BY_UNIT, shown, UnitError, check_range, parse_bytes, parse_count, parse_duration,
                           parse_multiplier, parse_number, parse_percent)

from .conftest import ROOT

HUGE_INT = 10**400


def _id(value):
    return shown(value, 12)


@pytest.mark.parametrize("parser", [parse_number, parse_bytes, parse_count, parse_duration, parse_percent, parse_multiplier])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), HUGE_INT, -HUGE_INT, "nan", "inf",
                                   "-Infinity", "1" * 400, "1" * 5000, 5e-324, "1e-320"], ids=_id)
def test_every_parser_refuses_non_finite_huge_and_denormal_values(parser, value):
    with pytest.raises(UnitError) as info:
        parser(value)
    message = str(info.value)
    assert len(message) < 200 and "\n" not in message


@pytest.mark.parametrize("text", ["1e308TB", "1e300 GiB", "9e17 TB", "2e18B"])
def test_units_cannot_multiply_a_number_out_of_range(text):
    with pytest.raises(UnitError, match="too large for a memory size"):
        parse_bytes(text)


@pytest.mark.parametrize("parser, text", [(parse_count, "1e308T"), (parse_count, "2e18"), (parse_duration, "100000 weeks"),
                                          (parse_multiplier, "1e12x"), (parse_percent, "1e7%"), (parse_number, 1e16)])
def test_other_units_have_a_ceiling(parser, text):
    with pytest.raises(UnitError, match="too large"):
        parser(text)


def test_the_sane_range_keeps_ordinary_values():
    assert parse_bytes("80GB") == 80e9 and parse_bytes("1EB".replace("E", "T")) == 1e12
    assert parse_count("15T") == 15e12 and parse_count("1e18") == 1e18
    assert parse_number(0) == 0 and parse_number("3e-4") == 3e-4 and parse_number(-2) == -2
    assert check_range(MAX_BY_UNIT["count"], "count") == 1e18


@pytest.mark.parametrize("name, value, match", [
    ("gpu_memory", float("nan"), "not a finite number"), ("gpu_memory", "1e308TB", "too large for a memory size"),
    ("gpu_memory", HUGE_INT, "an integer of about 400 digits"), ("loss_nats", 1e308, "too large for a number"),
    ("loss_nats", "1e308", "too large"), ("token_budget", HUGE_INT, "too large for a count"),
    ("token_budget", "1e30", "too large"), ("cuda_context", float("inf"), "not a finite number"),
    ("peak_memory_by_batch", [[8, float("nan")]], "not a finite number"), ("peak_memory_by_batch", [[HUGE_INT, "8GB"]], "too large"),
    ("peak_memory_by_batch", [[10**10, "8GB"]], "batch must be a whole number from 1 to 1,000,000,000"),
    ("throughput_by_batch", "8=nan, 16=inf", "not a finite number"), ("micro_batch", HUGE_INT, "too large"),
    ("optimizer", 10**5000, "expected a value, got an integer of about 5000 digits"),
    ("accuracy_by_run", [[1, 1]] * 10_001, "at most 10,000"),
], ids=_id)
def test_facts_refuse_bad_numbers_with_the_fact_named(kb, name, value, match):
    with pytest.raises(InputError, match=match) as info:
        coerce_named(kb, name, value)
    assert info.value.message.startswith(f"fact {name!r}: ") and len(info.value.message) < 300
    with pytest.raises(InputError, match=match):
        consult("", {name: value}, {}, kb=kb)


def test_consult_never_prints_nan(kb):
    for value in (float("nan"), "nan GB", ".nan"):
        with pytest.raises(InputError):
            consult("", {"gpu_memory": value, "params": "7B"}, {}, kb=kb)


@pytest.mark.parametrize("yaml_text, match", [
    (b"facts: {gpu_memory: .nan}\n", b"<stdin>:1: fact 'gpu_memory': 'nan' is not a finite number"),
    (b"facts: {gpu_memory: .inf}\n", b"<stdin>:1: fact 'gpu_memory': 'inf' is not a finite number"),
    (b"facts:\n  token_budget: " + b"9" * 400 + b"\n", b"<stdin>:2: fact 'token_budget': an integer of about 400 digits is too large"),
    (b"facts:\n  loss_nats: 1e308\n", b"<stdin>:2: fact 'loss_nats': '1e+308' is too large for a number"),
    (b"facts:\n  gpu_memory: 1e308TB\n", b"<stdin>:2: fact 'gpu_memory': '1e308TB' is too large for a memory size"),
])
def test_cli_exit_2_with_file_and_line(yaml_text, match):
    out = subprocess.run([sys.executable, "-m", "advisor", "answer", "-"], cwd=ROOT, input=yaml_text, capture_output=True,
                         timeout=60)
    assert out.returncode == 2 and out.stdout == b"", out.stderr
    assert out.stderr.startswith(b"advisor: " + match) and out.stderr.count(b"\n") == 1, out.stderr


def test_answers_from_the_command_line_are_checked_too():
    out = subprocess.run([sys.executable, "-m", "advisor", "answer", "-", "-a", "gpu_memory=nan GB"], cwd=ROOT,
                         input=b"message: OOM\n", capture_output=True, timeout=60)
    assert out.returncode == 2 and b"gpu_memory" in out.stderr and b"Traceback" not in out.stderr


@pytest.mark.parametrize("message", [
    # review 19 #30: a warmup "from 0 to 0.16" was read as an LR change from 0, and its factor divided by zero
    "The paper says the learning rate is first linearly increased from 0 to 0.16 in the first training epoch. "
    "I use a single GPU with 16G and batch size 4. Is the learning rate wrong?",
    "I went from batch 0 to 32 and lr from 0 to 0.1",
    "batch from 32 to 0",
    "8 GPUs, went from 0 nodes to 2 nodes",
])
def test_a_change_from_zero_is_no_change_and_never_divides_by_it(message):
    advice = consult(message)  # (an exception here is the defect)
    facts = {f.name: f.value for f in advice.facts}
    assert "lr_scale_factor" not in facts and "batch_scale_factor" not in facts
