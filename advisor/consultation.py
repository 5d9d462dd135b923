"""`consult()`: the one stateless core every interface calls.

Facts in (the message, stated facts, answers to earlier questions), advice out. Nothing is remembered between
calls: a multi-turn conversation calls it again with the answers so far, which keeps every answer
reproducible from its inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from advisor.engine.advice import (Advice, FactOut, Provenance as ProvenanceOut, QuestionOut, Recommendation, SourceOut)
from advisor.engine.chaining import Engine, RunResult
from advisor.errors import InputError
from advisor.reading.extract import extract
from advisor.engine.memory import Provenance, WorkingMemory, coerce_named, is_skip, unknown_fact_error
from advisor.kb import load as kb_load
from advisor.kb.model import KnowledgeBase, OptionRule, RecommendRule, Rule
from advisor.engine.templates import render

KIND_LABEL = {"option": "option", "red_flag": "red flag", "finding": "finding", "estimate": "estimate",
              "derive": "decision", "recommend": "recommendation", "measure": "measurement"}
_ENGINES: dict[int, Engine] = {}


@dataclass
class Consultation:
    """The advice plus the engine state it came from (for explanations)."""

    kb: KnowledgeBase
    wm: WorkingMemory
    run: RunResult
    advice: Advice


def load_kb(rules_dir: str | None = None) -> KnowledgeBase:
    """The knowledge base, with its estimator calls checked against the domain's estimators (a cheap pass over
    the estimate rules; the loader itself knows no estimator)."""
    from advisor.domain.estimators import ESTIMATORS  # registers the estimators the rules call

    kb = kb_load.load_kb(rules_dir)
    kb_load.check_estimator_calls(kb, ESTIMATORS)
    return kb


def engine_for(kb: KnowledgeBase) -> Engine:
    engine = _ENGINES.get(id(kb))
    if engine is None or engine.kb is not kb:
        engine = _ENGINES[id(kb)] = Engine(kb)
    return engine


def build_memory(kb: KnowledgeBase, message: str, facts: Mapping[str, Any] | None,
                 answers: Mapping[str, Any] | None, measured: Mapping[str, Any] | None = None) -> WorkingMemory:
    """Put the caller's inputs into a working memory, strongest provenance first."""
    wm = WorkingMemory(kb)
    for kind, mapping in (("given", facts), ("measured", measured)):
        for name, raw in (mapping or {}).items():
            value = coerce_named(kb, name, raw)
            if kb.facts[name].derived:
                raise InputError(f"{name!r} is computed by the advisor, not given; state its inputs instead "
                                 f"(advisor facts shows which facts are inputs)")
            wm.set(name, value, Provenance(kind))
    for name, raw in (answers or {}).items():
        spec = kb.facts.get(name)
        if spec is None:
            raise InputError(f"answer to unknown question {name!r}: " + unknown_fact_error(kb, name))
        if not spec.askable:
            raise InputError(f"{name!r} is not a question the advisor asks; pass it under facts instead")
        if is_skip(raw):
            wm.declined.add(name)
            continue
        wm.set(name, coerce_named(kb, name, raw), Provenance("answer"))
    for name, (value, matched) in extract(kb, message or "").items():
        if not wm.known(name):
            wm.set(name, value, Provenance("message", repr(matched)))
    _catalogue_facts(wm)
    for name, spec in kb.facts.items():
        if spec.default is not None and not wm.known(name):
            wm.set(name, coerce_named(kb, name, spec.default), Provenance("default"))
    _check_consistency(wm)
    return wm


def _catalogue_facts(wm: WorkingMemory) -> None:
    """A catalogue model implies its parameter count (computed from its shapes), unless the user gave one."""
    if wm.known("model_preset") and not wm.known("params") and "params" in wm.kb.facts:
        from advisor.domain.catalogue import preset

        wm.set("params", float(preset(wm.value("model_preset")).params), Provenance("estimate", "the model catalogue"))


def _check_consistency(wm: WorkingMemory) -> None:
    names = ("micro_batch", "grad_accum_steps", "num_gpus", "batch_size")
    if all(wm.known(n) and wm.facts[n].provenance.kind != "default" for n in names):
        micro, accum, gpus, batch = (wm.value(n) for n in names)
        if micro * accum * gpus != batch:
            raise InputError(f"contradictory facts: micro_batch {micro} × grad_accum_steps {accum} × num_gpus {gpus} "
                             f"= {micro * accum * gpus}, but batch_size is {batch} (batch_size is the global batch per "
                             f"optimizer update); fix one of them")


def consult(message: str = "", facts: Mapping[str, Any] | None = None, answers: Mapping[str, Any] | None = None, *,
            measured: Mapping[str, Any] | None = None, kb: KnowledgeBase | None = None) -> Advice:
    """Advise on a situation. Raises InputError (with what was expected) on bad input."""
    return run_consultation(message, facts, answers, measured=measured, kb=kb).advice


def run_consultation(message: str = "", facts: Mapping[str, Any] | None = None, answers: Mapping[str, Any] | None = None,
                     *, measured: Mapping[str, Any] | None = None, kb: KnowledgeBase | None = None) -> Consultation:
    if message is not None and not isinstance(message, str):
        raise InputError("message must be text")
    for label, mapping in (("facts", facts), ("answers", answers), ("measured", measured)):
        if mapping is not None and not isinstance(mapping, Mapping):
            raise InputError(f"{label} must be a mapping of name to value")
    kb = kb or load_kb()
    wm = build_memory(kb, message or "", facts, answers, measured)
    run = engine_for(kb).run(wm)
    return Consultation(kb, wm, run, _advice(kb, wm, run))


