"""Forward chaining to a fixed point over the working memory.

Each cycle: re-evaluate the rules whose inputs changed, pick the ready rule with the highest salience (ties
broken by knowledge-base order: `RulePolicy`, so runs are deterministic), fire it, repeat. A rule is *ready* when its
condition is True, every fact its action needs is known, and it has not fired on these same inputs
(refraction: the key is the rule id plus the versions of the facts it reads). When nothing is ready, rules
that are undecided only because an askable fact is unknown become questions — the engine never calls input().
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from advisor.engine.advice import (EstimateOut, FindingOut, MeasureOut, OptionOut, Quantity, RedFlagOut, Settings, Tradeoffs,
                                   TraceEntry)
from advisor.engine.conditions import Truth, evaluate
from advisor.errors import EngineLoopError
from advisor.engine.estimators import Estimate, NotComputable, call_estimator
from advisor.engine.memory import Provenance, WorkingMemory
from advisor.engine.policy import RulePolicy
from advisor.kb.model import (DeriveRule, EstimateRule, FactRef, FindingRule, MeasureRule, OptionRule, PlansRule, RecommendRule,
                    RedFlagRule, Rule, condition_options)
from advisor.engine.templates import render
from advisor.units import fmt_value


@dataclass
class Blocked:
    rule: Rule
    missing: frozenset[str]


@dataclass
class Fired:
    """What one firing did: facts it changed, the option it offered, trace lines, sources beyond the rule's own."""

    changed: list[str] = field(default_factory=list)
    produced: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    option: str | None = None


@dataclass
class RunResult:
    wm: WorkingMemory
    red_flags: dict[str, RedFlagOut] = field(default_factory=dict)
    findings: dict[str, FindingOut] = field(default_factory=dict)
    options: dict[str, OptionOut] = field(default_factory=dict)
    measures: dict[str, MeasureOut] = field(default_factory=dict)
    estimates: dict[str, EstimateOut] = field(default_factory=dict)
    recommendations: list[RecommendRule] = field(default_factory=list)
    trace: list[TraceEntry] = field(default_factory=list)
    blocked: list[Blocked] = field(default_factory=list)
    used_sources: set[str] = field(default_factory=set)
    option_rule: dict[str, str] = field(default_factory=dict)
    plans: list[dict] = field(default_factory=list)  # the plan search's memory table (the user's plan first)
    # estimator results of this run, by call: a rule that re-fires on unchanged arguments reuses them (kept per
    # consultation, so a long-running REPL or MCP server does not accumulate them)
    memo: dict[tuple, dict[str, Estimate] | NotComputable] = field(default_factory=dict)


