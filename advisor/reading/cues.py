"""The reader's vocabulary: units, the phrases that set a field (keywords), the cue words that name the number next
to them (left and right cues), fillers, negations and the words that say whose setup a sentence speaks of. Data,
not code: a new phrasing is a new entry here."""

from __future__ import annotations

from typing import Any

from advisor.reading.goal import ASK_CUES, GOAL_CUES
from advisor.reading.phrases import PhraseIndex


MEMORY_UNITS = {"gb": 1e9, "g": 1e9, "gig": 1e9, "gigs": 1e9, "gib": 2**30, "mb": 1e6, "mib": 2**20, "m": 1e6,
                "tb": 1e12, "tib": 2**40, "gbs": 1e9}


COUNT_UNITS = {"k": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9, "t": 1e12,
               "trillion": 1e12, "thousand": 1e3, "wan": 1e4, "yi": 1e8}  # (万 and 亿: chinese.py)


TIMES = {"x", "×"}


# what a count of data is counted in: "1.2M images", "2B tokens", "50k samples" count data, not a model's parameters
DATA_NOUNS = {"examples", "samples", "instances", "images", "rows", "sentences", "documents", "pairs", "conversations",
              "instructions", "tokens", "words", "records", "files", "clips", "videos", "utterances", "frames",
              "pictures", "photos", "pics", "imgs", "texts", "dialogues", "questions", "items", "entries", "lines", "hours", "steps",
              "iterations", "iters"}


NEGATIONS = {"no", "not", "without", "w/o", "disable", "disabled", "disabling", "never", "instead", "off", "false",
             "none", "nor", "dont", "wouldn", "don", "didn", "doesn", "isn", "aren", "wasn", "won", "shouldn",
             "couldn", "cannot", "avoid", "local", "rather", "haven", "hasn", "hadn"}


# who a sentence speaks of when it is not the user: what follows such a word, up to a first-person word, belongs to
# a reference setup ("the paper uses batch 4096, but I use 256")
REFERENCE_CUES = {"paper", "papers", "authors", "author", "recipe", "readme", "official", "reference", "they", "their",
                  "publication", "blog", "article", "tutorial", "repo", "medium", "documentation", "docs", "baseline",
                  "you", "your", "document", "suggests", "recommend", "recommends", "recommended", "benchmark", "guide", "arxiv",
                  "al", "github", "page", "wiki", "website", "comment", "according",
                  "provided",  # ("the provided checkpoints have been trained on a 4 GPU system")
                  "claims",  # ("The table claims we can do this in just a single RTX 3090 within a day" - review 71 #24)
                  "reportedly", "supposedly", "allegedly"}  # ("it was reportedly possible to QLoRA Qwen 72B using
# 92GB RAM" - review 76 #4: somebody's run, told of)
# "another user reports ~3 days on 8x RTX 3090", "other users get 2 h": another person's run (a bare 'user' or
# 'someone' is often the asker: "what if someone only has two 24GB GPUs", "a dataset of 28M users")
OTHER_PEOPLE = frozenset({"user", "users", "people", "models"})  # ("other models (e.g. DiT) use 244x244")
MODEL_NOUNS = frozenset({"model", "models"})  # ("other llama 7B models": a name between 'other' and the noun)
OTHER_WORDS = frozenset({"another", "other"})


# …unless the user says they follow it: "I run run_glue.py as in the README", "following the paper"
FOLLOWING = {("as", "in"), ("as", "in", "the"), ("following",), ("following", "the"), ("like", "in"),
             ("like", "in", "the"), ("same", "as"), ("same", "as", "the"), ("replicate",), ("reproduce",),
             ("replicating",), ("reproducing",), ("described", "in"), ("described", "in", "the"),
             ("explained", "in"), ("explained", "in", "the")}  # "I tried to replicate your experiments on 4 GPUs",
# "running the script as described in the README, with batch size 1": mine
FOLLOWING_LAST = frozenset(phrase[-1] for phrase in FOLLOWING)  # a cheap first test before the phrases


# a clause with no first-person word that speaks of what a script, a config or a model does ("the config batch size
# 64 …", "BEVFormer trains with batchsize=1 per GPU"): when the user states a batch of their own as well, this one
# is the reference's
THIRD_PARTY = {"config", "configs", "script", "scripts", "default", "defaults", "example", "examples", "recipe",
               "trains", "uses", "sets", "recommends", "specifies"}


GUESSES = {"guess", "assume", "suppose", "presume", "infer"}


# …or uses what it made: "we are trying to use your code on 4 Titan X", "the official code leads to OOM"
ARTIFACTS = {"code", "script", "scripts", "repo", "repository", "implementation", "notebook", "tool", "framework",
             "library", "project", "package", "codebase", "command", "example", "examples", "prototxt", "config",
             "configs", "configuration", "checkpoint", "checkpoints", "weights", "model",
             "network", "networks", "net", "architecture", "pipeline"}  # ("when I train your network, …")


# words that make the one value they qualify a reference's: "the default batch size of 32", "the original 2048"
VALUE_QUALIFIERS = {"default", "original", "suggested", "recommended", "reported", "official"}


# a clause about an earlier run that worked ("yesterday I fine-tuned successfully on a P40", "with LLaMA1 I could use
# batch 384", "I was able to train it on a 4060 Ti"): its values rank below the run the user asks about
PAST_RUN = {"successfully", "yesterday", "previously"}


# what a clause says of the run it describes: "at batch 32 it's OOM; reduced to batch 8 it works"
# the one-word names of a batch ("bs", "batchsize", CNTK's "minibatchsize"): every batch cue set starts from these
BATCH_SPELLINGS = frozenset({"batch", "bs", "batchsize", "minibatchsize"})


FAIL_WORDS = {"oom", "ooms", "oomed", "outage", "fails", "failed", "crash", "crashes", "error", "exhausted", "explodes",
              "exploded"}  # ("the memory explodes at batch_size 7")


OK_WORDS = {"fits", "works", "worked", "runs", "fine", "ok", "okay", "successfully", "properly", "normally",
            "smoothly"}


PAST_RUN_PHRASES = {("was", "able"), ("were", "able"), ("i", "could"), ("we", "could"), ("used", "to"),
                    ("first", "used"), ("first", "tried"), ("first", "trained"), ("first", "ran"),
                    ("was", "tuned"), ("were", "tuned"),  # "the lr was tuned on 1 node with grad accum 8"
                    # "Last training using a 0411 build, it used 136 GB on each GPU" (review 84 #1): a run before
                    ("last", "training"), ("previous", "training"), ("previous", "run"), ("previous", "runs")}


PAST_FIRST = {a for a, _ in PAST_RUN_PHRASES}


# a sentence about what the user will do: its batch is where they go, an earlier one where they come from
PLANNING = {"want", "wanna", "going", "plan", "planning", "will", "switch", "move", "moving", "increase", "increasing",
            "scale", "scaling", "bump", "raise", "upgrade", "next", "would", "now", "target", "aim", "aiming"}


FIRST_PERSON = {"i", "my", "we", "our", "mine", "me", "i'm", "im", "us"}


GPU_WORDS = {"gpu", "gpus", "card", "cards", "device", "devices", "graphics", "accelerators", "vram"}


