"""Optimizer updates per epoch and in the run, and a warmup longer than the run (rules/steps.yaml)."""

import pytest

from advisor.consultation import consult, read_message, run_consultation
from advisor.domain.estimators.batching import optimizer_updates, warmup_share_reached
from advisor.engine.estimators import NotComputable

HF_QUESTION = ("My train set has 4107 rows; I use per_device_train_batch_size=8, gradient_accumulation_steps=8, "
               "num_train_epochs=2, warmup_steps={warmup}, learning_rate=3.0e-4 on one GPU. Training shows 128 steps.")


def test_updates_are_counted_per_process_loader_then_per_accumulation_window():
    # ⌈4107 / 8⌉ = 514 micro-batches, ⌊514 / 8⌋ = 64 updates per epoch (the last 2 micro-batches are no update)
    out = optimizer_updates(4107, 8, 8, 1, 2)
    assert (out["per_epoch"].value, out["total"].value) == (64, 128)
    # two GPUs halve each loader: ⌈4107 / 16⌉ = 257, ⌊257 / 8⌋ = 32 per epoch; 2.5 epochs round up to 80
    out = optimizer_updates(4107, 8, 8, 2, 2.5)
    assert (out["per_epoch"].value, out["total"].value) == (32, 80)
    assert optimizer_updates(10, 4, 8, 1, 1)["per_epoch"].value == 1  # fewer micro-batches than a window: still 1
    with pytest.raises(NotComputable):
        optimizer_updates(0, 8, 8, 1, 2)


def test_warmup_share_is_capped_at_the_peak():
    assert warmup_share_reached(128, 1000)["value"].value == pytest.approx(12.8)
    assert warmup_share_reached(5000, 1000)["value"].value == 100


def test_a_warmup_longer_than_the_run_is_flagged_with_the_share_reached(kb):
    advice = consult(HF_QUESTION.format(warmup=1000), kb=kb)
    flag = next(r for r in advice.red_flags if r.id == "rf-warmup-longer-than-run")
    assert "128 updates" in flag.title and "12.8%" in flag.counter
    values = {e.id: e.value for e in advice.estimates}
    assert (values["updates_per_epoch"], values["total_updates"]) == (64, 128)


def test_a_warmup_the_run_finishes_is_not_flagged(kb):
    advice = consult(HF_QUESTION.format(warmup=100), kb=kb)
    assert "rf-warmup-longer-than-run" not in [r.id for r in advice.red_flags]
    assert {e.id: e.value for e in advice.estimates}["warmup_share"] == 100


def test_tokens_per_update_come_from_micro_accumulation_and_gpus_when_no_global_batch_is_stated(kb):
    """nanoGPT's defaults: 12 × 5 × 8 GPUs = 480 sequences of 1,024 tokens = 491,520 tokens per update."""
    advice = consult("gpt2 on 8 x A100, block_size 1024, gradient_accumulation_steps 5 per GPU",
                     {"micro_batch": 12}, kb=kb)
    values = {e.id: e.value for e in advice.estimates}
    assert (values["effective_batch"], values["tokens_per_step"]) == (480, 491520)
    stated = consult("gpt2 on 8 x A100, block_size 1024", {"batch_size": 512}, kb=kb)
    assert {e.id: e.value for e in stated.estimates}["tokens_per_step"] == 512 * 1024


def test_updates_per_epoch_with_no_accumulation_said_are_counted_with_none(kb):
    """Review 44 #30: '2 million samples, batch size 1, 4 GPUs with accelerate: 500,000 steps an epoch or 2
    million?' - no accumulation anywhere in the message is none: the count is given, not deferred."""
    c = run_consultation("Let's say I have 2 million samples in my dataset. If I set batch size to 1 and use 4 GPUs with "
                         "Hugging Face accelerate, does each epoch have 500,000 steps or 2 million steps?", kb=kb)
    assert c.wm.value("updates_per_epoch") == 500_000
    assert "finding-updates-per-epoch-unaccumulated" in [f.id for f in c.advice.findings]
    with_accumulation = run_consultation("2 million samples, batch size 1 on 4 GPUs with gradient accumulation: how "
                                         "many steps per epoch?", kb=kb)
    assert not with_accumulation.wm.known("updates_per_epoch")  # (accumulation said, its count asked)


