"""Render advice for a person: a short answer first (`render_short`, at most about 25 lines), the whole advice on
request (`render_text`, `--verbose` / `:details`), or Markdown for chats (`render_markdown`).

All of them use plain words: facts by their labels, options by their titles, choices as people write them
("bf16 mixed precision"), numbers through advisor.units (10%, 750M, 1.20 GB). Rule ids, fact names and the
condition language are for the JSON advice and for HOW explanations only. Text is wrapped to a width (the
terminal's, see `text_width`); only code snippets and long unbreakable words (URLs) may run past it.
"""

from __future__ import annotations

import re
import shutil
import textwrap

from advisor.engine.advice import Advice, FactOut, OptionOut, QuestionOut
from advisor.engine.assemble import Consultation
from advisor.engine.questions import answers_asked, noticed_answers
from advisor.engine.wording import capitalised, fact_words, plain_values, value_words
from advisor.kb.model import DeriveRule, FactRef, KnowledgeBase, Rule
from advisor.units import fmt_bytes_gib, fmt_count, fmt_duration, fmt_share, fmt_sig

DEFAULT_WIDTH = 80  # when the output is not a terminal
MAX_WIDTH = 100  # prose is hard to read in longer lines, however wide the terminal
SHORT_LINES = 25  # the short answer's budget


def text_width() -> int:
    """The terminal's width (COLUMNS, else the terminal's own size, else 80 when not a terminal), kept
    between 40 and MAX_WIDTH columns."""
    return max(40, min(MAX_WIDTH, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns))


def fill(text: str, width: int, indent: str = "", first: str | None = None, max_lines: int | None = None) -> list[str]:
    """`text` wrapped to `width` (paragraphs split on blank lines), optionally cut to `max_lines` with '…'."""
    lines: list[str] = []
    for paragraph in (p for p in text.strip().split("\n\n") if p.strip()):
        lines += textwrap.wrap(" ".join(paragraph.split()), width, initial_indent=indent if lines or first is None else first,
                               subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while len(last) + 2 > width and last.strip().count(" "):  # room for the ' …'
            last = last[: last.rstrip().rfind(" ")]
        lines[-1] = last + " …"
    return lines


def fill_sentences(text: str, width: int, indent: str, max_lines: int) -> list[str]:
    """`text` wrapped like `fill`; when it runs over `max_lines`, its whole sentences that fit, with '…' for the
    rest (a sentence cut in the middle can say the opposite of its end), or its first `max_lines` lines when whole
    sentences would leave more than one of them empty. An explanation that goes on to say what to do keeps the
    first such sentence after its cut ("… Call model.eval() before testing."): the reasons without the action are
    the part a reader can least use."""
    lines = fill(text, width, indent)
    if len(lines) <= max_lines:
        return lines
    sentences = split_sentences(text)
    for count in range(len(sentences) - 1, 0, -1):
        kept_text = " ".join(sentences[:count])
        action = next((x for x in sentences[count:] if x.split(" ", 1)[0].lower() in ACTION_VERBS), None)
        if action is not None and len(kept := fill(f"{kept_text} … {action}", width, indent)) <= max_lines:
            return kept
        if action is None and len(kept := fill(kept_text + " …", width, indent)) <= max_lines:
            return kept if len(kept) >= max_lines - 1 else fill(text, width, indent, max_lines=max_lines)
    for count in range(len(sentences) - 1, 0, -1):  # (no action fits beside them: the first sentences alone)
        if len(kept := fill(" ".join(sentences[:count]) + " …", width, indent)) <= max_lines:
            return kept if len(kept) >= max_lines - 1 else fill(text, width, indent, max_lines=max_lines)
    return fill(text, width, indent, max_lines=max_lines)


# the verbs a sentence that says what to do starts with ("Check the transport", "Call model.eval()")
ACTION_VERBS = frozenset({"check", "use", "set", "call", "raise", "lower", "run", "keep", "sync", "send", "measure",
                          "compare", "watch", "bring", "time", "give", "turn", "try", "load", "launch", "shard", "cut",
                          "split", "remove", "put", "pass", "switch", "update", "print", "profile", "halve",
                          "reduce", "increase", "train", "accumulate", "scale", "divide", "cap", "place", "stop",
                          "select", "free", "move", "evaluate", "save", "log", "cache", "disable", "enable", "install",
                          "count", "size", "start", "make", "lead", "write", "fuse", "compute", "replace", "sort",
                          "build"})


def wrap_lines(lines: list[str], width: int) -> str:
    """Lines each wrapped to `width`, keeping their own indentation (continuations two columns further in)."""
    out: list[str] = []
    for line in lines:
        pad = line[: len(line) - len(line.lstrip())]
        out += fill(line, width, pad + "  ", first=pad) or [""]
    return "\n".join(out) + "\n"


SENTENCE_END = re.compile(r"(?<!e\.g)(?<!i\.e)(?<!\bal)(?<!\bvs)[.!?](?=\s+[A-Z\"'(])")  # ('e.g.', 'et al.', 3.5)


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, as first_sentences splits them."""
    text = " ".join(text.split())
    ends = [m.end() for m in SENTENCE_END.finditer(text)] + [len(text)]
    starts = [0] + ends[:-1]
    return [text[a:b].strip() for a, b in zip(starts, ends) if text[a:b].strip()]


def first_sentences(text: str, count: int = 1) -> str:
    """The first `count` sentences ('e.g.', 'et al.' and decimals do not end one)."""
    text = " ".join(text.split())
    ends = [m.end() for m in SENTENCE_END.finditer(text)]
    return text[: ends[count - 1]] if len(ends) >= count else text


def knowledge(kb: KnowledgeBase | None) -> KnowledgeBase:
    """The knowledge base whose labels the text uses (the shipped one when none is given)."""
    if kb is None:
        from advisor.consultation import load_kb

        kb = load_kb()
    return kb


def value_text(value: object, unit: str | None = None) -> str:
    """An option's or an estimate's number in its unit."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        if unit == "bytes":  # (GiB, the unit a card's memory is read and shown in: one unit in every comparison)
            return fmt_bytes_gib(value)
        if unit == "count":
            return fmt_count(value)
        if unit == "seconds":
            return fmt_duration(value)
        if unit == "fraction":
            return fmt_share(value)
        text = fmt_sig(value, 4)
        return text + ("×" if unit == "multiplier" else "%" if unit == "percent" else "")
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value) + ("×" if unit == "multiplier" else "")
    return "—" if value is None else str(value)


