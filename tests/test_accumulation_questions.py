"""Questions about what gradient accumulation does - the loss's division, BatchNorm, its memory - answered from
what the message asks (rules/accumulation.yaml), the way engineers ask them."""

import pytest

from advisor.consultation import read_message, run_consultation


def finding_ids(c) -> list[str]:
    return [f.id for f in c.advice.findings]


def test_accumulation_questions_about_the_division_and_batchnorm_are_answered(kb):
    c = run_consultation("Batch norm update and loss averaging for gradient accumulation in Mask R-CNN: (1) In the "
                         "gradient accumulation implementation we divide by the number of steps - why? (2) Is dividing "
                         "the loss a necessary step? (3) Do we also need to adjust batch-norm statistics like the "
                         "running mean according to the accumulation steps?", kb=kb)
    assert c.wm.value("asks_loss_division") is True and c.wm.value("asks_bn_with_accumulation") is True
    ids = finding_ids(c)
    assert ids[:2] == ["finding-why-loss-divided", "finding-bn-accumulation-asked"]
    assert "nothing specific" not in c.advice.recommendation.rationale


def test_batchnorm_without_accumulation_asks_nothing_about_it(kb):
    c = run_consultation("Should I adjust the batch norm momentum when I fine-tune at batch 8?", kb=kb)
    assert c.wm.value("asks_bn_with_accumulation") is not True


def test_the_memory_accumulation_adds_is_answered_per_framework(kb):
    c = run_consultation("When using optax.MultiSteps for gradient accumulation (vs not using the MultiSteps wrapper), "
                         "is there an overhead memory consumption equal to the size of the model's parameters?", kb=kb)
    assert c.wm.value("asks_accumulation_memory") is True
    assert finding_ids(c)[0] == "finding-accumulation-memory-asked"
    assert "acc_grads" in c.advice.findings[0].text


def test_accumulation_said_without_asking_about_memory_is_no_memory_question(kb):
    c = run_consultation("I use gradient accumulation of 8 with optax.MultiSteps and the loss is noisy.", kb=kb)
    assert c.wm.value("asks_accumulation_memory") is not True


def test_whether_accumulation_equals_the_large_batch_is_answered(kb):
    c = run_consultation("Since there is no inter-sample communication such as BatchNorm, is a config of `--batch-size "
                         "128` exactly equivalent to `--batch-size 64 --accumulation-steps 2` in terms of the gradient's "
                         "numerical value?", kb=kb)
    assert c.wm.value("asks_accumulation_equivalence") is True
    assert finding_ids(c)[0] == "finding-accumulation-differs"


def test_a_trainer_that_does_not_divide_the_loss_is_asked_about(kb):
    c = run_consultation("I see others often divide the loss by the number of accumulation steps before backward, but "
                         "there is no such division in the SG trainer. Is it a bug, or am I misunderstanding?", kb=kb)
    assert finding_ids(c)[0] == "finding-why-loss-divided"


def test_an_oom_only_optax_multisteps_gives(kb):
    """"I always get an out of memory error using optax.MultiSteps, even when every_k_schedule=1. Using
    optax.apply_every(k=1) in a chain works fine." (review 46 #28): its accumulator is one parameter-sized buffer more."""
    c = run_consultation("I always get an out of memory error using optax.MultiSteps, even when every_k_schedule=1. "
                         "Using optax.apply_every(k=1) in a chain works fine.", kb=kb)
    assert c.advice.findings[0].id == "finding-accumulation-memory-asked"


@pytest.mark.parametrize("message", [
    "Thanks. Do I need to set 'accum_grad' larger than 1? Or what is the preferred value for accum_grad when 64 V100 "
    "are used?",
    "What value of gradient_accumulation_steps should I use on 8 GPUs?",
    "How should I set gradient accumulation steps with 4 GPUs?",
])
def test_what_accumulation_to_set_is_answered(kb, message):
    """Review 50 (CosyVoice on 64 V100s): accumulation only builds a batch the GPUs do not reach."""
    c = run_consultation(message, kb=kb)
    assert "finding-accumulation-value" in [f.id for f in c.advice.findings]


def test_accumulation_said_is_no_question_of_its_value(kb):
    assert "asks_accumulation_value" not in read_message(kb, "I use gradient accumulation steps 4 on 8 GPUs and it OOMs.")


