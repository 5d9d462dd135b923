"""Counting questions answered with the count, not boilerplate: an epoch's last, smaller batch (floor or ceiling,
drop_last), a batch whose scope the updates of an epoch settle, and accelerate's prepared scheduler stepping once per
process. Messages are written the way engineers post them."""

import pytest

from advisor.consultation import read_message, run_consultation
from advisor.engine.estimators import NotComputable
from advisor.domain.estimators.batching import partial_batch

KERAS = ("Keras model.fit with 1050 training samples and batch_size=32 shows 33/33 steps per epoch. I set "
         "steps_per_epoch = len(x_train) // batch_size = 32 so the last 26 samples are never used? Which is right?")
DDP = ("My dataset has 50000 images, I train with batch size 256 on 8 GPUs with DDP (DistributedSampler). Why does "
       "each epoch only show 25 iterations instead of 196?")
ACCELERATE = ("Using accelerate on 4 GPUs, my cosine scheduler with get_cosine_schedule_with_warmup(optimizer, 500, "
              "num_training_steps=len(train_dataloader)*epochs) reaches zero LR after only a quarter of the training. "
              "On a single GPU it was fine. Why does the LR decay 4x faster?")


def finding_ids(c) -> list[str]:
    return [f.id for f in c.advice.findings]


def test_partial_batch_counts_the_remainder():
    out = partial_batch(1050, 32)
    assert (out["full"].value, out["last"].value, out["with_last"].value) == (32, 26, 33)
    with pytest.raises(NotComputable):
        partial_batch(1024, 32)  # no remainder: nothing to keep or drop
    with pytest.raises(NotComputable):
        partial_batch(10, 32)


def test_the_last_smaller_batch_is_answered(kb):
    c = run_consultation(KERAS, kb=kb)
    assert c.wm.value("dataset_size") == 1050  # a count of samples, not a GTX 1050
    assert not c.wm.known("gpu_model")
    assert finding_ids(c)[0] == "finding-partial-batch"
    title = c.advice.findings[0].title
    assert "32 full batches" in title and "last one of 26" in title and "33 steps" in title
    # the batch the user gave is the one the epoch implies: nothing to point out about it
    assert "finding-batch-from-steps" not in finding_ids(c)


@pytest.mark.parametrize("message", [
    "Should I set drop_last for the training loader? 10,000 samples, batch 64.",
    "Is floor or ceil right for steps per epoch with 10000 samples and batch 64?",
    "With 10000 samples and batch size 64 the last batch is only 16 - is that a problem?",
])
def test_partial_batch_phrasings(kb, message):
    c = run_consultation(message, kb=kb)
    assert c.wm.value("asks_partial_batch") is True
    assert (c.wm.value("partial_batch_full"), c.wm.value("partial_batch_last")) == (156, 16)


def test_no_partial_batch_where_the_batch_divides(kb):
    c = run_consultation("Should I set drop_last? 1024 samples and batch 32.", kb=kb)
    assert c.wm.value("asks_partial_batch") is True
    assert "finding-partial-batch" not in finding_ids(c)


def test_the_epoch_settles_the_batch_scope(kb):
    found = read_message(kb, DDP)
    assert found["micro_batch"][0] == 256 and "batch_unqualified" not in found  # ⌈50,000 / (256 × 8)⌉ = 25
    c = run_consultation(DDP, kb=kb)
    assert c.wm.value("updates_per_epoch") == 25
    # the rounded batch the epoch implies (2,000) is not said where the layout counts it exactly
    assert "finding-batch-from-steps" not in finding_ids(c)
    # 196 updates would have made 256 the total over the GPUs
    total = read_message(kb, DDP.replace("25 iterations instead of 196", "196 iterations instead of 25"))
    assert total["batch_size"][0] == 256 and "micro_batch" not in total


def test_an_epoch_that_fits_neither_reading_leaves_the_scope_asked(kb):
    found = read_message(kb, DDP.replace("25 iterations instead of 196", "100 iterations"))
    assert found["batch_unqualified"][0] == 256


