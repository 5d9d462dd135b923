"""First moves against an out-of-memory error, read from what the error and the message give (rules/memory.yaml):
the run's own share of its card, and halving the batch said. Messages are written the way engineers post them."""

import pytest

from advisor.consultation import read_message, run_consultation


def finding_ids(c) -> list[str]:
    return [f.id for f in c.advice.findings]


def test_an_oom_that_gives_the_run_s_own_memory_and_what_is_left_says_the_run_fills_its_card(kb):
    """PaddlePaddle's message gives the process's allocated memory and what is left, not the card."""
    c = run_consultation('Training with PaddleVideo I get: "Out of memory error on GPU 0. Cannot allocate 80.000000MB '
                         'memory on GPU 0, 10.647278GB memory has been allocated and available memory is only '
                         '108.750000MB." But my available memory is greater than GPU 0. How can I fix this?', kb=kb)
    allocated, free = 10.647278e9, 108.75e6
    assert c.wm.value("oom_pytorch_allocated") == pytest.approx(allocated)
    assert c.wm.value("oom_free") == pytest.approx(free)
    assert c.wm.value("oom_run_share") == pytest.approx(allocated / (allocated + free))
    assert finding_ids(c)[0] == "finding-oom-run-fills-its-card"
    assert not c.wm.known("gpu_memory")  # (the allocated size is a use, not the card)


def test_an_oom_with_most_of_the_card_free_is_not_the_run_filling_it(kb):
    c = run_consultation('RuntimeError: Cannot allocate 8.000000GB memory on GPU 0, 2.000000GB memory has been '
                         'allocated and available memory is only 6.500000GB.', kb=kb)
    assert c.wm.value("oom_run_share") < 0.9
    assert "finding-oom-run-fills-its-card" not in finding_ids(c)


def test_a_first_move_against_an_oom_may_halve_the_batch_said(kb):
    """Nothing counted yet (no card, no model): the savers, or half the micro-batch with accumulation."""
    c = run_consultation("I get CUDA out of memory when training my segmentation model with batch_size=8 on my GPU.",
                         kb=kb)
    assert c.wm.value("batch_to_halve") == 8
    assert "halve the micro-batch (8 now)" in c.advice.recommendation.rationale
    from advisor.shells.render import deciding_numbers
    assert "batch_to_halve" not in deciding_numbers(c)  # (the user's own batch, taken over: nothing computed)
    bare = run_consultation("I get CUDA out of memory when training my segmentation model.", kb=kb)
    assert "halve" not in bare.advice.recommendation.rationale