# keyword phrases: (phrase, field, value); phrases are matched on word keys (lower case, '_' and '-' split off)
KEYWORDS: list[tuple[str, str, Any]] = [
    # training mode
    ("from scratch", "training_mode", "scratch"), ("pretraining", "training_mode", "scratch"),
    ("pre training", "training_mode", "scratch"), ("pretrain", "training_mode", "scratch"),
    ("pre train", "training_mode", "scratch"), ("train from scratch", "training_mode", "scratch"),
    # pre-training that starts from a trained checkpoint trains all its weights, as a full fine-tune does
    ("continue pretraining", "training_mode", "finetune"), ("continued pretraining", "training_mode", "finetune"),
    ("continual pretraining", "training_mode", "finetune"), ("continue pre training", "training_mode", "finetune"),
    ("continued pre training", "training_mode", "finetune"), ("continual pre training", "training_mode", "finetune"),
    # ("additionally pretraining the e5-{small,base}-v2 models on a custom dataset" - review 89 #28)
    ("further pretraining", "training_mode", "finetune"), ("further pre training", "training_mode", "finetune"),
    ("additionally pretraining", "training_mode", "finetune"), ("additional pretraining", "training_mode", "finetune"),
    ("additional pre training", "training_mode", "finetune"), ("further pretrain", "training_mode", "finetune"),
    ("from a certain checkpoint", "training_mode", "finetune"), ("from a checkpoint", "training_mode", "finetune"),
    ("from the checkpoint", "training_mode", "finetune"), ("from a pretrained checkpoint", "training_mode", "finetune"),
    ("fine tune", "training_mode", "finetune"), ("fine tuning", "training_mode", "finetune"),
    ("fine tuned", "training_mode", "finetune"), ("finetune", "training_mode", "finetune"),
    ("finetuning", "training_mode", "finetune"), ("finetuned", "training_mode", "finetune"),
    ("fine tunes", "training_mode", "finetune"), ("finetunes", "training_mode", "finetune"),
    ("sft", "training_mode", "finetune"), ("full sft", "training_mode", "finetune"),
    ("full fine tune", "training_mode", "finetune"),
    ("full parameter", "training_mode", "finetune"), ("full parameters", "training_mode", "finetune"),
    ("full finetuning", "training_mode", "finetune"), ("full fine tuning", "training_mode", "finetune"),
    ("finetuning type full", "training_mode", "finetune"), ("finetuning type lora", "adapter", "lora"),
    ("finetuning type qlora", "adapter", "qlora"), ("adapter qlora", "adapter", "qlora"),
    ("adapter lora", "adapter", "lora"), ("dreambooth", "training_mode", "finetune"),
    ("full finetune", "training_mode", "finetune"), ("full ft", "training_mode", "finetune"),
    ("full tuning", "training_mode", "finetune"), ("full parameter tuning", "training_mode", "finetune"),
    ("full weight fine tuning", "training_mode", "finetune"), ("full weight finetuning", "training_mode", "finetune"),
    ("full weights fine tuning", "training_mode", "finetune"),
    ("fully fine tune", "training_mode", "finetune"), ("fully finetune", "training_mode", "finetune"),
    ("fully fine tuning", "training_mode", "finetune"), ("fully finetuning", "training_mode", "finetune"),
    ("fully fine tuned", "training_mode", "finetune"), ("fully finetuned", "training_mode", "finetune"),
    # every weight trained, said without 'fine-tune': "train all parameters", "update all the weights"
    ("all parameters", "full_weights", True), ("all the parameters", "full_weights", True),
    ("all weights", "full_weights", True), ("all the weights", "full_weights", True),
    ("all model parameters", "full_weights", True), ("all the model parameters", "full_weights", True),
    ("quantization bit 4", "base_bits", 4), ("bnb 4bit", "base_bits", 4), ("4bit", "base_bits", 4),
    ("lora adapters", "adapter", "lora"), ("lora finetuning", "adapter", "lora"),
    ("lora", "adapter", "lora"), ("peft", "adapter", "lora"), ("low rank training", "adapter", "lora"), ("qlora", "adapter", "qlora"),
    # kohya's sd-scripts train a LoRA network: its config's [additional_network] section, network_train_unet_only
    ("additional network", "adapter", "lora"), ("network train unet only", "adapter", "lora"),
    # kohya's sd-scripts and musubi-tuner train a LoRA network with their *_train_network.py scripts
    ("train network py", "adapter", "lora"),
    ("fluxgym", "adapter", "lora"),  # (FluxGym, a web UI over sd-scripts, trains FLUX LoRAs only - review 88 #15)
    # "LoRA without quantization", "unquantized LoRA", "不量化的 lora" (review 76 #29): adapters on a 16-bit base
    ("unquantized lora", "base_bits", 16), ("non quantized lora", "base_bits", 16),
    ("lora without quantization", "base_bits", 16), ("lora without quantisation", "base_bits", 16),
    ("q lora", "adapter", "qlora"), ("load in 4 bit", "base_bits", 4), ("load in 4bit", "base_bits", 4),
    ("load in bits 4", "base_bits", 4), ("load in bits 8", "base_bits", 8),  # Llama2-Chinese's `--load_in_bits 4`
    ("4 bit", "base_bits", 4), ("nf4", "base_bits", 4), ("bnb 4 bit", "base_bits", 4),
    ("load in 8 bit", "base_bits", 8), ("load in 8bit", "base_bits", 8), ("loaded in 8 bit", "base_bits", 8),
    ("loaded in 8bit", "base_bits", 8), ("loaded in 4 bit", "base_bits", 4), ("loaded in 4bit", "base_bits", 4),
    ("int8 quanto", "base_bits", 8), ("quanto int8", "base_bits", 8), ("int4 quanto", "base_bits", 4),  # SimpleTuner
    ("use int4", "base_bits", 4), ("use int8", "base_bits", 8),  # AutoTrain's `--use_int4`, `--use_int8`
    ("fp8 base", "base_bits", 8),  # kohya's and musubi-tuner's `--fp8_base`: the frozen base in 8-bit floats
    # "load the model in 8-bit", "模型开启了8bit" (the model enabled 8bit - review 83 #13)
    ("model in 8 bit", "base_bits", 8), ("model in 8bit", "base_bits", 8), ("model in int8", "base_bits", 8),
    ("model in 4 bit", "base_bits", 4), ("model in 4bit", "base_bits", 4), ("model in int4", "base_bits", 4),
    ("model enabled 8bit", "base_bits", 8), ("model enabled 8 bit", "base_bits", 8),
    # "Can I train the lora in 8bit so that my 3090 can train a lora for 13B?": the base loaded in 8 bits under it
    ("lora in 8bit", "base_bits", 8), ("lora in 8 bit", "base_bits", 8), ("lora in int8", "base_bits", 8),
    ("lora in 4bit", "base_bits", 4), ("lora in 4 bit", "base_bits", 4),
    ("awq", "base_bits", 4), ("gptq", "base_bits", 4),  # checkpoints quantised to 4 bits ("…-AWQ", "…-GPTQ")
    # precision
    ("bf16", "precision", "amp_bf16"), ("bfloat16", "precision", "amp_bf16"), ("fp16", "precision", "amp_fp16"),
    # (a config's name cut at its digits: DeepSpeed's `zero2_bf16.json`, `zero3_bf16_cpuoffload_all.json`)
    ("bf 16", "precision", "amp_bf16"), ("fp 16", "precision", "amp_fp16"),
    ("float16", "precision", "amp_fp16"), ("half precision", "precision", "amp_fp16"),
    ("mixed precision", "precision", "amp"), ("amp", "precision", "amp"), ("autocast", "precision", "amp"),
    ("fp32", "precision", "fp32"), ("float32", "precision", "fp32"), ("full precision", "precision", "fp32"),
    ("pure bf16", "precision", "bf16"), ("pure fp16", "precision", "fp16"),
    ("native bf16", "precision", "bf16"), ("full bf16", "precision", "bf16"),  # (review 84 #10: no fp32 master copy)
    ("amp bf16", "precision", "amp_bf16"), ("amp fp16", "precision", "amp_fp16"),  # Composer's `precision: amp_bf16`
    ("mixed precision bf16", "precision", "amp_bf16"), ("mixed precision fp16", "precision", "amp_fp16"),
    ("16 mixed", "precision", "amp_fp16"),  # Lightning's precision="16-mixed" ("bf16-mixed" is read by its bf16)
    ("mixed float 16", "precision", "amp_fp16"), ("mixed bfloat 16", "precision", "amp_bf16"),  # Keras' policies
    # optimizer
    ("adamw", "optimizer", "adamw"), ("adam", "optimizer", "adam"), ("sgd", "optimizer", "sgd"),
    ("adam mini", "optimizer", "adam_mini"),  # Adam-mini keeps far fewer second moments: not Adam's states
    ("anyprecision", "optimizer", "adamw"), ("anyprecisionadamw", "optimizer", "adamw"),  # torchdistx AnyPrecisionAdamW
    ("sgd with momentum", "optimizer", "sgd_momentum"), ("momentum sgd", "optimizer", "sgd_momentum"),
    ("nesterov", "optimizer", "sgd_momentum"), ("lion", "optimizer", "lion"), ("adafactor", "optimizer", "adafactor"),
    # PaddleClas' `Optimizer: name: Momentum`, TensorFlow's MomentumOptimizer: SGD with momentum
    ("optimizer name momentum", "optimizer", "sgd_momentum"), ("momentum optimizer", "optimizer", "sgd_momentum"),
    ("name momentum", "optimizer", "sgd_momentum"),  # (its line under `Optimizer:`)
    ("momentumoptimizer", "optimizer", "sgd_momentum"),
    ("prodigy", "optimizer", "prodigy"), ("8 bit adam", "optimizer", "adamw_8bit"),
    ("adam_mini", "optimizer", "adam_mini"), ("use_adam_mini", "optimizer", "adam_mini"),
    ("schedule free", "optimizer", "schedule_free_adamw"), ("schedulefree", "optimizer", "schedule_free_adamw"),
    ("adamwschedulefree", "optimizer", "schedule_free_adamw"), ("schedule_free_adamw", "optimizer", "schedule_free_adamw"),
    ("adamw schedule free", "optimizer", "schedule_free_adamw"),
    # named, but with no state size the estimates know (AdamW's are counted for them, and said): Muon keeps one
    # momentum for the matrices and AdamW's for the rest, GaLore low-rank moments
    ("muon", "optimizer", "muon"), ("galore", "optimizer", "galore"), ("galore_adamw", "optimizer", "galore"),
    ("8 bit adamw", "optimizer", "adamw_8bit"), ("adam 8 bit", "optimizer", "adamw_8bit"),
    ("adamw 8 bit", "optimizer", "adamw_8bit"), ("adamw bnb 8 bit", "optimizer", "adamw_8bit"),
    ("use 8 bit adam", "optimizer", "adamw_8bit"), ("bnb adamw", "optimizer", "adamw_8bit"),
    ("adamw8bit", "optimizer", "adamw_8bit"), ("adam8bit", "optimizer", "adamw_8bit"),
    ("paged adamw 8 bit", "optimizer", "paged_adamw_8bit"), ("paged adamw", "optimizer", "paged_adamw_32bit"),
    ("paged adamw 32 bit", "optimizer", "paged_adamw_32bit"), ("8 bit optimizer", "optimizer", "adamw_8bit"),
    ("adamw4bit", "optimizer", "adamw_4bit"), ("adamw 4 bit", "optimizer", "adamw_4bit"),  # torchao's AdamW4bit
    ("4 bit adamw", "optimizer", "adamw_4bit"), ("4 bit adam", "optimizer", "adamw_4bit"),
    # parallelism
    ("ddp", "parallelism", "ddp"), ("distributed data parallel", "parallelism", "ddp"),
    ("distributeddataparallel", "parallelism", "ddp"), ("data parallel", "parallelism", "ddp"),
    ("dataparallel", "parallelism", "dp"), ("nn dataparallel", "parallelism", "dp"),
    ("nn data parallel", "parallelism", "dp"),  # "nn.data_parallel": torch.nn's one-process DataParallel
    # "why does multi-GPU dp seem slower? With 2 GPUs using DP …": DataParallel said short (not Megatron's "DP2" degree)
    ("gpu dp", "parallelism", "dp"), ("using dp", "parallelism", "dp"), ("with dp", "parallelism", "dp"),
    # a traceback through torch's wrappers: `torch/nn/parallel/data_parallel.py` (DataParallel, one process),
    # `torch/nn/parallel/distributed.py` (DDP)
    ("parallel / data parallel py", "parallelism", "dp"), ("parallel / distributed py", "parallelism", "ddp"),
    # accelerate's `distributed_type: MULTI_GPU` (its DDP launch); OpenMMLab's tools/dist_train.sh (torch.distributed)
    ("distributed type multi gpu", "parallelism", "ddp"), ("dist train", "parallelism", "ddp"),
    ("dpo", "preference_objective", "dpo"), ("dpotrainer", "preference_objective", "dpo"),
    ("dpoconfig", "preference_objective", "dpo"), ("direct preference optimization", "preference_objective", "dpo"),
    ("kto", "preference_objective", "kto"), ("ktotrainer", "preference_objective", "kto"),
    ("orpo", "preference_objective", "orpo"), ("orpotrainer", "preference_objective", "orpo"),
    ("simpo", "preference_objective", "simpo"),
    # a pairwise reward model trained (LLaMA-Factory's `stage: rm`, TRL's RewardTrainer, OpenRLHF's train_rm): the
    # chosen and the rejected answer of each pair both run (not "the reward model" of a PPO or GRPO run)
    ("stage rm", "preference_objective", "reward"), ("rewardtrainer", "preference_objective", "reward"),
    ("rewardconfig", "preference_objective", "reward"), ("train rm", "preference_objective", "reward"),
    ("reward model training", "preference_objective", "reward"), ("reward modeling", "preference_objective", "reward"),
    ("fsdp", "parallelism", "fsdp"), ("fully sharded", "parallelism", "fsdp"),
    # torchtune's distributed recipes shard with FSDP (lora_finetune_distributed, full_finetune_distributed, …)
    ("lora_finetune_distributed", "parallelism", "fsdp"), ("full_finetune_distributed", "parallelism", "fsdp"),
    ("lora_dpo_distributed", "parallelism", "fsdp"), ("knowledge_distillation_distributed", "parallelism", "fsdp"),
    ("sharding tree", "parallelism", "fsdp"),  # JAX: a tree of shardings that partitions the train state over devices
    ("deepspeed", "parallelism", "zero"), ("zero", "parallelism", "zero"), ("ds config", "parallelism", "zero"),
    ("deepspeedstrategy", "parallelism", "zero"),  # Lightning's DeepSpeedStrategy (one CamelCase word)
    ("deep speed", "parallelism", "zero"), ("deepspeed 3", "zero_stage", 3), ("deepspeed 2", "zero_stage", 2),
    ("ds z 3", "zero_stage", 3), ("ds z 2", "zero_stage", 2), ("ds z3", "zero_stage", 3), ("ds z2", "zero_stage", 2),
    ("tensor parallel", "parallelism", "tensor"), ("tensor parallelism", "parallelism", "tensor"),
    ("model parallel", "parallelism", "tensor"), ("pipeline parallel", "parallelism", "pipeline"),
    ("modelparallel", "parallelism", "tensor"),  # keras.distribution.ModelParallel: variables sharded by a layout map
    ("pipeline parallelism", "parallelism", "pipeline"), ("device map auto", "parallelism", "device_map"),
    ("pipeline parrallel", "parallelism", "pipeline"), ("model parrallel", "parallelism", "tensor"),  # (a common typo)
    ("device map", "parallelism", "device_map"),
    ("pipelinemodule", "parallelism", "pipeline"), ("pipeline module", "parallelism", "pipeline"),  # DeepSpeed's
    ("zero 1", "zero_stage", 1), ("zero 2", "zero_stage", 2), ("zero 3", "zero_stage", 3),
    ("zero stage 1", "zero_stage", 1), ("zero stage 2", "zero_stage", 2), ("zero stage 3", "zero_stage", 3),
    ("stage 1", "zero_stage", 1), ("stage 2", "zero_stage", 2), ("stage 3", "zero_stage", 3),
    ("stage3", "zero_stage", 3), ("stage2", "zero_stage", 2), ("zero3", "zero_stage", 3), ("zero2", "zero_stage", 2),
    ("shard grad op", "zero_stage", 2),  # FSDP's SHARD_GRAD_OP shards the gradients and optimizer state: ZeRO-2
    ("ds zero2", "zero_stage", 2), ("ds zero3", "zero_stage", 3),
    # "Accelerate + DeepSpeed (level 3, bf16)", "ZeRO level 2": the stage called a level
    ("deepspeed level 1", "zero_stage", 1), ("deepspeed level 2", "zero_stage", 2),
    ("deepspeed level 3", "zero_stage", 3), ("zero level 1", "zero_stage", 1), ("zero level 2", "zero_stage", 2),
    ("zero level 3", "zero_stage", 3),
    ("offload", "offload", "cpu"), ("cpu offload", "offload", "cpu"), ("offload optimizer", "offload", "cpu"),
    ("offloading", "offload", "cpu"), ("cpu offloading", "offload", "cpu"),
    # (axolotl's deepspeed_configs/zero3_bf16_cpuoffload_all.json and …_cpuoffload_params.json: the optimizer's state,
    # and with "_all" or "_params" the parameters too - review 71 #10)
    ("cpuoffload", "offload", "cpu"), ("cpuoffload all", "offload", "cpu"), ("cpuoffload params", "offload", "cpu"),
    # Megatron's distributed optimizer shards the optimizer state and fp32 master weights over the data-parallel
    # ranks: ZeRO-1's layout (`--use-distributed-optimizer`, "MBS=1 and the distributed optimizer")
    ("distributed optimizer", "zero_stage", 1), ("use distributed optimizer", "zero_stage", 1),
    ("offload param", "offload", "cpu"), ("nvme", "offload", "nvme"), ("offload to nvme", "offload", "nvme"),
    ("zero infinity", "offload", "nvme"),  # ZeRO-Infinity: DeepSpeed's offload to NVMe
    # the parameters offloaded too (ZeRO-3's offload_param, FSDP's offload_params=True)
    ("offload params", "offload", "cpu"), ("offload parameters", "offload", "cpu"),
    # memory savers
    ("gradient checkpointing", "grad_checkpointing", True), ("activation checkpointing", "grad_checkpointing", True),
    ("model ac", "grad_checkpointing", True),  # (prime-rl's `[model.ac]` table: activation checkpointing on)
    ("gradient checkpoint", "grad_checkpointing", True), ("grad checkpointing", "grad_checkpointing", True),
    ("checkpointing", "grad_checkpointing", True), ("activation recomputation", "grad_checkpointing", True),
    ("use gradient checkpointing", "grad_checkpointing", True), ("grad ckpt", "grad_checkpointing", True),
    ("gradient ckpt", "grad_checkpointing", True), ("activation ckpt", "grad_checkpointing", True),
    ("act ckpt", "grad_checkpointing", True), ("ckpt on", "grad_checkpointing", True),
    ("grad cp", "grad_checkpointing", True),  # (RWKV-LM's --grad_cp 1; 0 turns it off)
    ("grad checkpoint", "grad_checkpointing", True), ("gradient checkpoint", "grad_checkpointing", True),
    ("activation checkpoint", "grad_checkpointing", True),
    # (`gradient_checkpt: True`)
    ("gradient checkpt", "grad_checkpointing", True), ("grad checkpt", "grad_checkpointing", True),
    # Megatron's `--recompute-activations`, `--recompute_granularity full|selective`, `--recompute_method uniform`
    ("recompute activations", "grad_checkpointing", True), ("recompute granularity", "grad_checkpointing", True),
    ("recompute method", "grad_checkpointing", True),
    # which layers LoRA adapts, said in words
    ("attention only", "lora_targets", "attention"), ("only attention", "lora_targets", "attention"),
    ("attention layers only", "lora_targets", "attention"), ("all linear", "lora_targets", "all_linear"),
    ("all linear layers", "lora_targets", "all_linear"), ("lora_target_linear", "lora_targets", "all_linear"),
    # (lists of projections, "q_proj,v_proj,…" in any order, are read by their members: reader._lora_projection_list)
    # a loss that never builds the whole logits (Unsloth's, Liger's, a chunked cross-entropy)
    ("unsloth", "fused_loss", True), ("liger", "fused_loss", True), ("liger kernel", "fused_loss", True),
    # a public data set named, with its training split's size; 0: a size not fixed. Sources: ILSVRC-2012's 1,281,167
    # training images (Russakovsky et al., IJCV 2015, Table 1); CIFAR-10/100's 50,000 (Krizhevsky, "Learning Multiple
    # Layers of Features from Tiny Images", 2009); MNIST's 60,000 (LeCun et al., yann.lecun.com/exdb/mnist)
    ("imagenet", "dataset_known", 1_281_167), ("imagenet 1 k", "dataset_known", 1_281_167),
    ("ilsvrc", "dataset_known", 1_281_167), ("imagenet 21 k", "dataset_known", 0), ("imagenet 22 k", "dataset_known", 0),
    ("cifar 10", "dataset_known", 50_000), ("cifar 100", "dataset_known", 50_000), ("mnist", "dataset_known", 60_000),
    # COCO's train2017 split, 118,287 images (cocodataset.org, instances_train2017.json; Lin et al. 2014), the split
    # detection and segmentation recipes train on; Cityscapes' 2,975 finely annotated training images (Cordts et al.,
    # CVPR 2016); ADE20K's 20,210 (Zhou et al., CVPR 2017, SceneParsing's training set)
    ("coco", "dataset_known", 118_287), ("coco 2017", "dataset_known", 118_287), ("train 2017", "dataset_known", 118_287),
    ("cityscapes", "dataset_known", 2_975), ("ade 20 k", "dataset_known", 20_210),
    # Ultralytics' demo sets (docs.ultralytics.com/datasets/detect: coco8's 4 training images, coco128's 128) and
    # VisDrone2019-DET's 6,471 training images (Zhu et al., "Detection and Tracking Meet Drones Challenge", 2021)
    ("coco 8", "dataset_known", 4), ("coco 128", "dataset_known", 128), ("visdrone", "dataset_known", 6_471),
    # Ultralytics' YOLO trainers: --batch-size is the total over all GPUs, accumulated to a nominal 64
    ("ultralytics", "ultralytics", True), ("yolov 5", "ultralytics", True), ("yolov 8", "ultralytics", True),
    ("yolo 11", "ultralytics", True), ("yolov 11", "ultralytics", True), ("yolo 12", "ultralytics", True),
    ("yolov 12", "ultralytics", True), ("yolo 26", "ultralytics", True), ("yolov 10", "ultralytics", True),
    # scripts whose --batch_size is each GPU's: MAE's main_pretrain.py ("Batch size per GPU (effective batch size is
    # batch_size * accum_iter * # gpus"), known by its --blr and --accum_iter (not "MAE", also a mean absolute error),
    # DeiT's main.py and timm's train.py (each process loads its own batch)
    ("blr", "batch_flag_per_gpu", True), ("accum iter", "batch_flag_per_gpu", True),
    ("deit", "batch_flag_per_gpu", True), ("timm", "batch_flag_per_gpu", True),
    # a script launched with Hugging Face's accelerate (diffusers' train_*.py among them): each process builds its
    # own DataLoader, so `train_batch_size` is each GPU's ("Batch size (per device) for the training dataloader")
    # (the library, not the verb: "with accelerate", not "how to accelerate training")
    ("accelerate launch", "accelerate", True), ("with accelerate", "accelerate", True),
    ("using accelerate", "accelerate", True), ("via accelerate", "accelerate", True),
    ("hf accelerate", "accelerate", True), ("huggingface accelerate", "accelerate", True),
    ("hugging face accelerate", "accelerate", True), ("accelerate config", "accelerate", True),
    ("accelerate library", "accelerate", True), ("accelerator prepare", "accelerate", True),
    ("diffusers", "batch_flag_per_gpu", True),
    # PyTorch Lightning, or its own names: under DDP "the batch_size in your DataLoader remains the same" on each
    # device, its progress bar counts batches and its global_step optimizer steps
    ("lightning", "lightning", True), ("pytorch lightning", "lightning", True), ("lightningmodule", "lightning", True),
    ("lightningdatamodule", "lightning", True), ("pl trainer", "lightning", True),
    ("accumulate grad batches", "lightning", True), ("configure optimizers", "lightning", True),
    ("estimated stepping batches", "lightning", True),
    # OpenMMLab's runners (mmdetection, mmsegmentation, …): batch_size in train_dataloader is each GPU's, and the
    # optimizer steps every iteration unless the config accumulates (optim_wrapper's accumulative_counts)
    ("mmdetection", "openmmlab", True), ("mmdet", "openmmlab", True), ("mmsegmentation", "openmmlab", True),
    ("mmseg", "openmmlab", True), ("mmpretrain", "openmmlab", True), ("mmengine", "openmmlab", True),
    ("mmrotate", "openmmlab", True), ("mmpose", "openmmlab", True), ("mmdet3d", "openmmlab", True),
    # nanoGPT's train.py divides gradient_accumulation_steps by the GPUs: the key counts the steps over all of them
    ("nanogpt", "accumulation_over_gpus", True), ("nano gpt", "accumulation_over_gpus", True),
    # LLaMA-Factory checkpoints the activations unless `disable_gradient_checkpointing` is set (its model_args)
    ("llama factory", "checkpointing_default", True), ("llamafactory", "checkpointing_default", True),
    # (its CLI names it too, `llamafactory-cli train`)
    ("llamafactory cli", "checkpointing_default", True),
    # samples concatenated to the length (`packing: true`, axolotl's sample_packing, TRL's packing=True): every
    # sequence is the length, not at most it
    ("packing", "packing", True), ("sample packing", "packing", True), ("neat packing", "packing", True),
    ("torchtitan", "sharding_default", "fsdp"),  # its data_parallel_shard_degree -1: FSDP2 over every GPU by default
    ("fused cross entropy", "fused_loss", True), ("chunked cross entropy", "fused_loss", True),
    ("cut cross entropy", "fused_loss", True), ("fused linear cross entropy", "fused_loss", True),
    # accumulation said without a count: only its absence is read ("no accumulation", "without grad accumulation")
    ("gradient accumulation", "accumulating", True), ("grad accumulation", "accumulating", True),
    ("accumulation", "accumulating", True), ("grad accum", "accumulating", True),
    ("flash attention", "attention", "flash"), ("flash attn", "attention", "flash"),
    ("flashattention", "attention", "flash"), ("flash attention 2", "attention", "flash"), ("fa2", "attention", "flash"),
    ("flash attn 2", "attention", "flash"),
    ("sdpa", "attention", "sdpa"), ("eager attention", "attention", "eager"),
    ("attn_implementation eager", "attention", "eager"), ("attn_implementation 'eager", "attention", "eager"),
    ("attn_implementation = eager", "attention", "eager"),
    # out of memory
    ("oom", "oom", True), ("ooms", "oom", True), ("out of memory", "oom", True), ("outofmemoryerror", "oom", True),
    ("outof memory", "oom", True),  # ("CUDA outof memory", a traceback retyped from a screenshot)
    ("cudaoutofmemory", "oom", True), ("cudaoutofmemoryerror", "oom", True),  # ("raises a CudaOutOfMemory exception")
    ("tried to allocate", "oom", True), ("resource exhausted", "oom", True), ("oomed", "oom", True),
    ("runs out of memory", "oom", True), ("run out of memory", "oom", True), ("ran out of memory", "oom", True),
    ("not enough gpu memory", "oom", True), ("not enough memory", "oom", True), ("memory is not enough", "oom", True),
    ("gpu memory is not enough", "oom", True), ("memory isn't enough", "oom", True), ("memory wasn't enough", "oom", True),
    ("could not allocate", "oom", True), ("cannot allocate", "oom", True), ("memory outage", "oom", True),
    # PaddlePaddle's "Cannot malloc 39.06 MB GPU memory"
    ("cannot malloc", "oom", True), ("can not malloc", "oom", True),
    ("out of gpu memory", "oom", True), ("g isn ' t enough", "oom", True), ("gb isn ' t enough", "oom", True),
    ("g is not enough", "oom", True), ("gb is not enough", "oom", True), ("vram isn ' t enough", "oom", True),
    ("no gpu memory left", "oom", True), ("no memory left", "oom", True), ("no vram left", "oom", True),
    ("memory shortage", "oom", True), ("vram stopped being enough", "oom", True),
    # "I run into memory capacity issues" (review 52 #26): the card's memory ran short
    ("memory capacity issues", "oom", True), ("memory capacity issue", "oom", True),
    ("adam w", "optimizer", "adamw"),
    ("insufficient memory", "oom", True), ("out of vram", "oom", True),
    ("out of video memory", "oom", True), ("out of cuda memory", "oom", True), ("unable to allocate", "oom", True),
    ("resourceexhaustederror", "oom", True), ("resource exhausted error", "oom", True), ("memory error", "oom", True),
    ("memory explode", "oom", True), ("memory explodes", "oom", True),
    ("memory runs out", "oom", True), ("memory ran out", "oom", True), ("memory still runs out", "oom", True),
    ("runs out of my", "oom", True), ("ran out of my", "oom", True),
    # an error that says the memory is full ("(GPU memory full)" alone describes a run at its limit)
    ("reported memory full", "oom", True), ("reports memory full", "oom", True), ("memory is full", "oom", True),
    ("memory was full", "oom", True), ("cudamalloc failed", "oom", True),
    ("full bf16", "precision", "bf16"), ("full fp16", "precision", "fp16"),
]


