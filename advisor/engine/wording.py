"""Plain words for people: a fact with its value, what a rule's condition asks for, why a question is asked
and why an option was not offered.

Everything here is derived from the rules and from the facts' labels, values and units (rules/facts.yaml) -
nothing is written per rule - so a new rule is explained as soon as it is added. Rule ids, fact names and the
condition language stay in the JSON advice and in HOW explanations (`explain ID`), which are for tracing.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from advisor.engine.conditions import Truth
from advisor.engine.memory import WorkingMemory
from advisor.engine.templates import render
from advisor.kb.model import (All, Any_, Condition, FactRef, FactTest, KnowledgeBase, Not, Offered, OptionRule,
                              RecommendRule, Rule)
from advisor.units import MAX_LISTED, and_join, fmt_bytes_gib, fmt_sig, fmt_value

COMPARISON = {"gt": "above", "gte": "at least", "lt": "below", "lte": "at most", "eq": "", "ne": "not"}


def value_words(kb: KnowledgeBase, name: str, value: Any) -> str:
    """A fact's value as a person writes it: '24 GiB', '6.74B', 'bf16 mixed precision', 'yes', '8.00 GB'."""
    spec = kb.facts[name]
    if isinstance(value, bool):
        return "yes" if value else "no"
    if spec.type == "choice" and isinstance(value, str):
        return spec.value_label(value)
    if spec.unit == "bytes" and isinstance(value, (int, float)):
        if 0 < abs(value) < 2**24:  # (a token's or a sample's share: "0.125 MiB", not "0.00 GiB")
            return f"{fmt_sig(value / 2**20, 3)} MiB"
        return fmt_bytes_gib(value)  # (GiB, the unit cards are read in; fmt_value adds the GB twin for HOW)
    return fmt_value(value, spec.unit, spec.pair_key)


def fact_words(kb: KnowledgeBase, name: str, value: Any) -> str:
    """'GPU memory 24 GiB', 'optimizer AdamW'; a true yes/no fact is its label alone ('activation
    checkpointing'), a false one '<label>: no'."""
    label = kb.facts[name].plain_label
    if value is True:
        return label
    if value is False:
        return f"{label}: no"
    if isinstance(value, list):
        return f"{label}: {value_words(kb, name, value)}"
    return f"{label} {value_words(kb, name, value)}"


def plain_values(kb: KnowledgeBase, text: str) -> str:
    """Text written by code (an estimator's formula) with the vocabulary's coded choices in words:
    'amp_bf16 + adamw_8bit' -> 'bf16 mixed precision + 8-bit AdamW'. Only values with an underscore are coded."""
    coded = {c: spec.value_label(c) for spec in kb.facts.values() for c in spec.choices or () if "_" in c}
    if not coded or "_" not in text:
        return text
    pattern = re.compile(r"(?<![\w.])(" + "|".join(re.escape(c) for c in sorted(coded, key=len, reverse=True)) + r")(?![\w(])")
    return pattern.sub(lambda m: coded[m.group(1)], text)


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


UNKNOWN = "…"  # how a title shows a value not known yet


def title_of(rule: Rule, wm: WorkingMemory) -> str:
    """A rule's title with the values it quotes; a value not known yet shows as '…'."""
    return render(rule.title, wm, unknown=UNKNOWN)


def option_titles(kb: KnowledgeBase, wm: WorkingMemory) -> dict[str, str]:
    """Every option's title by its id (the first rule that offers it names it)."""
    titles: dict[str, str] = {}
    for rule in kb.rules:
        if isinstance(rule, OptionRule):
            titles.setdefault(rule.option, title_of(rule, wm))
    return titles


# ---------------------------------------------------------------------------------------------- conditions

def _operand_words(kb: KnowledgeBase, test: FactTest, operand: Any, wm: WorkingMemory | None) -> str:
    if isinstance(operand, FactRef):
        label = kb.facts[operand.fact].plain_label
        if wm is not None and wm.known(operand.fact):
            return f"{label} ({value_words(kb, operand.fact, wm.value(operand.fact))})"
        return label
    if isinstance(operand, (int, float)) and not isinstance(operand, bool) and operand == 0:
        return "0"
    return value_words(kb, test.fact, operand)


def _option_title(option: str, titles: dict[str, str] | None) -> str:
    return (titles or {}).get(option) or option.replace("-", " ")


def requirement(kb: KnowledgeBase, cond: Condition, wm: WorkingMemory | None = None,
                titles: dict[str, str] | None = None) -> str:
    """What a condition asks for, in words: 'GPU memory left for activations with 8-bit AdamW above 0',
    'training fine-tuning', 'optimizer one of Adam, AdamW or 8-bit AdamW'. `titles` names options."""
    if isinstance(cond, All):  # an 'one of' inside is bracketed, so 'and' does not read as one of its parts
        parts = [requirement(kb, c, wm, titles) for c in cond.all]
        return and_join([f"({p})" if isinstance(c, Any_) else p for c, p in zip(cond.all, parts)], limit=len(parts))
    if isinstance(cond, Any_):
        return "one of: " + "; ".join(requirement(kb, c, wm, titles) for c in cond.any)
    if isinstance(cond, Not):
        return f"not ({requirement(kb, cond.not_, wm, titles)})"
    if isinstance(cond, Offered):
        return f"the option '{_option_title(cond.offered, titles)}' offered"
    spec = kb.facts[cond.fact]
    label, op, operand = spec.plain_label, cond.operator, cond.operand
    if op == "known":
        return f"I know the {lower_first(label)}" if operand else f"I do not know the {lower_first(label)}"
    if op == "in":
        return f"{label} one of {and_join([value_words(kb, cond.fact, v) for v in operand], limit=len(operand)).replace(' and ', ' or ')}"
    if op in ("eq", "ne") and isinstance(operand, bool):
        return label if operand == (op == "eq") else f"not: {label}"
    if op in ("eq", "ne") and isinstance(operand, str):
        return f"{label}: {'not ' if op == 'ne' else ''}{value_words(kb, cond.fact, operand)}"
    word = COMPARISON[op]
    return f"{label} {word + ' ' if word else ''}{_operand_words(kb, cond, operand, wm)}"


