"""A model served or run to generate, not trained: its memory is the weights and the KV cache of the tokens in flight
(2 × layers × KV heads × head width × 2 bytes a token), and none of a training run's questions (optimizer, precision
of training, data loader, the training step's peaks) is asked of it. Messages are the way people post them on serving
engines' trackers."""

import pytest

from advisor.consultation import read_message, run_consultation
from advisor.domain.estimators.memory import kv_cache_budget
from advisor.engine.estimators import NotComputable

GiB = 2 ** 30

TGI_PREFILL = ("Understanding how max-batch-prefill-tokens works\nHi, I am trying to find an ideal size for "
               "`max-batch-total-tokens` for my hardware (A100 80GB) and model (LLaMA3 8B). To do this, I tried to "
               "minimize the size of `max-batch-prefill-tokens` by setting it to default (`max-input-length + 50`). "
               "It reaches maximum memory consumption when it kept default, which decreases with increasing "
               "`max-batch-prefill-tokens`, reaches a certain peak, and again starts increasing till you hit OOM.\n"
               "In order to maximize on throughput, minimizing on latency, what values should I keep for "
               "`max-batch-prefill-tokens`, `max-waiting-tokens`?")


def test_kv_cache_per_token_from_the_models_shape():
    # Llama-3-8B: 32 layers, 8 KV heads of 128 (grouped-query attention) - 128 KiB a token in 16 bits
    out = kv_cache_budget("llama-3-8b", 80 * GiB)
    assert out["per_token"].value == 2 * 32 * 8 * 128 * 2
    assert out["tokens"].value == pytest.approx((80 * GiB - out["weights"].value) / (2 * 32 * 8 * 128 * 2))
    # 8-bit weights leave more of the card to the cache
    assert kv_cache_budget("llama-3-8b", 80 * GiB, weight_bits=8)["tokens"].value > out["tokens"].value
    # a 70B in 16 bits fills no one 80 GB card: served over four, sharded
    four = kv_cache_budget("llama-2-70b", 80 * GiB, num_gpus=4)
    assert four["tokens"].value == pytest.approx((4 * 80 * GiB - four["weights"].value) / four["per_token"].value)
    with pytest.raises(NotComputable):
        kv_cache_budget("llama-2-70b", 80 * GiB)
    with pytest.raises(NotComputable):
        kv_cache_budget("resnet-50", 24 * GiB)  # no decoder, no KV cache


def test_a_serving_engines_token_budget_is_answered_with_the_kv_cache(kb):
    c = run_consultation(TGI_PREFILL, kb=kb)
    assert c.wm.value("generation_run") is True
    assert c.advice.findings[0].id == "finding-kv-cache-budget"
    assert "0.125 MiB" in c.advice.findings[0].title
    # no training run's questions or levers
    asked = {q.id for q in c.advice.questions}
    assert not asked & {"optimizer", "precision", "data_loader_bound", "peak_memory_by_batch", "oom_stage"}
    assert "memory-savers" not in c.run.options
    assert [m.id for m in c.advice.measure] == ["measure-generation-memory"]


def test_a_training_message_keeps_its_training_questions(kb):
    c = run_consultation("Fine-tuning LLaMA3 8B on an A100 80GB runs out of memory at batch 8, seq 4096.", kb=kb)
    assert c.wm.value("generation_run") is False
    assert "finding-kv-cache-budget" not in [f.id for f in c.advice.findings]


def test_llama_cpp_slots_share_the_context(kb):
    """'when enabling batching via the `--parallel` flag for the llama.cpp server, it divides the context up between
    slots. Does this mean the effective context size is reduced? Or can, say, a 8k context model run at 64K with 8
    slots?' (review 61 #21): n_ctx / n_parallel a slot."""
    c = run_consultation("[server] Batching reduces context size?\nI noticed that when enabling batching via the "
                         "`--parallel` flag for the llama.cpp server, it divides the context up between slots. Does "
                         "this mean the effective context size is reduced? Or can, say, a 8k context model run at 64K "
                         "with 8 slots?", kb=kb)
    assert c.advice.findings[0].id == "finding-llamacpp-slots-share-the-context"


