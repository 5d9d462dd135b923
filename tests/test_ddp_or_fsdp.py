"""A question that weighs DDP against FSDP or ZeRO is answered with what each GPU holds either way and what the
sharding costs, for the model named ("Why FSDP not DDP for TinyLlama?", review 46 #23)."""

import pytest

from advisor.consultation import read_message, run_consultation

GIB = 2**30


@pytest.mark.parametrize("message", [
    "Why FSDP not DDP? Given the relatively small size of the tinyllama model, why was the strategy FSDP instead of DDP?",
    "Should I use DDP or FSDP to fine-tune Llama-2-7B on 8 A100s?",
    "DeepSpeed ZeRO-3 vs DDP for a 1.3B model - which is faster?",
    "Is FSDP better than DDP for Mistral 7B?",
])
def test_the_question_is_read(kb, message):
    assert read_message(kb, message).get("asks_ddp_or_sharding", (False,))[0] is True


@pytest.mark.parametrize("message", [
    "I use DDP on 4 GPUs and it trains fine; FSDP crashed at startup.",
    "Training with DDP on 8 GPUs, each GPU uses 20 GB.",
])
def test_other_mentions_are_not_the_question(kb, message):
    assert read_message(kb, message).get("asks_ddp_or_sharding", (False,))[0] is not True


def test_the_answer_counts_the_replicated_states(kb):
    c = run_consultation("Why FSDP not DDP? Given the small size of the tinyllama model, why FSDP instead of DDP?",
                         kb=kb)
    finding = next(f for f in c.advice.findings if f.id == "finding-ddp-or-fsdp")
    # TinyLlama's 1.1B parameters × 16 bytes (fp32 weights, gradients, AdamW's two moments)
    assert c.wm.value("ddp_states_per_gpu") == pytest.approx(1.1e9 * 16, rel=0.01)
    assert "16.39 GiB" in finding.title and "1.5×" in finding.text
    # with a larger model the count follows the model
    c7 = run_consultation("Should I use DDP or FSDP to fine-tune Llama-2-7B on 8 A100s?", kb=kb)
    assert c7.wm.value("ddp_states_per_gpu") == pytest.approx(6.738e9 * 16, rel=0.01)