class Engine:
    def __init__(self, kb: Any, max_cycles: int | None = None):
        self.kb = kb
        self.policy = RulePolicy(kb)
        self.rules: list[Rule] = list(kb.rules)
        self.max_cycles = max_cycles or 10 * len(self.rules) + 100
        self._needs = [list(r.action_facts()) for r in self.rules]
        self._reads = [list(r.reads()) for r in self.rules]
        # dependency index: which rules to re-evaluate when a fact or an option changes
        self._by_fact: dict[str, list[int]] = {}
        self._by_option: dict[str, list[int]] = {}
        for i, rule in enumerate(self.rules):
            for name in self._reads[i]:
                self._by_fact.setdefault(name, []).append(i)
            opts = condition_options(rule.when) + ([rule.recommend] if isinstance(rule, RecommendRule) else [])
            for opt in opts:
                self._by_option.setdefault(opt, []).append(i)

    # ------------------------------------------------------------------------------------------ matching

    def status(self, i: int, wm: WorkingMemory, offered: set[str]) -> Truth:
        rule = self.rules[i]
        if isinstance(rule, RecommendRule) and rule.recommend not in offered:
            # a recommendation is only considered (and only asks) once its option is on the table
            return Truth(False, because=f"option {rule.recommend} not offered")
        truth = evaluate(rule.when, wm, offered)
        if truth.value is True:
            missing = frozenset(n for n in self._needs[i] if not wm.known(n))
            if missing:
                return Truth(None, missing)
        return truth

    def _key(self, i: int, wm: WorkingMemory) -> tuple:
        return (i,) + tuple(wm.version(n) for n in self._reads[i])

    def run(self, wm: WorkingMemory) -> RunResult:
        result = RunResult(wm)
        n = len(self.rules)
        status: dict[int, Truth] = {}
        dirty = set(range(n))
        fired: set[tuple] = set()
        ready: set[int] = set()  # True and not yet fired on these inputs; a rule's key only changes with its inputs,
        counts: Counter[str] = Counter()  # and then it is dirty and re-evaluated, so this set stays exact
        recent: list[str] = []
        for _cycle in range(self.max_cycles + 1):
            offered = set(result.options)
            for i in dirty:
                status[i] = self.status(i, wm, offered)
                if status[i].value is True and self._key(i, wm) not in fired:
                    ready.add(i)
                else:
                    ready.discard(i)
            dirty = set()
            if not ready:
                break
            i = min(ready, key=lambda j: self.policy.key(self.rules[j]))
            ready.discard(i)
            fired.add(self._key(i, wm))
            counts[self.rules[i].id] += 1
            recent.append(self.rules[i].id)
            changed_facts, changed_option = self._fire(i, wm, result)
            dirty.add(i)
            for name in changed_facts:
                dirty.update(self._by_fact.get(name, ()))
            if changed_option:
                dirty.update(self._by_option.get(changed_option, ()))
        else:
            looping = Counter(recent[-50:]).most_common(5)
            names = ", ".join(f"{rid} (fired {counts[rid]}×)" for rid, _ in looping)
            raise EngineLoopError(f"no fixed point after {self.max_cycles} firings; rules that kept firing: {names}")
        result.blocked = [Blocked(self.rules[i], status[i].missing) for i in range(n)
                          if status[i].value is None and self._key(i, wm) not in fired]
        self._withdraw_findings(wm, result)
        return result

    def _withdraw_findings(self, wm: WorkingMemory, result: RunResult) -> None:
        """A finding fired on what was known then, but a fact computed after it made its condition false (a "the
        count is unknown" finding before the count was computed): at the fixed point it no longer holds, so it is
        not said. Findings feed no other rule, so withdrawing one changes nothing else."""
        offered = set(result.options)
        for i, rule in enumerate(self.rules):
            if rule.id in result.findings and isinstance(rule, FindingRule) \
                    and evaluate(rule.when, wm, offered).value is False:
                del result.findings[rule.id]
                result.trace.append(TraceEntry(rule=rule.id, kind=rule.kind, because="its condition became false",
                                               produced=[f"finding {rule.id} withdrawn"]))

    # ------------------------------------------------------------------------------------------- actions

    def _resolve(self, operand: Any, wm: WorkingMemory) -> Any:
        if isinstance(operand, FactRef):
            return wm.value(operand.fact) if wm.known(operand.fact) else None
        return operand

    def _because(self, i: int, wm: WorkingMemory) -> str:
        parts = []
        for name in self._reads[i]:
            if wm.known(name):
                fact = wm.facts[name]
                parts.append(f"{name} = {fmt_value(fact.value, self.kb.facts[name].unit)} [{fact.provenance}]")
        return "; ".join(parts) or "always"

    def _fire(self, i: int, wm: WorkingMemory, result: RunResult) -> tuple[list[str], str | None]:
        rule = self.rules[i]
        because = self._because(i, wm)
        fired = _ACTIONS[rule.kind](self, rule, wm, result)
        result.used_sources.update(rule.sources)
        result.used_sources.update(fired.sources)
        result.trace.append(TraceEntry(rule=rule.id, kind=rule.kind, because=because, produced=fired.produced))
        return fired.changed, fired.option

    # one action per rule kind (the table below): what firing a rule puts into the result

    def _red_flag(self, rule: RedFlagRule, wm: WorkingMemory, result: RunResult) -> Fired:
        result.red_flags[rule.id] = RedFlagOut(id=rule.id, title=render(rule.title, wm), counter=render(rule.counter, wm),
                                               sources=list(rule.sources), heuristic=rule.heuristic, belief=rule.belief)
        return Fired(produced=[f"red flag {rule.id}"])

    def _finding(self, rule: FindingRule, wm: WorkingMemory, result: RunResult) -> Fired:
        result.findings[rule.id] = FindingOut(id=rule.id, title=render(rule.title, wm), text=render(rule.text, wm),
                                              sources=list(rule.sources), heuristic=rule.heuristic, snippet=rule.snippet)
        return Fired(produced=[f"finding {rule.id}"])

    def _measure(self, rule: MeasureRule, wm: WorkingMemory, result: RunResult) -> Fired:
        result.measures[rule.id] = MeasureOut(id=rule.id, title=render(rule.title, wm), text=render(rule.text, wm),
                                              sources=list(rule.sources), heuristic=rule.heuristic)
        return Fired(produced=[f"measurement {rule.id}"])

    def _derive(self, rule: DeriveRule, wm: WorkingMemory, result: RunResult) -> Fired:
        fired = Fired()
        for name, operand in rule.set.items():
            if wm.set(name, self._resolve(operand, wm), Provenance("derived", rule=rule.id)):
                fired.changed.append(name)
                fired.produced.append(f"{name} = {fmt_value(wm.value(name), self.kb.facts[name].unit)}")
            else:
                fired.produced.append(f"{name} kept as stated by the user")
        return fired

    def _option_action(self, rule: OptionRule, wm: WorkingMemory, result: RunResult) -> Fired:
        result.options[rule.option] = self._option(rule, wm)
        result.option_rule[rule.option] = rule.id
        return Fired(produced=[f"option {rule.option}"], option=rule.option)

    def _recommend(self, rule: RecommendRule, wm: WorkingMemory, result: RunResult) -> Fired:
        result.recommendations.append(rule)
        return Fired(produced=[f"candidate recommendation {rule.recommend}"])

    def _plans(self, rule: PlansRule, wm: WorkingMemory, result: RunResult) -> Fired:
        """Each searched plan becomes an option; the one marked recommended becomes a candidate recommendation
        with this rule's salience and the search's own rationale."""
        fired = Fired()
        result.plans = []
        for item in wm.value(rule.plans.fact) or []:
            result.plans.append(dict(item["plan"]))
            if item.get("option") is None:
                continue
            option = OptionOut.model_validate(item["option"])
            result.options[option.id] = option
            result.option_rule[option.id] = rule.id
            fired.produced.append(f"option {option.id}")
            if item.get("recommended"):  # its rationale is finished text: braces must not read as template fields
                result.recommendations.append(RecommendRule(id=rule.id, kind="recommend", title=rule.title, when=rule.when,
                                                            salience=rule.salience, recommend=option.id,
                                                            text=item["rationale"].replace("{", "(").replace("}", ")")))
        return fired

    def _estimate(self, rule: EstimateRule, wm: WorkingMemory, result: RunResult) -> Fired:
        call = rule.estimate
        args = {k: self._resolve(v, wm) for k, v in call.args.items()}
        args.update({k: wm.value(v.fact) for k, v in call.optional.items() if wm.known(v.fact)})
        key = (call.fn, tuple(sorted((k, repr(v)) for k, v in args.items())))
        if key not in result.memo:
            try:
                result.memo[key] = call_estimator(call.fn, args)
            except NotComputable as exc:
                result.memo[key] = exc
        out = result.memo[key]
        if isinstance(out, NotComputable):
            return Fired(produced=[f"not computable: {out}"])
        fired = Fired()
        for result_key, fact in call.targets().items():
            est = out.get(result_key)
            if est is None:  # an estimator may leave out what it cannot compute here
                continue
            if wm.set(fact, est.value, Provenance("estimate", rule=rule.id, estimator=call.fn)):
                fired.changed.append(fact)
            if isinstance(est.value, list) and any(isinstance(item, dict) for item in est.value):
                fired.produced.append(f"{fact}: {len(est.value)} items")
                continue  # structured results (the plans) are shown by the rule that uses them, not as a number
            result.estimates[fact] = EstimateOut(id=fact, value=est.value, unit=est.unit, formula=est.formula,
                                                 sources=list(est.sources), heuristic=est.heuristic,
                                                 by=f"{call.fn} (rule {rule.id})")
            fired.produced.append(f"{fact} = {fmt_value(est.value, self.kb.facts[fact].unit)}")
            fired.sources.extend(est.sources)
        return fired

    def _option(self, rule: OptionRule, wm: WorkingMemory) -> OptionOut:
        settings = {k: self._resolve(v, wm) for k, v in rule.settings.__dict__.items() if v is not None}
        text = lambda t: render(t, wm)  # noqa: E731
        t = rule.tradeoffs
        return OptionOut(
            id=rule.option, title=text(rule.title), summary=text(rule.summary),
            settings=Settings(**{k: v for k, v in settings.items() if v is not None}),
            estimates={name: Quantity(value=wm.value(ref.fact), unit=self.kb.facts[ref.fact].unit)
                       for name, ref in rule.estimates.items()},
            tradeoffs=Tradeoffs(speed=text(t.speed), memory=text(t.memory), accuracy=text(t.accuracy), risk=text(t.risk)),
            validate=text(rule.validate_), sources=list(rule.sources), heuristic=rule.heuristic, snippet=rule.snippet)


# rule kind -> action: a new rule kind adds its model (advisor.kb.model), one method above and one entry here
_ACTIONS = {"red_flag": Engine._red_flag, "finding": Engine._finding, "measure": Engine._measure,
            "derive": Engine._derive, "estimate": Engine._estimate, "option": Engine._option_action,
            "recommend": Engine._recommend, "plans": Engine._plans}