def test_two_config_splits_compared_on_the_gpus_said_count_both_gpus(kb):
    """Review 52 #10 (ms-swift on two 4090s): "is per_device_train_batch_size=1, gradient_accumulation_steps=8 the same
    as per_device_train_batch_size=4, gradient_accumulation_steps=2 - 8 samples an update, or 16?" - on two GPUs,
    16 for both."""
    c = run_consultation("On two GPUs, is per_device_train_batch_size=1, gradient_accumulation_steps=8 the same as "
                         "per_device_train_batch_size=4, gradient_accumulation_steps=2? Do both update the parameters "
                         "every 8 samples, or 16?", kb=kb)
    assert c.wm.value("split_batch") == c.wm.value("split_other_batch") == 16
    assert c.advice.findings[0].id == "finding-same-batch-accumulated" and "16" in c.advice.findings[0].title


def test_accumulation_worse_than_more_devices_gets_the_loss_normalisation(kb):
    """Review 57 #15 (Lightning, "Gradient accumulation calculation may be incorrect … I see worse performance with
    gradient accumulation than with multiple devices"): the answer is how the loss is averaged over the window."""
    c = run_consultation("Gradient accumulation calculation may be incorrect. See the unsloth blog and the transformers "
                         "fix. I verified that I see worse performance with gradient accumulation than with multiple "
                         "devices, so I suspect this bug also applies to Lightning. Version v2.4", kb=kb)
    assert c.advice.findings[0].id == "finding-accumulation-differs"


def test_an_lr_question_for_a_smaller_batch_also_offers_the_accumulation_that_keeps_it(kb):
    """Review 57 #5: "now gpus=8, per_device 16, GA 4, lr 5e-5; if gpus=4 and per_device 4, lr should be ~6.25e-6?" -
    beside the retuned LR, 32 accumulation steps on 4 GPUs at 4 each keep the 512 the LR was tuned for."""
    c = run_consultation("deepspeed --num_gpus=8 train.py --finetuning_type lora --per_device_train_batch_size 16 "
                         "--gradient_accumulation_steps 4 --learning_rate 5e-5. Does the learning rate need to be "
                         "linearly scaled according to the number of GPUs and per_device_train_batch_size? E.g. now "
                         "gpus=8, per_device_train_batch_size=16, lr=5e-5. So if gpus=4 and per_device_train_batch_size"
                         "=4, lr should be ~6.25e-6, right?", kb=kb)
    offered = {o.id for o in c.advice.options}
    assert "accumulate-to-target" in offered
    assert (c.wm.value("accum_micro_batch"), c.wm.value("accum_steps"), c.wm.value("num_gpus")) == (4, 32, 4)


def test_what_accumulation_counts_is_answered(kb):
    """Review 57 #24: "how does DeepSpeed process gradient accumulation? 1. It counts forward passes of the model … or
    2. it counts the number of instances" - micro-steps, each weighed alike."""
    c = run_consultation("One dataloader loads 256x256 images with batch size 8, the other 512x512 images with batch "
                         "size 2. How does DeepSpeed process gradient accumulation? 1. It counts forward passes of the "
                         "model; or 2. It counts the number of instances?", kb=kb)
    assert c.advice.findings[0].id == "finding-accumulation-counts-micro-steps"


def test_a_references_batch_is_reached_by_accumulation_on_the_users_gpus(kb):
    """'Based on the scripts you provided, the batch size per GPU is set to 2, which totals 16 across 8 GPUs, and this
    configuration is working fine. However, in the paper, the total batch size is mentioned as 128, with 16 per GPU.
    When I attempt to train the model with this batch size, I encounter an out of memory error.' (review 61 #23)."""
    msg = ("Based on the scripts you provided, the batch size per GPU is set to 2, which totals 16 across 8 GPUs, and "
           "this configuration is working fine. However, in the paper, the total batch size is mentioned as 128, with "
           "16 per GPU. When I attempt to train the model with this batch size, I encounter a \"out of memory\" error.")
    c = run_consultation(msg, kb=kb)
    assert (c.wm.value("micro_batch"), c.wm.value("num_gpus"), c.wm.value("reference_batch")) == (2, 8, 128)
    assert c.wm.value("accumulation_to_reference") == 8
    assert c.advice.findings[0].id == "finding-accumulation-to-the-reference"
    # a batch the share does not divide: no fraction of a step
    c = run_consultation("I train on 4 GPUs with batch_size_per_gpu 20; the paper's base_lr is for a batch size of 1024.",
                         kb=kb)
    assert not c.wm.known("accumulation_to_reference")