def test_samples_are_sequences_not_tokens(kb):
    """Review 50 #11 (nanoGPT): "600000 iterations times batches of 12, roughly 7M training examples, way smaller than
    the 9B tokens of the training set": the 7.2M samples are sequences; the finding divides the tokens by them."""
    message = ("If I understand correctly, you have max 600000 iterations with a batch of 12, which is roughly 7M "
               "training examples fed to the transformer, way smaller than the 9B tokens of the training set?")
    facts = {name: value for name, (value, _) in read_message(kb, message).items()}
    assert "params" not in facts  # "roughly 7M training examples" names no model
    c = run_consultation(message, kb=kb)
    finding = next(f for f in c.advice.findings if f.id == "finding-samples-are-sequences")
    assert finding.title.startswith("7.2M samples are sequences") and "1.25k tokens each" in finding.title


def test_a_trainers_steps_a_whole_multiple_of_the_updates_set(kb):
    """Review 50 #13 (Unsloth on 8 GPUs, per-device 16 × accumulation 8 set, "Num examples = 12,734,115 | Num Epochs =
    2 … Total steps = 99,486"): 4× the 24,870 updates the settings make, so each step covers 1024 / 4 samples."""
    message = ("I set per_device_train_batch_size=16 and gradient_accumulation_steps=8 on 8 GPUs, but the log says:\n"
               "Unsloth | Num GPUs = 8\nNum examples = 12,734,115 | Num Epochs = 2\nBatch size per device = 4 | "
               "Gradient Accumulation steps = 2\nTotal batch size = 64 | Total steps = 99,486")
    c = run_consultation(message, kb=kb)
    facts = {f.name: f.value for f in c.advice.facts}
    assert facts["steps_said_multiple"] == 4 and facts["steps_said_samples_per_step"] == 1024 / 4
    assert "finding-steps-said-multiple" in [f.id for f in c.advice.findings]
    # a count that the GPU count explains is the other finding's, not this one's
    from advisor.domain.estimators.batching import steps_said_multiple
    from advisor.engine.estimators import NotComputable
    with pytest.raises(NotComputable):
        steps_said_multiple(8 * 24870, 24870, 1024, num_gpus=8)


def test_grpo_steps_asked_with_the_batch_in_completions(kb):
    """Review 57 #9: GRPO on 24 training GPUs at per-device 3, 800,000 prompts, "shouldn't it be 800,000 / 3 / 24 =
    11,112 steps?" - TRL counts the batch in completions and repeats each prompt num_generations times."""
    c = run_consultation("I have a training set of 800,000 samples. Based on DeepSpeed ZeRO-1, I am using 24 GPUs for "
                         "training and 8 GPUs for vLLM, and I am training with GRPO. per_device_train_batch_size 3, "
                         "gradient_accumulation_steps 1, epochs 1. There are 800,000 optimization steps. Shouldn't it "
                         "be 800,000 / 3 / 24 = 11,112 steps?", kb=kb)
    lead = c.advice.findings[0]
    assert lead.id == "finding-grpo-steps-count-completions" and "72 per update are completions" in lead.title


def test_an_automatic_batch_finder_is_explained_from_its_banners(kb):
    """Review 57 #26: Unsloth's banner twice, per device 16 then 14, "tries to automatically find the optimal batch
    size - how does it work?": the finder retries the loop at a smaller batch, and the batch per update shrinks."""
    c = run_consultation("Unsloth tries to automatically find the optimal batch size for the available VRAM. How does "
                         "it work, and is it possible to disable it? Num examples = 6,261 | Num Epochs = 1 | Total steps "
                         "= 196 Batch size per device = 16 | Gradient accumulation steps = 2 Trainable parameters = "
                         "66,060,288 of 4,073,997,824 (1.62% trained)", kb=kb)
    assert c.advice.findings[0].id == "finding-auto-batch-finder-changes-the-update"
    assert c.wm.value("params") == 4073997824  # (the whole model, after the trained share)


MOLECULE_BAR = ("When I run python3 src/train.py experiment=geom_mol_gen_ddpm.yaml, set the parameter trainer.devices=1 "
                "datamodule.dataloader_cfg.batch_size=512, the following progress bar appears.\n"
                "Epoch 0/2999 ━╸━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 589/12170\n"
                "Why is the total number of steps in a batch 12170?\n"
                "Second, Why does the error \"Skipping training batch with index 10795 due to OOM error\" occur after "
                "training for a period of time?")


