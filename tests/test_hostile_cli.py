"""The command line under bad input: batch mode reports every file and goes on (issue 12)."""

import json

import pytest

import advisor.consultation
from advisor.shells import cli


@pytest.fixture
def files(tmp_path):
    (tmp_path / "a_good.yaml").write_text("message: I have a 24GB GPU\n")
    (tmp_path / "b_bad.yaml").write_text("message: hi\nfacts: {gpu_memory: .nan}\n")
    (tmp_path / "c_boom.yaml").write_text("message: please crash\n")
    (tmp_path / "d_tag.yaml").write_text("message: !!python/object:os.system x\n")
    return tmp_path


def _records(out):
    return [json.loads(line) for line in out.splitlines()]


def test_batch_reports_each_file_and_goes_on_after_an_internal_error(files, capsys, monkeypatch):
    real = advisor.consultation.consult

    def consult(message, *args, **kwargs):
        if "crash" in message:
            raise RuntimeError("boom")
        return real(message, *args, **kwargs)

    monkeypatch.setattr(advisor.consultation, "consult", consult)
    code = cli.main(["answer", str(files), str(files / "missing.yaml"), str(files / "a_good.yaml")])
    out, err = capsys.readouterr()
    records = _records(out)
    assert [r["file"].rsplit("/", 1)[-1] for r in records] == ["a_good.yaml", "b_bad.yaml", "c_boom.yaml", "d_tag.yaml",
                                                             "missing.yaml", "a_good.yaml"]
    assert "advice" in records[0] and "advice" in records[5]
    assert records[1]["error"].endswith("b_bad.yaml:2: fact 'gpu_memory': 'nan' is not a finite number")
    assert records[2]["error"].startswith("internal error: RuntimeError('boom')") and records[2]["internal"] is True
    assert "YAML tag '!!python/object:os.system' is not supported" in records[3]["error"]
    assert records[4]["error"].endswith("missing.yaml: no such file or folder")
    assert code == 3
    assert err.splitlines()[-1] == "advisor: 2 answered, 4 failed" and "Traceback" not in err


def test_batch_exit_2_when_only_input_errors(files, capsys):
    (files / "c_boom.yaml").unlink()
    code = cli.main(["answer", str(files), "--format", "jsonl"])
    out, err = capsys.readouterr()
    assert code == 2 and len(_records(out)) == 3 and err.splitlines()[-1] == "advisor: 1 answered, 2 failed"


def test_an_empty_folder_is_reported_and_the_rest_goes_on(files, tmp_path_factory, capsys):
    empty = tmp_path_factory.mktemp("empty")
    code = cli.main(["answer", str(empty), str(files / "a_good.yaml")])
    records = _records(capsys.readouterr().out)
    assert code == 2 and "no scenario files" in records[0]["error"] and "advice" in records[1]


def test_long_error_messages_are_one_bounded_line(tmp_path, capsys):
    path = tmp_path / "long.yaml"
    path.write_text("message: hi\nfacts: {optimizer: '" + "x\\n" * 5000 + "'}\n")
    code = cli.main(["answer", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and len(err) < 1100


def test_check_reports_an_invalid_regex_at_its_line_and_runs_the_rest(tmp_path, capsys):
    bad = tmp_path / "bad_regex.yaml"
    bad.write_text("message: I have an 8GB GPU\nexpect:\n  text:\n    forbid: ['fine', '(unclosed']\n")
    good = tmp_path / "good.yaml"
    good.write_text("message: I have an 8GB GPU\nexpect:\n  text:\n    forbid: ['nan GB']\n")
    code = cli.main(["check", str(bad), str(good)])
    out = capsys.readouterr().out
    assert code == 2
    assert f"{bad}:4: invalid regular expression '(unclosed': missing ), unterminated subpattern" in out
    assert out.strip().endswith("1 passed, 1 failed (1 invalid)")


def test_check_goes_on_after_an_internal_error(tmp_path, capsys, monkeypatch):
    import advisor.regress.checker as checker

    good = tmp_path / "good.yaml"
    good.write_text("message: I have an 8GB GPU\nexpect:\n  text:\n    forbid: ['nan GB']\n")
    crash = tmp_path / "crash.yaml"
    crash.write_text("message: please crash\nexpect:\n  text:\n    forbid: ['nan GB']\n")
    real = checker.consult
    monkeypatch.setattr(checker, "consult", lambda message, *a, **k: (_ for _ in ()).throw(RuntimeError("boom"))
                        if "crash" in message else real(message, *a, **k))
    code = cli.main(["check", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 3 and "internal error: RuntimeError('boom')" in out and out.strip().endswith(
        "1 passed, 1 failed (1 internal error)")


@pytest.mark.parametrize("extra", [[], ["--format", "jsonl"]])
def test_a_long_message_given_where_a_file_name_goes_is_a_plain_error(capsys, extra):
    """A pasted message longer than the system's name limit used to fail the path check itself (OSError 36)."""
    message = "OOM fine-tuning llama-2-7b on a 3090 at batch 4 " * 40
    code = cli.main(["answer", message, *extra])
    out, err = capsys.readouterr()
    shown = (json.loads(out)["error"] if extra else err).strip()
    assert code == 2 and "internal error" not in shown
    assert shown.endswith('no such file or folder (to give your message itself, use -m "…")')
    assert len(shown) < 200  # the name is cut short, not echoed whole


def test_output_with_a_name_too_long_for_the_system_is_a_plain_error(tmp_path, capsys):
    code = cli.main(["answer", "-m", "OOM on a 3090 at batch 4", "-o", str(tmp_path / ("a" * 300))])
    err = capsys.readouterr().err
    assert code == 2 and "--output: cannot write: File name too long" in err and "internal error" not in err