def test_memory_that_climbs_to_a_ceiling_is_no_leak(kb):
    """"gpu memory usage increases. Although there is an upper limit, there is a problem in determining the
    appropriate batch size … there might be gpu memory leak" (review 45 #28): the allocator, sized by the worst batch."""
    c = run_consultation("As the training process progresses, gpu memory usage increases.\nAlthough there is an upper "
                         "limit, there is a problem in determining the appropriate batch size.\nI'm currently thinking "
                         "there might be gpu memory leak in somewhere.", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-gpu-memory-climbs-to-a-ceiling"
    assert "finding-gpu-memory-grows-per-step" not in ids


def test_a_use_read_before_the_first_forward_is_no_activation(kb):
    """"14678MiB after `deepspeed.initialize()`, 19890MiB after the first forward" (review 45 #10): what is on the GPU
    before any step is the weights, a whole 16-bit copy put there before sharding - not activations."""
    c = run_consultation("ZeRO-3 with offload_optimizer and offload_param on 4 GPUs, a 6805M model: the GPU memory usage "
                         "is 14678MiB after `deepspeed.initialize()`, 19890MiB after the first forward.", kb=kb)
    assert c.wm.value("measured_before_forward") is True
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-sharded-run-holds-whole-weights"
    assert "finding-measured-far-above-count" not in ids


def test_a_sharded_oom_where_one_sample_fits_easily_points_at_loading(kb):
    """"falcon-40b with lora on 8*A100 80G … OOM with max length 1024, bf16, zero3 stage and cpu offload" (review 45
    #6): at micro-batch 1 the plan takes under half of each card, so the loading is the usual suspect."""
    c = run_consultation("Anyone else have successfully finetuned falcon-40b with lora on 8*A100 80G cards? I still "
                         "face OOM with max length 1024, bf16, zero3 stage and cpu offload, lora only on attention "
                         "parameters", kb=kb)
    assert c.wm.value("plan_at_one_share") < 0.5
    assert [f.id for f in c.advice.findings][0] == "finding-sharded-oom-where-one-sample-fits"
    assert "zero.Init" in c.advice.findings[0].text


def test_an_oom_in_the_fp32_cast_is_named_before_the_plan(kb):
    """'我在单机8卡3090上全量预训练baichuan-7b，但总是爆显存' with a traceback through `model = model.float()` (review 47
    #17): 8 GPUs (not a card number's count), the cast is what fails - 7B × 4 bytes on one card - and the traceback's
    python3.8 path is no plain-python launch."""
    message = ("我在单机8卡3090上全量预训练baichuan-7b,但总是爆显存\nTraceback (most recent call last):\n"
               "  File \"pretraining.py\", line 706, in main\n    model = model.float()\n"
               "  File \"/usr/local/lib/python3.8/dist-packages/transformers/modeling_utils.py\", line 2576, in float\n"
               "    return super().float(*args)\ntorch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate "
               "172.00 MiB (GPU 0; 23.70 GiB total capacity)")
    facts = read_message(kb, message)
    assert facts["num_gpus"][0] == 8 and "launch" not in facts
    c = run_consultation(message, kb=kb)
    assert c.advice.findings[0].id == "finding-oom-at-float-cast"
    assert c.wm.value("fp32_cast_bytes") == pytest.approx(7.0e9 * 4, rel=0.01)


def test_a_wikis_setup_is_no_setting_of_the_run(kb):
    """LLaMA-Factory QLoRA of Llama-3.1-8B at cutoff_len 51974 on an H100, OOM, 'according to [the performance
    comparison](…/wiki/…), it should be possible … using unsloth + fa2' (review 47 #4): the wiki's Unsloth and FA2 are
    not the run's, whose config names neither - so the 128k-word vocabulary's logits are counted and lead."""
    message = ('{"model_name_or_path": "/vol/models/vanilla/Meta-Llama-3.1-8B-Instruct-bnb-4bit", "quantization_bit": '
               '4, "finetuning_type": "lora", "cutoff_len": 51974, "per_device_train_batch_size": 1, '
               '"gradient_accumulation_steps": 8, "bf16": true, "ddp_timeout": 180000000}\n'
               "Try to fine tune `unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit` on a 80GB H100 using `cutoff_len: "
               "51974` and it OOMs.\nAccording to [this performance comparison](https://github.com/hiyouga/"
               "LLaMA-Factory/wiki/Performance-comparison), it should be possible to train a 7b model using unsloth "
               "+ fa2 with a single 80GB GPU at this context length.")
    facts = read_message(kb, message)
    assert "fused_loss" not in facts and facts.get("attention", (None,))[0] != "flash"
    assert "parallelism" not in facts  # (ddp_timeout is the Trainer's setting, no DDP)
    c = run_consultation(message, kb=kb)
    assert "finding-logits-dominate-the-plan" in [f.id for f in c.advice.findings]


def test_the_sequence_asked_as_what_limits_the_batch(kb):
    """'batch size 2 with 4 gradient_accumulation_steps is relatively small for 4090 24GB VRAM … or is it due to the
    max sequence size 8196 that would lead to OOM?' (review 47 #3): yes - 16,392 tokens a micro-batch."""
    c = run_consultation("I see the batch size is 2 with 4 gradient_accumulation_steps, this is relatively small for "
                         "4090 24GB VRAM, I think it could train with a larger batch size, or is it due to the max "
                         "sequence size is 8196 that would lead to OOM?", kb=kb)
    assert c.wm.value("tokens_per_micro_batch") == 2 * 8196
    assert c.advice.findings[0].id == "finding-sequence-limits-the-batch"


def test_another_process_listed_on_the_card_is_memory_held_elsewhere(kb):
    """Review 50 #2 (PyTorch 2.1's "total capacty", sic): "Process 147633 has 32.01 GiB memory in use. Including
    non-PyTorch memory, this process has 46.70 GiB": the listed process is another one, and the card was full of it."""
    error = ("OutOfMemoryError: CUDA out of memory. Tried to allocate 632.00 MiB. GPU 0 has a total capacty of 79.15 "
             "GiB of which 452.44 MiB is free. Process 147633 has 32.01 GiB memory in use. Including non-PyTorch "
             "memory, this process has 46.70 GiB memory in use. Of the allocated memory 42.63 GiB is allocated by "
             "PyTorch, and 1.05 GiB is reserved by PyTorch but unallocated.")
    message = "LoRA on Falcon-7B with 8 A100 80GB, micro_batch_size = 4. It runs ~15k iterations and then fails:\n" + error
    facts = {name: value for name, (value, _) in read_message(kb, message).items()}
    assert facts["oom_capacity"] == 79.15 * 2**30 and facts["oom_other_processes"] == 32.01 * 2**30
    c = run_consultation(message, kb=kb)
    assert "finding-oom-memory-held-elsewhere" in [f.id for f in c.advice.findings]
    # the same error with no other process listed: the run's own memory, not held elsewhere
    alone = message.replace("Process 147633 has 32.01 GiB memory in use. ", "")
    assert "finding-oom-memory-held-elsewhere" not in [f.id for f in run_consultation(alone, kb=kb).advice.findings]


def test_keras_fit_copying_the_whole_array_to_the_gpu(kb):
    """Review 50 #28: TF 2.2's "Failed copying input tensor from CPU:0 to GPU:0 … Dst tensor is not initialized" with
    "X shape: (35000, 200, 311)": the whole array goes to the GPU - its float32 size, and keeping it on the host."""
    message = ("Training produces Out Of Memory error with TF 2.2 on a K80 12GB. X shape: (35000, 200, 311), y shape: "
               "(35000, 200, 19). Right before the first epoch: InternalError: Failed copying input tensor from "
               "/job:localhost/replica:0/task:0/device:CPU:0 to /job:localhost/replica:0/task:0/device:GPU:0 in order "
               "to run GatherV2: Dst tensor is not initialized. [Op:GatherV2]")
    c = run_consultation(message, kb=kb)
    finding = next(f for f in c.advice.findings if f.id == "finding-fit-copies-the-arrays-to-the-gpu")
    assert f"{35000 * 200 * 311 * 4 / 2**30:.2f} GiB" in finding.title
    assert c.advice.recommendation.option_id == "data-on-the-host"
    # a shape said with no copy failing is no such diagnosis
    plain = run_consultation("X shape: (35000, 200, 311) and training OOMs on a K80 with TensorFlow", kb=kb)
    assert "finding-fit-copies-the-arrays-to-the-gpu" not in [f.id for f in plain.advice.findings]


def test_a_quantizer_of_loaded_models_needs_the_16_bit_weights_first(kb):
    """Review 50 #22 (SimpleTuner, SD3.5-Large LoRA on 16GB: "adamw_bf16, int8-quanto immediately OOM … works with
    --quantize_via=cpu"): quanto quantizes a model already loaded, whose 16-bit weights fill the card first."""
    message = ("SD3.5-Large LoRA on a 16GB VRAM card: the default settings (adamw_bf16, int8-quanto) immediately OOM. "
               "What settings should I use?")
    c = run_consultation(message, kb=kb)
    finding = next(f for f in c.advice.findings if f.id == "finding-quantized-after-loading-on-the-gpu")
    share = next(f.value for f in c.advice.facts if f.name == "weights_16bit_card_share")
    assert share == pytest.approx(8.1e9 * 2 / (16 * 2**30)) and f"{8.1e9 * 2 / 2**30:.2f} GiB" in finding.title
    # bitsandbytes' nf4 quantizes while loading: no such finding
    bnb = run_consultation("SD3.5-Large LoRA with bnb-nf4 on a 16GB VRAM card OOMs", kb=kb)
    assert "finding-quantized-after-loading-on-the-gpu" not in [f.id for f in bnb.advice.findings]


def test_a_huge_allocation_in_a_vision_language_model_is_attention_over_visual_tokens(kb):
    """Review 50 #25 (Qwen2-VL-7B LoRA on 4x A6000, MAX_PIXELS=602112, "Tried to allocate 34.83 GiB"): images are capped,
    videos and many images per sample are not - the finding says what to cap and that flash attention builds no scores."""
    message = ("MAX_PIXELS=602112 NPROC_PER_NODE=4 swift sft --model_type qwen2-vl-7b-instruct --sft_type lora "
               "--deepspeed default-zero2\nmy device: NVIDIA RTX A6000 48G *4\ntorch.OutOfMemoryError: CUDA out of "
               "memory. Tried to allocate 34.83 GiB. GPU 0 has a total capacity of 44.55 GiB")
    ids = [f.id for f in run_consultation(message, kb=kb).advice.findings]
    assert "finding-oom-allocation-visual-tokens" in ids and "finding-oom-allocation-one-tensor" not in ids


def test_an_oom_in_the_vision_encoders_attention_mask_is_the_visual_tokens(kb):
    """Review 51 #24 ("lora微调qwen2_5vloom", ms-swift on 2 × 48 GB): a 1.15 GiB allocation in the vision encoder's
    _prepare_attention_mask (modeling_qwen2_5_vl.py) is a mask over one sample's patches, built where attention is not
    flash - the visual-tokens finding, though the allocation is small; and the model is read from the traceback's path."""
    trace = ('lora微调qwen2_5vloom\n[rank0]:   File "/x/site-packages/transformers/models/qwen2_5_vl/modeling_qwen2_5_vl.py", '
             'line 491, in forward\n[rank0]:     attention_mask = self._prepare_attention_mask(hidden_states, cu_seqlens_now)\n'
             '[rank0]:   File "/x/site-packages/transformers/models/qwen2_5_vl/modeling_qwen2_5_vl.py", line 434, in '
             '_prepare_attention_mask\n[rank0]:     attention_mask = torch.full(\n[rank0]: torch.OutOfMemoryError: CUDA out '
             'of memory. Tried to allocate 1.15 GiB. GPU 0 has a total capacity of 47.54 GiB of which 188.75 MiB is free.')
    c = run_consultation(trace, kb=kb)
    assert c.wm.value("qwen_vl_named") is True and c.wm.value("oom_in_vision_encoder") is True
    assert "finding-oom-allocation-visual-tokens" in [f.id for f in c.advice.findings]
    # a small allocation elsewhere in a Qwen-VL run is not the visual tokens'
    other = run_consultation("Qwen2-VL-7B LoRA: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.15 GiB. "
                             "GPU 0 has a total capacity of 47.54 GiB of which 188.75 MiB is free.", kb=kb)
    assert "finding-oom-allocation-visual-tokens" not in [f.id for f in other.advice.findings]


def test_an_espnet_oom_names_its_own_batch_settings(kb):
    """Review 51 #8: "CUDA is out of memory during the training ASR conformer [ESPnet2, 32 GB]. Which parameters should
    be decreased?" - ESPnet2's batch_bins with accum_grad to keep the batch per update, and the longest utterances."""
    c = run_consultation("CUDA out of memory. I have a gpu with a quite enough memory (32 GB). CUDA is out of memory "
                         "during the training ASR conformer. Which parameters should be decreased to complete training?"
                         "\n  File \"/raid/x/espnet/espnet2/bin/asr_train.py\", line 23, in <module>", kb=kb)
    assert c.wm.value("gpu_memory") == 32 * 2**30 and c.wm.value("espnet_named") is True
    finding = next(f for f in c.advice.findings if f.id == "finding-espnet-oom-levers")
    assert "batch_bins" in finding.text and "accum_grad" in finding.text


def test_a_patch_size_changed_by_hand_grows_the_activations_and_may_break_the_strides(kb):
    """Review 51 #23: nnU-Net's patch_size edited from [112, 160, 128] to the whole volume [388.0, 512.0, 512.0] - 44×
    the voxels of the patch that ran, and 388 no multiple of 16 (which divides every axis of the old patch)."""
    c = run_consultation('I train 3d_fullres nnUnet. I changed `patch_size` in `nnUNetPlans.json` from\n"batch_size": 2,\n'
                         '"patch_size": [\n 112,\n 160,\n 128\n],\nto\n"batch_size": 2,\n"patch_size": [\n 388.0,\n'
                         ' 512.0,\n 512.0\n],', kb=kb)
    assert c.wm.value("patch_voxel_ratio") == pytest.approx(388 * 512 * 512 / (112 * 160 * 128))
    assert c.wm.value("patch_stride") == 16 and c.wm.value("patch_stride_kept") is False
    ids = [f.id for f in c.advice.findings]
    assert ids[:2] == ["finding-patch-stride-broken", "finding-patch-grows-activations"]
    assert "finding-nnunet-fixed-epoch" not in ids
    # a patch whose axes keep the stride: only the growth
    c = run_consultation('nnU-Net: I changed "patch_size": [112, 160, 128] to "patch_size": [224, 320, 256] and it '
                         'runs out of memory', kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert "finding-patch-grows-activations" in ids and "finding-patch-stride-broken" not in ids


def test_a_yolo_segmentation_oom_at_batch_one_is_the_masks(kb):
    """Review 51 #15: "When I use size 1280, batch_size 1, yolo-seg model trains my own dataset, 48G of gpu memory is
    not enough" - the per-positive masks of the segmentation loss, not the backbone or the batch."""
    c = run_consultation("yolo-seg model , 48G of gpu memory is not enough\nWhen I use size 1280, batch_size 1, "
                         "yolo-seg model trains my own dataset, 48G of gpu memory is not enough", kb=kb)
    finding = c.advice.findings[0]
    assert finding.id == "finding-yolo-seg-masks-per-object" and "mask-ratio" in finding.text
    detect = run_consultation("yolov7 detection at 1280, batch 16, out of memory on a 24GB card", kb=kb)
    assert "finding-yolo-seg-masks-per-object" not in [f.id for f in detect.advice.findings]


@pytest.mark.parametrize("message", [
    "yolo-seg model, size 1280, batch_size 1, 48G of gpu memory is not enough",
    "CUDA out of memory training an ASR conformer with ESPnet on a 32 GB gpu",
])
def test_a_diagnosis_that_names_the_lever_is_not_followed_by_the_generic_savers(kb, message):
    """Review 51 (after): a YOLO segmentation model's masks or ESPnet's batch_bins named, the provisional "turn on 16-bit
    autocast and activation checkpointing" is no longer the recommendation beside it."""
    c = run_consultation(message, kb=kb)
    assert c.advice.recommendation.option_id != "memory-savers"


@pytest.mark.parametrize("message", [
    "CUDA out of memory after some epochs. I'm training on an EC2 instance with T4 GPU and 16GB of memory. I'm using "
    "a batch size of 2 and image size of 960, however after 3 epochs the script is killed because GPU is out of memory.",
    "Always CUDA OOM after one epoch, no matter what batchsize is, on a 4 GPU machine",
    "CUDA out of memory. I changed the batch size from 50 to 5, but near the end of the first epoch it throws this error (6G of GPU memory)",
    "After several epochs dlib complains that there is not enough memory. GPU used: Titan X with 12 GB memory.",
])
def test_an_oom_after_whole_epochs_is_what_the_epochs_end_runs(kb, message):
    """Review 51 #17 (YOLOR, "after 3 epochs the script is killed because GPU is out of memory"): every training step
    of an epoch fitted, so the answer is the evaluation, sample generation or checkpoint save at its end - not the
    batch, nor 16-bit autocast and checkpointing - and "after 3 epochs" is where the run failed, not its length."""
    c = run_consultation(message, kb=kb)
    assert c.wm.value("oom_at_epoch_end") is True and c.wm.value("oom_at_fixed_step") is True
    assert not c.wm.known("epochs")
    finding = c.advice.findings[0]
    assert finding.id == "finding-oom-at-epoch-end" and "no_grad" in finding.text
    assert "finding-oom-at-a-fixed-step" not in [f.id for f in c.advice.findings]
    assert c.advice.recommendation.option_id is None


@pytest.mark.parametrize("message", [
    "RuntimeError: CUDA out of memory after a few epochs. When training, the GPU memory usage keeps increasing as the "
    "epochs go on.",
    "OOM after 1200 steps fine-tuning llama-3-8b on a 4090",
    "the process was killed by the system for lack of RAM after two epochs",
    "after 80 epochs mAP50 is 0.42 with batch 16 on a 3090",
])
def test_an_epochs_end_is_not_read_where_memory_climbs_steps_fail_or_nothing_failed(kb, message):
    c = run_consultation(message, kb=kb)
    assert "finding-oom-at-epoch-end" not in [f.id for f in c.advice.findings]
    if "mAP50" in message or "steps" in message:  # (no epoch's end failed: nothing read, not only nothing shown)
        assert c.wm.value("oom_at_epoch_end") is False


def test_states_too_big_for_common_cards_are_the_first_lever_when_no_card_is_said(kb):
    """Review 51 #28 (T5-3B, "12GB" after loading, OOM at batch 1, no card named): the fp32 AdamW states alone are
    42.49 GiB, so the answer names what shrinks them (8-bit or Adafactor, LoRA, offload, sharding) - not 16-bit
    autocast and checkpointing, which cut activations only."""
    message = ("I loaded a T5-3b model and checked the memory consumption on the GPU (using nvidia-smi) BEFORE starting "
               "to train. The memory consumption was 12GB. Then, I've started the training process, with a batch "
               "size of 1, and I got out of memory error.")
    c = run_consultation(message, kb=kb)
    finding = next(f for f in c.advice.findings[:2] if f.id == "finding-states-alone-need-a-big-card")
    assert "42.49 GiB" in finding.title and "Adafactor" in finding.text and "LoRA" in finding.text
    assert "on a card below 42.49 GiB no smaller batch" in finding.text  # (the states' bound, not the whole plan's)
    assert c.advice.recommendation.option_id != "memory-savers"
    on_a_card = run_consultation(message + " My GPU is an A6000 48GB.", kb=kb)
    assert "finding-states-alone-need-a-big-card" not in [f.id for f in on_a_card.advice.findings]
    lora = run_consultation("OOM with LoRA on llama-2-7b at batch 1, seq 512", kb=kb)
    assert "finding-states-alone-need-a-big-card" not in [f.id for f in lora.advice.findings]
    small = run_consultation("OOM fine-tuning bert-base at batch 64", kb=kb)
    assert "finding-states-alone-need-a-big-card" not in [f.id for f in small.advice.findings]


def test_memory_that_grows_less_than_the_input_is_the_fixed_part_not_a_learning_rate_question(kb):
    """Review 52 #9: "when I double the batch size B, GPU MEM% also increases by ~2x … with T=16 MEM% only increases
    by ~2x instead of 16x" - a question about memory, answered with the fixed part and the part per sample, not the
    warmup of a larger learning rate."""
    c = run_consultation("I have a vision transformer training where the input has shape (B, T, C, H, W). I notice that "
                         "when I double the batch size B, GPU MEM% also increases by ~2x. On the other hand, when I "
                         "compare single timestep training (T=1) with temporal trainings (e.g. T=16), it looks like "
                         "MEM% only increases by ~2x instead of 16x. Note that I use flash_attn and checkpointing.",
                         kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert c.wm.value("claim_memory_batch_puzzle") is True
    assert "finding-warmup-for-larger-batch" not in ids and ids


def test_adam_counted_as_three_times_the_weights_is_corrected_to_four(kb):
    """Review 52 #6 (MXNet MLP, "The Adam optimizer triple the memory usage to be 1.5G * 3 = 4.5G")."""
    c = run_consultation("The weight matrix for input layer cost 1G; output layer 0.5G. The Adam optimizer triple the "
                         "memory usage to be 1.5G * 3 = 4.5G, is that correct?", kb=kb)
    assert [r.id for r in c.advice.red_flags] == ["rf-adam-four-copies"]


def test_a_run_that_worked_on_windows_and_fails_on_linux_may_never_have_fitted(kb):
    """Review 52 #7 (kohya SDXL LoRA: "I used a 4080 on Windows … I got it to work … with a 3090 on Linux … an
    OutOfMemoryError"): Windows' driver spills into shared memory where Linux raises the error."""
    c = run_consultation("OOM on RTX 3090 with only one image on SDXL. I want to train an SDXL LoRA. I used a 4080 on "
                         "Windows not even a month ago, I got it to work with a batch size of 1.\nHowever, today, I "
                         "tried to train an SDXL LoRA with a 3090 on Linux and it doesn't seem to work at all. I have "
                         "instantly an `OutOfMemoryError` before the first training step.", kb=kb)
    assert c.wm.value("claim_works_on_other_card") is True
    finding = c.advice.findings[0]
    assert finding.id == "finding-worked-on-windows-by-spilling" and "sysmem fallback" in finding.text


def test_gpus_asked_to_share_one_image_are_told_they_cannot(kb):
    """Review 52 #16 (mmdetection, "can I use these 4 GPUs to share just 1 image … using total batchsize=1?")."""
    c = run_consultation("I only have a PC of 4×12GB GPUs, I cannot train large models such as swinT even using "
                         "samples_per_gpu=1. So can I use these 4 GPUs to share just 1 image when training? In other "
                         "words, I assume using samples_per_gpu=1 on 4 GPUs leads to batch_size=4, but can I training "
                         "on these GPUs using total batchsize=1?", kb=kb)
    assert {"rf-gpus-cannot-share-a-sample", "rf-batch-below-gpu-count"} & {r.id for r in c.advice.red_flags}


def test_an_oom_when_step_equals_a_number_is_a_fixed_step(kb):
    """Review 52 #24: "i finetune i2v lora … on 4090, it oom when step=1600"."""
    c = run_consultation("i finetune i2v lora wih h=288 w=640 on 4090, it oom when step=1600", kb=kb)
    assert c.wm.value("oom_at_fixed_step") is True
    assert c.advice.recommendation.option_id != "memory-savers"


def test_an_oom_that_follows_the_data_sets_size_points_at_evaluation_first(kb):
    """Review 52 #14 (HF Trainer, 1.4B on 8x H100: select(range(10000)) works, select(range(500000)) OOMs whatever
    the batch): what grows with the data - the eval set's gathered logits - not the training step."""
    c = run_consultation("Cuda OOM. I'm trying to pre-train a small LLM with Llama architecture with 1.4B parameters "
                         "on 8 * H100. When I load a big dataset in the code it gives an OOM error regardless the batch "
                         "size after some steps. When I'm adding select(range(10000)) to the dataset it works fine, but "
                         "with select(range(500000)) it gives OOM error after some steps.", kb=kb)
    finding = c.advice.findings[0]
    assert finding.id == "finding-oom-follows-dataset-size" and "prediction_loss_only" in finding.text


@pytest.mark.parametrize("message, loaded, states", [
    ("OOM error while training llama-7b with single A100-80G. I use a single A100-80G GPU to fine tune llama-7b and "
     "get OOM error every time. however, when manually load model, it turns out that the model only takes 20G/80G, "
     "which makes this OOM error very strange for me.", "20.00 GiB", "100.41 GiB"),
    ("I loaded a T5-3b model and checked the memory consumption on the GPU (using nvidia-smi) BEFORE starting to train. "
     "The memory consumption was 12GB. Then, I've started the training process, with a batch size of 1, and I got out "
     "of memory error.", "12.00 GiB", "42.49 GiB"),
])
def test_the_memory_seen_after_loading_is_set_against_what_training_holds(kb, message, loaded, states):
    """Review 52 #1 and review 51 #28: "the model only takes 20G/80G" after loading - the weights alone; a training
    step adds gradients and the optimizer's state."""
    c = run_consultation(message, kb=kb)
    finding = next(f for f in c.advice.findings if f.id == "finding-loaded-is-the-weights")
    assert loaded in finding.title and states in finding.title


def test_an_oom_with_several_times_the_request_free_is_no_batch_problem(kb):
    """Review 53 #29 (YOLOv5 at batch 4 on Windows: "Tried to allocate 294.00 MiB (GPU 0; 6.00 GiB total capacity;
    118.62 MiB already allocated; 4.20 GiB free; …)"): the card had room, so the setup, not the batch, failed it."""
    c = run_consultation("RuntimeError: CUDA out of memory. Tried to allocate 294.00 MiB (GPU 0; 6.00 GiB total "
                         "capacity; 118.62 MiB already allocated; 4.20 GiB free; 362.00 MiB reserved in total by "
                         "PyTorch)\npython train.py --img 416 --batch 4 --cfg models/yolov5s.yaml", kb=kb)
    assert finding_ids(c)[0] == "finding-oom-with-more-free-than-asked"


def test_a_detectors_memory_climbing_at_batch_one_follows_the_objects_per_image(kb):
    """Review 53 #9 (Mask R-CNN on iSAID, IMS_PER_BATCH = 1: "memory consumption starts at 3gb, increasing to 5gb after
    few dozen of iters, then 7gb … out of memory error at 3000-10000 iters")."""
    c = run_consultation("Increasing GPU memory usage even after 10000 iters. I'm working with iSAID instance "
                         "segmentation dataset with mask_rcnn_R_50_FPN_3x.yaml. Memory consumption starts at 3gb, "
                         "increasing to 5gb after few dozen of iters, then 7gb after 100-500 iters, and finally getting "
                         "out of memory error at 3000-10000 iters. cfg.SOLVER.IMS_PER_BATCH = 1. The GPU is a TitanX "
                         "12gb.", kb=kb)
    assert finding_ids(c)[0] == "finding-detector-memory-follows-instances"


def test_a_small_cnn_that_runs_out_at_a_handful_of_images_has_its_input_size_checked(kb):
    """Review 57 #8: MobileNetV2 (3.5M parameters) under MirroredStrategy on 4 V100 16GB runs out at a global batch of
    32 - 8 images a card. Its states are 0.44 GiB: the images reaching it are larger than the model was built for."""
    c = run_consultation("TF2 Keras OOM training ImageNet with MobileNet V2. GPUs: 4x Tesla V100 16G. Training has OOM "
                         "errors even when the batch size is reduced to 32. The dataset is prepared with tfds. "
                         "strategy = tf.distribute.MirroredStrategy() with keras.applications.MobileNetV2, "
                         "optimizer='adam'", kb=kb)
    lead = c.advice.findings[0]
    assert lead.id == "finding-small-cnn-oom-check-the-input-size" and "resize" in lead.text
    # the image size said: no such guess
    sized = run_consultation("OOM training MobileNet V2 on 4x V100 16G at batch 32 with 224x224 images, MirroredStrategy",
                             kb=kb)
    assert "finding-small-cnn-oom-check-the-input-size" not in [f.id for f in sized.advice.findings]


def test_the_cardless_count_takes_a_fused_loss_and_says_micro_batch_one(kb):
    """Review 57 #6: Qwen2.5-72B 4-bit LoRA at 32k under Unsloth, card size unsaid: the count keeps no fp32 logits -
    Unsloth's cross-entropy holds one 16-bit copy (review 84 #13: 32,768 × 152,064 × 2 B) - and says it counted
    micro-batch 1 (not 'the largest micro-batch my estimate fits')."""
    message = ("Finetuning a LoRA adapter of Qwen2.5 72B 4bit with a context length of 32K on an A800 with unsloth; I "
               "am hitting OOM. rank=16, --use_gradient_checkpointing unsloth")
    c = run_consultation(message, kb=kb)
    assert c.wm.value("fused_loss") is True and c.wm.value("logits_16bit") is True
    assert c.wm.value("plan_current_logits") == 2 * 32768 * 152064
    assert "micro-batch 1" in c.wm.value("plan_needed_assumed")
    assert "largest micro-batch" not in c.wm.value("plan_needed_assumed")


S5_XLA_OOM = ("Out of memory when batch size is large. I'm trying to increase the batch size on training cifar10 to 1500.\n"
              "`python run_train.py --blocks=3 --bsz=600 --d_model=512 --epochs=250 --jax_seed=16416`\n"
              "2024-04-06 22:22:12.820520: W external/xla/xla/service/hlo_rematerialization.cc:2218] Can't reduce "
              "memory use below 35.65GiB (38280953856 bytes) by rematerialization; only reduced to 36.48GiB "
              "(39170521860 bytes)\n2024-04-06 22:22:35.625179: W external/tsl/tsl/framework/bfc_allocator.cc:485] "
              "Allocator (GPU_0_bfc) ran out of memory trying to allocate 37.88GiB (rounded to 40675475712)requested "
              "by op")


def test_xlas_allocation_is_the_compiled_steps_working_set(kb):
    """Review 65 #16, #29: under XLA the allocation that failed is the step's whole plan, not one tensor nor every
    weight at once; a TPU's memory report, a size a line, names no model and no batch (#5)."""
    c = run_consultation(S5_XLA_OOM, kb=kb)
    assert c.wm.value("xla_program_oom") is True
    assert c.wm.value("xla_program_bytes") == pytest.approx(36.48 * 2**30)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-xla-program-oom"
    assert "finding-oom-allocation-tensor-or-weights" not in ids and not c.wm.known("oom_allocation_as_weights")
    assert c.advice.recommendation.option_id == "memory-savers-jax"
    report = ("RuntimeError: Resource exhausted: Ran out of memory in memory space hbm. Used 14.93G of 8.00G hbm. "
              "Exceeded hbm capacity by 6.93G.\n\nTotal hbm usage >= 14.93G:\n    reserved        529.00M \n"
              "    program          14.41G \n    arguments       unknown size \n\nProgram hbm requirement 14.41G:\n"
              "    reserved           4.0K\n    global           100.0K\n    HLO temp         14.41G (98.3% "
              "utilization: Unpadded (14.16G) Padded (14.40G), 0.0% fragmentation (7.25M))\n")
    c = run_consultation("The batch size the TPU accepts is 2048, not more.\n" + report, kb=kb)
    for name in ("model_named", "params", "gpu_utilization"):
        assert not c.wm.known(name), name
    assert c.wm.value("batch_size") == 2048  # (the user's, not the report's "global 100.0K")
    assert c.wm.value("xla_program_oom") is True
    assert "finding-xla-program-oom" in [f.id for f in c.advice.findings]


def test_graph_code_with_no_batch_option(kb):
    """Review 66 #20: "in your implementation of GRACE i could not find the batch size option, I am unable to execute
    GRACE with DBLP and PubMed on 24 GB GPU": a benchmark graph named makes it a graph model, and full-graph code has
    no batch to lower."""
    c = run_consultation("Why there is no batch size implementation. Hello, in your implementation of GRACE i could not "
                         "find the batch size option, I am unable to execute GRACE with DBLP and PubMed on 24 GB GPU.",
                         kb=kb)
    assert c.wm.value("graph_named") is True and c.wm.value("no_batch_option_said") is True
    assert c.advice.findings[0].id == "finding-graph-no-batch-option"


def test_numpys_memory_error_is_the_hosts(kb):
    """Review 66 #3: "MemoryError: Unable to allocate 511. GiB for an array with shape (107093, 1280970)" is numpy
    allocating in the machine's RAM, not a CUDA out-of-memory error."""
    c = run_consultation("Out-of-memory error with gowalla and LightGCN:\nMemoryError: Unable to allocate 511. GiB for an "
                         "array with shape (107093, 1280970) and data type float32", kb=kb)
    assert c.wm.value("claim_process_killed") is True
    # (LightGCN is a graph network: the graph's own arrays - here a dense user × item matrix - fill the RAM, review
    # 70 #20)
    assert c.advice.findings[0].id == "finding-graph-in-host-ram"
    assert "users × items" in c.advice.findings[0].text


def test_an_oom_while_saving_predictions_after_training_is_evaluations(kb):
    """Review 68 #25: "I can train through 10 epochs (memory reaching near 21GB out of 24 GB available), however … it
    will error out during the final step of saving the model predictions/results"."""
    c = run_consultation("I am continually running into CUDA OOM errors even when lowering the batch size "
                         "significantly. I can train through 10 epochs (memory reaching near 21GB out of 24 GB "
                         "available), however, for reasons unclear to me it will error out during the final step of "
                         "saving the model predictions/results.", kb=kb)
    assert c.wm.value("oom_stage") == "evaluation"


@pytest.mark.parametrize("message", [
    # (review 70 #24)
    "After re-booting my computer the model trains normally the first time I run it (batch size = 2). If I try to "
    "train it again using the same code I get the CUDA out of memory error. Restarting the kernel does not solve the "
    "problem. Reducing the batch size does not solve the problem. Only re-booting the computer solves the problem.",
    "RTX 3090, fine-tuning bert-base with batch 32. Even after killing the script, the memory is still occupied in "
    "nvidia-smi (20GB) and the next run OOMs.",
])
def test_memory_that_outlives_a_restart_is_another_process_not_the_batch(kb, message):
    """A process that ends gives all its GPU memory back: memory still taken after a restart is another live process
    (orphaned DataLoader workers, an old kernel), so the lead is finding it - not a smaller batch or a memory saver."""
    c = run_consultation(message, kb=kb)
    assert finding_ids(c)[0] == "finding-memory-held-by-another-process"
    assert c.advice.recommendation.option_id != "memory-savers"


def test_multi_scale_testing_that_runs_out_on_several_gpus(kb):
    """Review 70 #25: single-scale test fits (about 9000M of 11G), three test scales run out "even though I used 3
    Gpus": a model run to predict, every scale of an image on its GPU - not training advice."""
    c = run_consultation("CUDA out of memory when I use multi scale test. When the input image size is 1100*1650 "
                         "pixels, single scale test has no problem, accounting for about 9000M video memory, a GPU(11G) "
                         "is enough. However, when I used multi Scale test (I set 3 scales [1700,800],[1700,1100],"
                         "[1700,1400]), even though I used 3 Gpus, I still reported an error: CUDA out of memory", kb=kb)
    assert c.wm.value("generation_run") is True
    assert finding_ids(c)[0] == "finding-multiscale-test-memory"
    assert c.advice.recommendation.option_id != "memory-savers"


def test_an_embedding_table_too_large_for_the_host(kb):
    """Review 69 #20 (DGL-KE): 76,914,149 entities × --hidden_dim 400 × 4 B = 123 GB against 256 GB of RAM (its
    row-wise Adagrad adds one number per row) - cutting the triples to a quarter leaves every entity's row."""
    c = run_consultation("I have a 256GB / 40 cores / 4 V100 GPU server. The total of entities is 76914149. The total of "
                         "train triples is 382606627. I tried to use the whole data, 1/2, 1/4 part, these configurations "
                         "all leads to OUT OF MEMORY.\ndglke_train --model_name TransE_l2 --batch_size 1000 --hidden_dim "
                         "400 --mix_cpu_gpu --num_proc 40 --gpu 0 1 2 3", kb=kb)
    assert c.wm.value("embedding_table_bytes") == 76914149 * 400 * 4
    assert c.wm.value("embedding_row_state_bytes") == 76914149 * 4  # (DGL-KE's Adagrad: one number per row)
    assert finding_ids(c)[0] == "finding-embedding-table-size"
    assert c.advice.recommendation.option_id != "memory-savers"


def test_sliding_window_inference_on_large_volumes(kb):
    """Review 70 #17 (MONAI): "sliding_window_inference runs out of memory if roi_size is small and images to infer
    large … exceeds 8gb" - a model of volumes run to predict: no KV cache, the stitched output on the device."""
    c = run_consultation("sliding_window_inference uses too much gpu memory if roi_size is small and images to infer "
                         "large. Evaluate a highres3dnet segmentation with images larger than 512x512x256 and roi_size "
                         "[16,16,16]: the required gpu memory exceeds 8gb", kb=kb)
    ids = finding_ids(c)
    assert ids[0] == "finding-inference-memory-inputs" and "finding-inference-memory" not in ids
    assert not any("KV cache" in f.title for f in c.advice.findings)
    assert "measure-generation-memory" not in [m.id for m in c.advice.measure]


def test_an_mmdetection_config_run_out_of_memory_on_one_card(kb):
    """Review 70 #29: "python train.py ../config/fabric_defect/cascade_rcnn_r50_fpn_70e.py … one GPU (RTX2080, 8GB) …
    OOM … I think I have to reduce the image size (possible?)" - the config names MMDetection, whose levers are the
    train pipeline's scale and the images per GPU."""
    c = run_consultation("`python train.py ../config/fabric_defect/cascade_rcnn_r50_fpn_70e.py`\n\nHello, I only have "
                         "one GPU (RTX2080, 8GB), so I run it on train.py and it doesn't run due to OOM problems. To "
                         "solve this problem, I think I have to reduce the image size (possible?) or increase the GPU.",
                         kb=kb)
    assert c.wm.value("mmdet_named") is True
    assert finding_ids(c)[0] == "finding-mmdet-oom-levers"


def test_a_graph_data_set_named_with_its_size_is_no_model(kb):
    """Review 70 #20: "running some experiments on a larger graph like obgn-papers100M but AWS keeps killing my
    process" - OGB's data set (no 100M-parameter model) and the host's RAM."""
    c = run_consultation("I'm interested in running some experiments on a larger graph like obgn-papers100M but "
                         "unfortunately AWS keeps killing my process when I hook it up to the ogbn-proteins_gcn.py "
                         "example. Just get a machine with tons of RAM? About 100GB?", kb=kb)
    assert "params" not in c.wm.facts and "model_named" not in c.wm.facts
    assert c.wm.value("claim_process_killed") is True
    # a graph network's host RAM is its graph's (features and edges), not weights loaded per process: no parameter
    # count is asked, and the generic model-loading advice gives way
    assert c.wm.value("graph_named") is True
    assert finding_ids(c)[0] == "finding-graph-in-host-ram"
    assert "finding-host-ram-ran-out" not in finding_ids(c)
    assert not c.advice.questions


def test_a_killed_process_without_a_graph_keeps_the_loading_advice(kb):
    c = run_consultation("Training a 7B model on 4 GPUs, the process keeps getting killed while loading, no CUDA error.",
                         kb=kb)
    assert "finding-graph-in-host-ram" not in finding_ids(c)
    assert finding_ids(c)[0] == "finding-process-killed"


def test_keras_models_built_in_a_loop(kb):
    """Review 72 #26: "Memory leaks" with a loop that builds, compiles and fits a new keras.Model each pass -
    clear_session() before each (Keras' own docstring)."""
    c = run_consultation("Memory Leak with latest Tensorflow\nTensorFlow version: 2.3.0\n```python\nimport tensorflow\n"
                         "from tensorflow import keras\nwhile True:\n    inputs = keras.Input(shape=(10,))\n    out = "
                         "layers.Dense(1)(inputs)\n    model = keras.Model(inputs=inputs, outputs=out)\n    model.fit(train, "
                         "label)\n    gc.collect()\n```", kb=kb)
    assert c.wm.value("keras_models_in_loop") is True
    assert c.advice.findings[0].id == "finding-keras-models-in-a-loop"
    assert "clear_session()" in c.advice.findings[0].text


def test_the_papers_tpus_are_not_the_users_gpu_run(kb):
    """Review 71 #18: "In the paper it states that you're using the TPU v4 chips … When trying to train the high res
    version (on nvidia GPU currently)" - the run is on a GPU, the TPUs the authors'."""
    from advisor.consultation import read_message

    found = read_message(kb, "In the paper it states that you're using the TPU v4 chips, which have 32 GB memory. When "
                             "trying to train the high res version (on nvidia GPU currently) I seem to use > 48 GB of "
                             "VRAM for a batch size of 1 per GPU.")
    assert "tpu_named" not in found


def test_a_recommenders_users_are_rows_of_its_factor_table(kb):
    """Review 71 #21: "users number is 40 million … GPU memory is 8G" - 40M rows of factors; with factors=64 the table
    is 10.24 GB, over the card whatever the batch."""
    c = run_consultation("When model is training, GPU runs out of memory.\n\ni use aws g3.4xlarge machine. GPU memory is "
                         "8G and users number is 40 million. Then GPU runs out of memory. How to solve it? Can it run on "
                         "multiple GPUS?", kb=kb)
    assert c.wm.value("embedding_rows") == 40e6
    c = run_consultation("AlternatingLeastSquares(factors=64), 40 million users, GPU memory is 8G: out of memory.", kb=kb)
    assert c.wm.value("embedding_table_bytes") == 40e6 * 64 * 4
    assert c.advice.findings[0].id == "finding-embedding-table-size"


def test_an_oom_only_when_the_optimizer_state_is_loaded(kb):
    """Review 74 #27: "if run with --no-load-optim, it is ok, memory usage is about 60% on H20. But with load optim,
    it is oom" - the restore's second copy, not a leak."""
    c = run_consultation("[BUG]run oom with load optim\nif run with --no-load-optim, it is ok, memory usage is about 60% "
                         "on H20. But with load optim, it is oom\n - Megatron-LM 0.11", kb=kb)
    assert c.advice.findings[0].id == "finding-oom-after-resume"


def test_memory_that_climbs_gets_no_plan_over_assumed_lengths(kb):
    """Review 76 #10: QLoRA on an Arc A770, "memory usage starts from ~5G and rises to more than 10G by epoch=0.32, and
    eventually goes OOM": the run started within the card, so a plan sized at a length I assumed (19.82 GiB at 2,048
    tokens) is neither a finding nor the recommendation - the climb is."""
    c = run_consultation("QLoRA fine-tuning llama-7b on a single Arc A770 16GB: GPU memory usage starts from ~5G and "
                         "rises to more than 10G by epoch=0.32, and eventually goes OOM.", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert c.wm.value("claim_gpu_memory_grows_per_step") is True and "plan-does-not-fit" not in ids
    assert c.advice.recommendation is None or c.advice.recommendation.option_id != "checkpointing"