def test_accumulation_asked_on_one_small_gpu_is_explained_not_refused(kb):
    """Review 65 #27: "If I have gpu constrain (1 T4 gpu) … batch size to 1 or 2 … should I still set
    "grad_accum_every" to large number like 16 or 32?" - on one GPU no "leave it at 1": the roles of the two."""
    c = run_consultation("If I have gpu constrain (1 T4 gpu), that means I could only set batch size to 1 or 2 at each "
                         "stage training, should I still set \"grad_accum_every\" to large number like 16 or 32?", kb=kb)
    assert c.wm.value("asks_accumulation_value") is True
    ids = [f.id for f in c.advice.findings]
    assert "finding-accumulation-value" not in ids and "finding-micro-batch-and-accumulation-roles" in ids


def test_a_retriever_at_batch_one_has_no_in_batch_negatives(kb):
    """Review 67 #6: DPR at batch_size=1 with one positive and one hard negative "context" each: the in-batch task is a
    two-way choice (accuracy 1.0), and "1 positive context" counts passages, no sequence length."""
    c = run_consultation("Training a dense passage retriever\nEach sample of my data has 1 question, 1 positive "
                         "context and 1 hard negative context. I am calling retriever.train with batch_size=1, "
                         "num_hard_negatives=1. What is the significance of batch_size? Also, not sure why the "
                         "evaluation after each epoch is acc: 1.0", kb=kb)
    assert c.advice.findings[0].id == "finding-contrastive-batch-of-one"
    assert not c.wm.known("seq_len")


@pytest.mark.parametrize("message", [
    "Would it be an option to run several images sequentially before doing the backward step?",
    "for image in images:\n    loss += predict(img)\n    loss += predict(img)\nbackward(loss)",
])
def test_losses_summed_before_one_backward_in_words_or_code(kb, message):
    """Review 67 #23: only one image fits a 2080 Ti, and the plan is to add several images' losses and call backward
    once - every image's graph kept until then, not accumulation."""
    c = run_consultation("I have a rtx 2080 ti where only one image fits, so batch size one does not train well. "
                         + message, kb=kb)
    assert c.wm.value("sums_losses_before_backward") is True
    assert c.advice.findings[0].id == "finding-summed-losses-keep-every-graph"


def test_more_accumulation_steps_and_a_loss_passed_to_its_own_backward(kb):
    """Review 78 #5: "VRAM usage increase with more gradient accumulation steps" is answered (one step up, from 1 to 2,
    by a gradient copy; level after), `loss.backward(loss)` is named as the bug it is, and the loop's
    `gradient_accumulation_steps - 1` is code, no accumulation of 1."""
    from advisor.consultation import run_consultation
    c = run_consultation(
        "VRAM usage increase with more gradient accumulation steps\n"
        "for micro_step in range(gradient_accumulation_steps):\n"
        "    no_sync_enabled = micro_step < gradient_accumulation_steps - 1\n"
        "    loss = model(**batch)\n    loss /= gradient_accumulation_steps\n    loss.backward(loss)\n"
        "optimizer.step()\nI observe higher VRAM usage for number of steps more than 1. Is it expected?", kb=kb)
    ids = [f.id for f in c.advice.findings] + [r.id for r in c.advice.red_flags]
    assert {"finding-backward-given-the-loss", "rf-accumulation-costs-memory"} <= set(ids)
    assert not c.wm.known("grad_accum_steps")
    counter = next(r for r in c.advice.red_flags if r.id == "rf-accumulation-costs-memory").counter
    assert "going from 1 step to 2 raises the peak once" in counter


def test_wav2vec2s_negatives_come_from_the_same_utterance(kb):
    """Review 83 #12: fairseq's wav2vec 2.0 pretraining with `infonce: true` draws its distractors from other masked
    time steps of the same utterance: the in-batch-negatives findings of CLIP-style losses do not apply."""
    c = run_consultation("3x A100 40G pretraining wav2vec2 with fairseq, criterion wav2vec, infonce: true, "
                         "max_tokens: 3000000, batch 2 per GPU. Is the batch too small for the contrastive loss?", kb=kb)
    assert c.wm.value("claim_contrastive") is True and c.wm.value("negatives_within_sample") is True
    assert not [f.id for f in c.advice.findings if "negatives" in f.id or "contrastive" in f.id]
    clip = run_consultation("CLIP contrastive training, batch 2 per GPU on 3 A100s. Is the batch too small?", kb=kb)
    assert [f.id for f in clip.advice.findings if "negatives" in f.id or "contrastive" in f.id]