def test_a_progress_bars_epoch_count_tells_the_data_set_back(kb):
    """Review 65 #30: Lightning's bar counts an epoch's batches; "steps in a batch 12170" is no batch of 12170, and at
    512 a step the epoch is about 6.23M samples."""
    c = run_consultation(MOLECULE_BAR, kb=kb)
    assert c.wm.value("batch_size") == 512 and c.wm.value("epoch_steps_said") == 12170
    assert c.wm.value("data_from_steps") == 12170 * 512
    ids = [f.id for f in c.advice.findings]
    assert "finding-data-from-steps" in ids
    # the OOM after training a while is a batch larger than the rest (no lengths said), and no question asks when
    # it happens
    assert "finding-oom-after-training-a-while" in ids
    assert "oom_stage" not in {q.id for q in c.advice.questions}
    # a tqdm bar counts the same way; a data set said makes the batch from the steps instead
    c = run_consultation("batch_size=32\nEpoch 3:  45%|████▌     | 589/1300 [01:02<01:10]", kb=kb)
    assert c.wm.value("epoch_steps_said") == 1300 and c.wm.value("data_from_steps") == 1300 * 32
    c = run_consultation("41,600 images, batch_size=32\nEpoch 3:  45%|████▌     | 589/1300", kb=kb)
    assert not c.wm.known("data_from_steps") and c.wm.value("batch_from_steps") == 32


def test_the_trainers_banner_counts_the_gpus(kb):
    """Review 66 #5: per device 1, accumulation 16, "Total train batch size (w. parallel, distributed & accumulation)
    = 16": one GPU, so the 731 examples make 45 updates an epoch, and no question asks the GPUs."""
    c = run_consultation("max_steps is given, it will override any value given in num_train_epochs\n  Num examples = 731\n"
                         "  Num Epochs = 9\n  Instantaneous batch size per device = 1\n  Total train batch size (w. "
                         "parallel, distributed & accumulation) = 16\n  Gradient Accumulation steps = 16\n  Total "
                         "optimization steps = 400\nHow is the number of epochs computed?", kb=kb)
    assert c.wm.value("num_gpus") == 1 and c.wm.value("updates_per_epoch") == 45
    assert "num_gpus" not in {q.id for q in c.advice.questions}
    # a total that is no whole multiple says nothing of the GPUs
    c = run_consultation("Instantaneous batch size per device = 3\n  Total train batch size (w. parallel, distributed "
                         "& accumulation) = 16\n  Gradient Accumulation steps = 2", kb=kb)
    assert not c.wm.known("num_gpus")


def test_an_epoch_set_in_batches_gluonts(kb):
    """Review 65 #2: "What is the relation between `num_batches_per_epoch` and `batch_size` per epoch?" - an epoch
    that is a setting, not a pass over the data."""
    c = run_consultation("How does batching work in the open-source version? **What is the relation between "
                         "`num_batches_per_epoch` and `batch_size` per epoch**?", kb=kb)
    assert c.wm.value("asks_steps_per_epoch_setting") is True
    assert c.advice.findings[0].id == "finding-steps-per-epoch-is-a-setting"


def test_a_training_loss_near_zero_with_a_model_that_does_not_work_is_memorised(kb):
    """Review 68 #14: Alpaca's recipe run for 15 epochs, the log ending at {'loss': 0.0007, …} and "the trained model
    does not seem to work properly": the training set memorised, said before any memory count."""
    c = run_consultation("Fine-tuning LLaMA 7B using Alpaca dataset on a machine with 8 80GB A100 GPUs finished only in "
                         "40 minutes. And the trained model does not seem to work properly. When I changed the epoch "
                         "to 15, it took around three hours but it still performs bad.\n"
                         "    --per_device_train_batch_size 4 --gradient_accumulation_steps 8 --learning_rate 2e-5\n"
                         "    {'loss': 0.0009, 'learning_rate': 5.09e-11, 'epoch': 14.97}\n"
                         "    {'loss': 0.0007, 'learning_rate': 0.0, 'epoch': 14.98}", kb=kb)
    assert c.wm.value("final_train_loss") == 0.0007
    assert c.advice.findings[0].id == "finding-training-loss-near-zero"
    one = run_consultation("LLaMA 7B fine-tuning: the loss: 0.0007 and the model works fine", kb=kb)
    assert not one.wm.known("final_train_loss")  # (a loss said once is no log)


def test_darknet_counts_its_run_in_iterations_not_epochs(kb):
    """Review 67 #22: "set batch=8 & subdivisions=1 in yolov4-csp.cfg … my dataset only have almost 300 images … does it
    really need several days?": Darknet's cfg, whose run is max_batches iterations of batch images."""
    c = run_consultation("Get error when set batch=8 & subdivisions=1 in yolov4-csp.cfg. When I set subdivisions=64 it "
                         "can train, but it costs a lot of time. My dataset only have almost 300 images. Does it really "
                         "need several days on training?", kb=kb)
    assert c.wm.value("darknet_named") is True
    assert c.advice.findings[0].id == "finding-darknet-counts-iterations"