def test_accelerate_scheduler_stepped_per_process(kb):
    c = run_consultation(ACCELERATE, kb=kb)
    assert c.wm.value("claim_lr_ends_early") is True
    assert finding_ids(c)[0] == "finding-accelerate-scheduler-per-process-likely"
    assert "4 times per update" in c.advice.findings[0].title and "1/4" in c.advice.findings[0].title
    # with the prepare() call pasted, the certain finding takes its place
    c = run_consultation(ACCELERATE + " I call accelerator.prepare(model, optimizer, train_dataloader, lr_scheduler).",
                         kb=kb)
    assert "finding-accelerate-scheduler-per-process" in finding_ids(c)
    assert "finding-accelerate-scheduler-per-process-likely" not in finding_ids(c)


def test_the_hf_trainer_counts_the_schedule_itself(kb):
    c = run_consultation("HF Trainer launched with accelerate on 4 GPUs: the LR reaches zero after only a quarter "
                         "of the epochs.", kb=kb)
    assert "finding-accelerate-scheduler-per-process-likely" not in finding_ids(c)


# ---------------------------------------------------------------- an OOM's failed allocation named
VIT_OOM = ("Training a ViT-style transformer from scratch on a single A100 40GB, batch size 32, sequence length 8192 "
           "tokens, 12 heads, fp16 with torch.autocast, vanilla attention (no flash). I get: "
           "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 48.00 GiB (GPU 0; 39.39 GiB total "
           "capacity; 10.2 GiB already allocated). Why is it trying to allocate 48 GB?")


def test_attention_scores_allocation_solves_or_checks_the_heads():
    from advisor.domain.estimators.catalogue_memory import attention_scores_allocation

    gib = 1024 ** 3
    # 32 × 12 × 8192² × 2 B = 48 GiB exactly: the heads solved, and said as a condition
    text = attention_scores_allocation(48 * gib, 32, 8192)["value"].value
    assert "32 × 12 heads × 8,192² tokens × 2 B = 48.00 GiB" in text and "if the model has 12 heads" in text
    # Llama-2-7B has 32 heads: 4 × 32 × 4096² × 4 B is 8 GiB, fp32 scores (eager attention's upcast softmax)
    text = attention_scores_allocation(8 * gib, 4, 4096, model="llama-2-7b")["value"].value
    assert "4 × 32 heads × 4,096² tokens × 4 B = 8.00 GiB" in text and "if the model" not in text
    with pytest.raises(NotComputable):  # 5 GiB is no whole number of Llama-2-7B's 32 heads at this shape
        attention_scores_allocation(5 * gib, 4, 4096, model="llama-2-7b")
    with pytest.raises(NotComputable):  # a quotient that is no head count (a fraction of one)
        attention_scores_allocation(0.3 * gib, 32, 8192)


def test_an_oom_allocation_named_as_the_attention_scores(kb):
    c = run_consultation(VIT_OOM, kb=kb)
    assert finding_ids(c)[0] == "finding-oom-allocation-is-attention"
    text = c.advice.findings[0].text
    assert "32 × 12 heads × 8,192² tokens × 2 B = 48.00 GiB" in text
    assert "scaled_dot_product_attention" in text
    # the generic "one tensor: an activation, or every weight at once" gives way to the tensor named
    assert "finding-oom-allocation-tensor-or-weights" not in finding_ids(c)


# ---------------------------------------------------------------- review 45: counts and claims said another way
KOHYA = ("EPoch number does not make sense\n\nI am training a dreambooth LORA,\n\nÍ have 18 training image, 1 repeat, "
         "batch = , gradient accumulation = 6, and 200 epoch, gradient checkpointing true.\nBut the output cell when "
         "starting training indicates that the training will last 1200 epochs.\n\nIt should be 200, not 1200 right?")