ACRONYMS = {"gpu": "GPU", "cpu": "CPU", "ram": "RAM", "lr": "LR"}


def option_numbers(option: OptionOut) -> str:
    """'model states 5.00 GB; per GPU 8.40 GB; max micro batch 2' from an option's estimates."""
    def name_of(key: str) -> str:
        return " ".join(ACRONYMS.get(w, w) for w in key.removesuffix("_bytes").split("_"))

    return "; ".join(f"{name_of(name)} {value_text(q.value, q.unit)}" for name, q in option.estimates.items())


def _batch(option: OptionOut) -> str:
    s = option.settings
    if s.effective_batch is not None:
        return f"{s.micro_batch} per GPU × {s.grad_accum_steps} accumulated × {s.num_gpus} GPUs = {s.effective_batch} per update"
    if s.micro_batch is not None:
        return f"micro-batch {s.micro_batch}"
    if s.batch_size is not None:
        return f"batch {s.batch_size}"
    return ""


def _settings(kb: KnowledgeBase, option: OptionOut) -> str:
    s = option.settings
    parts = [_batch(option)] if _batch(option) else []
    if s.learning_rate is not None:
        parts.append(f"learning rate {fmt_sig(s.learning_rate, 3)}")
    for name in ("precision", "optimizer"):
        value = getattr(s, name)
        if value is not None:
            parts.append(kb.facts[name].value_label(value) if name in kb.facts else str(value))
    for name in ("normalization", "warmup"):
        value = getattr(s, name)
        if value is not None:
            parts.append(f"{name} {value}")
    if s.gradient_checkpointing:
        parts.append("activation checkpointing")
    if s.epochs is not None:
        parts.append(f"{fmt_sig(s.epochs)} epochs")
    return ", ".join(parts)