# slot cues: words (keys) that name the number next to them. Left cues stand before the number, right cues after.
LEFT_CUES: list[tuple[str, str]] = [
    ("per device train batch size", "micro_batch"), ("per_device_train_batch_size", "micro_batch"),
    ("train_micro_batch_size_per_gpu", "micro_batch"), ("micro_batch_size", "micro_batch"),
    ("micro_bsz", "micro_batch"),  # (RWKV-LM's --micro_bsz, each GPU's)
    ("micro batch size", "micro_batch"), ("micro batch", "micro_batch"), ("micro_batch", "micro_batch"),
    ("micro", "micro_batch"),  # "micro 2, GA 8"
    ("per gpu batch size", "micro_batch"), ("per device batch size", "micro_batch"),
    ("batch size per gpu", "micro_batch"), ("batch size per device", "micro_batch"), ("per device batch", "micro_batch"),
    # "the batch size for each GPU training is set to a maximum of 2" (review 55 #19)
    ("batch size for each gpu", "micro_batch"), ("batch size of each gpu", "micro_batch"),
    ("batch size on each gpu", "micro_batch"), ("batch size for each card", "micro_batch"),
    ("batch size per card", "micro_batch"), ("batch size for every gpu", "micro_batch"),
    ("per gpu batch", "micro_batch"), ("train_batch_size_per_gpu", "micro_batch"), ("mbs", "micro_batch"),
    ("single gpu batch size", "micro_batch"), ("single gpu batch", "micro_batch"),  # "the single-GPU batch size"
    # "across 4 GPUs, individual batch size 64 and update frequency 16" (review 85 #22): each GPU's, fairseq's GA
    ("individual batch size", "micro_batch"), ("update frequency", "grad_accum_steps"),
    ("per device", "micro_batch"), ("per gpu", "micro_batch"), ("batch per gpu", "micro_batch"),
    ("batch per device", "micro_batch"), ("imgs_per_gpu", "micro_batch"), ("per img gpu", "micro_batch"), ("img per gpu", "micro_batch"), ("samples_per_gpu", "micro_batch"),
    ("batch_size_per_gpu", "micro_batch"), ("batch_size_per_device", "micro_batch"),
    ("train_batch_size", "global_batch"), ("global batch size", "global_batch"), ("global batch", "global_batch"),
    ("total train batch size", "global_batch"),
    ("effective batch size", "global_batch"), ("effective batch", "global_batch"), ("total batch size", "global_batch"),
    ("global_batch_size", "global_batch"), ("total batch", "global_batch"), ("gbs", "global_batch"),
    ("accum_batch_size", "global_batch"), ("accum batch size", "global_batch"),  # Caffe SSD's batch per update
    ("global", "global_batch"), ("global bs", "global_batch"),  # "want global 512"
    # "16 at a time, accumulate 4 times, which is equivalent to a batch size of 64": the batch per update it builds
    ("equivalent to a batch size", "global_batch"), ("equivalent to a batch", "global_batch"),
    ("equivalent batch size", "global_batch"),  # (not "equivalent to `--batch-size 64 …`": a flag compared)
    ("batch size", "batch"), ("batch_size", "batch"), ("batchsize", "batch"), ("batch", "batch"), ("bs", "batch"),
    ("batch sizes", "batch"),
    ("minibatch size", "batch"), ("minibatchsize", "batch"), ("mini batch size", "batch"),  # CNTK's, Keras users'
    ("mini-batch size", "batch"),
    ("gradient_accumulation_steps", "grad_accum_steps"), ("gradient accumulation steps", "grad_accum_steps"),
    ("gradient accumulation step", "grad_accum_steps"),  # ("set gradient_accumulation_step as 2": the s forgotten)
    ("accum grad", "grad_accum_steps"), ("accum grad n step", "grad_accum_steps"),  # ESPnet's, neural_sp's
    ("gradient accumulation", "grad_accum_steps"), ("grad accum", "grad_accum_steps"),
    ("grad_accum", "grad_accum_steps"), ("accumulation steps", "grad_accum_steps"), ("accum_iter", "grad_accum_steps"),
    ("accumulative_counts", "grad_accum_steps"), ("accumulative counts", "grad_accum_steps"),  # xtuner (mmengine) - review 74 #3
    ("accumulation", "grad_accum_steps"), ("accum", "grad_accum_steps"), ("ga", "grad_accum_steps"),
    ("gradient_accumulation", "grad_accum_steps"), ("accumulate", "grad_accum_steps"),
    ("grad acc", "grad_accum_steps"), ("gradient acc", "grad_accum_steps"),  # `--grad_acc 8`, InternVL's GRADIENT_ACC
    ("grad accum steps", "grad_accum_steps"), ("accum steps", "grad_accum_steps"),
    ("grad_accumulation_steps", "grad_accum_steps"), ("accumulate_grad_batches", "grad_accum_steps"),
    ("accumulated_grad_batches", "grad_accum_steps"), ("accumulated_grad_batch", "grad_accum_steps"),
    ("num_microbatches", "grad_accum_steps"), ("iter_size", "grad_accum_steps"),  # T5X; Caffe's accumulation
    ("accumulate gradients", "grad_accum_steps"), ("gradient accumulations", "grad_accum_steps"),
    ("update freq", "grad_accum_steps"), ("subdivisions", "subdivisions"), ("sub divisions", "subdivisions"),
    ("accum grad n step", "grad_accum_steps"), ("accum grad", "grad_accum_steps"),  # WeNet's accum_grad
    # GRPO's prompt and completion lengths: a sequence is both (settled in reader._resolve)
    ("max_prompt_length", "prompt_len"), ("max prompt length", "prompt_len"), ("max_completion_length", "completion_len"),
    ("max completion length", "completion_len"),
    ("max prompt", "prompt_len"), ("max completions", "completion_len"), ("max completion", "completion_len"),
    ("prompt_max_len", "prompt_len"), ("generate_max_len", "completion_len"),  # OpenRLHF
    ("max_response_length", "completion_len"),  # verl
    ("max_prompt_seq_len", "prompt_len"), ("max_answer_seq_len", "completion_len"),  # DeepSpeed-Chat's step 3
    ("max_seq_length", "seq_len"), ("max_seq_len", "seq_len"), ("seq_len", "seq_len"), ("seq_length", "seq_len"),
    ("max_length", "seq_len"), ("max_len", "seq_len"), ("cutoff_len", "seq_len"), ("block_size", "seq_len"),
    ("block size", "seq_len"),  # run_clm's --block_size said in words
    ("model_max_length", "seq_len"), ("sequence length", "seq_len"), ("sequence len", "seq_len"),
    ("seq length", "seq_len"), ("seq len", "seq_len"), ("seq", "seq_len"), ("context length", "seq_len"),
    ("context", "seq_len"), ("ctx", "seq_len"), ("max_source_length", "source_len"), ("max_words", "seq_len"),
    ("max sequence length", "seq_len"), ("sequence", "seq_len"), ("length", "seq_len"),
    ("sequences are", "seq_len"), ("sequences of", "seq_len"),  # ("my sequences are up to 32k", "sequences of 2048
    # tokens"; not "the number of sequences is 900", a data set's size)
    ("context len", "seq_len"), ("ctx len", "seq_len"),
    # an encoder-decoder's source side ("input 512 target 114"); "input size" is an image's, and a script's
    # `max_input_length` is no cue (a decoder's sequence is the input and the `max_output_length` together)
    ("input", "seq_len"), ("input length", "seq_len"), ("input len", "seq_len"), ("source length", "seq_len"),
    ("maxseqlen", "seq_len"), ("max seqlen", "seq_len"), ("seqlen", "seq_len"),
    ("sequences of", "seq_len"),  # "global batch 512 sequences of 2048": each sequence's length
    ("pre seq len", "prefix_len"),  # P-tuning v2's prefix length (ChatGLM's `--pre_seq_len`): not the sequence
    ("max_source_len", "source_len"), ("max_target_length", "target_len"), ("max_target_len", "target_len"),
    ("tensor parallel size", "tensor_parallel"),
    ("tensor parallel", "tensor_parallel"),  # (vLLM's `--tensor_parallel 2`, short for --tensor-parallel-size)
    # ("tensor_parallelism=2, pipeline_parallelism=8" - review 71 #26)
    ("tensor parallelism", "tensor_parallel"), ("pipeline parallelism", "pipeline_parallel"),
    ("tensor_model_parallel_size", "tensor_parallel"), ("tp", "tensor_parallel"), ("tp size", "tensor_parallel"),
    ("model_parallel_size", "tensor_parallel"), ("mp_size", "tensor_parallel"),  # (Megatron's MP_SIZE=2)
    ("model_parallel", "tensor_parallel"),  # (LLaMA2-Accessory's `model_parallel=2`, fairscale's model-parallel size)
    ("pipeline_model_parallel_size", "pipeline_parallel"),
    ("pp", "pipeline_parallel"), ("pipeline parallel size", "pipeline_parallel"),
    ("pipeline_num_stages", "pipeline_parallel"), ("pipeline num stages", "pipeline_parallel"),  # (DeepSpeed examples)
    # sequence (context) parallelism: the GPUs of a group share one sample's tokens and each holds the whole model
    # (FastVideo's `--sp_size 8`, DeepSpeed Ulysses' and LLaMA-Factory's `sequence_parallel_size`, verl's
    # `ulysses_sequence_parallel_size`, Megatron's `--context-parallel-size`); Megatron's bare `--sequence-parallel`
    # flag is part of tensor parallelism and carries no degree
    ("sp size", "sequence_parallel"), ("sp_size", "sequence_parallel"), ("sequence parallel size", "sequence_parallel"),
    ("sequence_parallel_size", "sequence_parallel"), ("ulysses sequence parallel size", "sequence_parallel"),
    ("ulysses_sequence_parallel_size", "sequence_parallel"), ("ulysses degree", "sequence_parallel"),
    ("ulysses_degree", "sequence_parallel"), ("context parallel size", "sequence_parallel"),
    ("context_parallel_size", "sequence_parallel"), ("cp size", "sequence_parallel"),
    ("cp", "sequence_parallel"),  # (Megatron users' "CP8 + TP8", as "TP8" is tensor parallelism - review 79 #24)
    ("dp", "data_parallel"), ("data parallel size", "data_parallel"), ("data_parallel_size", "data_parallel"),
    ("learning_rate", "lr"), ("learning rate", "lr"), ("lr", "lr"), ("base_lr", "lr"), ("base lr", "lr"), ("blr", "lr"),
    ("lr_init", "lr"),  # (RWKV-LM's --lr_init, the peak its schedule starts from)
    ("warmup_steps", "warmup_steps"), ("warmup steps", "warmup_steps"), ("warmup", "warmup_steps"),
    ("warmup iters", "warmup_steps"), ("warmup iterations", "warmup_steps"),  # (nanoGPT's `warmup_iters`)
    ("warm up", "warmup_steps"), ("warmups", "warmup_steps"), ("warmuplr", "warmup_steps"),  # (ESPnet's scheduler: `warmuplr`, warmup_steps 25000)
    ("lr_warmup_steps", "warmup_steps"), ("num_warmup_steps", "warmup_steps"), ("warmup_ratio", "warmup_ratio"),
    ("warmup ratio", "warmup_ratio"), ("num_train_epochs", "epochs"), ("epochs", "epochs"), ("max_epochs", "epochs"),
    ("max_epoch", "epochs"),  # (LAVIS's and MiniGPT-4's run configs)
    ("lora_rank", "lora_rank"), ("lora_r", "lora_rank"), ("network_dim", "lora_rank"), ("lora rank", "lora_rank"), ("rank", "lora_rank"),
    ("lora r", "lora_rank"), ("r", "lora_rank"),
    ("num_generations", "num_generations"), ("num generations", "num_generations"), ("num_generation", "num_generations"),  # GRPO's group (TRL, OpenRLHF)
    # the optimizer steps a run is set to take (HF, nanoGPT, Megatron, detectron2, T5X)
    ("max_steps", "planned_steps"), ("max_iters", "planned_steps"), ("train_iters", "planned_steps"), ("max_iter", "planned_steps"),
    ("num_train_steps", "planned_steps"), ("train_steps", "planned_steps"), ("total_steps", "planned_steps"),
    ("train_num_steps", "planned_steps"),  # (denoising-diffusion-pytorch's Trainer)
    ("num_iters", "planned_steps"), ("num_iterations", "planned_steps"), ("total_iters", "planned_steps"),
    ("max_iterations", "planned_steps"),
    ("max_training_step", "planned_steps"), ("max_training_steps", "planned_steps"),  # (a trainer's config key)
    ("total training steps", "planned_steps"), ("max steps", "planned_steps"),
    ("training steps", "planned_steps"), ("target training steps", "planned_steps"),  # "training steps: 500,000"
    ("n_samples_per_prompt", "num_generations"), ("group size", "num_generations"),
    ("rollout n", "num_generations"),  # verl's `actor_rollout_ref.rollout.n=5`: responses sampled per prompt
    ("zero stage", "zero_stage"), ("zero_stage", "zero_stage"), ("stage", "zero_stage"),
    ("nproc_per_node", "gpus_per_node"), ("nproc per node", "gpus_per_node"), ("num_processes", "num_gpus"),
    ("tpu_num_cores", "num_gpus"), ("tpu num cores", "num_gpus"),  # the HF Trainer's TPU cores: its replicas
    ("tpu_cores", "num_gpus"),  # Lightning's Trainer(tpu_cores=8): a process per core, each with its own batch
    ("worker_gpu", "gpus_per_node"),  # tensor2tensor's `--worker_gpu=2`: the GPUs of each worker machine
    ("ngpu_per_node", "gpus_per_node"), ("gpus_per_node", "gpus_per_node"), ("gpus per node", "gpus_per_node"),
    # (Lightning's and litgpt's `devices` count the GPUs of each machine: `devices=8, num_nodes=2` is 16)
    ("devices", "gpus_per_node"), ("num_gpus_per_node", "gpus_per_node"), ("trainer.devices", "gpus_per_node"),
    ("device number", "gpus_per_node"),  # ("global batch size = 1024, and device number = 8" - review 74 #1, litgpt)
    ("num_gpu_per_node", "gpus_per_node"), ("ngpus_per_node", "gpus_per_node"), ("gpu_per_node", "gpus_per_node"),
    # (DeepSpeedExamples' Megatron scripts: NUM_GPUS_PER_WORKER)
    ("n_gpus_per_node", "gpus_per_node"), ("num_gpus_per_worker", "gpus_per_node"),
    # OpenRLHF's trained model (the actor) on GPUs of its own, apart from the reference's, the critic's and vLLM's
    ("actor_num_gpus_per_node", "actor_gpus_per_node"), ("actor_num_nodes", "actor_nodes"),
    ("num_gpu", "num_gpus"), ("ngpus", "num_gpus"), ("n_gpus", "num_gpus"), ("ngpu", "num_gpus"),  # (ESPnet's --ngpu)
    ("num_gpus", "num_gpus"), ("gpus", "num_gpus"), ("world_size", "num_gpus"), ("world size", "num_gpus"),
    ("n_gpu", "num_gpus"), ("nnodes", "num_nodes"), ("num_nodes", "num_nodes"), ("num_machines", "num_nodes"),
    ("num_node", "num_nodes"),  # (`deepspeed --num_node 3`, the s forgotten)
    ("precision", "precision_bits"),  # Lightning's `precision=16` (mixed fp16) / `precision=32`
    ("resolution", "image_size"), ("image size", "image_size"), ("input size", "image_size"),
    ("imagesize", "image_size"),  # Keras users' `ImageSize=(170,170,3)` (review 78 #19)
    # "images which size is 640 in default config … images(size 1920)" (review 86 #26)
    ("images of size", "image_size"), ("images which size is", "image_size"), ("images whose size is", "image_size"),
    ("images with size", "image_size"), ("images size", "image_size"),
    ("input resolution", "image_size"), ("image resolution", "image_size"), ("imgsz", "image_size"),
    ("img size", "image_size"), ("image_size", "image_size"), ("img_size", "image_size"), ("imgsize", "image_size"),
    ("img", "image_size"),  # YOLOv5/v7's `--img 1280`
    # the data set's size named before it: a trainer's log (`Num examples = 5,498`), "dataset size: 30000"
    # a model's size as a trainer or PEFT prints it ("all params: 6,742,609,920"); trainable parameters are the
    # model's size only when no adapter is trained (settled in reader._resolve)
    ("all params", "params"), ("total params", "params"), ("number of parameters", "params"),
    ("number of parameter", "params"), ("number of params", "params"), ("total parameters", "params"),
    ("num params", "params"), ("number of trainable parameters", "trainable_params"),
    ("trainable params", "trainable_params"), ("trainable parameters", "trainable_params"),
    # a transformer's shape as flags and configs give it (nanoGPT, Megatron, XLNet, a pasted config.json): with the
    # heads named too, the parameters are counted from it (reader._resolve) when no size is said
    ("n_layer", "n_layers"), ("n_layers", "n_layers"), ("num_layers", "n_layers"), ("num layers", "n_layers"),
    ("num_hidden_layers", "n_layers"), ("nlayers", "n_layers"), ("n layer", "n_layers"),
    ("d_model", "d_model"), ("d model", "d_model"), ("n_embd", "d_model"), ("hidden_size", "d_model"),
    ("hidden size", "d_model"), ("d_inner", "d_ff"), ("d_ff", "d_ff"), ("intermediate_size", "d_ff"),
    ("ffn_hidden_size", "d_ff"), ("ffn hidden size", "d_ff"), ("ffn_dim", "d_ff"),
    ("n_head", "n_heads"), ("n_heads", "n_heads"), ("num_heads", "n_heads"), ("num_attention_heads", "n_heads"),
    ("num attention heads", "n_heads"), ("num_key_value_heads", "n_kv_heads"), ("num query groups", "n_kv_heads"),
    ("num_query_groups", "n_kv_heads"), ("n_kv_heads", "n_kv_heads"), ("num_kv_heads", "n_kv_heads"),
    ("multi_query_group_num", "n_kv_heads"), ("vocab_size", "vocab"), ("vocab size", "vocab"),
    ("padded_vocab_size", "vocab"),
    ("num examples", "dataset_size"), ("number of examples", "dataset_size"), ("num samples", "dataset_size"),
    ("number of samples", "dataset_size"), ("num_train_samples", "dataset_size"), ("dataset size", "dataset_size"),
    ("training set size", "dataset_size"), ("training set length", "dataset_size"), ("train set length", "dataset_size"), ("dataset of", "dataset_size"), ("train samples", "dataset_size"),
    ("training samples", "dataset_size"), ("number of training samples", "dataset_size"),
    ("training set", "dataset_size"), ("train set", "dataset_size"),  # "the whole training set is 39291958"
    ("data number", "dataset_size"), ("number of data", "dataset_size"),  # ("my data-number is 110000" - review 78 #25)
    ("data count", "dataset_size"),
    ("number of gpus", "num_gpus"),
    # LLaMA-Factory's `llamafactory-cli env`: "- GPU number: 1"
    ("gpu number", "num_gpus"), ("gpu count", "num_gpus"),
    ("gpu card num", "num_gpus"), ("gpu num", "num_gpus"), ("card num", "num_gpus"),  # ("gpu card num：8" - review 73 #23)
]


