"""Facts from free text: numbers with units, and several phrasings of every claim the rules react to."""

import pytest

from advisor.consultation import read_message


def facts(kb, message):
    return {name: value for name, (value, _) in read_message(kb, message).items()}


@pytest.mark.parametrize("message, name, value", [
    ("I have an 8GB GPU", "gpu_memory", 8 * 2**30),  # a card's GB are GiB (issue 11, M7)
    ("my card has 24 GiB", "gpu_memory", 24 * 2**30),
    ("with 80GB of GPU memory", "gpu_memory", 80 * 2**30),
    ("a 500M parameter model", "params", 5e8),
    ("fine-tuning a 1.3B model", "params", 1.3e9),
    ("7e9 parameters", "params", 7e9),
    ("batch 512 is what I use", "batch_size", 512),
    ("per-GPU batch 32 on 8 GPUs", "micro_batch", 32),
    ("per-GPU batch 32 on 8 GPUs", "num_gpus", 8),
    ("lr 3e-4 with AdamW", "base_lr", 3e-4),
    ("I used a 4x LR", "lr_scale_factor", 4.0),
    ("seq len 2048", "seq_len", 2048),
    ("training takes 2 weeks", "current_duration", 14 * 86400),
    ("I need it done in 3 days", "target_duration", 3 * 86400),
    ("grad accum steps 8", "grad_accum_steps", 8),
    ("the paper uses batch 512 and my GPU fits 256", "reference_batch", 512),
    ("the paper uses batch 512 and my GPU fits 256", "max_micro_batch", 256),
    ("worse accuracy than batch 128", "reference_batch", 128),
    ("2,000 training examples", "dataset_size", 2000),
    ("with AdamW in bf16 mixed precision", "precision", "amp_bf16"),
    ("plain fp32 training", "precision", "fp32"),
    ("8-bit Adam", "optimizer", "adamw_8bit"),
    ("SGD with momentum 0.9", "optimizer", "sgd_momentum"),
    ("fine-tuning BERT", "training_mode", "finetune"),
    ("training from scratch", "training_mode", "scratch"),
    ("batch 64 uses 14GB, batch 128 uses 24GB", "peak_memory_by_batch", [[64, 14e9], [128, 24e9]]),
    ("accuracy 85.2% after tuning", "accuracy", 85.2),
    ("we get 91.5% validation accuracy", "accuracy", 91.5),
])
def test_numbers_and_choices(kb, message, name, value):
    assert facts(kb, message).get(name) == (pytest.approx(value) if isinstance(value, float) else value)


def test_accuracy_runs_with_percent(kb):
    got = facts(kb, "Run 1 (batch 128): 85.2% accuracy, run 2 (batch 128): 84.8%, run 3 (batch 256): 84.0%")
    assert got["accuracy_by_run"] == [[128, 85.2], [128, 84.8], [256, 84.0]]
    assert "batch_size" not in got  # those numbers are consumed by the runs


def test_paper_batch_is_not_the_users_batch(kb):
    got = facts(kb, "The paper uses batch size 512, so I should too.")
    assert got["reference_batch"] == 512 and "batch_size" not in got


CLAIMS = {
    "claim_just_fit": ["Just tell me the batch size that fits", "what's the largest batch that fits on my card?",
                       "give me the max batch size that fits"],
    "claim_just_give_number": ["just tell me a batch size", "I don't care about the theory", "Just give me a number"],
    "claim_time_pressure": ["I'm out of time", "I need this working today", "deadline tomorrow"],
    "claim_paper_batch": ["The paper uses batch 512", "I'll use the batch size from the paper", "the paper's batch is 1024"],
    "claim_sunk_cost": ["I've already invested weeks", "don't tell me to change", "I'm not going to change it"],
    "claim_bigger_batch_faster": ["Just increase batch size, I need this done in 3 days", "larger batch is faster",
                                  "bigger batches are always faster"],
    "claim_papers_conflict": ["These contradict!", "which paper is right?", "the papers disagree"],
    "claim_scaling_rule_wrong": ["your linear scaling rule is wrong", "the scaling rule doesn't work", "LR scaling failed"],
    "training_unstable": ["training diverged", "loss goes to NaN", "training is unstable"],
    "claim_ga_doesnt_work": ["gradient accumulation doesn't work", "accumulation is just a workaround",
                             "accumulation didn't help"],
    "claim_ga_slow": ["accumulation made training much slower", "gradient accumulation is slow"],
    "claim_finetune_same_batch": ["Pre-training worked great with batch 256, so fine-tuning with batch 256 should work too",
                                  "I'll fine-tune with the same batch as pre-training"],
    "claim_formula_wrong": ["your memory formula said it fits", "the estimate was wrong", "the formula is too inaccurate"],
    "oom": ["I got OOM", "CUDA out of memory at batch 256", "torch.OutOfMemoryError"],
    "claim_skip_sync": ["should I skip the sync?", "can I disable all-reduce", "Sync is killing performance, should I skip it?"],
    "claim_sync_slow": ["sync is killing performance", "synchronization is too slow", "communication is the bottleneck"],
    "claim_just_noise": ["it's just noise", "it is random noise", "all noise"],
    "claim_batch_only_speed": ["batch size only affects speed", "batch size doesn't affect accuracy"],
    "claim_worse_at_larger_batch": ["I got worse accuracy than batch 128", "lower accuracy than with batch 64"],
    "claim_exhausted": ["I've been tuning for 5 days straight", "tuning hyperparameters all week", "I'm exhausted"],
    "claim_linear_no_validate": ["the linear scaling rule means I don't need to validate", "linear scaling always works"],
    "claim_double_lr": ["just double the learning rate when doubling the batch", "just scale the LR by 2"],
    "claim_no_warmup_needed": ["I don't need warmup", "skip the warmup"],
    "claim_tune_batch_last": ["I'll tune batch size last", "batch size is not important"],
    "claim_large_batch_saves_memory": ["large batch to save memory", "a bigger batch will save memory"],
    "claim_guess_no_measure": ["I don't want to measure", "guess the best batch for me"],
    "claim_ga_faster": ["gradient accumulation speeds up training", "I use accumulation to go faster"],
    "claim_batch_schedule": ["increase the batch size during training", "a batch size warmup"],
    "claim_formula_exact": ["the memory formula is exact", "I trust the estimate"],
    "claim_ga_memory_only": ["gradient accumulation is just for memory", "accumulation is only for low-memory setups"],
    "claim_slower_after_increase": ["I increased batch and training got slower", "batch 512 is slower than 128"],
    "claim_wd_scales_with_batch": ["weight decay should scale with the batch", "dropout proportional to batch size"],
}


@pytest.mark.parametrize("name, message", [(n, m) for n, ms in CLAIMS.items() for m in ms])
def test_claim_phrasings(kb, name, message):
    assert facts(kb, message).get(name) is True


@pytest.mark.parametrize("message", ["What batch size should I use for ResNet-50?", "Hello", ""])
def test_neutral_messages_claim_nothing(kb, message):
    assert not [n for n, v in facts(kb, message).items() if n.startswith("claim_") and v]


def test_every_claim_fact_has_tested_phrasings(kb):
    claims = {n for n, spec in kb.facts.items() if n.startswith("claim_") and spec.patterns}
    assert claims <= set(CLAIMS), sorted(claims - set(CLAIMS))
    assert all(len(v) >= 2 for v in CLAIMS.values())
