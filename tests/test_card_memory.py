"""Issue 11, M7: a GPU's memory is sized in binary units. "8GB" / "80GB" for a card are 8 / 80 GiB, in `answer`
and in `estimate --budget-gib` alike, and card sizes print in GiB."""

import json
import subprocess
import sys

import pytest

from advisor.consultation import consult, read_message, run_consultation
from advisor.units import UnitError, fmt_value, parse_bytes, parse_card_bytes

from .conftest import ROOT

GiB = 2**30


@pytest.mark.parametrize("text, gib", [("8GB", 8), ("8 GB", 8), ("24 GiB", 24), ("80GB", 80), ("81920MiB", 80),
                                       ("16384MiB", 16), ("80G", 80), (40 * GiB, 40)])
def test_card_sizes_are_binary(text, gib):
    assert parse_card_bytes(text) == gib * GiB


def test_other_byte_facts_keep_decimal_gb():
    assert parse_bytes("8GB") == 8e9  # measured peaks, context sizes: GB stays 10^9 bytes
    with pytest.raises(UnitError, match="is not a memory size"):
        parse_card_bytes("8 GBs")
    assert fmt_value(80 * GiB, "card_bytes") == "80 GiB"


def test_answer_reads_a_card_as_gib(kb):
    advice = consult("I have an 8GB GPU and a 500M parameter model. Just tell me the batch size that fits.", kb=kb)
    fact = next(f for f in advice.facts if f.name == "gpu_memory")
    assert fact.value == 8 * GiB
    finding = next(f for f in advice.findings if f.id == "no-batch-fits")
    assert "card of 8 GiB" in finding.text


@pytest.mark.parametrize("card", [16, 24, 80])
def test_answer_and_estimate_agree_on_the_largest_micro_batch(kb, card):
    advice = consult(f"I want to fine-tune gpt2 on my {card}GB GPU, seq len 512. Just tell me the batch size that fits.",
                     answers={"optimizer": "adamw", "precision": "amp_bf16"}, kb=kb)
    answered = next(e for e in advice.estimates if e.id == "preset_max_micro_batch").value
    # (the answer assumes SDPA attention, as it says: the estimate is told the same)
    out = subprocess.run([sys.executable, "-m", "advisor", "estimate", "--preset", "gpt2", "--seq-len", "512",
                          "--precision", "amp_bf16", "--optimizer", "adamw", "--attention", "flash",
                          "--budget-gib", str(card), "--format", "json"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout)["max_micro_batch"] == answered


def test_a_size_the_named_card_does_not_come_in(kb):
    """Review 65 #6: "A100 GPUs with 64GB memory" - no A100 has 64 GB (40 or 80): which card, or which part of one;
    a size the card comes in, a size looked up from another card's name, or one above all its sizes raise nothing."""
    c = run_consultation("Is it able to finalize the training with A100 GPUs with 64GB memory? I tried with 64GB GPUs, "
                         "but always out of memory.", kb=kb)
    assert c.wm.value("card_sizes_made") == "40 GB or 80 GB"
    assert c.advice.findings[0].id == "finding-card-size-not-made"
    for message in ("I train on an A100 with 80GB memory and get out of memory.",
                    "I train on an A100 with 38GB usable and get out of memory.",
                    "I train on 8 V100 with 256GB memory in total and get out of memory."):
        assert not run_consultation(message, kb=kb).wm.known("card_sizes_made"), message


def test_a_count_then_each_cards_size_after_using_is_the_cards_size(kb):
    """Review 68 #14: "took only 40 minutes when using 8 80GB A100 GPUs" names eight cards of 80 GB, not 80 GB used."""
    said = read_message(kb, "Training LLaMA 7B took only 40 minutes when using 8 80GB A100 GPUs")
    assert "measured_use" not in said and said["num_gpus"][0] == 8 and said["gpu_model"][0] == "a100-80gb"
    assert "measured_use" in read_message(kb, "On my 8 A100 80GB GPUs training is using 62GB on each")


def test_a_peak_near_the_card_at_batch_one_leaves_little_room(kb):
    """Review 68 #9: "how max batch size in A100 80G? with a batch size of 1, it seems to be peaking at 75457MiB of VRAM
    according to nvidia-smi on an A100 with 80 GB of VRAM": a measured peak (not the card's size), 92% of the card."""
    c = run_consultation("how max batch size in A100 80G? with a batch size of 1, it seems to be peaking at 75457MiB "
                         "of VRAM according to `nvidia-smi` on an A100 with 80 GB of VRAM", kb=kb)
    assert c.wm.value("measured_use") == 75457 * 2**20 and c.wm.value("gpu_model") == "a100-80gb"
    assert c.advice.findings[0].id == "finding-measured-peak-leaves-no-room"


@pytest.mark.parametrize("message, share", [
    ("When I used your code for training, the batch size was set to 4, but the memory usage of the graphics card (RTX "
     "3090) was less than 20%. Is this normal?", 20),
    ("Training only uses 35% of the GPU memory on my A100 at batch 8, should I go higher?", 35),
])
def test_a_card_mostly_free_is_room_for_the_batch(kb, message, share):
    """Review 72 #27: a run that fits with most of the card free - normal; the room is a larger batch's, judged by
    throughput and with the learning rate that goes with it."""
    c = run_consultation(message, kb=kb)
    assert c.wm.value("memory_use_share") == share
    assert c.advice.findings[0].id == "finding-card-mostly-free"


def test_a_busy_card_or_an_oom_is_no_free_room(kb):
    for message in ("GPU memory usage is 95% at batch 8 on my A100.",
                    "GPU memory usage was 20% and then CUDA out of memory at the first eval."):
        assert "finding-card-mostly-free" not in [f.id for f in run_consultation(message, kb=kb).advice.findings]


def test_memory_the_same_at_every_batch_is_a_puzzle_not_a_reference(kb):
    """Review 71 #30: "my gpu memory load not decreasing with the batch size … if the batch size is 8 or 4, I get the
    same result" - the memory's puzzle, with no reference run to match and no wish for speed in the title's "GPU
    usage"."""
    c = run_consultation("GPU usage and batch size\n\nI find my gpu memory load not decreasing with the batch size as "
                         "would be expected (I am running on a GTX 1070). If the batch size is 16, the memory load is "
                         "7.9 GB; if the batch size is 8 or 4, I get the same result.", kb=kb)
    assert c.wm.value("claim_memory_batch_puzzle") is True
    assert not c.wm.known("user_goal") or c.wm.value("user_goal") not in ("match_reference", "faster")


def test_a_library_not_freeing_memory_after_training(kb):
    """Review 71 #27: "Detectron isn't freeing the VRAM torch allocations after training" - what holds the tensors and
    what empty_cache() can return, not a bigger GPU."""
    c = run_consultation("Detectron2 should free memory after training. Detectron isn't freeing the VRAM torch "
                         "allocations after training. Before training: 0.6Gb; during training: 4.8Gb; after training "
                         "finished: 4.8Gb; after torch.cuda.empty_cache(): 1.4Gb.", kb=kb)
    assert c.wm.value("claim_memory_not_freed") is True
    assert "params" not in {q.id for q in c.advice.questions}
