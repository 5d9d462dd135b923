"""Assembling the advice of a finished run, and the `Consultation` that keeps the run for explanations."""

from __future__ import annotations

from dataclasses import dataclass

from advisor.engine.advice import Advice, FactOut, Provenance as ProvenanceOut, QuestionOut, SourceOut
from advisor.engine.chaining import Engine, RunResult
from advisor.engine.memory import WorkingMemory
from advisor.engine.policy import RulePolicy
from advisor.engine.questions import (answers_asked, asked_topics, listed, open_questions, question_text, recommendation,
                                      why_label)
from advisor.engine.wording import NUMBERS_REASON, option_titles, question_reason
from advisor.kb.model import KnowledgeBase, Rule, condition_facts


@dataclass
class Consultation:
    """The advice plus the engine state it came from (for explanations)."""

    kb: KnowledgeBase
    wm: WorkingMemory
    run: RunResult
    advice: Advice
    engine: Engine


# the batch's shape a recommended option prescribes (its precision or optimizer may still change with an answer)
PRESCRIBED = frozenset({"micro_batch", "grad_accum_steps", "batch_size"})
# asked first of a run too slow, in this order (assemble's ranking): how the GPUs were launched, whether they wait for data
SPEED_FIRST = {"launch": 0, "data_loader_bound": 1}
# the rules a general lever waits in: what an answer would unlock is one more thing to try, not the cause
LEVER_KINDS = frozenset({"option", "recommend", "plans"})