def _choices(kb: KnowledgeBase, q: QuestionOut) -> str:
    if q.choices:
        spec = kb.facts.get(q.id)
        return " / ".join(spec.value_label(c) if spec else c for c in q.choices)
    return "yes / no" if q.kind == "bool" else ""


def question_line(kb: KnowledgeBase, q: QuestionOut) -> str:
    choices = _choices(kb, q)
    return q.text + (f" ({choices})" if choices else "")


def depends_text(kb: KnowledgeBase, names: list[str]) -> str:
    from advisor.engine.wording import and_join

    labels = [kb.facts[n].plain_label if n in kb.facts else n.replace("_", " ") for n in names]
    return f"This may change with your answer on {and_join(labels, len(labels))}."


def _title_of(advice: Advice, option_id: str | None) -> str | None:
    option = advice.option(option_id) if option_id else None
    return option.title if option else None


def config_facts(advice: Advice, kb: KnowledgeBase) -> list[str]:
    """'GPU memory 80 GiB  from FILE line N (key: value)' for each fact read from a config file (the lists of
    conflicts, "auto" values and notes are shown by their own findings)."""
    return [f"{fact_words(kb, f.name, f.value)}  {f.provenance.by}" for f in advice.facts
            if f.provenance.kind == "config" and not f.name.startswith("config_")]


# ---------------------------------------------------------------------------------------------- the whole advice

def render_text(advice: Advice, kb: KnowledgeBase | None = None, width: int = DEFAULT_WIDTH) -> str:
    """The whole advice: what I noticed, what I need to know, the numbers, every option with its tradeoffs, the
    recommendation, what to measure and the sources."""
    kb = knowledge(kb)
    out: list[str] = []

    def section(title: str) -> None:
        if out:
            out.append("")
        out.append(title.upper())

    if config_facts(advice, kb):
        section("What I read from your files")
        for line in config_facts(advice, kb):
            out += fill(line, width, "      ", "  ")
    if advice.red_flags or advice.findings:
        section("What I noticed")
        for flag in advice.red_flags:
            out += fill(flag.title + ("  (heuristic)" if flag.heuristic else ""), width, "    ", "  ! ")
            out += fill(flag.counter, width, "    ")
        for finding in advice.findings:
            out += fill(finding.title + ("  (heuristic)" if finding.heuristic else ""), width, "    ", "  • ")
            out += fill(finding.text, width, "    ")
            if finding.snippet:
                out.append(textwrap.indent(finding.snippet.rstrip(), "      "))
    if advice.questions:
        section("What I need to know")
        for i, q in enumerate(advice.questions, 1):
            out += fill(question_line(kb, q), width, "     ", f"  {i}. ")
            out += fill(q.reason, width, "     ")
    if advice.estimates:
        section("The numbers")
        for est in advice.estimates:
            label = capitalised(estimate_label(kb, advice, est.id))
            out += fill(f"{label}: {value_text(est.value, est.unit)}" + ("  (heuristic)" if est.heuristic else ""),
                        width, "      ", "  ")
            out += fill(plain_values(kb, est.formula), width, "      ")
    if advice.options:
        section("Options")
        for i, o in enumerate(advice.options, 1):
            if i > 1:
                out.append("")
            out += fill(o.title + ("  (heuristic)" if o.heuristic else ""), width, "      ", f"  [{i}] ")
            for line in (_settings(kb, o), option_numbers(o)):
                if line:
                    out += fill(line, width, "        ", "      ")
            out += fill(o.summary, width, "      ")
            for name in ("speed", "memory", "accuracy", "risk"):
                out += fill(f"{name}: {getattr(o.tradeoffs, name)}", width, "        ", "      ")
            out += fill(f"validate: {o.validate_}", width, "        ", "      ")
            if o.snippet:
                out.append(textwrap.indent(o.snippet.rstrip(), "        "))
    section("Recommendation")
    rec = advice.recommendation
    title = _title_of(advice, rec.option_id)
    if title:
        out += fill(title, width, "    ", "  → ")
    out += fill(rec.rationale, width, "    ")
    if rec.depends_on:
        out += fill(depends_text(kb, rec.depends_on), width, "    ")
    if advice.measure:
        section("What to measure")
        for m in advice.measure:
            out += fill(m.title, width, "    ", "  - ")
            out += fill(m.text, width, "    ")
    if advice.sources:
        section("Sources")
        for s in advice.sources:
            out += fill(s.citation + (f" {s.url}" if s.url else ""), width, "    ", "  - ")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------- the short answer

