"""`advisor` / `advisor repl [SCENARIO]`: a consultation in the terminal, as a conversation.

Type your situation in your own words. Every line is read into the same situation (new facts added, corrected
ones replaced) and the reply is a few lines: what I read, the answer to your question if you asked one, what
changed in the advice, and the next question - never nothing. Questions can be answered in your own words
("bf16 mixed", "80 gigs", "not sure"); a line that is not an answer is read as more of your story. The first
reply is the short answer; `:details` shows the whole advice. Commands start with `:` (or `/`). `handle()` does
the work and writes to a stream, so it is tested without a terminal; `run()` wraps it in a prompt_toolkit
session (history under $XDG_STATE_HOME/advisor/history, completion, Ctrl-C discards the line, Ctrl-D quits) or,
when stdin is not a terminal or TERM=dumb, in a plain line loop. Replies are wrapped to the terminal's width.
No colour is used, so NO_COLOR needs nothing.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, TextIO

from advisor.engine.advice import QuestionOut
from advisor.errors import InputError
from advisor.shells.conversation import MORE, known_options, options_asked_about, split_question, turn, user_facts
from advisor.shells.render import fill, render_short, render_text, text_width, wrap_lines
from advisor.shells.session import Session

COMMANDS = {
    ":help": "list the commands",
    ":why": "why the current question is asked",
    ":whynot": ":whynot OPTION - why an option was not offered (its name or a few words of its title)",
    ":how": ":how ID - how a number, option or conclusion was reached (the engine's trace, with ids)",
    ":facts": "what I know from you, and what I assume",
    ":set": ":set NAME VALUE - state a fact by its name (advisor facts lists them)",
    ":forget": ":forget NAME - drop a fact or answer you gave",
    ":options": "the options and the recommendation",
    ":advice": "the short answer again",
    ":details": "the whole advice: every option with its tradeoffs, the formulas, the sources",
    ":json": "the advice as JSON",
    ":save": ":save FILE.yaml - the consultation as a scenario file (joins advisor check)",
    ":save!": ":save! FILE.yaml - the same, replacing an existing file",
    ":reset": "start over",
    ":quit": "leave (or Ctrl-D)",
}
MAX_LINE = 1 << 20  # characters in one line of input (as a scenario file)


@dataclass
class ReplState:
    session: Session
    pending: QuestionOut | None = None  # the question the last reply ended with
    width: int | None = None  # columns to wrap to; None: the terminal's, at every reply

    @property
    def columns(self) -> int:
        return self.width or text_width()


def _hint(state: ReplState, q: QuestionOut) -> str:
    """What a reply to `q` can look like."""
    spec = state.session.kb.facts.get(q.id)
    if q.choices and spec is not None:
        return "Answer with one of: " + " / ".join(spec.value_label(c) for c in q.choices) + ", or skip."
    if q.kind == "bool":
        return "Answer yes or no, or skip."
    return "Answer in your own words (with the unit, as in the question's example), or skip."


def _reply(state: ReplState, line: str, out: TextIO) -> None:
    """A line that is not a command: a question about an option, an answer to the open question, or more of
    the user's story."""
    s = state.session
    before = s.consultation()
    first = not user_facts(before)
    statements, asked = split_question(line)
    options = options_asked_about(before, asked) if asked and not first else []
    if options:  # 'would QLoRA fit?' asks about an option; it does not say QLoRA is in use
        if statements:
            s.say(statements)
        reply = turn(before, s.consultation(), line, state.columns, first, options=options)
        out.write(reply.text)
        state.pending = reply.question or state.pending
        return
    note = None
    question = state.pending
    if question is not None and question.id:
        try:
            s.answer(question.id, line)
            if s.state.answers.get(question.id) == "skip":
                note = f"Skipped: {s.kb.facts[question.id].plain_label}. I go on without it."
            elif _reads_more(s, line, question.id):
                s.say(line)  # "bf16 mixed, on 4 GPUs": the answer, and the rest of the line as a message,
                s.answer(question.id, line)  # which would otherwise take the answer's place
        except InputError:
            s.say(line)  # not an answer: more of the story
            note = f"I could not read that as an answer. {_hint(state, question)}"
    else:
        s.say(line)
    reply = turn(before, s.consultation(), line, state.columns, first, note)
    out.write(reply.text)
    state.pending = reply.question


def _reads_more(session: Session, line: str, answered: str) -> bool:
    from advisor.consultation import read_message

    return bool(set(read_message(session.kb, line)) - {answered})


def _find_option(state: ReplState, words: str) -> str | None:
    """An option by its id or by words of its title ('8-bit adamw', 'lora')."""
    titles = known_options(state.session.consultation())

    def norm(text: str) -> str:
        return " ".join(text.lower().replace("-", " ").split())

    key = norm(words)
    if words in titles:
        return words
    exact = [o for o, t in titles.items() if key in (norm(o), norm(t))]
    inside = [o for o, t in titles.items() if key and (key in norm(t) or key in norm(o))]
    found = exact or inside or options_asked_about(state.session.consultation(), words)  # '8-bit adamw': adamw-8bit
    return found[0] if len(found) == 1 or exact else None


