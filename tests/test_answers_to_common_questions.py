"""What the consultation answers to questions engineers often ask: a batch on several GPUs that does not say whose
it is (asked about), the learning rate from the batch per update (kept, scaled, or the principle when numbers are
missing), reproducing a reference (the accumulation), a batch per update worked out by the user (confirmed), extra
memory on GPU 0, and a run that waits for its data."""

import pytest

from advisor.consultation import consult, read_message, run_consultation
from advisor.shells.render import i_read, read_facts

PLAIN = "I train with batch 256 on 4 GPUs, the paper used 1024 with lr 0.1. What learning rate should I use?"


def test_a_batch_on_several_gpus_is_asked_about_first(kb):
    advice = consult(PLAIN, kb=kb)
    assert advice.questions[0].id == "batch_scope"
    assert {f.name: f.value for f in advice.facts}["batch_unqualified"] == 256
    assert "per GPU" in advice.questions[0].text and advice.questions[0].choices == ["per_gpu", "total"]


def test_per_gpu_makes_it_the_micro_batch_and_the_reference_lr_carries_over(kb):
    c = run_consultation(PLAIN, answers={"batch_scope": "per GPU", "grad_accum_steps": 1}, kb=kb)
    assert c.wm.value("micro_batch") == 256 and c.wm.value("effective_batch") == 1024
    assert c.wm.value("base_lr") == 0.1  # the paper's LR: the one tuned for the batch started from
    titles = [f.title for f in c.advice.findings]
    assert "Your batch per update is the reference's 1024: its learning rate carries over" in titles
    assert not c.wm.known("lr_center")  # nothing to scale
    assert c.advice.recommendation.rationale == "What I noticed above is my answer."


def test_the_total_makes_it_the_batch_per_update_and_the_lr_is_scaled(kb):
    c = run_consultation(PLAIN, answers={"batch_scope": "total", "optimizer": "sgd_momentum"}, kb=kb)
    assert c.wm.value("batch_size") == 256 and not c.wm.known("micro_batch")
    assert c.wm.value("lr_linear") == 0.25  # 256 / 1024 under the linear rule, for SGD with momentum


def test_each_gpus_batch_times_the_gpus_is_compared_with_the_recipe(kb):
    c = run_consultation("The recipe says lr 0.03 for batch 256 on 8 GPUs. I have 4 GPUs with batch 64 each. "
                         "Same lr?", answers={"grad_accum_steps": 1}, kb=kb)
    assert c.wm.value("micro_batch") == 64 and c.wm.value("num_gpus") == 4 and c.wm.value("effective_batch") == 256
    assert any(f.id == "finding-same-batch-per-update" for f in c.advice.findings)
    c = run_consultation("The recipe says lr 0.03 for batch 256 on 8 GPUs. I have 4 GPUs with batch 32 each. "
                         "What lr?", answers={"grad_accum_steps": 1, "optimizer": "sgd_momentum"}, kb=kb)
    assert c.wm.value("effective_batch") == 128 and c.wm.value("lr_linear") == 0.5  # 128 / 256


def test_a_stated_micro_batch_is_not_asked_about(kb):
    advice = consult("4 GPUs, per_device_train_batch_size 8, the paper used 256 with lr 3e-4. What lr?", kb=kb)
    assert "batch_scope" not in [q.id for q in advice.questions]


RESNET = "Training ResNet-50 on ImageNet with 8 V100s, batch 256 per GPU, lr 0.1. Should I scale the LR?"


def test_the_lr_question_asks_first_for_what_the_lr_depends_on(kb):
    # the user asks about the LR: the questions its answer waits for come before a precision check of the card
    assert consult(RESNET, kb=kb).questions[0].id == "grad_accum_steps"
    assert consult(RESNET, answers={"grad_accum_steps": 1}, kb=kb).questions[0].id == "reference_batch"


def test_the_lr_is_scaled_from_the_one_the_user_has(kb):
    c = run_consultation(RESNET, answers={"grad_accum_steps": 1, "reference_batch": 256, "optimizer": "sgd_momentum"},
                         kb=kb)
    assert c.wm.value("effective_batch") == 2048 and c.wm.value("lr_new") == 0.8  # Goyal's linear rule: 0.1 × 8
    assert c.advice.recommendation.rationale.startswith("The LR 0.1 was tuned for batch 256; at 2048 per update "
                                                        "start at 0.8")
    # more GPUs, not accumulation, made the batch larger: the accumulation finding says nothing here
    assert "finding-ga-lr-not-scaled" not in [f.id for f in c.advice.findings]


def test_a_question_about_the_lr_without_numbers_gets_the_principle(kb):
    from advisor.consultation import run_consultation
    from advisor.shells.render import render_short

    c = run_consultation("When training with multiple GPUs we usually use a larger batch size. Do we also need to "
                         "increase the learning rate in this case?", kb=kb)
    assert [f.id for f in c.advice.findings] == ["finding-lr-follows-batch-per-update"]
    short = " ".join(render_short(c).split())
    assert "One update averages micro-batch × accumulation steps × GPUs samples" in short  # (the finding is the answer)
    # the accumulation multiplies it as the GPUs do (review 26 #18)
    c = run_consultation("With larger or smaller gradient accumulation, is it necessary to adjust the learning rate, "
                         "e.g. increase it or decrease it respectively?", kb=kb)
    assert [f.id for f in c.advice.findings] == ["finding-lr-follows-batch-per-update"]
    assert "k times fewer updates per epoch" in " ".join(render_short(c).split())
    assert "I have nothing specific" not in short
    # with the two batches known, the numbers replace the principle
    c = run_consultation(RESNET, answers={"grad_accum_steps": 1, "reference_batch": 256}, kb=kb)
    assert "finding-lr-follows-batch-per-update" not in [f.id for f in c.advice.findings]


def test_a_question_about_how_memory_works_does_not_ask_for_a_card_and_a_model(kb):
    # review 29 #3 and #25: a red flag answers it, and no run of the user's is there to count, so "how much memory
    # does each GPU have?" (only for offering a bigger GPU) asks for what nobody wanted changed
    amp = ("With apex AMP it uses less VRAM now, but still not as much as I'd expect from half floats: 9.7GB with O0, "
           "7.5GB with O2, 8GB with O1. I thought the difference would be much more than 20-25%. Is this normal?")
    lora = ("The paper claims LoRA can reduce GPU memory usage by 3 times. Where does this come from? When we "
            "calculate W = AB, W is still created in GPU memory, so there are two large matrices.")
    for message in (amp, lora):
        advice = consult(message, kb=kb)
        assert advice.red_flags and not advice.questions
        assert advice.recommendation.rationale == "What I noticed above is my answer."
    # an out-of-memory error, or a card said, is a run to count: its questions stay
    advice = consult(amp + " It runs out of memory at batch 64.", kb=kb)
    assert "params" in [q.id for q in advice.questions]
    advice = consult(lora + " I have a 24GB GPU.", kb=kb)
    assert "params" in [q.id for q in advice.questions]


def test_a_question_about_reproducing_a_run_without_its_batch_gets_what_to_keep(kb):
    advice = consult("I noticed the paper uses more GPUs. If I only have 8 GPUs, is there an official way to "
                     "reproduce the training results?", kb=kb)
    assert "finding-match-batch-per-update" in [f.id for f in advice.findings]
    advice = consult("The paper trains with batch 512 on 16 GPUs. I have 8 GPUs with 32 each; how do I reproduce it?",
                     kb=kb)
    assert "finding-match-batch-per-update" not in [f.id for f in advice.findings]  # its batch is known: numbers


def test_reproducing_a_reference_on_fewer_gpus_gets_the_accumulation(kb):
    c = run_consultation("The paper trains with batch 512 on 16 GPUs. I have 8 GPUs with batch 32 per GPU; how do "
                         "I reproduce it?", kb=kb)
    assert c.advice.recommendation.option_id == "accumulate-to-target"
    option = c.advice.option("accumulate-to-target")
    assert (option.settings.micro_batch, option.settings.grad_accum_steps, option.settings.num_gpus) == (32, 2, 8)
    # the recommendation says how many steps to accumulate: not asked back
    assert "grad_accum_steps" not in [q.id for q in c.advice.questions]


def test_a_batch_per_update_as_the_user_worked_it_out_is_confirmed(kb):
    advice = consult("If I understand correctly, for 8 GPUs I should set NUM_PROCESSES=8, PER_DEVICE_BATCH_SIZE=1, "
                     "GRADIENT_ACCUMULATIONS=16 for an effective batch size of 128?", kb=kb)
    assert advice.findings[0].title == "Yes: 1 × 16 × 8 = 128 per update"
    assert not advice.red_flags


def test_whether_to_scale_the_batch_with_the_gpus_gets_how_ddp_counts_it(kb):
    advice = consult("I'm trying to train MipNeRF360 with 4 GPUs. Should I leave batch_size untouched or multiply it "
                     "by 4?", kb=kb)
    assert [f.id for f in advice.findings] == ["finding-batch-per-gpu-under-ddp"]


def test_extra_memory_on_gpu_zero_is_diagnosed(kb):
    from advisor.shells.render import render_short

    c = run_consultation("DistributedDataParallel: GPU0 occupies much more memory than the others, so it easily goes "
                         "OOM.", kb=kb)
    assert c.advice.findings[0].id == "finding-gpu0-other-processes"
    assert "torch.cuda.set_device(local_rank)" in " ".join(render_short(c).split())  # the answer, in the short form
    assert "DataParallel" not in c.advice.findings[0].title
    assert not {f.id for f in consult("GPU 0 has 24 GB and GPU 1 has 12 GB.", kb=kb).findings} & {
        "finding-gpu0-extra-memory", "finding-gpu0-other-processes", "finding-gpu0-dataparallel"}



@pytest.mark.parametrize("message", [
    "GPU utilization is low; it looks like the GPU is waiting for data most of the time. How do I speed it up?",
    "Training is slow and I think the dataloader is the bottleneck. Any tips to make it faster?",
    "At the start of every epoch the dataloader gets stuck for 30 seconds; how can I speed this up?",
])
def test_a_slow_run_waiting_for_data_gets_the_input_pipeline_first(kb, message):
    advice = consult(message, kb=kb)
    assert {f.name: f.value for f in advice.facts}["data_loader_bound"] is True
    assert advice.recommendation.option_id == "fix-input-pipeline"


def test_per_gpu_or_total_is_answered(kb):
    advice = consult("Does per_device_train_batch_size refer to the global batch across all GPUs or the batch per "
                     "GPU with torchrun?", kb=kb)
    assert "finding-batch-per-gpu-under-ddp" in [f.id for f in advice.findings]


def test_fixes_from_the_expert_review(kb):
    from advisor.consultation import read_message

    # a model's longest context is not assumed as the training length (Llama 3.1: 131,072 tokens)
    c = run_consultation("We want to fine-tune Llama 3.1 405B with LoRA. Budget up to 64 H100s.", kb=kb)
    assert "4096 tokens per sample" in next(e.formula for e in c.advice.estimates if e.id == "plan_current_per_gpu")
    # ZeRO-1 shards only the optimizer state: its peak is above ZeRO-2's by the unsharded gradients
    peak = {z: run_consultation(f"Full fine-tune llama-2-7b on 8x A100 80GB with DeepSpeed ZeRO-{z}, bf16, AdamW, "
                                f"seq 2048, per device batch 1", kb=kb).wm.value("plan_current_per_gpu") for z in (1, 2)}
    assert peak[1] - peak[2] > 7 / 8 * 2 * 6.7e9 * 0.9
    # "no NVLink" names no NVLink; "the dataloader is not the bottleneck" names no bottleneck
    assert read_message(kb, "4x RTX 4090, no NVLink, DDP is slow")["interconnect"][0] == "pcie"
    assert "data_loader_bound" not in read_message(kb, "the dataloader is not the bottleneck, GPU util is 99%")
    # a paper's batch is not given a number the user did not say
    advice = consult("The paper uses batch size 4096, so I should use it too.", kb=kb)
    assert "512" not in " ".join(f.counter for f in advice.red_flags)


def test_a_run_the_user_says_fits_is_not_called_too_big(kb):
    c = run_consultation("Qwen2.5-14B LoRA r=16 on 2x A6000 48GB with deepspeed zero2, max_seq_length 4096, micro "
                         "batch 1, grad accum 16. It fits but it's really slow. Is ZeRO-3 better here?", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert "plan-estimate-above-a-run-that-fits" in ids and "plan-does-not-fit" not in ids
    assert not c.advice.red_flags  # no "no batch size fits these settings"
    assert c.wm.value("plan_current_fits") is True  # the measurement wins over the estimate's assumptions
    # a question whether it fits is no report that it does
    assert not run_consultation("Does it fit on a 3090 with llama 7b at batch 4?", kb=kb).wm.value("claim_run_fits")


def test_an_oom_far_under_the_estimate_says_what_the_description_leaves_out(kb):
    advice = consult("QLoRA fine-tuning Mistral-7B on a single RTX 4090, seq 1024, batch 2, bf16, gradient "
                     "checkpointing on, and I get CUDA out of memory.", kb=kb)
    ids = [f.id for f in advice.findings]
    assert ids[0] == "plan-fits-but-oom" and "plan-fits" not in ids  # never "your plan fits" to a user who OOMed


def test_halving_the_gpus_with_the_same_batch_per_update_keeps_the_lr(kb):
    c = run_consultation("We halved our GPU count from 16 to 8, keeping per-GPU batch 16 and global batch 256 with "
                         "accumulation 2. Do I need to change lr 3e-4?", kb=kb)
    assert c.wm.value("num_gpus") == 8 and c.wm.value("effective_batch") == 256
    assert c.advice.findings[0].title == "Yes: 16 × 2 × 8 = 256 per update"


def test_a_vit_at_a_larger_image_has_more_tokens(kb):
    at = {}
    for px in (224, 384):
        c = run_consultation(f"ViT-L/16 fine-tuning at {px}px on 8x V100 32GB, batch 16 per GPU, AdamW, fp16 mixed "
                             "precision.", kb=kb)
        at[px] = c.wm.value("plan_current_per_gpu")
    # (384 / 16)² + 1 = 577 tokens against 197: the activations grow about threefold, the states do not
    assert at[384] > at[224] + 4e9


def test_a_resnet_at_a_larger_image_has_larger_feature_maps(kb):
    at = {}
    for px in (224, 512):
        c = run_consultation(f"PyTorch, GTX 1080 8GB, ResNet50 at {px}x{px}, batch_size=32 fp32 training OOM.", kb=kb)
        at[px] = c.wm.value("plan_current_per_gpu")
    # every feature map grows with the image's area, (512 / 224)² = 5.2×; the 0.38 GiB of states do not
    assert at[224] < 8 * 2**30 < at[512]
    assert 4.0 < (at[512] - 0.4 * 2**30) / (at[224] - 0.4 * 2**30) < 5.3


def test_a_plan_with_only_micro_batch_1_at_the_cards_edge_is_not_the_first_choice(kb):
    c = run_consultation("LoRA fine-tuning Gemma-2-27B on 2x A100 80GB, bf16, seq 2048, micro batch 1. OOM. What "
                         "should I do?", kb=kb)
    best = next(p for p in c.advice.plans if p.recommended)
    assert best.fits and best.per_gpu_bytes < 0.9 * 80 * 2**30  # room left, not 78 of 80 GiB


def test_zero_stages_compared_in_bytes_per_gpu(kb):
    c = run_consultation("ZeRO-2 vs ZeRO-3 memory for llama-2-13b on 8 A100 40GB with bf16 and AdamW?", kb=kb)
    p = 13_015_864_320
    # the ZeRO paper's per-GPU states for mixed precision with Adam (K = 12): (2 + 2 + 12/N)Ψ, (2 + 14/N)Ψ, 16Ψ/N
    assert abs(c.wm.value("zero1_states") - (4 + 12 / 8) * p) < 1e6
    assert abs(c.wm.value("zero2_states") - (2 + 14 / 8) * p) < 1e6
    assert abs(c.wm.value("zero3_states") - 16 / 8 * p) < 1e6
    assert c.advice.findings[0].id == "finding-zero-stages-compared"


def test_dataparallel_or_ddp_is_answered(kb):
    """"DataParallel or DDP?": what DataParallel does and why PyTorch recommends DDP, and the switch as an option;
    a batch said as the total is the batch per update."""
    advice = consult("DataParallel or DDP on 2 GPUs? 2x RTX 3090, resnet50 imagenet, batch 256 total. "
                     "nn.DataParallel gives ~60% util on gpu0 and 30% on gpu1", kb=kb)
    facts = {f.name: f.value for f in advice.facts}
    assert facts["parallelism"] == "dp" and facts["batch_size"] == 256
    finding = next(f for f in advice.findings if f.id == "finding-dataparallel")
    assert "recommends DistributedDataParallel" in finding.text and "pt-dataparallel" in finding.sources
    assert advice.recommendation.option_id == "ddp-instead-of-dataparallel"
    assert "batch_scope" not in [q.id for q in advice.questions]  # the total was said
    ddp = consult("DDP on 2x RTX 3090, resnet50, 128 per GPU. Why is GPU 1 slower?", kb=kb)
    assert "finding-dataparallel" not in [f.id for f in ddp.findings]


def test_a_batch_change_written_with_an_arrow_gets_lr_values(kb):
    """"global batch goes 32 -> 256" with per-device 32 on 8 GPUs: the change is read, the accumulation (1) follows
    from the user's own numbers and is not asked, and the LR is given as values."""
    c = run_consultation("moving from 1x A100 (per-device 32, lr 1e-4, adamw) to 8x A100 with DDP keeping per-device "
                         "32. what lr should I use? global batch goes 32 -> 256", kb=kb)
    assert c.wm.value("reference_batch") == 32 and c.wm.value("batch_size") == 256
    assert c.wm.value("grad_accum_steps") == 1 and "grad_accum_steps" not in [q.id for q in c.advice.questions]
    assert c.wm.value("lr_new") == pytest.approx(1e-4 * 8 ** 0.5)  # AdamW: the square-root rule to start
    assert "start at 0.000283" in c.advice.recommendation.rationale


def test_how_many_accumulation_steps_to_match_a_paper_is_computed_not_asked(kb):
    advice = consult("Paper uses global batch 4096 with lr 1.6e-3 (LAMB) for BERT-large pretraining on 64 TPUs. I "
                     "have 4x A100 40GB, max per-device 32 at seq 128. How many GA steps to match and do I keep the "
                     "lr?", kb=kb)
    assert advice.recommendation.option_id == "accumulate-to-target"
    assert "32 per GPU × 32 accumulation steps × 4 GPU(s) = 4096" in advice.recommendation.rationale
    assert "grad_accum_steps" not in [q.id for q in advice.questions]


def test_the_references_batch_said_whole_keeps_its_lr(kb):
    advice = consult("The docs say the default learning rate is for 8 GPUs and 2 img/gpu (batch size = 8*2 = 16). If "
                     "I have a single GPU and a batch size of 16, I go with lr=0.02?", kb=kb)
    assert "finding-same-batch-size" in [f.id for f in advice.findings]


def test_low_utilisation_with_few_loader_workers_is_a_data_problem_not_a_batch_one(kb):
    advice = consult("GPU util stuck at 40% on a single 4090 training ViT-B/16 at 224px, batch 128, AMP on, "
                     "num_workers=2. how do I make it faster? bigger batch?", kb=kb)
    facts = {f.name: f.value for f in advice.facts}
    assert facts["gpu_utilization"] == 40 and facts["dataloader_workers"] == 2 and facts["precision"] == "amp_fp16"
    assert advice.findings[0].id == "finding-few-loader-workers"
    assert advice.recommendation.option_id == "more-loader-workers"
    busy = consult("GPU util at 95% on a 4090, num_workers=16, batch 128. How do I make it faster?", kb=kb)
    assert "finding-few-loader-workers" not in [f.id for f in busy.findings]


@pytest.mark.parametrize("message", [
    "Does ZeRO-3 with offload_optimizer cpu let me full-finetune llama-3-8B on a single 24GB 3090? per-device 1",
    "torchrun --nproc_per_node=1 train.py --fsdp 'full_shard auto_wrap' --model_name_or_path llama-2-13b, OOM on an A100",
])
def test_sharding_over_one_gpu_is_said_to_shard_nothing(kb, message):
    advice = consult(message, kb=kb)
    assert "finding-sharding-one-gpu" in [f.id for f in advice.findings]
    eight = consult("ZeRO-3 full fine-tune of llama-3-8B on 8x A100 80GB, per-device 1", kb=kb)
    assert "finding-sharding-one-gpu" not in [f.id for f in eight.findings]


def test_with_adapters_the_optimizer_is_not_asked(kb):
    """Adapters train about 1% of the weights: no optimizer changes whether the plan fits or its largest
    micro-batch, so it is not asked (review 11 found it asked in 11 of 30 answers); a full fine-tune is asked it
    first, where 8-bit AdamW or SGD can decide the fit."""
    lora = consult("OOM fine-tuning llama-2-7b with LoRA on a single 3090, batch 4", kb=kb)
    ids = [q.id for q in lora.questions]
    assert ids and "optimizer" not in ids
    full = consult("OOM fine-tuning llama-2-7b on a single A100 80GB, batch 4, bf16", kb=kb)
    assert [q.id for q in full.questions][0] == "optimizer"


def test_dpo_counts_its_frozen_reference_model_unless_adapters_serve_as_it(kb):
    full = run_consultation("OOM when DPO training Qwen2.5-7B on 8x A800 80GB with DeepSpeed ZeRO-3, "
                            "per_device_train_batch_size 1, max_length 2048, bf16", kb=kb)
    params = full.wm.value("params")
    assert full.wm.value("preference_objective") == "dpo"
    assert full.wm.value("reference_model_bytes") == pytest.approx(params * 2)  # 16-bit weights, frozen
    # (under ZeRO-3 on 8 GPUs the reference is sharded with the model: each GPU's share is said)
    assert "finding-reference-model-sharded" in [f.id for f in full.advice.findings]
    assert full.wm.value("reference_model_per_gpu") == pytest.approx(params * 2 / 8)
    lora = consult("DPO with LoRA on llama-2-7b, single 4090, batch 2, OOM", kb=kb)
    ids = [f.id for f in lora.findings]
    assert "finding-reference-model-adapters" in ids and "finding-reference-model" not in ids
    orpo = consult("ORPO full fine-tune of llama-3-8b on 8x H100", kb=kb)
    assert "finding-reference-model" not in [f.id for f in orpo.findings]  # ORPO has no reference model


@pytest.mark.parametrize("message, expected", [
    ("CUDA out of memory fine-tuning llama-2-7b on 8x A100: it always stops at the same step, 5952 of 23192", True),
    ("The run trains fine and then OOMs after 1200 steps on a single 4090, llama-3-8b LoRA", True),
    ("OOM at the very first step fine-tuning llama-2-7b on a 3090", False),
])
def test_an_oom_at_a_fixed_step_is_diagnosed_as_that_steps_batch(kb, message, expected):
    advice = consult(message, kb=kb)
    assert ("finding-oom-at-a-fixed-step" in [f.id for f in advice.findings]) is expected


def test_fsdp_or_deepspeed_is_answered_with_the_states_per_gpu(kb):
    advice = consult("FSDP vs DeepSpeed for 13B on 4x A6000? full finetune, bf16, seq 2048, per-device 1, GA 32. "
                     "which one fits?", kb=kb)
    ids = [f.id for f in advice.findings]
    assert "finding-fsdp-or-deepspeed" in ids and "finding-zero-stages-compared" in ids
    states = {e.id: e.value for e in advice.estimates}
    assert states["zero3_states"] == pytest.approx(16 * 13e9 / 4)  # mixed-precision Adam, 16 B/param over 4 GPUs
    assert "lora" not in advice.recommendation.option_id  # full fine-tuning said


@pytest.mark.parametrize("message, product", [
    ("is my effective batch 64? I use 4 gpus with DDP, per_device_train_batch_size=4, gradient_accumulation_steps=4",
     "4 × 4 × 4 = 64"),
    ("Trainer says Total train batch size (w. parallel, distributed & accumulation) = 128 but I set "
     "per_device_train_batch_size 8 and 2 GPUs. gradient_accumulation_steps=8. is it right?", "8 × 8 × 2 = 128"),
])
def test_is_my_effective_batch_x_is_confirmed_with_the_product(kb, message, product):
    advice = consult(message, kb=kb)
    assert advice.findings and advice.findings[0].id == "finding-effective-batch-as-said"
    assert product in advice.findings[0].title


def test_dpos_reference_model_is_in_every_full_plan_and_sharded_under_zero_3(kb):
    c = run_consultation("OOM when DPO training llama-2-7b on 8x A100 80GB, full fine-tune, bf16, seq 2048, "
                         "per_device_train_batch_size 1, zero3", kb=kb)
    reference = c.wm.value("reference_model_bytes")
    plans = {p.id: p for p in c.advice.plans}
    assert plans["current"].components["reference model"] == pytest.approx(reference / 8)  # sharded like the weights
    for p in c.advice.plans:  # adapters need no second copy: the base with them switched off is the reference
        assert ("reference model" in p.components) == ("lora" not in p.id), p.id


def test_a_plan_without_shapes_says_its_figure_is_before_activations(kb):
    from advisor.shells.render import render_short

    c = run_consultation("Full fine-tune of a 1.8B-parameter model on a single 4090, batch 8, bf16. fits?", kb=kb)
    assert "before activations, at micro-batch 8" in render_short(c, 200)


def test_a_language_model_no_catalogue_names_is_counted_with_the_shapes_usual_for_its_size(kb):
    """Review 48 #6 and #27 ('a 7B model' under OpenRLHF, '一个4B的模型' with DPO): a transformer language model of a
    billion parameters and more that no catalogue names gets its activations counted with the width and depth
    usual for its size - said as assumed, its logits left out (no vocabulary) - and its states from the size said."""
    from advisor.domain.estimators.plan_search import _typical_decoder

    c = run_consultation("DPO full fine-tune of InternLM2-1.8B on a single 4090, batch 8, max_len 1024, bf16. fits?", kb=kb)
    assert c.wm.value("plan_activations_modelled") is True
    assert "the shapes usual for a decoder of 1.8B parameters (21 layers of width 2688" in \
        c.wm.value("plan_current_assumed")
    # (the shapes: Llama 2 7B's 32 × 4096 and 13B's 40 × 5120 come out as the sizes' own, near enough)
    for params, layers, width in ((7e9, 33, 4224), (13e9, 41, 5120), (70e9, 71, 9088)):
        assumed = []
        spec = _typical_decoder(params, 2048, assumed)
        assert (spec.n_layers, spec.d_model, spec.params, spec.vocab) == (layers, width, int(params), 0)
    # (a model that reads images or audio, or one of no known family, keeps the states-only count)
    vision = run_consultation("Fine-tuning Qwen2.5-VL-3B on 8 H100 with --deepspeed zero3.json --bf16 "
                              "--per_device_train_batch_size 1, CUDA out of memory", kb=kb)
    assert vision.wm.value("multimodal_named") is True and vision.wm.value("plan_activations_modelled") is False
    assert "shapes usual for a decoder" not in vision.wm.value("plan_current_assumed")


def test_a_saturated_gpu_and_a_checkpointing_slowdown_are_explained(kb):
    saturated = consult("My training speed drops when I increase batch from 8 to 32 on H100, samples/sec barely "
                        "increases. llama 1b full finetune bf16. is the GPU saturated?", kb=kb)
    assert saturated.findings[0].id == "finding-gpu-saturated"
    slower = consult("gradient checkpointing made my training 2x slower on 4090 for llama 8b lora, is this normal?",
                     kb=kb)
    assert slower.findings[0].id == "finding-checkpointing-slowdown"
    plain = consult("I use gradient checkpointing on a 4090 for llama 8b lora and it OOMs at seq 4096", kb=kb)
    assert "finding-checkpointing-slowdown" not in [f.id for f in plain.findings]


def test_how_much_vram_for_batch_4_counts_batch_4_and_says_what_checkpointing_saves(kb):
    c = run_consultation("How much VRAM do I need for LoRA fine-tuning Qwen2.5-14B with 4-bit quantization, batch 4, "
                         "seq 2048?", kb=kb)
    needed = c.run.estimates["plan_memory_needed"]
    assert "at micro-batch 4" in needed.formula
    assert c.wm.value("plan_memory_needed_checkpointed") < c.wm.value("plan_memory_needed")
    assert "finding-memory-needed-checkpointed" in [f.id for f in c.advice.findings]


def test_do_i_need_accumulation_for_a_papers_batch_is_answered_with_the_steps(kb):
    advice = consult("ViT-L/16 pretraining on 8x H100, global batch 4096, AdamW. each GPU can fit 128. do I need "
                     "grad accumulation? and what lr, paper used 4096 with lr 1e-3 * bs/4096?", kb=kb)
    assert {f.name: f.value for f in advice.facts}["reference_batch"] == 4096  # "paper used 4096" after "what lr"
    assert advice.recommendation.option_id == "accumulate-to-target"
    assert "128 per GPU × 4 accumulation steps × 8 GPU(s) = 4096" in advice.recommendation.rationale
    assert "finding-same-batch-size" in [f.id for f in advice.findings]  # the paper's LR carries over at 4096


def test_a_batch_in_tokens_is_split_into_micro_batches_and_accumulation(kb):
    """'target global batch 4M tokens' at seq 4096 on 64 GPUs is 1,024 sequences, 16 per GPU per update; 'the paper
    used 0.5M tokens at seq 2048' with micro-batch 8 on 2 GPUs is 16 accumulation steps."""
    advice = consult("7B pretraining on 8 nodes x 8 H100, FSDP HYBRID_SHARD, seq 4096, target global batch 4M tokens. "
                     "what micro batch per gpu and grad accum?", kb=kb)
    facts = {f.name: f.value for f in advice.facts}
    assert facts["batch_size"] == 1024 and facts["share_per_gpu"] == 16
    assert "finding-share-per-gpu" in [f.id for f in advice.findings]
    paper = consult("reproducing a 1B LM pretrain, paper used batch 0.5M tokens at seq 2048, lr 3e-4. I have 2x H100, "
                    "micro batch 8 fits. how much grad accumulation?", kb=kb)
    facts = {f.name: f.value for f in paper.facts}
    assert facts["reference_batch"] == 256 and facts["accum_steps"] == 16
    assert paper.recommendation.option_id == "accumulate-to-target"


def test_a_per_gpu_key_with_no_gpu_count_against_a_reference(kb):
    """Review 51 #19: "lr of 0.02 … `samples_per_gpu` is set to 4 … the default training config in mmdet … is 8 GPUs and
    2 samples per GPU, for effective batch size of 16" - the GPUs unsaid, the batch per update is unknown (not one
    GPU's 4), and the reference's 16 at 4 a GPU is 4 GPUs."""
    c = run_consultation("The implementation details in the paper specifies 1x schedule with lr of 0.02. However, the "
                         "`samples_per_gpu` is set to 4 in the shared configuration. However, the default training "
                         "config in mmdet, for Mask-RCNN with FPN for 1x schedule is 8 GPUs and 2 samples per GPU, for "
                         "effective batch size of 16, and lr of 0.02. Could you please specify the number of GPU's?",
                         kb=kb)
    assert not c.wm.known("batch_size") and c.wm.value("reference_micro_batches") == 4
    assert c.advice.findings[0].id == "finding-reference-micro-batches"


def test_losses_summed_before_one_backward_keep_every_graph(kb):
    """Review 51 #29: "2. Accumulate loss instead of gradient, and call (loss / N).backward() every N batches … does it
    defeat the purpose of saving memory?" - yes: every micro-batch's graph lives until that backward."""
    c = run_consultation("Broadly there are two ways: 1. Call loss.backward() on every batch, but only call "
                         "optimizer.step() every N batches. 2. Accumulate loss instead of gradient, and call "
                         "(loss / N).backward() every N batches. Does it defeat the purpose of saving memory?", kb=kb)
    finding = next(f for f in c.advice.findings if f.id == "finding-summed-losses-keep-every-graph")
    assert "pt-backward-frees-graph" in finding.sources


def test_a_word_in_a_path_is_no_goal(kb):
    """Review 51 #27: a traceback through "/data/…/3D-MAN-reproduction/utils/fit.py" says nothing of reproducing a
    paper; said in words, it does."""
    c = run_consultation('CUDA out of memory during training step.\n  File "/data/lh/3D-MAN-reproduction/utils/fit.py", '
                         'line 150, in training_step', kb=kb)
    assert not c.wm.known("goal")
    assert run_consultation("I want to reproduce the paper's results on 8 GPUs", kb=kb).wm.value("goal") == "replicate"


def test_what_the_batch_and_accumulation_do_asked_with_no_numbers(kb):
    """rq-027: "What exactly do batch_size and gradient_accumulation_steps do? … do they change the final model or just
    the speed of learning?" - the roles of the micro-batch and of accumulation, and of their product."""
    c = run_consultation("What exactly do batch_size and gradient_accumulation_steps do? I know they make the model go "
                         "through more tokens per iteration, but do they change the final model or just the speed of "
                         "learning, and how do they differ?", kb=kb)
    assert c.advice.findings[0].id == "finding-micro-batch-and-accumulation-roles"
    assert "nothing specific" not in c.advice.recommendation.rationale
    # with the numbers said, their own findings answer
    c = run_consultation("batch_size 8 and gradient_accumulation_steps 4 on 2 GPUs: what is my batch per update?", kb=kb)
    assert "finding-micro-batch-and-accumulation-roles" not in [f.id for f in c.advice.findings]


def test_the_accumulation_asked_for_a_batch_is_its_split_per_gpu(kb):
    """rq-2653 "What are the gradient-accumulate-every values for batch size 32?": the batch is the target, so the
    answer is its split - the GPU count is the question, and on one GPU micro-batch × accumulation = 32 - not "leave
    accumulation at 1"."""
    asked = "What are the gradient-accumulate-every values for batch size 32?"
    c = run_consultation(asked, kb=kb)
    assert c.wm.value("asks_accumulation_value") is True
    assert [q.id for q in c.advice.questions][:1] == ["num_gpus"]
    c = run_consultation(asked + " I train on one GPU.", kb=kb)
    assert c.wm.value("share_per_gpu") == 32
    ids = [f.id for f in c.advice.findings]
    assert "finding-share-per-gpu" in ids and "finding-accumulation-value" not in ids
    # with the micro-batch said, the question is whether to accumulate at all: the accumulation-value finding
    c = run_consultation("Batch size 8 per GPU on 4 GPUs. What value should I use for gradient_accumulation_steps?",
                         kb=kb)
    assert "finding-accumulation-value" in [f.id for f in c.advice.findings]


def test_a_preference_pair_counts_two_sequences(kb):
    """DPO runs the chosen and the rejected answer of each example: a micro-batch of b pairs has the activations of
    2b sequences (the same estimate at twice the micro-batch), so the largest micro-batch halves; KTO's examples
    are single."""
    from advisor.domain.catalogue import preset
    from advisor.domain.estimators.training import TrainingSetup, estimate_training_memory

    message = ("LoRA on llama-2-7b, single A100 80GB, per_device_train_batch_size=4, max_length=2048, bf16, AdamW, "
               "no accumulation, {}")
    paired = run_consultation(message.format("DPOTrainer"), kb=kb)
    single = run_consultation(message.format("KTOTrainer"), kb=kb)
    current = {p.id: p for p in paired.advice.plans}["current"]
    spec = preset("llama-2-7b", 2048)
    setup = TrainingSetup(precision="amp_bf16", trainable_fraction=0.01, base_bits=16, attention="flash")
    assert current.per_gpu_bytes == pytest.approx(estimate_training_memory(spec, setup).device_total(8, 1), rel=1e-6)
    assert paired.wm.value("plan_current_per_gpu") > single.wm.value("plan_current_per_gpu")


def test_the_global_batch_and_steps_per_epoch_are_answered(kb):
    """'whats my global batch and how many optimizer steps per epoch with 1.2M samples?': 16 × 2 × 8 = 256 per
    update, and ⌊⌈1.2M / (16 × 8)⌉ / 2⌋ = 4,687 updates per epoch (the Trainer's count), said as findings."""
    advice = consult("torchrun --nnodes 2 --nproc_per_node 4 train.py --per_device_train_batch_size 16 "
                     "--gradient_accumulation_steps 2 ... whats my global batch and how many optimizer steps per epoch "
                     "with 1.2M samples?", kb=kb)
    facts = {f.name: f.value for f in advice.facts}
    assert facts["effective_batch"] == 256 and facts["updates_per_epoch"] == 4687
    assert {"finding-batch-per-update", "finding-updates-per-epoch"} <= {f.id for f in advice.findings}


def test_accumulate_or_lower_the_lr_is_answered_with_the_papers_updates(kb):
    """'paper: batch 128, lr 1e-4; only 32 fits; accumulate 4 or lower the lr?': 'only 32 fits' is the largest
    micro-batch, 'accumulate 4' a plan weighed (not the run's accumulation), and the answer reproduces the paper's
    updates, 32 × 4 = 128, at its own LR."""
    c = run_consultation("paper finetunes ViT-L/16 with batch 128, lr 1e-4. on my single A100 40GB only 32 fits. "
                         "accumulate 4 or lower the lr?", kb=kb)
    assert c.wm.value("max_micro_batch") == 32 and not c.wm.known("grad_accum_steps")
    assert (c.wm.value("accum_micro_batch"), c.wm.value("accum_steps")) == (32, 4)
    assert c.advice.recommendation.option_id == "accumulate-to-target"


def test_a_process_killed_while_loading_is_the_hosts_ram(kb):
    """'process just gets "Killed" while loading, no CUDA error' on 2 GPUs with 64 GB of RAM: each process loads
    Llama-2-13B on the CPU in fp32 (2 × 13.0B × 4 B = 104 GB, twice that at the peak), more than the machine has."""
    c = run_consultation('ZeRO-3 with offload_optimizer and offload_param to cpu, Llama-2-13B full FT on 2x RTX 3090, '
                         'box has 64GB RAM. process just gets "Killed" while loading, no CUDA error', kb=kb)
    assert c.wm.value("host_load_ranks") == 2
    assert c.wm.value("host_load_bytes") == pytest.approx(2 * c.wm.value("params") * 4)
    assert "finding-process-killed" in [f.id for f in c.advice.findings]
    plain = run_consultation("Llama-2-13B full FT on 2x RTX 3090, CUDA out of memory", kb=kb)
    assert "finding-process-killed" not in [f.id for f in plain.advice.findings]


def test_matching_a_papers_batch_in_tokens_without_a_micro_batch(kb):
    """'match the Llama 2 paper: global batch 4M tokens, seq len 4096 … what micro batch / grad accum with FSDP full
    shard?' on 64 H100s: the paper's 1,024 sequences, trained at its length, reached with the largest micro-batch the
    estimate allows and accumulation (micro × steps × 64 = 1,024)."""
    c = run_consultation("Pretraining a 7B llama-style model on 64 H100s (8 nodes). Want to match the Llama 2 paper: "
                         "global batch 4M tokens, seq len 4096. What micro batch / grad accum should I use with FSDP "
                         "full shard?", kb=kb)
    assert c.wm.value("reference_batch") == 1024 and c.wm.value("seq_len") == 4096
    assert c.wm.value("parallelism") == "fsdp"
    micro, steps = c.wm.value("accum_micro_batch"), c.wm.value("accum_steps")
    assert micro * steps * 64 == 1024 and micro <= c.wm.value("plan_current_max_micro")
    assert c.advice.recommendation.option_id == "accumulate-to-target"


def test_accumulation_does_not_enlarge_a_contrastive_batch(kb):
    advice = consult("open_clip ViT-B/32 on 8x A100 80GB, batch 1024 per GPU, gradient accumulation 4 to reach the "
                     "32k batch of the CLIP paper. OOM at 2048 per GPU.", kb=kb)
    assert "finding-ga-contrastive" in [f.id for f in advice.findings]
    plain = consult("ResNet-50 on 8x A100 80GB, batch 1024 per GPU, gradient accumulation 4, grad clip 1.0", kb=kb)
    assert "finding-ga-contrastive" not in [f.id for f in plain.findings]


def test_an_oom_the_sdpa_estimate_cannot_explain_is_checked_with_eager_attention(kb):
    """RoBERTa-base at batch 32 × 512 tokens in fp16 on 12 GB: with SDPA (assumed) it fits, with eager attention
    (older transformers) the stored scores take it past the card - said, with both figures."""
    c = run_consultation("roberta-base classification on a 3060 12GB, max_length 512, batch 32, fp16. CUDA out of "
                         "memory. Is 12GB not enough for roberta base??", kb=kb)
    assert c.wm.value("plan_current_fits") and not c.wm.value("plan_current_eager_fits")
    assert c.wm.value("plan_current_eager") > 12 * 2**30 > c.wm.value("plan_current_per_gpu")
    assert "finding-oom-eager-attention" in [f.id for f in c.advice.findings]
    said = run_consultation("roberta-base on a 3060 12GB, max_length 512, batch 32, fp16, sdpa attention. CUDA out of "
                            "memory.", kb=kb)
    assert "finding-oom-eager-attention" not in [f.id for f in said.advice.findings]


def test_unsloth_means_a_fused_loss_and_checkpointing(kb):
    """'qlora llama 3.1 8b with unsloth' on a 12 GB card: Unsloth's cross-entropy never builds the fp32 logits (one
    16-bit copy, its gradient written in place) and it checkpoints the activations by default, so the plan fits (it
    did not, counted as a plain QLoRA run); a checkpoint of the unsloth organisation ('unsloth/llama-3-8b-bnb-4bit')
    says nothing of the trainer."""
    message = "have a 3060 12gb. want to qlora llama 3.1 8b with unsloth, seq 2048, batch 1, grad accum 4. will it fit"
    c = run_consultation(message, kb=kb)
    assert c.wm.value("fused_loss") is True and c.wm.value("grad_checkpointing") is True
    assert c.wm.value("logits_16bit") is True
    assert c.wm.value("plan_current_fits")
    assert {p.id: p for p in c.advice.plans}["current"].components["logits and loss"] == 2 * 2048 * 128256
    plain = run_consultation(message.replace(" with unsloth", ""), kb=kb)
    assert not plain.wm.value("plan_current_fits")
    from advisor.reading.reader import read
    assert "fused_loss" not in read("QLoRA of unsloth/llama-3-8b-bnb-4bit on a T4").values


@pytest.mark.parametrize("message, before, after, reference", [
    ("bert-base-uncased finetune on MNLI, was on 1 GPU with per_device 16 lr 2e-5. now moving to 4 GPUs DDP keeping "
     "per_device 16. should I change the LR?", 1, 4, 16),
    ("I trained on 2 GPUs with batch 32 per GPU and lr 1e-4; now I have 8 GPUs. What LR?", 2, 8, 64),
])
def test_a_gpu_count_said_before_and_now_is_a_change_whose_old_batch_the_lr_was_tuned_for(kb, message, before, after,
                                                                                            reference):
    """'was on 1 GPU … now moving to 4 GPUs': the run asked about has the new count, and the batch per update the LR
    was tuned for is the per-GPU batch over the GPUs before (the question of the scaling then has its numbers)."""
    c = run_consultation(message, answers={"grad_accum_steps": 1}, kb=kb)
    assert c.wm.value("num_gpus") == after and c.wm.value("reference_batch") == reference
    from advisor.reading.reader import read
    values = read(message).values
    assert (values["gpus_from"].value, values["gpus_to"].value) == (before, after)


def test_how_long_a_token_budget_takes(kb):
    """'10B tokens on a single H100, how long?': 6 × 494M × 10^10 FLOPs at 40% of the H100's 989 dense bf16 TFLOP/s
    is about 20.8 hours (a heuristic said as one); with 8 GPUs an eighth of it."""
    c = run_consultation("Pretraining Qwen2.5-0.5B architecture from scratch on a single H100, 10B tokens, seq 2048. "
                         "What batch size (tokens) and how long will it take?", kb=kb)
    expected = 6 * c.wm.value("params") * 10e9 / (c.wm.value("gpu_peak_tflops") * 1e12 * 0.4)
    assert c.wm.value("training_time") == pytest.approx(expected) and 20 * 3600 < expected < 22 * 3600
    assert "finding-training-time" in [f.id for f in c.advice.findings]
    eight = run_consultation("Pretraining Qwen2.5-0.5B from scratch on 8x H100, 10B tokens, seq 2048. How long?", kb=kb)
    assert eight.wm.value("training_time") == pytest.approx(expected / 8)


def test_the_fallback_asks_only_for_what_was_not_given(kb):
    advice = consult("Should I rent an A6000 or an H100?", kb=kb)
    text = advice.recommendation.rationale
    assert "the model's size and the batch size" in text and "GPU memory" not in text
    assert "your GPU memory, the model's size and the batch size" in consult("hello", kb=kb).recommendation.rationale


def test_a_full_finetune_lr_carried_to_lora_is_flagged(kb):
    """Review 9: 'Alpaca used lr 2e-5 … I'm doing LoRA … so lr 2e-5?' - the batch per update matches, but 2e-5 is
    a full fine-tuning rate: the answer says adapters train at about ten times that, not that the LR carries over.
    The same question with full fine-tuning keeps the LR."""
    lora = consult("Alpaca used batch 128, lr 2e-5, 3 epochs on 52k examples. I'm doing LoRA on Llama-3-8B on a "
                   "single RTX 4090, micro batch 2 at seq 512 fits. so grad accum 64 and lr 2e-5? how many steps per "
                   "epoch will that be?", kb=kb)
    ids = [f.id for f in lora.findings]
    assert "finding-lora-lr-from-full-finetune" in ids and "finding-same-batch-per-update" not in ids
    facts = {f.name: f.value for f in lora.facts}
    assert facts["num_gpus"] == 1 and facts["claim_run_fits"] is True  # "a single RTX 4090", "… 512 fits"
    full = consult("Alpaca used batch 128, lr 2e-5, 3 epochs on 52k examples. I'm fully fine-tuning gpt2 on a single "
                   "RTX 4090, micro batch 2 with grad accum 64. so lr 2e-5?", kb=kb)
    ids = [f.id for f in full.findings]
    assert "finding-same-batch-per-update" in ids and "finding-lora-lr-from-full-finetune" not in ids


def test_host_ram_is_read_in_binary_sizes(kb):
    """RAM is sold in binary sizes like a card: '128GB RAM' is 128 GiB, so 115.9 GB of offloaded states fit its 90%."""
    advice = consult("Mistral-7B full finetune, 4x RTX 4090, deepspeed zero2 with offload_optimizer cpu, 128GB RAM, "
                     "micro 1 seq 4096 no grad ckpt. CUDA OOM. switch to zero3?", kb=kb)
    facts = {f.name: f.value for f in advice.facts}
    assert facts["cpu_ram"] == 128 * 2**30 and facts["zero_stage"] == 2
    assert "finding-offload-exceeds-host-ram" not in [f.id for f in advice.findings]


def test_a_papers_global_batch_set_on_each_gpu_is_brought_back_to_the_papers(kb):
    """Review 9: per_device 32 on 4 GPUs 'because the RoBERTa paper says batch 32' runs 128 per update; the plan
    goes back to the paper's 32 (micro-batch 8 × 4 GPUs), the batch its LR was tuned for, and says so."""
    from advisor.consultation import run_consultation
    from advisor.shells.render import render_short

    c = run_consultation("roberta-large on 4x V100 16GB with HF Trainer, I set per_device_train_batch_size=32 because "
                         "the RoBERTa paper says batch 32 for GLUE, lr 1e-5, max_len 512. OOM. what do I do?", kb=kb)
    plan = next(p for p in c.advice.plans if p.recommended)
    assert (plan.micro_batch, plan.grad_accum_steps, plan.num_gpus, plan.effective_batch) == (8, 1, 4, 32)
    text = " ".join(render_short(c, 200).split())
    assert "the reference's 32 per update, the batch its learning rate was tuned for" in text
    assert "retune the learning rate" not in text


def test_a_gpu_count_cut_keeps_the_batch_per_update_with_accumulation(kb):
    """Review 9: 8 GPUs at 4 per GPU, 'now we only get 2 GPUs' (a `--scale_lr` flag is no plan): accumulate 4
    to keep 32 per update and the LR."""
    advice = consult("we fine-tuned SD 1.5 with diffusers train_text_to_image.py on 8x A100 at train_batch_size=4 per "
                     "gpu, lr 1e-5, no --scale_lr. now we only get 2 GPUs. keep lr 1e-5, divide it by 4, or use "
                     "gradient_accumulation_steps=4?", kb=kb)
    facts = {f.name: f.value for f in advice.facts}
    assert facts["num_gpus"] == 2 and facts["reference_batch"] == 32 and "grad_accum_steps" not in facts
    values = {e.id: e.value for e in advice.estimates}
    assert (values["accum_micro_batch"], values["accum_steps"], values["accum_effective_batch"]) == (4, 4, 32)


def test_what_batch_size_is_answered_with_the_largest_micro_batch(kb):
    """Review 9: 'what batch size?' with nothing said of the batch gets the largest micro-batch the plan fits, not
    'Nothing to change'."""
    advice = consult("single MI300X (192GB). can I full finetune llama 3 8b without deepspeed/fsdp? bf16 + adamw, "
                     "seq 4096. what batch size?", kb=kb)
    finding = next(f for f in advice.findings if f.id == "finding-largest-micro-batch-to-choose")
    largest = {e.id: e.value for e in advice.estimates}["plan_current_max_micro"]
    assert largest >= 1 and f"{largest} per GPU" in finding.title


def test_a_transformer_is_not_asked_about_batchnorm(kb):
    """Review 10: RoBERTa, T5 and Llama normalise with LayerNorm/RMSNorm, so 'Does the model use BatchNorm?' is
    never asked of a catalogue transformer; a ResNet still may be."""
    advice = consult("roberta-large on 4x V100 16GB, per_device_train_batch_size=32, 4 GPUs, grad accum 2, OOM. what "
                     "do I do?", kb=kb)
    assert "uses_batchnorm" not in [q.id for q in advice.questions]
    assert {f.name: f.value for f in advice.facts}["uses_batchnorm"] is False


def test_the_batch_planned_is_reached_with_the_micro_batch_that_works(kb):
    advice = consult("qwen2.5-0.5b full ft on my 3060 12gb bf16, seq 512: batch 32 OOMs but 8 works. what should I do?",
                     kb=kb)
    values = {e.id: e.value for e in advice.estimates}
    assert (values["accum_micro_batch"], values["accum_steps"], values["accum_effective_batch"]) == (8, 4, 32)


def test_a_warmup_ratio_is_given_in_updates(kb):
    """Review 10: '2 nodes x 8 H100 … 1.2M samples, 3 epochs … what is 3% warmup in steps?': 7,029 updates in all,
    and the Trainer's ⌈7,029 × 0.03⌉ = 211 of them warm up."""
    advice = consult('ds_config: "train_micro_batch_size_per_gpu": 4, "gradient_accumulation_steps": 8, bf16 enabled, '
                     'zero stage 3. Running on 2 nodes x 8 H100. Dataset is 1.2M samples, 3 epochs. how many optimizer '
                     'steps total and what is 3% warmup in steps?', kb=kb)
    values = {e.id: e.value for e in advice.estimates}
    assert values["total_updates"] == 7029 and values["warmup_updates"] == 211
    assert "finding-warmup-from-ratio" in [f.id for f in advice.findings]


def test_a_measured_throughput_gives_the_mfu_and_the_time_for_a_budget(kb):
    """Review 10: '~9.5k tokens/s per GPU … is that a decent MFU?' on 32 H100s is 6 × 8.03B × 9,500 / 989 TFLOP/s =
    46 %; '~150k tok/s … how long for 10B tokens' is 10e9 / 150e3 s = 18.5 h."""
    mfu = consult("Llama-3.1-8B continued pretraining on 4x8 H100 (32 GPUs), FSDP full shard, bf16, seq 8192, micro 2, "
                  "GA 4, activation checkpointing. we see ~9.5k tokens/s per GPU. is that a decent MFU?", kb=kb)
    values = {e.id: e.value for e in mfu.estimates}
    params = {f.name: f.value for f in mfu.facts}["params"]
    assert values["measured_mfu"] == pytest.approx(6 * params * 9500 / 989e12)
    assert mfu.findings[0].id == "finding-measured-utilization"
    time = consult("nanogpt-style gpt2 (124M) from scratch on one rtx 4090: batch_size=16, block_size=1024, "
                   "gradient_accumulation_steps=32. at ~150k tok/s how long for 10B tokens?", kb=kb)
    assert {e.id: e.value for e in time.estimates}["measured_time"] == pytest.approx(10e9 / 150e3)


@pytest.mark.parametrize("said, tokens", [
    ("3 epochs over 200M tokens", 600e6),
    ("a dataset of 1.5B tokens, 2 epochs", 3e9),
    ("our 50M token corpus for 4 epochs", 200e6),
    ("10B tokens", 10e9),  # a budget, not a data set: no epochs to multiply
])
def test_the_tokens_trained_on_are_the_data_sets_times_the_epochs(kb, said, tokens):
    """'3 epochs over 200M tokens at 400k tokens/s, how long?' trains on 600M tokens: 25 minutes, not the 200M
    (500 s) of one pass; a budget said as one is not multiplied."""
    c = run_consultation(f"Pretraining a 1B llama-style model on 8x H100, {said}, we get about 400k tokens/s total. "
                         "how long will it take?", kb=kb)
    assert c.wm.value("training_tokens") == pytest.approx(tokens)
    assert c.wm.value("measured_time") == pytest.approx(tokens / 400e3)


def test_a_measured_throughput_with_a_thousands_separator_is_a_run_that_fits(kb):
    """Review 11: '~3,900 tokens/s per gpu' is 3,900 (not 900 after a micro-batch of 3): 6 × 7.6B × 3,900 / 989
    TFLOP/s = 18% MFU and 50B tokens in 4.6 days; and a run measured at a throughput trains, so its unsaid
    settings are not declared out of memory."""
    c = run_consultation("continued pretraining Qwen2.5-7B on 50B tokens, 4 nodes of 8x H100, measured ~3,900 "
                         "tokens/s per gpu. how many days is that? is 3.9k tok/s/gpu bad?", kb=kb)
    params = c.wm.value("params")
    assert c.wm.value("measured_tokens_per_second") == 3900
    assert c.wm.value("measured_mfu") == pytest.approx(6 * params * 3900 / 989e12)
    assert c.wm.value("measured_time") == pytest.approx(50e9 / (3900 * 32))
    assert c.wm.value("plan_current_fits") is True
    assert "no-batch-fits" not in [f.id for f in c.advice.findings]


def test_the_findings_that_answer_the_question_lead_and_what_is_asked_is_not_asked_back(kb):
    """Review 11: 'micro batch 8 fits. what grad accum? … how long for 7B tokens and how many steps?' - the answer
    leads with the time (7e9 / (45k × 4) = 10.8 h) and the steps (7e9 / 524,288 = 13,352), recommends accumulating 8
    micro-batches (8 × 8 × 4 = 256 sequences of 2048, 524,288 tokens: 0.5M), and does not ask the user how many
    micro-batches they accumulate - their own question."""
    from advisor.shells.render import render_short

    c = run_consultation("pretraining a 350M GPT from scratch on 4x RTX 4090, bf16, seq 2048. I want ~0.5M tokens per "
                         "optimizer step like the GPT-3 paper table for that size. micro batch 8 fits. what grad accum? "
                         "at ~45k tok/s per gpu how long for 7B tokens and how many steps?", kb=kb)
    advice = c.advice
    assert [f.id for f in advice.findings[:2]] == ["finding-measured-time", "finding-steps-for-budget"]
    assert c.wm.value("steps_for_budget") == -(-7_000_000_000 // 524_288)
    # (0.5M tokens at seq 2048 is 256 sequences per update: 8 per GPU × 8 steps × 4 GPUs)
    assert c.wm.value("batch_size") == 256 and c.wm.value("target_tokens_per_step") == 524_288
    assert advice.recommendation.option_id == "accumulate-to-target" and c.wm.value("accum_steps") == 8
    assert c.wm.value("accum_micro_batch") == 8
    assert "grad_accum_steps" not in [q.id for q in advice.questions]
    short = render_short(c, 100)
    assert short.index("7B tokens take 10.8 h") < short.index("I recommend")


def test_an_answering_finding_comes_before_the_red_flags_in_the_short_answer(kb):
    """A red flag is raised, but the user asked how long: the time leads 'What I noticed'."""
    from advisor.shells.render import render_short

    c = run_consultation("Pretraining a 1B llama-style model on 8x H100, 3 epochs over 200M tokens, we get about 400k "
                         "tokens/s total. More GPUs will make it train linearly faster. how long will it take?", kb=kb)
    assert c.advice.red_flags
    noticed = render_short(c, 100).split("What I noticed:")[1].strip().splitlines()[0]
    assert "600M tokens take 25 min" in noticed


def test_more_gpus_with_the_settings_kept_is_a_run_that_fits_and_its_lr_is_answered(kb):
    """Review 11: 'went from 4x to 8x A100 80GB … kept per_device 2, GA 8, lr 1e-5 … should lr go to 2e-5 or
    1.4e-5?' - the 4-GPU run worked with these per-GPU settings, so the estimate at an assumed 4,096 tokens does not
    declare it out of memory; the Trainer's AdamW is read, and the answer is the LR for 128 from 64: ×√2 = 1.41e-5,
    swept up to the linear 2e-5."""
    c = run_consultation("went from 4x to 8x A100 80GB for Mistral-7B full SFT with FSDP, kept "
                         "per_device_train_batch_size=2, gradient_accumulation_steps=8, lr 1e-5 cosine, "
                         "warmup_steps=100. global batch doubled. should lr go to 2e-5 or 1.4e-5?", kb=kb)
    assert (c.wm.value("num_gpus"), c.wm.value("reference_batch")) == (8, 64)  # 2 × 8 × 4 before
    assert c.wm.value("optimizer") == "adamw" and c.wm.value("claim_run_fits") is True
    assert c.wm.value("plan_current_fits") is True
    assert c.advice.recommendation.option_id == "retune-lr-for-batch"
    assert "1.41e-5" in c.advice.recommendation.rationale and "2e-5" in c.advice.recommendation.rationale


@pytest.mark.parametrize("message, optimizer", [
    ("per_device_train_batch_size=4 on a 4090, Llama-3-8B LoRA", "adamw"),  # the Trainer's default
    ("SFTTrainer with a 4090, Llama-3-8B LoRA, batch 4", "adamw"),
    ("per_device_train_batch_size=4, optim=adamw_8bit, Llama-3-8B LoRA", "adamw_8bit"),  # said: kept
    ("batch 4 on a 4090, Llama-3-8B LoRA", None),  # no Trainer named: nothing assumed
])
def test_the_hugging_face_trainer_trains_with_adamw_unless_told(kb, message, optimizer):
    facts = {f.name: f.value for f in consult(message, kb=kb).facts}
    assert facts.get("optimizer") == optimizer


def test_a_measured_step_time_gives_the_throughput_the_mfu_and_the_time(kb):
    """Review 12: '8xH100, Qwen2.5-14B full SFT, zero3, seq 8192 packed, micro 1, GA 8. one optimizer step takes ~42 s.
    how many tokens/s is that, and how long for 2B tokens? is that slow?' - 1 × 8 × 8 × 8,192 = 524,288 tokens in
    42 s is 12,483 tokens/s, 2e9 / 12,483 s = 44.5 h, and 6 × 14.77B × 12,483 / (8 × 989 TFLOP/s) = 14% MFU; the
    run trains, so it is not declared out of memory, and no adapter is offered to speed up a full fine-tune."""
    c = run_consultation("8xH100 SXM, Qwen2.5-14B full SFT, deepspeed zero3, seq 8192 packed, micro 1, GA 8. one "
                         "optimizer step takes ~42 s. how many tokens/s is that, and how long for 2B tokens? is that "
                         "slow?", kb=kb)
    run = 8 * 8 * 8192 / 42
    assert c.wm.value("run_tokens_per_second") == pytest.approx(run)
    assert c.wm.value("measured_time") == pytest.approx(2e9 / run)
    assert c.wm.value("measured_mfu") == pytest.approx(6 * c.wm.value("params") * run / (8 * 989e12))
    assert [f.id for f in c.advice.findings[:3]] == ["finding-step-throughput", "finding-measured-utilization",
                                                   "finding-measured-time"]
    assert c.wm.value("plan_current_fits") is True
    assert not (c.advice.recommendation.option_id or "").startswith(("lora", "qlora"))


def test_a_data_set_in_tokens_with_epochs_and_nodes_of_eight_each(kb):
    """Review 12: 'our SFT set is 300M tokens, 2 epochs, ~2,400 tokens/s … how long and how many steps?' is 600M
    tokens: 69.4 h and 600M / (4 × 4 × 4,096) = 9,156 steps; '4 nodes (8x H100 each)' is 32 GPUs."""
    c = run_consultation("Llama-3.1-8B LoRA r=16 on 1x A100 80GB, packing on, seq 4096, per_device 4, GA 4. our SFT set "
                         "is 300M tokens, 2 epochs, trainer shows ~2,400 tokens/s. how long will it take and how many "
                         "steps?", kb=kb)
    assert c.wm.value("training_tokens") == 600e6 and c.wm.value("steps_for_budget") == 9156
    assert c.wm.value("measured_time") == pytest.approx(600e6 / 2400)
    nodes = run_consultation("we doubled from 2 to 4 nodes (8x H100 each) for Qwen2.5-7B full SFT, FSDP, "
                             "per_device_train_batch_size=4, gradient_accumulation_steps=4, seq 4096, lr 1e-5", kb=kb)
    assert nodes.wm.value("num_gpus") == 32


def test_a_frozen_base_under_adapters_counts_four_flops_per_parameter_per_token(kb):
    """Review 12: LoRA on Llama-3.1-8B at ~2,400 tokens/s on an A100 - a frozen base computes no weight gradients,
    so a token costs about 4 FLOPs per parameter (forward 2, activation gradients 2), not 6: MFU 4 × 8.03B × 2,400 /
    312 TFLOP/s, and the time at the assumed share of the peak counts 4 too."""
    c = run_consultation("Llama-3.1-8B LoRA r=16 on 1x A100 80GB, seq 4096, per_device 4, GA 4. our SFT set is 300M "
                         "tokens, 2 epochs, trainer shows ~2,400 tokens/s. how long will it take?", kb=kb)
    params, peak = c.wm.value("params"), c.wm.value("gpu_peak_tflops") * 1e12
    assert c.wm.value("measured_mfu") == pytest.approx(4 * params * 2400 / peak)
    assert c.wm.value("training_time") == pytest.approx(4 * params * 600e6 / (peak * c.wm.value("training_mfu")))


def test_convnext_is_not_asked_about_batchnorm(kb):
    """Review 12: ConvNeXt normalises with LayerNorm, so 'Does the model use BatchNorm?' is not asked (a ResNet still
    is, where the per-GPU batch decides its statistics)."""
    convnext = consult("ConvNeXt-B on ImageNet-1k from scratch, the paper used batch 4096 with lr 4e-3. I have 4x A100 "
                       "80GB and 256 per gpu fits with AMP. grad accum 4 to hit 4096?", kb=kb)
    assert {f.name: f.value for f in convnext.facts}["uses_batchnorm"] is False
    assert "uses_batchnorm" not in [q.id for q in convnext.questions]


def test_a_reference_batch_in_sequences_of_a_length_gives_the_steps(kb):
    """Review 12: 'T5-large … 8x A100 40GB DDP, input 512 target 114, per gpu 32 fits. T5 paper used 128 seqs x 512
    = 65k tokens per batch. do I even need grad accum? how many steps for 10B tokens?' - 8 × 32 × 512 = 131,072
    tokens per step, 10B / 131,072 = 76,294 steps; the paper's 128 sequences are reached by 16 per GPU on 8 GPUs,
    with no accumulation."""
    c = run_consultation("T5-large span-corruption continued pretraining on 8x A100 40GB DDP, bf16, adafactor, input "
                         "512 target 114, per gpu 32 fits. T5 paper used 128 seqs x 512 = 65k tokens per batch. do I "
                         "even need grad accum? how many steps for 10B tokens?", kb=kb)
    assert c.wm.value("seq_len") == 512 and c.wm.value("reference_batch") == 128
    assert c.wm.value("steps_for_budget") == 76294
    option = c.advice.option(c.advice.recommendation.option_id)
    assert (option.settings.micro_batch, option.settings.grad_accum_steps) == (16, 1)


def test_grpo_counts_its_batch_in_completions(kb):
    """Review 12: 'GRPO with trl on Qwen2.5-7B-Instruct, 8x H100, zero3, vllm for generation on one of the gpus so 7
    training procs, per_device_train_batch_size=8, num_generations=8, GA 2 … how many prompts per optimizer step?
    and is 8 per device going to OOM' - 8 × 2 × 7 = 112 completions, 8 per prompt: 14 prompts; the OOM is asked
    about, not seen; a batch that is no whole number of groups is named (TRL refuses it)."""
    c = run_consultation("GRPO with trl on Qwen2.5-7B-Instruct, 8x H100, zero3, vllm for generation on one of the gpus "
                         "so 7 training procs, per_device_train_batch_size=8, num_generations=8, GA 2, "
                         "max_completion_length 1024. how many prompts per optimizer step? and is 8 per device going "
                         "to OOM", kb=kb)
    assert c.wm.value("num_gpus") == 7 and c.wm.value("effective_batch") == 112
    assert c.wm.value("grpo_prompts") == 14 and c.wm.value("grpo_batch_divisible") is True
    assert c.wm.value("oom") is False
    assert "finding-grpo-prompts" in [f.id for f in c.advice.findings]
    odd = run_consultation("GRPO on 3 GPUs, per_device_train_batch_size=2, num_generations=4, GA 1, Qwen2.5-1.5B",
                           kb=kb)
    assert odd.wm.value("grpo_batch_divisible") is False
    assert odd.advice.findings[0].id == "finding-grpo-not-divisible"


def test_a_vit_at_its_image_size_and_the_users_batch_per_update_split_to_fit(kb):
    """Review 12: 'ViT-H/14 finetune on ImageNet at 336px … 8x A100 80GB, bf16 amp, adamw. what per gpu batch fits?
    want global 512' - at 336 px ViT-H/14 has (336 / 14)² + 1 = 577 tokens (not the 518 px checkpoint's 1,370), so
    the analytic estimate and the plan search agree, and 512 on 8 GPUs is 64 per GPU with no accumulation."""
    c = run_consultation("ViT-H/14 finetune on ImageNet at 336px from the laion CLIP weights, 8x A100 80GB, bf16 amp, "
                         "adamw, layer decay. what per gpu batch fits? want global 512", kb=kb)
    assert c.wm.value("batch_size") == 512
    assert c.wm.value("preset_max_micro_batch") == c.wm.value("plan_current_max_micro") >= 64
    option = c.advice.option(c.advice.recommendation.option_id)
    assert (option.settings.micro_batch, option.settings.grad_accum_steps, option.settings.num_gpus) == (64, 1, 8)


def test_the_steps_a_run_is_set_to_take_give_its_tokens_time_and_someone_elses_run_stays_theirs(kb):
    """Review 13: 'one RTX 4090. How long would it take to pretrain GPT-2 124M with nanoGPT's default train.py
    (batch_size 12, block_size 1024, gradient_accumulation_steps 40, max_iters 600000)? Karpathy's run took about 4
    days on 8x A100.' - 600,000 × 12 × 40 × 1,024 = 294.9B tokens, 6 × 124.4M × 294.9B = 2.2e20 FLOPs; the 8 GPUs
    are Karpathy's; the card's peak (165.2 dense TFLOP/s with FP32 accumulate, the Ada whitepaper) at the assumed
    40% utilisation gives the time: 2.2e20 / (0.4 × 165.2e12) ≈ 38.6 days."""
    c = run_consultation("I have one RTX 4090. How long would it take to pretrain GPT-2 124M with nanoGPT's default "
                         "train.py on OpenWebText (batch_size 12, block_size 1024, gradient_accumulation_steps 40, "
                         "max_iters 600000)? Karpathy's run took about 4 days on 8x A100.", kb=kb)
    assert c.wm.value("num_gpus") == 1 and c.wm.value("micro_batch") == 12 and c.wm.value("planned_steps") == 600000
    assert c.wm.value("training_tokens") == 600000 * 12 * 40 * 1024
    flops = 6 * c.wm.value("params") * 600000 * 12 * 40 * 1024
    assert c.wm.value("training_time") == pytest.approx(flops / (0.4 * 165.2e12))
    assert c.advice.findings[0].id == "finding-training-time"  # it answers the time asked
    # a card with no peak in the catalogue leaves the time to a measured throughput, with the compute said
    other = run_consultation("I have one RTX 3080. How long would it take to pretrain GPT-2 124M with nanoGPT "
                             "(batch_size 12, block_size 1024, gradient_accumulation_steps 40, max_iters 600000)?",
                             kb=kb)
    assert other.wm.value("training_flops") == pytest.approx(6 * other.wm.value("params") * 600000 * 12 * 40 * 1024)
    assert other.advice.findings[0].id == "finding-training-flops"


def test_a_run_said_to_fit_over_the_count_names_the_largest_part_not_your_plan_fits(kb):
    """Review 13: Qwen2.5-1.5B at 16 × 16,384 tokens per GPU with checkpointing and bf16 'runs at about 50GB per
    GPU': the count (one fp32 logits copy alone is 16 × 16,384 × 151,936 × 4 B) is far over the card, so the answer
    names the logits as the part a run that fits cannot hold - and does not also say 'your plan fits the card'."""
    c = run_consultation("SFT of Qwen2.5-1.5B-Instruct on 8x H100 with deepspeed zero3, packing, max_seq_length 16384, "
                         "per_device_train_batch_size 16, gradient_checkpointing, bf16, lr 1e-5. It runs at about 50GB "
                         "per GPU. Is 16 x 16384 really fitting?", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert "plan-estimate-above-a-run-that-fits" in ids and "plan-fits" not in ids
    assert c.wm.value("plan_current_largest").startswith("logits")
    assert "checkpointing" not in c.wm.value("plan_current_assumed")


def test_an_r1_distill_is_its_base_and_llama_factory_checkpoints_by_default(kb):
    """Review 13: 'full SFT of DeepSeek-R1-Distill-Qwen-32B on 7x A800 80GB with LLaMA-Factory, zero3, cutoff_len
    1024, per_device 1, GA 2, bf16 … why does it OOM?' - the distill has Qwen2.5-32B's shapes; LLaMA-Factory
    checkpoints the activations unless told not to; 16 B × 32.76B / 7 GPUs of states leave too little of 80 GiB."""
    c = run_consultation("full SFT of DeepSeek-R1-Distill-Qwen-32B on 7x A800 80GB with LLaMA-Factory, deepspeed "
                         "ds_z3_config (zero3, no offload), cutoff_len 1024, per_device_train_batch_size 1, "
                         "gradient_accumulation_steps 2, bf16. why does it OOM?", kb=kb)
    assert c.wm.value("model_preset") == "qwen2.5-32b" and c.wm.value("grad_checkpointing") is True
    assert c.wm.value("plan_current_fits") is False
    off = run_consultation("full SFT of Qwen2.5-7B with LLaMA-Factory, disable_gradient_checkpointing: true, on 8x "
                           "A100", kb=kb)
    assert off.wm.value("grad_checkpointing") is False


def test_an_oom_under_the_count_is_too_close_to_fit_not_over_the_card(kb):
    """Review 13: 'does not fit: needs 68.49 GiB of 80' read as a contradiction - an OOM where the count stays under
    the card is named as too close to fit, with the count, and 'does not fit the card' is kept for counts over it."""
    c = consult("QLoRA on Vicuna 7B on a T4 16GB keeps hitting CUDA out of memory, MICRO_BATCH_SIZE = 4, CUTOFF_LEN = "
                "256", kb=kb)
    ids = [f.id for f in c.findings]
    assert "plan-oom-near-the-count" in ids and "plan-does-not-fit" not in ids
    # (with a 16-bit base the count itself is over the card: 14 GB of weights and the activations of 4 × 256 tokens)
    over = consult("LoRA on Vicuna 7B on a T4 16GB keeps hitting CUDA out of memory, MICRO_BATCH_SIZE = 4, CUTOFF_LEN = "
                   "256", kb=kb)
    ids = [f.id for f in over.findings]
    assert "plan-does-not-fit" in ids and "plan-oom-near-the-count" not in ids


def test_tensor_and_pipeline_parallel_gpus_share_one_copy_and_the_users_throughput_is_theirs(kb):
    """Review 13: 'LLaMA 13B with NeMo on 8x A100 80GB, TP 4, PP 1, micro_batch_size 1, global_batch_size 32 …
    NVIDIA's blog says 2357 tokens/s/GPU but I only get under 1900' - TP 4 × PP 1 leaves 2 GPUs in data parallel,
    so 32 = 1 × 16 × 2 (not 1 × 4 × 8); the MFU is the user's 1,900 tokens/s, not the blog's; the model states split
    over the 4 GPUs of one copy; 'TP8 PP8 DP2' is read glued."""
    c = run_consultation("pretraining LLaMA 13B with NeMo 23.08 on 8x A100 80GB, TP 4, PP 1, micro_batch_size 1, "
                         "global_batch_size 32, sequence parallel, selective activation checkpointing, bf16, adamw. "
                         "NVIDIA's blog says 2357 tokens/s/GPU but I only get under 1900 tokens/s/GPU. How much memory "
                         "per GPU, and what am I missing?", kb=kb)
    assert c.wm.value("num_gpus") == 2 and c.wm.value("grad_accum_steps") == 16
    assert c.wm.value("measured_tokens_per_second") == 1900
    assert c.wm.value("model_parallel_states") == pytest.approx(c.wm.value("states_user") / 4)
    assert not c.wm.known("plan_current_fits")  # (the plan search does not model TP/PP: no verdict from it)
    megatron = read_message(kb, "Megatron-LM 70B llama on 128 H100 with TP8 PP8 DP2 and full activation recompute")
    assert megatron["num_gpus"][0] == 2 and megatron["model_parallel_gpus"][0] == 64
    # review 51 #12 (ColossalAI, no card said): the memory a plan "needs on one GPU" is no figure for a copy split
    # over TP 8 - the card is asked instead of claiming 1,779 GiB per GPU
    c = run_consultation("How to run llama2 70B pretrain on 32gpus? I got OOM error. hybrid_parallel with tp=8, pp=1, "
                         "microbatch_size=1, precision=fp16", kb=kb)
    assert c.wm.value("model_parallel_gpus") == 8 and not c.wm.known("plan_memory_needed")
    assert "finding-no-single-gpu-holds-it" not in [f.id for f in c.advice.findings]


def test_an_epochs_time_gives_the_samples_per_second_of_a_known_data_set(kb):
    """Review 13: 'LambdaResNet50 on ImageNet on 8 V100s, and one epoch takes ~3 hours … The author says ~1 hour per
    epoch' - ImageNet's training split is 1,281,167 images: 1,281,167 / 10,800 s = 118.6 images/s, 14.8 per GPU (the
    user's epoch, not the author's)."""
    c = run_consultation("training LambdaResNet50 on ImageNet on 8 V100s, and one epoch takes ~3 hours, which seems "
                         "like a lot. The author says ~1 hour per epoch on 8 V100s. What throughput should I expect?",
                         kb=kb)
    assert c.wm.value("dataset_size") == 1_281_167 and c.wm.value("epoch_seconds") == 3 * 3600
    assert c.wm.value("epoch_samples_per_second_per_gpu") == pytest.approx(1_281_167 / 10_800 / 8)
    assert c.advice.findings[0].id == "finding-epoch-throughput"
    said = run_consultation("ResNet-50 on a 20k-image subset of ImageNet, 8 GPUs, 10 minutes per epoch", kb=kb)
    assert not said.wm.known("dataset_size") or said.wm.value("dataset_size") != 1_281_167  # a subset is not
    own = run_consultation("ResNet-50 on ImageNet (my copy has 1,200,000 images), 8 GPUs, 2 h per epoch", kb=kb)
    assert own.wm.value("dataset_size") == 1_200_000  # a size said outranks the data set's


def test_batch_one_on_several_gpus_is_per_device_and_states_that_fit_sharded_are_not_blamed(kb):
    """Review 13: full DPO of a 7B model on 8x A40 with ZeRO-3 'OOM even with batch size 1' - batch 1 is per
    device; 16 B × 7.24B / 8 plus the sharded reference and a 2 × 1,024-token pair is about 20 GiB of 48, so the
    states are not what ran out ('batch size is not the lever when the model states do not fit' is not said)."""
    c = run_consultation("full DPO of zephyr-7b-sft-full (Mistral 7B) with the alignment-handbook recipe (max_length "
                         "1024, bf16, gradient checkpointing) on 8x A40 46GB using the deepspeed_zero3 accelerate "
                         "config. OOM even with batch size 1. how can I make full DPO fit?", kb=kb)
    assert c.wm.value("micro_batch") == 1 and c.wm.value("num_gpus") == 8
    assert c.wm.value("plan_current_per_gpu") < 0.5 * c.wm.value("gpu_memory")
    ids = [f.id for f in c.advice.red_flags] + [f.id for f in c.advice.findings]
    assert "rf-batch-one-fits" not in ids and "plan-fits-but-oom" in ids
    alone = consult("OOM even with batch size 1 fine-tuning Llama-2-13B full on a single A100 80GB", kb=kb)
    assert "rf-batch-one-fits" in [f.id for f in alone.red_flags]  # there the states do not fit


def test_ultralytics_batch_is_the_total_over_the_gpus(kb):
    """Review 13: 'YOLOv5 training on 4 GPUs with DDP, so the total batch is 4x bigger than single GPU. The linear
    scaling rule says multiply the LR by 4. Should I do this manually?' - YOLOv5's --batch-size is the total over
    all GPUs (split batch // WORLD_SIZE) and is accumulated to a nominal 64: the premise is wrong, keep lr0."""
    advice = consult("YOLOv5 training on 4 GPUs with DDP, so the total batch is 4x bigger than single GPU. The linear "
                     "scaling rule says multiply the LR by 4. Should I do this manually or is it handled "
                     "automatically?", kb=kb)
    assert advice.findings[0].id == "finding-ultralytics-batch"
    assert "finding-ultralytics-batch" not in [f.id for f in consult("ResNet-50 on 4 GPUs with DDP, batch 256, lr "
                                                                     "0.1. Scale the LR by 4?", kb=kb).findings]


def test_the_failing_length_of_a_run_that_works_shorter_is_checked_and_ones_are_not_confirmed(kb):
    """Review 13: 'QLoRA on Qwen2.5-72B … single A800 80GB, batch 1. 24k context trains fine but 32k context OOMs' -
    the plan checked is the 32k one, not confirmed as fitting (the run that works is the other length), and 'Yes: 1 ×
    1 × 1 = 1 per update' is no answer to anything. Unsloth's checkpoints wait in CPU RAM and its loss keeps 16-bit
    logits (review 84 #13): the count at 32k is near the card, over it only by what the OOM says."""
    c = run_consultation("QLoRA on Qwen2.5-72B (unsloth Qwen2.5-72B-bnb-4bit), LoRA r=16, use_gradient_checkpointing="
                         "\"unsloth\", single A800 80GB, batch 1. 24k context trains fine but 32k context OOMs. why "
                         "can't I do 32k?", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert c.wm.value("seq_len") == 32768 and c.wm.value("plan_current_fits") is False
    assert ids[0] == "finding-longer-than-the-length-that-fitted"
    assert 0.85 < c.wm.value("plan_current_per_gpu") / c.wm.value("gpu_memory") < 1.1
    assert "finding-effective-batch-as-said" not in ids


def test_a_run_said_to_train_is_not_called_fitting_over_the_card_and_its_micro_batch_fits(kb):
    """Review 14 #13: TinyLlama on two 4090s runs at per-GPU batch 3 (about 21 GB) where the estimate counts more
    than the card. The verdict says it runs as the user says and that the estimate overstates it, and the largest
    micro-batch is at least the one that runs - not 'fits: 26 GiB of 24' beside 'largest micro-batch 2'."""
    c = run_consultation("TinyLlama (1.1B) pretraining on 2x RTX 4090, per-GPU batch 3, gradient accumulation 4, "
                         "about 21 GB per GPU. DeepSpeed ZeRO-2 gives 1.8k tokens/s. How can I improve throughput?",
                         kb=kb)
    per_gpu, card = c.wm.value("plan_current_per_gpu"), c.wm.value("gpu_memory")
    assert per_gpu > card  # the estimate's assumptions (length, precision) overstate this run
    said = {e.id: e.formula for e in c.advice.estimates}
    assert c.wm.value("plan_current_fits") is True
    assert said["plan_current_fits"].startswith("runs, as you say") and "overstates your run" in said["plan_current_fits"]
    assert c.wm.value("plan_current_max_micro") == 3 and "what you say runs" in said["plan_current_max_micro"]


def test_one_samples_activations_are_counted_where_the_optimizer_step_peaks(kb):
    """Review 14 #17: BERT-base at 128 tokens on one V100 - at micro-batch 1 the peak is the optimizer step, where
    no activation is alive; one sample still costs its activations (the user measured about 78 MB a sample)."""
    c = run_consultation("Pretraining BERT-base with DeepSpeed on a single V100 32GB, sequence length 128, Adam, "
                         "lr 1e-4, no gradient accumulation. A micro-batch of 256 per GPU does not OOM: memory is "
                         "about 8 GB at 64, 13 GB at 128 and 23 GB at 256. Is this expected?", kb=kb)
    sample = c.wm.value("plan_at_one_sample")
    assert 60e6 < sample < 100e6, sample
    assert not c.wm.known("plan_current_cpu") and not c.wm.known("plan_best_cpu")  # nothing offloaded: no RAM line


ALPACA_ETA = ("One RTX 3090, alpaca-lora finetune.py on llama-7b-hf with the ~52k Alpaca dataset: num_epochs 10, "
              "cutoff_len 512, LoRA r=16 on q_proj,k_proj,v_proj,o_proj, micro_batch_size 8, the rest default "
              "(batch_size 128, base loaded in 8-bit). The progress bar estimates 88 hours. Is this normal?")


def test_a_runs_time_is_read_per_update_and_the_run_is_not_called_too_big(kb):
    """Review 14 #02: the defaults the user keeps are theirs (batch_size 128 over micro 8 is 16 accumulation steps,
    worked out, not confirmed as their arithmetic); 10 epochs of 52k at 128 are 4,060 updates, and 88 hours is
    78 s an update, 1.64 samples/s; a run with a progress bar trains, so no 'does not fit'; the next step times
    updates, not memory."""
    c = run_consultation(ALPACA_ETA, kb=kb)
    assert c.wm.value("batch_size") == 128 and c.wm.value("grad_accum_steps") == 16 and c.wm.value("dataset_size") == 52_000
    assert c.wm.value("total_updates") == 4060 and c.wm.value("current_duration") == 88 * 3600
    assert c.wm.value("run_seconds_per_update") == pytest.approx(88 * 3600 / 4060)
    assert c.wm.value("run_samples_per_second") == pytest.approx(520_000 / (88 * 3600))
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-run-pace" and "finding-effective-batch-as-said" not in ids
    assert "plan-does-not-fit" not in ids and c.wm.value("plan_current_fits") is True
    assert c.advice.measure[0].id == "measure-time-per-update"


def test_a_failing_runs_data_set_outranks_the_one_that_ran(kb):
    """'It ran properly with ~400k sentence pairs; I added more data, now ~2000k, and it doesn't run': the data set
    of the run that fails is the one asked about; an epoch's time is no run's time."""
    c = run_consultation("single 16gb gpu. It ran properly with ~400k sentence pairs; I added more data, now ~2000k "
                         "sentence pairs, and it doesn't run. Should I go multi-gpu?", kb=kb)
    assert c.wm.value("dataset_size") == 2_000_000
    epoch = run_consultation("ResNet-50 on ImageNet on 8 V100s, one epoch takes ~3 hours. Normal?", kb=kb)
    assert epoch.wm.value("epoch_seconds") == 3 * 3600 and not epoch.wm.known("current_duration")


def test_a_runs_time_without_its_epochs_is_per_update_of_one_epoch_and_asks_the_epochs(kb):
    """Review 14 #07: 2 million examples at batch 16 are 125,000 updates an epoch; '400-500 hours' is 14.4 s an
    update if it is one epoch - the epochs decide whether that is normal, so they are asked first."""
    message = ("Fine-tuning LLaMA3-8B on the IEPile dataset (about 2 million examples) with 4-bit QLoRA on one A800 "
               "80GB, batch_size 16, other settings default. The estimated training time shows 400-500 hours. Is "
               "that normal, and how can I shorten it?")
    c = run_consultation(message, kb=kb)
    assert c.wm.value("current_duration") == 500 * 3600 and c.wm.value("updates_per_epoch") == 125_000
    assert c.wm.value("run_seconds_per_update_one_epoch") == pytest.approx(14.4)
    assert c.advice.findings[0].id == "finding-run-pace-epochs-unsaid"
    assert c.advice.questions[0].id == "epochs"
    three = run_consultation(message, answers={"epochs": 3}, kb=kb)  # 375,000 updates: 4.8 s each
    assert three.wm.value("run_seconds_per_update") == pytest.approx(4.8)


def test_the_time_per_step_at_two_batches_gives_the_samples_per_second_each(kb):
    """Review 14 #27: 'batch size 1 runs at 6.5 s/it, but batch size 4 takes 22 s/it' - 4 samples in 22 s is
    0.182 samples/s against 0.154: 1.18× for 4× the batch, a GPU already busy at batch 1 (not a slowdown)."""
    c = run_consultation("Flux LoRA with ai-toolkit's default config on an A40 48GB: batch size 1 runs at 6.5 s/it, "
                         "but batch size 4 takes 22 s/it. Why does a bigger batch increase time per iteration that "
                         "much?", kb=kb)
    assert c.wm.value("step_seconds_by_batch") == [[1, 6.5], [4, 22.0]]
    assert c.wm.value("batch_speedup_gain") == pytest.approx((4 / 22) / (1 / 6.5))
    assert c.advice.findings[0].id == "finding-batch-time-grows-with-batch"
    faster = run_consultation("bs 8: 1.0 s/it, bs 32: 2.0 s/it. Should I keep 32?", kb=kb)
    assert faster.wm.value("batch_speedup_gain") == pytest.approx(2.0)
    assert "finding-batch-speeds-up" in [f.id for f in faster.advice.findings]


def test_memory_the_advice_computes_is_shown_in_gib_the_unit_of_the_card(kb):
    """Review 15: '140.75 GB per GPU … the card has 141 GiB' compared one quantity in two units. A card's memory
    is read and shown in GiB, so every memory the advice computes is printed in GiB too (a figure printed to two
    decimals in GB is the advice's own, not the user's words)."""
    import re

    import yaml

    from advisor.shells.render import render_text
    from tests.corpus.score import CORPUS

    messages = yaml.safe_load(CORPUS.read_text())["messages"][::20]
    checked = 0
    for m in messages:
        text = render_text(consult(m["message"], kb=kb), kb, width=10_000)
        checked += "GiB" in text
        assert not re.search(r"\d\.\d\d GB\b", text), m["id"]
    assert checked > 20  # (most of these answers print memory)


def test_a_run_that_trained_steps_before_its_oom_is_not_called_too_big(kb):
    """Review 15 #04: DPO of Llama 3.1 8B on 8 H20s 'reaches step 26/150 and then hits OOM': 25 steps held the
    model states, so a count over the card (states replicated, an assumed length) has assumed what the run does
    not do - said so, with no 'does not fit' verdict and no 'what ran out is outside my count'."""
    c = run_consultation("I use the recommended setting to train DPO on Llama 3.1 8B with 8 H20 GPUs on one node: "
                         "policy.train_global_batch_size=256 cluster.gpus_per_node=8. Training reaches step 26/150 "
                         "and then hits torch.OutOfMemoryError in loss.backward(). Why does it OOM only after 25 "
                         "steps?", kb=kb)
    assert c.wm.value("plan_current_per_gpu") > c.wm.value("gpu_memory")
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "plan-estimate-above-a-run-that-trained" and "finding-oom-at-a-fixed-step" in ids
    assert not {"plan-does-not-fit", "plan-fits-but-oom", "finding-oom-eager-attention"} & set(ids)
    said = {e.id: e.formula for e in c.advice.estimates}
    assert said["plan_current_fits"].startswith("trains until the step that fails")


def test_the_time_of_an_epoch_gives_the_time_of_the_run(kb):
    """Review 15 #24: '22 hours per epoch … 25 epochs means close to a month' - 25 × 22 h = 550 h, said with the
    levers, and the next step times the updates."""
    c = run_consultation("When I post-train BERT_FP on the Ubuntu dataset it takes 22 hours per epoch (Iteration: "
                         "81865/81865 [22:53:38, 1.01s/it]), so 25 epochs means close to a month. Is this normal?",
                         kb=kb)
    assert c.wm.value("run_time_from_epochs") == pytest.approx(25 * 22 * 3600)
    assert c.advice.findings[0].id == "finding-run-time-from-epochs"
    assert c.advice.measure[0].id == "measure-time-per-update"


def test_no_verdict_contradicts_its_number_for_a_model_without_an_activation_count(kb):
    """Review 16 #23: SDXL fine-tuning on a 4090 that runs (1.2 s/it, 3.5-4 hours an epoch). Its states alone count
    over the card, so 'your model states fit: 43.96 GiB of 23.99 GiB' is wrong: the run holds less than the count.
    Nor is 'memory does not depend on the length' said of a model whose activations are not counted - and, the
    question being the speed's and the message saying nothing of memory, my count above the card is no finding."""
    c = run_consultation("I'm fine-tuning SDXL Base 1.0 on an RTX 4090 with OneTrainer's default config. About 8K "
                         "images, train data type bfloat16. Speed is about 1.16-1.20 s/it, which takes 3.5-4 hours "
                         "per epoch, and the config has 200 epochs. Are those reasonable numbers?", kb=kb)
    assert c.wm.value("plan_current_per_gpu") > c.wm.value("gpu_memory")
    ids = [f.id for f in c.advice.findings]
    assert "plan-estimate-above-a-run-that-fits" not in ids and "plan-states-fit" not in ids
    assert c.wm.value("plan_count_within_card") is False  # (the count's key figure says so, where it is printed)
    assert not c.wm.known("plan_seq_matters") and not c.wm.value("plan_activations_modelled")


def test_an_optimizer_named_outside_the_estimates_is_not_asked_again(kb):
    """Review 15 #16: an optimizer the estimates have no state size for ('--optimizer muon') is said: they count
    AdamW's states and say so - and 'Which optimizer do you use?' is not asked."""
    c = run_consultation("train_dreambooth_lora_flux.py with FLUX.1-dev, --mixed_precision bf16, --resolution 512, "
                         "--optimizer muon, --train_batch_size 2, on an 80GB A100: CUDA out of memory", kb=kb)
    assert c.wm.value("optimizer_named") == "muon" and not c.wm.known("optimizer")
    assert "optimizer" not in [q.id for q in c.advice.questions]
    assert "AdamW's states for your muon" in c.wm.value("plan_current_assumed")


@pytest.mark.parametrize("optimizer, state", [("prodigy", 16), ("adam_mini", 4), ("schedule_free_adamw", 8)])
def test_optimizers_beyond_adam_have_their_own_state_size(kb, optimizer, state):
    """Review 16 #08/#13: Prodigy keeps four fp32 tensors per parameter (two moments, p0, s), Adam-mini one moment
    (its second moments are per block), schedule-free AdamW two (z and the second moment): a full fp32 run of a
    1B model counts 4 + 4 + that, and the consultation's plan uses the same state."""
    from advisor.domain.estimators.memory import bytes_per_param
    assert bytes_per_param("fp32", optimizer)[0] == 8 + state
    name = {"prodigy": "Prodigy", "adam_mini": "Adam-mini", "schedule_free_adamw": "AdamWScheduleFree"}[optimizer]
    c = run_consultation(f"Full fine-tuning of a 1B model in fp32 with {name} on one 24GB GPU: how much memory do "
                         "the model states take?", kb=kb)
    assert c.wm.value("optimizer") == optimizer
    assert c.wm.value("states_user") == pytest.approx(1e9 * (8 + state))
    assert c.wm.value("plan_current_per_gpu") >= c.wm.value("states_user")


def test_an_oom_after_hundreds_of_steps_is_one_at_a_step(kb):
    """Review 16 #09: 'after several hundred steps (around step 800) it runs out of memory' is an OOM at a point in
    training, which that step's batch explains - not the model states."""
    c = run_consultation("I'm LoRA fine-tuning chatglm2-6b on two 3090s with batch_size 14. At the start each card "
                         "only uses 18 GB, but after several hundred steps (around step 800) it runs out of memory. "
                         "Why does memory keep growing?", kb=kb)
    assert c.wm.value("oom_at_fixed_step") is True
    assert "finding-oom-at-a-fixed-step" in [f.id for f in c.advice.findings]


def test_a_time_for_a_number_of_steps_gives_the_time_of_the_run(kb):
    """'1000 steps took 25 minutes … how long for 50k steps?': 1.5 s an update, 50,000 × 1.5 s = 20.8 h (not
    '1250 min'), said first with its levers."""
    c = run_consultation("On 8 A100s, 1000 steps took 25 minutes with batch 64. How long for 50k steps?", kb=kb)
    assert c.wm.value("step_seconds") == pytest.approx(1.5)
    assert c.wm.value("run_time_from_steps") == pytest.approx(75_000)
    first = c.advice.findings[0]
    assert first.id == "finding-run-time-from-steps" and first.title == "50k updates at 1.5 s each take 20.8 h"


def test_the_updates_a_data_set_makes_times_a_measured_step(kb):
    """'120,000 examples with batch 32 for 3 epochs … 100 iterations take 55 seconds': the data set and the batch
    are both read (the batch named after the data set is not the data set's), 11,250 updates × 0.55 s = 1.7 h."""
    c = run_consultation("I fine-tune bert-base on 120,000 examples with batch 32 for 3 epochs on a T4; 100 "
                         "iterations take 55 seconds. How long will the whole run take?", kb=kb)
    assert c.wm.value("dataset_size") == 120_000 and c.wm.value("batch_size") == 32
    assert c.wm.value("step_seconds") == pytest.approx(0.55)
    assert c.wm.value("run_time_from_steps") == pytest.approx(11_250 * 0.55)
    assert "finding-run-time-from-steps" in [f.id for f in c.advice.findings]


def test_a_total_the_user_worked_out_is_the_token_budget(kb):
    """Review 16 #21: '37.8 seconds to run 100 iterations … 1B tokens x 8 epochs = 8B tokens': a step of 0.378 s
    and a budget of 8B tokens (the total after '=', not its first factor)."""
    found = read_message(kb, "In my experience it is hard to train a 1.5B model on 1B tokens in 8 hours: on an L40 "
                             "48G it takes 37.8 seconds to run 100 iterations, which is 100 x 4096 = 409,600 tokens, "
                             "so 1B tokens x 8 epochs = 8B tokens would take much longer than 8 hours.")
    assert found["step_seconds"][0] == pytest.approx(0.378)
    assert found["token_budget"][0] == 8e9
    assert "current_duration" not in found


def test_a_time_question_on_a_card_named_without_its_size_gets_the_time(kb):
    """Review 17 (probe): 'How long will training take: 12B model, 8x A100, 15M training tokens?' - the A100's two
    sizes share one peak (312 TFLOP/s), so the time is computed: 6 × 12B × 15M / (8 × 312T × 40%) = 18 min."""
    c = run_consultation("How long will training take: 12B model, 8x A100, 15M training tokens?", kb=kb)
    assert c.wm.value("gpu_peak_tflops") == 312 and c.wm.value("token_budget") == 15e6
    assert c.wm.value("training_time") == pytest.approx(6 * 12e9 * 15e6 / (8 * 312e12 * 0.4))
    assert c.advice.findings[0].title == "About 18.0 min for 15M tokens"


def test_what_a_script_assumes_is_no_change_of_the_users_gpus(kb):
    """Review 17 #06: '2 nodes, each having 8 A100 (40GB) … the multi-node LoRA script works for 7B but seems to
    assume all layers fit on one GPU … can I distribute all layers across the 16 GPUs?' - the script's one GPU is
    no run of the user's moved to 16 (so no 'your run fits' beside 310 GiB a GPU), and the answer is to shard the
    70B model over the 16 GPUs."""
    c = run_consultation("I want to finetune llama2 70b with my own dataset on a slurm cluster with 2 nodes, each "
                         "having 8 A100 (40GB). My context is relatively long so I want max length 4096. What is the "
                         "best practice to finetune with LoRA (not QLoRA) with batch_size 1 and bf16? The multi-node "
                         "LoRA script works for 7B but seems to assume all layers fit on one GPU or one node. Can I "
                         "distribute all layers evenly across the 16 GPUs on two nodes?", kb=kb)
    assert c.wm.value("num_gpus") == 16 and not c.wm.value("claim_run_fits")
    ids = [f.id for f in c.advice.findings]
    assert "plan-estimate-above-a-run-that-fits" not in ids and "plan-does-not-fit" in ids
    assert c.advice.recommendation is not None and "zero-3" in c.advice.recommendation.option_id


def test_asking_whether_two_cards_will_do_gets_that_memory_does_not_pool(kb):
    """Review 17 #07: 'needs about 42GB … if I use two 24GB GPUs, will that work?' - two cards read, the belief that
    their memory adds up countered, and a sharded plan over the two offered."""
    c = run_consultation("Full-parameter fine-tuning of Whisper large-v2 needs about 42GB of GPU memory. If I use "
                         "two 24GB GPUs, will that work?", kb=kb)
    assert c.wm.value("num_gpus") == 2 and c.wm.value("claim_gpu_memory_adds_up") is True
    assert "rf-gpu-memory-pools" in [f.id for f in c.advice.red_flags]
    assert "zero" in c.advice.recommendation.option_id


GRPO_ON_FOUR_H20 = ("I want to use the GRPO algorithm to train Qwen7B (Qwen2.5-7B), but it failed with CUDA out of "
                    "memory using 4 H20 (96GB) GPUs with the trl library GRPOTrainer. How many H20 GPUs are needed?")


def test_the_layout_of_several_gpus_is_asked_first_when_it_decides_the_fit(kb):
    """Review 17 #01: GRPO of Qwen2.5-7B on 4 H20s that OOMs, no layout said. Counted as DDP (a whole copy on each
    GPU) the plan needs 203 GiB a GPU; sharded over the four it fits. So 'how is the model spread over your GPUs?'
    decides the verdict and is asked first, before the precision (whose answer moves less)."""
    c = run_consultation(GRPO_ON_FOUR_H20, kb=kb)
    assert c.wm.value("answers_decisive").split(", ")[0] == "layout"
    assert c.wm.value("plan_sharded_per_gpu") < c.wm.value("gpu_memory") < c.wm.value("plan_current_per_gpu")
    question = c.advice.questions[0]
    assert question.id == "layout" and "holds the whole model" in question.reason


def test_the_layout_answered_is_the_plan_counted(kb):
    """Answered 'DDP', the answer says each GPU holds the whole model and what sharding gives each; answered
    'ZeRO-3', the plan is counted sharded (a quarter of the states on each of the 4) and the layout is not asked."""
    ddp = run_consultation(GRPO_ON_FOUR_H20, answers={"layout": "ddp"}, kb=kb)
    finding = next(f for f in ddp.advice.findings if f.id == "plan-ddp-copies-the-model")
    assert finding.title.startswith("Under DDP each of your 4 GPUs holds the whole model")
    sharded = ddp.wm.value("plan_sharded_per_gpu")
    zero3 = run_consultation(GRPO_ON_FOUR_H20, answers={"layout": "zero3"}, kb=kb)
    # (DeepSpeed's bf16 mode keeps no fp32 copy of the weights beside the master: a little under FSDP's autocast)
    assert zero3.wm.value("plan_current_per_gpu") <= sharded < zero3.wm.value("gpu_memory")
    assert "layout" not in [q.id for q in zero3.advice.questions]
    assert "plan-ddp-copies-the-model" not in [f.id for f in zero3.advice.findings]


def test_deepspeed_said_without_its_stage_asks_the_stage(kb):
    """'DeepSpeed' without a stage was counted as stage 0 (a whole copy on each GPU); the layout question, with
    ZeRO-1/2/3 among its answers, asks the stage when it decides the fit - and a stage said is not asked."""
    c = run_consultation("Full fine-tuning Llama-2-7B on 4x A100 80GB with DeepSpeed, bf16, per_device_train_batch_size 1, "
                         "seq 2048: OOM at the first step.", kb=kb)
    assert "no ZeRO stage said" in c.wm.value("plan_current_assumed")
    assert c.advice.questions[0].id == "layout"
    said = run_consultation("Full fine-tuning Llama-2-7B on 4x A100 80GB with DeepSpeed ZeRO-3, bf16, "
                            "per_device_train_batch_size 1, seq 2048: OOM at the first step.", kb=kb)
    assert "layout" not in [q.id for q in said.advice.questions]


def test_the_layout_is_not_asked_when_it_decides_nothing(kb):
    """Two GPUs training ResNet-50 that OOM at batch 128 each: the activations, not the layout, decide it (sharding
    25M parameters' states saves a few hundred MB) - no layout question."""
    c = run_consultation("Training resnet50 on imagenet on 2x RTX 3090 with batch 128 per GPU, it OOMs", kb=kb)
    assert "layout" not in [q.id for q in c.advice.questions]


MPT_ON_V100S = ("I am trying to train/fine-tune MPT-30B on V100 GPUs with 16 GB each in a multi-GPU, multi-node "
                "setup. With this setup I can fine-tune MPT-7B. Do you plan to support tensor parallel or pipeline "
                "parallel? Is there a good way to train MPT-30B on some V100 16GB GPUs?")


def test_several_gpus_said_without_their_number_get_the_count_that_fits(kb):
    """Review 17 #11: MPT-30B on 16 GB V100s 'in a multi-GPU, multi-node setup', no count: not 'a bigger GPU or a
    smaller model' for one card, but the fewest V100s that hold it sharded (30B × 16 B / 32 = 14 GiB each), and
    their number is the first question."""
    c = run_consultation(MPT_ON_V100S, kb=kb)
    assert c.wm.value("gpu_count_unsaid") is True and not c.wm.known("num_gpus")
    assert c.wm.value("gpus_to_fit") == 32
    assert c.advice.findings[0].id == "finding-gpus-to-fit"
    assert c.advice.recommendation.option_id != "smaller-model-or-bigger-gpu"
    assert c.advice.questions[0].id == "num_gpus"


@pytest.mark.parametrize("gpus, finding", [(16, "finding-your-gpus-too-few"), (64, "finding-your-gpus-hold-it")])
def test_the_gpus_answered_are_held_against_the_count_that_fits(kb, gpus, finding):
    c = run_consultation(MPT_ON_V100S, answers={"num_gpus": gpus}, kb=kb)
    assert finding in [f.id for f in c.advice.findings]
    assert "num_gpus" not in [q.id for q in c.advice.questions]


def test_the_updates_of_an_epoch_show_the_batch_per_update(kb):
    """Review 17 #24: '29,450 samples, batch_size=1 … why does one epoch take only about 1800 steps?' - the epoch's
    updates imply 16 samples an update (29,450 / 1,800 = 16.4; ⌈29,450 / 16⌉ = 1,841), which the per-device 1 is
    not: 16 accumulation steps (× GPUs). The plain batch with no GPU count is then no batch per update of 1."""
    c = run_consultation("In fine-tuning I use a dataset of 29450 samples, batch_size=1, train_dataset_sample=-1. Why "
                         "does one epoch take only about 1800 steps? I thought batch_size=1 loads one sample at a time "
                         "so steps should equal the number of samples.", kb=kb)
    assert c.wm.value("epoch_steps_said") == 1800 and not c.wm.known("planned_steps")
    assert c.wm.value("batch_from_steps") == 16 and c.wm.value("accum_from_steps") == 16
    assert not c.wm.known("batch_size") and c.wm.value("micro_batch") == 1
    assert c.advice.findings[0].title == "29.45k samples in 1800 updates an epoch is about 16 samples per update"


def test_an_oom_only_several_gpus_hit_is_the_setups(kb):
    """Review 17 #16: 'OOM with multi-GPU training even with samples_per_gpu=1, but single-GPU training is fine and
    samples_per_gpu can be 3' - DDP adds no memory a GPU, so the setup differs (contexts on GPU 0, SyncBN, a total
    read as per GPU); the single GPU's 3 is no batch change of the failing run."""
    c = run_consultation("GPU memory goes OOM when I use multi-GPU training with Swin-Transformer-Object-Detection "
                         "(mmdet 2.11, Mask R-CNN Swin), OOM appears even with samples_per_gpu=1, but single-GPU "
                         "training is fine and samples_per_gpu can be 3. GPUs are RTX 2080 Ti (11GB).", kb=kb)
    assert c.wm.value("claim_multi_gpu_oom_one_fits") is True
    assert c.advice.findings[0].id == "finding-multi-gpu-oom-one-fits"
    assert c.wm.value("micro_batch") == 1 and not c.wm.known("batch_scale_factor")


def test_a_rate_of_steps_is_a_time_per_step(kb):
    """Review 17's blind set (rq-1688): '3000 steps … about 1 step per minute' is 60 s a step, 3,000 × 60 s = 50 h;
    a progress bar's '1.29it/s' is 0.775 s an iteration."""
    c = run_consultation("I'm using a 4090 with 24GB, training is very slow: it shows 3000 steps and does about 1 step "
                         "per minute. Is 16 hours on a 4090 normal?", kb=kb)
    assert c.wm.value("step_seconds") == 60 and c.wm.value("run_time_from_steps") == 3000 * 60
    assert read_message(kb, "Epoch 1/8, 25848/25848 [5:32:46, 1.29it/s]")["step_seconds"][0] == pytest.approx(1 / 1.29)


def test_steps_that_slow_many_fold_after_the_start_are_memory_spilling(kb):
    """rq-1703: 'starts really quick (about 2s per iteration) but after about 15 iterations it jumps to 45 seconds per
    iteration' on a 16 GB card: the driver's fallback to shared system memory, said first; 'jumps up to 200 hours' is
    no time the user wants."""
    c = run_consultation("Training starts quick and then after about 15 iterations jumps up to 200 hours. Training "
                         "starts really quick (about 2s per iteration) but after about 30 seconds (15 iterations) it "
                         "jumps to 45 seconds per iteration. NVIDIA GeForce RTX 5080, Num GPUs = 1, Max memory: 15.92 "
                         "GB.", kb=kb)
    assert c.advice.findings[0].id == "finding-slows-after-start"
    assert not c.wm.known("target_duration")


def test_an_epochs_time_said_for_one_epoch_is_read_and_a_scripts_batch_on_several_gpus_is_asked(kb):
    """rq-1710: '0.2 million training samples … 4 GPUs with batch_size=256 … around 1h for 1 epoch': the epoch's
    time is read (55.6 samples/s, 13.9 per GPU: a loader's pace, not a ResNet-50's), '1 epoch' is no epoch count,
    and a script's `batch_size=256` on 4 GPUs is kept as a batch whose scope is asked, not dropped."""
    c = run_consultation("I'm using the openai-RN50 pretrained model and want to finetune the weights on my own "
                         "dataset (around 0.2 million training samples). How long should it take to train the model "
                         "on 4 GPUs with batch_size=256? My current training is quite slow, around 1h for 1 epoch.",
                         kb=kb)
    assert c.wm.value("epoch_seconds") == 3600 and not c.wm.known("epochs")
    assert c.wm.value("epoch_samples_per_second_per_gpu") == pytest.approx(200_000 / 3600 / 4)
    assert c.wm.value("batch_unqualified") == 256
    assert "batch_scope" in [q.id for q in c.advice.questions]


@pytest.mark.parametrize("said", ["GPU utilization oscillates between 0 and 100% and is 0 most of the time",
                                  "the GPU util sits at 0% most of the time"])
def test_utilization_that_keeps_falling_to_zero_is_a_starved_gpu(kb, said):
    """rq-1712: 8 V100s, 'GPU utilization oscillates between 0 and 100% and is 0 most of the time': the GPU waits for
    its batches, so the input pipeline is fixed first."""
    c = run_consultation(f"We pre-train on 8 V100s with batch_size=32, num_workers=4, but training is very slow: "
                         f"{said}.", kb=kb)
    assert c.wm.value("data_loader_bound") is True
    assert c.advice.recommendation.option_id in ("fix-input-pipeline", "more-loader-workers")


def test_a_change_of_each_gpus_batch_is_the_micro_batch(kb):
    """Review 17 #26: 'I set the batch_size of one GPU from 4 to 8, so two GPUs give 16': each GPU's batch is 8 and
    the batch per update 16 (from 8), a 2× change - not a batch per update of 8."""
    c = run_consultation("It takes the same amount of time to train 5000 iterations on two GPUs or eight GPUs. "
                         "num_iters = 500000. I set the batch_size of one GPU from 4 to 8, so two GPUs give 16 and "
                         "eight GPUs give 64.", kb=kb)
    assert c.wm.value("micro_batch") == 8 and c.wm.value("batch_size") == 16
    assert c.wm.value("reference_batch") == 8 and c.wm.value("batch_scale_factor") == 2
    assert c.wm.value("planned_steps") == 500_000


# ------------------------------------------------------------------- the measurement follows when the OOM happens
# (review 18: "measure two micro-batches" was the next step whatever the failure: at micro-batch 1, while loading the
# model, after 200 steps)

def _measures(advice):
    return [m.id for m in advice.measure]


def test_an_oom_while_loading_is_the_weights_alone_and_the_load_is_measured(kb):
    advice = consult("I get CUDA out of memory while loading Llama-2-13B on my RTX 4090 for LoRA fine-tuning", kb=kb)
    findings = {f.id: f for f in advice.findings}
    assert "oom-while-loading" in findings
    # 13,015,864,320 parameters (the catalogue's count): × 2 B = 24.24 GiB in 16-bit, over a 23.99 GiB card
    assert findings["finding-loaded-weights"].title == "The weights alone take 24.24 GiB in 16-bit, of 23.99 GiB"
    assert "48.49 GiB in fp32" in findings["finding-loaded-weights"].text
    assert "6.06 GiB in 4-bit" in findings["finding-loaded-weights"].text
    assert _measures(advice)[0] == "measure-loading-memory"
    assert "measure-full-step-memory" not in _measures(advice)
    assert "peak_memory_by_batch" not in [q.id for q in advice.questions]


def test_loading_the_data_is_no_load_of_the_model(kb):
    c = run_consultation("OOM while loading the dataset on my 3090", kb=kb)
    assert not c.wm.known("oom_stage")


def test_an_oom_at_micro_batch_one_is_looked_at_in_a_snapshot_not_measured_at_two_batches(kb):
    advice = consult("I fine-tune Qwen2-Audio-7B with QLoRA on a 24GB RTX 3090, per_device_train_batch_size 1, and "
                     "get CUDA OOM", kb=kb)
    assert "measure-what-fills-the-card" in _measures(advice)
    assert "measure-full-step-memory" not in _measures(advice)
    assert "peak_memory_by_batch" not in [q.id for q in advice.questions]  # (no second micro-batch runs)


def test_an_oom_after_some_steps_is_measured_up_to_the_failing_step_and_its_stage_is_not_asked(kb):
    advice = consult("Fine-tuning Qwen3-ASR-0.6B on an A40 48GB, an OOM error occurs after 200 steps, with "
                     "batch_size 8 and gradient_checkpointing. Why?", kb=kb)
    assert _measures(advice)[0] == "measure-steps-up-to-the-failing-one"
    asked = [q.id for q in advice.questions]
    assert "oom_stage" not in asked and "peak_memory_by_batch" not in asked
    assert "finding-oom-at-a-fixed-step" in [f.id for f in advice.findings]


def test_an_oom_at_a_larger_micro_batch_is_still_measured_at_two(kb):
    advice = consult("Fine-tuning a 600M model on an A40 48GB with batch_size 8 gives CUDA OOM", kb=kb)
    assert "measure-full-step-memory" in _measures(advice)


# ------------------------------------------------------------------- several GPUs no faster than one (review 19)

TWO_TITANS = ("I was training with one Titan Xp GPU with a batch size of 16 and get a batch time of 0.20 s. When I "
              "train with two Titan Xp GPUs I use a batch size of 32 and get a batch time of 0.36 s, which is only "
              "about 10% faster. Is there something I could be doing wrong?")


def test_several_gpus_no_faster_than_one_get_the_checklist_and_the_launch_is_asked_first(kb):
    advice = consult(TWO_TITANS, kb=kb)
    assert advice.findings[0].id == "finding-multi-gpu-no-faster"
    assert advice.questions[0].id == "launch"  # (not the precision: the launch is what decides it)
    assert _measures(advice)[0] == "measure-multi-gpu-scaling"


def test_started_with_plain_python_the_run_is_dataparallel_and_ddp_is_recommended(kb):
    advice = consult(TWO_TITANS, answers={"launch": "one_process"}, kb=kb)
    assert "finding-dataparallel" in [f.id for f in advice.findings]
    assert advice.recommendation.option_id == "ddp-instead-of-dataparallel"


def test_a_launcher_said_is_not_asked_about(kb):
    advice = consult("I'm training on 4xRTX-4090 with torchrun --nproc_per_node=4 and it takes 130 hours; on a single "
                     "GPU 30 hours for the same steps. Why is DDP so much slower?", kb=kb)
    assert "finding-multi-gpu-no-faster" in [f.id for f in advice.findings]
    assert "launch" not in [q.id for q in advice.questions]


# ------------------------------------------------------------------- the host's RAM, not the GPU's (review 19)

def test_exit_code_minus_nine_is_the_hosts_ram_and_leads_the_answer(kb):
    advice = consult("I fine-tune Mistral-7B with DPO on 2xA100 80GB using TRL; it dies with \"failed (exitcode: -9) "
                     "local_rank: 1\". Why does this OOM when I have 160GB?", kb=kb)
    assert advice.findings[0].id == "finding-process-killed"


def test_rays_memory_monitor_is_the_hosts_ram(kb):
    c = run_consultation("GRPO with verl on 8*40GB A100 and 760GB of memory: ray.exceptions.OutOfMemoryError: memory "
                         "on the node was 726.33GB / 760.00GB, which exceeds the memory usage threshold of 0.95.", kb=kb)
    assert c.wm.value("claim_process_killed") is True


def test_the_hosts_ram_running_out_without_the_models_size_says_what_holds_it(kb):
    advice = consult("Training dies: the system RAM runs out after loading, on 4 GPUs.", kb=kb)
    assert advice.findings[0].id == "finding-host-ram-ran-out"


def test_loading_on_every_process_over_the_ram_said_is_named(kb):
    # 7B × 4 B (fp32) × 8 processes = 208.62 GiB, twice while loading = 417.23 GiB: over the 256 GiB of RAM said
    advice = consult("Full fine-tuning of a 7B model on 8x A100 80GB with 256GB of RAM: the processes get killed "
                     "while loading.", kb=kb)
    assert advice.findings[0].id == "finding-process-killed"
    assert advice.findings[1].title == ("Loading the model on every process takes up to 417.23 GiB: more than the "
                                        "machine's 256.00 GiB")


# ------------------------------------------------------------------- what a time budget buys (review 19 #29)

def test_a_time_budget_gives_the_compute_optimal_model_size(kb):
    advice = consult("I have 8*A800 (80G). Which model size could it train (pre-train from scratch) within 1 or 2 "
                     "months?", kb=kb)
    # 8 × 312 TFLOP/s × 40% × 60 days = 5.18e21 FLOPs; N = sqrt(C / 120) = 6.567B on 20 × N = 131.3B tokens
    assert advice.findings[0].title == ("In 60 days: about 6.567B parameters on 131.3B tokens (compute-optimal)")


def test_a_time_budget_with_the_models_size_gives_its_tokens(kb):
    advice = consult("I want to pre-train a 1.3B model from scratch on 8x H100 within 2 weeks. How many tokens can I "
                     "use?", kb=kb)
    # 8 × 989 TFLOP/s × 40% × 14 days = 3.83e21 FLOPs / (6 × 1.3B) = 490.8B tokens
    assert "In 2 weeks your 1.3B-parameter model trains on about 490.8B tokens" in [f.title for f in advice.findings]


# ------------------------------------------------------------------- times said for many steps or an epoch (review 19)

@pytest.mark.parametrize("message, fact, value", [
    ("I get 528.9 ms per iteration.", "step_seconds", 0.5289),
    ("it shows that 460 hours are required for 10,000 iterations", "step_seconds", 165.6),
    ("it looks like it will take 60 hours to complete 1 epoch", "epoch_seconds", 216_000),
])
def test_a_time_for_steps_or_an_epoch_is_read(kb, message, fact, value):
    c = run_consultation(message, kb=kb)
    assert c.wm.value(fact) == pytest.approx(value)
    # (the epoch a time is given for is a pace, not how many epochs the run is planned for)
    assert not c.wm.known("epochs")


@pytest.mark.parametrize("question", ["Is this in line with expectations?", "Does that sound right?"])
def test_asking_whether_a_figure_is_right_asks_for_what_to_expect(kb, question):
    c = run_consultation(f"One epoch takes 60 hours on my 2060. {question}", kb=kb)
    assert "expected" in c.wm.value("asked_topics")


def test_a_steps_time_without_its_tokens_gives_the_rate_per_thousand_tokens(kb):
    advice = consult("I'm running the Megatron GPT2 model on a single V100 and get 528.9 ms per iteration. The model "
                     "has 1.2B parameters. How can I calculate the TFLOPS from the elapsed time per iteration?", kb=kb)
    # 6 × 1.2B × 1,000 tokens / 0.5289 s = 13.6 TFLOP/s per GPU
    assert advice.findings[0].title == "At 0.5289 s a step, each 1,000 tokens in it is 13.6 TFLOP/s per GPU"
    with_recompute = consult("1.2B parameters, 528.9 ms per iteration on one V100, activation checkpointing on. "
                             "What TFLOPS is that?", kb=kb)
    # 8 × 1.2B × 1,000 / 0.5289 s = 18.2
    assert "18.2 TFLOP/s per GPU" in with_recompute.findings[0].title


# ------------------------------------------------------------------- autocast in the 16-bit type the card has (review 19 #22)

@pytest.mark.parametrize("card, width", [("a V100", "fp16"), ("a T4", "fp16"), ("an A100", "bf16")])
def test_mixed_precision_for_speed_is_offered_in_the_16_bit_type_the_card_has(kb, card, width):
    advice = consult(f"Training ResNet-50 on {card} in fp32 is slow, how can I make it faster?", kb=kb)
    offered = [o.id for o in advice.options]
    assert ("mixed-precision" in offered) == (width == "bf16")  # (no bf16 autocast on a card without bf16)
    assert ("mixed-precision-fp16" in offered) == (width == "fp16")
    # (on the T4 the plan search's own fp16-autocast plan, `amp-fp16`, may win: the same precision)
    assert advice.recommendation.option_id in (("mixed-precision-fp16", "amp-fp16") if width == "fp16"
                                               else ("mixed-precision",))


def test_a_mixture_of_experts_sized_by_its_active_count_is_sized_by_its_total(kb):
    """'Isn't it only 13B active params?' on a Mixtral OOM: the model is read at its 46.7B (not the 13B active),
    the memory is counted from it, and the belief that only active parameters take memory is countered."""
    c = run_consultation("Full fine-tuning Mixtral-8x7B on 8x H100 80GB with ZeRO-3, per device batch 1, seq 4096, "
                         "OOM. Isn't it only 13B active params?", kb=kb)
    assert c.wm.value("params") == pytest.approx(46.7e9, rel=1e-3)  # the catalogue counts 46,702,792,704
    assert "rf-moe-all-experts-in-memory" in [f.id for f in c.advice.red_flags]


def test_the_machines_ram_growing_is_answered_as_the_hosts_not_with_gpu_plans(kb):
    """Review 20 #22: system memory (not the GPU's) climbs through each epoch until the instance runs out: the
    host-RAM finding answers it, and no GPU out-of-memory is read, so nothing about the GPU's memory is asked."""
    c = run_consultation("I'm training a language model on ~60 million examples and system memory (not GPU memory) "
                         "keeps increasing during training until the instance runs out of memory. Where is this "
                         "memory usage coming from?", kb=kb)
    assert "finding-host-ram-grows" in [f.id for f in c.advice.findings]
    assert c.wm.value("oom") is not True
    assert "gpu_memory" not in [q.id for q in c.advice.questions]
    # a CUDA out-of-memory said beside a growing RAM is still the GPU's
    both = run_consultation("CPU memory keeps growing every epoch and then CUDA out of memory on my 3090", kb=kb)
    assert both.wm.value("oom") is True


def test_steps_per_second_on_several_gpus_are_compared_as_samples(kb):
    """Review 20 #28: ~9 steps/s on one GPU and ~2 on 4: the four GPUs are read (not the 8 CPU cores), the claim
    that several GPUs give no speed-up is read, and the answer says a step on 4 GPUs trains 4 batches."""
    c = run_consultation("Multi-GPU gives no speedup for my Transformer model. I'm training on Librispeech with 4 "
                         "GPUs and 8 CPU cores. Single GPU (--worker-gpu=1) gives ~9 global_step/sec; with "
                         "--worker-gpu=4 I get only ~2 steps/sec. Shouldn't I see a speedup with multiple GPUs?", kb=kb)
    assert c.wm.value("num_gpus") == 4
    ids = [f.id for f in c.advice.findings]
    assert "finding-multi-gpu-steps-not-samples" in ids and "finding-multi-gpu-no-faster" in ids


def test_adapters_get_no_full_training_state_figure(kb):
    """Review 20 #16: a Flux LoRA run was shown 'model states for your optimizer and precision: 290.57 GiB' (every
    weight trained with Prodigy) beside the plan search's adapter figure; under adapters that figure is not theirs."""
    c = run_consultation("train_dreambooth_lora_flux.py on an A100 80GB with --mixed_precision=bf16 --resolution=512 "
                         "--train_batch_size=2 --optimizer=prodigy runs out of memory", kb=kb)
    assert c.wm.value("adapter") == "lora" and not c.wm.known("states_user")
    full = run_consultation("full fine-tuning of flux.1-dev on an A100 80GB with bf16 autocast and AdamW runs out of "
                            "memory", kb=kb)
    assert full.wm.value("states_user") > 80 * 2**30


def test_a_colocated_generation_engines_share_is_taken_from_each_card(kb):
    """Review 20 #19-#21: an RL trainer's vLLM reserves gpu_memory_utilization of every card it shares with
    training; with the card known, what is left for the training step is computed."""
    c = run_consultation("GRPO of Qwen2.5-7B on 4x A100 80GB with TRL, use_vllm=True, vllm_mode colocate, "
                         "vllm_gpu_memory_utilization=0.5, per_device_train_batch_size=2: CUDA out of memory", kb=kb)
    assert c.wm.value("rollout_reserved_bytes") == pytest.approx(0.5 * 80 * 2**30)
    assert c.wm.value("rollout_left_bytes") == pytest.approx(0.5 * 80 * 2**30)
    assert "finding-rollout-reservation" in [f.id for f in c.advice.findings]


def test_a_copy_of_the_model_in_every_process_is_counted_in_the_machines_ram(kb):
    """Review 20 #24: 'each of the 8 python processes uses about 25.7g RES … is this expected?': yes - 8 × 7B × 4 B
    of fp32 weights built on the CPU, which the host finding counts (not the 'Killed' one: nothing was killed)."""
    c = run_consultation("Testing 7B training on 8x A6000 48G, 512GB RAM: each of the 8 python processes uses about "
                         "25.7g RES. It appears to load the fp32 7B model into memory per process. Is this expected?",
                         kb=kb)
    assert c.wm.value("host_load_bytes") == pytest.approx(8 * 7e9 * 4)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-host-copy-per-process" and "finding-process-killed" not in ids


def test_one_per_sample_figure_with_the_users_checkpointing(kb):
    """Review 20 #1: 'one sample's activations … 1.10 GiB' (the plan search, with LLaMA-Factory's default
    checkpointing) beside 'activations and logits per sample of the catalogue model: 6.60 GiB' (without it): both
    count the run as the user runs it."""
    c = run_consultation("Full fine-tune of llama-2-7B on a single A100-80GB with LLaMA-Factory: --finetuning_type "
                         "full --cutoff_len 1024 --per_device_train_batch_size 1 --fp16 runs out of memory", kb=kb)
    assert c.wm.value("grad_checkpointing") is True
    assert c.wm.value("preset_per_sample") == pytest.approx(c.wm.value("plan_at_one_sample"), rel=0.01)


def test_gpus_of_different_memory_get_the_smallest_cards_batch(kb):
    """Review 20 #29: 'per-GPU batch sizes with YOLOv8 on several GPUs? My GPUs don't all have the same memory':
    data parallelism splits the batch evenly, so the smallest card sets it."""
    c = run_consultation("Is it possible to set per-GPU batch sizes when training YOLOv8 with multiple GPUs? My GPUs "
                         "don't all have the same memory size.", kb=kb)
    assert c.advice.findings[0].id == "finding-mixed-gpu-memory"


def test_a_batch_whose_scope_is_open_is_read_both_ways_in_numbers(kb):
    """Review 20 #11: 'yolact on 8 GPUs with --batch_size 8, the loss blows up': while 'per GPU or total?' is open,
    both readings are given in numbers (1 per GPU if total, 64 per update if per GPU)."""
    c = run_consultation("When I train my detector on 8 GPUs with CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 python train.py "
                         "--batch_size 8, the loss blows up after a while. On 1 GPU there's no error.", kb=kb)
    assert c.wm.value("batch_per_gpu_if_total") == 1 and c.wm.value("batch_total_if_per_gpu") == 64
    assert "finding-batch-both-readings" in [f.id for f in c.advice.findings]
    answered = run_consultation("my detector on 8 GPUs with --batch_size 8 per GPU, the loss blows up", kb=kb)
    assert not answered.wm.known("batch_total_if_per_gpu")  # said per GPU: nothing to read two ways
    # (YOLACT, whose catalogue entry says its --batch_size is the total, reads one way: 8 per update, 1 a GPU)
    yolact = run_consultation("When I train yolact on 8 GPUs with CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 python train.py "
                              "--batch_size 8, the loss blows up after a while.", kb=kb)
    assert yolact.wm.value("batch_size") == 8 and not yolact.wm.known("batch_total_if_per_gpu")


def test_a_setup_that_trained_before_and_one_huge_allocation_point_past_the_states(kb):
    """Review 20 #6: 'Tried to allocate 25.88 GiB' at 8192 tokens, and 'the v1 version with the same setup worked':
    the same setup fitting before points at what changed. 25.88 GiB is Baichuan2-13B's 13.9B weights × 2 B (within
    8% of the 13B the name says): the flat 16-bit buffer DeepSpeed builds of every weight, named as such since the
    fifteenth session (an allocation that is no such copy is still called an activation, below)."""
    c = run_consultation("Full-parameter fine-tuning Baichuan2-13B-Chat v2 runs out of GPU memory on 8x A100 80GB "
                         "with deepspeed, --per_device_train_batch_size 1 --cutoff_len 8192 --bf16 True. Error: "
                         "\"CUDA out of memory. Tried to allocate 25.88 GiB\". Fine-tuning the v1 version with the same "
                         "setup worked. Why?", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert "finding-same-setup-worked" in ids and "finding-oom-allocation-is-weights" in ids
    assert "finding-oom-allocation-one-tensor" not in ids
    small = run_consultation("CUDA out of memory. Tried to allocate 20.00 MiB on my 3090 at batch 8", kb=kb)
    assert "finding-oom-allocation-one-tensor" not in [f.id for f in small.advice.findings]


def test_hoping_zero_splits_one_sample_over_gpus_is_countered(kb):
    """Review 20 #8: one sample does not fit 80 GB, the user hoped 8 GPUs with ZeRO-2/3 would share it, and reports
    that the batch cannot go below the GPU count: sharding splits states, never a sample's activations."""
    c = run_consultation("DeepSpeed Zero2 & 3 not working as expected. One 80G GPU can't even fit a single sample; I "
                         "hoped my 8 GPUs together could train batches of 2 or 4. No matter how many GPUs I use, the "
                         "batch size can't be set below the number of GPUs, and the per-GPU memory is always the same "
                         "with zero2 or zero3.", kb=kb)
    rf = next(r for r in c.advice.red_flags if r.id == "rf-zero-activations")
    assert "sequence or context parallelism" in rf.counter


def test_the_oom_stage_is_not_asked_when_the_states_alone_exceed_the_card(kb):
    """Review 20b: 'when does the OOM happen?' was asked where the weights and optimizer state alone exceed the
    card; no stage changes that advice. Where they leave room, the stage is still asked."""
    c = run_consultation("Full fine-tune of llama-2-7B on a single A100-80GB with --finetuning_type full --cutoff_len "
                         "1024 --per_device_train_batch_size 1 --fp16 runs out of memory", kb=kb)
    assert c.wm.value("plan_at_one_states") > c.wm.value("gpu_memory")
    assert "oom_stage" not in [q.id for q in c.advice.questions]
    fits = run_consultation("LoRA on llama-2-7b on my 3090 at batch 1, seq 512 runs out of memory", kb=kb)
    assert "oom_stage" in [q.id for q in fits.advice.questions]


def test_two_splits_of_one_batch_per_update_are_compared_not_scaled(kb):
    """Review 20 #12: 'would batch 64 on a single GPU give the same result as 8 GPUs x 8?' is one batch per update
    split two ways: no LR rule for a batch change, and what the split changes (BatchNorm's per-GPU statistics)."""
    c = run_consultation("YOLOX docs say -b is the total batch size, recommended num-gpu * 8. Would training with "
                         "batch 64 on a single GPU give the same result as 8 GPUs x 8?", kb=kb)
    assert c.wm.value("compared_batch") == c.wm.value("effective_batch") == 64
    ids = [f.id for f in c.advice.findings]
    assert "finding-same-total-layouts" in ids and not c.wm.known("batch_scale_factor")
    vit = run_consultation("I pretrain ViT-B on 32 V100s with batch size 128 per GPU (32x128 = 4096) instead of the "
                           "recommended 64 V100s with batch 64 (64x64 = 4096), and get 0.3 lower accuracy.", kb=kb)
    assert "finding-same-total-layouts-no-batchnorm" in [f.id for f in vit.advice.findings]
    moved = run_consultation("I moved from 1 GPU to 8 GPUs and kept per_device 8.", kb=kb)
    assert not moved.wm.known("compared_batch")


def test_two_gpus_beating_one_at_the_same_batch_per_update_points_at_accelerates_scheduler(kb):
    """Review 36 #24: 2 A100s × train_batch_size 32 under accelerate against 1 A100 × 64 is one batch per update
    split two ways; accelerate's prepared scheduler steps once per process, which the answer names, and the
    'your batch is the reference's' notice (there is no reference) is not given."""
    c = run_consultation("I trained unconditional diffusion (train_unconditional.py) with accelerate and found the "
                         "results differ on multiple GPUs versus a single GPU. Two A100 GPUs with learning rate 1e-4 "
                         "and train_batch_size 32 gave much better results than one A100 with learning rate 1e-4 "
                         "and batch size 64. Why?", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert c.wm.value("compared_batch") == c.wm.value("effective_batch") == 64
    assert "finding-accelerate-schedule-runs-faster-on-more-gpus" in ids
    assert "finding-same-batch-per-update" not in ids and "finding-same-batch-size" not in ids
    one = run_consultation("I fine-tune with accelerate on one GPU at train_batch_size 32 and lr 1e-4. Why is it "
                           "worse than the paper?", kb=kb)
    assert "finding-accelerate-schedule-runs-faster-on-more-gpus" not in [f.id for f in one.advice.findings]


@pytest.mark.parametrize("message, fires", [
    # review 37 #19: the printed step rates differ ~3×, the wall-clock time does not
    ("ResNet-50 on 4 V100s: FP32 and AMP mode take the same time to complete 90 epochs. Throughput for FP32 is 1400 "
     "images/sec and AMP is 3950 images/sec. Why?", True),
    ("Why is the time to train 90 epochs the same when AMP throughput is almost 3x higher?", True),
    ("With batch 64 and batch 256 the runs took about the same time, although it/s went up with the larger batch.",
     True),
    # a throughput alone, or the same time without two speeds, is no such claim
    ("AMP gives 3950 images/sec against 1400 in FP32 on my V100s. Is that expected?", False),
    ("Both runs take the same time. Why?", False),
])
def test_the_same_wall_clock_time_at_different_step_rates_points_outside_the_step(kb, message, fires):
    ids = [f.id for f in consult(message, kb=kb).findings]
    assert ("finding-same-time-despite-throughput" in ids) is fires


def test_litgpts_batch_size_is_the_update_and_micro_batch_size_the_memory(kb):
    """Review 37 #28: in lit-gpt, micro_batch_size sets the memory and batch_size the batch per update; 'micro_batch_size
    1' on one GPU is no batch per update of 1, and lowering batch_size is answered as a change of the training."""
    c = run_consultation("Memory saving and batch_size in lit-gpt LoRA fine-tuning: I was told that setting "
                         "micro_batch_size to 1 saves GPU memory and doesn't affect fine-tuning performance. What about "
                         "batch_size? Is it OK to lower it, and does it affect fine-tuning performance?", kb=kb)
    assert c.wm.value("micro_batch") == 1 and not c.wm.known("batch_size")
    assert "finding-micro-and-global-batch" in [f.id for f in c.advice.findings]


def test_generation_under_fsdp_is_answered_by_the_weights_gathered_per_token_not_a_training_plan(kb):
    """Review 37 #13: lit-gpt's generate/base.py at 33 tokens/s on one A5000 and 2.5 with --strategy fsdp on two:
    each GPU receives the other's half of Llama-2-7B's 16-bit weights for every token; no training plan (LoRA,
    checkpointing) is searched for a model that is only run. A message about training is no generation run."""
    c = run_consultation("Extreme slow-down when using FSDP for LLaMA2 inference: `python generate/base.py "
                         "--checkpoint_dir Llama-2-7b-hf --devices 1` gives 33.42 tokens/sec; `--devices 2 --strategy "
                         "fsdp` gives 2.54 tokens/sec. 2x RTX A5000 24GB.", kb=kb)
    assert c.wm.value("generation_run") is True
    assert c.advice.findings[0].id == "finding-fsdp-generation-gathers-per-token"
    assert c.wm.value("fsdp_generation_gather") == pytest.approx(6.738e9 * 2 / 2, rel=0.01)
    assert not c.wm.known("plan_current_per_gpu") and c.advice.recommendation.option_id is None
    train = run_consultation("Fine-tuning Llama-2-7b with FSDP on 2 A5000s is slow; generation at eval time too.", kb=kb)
    assert train.wm.value("generation_run") is False


def test_a_batch_already_larger_than_the_references_is_not_what_the_gap_lacks(kb):
    """Review 37 #21: SimCLR at batch 512 gets 89.5% where the paper's 256 got 93%: the batch is not what is missing
    (and accumulation, which nobody mentioned, is not the lever for a contrastive batch already larger); with no
    gap reported the finding is not given."""
    advice = consult("The SimCLR paper shows that even batch size 256 reaches about 93% CIFAR-10 accuracy with 500 "
                     "epochs of training. But my implementation only gets ~89.5% even with batch size 512.", kb=kb)
    ids = [f.id for f in advice.findings]
    assert ids[0] == "finding-batch-at-least-the-references" and "finding-ga-contrastive" not in ids
    plan = consult("The SimCLR paper trains with batch size 256. I want to reproduce it with batch size 512: which LR?",
                   kb=kb)
    assert "finding-batch-at-least-the-references" not in [f.id for f in plan.findings]


def test_zero3_measured_above_fsdp_is_explained_by_its_buffers_not_a_plan(kb):
    """Review 36 #15: Falcon-7B at 4k on 8 A100 40GB, measured FSDP 23.8GB and Stage-3 38GB at the same speed: the
    shards are the same, DeepSpeed's gathered and bucketed buffers are the difference; no plan of 'theirs' is
    checked (the DDP count and a ZeRO-2 recommendation the table shows OOMs are not given), and accelerate's
    scheduler is no part of a memory benchmark."""
    c = run_consultation("Besides deepspeed I also use FSDP from HuggingFace accelerate. Falcon-7B, 4k context length "
                         "fine-tuning, 8xA100 40GB GPUs. Step time / memory per GPU: FSDP 2.93 s / 23.8GB; Stage-2: "
                         "OOM; Stage-3 2.86 s / 38GB. FSDP and Zero-3 have similar speed, but Zero-3 consumes more "
                         "memory. Why?", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-zero3-more-than-fsdp" and not c.wm.known("plan_current_per_gpu")
    assert "finding-accelerate-schedule-runs-faster-on-more-gpus" not in ids


def test_a_batch_smaller_than_the_gpus_is_not_offered_as_a_split(kb):
    """Review 38 #3: 'can these 4 GPUs share just 1 image … a total batch size of 1?': data parallelism runs a whole
    sample on each GPU, so the answer is no (and how to cut one sample's activations), not 'set micro-batch ×
    accumulation × 4 GPUs = 1'."""
    advice = consult("I only have a PC with 4x 12GB GPUs and can't train Swin-T even with samples_per_gpu=1. Can I use "
                     "these 4 GPUs to share just 1 image? samples_per_gpu=1 on 4 GPUs gives batch_size=4, but can I "
                     "train on these GPUs with a total batch size of 1?", kb=kb)
    flags = [r.id for r in advice.red_flags]
    assert "rf-batch-below-gpu-count" in flags and "rf-effective-batch" not in flags
    assert "activation checkpointing" in next(r for r in advice.red_flags if r.id == "rf-batch-below-gpu-count").counter


def test_memory_that_does_not_follow_the_batch_is_answered_by_fixed_and_per_sample_parts(kb):
    """Review 38 #6, #8, #9: memory unchanged by the batch, lower at a larger batch, or asked to be 2x at 2x batch:
    the fixed states plus per-sample activations, and nvidia-smi's reserve against max_memory_allocated."""
    for message in ("When I train the model and change batch_size, the GPU memory usage doesn't seem to change at all. "
                    "What's the reason?",
                    "With batch size=2, nvidia-smi shows about 73000 MB; when I increase the batch size to 32, memory "
                    "usage goes DOWN to ~35000 MB. Any insight?",
                    "If I increase batch_size to 2 or 4, will the memory needed be 2x or 4x the number it shows?"):
        advice = consult(message, kb=kb)
        assert advice.findings[0].id == "finding-memory-against-the-batch", message
        assert "max_memory_allocated" in advice.findings[0].text
        # (no learning rate scaled for the batches compared, nor the optimizer, data set or epochs asked for it)
        assert not {"optimizer", "dataset_size", "epochs"} & {q.id for q in advice.questions}, message
        assert "finding-warmup-for-larger-batch" not in [f.id for f in advice.findings], message


def test_a_warmup_under_accumulation_is_counted_in_updates(kb):
    """Review 38 #26: Lightning, accumulate_grad_batches=16, a 16,000-step warmup that may step per forward pass: the
    scheduler should step per update, and the warmup is 1,000 updates if counted per micro-batch, 256,000
    micro-batches if per update."""
    c = run_consultation("In PyTorch Lightning the learning rate scheduler seems to step at every forward pass, not "
                         "every optimizer step. I set accumulate_grad_batches=16 and a warmup of 16000 steps, and I've "
                         "had a lot of instability. How do I set the warmup correctly with accumulation?", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-scheduler-steps-per-update" and "finding-warmup-under-accumulation" in ids
    assert c.wm.value("warmup_updates_if_per_micro") == 1000
    assert c.wm.value("warmup_micro_batches_if_per_update") == 256_000


@pytest.mark.parametrize("message, fires", [
    # review 38 #11: inference's speed, whatever the training before it
    ("I trained a Swin Mask R-CNN with mmdetection and now I'm running inference, but it is too slow, and GPU memory "
     "only occupies 2 GB while my GPU has 11 GB.", True),
    ("My inference is very slow on a T4, batch 1.", True),
    ("Training is slow on my T4 at batch 8.", False),
])
def test_slow_inference_is_answered_as_inference(kb, message, fires):
    assert ("finding-inference-speed" in [f.id for f in consult(message, kb=kb).findings]) is fires


def test_time_said_to_go_into_decoding_is_a_loader_bound_run(kb):
    """Review 38 #13: "the time goes into mmcv.imread or resize" says the input pipeline is the bottleneck: it is not
    asked again, and fixing the pipeline is the recommendation."""
    advice = consult("Training BEVFormer, GPU-util is low, around 50%; the time goes into mmcv.imread or resize. Is "
                     "there any technique to improve GPU utilization besides using more num_workers?", kb=kb)
    assert {f.name: f.value for f in advice.facts}["data_loader_bound"] is True
    assert "data_loader_bound" not in [q.id for q in advice.questions]
    assert advice.recommendation.option_id == "fix-input-pipeline"
    # review 38 #19: a GPU mostly idle with short spikes waits for its data
    idle = consult("The GPU is mostly idling, then suddenly spikes - super slow training with darkflow on my "
                   "GeForce 1070, 1 step every 5 seconds. Where is the bottleneck?", kb=kb)
    assert {f.name: f.value for f in idle.facts}["data_loader_bound"] is True


def test_a_references_batch_said_per_gpu_is_no_batch_per_update(kb):
    """Review 38 #29: "16 images per GPU" in the authors' words is their per-GPU batch: its batch per update needs
    their GPU count, which the answer says, instead of taking 16 as the batch the LR was tuned for."""
    c = run_consultation("In MMT you mentioned that 16 images per GPU is better. When I only use one GPU for "
                         "training, how should I set the batch size?", kb=kb)
    assert c.wm.value("reference_micro_batch") == 16 and not c.wm.known("reference_batch")
    assert "finding-reference-per-gpu-count-unsaid" in [f.id for f in c.advice.findings]


def test_a_yolov5_question_without_an_oom_asks_no_oom_stage(kb):
    """Review 38 #27: a question about YOLOv5's warmup of `accumulate` reports no OOM, so when one happened is not
    asked (the validation-batch finding waits for an OOM said in evaluation, or a validation batch asked)."""
    advice = consult("What is the intuition for applying warmup to the `accumulate` parameter in YOLOv5's train.py? "
                     "During warmup accumulate = max(1, np.interp(ni, [0, nw], [1, nbs / total_batch_size]).round()). "
                     "Does this affect performance?", kb=kb)
    assert "oom_stage" not in [q.id for q in advice.questions]


def test_the_micro_batch_the_plan_was_counted_at_is_not_offered_back(kb):
    """Review 21 #4: with no micro-batch said, the user's plan is counted at micro-batch 1; after an OOM, 'micro-batch
    1 (the same 8 per update)' at the same memory is that plan again, not an option."""
    c = run_consultation("DPO of LLaMA2-7B with LoRA and DeepSpeed on a single node of 8×A100-80G: it OOMs during "
                         "training, some cards reach 75G.", kb=kb)
    assert not c.wm.known("micro_batch") and c.advice.recommendation.option_id
    assert c.advice.recommendation.option_id != "smaller-micro-batch"


def test_a_sharded_plan_prints_no_whole_copy_headroom(kb):
    """Review 21 #2: beside a ZeRO-2 plan of 66.96 GiB per GPU, '-146.30 GiB left for activations with your optimizer
    and precision' (a whole copy's) contradicted it; the states before sharding stay, the per-GPU headroom goes."""
    c = run_consultation("Full fine-tuning baichuan-13b on 4x A100 80GB with deepspeed ZeRO-2, --fp16, "
                         "--per_device_train_batch_size 1: CUDA out of memory", kb=kb)
    assert c.wm.value("plan_replicated_full") is False
    assert c.wm.known("states_full_adamw")
    assert not c.wm.known("headroom_full_adamw") and not c.wm.known("headroom_user") and not c.wm.known("states_user")
    one = run_consultation("Full fine-tuning gpt2-xl on one 24GB GPU with AdamW in fp32: out of memory", kb=kb)
    assert one.wm.known("headroom_full_adamw") and one.wm.known("headroom_user")


def test_verl_shards_with_fsdp_and_ppo_counts_a_critic(kb):
    """Review 21 #9: verl trains with FSDP by default (a whole copy per GPU, 1,937 GiB, was assumed; sharded over 16
    GPUs its states are 85 GB each), and PPO trains
    a critic beside the policy, which the plan of one model does not count."""
    c = run_consultation("verl PPO with Qwen2.5-72B as actor and critic on 2 nodes of 8 A800 80GB: OOM in the vLLM "
                         "stage with ppo_micro_batch_size_per_gpu=1", kb=kb)
    assert c.wm.value("parallelism") == "fsdp"
    assert c.wm.value("plan_at_one_states") < 100e9 and "finding-ppo-critic" in [f.id for f in c.advice.findings]
    grpo = run_consultation("verl GRPO with Qwen2.5-7B on 8 H100 80GB runs out of memory", kb=kb)
    assert "finding-ppo-critic" not in [f.id for f in grpo.advice.findings]
    said = run_consultation("verl with actor_rollout_ref.actor.strategy=megatron, tensor_model_parallel_size 4, 8 GPUs,"
                            " Qwen2.5-7B", kb=kb)
    assert said.wm.value("parallelism") != "fsdp"


def test_accumulating_over_the_gpus_the_reference_had_more_of_keeps_its_batch(kb):
    """Review 21 #20: 2 A100s at batch_size 192 and 'accumulate 4 to match your 8 A100s?': the reference's batch is
    192 on 8 GPUs, 1,536, which 192 × 4 × 2 reaches (the accumulation was dropped from that product before); Lightning's
    accumulate_grad_batches says the DataLoader's 192 is each process's."""
    c = run_consultation("I'm training zero123 with 2 A100 and set batch_size = 192. You trained on 8 A100s. Do I have "
                         "to set accumulate_grad_batches to 4 to match your setting?", kb=kb)
    assert c.wm.value("reference_batch") == 1536 and c.wm.value("effective_batch") == 1536
    assert c.advice.findings[0].title == "Your batch per update is the reference's 1536: its learning rate carries over"


def test_a_papers_batch_asked_per_gpu_or_total_is_answered_as_its_batch_per_update(kb):
    """Review 21 #24: 'is the paper's batch 512 per GPU or global?' was answered with 'the batch you set is per
    GPU'; a paper's batch is usually per update, and on the user's GPUs it is a share of each."""
    c = run_consultation("In Table 11 of the Hiera paper you list batch size 512 for pretraining. Is that batch size "
                         "per GPU or the global batch size across all GPUs?", kb=kb)
    assert "finding-paper-batch-is-per-update" in [f.id for f in c.advice.findings]
    mine = run_consultation("The paper lists batch size 512. Is that per GPU or the total across all GPUs? I have "
                            "8 GPUs.", kb=kb)
    assert mine.wm.value("reference_share_per_gpu") == 64
    assert "finding-paper-batch-is-per-update-share" in [f.id for f in mine.advice.findings]


def test_dpo_that_runs_out_where_sft_fit_is_explained_before_the_model_is_known(kb):
    """Review 21 #30: 'run_sft.sh works on my 3090 but run_dpo.sh runs out of memory' with no model size: what DPO
    adds over SFT (two sequences per example, a reference model) and the levers, not only a question."""
    c = run_consultation("I ran run_dpo.sh with default settings but got CUDA OOM on a single 3090 GPU, while "
                         "run_sft.sh works perfectly on the same GPU.", kb=kb)
    assert "finding-dpo-more-than-sft" in [f.id for f in c.advice.findings]
    sized = run_consultation("DPO of llama-2-7b on a single A100 80GB runs out of memory", kb=kb)
    ids = [f.id for f in sized.advice.findings]
    assert "finding-dpo-more-than-sft" not in ids and "finding-reference-model" in ids


def test_llama_factorys_key_names_its_checkpointing_default(kb):
    """Review 21 #3: a LLaMA-Factory config (`finetuning_type lora`) checkpoints activations unless told not to, so
    checkpointing is not offered as the missing change; the fused cross-entropy is."""
    c = run_consultation("I get OOM fine-tuning unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit on an 80GB H100. Config: "
                         "quantization_bit 4, finetuning_type lora, lora_target all, cutoff_len 51974, "
                         "per_device_train_batch_size 1, gradient_accumulation_steps 8, bf16 true.", kb=kb)
    assert c.wm.value("grad_checkpointing") is True
    assert c.advice.recommendation.option_id and "checkpoint" not in c.advice.recommendation.option_id


def test_a_memory_question_asks_no_schedule_inputs_for_a_side_count(kb):
    """Review 21 #11: a GRPO run that OOMs was asked 'How many training examples are in the dataset?' first, for a
    count of updates; for a memory question the data set's size and the epochs are not asked."""
    c = run_consultation("Running GRPO on Qwen3-235B-A22B with ms-swift gives OOM on 128 H20 cards: --train_type lora "
                         "--torch_dtype bfloat16 --max_length 8192 --per_device_train_batch_size 1 "
                         "--gradient_accumulation_steps 1", kb=kb)
    asked = [q.id for q in c.advice.questions]
    assert c.wm.value("user_goal") == "fit" and "dataset_size" not in asked and "epochs" not in asked
    steps = run_consultation("GRPO on Qwen2.5-7B with 8 H100s, num_generations 8, per_device_train_batch_size 4: how "
                             "many optimizer steps will one epoch take?", kb=kb)
    assert "dataset_size" in [q.id for q in steps.advice.questions]


def test_adapters_on_a_base_loaded_in_bf16_run_in_bf16(kb):
    """Review 21 #11: `--train_type lora --torch_dtype bfloat16` was reported as 'assuming fp32'; the base is 16-bit
    and the steps run in it."""
    c = run_consultation("LoRA on Qwen2.5-7B with --train_type lora --torch_dtype bfloat16 on one A100 80GB OOMs",
                         kb=kb)
    assert c.wm.value("precision") == "amp_bf16" and c.wm.facts["precision"].provenance.kind != "default"


def test_gpu_counts_tried_side_by_side_get_the_fewest_that_hold_the_plan(kb):
    """Review 21 #5: 'I've tried a100 80GB (6 devices, 8 devices) and h100 80GB (2, 6 and 8 devices)' with ZeRO-3:
    none of the counts is the run, but several GPUs are, so the fewest that hold the plan is counted (8 for a 34B
    full fine-tune) instead of a one-GPU plan of 507 GiB."""
    c = run_consultation("I'm finetuning a 34B model with --deepspeed ./scripts/zero3.json --bf16 True "
                         "--per_device_train_batch_size 4. I've tried a100 80GB (6 devices, 8 devices) and h100 80GB "
                         "(2 devices, 6 devices and 8 devices); the training exits with an out of memory error.",
                         kb=kb)
    assert not c.wm.known("num_gpus") and c.wm.value("gpus_to_fit") == 8


def test_openmmlab_batches_accumulate_nothing_unless_said(kb):
    """Review 21 #19: `imgs_per_gpu=2, num_gpus=2` in mmdetection steps every iteration; asking how many micro-batches
    are accumulated was padding - the reference's batch is what the LR question needs."""
    c = run_consultation("Learning rate for RetinaNet with imgs_per_gpu=2, num_gpus=2: the config lr is 0.01; should "
                         "I change it to 0.01/8?", kb=kb)
    assert c.wm.value("grad_accum_steps") == 1 and c.wm.value("effective_batch") == 4
    assert [q.id for q in c.advice.questions][:1] == ["reference_batch"]


def test_a_per_device_batch_raised_on_8_gpus_changes_the_batch_per_update_eightfold(kb):
    """Review 21 #8: 'per_device_train_batch_size 16 … increase it to 32' on 8 GPUs was read as a batch per update
    of 32 from 16; each GPU's batch changed, so 128 → 256."""
    c = run_consultation("I'm trying to reproduce the DeepSpeed-Chat 13B RLHF (step 3) training on A100-80GB * 8. "
                         "The default script training_scripts/single_node/run_13b.sh sets "
                         "per_device_train_batch_size and per_device_mini_train_batch_size to 16, which is "
                         "different from the benchmark setting where the batch size is claimed to be 1024. When I "
                         "increase per_device_train_batch_size to 32, it raises OOM. Can you provide the 13B step3"
                         " training scripts matching the benchmark, or explain how the benchmark's 1024 batch was "
                         "reached on 8 GPUs?", kb=kb)
    assert c.wm.value("batch_size") == 256 and c.wm.value("reference_batch") == 128


def test_a_script_that_scales_its_lr_from_blr_is_said_to(kb):
    """Review 21 #23: 'batch 16 instead of 4: how should I tune epochs, blr, weight_decay?' - MAE-style scripts set
    lr = blr × batch per update / 256 themselves, so blr stays."""
    c = run_consultation("The default configuration (batch size=4) cannot use my A800's memory. When batch size is 16 "
                         "instead of 4, how should I tune epochs, blr, weight_decay accordingly?", kb=kb)
    assert "finding-lr-scaled-by-script" in [f.id for f in c.advice.findings]


def test_an_ema_copy_is_counted_and_an_image_model_is_asked_no_sequence(kb):
    """Review 21 #15: diffusers' --use_ema keeps a fp32 copy of the UNet on each GPU (2.6B × 4 B = 9.7 GiB), which the
    plans do not count; and a UNet has no logits, so no sequence length is asked to explain the failed allocation."""
    c = run_consultation("Full fine-tuning SDXL with diffusers train_text_to_image_sdxl.py on 8 GPUs of 32GB: "
                         "--use_ema --mixed_precision fp16 --train_batch_size 1 --use_8bit_adam. CUDA out of memory. "
                         "Tried to allocate 20.00 MiB.", kb=kb)
    assert c.wm.value("ema_weights_bytes") == pytest.approx(c.wm.value("params") * 4)
    assert "finding-ema-weights" in [f.id for f in c.advice.findings]
    assert c.wm.value("model_has_vocab") is False and "seq_len" not in [q.id for q in c.advice.questions]


def test_a_use_the_user_measured_is_held_against_the_count(kb):
    """Review 22 #19: 'the 4-bit model takes around 3300MB when loaded, but fine-tuning takes 24GB on each GPU': the
    weights-vs-training counter uses the 24 GB measured (7.3×), and a count of 50 GiB is said to be above it."""
    c = run_consultation("For Mixtral 8x7B on 8x80GB GPUs (one A100 node), the 4-bit quantized model takes around "
                         "3300MB on each GPU when just loaded. But when I fine-tune with train_lora.py with q_lora True, "
                         "torchrun --nproc_per_node 8, --deepspeed zero3.json, it takes 24GB on each GPU. Why?", kb=kb)
    assert c.wm.value("measured_use") == 24e9
    flags = [r.id for r in c.advice.red_flags]
    assert "rf-weights-are-not-training-memory-measured" in flags and "rf-weights-are-not-training-memory" not in flags
    assert "finding-count-above-measured" in [f.id for f in c.advice.findings]
    oom = run_consultation("Fine-tuning takes 24GB on each GPU and then it runs out of memory on my 3090", kb=kb)
    assert not oom.wm.known("measured_use")


def test_a_run_on_tpus_is_told_the_counts_are_per_gpu(kb):
    """Review 22 #17: LLaMA 7B on a TPU v4-256 was answered with '22178.23 GiB per GPU' alone; the answer leads with
    what a TPU slice's memory is and how a mesh divides the states."""
    c = run_consultation("I'm trying to pretrain LLaMA 7B with EasyLM on a TPU v4-256 and I keep hitting OOM with "
                         "batch size 1024 and seq_length 2048.", kb=kb)
    assert c.advice.findings[0].id == "finding-tpu-not-gpu"
    gpu = run_consultation("I'm trying to pretrain LLaMA 7B on 8 A100 80GB and I keep hitting OOM.", kb=kb)
    assert "finding-tpu-not-gpu" not in [f.id for f in gpu.advice.findings]
    # review 29 #28: the finding lists each TPU's memory, so a GPU's is never asked, nor anything only a GPU's
    # memory would decide (a bigger GPU)
    tpu = run_consultation("run_flax_speech_recognition_ctc.py on a single TPUv3-8 runs out of memory after a few "
                           "epochs, and again as soon as it resumes from the checkpoint.", kb=kb)
    assert "gpu_memory" not in [q.id for q in tpu.advice.questions]
    assert not any("bigger GPU" in why for q in tpu.advice.questions for why in q.why)
    assert "gpu_memory" in [q.id for q in run_consultation("My GPU runs out of memory at batch 32 when I train my "
                                                           "model.", kb=kb).advice.questions]


def test_after_an_oom_a_plan_at_the_cards_edge_is_not_recommended(kb):
    """Review 22 #2: after an OOM at 77 GiB of 79.35, 'No offload; activation checkpointing' at 77.86 GiB (98% of the
    card) was recommended over keeping the offload with checkpointing (18 GiB)."""
    c = run_consultation("Full-parameter fine-tuning of deepseek-coder-33b-instruct (not LoRA) on 8*A800 80G with "
                         "DeepSpeed ZeRO stage 3 and CPU offload, 1.2T of CPU memory, batch_size 1: "
                         "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 3.50 GiB (GPU 3; 79.35 "
                         "GiB total capacity; 77.08 GiB already allocated)", kb=kb)
    chosen = next(item["plan"] for item in c.wm.value("plan_options") if item["recommended"])
    assert chosen["per_gpu_bytes"] < 0.5 * c.wm.value("gpu_memory")  # (offload kept: 18 GiB, not 77.86 GiB)


def test_a_size_the_named_card_does_not_come_in_is_pointed_out(kb):
    """Review 22 #20: 'an A10G (16 GB VRAM)' was counted at 16 GB silently; an A10G has 24 GB (22.49 GiB usable), so
    the answer says so, while counting the size the user gives."""
    c = run_consultation("I get OOM when training the model with gradients enabled on an A10G (16 GB VRAM).", kb=kb)
    assert c.wm.value("gpu_memory") == 16 * 2**30 and c.wm.value("named_card_memory") > 22 * 2**30
    assert "finding-card-size-differs" in [f.id for f in c.advice.findings]
    usable = run_consultation("OOM on my RTX A5000 22GB at batch 8", kb=kb)  # (what the card leaves usable)
    assert not usable.wm.known("named_card_memory")


def test_checkpointing_that_takes_off_most_of_the_memory_is_recommended_before_the_card_is_known(kb):
    """Review 22 #12: Llama-3.1-8B with 4-bit + LoRA at 16000 tokens, batch 2 and no card named got 'No option stands
    out yet' beside a count where checkpointing takes 272.71 GiB to 76.29 GiB; the lever holds on any card."""
    c = run_consultation("I'm fine-tuning meta-llama/Llama-3.1-8B-Instruct with FSDP + 4-bit quantization + PEFT, but "
                         "it still uses so much memory. batch_size_training=2, context_length=16000, enable_fsdp=True. "
                         "How do I bring it down?", kb=kb)
    assert c.advice.recommendation.option_id == "checkpoint-activations"
    saved, left = c.wm.value("plan_checkpointing_saves"), c.wm.value("plan_memory_needed_checkpointed")
    assert saved > left and abs(saved + left - c.wm.value("plan_memory_needed")) < 1
    # checkpointing already on, or a card named (the plan search decides there): not this recommendation
    on = run_consultation("Llama-3.1-8B with 4-bit + LoRA, gradient checkpointing on, context_length=16000, "
                          "batch 2: how do I bring the memory down?", kb=kb)
    assert on.advice.recommendation.option_id != "checkpoint-activations"
    card = run_consultation("Llama-3.1-8B with 4-bit + LoRA on an A100 80GB, context_length=16000, batch 2: how do I "
                            "bring the memory down?", kb=kb)
    assert card.advice.recommendation.option_id != "checkpoint-activations"


def test_a_halved_batch_on_one_gpu_short_of_the_paper_accumulates_back_to_it(kb):
    """rq-2732: on a single A100 the batch was halved to 70 and the results fall short of the paper's; with no
    accumulation said, 70 is the batch a step runs, and two steps of it make the original 140 again."""
    for message in ("A100单卡训练，其中batchsize我改成了70（原来的一半），测试完发现和论文的数据相差很大",
                    "On a single A100 I had to use batch size 70 while the paper used 140, and my results are much "
                    "worse than the paper's."):
        c = run_consultation(message, kb=kb)
        assert c.wm.value("reference_batch") == 140
        assert (c.wm.value("accum_micro_batch"), c.wm.value("accum_steps")) == (70, 2), message
        assert c.advice.recommendation.option_id == "accumulate-to-target"
    # on several GPUs the batch said may be the total: not this plan
    several = run_consultation("On 4 GPUs I had to use batch size 70 while the paper used 140, and my results are "
                               "much worse than the paper's.", kb=kb)
    assert not several.wm.known("accum_micro_batch") or several.wm.value("accum_micro_batch") != 70


def test_a_sequence_too_long_for_any_card_is_split_before_checkpointing_is_offered(kb):
    """rq-2369: SFT of Yi-34B with DeepSpeed at 200K tokens, no card named. Checkpointing alone leaves 608.63 GiB of one
    sequence's activations and logits per GPU - over the largest card, and no sharding of the states divides it - so
    the answer splits the sequence (context parallelism) and does not offer checkpointing as the plan that fits."""
    c = run_consultation("I'm doing SFT of Yi-34B on my own data with deepspeed, but when the context is set to 200K "
                         "GPU memory blows up. Do I need Megatron-LM model parallelism to split the model?", kb=kb)
    lead = c.advice.findings[0]
    assert lead.id == "finding-sequence-too-long-for-any-card" and "context parallelism" in lead.text
    rest, largest = c.wm.value("plan_checkpointed_rest"), c.wm.value("largest_card_memory")
    assert rest > largest and rest < c.wm.value("plan_memory_needed_checkpointed")
    assert c.advice.recommendation.option_id != "checkpoint-activations"
    # a length one card holds once checkpointed: checkpointing is the lever, no split
    short = run_consultation("I'm doing SFT of Yi-34B on my own data with deepspeed at 4096 tokens and GPU memory blows "
                             "up. How do I bring it down?", kb=kb)
    assert short.wm.value("plan_checkpointed_rest") < largest
    assert "finding-sequence-too-long-for-any-card" not in [f.id for f in short.advice.findings]


def test_accumulation_left_as_it_was_on_more_machines_gets_the_steps_for_the_batch_meant(kb):
    """Review 22 #8: litgpt on two nodes keeps accumulation 8, so 16 × 8 × 16 GPUs = 2048 per update, not the 1024
    meant; the answer says so and gives the accumulation that makes 1024 (4)."""
    c = run_consultation("In pretrain.py the accumulation steps are calculated from the global batch size, devices "
                         "and micro batch size. On a single node this works: global batch size = 1024, devices = 8, "
                         "micro batch size = 16 gives 1024/8/16 = 8 accumulation steps. If I use two nodes, the "
                         "gradient accumulation step is still 8 (it still treats devices = 8). What is my real batch "
                         "size then?", kb=kb)
    assert c.wm.value("effective_batch") == 2048
    assert "rf-effective-batch" in [f.id for f in c.advice.red_flags]
    assert c.advice.recommendation.option_id == "accumulate-to-target"
    assert (c.wm.value("accum_micro_batch"), c.wm.value("accum_steps")) == (16, 4)


def test_little_gain_from_a_second_gpu_under_dataparallel_gets_ddp(kb):
    """Review 22 #23: 'DataParallel handles it automatically' inside a bracket after 'not the problem' was read as
    negated, so the textbook cause of a 10% gain from 2 GPUs went unsaid."""
    c = run_consultation("I see little difference in training time between 1 and 2 GPUs, maybe 10% improvement. "
                         "nvidia-smi shows both GPUs being used, so that's not the problem (DataParallel handles it "
                         "automatically). Is there something I should look out for with multi-GPU training?", kb=kb)
    assert c.wm.value("parallelism") == "dp"
    assert c.advice.recommendation.option_id == "ddp-instead-of-dataparallel"


def test_switching_to_fp16_on_a_card_without_bf16_is_confirmed(kb):
    """Review 22 #15: 'the Trainer refused bf16 on the T4, so I changed to fp16 = True, bf16 = False. Is that ok?' got
    no answer once fp16 was read; and 8-bit AdamW, which saves next to nothing for QLoRA, was listed as 'not enough
    on its own'; the sequence length counted (Llama 2's own 4,096) was not said to be assumed."""
    c = run_consultation("4-bit QLoRA fine-tune of Llama-2-7B on Colab: I got ValueError: Your setup doesn't support "
                         "bf16/gpu, so I changed \"fp16 = False, bf16 = True\" to \"fp16 = True, bf16 = False\". Is that "
                         "ok? Then OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 14.75 GiB "
                         "total capacity; 10.23 GiB already allocated)", kb=kb)
    findings = [f.id for f in c.advice.findings]
    assert "finding-fp16-right-without-bf16" in findings and "plan-ruled-out" not in findings
    assert "4096 tokens per sample" in c.wm.value("plan_current_assumed")
    said = run_consultation("QLoRA of Llama-2-7B with bf16 on a T4", kb=kb)  # (still bf16: the red flag instead)
    assert "finding-fp16-right-without-bf16" not in [f.id for f in said.advice.findings]
    assert "rf-bf16-unsupported" in [f.id for f in said.advice.red_flags]


def test_slower_on_two_machines_points_at_the_link_between_them(kb):
    """Review 22 #9: 'why is 2 nodes slower than 1?' (torchrun --nnodes 2 --nproc-per-node 2) read one machine and
    recommended nothing; the GPUs are 4, and the link between the machines is the first thing to measure."""
    c = run_consultation("When I run training on one machine with torchrun everything works. On two machines "
                         "(torchrun --nnodes 2 --nproc-per-node 2, node_rank 0/1) the time per step increased greatly. "
                         "Why is 2 nodes slower than 1, and what should I check?", kb=kb)
    assert (c.wm.value("num_gpus"), c.wm.value("num_nodes")) == (4, 2)
    assert "finding-multi-node-slower" in [f.id for f in c.advice.findings]
    assert c.advice.recommendation.option_id == "check-interconnect"
    one = run_consultation("Training on 2 GPUs in one machine is slower than on 1 GPU.", kb=kb)
    assert "finding-multi-node-slower" not in [f.id for f in one.advice.findings]


def test_fewer_gpus_and_a_smaller_per_device_batch_scale_the_lr_from_both(kb):
    """Review 23 #1: 'now gpus=8, per_device_train_batch_size=16, lr=5e-5 (accumulation 4). So if gpus=4,
    per_device_train_batch_size=4, lr ~6.25e-6, right?' mixed the old per-GPU batch with the new GPUs (16 × 4 × 4 =
    256); the batch per update goes 512 -> 64, and the LR asked about is the user's proposal, not their run's."""
    c = run_consultation("deepspeed --num_gpus=8 src/train_bash.py --finetuning_type lora "
                         "--per_device_train_batch_size 16 --gradient_accumulation_steps 4 --learning_rate 5e-5. Does "
                         "the learning rate need to be linearly scaled according to the number of GPUs and "
                         "per_device_train_batch_size? e.g. now gpus=8, per_device_train_batch_size=16, lr=5e-5. So if "
                         "gpus=4, per_device_train_batch_size=4, lr~6.25e-6, right?", kb=kb)
    assert (c.wm.value("reference_batch"), c.wm.value("batch_size"), c.wm.value("micro_batch")) == (512, 64, 4)
    assert c.wm.value("base_lr") == 5e-5 and c.wm.value("batch_scale_factor") == 0.125
    assert c.advice.recommendation.option_id == "retune-lr-for-batch"
    assert "rf-effective-batch" not in [f.id for f in c.advice.red_flags]
    # (64 is worked out from the change, not the user's arithmetic: no "Yes: 4 × 4 × 4 = 64" beside "lr ~6.25e-6, right?")
    assert "finding-effective-batch-as-said" not in [f.id for f in c.advice.findings]


def test_nnunet_epochs_are_a_fixed_number_of_iterations(kb):
    """Review 23 #14, review 22 #21: nnU-Net's epoch is 250 iterations whatever the batch, so a batch 4x larger takes
    about 4x as long per epoch; the answer leads with that instead of a generic LR warmup."""
    c = run_consultation("I'm training on multiple GPUs and have been increasing the batch size by editing the "
                         "nnUNetv2 plans file. With a batch size of 2 my total training time is 30 hours, so scaling "
                         "to a batch size of 8 results in 5 days. How should the number of iterations per epoch, the "
                         "epochs or the learning rate be altered?", kb=kb)
    assert c.advice.findings[0].id == "finding-nnunet-fixed-epoch"
    other = run_consultation("A 3D U-Net on BraTS with batch 2 takes 30 hours; batch 8 takes 5 days.", kb=kb)
    assert "finding-nnunet-fixed-epoch" not in [f.id for f in other.advice.findings]


def test_an_allocation_the_size_of_all_the_weights_is_named(kb):
    """Review 23 #7: 'Tried to allocate 11.50 GiB' inside accelerator.prepare() was called an activation; an
    allocation within 8% of params × 4 B (or × 2 B) is every weight at once (6.738B × 4 B = 25.10 GiB here)."""
    message = ("Full fine-tuning Llama-2-7B with FSDP on 8 A100 80GB: torch.OutOfMemoryError: CUDA out of memory. "
               "Tried to allocate {} GiB during accelerator.prepare()")
    ids = [f.id for f in consult(message.format("25.10"), kb=kb).findings]
    assert "finding-oom-allocation-is-weights" in ids and "finding-oom-allocation-one-tensor" not in ids
    other = [f.id for f in consult(message.format("18.00"), kb=kb).findings]
    assert "finding-oom-allocation-is-weights" not in other and "finding-oom-allocation-one-tensor" in other


def test_several_gpus_no_faster_is_not_asked_for_the_precision(kb):
    """Review 22 #9, #22: 'why are 2 GPUs no faster than 1?' asked which precision the run uses first; mixed precision
    speeds up each GPU, but it is no answer to why several do not scale."""
    c = run_consultation("I compared training time with 2 GPUs vs 1 GPU and the speedup is far from 2x: with 2 GPUs "
                         "the speedup is 1.17x. What is happening?", kb=kb)
    assert c.wm.value("claim_multi_gpu_slower") is True
    assert "precision" not in [q.id for q in c.advice.questions]
    alone = run_consultation("How can I make training faster on my A100?", kb=kb)
    assert "precision" in [q.id for q in alone.advice.questions]


def test_qlora_on_a_model_whose_experts_are_not_linear_layers_says_they_stay_16_bit(kb):
    """Review 22 #3: FSDP+QLoRA OOMs on DBRX where it fits for Mixtral 8x22B, and plain LoRA fits: DBRX keeps its
    experts as fused parameters, which bitsandbytes' Linear replacement leaves in 16 bits."""
    c = run_consultation("FSDP+QLoRA on one 8xA100 (80G) node: the same command works for Mixtral 8x22B, but I get "
                         "CUDA OOM for dbrx_instruct. --finetuning_type lora --quantization_bit 4", kb=kb)
    assert c.wm.value("model_preset") == "dbrx"
    assert c.advice.findings[0].id == "finding-experts-stay-16-bit"
    mixtral = run_consultation("FSDP+QLoRA of Mixtral 8x22B on 8xA100 80G: CUDA OOM. --quantization_bit 4", kb=kb)
    assert "finding-experts-stay-16-bit" not in [f.id for f in mixtral.advice.findings]


@pytest.mark.parametrize("message, precision", [
    ("I get CUDA out of memory training my segmentation model on a 2080 Ti at batch size 4; how do I make it fit?",
     "fp16 autocast (with a GradScaler)"),  # (no bf16 before Ampere)
    ("CUDA out of memory with batch_size 32 on my A100 in fp32. Any way to make it fit?", "bf16 autocast"),
])
def test_an_oom_with_nothing_to_count_gets_a_provisional_first_move(kb, message, precision):
    """The model's size unknown: no plan can be counted, but the activations can be cut whatever the model is; the
    advice says so at once, as provisional, and still asks for the size that would overturn it."""
    advice = consult(message, kb=kb)
    rec = advice.recommendation
    assert rec.option_id == "memory-savers"
    assert rec.rationale.startswith("Provisionally") and f"turn on {precision} and activation checkpointing" in rec.rationale
    assert "params" in rec.depends_on and advice.questions


def test_a_run_already_in_16_bits_is_told_only_to_checkpoint(kb):
    """Review 27 #22: a run already under fp16 AMP was told to "turn on fp16 autocast and activation
    checkpointing"; what it does not use yet is checkpointing alone."""
    rec = consult("CUDA out of memory with batch_size 8 on my A100, even with --fp16. Any way to make it fit?",
                  kb=kb).recommendation
    assert rec.option_id == "memory-savers" and rec.rationale.startswith("Provisionally")
    assert "you already compute in fp16 mixed precision, so turn on activation checkpointing" in rec.rationale
    assert "autocast" not in rec.rationale


def test_states_that_fit_with_activations_not_modelled_get_the_same_first_move(kb):
    """Review 24 #3: a vision-language model under ZeRO-3 whose states fit (5.96 GiB of 80) but whose activations the
    catalogue cannot count, run with --gradient_checkpointing false: what ran out is activations, cut first."""
    advice = consult("Fine-tuning Qwen2.5-VL-3B on 8 H100 with --deepspeed zero3.json --gradient_checkpointing false "
                     "--bf16 --per_device_train_batch_size 1, I get CUDA out of memory. How do I make it fit?", kb=kb)
    assert advice.recommendation.option_id == "memory-savers"
    # (its --bf16 already on: checkpointing is what is left to turn on)
    assert "you already compute in bf16 mixed precision, so turn on activation checkpointing" in \
        advice.recommendation.rationale


@pytest.mark.parametrize("message", [
    # (both already on: nothing of the option is new)
    "CUDA out of memory at batch 1 with --bf16 --gradient_checkpointing on my 3090; how do I make it fit?",
    # (a question why GPU 0 holds more: its own answer, not the activations)
    "DistributedDataParallel: GPU0 occupies much more memory than the others, so it easily goes OOM.",
])
def test_no_provisional_first_move_where_it_would_change_nothing(kb, message):
    assert consult(message, kb=kb).recommendation.option_id != "memory-savers"


def test_a_table_of_estimates_gives_no_card_size(kb):
    """DeepSpeed's estimator prints its per-CPU and per-GPU columns in a table: the sizes in its cells are the
    estimate's, not the card's (review 24 #4)."""
    found = read_message(kb, "It says it requires 0.49GB of GPU memory. HW: Setup with 1 node, 4 GPUs per node.\n"
                             "  per CPU  |  per GPU |   Options\n"
                             "  171.13GB |   0.49GB | offload_param=cpu, offload_optimizer=cpu, zero_init=1\n")
    assert "gpu_memory" not in found and found["num_gpus"][0] == 4


def test_a_huge_allocation_of_a_model_of_unknown_size_is_either_tensor_or_weights(kb):
    """Review 24 #6: 'Tried to allocate 26.08 GiB' for "BaiChuan-7B/13B" (no one model read) was called an
    activation; it is BaiChuan-7B's 7.0B × 4 B. With the size unknown the finding names both, with the parameter
    counts that would make it every weight at once, and no activation saver is recommended for it."""
    c = run_consultation("Full fine-tuning of our in-house model on V100 32G: CUDA out of memory. Tried to allocate "
                         "26.08 GiB (GPU 0; 31.75 GiB total capacity). How do I make it fit?", kb=kb)
    findings = {f.id: f for f in c.advice.findings}
    assert "finding-oom-allocation-one-tensor" not in findings
    text = " ".join(findings["finding-oom-allocation-tensor-or-weights"].text.split())
    assert "26.08 GiB is 7.001B parameters × 4 B in fp32, or 14B × 2 B in 16 bits" in text
    assert c.advice.recommendation.option_id != "memory-savers"
    # with "BaiChuan-7B/13B" read as its first model, the allocation is that model's every weight in fp32
    named = run_consultation("Full fine-tuning on BaiChuan-7B/13B on V100 32G: CUDA out of memory. Tried to allocate "
                             "26.08 GiB (GPU 0; 31.75 GiB total capacity). How do I make it fit?", kb=kb)
    assert [f.id for f in named.advice.findings][0] == "finding-oom-allocation-is-weights"


def test_a_throughput_of_unsaid_scope_on_several_gpus_gets_both_utilizations(kb):
    """Review 24 #24: torchtitan's "wps is only around ~200" on 32 H200s: read as the run's throughput (so the run
    trains, and its speed is the question), with the utilization both as the run's and as each GPU's."""
    c = run_consultation("I am running multinode_trainer.slurm (llama3_70b.toml) on 4 nodes that have 32 H200 GPUs. "
                         "However, wps is only around ~200. Any ideas what can cause this slowness?", kb=kb)
    assert c.wm.value("user_goal") == "faster" and c.wm.value("measured_tokens_per_second") == 200
    assert round(c.wm.value("measured_mfu_if_per_gpu") * 100, 2) == 8.56  # 6 × 70.55B × 200 / 989 TFLOP/s
    assert round(c.wm.value("measured_mfu") * 32, 4) == round(c.wm.value("measured_mfu_if_per_gpu"), 4)
    said = run_consultation("We get 3,000 tokens/s per GPU training Llama-3-8B on 8 H100s. Is that slow?", kb=kb)
    assert not said.wm.known("measured_mfu_if_per_gpu")  # (each GPU's, as said: one figure)


def test_qlora_several_times_slower_than_lora_points_at_a_setting(kb):
    """Review 24 #22: "the time cost of QLoRA is five times that of LoRA … could you explain the reason?" was
    answered with nothing to recommend: the dequantization is an overhead, and a multiple points at the compute
    dtype left at float32 or checkpointing on in one run only."""
    c = run_consultation("I find that QLoRA is much slower than LoRA with the same LoRA config - the time cost of QLoRA "
                         "is five times that of LoRA. I did not raise the batch size. Could you explain the reason?",
                         kb=kb)
    finding = c.advice.findings[0]
    assert finding.id == "finding-qlora-slower-than-lora" and "hf-bnb-compute-dtype" in finding.sources
    assert "bnb_4bit_compute_dtype left unset is float32" in " ".join(finding.text.split())


def test_a_vocabulary_named_gives_its_logits(kb):
    """Review 24 #16 and #17: "my dict has more than 500,000 lines" on 10 GB cards, and "vocab ≈ 248k" at 32k
    tokens: the logits are the memory, counted per 1,000 tokens (1.86 GiB) and at the sequence length (30.27 GiB),
    and no activation saver is recommended for them."""
    c = run_consultation("I get out of memory when computing log_softmax. My dict.*.txt file has more than 500,000 "
                         "lines. I have two 10G GPUs. Are there other approaches?", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert "finding-vocabulary-logits" in ids and round(c.wm.value("vocab_logits_per_thousand") / 2**30, 2) == 1.86
    assert c.advice.recommendation.option_id != "memory-savers"
    long = run_consultation("With vocab ≈ 248k and context 32k the fp32 logits are huge and the training forward "
                            "runs out of memory. What should be done?", kb=kb)
    assert round(long.wm.value("vocab_logits_at_sequence") / 2**30, 2) == 30.27  # 32,768 × 248,000 × 4 B
    # the micro-batch unsaid but the batch per update said on one GPU with no accumulation: that batch's logits
    nano = run_consultation("nanoGPT with vocab_size = 50304, block_size = 1024, batch_size = 8, "
                            "gradient_accumulation_steps = 1 on one 4090: OOM", kb=kb)
    assert nano.wm.value("vocab_logits_at_sequence") == 8 * 1024 * 50304 * 4


def test_darknet_scales_the_learning_rate_by_the_gpu_count_itself(kb):
    """Review 24 #12: a Darknet cfg's learning_rate divided by the GPU count was answered with the generic rule
    (scale the LR up with the batch); Darknet's trainer multiplies the rate by the GPU count itself."""
    c = run_consultation("Should I change learning rate or max_batches when I use multi-GPU instead of single GPU? "
                         "In yolov3.cfg:\n## single gpu\nlearning_rate=0.001\nburn_in=1000\nmax_batches = 550400\n"
                         "## 2 gpu\n#learning_rate=0.0005\n#burn_in=2000\n#max_batches = 500200", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-darknet-scales-lr" and "finding-lr-follows-batch-per-update" not in ids
    generic = consult("Should the learning rate change when I go from 1 GPU to 2 GPUs?", kb=kb)
    assert "finding-darknet-scales-lr" not in [f.id for f in generic.findings]


def test_a_batch_per_update_and_a_micro_batch_without_gpus_say_what_each_is(kb):
    """Review 24 #26: "batch_size = 2, accum_batch_size = 32 - what does accum_batch_size mean?" asked how many
    micro-batches are accumulated, which the message's own numbers say (32 / 2 = 16, split between accumulation
    and GPUs); the answer says what each batch decides. Not on an out-of-memory error, whose why is memory."""
    c = run_consultation("In ssd_pascal.py:\nbatch_size = 2 # 32\naccum_batch_size = 32\niter_size = accum_batch_size "
                         "/ batch_size\nI don't understand the meaning of accum_batch_size here. If I train on my own "
                         "dataset, should I modify its value?", kb=kb)
    finding = c.advice.findings[0]
    assert finding.id == "finding-micro-batches-per-update" and c.wm.value("micro_batches_per_update") == 16
    assert "grad_accum_steps" not in [q.id for q in c.advice.questions]
    oom = run_consultation("CUDA out of memory with batch_size = 2 and accum_batch_size = 32, why?", kb=kb)
    assert "finding-micro-batches-per-update" not in [f.id for f in oom.advice.findings]
    uneven = run_consultation("batch_size = 3, accum_batch_size = 32: what does accum_batch_size mean?", kb=kb)
    assert not uneven.wm.known("micro_batches_per_update")


def test_a_sharded_run_measuring_a_whole_16_bit_copy_was_given_the_whole_model(kb):
    """Review 24 #4: ZeRO-3 with offload on 4 GPUs, 6,805M parameters, "14678MiB after deepspeed.initialize()" and
    "why so much higher than the estimate?" got nothing to recommend: 14.33 GiB is 6.805B × 2 B = 12.68 GiB of
    16-bit weights on each GPU (a 1/4 shard is 3.17 GiB), the model placed whole on the GPU before partitioning."""
    message = ("GPU memory usage is significantly higher than estimated. It says in stage 3, with offload_optimizer "
               "and offload_param enabled, it requires 0.49GB of GPU memory for params, optim states and gradients. "
               "HW: Setup with 1 node, 4 GPUs per node. SW: Model with 6805M total params. But in training, the GPU "
               "memory usage is 14678MiB after deepspeed.initialize(). Why is it so much higher than the estimate?")
    c = run_consultation(message, kb=kb)
    finding = c.advice.findings[0]
    assert finding.id == "finding-sharded-run-holds-whole-weights" and "zero.Init" in finding.text
    assert round(c.wm.value("whole_weights_16bit") / 2**30, 2) == 12.68
    assert round(c.wm.value("whole_weights_16bit_shard") / 2**30, 2) == 3.17
    # a measurement far above the weights (activations in it) and a run that is not sharded say nothing of it
    for other in (message.replace("14678MiB", "40000MiB"),
                  message.replace("in stage 3, with offload_optimizer and offload_param enabled", "with DDP")):
        assert "finding-sharded-run-holds-whole-weights" not in [f.id for f in consult(other, kb=kb).findings]


def test_ultralytics_nominal_batch_answers_a_result_compared_across_batches(kb):
    """Review 25 #15 and #18: "worse mAP with batch 4 than your 16" (YOLOv5) and "batch 256 learns more slowly than
    128" (YOLO26) got memory findings or nothing; the trainer accumulates to 64 below it and scales the decay with
    the batch above it. An OOM's why stays a memory question."""
    c = run_consultation("When I train yolov5x on COCO I get worse mAP than yours; I use a 1080 GPU so the max batch "
                         "size I can set is 4, much smaller than your 16. Why?", kb=kb)
    assert c.advice.findings[0].id == "finding-ultralytics-batch" and c.wm.value("reference_batch") == 16
    above = run_consultation("YOLO26 reproduction: the results increase much more slowly with batch=256 than with "
                             "batch=128. Considering the nominal batch size rule, why are the differences so large?",
                             kb=kb)
    finding = above.advice.findings[0]
    # (its loss is summed over the images: a larger batch's step is already larger, lr0 stays - review 45 #26)
    text = " ".join(finding.text.split())
    assert finding.id == "finding-ultralytics-batch" and "the linear scaling rule built in" in text
    assert "keep lr0" in text and "raise lr0" not in text
    oom = consult("YOLOv5 with batch 16 runs out of memory while your 64 does not - why?", kb=kb)
    assert "finding-ultralytics-batch" not in [f.id for f in oom.findings]


def test_a_loss_growing_with_the_accumulation_steps_is_a_missing_normalisation(kb):
    """Review 25 #13: "logged loss values increase proportionally with gradient_accumulation_steps" (HF Trainer,
    DeepSpeed, LoRA) got a question about the accumulation; the loss is summed over the micro-batches where a mean
    was meant, and the gradient norm across k says whether the gradients are too."""
    c = run_consultation("Loss scales incorrectly with gradient accumulation steps in Trainer. torchrun with DeepSpeed, "
                         "LoRA fine-tuning of google/gemma-3-12b-it; logged loss values increase proportionally with "
                         "gradient_accumulation_steps instead of staying consistent. per_device_train_batch_size=1",
                         kb=kb)
    finding = c.advice.findings[0]
    assert finding.id == "finding-loss-grows-with-accumulation" and "num_items_in_batch" in finding.text
    assert not c.wm.known("batch_size")  # (a per-device batch of 1 under unsaid accumulation is no batch per update)
    assert c.advice.recommendation.rationale.startswith("What I noticed above is my answer so far")


def test_an_oom_after_thousands_of_iterations_is_a_kept_tensor_or_one_step(kb):
    """Review 25 #28 and #23: "CUDA out of memory after 8784 iterations" was told its OOM comes "at the same step
    every run" (one run was reported) and #23's got activation savers; a run that trained for a while fits its
    settings, so what the steps keep (a tensor carried across steps) or what one step holds is the question."""
    c = run_consultation("CUDA out of memory after more than 8000 iterations. The loss code is like: loss_sum += "
                         "loss.item(). But I got 'cuda out of memory' after 8784 iterations. Why?", kb=kb)
    finding = c.advice.findings[0]
    assert finding.id == "finding-oom-at-a-fixed-step" and ".detach()" in finding.text
    assert not c.wm.known("planned_steps")  # (the point where it failed is no length of the run)
    assert c.advice.recommendation.option_id != "memory-savers"


def test_a_pasted_config_without_accumulation_gives_the_tokens_per_update(kb):
    """Review 25 #9 (torchtitan): "what is the total number of tokens per optimizer step? 2 * 2048 or 2 * 2048 *
    4?" with the whole [training] section pasted was asked how many micro-batches it accumulates; a config that sets
    the batch and nothing of accumulation runs every framework's default, one step per update."""
    config = ("Quick question: I am using the following training config with 4 GPUs. What is the total number of "
              "tokens per optimizer step? Is it 2 * 2048 or 2 * 2048 * 4?\n[training]\nbatch_size = 2\n"
              "seq_len = 2048\nwarmup_steps = 2000\nmax_norm = 1.0\nsteps = 10000\ndata_parallel_degree = -1\n")
    c = run_consultation(config, kb=kb)
    assert c.wm.value("grad_accum_steps") == 1 and c.wm.value("tokens_per_step") == 16384
    assert c.advice.findings[0].id == "finding-tokens-per-update"
    assert "16384 tokens" in c.advice.findings[0].title
    assert "grad_accum_steps" not in [q.id for q in c.advice.questions]
    # (a global batch beside it, or accumulation named anywhere, leaves the count to them)
    for other in ("global_batch_size = 64\n", "gradient_accumulation_steps: see the launch script\n"):
        assert not run_consultation(config + other, kb=kb).wm.known("grad_accum_steps")


def test_ppo_on_a_game_trains_from_scratch_and_its_late_oom_is_a_kept_tensor(kb):
    """Review 25 #23: openai/baselines ppo2 on Atari, "after 71680 timesteps it goes OOM", was read as a fine-tune
    (PPO is an LLM's tuning method) and given bf16 autocast and checkpointing; a policy trained on a game starts
    from scratch, and an OOM after thousands of timesteps is what the steps keep."""
    c = run_consultation("PPO: run atari OOM. I run ppo2 with the default config on a single-GPU machine: python "
                         "run_atari.py. After 71680 timesteps it goes OOM.", kb=kb)
    assert not c.wm.known("training_mode") and not c.wm.known("rl_method")
    assert c.wm.value("oom_at_fixed_step") is True
    assert c.advice.findings[0].id == "finding-oom-at-a-fixed-step"
    assert c.advice.recommendation.option_id != "memory-savers"
    llm = run_consultation("PPO training of llama-2-7b with a reward model OOMs on 8 A100s", kb=kb)
    assert llm.wm.value("training_mode") == "finetune" and llm.wm.value("rl_method") == "ppo"


def test_an_oom_always_in_the_same_iteration_is_what_that_step_holds(kb):
    """Review 51 #27: "it always stop in same train iter (247)" under DDP - the OOM comes at one step of the run, so
    the answer is what that step holds (or keeps), not the memory savers of a first step."""
    c = run_consultation("CUDA out of memory during training step. I trained my model with two GPU by DDP(), it's "
                         "work well. But today it always show \"CUDA out of memory\" when training step and always stop "
                         "in same train iter (247).", kb=kb)
    assert c.wm.value("oom_at_fixed_step") is True
    # (the same step on every run is the same batch: finding-oom-same-step-each-run leads, review 64 #24)
    assert [f.id for f in c.advice.findings][:2] == ["finding-oom-same-step-each-run", "finding-oom-at-a-fixed-step"]


def test_a_larger_batch_that_slows_each_epoch_is_a_bottleneck_not_an_lr_question(kb):
    """Review 25 #22 (RVC on a GTX 1660, Windows): "changing the batch size from 3 to 10 proportionally slows down
    the process, one extra minute per epoch per +1 of batch" got a warmup for a scaled LR nobody asked about; fewer
    samples per second at a larger batch is a saturated pipeline or memory spilling into system RAM."""
    c = run_consultation("GTX 1660 6GB, Windows 10. Changing the GPU batch size from 3 to 10 proportionally slows "
                         "down the process, adding one extra minute to each epoch per +1 of batch size. Can I make "
                         "it use all the resources to speed up training?", kb=kb)
    flags = [f.id for f in c.advice.red_flags]
    assert flags[:1] == ["rf-slower-after-increase"] and "shared system memory" in c.advice.red_flags[0].counter
    assert "finding-warmup-for-larger-batch" not in [f.id for f in c.advice.findings]
    # (the same words of a batch lowered claim nothing of an increase)
    lowered = run_consultation("Changing the batch size from 32 to 8 slows down training on my 3090.", kb=kb)
    assert "rf-slower-after-increase" not in [f.id for f in lowered.advice.red_flags]
    # (an LR question at a larger batch keeps its warmup)
    lr = run_consultation("I increased the batch from 256 to 1024 with SGD at lr 0.1. What learning rate now?", kb=kb)
    assert "finding-warmup-for-larger-batch" in [f.id for f in lr.advice.findings]


def test_a_flag_commented_out_of_a_pasted_script_is_not_set(kb):
    """Review 26 #4: ms-swift on `NPROC_PER_NODE=4` with `# --tp_size 4 \\` commented out of the script was read
    as tensor parallelism over the four GPUs, one GPU in data parallel; the consultation reads the message with its
    line breaks, so a setting switched off stays off."""
    c = run_consultation("export NPROC_PER_NODE=4\nexport CUDA_VISIBLE_DEVICES=1,2,3,4\nswift sft \\\n"
                         "  --train_type lora \\\n  --max_length 512 \\\n  --per_device_train_batch_size 1 \\\n"
                         "  --gradient_accumulation_steps 16 \\\n# --tp_size 4 \\\nOn 4 * 3090 it OOMs.", kb=kb)
    assert c.wm.value("num_gpus") == 4 and not c.wm.known("model_parallel_gpus")
    assert c.wm.value("effective_batch") == 64


def test_the_first_gpu_alone_running_out_is_its_own_question(kb):
    """Review 26 #12: "the first card runs out of memory while the second and third still have lots of free memory;
    on a single card batch 6 fits" got a provisional bf16 and checkpointing; GPU 0 holding more than the others is
    DataParallel's gather (or other processes' CUDA contexts), which no activation saver evens out."""
    c = run_consultation("I'm training on three 12G cards, but the first card runs out of memory while the second "
                         "and third still have lots of free memory. It only runs without error when I set batchsize "
                         "to 1, whereas on a single card I can set batchsize to 6.", kb=kb)
    assert c.advice.findings[0].id == "finding-gpu0-extra-memory"
    assert "DataParallel" in c.advice.findings[0].text
    assert c.advice.recommendation.option_id != "memory-savers"


def test_two_measured_peaks_said_after_their_batches_give_the_line(kb):
    """Review 26 #10: "batch size no more than 4, which uses `13709MiB / 15360MiB` … With batch size 1 it uses
    `7835MiB`" was asked for two measurements it had given; the two points make the line."""
    c = run_consultation("I have a Tesla T4 with 16GB VRAM. I have to lower the batch size to no more than 4, which "
                         "uses `13709MiB / 15360MiB` according to nvidia-smi. With batch size 1 it uses `7835MiB`.",
                         kb=kb)
    assert c.wm.value("fit_per_sample") == pytest.approx((13709 - 7835) * 2**20 / 3, rel=1e-3)
    assert "peak_memory_by_batch" not in [q.id for q in c.advice.questions]


def test_a_batch_per_update_below_the_recipes_says_the_accumulation_that_restores_it(kb):
    """Review 26 #6 (InternVL's script, `BATCH_SIZE=${BATCH_SIZE:-128}` on 8 GPUs): "I have three 3090s. With
    PER_DEVICE_BATCH_SIZE=1, BATCH_SIZE should equal 1 x 3 x GRADIENT_ACC(4) = 12?" was answered with memory alone;
    the product asked about leads, with the recipe's 128 and the accumulation that comes nearest to it."""
    c = run_consultation("The basic setting in the finetune script is:\nGPUS=${GPUS:-8}\nBATCH_SIZE=${BATCH_SIZE:-128}\n"
                         "PER_DEVICE_BATCH_SIZE=${PER_DEVICE_BATCH_SIZE:-4}\n"
                         "GRADIENT_ACC=$((BATCH_SIZE / PER_DEVICE_BATCH_SIZE / GPUS))\nI have three 3090s. With "
                         "PER_DEVICE_BATCH_SIZE=1, BATCH_SIZE should equal 1 x 3 x GRADIENT_ACC(4) = 12?", kb=kb)
    assert c.wm.value("reference_batch") == 128 and c.wm.value("effective_batch") == 12
    first = c.advice.findings[0]
    assert first.id == "finding-own-batch-below-reference"
    assert c.wm.value("accum_steps") == 43 and c.wm.value("accum_effective_batch") == 129
    assert "10.7×" in first.text


def test_a_tensorflow_oom_gets_tensorflows_savers(kb):
    """Review 26 #20 (keras-retinanet on TF 1.4): "turn on bf16 autocast" named a PyTorch switch TensorFlow has
    not; a TensorFlow or Keras run is given its mixed policy or graph rewrite and tf.recompute_grad."""
    # (a TensorFlow before 1.14 has neither switch: test_a_tensorflow_older_than_its_mixed_precision_switches_…)
    c = run_consultation("keras-retinanet with TensorFlow 2.3, 4 GPUs x 4 images: ResourceExhaustedError: OOM when "
                         "allocating tensor. How can I make it fit?", kb=kb)
    rec = c.advice.recommendation
    assert rec.option_id == "memory-savers-tensorflow" and "tf.recompute_grad" in rec.rationale
    assert "memory-savers" not in [o.id for o in c.advice.options]
    torch = run_consultation("CUDA out of memory with my PyTorch model, batch 16. How can I make it fit?", kb=kb)
    assert torch.advice.recommendation.option_id == "memory-savers"


@pytest.mark.parametrize("message, finding", [
    # review 26 #2: ZeRO-3 with everything offloaded; what sharding divides is no longer on the GPU
    ("I'm training a GPT 13B model with ZeRO-3, but the per-GPU memory usage doesn't seem to go down when I increase "
     "the number of GPUs. I enabled offload_param and offload_optimizer to cpu.", "finding-sharded-memory-flat-with-gpus"),
    # review 26 #3: stage 3's buffers against the 4 bytes per parameter it saves beyond stage 1
    ("When I run the step1 supervised finetuning script, the memory usage with zero3 is larger than with zero1, which "
     "seems unreasonable.", "finding-zero3-more-than-lower-stage"),
])
def test_sharding_results_that_surprise_are_explained(kb, message, finding):
    c = run_consultation(message, kb=kb)
    assert c.advice.findings[0].id == finding
    assert c.advice.recommendation.option_id != "memory-savers"


def test_nvidia_smis_total_is_the_cards_memory(kb):
    """Review 26b #10: "16GB VRAM … `13709MiB / 15360MiB` according to nvidia-smi" was counted as a card of 16 GiB;
    the total nvidia-smi shows is what the card has (15 GiB on a T4), and the figure before it what the run used."""
    c = run_consultation("I have a Tesla T4 with 16GB VRAM. I have to lower the batch size to no more than 4, which "
                         "uses `13709MiB / 15360MiB` according to nvidia-smi. With batch size 1 it uses `7835MiB`.",
                         kb=kb)
    assert c.wm.value("gpu_memory") == 15 * 2**30
    assert c.wm.value("fit_max_micro_batch") == 4


@pytest.mark.parametrize("message, finding", [
    # review 27 #20: a why first, then the LR asked about with accumulation
    ("Relationship between batch size and LR. A guide says LR should be proportionally increased when you increase "
     "the batch size. 1. Why does it work that way? 2. When using grad_acum should I also increase LR?",
     "finding-lr-follows-batch-per-update"),
    # review 27 #14 (again review 59 #30): steps per GPU and what the effective batch means, with no batch said -
    # the finding that answers the first question says all three
    ("Do you count the training steps for each gpu? And does args.batch_size indicate the per-gpu batch size? What "
     "is the meaning of effective batch size?", "finding-steps-are-counted-once-for-all-gpus"),
])
def test_a_question_asked_beside_a_why_gets_its_principle(kb, message, finding):
    c = run_consultation(message, kb=kb)
    assert c.advice.findings and c.advice.findings[0].id == finding


def test_cards_summed_as_the_runs_memory_is_the_pooling_belief_not_a_use(kb):
    """Review 27 #2: "4 * A6000 GPUS = 192 GB total VRAM" was read as 178.81 GiB measured per GPU; it is the sum the
    user counts on, which data parallelism does not pool."""
    c = run_consultation("I need to train llama 3.1 70B in 8 bit Qlora or something using 4 * A6000 GPUS = 192 GB "
                         "total VRAM. Can I do it? Or what is the best way to train it using 192 GB total VRAM?", kb=kb)
    assert not c.wm.known("measured_use")
    assert [f.id for f in c.advice.red_flags][:1] == ["rf-gpu-memory-pools"]


def test_a_larger_batch_at_a_fixed_step_count_trains_on_more_data(kb):
    """Review 27 #5 (ChatGLM2 P-tuning, `--max_steps 3000`): "going from batch_size 1 to 8 makes training take
    several times longer" got SyncBatchNorm for a transformer ("a bigger batch normally" read as batch norm); with
    the steps fixed, 8 times the batch is 8 times the samples, and 3000 / 8 = 375 steps train on the same data."""
    c = run_consultation("Why does training take longer after I increase batch_size? Going from batch_size 1 to 8 "
                         "makes training take several times longer. Shouldn't a bigger batch normally speed training "
                         "up? torchrun --nproc-per-node=5 main.py --model_name_or_path /home/chatglm2-6b "
                         "--max_source_length 256 --per_device_train_batch_size 1 --gradient_accumulation_steps 16 "
                         "--max_steps 3000", kb=kb)
    first = c.advice.findings[0]
    assert first.id == "finding-fixed-steps-more-samples" and "375 steps" in " ".join(first.text.split())
    assert c.wm.value("uses_batchnorm") is False
    assert c.advice.recommendation.option_id != "sync-batchnorm"


def test_utilisation_flipping_between_full_and_idle_is_a_waiting_gpu(kb):
    """Review 27 #15 (insightface after a reboot, 800 → 200 samples/s): "the GPU utilization is sometimes 100%,
    sometimes 0%" is a GPU waiting for its next batch, which the answer leads with instead of asking the precision."""
    from advisor.consultation import read_message

    assert read_message(kb, "The GPU utilization is sometimes 100%, sometimes 0%.")["data_loader_bound"][0] is True
    assert read_message(kb, "GPU utilization is sometimes 0% and sometimes 95%")["data_loader_bound"][0] is True
    assert "data_loader_bound" not in read_message(kb, "GPU utilization is 100% all the time")
    c = run_consultation("Training with four gpus, per_batch_size=256, dropped to less than 200 samples/sec. The GPU "
                         "utilization is sometimes 100%, sometimes 0%, which makes training slow now. Why?", kb=kb)
    assert c.advice.recommendation.option_id == "fix-input-pipeline"


def test_one_gpus_batch_split_over_two_keeps_its_lr_and_averaging_asks_no_larger_one(kb):
    # review 27 #11: "on a single GPU batch 32, lr 1e-4; on two GPUs should the batch become 16? DDP averages the
    # gradients, so double the LR?" - 16 each is the same 32 per update, and averaging is what makes it one batch
    c = run_consultation("Say on a single GPU I used batch size 32 and learning rate 1e-4. Moving to two GPUs, if I "
                         "want to run something close to the single-GPU setup, should the batch size become 16? I "
                         "read that PyTorch under distributed_data_parallel averages the gradients of the two GPUs, "
                         "so should I double the learning rate to 2e-4, or keep it at 1e-4?", kb=kb)
    assert c.wm.value("effective_batch") == 32 and c.wm.value("reference_batch") == 32
    assert "finding-same-batch-size" in [f.id for f in c.advice.findings]
    assert "rf-lr-for-averaged-gradients" in [r.id for r in c.advice.red_flags]
    assert not [q for q in c.advice.questions if q.id in ("batch_scope", "reference_batch")]
    assert c.advice.recommendation.rationale == "What I noticed above is my answer."


@pytest.mark.parametrize("message, finding", [
    ("Is batch size 2 with gradient accumulation steps 4 equivalent to batch size 8 without accumulation? Do I need to "
     "change the learning rate?", "finding-same-batch-accumulated"),
    ("is bs 8 + grad accum 4 exactly the same as bs 64?", "finding-other-batch-accumulated"),
])
def test_two_accumulation_splits_are_compared_by_their_batch_per_update(kb, message, finding):
    c = run_consultation(message, kb=kb)
    assert finding in [f.id for f in c.advice.findings]
    assert c.wm.value("split_batch") == c.wm.value("split_micro_batch") * c.wm.value("split_accum_steps")
    assert not c.advice.questions or c.advice.questions[0].id != "optimizer"  # (no LR to scale for a change)


def test_a_per_gpu_recipe_without_its_gpu_count_and_a_run_that_already_reproduces_it(kb):
    # review 27 #12: the paper's 16 per GPU on an unsaid GPU count is no batch per update; the user's own bs 16 and
    # lr 0.05 on one 3090 already reach the paper's result ("the epoch is set to 30" is no batch either)
    c = run_consultation("In the paper, the learning rate is set to 0.1, the batch size is set to 16 per GPU (3090), "
                         "and the epoch is set to 30, but I didn't find in the paper how many GPUs are used. My device "
                         "is a single 3090, what config should I set? I tried batch size 16, epoch 50, and lr 0.05 and "
                         "I got pretty much the same result as in the paper.", kb=kb)
    assert c.wm.value("num_gpus") == 1 and c.wm.value("reference_micro_batch") == 16
    assert not c.wm.known("reference_batch") or c.wm.value("reference_batch") != 30
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-result-already-reproduced"
    assert "finding-reference-per-gpu-count-unsaid" in ids


def test_an_oom_at_a_late_iteration_is_not_asked_when_it_happens_and_data_size_is_no_memory(kb):
    # review 27 #24: "an OOM from tensorflow at iteration ~80k … the batch size, or reducing the training data?"
    c = run_consultation("Using around 70k wav files (18GB) I get an OOM from tensorflow at iteration ~80k. What is the "
                         "best way to reduce the memory usage of my GPU (TITAN RTX)? Would it be the batch size in "
                         "autoregressive_config.yaml, or would you recommend reducing the training data?", kb=kb)
    assert c.wm.value("oom_at_fixed_step") is True
    assert "oom_stage" not in [q.id for q in c.advice.questions]
    assert "rf-data-set-size-not-memory" in [r.id for r in c.advice.red_flags]
    early = run_consultation("I get an OOM at step 1 on my 3090 with batch 8.", kb=kb)
    assert early.wm.value("oom_at_fixed_step") is not True


def test_a_whole_run_longer_on_more_gpus_is_read_as_a_step_count_and_gpus_available_is_not_asked(kb):
    # review 28 #23: "one 4090: 46 hours; 7 * 4090: 55 hours … batch 16: 98 hours"
    c = run_consultation("The more GPUs used, the slower the fine-tuning speed becomes. When using a single 4090 (24G), "
                         "the training time is 46 hours, whereas using 7 * 4090 (24G) increases the training time to "
                         "55 hours.", kb=kb)
    assert c.advice.findings[0].id == "finding-run-length-set-in-steps"
    assert "gpus_available" not in [q.id for q in c.advice.questions]


def test_a_jax_run_gets_jaxs_memory_savers_and_xlas_device_memory_is_read(kb):
    # review 28 #18, #19: no PyTorch autocast or DeepSpeed plan for a JAX run; XLA's "Used X of Y hbm" gives the
    # device's memory, which is then not asked
    first = run_consultation("jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory while trying "
                             "to allocate 2.1GiB in the jitted train_step of my ViT on 8 A100s.", kb=kb)
    rec = first.advice.recommendation
    assert rec.option_id == "memory-savers-jax" and "jax.checkpoint" in rec.rationale
    sharded = run_consultation("Training a 1.1B model with EasyDeL (JAX) on a TPU v2-8: XlaRuntimeError: "
                               "RESOURCE_EXHAUSTED: XLA:TPU compile permanent error. Ran out of memory in memory space "
                               "hbm. Used 21.90G of 7.48G hbm. Exceeded hbm capacity by 14.42G.", kb=kb)
    assert sharded.wm.value("gpu_memory") == 8 * 2**30  # (7.48 GiB usable: the core's 8 GiB)
    assert "gpu_memory" not in [q.id for q in sharded.advice.questions]
    assert sharded.advice.recommendation.option_id == "shard-states-jax"
    assert not [o for o in sharded.advice.options if "deepspeed" in o.title.lower()]


def test_a_card_full_of_memory_the_failing_run_did_not_hold_is_a_placement_problem(kb):
    # review 28 #2: "GPU 0 has a total capacity of 31.60 GiB of which 87.44 MiB is free. Process 441650 has 30.51 GiB
    # memory in use … Of the allocated memory 594.01 MiB is allocated by PyTorch": another process fills the card
    c = run_consultation("I have 3 GPUs; a local simulation server uses one. Training OOMs: torch.OutOfMemoryError: CUDA "
                         "out of memory. Tried to allocate 148.00 MiB. GPU 0 has a total capacity of 31.60 GiB of which "
                         "87.44 MiB is free. Process 441650 has 30.51 GiB memory in use. Of the allocated memory 594.01 "
                         "MiB is allocated by PyTorch, and 5.99 MiB is reserved by PyTorch but unallocated.", kb=kb)
    held = c.wm.value("memory_outside_pytorch")
    assert abs(held / 2**30 - (31.60 - 87.44 / 1024 - 594.01 / 1024 - 5.99 / 1024)) < 0.01
    assert c.advice.findings[0].id == "finding-oom-memory-held-elsewhere"
    assert c.advice.recommendation.option_id == "free-the-card"
    # a card with most of it free that still refuses a small allocation is no such case
    other = run_consultation("CUDA out of memory. Tried to allocate 400.00 MiB. GPU 0 has a total capacity of 8.00 GiB "
                             "of which 6.57 GiB is free. Of the allocated memory 339.81 MiB is allocated by PyTorch.",
                             kb=kb)
    assert "finding-oom-memory-held-elsewhere" not in [f.id for f in other.advice.findings]


def test_why_grpos_batch_divides_by_its_group_size_is_answered_with_the_principle(kb):
    # review 27 #10: a conceptual question with no numbers gets the reason, not a question
    c = run_consultation("GRPO config: num_generations is the number of generations per prompt to sample. The global "
                         "batch size (num_processes * per_device_batch_size) must be divisible by this value. Does "
                         "anyone know why?", kb=kb)
    assert c.advice.findings[0].id == "finding-grpo-whole-groups"
    assert not c.advice.questions


def test_the_memory_a_plan_needs_says_what_it_assumed(kb):
    # review 28 #6: "1796 GiB per GPU" stood on 4096 tokens per sample the message never said
    c = run_consultation("LoRA fine-tuning baichuan-7b with per_device_train_batch_size 64, gradient_accumulation_steps "
                         "2, fp16: memory keeps rising until OOM.", kb=kb)
    title = c.advice.findings[0].title
    assert c.advice.findings[0].id == "finding-memory-needed-assuming" and "assuming 4096 tokens per sample" in title
    said = run_consultation("LoRA fine-tuning baichuan-7b with per_device_train_batch_size 4, max length 512, fp16, "
                            "sdpa attention: how much GPU memory does it need?", kb=kb)
    ids = [f.id for f in said.advice.findings]
    assert "finding-memory-needed" in ids or "finding-memory-needed-assuming" in ids


def test_a_tensorflow_or_jax_run_whose_states_fit_gets_its_own_savers_and_sharding_over_unsaid_devices_is_no_copy(kb):
    # the plan search's PyTorch plans are off for them: a Flax run at a batch that does not fit still gets JAX's
    # savers; "--fsdp=True" on a TPU's cores, their count unsaid, is no whole copy on one device
    flax = run_consultation("I'm training GPT2 with Flax on TPU and get TPU out of memory: RESOURCE_EXHAUSTED: Ran out of "
                            "memory in memory space hbm. Used 17.91G of 15.48G hbm. The original example uses batch "
                            "size 64 and it works, but with 256 I get OOM. --model_type=gpt2 --block_size=512 "
                            "--per_device_train_batch_size=256", kb=kb)
    assert flax.advice.recommendation.option_id == "memory-savers-jax"
    sharded = run_consultation("For llama 7b on tpu v3-8 (--fsdp=True) accumulate_gradient_steps=2 fails with "
                               "RESOURCE_EXHAUSTED: Used 23.43G of 15.48G hbm.", kb=kb)
    assert sharded.advice.recommendation.option_id != "smaller-model-or-bigger-gpu"
    assert sharded.wm.value("plan_replicated_full") is False


def test_an_oom_with_no_batch_said_is_not_put_beside_a_count_at_the_largest_batch(kb):
    # review 28 #25: with no batch said, the count is at the largest batch that fits - the card - so "it ran out
    # where I count 11.00 GiB of 11 GiB, something else took the rest" would be no finding
    c = run_consultation("Trained mask fpn rcnn (Resnet50) with 4 GPUs (11GB memory), it ran out of memory after a few "
                         "iterations. What's the best way to reduce memory need?", kb=kb)
    assert "plan-fits-but-oom" not in [f.id for f in c.advice.findings]


def test_a_stage_of_the_step_named_without_an_oom_is_no_oom_stage(kb):
    # review 28b #9: "offload the activations and reload them during the backward calculation" reports no OOM
    found = read_message(kb, "Does TorchTitan plan to offload the activation values and reload them during the backward "
                             "calculation to reduce the activation memory?")
    assert "oom_stage" not in found
    assert read_message(kb, "I get CUDA out of memory during the backward pass on my 3090")["oom_stage"][0] == "backward"


def test_tensorflows_op_path_of_a_layernorm_is_no_batchnorm(kb):
    # review 28 #17: "name1_norm2/batchnorm/mul_2" is the op TensorFlow names inside a LayerNorm
    found = read_message(kb, "OOM when allocating tensor with shape[8,65536,64] and type float [[node "
                             "swin_unet/name1_norm2/batchnorm/mul_2]]")
    assert "uses_batchnorm" not in found
    assert read_message(kb, "ResNet50 with nn.BatchNorm2d on 4 GPUs")["uses_batchnorm"][0] is True


def test_memory_that_doubles_when_ddp_wraps_the_model_is_its_gradient_buckets(kb):
    # review 28 #30
    c = run_consultation("Memory double when initialize DDP: after constructing DDP(model, device_ids=[rank]) the max "
                         "memory allocated doubles. Are there any solutions?", kb=kb)
    assert c.advice.findings[0].id == "finding-ddp-gradient-buckets"
    assert "gradient_as_bucket_view=True" in c.advice.findings[0].text


@pytest.mark.parametrize("message", [
    # review 28 #29, review 27 #30: a GPU simulator's memory, not the policy's activations
    "IsaacGym training uses 13GB for 2 environments with batch size 32 on my 16GB 4060 Ti; the default is 2048 envs.",
    "legged_gym: CUDA out of memory even with num_envs 1 on an RTX 3060 Laptop, while it runs fine on CPU.",
])
def test_a_gpu_simulators_memory_is_its_own(kb, message):
    c = run_consultation(message, kb=kb)
    assert c.advice.findings[0].id == "finding-simulator-memory"
    assert c.advice.recommendation.option_id != "memory-savers"


def test_a_tensorflow_older_than_its_mixed_precision_switches_is_not_told_to_use_them(kb):
    # review 28b #15: TF 1.13.1 has neither the graph rewrite (1.14) nor the Keras policy (2.4)
    old = run_consultation("BERT-large with tensorflow of 1.13.1 on 2 x Tesla P40: batch 24 works, batch 32 gives "
                           "ResourceExhaustedError OOM.", kb=kb)
    assert old.advice.recommendation.option_id != "memory-savers-tensorflow"
    new = run_consultation("Keras model with tensorflow 2.10: ResourceExhaustedError OOM when allocating tensor.", kb=kb)
    assert new.advice.recommendation.option_id == "memory-savers-tensorflow"


def test_an_oom_raised_by_the_generation_engines_allocator_is_the_engines(kb):
    # review 28 #1: "RuntimeError: CUDA Error: out of memory at /workspace/csrc/cumem_allocator.cpp:62" in GRPO colocate
    c = run_consultation("GRPO colocate mode with --use_vllm true --vllm_gpu_memory_utilization 0.3 on 8 GPUs: "
                         "RuntimeError: CUDA Error: out of memory at /workspace/csrc/cumem_allocator.cpp:62", kb=kb)
    assert c.advice.findings[0].id == "finding-oom-in-generation-engine"
    assert c.advice.recommendation.option_id != "memory-savers"


def test_an_oom_raised_copying_to_the_cpu_is_pinned_host_memory(kb):
    # review 28 #20: "CUDA error: out of memory" in `weights_to_device(b, torch.device('cpu'))` under WSL2
    c = run_consultation("Wan2.1 1.3B LoRA on a 4080 16GB under WSL2: with blocks_to_swap 8 I get File offloading.py, in "
                         "prepare_block_devices_before_forward: weights_to_device(b, torch.device('cpu')) RuntimeError: "
                         "CUDA error: out of memory", kb=kb)
    assert c.advice.findings[0].id == "finding-oom-copying-to-host"
    assert c.advice.recommendation.option_id != "memory-savers"


def test_a_tensorflow_oom_names_its_tensor_whose_size_is_worked_out(kb):
    # review 28 #17: "OOM when allocating tensor with shape[8,65536,64] and type float"
    c = run_consultation("Keras Swin-UNet at 512x512: ResourceExhaustedError: OOM when allocating tensor with "
                         "shape[8,65536,64] and type float on /job:localhost/replica:0/task:0/device:GPU:0", kb=kb)
    assert c.wm.value("oom_tensor_bytes") == 8 * 65536 * 64 * 4
    assert c.advice.findings[0].id == "finding-oom-tensor-shape"
    half = run_consultation("OOM when allocating tensor with shape[64,192,300,300] and type half", kb=kb)
    assert half.wm.value("oom_tensor_bytes") == 64 * 192 * 300 * 300 * 2


def test_tensorflows_allocator_summary_says_whether_the_run_used_all_it_had(kb):
    # review 28: TensorFlow's "Limit: … InUse: …" (bytes printed bare) was left unread
    full = run_consultation("Keras EfficientNetB4 on a GTX 1080 Ti, batch 16: ResourceExhaustedError: OOM when allocating "
                            "tensor with shape[16,1632,12,12] and type float. Limit: 10586741146, InUse: 10556298496, "
                            "MaxInUse: 10586000000, MaxAllocSize: 3721396224", kb=kb)
    assert full.wm.value("tf_allocator_limit") == 10586741146 and full.wm.value("tf_allocator_in_use") == 10556298496
    assert full.wm.value("tf_allocator_left") == 10586741146 - 10556298496  # (not MaxInUse's figure)
    ids = [f.id for f in full.advice.findings]
    assert "finding-tf-allocator-full" in ids and "finding-tf-allocator-fragmented" not in ids
    # a block that would have fit in what was left: fragmentation, with TensorFlow's own suggestion
    torn = run_consultation("Keras on a V100 16GB: Allocator (GPU_0_bfc) ran out of memory trying to allocate 489.80MiB. "
                            "Stats: Limit: 14357954560 InUse: 11357954560 MaxInUse: 12357954560", kb=kb)
    ids = [f.id for f in torn.advice.findings]
    assert "finding-tf-allocator-fragmented" in ids and "finding-tf-allocator-full" not in ids
    assert "cuda_malloc_async" in next(f.text for f in torn.advice.findings if f.id == "finding-tf-allocator-fragmented")
    # figures that do not add up give no finding; a sentence's "limit" is no allocator's
    odd = run_consultation("Limit: 1000000000 InUse: 2000000000, OOM when allocating tensor in Keras", kb=kb)
    assert "tf_allocator_left" not in odd.wm.facts
    said = run_consultation("Keras OOM. The limit: 16000000 images per epoch, in use: 12000000 of them", kb=kb)
    assert "tf_allocator_limit" not in said.wm.facts  # (the allocator prints InUse right after its Limit)


def test_a_batch_halved_into_accumulation_keeps_the_batch_per_update(kb):
    # review 29 #1: "halving the batch size to 56 and setting gradient accumulation to 2 (56 × 2 = 112)", and the
    # memory did not drop
    c = run_consultation("The original training batch size is 112, but because of CUDA out of memory I want to reduce "
                         "it. I tried halving the batch size to 56 and setting gradient accumulation to 2 to keep the "
                         "same number of training steps. However, the final batch size still equals 112, so it did not "
                         "relieve the CUDA memory pressure.", kb=kb)
    assert (c.wm.value("micro_batch"), c.wm.value("grad_accum_steps"), c.wm.value("batch_size")) == (56, 2, 112)
    assert c.wm.value("batch_scale_factor") == 1
    finding = next(f for f in c.advice.findings if f.id == "finding-accumulation-keeps-the-batch-not-the-memory")
    assert "56 × 2 accumulation steps keeps 112 per update" in finding.title
    # halved with no accumulation: a smaller batch per update, and no such finding
    alone = run_consultation("OOM at batch 112, so I halved the batch size to 56 and it still runs out of memory", kb=kb)
    assert alone.wm.value("batch_size") == 56
    assert "finding-accumulation-keeps-the-batch-not-the-memory" not in [f.id for f in alone.advice.findings]


def test_an_oom_only_in_evaluation_is_what_evaluation_keeps(kb):
    # review 29 #15: "Training works, Validation Fails OOM (With Reproduction Notebook)", eval batch 1, on a T4
    c = run_consultation("Training works, Validation Fails OOM (With Reproduction Notebook). Run the notebook on a T4: "
                         "training works with many more samples than validation; validation fails with a CUDA out of "
                         "memory error. The code sets per_device_eval_batch_size to 1.", kb=kb)
    assert c.wm.value("oom_stage") == "evaluation"
    assert "goal" not in c.wm.facts  # (a notebook that reproduces the bug is no result to reproduce)
    finding = next(f for f in c.advice.findings if f.id == "oom-evaluation")
    assert "eval_accumulation_steps" in finding.text and "hf-eval-accumulation" in finding.sources
    assert c.advice.recommendation.option_id != "memory-savers"  # (no activation is saved for backward there)
    for said in ("the evaluation still OOMs", "validation runs out of memory at the end of epoch 1",
                 "eval loop crashes with CUDA OOM",
                 # review 37 #8: the prediction pass after training
                 "then it errors out with OOM at the final step of saving the model predictions"):
        assert run_consultation(f"Fine-tuning fits, but {said}.", kb=kb).wm.value("oom_stage") == "evaluation", said


@pytest.mark.parametrize("framework, call", [
    ("PyTorch", "torch.cuda.max_memory_reserved()"),
    ("Keras", "tf.config.experimental.get_memory_info('GPU:0')['peak']"),
    ("Flax with JAX", "jax.devices()[0].memory_stats()['peak_bytes_in_use']"),
    ("TF 1.15 Keras", "tf.contrib.memory_stats.MaxBytesInUse()"),  # (tf.config's counter came with TF 2.5)
])
def test_the_peak_is_read_with_the_frameworks_own_counter(kb, framework, call):
    # review 29: torch.cuda counters were prescribed to TensorFlow and JAX runs
    c = run_consultation(f"{framework}: ResNet-50 on a 16GB V100 at batch 64 runs out of memory", kb=kb)
    measure = next(m for m in c.advice.measure if m.id == "measure-full-step-memory")
    assert call in measure.text


def test_the_states_only_finding_names_the_frameworks_peak_counter(kb):
    # review 50 #27: Keras MobileNetV2 on 4 V100s OOMs even when the batch size is reduced to 32 - the model's states
    # are a sliver of the card, and what ran out is read with TensorFlow's counter, not torch.cuda's
    c = run_consultation("TF2 Keras OOM training ImageNet with MobileNet V2 on 4x Tesla V100 16G with "
                         "tf.distribute.MirroredStrategy(), optimizer='adam'. OOM errors even when the batch size is "
                         "reduced to 32.", kb=kb)
    assert c.wm.value("model_preset") == "mobilenet-v2" and c.wm.value("batch_size") == 32
    finding = next(f for f in c.advice.findings if f.id == "plan-oom-activations-not-counted")
    assert "get_memory_info('GPU:0')['peak']" in finding.text and "torch.cuda" not in finding.text


def test_gpu_memory_that_steps_up_each_epoch_is_told_from_a_leak(kb):
    # review 29 #2: "memory consumption increases by about 254MB with each epoch … after validation"
    c = run_consultation("GPU memory consumption increases every epoch. While training on ImageNet-1K, I noticed that "
                         "memory consumption increases by about 254MB "
                         "with each epoch. After validation, memory consumption is higher than in the previous epoch. "
                         "For now I call torch.cuda.empty_cache(); will this cause problems?", kb=kb)
    assert c.advice.findings[0].id == "finding-gpu-memory-grows-per-epoch"
    assert "memory_allocated()" in c.advice.findings[0].text
    # the host's RAM said to grow is the host's finding, not this one (review 29 #23)
    host = run_consultation("RAM memory leak? I'm facing massively increasing RAM during training on 2 GPUs with 4 "
                            "workers each.", kb=kb)
    ids = [f.id for f in host.advice.findings]
    assert "finding-host-ram-grows" in ids and "finding-gpu-memory-grows-per-epoch" not in ids


def test_gpu_memory_that_climbs_step_after_step_is_what_the_loop_keeps(kb):
    # "memory keeps increasing every iteration until OOM after ~300 steps": a kept tensor, not the batch; no
    # activation savers, no question for a precision that only a bf16 red flag could use on a pre-Ampere card
    c = run_consultation("Memory keeps increasing every iteration until OOM after ~300 steps. I'm using a custom "
                         "training loop in PyTorch, storing loss in a list for logging. RTX 2080 Ti.", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-gpu-memory-grows-per-step" and "finding-oom-at-a-fixed-step" not in ids
    assert "loss.item()" in c.advice.findings[0].text
    assert c.wm.value("oom_at_fixed_step") is True  # ("after ~300 steps": the first steps fitted)
    assert c.advice.recommendation.option_id is None and not c.advice.questions
    assert c.advice.recommendation.rationale == "What I noticed above is my answer."
    # without an OOM yet, the same; and the host's RAM said to climb is the host's finding
    assert run_consultation("GPU memory usage grows with each batch although the batch size is fixed. A100 40GB",
                            kb=kb).advice.findings[0].id == "finding-gpu-memory-grows-per-step"
    host = run_consultation("CPU memory increases every iteration while training on one 3090.", kb=kb)
    assert "finding-gpu-memory-grows-per-step" not in [f.id for f in host.advice.findings]


def test_doubling_the_batch_to_go_faster_and_the_lr_with_it_are_both_countered_in_the_short_answer(kb):
    # "someone suggested doubling the batch to 2048 to go faster. Should we also double the LR?": two beliefs, each
    # a red flag, and the short answer keeps their titles before the first item's explanation runs long
    from advisor.shells.render import render_short

    c = run_consultation("We're pretraining a 1.3B GPT-style model on 64 A100 80GB (8 nodes), global batch 1024 "
                         "sequences of 2048 tokens, lr 2e-4. Someone suggested doubling the batch to 2048 to go "
                         "faster. Should we also double the LR?", kb=kb)
    flags = [f.id for f in c.advice.red_flags]
    assert "rf-double-lr" in flags and "rf-bigger-batch-faster" in flags
    short = render_short(c)
    assert all(f.title in short for f in c.advice.red_flags)


def test_a_larger_batch_asked_about_is_counted_from_the_memory_measured(kb):
    # "it uses 15.8GB at batch 2 - can I go to batch 4?": the measurement less what does not grow with the batch
    c = run_consultation("I'm training Stable Diffusion XL LoRA with kohya on a 4060 Ti 16GB, batch 2, 1024x1024, "
                         "gradient checkpointing on, and it uses 15.8GB. Can I go to batch 4?", kb=kb)
    assert c.wm.value("asked_batch") == 4 and c.wm.value("asked_batch_from") == 2
    assert c.advice.findings[0].id == "finding-asked-batch-from-use" and c.wm.value("asked_batch_fits") is False
    assert "accumulate 4 / 2 steps" in c.advice.findings[0].text and not c.advice.questions
    assert not c.wm.known("batch_scale_factor")  # (asked whether it fits: no change of the run)
    # one measurement far below the card: it fits whatever part of it grows
    sure = run_consultation("My model uses 9GB at batch 8 on a 24GB 3090. Would batch 16 fit?", kb=kb)
    assert sure.advice.findings[0].id == "finding-asked-batch-surely-fits"
    # asked with the LR: a change of the batch the LR was tuned for
    lr = run_consultation("I use batch 32 with lr 1e-4 and AdamW on a 3090. Can I increase the batch size to 64? "
                          "What LR then?", kb=kb)
    assert lr.wm.value("reference_batch") == 32 and lr.wm.value("batch_scale_factor") == 2
    assert "0.000141" in lr.advice.recommendation.rationale
    from advisor.consultation import read_message
    for said, batch in (("Is batch 32 possible on my card?", 32), ("Should I set bs=16?", 16),
                        ("Could we raise the batch size to 64?", 64)):
        assert read_message(kb, said)["asked_batch"][0] == batch, said
    assert "asked_batch" not in read_message(kb, "I can use batch 64 now.")  # (said, not asked)


def test_throughput_named_before_its_figure_is_no_batch_and_gives_the_mfu(kb):
    # "my tokens/s … is 3,000 per GPU": read as the micro-batch 3000 before (224,710 GiB a GPU); it is a throughput
    c = run_consultation("My tokens/s with FSDP on 8xH100 for llama-3-8b is 3,000 per GPU at seq 8192 micro batch 1. "
                         "That seems low, what MFU is that?", kb=kb)
    assert c.wm.value("micro_batch") == 1 and c.wm.value("measured_tokens_per_second") == 3000
    assert c.wm.value("throughput_per_gpu") is True and c.wm.value("model_preset") == "llama-3-8b"
    assert "Your throughput uses 14.6% of the cards' peak" in c.advice.findings[0].title


def test_a_fine_tune_choosing_between_two_batches_is_told_what_decides_more(kb):
    # "Should I use batch size 32 or 64 for fine-tuning BERT-base on 5k examples?": no GPUs, so no DDP lesson
    c = run_consultation("Should I use batch size 32 or 64 for fine-tuning BERT-base on a small dataset (5k "
                         "examples)?", kb=kb)
    assert c.wm.value("user_goal") == "choose_batch"
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-finetune-batch-choice" and "finding-batch-per-gpu-under-ddp" not in ids
    assert c.wm.value("recipe_updates_per_epoch") == 157  # ⌈5000 / 32⌉


def test_more_gpus_that_speed_up_less_than_their_number_get_the_checklist(kb):
    c = run_consultation("Going from 1 to 4 A100s with DDP, per-GPU batch 64 kept, my epoch time only went from 60 "
                         "min to 25 min instead of 15. Is that normal?", kb=kb)
    assert c.wm.value("claim_multi_gpu_sublinear") is True
    assert c.advice.findings[0].id == "finding-multi-gpu-no-faster"


def test_a_tpu_slice_counts_its_devices_and_their_memory(kb):
    # "a TPU v4-8, global batch 4096": 4 chips of 32 GiB, not one card holding all 4096 (1,204.93 GiB before)
    c = run_consultation("JAX/Flax training of a ViT-L on a TPU v4-8, global batch 4096, I get RESOURCE_EXHAUSTED: "
                         "Out of memory while trying to allocate 3.2G. What should I change?", kb=kb)
    assert c.wm.value("num_gpus") == 4 and c.wm.value("gpu_memory") == 32 * 2**30
    assert c.wm.value("model_preset") == "vit-l-16" and c.wm.value("plan_current_per_gpu") < 32 * 2**30
    from advisor.consultation import read_message
    v3 = read_message(kb, "Training on a v3-8 TPU with batch 1024")
    assert v3["num_gpus"][0] == 8 and v3["gpu_memory"][0] == 16 * 2**30
    assert "num_gpus" not in read_message(kb, "TPU v4 pods are fast")  # (no slice, no count)


def test_detectron2_on_one_gpu_gets_its_lr_from_the_8_gpu_recipe(kb):
    # review 32 #17: "Default config has IMS_PER_BATCH=16 and BASE_LR=0.02 for 8 GPUs. I set IMS_PER_BATCH=2" on one
    # 3080 was read as 8 GPUs and asked the optimizer; detectron2's solver is SGD with momentum
    c = run_consultation("Mask R-CNN (detectron2, R50-FPN) on 1x RTX 3080 10GB. Default config has IMS_PER_BATCH=16 "
                         "and BASE_LR=0.02 for 8 GPUs. I set IMS_PER_BATCH=2. What should BASE_LR and MAX_ITER be?",
                         kb=kb)
    assert c.wm.value("num_gpus") == 1 and c.wm.value("optimizer") == "sgd_momentum"
    assert "optimizer" not in [q.id for q in c.advice.questions]
    assert "0.0025" in c.advice.recommendation.rationale


def test_low_utilisation_asked_as_a_batch_question_points_at_the_input(kb):
    # review 32 #5 and #24: "GPU util is 30% … Is my batch too small?" and "utilization hovers around 25-35%,
    # num_workers=2 … would a bigger batch help?" were asked for the data set's size
    c = run_consultation("GPU util is 30% on my V100 training ResNet-50 with batch 64. Is my batch too small?", kb=kb)
    assert "rf-low-utilization" in [f.id for f in c.advice.red_flags]
    assert "dataset_size" not in [q.id for q in c.advice.questions]
    loader = run_consultation("training a small CNN on CIFAR-10 with batch 128 on A100, utilization hovers around "
                              "25-35%. num_workers=2, pin_memory=False. data is PNG files on disk. Would a bigger "
                              "batch help?", kb=kb)
    assert loader.wm.value("gpu_utilization") == 35
    assert loader.advice.findings[0].id == "finding-few-loader-workers"


def test_a_slow_run_of_tiny_micro_batches_is_told_to_raise_them(kb):
    # review 32 #23: "per_device_train_batch_size=1, gradient_accumulation_steps=64 … each step takes forever"
    from advisor.shells.render import render_short

    c = run_consultation("Fine-tuning Qwen2-7B with LoRA on a single H100 80GB. per_device_train_batch_size=1, "
                         "gradient_accumulation_steps=64, seq 2048. GPU memory use is only 22GB and each step takes "
                         "forever. How can I speed this up?", kb=kb)
    assert c.advice.findings[0].id == "finding-small-micro-many-steps"
    assert "Double the micro-batch and halve the accumulation steps" in render_short(c)
    # (not where the micro-batch is already large, nor for a memory question)
    big = run_consultation("per_device_train_batch_size=16, gradient_accumulation_steps=8 on one A100: how can I "
                           "speed this up?", kb=kb)
    assert "finding-small-micro-many-steps" not in [f.id for f in big.advice.findings]


OOM_FIGURES = ("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate {ask}. GPU 0 has a total capacity of {cap} "
               "of which {free} is free. Of the allocated memory {alloc} is allocated by PyTorch, and {res} is reserved "
               "by PyTorch but unallocated. If reserved but unallocated memory is large try setting "
               "PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.")


def test_pytorchs_cached_remainder_says_whether_fragmentation_is_the_cause(kb):
    # review 29 #18 and #30: what is reserved but unallocated is all that expandable_segments can win back
    def ids(message):
        return [f.id for f in run_consultation(message, kb=kb).advice.findings]
    small = OOM_FIGURES.format(ask="90.00 MiB", cap="8.00 GiB", free="0 bytes", alloc="7.13 GiB", res="127.09 MiB")
    assert "finding-fragmentation-not-the-cause" in ids(small)  # (the error's own suggestion sets nothing)
    large = OOM_FIGURES.format(ask="250.00 MiB", cap="79.26 GiB", free="104.75 MiB", alloc="70.77 GiB",
                               res="7.87 GiB")
    assert "finding-memory-fragmented" in ids(large)
    said_on = ids(large + " This keeps happening after it has trained for hours, with expandable segments set to true.")
    assert "finding-expandable-segments-not-in-effect" in said_on and "finding-memory-fragmented" not in said_on
    assert "finding-oom-at-a-fixed-step" in said_on  # ("after it has trained for hours": the first steps fitted)
    # a remainder smaller than the request could not have held it, however defragmented
    under = OOM_FIGURES.format(ask="2.00 GiB", cap="24.00 GiB", free="20.00 MiB", alloc="21.50 GiB", res="1.50 GiB")
    assert "finding-fragmentation-not-the-cause" in ids(under)


def test_a_kohya_network_run_that_fits_one_gpu_is_not_told_to_use_lora_or_one_gpu(kb):
    # review 29 #27: sd-scripts' [additional_network] trains a LoRA; one 3090 fits, two GPUs run out
    c = run_consultation("SDXL training on single GPU fine but multi-gpu Out of memory. I can successfully train SDXL "
                         "on a 24G 3090 but cannot train on 2 or more GPUs, as it causes CUDA out of memory.\n[model]\n"
                         "pretrained_model_name_or_path = \"sd_xl_base_1.0.safetensors\"\n[additional_network]\n"
                         "network_train_unet_only = true\n[optimizer]\noptimizer_type = \"adafactor\"", kb=kb)
    assert c.wm.value("adapter") == "lora"
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-multi-gpu-oom-one-fits" and "finding-gpus-to-fit" not in ids
    assert c.advice.recommendation.option_id not in ("lora", "qlora")


def test_checkpointing_is_not_offered_as_a_saving_when_the_peak_is_the_optimizer_step(kb):
    # review 29 #16: "With activation checkpointing: about 1445.96 GiB per GPU", the same figure as without
    c = run_consultation("Llama3.1 70B full fine-tuning memory usage. I saw this chart [screenshot of the "
                         "memory-requirements table]. The chart says training Llama 3.1 requires 300 GB "
                         "of memory for full-parameter fine-tuning of the 70B model. However, if we assume FP16 training, "
                         "the expected memory usage should be around eight times the model size. That implies the memory "
                         "requirement for the 70B model should be around 500 GB or more. Is my understanding incorrect? "
                         "Or are there specific techniques being used to do full-parameter fine-tuning?", kb=kb)
    assert c.wm.value("plan_memory_needed_checkpointed") == c.wm.value("plan_memory_needed")
    assert "finding-memory-needed-checkpointed" not in [f.id for f in c.advice.findings]


def test_sharding_over_gpus_not_counted_gives_the_states_to_split_not_one_gpus_copy(kb):
    # review 29 #6: FSDP2 on a 10B DiT, no GPU count: "needs about 149.38 GiB per GPU … on each GPU" was wrong
    c = run_consultation("I tried FSDP2 in my new project, but I got higher GPU memory usage compared to FSDP1. The "
                         "model is a 10B DiT-like model with an extra embedding layer. Do I need to wrap more modules "
                         "with fully_shard to reduce memory usage?", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert "finding-sharded-states-total" in ids
    assert not {"finding-memory-needed", "finding-memory-needed-assuming"} & set(ids)
    assert round(c.wm.value("sharded_states_total") / 2**30, 2) == 149.01  # 10B × 16 B
    assert "unwrapped" in next(f.text for f in c.advice.findings if f.id == "finding-sharded-states-total")
    # with the count said, the plan is counted per GPU as before
    counted = run_consultation("FSDP full shard of a 10B model on 8 GPUs: how much memory per GPU?", kb=kb)
    assert "finding-sharded-states-total" not in [f.id for f in counted.advice.findings]


def test_a_modest_amp_saving_is_answered_as_what_amp_saves(kb):
    # review 29 #3: "No decrease in VRAM usage when using AMP … 9.7GB to 7.5GB from O0 to O2 … is this normal?"
    c = run_consultation("[Windows] No decrease in VRAM usage when using AMP. I have tried optimization levels O1 and "
                         "O2. It does seem to use less VRAM now, but still not as much as I'd expect from half floats: "
                         "9.7GB to 7.5GB going from O0 to O2. Is this a normal reduction?", kb=kb)
    assert [f.id for f in c.advice.red_flags][:1] == ["rf-amp-halves-memory"]
    # the counter to the belief is the answer: not "no option stands out yet"
    assert c.advice.recommendation.rationale.startswith("What I noticed above is my answer")


def test_a_papers_batch_asked_with_accumulation_on_fewer_gpus_is_split_per_gpu(kb):
    # review 29 #11: "8 GPUs … batch size in the config is 1, so 8 per step, right? On 1 V100, batch 8 with gradient
    # accumulation?"
    c = run_consultation("As stated in the paper, 8 GPUs were used for training the models. Since the batch size in "
                         "the config is set to 1, this means the batch size for each gradient step is 8, right? So when "
                         "training on 1 V100 GPU, is it recommended to use a batch size of 8 (using gradient "
                         "accumulation, since it does not fit in memory)?", kb=kb)
    assert c.wm.value("reference_share_per_gpu") == 8
    assert c.advice.findings[0].id == "finding-paper-batch-is-per-update-share"
    assert c.advice.recommendation.rationale.startswith("What I noticed above is my answer")


def test_a_detectron_recipe_on_fewer_gpus_scales_its_iterations_with_its_lr(kb):
    # review 29 #24: "e2e_faster_rcnn_R-50-C4_1x … base_lr 0.001 (the original setting is 0.01) … NUM_GPUS 1: mAP 0.244"
    c = run_consultation("Why I can't get the similar result as reported in model zoo when training on 1 GPU. When "
                         "training e2e_faster_rcnn_R-50-C4_1x on COCO, I only get mAP = 0.244. I changed base_lr to 0.001 "
                         "(the original setting is 0.01), and then ran: python2 tools/train_net.py --cfg "
                         "configs/12_2017_baselines/e2e_faster_rcnn_R-50-C4_1x.yaml NUM_GPUS 1", kb=kb)
    assert c.wm.value("detectron_zoo_scale") == 8
    finding = c.advice.findings[0]
    assert finding.id == "finding-detectron-recipe-on-fewer-gpus" and "MAX_ITER, STEPS and WARMUP_ITERS by 8" in finding.text
    on_eight = run_consultation("detectron2 train_net.py --num-gpus 8 with SOLVER.IMS_PER_BATCH 16", kb=kb)
    assert "finding-detectron-recipe-on-fewer-gpus" not in [f.id for f in on_eight.advice.findings]


def test_why_recipes_multiply_the_lr_by_accumulation_is_answered_mean_not_sum(kb):
    # review 29 #9: "accumulation sums the gradient N times … why multiply the LR by the accumulation steps? mean or
    # sum over GPUs?" - no memory belief in it
    c = run_consultation("Why do we multiply learning rate by gradient accumulation steps in PyTorch?\n\nLoss functions "
                         "in PyTorch use 'mean' reduction, so the model gradient will have roughly the same magnitude "
                         "for any batch size. For gradient accumulation, it will sum the gradient N times. Do they divide "
                         "the loss by N? How are gradients from different GPUs accumulated - mean or sum?", kb=kb)
    assert not c.advice.red_flags
    finding = next(f for f in c.advice.findings if f.id == "finding-lr-follows-batch-per-update")
    assert "average, not a sum" in finding.text and "DDP averages the gradients" in finding.text


def test_lora_said_to_build_a_full_matrix_is_countered(kb):
    # review 29 #25: "When we calculate W = AB … W is still created in GPU memory … higher than the base model"
    c = run_consultation("About GPU utilization. I have a question about GPU memory utilization. The paper claims LoRA "
                         "can reduce GPU memory usage by 3 times. Where does this come from? When we calculate W = AB, "
                         "where A and B are the low-rank matrices, W is still created in GPU memory, which means there "
                         "are now two large matrices. So GPU utilization is higher than the base model.", kb=kb)
    assert [f.id for f in c.advice.red_flags][:1] == ["rf-lora-full-matrix"]
    assert c.wm.value("user_goal") != "faster"  # (memory utilization is memory's)


def test_micro_and_global_batch_asked_about_are_told_apart(kb):
    # review 29 #22: litgpt's micro_batch_size and global_batch_size, "which one should I change?"
    c = run_consultation("Significance of micro_batch_size and global_batch_size in the pre-training scripts. In the "
                         "redpajama script, micro_batch_size is used directly in the dataloader as the batch size, and "
                         "global_batch_size is never used. Changing global_batch_size has no effect on GPU consumption. "
                         "Could someone help me understand the significance of micro_batch_size and global_batch_size, "
                         "which one I should change to change the batch size?", kb=kb)
    assert c.advice.findings[0].id == "finding-micro-and-global-batch"
    # with numbers to check, the arithmetic answers instead
    said = run_consultation("global_batch_size 512, micro_batch_size 4 on 8 GPUs: how many accumulation steps?", kb=kb)
    assert "finding-micro-and-global-batch" not in [f.id for f in said.advice.findings]


def test_a_replay_buffer_in_host_ram_is_no_model_loading_oom(kb):
    # review 29 #20: SB3 warns "not enough memory to store the complete replay buffer: 63.52GB > 55.54GB"
    c = run_consultation("Optimization of memory usage. Training with three stacked image inputs. Before training "
                         "started, I got a warning that the system does not have enough memory to store the complete "
                         "replay buffer: 63.52GB > 55.54GB, even with optimize_memory_usage=True.", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-replay-buffer-host-ram" and "oom-while-loading" not in ids
    # a diagnosis closes the answer, and the machine's memory asks nothing of the GPU
    assert c.advice.recommendation.rationale.startswith("What I noticed above is my answer")
    assert not {"gpu_memory", "params", "num_gpus"} & {q.id for q in c.advice.questions}


def test_checkpointing_with_no_visible_effect_is_explained(kb):
    # review 29 #8: "checkpoint_wrapper has no effect on the VRAM for the GRU part" at batch 1, small layers
    c = run_consultation("fairscale checkpointing_wrapper no effect on Memory. I tried the checkpointing feature of "
                         "fairscale on an example with an RNN (GRU) and noticed that checkpoint_wrapper has no effect on "
                         "the VRAM for the GRU part. 'batch_size': 1, and the checkpointed parts are small layers.",
                         kb=kb)
    assert [f.id for f in c.advice.red_flags][:1] == ["rf-checkpointing-no-visible-effect"]
    assert "max_memory_allocated()" in c.advice.red_flags[0].counter


def test_refused_checkpointing_is_not_recommended(kb):
    # review 29b #18: "I don't want to use Gradient Checkpointing or Gradient Accumulation" was answered with
    # "turn on bf16 autocast and activation checkpointing"
    message = ("torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 90.00 MiB. GPU 0 has a total capacity "
               "of 8.00 GiB of which 0 bytes is free. Of the allocated memory 7.13 GiB is allocated by PyTorch, and "
               "127.09 MiB is reserved by PyTorch but unallocated. {} How do I set PYTORCH_CUDA_ALLOC_CONF?")
    c = run_consultation(message.format("I don't want to use Gradient Checkpointing or Gradient Accumulation."), kb=kb)
    assert c.wm.value("checkpointing_refused") is True
    assert "checkpointing" not in c.advice.recommendation.rationale.split("you do not want")[-1]
    plain = run_consultation(message.format(""), kb=kb)
    assert "activation checkpointing" in plain.advice.recommendation.rationale


def test_keras_model_parallel_spans_its_gpus_and_each_gpus_ram_is_its_vram(kb):
    # review 29b #19: "4x 4090s (and keras.distribution.ModelParallel) … Each GPU has 24GB of RAM" was counted as a
    # whole copy on each GPU, with 24 GiB of host RAM
    c = run_consultation("I'm attempting a full (not LoRA) fine-tune of Gemma 2B, using 4x 4090s (and "
                         "keras.distribution.ModelParallel), using the JAX backend. Each GPU has 24GB of RAM, so 96GB "
                         "total. I can't fine-tune at all using AdamW.", kb=kb)
    assert c.wm.value("model_parallel_gpus") == 4 and c.wm.value("num_gpus") == 1
    assert "cpu_ram" not in c.wm.facts and c.wm.value("gpu_memory") >= 23 * 2**30
    ids = [f.id for f in c.advice.findings]
    assert "no-batch-fits" not in ids and "plan-does-not-fit" not in ids
    # (and PyTorch's snapshot is not prescribed to a JAX run)
    assert all("torch.cuda" not in m.text for m in c.advice.measure)


def test_a_batch_cut_to_fit_and_blamed_for_the_result_is_kept_with_accumulation(kb):
    # review 29 #21: batch_bins cut from 5120000 to 51200 to fit a 12 GB card, "is the bad audio because of it?"
    c = run_consultation("Initially I got a CUDA out of memory error (3080 Ti, 12 GB), so I reduced batch_bins to 51200. "
                         "The quality of the generated speech is really bad. Is this happening because I changed the "
                         "batch_bins value?", kb=kb)
    finding = next(f for f in c.advice.findings if f.id == "finding-batch-cut-to-fit")
    assert "accum_grad" in finding.text


def test_a_batch_the_user_multiplies_by_their_gpus_is_each_gpus(kb):
    # review 29 #14: "I changed the batch size (aka max duration) from 250 to 800 … --max-duration 800 with 4 GPUs; the
    # actual batch size is 800 * 4 = 3200s, right?"
    c = run_consultation("The only difference from the script you provided is that I only have 4 GPUs, and I changed "
                         "the batch size (aka max duration) from 250 to 800. When I test it I still get a cacophony; do "
                         "you think there is anything wrong with my experiment? I used --max-duration 800 with 4 GPUs; "
                         "according to your statement the actual batch size is 800 * 4 = 3200s, right?", kb=kb)
    assert (c.wm.value("micro_batch"), c.wm.value("batch_size")) == (800, 3200)
    assert "batch_scale_factor" not in c.wm.facts  # (the old batch's GPUs are unsaid: no factor made up for it)
    assert "reference_batch" not in c.wm.facts  # (the 3200 is the user's own, checked, not a recipe's)
    assert c.advice.findings[0].id == "finding-effective-batch-as-said"


def test_an_oom_right_after_resuming_is_no_leak(kb):
    # review 29 #28: "after a few epochs I run out of memory … I tried to recover from the last checkpoint … as soon as
    # it starts training, it runs out of memory again"
    c = run_consultation("On a single TPUv3-8, after a few epochs I always run out of memory. I also tried to recover "
                         "from the last checkpoint by skipping the steps. Nothing worked: as soon as it starts training, "
                         "it runs out of memory again.", kb=kb)
    assert c.advice.findings[0].id == "finding-oom-after-resume"
    for said in ("The OOM happens right after I resume from the checkpoint.",
                 "When I reload the latest checkpoint it goes out of memory on the first step."):
        assert run_consultation(f"Training a 7B model on 8 A100s. {said}", kb=kb).wm.value("oom_after_resume"), said
    assert not run_consultation("OOM at step 200, and I resume later", kb=kb).wm.value("oom_after_resume")


def test_the_autocast_in_forward_note_is_dataparallels(kb):
    # review 29 #4: "no autocast decorator on the forward functions … the DataParallel note … but D2 uses DDP"
    c = run_consultation("You added PyTorch AMP to detectron2, but on multiple GPUs I saw no memory improvement. The "
                         "commit wraps `with autocast(): out = model(data)`, and the note of the AMP docs is not taken "
                         "into account: under DataParallel autocast must be inside forward. D2 does not use DataParallel "
                         "in a single process, but it does use DistributedDataParallel. Could it be an oversight?", kb=kb)
    assert c.advice.findings[0].id == "finding-autocast-dataparallel-note"
    assert c.advice.recommendation.rationale.startswith("What I noticed above is my answer")


def test_fsdp_over_a_gptq_checkpoint_keeps_its_integer_weights_whole(kb):
    # review 29 #26: Qwen1.5-72B-Chat-GPTQ-Int4 with FSDP + QLoRA on 2x 4090
    c = run_consultation("FSDP+QLoRA fine-tuning Qwen1.5-72B-Chat-GPTQ-Int4 on 2x 4090 runs out of memory: accelerate "
                         "launch --config_file fsdp_config.yaml src/train_bash.py --finetuning_type lora --lora_rank 128 "
                         "--quantization_bit 4", kb=kb)
    finding = next(f for f in c.advice.findings if f.id == "finding-fsdp-integer-weights")
    assert "bnb_4bit_quant_storage" in finding.text
    plain = run_consultation("FSDP+QLoRA fine-tuning Llama-2-70B with bitsandbytes 4-bit on 2x 4090 runs out of memory",
                             kb=kb)
    assert "finding-fsdp-integer-weights" not in [f.id for f in plain.advice.findings]


def test_jaxs_memory_profile_is_read_as_live_buffers(kb):
    # review 29c #19: "the JAX memory profiler claims I've only allocated 9.34GB, despite clearly being on the edge of
    # OOMing" - no diagnosis was given
    c = run_consultation("Full fine-tune of Gemma 2B using 4x 4090s (and keras.distribution.ModelParallel) with the JAX "
                         "backend. I can't fine-tune at all using "
                         "AdamW. I have attempted to diagnose the problem using the JAX memory profiler "
                         "(device_memory_profiling). It claims I've only allocated 9.34GB, despite clearly being on the "
                         "edge of OOMing.", kb=kb)
    # (the 9.34 GB of a 2.506B model is its fp32 weights: that finding leads, the live-buffers one follows)
    assert [f.id for f in c.advice.findings][:2] == ["finding-profile-is-the-weights", "finding-jax-profile-live-buffers"]
    assert c.advice.recommendation.rationale.startswith("What I noticed above is my answer")
    torch_run = run_consultation("PyTorch memory profiler says 9 GB but the step OOMs on a 24GB 4090", kb=kb)
    assert "finding-jax-profile-live-buffers" not in [f.id for f in torch_run.advice.findings]


def test_an_oom_at_one_batch_only_is_no_capacity_limit(kb):
    # review 29 #13: "you can set a greater batch_size or a smaller one, but not 4096 or numbers close to it"
    c = run_consultation("The tfrs quickstart raises ResourceExhaustedError with MirroredStrategy on 2 GPUs. There is "
                         "still enough space. I found that you can set a greater batch_size or a smaller one, but not "
                         "4096 or numbers close to it. How does this happen?", kb=kb)
    assert c.advice.findings[0].id == "finding-oom-at-one-batch-only"
    # a diagnosis of what the user saw: no question whose answer would only offer a bigger GPU
    asked = [q.id for q in c.advice.questions]
    assert "gpu_memory" not in asked and "params" not in asked


def test_verl_over_tensor_parallel_gpus_gives_each_gpus_states_and_the_levers(kb):
    """Review 51 #9: "use tp2 pp1 seqlen 10240 … it will need 88.27 GB/GPU, larger than memory in H100" for Qwen2 7B
    GRPO in verl - verl trains in bf16 over fp32 master weights with AdamW, so each of the 2 GPUs of a copy holds
    half the states, and the answer says what divides them further."""
    c = run_consultation("Use tp2 pp1 to run Qwen2 7B GRPO scripts, will OOM\nHi, I checked your script "
                         "https://github.com/ISEEKYAN/verl_megatron_practice/blob/main/DAPO_7B/16.mcore_1node_tp2.sh and "
                         "use tp2 pp1 seqlen 10240 to simulate memory needed in megatron. It shows that it will need "
                         "88.27 GB/GPU, larger than memory in H100.", kb=kb)
    assert c.wm.value("precision") == "amp_bf16" and c.wm.value("seq_len") == 10240
    finding = next(f for f in c.advice.findings if f.id == "finding-model-parallel-states")
    assert c.wm.value("model_parallel_states") == pytest.approx(c.wm.value("states_user") / 2)
    assert "distributed optimizer" in finding.text and "halves" in finding.text


def test_whether_several_gpus_equal_one_gpus_whole_batch_is_the_mean_loss(kb):
    """Review 51 #26: "If we split a batch of data into multiple gpus, will it be mathematically equivalent (in terms of
    learned weights) to using whole batch in single gpu? … Loss = sum(F(X) - Const) … the synchronization is a Mean" -
    the mean loss makes DDP's average the whole batch's gradient; a summed one is 1/N of it."""
    for asked in ("Theoretical equivalency of weights between single and multi gpus. If we split a batch of data into "
                  "multiple gpus, will it be mathematically equivalent to using whole batch in single gpu?",
                  "Is training on 4 GPUs mathematically equivalent to a single GPU with the whole batch?"):
        c = run_consultation(asked, kb=kb)
        finding = next(f for f in c.advice.findings if f.id == "finding-ddp-mean-equals-whole-batch")
        assert "1/N" in finding.text and "pt-ddp-averaging" in finding.sources
    # two layouts in numbers are weighed by their own finding
    c = run_consultation("Is batch 8 per GPU on 8 GPUs the same as batch 64 on a single GPU?", kb=kb)
    assert "finding-ddp-mean-equals-whole-batch" not in [f.id for f in c.advice.findings]


def test_several_models_sharded_over_the_same_gpus(kb):
    """Review 51 #30: "run three very large models simultaneously … Can PyTorch FSDP handle sharing a single GPU among
    these three models?" - each model its own FSDP unit over the same GPUs, trained and frozen ones costing apart."""
    c = run_consultation("Efficiently Training Multiple Large Models with PyTorch FSDP. I'm working on a reinforcement "
                         "learning framework for training large language models (LLMs) and need to run three very large "
                         "models simultaneously. The challenge is that these models are too big to fit into a single "
                         "GPU, and I'm exploring ways to distribute them effectively across GPUs and nodes using "
                         "PyTorch's FSDP. Can PyTorch FSDP handle sharing a single GPU among these three models?", kb=kb)
    assert c.wm.value("several_models_on_the_gpus") is True
    assert c.advice.findings[0].id == "finding-several-models-sharded-together"
    assert not run_consultation("FSDP on 8 GPUs for one 13B model OOMs", kb=kb).wm.value("several_models_on_the_gpus")


def test_an_oom_in_deepspeed_initialize_is_before_any_batch(kb):
    """Review 51 #3 (BELLE, 2 × A100 80G, full fine-tuning under ZeRO-3): "总是在deepspeed.initialize发生OOM" - the engine
    builds the states there, before any batch, so the answer is what loading holds (and the model's size is asked),
    not activation memory."""
    c = run_consultation("全参微调时deepspeed.initialize加载问题\n训练环境时2张A100 80G；\n基于deepspeed的全参微调时，总是在"
                         "deepspeed.initialize发生OOM的问题，zero_stage指定为3，batch也比较小，但是还会爆显存", kb=kb)
    assert c.wm.value("oom_stage") == "loading"
    assert c.advice.recommendation.option_id != "memory-savers"
    assert run_consultation("OOM in deepspeed.initialize with zero3 on 4 A100", kb=kb).wm.value("oom_stage") == "loading"
    # review 51 #25: the code pasted with the OOM only loads the model (no trainer, step or optimizer): loading
    c = run_consultation("With the command below I got OOM error on a T4 16GB GPU.\nHow much GPU do I need to run the "
                         "7B model?\n\nmodel = transformers.LlamaForSequenceClassification.from_pretrained("
                         "\"/path/to/llama-7b/\")", kb=kb)
    assert c.wm.value("oom_stage") == "loading" and c.wm.known("loaded_weights_fp32")
    c = run_consultation("I got OOM on a T4.\nmodel = AutoModelForCausalLM.from_pretrained(path)\ntrainer = Trainer("
                         "model=model)\ntrainer.train()", kb=kb)
    assert not c.wm.known("oom_stage") or c.wm.value("oom_stage") != "loading"
    # review 51 #1: a retyped traceback - "CUDA outof memory" - through PEFT's get_peft_model: loading too
    c = run_consultation("2张32GB显卡，对Qwen-14B进行lora微调，报错torch.cuda.0utOfMemoryError: CUDA outof memory\nTraceback "
                         "(most recentcall last):\nFile \"/code/Qwen-main/finetune.py\",line 337, in train\nmodel = "
                         "get_peft_model(model,lora_config)\nFile \"/root/anaconda3/envs/x/Lib/python3.10/site-packages/"
                         "peft/mapping.py\", Line 133, in get_peft_model", kb=kb)
    assert c.wm.value("oom") is True and c.wm.value("oom_stage") == "loading"


def test_a_jax_state_returned_by_a_jit_of_no_arguments_is_diagnosed(kb):
    """Review 29 #29: `pjit(lambda: state, out_shardings=...)` OOMs where device_put fits. The arrays a function of
    no arguments returns are closed-over constants, materialised whole; a training step's count (gradients,
    activations, 'too close to fit') says nothing of it."""
    from advisor.shells.render import render_short

    message = ("On my multi-GPU setup `state = pjit(lambda: state, in_shardings=(), out_shardings=shardings)()` goes "
               "out of memory, while `state = device_put(state, shardings)` does not. Why? The state is GPT-J 6B plus "
               "optax.adam's mu and nu, 36 GB in float16. My instance has 8 GPUs, each with 16 GiB. I have created a "
               "sharding tree that partitions the state fairly uniformly across the 8 devices. And yet "
               "initializing the state with pjit goes OOM.")
    c = run_consultation(message, kb=kb)
    assert c.wm.value("oom_stage") == "loading"
    assert c.advice.findings[0].id == "finding-jax-closure-constants"
    ids = [f.id for f in c.advice.findings]
    for beside_the_point in ("plan-oom-near-the-count", "plan-ruled-out", "oom-while-loading", "finding-loaded-weights"):
        assert beside_the_point not in ids
    assert not c.advice.options and c.advice.recommendation.rationale == "What I noticed above is my answer."
    short = " ".join(render_short(c).split())
    assert "jax.jit(init_fn, out_shardings=shardings)(rng)" in short  # the fix is in the default view
    # a jit that takes the state as its argument is no closure
    plain = run_consultation(message.replace("pjit(lambda: state,", "pjit(lambda s: s,"), kb=kb)
    assert "finding-jax-closure-constants" not in [f.id for f in plain.advice.findings]


def test_model_states_over_any_card_are_said_to_need_several_gpus(kb):
    """Review 29 #16: "70B full fine-tuning needs 300 GB?" was answered "your plan needs 1445.96 GiB per GPU". States
    more than the largest card in the catalogue holds have to be split, whatever card the user has."""
    c = run_consultation("How much GPU memory do I need to fully fine-tune Llama 3 70B?", kb=kb)
    # (led by the count of 80 GB cards that hold them, review 61 #27)
    assert c.advice.findings[0].id == "finding-gpus-to-fit-80gb"
    finding = next(f for f in c.advice.findings if f.id == "finding-no-single-gpu-holds-it")
    largest = max(card.memory_bytes for card in __import__("advisor.domain.gpus", fromlist=["gpus"]).gpus().values())
    assert c.wm.value("largest_card_memory") == largest
    assert c.wm.value("plan_states_needed") > largest
    assert "ZeRO-3 or FSDP" in finding.text
    assert c.advice.recommendation.option_id is None  # (no activation saver first: the states are what does not fit)
    # a small model at a long sequence: the activations make the total, not the states
    long = run_consultation("Fine-tuning Qwen2.5-7B with cutoff_len 120000 runs out of memory", kb=kb)
    assert "finding-no-single-gpu-holds-it" not in [f.id for f in long.advice.findings]


def test_zero_under_a_model_parallel_copy_over_all_gpus_has_one_rank_to_shard(kb):
    """Review 29 #17: DeepSpeedExamples' Megatron GPT-2 774M with MP_SIZE=2 on 2 GPUs, "shouldn't ZeRO give ~6 GB per
    GPU?": the model-parallel copy takes every GPU, so ZeRO divides by a data-parallel degree of 1."""
    message = ("Memory consumption higher with ZeRO GPT-2 (DeepSpeed Megatron example) than expected: 774M, GPU1: "
               "11GB/12GB, GPU2: 11GB/12GB. NUM_WORKERS=1 NUM_GPUS_PER_WORKER=2 MP_SIZE=2, --model-parallel-size 2 "
               "--batch-size 1 --seq-length 1024. Am I missing something to allow memory parallelism?")
    c = run_consultation(message, kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert "finding-sharding-one-dp-rank" in ids and "finding-sharding-one-gpu" not in ids
    assert c.wm.value("model_parallel_gpus") == 2 and c.wm.value("num_gpus") == 1
    # ZeRO over more GPUs than the model-parallel size shards again
    wider = run_consultation(message.replace("NUM_GPUS_PER_WORKER=2", "NUM_GPUS_PER_WORKER=8").replace("GPU2:", "and "),
                             kb=kb)
    assert "finding-sharding-one-dp-rank" not in [f.id for f in wider.advice.findings]


def test_a_profile_total_equal_to_the_weights_is_said_to_be_them(kb):
    """Review 29 #19: "the JAX memory profiler claims I've only allocated 9.34GB" for Gemma 2B (2.506B × 4 B): the
    fp32 weights alone, taken before the gradients and Adam's moments existed."""
    message = ("Full fine-tuning Gemma 2B with JAX on 4x 4090: SGD fits but AdamW always runs out of memory. I tried "
               "the JAX memory profiler. It claims I've only allocated 9.34GB, despite clearly being on the edge of "
               "OOMing. pprof: Showing nodes accounting for 9.34GB, 100% of 9.34GB total")
    c = run_consultation(message, kb=kb)
    assert c.advice.findings[0].id == "finding-profile-is-the-weights"
    assert c.wm.value("profile_weights_width") == "fp32" and c.wm.value("profile_bytes_per_param") == 4
    assert c.advice.findings[0].title == "The 9.34 GiB your profile shows is the weights alone, in fp32"
    # a figure that is no width of the weights says nothing of them
    other = run_consultation(message.replace("9.34GB", "13.1GB"), kb=kb)
    assert "finding-profile-is-the-weights" not in [f.id for f in other.advice.findings]


def test_a_shape_given_as_settings_counts_the_activations_too(kb):
    """Review 29 #7 and #17: a transformer defined by its flags, not named. Its parameters come from the shape, and
    so does its activation model: the plan's memory at micro-batch 4 exceeds the same plan at micro-batch 1 by the
    activations of 3 more samples, which a count without a shape could not give ("before activations")."""
    flags = ("GPT on 8x A100 80GB OOMs: --num-layers 40 --hidden-size 5120 --num-attention-heads 40 "
             "--seq-length 2048 --global-batch-size 512 --bf16 --micro-batch-size ")
    at = {m: run_consultation(flags + str(m), kb=kb).wm for m in (1, 4)}
    assert at[4].value("params") == 40 * 12 * 5120**2  # 4·d² of attention and 8·d² of MLP per layer, no vocabulary
    assert at[4].value("model_shape") == "n_layers=40 d_model=5120 n_heads=40"
    assert at[4].value("plan_current_per_gpu") > at[1].value("plan_current_per_gpu") + 50 * 2**30
    # in Megatron-LM the 12.58B's states need a split of each copy first (tensor 2: 12.58B / 2 × (6 + 12/4) B)
    megatron = run_consultation("Megatron " + flags + "4", kb=kb).wm
    assert (megatron.value("megatron_split_tensor"), megatron.value("megatron_split_pipeline")) == (2, 1)
    # a catalogue model named beside the flags keeps the catalogue's shape
    named = run_consultation("Llama-2-13B: --num-layers 40 --hidden-size 5120 --num-attention-heads 40", kb=kb).wm
    assert not named.known("model_shape") and named.value("model_preset") == "llama-2-13b"


def test_a_memory_figure_a_document_gives_is_said_as_bytes_a_parameter(kb):
    """Review 29 #16: "the chart says full fine-tuning of the 70B requires 300 GB; by the 8B and 405B rows it should
    be ~500 GB - am I wrong?". The figure over the model it is for is 300 GiB / 70B = 4.6 bytes a parameter: below
    any full fine-tune's states (8 bytes in pure bf16, 18 with mixed-precision AdamW), which the answer gives."""
    c = run_consultation("The chart says training Llama 3.1 requires 300 GB of memory for full-parameter "
                         "fine-tuning of the 70B model. With FP16 training it should be about eight times the "
                         "model size, like the 8B and 405B rows. Is my understanding incorrect?", kb=kb)
    finding = next(f for f in c.advice.findings if f.id == "finding-quoted-memory-per-param")
    assert c.wm.value("quoted_for_params") == 70e9
    assert round(c.wm.value("quoted_bytes_per_param"), 2) == round(300 * 2**30 / 70e9, 2)  # 4.6
    assert "between the 16-bit weights alone" in finding.text and "pure bf16" in finding.text
    assert round(c.wm.value("quoted_full_bf16") / 2**30) == round(70e9 * 8 / 2**30)
    # the figure is for the model said with it, not the user's ("54.3GB of VRAM for Llama 3.1 8B", training a 3B)
    other = run_consultation("Training Qwen2.5-3B with GRPO goes OOM on 48GB, unexpected considering the blog uses "
                             "54.3GB of VRAM for Llama 3.1 8B.", kb=kb)
    assert other.wm.value("quoted_for_params") == 8e9
    # adapters on frozen weights are no full fine-tune to weigh a figure against; a card a paper used is no figure
    lora = run_consultation("The README says 24GB is enough to fine-tune Llama-2-7B with QLoRA, but my 3090 OOMs",
                            kb=kb)
    assert lora.wm.known("quoted_memory") and not lora.wm.known("quoted_bytes_per_param")
    assert not run_consultation("The paper uses 80GB A100s and batch 256 for Llama-2-7B", kb=kb).wm.known(
        "quoted_memory")


def test_the_adapters_share_comes_from_their_printed_count_or_a_model_of_the_same_size(kb):
    """Review 29 #26: r=128 on every linear layer of Qwen1.5-72B (not in the catalogue) was counted at the default
    1% share (720M adapter parameters); on the catalogue's decoder nearest in size it is about 1.7B. And a count
    PEFT printed ("trainable params: 408,944,640") is the share itself, whatever the rank and targets."""
    qwen = run_consultation("FSDP + QLoRA on 2x 4090 OOMs: --model_name_or_path Qwen1.5-72B-Chat-GPTQ-Int4 "
                            "--finetuning_type lora --lora_rank 128 --lora_target all --quantization_bit 4", kb=kb)
    share = qwen.wm.value("lora_adapter_share")
    assert 0.02 < share < 0.026 and qwen.wm.facts["lora_adapter_share"].provenance.rule == "est-lora-adapter-share-by-size"
    printed = run_consultation("QLoRA of WizardLM-30B on 2x 3090 with device_map='auto', LoraConfig(r=256); "
                               "trainable params: 408944640 || all params: 16886824448", kb=kb)
    assert printed.wm.value("adapter_params") == 408944640
    assert printed.wm.value("lora_adapter_share") == pytest.approx(408944640 / 30e9)
    # no size said: the share is not worth a question of its own
    unsized = run_consultation("LoRA with r=8 on a RoBERTa-large based model: 12 GB, full fine-tuning 17 GB. "
                               "Why not less?", kb=kb)
    assert not unsized.wm.known("lora_adapter_share") and "params" not in [q.id for q in unsized.advice.questions]


@pytest.mark.parametrize("message, asks", [
    ("A Medium article on gradient accumulation divides the loss by accumulation_steps before backward() and steps "
     "the optimizer every accumulation_steps batches. Why is that division needed?", True),
    ("Do I need to divide the loss by gradient_accumulation_steps when I accumulate manually?", True),
    ("Why should we divide each loss by the accumulation steps?", True),
    ("I divide the loss by the accumulation steps and step every 4 batches; the loss is higher than without.", False),
])
def test_why_the_loss_is_divided_under_accumulation_is_answered(kb, message, asks):
    """Corpus rq-023: a conceptual question about accumulation got "nothing specific to recommend"."""
    c = run_consultation(message, kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert ("finding-why-loss-divided" in ids) is asks
    if asks:
        assert "k times larger" in " ".join(c.advice.findings[ids.index("finding-why-loss-divided")].text.split())


def test_an_oom_in_the_ddp_wrapper_with_qlora_is_the_4bit_base_on_every_gpu(kb):
    """Review 31 #2: QLoRA of Llama-2-70B on 3 x 8 A100 40GB, OOM inside MMDistributedDataParallel's __init__. It
    happens before any batch (the stage is read from the traceback), and what is loaded is the 4-bit base, whole on
    each GPU (32 GiB of 39.45), not 16-bit weights; a node's rank is no LoRA rank."""
    c = run_consultation(
        "I'm fine-tuning llama-2-70B with QLoRA using 3 machines with 8*A100 (40GB) each.\nNPROC_PER_NODE=8 NNODES=3 "
        "NODE_RANK=0 xtuner train llama2_70b_qlora_open_platypus_e1\n  File \".../mmengine/model/wrappers/"
        "distributed.py\", line 93, in __init__\nOutOfMemoryError: CUDA out of memory. Tried to allocate 2.11 GiB "
        "(GPU 6; 39.45 GiB total capacity; 37.14 GiB already allocated)", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert c.wm.value("oom_stage") == "loading" and not c.wm.known("lora_rank")
    assert "finding-loaded-weights-4bit" in ids and "finding-loaded-weights" not in ids
    assert c.wm.value("loaded_weights_4bit") == c.wm.value("params") * 0.5  # the catalogue's 68.98B, 32.12 GiB


def test_a_run_that_fits_another_card_is_told_what_differs_not_a_plan(kb):
    """Review 31 #17: "OOM finetuning Qwen3-4B on an A100 (40G) but it works on a 4090 (24G), about 11G": the count
    of a full AdamW run (91 GiB) and a QLoRA plan contradicted the user; what differs between the machines is the
    cause. No plan is searched and no activation saver is recommended."""
    c = run_consultation("[Bug] OOM finetuning Qwen3-4B on A100 but works on 4090. It worked when training on a 4090 "
                         "but OOMs on an A100 with the same training setting. 4090: one 4090 (24G), only took about "
                         "11G throughout training. A100: one A100 (40G), failed with OOM.", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert "finding-works-on-another-card" in ids and "plan-does-not-fit" not in ids
    assert c.advice.recommendation.option_id is None and not c.wm.known("plan_current_per_gpu")


def test_more_gpus_at_the_same_per_gpu_batch_is_a_larger_batch_with_the_old_lr(kb):
    """Review 32 #3: "went from 2 to 8 GPUs keeping per-GPU batch 32 and lr 1e-4 and now the loss is worse after the
    same number of epochs": the batch per update grew 64 → 256 (×4 whatever the accumulation), so the same epochs
    are 4× fewer updates at an LR tuned for 64. Said as such, not left to a question on accumulation."""
    c = run_consultation("I went from 2 to 8 GPUs (A100 80GB, DDP) keeping per-GPU batch 32 and lr 1e-4 and now the "
                         "loss is worse after the same number of epochs. Why?", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert (c.wm.value("reference_batch"), c.wm.value("batch_size"), c.wm.value("batch_scale_factor")) == (64, 256, 4)
    assert {"finding-lr-not-retuned", "finding-fewer-updates"} <= set(ids)
    assert c.wm.value("batch_ratio") == 4
    # a better loss is no worse result; nor is a loss worse without a larger batch
    better = run_consultation("I went from 2 to 8 GPUs (A100 80GB, DDP) keeping per-GPU batch 32 and lr 1e-4 and "
                              "now the loss is lower after the same number of epochs. Why?", kb=kb)
    assert "finding-lr-not-retuned" not in [f.id for f in better.advice.findings]
    same = run_consultation("On 8 A100s with per-GPU batch 32 and lr 1e-4, the loss is worse than I hoped. Why?", kb=kb)
    assert not same.wm.known("worse_at_larger_batch")


@pytest.mark.parametrize("message", [
    "Does gradient accumulation of 8 with batch 4 give exactly the same result as batch 32? My model uses BatchNorm.",
    "Is batch 4 with grad accum 8 equivalent to batch 32? The network has BatchNorm layers.",
])
def test_accumulation_with_batchnorm_is_answered_not_exactly(kb, message):
    """Review 32 #8: "the same result as batch 32" weighs two settings (not a reference to reproduce), and with
    BatchNorm the answer is no: each accumulated micro-batch of 4 is normalised alone."""
    c = run_consultation(message, kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-accumulated-not-exact-with-batchnorm", ids
    assert "finding-same-batch-accumulated" in ids and "finding-match-batch-per-update" not in ids
    assert not c.advice.questions  # nothing to ask: the comparison is the answer
    plain = run_consultation(message.split("?")[0] + "?", kb=kb)
    assert "finding-accumulated-not-exact-with-batchnorm" not in [f.id for f in plain.advice.findings]


def test_a_gpu_that_bursts_and_waits_is_fed_too_slowly(kb):
    """Review 33 #12: "Only 41GB of the 80GB gets used and GPU util spikes to 100% for 1-2 s then drops to ~0": the 41GB
    is a use of the A100-80G (not an A100-40), and the bursts are a GPU waiting for data - fix the input pipeline
    before doubling the batch."""
    c = run_consultation("Fine-tuning Whisper-large-v3 on a single A100-80G, batch 32, fp16. Only 41GB of the 80GB "
                         "gets used and GPU util spikes to 100% for 1-2 s then drops to ~0 and waits, over and over. "
                         "How do I use the GPU fully? Should I double the batch to fill the memory?", kb=kb)
    assert c.wm.value("gpu_model") == "a100-80gb" and c.wm.value("measured_use") == 41e9
    assert c.advice.findings[0].id == "finding-gpu-waits-for-data"
    assert c.advice.recommendation.option_id == "fix-input-pipeline"


def test_detectron_total_kept_on_fewer_gpus_changes_nothing(kb):
    """Review 33 #3: "moving from 8 GPUs to 4 … IMS_PER_BATCH: 16, BASE_LR: 0.02. Do I halve BASE_LR …, or halve
    IMS_PER_BATCH?": two alternatives weighed are no batch change made, and IMS_PER_BATCH is the total, so kept at 16
    it keeps BASE_LR and the schedule (4 images per GPU instead of 2) - not ×0.5."""
    c = run_consultation("detectron2: moving from 8 GPUs to 4 GPUs. config has IMS_PER_BATCH: 16, BASE_LR: 0.02. Do I "
                         "halve BASE_LR since I have half the gpus, or halve IMS_PER_BATCH? each gpu has 24GB", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert not c.wm.known("batch_scale_factor") and c.advice.recommendation.option_id != "retune-lr-for-batch"
    assert ids[0] == "finding-detectron-total-kept" and "finding-detectron-recipe-on-fewer-gpus" not in ids
    assert c.wm.value("share_per_gpu") == 4
    # a batch lowered from the zoo's: its 8-GPU recipe is scaled
    lowered = run_consultation("detectron2 Mask R-CNN on 1 GPU, IMS_PER_BATCH 2. What BASE_LR and MAX_ITER?", kb=kb)
    assert "finding-detectron-total-kept" not in [f.id for f in lowered.advice.findings]


def test_a_batch_quadrupled_with_the_lr_kept_and_a_worse_top1(kb):
    """Review 33 #26: "from bs=256 to bs=1024 … top-1 is 1.5 points worse. I kept lr=1e-3": a 4× batch at the LR of
    the old one (it was 'nothing specific to recommend')."""
    c = run_consultation("Going from ViT-B bs=256 to bs=1024 on 8x A100 (DDP), AdamW. per-epoch time only dropped 15% "
                         "and after 90 epochs top-1 is 1.5 points worse. I kept lr=1e-3 and the same 10k warmup steps. "
                         "What did I do wrong?", kb=kb)
    assert c.wm.value("batch_scale_factor") == 4 and c.wm.value("lr_retuned") is False
    assert "finding-lr-not-retuned" in [f.id for f in c.advice.findings]
    assert c.advice.recommendation.option_id == "retune-lr-for-batch"


def test_an_eval_oom_after_training_fits_keeps_the_training_plan(kb):
    """Review 33 #4: "Training runs fine at per_device_train_batch_size=4 (about 31GB used), but as soon as evaluation
    starts it OOMs": the OOM is evaluation's, so the training the user runs fits whatever the count - no 'does not
    fit' and no smaller micro-batch for training; what evaluation keeps comes first."""
    c = run_consultation("Fine-tuning Mistral-7B with LoRA using HF Trainer on an A100 40GB. Training runs fine at "
                         "per_device_train_batch_size=4 (about 31GB used), but as soon as evaluation starts it OOMs, "
                         "even though per_device_eval_batch_size=4 too. I have a compute_metrics that computes token "
                         "accuracy from the logits. eval set is 2000 examples of 1024 tokens. Why would eval need more "
                         "memory than training??", kb=kb)
    ids = [f.id for f in c.advice.findings]
    # (compute_metrics named: the logits the Trainer keeps for it lead, the general evaluation finding beside them)
    assert ids[0] == "finding-eval-logits-kept-unsized" and "oom-evaluation" in ids
    assert c.wm.value("plan_current_fits") is True
    assert "plan-does-not-fit" not in ids and c.advice.recommendation.option_id is None


def test_a_batch_lowered_to_avoid_an_oom_is_a_run_that_fits(kb):
    """Review 33 #24: "I had to drop batch from 64 to 32 to avoid OOM … Should I change the learning rate?": 32 trains,
    so the count over the card (fp32 and seq 512 assumed) is not held against it, and the LR question is answered."""
    c = run_consultation("I had to drop batch from 64 to 32 to avoid OOM (RoBERTa-large classification, AdamW lr 1e-5, 3 "
                         "epochs, 16GB V100). Should I change the learning rate? by how much?", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert c.wm.value("claim_run_fits") is True and "plan-does-not-fit" not in ids
    assert c.advice.recommendation.option_id == "retune-lr-for-batch"
    assert abs(c.wm.value("lr_new") - 1e-5 * 0.5 ** 0.5) < 1e-9


def test_a_failing_batch_asked_about_again_is_the_run(kb):
    """Review 33 #16: "train_batch_size=2, gradient_accumulation_steps=4 -> OOM … batch 1 works. Is FLUX really taking
    more than 80GB at batch 2???": the run is 2 × 4 = 8 per update (not a target of 1 per update that drops the
    accumulation); 1 is the largest micro-batch that fits, and the activations are what to cut."""
    c = run_consultation('train_dreambooth_lora_flux.py, FLUX.1-dev, resolution 512, mixed_precision bf16, optimizer '
                         'prodigy, train_batch_size=2, gradient_accumulation_steps=4 -> OOM on an A100 80GB ("Tried to '
                         'allocate 108 MiB ... 78.20 GiB allocated by PyTorch"). batch 1 works. Is FLUX really taking '
                         'more than 80GB at batch 2???', kb=kb)
    assert (c.wm.value("micro_batch"), c.wm.value("effective_batch"), c.wm.value("max_micro_batch")) == (2, 8, 1)
    assert not c.wm.known("batch_scale_factor") and c.advice.recommendation.option_id == "memory-savers"
    # the same accumulation multiplies both sides of a micro-batch lowered to fit
    c = run_consultation("per_device_train_batch_size=8, gradient_accumulation_steps=4 gives OOM on my 3090, so I "
                         "reduced it to 4 and it works. Should I change the LR?", kb=kb)
    assert (c.wm.value("micro_batch"), c.wm.value("batch_size"), c.wm.value("reference_batch")) == (4, 16, 32)


def test_the_lr_tuned_on_one_node_belongs_to_one_nodes_batch(kb):
    """Review 33 #18: "2 nodes of 8 H100s … per_device 4, accumulation 8 … The LR 3e-4 was tuned on a single node with
    the same per-device and accumulation settings": the LR's batch is 4 × 8 × 8 = 256, the run's 512 (not a question
    back about the batch the LR was tuned for); Adam's start ×√2 = 4.24e-4."""
    c = run_consultation("We have 2 nodes of 8 H100s. torchrun with per_device_train_batch_size=4, "
                         "gradient_accumulation_steps=8, seq 4096. The LR 3e-4 was tuned on a single node with the same "
                         "per-device and accumulation settings. What's our global batch now and should the LR change?",
                         kb=kb)
    assert (c.wm.value("num_nodes"), c.wm.value("num_gpus"), c.wm.value("reference_batch")) == (2, 16, 256)
    assert c.wm.value("effective_batch") == 512 and abs(c.wm.value("lr_new") - 3e-4 * 2 ** 0.5) < 1e-9
    assert "reference_batch" not in [q.id for q in c.advice.questions]


def test_a_dataloaders_batch_under_lightning_ddp_is_each_gpus(kb):
    """Review 33 #29: "PyTorch Lightning, 4 GPUs ddp, batch_size=32 in the DataLoader, accumulate_grad_batches=4 …
    dataset 100k … OneCycleLR total_steps?": every process builds its own loader, so 32 is each GPU's; the updates
    are ⌊⌈100000 / (32 × 4)⌉ / 4⌋ = 195 an epoch, 1,950 over 10 (not a question whether 32 is per GPU)."""
    c = run_consultation("PyTorch Lightning, 4 GPUs ddp, batch_size=32 in the DataLoader, accumulate_grad_batches=4, "
                         "max_epochs=10, dataset 100k samples. OneCycleLR total_steps — what should it be?", kb=kb)
    assert c.wm.value("micro_batch") == 32 and not c.wm.known("batch_unqualified")
    assert (c.wm.value("updates_per_epoch"), c.wm.value("effective_batch")) == (195, 512)
    assert "batch_scope" not in [q.id for q in c.advice.questions]


def test_accumulation_that_differs_from_its_batch_gets_the_token_normalisation(kb):
    """Review 33 #14: 16 × 1 beats 2 × 8 on variable-length SFT; "isn't grad accumulation supposed to be mathematically
    identical?" - the token-mean loss per micro-batch (the Trainer's num_items_in_batch fix) is the answer."""
    c = run_consultation("SFT of a 1B decoder with variable-length chat samples (50 to 2000 tokens), no packing. "
                         "per_device_train_batch_size=16, gradient_accumulation_steps=1 gives noticeably better eval loss "
                         "than per_device_train_batch_size=2 with gradient_accumulation_steps=8, same lr 2e-5, same "
                         "steps. Isn't grad accumulation supposed to be mathematically identical?", kb=kb)
    assert c.advice.findings[0].id == "finding-accumulation-differs"


def test_allocated_flat_while_nvidia_smi_climbs_is_the_cache(kb):
    """Review 33 #23: a ~300M seq2seq model with dynamic padding, nvidia-smi creeping up, OOM at step 12k,
    memory_allocated() flat: the allocator's cache fragmenting, not a leak; the size in brackets is the model's."""
    c = run_consultation("Training a seq2seq transformer (~300M) with dynamic padding, batches sorted randomly. Memory in "
                         "nvidia-smi creeps up over hours and it OOMs at around step 12k on an A10 24GB, batch 32. Loss is "
                         "fine. torch.cuda.memory_allocated() between steps stays flat ~9GB though. Is this a leak?", kb=kb)
    assert c.wm.value("params") == 300e6 and "params" not in [q.id for q in c.advice.questions]
    assert c.advice.findings[0].id == "finding-allocated-flat-cache-grows"


def test_yolo_accumulation_to_its_nominal_batch_is_not_exact(kb):
    """Review 33 #13: "I can only fit --batch-size 8 … with accumulate=8 I get exactly the same training as batch 64
    right?": the user's 8 × 8 against 64, and YOLO's convolutions carry BatchNorm (the catalogue and Ultralytics say
    so, not a question): not exactly."""
    c = run_consultation("yolov5 uses nbs=64 and accumulate = round(64/total_batch_size). I can only fit --batch-size 8 "
                         "on my 2060 6GB. So with accumulate=8 I get exactly the same training as batch 64 right? Then "
                         "why do people say smaller batches give worse mAP?", kb=kb)
    assert c.wm.value("uses_batchnorm") is True and "uses_batchnorm" not in [q.id for q in c.advice.questions]
    assert c.advice.findings[0].id == "finding-accumulated-not-exact-with-batchnorm"
    resnet = run_consultation("ResNet-50 on one 3090, is batch 16 with accumulation 4 the same as batch 64?", kb=kb)
    assert resnet.wm.value("uses_batchnorm") is True


def test_consumer_gpus_without_nvlink_that_got_slower_sync_over_pcie(kb):
    """Review 32 #16: 1 → 4 RTX 4090s without NVLink, slower per epoch: the PCIe all-reduce (350M × 4 B = 1.30 GiB of
    gradients, 1.96 GiB per GPU per update) leads and the interconnect is recommended - not LoRA, a memory plan."""
    c = run_consultation("I went from 1 to 4 GPUs with DDP and training got slower per epoch! 4x RTX 4090 on a consumer "
                         "motherboard, no NVLink, model is a 350M param BERT-large, batch 32 per GPU. Single GPU was 11 "
                         "min/epoch, now it's 14 min/epoch.", kb=kb)
    assert c.advice.findings[0].id == "finding-pcie-all-reduce"
    assert abs(c.wm.value("allreduce_ring_bytes") - 1.5 * 350e6 * 4) < 1
    assert c.advice.recommendation.option_id == "check-interconnect"


def test_a_device_map_split_whose_first_gpu_runs_out_is_rebalanced(kb):
    """Review 32 #27: 70B QLoRA on 2x 3090 with device_map=auto, "OOM on GPU0 while GPU1 only uses 14GB": cap GPU 0
    with max_memory - not DataParallel's lesson, and no memory plan (8-bit AdamW saves little on adapters)."""
    c = run_consultation("70B QLoRA on 2x RTX 3090 (24GB each) with device_map=auto, 4-bit, r=16, seq 2048, batch 1 — OOM "
                         "on GPU0 while GPU1 only uses 14GB. Any way to fit?", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-device-map-imbalance" and not {"finding-gpu0-extra-memory", "finding-gpu0-other-processes",
                                                              "finding-gpu0-dataparallel"} & set(ids)
    assert c.advice.recommendation.option_id != "adamw-8bit"


def test_fp16_nan_on_a_bf16_card_and_a_budget_of_audio_samples(kb):
    """Review 32 #28: wav2vec2 on 4x A100, "max tokens 1.4M samples per GPU (~87.5s audio)" is fairseq's budget of
    audio samples, no batch of 1,400,000 (it was accumulated over 12,500 steps); "loss goes to NaN after ~2k steps
    with fp16" on a bf16 card is answered with bf16 autocast."""
    c = run_consultation("We train wav2vec2-base CTC on LibriSpeech 960h. Paper used 64 V100s with max tokens 1.4M "
                         "samples per GPU (~87.5s audio). We have 4x A100 80GB. How to set batch (we use HF Trainer, "
                         "group_by_length=True) and LR to match? Currently per_device_train_batch_size=32 and lr 1e-4, "
                         "loss goes to NaN after ~2k steps with fp16.", kb=kb)
    assert not c.wm.known("reference_batch")
    assert c.advice.findings[0].id == "finding-fp16-nan-use-bf16"


def test_nanogpt_divides_its_accumulation_over_the_gpus(kb):
    """Review 34 #1: nanoGPT's train_gpt2 config (12 × 1024, gradient_accumulation_steps 5 * 8) on 4 A100s: the
    script divides the key by the GPUs, so each accumulates 10 and the update is 12 × 40 = 480 sequences as on 8 -
    "to match the 8-GPU run" is the run compared with, and the comment's "~0.5M tokens" the same batch, rounded."""
    c = run_consultation("Running nanoGPT config/train_gpt2.py but I only have 4 A100s not 8. The config says\n"
                         "batch_size = 12\nblock_size = 1024\ngradient_accumulation_steps = 5 * 8\nand the comment says "
                         "total batch ~0.5M tokens. With torchrun --nproc_per_node=4 what's my real batch in tokens now, "
                         "and do I have to change gradient_accumulation_steps or the lr (6e-4) to match the 8-GPU run?",
                         kb=kb)
    assert c.wm.value("num_gpus") == 4 and c.wm.value("grad_accum_steps") == 10
    assert c.wm.value("effective_batch") == 480 and c.wm.value("tokens_per_step") == 480 * 1024
    assert not c.wm.known("reference_batch")
    assert c.advice.findings[0].id == "finding-accumulation-over-gpus"
    # without nanoGPT the key is each GPU's: 12 × 40 × 4
    other = run_consultation("batch_size = 12, gradient_accumulation_steps = 40, torchrun --nproc_per_node=4 on 4 A100s",
                             kb=kb)
    assert other.wm.value("grad_accum_steps") == 40


def _option_ids(c):
    return [o.id for o in c.advice.options]


def test_a_full_fine_tune_is_not_led_by_pure_bf16_near_the_card(kb):
    """Review 34 #17: Llama-3.2-1B full fine-tune on a 4090 that OOMed at 8 × 2048: pure bf16 weights and Adam (a
    fine-tune's small updates round away, and 21.5 of 24 GiB after an OOM) no longer leads; 8-bit AdamW with
    checkpointing and a fused loss keeps micro-batch 8 with room to 20."""
    c = run_consultation("Full fine-tune Llama-3.2-1B (not LoRA) on a single RTX 4090 24GB, bf16, AdamW (torch), seq len "
                         "2048, per_device_train_batch_size=8 -> OOM at the first step. gradient checkpointing off. "
                         "What's the largest batch that would fit, and what should I turn on?", kb=kb)
    rec = c.advice.recommendation.option_id
    assert rec != "bf16" and "checkpointing" in rec and "fused-loss" in rec, rec


def test_adapters_that_oomed_get_the_plan_with_room(kb):
    """Review 34 #26: LoRA on Llama-3-8B on a 3090 at 2 × 4096 with checkpointing on: QLoRA with a fused loss (micro-batch
    2, room to 4) is offered beside the tight plans at micro-batch 1."""
    c = run_consultation("lora llama3 8b on 3090 oom with bs 2 seq 4k, grad checkpoint allready on, bf16. pls help", kb=kb)
    assert "qlora-and-fused-loss" in _option_ids(c), _option_ids(c)
    assert c.advice.recommendation.option_id != "fused-loss"  # (21.7 of 23.7 GiB at micro-batch 1, after an OOM)


def test_a_plan_with_room_for_a_larger_micro_batch_is_shown(kb):
    """Review 34 #29: TinyLlama 1.1B full fine-tune on a 24 GB card: beside 8-bit AdamW (micro-batch 2), 8-bit AdamW
    with checkpointing (up to 10 per step) is shown."""
    c = run_consultation("I have 24 gigs of VRAM and want to fully fine-tune TinyLlama 1.1 billion params, bf16 + AdamW, "
                         "2k context. How many samples per step can I fit?", kb=kb)
    ids = _option_ids(c)
    assert "adamw-8bit" in ids and "adamw-8bit-and-checkpointing" in ids, ids


def test_a_micro_batch_raised_under_a_kept_batch_per_update(kb):
    """Review 34 #22: 8 → 32 per device with the accumulation divided by 4 "to keep the effective batch at 64" changes
    no batch (no LR retune): 32 is the batch asked about, checked against the 48 GB measured at 8; and a throughput
    of more FLOPs than the card has says a figure was misread instead of printing an MFU of 1,420%."""
    c = run_consultation("LoRA on Llama-2-13B, 1x A100 80GB, bf16, seq 1024. per_device_train_batch_size=8 runs at ~1.3 "
                         "it/s using 48GB. If I raise it to 32 will training be ~4x faster? Then I'd divide grad accum "
                         "by 4 to keep the effective batch at 64.", kb=kb)
    assert not c.wm.known("batch_scale_factor") and not c.wm.known("reference_batch")
    assert (c.wm.value("micro_batch"), c.wm.value("grad_accum_steps"), c.wm.value("asked_batch")) == (8, 8, 32)
    ids = [f.id for f in c.advice.findings]
    # (the question asked - "~4x faster?" - answered first, the impossible MFU beside it)
    assert ids[0] == "finding-same-batch-not-faster-by-the-ratio"
    assert "finding-measured-utilization-impossible" in ids and "finding-measured-utilization" not in ids
    assert c.wm.value("asked_batch_fits") is False


def test_a_schedule_kept_in_iterations_after_halving_the_batch(kb):
    """Review 34 #14: Faster R-CNN's 1x schedule ("original: 16 images/batch, lr 0.02, 90k iterations") run at 8 images
    (4/gpu on 2 GPUs) with the LR halved and the 90k iterations kept saw half the epochs: 180,000 iterations keep the
    1.44M samples (He on Detectron.pytorch#32; Goyal et al.)."""
    c = run_consultation("Faster R-CNN R50-FPN 1x schedule, original: 16 images/batch, lr 0.02, 90k iterations, steps at "
                         "60k/80k. I only have 2 GPUs so I use 8 images per batch (4/gpu) and followed the linear scaling "
                         "rule -> lr 0.01. Kept 90k iters. mAP is 35.1 vs 37.4 reported. What did I miss?", kb=kb)
    assert (c.wm.value("micro_batch"), c.wm.value("batch_size"), c.wm.value("reference_batch")) == (4, 8, 16)
    # (the recipe's LR is the one tuned for the batch started from; the user's own is checked against it scaled)
    assert c.wm.value("base_lr") == 0.02 and c.wm.value("user_lr") == 0.01 and c.wm.value("reference_steps") == 90000
    assert c.advice.findings[0].id == "finding-schedule-not-scaled"
    assert c.wm.value("schedule_scaled_steps") == 180000 and c.wm.value("schedule_share") == 0.5


def test_accumulation_that_syncs_every_micro_step_gets_no_sync(kb):
    """Review 34 #27: DDP on 2 nodes x 8 GPUs over 25 GbE, "each micro-step still does an all-reduce": wrap all but the
    last micro-batch in no_sync() - without first asking the precision."""
    c = run_consultation("Using DDP with gradient accumulation (8 micro-steps) and my step time barely improved vs no "
                         "accumulation - it looks like each micro-step still does an all-reduce. 2 nodes x 8 GPUs over "
                         "25Gb ethernet, 1.3B model. Is grad accumulation supposed to sync every micro-batch?", kb=kb)
    assert c.advice.recommendation.option_id == "no-sync-accumulation"
    assert "finding-no-sync-pattern" in [f.id for f in c.advice.findings]


def test_cuda_graphs_recorded_per_shape_are_not_a_leak(kb):
    """Review 34 #10: torch.compile(mode="reduce-overhead", dynamic=True) with dynamic padding (lengths 40..512) and
    memory climbing to an OOM: CUDA graphs per input shape - compile without them or pad to fixed lengths, not
    checkpointing; the "300M encoder" is read, not asked."""
    c = run_consultation('I wrapped my model in torch.compile(model, mode="reduce-overhead", dynamic=True) for a speedup. '
                         "Training a 300M encoder with dynamic padding (batches padded to the longest seq, lengths "
                         "40..512). Without compile it sits at 31GB on an A100 80GB. With compile memory keeps going up "
                         "for the first few thousand steps and then OOM. Is compile leaking memory? batch 64.", kb=kb)
    assert c.wm.value("params") == 300e6
    assert c.advice.findings[0].id == "finding-cuda-graphs-per-shape"
    assert c.advice.recommendation.option_id == "compile-without-cuda-graphs"


def test_a_random_oom_with_lengths_from_short_to_long_is_the_longest_batch(kb):
    """Review 34 #28: VITS at 64 per GPU, fine for hours, then an OOM at a different step each run, clips from 1 s to
    25 s: bucket the lengths or budget frames per batch - not checkpointing, not "64 is too big"."""
    c = run_consultation("Training VITS (TTS) on 2x RTX 3090 with batch_size 64 per GPU, fp16. Runs fine for hours, then "
                         "random OOM at some step, different step each run. Memory in nvidia-smi is around 20-23GB most "
                         "of the time. Dataset has utterances from 1s to 25s. Is 64 too big?", kb=kb)
    assert c.advice.findings[0].id == "finding-random-oom-longest-batch"
    assert c.advice.recommendation.option_id == "bucket-lengths"
    # fixed-length inputs failing at random steps are not this
    other = run_consultation("ResNet-50 at 224px, batch 256 on a 3090: random OOM at a different step each run", kb=kb)
    assert "finding-random-oom-longest-batch" not in [f.id for f in other.advice.findings]


def test_an_oom_after_many_epochs_of_speech_is_the_longest_batch(kb):
    """Review 83 #5: QuartzNet on 200 hours of audio, clips capped at 62 s, OOM after 44 epochs - the epoch's end
    ran 43 times before; the batch that draws the longest clips is the suspect."""
    c = run_consultation("Training QuartzNet 10x5 on my dataset of almost 200 hours audio, batch_size: 4, "
                         "max_duration: 62.0. I got CUDA out of memory error after 44 epochs! Why?", kb=kb)
    assert c.wm.value("variable_lengths") is True
    assert c.advice.findings[0].id == "finding-random-oom-longest-batch"
    images = run_consultation("ResNet-50 at 224px, batch 256: I got CUDA out of memory error after 44 epochs!", kb=kb)
    assert "finding-random-oom-longest-batch" not in [f.id for f in images.advice.findings]


def test_evaluation_on_whole_images_larger_than_the_crops(kb):
    """Review 34 #30: Mask2Former trained on 512x1024 crops, "Evaluation at full 1024x2048 with batch 1 OOMs": the
    evaluation OOM is read, and sliding-window inference at the crop size is the answer, not training levers."""
    c = run_consultation("Mask2Former Swin-B semantic seg on Cityscapes, 1x RTX 3090. Training with 512x1024 crops at "
                         "batch 2 uses ~19GB and works. Evaluation at full 1024x2048 with batch 1 OOMs. Any way around "
                         "it other than a bigger GPU?", kb=kb)
    assert c.wm.value("oom_stage") == "evaluation"
    assert c.advice.findings[0].id == "finding-eval-full-resolution"
    assert c.advice.recommendation is None or c.advice.recommendation.option_id != "memory-savers"


def test_bf16_against_fp16_is_answered(kb):
    """Review 34 #23: "does bf16 use less memory than fp16 AMP? do I still need a GradScaler with bf16? Currently fp16":
    the same memory and speed, and no GradScaler under bf16 - the run is on fp16, and the comparison asks about bf16."""
    c = run_consultation("For BERT-base pretraining on A100s, does bf16 use less memory than fp16 AMP? And do I still "
                         "need a GradScaler with bf16? Currently fp16 with dynamic loss scaling, global batch 2048, seq "
                         "128.", kb=kb)
    assert c.wm.value("precision") == "amp_fp16"
    assert c.advice.findings[0].id == "finding-bf16-vs-fp16"


def test_a_prepared_scheduler_that_ends_early_on_several_gpus(kb):
    """Review 34 #7: a scheduler passed through accelerator.prepare on 4 GPUs, its steps counted from the prepared
    loader: Accelerate steps it once per process per update, so the LR hits zero after 1/4 of the epochs."""
    c = run_consultation("Custom accelerate training loop, 4 GPUs. I do\ntrain_dataloader, model, optimizer = "
                         "accelerator.prepare(train_dataloader, model, optimizer)\nnum_training_steps = "
                         "len(train_dataloader) * num_epochs\nlr_scheduler = get_cosine_schedule_with_warmup(optimizer, "
                         "500, num_training_steps)\nlr_scheduler = accelerator.prepare(lr_scheduler)\nThe LR hits zero "
                         "after 1/4 of the epochs and the rest of training runs at lr=0. On 1 GPU it was fine. bs 16 per "
                         "GPU, lr 5e-5. What's wrong?", kb=kb)
    assert c.advice.findings[0].id == "finding-accelerate-scheduler-per-process"


def test_espnet2_splits_its_batch_over_the_gpus(kb):
    """Review 34 #8: ESPnet2 from 1 to 8 GPUs with the same batch_bins, only 1.5x faster at 6 of 32 GB each: its batch is
    the total, split over the GPUs; "warmuplr 25000 steps" is the warmup, not the run's length."""
    c = run_consultation("ESPnet2 librispeech_100 conformer recipe. Went from 1 GPU to 8 GPUs (--ngpu 8) with the same "
                         "train config (batch_bins: 16000000, accum_grad: 1) and an epoch is only ~1.5x faster, "
                         "nvidia-smi shows each GPU using about 6GB of 32GB. Should I raise batch_bins? If I do, what "
                         "happens to the lr (adam, warmuplr 25000 steps, lr 0.002)?", kb=kb)
    assert c.advice.findings[0].id == "finding-espnet-batch-is-total"
    assert c.wm.value("warmup_steps") == 25000 and not c.wm.known("planned_steps")


def test_mae_batch_flag_is_per_gpu_and_its_actual_lr(kb):
    """Review 34 #16: MAE's --batch_size is each GPU's (its help text), so 256 × accum 4 × 4 GPUs = 4096, the paper's;
    the script's LR is blr × 4096 / 256 = 2.4e-3 - no question whether 256 is per GPU."""
    c = run_consultation("MAE pretraining ViT-B/16 on ImageNet-1k. Paper: effective batch 4096, blr 1.5e-4, lr = blr * "
                         "eff_batch / 256, 800 epochs, 40 warmup epochs. I have 4x A100 80GB. I set --batch_size 256 "
                         "--accum_iter 4 and --blr 1.5e-4. Is that the same thing as the paper? And what's the actual lr?",
                         kb=kb)
    assert c.wm.value("micro_batch") == 256 and c.wm.value("effective_batch") == 4096
    assert abs(c.wm.value("lr_from_base") - 2.4e-3) < 1e-12
    assert "batch_scope" not in [q.id for q in c.advice.questions] and not c.wm.known("batch_unqualified")


def test_plain_python_over_several_gpus_is_dataparallel(kb):
    """Review 34 #15: `python train.py --batch 64 --device 0,1,2,3` (yolov5), GPU0 at 21 GB and the others at 9 GB, no
    faster than one GPU: the command is the one-process launch, so DataParallel is named and DDP recommended without
    asking how the run is started."""
    c = run_consultation("yolov5l, python train.py --img 640 --batch 64 --device 0,1,2,3 --data mydata.yaml. GPU0 shows "
                         "21GB and GPUs 1-3 about 9GB each, and GPU0 OOMs when I try batch 96. Training is also not "
                         "really faster than 1 GPU. 4x RTX 3090. What's going on?", kb=kb)
    assert c.wm.value("launch") == "one_process"
    assert c.advice.findings[0].id == "finding-gpu0-dataparallel"
    assert "launch" not in [q.id for q in c.advice.questions]
    # a launcher is one process per GPU
    assert run_consultation("python -m torch.distributed.run --nproc_per_node 4 train.py --device 0,1,2,3 on 4 GPUs",
                            kb=kb).wm.value("launch") == "process_per_gpu"


def test_rank_zero_holding_the_other_processes_contexts(kb):
    """Review 34 #21: DDP with torchrun on 8 A5000s, rank 0 OOMs with 7 extra ~500 MB processes on GPU 0 and a
    torch.load(path): set the device first and load to the CPU - no smaller batch for rank 0, no DataParallel lesson."""
    c = run_consultation("DDP on 8x RTX A5000 (24GB), torchrun --nproc_per_node 8. Rank 0 OOMs but the other 7 GPUs are "
                         "at ~17GB. nvidia-smi shows GPU 0 has 8 python processes on it, 7 of them using ~500MB each. "
                         "batch 24 per gpu. I load a checkpoint at start with torch.load(path). Should I give GPU0 a "
                         "smaller batch?", kb=kb)
    assert c.advice.findings[0].id == "finding-gpu0-other-processes"
    assert c.advice.recommendation.option_id == "keep-processes-off-gpu0"


def test_fp16_nan_on_a_card_without_bf16(kb):
    """Review 34 #13: QLoRA Qwen2.5-7B on V100s in fp16, "the loss is fine for ~150 steps and then goes to nan. Is the
    batch too big?": an fp16 overflow to contain (fp32 adapters, clipping, a lower LR), not the batch; the run trains,
    so no memory plan, and my count above the card is labelled as contradicted by it."""
    from advisor.shells.render import render_short

    c = run_consultation("QLoRA Qwen2.5-7B on 2x V100 32GB. bf16=True crashes (bfloat16 only supported on compute "
                         "capability >= 8.0) so I switched to fp16=True and torch_dtype=torch.float16, "
                         "bnb_4bit_compute_dtype=float16. Now the loss is fine for ~150 steps and then goes to nan. "
                         "per_device_train_batch_size=4, grad accum 4, lr 2e-4, r=64. Is the batch too big? Should I "
                         "lower lr?", kb=kb)
    assert c.advice.findings[0].id == "finding-fp16-nan-no-bf16"
    assert c.wm.value("claim_run_fits") is True and c.advice.recommendation is None or \
        c.advice.recommendation.option_id not in ("checkpointing", "memory-savers")
    assert "more than your run that works can hold" in " ".join(render_short(c).split())


def test_mmdetection_auto_scale_lr_and_the_nearest_accumulation(kb):
    """Review 34 #2: mmdetection's 16xb2 config on 3 GPUs at 2 per GPU: the runner steps every iteration (no
    accumulation asked), --auto-scale-lr sets 1e-4 × 6 / 32 = 1.875e-5 (√: 4.33e-5), and the nearest accumulation to 32
    keeps the micro-batch of 2 (2 × 5 × 3 = 30, not 1 × 6 × 3 = 18)."""
    c = run_consultation("mmdetection 3.x, grounding_dino_swin-t_finetune_16xb2_1x_coco.py on my custom coco dataset. I "
                         "have 3 GPUs (RTX 3090), batch_size=2 per gpu in train_dataloader. optimizer AdamW lr=0.0001. "
                         "Do I need to change lr myself or use --auto-scale-lr? what does auto_scale_lr base_batch_size "
                         "mean, and what lr would I end up with?", kb=kb)
    assert c.wm.value("grad_accum_steps") == 1 and c.wm.value("reference_batch") == 32
    assert abs(c.wm.value("lr_linear_at_batch") - 1.875e-5) < 1e-12
    assert c.advice.findings[0].id == "finding-auto-scale-lr"
    assert (c.wm.value("accum_micro_batch"), c.wm.value("accum_steps")) == (2, 5)


def test_grpo_completion_length_and_the_per_device_key_changed(kb):
    """Review 34 #3: GRPO with per_device_train_batch_size 1 → 8 (the divisibility error's "(4 x 1)" is that key's
    product, not a batch of its own) and max_completion_length=1024: sequences of TRL's default 512-token prompt +
    1024, not an assumed 4096; the batch per update is 8 × 4 = 32 completions."""
    c = run_consultation("GRPOTrainer, Qwen2.5-1.5B-Instruct, 4x A100 40GB, no vLLM.\nper_device_train_batch_size=1, "
                         "num_generations=8 gives:\nValueError: The global train batch size (4 x 1) must be evenly "
                         "divisible by the number of generations per prompt (8).\nSo I set per_device_train_batch_size=8 "
                         "and now it OOMs during the loss (max_completion_length=1024). I don't get it, 8 prompts per GPU "
                         "x 8 generations is 64 sequences per GPU?? How should I set this?", kb=kb)
    assert c.wm.value("seq_len") == 1536
    assert (c.wm.value("micro_batch"), c.wm.value("batch_size")) == (8, 32)
    assert {"finding-grpo-whole-groups", "finding-grpo-prompts"} <= {f.id for f in c.advice.findings}


def test_sd35_lora_on_16gb_names_the_text_encoders(kb):
    """Review 34 #20: SD3.5 Medium is in the catalogue (2.5B), and an OOM at the start of its LoRA on a 16 GB card is
    met with the T5-XXL encoder on the card (encode the prompts once, free the encoders) - no parameter question."""
    c = run_consultation("Trying to train a LoRA for SD3.5 Medium with diffusers train_dreambooth_lora_sd3.py on my RTX "
                         "4060 Ti 16GB. resolution 1024, train_batch_size 2, mixed_precision bf16, rank 16, gradient "
                         "checkpointing on. OOM right when training starts (text encoders are loaded too I think). Can "
                         "16GB do it?", kb=kb)
    assert c.wm.value("model_preset") == "sd3.5-medium" and c.wm.value("params") == 2.5e9
    assert c.advice.findings[0].id == "finding-diffusion-text-encoders"
    assert "params" not in [q.id for q in c.advice.questions]


def test_evaluation_that_keeps_outputs_generates_or_autobatches(kb):
    """Review 34 #9, #4, #6: a Lightning validation_step returning its logits for validation_epoch_end (memory climbs
    per batch: metrics per step, not a smaller batch); predict_with_generate with 4 beams (batch × beams with their
    caches); AutoBatch's 281 from a line fitted at batch 1-16 (set the batch by hand; no checkpointing for YOLO)."""
    c = run_consultation("pytorch lightning 1.9, segmentation model on a single RTX 3080 10GB. training is constant at "
                         "~7GB. During validation memory climbs step by step and it OOMs around 60% through the val set. "
                         "my validation_step:\n\ndef validation_step(self, batch, idx):\n    x, y = batch\n    logits = "
                         "self(x)\n    loss = self.loss_fn(logits, y)\n    self.log(\"val_loss\", loss)\n    return "
                         "{\"loss\": loss, \"preds\": logits, \"target\": y}\n\nand validation_epoch_end computes IoU over "
                         "all outputs. val batch 8, 512x512, 19 classes. should I lower val batch size?", kb=kb)
    assert c.advice.findings[0].id == "finding-eval-outputs-kept"
    c = run_consultation("flan-t5-large fine-tune with Seq2SeqTrainer on one A10G (24GB). Training at "
                         "per_device_train_batch_size=8, bf16 is fine (~17GB). But at the first evaluation with "
                         "predict_with_generate=True, generation_max_length=512, generation_num_beams=4, "
                         "per_device_eval_batch_size=8 it OOMs. Why would eval need more memory than training when "
                         "there are no gradients?", kb=kb)
    assert c.advice.findings[0].id == "finding-eval-generation-beams"
    c = run_consultation("yolov8n.pt, imgsz=480, batch=-1 on an RTX 4090.\nAutoBatch: Using batch-size 281 for CUDA:0 "
                         "16.87G/23.99G (70%)\nthen the first epoch dies with torch.cuda.OutOfMemoryError. If autobatch "
                         "says 281 fits why does it OOM? What batch should I actually use and does such a huge batch "
                         "hurt mAP?", kb=kb)
    assert c.advice.findings[0].id == "finding-autobatch-extrapolated"
    assert c.advice.recommendation is None or c.advice.recommendation.option_id != "memory-savers"


def test_a_throughput_read_per_gpu_beyond_the_peak_is_not_offered(kb):
    """Review 34 #11: 410k tokens/s over 8 A100s for a 350M BERT is 34.5% MFU; read as each GPU's it would be 276% -
    impossible, so that reading is not offered."""
    c = run_consultation("350M param BERT-style encoder pretraining on 8x A100 80GB, bf16, seq 512, micro-batch 64. DDP "
                         "gave 410k tokens/s; switching to DeepSpeed ZeRO-3 dropped it to 170k tokens/s. Why?", kb=kb)
    assert round(c.wm.value("measured_mfu") * 100, 1) in (34.5, 14.3)
    assert not c.wm.known("measured_mfu_if_per_gpu")


def test_do_i_need_deepspeed_is_answered_with_the_stages(kb):
    """Review 34 #29: 'Do I need DeepSpeed …?' on 4 A100 80GB - the run does not shard yet (no layout question), and
    ZeRO-2 and ZeRO-3 are each counted as a change of the plan: the whole copy needs more than the card, ZeRO-3 fits."""
    c = run_consultation("Do I need DeepSpeed to full fine-tune Mistral 7B on 4x A100 80GB? seq 2048, per device batch "
                         "2, bf16 mixed precision with AdamW.", kb=kb)
    assert c.wm.value("sharding_asked") is True
    assert "layout" not in [q.id for q in c.advice.questions]
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-asked-changes" and "plan-ddp-copies-the-model" in ids
    text = c.wm.value("plan_asked_changes")
    assert "ZeRO-2 (FSDP shard grad/optimizer):" in text and "ZeRO-3 (FSDP full shard):" in text
    assert c.wm.value("plan_current_per_gpu") > c.wm.value("plan_sharded_per_gpu")
    # a stage said is the run's: nothing is assumed about sharding
    said = run_consultation("Using DeepSpeed ZeRO-2 for Mistral 7B full fine-tune on 4x A100 80GB, seq 2048, per "
                            "device batch 2. Do I need ZeRO-3?", kb=kb)
    assert not said.wm.known("sharding_asked")


def test_a_smaller_batch_asked_after_an_oom_is_counted_beside_the_run(kb):
    """'batch 8 … OOM. Should I lower the batch to 2?' - the run is the batch that ran out, the smaller one is the
    question: it is counted with the user's other settings, with the accumulation that keeps the batch per update;
    a batch lowered and said to fit is the run."""
    c = run_consultation("bert-base fine-tuning on a T4 16GB, batch 128, seq 512, fp16. CUDA OOM. Should I reduce the "
                         "batch size to 32?", kb=kb)
    assert c.wm.value("asked_micro_batch") == 32 and c.wm.value("batch_size") == 128
    assert c.advice.findings[0].id == "finding-asked-micro-fits-accumulate"
    assert c.wm.value("plan_asked_micro_accum") == 4
    assert c.wm.value("plan_asked_micro_per_gpu") < c.wm.value("plan_current_per_gpu")
    c = run_consultation("Llama-2-7b LoRA on a 4090, batch 8, seq 1024, bf16. OOM. Should I lower the batch to 2?", kb=kb)
    assert c.advice.findings[0].id == "finding-asked-micro-does-not-fit"
    assert c.wm.value("plan_asked_micro_per_gpu") > c.wm.value("gpu_memory")
    done = run_consultation("I reduced the batch size to 32 from 128 for bert-base on a T4, seq 512, fp16, and now it "
                            "fits. Is the LR still ok?", kb=kb)
    assert not done.wm.known("asked_micro_batch") and done.wm.value("batch_size") == 32


def test_an_oom_with_a_frozen_backbone_says_it_is_still_in_the_graph(kb):
    """A frozen backbone keeps no activations for backward: 'backbone frozen, only training the head … OOM at batch
    256' points at parameters left requiring grad, said first; the count that trains every layer is labelled so. A
    run that freezes nothing gets no such finding."""
    c = run_consultation("Fine-tuning ViT-L/16 on a single 3090 with the backbone frozen, only training the "
                         "classification head. batch 256, fp16. CUDA OOM. why? the head is tiny", kb=kb)
    assert c.wm.value("frozen_backbone") is True
    assert c.advice.findings[0].id == "finding-frozen-backbone-still-in-graph"
    assert c.wm.value("every_layer_trained") is False
    for message in ("linear probe of a DINOv2 ViT-L on one A100, batch 1024, OOM",
                    "I freeze the encoder and only train the decoder; batch 32 on a T4 gives CUDA OOM"):
        assert run_consultation(message, kb=kb).wm.value("frozen_backbone") is True, message
    full = run_consultation("Fine-tuning ViT-L/16 on a single 3090, batch 256, fp16. CUDA OOM.", kb=kb)
    assert "finding-frozen-backbone-still-in-graph" not in [f.id for f in full.advice.findings]


def test_a_larger_micro_batch_keeping_the_batch_is_not_faster_by_the_ratio(kb):
    """'per_device 8, accumulation 8 … If I raise the batch to 32 and divide grad accum by 4 to keep the effective
    batch at 64, will training be 4x faster?' - the run is 8 × 8 (not 32 × 8 = 256, no reference batch of 8), and
    the speed question is answered first: the same 64 samples per update, not 4× faster."""
    c = run_consultation("per_device_train_batch_size=8, gradient_accumulation_steps=8 on one A100 40GB, bert-large, "
                         "seq 512, uses 31GB. If I raise the batch to 32 and divide grad accum by 4 to keep the "
                         "effective batch at 64, will training be 4x faster?", kb=kb)
    assert (c.wm.value("micro_batch"), c.wm.value("grad_accum_steps"), c.wm.value("batch_size")) == (8, 8, 64)
    assert not c.wm.known("reference_batch")
    assert c.advice.findings[0].id == "finding-same-batch-not-faster-by-the-ratio"
    assert not [f for f in c.advice.red_flags if "256" in f.title]


def test_an_sdxl_oom_names_the_text_encoders(kb):
    """SDXL LoRA on a 12 GB card that still runs out at batch 1 with checkpointing and 8-bit Adam: the two text
    encoders (817M) beside the UNet are named first, with sd-scripts' UNet-only training and output caching; an SD
    1.5 run does not get it."""
    c = run_consultation("SDXL LoRA with kohya sd-scripts on a 3060 12GB, batch 1, 1024x1024, gradient checkpointing, "
                         "AdamW8bit, cache latents on. Still CUDA OOM at the first step.", kb=kb)
    assert c.advice.findings[0].id == "finding-sdxl-text-encoders"
    sd15 = run_consultation("SD 1.5 LoRA on a 3060 12GB, batch 8, 512x512. CUDA OOM.", kb=kb)
    assert "finding-sdxl-text-encoders" not in [f.id for f in sd15.advice.findings]


def test_a_controlnet_is_answered_with_diffusers_measurements(kb):
    """Review 34 #12: a ControlNet trains a copy of SD 1.5's encoder beside the frozen UNet - no count of the UNet
    trained whole (14.79 GiB of states was printed), but diffusers' measured ladder (38 GB at batch 4, 20 GB at 1 × 4,
    16 / 12 / 8 GB with its savings); the batch lowered in the question is no reference batch."""
    c = run_consultation("Training ControlNet on SD 1.5 with the diffusers train_controlnet.py script on a single RTX "
                         "3090 24GB, resolution 512, train_batch_size 4, mixed_precision fp16. OOM. Should I lower the "
                         "batch to 1?", kb=kb)
    assert c.advice.findings[0].id == "finding-controlnet-memory-ladder"
    assert not c.wm.known("plan_current_per_gpu") and not c.wm.known("reference_batch")
    assert c.wm.value("asked_micro_batch") == 1
    sd = run_consultation("Fine-tuning the SD 1.5 UNet on a 3090, resolution 512, batch 4, fp16. OOM.", kb=kb)
    assert sd.wm.known("plan_current_per_gpu")


def test_a_size_read_from_part_of_a_catalogue_name_gives_the_catalogue_count(kb):
    """'Qwen2.5-7B-Instruct with full parameters': the 7B read from the name's 'Qwen2.5-7B' is the catalogue's
    7.62B, as for the name alone; a size said on its own stays as said."""
    c = run_consultation("I'm fine-tuning Qwen2.5-7B-Instruct with full parameters on 8x A100 40GB", kb=kb)
    assert c.wm.value("model_preset") == "qwen2.5-7b" and round(c.wm.value("params") / 1e9, 2) == 7.62
    said = run_consultation("full fine-tune of a 7B model on 8x A100 40GB", kb=kb)
    assert said.wm.value("params") == 7e9


def test_geforce_cards_without_nvlink_all_reduce_over_pcie(kb):
    """4 RTX 4090s 'barely faster than one': the 40 series has no NVLink (the catalogue says so), so the PCIe
    all-reduce is named first without asking how the cards connect; a count of memory above a run that trains does
    not lead a speed question. An A100 machine is not assumed to be on PCIe."""
    c = run_consultation("Training with 4x RTX 4090 using accelerate DDP is barely faster than one 4090. Model is a "
                         "1.3B GPT, per device batch 8, seq 1024, bf16. 1 GPU: 2.1 it/s, 4 GPUs: 0.6 it/s. Why?", kb=kb)
    assert c.wm.value("interconnect") == "pcie" and c.wm.value("claim_multi_gpu_slower") is True
    assert "finding-pcie-all-reduce" in [f.id for f in c.advice.findings[:2]]  # (beside the measured scaling)
    assert "interconnect" not in [q.id for q in c.advice.questions]
    a100 = run_consultation("4x A100 80GB with DDP is barely faster than one A100, 1.3B GPT, batch 8 per device", kb=kb)
    assert not a100.wm.known("interconnect") or a100.wm.facts["interconnect"].provenance.kind != "estimate"


def test_steps_per_second_at_two_gpu_counts_give_the_scaling(kb):
    """'1 GPU: 2.1 it/s, 4 GPUs: 0.6 it/s' with the per-GPU batch kept: 4 × 0.6 = 2.4 per-GPU batches/s against 2.1,
    1.14× for 4× the GPUs (29% efficiency), said first; the run trains (no plan to make it fit), and the 4 GPUs'
    count stays the reader's."""
    c = run_consultation("Training with 4x RTX 4090 using accelerate DDP is barely faster than one 4090. Model is a "
                         "1.3B GPT, per device batch 8, seq 1024, bf16. 1 GPU: 2.1 it/s, 4 GPUs: 0.6 it/s. Why?", kb=kb)
    assert c.wm.value("steps_per_second_by_gpus") == [[1, 2.1], [4, 0.6]]
    assert round(c.wm.value("gpu_speedup_gain"), 2) == 1.14 and round(c.wm.value("gpu_speedup_efficiency"), 3) == 0.286
    assert c.advice.findings[0].id == "finding-gpu-speedup-measured"
    assert c.advice.recommendation.option_id != "zero3"
    other = run_consultation("I get 3.2 it/s on 1 GPU and 1.5 it/s on 4 GPUs with per device batch 16, DDP", kb=kb)
    assert other.wm.value("num_gpus") == 4 and other.wm.value("steps_per_second_by_gpus") == [[1, 3.2], [4, 1.5]]


def test_one_speed_at_one_gpu_count_is_a_single_reading(kb):
    """'with 4 GPUs: 0.6 it/s' alone is no comparison: it stays the run's time per step (1/0.6 s)."""
    c = run_consultation("with 4 GPUs: 0.6 it/s, llama 7b lora, batch 4", kb=kb)
    assert not c.wm.known("steps_per_second_by_gpus") and round(c.wm.value("step_seconds"), 3) == 1.667


def test_a_pretraining_lr_is_held_against_gpt3s_table(kb):
    """'350M llama-style from scratch, global batch 512 sequences of 2048 (1M tokens), lr 3e-4, 20B tokens: how many
    steps, is the lr reasonable?' - the sequence length is read ('sequences of 2048'), the steps counted (20B / 1.049M
    = 19,074) and the LR held against GPT-3's 350M (3e-4 at 0.5M tokens: 1×); a fine-tune gets no such yardstick."""
    c = run_consultation("Pretraining a 350M llama-style model on 8x H100, global batch 512 sequences of 2048 (1M "
                         "tokens), lr 3e-4 cosine, 20B tokens. micro batch 16. How many steps is that and is the lr "
                         "reasonable?", kb=kb)
    assert c.wm.value("seq_len") == 2048
    assert c.wm.value("gpt3_ref_params") == 350e6 and c.wm.value("gpt3_ref_lr") == 3e-4
    assert round(c.wm.value("gpt3_ref_lr_ratio"), 2) == 1.0
    assert "finding-gpt3-reference-lr" in [f.id for f in c.advice.findings[:2]]
    tune = run_consultation("full fine-tune of Llama-2-7B on 8x A100, lr 2e-5, seq 2048, batch 64. is the lr ok?", kb=kb)
    assert not tune.wm.known("gpt3_ref_lr")
    bert = run_consultation("bert-base pretraining from scratch, 4x V100 16GB, batch 256 per GPU seq 128, lr 1e-4 Adam. "
                            "is the lr ok?", kb=kb)
    assert not bert.wm.known("gpt3_ref_lr")  # (an encoder: GPT-3's table is for decoders)


def test_fp16_nan_leads_over_an_oom_of_the_other_precision(kb):
    """'t5-large on a V100 … fp16 gives nan loss. fp32 OOMs.' - the run trains in fp16 and its loss overflows: the
    overflow (no bf16 on a V100) is said first, not the fp32 run's OOM."""
    c = run_consultation("Fine-tuning t5-large on a V100 16GB with Adafactor, batch 8, max_source_length 512, fp16 "
                         "gives nan loss. fp32 OOMs.", kb=kb)
    assert c.advice.findings[0].id == "finding-fp16-nan-no-bf16"


def test_an_lr_compared_to_running_on_one_gpu_belongs_to_that_run(kb):
    """'4 GPUs, per device 8, accumulation 2 … should my lr be scaled compared to running on 1 GPU with the same
    settings (lr 2e-5)?' - the LR was tuned for 8 × 2 on one GPU (16): at 64 per update, start at 4e-5 (Adam's √4)."""
    c = run_consultation("With accelerate on 4 GPUs and per_device_train_batch_size=8, gradient_accumulation_steps=2, "
                         "what is my global batch? And should my lr be scaled compared to running on 1 GPU with the "
                         "same settings (lr 2e-5)?", kb=kb)
    assert c.wm.value("num_gpus") == 4 and c.wm.value("reference_batch") == 16 and c.wm.value("effective_batch") == 64
    assert c.advice.recommendation.option_id == "retune-lr" or "4e-5" in c.advice.recommendation.rationale


def test_an_ultralytics_oom_is_told_a_smaller_batch_keeps_the_updates(kb):
    """'OOM training yolov8x with batch 32 imgsz 1280 on a 3090 - what batch should I use?': below 64 the YOLO trainer
    accumulates to 64 itself, so halving batch= changes no update - said first; AutoBatch's OOM keeps its own."""
    c = run_consultation("OOM when training yolov8x with batch 32 imgsz 1280 on RTX 3090. What batch should I use?",
                         kb=kb)
    assert c.advice.findings[0].id == "finding-ultralytics-oom-smaller-batch"
    big = run_consultation("OOM when training yolov8x with batch 128 imgsz 640 on an A100. What batch should I use?",
                           kb=kb)
    assert "finding-ultralytics-oom-smaller-batch" not in [f.id for f in big.advice.findings]


def test_an_offload_tried_and_set_aside_is_not_the_run(kb):
    """'FSDP … still OOM on H100 80GB. cpu_offload helps but is 3x slower.' - the run has no offload (it was tried and
    set aside), so no plan is 'no offload': the micro-batch is halved with the batch per update kept."""
    c = run_consultation("FSDP with 8 GPUs on llama 3 8b, sharding_strategy FULL_SHARD, per device batch 4, seq 8192, "
                         "activation checkpointing on, bf16. Still OOM on H100 80GB. cpu_offload helps but is 3x "
                         "slower.", kb=kb)
    assert not c.wm.known("offload")
    assert c.advice.recommendation.option_id != "no-offload"
    said = run_consultation("FSDP with cpu_offload on 8 GPUs, llama 3 8b, per device batch 4, seq 8192. OOM on H100.",
                            kb=kb)
    assert said.wm.value("offload") == "cpu"


def test_moe_memory_asked_about_active_params_is_countered_by_the_run_s_method(kb):
    """'Is MoE memory based on active params?' is the belief asked about: with QLoRA every expert's weights are loaded
    (no gradients nor Adam state for the frozen experts); fully fine-tuned, each expert also keeps its states."""
    q = run_consultation("Mixtral 8x7B QLoRA on a single A100 80GB, seq 4096, batch 2, OOM. Is MoE memory based on "
                         "active params?", kb=kb)
    assert not q.advice.red_flags and q.advice.findings[0].id == "finding-moe-all-experts-loaded"
    full = run_consultation("Full fine-tuning Mixtral-8x7B on 8x H100 runs out of memory. Is MoE memory based on active "
                            "params?", kb=kb)
    assert "rf-moe-all-experts-in-memory" in [f.id for f in full.advice.red_flags]


def test_a_contrastive_papers_batch_is_told_accumulation_does_not_reach_it(kb):
    """'SimCLR on 4x A100? Paper uses 4096.' - the usual plan (accumulate to the paper's batch) gives a contrastive
    loss no more negatives: said first, without asking how many micro-batches are accumulated."""
    c = run_consultation("How do I pick the batch size for contrastive learning (SimCLR) on 4x A100? Paper uses 4096.",
                         kb=kb)
    assert c.advice.findings[0].id == "finding-ga-contrastive"
    assert "grad_accum_steps" not in [q.id for q in c.advice.questions]


def test_auto_find_batch_size_that_trains_then_ooms_on_a_long_batch(kb):
    """'auto_find_batch_size picks 8, trains for a while, then OOMs when a long sequence comes': the finder halves the
    batch and restarts the loop after any OOM (said first); the run trained, so my full-AdamW count is not its memory;
    the OOM is the long batch, so when it happens is not asked. Without the finder no such finding."""
    c = run_consultation("Fine-tuning Llama-3.2-3B on a single RTX 4090 24GB with the HF Trainer, auto_find_batch_size="
                         "True. It picks batch 8 and trains for a while, then OOMs when a long sequence comes (max_length "
                         "2048). bf16.", kb=kb)
    assert c.advice.findings[0].id == "finding-auto-find-batch-size-restarts"
    assert c.wm.value("oom_at_fixed_step") is True and c.wm.value("oom_stage") == "long_batch"
    assert "oom_stage" not in [q.id for q in c.advice.questions]
    plain = run_consultation("Fine-tuning BERT-base on a T4 with batch 32, it ran fine for 3 hours and then crashed with "
                             "CUDA out of memory on the longest batch.", kb=kb)
    assert plain.wm.value("oom_at_fixed_step") is True and plain.wm.value("oom_stage") == "long_batch"
    assert "finding-auto-find-batch-size-restarts" not in [f.id for f in plain.advice.findings]
    off = run_consultation("auto_find_batch_size=False, per_device_train_batch_size 8, OOM on a 4090", kb=kb)
    assert not off.wm.value("hf_auto_find_batch_size")


def test_an_evaluation_oom_counts_the_trainers_evaluation_batch(kb):
    """Training at per_device_train_batch_size=1 fits, evaluation OOMs: the Trainer evaluates at 8 unless set, so one
    evaluation batch's logits are 8 × 2,048 × 32,000 × 4 B = 1.95 GiB against training's 0.24 GiB (said first); an
    evaluation batch said is the one counted; one no larger than training's is not blamed."""
    c = run_consultation("LoRA fine-tuning Llama-2-7b on one A10G 24GB with the HF Trainer, per_device_train_batch_size"
                         "=1, gradient_accumulation_steps=16, seq 2048. Training runs fine at ~18GB but it OOMs as soon "
                         "as evaluation starts. Why?", kb=kb)
    assert c.advice.findings[0].id == "finding-eval-batch-logits"
    assert c.wm.value("eval_batch_used") == 8
    assert c.wm.value("eval_batch_logits") == 8 * 2048 * 32000 * 4
    said = run_consultation("Mistral-7B QLoRA on a 4090, per_device_train_batch_size 2, eval_batch_size 16, max_seq_length "
                            "1024. It OOMs during evaluation.", kb=kb)
    assert said.wm.value("eval_batch_used") == 16 and said.advice.findings[0].id == "finding-eval-batch-logits"
    same = run_consultation("LoRA fine-tuning Llama-2-7b on one A10G 24GB, per_device_train_batch_size=4, "
                            "per_device_eval_batch_size=4, seq 2048. OOM as soon as evaluation starts.", kb=kb)
    assert "finding-eval-batch-logits" not in [f.id for f in same.advice.findings]


def test_an_epoch_timed_at_two_gpu_counts_gives_the_scaling(kb):
    """'1 RTX 3090: 10 hours per epoch; 4x RTX 3090: still 8 hours' - an epoch is the same data at any count, so
    10 / 8 = 1.25x for 4x the GPUs (31%), led by the sampler check; 'Why isn't it 4x faster?' asks for speed, so no
    BatchNorm finding (a ResNet's, from the catalogue) and the next step times updates, not memory. 'ResNet-50 on'
    is no count of 50 GPUs; cards named by model ('1 RTX 3090: 2.1 it/s') pair with their steps/s too."""
    c = run_consultation("Training a ResNet-50 on 1 RTX 3090 takes 10 hours per epoch; with 4x RTX 3090 and DDP it "
                         "still takes 8 hours per epoch. Batch 64 per GPU, 8 dataloader workers. Why isn't it 4x "
                         "faster?", kb=kb)
    assert c.wm.value("epoch_seconds_by_gpus") == [[1, 36000.0], [4, 28800.0]]
    assert c.advice.findings[0].id == "finding-epoch-gpu-speedup-measured"
    assert abs(c.wm.value("epoch_speedup_gain") - 1.25) < 1e-9
    assert not any("bn" in f.id for f in c.advice.findings)
    assert c.advice.measure[0].id == "measure-time-per-update"
    steps = run_consultation("Training a ResNet-50 with DDP, batch 64 per GPU. 1 RTX 3090: 2.1 it/s, 4x RTX 3090: 0.6 "
                             "it/s. Why isn't it 4x faster?", kb=kb)
    assert steps.wm.value("steps_per_second_by_gpus") == [[1, 2.1], [4, 0.6]]
    assert steps.advice.findings[0].id == "finding-gpu-speedup-measured"
    words = run_consultation("An epoch takes 2 hours on one GPU; 90 minutes per epoch with 4 GPUs. Why so slow?", kb=kb)
    assert words.wm.value("epoch_seconds_by_gpus") == [[1, 7200.0], [4, 5400.0]]


def test_lit_gpt_lora_on_q_and_v_under_bf16_mixed(kb):
    """lit-gpt's hparams ('lora_query': True, 'lora_value': True, the rest False) are LoRA on q and v; its "Using
    bfloat16 Automatic Mixed Precision (AMP)" keeps the 6.74B base in fp32 - 25.10 GiB, not 12.55 - which is why a
    plan counted at 28.78 GiB ran out on 40 GB (41.33 GiB with the fp32 base); bf16-true is the fix."""
    c = run_consultation("Same problem on an A100 40GB: OOM. I run `python finetune/lora.py --checkpoint_dir "
                         "checkpoints/NousResearch/Llama-2-7b-hf --data_dir data/lima` and it prints \"Using bfloat16 "
                         "Automatic Mixed Precision (AMP)\". The hparams it prints: {'devices': 1, "
                         "'override_max_seq_length': 2048, 'learning_rate': 0.0003, 'batch_size': 4, 'micro_batch_size':"
                         " 1, 'gradient_accumulation_iters': 4, 'lora_r': 8, 'lora_alpha': 16, 'lora_query': True, "
                         "'lora_key': False, 'lora_value': True, 'lora_projection': False, 'lora_mlp': False, "
                         "'lora_head': False}. So even 40GB is not enough for LoRA on a 7B?", kb=kb)
    assert c.wm.value("lora_targets") == "qv"
    assert c.advice.findings[0].id == "finding-amp-keeps-base-fp32"
    assert c.wm.value("amp_base_fp32") == 2 * c.wm.value("amp_base_bf16") == c.wm.value("params") * 4
    assert c.wm.value("amp_plan_fp32_base") > c.wm.value("gpu_memory") > c.wm.value("plan_current_per_gpu")
    true16 = run_consultation("LoRA on llama-2-7b with precision bf16-true on an A100 40GB, OOM at seq 2048", kb=kb)
    assert "finding-amp-keeps-base-fp32" not in [f.id for f in true16.advice.findings]


def test_lora_layers_said_without_a_rank_count_at_the_default_rank(kb):
    """LLaMA-Factory's `lora_target: q_proj,v_proj` without a rank: PEFT's and LLaMA-Factory's default r=8 on q and v
    of Qwen2-72B's 80 blocks (16.38M adapter parameters), not the default share of every layer."""
    c = run_consultation("Fine-tuning Qwen2-72b on 2 A800 cards: torch.cuda.OutOfMemoryError. GPU type NVIDIA A800 80GB "
                         "PCIe. Script: model_name_or_path: ~/Qwen2-72B-Instruct, stage: sft, finetuning_type: lora, "
                         "lora_target: q_proj,v_proj, deepspeed: examples/deepspeed/ds_z3_config.json, cutoff_len: 1024, "
                         "per_device_train_batch_size: 1, gradient_accumulation_steps: 1, bf16: true", kb=kb)
    share = c.wm.value("lora_adapter_share")
    assert abs(share * c.wm.value("params") - 80 * 8 * ((8192 + 8192) + (8192 + 1024))) < 1
    assert "PEFT's default" in c.run.estimates["lora_adapter_share"].formula


def test_a_throughput_per_gpu_under_tensor_parallelism_counts_every_gpu(kb):
    """NeMo on 8 A100s with tensor_model_parallel_size=4: 2 data-parallel copies of 4 GPUs each, so 1.9k tokens/s per
    GPU is 15.2k for the run (not 3.8k), and the MFU stays 47.6% (6 × 13.02B × 1.9k / 312 TFLOP/s)."""
    c = run_consultation("According to this blog, training LLaMA 13B with NeMo 23.08 can reach 2357 Tokens/s/GPU, yet I "
                         "only get under 1900 Tokens/s/GPU. I'm running on 8xA100: torchrun --nproc_per_node=8 "
                         "megatron_llama_pretraining.py trainer.precision=bf16 trainer.devices=8 trainer.num_nodes=1 "
                         "model.micro_batch_size=1 model.global_batch_size=32 model.tensor_model_parallel_size=4 "
                         "model.pipeline_model_parallel_size=1", kb=kb)
    assert c.wm.value("num_gpus") == 2 and c.wm.value("model_parallel_gpus") == 4
    assert c.wm.value("run_tokens_per_second") == 1900 * 8
    assert abs(c.wm.value("measured_mfu") - 6 * c.wm.value("params") * 1900 / 312e12) < 1e-9


@pytest.mark.parametrize("said", ["CPU RAM hits 100%, causing a full system crash",
                                  "the entire instance crashes due to CPU memory overload",
                                  "RAM usage goes up to 100% and the machine freezes"])
def test_a_host_whose_ram_fills_is_no_gpu_out_of_memory(kb, said):
    """'GRPO with ZeRO-3 on 8x A100 80GB … CPU RAM hits 100%, causing a full system crash' (review 48 #4): the host's
    RAM, said in other words than "Killed", is what ran out - answered first, with what loading costs the host; a
    GPU's memory at 100% is not."""
    c = run_consultation(f"GRPO of Qwen-7B with DeepSpeed ZeRO-3 on 8x A100 80GB, 2 per device: {said}.", kb=kb)
    assert c.advice.findings[0].id == "finding-process-killed"
    assert c.wm.value("host_load_bytes") == 7_721_324_544 * 4 * 8  # fp32, each of the 8 processes
    gpu = run_consultation("GRPO of Qwen-7B with DeepSpeed ZeRO-3 on 8x A100 80GB: GPU RAM hits 100%.", kb=kb)
    assert "finding-process-killed" not in [f.id for f in gpu.advice.findings]


def test_a_process_killed_at_the_save_under_zero3_is_the_gathered_model(kb):
    """'8x A100-80G, zero 3 plus CPU offload, killed (exitcode -9) apparently when saving the model, --shm-size 800G':
    the save gathers Qwen-72B's 72,287,920,128 parameters × 2 B = 134.65 GiB on rank 0's CPU beside the offloaded
    states - said first, instead of the loading path (the model trained); without a RAM said, no yes/no on whether
    the offloaded states fit the host."""
    c = run_consultation("Can a single machine with 8x A100-80G do full-parameter training of qwen 72b? I'm using zero 3 "
                         "plus CPU offload (both optimizer and model offloaded). The error I currently hit, apparently "
                         "when saving the model, is: torch.distributed.elastic.multiprocessing.api: [ERROR] failed "
                         "(exitcode: -9) local_rank: 0 (pid: 24418) of binary: /usr/bin/python. I already gave the "
                         "docker container --shm-size 800G. Batch size 4, sequence length 2560.", kb=kb)
    assert c.advice.findings[0].id == "finding-killed-at-save"
    assert c.wm.value("host_save_gather") == 72_287_920_128 * 2
    assert "finding-process-killed" not in [f.id for f in c.advice.findings]
    assert not c.wm.known("plan_current_fits_host")
    load = run_consultation("Fine-tuning llama-2-70b with zero 3 on 8 A100s, the process gets killed while loading the "
                            "model, no CUDA error", kb=kb)
    assert "finding-process-killed" in [f.id for f in load.advice.findings]


def test_the_largest_batch_that_fits_against_a_papers_batch_gets_the_accumulation(kb):
    """'I can already train the model, but I can't fit more than batch size 10 on an 80GB A100, so I can't reach the
    reported batch size of 1024 with 8xA100. Is 1024 reached with gradient accumulation?' - 10 is the user's largest
    micro-batch (not a batch compared with), 1024 the paper's; the run trains, and the answer is 8 × 16 × 8."""
    c = run_consultation("I'm trying to replicate your training process (full fine-tuning of the 7B LLM with "
                         "LLaMA-Factory). I can already train the model, but I can't fit more than batch size 10 on an "
                         "80GB A100 GPU, so I can't reach the reported batch size of 1024 with 8xA100. I'm already "
                         "using bf16, deepspeed, and flash attention. Is 1024 reached with gradient accumulation?", kb=kb)
    assert c.wm.value("max_micro_batch") == 10 and c.wm.value("reference_batch") == 1024
    assert c.wm.value("claim_run_fits") is True
    rec = c.advice.recommendation
    assert rec is not None and "8 per GPU × 16 accumulation steps × 8 GPU(s) = 1024" in rec.rationale
    assert read_message(kb, "accuracy is worse than batch 128")["reference_batch"][0] == 128


def test_a_worse_loss_at_larger_batches_over_one_epoch_is_fewer_updates(kb):
    """A sweep of gradient_accumulation_steps (and of the batch) over one epoch with the loss rising: over the same data
    k× the batch is 1/k of the updates, and the Trainer's train_loss is the run's mean - said first, no red flag
    for a belief the user does not hold."""
    c = run_consultation("I was running a benchmark of the speedup from various --gradient_accumulation_steps levels "
                         "and noticed the lm loss gets progressively and much worse as gradient_accumulation_steps grows "
                         "(with --per_device_train_batch_size 16): GAS 1: 135.85 samples/s, train loss 2.21; GAS 2: "
                         "156.95, 2.29; GAS 16: 179.15, 2.86. Why does a larger batch give a worse train loss?", kb=kb)
    assert c.advice.findings[0].id == "finding-larger-batch-worse-loss-same-data"
    assert not c.advice.red_flags
    assert "grad_accum_steps" not in [q.id for q in c.advice.questions]  # (a sweep: no one count to ask for)


def test_a_progress_line_gives_the_batch_and_the_samples_per_second(kb):
    """NeMo's 'global_step=9e+3, consumed_samples=6.3e+5, train_step_timing in s=0.615': 70 samples per step and
    113.8 samples/s (9e+3 is no data set of 9,000); 'reduced_train_loss=nan' in a speed question is flagged; with a
    sequence length the tokens/s follow."""
    line = ("How can I get MFU or tokens/sec from this? \"Epoch 0: 3% | 9000/301500 [1:42:42<55:37:46, "
            "reduced_train_loss=nan.0, global_step=9e+3, consumed_samples=6.3e+5, train_step_timing in s=0.615]\"")
    c = run_consultation(line, kb=kb)
    assert c.advice.findings[0].id == "finding-throughput-from-log"
    assert abs(c.wm.value("log_global_batch") - 70) < 1e-9 and abs(c.wm.value("log_samples_per_second") - 70 / 0.615) < 1e-9
    assert not c.wm.known("dataset_size")
    assert "finding-timing-a-diverged-run" in [f.id for f in c.advice.findings]
    seq = run_consultation(line + " seq_length 2048", kb=kb)
    assert abs(seq.wm.value("log_tokens_per_second") - 70 / 0.615 * 2048) < 1e-6


def test_a_slow_run_is_asked_where_its_time_goes_before_its_precision(kb):
    """'90 minutes an ImageNet epoch on 8 Titan Xp, can I increase the batch to speed up?': whether the GPUs wait for
    data is asked first (the precision a faster kernel needs is moot while the loader is the limit)."""
    advice = consult("How large a batch size should I set for imagenet training? I just use the default setting of "
                     "batch size 256 with 8 TITAN XP GPUs on resnet34, and it takes about 1.5 hours for one epoch. I want "
                     "to speed up the training process. Can I increase the batch size?", kb=kb)
    ids = [q.id for q in advice.questions]
    assert ids[0] == "data_loader_bound" and ("precision" not in ids or ids.index("precision") > 0)


def test_a_large_model_ending_worse_than_its_base_is_an_unstable_fine_tune(kb):
    """'base always outperforms large after fine-tuning (BERT and RoBERTa), batch 4 at seq 512 on 8 2080s': said first
    - several seeds, a smaller LR, more steps - instead of the LR-follows-the-batch paragraph."""
    advice = consult("On all datasets I have used so far, base always outperforms large after fine-tuning. This is "
                     "true for both BERT and RoBERTa. Why? Does large require far more epochs or a different learning "
                     "rate? I have 8 GPUs, 2080 rtx with 10gb each, but I use a batch size of 4 because I need a "
                     "sequence length of 512.", kb=kb)
    assert advice.findings[0].id == "finding-large-model-fine-tunes-unstably"


def test_more_gpus_with_a_longer_training_time_asks_the_launch(kb):
    """DialoGPT on 1 GPU at 1.45 s/it and 'tok/s: 5.0k', then 4 GPUs with 275000/4 steps, 'the training time
    increases': no faster on several GPUs - samples/s compared, the launch (DataParallel?) asked first; the 124.4M
    said as 'Number of parameter = 124439808' is not asked for."""
    advice = consult("I was retraining the small model (Number of parameter = 124439808) on my own dataset with a single "
                     "GPU (n_gpu 1). With a single GPU I kept the number of optim steps = 275000; the progress bar "
                     "estimated 1.45 seconds per iteration, tok/s: 5.0k. To speed up I switched to a 4 GPU setup and "
                     "reduced the optim steps to 68750, which is 275000/4. Surprisingly, with 4 GPUs the training time "
                     "increases, as does the time to finish one iteration. How do I correctly use multiple GPUs?", kb=kb)
    assert "finding-multi-gpu-no-faster" in [f.id for f in advice.findings]
    assert advice.questions[0].id == "launch" and "params" not in [q.id for q in advice.questions]


def test_ultralytics_workers_asked_are_per_process_and_capped(kb):
    """'args.yaml tells me workers=8. Should I also increase workers to 32?' with YOLOv8: each process's loader is
    capped at the cores over the GPUs; cache=ram first - answered first."""
    advice = consult("I would like to find the optimal batch size. model = YOLO('yolov8n.pt'); model.train(data="
                     "'configs/dataset.yaml', epochs=300, batch=16, device=0). I could simply set bs=64; however, "
                     "args.yaml tells me workers=8 (the default, I guess). Should I also increase workers to 32?", kb=kb)
    assert advice.findings[0].id == "finding-ultralytics-workers"


def test_ultralytics_validation_batch_asked_is_rank_zeros_double(kb):
    """'Is it possible to set per-GPU batch sizes with YOLOv8 …? how do I change the validation batch size separately?'
    - both answered: no per-GPU batch (the smallest card sets it), and validation runs on rank 0 at twice the per-GPU
    batch with no argument of its own in model.train()."""
    advice = consult("1. Is it currently possible to set per-GPU batch sizes when training with YOLOv8? This is for "
                     "cases where multiple GPUs do not have the same memory size. 2. Also, how do I change the "
                     "validation batch size separately from the training one?", kb=kb)
    ids = [f.id for f in advice.findings]
    assert "finding-ultralytics-val-batch" in ids[:3]


def test_nnunet_idle_gpu_with_workers_asked_gets_its_environment_variable(kb):
    """nnU-Net with 'low Volatile GPU-Util (except when loading data …) but almost full GPU memory … How do I change
    the number of workers …?': the loader is the bottleneck (said, so not asked), and nnU-Net's augmentation workers
    come from nnUNet_n_proc_DA - said first."""
    advice = consult("I edited your source code for my task (nnUNet_trainerV2 with an extra convolutional block in "
                     "Generic_UNet). When running on GPU I always get low Volatile GPU-Util (except when loading data at "
                     "each iteration) but almost full GPU memory usage. For faster pin memory I set num_threads in the "
                     "dataloader to 2. How do I change the number of workers, like in a Dataloader, to make full use of "
                     "the GPU?", kb=kb)
    assert advice.findings[0].id == "finding-nnunet-augmentation-workers"
    assert "data_loader_bound" not in [q.id for q in advice.questions]


def test_a_run_that_ran_out_is_not_first_asked_for_two_measured_peaks(kb):
    """LoRA on llama-2-7b-chat over 4 A100 80GB, 'Tried to allocate 2.00 GiB … 77.13 GiB already allocated': a run that
    OOMs gives no two peaks until it fits, so what it is - when the OOM comes, its length - is asked first."""
    advice = consult("I ran into an OOM issue when running the lora method for the llama-2-7b-chat model on 4xA100 "
                     "(80GB). Error: torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; "
                     "79.15 GiB total capacity; 77.13 GiB already allocated). Why does LoRA OOM on 4xA100?", kb=kb)
    ids = [q.id for q in advice.questions]
    assert ids and ids[0] != "peak_memory_by_batch"


def test_no_batch_size_fits_is_not_said_of_states_that_leave_the_card_room(kb):
    """Qwen2-VL-7B full fine-tune with ZeRO-3 over 2 A100 80GB, OOM: 62.14 GiB of states per GPU and no activation
    model for the architecture - 'no batch size fits: 62 GiB' would contradict the card's 80; the OOM is reconciled
    instead. A 72B whose states alone exceed the card still gets the red flag."""
    c = run_consultation("Full fine-tuning qwen2-vl on two cards goes OOM. GPU type NVIDIA A100-SXM4-80GB. "
                         "stage: sft, finetuning_type: full, deepspeed: examples/deepspeed/ds_z3_config.json, "
                         "cutoff_len: 2048, per_device_train_batch_size: 1, gradient_accumulation_steps: 1, bf16: true. "
                         "model Qwen2-VL-7B-Instruct", kb=kb)
    assert c.wm.value("plan_at_one") < c.wm.value("gpu_memory")
    assert "rf-batch-is-not-the-lever" not in [r.id for r in c.advice.red_flags]


def test_a_sequence_length_said_and_run_apart_is_pointed_out(kb):
    """'I fine-tune with max_sequence_length=128 … Command: … --max_seq_length 64': two values of one setting, said
    first (the command is what ran); a length changed 'to 1000' or another length setting is no disagreement."""
    advice = consult("When I fine-tune with max_sequence_length=128 and batch_size=12 on a single 11G GPU, I get acc = "
                     "0.68. Command: python run_classifier.py --bert_model bert-large-uncased --task_name MRPC "
                     "--max_seq_length 64 --train_batch_size 12 --learning_rate 2e-5", kb=kb)
    assert advice.findings[0].id == "finding-said-and-set-disagree"
    change = consult("I use cutoff_len 3000 and it OOMs on a 4090. When I reduce cutoff_len to 1000 it works.", kb=kb)
    assert "finding-said-and-set-disagree" not in [f.id for f in change.findings]


def test_a_run_that_nearly_diverged_is_at_the_edge_of_stability(kb):
    """DeiT-B: 'batch size 512 (default is 1024) … 78.8%; warmup 10 … 79.2%; with the default setting the model seems
    about to diverge around the 6th epoch but recovers': the default's 1024 is the reference, and a run at the edge of
    stability - seeds before conclusions - is said first instead of asking for the GPU and the batch."""
    c = run_consultation("I am trying to re-train the Deit base model. I can reproduce the reported 81.8% with all "
                         "default settings; however, the performance degrades a lot if I change two very minor "
                         "hyperparameters: 1. batch size 512 (default is 1024), with the learning rate automatically "
                         "scaled by your code -> 78.8%. 2. batch size 1024 but warmup epochs 10 (default is 5) -> 79.2%. "
                         "With the default setting the model seems about to diverge around the 6th epoch but recovers. "
                         "Why would such small changes cost ~3%?", kb=kb)
    assert c.advice.findings[0].id == "finding-run-at-the-edge-of-stability"
    assert c.wm.value("reference_batch") == 1024


def test_a_step_that_grows_with_uncounted_nodes_is_the_network(kb):
    """Tutel MoE: 'with n nodes the step takes about n times the step time of a single node': several machines,
    their number unsaid - not 'machines 1' - so the answer is the link between them and the all-to-all of the
    experts, and no question about the data loader, the launcher or the precision (levers the diagnosis makes moot)."""
    c = run_consultation("When I train models using Tutel (MoE), each step takes much longer with multiple nodes: with "
                         "n nodes the step takes about n times the step time of a single node, so multi-node training "
                         "takes even more time than single-node to finish one epoch. Any debugging suggestions?", kb=kb)
    assert not c.wm.known("num_nodes")
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-moe-all-to-all-across-machines" and "finding-several-machines-slower" in ids
    assert c.advice.recommendation.option_id == "check-interconnect"
    asked = [q.id for q in c.advice.questions]
    assert not {"data_loader_bound", "launch", "precision", "throughput_rises"} & set(asked)
    # a run moved "from a single node … to multi-node (2 nodes)" still counts the nodes it moved to
    moved = run_consultation("I have scaled my training from a single node (8 x A100 40G) to multi-node (2 nodes over "
                             "RoCE). 1 node takes 22.3 minutes and 2 nodes take 24.4 minutes. Why so slow?", kb=kb)
    assert moved.wm.value("num_nodes") == 2


def test_a_loader_named_as_the_bottleneck_asks_no_compute_lever(kb):
    """'the time goes into mmcv.imread or resize … besides more num_workers?': the cost of each image is the answer
    (offline resize, libjpeg-turbo, nvJPEG), not the bursts of utilisation the workers fix, and no question about
    the precision or the batch's throughput follows; a loader said to be the limit asks none either."""
    advice = consult("Training BEVFormer with the default data loading and transforms, volatile GPU-util is low, around "
                     "50%, probably because every batch loads multiple camera images; the time goes into mmcv.imread "
                     "or resize. Is there any technique to improve GPU utilization besides using more num_workers?",
                     kb=kb)
    ids = [f.id for f in advice.findings]
    assert ids[0] == "finding-decoding-bound" and "finding-gpu-waits-for-data" not in ids
    assert advice.questions == []
    idle = consult("The GPU is mostly idling, then suddenly spikes - super slow training with darkflow on my GeForce "
                   "1070, 1 iteration every 5 seconds. Where is the bottleneck?", kb=kb)
    assert "finding-gpu-waits-for-data" in [f.id for f in idle.findings]
    assert not {"precision", "throughput_rises"} & {q.id for q in idle.questions}


def test_a_memory_calculator_assumes_no_batch(kb):
    """'what batch size does the accelerate Model Memory Calculator assume? at 2 or 4, 2x or 4x?': none - it adds up
    the weights (and Adam's states): a batch adds activations on top, and no accumulation question follows."""
    advice = consult("The accelerate Model Memory Calculator is very useful, but what batch size does its result "
                     "assume? I can't find it in the docs. If it's batch size 1: if I increase batch_size to 2 or 4, "
                     "will the memory needed be 2x or 4x the number it shows?", kb=kb)
    assert advice.findings[0].id == "finding-weights-calculator-counts-no-batch"
    assert "grad_accum_steps" not in [q.id for q in advice.questions]


def test_the_users_own_batch_before_a_change_is_no_reference(kb, capsys):
    """'I trained with batch 256 … now I increased the batch to 1024': the run is at 1024 (not 256), and the 256 it
    changed from is read back as the user's own batch, not a reference's."""
    c = run_consultation("I trained with batch 256 and lr 0.1, now I increased the batch to 1024. Should I change the "
                         "learning rate?", kb=kb)
    assert c.wm.value("batch_size") == 1024 and c.wm.value("reference_batch") == 256
    assert c.wm.value("batch_scale_factor") == 4
    from advisor.shells.render import i_read, read_facts
    said = i_read(kb, read_facts(kb, c.advice.facts))
    assert "your batch before the change 256" in said and "reference batch" not in said
    paper = run_consultation("The paper used batch 512 with lr 0.2; I use batch 128. What learning rate?", kb=kb)
    assert "reference batch 512" in i_read(kb, read_facts(kb, paper.advice.facts))


def test_a_model_loaded_whole_on_one_of_several_gpus_is_split_with_device_map_auto(kb):
    """4x P40, Mixtral 4-bit with device_map='cuda', OOM at inference: the run uses one of the four GPUs (not four
    in data parallel), the OOM is a forward pass's (not loading's), and the answer is the split: 21.75 GiB of 4-bit
    weights on one card, 5.44 GiB each over four."""
    c = run_consultation("Following your Mixtral 8x7B QLoRA fine-tuning notebook, I ran it on my home lab, a 4x Tesla "
                         "P40 node (24 GB each). I kept getting CUDA OOM when running baseline inference on the model "
                         "before training. The notebook sets device_map='cuda' when loading the 4-bit model; the model "
                         "loads on my first GPU and just barely fits at 4-bit in 24 GB, but as soon as I run inference "
                         "it exceeds the VRAM and crashes. Is 4x P40 enough for QLoRA on Mixtral?", kb=kb)
    assert c.wm.value("num_gpus") == 1 and c.wm.value("machine_gpus") == 4
    assert c.wm.value("oom_stage") == "forward"
    assert c.advice.findings[0].id == "finding-model-on-one-of-the-machines-gpus"
    assert c.wm.value("weights_split_per_gpu") == c.wm.value("weights_on_one_gpu") / 4 == c.wm.value("params") * 0.5 / 4


def test_a_recipe_whose_layout_does_not_multiply_to_its_batch_is_pointed_out(kb):
    """The docs' table: 2 GPUs, 8 per device, 4 accumulation steps, 'resulting batch size 32': 8 × 4 × 2 = 64, so
    one of its numbers is wrong - said first, with no question about the data set; a table that multiplies out
    raises nothing."""
    c = run_consultation("Question about the effective batch size in the docs: the table says Hardware: 2 GPUs, "
                         "Details: 8 per device, 4 grad accum steps, Resulting batch size: 32. But with the standard "
                         "calculation it should be 8 * 2 * 4 = 64. Is the effective batch size 64 (and 32 a typo)?",
                         kb=kb)
    assert c.advice.findings[0].id == "finding-reference-layout-disagrees"
    assert c.wm.value("reference_layout_batch") == 64 and c.wm.value("reference_batch") == 32
    assert c.advice.questions == []
    right = consult("The docs' table says 2 GPUs, 8 per device, 2 grad accum steps, resulting batch size: 32. What LR "
                    "should I use on one GPU?", kb=kb)
    assert "finding-reference-layout-disagrees" not in [f.id for f in right.findings]


def test_a_log_that_times_the_wait_for_data_answers_where_the_time_goes(kb):
    """PyTorch's ImageNet example logs 'Time 1.066 (2.648) Data 0.849 (2.388)': 2.388 of 2.648 s (90%) is the wait for
    data, said from the running averages, with no question whether the loader is the bottleneck; MMCV's
    'time: 1.3493, data_time: 0.0196' and '6 s per iteration and 0.3 s for data_time' say it keeps up."""
    c = run_consultation("ImageNet training gets almost zero GPU utilization with python main.py -a resnet18 "
                         "(default batch 256). Log: Epoch: [0][1800/5005] Time 1.066 (2.648) Data 0.849 (2.388); "
                         "[0][1810/5005] Time 0.297 (2.654) Data 0.001 (2.393)", kb=kb)
    assert c.advice.findings[0].id == "finding-log-shows-data-wait"
    assert c.wm.value("data_wait_share") == pytest.approx(2.388 / 2.648)
    assert "data_loader_bound" not in [q.id for q in c.advice.questions]
    for message, share in (("Training is slow: eta: 5 days, iter: 59, time: 1.3493, data_time: 0.0196. Why so slow?",
                            0.0196 / 1.3493),
                           ("8×A6000 takes 6 s per iteration and 0.3 s for data_time. Is data loading too slow?", 0.05)):
        kept = run_consultation(message, kb=kb)
        assert kept.wm.value("data_wait_share") == pytest.approx(share)
        assert "finding-log-shows-no-data-wait" in [f.id for f in kept.advice.findings]


def test_megatrons_global_batch_with_its_fusion_flags_off(kb):
    """Megatron: '--micro-batch-size 4 --global-batch-size 1024' on 2 × 8 GPUs with TP 4 is 64 micro-batches per
    update (Megatron derives them), not 'your batch per update is 16'; '--no-gradient-accumulation-fusion' is a
    kernel switched off (no 'accumulation 1'), and 'I only get 840 tokens/sec/GPU' asks for speed."""
    c = run_consultation("Training a 13B LLaMA on 2 nodes (2 x 8 A800 80G) I only get 840 tokens/sec/GPU. Config: "
                         "--num-layers 40 --hidden-size 5120 --num-attention-heads 40 --seq-length 2048 "
                         "--tensor-model-parallel-size 4 --pipeline-model-parallel-size 1 --sequence-parallel "
                         "--micro-batch-size 4 --global-batch-size 1024 --no-gradient-accumulation-fusion --swiglu. "
                         "What's the reason?", kb=kb)
    assert c.wm.value("grad_accum_steps") == 64 and c.wm.value("user_goal") == "faster"
    ids = [r.id for r in c.advice.red_flags] + [f.id for f in c.advice.findings]
    assert "finding-megatron-fusion-off" in ids and "rf-effective-batch" not in ids
    assert not any("not 1024" in r.title for r in c.advice.red_flags)


def test_a_kernel_library_with_no_speedup_on_a_run_that_trained(kb):
    """'no training speedup from unsloth … 2 epochs take elapsed 242.7 s; without unsloth about the same': a speed
    question about what the library rewrites, and a run timed to its end fits - the count that says 34.62 GiB is
    reconciled with it, not 'your plan does not fit the card'."""
    c = run_consultation("On my local single 4090 I see no training speedup from unsloth, even a little slower: LoRA "
                         "rank 32, unsloth/Qwen3-8B, dtype bfloat16, max_seq_length=2048, "
                         "use_gradient_checkpointing=False, using the transformers Trainer. With unsloth 2 epochs take "
                         "elapsed 242.7 s (loss 0.3988); without unsloth about the same (loss 0.4033).", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-speedup-library-no-gain" and "plan-does-not-fit" not in ids
    assert c.wm.value("user_goal") == "faster" and c.wm.value("claim_run_fits") is True


def test_a_measurement_far_above_the_count_is_what_grows_with_the_input(kb):
    """ESM-2 (8.1M parameters) with LoRA 'uses 5.5 GB of VRAM, as much as full fine-tuning': 14.9× the 0.38 GiB of
    states and context I count, so the rest grows with the input, which adapters cannot shrink - said first; a
    measurement close to the count says nothing of it."""
    advice = consult("ESM-2 + LoRA/QLoRA: high memory usage. Fine-tuning the ESM models with LoRA only requires as "
                     "much memory as full fine-tuning. LoRA: Trainable Parameters 276,480 - Total Parameters "
                     "8,121,721 - 3.40% trainable - VRAM usage 5.5 GB.", kb=kb)
    assert advice.findings[0].id == "finding-measured-far-above-count"
    close = consult("Full fine-tuning llama-2-7b with bf16 and AdamW on 8 A100 80GB with ZeRO-3 at micro-batch 1 and "
                    "sequence length 512: training takes 24GB on each GPU.", kb=kb)
    assert "finding-measured-far-above-count" not in [f.id for f in close.findings]


def test_zero_stages_compared_under_lora(kb):
    """'LoRA with accelerate + DeepSpeed: ZeRO-2 and ZeRO-3 use the same 35-39G at micro-batch 8': under adapters the
    stages split little but the frozen weights, and none splits the activations - not the full-training account of
    ZeRO-1's optimizer shards."""
    advice = consult("LoRA fine-tuning with accelerate + DeepSpeed: ZeRO-2 and ZeRO-3 use the same per-GPU memory. In "
                     "theory ZeRO-3 should save clearly more per-GPU memory than ZeRO-2. On two A100 40GB: ZeRO-2 "
                     "uses 35-39G, ZeRO-3 also uses 35-39G. train_micro_batch_size_per_gpu: 8, "
                     "gradient_accumulation_steps: 4, mixed_precision: fp16, num_processes: 2.", kb=kb)
    ids = [f.id for f in advice.findings]
    assert ids[0] == "finding-zero-stages-under-adapters" and "finding-zero3-more-than-lower-stage" not in ids


def test_a_logged_tflops_per_gpu_gives_the_utilization(kb):
    """Megatron's 'throughput per GPU 19.8 TFLOP/s/GPU' on A100s: 19.8 / 312 = 6.35% of the peak, said as the run's
    utilization (no tokens per second needed)."""
    c = run_consultation("Is this training speed normal? Megatron-LM MoE pretraining on A100 64GB, 4 nodes x 4 GPUs: "
                         "elapsed time per iteration 28837.4 ms, throughput per GPU 19.8 TFLOP/s/GPU, global batch "
                         "size 128.", kb=kb)
    assert c.wm.value("measured_mfu") == pytest.approx(19.8 / 312)
    assert "finding-measured-utilization" in [f.id for f in c.advice.findings]


def test_zero3_slower_than_zero2(kb):
    """'almost a 10x speed degradation with ZeRO Stage 3 compared to Stage 2 fine-tuning LLaMA 30B on my slurm
    cluster': stage 3's per-micro-step weight gathers over the network, with ZeRO++ - no data-loader question."""
    c = run_consultation("I'm seeing almost a 10x speed degradation with ZeRO Stage 3 compared to Stage 2 fine-tuning "
                         "LLaMA 30B on my slurm cluster. Is this caused by my cluster or does Stage 3 need more "
                         "optimization?", kb=kb)
    assert c.advice.findings[0].id == "finding-zero3-slower-than-zero2"
    assert "data_loader_bound" not in [q.id for q in c.advice.questions]


def test_a_paper_batch_in_tokens_at_a_mistyped_length_is_shared_over_the_gpus(kb):
    """'a large batch size comprising 4M tokens', max sequence length 8196, 8 A800s: 4 × 2^20 / 8196 is 511.75, so
    512 sequences (8192 mistyped), 64 per GPU per update; 'if gradient_accumulation_steps is set too large it will
    OOM' is a belief, not an OOM that happened."""
    c = run_consultation("Your paper says 'The training process uses a large batch size comprising 4M tokens'. The "
                         "model is 7B, max sequence length 8196. What per_device_train_batch_size and "
                         "gradient_accumulation_steps did you set? We use 8*A800 (eight GPUs), and if "
                         "gradient_accumulation_steps is set too large it will OOM.", kb=kb)
    assert c.wm.value("reference_batch") == 512 and c.wm.value("reference_share_per_gpu") == 64
    assert not c.wm.known("oom") or c.wm.value("oom") is False
    ids = [r.id for r in c.advice.red_flags] + [f.id for f in c.advice.findings]
    assert "rf-accumulation-costs-memory" in ids and "finding-paper-batch-is-per-update-share" in ids


def test_a_batch_change_with_the_optimizer_unsaid_gets_both_rules(kb):
    """'config.yaml sets batch size 80, so I changed it to 28 on my 2080 Ti. Should I adjust the learning rate?': ×0.35
    by the linear rule (SGD with momentum), ×0.592 by the square root (Adam), before the optimizer is known."""
    c = run_consultation("I only have one 2080ti for training. config.yaml sets batch size 80, so I changed it to 28. "
                         "Should I adjust the learning rate?", kb=kb)
    assert c.advice.findings[0].id == "finding-lr-either-rule"
    assert c.wm.value("lr_linear_either") == pytest.approx(0.35)
    assert c.wm.value("lr_sqrt_either") == pytest.approx(0.35 ** 0.5)


def test_the_lr_said_with_its_batch_is_moved_by_both_rules(kb):
    """'lr is 1e-4 for 8x2=16 batch size, when I use 8 nodes, each 8x2=16, should I enlarge the learning rate to 8e-4
    or just set 1e-4 on each machine?' (review 46 #12): the batch per update is 128, and the LR moves ×8 by the linear
    rule, ×2.83 by the square root - as values, not a question for the batch the LR was tuned for."""
    c = run_consultation("Should I change the learning rate when using multi-node training? Let's make lr 1e-4 for "
                         "8x2=16 batch size; when I use 8 nodes to train the model, each is 8x2=16 batch size, should "
                         "I enlarge the learning rate to 8e-4 or just set 1e-4 on each machine?", kb=kb)
    assert c.advice.findings[0].id == "finding-lr-either-rule-values"
    assert c.wm.value("lr_linear_either_value") == pytest.approx(8e-4)
    assert c.wm.value("lr_sqrt_either_value") == pytest.approx(1e-4 * 8 ** 0.5)
    assert "16 → 128" in c.advice.findings[0].title
    assert "finding-lr-either-rule" not in [f.id for f in c.advice.findings]  # (the values say it all)


def test_the_same_settings_on_more_gpus_train_fewer_larger_updates(kb):
    """'With the same parameters, multi-GPU SFT performs much worse than single-GPU' on 8 GPUs: 8× larger updates, 8×
    fewer of them at the same LR and epochs - said first."""
    c = run_consultation("With the same parameters, multi-GPU SFT performs much worse than single-GPU. I run "
                         "CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 llamafactory-cli train examples/train_lora/llama3_lora_sft.yaml "
                         "versus CUDA_VISIBLE_DEVICES=0 llamafactory-cli train examples/train_lora/llama3_lora_sft.yaml, all "
                         "other parameters identical. The multi-GPU loss only gets down to about 0.35. Why?", kb=kb)
    assert c.advice.findings[0].id == "finding-more-gpus-fewer-updates" and c.wm.value("num_gpus") == 8


def test_a_reason_supposed_for_a_setting_reports_no_oom(kb):
    """'My understanding is that GPU memory isn't enough to compute 64 pictures at once, so we compute 16 at a time' is
    why accumulation exists, no OOM of the user's; '16 images at a time' is a batch, no data set."""
    from advisor.reading.reader import read

    c = run_consultation("What does the accumulate parameter in train.py mean? My understanding is that GPU memory "
                         "isn't enough to compute 64 pictures at once, so we compute 16 pictures at a time, accumulate "
                         "4 times and then back-propagate. Is that right?", kb=kb)
    assert not c.wm.known("oom") or c.wm.value("oom") is False
    assert read("we train 16 images at a time").values["micro_batch"].value == 16
    assert read("My GPU memory isn't enough for batch 64").values["oom"].value is True


def test_an_oom_far_above_the_logged_peak_is_an_outlier_step(kb):
    """torchvision's detection reference logs 'max mem: 2821' (MB of 2^20 bytes) on a 24 GB card, then OOMs: the
    steps logged use about a tenth of the card, so the failing one was an outlier input - said first, with no
    provisional activation savers."""
    c = run_consultation("RuntimeError: CUDA out of memory, but I have 24G memory available. I run the train.py script "
                         "of the torchvision detection reference code. The log shows max mem: 2224 at iteration 0, "
                         "then training fails with CUDA out of memory even though the GPU has 24GB.", kb=kb)
    assert c.wm.value("logged_max_memory") == 2224 * 2**20
    assert c.advice.findings[0].id == "finding-oom-far-above-logged-peak"
    assert c.advice.recommendation.option_id is None or "activation" not in c.advice.recommendation.option_id


# verl and OpenRLHF count their batch settings in prompts (review 40: "does train bsz refer to data.train_batch_size?",
# "the progress bar shows 8 steps - doesn't that contradict train_batch_size?")
VERL = ("I train GRPO with verl on 8x H100: data.train_batch_size=1024 actor_rollout_ref.actor.ppo_mini_batch_size=256 "
        "actor_rollout_ref.rollout.n=5 actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=8 "
        "actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu=32, Qwen2.5-7B. How many optimizer updates per step?")


def test_verls_settings_count_prompts_and_an_update_is_mini_batch_times_rollout_n(kb):
    found = read_message(kb, VERL)
    assert found["rollout_prompts"][0] == 1024 and found["ppo_mini_prompts"][0] == 256
    assert found["num_generations"][0] == 5 and found["micro_batch"][0] == 8  # (not the log-prob pass's 32)
    assert found["batch_size"][0] == 1280 and found["grad_accum_steps"][0] == 20  # 256 × 5 / (8 GPUs × 8)
    c = run_consultation(VERL, kb=kb)
    assert c.wm.value("rollout_updates") == 4
    titles = [f.title for f in c.advice.findings]
    assert "1024 prompts × 5 responses per rollout make 4 optimizer updates of 1280" in titles


def test_a_grpo_mini_batch_without_its_group_size_is_no_batch_per_update(kb):
    found = read_message(kb, "verl GRPO: data.train_batch_size=128 ppo_mini_batch_size=64 ppo_micro_batch_size_per_gpu=4")
    assert found["ppo_mini_prompts"][0] == 64 and "batch_size" not in found  # rollout.n unsaid: × how many?
    ppo = read_message(kb, "verl PPO: data.train_batch_size=256 actor_rollout_ref.actor.ppo_mini_batch_size=128")
    assert ppo["batch_size"][0] == 128  # one response per prompt unless rollout.n says more


def test_openrlhfs_rollout_counts_prompts_and_its_train_batch_is_global(kb):
    message = ("OpenRLHF PPO on one GPU: train_batch_size=4, micro_train_batch_size=2, rollout_batch_size=16, "
               "n_samples_per_prompt=1, max_epochs=1. The progress bar shows 8 steps. Doesn't that contradict the "
               "meaning of train_batch_size?")
    c = run_consultation(message, kb=kb)
    assert c.wm.value("rollout_prompts") == 16 and c.wm.value("batch_size") == 4 and c.wm.value("grad_accum_steps") == 2
    assert c.wm.value("rollout_updates") == 4  # 16 × 1 / 4
    ids = [f.id for f in c.advice.findings]
    assert "finding-openrlhf-batch-settings" in ids
    assert not c.wm.value("claim_papers_conflict")  # a setting's meaning doubted, no papers disagreeing


def test_a_verl_question_without_numbers_is_answered_with_what_its_settings_count(kb):
    message = ("Section 4.4.1 of the paper says train bsz and mini bsz are both 32. Do they refer to "
               "data.train_batch_size and actor_rollout_ref.actor.ppo_mini_batch_size in verl respectively?")
    advice = consult(message, kb=kb)
    assert any(f.id == "finding-verl-batch-settings" for f in advice.findings)
    assert "nothing specific to recommend" not in advice.recommendation.rationale


def test_espnet2_is_known_by_its_recipe_folder_and_its_batch_bins(kb):
    message = ("Dual GPU training is not gaining speed (egs2/ljspeech train_vits). Now 2x RTX 3090 24GB; with one GPU "
               "train_time was ~1.02 s per 50 batches, with 2 GPUs (--ngpu 2) ~1.0 s. batch_bins = 5,000,000.")
    found = read_message(kb, message)
    assert found["espnet_named"][0] is True
    advice = consult(message, kb=kb)
    assert any(f.id == "finding-espnet-batch-is-total" for f in advice.findings)
    assert not read_message(kb, "In egs/librispeech/asr1/run.sh the default recipe requires 4 gpus").get("espnet_named", (False,))[0]


def test_a_question_about_something_else_is_not_asked_the_data_sets_size(kb):
    """Review 40: "why must the global batch be divisible by num_generations?" was asked back "How many training
    examples are in the dataset?" - a count of updates the user did not ask for."""
    message = ("GRPO config: num_generations must divide the global batch size (num_processes * per_device_batch_size). "
               "Why? With num_generations=8, per_device_train_batch_size=1, gradient_accumulation_steps=8 on one GPU "
               "I get a ValueError.")
    advice = consult(message, kb=kb)
    assert not any(q.id in ("dataset_size", "epochs") for q in advice.questions)
    steps = consult("GRPO with num_generations=8, per_device_train_batch_size=1, gradient_accumulation_steps=8 on one "
                    "GPU. How many steps will training take?", kb=kb)
    assert any(q.id == "dataset_size" for q in steps.questions)  # (asked when the steps are the question)


# PyTorch 1.5-2.0's out-of-memory message, thirteen times as frequent in the corpus as today's: "(GPU 0; 3.94 GiB total
# capacity; 2.12 GiB already allocated; 171.06 MiB free; 2.22 GiB reserved in total by PyTorch)"
OLD_OOM = ("CUDA out of memory error training detectron2 on 1920x1080 images with batch size 1 (IMS_PER_BATCH=1). "
           "RuntimeError: CUDA out of memory. Tried to allocate 190.00 MiB (GPU 0; 3.94 GiB total capacity; 2.12 GiB "
           "already allocated; 171.06 MiB free; 2.22 GiB reserved in total by PyTorch)")


def test_the_older_oom_message_gives_what_pytorch_held_and_the_rest_of_the_card(kb):
    found = read_message(kb, OLD_OOM)
    assert found["oom_capacity"][0] == pytest.approx(3.94 * 2**30)  # (the capacity stays the card's size)
    assert found["oom_pytorch_allocated"][0] == pytest.approx(2.12 * 2**30)
    assert found["oom_free"][0] == pytest.approx(171.06 * 2**20)
    assert found["oom_pytorch_reserved"][0] == pytest.approx(0.10 * 2**30)  # reserved in total less allocated
    c = run_consultation(OLD_OOM, kb=kb)
    outside = c.wm.value("memory_outside_pytorch")
    assert outside == pytest.approx((3.94 - 2.22) * 2**30 - 171.06 * 2**20)  # 1.55 GiB
    assert c.wm.value("oom_outside_share") == pytest.approx(outside / (3.94 * 2**30))
    assert c.advice.findings[0].id == "finding-oom-memory-partly-elsewhere"
    assert c.advice.findings[0].title == "1.55 GiB of the card (39.4%) was not your run's PyTorch memory"


def test_a_full_card_in_the_older_message_says_zero_bytes_free(kb):
    message = ("is 24g still not enough even after I set batch_size to 1? `OutOfMemoryError: CUDA out of memory. Tried "
               "to allocate 128.00 MiB (GPU 0; 24.00 GiB total capacity; 23.13 GiB already allocated; 0 bytes free; "
               "23.15 GiB reserved in total by PyTorch)`")
    found = read_message(kb, message)
    assert found["oom_free"][0] == 0 and found["oom_pytorch_reserved"][0] == pytest.approx(0.02 * 2**30)
    c = run_consultation(message, kb=kb)
    assert c.wm.value("memory_outside_pytorch") == pytest.approx((24.00 - 23.15) * 2**30)
    assert not any(f.id == "finding-oom-memory-partly-elsewhere" for f in c.advice.findings)  # (3.5%: the context)


def test_a_page_or_a_script_named_after_a_model_is_no_model_named():
    from advisor.reading.reader import read

    page = read("Trying to run the example training from https://openfold.readthedocs.io/en/latest/Training_OpenFold.html")
    assert "model" not in page.values
    assert read("I fine-tune Llama-2-7B, following https://openfold.readthedocs.io/en/latest/Training_OpenFold.html"
                ).values["model"].value == "llama-2-7b"


def test_my_understanding_of_accumulation_is_confirmed_with_its_numbers(kb):
    """Review 40: "we compute 16 pictures at a time, accumulate 4 times … equivalent to a batch size of 64 - is that
    right?" read nothing and had nothing to recommend."""
    message = ("What does the accumulate parameter in train.py mean? My understanding is that GPU memory isn't enough "
               "to compute 64 pictures at once, so we compute 16 pictures at a time, accumulate 4 times and then do "
               "back-propagation, which is equivalent to a batch size of 64 - is that right?")
    found = read_message(kb, message)
    assert found["micro_batch"][0] == 16 and found["grad_accum_steps"][0] == 4
    assert "dataset_size" not in found  # (64 pictures "at once" is the batch weighed, not a data set)
    advice = consult(message, kb=kb)
    assert advice.findings[0].title == "Batch 16 × 4 steps and batch 64 × 1 are both 64 samples per update"
    assert "nothing specific" not in advice.recommendation.rationale
    assert read_message(kb, "I have 3000 photos of size 512").get("dataset_size", (None,))[0] == 3000


def test_two_runs_of_the_same_batch_per_update_set_against_each_other_are_compared_as_splits(kb):
    """Review 40: "loss values differ between per_device_train_batch_size=2, gradient_accumulation_steps=4 and
    per_device_train_batch_size=4, gradient_accumulation_steps=2 - is this expected?" was told only 2 × 4 × 1 = 8."""
    message = ("Unsloth QLoRA DPO: even when the effective batch size is the same, loss values and trends differ "
               "between per_device_train_batch_size=2, gradient_accumulation_steps=4 and "
               "per_device_train_batch_size=4, gradient_accumulation_steps=2. Single GPU, DPOTrainer. Is this expected?")
    c = run_consultation(message, kb=kb)
    assert (c.wm.value("split_micro_batch"), c.wm.value("split_accum_steps")) == (2, 4)
    assert (c.wm.value("split_other_micro_batch"), c.wm.value("split_other_accum_steps")) == (4, 2)
    assert c.advice.findings[0].title == "Batch 2 × 4 steps and batch 4 × 2 are both 8 samples per update"
    # (a per-device key names no GPUs: "bs 8 on 4 GPUs or bs 32 on one?" stays the layouts' question)
    assert not read_message(kb, "is bs 8 on 4 GPUs the same as bs 32 on one GPU?").get("split_micro_batch")


def test_a_batch_raised_because_changing_it_saves_memory_is_told_it_costs_memory(kb):
    """Review 40: "I changed samples_per_gpu=6 to samples_per_gpu=16 because I noticed changing the batch size helps
    reduce CUDA memory needs, but it still doesn't work" (mmdetection) - the lever was moved the wrong way."""
    message = ("CUDA out of memory training CentripetalNet on my custom dataset. I changed data = dict(samples_per_gpu=6, "
               "workers_per_gpu=3) to samples_per_gpu=16, workers_per_gpu=4 because I noticed changing the batch size "
               "helps reduce CUDA memory needs during training, but it still doesn't work.")
    advice = consult(message, kb=kb)
    assert advice.red_flags[0].id == "rf-large-batch-saves-memory"
    assert not any(f.id == "finding-warmup-for-larger-batch" for f in advice.findings)  # (an OOM, not an LR)
    lowered = consult("I changed samples_per_gpu from 16 to 6 because changing the batch size helps reduce CUDA "
                      "memory, but it still runs out of memory.", kb=kb)
    assert not any(r.id == "rf-large-batch-saves-memory" for r in lowered.red_flags)  # (lowered: the right way)


def test_openrlhfs_progress_bar_counts_micro_batches_not_updates(kb):
    message = ("OpenRLHF PPO on one GPU: train_batch_size=4, micro_train_batch_size=2, rollout_batch_size=16, "
               "n_samples_per_prompt=1. But the training progress bar shows 8 steps - why not 4?")
    c = run_consultation(message, kb=kb)
    assert c.wm.value("openrlhf_bar_steps") == 8 and c.wm.value("rollout_updates") == 4  # 16 / (1 × 2); 16 / 4
    assert c.advice.findings[0].id == "finding-openrlhf-bar-counts-micro-batches"
    eight = run_consultation(message.replace("one GPU", "8 GPUs").replace("train_batch_size=4", "train_batch_size=32")
                             .replace("rollout_batch_size=16", "rollout_batch_size=1024"), kb=kb)
    assert eight.wm.value("openrlhf_bar_steps") == 64  # each GPU's share: 1024 / (8 × 2)
    assert eight.wm.value("rollout_updates") == 32  # 1024 / 32


def test_lightnings_bar_counts_batches_and_its_dataloader_batch_is_each_process(kb):
    message = ("Lightning Trainer with accumulate_grad_batches=4 and batch_size 8 on 2 GPUs: the progress bar shows "
               "2000 steps per epoch but max_steps=1000 ends after half an epoch. Why?")
    c = run_consultation(message, kb=kb)
    assert c.wm.value("micro_batch") == 8 and c.wm.value("effective_batch") == 64  # 8 per process × 4 × 2
    assert c.advice.findings[0].id == "finding-lightning-bar-counts-batches"


def test_trl_0_16s_grpo_check_without_the_accumulation_is_named_with_the_batch_that_passes(kb):
    message = ("GRPO with num_generations=8, per_device_train_batch_size=1, gradient_accumulation_steps=8 on one GPU: "
               "ValueError: The global train batch size (1 x 1) must be evenly divisible by the number of generations "
               "per prompt (8). Why?")
    c = run_consultation(message, kb=kb)
    assert c.wm.value("grpo_old_checked") == 1 and c.wm.value("grpo_old_micro_needed") == 8
    assert c.advice.findings[0].id == "finding-grpo-old-check"
    three = run_consultation(message.replace("on one GPU", "on 4 GPUs").replace("(1 x 1)", "(4 x 1)"), kb=kb)
    assert three.wm.value("grpo_old_micro_needed") == 2  # 4 processes × 2 = 8: one prompt's group
    current = consult("GRPO with num_generations=8, per_device_train_batch_size=1, gradient_accumulation_steps=8 on "
                      "one GPU. Why must the batch be divisible by num_generations?", kb=kb)
    assert not any(f.id == "finding-grpo-old-check" for f in current.findings)  # (no old error quoted)


def test_torchtunes_low_memory_full_config_is_explained_not_planned(kb):
    message = ("How is peak memory per GPU lower for full fine-tuning than for LoRA? In the README table for Llama-7B: "
               "LoRA single device (lora_finetune_single_device, 1x RTX 4090) shows 17.18 GB peak memory, while full "
               "finetune single device (full_finetune_single_device with 7B_full_low_memory, 1x RTX 4090) shows "
               "14.97 GB. I'd expect full fine-tuning to need far more memory than LoRA.")
    c = run_consultation(message, kb=kb)
    assert c.advice.findings[0].id == "finding-optimizer-in-backward"
    assert not c.wm.known("gpu_memory")  # (the README's card, set beside its other figure with 'while')
    assert c.advice.recommendation.option_id is None


def test_a_source_figure_set_beside_another_with_while_stays_the_sources():
    from advisor.reading.reader import read

    r = read("The paper's model trains at batch 64, while the large one (8x A100) uses 256. I have 2 RTX 3090s.")
    assert r.values["num_gpus"].value == 2 and r.values["gpu_model"].value == "rtx-3090"
    mine = read("The README says batch 64, while I train on 2 RTX 3090s with batch 16.")
    assert mine.values["num_gpus"].value == 2  # (the user's own words after 'while')


def test_a_training_time_short_of_the_references_is_diagnosed_as_speed(kb):
    """Review 40: "I can't replicate the claim that the model trains for 200K steps in under 5 hours … it's taking about
    twice as long" was read as a result below the paper's and answered with batch matching."""
    message = ("Training on an 80GB A100, I can't replicate the claim that the model trains for 200K steps in under 5 "
               "hours. I'm using the flags from the README; did you use others to make training that fast? GPU "
               "utilisation looks high, but it's taking about twice as long.")
    c = run_consultation(message, kb=kb)
    assert not c.wm.value("claim_below_reference")
    assert c.wm.value("reference_step_time") == pytest.approx(0.09)  # 5 h / 200,000 steps
    ids = [f.id for f in c.advice.findings]
    assert ids[:2] == ["finding-tf32-off-by-default", "finding-slower-than-reference"]  # (an A100: Ampere)
    assert "finding-match-batch-per-update" not in ids and "allow_tf32" in c.advice.findings[0].text
    turing = run_consultation(message.replace("an 80GB A100", "an RTX 2080 Ti"), kb=kb)
    # (no TF32 on Turing: its fp16 Tensor Cores, idle in an fp32 run, are the analogue - review 85 #4)
    assert [f.id for f in turing.advice.findings][:2] == ["finding-fp32-on-fp16-tensor-cores",
                                                          "finding-slower-than-reference"]
    assert not any(f.id == "finding-tf32-off-by-default" for f in turing.advice.findings)
    accuracy = read_message(kb, "I can't replicate the paper's accuracy on 4 GPUs, I get 71% instead of 76%.")
    assert accuracy["claim_below_reference"][0] is True


def test_a_step_slowing_many_fold_under_cpu_offload_points_at_the_host(kb):
    message = ("Time spent in engine.step() increases strangely. I'm using DeepSpeed ZeRO-3 with optimizer offload (CPU) "
               "to train a CodeGen model. The time spent in step() goes from ~100 ms to 10,000+ ms after a few steps. "
               "CPU memory in use is ~350GB out of 500GB total.")
    advice = consult(message, kb=kb)
    assert advice.findings[0].id == "finding-offload-slows-after-start"
    assert not any(f.id == "finding-slows-after-start" for f in advice.findings)  # (no WSL fallback: the host)
    plain = consult("Each iteration takes 2 s at first, but it goes from 2 s to 45 s after 15 iterations.", kb=kb)
    assert plain.findings[0].id == "finding-slows-after-start"


def test_a_retrievers_batch_is_its_negatives(kb):
    """Review 40: a retriever reproduced at per-device 22 on 4 GPUs (88) far below the paper's batch 64 was told to
    retune the LR ×1.17 - with in-batch negatives the batch is part of the loss."""
    message = ("What total batch size was used for retriever fine-tuning? I'm reproducing the retriever fine-tuning with "
               "your code on 4 GPUs (48GB each) with per_device_batch_size 22, so total batch size 88. My results are far "
               "below the paper. The paper says a batch size of 64 was used for fine-tuning - is that per_device_batch_size?")
    c = run_consultation(message, kb=kb)
    assert (c.wm.value("negatives_own_gpu"), c.wm.value("negatives_gathered")) == (21, 87)
    assert c.advice.findings[0].id == "finding-contrastive-batch-is-the-loss"
    assert not read_message(kb, "I use a RAG retriever at inference with batch 8 on one GPU").get("claim_contrastive",
                                                                                                  (False,))[0]


def test_lions_learning_rate_for_more_processes_is_answered_for_a_sign_update(kb):
    message = ("Learning rate scaling for distributed training with Lion? As noted in Accelerate's docs, do you scale "
               "your learning rate by the number of processes (GPUs), on top of the downscaling recommended for the Lion "
               "optimizer? If you don't scale it, do you recommend doing so?")
    advice = consult(message, kb=kb)
    assert advice.findings[0].id == "finding-lion-lr-and-batch"
    adam = consult("Do you scale the AdamW learning rate by the number of GPUs with accelerate?", kb=kb)
    assert not any(f.id == "finding-lion-lr-and-batch" for f in adam.findings)


def test_kbit_preparation_without_quantization_is_the_whole_model_in_fp32(kb):
    message = ("Does LoRA cause a memory leak? I'm fine-tuning llama2-7B with the alpaca-lora finetune.py script "
               "(micro_batch_size 4, cutoff_len 256, lora_r 8). Simply switching the load_in_8bit flag off makes CUDA "
               "memory jump from 13GB to 51GB.")
    c = run_consultation(message, kb=kb)
    assert c.wm.value("fp32_weight_bytes") == pytest.approx(c.wm.value("params") * 4)
    assert c.advice.findings[0].id == "finding-kbit-preparation-without-quantization"
    assert not any(q.id == "num_gpus" and "lion" in q.reason.lower() for q in c.advice.questions)
    eight_bit = consult("alpaca-lora finetune.py on llama2-7B with load_in_8bit=True uses 13GB. Is that expected?", kb=kb)
    assert not any(f.id == "finding-kbit-preparation-without-quantization" for f in eight_bit.findings)


def test_qwen2_vls_image_tokens_are_named_for_an_oom_at_micro_batch_one(kb):
    message = ("Full fine-tuning qwen2-vl-7b OOMs on 8x A100 80GB: swift sft --model Qwen2-VL-7B-Instruct --train_type "
               "full --torch_dtype bfloat16 --per_device_train_batch_size 1 --gradient_accumulation_steps 8 "
               "--gradient_checkpointing true --freeze_vit true --deepspeed zero2")
    advice = consult(message, kb=kb)
    assert advice.findings[0].id == "finding-vlm-image-tokens"
    text_only = consult("Full fine-tuning qwen2.5-7b OOMs on 8x A100 80GB at per_device_train_batch_size 1", kb=kb)
    assert not any(f.id == "finding-vlm-image-tokens" for f in text_only.findings)


def test_a_lower_lora_rank_tried_against_an_oom_gets_the_red_flag(kb):
    advice = consult("Dreambooth Flux with LoRA: OOM. Even after setting the LoRA rank down to 2, train_dreambooth_lora_flux "
                     "still OOMs on my L40S (48GB).", kb=kb)
    assert advice.red_flags[0].id == "rf-lora-rank-memory"


def test_a_speed_question_at_batch_one_is_not_sent_to_a_memory_snapshot(kb):
    message = ("Training is super slow; what settings would speed it up? With 6 A100 GPUs a single iteration takes about "
               "24 seconds, GPU utilization at 100%. Batch size per GPU 1 (anything larger OOMs), "
               "gradient_accumulation_steps 1.")
    advice = consult(message, kb=kb)
    assert not any(m.id == "measure-what-fills-the-card" for m in advice.measure)


def test_system_memory_said_not_gpu_memory_is_the_hosts(kb):
    message = ("I'm running into issues where memory usage (system memory, not GPU memory) continually increases during "
               "training to the point where my instance runs out of memory. At the start my instance has 44 GB of "
               "memory available. At the end of the first epoch, only 3 GB of memory is available.")
    c = run_consultation(message, kb=kb)
    assert c.wm.value("claim_host_ram_grows") and not c.wm.known("gpu_memory")
    assert c.advice.findings[0].title.startswith("The machine's RAM climbs during training")


def test_a_run_over_the_card_on_windows_is_slow_because_it_spills(kb):
    message = ("Extremely slow, what am I doing wrong? Training takes 50-100 hours. I am training Wan2.1-T2V-14B on 13 "
               "images. I am on Win 10 running Ubuntu 22.04 under WSL, RTX 5060 Ti 16GB, batch_size = 1, "
               "wan_train_network.py --mixed_precision bf16 --optimizer_type adamw8bit")
    advice = consult(message, kb=kb)
    assert advice.findings[0].id == "finding-windows-spill-when-over-the-card"
    linux = consult(message.replace("I am on Win 10 running Ubuntu 22.04 under WSL, ", ""), kb=kb)
    assert not any(f.id == "finding-windows-spill-when-over-the-card" for f in linux.findings)


def test_ultralytics_accumulation_asked_is_answered_with_its_nominal_batch(kb):
    message = ("How to use gradient accumulation with YOLOv8n for larger batch sizes? I have 32GB of GPU memory and can "
               "handle a batch size of 128, but I want to simulate a larger batch size of 256 using gradient "
               "accumulation. Is this feature supported in YOLOv8n, or do I need to implement it manually?")
    advice = consult(message, kb=kb)
    assert advice.findings[0].id == "finding-ultralytics-batch" and "nbs" in advice.findings[0].text


def test_a_schedule_counted_in_micro_batches_under_accelerate_covers_a_fraction(kb):
    """diffusers' older train_controlnet.py sized its scheduler `max_train_steps * gradient_accumulation_steps`, but
    accelerate's prepared scheduler steps only with the optimizer: with accumulation 4 the LR gets through a quarter
    of its decay. A loop of one's own (no accelerate) that steps per micro-batch is right to count micro-batches."""
    code = ("lr_scheduler = get_scheduler(args.lr_scheduler, optimizer=optimizer, "
            "num_warmup_steps=args.lr_warmup_steps * args.gradient_accumulation_steps, "
            "num_training_steps=args.max_train_steps * args.gradient_accumulation_steps)")
    c = run_consultation("I'm running diffusers/examples/controlnet/train_controlnet.py with "
                         "gradient_accumulation_steps=4. " + code + " The scheduler cannot decrease the learning rate "
                         "to zero. Why?", kb=kb)
    assert c.advice.findings[0].id == "finding-accelerate-schedule-in-micro-batches"
    assert "1/4" in c.advice.findings[0].title
    own = run_consultation("My own PyTorch loop calls scheduler.step() after every backward, gradient_accumulation_steps"
                           "=4. " + code + " Is the schedule right?", kb=kb)
    assert "finding-accelerate-schedule-in-micro-batches" not in [f.id for f in own.advice.findings]


@pytest.mark.parametrize("said", [
    "I can train my model with SGD at batch_size = 8, but Adam throws me an OOM error with batch_size 8.",
    "OOM when using the Adam optimizer compared to SGD with the same batch size.",
    "Why does Adam use so much more memory than SGD? Same model, same batch.",
    "After switching the optimizer from SGD to AdamW I get CUDA out of memory at the first step.",
    "model.compile(optimizer='SGD') works; model.compile(optimizer='Adam') gives ResourceExhaustedError",
])
def test_adam_against_sgd_is_read_as_the_optimizers_compared(kb, said):
    assert read_message(kb, said).get("optimizer_memory_compared", (False,))[0] is True


def test_unrelated_optimizer_talk_is_not_a_comparison(kb):
    for said in ("I use SGD with momentum 0.9 and Adam for the discriminator; both train fine.",
                 "Adam converges faster than SGD on my task but I have plenty of memory."):
        assert read_message(kb, said).get("optimizer_memory_compared", (False,))[0] is False


def test_adam_running_out_where_sgd_fits_gets_the_states_difference(kb):
    """VGG16 (138.4M parameters): Adam's two moments are 1.03 GiB, SGD momentum's buffer 0.52 GiB."""
    c = run_consultation("I can train a torchvision vgg16 with optim.SGD(momentum=0.9) at batch_size 8, but Adam throws "
                         "me an OOM error with batch_size 8; it works for batch_size 4. Why?", kb=kb)
    assert c.advice.findings[0].id == "finding-adam-state-over-sgd"
    assert round(c.wm.value("adam_state_bytes") / 2**30, 2) == 1.03
    assert round(c.wm.value("momentum_state_bytes") / 2**30, 2) == 0.52


@pytest.mark.parametrize("said, bound", [
    ("The dataloader takes at least 50% of training time.", True),
    ("Profiling shows nearly half the time is spent preparing train_iter and the other half in forward/backward.", True),
    ("Data loading takes 30% of the time.", None),  # (a minority share: not the bottleneck said)
    ("I want the dataloader to take less than half the time of a step.", None),
])
def test_a_share_of_the_time_spent_loading_answers_the_loader_question(kb, said, bound):
    assert read_message(kb, said).get("data_loader_bound", (None,))[0] is bound


def test_steps_per_epoch_falling_fourfold_under_ddp_count_four_processes(kb):
    """Review 42 #25: 'Distributed log: Step [100/150] per epoch … single-GPU log: Step [600/600] per epoch', DDP worse
    after two epochs: a DistributedSampler gives each of 4 processes a quarter of the data - 4× fewer updates."""
    c = run_consultation("Model trained with DistributedDataParallel didn't perform as well as single GPU. Distributed "
                         "log: Step [100/150] per epoch, dev loss 1.867. Normal single-GPU log: Step [600/600] per "
                         "epoch, dev loss 1.119. Why?", kb=kb)
    assert c.wm.value("num_gpus") == 4
    assert c.advice.findings[0].id == "finding-more-gpus-fewer-updates"
    # three step counts: which two are the runs is not said
    three = run_consultation("DDP is worse than single GPU. Logs: Step [10/150] per epoch, Step [20/300] per epoch, "
                             "Step [30/600] per epoch.", kb=kb)
    assert not three.wm.known("num_gpus") or three.wm.value("num_gpus") == 1


def test_yolox_batch_is_the_total_and_its_lr_follows_it(kb):
    """Review 42 #28: YOLOX's '-b: total batch size, the recommended number for -b is num-gpu * 8' - the same -b on
    one GPU or eight trains at the same LR (0.01 / 64 per image); a bare -b on several GPUs is the total."""
    c = run_consultation("I train YOLOX-s on 4 GPUs with -b 32. Which learning rate does it use, and is -b per GPU?",
                         kb=kb)
    assert c.advice.findings[0].id == "finding-yolox-batch"
    assert c.wm.value("batch_size") == 32 and not c.wm.known("batch_unqualified")
    assert "finding-yolox-batch" not in [f.id for f in run_consultation(
        "I train a ResNet-50 on 4 GPUs with batch 32. Which learning rate should I use?", kb=kb).advice.findings]


def test_states_beyond_the_largest_card_of_the_name_given_are_said_before_any_activation_saver(kb):
    """Review 43 #09: a 6B model fully fine-tuned on '4 Titan GPUs' (a Titan is 12 or 24 GiB): its weights, gradients
    and AdamW states alone are about 100 GiB a GPU in DDP, so no batch or checkpointing makes it fit."""
    c = run_consultation("Full fine-tuning a 6B model on 4 Titan GPUs with fp16 runs out of GPU memory even after I "
                         "reduced the batch size. Which parameters can I adjust?", kb=kb)
    finding = c.advice.findings[0]
    assert finding.id == "finding-states-exceed-named-card"
    assert c.wm.value("named_card_max_memory") == 24 * 2**30 and c.wm.value("plan_states_needed") > 24 * 2**30
    assert c.advice.recommendation.option_id != "memory-savers"
    # a card that can hold the states: no such finding
    small = run_consultation("Fine-tuning a 350M model on 4 Titan GPUs with fp16 runs out of GPU memory.", kb=kb)
    assert "finding-states-exceed-named-card" not in [f.id for f in small.advice.findings]


@pytest.mark.parametrize("said, size", [
    ("Dataset is 665k + 98k samples, num_train_epochs=1.0, per_device_train_batch_size=16.", 763_000),
    ("I have 1,000 + 200 images for training.", 1_200),
    ("I have 98k samples.", 98_000),
])
def test_a_data_set_said_as_a_sum_is_the_sum(kb, said, size):
    assert read_message(kb, said)["dataset_size"][0] == size


def test_a_speed_question_is_not_answered_with_a_memory_budget(kb):
    """Review 43 #18: Horovod on 4 machines of 8 V100-32G, 'only 20% higher than a single machine': a scaling
    question - the plan's memory count ('Model states fit; the batch is limited by activations') is no answer to it,
    while the same count stays for a question of fitting."""
    speed = run_consultation("I tested Horovod on 4 machines, 8x V100-32G each, training ViT-B/16 on ImageNet: the "
                             "throughput of 32 cards is only 20% higher than a single machine with 8 cards. Is this ideal?",
                             kb=kb)
    ids = [f.id for f in speed.advice.findings]
    assert "room-for-activations" not in ids and "finding-multi-gpu-no-faster" in ids
    fit = run_consultation("Training ViT-B/16 on one V100-32G: what batch fits in memory?", kb=kb)
    assert "room-for-activations" in [f.id for f in fit.advice.findings]


def test_paddles_resource_exhausted_error_is_not_tensorflow(kb):
    """Review 43 #02: PaddleDetection's 'ResourceExhaustedError: Out of memory error on GPU 0' is PaddlePaddle's
    own error: no TensorFlow mixed-precision policy for it."""
    assert "tensorflow_named" not in read_message(kb, "PaddleDetection cascade rcnn: ResourceExhaustedError: Out of "
                                                      "memory error on GPU 0. Cannot allocate 80MB memory.")
    assert read_message(kb, "I get ResourceExhaustedError: OOM when allocating tensor")["tensorflow_named"][0] is True


def test_mmdetections_config_lr_is_scaled_to_the_images_per_update(kb):
    """'if I want to use 4 gpus or 2 gpus to reproduce the detection result, do I need only change the initial
    learning rate from 0.02 to 0.01 or 0.005 … change epoch setting from [8, 11] max 12 to [16, 22] max 24?' on
    mmdetection (review 47 #28): its configs are for 8 × 2 = 16 images, so 2 GPUs × 2 take 0.005 and keep the epochs;
    maskrcnn-benchmark, only compared with, is no Detectron recipe of the run's."""
    c = run_consultation("mmdetection: if I want to use 2 gpus to reproduce the detection result, do I need "
                         "only change the initial learning rate from 0.02 to 0.005 without any other changes? "
                         "For coco 2017 the 12 epochs are half of the iterations claimed in maskrcnn-benchmark. Do I "
                         "need to change the epochs from [8, 11] max 12 to [16, 22] max 24 with 2 gpus?", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-mmdet-recipe-lr" and not any(i.startswith("finding-detectron") for i in ids)
    assert c.wm.value("mmdet_batch") == 4 and c.wm.value("mmdet_lr") == pytest.approx(0.005)


def test_reproducing_a_recipe_on_less_memory_keeps_its_batch_or_scales_with_it(kb):
    """'Due to my limited cuda memory (only two 2080ti) my result is lower than your paper (loss 5%) in batch size 32'
    (review 48 #24): the recipe's batch per update on the user's GPUs, accumulated where it does not fit, and what
    moves with a smaller batch (LR, iterations) - not "nothing specific to recommend"."""
    c = run_consultation("How can I reproduce your experiment with limited cuda memory? I have only two 2080ti, and my "
                         "result is lower than your paper (loss 5%) in batch size 32. Any suggestion?", kb=kb)
    finding = c.advice.findings[0]
    assert finding.id == "finding-reproduce-at-the-reference-batch"
    assert c.wm.value("reference_batch_per_gpu") == 16
    assert "accumulate gradients up to 32" in finding.text and "multiply the iterations" in finding.text
    # (the user's own batch said: the comparisons of the two batches answer instead)
    own = run_consultation("The paper uses batch 32; I use batch 8 on two 2080ti and my result is lower.", kb=kb)
    assert "finding-reproduce-at-the-reference-batch" not in [f.id for f in own.advice.findings]


@pytest.mark.parametrize("said", ["Starting a training on 35gb used out of 40gb sounds safe, but crashing two hours "
                                  "later with CUDA out of memory is frustrating.",
                                  "Deep in the training it needs to reserve more memory and goes OOM."])
def test_an_oom_hours_into_training_is_one_steps_peak_or_what_the_steps_keep(kb, said):
    """Review 48 #20 (YOLOv8 at 2048 px, 34.4 of 40 GB, OOM at epoch 129): "crashing two hours later", "deep in the
    training" is an OOM after the run has trained for a while - what one batch holds or what the steps keep."""
    c = run_consultation(said, kb=kb)
    assert c.wm.value("oom_at_fixed_step") is True
    assert "finding-oom-at-a-fixed-step" in [f.id for f in c.advice.findings]
    assert run_consultation("It crashed with OOM at the first step.", kb=kb).wm.value("oom_at_fixed_step") is not True


@pytest.mark.parametrize("message, before, after", [
    ("It trains fine at imgsz 640 with batch 16, but at imgsz 1280 it runs out of memory on my 3090 (YOLOv8s).", 640,
     1280),
    ("I changed the image size from 512 to 1024 and now my UNet runs out of memory at batch 8.", 512, 1024),
    ("increased the resolution from 640 to 1920, now CUDA OOM", 640, 1920),
])
def test_an_image_size_that_grew_is_read_and_its_pixels_counted(kb, message, before, after):
    """Review 48 #19 ('with images of 640 there was no problem; the only thing I changed was --img 1920'): the size
    the run came from and the one it is at, and the memory per image that grew with the pixels, (after / before)²."""
    c = run_consultation(message, kb=kb)
    assert (c.wm.value("image_size_from"), c.wm.value("image_size")) == (before, after)
    assert c.wm.value("image_area_ratio") == pytest.approx((after / before) ** 2)
    assert c.advice.findings[0].id == "finding-image-size-memory"
    # (a batch changed at one image size is no image size changed)
    plain = run_consultation("batch size from 8 to 4 at image size 640, still OOM", kb=kb)
    assert not plain.wm.known("image_size_from") and plain.wm.value("image_size") == 640


def test_an_oom_after_sampling_inside_training_is_the_evaluation_pass(kb):
    """Review 48 #22 (SiT-XL/2 on 8 A100s: "OOM during training when it finished logging 'Generating EMA samples
    done'"): a generative model's sampling inside training is an evaluation pass - no_grad, CFG's doubled batch."""
    c = run_consultation("I ran into the Out of Memory issue during training when it finished logging \"Generating EMA "
                         "samples done\". torchrun --nproc_per_node=8 train.py --model SiT-XL/2 on 8 A100 GPUs", kb=kb)
    assert c.wm.value("oom_stage") == "evaluation"
    assert c.advice.findings[0].id == "oom-evaluation"
    assert "classifier-free guidance" in c.advice.findings[0].text
    assert run_consultation("CUDA out of memory while sampling images during training on my 3090",
                            kb=kb).wm.value("oom_stage") == "evaluation"


def test_fsdp_memory_that_does_not_fall_with_more_gpus_is_what_sharding_leaves(kb):
    """Review 48 #14 ('FSDP does not reduce memory footprint when scaling up GPUs … the VRAM usage of a single graphics
    card actually increases with the number of cards'): the claim, with "a single graphics card" read as each card
    (no count of one), answered with what sharding divides and what it leaves - FSDP's wrapped units included."""
    c = run_consultation("Issue with FSDP does not reduce memory footprint when scaling up GPUs. We run FSDP with the "
                         "size_based_auto wrap policy on A800 gpus. As the number of GPU cards increases, we have not "
                         "observed a decrease in VRAM usage. The VRAM usage of a single graphics card actually "
                         "increases with the increase in the number of cards.", kb=kb)
    assert c.wm.value("claim_more_gpus_same_memory") is True
    assert not c.wm.known("num_gpus") or c.wm.value("num_gpus") != 1
    finding = c.advice.findings[0]
    assert finding.id == "finding-sharded-memory-flat-with-gpus" and "transformer_auto_wrap_policy" in finding.text
    assert read_message(kb, "I train on a single GPU with 24GB")["num_gpus"][0] == 1


def test_a_system_ram_kill_at_the_final_save_of_an_moe_model(kb):
    """Review 49 #6 (Qwen3-30B-A3B full SFT with zero2_offload on 8 H200, "System RAM OOM … the crash happens
    immediately after the final validation step, likely during final model consolidation or checkpoint saving"): the
    MoE's 30.5B total parameters from the catalogue, the kill at the save answered first, and no GPU activation
    savers offered against the host's RAM."""
    c = run_consultation("System RAM OOM (1.5TB+) with DeepSpeed zero2_offload during full SFT of Qwen3-30B-A3B (MoE) on "
                         "8 H200. The OS OOM killer terminates the process with exitcode -9. The crash happens "
                         "immediately after the final validation step, likely during final model consolidation or "
                         "checkpoint saving.", kb=kb)
    assert c.wm.value("model_preset") == "qwen3-30b-a3b" and c.wm.value("params") == 30.5e9
    assert c.wm.value("killed_at_save") is True
    assert c.advice.findings[0].id == "finding-killed-at-save"
    assert "memory-savers" not in {o.id for o in c.advice.options}


def test_a_pairwise_reward_model_runs_two_sequences_and_no_vocabulary(kb):
    """Review 49 #26 (LLaMA-Factory `stage: rm`, Qwen2-7B, cutoff_len 8192, ZeRO-3, OOM): a reward model's pair is two
    sequences, scored by a scalar head - no vocabulary's logits; 'the reward model' of a PPO run is no such run."""
    c = run_consultation("reward model train OOM on A800 80GB\nmodel_name_or_path: /data/models/qwen/Qwen2-7B\nstage: rm\n"
                         "finetuning_type: full\ndeepspeed: examples/deepspeed/ds_z3_config.json\ncutoff_len: 8192\n"
                         "per_device_train_batch_size: 1\nbf16: true", kb=kb)
    assert c.wm.value("preference_objective") == "reward"
    assert not c.wm.known("plan_current_logits") or not c.wm.value("plan_current_logits")
    assert "fused-loss" not in {o.id for o in c.advice.options}
    assert "preference_objective" not in read_message(kb, "PPO with a reward model on 8 GPUs, OOM")


def test_a_qwen_vl_image_cap_said_bounds_each_image(kb):
    """Review 49 #25 (ms-swift GRPO of Qwen2.5-VL-3B with `MAX_PIXELS=602112`): the cap said holds an image to
    602112 / 784 = 768 tokens - not the processor's default of 16,384."""
    c = run_consultation("SIZE_FACTOR=8 MAX_PIXELS=602112 NPROC_PER_NODE=4 swift rlhf --rlhf_type grpo --model_type "
                         "qwen2_5_vl --model Qwen2.5-VL-3B --train_type full, OOM on 4*90G", kb=kb)
    assert c.wm.value("image_tokens_max") == 768
    ids = [f.id for f in c.advice.findings]
    assert "finding-vlm-image-tokens-capped" in ids and "finding-vlm-image-tokens" not in ids


def test_reserved_far_above_allocated_is_answered_with_the_allocators_cache(kb):
    """Review 53 #3 (a forum question with a demo: memory_reserved 5014MB against 465MB allocated, and empty_cache()
    releasing only part): the caching allocator and its segments are the answer, not "nothing to recommend"."""
    message = ("Why after I used the torch.cuda.empty_cache(), only part of the reserved space generated by the "
               "forwarding of Net could be released? And why is the reserved memory much larger than allocated "
               "memory?\n# after forward 1st epoch | memory_reserved: 5014MB | memory allocated: 465MB")
    c = run_consultation(message, kb=kb)
    assert c.advice.findings[0].id == "finding-reserved-above-allocated"
    # (flat allocated memory beside a growing nvidia-smi has its own answer)
    flat = run_consultation("Allocated memory stays flat but reserved keeps growing, much larger than allocated, "
                            "until it OOMs.", kb=kb)
    assert "finding-reserved-above-allocated" not in [f.id for f in flat.advice.findings]


def test_two_runs_named_by_their_gpus_with_the_same_total_are_one_batch_split_two_ways(kb):
    """Review 53 #4 (QLoRA under `accelerate launch`: "a single gpu run with per_device_train_batch_size=16" against
    "a multi gpu run with 8 gpus and per_device_train_batch_size=2"): the same 16 per update, no BatchNorm in a QLoRA
    language model to ask about, and no accelerate-scheduler finding for the Trainer, which counts its updates."""
    c = run_consultation("Multi-GPU training with DDP (launching with `accelerate launch`) gives a different loss from "
                         "a single GPU setup with the same effective batch size. 1. In purple is a single gpu run with "
                         "`per_device_train_batch_size=16` 2. In blue is a multi gpu run with 8 gpus and "
                         "`per_device_train_batch_size=2`. QLoRA. Why are the loss values so different?", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-same-total-layouts-no-batchnorm"
    assert {c.wm.value("num_gpus"), c.wm.value("compared_gpus")} == {1, 8}
    assert "finding-accelerate-schedule-runs-faster-on-more-gpus" not in ids and not c.advice.questions


def test_detectron2_trains_in_fp32_unless_amp_is_said_and_batchnorm_asks_nothing_beside_an_oom(kb):
    """Review 53 #9 and #18: detectron2's SOLVER.AMP is off by default, so its precision is fp32, not a question;
    BatchNorm's "enough samples per GPU" and its train/eval-gap question are not put to an OOM on two GPUs."""
    det = run_consultation("detectron2 mask_rcnn_R_50_FPN_3x on a TitanX 12gb, cfg.SOLVER.IMS_PER_BATCH = 1, memory "
                           "grows until out of memory", kb=kb)
    assert det.wm.value("precision") == "fp32"
    amp = read_message(kb, "detectron2 with cfg.SOLVER.AMP.ENABLED = True and IMS_PER_BATCH 4")
    assert amp.get("precision", (None,))[0] != "fp32"
    yolo = run_consultation("Tried to train YOLO11s on dual 4090 GPUs with batch=40, imgsz=640: OutOfMemoryError.", kb=kb)
    ids = [f.id for f in yolo.advice.findings]
    assert "finding-bn-moderate-per-device" not in ids
    assert all(q.id != "instability" for q in yolo.advice.questions)


def test_a_controlnets_frozen_base_is_whole_on_every_gpu_under_zero3(kb):
    """Review 53 #12 (Flux ControlNet, "DeepSpeed Stage-3 with the accelerate config below", launched with
    `--config_file default_config_fsdp.yaml`; 42GB on 1 GPU and on each of 8): the file's name does not undo the
    DeepSpeed said (nor make the run DDP), and the answer is the frozen 12B base outside what ZeRO-3 shards."""
    c = run_consultation("Flux ControlNet Multi-GPU DeepSpeed Stage-3 doesn't reduce memory compared to Single GPU. "
                         "I am using DeepSpeed Stage-3 with the accelerate config below. When I use only 1 GPU it takes "
                         "around 42GB during training. When I use all 8 GPUs in a single node, it still takes around "
                         "42GB per GPU.\n```\naccelerate launch --config_file \"./default_config_fsdp.yaml\" "
                         "train_controlnet_flux.py --pretrained_model_name_or_path=\"black-forest-labs/FLUX.1-dev\"\n```",
                         kb=kb)
    assert c.wm.value("parallelism") == "zero" and c.wm.value("zero_stage") == 3
    assert c.advice.findings[0].id == "finding-controlnet-frozen-base-not-sharded"
    assert c.wm.value("controlnet_frozen_base_bytes") == pytest.approx(2 * c.wm.value("params"))


def test_a_throughput_timed_over_an_accumulated_step_counts_every_micro_batch(kb):
    """Review 53 #10 (nanochat: `tok_per_sec = int(world_tokens_per_fwdbwd / dt)` with dt over the full step with
    grad_acc): 'should tok_per_sec also account for grad_accum_steps?' is answered, not 'nothing to recommend'."""
    c = run_consultation("Gradient Accumulation in Token Per Second Calculation\n```python\ndt = t1 - t0  # full "
                         "training step with grad_acc\ntok_per_sec = int(world_tokens_per_fwdbwd / dt)\n```\nShould "
                         "`tok_per_sec` also account for `grad_accum_steps`?", kb=kb)
    assert c.advice.findings[0].id == "finding-throughput-counts-every-micro-batch"


def test_simclrs_learning_rate_rules_answer_its_scaling_question(kb):
    """Review 53 #25 ("with proper learning rate scaling across batch size" in SimCLR): the paper's two LARS rules,
    0.3 × B/256 and 0.075 × √B, worked out for a batch said, and no accumulation asked of a question that has none."""
    c = run_consultation("Could you clarify `with proper learning rate scaling across batch size` in SimCLR? Smaller "
                         "mini-batch sizes work well; which learning rate should I use?", kb=kb)
    assert c.advice.findings[0].id == "finding-simclr-lr-rules"
    assert all(q.id != "grad_accum_steps" for q in c.advice.questions)
    sized = run_consultation("SimCLR on one GPU with batch 256: which learning rate?", kb=kb).wm
    assert sized.value("simclr_lr_sqrt") == pytest.approx(0.075 * 16)
    assert sized.value("simclr_lr_linear") == pytest.approx(0.3)


def test_a_distributed_runs_poor_validation_accuracy_is_a_worse_result_on_more_gpus(kb):
    """Review 53 #30 (TF MirroredStrategy on 8 GPUs: "the loss is not converging as fast and getting very poor
    validation accuracy as compared to the original"): answered with what 8 GPUs change, not 'nothing specific'."""
    c = run_consultation("For Mirrored strategy/Distributed training (8 GPU) I compute the loss with "
                         "tf.nn.compute_average_loss. But in the Distributed strategy the loss is not converging as "
                         "fast and getting very poor validation accuracy as compared to the original.", kb=kb)
    assert c.wm.value("claim_multi_gpu_worse_result") is True and c.advice.findings


def test_an_espnet1_trace_gets_espnet1s_batch_levers_and_its_data_parallel_call_is_dataparallel(kb):
    """Review 53 #21 (an OOM through espnet/asr/pytorch_backend/asr.py's `data_parallel(self.model, x,
    range(self.ngpu))`): ESPnet1's --batch-size, --maxlen-in and --accum-grad, not ESPnet2's batch_bins; and the
    function called is torch's one-process DataParallel, not DDP."""
    c = run_consultation("RuntimeError: CUDA out of memory. Tried to allocate 2.77 GiB (GPU 0; 7.79 GiB total capacity; "
                         "6.05 GiB already allocated)\n  File \"/home/u/espnet-master/espnet/asr/pytorch_backend/asr.py\", "
                         "line 207, in update_core\n    data_parallel(self.model, x, range(self.ngpu)).mean() / "
                         "self.accum_grad\n  File \"espnet/nets/pytorch_backend/e2e_asr_transformer.py\", line 175", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert "finding-espnet1-oom-levers" in ids and "finding-espnet-oom-levers" not in ids
    assert c.wm.value("parallelism") == "dp"


def test_a_jax_recipe_tuned_on_tpus_run_on_one_old_gpu_gets_jaxs_accumulation(kb):
    """Review 53 #2 (Long Range Arena: "this code seems to be using 4x4 TPUs, but I don't have access to TPUs … OOM
    on a single Titan X … a flag like accumulate-gradients/update-freq … not very familiar with tensorflow/jax"):
    the run is on the GPU, in JAX (familiarity denies no use), accumulation is optax.MultiSteps, and the first
    move on a card without bfloat16 is rematerialisation and a smaller per-device batch."""
    c = run_consultation("This code seems to be using 4x4 TPUs, but since I don't have access to TPUs, how to run it on "
                         "GPUs? It would throw an OOM error on a single Titan X GPU, it'd be nice if there's a flag like "
                         "accumulate-gradients/update-freq to reproduce the results on a single GPU. (I'm not very "
                         "familiar with tensorflow/jax)", kb=kb)
    assert not c.wm.value("tpu_named") and c.wm.value("jax_named") is True
    assert "finding-jax-accumulation-multisteps" in [f.id for f in c.advice.findings]
    assert "bfloat16 and rematerialise" not in c.advice.recommendation.rationale
    assert "rematerialise" in c.advice.recommendation.rationale


def test_a_step_count_that_ignores_accumulation_counts_micro_batches(kb):
    """'batch_size_per_gpu 19,200 with grad_accumulation_steps 2 to match your 38,400 × 1 … but the shown overall steps
    is not at all dependent from grad_accumulation_steps' (review 54 #12): the counter counts micro-batches, so a
    schedule set in it runs accumulation times faster in updates - said first, beside the matched batch per update."""
    advice = consult("You used 8xA100 80GB GPU's, accordingly your settings are: batch_size_per_gpu: 38400, "
                     "grad_accumulation_steps: 1. If I want to use 8xA100 40GB GPU's to reproduce your results, I'd use "
                     "batch_size_per_gpu: 19200, grad_accumulation_steps: 2. But currently, the shown overall steps is not "
                     "at all dependent from grad_accumulation_steps. Also the variable global_step in trainer.py is always "
                     "updated independently from the value of grad_accumulation_steps.", kb=kb)
    ids = [f.id for f in advice.findings]
    assert ids[0] == "finding-step-counter-counts-micro-batches"
    assert "finding-global-step-counts-updates" not in ids  # (the opposite report: a counter that repeats)
    repeats = consult("trainer.global_step prints repetitive steps when gradient_accumulation_steps is above one", kb=kb)
    assert "finding-step-counter-counts-micro-batches" not in [f.id for f in repeats.findings]


def test_an_oom_at_the_references_per_gpu_batch_on_fewer_gpus_is_the_card(kb):
    """'OOM at batch_size = 2 on a single V100 16GB, though you used 8 GPU's X 2 samples per GPU' (review 54 #14): each
    of the reference's GPUs held 2 too, so fewer GPUs are not the cause - the card is - and the update is 8× smaller
    than the reference's 16: said first, with its numbers, instead of 'no option stands out'."""
    message = ("I get CUDA out of memory error when using batch_size = 2 on a single GPU, which seems weird, since in "
               "your implementation you used 8 GPU's X 2 samples per GPU, and my setting is the same for single GPU. "
               "My GPU is Tesla V100 with 16GB.")
    c = run_consultation(message, kb=kb)
    assert c.advice.findings[0].id == "finding-oom-at-the-references-per-gpu-batch"
    assert c.wm.value("reference_per_gpu_batch") == 2 and c.wm.value("reference_to_own_gpus") == 8
    assert "accumulate 8 times the micro-batches" in c.advice.findings[0].text
    # a per-GPU batch that is not the reference's (16 on the one GPU against 8 × 2) is another question
    other = consult(message.replace("batch_size = 2", "batch_size = 16"), kb=kb)
    assert "finding-oom-at-the-references-per-gpu-batch" not in [f.id for f in other.findings]


def test_more_memory_per_gpu_under_ddp_than_alone_is_its_buckets(kb):
    """'batchsize=2 on a single GPU without DDP: about 7.3 GB; 2 per GPU on two GPUs with DDP: 8.4 GB per GPU - is it
    normal?' (review 55 #2): DDP's gradient buckets (and NCCL's buffers), with gradient_as_bucket_view to save the
    copy - not 'no option stands out'."""
    c = run_consultation("When I train my model with batchsize=2 on a single GPU(11GB) without "
                         "nn.parallel.DistributedDataParallel(), the memory usage of GPU is about 7.3 GB. However, when I "
                         "train my model with batchsize=2 per GPU on two GPUs with nn.parallel.DistributedDataParallel(), "
                         "the memory usage of per GPU is about 8.4 GB. Is it normal?", kb=kb)
    assert c.advice.findings[0].id == "finding-ddp-gradient-buckets"
    assert "gradient_as_bucket_view=True" in c.advice.findings[0].text


def test_a_batch_that_is_the_failed_tensors_first_dimension_is_each_gpus(kb):
    """'if you increase the number of GPUs, you would be able to handle big batch size. I ran the benchmarks with batch
    size 256 using 160 GPUs … OOM when allocating tensor with shape[256,512,28,28]' (review 55 #3): 256 is what the
    GPU held, so each GPU's batch, and more GPUs do not raise it - said first."""
    message = ("If I am correct, if you increase the number of GPUs, you would be able to handle big batch size. I ran "
               "the benchmarks with batch size 256 using 160 GPUs and got the error for memory.\nResource exhausted: OOM "
               "when allocating tensor with shape[256,512,28,28] and type float on /job:localhost/replica:0/task:0/"
               "device:GPU:0 by allocator GPU_0_bfc")
    c = run_consultation(message, kb=kb)
    assert c.wm.value("micro_batch") == 256 and not c.wm.known("batch_unqualified")
    assert c.advice.findings[0].id == "finding-more-gpus-same-per-gpu-batch"
    # (a batch the tensor does not show stays per GPU or total unsaid)
    other = read_message(kb, message.replace("shape[256,", "shape[2,"))
    assert "micro_batch" not in other and other["batch_unqualified"][0] == 256


def test_a_tpu_slice_shards_the_states_over_its_chips(kb):
    """'Llama-2-7b needs 6.7B * 20 = 134 GB with Adam in float32, yet we were able to train it on v4-8, which has only
    128GB' (review 55 #4): the JAX trainers shard the states over the 4 chips - 100.41 GiB / 4 each - and a chip's 32
    GiB are 34.4 GB; the run that trained is no plan that 'does not fit'."""
    c = run_consultation("Clarification: how does Llama-2-7b fit on a v4-8 when using Adam? My understanding is that we "
                         "need 20 bytes per parameter when using the Adam optimizer with weights and accumulators stored "
                         "in float32. Llama-2-7b thus need (at least) 6.7B * 20 = 134 GB of memory. However, we were able "
                         "train it on v4-8, which has only 128GB. Am I missing something?", kb=kb)
    first = c.advice.findings[0]
    assert first.id == "finding-tpu-states-sharded-over-chips"
    assert c.wm.value("claim_run_fits") is True
    assert c.wm.value("tpu_states_per_chip") == pytest.approx(c.wm.value("states_user") / 4)
    assert "finding-tpu-not-gpu" not in [f.id for f in c.advice.findings]


def test_a_rule_of_thumb_for_gpu_memory_is_bytes_per_parameter(kb):
    """'What's the general rule of thumb when estimating how much GPU memory I need - training, fine-tuning,
    inferencing? And how would the rough estimate of 2x number of parameters fit in here?' (review 55 #13): bytes a
    parameter by what the run keeps, said first - not 'no option stands out'."""
    c = run_consultation("General Rule of Thumb when Estimating GPU Memory Requirements\nWhat's the general rule of thumb "
                         "when it comes to estimating how much GPU memory I would need?\n1. In terms of training?\n2. In "
                         "terms of fine-tuning?\n3. In terms of inferencing?\nAnd how would the rough estimate of 2x number "
                         "of parameters fit in here? Does it refer to simply loading the model?", kb=kb)
    assert c.advice.findings[0].id == "finding-memory-rule-of-thumb"
    assert not c.advice.questions  # (a rule asked, no run of the user's: no card or model asked for)


def test_other_ranks_on_one_gpu_in_an_nvidia_smi_table_are_their_cuda_contexts(kb):
    """nvidia-smi's process table with PIDs 26599-26601 on GPU 5 as well as on GPUs 6-8 (review 55 #20): the other
    ranks' CUDA contexts on the first GPU - set the device first - not 'nothing specific to recommend'."""
    table = ("|    5   N/A  N/A     26598      C   ...da/envs/ps-mt/bin/python3     2885MiB |\n"
             "|    5   N/A  N/A     26599      C   ...da/envs/ps-mt/bin/python3     1387MiB |\n"
             "|    5   N/A  N/A     26600      C   ...da/envs/ps-mt/bin/python3     1387MiB |\n"
             "|    6   N/A  N/A     26599      C   ...da/envs/ps-mt/bin/python3     2889MiB |\n"
             "|    7   N/A  N/A     26600      C   ...da/envs/ps-mt/bin/python3     2889MiB |\n")
    c = run_consultation("I try to train the model, GPU memory usage as follow:\n" + table +
                         "The code uses DistributedDataParallel. Why?", kb=kb)
    assert c.wm.value("claim_gpu0_extra_memory") is True
    assert c.advice.findings[0].id == "finding-gpu0-other-processes"
    # (the ranks' own GPUs counted, each a process of its own: no question how the run is started)
    assert c.wm.value("num_gpus") == 3 and c.wm.value("launch") == "process_per_gpu"
    assert "launch" not in [q.id for q in c.advice.questions]
    # (one process a GPU: nothing crowded)
    alone = read_message(kb, "GPU memory usage:\n" + "".join(line for line in table.splitlines(keepends=True)
                                                              if "26598" in line or "    6 " in line))
    assert "claim_gpu0_extra_memory" not in alone


def test_a_memory_formula_of_a_product_is_bytes_a_parameter_not_pooled_gpus(kb):
    """'fine-tuning a 7B model requires about 7 x 4 x 4 = 112 GB of VRAM? how to understand the formula? … each
    parameter uses 4 bytes, so 7 * 4 = 28GB' (review 55 #18): 4 bytes × 4 copies, no GPUs pooled."""
    c = run_consultation("fine-tuning a 7B model requires about 7 x 4 x 4 = 112 GB of VRAM? how to understand the "
                         "formula?\nI can not understand the VRAM formula. as for me, each parameters use 4 bytes size, so "
                         "7B model requires about 7 * 4 = 28GB VRAM. why the formula say 7*4*4? thank you.", kb=kb)
    assert not c.wm.value("claim_gpu_memory_adds_up")
    assert c.advice.findings[0].id == "finding-memory-rule-of-thumb"
    assert "4 bytes × 4 copies" in c.advice.findings[0].text
    assert read_message(kb, "I have 4 x 3090 = 96 GB of VRAM so it should fit")["claim_gpu_memory_adds_up"][0] is True


def test_the_largest_model_the_hardware_trains_is_counted_by_plan(kb):
    """'Which size of the model I can train if I have 4 x 3090 (24GB) + 256 GB DRAM? It looks like I could only afford
    to train 0.5B model?' (review 55 #16): the guessed 0.5B is no plan; the largest model of each plan is the answer,
    the RAM limiting the offloaded one."""
    c = run_consultation("Which size of the model I can train if I have 4 x 3090 (24GB) + 256 GB DRAM\nIt looks like I "
                         "could only afford to train 0.5B model ?  Thank you for your reply :)", kb=kb)
    assert not c.wm.known("params")
    assert c.advice.findings[0].id == "finding-largest-models-by-plan-with-offload"
    ddp, sharded = c.wm.value("largest_model_ddp"), c.wm.value("largest_model_sharded")
    assert sharded == pytest.approx(4 * ddp, rel=1e-6) and c.wm.value("largest_model_lora") == pytest.approx(8 * sharded, rel=1e-6)
    assert c.wm.value("largest_model_offload") == pytest.approx(256 * 2**30 / 24, rel=1e-6)  # (the RAM limits it)
    # without the RAM said, no offloaded figure
    plain = run_consultation("What's the largest model I can train on 2 x RTX 4090?", kb=kb)
    assert plain.advice.findings[0].id == "finding-largest-models-by-plan"


def test_more_gpus_do_not_lengthen_a_sequence(kb):
    """'if I have a 8XA100, can I set seqlen to 50000 or more?' (review 55 #12): '50000 or more' is the length asked
    (no option weighed), and data parallelism gives each GPU whole sequences - said first, not 'nothing specific'."""
    c = run_consultation("Does it support full parameter training?\nif I have a 8XA100, can I set seqlen to 50000 or more?",
                         kb=kb)
    assert c.wm.value("seq_len") == 50000 and c.wm.value("num_gpus") == 8
    assert c.advice.findings[0].id == "finding-more-gpus-same-sequence-length"
    # (an option weighed stays one: "batch 8 or batch 16?")
    assert read_message(kb, "should I use batch 8 or batch 16?")["asked_batch"][0] == 8


def test_a_quarter_trainable_under_lora_is_whole_modules_trained(kb):
    """Review 55 #30: LoRA on a 12 GB card printing "trainable params: 676,003,840 || all params: 2,512,832,512" - far
    more than adapters, so whole modules (modules_to_save) train with full AdamW states; a loading bar's
    8.22it/s times no training step, and a library's "Try importing flash-attention … fail" runs no FlashAttention."""
    c = run_consultation("<3090 12G 单卡Lora微调1.4B模型OOM>\nLoading checkpoint shards: 100%|██████████| 2/2 "
                         "[00:00<00:00,  8.22it/s]\nTry importing flash-attention for faster inference...\nWarning: import "
                         "flash_attn fail, please install FlashAttention to get higher efficiency "
                         "https://github.com/Dao-AILab/flash-attention\ntrainable params: 676,003,840 || all params: "
                         "2,512,832,512 || trainable%: 26.902065170350678", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert "finding-lora-trains-whole-modules" in ids
    from advisor.domain.estimators.memory import model_state_bytes
    assert c.wm.value("trainable_states_bytes") == pytest.approx(
        model_state_bytes(676_003_840, "amp_bf16", "adamw")["value"].value)
    assert not c.wm.known("step_seconds") and not (c.wm.known("attention") and c.wm.value("attention") == "flash")
    assert c.wm.value("user_goal") == "fit"


def test_memory_per_image_is_not_the_total_over_the_batch(kb):
    """'the text says that: ```… max_memory_allocated() for all 8 GPUs …``` Most config files are using 2 images per
    gpu. Does this mean the maximum GPU memory required per image is the number in the table divided by 2?' (review 55
    #9): the model zoo's 8 GPUs are its own (the quoted text's), and the answer is the affine model - a fixed part."""
    c = run_consultation("Question about memory usage in the model zoo readme\nthe text says that :\n```\nFor fair "
                         "comparison with other codebases, we report the GPU memory as the maximum value of "
                         "torch.cuda.max_memory_allocated() for all 8 GPUs. Note that this value is usually less than what "
                         "nvidia-smi shows.\n```\nMost config files are using 2 images per gpu. Does this means the more or "
                         "less maximum GPU memory required per image is the number in the table divided by 2?", kb=kb)
    assert c.advice.findings[0].id == "finding-memory-per-sample-not-total-over-batch"
    assert c.wm.value("num_gpus") != 8 if c.wm.known("num_gpus") else True


def test_a_fairseq_oom_is_answered_with_its_own_levers(kb):
    """'bart-large: on 4*2080ti (4*12G) it OOMs, on 1*3090 (24G) it works; it uses more than 12G each GPU even on
    multi-GPUs' with fairseq (review 55 #1): each GPU's --max-tokens budget, halved with --update-freq doubled."""
    c = run_consultation("Fairseq OOM when using multi-GPUs\nI run bart-large on my device, if I use 4*2080ti(4*12G), it "
                         "will OOM. And it works well on 1*3090(24G). I found that it will use more than 12G each GPU even "
                         "on multi-GPUs. If there is any way for me to run it on my 4*2080ti(4*12G)?", kb=kb)
    first = c.advice.findings[0]
    assert first.id == "finding-fairseq-oom-levers" and "--update-freq" in first.text


def test_t5_is_counted_with_the_adafactor_it_was_trained_with(kb):
    """'How to fit T5-11B (and T5-3b) into a v3-8 TPU? I tried with A100 (40GB) … how you fit the large model into TPU?
    are you using half precision (fp16)?' (review 55 #21): the run is on the A100 (the TPU the authors'), fp16 is asked
    of them, and T5's Adafactor states (8 B a parameter) are set against AdamW's."""
    c = run_consultation("How to fit T5-11B(and T5-3b) into a v3-8 TPU\nI tried to reproduce the model with A100 (40GB) "
                         "GPU, but it cannot fit T5-3B/11B without model parallel or Deepspeed?\nI am wondering how you fit "
                         "the large model into TPU? are you using half precision (fp16) or something else?", kb=kb)
    assert not c.wm.value("tpu_named") and not c.wm.known("precision")
    assert c.advice.findings[0].id == "finding-t5-adafactor"
    assert c.wm.value("t5_adafactor_states") == pytest.approx(c.wm.value("params") * 8)
    assert "t5_named" not in read_message(kb, "GPT-2 with T5X on a TPU v3-8")


def test_a_recipes_iterations_on_fewer_gpus(kb):
    """'Should I change the iter from 1,000,000 to 8,000,000 if I use single GPU to train? … you are training with 8
    GPUs' (review 56 #19): the iterations are updates of 8 GPUs' batches - accumulate 8, or 8× the iterations at a
    smaller LR - and 'the total time required' is no memory to fit."""
    c = run_consultation("Should I change the iter from 1,000,000 to 8,000,000 if I use single GPU to train?\nWhile "
                         "attempting to train, I noticed that regardless of the number of GPUs selected, the total time "
                         "required remained constant. If I were to train using a single GPU, should I adjust the iteration "
                         "count from 1,000,000 to 8,000,000 to account for the fact that you are training with 8 GPUs? Am "
                         "I correct in understanding that the iteration count pertains to a single GPU?", kb=kb)
    assert c.advice.findings[0].id == "finding-iterations-on-fewer-gpus"
    assert c.wm.value("reference_to_own_gpus") == 8
    assert not (c.wm.known("user_goal") and c.wm.value("user_goal") == "fit")


def test_whether_the_gpu_count_changes_the_results(kb):
    """'Will the number of nproc_per_node effect the results (like batch_size)? Or it is just used to improve the
    training speed.' (review 56 #26): with a per-process batch it multiplies the batch per update - an explanation,
    not a speed plan."""
    c = run_consultation("Will nproc_per_node effect the results?\nWill the number of `nproc_per_node` effect the results "
                         "(like batch_size) ? Or it is just used to improve the training speed.", kb=kb)
    assert c.advice.findings[0].id == "finding-gpu-count-changes-the-update"
    assert c.wm.value("user_goal") == "explain_result" and not c.advice.questions


def test_the_trainers_eval_logits_are_counted_for_the_eval_set(kb):
    """'the logits obtained on the evaluation step are accumulated … 1000 examples with max_length = 512 and vocab_size
    = 30522 occupy 1000 * 512 * 30522 / 1024^3 > 14 Gb' (review 56 #27): the user's count leaves out fp32's 4 bytes -
    58.22 GiB - and the Trainer's own settings keep them off the GPU; the 14 Gb is no card."""
    c = run_consultation("Trainer accumulates logits\nFrom line 2213 in trainer.py I can see the logits obtained on the "
                         "evaluation step are accumulated. This makes it impossible to use a reasonable validation dataset, "
                         "since already 1000 examples with `max_length = 512` and `vocab_size = 30522` occupy "
                         "1000 * 512 * 30522 / 1024^3 > 14 Gb of memory.", kb=kb)
    assert c.advice.findings[0].id == "finding-eval-logits-kept"
    assert c.wm.value("eval_logits_kept_bytes") == 1000 * 512 * 30522 * 4
    assert not c.wm.known("gpu_memory")


def test_a_distributed_sampler_splits_the_data_not_the_batch(kb):
    """'args.batch_size is manually divided by the number of processes. However … DistributedSampler already subsampled
    the batch. Is it a bug?' (review 56 #12): the sampler splits the indices, each process batches its share - and "a
    single GPU per process" is how DDP places processes, no run on one GPU."""
    c = run_consultation("Do we still need to divide sample by ourselves when using a single GPU per process?\nIn the "
                         "imagenet example, args.batch_size is manually divided by the number of processes.\nHowever, when "
                         "I checked DistributedSampler, I found that DistributedSampler already subsampled the batch.\nIs "
                         "it a bug in the imagenet example, or have I missed anything?", kb=kb)
    assert c.advice.findings[0].id == "finding-sampler-splits-the-data-not-the-batch"
    assert not c.wm.known("num_gpus")


def test_zero2_that_saves_nothing_under_lora(kb):
    """'请问用DeepSpeed zero2 训练能降低显存消耗吗? 我试验了run_pt.sh中保留和去掉--deepspeed，显存占用几乎是一样的 … 用了两块4090'
    with lora_trainable="q_proj,v_proj,k_proj,o_proj,gate_proj,down_proj,up_proj" (review 56 #13): ZeRO-2 shards the
    adapters' small states, not the frozen base or the activations; the list of projections is every linear layer."""
    c = run_consultation("DeepSpeed zero2 降低训练显存消耗\n请问用DeepSpeed zero2 训练能降低显存消耗吗? 我试验了run_pt.sh中保留和"
                         "去掉--deepspeed，显存占用几乎是一样的。是我这batch-size太小了吗？用了两块4090.\n```\nlr=2e-4\n"
                         "lora_rank=8\nlora_trainable=\"q_proj,v_proj,k_proj,o_proj,gate_proj,down_proj,up_proj\"\n"
                         "per_device_train_batch_size=1\ngradient_accumulation_steps=4\n```", kb=kb)
    assert c.wm.value("claim_sharding_no_memory_saving") is True and c.wm.value("lora_targets") == "all_linear"
    assert c.advice.findings[0].id == "finding-zero-stages-under-adapters"


def test_iterations_that_take_the_same_time_on_more_gpus(kb):
    """'it took the same amount of time to train 5000 iterations of two GPUs or eight GPUs. now num_iters = 500000 …'
    (review 56 #18): an iteration is every GPU's batch once - its time stays, its samples grow - not LR warm-up text."""
    c = run_consultation("some problem about multi GPU\nnow,i was training, I found that it took the same amount of time "
                         "to train 5000 iterations of two GPUs or eight GPUs. now num_iters = 500000.The total number of "
                         "iterations for two GPUs and eight GPUs is 500000? I have setted batch_size of one GPU from 4 to "
                         "8, batch_size of two GPU is 16, batch_size of eight GPU is 64.", kb=kb)
    assert c.advice.findings[0].id == "finding-iteration-time-same-across-gpus"


def test_a_reentrant_checkpoints_saving_without_input_grads_is_false(kb):
    """'use_reentrant=False cannot reduce peak memory … use_reentrant=True: 12.82 GB' with torch's warning "None of the
    inputs have requires_grad=True. Gradients will be None" (review 56 #16): that segment stopped training."""
    c = run_consultation("gradient checkpointing with use_reentrant=False cannot reduce peak memory\nWhen set "
                         "use_reentrant=False, i find the peak memory is exactly the same without checkpointing: 60.84 GB. "
                         "With use_reentrant=True: 12.82 GB.\nUserWarning: None of the inputs have requires_grad=True. "
                         "Gradients will be None", kb=kb)
    assert c.advice.findings[0].id == "finding-reentrant-checkpoint-without-input-grads"


def test_a_regression_between_releases_is_the_same_setup_that_fit(kb):
    """'configurations that were working in previous version … When moving between versions … On commit 0ce1a65 and
    earlier I am able to do QLoRA SFT Yi-34B finetune on context length of 1400' (review 56 #29): a regression - what
    changed is the cause - and 'moving between versions' is no OOM while loading the model."""
    c = run_consultation("VRAM usage regression in 2f2582e\nFine-tuning using configurations that were working in "
                         "previous version should continue working without OOMs. I was met with OOMs and I was able to "
                         "trace it back to commit 2f2582e. When moving between versions, I made sure to run pip3 install. "
                         "On commit 0ce1a65 and earlier I am able to do QLoRA SFT Yi-34B finetune on context length of "
                         "1400. On a single RTX 3090 Ti.", kb=kb)
    assert c.advice.findings[0].id == "finding-same-setup-worked"
    assert not (c.wm.known("oom_stage") and c.wm.value("oom_stage") == "loading")


def test_an_oom_at_micro_batch_one_with_no_model_named(kb):
    """'10×A6000 (48G) … --per_device_train_batch_size 1 --gradient_accumulation_steps 32 … OOM; advice?' with no model
    named (review 56 #1): no batch left to cut - the states and one sample's activations, and the levers for them."""
    c = run_consultation("使用10×A6000 (48G)，并用以下参数进行训练的时候发生了OOM错误：--num_generations 2 "
                         "--per_device_train_batch_size 1 --gradient_accumulation_steps 32 --bf16 --gradient_checkpointing "
                         "true\n请问有什么比较好的优化显存的建议吗？", kb=kb)
    assert c.advice.findings[0].id == "finding-oom-at-batch-one-unsized"


def test_one_model_in_two_codebases_at_different_batches_gets_what_each_feeds_it(kb):
    """Review 57 #4: "I can only train with a batch size of 2 on (1920 x 1080) images on a V100. In Detectron2 I can
    manage 4" - the input resize, the precision and what is frozen, not the package."""
    c = run_consultation("Memory Consumption greater than Detectron2. With my current config (mmdetection), I can only "
                         "train with a batch size of 2 on (1920 x 1080) images on a V100. In Detectron2 I can manage 4. "
                         "What are the most likely causes of this discrepancy?", kb=kb)
    lead = c.advice.findings[0]
    assert lead.id == "finding-codebases-differ-in-what-they-feed" and "ResizeShortestEdge" in lead.text


def test_verl_memory_asked_gets_the_micro_batch_tokens_of_each_phase(kb):
    """Review 57 #12: "do ppo_mini_batch_size and ppo_micro_batch_size have a big impact on GPU usage? … adjusting
    max_response_length, train_batch_size and rollout.n didn't reduce it": a GPU's peak is one micro-batch's tokens
    per phase, so the answer leads with use_dynamic_bsz and the per-GPU token budgets."""
    c = run_consultation("I would like to ask whether ppo_mini_batch_size and ppo_micro_batch_size have a big impact on "
                         "GPU usage. In the PPO training process (verl), which parameters have a greater impact on GPU "
                         "usage? I tried adjusting max_response_length, train_batch_size and rollout.n, but it didn't "
                         "seem to reduce GPU usage. The gradient calculation on some special data still used up the "
                         "GPU memory.", kb=kb)
    lead = c.advice.findings[0]
    assert lead.id == "finding-verl-memory-follows-micro-batch-tokens" and "use_dynamic_bsz" in lead.text


def test_an_unsloth_checkpoint_in_a_llamafactory_config_is_not_unsloths_training_path(kb):
    """Review 57 #23: a LLaMA-Factory config loading unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit at cutoff_len 51974,
    no use_unsloth, OOM on an H100 80GB: the checkpoint turns none of Unsloth's kernels on."""
    message = ('{"model_name_or_path": "/vol/models/Meta-Llama-3.1-8B-Instruct-bnb-4bit", "quantization_bit": 4, '
               '"finetuning_type": "lora", "cutoff_len": 51974, "per_device_train_batch_size": 1} Reproduction: '
               'fine-tune unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit on an 80GB H100 - OOM.')
    c = run_consultation(message, kb=kb)
    assert "finding-unsloth-checkpoint-is-not-unsloth" in [f.id for f in c.advice.findings]
    said = run_consultation(message.replace('"quantization_bit": 4,', '"quantization_bit": 4, "use_unsloth": true,'), kb=kb)
    assert "finding-unsloth-checkpoint-is-not-unsloth" not in [f.id for f in said.advice.findings]


def test_a_grpo_micro_step_of_several_groups_is_split_over_accumulation(kb):
    """Review 57 #25: GRPO of Qwen2.5-VL-7B on one A800 80G with num_generations 6 and per_device_train_batch_size 48
    runs out: each micro-step holds 8 prompts' groups; 6 per device × 8 accumulation steps keeps the 48 per update."""
    c = run_consultation("OOM on a single A800 (80GB) running GRPO on Qwen2.5-VL-7B-Instruct with DeepSpeed ZeRO-3 "
                         "offload: torchrun --nproc_per_node=1 grpo.py --num_generations 6 "
                         "--per_device_train_batch_size 48 --gradient_accumulation_steps 1 --bf16 "
                         "--gradient_checkpointing true", kb=kb)
    assert "finding-grpo-micro-step-holds-groups" in [f.id for f in c.advice.findings]
    assert c.advice.recommendation.option_id == "accumulate-to-target"
    assert (c.wm.value("accum_micro_batch"), c.wm.value("accum_steps")) == (6, 8)


@pytest.mark.parametrize("message, name, sizes", [
    # a family named without its size: asked by name, with the sizes the catalogue knows it in
    ("I want to fine-tune llama2 on my 4090, what batch size?", "llama2",
     "llama-2-7b (6.74B), llama-2-13b (13B) or llama-2-70b (69B)"),
    ("Fine-tuning BERT on a 3090 with batch 64 runs out of memory, what batch fits?", "BERT",
     "bert-base (109M) or bert-large (335M)"),
    # a model the catalogue does not know: asked by name, with no size guessed
    ("OOM fine-tuning TabPFN on a 3090 with batch 64, how many can I fit?", "TabPFN", None),
    ("I'm training my DeepLabV3 with batch 8 on a 1080 Ti and it runs out of memory. What batch fits?",
     "DeepLabV3", None),
])
def test_the_size_question_names_the_model_the_user_named(kb, message, name, sizes):
    c = run_consultation(message, kb=kb)
    assert c.wm.value("model_named") == name and not c.wm.known("params")
    question = next(q for q in c.advice.questions if q.id == "params")
    assert name in question.text
    assert (sizes in question.text) if sizes else "e.g. 500M" in question.text
    # (the catalogue's sizes are asked about, not listed among what the user said)
    assert "model_line_sizes" not in {f.name for f in read_facts(kb, c.advice.facts)}
    assert f"the model you named {name}" in i_read(kb, read_facts(kb, c.advice.facts))


@pytest.mark.parametrize("message", [
    "training with PyTorch on a T4, batch 32 runs out of memory",  # a framework
    "Fine-tuning LoRA adapters on a 3090 runs out of memory at batch 8",  # a method
    "train_dreambooth_sd3.py runs out of memory on a 3090 at batch 2",  # a script's name
])
def test_a_framework_a_method_or_a_file_is_no_model_named(kb, message):
    c = run_consultation(message, kb=kb)
    assert not c.wm.known("model_named")
    assert all("have (e.g." not in q.text or "the model" in q.text for q in c.advice.questions)


def test_a_catalogue_model_is_not_asked_for_by_name(kb):
    c = run_consultation("I want to fine-tune llama-2-7b on my 4090, what batch size?", kb=kb)
    assert not c.wm.known("model_named") and "params" not in [q.id for q in c.advice.questions]


def test_a_card_made_in_several_sizes_is_asked_which(kb):
    c = run_consultation("A800 8卡 LLAMA3 8B lora 训练一段时间后总是会OOM, per_device_train_batch_size: 6", kb=kb)
    question = next(q for q in c.advice.questions if q.id == "gpu_memory")
    assert question.text == "How much memory does your A800 have - 40GB or 80GB?"


def test_lora_memory_flat_over_gpus_under_zero3_points_at_a_quantized_base(kb):
    c = run_consultation("When I run lora finetuning on 1 or multiple GPUs, memory usage stays roughly the same, even if "
                         "deepspeed/zero3_bf16.json is used. accelerate launch -m axolotl.cli.train "
                         "examples/code-llama/7b/lora.yml --deepspeed deepspeed/zero3_bf16.json", kb=kb)
    assert c.advice.findings[0].id == "finding-sharded-adapters-quantized-base"
    assert "num_gpus" not in [q.id for q in c.advice.questions]  # (runs on several GPUs compared: no count asked)
    # a full fine-tune has no frozen base to blame
    c = run_consultation("Full fine-tuning with ZeRO-3: memory usage stays the same regardless of number of GPUs.", kb=kb)
    assert "finding-sharded-adapters-quantized-base" not in [f.id for f in c.advice.findings]
    assert "finding-sharded-memory-flat-with-gpus" in [f.id for f in c.advice.findings]


def test_a_formula_that_divides_by_the_accumulation_is_corrected(kb):
    c = run_consultation("effective_bs = (batch_size * num_nodes * num_gpus_per_node) // (num_gpus_per_model * "
                         "accum_grad_batches). How should I set the scheduler's iterations?", kb=kb)
    assert c.advice.findings[0].id == "finding-accumulation-multiplies-the-batch"
    c = run_consultation("effective_bs = batch_size * num_gpus * accum_grad_batches = 64", kb=kb)
    assert "finding-accumulation-multiplies-the-batch" not in [f.id for f in c.advice.findings]


def test_a_lightning_scheduler_gets_the_run_s_step_count(kb):
    c = run_consultation("Some learning rate schedulers as OneCycleLR requires the number of steps per epoch. Then, "
                         "how to get the number of steps in `configure_optimizers(self)`?", kb=kb)
    assert c.advice.findings[0].id == "finding-lightning-counts-its-steps"
    assert "estimated_stepping_batches" in c.advice.findings[0].text
    assert "finding-lr-follows-batch-per-update" not in [f.id for f in c.advice.findings]


def test_a_pasted_length_histogram_gives_the_tail_that_sets_the_peak(kb):
    bins = "\n".join(f"Duration {lo}s - {lo + 10}s: {n:,} files" for lo, n in
                     ((0, 7000), (10, 2000), (20, 700), (30, 200), (40, 80), (50, 20)))
    c = run_consultation("I want to filter the data to use less GPU memory. The durations:\n" + bins, kb=kb)
    assert c.wm.value("length_samples") == 10000
    assert (c.wm.value("length_p95"), c.wm.value("length_p99"), c.wm.value("length_longest")) == (30, 40, 60)
    finding = next(f for f in c.advice.findings if f.id == "finding-length-histogram-tail")
    assert "99% of yours are at most 40 seconds, the longest 60" in finding.title
    assert "97% are at most 30 seconds and 99% at most 40" in finding.text and "1.5×" in finding.text  # 60 / 40
    # three ranges said in prose are no histogram
    c = run_consultation("Duration 0s - 10s: 70 files\nDuration 10s - 20s: 20 files\nDuration 20s - 30s: 10 files",
                         kb=kb)
    assert not c.wm.known("length_p99")


def test_a_longer_sequence_than_a_run_that_fitted_is_what_grew(kb):
    """Review 59 #21: "I can train a 7B model w/ a 512 sequence length on 24G VRAM, but I can't train a 5B model w/ a
    8192 sequence length" - the states fitted; the activations grew 16× (256× for eager attention's scores), and no
    count of states from an assumed optimizer says the card is too small."""
    c = run_consultation("Hi, thanks for releasing GaLore! I'm running out of memory whenever I use a sequence length "
                         "longer than 512. I can train a 7B model w/ a 512 sequence length on 24G VRAM, but I can't "
                         "train a 5B model w/ a 8192 sequence length.", kb=kb)
    assert (c.wm.value("seq_len_ran"), c.wm.value("seq_growth"), c.wm.value("seq_score_growth")) == (512, 16, 256)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-longer-than-the-length-that-fitted"
    assert not {"plan-does-not-fit", "plan-ruled-out"} & set(ids) and not c.advice.red_flags
    assert not c.wm.known("model_states_exceed_gpu") and "cpu_ram" not in [q.id for q in c.advice.questions]
    # a catalogue model keeps its plans: the activations are counted, and checkpointing fits the longer length
    c = run_consultation("With seq len 1024 training runs fine on my 4090 with Mistral-7B QLoRA, with seq len 2048 I "
                         "get OOM.", kb=kb)
    assert c.wm.value("seq_growth") == 2 and c.advice.recommendation.option_id == "checkpointing"


def test_a_retriever_s_group_size_is_weighed_against_its_batch(kb):
    c = run_consultation("torchrun -m FlagEmbedding.baai_general_embedding.finetune.run --model_name_or_path "
                         "BAAI/bge-large-en --fp16 --train_group_size 2 --negatives_cross_device --temperature 0.02\n"
                         "How large should train_group_size be? A larger one makes the batch smaller; is there a "
                         "trade-off?", kb=kb)
    assert c.wm.value("model_preset") == "bert-large"  # (BGE-large is BERT-large in shape)
    assert c.wm.value("claim_contrastive") is True and c.wm.value("train_group_size") == 2
    assert c.advice.findings[0].id == "finding-contrastive-group-size"
    assert "batch × (1 + 2)" in c.advice.findings[0].text


def test_hoping_to_use_the_machine_s_ram_as_gpu_memory_is_answered(kb):
    c = run_consultation("How to split model between one GPU and the CPU? I have only 6GBs available in my GPU and get "
                         "OOM errors with high resolution images. Can I use the multi gpu option do split my model "
                         "between VRAM and RAM so I can train it?", kb=kb)
    assert c.wm.value("gpu_memory") == 6 * 2**30
    assert c.advice.findings[0].id == "finding-host-ram-is-not-gpu-memory"


def test_a_larger_batch_asked_from_the_default_the_measured_run_uses(kb):
    c = run_consultation("I noticed that under the RTX Titan the model is using around 14G. How could I maximize the "
                         "24G that the card has? The default batch size is 12. Could I increase the batch size to 24?",
                         kb=kb)
    assert c.wm.value("asked_batch_from") == 12
    assert c.advice.findings[0].id.startswith("finding-asked-batch")
    assert c.advice.findings[0].title == "Batch 24 fits only if each added sample takes under 0.91 GiB"


def test_a_question_about_lora_alpha_is_answered_as_a_learning_rate(kb):
    c = run_consultation("How does alpha in LoRA affect performance in training? I usually see everyone set it to 2r. "
                         "But why?", kb=kb)
    assert c.advice.findings[0].id == "finding-lora-alpha-scales-the-update"
    # a config that sets alpha asks nothing about it
    c = run_consultation("lora_alpha: 32, lora_r: 16, learning_rate 2e-4, OOM on a 4090 with Llama-3-8B", kb=kb)
    assert "finding-lora-alpha-scales-the-update" not in [f.id for f in c.advice.findings]


def test_a_length_cap_read_as_every_sample_s_length_is_bounded_by_the_speed(kb):
    message = ("8x A800, LLaMA-Factory LoRA of Llama-3-8B: cutoff_len: 8192, per_device_train_batch_size: 6, "
               "gradient_accumulation_steps: 8, bf16: true, ds_z3. Progress 129/3000 [37:52<14:21:36, 17.62s/it], then "
               "OOM.")
    c = run_consultation(message, kb=kb)
    assert c.wm.value("seq_len_is_cap") is True and c.wm.value("measured_mfu") > 1
    ids = [f.id for f in c.advice.findings]
    assert "finding-length-cap-is-not-the-length" in ids and "finding-measured-utilization-impossible" not in ids
    assert c.wm.value("mean_length_bound") == pytest.approx(8192 / c.wm.value("measured_mfu"))
    # packed samples are every one the length: the impossible speed is a misread figure again
    c = run_consultation(message.replace("bf16: true", "bf16: true, packing: true"), kb=kb)
    assert c.wm.value("seq_len_is_cap") is False


def test_a_metric_logger_line_gives_the_epoch_s_and_the_run_s_time(kb):
    c = run_consultation("I run the code on a single node with 4 GPUs (V100) for 100 epochs; according to the log each "
                         "batch takes around 1 sec:\nEpoch: [0/100]  [4400/5004]  eta: 0:10:15  loss: 5.507585 "
                         "(7.369033)  lr: 0.000044 (0.000022)  time: 1.022257  data: 0.000111  max mem: 19499\n"
                         "Why is it slower than the paper's time?", kb=kb)
    assert (c.wm.value("epoch_steps_said"), c.wm.value("logged_iteration_seconds")) == (5004, 1.022257)
    assert c.wm.value("gpu_model") == "v100-32gb"  # (19.5 GB logged: more than the 16GB V100 holds)
    assert c.wm.value("log_epoch_seconds") == pytest.approx(5004 * 1.022257)
    assert c.wm.value("log_run_seconds") == pytest.approx(100 * 5004 * 1.022257)
    assert "finding-run-time-from-log" in [f.id for f in c.advice.findings]


def test_which_gpu_to_buy_for_a_small_model_is_what_memory_and_cards_buy(kb):
    c = run_consultation("What kind of GPU would you recommend for normal trainings? I'm using 2 RTX 3090 with 24GB and "
                         "a ~20M parameters model, and often I get close to consuming all GPU memory.", kb=kb)
    assert c.advice.findings[0].id == "finding-what-a-bigger-card-buys"
    assert c.advice.findings[0].title.startswith("Your model's states take 0.30 GiB of ")
    # an OOM with no purchase in view is not answered with one
    c = run_consultation("I'm using 2 RTX 3090 with 24GB and a ~20M parameters model and it runs out of memory.", kb=kb)
    assert "finding-what-a-bigger-card-buys" not in [f.id for f in c.advice.findings]


def test_whether_steps_count_per_gpu_is_answered(kb):
    c = run_consultation("I have some questions about counting the training_steps in 'num_training_steps'. Do you count "
                         "the training steps for each gpu? And args.batch_size indicates the per gpu batch size?", kb=kb)
    assert c.advice.findings[0].id == "finding-steps-are-counted-once-for-all-gpus"


def test_a_late_jax_oom_is_a_late_compiled_step_behind_a_flat_pool(kb):
    c = run_consultation("After ~12h of training on an RTX 3090 I get: ValueError: RESOURCE_EXHAUSTED: Out of memory "
                         "while trying to allocate 14296180248 bytes. The system metrics look stable.", kb=kb)
    assert c.wm.value("jax_named") is True
    assert c.advice.findings[0].id == "finding-jax-late-oom"
    # TensorFlow's own error is no JAX run
    c = run_consultation("ResourceExhaustedError: OOM when allocating tensor with shape[32,512,768] after some epochs",
                         kb=kb)
    assert c.wm.value("jax_named") is False


def test_a_recipe_s_accumulation_carried_to_other_gpus_is_given_for_each_count_it_may_have_run_on(kb):
    c = run_consultation("How many gpus do you use for aishell dataset? I realize the `accum_grad_n_step` argument is "
                         "set to 8 in transformer.yaml, I want to know how "
                         "many gpus do you use when you train models for this setting. Should I change it to 2 when I "
                         "use 4 gpus to reproduce your results?", kb=kb)
    assert c.advice.findings[0].id == "finding-accumulation-by-reference-gpus"
    assert c.wm.value("accum_by_reference_gpus").startswith("2 if it ran on 1 GPU, 4 if it ran on 2 GPUs, 8 if it ran on 4")
    # the recipe's GPUs said: no table of guesses
    c = run_consultation("The paper trained on 8 GPUs with accum_grad 8. I use 4 GPUs, should I change the "
                         "accumulation to reproduce your results?", kb=kb)
    assert "finding-accumulation-by-reference-gpus" not in [f.id for f in c.advice.findings]


def test_a_quoted_figure_under_the_users_card_with_an_oom_names_what_differs(kb):
    """'I read the paper as single card 17G; my single 24G RTX 3090 runs out of memory - why?' (review 60 #12, in
    Chinese): the figure is per GPU at the authors' batch per GPU - the batch, the input size and the precision
    differ, not the card."""
    for msg in ("想问一下是单卡还是多卡呢，我看论文是单卡17G，我用RTX3090 24G单卡显示爆显存，是为什么呢？",
                "The README says a single GPU needs about 16GB, but on my 24GB RTX 3090 I get CUDA out of memory. Why?"):
        c = run_consultation(msg, kb=kb)
        assert c.advice.findings[0].id == "finding-quoted-memory-below-card", msg
        assert "per GPU" in c.advice.findings[0].text
    # a figure above the card explains itself; no OOM, nothing to diagnose
    c = run_consultation("The README says a single GPU needs about 40GB, but on my 24GB RTX 3090 I get CUDA out of "
                         "memory. Why?", kb=kb)
    assert "finding-quoted-memory-below-card" not in [f.id for f in c.advice.findings]
    c = run_consultation("The README says a single GPU needs about 16GB; my RTX 3090 has 24GB. Which batch should I use?",
                         kb=kb)
    assert "finding-quoted-memory-below-card" not in [f.id for f in c.advice.findings]


@pytest.mark.parametrize("message", [
    "I'm training on 16 gpus. You mentioned that set `lr` to 2e-4 helps. May I ask if you changed the `min_lr` and "
    "`warmup_lr` as well?",
    "Going from 4 to 8 GPUs I doubled the learning rate. Should eta_min be scaled too?",
    "If I scale the LR for a bigger batch, do I need to adjust warmup_lr and min_lr?",
])
def test_the_schedules_other_lrs_asked_of_scale_with_the_peak(kb, message):
    c = run_consultation(message, kb=kb)
    assert c.advice.findings[0].id == "finding-schedule-lrs-scale-together", message


def test_a_schedules_floor_said_is_no_question_of_it(kb):
    c = run_consultation("I train with lr 1e-3, min_lr 1e-6 and warmup_lr 1e-7 on 8 GPUs, batch 128 per GPU. It OOMs "
                         "after 2 epochs.", kb=kb)
    assert "finding-schedule-lrs-scale-together" not in [f.id for f in c.advice.findings]


def test_a_time_asked_with_the_work_unknown_gets_the_gpus_rate(kb):
    """'How long did it take? Assuming Lambda Labs 8xA100 and 80gb' (review 60 #23): the model and the data unknown,
    the GPUs' rate is computed - 10^18 FLOPs at 40% of 8 × 312 TFLOP/s is about 16.7 minutes - with how to turn a
    model and data into work."""
    c = run_consultation("How long did it take?\n\nAssuming Lambda Labs 8xA100 and 80gb", kb=kb)
    assert c.wm.value("time_per_exaflop") == pytest.approx(1e18 / (8 * 312e12 * 0.4))
    assert c.advice.findings[0].id == "finding-time-is-work-over-rate"
    # the model and its tokens said: the time itself, not the rate
    c = run_consultation("How long will it take to train a 1B model on 10B tokens on 8xA100 80GB?", kb=kb)
    assert "finding-time-is-work-over-rate" not in [f.id for f in c.advice.findings]
    assert c.wm.value("training_time") > 0


def test_ppos_four_models_bound_the_model_all_the_cards_hold(kb):
    """'Does it support PPO/DPO on four 4090s? Which script? train_ppo_llama.sh runs out of memory' (review 60 #24):
    actor and critic trained, reference and reward frozen - 36 B/param over 4 × 24 GB, 8 B/param with LoRA."""
    c = run_consultation("请问支持4卡4090 PPO/DPO吗？用哪个脚本呢？train_ppo_llama.sh会OOM", kb=kb)
    total = 4 * c.wm.value("gpu_memory")
    assert c.wm.value("ppo_full_max_params") == pytest.approx(total / 36)
    assert c.wm.value("ppo_adapters_max_params") == pytest.approx(total / 8)
    assert c.advice.findings[0].id == "finding-ppo-four-models"
    # the model's size said: the plans count it (the critic finding), not this bound
    c = run_consultation("PPO of a 7B model on 4x RTX 4090 runs out of memory", kb=kb)
    assert "finding-ppo-four-models" not in [f.id for f in c.advice.findings]


def test_the_shared_gpu_memory_windows_shows_is_not_the_cards(kb):
    """'My GTX 1050 ti has 4 GB of memory (and somehow it gets another 8 GB from main memory or disk on occasion??)'
    (review 60 #6): Windows' shared GPU memory is system RAM; the run must fit the dedicated memory."""
    c = run_consultation("My GTX 1050 ti has 4 GB of memory (and somehow it gets another 8 GB from main memory or disk "
                         "on occasion??) Anyway, that's too little to run the default hyperparameters. I get out of "
                         "memory messages and then it crashes.", kb=kb)
    assert c.advice.findings[0].id == "finding-shared-gpu-memory-is-system-ram"


def test_a_blank_line_after_a_line_continuation_is_named_as_the_commands_end(kb):
    """Review 60 #18: 'CUDA_VISIBLE_DEVICES=0,1 \\ NPROC_PER_NODE=2 \\ (blank line) nohup swift sft …', one card full
    and the other at 3G - the blank line ends the command, so swift starts without its process count."""
    msg = ("单机两张3090全量微调0.5B模型，一张卡显存占满，一张只使用了3G\n\n#!/bin/bash\n\nCUDA_VISIBLE_DEVICES=0,1 \\\n"
           "NPROC_PER_NODE=2 \\\n\nnohup swift sft \\\n    --model Qwen/Qwen2.5-0.5B-Instruct \\\n    --train_type full \\\n"
           "    --per_device_train_batch_size 8 > ./log/train.log 2>&1 &\n\n数据并行的话，两张显卡显存占用是不是差得有点大")
    c = run_consultation(msg, kb=kb)
    assert c.wm.value("command_cut_by_blank_line") == "NPROC_PER_NODE=2"
    assert c.advice.findings[0].id == "finding-command-cut-by-blank-line"
    # the same command without the blank line is whole; a continuation before a closing fence is no cut
    whole = run_consultation(msg.replace("NPROC_PER_NODE=2 \\\n\n", "NPROC_PER_NODE=2 \\\n"), kb=kb)
    assert "finding-command-cut-by-blank-line" not in [f.id for f in whole.advice.findings]
    fenced = run_consultation("```\ntorchrun --nproc_per_node 2 train.py \\\n    --bf16 \\\n\n```\nOOM on 2 GPUs", kb=kb)
    assert "finding-command-cut-by-blank-line" not in [f.id for f in fenced.advice.findings]
    # nor prose after the pasted command, which a Chinese message's English view turns into English words (review 81
    # #12: the assignments prefix `swift sft` on its own line, so they reach it)
    prose = run_consultation("NPROC_PER_NODE=8 swift sft \\\n    --sft_type lora \\\n    --deepspeed default-zero2 \\\n\n"
                             "我在微调时设置 --lora_target_modules ALL，出现显存不足", kb=kb)
    assert "finding-command-cut-by-blank-line" not in [f.id for f in prose.advice.findings]
    # nor a blank line inside a quoted string whose closing quote the paste cut (review 84 #20)
    quoted = run_consultation('```\noptions=" \\\n    --train-samples ${TRAIN_SAMPLES} \\\n    --split 99,1,0 \\\n\n'
                              'torchrun --nproc_per_node 1 pretrain_model.py ${options}\n```\nWhy 165 epochs?', kb=kb)
    assert not quoted.wm.known("command_cut_by_blank_line") and not quoted.wm.known("command_cut_by_comment")


def test_memory_kept_after_deleting_a_model_names_its_references(kb):
    """'train an arbitrary model on the GPU; del model; torch.cuda.empty_cache() doesn't seem to free up any memory'
    (review 61 #18): the optimizer and other holders keep the tensors alive; empty_cache returns only unused blocks."""
    c = run_consultation("No memory being freed up when using torch.cuda.empty_cache()\nWhen training multiple models "
                         "after one another and deleting models no longer used. torch.cuda.empty_cache(), doesn't seem "
                         "to free up any memory\ntrain an arbitrary model on the GPU\ndel model\n"
                         "torch.cuda.empty_cache()", kb=kb)
    assert c.advice.findings[0].id == "finding-memory-held-by-references"
    assert "gc.collect()" in c.advice.findings[0].text


def test_a_gpu_count_asked_of_the_authors_and_a_cards_ram_are_read_as_such(kb):
    """'why do u need 2GPUs to run Qwen2.5 3B? … my 4090 is 24GB ram, it's more than enough to run a 3B model right?'
    (review 61 #9): the 2 GPUs are the recipe's, the 24GB the card's, and the user thinks of running, not training."""
    facts = read_message(kb, "why do u need 2GPUs to run Qwen2.5 3B?\nsorry if it's a stupid question. But my 4090 is "
                             "24GB ram, it's more than enough to run a 3B model right? can i use Qwen2.5 3B and change "
                             "the parameter to GPU=1?")
    assert facts["num_gpus"][0] == 1 and "cpu_ram" not in facts
    assert facts["claim_training_like_inference"][0] is True


def test_a_test_metric_that_moves_with_the_test_batch_and_a_del_that_frees_nothing(kb):
    """Review 61 #24 ('Different batch_size settings lead to different mAP when testing? … 51.3 at 8, 47.9 at 16,
    54.9 at 1') and #28 ('Why does the "del" not set the GPU memory free?' - memory_allocated unchanged)."""
    c = run_consultation("Different batch_size settings lead to different mAP when testing?\nWhen I run the testing "
                         "order with the pretrained weights the mAP is 51.3% with the default batch size of 8. Then I "
                         "changed the batch size to 16 and resulted in the mAP of 47.9. I finally changed the batch "
                         "size to 1 when testing and got the result of 54.9. Can someone explain the reason?", kb=kb)
    assert c.advice.findings[0].id == "finding-eval-depends-on-batch"
    c = run_consultation("Memory Deallocation\nI wonder how I can release the memory after the optimation has been "
                         "finished.\ndel model\ntorch.cuda.empty_cache()\nmemory_final = torch.cuda.memory_allocated()\n"
                         "Before: 39936 - after: 1725952 - final: 1725952\nWhy does the \"del\" not set the GPU memory "
                         "free?", kb=kb)
    assert c.advice.findings[0].id == "finding-memory-held-by-references"


def test_a_graphs_dense_matrix_and_full_batch_training_are_named(kb):
    """'the dimension of e is N by N, in my graph, n is about 400000 … I want to know whether batch size is useful'
    (review 61 #13): 400,000² × 4 B is 596 GiB whatever the batch; a GNN's OOM without the nodes said names
    full-graph training; a loss 'graph' (a plot) is no graph network."""
    c = run_consultation("Why batch training?\nI have a error when I run `e = Wh1 + Wh2.T` because the dimension of e "
                         "is N by N, in my graph, n is about 400000. so it takes 400000 x 40000 x 4/1024/1024/1024 GB "
                         "(about 600G). I want to know whether batch size is useful.", kb=kb)
    assert c.wm.value("graph_dense_bytes") == pytest.approx(400000 ** 2 * 4)
    assert "measured_use" not in c.wm.facts  # 1024 GB is a unit's divisor, not a size
    assert c.advice.findings[0].id == "finding-graph-dense-matrix"
    c = run_consultation("LightGCN with 300k users and 100k items runs out of GPU memory even at batch 512", kb=kb)
    assert c.advice.findings[0].id == "finding-graph-full-batch"
    c = run_consultation("The loss in my graph goes up after epoch 3 and the run OOMs at batch 64", kb=kb)
    assert c.wm.value("graph_named") is False


def test_an_oom_right_after_the_backbone_unfreezes_is_named(kb):
    """'freeze_layers … 我显卡12G的，用b3进行训练，batch分别是4和2。50epoch前训练没问题，过了50ephoch后就爆掉了' (review 61
    #19): the unfrozen phase holds the backbone's gradients, Adam's state and every layer's activations."""
    c = run_consultation("freeze_layers设置的问题\n你设置的freeze_layers是[226,328,328,373,463,565,655,802]\n我显卡12G的，"
                         "用b3进行训练，batch分别是4和2。50epoch前训练没问题，过了50ephoch后就爆掉了。", kb=kb)
    assert c.advice.findings[0].id == "finding-oom-when-the-backbone-unfreezes"
    c = run_consultation("I froze the backbone for the first 10 epochs with Freeze_Epoch=10 and it trains fine.", kb=kb)
    assert "finding-oom-when-the-backbone-unfreezes" not in [f.id for f in c.advice.findings]


def test_a_step_counted_recipe_is_no_shorter_on_more_gpus(kb):
    """'training HiFiGAN vocoder on LJSpeech, using the recipe provided. Its been running since more than a week. I am
    using 4 Tesla GPUs with 32 GB memory. May I know how much time it took for you?' (review 61 #8)."""
    c = run_consultation("training time for HiFiGAN LJSpeech\nI am training HiFIGAN vocoder on LJSpeech, using the recipe "
                         "provided. Its been running since more than a week.\nI am using 4 Tesla GPUs with 32 GB "
                         "memory\nMay I know how much time it took for you?", kb=kb)
    assert c.advice.findings[0].id == "finding-step-counted-recipe-on-more-gpus"
    assert "divide the steps by 4" in c.advice.findings[0].text


def test_nnunet_on_a_card_below_its_planning_target(kb):
    """'I am using RTX3060, 16GB RAM, 6GB VRam … nnUNet: 3d_fullres … batch_size 2, patch_size 128³ … RuntimeError'
    (review 60 #19): the 6GB after the host's RAM is the card's (the 3060 laptop's), below nnU-Net's 8 GB target."""
    c = run_consultation("RuntimeError while training\nI am using RTX3060, 16GB RAM, 6GB VRam to train the model and "
                         "received RuntimeError:\nI am running the following nnUNet: 3d_fullres\n{'batch_size': 2, "
                         "'patch_size': array([128, 128, 128])}", kb=kb)
    assert c.wm.value("gpu_model") == "rtx-3060-laptop" and c.wm.value("cpu_ram") is not None
    assert c.advice.findings[0].id == "finding-nnunet-plans-for-a-larger-card"


def test_a_screenshots_address_names_no_model(kb):
    """A screenshot's file name ('GTR-llama-7b-abc.png' in Markdown's ![](…) or HTML's <img src>) is no model of the
    user's (review 62's grading: 'takes the screenshot's URL as the model's name'); a link to a model's page is."""
    facts = read_message(kb, "My training OOMs on a 3090 at batch 1. "
                             "![Screenshot](https://user-images.githubusercontent.com/123/GTR-llama-7b-abc.png)")
    assert "params" not in facts and "model_named" not in facts
    facts = read_message(kb, 'OOM <img width="286" src="https://user-images.githubusercontent.com/llama-13b.png"> on a 3090')
    assert "params" not in facts
    facts = read_message(kb, "See https://huggingface.co/meta-llama/Llama-2-7b-hf for the model I train on a 3090")
    assert facts["model_preset"][0] == "llama-2-7b"


def test_a_long_context_to_reach_gets_its_levers_and_a_library_said_unsupported_is_not_used(kb):
    """'How to finetune with context length up to 32k as base model does (A100 80G)? … how do we finetune with much
    longer context length up to your maximum 32768 tokens? Unsloth does not support Qwen-VL also.' (review 60 #27)."""
    c = run_consultation("How to finetune with context length up to 32k as base model does (A100 80G) ?\nI have been "
                         "finetune with 4096 on A100 80G. My questions is how do we finetune with much longer context "
                         "length up to your maximum 32768 tokens ? Unsloth does not support Qwen-VL also.", kb=kb)
    assert c.wm.value("user_goal") == "fit"
    assert not c.wm.known("fused_loss") and not c.wm.known("grad_checkpointing")  # Unsloth is not what runs
    assert c.advice.findings[0].id == "finding-long-context-levers"


def test_attention_over_every_pixel_of_an_image_is_counted(kb):
    """'I am trying to calculate self attention values with large image such size 720x1280. it always make huge OOM
    error so I am trying to use XLA_PYTHON_CLIENT_MEM_FRACTION=.XX' (review 61 #25): 921,600 tokens, 3.1 TiB of scores
    per head."""
    c = run_consultation("I am trying to calculate self attention values with large image such size 720x1280. it "
                         "always make huge OOM error so I am trying to use XLA_PYTHON_CLIENT_MEM_FRACTION=.XX", kb=kb)
    assert c.wm.value("pixel_attention_tokens") == 720 * 1280
    assert c.wm.value("pixel_attention_bytes") == (720 * 1280) ** 2 * 4
    assert c.advice.findings[0].id == "finding-pixel-attention"
    c = run_consultation("Training a ViT with attention on 224x224 images at patch 16 runs out of memory at batch 512",
                         kb=kb)
    assert not c.wm.known("pixel_attention_dims")  # (a ViT's patches: its image size is no pixel attention)


def test_deits_own_lr_scaling_at_another_batch_is_named_with_the_square_root_alternative(kb):
    """'I can reproduce the reported results 81.8% with all default setting … Change batch size to 512 (default is
    1024), and learning rate is automatically scaled … increase the warmup epochs to 10 (default is 5)' (review 61
    #7): main.py ran 5e-4 at 512 (1e-3 at 1024); √ gives 7.07e-4; the warmup said is not asked."""
    c = run_consultation("Question about the convergence of the Deit-base model\nI can reproduce the reported results "
                         "81.8% with all default setting; however, the performance degrades a lot if I change two very "
                         "minor hyperparameters\n1. Change batch size to 512 (default is 1024), and learning rate is "
                         "automatically scaled based on your codes.\n2. Keep batch size to 1024 but increase the "
                         "warmup epochs to 10 (default is 5).", kb=kb)
    assert c.advice.findings[0].id == "finding-deit-batch-change"
    assert c.wm.value("deit_lr_at_batch") == pytest.approx(5e-4)
    assert c.wm.value("deit_lr_sqrt") == pytest.approx(1e-3 / 2 ** 0.5)
    assert "warmup_used" not in {q.id for q in c.advice.questions}


def test_the_models_each_rlhf_stage_holds_answer_how_many_gpus_per_stage(kb):
    """'For each of the different stages of the project (SFT, reward model training, PPO), how many GPUs should be
    used, and with how much VRAM apiece?' (review 60 #28)."""
    c = run_consultation("How many GPUs (and VRAM) to use per stage?\nFor each of the different stages of the project "
                         "(SFT, reward model training, PPO), how many GPUs should be used, and with how much VRAM "
                         "apiece?", kb=kb)
    assert c.advice.findings[0].id == "finding-rlhf-stages-hold"


def test_a_batch_recommendation_with_the_model_unsaid_is_found_by_measuring(kb):
    """'How long does it take you to train the model? I'm using a 12 GB NVIDIA TitanX GPU, could you recommend a
    proper batch size?' (review 60 #25)."""
    c = run_consultation("Batch size recommendation\nHow long does it take you to train the model?\nI'm using a 12 GB "
                         "NVIDIA TitanX GPU, could you recommend a proper batch size?", kb=kb)
    assert "batch" in c.wm.value("asked_topics")
    assert "finding-batch-is-measured" in [f.id for f in c.advice.findings][:2]


def test_the_first_call_heavier_is_its_one_off_costs(kb):
    """'gpu memory consumption and inference time is much higher for first inference than subsequent inferences'
    (review 62 #14)."""
    c = run_consultation("GPU memory consumption and inference time is higher for first inference\nIt is noticed "
                         "that gpu memory consumption and inference time is much higher for first inference than "
                         "subsequent inferences. I have set batch size = 1.", kb=kb)
    assert c.advice.findings[0].id == "finding-first-call-heavier"


def test_two_measured_peaks_without_a_card_give_the_line(kb):
    """'With a batch size 8, the total GPU memory used is around 4G … increased to 16 … around 6G. The model itself
    takes about 2G' (review 62 #5): 2 GB fixed + 0.25 GB a sample, and the model's size is not a use."""
    c = run_consultation("Relationship between GPU Memory Usage and Batch Size\nI wonder does the GPU memory usage "
                         "rough has a linear relationship with the batch size used in training? I was fine tune "
                         "ResNet152. With a batch size 8, the total GPU memory used is around 4G and when the batch "
                         "size is increased to 16 for training, the total GPU memory used is around 6G. The model "
                         "itself takes about 2G.", kb=kb)
    assert c.wm.value("fit_fixed") == pytest.approx(2e9) and c.wm.value("fit_per_sample") == pytest.approx(0.25e9)
    assert c.wm.value("model_bytes_said") == pytest.approx(2e9)
    assert "measured-line-unbounded" in [f.id for f in c.advice.findings]


def test_a_node_total_said_with_the_card_is_so_many_cards(kb):
    """'a node of A100-80gb (640gb vram)' (review 63 #1): eight cards of 80 GB, not one of 640."""
    values = read_message(kb, "When tested locally with a node of A100-80gb (640gb vram) + ds z3 cpu offload, I "
                              "still can't run a 7b model")
    assert values["num_gpus"][0] == 8 and values["gpu_memory"][0] == 80 * 2**30


def test_an_epoch_in_steps_said_in_chinese_gives_the_batch_per_update(kb):
    """'数据集有29450条，batch_size=1 … 为什么训练一个epoch使用约1800steps' (review 64 #3): about 16 a step."""
    c = run_consultation("请问在微调中我们使用的数据集有29450条，batch_size=1, 为什么训练一个epoch使用约1800steps?", kb=kb)
    assert c.wm.value("dataset_size") == 29450 and c.wm.value("epoch_steps_said") == 1800
    assert c.wm.value("batch_from_steps") == 16 and c.advice.findings[0].id == "finding-batch-from-steps"


def test_a_recipes_steps_are_held_against_the_data_set(kb):
    """'trained using RL for only 1k steps with 4 GPUs … if the batch size per GPU is 1, only 4k QA pairs are used …
    the dataset consists of 165k QA pairs' (review 64 #30)."""
    c = run_consultation("In the paper, the model is trained using RL for only 1k steps with 4 GPUs. In my "
                         "understanding, if the batch size per GPU is 1, only 4k QA pairs are used as training data. "
                         "However, the RL training dataset consists of 165k QA pairs. How can I set the RL training "
                         "steps to 1k?", kb=kb)
    assert c.wm.value("ref_steps_samples") == 4000
    assert c.wm.value("ref_steps_epochs") == pytest.approx(4000 / 165000)
    assert c.advice.findings[0].id == "finding-reference-steps-over-data"


def test_two_logs_with_different_steps_an_epoch_show_fewer_larger_updates(kb):
    """'the distributed did not perform as well … Step [100/150] … normal version Step [100/600]' (review 64 #5)."""
    c = run_consultation("Model trained by DistributedDataParallel didn't perform as well as single GPU\nthe log of "
                         "distributed verision:\nEpoch [1/2], Step [100/150], Loss: 2.1133\nEpoch [2/2], Step "
                         "[100/150], Loss: 1.9204\nthe log of normal version\nEpoch [1/2], Step [100/600], Loss: "
                         "2.1626\nEpoch [1/2], Step [200/600], Loss: 1.9929\nEpoch [2/2], Step [600/600], Loss: 1.1246",
                         kb=kb)
    assert c.wm.value("logged_steps_ratio") == 4
    assert c.advice.findings[0].id == "finding-logged-fewer-updates"


def test_an_image_generators_batch_count_costs_time_not_memory(kb):
    """'A high batch count number eventually chokes the VRAM … batch size of 4, 512x512 txt to image' (review 63
    #5)."""
    c = run_consultation("A high batch count number eventually chokes the VRAM. I run the webui with --medvram on a "
                         "6GB card: batch size of 4, 512x512 txt2img, and with batch count 16 it runs out of memory.",
                         kb=kb)
    assert c.advice.findings[0].id == "finding-image-generation-batch"


def test_every_process_loading_the_whole_model_counts_the_hosts_ram(kb):
    """'8 processes responsible for FSDP all try to load the full model, causing the CPU memory usage pike to over
    1T' (review 62 #28)."""
    c = run_consultation("I am trying to load llama 2 70B using FSDP onto 8 GPUs on a node. It appears that 8 "
                         "processes responsible for FSDP all try to load the full model, causing the CPU memory usage "
                         "pike to over 1T.", kb=kb)
    assert c.advice.findings[0].id == "finding-host-copy-per-process"
    assert c.wm.value("host_load_ranks") == 8


def test_a_readmes_steps_at_its_batch_are_a_share_of_an_epoch(kb):
    """'you set batch size=128, the number of the whole training set is 39291958 … while you just put 1e5 iters
    results on ReadMe' (review 63 #14): 12.8M samples, a third of an epoch."""
    c = run_consultation("OK. I see you set batch size=128, the number of the whole training set is 39291958, so I "
                         "will need 39291958/128=306968 iters to iterate over the training set once, while you just "
                         "put 1e5 iters results of Criteo on ReadMe. right?", kb=kb)
    assert c.wm.value("dataset_size") == 39291958 and c.wm.value("ref_steps_samples") == 12_800_000
    assert c.advice.findings[0].id == "finding-reference-steps-over-data"


def test_a_framework_taking_all_the_memory_is_its_pool(kb):
    """'Loading small with float16 precision works but takes all my 24 GB VRAM. Is there any way to limit Jax memory
    usage?' (review 64 #29)."""
    c = run_consultation("CUDA out of memory\nTrying to load medium or large model, I get out of memory errors. "
                         "Loading small with float16 precision works but takes all my 24 GB VRAM. Is there any way to "
                         "limit Jax memory usage?", kb=kb)
    assert c.advice.findings[0].id == "finding-framework-preallocates"


def test_a_question_about_inference_batch_asks_nothing_of_training(kb):
    """'whether nnU-Net uses the same batch size as in training during inference. Does increasing the batch size make
    the inference faster?' (review 64 #13): no epochs, no optimizer or data-loader questions."""
    c = run_consultation("Batch size at inference\nI am just curious whether nnU-Net uses the same batch size as in "
                         "training during inference. Does increasing the batch size (provided that the GPU can handle "
                         "it) make the inference faster?", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert "finding-nnunet-fixed-epoch" not in ids and ids
    assert not {"optimizer", "precision", "data_loader_bound"} & {q.id for q in c.advice.questions}


@pytest.mark.parametrize("message, gpus", [
    ("Hardware: 64GB ram + RTX 4090 (24GB gpu RAM). ZeRO-3 offload of a 3B model fails.", None),  # (DeepSpeed's)
    ("Hardware: 64GB ram + RTX 4090 (24GB gpu RAM). Fine-tuning a 3B model runs out of memory.", 1),
    ("Fine-tuning a 3B model on A100 40GB GPUs runs out of memory.", None),
    ("Fine-tuning a 3B model on multiple H100 GPUs runs out of memory.", None),
    ("Fine-tuning a 3B model on our A100s runs out of memory.", None),
    ("OOM when trying to train with the Tesla V100(32G) GPU x 4.", 4),
])
def test_one_card_named_in_the_singular_is_a_run_on_it(kb, message, gpus):
    """A card named once, in the singular, with nothing of several GPUs, a launcher or sharding, is not asked about
    (review 64 #28); plurals, 'multiple' and DeepSpeed leave the count open; 'GPU x 4' counts (review 63 #2)."""
    values = read_message(kb, message)
    assert values.get("num_gpus", (None,))[0] == gpus


def test_ru_maxrss_is_read_as_a_peak_not_a_leak(kb):
    """'print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) … in each epoch the memory usage is increasing'
    (review 63 #16)."""
    c = run_consultation("Memory leak during keras training\nI add a simple callback to check the memory usage at the "
                         "end of each epoch and I see that in each epoch the memory usage is increasing.\nclass "
                         "MemoryCallback(Callback):\n    def on_epoch_end(self, epoch, log={}):\n        "
                         "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)", kb=kb)
    assert c.advice.findings[0].id == "finding-maxrss-is-a-peak"


def test_an_idle_gpu_is_too_little_work_or_a_waiting_batch(kb):
    """'with this loader, the model trains very slow and the gpu consumption is only 2%' (review 64 #10)."""
    c = run_consultation("DataLoader is slow\nloader = DataLoader(data_list, batch_size=32)\nBut with this loader, the "
                         "model trains very slow and the gpu consumption is only 2%. I doubt if it's because "
                         "DataLoader runs slow?", kb=kb)
    assert c.wm.value("gpu_utilization") == 2
    assert c.advice.findings[0].id == "finding-gpu-mostly-idle"


def test_fewer_steps_by_no_whole_factor_are_fewer_examples(kb):
    """'The progress bar says 489 total steps. But the training set contains 8861 samples. With batch size = 4 and
    accumulation 4, and 3 epochs, that should be 1661' (review 63 #4): 3.4×, packing - not GPUs or accumulation."""
    c = run_consultation("The progress bar says 489 total steps. But the training set contains 8861 samples. With "
                         "batch size = 4 and accumulation 4, and 3 epochs on one GPU, that should be (8861 * 3) / "
                         "(4 * 4) = 1661.4. Is my calculation incorrect?", kb=kb)
    assert c.wm.value("total_updates_said") == 489
    assert c.wm.value("steps_said_ratio") == pytest.approx(c.wm.value("total_updates") / 489)
    assert not c.wm.known("steps_said_fraction")
    assert c.advice.findings[0].id == "finding-steps-said-fewer-by-no-whole-factor"


def test_packed_steps_count_packs_not_examples(kb):
    """Review 84 #16: `--packing true --max_length 8192`, 7,144 samples, global batch 64 on one data-parallel copy,
    and the run finishes after 26 steps - each pack holds about 111 / 26 examples."""
    message = ("NPROC_PER_NODE=8 megatron sft --tensor_model_parallel_size 8 --micro_batch_size 1 --global_batch_size 64 "
               "--packing true "
               "--max_epochs 1 --max_length 8192. My training dataset has 7,144 samples, and I set global_batch_size "
               "to 64. Why does the training finish after 26 steps?")
    c = run_consultation(message, kb=kb)
    assert c.wm.value("packing") is True and c.wm.value("total_updates_said") == 26
    assert c.wm.value("steps_said_ratio") == pytest.approx(c.wm.value("total_updates") / 26)
    assert c.advice.findings[0].id == "finding-packed-steps"
    assert "finding-steps-said-fewer-by-no-whole-factor" not in [f.id for f in c.advice.findings]
    unpacked = run_consultation(message.replace("--packing true ", ""), kb=kb)
    assert unpacked.advice.findings[0].id == "finding-steps-said-fewer-by-no-whole-factor"


@pytest.mark.parametrize("said, seconds", [("1 hour 20 minutes", 4800), ("1h20m", 4800), ("2 hours and 30 minutes", 9000),
                                           ("3 hours", 10800)])
def test_an_epochs_time_of_two_parts_is_read_whole(kb, said, seconds):
    """'for the first epoch ETA is 1 hour 20 minutes' (review 64 #16) was read as one hour."""
    assert read_message(kb, f"For the first epoch ETA is {said}.")["epoch_seconds"][0] == seconds
    assert read_message(kb, f"One epoch takes {said}.")["epoch_seconds"][0] == seconds


def test_several_gpus_driven_by_one_python_process_are_named_when_too_slow(kb):
    """'python train.py … --batch-size 20 … 5x Quadro RTX 6000 … the whole training time would amount to >18 days'
    (review 64 #16): one process is DataParallel."""
    c = run_consultation("I run training as the following: `python train.py --data data/coco.yaml --batch-size 20`\nMy "
                         "setup is: 5x Quadro RTX 6000\nAnd for the first epoch ETA is 1 hour 20 minutes! So the whole "
                         "training time would amount to >18 days! Is there something wrong here?", kb=kb)
    assert c.advice.findings[0].id == "finding-gpu0-dataparallel"
    assert c.wm.value("epoch_seconds") == 4800


def test_a_run_that_trains_a_model_too_big_for_a_full_finetune_is_not_one(kb):
    """'one epoch of finetuning with llama-30b. On a 4090 looks like it will take roughly 4 hours … roughly 30 minutes
    into training' (review 64 #20): 65 GB of 16-bit weights on a 24 GB card train only as adapters or offloaded."""
    c = run_consultation("Have just been trying to run one epoch of finetuning with llama-30b. On a 4090 looks like it "
                         "will take roughly 4 hours. With the setting MICRO_BATCH_SIZE = 2. The loss already converged "
                         "to ~1 within epoch 0.15 (roughly 30 minutes into training).", kb=kb)
    assert c.wm.value("claim_run_fits") is True and c.wm.value("current_duration") == 4 * 3600
    assert c.advice.findings[0].id == "finding-run-fits-so-not-full-finetune"
    assert c.wm.value("run_weights_16bit_share") > 2


def test_settings_that_fit_the_recipes_data_and_not_yours_point_at_the_lengths(kb):
    """'When training a model with my own dataset (>10k hours), I run out of memory … the configs work for
    librispeech' (review 64 #26) - and a folder named espnet in a path names no ESPnet."""
    c = run_consultation("When training a model with my own dataset (>10k hours), I run out of memory on my GPU. I'm "
                         "using 8 tesla A100 GPUs (40gb memory each).\nModel should have trained as expected because "
                         "the configs work for librispeech.\n  File \"/espnet/tools/anaconda/envs/wenet/lib/python3.8/"
                         "site-packages/torch/nn/parallel/distributed.py\", line 888, in forward", kb=kb)
    assert c.advice.findings[0].id == "finding-own-data-longer-samples"
    assert not c.wm.value("espnet_named")


def test_the_same_step_failing_every_run_is_the_same_batch(kb):
    """'it always show CUDA out of memory when training step and always stop in same train iter (247)' (review 64
    #24)."""
    c = run_consultation("I trained my model with two GPU by DDP(), it's work well. But today it always show CUDA out "
                         "of memory when training step and always stop in same train iter (247).", kb=kb)
    assert c.advice.findings[0].id == "finding-oom-same-step-each-run"


def test_darknets_memory_is_a_mini_batch_at_the_networks_size(kb):
    """'batchsize=32, sub-divisions : 4, resolution : 608x608 -> CUDA Error … Are there any rules for allocate the
    GPU's memory for image resolution, batchsize and sub-batchsize?' (review 63 #2)."""
    c = run_consultation("Yolov4 darknet: I got CUDA Error : out of Memory with the Tesla V100(32G) GPU x 4.\nCase1 : "
                         "batchsize=32, sub-divisions : 4, resolution : 512x512 works\nAre there any rules for allocate "
                         "the GPU's memory for image resolution, batchsize and sub-batchsize?", kb=kb)
    assert c.wm.value("num_gpus") == 4 and c.wm.value("grad_accum_steps") == 4
    assert c.advice.findings[0].id == "finding-darknet-memory"


def test_a_failed_tensor_whose_one_image_is_gigabytes_points_at_the_image_size(kb):
    """'OOM when allocating tensor with shape[5,64,4890,4890] and type float' (review 64 #25): 5.7 GiB an image."""
    c = run_consultation("Keep getting this error while training my model\nResourceExhaustedError:  OOM when allocating "
                         "tensor with shape[5,64,4890,4890] and type float on /job:localhost/replica:0/task:0/device:"
                         "GPU:0 by allocator GPU_0_bfc", kb=kb)
    assert c.wm.value("oom_tensor_per_image") == pytest.approx(64 * 4890 * 4890 * 4)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-oom-tensor-image-too-large" and "finding-oom-tensor-image-batch" not in ids


def test_a_references_epochs_for_the_same_iterations_give_its_batch(kb):
    """'when my max_iters=40000, the epoch = 27, but the release in official epoch is 108' (review 64 #6)."""
    c = run_consultation("I'm a fresher in mmseg. I check the log in official, and found something is different with "
                         "mine: As the script, we choose the max_iters=40000, but I found when my max_iters=40000, the "
                         "epoch = 27, but the release in official epoch is 108. Is this problem? and how to fix it?",
                         kb=kb)
    assert c.wm.value("reference_epochs_ratio") == 4
    assert c.advice.findings[0].id == "finding-reference-epochs-ratio"


def test_speeding_up_inference_is_a_run_to_predict_though_training_is_named(kb):
    """'Speeding up inference … Inference takes about 1 second / image … Trainer.test() … only be used during
    training' (review 63 #7): no training question, no training lever."""
    c = run_consultation("Speeding up inference\nI have a working 101-layer TridentNet model and I want to run a large "
                         "number of (500 x 500) images through it. Inference takes about 1 second / image on a GPU. "
                         "I've tried using inference_on_model(), Trainer.test(), as well as DefaultPredictor(). I "
                         "haven't yet gotten inference working on multiple GPUs but it seems that multiple GPUs will "
                         "only be used during training.", kb=kb)
    assert c.wm.value("generation_run") is True
    assert not {"num_gpus", "optimizer", "precision"} & {q.id for q in c.advice.questions}
    assert "mixed-precision" not in [o.id for o in c.advice.options]


def test_a_slower_call_at_a_larger_inference_batch_is_answered_in_throughput(kb):
    """'as batch_size increases, inference time also increases' with TEI (review 63 #23)."""
    c = run_consultation("As batch_size increases, the inference time lengthens\nAuthor, I was testing TEI and found "
                         "that as batch_size increases, inference time also increases.", kb=kb)
    assert c.advice.findings[0].id == "finding-batch-latency-against-throughput"


def test_a_batch_finders_batch_that_fills_host_ram_is_its_prefetch(kb):
    """'scale_batch_size finds very large batch sizes … preloaded by the DataLoader workers and end up eating a lot
    of ram, which eventually crashes my jobs because of OOM' (review 63 #19)."""
    c = run_consultation("Option to specify maximum batch size for scale_batch_size\nWhen my hyperparameter search "
                         "proposes very small model sizes, `scale_batch_size` finds very large batch sizes. While these "
                         "batches still fit onto the GPU, these batches get preloaded by the DataLoader workers and end "
                         "up eating a lot of ram, which eventually crashes my jobs because of OOM issues.", kb=kb)
    assert c.advice.findings[0].id == "finding-batch-finder-host-ram"


def test_an_image_models_oom_at_batch_one_is_the_image_size_not_1920_gpus(kb):
    """'当我用3090 设置图片尺寸resize为1920*1080，batchsize=1时，显存会直接爆掉' (review 64 #23): 1920*1080 is an image's
    sides (it was read as 1920 GTX 1080s), and at batch 1 an image model's lever is the input's size."""
    c = run_consultation("为什么我的显存开销非常大，这正常吗？\n当我用3090 设置图片尺寸resize为1920*1080，batchsize=1时，显存会直接"
                         "爆掉，请问我该如何解决这个问题？", kb=kb)
    assert c.wm.value("num_gpus") == 1 and c.wm.value("gpu_model") == "rtx-3090"
    assert c.advice.findings[0].id == "finding-oom-at-batch-one-image"


def test_a_quantized_load_measured_at_16_bits_size_was_not_quantized(kb):
    """'load_in_8bit = True … Leads to ~6.2GB of VRAM consumption on Kaggle, when it should be a little more than half
    that' (review 64 #18): 6.2 GB for 3.2B parameters is 1.93 bytes each."""
    c = run_consultation('[Bug] load_in_8bit uses ~16 bits of memory\nmodel, tokenizer = FastLanguageModel.'
                         'from_pretrained(model_name = "unsloth/Llama-3.2-3B-bnb-4bit", load_in_8bit = True, '
                         'load_in_4bit = False) leads to ~6.2GB of VRAM consumption on Kaggle, when it should be a '
                         'little more than half that.', kb=kb)
    assert c.wm.value("measured_use") == 6.2e9
    assert c.wm.value("measured_bytes_per_param") == pytest.approx(6.2e9 / c.wm.value("params"))
    assert c.advice.findings[0].id == "finding-quantization-not-applied"


def test_gpu_hours_over_a_clusters_gpus_are_wall_clock_only_if_all_work_at_once(kb):
    """'The 8B model is quoted as requiring 1.3M GPU hours … clusters each have 24K GPUs (24576) … only 53 hours'
    (review 64 #2)."""
    c = run_consultation("The 8B model is quoted as requiring 1.3M GPU hours of compute, which seems like a lot, but "
                         "given that your training clusters each have 24K GPUs (24576, to be precise), that would seem "
                         "to indicate that only 53 hours of pre-training would be needed if utilising an entire "
                         "cluster. What am I failing to understand here please, or is that actually correct?", kb=kb)
    assert c.wm.value("gpu_hours_wall") == pytest.approx(1.3e6 / 24576)
    assert c.advice.findings[0].id == "finding-gpu-hours-wall"


def test_a_papers_gpu_hours_over_your_gpus_against_your_runs_time(kb):
    """'the estimated time was shown as ~9 days. In the paper … roughly 440 V100 GPU hours. My setup is 8x Titan V
    GPUs' (review 65 #17): the card's digits are no count of hours, and the budget over the user's 8 GPUs is 55 h."""
    c = run_consultation("I was trying to train the Timesformer model from scratch on Kinetics-600 and the estimated "
                         "time was shown as ~9 days. In the paper it was mentioned that the training time is roughly "
                         "440 V100 GPU hours. My setup is 8x Titan V GPUs, so I assumed that the training time would "
                         "be closer to 50 hours. What am I missing here?", kb=kb)
    assert c.wm.value("gpu_hours") == 440 and c.wm.value("current_duration") == 9 * 86400
    assert c.wm.value("gpu_hours_on_yours") == pytest.approx(55 * 3600)
    assert c.wm.value("gpu_hours_slowdown") == pytest.approx(9 * 24 / 55)
    assert c.advice.findings[0].id == "finding-gpu-hours-slower-than-reported"
    # a run about as long as the budget over its GPUs raises nothing
    c = run_consultation("The paper says 440 V100 GPU hours. On 8 V100s my run takes 2.5 days.", kb=kb)
    assert c.wm.value("gpu_hours_slowdown") == pytest.approx(60 / 55)
    assert "finding-gpu-hours-slower-than-reported" not in {f.id for f in c.advice.findings}


def test_sb3s_n_steps_is_each_environments(kb):
    """'In SB3 … see the n_steps argument … if we want to collect 4000 interactions for each PPO update and there are
    10 processes, then each process needs to collect 4000 interactions. Is my understanding correct?' (review 63 #8)."""
    c = run_consultation("[Question] PPO multi-processing in SpinUp vs SB3\nIn SB3, this seem to be done differently; "
                         "see the `n_steps` argument. For example, if we want to collect 4000 interactions for each PPO "
                         "update and there are 10 processes, then each process needs to collect 4000 interactions. Is "
                         "my understanding correct?", kb=kb)
    assert c.advice.findings[0].id == "finding-sb3-n-steps-per-env"


def test_the_batch_of_an_in_batch_softmax_is_its_negatives(kb):
    """'any guidelines/references/intuition on choosing the batch size for the training data when using in-batch
    softmax loss?' (review 64 #9)."""
    c = run_consultation("Impact of training batch size for in-batch softmax loss\nHi, I was wondering if there are any "
                         "guidelines/references/intuition on choosing the batch size for the training data when using "
                         "in-batch softmax loss?", kb=kb)
    assert c.wm.value("claim_contrastive") is True
    assert c.advice.findings[0].id == "finding-contrastive-batch-choice"


def test_a_run_set_in_steps_grows_with_its_batch_and_a_librarys_comment_is_no_inference(kb):
    """Review 65 #11: denoising-diffusion-pytorch's Trainer at train_num_steps=700000, "as the batch size increases,
    the training time increases dramatically"; the config's comment "(using ddim for faster inference)" is the
    library's, not an inference of the user's."""
    c = run_consultation("I found that as the batch size increases, the training time increases dramatically.\n"
                         "diffusion = GaussianDiffusion(\n    model,\n    image_size=128,\n    sampling_timesteps=250,\n"
                         "    # number of sampling timesteps (using ddim for faster inference [see citation])\n)\n"
                         "trainer = Trainer(\n    diffusion,\n    train_batch_size=4,\n    train_num_steps=700000,  # total "
                         "training steps\n)", kb=kb)
    assert c.wm.value("planned_steps") == 700000
    assert not c.wm.known("inference_slow") or c.wm.value("inference_slow") is False
    assert c.advice.findings[0].id == "finding-run-set-in-steps-grows-with-batch"
    # the same words as the user's own wish are an inference question
    c = run_consultation("How do I get faster inference from my diffusion model on a 3090?", kb=kb)
    assert c.wm.value("inference_slow") is True


def test_keras_memory_not_handed_back_after_deleting_a_model(kb):
    """Review 65 #10: "80% my GPU memory get's full after loading pre-trained Xception … after deleting my model,
    memory doesn't get empty … K.clear_session() … Gpu properties say's 85% of memory is full": TensorFlow's pool,
    held until the process ends - no OOM, no ImageNet data set from weights='imagenet'."""
    c = run_consultation("Clearing GPU memory in Keras\n80% my GPU memory get's full after loading pre-trained Xception "
                         "model. but after deleting my model , memory doesn't get empty or flush. I've also used "
                         "K.clear_session() , gc.collect() , del model but none of them worked. Gpu properties say's 85% "
                         "of memory is full.\nbase_model = Xception(input_tensor=image_input, include_top=False, "
                         "weights='imagenet')\nGPU model and memory: Asus GTX 1060 6gb", kb=kb)
    assert c.wm.value("claim_memory_not_freed") is True and c.wm.value("tensorflow_named") is True
    assert not c.wm.known("oom") or c.wm.value("oom") is False
    assert not c.wm.known("dataset_size")
    assert c.advice.findings[0].id == "finding-framework-preallocates"
    assert "own process" in c.advice.findings[0].text


def test_ultralytics_warmup_floor(kb):
    """Review 72 #28: "batch size - 48, lr0 - 0.0001, warmap epochs - 5 … the warm-up takes 20 epochs … at 48 it only
    reaches 0.00007" - the trainer's 100-iteration floor: 5 batches an epoch, some 240 images."""
    c = run_consultation("Ultralytics YOLO Train. Hello, is this the correct work of changing the learning rate? My "
                         "parameters batch size - 48, lr0 - 0.0001, lrf - 0.1, warmap epochs - 5. I expect that after 5 "
                         "epochs there will be lr 0.0001. However, the warm-up takes 20 epochs, why does it not take my "
                         "value but takes it based on nbs?", kb=kb)
    assert c.wm.value("warmup_epochs") == 5 and c.wm.value("warmup_epochs_seen") == 20
    assert c.wm.value("ultralytics_warmup_images") == 240
    assert c.advice.findings[0].id == "finding-ultralytics-warmup-floor"


@pytest.mark.parametrize("message", [
    "What GPU do I need to run Llama-2-13B?",
    "System Requirements for Running DeepSeek Coder Models. What are the minimum system configurations required (RAM, "
    "GPU memory, VRAM) to run deepseek-coder-6.7b-base for inference? Fine-tuning? Can it run on consumer GPUs (e.g., "
    "RTX 3060, RTX 4060 with 8-12 GB VRAM)?",
])
def test_requirements_by_use_before_any_plan(kb, message):
    """Review 74 #23: a model's requirements asked with no way of using it chosen - its weights at 16, 8 and 4 bits
    (inference, LoRA's and QLoRA's bases) and a full fine-tune's 16 bytes a parameter lead, not a full fine-tune's
    plan alone."""
    c = run_consultation(message, kb=kb)
    params = c.wm.value("params")
    assert c.advice.findings[0].id == "finding-requirements-by-use"
    assert c.wm.value("need_weights_16bit") == pytest.approx(params * 2)
    assert c.wm.value("need_weights_4bit") == pytest.approx(params * 0.5)
    assert c.wm.value("need_full_states") == pytest.approx(params * 16)


def test_no_requirements_table_for_a_chosen_way(kb):
    c = run_consultation("QLoRA of Llama-2-13B on a 24GB 3090 at seq 2048, batch 4: will it fit?", kb=kb)
    assert not c.wm.known("need_full_states")


def test_a_tools_memory_for_each_batch_item(kb):
    """Review 73 #20: "the RECOGNITION_BATCH_SIZE is by default set to 256, as each batch item would occupy 50 mb in
    GPU VRAM" - 256 × 50 MB = 12.8 GB for the batch alone, beside the model."""
    c = run_consultation("As mentionned in the README section, the **RECOGNITION_BATCH_SIZE** is by default set to "
                         "**256**, as each batch item would occupy **50 mb** in GPU VRAM. However, after only using Surya "
                         "OCR on **4 images**, the occupied GPU Memory is **15 GB**. As soon as I use **5 images** I get "
                         "an **OOM**.", kb=kb)
    assert c.wm.value("items_batch_bytes") == pytest.approx(256 * 50e6)
    assert c.advice.findings[0].title == "256 items × 50.00 MB each is 12.80 GB for the batch alone"
    found = read_message(kb, "Each batch item uses 50MB of VRAM and RECOGNITION_BATCH_SIZE is 256 on my 12GB RTX 3060")
    assert found["items_batch"][0] == 256 and "measured_use" not in found


def test_numpy_cannot_allocate_one_array_whatever_the_batch(kb):
    """Review 75 #26: "MemoryError: Unable to allocate 315. GiB for an array with shape (10000, 100, 84480) and data
    type float32 … even with batch_size=1": 10,000 × 100 × 84,480 × 4 B = 314.71 GiB of host RAM, set by the shape."""
    message = ("I flattened the observation to (84480). MemoryError: Unable to allocate 315. GiB for an array with "
               "shape (10000, 100, 84480) and data type {dtype}. I still get it with runner.train(n_epochs=1, "
               "batch_size=1). Why does batch_size=1 not change the allocation?")
    c = run_consultation(message.format(dtype="float32"), kb=kb)
    assert c.wm.value("numpy_alloc_bytes") == 10000 * 100 * 84480 * 4
    assert c.advice.findings[0].id == "finding-numpy-array-allocated-whole"
    assert "314.71 GiB" in c.advice.findings[0].title
    assert run_consultation(message.format(dtype="uint8"), kb=kb).wm.value("numpy_alloc_bytes") == 10000 * 100 * 84480


@pytest.mark.parametrize("settings, event", [
    ("--save_steps 200 --eval_steps 500", "checkpoint save"),
    ("--save_steps 500 --eval_steps 100", "evaluation"),  # (200 is evaluation's 2nd, no save's)
    ("--save_steps 500 --eval_steps 300", None),  # (neither falls on 200)
])
def test_an_oom_at_the_step_a_save_or_an_evaluation_falls_on(kb, settings, event):
    """Review 75 #1: a 0.6B ASR fine-tune "OOMs after 200 steps … --save_steps 200": the step it dies at is the save's,
    so what ran out is that event's memory, not the training steps' - and the step is no question of what was learnt."""
    c = run_consultation(f"Fine-tuning on a single A40 48GB, batch size 8, I get an OOM error after 200 steps. "
                         f"{settings}. Why only after 200 steps instead of at the start?", kb=kb)
    ids = [f.id for f in c.advice.findings]
    if event is None:
        assert not c.wm.known("oom_step_event") and "finding-oom-at-a-periodic-event" not in ids
        return
    assert c.wm.value("oom_step_event") == event and ids[0] == "finding-oom-at-a-periodic-event"
    assert "finding-step-in-epochs" not in ids


def test_memory_flat_then_a_jump_is_no_leak(kb):
    """Review 75 #2: "it sits at 35-40% until about epoch 2 or 3, then jumps to 100% and goes OOM. Is there a memory
    leak?": a level held for epochs, then one jump, is an event or a longer batch - the first finding says so."""
    c = run_consultation("I keep getting OOM when fine-tuning XTTS. I have 12GB of VRAM. Watching VRAM in nvtop, it sits "
                         "at 35-40% until about epoch 2 or 3, then jumps to 100% and goes OOM. Is there a memory leak? "
                         "Batch size 2, grad accumulation 2.", kb=kb)
    assert c.advice.findings[0].id == "finding-memory-jumps-after-flat"


def test_mocos_negatives_come_from_its_queue(kb):
    """Review 75 #17: MoCo v2 pretraining on 8 A40s (PyTorch 1.7.0) at 45% top-1: its negatives are a queue of past
    keys, so the in-batch-negatives answers stay away; the learning rate and the recipe's total batch are what to
    match. A ResNet's run on an old PyTorch has no eager attention to read."""
    c = run_consultation("I pretrained MoCo v2 (ResNet-50) on ImageNet with 8 A40 GPUs, batch 256, 200 epochs, "
                         "PyTorch 1.7.0, and the linear probe gets 45% top-1 instead of 67.5%.", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert "finding-moco-queue-negatives" in ids[:2] and not c.wm.known("attention")
    assert not any(i.startswith("finding-contrastive") for i in ids)
    c = run_consultation("MoCo v3 ViT-B pretraining at batch 4096 on 16 GPUs, 256 per GPU", kb=kb)
    assert "finding-moco-queue-negatives" not in [f.id for f in c.advice.findings]


def test_why_mixed_precision_counts_six_bytes_a_weight(kb):
    """Review 78 #4: "4 bytes * number of parameters for fp32 training, 6 bytes * number of parameters for mixed
    precision training … why for mixed precision we have 2 bytes more? Can't we just always compute fp16 format
    whenever needed from fp32?" - answered, not a template asking for the GPU and the model."""
    from advisor.consultation import run_consultation
    c = run_consultation("Model Weights: 4 bytes * number of parameters for fp32 training, 6 bytes * number of "
                         "parameters for mixed precision training. My question is why for mixed precision we have 2 "
                         "bytes more? Can't we just always compute fp16 format whenever needed from fp32?", kb=kb)
    assert c.advice.findings[0].id == "finding-why-16bit-weight-copy"
    c = run_consultation("I train in mixed precision on a 3090 with batch 8", kb=kb)
    assert "finding-why-16bit-weight-copy" not in [f.id for f in c.advice.findings]


def test_the_batch_the_finder_kept_is_the_runs_micro_batch(kb):
    """Review 81 #28: auto_find_batch_size printed "Currently training with a batch size of: 2" above the banner's
    "Instantaneous batch size per device = 16" (the argument asked for): the run trains at 2, so with 8 accumulation
    steps and a total of 64 it runs 4 processes, and 21,347 examples make 333 updates an epoch."""
    c = run_consultation("4x A100 40GB\n```\nCurrently training with a batch size of: 2\n***** Running training *****\n"
                         "  Num examples = 21,347\n  Num Epochs = 151\n  Instantaneous batch size per device = 16\n"
                         "  Total train batch size (w. parallel, distributed & accumulation) = 64\n"
                         "  Gradient Accumulation steps = 8\n```", kb=kb)
    assert c.wm.value("micro_batch") == 2 and c.wm.value("num_gpus") == 4 and c.wm.value("effective_batch") == 64


def test_blip2_trains_its_qformer_and_the_vit_unless_frozen(kb):
    """Review 81 #4: BLIP-2 on a 3090 runs out of memory at batch 1 until freeze_vit is True - it trains the
    Q-Former (and the ViT-g unless frozen), so no full fine-tune of 2.7B is counted, and a config's `num_beams: 3`
    is no evaluation to blame for an OOM in training."""
    c = run_consultation("I fine-tune BLIP2 on my own dataset on a 3090 GPU with 24GB memory. It shows Cuda "
                         "out-of-memory error even with setting batch size as 1. After setting freeze_vit to True the "
                         "error goes away. Is it ok to fine-tune the model by freezing the vit?\nmodel:\n  arch: "
                         "blip2_opt\n  model_type: caption_coco_opt2.7b\n  freeze_vit: False\nrun:\n  num_beams: 3\n",
                         kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-blip2-trains-qformer" and "finding-eval-generation-beams" not in ids
    assert not c.wm.known("plan_current_per_gpu")


def test_one_checkpoint_around_the_whole_model_is_named(kb):
    """Review 82 #5: `model = checkpoint_wrapper(model)` around an 8-layer MLP, memory profiled at different steps:
    one checkpoint segment recomputes the whole forward inside the backward, so the peak stays - and profiling at
    different steps is no OOM at random steps."""
    c = run_consultation("I profile activation checkpointing on a feedforward network:\n    model = FeedForward(1024, "
                         "4096, 8).cuda()\n    model = checkpoint_wrapper(model)\nPeak memory after backward is the "
                         "same as without it. I print the memory usage at different steps.", kb=kb)
    assert c.advice.findings[0].id == "finding-checkpoint-whole-model"
    assert not c.wm.value("claim_random_oom")
    per_block = run_consultation("apply_activation_checkpointing(model, checkpoint_wrapper_fn=checkpoint_wrapper, "
                                 "check_fn=lambda m: isinstance(m, Block)) - peak memory is still high", kb=kb)
    assert "finding-checkpoint-whole-model" not in [f.id for f in per_block.advice.findings]


def test_a_batch_too_large_for_each_gpu_is_the_total(kb):
    """Review 81 #13: "I used 14400 batch size on 48 A100-40GB" - each GPU's 14400 would make 691,200 samples an
    update, so it is the total (300 a GPU); "batch 64 on 4 GPUs" stays a question."""
    c = run_consultation("I used 14400 batch size on 48 A100-40GB with SigLIP; it takes 33.5G on each GPU.", kb=kb)
    assert c.wm.value("batch_size") == 14400 and not c.wm.known("batch_unqualified")
    c = run_consultation("batch 64 on 4 GPUs, OOM", kb=kb)
    assert c.wm.value("batch_unqualified") == 64


def test_a_precision_the_user_corrects_is_the_runs(kb):
    """Review 81 #19: "I use fp16 and with offload off … Sorry, it is bf16." - the correction is the run's precision."""
    c = run_consultation("I use 4 A40 48G to finetune FLAN-T5-XXL, OOM with batch_size = 1 per GPU. I use fp16 and "
                         "with offload off.\n\nSorry, it is bf16.", kb=kb)
    assert c.wm.value("precision") == "amp_bf16"
    assert run_consultation("I use 4 A40 48G to finetune FLAN-T5-XXL with fp16.", kb=kb).wm.value("precision") == "amp_fp16"


def test_deepspeeds_batch_assertion_names_the_world_size_it_saw(kb):
    """Review 86 #1: "9 != 1 * 3 * 1" on three Ray workers - DeepSpeed saw one process, so the workers never joined a
    group (editing the numbers would train three copies); a config whose numbers disagree gets their product."""
    c = run_consultation("AssertionError: Check batch related parameters. train_batch_size is not equal to "
                         "micro_batch_per_gpu * gradient_acc_step * world_size 9 != 1 * 3 * 1. Run on a Ray cluster "
                         "with 3 nodes, each hosting 1 NVIDIA GPU A100 (40GB). I'm using ZeRO stage 3.", kb=kb)
    assert (c.wm.value("deepspeed_world_size_seen"), c.wm.value("num_gpus")) == (1, 3)
    assert c.advice.findings[0].id == "finding-deepspeed-world-size-seen"
    mismatch = run_consultation("train_batch_size is not equal to micro_batch_per_gpu * gradient_acc_step * "
                                "world_size 32 != 4 * 4 * 4 with deepspeed on 4 GPUs", kb=kb)
    assert mismatch.wm.value("deepspeed_batch_product") == 64
    assert mismatch.advice.findings[0].id == "finding-deepspeed-batch-mismatch"


def test_the_users_lr_is_held_against_the_references_scaled(kb):
    """Review 85 #23: the official 4e-3 at 4096, the user's 4e-2 at 1024 - 40× the linear rule's 1e-3."""
    c = run_consultation("The official recipe uses lr 4e-3 at batch 4096; I train with batch 1024 and --lr 4e-2 and "
                         "the loss stays at 0.69", kb=kb)
    assert (c.wm.value("base_lr"), c.wm.value("user_lr")) == (0.004, 0.04)
    assert c.wm.value("user_lr_ratio") == pytest.approx(40)
    assert c.advice.findings[0].id == "finding-user-lr-off-the-rules"
    agrees = run_consultation("The docs use lr 0.02 for 8 GPUs x 2 img/gpu; I set lr=0.01 for 4 GPUs x 2 img/gpu. "
                              "Is that right?", kb=kb)
    assert "finding-user-lr-by-the-rules" in [f.id for f in agrees.advice.findings]


def test_t5s_nan_under_fp16_is_its_overflow(kb):
    """Review 85 #8: mT5-small's NaN loss in the summarization notebook is fp16's range, not the batch."""
    c = run_consultation("I am using mT5-small on the official summarization notebook. When trained, the model gets "
                         "nan loss values; the same settings work fine with t5-small. training_loss=nan", kb=kb)
    assert c.advice.findings[0].id == "finding-t5-fp16-overflow"


def test_an_fp32_run_on_volta_slower_than_the_readme(kb):
    """Review 85 #4: 80 min for BERT-base on SQuAD on a V100 against the README's 24 - no --fp16 said."""
    c = run_consultation("80min training time to fine-tune BERT-base on the SQuAD dataset instead of 24min? I used "
                         "the README's command on a single Tesla V100 16GB: python run_squad.py --bert_model "
                         "bert-base-uncased --train_batch_size 12 --max_seq_length 384", kb=kb)
    assert c.wm.value("claim_slower_than_reference")
    assert c.advice.findings[0].id == "finding-fp32-on-fp16-tensor-cores"


def test_a_card_mostly_free_asked_to_go_faster(kb):
    """Review 85 #17: 4,5 GB used of a 15 GB card, "is there a way to fully load the GPU to speed up?" - no count at a
    micro-batch the user never said is held against it."""
    c = run_consultation("I'm working on a google cloud instance with a GPU with 15 GB of available memory. roberta-base "
                         "uses 4,5 GB memory. Is there a way to fully load the GPU to speed up a process?", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-card-mostly-free-measured" and "finding-count-above-measured" not in ids


@pytest.mark.parametrize("message, first", [
    # review 87 #8: the extra memory of a synchronised BatchNorm
    ("After I apply sync batch norm it consumes more GPU memory than normal batch norm: on 3 GPUs with a "
     "deeplab-resnet it uses about 30-40% more.", "finding-syncbn-memory"),
    # review 88 #6: MPS's watermark
    ("Fine-tuning with the Trainer on MPS dies in backward: RuntimeError: MPS backend out of memory (MPS allocated: "
     "11.14 GB, other allocations: 6.65 GB, max allowed: 18.13 GB). Tried to allocate 375.40 MB on private pool.",
     "finding-mps-watermark"),
    # review 88 #14: mixed precision on a card without Tensor Cores
    ("Do I need tensor cores to benefit from Mixed-Precision training? Does it give any benefit on GTX cards?",
     "finding-amp-no-speedup"),
    # review 87 #1: DDP expected to split the batch
    ("Bug: DDP strategy does not automatically shard batch sizes. Each GPU processes the full batch size I set in the "
     "DataLoader instead of batch_size / num_gpus. (Lightning 2.5)", "finding-batch-per-gpu-under-ddp"),
    # review 88 #28: a second card for a larger batch
    ("Will adding a second (non nvlink) gpu allow larger batch sizes?", "finding-more-gpus-same-per-gpu-batch"),
    # review 88 #23: DreamBooth's prior preservation
    ("I'm using a T4 on free Colab. When I start training dreambooth it gives me a CUDA out of memory error; it "
     "happens when I activate prior_preservation.", "finding-prior-preservation-doubles-batch"),
    # review 87 #3: Lightning's batch-size finder
    ("I get a torch.cuda.OutOfMemoryError after using tuner.scale_batch_size() with mode='binsearch'. With "
     "mode='power' I can train with the batch size it finds. GPU is an RTX 6000 Ada with 48GB.",
     "finding-lightning-batch-finder-edge"),
    # review 87 #13: steps and epochs
    ("What is the conversion between steps and epochs? Does the number of steps change with the number of GPUs or "
     "nodes?", "finding-steps-and-epochs"),
    # review 88 #21: an LR no adapter trains at
    ("python3 finetune.py --lora_rank 8 --model_name_or_path ChatGLM3-main/chatglm3-6b "
     "--per_device_train_batch_size 1 --max_seq_length 256 --learning_rate 0.1 on a 16G card",
     "finding-adapter-lr-far-too-high"),
    # review 88 #10: a warmup as long as the run
    ("sdxl_train_network.py --network_dim=8 --lr_scheduler=constant_with_warmup --lr_warmup_steps=213 "
     "--train_batch_size=1 --max_train_steps=213 --learning_rate=1e-4", "finding-warmup-covers-the-run"),
])
def test_answers_from_reviews_87_and_88(kb, message, first):
    assert run_consultation(message, kb=kb).advice.findings[0].id == first


def test_offloaded_states_filled_the_host_that_killed_the_run(kb):
    """Review 88 #17: GPT2 775M with ZeRO-2 CPU offload on Colab's 24G of RAM, killed at the first step: the
    offloaded states (16 bytes a parameter, 11.53 GiB) are what filled the host, not a loader that grows."""
    c = run_consultation("GPT2 775M with sequence length 2048, batch size 1, using FP16 and CPU offloading on Google "
                         "Colab (16G VRAM and 24G RAM): I run out of CPU memory on the first training step, the process "
                         "gets killed by Linux for eating all the RAM. \"zero_optimization\": {\"stage\": 2, "
                         "\"cpu_offload\": true}", kb=kb)
    assert c.wm.value("plan_current_cpu") == pytest.approx(775e6 * 16, rel=0.01)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-offload-killed-the-host" and "finding-host-ram-grows" not in ids


def test_two_windows_machines_differ_by_more_than_a_spill(kb):
    """Review 88 #3: both machines on Windows - the laptop's 4 GB card sets batch 16, the PC's 8 GB card OOMs at 8: what
    differs between them is the cause; the Windows-spill explanation needs the failing machine on Linux."""
    message = ("1050ti can set batchsize=16, why 3070 just can set batchsize=8?\n\nMy laptop:\n1050ti 4GB\nWindows10\n\n"
               "My PC:\n3070 8GB\nWindows 10\n\nBug: I can set batch = 16 on my laptop, but my PC shows ERROR: CUDA out "
               "of memory.")
    c = run_consultation(message, kb=kb)
    assert c.wm.value("gpu_model") == "rtx-3070"
    assert c.advice.findings[0].id == "finding-works-on-another-card"
    linux = run_consultation("I used a 4080 on Windows and got it to work with a batch size of 1. However, today, I "
                             "tried with a 3090 on Linux and got an OutOfMemoryError.", kb=kb)
    assert "finding-worked-on-windows-by-spilling" in [f.id for f in linux.advice.findings]


def test_a_config_s_env_count_is_no_answer_to_a_precision_question(kb):
    """Review 87 #10: bf16 using more memory than fp32 in a config with num_envs: 6 is about mixed precision; the
    envs-on-the-CPU finding waits for a change of the env count or a wish to go faster."""
    c = run_consultation("bf16 uses quite a bit more memory than 32 (23.83Gi vs 13.37Gi). Is this expected?\n"
                         "env:\n  num_envs: 6\nalgo:\n  per_rank_batch_size: 8\nfabric:\n  precision: bf16", kb=kb)
    ids = [f.id for f in c.advice.findings] + [f.id for f in c.advice.red_flags]
    assert "finding-rl-envs-on-the-cpu" not in ids and "rf-amp-halves-memory" in ids