def read_facts(kb: KnowledgeBase, facts: list[FactOut]) -> list[FactOut]:
    """The facts taken from the user (their words, config files, stated facts, answers, measurements) and the numbers a
    named catalogue model or card implies (its parameter count), in the vocabulary's order; a catalogue's flags and
    kinds ('supports bf16', 'model family transformer') are not what the user said."""
    named = any(f.name == "model_preset" for f in facts)  # (a named model says its family: not said twice)
    return [f for f in facts if (f.provenance.kind in ("message", "config", "given", "answer", "measured")
                                 or (f.provenance.kind == "estimate" and not kb.facts[f.name].derived
                                     and isinstance(f.value, (int, float)) and not isinstance(f.value, bool)))
            and not (named and f.name == "architecture") and f.name not in NOT_READ_BACK]


# facts not listed in "I read": what a named card implies, what the user asks (answered, not echoed), the times of
# two cards compared (the finding shows them with their ratio), and whether the model reads images or audio (it only
# keeps a transformer no catalogue names to its states' count)
NOT_READ_BACK = frozenset({"gpu_peak_tflops", "gpu_alternative_memory", "asked_topics", "asked_settings",
                           "accumulation_implied", "bf16_named", "nnunet_named", "timed_card_older_seconds",
                           "timed_card_newer_seconds", "reference_batch_from_gpus", "multimodal_named",
                           # (the patch's growth and its stride, worked out from the sizes said: the finding shows them)
                           "patch_voxel_ratio", "patch_stride", "patch_stride_kept",
                           # (a volume's spacings' growth, the model sized in the message, what kind of model or input
                           # it is: flags the findings use, not the user's settings)
                           "spacing_voxel_ratio", "params_said", "text_generator_named", "tiles_or_volume_named",
                           # (the catalogue's sizes of a line named without one: the question lists them)
                           "model_line_sizes", "gpu_named", "gpu_line_sizes",
                           # (a pasted histogram's arithmetic: the finding shows it)
                           "length_unit_word", "length_p95", "length_p95_kept", "length_p99", "length_p99_kept",
                           "length_longest", "length_longest_over_p99",
                           # (where the card's memory came from: the size itself is read back)
                           "gpu_memory_written"})


# what a reader checks first, so a short answer cut at three lines keeps it: the card, the model, how it trains
READ_FIRST = ("gpu_model", "gpu_memory", "model_preset", "model_named", "params", "num_gpus", "num_nodes", "training_mode", "adapter",
              "optimizer", "precision", "micro_batch", "grad_accum_steps", "batch_size", "seq_len")


def i_read(kb: KnowledgeBase, facts: list[FactOut]) -> str:
    """'I read: GPU a100-80gb; GPU memory 80 GiB; model llama-2-7b; …' (the card and the model first, the rest in the
    vocabulary's order) - or that nothing was read."""
    if not facts:
        return "I read nothing I could use."
    first = {name: i for i, name in enumerate(READ_FIRST)}
    ordered = sorted(facts, key=lambda f: first.get(f.name, len(first)))  # (stable: the rest keep their order)
    own = any(f.name == "reference_batch_own" and f.value is True for f in facts)

    def words(f: FactOut) -> str:
        if own and f.name == "reference_batch":  # ("with batch 2 … increased to 32": no paper's batch)
            return f"your batch before the change {value_words(kb, f.name, f.value)}"
        return fact_words(kb, f.name, f.value)
    return "I read: " + "; ".join(words(f) for f in ordered if f.name != "reference_batch_own") + "."


def _reads_through(c: Consultation, rule: Rule, depth: int = 2) -> list[str]:
    """The facts a rule reads, with a yes/no fact replaced by the numbers that decided it (one or two levels
    down), so 'model states exceed the card' becomes the headroom it was derived from."""
    names: list[str] = []
    for name in rule.reads():
        if not c.wm.known(name):
            continue
        fact = c.wm.facts[name]
        if isinstance(fact.value, bool) and fact.provenance.rule and depth > 0:
            names += _reads_through(c, c.kb.rule(fact.provenance.rule), depth - 1)
        else:
            names.append(name)
    return names


