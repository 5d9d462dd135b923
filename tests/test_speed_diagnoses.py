"""Speed questions answered from what the message measured: more GPUs that give less than their number (the wait
each step gains, weighed against what the gradients' all-reduce needs over the link: rules/distributed.yaml), runs
that differ in more than their GPUs, two different cards in one run, a run not on the GPU, dips at intervals, a
slow run on Windows near an OOM. Messages are written the way engineers post them."""

import pytest

from advisor.consultation import read_message, run_consultation
from advisor.domain.estimators.batching import LINK_BYTES_PER_SECOND

HOROVOD_PCIE = ("Horovod scaling efficiency is less than 70% on a single server with 4 GPUs. Training ResNet-50 on "
                "ImageNet on one Tesla V100 the speed is 3.81 steps/s, but with Horovod on the same server with 4 V100 "
                "GPUs it only reaches 2.62 steps/s. Batch size per card is 64 in both experiments. PCIe gen3 x16. "
                "How can we improve scaling efficiency?")


def finding_ids(c) -> list[str]:
    return [f.id for f in c.advice.findings]


def test_a_wait_many_times_what_pcie_needs_is_not_the_link(kb):
    c = run_consultation(HOROVOD_PCIE, kb=kb)
    # 1/2.62 - 1/3.81 s more a step; ResNet-50's fp32 gradients over a ring of 4: 2 × 3/4 × params × 4 B
    wait = 1 / 2.62 - 1 / 3.81
    ring = 2 * 3 / 4 * c.wm.value("params") * 4
    assert c.wm.value("sync_wait_seconds") == pytest.approx(wait)
    assert c.wm.value("allreduce_seconds_pcie3") == pytest.approx(ring / LINK_BYTES_PER_SECOND["pcie3"])
    assert c.wm.value("link_share_of_wait") == pytest.approx(ring / LINK_BYTES_PER_SECOND["pcie3"] / wait)
    assert finding_ids(c)[0] == "finding-wait-not-the-link"
    assert "119 ms" in c.advice.findings[0].title and "9.74 ms" in c.advice.findings[0].title
    assert "finding-horovod-fusion" in finding_ids(c)  # Horovod's own knobs, the run being Horovod's
    # (checking the interconnect is no recommendation once the link is ruled out)
    assert c.advice.recommendation.option_id != "check-interconnect"


def test_a_wait_the_gradients_fill_is_the_link(kb):
    c = run_consultation("2x RTX 3090 without NVLink, full fine-tuning a 1.3B GPT with DDP, per-GPU batch 4. "
                         "1 GPU: 2 it/s, 2 GPUs: 1.2 it/s. Why is it barely faster?", kb=kb)
    assert c.wm.value("interconnect") == "pcie"
    share = c.wm.value("link_share_of_wait")
    assert share >= 0.5  # 2 × 1/2 × 1.3B × 4 B at 15.75 GB/s against 1/1.2 - 1/2 s
    assert share == pytest.approx(c.wm.value("params") * 4 / 15.75e9 / (1 / 1.2 - 1 / 2))
    assert "finding-wait-is-the-link" in finding_ids(c) and "finding-wait-not-the-link" not in finding_ids(c)


def test_a_wait_between_the_two_bounds_decides_nothing(kb):
    """4 RTX 4090s, a 1.3B GPT, 2.1 → 0.6 it/s: PCIe at line rate is 42% of the wait, and NCCL through a consumer
    board may get a third of it - neither verdict, the PCIe finding and its measurement stay."""
    c = run_consultation("Training with 4x RTX 4090 using accelerate DDP is barely faster than one 4090. Model is a "
                         "1.3B GPT, per device batch 8, seq 1024, bf16. 1 GPU: 2.1 it/s, 4 GPUs: 0.6 it/s. Why?", kb=kb)
    assert 0.15 <= c.wm.value("link_share_of_wait") < 0.5
    ids = finding_ids(c)
    assert "finding-wait-not-the-link" not in ids and "finding-wait-is-the-link" not in ids
    assert "finding-pcie-all-reduce" in ids


def test_machines_that_add_little_get_the_network_time_of_their_gradients(kb):
    c = run_consultation("I tested Horovod on multiple machines (8x V100-32G per machine), but training throughput of "
                         "4 machines with 32 cards is only 20% higher than a single machine with 8 cards. Model: "
                         "ViT-B/16, dataset ImageNet-1K. Is this the ideal situation or do I need to make changes?",
                         kb=kb)
    assert c.wm.value("num_gpus") == 32 and c.wm.value("num_nodes") == 4  # 8 a machine × 4
    ring = 2 * 31 / 32 * c.wm.value("params") * 4
    assert c.wm.value("allreduce_seconds_10gbe") == pytest.approx(ring / 1.25e9)
    assert c.wm.value("allreduce_seconds_100gb") == pytest.approx(ring / 12.5e9)
    assert finding_ids(c)[0] == "finding-network-all-reduce-time"
    assert c.advice.recommendation.option_id == "check-interconnect"


def test_a_wait_without_the_model_size_is_still_measured(kb):
    c = run_consultation("Multi-GPU training does not reduce training time. Keras UNet: (1) 1 GPU (P100), batch size 1: "
                         "each training step takes ~254 ms. (2) 2 GPUs (P100), batch size 2: ~370 ms per step. Does "
                         "multi-GPU training reduce training time?", kb=kb)
    assert c.wm.value("sync_wait_seconds") == pytest.approx(0.370 - 0.254)
    assert c.wm.value("sync_wait_share") == pytest.approx((0.370 - 0.254) / 0.254)
    assert "finding-sync-wait" in finding_ids(c)
    assert "No option stands out" not in c.advice.recommendation.rationale


