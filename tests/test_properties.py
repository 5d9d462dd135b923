"""Property tests over random facts and messages: never a crash, output always valid, effective batch always the
product, never a question about a known fact, and the same input always gives the same output."""

import json

from hypothesis import HealthCheck, given, settings, strategies as st
from jsonschema import Draft202012Validator

from advisor.consultation import consult
from advisor.errors import InputError

from .conftest import ROOT

SCHEMA = Draft202012Validator(json.loads((ROOT / "advisor" / "kb" / "schemas" / "advice.schema.json").read_text()))

PHRASES = [
    "I have an 8GB GPU", "a 500M parameter model", "a 7B model", "just tell me the batch size that fits",
    "the paper uses batch 512", "my GPU fits 256", "I tried batch 512 and got worse accuracy than batch 128",
    "training takes 2 weeks with batch 128", "I need this done in 3 days", "just increase batch size",
    "I've been tuning for 5 days straight", "I don't care about the theory", "these papers contradict",
    "I increased batch size 4x and learning rate 4x", "training diverged", "gradient accumulation doesn't work",
    "fine-tuning with batch 256", "pre-training worked great with batch 256, so fine-tuning should too",
    "I got OOM at batch 256 on my 32GB GPU", "the formula is wrong", "I use batch norm", "batch size 16 is unstable",
    "8 GPUs", "sync is killing performance, should I skip it?", "Run 1 (batch 128): 85.2%", "Run 2 (batch 256): 84.0%",
    "it's just noise", "lr 3e-4", "AdamW", "SGD with momentum", "bf16 mixed precision", "seq len 2048", "",
]

FACT_VALUES = {
    "gpu_memory": st.sampled_from(["8GB", "12GB", "24GiB", "40GB", "80GB"]),
    "params": st.sampled_from(["25M", "124M", "350M", "1.3B", "7B"]),
    "batch_size": st.integers(1, 4096),
    "micro_batch": st.integers(1, 512),
    "grad_accum_steps": st.integers(1, 64),
    "num_gpus": st.integers(1, 64),
    "reference_batch": st.integers(1, 4096),
    "max_micro_batch": st.integers(1, 1024),
    "optimizer": st.sampled_from(["sgd", "sgd_momentum", "adam", "adamw", "adamw_8bit", "adafactor", "lion"]),
    "precision": st.sampled_from(["fp32", "amp_bf16", "amp_fp16", "bf16"]),
    "training_mode": st.sampled_from(["scratch", "finetune"]),
    "dataset_size": st.integers(10, 10**7),
    "epochs": st.integers(1, 100),
    "base_lr": st.floats(1e-6, 1.0),
    "uses_batchnorm": st.booleans(),
    "lr_retuned": st.booleans(),
    "gpus_available": st.integers(1, 512),
    "seq_len": st.integers(16, 32768),
    "peak_memory_by_batch": st.sampled_from(["8=10GB, 16=14GB", "64=14GB, 128=24GB", "1=3GB, 2=3.5GB"]),
    "accuracy_by_run": st.sampled_from(["128=85.2, 128=84.8, 128=85.0, 256=84.0", "32=70, 32=71, 64=69"]),
}

messages = st.lists(st.sampled_from(PHRASES), max_size=5).map(". ".join)
facts = st.dictionaries(st.sampled_from(sorted(FACT_VALUES)), st.none(), max_size=6).flatmap(
    lambda keys: st.fixed_dictionaries({k: FACT_VALUES[k] for k in keys}))


def check(advice, facts_given):
    data = advice.to_dict()
    assert not list(SCHEMA.iter_errors(data))
    for option in advice.options:
        s = option.settings
        if None not in (s.micro_batch, s.grad_accum_steps, s.num_gpus):
            assert s.effective_batch == s.micro_batch * s.grad_accum_steps * s.num_gpus
        else:
            assert s.effective_batch is None
    known = {f.name for f in advice.facts}
    assert not {q.id for q in advice.questions} & known, "asked about a known fact"
    assert not {q.id for q in advice.questions} & set(facts_given)
    if advice.recommendation.option_id is not None:
        assert advice.recommendation.option_id in {o.id for o in advice.options}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message=messages, facts=facts)
def test_random_consultations_are_valid(kb, message, facts):
    try:
        advice = consult(message, facts, kb=kb)
    except InputError as exc:  # contradictory facts are the only input error these strategies can produce
        assert "contradictory facts" in str(exc)
        return
    check(advice, facts)
    assert consult(message, facts, kb=kb).to_json() == advice.to_json()  # deterministic


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message=messages, facts=facts, data=st.data())
def test_answering_open_questions_never_breaks_anything(kb, message, facts, data):
    """Answer every open question with a valid value, three rounds deep: each round stays valid."""
    try:
        advice = consult(message, facts, kb=kb)
    except InputError:
        return
    answers = {}
    for _ in range(3):
        if not advice.questions:
            break
        for q in advice.questions:
            if q.kind == "choice":
                answers[q.id] = data.draw(st.sampled_from(q.choices))
            elif q.kind == "bool":
                answers[q.id] = data.draw(st.booleans())
            elif q.id in FACT_VALUES:
                answers[q.id] = data.draw(FACT_VALUES[q.id])
            else:
                answers[q.id] = "skip"
        try:
            advice = consult(message, facts, answers, kb=kb)
        except InputError as exc:
            assert "contradictory facts" in str(exc)
            return
        check(advice, {**facts, **{k: v for k, v in answers.items() if v != "skip"}})


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_crashes(kb, text):
    advice = consult(text, kb=kb)
    assert not list(SCHEMA.iter_errors(advice.to_dict()))