def test_epochs_shown_as_many_times_the_accumulation(kb):
    c = run_consultation(KOHYA, kb=kb)
    assert c.wm.value("dataset_size") == 18  # "18 training image": the plural forgotten
    assert c.wm.value("epochs_shown") == 1200 and c.wm.value("epochs") == 200
    assert finding_ids(c)[0] == "finding-epochs-counted-in-micro-batches"
    assert "1200 epochs = 200 × 6 accumulation steps" in c.advice.findings[0].title
    # epochs shown at another ratio than the accumulation: no such diagnosis
    c = run_consultation(KOHYA.replace("1200 epochs", "700 epochs"), kb=kb)
    assert "finding-epochs-counted-in-micro-batches" not in finding_ids(c)


def test_an_oom_after_thousands_of_iterations(kb):
    c = run_consultation("CUDA out of memory after more than 8000 iterators. I got a cuda out of memory after 8784 "
                         "iterators, why?", kb=kb)
    assert c.wm.value("oom_at_fixed_step") is True
    assert finding_ids(c)[0] == "finding-oom-at-a-fixed-step"


def test_token_weighting_under_accumulation(kb):
    c = run_consultation("Sum loss instead of mean loss should be used if gradient accumulation step is larger than 1 "
                         "when training a language model. Settings of accumulation step 2 / batch size 1 should "
                         "produce the same gradient as settings of accumulation step 1 / batch size 2.", kb=kb)
    assert c.wm.value("claim_accum_differs") is True
    assert "finding-accumulation-differs" in finding_ids(c)
    assert "num_items_in_batch" in next(f.text for f in c.advice.findings if f.id == "finding-accumulation-differs")


def test_a_vision_models_training_time_from_its_flops(kb):
    from advisor.domain.estimators.batching import VISION_MFU_ASSUMED

    c = run_consultation("How long will ResNet-50 take to train on ImageNet (1.28M images) for 90 epochs on 8 V100s?",
                         kb=kb)
    # ResNet-50: 4.09 G multiply-accumulates forward at 224 px, 6 × that per training image
    per_image = 6 * 4.09e9
    rate = 125e12 * VISION_MFU_ASSUMED / per_image
    assert c.wm.value("vision_rate_per_gpu") == pytest.approx(rate, rel=0.02)
    assert c.wm.value("vision_training_time") == pytest.approx(1.28e6 * 90 / (8 * rate), rel=0.02)
    assert finding_ids(c)[0] == "finding-vision-training-time"


def test_the_time_asked_without_the_data_asks_for_it(kb):
    c = run_consultation("Distributed training resnet50 using 4 nodes 32 TeslaV100 cards. How many hours can it "
                         "converge?", kb=kb)
    assert c.wm.value("gpu_model") == "v100"  # "TeslaV100": the brand glued to the card
    assert c.advice.questions and c.advice.questions[0].id in ("dataset_size", "epochs")


def test_a_failed_tensor_of_image_maps_names_the_batch_and_the_side(kb):
    from advisor.domain.estimators.memory import tensor_image_batch

    out = tensor_image_batch("30,512,512,16")  # NHWC
    assert (out["batch"].value, out["side"].value) == (30, 512)
    out = tensor_image_batch("4,32,1952,1952")  # NCHW
    assert (out["batch"].value, out["side"].value) == (4, 1952)
    for shape in ("8,65536,64", "1,512,512,16", "32,12,512,512"[:0] + "32,7,7,2048"):
        with pytest.raises(NotComputable):  # a sequence's, a batch of one, a deep layer's small maps
            tensor_image_batch(shape)