def estimate_label(kb: KnowledgeBase, advice: Advice, name: str) -> str:
    """A computed number's label in an advice's own terms (narrowed where the advice says what its count left out:
    "Model states per GPU of your plan (activations not counted)")."""
    if name not in kb.facts:
        return name.replace("_", " ")
    values = {f.name: f.value for f in advice.facts} | {e.id: e.value for e in advice.estimates}
    return kb.facts[name].label_given(values.get)


def deciding_numbers(c: Consultation) -> list[str]:
    """The computed numbers the conclusions rest on: those read by the red flags and findings and by the
    recommended option's rules - estimates and derived numbers only (the user's own facts are in 'I read'),
    numbers with a unit (bytes, counts, factors) first, one per formula."""
    # (in the order they are noticed: what answers the user's question first, then the red flags, then the rest)
    answering = [f.id for f in c.advice.findings if answers_asked(c.kb, c.wm, f.id)]
    rules: list[Rule] = [c.kb.rule(i) for i in (*answering, *c.run.red_flags,
                                                 *(f.id for f in c.advice.findings if f.id not in answering))]
    option = c.advice.recommendation.option_id
    if option:
        rules += [r for r in c.run.recommendations if r.recommend == option]
        if option in c.run.option_rule:
            rules.append(c.kb.rule(c.run.option_rule[option]))
    names: list[str] = []
    formulas: set[str] = set()
    for rule in rules:
        for name in _reads_through(c, rule):
            name = _computed_source(c, name)
            fact = c.wm.facts[name]
            formula = c.run.estimates[name].formula if name in c.run.estimates else name
            if c.kb.facts[name].derived and isinstance(fact.value, (int, float)) \
                    and not isinstance(fact.value, bool) and name not in names and formula not in formulas \
                    and not _copied(c, name):
                names.append(name)
                formulas.add(formula)
    return sorted(names, key=lambda n: c.kb.facts[n].unit is None)  # stable: the order of the rules otherwise


def _computed_source(c: Consultation, name: str) -> str:
    """The computed number a derived fact copies, where it copies one ("the whole model as it loads" is the fp32
    weights the estimate counted): that number, with its formula, is what decided; else the fact itself."""
    if not _copied(c, name):
        return name
    ref = c.kb.rule(c.wm.facts[name].provenance.rule).set[name]
    source = ref.fact
    return source if c.wm.known(source) and c.kb.facts[source].derived else name


def _copied(c: Consultation, name: str) -> bool:
    """Whether a derived number is another fact's value taken over by a decision ("the batch one forward and
    backward holds" is the micro-batch said): nothing was computed, and the user's own number is in 'I read'."""
    rule_id = c.wm.facts[name].provenance.rule
    if not rule_id or c.wm.facts[name].provenance.kind != "derived":
        return False
    rule = c.kb.rule(rule_id)
    return isinstance(rule, DeriveRule) and isinstance(rule.set.get(name), FactRef)


def number_lines(c: Consultation, names: list[str], width: int, limit: int) -> list[str]:
    """'Label: how it was computed = value' for each number (the value alone when the formula is long)."""
    from advisor.engine.wording import value_words

    lines: list[str] = []
    for name in names[:limit]:
        label = capitalised(c.kb.facts[name].label_given(lambda fact: c.wm.value(fact) if c.wm.known(fact) else None))
        estimate = c.run.estimates.get(name)
        shown = value_words(c.kb, name, c.wm.value(name))
        formula = plain_values(c.kb, estimate.formula) if estimate is not None else ""
        text = f"{label}: {formula}" if formula and len(formula) <= 100 and formula.endswith(shown) else f"{label}: {shown}"
        lines += fill(text, width, "    ", "  ", max_lines=2)
    return lines