def test_good_scaling_raises_no_wait(kb):
    c = run_consultation("ResNet-50 with DDP: one V100 does 3.8 steps/s, 4 V100s do 3.6 steps/s at the same per-GPU "
                         "batch of 64.", kb=kb)
    assert not c.wm.known("scaling_short") and not c.wm.known("sync_wait_seconds")


def test_a_run_faster_per_gpu_than_its_gpus_allow_differs_in_something_else(kb):
    c = run_consultation("Training Swin-B from scratch on ImageNet-1K takes about 1 hour per epoch on 8 V100 GPUs "
                         "(another user reports ~3 days total on 8x RTX 3090). The authors say they use 16x V100 and "
                         "it takes about 12 minutes per epoch. How long should it take?", kb=kb)
    assert c.wm.value("gpu_model") == "v100"  # the other user's 3090s are theirs
    assert c.wm.value("epoch_speedup_efficiency") == pytest.approx(2.5)
    assert c.wm.value("epoch_few_at_many_rate") == pytest.approx(24 * 60)  # 12 min × 16 / 8
    assert c.wm.value("epoch_few_per_gpu_rate") == pytest.approx(1_281_167 / 3600 / 8)
    assert finding_ids(c)[0] == "finding-epoch-faster-per-gpu"
    assert "24 min" in c.advice.findings[0].text


def test_a_run_no_faster_than_a_laptop_is_checked_for_the_gpu_first(kb):
    c = run_consultation("I get the same training speed of ~3 s/it on my desktop (2x GTX 1080 Ti) as on my MacBook Pro. "
                         "All CPU cores run at 100%. Is it only using the CPU? How can I speed things up?", kb=kb)
    assert finding_ids(c)[0] == "finding-maybe-on-cpu"
    assert "torch.cuda.is_available()" in c.advice.findings[0].text


def test_iterations_at_a_quarter_of_the_reference_batch_are_a_quarter_of_its_samples(kb):
    c = run_consultation("You mentioned changing the batch size from 64 may make the conversion suboptimal. My GPU cannot "
                         "take a batch of 64 so I changed it to 16. I trained 150k iterations from your pretrained "
                         "checkpoint and the conversions are not great. How many iterations should I train?", kb=kb)
    assert c.wm.value("reference_batch_ratio") == 4
    assert c.wm.value("steps_at_reference_batch") == 37_500  # 150k × 16 / 64
    assert "finding-fewer-samples-at-smaller-batch" in finding_ids(c)
    assert "accumulate 4 micro-batches of 16" in " ".join(f.text for f in c.advice.findings)


def test_two_different_cards_in_one_data_parallel_run_train_at_the_slower_pace(kb):
    c = run_consultation("Low GPU usage with wavenet_vocoder: a Tesla K80 and a 1080 Ti, patched train.py using "
                         "data_parallel_workaround(). nvidia-smi shows only intermittent GPU-Util spikes. batch_size=12, "
                         "num_workers=12. Do I need more workers?", kb=kb)
    assert (c.wm.value("gpu_model"), c.wm.value("gpu_second")) == ("k80", "gtx-1080-ti")
    assert c.wm.value("num_gpus") == 2  # one of each
    assert finding_ids(c)[0] == "finding-mixed-cards"


@pytest.mark.parametrize("message", [
    "I get the same speed on a 3090 and a 4090 with batch size 4.",  # two runs compared, not one run
    "Should I buy an RTX 3090 or an RTX 4090 for fine-tuning?",      # weighed against each other
])
def test_two_cards_named_apart_are_no_mixed_run(kb, message):
    c = run_consultation(message, kb=kb)
    assert not c.wm.known("gpu_second")


def test_a_structured_situation_can_state_the_second_card(kb):
    from advisor.errors import InputError

    c = run_consultation("Training is slow on my two GPUs.", kb=kb,
                         situation={"hardware": {"gpu_model": "rtx-3090", "gpu_second": "rtx-3060-12gb", "num_gpus": 2}})
    assert c.wm.value("gpu_second") == "rtx-3060-12gb" and "finding-mixed-cards" in finding_ids(c)
    with pytest.raises(InputError, match="gpu_second"):
        run_consultation("Training is slow.", kb=kb, situation={"hardware": {"gpu_second": "no such card"}})


def test_utilisation_that_dips_at_intervals_is_periodic_work_not_a_failure_at_save(kb):
    c = run_consultation("so-vits-svc: I checked that CUDA utilization does reach 100%, but periodically drops to 0% "
                         "(maybe when saving logs). Can the code keep it at 100% all the time? Training on Windows.",
                         kb=kb)
    assert c.wm.value("killed_at_save") is not True  # (no failure said: the saving is the run's periodic work)
    assert finding_ids(c)[0] == "finding-util-dips-periodically"
    assert run_consultation("Killed (exitcode -9) when saving the model with ZeRO-3.", kb=kb).wm.value("killed_at_save")