def _facts(state: ReplState, out: TextIO) -> None:
    from advisor.engine.wording import fact_words

    c = state.session.consultation()
    told = list(user_facts(c).values())
    width = state.columns
    lines = ["What you told me:" if told else "You have told me nothing yet."]
    where = {"message": "your words", "given": "you stated it", "answer": "your answer", "measured": "measured",
             "estimate": "from the model catalogue", "config": "your config file:"}
    for f in told:
        origin = where.get(f.provenance.kind, f.provenance.kind)
        if f.provenance.kind in ("message", "config") and f.provenance.by:
            origin += f" {f.provenance.by}"
        lines += fill(f"{fact_words(c.kb, f.name, f.value)} ({origin})", width, "    ", "  ")
    assumed = [fact_words(c.kb, f.name, f.value) for f in c.advice.facts
               if f.provenance.kind == "default" and f.value is not False]
    if assumed:
        lines += fill("I assume, unless you say otherwise: " + "; ".join(assumed) + ".", width, "  ", first="")
    out.write("\n".join(lines) + "\n")


def _options(state: ReplState, out: TextIO) -> None:
    from advisor.shells.render import first_sentences, option_numbers

    advice = state.session.advice()
    width = state.columns
    if not advice.options:
        out.write("\n".join(fill("No options yet. " + advice.recommendation.rationale, width, "  ", first="")) + "\n")
        return
    lines = []
    for i, o in enumerate(advice.options, 1):
        mark = "→" if o.id == advice.recommendation.option_id else " "
        lines += fill(o.title + (" (recommended)" if mark == "→" else ""), width, "      ", f"{mark} [{i}] ")
        numbers = option_numbers(o)
        lines += fill((numbers + ". " if numbers else "") + first_sentences(o.summary), width, "      ", max_lines=3)
    lines += fill(f"{MORE} has their tradeoffs; :whynot OPTION says why one is missing.", width, "  ", first="")
    out.write("\n".join(lines) + "\n")


def _command(line: str, state: ReplState, out: TextIO) -> bool:
    parts = line[1:].split(None, 2)
    name = ":" + (parts[0].lower() if parts else "")
    args = parts[1:]
    s = state.session
    starting = [c for c in COMMANDS if c.startswith(name) and c != ":save!"]
    if name not in COMMANDS and len(starting) == 1 and len(name) > 2:  # ':fa' is ':facts'
        name = starting[0]
    if name not in COMMANDS:
        from difflib import get_close_matches

        hint = get_close_matches(name, list(COMMANDS), n=1)
        out.write(f"unknown command {name}" + (f" - did you mean {hint[0]}?" if hint else "") + " (:help lists them)\n")
        return True
    if name == ":quit":
        return False
    if name == ":help":
        out.write("\n".join(fill("Describe your situation in your own words, then answer my questions (in your own "
                                "words too). Commands:", state.columns, "")) + "\n")
        out.write("".join("\n".join(fill(h, state.columns, " " * 12, f"  {c:9} ")) + "\n" for c, h in COMMANDS.items()))
    elif name == ":why":
        q = state.pending
        if q is None or not q.id:
            out.write("No question is open.\n")
        elif q.id in {x.id for x in s.advice().questions}:
            out.write(wrap_lines(s.explain(q.id).lines, state.columns))
        else:
            out.write("\n".join(fill(q.reason, state.columns, "  ", first="")) + "\n")
    elif name == ":how":
        if not args:
            out.write(f"usage: {COMMANDS[name]}\n")
        else:
            out.write(wrap_lines(s.explain(args[0]).lines, state.columns))
    elif name == ":whynot":
        words = line[1:].split(None, 1)[1] if len(line[1:].split(None, 1)) > 1 else ""
        option = _find_option(state, words.strip()) if words.strip() else None
        if not words.strip():
            out.write(f"usage: {COMMANDS[name]}\n")
        elif option is None:
            out.write(f"I know no single option called {words.strip()!r}; :options lists those offered.\n")
        else:
            from advisor.engine.explain import why_not

            out.write(wrap_lines(why_not(s.consultation(), option).lines, state.columns))
    elif name == ":facts":
        _facts(state, out)
    elif name == ":set":
        if len(args) < 2:
            out.write("usage: :set NAME VALUE   (e.g. :set gpu_memory 24GB)\n")
        else:
            before = s.consultation()
            s.set(args[0], args[1])
            reply = turn(before, s.consultation(), "", state.columns, False)
            out.write(reply.text)
            state.pending = reply.question
    elif name == ":forget":
        if not args:
            out.write("usage: :forget NAME\n")
        else:
            before = s.consultation()
            s.forget(args[0])
            reply = turn(before, s.consultation(), "", state.columns, False)
            out.write(reply.text)
            state.pending = reply.question
    elif name == ":options":
        _options(state, out)
    elif name == ":advice":
        out.write(render_short(s.consultation(), state.columns, more=MORE))
    elif name == ":details":
        out.write(render_text(s.advice(), s.kb, state.columns))
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
        state.pending = None
        out.write("Forgotten. Describe your situation.\n")
    return True


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


