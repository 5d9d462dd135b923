"""Facts from free text: numbers with units, and phrasings of the flags that are not claims (every claim has its
paraphrase tests in tests/claim_phrasings.yaml, run by tests/test_misconceptions.py)."""

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
    # a YOLO command line: '640' is imgsz's, not a count of workers; 'workers=8' is the key
    ("yolo mode=train batch=4 epochs=100 imgsz=640 workers=8 device=0", "dataloader_workers", 8),
    ("yolo mode=train batch=4 epochs=100 imgsz=640 workers=8 device=0", "image_size", 640),
    ("DataLoader with 8 workers", "dataloader_workers", 8),
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
    # a speed in steps (whose work depends on the GPUs sharing the step), not one in samples
    ("Single GPU gives ~9 global_step/sec; with 4 I get only ~2 steps/sec.", "speed_in_steps", True),
    ("It runs at 1.29it/s on the T4.", "speed_in_steps", True),
    ("each iteration takes 0.36 s/it", "speed_in_steps", True),
    ("about 3 iterations per second", "speed_in_steps", True),
    ("It processes 3000 samples/s.", "speed_in_steps", None),
    ("I train for 100k steps.", "speed_in_steps", None),
    # a generation engine's share of each card (TRL, verl, vLLM's command line)
    ("GRPOConfig(bf16=True, vllm_gpu_memory_utilization=0.5)", "rollout_memory_share", 0.5),
    ("actor_rollout_ref.rollout.gpu_memory_utilization=0.6 rollout.n=64", "rollout_memory_share", 0.6),
    ("vllm serve Qwen/Qwen2.5-7B --gpu-memory-utilization 0.95", "rollout_memory_share", 0.95),
    # the stage of an OOM, not of a crash said in another sentence (review 20 #7)
    ("CUDA OOM while loading Llama-2-13B on my 3090", "oom_stage", "loading"),
    ("during the first step each GPU uses only 40GB, but at the second step it suddenly fills up and OOMs",
     "oom_stage", "optimizer_step"),
    ("At batch 2 per GPU I get out-of-memory. ZeRO-3 crashes while loading the UMT5 text encoder.", "oom_stage",
     None),
    # MAE-style scripts scale their LR from `blr` (review 21 #23)
    ("how should I tune epochs, blr and weight_decay at batch 16?", "lr_from_base_per_256", True),
    ("python main_pretrain.py --batch_size 64 --blr 1.5e-4", "lr_from_base_per_256", True),
    ("the blur augmentation is strong", "lr_from_base_per_256", None),
    # memory that moves is not a training that diverges (review 22 #5)
    ("memory usage is unstable; deep into training it reserves more", "training_unstable", None),
    ("the loss is unstable and diverges after 2k steps", "training_unstable", True),
    # a run on TPUs (review 22 #17)
    ("pretrain LLaMA 7B with EasyLM on a TPU v4-256", "tpu_named", True),
    ("on a v5e-64 slice", "tpu_named", True),
    ("I use four output heads", "tpu_named", None),
    # an EMA of the weights (review 21 #15)
    ("accelerate launch train_text_to_image.py --use_ema --mixed_precision fp16", "ema_weights", True),
    ("I keep an EMA model of the UNet", "ema_weights", True),
    ("--use_ema false", "ema_weights", None),
    # bf16 named, whatever the run ends in (review 22 #15: "I changed bf16 = True to fp16 = True. Is that ok?")
    ("so I changed \"fp16 = False, bf16 = True\" to \"fp16 = True, bf16 = False\"", "bf16_named", True),
    ("torch_dtype=torch.bfloat16", "bf16_named", True),
    ("fp16 mixed precision on a V100", "bf16_named", None),
    # nnU-Net named (review 22 #16, #21; review 23 #14)
    ("increasing the batch size by editing the nnUNetv2 plans file", "nnunet_named", True),
    ("nnU-Net on 8 T4s: 212 s per epoch", "nnunet_named", True),
    ("a 3D U-Net on BraTS", "nnunet_named", None),
    # (before the first step is not the loading: caching latents or the first forward come first - review 21b #16)
    ("I get OutOfMemoryError instantly, before the first training step.", "oom_stage", None),
    # Darknet named, or its cfg's schedule keys (review 24 #12)
    ("./darknet detector train data/obj.data yolo-obj.cfg -gpus 0,1", "darknet_named", True),
    ("## 2 gpu\n#learning_rate=0.0005\n#burn_in=2000\n#max_batches = 500200", "darknet_named", True),
    ("max_batches is 6000 for my detector", "darknet_named", None),
    # Ultralytics' newer YOLOs use its trainer (review 25 #18)
    ("Batch size effect on YOLO26 reproduction", "ultralytics", True),
    ("training yolo12n on my data", "ultralytics", True),
    ("YOLOv10 from THU", "ultralytics", True),
    ("YOLOv7 training on 2 GPUs", "ultralytics", None),
    # an Adam-family setting says the optimizer's states without naming it (review 24 #21; review 24c)
    ("finetune_trainer.py --model_name_or_path t5-large --adam_eps 1e-06 --fp16", "optimizer", "adamw"),
    ("--optim sgd --adam_beta2 0.95", "optimizer", "sgd"),
    # a use said in MiB is binary (review 24 #4: 14,678 MiB is 14.33 GiB, not 13.35)
    ("the GPU memory usage is 14678MiB after deepspeed.initialize()", "measured_use", 14678 * 2.0 ** 20),
    ("training takes 24GB on each GPU", "measured_use", 24e9),
    # torchtitan shards with FSDP2 over every GPU unless told otherwise (review 24 #24)
    ("I am running torchtitan's multinode_trainer.slurm (llama3_70b.toml) on 4 nodes", "parallelism", "fsdp"),
    # a vocabulary named: the logits' width (review 24 #16, #17)
    ("I get out of memory in log_softmax: my dict.*.txt file has more than 500,000 lines.", "vocab_size", 500000.0),
    ("With vocab ≈ 248k (Qwen3.5) and context 32k-64k the logits are huge.", "vocab_size", 248000.0),
    ("a 250k-token vocabulary", "vocab_size", 250000.0),
    ("vocab_size=151936", "vocab_size", 151936.0),
    ("the vocab is 24GB of my memory", "vocab_size", None),
    # a throughput log's words per second (review 24 #24)
    ("However, wps is only around ~200. Any ideas?", "measured_tokens_per_second", 200.0),
    ("wps: 3,100 on each node", "measured_tokens_per_second", 3100.0),
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


