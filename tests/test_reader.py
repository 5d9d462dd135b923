"""The situation reader: messages in everyday phrasing, the corpus of real messages, bounded work, and the
agreement between the reader, the facts vocabulary and the catalogues."""

import re

import pytest
import yaml

from advisor.consultation import consult, read_message
from advisor.reading.reader import read
from advisor.reading.tokens import tokenize
from advisor.reading.situation import facts_of, labels_of

from .corpus.score import CORPUS, load, score, totals


def facts(kb, message):
    return {name: value for name, (value, _) in read_message(kb, message).items()}


# the phrasings a newcomer used that the first reader missed (issue: "read the situation the way engineers write it")
@pytest.mark.parametrize("message, expected", [
    ("2x A100 40GB", {"num_gpus": 2, "gpu_model": "a100-40gb"}),
    ("8×H100 (80GB each)", {"num_gpus": 8, "gpu_model": "h100-80gb"}),
    ("8xH100, ZeRO-3", {"num_gpus": 8, "gpu_model": "h100-80gb", "zero_stage": 3, "parallelism": "zero"}),
    ("a T4 on Colab", {"num_gpus": 1, "gpu_model": "t4"}),
    ("Mistral 7B on a single RTX 3090", {"num_gpus": 1, "gpu_model": "rtx-3090", "model_preset": "mistral-7b"}),
    ("fine-tuning Llama-3-8B", {"model_preset": "llama-3-8b", "training_mode": "finetune"}),
    ("four V100 32GB cards", {"num_gpus": 4, "gpu_model": "v100-32gb", "gpu_memory": 32 * 2**30}),  # card GB = GiB
    ("I went from batch 256 to 1024", {"batch_size": 1024, "reference_batch": 256, "batch_scale_factor": 4.0}),
    ("dropped the batch from 32 to 8", {"batch_size": 8, "reference_batch": 32, "batch_scale_factor": 0.25}),
    ("1,281,167 images", {"dataset_size": 1281167}),
    ("per-device 1, 8 GPUs, accumulation 128", {"micro_batch": 1, "num_gpus": 8, "grad_accum_steps": 128}),
    ("per_device_train_batch_size=4 gradient_accumulation_steps 8 --nproc_per_node 8",
     {"micro_batch": 4, "grad_accum_steps": 8, "num_gpus": 8}),
    ("torchrun --nnodes 2 --nproc_per_node 8", {"num_gpus": 16, "num_nodes": 2}),
    ("two nodes with 4 GPUs each", {"num_gpus": 8, "num_nodes": 2}),
    ("We have 2 nodes of 8 A100 40GB.", {"num_gpus": 16, "num_nodes": 2}),
    ("two nodes with 8 A100s each", {"num_gpus": 16, "num_nodes": 2}),
    ("a single node with 8xA100", {"num_gpus": 8}),
    # a card's name between the count and "per machine"
    ("Horovod on 4 machines (8x V100-32G per machine)", {"num_gpus": 32, "num_nodes": 4, "gpu_model": "v100-32gb"}),
    # another person's run in brackets is theirs, not the user's card
    ("about 1 hour per epoch on 8 V100 GPUs (another user reports ~3 days total on 8x RTX 3090)",
     {"num_gpus": 8, "gpu_model": "v100"}),
    ('"zero_optimization": {"stage": 3}, "train_micro_batch_size_per_gpu": 2', {"zero_stage": 3, "micro_batch": 2}),
    ("OOM on a single 3090 fine-tuning Llama-3-8B with LoRA at seq 4096, batch 4",
     {"oom": True, "num_gpus": 1, "gpu_model": "rtx-3090", "model_preset": "llama-3-8b", "adapter": "lora",
      "seq_len": 4096, "batch_size": 4}),
    ("QLoRA with load_in_4bit on a 16GB card", {"adapter": "qlora", "training_mode": "finetune"}),
    ("lr 3e-4 with AdamW", {"base_lr": 3e-4, "optimizer": "adamw"}),
    ("paged_adamw_8bit", {"optimizer": "adamw_8bit"}),
    ("with gradient checkpointing and flash attention 2", {"grad_checkpointing": True, "attention": "flash"}),
    ("a 7B model", {"params": 7e9}),
    ("Baichuan2-13B-Chat", {"params": 13e9}),
    # LongLoRA's flag, and PEFT's adapters named as QLoRA after the library (review 50)
    ("per_device_train_batch_size=1, low_rank_training=True and use_flash_attn=True", {"adapter": "lora"}),
    ("I'm using transformers and PEFT to QLoRA a LLM model, InternLM-7B", {"adapter": "qlora"}),
    # several batches, the least of them said to fail: the run to make fit (review 48: SFT at 4, DPO at 2 and 1)
    ("在单张A800 (80G) 卡上LoRA微调一个4B的模型。SFT的时候batch size可以设置为4。换成dpo训练，即使batch size设为2也会OOM。"
     "batch size设为1的时候，gradient accumulation step设为128也会OOM。", {"micro_batch": 1, "num_gpus": 1}),
    ("I tried batch size 16 and got CUDA OOM. I set the batch to 1, however it still runs out of memory.",
     {"micro_batch": 1}),
    # … and a change of that run after another run's batch: the change says the batch
    ("For SFT batch size 4 works. With DPO even batch size 2 OOMs. Batch size 1 works.",
     {"batch_size": 1, "reference_batch": 2}),
])
def test_everyday_phrasings(kb, message, expected):
    got = facts(kb, message)
    for name, value in expected.items():
        assert got.get(name) == (pytest.approx(value) if isinstance(value, float) else value), (name, got)


@pytest.mark.parametrize("message, absent", [
    ("no fp32 master weights", "precision"),  # negated
    ("we use local SGD", "optimizer"),  # not the optimizer
    ("the paper used batch 4096 but I use 256", "micro_batch"),  # 4096 is the paper's; 256 has no batch cue
    ("I have a 10GB card", "gpu_model"),  # 'a 10' is no A10
    ("LoRA is not an option for us", "adapter"),
    # a precision decided at run time or by the framework, or a card's speed in a precision
    ("TrainingArguments(fp16=not is_bfloat16_supported(), bf16=is_bfloat16_supported())", "precision"),
    ('`"fp16": {"enabled": "auto"}`', "precision"),
    ("The max for the H100 SXM in bfloat16 is 1979 TFLOPs/sec", "precision"),
])
def test_negation_and_names_that_are_not_there(kb, message, absent):
    got = facts(kb, message)
    assert absent not in got, got


def test_a_named_card_has_the_memory_the_runtime_reports(kb):
    from advisor.domain.gpus import gpu

    assert facts(kb, "2x A100 40GB")["gpu_memory"] == gpu("a100-40gb").memory_bytes
    assert facts(kb, "a T4 on Colab")["gpu_memory"] == gpu("t4").memory_bytes < 16 * 2**30


def test_negated_checkpointing_is_read_as_off(kb):
    assert facts(kb, "without gradient checkpointing")["grad_checkpointing"] is False


def test_a_reference_setup_is_kept_apart(kb):
    got = facts(kb, "The paper uses batch size 4096, but on my A100 the batch size can only be 16.")
    assert got["reference_batch"] == 4096 and got["batch_size"] == 16


def test_pretraining_numbers_are_a_reference_when_fine_tuning(kb):
    got = facts(kb, "Pre-training worked great with batch 256, so fine-tuning with batch 256 should work too.")
    assert got["training_mode"] == "finetune" and got["reference_batch"] == 256 and got["batch_size"] == 256


def test_conflicting_setups_never_abort(kb):
    reading = read("With 1 GPU I used batch 32, with 2 GPUs batch 64.")
    assert reading.conflicts  # kept as a conflict, with both texts
    advice = consult("I compared 1 GPU and 2 GPUs: with 1 GPU batch 32 and with 2 GPUs batch 64, which is better?")
    assert advice is not None


def test_every_fact_is_read_with_its_words(kb):
    message = "OOM on a single 3090 fine-tuning Llama-3-8B with LoRA at seq 4096, batch 4"
    for name, (_, matched) in read_message(kb, message).items():
        assert matched and matched.lower() in message.lower() or name.startswith("claim_"), (name, matched)


def test_long_inputs_are_read_in_bounded_work():
    """100,000 digits is one token; repeated units hit the token and name bounds, which the reading says
    (the cost is linear either way: benchmarks/bench_reader.py)."""
    assert not read("9" * 100_000).truncated
    for text in ("24GB " * 20_000, "batch " * 20_000, "1," * 50_000, "A100 " * 20_000, "1" + ",000" * 25_000 + "0"):
        assert read(text).truncated  # the last: a run of thousands groups that is no number, split linearly
    assert read("A100 " * 200).names_seen == 64  # MAX_NAMES: a pasted log cannot make the reader look up more


def test_a_clause_of_thousands_of_numbers_reads_only_its_first():
    """A pasted tensor or table on one line: its first MAX_CLAUSE_NUMBERS numbers are read, what it states before
    them still is, and the numbers past the bound are not."""
    from advisor.reading.clause import MAX_CLAUSE_NUMBERS, Clause
    from advisor.reading.tokens import tokenize

    tokens = tokenize("batch size 8 on 2 GPUs " + " 7" * 5_000)
    assert len(Clause(tokens, 0, len(tokens), "x").numbers) == MAX_CLAUSE_NUMBERS
    reading = read("batch size 8 on 2 GPUs, values " + ", ".join(["7"] * 1_000) + " with 16 GPUs")
    assert reading.get("num_gpus") == 2 and reading.get("batch_unqualified") == 8 and not reading.truncated


def test_reader_facts_are_marked_in_the_vocabulary(kb):
    from advisor.reading.situation import READER_FACTS

    marked = {name for name, spec in kb.facts.items() if spec.reader}
    assert READER_FACTS == marked


def test_the_reader_fills_only_facts_it_declares(kb):
    from advisor.reading.situation import READER_FACTS

    messages = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["messages"]
    filled = set().union(*(facts_of(read(m["message"]), kb) for m in messages))
    assert filled <= READER_FACTS and len(filled) >= 20


def test_every_catalogue_model_is_a_model_preset_choice(kb):
    from advisor.domain.catalogue import preset_names

    assert kb.facts["model_preset"].choices == preset_names()


def test_the_reading_of_a_message_fills_the_same_facts_as_its_situation(kb):
    reading = read("2x A100 80GB, full fine-tune of Llama-2-7B, per-device batch 2, accumulation 8, bf16, AdamW")
    got = {k: v for k, (v, _) in facts_of(reading, kb).items()}
    assert got["num_gpus"] == 2 and got["micro_batch"] == 2 and got["grad_accum_steps"] == 8
    assert got["precision"] == "amp_bf16" and got["optimizer"] == "adamw" and got["model_preset"] == "llama-2-7b"


# ------------------------------------------------------------------------------------------ the corpus

def test_corpus_is_well_formed():
    messages = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["messages"]
    assert len(messages) >= 230
    ids = [m["id"] for m in messages]
    assert len(ids) == len(set(ids))
    for m in messages:
        assert m["source"].startswith("https://") and m["message"].strip() and isinstance(m["expect"], dict), m["id"]
    held_out = [m for m in messages if m.get("heldout")]
    assert len(held_out) >= 30 and all(number(m) > 275 for m in held_out)  # added after tuning, never tuned on
    tuned = {m["source"] for m in messages if not m.get("heldout")}
    assert not tuned & {m["source"] for m in held_out}  # no held-out message comes from a thread tuned on


def number(message: dict) -> int:
    """A corpus id's number (ids grew past rq-999, so they are compared as numbers, not as text)."""
    return int(message["id"][3:])


# the blind sets of the fourth to sixth sessions, the first two each half tuned on and half held out: (first id,
# last id) -> floors a little under their figures (docs/reading.md); each set scored 0.68-0.78 precision on arrival
LATER_SETS = {
    (586, 635): (0.77, 0.74),  # tuned; 0.764 / 0.719 on arrival
    (636, 685): (0.74, 0.69),  # held out; 0.713 / 0.672 on arrival (before the fifth session's label audit)
    (686, 735): (0.77, 0.78),  # tuned; 0.779 / 0.788 on arrival (with its labels checked, see the corpus)
    (736, 785): (0.77, 0.75),  # held out; 0.782 / 0.761 on arrival (idem)
    (786, 885): (0.74, 0.75),  # held out, all of it; 0.748 / 0.756 on arrival
    (886, 985): (0.66, 0.72),  # held out, all of it; 0.677 / 0.735 on arrival, near the fifth session's end
    (986, 1035): (0.67, 0.72),  # tuned after arrival; rq-986..1085 scored 0.733 / 0.786 on arrival (sixth session)
    (1036, 1085): (0.77, 0.81),  # held out: that set's other half
    (1086, 1185): (0.69, 0.70),  # held out, all of it; 0.708 / 0.722 on arrival, late in the sixth session
    (1186, 1235): (0.74, 0.81),  # tuned after arrival; rq-1186..1285 scored 0.702 / 0.772 on arrival (seventh session)
    (1236, 1285): (0.65, 0.71),  # held out: that set's other half
    (1286, 1335): (0.76, 0.78),  # tuned after arrival; rq-1286..1385 scored 0.737 / 0.787 on arrival (seventh session)
    (1336, 1385): (0.67, 0.76),  # held out: that set's other half
    (1386, 1435): (0.78, 0.79),  # tuned after arrival; rq-1386..1485 scored 0.796 / 0.817 on arrival (eighth session)
    (1436, 1485): (0.77, 0.80),  # held out: that set's other half (0.792 / 0.823 on arrival)
    (1486, 1535): (0.73, 0.82),  # tuned after arrival; rq-1486..1585 scored 0.753 / 0.834 on arrival (ninth session)
    (1536, 1585): (0.73, 0.80),  # held out: that set's other half (0.755 / 0.823 on arrival)
    (1586, 1635): (0.80, 0.85),  # tuned after arrival; rq-1586..1685 scored 0.749 / 0.816 on arrival (tenth session)
    (1636, 1685): (0.71, 0.76),  # held out: that set's other half (0.727 / 0.779 on arrival)
    (1686, 1735): (0.77, 0.81),  # tuned after arrival; rq-1686..1785 scored 0.765 / 0.809 on arrival (eleventh session)
    (1736, 1785): (0.73, 0.77),  # held out: that set's other half (0.751 / 0.793 on arrival)
    (1786, 1815): (0.84, 0.81),  # tuned after arrival; rq-1786..1845 scored 0.779 / 0.770 on arrival (twelfth session)
    (1816, 1845): (0.67, 0.71),  # held out: that set's other half (0.693 / 0.738 on arrival)
    (1846, 1875): (0.73, 0.73),  # tuned after arrival; rq-1846..1905 scored 0.736 / 0.714 on arrival (thirteenth session)
    (1876, 1905): (0.73, 0.72),  # held out: that set's other half (0.747 / 0.715 on arrival)
    (1906, 1935): (0.76, 0.76),  # tuned; rq-1906..1965 scored 0.799 / 0.803 on arrival (fourteenth session)
    (1936, 1965): (0.79, 0.79),  # held out: that set's other half (0.814 / 0.818 on arrival)
    (1966, 1995): (0.75, 0.75),  # tuned; rq-1966..2025 scored 0.789 / 0.789 on arrival (fourteenth session)
    (1996, 2025): (0.78, 0.78),  # held out: that set's other half (0.802 / 0.802 on arrival)
    (2026, 2055): (0.78, 0.78),  # tuned; rq-2026..2085 scored 0.777 / 0.797 on arrival (fifteenth session)
    (2056, 2085): (0.71, 0.75),  # held out: that set's other half (0.735 / 0.777 on arrival)
    (2086, 2115): (0.74, 0.70),  # tuned; rq-2086..2145 scored 0.739 / 0.727 on arrival (fifteenth session, late)
    (2116, 2145): (0.67, 0.69),  # held out: that set's other half (0.702 / 0.724 on arrival)
    (2146, 2175): (0.75, 0.80),  # tuned; rq-2146..2205 scored 0.767 / 0.791 on arrival (sixteenth session)
    (2176, 2205): (0.76, 0.79),  # held out: that set's other half (0.790 / 0.811 on arrival)
    (2206, 2235): (0.81, 0.84),  # tuned; rq-2206..2265 scored 0.784 / 0.806 on arrival (sixteenth session, later)
    (2236, 2265): (0.75, 0.77),  # held out: that set's other half (0.778 / 0.798 on arrival)
    (2266, 2295): (0.71, 0.80),  # tuned; rq-2266..2325 scored 0.716 / 0.807 on arrival (seventeenth session)
    (2296, 2325): (0.70, 0.79),  # held out: that set's other half (0.709 / 0.804 on arrival)
    (2326, 2355): (0.69, 0.79),  # tuned; rq-2326..2385 scored 0.725 / 0.779 on arrival (eighteenth session)
    (2356, 2385): (0.75, 0.78),  # held out: that set's other half (0.767 / 0.796 on arrival)
    (2386, 2415): (0.61, 0.68),  # tuned; rq-2386..2445 scored 0.711 / 0.756 on arrival (nineteenth session)
    (2416, 2445): (0.75, 0.78),  # held out: that set's other half (0.764 / 0.791 on arrival)
    (2446, 2475): (0.75, 0.83),  # tuned; rq-2446..2505 scored 0.740 / 0.799 on arrival (nineteenth session, later)
    (2476, 2505): (0.70, 0.73),  # held out: that set's other half (0.713 / 0.747 on arrival)
    (2506, 2535): (0.69, 0.70),  # tuned; rq-2506..2565 scored 0.672 / 0.672 on arrival (twentieth session)
    (2536, 2565): (0.62, 0.61),  # held out: that set's other half (0.636 / 0.626 on arrival)
    (2566, 2595): (0.70, 0.61),  # tuned; rq-2566..2625 scored 0.678 / 0.667 on arrival (twentieth session, later)
    (2596, 2625): (0.62, 0.72),  # held out: that set's other half (0.641 / 0.734 on arrival)
    (2626, 2655): (0.75, 0.71),  # tuned; rq-2626..2685 scored 0.777 / 0.761 on arrival (twenty-first session)
    (2656, 2685): (0.77, 0.78),  # held out: that set's other half (0.788 / 0.794 on arrival)
    (2686, 2715): (0.76, 0.69),  # tuned; rq-2686..2745 scored 0.763 / 0.646 on arrival (twenty-second session)
    (2716, 2745): (0.76, 0.59),  # held out: that set's other half (0.779 / 0.614 on arrival)
    (2746, 2775): (0.75, 0.74),  # tuned; rq-2746..2805 scored 0.752 / 0.770 on arrival (twenty-third session)
    (2776, 2805): (0.72, 0.76),  # held out: that set's other half (0.740 / 0.781 on arrival)
    (2806, 2835): (0.77, 0.80),  # tuned; rq-2806..2865 scored 0.746 / 0.758 on arrival (twenty-fourth session)
    (2836, 2865): (0.71, 0.70),  # held out: that set's other half (0.729 / 0.723 on arrival)
    (2986, 3015): (0.74, 0.74),  # tuned; rq-2986..3045 scored 0.746 / 0.748 on arrival (twenty-eighth session)
    (3016, 3045): (0.71, 0.72),  # held out: that set's other half (0.738 / 0.748 on arrival)
    (3046, 3075): (0.67, 0.76),  # tuned; rq-3046..3105 scored 0.656 / 0.724 on arrival (twenty-eighth session)
    (3076, 3105): (0.61, 0.68),  # held out: that set's other half (0.633 / 0.704 on arrival)
    (3106, 3135): (0.76, 0.70),  # tuned; rq-3106..3165 scored 0.757 / 0.727 on arrival (twenty-ninth session)
    (3136, 3165): (0.72, 0.71),  # held out: that set's other half (0.739 / 0.731 on arrival)
    (3166, 3195): (0.73, 0.77),  # tuned; rq-3166..3225 scored 0.767 / 0.774 on arrival (twenty-ninth session)
    (3196, 3225): (0.80, 0.75),  # held out: that set's other half (0.810 / 0.766 on arrival)
    (3226, 3255): (0.71, 0.71),  # tuned; rq-3226..3285 scored 0.694 / 0.705 on arrival (thirtieth session)
    (3256, 3285): (0.67, 0.68),  # held out: that set's other half (0.688 / 0.688 on arrival)
    (3286, 3315): (0.76, 0.73),  # tuned; rq-3286..3345 scored 0.786 / 0.740 on arrival (thirty-first session)
    (3316, 3345): (0.77, 0.70),  # held out: that set's other half (0.790 / 0.723 on arrival)
    (3346, 3359): (0.69, 0.66),  # tuned; rq-3346..3372 (27 forum threads and issues) 0.739 / 0.662 on arrival
    (3360, 3372): (0.75, 0.62),  # held out: that set's other part (0.774 / 0.641 on arrival)
}


def test_corpus_precision_and_recall_do_not_regress():
    """The figures are recorded in docs/reading.md; these floors only stop a change from making them worse."""
    tuned = load(heldout=False)
    everything = load()
    for (first, last), (p_min, r_min) in LATER_SETS.items():
        per, _ = score([m for m in everything if first <= number(m) <= last])
        p, r = totals(per)
        assert p >= p_min and r >= r_min, (first, last, p, r)
    per, _ = score([m for m in tuned if number(m) <= 585])  # the 395 of the first three sessions
    precision, recall = totals(per)
    assert precision >= 0.905 and recall >= 0.88, (precision, recall)
    hardware = ("gpu_model", "gpu_memory_gb", "num_gpus", "model", "params", "micro_batch", "grad_accum_steps",
                "seq_len", "lr", "zero_stage", "parallelism", "oom")
    p, r = totals(per, hardware)
    assert p >= 0.92 and r >= 0.915, (p, r)
    # the fields whose figures a general mechanism raised (who a batch belongs to, data-set sizes, the training
    # method a corpus implies, sizes as logs print them): floors a little under the figures in docs/reading.md
    floors = {"reference_batch": (0.89, 0.62), "dataset_size": (0.99, 0.78), "training_mode": (0.94, 0.87),
              "params": (0.92, 0.95), "micro_batch": (0.84, 0.88), "goal": (0.84, 0.81), "precision": (0.85, 0.92),
              "grad_accum_steps": (0.91, 0.91), "batch_size": (0.77, 0.62)}
    # (batch_size: 27 labels. Detectron's SOLVER.IMS_PER_BATCH is read as the batch over all GPUs since the fourth
    # session; one label written without that knowledge lists no batch for it, which cost 0.81 -> 0.77)
    for field, (p_min, r_min) in floors.items():
        p, r = totals(per, (field,))
        assert p >= p_min and r >= r_min, (field, p, r)
    held_out = load(heldout=True)
    held, _ = score([m for m in held_out if number(m) <= 585])
    p, r = totals(held)
    assert p >= 0.80 and r >= 0.77, (p, r)  # never tuned on (rq-276..305, rq-356..385, rq-456..485, rq-486..585)


def test_every_fact_of_the_corpus_is_read_with_words_of_its_message(kb):
    """Provenance is real: each fact read from a message quotes words that are in that message (a list of
    measurements - and what two timings compared give - quotes each of its items, joined by '; '), with its runs of
    spaces folded to one as the reader reads them ("Model Contain  1.100048384  Billion Parameters"), and markdown's bold
    marks dropped ("on the **second** iteration" is quoted as "on the second iteration")."""
    from advisor.reading.timings import TIMING_FACTS

    for m in load():
        said = " ".join(m["message"].replace("**", " ").split()).lower()
        for name, (_, words) in read_message(kb, m["message"]).items():
            quoted = words.split("; ") if kb.facts[name].type == "pairs" or name in TIMING_FACTS else [words]
            assert name.startswith("claim_") or all(part and " ".join(part.split()).lower() in said
                                                    for part in quoted), (m["id"], name, words)


@pytest.mark.parametrize("message, expected", [
    ("My ResNet-50 with SGD lr 0.1 at batch 256; I want to use batch 1024 on 4 V100 32GB. What LR?",
     {"reference_batch": 256, "batch_size": 1024, "batch_scale_factor": 4.0, "base_lr": 0.1}),
    ("batch 256 at lr 0.1, going to 1024 on 2 GPUs", {"reference_batch": 256, "batch_size": 1024, "num_gpus": 2}),
    ("dropped the batch from 32 to 8, Adam lr 3e-4, new LR?", {"reference_batch": 32, "batch_size": 8}),
])
def test_planned_batch_changes(kb, message, expected):
    got = facts(kb, message)
    for name, value in expected.items():
        assert got.get(name) == value, (name, got)


def test_a_planned_change_gets_its_learning_rate():
    """The issue's examples: SGD 256 → 1024 at lr 0.1 gives 0.4 (linear); Adam 32 → 8 at 3e-4 gives 1.5e-4 (√)."""
    sgd = consult("My ResNet-50 with SGD lr 0.1 at batch 256; I want to use batch 1024 on 4 V100 32GB. What LR?")
    adam = consult("dropped the batch from 32 to 8, Adam lr 3e-4, new LR?")
    assert {e.id: e.value for e in sgd.estimates}["lr_new"] == pytest.approx(0.4)
    assert {e.id: e.value for e in adam.estimates}["lr_new"] == pytest.approx(1.5e-4)


# ------------------------------------------------------------------------------------------ who a batch is, and changes

def labels(message):
    return labels_of(read(message))


def assert_reads(message, expected, absent):
    """The message reads the `expected` labels, with those values, and none of the `absent` ones."""
    got = labels(message)
    assert {k: got.get(k) for k in expected} == expected, got
    assert not [k for k in absent if k in got], got


@pytest.mark.parametrize("message, expected", [
    # a change said without 'from … to'
    ("At batch size 32 it OOMs on my 3090; reduced to batch size 8 it works.", {"batch_from": 32, "batch_to": 8}),
    ("The batch size was too big, so I reduced it to 8 from 12.", {"batch_from": 12, "batch_to": 8}),
    # a change in the passive voice, with no batch before it, is the batch now (the review's TF2 Keras OOM)
    ("The training also seems problematic with OOM errors even when the batch size is reduced to 32.",
     {"batch_to": 32}),
    ("The batch size was reduced to 8 from 12 and it still OOMs.", {"batch_from": 12, "batch_to": 8}),
    ("With the default batch size of 32 there is a lot of free GPU memory. Even after increasing it to 128 there is "
     "still free memory.", {"reference_batch": 32, "batch_from": 32, "batch_to": 128}),
    ("With a batch size of 256 we get an OOM on 4 GPUs, and with a batch size of 128 it just fits.",
     {"batch_from": 256, "batch_to": 128}),
    # a planned value asked about carries the other values of its sentence
    ("Normally I use `batch_size=4 accumulate_gradient_steps=1`; so is `batch_size=8 accumulate_gradient_steps=2` right?",
     {"batch_from": 4, "batch_to": 8, "grad_accum_steps": 2}),
    # which batch a key names
    ("per_device_eval_batch_size: 16, per_device_train_batch_size: 2", {"micro_batch": 2}),
    ("TRAIN.BATCH_SIZE_TOTAL 8 on 4 GPUs", {"batch_size": 8, "num_gpus": 4}),
    ("global_train_batch_size: 2048, device_train_microbatch_size: 2", {"batch_size": 2048, "micro_batch": 2}),
    ("Total train batch size (w. parallel, distributed & accumulation) = 224, Gradient Accumulation steps = 4",
     {"batch_size": 224, "grad_accum_steps": 4}),
    # arithmetic
    ("batch_size*gradient_accumulation_steps = 12*40 = 480", {"micro_batch": 12, "grad_accum_steps": 40, "batch_size": 480}),
    ("gradient_accumulation_steps = 64* 2", {"grad_accum_steps": 128}),
    ("Is --batch_size 64 equivalent to --batch_size 8 with --accumulate_gradients 8?",
     {"batch_size": 64, "micro_batch": 8, "grad_accum_steps": 8}),
    # batch 1 on several GPUs cannot be the global batch
    ("OOM on 8 A100s even with batch size 1", {"micro_batch": 1, "num_gpus": 8}),
    # a batch given as a product with the GPU count
    ("batch size 4 per GPU x 8 GPUs = 32", {"micro_batch": 4, "num_gpus": 8, "batch_size": 32}),
    ("global batch is 8 GPUs * 4 = 32", {"micro_batch": 4, "num_gpus": 8, "batch_size": 32}),
    # DeepSpeed's train_batch_size, named in prose in a DeepSpeed message, is the batch over all GPUs
    ("DeepSpeed on 8 GPUs: since train_batch_size is 32 I expected 937 steps", {"batch_size": 32, "num_gpus": 8}),
    # darknet: the batch per update, split into `subdivisions` passes
    ("batch=64 subdivisions=16 runs out of memory on my GPU", {"batch_size": 64, "micro_batch": 4, "grad_accum_steps": 16}),
    # a batch said in words
    ("a dataset of 1000 examples, batch_size one and a single GPU", {"micro_batch": 1, "dataset_size": 1000}),
    # a batch counted in sequences of a length, the product in tokens read with it (not a batch of 512 tokens)
    ("T5-large on 8x A100, per gpu 32 fits. The T5 paper used 128 seqs x 512 = 65k tokens per batch.",
     {"micro_batch": 32, "reference_batch": 128}),
    ("we train on 64 sequences of 2k tokens on one GPU", {"micro_batch": 64, "seq_len": 2048}),
    # an encoder-decoder's input length is its sequence; a decoder's input and output lengths add up
    ("T5-large continued pretraining, input 512 target 114, per gpu 32", {"seq_len": 512, "micro_batch": 32}),
    ("`max_input_length: 128`, `max_output_length: 256`, `per_device_train_batch_size: 1`", {"seq_len": None}),
])
def test_batches_changes_and_keys(message, expected):
    got = labels(message)
    for name, value in expected.items():
        assert got.get(name) == value, (name, got)


def test_a_batch_per_node_is_neither_per_device_nor_global():
    got = labels("Two nodes with 4 GPUs each; I set args.batch_size = 256 on each node")
    assert "micro_batch" not in got and "batch_size" not in got, got


@pytest.mark.parametrize("message, steps", [
    ("I first trained with 4 A100s and set 8 gradient accumulation steps, but it was out of memory. Then I tried 6 "
     "gradient accumulation steps and it OOMs in epoch 11.", 6),  # the run asked about, not the first one
    ("With gradient_accumulation_steps=4 the loss is fine. My run uses gradient_accumulation_steps=16 on a 3090.", 16),
])
def test_the_accumulation_of_the_run_asked_about(message, steps):
    assert labels(message).get("grad_accum_steps") == steps


@pytest.mark.parametrize("message, count", [
    ("Qwen3-VL 2B LoRA finetune on 8 RTX6000 leads to OOM", 8),  # a card the catalogue may not know
    ("training on 4 Tesla M40 cards", 4),
    ("my 2080 RTX runs out of memory", 1),  # the number is the card's, not a count
])
def test_a_count_before_any_cards_name(message, count):
    assert labels(message).get("num_gpus") == count


def test_nodes_of_a_network_are_no_machines():
    got = labels("I trained my 24 layers deep Reformer, with 768 nodes per layer, on 2xP100")
    assert "num_nodes" not in got and got.get("num_gpus") == 2, got


@pytest.mark.parametrize("message", [
    "100 steps take 70s (100x16 samples)",  # samples seen, a product
    "Can each GPU load up to 30 examples?",  # a batch per GPU
])
def test_counts_of_samples_that_are_not_the_data_set(message):
    assert "dataset_size" not in labels(message)


def test_a_product_that_is_no_batch_reads_no_batch():
    got = labels("We train on 4 x 8 GPUs = 32 GPUs with batch 16")  # a GPU count, not a batch per GPU times GPUs
    assert got.get("batch_size") != 32 and got.get("micro_batch") != 4, got
    got = labels("batch 4 x 8 GPUs = 30")  # arithmetic that does not hold is not read as a product
    assert got.get("batch_size") != 30, got


@pytest.mark.parametrize("message, size", [
    ("Log: `Num examples = 5,498 | Num Epochs = 3`", 5498),
    ("dataset size: 30000, batch 8", 30000),
    ("I fine-tune on a dataset of 50k", 50000),
    ("We have 1.2M images and 4 GPUs", 1200000),
    ("8 GPUs, 50000 samples", 50000),  # the cue before the comma named the 8
])
def test_data_set_sizes(message, size):
    got = labels(message)
    assert got.get("dataset_size") == size, got
    assert "params" not in got and "model" not in got, got  # "1.2M images" counts data, not parameters


@pytest.mark.parametrize("message, mine, theirs", [
    # said of what a model or a config does, next to the user's own batch
    ("BEVFormer trains with batchsize=1 per GPU. I trained bevformer-small on 4 RTX 3090 with batchsize=2 per GPU.",
     2, 1),
    ("The example script sets batch_size 64. I use a batch size of 16 on my 3090.", 16, 64),
    # said to be the reference's own
    ("I understand a single GPU should have the same batch size (128) as yours.", 128, 128),
])
def test_a_batch_said_of_someone_else_is_the_reference(message, mine, theirs):
    got = labels(message)
    assert got.get("micro_batch") == mine and got.get("reference_batch") == theirs, got


@pytest.mark.parametrize("message, theirs", [
    ("My batch is 480, while the paper uses 512.", 512),  # a bare number in the paper's words, about the batch
    ("My effective batch across 8 GPUs matches Devlin et al.'s 256, but it is slow.", 256),
    ("My lr is 0.1, while the paper uses 0.4.", None),  # about the LR, not the batch
    ("I use batch 64. The authors trained for 300 epochs and got 81.2.", None),  # the number is no batch
    ("I use batch 64. The authors got 81.", None),  # a result, not a setting
])
def test_a_bare_number_in_a_references_words_about_the_batch(message, theirs):
    assert labels(message).get("reference_batch") == theirs


def test_a_batch_with_no_one_else_is_the_users():
    got = labels("The script sets batch_size 64 and it OOMs on a 3090.")  # no batch of the user's to set it against
    assert got.get("micro_batch") == 64 and "reference_batch" not in got, got
    got = labels("I get the same error with batch 8 on my 3090")  # the same error, not the same setup
    assert "reference_batch" not in got, got


@pytest.mark.parametrize("message, params", [
    ("Test: a 400M transformer on 2 A40 GPUs", 400e6),
    ("`Number of trainable parameters = 7,615,616,512`", 7615616512),  # no adapter: every weight trains
    ("trainable params: 4,194,304 || all params: 6,742,609,920 || trainable%: 0.06", 6742609920),
    ("LoRA r=8, trainable params: 4,194,304", None),  # an adapter's parameters are not the model's
])
def test_a_models_size_as_logs_print_it(message, params):
    assert labels(message).get("params") == params


@pytest.mark.parametrize("message", [
    "I train a ResNet pretrained on ImageNet on my own dataset with batch 16",  # the checkpoint's history
    "python examples/imagenet/main.py -b 256 on 4 GPUs",  # a folder named after the data set
])
def test_a_pretrained_checkpoint_is_no_training_from_scratch(message):
    assert labels(message).get("training_mode") != "scratch"


def test_a_batch_in_a_change_is_not_also_the_current_one():
    got = labels("I decreased the batch size from 128 to 112 per gpu on 16 A100s")
    assert got["batch_from"] == 128 and got["batch_to"] == 112 and "micro_batch" not in got


def test_the_batch_a_learning_rate_was_set_for_is_a_reference():
    got = labels("Does it mean that `args.lr` is the learning rate for batch size 256?")
    assert got.get("reference_batch") == 256 and "micro_batch" not in got


# ------------------------------------------------------------------------------------------ GPUs and their memory

@pytest.mark.parametrize("message, expected", [
    ("accelerate config: gpu_ids: 0,1, mixed_precision: bf16", {"num_gpus": 2}),
    ("deepspeed --include localhost:1 train.py", {"num_gpus": 1}),
    # an error on device 0 says the card's size, not how many cards there are (the run may have eight)
    ("CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 8.00 GiB total capacity; 6.06 GiB already allocated)",
     {"num_gpus": None, "gpu_memory_gb": 8}),
    ("The server has four V100s, 128G in total.", {"gpu_model": "v100-32gb", "gpu_memory_gb": 32, "num_gpus": 4}),
    ("on 4 NVIDIA GeForce RTX 2080 (11264MiB each)", {"gpu_model": "rtx-2080", "gpu_memory_gb": 11, "num_gpus": 4}),
    ("8xH100 fails: GPU 0 has a total capacity of 79.10 GiB of which 60 MiB is free", {"gpu_memory_gb": 80}),
    ("on an A100 my config uses around 72 GB", {"gpu_model": "a100-80gb"}),
    ("I thought Kaggle gives more memory (2 GPUs, 15G each)", {"gpu_model": "t4", "num_gpus": 2, "gpu_memory_gb": 16}),
    ("Fine-tuning qwen-7b on two V100s (16G*2) OOMs, though yesterday I fine-tuned successfully on a P40 with 24g.",
     {"gpu_model": "v100-16gb", "gpu_memory_gb": 16, "num_gpus": 2}),
    ("I first used a GPU with 24GB memory and got an OOM. Then I tried a GPU with 48GB memory.", {"gpu_memory_gb": 48}),
    ("BLOOM 560M, training batch 1, TITAN RTX 24GB *2", {"num_gpus": 2}),
])
def test_gpus_counts_and_memory(message, expected):
    got = labels(message)
    for name, value in expected.items():
        assert got.get(name) == value, (name, got)


@pytest.mark.parametrize("message, absent", [
    ("When I use 1 GPU accuracy is fine, but with multiple GPUs it drops.", "num_gpus"),  # a comparison
    ("Batch size 24: GPU memory is about 13GB and utilization is low", "gpu_memory_gb"),  # a use, not the card
    ("full fine-tuning of Gemma 3 12B on 1xA100 in Google Colab", "gpu_memory_gb"),  # not Colab's T4
    ("you only avoid cuda out of memory with more than 22G of VRAM", "gpu_memory_gb"),  # a requirement
])
def test_what_is_not_the_users_hardware(message, absent):
    assert absent not in labels(message), labels(message)


# ------------------------------------------------------------------------------------------ models and the method

@pytest.mark.parametrize("message, model, params", [
    ("Fine-tuning visual-bert on a single A10", "visual-bert", None),
    ("I trained bevformer-small on 4 RTX 3090", "bevformer-small", None),
    ("About training the ViT-g/14 model", "vit-g-14", None),
    # a count of something else after its noun is no model's size ("steps 3M/32": three million steps)
    ("Should I set the config to batch size 4096*32 and steps 3M/32?", None, None),
    ("accelerate launch train.py --model_name_or_path chatglm2-6b --template qwen2_vl", "chatglm2-6b", 6e9),
    ("full SFT of Qwen2-VL-72B-Instruct OOMs; I run `train.py --template qwen2_vl`", "qwen2-vl-72b", 72e9),
    ("I want to train llama2 for a new language: how many A100s do I need for a 13B model?", "llama-2-13b", 13e9),
    ("full fine-tuning of Gemma 3 12B on one A100", "gemma-3-12b", 12e9),
    ("Does internlm2_7b_chat really need 40G?", "internlm2-7b", 7e9),
    ("I'm fine-tuning bert-base-multilingual on 4 GPUs", "bert-base-multilingual", None),
    ("run --model_name_or_path .../llava-v1.6-vicuna-7b --vision_tower openai/clip-vit-large-patch14-336",
     "llava-1.6-vicuna-7b", 7e9),
    ("OOM-ing with unsloth/gemma-3n-E2B-unsloth-bnb-4bit", "gemma-3n-e2b", None),  # E2B is a variant, not 2B
    ("BLOOM 560M / 1.1B, training batch 1", None, None),  # two models: none of them
    ("it would show D-FINE converging faster than RT-DETR", None, None),  # compared with, not trained
    ("I want to train llama2 on my data", None, None),  # a family alone names no model
    ("my config: clip_path = /models/clip, epochs = 5", None, None),  # a key named after a family
    ("fine-tuning minigpt4-vicuna-13b on 2 A100", "minigpt4-vicuna-13b", 13e9),  # built on Vicuna, not Vicuna
    ("LoRA of lmsys/vicuna-7b-v1.5 on a T4", "vicuna-7b", 7e9),
])
def test_model_names(message, model, params):
    got = labels(message)
    assert got.get("model") == model and got.get("params") == params, got


@pytest.mark.parametrize("message, mode", [
    ("OOM when finetuning unsloth/llama-3-8b-bnb-4bit on a T4", "qlora"),  # a 4-bit base trains adapters
    ("deepspeed main.py --model_name_or_path meta-llama/Llama-2-70b-chat-hf --zero_stage 3", "finetune"),
    ("On a v100 I run run_glue.py as in the README (`--per_gpu_train_batch_size=8`)", "finetune"),
    ("The official LoRA tutorial says 11 GB is enough, yet on my RTX 3080 16 GB I get CUDA OOM", "lora"),
    # adapters ruled out: the whole model is trained, and it is no QLoRA
    ("I assumed the model would be spread over the combined 64 GB so I wouldn't need QLoRA", "finetune"),
    ("still hit OOM when training the 7B model (fsdp enabled with bf16, without peft)", "finetune"),
    ("I cannot finetune Gemma-3 on a T4: `from_pretrained(..., dtype=None, load_in_4bit=True)`", "qlora"),
    # trained on a pre-training corpus, nothing pretrained loaded
    ("Training ResNet50 on imagenet on an RTX2070 (8G), I can only set batchsize to 2.", "scratch"),
    ("I ran train_owt.sh on openwebtext with 8 H100s", "scratch"),
    ("I fine-tune an ImageNet-pretrained ResNet50 with batch 32", "finetune"),
])
def test_the_training_method_a_message_implies(message, mode):
    assert labels(message).get("training_mode") == mode, labels(message)


# ------------------------------------------------------------------------------------------ the goal

@pytest.mark.parametrize("message, goal", [
    ("Why does QLoRA use more memory than LoRA?", "explain_result"),
    ("Why is 24g still not enough even after I set batch_size to 1?", "fit"),
    ("I go from 1 GPU to 8 GPUs: how should I scale the learning rate?", "choose_lr"),
    ("GPU utilization stays at 10% with batch_size 64. How can I speed it up?", "faster"),
    ("`train.py --lr_warmup_steps=0 --learning_rate=1e-4` runs out of memory on my T4.", "fit"),
    ("Can Qwen-VL be LoRA fine-tuned on 4x 3090 (24GB)?", "fit"),
    ("What hardware did you use? With the default batch size I get an OOM.", "match_reference"),
    ("Are there recommended batch size and epochs for 5 million samples?", "choose_batch"),
])
def test_goals(message, goal):
    assert labels(message).get("goal") == goal, labels(message)


@pytest.mark.parametrize("text, numbers", [
    ("1,281,167 images", [1281167]), ("max_seq_length=120_000", [120000]), ("gpu_ids: 0,1,2,3", [0, 1, 2, 3]),
    ("lr 3e-4, 1.5e-3 or .5", [3e-4, 1.5e-3, 0.5]), ("3,4.5", [3, 4.5]),
])
def test_numbers_with_separators(text, numbers):
    from advisor.reading.tokens import tokenize

    assert [t.value for t in tokenize(text) if t.is_num] == pytest.approx(numbers)


@pytest.mark.parametrize("text", ["İstanbul lab: 8xA100, batch 32", "ǅ 4 GPUs\n  \t", "x" * 3 + " 24GB  ", "²³ 1e999 0,1,2,3 _a_"])
def test_token_spans_point_at_their_text(text):
    """A token's span is where its text stands in the message, even where lower-casing changes a word's length
    ('İ' lower-cases to two characters)."""
    from advisor.reading.tokens import tokenize

    tokens = tokenize(text)
    assert tokens and all(text[t.start:t.end].lower() == t.text.lower() for t in tokens)
    assert "".join(text[t.start:t.end] for t in tokens) == re.sub(r"[^\S\n]", "", text)  # each character once


def test_sentences_do_not_end_inside_abbreviations_or_paths():
    from advisor.reading.tokens import sentences, tokenize

    for text in ("Total (w. parallel) = 224", "--model_name_or_path .../llava-7b", "e.g. 8 GPUs"):
        assert len(sentences(tokenize(text))) == 1, text


# what the third session's corpus review taught the reader: each a phrasing real messages use
@pytest.mark.parametrize("message, expected", [
    ("Qwen-14b QLoRA on 4 3090 cards runs out of memory", {"num_gpus": 4, "gpu_model": "rtx-3090"}),
    ("8xA100 at 80% GPU util", {"num_gpus": 8}),
    ("On a runpod A100 my run uses 72 GB", {"num_gpus": 1, "gpu_model": "a100-80gb"}),  # 72 GB used: not the 40 GB
    ("I run out of VRAM on a 20GB VRAM GPU", {"num_gpus": 1, "gpu_memory_gb": 20}),
    ("the max batch size I can use is 256", {"micro_batch": 256}),
    ("fine-tuning on 4xA100 (160GB of memory in total)", {"num_gpus": 4, "gpu_memory_gb": 40}),
    ("one H100 card with 96G of memory", {"gpu_model": "h100-nvl", "gpu_memory_gb": 96}),
    ("LoRA on Mixtral-8x7B-Instruct, 8xA800", {"model": "mixtral-8x7b", "params": 46_700_000_000}),
    ("the mixtral 8x7B model needs 100GB", {"model": "mixtral-8x7b", "params": 46_700_000_000}),
    ("fine-tune llama-7b: `python finetuning.py --model_name ../../llama/llama-2-7b-hf`", {"model": "llama-2-7b"}),
    ("accelerate config: distributed_type FSDP, num_processes 8, fsdp_offload_params False", {"parallelism": "fsdp"}),
    ("config: `unet_lr = 4e-5`, `lr = 0.0001`, `min_lr: 1e-6`", {"lr": 0.0001}),
    ("context len=2k, bs=1, still OOM", {"seq_len": 2048}),
    ("After 4 epochs the validation accuracy is 0.6 (I'm using BERT-large uncased).", {"training_mode": "finetune"}),
    ("Model args: `--num-layers 32 --hidden-size 4096 --seq-length 4096`", {"training_mode": "scratch"}),
    ("nanoGPT config: n_layer = 12, n_embd = 768, batch_size = 12", {"training_mode": "scratch"}),
    ("--num-layers 32 --hidden-size 4096 --load checkpoints/llama --finetune", {"training_mode": "finetune"}),
    ("`--learning_rate 0.0001 --warmup_steps 0 --fp16 True`", {"warmup_steps": 0}),
    ("I very soon run out of VRAM on a 20GB VRAM GPU", {"oom": True, "gpu_memory_gb": 20}),
    ("fine-tuning whisper on a GPU with 24gb of ram", {"gpu_memory_gb": 24}),
    ("Estimator: `SW: Model with 9708M total params.`", {"params": 9_708_000_000}),
    ("with zero_stage2&3, but still OOM", {"parallelism": "zero"}),
    ("I'm training bert-base-uncased from scratch on a single node with 8xA100", {"num_nodes": 1, "num_gpus": 8}),
    ("qlora+fsdp for the llama3.1 70B model on 8xA100 (640G)", {"gpu_model": "a100-80gb", "gpu_memory_gb": 80}),
    ("on 4 A100s, 160GB total", {"gpu_model": "a100-40gb", "gpu_memory_gb": 40, "num_gpus": 4}),
    ("my 24GB total VRAM", {"gpu_memory_gb": 24}),
    ("With 224 by 224 images my GPUs only fit 10", {"image_size": 224}),
    ("./sdxl_train.py --no_half_vae --mixed_precision=bf16 --full_bf16 --sdpa", {"precision": "bf16"}),
    ("python finetune/lora.py --precision bf16-true", {"precision": "bf16"}),
    ("deepspeed_config_file=ds_zero2_no_offload.json", {"zero_stage": 2}),
    ("--deepspeed local_scripts/zero3_offload.json", {"zero_stage": 3, "offload": "cpu"}),
    ("kohya train_network.py --network_dim=128 --network_module=networks.lora", {"lora_rank": 128}),
    ("Training a lora runs out of video memory on a single A100 80GB card", {"oom": True}),
    ('I got a "CUDA out of memory" error on one V100 with the default settings', {"oom": True}),
    ("multi-machine training with DDP on two 8-gpu machines (Nvidia 3090)", {"num_gpus": 16, "num_nodes": 2}),
    ("on 2 8-GPU nodes", {"num_gpus": 16, "num_nodes": 2}),
    # worker machines, each holding GPUs (a bare "8 workers" is the DataLoader's: see test_dataloader_workers_kept)
    ("I train on 2 workers with 4 GPUs each, batch 32 per GPU", {"num_gpus": 8, "num_nodes": 2, "micro_batch": 32}),
    ("four workers, each with 8 V100s, global batch 1024", {"num_gpus": 32, "num_nodes": 4}),
    ("3 workers (8 GPUs per worker)", {"num_gpus": 24, "num_nodes": 3}),
    # a data set, then the batch after a comma; the last, smaller batch is no batch of the run; a bare model number
    # before a count noun is a count ("1050 training samples" is no GTX 1050)
    ("10,000 samples, batch 64.", {"dataset_size": 10000, "micro_batch": 64}),
    ("With 10000 samples and batch size 64 the last batch is only 16", {"dataset_size": 10000, "micro_batch": 64}),
    ("Keras model.fit with 1050 training samples and batch_size=32", {"dataset_size": 1050, "micro_batch": 32}),
    # the cards' sum said first, each card's size after the '='
    ("HW setup: 256Gb VRAM = 32Gb VRAM x 8 GPUs on a single node", {"gpu_memory_gb": 32, "num_gpus": 8}),
    # a "GPU usage" in a message about GPU memory is the memory's (review 46 #22)
    ("Which parameters have a greater impact on GPU usage? … the gradient calculation was still using up the GPU "
     "memory.", {"goal": "fit"}),
    ("GPU usage is only 30%, the training is slow", {"goal": "faster"}),
    # TPU cores are the replicas data parallelism runs (review 46 #18)
    ("I'm trying to run TFTrainer on 8 TPU cores", {"num_gpus": 8}),
    ("run my script with the flags `--tpu_num_cores 8 --per_device_train_batch_size 1`", {"num_gpus": 8}),
    # what a step consumes is no data set
    ("the epoch shows up in the logging as if between each step, 640 samples are passed", {}),
    # an issue template's environment lists libraries with their versions: no setting of the run
    ("- PEFT version: 0.12.0\n- DeepSpeed version: 0.15.4\nfinetuning_type: full", {"training_mode": "finetune"}),
    ("I'm training your model on 4 cards with 4 samples per card", {"num_gpus": 4, "micro_batch": 4}),
    ("With 224 by 224 images my 2 GPUs can only fit 10 images in a batch in total", {"batch_size": 10}),
    ("the T4 cannot train and keeps reporting no memory, but the same training runs on a local computer with 8GB "
     "of video memory", {"gpu_model": "t4", "gpu_memory_gb": 16}),
    ("Training ResNet-50 on ImageNet with 8 V100s, batch 256 total", {"gpu_model": "v100", "num_gpus": 8}),
    ("on a V100S", {"gpu_model": "v100-32gb"}),
    ("Is 24GB enough to train a 3B model from scratch with AdamW in bf16?", {"gpu_memory_gb": 24}),
    ("Loss spikes after a warmup of 2000 steps, lr 1e-4", {"warmup_steps": 2000}),
    ("When I increase the number of GPUs from 1 to 4 with DDP, each epoch takes the same time", {"num_gpus": 4}),
    ("We want to continue pretraining Llama-3-70B on 50B tokens", {"training_mode": "finetune"}),
    ("RTX 3080 10GB, yolov8m, imgsz=1280, batch=16", {"model": "yolov8m", "image_size": 1280, "micro_batch": 16}),
    ("ZeRO-2 with CPU offload, micro batch 2, global batch 256 for a 6.7B OPT model", {"model": "opt-6.7b"}),
    ("fine-tuning a 7B Llama 2 model with LoRA", {"model": "llama-2-7b", "params": 7e9}),
    ("Why does my GPU memory keep growing until OOM? batch size is fixed at 16.", {"micro_batch": 16}),
    ("Zero 3 + LoRA on 8*H100: --lora-rank $lora_rank --load-in-4bit $load_in_4bit", {"training_mode": "lora"}),
    ("torchrun src/train.py --deepspeed $DS_CONFIG_PATH --stage sft", {"parallelism": "zero"}),
    ("trainer = pl.Trainer(strategy=\"ddp\", accelerator=\"gpu\", gpus=2)", {"num_gpus": 2, "parallelism": "ddp"}),
    ("the OOM problem when training with 128 batch_size on a 12G P-100", {"micro_batch": 128, "gpu_memory_gb": 12}),
    ("retaining the same total batchsize, i.e., 8 for each GPU", {"micro_batch": 8}),
    ("on 8 GPUs, batch size 16", {"num_gpus": 8}),
    ("I use 32x32 images", {"image_size": 32}),
    ("I used every VRAM saving setting: 8bit adam, don't cache latents, gradient checkpointing, fp16 mixed precision",
     {"grad_checkpointing": True, "optimizer": "adamw_8bit"}),
    ("PSPNet on a GTX1080ti returns a ResourceExhaustedError", {"oom": True}),
    ("Hello, why does the memory explode when I'm training? I use batchsize=4", {"oom": True}),
    ("TRAIN: SCALES: (800,) MAX_SIZE: 1333 IMS_PER_BATCH: 1 BATCH_SIZE_PER_IM: 512", {"micro_batch": 1}),
    ("Machine: Amazon EC2 instance with 8 GPUs, each 12G memory.", {"num_gpus": 8, "gpu_memory_gb": 12}),
    ("Getting OOM on 8 nvidia GPUs with 40GB memory each", {"num_gpus": 8, "gpu_memory_gb": 40}),
    ("CUDA OOM training on 4 24GB VRAM GPUs with batch size 1", {"num_gpus": 4, "gpu_memory_gb": 24}),
    ("Even with 4 times 24 GB graphics cards I get the error", {"num_gpus": 4, "gpu_memory_gb": 24}),
    ("My DDP run on a machine with 4 GPUs is 4 times slower than a single GPU", {"num_gpus": 4}),
    ("if you keep batch_size = 128 and train with multiple GPUs, e.g. 8 GPUs, the effective batch_size is "
     "128*8 = 1024", {"num_gpus": 8, "micro_batch": 128, "batch_size": 1024}),
    ("I am fine-tuning on two A800s, each with 80G of memory", {"gpu_model": "a800-80gb", "gpu_memory_gb": 80}),
    ("I simply added `fp16 = dict(loss_scale='dynamic')` at the bottom of the config", {"precision": "amp_fp16"}),
    ("Unable to allocate 12 bytes. Total parameters 7243.436M", {"oom": True, "params": 7_243_436_000}),
    ("it runs out of my 24G of vram easily, even with batch = 1", {"oom": True, "gpu_memory_gb": 24}),
    ("Does the minibatch size mean the batch size per gpu or the total over all gpus? I have 1 gpu and set "
     "per_img_gpu=2", {"num_gpus": 1, "micro_batch": 2}),
])
def test_phrasings_from_the_corpus_review(message, expected):
    got = labels_of(read(message))
    for name, value in expected.items():
        assert got.get(name) == pytest.approx(value) if isinstance(value, (int, float)) else got.get(name) == value, \
            (name, got.get(name), value)


@pytest.mark.parametrize("message, absent", [
    ("I tried batch sizes of 32, 64, 128 and 200 and accuracy drops", ["micro_batch", "batch_size"]),
    ("When I increase the batch size (I have a large GPU capacity), training gets slow", ["num_gpus"]),
    ("I can't reproduce it using either 8 GPUs and batch_size=128 or 4 GPUs and batch_size=256", ["num_gpus"]),
    ("Suppose I have 16 or 4 GPUs: should I scale the LR?", ["num_gpus"]),
    ("OOM training 70B on 4x3090 with both FSDP and Deepspeed Zero3", ["parallelism", "zero_stage"]),
    ("accelerate config: num_processes 8, fsdp_offload_params False", ["offload"]),
    ('"zero_optimization": {"stage": 2, "offload_optimizer": {"device": "auto"}}', ["offload"]),
    ('a 16GB card, BitsAndBytesConfig(load_in_4bit=True, device_map="auto"), one GPU', ["parallelism"]),
    ("The configs use lr=0.03 for batch 256 on an 8-gpu machine; how should I set the LR?", ["lr"]),
    ("per_device_train_batch_size = 1, with zero_stage2&3, but still OOM", ["zero_stage"]),
    ("so I set base_lr = 0.1 * batch_size / 256: on 1 GPU with batch size 512 the learning rate is 0.1 * 2 = 0.2",
     ["lr"]),
    ("I think we should set lr = 0.0002 * 16 = 0.0032, using a WarmupScheduler", ["lr"]),
    ("I tried scaling the lr linearly with the number of GPUs (lr = 1 GPU's lr * 8)", ["lr"]),
    ("I tried DeepSpeed ZeRO 2/3 and both OOM", ["zero_stage"]),
    ("at batch size 256 the throughput is 7000 samples/s", ["dataset_size"]),
    ("deepspeed_config_file=ds_zero2_no_offload.json", ["offload"]),
    ("a warmup of 5 epochs and then cosine decay", ["warmup_steps", "epochs"]),
    ("is 64GB RAM enough?", ["gpu_memory_gb"]),
    ("As you mention in the paper, the batch size is 32 with 8 H100 GPUs, but that leads to OOM for me",
     ["gpu_model", "gpu_memory_gb"]),
    ("How can I start training on two or one RTX3090?", ["num_gpus"]),
    ("with the same vit-small, batch size 32 takes up 17G for dino-s/8, but only 12G with batch size set to 128 "
     "for vit-s/16", ["micro_batch"]),
    # the least batch said works: which of the others is the run asked about is open
    ("I can't train resnet-50 on a Titan-X with batchsize 256. resnet 50 with batchsize 64 takes 8G+ memory",
     ["micro_batch"]),
    ("8x8 GPUs", ["image_size"]),
    ("how much memory do we need to train at 256x256 with batch size >= 8?", ["micro_batch"]),
    ("I trained e2e_faster_rcnn_R_50_FPN_1x on my COCO-format dataset", ["lora_rank"]),
    ("TRAIN: SCALES: (800,) MAX_SIZE: 1333 IMS_PER_BATCH: 1 BATCH_SIZE_PER_IM: 512", ["batch_size"]),
    ("I have a 512x512x512 volume that is crashing K80 GPUs", ["image_size"]),
    ("I use batchsize=4, image_size=512. Only when I set batchsize to 1 and image_size=224 does it work.",
     ["image_size"]),
    ("Unable to allocate 12 bytes. Total parameters 7243.436M", ["model"]),
    ("Zero 3 + LoRA: --lora-rank $lora_rank --load-in-4bit $load_in_4bit", ["lora_rank"]),
    ("RTX 3060 12GB, yolov9m, imgsz=1280", ["params"]),  # the 'm' of yolov9m is a variant, not millions
    ("With 224 by 224 images my GPUs can only fit 10 images in a batch", ["dataset_size"]),
    ('Based on the Linear Scaling Rule in "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour", the LR '
     "should change", ["optimizer"]),
])
def test_what_the_corpus_review_taught_not_to_read(message, absent):
    got = labels_of(read(message))
    assert not set(absent) & set(got), {k: got[k] for k in set(absent) & set(got)}


@pytest.mark.parametrize("message, goal", [
    ("Multi GPU takes longer: one epoch takes 26min on two GPUs and 16min on one GPU. Do you know why?", "faster"),
    ("LoRA trains fine, but once I change the config to QLoRA it reports GPU OOM.", "explain_result"),
    ("I run Llama-2-7B on 4xA100 and get OOM, but it runs successfully on 2*80G A100.", "explain_result"),
    ("What batch size did you use for training? With the default 32 I get CUDA out of memory on an RTX 4090.",
     "match_reference"),
    ("I intend to scale up the batch size; could you advise me how to adjust the learning rate correspondingly?",
     "choose_lr"),
    ("How to use mixed precision? I want to save GPU memory during training. Any advice?", "fit"),
    ("OOM with Qwen-7B on a 3090 at batch 4, seq 2048. How can I fix it?", "fit"),
])
def test_goals_from_the_corpus_review(message, goal):
    assert labels_of(read(message)).get("goal") == goal


@pytest.mark.parametrize("message", [
    "Training on cifar10 with batchsize 2048 on dual 3090s, I get a memory overflow.",
    "On a 1660 the max batch is 2; any larger overflows memory.",
    "On two 3090s with batch size 12, memory blows up when entering the next epoch.",
    "Even with a batch size of 1 the model exceeds GPU memory capacity (H20 96 GB).",
    "It still reports insufficient GPU memory with batch 2 on a 3090.",
    "Can't run the notebook on free Colab, not enough CUDA memory.",
    "My 12 GB card doesn't have enough VRAM for llama 7b at batch 4.",
    "I have a 512x512x512 volume that is crashing K80 GPUs, and I crash the memory of my GPUs.",
])
def test_running_out_of_memory_said_in_words(message):
    assert labels_of(read(message)).get("oom") is True


@pytest.mark.parametrize("message", [
    "To avoid memory overflow I use batch 2 on a 3090.",
    "Memory usage never exceeds 20GB of the 24GB on my 3090.",
    "Memory usage does not exceed 10 GB at batch 8.",
    "Is 24GB enough memory for llama 7b with LoRA?",
    "Batch 64 with 16 GB of memory, loss 1.2 after 3 epochs.",
])
def test_memory_words_that_report_no_failure(message):
    assert labels_of(read(message)).get("oom") is None


@pytest.mark.parametrize("message, expected, absent", [
    # detectron2's SOLVER.IMS_PER_BATCH is the batch over all GPUs; the first Detectron's TRAIN section is per GPU
    ("I only have three GPUs, so I set SOLVER.IMS_PER_BATCH to 6", {"num_gpus": 3, "batch_size": 6}, ["micro_batch"]),
    ("TRAIN: SCALES: (800,) MAX_SIZE: 1333 IMS_PER_BATCH: 1 BATCH_SIZE_PER_IM: 512", {"micro_batch": 1}, ["batch_size"]),
    # on one GPU with no accumulation, the batch per update is that GPU's batch
    ("On a single 3090 I set IMS_PER_BATCH: 4 and get OOM", {"num_gpus": 1, "micro_batch": 4}, []),
    # a size joined to the card by 'and' is another thing's
    ("With 8x A800 and 400G of RAM I get an error", {"num_gpus": 8, "gpu_model": "a800"}, ["gpu_memory_gb"]),
    ("OOM on a Tesla V100 with 32GB RAM at batch 8", {"gpu_model": "v100-32gb", "gpu_memory_gb": 32}, []),
    # a version glued to a size in a name: `LLaVA_13B_v0`
    ("torchrun train_mem.py --model_name LLaVA_13B_v0 --bf16 True", {"model": "llava-13b", "params": 13e9}, []),
    # 'GPU:' or 'my GPU is' naming one card, or its size, is one GPU; a count said with it is the count
    ("GPU: A6000 48GB VRAM, but I get OOM", {"num_gpus": 1, "gpu_model": "rtx-a6000"}, []),
    ("My GPU is a GeForce GTX 1050 Ti and batch 4 fails", {"num_gpus": 1, "gpu_model": "gtx-1050-ti"}, []),
    ("The GPU is 16gb but the memory still runs out", {"num_gpus": 1, "gpu_memory_gb": 16}, []),
    ("GPU: 8x A100 80GB, ZeRO-3", {"num_gpus": 8}, []),
    ("Each GPU has 24 GB and I have 4 of them", {"gpu_memory_gb": 24}, ["num_gpus"]),
    # "<the batch …> is N": the batch said as the sentence's subject, its value at the end
    ("The biggest batch size I can set without out of memory is 16. I have an 11GB GPU.", {"micro_batch": 16}, []),
    ("My batch size on each GPU is 8, with 4 GPUs", {"micro_batch": 8, "num_gpus": 4}, []),
    ("The batch size is fixed and the loss is 16.", {}, ["micro_batch", "batch_size"]),
    # a tensor's dimensions are no count of anything; an image's or a batch's size in parentheses is still read
    ("OOM when allocating tensor with shape[123008,500] [[Node: training_10/Adam/mul_23]] at batch_size = 10",
     {"micro_batch": 10}, ["num_nodes"]),
    ("input torch.Size([8, 4096]) on 2 GPUs", {"num_gpus": 2}, ["micro_batch", "seq_len"]),
    ("image size (512, 512) and batch size 8", {"image_size": 512, "micro_batch": 8}, []),
    # a number "used" bare in a message that names no quantity is the batch the exchange is about
    ("the paper used 512, I'll use 512", {"reference_batch": 512, "micro_batch": 512}, []),
    ("I used 512 for the hidden size", {}, ["micro_batch", "reference_batch"]),
    # memory a machine has is the host's; a card's said on the machine is the card's
    ("My machine has 60GB memory (free -h shows 58G) but training fails", {}, ["gpu_memory_gb"]),
    ("If a graphics card on the server has 16GB of memory, what batch size?", {"gpu_memory_gb": 16}, []),
    ("my machine has a 24GB GPU", {"gpu_memory_gb": 24, "num_gpus": 1}, []),
    # what a project's page says is a reference
    ("The github page says all models were trained with batch size 32, but I'm using batch size 2. Divide the lr?",
     {"reference_batch": 32, "micro_batch": 2}, []),
])
def test_config_keys_cards_and_names_from_the_fourth_review(message, expected, absent):
    got = labels_of(read(message))
    assert {k: got.get(k) for k in expected} == expected and not set(absent) & set(got), got


@pytest.mark.parametrize("message, expected, absent", [
    # a change's quantity is the nearest one named before it, up to a sentence's length back …
    ("the batch_size has to be far smaller than Bert's — downgraded from 4096 to 512 to deal with CUDA OOM",
     {"batch_from": 4096, "batch_to": 512}, []),
    # … and a quantity the reader does not track stops the search
    ("I trained with batchsize 2048, then changed the batchsize to 1024, and the accuracy dropped from 56% to 55%.",
     {"batch_from": 2048, "batch_to": 1024}, []),
    ("batch size 1, gradient accumulation 1, lora rank lowered from 16 to 4", {"micro_batch": 1},
     ["batch_from", "batch_to"]),
    # a batch said after the change is not the batch it changed from
    ("I increased the batch size to 2048 (keeping 64 per gpu) and scaled the lr linearly",
     {"micro_batch": 64, "batch_to": 2048}, ["batch_from"]),
    # cards the audit found missing: their digits are no model's size
    ("two K40m cards, batch 32", {"gpu_model": "tesla-k40", "num_gpus": 2, "gpu_memory_gb": 12}, ["model", "params"]),
    ("a Quadro M6000 with 24GB, batch_size 1", {"gpu_model": "quadro-m6000-24gb", "gpu_memory_gb": 24}, []),
])
def test_changes_and_cards_from_the_fifth_session(message, expected, absent):
    got = labels_of(read(message))
    assert {k: got.get(k) for k in expected} == expected and not set(absent) & set(got), got


@pytest.mark.parametrize("message, goal", [
    ("I get an OOM with a batch size of 16 on my 11 GB card, but with 8 only 5 GB are used. How is this possible?",
     "explain_result"),
    ("The graphics card is a 3090 and batch_size is 4, which confuses me.", "explain_result"),
    ("Setting train_batch_size 8 on 8 GPUs takes as long as on one GPU. Is something going wrong?", "explain_result"),
    # a doubt about one's settings, in a question about memory, asks to make it fit
    ("Even with batch_size 1 it runs out of GPU memory. Is the memory requirement just that high, or is something "
     "wrong with my settings?", "fit"),
    ("May I ask if using eight 4090 GPUs would be sufficient to meet the memory requirements?", "fit"),
    ("Your readme says eight A100 GPUs support a batch size of 128. Was this on 40GB or 80GB A100s?",
     "match_reference"),
    ("Can you tell me if the batchsize must be greater than 512 with simclr?", "choose_batch"),
    # a need that is not of memory or GPUs is no request to fit
    ("I still don't understand why increasing the batch size makes training slower. Do I need to divide the steps "
     "by the batch size?", "explain_result"),
    ("Putting an embedding of 61MB on the GPU shows 870M used. Why does it take nearly ten times the memory?",
     "explain_result"),
])
def test_goals_from_the_fifth_session(message, goal):
    assert labels_of(read(message)).get("goal") == goal


@pytest.mark.parametrize("message, expected, absent", [
    # a setting asked about adopting is not one in use; the one in use stays
    ("Mistral-7B full finetune on 8x H100 80GB, zero2, bf16, per_device_train_batch_size=8. OOM at step 0. Would "
     "zero3 help or should I turn on gradient checkpointing?", {"zero_stage": 2, "parallelism": "zero"},
     ["grad_checkpointing"]),
    ("Should I use gradient checkpointing?", {}, ["grad_checkpointing"]),
    ("Is it worth trying 8-bit adam?", {}, ["optimizer"]),
    ("Qwen2.5-14B LoRA r=16 on a 4090. Do I need QLoRA or will gradient checkpointing be enough?",
     {"training_mode": "lora"}, ["grad_checkpointing"]),
    # … but a setting in use in a question is read, and so is the plan a feasibility question names
    ("Why does it OOM when I use gradient checkpointing?", {"grad_checkpointing": True}, []),
    ("I use gradient checkpointing, can it still OOM?", {"grad_checkpointing": True}, []),
    ("Can I use LoRA on a 3090?", {"training_mode": "lora"}, []),
    # "need to" + a verb is what the user wants to do; "try to use X" still asks about adopting X
    ("Which GPU do I need to full fine-tune Mistral 7B with AdamW in bf16?", {"training_mode": "finetune"}, []),
    ("should I try to use deepspeed?", {}, ["parallelism"]),
    # AMP with no dtype is autocast's default, float16; a dtype said elsewhere is its own; accelerate's 'no' is fp32
    ("batch 128, AMP on, num_workers=2", {"precision": "amp_fp16"}, []),
    ("Mixed precision is slower than I hoped. I use bf16 on an A100.", {"precision": "amp_bf16"}, []),
    ("mixed_precision: 'no', num_processes: 2", {"precision": "fp32"}, []),
    ("mixed_precision fp8, num_processes 2", {}, ["precision"]),
    # a 4-bit base is trained through adapters
    ("one 3090 can set only 2 batch_size (even with 4bit quantization), with llama-7B", {"training_mode": "qlora"}, []),
    # a batch said as a total is over all GPUs
    ("2x RTX 3090, resnet50, batch 256 total", {"batch_size": 256}, ["micro_batch"]),
    ("train_batch_size 8 on 8 GPUs, the batch size is 64 overall", {"batch_size": 64}, []),
    # torch.nn.DataParallel is one process for all GPUs, not DDP
    ("model = nn.DataParallel(model) on 4 GPUs", {"parallelism": "dp"}, []),
    ("DistributedDataParallel on 4 GPUs", {"parallelism": "ddp"}, []),
])
def test_settings_asked_about_precision_and_totals_from_the_fifth_review(message, expected, absent):
    got = labels_of(read(message))
    assert {k: got.get(k) for k in expected} == expected and not set(absent) & set(got), got


@pytest.mark.parametrize("message, model, params", [
    # a catalogue model said with another size is the member of its line with that size …
    ("In the Megatron tutorial you can train 1.5B gpt2 with zero on V100(32GB)", "gpt2-xl", 1.5e9),
    ("bert-base with 340M params", "bert-large", 340e6),
    # … or no model at all when its line has none, so no plan is sized for another model
    ("resnet18, 7B params", None, 7e9),
    # the size of another model named is no resize: the model read keeps its own count
    ("I fine-tune bart-large-cnn on a T4, hoping to train t5-3b on A100 later", "bart-large", 400e6),
    # device counts and data sets are no model sizes
    ("full-parameter fine-tuning on 8*910B (64G) for Qwen3-4B-Instruct-2507", "qwen3-4b", 4e9),
    ("--train-data cc3m-train.tar --model=ViT-B-16", "vit-b-16", None),
    ("pretrained='laion2b_s34b_b79k', model ViT-B-32", "vit-b-32", None),
])
def test_stated_sizes_against_the_catalogue(message, model, params):
    got = labels_of(read(message))
    assert got.get("model") == model and (params is None or got.get("params") == params), got


@pytest.mark.parametrize("message, expected, absent", [
    ("global batch goes 32 -> 256", {"batch_from": 32, "batch_to": 256}, ["micro_batch", "batch_size"]),
    ("batch 32 → 256 and lr 1e-4 => 4e-4", {"batch_from": 32, "batch_to": 256}, ["micro_batch"]),
    ("from 1 -> 8 GPUs", {"num_gpus": 8}, []),
    ("loss 2.3 -> 1.9 after the change", {}, ["batch_from", "batch_to"]),
])
def test_changes_written_with_arrows(message, expected, absent):
    got = labels_of(read(message))
    assert {k: got.get(k) for k in expected} == expected and not set(absent) & set(got), got


@pytest.mark.parametrize("message, expected, absent", [
    ("Why does GRPOTrainer require the global batch to divide by n_generations? What if I have 4 GPUs, "
     "per_device_train_batch_size=1, and n_generations=8?", {}, ["num_gpus", "micro_batch"]),
    ("I have 4 GPUs and per_device_train_batch_size=1. Why does it OOM?", {"num_gpus": 4, "micro_batch": 1}, []),
])
def test_a_case_supposed_is_not_the_users_run(message, expected, absent):
    got = labels_of(read(message))
    assert {k: got.get(k) for k in expected} == expected and not set(absent) & set(got), got


def test_a_gpu_count_changed_is_the_runs_new_count():
    got = labels_of(read("I moved from 8 GPUs to 2 GPUs (A100) keeping per-gpu batch 16. Should I change the LR?"))
    assert got["num_gpus"] == 2 and got.get("micro_batch") == 16


@pytest.mark.parametrize("message, ram, gpu_memory", [
    ("8x A100 80GB, 1TB RAM", 1000.0, 80.0),
    ("the node has 512 GB of RAM and 4x A6000", 512.0, 48.0),  # (48 from the catalogue)
    ("RAM: 256 GB, a 24GB GPU", 256.0, 24.0),
    ("16GB GPU and 64GB RAM", 64.0, 16.0),
    ("my 3090 24GB gpu memory, 128GB system RAM", 128.0, 24.0),
    # a machine's spec, its CPUs then its memory
    ("an EC2 p3.8xlarge with 4 GPUs, 32 CPUs and 240 GB memory", 240.0, 16.0),
    # a card's memory said with 'RAM' is the card's
    ("24GB GPU RAM", None, 24.0),
    ("GPU RAM 24GB", None, 24.0),
    ("a GPU with 24gb of ram", None, 24.0),
    # a named card 'with' a size it comes in (rq-2066); a size it does not come in is the machine's
    ("it can only run batch size 16 on an A6000 with 48GB of RAM", None, 48.0),
    ("a 3090 with 64GB of RAM", 64.0, 24.0),
    # another machine's RAM is not the user's
    ("the paper's machine had 2TB RAM", None, None),
])
def test_the_hosts_memory_is_read_apart_from_the_cards(message, ram, gpu_memory):
    got = {k: v.value for k, v in read(message).values.items()}
    assert got.get("cpu_ram_gb") == ram and got.get("gpu_memory_gb") == gpu_memory, got


@pytest.mark.parametrize("message, steps", [
    ("batch 1 per GPU, no accumulation, seq 2048", 1),
    ("I don't use gradient accumulation, batch 8", 1),
    ("without grad accumulation", 1),
    # a count said anywhere wins over the absence said in another case
    ("Without gradient accumulation I can fit batch 4; with accumulation 8 I get 32", 8),
    # asked about, or another's, it says nothing of the user's run
    ("isn't accumulation important on small GPUs?", None),
    ("the paper used no accumulation", None),
])
def test_no_accumulation_is_one_micro_batch_per_update(message, steps):
    got = {k: v.value for k, v in read(message).values.items()}
    assert got.get("grad_accum_steps") == steps, got


@pytest.mark.parametrize("message, goal", [
    # a comparative near a memory noun compares two setups' memory: a 'why' about it asks for an explanation
    ("Why does DistributedDataParallel take more GPU memory than DataParallel with AMP?", "explain_result"),
    ("Why does bf16 use 15% more runtime GPU memory than fp16 in the paper?", "explain_result"),
    ("Why does fp16 LoRA take twice the time and GPU memory of bf16 for me?", "explain_result"),
    ("What makes library A use so much less memory than B on the same graph?", "explain_result"),
    # a saving that did not come
    ("I use 8-bit Adam with optimizer state sharding, but the GPU memory is not reduced. Is it another issue?",
     "explain_result"),
    ("On two V100s the largest batch was 256, and on an 80GB A100 it is still 256. Is there a gap in my "
     "understanding?", "explain_result"),
    # a plain 'why' about one run's memory asks for the cause (the corpus's labels, since the fifteenth session); a
    # request to fix it asks to make it fit
    ("Why do I get CUDA out of memory with batch size 1 on a 3090?", "explain_result"),
    ("I get CUDA out of memory with batch size 1 on a 3090. How can I fix it?", "fit"),
    # the same memory, or memory that barely changes, set against an expectation
    ("FSDP consumes the same amount of memory as DDP, why?", "explain_result"),
    ("Reserved memory barely changes between 1 and 4 nodes, which results in OOM for the 11B model.",
     "explain_result"),
])
def test_goals_from_the_sixth_session(message, goal):
    assert labels_of(read(message)).get("goal") == goal


def test_deepspeeds_batch_assertion_says_the_batches_not_the_gpus():
    """'… * world_size 256 != 4 * 8 * 1': 256 is the batch asked for, not 256 GPUs; the micro-batch and the
    accumulation are the run's unless its flags say them; the world size DeepSpeed saw counts no GPUs."""
    message = ("I get `train_batch_size is not equal to micro_batch_per_gpu * gradient_acc_step * world_size 256 != "
               "4 * 8 * 1` when I run `torchrun --nproc_per_node=8 train.py --deepspeed=ds_z3.json` on 8 X A100.")
    got = labels_of(read(message))
    assert (got["batch_size"], got["micro_batch"], got["grad_accum_steps"], got["num_gpus"]) == (256, 4, 8, 8), got
    flags = labels_of(read("world_size 256 != 8 * 1 * 8 with `--per_device_train_batch_size 8 "
                           "--gradient_accumulation_steps 4`"))
    assert flags["grad_accum_steps"] == 4 and flags.get("num_gpus") is None, flags
    assert labels_of(read("Batch 32 works! = great. 8 GPUs")).get("num_gpus") == 8  # a '!' before a space still ends


@pytest.mark.parametrize("message, gpus", [
    ("I changed from 8 GPUs to a single GPU", 1),
    ("went from 4 GPUs to one GPU", 1),
    # the card counted right after the first number makes it a GPU-count change whatever was named before
    ("My settings: batch 2 (16/8, because I changed from 8 cards to a single card)", 1),
])
def test_a_gpu_count_changed_to_a_count_in_words(message, gpus):
    got = labels_of(read(message))
    assert got.get("num_gpus") == gpus and "batch_from" not in got, got


@pytest.mark.parametrize("message", ["a CLIP-style loss needs huge global batches",
                                     "amp.initialize(model, optimizer, opt_level='O1')", "BERT-like encoders"])
def test_a_family_joined_to_a_generic_word_names_no_model(message):
    assert labels_of(read(message)).get("model") is None


@pytest.mark.parametrize("message, full", [
    ("Should I rent an A6000 or an H100 to fully fine-tune Mistral 7B?", True),
    ("I want to fine-tune all parameters of llama-2-7b on 4 GPUs", True),
    ("LoRA trains only 0.1% of all parameters", False),
    ("A single 4090, all parameters default, batch 30 runs and 32 is out of memory", False),
])
def test_every_weight_trained_said_in_other_words(message, full):
    reading = read(message)
    assert (reading.full_training is not None) == full, reading.full_training


@pytest.mark.parametrize("message, first, other", [
    ("Should I rent an A6000 or an H100 to fully fine-tune Mistral 7B?", "rtx-a6000", "H100"),
    ("8x A100 80GB vs 8x H100 for llama 13B", "a100-80gb", "H100"),
    # not an alternative: another card joined by 'and', or a family whose size is unknown
    ("2x 3090 and an A6000", "rtx-3090", None),
    ("T4 or V100?", "t4", None),
])
def test_a_second_card_weighed_against_the_first(message, first, other):
    values = read(message).values
    assert values["gpu_model"].value == first
    assert (values["gpu_alternative"].value if "gpu_alternative" in values else None) == other


@pytest.mark.parametrize("message, stage", [
    # the stage asked about in "should I switch to zero3?" is not the one in use
    ("DeepSpeed ZeRO-2, Llama-2-7B full FT on 4x A100 40GB, OOM at first step. should I switch to zero3?", 2),
    ("should I move to ZeRO stage 3?", None),
    ("I use zero stage 3 and it OOMs. why?", 3),
])
def test_a_zero_stage_asked_about_is_not_the_one_in_use(message, stage):
    values = read(message).values
    assert (values["zero_stage"].value if "zero_stage" in values else None) == stage


@pytest.mark.parametrize("message, facts", [
    # a batch in tokens is tokens per update: at a sequence length, the whole number of sequences it makes (4M at
    # 4,096 is 4 × 2^20 / 4,096 = 1,024; 0.5M at 2,048 is 2^19 / 2,048 = 256)
    ("7B pretraining on 8 nodes x 8 H100, seq 4096, target global batch 4M tokens", {"batch_size": 1024,
                                                                                     "target_tokens_per_step": 4 * 2**20}),
    ("paper used batch 0.5M tokens at seq 2048; I have 2x H100, micro batch 8 fits", {"reference_batch": 256}),
    ("global batch 2M tokens at seq 2000", {"batch_size": 1000, "target_tokens_per_step": 2e6}),
    # without a sequence length, the tokens and no batch
    ("batch size of 2M tokens", {"target_tokens_per_step": 2e6}),
])
def test_a_batch_in_tokens_is_tokens_per_update(kb, message, facts):
    got = {name: value for name, (value, _) in facts_of(read(message), kb).items()}
    assert {k: got.get(k) for k in facts} == facts, got
    assert all(got[k] < 10_000 for k in ("micro_batch", "batch_size", "reference_batch") if k in got), got


@pytest.mark.parametrize("message, expected, absent", [
    # a per-device batch or an accumulation changed with an arrow is the run's new setting, not a batch change
    ("changed per_device_train_batch_size 16 -> 4 and gradient_accumulation_steps 1 -> 4 on one A100",
     {"micro_batch": 4, "grad_accum_steps": 4}, ["batch_from", "batch_to"]),
    # a result after an arrow is no change
    ("batch size 2, 1 epoch, learning rate 2e-4 -> 86.86% on validation", {"lr": 2e-4}, ["lr_from", "lr_to"]),
])
def test_settings_changed_with_arrows(message, expected, absent):
    values = {k: v.value for k, v in read(message).values.items()}
    assert {k: values.get(k) for k in expected} == expected and not set(absent) & set(values), values


def test_a_per_device_batch_lowered_with_an_arrow_in_brackets_is_each_gpus(kb):
    # review 57 #20: "Lowering per_device_train_batch_size (16 -> 2)" on 8 H100s is 2 per GPU, 16 per update - not a
    # batch per update of 2, which 8 GPUs could not run
    got = facts(kb, "1 node, 8x NVIDIA H100 80GB. What I tried: Lowering per_device_train_batch_size (16 -> 2).")
    assert (got.get("micro_batch"), got.get("batch_size"), got.get("reference_batch")) == (2, 16, 128)


def test_the_capacity_an_oom_reports_is_the_named_cards_memory(kb):
    """A card named without a size, and PyTorch's '23.64 GiB total capacity' pasted: the plan is checked against
    what PyTorch can use, not the catalogue's 23.99 GiB; a size the user writes stays theirs."""
    oom = ("QLoRA llama-2-13b on my RTX 4090, batch 2: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 23.64 "
           "GiB total capacity; 20.1 GiB already allocated)")
    facts = facts_of(read(oom), kb)
    assert facts["gpu_memory"][0] == pytest.approx(23.64 * 2**30)
    sized = facts_of(read(oom.replace("my RTX 4090", "my 24GB card")), kb)
    assert sized["gpu_memory"][0] == pytest.approx(24 * 2**30)  # (a card's "24GB" is its nominal 24 GiB)


@pytest.mark.parametrize("message, expected, absent", [
    ("the paper's batch is 256; only 64 fits on my 3090", {"max_micro_batch": 64}, ["micro_batch", "batch"]),
    ("should I accumulate 4 steps?", {}, ["grad_accum_steps"]),
    ("I accumulate 4 steps", {"grad_accum_steps": 4}, []),
    ("If I use a batch size of 16 and accumulate gradients=2, how does lightning handle it?", {"grad_accum_steps": 2}, []),
])
def test_what_fits_and_accumulation_weighed(message, expected, absent):
    values = {k: v.value for k, v in read(message).values.items()}
    assert {k: values.get(k) for k in expected} == expected and not set(absent) & set(values), values


@pytest.mark.parametrize("message, absent", [
    ("Batch size 64 took 1h4m for the first epoch", ["model", "params"]),  # a duration
    ("gradient clipping with grad_clip 1.0", ["model"]),  # a setting's name, not CLIP
    ("Could I put that line in lr_for_batchsize_2.py?", ["reference_batch", "micro_batch", "batch_size"]),
    ("Do you mean that if I change IMS_PER_BATCH from 64 to 16, BASE_LR should change from 0.2 to 0.05?",
     ["reference_batch"]),  # the change's numbers are the change's
])
def test_names_durations_and_changes_that_are_no_values(message, absent):
    got = labels_of(read(message))
    assert not set(absent) & set(got), got


@pytest.mark.parametrize("message", ["batch=-1 gives OOM in ver 8.0.88", "yolo train batch -1 on a T4"])
def test_a_negative_number_is_no_batch(message):
    assert "micro_batch" not in labels_of(read(message))  # YOLO's batch=-1 is AutoBatch, not a batch of 1


@pytest.mark.parametrize("message, params", [
    ("ZeRO-3 with offload_optimizer and offload_param to cpu", True),
    ("FSDP + cpu offload (offload_params=True)", True),
    ("ZeRO-3 with CPU offload", None),
])
def test_parameters_offloaded_too(message, params):
    values = read(message).values
    assert values["offload"].value == "cpu"
    assert (values["offload_params"].value if "offload_params" in values else None) == params


@pytest.mark.parametrize("message, expected, absent", [
    # review 8: a setting after "with" in "what … should I use with FSDP?" is the question's given
    ("What micro batch / grad accum should I use with FSDP full shard?", {"parallelism": "fsdp"}, []),
    # "should I accumulate to 1024 or use 256?": the batch accumulation would reach, not 1,024 steps
    ("The DeiT recipe uses batch 1024. Max 64 per GPU fits. Should I accumulate to 1024 or use 256 and lower the LR?",
     {}, ["grad_accum_steps"]),
    ("When I changed batch-size to 16 and accumulate to 4, I still get OOM", {"grad_accum_steps": 4}, []),
    # "would batch 8 be faster?": a case supposed, no change of the run's batch
    ("batch 4 seq 2048, ~2.9 s/it. would batch 8 be faster?", {"micro_batch": 4}, ["batch_from", "batch_to"]),
    # the setup an LR was tuned on is not the run's
    ("--gradient_accumulation_steps 4. the lr was tuned on 1 node (8 GPUs) with grad accum 8, do I need to rescale it?",
     {"grad_accum_steps": 4}, []),
])
def test_readings_from_the_eighth_review(message, expected, absent):
    got = labels_of(read(message))
    assert {k: got.get(k) for k in expected} == expected and not set(absent) & set(got), got


def test_a_papers_batch_said_in_tokens_in_parentheses(kb):
    reading = read("continued pretraining of gpt2-medium on 2x RTX 4090, micro batch 8, seq 1024. I want the GPT-3 "
                   "paper batch for the 350M model (0.5M tokens). what grad accum do I need?")
    assert facts_of(reading, kb)["reference_batch"][0] == 512  # 2^19 tokens / 1,024
    assert labels_of(reading)["goal"] == "choose_batch"


@pytest.mark.parametrize("message, card", [
    ("We're moving from 8x A100 40GB to 8x H100 80GB. Llama-3-8B full FT with FSDP", "h100-80gb"),
    ("going from a T4 to an A100 80GB for the same LoRA run", "a100-80gb"),
    ("I have a 3090 and an A6000", "rtx-3090"),
])
def test_a_card_changed_from_one_to_another_is_the_new_one(message, card):
    assert read(message).values["gpu_model"].value == card


def test_a_planned_split_of_the_same_batch_per_update_is_no_batch_change():
    """'micro 2, GA 8 today; on H100 plan micro 4, GA 4': 16 per GPU per update before and after, so the plan's split
    is read and no batch change (an LR question answered with 'scale it ×2' would be wrong)."""
    values = {k: v.value for k, v in read("Llama-3-8B full FT with FSDP, micro 2, GA 8, seq 4096 today. On H100 plan "
                                          "micro 4, GA 4. Do we need to change the LR?").values.items()}
    assert (values["micro_batch"], values["grad_accum_steps"]) == (4, 4)
    assert "batch_from" not in values and "batch_to" not in values


@pytest.mark.parametrize("message, reference", [
    ("resnet50 on imagenet, following Goyal et al linear scaling (lr 0.1 per 256). 8 GPUs x 128 per GPU.", 256),
    ("base lr 0.1 per 256 images", 256),
    ("we get 0.8 per 100 steps", None),  # a rate, not a batch
])
def test_an_lr_stated_per_a_batch_names_the_reference_batch(message, reference):
    ref = read(message).reference
    assert (ref["batch"].value if "batch" in ref else None) == reference


def test_samples_per_epoch_are_the_data_set():
    assert labels_of(read("5k samples per epoch, batch 1"))["dataset_size"] == 5000
    assert "dataset_size" not in labels_of(read("7000 samples per second on one GPU"))


def test_efficientnet_sizes_are_catalogue_models(kb):
    reading = read("Kaggle 2xT4, DDP, efficientnet_b3 at 300px, batch 64 per GPU with AMP. OOM")
    assert labels_of(reading)["model"] == "efficientnet-b3"
    assert facts_of(reading, kb)["model_preset"][0] == "efficientnet-b3"


@pytest.mark.parametrize("message, expected, absent", [
    # GPUs the user lacks are another setup's count, not theirs
    ("I want to reproduce the results but don't have access to 32 GPUs. How should I scale the LR?", {}, ["num_gpus"]),
    ("I do not have 8 A100s like you, I can only run on 4 2080Ti GPUs.", {"num_gpus": 4, "gpu_model": "rtx-2080-ti"}, []),
    ("Without 64 GPUs, what batch should I use?", {}, ["num_gpus"]),
    ("I don't have enough memory on 4 GPUs", {"num_gpus": 4}, []),  # (the count is theirs: the memory is lacking)
    ("I don't have more than 2 GPUs", {"num_gpus": 2}, []),
    # a card compared with is not the user's
    ("To fine tune llama-3-8b-bnb-4bit on a more powerful GPU than a T4, what is a good batch size?", {},
     ["gpu_model", "num_gpus"]),
    # a notebook on TPUs has no GPU
    ("I am testing MultiSteps for gradient accumulation on Colab TPU V2, but I get an OOM.", {"oom": True},
     ["gpu_model", "num_gpus"]),
    # more GPUs than a machine holds: the count over all the machines
    ("We used 4 machines with 32 GPUs, per device batch 1", {"num_gpus": 32, "num_nodes": 4}, []),
    ("2 nodes with 8 GPUs, per device batch 1", {"num_gpus": 16, "num_nodes": 2}, []),
    # a switch glued before the precision turns it on; a 'False' before is the previous key's value
    ("torchrun --nproc_per_node 8 finetuning.py --enable_fsdp --pure_bf16 False --use_fp16 True",
     {"precision": "amp_fp16"}, []),
    ("--bf16_accumulate_gradient --pure_bf16 False", {}, ["precision"]),
])
def test_readings_from_the_seventh_sessions_corpus(message, expected, absent):
    got = labels_of(read(message))
    assert {k: got.get(k) for k in expected} == expected and not set(absent) & set(got), got


@pytest.mark.parametrize("message, expected, absent", [
    # review 9: a bare verb opening a question asks about a stage, the one in use stays
    ("Mistral-7B full finetune, 4x RTX 4090, deepspeed zero2 with offload_optimizer cpu. CUDA OOM. switch to zero3?",
     {"zero_stage": 2}, []),
    ("Using zero3, why do I OOM?", {"zero_stage": 3}, []),
    # the card named after a notebook platform is the card
    ("phi-3-mini-4k-instruct LoRA on kaggle T4, fp16, batch 8 seq 4096 -> out of memory", {"gpu_model": "t4"}, []),
    # an optimizer's key glued to 'torch' is no dtype: the precision after it is read
    ("HF Trainer defaults (per_device_train_batch_size 8, adamw_torch), bf16, seq 1024.", {"precision": "amp_bf16"}, []),
    # (weights loaded in bf16 and every weight trained: pure bf16, the twelfth session's reading)
    ("model = AutoModel.from_pretrained(name, torch_dtype=torch.bfloat16)", {"precision": "bf16"}, []),
    # the batch accumulation would reach, in tokens, counts no steps
    ("LoRA SFT on 1x A100 80GB with batch 8 seq 2048. should I accumulate to 4M tokens to match?",
     {"micro_batch": 8}, ["grad_accum_steps"]),
    # a batch a 'would' question supposes is not the run's
    ("FSDP, micro 1 seq 8192, GA 16, ~3200 tokens/s per GPU. would micro 2 help throughput?", {"micro_batch": 1},
     ["batch_from", "batch_to"]),
    # the options a question weighs are not the run's settings
    ("train_batch_size=4 per gpu, lr 1e-5 on 8 GPUs. now 2 GPUs. keep lr 1e-5, or use gradient_accumulation_steps=4?",
     {"micro_batch": 4}, ["grad_accum_steps"]),
    ("should I use batch 8 or batch 16?", {}, ["micro_batch", "batch_size"]),
])
def test_readings_from_the_ninth_review(message, expected, absent):
    got = labels_of(read(message))
    assert {k: got.get(k) for k in expected} == expected and not set(absent) & set(got), got


def test_an_oom_at_the_first_step_names_no_optimizer_step(kb):
    """'OOM on first step' says when training starts, not that Adam's state arrived; 'after the first step' does."""
    facts = read_message(kb, "whisper-large-v3 finetune on A100 40GB, batch 16, fp16, adamw. OOM on first step.")
    assert "oom_stage" not in facts
    facts = read_message(kb, "llama-2-7b full finetune on an A100 80GB: it OOMs after the first step")
    assert facts["oom_stage"][0] == "optimizer_step"


def test_a_flags_words_plan_nothing():
    """`--scale_lr` holds 'scale' but plans nothing: the GPU count said before 'now we only get 2 GPUs' is the old one."""
    got = labels_of(read("we fine-tuned on 8x A100 at batch 4 per gpu, lr 1e-5, no --scale_lr. now we only get 2 GPUs."))
    assert got["num_gpus"] == 2, got


@pytest.mark.parametrize("message, expected, absent", [
    # a bracketed list of device ids counts GPUs
    ("when I set the batchsize to 65536 with GPU [0,1,2,3], is the batch on GPU0 16384?", {"num_gpus": 4}, []),
    ("trainer = pl.Trainer(gpus=[0, 1], precision=16)", {"num_gpus": 2}, []),
    # image sizes from one to another are no batch change
    ("I tried different batch sizes, even 1, and dataset sizes from 512x512 to 1024x1024.", {"micro_batch": 1},
     ["batch_from", "batch_to"]),
    # a batch counted in tokens by a script's key is no batch of samples, nor is the next flag's 'token'
    ("python -m train --epoch 3 --batch_size 1 --token_batch 10", {"micro_batch": 1}, []),
    # following the README is the user's run
    ("Running the fine-tuning script as described in the README, with batch size 1: python finetuning.py "
     "--batch_size 1, I still get CUDA out of memory.", {"micro_batch": 1, "oom": True}, ["reference_batch"]),
    # an out-of-memory said in other words
    ("at imgsz=1280 there is no GPU memory left on my RTX 4060 Laptop GPU", {"oom": True}, []),
])
def test_readings_from_the_seventh_sessions_second_set(message, expected, absent):
    got = labels_of(read(message))
    assert {k: got.get(k) for k in expected} == expected and not set(absent) & set(got), got


@pytest.mark.parametrize("message, expected, absent", [
    # review 10: 'grad ckpt' is checkpointing; options a question weighs ('or cpu offload?', '? or offload_optimizer?')
    # are not in use
    ("Qwen2.5-72B full finetune on one node of 8x H200 with deepspeed zero3, bf16, adamw, micro 1 seq 4096, grad ckpt. "
     "does it fit or do we need a second node / cpu offload? node has 2TB RAM", {"grad_checkpointing": True},
     ["offload"]),
    ("Llama 3.1 8B full finetune on 8x A100 40GB, deepspeed zero2 (no offload), bf16, micro 2 seq 4096, gradient ckpt "
     "on. CUDA OOM at first step. go zero3, or offload_optimizer? or enable liger kernel?",
     {"grad_checkpointing": True, "zero_stage": 2}, ["offload"]),
    ("I use deepspeed with cpu offload. Why OOM?", {"offload": "cpu"}, []),
])
def test_readings_from_the_tenth_review(message, expected, absent):
    got = labels_of(read(message))
    assert {k: got.get(k) for k in expected} == expected and not set(absent) & set(got), got


def test_a_preference_objective_cited_is_the_users_when_they_name_none(kb):
    """'the zephyr recipe did DPO … I'm on 4x RTX 4090 with LoRA … is lr 5e-7 ok for lora?': the user runs DPO too,
    whose adapters train at rates like that on purpose, so no full-fine-tuning-LR warning."""
    advice = consult("the zephyr-7b-beta recipe did DPO with a total batch size of 32 on 16 A100s (per_device 2). I'm on "
                     "4x RTX 4090 with LoRA. should per_device_train_batch_size be 32 or 2? and is lr 5e-7 still ok for "
                     "lora?", kb=kb)
    assert {f.name: f.value for f in advice.facts}["preference_objective"] == "dpo"
    assert "finding-lora-lr-from-full-finetune" not in [f.id for f in advice.findings]


@pytest.mark.parametrize("message, expected, absent", [
    # two settings compared in words are neither the run ("is bs 8 + grad accum 4 exactly same as bs 32")
    ("per_device_train_batch_size=32 OOMs on my 3060. also is bs 8 + grad accum 4 exactly same as bs 32",
     {"micro_batch": 32}, ["grad_accum_steps", "batch_size"]),
    # flags compared are usually ones the user ran
    ("Is training with --batch_size 64 equivalent to training with --batch_size 8 and --accumulate_gradients 8?",
     {"grad_accum_steps": 8}, []),
    # "the same batch size" compares nothing
    ("with the same batchsize = 6 on my 3090, why does the GPU occupy 23G?", {"micro_batch": 6}, []),
])
def test_settings_compared_in_a_question(message, expected, absent):
    got = labels_of(read(message))
    assert {k: got.get(k) for k in expected} == expected and not set(absent) & set(got), got


def test_a_batch_that_works_after_one_that_fails_is_the_largest_that_fits():
    values = read("qwen2.5-0.5b full ft on my 3060 12gb, seq 512: batch 32 OOMs but 8 works.").values
    assert values["max_micro_batch"].value == 8 and values["micro_batch"].value == 32


@pytest.mark.parametrize("message, expected", [
    # review 10: the machines changed, and the GPUs with them ("was on 1 node (8x A100) … now 2 nodes")
    ("ViT-B/16 pretraining, was on 1 node (8x A100 80GB) with per_device_train_batch_size=128, GA 2, AdamW lr 1e-3. "
     "now 2 nodes, same config. should lr go to 2e-3?", {"num_gpus": 16, "num_nodes": 2}),
    ("on 1 node (8x H100), micro batch 4", {"num_nodes": 1, "num_gpus": 8}),
    # the attention implementation as a config value, and the host's RAM by its kind
    ('gemma-2-27b LoRA with device_map="auto", attn_implementation="eager" (as recommended for gemma2)',
     {"attention": "eager"}),
])
def test_readings_from_the_tenth_review_second_part(message, expected):
    got = labels_of(read(message))
    assert {k: got.get(k) for k in expected} == expected, got


def test_host_ram_said_by_its_kind():
    assert read("full finetune on a single 4090 with zero3 offload. i have 64GB ddr5.").values["cpu_ram_gb"].value == 64


@pytest.mark.parametrize("message, ratio", [("what is 3% warmup in steps?", 0.03), ("warmup of 10% then cosine", 0.1),
                                            ("warmup 5%", 0.05)])
def test_a_warmup_said_as_a_share(message, ratio):
    assert labels_of(read(message)).get("warmup_ratio") == pytest.approx(ratio)


def test_a_share_is_no_warmup_without_the_word():
    assert "warmup_ratio" not in labels_of(read("GPU util 80% with batch 8"))


@pytest.mark.parametrize("message", ["kaggle 2x T4, unsloth gemma-2-9b qlora. only one gpu is used by unsloth afaik",
                                     "on 4 GPUs, but only one GPU is being utilized"])
def test_only_one_gpu_used_is_the_runs_count(message):
    assert labels_of(read(message))["num_gpus"] == 1


@pytest.mark.parametrize("message, targets", [
    ("Mixtral QLoRA, r=16 on attention only, one A100 40GB", "attention"),
    ('target_modules=["q_proj","k_proj","v_proj","o_proj","gate_proj","up_proj","down_proj"]', "all_linear"),
    ("lora_target_modules q_proj,v_proj", "qv"),
    ("lora_target_linear: true", "all_linear"),
])
def test_the_layers_lora_adapts(message, targets):
    assert read(message).values["lora_targets"].value == targets


@pytest.mark.parametrize("message, expected, absent", [
    # options a question sets side by side, or joins before their effect, are not the run's settings (review 11)
    ("DDP on 4x RTX 3090, Qwen2.5-1.5B full finetune, bf16, per_device_train_batch_size=4. OOM at optimizer.step(). "
     "zero2 or fsdp?", {"parallelism": "ddp", "num_gpus": 4}, ["zero_stage"]),
    ("FSDP full_shard on 8x A100 40GB, OOM in backward. would SHARD_GRAD_OP help or cpu_offload?",
     {"parallelism": "fsdp"}, ["offload"]),
    ("Qwen2.5-72B QLoRA on 2x A100 80GB, batch 1. will it fit, and device_map auto or fsdp+qlora?",
     {"training_mode": "qlora", "num_gpus": 2}, ["parallelism"]),
    ("Qwen2.5-0.5B full finetune on an 8GB laptop GPU, batch 4 -> OOM. would adamw_8bit + gradient checkpointing be "
     "enough?", {"micro_batch": 4}, ["optimizer", "grad_checkpointing"]),
    # a card named on a notebook platform is that card, not the platform's default
    ("colab pro L4 (24GB), gemma-2-2b-it LoRA r=16, bf16", {"gpu_model": "l4", "gpu_memory_gb": 24}, []),
    # memory in use, and the user's own arithmetic of what a model needs, are not the card's size
    ("Llama-3.1-8B LoRA on a single RTX 4090, seq 1024, grad ckpt on, ~19GB used.",
     {"gpu_model": "rtx-4090", "gpu_memory_gb": 24}, []),
    ("Mixtral-8x7B LoRA on 2x H100 80GB. 46.7B*2 bytes = 93GB so ~47GB per card, should fit?",
     {"gpu_model": "h100-80gb", "gpu_memory_gb": 80}, []),
])
def test_options_asked_about_and_sizes_that_are_not_the_card_from_review_11(message, expected, absent):
    got = labels_of(read(message))
    assert {k: got.get(k) for k in expected} == expected and not set(absent) & set(got), got


@pytest.mark.parametrize("message, topics", [
    ("at ~45k tok/s per gpu how long for 7B tokens and how many steps?", "time, steps"),
    ("how many H100 80GB do I need for QLoRA on Llama-3.1-405B?", "gpus"),
    ("ViT-L finetune, batch 1024 and blr 1e-3. what accum_iter, and what actual lr?", "accumulation, lr"),
    ("will 16k fit? what about 32k?", "fit"),
    # statements ask nothing: "3 epochs, lr 2e-5, how many steps per epoch" asks only the steps
    ("3 epochs at lr 2e-5 with gradient accumulation 4. how many steps per epoch?", "steps"),
    ("I train with lr 2e-5 and gradient accumulation 4 for 3 epochs.", None),
])
def test_the_topics_a_message_asks_about_are_read_from_its_questions(message, topics):
    got = read(message).values.get("asked_topics")
    assert (got.value if got is not None else None) == topics


def test_a_gpu_count_change_written_with_x():
    """'went from 4x to 8x A100' changes the GPU count (not '512x512 to 1024x1024', two image sizes)."""
    got = read("went from 4x to 8x A100 80GB, kept per_device_train_batch_size=2").values
    assert (got["gpus_from"].value, got["gpus_to"].value, got["num_gpus"].value) == (4, 8, 8)
    assert "gpus_from" not in read("went from 512x512 to 1024x1024 images").values


def test_a_context_length_asked_about_is_no_batch_that_fits():
    """Review 11: 'need 16k context … will 16k fit?' - 16k is tokens, not a micro-batch of 16 said to fit (which made
    the answer call a plan over the card 'fits'); 'only 32 fits' still is one."""
    got = read("Phi-3-mini LoRA on a 3090, need 16k context, batch 1. will 16k fit? what about 32k?").values
    assert "max_micro_batch" not in got and got["seq_len"].value == 16384
    assert read("Llama-2-7B LoRA, seq 2048: batch 64 OOMs, only 32 fits").values["max_micro_batch"].value == 32


def test_the_size_of_a_model_built_like_a_family():
    """Review 12: 'training a ~500M llama-style model from scratch' is 500M parameters (it asked for them)."""
    assert read("training a ~500M llama-style model from scratch").values["params"].value == 500e6


@pytest.mark.parametrize("message, oom", [
    ("Qwen2.5-7B on 7 GPUs, is 8 per device going to OOM", None),  # foreseen in a question: nothing failed
    ("will batch 16 OOM on my 4090?", None),
    ("would micro 4 run out of memory on a 24GB card?", None),
    ("why does batch 16 OOM on my 4090?", True),  # why: it did
    ("batch 16 OOMs on my 4090, will batch 8 fit?", True),
])
def test_an_oom_a_question_foresees_is_not_one_seen(message, oom):
    assert labels(message).get("oom") == oom


def test_training_processes_are_the_data_parallel_degree_and_grpo_groups_are_read():
    reading = read("8x H100, vllm for generation on one of the gpus so 7 training procs, "
                   "per_device_train_batch_size=8, num_generations=8, GA 2")
    assert reading.get("num_gpus") == 7 and reading.get("num_generations") == 8 and reading.get("micro_batch") == 8
    assert read("GRPO on Qwen3-8B with 16 completions per prompt").get("num_generations") == 16


@pytest.mark.parametrize("message, expected", [
    # a recipe, a repo or a script the user runs is their instrument: the hardware in the sentence is theirs
    ("full DPO of zephyr-7b with the alignment-handbook recipe (max_length 1024, bf16) on 8x A40 46GB using the "
     "deepspeed_zero3 accelerate config. OOM even with batch size 1", {"gpu_model": "a40", "num_gpus": 8, "seq_len": 1024}),
    ("full finetune of Qwen3-VL-30B-A3B with the repo's deepspeed finetune script on 8x H20 141GB, bf16",
     {"gpu_model": "h20", "gpu_memory_gb": 141, "num_gpus": 8}),
    ("training a Flux.1-dev concept-slider LoRA with the sliders repo on a 48GB card and I run out of VRAM",
     {"gpu_memory_gb": 48}),
    ("I'm running the fine-tune-mistral repo's train.py (full fine-tune of Mistral-7B with FSDP) on a single RTX 3090 "
     "24GB and it dies in backward", {"gpu_model": "rtx-3090", "num_gpus": 1}),  # review 14
    ("I used the paper's recipe on 4 V100s", {"gpu_model": "v100", "num_gpus": 4}),
    # (a setup the paper used is still the paper's)
    ("the paper trained on 8x A100 with batch 256; I have one 3090", {"gpu_model": "rtx-3090", "num_gpus": 1}),
])
def test_the_recipe_or_script_a_user_runs_leaves_the_hardware_theirs(message, expected):
    got = labels(message)
    for name, value in expected.items():
        assert got.get(name) == value, (name, got)


def test_a_structured_situation_with_tensor_parallelism_counts_the_data_parallel_gpus(kb):
    from advisor.reading.situation import situation_facts

    facts = situation_facts({"hardware": {"num_gpus": 8, "gpu_model": "a100-80gb"}, "model": {"name": "llama-13b"},
                             "training": {"tensor_parallel": 4, "pipeline_parallel": 1}}, kb)
    assert facts["num_gpus"] == 2 and facts["model_parallel_gpus"] == 4


@pytest.mark.parametrize("message, steps", [
    ("pretraining on 4x A100, global 2000, AMP, 500k steps. My estimate is 2-3 months", 500_000),
    ("train for 100k iterations with batch 64", 100_000),
    ("nanoGPT with max_iters 600000 on one 4090", 600_000),
    ("it OOMs after 2000 steps", None),  # a point in the run
    ("every 5000 steps I save a checkpoint", None),
    ("warmup 2000 steps, then cosine", None),  # the warmup's
    ("Conditions:\n- using AMP\n- target training steps: 500,000", 500_000),  # (review 26 #19)
    ("after 200 training steps it crashed", None),
])
def test_the_steps_a_run_is_set_to_take(message, steps):
    assert read(message).get("planned_steps") == steps


def test_options_a_question_weighs_are_not_the_run_and_a_recipes_total_is_its_batch():
    """Review 13: 'The recipe is 4 nodes x 8 GPUs with batch_size 128 per GPU and lr 4e-3 (total 4096). On one node
    do I set batch_size 512 per GPU, or keep 128 and use update_freq 4, or lower the lr?' - neither 512 nor the
    accumulation 4 is the run; the recipe's batch per update is 4096; no 'per GPU or total?' semantics question."""
    got = labels("training ConvNeXt-S on ImageNet on a single node with 8 GPUs. The recipe is 4 nodes x 8 GPUs with "
                 "batch_size 128 per GPU and lr 4e-3 (total 4096). On one node do I set batch_size 512 per GPU, or "
                 "keep 128 and use update_freq 4, or lower the lr?")
    assert "micro_batch" not in got and "grad_accum_steps" not in got
    assert got["reference_batch"] == 4096 and got["goal"] != "explain_result"
    assert labels("I have total 4 GPUs").get("batch_size") is None


def test_a_total_in_parentheses_after_a_batch_per_gpu_is_the_batch_not_a_count():
    got = labels("Swin-L + HTC on COCO with mmdetection, I only have 8 A100s. The config is 2 images per GPU on 8 GPUs "
                 "(16 total) with AdamW lr 1e-4.")
    assert got["num_gpus"] == 8 and got["batch_size"] == 16


@pytest.mark.parametrize("message, mode", [
    ("I train ResNet-50 on ImageNet without pre-trained weights on 8 GPUs", "scratch"),
    ("fine-tuning from the pretrained weights on 8 GPUs", "finetune"),
])
def test_pretrained_weights_said_not_to_be_loaded_mean_from_scratch(message, mode):
    assert labels(message).get("training_mode") == mode


@pytest.mark.parametrize("message, gpus", [
    ("I tried two different trainings on 64 GPUs (16 nodes of 4 V100 GPUs, and 8 nodes of 8 V100 GPUs)", 64),
    ("throughput for 1 node with 1, 2, 4, 6, 8 and 10 GPUs", None),  # a sweep of counts, none of them the run
])
def test_counts_in_brackets_and_sweeps_of_counts(message, gpus):
    assert labels(message).get("num_gpus") == gpus


def test_the_length_that_fails_is_the_one_to_make_fit():
    reading = read("QLoRA on Qwen2.5-72B, single A800 80GB, batch 1. 24k context trains fine but 32k context OOMs. "
                   "why can't I do 32k?")
    assert reading.get("seq_len") == 32768


@pytest.mark.parametrize("message, gpus", [
    ("FSDP full shard, batch 2. It works on 8 devices but OOMs with 6 devices.", 6),
    ("It OOMs on 4 GPUs but runs fine on 8 GPUs.", 4),
    ("With 2 GPUs it trains fine, with 4 GPUs I get CUDA out of memory.", 4),
    ("I tried either 8 GPUs and batch 128 or 4 GPUs and batch 256.", None),  # two plans, neither failing: asked
])
def test_the_gpu_count_that_fails_is_the_run(message, gpus):
    assert labels(message).get("num_gpus") == gpus


@pytest.mark.parametrize("message, expected, absent", [
    # a single GPU said outright stays one GPU, whatever is per GPU (review 14 #17)
    ("Pretraining BERT-base with DeepSpeed on a single V100 32GB. A micro-batch of 256 per GPU does not OOM.",
     {"num_gpus": 1, "micro_batch": 256}, []),
    # checkpoints trained from a catalogue model are that model; 'your 7B' names none
    ("--model abhishek/llama-2-7b-hf-small-shards --use_peft --use_int4", {"model": "llama-2-7b",
                                                                         "training_mode": "qlora"}, []),
    ("when I run your 7B finetune script it consumes ~60GB", {"params": 7e9}, ["model"]),
    # counts of GPUs: sets of a node, counts that serve generation, compared node counts
    ("a configuration of 3 sets of 8*A100 (40G)", {"num_gpus": 24, "gpu_model": "a100-40gb"}, []),
    ("I use 24 GPUs for training and 8 GPUs for vLLM", {"num_gpus": 24}, []),
    ("the time per batch gets worse with machines: 12 nodes > 6 nodes > 2 nodes > 1 node", {}, ["num_nodes"]),
    # a size right before a card's name is each card's (a modded 2080 Ti)
    ("full-tune a 7b 4bit llama on 2*22G 2080ti", {"gpu_memory_gb": 22, "num_gpus": 2}, []),
    # data sets, lengths and settings as people write them
    ("One RTX 3090, alpaca-lora finetune.py on llama-7b-hf with the ~52k Alpaca dataset: num_epochs 10, "
     "micro_batch_size 8, the rest default (batch_size 128, base loaded in 8-bit).",
     {"dataset_size": 52_000, "micro_batch": 8, "batch_size": 128}, ["reference_batch"]),
    ("LoRA fine-tune llama3-8b on an 8k-length dataset", {"seq_len": 8192}, ["dataset_size"]),
    # a GRPO sequence is its prompt and its completion (either alone is no sequence's length)
    ("GRPO, max_prompt_length 2048, max_completion_length 1024", {"seq_len": 3072}, []),
    ("torchrun grpo.py --max_completion_length 384 --max_prompt_length 512", {"seq_len": 896}, []),
    ("torchrun grpo.py --max_completion_length 384", {}, ["seq_len"]),
    ("I did not turn on the 8bit optimizer.", {}, ["optimizer"]),
    ("full fine-tuning of a 7B model with Adam-mini", {"optimizer": "adam_mini"}, []),  # not Adam's states
    # a reference named inside brackets ends with them; one before a list's "1)" does not
    ("I'm replicating it (the recipe and the hyperparameters from your paper) on 4 A6000 GPUs",
     {"num_gpus": 4, "gpu_model": "rtx-a6000"}, []),
    ("the paper: 1) uses batch 512 on 8 GPUs", {"reference_batch": 512}, ["num_gpus", "batch_size"]),
    ("The only changes to the recipe YAML are batch_size: 4 and gradient_accumulation: 2",
     {"micro_batch": 4, "grad_accum_steps": 2}, ["reference_batch"]),
    ("I use 3 per device on 24 GPUs. The log says Num examples = 800,000, Total train batch size = 72",
     {"batch_size": 72}, ["reference_batch"]),
])
def test_phrasings_from_the_fourteenth_and_fifteenth_reviews(message, expected, absent):
    assert_reads(message, expected, absent)


@pytest.mark.parametrize("message, expected, absent", [
    # a batch named after the data set is the run's batch, not the data set's ("10 images in a batch" is one)
    ("I train on 120,000 examples with batch 32.", {"dataset_size": 120_000, "micro_batch": 32}, []),
    ("I can only fit 10 images in a batch", {"micro_batch": 10}, ["dataset_size"]),
    # a count in words before each card's size (review 17's probe)
    ("I want to full fine-tune a 7B model on two 24GB GPUs", {"num_gpus": 2, "gpu_memory_gb": 24}, []),
    # "the batch_size of one GPU" is no batch of one (review 17 #26)
    ("I set the batch_size of one GPU from 4 to 8", {}, ["micro_batch"]),
    # a setting that could not be turned on is not on (review 17 #12)
    ('gradient checkpointing fails with "LLaDAModelLM does not support gradient checkpointing"',
     {"grad_checkpointing": False}, []),
    ("gradient checkpointing is not supported for this model", {"grad_checkpointing": False}, []),
    ("I use gradient checkpointing and it still OOMs", {"grad_checkpointing": True}, []),
    # a size right before "dataset" is the data set's (review 17 #22), a count of data sets is not
    ("I fine-tuned pythia-12b on the default dolly 15k dataset with --epochs 2", {"dataset_size": 15_000}, []),
    ("I merged 2 datasets", {}, ["dataset_size"]),
    # review 18: memory a run leaves or a sample costs is no card's size; a compute rate is no batch; a period of
    # the run is no data set
    ("With samples_per_gpu=2 I have 3GB left on my GPU, with samples_per_gpu=3 0.1GB left. So one image weighs "
     "~2.9GB of GPU memory", {"micro_batch": 2}, ["gpu_memory_gb"]),
    ("the MFU in the table is almost 40% while teraflops is around 400 per GPU on H100", {}, ["micro_batch"]),
    ("we reach 400 TFLOPs per GPU with batch 8 per GPU", {"micro_batch": 8}, []),
    ("Logging should happen every 80 samples", {}, ["dataset_size"]),
])
def test_phrasings_from_the_eleventh_session(message, expected, absent):
    assert_reads(message, expected, absent)


@pytest.mark.parametrize("message, expected, absent", [
    # a card the catalogue does not know: the size after its name is its memory, the count before it the GPUs
    # (review 18 #19)
    ("Training stage 2 with 4x RTX 5880 Ada 48GB, I hit OOM", {"num_gpus": 4, "gpu_memory_gb": 48}, ["gpu_model"]),
    ("I train on RTX 5880 Ada 48GB", {"gpu_memory_gb": 48}, ["gpu_model"]),
    ("2 nodes of 8 RTX 5880", {"num_gpus": 16}, []),
    ("I have 2 Tesla P4 cards", {"num_gpus": 2}, []),
    ("I don't have 8 RTX 5880 Ada", {}, ["num_gpus"]),
    # the card's number written before its brand is no count
    ("I'm on a 1060 GTX 6GB with batch size 1", {"gpu_memory_gb": 6, "num_gpus": 1}, []),
    # the blind set rq-1786..1815: a group's count is no data set's size; a size, 'RAM', then a card the size fits
    ("I have a dataset that has 37 classes and 120 images each", {}, ["dataset_size"]),
    ("I have 500 samples per class", {}, ["dataset_size"]),
    ("I have 50000 samples per epoch", {"dataset_size": 50_000}, []),
    ("I'm running 16GB RAM v100s", {"gpu_model": "v100-16gb", "gpu_memory_gb": 16}, []),
    ("64GB RAM, RTX 3090", {"gpu_memory_gb": 24}, []),
    ("a 32GB RAM 3090 machine", {"gpu_memory_gb": 24}, []),
    # YOLO's `--img`, Megatron's recompute flags, "full tuning", dialogues counted, an adverb before the value
    ("python train.py --img 1280 1280 --batch-size 6", {"image_size": 1280}, []),
    ("--recompute_granularity full --recompute_method uniform", {"grad_checkpointing": True}, []),
    ("full tuning runs out of GPU memory", {"training_mode": "finetune"}, []),
    ("I have 9w (90k) dialogues", {"dataset_size": 90_000}, []),
    ("the training batch size is already 1", {"micro_batch": 1}, []),
    # SGD with a momentum argument keeps a momentum buffer
    ("optim = torch.optim.SGD(net.parameters(), lr=0.1, momentum=momentum)", {"optimizer": "sgd_momentum"}, []),
    ("I use SGD, lr 0.1", {"optimizer": "sgd"}, []),
    # review 18 #02: the configuration that fails is the one asked about; one switched to is the run now
    ("with --finetuning_type lora it runs, but --finetuning_type full runs out of GPU memory",
     {"training_mode": "finetune"}, []),
    ("full fine-tuning OOMs, but LoRA works", {"training_mode": "finetune"}, []),
    ("full fine-tuning OOMs, so I switched to LoRA and it works", {"training_mode": "lora"}, []),
    # the script's --fp16 sets autocast whatever accelerate's config says; a list after a negation is negated
    ("accelerate config: mixed_precision no; accelerate launch train.py --finetuning_type full --fp16",
     {"precision": "amp_fp16"}, []),
    ("accelerate config: mixed_precision: 'no'", {"precision": "fp32"}, []),
    ("I don't want gradient checkpointing or bf16; the model is small", {"grad_checkpointing": False}, ["precision"]),
    ("I train in fp16 or bf16", {"precision": "amp_fp16"}, []),
    # review 19 #17: a size no GPU word stands by, twice what the named card comes in, is the machine's RAM
    ("I run the code with 200GB of memory and 2*80G A100", {"gpu_memory_gb": 80, "num_gpus": 2}, []),
    ("v100 or a100 GPUs with 80gb", {"gpu_memory_gb": 80}, []),
    ("My system is ubuntu 18.04 with a GTX1050 with 4GB of memory", {"gpu_memory_gb": 4}, []),
    # weights loaded in bf16 and trained as they are: pure bf16 (DeepSpeed keeps fp32 master weights: autocast)
    ("full fine-tuning of llama-7b with torch_dtype=torch.bfloat16 in a Trainer", {"precision": "bf16"}, []),
    ("swift sft --train_type full --torch_dtype bfloat16 --deepspeed zero2", {"precision": "amp_bf16"}, []),
    ("LoRA on llama with torch_dtype=torch.bfloat16", {"training_mode": "lora"}, ["precision"]),
    ("bnb_4bit_compute_dtype=torch.bfloat16", {}, ["precision"]),
    ("torchrun train.py --dtype=bf16", {}, ["precision"]),
    # Megatron's distributed optimizer is ZeRO-1's layout (review 19 #4: the layout was asked)
    ("single node with Megatron I get OOM even with MBS=1 and the distributed optimizer", {"zero_stage": 1}, []),
    ("without the distributed optimizer", {}, ["zero_stage"]),
    # a key cut short: `--grad_acc 8`, InternVL's GRADIENT_ACC (review 19 #14)
    ("BATCH_SIZE should equal 1 x 3 x GRADIENT_ACC(4) = 12?", {"micro_batch": 1, "grad_accum_steps": 4}, []),
    ("--grad_acc 8", {"grad_accum_steps": 8}, []),
    # review 18 #11: Flux Kontext is FLUX.1's 12B transformer; "Faster R-CNN" names a detector, not a wish for speed
    ("What is the minimum VRAM for Flux Kontext LoRA training on an RTX 3060 12GB?",
     {"model": "flux.1-kontext-dev"}, []),
    ("training Faster R-CNN on one 12GB GPU runs out of memory", {"goal": "fit"}, []),
    # the generation engine's parallel degrees are not the training's (review 19b #21)
    ("use_vllm true, vllm_tensor_parallel_size 4, per_device_train_batch_size 1", {"micro_batch": 1},
     ["parallelism"]),
    ("actor_rollout_ref.rollout.tensor_model_parallel_size=2", {}, ["parallelism"]),
    ("--tensor_model_parallel_size 4", {"parallelism": "tensor"}, []),
    # a size something needs is not the card's (review 19 #18: "the VRAM requirement is 24GB" on a 16 GB 4080)
    ("I've got a 4080 with 16GB VRAM and all trainers state the VRAM requirement is 24GB", {"gpu_memory_gb": 16}, []),
    ("Does running this script require 40GB of video memory?", {}, ["gpu_memory_gb"]),
    # the short batch flag of PyTorch's ImageNet example, timm and YOLOX (review 19 #24 asked for the batch)
    ("python main.py -a resnet50 -b 256 /data/imagenet", {"micro_batch": 256}, []),
    ("my model has 1 -b layer", {}, ["micro_batch"]),
])
def test_phrasings_from_the_twelfth_session(message, expected, absent):
    assert_reads(message, expected, absent)


@pytest.mark.parametrize("message, expected, absent", [
    # device ids quoted, after a flag, or under YOLO's `device=` (one id is one GPU); a batch per device is a batch
    ('CUDA_VISIBLE_DEVICES="3" accelerate launch --num_processes=1 train.py', {"num_gpus": 1}, ["parallelism"]),
    ("export CUDA_VISIBLE_DEVICES='0,1,2,3'", {"num_gpus": 4}, []),
    ("python train.py --gpus 0,1,2 --lr 1e-4", {"num_gpus": 3}, []),
    ("python train.py --gpu_ids 0 --batch 16", {"num_gpus": 1, "micro_batch": 16}, []),
    ("model.train(data='coco.yaml', imgsz=2048, batch=1, device=3)", {"num_gpus": 1, "micro_batch": 1}, []),
    ("python train.py --device 0,1 --img 640", {"num_gpus": 2}, []),
    ("I have 4x A100 40GB, max per-device 32 at seq 128", {"num_gpus": 4, "micro_batch": 32}, []),
    ("Instantaneous batch size per device = 8, Gradient Accumulation steps = 4", {"micro_batch": 8}, ["num_gpus"]),
    ("python train.py --device cuda:0", {}, ["num_gpus"]),
    # a mixture of experts' active count is not its size (the model holds every expert)
    ("Full fine-tuning Mixtral-8x7B OOMs. Isn't it only 13B active params?",
     {"model": "mixtral-8x7b", "params": 46.7e9}, []),
    ("a 30B MoE with 3B activated parameters", {"params": 30e9}, []),
    # a memory figure's change is no batch change (review 20 #25); a product worked out is no factor or image side
    ("The GPU memory grows after the first epoch: with batch size 32 it went from 17G to 23G", {"micro_batch": 32},
     ["batch_from", "batch_to"]),
    ("batch size 128 per GPU (32x128 = 4096)", {"micro_batch": 128}, ["image_size"]),
    ("the effective batch is 64x64 = 4096", {}, ["image_size"]),
    # two cards of the user's: the run is the first named, its memory and its card together (review 20 #2); a
    # single GPU "so I can't shard across GPUs" is one GPU
    ("OOM on an RTX 3090 24 GB with LoRA. I only have a single GPU so I can't shard across GPUs. I even tried the "
     "exact same config on an RTX 6000 Ada (48 GB) and it still ran out of memory.",
     {"gpu_model": "rtx-3090", "gpu_memory_gb": 24, "num_gpus": 1}, []),
    # the noun after a count names it, though a GPU cue came before ("4 GPUs with 2 images per GPU"); GPU-hours
    # are time; the numbers of a question about what a name means are guesses (review 20 #13)
    ("I train on 4 GPUs with 2 images per GPU.", {"num_gpus": 4, "micro_batch": 2}, []),
    ("GPUS=16, GPUS_PER_NODE=8, NODES=$((GPUS / GPUS_PER_NODE))", {"num_gpus": 16}, []),
    ("It takes 200 GPU-hours, but I need 800 hours to pre-train with 8 A100 GPUs.", {"num_gpus": 8}, []),
    ('I train on 4 GPUs. And what does "8x2" in the config names mean - 8 GPUs on 2 nodes, i.e. 16 GPUs and '
     "batch 32?", {"num_gpus": 4}, ["num_nodes", "batch_size", "micro_batch"]),
    # an RL trainer's sequence is its prompt and its response (OpenRLHF's and verl's keys); the generation engine's
    # tensor parallelism is not the training's (review 20 #21)
    ("prompt_max_len 13024, generate_max_len 13024, micro_train_batch_size 2", {"seq_len": 26048}, []),
    ("data.max_prompt_length=512 data.max_response_length=512", {"seq_len": 1024}, []),
    ("actor 8 GPUs, 1 vLLM engine with TP 4, zero_stage 3", {"zero_stage": 3, "parallelism": "zero"}, []),
    # what a config's sentence states is the config's setup (review 20 #13); a machine's spec lists its CPUs, then
    # its memory (review 20 #23)
    ("Does the config's initial LR=0.0001 assume 8 GPUs with 2 samples per GPU (effective batch 16)? I want to "
     "train on 4 GPUs.", {"num_gpus": 4, "reference_batch": 16}, ["micro_batch", "batch_size", "lr"]),
    # PyTorch's device-mismatch error counts no GPUs
    ("RuntimeError: Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!",
     {}, ["num_gpus"]),
])
def test_phrasings_from_the_thirteenth_session(message, expected, absent):
    assert_reads(message, expected, absent)


@pytest.mark.parametrize("message, expected, absent", [
    # two layouts of the same batch per update are a comparison, not a batch change (review 20 #10, #12): the user's
    # run is theirs rather than a reference's, else the one their GPU count names
    ("Would training with batch 64 on a single GPU give the same result as 8 GPUs x 8?",
     {"batch_size": 64, "reference_batch": 64}, ["batch_from", "batch_to"]),
    ("I use 32 V100s with batch size 128 per GPU (32x128 = 4096) instead of the recommended 64 V100s with batch 64 "
     "(64x64 = 4096).", {"num_gpus": 32, "micro_batch": 128, "batch_size": 4096, "reference_batch": 4096}, []),
    ("I train on 4 GPUs and 2 img/gpu; is that the same as 8 GPUs with 1 img per GPU?",
     {"num_gpus": 4, "micro_batch": 2, "batch_size": 8}, ["batch_from", "batch_to"]),
    # another setting between the GPUs and their batch; a count in words; under accelerate a script's batch is each
    # process's (review 36 #24): one batch per update split two ways, the run on more GPUs
    ("I train with accelerate. Two A100 GPUs with learning rate 1e-4 and train_batch_size 32 gave much better "
     "results than one A100 with learning rate 1e-4 and batch size 64.",
     {"num_gpus": 2, "micro_batch": 32, "batch_size": 64, "reference_batch": 64}, ["batch_from"]),
    # … but without a framework that makes it each GPU's, a batch on several GPUs splits nothing said
    ("Two A100 GPUs with learning rate 1e-4 and train_batch_size 32 gave much better results than one A100 with "
     "learning rate 1e-4 and batch size 64.", {"num_gpus": 2}, ["batch_size", "reference_batch"]),
    # the number in a GPU's name counts no GPUs
    ("one A100 with batch 64 vs 2 GPUs with batch 32 each", {"num_gpus": 1, "batch_size": 64, "reference_batch": 64},
     []),
    # a batch on several GPUs that could not be their total (1 on 4 GPUs) and times them makes the other layout's
    # batch: each GPU's, one total split two ways (review 54 #15)
    ("setting batch_size=4 with single GPU training can give much better performance than setting batch_size=1 "
     "with 4 GPUs training.", {"batch_size": 4, "reference_batch": 4},
     ["batch_unqualified"]),
    ("batch 8 on one V100 trains fine but batch 2 with 4 V100s is worse", {"batch_size": 8, "reference_batch": 8}, []),
    # (2 on 4 GPUs as their total would split no whole samples; 16 on 4 would, so it stays unsaid)
    ("batch 64 on one V100 trains fine but batch 16 with 4 V100s is worse", {"num_gpus": 4}, ["reference_batch"]),
    # the docs' two ways, neither the user's: only the reference's batch
    ("The docs say the default LR is for 4 GPUs and 2 img/gpu, or equivalently 8 GPUs and 1 img/gpu.",
     {"reference_batch": 8}, ["num_gpus", "micro_batch", "batch_size"]),
    # a reference's layout gives its batch per update, not its per-GPU batch; OpenMMLab's config names carry one
    ("The paper trains on 8 GPUs with 32 images per GPU; I have one GPU.", {"reference_batch": 256, "num_gpus": 1},
     []),
    ("I run configs/mask2former/mask2former_r50_8xb2-lsj-50e_coco.py on 4 GPUs with 2 images per GPU.",
     {"reference_batch": 16, "num_gpus": 4, "micro_batch": 2}, []),
    ("train with 512x512 images at 4 x b 2", {}, ["reference_batch"]),
    # a decoder trains on its source and its target together (review 21 #2: ChatGLM's and seq2seq's flags)
    ("--max_source_length 2000 --max_target_length 1200 --per_device_train_batch_size 1", {"seq_len": 3200}, []),
    ("--max_source_length 512", {"seq_len": 512}, []),
    # a card that worked some time ago is an earlier run's; the run asked about is on the card that fails (review
    # 21 #16)
    ("A month ago I trained one on a 4080 with batch size 1 and it worked. Today on a 3090 I get OutOfMemoryError.",
     {"gpu_model": "rtx-3090", "gpu_memory_gb": 24}, []),
    # a reference's layout said with a comma; an accumulation that makes up the reference's extra GPUs keeps the
    # per-GPU batch (review 21 #18, #20)
    ("The paper's setting (8 GPUs, 2 images per GPU, lr 0.01) for RetinaNet.", {"reference_batch": 16}, []),
    ("I train with 2 A100 and batch_size = 192. You trained on 8 A100s. Do I set accumulate_grad_batches to 4?",
     {"reference_batch": 1536, "num_gpus": 2}, []),
    # a GPU kept busy is a speed goal (review 21 #28); FSDP "utilized" is not
    ("ImageNet resnet18 gets almost zero GPU utilization. How can I get the GPU properly utilized?",
     {"goal": "faster"}, []),
    # running out of memory said with a word between; a limit reached "before running out" is no failure; P-tuning's
    # prefix length is no sequence length (blind set 19)
    ("I am running out of regular memory during data preparation at the start of the third epoch.", {"oom": True},
     []),
    ("I set mini_batch_size as large as possible before running out of device memory.", {}, ["oom"]),
    ("batchsize is already 1 and maxseqlen=512. The default pre-seq-len is 32.", {"seq_len": 512, "micro_batch": 1},
     []),
    ("os.environ['CUDA_VISIBLE_DEVICES'] = \"0,1\"", {"num_gpus": 2}, []),
    # the devices a launch lists are the run's, of more the machine has (review 21 #1); not a one-GPU run that
    # worked beside it, nor a generation server's
    ("I only have 10 A40 GPUs. I launched on 8 of them with CUDA_VISIBLE_DEVICES=2,3,4,5,6,7,8,9 accelerate launch "
     "and it reports an OOM error.", {"num_gpus": 8}, []),
    ("I have 8 H20. vLLM server: CUDA_VISIBLE_DEVICES=6,7 swift rollout --data_parallel_size 2", {"num_gpus": 8}, []),
    # what a cited setup used to be fast is not the user's (review 21 #3: the wiki's "unsloth + fa2")
    ("My config has cutoff_len 51974. According to the wiki's comparison page a 7B trains with unsloth + fa2 at "
     "this length.", {"seq_len": 51974}, ["attention"]),
    # a batch measured in audio time is no count of samples (review 21b #21)
    ("In the WavLM paper the batch size is 350 seconds. Is that per GPU, or total?", {},
     ["reference_batch", "micro_batch", "batch_size"]),
    # a benchmark's batch is a reference's; raising a per-device batch changes the batch per update on every GPU
    # (review 21 #8)
    ("I'm trying to reproduce the DeepSpeed-Chat 13B RLHF (step 3) training on A100-80GB * 8. The default "
     "script training_scripts/single_node/run_13b.sh sets per_device_train_batch_size and "
     "per_device_mini_train_batch_size to 16, which is different from the benchmark setting where the "
     "batch size is claimed to be 1024. When I increase per_device_train_batch_size to 32, it raises OOM. "
     "Can you provide the 13B step3 training scripts matching the benchmark, or explain how the "
     "benchmark's 1024 batch was reached on 8 GPUs?", {"batch_from": 16, "batch_to": 32, "num_gpus": 8}, []),
    # an image's sides glued with 'x' are no card and no count ("1080x1920" is no GTX 1080); "4x3090" is four cards
    ("I use an RTX 2070 super with 8GB and cannot increase the resolution (e.g. 1080x1920).",
     {"gpu_model": "rtx-2070-super", "num_gpus": 1}, []),
    ("OOM training 70B on 4x3090 24GB", {"gpu_model": "rtx-3090", "num_gpus": 4}, []),
    # a size the user wrote that neither the card nor the error's capacity has gives way to them (blind set 20)
    ("GPU NVIDIA GeForce RTX 3090 (32GB VRAM). RuntimeError: CUDA out of memory. Tried to allocate 4.00 GiB (GPU 0; "
     "23.69 GiB total capacity; 16.91 GiB already allocated)", {"gpu_model": "rtx-3090", "gpu_memory_gb": 24}, []),
    # a 'why' about memory that grows during training asks for the cause (blind set 19)
    ("Why does GPU memory increase suddenly during training, resulting in out of memory? It goes from 6000MB to "
     "10000MB in a random epoch.", {"goal": "explain_result"}, []),
    ("Why does batch 1 run out of memory on a 3090?", {"goal": "explain_result"}, []),
    # Keras' model.fit is a method, no wish to fit in memory
    ("Keras model.fit with 1050 training samples and batch_size=32 shows 33/33 steps per epoch. Why 33 and not 32?",
     {"goal": "explain_result", "dataset_size": 1050}, ["gpu_model"]),
    # the machines of the run asked about, not of the one that works (review 22 #9)
    ("When I run training on one machine with torchrun everything works. On two machines the time per step "
     "increased greatly. Why is 2 nodes slower than 1?", {"num_nodes": 2, "goal": "faster"}, []),
    # a tool named after a model family is no model (review 22 #3)
    ("I'm doing FSDP+QLoRA with LLaMA-Factory on one 8xA100 (80G) node.", {"num_gpus": 8}, ["model"]),
    # one GPU as a yardstick is no count of the run's (review 22 #23)
    ("I see little difference in training time between 1 and 2 GPUs. I did increase the batch size on multiple GPUs "
     "so that per-GPU utilization is comparable to one GPU in isolation.", {"num_gpus": 2}, ["gpus_from", "gpus_to"]),
    ("Two GPUs are slower than a single GPU for me.", {}, ["gpus_from"]),
    # "has 108M parameters" is a count, not a model named "has-108m" (review 22 #30)
    ("My model has 108M parameters.", {"params": 108e6}, ["model"]),
    # a precision changed to is the run's (review 22 #15)
    ('ValueError: Your setup doesn\'t support bf16/gpu, so I changed "fp16 = False, bf16 = True" to "fp16 = True, '
     'bf16 = False". Is that ok?', {"precision": "amp_fp16"}, []),
    # a size said used is no card's size; a point in the run is no number of epochs (review 22 #29, #21)
    ("on a V100 (16GB) on an HPC. The console says 15.3 GB VRAM used.", {"gpu_memory_gb": 16}, []),
    ("epochs 2 and later take 212 seconds with 8 GPUs vs 250 seconds with 1 GPU", {}, ["epochs"]),
    # "linear scaling" of a speed is a speed goal; a batch multiplied in a report is no batch question (review 22 #21)
    ("The only change was to multiply the batch size by 8. Epochs take 212 seconds with 8 GPUs vs 250 seconds with "
     "1 GPU. I didn't expect perfect linear scaling, but at least 50%. Am I doing something wrong?",
     {"goal": "faster"}, []),
    ("Does the linear scaling rule apply to Adam?", {"goal": "choose_lr"}, []),
    # SageMaker's instance names (review 22 #11)
    ("I'm using the conda_tensorflow_p36 kernel on an ml.p2.xlarge instance with Keras.",
     {"gpu_model": "k80", "gpu_memory_gb": 12, "num_gpus": 1}, []),
    # a version is no count ("Ubuntu 20, GPU …"; blind set 20)
    ("Server: Ubuntu 20, GPU NVIDIA GeForce RTX 3090 with 24GB memory.", {"gpu_model": "rtx-3090"}, ["num_gpus"]),
    # a volume's last side is no image size (review 21 #17)
    ("My images are 320x150x26 pixels and I use a batch size of 2.", {"micro_batch": 2}, ["image_size"]),
    # a ZeRO stage switched to is the run's; stages merely listed are asked (review 21 #4)
    ("Full-parameter DPO with ZeRO3 gives a weight-2D error, so I switched to ZeRO2 on 8 cards and got OOM.",
     {"zero_stage": 2, "num_gpus": 8}, []),
    ("I tried stage 1, stage 2 and stage 3 of ZeRO", {}, ["zero_stage"]),
    # not layouts of one total: a change of GPUs at the same per-GPU batch, a size, a count of nodes
    ("I moved from 1 GPU to 8 GPUs and kept per_device 8.", {"num_gpus": 8, "micro_batch": 8}, ["batch_size"]),
    ("8 GPUs with 80 GB each, 2 nodes x 8 GPUs, batch 16 per GPU", {"micro_batch": 16}, ["reference_batch"]),
])
def test_phrasings_from_the_fourteenth_session(message, expected, absent):
    assert_reads(message, expected, absent)


def test_a_size_far_over_the_named_card_is_the_hosts_ram():
    reading = read("I run the code with 200GB of memory and 2*80G A100, with Qwen2.5-VL-instruct.")
    assert reading.get("cpu_ram_gb") == 200 and reading.get("gpu_memory_gb") == 80


def test_a_run_length_under_a_config_key_outranks_a_timed_count_of_steps():
    """Review 17 #26: 'the same time to train 5000 iterations on two GPUs … num_iters = 500000': the run is
    500,000 iterations long; the 5,000 were timed."""
    reading = read("It takes the same amount of time to train 5000 iterations on two GPUs or eight GPUs. "
                   "num_iters = 500000.")
    assert reading.get("planned_steps") == 500_000


def test_a_machines_memory_after_its_cpus_is_the_hosts():
    reading = read("My machine: 32 vCPU, 256G memory, 4x A100 80GB.")
    assert reading.get("cpu_ram_gb") == 256 and reading.get("gpu_memory_gb") == 80


@pytest.mark.parametrize("message, expected, absent", [
    # Lightning's and litgpt's `devices` count each machine's GPUs (review 22 #8)
    ("On a single node this works: global batch size = 1024, devices = 8, micro batch size = 16 gives 1024/8/16 = 8 "
     "accumulation steps. If I use two nodes, the gradient accumulation step is still 8 (it still treats devices = "
     "8).", {"num_gpus": 16, "num_nodes": 2, "grad_accum_steps": 8}, []),
    ("Trainer(devices=4, strategy='ddp')", {"num_gpus": 4, "parallelism": "ddp"}, []),
    # a bracket ends a negation's reach (review 22 #23)
    ("nvidia-smi shows both GPUs being used, so that's not the problem (DataParallel handles it automatically).",
     {"parallelism": "dp"}, []),
    ("I can start training at batch size 5 but not 6 (CUDA out of memory).", {"oom": True}, []),
    # the model that fails, not the one the same command works for (review 22 #3); DBRX is in the catalogue
    ("The same command works for Mixtral 8x22B, but I get CUDA OOM with identical parameters for dbrx_instruct.",
     {"model": "dbrx", "oom": True}, []),
    # "bring it down" is a fit goal
    ("Training uses 30 GB on my card. How do I bring it down?", {"goal": "fit"}, []),
    # "a ~30b model" names no A30, and a rough size gives way to the launch's model (blind set 23)
    ("Half-precision fine-tuning of a ~30b model should need only 300g. I have seven A800 80g cards. "
     "model_name_or_path: /models/Qwen2.5-32B", {"gpu_model": "a800-80gb", "num_gpus": 7, "params": 32e9}, []),
    ("OOM with a P-100, 12G", {"gpu_model": "p100-12gb"}, []),
    # a batch that fails and a smaller one that works, said with '==' and 'normally', or 'not enough' and 'only'
    ("when training, batch_size==2 gives an OOM error while batch_size==1 trains normally.",
     {"batch_from": 2, "batch_to": 1}, ["micro_batch"]),
    ("I set the training batch size to 8 and the GPU memory is not enough; only with batchsize 2 can it run.",
     {"batch_from": 8, "batch_to": 2}, []),
    # a host's RAM listed after the card is not the card's size
    ("System environment: Windows, a 6GB GPU RTX 3060, 32GB of RAM, Core i7-12700H.",
     {"gpu_memory_gb": 6}, []),
    # running out said as the GPU overflowing or the memory blowing up
    ("I can't raise the batch_size above 1, since otherwise my GPU overflows (it has 24GB VRAM).", {"oom": True}, []),
    ("In the end it still blows up the GPU memory.", {"oom": True}, []),
    ("my GPU crashes at step 100", {}, ["oom"]),
    ("train a LoRA on 4*A5500 (24G)", {"gpu_model": "rtx-a5500", "num_gpus": 4, "gpu_memory_gb": 24}, []),
    # a batch said again in a question is not a change; the change is to the one after it, and the LR proposed stays
    # a proposal (review 23 #1)
    ("--per_device_train_batch_size 16 --learning_rate 5e-5. e.g. now gpus=8, per_device_train_batch_size=16, "
     "lr=5e-5. So if gpus=4, per_device_train_batch_size=4, lr~6.25e-6, right?",
     {"batch_from": 16, "batch_to": 4, "lr": 5e-5, "num_gpus": 4}, []),
    # instructions the user follows describe their own run; a recipe someone recommends following is theirs (review
    # 23 #21); images said with their size are a step's, not a data set (review 23 #22)
    ("I'm trying to finetune the nvidia/parakeet-tdt-1.1b model following the fine-tuning configuration "
     "instructions in the NeMo docs, on a g5.12xlarge with 4 GPUs of 24GB memory each.",
     {"gpu_model": "a10g", "num_gpus": 4, "gpu_memory_gb": 24}, []),
    ("The note says: for 4-gpu training, we recommend following the linear lr scaling recipe: `--lr 0.015 "
     "--batch-size 128` with 4 gpus.", {}, ["lr"]),
    ("24GB is still not enough for 16 images of 1024x1024 on one card.", {"image_size": 1024}, ["dataset_size"]),
    # questions about the authors' own run ask to match it
    ("With batch_size = 1 the code runs, so I'm wondering: did you really train the models with batch_size = 4?",
     {"goal": "match_reference"}, []),
    ("Would you mind to let me know your batch size for training the 7B version?", {"goal": "match_reference"}, []),
    # a batch per update under one micro-batch times the accumulation is the micro-batch said again (review 23 #5)
    ("Out of memory on A100-80G. train batch size: 1, gradient accumulation: 128. Batch size is already 1.",
     {"micro_batch": 1, "grad_accum_steps": 128}, ["batch_size"]),
    # torchvision's and detectron2's two-stage and one-stage detectors by their names (review 23 #12)
    ("I train Mask R-CNN R50-FPN on one 2080 Ti and get OOM", {"model": "mask-rcnn-r50-fpn", "num_gpus": 1}, []),
    ("python3 tools/train_net.py --config-file configs/COCO-Detection/faster_rcnn_R_50_FPN_1x.yaml --num-gpus 8",
     {"model": "faster-rcnn-r50-fpn", "num_gpus": 8}, []),
    # PaddlePaddle's out-of-memory error names the allocation that failed, not the card (blind set 24)
    ("GPU Tesla V100 (16G memory), batch_size=1. When BatchSize>2 it fails with: Cannot malloc 39.0627 MB GPU memory.",
     {"gpu_memory_gb": 16, "oom": True}, []),
    # SkyPilot's and Ray's card-colon-count (review 23 #10)
    ("accelerators: A100-80GB:8", {"gpu_model": "a100-80gb", "num_gpus": 8}, []),
    ("sky launch --gpus H100:8 train.yaml", {"gpu_model": "h100-80gb", "num_gpus": 8}, []),
    # a setting said to help is one considered, not one in use (review 23 #25)
    ("The possible main reason is the forward; using flash-attention may reduce it, I haven't tried yet.", {},
     ["attention"]),
    ("I train with flash-attention on one A100.", {"attention": "flash"}, []),
    # a cue after a comma names the list's next item (review 22 #9)
    ("On two machines (torchrun --nnodes 2 --nproc-per-node 2, node_rank 0/1) it is slow.",
     {"num_gpus": 4, "num_nodes": 2}, []),
])
def test_phrasings_from_the_fifteenth_session(message, expected, absent):
    assert_reads(message, expected, absent)


@pytest.mark.parametrize("message, expected, absent", [
    # the one asked to help is no setup spoken of (blind set 25)
    ("Could you please advise: with two A10s, each with 24G of GPU memory, can I do LoRA fine-tuning?",
     {"gpu_model": "a10", "num_gpus": 2, "gpu_memory_gb": 24}, []),
    ("Could you tell me what batch size you used on 8 V100s?", {}, ["num_gpus"]),
    # a laptop card the catalogue does not know is no model of 960M parameters (blind set 25)
    ("I'm on a laptop with an NVIDIA GTX 960M GPU with 4 GB GDDR5.", {"gpu_memory_gb": 4}, ["model", "params"]),
    # a log's range of batches is no count of cards (review 24 #7)
    ("1 GPU: Epoch[0] Batch [3040-3060] Speed: 112.84 samples/sec", {}, ["gpu_model"]),
    # each factor after its own name, then the product (blind set 25)
    ("the effective batch size, which is batch size 128 * accumulated_grad_batch 16 = 2048",
     {"micro_batch": 128, "grad_accum_steps": 16, "batch_size": 2048}, []),
    # CNTK's minibatch size (blind set 25)
    ("When I reduce the minibatchsize from 256 to 32 it runs well.", {"batch_from": 256, "batch_to": 32}, []),
    # the default the user ran and saw fail, then the smaller batch that works (blind set 25)
    ("Actually, with the default batchsize=64 I get an OOM error, and with -bs 32 it works well.",
     {"batch_from": 64, "batch_to": 32}, []),
    ("When I run batch_size==7 the memory explodes; only with batch_size==4 does it run normally.",
     {"batch_from": 7, "batch_to": 4}, []),
    # a setting changed to after another ("after I set …") is the new one (blind set 25)
    ("With samples_per_gpu=2 the model took some memory. However, after I set samples_per_gpu=4, the memory was "
     "reduced.", {"batch_from": 2, "batch_to": 4}, []),
    # Lightning's precision names (blind set 25)
    ("I revised the precision to \"16-mixed\" and ran on a single V100 32GB GPU.", {"precision": "amp_fp16"}, []),
    ("--bf16 True --per_device_train_batch_size 4", {"precision": "amp_bf16"}, []),
    # Caffe SSD's batch per update, which its accumulation builds (review 24 #26)
    ("batch_size = 2 # 32\naccum_batch_size = 32\niter_size = accum_batch_size / batch_size",
     {"micro_batch": 2, "batch_size": 32}, ["grad_accum_steps"]),
    # a card's number before '*' and a count is no factor of the count (blind set 26)
    ("Training on 3090*4 GPU cards is slower than single_device.", {"gpu_model": "rtx-3090", "num_gpus": 4}, []),
    # a card whose name starts with 'h' after a count of GPUs is no GPU-hours (blind set 26)
    ("My machine has 8 GPUs, H20-141GB.", {"gpu_model": "h20", "num_gpus": 8}, []),
    # the single node compared with is not the run's (blind set 26)
    ("Training takes much longer than on a single node! I use RTX A6000 with 4 GPUs per node, on two nodes.",
     {"num_gpus": 8, "num_nodes": 2}, []),
    # a count asked about is not the user's (blind set 26)
    ("I'm running on 4 80GB A100s; would I need 16 A100s like mentioned in the paper to finetune?",
     {"num_gpus": 4}, []),
    # an output directory named after a family is no model; the Adam family's settings name no optimizer (blind set 26)
    ("torchrun finetune.py --bf16 True --output_dir output_qwen --adam_beta2 0.95 --learning_rate 3e-4", {"lr": 3e-4},
     ["model", "optimizer"]),
    # argparse's defaults listed as the user's settings (blind set 26)
    ("Some of my settings: per_device_train_batch_size default=1, gradient_checkpointing default=False",
     {"micro_batch": 1, "grad_checkpointing": False}, ["reference_batch"]),
    # the first epochs of a run are no run's length (blind set 26)
    ("The script runs OK for the first 12 epochs and then ends with CUDA out of memory. num_train_epochs: 50",
     {"epochs": 50}, []),
    ("I use GPT2 with run_clm.py and nn.data_parallel.", {"parallelism": "dp"}, []),
    ("I've been trying qwen2 0.5B with tinyclip.", {"model": "qwen2-0.5b"}, []),
    # a run that takes longer or slows down asks for speed (blind set 26)
    ("Multi-node training with Detectron2 takes much longer than on a single node!", {"goal": "faster"}, []),
    ("With deepspeed zero3 training slows down badly on 12 machines.", {"goal": "faster"}, []),
    # a slowness asked about, and a throughput log's words per second (review 24 #24)
    ("However, wps is only around ~200. Any ideas what can cause this slowness?", {"goal": "faster"}, []),
])
def test_phrasings_from_the_sixteenth_session(message, expected, absent):
    assert_reads(message, expected, absent)


@pytest.mark.parametrize("message, expected, absent", [
    # the spellings of a node's GPU count and of the GPU count that scripts use (corpus rq-1422)
    ("Configuration: GPT-30B model, num_nodes=2, num_gpu_per_node=8, mini_batch_size=2", {"num_gpus": 16}, []),
    ("NGPUS_PER_NODE=4 NNODES=2", {"num_gpus": 8, "num_nodes": 2}, []),
    ("python train.py --num_gpu 4 --batch_size 16", {"num_gpus": 4}, []),
    # two sizes of one family written as alternatives: the first (review 24 #6)
    ("When I use full fine-tuning on BaiChuan-7B/13B, I get CUDA out of memory.", {"model": "baichuan-7b"}, []),
    ("Fine-tuning Llama-2-7B/13B with LoRA", {"model": "llama-2-7b"}, []),
    ("Training ViT-g/14 from scratch", {"model": "vit-g-14"}, []),
    # DeepSpeed's offload_param exists in stage 3 only (review 24 #4); Lightning's offload_parameters says no stage
    ("It says in stage 3, with offload_optimizer and offload_param enabled, it requires 0.49GB. deepspeed",
     {"parallelism": "zero", "zero_stage": 3}, []),
    # the packages installed, with their versions, are not the run's settings (blind set 27)
    ("Environment: accelerate 0.26.1, bitsandbytes 0.44.1, deepspeed 0.13.1, flash-attn 2.5.8", {},
     ["parallelism", "attention"]),
    ("pip install deepspeed==0.14.0 and then trained on 3 GPUs", {"num_gpus": 3}, ["parallelism"]),
    ("TabNetPretrainer(batch_size=1024, pretraining_ratio=0.5)", {"training_mode": "scratch"}, []),
    # the host's DDR memory listed after the card is not the card's (blind set 27)
    ("Despite having a PC with an RTX 3080, 64GB DDR5 and Ryzen 7950X, training is slow",
     {"gpu_model": "rtx-3080"}, ["gpu_memory_gb"]),
    # versions and sizes written with '_' or '-', and Qwen's glued version (blind set 27, corpus rq-1477)
    ("Reproducing the training of Qwen-2.5-Math-1.5B with GRPO", {"model": "qwen2.5-math-1.5b"}, []),
    ("mlx_lm.lora --config fine_tuning/mlx/llama3_1_8B_instruct_lora_config.yaml", {"model": "llama-3.1-8b"}, []),
    ("Fine-tuning Qwen-1_8B-Chat with LoRA", {"model": "qwen-1.8b"}, []),
    ("internlm2_7b full fine-tuning", {"model": "internlm2-7b"}, []),
    # a number restated rounded is that number's, not a model's size (review 25 #8)
    ("there are 14029574132 tokens in the pre-training corpus (about 14B). If the model is 7B",
     {"params": 7e9}, []),
    # a share said with '%' is no batch changed to; a rollout's batch is no training batch (blind set 27)
    ("python train.py --batch_size 8 --workers 4. If I set workers to 8 or bigger, the CPU usage may go to 100%.",
     {"micro_batch": 8}, ["batch_from", "batch_to"]),
    ("MODEL_PATH=Qwen/Qwen2.5-VL-7B-Instruct python3 -m verl.trainer.main data.rollout_batch_size=128 "
     "worker.rollout.n=20", {}, ["micro_batch", "batch_size"]),
    # a notebook's card gives way to the one the error's capacity shows (blind set 27)
    ("On Colab I get: RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 11.17 GiB total "
     "capacity; 10.76 GiB already allocated)", {"gpu_memory_gb": 11, "num_gpus": 1}, ["gpu_model"]),
    # a config line's comment asks nothing; a batch smaller than the GPUs can only be each GPU's (review 25 #9)
    ("[training]\nbatch_size = 2\nseq_len = 2048\nwarmup_steps = 2000  # lr scheduler warm up, normally 20% of the "
     "train steps\nI am using this config with 4 GPUs. What is the total number of tokens per optimizer step?",
     {"micro_batch": 2, "num_gpus": 4, "warmup_steps": 2000}, ["goal"]),
    ("# Which learning rate should I use?\nbatch 64 on 8 GPUs", {"goal": "choose_lr"}, []),
    # the batch of the one asked, compared with (review 25 #15)
    ("I use a 1080 GPU so the max batch size I can set is 4, much smaller than your 16.",
     {"micro_batch": 4, "reference_batch": 16}, []),
    ("I got 40 mAP, lower than your 45", {}, ["reference_batch"]),
    ("Full fine-tuning with deepspeed: DeepSpeedStrategy(offload_optimizer=True, offload_parameters=True)",
     {"parallelism": "zero", "offload": "cpu"}, ["zero_stage"]),
])
def test_phrasings_from_the_seventeenth_session(message, expected, absent):
    assert_reads(message, expected, absent)


@pytest.mark.parametrize("message, expected, absent", [
    # a size rounded by its owner is the card's; a use rounded stays a use (blind set 28, corpus rq-117)
    ("Details: image_size=224*224, batch_size=16, bn_blocks=2, and my GPU memory is about 16G.",
     {"gpu_memory_gb": 16, "micro_batch": 16, "image_size": 224}, []),
    ("Batch size 24: GPU memory is about 13GB, GPU utilization is unstable", {}, ["gpu_memory_gb"]),
    # a unit is glued to its number, not a comma away ("16, bn_blocks" is no 16 billion)
    ("batch_size=16, bn_blocks=2", {"micro_batch": 16}, ["params"]),
    # so many cards times each one's memory; a batch times GPUs is no GPU count (blind set 28)
    ("What GPUs can finetune qwen2 72B by using qlora? Is 8*24G possible?", {"num_gpus": 8, "gpu_memory_gb": 24}, []),
    ("I have 2 x 80GB", {"num_gpus": 2, "gpu_memory_gb": 80}, []),
    ("batch 4*8 gpus", {"num_gpus": 8, "micro_batch": 4}, []),
    # a power of two; a size glued to the name; an optimizer's state in JAX code (blind set 28)
    ("Memory for a 7M model with 2^20 context is too high on my RTX A6000", {"seq_len": 1048576}, []),
    ("When I change the model to QWQ32B, I hit an OOM", {"model": "qwq-32b"}, []),
    ("params, opt_state, loss = train_step(params, opt_state, data_batch)", {}, ["model"]),
    # each GPU's batch named "single-GPU", and the total its product makes (blind set 28)
    ("When the single-GPU batch size is 16, the GPU-Util always drops to 60%. I am using 6 GPUs to train the "
     "model; the training batch size is 96.", {"num_gpus": 6, "micro_batch": 16, "batch_size": 96}, []),
    # what an arrow points at, worked out, is no change (review 26 #19)
    ("- batch size per GPU: about 50\n- gradient accumulation: 10 => 50 x 4 x 10 = 2,000",
     {"micro_batch": 50, "grad_accum_steps": 10}, ["batch_from", "batch_to"]),
    # a flag commented out of a launch script is not set (review 26 #4)
    ("export NPROC_PER_NODE=4\nswift sft \\\n  --lora_rank 8 \\\n# --tp_size 4 \\\n  --max_length 512",
     {"num_gpus": 4, "lora_rank": 8, "seq_len": 512, "parallelism": "ddp"}, []),  # (not tensor parallel)
    # ms-swift over several visible GPUs with no NPROC_PER_NODE: one process, the model split by device_map
    ("CUDA_VISIBLE_DEVICES=0,1,2,3 swift sft --model_type qwen2-7b-instruct --sft_type full --batch_size 4",
     {"num_gpus": 4, "parallelism": "device_map"}, []),
    ("CUDA_VISIBLE_DEVICES=0,1,2,3 NPROC_PER_NODE=4 swift sft --model_type qwen2-7b-instruct --batch_size 4",
     {"num_gpus": 4, "parallelism": "ddp"}, []),
    ("CUDA_VISIBLE_DEVICES=0,1 swift sft --deepspeed default-zero3 --batch_size 4",
     {"num_gpus": 2, "parallelism": "zero", "zero_stage": 3}, []),
    ("# gradient_accumulation_steps: 8\nper_device_train_batch_size: 2", {"micro_batch": 2}, ["grad_accum_steps"]),
    # a shell script's defaults are the recipe's; the user's own values are theirs (review 26 #6, corpus rq-1967)
    ("The basic setting is:\nGPUS=${GPUS:-8}\nBATCH_SIZE=${BATCH_SIZE:-128}\nPER_DEVICE_BATCH_SIZE=${PER_DEVICE_BATCH_SIZE:-4}"
     "\nI have three 3090s. With PER_DEVICE_BATCH_SIZE=1, is it 12?",
     {"num_gpus": 3, "micro_batch": 1, "reference_batch": 128}, []),
    ("I changed export BATCH_SIZE=${BATCH_SIZE:-16} and then got CUDA out of memory on my 3090.",
     {"micro_batch": 16}, ["reference_batch"]),
    # a GPU count asked about as a requirement is not the user's (review 26 #16)
    ("Can't reproduce the result with single GPU. Just wondering whether it's necessary to use 4 GPUs to reproduce "
     "the reported results?", {"num_gpus": 1}, []),
    # a directory's name in a path sets nothing; a checkpoint's own name at the path's end does (review 26 #1)
    ("torchrun --nproc_per_node=4 finetune.py --base_model /datas/alpaca_lora_4bit/text-generation-webui/models/"
     "llama-30b-hf --output_dir ./lora-30B", {"num_gpus": 4, "training_mode": "lora"}, []),
    ("--model_name_or_path /models/llama-3-8b-bnb-4bit with lora", {"training_mode": "qlora"}, []),
    ("In pretrain/openwebtext.py I think gradient_accumulation_steps is wrong", {"training_mode": "scratch"}, []),
    # nvidia-smi's "used / total": the use measured, the total the card's (review 26 #10); AWQ and GPTQ
    # checkpoints are 4-bit, and a mirror's "org__name" folder names the model (review 26 #4)
    ("I have a Tesla T4 (16GB VRAM). At batch size 4 nvidia-smi shows `13709MiB / 15360MiB`.",
     {"gpu_model": "t4", "gpu_memory_gb": 16}, []),
    ("LoRA on /cache/cpatonn-mirror__Qwen2.5-7B-Instruct-AWQ", {"model": "qwen2.5-7b", "training_mode": "qlora"}, []),
    # a word inside a model's name ('a' of "a3b") is part of it (review 26 #4)
    ("SFT of qwen3-a3b-30b-awq-int4 runs out of VRAM", {"params": 30e9}, []),
])
def test_phrasings_from_the_eighteenth_session(message, expected, absent):
    assert_reads(message, expected, absent)


@pytest.mark.parametrize("message, expected, absent", [
    # a batch's product named after the GPUs is no GPU count; a total said over the cards is no use (review 27)
    ("with a mini-batch size of 4: does this mean the total batch size on all GPUs would be 8 x 4 = 32?", {},
     ["num_gpus"]),
    ("2 nodes x 4 GPUs = 8 GPUs", {"num_gpus": 8, "num_nodes": 2}, []),
    # a recipe's settings asked about for one GPU: carrying it to fewer GPUs (review 27 #13)
    ("How to use one GPU for training? How to adjust the parameters?", {"goal": "match_reference"}, []),
    ("How do I set the parameters for my model?", {}, ["goal"]),
])
def test_products_and_totals_from_review_27(message, expected, absent):
    assert_reads(message, expected, absent)


@pytest.mark.parametrize("message, expected", [
    # a batch on one GPU carried to two: the old one is a whole batch per update, the new one each GPU's share when
    # it is said per GPU or splits the old one over the new GPUs (review 27 #11)
    ("Say on a single GPU I used batch size 32 and learning rate 1e-4. Moving to two GPUs, if I want to run something "
     "close to the single-GPU setup, should the batch size become 16?",
     {"num_gpus": 2, "micro_batch": 16, "batch_size": 32, "reference_batch": 32, "batch_scale_factor": 1.0}),
    ("I trained on 1 GPU with batch size 32 and lr 1e-4. Now moving to 2 GPUs with DDP, batch 16 per GPU.",
     {"micro_batch": 16, "batch_size": 32, "reference_batch": 32, "batch_scale_factor": 1.0}),
    ("I trained on 1 GPU with batch size 32. Now moving to 2 GPUs with DDP, batch 32 per GPU.",
     {"micro_batch": 32, "num_gpus": 2, "reference_batch": 32}),  # (each GPU's batch kept: 64 per update)
    # "a multi-GPU setting" is several GPUs, not "a" single one
    ("About batch size in a multi-GPU setting: with 4 GPUs and batch 8 per GPU, what LR?", {"num_gpus": 4}),
])
def test_gpu_count_changes_from_one_gpu(kb, message, expected):
    got = facts(kb, message)
    assert {k: got.get(k) for k in expected} == expected, got


@pytest.mark.parametrize("message, expected", [
    # an equivalence question weighs two splits of a batch per update: neither is the run, both are kept (review 27
    # #29); the one that accumulates more comes first, a plain batch beside one that accumulates is one step
    ("Is batch size 2 with gradient accumulation steps 4 equivalent to batch size 8 without accumulation?",
     {"split_micro_batch": 2, "split_accum_steps": 4, "split_other_micro_batch": 8, "split_other_accum_steps": 1}),
    ("is bs 32 exactly the same as bs 8 + grad accum 4?",
     {"split_micro_batch": 8, "split_accum_steps": 4, "split_other_micro_batch": 32, "split_other_accum_steps": 1}),
    ("Is batch size 16 with gradient accumulation 2 the same as batch size 8 with gradient accumulation 4?",
     {"split_micro_batch": 8, "split_accum_steps": 4, "split_other_micro_batch": 16, "split_other_accum_steps": 2}),
    # GPUs compared as well are the layouts' question; no accumulation said on either side is no split
    ("Is batch size 8 on 4 GPUs the same as batch size 32 with accumulation 1 on one GPU?", {"split_micro_batch": None}),
    ("Is batch size 8 the same as batch size 32?", {"split_micro_batch": None}),
])
def test_accumulation_splits_compared(kb, message, expected):
    got = facts(kb, message)
    assert {k: got.get(k) for k in expected} == expected, got
    assert "micro_batch" not in got and "grad_accum_steps" not in got  # (neither setting is the run)


@pytest.mark.parametrize("message, absent", [
    # a graph's nodes are no machines, nor an audio context's seconds its tokens (blind set rq-2746..2805)
    ("When I use this code on my dataset (10242 nodes) I get CUDA out of memory", "num_nodes"),
    ("A graph with 400k nodes and 3M edges does not fit", "num_nodes"),
    ("trained from scratch with a context of 6 seconds (300 tokens)", "seq_len"),
])
def test_numbers_of_other_things(message, absent):
    assert absent not in labels_of(read(message))


@pytest.mark.parametrize("message, expected", [
    # a plural glued to a Ti card is still the Ti ("RTX 2080TIs"), unless it is a card's own name ("4070 TiS" is the
    # Ti Super); a range's first end is no count of GPUs ("requires 10-12GB GPU memory")
    ("Our gpu devices are RTX 2080TIs with only 11GB memory", {"gpu_model": "rtx-2080-ti", "num_gpus": None}),
    ("two RTX 2080Tis", {"gpu_model": "rtx-2080-ti", "num_gpus": 2}),
    ("a 4070 TiS", {"gpu_model": "rtx-4070-ti-super"}),
    ("the training data requires 10-12GB GPU memory", {"num_gpus": None}),
    ("on 4 24GB VRAM GPUs", {"num_gpus": 4}),
])
def test_card_plurals_and_ranges(message, expected):
    got = labels_of(read(message))
    assert {k: got.get(k) for k in expected} == expected, got


@pytest.mark.parametrize("message, expected", [
    # review 32: "medium" after a model's name is its size, not the blog platform ("GPT-2 medium, 1x RTX 3090" was all
    # a reference's); a variable's method in pasted code is no model (`opt.zero_grad()` read as OPT); a comma parts a
    # cue from another's number ("1 channel input, 4 classes" read sequence length 4); a batch "in each process" is
    # each GPU's
    ("GPT-2 medium, 1x RTX 3090, batch 8, seq 1024, fp32.",
     {"model": "gpt2-medium", "gpu_model": "rtx-3090", "micro_batch": 8, "seq_len": 1024, "reference_batch": None}),
    ("I read a Medium article that used batch 64.", {"reference_batch": 64}),
    ("    opt.zero_grad()\n    running_loss += loss", {"model": None}),
    ("patch size 128x128x128, 1 channel input, 4 classes, on an RTX A6000 48GB", {"seq_len": None}),
    ("8x A100 with torchrun. My DataLoader batch_size is 256 in each process.", {"micro_batch": 256}),
    # the default config said as a subject is the recipe's setup (not "I use the default config with 4 GPUs")
    ("Mask R-CNN on 1x RTX 3080 10GB. Default config has IMS_PER_BATCH=16 and BASE_LR=0.02 for 8 GPUs. I set "
     "IMS_PER_BATCH=2.", {"num_gpus": 1, "micro_batch": 2, "reference_batch": 16}),
    ("I use the default config with 4 GPUs and batch 16.", {"num_gpus": 4, "reference_batch": None}),
    # a batch in sequences said to be global is over all GPUs (#13 read "per GPU or in total not said")
    ("on 4x A100 40GB with pmap. Global batch 512 sequences of 1024 tokens.", {"batch_size": 512, "seq_len": 1024}),
])
def test_what_review_32_taught(message, expected):
    got = labels_of(read(message))
    assert {k: got.get(k) for k in expected} == expected, got


def test_a_question_weighing_two_batches_chooses_one():
    assert labels_of(read("Should I use batch size 32 or 64 for fine-tuning BERT-base?")).get("goal") == "choose_batch"
    # (a question of a batch's scope weighs no two batches to choose from)
    assert labels_of(read("Is the effective batch 1024, or 256 with 64 per GPU?")).get("goal") != "choose_batch"
    assert labels_of(read("We train on 2 nodes with 8 GPUs each.")).get("num_nodes") == 2


@pytest.mark.parametrize("message, model", [
    # a ViT named without its patch is the /16 model; a patch said after the name picks the model, or keeps it
    # another one than the catalogue's alias ("ViT-Base/14" is no ViT-B/16)
    ("Training a ViT-L on a TPU v4-8", "vit-l-16"), ("fine-tune ViT-Large at 224", "vit-l-16"),
    ("I train ViT-B/32 on ImageNet", "vit-b-32"), ("ViT-B/16 at 384", "vit-b-16"),
    ("I added the ViT-Base/14 model", "vit-base-14"),
    # a size before a family's name: the GPT-3 paper's layout at that size
    ("I want to train a 350M GPT from scratch on a single 4090.", "gpt3-350m"), ("a GPT-1.3B model", "gpt3-1.3b"),
    ("pretraining a 1.3B GPT from scratch", "gpt3-1.3b"),  # (until the twenty-third session: the size alone)
])
def test_vision_transformers_by_name_and_patch(message, model):
    assert labels_of(read(message)).get("model") == model


@pytest.mark.parametrize("message, expected", [
    # a source named after the number makes it the source's ("batch 32768 in the paper"), back to the user's own words
    # or a mark that parts the clause
    ("Our CLIP ViT-B/32 was trained with batch 32768 in the paper; we only have 8 V100 32GB.",
     {"reference_batch": 32768, "num_gpus": 8, "micro_batch": None}),
    ("I set batch_size to 1000 - the batch size is 8k in the paper.", {"micro_batch": 1000, "reference_batch": 8000}),
    # … but not one the user follows or compares with it, nor one made by the source that the user runs
    ("I use batch 256 as in the paper.", {"micro_batch": 256, "reference_batch": None}),
    ("I train on a 1080Ti with mini-batch size 32 as mentioned in the paper.", {"micro_batch": 32, "reference_batch": None}),
    ("I train with batch 64 in the repo's default config.", {"micro_batch": 64, "reference_batch": None}),
])
def test_a_source_named_after_a_number(message, expected):
    got = labels_of(read(message))
    assert {k: got.get(k) for k in expected} == expected, got


@pytest.mark.parametrize("message, expected", [
    # the user's own setting, then "is that equivalent to …": theirs is the run, only the other side is compared
    ("The paper trains with 8 V100s and batch 192 per GPU. I only have 2 RTX 3090s. If I set batch 192 per GPU and "
     "gradient accumulation 4, is that equivalent to the paper's 8x192?",
     {"micro_batch": 192, "grad_accum_steps": 4, "num_gpus": 2}),
    ("I use bs 8 with grad accum 4 on one GPU, would this be the same as bs 32?", {"micro_batch": 8, "grad_accum_steps": 4}),
    # (a question that opens with the comparison names no run)
    ("Is bs 8 with grad accum 4 the same as bs 32 for me?", {"micro_batch": None, "grad_accum_steps": None}),
    # a plain batch beside an accumulation count on one GPU is each step's, as trainers count it
    ("I fine-tune llama-2-7b with LoRA on one RTX 3090, batch size 8 with grad accum 4, and get CUDA OOM.",
     {"micro_batch": 8, "grad_accum_steps": 4, "batch_size": None}),
])
def test_own_setting_before_an_equivalence_question(kb, message, expected):
    got = facts(kb, message)
    assert {k: got.get(k) for k in expected} == expected, got


@pytest.mark.parametrize("message, expected, absent", [
    # a question about a recipe's batch, with no other aim said, is about reproducing it (blind set rq-2386..2415)
    ("In your README you write the batch size is 10 for each GPU. But I think it's 10 for all GPUs?",
     {"goal": "match_reference", "reference_batch": 10}, []),
    # … not beside a run that failed, nor without a question
    ("The paper used batch 256 and lr 0.1. My run crashed at batch 64, any idea?", {"reference_batch": 256}, ["goal"]),
    ("The paper used batch 256. I use 64.", {"reference_batch": 256}, ["goal"]),
    # a recipe's words quoted over several sentences are the recipe's, their 'we' too, until the quote closes
    ('The paper says: "All the experiments are performed on 8 GPUs. During the training, we set the batch size to 32 '
     'per GPU in parallel." In my experiment, the maximum batch_size is 4 per GPU.',
     {"micro_batch": 4, "reference_batch": 32}, []),
    ('The paper says: "All experiments run on 8 GPUs. We set the batch size to 32 per GPU." I set the batch size to 16 '
     'per GPU on my 2 GPUs.', {"num_gpus": 2, "micro_batch": 16, "reference_batch": 32}, []),
])
def test_questions_about_a_recipes_batch(message, expected, absent):
    assert_reads(message, expected, absent)


@pytest.mark.parametrize("message, goal", [
    # a result below the authors' is a reproduction; filling the card is choosing the batch (blind set rq-2386..2415)
    ("I get a mean IoU about 1 point lower than yours with the same config.", "match_reference"),
    ("My GPU is a 3090ti, and I want to use the GPU fully, so how should I set the parameters?", "choose_batch"),
    # slowness accepted to make it fit is no speed question (rq-2582)
    ("Fine-tuning a 7B model on my 64GB machine panics after a while. I don't want to compromise on quality; can I "
     "let it run slower but finish?", "fit"),
    ("OOM at batch 8 on a 3090. Is there any way to train it even if it takes longer?", "fit"),
    # enough data is not enough memory (rq-1237)
    ("Your code's batch size doesn't match the paper's 2880. Will performance be better with a larger batch size if "
     "training data is sufficient?", "match_reference"),
])
def test_goals_said_by_a_comparison_or_by_filling_the_card(message, goal):
    assert labels(message).get("goal") == goal


@pytest.mark.parametrize("message, expected", [
    # workers, threads or processes per GPU are no batch per GPU; the epoch named is no batch either
    ("I have one RTX3090, so the config (num_worker_per_gpu: 16, batch_size_per_gpu: 8) should be reduced",
     {"micro_batch": 8}),
    ("data = dict(samples_per_gpu=2, workers_per_gpu=4)", {"micro_batch": 2}),
    ("In the paper, the learning rate is set to 0.1, the batch size is set to 16 per GPU, and the epoch is set to 30.",
     {"reference_batch": 16}),
])
def test_counts_per_gpu_of_other_things(message, expected):
    assert_reads(message, expected, [])


@pytest.mark.parametrize("message, goal", [
    # an issue template's headings and a failure reproduced are no goal of reproducing a result (review 28 #10, #12)
    ("### To Reproduce\nSteps to reproduce the behavior:\n1. run train.py with batch 8", None),
    ("To reproduce the error, run train.py with batch 8 on a 3090.", None),
    ("How can I reproduce the results in the paper on 4 GPUs?", "match_reference"),
    # (review 65 #22) a template's checkbox: someone else reproducing the bug
    ("- [X] I have provided enough information for the maintainers to reproduce and diagnose the issue.", None),
])
def test_reproducing_a_failure_is_no_reproduction(message, goal):
    assert labels(message).get("goal") == goal


def test_a_reproduction_heading_is_no_replication_goal(kb):
    assert "goal" not in facts(kb, "## Reproduction\nHere is the code snippet that I used: batch_size = 32")
    assert facts(kb, "How can I reproduce the results in the paper on 4 GPUs?").get("goal") == "replicate"
    assert "goal" not in facts(kb, "- [X] I have provided enough information for the maintainers to reproduce and "
                                   "diagnose the issue.")


def test_an_unticked_template_choice_is_not_the_users(kb):
    """An issue template's "- [ ] Windows" is an option not picked (review 65 #22); the ticked one is."""
    template = "### Which Operating Systems are you using?\n\n- [X] Linux\n- [ ] macOS\n- [ ] Windows\n"
    assert "windows_named" not in facts(kb, template)
    assert facts(kb, template.replace("[ ] Windows", "[x] Windows")).get("windows_named") is True


@pytest.mark.parametrize("message", [
    # a size said as a use or as a part of what a step holds is no card's memory (review 28 #9, #12, #28)
    "the first GPU will have 4000MB Memory usage while the other 3 are at 700MB.",
    "With Micro Batch Size 1, wandb shows 16GB memory usage, and the estimated runtime is 156 hours.",
    "CP8 + TP8 helps, but there is still as much as 50G of activation value memory.",
])
def test_a_use_or_a_part_is_no_cards_memory(message):
    assert "gpu_memory_gb" not in labels(message)


def test_memory_usage_said_after_the_size_is_the_use_measured(kb):
    assert facts(kb, "With micro batch size 1, wandb shows 16GB memory usage.").get("measured_use") == 16e9
    assert facts(kb, "I have 24GB memory.").get("gpu_memory") == 24 * 2**30  # (a card's GB are read as GiB)


@pytest.mark.parametrize("message, stage", [
    # a key that sets something of stage 3 names no stage: accelerate's `zero3_init_flag` beside `zero_stage: 2`
    # (review 28 #5)
    ("deepspeed_config:\n  zero3_init_flag: true\n  zero_stage: 2\ndistributed_type: DEEPSPEED", 2),
    ("--deepspeed configs/ds_zero3.json", 3),
    ("I use zero3_offload on 4 GPUs", 3),
])
def test_settings_of_a_zero_stage_name_no_stage(message, stage):
    assert labels(message).get("zero_stage") == stage


@pytest.mark.parametrize("message, attention", [
    # review 37 #9: PyTorch before 2.0 has no SDPA, Transformers before 4.36 did not use it by default
    ("run_clm.py on a V100 32GB OOMs (transformers 4.3.3, PyTorch 1.6.0, single GPU)", "eager"),
    ("pytorch-pretrained-bert fine-tuning of bert-large runs out of memory", "eager"),
    ("CUDA 11.1 and torch 1.10 on an A100", "eager"),
    ("torch==2.1.0 and transformers==4.40.1 on an A100", None),
    ("transformers 4.36.2 on an A100", None),
    # an attention said wins over the stack's
    ("transformers 4.30.0 with attn_implementation='flash_attention_2'", "flash"),
])
def test_a_stack_older_than_sdpa_counts_eager_attention_without_labelling_it(kb, message, attention):
    assert facts(kb, message).get("attention") == attention
    if attention == "eager":
        assert "attention" not in labels(message)  # (the corpus labels only an attention said)


@pytest.mark.parametrize("message, factor", [
    # review 37 #27: the batch named before its participle
    ("I'm training GFPGAN with 8 GPUs, which means the total batch size will be doubled compared with your setup.", 2.0),
    ("the batch size was halved and the lr doubled", 0.5),
    ("I doubled the batch size", 2.0),
    # … not another setting's participle after a batch
    ("batch 8 and the learning rate doubled", None),
    # rq-2732: "half of the original", "by half", "twice the default" after the batch
    ("I changed the batch size to 70 (half of the original)", 0.5),
    ("I reduced the batch size by half to 70", 0.5),
    ("my batch size is twice the default", 2.0),
    ("I set the lr to half of the original and the batch size 64", None),
])
def test_a_batch_doubled_or_halved_is_a_change_by_that_factor(kb, message, factor):
    assert facts(kb, message).get("batch_scale_factor") == factor


@pytest.mark.parametrize("message, now, before", [
    # the batch said with the factor it changed by: the batch before it is the one the LR was set for
    ("I halved the batch size to 32, should I change the LR?", 32, 64),
    ("I doubled the batch size to 64 and the loss got worse", 64, 32),
    ("A100单卡训练，其中batchsize我改成了70（原来的一半），测试完发现和论文的数据相差很大", 70, 140),
    # a terse past without its auxiliary still says the batch now
    ("batch size changed to 70", 70, None),
])
def test_a_batch_said_with_its_factor_gives_the_batch_before(kb, message, now, before):
    found = facts(kb, message)
    assert found.get("batch_size") == now and found.get("reference_batch") == before


def test_xlas_memory_report_gives_bytes_not_a_model_or_a_batch(kb):
    # rq-2998: "global 241.0K, scoped 9.56M" in XLA's HBM report are bytes, not a batch of 241,000 or a model
    got = labels("OOM on a TPU v2-8 (8GB per core). Total hbm usage >= 9.50G: reserved 530.00M, program 8.98G, "
                 "arguments 0B. Program hbm requirement 8.98G: global 241.0K, scoped 9.56M, HLO temp 8.97G.")
    assert not {"model", "params", "batch_size", "micro_batch"} & set(got)
    # … while a card's memory type is no report: "Llama-7B on 8xH100-80GB (HBM3)" keeps its model's size
    assert labels("I'm trying to train Llama-7B on 8xH100-80GB (HBM3).")["params"] == 7e9


@pytest.mark.parametrize("message, expected, absent", [
    # rq-2995: diffusers' `--validation_epochs=25` is how often, not how long; "a CudaOutOfMemory exception" is an OOM
    ("accelerate launch train_dreambooth_lora_flux.py --validation_epochs=25 --max_train_steps=500; it raises a "
     "CudaOutOfMemory exception", {"oom": True}, ["epochs"]),
    # rq-3004: the full fine-tune fails, the LoRA that works is another run
    ("Can't finetune sdxl with a 4090, out of memory. I am able to successfully train an SDXL LoRA, however.",
     {"training_mode": "finetune", "oom": True}, []),
    # rq-3003: ESPnet's --ngpu, and a GPU count's key said before each number of a change
    ("going from ngpu=4 to ngpu=2 I set batch_bins /= 2 and accum_grad *= 2", {"num_gpus": 2}, []),
    ("going from num_gpus=4 to num_gpus=2", {"num_gpus": 2}, []),
    ("I train with --ngpu 4", {"num_gpus": 4}, []),
    # rq-3075: the repo the user trains is their instrument, its setup theirs; the authors' GPUs are "you trained on"
    ("I'm training your repo with 2 A100s and set batch_size = 192. Do I have to set accumulate_grad_batches to 4 "
     "since you trained on 8 A100s?", {"num_gpus": 2, "gpu_model": "a100", "reference_batch": 1536}, []),
    ("The official repo trains with 8 A100s and batch_size = 192.", {}, ["num_gpus"]),
    # rq-3050: RWKV's and BLOOM's sizes written with the unit as the decimal point; not a key's "3b_v2" or a hash
    ("I try to finetune the RWKV 1B5 model: --load_model RWKV-4-Raven-1B5-v11.pth", {"params": 1.5e9}, []),
    ("I load bigscience/bloomz-7b1-mt", {"params": 7.1e9}, []),
    ('model_id = "openlm-research/open_llama_3b_v2"', {"params": 3e9}, []),
    # review 38 #5: device_map='cuda' (or {'': 0}) puts the whole model on one device; only 'auto' and its kind split
    ("The notebook sets device_map='cuda' when loading the 4-bit model on my 4x P40", {}, ["parallelism"]),
    ("device_map='auto' over 4 GPUs", {"parallelism": "device_map"}, []),
    # review 38 #22: the one layout said of the user's own run gives its per-GPU batch and its batch per update;
    # a guess at someone else's layout gives none
    ("The default LR is for 8 GPUs x 2 img/gpu (batch 16). I train on 48 GPUs x 2 img/gpu (batch 96) with lr=0.12.",
     {"num_gpus": 48, "micro_batch": 2, "batch_size": 96, "reference_batch": 16}, []),
    ("You mentioned batch size = 4096; I would guess 4096 = 8 GPU * 64 mini bs * 8 accum_steps.", {},
     ["micro_batch", "batch_size"]),
    # review 38 #12: "epochs of 3d_cascade_fullres" - the number begins a name; a tag's "…_3epochs" still counts
    ("Long training times for different epochs of 3d_cascade_fullres nnU-Net training", {}, ["epochs"]),
    ("--asr_tag whisper_large_V2_finetune_lr1e-5_3epochs", {"epochs": 3}, []),
    # RWKV-LM's own flags
    ("train.py --micro_bsz 4 --grad_cp 0 --lr_init 6e-4", {"micro_batch": 4, "grad_checkpointing": False, "lr": 6e-4},
     []),
])
def test_phrasings_from_the_twenty_eighth_session(message, expected, absent):
    assert_reads(message, expected, absent)


def test_llama_factory_is_known_by_its_cli(kb):
    # LLaMA-Factory checkpoints activations unless told not to (its disable_gradient_checkpointing defaults to False)
    assert facts(kb, "llamafactory-cli train examples/train_lora/llama3_lora_sft.yaml").get("grad_checkpointing") is True


@pytest.mark.parametrize("message, named", [
    ("I launch it with accelerate on 2 GPUs", True),
    ("accelerate launch --num_processes 2 train.py --train_batch_size 32", True),
    ("How can I accelerate training on 2 GPUs with train_batch_size 32?", False),
])
def test_accelerate_the_library_not_the_verb(kb, message, named):
    assert facts(kb, message).get("accelerate", False) is named


def test_a_layouts_product_is_no_change_and_a_layout_on_other_gpus_is_the_reference(kb):
    # review 28 #24: "does the config's LR=0.0001 assume 8x GPU (2 samples per gpu, so effective BS of 16)? … on a
    # cluster with only 4 GPUs": 2 → 16 is the layout's product, and 8 × 2 is the recipe's batch per update
    got = facts(kb, "Does the current configs of initial LR=0.0001 assume training on 8x GPU (2 samples per gpu, so "
                    "effective BS of 16)? If I were to train on a cluster with only 4 GPUs, I should be doubling "
                    "max_iters and also the initial LR. Just want to confirm.")
    assert got.get("num_gpus") == 4 and got.get("reference_batch") == 16
    assert "batch_scale_factor" not in got and "reference_micro_batch" not in got


@pytest.mark.parametrize("message, expected, absent", [
    # a setting turned off after it is named, with another between, is not used; a model named for comparison is
    # not the one trained (review 28 #21)
    ("When I train lora on the 3.6B model C, these results occur with fsdp and EMA turned off.",
     {"training_mode": "lora"}, ["parallelism"]),
    ("gradient checkpointing is on but offload is disabled", {"grad_checkpointing": True}, ["offload"]),
    ("I use fsdp, and the logging is off", {"parallelism": "fsdp"}, []),
    ("Is it not recommended to train at a resolution of 1024, as is done with sdxl?", {}, ["model"]),
    ("My model trains slower than llama-7b on the same GPU.", {}, ["model"]),
])
def test_settings_turned_off_and_models_compared_with(message, expected, absent):
    assert_reads(message, expected, absent)


@pytest.mark.parametrize("message, expected", [
    # a model or a size switched to is the run's, over the one named before it (review 28 #20)
    ("At the beginning I tried to use the 14B model but since I got plenty of OOM errors I switched to the much "
     "smaller 1.3B model.", {"params": 1.3e9}),
    ("At first I used llama-2-13b but it OOMed, so I switched to llama-2-7b.", {"model": "llama-2-7b"}),
])
def test_a_model_switched_to_is_the_runs(message, expected):
    assert_reads(message, expected, [])


@pytest.mark.parametrize("message, precision", [
    # a precision key that ends in what it switches on (Tacotron 2's `fp16_run`) sets it; False sets nothing
    # (review 28 #27); `bf16_accumulate_gradient` is another setting
    ("python train.py --hparams=distributed_run=True,fp16_run=True,batch_size=16", "amp_fp16"),
    ("hparams: fp16_run=False", None),
    ("bf16_accumulate_gradient: true", None),
])
def test_precision_keys_that_end_in_a_switch(message, precision):
    assert labels(message).get("precision") == precision


@pytest.mark.parametrize("message, expected, absent", [
    # bits said of the optimizer are its states', not a quantised base (review 28 #8)
    ("I use a custom 4-bit optimizer instead of the default 32bit optimizer, ZeRO-3 offload of a qwen-2.5 3B.",
     {"zero_stage": 3}, ["training_mode", "precision"]),
    ("QLoRA with a 4bit base and 8bit adam", {"training_mode": "qlora", "optimizer": "adamw_8bit"}, []),
])
def test_bits_of_the_optimizer_are_no_quantised_base(message, expected, absent):
    assert_reads(message, expected, absent)


def test_an_optimizer_named_by_its_width_is_adamw_quantised(kb):
    # 8 and 4 bits are AdamW's moments quantised (bitsandbytes; lpmm and torchao's AdamW4bit: 1 byte a parameter)
    got = facts(kb, "I use a custom 4-bit optimizer instead of the default 32bit optimizer, ZeRO-3 offload.")
    assert got.get("optimizer") == "adamw_4bit"
    assert facts(kb, "I use an 8-bit optimizer with LoRA").get("optimizer") == "adamw_8bit"
    assert facts(kb, "full fine-tune with torchao's AdamW4bit on a 4090").get("optimizer") == "adamw_4bit"


@pytest.mark.parametrize("message, goal", [
    # memory granted as a premise is no question of fitting (review 28 #7); asked about, it is
    ("Anything to watch for, e.g. learning rate and batch size? Given that I have a large enough amount of GPU memory, "
     "do clips longer than 10 seconds need to be split?", "choose_lr"),
    ("I have 24GB, is it enough for llama-7b?", "fit"),
    # the authors' environment asked about is their setup, to match (review 28 #22)
    ("Also, can you explain your train environment, such as how many GPU cards are used?", "match_reference"),
])
def test_memory_granted_as_a_premise_is_no_fit_question(message, goal):
    assert labels(message).get("goal") == goal


@pytest.mark.parametrize("message, expected, absent", [
    # a model or a size said beside a failure outranks one said beside a success ("no issue" is one)
    # (the same line in the size that fails: LLaMA's 13B, not Llama-2's)
    ("I had no issue with llama 7B training with save every 100 steps, but had an OOM with 13B.",
     {"params": 13e9, "model": "llama-13b"}, []),
    ("Llama-2-7b trains fine, but llama-2-13b runs out of memory on my 4090.", {"model": "llama-2-13b"}, []),
])
def test_the_model_that_fails_is_the_one_asked_about(message, expected, absent):
    assert_reads(message, expected, absent)


@pytest.mark.parametrize("message, expected, absent", [
    # "if you were using 8 GPUs" asks about the authors' past run; "if you keep … and train with 8 GPUs" is the
    # asker's own case in a generic 'you'
    ("How many GPUs did you use? If you were using 8 GPUs, is the global batch size 16?", {}, ["num_gpus", "batch_size"]),
    ("If you keep batch_size = 128 and train with 8 GPUs, is the LR the same?", {"num_gpus": 8}, []),
])
def test_a_past_run_of_yours_is_the_authors(message, expected, absent):
    assert_reads(message, expected, absent)


@pytest.mark.parametrize("message, expected, absent", [
    # blind set rq-2506..2535 (twentieth session): a fraction of a value is no value; a result is no batch, though
    # the batch was named before; a heading before "you ran on 4 GPUs" leaves the GPUs the authors'
    ("On a 4090 I only changed batch_size to 1/8 of the original and kept the learning rate.",
     {"gpu_model": "rtx-4090"}, ["batch_to", "micro_batch", "batch_size"]),
    ("I reduced the batch_size by half. The final accuracy is around 54, while the result reported in your paper is 63.",
     {}, ["reference_batch"]),
    ("I reduced the batch size by half. The paper uses 64, and I use 32.", {"reference_batch": 64}, []),
    ("Follow-up: you ran on 4 GPUs and I run on a single GPU, so my batch size was reduced 8x.", {"num_gpus": 1}, []),
    ("About the learning rate when training with one GPU: you train with 4 GPUs and set the learning rate to 0.01.",
     {"num_gpus": 1}, ["lr"]),
    ("I run the script with the same setup: wenetspeech recipe, `--world-size 1 --num-epochs 30`", {"epochs": 30}, []),
    # names: "Res50" is ResNet-50; MS-Celeb-1M ("faces_ms1m_112x112") is a data set, not a 1M-parameter model
    ("training MoCo with Res50 on 4 V100s", {"model": "resnet50"}, []),
    ("python train_softmax.py --network r50 --data-dir ../datasets/faces_ms1m_112x112", {}, ["model", "params"]),
    # a setting said to be worth trying is not in use
    ("The training speed remains almost unchanged. Perhaps AMP or DALI could be used.", {}, ["precision"]),
    ("Maybe mixed precision would help here?", {}, ["precision"]),
    ("I train with fp16, which would help with speed.", {"precision": "amp_fp16"}, []),
    # review 29 #7, #8: a hash's digits and a data set's or a tokenizer's file name no model
    ("To reproduce: https://gist.github.com/tobiascz/0cbb81abb98b1d094c17459b81ba8059", {}, ["model", "params"]),
    ("python data_utils.py --sp_path=data/pub3m_cased.model --seq_len=512", {"seq_len": 512}, ["model", "params"]),
    ("--dataset_name=lambdalabs/pokemon-blip-captions --output_dir data/Qwen2.5-1.5B-Open-R1-GRPO", {},
     ["model", "params"]),
    ("fine-tuning bloom-7b1 with --model_name_or_path /data/qwen2-7b", {"model": "qwen2-7b"}, []),
    # a parallel degree of one splits nothing; NVMe offload goes further than the CPU's; the authors' card said again
    ("Tried tensor_model_parallel_size=1 - did not work", {}, ["parallelism"]),
    ("--tensor_model_parallel_size 2 --pipeline_model_parallel_size 1", {"parallelism": "tensor"}, []),
    ("ZeRO-offload needs 346GB of CPU memory, so I tried ZeRO-infinity to offload the optimizer to nvme",
     {"offload": "nvme"}, []),
    ("How did training with a batch size of 8 fit onto a single A100? You mention you used a single A100. On a 24 GB "
     "4090 a batch size of one already takes up 20+ GBs.", {"gpu_model": "rtx-4090", "gpu_memory_gb": 24}, []),
    # "using a 22GB GPU" is the card; a model said replaced is not the one run, though the command names it
    ("I am using a 22GB GPU and trying to obtain the same results as you.", {"gpu_memory_gb": 22}, []),
    ("python run_squad.py --model_name_or_path bert-base-cased --per_gpu_train_batch_size 24. We are trying the same "
     "command (except bert-base-cased, we are using bert-large-uncased-whole-word-masking) on 8x V100.",
     {"model": "bert-large", "micro_batch": 24}, []),
    ("I have 2 x Quadro GV100 and they don't have enough memory to run training at a batch size of 512",
     {"gpu_model": "quadro-gv100", "gpu_memory_gb": 32, "num_gpus": 2}, []),
    # "whose original setting is: …" speaks of the recipe until the user speaks of their own
    ("I'm training with a single GPU, whose original setting is: samples per GPU=2, nums of GPUs=8 (batch size = 2 * 8 "
     "= 16), learning rate=0.02. Should I change it into: samples per GPU=8, nums of GPUs=1, learning rate=0.01?",
     {"num_gpus": 1, "reference_batch": 16, "lr": 0.01, "micro_batch": 8}, []),
    # JAX: a tree of shardings that partitions the state over the devices shards it fully
    ("My instance has 8 GPUs, each with 16 GiB. I have created a sharding tree that partitions the state fairly "
     "uniformly across the 8 devices.", {"parallelism": "fsdp", "num_gpus": 8}, []),
    # PPO's epochs are passes over each rollout, not over a data set
    ("python ppo.py --update_epochs=8 --num_envs 1024", {}, ["epochs"]),
    ("--ppo_epochs 4 --num_train_epochs 3", {"epochs": 3}, []),
    # the batch per update worked out from the per-GPU batch is no change of it (but a batch changed with the GPUs is)
    ("I use 20 GPUs. The only changes I made are batch_size: 4 and gradient_accumulation: 2, so the effective batch "
     "size would be 160.", {"micro_batch": 4, "grad_accum_steps": 2, "batch_size": 160}, ["batch_from", "batch_to"]),
    ("Single GPU: SOLVER.IMS_PER_BATCH 1. When I use two GPUs, should I change it to SOLVER.IMS_PER_BATCH 2?",
     {"batch_from": 1, "batch_to": 2}, []),
])
def test_fractions_results_and_headings_are_no_settings_of_the_user(message, expected, absent):
    assert_reads(message, expected, absent)


def test_megatrons_mp_size_is_the_model_parallel_degree(kb):
    # review 29 #17: DeepSpeedExamples' Megatron script sets MP_SIZE=2 over NUM_GPUS_PER_WORKER=2
    got = facts(kb, "NUM_WORKERS=1\nNUM_GPUS_PER_WORKER=2\nMP_SIZE=2\nGPT-2 774M OOMs")
    assert got.get("model_parallel_gpus") == 2


@pytest.mark.parametrize("message, expected, absent", [
    # review 29: sizes that are no card's - memory left free, a sum worked out, a host's use
    ("GPU 0 has a total capacity of 79.26 GiB of which 104.75 MiB is free. It is unacceptable that with 4 GB of free "
     "memory, the allocator is unable to create large enough segments!", {"gpu_memory_gb": 80}, []),
    ("The state is 18B parameters in total. In half precision that is 36B bytes, i.e. 36 GB of memory. My instance "
     "has 8 GPUs, each with 16 GiB of GPU memory.", {"gpu_memory_gb": 16, "num_gpus": 8}, []),
    ("RAM memory leak? I'm training on 2 GPUs. Training starts with ~30GB of memory used but rises to 200GB.",
     {"num_gpus": 2}, ["gpu_memory_gb"]),
    # the optimizer that fails is the run's, over the one that works; keras' ModelParallel shards the variables
    ("I can fine-tune at sequence lengths up to ~4k with a batch size of 1 using SGD. I can't fine-tune at all using "
     "AdamW, with keras.distribution.ModelParallel on 4x 4090s.",
     {"optimizer": "adamw", "parallelism": "tensor", "num_gpus": 4}, []),
    ("With AdamW it trains fine, but with Lion it runs out of memory", {"optimizer": "lion"}, []),
    ("Can I train with AdamW on one 4090?", {"optimizer": "adamw"}, []),
])
def test_sizes_that_are_no_cards_and_the_optimizer_that_fails(message, expected, absent):
    assert_reads(message, expected, absent)


def test_a_setting_refused_beside_another_is_refused_too(kb):
    # review 29 #18: "I don't want to use Gradient Checkpointing or Gradient Accumulation"
    got = facts(kb, "I don't want to use Gradient Checkpointing or Gradient Accumulation. How do I set "
                    "PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True?")
    assert got.get("grad_checkpointing") is False and not got.get("mentions_accumulation")
    assert facts(kb, "I use gradient checkpointing and gradient accumulation").get("mentions_accumulation") is True


@pytest.mark.parametrize("message, expected, absent", [
    # blind set rq-2626..2655: a laptop GPU is not the desktop card of its number (16 GB, not the 4090's 24)
    ("Note I have a 4090 laptop edition with 16 Gb. CUDA out of memory. Tried to allocate 8.09 GiB (GPU 0; 15.99 GiB "
     "total capacity; 9.99 GiB already allocated)", {"gpu_model": "rtx-4090-laptop", "gpu_memory_gb": 16}, []),
    ("NVIDIA GeForce RTX 4060 Laptop GPU", {"gpu_model": "rtx-4060-laptop", "gpu_memory_gb": 8}, []),
    ("I have a 4090", {"gpu_model": "rtx-4090", "gpu_memory_gb": 24}, []),
    # a flag's own name glued to its dashes is a setting, not the OPT (or CLIP) model
    ("Not using xformers, launch argument is --opt-sdp-attention.", {}, ["model", "params"]),
    ("fairseq-train --clip-norm 0.1 --max-tokens 4096", {}, ["model"]),
    ("I fine-tune OPT-350m with --opt-sdp-attention", {"model": "opt-350m"}, []),
    # a share of nothing offloads nothing (ColossalAI's fractions)
    ("args: Namespace(plugin='gemini', offload_optim_frac=0.0, offload_param_frac=0.0, tp=4)", {}, ["offload"]),
    ("--offload_optim_frac 1.0", {"offload": "cpu"}, []),
    # epochs completed, or the epoch an error came at, are how far a run got, not how long it is planned
    ("For batch 5 and 4 I was able to complete 1 epoch but get OOM errors after that.", {"oom": True}, ["epochs"]),
    ("it gives an out of memory error at 2.5 epochs", {"oom": True}, ["epochs"]),
    ("much slower than 4 GPUs finishing 75 epochs per day in your paper", {}, ["epochs"]),
    ("I train for 300 epochs", {"epochs": 300}, []),
    # Huawei's NPU is named with a number and a 'B': no model of 910B parameters
    ("NPU: ascend 910b*8. I tried to fine-tune Qwen2.5-vl on the NPUs", {"model": "qwen2.5-vl"}, ["params"]),
    ("training Qwen-7B x 2 on 2 GPUs", {"params": 7e9}, []),
    # DeepSpeedExamples' Megatron script: the GPUs of each worker, split over by the model-parallel size
    ("NUM_WORKERS=1\nNUM_GPUS_PER_WORKER=2\nMP_SIZE=2", {"num_gpus": 2, "parallelism": "tensor"}, []),
    # review 29 #14: the user's own per-GPU batch times their GPUs, by the authors' rule, is the user's batch
    ("I only have 4 GPUs, and I changed the batch size (aka max duration) from 250 to 800. I used --max-duration 800 "
     "with 4 GPUs; according to your statement the actual batch size is 800 * 4 = 3200s, right?",
     {"batch_from": 250, "batch_to": 800, "batch_size": 3200}, ["reference_batch"]),
    # an environment report's line for identical GPUs: the ids' count (not "7: Tesla" as seven)
    ("Environment: GPU 0-7: Tesla V100-PCIE-32GB, CUDA 10.1", {"num_gpus": 8, "gpu_model": "v100-32gb"}, []),
    ("GPU 0,1,2,3: Tesla V100-SXM2-32GB", {"num_gpus": 4}, []),
    ("RuntimeError: CUDA out of memory (GPU 0; 10.76 GiB total capacity)", {}, ["num_gpus"]),
    # LAVIS's and MiniGPT-4's `max_epoch`
    ("run:\n  max_epoch: 5\n  iters_per_epoch: 200\n  batch_size_train: 12", {"epochs": 5}, []),
    # asking how many GPUs another run used is no question about the user's own count
    ("Your paper says batch 64, but I didn't find how many GPUs were used. My device is a single 3090",
     {"num_gpus": 1}, []),
])
def test_laptop_cards_and_flag_names_from_the_twenty_first_session(message, expected, absent):
    assert_reads(message, expected, absent)


def test_a_total_over_the_gpus_is_not_one_gpus_use():
    # review 29 #17: nvidia-smi's per-GPU lines, then their sum
    assert read("GPU1: 11GB/12GB\nGPU2: 11GB/12GB\nTotal: 22GB/24GB").measured_gb == 11
    assert read("Total: 22GB/24GB").measured_gb is None
    assert read("nvidia-smi shows 13709MiB / 15360MiB").measured_gb == pytest.approx(13709 / 1024)


def test_a_launch_command_with_fewer_gpus_than_the_machine_is_the_runs_count(kb):
    # review 29 #10: "Titan V * 2" and `train_net.py --num-gpus 1`: the run is on one GPU (the labels keep the
    # machine's two; the consultation counts the run's)
    message = "GPU: Titan V * 2 = 11G * 2. I run python ./tools/train_net.py --num-gpus 1 --config-file yolof.yaml"
    assert labels_of(read(message))["num_gpus"] == 2
    assert facts(kb, message)["num_gpus"] == 1
    assert facts(kb, "I have 8 GPUs, NUM_GPUS=4 in the script")["num_gpus"] == 4
    # a count changed, or a device picked for one of two runs, is not the run's launch
    assert facts(kb, "Increasing --num-gpus from 1 to 2 gave a higher ETA. The GPUs are Tesla K80")["num_gpus"] == 2
    assert facts(kb, "CUDA_VISIBLE_DEVICES=0 python train.py works. The same with deepspeed on 2 cards OOMs.")[
        "num_gpus"] == 2


@pytest.mark.parametrize("message, expected, absent", [
    # a family whose name alone names the model trained: read, but as a vague name a fuller one replaces
    ("I was trying to train a retinanet model on a custom dataset and hit out of memory", {"model": "retinanet"}, []),
    ("I'm trying to train XLNet on protein sequences and get an OOM", {"model": "xlnet"}, []),
    ("BEVFormer trains with batchsize=1 per GPU. I use bevformer-small on 8 GPUs", {"model": "bevformer-small"}, []),
    ("YOLOX-nano at batch 64 on a 2080 Ti", {"model": "yolox-nano"}, []),
    ("Tacotron2 with batch 32 OOMs on my 2060", {"model": "tacotron2"}, []),
    ("EfficientDet-D6 on 4 V100s", {"model": "efficientdet-d6"}, []),
    # a word of its own is no model ("clip the gradients"), nor is a model compared with, or a path's last part
    ("I clip the gradients at 1.0", {}, ["model"]),
    ("Compared to https://github.com/NVIDIA/tacotron2, TTS uses more memory", {}, ["model"]),
    ("I follow Recommendation/DLRM/PyTorch from the examples", {}, ["model"]),
])
def test_model_families_named_alone_from_the_twenty_second_session(message, expected, absent):
    assert_reads(message, expected, absent)


@pytest.mark.parametrize("message, expected, absent", [
    # a batch lowered from one the user ran before (one the authors ran stays theirs: the reference)
    ("I trained 3,000 images with batch size 24 on 4 GPUs successfully. With 60,000 images I have to reduce the "
     "batch size to 8 to avoid CUDA out of memory.", {"batch_from": 24, "batch_to": 8}, []),
    ("You say that with your 12gb card you could run 2 images in one batch, so I reduced the batch size to 1.",
     {"reference_batch": 2, "batch_to": 1}, ["batch_from"]),
    ("I trained with batch size 24 successfully. Then I changed the batch size to 8.", {"batch_from": 24}, []),
    # two batches run before: which one was changed is not said
    ("I successfully trained with batch size 24, and I successfully trained with batch size 32. I reduced the batch "
     "size to 8.", {"batch_to": 8}, ["batch_from"]),
])
def test_a_batch_lowered_from_an_earlier_run_from_the_twenty_second_session(message, expected, absent):
    assert_reads(message, expected, absent)


@pytest.mark.parametrize("message, expected, absent", [
    # blind set rq-2686..2715: a warmup's length in epochs is not the run's
    ("warmup_epochs: 5\nepochs: 100", {"epochs": 100}, []),
    ("--warmup-epochs 5 --epochs 300", {"epochs": 300}, []),
    ("the learning rate should be 0.1 and warm-up epochs should be 40 = 800*5%, right?", {}, ["epochs"]),
    ("I use 5 warmup epochs and train for 90 epochs", {"epochs": 90}, []),
    ("--num_train_epochs 3 --warmup_steps 100", {"epochs": 3, "warmup_steps": 100}, []),
    # EC2's instance family is no Tesla P4
    ("I'm using an AWS p4 node with 8 A100 GPUs", {"gpu_model": "a100", "num_gpus": 8}, ["gpu_memory_gb"]),
    ("a Tesla P4 with 8GB", {"gpu_model": "tesla-p4"}, []),
    ("a 2x Tesla P100 machine", {"gpu_model": "p100", "num_gpus": 2}, []),
    # the user training the authors' network runs their own setup
    ("Your paper says you can train with batch size 16 on 8 2080TI GPUs. But when I train your network, GPU memory "
     "is already 8.5G with batch size 1.", {"micro_batch": 1, "reference_batch": 16}, []),
    # "each one" after the GPUs is each GPU
    ("using 2 GPUs (each one 7.6 G RAM)", {"num_gpus": 2, "gpu_memory_gb": 7.6}, []),
    ("We use 32 CPUs and 8 GPUs with 200G RAM.", {"num_gpus": 8}, ["gpu_memory_gb"]),
    # a traceback through torch's wrappers says which one runs (a quoted path is no title)
    ('  File ".../torch/nn/parallel/data_parallel.py", line 152, in forward', {"parallelism": "dp"}, []),
    ('  File "/usr/lib/python3/site-packages/torch/nn/parallel/distributed.py", line 1008', {"parallelism": "ddp"}, []),
    ("/datas/fsdp_runs/logs/out.txt", {}, ["parallelism"]),
    # review 31 #10: a count worked out as a quotient is its result ("1024/8/16 = 8"), not its first term
    ("global batch size = 1024, devices = 8, micro batch size = 16 gives accumulation steps 1024/8/16 = 8",
     {"grad_accum_steps": 8, "batch_size": 1024, "micro_batch": 16}, []),
    # review 31 #8: "a Titan" is a Titan X or a Titan RTX, not the 24 GB one said for sure
    ("I have part-time access to a Titan and a 980 at home", {"gpu_model": "titan"}, ["gpu_memory_gb"]),
    ("a Titan RTX", {"gpu_model": "titan-rtx", "gpu_memory_gb": 24}, []),
    ("GTX TITAN X", {"gpu_model": "titan-x", "gpu_memory_gb": 12}, []),
])
def test_phrasings_from_the_blind_set_of_the_twenty_second_session(message, expected, absent):
    assert_reads(message, expected, absent)


def test_a_transformers_shape_given_as_settings_counts_its_parameters(kb):
    # review 29 #7/#17: Megatron's and nanoGPT's flags give the shape; no size is said, so the count comes from it
    megatron = ("--num-layers 32 --hidden-size 4096 --num-attention-heads 32 --seq-length 4096 "
                "--ffn-hidden-size 14336 --num-query-groups 8 --swiglu --group-query-attention")
    # 32 × (2·4096² + 2·4096·1024 + 3·4096·14336), no vocabulary given: Mistral-7B's shape without its embeddings
    assert facts(kb, megatron)["params"] == 32 * (2 * 4096**2 + 2 * 4096 * 1024 + 3 * 4096 * 14336)
    nanogpt = "n_layer = 12\nn_head = 12\nn_embd = 768\nvocab_size = 50304\nbatch_size = 12"
    assert facts(kb, nanogpt)["params"] == 12 * (4 * 768**2 + 2 * 768 * 3072) + 50304 * 768  # GPT-2 small, ~124M
    # a small shape without its vocabulary is not counted (the embeddings could be a third of it), nor is an LSTM's
    # layers and hidden size (no heads), nor a size in prose; a size said, or a catalogue model, wins
    assert "params" not in facts(kb, "n_layer = 12\nn_head = 12\nn_embd = 768")
    assert "params" not in facts(kb, "nn.LSTM(input_size=128, hidden_size=4096, num_layers=32)")
    assert "params" not in facts(kb, "a model with 32 layers, a hidden size of 4096 and 32 attention heads")
    assert facts(kb, "my 1.3B model: --num-layers 24 --hidden-size 2048 --num-attention-heads 16")["params"] == 1.3e9
    # the reading's labels keep to what was said: a count worked out is not a size the message gives
    assert "params" not in labels_of(read(megatron))


def test_differences_and_xla_paths_from_review_31(kb):
    # review 31 #12: "~3000MB more than the other 3 GPUs" is a difference, not what the run uses
    assert read("GPU-0 always uses ~3000MB more than the other 3 GPUs").used_bytes is None
    assert read("it takes 20GB more or less").measured_gb == 20
    # review 31 #21: JAX's log prints XLA's sources under org_tensorflow: no TensorFlow run
    jax_log = ("OOM when jax.jit compiles train_step.\nW external/org_tensorflow/tensorflow/core/common_runtime/"
               "bfc_allocator.cc:479] Allocator (GPU_3_bfc) ran out of memory trying to allocate 74.65GiB")
    got = facts(kb, jax_log)
    assert got.get("jax_named") is True and "tensorflow_named" not in got
    assert facts(kb, "I tensorflow/core/common_runtime/bfc_allocator.cc:917] Sum Total of in-use chunks: 10.05GiB")[
        "tensorflow_named"] is True


@pytest.mark.parametrize("message, expected", [
    # one node compared with several: the run asked about is the several (blind set 34: rq-2807-like)
    ("~12000 tokens/sec/device with 1 node (4 GPUs) but only ~9000 tokens/sec/device with 2 nodes", {"num_nodes": 2}),
    ("single-node training runs fine, but with 2 nodes it is very slow", {"num_nodes": 2}),
    ("--nnodes 1 --nproc_per_node 4", {"num_nodes": 1}),
    # Keras' mixed-precision policies; a precision 'by default' gives way to the one the run now uses
    ("I set the policy to mixed_float16 and training got slower", {"precision": "amp_fp16"}),
    ("tf.keras.mixed_precision.set_global_policy('mixed_bfloat16')", {"precision": "amp_bf16"}),
    ("about 1.8 steps/s with float32 by default and 0.2 now with mixed_float16", {"precision": "amp_fp16"}),
    ("the model trains in float32 by default", {"precision": "fp32"}),
])
def test_nodes_compared_and_precision_policies(message, expected):
    got = labels(message)
    assert {k: got.get(k) for k in expected} == expected, got


def test_a_recipe_the_user_tries_is_their_run():
    """Review 33 #1: "Trying the zephyr-7b-beta full DPO recipe on ONE A100 80GB": the card is the user's, the
    recipe what they run (a number glued inside the model's name is no boundary); "trying to figure out whether you
    used 4 A100s (80GB)" is the authors' run asked about."""
    got = labels("Trying the zephyr-7b-beta full DPO recipe on ONE A100 80GB with the deepspeed_zero3.yaml config.")
    assert (got.get("gpu_model"), got.get("num_gpus")) == ("a100-80gb", 1), got
    got = labels("I use 4 A100s (40GB). I'm just trying to figure out whether you used 4 A100s (80GB).")
    assert got.get("gpu_model") == "a100-40gb", got


@pytest.mark.parametrize("message", [
    "Going from ViT-B bs=256 to bs=1024 on 8x A100 (DDP), AdamW.",
    "going from batch 256 to batch 1024",
    "I moved from bs 256 to bs 1024.",
])
def test_a_change_with_its_cue_said_twice(message):
    """Review 33 #26: the cue repeated before each number ("from bs=256 to bs=1024"), a name before the first: one
    change, and neither number the run's batch by itself."""
    got = labels(message)
    assert (got.get("batch_from"), got.get("batch_to")) == (256, 1024), got
    assert not {"micro_batch", "batch_size"} & set(got), got


def test_tokens_per_batch_said_after_the_count(kb):
    """Review 33 #20: "target 4M tokens per batch, seq len 4096, 32x H100": 4 × 2^20 / 4096 = 1,024 sequences per
    update (the pattern it replaced kept 4,000,000 tokens and no sequences); a paper's is the paper's."""
    got = facts(kb, "Pretraining a 1.4B llama-style model, target 4M tokens per batch, seq len 4096, 32x H100 80GB with FSDP.")
    assert (got["target_tokens_per_step"], got["batch_size"], got["num_gpus"]) == (4 * 2**20, 1024, 32)
    got = facts(kb, "The paper used 4M tokens per batch at seq len 2048; I have 8 GPUs.")
    assert "batch_size" not in got and got["reference_batch"] == 2048


def test_a_quoted_source_and_a_batch_written_as_a_product():
    """Review 33 #21: 'README says "we train with bs=2x8"': the quoted 'we' is the README's authors, and 2x8 is a batch
    of 16 (no 'batch 2x', a doubling); a tensor's shape "32x3x512x512" is none; the quotation closed, the user's own
    words are theirs again."""
    r = read('repo README says "we train with bs=2x8" and lr 1e-4. I only have one gpu, a 4090. does that mean batch 16?')
    assert r.reference["batch"].value == 16 and "micro_batch" not in r.values and "batch_scale_factor" not in r.values
    assert read("The paper trains with batch 2x8.").reference["batch"].value == 16
    assert "micro_batch" not in labels("images with dimensions (with batch size) 32x3x512x512 and 4 classes")
    got = labels('I noticed the README says "Our experiments were conducted on a single 40GB A100 GPU." I removed '
                 '--train_text_encoder: `--resolution=1024 --train_batch_size=1 --learning_rate=1e-4`')
    assert (got.get("micro_batch"), got.get("lr")) == (1, 1e-4), got


def test_settings_after_what_if_are_supposed():
    """Review 33 #28: "what if I turn on 8-bit adam + gradient checkpointing?": both are asked about, neither in use."""
    r = read("Full fine-tune of SD 1.5 UNet on a 3090, AdamW fp32. What batch size can I use, and what if I turn on "
             "8-bit adam + gradient checkpointing?")
    assert "grad_checkpointing" not in r.values and r.values["optimizer"].value == "adamw"
    assert {name for name, _, _ in r.asked_settings} == {"optimizer", "grad_checkpointing"}


def test_lightnings_deepspeed_strategy_and_a_strategy_that_works():
    """Review 33 #2: Lightning's `DeepSpeedStrategy(offload_optimizer=True)` is DeepSpeed ZeRO, and "FSDP works with the
    same script" is the comparison that works: the run asked about is the DeepSpeed one (both tried and failing
    still leaves neither)."""
    got = labels("Full finetune llama-7B with lightning DeepSpeedStrategy(offload_optimizer=True, offload_parameters=False) "
                 "on 4x A100 40GB. Always: torch.cuda.OutOfMemoryError: CUDA out of memory.\nFSDP works with the same "
                 "script. What's eating the memory?")
    assert got.get("parallelism") == "zero", got
    assert "parallelism" not in labels("OOM with both FSDP and DeepSpeed ZeRO-3 on 8 A100s.")


def test_a_stage_tried_before_and_typos_of_common_words():
    """Review 34 #5 and #26: '--deepspeed ./scripts/zero2.json (zero3 was slow)' runs ZeRO-2 (the stage judged slow was
    tried before); 'grad checkpoint allready on' turns checkpointing on, and misspelt words read as meant."""
    got = labels("I changed --deepspeed ./scripts/zero2.json (zero3 was slow) on 4x A100 40GB. OOM even at per_device 1")
    assert got.get("zero_stage") == 2, got
    assert "zero_stage" not in labels("tried zero2 and zero3, both OOM on 4x A100")  # (two tried: asked)
    got = labels("lora llama3 8b on 3090 oom with bs 2 seq 4k, grad checkpoint allready on, bf16. pls help what to chnage")
    assert got.get("grad_checkpointing") is True and got.get("oom") is True, got
    assert labels("ran out of memmory with bacth size 8 on a T4").get("oom") is True


def test_the_run_compared_with_is_not_the_users():
    """Review 34 #1: 'to match the 8-GPU run' is the run compared with; the user runs on 4 ('no more than 2 GPUs'
    bounds the user's own count)."""
    got = labels("I only have 4 A100s. Do I have to change the lr (6e-4) to match the 8-GPU run?")
    assert got.get("num_gpus") == 4, got
    assert labels("I don't have more than 2 GPUs").get("num_gpus") == 2


def test_a_change_asked_is_not_a_change_made():
    """'Should I lower the batch to 2?' and 'do we need to reduce batch size to 1?' ask about a change; 'I reduced it
    to 8' made it."""
    for message in ("Llama-2-7b LoRA on a 4090, batch 8, seq 1024. OOM. Should I lower the batch to 2?",
                    "batch_size 16 gives CUDA OOM on my 3060. Do we need to reduce batch size to 1?"):
        r = read(message)
        assert r.batch_change_asked, message
    for message in ("batch 32 gave an OOM so I reduced it to 8. Why is it so slow now?",
                    "I lowered the batch from 64 to 16 - should I change the LR?"):
        assert not read(message).batch_change_asked, message


def test_a_batch_another_says_fits_is_no_measurement():
    """'If autobatch says 281 fits why does it OOM?' is AutoBatch's claim, not the user's largest batch that fits;
    'only 32 fits' is the user's."""
    r = read("AutoBatch: Using batch-size 281 for CUDA:0. then the first epoch dies with OutOfMemoryError. If "
             "autobatch says 281 fits why does it OOM?")
    assert "max_micro_batch" not in r.values
    assert read("the paper uses batch 128 but on my A100 only 32 fits").values["max_micro_batch"].value == 32


def test_a_backbone_is_no_model_of_its_own():
    """A name said to be a backbone is a part of the model trained, not the model: 'Grounding DINO (Swin-T backbone)'
    is no 28M Swin-T, nor "backbone='resnet50'" a ResNet-50; a setting named after what it bounds ('clip_max_norm')
    is no CLIP; a model named plainly is still read."""
    for message in ("Fine-tuning Grounding DINO (Swin-T backbone) on my dataset with 2x 3090, batch 4 per GPU, OOM",
                    "Namespace(aux_loss=True, backbone='resnet50', batch_size=4, epochs=30, clip_max_norm=0.1)",
                    "I use ResNet50 as the backbone on 2 GPUs (A100 80G per GPU)",
                    "the backbone is resnet50 and batch 64 fits on one Titan Xp"):
        model = read(message).values.get("model")
        assert model is None or model.value not in ("swin-t", "resnet50") and "clip" not in model.value, message
    assert read("Training ResNet-50 on ImageNet with 8 V100s, batch 256").values["model"].value == "resnet50"


def test_speeds_listed_by_gpu_count_are_compared_not_a_change():
    """'1 GPU: 2.1 it/s, 4 GPUs: 0.6 it/s. Why?' - a unit's 's.' ends the sentence (no question over the speeds), and
    the two counts listed are compared: the run stays on its 4 GPUs, no change from 4 to 1."""
    r = read("Training with 4x RTX 4090 using accelerate DDP is barely faster than one 4090. Model is a 1.3B GPT, per "
             "device batch 8, seq 1024, bf16. 1 GPU: 2.1 it/s, 4 GPUs: 0.6 it/s. Why?")
    assert r.values["num_gpus"].value == 4
    assert "gpus_from" not in r.values and "gpus_to" not in r.values


def test_full_said_after_the_model_is_full_fine_tuning():
    """'fine-tuning Llama-2-13b full, …' trains every weight; 'with full precision' and 'full shard' say no method."""
    assert read("fine-tuning Llama-2-13b full, per_device_train_batch_size 4").full_training is not None
    for message in ("fine-tuning Llama-2-13b with full precision, batch 4",
                    "fine-tuning llama-2-13b full shard on 4 GPUs"):
        assert read(message).full_training is None, message


def test_a_total_after_its_number_and_a_batch_compared_with():
    """'batch 256 per GPU (2048 total)' is 2048 over the GPUs; 'much worse than with batch 256 total' is the run
    compared with, not the user's batch; two of the user's own keys compared stay theirs."""
    r = read("Training resnet50 on imagenet with 8 GPUs, batch 256 per GPU (2048 total), SGD lr 0.1. Accuracy is much "
             "worse than with batch 256 total. why?")
    assert r.values["micro_batch"].value == 256 and r.values["global_batch"].value == 2048
    assert r.reference["batch"].value == 256 and "global_batch" not in r.reference


def test_a_size_named_after_its_family_is_the_model():
    """'the largest GPT-2, gpt2-xl' is GPT-2 XL (1.56B), not the 124M GPT-2 the family name alone would be; a family
    named after the size ('gpt2-medium, a GPT-2') keeps the size; two sizes of one family keep the first."""
    assert read("I'm fine-tuning the largest GPT-2, gpt2-xl, on 8 V100 32GB, batch 1 per GPU, OOM").values[
        "model"].value == "gpt2-xl"
    assert read("fine-tuning gpt2-medium, a GPT-2, on a T4").values["model"].value == "gpt2-medium"
    assert read("Llama-3, the 70B one (Meta-Llama-3-70B), with QLoRA on 2x 3090").values["model"].value \
        == "llama-3-70b"


def test_a_machine_or_an_exact_card_settles_the_family_named():
    """'an aws p3dn.24xlarge … with 8 Nvidia V100 GPUs' is eight V100 32GB (the machine says which V100; its '.24'
    is no fraction); the 8-GPU count stays; a card named alone is still read; Qwen2 sizes are catalogue models."""
    r = read("I'm using an aws p3dn.24xlarge to train on my data with 8 Nvidia V100 GPUs (train-horovod.py), but "
             "training seems slower than on 1 GPU.")
    assert r.values["gpu_model"].value == "v100-32gb" and r.values["num_gpus"].value == 8
    assert read("using an aws p3dn.24xlarge").values["gpu_model"].value == "v100-32gb"
    assert read("training on 8 V100s").values["gpu_model"].value == "v100"
    assert read("lr=.001, batch 8").values["lr"].value == 0.001
    for message, model in (("running qwen2 7b with cutoff_len: 8192 keeps going OOM", "qwen2-7b"),
                           ("model_name_or_path: /data/models/qwen/Qwen2-7B, stage: rm", "qwen2-7b"),
                           ("Fine-tuning Qwen2-72b on 2 A800 cards", "qwen2-72b")):
        assert read(message).values["model"].value == model, message


def test_hours_for_one_epoch_are_the_epochs_time_not_the_runs(kb):
    """'it takes about 1.5 hours for one epoch' is an epoch's time (ImageNet in 90 min: 237 samples/s), not how long
    the training takes."""
    got = facts(kb, "resnet34 on imagenet with 8 TITAN XP GPUs, batch 256, and it takes about 1.5 hours for one epoch.")
    assert got["epoch_seconds"] == 5400 and "current_duration" not in got
    assert facts(kb, "training takes about 3 days on 4 GPUs")["current_duration"] == 3 * 86400


def test_a_change_in_steps_ends_at_its_last_step():
    """'it reduced the batch size to 8 and then to 4' changed the batch from 16 to 4 (not to 8); 'to 8, then 4' too;
    a single step stays as it was."""
    r = read("I entered batch=16. Due to insufficient memory, it automatically reduced the batch size to 8 and then to "
             "4, and started training with batch=4 without any errors.")
    assert r.values["batch_from"].value == 16 and r.values["batch_to"].value == 4
    r = read("we use batch 32. we reduced the batch size to 8, then 4")
    assert r.values["batch_from"].value == 32 and r.values["batch_to"].value == 4
    r = read("I reduced batch from 32 to 16 and it works")
    assert r.values["batch_from"].value == 32 and r.values["batch_to"].value == 16


def test_asking_for_the_loaders_workers_to_use_the_gpu_is_a_speed_question(kb):
    """'low Volatile GPU-Util … How do I change the number of workers … to make full use of the GPU?' wants speed, not
    a batch size; RLlib's 'scale with the number of workers?' and a log's 'Using 2 dataloader workers' do not."""
    assert facts(kb, "When running on GPU I always get low Volatile GPU-Util but almost full GPU memory usage. How do "
                     "I change the number of workers, like in a Dataloader, to make full use of the GPU?")["user_goal"] \
        == "faster"
    assert facts(kb, "For PPO, should train_batch_size be scaled with the number of workers?").get("user_goal") \
        != "faster"


def test_a_size_a_part_occupies_is_a_use_not_the_card():
    """'the fake-unet occupies too much GPU memory, >13G' on an A100 is what a part uses, not a 13 GB card; 'my GPU
    memory is 24GB' is still the card's."""
    r = read("When I train the SDXL 4-step model I get an OOM error; I use a single A100. It seems the fake-unet "
             "occupies too much GPU memory, >13G, with batch_size=1.")
    assert "gpu_memory_gb" not in r.values and r.measured_gb == 13
    assert read("my GPU memory is 24GB and batch 8 OOMs").values["gpu_memory_gb"].value == 24


def test_a_family_named_then_its_catalogue_model():
    """'qwen2-vl on two cards … model Qwen2-VL-7B-Instruct': the catalogue's Qwen2-VL-7B (8.29B with its vision
    encoder), not the family the first words named."""
    r = read("Full fine-tuning qwen2-vl on two cards. model Qwen2-VL-7B-Instruct, per_device_train_batch_size: 1")
    assert r.values["model"].value == "qwen2-vl-7b"


def test_a_batch_said_again_in_samples_is_no_data_set():
    """'batchsize: 32. Does it mean we always use 32 sentences for training no matter how many GPUs?' - the 32
    sentences are the batch said again, not a data set of 32; a data set of its own size is still read."""
    r = read("conf/tuning/train_pytorch_conformer_large.yaml has batchsize: 32. Does it mean we always use 32 "
             "sentences for training no matter how many GPUs I use?")
    assert "dataset_size" not in r.values
    assert read("batch 32 on my 3090, and the dataset has 120,000 sentences").values["dataset_size"].value == 120000


def test_trl_use_peft_without_targets_is_peft_default_q_and_v(kb):
    """TRL's `--use_peft --lora_r 32` on Qwen2.5-0.5B names no target modules: PEFT's default for a LLaMA-layout decoder
    is q_proj and v_proj, not every linear layer; targets said stay as said."""
    got = facts(kb, "accelerate launch ppo.py --model_name_or_path Qwen/Qwen2.5-0.5B-Instruct --use_peft --lora_r 32")
    assert got["lora_targets"] == "qv"
    said = facts(kb, "ppo.py --model_name_or_path Qwen/Qwen2.5-0.5B-Instruct --use_peft --lora_r 32 "
                     "--lora_target_modules all-linear")
    assert said.get("lora_targets") in (None, "all_linear")


def test_the_hf_trainer_is_named_only_beside_its_name():
    """'with the HF Trainer', "Hugging Face's Trainer" name Hugging Face's; Lightning's Trainer in a message that uses a
    model from transformers does not."""
    assert read("LoRA on llama-2-7b with the HF Trainer, OOM at evaluation").hf_trainer
    assert read("Hugging Face's Trainer with batch 8 on a T4").hf_trainer
    assert not read("PyTorch Lightning Trainer, a model from transformers, batch 8 on a T4").hf_trainer


def test_a_family_name_with_its_size_is_that_member():
    """'the GPT2 774M model': the size written after the family's own name is the member of that size (gpt2-large),
    not the family's base count (124M); another model's size named elsewhere still keeps the model read."""
    r = read("Will the GPT2 774M model finetune on 16G VRAM and 24G RAM? I could finetune GPT2 355M before.")
    assert r.values["params"].value == 774e6 and r.values["model"].value == "gpt2-large"
    assert read("I finetune GPT2 355M on a T4.").values["model"].value == "gpt2-medium"


def test_two_settings_named_then_their_two_values_are_read_in_order():
    """'The batch size and initial learning rate is set to 8 and 0.01': 8 is the batch and 0.01 the LR (not 8 as the
    LR, whose name is nearest); 'batch size and lr are 64 and 0.1 respectively' likewise."""
    r = read("The paper says: 'The batch size and initial learning rate is set to 8 and 0.01 on VOC 2007.' "
             "Is this the total batch size?")
    assert r.reference["batch"].value == 8 and r.reference["lr"].value == 0.01
    mine = read("I use a batch size and lr of 64 and 0.1 respectively on one GPU")
    assert mine.values["lr"].value == 0.1 and mine.values["micro_batch"].value == 64


def test_a_formula_of_named_terms_is_neither_term():
    """'(batch per device * num GPUs * grad accum steps) it should be 8 * 2 * 4 = 64' and 'world_size x GA x
    batch_size_per_gpu = 2048?': a product the user writes out, not 64 accumulation steps nor a per-GPU 2048;
    '8 GPUs × batch_per_gpu=2' still reads the per-GPU 2."""
    r = read("Question about the effective batch size in the docs: the table says Hardware: 2 GPUs, Details: 8 per "
             "device, 4 grad accum steps, Resulting batch size: 32. But with the standard calculation (batch per "
             "device * num GPUs * grad accum steps) it should be 8 * 2 * 4 = 64. Is it 64?")
    assert "grad_accum_steps" not in r.values and r.reference["grad_accum_steps"].value == 4
    r = read("Is the batch_size=2048 in your paper the product? I mean: world_size x gradient accumulation steps x "
             "batch_size_per_gpu = 2048?")
    assert "micro_batch" not in r.values
    assert read("For the default config, 8 GPUs × batch_per_gpu=2.").values["micro_batch"].value == 2


def test_the_hosts_memory_is_not_the_cards_nor_its_use(kb):
    """'8 * A100 80G per node … CPU memory peaks at almost 450GB (445GB peak, 21GB after it stabilises); GPU memory
    51.5GB': the card is 80 GB, 51.5 GB is what the run uses on it, and the CPU's figures are neither."""
    got = facts(kb, "Training glm-10b with zero-stage 2 on 8 * A100 80G per node. CPU memory peaks at almost 450GB "
                    "(445GB peak, 21GB after it stabilises); GPU memory 51.5GB. Why so much CPU memory?")
    assert got["gpu_memory"] == 80 * 2**30 and got["measured_use"] == 51.5e9
    assert got["claim_host_ram_per_process"] is True
    # a card's size said after its name stays the card's, beside the host's memory
    cards = facts(kb, "I have a machine with 1T CPU memory and 4 2080ti 22GB cards; zero3 offload OOMs on a 7B.")
    assert cards["gpu_memory"] == 22 * 2**30


def test_a_product_said_before_its_cue_is_the_cues_value():
    """'lr is 1e-4 for 8x2=16 batch size': the product 16 is the batch its cue after it names (not unread) - the batch
    that LR is for, as "lr=0.03 for batch 256" is; the factors are no GPU count or batch of their own."""
    r = read("lr is 1e-4 for 8x2=16 batch size")
    assert r.reference["batch"].value == 16 and "num_gpus" not in r.values and "micro_batch" not in r.values
    assert read("the effective batch_size is 128*8 = 1024").values["global_batch"].value == 1024


def test_a_script_that_does_not_match_the_paper_is_the_users_setup():
    """'train_it.sh does not match the paper: it has micro_batch_size=4, nproc_per_node=8 … which gives a
    global_batch_size of 32 rather than the 256 mentioned in the paper': the script's settings are what the user
    runs, the paper's is 256 ('8k in the paper' is 8,000)."""
    r = read("train_it.sh does not match the paper: it has micro_batch_size=4, nproc_per_node=8, nnodes=1 and "
             "gradient_accumulation_steps=1, which gives a global_batch_size of 32 rather than the 256 mentioned in "
             "the paper. Should I adjust gradient_accumulation_steps?")
    assert r.values["micro_batch"].value == 4 and r.values["num_gpus"].value == 8
    assert r.reference["batch"].value == 256
    k = read("I changed `batch_size` to 1000 - it is 8k in the paper, but with 8k I get Killed.")
    assert k.reference["batch"].value == 8000


def test_a_range_of_memory_sizes_is_measured_not_the_card():
    """'imbalanced memory across GPUs, 16G~66G', 'ZeRO-2 uses 35-39G': what the GPUs held, the largest measured - no
    16 GB card; a size said of the card still is."""
    r = read("Running the example directly: imbalanced memory across GPUs, 16G~66G for peft=false")
    assert "gpu_memory_gb" not in r.values and r.measured_gb == 66
    assert read("ZeRO-2 uses 35-39G on two A100 40GB").values["gpu_memory_gb"].value == 40
    assert read("I have a 16G GPU").values["gpu_memory_gb"].value == 16


def test_a_setting_asked_of_the_authors_is_not_followed():
    """'I get OOM doing SFT of Qwen2.5-VL-7B on 4 A100s. Did you use LoRA/PEFT for this SFT?': what the authors did is
    the question, so the user's run is not read as LoRA; a recipe's setting said outright is still followed."""
    r = read("I want to do SFT with Qwen2.5-VL-7B on 4 A100 80GB but I get Out of Memory. Did you use LoRA/PEFT for "
             "this SFT? If yes, what was the LoRA config?")
    assert "adapter" not in r.values
    assert read("I follow the paper, which fine-tunes with LoRA rank 8. I get OOM on a 3090.").values["adapter"].value \
        == "lora"


def test_a_batch_then_another_is_a_change_and_gpus_per_server_multiply():
    """'I had batch size 50 and then 100', 'batch size 32, then 64': a change; '4 servers (8 GPUs per server)' is 32
    GPUs, as '8 GPUs per node' on 2 nodes is 16."""
    r = read("Why doesn't increasing the batch size increase GPU RAM? I had batch size 50 and then 100.")
    assert (r.values["batch_from"].value, r.values["batch_to"].value) == (50, 100)
    assert read("I train on 4 servers (8 GPUs per server) with lr 0.4").values["num_gpus"].value == 32
    assert read("2 nodes, 8 GPUs per node").values["num_gpus"].value == 16


def test_numbers_bound_to_what_they_count():
    """'6 g5.4xlarge instances (A10 GPUs)' is no 6 GB card; 'CPU memory in use is ~350GB out of 500GB' is the host's,
    no GPU's use; 'changed data = dict(samples_per_gpu=6, …) to samples_per_gpu=16' runs 16 per GPU."""
    assert read("multi-node training on 6 g5.4xlarge instances (A10 GPUs)").values["gpu_memory_gb"].value == 24
    r = read("The time spent in step() goes from ~100 ms to 10,000+ ms. CPU memory in use is ~350GB out of 500GB.")
    assert not r.used_bytes
    changed = read("I changed data = dict(samples_per_gpu=6, workers_per_gpu=3) to samples_per_gpu=16, "
                   "workers_per_gpu=4 because I noticed changing the batch size helps")
    assert (changed.values["batch_from"].value, changed.values["batch_to"].value) == (6, 16)


def test_ms_swift_checkpoints_unless_told_otherwise(kb):
    """`swift sft --sft_type full …`: ms-swift's gradient_checkpointing defaults to True, so the run is counted with
    it; a value said stays."""
    assert facts(kb, "CUDA_VISIBLE_DEVICES=0 swift sft --sft_type full --batch_size 2 --max_length 4096 on an A800 "
                     "80GB")["grad_checkpointing"] is True
    assert facts(kb, "swift sft --model Qwen2-VL-7B-Instruct --gradient_checkpointing false --train_type full on an "
                     "A100")["grad_checkpointing"] is False


def test_the_users_epoch_time_before_the_authors(kb):
    """'each epoch would take 28 hours on 8x 2080Ti, but you mentioned it takes only 19 hours per epoch on 4 Titan
    XP': the user's 28 hours is the epoch time measured, not the author's 19."""
    got = facts(kb, "Low training speed: each epoch would take 28 hours on 8x 2080Ti GPUs, but you mentioned in a "
                    "previous issue that it takes only 19 hours per epoch on 4 Titan XP GPUs. Why is mine slow?")
    assert got["epoch_seconds"] == 28 * 3600


def test_dp_said_short_is_dataparallel():
    """'Why does multi-GPU dp seem slower? With 2 GPUs using DP …': torch.nn.DataParallel, one process (not
    Megatron's data-parallel degree 'DP2')."""
    assert read("Why does multi-GPU dp seem slower? With 2 GPUs using DP, my epoch time increased.").values[
        "parallelism"].value == "dp"
    assert "parallelism" not in read("TP=4 PP=1 DP2 on 8 GPUs").values or \
        read("TP=4 PP=1 DP2 on 8 GPUs").values["parallelism"].value != "dp"


def test_a_gpu_count_labelling_the_settings_after_it_is_read():
    """'on 8 GPUs: train_batch_size=32, micro_batch_size=4': the colon ends the cue 'GPUs', whose number is the 8 before
    it (not '--cutoff_len 1536 --per_device_train_batch_size 1', where the cue names the value after it)."""
    r = read("I train on 8 GPUs: train_batch_size=32, micro_batch_size=4")
    assert r.values["num_gpus"].value == 8 and r.values["micro_batch"].value == 4
    assert "num_gpus" not in read("--cutoff_len 1536 --per_device_train_batch_size 1").values


def test_a_sources_words_quoted_after_a_colon_are_the_sources():
    """'you mentioned the batch size (8) used for GLUE finetuning: "We therefore use a smaller batch size of 8
    length-512 sequences …"': the quote's 'we' is the paper's, so its batch and length are the reference's."""
    r = read('In the T5 paper you mentioned the batch size used for GLUE finetuning: "We therefore use a smaller batch '
             'size of 8 length-512 sequences during fine-tuning." Can you share the learning rate?')
    assert "micro_batch" not in r.values and "seq_len" not in r.values
    assert r.reference["batch"].value == 8
    mine = read('The README says: "use batch 64". I use batch 16 on my 3090.')
    assert mine.values["micro_batch"].value == 16 and mine.reference["batch"].value == 64  # (after the quote: mine)


def test_a_count_of_instances_multiplies_their_cards():
    """'6 g5.4xlarge instances' are six machines of one A10G each: 6 GPUs on 6 nodes (review 40 asked how many GPUs)."""
    r = read("I train t5-small with ZeRO-3 and CPU offload on 6 g5.4xlarge instances and it is stalling.")
    assert r.values["num_gpus"].value == 6 and r.values["num_nodes"].value == 6
    assert read("two p4d.24xlarge nodes for llama 70B").values["num_gpus"].value == 16
    assert read("one g5.12xlarge").values["num_gpus"].value == 4


def test_a_question_of_what_the_method_needs_counts_no_gpus_of_the_run():
    r = read("I'm training on a single RTX 4090 (24GB) with batch size 1. Questions: 1. Is there a suggested way to "
             "adjust training? 2. Does the method rely critically on multi-GPU for stability?")
    assert r.values["num_gpus"].value == 1 and not r.several_gpus


def test_a_codes_own_run_and_a_card_compared_to_are_not_the_users():
    r = read("The baseline code provides a PyTorch example running on a V100 GPU to train a CIFAR10 classifier in 75 "
             "seconds. I ran it on a single AMD GPU and it takes over 10x the time compared to V100.")
    assert "gpu_model" not in r.values and r.reference["gpu_model"].value == "v100"
    mine = read("Your code triggers an out-of-memory error on an RTX3090.")
    assert mine.values["gpu_model"].value == "rtx-3090"  # (your code, run by the user)


def test_kohyas_and_musubis_train_network_scripts_train_a_lora():
    r = read("accelerate launch src/musubi_tuner/wan_train_network.py --task t2v-14B --fp8_base --optimizer_type adamw8bit")
    assert r.values["adapter"].value == "lora"


@pytest.mark.parametrize("message, gpus", [
    ("How much faster will I converge with 8 GPUs?", None),
    ("Would it be faster with 8 GPUs?", None),
    ("I train on 4 GPUs. How much faster would it be with 8 GPUs?", 4),
    ("Why is my run on 4 GPUs not faster?", 4),  # (a question about the run itself)
])
def test_the_speed_of_a_case_supposed_gives_no_gpu_count(message, gpus):
    """A question about how fast a supposed number of GPUs would be names no GPUs of the run."""
    assert labels_of(read(message)).get("num_gpus") == gpus


@pytest.mark.parametrize("message, field, value", [
    ("I get OOM with ZeRO-3. If I turn on offload, the code runs and each GPU uses 22 GB.", "offload", None),
    ("If I enable gradient checkpointing it fits.", "grad_checkpointing", None),
    ("If I set offload to cpu, the process gets killed because it runs out of RAM.", "offload", "cpu"),
    ("When I use DeepSpeed ZeRO-3 it OOMs.", "zero_stage", 3),
])
def test_a_setting_a_conditional_switches_on_is_not_the_runs_unless_it_failed(message, field, value):
    """'If I turn on offload, the code runs': what would make it work, not the run's setting; a conditional run that
    fails ('… the process gets killed') is one the user tried."""
    assert labels_of(read(message)).get(field) == value


def test_memory_said_to_have_been_allocated_is_a_use_not_the_card():
    """PaddlePaddle's OOM message: 'Cannot allocate 80.000000MB memory on GPU 0, 10.647278GB memory has been
    allocated and available memory is only 108.750000MB' - what the process holds, not the card's size."""
    message = ("Out of memory error on GPU 0. Cannot allocate 80.000000MB memory on GPU 0, 10.647278GB memory has been "
               "allocated and available memory is only 108.750000MB.")
    assert "gpu_memory_gb" not in labels_of(read(message))
    assert labels_of(read("My GPU has 12GB memory and it runs out."))["gpu_memory_gb"] == 12


@pytest.mark.parametrize("message, oom", [
    ("The script notes: if you run out of memory add --hparams='batch_size=1024'.", None),
    ("If you run out of memory, reduce the batch size.", None),
    ("I run out of memory at batch 8.", True),
])
def test_an_out_of_memory_put_to_the_reader_is_no_report(message, oom):
    """A README's or a script's 'if you run out of memory, …' is advice to whoever runs it, not the user's error."""
    assert labels_of(read(message)).get("oom") is oom


@pytest.mark.parametrize("message", ["4 GPUs with 8 workers each", "I use 8 workers in the DataLoader on 4 GPUs"])
def test_dataloader_workers_kept(kb, message):
    """A loader's workers beside the GPUs are no machines: the count stays the GPUs', the workers the loader's."""
    found = read_message(kb, message)
    assert found["num_gpus"][0] == 4 and "num_nodes" not in found
    assert found["dataloader_workers"][0] == 8


def test_library_versions_are_no_settings(kb):
    found = read_message(kb, "- PEFT version: 0.12.0\n- DeepSpeed version: 0.15.4\nfinetuning_type: full")
    assert "adapter" not in found and "parallelism" not in found


def test_an_8_bit_base(kb):
    """A base loaded in 8 bits trains only adapters (LoRA on it); switched off, it is no 8-bit base."""
    found = read_message(kb, "fine-tuning llama-2-13b with load_in_8bit=True on a 3090, batch 4, seq 512")
    assert found["base_bits"][0] == 8 and found["adapter"][0] == "lora"
    found = read_message(kb, "The only thing I changed is setting load_in_8bit to False when loading the model.")
    assert "base_bits" not in found


def test_samples_a_step_consumes_are_no_data_set(kb):
    assert "dataset_size" not in read_message(kb, "the epoch shows up in the logging as if between each step, 640 "
                                                  "samples are passed")
    assert read_message(kb, "I have 640 samples and batch 8")["dataset_size"][0] == 640


def test_a_scripts_model_with_its_size_changed(kb):
    """"just use ulysess sample code: …/ds_pretrain_gpt_1.3B_seq_parallel_32k.sh; change the model size into 7b"
    (review 45 #9): the run trains 7B, the script's 1.3B model is the reference."""
    found = read_message(kb, "just use the sample code: ds_pretrain_gpt_1.3B_seq_parallel_32k.sh\n\nchange the model "
                             "size into 7b, use 8xA100-80g")
    assert found["params"][0] == 7e9 and "model_preset" not in found


@pytest.mark.parametrize("message, absent", [
    ('"reduce_bucket_size": 3000000,\n"sub_group_size": 1e6', "num_generations"),  # DeepSpeed's, no GRPO group
    ("![image](https://github.com/x/TinyLlama/assets/97608046/a31aee57-e8cb-4b43-955d-7821a14b1969)", "params"),
    ("INFO:root:Epoch[0] Batch [15920-15940]  Speed: 27.11 samples/sec", "micro_batch"),  # a log's batch counter
])
def test_ids_and_counters_are_no_settings(kb, message, absent):
    """Review 46's misreadings: a key that contains a cue, a uuid's '4b43', a log's batch index."""
    assert absent not in read_message(kb, message)


def test_a_references_hardware_the_user_runs_on(kb):
    """"I read in your paper that you benchmarked using two L4 GPUs. I tried to run a VM with this hardware using the
    13B model" (review 46 #25): the paper's cards are the user's too."""
    found = read_message(kb, "I read in your paper that you benchmarked using two L4 GPUs.\n\nI tried to run a VM with "
                             "this hardware using the 13B model, but I am getting GPU OOM errors.")
    assert found["gpu_model"][0] == "l4" and found["num_gpus"][0] == 2
    assert "gpu_model" not in read_message(kb, "You benchmarked using two L4 GPUs. What batch did you use?")


def test_a_nodes_batch_on_several_nodes(kb):
    """"lr is 1e-4 for 8x2=16 batch size, when I using 8 nodes to train the model, each is 8x2=16 batch size, should I
    enlarge the learning rate to 8e-4?" (review 46 #12): the LR's batch is the reference, each node's 16 makes 128."""
    found = read_message(kb, "let's make lr is 1e-4 for 8x2=16 batch size, when I using 8 nodes to train the model, "
                             "each is 8x2=16 batch size, should I enlarge the learning rate to 8e-4?")
    assert found["reference_batch"][0] == 16 and found["batch_size"][0] == 128
    # the cards' "each" before a plain batch is no node's batch
    found = read_message(kb, "Two machines with 8x A100 80G each, batch size=1, deepspeed-zero3")
    assert "batch_size" not in found or found["batch_size"][0] != 2


def test_grpos_prompt_and_completion_bounds_make_the_sequence():
    """'GRPO trainer with max-prompt=256 and max-completions=256 … data: longest input is 168' (review 47 #6): a
    sequence trained on is the prompt and the completion, 512 - not the longest prompt."""
    r = read("OOM training qwen3-0.6B by GRPO trainer with max-prompt=256 and max-completions=256 on 20G VRAM GPU.\n"
             "data: longest input is 168")
    assert r.values["seq_len"].value == 512


def test_grpo_typos_and_singular_keys():
    """'Sequence Lenght = 20480', 'num_generation=4' (review 48 #5): the length and the group, as people type them."""
    r = read("GRPO on 8 A10 24GB. Sequence Lenght = 20480, batch size 1 per device, num_generation=4")
    assert r.values["seq_len"].value == 20480 and r.values["num_generations"].value == 4


@pytest.mark.parametrize("message, field, value", [
    ("- **Gradient Accumulation:** 4", "grad_accum_steps", 4),  # (Markdown's bold is no product's '*')
    ("GPU memory: 35gb used out of 40gb, then OOM", "gpu_memory", 40 * 2**30),
])
def test_markdown_bold_and_a_use_out_of_a_card(kb, message, field, value):
    """Review 48 #4 and #20: a bold key's value, and 'N used out of M' (the card's M)."""
    assert read_message(kb, message)[field][0] == value


def test_an_emoji_lists_number_is_no_count():
    """'3️⃣ **GPUs are fully utilized** … Compute: 8x A100 80GB' (review 48 #4): a keycap emoji numbers a list (as
    '3)' does); the GPUs are the 8 said."""
    r = read("1️⃣ DeepSpeed takes a long time to initialize\n3️⃣ **GPUs are fully utilized**\n"
             "- **Compute:** `8x A100 80GB`")
    assert r.values["num_gpus"].value == 8
    assert "num_gpus" not in read("3️⃣ **GPUs are fully utilized**").values


def test_a_length_cut_to_make_it_run_is_not_the_run_asked_about(kb):
    """'Reducing max_completion_length to 2040 works … Max Completion Length: 8129' (review 48 #4): the cut length is
    the workaround; the run asked about trains on the longer one (with GRPO's default prompt, 8,641 tokens)."""
    message = ("GRPO with ZeRO-3, the instance crashes. Reducing `max_completion_length` to 2040 works, but this "
               "breaks reasoning.\n- **Max Completion Length:** `8129`")
    assert facts(kb, message)["seq_len"] == 8129 + 512
    assert read("Reducing the sequence length to 2040 works, but my max_seq_length is 8192").values["seq_len"].value \
        == 8192
    # a length cut to that fails, or a run that failed before the cut, keep their readings
    assert read("I reduced max_seq_length to 1024 and it works").values["seq_len"].value == 1024
    assert read("seq 4096 OOMs, reducing the sequence length to 2048 works").values["seq_len"].value == 4096


def test_openrlhfs_actor_trains_on_its_own_gpus(kb):
    """OpenRLHF's `--ref_num_nodes 3 --ref_num_gpus_per_node 6 --actor_num_nodes 3 --actor_num_gpus_per_node 1` on
    three nodes of 8 H100s (review 48 #6): the model trained is sharded over the actor's 3 GPUs, not the job's 24
    (the reference and vLLM hold the others), so 576 per update is 1 × 192 accumulated × 3; the flags' lengths, 1,024
    prompt + 36,864 generated, outrank the "32k" said in prose."""
    message = ("OOM when training a 7B model with GRPO with a maximum sequence length of 32k tokens on three nodes, "
               "each equipped with 8x H100 GPUs (80GB).\npython -m openrlhf.cli.train_ppo_ray --ref_num_nodes 3 "
               "--ref_num_gpus_per_node 6 --actor_num_nodes 3 --actor_num_gpus_per_node 1 --vllm_num_engines 3 "
               "--micro_train_batch_size 1 --train_batch_size 576 --prompt_max_len 1024 --generate_max_len 36864 "
               "--zero_stage 3 --bf16")
    r = read(message)
    assert r.values["num_gpus"].value == 3 and r.values["seq_len"].value == 1024 + 36864
    assert facts(kb, message)["grad_accum_steps"] == 192
    assert labels_of(r)["num_gpus"] == 24  # (the corpus labels the job's GPUs)
    # the actor's flag alone, with no machine said
    assert read("train_ppo_ray --actor_num_gpus_per_node 4 --ref_num_gpus_per_node 1").values["num_gpus"].value == 4


@pytest.mark.parametrize("message, mood", [
    ("with batch size 1 it does not OOM", "ok"), ("with batch size 1 no OOM", "ok"), ("batch size 1 won't OOM", "ok"),
    ("batch size 8 OOMs", "fail"), ("I can't run batch 8 without OOM", "fail"),
])
def test_a_failure_said_not_to_happen_is_a_run_that_works(message, mood):
    """'只有gradient accumulation step小于64才不会OOM' (review 48 #27: "only below 64 does it not OOM"): an OOM negated
    is a run that works, not one that fails."""
    assert read(message).batch_mentions[0].mood == mood


def test_settings_that_none_of_which_worked_are_the_failing_runs():
    """'FSDP … worked very well for Llama-3-70B … I have tried all DeepSpeed zero3 strategies (offload params, all,
    etc.) and none of them worked for a simple QLoRA+DPO on 4 A100': the settings tried that did not work are the run
    asked about, not the FSDP run that worked on another model."""
    message = ("FSDP can efficiently shard large models onto multiple GPUs, and it worked very well for Llama-3-70B. "
               "However, Qwen2 doesn't have FSDP support, and even QLoRA fails to fit the model on 4 A100s with 80G "
               "each. I have tried all DeepSpeed zero3 strategies (offload params, all, etc.) and none of them worked "
               "for a simple QLoRA+DPO on 4 A100.")
    got = labels_of(read(message))
    assert (got["parallelism"], got["zero_stage"]) == ("zero", 3)


def test_a_bound_is_no_setting_and_the_failing_accumulation_is_the_runs():
    """Review 48 #27: "batch size 1, only with gradient accumulation below 64 no OOM; set to 128 it OOMs too": 64 is a
    bound (小于, below), the run asked about accumulates 128."""
    r = read("batch size设为1的时候，只有gradient accumulation step小于64才不会OOM，gradient accumulation step设为128也会OOM。")
    assert r.values["grad_accum_steps"].value == 128


def test_verls_hydra_keys_name_verl():
    """'train a qwen-14b model using grpo … data.train_batch_size=1' (review 48 #10, Search-R1 on verl): verl's own
    keys name it, so the 1 is a rollout's prompts (no micro-batch) and the actor trains under FSDP, verl's default."""
    r = read("I am trying to train a qwen-14b model using grpo on 4 A800-SXM4-80GB cards, but even with "
             "data.train_batch_size=1 I still get an out of memory error.")
    assert r.rl_trainer == "verl" and r.values["rollout_prompts"].value == 1
    assert "micro_batch" not in r.values


def test_paddle_configs_momentum_and_an_lr_schedules_milestones(kb):
    """Review 48 #30 (PaddleClas: `Optimizer: name: Momentum … decay_epochs: [30, 60, 90]`): the optimizer is SGD with
    momentum, and a schedule's milestones are no length of the run."""
    found = facts(kb, "Optimizer:\n  name: Momentum\n  momentum: 0.9\n  lr:\n    name: Piecewise\n    learning_rate: 0.1\n"
                      "    decay_epochs: [30, 60, 90]")
    assert found["optimizer"] == "sgd_momentum" and "epochs" not in found
    assert facts(kb, "tf.train.MomentumOptimizer(0.1, 0.9)")["optimizer"] == "sgd_momentum"
    assert facts(kb, "num_epochs: 90, lr_step_epochs: 30")["epochs"] == 90


@pytest.mark.parametrize("message", ["without changing batch_size, each card runs batch size 8. Six cards.",
                                     "each card is running a batch size of 8 on 6 cards",
                                     "each GPU runs batch size 8 on 6 GPUs"])
def test_a_batch_each_gpu_runs_is_the_micro_batch(kb, message):
    """'Without changing batch_size, each card runs batch size 8' (review 49 #18, vits_chinese on six 1080s): each
    card's batch, so six cards make 48 per update - not a batch that might be the total."""
    found = facts(kb, message)
    assert found["micro_batch"] == 8 and "batch_unqualified" not in found
    assert "micro_batch" not in facts(kb, "I have 4 GPUs and the batch size is 32")


def test_memory_compared_between_one_and_several_gpus_is_no_imbalance_between_them(kb):
    """'GPU memory usage is different between single GPU and multi gpu training' (review 49 #11, rf-detr): two runs
    compared, not GPU 0 holding more than the others."""
    assert "claim_gpu0_extra_memory" not in facts(kb, "GPU memory usage is different between single GPU and multi gpu "
                                                       "training")
    assert facts(kb, "I found out memory usage of them was different")["claim_gpu0_extra_memory"] is True


def test_a_tp_said_loosely_in_a_verl_run_is_the_rollout_engines(kb):
    """Review 49 #24 (verl PPO of Qwen2.5-72B on "2*8 A800": "it seems to happen in the vllm stage, but TP_size is 8 …
    export NPROC_PER_NODE=8; export ROLLOUT_TP_SIZE=8; export NNODES=2"): the 8 is vLLM's tensor parallelism; the actor
    trains under FSDP over all 16 GPUs."""
    found = facts(kb, "I tried to train 72B on 2*8 A800 (80G) with verl, OOM; it seems to happen in the vllm stage, but "
                      "TP_size is 8.\nexport NPROC_PER_NODE=8; export ROLLOUT_TP_SIZE=8; export NNODES=2\n"
                      "python3 -m verl.trainer.main_ppo data.train_batch_size=64 actor_rollout_ref.actor.ppo_mini_batch_size=64")
    assert found["num_gpus"] == 16 and found["parallelism"] == "fsdp" and "model_parallel_gpus" not in found


def test_swap_space_and_commented_settings_set_nothing(kb):
    """Review 49 #23 ('WSL2, RAM: 96G, SWAP: 60G, 4090': the swap is the host's, the card a 24 GB 4090) and #8
    ('#bf16: true' in a config on a V100: commented out, no bf16)."""
    found = facts(kb, "WSL2, RAM: 96G, SWAP: 60G, 4090")
    assert found["gpu_model"] == "rtx-4090" and found["gpu_memory"] < 30 * 2**30
    config = facts(kb, "model_name_or_path: 'openlm-research/open_llama_7b'\nper_device_train_batch_size: 1\n#bf16: true")
    assert "precision" not in config and config["micro_batch"] == 1
    assert facts(kb, "--per_device_train_batch_size 2 \\\n# --bf16 \\\n--fp16")["precision"] == "amp_fp16"
    assert facts(kb, "# Results: 8 GPUs, bf16")["precision"] == "amp_bf16"  # (a heading, no setting)


@pytest.mark.parametrize("text, value", [("around 70 000 samples", 70_000), ("1 000 000 steps", 1_000_000),
                                         ("70\u00a0500 images", 70_500)])
def test_thousands_grouped_by_a_space_are_one_number(text, value):
    """'A dataset of around 70 000 samples' (review 49 #7): thousands grouped by a space are one number, where the
    group opens with a 0 or the space is a no-break one; "batch 32 128 256" stays three."""
    assert [t.value for t in tokenize(text) if t.is_num] == [value]
    assert [t.value for t in tokenize("batch 32 128 256") if t.is_num] == [32, 128, 256]


def test_a_logs_device_indices_count_the_gpus(kb):
    """Review 49 #12 (YOLOv5 "--batch-size 128 … Using CUDA Apex device0 _CudaDeviceProperties(name='GeForce RTX 2080
    Ti', total_memory=11019MB) … device1 … device7"): a log listing its devices from 0 counts eight GPUs, and YOLOv5's
    total batch is then split over them."""
    found = facts(kb, "python train.py --data coco.yaml --cfg yolov5s.yaml --batch-size 128\nUsing CUDA Apex device0 "
                      "_CudaDeviceProperties(name='GeForce RTX 2080 Ti', total_memory=11019MB)\n"
                      "                device1 ... device7 (GeForce RTX 2080 Ti, 11019MB)")
    assert found["num_gpus"] == 8 and found["micro_batch"] == 16
    assert "num_gpus" not in facts(kb, "the model is on device0, the data on device 1")


def test_a_recipes_comment_line_is_the_recipes_setup():
    """Review 49 #2 (open-r1: "I tried to run context 20k (32B) in the recipe with a single node and got OOM … under
    data parallelism the occupancy on a single GPU should not differ", pasting "# Config for 16 nodes of 8 H100s
    with FSDP1"): the comment describes the recipe's hardware, not the user's run; "occupancy on a single GPU" is a
    measure of each GPU, no count of one. The user's single node is one of the recipe's: its 8 H100s, said as
    implied."""
    r = read("I tried to run context 20k (32B) in the recipe with a single node and got OOM. Under data parallelism "
             "the occupancy on a single GPU should not be different.\n```yaml\n# Config for 16 nodes of 8 H100s with "
             "FSDP1\nmodel_name_or_path: Qwen/Qwen2.5-32B-Instruct\n```")
    assert r.values["num_nodes"].value == 1 and r.reference["num_nodes"].value == 16
    assert r.values["num_gpus"].value == 8
    assert r.values["gpu_model"].value == "h100-80gb" and r.values["gpu_model"].implied


@pytest.mark.parametrize("name, size", [("COCO", 118_287), ("Cityscapes", 2_975), ("ADE20K", 20_210)])
def test_public_detection_and_segmentation_sets_give_their_sizes(kb, name, size):
    """Review 49 #14-15 (iterations against epochs on COCO): a public data set named gives its training split's size,
    so the updates an epoch takes can be counted."""
    assert facts(kb, f"I train Mask R-CNN on {name} with a total batch of 16 on 8 GPUs")["dataset_size"] == size


@pytest.mark.parametrize("message, card, count", [("System info: 32G*2 (V100).", "v100-32gb", 2),
                                                  ("80G*8 A100", "a100-80gb", 8), ("显卡：32G*2（V100）", "v100-32gb", 2)])
def test_a_size_times_a_count_before_the_card(kb, message, card, count):
    """'System info: 32G*2 (V100)' (review 49 #5): each card's size, their count, then their name (in brackets)."""
    found = facts(kb, message)
    assert (found["gpu_model"], found["num_gpus"]) == (card, count)


def test_a_zero_stage_tried_that_still_runs_out_is_the_runs(kb):
    """Review 49 #1 (OpenRLHF SFT of Llama-3-8B on 4 3090s, `--zero_stage 2`, then "(after being told to try
    zero_stage 3:) still the same"): the stage tried is the run's now, not "no stage said"; stages only compared
    stay unread."""
    message = ("openrlhf.cli.train_sft --pretrain meta-llama/Meta-Llama-3-8B --zero_stage 2 --bf16 on 4x 3090, OOM.\n"
               "(After being told to try zero_stage 3:) Still the same.")
    assert facts(kb, message)["zero_stage"] == 3
    assert "zero_stage" not in facts(kb, "with deepspeed zero2 I run out of memory, and with zero3 memory use is "
                                         "still around 17 GB")


def test_torchtunes_distributed_recipes_shard_with_fsdp(kb):
    """Review 49 #7 (torchtune `tune run --nproc_per_node 2 lora_finetune_distributed …`): the distributed recipes
    shard with FSDP - no whole copy on each GPU assumed."""
    found = facts(kb, "tune run --nproc_per_node 2 lora_finetune_distributed --config qwen2_5/7B_lora on two H100")
    assert found["parallelism"] == "fsdp" and found["num_gpus"] == 2


def test_a_peft_print_of_a_small_trainable_share_is_adapters(kb):
    """Review 49 #23 (diffusion-pipe's Wan LoRA: "trainable params: 153,354,240 || all params: 14,442,255,424 ||
    trainable%: 1.0618"): PEFT's print of a small trainable share is adapters on a frozen base, not full training."""
    found = facts(kb, "trainable params: 153,354,240 || all params: 14,442,255,424 || trainable%: 1.0618")
    assert found["adapter"] == "lora" and found["adapter_params"] == 153_354_240 and found["params"] == 14_442_255_424
    assert "adapter" not in facts(kb, "trainable params: 6,738,415,616 || all params: 6,738,415,616 || trainable%: 100")


def test_a_data_set_named_as_a_format_is_no_data_set(kb):
    """Review 49 #9 re-graded ('my custom dataset, which has the same format as COCO'): COCO named as a format gives
    no data set size; trained on, it gives its 118,287 images."""
    assert "dataset_size" not in facts(kb, "I train on my custom dataset, which has the same format as COCO, batch 16")
    assert facts(kb, "I train Mask R-CNN on COCO with batch 16")["dataset_size"] == 118_287


def test_a_deepspeed_jsons_stage_alone_on_its_line(kb):
    """Review 50 #10: `"stage": 2` on its own line under "zero_optimization" is ZeRO's stage (and "stage2" after a
    ds_config); a stage of training in a message with no DeepSpeed is not."""
    config = '"zero_optimization": {\n    "stage": 2,\n    "overlap_comm": true\n}'
    assert facts(kb, config)["zero_stage"] == 2
    assert facts(kb, "The ds_config uses stage2, bf16")["zero_stage"] == 2
    assert "zero_stage" not in facts(kb, 'training schedule:\n"stage": 1,\n"epochs": 3')


def test_a_unit_glued_to_a_number_ends_its_sentence_and_a_longer_failing_length_is_the_run(kb):
    """Review 50 #10: "every card uses 60-70G. At length 4096, even 8 machines OOM": the '.' after "70G" ends the
    sentence (not an abbreviation like "e.g."), so the length that fails is its own sentence's, and it is the run."""
    got = facts(kb, "max_seq_length=2048, per_device_train_batch_size=1, 4 machines × 8 cards × 80G: every card uses "
                    "60-70G. At length 4096, even 8 machines OOM.")
    assert got["seq_len"] == 4096


def test_a_templates_choices_comment_is_no_setting(kb):
    """LLaMA-Factory's examples list a key's options in a comment: not stages tried."""
    got = facts(kb, "swift sft --deepspeed zero3\n```\ndeepspeed: examples/deepspeed/ds_z3_config.json  # choices: "
                    "[ds_z0_config.json, ds_z2_config.json, ds_z3_config.json]")
    assert got["zero_stage"] == 3


@pytest.mark.parametrize("message, expected", [
    # review 50 #29: a bound said first, the length past it the run
    ("Remat requested - LoRA OOMs when seq_len > 4096. For LoRA runs, seq_len of 8192 was running into OOM errors",
     {"seq_len": 8192}),
    # review 50 #8: falcontune's mbatch_size is the micro-batch, its batch_size the batch per update
    ("mbatch_size=1\nbatch_size=2\ngradient_accumulation_steps=2", {"micro_batch": 1, "batch_size": 2}),
    # a pasted error wrapped between a size and its unit
    ("CUDA out of memory. Tried to allocate 508.00 MiB (GPU 0; 14.75\nGiB total capacity; 12.29 GiB already allocated)",
     {"oom_capacity": 14.75 * 2**30}),
    # XLA's allocation in bytes
    ("ResourceExhaustedError:  Out of memory while trying to allocate 22542867840 bytes.", {"oom_allocation": 22542867840}),
])
def test_what_review_50_taught_to_read(kb, message, expected):
    got = facts(kb, message)
    for name, value in expected.items():
        assert got.get(name) == value, (name, got)


def test_an_adapter_tried_that_failed_is_not_the_run(kb):
    """Review 50 #12 (OpenRLHF GRPO, full-parameter actor settings): "I tried to activate LoRA but it failed in
    _broadcast_to_vllm()" - the run trains every weight, with OpenRLHF's AdamW."""
    message = ("GRPO with Qwen 2.5 7B on 4 A6000 ada (48G) GPUs is always OOM. I tried to activate LoRA but it failed in "
               "_broadcast_to_vllm() and I can not solve it.\n--actor_num_gpus_per_node 2 --micro_train_batch_size 2 "
               "--train_batch_size 64 --zero_stage 2 --bf16")
    got = facts(kb, message)
    assert "adapter" not in got and got["full_training"] is True and got["optimizer"] == "adamw"
    # an adapter tried that runs is no attempt set aside
    assert facts(kb, "I tried to activate LoRA and it runs, but it is slow")["adapter"] == "lora"


def test_a_data_sets_year_is_no_size(kb):
    """Review 50 #27: "The ImageNet 2012 dataset is prepared using tfds" - 2012 is the release, not 2,012 images."""
    assert facts(kb, "The ImageNet 2012 dataset is prepared using tfds.")["dataset_size"] == 1281167
    assert facts(kb, "I made a 2000 dataset of images")["dataset_size"] == 2000


@pytest.mark.parametrize("message, expected, absent", [
    # LLaMA-Factory's environment report counts the GPUs (but a script's `gpu_number = 8` is a formula's variable)
    ("- GPU type: NVIDIA GeForce RTX 5090\n- GPU number: 1\n- GPU memory: 31.36GB", {"num_gpus": 1}, ()),
    # the memory word right before a bracketed size, a GPU named in the clause
    ("I have a gpu with a quite enough memory (32 GB). CUDA is out of memory during the training",
     {"gpu_memory_gb": 32.0}, ()),
    # llm-foundry's activation_cpu_offload keeps activations on the host: no optimizer or parameter offload
    ("- activation_checkpointing = true\n- activation_cpu_offload = true\n- precision: amp_bf16", {}, ("offload",)),
    # a change the user will not make is no batch of the run
    ("I'm using a batch size of 2 and image size of 960, however after 3 epochs the script is killed because GPU is "
     "out of memory. How can I overcome this without reducing my batch size to 1?", {"micro_batch": 2},
     ("batch_to", "batch_from")),
    # a framework's default training config said as the subject of its numbers is the reference's setup
    ("However, the default training config in mmdet, for Mask-RCNN with FPN for 1x schedule is 8 GPUs and 2 samples "
     "per GPU, for effective batch size of 16, and lr of 0.02.", {"reference_batch": 16}, ("num_gpus", "micro_batch")),
])
def test_the_fifty_first_reviews_readings(message, expected, absent):
    got = labels(message)
    assert {k: got.get(k) for k in expected} == expected, got
    assert not [k for k in absent if k in got], got


def test_a_torchrun_of_fewer_processes_than_the_machine_has_gpus_trains_on_that_many(kb):
    """Review 51 #11: "hardware: 8x A100 80GB" and `torchrun --nproc_per_node=2 … data_parallel=fsdp`: two processes
    train, sharded by FSDP (the key's value names the parallelism, not the key), and the machine's other six are
    idle; the labels keep the machine's count."""
    message = ("7B pretraining results in OOM. hardware: 8x A100 80GB\n```\ndata_parallel=fsdp\n"
               "torchrun --nproc_per_node=2 --master_port=29100 main_pretrain.py --batch_size 1\n```")
    got = facts(kb, message)
    assert (got["num_gpus"], got["machine_gpus"], got["parallelism"]) == (2, 8, "fsdp")
    assert labels_of(read(message))["num_gpus"] == 8



def test_model_parallel_beside_a_torchrun_of_fewer_gpus_leaves_one_data_parallel_copy(kb):
    """Review 51 #11 as written: `data_parallel=fsdp`, `model_parallel=2` and `torchrun --nproc_per_node=2` on an
    8-GPU machine - the two processes hold one model-parallel copy, so FSDP has a data-parallel degree of 1 to shard
    over (read before as 2 GPUs in data parallel, unsharded)."""
    message = ("7B pretraining results in OOM. hardware: 8x A100 80GB\n```\ndata_parallel=fsdp\nmodel_parallel=2\n"
               "torchrun --nproc_per_node=2 --master_port=29100 main_pretrain.py --batch_size 1\n```")
    got = facts(kb, message)
    assert (got["num_gpus"], got["model_parallel_gpus"], got["parallelism"]) == (1, 2, "fsdp")
    assert consult(message, kb=kb).findings[0].id == "finding-sharding-one-dp-rank"


@pytest.mark.parametrize("message", ["I would like to train YOLOS on publaynet and ideally use 4-8 V100s.",
                                     "We plan to use 2-4 GPUs for this."])
def test_a_range_of_gpu_counts_is_no_count(message):
    """Review 51 #16: "ideally use 4-8 V100s" - a range of counts planned, none of them the run's GPUs."""
    assert "num_gpus" not in labels(message)


def test_lightnings_plain_batch_is_each_process():
    """rq-167: "2 GPUs in DDP … If I use a batch size of 16 and accumulate gradients=2, how does lightning handle it?" -
    Lightning's DataLoader batch is each process's (the golden scenario r18 flags the 32 the message calls the
    effective batch)."""
    got = labels("Training setup: 2 GPUs on a single machine in DDP mode. If I use a batch size of 16 and accumulate "
                 "gradients=2, how does lightning handle it?")
    assert got.get("micro_batch") == 16


def test_how_you_fit_a_model_asks_about_memory():
    """Review 51 #18: "I was wondering how you're fitting two SDXL UNets on a single A800 with batch size 6 … any
    optimizations to bring memory down, like … 8bit adam? Also curious about training speed" - a memory question,
    the speed an aside."""
    got = labels("Quick question on training. I was wondering how you're fitting two SDXL UNets on a single A800 with "
                 "batch size 24/4=6. Are you doing any optimizations to bring memory down, like precomputing embeddings "
                 "or 8bit adam? Also curious about training speed if you can share.")
    assert got.get("goal") == "fit"


def test_an_abbreviated_instruct_suffix_names_the_base_model():
    """Review 51 #22: `--base_model 'qwen2-7b-instr/'` is Qwen2-7B (its instruct checkpoint), not a model of its own."""
    assert labels("CUDA_VISIBLE_DEVICES=0 python finetune.py --base_model 'qwen2-7b-instr/' --batch_size 16")["model"] \
        == "qwen2-7b"


def test_a_lora_setting_left_in_a_full_fine_tuning_command_turns_no_adapter_on(kb):
    """Review 52 #8: LLaMA-Factory's `--finetuning_type full` with `--lora_target c_attn` left in trains every weight."""
    message = ("7b/6b模型 全参数 会溢出。 batch_size=4 A100-80G\nsrc/train_bash.py --stage sft --model_name_or_path "
               "Qwen-7B-Chat --do_train --lora_target c_attn --finetuning_type full --per_device_train_batch_size 4 --fp16")
    got = facts(kb, message)
    assert "adapter" not in got and got["training_mode"] == "finetune"
    lora = facts(kb, "src/train_bash.py --stage sft --model_name_or_path Qwen-7B-Chat --lora_target c_attn "
                     "--finetuning_type lora --per_device_train_batch_size 4")
    assert lora["adapter"] == "lora"


@pytest.mark.parametrize("message, unread", [
    ("The input has dimension of 240k, and each hidden layer has 1024 and 512 nodes separately.", "num_nodes"),
    ("我用双卡微调的时候，per_device_train_batch_size=1", None),
])
def test_a_layers_nodes_are_no_machines_and_two_cards_in_chinese_are_two_gpus(kb, message, unread):
    got = facts(kb, message)
    if unread:
        assert unread not in got
    else:
        assert got["num_gpus"] == 2


def test_an_issue_templates_your_environment_heading_is_no_reference_to_match(kb):
    """Review 52 #17: pytorch/examples' template heading "## Your Environment" asks the reporter's own setup."""
    got = facts(kb, "Cuda memory usage does not decrease when increasing the number of cuda cards.\n\n## Your "
                    "Environment\n\n* Is it a CPU or GPU environment?: GPU")
    assert got.get("user_goal") != "match_reference"


@pytest.mark.parametrize("message, field, expected", [
    # review 52 #25: a script's positional parameter with its default is no accumulation of 7
    ("NUM_GPUS=8\nBSIZE_PER_GPU=1\nNUM_MICROBATCHES=${7:-0}", "grad_accum_steps", None),
    # review 52 #30: nn.Linear(input_size, output_size) with input_size = 5000 is no image
    ("input_size = 5000\noutput_size = 5000\nbatch_size = 1000", "image_size", None),
    ("yolov5 with input size 1280, batch 8", "image_size", 1280),
    # review 52 #29: the unit written once, after the card's total
    ("micro_batch_size 32 did not fully utilize the available GPU memory (20556 / 24268 MB on 3090)", "measured_use",
     20556e6),
    # review 52 #2: prime-rl's [model.ac] table turns activation checkpointing on
    ("[model]\nname = \"willcb/Qwen3-32B\"\n\n[model.ac]\n\n[optim]\nlr = 2e-4", "grad_checkpointing", True),
])
def test_review_52_settings_read_or_left(kb, message, field, expected):
    assert facts(kb, message).get(field) == expected


def test_memory_capacity_issues_are_an_oom(kb):
    """Review 52 #26: "if I try finetuning the larger version of FLAN-T5 I run into memory capacity issues"."""
    got = facts(kb, "If I try finetuning the larger version of FLAN-T5 I run into memory capacity issues, even with a "
                    "batch size of 1.")
    assert got["oom"] is True and got["user_goal"] == "fit"


def test_a_script_batch_fed_to_dataparallel_is_the_total(kb):
    """Review 52 #30: `batch_size = 1000` with nn.DataParallel over 4 GPUs - one DataLoader, split over them."""
    got = facts(kb, "os.environ['CUDA_VISIBLE_DEVICES'] = '0,1,2,3'\nbatch_size = 1000\n"
                    "model = nn.DataParallel(model)\noptimizer = optim.Adam(model.parameters(), lr=0.01)")
    assert got.get("batch_size") == 1000 and "batch_unqualified" not in got


def test_two_cards_compared_are_no_count_of_the_runs_gpus(kb):
    """Review 52 #7: "My settings are sensibly the same between the two cards" - a 4080 then, a 3090 now: two runs."""
    got = facts(kb, "I used a 4080 on Windows and got it to work. Today I tried with a 3090 on Linux. My settings are "
                    "sensibly the same between the two cards.")
    assert got.get("num_gpus") != 2


def test_detectron2s_train_net_with_several_gpus_starts_a_process_each(kb):
    """Review 52 #11: `train_net.py --num-gpus 1` first, then `--num-gpus 2` - detectron2's launch() spawns a process
    per GPU, so the run with two is no single process."""
    got = facts(kb, "I use 1 GPU:\n```\nCUDA_VISIBLE_DEVICES=4 python3 tools/train_net.py --num-gpus 1 --config-file "
                    "x.yaml\n```\nThen I run with 2 GPU:\n```\nCUDA_VISIBLE_DEVICES=3,4 python3 tools/train_net.py "
                    "--num-gpus 2 --config-file x.yaml\n```")
    assert got["launch"] == "process_per_gpu"


@pytest.mark.parametrize("message", [
    "Full fine-tuning overflows. The maintainer replied: 最低需要 A100 80G * 3. I launched with --num_processes 8.",
    "The maintainer says it needs at least 3 A100 80GB for full fine-tuning; I launched with --num_processes 8.",
])
def test_a_floor_someone_gives_is_no_count_of_the_users_gpus(kb, message):
    """Review 52 #8: "needs at least 3x A100 80G" (最低需要) is what a run would take, not the GPUs the user has."""
    got = facts(kb, message)
    assert got["num_gpus"] == 8 and got["reference_num_gpus"] == 3


def test_a_guess_about_the_users_own_run_is_theirs(kb):
    """Review 52 #16: "I assume using samples_per_gpu=1 on 4 GPUs leads to batch_size=4" is the user's understanding
    of their own run, no reference; "… so I guess the number of GPUs is 256" beside a paper stays the paper's."""
    own = facts(kb, "I only have 4x12GB GPUs. I assume using samples_per_gpu=1 on 4 GPUs leads to batch_size=4.")
    assert own["num_gpus"] == 4 and "reference_batch" not in own and "reference_num_gpus" not in own
    theirs = facts(kb, "The paper states a batch size of 3072, and vitg14.yaml sets batch_size_per_gpu to 12, so I "
                       "guess the number of gpus is 256?")
    assert theirs["reference_num_gpus"] == 256 and "num_gpus" not in theirs


@pytest.mark.parametrize("message", ["At batch 8 it trains fine, but batch 16 OOMs on my 3090.",
                                     "With batch size 4 training works. With batch size 12 I get CUDA out of memory."])
def test_a_larger_batch_that_fails_above_one_that_runs_is_the_run_to_fit(kb, message):
    """The batch that fails is the one asked about; the largest said to run is what fits so far (before, the two
    left the batch unread)."""
    got = facts(kb, message)
    small, large = sorted(int(n) for n in re.findall(r"batch (?:size )?(\d+)", message))
    assert got["batch_size"] == large and got["max_micro_batch"] == small


def test_reproducing_a_simple_example_is_a_repro_of_the_bug_not_a_result(kb):
    """Review 52 #21: "I fail to reproduce a simple example yet. Any tips?" asks for no paper's result."""
    got = facts(kb, "Running even 512 batch size using 4 gpus is not working because of memory exhaustion. I fail to "
                    "reproduce a simple example yet. Any tips what might be the culprit?")
    assert "goal" not in got and "claim_below_reference" not in got and got.get("user_goal") != "match_reference"
    assert facts(kb, "I fail to reproduce the paper's 76% top-1 with batch 256.")["goal"] == "replicate"


@pytest.mark.parametrize("message", [
    "训练一段时间后就会溢出显存 <img width=\"1476\" alt=\"Image\" src=\"https://github.com/user-attachments/assets/"
    "300012b4-e72d-4b6d-87b5-c4ff7ccb3820\" />",
    "Converges worse on 8 GPUs ![Image](https://github.com/user-attachments/assets/65f1d075-65b5-49e1-8fc7-89fd9c1bad94)",
    "fixed in commit 3e7b2a9f04c1d8e65b7a0f9c2d4e1b3a5c7d9e0f, still OOM",
])
def test_an_attachments_uuid_or_a_commits_hash_names_no_model_size(kb, message):
    """Review 53 #16 and #5: "…-e72d-4b6d-…" read as 4.6B parameters, "…-65b5-…" as 65.5B; and GitHub's pasted
    picture ("![Image](…)", `alt="Image"`) is no multimodal model."""
    got = facts(kb, message)
    assert "params" not in got and "multimodal_named" not in got


def test_a_dataset_named_train_ds_is_no_deepspeed(kb):
    """Review 53 #5: "this is my `train_ds` config" (NeMo's training data set) read as DeepSpeed ZeRO."""
    assert "parallelism" not in facts(kb, "this is my `train_ds` config:\ntrain_ds:\n    batch_size: 512")
    assert facts(kb, "I train with the ds config of zero3")["parallelism"] == "zero"


def test_the_epochs_a_flag_sets_outrank_a_point_in_the_run(kb):
    """Review 53 #16: "不到1个epoch溢出" (it overflows before even one epoch) beside `--epochs 5`: the run is 5 epochs."""
    got = facts(kb, "但是不到1个epoch溢出中断训练两次\nnohup python train_pretrain.py --batch_size 64 --epochs 5")
    assert got["epochs"] == 5


def test_a_size_said_beside_a_model_names_only_a_sibling_of_the_same_line(kb):
    """Review 53 #28: "1.3b+ models (such as llama-7b or gpt-neo-1.3b)" read as llama-3.2-1b, another generation the
    message never names; "llama 7B worked but 13B OOMs" is llama-13b, the same line in another size."""
    assert "model_preset" not in facts(kb, "How to accelerate training of 1.3b+ models? I train 1.3 billion and larger "
                                           "models (such as llama-7b or gpt-neo-1.3b) with ZeRO-3.")
    assert facts(kb, "I had no issue with llama 7B training but had an OOM with 13B.")["model_preset"] == "llama-13b"


def test_what_machines_consume_is_a_use_and_ten_layers_are_no_batch(kb):
    """Review 53 #13: "both machines consume 40GB of memory" is a use, not a 40 GB card; #14: "设置个10层这样能跑起来"
    (with 10 layers it runs) is no largest micro-batch of 10."""
    got = facts(kb, "During single node training, it takes up 39GB of GPU memory. However, in multi-node training, both "
                    "machines consume 40GB of memory.")
    assert got["measured_use"] == 40e9 and "gpu_memory" not in got
    assert "max_micro_batch" not in facts(kb, "还有我用全参数，设置个10层这样能跑起来，然后批次配置还可以用下面的")


def test_points_in_the_run_examples_comments_and_supposed_cases_set_nothing(kb):
    """Review 53: "OOM at 3000-10000 iters" plans no 10,000 steps (#9); "# Train the model on the COCO8 dataset", an
    example's comment above `data=…VisDrone.yaml`, is no data set of the run (#18); "Is the Trainer DDP or DP? If it
    is DDP, why …" supposes DDP, it does not say the run uses it (#22)."""
    assert "planned_steps" not in facts(kb, "memory grows until an out of memory error at 3000-10000 iters.")
    got = facts(kb, "```\n# Train the model on the COCO8 dataset for 100 epochs\nresults = model.train(\n"
                    "    data=\"ultralytics/cfg/datasets/VisDrone.yaml\",\n    batch=40,\n    epochs=300)\n```")
    assert got["dataset_size"] == 6471 and got["epochs"] == 300
    assert "parallelism" not in facts(kb, "Is the Trainer DDP or DP? If it is DDP, why is the memory on cuda-0 much "
                                          "larger than on the other cards?")


def test_a_shared_servers_a40_its_ram_and_a_second_gpu_it_could_use(kb):
    """Review 53 #19: an A40 shows 46068 MiB (44.99 GiB), "the available CPU memory is about 70G" is the host's RAM,
    "I could use two A40 GPUs if necessary" GPUs the run may grow to (the run is on one), and "full-weight
    fine-tuning" trains every weight."""
    got = facts(kb, "I am performing full-weight fine-tuning on llama-2-7b-hf on an NVIDIA A40 GPU. The GPU memory is "
                    "about 44G and the available CPU memory is about 70G. I could use two A40 GPUs if necessary, but "
                    "the total CPU memory would not change.")
    assert got["gpu_memory"] == 46068 * 2**20 and got["num_gpus"] == 1 and got["gpus_available"] == 2
    assert got["cpu_ram"] == 70 * 2**30 and got["full_training"] is True
    assert "cpu_ram" not in facts(kb, "CPU memory usage is about 70G while training")


def test_a_batch_key_glossed_as_global_is_the_batch_per_update(kb):
    """Review 53 #26: "train_batch_size(global batch size)=64" on 8 GPUs is 64 per update, not a batch whose scope is
    asked."""
    got = facts(kb, "Training with 8 GPUs with `train_batch_size(global batch size)=64`.")
    assert got["batch_size"] == 64 and "batch_unqualified" not in got


def test_qlora_said_in_the_body_refines_a_lora_title(kb):
    """Review 54 #3 ("Lora finetune GPU VRAM usage difference …" then "when I'm doing Qlora finetune"): QLoRA, LoRA on
    a 4-bit base; but a QLoRA asked about ("Is there a QLoRA way to do this?") leaves the LoRA run as it is."""
    assert facts(kb, "Lora finetune VRAM usage. I found a huge difference when I'm doing Qlora finetune.")["adapter"] \
        == "qlora"
    assert facts(kb, "During LoRA fine-tuning the memory keeps climbing until OOM. Is there a QLoRA way to do "
                     "this?")["adapter"] == "lora"


def test_a_quoted_docs_note_and_checkpoints_trained_elsewhere_are_the_references(kb):
    """Review 54 #13 (PSPNet on a single P100: "the provided checkpoints have been trained on a 4 GPU system", then
    a markdown quote of the docs: "> The default learning rate in config files is for 4 GPUs and 2 img/gpu"): the
    user trains on one GPU; the 4 GPUs × 2 are the recipe's."""
    got = facts(kb, "Reproducing performance on single GPU\nI trained PSPNet with SyncBN changed to BN for single GPU "
                    "training. I understand that the provided checkpoints have been trained on a 4 GPU system.\n\n> "
                    "**Important**: The default learning rate in config files is for 4 GPUs and 2 img/gpu (batch size "
                    "= 4x2 = 8).\n")
    assert got["num_gpus"] == 1 and got["reference_num_gpus"] == 4 and got["reference_batch"] == 8
    assert "micro_batch" not in got
    assert facts(kb, "I use the provided config on 2 GPUs.")["num_gpus"] == 2


@pytest.mark.parametrize("message, expected", [
    ("14B works fine, but even at batch size 1 I OOM on 32B. My sequences are up to 32k.", 32768),
    ("We train on sequences of 2048 tokens.", 2048),
    ("The number of sequences is 900.", None),
])
def test_the_length_sequences_are_said_to_have(kb, message, expected):
    """Review 54 #26: "My sequences are up to 32k" is the sequence length; "the number of sequences" counts data."""
    assert facts(kb, message).get("seq_len") == expected


def test_a_fenced_block_a_source_is_said_to_have_is_the_sources_setup(kb):
    """Review 54 #12 (F5-TTS: "You used 8xA100 80GB GPU's …, accordingly your settings are:" then a yaml block with
    batch_size_per_gpu 38400 and accumulation 1; "If I want to use 8xA100 40GB … I'd use:" 19200 and 2): the first
    block is the authors' - 38,400 × 8 per update - and the second the user's; "In the provided code:" then a block
    stays the run's own settings."""
    got = facts(kb, "You used 8xA100 80GB GPU's for model training, accordingly your settings are:\n```yaml\n"
                    "batch_size_per_gpu: 38400\ngrad_accumulation_steps: 1\n```\nIf I want to use 8xA100 40GB GPU's "
                    "for model training to reproduce your results, I'd use:\n```yaml\nbatch_size_per_gpu: 19200\n"
                    "grad_accumulation_steps: 2\n```\n")
    assert got["micro_batch"] == 19200 and got["grad_accum_steps"] == 2 and got["reference_batch"] == 38400 * 8
    own = facts(kb, "In the provided code:\n```\ntrain:\n  train_batch_size: 1\n  gradient_accumulation_steps: 4\n```\n")
    assert own["grad_accum_steps"] == 4 and "reference_batch" not in own


def test_gpus_written_with_an_apostrophe_still_lay_out_a_batch(kb):
    """Review 54 #14 ("in your implementation you used 8 GPU's X 2 samples per GPU"): the reference's batch per
    update is 16, not 2."""
    got = facts(kb, "I get CUDA out of memory on a single GPU at batch_size = 2, since in your implementation you used "
                    "8 GPU's X 2 samples per GPU. My GPU is Tesla V100 with 16GB.")
    assert got["reference_batch"] == 16 and got["num_gpus"] == 1


@pytest.mark.parametrize("message, field, expected", [
    # review 55 #2: a use named a few words before its 'is' ("the memory usage of per GPU is about 8.4 GB")
    ("With DDP on two GPUs, the memory usage of per GPU is about 8.4 GB.", "measured_use", 8.4e9),
    ("The GPU memory consumption was around 20 GB during training.", "measured_use", 20e9),
    # (a card's size said with 'is' and no use word stays the card's)
    ("My GPU memory is about 16 GB.", "measured_use", None),
])
def test_review_55_settings_read_or_left(kb, message, field, expected):
    assert facts(kb, message).get(field) == expected


def test_a_question_of_the_gpus_the_authors_used_is_no_count_to_fit(kb):
    """Review 55 #17: "How many GPUs were used? … What is the final batchsize? (num_gpu * batch_size_per_device *
    accumulation_steps)" asks for the authors' setup - matching a reference - and names the micro and global batch."""
    got = facts(kb, "How many GPUs were used?\nWhat is the final batchsize? (num_gpu * batch_size_per_device * "
                    "accumulation_steps). Including pretrain and finetune")
    assert got["user_goal"] == "match_reference" and got["micro_and_global_named"] is True
    assert facts(kb, "How many GPUs do I need to train a 7B model?")["user_goal"] == "fit"


def test_openrlhf_role_keys_count_no_gpus_of_the_run(kb):
    """Review 55 #29: OpenRLHF's `--ref_num_nodes 1 --ref_num_gpus_per_node 4 … --actor_num_nodes 1
    --actor_num_gpus_per_node 16` beside "3机，24卡*80G": the actor's 16 GPUs train, over 3 machines; the reference's
    keys count another model's GPUs; `--pretrain Qwen2.5-3B-Instruct` is the checkpoint, no pretraining."""
    got = facts(kb, "3机，24卡*80G，出现了OOM\n   -- python3 -m openrlhf.cli.train_ppo_ray \\\n   --ref_num_nodes 1 \\\n"
                    "   --ref_num_gpus_per_node 4 \\\n   --critic_num_nodes 0 \\\n   --actor_num_nodes 1 \\\n"
                    "   --actor_num_gpus_per_node 16 \\\n   --pretrain Qwen2.5-3B-Instruct \\\n"
                    "   --micro_train_batch_size 4 \\\n   --train_batch_size 128 \\\n")
    assert got["num_gpus"] == 16 and got["num_nodes"] == 3 and got["grad_accum_steps"] == 2
    assert got.get("training_mode") != "scratch"


@pytest.mark.parametrize("message", [
    "Here is my DAPO config, it runs into OOM during Megatron Actor Updating on 1 node (8 * A800 80G) machine.",
    "qwen2-vl-7B on 8*H800, per_device_train_batch_size = 1, num_generation = 2, OOM",
])
def test_grpo_and_its_variants_tune_a_pretrained_model(kb, message):
    """Review 55 #14 (DAPO, a GRPO variant) and #23 (GRPO said by its group size alone): fine-tuning, not a question of
    scratch or fine-tuning."""
    got = facts(kb, message)
    assert got["training_mode"] == "finetune" and got["rl_method"] == "grpo"


@pytest.mark.parametrize("message, field, expected", [
    # review 56 #10: CUDA's memory is the GPU's (but "Booster init max CUDA memory: 3770.59 MB" is a use)
    ("batch size is 16 ,my cuda memory is 40GB,  what should i do", "gpu_memory", 40 * 2**30),
    ("Booster init max CUDA memory: 3770.59 MB", "gpu_memory", None),
    # review 56 #14: 梯度累计 (a common spelling of 梯度累积) is gradient accumulation
    ("用了一张卡训练，每张卡上的batchsize是64，梯度累计步数是128", "grad_accum_steps", 128),
    # review 56 #30: OpenRLHF's `--reward_pretrain <path>` loads a checkpoint; it does not pretrain
    ("--pretrain /root/llama-2-7b-chat-hf \\\n --reward_pretrain /root/Llama-2-7b-rm \\\n --zero_stage 2", "training_mode",
     "finetune"),
    # review 56 #4: a script's name of several words is one path ("python rl_training.py"): one process
    ("I use 8 A100. CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 python rl_training.py --batch_size 1", "launch", "one_process"),
])
def test_review_56_settings_read_or_left(kb, message, field, expected):
    assert facts(kb, message).get(field) == expected


def test_review_56_figures_of_arithmetic_and_titles_are_no_settings(kb):
    """Review 56 #27 ("1000 * 512 * 30522 / 1024^3 > 14 Gb of memory": the user's arithmetic, no card) and #21 (the
    paper "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour": a title, no target time)."""
    assert "gpu_memory" not in facts(kb, "1000 examples with max_length = 512 and vocab_size = 30522 occupy "
                                         "1000 * 512 * 30522 / 1024^3 > 14 Gb of memory")
    assert "target_duration" not in facts(kb, 'Should I follow the guidelines in the paper "Accurate, Large Minibatch '
                                              'SGD: Training ImageNet in 1 Hour"?')
    assert facts(kb, "I need to finish training in 2 days")["target_duration"] == 2 * 86400


def test_switching_between_gpu_counts_with_a_smaller_batch_after_an_oom(kb):
    """Review 56 #7: "When switching between 1 and 2 GPUs I have to change the micro_batch from 4 to 2 otherwise I get
    OOM": the GPU count went from 1 to 2, the batch per update stays 4, and the per-GPU batch that fit one GPU runs out
    of memory on two."""
    got = facts(kb, "When switching between 1 and 2 GPUs I have to change the micro_batch from 4 to 2 otherwise I get "
                    "OOM. So it doesn't seem as though the per_gpu is correct?")
    assert got["num_gpus"] == 2 and got["micro_batch"] == 2 and got["claim_multi_gpu_oom_one_fits"] is True
    assert got.get("batch_scale_factor", 1.0) == 1.0


def test_review_56_a_zero_infinity_report_is_read(kb):
    """Review 56 #2: "the 0.1T GPT model with 4 A100 GPUs(80GB)" and peaks listed "mini-batch 4: [theoretical]
    1.5+1.6=3.1GB [actual] 19GB": a trillion-scale size with a model after it, the measured figures (not the worked-out
    ones), the theory's '=8GB' no total over the GPUs, and runs that trained."""
    got = facts(kb, "Below is the GPU memory usage when training the 0.1T GPT model with 4 A100 GPUs(80GB).\n"
                    "- mini-batch 4: [theoretical] 1.5+1.6=3.1GB  [actual] 19GB\n- mini-batch 8: [theoretical] "
                    "1.5+3.2=4.7GB  [actual] 31GB\n- mini-batch 16: [theoretical] 1.5+6.5=8GB   [actual] 51GB")
    assert got["params"] == 1e11 and got["gpu_memory"] == 80 * 2**30
    assert got["peak_memory_by_batch"] == [[4, 19e9], [8, 31e9], [16, 51e9]] and got["claim_run_fits"] is True
    assert "params" not in facts(kb, "the model was trained on 1.5T tokens")


def test_accelerates_num_processes_below_the_machines_gpus_is_the_runs_count(kb):
    """Review 56 #3: "4 H100 gpus" and `accelerate launch --num_processes 3`: three processes train."""
    got = facts(kb, "I'm trying to do PPO on a Llama 2 7B model using 4 H100 gpus each with 94 GB of memory.\n"
                    "accelerate launch --num_processes 3 --config_file configs/ds_config.yaml train.py")
    assert got["num_gpus"] == 3


@pytest.mark.parametrize("message, expected", [
    # review 57 #7: a trainer's settings listed with their eval twin beside a DeepSpeed config are per device
    ("accelerate launch --num_processes=4 --use_deepspeed. Config: train_batch_size: 2, eval_batch_size: 2",
     {"micro_batch": 2, "batch_size": None}),
    # DeepSpeed's own JSON key stays the global batch
    ('deepspeed on 4 GPUs: "train_batch_size": 32', {"batch_size": 32}),
    # `gradient_checkpt: True`: checkpointing's key, abbreviated
    ("gradient_checkpt: True", {"grad_checkpointing": True}),
])
def test_a_deepspeed_runs_trainer_settings_and_abbreviated_keys(kb, message, expected):
    got = facts(kb, message)
    assert {k: got.get(k) for k in expected} == expected, got


@pytest.mark.parametrize("message, expected", [
    # review 57 #22: the setup revised ("我后来改成了：") - the settings said after it are the run's now
    ("--actor_num_nodes 1 --actor_num_gpus_per_node 16 --micro_train_batch_size 4 --train_batch_size 128 "
     "--prompt_max_len 1024 --generate_max_len 4096\n（后续补充）我后来改成了：--actor_num_nodes 2 "
     "--actor_num_gpus_per_node 2 --micro_train_batch_size 1 --train_batch_size 64 --prompt_max_len 256 "
     "--generate_max_len 4096", {"micro_batch": 1, "num_gpus": 4, "seq_len": 4352}),
    ("I used batch size 8 on one A100. I later changed it to batch size 4.", {"batch_size": 4}),
    # a report of what then ran is no revision of the failing setup (rq-2587)
    ("OOM at batch size 2 on a 2080. Update: after removing long files I was able to train with a batch size of 16.",
     {"batch_size": 2}),
])
def test_settings_said_after_the_setup_is_revised_are_the_runs(kb, message, expected):
    got = facts(kb, message)
    assert {k: got.get(k) for k in expected} == expected, got


def test_the_users_own_step_arithmetic_in_a_question_is_no_plan(kb):
    # review 57 #9: "Shouldn't it be 800,000 / 3 / 24 = 11,112 steps?" checks a division; no run of 11,112 steps
    assert "planned_steps" not in facts(kb, "Shouldn't it be 800,000 / 3 / 24 = 11,112 steps?")
    assert facts(kb, "I train for 11,112 steps.")["planned_steps"] == 11112



# review 59 (real messages read wrong): what each phrasing says, and what a look-alike does not
@pytest.mark.parametrize("message, expected, absent", [
    # a context length in K right after a model's name; a count of cards asked in Chinese
    ("Llama3-70B 8K全参数微调至少需要多少张A100 80G的卡？", {"seq_len": 8192, "claim_asks_gpu_count": True}, ()),
    ("fine-tune Qwen2-7B 32k SFT on 8 H100s", {"seq_len": 32768}, ()),
    ("Llama-2-7b 8k samples on a 3090", {}, ("seq_len",)),  # 8k of something else
    # the card's memory said as what the user has on it; a use keeps its verb
    ("I have only 6GBs available in my GPU and get OOM errors", {"gpu_memory": 6 * 2**30}, ()),
    ("it uses 6GB on my GPU", {}, ("gpu_memory",)),
    # a bound is no setting's value ("> 1"), an arrow is no bound
    ("- Batch Gradient Accumulation > 1\naccum_grad_batches: 2", {"grad_accum_steps": 2}, ()),
    # Hugging Face's issue template names frameworks that are not installed
    ("- Tensorflow version (GPU?): not installed (NA)\n- Flax version (CPU?/GPU?/TPU?): not installed (NA)\n"
     "OOM on a 3090 with batch 8", {"gpu_model": "rtx-3090"}, ("tensorflow_named", "tpu_named")),
    # "the other 3 GPUs" are some of the run's, not its count
    ("CodeLlama-34B on a 4xA100 80GB setup with device_map='auto': the first GPU goes OOM while the other 3 GPUs "
     "use about 20GB each.", {"split_gpus": 4}, ()),
    # a setting quoted for the loading is no OOM while loading
    ("At 8k it goes OOM. I am setting `device_map='auto'` when loading the model in my script.", {"oom": True},
     ("oom_stage",)),
    # a Lightning scheduler asks for the run's steps: no question about the learning rate's value, nor about fitting
    ("Some learning rate schedulers as OneCycleLR requires the number of steps per epoch. Then, how to get the number "
     "of steps in `configure_optimizers(self)`? dm.setup('fit')", {"lightning_named": True, "asked_topics": "steps"},
     ("user_goal",)),
    # a count between "my" and the card is their number; a card the catalogue has in one size
    ("I fine-tune on my two RTX 3090s", {"num_gpus": 2}, ()),
    ('"GPU": [ "GeForce GTX 980" ], 4GB total, OOM', {"gpu_model": "gtx-980"}, ()),
    # a markdown quote the user's own words introduce holds the user's settings, not a source's
    ("I trained my data with below configurations.\n\n> batch = 64\n> subdivisions = 16\n",
     {"batch_size": 64, "micro_batch": 4}, ("reference_batch",)),
    # an issue template's "steps to reproduce" asks no count of steps
    ("Training on 2 GPUs is slow. ### What are the steps to reproduce the bug?", {"asked_topics": "speed"}, ()),
])
def test_review_59_phrasings(kb, message, expected, absent):
    got = facts(kb, message)
    for name, value in expected.items():
        assert got.get(name) == value, (name, got.get(name))
    for name in absent:
        assert name not in got, (name, got.get(name))


def test_composers_precision_values_are_read():
    """Composer and LLM Foundry write the precision as `precision: amp_bf16` (a held-out review's answer asked for it)."""
    from advisor.reading.reader import read
    assert read("precision: amp_bf16\nglobal_train_batch_size: 1024").values["precision"].value == "amp_bf16"
    assert read("precision: amp_fp16").values["precision"].value == "amp_fp16"



def test_a_batch_set_to_the_default_and_a_result_after_iterations():
    """Review 66 #7: "batch size is set to the default 4" is a batch (six fillers back to its cue), and "after 160k
    iterations, mIoU can only reach 55" is the length the run trained (a result read there), while "after 200
    steps the loss diverged" is a point in the run."""
    assert read("When batch size is set to the default 4, I can reproduce the result").get("micro_batch") == 4
    assert read("after 160k iterations, miou can only reach 55").get("planned_steps") == 160000
    assert read("after 200 steps the loss diverged").get("planned_steps") is None


def test_a_count_of_mini_batches_is_no_batch():
    """Review 65 #4: PPO's `num_mini_batch: 1` says how many minibatches a rollout is cut into, not how large one is."""
    assert read("num_mini_batch: 1").get("micro_batch") is None
    assert read("the number of mini-batches is 4").get("micro_batch") is None
    assert read("mini batch size 8").get("micro_batch") == 8


def test_one_epoch_as_the_unit_of_a_time_is_no_count():
    """Review 66 #2: "for 1 epoch, it will take 15mins, so for training 300 epoch, it will take 3.125 days"."""
    assert read("In my experiment, for 1 epoch, it will take 15mins, so for training 300 epoch, it will take 3.125 "
                "days.").get("epochs") == 300
    assert read("train for 1 epoch").get("epochs") == 1


def test_a_library_named_faster_a_checkpoints_epochs_and_a_comparison_with_the_original():
    """Review 66 #17: "Faster Whisper" is a library, "whisper-large-v3-ct2-10epoch" a checkpoint's name, "higher
    compared to the original Whisper" a comparison (no reproduction), and "too much GPU memory" a wish to fit."""
    assert read("19GB for Faster Whisper versus 11GB for the original Whisper").get("goal") is None
    assert read('model = WhisperModel("whisper-large-v3-ct2-10epoch", device="cuda")').get("epochs") is None
    assert read("trained 3-5 epochs").get("epochs") == 5
    assert read("memory usage is higher compared to the original Whisper batch inference").get("goal") \
        != "match_reference"
    assert read("BatchInference Use too much GPU memory").get("goal") == "fit"


def test_files_and_clips_count_the_data_set():
    """Review 66 #10: "Data: Single Speaker, 18,000 files, average length 3 seconds"."""
    assert read("Data: Single Speaker, 18,000 files, average length 3 seconds").get("dataset_size") == 18000
    assert read("My training data consists of 79000 wav files").get("dataset_size") == 79000


def test_a_batch_said_as_a_product_of_three_counts():
    """Review 66 #1: "the batch size was 6 * 8 * 8" is 384 per update (per-device × GPUs × accumulation); two factors
    ("batch size 16x2", often one of several layouts compared), a factor followed by its GPUs, a change's target and
    the authors' batch are left to the other readings."""
    assert read("the batch size was 6 * 8 * 8.").get("global_batch") == 384
    assert read("we set the batch size to 2*4*8").get("global_batch") == 64
    assert read("With batch size 16x2, I get AP 44.").get("global_batch") is None
    assert read("batch size 4 x 8 GPUs").get("num_gpus") == 8
    assert read("if I raise the batch size to 4*1024*2").get("global_batch") is None
    assert read("Is your total batch 4*4*2 on 4 V100 GPUs?").get("global_batch") is None


def test_deepspeed_chats_prompt_and_answer_lengths_make_the_sequence():
    """Review 66 #21: DeepSpeed-Chat's step 3 trains on the prompt and the generated answer: --max_prompt_seq_len
    16000 with --max_answer_seq_len 2000 is 18,000 tokens a sequence."""
    reading = read("deepspeed main.py --max_answer_seq_len 2000 --max_prompt_seq_len 16000 --per_device_train_batch_size 1")
    assert reading.get("seq_len") == 18000


def test_a_samples_length_said_in_tokens_is_the_sequence():
    """Review 67 #14: "in some cases I think one record corresponds to about 30000 tokens" is a sample's length; a
    data set's tokens and a rate in tokens are not."""
    assert read("in some cases I think one record corresponds to about 30000 tokens").get("seq_len") == 30000
    assert read("each sample has about 2048 tokens").get("seq_len") == 2048
    assert read("my prompts are ~6000 tokens").get("seq_len") == 6000
    assert read("the dataset has 2000000 tokens").get("seq_len") is None
    assert read("I get 3000 tokens per second").get("seq_len") is None


def test_a_data_set_counted_in_wan_or_millions():
    """"我有400W的数据集" (4,000,000 samples: W is 万), "a 1.2 million image dataset"."""
    assert read("我有400W的数据集，8张A100 80G").get("dataset_size") == 4_000_000
    assert read("我有一个400万的数据集").get("dataset_size") == 4_000_000
    assert read("a 1.2 million image dataset").get("dataset_size") == 1_200_000


def test_a_glued_mixtral_size_and_a_total_memory_over_cards(kb):
    """Review 67 #14: `model_name_or_path: /workspace/models/mixtral8x22` is the 8x22B; "3x A100 gpus for a total of
    240gb" is 80 GB a card, the A100 80GB's - no difference between the size said and the card's to point out."""
    assert facts(kb, "model_name_or_path: /workspace/models/mixtral8x22")["model_preset"] == "mixtral-8x22b"
    said = facts(kb, "I am using 3x A100 gpus for a total of 240gb of vram.")
    assert said["num_gpus"] == 3 and "named_card_memory" not in said
    assert facts(kb, "an A10G (16 GB VRAM)")["named_card_memory"] > 20e9


def test_a_recipes_layout_said_value_first():
    """Review 67 #17: "the parameters of yours is 16 per_device_train_batch_size x 1 gradient_accumulation_steps x 8
    num_gpus" is the recipe's 128 per update; the user's own layout said the same way is theirs."""
    ref = read("the paper used 16 per_device_train_batch_size x 1 gradient_accumulation_steps x 8 num_gpus").reference
    assert ref["batch"].value == 128 and ref["num_gpus"].value == 8
    own = read("I used 2 per_device_train_batch_size x 8 gradient_accumulation_steps x 8 num_gpus")
    assert (own.get("micro_batch"), own.get("grad_accum_steps"), own.get("num_gpus")) == (2, 8, 8)
    assert read("--batch_size 8 num_gpus 4").get("num_gpus") == 4


def test_a_failure_feared_for_a_plan_is_no_failure_seen(kb):
    """Review 68 #28: "how can I finetune llama2-7B with 128K seqence length by using only 8 A100 GPUS? wouldnt it
    cause out of memory?" - a plan's failure feared, and its length read through the typo."""
    said = facts(kb, "how can I finetune llama2-7B with 128K seqence length by using only 8 A100 GPUS?\n\n"
                     "wouldnt it cause out of memory?")
    assert "oom" not in said and said["seq_len"] == 131072
    assert facts(kb, "I got out of memory error, what would help?")["oom"] is True


def test_a_references_configuration_asked_about_is_the_plan(kb):
    """Review 68 #2: "the paper's supervised SimCSE uses batch size 512 and seq len 32 - how much GPU memory does this
    configuration need?" counts the memory at that batch and length (and SimCSE's loss is contrastive)."""
    said = facts(kb, "根据论文附录，有监督场景下 SimCSE-BERT-base 的 batch size 为 512，seq len 为 32。请问这样的训练配置需要多少显存？")
    assert said["batch_size"] == 512 and said["seq_len"] == 32 and said["claim_contrastive"] is True
    own = facts(kb, "The paper uses batch 512 and seq len 32, but I use batch 64 at seq len 128. How much memory?")
    assert (own["batch_size"], own["seq_len"]) == (64, 128)  # (a run of their own keeps its settings)


def test_a_settings_key_named_after_a_family_is_no_model():
    """Review 68 #16: "I change the parameters `sam_num_points_per_side` from `64` to `16`" names SAM's setting, not a
    model; `sam_vit_h` as the model's name is SAM ViT-H."""
    assert read("So I change the parameters `sam_num_points_per_side` from `64` to `16`").get("model") is None
    assert read("train with --model_name_or_path sam_vit_h").get("model") == "sam-vit-h"


def test_a_model_in_a_comment_beside_a_model_key_is_no_model():
    """Review 67 #5: `pretrained_model_name_or_path: "./models/colqwen2_base" # "./models/paligemma-3b-mix-448"` loads
    ColQwen2; the PaliGemma in the comment is an alternative left beside the value."""
    said = read('pretrained_model_name_or_path:  "./models/colqwen2_base" # "./models/paligemma-3b-mix-448"')
    assert said.get("model") is None and said.get("params") is None
    assert read("model_name_or_path: meta-llama/Llama-2-7b-hf # the 7B").get("model") == "llama-2-7b"
    assert read("I train llama-2-7b # on 8 GPUs").get("model") == "llama-2-7b"


def test_a_source_that_claims_names_a_reference_setup(kb):
    """Review 71 #24: "The table claims … a single RTX 3090": the source's card, not the user's."""
    from advisor.consultation import read_message

    found = read_message(kb, "The table claims a single RTX 3090 is enough for a day of training. My GPU is an L4.")
    assert found["gpu_model"][0] == "l4" and found["reference_num_gpus"][0] == 1


def test_review73_74_readings(kb):
    """Review 74 #1: "device number = 8" with two nodes is 8 GPUs on each; review 73 #1: "132 GB Physical memory" is
    the host's RAM beside "Titan RTX 24GB GPU memory"; review 74 #11: "An epoch takes nearly half an hour"."""
    from advisor.consultation import read_message
    found = read_message(kb, "global batch size = 1024, and device number = 8, micro batch size = 16. If I use two "
                             "node to train, the gradient accumulation step is still 8")
    assert found["num_gpus"][0] == 16 and found["num_nodes"][0] == 2
    found = read_message(kb, "Titan RTX 24GB GPU memory, 132 GB Physical memory")
    assert found["gpu_memory"][0] == 24 * 2**30 and found["cpu_ram"][0] == 132e9 * 2**30 / 1e9
    for said, seconds in [("An epoch takes nearly half an hour, and 16 rounds is almost 8-10 hours.", 1800),
                          ("each epoch takes about an hour", 3600), ("an epoch took a day", 86400)]:
        assert read_message(kb, said)["epoch_seconds"][0] == seconds


def test_the_checkpoint_code_loads_outranks_the_prose(kb):
    """Review 74 #22: the title says "Qwen3-VL 30B", the code loads `from_pretrained("Qwen/Qwen3-VL-235B-A22B-Instruct")`
    - 235B; "/Qwen-1_8B" is 1.8B ('_' its decimal point), "llama2_7b" still 7B."""
    from advisor.consultation import read_message
    found = read_message(kb, "Qwen3-VL 30B run video_understanding demo OOM 8*4090\n```python\nmodel = "
                             "AutoModelForImageTextToText.from_pretrained(\n    \"Qwen/Qwen3-VL-235B-A22B-Instruct\", "
                             "dtype=\"auto\", device_map=\"auto\"\n)\n```")
    assert found["params"][0] == 235e9
    assert read_message(kb, "--model_name_or_path /Qwen-1_8B --do_train")["params"][0] == 1.8e9
    assert read_message(kb, "I fine-tune llama2_7b on one A100")["model_preset"][0] == "llama-2-7b"


def test_xtuners_accumulative_counts(kb):
    """Review 74 #3: xtuner (mmengine) names its accumulation `accumulative_counts`."""
    from advisor.consultation import read_message
    found = read_message(kb, "batch_size = 1  # per_device\naccumulative_counts = 16\nnum_of_gpus = 16")
    assert found["grad_accum_steps"][0] == 16 and found["micro_batch"][0] == 1


@pytest.mark.parametrize("message, want", [
    # a data set before the next setting's name: the comma ends the "examples", the key is its own value's
    ("Fine-tuning on one A100: 50,000 examples, per_device_train_batch_size 8, max_steps 1000.",
     {"dataset_size": 50000, "micro_batch": 8}),
    ("50,000 examples, per_device_train_batch_size=8", {"dataset_size": 50000, "micro_batch": 8}),
    ("4 samples per card on 8 GPUs", {"micro_batch": 4}),  # (a count per card is each card's batch still)
])
def test_a_data_set_before_a_per_device_key(message, want):
    got = labels_of(read(message))
    assert {k: got.get(k) for k in want} == want


@pytest.mark.parametrize("message, lr_to", [
    ("ResNet-50 on 8 V100s, batch 256 per GPU, lr 0.1. Should I raise the lr to 0.8?", 0.8),
    ("ResNet-50 on 8 V100s, batch 256 per GPU, lr 0.1. Goyal et al. scale lr linearly: should I use 0.8?", 0.8),
    ("batch 32, lr 3e-4. I set the learning rate to 1e-4 and the loss is flat", 1e-4),
    ("batch 32, lr 0.001. Should I use 64 then?", None),  # (the batch named last; an integer is no LR)
    ("lr 0.1, batch 64; should I raise it to 128?", None),  # ("it" is the batch, named last)
    ("lr 0.1 on 8 GPUs; should I use 0.8 GB of swap?", None),  # (a size, no LR)
])
def test_a_learning_rate_moved_to(kb, message, lr_to):
    from advisor.consultation import read_message
    found = read_message(kb, message)
    assert (found["lr_scale_factor"][0] * found["base_lr"][0] if "lr_scale_factor" in found else None) == \
        (pytest.approx(lr_to) if lr_to else None)


def test_imagenet_is_classification_and_a_thousands_count_no_volume(kb):
    from advisor.consultation import read_message
    found = read_message(kb, "ResNet-50 on ImageNet (1,281,167 images), 8 GPUs")
    assert found["task_type"][0] == "classification" and "tiles_or_volume_named" not in found
    found = read_message(kb, "Mask R-CNN with an ImageNet-pretrained backbone, patch (128,128,128)")
    assert found["task_type"][0] == "detection_segmentation" and found["tiles_or_volume_named"][0] is True


def test_review76_readings(kb):
    """Review 76: #10 "runs out of GPU memory … getting killed by OOM" is the GPU's OOM, no machine's RAM; #23 an
    install's extras "[flash-attn,deepspeed]" launch nothing; #3 "swap: 22.3/24.0GB" is the swap file's, no GPU's use
    nor size; #4 "it was reportedly possible to QLoRA Qwen 72B using 92GB RAM" is somebody's run."""
    from advisor.consultation import read_message
    found = read_message(kb, "The Arc A770 runs out of GPU memory and the process is getting killed by OOM")
    assert found["oom"][0] is True and "claim_process_killed" not in found
    assert read_message(kb, "CUDA out of memory, then the oom-killer killed the process")["claim_process_killed"][0]
    found = read_message(kb, "pip3 install -e '.[flash-attn,deepspeed]' then I train on one 3090")
    assert "parallelism" not in found and "attention" not in found
    found = read_message(kb, "swap: 22.3/24.0GB and It/sec drops from 1.9 to 0.25")
    assert found["swap_in_use"][0] is True and "measured_use" not in found and "gpu_memory" not in found
    found = read_message(kb, "it was reportedly possible to QLoRA Qwen 72B using 92GB RAM. I use Llama-3.3-70B 4bit")
    assert found["model_preset"][0] == "llama-3.3-70b" and "gpu_memory" not in found


@pytest.mark.parametrize("message, want", [
    # review 76 #14: the laptop's card first, the PC's second, the OOM said of the PC
    ("My laptop: i5-7300HQ, 1050ti 4GB, RAM 16GB. My PC: AMD 5600X, 3070 8GB, RAM 32GB. I can set batch = 16 on my "
     "laptop, but my PC shows `ERROR: CUDA out of memory`.", {"gpu_model": "rtx-3070", "gpu_memory_gb": 8.0}),
    ("Server: 8x A100 80GB. Workstation: 2x RTX 4090. On the workstation I get CUDA out of memory at batch 4.",
     {"gpu_model": "rtx-4090", "num_gpus": 2}),
    # the OOM said of the machine named first: it stays
    ("My laptop: 1050ti 4GB. My PC: 3070 8GB. The laptop runs out of memory at batch 16.",
     {"gpu_model": "gtx-1050-ti", "gpu_memory_gb": 4.0}),
    # review 88 #3: each label alone on its line, the machine's parts listed below it
    ("1050ti can set batchsize=16, why 3070 just can set batchsize=8?\n\nMy laptop:\ni5-7300HQ\n1050ti 4GB\n"
     "RAM: 16GB\n\nMy PC:\nAMD 5600X\n3070 8GB\nRAM 32GB\n\nBug: I can set batch = 16 on my laptop, but my PC shows "
     "ERROR: CUDA out of memory.", {"gpu_model": "rtx-3070", "gpu_memory_gb": 8.0}),
])
def test_the_card_of_the_labelled_machine_that_ran_out(message, want):
    got = labels_of(read(message))
    assert {k: got.get(k) for k in want} == want


def test_a_recurrent_network_and_a_script_named_for_its_gpus(kb):
    """Review 76 #16: "I am testing LSTM networks" is no CNN, though a CNN is named beside it; #11: the launch script
    "finetune_llama2_7b_arc_2_card.sh" runs on 2 GPUs, where the message gives no count of its own."""
    from advisor.consultation import read_message
    assert read_message(kb, "I am testing LSTM networks; a CNN on the same data is fast")["architecture"][0] == "other"
    assert read_message(kb, "a ResNet-50 with an LSTM head")["architecture"][0] == "cnn"
    assert read_message(kb, "I run finetune_llama2_7b_arc_2_card.sh and see no speed-up")["num_gpus"][0] == 2
    assert read_message(kb, "run_8_gpus.yaml on my 2 GPUs")["num_gpus"][0] == 2


def test_a_gpu_count_then_another_count_and_an_rllib_key(kb):
    """Review 75 #23: "a shared machine with 2 GPUs and 128 total threads" is 2 GPUs (the 128 counts threads, the
    noun before "and" is the 2's); RLlib's `'sgd_minibatch_size': 2048` names no SGD optimizer."""
    from advisor.consultation import read_message
    found = read_message(kb, "I run Ray Tune on a shared machine with 2 GPUs and 128 total threads. "
                             "config = {'env': 'CartPole-v1', 'num_gpus': 2, 'sgd_minibatch_size': 2048}")
    assert found["num_gpus"][0] == 2 and "optimizer" not in found and found["rl_env_named"][0] is True
    assert read_message(kb, "--optim sgd --lr 0.1")["optimizer"][0] == "sgd"
    assert labels_of(read("batch size 32 and lr 1e-4")) == {"micro_batch": 32, "lr": 1e-4}


def test_a_batch_which_a_script_uses_and_a_speech_data_set(kb):
    """Review 75 #8: "I can't run the code at batch_size=128, which is what `launch_dns.sh` uses. … at most
    batch_size=4" - the 128 is the script's, the run's is 4; "around 60K paired files" is the data set."""
    got = labels_of(read("I have around 60K paired files. I can't run the code at batch_size=128, which is what "
                         "`launch_dns.sh` uses. With a 12G 1080Ti GPU I can do at most batch_size=4."))
    assert (got.get("reference_batch"), got.get("micro_batch"), got.get("dataset_size")) == (128, 4, 60000)
    assert labels_of(read("I use batch_size=32, which works."))["micro_batch"] == 32


def test_review77_readings(kb):
    """Review 77: #18 "1024^2" is an image's side squared, and "生成1024甚至更高分辨率的图" (generate 1024 or higher-
    resolution images) no batch; #3 "3 hours to do 1 step" is a step's time, not the run's; #12 "4 48GPUs (A6000)" is
    4 cards of 48 GB; #16 "four 8 card V100 GPUs" is 4 machines of 8 and "1 epoch 350s" an epoch's time."""
    from advisor.consultation import read_message
    assert labels_of(read("I fine-tune SDXL on 1024^2 images with batch 4"))["image_size"] == 1024
    assert "micro_batch" not in labels_of(read("再使用您的方法生成1024甚至更高分辨率的图，您觉得可行吗"))
    assert labels_of(read("I'll use 512"))["micro_batch"] == 512  # (a bare value said alone stays the batch)
    found = read_message(kb, "it takes 3 hours to do 1 step using RTX 4090. Is it normal?")
    assert found["step_seconds"][0] == 10800 and "current_duration" not in found
    assert read_message(kb, "training takes 3 hours on my 4090")["current_duration"][0] == 10800
    got = labels_of(read("I am on 4 48GPUs (A6000), and I set the batch size as 10"))
    assert (got["num_gpus"], got["gpu_model"]) == (4, "rtx-a6000")
    found = read_message(kb, "we tried 100k images, running on four 8 card V100 GPUs and still only got 1 epoch 350s")
    assert (found["num_gpus"][0], found["num_nodes"][0], found["epoch_seconds"][0]) == (32, 4, 350)
    assert labels_of(read("we train on two 8-gpu machines"))["num_gpus"] == 16


def test_review78_readings(kb):
    """Review 78: #20 TensorFlow 1's device log "Total memory: 3.94GiB" is the card's size, and a GTX 960 is known;
    #25 "my data-number is 110000" is the data set and a 1070Ti its own card; #24 "there should be 8233/4 = 2060
    steps per epoch" is what the user expects, "the step-size is always 10000 per epoch" what they see; #28
    `--load_in_bits 4` loads the base in 4 bits; #23 DeepSpeed's launcher log says DeepSpeed."""
    from advisor.consultation import read_message
    found = read_message(kb, "name: GeForce GTX 960\nTotal memory: 3.94GiB\nFree memory: 3.55GiB\nOOM at epoch 1")
    assert found["gpu_model"][0] == "gtx-960-4gb" and abs(found["gpu_memory"][0] / 2**30 - 3.94) < 1e-9
    found = read_message(kb, "GPU 1070Ti and RAM32, batch_size=12. my data-number is 110000")
    assert (found["gpu_model"][0], found["dataset_size"][0]) == ("gtx-1070-ti", 110000)
    found = read_message(kb, "the size of the training set is 8233. If I choose --batch-size 4 there should be "
                             "8233/4 = 2060 steps per epoch. Then how come the step-size is always 10000 per epoch?")
    assert found["epoch_steps_said"][0] == 10000
    assert read_message(kb, "I see 2060 steps per epoch")["epoch_steps_said"][0] == 2060
    assert read_message(kb, "llama-2-7b with --lora_r 8 --load_in_bits 4")["base_bits"][0] == 4
    found = read_message(kb, "CUDA out of memory.\n[2023-04-04 17:43:59,766] [INFO] [launch.py:318:sigkill_handler] "
                             "Killing subprocess 1840")
    assert found["parallelism"][0] == "zero"
    assert "parallelism" not in read_message(kb, "python -m torch.distributed.launch train.py, CUDA out of memory")


def test_review77_78_more_readings(kb):
    """Reviews 77-78: "我使用了48G的显存的显卡" is a 48 GB card, not a use; "10 videos, each with 63 frames" counts the
    data set; a job named `my_flux_lora` is no model; "SD3" is SD3 Medium; TensorFlow's "allocates the full amount of
    available GPU memory" is the framework's pool; `--load_in_bits 4`; more accumulation said to cost memory."""
    from advisor.consultation import read_message
    assert read_message(kb, "我使用了48G的显存的显卡，都会爆显存")["gpu_memory"][0] == 48 * 2**30
    got = labels_of(read("My input is 10 videos, each with 63 frames at 15FPS."))
    assert got.get("dataset_size") == 10 and "seq_len" not in got
    assert labels_of(read("37 classes and 120 images each")) == {}
    assert "model" not in labels_of(read("config: name: my_flux_lora, batch_size: 2"))
    assert read_message(kb, "I train a LoRA on SD3 with SimpleTuner")["model_preset"][0] == "sd3-medium"
    assert read_message(kb, "SD3.5 Medium LoRA")["model_preset"][0] == "sd3.5-medium"
    found = read_message(kb, "The problem with TensorFlow is that, by default, it allocates the full amount of "
                             "available GPU memory when it is launched, on my Titan X")
    assert found["claim_all_memory_taken"][0] is True


def test_review77_host_ram_beside_vram_a_one_card_multiplier_and_times_after_arrows(kb):
    """Review 77: #11 "It has 80 GB system RAM and 40 GB VRAM" - the second size is the card's (not "System RAM 755.48
    GB, GPU type L40S"); #19 "(A100 x1)" is one GPU whatever a pasted README says of multi-GPU, and "--batch-size 128
    ->16min/epoch" is a time after the arrow, no batch change to 16."""
    got = labels_of(read("Colab A100 runtime. It has 80 GB system RAM and 40 GB VRAM."))
    assert (got["gpu_model"], got["gpu_memory_gb"]) == ("a100-40gb", 40.0)
    assert labels_of(read("System RAM 755.48 GB, GPU type NVIDIA L40S"))["gpu_memory_gb"] == 48.0
    got = labels_of(read("Training times are 2 days on a single V100 (multi-GPU times faster). I want to train from "
                         "scratch on COCO (A100 x1).\npython train.py --batch-size 64 ->16min/epoch\n"
                         "python train.py --batch-size 128 ->16min/epoch"))
    assert got.get("num_gpus") == 1 and "batch_to" not in got
    assert labels_of(read("batch 64 -> 16"))["batch_to"] == 16


def test_review78_a_keras_model_and_its_image_size(kb):
    """Review 78 #19: "Keras Model InceptionV3, BatchSize=80, ImageSize=(170,170,3)" names a catalogued CNN and its
    input's side."""
    from advisor.consultation import read_message
    found = read_message(kb, "Keras Model InceptionV3, Epoch 10, BatchSize=80, ImageSize=(170,170,3), Optimizer Adam")
    assert (found["model_preset"][0], found["image_size"][0]) == ("inception-v3", 170)


def test_a_batch_raised_for_a_task_and_the_number_after_it(kb):
    """Review 78 #17: "I'm trying to increasing the batch size on training cifar10 to 1500" is the batch moved to
    1500, with what it is for said between; "the learning rate on cifar10 to 0.1" moves no batch."""
    got = labels_of(read("I'm trying to increasing the batch size on training cifar10 to 1500."))
    assert got["batch_to"] == 1500
    assert "batch_to" not in labels_of(read("I increased the learning rate on cifar10 to 0.1"))


def test_a_planned_gpu_count_then_the_one_run(kb):
    """Review 77 #5: "Single 80GB GPU is obviously not enough. Is there any way to run a batch on two GPU? … I used
    4*H800 and apply FSDP" - the count the user then ran (4) is the run's, not the two asked about; a plan alone
    still moves the count ("was on 1 GPU … now moving to 4 GPUs")."""
    got = labels_of(read("Single 80GB GPU is obviously not enough for Wan14b. Is there any way to run a batch on two "
                         "GPU? Thank you for your reply. I used 4*H800 and apply FSDP, but received this error."))
    assert got["num_gpus"] == 4
    assert labels_of(read("I was on 1 GPU with per_device 16. Now I am moving to 4 GPUs."))["num_gpus"] == 4


def test_a_cpu_at_its_limit_while_training_is_the_input_pipeline(kb):
    """Review 77 #22: "cpu占80-100%" beside a GPU that trains is the loader at the CPU's limit - no question whether
    data loading is the bottleneck; a CPU at 20% says nothing of it, nor a flat 100% beside a GPU at 0% (as often a
    run on the CPU)."""
    from advisor.consultation import read_message
    assert read_message(kb, "显卡是3090ti 24g，workers=16，gpu占用 22个g，cpu占80-100%。")["data_loader_bound"][0] is True
    assert "data_loader_bound" not in read_message(kb, "cpu 20%, gpu 95%")
    assert "data_loader_bound" not in read_message(kb, "CPU usage is 100% and GPU utilization is 0%. On the CPU?")


def test_a_period_of_epochs_is_no_count_of_them(kb):
    """Review 77 #22: "每训3个epoch大约会卡3-5分钟，这3个epoch会很快" (it stalls every 3 epochs; these 3 epochs are
    fast) and "it slows down every 3 epochs" say a period of the run, not how many epochs it trains."""
    assert "epochs" not in labels_of(read("训练过程中每3个epoch会卡顿变慢。每训3个epoch大约会卡3-5分钟，这3个epoch会很快。"))
    assert "epochs" not in labels_of(read("Training slows down every 3 epochs for a few minutes."))
    assert labels_of(read("It slows down every 3 epochs. I train for 100 epochs."))["epochs"] == 100


def test_sequence_parallel_gpus_share_a_sample(kb):
    """Review 77 #4: FastVideo's `torchrun --nproc_per_node 8 … --sp_size 8 --train_batch_size 1`: the 8 GPUs split one
    clip's tokens - one group in data parallel, so 1 per update - and each GPU holds the whole model (no
    model-parallel split); Megatron's `context_parallel_size` divides the GPUs the same way."""
    found = read_message(kb, "torchrun --nnodes 1 --nproc_per_node 8 fastvideo/train.py --train_batch_size 1 "
                             "--sp_size 8 --gradient_accumulation_steps 1")
    assert (found["num_gpus"][0], found["sequence_parallel_gpus"][0]) == (1, 8)
    assert "model_parallel_gpus" not in found
    found = read_message(kb, "8x H100, tensor_model_parallel_size=2, context_parallel_size=2")
    assert (found["num_gpus"][0], found["model_parallel_gpus"][0]) == (2, 2)
    assert read_message(kb, "torchrun --nproc_per_node 8 train.py --batch_size 1")["num_gpus"][0] == 8


def test_a_cards_size_then_their_count(kb):
    """Review 77 #4: "memory is 77G*8" is eight cards of 77 GB, as "8*77G" is; a size times a count that is not said of
    GPUs ("2GB * 32 layers") or that goes on multiplying ("24G*2*4") is no card."""
    got = labels_of(read("lora train hunyuanvideo but memory is 77G*8, and it will be out of memory"))
    assert (got["num_gpus"], got["gpu_memory_gb"]) == (8, 77.0)
    assert labels_of(read("GPU: 24GB x 4"))["num_gpus"] == 4
    assert "num_gpus" not in labels_of(read("the activations take 2GB * 32 layers"))


def test_lightning_trainer_settings_a_port_and_training_time_as_a_moment(kb):
    """Review 80 #15: `min_epochs = 1` beside `max_epochs = 50` is a floor (50 epochs run); "to the point where I need
    to significantly decrease batch size at training time" wants the run to fit, not a shorter training time; and the
    port to Lightning's DDP that made memory grow is said (finding-port-to-ddp-batch-per-process). Review 80 #13:
    Lightning's `Trainer(tpu_cores=8)` trains on 8 cores."""
    message = ("Over the last week I have been porting my code to Pytorch-Lightning, and everything is working "
               "perfectly. However, my models seem to require more GPU memory than before, to the point where I need "
               "to significantly decrease batch size at training time.\ncfg.arch.gpus = 8\n"
               "cfg.arch.distributed_backend = 'ddp'\ncfg.arch.min_epochs = 1\ncfg.arch.max_epochs = 50")
    found = read_message(kb, message)
    assert (found["epochs"][0], found["user_goal"][0]) == (50, "fit")
    assert found["claim_port_to_ddp_more_memory"][0] is True
    advice = consult(message, kb=kb)
    assert advice.findings[0].id == "finding-port-to-ddp-batch-per-process"
    assert read_message(kb, "trainer = Trainer(tpu_cores=8, max_epochs=1)")["num_gpus"][0] == 8


def test_an_engine_switched_off_a_compared_machine_and_a_whole_model(kb):
    """Review 79 #9: `# use_vllm=False,` above `vllm_gpu_memory_utilization=0.5` reserves nothing (the engine is off);
    review 79 #27: "much slower than 8*RTX3090" on 2*RTX4090 is the cards compared with; review 79 #6: "loading the
    complete 14B model" names no model (Qwen2.5-14B-Instruct is the one trained)."""
    config = "training_args = GRPOConfig(\n    # use_vllm=False,\n    vllm_gpu_memory_utilization=0.5,\n)"
    assert "rollout_memory_share" not in read_message(kb, config)
    assert read_message(kb, config.replace("# use_vllm=False", "use_vllm=True"))["rollout_memory_share"][0] == 0.5
    got = labels_of(read("I train tinyllama on 2*RTX4090 with DDP. The token throughput is much slower than "
                         "8*RTX3090."))
    assert (got["gpu_model"], got["num_gpus"]) == ("rtx-4090", 2)
    found = read_message(kb, "each GPU loading the complete 14B model. Model: Qwen2.5-14B-Instruct (14.77B parameters)")
    assert found["model_preset"][0] == "qwen2.5-14b" and "model_named" not in found


def test_an_oom_only_past_a_batch_is_the_largest_that_fits(kb):
    """Review 80 #8: "When the batch size is larger than 5, GPU will out of memory … is there something wrong?" - 5
    fits, more does not: the card's limit (finding-oom-only-past-the-batch-that-fits), and no first move halves a
    batch of 2 that the user runs under it."""
    message = ("I use GTX 1080 (8G). The size of images in train datasets are 640*480. When the batch size is larger "
               "than 5, GPU will out of memory. The weight is 515MB, so is there something wrong? If batch size is 2, "
               "five seconds are needed.")
    assert read_message(kb, message)["max_micro_batch"][0] == 5
    advice = consult(message, kb=kb)
    assert advice.findings[0].id == "finding-oom-only-past-the-batch-that-fits"
    assert "max_micro_batch" not in read_message(kb, "With batch size larger than 5 the loss is lower.")


def test_error_strings_that_are_not_the_batch(kb):
    """Review 80 #19: "OSError: [WinError 1455]" is Windows' page file, and review 80 #11: "Failed to load in-memory
    CUBIN: CUDA_ERROR_OUT_OF_MEMORY" is a kernel that found no room outside the pools - each leads its answer."""
    windows = ("RTX3070 with 8gb vram. When I increased batch size 4 to 5 it gave error OSError: [WinError 1455] The "
               "paging file is too small for this operation to complete.")
    assert consult(windows, kb=kb).findings[0].id == "finding-windows-paging-file"
    cubin = ("python3 -m vit_jax.train --model ViT-B_16 --batch 8\nRuntimeError: Internal: Failed to load in-memory "
             "CUBIN: CUDA_ERROR_OUT_OF_MEMORY: out of memory: while running replica 0")
    assert consult(cubin, kb=kb).findings[0].id == "finding-kernel-load-oom"
    assert "kernel_load_oom" not in read_message(kb, "RuntimeError: CUDA error: out of memory")


def test_a_card_named_as_an_example_and_an_errors_exact_bytes(kb):
    """Review 80 #6: "GPU model and memory: Quadro M1200 4 GB … Anyone running a slightly older GPU like the RTX 2080
    8 GB will probably get OOM too" - the 2080 is an example, the card 4 GB; "OOM trying to allocate 10 GB" above the
    error's "allocate 1078460416 bytes" - the error's bytes; "Changing batch-size from 128 to 32 fixed it" - it runs.
    "It feels like a V100 16G is not enough" is the user's own card."""
    message = ("GPU model and memory: Quadro M1200 4 GB\nRunning the example I kept getting OOM trying to allocate 10 "
               "GB. Changing batch-size from 128 to 32 fixed it.\nAnyone running a slightly older GPU like the RTX 2080 "
               "8 GB will probably get OOM too.\nOriginal error: RESOURCE_EXHAUSTED: Out of memory while trying to "
               "allocate 1078460416 bytes.")
    found = read_message(kb, message)
    assert "gpu_model" not in found and found["gpu_memory"][0] == 4 * 2**30
    assert found["oom_allocation"][0] == 1078460416 and found["claim_run_fits"][0] is True
    assert labels_of(read("still out of memory; it feels like a V100 16G is not enough"))["gpu_model"] == "v100-16gb"


def test_the_batch_an_lr_is_asked_for_is_the_users(kb):
    """"The paper uses lr 0.1 for batch size 256. What learning rate should I use for batch size 1024?": 256 is the
    batch the paper's LR was set for, 1024 the user's, and the answer scales 0.1 to it (0.4 by the linear rule)."""
    message = "The paper uses lr 0.1 for batch size 256. What learning rate should I use for batch size 1024 with SGD?"
    found = read_message(kb, message)
    assert (found["reference_batch"][0], found["batch_size"][0], found["base_lr"][0]) == (256, 1024, 0.1)
    assert labels_of(read("the configs use lr=0.03 for batch 256"))["reference_batch"] == 256


def test_a_degree_in_the_inference_engines_config_file(kb):
    """Review 79 #12: "I am running 4 H100s for train & 4 for inference" and "#### infer.toml … [parallel] tp = 4":
    the tensor-parallel degree is the inference server's, so the 4 training GPUs are data-parallel; the same key
    under "#### train.toml" is the training's."""
    message = ("I am running 4 H100s for train & 4 for inference.\n#### infer.toml\n```toml\n[parallel]\ntp = 4\n```\n"
               "#### train.toml\n```toml\nlr = 1e-6\n```")
    found = read_message(kb, message)
    assert found["num_gpus"][0] == 4 and "model_parallel_gpus" not in found
    trained = read_message(kb, message.replace("infer.toml", "train_config.toml"))
    assert trained["model_parallel_gpus"][0] == 4


def test_a_total_memory_over_machines_picks_the_cards_size(kb):
    """Review 79 #21: "2 servers of 8 A100 GPUs has a total memory of 1280GB" is 16 cards of 80 GB (the A100 80GB);
    "a total of 196GB of embedding" over 32 GPUs is a tensor's size, no card's."""
    got = labels_of(read("Would 2 servers of 8 A100s GPU be sufficient? 2 servers of 8 A100 GPUs has a total memory "
                         "of 1280GB"))
    assert (got["gpu_model"], got["gpu_memory_gb"], got["num_gpus"]) == ("a100-80gb", 80, 16)
    assert read("I want to create a total of 196GB of embedding on 32 GPUs.").total_memory_gb is None


def test_an_oom_a_share_into_the_epoch_and_a_misspelled_device_list(kb):
    """Review 80 #16: "a CUDA OOM after 1/3rd of the total no of batches being processed" came after the run trained
    for a while (its "no" is "number"); review 80 #21: `CUDA_VISIBLE_DIVICES=0,2` is a name the driver never reads,
    which leads the answer."""
    assert read_message(kb, "With lightning, I'm getting a CUDA OOM after 1/3rd of the total no of batches being "
                             "processed.")["oom_at_fixed_step"][0] is True
    message = "CUDA_VISIBLE_DIVICES=0,2 ./tools/dist_train.sh config.py 2 gives CUDA out of memory on 1080 Ti"
    assert consult(message, kb=kb).findings[0].id == "finding-visible-devices-misspelled"
    assert "visible_devices_misspelled" not in read_message(kb, "CUDA_VISIBLE_DEVICES=0,2 python train.py")


def test_a_batch_that_runs_then_a_larger_one_that_fails(kb):
    """Review 80 #20: "When I training with batch-size=4, my GPU memory utilization rate is about 20%. But when I
    training with batch-size=8, an error occurred … out of GPU memory": 8 is the run asked about, 4 the largest known
    to fit; a batch the command sets (`--batch_size "1"`) stays the run's when a larger one is said to OOM."""
    got = read("When I training with batch-size=4, my GPU memory utilization rate is about 20%. But when I training "
               "with batch-size=8, an error occurred, which shows project out of GPU memory.")
    assert labels_of(got)["micro_batch"] == 8 and got.values["max_micro_batch"].value == 4
    kept = labels_of(read('Training uses `--max_length "8192"`, `--batch_size "1"`; batch size 2 OOMs.'))
    assert kept.get("micro_batch") != 2


def test_tensorflows_own_calls_name_it(kb):
    """Review 80 #8: "I set tf.device('/GPU:0') and config 'allow_soft_device=True' … ScalarSummary" is a TensorFlow
    run, whose memory savers are TensorFlow's (not PyTorch's autocast)."""
    assert read_message(kb, "even though i set tf.device('/gpu:0') and config 'allow_soft_device=True'")[
        "tensorflow_named"][0] is True
    assert "tensorflow_named" not in read_message(kb, "I set the device to cuda:0 in PyTorch")


def test_a_gpu_util_said_as_zero(kb):
    """Review 80 #4: "each GPU-Util is always shown zero" is a utilisation of 0% (the GPU idle, the input the cause to
    check first)."""
    found = read_message(kb, "I run ssd300_train.py with three GTX1080, but the each GPU-Util is always shown zero.")
    assert found["gpu_utilization"][0] == 0
    assert "gpu_utilization" not in read_message(kb, "GPU-Util is 0.5 of what it was")


def test_a_count_a_script_was_made_for_is_not_the_users(kb):
    """Review 79 #11: "I want to run train_ppo_llama_ray.sh on 4 RTX4090 … As the default script is for 8 gpus" - the
    8 GPUs are the script's, the user's 4; "I train for 8 epochs on 4 gpus" keeps its count."""
    got = read_message(kb, "I want to run train_ppo_llama_ray.sh on 4 RTX4090. As the default script is for 8 gpus, "
                           "what else should I modify?")
    assert got["num_gpus"][0] == 4 and got["reference_num_gpus"][0] == 8
    assert read_message(kb, "I train for 8 epochs on 4 gpus")["num_gpus"][0] == 4


@pytest.mark.parametrize("text, gpus", [("I run out of memory on a X3 64GB H100 setup", 3), ("I have x4 RTX 3090", 4),
                                        ("resnet 512x512 on a 3090", 1)])
def test_a_count_written_after_its_x(text, gpus):
    """Review 81 #3: "X3 64GB H100" is three cards, the count written after its 'x' (not a size's '512x512')."""
    assert labels_of(read(text))["num_gpus"] == gpus


@pytest.mark.parametrize("message, expected, absent", [
    # a count compared with another count of GPUs is no batch (review 83 #12)
    ("i have 3* A100 40G GPU. the problem is that using 1GPU is much higher than using 3", {"num_gpus": 3},
     ["micro_batch", "batch_size"]),
    # each GPU's batch said of "one GPU", and "epoches" (review 83 #8)
    ("8 V100, the batch size for one GPU is 28. It takes 30days to train 300 epoches.",
     {"num_gpus": 8, "micro_batch": 28, "epochs": 300}, []),
    # nvidia-smi's bus id "00000000:3B:00.0" is no 3B model (review 83 #14)
    ("|   0  Tesla V100-PCIE...  Off  | 00000000:3B:00.0 Off |                    0 |", {"gpu_model": "v100"},
     ["params", "model"]),
    # a launch commented out of the script is not the run's (review 84 #29)
    ("4*A100 (80G)\n# torchrun --nproc_per_node=3\naccelerate launch src/train_sft.py --per_device_train_batch_size 1",
     {"num_gpus": 4, "micro_batch": 1}, []),
    # the data's share per GPU is no batch (review 84 #21)
    ("My current setup has 4 GPUs. So, the chunks per GPU are `1032176 / 4 = 258044`", {"num_gpus": 4},
     ["micro_batch"]),
    # the method changed to, and the one that fails beside one that works (review 84 #26, #5)
    ("I tried running llama 8b with the same config and it worked (i just changed qlora to lora)",
     {"training_mode": "lora"}, []),
    ("When I use finetuning_type='lora', the training is starting as expected. But when I use "
     "finetuning_type='full', it's leading to OOM. --finetuning_type full", {"training_mode": "finetune", "oom": True},
     []),
    # pure bf16, however it is said (review 84 #10), and ms-swift's weights dtype alone
    ("Both using native bf16, full finetune", {"precision": "bf16"}, []),
    ("swift sft --dtype bf16 --model_type qwen-7b", {"precision": "bf16"}, []),
    ("swift sft --dtype bf16 --deepspeed default-zero2", {"precision": "amp_bf16", "zero_stage": 2}, []),
    # the cards' memory before a size is no part of a model's name (review 84 #30)
    ("A100 8x80G 7b模型 单机全量训练", {"gpu_memory_gb": 80.0, "params": 7e9}, ["model"]),
])
def test_phrasings_from_reviews_83_and_84(message, expected, absent):
    assert_reads(message, expected, absent)


def test_a_run_before_gives_way_to_the_use_now(kb):
    """Review 84 #1: "unable to get it to use higher than 46Gb … Last training using a 0411 build, it used 136 GB on
    each GPU" - the use now is 46 GB; "at the last training step it used 30GB" is this run's."""
    found = read_message(kb, "I have been unable to get it to use higher than 46Gb of the 143GB per GPU on the H200. "
                             "Last training using a 0411 build, it used 136 GB on each GPU.")
    assert found["measured_use"][0] == 46e9
    assert read_message(kb, "At the last training step it used 30GB on each GPU.")["measured_use"][0] == 30e9


@pytest.mark.parametrize("message, ram", [("在openai-medium的基础上做微调爆ram了", True), ("训练时显存爆了怎么办", False)])
def test_chinese_ran_out_of_host_ram_or_gpu_memory(kb, message, ram):
    """Review 83 #14: 爆ram is the host's RAM running out; 显存爆了 the GPU's memory."""
    found = read_message(kb, message)
    assert ("claim_process_killed" in found) == ram
    assert ("oom" in found) == (not ram)


@pytest.mark.parametrize("message, expected, absent", [
    # counts: before a sized card, an id list before the maker's word, devices that hold GPUs (review 86 #17, #20, #8)
    ("我们用64卡 80g a100训练", {"num_gpus": 64, "gpu_memory_gb": 80.0}, []),
    ("GPU 0,1,2,3,4,5,6,7 Tesla V100-SXM2-32GB", {"num_gpus": 8}, []),
    ("I have two devices and 8 gpu on each devices.", {"num_gpus": 16, "num_nodes": 2}, []),
    ("Using zero3 on multiple nodes, each with 8 40G A100", {"gpu_memory_gb": 40.0}, ["num_gpus"]),
    ("2x GPUs: [08:00, 07:55, 07:37] = approx. 8 min per epoch", {}, ["num_gpus"]),
    # batches (review 85 #22, #24, #30, #6)
    ("across 4 GPUs, individual batch size 64 and update frequency 16 (effectively 4096 batch size)",
     {"num_gpus": 4, "micro_batch": 64, "grad_accum_steps": 16}, []),
    ("I can only run with 8 samples per batch per GPU", {"micro_batch": 8}, []),
    ("I train with bs256", {"micro_batch": 256}, []),
    ("config maskformer2_R50_bs16_50ep.yaml (modifying Batch Size = 4)", {"micro_batch": 4}, []),
    ("8 V100s, per_device_train_batch_size=32: the data loader produces a big batch of 32 * 8 = 256 examples",
     {"micro_batch": 32, "batch_size": 256}, ["batch_from", "batch_to"]),
    # lengths, sizes, settings (review 86 #16, #26, #1)
    ("pre-training Llama-3-8B with 64K-tokens using 4 A800", {"seq_len": 65536}, []),
    ("trained on 64k tokens", {}, ["seq_len"]),
    ("images of size (3, 224, 224)", {}, ["image_size"]),
    ("TrainingArguments(per_device_train_batch_size=1, fp16=False, bf16=False)", {"precision": "fp32"}, []),
    ("I'm using Xero stage 3", {"zero_stage": 3}, []),
    # models: the one run, not the one compared, replaced or ranged over (review 85 #3, #25, #28, #29; 86 #11, #13)
    ("I used bert-base-chinese with batch size 32 before, now I use roberta large with batch size 4 and it OOMs",
     {"model": "roberta-large"}, []),
    ("the example does not work with `s/bert-base-uncased/bert-large-uncased/`", {"model": "bert-large"}, []),
    ("V100 32GB runs out of memory; other models like roberta-large do not", {"gpu_model": "v100-32gb"}, ["model"]),
    ("Memory required for training EfficientNets b0-l2", {}, ["model"]),
    ("是否在13B以上的MoE模型上实验过", {"params": 13e9}, ["model"]),
    ("see https://example.medium.com/fine-tune-mixtral-8x7b-6bbb79981d7b#31b4", {}, ["params"]),
    ("fine-tuning XLM-R large for NER", {"model": "xlm-roberta-large"}, []),
    # epochs of a warmup are no run's epochs (review 85 #19)
    ("using 10 epochs for warmup, 300 epochs", {"epochs": 300.0}, []),
    ("increase the warmup for additional 5 epochs", {}, ["epochs"]),
])
def test_phrasings_from_reviews_85_and_86(message, expected, absent):
    assert_reads(message, expected, absent)


@pytest.mark.parametrize("message, name, value", [
    ("roberta-base uses 4,5 GB memory", "measured_use", 4.5e9),  # a decimal comma (review 85 #17)
    # the size that ran, then the one changed to (review 86 #26)
    ("One thing I don't understand is when I trained the model with images which size is 640 in default config, there "
     "was no problem.\nOnly thing I changed was images(size 1920) and --img 1920 option.", "image_size_from", 640),
    ("batchsize=2, 2 gpus, GPU 0 memory is 38335MB、GPU 1 memory is 45733MB", "measured_use", 45733e6),
    ("the task cost nearly 40+G memory on gpu with batch 16 on an A100", "measured_use", 40e9),
    ("with a bigger dataset it costs 200+G", "measured_use", None),  # (the host's RAM, no GPU said)
    ("There is no problem with t5 at first, but I get OOM every 10,000 iterations", "oom_at_fixed_step", True),
    ("训到一半的时候OOM了", "oom_at_fixed_step", True),
    ("在初始化optimizer状态时会报cuda: out of memory", "oom_stage", "loading"),
    ("seq2seq trainer gives OOM error while evaluating", "oom_stage", "evaluation"),
    ("I get CUDA out of memory. Later I figured that if I remove `compute_metrics` from trainer, everything is working "
     "fine", "oom_stage", "evaluation"),
    ("    # auto_find_batch_size=True,\n    per_device_train_batch_size=1,", "hf_auto_find_batch_size", None),
    ("Method to reproduce is: https://gist.github.com/x/y", "goal", None),
    ("If I only have 8 GPUs, is there an official way to reproduce the training results?", "goal", "replicate"),
])
def test_facts_from_reviews_85_and_86(kb, message, name, value):
    found = read_message(kb, message)
    assert (found[name][0] if name in found else None) == value, found


@pytest.mark.parametrize("message, name, value", [
    # Windows' shared memory is never the card's; its use said is a spill (review 88 #11, #18)
    ("WIN10 WSL2 + RTX3060 (12G), shared GPU memory is 8G.", "gpu_memory", 12 * 2**30),
    ("Dedicated GPU memory is 11G, nearly full, and 3G of shared memory is in use.", "spill_said", True),
    ("For reference right off the bat: 3050Ti Laptop GPU with 4GB dedicated and 12GB shared (16GB). Windows 11.",
     "gpu_model", "rtx-3050-ti-laptop"),
    ("For reference right off the bat: 3050Ti Laptop GPU with 4GB dedicated and 12GB shared (16GB).",
     "claim_shared_gpu_memory", True),
    ("After step 500 the VRAM is full, and the steps drop to ~50-90s/it.", "spill_said", True),
    # uses, not cards; counts that are not GPUs (review 87 #7, #10, #30; 88 #15)
    ("the program was killed after it had taken up 60g of memory.", "gpu_memory", None),
    ("I increased NUM_ENV from 32 to 128 but GPU memory barely changed", "num_gpus", None),
    ("CUDA 121 - RTX 3060 12GB + 32GB RAM -> 512px", "num_gpus", 1),
    ("My question: why doesn't training speed up with n>=4 workers compared to 2 workers with horovod?",
     "dataloader_workers", None),
    # names that are no model: an error named after one, a branch checked out (review 88 #15)
    ("error when RAM usage hits 32GB, got error flux_training", "model_named", None),
    ("cloned kohya-ss/sd-scripts (-b sd3) inside it", "model", None),
    # a warmup's length is no run's (review 87 #2)
    ("a warmup of 16000 steps actually only warms up for 1000 steps if I set accumulate_grad_batches=16.",
     "planned_steps", None),
    ("Will adding a second (non nvlink) gpu allow larger batch sizes?", "interconnect", "pcie"),
    ("RuntimeError: MPS backend out of memory (MPS allocated: 11.14 GB, other allocations: 6.65 GB, max allowed: "
     "18.13 GB).", "mps_oom_cap", True),
    ("--model_name_or_path /home/u/code/ChatGLM3-main/chatglm3-6b", "model_preset", "chatglm3-6b"),  # (review 88 #21)
    ("Env: V100*4. GPU utilization is very low, ~10-20%.", "gpu_utilization", 20.0),  # (review 87 #19)
    ('--train_data_dir="C:/Users/me/AI/photos/img"', "windows_named", True),  # (review 88 #10)
    ("tuner.scale_batch_size(model, datamodule=dm)\nEnvironment: 2 CPUs, 12.7 GB RAM", "batch_finder_host_ram", None),
    # review 88 #24: an AMD card, Windows' shared RAM counted with it, an LR set in code
    ("Graphics card AMD Rx580 8GB, Driver version 20.8.3", "gpu_model", "rx-580-8gb"),
    ("DirectX sees the VRAM and the shared RAM as one bulk of 16GB VRAM, which is undesirable.", "gpu_memory", None),
    ("tensorflow-directML seems to be using my shared GPU memory, which is basically RAM, rather than my VRAM.",
     "spill_said", True),
    ("opt = Adam(lr=INIT_LR, decay=1e-6)\nmodel.compile(loss='categorical_crossentropy')", "user_goal", None),
    # review 87 #7: a process killed for the host's RAM
    ("I checked the machine's memory: the program was killed after it had taken up 60g of memory.", "measured_use",
     None),
    ("The process was killed; training takes up 20GB of GPU memory", "measured_use", 20e9),
    # review 88 #8: a progress bar while the weights convert
    ("INFO: Optimizing model weights to fp8. This may take a while.\n100%|#####| 228/228 [00:23<00:00, 9.68it/s]\n"
     "torch.OutOfMemoryError: CUDA out of memory.", "step_seconds", None),
    ("Training is slow: 100%|#####| 500/500 [10:00<00:00, 1.2s/it] with batch 8 on a 3090", "step_seconds", 1.2),
    # review 88 #15, #20: FluxGym's LoRA, the host's RAM filled, a notebook's card counted
    ("installation on windows using fluxgym with kohya-ss/sd-scripts", "adapter", "lora"),
    ("NOTE: error when RAM usage hits 31.9GB~32GB, got error", "claim_process_killed", True),
    ("I train yolov8n on Google Colab. Environment: CUDA:0 (Tesla T4, 15102MiB)", "num_gpus", 1),
    ("1050ti can set batchsize=16, why 3070 just can set batchsize=8?", "claim_works_on_other_card", True),
    ("The GPT-xl model is 6.5GB worth of parameters", "model_preset", "gpt2-xl"),  # (review 88 #7)
])
def test_facts_from_reviews_87_and_88(kb, message, name, value):
    found = read_message(kb, message)
    assert (found[name][0] if name in found else None) == value, found
