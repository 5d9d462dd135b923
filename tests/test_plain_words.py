"""No user-facing text carries rule ids, fact names or the engine's syntax.

Ids belong in the JSON advice and in HOW explanations (`:how`, `advisor explain ID`); everything else a person
reads - the short answer, `--verbose`, Markdown, the HTML page, the REPL's replies, WHY and WHY-NOT - speaks in
labels, titles and values. This scans the text of every golden scenario (each turn) and of REPL conversations built from them.
"""

import io
import re

import pytest

from advisor.consultation import run_consultation
from advisor.kb.model import OptionRule
from advisor.regress.scenario import load_scenario
from advisor.shells.html_report import render_advice_html
from advisor.shells.render import render_markdown, render_short, render_text
from advisor.shells.conversation import known_options
from advisor.shells.repl import ReplState, handle
from advisor.shells.session import Session

from .conftest import ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
ENGINE_SYNTAX = [
    r"\b(?:eq|ne|lt|lte|gt|gte) (?:True|False|-?\d|[a-z_]+\b)",  # a condition: 'headroom_adamw_8bit gt 0'
    r"\b(?:all|any) of \(", r"needs: ", r"\(it is -?\d", r"\(unknown\)", r"\bis (?:known|unknown)\b",
    r"\brule [a-z][a-z0-9]*-", r"\b(?:estimate|decision|option|finding|red flag) [a-z][a-z0-9]*-[a-z0-9-]+",
    r"\[(?:message|answer|given|derived|estimate|default)\b", r"\bprovenance\b", r"= (?:True|False|None)\b",
]


_FORBIDDEN: dict[int, re.Pattern] = {}


def forbidden(kb) -> re.Pattern:
    if id(kb) not in _FORBIDDEN:
        _FORBIDDEN[id(kb)] = _forbidden(kb)
    return _FORBIDDEN[id(kb)]


def option_ids(kb) -> set[str]:
    """Option ids: those of the option rules and those the plan search gives (offered or weighed) in the golden
    scenarios."""
    ids = {r.option for r in kb.rules if isinstance(r, OptionRule)}
    for path in SCENARIOS:
        sc = load_scenario(str(path), kb)
        for message, facts, answers, _, _ in sc.turns():
            c = run_consultation(message, facts, answers, configs=sc.configs, kb=kb)
            ids |= {o.id for o in c.advice.options} | {name for name in known_options(c)}
    return ids