def test_an_inference_oom_with_nothing_more_specific_names_what_inference_holds(kb):
    c = run_consultation("Running inference of a segmentation network on a 6000x4000 photo runs out of CUDA memory on "
                         "my 12GB card. How can I fit it?", kb=kb)
    assert c.wm.value("generation_run") is True
    # (a segmentation network generates no text: no KV cache in its answer - review 73 #6, #25, #27)
    assert c.advice.findings[0].id == "finding-inference-memory-plain"
    assert "no_grad" in c.advice.findings[0].text and "KV" not in c.advice.findings[0].text
    c = run_consultation("Running inference of a 7B LLM to generate long answers runs out of CUDA memory on my 24GB "
                         "card. How can I fit it?", kb=kb)
    assert c.advice.findings[0].id == "finding-inference-memory" and "KV cache" in c.advice.findings[0].text
    # a serving engine's KV cache counted: that, not this
    c = run_consultation(TGI_PREFILL, kb=kb)
    assert "finding-inference-memory" not in [f.id for f in c.advice.findings]


def test_a_pretrained_model_tested_and_a_time_to_give_output_are_inference(kb):
    """Review 65 #7, #21: "I test your pretrained model on my dataset … more frames … out of memory" runs a released
    model (no fine-tuning), and "it takes around 6-7 seconds of time to give output with gpu" is a prediction's time."""
    c = run_consultation("I test your pretrained model on my dataset (608*544 per frame). When I put 11 frames in the "
                         "test folder it works, but with more frames (30, 1441) it's GPU out of memory.", kb=kb)
    assert c.wm.value("generation_run") is True and not c.wm.known("training_mode")
    assert c.advice.recommendation.option_id is None or "memory-savers" not in c.advice.recommendation.option_id
    c = run_consultation("For a normal Image, It takes around 6-7 seconds of time to give output with gpu, any method "
                         "to make it faster.", kb=kb)
    assert c.wm.value("inference_slow") is True
    assert "data_loader_bound" not in {q.id for q in c.advice.questions}
    # training said, the same words are no inference
    c = run_consultation("I fine-tune the pretrained model on my dataset and it takes 2 hours per epoch.", kb=kb)
    assert not c.wm.known("generation_run") or c.wm.value("generation_run") is False


def test_inference_at_a_batch_size_with_a_fine_tuned_model(kb):
    """Review 66 #17: "I have a fine-tuned Whisper large-v3 turbo model. When performing inference with a batch size
    of 80 …": a run to predict, no fine-tuning in the question."""
    c = run_consultation("I have a fine-tuned Whisper large-v3 turbo model. When performing inference with a batch "
                         "size of 80, I noticed that the GPU memory usage is significantly higher.", kb=kb)
    assert c.wm.value("generation_run") is True and not c.wm.known("training_mode")


def test_a_served_models_weights_split_by_tensor_parallelism(kb):
    """Review 66 #28: Yi-1.5-34B served with --tensor-parallel-size 4 on 4090s at 0.9: each card holds a quarter of
    the 16-bit weights (15.8 GiB), not all of them, and no training question (mode, batch scope) is asked."""
    c = run_consultation("I run the model on the server with 4 x NVIDIA GeForce RTX 4090 cards: python -m "
                         "vllm.entrypoints.openai.api_server --served-model-name Yi-1.5-34B-Chat --model "
                         "/workspace/Yi-1.5-34B-Chat/ --gpu-memory-utilization 0.9 --tensor-parallel-size 4\n"
                         "When inference, batch size = 4 (input length = 2k for each query), oom occurs.", kb=kb)
    assert c.wm.value("serving_weights_bytes") == pytest.approx(34e9 * 2 / 4)
    assert c.wm.value("serving_cache_left_bytes") > 0
    assert not c.wm.known("training_mode")
    assert not {"batch_scope", "training_mode"} & {q.id for q in c.advice.questions}


BATCHED_EVAL = ("Slow batched evals\nllamafactory-cli train --stage sft --model_name_or_path /home/ft/ "
                "--finetuning_type full --cutoff_len 4096 --max_samples 500 --per_device_eval_batch_size 8 "
                "--predict_with_generate True --max_new_tokens 1024 --top_p 1 --temperature 1 --do_predict True\n"
                "The above script does batched eval on 500 examples on an A100 node with batch size 8, and takes an "
                "hour to run. This is significantly slower than running evals with batch size 1, which runs in "
                "around 15 minutes. Is there a way to make the batched evals faster?")


