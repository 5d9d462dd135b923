"""`advisor` / `advisor repl [SCENARIO]`: a consultation in the terminal.

Type your situation in your own words; the advisor says what it noticed, then asks its questions one at a time
(choices are completed, units accepted, `skip` declines) and shows what changed as answers come in. Commands
start with `:` (or `/`). `handle()` does the work and writes to a stream, so it is tested without a terminal;
`run()` wraps it in a prompt_toolkit session (history under $XDG_STATE_HOME/advisor/history, completion,
Ctrl-C discards the line, Ctrl-D quits) or, when stdin is not a terminal or TERM=dumb, in a plain line loop.
No colour is used, so NO_COLOR needs nothing.
"""

from __future__ import annotations

import os
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, TextIO

from advisor.engine.advice import Advice, QuestionOut
from advisor.errors import InputError
from advisor.shells.render import render_text
from advisor.shells.session import Session

COMMANDS = {
    ":help": "list the commands",
    ":why": "why the current question is asked",
    ":how": ":how ID - how a number, option or conclusion was reached",
    ":whynot": ":whynot OPTION - why an option was not offered",
    ":facts": "what I know, with where it came from",
    ":set": ":set NAME VALUE - state a fact",
    ":forget": ":forget NAME - drop a fact or answer you gave",
    ":options": "the options and the recommendation",
    ":advice": "the whole advice so far",
    ":json": "the advice as JSON",
    ":save": ":save FILE.yaml - the consultation as a scenario file (joins advisor check)",
    ":save!": ":save! FILE.yaml - the same, replacing an existing file",
    ":reset": "start over",
    ":quit": "leave (or Ctrl-D)",
}
WIDTH = 100
MAX_LINE = 1 << 20  # characters in one line of input (as a scenario file)


@dataclass
class ReplState:
    session: Session
    pending: QuestionOut | None = None
    seen: set[str] = field(default_factory=set)  # red flags, findings and recommendations already shown
    asked: set[str] = field(default_factory=set)


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(" ".join(text.split()), WIDTH, initial_indent=indent, subsequent_indent=indent)


def _question(q: QuestionOut) -> str:
    extra = f" [{' / '.join(q.choices)}]" if q.choices else (" [yes / no]" if q.kind == "bool" else "")
    unit = {"bytes": " (e.g. 24GB)", "count": " (e.g. 500M)", "seconds": " (e.g. 3 days)"}.get(q.unit or "", "")
    return f"? {q.text}{extra}{unit}   (:why, or skip)"


def _show_news(state: ReplState, advice: Advice, out: TextIO) -> None:
    """Print what is new since the last turn: red flags, findings, the recommendation."""
    for flag in advice.red_flags:
        if ("flag", flag.id) not in state.seen:
            state.seen.add(("flag", flag.id))
            out.write(f"! {flag.title}\n{_wrap(flag.counter)}\n")
    for finding in advice.findings:
        if ("finding", finding.id, finding.title) not in state.seen:
            state.seen.add(("finding", finding.id, finding.title))
            out.write(f"• {finding.title}\n{_wrap(finding.text)}\n")
    rec = advice.recommendation
    key = ("rec", rec.option_id)
    if rec.option_id and key not in state.seen:
        state.seen.add(key)
        title = next(o.title for o in advice.options if o.id == rec.option_id)
        out.write(f"→ So far I recommend: {title} ({rec.option_id}).\n{_wrap(rec.rationale)}\n")


def _next(state: ReplState, advice: Advice, out: TextIO) -> None:
    """Ask the next open question, or show the whole advice when none is left."""
    _show_news(state, advice, out)
    state.pending = next((q for q in advice.questions if q.id not in state.asked), None)
    if state.pending is not None:
        state.asked.add(state.pending.id)
        out.write(_question(state.pending) + "\n")
    elif advice.options or advice.red_flags:
        out.write("\nThat is all I need to know. Here is the advice:\n\n" + render_text(advice))