def assemble(kb: KnowledgeBase, wm: WorkingMemory, run: RunResult, policy: RulePolicy) -> Advice:
    """The advice of a finished run: conclusions in firing order, options in the policy's order, open questions
    most decisive first."""
    # a question the message answered in other words (ANSWERED_BY) waits for nothing: the rules that need it
    # cannot fire, so they ask nothing either
    said = frozenset(f for f, by in ANSWERED_BY.items() if by in kb.facts and wm.known(by) and wm.value(by))
    # a model run to generate, not to train (or whose inference is what is asked about), has no optimizer, training
    # step or data loader to ask about
    if any(name in kb.facts and wm.known(name) and wm.value(name) for name in ("generation_run", "inference_slow")):
        said |= TRAINING_QUESTIONS
    waiting = open_questions(kb, wm, run, unaskable=said)
    chosen = recommendation(kb, wm, run, waiting, policy)
    if chosen.option_id in run.options:
        # the recommended option says what to set ("accumulate 2 micro-batches of 32"): asking how many the user
        # accumulates now would ask for what the advice just answered
        settings = run.options[chosen.option_id].settings
        settled = {name for name, value in settings.model_dump().items() if value is not None} if settings else set()
        waiting = {f: rules for f, rules in waiting.items() if f not in settled & PRESCRIBED}
    # what the user asks ("what grad accum should I use?") is not asked back, and an input whose answer an estimate
    # found would not change the advice (`answers_not_decisive`) is not asked for a yardstick number alone
    moot = listed(kb, wm, "answers_not_decisive")
    kept = {f: rules for f, rules in waiting.items() if f not in asked_back(kb, wm)
            and not (f in moot and all(r.kind in ("estimate", "finding", "derive", "option") for r in rules))}
    if chosen.option_id is None and len(kept) < len(waiting):
        # (nothing recommended: "the open questions decide it" names only those still asked)
        chosen = recommendation(kb, wm, run, kept, policy)
    waiting = kept
    # most decisive first: questions whose answer can change the recommendation, then the vocabulary's order
    # (hardware and model before training details)
    order = {name: i for i, name in enumerate(waiting)}
    deciding = set(chosen.depends_on) if chosen.option_id else set()
    deciding |= {f for f, rules in waiting.items() if any(r.kind in ("recommend", "option", "plans") for r in rules)}
    # …and first of all, questions for the rules that answer what the user asked ("what LR?": the batch it was
    # tuned for before the precision a red flag would check)
    asked = {f for f, rules in waiting.items() if wm.known("user_goal")
             and any("user_goal" in condition_facts(r.when) for r in rules)}
    # (and for the findings that answer the user's question: "is 500 hours normal?" asks the epochs first)
    asked |= {f for f, rules in waiting.items() if any(r.kind == "finding" and answers_asked(kb, wm, r.id)
                                                        for r in rules)}
    if _answered_in_concept(kb, wm, run, chosen):
        # what was noticed answers a question about how memory works ("where does LoRA's 3x come from?", "is a
        # 20% saving from AMP normal?") with no run of the user's to count, or diagnoses what the user saw: the GPU
        # and the model a plan would need are not asked unless the answer itself waits for them
        # (nor a number an estimate alone waits for - the batch per update of a question about memory - unless it
        # decides something)
        waiting = {f: rules for f, rules in waiting.items() if f in asked or f not in MEMORY_COUNT_INPUTS
                   and (f in deciding or not all(r.kind in ("estimate", "derive") for r in rules))}
        if any(getattr(kb.rule(f), "diagnosis", False) for f in run.findings):
            # (beside a diagnosis, an input that would only unlock a general lever - the precision for mixed
            # precision, the optimizer for an 8-bit one - is one more thing to try, not the answer: review 52)
            waiting = {f: rules for f, rules in waiting.items() if not all(r.kind in LEVER_KINDS for r in rules)}
        chosen = recommendation(kb, wm, run, waiting, policy)
    if _speed_diagnosed(kb, wm, run):
        # a run too slow whose cause is named - the GPUs wait for their data, every update's sync crosses the
        # network - has its answer: a question that would only unlock a general lever (mixed precision, a larger
        # batch, another launcher) or another guess at the cause changes nothing while that cause stands
        waiting = {f: rules for f, rules in waiting.items() if any(not _moot_once_diagnosed(r) for r in rules)}
        chosen = recommendation(kb, wm, run, waiting, policy) if chosen.option_id is None else chosen
    # the optimizer's state scales with the weights trained: with adapters (about 1% of them) its answer moves the
    # memory least, so the sequence length or the precision is asked before it
    minor = {"optimizer"} if wm.known("adapter") and wm.value("adapter") in ("lora", "qlora") else set()
    # a run that runs out of memory gives no two peaks to measure until it fits: what it is (its sequence length,
    # its stage) is asked first
    late = {"peak_memory_by_batch"} if wm.known("oom") and wm.value("oom") else set()
    # (and an input whose plausible answers decide whether the plan fits, `answers_decisive`, is as decisive:
    # "DDP or sharded?" for 113 GiB of states on 4 GPUs, which only a finding waits for)
    deciding |= listed(kb, wm, "answers_decisive")
    # a run too slow is first asked where its time goes: whether the GPUs wait for data decides which levers matter
    # (the precision a faster kernel needs is moot while the loader is the limit)
    first = SPEED_FIRST if _asks_speed(kb, wm) else {}
    ranked = sorted(waiting, key=lambda f: (first.get(f, len(first)), f not in asked, f in late, f not in deciding,
                                            f in minor, order[f]))
    questions = []
    titles = option_titles(kb, wm) if waiting else {}
    diagnosed = any(getattr(kb.rule(f), "diagnosis", False) for f in run.findings)
    # what the user's questions ask for ("why must the batch divide by num_generations?"): when none is about the
    # schedule - nor a result to explain with it - a count of updates or epochs is a side remark
    topics = set(asked_topics(kb, wm))
    side_schedule = topics.isdisjoint(SCHEDULE_TOPICS) and (
        bool(topics) or wm.known("user_goal") and wm.value("user_goal") == "explain_result")
    for fact in ranked:
        rules = waiting[fact]
        spec = kb.facts[fact]
        reason = question_reason(kb, wm, rules, titles)
        if reason == NUMBERS_REASON and fact not in asked and fact not in deciding \
                and any(f in asked or f in deciding for f in ranked):
            continue  # a number for a side remark ("how many examples?") while questions that decide are open
        if reason == NUMBERS_REASON and fact in SCHEDULE_INPUTS and fact not in asked and fact not in deciding \
                and (diagnosed or side_schedule or wm.known("user_goal") and wm.value("user_goal") in ("fit", "faster")
                     or wm.known("oom") and wm.value("oom") or wm.known("asked_batch")
                     or wm.known("claim_memory_batch_puzzle") and wm.value("claim_memory_batch_puzzle")):
            # (the data set's size or the epochs for a count of updates: nothing about what the user asked, nor
            # about fitting in memory, nor about
            # why a run ran out of it, nor whether a larger batch fits, nor what makes a step slow, nor why memory
            # does not follow the batch, nor beside a diagnosis that answers the question)
            continue
        if reason == NUMBERS_REASON and fact in LR_INPUTS and fact not in asked and fact not in deciding \
                and topics.isdisjoint(SCHEDULE_TOPICS) and (wm.known("oom") and wm.value("oom") or diagnosed
                                                            or wm.known("user_goal") and wm.value("user_goal") == "fit"):
            continue  # (the batch the LR was tuned for, for a side figure, when the question is a run out of memory)
        if reason == NUMBERS_REASON and fact in MEMORY_COUNT_INPUTS and fact not in asked and fact not in deciding \
                and not (wm.known("user_goal") and wm.value("user_goal") == "fit" or wm.known("oom") and wm.value("oom")
                         or fact == "params" and wm.known("model_named")):
            # (the card or the model's size for a side figure, on a question about batches or the LR - not the size of
            # a model the user named, which every number of theirs starts from)
            continue
        questions.append(QuestionOut(id=fact, text=question_text(spec, wm), why=[why_label(r, wm) for r in rules],
                                     reason=reason, kind=spec.question_kind, choices=spec.choices, unit=spec.unit))
    if chosen.option_id is None and len(questions) < len(ranked):  # "the open questions decide it": those asked
        chosen = recommendation(kb, wm, run, {q.id: waiting[q.id] for q in questions}, policy)
    facts_out = [FactOut(name=f.name, value=f.value, unit=kb.facts[f.name].unit,
                         provenance=ProvenanceOut(kind=f.provenance.kind, by=f.provenance.by))
                 for name in kb.facts if (f := wm.facts.get(name)) is not None and not _structured(f.value)]
    sources = [SourceOut(id=s, citation=kb.sources[s].citation, url=kb.sources[s].url)
               for s in sorted(run.used_sources) if s in kb.sources]
    # options in their rules' order; the several options of one plans rule keep the search's order
    position = {o: i for i, o in enumerate(run.options)}
    option_ids = sorted(run.options, key=lambda o: (policy.key(kb.rule(run.option_rule[o])), position[o]))
    return Advice(
        red_flags=list(run.red_flags.values()), questions=questions,
        # those that answer what the user asked first ("how many steps?", facts.yaml `asked_topics`), then the most
        # salient, whenever it fired: an answer is often read from an estimate that comes late in the run, and the
        # short answer shows the first few
        findings=sorted((f for f in run.findings.values() if not _memory_aside(kb, wm, f.id, topics)),
                        key=lambda f: (not answers_asked(kb, wm, f.id), -kb.rule(f.id).salience)),
        estimates=list(run.estimates.values()), options=[run.options[o] for o in option_ids],
        recommendation=chosen, measure=list(run.measures.values()),
        facts=facts_out, trace=run.trace, sources=sources, plans=run.plans)


