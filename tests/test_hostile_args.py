"""Numeric options are checked by argparse types: NaN, infinities and out-of-range values are usage errors (one
line, exit 2) before any work is done (issue 12)."""

import pytest

from advisor.shells import cli


def run(capsys, *argv):
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, message", [
    (["--budget-gib", "nan"], "--budget-gib must be a finite number, got 'nan'"),
    (["--budget-gib", "inf"], "--budget-gib must be a finite number, got 'inf'"),
    (["--budget-gib", "1e308"], "--budget-gib must be at most 1e9"),
    (["--budget-gib", "-1"], "--budget-gib must be positive"),
    (["--margin", "nan"], "--margin must be a finite number"),
    (["--margin", "1"], "--margin must be in [0, 1)"),
    (["--cuda-context-gb", "inf"], "--cuda-context-gb must be a finite number"),
    (["--workspace-mib", "nan"], "--workspace-mib must be a finite number"),
    (["--lora", "nan"], "--lora must be a finite number"),
    (["--lora", "0"], "--lora must be positive"),
    (["--gpus", "1" * 400], "--gpus must be at most 100,000"),
    (["--target-batch", "1000000000000"], "--target-batch must be at most 10,000,000"),
    (["--batch", "1e3"], "--batch must be a whole number, got '1e3'"),
    (["--steps", "1"], "--steps must be at least 2"),
])
def test_estimate_numeric_options(capsys, argv, message):
    code, out, err = run(capsys, "estimate", "--preset", "gpt2", *argv)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1, err


@pytest.mark.parametrize("argv, message", [
    (["--memory-cap-gib", "inf"], "--memory-cap-gib must be a finite number, got 'inf'"),
    (["--memory-cap-gib", "0"], "--memory-cap-gib must be positive"),
    (["--budget-gib", "nan"], "--budget-gib must be a finite number"),
    (["--max-batch", "0"], "--max-batch must be between 1 and 10,000,000, got '0'"),
    (["--max-batch", "-3"], "--max-batch must be between 1 and 10,000,000"),
    (["--steps", "1"], "--steps must be at least 2"),
    (["--margin", "inf"], "--margin must be a finite number"),
    (["--seq-len", "0"], "--seq-len must be between 1 and 10,000,000"),
])
def test_probe_numeric_options_fail_before_importing_the_model(capsys, argv, message):
    code, out, err = run(capsys, "probe", "--model", "no_such_module:factory", "--device", "cpu", *argv)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1, err


def test_good_values_still_parse(capsys):
    code, out, _ = run(capsys, "estimate", "--preset", "gpt2", "--budget-gib", "24", "--margin", "0", "--lora", "1",
                       "--gpus", "8", "--target-batch", "512", "--batch", "1_024", "--format", "json")
    assert code == 0 and '"budget_bytes": 25769803776' in out
