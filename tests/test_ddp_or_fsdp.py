"""A question that weighs DDP against FSDP or ZeRO is answered with what each GPU holds either way and what the
sharding costs, for the model named ("Why FSDP not DDP for TinyLlama?", review 46 #23)."""

import pytest

from advisor.consultation import read_message, run_consultation

GIB = 2**30


@pytest.mark.parametrize("message", [
    "Why FSDP not DDP? Given the relatively small size of the tinyllama model, why was the strategy FSDP instead of DDP?",
    "Should I use DDP or FSDP to fine-tune Llama-2-7B on 8 A100s?",
    "DeepSpeed ZeRO-3 vs DDP for a 1.3B model - which is faster?",
    "Is FSDP better than DDP for Mistral 7B?",
])
def test_the_question_is_read(kb, message):
    assert read_message(kb, message).get("asks_ddp_or_sharding", (False,))[0] is True


@pytest.mark.parametrize("message", [
    "I use DDP on 4 GPUs and it trains fine; FSDP crashed at startup.",
    "Training with DDP on 8 GPUs, each GPU uses 20 GB.",
])
def test_other_mentions_are_not_the_question(kb, message):
    assert read_message(kb, message).get("asks_ddp_or_sharding", (False,))[0] is not True


def test_the_answer_counts_the_replicated_states(kb):
    c = run_consultation("Why FSDP not DDP? Given the small size of the tinyllama model, why FSDP instead of DDP?",
                         kb=kb)
    finding = next(f for f in c.advice.findings if f.id == "finding-ddp-or-fsdp")
    # TinyLlama's 1.1B parameters × 16 bytes (fp32 weights, gradients, AdamW's two moments)
    assert c.wm.value("ddp_states_per_gpu") == pytest.approx(1.1e9 * 16, rel=0.01)
    assert "16.39 GiB" in finding.title and "1.5×" in finding.text
    # with a larger model the count follows the model
    c7 = run_consultation("Should I use DDP or FSDP to fine-tune Llama-2-7B on 8 A100s?", kb=kb)
    assert c7.wm.value("ddp_states_per_gpu") == pytest.approx(6.738e9 * 16, rel=0.01)


def test_sharding_places_no_layers_and_a_model_loaded_whole_is_not_sharded(kb):
    """Review 50 #9 ("Does deepspeed automatically partition the model to multi gpus when stage=3 is specified? …
    which layer is in which gpu?") and #14 ("ZeRO-3 partition seems not working: after loading the model, the GPU
    memory usage on all GPUs is the same as when loading the model on a single GPU")."""
    from advisor.consultation import run_consultation

    placement = run_consultation("Does deepspeed automatically partition the model to multi gpus when stage=3 is "
                                 "specified? Or do I need to assign every layer to some gpu manually? How can I know "
                                 "which layer is in which gpu? I fine tune bloom 7b on four 40G A100s.", kb=kb)
    assert "finding-sharding-places-no-layers" in [f.id for f in placement.advice.findings]
    whole = run_consultation("I use ZeRO-3 for a 32B model. However, the ZeRO-3 partition seems not working: after "
                             "loading the model, the GPU memory usage on all GPUs is the same as when loading the model "
                             "on a single GPU, meaning the model parameters have not been sharded across the GPUs.", kb=kb)
    assert "finding-loaded-whole-before-sharding" in [f.id for f in whole.advice.findings]
    # neither without sharding said
    plain = run_consultation("The memory usage on all GPUs is the same as on a single GPU with DDP.", kb=kb)
    assert not {"finding-loaded-whole-before-sharding", "finding-sharding-places-no-layers"} & {
        f.id for f in plain.advice.findings}