def test_a_prediction_run_slower_in_batches_is_a_batch_waiting_for_its_longest_generation(kb):
    """Review 67 #9: `--do_predict True` with no `--do_train` is a prediction run, whatever the launcher is called;
    batched generation slower than batch 1 is the batch decoding until its longest answer stops."""
    c = run_consultation(BATCHED_EVAL, kb=kb)
    assert c.wm.value("generation_run") is True and not c.wm.known("training_mode")
    assert c.advice.findings[0].id == "finding-batched-generation-slower"
    assert "max_new_tokens" in c.advice.findings[0].text and "continuous batching" in c.advice.findings[0].text


@pytest.mark.parametrize("message", [
    "本地进行qwen2-vl-2b-instruct推理，增加max_pixels，但是占用内存没有变化",  # review 68 #12: 推理, inference
    "I'm using lm_eval.simple_evaluate to test deepseek-ai/DeepSeek-V2-Lite with 8 H100 GPUs and HFLM",
    "I am currently running the Yi34B model on four A10 (24G) GPUs, and want to deploy it; max_num_batched_tokens=50000",
    "no effect of changing batch size in the time it takes to generate embeddings",  # ("no" denies no inference)
])
def test_inference_said_in_other_words_is_a_generation_run(kb, message):
    assert run_consultation(message, kb=kb).wm.value("generation_run") is True


def test_a_training_run_with_prediction_is_no_generation_run(kb):
    c = run_consultation("python run.py --do_train --do_predict --per_device_train_batch_size 8 on one A100", kb=kb)
    assert c.wm.value("generation_run") is not True
    assert run_consultation("我用8张A100微调Qwen2-7B，然后部署", kb=kb).wm.value("generation_run") is not True


def test_a_process_killed_on_unified_memory_is_the_runs_own_memory(kb):
    """Review 68 #3: YOLO11 predicting a list of 4,000 images on a DGX Spark, "Out of memory: Kill process": the GB10's
    memory is the machine's, so the host-RAM answer (loading the model on the CPU) does not apply."""
    c = run_consultation("YOLO11 Batch inference: I run model.predict on a list of 4000 images with imgsz=512 on a DGX "
                         "Spark with 128G memory and the process dies with Out of memory: Kill process. Is the largest "
                         "batch the fastest?", kb=kb)
    assert c.wm.value("unified_memory_named") is True
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-unified-memory-killed" and "finding-host-ram-ran-out" not in ids
    plain = run_consultation("Training gets Killed while loading the model, no CUDA error.", kb=kb)
    assert "finding-unified-memory-killed" not in [f.id for f in plain.advice.findings]


def test_sams_point_grid_and_its_batch(kb):
    """Review 68 #16: "I change the parameters `sam_num_points_per_side` from `64` to `16` (parameter
    `sam_num_points_per_batch` seems not effect the memory). So will changing the parameters reduce the performance of
    segmentation?": 256 point prompts, a run to segment, not trained."""
    c = run_consultation("When running get_mask.py, default parameters of SAM model show insufficient memory error on "
                         "a 3090 with 24GB. So I change the parameters `sam_num_points_per_side` from `64` to `16` "
                         "(parameter `sam_num_points_per_batch` seems not effect the memory). So will changing the "
                         "parameters reduce the performance of segmentation?", kb=kb)
    assert c.wm.value("sam_point_prompts") == 256 and c.wm.value("generation_run") is True
    assert c.advice.findings[0].id == "finding-sam-point-grid"


QWEN_VLLM = ("vllm 部署 Qwen1.5-7B-Chat 出错 KV cache 怎么是7344呢？\n\npython -m vllm.entrypoints.openai.api_server "
             "--served-model-name Qwen1.5-7B-Chat --model  /models--Qwen--Qwen1.5-7B-Chat\n\n raise ValueError(\n"
             "ValueError: The model's max seq len (32768) is larger than the maximum number of tokens that can be "
             "stored in KV cache (7344). Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when "
             "initializing the engine.")
