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


def talk(kb, *lines, width=80):
    state, out = ReplState(Session(kb=kb), width=width), io.StringIO()
    for line in lines:
        if not handle(line, state, out):
            break
    return state, out.getvalue()


def replies(kb, *lines, width=80):
    """Each line's reply on its own, its wrapped lines joined (the wrapping is tested on its own)."""
    state, found = ReplState(Session(kb=kb), width=width), []
    for line in lines:
        out = io.StringIO()
        handle(line, state, out)
        found.append(flat(out.getvalue()))
    return state, found


def flat(text):
    return "\n".join(" ".join(para.split()) for para in text.replace("\n  ", " ").split("\n"))


def test_a_conversation_replies_in_a_few_lines_each(kb):
    state, (first, mode, optimizer, precision) = replies(kb, S1, "fine-tuning", "adamw", "bf16 mixed")
    # the first reply is the short answer
    assert len(first.splitlines()) <= 25
    assert first.startswith("I read: GPU memory 8 GiB; parameters 500M;")
    assert "I recommend: 8-bit AdamW" in first
    assert "Next question (1 of 3): Are you training from scratch or fine-tuning" in first
    # later replies say what was read and what changed, never the whole advice again
    assert mode.startswith("I read: training mode fine-tuning.")
    assert "I now recommend: LoRA adapters on a frozen 16-bit base; bf16 autocast (was: 8-bit AdamW)" in mode
    assert "Next question (1 of 2): Which optimizer" in mode
    assert optimizer.startswith("I read: optimizer AdamW.")
    assert precision.startswith("I read: precision bf16 mixed precision.")
    assert "Your optimizer and precision do not leave room for activations" in precision
    assert "Peak memory per GPU of your plan: 8.75 GiB (was 7.82 GiB)" in precision
    assert "That is all I need to ask." in precision
    for reply in (mode, optimizer, precision):
        assert len(reply.splitlines()) <= 15 and "WHAT I NOTICED" not in reply
    assert state.session.state.answers == {"training_mode": "finetune", "optimizer": "adamw", "precision": "amp_bf16"}


def test_never_silent(kb):
    _, (hello, memory) = replies(kb, "hello", "80 gigs")
    assert hello.startswith("I read nothing I could use in that")
    assert "Next question: How much memory does each GPU have" in hello  # the single most useful question
    assert memory.startswith("I read: GPU memory 80 GiB.")
    assert "Next question: How many parameters does the model have" in memory
    state, (story, nonsense, banana) = replies(kb, S1, "the weather is nice", "banana")
    assert nonsense.startswith("I could not read that as an answer. Answer with one of: from scratch / fine-tuning")
    assert "Next question (1 of 3): Are you training from scratch" in nonsense
    assert banana.startswith("I could not read that as an answer")
    for reply in (hello, memory, story, nonsense, banana):
        assert reply.strip()


def test_a_follow_up_is_read_into_the_same_situation(kb):
    state, (_, correction) = replies(kb, "I have a 24GB GPU and want to fine-tune llama-2-7b", "actually it's a 48GB card")
    assert correction.startswith("I read: GPU memory 48 GiB.")
    assert "GPU memory left for activations with full AdamW: -57.58 GiB (was -79.18 GiB)" in correction
    facts = {f.name: f for f in state.session.advice().facts}
    assert facts["gpu_memory"].value == 48 * 2**30 and facts["model_preset"].value == "llama-2-7b"
    assert state.session.state.messages[-1] == "actually it's a 48GB card"  # each message kept, read in turn


def test_a_correction_replaces_an_earlier_answer(kb):
    state, (_, _, correction) = replies(kb, "hello", "24 GB", "sorry, it is a 16GB card")
    assert correction.startswith("I read: GPU memory 16 GiB")
    assert "gpu_memory" not in state.session.state.answers


def test_answers_in_the_users_own_words(kb):
    state, (_, mode, optimizer, precision) = replies(kb, S1, "we fine-tune it", "8-bit adamw", "not sure")
    assert mode.startswith("I read: training mode fine-tuning.")
    assert optimizer.startswith("I read: optimizer 8-bit AdamW.")
    assert precision.startswith("Skipped: precision. I go on without it.")
    assert state.session.state.answers == {"training_mode": "finetune", "optimizer": "adamw_8bit", "precision": "skip"}
    # an answer that also says more: the answer, and the rest read as a message
    state, (_, _, both) = replies(kb, S1, "fine-tuning", "adamw, and the sequence length is 2048")
    assert both.startswith("I read: optimizer AdamW; sequence length 2048.")


def test_a_direct_question_is_answered(kb):
    _, (_, asked) = replies(kb, S1, "I train in bf16 with adamw, does it fit?")
    assert asked.startswith("I read: optimizer AdamW; precision bf16 mixed precision.")
    assert "You asked: I train in bf16 with adamw, does it fit?" in asked
    assert "• Your optimizer and precision do not leave room for activations: With AdamW in bf16 mixed precision" in asked