RIGHT_CUES: list[tuple[str, str]] = [
    ("per gpu", "micro_batch"), ("per device", "micro_batch"), ("per card", "micro_batch"),
    ("for each gpu", "micro_batch"), ("on each gpu", "micro_batch"), ("for each card", "micro_batch"),
    ("on each card", "micro_batch"), ("per rank", "micro_batch"),
    # "my DataLoader batch_size is 256 in each process": a DDP process is one GPU's
    ("in each process", "micro_batch"), ("per process", "micro_batch"), ("for each process", "micro_batch"),
    ("in every process", "micro_batch"),
    ("batch size", "batch"), ("batch_size", "batch"), ("batchsize", "batch"),  # "with 128 batch_size"
    ("gpus each", "gpus_per_node"), ("gpus per node", "gpus_per_node"), ("gpus on each node", "gpus_per_node"),
    ("gpus in each node", "gpus_per_node"), ("gpus per machine", "gpus_per_node"),
    ("gpus", "num_gpus"), ("gpu", "num_gpus"), ("cards", "num_gpus"), ("card", "num_gpus"), ("devices", "num_gpus"),
    ("num_gpus", "num_gpus"),  # "16 per_device_train_batch_size x 1 gradient_accumulation_steps x 8 num_gpus"
    ("graphics cards", "num_gpus"), ("tpu cores", "num_gpus"),  # "8 TPU cores": the replicas data parallelism runs
    ("nodes", "num_nodes"), ("node", "num_nodes"), ("machines", "num_nodes"), ("servers", "num_nodes"),
    ("sets of machines", "num_nodes"), ("groups of machines", "num_nodes"), ("sets of nodes", "num_nodes"),
    ("epochs", "epochs"), ("epoch", "epochs"),
    ("steps", "planned_steps"), ("training steps", "planned_steps"), ("optimizer steps", "planned_steps"),
    ("iterations", "planned_steps"),  # "500k steps", "for 100k iterations" (reader._numbers keeps points in a run out)
    ("iters", "planned_steps"), ("its", "planned_steps"),  # "Kept 90k iters", "trained 20k its"
    ("generations per prompt", "num_generations"), ("completions per prompt", "num_generations"),
    ("rollouts per prompt", "num_generations"), ("samples per prompt", "num_generations"),
    ("training procs", "num_gpus"), ("training processes", "num_gpus"), ("training ranks", "num_gpus"),
    ("accumulation steps", "grad_accum_steps"), ("gradient accumulation steps", "grad_accum_steps"),
    ("accumulation", "grad_accum_steps"), ("grad accum steps", "grad_accum_steps"),
    ("gradient accumulation step", "grad_accum_steps"), ("accumulation step", "grad_accum_steps"),
    ("warmup steps", "warmup_steps"), ("steps of warmup", "warmup_steps"),
    ("examples", "dataset_size"), ("samples", "dataset_size"), ("instances", "dataset_size"),
    # "around 60K paired files", "45k audio clips", "10000 wav files" (review 75): a speech data set's count
    ("paired files", "dataset_size"), ("audio files", "dataset_size"), ("wav files", "dataset_size"),
    ("audio clips", "dataset_size"), ("utterances", "dataset_size"), ("recordings", "dataset_size"),
    ("training instances", "dataset_size"), ("images", "dataset_size"), ("rows", "dataset_size"),
    ("pictures", "dataset_size"), ("photos", "dataset_size"), ("pics", "dataset_size"), ("imgs", "dataset_size"),
    ("sentences", "dataset_size"), ("documents", "dataset_size"), ("pairs", "dataset_size"),
    # ("你的数据量有100pair": a hundred pairs, the plural forgotten - review 70 #19; "100 image pairs")
    ("pair", "dataset_size"), ("image pairs", "dataset_size"), ("training pairs", "dataset_size"),
    ("text pairs", "dataset_size"), ("sentence pairs", "dataset_size"),
    ("conversations", "dataset_size"), ("instructions", "dataset_size"), ("training examples", "dataset_size"),
    ("training samples", "dataset_size"), ("training images", "dataset_size"), ("dialogues", "dataset_size"),
    ("training image", "dataset_size"),  # "18 training image, 1 repeat": a set of images, the plural forgotten
    ("dialogs", "dataset_size"), ("utterances", "dataset_size"), ("captions", "dataset_size"),
    ("audio files", "dataset_size"), ("audio clips", "dataset_size"), ("recordings", "dataset_size"),
    ("files", "dataset_size"), ("wav files", "dataset_size"),  # "Data: 18,000 files"
    ("videos", "dataset_size"), ("training videos", "dataset_size"), ("video clips", "dataset_size"),
    ("prompts", "dataset_size"), ("training prompts", "dataset_size"),  # "6000 prompts for training" (RL's data set)
    ("parameters", "params"), ("parameter", "params"), ("params", "params"), ("param", "params"),
    ("model", "params"), ("weights", "params"),
    ("context", "seq_len"), ("context length", "seq_len"), ("sequence length", "seq_len"), ("seq len", "seq_len"),
    ("tokens long", "seq_len"), ("token context", "seq_len"), ("token sequences", "seq_len"), ("seq", "seq_len"),
    ("length", "seq_len"), ("token length", "seq_len"), ("ctx", "seq_len"),  # "an 8k-length dataset", "2000 ctx"
    ("resolution", "image_size"), ("px", "image_size"), ("pixels", "image_size"),
]