V1_ERROR = ("vllm serve Qwen/Qwen3-8B fails on my L4:\nValueError: To serve at least one request with the models's max "
            "seq len (40960), (5.62 GiB KV cache is needed, which is larger than the available KV cache memory (2.10 "
            "GiB). Based on the available memory, the estimated maximum model length is 15296. Try increasing "
            "`gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine.")
TP_BLOCKS = ("vllm ONLY allocate KVCache on the first device in CUDA_VISIBLE_DEVICES\n\nit seems like the KVCache is only "
             "allocated on the first device in CUDA_VISIBLE_DEVICES, even if using `tensor-parallel-size` > 1. For "
             "example, we want to deploy deepseek-coder-6.7b-instruct on 2*T4 card, which have 32GB memory total\n"
             "CUDA_VISIBLE_DEVICES=0,1 python -m vllm.entrypoints.api_server --model=\"/cm/deepseek-coder-6.7b-instruct/\""
             " --tensor-parallel-size=2 --dtype=\"float16\"\n"
             "INFO 06-12 08:12:23 distributed_gpu_executor.py:45] # GPU blocks: 507, # CPU blocks: 1024")


@pytest.mark.parametrize("message, length, tokens", [(QWEN_VLLM, 32768, 7344), (V1_ERROR, 40960, 15296)])
def test_vllms_start_up_error_is_answered_with_its_two_numbers(kb, message, length, tokens):
    """Review 72 #9: the engine stops because one request of max_model_len does not fit the cache - the answer is the
    max_model_len that fits, not 'nothing specific to recommend'."""
    c = run_consultation(message, kb=kb)
    assert c.wm.value("vllm_max_model_len") == length and c.wm.value("kv_cache_tokens") == tokens
    lead = c.advice.findings[0]
    assert lead.id == "finding-vllm-max-len-over-cache"
    assert f"set --max-model-len at most {tokens}" in lead.title
    assert c.wm.value("vllm_len_over_cache") == pytest.approx(length / tokens)


def test_tensor_parallel_serving_splits_the_cache_and_counts_blocks(kb):
    """Review 72 #2: "KVCache only allocated on the first device" with --tensor-parallel-size=2 - every worker holds its
    share; 507 blocks × 16 tokens is the group's 8112 tokens; the log line's ':45] # GPU' counts no GPUs."""
    c = run_consultation(TP_BLOCKS, kb=kb)
    assert c.wm.value("model_parallel_gpus") == 2 and c.wm.value("num_gpus") == 1
    assert c.advice.findings[0].id == "finding-vllm-tp-cache-split"
    blocks = next(f for f in c.advice.findings if f.id == "finding-vllm-blocks-tokens")
    assert "507 GPU blocks hold 8112 tokens" in blocks.title
    # the card's upper bound gives way to the engine's own count of its blocks, which its activations and graphs have
    # already come out of
    assert not c.wm.known("kv_tokens_on_card")
    assert "finding-kv-cache-budget" not in [f.id for f in c.advice.findings]


def test_a_quantized_checkpoint_served_over_tensor_parallel_cards(kb):
    """Review 72 #1: an AWQ 4-bit 48B model over `--tensor_parallel 2` 3090s - a quarter of the 16-bit weights, half on
    each card, and no QLoRA adapters read into a serving run."""
    c = run_consultation("Running AWQ version of Kimi-Linear-48B-A3B-Instruct on 2x3090. Why would there only be "
                         "2.30GiB for KV cache while 19GiB per card used ? Is it per card since it's `--tensor_parallel "
                         "2` ?\nvllm serve cyankiwi/Kimi-Linear-48B-A3B-Instruct-AWQ-4bit --gpu-memory-utilization 0.95 "
                         "--max_model_len 120000 --tensor_parallel 2", kb=kb)
    assert c.wm.value("model_parallel_gpus") == 2 and c.wm.value("base_bits") == 4
    assert c.wm.value("adapter") != "qlora"
    assert c.wm.value("serving_weights_bytes") == pytest.approx(48e9 * 0.5 / 2)
    assert "finding-vllm-tp-cache-split" in [f.id for f in c.advice.findings]


