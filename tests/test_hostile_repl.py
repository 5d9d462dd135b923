"""The REPL under bad input: :save never crashes or loses the consultation, never overwrites without :save!, takes
file names with spaces; undecodable or overlong lines are refused with a hint (issue 12)."""

import io
import subprocess
import sys

import pytest

from advisor.shells.repl import MAX_LINE, ReplState, handle, read_line
from advisor.shells.session import Session

from .conftest import ROOT

S1 = "I have an 8GB GPU and a 500M parameter model. Just tell me the batch size that fits."


@pytest.fixture
def repl(kb):
    state, out = ReplState(Session(kb=kb)), io.StringIO()

    def say(*lines):
        start = out.tell()
        for line in lines:
            assert handle(line, state, out)
        return out.getvalue()[start:]

    say(S1)
    return state, say


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_save_to_a_folder_or_a_missing_folder_keeps_the_consultation(repl, tmp_path):
    state, say = repl
    (tmp_path / "x.yaml").mkdir()
    out = say(f":save {tmp_path / 'x.yaml'}")
    assert "is a folder; give a file name ending in .yaml" in out
    out = say(f":save {tmp_path / 'no' / 'such' / 'place.yaml'}")
    assert "no such folder" in out and "Traceback" not in out
    assert state.session.state.messages == [S1] and _leftovers(tmp_path) == []
    assert "saved" in say(f":save {tmp_path / 'ok.yaml'}")


def test_save_never_overwrites_without_the_bang(repl, tmp_path):
    _, say = repl
    target = tmp_path / "mine.yaml"
    target.write_text("precious: true\n")
    out = say(f":save {target}")
    assert "exists; use :save! " in out and target.read_text() == "precious: true\n"
    out = say(f":save! {target}")
    assert f"saved {target}" in out and "message:" in target.read_text()
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("typed, name", [("my file.yaml", "my file.yaml"), ('"quoted name.yaml"', "quoted name.yaml"),
                                         ("back\\ slash.yaml", "back slash.yaml"), ("it's.yaml", "it's.yaml")])
def test_save_takes_the_rest_of_the_line(repl, tmp_path, typed, name):
    _, say = repl
    out = say(f":save {tmp_path}/{typed}" if not typed.startswith('"') else f':save "{tmp_path}/{typed[1:]}')
    assert (tmp_path / name).is_file(), out
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_save_needs_a_yaml_name(repl, tmp_path):
    _, say = repl
    assert "save to a .yaml file" in say(f":save {tmp_path / 'notes.txt'}")
    assert "usage: :save FILE.yaml" in say(":save", ":save   ")


def test_an_internal_error_keeps_the_session(repl, monkeypatch):
    state, say = repl

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(state.session, "say", boom)
    monkeypatch.setattr(state.session, "answer", boom)
    out = say("something that crashes")
    assert "internal error: RuntimeError('kaboom')" in out and "Your consultation is kept" in out
    monkeypatch.undo()
    assert state.session.state.messages == [S1]
    assert "I recommend: 8-bit AdamW" in say(":advice")


def test_undecodable_text_in_a_line_is_refused(repl):
    state, say = repl
    out = say("caf\udce9 au lait")  # what a lenient decoder makes of Latin-1 bytes
    assert "not valid UTF-8" in out and state.session.state.messages == [S1]


def test_read_line_bounds_and_decodes():
    stream = io.TextIOWrapper(io.BytesIO(b"ok\n\xff\xfe bad\n" + b"x" * (MAX_LINE + 5) + b"\nlast\n"), encoding="utf-8")
    assert read_line(stream) == "ok\n"
    with pytest.raises(Exception, match="not valid UTF-8"):
        read_line(stream)
    with pytest.raises(Exception, match="longer than 1,048,576 bytes"):
        read_line(stream)
    assert read_line(stream) == "last\n"
    with pytest.raises(EOFError):
        read_line(stream)


def test_plain_loop_survives_non_utf8_input():
    data = b"\xff\xfe\xfd\n" + S1.encode() + b"\n:quit\n"
    out = subprocess.run([sys.executable, "-m", "advisor", "repl", "--no-history"], input=data, capture_output=True,
                         cwd=ROOT, env={"TERM": "dumb", "PATH": "/usr/bin:/bin", "HOME": "/tmp"}, timeout=60)
    assert out.returncode == 0, out.stderr
    assert b"not valid UTF-8" in out.stdout and b"I recommend: 8-bit AdamW" in out.stdout and out.stderr == b""