def test_on_a_card_without_tensor_cores_the_batch_comes_first(kb):
    message = ("Keras on a ml.p2.xlarge instance, 150 images resized to 512*512: ResourceExhaustedError: OOM when "
               "allocating tensor with shape[30,512,512,16] and type float on /job:localhost/replica:0/task:0/"
               "device:GPU:0 by allocator GPU_0_bfc")
    c = run_consultation(message, kb=kb)
    assert c.wm.value("gpu_model") == "k80" and c.wm.value("gpu_tensor_cores") is False
    assert "finding-oom-tensor-image-batch" in finding_ids(c)
    assert c.advice.recommendation.rationale.startswith("Provisionally: the tensor that failed holds 30 images at 512×512")


def test_tensorflows_allocator_limit_is_the_memory_to_plan_in(kb):
    found = read_message(kb, "Limit:                 15866508084\nInUse:                 15487862272\n"
                             "Resource exhausted: OOM when allocating tensor with shape[4,32,1952,1952] and type float")
    assert found["gpu_memory"][0] == 15866508084


def test_a_failed_tensor_of_sequences_names_the_padded_length(kb):
    from advisor.domain.estimators.memory import tensor_sequence_batch

    out = tensor_sequence_batch("32,512,768")
    assert (out["batch"].value, out["length"].value, out["width"].value) == (32, 512, 768)
    for shape in ("30,512,512,16", "8,65536,64", "1,512,768", "32,12,768"):
        with pytest.raises(NotComputable):  # images, no transformer's width, one sequence, a length of 12
            tensor_sequence_batch(shape)
    c = run_consultation("Quick tour on Colab: ResourceExhaustedError: OOM when allocating tensor with "
                         "shape[32,512,768] and type float on /job:localhost/replica:0/task:0/device:GPU:0 by "
                         "allocator GPU_0_bfc [[node tf_bert_for_sequence_classification/bert/encoder/layer]]", kb=kb)
    assert "finding-oom-tensor-sequence-batch" in finding_ids(c)
    assert "32 sequences of 512 tokens" in next(f.title for f in c.advice.findings
                                                 if f.id == "finding-oom-tensor-sequence-batch")


GRPO_BANNER = ("[GRPO] total optimization steps\n\nI am using FSDP with 4 gpus and total optimization steps = dataset len "
               "but it should be datasetlen / Total train batch size no? with sft/dpo/cpo it is.\n\n```python\n"
               "  training_args = GRPOConfig(\n      per_device_train_batch_size=1,\n      "
               "gradient_accumulation_steps=1,\n      num_train_epochs=1,\n)\n```\n\n```\n***** Running training *****\n"
               "  Num examples = 1,283\n  Num Epochs = 1\n  Instantaneous batch size per device = 1\n  Total train batch "
               "size (w. parallel, distributed & accumulation) = 4\n  Gradient Accumulation steps = 1\n  Total "
               "optimization steps = 1,283\n```")


def test_grpo_steps_from_the_trainers_banner(kb):
    """Review 46 #20: GRPO's batches count completions - 1,283 prompts at a batch of 4 completions make 1,283 updates
    with 4 completions a prompt, which the banner's count gives; the '1 × 1 × 4 = 4' confirmation is not said."""
    found = read_message(kb, GRPO_BANNER)
    assert found["total_updates_said"][0] == 1283 and found["num_generations"][0] == 4
    assert "preference_objective" not in found  # "with sft/dpo/cpo it is": trainers compared
    c = run_consultation(GRPO_BANNER, kb=kb)
    assert finding_ids(c)[0] == "finding-grpo-updates"
    assert "finding-effective-batch-as-said" not in finding_ids(c)