# words that say a setting was changed to the one named after them ("so I switched to ZeRO2", "moved to the 1.3B")
SWITCHED = frozenset({"switched", "switch", "switching", "moved", "changed", "went", "instead", "now"})


# what may stand between a cue and its number: "batch size of 32", "lr = 3e-4", "--batch_size 8", `"stage": 3`
FILLERS = {"of", "is", "was", "=", ":", "to", "at", "set", "as", "size", "-", "--", "\"", "'", "`", "(", ")", "a",
           "=>", "’", "equal", "equals", "about", "around", "just", "only", "with", "be", "it", "i", "used", "use",
           "using", "value", "default", "per", "gpu", "device", "train", "even", "still", "my", "the", "your", "{",
           ",", "down", "up", "from", "[", "]", "approx", "~", "≈", "setting", "being", "are", "were", "has",
           "have", "is:", "and", "can", "could", "would", "should", "will", "must", "then", "limited", "fixed",
           "kept", "already", "now", "currently", "claimed", "said", "stated", "reported", "supposed", "become", "becomes",
           "became", "training", "maximum", "argument", "option", "flag", "parameter", "mentioned", "given", "listed"}
# ("the training batch size is already 1", "the batch size is claimed to be 1024"; "the batch size for each GPU
# training is set to a maximum of 2"; "the `accum_grad_n_step` argument is set to 8"; "the total batch size is
# mentioned as 128")