# ------------------------------------------------------------------------------------------ assembling

def why_label(rule: Rule, wm: WorkingMemory) -> str:
    """'<conclusion> (<kind> <id>)': what depends on an answer, then where to look it up (explain ID)."""
    ident = rule.option if isinstance(rule, OptionRule) else rule.id
    return f"{render(rule.title, wm)} ({KIND_LABEL[rule.kind]} {ident})"


def open_questions(kb: KnowledgeBase, wm: WorkingMemory, run: RunResult) -> dict[str, list[Rule]]:
    """askable fact -> the blocked rules waiting for it, directly or through a fact another blocked rule
    would derive from it.

    A rule that also waits for something no answer can supply (an input nobody gave, a declined question, a
    derived fact whose producers are themselves stuck) cannot fire whatever the user answers, so it asks
    nothing: questions are only asked when the answer can change the advice.
    """
    producers: dict[str, list[Rule]] = {}
    missing_of = {b.rule.id: b.missing for b in run.blocked}
    for b in run.blocked:
        for fact in b.rule.concludes():
            producers.setdefault(fact, []).append(b.rule)
    memo: dict[str, set[str] | None] = {}

    def needs(rule: Rule, stack: frozenset[str]) -> set[str] | None:
        """The askable facts that would unblock `rule`, or None if no answer can."""
        if rule.id in memo:
            return memo[rule.id]
        if rule.id in stack:
            return None
        direct: set[str] = set()
        upstream: set[str] = set()
        for fact in sorted(missing_of.get(rule.id, ())):
            spec = kb.facts[fact]
            if spec.askable and fact not in wm.declined:
                direct.add(fact)
                continue
            if not spec.derived:
                memo[rule.id] = None  # an input nobody gave, or a declined question
                return None
            routes = [n for p in producers.get(fact, ()) if (n := needs(p, stack | {rule.id})) is not None]
            if not routes:
                memo[rule.id] = None
                return None
            upstream |= set().union(*routes)
        # ask in dependency order: settle the derived facts first, since they may rule this one out
        memo[rule.id] = upstream or direct
        return memo[rule.id]

    waiting: dict[str, list[Rule]] = {}
    for b in run.blocked:
        for fact in needs(b.rule, frozenset()) or ():
            waiting.setdefault(fact, []).append(b.rule)
    order = {name: i for i, name in enumerate(kb.facts)}
    return {f: waiting[f] for f in sorted(waiting, key=order.__getitem__)}


def _recommendation(kb: KnowledgeBase, wm: WorkingMemory, run: RunResult, questions: dict[str, list[Rule]]) -> Recommendation:
    index = {rule.id: i for i, rule in enumerate(kb.rules)}
    rank = lambda r: (-r.salience, index[r.id])  # noqa: E731
    fired = sorted(run.recommendations, key=rank)
    pending = {r.id for rules in questions.values() for r in rules if r.kind == "recommend"}
    if not fired:
        if questions:
            text = ("No option stands out yet; the answers to the open questions decide it: "
                    + ", ".join(questions) + ".")
        elif run.options:
            text = "Each option below fits a different priority; compare their tradeoffs."
        else:
            text = ("I have nothing specific to recommend from what you told me. Say what you want to change "
                    "(memory, speed, accuracy, a batch size) and give your GPU memory, model size and batch size.")
        return Recommendation(option_id=None, rationale=text, depends_on=list(questions))
    winner = fired[0]
    depends = [n for n in winner.reads() if wm.known(n) and kb.facts[n].askable]
    # open questions that could enable a stronger recommendation, directly or by unlocking its option
    stronger = [r for r in kb.rules if isinstance(r, RecommendRule) and rank(r) < rank(winner)]
    for fact, rules in questions.items():
        for r in rules:
            if (r.id in pending and rank(r) < rank(winner)) or \
                    (isinstance(r, OptionRule) and any(s.recommend == r.option for s in stronger)):
                depends.append(fact)
                break
    return Recommendation(option_id=winner.recommend, rationale=render(winner.text, wm),
                          depends_on=list(dict.fromkeys(depends)))


def _advice(kb: KnowledgeBase, wm: WorkingMemory, run: RunResult) -> Advice:
    waiting = open_questions(kb, wm, run)
    questions = []
    for fact, rules in waiting.items():
        spec = kb.facts[fact]
        questions.append(QuestionOut(id=fact, text=spec.question, why=[why_label(r, wm) for r in rules],
                                     kind=spec.question_kind, choices=spec.choices, unit=spec.unit))
    facts_out = [FactOut(name=f.name, value=f.value, unit=kb.facts[f.name].unit,
                         provenance=ProvenanceOut(kind=f.provenance.kind, by=f.provenance.by))
                 for name in kb.facts if (f := wm.facts.get(name)) is not None]
    sources = [SourceOut(id=s, citation=kb.sources[s].citation, url=kb.sources[s].url)
               for s in sorted(run.used_sources) if s in kb.sources]
    index = {rule.id: i for i, rule in enumerate(kb.rules)}
    by_salience = lambda option_id: (-kb.rule(run.option_rule[option_id]).salience, index[run.option_rule[option_id]])  # noqa: E731
    return Advice(
        red_flags=list(run.red_flags.values()), findings=list(run.findings.values()), questions=questions,
        estimates=list(run.estimates.values()), options=[run.options[o] for o in sorted(run.options, key=by_salience)],
        recommendation=_recommendation(kb, wm, run, waiting), measure=list(run.measures.values()),
        facts=facts_out, trace=run.trace, sources=sources)