def test_a_gguf_runtimes_memory_beyond_its_weights_is_context(kb):
    """Review 72 #22: "Unsloth Qwen3-14B-GGUF:Q4_K_M consumes 34 GB in ollama ps; qwen3:14b, also Q4_K_M, takes 10 GB" -
    the same 4-bit weights, the rest KV cache for the context × the parallel slots; Unsloth's training settings are
    nothing of a run that generates."""
    c = run_consultation("[Bug] Unsloth Qwen3-14B-GGUF:Q4_K_M Consumes Much More VRAM Than Standard Version\nhf.co/unsloth/"
                         "Qwen3-14B-GGUF:Q4_K_M - Using ollama ps, I noticed that it consumes 34 GB of memory during "
                         "runtime, despite being quantized to Q4_K_M. ollama run qwen3:14b - also Q4_K_M - only takes 10 "
                         "GB. Why does the Unsloth version use so much more memory?", kb=kb)
    assert c.advice.findings[0].id == "finding-gguf-memory-is-context"
    assert c.wm.value("gguf_weights_bytes") == pytest.approx(c.wm.value("params") * 4.5 / 8)
    assert not c.wm.known("fused_loss") or c.wm.value("fused_loss") is not True


def test_an_engines_memory_by_its_maximum_batch(kb):
    """Review 72 #3 (TensorRT-LLM): "when max_batch_size=1,64,128 in build phrase, the gpu memory will be 27g, 49g, 72g"
    - two lists paired, and a serving engine's line: the weights fixed, a reserve per request slot."""
    c = run_consultation("when max_batch_size=1,64,128 in build phrase, the gpu memory will be 27g, 49g, 72g in "
                         "inference phrase, is this normal? I need batch inference with TensorRT-LLM.", kb=kb)
    assert c.wm.value("peak_memory_by_batch") == [[1, 27e9], [64, 49e9], [128, 72e9]]
    assert c.advice.findings[0].id == "measured-line-serving"


def test_listed_batches_and_memories_of_a_training_run(kb):
    c = run_consultation("Training with batch sizes 8, 16, 32 the GPU memory usage is 10GB, 14GB, 22GB. Is that linear?",
                         kb=kb)
    assert c.wm.value("peak_memory_by_batch") == [[8, 10e9], [16, 14e9], [32, 22e9]]
    assert "measured-line-serving" not in [f.id for f in c.advice.findings]


def test_a_model_too_large_for_the_macs_gpu_share_pages(kb):
    """Review 72 #24: "M1 Pro 16GB … Llama-2-7b … memory reaches around 13GB … so long to chat": 12.55 GiB of 16-bit
    weights over the share macOS lets the GPU keep - it swaps; no training FLOPs on a sampler's 20.72 s/it."""
    c = run_consultation("Performance with M1 Pro 16GB: Is it Normal?\nmacOS 13.4.1 M1 Pro 16GB\n1. LLaMA. It takes so long "
                         "time to chat. (mlx) llama % python3 llama.py Llama-2-7b-chat.npz tokenizer.model \"who are you?\"\n"
                         "Press enter to start generation\nThe memory consumption reaches around 13GB.\n2. Stable Diffusion: 1/50 [00:20<16:55, 20.72s/it]",
                         kb=kb)
    assert c.wm.value("gpu_memory") == 16 * GiB and c.wm.value("unified_memory_named") is True
    assert c.advice.findings[0].id == "finding-unified-memory-weights-swap"
    assert not c.wm.known("tflops_per_thousand_tokens")


@pytest.mark.parametrize("message, gib", [("I have a MacBook Pro M2 Max with 32GB of RAM", 32), ("an M3 Max 64GB", 64)])
def test_apple_silicons_memory_is_the_gpus(kb, message, gib):
    from advisor.consultation import read_message

    found = read_message(kb, message)
    assert found["unified_memory_named"][0] is True and found["gpu_memory"][0] == gib * GiB