# the inputs a question of each topic asks the advisor for: never asked back
# questions the message answered in other words: an optimizer named that the estimates do not know (Muon) is
# the optimizer (an OOM after some steps still leaves its stage to ask: a long batch, evaluation, a leak)
# (and a TPU named answers what a GPU's memory would: each generation's HBM is in finding-tpu-not-gpu, and "how much
# memory does each GPU have?" asks about a card the run does not use)
ANSWERED_BY = {"optimizer": "optimizer_named", "gpu_memory": "tpu_named",
               "grad_accum_steps": "accumulation_swept",  # (a sweep of counts: no one count to ask for)
               "precision": "bf16_dtype_set",  # (a script's `--dtype bfloat16`: 16-bit, its kind its own)
               "oom_stage": "claim_random_oom"}  # ("OOM after training for a while": mid-run, on some batch)
# what only a training run has: not asked of a model served or run to generate
TRAINING_QUESTIONS = frozenset({"launch", "training_mode", "layout", "optimizer", "precision", "peak_memory_by_batch",
                                "reference_batch", "grad_accum_steps", "base_lr", "lr_retuned", "warmup_used",
                                "same_epochs", "divergence_onset", "dataset_size", "epochs", "throughput_rises",
                                "data_loader_bound", "loss_divided_by_accum", "scheduler_per_micro_step",
                                "no_sync_wraps_forward", "uses_batchnorm", "instability", "oom_stage",
                                "num_gpus",  # (inference's GPUs are copies or a split, never a training layout)
                                "batch_scope"})  # (nor is a served batch split over data-parallel replicas)