def test_a_slow_run_on_windows_near_an_oom_may_spill(kb):
    slow = run_consultation("On my RTX 3080 it took 13 hours to do 10 epochs. With batch size 40 I get CUDA out of "
                            "memory on the 10 GB card. Task manager shows memory used at max.", kb=kb)
    assert slow.wm.value("windows_named") is True  # (Task Manager is Windows')
    assert "finding-windows-spill-near-the-limit" in finding_ids(slow)
    oom_only = run_consultation("On Windows 11 my RTX 3080 runs out of memory at batch 40. Why?", kb=kb)
    assert "finding-windows-spill-near-the-limit" not in finding_ids(oom_only)


def test_mixed_precision_tried_without_gain_is_explained_not_offered_again(kb):
    c = run_consultation("Using FP16_Optimizer is not much faster. fp32 log: Time 0.211 Speed 151.834; fp16 log: Time "
                         "0.220 Speed 145.334. The mixed precision version is not much faster, is there anything wrong? "
                         "I used a single GPU.", kb=kb)
    assert finding_ids(c)[0] == "finding-amp-no-speedup"
    assert "mixed-precision" not in [o.id for o in c.advice.options]


def test_slow_first_steps_under_torch_compile_are_its_compilation(kb):
    c = run_consultation("The first epoch is very slow when using torch.compile: the first 500+ batches run at 1% of "
                         "the speed of the later ones, on 4 GPUs with variable-length speech.", kb=kb)
    assert finding_ids(c)[0] == "finding-compile-warmup"


def test_a_measured_all_reduce_bandwidth_across_machines_is_the_answer(kb):
    c = run_consultation("I don't find any speedup when scaling from one A100-80G:4 node to two A100-80G:4 nodes. NCCL "
                         "test output: AllReduce [[0,1,2,3,4,5,6,7]] Bytes: 2.00000 GB Time: 0.68834 s Bandwidth: 5.08 "
                         "GB/s; AllReduce [[0,1,2,3]] Bytes: 2.00000 GB Time: 0.01403 s Bandwidth: 213.81 GB/s.", kb=kb)
    assert (c.wm.value("allreduce_bw_slow"), c.wm.value("allreduce_bw_fast")) == (5.08, 213.81)
    assert c.wm.value("allreduce_bw_ratio") == pytest.approx(213.81 / 5.08)
    assert finding_ids(c)[0] == "finding-allreduce-bandwidth-measured"
    assert "5.08 GB/s" in c.advice.recommendation.rationale  # (measured: no 'measure it first')


def test_the_banners_batches_give_the_processes_and_multinode_no_faster_is_read(kb):
    """accelerate's run_mlm_no_trainer on 8 nodes: 'Instantaneous batch size per device = 64 … Total train batch size
    … = 2048 … Gradient Accumulation steps = 1' are 32 processes; 'Training Time For Multinode is similar to training
    time for single node' is several GPUs no faster (review 47 #13)."""
    c = run_consultation("Training Time For Multinode is similar to training time for single node\n8 Node log :\n"
                         "INFO:__main__:  Num examples = 4842767\nINFO:__main__:  Num Epochs = 10\n"
                         "INFO:__main__:  Instantaneous batch size per device = 64\nINFO:__main__:  Total train batch "
                         "size (w. parallel, distributed & accumulation) = 2048\nINFO:__main__:  Gradient Accumulation "
                         "steps = 1\nINFO:__main__:  Total optimization steps = 23650\n"
                         "  0%|          | 20/23650 [01:20<26:05:59,  3.98s/it]", kb=kb)
    assert c.wm.value("num_gpus") == 32 and c.wm.value("num_nodes") == 8
    assert c.wm.value("claim_multi_gpu_slower") is True
    assert c.advice.recommendation.option_id is not None