def test_a_trainers_total_without_the_world_size_is_named(kb):
    """The Trainer's banner on 32 processes says 'Total optimization steps = 287,113' for 287,113 examples at 32 per
    update (review 46 #21): 32× the 8,973 updates its own numbers make - one process's walk through every example."""
    banner = ("torchrun --nnodes 1 --nproc_per_node 32 run_summarization.py --per_device_train_batch_size 1 "
              "--gradient_accumulation_steps 1 --num_train_epochs 1 --zero_1 True\nThe training took forever.\n"
              "***** Running training *****\n Num examples = 287,113\n Num Epochs = 1\n Instantaneous batch size per "
              "device = 1\n Total train batch size (w. parallel, distributed & accumulation) = 32\n Gradient "
              "Accumulation steps = 1\n Total optimization steps = 287,113\nTotal optimization steps is the same as "
              "Num examples. Why?")
    c = run_consultation(banner, kb=kb)
    assert c.wm.value("steps_said_over_world") == pytest.approx(32, rel=0.01)
    assert finding_ids(c)[0] == "finding-steps-counted-without-the-world"
    assert "8973 updates" in c.advice.findings[0].title
    # the banner agreeing with the count is nothing to point out
    agreed = banner.replace("Total optimization steps = 287,113", "Total optimization steps = 8,973").replace(
        "Total optimization steps is the same as Num examples. Why?", "Is that right?")
    assert "finding-steps-counted-without-the-world" not in finding_ids(run_consultation(agreed, kb=kb))


def test_deepspeeds_steps_per_print_counts_updates(kb):
    """'DeepSpeed's stdout is not accurate for the number of steps … steps_per_print doesn't print out loss' with
    micro-batch 17 and accumulation 64 (review 46 #8): a step is an update of 64 micro-batches, so steps_per_print 30
    reports every 1,920 iterations of the loop - and its report has no loss."""
    c = run_consultation('DeepSpeed\'s stdout is not accurate for number of steps, it doesn\'t take into account batch '
                         'size. Also steps_per_print doesn\'t print out loss.\ndeepspeed_config = {\n'
                         '  "train_micro_batch_size_per_gpu": 17,\n  "gradient_accumulation_steps": 64,\n'
                         '  "steps_per_print": 30\n}\nfor batch in tqdm(ds_training_dataloader): loss = '
                         'model_engine(batch); model_engine.backward(loss); model_engine.step()', kb=kb)
    assert c.wm.value("micro_batches_per_print") == 1920
    assert finding_ids(c)[0] == "finding-deepspeed-steps-are-updates"
    no_accumulation = run_consultation('deepspeed config: "train_micro_batch_size_per_gpu": 17, '
                                       '"steps_per_print": 30. Why is the loss not printed?', kb=kb)
    assert "finding-deepspeed-steps-are-updates" not in finding_ids(no_accumulation)


def test_a_trainers_count_a_whole_fraction_of_mine_names_the_hidden_factor(kb):
    """'训练样本数：14339, per_device_train_batch_size=8（单卡训练）, epoch=3, 但训练的总step=672，和预期差不多差了8倍'
    (review 47 #11): 14,339 examples at 8 on one GPU over 3 epochs are 5,379 updates; the trainer's 672 are 1/8 of
    them - an accumulation of 8 (or 8× the GPUs, or fewer examples)."""
    c = run_consultation("训练样本数：14339\nper_device_train_batch_size=8（单卡训练）\nepoch=3\n\n但训练的总step=672，"
                         "和预期差不多差了8倍，这是为何？", kb=kb)
    assert (c.wm.value("dataset_size"), c.wm.value("epochs"), c.wm.value("total_updates_said")) == (14339, 3, 672)
    assert c.wm.value("total_updates") == 5379 and c.wm.value("steps_said_fraction") == 8
    assert finding_ids(c)[0] == "finding-steps-said-fraction"
    # no whole factor between them: nothing to name
    odd = run_consultation("Num examples = 14339, per_device_train_batch_size=8, epoch=3, total steps = 1000. Why?",
                           kb=kb)
    assert "finding-steps-said-fraction" not in finding_ids(odd)