# the schedule's inputs: what counts updates and time, never what fits in memory
SCHEDULE_INPUTS = frozenset({"dataset_size", "epochs", "planned_steps", "warmup_steps", "warmup_ratio"})
SCHEDULE_TOPICS = frozenset({"time", "steps", "lr"})  # the asked topics a count of the schedule can answer
LR_INPUTS = frozenset({"reference_batch", "base_lr"})  # what a learning rate's figures need
# what a count of a run's memory needs first, and the batches that make a run to count
MEMORY_COUNT_INPUTS = ("gpu_memory", "params")
BATCHES = ("micro_batch", "batch_size", "reference_batch", "effective_batch")
ASKED_INPUTS = {"accumulation": ("grad_accum_steps",), "lr": ("base_lr",), "batch": ("micro_batch", "batch_size")}


def asked_back(kb: KnowledgeBase, wm: WorkingMemory) -> set[str]:
    """The inputs the user's own questions ask for (ASKED_INPUTS): a question for one would ask them back."""
    return {name for topic in asked_topics(kb, wm) for name in ASKED_INPUTS.get(topic, ())}


def _answered_in_concept(kb: KnowledgeBase, wm: WorkingMemory, run: RunResult, chosen) -> bool:
    """Whether the advice is a diagnosis's answer, or a red flag's with nothing of the user's to plan: no option
    recommended and, for a red flag, no out-of-memory error reported and no GPU memory, model size or batch said.
    (A diagnosis names the cause of what the user saw - an OOM at one batch size only, evaluation's gathered
    logits, memory held elsewhere - so a bigger GPU or a batch that fits it is not what a question should unlock.)"""
    if chosen.option_id is not None:
        return False
    if any(getattr(kb.rule(f), "diagnosis", False) for f in run.findings):
        return True
    if wm.known("oom") and wm.value("oom"):
        return False
    if any(wm.known(name) for name in MEMORY_COUNT_INPUTS + BATCHES):
        return False  # (a card, a model or a batch of the user's or a paper's: something to count)
    return bool(run.red_flags) or any(answers_asked(kb, wm, f) for f in run.findings)


def _asks_speed(kb: KnowledgeBase, wm: WorkingMemory) -> bool:
    """Whether the user wants a faster run or asks about its speed."""
    return wm.known("user_goal") and wm.value("user_goal") == "faster" or "speed" in asked_topics(kb, wm)


def _speed_diagnosed(kb: KnowledgeBase, wm: WorkingMemory, run: RunResult) -> bool:
    """Whether a run too slow has its cause named: the message says the input pipeline is the limit, or a
    diagnosis that answers a speed question fired."""
    if not _asks_speed(kb, wm):
        return False
    if wm.known("data_loader_bound") and wm.value("data_loader_bound") is True:
        return True
    return any(getattr(kb.rule(f), "diagnosis", False) and "speed" in (getattr(kb.rule(f), "answers", None) or ())
               for f in run.findings)


def _moot_once_diagnosed(rule: Rule) -> bool:
    """A lever (an option, a recommendation, a plan search), a finding that would guess at a slow run's cause, or an
    estimate (a figure for those): what a question for it would unlock, once the cause is named."""
    return rule.kind in LEVER_KINDS or rule.kind in ("estimate", "derive") or rule.kind == "finding" \
        and not getattr(rule, "diagnosis", False) and "speed" in (getattr(rule, "answers", None) or ())


# goals a count of memory does not answer: a faster run, a learning rate, a reference's result
NOT_MEMORY_GOALS = frozenset({"faster", "choose_lr", "match_reference"})
# the counts of memory that say only how much a plan needs or leaves (a finding that reconciles a count with what the
# user saw - a run said to fit, an OOM - speaks to the question whatever it is)
MEMORY_COUNTS = frozenset({"room-for-activations", "finding-memory-needed", "finding-memory-needed-assuming",
                           "finding-memory-needed-checkpointed", "plan-states-fit"})


def _memory_aside(kb: KnowledgeBase, wm: WorkingMemory, rule_id: str, topics: set[str]) -> bool:
    """A finding that only answers whether the run fits ("Model states fit; the batch is limited by activations"),
    in a consultation about something else - speed, a learning rate, a reference's result - with no out-of-memory
    error and no question of fitting or of the batch: the count is in --verbose's numbers, not in the answer."""
    if rule_id not in MEMORY_COUNTS:
        return False
    if not (wm.known("user_goal") and wm.value("user_goal") in NOT_MEMORY_GOALS):
        return False
    if wm.known("oom") and wm.value("oom") is True:
        return False
    return topics.isdisjoint({"fit", "batch"})


def _structured(value: object) -> bool:
    """A list of records (the plan search's plans and verdicts): shown as options and plans, not as a fact."""
    return isinstance(value, list) and any(isinstance(item, dict) for item in value)