def test_a_flat_token_latency_under_more_concurrent_requests(kb):
    """Review 71 #28: "2000 concurrent requests … the average token latency remained around ~70ms, the same as with
    150" - the running batch is capped, the rest queue."""
    c = run_consultation("Handling Concurrent Request\n\nHow is TGI handles concurrent request? I did a load test with 2000 "
                         "concurrent requests and noticed that the average token latency remained around ~70ms, which is "
                         "the same as when I initially tested with 150 concurrent requests. Why didn't the token latency "
                         "increase?", kb=kb)
    assert c.wm.value("concurrent_requests_said") == 2000 and c.wm.value("latency_flat_said") is True
    assert c.advice.findings[0].id == "finding-serving-queue-holds-latency"


def test_the_kv_budget_counts_the_tensor_parallel_cards(kb):
    """--tensor-parallel-size=2 on two 16 GB T4s with no count of the engine's: the budget is the two cards less the
    weights, not one card with the whole model (review 72 #2)."""
    c = run_consultation("deploy deepseek-coder-6.7b-instruct on 2*T4 with vLLM: python -m vllm.entrypoints.api_server "
                         "--model deepseek-coder-6.7b-instruct --tensor-parallel-size=2 --dtype float16. How many tokens "
                         "of KV cache can it hold?", kb=kb)
    assert c.wm.value("model_parallel_gpus") == 2
    assert c.wm.value("kv_tokens_on_card") == pytest.approx(
        (2 * c.wm.value("gpu_memory") - c.wm.value("kv_weights_bytes")) / c.wm.value("kv_bytes_per_token"))


def test_evaluation_in_one_process_over_several_gpus_is_a_layer_split(kb):
    """Review 71 #6: lm-eval with use_accelerate=True on 8 A100s, started as one python process, is slow: the model's
    layers are split over the GPUs and they take turns - not DataParallel, a training wrapper."""
    c = run_consultation("Slow evaluation for 7B model using A100 multi-gpu\nI want to evaluate some 7B models using "
                         "multi-gpu with lm-evaluation-harness. python main.py --model hf-causal-experimental --model_args "
                         "pretrained=EleutherAI/gpt-j-6b,use_accelerate=True,dtype=bfloat16 --tasks hellaswag "
                         "--batch_size 64 on 8 A100-40G. It takes about 8 hours. Why is it so slow?", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-inference-one-process-many-gpus" and "finding-gpu0-dataparallel" not in ids


@pytest.mark.parametrize("message", [
    "I'm trying to use a pre-trained model for inference, but GPUs don't seem to have enough memory. I noticed in the "
    "paper that multiple V100s with 32GB of memory are used as training GPUs.",
    "can I run Inference on nvidia-4090? or I need to continue to train it?",
    "python scripts/run_inference.py inference.num_designs=10000 on an A100: CUDA out of memory after 10-20 designs",
    "Running with and without the `--fast` option cause a `torch.cuda.OutOfMemoryError` during prediction.",
])
def test_inference_said_beside_training_words_is_an_inference_run(kb, message):
    """Review 73 #27, #15, #6, #1: the user runs a model, though a paper's training GPUs or a later plan to train are
    spoken of."""
    assert read_message(kb, message)["generation_run"][0] is True


def test_a_training_run_with_an_inference_step_stays_training(kb):
    found = read_message(kb, "per_device_train_batch_size 8 on an A100, I run inference every 500 steps and it OOMs")
    assert found.get("generation_run", (False,))[0] is False


def test_a_finer_voxel_spacing_multiplies_the_volume(kb):
    """Review 73 #2: "OK while trying to use low-resolution (3.0 mm), but I got OOM error when I tried to use
    high-resolution (1.5mm)" - (3 / 1.5)³ = 8 times the voxels; "3.0 mm" is no image size."""
    c = run_consultation("inference wholeBody_ct_segmentation high resolution got CUDA out of memory. Everything is OK "
                         "while trying to use low-resolution (3.0 mm), but I got OOM error when I tried to use "
                         "high-resolution (1.5mm). How much GPU memory should I prepare?", kb=kb)
    assert c.wm.value("spacing_voxel_ratio") == pytest.approx(8.0) and not c.wm.known("image_size")
    assert c.advice.findings[0].id == "finding-finer-spacing-multiplies-voxels"
    # a single spacing, or one said with no memory question, changes nothing
    one = run_consultation("I resample every CT to 1.5 mm spacing and train nnU-Net.", kb=kb)
    assert not one.wm.known("spacing_voxel_ratio")