# Phrasings of the flags that are not claims; every claim_* fact has its paraphrase tests in
# tests/claim_phrasings.yaml (tests/test_misconceptions.py).
PHRASES = {
    "training_unstable": ["training diverged", "loss goes to NaN", "training is unstable"],
    "oom": ["I got OOM", "CUDA out of memory at batch 256", "torch.OutOfMemoryError"],
}


@pytest.mark.parametrize("name, message", [(n, m) for n, ms in PHRASES.items() for m in ms])
def test_flag_phrasings(kb, name, message):
    assert facts(kb, message).get(name) is True


@pytest.mark.parametrize("message", ["What batch size should I use for ResNet-50?", "Hello", ""])
def test_neutral_messages_claim_nothing(kb, message):
    assert not [n for n, v in facts(kb, message).items() if n.startswith("claim_") and v]


def test_a_throughput_a_source_reports_is_not_the_users(kb):
    from advisor.consultation import read_message

    found = read_message(kb, "You claim 24K tokens/s with the 1.1B model. My own 1B GPT only reaches 10K tokens/s.")
    assert found["measured_tokens_per_second"][0] == 10_000
    assert read_message(kb, "I get 2,400 tokens/s on one A100.")["measured_tokens_per_second"][0] == 2_400


@pytest.mark.parametrize("message, mine", [
    ("From the Deep Voice 3 paper it seems Tacotron trains at about 4.7 sec/step with batch size 32.", None),
    ("According to the README the model trains at 0.8 s/it on an A100.", None),
    ("In the paper they train for 3 days, but my run takes 2.5 s/it on a 3090.", 2.5),
    ("Each step takes 1.2 s/it on my 4090.", 1.2),
])
def test_a_step_time_a_source_gives_is_not_the_users(kb, message, mine):
    from advisor.consultation import read_message

    found = read_message(kb, message)
    assert (found["step_seconds"][0] if "step_seconds" in found else None) == mine