def render_short(c: Consultation, width: int = DEFAULT_WIDTH, more: str = "--verbose", show_read: bool = True,
                 numbers: list[str] | None = None, question: QuestionOut | None = None) -> str:
    """The answer first, in at most about 25 lines: what I read, what I noticed, the numbers that decide it, the
    recommendation, the next step to measure and the next question (`question` when the advice has none open);
    `more` says how to see the whole advice."""
    kb, advice = c.kb, c.advice
    blocks: list[list[str]] = []
    if show_read:
        blocks.append(fill(i_read(kb, read_facts(kb, advice.facts)), width, "  ", first="", max_lines=3))
    # what answers the user's own question first, then the red flags, then the rest of what was found
    answering = [f for f in advice.findings if answers_asked(kb, c.wm, f.id)]
    rest = [f for f in advice.findings if f not in answering]
    noticed = [("• ", f.title, f.text) for f in answering] + [("! ", f.title, f.counter) for f in advice.red_flags] \
        + [("• ", f.title, f.text) for f in rest]
    lead_body, lead_at, least, noticed_lines = "", None, 4, []  # the first noticed item's explanation, when it leads
    if noticed:
        lines = noticed_lines = ["What I noticed:"]
        for n, (mark, title, text) in enumerate(noticed[:3]):
            lines += fill(title, width, "    ", "  " + mark, max_lines=1)
            if n == 0 and (not advice.recommendation.option_id or advice.recommendation.provisional
                           or len(answering) == 1):
                # nothing to recommend yet, a first move only, or the one answer to what the user asked: what was
                # noticed leads, so its explanation is said, in the lines the rest of the answer leaves
                lead_body, lead_at = text, len(lines)
                # (its least: more when nothing is recommended and no question follows)
                least = 8 if not advice.recommendation.option_id and not advice.questions else \
                    5 if not advice.recommendation.option_id else 4
        if len(noticed) > 3:
            lines.append(f"  … and {len(noticed) - 3} more")
        blocks.append(lines)
    names = deciding_numbers(c) if numbers is None else numbers
    figures: list[str] = []
    if names:
        figures = ["The numbers that decide it:"] + number_lines(c, names, width, 3)
        blocks.append(figures)
    blocks.append(recommendation_lines(c, width))
    step: list[str] = []
    if advice.measure:
        rest = f" (and {len(advice.measure) - 1} more)" if len(advice.measure) > 1 else ""
        step = fill(f"Next step: {advice.measure[0].title}{rest}.", width, "  ", first="", max_lines=2)
        blocks.append(step)
    if advice.questions or question is not None:
        blocks.append(question_lines(kb, advice.questions or [question], width))
    blocks.append(fill(f"More: {more} (every option with its tradeoffs, the formulas, the sources).", width, "  ", first=""))
    if lead_at is not None:
        # its least, or the lines the other blocks and the blank lines between them leave (a cut explanation hides
        # its levers)
        used = [b for b in blocks if b]
        spare = SHORT_LINES - sum(len(b) for b in used) - (len(used) - 1)
        said = len(fill_sentences(lead_body, width, "    ", max(least, spare)))
        fewer = ["The numbers that decide it:"] + number_lines(c, names, width, 1) if figures else []
        freed = (len(step) + 1 if step else 0) + (len(figures) - len(fewer) if figures else 0)
        if freed and len(fill_sentences(lead_body, width, "    ", max(least, spare + freed))) > said:
            # the explanation that answers, cut short, hides its levers: it takes the lines of the next measurement
            # and of all but the first deciding number (both in --verbose), when that says another sentence of it
            if step:
                blocks.remove(step)
            if figures:
                figures[:] = fewer
            spare += freed
        # (but not at the cost of a red flag noticed below it: its title is kept before the explanation's third line)
        if any(mark == "! " for mark, _, _ in noticed[1:3]):
            least = 2
        noticed_lines[lead_at:lead_at] = fill_sentences(lead_body, width, "    ", max(least, spare))
    return _within(blocks, SHORT_LINES)