def _got(kb: KnowledgeBase, truth: Truth, wm: WorkingMemory) -> str:
    """', and here it is X' for a failed test of one fact, with how a computed value was reached."""
    test = truth.because
    if not isinstance(test, FactTest) or not wm.known(test.fact) or test.operator == "known":
        return ""
    value = wm.value(test.fact)
    if isinstance(value, bool):
        return "; here that is not so" if test.operand is True else "; here it is so"
    return f"; here it is {value_words(kb, test.fact, value)}"


def failed_requirement(kb: KnowledgeBase, truth: Truth, wm: WorkingMemory, titles: dict[str, str]) -> str:
    """Why a condition is False, in words: what it needs and what the value is. `titles` names options."""
    because = truth.because
    if isinstance(because, Offered):
        return f"it comes only with the option '{_option_title(because.offered, titles)}', which was not offered"
    if isinstance(because, Not) and isinstance(because.not_, Offered):
        return f"it is not offered together with '{_option_title(because.not_.offered, titles)}'"
    if isinstance(because, str):  # the engine's own reason (a recommendation whose option is not on the table)
        return "its option is not on the table"
    if because is None:
        return "its condition does not hold"
    return f"it needs {requirement(kb, because, wm, titles)}{_got(kb, truth, wm)}"


# ---------------------------------------------------------------------------------------------- questions

NUMBERS_REASON = "I ask because the answer lets me work out a figure I would point out."  # (not yet said)


def question_reason(kb: KnowledgeBase, wm: WorkingMemory, waiting: Iterable[Rule], titles: dict[str, str]) -> str:
    """Why a question is asked, in one sentence, from the conclusions waiting for its answer: the plans and options
    it decides first ('I ask because the answer decides whether I can offer LoRA adapters … and QLoRA adapters …'),
    else the red flags and findings, else the numbers it is needed for. `titles` maps option ids to titles."""
    options, recommended, noticed, computed = [], [], [], []
    plans = False
    for rule in waiting:
        if rule.kind == "plans":
            plans = True
        elif isinstance(rule, OptionRule):
            options.append(title_of(rule, wm))
        elif isinstance(rule, RecommendRule):
            recommended.append(_option_title(rule.recommend, titles))
        elif rule.kind in ("red_flag", "finding", "measure"):
            noticed.append(title_of(rule, wm))
        elif rule.kind == "estimate":
            computed.append(title_of(rule, wm))
        else:  # a decision: the facts it would settle
            computed += [kb.facts[name].plain_label for name in rule.concludes() if name in kb.facts]
    decides = ["which plans fit your card and which of them I recommend"] if plans else []
    # a title that quotes a value the answer will give ('Start from micro-batch … (estimated)') is not quoted
    named = [t for t in options if UNKNOWN not in t]
    if named:
        decides.append(f"whether I can offer {and_join([quoted(t) for t in named], 2)}")
    elif options:
        decides.append("which options I can offer")
    named = [t for t in recommended if UNKNOWN not in t]
    if named:
        decides.append(f"whether I recommend {and_join([quoted(t) for t in named], 2)}")
    elif recommended:
        decides.append("which option I recommend")
    named = [t for t in noticed if UNKNOWN not in t]
    if not decides and named:
        decides.append("whether " + either(named))
    elif not decides and noticed:
        return NUMBERS_REASON
    if decides:
        return "I ask because the answer decides " + ", and ".join(decides) + "."
    if computed:
        return f"I ask because I need the answer to work out {and_join([lower_first(c) for c in computed], 2)}."
    return "I ask because the advice depends on it."


def lower_first(text: str) -> str:
    """'Your optimizer …' -> 'your optimizer …' for the middle of a sentence; 'LoRA …' and 'GPU …' stay."""
    word = text.split(" ", 1)[0]
    if word == "I" or not word.isalpha() or not (len(word) == 1 or word[1:].islower()):
        return text
    return text[0].lower() + text[1:]


def quoted(title: str) -> str:
    """An option's title inside a sentence."""
    return f"'{title}'"


def _negated_form(statement: str, other: str) -> bool:
    """Whether `statement` is `other` said negatively ('… do not leave room …' of '… leave room …')."""
    for negation in (" do not ", " does not ", " is not ", " are not ", " not "):
        if negation in statement and statement.replace(negation, " ", 1) == other:
            return True
    return False


def either(statements: list[str]) -> str:
    """Alternatives with their shared opening said once: 'your optimizer and precision do not leave room for
    activations, or leave room for activations'."""
    items = [lower_first(s) for s in dict.fromkeys(statements)][:MAX_LISTED]
    positive = [i for i in items if not any(_negated_form(i, j) for j in items)]
    if len(positive) == 1 and len(items) == 2:
        return positive[0]  # "X leaves room" and "X does not leave room": the question is whether X leaves room
    if len(items) == 1:
        return items[0]
    words = [item.split() for item in items]
    shared = 0
    while all(len(w) > shared + 1 for w in words) and len({w[shared] for w in words}) == 1:
        shared += 1
    if shared < 2:
        return ", or ".join(items)
    return " ".join(words[0][:shared]) + " " + ", or ".join(" ".join(w[shared:]) for w in words)