def test_a_formatting_func_that_reads_row_zero_explains_a_handful_of_steps(kb):
    """'Why are there only 3 steps per epoch when the dataset has 2500 rows and batch_size is 1?' with SFTTrainer and
    a formatting_func that reads example['quote'][0] (review 47 #5): one example per batch of rows - and the plan's
    memory is no part of a question about steps."""
    message = ("Why does 1 epoch = 3 steps only when my dataset has 2500 rows and I'm using "
               "per_device_train_batch_size=1? SFTTrainer on a T4 with gemma-7b in 4 bits.\n"
               "def formatting_func(example):\n    text = f\"Quote: {example['quote'][0]}\\nAuthor: "
               "{example['author'][0]}\"\n    return [text]\n")
    c = run_consultation(message, kb=kb)
    assert finding_ids(c)[0] == "finding-formatting-func-first-row"
    assert c.advice.recommendation.option_id is None  # (no plan search for a count of steps)
    # (nor the batch per update the 3 steps would imply: the rows are not what the epoch holds - review 67 #19)
    assert "finding-batch-from-steps" not in finding_ids(c)
    per_row = message.replace("[0]", "[i]")
    assert "finding-formatting-func-first-row" not in finding_ids(run_consultation(per_row, kb=kb))


@pytest.mark.parametrize("message, facts", [
    ("[INFO|trainer.py:1722] 2024-02-29 14:04:32,728 >> Num examples = 20", {"dataset_size": 20}),
    ("epoch=3, lr=2e-5", {"epochs": 3}),
    ("Epoch 3/10: loss 0.52", {}),
    ("1 epoch = 3 steps, why?", {}),
])
def test_log_and_setting_numbers(kb, message, facts):
    found = read_message(kb, message)
    for name, value in facts.items():
        assert found[name][0] == value
    if not facts:
        assert "epochs" not in found


def test_epochs_cut_short_by_the_trainers_count_under_accumulation(kb):
    """'Even though I set 24 epoch in trainarguments and set gradient_accumulation_step as 2, there is a mismatch of
    calculating max_steps when it is not set' (review 47 #12): the Trainer's ⌊batches / 2⌋ updates an epoch."""
    c = run_consultation("Mismatch with epoch when using gradient_accumulation. This is the issue of mismatch defined "
                         "epoch and actual train epoch. Even though I set 24 epoch in trainarguments and set "
                         "gradient_accumulation_step as 2, there is a mismatch of calculating max_steps when it is not "
                         "set. transformers Trainer, TITAN RTX.", kb=kb)
    assert c.wm.value("grad_accum_steps") == 2
    assert finding_ids(c)[0] == "finding-trainer-epochs-under-accumulation"


def test_the_batch_for_a_single_gpu_is_each_gpus(kb):
    """'the batchsize for a single GPU is very small (i.e., 4) … trained for about 24 days on 256 A100 GPUs?' (review
    47 #24): each GPU's batch on 256 GPUs - no change from one GPU to 256, no batch ×256 to warm an LR up for."""
    facts = read_message(kb, "We note that the batchsize for a single GPU is very small (i.e., 4). Could you explain "
                             "why you use so small batchsize on an A100 GPU? Was the model trained for about 24 days "
                             "on 256 A100 GPUs?")
    assert facts["num_gpus"][0] == 256
    assert "reference_batch" not in facts and "batch_scale_factor" not in facts


def test_a_warmup_counted_in_micro_batches(kb):
    """'the number of warmup steps is evaluated based on global steps, whereas the number of training steps is tracked
    by update steps … if gradient_accumulations = 32 and warmup_steps = 15,000, the warmup would effectively stop at
    update_step = 469' (review 48 #25)."""
    c = run_consultation("It appears that the number of warmup steps is evaluated based on global steps, whereas the "
                         "number of training steps is tracked by update steps. If gradient_accumulations = 32 and "
                         "warmup_steps = 15,000, the warmup would effectively stop at update_step = 469. Is this "
                         "behavior expected?", kb=kb)
    assert c.wm.value("warmup_in_updates") == pytest.approx(15000 / 32)
    assert finding_ids(c)[0] == "finding-warmup-in-micro-steps"