def recommendation_lines(c: Consultation, width: int) -> list[str]:
    kb, advice = c.kb, c.advice
    rec = advice.recommendation
    title = _title_of(advice, rec.option_id)
    if not title:
        lines = fill(rec.rationale, width, "  ", first="", max_lines=3)
        if advice.options and not rec.depends_on and not noticed_answers(
                kb, c.wm, [r.id for r in advice.red_flags], [f.id for f in advice.findings]):
            # (no option chosen, the options being what the advice weighs: their titles, so the short answer names
            # them - not beside what was noticed, which is the answer then)
            lines += fill(("Options: " if len(advice.options) > 1 else "Option: ")
                          + "; ".join(o.title for o in advice.options[:3])
                          + (f"; and {len(advice.options) - 3} more" if len(advice.options) > 3 else "") + ".",
                          width, "  ", max_lines=3)
        return lines
    lines = fill(f"I recommend: {title}", width, "  ", first="") + fill(first_sentences(rec.rationale), width, "  ", max_lines=2)
    plan = next((p for p in advice.plans if p.recommended), None)
    if plan is not None:  # the plan search's own numbers for the plan it recommends
        text = plan_numbers(plan)
        current = next((p for p in advice.plans if p.current), None)
        # (with the GPU count unsaid, the plan's own "1 GPU" makes no batch per update of the user's, nor its
        # micro-batch 1 with the micro-batch unsaid)
        yours = (current.effective_batch if current is not None and current.effective_batch and c.wm.known("num_gpus")
                 and c.wm.known("micro_batch")
                 else next((c.wm.value(n) for n in ("effective_batch", "batch_size") if c.wm.known(n)), None))
        reference = c.wm.value("reference_batch") if c.wm.known("reference_batch") else None
        if yours and plan.effective_batch and plan.effective_batch != yours and plan.effective_batch == reference:
            # "per_device 32 because the paper says 32" on 4 GPUs: the plan goes back to the paper's batch
            text += f" That is the reference's {reference:g} per update, the batch its learning rate was tuned for."
        elif yours and plan.effective_batch and plan.effective_batch != yours:
            # a plan that changes the batch per update changes what the LR was tuned for: said where it is seen
            text += (f" That is not your {yours:g} per update: retune the learning rate, or keep {yours:g} with more "
                     "accumulation.")
        lines += fill(text, width, "  ", max_lines=3)
    still_open = [n for n in rec.depends_on if n in {q.id for q in advice.questions}]
    if still_open:
        lines += fill(depends_text(kb, still_open), width, "  ", max_lines=1)
    return lines


def plan_numbers(plan) -> str:
    """'This plan needs 17.5 GiB per GPU of 23.7 GiB, at micro-batch 1 × 4 accumulation steps × 1 GPU = 4 per update', with
    the CPU RAM an offloading plan needs as well."""
    from advisor.units import fmt_on_card

    if plan.budget_bytes and plan.fits and plan.per_gpu_bytes > plan.budget_bytes:
        # a micro-batch the user says runs, which the estimate puts over the card: the measurement wins
        text = (f"The estimate puts it at {fmt_on_card(plan.per_gpu_bytes, plan.budget_bytes)}, more than you "
                f"measure: you say micro-batch {plan.micro_batch} runs")
    elif plan.budget_bytes:
        text = f"This plan needs {fmt_on_card(plan.per_gpu_bytes, plan.budget_bytes)}"
    else:
        text = f"This plan needs {fmt_bytes_gib(plan.per_gpu_bytes)} per GPU"
    if plan.effective_batch and getattr(plan, "per_sample_bytes", 1) is None:
        # a model without shapes: its states only, whatever the batch (the plan keeps the user's)
        text += (f" before activations, at micro-batch {plan.micro_batch} × {plan.grad_accum_steps} accumulation "
                 f"step{'s' if plan.grad_accum_steps > 1 else ''} (measure what the activations add)")
    elif plan.effective_batch:
        gpus = f"{plan.num_gpus} GPU{'s' if plan.num_gpus > 1 else ''}"
        text += (f", at micro-batch {plan.micro_batch} × {plan.grad_accum_steps} accumulation "
                 f"step{'s' if plan.grad_accum_steps > 1 else ''} × {gpus} = {plan.effective_batch} per update")
    else:
        text += " before activations (measure the micro-batch that fits)"
    if getattr(plan, "cpu_bytes_per_machine", None):  # (each machine's RAM holds its GPUs' share: what decides it)
        text += (f", and {fmt_bytes_gib(plan.cpu_bytes_per_machine)} of CPU RAM on each machine for the offloaded "
                 f"states ({fmt_bytes_gib(plan.cpu_bytes)} in all)")
    elif getattr(plan, "cpu_bytes", None):
        text += f", and {fmt_bytes_gib(plan.cpu_bytes)} of CPU RAM for the offloaded states"  # what decides it too
    return text + "."