def handle(line: str, state: ReplState, out: TextIO) -> bool:
    """One line of input: a command, an answer to the open question, or more of the user's story.
    Returns False to quit. Bad input gets a one-line hint, never a traceback; every line gets a reply."""
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
        _reply(state, line, out)
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

    from advisor.files import path_kind, write_atomically

    if path.suffix not in (".yaml", ".yml"):
        raise InputError(f"save to a .yaml file, got {path.name!r}")
    kind = path_kind(path)
    if kind == "folder":
        raise InputError(f"{str(path)!r} is a folder; give a file name ending in .yaml")
    folder = path.parent
    if path_kind(folder) != "folder":
        raise InputError(f"no such folder {str(folder)!r}; create it first or save elsewhere")
    if kind != "missing" and not overwrite:
        raise InputError(f"{str(path)!r} exists; use :save! {_quoted(str(path))} to replace it")
    advice = session.advice()
    expect: dict = {
        "red_flags": {"include": [r.id for r in advice.red_flags]},
        "questions": {"only": [q.id for q in advice.questions]},
        "options": {"include": [{"id": o.id} for o in advice.options]},
        "recommendation": {"option": advice.recommendation.option_id},
    }
    messages = session.state.messages
    doc = {"title": f"saved from the REPL: {session.message[:60]}", "message": messages[0] if len(messages) == 1 else messages,
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
        second_word = (len(words) == 1 and text_before.endswith(" ")) or (len(words) == 2 and not text_before.endswith(" "))
        if words and words[0] in (":set", ":forget", ":how", ":whynot") and second_word:
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
    from prompt_toolkit.completion import CompleteEvent, Completer, Completion
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
    completer = AdvisorCompleter()

    @keys.add("escape", "enter")  # Alt-Enter inserts a newline; Enter submits
    def _(event):  # noqa: ANN001
        event.current_buffer.insert_text("\n")

    @keys.add("tab")
    def _(event):  # noqa: ANN001
        """Complete now, not when a background completion finishes: one match is inserted whole, several insert
        what they share and open the menu (Tab again moves through it)."""
        buf = event.current_buffer
        if buf.complete_state is not None and buf.complete_state.completions:
            buf.complete_next()
            return
        found = list(completer.get_completions(buf.document, CompleteEvent(completion_requested=True)))
        if len(found) == 1:
            buf.apply_completion(found[0])
        elif found:
            shared = os.path.commonprefix([c.text for c in found])
            typed = -found[0].start_position
            if len(shared) > typed:
                buf.insert_text(shared[typed:])
            buf.start_completion(select_first=False)

    @keys.add("enter")
    def _(event):  # noqa: ANN001
        """Enter submits the whole word a Tab chose, never the part typed before it."""
        buf = event.current_buffer
        state_ = buf.complete_state
        if state_ is not None and state_.current_completion is not None:
            buf.apply_completion(state_.current_completion)
        buf.validate_and_handle()

    return PromptSession(message="advisor> ", history=history, completer=completer, key_bindings=keys,
                         complete_while_typing=True, multiline=False,
                         bottom_toolbar=lambda: f" {_known(state)}   :help commands   Ctrl-D quit ")


def _known(state: ReplState) -> str:
    """The status bar's count: the facts taken from the user, as :facts lists them."""
    try:
        count = len(user_facts(state.session.consultation()))
    except Exception:  # noqa: BLE001 - the status bar must never break the prompt
        return ""
    return f"{count} fact{'s' * (count != 1)} from you"


BANNER = ("advisor - batch size and GPU memory. Describe your situation in your own words (e.g. 'I have a 24GB "
          "GPU and want to fine-tune a 7B model'); answer my questions the same way. :help for commands, Ctrl-D to quit.")


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
    out.write("\n".join(fill(BANNER, state.columns, "")) + "\n")
    if scenario:
        sc = load_scenario(scenario, kb)
        session.state.facts.update(sc.spec.facts)
        session.state.answers.update(sc.spec.answers)
        messages = [sc.spec.message] if isinstance(sc.spec.message, str) else sc.spec.message
        session.state.messages += [m for m in messages if m]
        out.write(f"(loaded {scenario})\n")
        out.write(render_short(session.consultation(), state.columns, more=MORE))
        state.pending = session.advice().questions[0] if session.advice().questions else None
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