def _forbidden(kb) -> re.Pattern:
    """Rule ids and option ids (with a hyphen) that the knowledge base's own prose does not use as words
    ('data-parallel' is both), fact names and choice values (with an underscore), as whole words, and the
    condition language."""
    ids = {r.id for r in kb.rules} | option_ids(kb)
    prose = " ".join(str(v) for r in kb.rules for k, v in r.model_dump().items()
                     if k in ("title", "text", "counter", "summary", "rationale") and isinstance(v, str))
    ids = {i for i in ids if not re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", prose)}
    names = {n for n in kb.facts if "_" in n}
    names |= {c for spec in kb.facts.values() for c in spec.choices or () if "_" in c}
    words = sorted(i for i in ids if "-" in i) + sorted(names)
    word = r"(?<![\w.\-/])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w\-(])"
    return re.compile("|".join([word] + ENGINE_SYNTAX))


def check(kb, text: str, where: str, said: str = "") -> None:
    # a setting quoted from the user's own config file, 'from FILE line 7 (warmup_ratio: 0.03)', is their words
    text = re.sub(r"(line \d+) \([\w.]+: [^()]*\)", r"\1", " ".join(text.split()))
    # so is an identifier the user wrote themselves ('batch_size 12' in a real question), echoed back to them
    found = next((m for m in forbidden(kb).finditer(text) if m.group(0) not in said), None)
    assert found is None, f"{where}: {found.group(0)!r} in …{text[max(0, found.start() - 80):found.end() + 40]}…"


def users_words(sc, message: str) -> str:
    """What the user wrote: the message and the text of the config files they gave."""
    return " ".join([message, *(f.content for f in sc.configs)])


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_golden_scenarios_speak_plain_words(kb, path):
    sc = load_scenario(str(path), kb)
    for n, (message, facts, answers, _, _) in enumerate(sc.turns()):
        c = run_consultation(message, facts, answers, configs=sc.configs, kb=kb)
        shown = message if isinstance(message, str) else " ".join(message)
        for name, text in (("short", render_short(c)), ("verbose", render_text(c.advice, kb)),
                           ("markdown", render_markdown(c.advice, kb)),
                           ("html", visible_text(render_advice_html(c.advice, shown, kb)))):
            check(kb, _without_snippets(c.advice, text), f"{path.name} turn {n} {name}", users_words(sc, shown))


def visible_text(page: str) -> str:
    """What a browser shows of a page: its text, without styles and code blocks (charts' labels included)."""
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.hidden, self.parts = 0, []

        def handle_starttag(self, tag, attrs):
            self.hidden += tag in ("style", "script", "pre", "title")

        def handle_endtag(self, tag):
            self.hidden -= tag in ("style", "script", "pre", "title")

        def handle_data(self, data):
            if not self.hidden:
                self.parts.append(data)

    parser = Text()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


def _without_snippets(advice, text: str) -> str:
    for item in (*advice.findings, *advice.options):
        if item.snippet:
            for line in item.snippet.splitlines():
                if line.strip():
                    text = text.replace(line.rstrip(), "")
    return text


def conversation(kb, message: str, extra: list[str]) -> list[tuple]:
    """A REPL conversation: the message, an answer to every question in words, the commands a person uses."""
    state, said = ReplState(Session(kb=kb), width=80), []

    def say(line: str) -> None:
        out = io.StringIO()
        handle(line, state, out)
        said.append((out.getvalue(), state.session.advice()))  # (the advice: its code snippets are not prose)

    say(message)
    options = sorted(known_options(state.session.consultation()))
    for option in options:  # before any answer: options wait for questions or are left out
        say(f":whynot {option}")
    for _ in range(8):  # answer the questions as they come, in words where the vocabulary has labels
        q = state.pending
        if q is None or not q.id:
            break
        spec = kb.facts[q.id]
        say(spec.value_label(q.choices[-1]) if q.choices else "yes" if q.kind == "bool" else "skip")
    for line in extra + [":why", ":facts", ":options", ":advice", ":details", "hello"]:
        say(line)
    for option in sorted(known_options(state.session.consultation())):
        say(f":whynot {option}")
    return said


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_repl_replies_speak_plain_words(kb, path):
    sc = load_scenario(str(path), kb)
    message = sc.spec.message if isinstance(sc.spec.message, str) else " ".join(sc.spec.message)
    for n, (reply, advice) in enumerate(conversation(kb, message or "hello", ["actually it's a 48GB card", "what batch fits?"])):
        assert reply.strip(), f"{path.name}: reply {n} is empty"  # never silent
        check(kb, _without_snippets(advice, reply), f"{path.name} reply {n}", users_words(sc, message))


def test_the_scan_finds_what_it_looks_for(kb):
    """The scan is not vacuous: the old texts it replaced fail it."""
    for bad in ("why: Model states with LoRA (estimate est-states-lora)",
                "was not offered because headroom_adamw_8bit gt 0 (it is -56400000000.0)",
                "(needs: all of (model_states_exceed_gpu eq True; params gt 0))",
                "  1. Which precision? [fp32 / amp_bf16]   (answer as precision)",
                "→ 8-bit AdamW with activation checkpointing (adamw-8bit)",
                "  gpu_memory = 24 GiB   [message ('24GB GPU')]"):
        assert forbidden(kb).search(bad), bad
    for good in ("I ask because the answer decides whether I can offer 'LoRA adapters on a frozen 16-bit base'.",
                 "'8-bit AdamW' was not offered: it needs GPU memory left for activations above 0; here it is -56.40 GB.",
                 "torch.cuda.max_memory_reserved() after 8-bit AdamW, bf16 mixed precision"):
        assert not forbidden(kb).search(good), good
    # an identifier the user wrote is echoed back as their words; the same identifier from the advisor is not allowed
    check(kb, "batch per update 12 (your words 'batch_size 12')", "echo", said="I run with batch_size 12")
    with pytest.raises(AssertionError):
        check(kb, "batch per update 12 (your words 'batch_size 12')", "echo", said="I run with a batch of 12")


@pytest.mark.parametrize("width", [80, 60])
def test_the_short_answer_is_short_and_wrapped(kb, width):
    for path in SCENARIOS:
        sc = load_scenario(str(path), kb)
        for n, (message, facts, answers, _, _) in enumerate(sc.turns()):
            c = run_consultation(message, facts, answers, configs=sc.configs, kb=kb)
            short = render_short(c, width)
            assert len(short.splitlines()) <= 25, f"{path.name} turn {n}"
            for text in (short, _without_snippets(c.advice, render_text(c.advice, kb, width))):
                long = [line for line in text.splitlines() if len(line) > width and " " in line.strip()]
                assert not long, f"{path.name} turn {n}: {long[0]!r}"  # only an unbreakable word (a URL) may run past


def test_answer_wraps_to_the_terminal_width(tmp_path):
    import subprocess
    import sys
    scenario = str(ROOT / "scenarios" / "s01-memory-pressure.yaml")
    for columns, limit in (("", 80), ("60", 60), ("300", 100)):  # 80 when not a terminal; prose never past 100
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **({"COLUMNS": columns} if columns else {})}
        out = subprocess.run([sys.executable, "-m", "advisor", "answer", scenario], capture_output=True, text=True,
                             env=env, cwd=ROOT, check=True).stdout
        assert max(len(line) for line in out.splitlines()) <= limit
        assert max(len(line) for line in out.splitlines()) > limit - 10  # and it does use the width


