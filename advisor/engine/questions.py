"""Questions and the recommendation, read from a finished run.

A question is asked only when its answer can change the advice: the rules waiting for it could fire once it is
answered. The recommendation is the first fired recommend rule in the policy's order.
"""

from __future__ import annotations

from collections.abc import Collection

from advisor.engine.advice import Recommendation
from advisor.engine.chaining import RunResult
from advisor.engine.memory import WorkingMemory
from advisor.engine.policy import RulePolicy
from advisor.engine.templates import render
from advisor.engine.wording import and_join
from advisor.kb.model import (DeriveRule, EstimateRule, FactRef, FactSpec, KnowledgeBase, OptionRule, PlansRule,
                              RecommendRule, Rule, template_facts)

KIND_LABEL = {"option": "option", "red_flag": "red flag", "finding": "finding", "estimate": "estimate",
              "derive": "decision", "recommend": "recommendation", "measure": "measurement", "plans": "plan search"}


def why_label(rule: Rule, wm: WorkingMemory) -> str:
    """'<conclusion> (<kind> <id>)': what depends on an answer, then where to look it up (explain ID)."""
    ident = rule.option if isinstance(rule, OptionRule) else rule.id
    return f"{render(rule.title, wm)} ({KIND_LABEL[rule.kind]} {ident})"


def open_questions(kb: KnowledgeBase, wm: WorkingMemory, run: RunResult,
                   unaskable: frozenset[str] = frozenset()) -> dict[str, list[Rule]]:
    """askable fact -> the blocked rules waiting for it, directly or through a fact another blocked rule
    would derive from it.

    A rule that also waits for something no answer can supply (an input nobody gave, a declined question, one in
    `unaskable`, a derived fact whose producers are themselves stuck) cannot fire whatever the user answers, so it
    asks nothing: questions are only asked when the answer can change the advice.
    """
    closed = wm.declined | unaskable
    producers: dict[str, list[Rule]] = {}
    missing_of = {b.rule.id: b.missing for b in run.blocked}
    for b in run.blocked:
        for fact in b.rule.concludes():
            producers.setdefault(fact, []).append(b.rule)
    memo: dict[str, set[str] | None] = {}
    # inputs an open question would supply from a value already read (facts.yaml `fills`)
    fillers = {target: spec.name for spec in kb.facts.values() if spec.fills and spec.fills_from
               and wm.known(spec.fills_from) and not wm.known(spec.name) and spec.name not in closed
               for target in spec.fills.values()}

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
            filler = fillers.get(fact)
            if filler is not None:
                direct.add(filler)  # "is that batch per GPU or the total?": what was said supplies this input
                continue
            if spec.askable and fact not in closed:
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

    def settled(rule: Rule) -> bool:
        """A decision whose every conclusion already holds the value it would set (DDP said: a whole copy on each
        GPU): no answer can change what it decides."""
        return isinstance(rule, DeriveRule) and all(not isinstance(value, FactRef) and wm.known(name)
                                                    and wm.value(name) == value for name, value in rule.set.items())

    waiting: dict[str, list[Rule]] = {}
    for b in run.blocked:
        if settled(b.rule):
            continue
        for fact in needs(b.rule, frozenset()) or ():
            waiting.setdefault(fact, []).append(b.rule)
    order = {name: i for i, name in enumerate(kb.facts)}
    return {f: waiting[f] for f in sorted(waiting, key=order.__getitem__)}


def listed(kb: KnowledgeBase, wm: WorkingMemory, fact: str) -> set[str]:
    """The names a comma-separated text fact lists (`asked_topics`, `answers_not_decisive`); none when unknown."""
    if fact not in kb.facts or not wm.known(fact):
        return set()
    return {name.strip() for name in str(wm.value(fact)).split(",")} - {"none", ""}


def asked_topics(kb: KnowledgeBase, wm: WorkingMemory) -> set[str]:
    return listed(kb, wm, "asked_topics")


def answers_asked(kb: KnowledgeBase, wm: WorkingMemory, rule_id: str) -> bool:
    """Whether a finding answers one of the questions the user asked (its rule's `answers` against the topics read
    into `asked_topics`)."""
    answers = getattr(kb.rule(rule_id), "answers", None)
    return bool(answers) and bool(asked_topics(kb, wm).intersection(answers))


