"""The REPL: the line handler directly, and whole consultations through prompt_toolkit with a pipe input."""

import io

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from advisor.shells.repl import ReplState, build_prompt, handle, history_path, run
from advisor.shells.session import Session

ENTER, CTRL_C, CTRL_D, ALT_ENTER = "\r", "\x03", "\x04", "\x1b\r"
S1 = "I have an 8GB GPU and a 500M parameter model. Just tell me the batch size that fits."


def talk(kb, *lines):
    state, out = ReplState(Session(kb=kb)), io.StringIO()
    for line in lines:
        if not handle(line, state, out):
            break
    return state, out.getvalue()


def test_a_consultation_one_question_at_a_time(kb):
    state, out = talk(kb, S1, "finetune", "adamw", "amp_bf16")
    assert out.index("! \"The batch that fits\"") < out.index("? Are you training from scratch")
    assert out.count("? Are you training from scratch") == 1
    assert "So far I recommend: 8-bit AdamW" in out and "So far I recommend: LoRA" in out
    assert "That is all I need to know" in out and "RECOMMENDATION" in out


def test_bad_answers_get_a_hint_and_the_question_again(kb):
    _, out = talk(kb, S1, "banana")
    assert "expected one of scratch, finetune, got 'banana' - try again, or skip" in out
    assert out.count("? Are you training from scratch") == 2
    _, out = talk(kb, "my GPU has 16GB, what fits for a 7B model", ":set gpu_memory 8 Gigs")
    assert "is not a memory size" in out and "Traceback" not in out


def test_commands(kb, tmp_path):
    path = tmp_path / "mine.yaml"
    _, out = talk(kb, S1, ":why", ":facts", ":how states_full_adamw", ":whynot lora", ":options", ":nope", ":help",
                  f":save {path}", ":forget params", ":reset", ":facts")
    assert "I ask 'Are you training from scratch" in out
    assert "params = 500M   [message" in out
    assert "model_state_bytes" in out and "LoRA is not considered: adapters are for fine-tuning" in out and "(training_mode)" in out
    assert "OPTIONS" in out and "unknown command :nope" in out and ":whynot" in out
    assert f"saved {path}" in out and "was not stated or answered" in out
    assert "I know nothing yet." in out.split("Forgotten.")[-1]
    from advisor.regress.checker import run_scenario
    from advisor.regress.scenario import load_scenario
    assert run_scenario(load_scenario(str(path), kb), kb).passed  # a saved consultation joins the regression suite


def test_slash_commands_and_quit(kb):
    state, out = talk(kb, "/help", "/quit", "never read")
    assert ":save" in out and "never read" not in out


@pytest.fixture
def pipe():
    with create_pipe_input() as inp:
        with create_app_session(input=inp, output=DummyOutput()):
            yield inp


def run_keys(kb, pipe, keys):
    state, out = ReplState(Session(kb=kb)), io.StringIO()
    pipe.send_text(keys)
    prompt = build_prompt(state, None)
    return run(prompt.prompt, state, out), state, out.getvalue()


def test_prompt_toolkit_session_end_to_end(kb, pipe):
    rc, state, out = run_keys(kb, pipe, S1 + ENTER + "half typed" + CTRL_C + "finetune" + ENTER + ":facts" + ENTER + CTRL_D)
    assert rc == 0
    assert "So far I recommend: LoRA" in out and "training_mode = finetune   [answer]" in out
    assert "half typed" not in out


def test_alt_enter_makes_one_turn(kb, pipe):
    rc, state, out = run_keys(kb, pipe, "I have an 8GB GPU" + ALT_ENTER + "and a 500M parameter model" + ENTER + CTRL_D)
    assert state.session.state.messages == ["I have an 8GB GPU\nand a 500M parameter model"]


def test_completion(kb):
    state = ReplState(Session(kb=kb))
    prompt = build_prompt(state, None)
    complete = lambda text: [c.text for c in prompt.completer.get_completions(Document(text), CompleteEvent(completion_requested=True))]  # noqa: E731
    assert complete(":f") == [":facts", ":forget"]
    assert "gpu_memory" in complete(":set gpu_m")
    assert complete(":whynot lo") == ["lora"]
    handle(S1, state, io.StringIO())
    assert complete("fi") == ["finetune"] and "skip" in complete("")


def test_history_under_xdg_state(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert history_path() == tmp_path / "advisor" / "history"


def test_plain_loop_when_not_a_terminal(kb):
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "advisor", "repl", "--no-history"], input=S1 + "\nscratch\n:quit\n",
                         capture_output=True, text=True, env={"TERM": "dumb", "PATH": "/usr/bin:/bin",
                                                              "HOME": "/tmp", "NO_COLOR": "1"})
    assert out.returncode == 0 and "So far I recommend: 8-bit AdamW" in out.stdout and "\x1b[" not in out.stdout