def test_verl_dynamic_batches_are_a_token_budget(kb):
    """Review 68 #17: "~800 seconds per step, update_actor dominates … max_prompt_length=4096, max_response_length=8192,
    actor.ppo_micro_batch_size_per_gpu=4, actor.use_dynamic_bsz=True": the token budget sets the micro-steps, the count
    of four is not used."""
    c = run_consultation("Extremely slow update_actor in GRPO with Qwen3-4B + FSDP2 on 8x Ascend 910B with VERL. "
                         "~800 seconds per step, `update_actor` dominates the step time.\n* `max_prompt_length=4096`\n"
                         "* `max_response_length=8192`\n* `rollout.n=8`\n* `actor.ppo_micro_batch_size_per_gpu=4`\n"
                         "* `actor.use_dynamic_bsz=True`\nAny recommended configs to improve actor update throughput?",
                         kb=kb)
    assert c.advice.findings[0].id == "finding-verl-dynamic-bsz-token-budget"
    assert "12288" in c.advice.findings[0].text and not c.wm.known("micro_batch")


@pytest.mark.parametrize("message, size", [
    ("Lets say I have 2 million datasets. If I set batch-size to 1 and use 4 gpus on my machine and train the model "
     "using accelerate, does it mean that each epoch will have 500,000 steps (2 million / 4) or will each epoch have "
     "2 million steps?", 2_000_000),
    ("I have 50k data for fine-tuning, per device batch 8 on 2 GPUs, how many steps is one epoch?", 50_000),
])
def test_a_data_set_said_loosely_is_counted_and_an_epoch_s_steps_asked_are_no_plan(kb, message, size):
    """Review 69 #1: "2 million datasets" is the data set's items, and "each epoch will have 500,000 steps … or 2
    million steps?" asks an epoch's count - no run length planned. The answer is the per-process count."""
    c = run_consultation(message, kb=kb)
    assert c.wm.value("dataset_size") == size and "planned_steps" not in c.wm.facts
    assert c.advice.findings[0].id == "finding-updates-per-epoch-unaccumulated"
    micro, gpus = c.wm.value("micro_batch"), c.wm.value("num_gpus")
    assert c.wm.value("updates_per_epoch") == -(-size // (micro * gpus))


def test_an_epoch_s_steps_times_the_epochs_and_a_step_s_minutes_give_the_run_s_time(kb):
    """Review 69 #8: "the step is 500, for every epoch … 10 epochs … for each step, it takes about 2 minutes, it needs
    10 days": 500 × 10 = 5,000 updates × 120 s = 6.9 days."""
    c = run_consultation("When using 8 GPUs, the step is 500, for every epoch. Running 10 epochs. For each step, it "
                         "takes about 2 minutes, it needs 10 days to finish training instead of 3 days. Does this make "
                         "sense?", kb=kb)
    assert (c.wm.value("epoch_steps_said"), c.wm.value("epochs"), c.wm.value("step_seconds")) == (500, 10, 120)
    assert c.wm.value("current_duration") == 10 * 86400
    assert c.wm.value("run_time_from_steps") == 5000 * 120
    assert "finding-run-time-from-steps" in [f.id for f in c.advice.findings]


@pytest.mark.parametrize("text, seconds", [("each step takes 2 minutes", 120), ("2 minutes per step", 120),
                                           ("one step takes 1.5 hours", 5400), ("the first step takes 3 minutes", None)])
def test_a_step_s_time_in_minutes_or_hours(text, seconds, kb):
    assert read_message(kb, text).get("step_seconds", (None,))[0] == seconds


def test_a_recipe_s_steps_on_a_small_data_set_are_counted_in_passes(kb):
    """Review 70 #19: "100 pairs, 8 cards, batch_size=8, max_training_step=2000, about 1282 epochs by my count": the
    user's own arithmetic makes 8 each card's batch (2,000 × 64 / 100 = 1,280), and the answer is the passes."""
    c = run_consultation("您好，你的数据量有100pair, 8张卡，batch_size=8，max_training_step=2000，计算得出大约1282 epochs，"
                         "我想问一下是无论多少数据量，无论多少卡，都设置max_training_step=2000吗", kb=kb)
    assert (c.wm.value("dataset_size"), c.wm.value("micro_batch"), c.wm.value("num_gpus")) == (100, 8, 8)
    assert c.wm.value("steps_passes") == 2000 * 64 / 100
    assert c.advice.findings[0].id == "finding-steps-pass-over-small-data"


@pytest.mark.parametrize("message, scope", [
    # 1,000 × 8 × 4 / 8,000 = 4 passes if 8 is each GPU's; 1,000 × 8 / 8,000 = 1 if it is the total
    ("8000 images, batch size 8 on 4 GPUs, max_steps 1000. By my count that is 4 epochs?", "micro_batch"),
    ("8000 images, batch size 8 on 4 GPUs, max_steps 1000. By my count that is 1 epoch?", "batch_size"),
])
def test_the_epochs_a_user_works_out_say_whose_batch_it_is(kb, message, scope):
    facts = {name: value for name, (value, _) in read_message(kb, message).items()}
    assert facts.get(scope) == 8 and "batch_unqualified" not in facts


MUSUBI_BUCKETS = """INFO:musubi_tuner.dataset.image_video_dataset:bucket: (640, 1440), count: 1
INFO:musubi_tuner.dataset.image_video_dataset:bucket: (720, 1280), count: 1
INFO:musubi_tuner.dataset.image_video_dataset:bucket: (832, 1104), count: 9
INFO:musubi_tuner.dataset.image_video_dataset:bucket: (848, 1072), count: 1
INFO:musubi_tuner.dataset.image_video_dataset:bucket: (960, 960), count: 2
INFO:musubi_tuner.dataset.image_video_dataset:bucket: (1104, 832), count: 2
INFO:musubi_tuner.dataset.image_video_dataset:bucket: (1280, 720), count: 2
INFO:musubi_tuner.dataset.image_video_dataset:total batches: 7"""


def test_aspect_ratio_buckets_make_an_epoch_s_steps(kb):
    """Review 69 #12: 18 images in 7 buckets (1, 1, 9, 1, 2, 2, 2) give 7 steps an epoch at any batch of 9 or more -
    the buckets, not the batch, set the count (and no data set is inferred from 7 steps at batch 1)."""
    c = run_consultation("Number of steps does not match batch size. I always ran 1 batch size and 1800 steps, now I "
                         "get 7 steps per epoch:\n" + MUSUBI_BUCKETS, kb=kb)
    assert (c.wm.value("bucket_images"), c.wm.value("bucket_number"), c.wm.value("bucket_largest")) == (18, 7, 9)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-buckets-make-the-steps" and "finding-data-from-steps" not in ids


def test_kohya_buckets_at_a_batch_count_their_steps(kb):
    """kohya's sd-scripts lists "bucket 0: resolution (512, 768), count: 9": at train_batch_size 4, ⌈9/4⌉ + ⌈5/4⌉ +
    ⌈2/4⌉ = 3 + 2 + 1 = 6 steps an epoch of 16 / 6 = 2.67 images, not ⌈16/4⌉ = 4."""
    c = run_consultation("kohya sd-scripts LoRA, train_batch_size=4, why 6 steps per epoch for 16 images?\n"
                         "bucket 0: resolution (512, 768), count: 9\nbucket 1: resolution (640, 640), count: 5\n"
                         "bucket 2: resolution (768, 512), count: 2", kb=kb)
    assert c.wm.value("bucket_epoch_batches") == 6
    assert c.wm.value("bucket_mean_batch") == pytest.approx(16 / 6)
    assert c.advice.findings[0].id == "finding-bucket-steps-at-batch"


def test_a_step_asked_about_in_epochs(kb):
    """Review 69 #18: "if this phenomenon occurs in step 6000, and my dataset has 10000 images with a batch_size of 1,
    will this phenomenon occur at epoch 0?" - 6,000 samples, 0.6 of the first epoch."""
    c = run_consultation("Regarding the number of steps in the Sudden Converge Phenomenon you mentioned, if this "
                         "phenomenon occurs in step 6000, and my dataset has 10000 images with a batch_size of 1, will "
                         "this phenomenon occur at epoch 0?", kb=kb)
    assert c.wm.value("step_reached") == 6000
    assert c.wm.value("step_reached_epochs") == pytest.approx(0.6)
    assert c.advice.findings[0].id == "finding-step-in-epochs"


RESNET_CIFAR = ("We use a weight decay of 0.0001 and momentum of 0.9. These models are trained with a minibatch size of 128 "
                "on two GPUs. We start with a learning rate of 0.1, divide it by 10 at 32k and 48k iterations, and "
                "terminate training at 64k iterations, which is determined on a 45k/5k train/val split.\n\nWhat does a "
                "minibatch size of 128 on two GPUs entail? Does this mean the batch size per GPU is 64?\n\nHow can I "
                "convert from iterations to epochs? Is the model trained for 64000 * 128/45000 = 182.04 epochs? Since "
                "45000 isn't divisible by 128, should I drop the last 72 images every epoch?")


def test_a_papers_schedule_its_split_and_its_per_gpu_share(kb):
    """Review 71 #3: "terminate training at 64k iterations" is the run's length (32k and 48k the LR's milestones), the
    45k/5k split is the data trained on (not "the last 72 images"), and 64 per GPU is the 128's share over two GPUs -
    no change of batch."""
    found = read_message(kb, RESNET_CIFAR)
    assert found["planned_steps"][0] == 64000 and found["dataset_size"][0] == 45000
    assert found["micro_batch"][0] == 64 and found["num_gpus"][0] == 2
    assert "batch_scale_factor" not in found
    c = run_consultation(RESNET_CIFAR, kb=kb)
    assert c.advice.findings[0].title.startswith("64k steps of 128 samples go over your 45k examples about 182 times")


@pytest.mark.parametrize("message, params", [
    ("The training configurations are given for 6h to 96h (up to 5.7B tokens). I would like to know the recommended "
     "settings for models beyond 5.7B (say, on full 23.9B tokens, either GPT-2 small or medium models).", None),
    ("I train a 7B model on 7B tokens.", 7e9),
])
def test_a_size_counted_in_tokens_elsewhere_is_no_model(kb, message, params):
    """Review 71 #29: "beyond 5.7B" after "up to 5.7B tokens" is the data's count, not a 5.7B model."""
    assert read_message(kb, message).get("params", (None,))[0] == params


def test_a_warmup_said_in_tokens(kb):
    """Review 71 #1 (nanoGPT): "The total batch size (in token) is 0.5M in one iteration … GPT3's warmup is 375M tokens,
    why is the warmup_iters not 375/0.5 = 750?" - 750 updates; the 2,000 iterations are 1B tokens."""
    c = run_consultation("why is the warmup_iters set 2000?\n\nThe total batch size( in token ) is 0.5M in one iteration "
                         ",which follows the GPT3 paper. With the same logic, since the GPT3's warmup is 375M tokens, why "
                         "is the warmup_iters not set to 375/0.5 = 750", kb=kb)
    assert c.wm.value("warmup_updates_from_tokens") == 750 and c.wm.value("warmup_steps_tokens") == 2000 * 500_000
    assert c.advice.findings[0].id == "finding-warmup-in-tokens"


def test_an_epochs_micro_batches_left_over_by_the_accumulation(kb):
    """Review 71 #15: "梯度累计在transformers>=4.46.0时出错 … 数据共三十条" - 30 samples at batch 1 and accumulation 4:
    ⌊30 / 4⌋ = 7 updates an epoch, 2 micro-batches left over, the window the log shows straddling two epochs."""
    message = ("梯度累计在transformers>=4.46.0时出错\n数据共三十条，在单卡上进行sft\n    --per_device_train_batch_size 1 \\\n"
               "    --gradient_accumulation_steps 4 \\\n    --num_train_epochs 4 \\\n"
               "{'loss': 0.9863, 'grad_norm': 14.85, 'learning_rate': 4.267766952966369e-06, 'epoch': 0.93}\n"
               "{'loss': 1.2364, 'grad_norm': 22.58, 'learning_rate': 4.058724504646834e-06, 'epoch': 1.07}")
    c = run_consultation(message, kb=kb)
    assert c.wm.value("epoch_micro_batches") == 30 and c.wm.value("left_over_micro_batches") == 2
    assert c.wm.value("updates_per_epoch") == 7 and c.wm.value("total_updates") == 28
    assert c.advice.findings[0].id == "finding-accumulation-window-left-over"
    assert c.advice.findings[0].title == "30 micro-batches an epoch in windows of 4 leave 2 over at its end"
    # where the windows divide the epoch, nothing is left over and the finding has nothing to say
    even = run_consultation(message.replace("三十条", "三十二条"), kb=kb)
    assert even.wm.value("updates_per_epoch") == 8 and not even.wm.known("left_over_micro_batches")
    assert "finding-accumulation-window-left-over" not in [f.id for f in even.advice.findings]


def test_a_logged_learning_rate_is_no_question_about_it(kb):
    """A Trainer's log line "{'loss': …, 'learning_rate': 4.2e-06, …}" shows the schedule's value: no wish to choose
    a learning rate (the quote closing the key stands between the name and its value)."""
    found = read_message(kb, "{'loss': 0.9863, 'grad_norm': 14.85, 'learning_rate': 4.26e-06, 'epoch': 0.93}")
    assert found.get("user_goal", (None,))[0] != "choose_lr"
    assert read_message(kb, "What learning rate should I use at batch 64?")["user_goal"][0] == "choose_lr"


UNSLOTH_GRPO = ("Calculation problem of Total batch size\n```\ntraining_args = GRPOConfig(\nlearning_rate = 5e-6,\n"
                "warmup_ratio = 0.1,\nper_device_train_batch_size = 1,\n"
                "gradient_accumulation_steps = 4, # Increase to 4 for smoother training\n"
                "num_generations = 8, # Decrease if out of memory\nmax_steps = 1000,\n)\n```\n```\nUnsloth: We now expect "
                "`per_device_train_batch_size` to be a multiple of `num_generations`.\nWe will change the batch size of 1 "
                "to the `num_generations` of 8\n```\n```\n==((====))== Unsloth - 2x faster free finetuning | Num GPUs "
                "used = 1\n\\\\ /| Num examples = 7,473 | Num Epochs = 1 | Total steps = 1,000\nO^O/ \\_/ \\ Batch size "
                "per device = 8 | Gradient accumulation steps = 4\n\\/Data Parallel GPUs = 1 | Total batch size (8 x 4 x "
                "1) = 32\n```")


def test_a_notebooks_advice_and_unsloths_banner(kb):
    """Review 74 #8: "# Increase to 4 for smoother training", "# Decrease if out of memory" are the notebook's advice
    (no batch change, no claim, no OOM); the banner's "Total batch size (8 x 4 x 1) = 32" is what ran; and the
    trainer's 1,000 steps are the max_steps set, no mismatch with the epoch's count."""
    found = read_message(kb, UNSLOTH_GRPO)
    assert "oom" not in found and "claim_bigger_batch_more_accurate" not in found and "batch_scale_factor" not in found
    assert (found["micro_batch"][0], found["grad_accum_steps"][0], found["num_gpus"][0]) == (8, 4, 1)
    c = run_consultation(UNSLOTH_GRPO, kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert not c.wm.known("steps_said_fraction") and not c.wm.known("steps_said_ratio")
    assert "plan-does-not-fit" not in ids  # (nobody spoke of memory; the count assumes a sequence length)
    assert c.wm.value("grpo_prompts") == 4 and ids[0] == "finding-grpo-prompts"
    # the warmup ratio is of the 1,000 steps max_steps sets, not of the epoch's 1,868 updates
    assert c.wm.value("warmup_updates_of_max_steps") == 100 and not c.wm.known("warmup_updates")


def test_max_steps_ends_the_run_before_its_epochs(kb):
    # 50,000 examples at 8 × 4 per update make ⌈50,000 / 8⌉ = 6,250 micro-batches, 1,562 updates an epoch, 4,686 over
    # 3 epochs; max_steps 1000 stops at 1,000 updates: 32,000 samples, 0.64 of one pass. The data set before the
    # per-device key is the data set, not a batch of 50,000 (the comma ends it)
    said = ("Fine-tuning Qwen2.5-7B with LoRA on one A100 80GB: 50,000 examples, per_device_train_batch_size 8, "
            "gradient_accumulation_steps 4, num_train_epochs 3, max_steps {steps}, lr 2e-4.")
    c = run_consultation(said.format(steps=1000), kb=kb)
    assert (c.wm.value("dataset_size"), c.wm.value("micro_batch"), c.wm.value("total_updates")) == (50000, 8, 4686)
    advice = c.advice
    finding = next(f for f in advice.findings if f.id == "finding-max-steps-ends-before-the-epochs")
    assert "0.64 passes" in finding.title and "32k samples" in finding.text
    assert "finding-optimizer-updates" not in [f.id for f in advice.findings]
    # a limit past the epochs' updates leaves them to end the run
    advice = consult(said.format(steps=5000), kb=kb)
    ids = [f.id for f in advice.findings]
    assert "finding-max-steps-ends-before-the-epochs" not in ids and "finding-optimizer-updates" in ids


def test_an_lr_multiplied_by_the_gpu_count(kb):
    # 256 per GPU × 8 GPUs = 2048 per update; 0.1 × 8 = 0.8 by the linear rule, 0.1 × √8 = 0.283 by the square root
    said = ("Training a ResNet-50 on ImageNet (1,281,167 images) on 8x V100 32GB with batch 256 per GPU, lr 0.1, 90 "
            "epochs. Goyal et al. scale lr linearly: should I use {lr}?")
    c = run_consultation(said.format(lr="0.8"), kb=kb)
    assert c.wm.value("lr_gpus_batch_per_update") == 2048 and c.wm.value("lr_gpus_sqrt") == pytest.approx(0.2828, abs=1e-4)
    finding = c.advice.findings[0]
    assert finding.id == "finding-lr-times-the-gpus" and finding.title.startswith("0.8 = 0.1 × 8 GPUs")
    # 256 per GPU is BatchNorm's comfort: no BatchNorm finding, no question whether the LR was retuned, nor the task
    assert not any("BatchNorm" in f.title for f in c.advice.findings)
    assert {"lr_retuned", "task_type"}.isdisjoint(q.id for q in c.advice.questions)
    # a multiplier that is not the GPU count is no move from one GPU's batch
    c = run_consultation(said.format(lr="0.4"), kb=kb)
    assert not c.wm.known("lr_gpus_linear")


def test_more_steps_an_epoch_than_samples_is_a_step_count(kb):
    """Review 78 #24: "the size of the training set is 8233 … there should be 8233/4 = 2060 steps per epoch … how come
    the step-size is always 10000 per epoch?" - more steps than samples even at batch 1: the epoch is a step count
    set by the script, not one pass (the 2060 is what the user expects, not what they see)."""
    from advisor.consultation import run_consultation
    c = run_consultation("the size of the training set is 8233. If I choose --batch-size 4 there should be 8233/4 = "
                         "2060 steps per epoch, is that correct? Then how come the step-size is always 10000 per "
                         "epoch, regardless of the batch_size?", kb=kb)
    assert c.wm.value("epoch_steps_said") == 10000
    assert c.advice.findings[0].id == "finding-epoch-is-a-step-count"
    assert "10000 steps an epoch over 8.233k samples" in c.advice.findings[0].title
    c = run_consultation("the training set is 8233 samples and I see 2060 steps per epoch", kb=kb)
    assert "finding-epoch-is-a-step-count" not in [f.id for f in c.advice.findings]


def test_the_steps_of_the_checkpoints_own_training(kb):
    """Review 78 #22: "The pretrained model was first trained on 100 steps with learning rate of 1e-3 and a batch size
    of 72" is how the checkpoint was made - the reference's steps and batch - so at the user's batch 16 its 100 steps
    are 450."""
    from advisor.consultation import run_consultation
    c = run_consultation("I'm using a single GPU with IMG_PER_GPU set to 16, so the batch size will be 16. The "
                         "pretrained model was first trained on 100 steps with learning rate of 1e-3 and a batch size "
                         "of 72. What should I set the number of steps to with my single GPU and batch size of 16?",
                         kb=kb)
    assert (c.wm.value("reference_steps"), c.wm.value("reference_batch")) == (100, 72)
    assert c.wm.value("schedule_scaled_steps") == 450


def test_a_checkpoint_named_for_its_step_and_the_epoch_it_is_in(kb):
    """Review 78 #25: "batch_size=12 … i have trained model in 20hours and get model name
    speech_model251_e_0_step_122000.model but one epoch not complete yet. my data-number is 110000 … what value of
    n_step until 1-epoch is complete?" - step 122,000 at 12 a step is 1.464M samples, 13.3 passes: the counter is no
    pass over the data; the 20 hours trained so far are no target."""
    from advisor.consultation import run_consultation
    c = run_consultation("i was forced set batch_size=12 because my system not handle batch_size=>16. i have trained "
                         "model in 20hours and get model name \"speech_model251_e_0_step_122000.model\" but one epoch "
                         "not complete yet. my data-number is 110000. what value of n_step until 1-epoch is complete?",
                         kb=kb)
    assert (c.wm.value("step_reached"), c.wm.value("elapsed_duration")) == (122000, 72000)
    assert not c.wm.known("target_duration")
    assert c.advice.findings[0].id == "finding-step-in-epochs"
    assert c.wm.value("step_reached_epochs") == pytest.approx(122000 * 12 / 110000)


def test_megatron_samples_are_sequence_windows(kb):
    """Review 84 #19: --seq-length 16384, --global-batch-size 2048, --train-iters 5000 - 10.24M samples of 16,384
    tokens; an epoch is the corpus's tokens over the sequence length, not its documents."""
    c = run_consultation("How can I confirm that I have completed one epoch in Megtron? --seq-length 16384 "
                         "--micro-batch-size 1 --global-batch-size 2048 --train-iters 5000", kb=kb)
    assert c.wm.value("megatron_run_samples") == 5000 * 2048
    assert c.wm.value("megatron_run_tokens") == 5000 * 2048 * 16384
    assert c.advice.findings[0].id == "finding-megatron-samples-are-windows"


def test_megatron_epochs_logged_bound_the_corpus(kb):
    """Review 84 #20: TRAIN_SAMPLES=100 and the builder's "total number of epochs: 165" - 100 samples of 4096 tokens
    needed 165 passes, so one pass holds fewer than 409,600 / 164 tokens."""
    c = run_consultation("TRAIN_SAMPLES=100\n--seq-length 4096 --train-samples ${TRAIN_SAMPLES}\nBut the log shows "
                         "`total number of epochs: 165` despite I set TRAIN_SAMPLES=100. Why?", kb=kb)
    assert c.wm.value("megatron_epochs_logged") == 165
    assert c.wm.value("megatron_epoch_tokens_at_most") == pytest.approx(100 * 4096 / 164)
    assert c.advice.findings[0].id == "finding-megatron-epochs-from-samples"
