"""`advisor estimate` as a user runs it: table, bars, JSON contract, plans, bad input, no torch on the analytic path."""

import json
import subprocess
import sys

import pytest

from advisor.shells import cli

from .conftest import ROOT


def run(capsys, *argv):
    try:
        code = cli.main(["estimate", *argv])
    except SystemExit as exc:  # a usage error found by argparse (the numeric options' types)
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_text_table_with_bars_and_verdict(capsys):
    code, out, err = run(capsys, "--preset", "tinystories-004", "--batch", "256", "--budget-gib", "16")
    assert code == 0 and err == ""
    assert "does NOT fit in 16 GiB; the largest micro-batch that fits:" in out
    assert "logits and loss" in out and "activations" in out and "█" in out and "NO" in out
    assert "assumptions:" in out and "sources:" in out


def test_json_contract(capsys):
    code, out, _ = run(capsys, "--preset", "gpt2", "--batch", "4", "--budget-gib", "24", "--precision", "amp_bf16",
                       "--attention", "flash", "--target-batch", "512", "--format", "json")
    data = json.loads(out)
    for key in ("params", "components", "peak_bytes", "per_gpu", "fits", "curve", "max_micro_batch", "assumptions", "plans"):
        assert key in data
    assert data["params"] == 124_439_808 and data["fits"] is True and data["per_gpu"] is True
    assert set(data["curve"]) == {"intercept_bytes", "per_sample_bytes"}
    assert all(p["micro_batch"] * p["grad_accum_steps"] * p["num_gpus"] == 512 for p in data["plans"])
    assert all(p["micro_batch"] <= data["max_micro_batch"] for p in data["plans"])
    assert sum(data["components"].values()) == pytest.approx(data["peak_bytes"], abs=8)


def test_zero_fsdp_and_params_only(capsys):
    _, out, _ = run(capsys, "--params", "7.5e9", "--precision", "mixed", "--optimizer", "adam", "--gpus", "64", "--zero", "3",
                    "--format", "json", "--margin", "0", "--device", "cpu")
    zero3 = json.loads(out)
    assert zero3["allocated_bytes"] == pytest.approx(1.875e9) and zero3["activations_estimated"] is False
    _, out, _ = run(capsys, "--params", "7.5e9", "--precision", "mixed", "--optimizer", "adam", "--gpus", "64", "--fsdp",
                    "--format", "json", "--margin", "0", "--device", "cpu")
    assert json.loads(out)["allocated_bytes"] == zero3["allocated_bytes"]


def test_presets_listing(capsys):
    code, out, _ = run(capsys, "--presets")
    assert code == 0 and "llama-2-7b" in out and "6,738,415,616" in out


def test_config_json(capsys, tmp_path):
    cfg = {"model_type": "gpt2", "vocab_size": 50257, "n_embd": 768, "n_layer": 12, "n_head": 12, "n_positions": 1024}
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    code, out, _ = run(capsys, "--config", str(tmp_path), "--format", "json")
    assert code == 0 and json.loads(out)["params"] == 124_439_808


@pytest.mark.parametrize("argv, message", [
    (["--params", "-5"], "params must be between"),
    (["--params", "0"], "params must be between"),
    (["--params", "lots"], "is not a count"),
    (["--params", "1e20"], "params must be between"),
    (["--preset", "gpt2", "--batch", "0"], "--batch must be between"),
    (["--preset", "gpt2", "--params", "1B"], "exactly one model source"),
    ([], "exactly one model source"),
    (["--preset", "gtp2"], "did you mean 'gpt2'"),
    (["--preset", "gpt2", "--budget-gib", "0"], "--budget-gib must be positive"),
    (["--preset", "gpt2", "--seq-len", "0"], "--seq-len must be between"),
    (["--preset", "gpt2", "--gpus", "0"], "--gpus must be at least 1"),
    (["--preset", "gpt2", "--base-bits", "4"], "base_bits goes with lora"),
    (["--preset", "gpt2", "--target-batch", "0"], "--target-batch must be positive"),
    (["--config", "/no/such/config.json"], "no such file"),
])
def test_bad_input_exit_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def test_analytic_estimate_never_imports_torch():
    code = ("import sys, io, contextlib\nfrom advisor.shells.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    assert main(['estimate', '--preset', 'llama-2-7b', '--budget-gib', '80']) == 0\n"
            "assert 'torch' not in sys.modules and 'pydantic' not in sys.modules, sorted(m for m in sys.modules if m in ('torch', 'pydantic'))\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


@pytest.mark.parametrize("arguments, message", [
    ({"preset": "gpt2", "batch": 0}, "batch must be a whole number from 1"),
    ({"preset": "gpt2", "budget_gib": 0.0}, "budget_gib must be a finite number in (0"),
    ({"preset": "gpt2", "gpus": 0}, "gpus must be a whole number from 1"),
    ({"preset": "gpt2", "base_bits": 4}, "base_bits goes with lora"),
    ({"preset": "gpt2", "margin": float("nan")}, "margin must be a finite number"),
    ({"preset": "gpt2", "bogus": 1}, "unknown argument 'bogus'"),
    ({}, "exactly one model source"),
])
def test_library_errors_name_arguments_not_flags(arguments, message):
    """advisor.estimate_memory (and the chat tools on top of it) speak of arguments, never of CLI flags."""
    from advisor import estimate_memory
    from advisor.errors import InputError

    with pytest.raises(InputError) as info:
        estimate_memory(**arguments)
    assert message in info.value.message and "--" not in info.value.message