def question_lines(kb: KnowledgeBase, questions: list[QuestionOut], width: int) -> list[str]:
    q = questions[0]
    count = f" (1 of {len(questions)})" if len(questions) > 1 else ""
    return (fill(f"Next question{count}: {question_line(kb, q)}", width, "  ", first="", max_lines=2)
            + fill(q.reason, width, "  ", max_lines=2))


def _within(blocks: list[list[str]], budget: int) -> str:
    """Blocks separated by blank lines; if they run over `budget` lines, the blank lines go first, then the
    longest blocks are cut."""
    blocks = [b for b in blocks if b]
    lines = [line for block in blocks for line in block]
    if len(lines) + len(blocks) - 1 <= budget:
        return "\n\n".join("\n".join(block) for block in blocks) + "\n"
    while len(lines) > budget:
        longest = max(range(len(blocks)), key=lambda i: len(blocks[i]))
        blocks[longest] = blocks[longest][:-1]
        lines = [line for block in blocks for line in block]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------- Markdown

def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(advice: Advice, kb: KnowledgeBase | None = None) -> str:
    kb = knowledge(kb)
    out: list[str] = []
    if config_facts(advice, kb):
        out.append("## What I read from your files\n")
        out += [f"- {_md_cell(line)}" for line in config_facts(advice, kb)]
        out.append("")
    if advice.red_flags or advice.findings:
        out.append("## What I noticed\n")
        for flag in advice.red_flags:
            out.append(f"- **{flag.title}**" + (" *(heuristic)*" if flag.heuristic else "") + f" — {' '.join(flag.counter.split())}")
        for finding in advice.findings:
            out.append(f"- {finding.title}: {' '.join(finding.text.split())}")
            if finding.snippet:
                out.append("\n```python\n" + finding.snippet.rstrip() + "\n```")
        out.append("")
    if advice.questions:
        out.append("## What I need to know\n")
        for i, q in enumerate(advice.questions, 1):
            out.append(f"{i}. {question_line(kb, q)} — *{q.reason}*")
        out.append("")
    if advice.estimates:
        out.append("## The numbers\n")
        out.append("| number | value | how |")
        out.append("|---|---|---|")
        for e in advice.estimates:
            label = capitalised(estimate_label(kb, advice, e.id))
            out.append(f"| {_md_cell(label)} | {value_text(e.value, e.unit)} | {_md_cell(plain_values(kb, e.formula))} |")
        out.append("")
    if advice.options:
        out.append("## Options\n")
        out.append("| option | settings | numbers | speed | memory | accuracy | risk |")
        out.append("|---|---|---|---|---|---|---|")
        for o in advice.options:
            t = o.tradeoffs
            cells = [f"**{o.title}**", _settings(kb, o) or "—", option_numbers(o) or "—", t.speed, t.memory, t.accuracy, t.risk]
            out.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
        out.append("")
        for o in advice.options:
            out.append(f"- **{o.title}** — validate: {' '.join(o.validate_.split())}")
            if o.snippet:
                out.append("\n```python\n" + o.snippet.rstrip() + "\n```\n")
        out.append("")
    out.append("## Recommendation\n")
    rec = advice.recommendation
    title = _title_of(advice, rec.option_id)
    out.append(f"**{title}** — {' '.join(rec.rationale.split())}" if title else " ".join(rec.rationale.split()))
    if rec.depends_on:
        out.append(f"\n*{depends_text(kb, rec.depends_on)}*")
    out.append("")
    if advice.measure:
        out.append("## What to measure\n")
        for m in advice.measure:
            out.append(f"- **{m.title}** — {' '.join(m.text.split())}")
        out.append("")
    if advice.sources:
        out.append("## Sources\n")
        for s in advice.sources:
            out.append(f"- {s.citation}" + (f" <{s.url}>" if s.url else ""))
    return "\n".join(out).rstrip() + "\n"
