"""Explanations from the trace: HOW a fact, number or conclusion was reached, WHY a question is asked, and
WHY-NOT an option was not offered (the first premise that failed, or the facts it still waits for)."""

from __future__ import annotations

from pydantic import BaseModel

from advisor.engine.assemble import Consultation
from advisor.engine import wording
from advisor.engine.conditions import describe
from advisor.engine.questions import open_questions, why_label
from advisor.kb.model import OptionRule, PlansRule, Rule
from advisor.engine.templates import render
from advisor.units import fmt_value


class Explanation(BaseModel):
    target: str
    kind: str  # how | why | whynot
    lines: list[str]

    def text(self) -> str:
        return "\n".join(self.lines)


def explain(c: Consultation, target: str) -> Explanation:
    """Pick HOW, WHY or WHY-NOT from what `target` names (a fact or estimate, an option, a red flag, a finding,
    a question id, or 'recommendation')."""
    advice = c.advice
    if target in {q.id for q in advice.questions}:
        return why(c, target)
    if target in c.run.options or target in c.run.red_flags or target in c.run.findings or target in c.run.measures \
            or target == "recommendation" or c.wm.known(target):
        return how(c, target)
    if any(isinstance(r, OptionRule) and r.option == target for r in c.kb.rules) or _plan_verdict(c, target):
        return why_not(c, target)
    known = sorted(set(c.run.options) | set(c.run.red_flags) | set(c.run.findings) | set(c.wm.facts))
    return Explanation(target=target, kind="how", lines=[
        f"'{target}' is not a fact, question, option, red flag or finding of this consultation.",
        "Known here: " + ", ".join(known)])


def _rule_for(c: Consultation, target: str) -> Rule | None:
    """The rule that produced an option, red flag, finding or measurement (their ids are rule ids, except
    options, which are named by the rule that offers them)."""
    if target in c.run.option_rule:
        return c.kb.rule(c.run.option_rule[target])
    if target in c.run.red_flags or target in c.run.findings or target in c.run.measures:
        return c.kb.rule(target)
    return None


def how(c: Consultation, target: str) -> Explanation:
    lines: list[str] = []
    if target == "recommendation":
        rec = c.advice.recommendation
        if rec.option_id is None:
            return Explanation(target=target, kind="how", lines=[rec.rationale])
        rule = c.engine.policy.first(r for r in c.run.recommendations if r.recommend == rec.option_id)
        lines.append(f"Recommended {rec.option_id} by rule {rule.id} ({c.kb.where(rule.id)}): {render(rule.text, c.wm)}")
        _explain_rule(c, rule, lines, set(), depth=1)
        return Explanation(target=target, kind="how", lines=lines)
    rule = _rule_for(c, target)
    if rule is not None:
        lines.append(f"{why_label(rule, c.wm)}  [{c.kb.where(rule.id)}]")
        _explain_rule(c, rule, lines, set(), depth=1)
        return Explanation(target=target, kind="how", lines=lines)
    _explain_fact(c, target, lines, set(), depth=0)
    return Explanation(target=target, kind="how", lines=lines)


def _explain_rule(c: Consultation, rule: Rule, lines: list[str], seen: set[str], depth: int) -> None:
    pad = "  " * depth
    if rule.when is not None:
        lines.append(f"{pad}because {describe(rule.when)}")
    if rule.rationale:
        lines.append(f"{pad}rationale: {rule.rationale.strip()}")
    if rule.sources:
        lines.append(f"{pad}sources: {', '.join(rule.sources)}")
    for name in rule.reads():
        if c.wm.known(name):
            _explain_fact(c, name, lines, seen, depth)


def _explain_fact(c: Consultation, name: str, lines: list[str], seen: set[str], depth: int) -> None:
    pad = "  " * depth
    if not c.wm.known(name):
        lines.append(f"{pad}{name} is unknown")
        return
    fact = c.wm.facts[name]
    shown = fmt_value(fact.value, c.kb.facts[name].unit, c.kb.facts[name].pair_key)
    prov = fact.provenance
    est = next((e for e in c.advice.estimates if e.id == name), None)
    if prov.kind == "estimate" and est is not None:
        lines.append(f"{pad}{name} = {shown}: estimated by {est.by}: {est.formula} [sources: {', '.join(est.sources)}]")
    elif prov.kind == "estimate":
        lines.append(f"{pad}{name} = {shown}: from {prov.estimator}")
    elif prov.kind == "derived":
        lines.append(f"{pad}{name} = {shown}: derived by rule {prov.rule}")
    elif prov.kind == "message":
        lines.append(f"{pad}{name} = {shown}: from your message, {prov.by}")
    elif prov.kind == "config":
        lines.append(f"{pad}{name} = {shown}: {prov.by}")
    else:
        lines.append(f"{pad}{name} = {shown}: {prov.kind}")
    if name in seen or prov.rule is None:
        return
    seen.add(name)
    rule = c.kb.rule(prov.rule)
    for dep in rule.reads():
        if c.wm.known(dep):
            _explain_fact(c, dep, lines, seen, depth + 1)