def test_a_question_about_an_option_is_answered_from_it_and_changes_nothing(kb):
    state, (_, _, qlora, adam8) = replies(kb, "I have a 24GB GPU and want to fine-tune llama-2-7b",
                                          "bf16 mixed precision with AdamW, sequence length 2048", "would QLoRA fit?",
                                          "and what about 8-bit adamw?")
    assert "QLoRA adapters on a frozen 4-bit base: per GPU 19.82 GiB; model states 4.73 GiB" in qlora
    assert "8-bit AdamW does not fit: even micro-batch 1 needs 83.22 GiB per GPU of 24 GiB." in adam8
    facts = {f.name: f for f in state.session.advice().facts}
    assert facts["adapter"].provenance.kind == "default"  # asking about QLoRA does not say it is in use
    assert state.session.advice().recommendation.option_id == "lora-and-checkpointing"


def test_a_line_is_split_into_what_it_states_and_what_it_asks():
    from advisor.shells.conversation import split_question
    assert split_question("I already use LoRA rank 16; would checkpointing let me run batch 4?") == (
        "I already use LoRA rank 16;", "would checkpointing let me run batch 4?")
    assert split_question("sequence length 2048, what batch fits?") == ("sequence length 2048", "what batch fits?")
    assert split_question("I have a 24GB GPU.") == ("I have a 24GB GPU.", "")


def test_replies_are_wrapped_to_the_width(kb):
    _, out = talk(kb, S1, "fine-tuning", ":why", ":options", ":facts", ":details", ":help", ":whynot qlora", width=60)
    for line in out.splitlines():
        assert len(line) <= 60 or " " not in line.strip() or line.startswith("        "), line  # URLs and code may not


def test_commands(kb, tmp_path):
    path = tmp_path / "mine.yaml"
    _, out = talk(kb, S1, ":why", ":facts", ":how states_full_adamw", ":whynot lora", ":whynot 8-bit adamw", ":options",
                  ":nope", ":fa", ":help", f":save {path}", ":forget params", ":details", ":reset", ":facts")
    out = " ".join(out.split())
    assert "I ask because I need the answer to work out model states with LoRA on a frozen 16-bit base" in out
    assert "GPU memory 8 GiB (your words '8GB GPU')" in out and "share of the card kept free 10%" in out
    assert "model_state_bytes" in out  # :how is the engine's trace, ids included
    assert "LoRA is not considered: adapters are for fine-tuning: say whether you fine-tune a pre-trained model." in out
    assert "8-bit AdamW is offered: 5.03 GiB per GPU of 8 GiB." in out
    assert "→ [1] 8-bit AdamW (recommended)" in out
    assert "unknown command :nope" in out and out.count("What you told me:") == 2  # ':fa' is ':facts'
    assert f"saved {path}" in out and "was not stated or answered" in out and "WHAT I NOTICED" in out
    assert "You have told me nothing yet." in out.split("Forgotten.")[-1]
    from advisor.regress.checker import run_scenario
    from advisor.regress.scenario import load_scenario
    assert run_scenario(load_scenario(str(path), kb), kb).passed  # a saved consultation joins the regression suite


def test_a_saved_conversation_keeps_its_turns(kb, tmp_path):
    import yaml
    path = tmp_path / "turns.yaml"
    state, _ = talk(kb, "I have a 24GB GPU and want to fine-tune llama-2-7b", "actually it's a 48GB card", f":save {path}")
    doc = yaml.safe_load(path.read_text())
    assert doc["message"] == ["I have a 24GB GPU and want to fine-tune llama-2-7b", "actually it's a 48GB card"]
    from advisor.consultation import consult
    assert consult(doc["message"], kb=kb).to_json() == state.session.advice().to_json()


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
    assert "I now recommend: LoRA" in flat(out) and "training mode fine-tuning (your answer)" in flat(out)
    assert "half typed" not in out


def test_tab_then_enter_submits_the_whole_word(kb, pipe):
    state = ReplState(Session(kb=kb))
    handle(S1, state, io.StringIO())
    pipe.send_text("fi\t\r")
    assert build_prompt(state, None).prompt() == "finetune"
    pipe.send_text(":fa\t\r")
    assert build_prompt(state, None).prompt() == ":facts"


def test_the_status_bar_counts_the_facts_facts_lists(kb):
    from advisor.shells.repl import _known
    state, out = talk(kb, S1, "fine-tuning", ":facts")
    section = out.split("What you told me:")[1].split("I assume")[0]
    told = [line for line in section.splitlines() if line.startswith("  ") and not line.startswith("    ")]
    assert _known(state) == f"{len(told)} facts from you" and len(told) == 6


def test_alt_enter_makes_one_turn(kb, pipe):
    rc, state, out = run_keys(kb, pipe, "I have an 8GB GPU" + ALT_ENTER + "and a 500M parameter model" + ENTER + CTRL_D)
    assert state.session.state.messages == ["I have an 8GB GPU\nand a 500M parameter model"]


def test_completion(kb):
    state = ReplState(Session(kb=kb))
    prompt = build_prompt(state, None)
    complete = lambda text: [c.text for c in prompt.completer.get_completions(Document(text), CompleteEvent(completion_requested=True))]  # noqa: E731
    assert complete(":f") == [":facts", ":forget"]
    assert "gpu_memory" in complete(":set gpu_m")
    assert complete(":set gpu_memory 24") == []  # the value is not a fact name
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
    assert out.returncode == 0 and "I recommend: 8-bit AdamW" in out.stdout and "\x1b[" not in out.stdout
    assert "I read: training mode from scratch." in flat(out.stdout)
    assert max(len(line) for line in out.stdout.splitlines()) <= 80  # 80 columns when not a terminal