def _rest(line: str) -> str:
    """The argument of a command that takes one free-form value (a file name): the rest of the line, spaces kept;
    one quoted or backslash-escaped word is unquoted."""
    import shlex

    parts = line[1:].split(None, 1)
    rest = parts[1].strip() if len(parts) > 1 else ""
    try:
        words = shlex.split(rest)
    except ValueError:  # an unbalanced quote: take the text as it is
        return rest
    return words[0] if len(words) == 1 else rest


def _command(line: str, state: ReplState, out: TextIO) -> bool:
    parts = line[1:].split(None, 2)
    name = ":" + (parts[0].lower() if parts else "")
    args = parts[1:]
    s = state.session
    if name not in COMMANDS:
        from difflib import get_close_matches

        hint = get_close_matches(name, list(COMMANDS), n=1)
        out.write(f"unknown command {name}" + (f" - did you mean {hint[0]}?" if hint else "") + " (:help lists them)\n")
        return True
    if name == ":quit":
        return False
    if name == ":help":
        out.write("Describe your situation in your own words, then answer my questions. Commands:\n")
        out.write("".join(f"  {c:9} {h}\n" for c, h in COMMANDS.items()))
    elif name == ":why":
        if state.pending is None:
            out.write("No question is open.\n")
        else:
            out.write(s.explain(state.pending.id).text() + "\n")
    elif name in (":how", ":whynot"):
        if not args:
            out.write(f"usage: {COMMANDS[name]}\n")
        else:
            out.write(s.explain(args[0]).text() + "\n")
    elif name == ":facts":
        from advisor.units import fmt_value

        facts = s.advice().facts
        known = [f for f in facts if f.provenance.kind != "default"]
        if not known:
            out.write("I know nothing yet.\n")
        for f in known:
            by = f" ({f.provenance.by})" if f.provenance.by else ""
            out.write(f"  {f.name} = {fmt_value(f.value, f.unit)}   [{f.provenance.kind}{by}]\n")
        assumed = [f"{f.name} = {fmt_value(f.value, f.unit)}" for f in facts
                   if f.provenance.kind == "default" and f.value is not False]
        if assumed:
            out.write(_wrap("assumed unless you say otherwise: " + "; ".join(assumed)) + "\n")
    elif name == ":set":
        if len(args) < 2:
            out.write("usage: :set NAME VALUE   (e.g. :set gpu_memory 24GB)\n")
        else:
            _next(state, s.set(args[0], args[1]), out)
    elif name == ":forget":
        if not args:
            out.write("usage: :forget NAME\n")
        else:
            state.asked.discard(args[0])
            _next(state, s.forget(args[0]), out)
    elif name in (":options", ":advice"):
        text = render_text(s.advice())
        if name == ":options":
            text = text[text.find("OPTIONS"):] if "OPTIONS" in text else text[text.find("RECOMMENDATION"):]
        out.write(text)
    elif name == ":json":
        out.write(s.advice().to_json() + "\n")
    elif name in (":save", ":save!"):
        target = _rest(line)
        if not target:
            out.write(f"usage: {name} FILE.yaml\n")
        else:
            path = save_scenario(s, Path(target).expanduser(), overwrite=name == ":save!")
            out.write(f"saved {path}: run it with advisor check {_quoted(str(path))}\n")
    elif name == ":reset":
        s.reset()
        state.pending, state.seen, state.asked = None, set(), set()
        out.write("Forgotten. Describe your situation.\n")
    return True