def why(c: Consultation, question: str) -> Explanation:
    """WHY a question is asked, in plain words: the reason, then what waits for the answer."""
    asked = next(q for q in c.advice.questions if q.id == question)
    waiting = open_questions(c.kb, c.wm, c.run).get(question, [])
    lines = [asked.reason]
    titles = [wording.title_of(r, c.wm) for r in waiting if r.kind in ("option", "red_flag", "finding", "recommend")]
    titles = [t for t in dict.fromkeys(titles) if t]
    if len(titles) > 2:  # the reason names two; the rest are listed
        lines.append("Waiting for your answer: " + "; ".join(titles[:6]) + (f"; and {len(titles) - 6} more" if len(titles) > 6 else "") + ".")
    lines.append("If you do not know, answer skip: the advice then goes on without those.")
    return Explanation(target=question, kind="why", lines=lines)


def why_not(c: Consultation, option: str) -> Explanation:
    """WHY-NOT an option was offered, in plain words: the requirement that failed with the value it met (and how
    that value was computed), or the facts it still waits for."""
    titles = wording.option_titles(c.kb, c.wm)
    title = c.run.options[option].title if option in c.run.options else titles.get(option, option)
    if option in c.run.options:
        verdict = _plan_verdict(c, option)  # the plan search says why in its own words
        if verdict:
            return Explanation(target=option, kind="whynot", lines=verdict)
        rule = c.kb.rule(c.run.option_rule[option])
        because = f" because {wording.requirement(c.kb, rule.when, c.wm, titles)}" if rule.when is not None else ""
        return Explanation(target=option, kind="whynot", lines=[f"'{title}' was offered{because}."])
    engine = c.engine
    lines = []
    offered = set(c.run.options)
    for i, rule in enumerate(engine.rules):
        if not (isinstance(rule, OptionRule) and rule.option == option):
            continue
        truth = engine.status(i, c.wm, offered)
        if truth.value is False:
            lines.append(f"'{title}' was not offered: {wording.failed_requirement(c.kb, truth, c.wm, titles)}.")
            formula = _formula_of(c, truth)
            if formula:
                lines.append(f"  That number is {wording.plain_values(c.kb, formula)}.")
        elif truth.value is None:
            missing = sorted(truth.missing, key=list(c.kb.facts).index)
            asked = [c.kb.facts[n].plain_label for n in missing if c.kb.facts[n].askable]
            untold = [c.kb.facts[n].plain_label for n in missing if not c.kb.facts[n].askable]
            waits = ([f"your answer on {wording.and_join(asked, len(asked))}"] if asked else []) + \
                    ([f"{wording.and_join(untold, len(untold))}, which I do not know yet"] if untold else [])
            lines.append(f"'{title}' is not offered yet: it waits for {' and '.join(waits)}.")
        else:
            lines.append(f"'{title}' applies, but its numbers could not be computed from what I know.")
        if rule.when is not None:
            lines.append(f"  It is offered when: {wording.requirement(c.kb, rule.when, c.wm, titles)}.")
    if not lines:
        lines = _plan_verdict(c, option)
    return Explanation(target=option, kind="whynot", lines=lines)


def _formula_of(c: Consultation, truth) -> str | None:
    """How the value a failed test met was computed, when an estimator computed it."""
    test = truth.because
    name = getattr(test, "fact", None) if not isinstance(test, str) else None
    estimate = c.run.estimates.get(name) if name else None
    return estimate.formula if estimate is not None else None


def _plan_verdict(c: Consultation, option: str) -> list[str]:
    """A plan the plan search did not offer: the search's own reason, with the number that decided it."""
    for rule in c.kb.rules:
        if isinstance(rule, PlansRule) and rule.verdicts is not None and c.wm.known(rule.verdicts.fact):
            for item in c.wm.value(rule.verdicts.fact):
                if item.get("id") == option:
                    return [f"{wording.capitalised(item['text'])}."]
    return []
