"""The multi-turn Session API: answers change the advice, it serialises, and resuming checks fact names."""

import json

import pytest

from advisor.errors import InputError
from advisor.shells.session import Session


def test_a_conversation(kb):
    s = Session(kb=kb)
    s.say("I have an 8GB GPU and a 500M parameter model. Just tell me the batch size that fits.")
    q = s.next_question()
    assert q.id == "training_mode" and q.choices == ["scratch", "finetune"]
    assert s.advice().recommendation.option_id == "adamw-8bit"
    s.answer("training_mode", "finetune")
    assert s.advice().recommendation.option_id == "lora"
    assert s.next_question().id == "optimizer"
    s.answer("optimizer", "skip")
    # precision only mattered together with the optimizer: declining one retires the other
    assert s.next_question() is None and "optimizer" not in [q.id for q in s.advice().questions]
    assert "adapter_state_bytes" in s.explain("states_lora").text()


def test_bad_answers_and_names(kb):
    s = Session(kb=kb)
    with pytest.raises(InputError, match="expected one of scratch, finetune"):
        s.answer("training_mode", "banana")
    with pytest.raises(InputError, match="did you mean 'gpu_memory'"):
        s.set("gpu_memroy", "8GB")
    with pytest.raises(InputError, match="not a question"):
        s.answer("batch_size", 8)
    with pytest.raises(InputError, match="was not stated"):
        s.forget("gpu_memory")


def test_serialise_and_resume(kb):
    s = Session(kb=kb)
    s.say("8GB GPU, 500M parameter model, what batch fits?")
    s.answer("training_mode", "finetune")
    s.set("precision", "amp_bf16")
    data = json.loads(json.dumps(s.to_dict()))
    resumed = Session.from_dict(data, kb=kb)
    assert resumed.advice().to_json() == s.advice().to_json()
    s.forget("precision")
    assert "precision" not in s.state.facts


def test_resuming_with_facts_the_knowledge_base_no_longer_knows(kb):
    with pytest.raises(InputError, match="no longer knows: gpu_ram, old_fact"):
        Session.from_dict({"version": 1, "facts": {"gpu_ram": "8GB"}, "answers": {"old_fact": 1}}, kb=kb)
    with pytest.raises(InputError, match="not a saved advisor session"):
        Session.from_dict({"facts": [], "nonsense": 1}, kb=kb)
    with pytest.raises(InputError, match="version 9"):
        Session.from_dict({"version": 9}, kb=kb)