_INDEXES: dict[str, PhraseIndex] = {}


def cue_index(name: str) -> PhraseIndex:
    if name not in _INDEXES:
        table = {"keywords": [(p, (f, v)) for p, f, v in KEYWORDS], "left": LEFT_CUES, "right": RIGHT_CUES,
                 "finetune": [(p, True) for p in FINETUNE_EVIDENCE], "launchers": [(p, True) for p in LAUNCHERS],
                 "goal": [(p, (g, w)) for p, g, w in GOAL_CUES], "asked": ASK_CUES}[name]
        _INDEXES[name] = PhraseIndex(table)
    return _INDEXES[name]


# launchers that start one process per GPU (with several GPUs and nothing sharded, that is DDP)
# (Horovod runs one process per GPU and averages gradients by allreduce, as DDP does)
LAUNCHERS = ["torchrun", "torch.distributed.launch", "accelerate launch", "distributed launch", "multi_gpu",
             "distributeddataparallel", "mpirun", "mpiexec", "torch.distributed.run", "distributed run", "horovodrun", "horovod"]
LAUNCH_WORDS = {"torchrun", "launch", "multi_gpu", "distributeddataparallel", "mpirun", "mpiexec", "distributed", "horovodrun",
                "horovod"}
# training on a pre-training corpus ("ResNet50 on ImageNet", "on openwebtext") trains from scratch when nothing
# loads a pretrained checkpoint ("pretrained on ImageNet" is the checkpoint's history, not the run)
PRETRAINING_DATA = {"imagenet", "openwebtext", "pile", "c4", "fineweb", "redpajama", "slimpajama", "laion", "cifar", "mnist",
                    "librispeech"}
TRAINED_ON = {"on", "with"}


# a pretrained checkpoint or a downstream task means fine-tuning
# (GLUE's and SuperGLUE's tasks are trained on from a pretrained encoder: "Can we perform CoLA task classification
# with 8GB GPU?")
FINETUNE_EVIDENCE = ["instruct", "chat", "hf", "glue", "squad", "alpaca", "samsum", "dolly", "lima", "classifier",
                     "cola", "mrpc", "sst 2", "sst2", "qnli", "rte", "mnli", "qqp", "sts b", "stsb", "superglue",
                     "boolq",
                     "from_pretrained", "model_name_or_path", "text to image", "transfer learning",
                     "pretrained weights", "pre trained weights", "pretrained model", "pre trained model",
                     "pretrained checkpoint", "pretrained_model_name_or_path"]