def test_question_reasons_quote_no_placeholder_and_no_two_branches(kb):
    """A reason never quotes a title with a value not known yet ('Start from micro-batch …') and never lists both
    outcomes of one decision ('do not leave room …, or leave room …'); the short answer's 'I read' holds what the
    user said, not the catalogue's flags."""
    from advisor.consultation import run_consultation
    from advisor.shells.render import render_short

    for message in ("OOM fine-tuning llama-2-7b with LoRA on a single 3090, batch 4, seq 2048",
                    "DataParallel or DDP on 2 GPUs? 2x RTX 3090, resnet50 imagenet, batch 256 total",
                    "I have an 8GB GPU and a 500M parameter model. Just tell me the batch size that fits."):
        c = run_consultation(message, kb=kb)
        for q in c.advice.questions:
            assert "…" not in q.reason and ", or leave" not in q.reason, q.reason
        short = render_short(c)
        assert "The GPU supports bf16" not in short and "tensor cores" not in short.split("What I noticed")[0]


def test_short_answer_gives_the_leading_explanation_the_lines_left_and_cuts_it_at_a_sentence():
    """When what was noticed is the answer, its explanation gets the lines the rest of the short answer leaves
    (a QLoRA-speed answer with nothing else to say keeps its last sentence, which says what to compare), and an
    explanation that must be cut ends at a whole sentence when that costs at most one line."""
    from advisor.consultation import run_consultation
    from advisor.shells.render import SHORT_LINES, fill, fill_sentences, render_short

    c = run_consultation("I find that QLoRA is much slower than LoRA with the same LoRA config - the time cost of "
                         "QLoRA is five times that of LoRA. Could you explain the reason?")
    short = render_short(c, 80)
    assert "Compare tokens per second" in " ".join(short.split()), short
    assert len(short.splitlines()) <= SHORT_LINES

    text = ("First sentence is short. " + "The second sentence runs on for a while, " * 4 + "and ends here. "
            + "A third sentence follows it.")
    whole = fill(text, 40, "  ")
    cut = fill_sentences(text, 40, "  ", len(whole) - 1)
    assert len(cut) <= len(whole) - 1 and " ".join(cut).split()[-2:] == ["here.", "…"], cut
    assert fill_sentences(text, 40, "  ", len(whole)) == whole
    # when whole sentences would leave two lines empty, the first lines are kept instead
    assert fill_sentences(text, 40, "  ", 3)[:2] == whole[:2] and fill_sentences(text, 40, "  ", 3)[-1].endswith("…")
    # an explanation that says what to do after its cut keeps that sentence, after its first ones
    advice = ("The result changes with the batch. " + "BatchNorm uses each batch's own statistics in training mode, " * 3
              + "and dropout is on. Call model.eval() before testing.")
    kept = " ".join(" ".join(fill_sentences(advice, 40, "  ", 4)).split())
    assert kept == "The result changes with the batch. … Call model.eval() before testing.", kept


def test_a_long_leading_explanation_takes_the_next_steps_lines(kb):
    """When what was noticed leads and its explanation would be cut, the short answer gives it the lines of the next
    measurement and of all but the first deciding number (both in --verbose), when that says another sentence:
    Unsloth's eval OOM keeps the lever, eval_accumulation_steps."""
    from advisor.consultation import run_consultation
    from advisor.shells.render import render_short

    c = run_consultation("Fine-tuning a LoRA for Gemma 4 E2B on an RTX 4090 (24 GB) with Unsloth. max_seq_length: "
                         "4096, batch_size: 1, gradient_accumulation_steps: 32, eval_steps: 2000, optim: adamw_8bit. "
                         "Training runs fine at ~15 GB of VRAM, but it hits OOM all of a sudden when eval starts. Why "
                         "does eval need more memory than training here, and what should I set?", kb=kb)
    short = render_short(c)
    assert "eval_accumulation_steps" in short and "Next step:" not in short and c.advice.measure
    assert len(short.splitlines()) <= 25