def noticed_answers(kb: KnowledgeBase, wm: WorkingMemory, red_flags: Collection[str], findings: Collection[str]) -> bool:
    """Whether what was noticed is the answer: a finding that answers what the user asked ("why does evaluation
    OOM?") or is a diagnosis, or a red flag that counters what they believe - whatever option an answer could still
    unlock; else the options are what the advice weighs."""
    return bool(red_flags) or any(answers_asked(kb, wm, f) or getattr(kb.rule(f), "diagnosis", False) for f in findings)


def recommendation(kb: KnowledgeBase, wm: WorkingMemory, run: RunResult, questions: dict[str, list[Rule]],
                   policy: RulePolicy) -> Recommendation:
    """The first fired recommendation in the policy's order, with the answers it depends on: those it read, and
    open questions that could still enable a stronger one."""
    fired = policy.ordered(run.recommendations)
    pending = {r.id for rules in questions.values() for r in rules if r.kind == "recommend"}
    # (an answer decides a recommendation only if a recommendation, a plan search or an option waits for it; answers
    # that only complete what was noticed leave nothing to decide)
    deciding = any(r.kind in ("recommend", "plans", "option") for rules in questions.values() for r in rules)
    answered = noticed_answers(kb, wm, run.red_flags, run.findings)
    if not fired:
        if questions and (deciding and not answered or not (run.red_flags or run.findings)):
            text = ("No option stands out yet; the answers to the open questions decide it: "
                    + ", ".join(kb.facts[name].plain_label for name in questions) + ".")
        elif questions:
            # (not "nothing to change": that would endorse the plan the findings may be questioning)
            text = ("What I noticed above is my answer so far; the open questions only complete it: "
                    + ", ".join(kb.facts[name].plain_label for name in questions) + ".")
        elif run.options and not answered:
            # (beside a diagnosis, what was noticed is the answer: general options are no choice to weigh)
            # (the options are listed apart from this sentence - after it in the short answer, before it in the whole
            # advice: "below" named nothing where they were not shown - review 77 #14)
            text = ("Each of the options fits a different priority; compare their tradeoffs." if len(run.options) > 1
                    else "One option is what I can offer; weigh its tradeoffs.")
        elif run.red_flags or run.findings:
            # (what was noticed may itself say what to change: "gradient_as_bucket_view=True", "lower the buffers")
            text = "What I noticed above is my answer."
        else:
            # ask only for what the message did not give
            missing = [words for words, names in (("your GPU memory", ("gpu_memory",)), ("the model's size", ("params",)),
                                                  ("the batch size", ("batch_size", "micro_batch")))
                       if not any(wm.known(n) for n in names)]
            text = ("I have nothing specific to recommend from what you told me. Say what you want to change "
                    "(memory, speed, accuracy, a batch size)"
                    + (f" and give {and_join(missing)}." if missing else "."))
        return Recommendation(option_id=None, rationale=text, depends_on=list(questions))
    winner = fired[0]
    depends = [n for n in winner.reads() + _search_inputs(kb, wm, winner) if wm.known(n) and kb.facts[n].askable]
    # open questions that could enable a stronger recommendation, directly or by unlocking its option
    stronger = [r for r in kb.rules if isinstance(r, RecommendRule) and policy.before(r, winner)]
    searched = set(_search_inputs(kb, wm, winner))
    for fact, rules in questions.items():
        if fact in searched:  # an answer changes the search that chose this plan
            depends.append(fact)
            continue
        for r in rules:
            if (r.id in pending and policy.before(r, winner)) or \
                    (isinstance(r, OptionRule) and any(s.recommend == r.option for s in stronger)):
                depends.append(fact)
                break
    return Recommendation(option_id=winner.recommend, rationale=render(winner.text, wm),
                          depends_on=list(dict.fromkeys(depends)), provisional=winner.provisional)


def _search_inputs(kb: KnowledgeBase, wm: WorkingMemory, winner: RecommendRule) -> list[str]:
    """For a recommendation made by a plans rule: the inputs of the estimate that searched its plans (what the
    choice depends on); empty for an ordinary recommend rule."""
    rule = kb.rule(winner.id)
    if not isinstance(rule, PlansRule) or not wm.known(rule.plans.fact):
        return []
    producer = wm.facts[rule.plans.fact].provenance.rule
    source = kb.rule(producer) if producer else None
    return source.reads() if isinstance(source, EstimateRule) else []


def question_text(spec: FactSpec, wm: WorkingMemory) -> str:
    """The fact's question in the user's own terms where it can be ("How many parameters does DETR have?"): the
    first of its `questions_naming` whose quoted facts are all known, else its plain question."""
    for text in spec.questions_naming:
        if all(wm.known(name) for name in template_facts(text)):
            return render(text, wm)
    return spec.question or ""
