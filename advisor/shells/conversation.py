"""One turn of a conversation, as the REPL shows it: what was read, the answer to a direct question, what changed
in the advice, and the next question - a few lines, never nothing.

Everything is computed from two consultations, the one before the user's line and the one after it, so the
same words always get the same reply. The first turn shows the short answer (`render_short`); later turns show
only the differences; a line that adds nothing says so and asks the single most useful question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from advisor.engine.advice import FactOut, QuestionOut
from advisor.engine.assemble import Consultation
from advisor.engine.questions import question_text
from advisor.engine.wording import and_join, capitalised, value_words
from advisor.kb.model import OptionRule, RecommendRule
from advisor.shells.render import (deciding_numbers, fill, first_sentences, i_read, option_numbers, question_lines,
                                   read_facts, recommendation_lines, render_short)

MORE = ":details"  # how the REPL shows the whole advice
MAX_ITEMS = 3  # conclusions, numbers or options listed in one part of a reply
MAX_QUESTION = 2_000  # characters of a question searched for option names (a question is a sentence or two)
QUESTION_WORDS = ("what", "which", "how", "why", "should", "would", "will", "can", "could", "is", "are", "do",
                  "does", "did", "shall", "may", "might", "when", "where")


@dataclass
class Reply:
    text: str
    question: QuestionOut | None  # the question the reply ends with (the REPL takes the next line as its answer)


def user_facts(c: Consultation) -> dict[str, FactOut]:
    return {f.name: f for f in read_facts(c.kb, c.advice.facts)}


def is_question(line: str) -> bool:
    """A direct question: a question mark, or a sentence that opens with a question word."""
    words = re.findall(r"[a-z']+", line.lower()[:200])
    return "?" in line or (bool(words) and words[0] in QUESTION_WORDS)


_CLAUSE = re.compile(r"(?<=[.;!?])\s+|,\s+(?=(?:" + "|".join(QUESTION_WORDS) + r")\b)", re.IGNORECASE)


def split_question(line: str) -> tuple[str, str]:
    """(statements, questions) of a line: 'I use LoRA rank 16; would checkpointing let me run batch 4?' ->
    ('I use LoRA rank 16;', 'would checkpointing let me run batch 4?')."""
    statements, questions = [], []
    for part in _CLAUSE.split(line.strip(), maxsplit=200):  # a pasted log is one long statement after that
        (questions if is_question(part) else statements).append(part.rstrip(","))
    return " ".join(statements), " ".join(questions)


def _words(text: str) -> list[str]:
    """Lower-case words, hyphens inside a word dropped ('8-bit' -> '8bit')."""
    return re.findall(r"[a-z0-9]+", re.sub(r"(?<=[a-z0-9])-(?=[a-z0-9])", "", text.lower()))


def known_options(c: Consultation) -> dict[str, str]:
    """Every option this consultation can speak of, id -> title: those offered, those the rules could offer,
    and the plans the plan search weighed and left out (its verdicts)."""
    from advisor.engine.wording import option_titles
    from advisor.kb.model import PlansRule

    known = {o.id: o.title for o in c.advice.options}
    for option, title in option_titles(c.kb, c.wm).items():
        known.setdefault(option, title)
    for rule in c.kb.rules:
        if isinstance(rule, PlansRule) and rule.verdicts is not None and c.wm.known(rule.verdicts.fact):
            for item in c.wm.value(rule.verdicts.fact):
                known.setdefault(item["id"], item["id"].replace("-", " "))
    return known


def options_asked_about(c: Consultation, question: str) -> list[str]:
    """Options a question names: every word of an option's id starts a word of the question ('would QLoRA fit?'
    names qlora, 'what about offloading the optimizer?' names optimizer-offload)."""
    words = _words(question[:MAX_QUESTION])
    found = []
    for option in known_options(c):
        parts = _words(option.replace("-", " "))
        if parts and all(any(w.startswith(p) for w in words) for p in parts):
            found.append(option)
    # 'lora' inside a question about 'qlora' does not count: keep only options no other found option contains
    return [o for o in found if not any(o != other and set(_words(o.replace("-", " "))) < set(_words(other.replace("-", " ")))
                                        for other in found)]


def option_answer(c: Consultation, option: str, width: int) -> list[str]:
    """What the advice says about one option: its numbers and summary if offered, else why not."""
    from advisor.engine.explain import why_not

    offered = c.advice.option(option)
    if offered is None:
        lines = why_not(c, option).lines
        return fill(lines[0], width, "    ", "  ", max_lines=3) if lines else []
    numbers = option_numbers(offered)
    mark = "→ " if c.advice.recommendation.option_id == option else "  "
    text = f"{offered.title}{' (recommended)' if mark == '→ ' else ''}: " + (numbers + ". " if numbers else "") \
        + first_sentences(offered.summary)
    return fill(text, width, "    ", mark, max_lines=3)


def new_facts(before: Consultation | None, after: Consultation) -> list[FactOut]:
    """The user's facts that this turn added or changed, in the vocabulary's order."""
    old = user_facts(before) if before is not None else {}
    return [f for name, f in user_facts(after).items() if name not in old or old[name].value != f.value]


def related_rules(c: Consultation, names: set[str], depth: int = 4) -> set[str]:
    """Rules that read any of `names`, directly or through the facts and options such rules produce."""
    related: set[str] = set()
    frontier = set(names)
    for _ in range(depth):
        produced: set[str] = set()
        for rule in c.kb.rules:
            if rule.id in related or not frontier & set(rule.reads()):
                continue
            related.add(rule.id)
            produced |= set(rule.concludes())
            if isinstance(rule, OptionRule):
                related |= {r.id for r in c.kb.rules if isinstance(r, RecommendRule) and r.recommend == rule.option}
        if not produced:
            break
        frontier = produced
    return related


def most_useful_question(c: Consultation) -> QuestionOut | None:
    """The first open question; when the advice has nothing to go on yet (no option, no recommendation), the
    first unknown thing the vocabulary asks - the GPU's memory, then the model's size, which every memory
    number starts from; None when the advice waits for nothing."""
    if c.advice.questions:
        return c.advice.questions[0]
    if c.advice.options or c.advice.red_flags or c.advice.findings:
        return None
    for name, spec in c.kb.facts.items():
        if spec.askable and not c.wm.known(name) and name not in c.wm.declined:
            return QuestionOut(id=name, text=question_text(spec, c.wm), why=[], kind=spec.question_kind, choices=spec.choices,
                               unit=spec.unit, reason="I ask because everything I compute starts from your hardware "
                                                      "and model.")
    return None


def _answer(after: Consultation, read: list[FactOut], width: int) -> tuple[list[str], QuestionOut | None]:
    """Lines answering a direct question from the conclusions tied to what it mentioned, and the question to ask
    when the answer waits for one."""
    related = related_rules(after, {f.name for f in read})
    lines: list[str] = []
    advice = after.advice
    for mark, items in (("! ", advice.red_flags), ("• ", advice.findings)):
        for item in items:
            if item.id in related and len(lines) < MAX_ITEMS * 2:
                body = item.counter if mark == "! " else item.text
                lines += fill(f"{item.title}: {first_sentences(body)}", width, "    ", "  " + mark, max_lines=2)
    rec = advice.recommendation
    if rec.option_id and (rec.option_id in _related_options(after, related) or not lines):
        lines += recommendation_lines(after, width)
    waiting = [b for b in after.run.blocked if b.rule.id in related]
    missing = [q for q in advice.questions if any(q.id in b.missing for b in waiting)]
    if missing:
        labels = [after.kb.facts[q.id].plain_label for q in missing]
        lines += fill(f"The rest depends on your answer on {and_join(labels, 2)}.", width, "    ", "  ")
        return lines, missing[0]
    return lines, None


def _related_options(c: Consultation, related: set[str]) -> set[str]:
    return {r.option for r in c.kb.rules if isinstance(r, OptionRule) and r.id in related} | \
           {r.recommend for r in c.kb.rules if isinstance(r, RecommendRule) and r.id in related}


def _changes(before: Consultation, after: Consultation, width: int, shown: set[str]) -> list[str]:
    """What this turn changed in the advice: red flags and findings that appeared or went, the numbers that
    decide it, the options and the recommendation."""
    a, b = after.advice, before.advice
    lines: list[str] = []
    old_items = {(i.id, i.title) for i in (*b.red_flags, *b.findings)}
    new_ids = {i.id for i in (*a.red_flags, *a.findings)}
    for mark, items in (("! ", a.red_flags), ("• ", a.findings)):
        for item in items:
            if (item.id, item.title) not in old_items and item.id not in shown:
                lines += fill(item.title, width, "    ", "  " + mark, max_lines=1)
    for item in (*b.red_flags, *b.findings):
        if item.id not in new_ids:
            lines += fill(f"no longer: {item.title}", width, "    ", "  – ", max_lines=1)
    changed = [n for n in deciding_numbers(after) if not before.wm.known(n) or before.wm.value(n) != after.wm.value(n)]
    with_unit = [n for n in changed if after.kb.facts[n].unit]
    changed = with_unit[:MAX_ITEMS] or changed[:2]  # sizes and counts first; bare numbers only when nothing else moved
    for name in changed:
        now = value_words(after.kb, name, after.wm.value(name))
        was = f" (was {value_words(before.kb, name, before.wm.value(name))})" if before.wm.known(name) else ""
        lines += fill(f"{capitalised(after.kb.facts[name].plain_label)}: {now}{was}", width, "    ", "  ", max_lines=2)
    offered = [o.title for o in a.options if b.option(o.id) is None]
    withdrawn = [o.title for o in b.options if a.option(o.id) is None]
    if offered:
        lines += fill(f"New option{'s' * (len(offered) > 1)}: {and_join(offered, 2)}.", width, "    ", "  ", max_lines=2)
    if withdrawn:
        lines += fill(f"No longer an option: {and_join(withdrawn, 2)}.", width, "    ", "  ", max_lines=2)
    if a.recommendation.option_id != b.recommendation.option_id and "recommendation" not in shown:
        old = b.option(b.recommendation.option_id) if b.recommendation.option_id else None
        rec = recommendation_lines(after, width)
        if old is not None and rec and rec[0].startswith("I recommend: "):
            rec[0:1] = _para(f"I now recommend: {rec[0][len('I recommend: '):]} (was: {old.title})", width)
        lines += rec
    elif lines and a.recommendation.option_id and "recommendation" not in shown:
        lines += _para(f"I still recommend: {a.option(a.recommendation.option_id).title}.", width)
    return lines


def turn(before: Consultation, after: Consultation, line: str, width: int, first: bool, note: str | None = None,
         options: list[str] | None = None) -> Reply:
    """The reply to one line of the user's, from the consultations before and after it; `note` says what
    happened to an answer when nothing was read ('Skipped: …', 'I could not read that as an answer …');
    `options` are those the line asked about."""
    read = new_facts(before, after)
    if options:
        blocks = [_para(i_read(after.kb, read), width)] if read else []
        blocks.append(_para(f"You asked: {' '.join(line.split())}", width, max_lines=2)
                      + [l for option in options[:2] for l in option_answer(after, option, width)])
        changes = _changes(before, after, width, set())
        if changes:
            blocks.append(["What changed:"] + changes)
        q = most_useful_question(after)
        if q is not None:
            blocks.append(_ask(after, q, width))
        return Reply(_joined(blocks), q)
    if first and (read or after.advice.red_flags):
        q = most_useful_question(after)
        return Reply(render_short(after, width, more=MORE, question=q), q)
    blocks: list[list[str]] = []
    if not read and not _differs(before, after):
        q = most_useful_question(after)
        blocks.append(_para(note or "I read nothing I could use in that, so nothing changed.", width))
        if q is not None:
            blocks.append(_ask(after, q, width))
        if not user_facts(after):
            blocks.append(_para("Or describe your situation: your GPU, your model, and what you want to change "
                                "(memory, speed, accuracy, a batch size).", width))
        elif q is None:
            blocks.append(recommendation_lines(after, width)
                          + _para(f"Tell me more (a batch size, a sequence length, a change you plan), or {MORE} for "
                                  "the whole advice.", width))
        return Reply(_joined(blocks), q)
    blocks.append(_para(i_read(after.kb, read) if read else note or "I read nothing new in that.", width))
    shown: set[str] = set()
    question: QuestionOut | None = None
    if is_question(line):
        answer, question = _answer(after, read, width)
        if answer:
            blocks.append(_para(f"You asked: {' '.join(line.split())}", width, max_lines=2) + answer)
            shown = {i.id for i in (*after.advice.red_flags, *after.advice.findings)} | {"recommendation"}
        else:
            blocks.append(_para(f"You asked: {' '.join(line.split())}", width, max_lines=2)
                          + fill("Nothing I know answers that yet.", width, "  "))
    changes = _changes(before, after, width, shown)
    if changes:
        blocks.append(["What changed:"] + changes)
    elif len(blocks) == 1:
        blocks.append(["The advice is the same."])
    question = question or most_useful_question(after)
    if question is not None:
        blocks.append(_ask(after, question, width))
    else:
        blocks.append(_para(f"That is all I need to ask. {MORE} shows the whole advice, :options the options.", width))
    return Reply(_joined(blocks), question)


def _ask(c: Consultation, question: QuestionOut, width: int) -> list[str]:
    """The question, counted among the open ones."""
    return question_lines(c.kb, [question] + [q for q in c.advice.questions if q.id != question.id], width)


def _para(text: str, width: int, max_lines: int | None = None) -> list[str]:
    """A paragraph that starts at the margin, its next lines indented."""
    return fill(text, width, "  ", first="", max_lines=max_lines)


def _joined(blocks: list[list[str]]) -> str:
    return "\n".join(line for block in blocks for line in block) + "\n"


def _differs(before: Consultation, after: Consultation) -> bool:
    a, b = after.advice, before.advice
    return (a.recommendation.option_id != b.recommendation.option_id or [q.id for q in a.questions] != [q.id for q in b.questions]
            or {i.id for i in (*a.red_flags, *a.findings)} != {i.id for i in (*b.red_flags, *b.findings)}
            or {o.id for o in a.options} != {o.id for o in b.options})