def test_iterations_for_epochs_at_a_batch(kb):
    """'If I have 1000 pics and I want to train 12 epochs with batch_size 2, how can I set max_iter?' (review 49 #15,
    detrex): 500 iterations an epoch, 6,000 over twelve - what an iteration-based max_iter is set to."""
    c = run_consultation("In detrex, inherited from detectron2, the configs are iteration based: train.max_iter = 90000. "
                         "If I have 1000 pics and I want to train 12 epochs with batch_size 2, how can I set max_iter?",
                         kb=kb)
    assert (c.wm.value("updates_per_epoch"), c.wm.value("total_updates")) == (500, 6000)
    assert c.advice.findings[0].id == "finding-updates-over-epochs-from-batch"


def test_grpo_epoch_logging_twice_the_batches_count_names_num_iterations(kb):
    """'6000 prompts, num_generations=8, accumulation 8, per device 8, 2 GPUs: 6000 * 8 / (8 * 2 * 8) = 375, but one
    epoch actually corresponds to 750 global steps' (review 60 #5): the user's count is right, each generated batch
    is trained on twice (num_iterations) - and the epochs they already gave are not asked."""
    msg = ("Question regarding the effective batch size in GRPOTrainer.\nMy setup:\n- `6000` prompts for training\n"
           "- `num_generations=8`\n- `gradient_accumulation_steps=8`\n- `per_device_train_batch_size=8`\n- `2` GPUs "
           "for training\nPlugging in my settings: total_global_steps = 6000 * 8 / (8 * 2 * 8) = 375\nHowever, one "
           "epoch actually corresponds to `750 global steps` in my case, which is double what I expected.")
    c = run_consultation(msg, kb=kb)
    assert (c.wm.value("dataset_size"), c.wm.value("epoch_steps_said")) == (6000, 750)
    assert c.wm.value("updates_per_epoch") == 375 and c.wm.value("grpo_logged_update_ratio") == 2
    assert finding_ids(c)[0] == "finding-grpo-updates-reuse-generations"
    assert "num_iterations" in c.advice.findings[0].text
    assert "finding-batch-from-steps" not in finding_ids(c)  # samples are completions here, not prompts
    assert not c.advice.questions
    # logs that agree with the count point nothing out
    agreed = run_consultation(msg.replace("750 global steps", "375 global steps"), kb=kb)
    assert "finding-grpo-updates-reuse-generations" not in finding_ids(agreed)


def test_an_epochs_iterations_under_both_readings_of_the_batch(kb):
    """'4 gpus (2080ti), swin_small, hacs (50w videos), batch_size(8): the train iteration is abnormally large. Is
    that normal?' (review 60 #15): 50w is 500,000 (万); the question points back at the iterations; an epoch is
    15,625 iterations if 8 is each GPU's, 62,500 if it is the total."""
    msg = ("the training iteration is abnormally large\nI used 4 gpus(2080ti) to train swin_small with config "
           "`swin_small_patch244_window877_kinetics400_1k.py`. The dataset I used is hacs(50w videos).\nI find that "
           "the train iteration is abnormally large based on my config(dataset size(50w) and batch_size(8)), which "
           "leads to the long training time. Is that normal?")
    c = run_consultation(msg, kb=kb)
    assert c.wm.value("dataset_size") == 500000
    assert "steps" in c.wm.value("asked_topics")
    assert (c.wm.value("epoch_iterations_if_per_gpu"), c.wm.value("epoch_iterations_if_total")) == (15625, 62500)
    assert finding_ids(c)[0] == "finding-epoch-iterations-both-readings"
    # no iterations asked of: the two readings of the batch, not the epoch's count
    c = run_consultation(msg.replace("I find that the train iteration is abnormally large", "I find that the memory "
                                     "is fine").replace("the training iteration is abnormally large", "a question"),
                         kb=kb)
    assert "finding-epoch-iterations-both-readings" not in finding_ids(c)
    # a 'w' glued to a number is watts where no data set is counted
    assert "dataset_size" not in read_message(kb, "My 350w card has 24GB")


