"""The command line as a user meets it: outputs, exit codes, one-line errors with file:line, determinism."""

import json
import subprocess
import sys
import textwrap

import pytest

from advisor.shells import cli

from .conftest import ROOT

S01 = str(ROOT / "scenarios" / "s01-memory-pressure.yaml")


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def scenario(tmp_path, text, name="case.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)


def test_answer_text_json_markdown(capsys, advice_schema):
    code, out, err = run(capsys, "answer", S01)  # the short answer first
    assert code == 0 and err == "" and len(out.splitlines()) <= 25
    for part in ("I read: GPU memory 8 GiB; parameters 500M", "What I noticed:", "The numbers that decide it:",
                 "I recommend: 8-bit AdamW", "Next step: Measure the plan that fits", "Next question (1 of 3): Are you training",
                 "More: --verbose"):
        assert part in out
    code, out, err = run(capsys, "answer", S01, "--verbose")
    for heading in ("WHAT I NOTICED", "WHAT I NEED TO KNOW", "THE NUMBERS", "OPTIONS", "RECOMMENDATION", "WHAT TO MEASURE", "SOURCES"):
        assert heading in out
    code, out, _ = run(capsys, "answer", S01, "--format", "json")
    data = json.loads(out)
    from jsonschema import Draft202012Validator
    assert not list(Draft202012Validator(advice_schema).iter_errors(data))
    assert data["recommendation"]["option_id"] == "adamw-8bit"
    code, out, _ = run(capsys, "answer", S01, "--format", "markdown")
    assert "## Options" in out and "| option |" in out


def test_answer_flag_changes_the_advice(capsys):
    _, out, _ = run(capsys, "answer", S01, "--json", "-a", "training_mode=finetune")
    assert json.loads(out)["recommendation"]["option_id"] == "lora"


def test_answer_takes_the_message_itself(capsys, tmp_path):
    """`advisor answer -m "…"` is the message a user writes; a message given where a file is expected gets a hint."""
    message = "I have an 8GB GPU and a 500M parameter model. Just tell me the batch size that fits."
    code, out, err = run(capsys, "answer", "-m", message, "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["recommendation"]["option_id"] == "adamw-8bit"  # as the shipped scenario with this message
    facts = {f["name"]: f["value"] for f in data["facts"]}
    assert facts["gpu_memory"] == 8 * 2**30 and facts["params"] == 500e6
    # after a scenario's own message, as its next turn: the later word on the card's memory wins
    code, out, _ = run(capsys, "answer", S01, "-m", "actually it's a 16GB card", "--json")
    assert code == 0 and {f["name"]: f["value"] for f in json.loads(out)["facts"]}["gpu_memory"] == 16 * 2**30
    code, _, err = run(capsys, "answer", "OOM fine-tuning llama-2-7b on a 3090")
    assert code == 2 and err.count("\n") == 1 and 'use -m "' in err
    code, _, err = run(capsys, "answer", "nope.yaml")
    assert code == 2 and "no such file" in err and "-m" not in err
    code, _, err = run(capsys, "answer", "-m", "  ")
    assert code == 2 and "--message is empty" in err
    code, _, err = run(capsys, "answer", S01, S01, "-m", "hello there")
    assert code == 2 and "--message goes with one scenario file" in err


def test_same_input_gives_byte_identical_output(tmp_path):
    outs = [subprocess.run([sys.executable, "-m", "advisor", "answer", S01, "--format", fmt], capture_output=True, check=True).stdout
            for fmt in ("json", "json", "text", "text")]
    assert outs[0] == outs[1] and outs[2] == outs[3]


def test_stdin(capsys, monkeypatch):
    import io
    monkeypatch.setattr(sys, "stdin", io.StringIO("message: I got OOM on my 24GB GPU with a 7B model\n"))
    code, out, _ = run(capsys, "answer", "-", "--json")
    assert code == 0 and "rf-formula-not-a-measurement" not in out and "no-batch-fits" in out


BAD_INPUTS = [
    ("message: [unclosed\n", 2, "YAML syntax error"),  # libyaml notices at the end of the stream
    ("mesage: hi\n", 1, "unknown key 'mesage'"),
    ("message: hi\nfacts:\n  gpu_memroy: 8GB\n", 3, "unknown fact 'gpu_memroy' (did you mean 'gpu_memory'?)"),
    ("facts:\n  gpu_memory: -8GB\n", 2, "must be greater than 0"),
    ("facts:\n  batch_size: 0\n", 2, "must be at least 1"),
    ("facts:\n  gpu_memory: 8 GiBs\n", 2, "is not a memory size"),
    ("facts:\n  gpu_memory: 8\n", 2, "write the unit"),
    ("facts:\n  optimizer: adamW2\n", 2, "expected one of"),
    ("facts:\n  micro_batch: 32\n  grad_accum_steps: 8\n  num_gpus: 2\n  batch_size: 256\n", None, "contradictory facts"),
    ("message: a\nmessage: b\n", 2, "duplicate key 'message'"),
    ("facts: [1, 2]\n", 1, "Input should be a valid dictionary (at facts)"),
    ("answers:\n  batch_size: 64\n", 2, "not a question the advisor asks"),
    ("facts:\n  lr_center: 2\n", None, "is computed by the advisor, not given"),
    ("- just a list\n", 1, "a scenario is a mapping"),
    ("", 1, "empty"),
]


@pytest.mark.parametrize("text, line, message", BAD_INPUTS, ids=[m for _, _, m in BAD_INPUTS])
def test_bad_input_is_one_line_exit_2(capsys, tmp_path, text, line, message):
    path = scenario(tmp_path, text)
    code, out, err = run(capsys, "answer", path)
    assert code == 2
    assert out == ""  # nothing half-written
    assert err.count("\n") == 1 and err.startswith("advisor: ") and "Traceback" not in err
    assert message in err
    where = f"{path}:{line}:" if line else f"{path}"
    assert where in err


@pytest.mark.parametrize("argv, message", [
    (["answer", "/no/such/file.yaml"], "no such file"),
    (["answer", S01, "-a", "oops"], "--answer expects NAME=VALUE"),
    (["answer", S01, "-a", "training_mode=banana"], "expected one of scratch, finetune"),
    (["check", "/no/such/dir"], "no such file or folder"),
    (["--rules", "/no/such/rules", "facts"], "rules directory not found"),
])
def test_usage_errors_exit_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_argparse_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["answer", S01, "--format", "yaml"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [[], ["answer"], ["explain"], ["check"], ["rules"], ["rules", "lint"], ["facts"], ["schema"]])
def test_help_everywhere(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv + ["--help"])
    assert exc.value.code == 0
    assert "usage:" in capsys.readouterr().out


def test_check_passes_and_fails(capsys, tmp_path):
    code, out, _ = run(capsys, "check", str(ROOT / "scenarios"))
    count = len(list((ROOT / "scenarios").glob("*.yaml")))
    assert code == 0 and out.strip().endswith(f"{count} passed, 0 failed")
    bad = scenario(tmp_path, """
        message: I have an 8GB GPU and a 500M parameter model. Just tell me the batch size that fits.
        expect:
          recommendation: {option: lora}
    """, "wrong.yaml")
    code, out, _ = run(capsys, "check", S01, bad)
    assert code == 1
    assert "1 passed, 1 failed" in out and "recommendation is 'adamw-8bit', expected 'lora'" in out
    assert f"{bad}:3" in out  # the line of the failed expectation


def test_lint_facts_schema(capsys):
    code, out, _ = run(capsys, "rules", "lint")
    assert code == 0 and out.strip().endswith("clean")
    code, out, _ = run(capsys, "facts")
    assert code == 0 and "gpu_memory  [asked; number in card_bytes]" in out
    code, out, _ = run(capsys, "facts", "--format", "json")
    assert {f["name"] for f in json.loads(out)} >= {"gpu_memory", "params", "batch_size"}
    code, out, _ = run(capsys, "schema", "advice")
    assert json.loads(out) == json.loads((ROOT / "advisor" / "kb" / "schemas" / "advice.schema.json").read_text())


def test_lint_fails_on_a_defective_knowledge_base(capsys, tmp_path):
    import shutil
    kb = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", kb)
    (kb / "extra.yaml").write_text("rules:\n  - {id: lonely, kind: finding, title: t, text: t, sources: [goyal], when: {fact: runs_t, gt: 99}}\n"
                                  "  - {id: asks-always, kind: finding, title: t, text: t, sources: [goyal], when: {fact: goal, eq: replicate}}\n")
    code, out, _ = run(capsys, "--rules", str(kb), "rules", "lint")
    assert code == 1
    assert "'asks-always' is gated only by questions" in out


def test_explain_how_why_whynot(capsys):
    code, out, _ = run(capsys, "explain", S01, "states_full_adamw")
    assert code == 0 and "model_state_bytes" in out and "params = 500M: from your message" in out
    _, out, _ = run(capsys, "explain", S01, "training_mode")  # WHY and WHY-NOT in plain words, HOW with ids
    assert max(len(line) for line in out.splitlines()) <= 80  # wrapped: 80 columns when not a terminal
    out = " ".join(out.split())
    assert "I ask because I need the answer to work out model states with LoRA on a frozen 16-bit base" in out
    _, out, _ = run(capsys, "explain", S01, "lora")
    out = " ".join(out.split())
    assert "LoRA is not considered: adapters are for fine-tuning: say whether you fine-tune a pre-trained model." in out
    _, out, _ = run(capsys, "explain", S01, "recommendation")
    assert "Recommended adamw-8bit by rule plans-from-search" in out and "7.82 GiB per GPU" in out
    _, out, _ = run(capsys, "explain", S01, "-a", "training_mode=scratch", "lora")
    out = " ".join(out.split())
    assert "LoRA is not considered: adapters train on a pre-trained base; you train from scratch." in out
    _, out, _ = run(capsys, "explain", S01, "-a", "training_mode=finetune", "qlora")
    assert "QLoRA adapters on a frozen 4-bit base fits (0.70 GiB per GPU of 8 GiB) but ranks below" in " ".join(out.split())


def test_internal_errors_exit_3_without_traceback(capsys, monkeypatch):
    import advisor.consultation
    monkeypatch.setattr(advisor.consultation, "run_consultation", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    monkeypatch.setattr(advisor.consultation, "consult", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    code, out, err = run(capsys, "answer", S01)
    assert code == 3 and out == "" and "internal error" in err and "boom" in err and "Traceback" not in err


def test_a_rule_loop_is_reported_as_a_knowledge_base_error(capsys, tmp_path):
    import shutil
    kb = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", kb)
    (kb / "zz-loop.yaml").write_text(
        "rules:\n"
        "  - {id: ping, kind: derive, title: p, when: {fact: runs_t, ne: 1}, set: {runs_t: 1, runs_p: 1}}\n"
        "  - {id: pong, kind: derive, title: q, when: {fact: runs_p, eq: 1}, set: {runs_t: 2, runs_p: 2}}\n"
        "  - {id: kick, kind: derive, title: k, set: {runs_t: 0}}\n")
    code, _, err = run(capsys, "--rules", str(kb), "answer", S01)
    assert code == 3 and "no fixed point" in err and "ping" in err and "pong" in err


def test_answer_never_imports_torch():
    code = ("import sys, io, contextlib\nfrom advisor.shells.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    assert main(['answer', {S01!r}]) == 0\n"
            "assert 'torch' not in sys.modules, 'torch was imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = 'pip install -e ".[test]" && pytest'
    assert command in readme and command in ci
    assert "pip install -e . && advisor answer scenarios/s01-memory-pressure.yaml" in readme


def test_answer_batch_jsonl_reports_bad_files_and_goes_on(capsys, tmp_path):
    bad = scenario(tmp_path, "mesage: hi\n", "bad.yaml")
    code, out, err = run(capsys, "answer", str(ROOT / "scenarios"), bad)
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 2 and len(lines) == len(list((ROOT / "scenarios").glob("*.yaml"))) + 1
    assert all("advice" in rec for rec in lines[:-1]) and "unknown key 'mesage'" in lines[-1]["error"]
    assert f"{len(lines) - 1} answered, 1 failed" in err
    code, out, _ = run(capsys, "answer", S01, "--format", "jsonl")
    assert code == 0 and json.loads(out)["advice"]["recommendation"]["option_id"] == "adamw-8bit"


def test_mcp_command_without_the_extra(capsys, monkeypatch):
    import builtins
    real = builtins.__import__

    def no_mcp(name, *args, **kwargs):
        if name.startswith("mcp") or name.endswith("mcp_server"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_mcp)
    monkeypatch.delitem(sys.modules, "advisor.shells.mcp_server", raising=False)
    code, out, err = run(capsys, "mcp")
    assert code == 2 and "pip install 'advisor[mcp]'" in err


def test_explain_a_fact_the_catalogue_implies(capsys):
    """params of a named model come from the catalogue, not from a rule: explain says so instead of failing."""
    code, out, _ = run(capsys, "explain", str(ROOT / "scenarios" / "x01-catalogue-model-memory.yaml"), "params")
    assert code == 0 and "params = 124.4M: from the model catalogue (gpt2, counted from its shapes)" in out


def test_provenance_is_typed():
    from advisor.consultation import run_consultation

    c = run_consultation("I have an 8GB GPU and a 500M parameter model", answers={"training_mode": "finetune"})
    message = c.wm.facts["gpu_memory"].provenance
    assert (message.kind, message.matched, message.rule) == ("message", "8GB GPU", None)
    estimated = next(f.provenance for f in c.wm.facts.values() if f.provenance.kind == "estimate")
    assert estimated.rule in {r.id for r in c.kb.rules} and estimated.estimator