def test_a_sharded_run_no_faster_on_more_gpus_is_its_communication_not_its_launch(kb):
    """Review 53 #28 (DeepSpeed ZeRO 2 or 3 through accelerate: "the training time for 8 * 32G V100 is almost the same
    as 24 * 32G V100"): the stage, the link between machines and the batch per GPU - not a plain-python launch."""
    c = run_consultation("When using DeepSpeed Zero (2 or 3) with accelerate to train 1.3 billion models, the training "
                         "time for 8 * 32G V100 is almost the same as 24 * 32G V100. Is there any way to further "
                         "accelerate training by utilizing 24 cards?", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-sharded-run-no-faster" and "finding-multi-gpu-no-faster" not in ids


def test_an_example_script_run_as_it_is_on_two_visible_gpus_is_one_process(kb):
    """Review 53 #20 (Whisper fine-tuning "significantly slower on multiple GPUs": "Run the examples/pytorch/
    speech-recognition/run_speech_recognition_seq2seq.py" with CUDA_VISIBLE_DEVICES 0,1, no launcher named): one
    process driving both GPUs (the Trainer's DataParallel), so the move is one process per GPU."""
    c = run_consultation("Whisper Fine-Tuning significantly slower on multiple GPUs\n2. Run the examples/pytorch/speech-"
                         "recognition/run_speech_recognition_seq2seq.py with the following arguments.\n3. Run with a 2 "
                         "A100 Machine with \"CUDA_VISIBLE_DEVICES\": \"0\"\n4. Run with \"CUDA_VISIBLE_DEVICES\": "
                         "\"0,1\"", kb=kb)
    assert c.wm.value("launch") == "one_process"
    assert c.advice.recommendation.option_id == "ddp-instead-of-dataparallel"


def test_not_twice_as_fast_on_two_gpus_after_a_long_command(kb):
    """Review 66 #2: "2 gpus "python train.py … --device 0,1" The training speed is not 2x faster then training with
    1gpu card" - the claim reaches over the command, and one process drives both GPUs."""
    c = run_consultation("By using multi-gpus, for example 2 gpus \"python train.py --data coco.yaml --cfg yolov5s.yaml "
                         "--weights '' --batch-size 64 --device 0,1\" The training speed  is not 2x faster then training "
                         "with 1gpu card. Why?", kb=kb)
    assert c.wm.value("claim_multi_gpu_slower") is True and c.wm.value("launch") == "one_process"
    assert c.advice.recommendation.option_id == "ddp-instead-of-dataparallel"


def test_steps_of_minutes_with_weights_that_fill_the_card(kb):
    """Review 66 #30: Flux dev (12B) on a 4090, "1 step each is taking around 300-600 seconds … my ram is at around
    118gb out of 128gb": the 16-bit weights are 93% of the card, and the RAM said alone is the host's, no GPU use."""
    c = run_consultation("im on a 4090 and 1 step each is taking around 300-600 seconds and i have 0 clue why. and my "
                         "ram is at around 118gb out of 128gb am i missing something? im training on flux dev.", kb=kb)
    assert c.wm.value("step_seconds") == 600 and not c.wm.known("measured_use")
    assert c.advice.findings[0].id == "finding-slow-steps-weights-fill-the-card"
    assert 0.9 < c.wm.value("slow_run_weights_16bit_share") < 0.95
    # a fast step, or a small model, raises nothing
    c = run_consultation("im on a 4090 and 1 step each is taking around 3 seconds, training flux dev", kb=kb)
    assert "finding-slow-steps-weights-fill-the-card" not in {f.id for f in c.advice.findings}


def test_single_process_multi_gpu_warning_is_one_process(kb):
    """Review 66 #29: "UserWarning: Single-Process Multi-GPU is not the recommended mode for DDP … 4-GPU … Is there
    anyway we can do multi-GPU training?" - one process drives the GPUs, and the question is speed, not fit."""
    c = run_consultation("UserWarning: Single-Process Multi-GPU is not the recommended mode for DDP. We're running "
                         "training on custom data on a 4-GPU VM. Each epoch takes 5 and a half minutes. Any advice on how "
                         "to speed up training will be helpful. Is there anyway we can do multi-GPU training?", kb=kb)
    assert c.wm.value("launch") == "one_process" and c.wm.value("user_goal") == "faster"
    assert c.advice.findings[0].id == "finding-gpu0-dataparallel"


LLAVA_100_HOURS = ("100 hours was needed for instruction tuning in my experiment.....is this nomal? 2machines×4A100-40G"
                   "（total 8A100）was used in our fintuning, same dataset with paper. Due to the 40G of my A100, the "
                   "finetuing parameters set in experiment is 2 per_device_train_batch_size x 8 "
                   "gradient_accumulation_steps x 8 num_gpus. ps: I noticed that 8×A100-80G was used in the paper and "
                   "it took 20 hours, and the parameters of your is 16 per_device_train_batch_size x 1 "
                   "gradient_accumulation_steps x 8 num_gpus")


def test_a_run_five_times_the_papers_time_leads_with_the_ratio_and_its_causes(kb):
    """Review 67 #17: the user's 100 hours against the paper's 20 on as many GPUs: 5×, and the differences that cost
    it (the micro-batch made up with accumulation, two machines); the same batch per update, so no LR change."""
    c = run_consultation(LLAVA_100_HOURS, kb=kb)
    assert c.wm.value("current_duration") == 100 * 3600 and c.wm.value("reference_duration") == 20 * 3600
    assert c.wm.value("duration_over_reference") == pytest.approx(5)
    assert finding_ids(c)[0] == "finding-slower-than-reference-by"
    assert "5×" in c.advice.findings[0].title
    assert c.wm.value("reference_batch") == 128 and c.wm.value("effective_batch") == 128
    assert "finding-slower-than-reference" not in finding_ids(c)  # (the checklist without figures: said once)


def test_a_time_the_user_spent_elsewhere_is_no_run_time(kb):
    assert read_message(kb, "I spent 5 hours debugging this OOM").get("current_duration") is None
    # a source's time only where the source is named before it
    assert read_message(kb, "My run took 30 hours on 4 GPUs").get("reference_duration") is None


def test_an_epoch_slower_than_the_papers_epoch(kb):
    """Review 68 #24: "It takes 15 hours for a single epoch … In your paper, only takes 66 hours for whole 10 epochs":
    an epoch of 15 h against the paper's 6.6 h is 2.27× - said per epoch, not as the whole run's time."""
    c = run_consultation("I try reproduce BLIP2 for 4M dataset in 8 A100 gpus (40GB). But, It takes 15 hours for a "
                         "single epoch in stage1. Could you give some advice for accelerating this? In your paper, "
                         "only takes 66 hours for whole 10 epochs.", kb=kb)
    assert c.wm.value("epoch_seconds") == 15 * 3600 and c.wm.value("reference_epoch_seconds") == 6.6 * 3600
    assert not c.wm.known("current_duration")
    assert c.wm.value("duration_over_reference") == pytest.approx(15 / 6.6)
    assert finding_ids(c)[0] == "finding-epoch-slower-than-reference"


def test_a_time_no_batch_size_moves_is_spent_outside_the_model(kb):
    """Review 67 #4: DPR's generate_dense_embeddings over a 22 GB corpus takes ~18 minutes at every batch size from 1 to
    1024: the loading, not the encoder."""
    c = run_consultation("no effect of changing batch size in the time it takes to generate embeddings.\nI am trying to "
                         "generate embeddings from a large text corpus (22gb) with generate_dense_embeddings.py "
                         "--batch_size=128 --shard_id=0 --num_shards=1000. The problem is it takes the same amount of "
                         "time to complete with different batch sizes. I have tried with batch sizes - 1, 32, 64, 128, "
                         "256, 512, 1024. Time taken is always similar (~18 minutes).", kb=kb)
    assert c.wm.value("generation_run") is True
    assert c.advice.findings[0].id == "finding-time-flat-across-batches"


def test_espnet1_multiplies_the_batch_by_the_gpus(kb):
    """Review 69 #6: "the AMI recipe (espnet v1) … with ngpu=1 and ngpu=2. The WERs are quite different (27.1 vs
    41.1)": ESPnet1 multiplies --batch-size by --ngpu (ESPnet2's batch_bins is the total) - the diagnosis leads, and
    the accuracy question is no memory goal."""
    c = run_consultation("Difference in WERs from single vs multi-GPU\n\nI've run the AMI recipe (espnet v1) using the "
                         "RNN model `train_rnn.yaml` with `ngpu=1` and `ngpu=2`. The WERs are quite different (27.1 vs "
                         "41.1). Is this expected or is there any configuration I can tweak to improve the multiple GPU "
                         "result?", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-espnet1-batch-grows-with-gpus" and "finding-espnet-batch-is-total" not in ids
    assert "user_goal" not in c.wm.facts or c.wm.value("user_goal") != "fit"


def test_a_run_on_one_image_that_still_takes_days_is_set_in_iterations(kb):
    """Review 69 #24: "I ran a sample training with only one image … the training script says it needs 1 day 18 hrs
    to complete training on this minuscule training set" - the run's length is its iterations (42 h read whole)."""
    c = run_consultation("I ran a sample training with only one image and one instance/bbox in that image, but the "
                         "training script says it needs 1 day 18 hrs to complete training on this minuscule training "
                         "set. How many iterations do you recommend for fine-tuning on my custom set of around 1000 "
                         "images?", kb=kb)
    assert c.wm.value("current_duration") == 42 * 3600
    assert c.advice.findings[0].id == "finding-run-set-in-iterations-not-data"


@pytest.mark.parametrize("message", [
    "When I tried training dqn from scratch in Atari envs for 10M steps, it only takes about 1000MiB on my gpu and "
    "it's really slow (I have to wait for more than 2 days). Is there any help on how to speed it up? RTX-2080Ti.",
    "MLAgents with PPO: I figured I'd buy some nvidia RTX GPUs and get 5x faster trainings with visual observations "
    "at 128x128 and 4 agent copies. GPU is no faster for training?",
])
def test_an_rl_run_stepping_environments_is_bound_by_them(kb, message):
    """Reviews 69 #17 and 70 #6: an RL run's time is its environment steps on the CPU; the GPU only runs the small
    network's updates - no training mode of a pre-trained model, no memory plan."""
    c = run_consultation(message, kb=kb)
    assert c.advice.findings[0].id == "finding-rl-env-bound"
    assert "training_mode" not in c.wm.facts or c.wm.value("training_mode") != "finetune"


def test_tfrs_retrieval_metrics_in_training(kb):
    """Review 70 #15: a plain Keras LSTM at 20 s an epoch, the same data as a TFRS retrieval model at 5 hours: the
    FactorizedTopK metrics score every batch against all candidates while training."""
    c = run_consultation("Question: Performance of TFRS vs Keras Models\n\nThe above model takes around 20 secs per "
                         "epoch. If I reframe this problem as a recommendation task, the same dataset takes around 5 "
                         "hours for a single epoch. My vocabulary of items was large (600k) so I reduced this to 10k "
                         "items and still the change is not huge. My assumption is that this is due to the `Retrieval` "
                         "task, is this correct?", kb=kb)
    assert c.advice.findings[0].id == "finding-tfrs-topk-in-training"


def test_batched_transcription_slower_is_a_generation_question(kb):
    """Review 70 #12 (whisper-jax): "increasing the batch size leads to marginally slower transcription times … Due to
    lack of availability of TPUs … we're running on GPUs" - a model run to transcribe (no training red flag), and no
    TPU of the user's."""
    c = run_consultation("Due to lack of availability of TPUs and high end GPUs in google cloud, we're running our code "
                         "on GPUs. With whisper-jax the best we have been able to see is a modest reduction in "
                         "transcription time when running with a batch size of just 1. We've found that increasing the "
                         "batch size leads to marginally slower transcription times.", kb=kb)
    assert c.wm.value("generation_run") is True and c.wm.value("tpu_named") is not True
    assert c.advice.findings[0].id == "finding-batched-generation-slower"
    assert "rf-slower-after-increase" not in [r.id for r in c.advice.red_flags]


def test_which_gpu_specification_decides_the_speed(kb):
    """Review 70 #28: "which one of these factors are impactful on the inference speedup when using an RTX GPU: Number
    of Cuda cores, Number of tensorflow cores, RAM of the graphic card, Ray tracing feature" ("tensorflow cores" are
    Tensor Cores, no TensorFlow)."""
    c = run_consultation("Would you please guide me, which one of these factors are impactful on the inference speedup "
                         "when using an RTX GPU:\n- Number of Cuda cores\n- Number of tensorflow cores\n- RAM of the "
                         "graphic card\n- Ray tracing feature", kb=kb)
    assert c.wm.value("tensorflow_named") is not True
    assert c.advice.findings[0].id == "finding-gpu-specs-for-speed"


def test_an_oom_fixed_by_an_8bit_base_then_slow(kb):
    """Review 71 #24: "I got an OOM. So i set the `load_in_8_bit=True` But I am getting extremely slow fine tuning
    speed" - the change fixed the OOM, the run trains: the 8-bit base is the slow part, not a plan that does not fit;
    and "The table claims we can do this in just a single RTX 3090" is the table's card, the L4 the user's."""
    message = ("Reproducing sentiment finetuning train_lora extremely slow\n\nThe table claims we can do this in just a "
               "single RTX 3090 within a day.\nI am using a L4 GPU instead.\n\n```\ndeepspeed -i train_lora.py \\\n"
               "--base_model llama2-13b-nr \\\n--max_length 512 \\\n--batch_size 16 \\\n--num_epochs 20 \\\n```\n\n"
               "I got an OOM.\n\nSo i set the `load_in_8_bit=True`\n\nBut I am getting extremely slow fine tuning speed "
               "A single epoch is estimated to take 2 days.")
    found = read_message(kb, message)
    assert found["gpu_model"][0] == "l4" and "oom" not in found and found["claim_run_fits"][0] is True
    assert found["user_goal"][0] == "faster"
    c = run_consultation(message, kb=kb)
    assert c.advice.findings[0].id == "finding-int8-base-slow"
    assert c.wm.value("int8_base_at_4bit") == pytest.approx(13e9 * 0.5)
    assert "plan-does-not-fit" not in [f.id for f in c.advice.findings]


def test_an_8bit_base_of_unsaid_size_is_still_the_slow_part(kb):
    # review 83 #13, in Chinese: LoRA on a 4090 is rather slow; the model is in 8 bits - is that why?
    c = run_consultation("最近用4090 lora微调近10小时的数据，发现训练的比较慢。模型开启了8bit。是因为这个原因吗？", kb=kb)
    assert c.wm.value("base_bits") == 8 and not c.wm.known("params")
    assert c.advice.findings[0].id == "finding-int8-base-slow-unsized"


@pytest.mark.parametrize("message", [
    "I got OOM so I reduced the batch to 4; now it runs but is very slow.",
    "I got an OOM. So I enabled gradient checkpointing, and now it trains but slowly.",
])
def test_an_oom_the_users_change_fixed_is_no_question_of_fitting(kb, message):
    found = read_message(kb, message)
    assert "oom" not in found and found["user_goal"][0] == "faster"


def test_an_oom_still_there_after_a_change_stays(kb):
    found = read_message(kb, "I got OOM so I reduced the batch to 4, but it still runs out of memory.")
    assert found["oom"][0] is True


def test_a_references_steps_at_the_users_pace(kb):
    """Review 74 #2: "using 128 A800 cards … after training for 5 days, I completed only 230 steps … How did you manage
    to train for 6K steps with 128 cards?" - the 128 cards are the user's too (", using" is theirs), 5 days / 230 =
    31.3 min a step, and 6,000 such steps take 130 days."""
    c = run_consultation("I used the verl dapo branch to try to reproduce the results of the dapo paper, using 128 A800 "
                         "cards. Other parameters were kept the same as in dapo, and after training for 5 days, I "
                         "completed only 230 steps.\n\nHow did you manage to train for 6K steps with 128 cards? Is there "
                         "any way to speed up the process?", kb=kb)
    assert c.wm.value("num_gpus") == 128
    assert c.wm.value("step_seconds") == pytest.approx(5 * 86400 / 230)
    assert c.wm.value("reference_steps_time") == pytest.approx(6000 * 5 * 86400 / 230)
    assert c.advice.findings[0].id == "finding-reference-steps-at-your-pace"


def test_one_card_timed_beside_several_of_it(kb):
    """Review 74 #4: "on 6000ADA, I got ~5it/s … on 2 x 6000ADA, I got 1.5s/it" - the card named without a count is
    one of them: 5 steps/s on 1 GPU against 0.67 on 2."""
    found = read_message(kb, "- I use the recipe `lora_finetune_single_device` on 6000ADA, I got ~5it/s\n- I use the "
                             "recipe `lora_finetune_distributed` on 2 x 6000ADA, I got 1.5s/it\nHow can I improve the "
                             "performance in multiple GPU?")
    assert found["steps_per_second_by_gpus"][0] == [[1, 5.0], [2, pytest.approx(1 / 1.5)]]


def test_an_idle_gpu_with_no_loader_workers_is_waiting_on_the_data(kb):
    """Review 75 #7: "`0%` GPU-Util … nDataLoaderThread = 0": the utilisation in backticks and the loader's threads
    under voxceleb_trainer's key are read, and together they say the GPU waits - no question whether the loader is
    the bottleneck."""
    from advisor.consultation import read_message, run_consultation
    message = ("Training is extremely slow on a single V100. nvidia-smi shows `24809MiB / 32480MiB` used but `0%` "
               "GPU-Util. My config: batch_size = 900, nDataLoaderThread = 0, lr = 0.001")
    found = read_message(kb, message)
    assert (found["gpu_utilization"][0], found["dataloader_workers"][0]) == (0, 0)
    c = run_consultation(message, kb=kb)
    assert c.advice.findings[0].id == "finding-few-loader-workers"
    assert "data_loader_bound" not in [q.id for q in c.advice.questions]
    # with workers, the same utilisation leaves the loader's share to measure
    c = run_consultation(message.replace("nDataLoaderThread = 0", "nDataLoaderThread = 2"), kb=kb)
    assert not c.wm.known("gpu_waits_on_loading")


def test_the_env_count_of_an_on_policy_run_is_a_batch_size(kb):
    """Review 75 #29: rl-zoo's A2C on Breakout, "n_envs=16 vs n_envs=40", n_timesteps 1e7: at A2C's default 5 steps per
    env, 16 envs make 80 transitions an update and 125,000 updates, 40 make 200 and 50,000."""
    from advisor.consultation import run_consultation
    message = ("I'm running a2c with default parameters (rl-zoo) on BreakoutNoFrameskip-v4 where the only difference "
               "is `n_envs=16` vs `n_envs=40`. config.yml: n_envs: 40 (or 16), n_timesteps: 10000000.0{steps}. "
               "Why such a performance gap?")
    c = run_consultation(message.format(steps=""), kb=kb)
    assert (c.wm.value("rl_rollout"), c.wm.value("rl_updates")) == (80, 125000)
    assert (c.wm.value("rl_rollout_other"), c.wm.value("rl_updates_other")) == (200, 50000)
    assert c.advice.findings[0].id == "finding-rl-envs-set-the-batch" and c.wm.value("rl_steps_default") is True
    # the steps said outrank the default
    c = run_consultation(message.format(steps=", n_steps: 8"), kb=kb)
    assert (c.wm.value("rl_rollout"), c.wm.value("rl_updates")) == (128, 78125)
    assert not c.wm.known("rl_steps_default")
    # envs without the steps they collect: where they run is what the answer can say
    c = run_consultation("PPO: I raised NUM_ENV from 32 to 128 but GPU memory did not change and it is no faster", kb=kb)
    assert "finding-rl-envs-on-the-cpu" in [f.id for f in c.advice.findings]


def test_a_step_of_hours_is_a_gpu_that_waits(kb):
    """Review 77 #3: "it takes 3 hours to do 1 step" on CogVideoX-5B with a 4090: at the card's peak a step that long
    holds tens of millions of tokens a GPU - far more than any micro-batch - so the card mostly waited (a spill into
    system RAM, an offload); a normal step's time gives no such finding."""
    c = run_consultation("Finetune CogVideoX-5B T2V: it takes 3 hours to do 1 step using RTX 4090. Is it normal?", kb=kb)
    peak = c.wm.value("gpu_peak_tflops") * 1e12
    assert c.wm.value("step_tokens_at_peak") == pytest.approx(3 * 3600 * peak / (6 * 5e9))
    assert finding_ids(c)[0] == "finding-step-far-longer-than-compute"
    c = run_consultation("Llama-2-7B full fine-tune on 8 A100 80GB: one step takes 9 seconds. Is it normal?", kb=kb)
    assert "finding-step-far-longer-than-compute" not in finding_ids(c)


def test_two_progress_bars_of_two_batches_are_two_runs(kb):
    """Review 78 #14: "train 4 batch 8 gpu: … 72.77s/it" and "train 1 batch 8 gpu: … 21.49s/it" are two runs' bars
    (each GPU's batch, under the 8 GPUs): batch 4 gives 8 × 4 / 72.77 against 8 × 1 / 21.49 samples/s - no run slowing
    step by step, no multi-GPU slowdown, no batched generation."""
    c = run_consultation("I am using 8 A800 GPUS to train the cogvideo 5b model sft, and I realize the training speed "
                         "is slower when I set batch size to 4 compared with when I set batch size equal to 1.\n"
                         "GPU train 4 batch 8 gpu:\nSteps:   0%|▏   | 18/20000 [23:57<403:54:45, 72.77s/it, loss=0.07]\n"
                         "train 1 batch 8 gpu:\nSteps:   0%|▏   | 17/20000 [07:43<119:15:51, 21.49s/it, loss=0.11]\n"
                         "Shouldn't it be faster with batch size 4?", kb=kb)
    assert c.wm.value("step_seconds_by_batch") == [[4, 72.77], [1, 21.49]]
    assert c.wm.value("micro_batch") == 4
    ids = finding_ids(c)
    assert "1.18× the samples/s" in c.advice.findings[0].title
    assert not {"finding-steps-slow-down", "finding-batched-generation-slower"} & set(ids)
    assert not c.wm.known("claim_multi_gpu_slower") or c.wm.value("claim_multi_gpu_slower") is False


def test_more_gpus_that_ran_more_epochs_were_faster(kb):
    """Review 77 #14: "two A40 cards … the time required for training is almost the same as using a single card, and
    the number of epochs increases from 1 to 2": a run set in steps went through twice the data - the speed-up, not a
    launch to check. Without that clause, the short answer names the one option it weighs (it once said "the option
    below" and showed none)."""
    from advisor.shells.render import render_short
    message = ("Multiple GPU Lora training is not working. I have successfully configured two A40 graphics cards to "
               "perform Lora training. During training, both cards are observed to be utilized, but the training speed "
               "does not improve significantly. The time required for training is almost the same as using a single "
               "card{}. Furthermore, the training results achieved with two cards are even worse than those obtained "
               "with a single card. I would like to know if it is possible to accelerate Lora training using multiple "
               "cards. If so, what should I do? Apart from setting the Accelerate config, are there any additional "
               "steps required?")
    c = run_consultation(message.format(", and the number of epochs increases from 1 to 2"), kb=kb)
    assert finding_ids(c) == ["finding-more-gpus-more-epochs"]
    c = run_consultation(message.format(""), kb=kb)
    text = " ".join(render_short(c).split())
    assert "option below" not in text
    assert "One option is what I can offer; weigh its tradeoffs. Option: More computation per sync" in text


def test_an_image_diffusion_step_counted_in_its_image_tokens(kb):
    """Review 77 #12: SD3 LoRA on 4 A6000s, 1024² images, batch 10, 40-50 s an iteration: (1024/16)² = 4,096 tokens an
    image, 4 FLOPs a parameter under LoRA - a few percent of the card at most, so the GPU waits; a FLUX LoRA step of
    1.2 s on an H100 is no such run."""
    c = run_consultation("I have been trying to train a LoRA on SD3 using the multi-GPU setting. I am on 4 48GPUs "
                         "(A6000), and my dataset is 1000 1024x1024images. I set the batch size as 10 and do no "
                         "gradient accumulation. Each iteration takes 40-50 seconds. Is it normal?", kb=kb)
    tflops = 4 * 2e9 * 4096 * (10 / 4) / 50 / 1e12
    assert c.wm.value("dit_step_tflops") == pytest.approx(tflops)
    assert finding_ids(c)[0] == "finding-dit-step-utilization-low"
    c = run_consultation("FLUX.1-dev LoRA on one H100 at 1024x1024 with batch size 1. Each iteration takes 1.2 seconds. "
                         "Is it normal?", kb=kb)
    assert c.wm.known("dit_step_utilization") and "finding-dit-step-utilization-low" not in finding_ids(c)


def test_a_pipeline_runs_faster_at_a_smaller_micro_batch_by_its_bubble(kb):
    # Megatron with TP=2 PP=2 on 8 GPUs: 2 copies in data parallel, 256 / (16 × 2) = 8 micro-batches an update
    c = run_consultation("Same global_batch_size but a smaller micro_batch_size is faster? Megatron-LM, 8 GPUs, "
                         "TP=2 PP=2, global_batch_size=256, micro_batch_size=16, llama 7B. Why is the iteration "
                         "faster with a smaller micro batch?", kb=kb)
    assert c.wm.value("pipeline_stages") == 2
    assert c.wm.value("grad_accum_steps") == 8
    assert c.wm.value("pipeline_bubble_share") == pytest.approx(1 / 9)
    assert c.wm.value("pipeline_bubble_share_halved") == pytest.approx(1 / 17)
    assert finding_ids(c)[0] == "finding-pipeline-bubble"
    assert "11.1%" in c.advice.findings[0].title


def test_no_pipeline_no_bubble(kb):
    c = run_consultation("Megatron-LM, 8 GPUs, TP=2 PP=1, global_batch_size=256, micro_batch_size=16. Why is the "
                         "iteration faster with a smaller micro batch?", kb=kb)
    assert not c.wm.known("pipeline_bubble_share")
    assert "finding-pipeline-bubble" not in finding_ids(c)


def test_fixed_steps_on_more_gpus_train_more_samples(kb):
    # 200000 steps on 4 GPUs with accumulation 2: each step trains 8 batches, so twice the time is 4× the rate
    c = run_consultation("Single-gpu: python3 run_downstream.py -m train. Multi-gpu: python3 -m torch.distributed."
                         "launch --nproc_per_node 4 run_downstream.py -o config.runner.gradient_accumulate_steps=2. "
                         "The multi-gpu code is taking more time than the single-gpu one, both 200000 steps. Why?",
                         kb=kb)
    assert c.wm.value("batches_per_fixed_step") == 8
    assert finding_ids(c)[0] == "finding-fixed-steps-train-more-on-more-gpus"
    assert "8 batches" in c.advice.findings[0].title


def test_a_run_without_a_step_count_gets_no_fixed_step_multiple(kb):
    c = run_consultation("Multi-gpu training on 4 GPUs with DDP is taking more time than the single-gpu one. Why?",
                         kb=kb)
    assert not c.wm.known("batches_per_fixed_step")
    assert "finding-fixed-steps-train-more-on-more-gpus" not in finding_ids(c)


def test_memory_full_then_a_crawl_is_the_spill(kb):
    # review 84 #6: LLaMA-Factory on Windows, an RTX 4090: free VRAM shrinks, and once full 1 s/it becomes 1000 s/it
    c = run_consultation("Platform: Windows-10, GPU type: NVIDIA GeForce RTX 4090, Qwen2.5-7B, batch_size=1. After some "
                         "steps VRAM empty size starts to shrink. Because when it gets full i'm goin from 1s/it to "
                         "1000s/it and it just stuck??", kb=kb)
    assert c.wm.value("spill_said") is True
    assert c.advice.findings[0].id == "finding-spill-said"