def handle(line: str, state: ReplState, out: TextIO) -> bool:
    """One line of input: a command, an answer to the open question, or more of the user's story.
    Returns False to quit. Bad input gets a one-line hint (and the question again), never a traceback."""
    line = line.strip()
    if not line:
        return True
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes (surrogate escapes) from the terminal or a pipe
        out.write("  that line is not valid UTF-8 text; it was ignored (your consultation is kept)\n")
        return True
    if len(line) > MAX_LINE:
        out.write(f"  that line is longer than {MAX_LINE:,} characters; it was ignored (your consultation is kept)\n")
        return True
    try:
        if line[0] in ":/" and not line[1:2].isdigit():
            return _command(line, state, out)
        if state.pending is not None:
            question = state.pending
            try:
                advice = state.session.answer(question.id, line)
            except InputError as exc:
                out.write(f"  {exc.message} - try again, or skip\n{_question(question)}\n")
                return True
            _next(state, advice, out)
        else:
            _next(state, state.session.say(line), out)
    except InputError as exc:
        out.write(f"  {exc.location_message()}\n")
    except Exception as exc:  # noqa: BLE001 - a bug must not end the session and lose the consultation
        text = " ".join(repr(exc).split())[:300]
        out.write(f"  internal error: {text}; please report it. Your consultation is kept (:save FILE.yaml keeps it "
                  f"on disk)\n")
    return True


def _quoted(path: str) -> str:
    import shlex

    return shlex.quote(path)


def save_scenario(session: Session, path: Path, overwrite: bool = False) -> Path:
    """The consultation as a scenario file, its current advice as the expectation (so it joins `advisor check`).
    Written whole or not at all (a temporary file in the same folder, then renamed); an existing file is replaced
    only with `overwrite`; every failure is an InputError and leaves nothing behind."""
    import yaml

    from advisor.files import write_atomically

    if path.suffix not in (".yaml", ".yml"):
        raise InputError(f"save to a .yaml file, got {path.name!r}")
    if path.is_dir():
        raise InputError(f"{str(path)!r} is a folder; give a file name ending in .yaml")
    folder = path.parent
    if not folder.is_dir():
        raise InputError(f"no such folder {str(folder)!r}; create it first or save elsewhere")
    if (path.exists() or path.is_symlink()) and not overwrite:
        raise InputError(f"{str(path)!r} exists; use :save! {_quoted(str(path))} to replace it")
    advice = session.advice()
    expect: dict = {
        "red_flags": {"include": [r.id for r in advice.red_flags]},
        "questions": {"only": [q.id for q in advice.questions]},
        "options": {"include": [{"id": o.id} for o in advice.options]},
        "recommendation": {"option": advice.recommendation.option_id},
    }
    doc = {"title": f"saved from the REPL: {session.message[:60]}", "message": session.message,
           "facts": session.state.facts, "answers": session.state.answers, "expect": expect}
    text = "# yaml-language-server: $schema=../advisor/kb/schemas/scenario.schema.json\n" + yaml.safe_dump(
        doc, sort_keys=False, allow_unicode=True, width=100)
    try:
        write_atomically(path, text)  # never half-written, no stray temporary
    except OSError as exc:
        raise InputError(f"cannot save {str(path)!r}: {exc.strerror or exc}") from None
    return path


# ---------------------------------------------------------------------------------------------- the shells

def history_path() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "advisor" / "history"


def _completions(state: ReplState) -> Callable[[str], Iterable[tuple[str, str]]]:
    def complete(text_before: str) -> Iterable[tuple[str, str]]:
        words = text_before.split()
        if text_before.startswith((":", "/")) and len(words) <= 1 and not text_before.endswith(" "):
            word = text_before.replace("/", ":", 1)
            return [(c, h) for c, h in COMMANDS.items() if c.startswith(word)]
        if words and words[0] in (":set", ":forget", ":how", ":whynot") and (len(words) == 1 or not text_before.endswith(" ")):
            prefix = words[1] if len(words) > 1 else ""
            if words[0] == ":whynot":
                from advisor.kb.model import OptionRule

                from advisor.domain.plans import single_change_ids

                names = sorted({r.option for r in state.session.kb.rules if isinstance(r, OptionRule)} | set(single_change_ids()))
            else:
                names = list(state.session.kb.facts)
            return [(n, "") for n in names if n.startswith(prefix)]
        if state.pending is not None and state.pending.choices and not text_before.startswith((":", "/")):
            return [(c, "") for c in state.pending.choices + ["skip"] if c.startswith(text_before.strip())]
        return []

    return complete