@pytest.mark.parametrize("message", [
    "the relationship between STEPS_PER_EPOCH and value of IMAGES_PER_GPU * GPU_COUNT\nI think STEPS_PER_EPOCH = "
    "traning_set / (IMAGES_PER_GPU * GPU_COUNT). But, there is a note about the STEPS_PER_EPOCH in configure.py: "
    "# This doesn't need to match the size of the training set. How should I set the value of STEPS_PER_EPOCH？",
    "Default value for steps_per_epoch in TrainConfig\nIn the class TrainConfig, the default value for steps_per_epoch "
    "is len(dataflow), which is not appropriate in the multi-GPU case. It should be len(dataflow)//nGPU, right?",
])
def test_steps_per_epoch_as_a_setting_is_answered(kb, message):
    """Review 60 #22 (Mask R-CNN) and #29 (tensorpack): an epoch that is a setting only times the callbacks; one pass
    is the data set over images per GPU × GPUs."""
    c = run_consultation(message, kb=kb)
    assert finding_ids(c)[0] == "finding-steps-per-epoch-is-a-setting"


def test_kohya_epochs_counted_in_micro_batches_with_regularization_images(kb):
    """'16 repeats, 5 epochs (in gui), 16 grad accum steps. And i get 40 epoch. Why batches per epoch is 32?' (review
    61 #2): 40 = 5 × 16 / 2 - the steps counted in micro-batches of the training images, each epoch doubled by the
    regularisation images."""
    c = run_consultation("How is num_epochs calculated?\nCant understand, how is num_epochs calculated.\nI use, for "
                         "example, 16 repeats, 5 epochs (in gui), 16 grad accum steps. And i get 40 epoch.\nWhy "
                         "batches per epoch is 32?", kb=kb)
    assert (c.wm.value("image_repeats"), c.wm.value("epochs_shown")) == (16, 40)
    assert finding_ids(c)[0] == "finding-epochs-counted-in-micro-batches-with-regularization"
    # without regularisation's doubling (40 = 5 × 8 with 8 accumulation steps) the plain count
    c = run_consultation("I use 16 repeats, 5 epochs (in gui), 8 grad accum steps. And i get 40 epoch.", kb=kb)
    assert finding_ids(c)[0] == "finding-epochs-counted-in-micro-batches"


def test_kohyas_default_steps_are_named_when_the_epochs_never_reach_the_trainer(kb):
    """'200 epoch - 28 training images and it makes 1600 steps … Max train steps = 0 as usual … Folder 1_ohwx man: 1
    repeats found' (review 61 #15): 1600 is sd-scripts' --max_train_steps default."""
    msg = ("Step calculation is broken - 200 epoch - 28 training images and it makes 1600 steps - FLUX branch\nI am "
           "doing 200 epochs, repeat 1 and 28 training images and Max train steps = 0 as usual\nHere what is is "
           "happening it is doing 1600 steps\n00:09:27-679559 INFO     Folder 1_ohwx man: 1 repeats found")
    c = run_consultation(msg, kb=kb)
    assert finding_ids(c)[0] == "finding-kohya-default-steps"
    # another trainer's 1600 steps are no kohya default
    c = run_consultation("I train for 200 epochs on 28 images with the HF Trainer and it makes 1600 steps, why?", kb=kb)
    assert "finding-kohya-default-steps" not in finding_ids(c)


def test_accumulation_said_to_be_commented_out_is_none(kb):
    """Review 67 #19: "a copy-paste of an official Gemma 7B example with max_steps and gradient_accumulation_steps
    commented out": one micro-batch an update, no question about it."""
    found = read_message(kb, "This is a copy-paste of an official Gemma 7B example with max_steps and "
                             "gradient_accumulation_steps commented out.")
    assert found["grad_accum_steps"][0] == 1
    assert "grad_accum_steps" not in read_message(kb, "The loss is commented out in the example.")