def test_every_weight_trained_under_ddp_bounds_the_model_each_gpu_holds(kb):
    """Review 50 #23 (VideoX-Fun, `--trainable_modules "."` under accelerate on 4 A100 80GB, the model unnamed): every
    weight is trained, so each DDP replica holds all the states - the finding gives the largest model that leaves room."""
    from advisor.consultation import read_message, run_consultation

    message = ("CUDA_VISIBLE_DEVICES=0,1,2,3 accelerate launch --num_processes=4 scripts/train_control.py "
               "--train_batch_size=1 --gradient_accumulation_steps=4 --gradient_checkpointing --mixed_precision=\"bf16\" "
               "--trainable_modules \".\"\nHow do I avoid OOM on 4 A100 GPUs (80GB each)?")
    assert read_message(kb, message)["full_training"][0] is True
    c = run_consultation(message, kb=kb)
    finding = next(f for f in c.advice.findings if f.id == "finding-full-training-copies-the-states")
    largest = next(f.value for f in c.advice.facts if f.name == "largest_full_model_per_ddp_gpu")
    assert largest == 80 * 2**30 * 0.5 // 16 and "each of your 4 GPUs" in finding.text
    # a module pattern that names some modules trains only those
    assert "full_training" not in read_message(kb, '--trainable_modules "attn1." "attn2."')


def test_asking_for_model_parallelism_in_a_vision_script(kb):
    """Review 50 #18: "Does yolov5 provide model-parallel training with multi gpu? … batch size 1 is still OOM": the
    model parallelism asked about is no setting of the run, and the finding says what shrinks one image's memory."""
    from advisor.consultation import read_message, run_consultation

    message = ("Does yolov5 provide model-parallel training with multi gpu? Because I have two GPU and wanna set "
               "img_size larger, and batch size 1 is still OOM.")
    assert "parallelism" not in read_message(kb, message)
    c = run_consultation(message, kb=kb)
    assert "finding-vision-scripts-are-data-parallel" in [f.id for f in c.advice.findings]
    assert c.advice.recommendation is None or c.advice.recommendation.option_id != "groupnorm"


def test_deepspeeds_pasted_estimate_counts_states_only(kb):
    """Review 50 #4 (FLAN-T5-XL on 4x V100 16GB, ZeRO-3 with offload, pasting estimate_zero3_model_states_mem_needs'
    table): the estimate is the states; a step gathers parameters up to stage3_max_live_parameters as well."""
    from advisor.consultation import run_consultation

    message = ("DeepSpeed Zero 3 taking too much memory for FLAN-T5-XL on 4x V100 16GB with cpu offload.\n"
               "SW: Model with 2849M total params, 65M largest layer params.\n  per CPU  |  per GPU |   Options\n"
               "   71.66GB |   0.25GB | offload_param=cpu , offload_optimizer=cpu , zero_init=1")
    c = run_consultation(message, kb=kb)
    finding = next(f for f in c.advice.findings if f.id == "finding-zero-estimate-counts-states-only")
    assert f"{1e9 * 2 / 2**30:.2f} GiB in 16 bits" in finding.text


def test_a_very_long_sequence_is_split_by_context_parallelism(kb):
    """Review 50 #7 (Nemotron SFT at SEQ_LENGTH=262144 on 16 nodes of 8 H100: which parallelism?): the finding gives
    the context-parallel degree that brings a sequence to about 16k tokens per GPU, and the replicas left."""
    from advisor.consultation import run_consultation

    message = ("We SFT a model with megatron-bridge using 16 nodes of H100x8GPUs. Can you please advice by using this "
               "amount of hardware and the setup SEQ_LENGTH=262144. What is the proper parallelism?")
    c = run_consultation(message, kb=kb)
    facts = {f.name: f.value for f in c.advice.facts}
    assert facts["seq_len"] == 262144 and facts["num_gpus"] == 128
    assert facts["context_parallel_degree"] == 16 and facts["context_parallel_tokens"] == 262144 / 16
    assert facts["context_parallel_replicas"] == 128 // 16
    assert "finding-context-parallel-split" in [f.id for f in c.advice.findings]