def build_prompt(state: ReplState, history_file: Path | None):
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import Completer, Completion
    from prompt_toolkit.history import FileHistory, InMemoryHistory
    from prompt_toolkit.key_binding import KeyBindings

    complete = _completions(state)

    class AdvisorCompleter(Completer):
        def get_completions(self, document, complete_event):  # noqa: ANN001 - prompt_toolkit's signature
            before = document.text_before_cursor
            current = before.split()[-1] if before.split() and not before.endswith(" ") else ""
            for text, meta in complete(before):
                yield Completion(text, start_position=-len(current), display_meta=meta)

    history = InMemoryHistory()
    if history_file is not None:
        try:
            history_file.parent.mkdir(parents=True, exist_ok=True)
            history = FileHistory(str(history_file))
        except OSError:
            pass
    keys = KeyBindings()

    @keys.add("escape", "enter")  # Alt-Enter inserts a newline; Enter submits
    def _(event):  # noqa: ANN001
        event.current_buffer.insert_text("\n")

    return PromptSession(message="advisor> ", history=history, completer=AdvisorCompleter(), key_bindings=keys,
                         complete_while_typing=True, multiline=False,
                         bottom_toolbar=lambda: f" facts: {len(state.session.state.facts) + len(state.session.state.answers)}"
                                                "   :help commands   Ctrl-D quit ")


BANNER = ("advisor - batch size and GPU memory. Describe your situation in your own words "
          "(e.g. 'I have a 24GB GPU and want to fine-tune a 7B model'). :help for commands, Ctrl-D to quit.\n")


def read_line(stream: TextIO) -> str:
    """One line from a non-terminal stdin. A line that is not UTF-8 or longer than MAX_LINE bytes is an InputError
    (the loop shows it and goes on); the rest of an overlong line is skipped, never held in memory."""
    raw = getattr(stream, "buffer", None)
    data = raw.readline(MAX_LINE + 1) if raw is not None else stream.readline(MAX_LINE + 1)
    if not data:
        raise EOFError
    newline = b"\n" if isinstance(data, bytes) else "\n"
    if len(data) > MAX_LINE and not data.endswith(newline):
        while True:
            more = raw.readline(MAX_LINE) if raw is not None else stream.readline(MAX_LINE)
            if not more or more.endswith(newline):
                break
        raise InputError(f"that line is longer than {MAX_LINE:,} bytes; it was ignored (your consultation is kept)")
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("that line is not valid UTF-8 text; it was ignored (your consultation is kept)") from None


def run(prompt: Callable[[], str], state: ReplState, out: TextIO) -> int:
    """The loop: Ctrl-C (KeyboardInterrupt) discards the line, Ctrl-D (EOFError) quits."""
    while True:
        try:
            line = prompt()
        except KeyboardInterrupt:
            continue
        except EOFError:
            out.write("\n")
            return 0
        except InputError as exc:  # a line the reader refused (not UTF-8, too long)
            out.write(f"  {exc.message}\n")
            continue
        if not handle(line, state, out):
            return 0


def main(scenario: str | None = None, history_file: Path | None = None, rules_dir: str | None = None) -> int:
    from advisor.consultation import load_kb
    from advisor.regress.scenario import load_scenario

    kb = load_kb(rules_dir)
    session = Session(kb=kb)
    out = sys.stdout
    state = ReplState(session)
    out.write(BANNER)
    if scenario:
        sc = load_scenario(scenario, kb)
        session.state.facts.update(sc.spec.facts)
        session.state.answers.update(sc.spec.answers)
        if sc.spec.message:
            session.state.messages.append(sc.spec.message)
        out.write(f"(loaded {scenario})\n")
        _next(state, session.advice(), out)
    if sys.stdin is None:  # started with stdin closed (<&-): nothing to read
        out.write("\n")
        return 0
    interactive = sys.stdin.isatty() and sys.stdout.isatty() and os.environ.get("TERM") != "dumb"
    if not interactive:
        def plain() -> str:
            return read_line(sys.stdin)

        return run(plain, state, out)
    prompt_session = build_prompt(state, history_file)
    return run(prompt_session.prompt, state, out)
