"""`advisor rules lint`: design checks on a knowledge base that loads.

Loading already rejects what cannot run (unknown facts, sources, estimators, options; duplicate rule ids;
claims without sources). Lint finds what runs but is wrong: rules that can never fire, derived facts no rule
sets, questions no rule needs, options offered by two rules, seed items no rule covers, unknown text formats,
sources nobody cites, misconception red flags that no claim in a message can raise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from advisor.kb.model import BRACED, KnowledgeBase, OptionRule, RedFlagRule, TEMPLATE_FIELD, condition_facts
from advisor.units import FORMATS


@dataclass(frozen=True)
class LintIssue:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def lint(kb: KnowledgeBase, estimators: Mapping[str, Any]) -> list[LintIssue]:
    issues: list[LintIssue] = []
    add = lambda rule_id, msg: issues.append(LintIssue(kb.where(rule_id), msg))  # noqa: E731

    # reachability: a rule is reachable when every derived fact it needs is set by some reachable rule
    producers: dict[str, list[str]] = {}
    for rule in kb.rules:
        for name in rule.concludes():
            producers.setdefault(name, []).append(rule.id)
    for name, spec in kb.facts.items():
        if spec.derived and name not in producers:
            issues.append(LintIssue("facts.yaml", f"derived fact {name!r} is set by no rule"))
    reachable: set[str] = set()
    changed = True
    while changed:
        changed = False
        for rule in kb.rules:
            if rule.id in reachable:
                continue
            needed = [n for n in condition_facts(rule.when) + rule.action_facts() if kb.facts[n].derived]
            if all(any(p in reachable for p in producers.get(n, ())) for n in needed):
                reachable.add(rule.id)
                changed = True
    for rule in kb.rules:
        if rule.id not in reachable:
            needed = [n for n in condition_facts(rule.when) + rule.action_facts() if kb.facts[n].derived]
            add(rule.id, f"rule {rule.id!r} can never fire: nothing reachable sets {', '.join(needed)}")

    for rule in kb.rules:
        cond = condition_facts(rule.when)
        if rule.kind != "recommend" and cond and all(kb.facts[n].askable for n in cond):
            add(rule.id, f"rule {rule.id!r} is gated only by questions ({', '.join(cond)}), so it would ask them in "
                         f"every consultation; add a condition on what the user said or gave")

    read_anywhere = {n for rule in kb.rules for n in rule.reads()}
    for name, spec in kb.facts.items():
        if spec.askable and name not in read_anywhere and not (spec.fills and set(spec.fills.values()) & read_anywhere):
            # (a question that fills inputs is used by the rules that read them)
            issues.append(LintIssue("facts.yaml", f"question {name!r} is used by no rule"))
        read_from_message = spec.patterns or spec.reader
        if not spec.derived and not spec.askable and not read_from_message and spec.default is None \
                and name not in read_anywhere:
            issues.append(LintIssue("facts.yaml", f"input fact {name!r} is read by no rule"))

    offered_by: dict[str, str] = {}
    for rule in kb.rules:
        if isinstance(rule, OptionRule):
            if rule.option in offered_by:
                add(rule.id, f"option {rule.option!r} is also offered by rule {offered_by[rule.option]!r}")
            offered_by[rule.option] = rule.id
            for name, ref in rule.estimates.items():
                is_bytes = kb.facts[ref.fact].unit == "bytes"
                if is_bytes != name.endswith("_bytes"):
                    add(rule.id, f"option estimate {name!r}: name it *_bytes exactly when its fact is in bytes")
        for text in rule.texts():
            for braced in BRACED.findall(text):
                if not TEMPLATE_FIELD.fullmatch(braced) and not re.fullmatch(r"\{[^a-z]*\}", braced):
                    add(rule.id, f"malformed template field {braced}; write {{fact}} or {{fact:format}}")
            for match in TEMPLATE_FIELD.finditer(text):
                if match.group(2) and match.group(2) not in FORMATS:
                    add(rule.id, f"unknown format {match.group(2)!r} in {{{match.group(0)[1:-1]}}}; "
                                 f"use one of {', '.join(sorted(FORMATS))}")

    for rule in kb.rules:  # the misconception catalogue (docs/misconceptions.md)
        if isinstance(rule, RedFlagRule) and rule.belief \
                and not any(n.startswith("claim_") for n in condition_facts(rule.when)):
            add(rule.id, f"red flag {rule.id!r} counters a belief but tests no claim_* fact, so no message raises it")

    covered = {item for rule in kb.rules for item in rule.covers}
    for item in kb.seed_items:
        if item not in covered:
            issues.append(LintIssue("seed_items.yaml", f"seed item {item!r} is covered by no rule"))

    cited = {s for rule in kb.rules for s in rule.sources}
    estimator_sources = {src for est in estimators.values() for src in est.cites}
    for src in sorted(estimator_sources - set(kb.sources)):
        issues.append(LintIssue("sources.yaml", f"an estimator cites {src!r}, which is not in sources.yaml"))
    for src in kb.sources:
        if src not in cited and src not in estimator_sources:
            issues.append(LintIssue("sources.yaml", f"source {src!r} is cited by no rule or estimator"))
    return issues
