"""'How many GPUs do I need?': the fewest GPUs the user's own plan fits on, with its states sharded over them."""

from advisor.consultation import run_consultation

HOW_MANY_13B = "How many A100 GPUs (40GB) do I need to tune llama-2-13b with full parameters?"


def test_the_fewest_gpus_for_a_full_fine_tune(kb):
    c = run_consultation(HOW_MANY_13B, answers={"seq_len": 2048, "optimizer": "adamw", "precision": "amp_bf16"}, kb=kb)
    # 16-18 B × 13.0e9 of states: 4 × 40 GiB cannot hold them sharded (52 GB each), 8 can (26-29 GB each)
    assert c.wm.value("gpus_to_fit") == 8 and c.wm.value("gpus_to_fit_per_gpu") <= 40 * 2**30
    assert c.advice.findings[0].title == "Your plan needs at least 8 GPU(s) of 40 GiB"  # the answer comes first
    assert c.wm.value("gpus_to_fit_offload") < 8  # offloading the optimizer needs fewer
    # the search weighs that count, and recommends it rather than a plan the user did not ask about
    assert c.advice.recommendation.option_id == "gpus-8-and-zero-3-and-checkpointing"


def test_gpus_the_user_has_bound_the_search(kb):
    c = run_consultation(HOW_MANY_13B, answers={"seq_len": 2048, "optimizer": "adamw", "precision": "amp_bf16",
                                                "gpus_available": 4}, kb=kb)
    assert c.wm.value("gpus_to_fit") == 8  # still the answer to the question
    assert c.advice.recommendation.option_id == "gpus-4-and-zero-3-and-optimizer-offload"  # but four is what there is


def test_no_count_is_worked_out_unless_asked(kb):
    c = run_consultation("Full fine-tuning llama-2-13b on A100 40GB, seq 2048, AdamW, bf16 autocast", kb=kb)
    assert not c.wm.known("gpus_to_fit")


def test_how_much_memory_before_a_card_is_named(kb):
    c = run_consultation("How much GPU memory is needed to fine-tune the 7B model using LoRA?", kb=kb)
    need = c.wm.value("plan_memory_needed")
    # a 16-bit frozen base of 7e9 parameters is 14 GB before anything else
    assert 14e9 < need < 20e9 and c.advice.findings[0].id == "finding-memory-needed"
    assert c.advice.questions[0].id == "gpu_memory"  # then: which card, to check it and search what fits
    named = run_consultation("How much GPU memory is needed to fine-tune the 7B model using LoRA on my 24GB card?", kb=kb)
    assert not named.wm.known("plan_memory_needed")  # with a card the plan search checks it instead
