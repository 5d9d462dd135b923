"""Reading a message the way engineers write it: which GPU and how many, which model, how it is trained, the
batches, the schedule, what changed, what a reference used, and what the user wants.

The reader works on tokens (`reading.tokens`), never on one regex per fact:
1. entities: GPU and model names are found by the catalogues' name indexes (`domain.gpus`, `domain.catalogue`),
   token by token;
2. keywords: phrases such as "gradient checkpointing", "ZeRO-3", "8-bit Adam", "from scratch" set a field,
   unless a negation ("no", "without", "instead of", …) stands just before them;
3. numbers: each number (with the unit written next to it) fills the slot its nearest cue words name, looking a
   few words to the left ("batch size of 32", `per_device_train_batch_size=4`) and to the right ("4 per GPU",
   "3 epochs", "8 GPUs"), within its sentence;
4. setups: a sentence about a paper, a recipe, a default or an earlier run gives reference values, not the
   user's own; "from A to B" and "doubled" give changes.
A second value for a field the reader already filled is kept as a conflict (with both texts), never an error.
Every step is a single pass with bounded look-around, so the cost is linear in the message's length.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from advisor.reading import names
from advisor.reading.goal import GOAL_CUES
from advisor.reading.names import CHECKPOINT_SUFFIXES, NOT_THE_MODEL
from advisor.reading.tokens import WORD_NUMBERS, Token, clauses, sentences, tokenize

# ------------------------------------------------------------------------------------------ vocabularies

MEMORY_UNITS = {"gb": 1e9, "g": 1e9, "gig": 1e9, "gigs": 1e9, "gib": 2**30, "mb": 1e6, "mib": 2**20, "m": 1e6,
                "tb": 1e12, "tib": 2**40, "gbs": 1e9}
COUNT_UNITS = {"k": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9, "t": 1e12,
               "trillion": 1e12, "thousand": 1e3}
TIMES = {"x", "×"}
MAX_NAMES = 64  # GPU and model mentions read per message
NEGATIONS = {"no", "not", "without", "w/o", "disable", "disabled", "disabling", "never", "instead", "off",
             "false", "none", "nor", "dont", "wouldn", "don", "didn", "doesn", "isn", "aren", "wasn", "won",
             "shouldn", "couldn", "cannot", "avoid", "local", "rather"}
# who a sentence speaks of when it is not the user: what follows such a word, up to a first-person word, belongs to
# a reference setup ("the paper uses batch 4096, but I use 256")
REFERENCE_CUES = {"paper", "papers", "authors", "author", "recipe", "readme", "official", "reference", "they", "their",
                  "publication", "blog", "article", "tutorial", "repo", "medium", "documentation", "docs", "baseline",
                  "you", "your", "document", "suggests", "recommends", "guide", "arxiv", "al"}
# …unless the user says they follow it: "I run run_glue.py as in the README", "following the paper"
FOLLOWING = {("as", "in"), ("as", "in", "the"), ("following",), ("following", "the"), ("like", "in"),
             ("like", "in", "the"), ("same", "as"), ("same", "as", "the")}
GUESSES = {"guess", "assume", "suppose", "presume", "infer"}
# …or uses what it made: "we are trying to use your code on 4 Titan X", "the official code leads to OOM"
ARTIFACTS = {"code", "script", "scripts", "repo", "repository", "implementation", "notebook", "tool", "framework",
             "library", "project", "package", "codebase", "command", "example", "examples"}
# words that make the one value they qualify a reference's: "the default batch size of 32", "the original 2048"
VALUE_QUALIFIERS = {"default", "original", "suggested", "recommended", "reported", "official"}
# fields where a statement about the user's own run ("on my A100 the batch can only be 16") outranks one made
# in passing earlier in the message
PERSONAL_FIELDS = {"model", "micro_batch", "global_batch", "batch", "num_gpus", "gpu_model", "gpu_memory_gb", "gpu_memory_bytes",
                   "gpu_memory_catalogue_bytes", "gpus_per_node"}
# a clause about an earlier run that worked ("yesterday I fine-tuned successfully on a P40", "with LLaMA1 I could use
# batch 384", "I was able to train it on a 4060 Ti"): its values rank below the run the user asks about
PAST_RUN = {"successfully", "yesterday", "previously"}
BATCH_FIELDS = ("batch", "micro_batch", "global_batch")
MAX_MENTIONS = 32
# what a clause says of the run it describes: "at batch 32 it's OOM; reduced to batch 8 it works"
FAIL_WORDS = {"oom", "ooms", "oomed", "outage", "fails", "failed", "crash", "crashes", "error", "exhausted"}
OK_WORDS = {"fits", "works", "worked", "runs", "fine", "ok", "okay", "successfully"}
PAST_RUN_PHRASES = {("was", "able"), ("were", "able"), ("i", "could"), ("we", "could"), ("used", "to"),
                    ("first", "used"), ("first", "tried"), ("first", "trained"), ("first", "ran")}
PAST_FIRST = {a for a, _ in PAST_RUN_PHRASES}
# a sentence about what the user will do: its batch is where they go, an earlier one where they come from
PLANNING = {"want", "wanna", "going", "plan", "planning", "will", "switch", "move", "moving", "increase", "increasing",
            "scale", "scaling", "bump", "raise", "upgrade", "next", "would"}
FIRST_PERSON = {"i", "my", "we", "our", "mine", "me", "i'm", "im", "us"}
GPU_WORDS = {"gpu", "gpus", "card", "cards", "device", "devices", "graphics", "accelerators", "vram"}

# keyword phrases: (phrase, field, value); phrases are matched on word keys (lower case, '_' and '-' split off)
KEYWORDS: list[tuple[str, str, Any]] = [
    # training mode
    ("from scratch", "training_mode", "scratch"), ("pretraining", "training_mode", "scratch"),
    ("pre training", "training_mode", "scratch"), ("pretrain", "training_mode", "scratch"),
    ("pre train", "training_mode", "scratch"), ("train from scratch", "training_mode", "scratch"),
    ("fine tune", "training_mode", "finetune"), ("fine tuning", "training_mode", "finetune"),
    ("fine tuned", "training_mode", "finetune"), ("finetune", "training_mode", "finetune"),
    ("finetuning", "training_mode", "finetune"), ("finetuned", "training_mode", "finetune"),
    ("fine tunes", "training_mode", "finetune"), ("finetunes", "training_mode", "finetune"),
    ("sft", "training_mode", "finetune"), ("full fine tune", "training_mode", "finetune"),
    ("full parameter", "training_mode", "finetune"), ("full parameters", "training_mode", "finetune"),
    ("full finetuning", "training_mode", "finetune"), ("full fine tuning", "training_mode", "finetune"),
    ("finetuning type full", "training_mode", "finetune"), ("finetuning type lora", "adapter", "lora"),
    ("finetuning type qlora", "adapter", "qlora"), ("adapter qlora", "adapter", "qlora"),
    ("adapter lora", "adapter", "lora"), ("dreambooth", "training_mode", "finetune"),
    ("full finetune", "training_mode", "finetune"), ("full ft", "training_mode", "finetune"),
    ("quantization bit 4", "base_bits", 4), ("bnb 4bit", "base_bits", 4), ("4bit", "base_bits", 4),
    ("continued pretraining", "training_mode", "scratch"), ("continual pretraining", "training_mode", "scratch"),
    ("lora adapters", "adapter", "lora"), ("lora finetuning", "adapter", "lora"),
    ("lora", "adapter", "lora"), ("peft", "adapter", "lora"), ("qlora", "adapter", "qlora"),
    ("q lora", "adapter", "qlora"), ("load in 4 bit", "base_bits", 4), ("load in 4bit", "base_bits", 4),
    ("4 bit", "base_bits", 4), ("nf4", "base_bits", 4), ("bnb 4 bit", "base_bits", 4),
    ("load in 8 bit", "base_bits", 8),
    # precision
    ("bf16", "precision", "amp_bf16"), ("bfloat16", "precision", "amp_bf16"), ("fp16", "precision", "amp_fp16"),
    ("float16", "precision", "amp_fp16"), ("half precision", "precision", "amp_fp16"),
    ("mixed precision", "precision", "amp"), ("amp", "precision", "amp"), ("autocast", "precision", "amp"),
    ("fp32", "precision", "fp32"), ("float32", "precision", "fp32"), ("full precision", "precision", "fp32"),
    ("pure bf16", "precision", "bf16"), ("pure fp16", "precision", "fp16"),
    ("mixed precision bf16", "precision", "amp_bf16"), ("mixed precision fp16", "precision", "amp_fp16"),
    # optimizer
    ("adamw", "optimizer", "adamw"), ("adam", "optimizer", "adam"), ("sgd", "optimizer", "sgd"),
    ("sgd with momentum", "optimizer", "sgd_momentum"), ("momentum sgd", "optimizer", "sgd_momentum"),
    ("nesterov", "optimizer", "sgd_momentum"), ("lion", "optimizer", "lion"), ("adafactor", "optimizer", "adafactor"),
    ("prodigy", "optimizer", "prodigy"), ("8 bit adam", "optimizer", "adamw_8bit"),
    ("8 bit adamw", "optimizer", "adamw_8bit"), ("adam 8 bit", "optimizer", "adamw_8bit"),
    ("adamw 8 bit", "optimizer", "adamw_8bit"), ("adamw bnb 8 bit", "optimizer", "adamw_8bit"),
    ("use 8 bit adam", "optimizer", "adamw_8bit"), ("bnb adamw", "optimizer", "adamw_8bit"),
    ("adamw8bit", "optimizer", "adamw_8bit"), ("adam8bit", "optimizer", "adamw_8bit"),
    ("paged adamw 8 bit", "optimizer", "paged_adamw_8bit"), ("paged adamw", "optimizer", "paged_adamw_32bit"),
    ("paged adamw 32 bit", "optimizer", "paged_adamw_32bit"), ("8 bit optimizer", "optimizer", "adamw_8bit"),
    # parallelism
    ("ddp", "parallelism", "ddp"), ("distributed data parallel", "parallelism", "ddp"),
    ("distributeddataparallel", "parallelism", "ddp"), ("data parallel", "parallelism", "ddp"),
    ("fsdp", "parallelism", "fsdp"), ("fully sharded", "parallelism", "fsdp"),
    ("deepspeed", "parallelism", "zero"), ("zero", "parallelism", "zero"), ("ds config", "parallelism", "zero"),
    ("tensor parallel", "parallelism", "tensor"), ("tensor parallelism", "parallelism", "tensor"),
    ("model parallel", "parallelism", "tensor"), ("pipeline parallel", "parallelism", "pipeline"),
    ("pipeline parallelism", "parallelism", "pipeline"), ("device map auto", "parallelism", "device_map"),
    ("device map", "parallelism", "device_map"),
    ("zero 1", "zero_stage", 1), ("zero 2", "zero_stage", 2), ("zero 3", "zero_stage", 3),
    ("zero stage 1", "zero_stage", 1), ("zero stage 2", "zero_stage", 2), ("zero stage 3", "zero_stage", 3),
    ("stage 1", "zero_stage", 1), ("stage 2", "zero_stage", 2), ("stage 3", "zero_stage", 3),
    ("stage3", "zero_stage", 3), ("stage2", "zero_stage", 2), ("zero3", "zero_stage", 3), ("zero2", "zero_stage", 2),
    ("ds zero2", "zero_stage", 2), ("ds zero3", "zero_stage", 3),
    ("offload", "offload", "cpu"), ("cpu offload", "offload", "cpu"), ("offload optimizer", "offload", "cpu"),
    ("offload param", "offload", "cpu"), ("nvme", "offload", "nvme"), ("offload to nvme", "offload", "nvme"),
    # memory savers
    ("gradient checkpointing", "grad_checkpointing", True), ("activation checkpointing", "grad_checkpointing", True),
    ("gradient checkpoint", "grad_checkpointing", True), ("grad checkpointing", "grad_checkpointing", True),
    ("checkpointing", "grad_checkpointing", True), ("activation recomputation", "grad_checkpointing", True),
    ("use gradient checkpointing", "grad_checkpointing", True),
    ("flash attention", "attention", "flash"), ("flash attn", "attention", "flash"),
    ("flashattention", "attention", "flash"), ("flash attention 2", "attention", "flash"),
    ("sdpa", "attention", "sdpa"), ("eager attention", "attention", "eager"),
    # out of memory
    ("oom", "oom", True), ("ooms", "oom", True), ("out of memory", "oom", True), ("outofmemoryerror", "oom", True),
    ("tried to allocate", "oom", True), ("resource exhausted", "oom", True), ("oomed", "oom", True),
    ("runs out of memory", "oom", True), ("run out of memory", "oom", True), ("ran out of memory", "oom", True),
    ("not enough gpu memory", "oom", True), ("not enough memory", "oom", True), ("memory is not enough", "oom", True),
    ("gpu memory is not enough", "oom", True), ("memory isn't enough", "oom", True), ("memory wasn't enough", "oom", True),
    ("could not allocate", "oom", True), ("cannot allocate", "oom", True), ("memory outage", "oom", True),
    ("insufficient memory", "oom", True), ("cudamalloc failed", "oom", True), ("memory full", "oom", True),
    ("full bf16", "precision", "bf16"), ("full fp16", "precision", "fp16"),
]

# slot cues: words (keys) that name the number next to them. Left cues stand before the number, right cues after.
LEFT_CUES: list[tuple[str, str]] = [
    ("per device train batch size", "micro_batch"), ("per_device_train_batch_size", "micro_batch"),
    ("train_micro_batch_size_per_gpu", "micro_batch"), ("micro_batch_size", "micro_batch"),
    ("micro batch size", "micro_batch"), ("micro batch", "micro_batch"), ("micro_batch", "micro_batch"),
    ("per gpu batch size", "micro_batch"), ("per device batch size", "micro_batch"),
    ("batch size per gpu", "micro_batch"), ("batch size per device", "micro_batch"), ("per device batch", "micro_batch"),
    ("per gpu batch", "micro_batch"), ("train_batch_size_per_gpu", "micro_batch"), ("mbs", "micro_batch"),
    ("per device", "micro_batch"), ("per gpu", "micro_batch"), ("batch per gpu", "micro_batch"),
    ("batch per device", "micro_batch"), ("imgs_per_gpu", "micro_batch"), ("samples_per_gpu", "micro_batch"),
    ("batch_size_per_gpu", "micro_batch"), ("batch_size_per_device", "micro_batch"),
    ("train_batch_size", "global_batch"), ("global batch size", "global_batch"), ("global batch", "global_batch"),
    ("effective batch size", "global_batch"), ("effective batch", "global_batch"), ("total batch size", "global_batch"),
    ("global_batch_size", "global_batch"), ("total batch", "global_batch"), ("gbs", "global_batch"),
    ("batch size", "batch"), ("batch_size", "batch"), ("batchsize", "batch"), ("batch", "batch"), ("bs", "batch"),
    ("batch sizes", "batch"),
    ("gradient_accumulation_steps", "grad_accum_steps"), ("gradient accumulation steps", "grad_accum_steps"),
    ("gradient accumulation", "grad_accum_steps"), ("grad accum", "grad_accum_steps"),
    ("grad_accum", "grad_accum_steps"), ("accumulation steps", "grad_accum_steps"), ("accum_iter", "grad_accum_steps"),
    ("accumulation", "grad_accum_steps"), ("accum", "grad_accum_steps"), ("ga", "grad_accum_steps"),
    ("gradient_accumulation", "grad_accum_steps"), ("accumulate", "grad_accum_steps"),
    ("grad accum steps", "grad_accum_steps"), ("accum steps", "grad_accum_steps"),
    ("grad_accumulation_steps", "grad_accum_steps"), ("accumulate_grad_batches", "grad_accum_steps"),
    ("accumulate gradients", "grad_accum_steps"), ("gradient accumulations", "grad_accum_steps"),
    ("update freq", "grad_accum_steps"),
    ("max_seq_length", "seq_len"), ("max_seq_len", "seq_len"), ("seq_len", "seq_len"), ("seq_length", "seq_len"),
    ("max_length", "seq_len"), ("max_len", "seq_len"), ("cutoff_len", "seq_len"), ("block_size", "seq_len"),
    ("model_max_length", "seq_len"), ("sequence length", "seq_len"), ("sequence len", "seq_len"),
    ("seq length", "seq_len"), ("seq len", "seq_len"), ("seq", "seq_len"), ("context length", "seq_len"),
    ("context", "seq_len"), ("ctx", "seq_len"), ("max_source_length", "seq_len"), ("max_words", "seq_len"),
    ("max sequence length", "seq_len"), ("sequence", "seq_len"), ("max_tokens", "seq_len"), ("length", "seq_len"),
    ("learning_rate", "lr"), ("learning rate", "lr"), ("lr", "lr"), ("base_lr", "lr"), ("base lr", "lr"),
    ("warmup_steps", "warmup_steps"), ("warmup steps", "warmup_steps"), ("warmup_ratio", "warmup_ratio"),
    ("warmup ratio", "warmup_ratio"), ("num_train_epochs", "epochs"), ("epochs", "epochs"), ("max_epochs", "epochs"),
    ("lora_rank", "lora_rank"), ("lora_r", "lora_rank"), ("lora rank", "lora_rank"), ("rank", "lora_rank"),
    ("lora r", "lora_rank"), ("r", "lora_rank"),
    ("zero stage", "zero_stage"), ("zero_stage", "zero_stage"), ("stage", "zero_stage"),
    ("nproc_per_node", "gpus_per_node"), ("nproc per node", "gpus_per_node"), ("num_processes", "num_gpus"),
    ("ngpu_per_node", "gpus_per_node"), ("gpus_per_node", "gpus_per_node"), ("gpus per node", "gpus_per_node"),
    ("devices", "num_gpus"), ("num_gpus_per_node", "gpus_per_node"), ("trainer.devices", "num_gpus"),
    ("num_gpus", "num_gpus"), ("gpus", "num_gpus"), ("world_size", "num_gpus"), ("world size", "num_gpus"),
    ("n_gpu", "num_gpus"), ("nnodes", "num_nodes"), ("num_nodes", "num_nodes"), ("num_machines", "num_nodes"),
    ("resolution", "image_size"), ("image size", "image_size"), ("image_size", "image_size"), ("img_size", "image_size"),
]
RIGHT_CUES: list[tuple[str, str]] = [
    ("per gpu", "micro_batch"), ("per device", "micro_batch"), ("per card", "micro_batch"),
    ("gpus each", "gpus_per_node"), ("gpus per node", "gpus_per_node"), ("gpus on each node", "gpus_per_node"),
    ("gpus in each node", "gpus_per_node"), ("gpus per machine", "gpus_per_node"),
    ("gpus", "num_gpus"), ("gpu", "num_gpus"), ("cards", "num_gpus"), ("card", "num_gpus"), ("devices", "num_gpus"),
    ("graphics cards", "num_gpus"),
    ("nodes", "num_nodes"), ("node", "num_nodes"), ("machines", "num_nodes"),
    ("epochs", "epochs"), ("epoch", "epochs"),
    ("accumulation steps", "grad_accum_steps"), ("gradient accumulation steps", "grad_accum_steps"),
    ("accumulation", "grad_accum_steps"), ("grad accum steps", "grad_accum_steps"),
    ("gradient accumulation step", "grad_accum_steps"), ("accumulation step", "grad_accum_steps"),
    ("warmup steps", "warmup_steps"), ("steps of warmup", "warmup_steps"),
    ("examples", "dataset_size"), ("samples", "dataset_size"), ("images", "dataset_size"), ("rows", "dataset_size"),
    ("sentences", "dataset_size"), ("documents", "dataset_size"), ("pairs", "dataset_size"),
    ("conversations", "dataset_size"), ("instructions", "dataset_size"), ("training examples", "dataset_size"),
    ("training samples", "dataset_size"), ("training images", "dataset_size"),
    ("parameters", "params"), ("parameter", "params"), ("params", "params"), ("param", "params"),
    ("model", "params"), ("weights", "params"),
    ("context", "seq_len"), ("context length", "seq_len"), ("sequence length", "seq_len"), ("seq len", "seq_len"),
    ("tokens long", "seq_len"), ("token context", "seq_len"), ("token sequences", "seq_len"), ("seq", "seq_len"),
    ("resolution", "image_size"), ("px", "image_size"), ("pixels", "image_size"),
]
# what may stand between a cue and its number: "batch size of 32", "lr = 3e-4", "--batch_size 8", `"stage": 3`
FILLERS = {"of", "is", "was", "=", ":", "to", "at", "set", "as", "size", "-", "--", "\"", "'", "`", "(", ")", "a",
           "=>", "’", "equal", "equals", "about", "around", "just", "only", "with", "be", "it", "i", "used", "use",
           "using", "value", "default", "per", "gpu", "device", "train", "even", "still", "my", "the", "your", "{",
           ",", "down", "up", "from", "[", "]", "approx", "~", "≈", "setting", "being", "are", "were", "has",
           "have", "is:", "and", "can", "could", "would", "should", "will", "must", "then"}



@dataclass
class Read:
    """One value read from the message, with the words it came from."""

    field: str
    value: Any
    text: str
    setup: str = "user"  # user | reference
    personal: bool = False  # said of the user's own run ("my", "I use"): outranks an impersonal mention
    past: bool = False  # said of an earlier run that worked: ranks below any other mention
    qualified: bool = False  # said as a default or an original value ("the default batch size of 32")
    keyed: bool = False  # given under a config key or a flag (`batch_size: 4`, `--batch_size 1`)
    weak: bool = False  # a model named vaguely: a family without a size ("llama2"), a name inside a file's name
    mood: str = ""  # "fail" in a clause that reports an OOM or a failure, "ok" in one that says it runs or fits
    sentence: int = -1  # which sentence it came from
    implied: bool = False  # settled from the context (a plain "batch 32" on one GPU read as the per-device batch)
    planned: bool = False  # said of what the user wants to do ("I want to use batch 1024", "going to 2 GPUs")


@dataclass
class Reading:
    """What the reader understood: the user's values, the reference's, changes, conflicts and what it skipped."""

    values: dict[str, Read] = field(default_factory=dict)
    reference: dict[str, Read] = field(default_factory=dict)
    conflicts: list[tuple[Read, Read]] = field(default_factory=list)
    truncated: bool = False
    in_personal_sentence: bool = False  # set while the reader is in a sentence with "I", "my", "we", …
    in_planning_sentence: bool = False  # … and with "want to", "going to", "plan", "will", "switch to", …
    in_past_clause: bool = False  # … and about an earlier run that worked (PAST_RUN)
    clause_mood: str = ""  # … and whether the clause reports a failure or a success (FAIL_WORDS / OK_WORDS)
    batch_mentions: list[Read] = field(default_factory=list)  # every batch read, in order (at most MAX_MENTIONS)
    devices_named: dict[int, str] = field(default_factory=dict)  # device indices an error names ("GPU 0; …")
    capacity_gb: float | None = None  # the capacity an OOM error reports ("24.00 GiB total capacity")
    measured_gb: float | None = None  # the largest memory use the message reports ("uses around 72 GB")
    total_memory_gb: float | None = None  # memory said over all GPUs ("128G in total")
    platform: Any = None  # (GpuMatch, words, setup) of the first platform named ("Kaggle", "Colab")
    finetune_evidence: str | None = None  # words that mean fine-tuning without saying so (FINETUNE_EVIDENCE)
    several_gpus: bool = False  # the user's text speaks of several GPUs ("multiple GPUs", "per GPU", "across GPUs")
    deepspeed: bool = False  # the message speaks of DeepSpeed (its `train_batch_size` is the global batch)
    asks_per_device: bool = False  # it asks whether a batch is per device or global ("per GPU or across GPUs?")
    topics: list[str] = field(default_factory=list)  # the quantities named so far, the last last ("batch", "lr")
    sentence: int = -1  # the sentence being read
    pretraining_sentences: set[int] = field(default_factory=set)  # sentences that speak of pre-training
    names_seen: int = 0  # GPU and model names looked at (bounded: a message names a few, a pasted log thousands)

    def set(self, read: Read) -> None:
        read.personal = read.personal or self.in_personal_sentence
        read.planned = read.planned or self.in_planning_sentence
        read.past = read.past or self.in_past_clause
        read.mood = read.mood or self.clause_mood
        if read.field in BATCH_FIELDS and len(self.batch_mentions) < MAX_MENTIONS:
            self.batch_mentions.append(read)
        if read.sentence < 0:
            read.sentence = self.sentence
        if read.field == "training_mode" and read.value == "scratch":
            self.pretraining_sentences.add(read.sentence)
        table = self.reference if read.setup == "reference" else self.values
        old = table.get(read.field)
        # a later 'fine-tune' outranks an earlier 'pre-training' (fine-tuning a model that was pre-trained)
        finetune_wins = read.field == "training_mode" and old is not None and old.value == "scratch" \
            and read.value == "finetune"
        restated = old is not None and old.value == read.value and old.sentence in self.pretraining_sentences \
            and read.sentence not in self.pretraining_sentences  # said again outside the pre-training sentence
        outranks = old is not None and old.value != read.value and read.field in PERSONAL_FIELDS \
            and _rank(read) > _rank(old) and not _usable_of(old, read)
        if old is None or finetune_wins or restated or outranks:
            if old is not None and old.value != read.value and len(self.conflicts) < 20:
                self.conflicts.append((old, read))
            if restated and read.field in ("batch", "micro_batch", "global_batch"):
                self.reference.setdefault("batch", replace(old, field="batch", setup="reference"))
            table[read.field] = read
        elif old.value != read.value and len(self.conflicts) < 20 and \
                not any(o is old and r.value == read.value for o, r in self.conflicts):
            self.conflicts.append((old, read))

    def get(self, name: str) -> Any:
        read = self.values.get(name)
        return None if read is None else read.value

    def summary(self) -> dict[str, Any]:
        return {k: r.value for k, r in self.values.items()}


def _usable_of(card: Read, said: Read) -> bool:
    """A size said a little under the card's catalogue size is what the card leaves usable ('RTX A5000 22GB',
    '2 GPUs, 15G each' of a 16 GB T4), not another card: the catalogue's nominal size stays."""
    return card.field == "gpu_memory_gb" and card.weak and 0.8 <= said.value / card.value <= 1.05


def _rank(read: Read) -> int:
    """Which of two mentions of the user's hardware or batch describes the run asked about: one said of the user's
    own run ("on my A100") outranks one said in passing, and both outrank an earlier run that worked."""
    if read.field == "model":  # `--model_name_or_path X` is the model the run loads, whatever the prose calls it
        return 3 if read.keyed else 0 if read.past or read.weak else 1
    return 0 if read.past or read.weak else 2 if read.personal else 1


# ------------------------------------------------------------------------------------------ phrase index

def _keys(phrase: str) -> tuple[str, ...]:
    out: list[str] = []
    for tok in tokenize(phrase):
        if tok.kind == "word":
            out += [p for p in tok.text.split("_") if p]
        elif tok.kind == "num":
            out.append(tok.text)
        elif tok.text in ("/", "'"):
            out.append(tok.text)
    return tuple(out)


class PhraseIndex:
    """Phrases as key tuples indexed by their first key; `at` gives the longest phrase starting at a position."""

    def __init__(self, pairs: list[tuple[str, Any]]):
        self.by_first: dict[str, list[tuple[tuple[str, ...], Any]]] = {}
        self.by_last: dict[str, list[tuple[tuple[str, ...], Any]]] = {}
        for phrase, target in pairs:
            keys = _keys(phrase)
            if keys:
                self.by_first.setdefault(keys[0], []).append((keys, target))
                self.by_last.setdefault(keys[-1], []).append((keys, target))
        for table in (self.by_first, self.by_last):
            for cands in table.values():
                cands.sort(key=lambda c: len(c[0]), reverse=True)

    def at(self, keys: list[str], i: int) -> tuple[int, Any] | None:
        for cand, target in self.by_first.get(keys[i], ()):
            if tuple(keys[i:i + len(cand)]) == cand:
                return len(cand), target
        return None

    def ending_at(self, keys: list[str], end: int) -> tuple[int, Any] | None:
        """The longest phrase whose last key is keys[end - 1]."""
        for cand, target in self.by_last.get(keys[end - 1], ()):
            n = len(cand)
            if n <= end and tuple(keys[end - n:end]) == cand:
                return n, target
        return None


_INDEXES: dict[str, PhraseIndex] = {}


def _index(name: str) -> PhraseIndex:
    if name not in _INDEXES:
        table = {"keywords": [(p, (f, v)) for p, f, v in KEYWORDS], "left": LEFT_CUES, "right": RIGHT_CUES,
                 "finetune": [(p, True) for p in FINETUNE_EVIDENCE],
                 "goal": [(p, (g, w)) for p, g, w in GOAL_CUES]}[name]
        _INDEXES[name] = PhraseIndex(table)
    return _INDEXES[name]


# ------------------------------------------------------------------------------------------ the reader

class _Key:
    """One word key: a word's part ('per_device_train_batch_size' is five), a number, or '/', "'", 'x', '*'."""

    __slots__ = ("text", "token")

    def __init__(self, text: str, token: int):
        self.text, self.token = text, token


class _Keys:
    """The word keys of a whole message, built once: clauses and sentences are slices of them."""

    def __init__(self, tokens: list[Token]):
        self.keys: list[_Key] = []
        self.words: list[str] = []
        self.first: list[int] = []  # per token: index of its first key (or of the next token's, when it has none)
        self.span: list[tuple[int, int]] = []  # per key: its token's first and last key
        for i, tok in enumerate(tokens):
            self.first.append(len(self.keys))
            if tok.kind == "word":
                parts = [p for p in tok.text.split("_") if p] if "_" in tok.text else [tok.text]
            elif tok.kind == "num":
                parts = [tok.text]
            elif tok.text in ("/", "'", "×", "*"):
                parts = ["x" if tok.text == "×" else tok.text]
            else:
                continue
            a = len(self.keys)
            self.span += [(a, a + len(parts) - 1)] * len(parts)
            self.keys += [_Key(p, i) for p in parts]
            self.words += parts
        self.first.append(len(self.keys))


class _KeyOf:
    """token index -> the clause's index of its first key, for tokens that have keys (a view, built for free)."""

    __slots__ = ("keys", "offset", "start", "end")

    def __init__(self, keys: _Keys, offset: int, start: int, end: int):
        self.keys, self.offset, self.start, self.end = keys, offset, start, end

    def __contains__(self, t: int) -> bool:
        return self.start <= t < self.end and self.keys.first[t] != self.keys.first[t + 1]

    def __getitem__(self, t: int) -> int:
        if t not in self:
            raise KeyError(t)
        return self.keys.first[t] - self.offset

    def get(self, t: int, default: Any = None) -> Any:
        return self.keys.first[t] - self.offset if t in self else default


class _Clause:
    """One sentence or clause: its tokens, its word keys (for phrases) and where each token's keys start."""

    def __init__(self, tokens: list[Token], start: int, end: int, source: str, index: _Keys | None = None):
        index = index or _Keys(tokens)
        self.tokens, self.start, self.end, self.source = tokens, start, end, source
        a, b = index.first[start], index.first[end]
        self.keys = index.keys[a:b]
        self.words = index.words[a:b]
        self.present = set(self.words)
        self.key_of = _KeyOf(index, a, start, end)  # token index -> first key index
        self._span, self._offset = index.span, a
        self.consumed: set[int] = set()  # tokens a step has read, which later steps leave alone
        self.claimed: set[int] = set()  # tokens inside a model name already read
        # whether a reference setup is being spoken of at each key: a reference cue seen earlier in the sentence
        # and no first-person word since ("the paper used 512 but I use 64"); one pass, so setups cost O(n)
        self.reference_at: list[bool] = []
        speaking_of_reference = False
        words = self.words
        if not self.present & REFERENCE_CUES and not self.present & GUESSES:
            return  # nothing in it speaks of another setup (most clauses): all the user's
        for k, w in enumerate(words):
            self.reference_at.append(speaking_of_reference)
            if w in REFERENCE_CUES:
                artifact = k + 1 < len(words) and words[k + 1] in ARTIFACTS  # "we use your code"
                if not artifact and not self._file_name(k) and \
                        not any(tuple(words[max(0, k - n):k]) in FOLLOWING for n in (1, 2, 3)):
                    speaking_of_reference = True
            elif w in FIRST_PERSON:
                # "I guess the number of GPUs is 256?": a deduction about theirs
                speaking_of_reference = k + 1 < len(words) and words[k + 1] in GUESSES

    def word_of(self, k: int) -> tuple[int, int]:
        """The first and last key of key k's token (`lr_warmup_steps` is keys k-1..k+1 when k is 'warmup')."""
        x, y = self._span[self._offset + k]
        return x - self._offset, y - self._offset

    def _file_name(self, k: int) -> bool:
        """'README.md', 'defaults.yaml': a file's name, not a setup spoken of."""
        t = self.keys[k].token
        nxt = self.tokens[t + 1] if t + 1 < self.end else None
        return nxt is not None and nxt.text == "." and t + 2 < self.end and not self.tokens[t + 2].space_before \
            and self.tokens[t + 2].kind == "word"

    def text(self, first_token: int, last_token: int) -> str:
        return self.source[self.tokens[first_token].start:self.tokens[last_token].end]


def read(message: str) -> Reading:
    """Read one message (at most reading.tokens.MAX_MESSAGE characters)."""
    from advisor.reading.tokens import MAX_MESSAGE, MAX_TOKENS

    tokens = tokenize(message)
    reading = Reading(truncated=len(message) > MAX_MESSAGE or len(tokens) >= MAX_TOKENS)
    reading.deepspeed = any(t.text == "deepspeed" for t in tokens)
    index = _Keys(tokens)
    for n, (start, end) in enumerate(clauses(tokens)):
        reading.sentence = n
        clause = _Clause(tokens, start, end, message, index)
        present = clause.present
        question = end < len(tokens) and tokens[end].text == "?"
        if question and "or" in present and present & {"per", "each"} and present & {"total", "across", "global", "all"}:
            reading.asks_per_device = True  # "is that per GPU or across GPUs?"
        if reading.finetune_evidence is None:
            reading.finetune_evidence = _first_phrase(clause, _index("finetune"))
        reading.in_personal_sentence = bool(FIRST_PERSON & present)
        reading.in_planning_sentence = bool(PLANNING & present) or question  # "so is batch 8 right?"
        reading.in_past_clause = _past_run(clause.words, present)
        if _speaks_of_several_gpus(clause):
            reading.several_gpus = True
        reading.clause_mood = "fail" if present & FAIL_WORDS or {"out", "memory"} <= present \
            else "ok" if present & OK_WORDS else ""
        _entities(clause, reading)
        _sized_names(clause, reading)
        _family_names(clause, reading)
        _single_gpu(clause, reading)
        _keywords(clause, reading)
        _device_ids(clause, reading)
        _formulas(clause, reading)
        _numbers(clause, reading)
        _changes(clause, reading)
    reading.in_personal_sentence = False
    _goal(tokens, message, reading, index)
    _resolve(reading)
    return reading


SEVERAL = {"multiple", "multi", "several", "more", "fewer", "across", "each", "every", "per", "all", "other"}


def _speaks_of_several_gpus(clause: _Clause) -> bool:
    """'multiple GPUs', 'per GPU', 'across GPUs', 'every GPU': a message that compares one GPU with several, or
    speaks of per-GPU quantities, has no 'one GPU' setup to read."""
    words = clause.words
    if "gpu" not in clause.present and "gpus" not in clause.present:
        return False
    return any(w in ("gpu", "gpus") and k > 0 and words[k - 1] in SEVERAL and _setup(clause, k) == "user"
               and clause.word_of(k - 1) == (k - 1, k - 1) and clause.word_of(k) == (k, k)  # not `per_gpu_…` keys
               for k, w in enumerate(words))


def _past_run(words: list[str], present: set[str]) -> bool:
    if PAST_RUN & present:
        return True
    if not PAST_FIRST & present:
        return False
    return any((a, b) in PAST_RUN_PHRASES and not (k + 2 < len(words) and words[k + 2] in NEGATIONS)
               for k, (a, b) in enumerate(zip(words, words[1:])))


def _setup(clause: _Clause, position: int) -> str:
    """A number belongs to a reference setup when a reference cue comes before it in its sentence (the paper
    used 512) and no first-person word stands between ("the paper used 512 but I use 64")."""
    at = clause.reference_at
    if not at:
        return "user"
    return "reference" if at[min(position, len(at) - 1)] else "user"


def _entities(clause: _Clause, reading: Reading) -> None:
    from advisor.domain import catalogue, gpus

    words = clause.words
    for s, e, target in _names(gpus.name_index(), clause, reading):
        match = gpus.find_gpu(" ".join(words[max(0, s - 2):min(len(words), e + 4)]))
        text = clause.text(clause.keys[s].token, clause.keys[e - 1].token)
        if match is not None and match.platform:
            if reading.platform is None:  # settled once the message has been read (a card named wins)
                reading.platform = (match, text, _setup(clause, s))
            continue
        if match is not None:
            if match.gpu is not None:
                reading.set(Read("gpu_model", match.gpu.id, text))
                # the card's catalogue size gives way to one the user states ("RTX 2080 (11264MiB each)")
                reading.set(Read("gpu_memory_gb", match.gpu.memory_gb, text, weak=True))
                reading.set(Read("gpu_memory_catalogue_bytes", match.gpu.memory_bytes, text))
            else:
                reading.set(Read("gpu_model", match.id, text))
                if match.memory_gb_said and "total" not in words[e:e + 6]:
                    reading.set(Read("gpu_memory_gb", match.memory_gb_said, text))
            count = _count_before(clause, s) or _count_after(clause, e)
            if count and _setup(clause, s) == "user":
                name, n = ("num_gpus", count[0])
                if count[0] > 1:
                    name, n = _gpu_count(clause, clause.key_of.get(count[1], s), count[0])
                reading.set(Read(name, n, clause.text(count[1], clause.keys[e - 1].token)))
    for s, e, target in _names(catalogue.model_index(), clause, reading):
        first, last = clause.keys[s].token, clause.keys[e - 1].token
        if e < len(words) and words[e] in NOT_THE_MODEL and words[e] not in ("paper", "papers", "authors"):
            continue  # "a galactica 30b model (gpt-2 like)": a comparison, not the model trained
        setup = _setup(clause, s)
        if e < len(words) and words[e] in ("paper", "papers", "authors", "recipe", "readme", "repo"):
            setup = "reference"  # "the GPT-2 paper uses 512"
        end, extra = _continuation(clause, last)
        if extra:  # "bert-base-multilingual": a model the catalogue does not know, named after one it does
            target, last = names.ident(clause.text(first, end)), end
        clause.claimed.update(range(first, last + 1))
        reading.set(Read("model", target, clause.text(first, last), setup, keyed=_model_key(clause, first),
                         weak=_other_key(clause, first)))


# keys a launch names its model with (`--model_name_or_path chatglm2-6b`, `model_name="unsloth/gemma-3-1b-it"`)
MODEL_KEYS = {"model_name_or_path", "model_name", "pretrained_model_name_or_path", "base_model", "model_id",
              "model_path", "model"}
JOINTS = ("-", "_", ".")


def _model_key(clause: _Clause, first: int) -> bool:
    """Whether the model name at token `first` is the value of a launch's model key: it outranks names in prose."""
    key = _key_before(clause, first)
    return key is not None and key in MODEL_KEYS


def _other_key(clause: _Clause, first: int) -> bool:
    """Whether a name is the value of another key (`--template qwen2_vl`, `--vision_tower openai/clip-vit-…`)."""
    key = _key_before(clause, first)
    return key is not None and key not in MODEL_KEYS


def _key_before(clause: _Clause, first: int) -> str | None:
    """The config key or flag whose value starts at token `first`, if any ('openai/' and '.../' skipped)."""
    t = first - 1
    if t - 1 >= clause.start and clause.tokens[t].text == "/" and clause.tokens[t - 1].kind == "word" \
            and not clause.tokens[t].space_before:
        t -= 2  # an org: "openai/clip-vit-…"
    while t >= clause.start and first - t <= 6 and clause.tokens[t].kind == "punct" and \
            clause.tokens[t].text in "=:\"'`./":
        t -= 1
    if t < clause.start or clause.tokens[t].kind != "word":
        return None
    key = clause.tokens[t]
    keyed = _in_flag(clause, t) or (t + 1 < clause.end and clause.tokens[t + 1].text in ("=", ":")) or \
        ("_" in key.text and key.text in MODEL_KEYS)
    return key.text if keyed else None


def _continuation(clause: _Clause, last: int) -> tuple[int, bool]:
    """The glued parts after a name ('-multilingual' in 'bert-base-multilingual', '-Chat-hf' in 'Llama-2-7b-chat-hf'):
    the last token of the whole name, and whether a part names another model (not a checkpoint suffix)."""
    tokens, t, extra, part = clause.tokens, last, False, ""
    while t + 1 < clause.end and not tokens[t + 1].space_before:
        nxt = tokens[t + 1]
        if nxt.text in JOINTS[:2] and t + 2 < clause.end and not tokens[t + 2].space_before \
                and tokens[t + 2].kind in ("word", "num"):
            extra = extra or (part != "" and not _same_model_part(part))
            part, t = tokens[t + 2].text, t + 2
        elif nxt.kind in ("word", "num") and part:
            part, t = part + nxt.text, t + 1  # "4" + "bit"
        else:
            break
    extra = extra or (part != "" and not all(_same_model_part(p) for p in part.split("_")))
    return t, extra


def _same_model_part(part: str) -> bool:
    """A part that names a checkpoint or a version of the same model: '-hf', '-chat', '-0.9', '-v2', '-1048k'."""
    bare = part.lstrip("v").rstrip("k")
    return part in CHECKPOINT_SUFFIXES or (bare != "" and bare.replace(".", "").isdigit())


def _names(index: Any, clause: _Clause, reading: Reading) -> Any:
    """(start, end, id) of each catalogue name in the sentence's words, left to right, within the message's budget
    of names. "a 10GB card" names no A10: a one-letter first part is written glued ("A10", "T4", "L40S")."""
    words = clause.words
    i = 0
    while i < len(words) and reading.names_seen < MAX_NAMES:
        hit = index.find(words, i)
        if hit is None:
            return
        reading.names_seen += 1
        s, e, _ = hit
        if len(words[s]) == 1 and e > s + 1 and clause.tokens[clause.keys[s + 1].token].space_before:
            i = s + 1
            continue
        yield hit
        i = e


NOT_NAMES = {"a", "an", "the", "my", "our", "on", "with", "of", "for", "model", "models", "and", "to", "is", "in", "this",
             "that", "train", "training", "size", "batch", "to", "from", "at", "by", "about", "around", "than", "over",
             "under", "using", "use", "finetune", "finetuning", "fine", "tune", "tuning", "tuned", "run", "running",
             "only", "full", "lora", "qlora", "like", "or", "vs", "but", "it", "x", "even", "also", "same", "larger",
             "smaller", "bigger", "big", "small", "new", "base", "pretrained", "whole", "dense", "param", "params",
             "loading", "load", "quantized", "quantised", "finetuned", "trained", "instruct", "chat", "original",
             "official", "so", "as", "if", "when", "then", "can", "could", "would", "should", "will", "into"}


def _sized_names(clause: _Clause, reading: Reading) -> None:
    """Models outside the catalogue named with their size ('Baichuan2-13B-Chat', 'galactica 30b', 'Gemma 3 12B',
    'internlm2_7b_chat'): the name as written (names.ident) and the size as parameters. A size with no name ('a 7B
    model', '13B on 24GB') gives the parameters only; a size glued to one letter is a variant's code, not its size
    ('gemma-3n-E2B', 'Qwen3-30B-A3B')."""
    tokens = clause.tokens
    for i in range(clause.start, clause.end - 1):
        num, unit = tokens[i], tokens[i + 1]
        unit_word = unit.text.split("_")[0]  # "7b_chat"
        if not num.is_num or unit.kind != "word" or unit.space_before or unit_word not in ("b", "m", "bn"):
            continue
        after = tokens[i + 2] if i + 2 < clause.end else None
        if after is not None and after.kind == "word" and not after.space_before:
            continue  # "4bit", "7bf16"…
        if num.value is None or not 0.01 <= num.value <= 5000:
            continue
        size = num.value * (1e9 if unit_word in ("b", "bn") else 1e6)
        first = _name_start(clause, i)
        name = clause.source[tokens[first].start:unit.end] if first < i else ""
        has_letters = any(tokens[x].kind == "word" and tokens[x].text not in NOT_NAMES for x in range(first, i))
        variant = i > clause.start and tokens[i - 1].kind == "word" and len(tokens[i - 1].text) == 1 \
            and not num.space_before  # "E2B", "A3B"
        if size < 1e8 and not (has_letters or _params_cue(clause, i + 2)):
            continue  # "560M" with no name or cue may be tokens or rows
        if unit_word == "m" and not (has_letters or _params_cue(clause, i + 2)):
            continue
        if _listed_size(clause, i):
            continue  # "BLOOM 560M / 1.1B", "for 7B, 13B, 33B and 65B": several models, no one of them
        text = clause.source[tokens[first if has_letters else i].start:unit.end]
        setup = _setup(clause, clause.key_of.get(i, 0))
        if has_letters and not clause.claimed & set(range(first, i + 2)):
            end, _ = _continuation(clause, i + 1)
            in_file = _file_name_at(clause, end)  # "yi-6b-sft-qlora.json", "run_clm_sft-chinese-7b.py"
            model_id = names.ident(clause.source[tokens[first].start:tokens[i + 1 if in_file else end].end])
            reading.set(Read("model", model_id, text, setup, keyed=_model_key(clause, first),
                             weak=in_file or _other_key(clause, first)))
            clause.claimed.update(range(first, end + 1))
        if not variant:
            reading.set(Read("params", size, text, setup))


COMPARED = {"than", "vs", "versus"}  # "converges faster than RT-DETR": a model compared with
FILE_TYPES = {"py", "yaml", "yml", "json", "sh", "md", "txt", "pt", "pth", "ckpt", "bin", "ipynb", "safetensors", "toml",
              "cfg", "prototxt"}
# what a model-like name names when one of these follows it: a config or a script, not the model ("the vit-14-ep300
# config", "run the llama2 script")
NAMED_THINGS = {"config", "configs", "script", "scripts", "notebook", "recipe", "example", "dataset", "repo"}


def _file_name_at(clause: _Clause, t: int) -> bool:
    """Whether the name ending at token t is the stem of a file's name ('….json', '….py')."""
    return t + 2 < clause.end and clause.tokens[t + 1].text == "." and clause.tokens[t + 2].text in FILE_TYPES \
        and not clause.tokens[t + 1].space_before


def _family_names(clause: _Clause, reading: Reading) -> None:
    """Models of a known family written without a size ('visual-bert', 'Qwen-VL', 'ResNet152', 'bevformer-small',
    'ViT-g/14', 'llama2'): two parts or more, or digits glued to the family's name."""
    if not clause.present & names.FAMILIES:
        return
    tokens, t = clause.tokens, clause.start
    while t < clause.end and reading.names_seen < MAX_NAMES:
        tok = tokens[t]
        if tok.kind != "word" or t in clause.claimed or not any(names.is_family(p) for p in _parts(clause, t)):
            t += 1
            continue
        reading.names_seen += 1
        first, last = t, t
        while first - 1 >= clause.start and not tokens[first].space_before and \
                (tokens[first - 1].kind in ("word", "num") or tokens[first - 1].text in JOINTS):
            first -= 1
        while last + 1 < clause.end and not tokens[last + 1].space_before and \
                (tokens[last + 1].kind in ("word", "num") or tokens[last + 1].text in JOINTS + ("/",)):
            last += 1
        while last > first and tokens[last].kind == "punct":
            last -= 1
        while first < last and tokens[first].kind == "punct":
            first += 1
        written = clause.source[tokens[first].start:tokens[last].end]
        after = clause.words[clause.key_of[last] + 1] if last in clause.key_of and \
            clause.key_of[last] + 1 < len(clause.words) else ""
        file_name = any(tokens[x].text == "." and tokens[x + 1].text in FILE_TYPES for x in range(first, last))
        parts = [p for p in written.replace("/", "-").replace("_", "-").replace(".", "-").split("-") if p]
        glued_digits = any(tokens[x].is_num and tokens[x - 1].kind == "word" and not tokens[x].space_before
                           for x in range(first + 1, last + 1))
        before = clause.words[clause.key_of[first] - 1] if clause.key_of.get(first, 0) > 0 else ""
        if not file_name and after not in NAMED_THINGS | NOT_THE_MODEL and before not in COMPARED \
                and (len(parts) >= 2 or glued_digits) and not clause.claimed & set(range(first, last + 1)):
            model_id = names.ident(written)
            reading.set(Read("model", model_id, written, _setup(clause, clause.key_of.get(first, 0)),
                             keyed=_model_key(clause, first),
                             weak=names.version_only(model_id) or _other_key(clause, first)))
            clause.claimed.update(range(first, last + 1))
        t = last + 1


def _parts(clause: _Clause, t: int) -> list[str]:
    return [p for p in clause.tokens[t].text.split("_") if p]


def _name_start(clause: _Clause, i: int) -> int:
    """The first token of the name a size at token i ends: over words and glued numbers joined by '-', '.', '_',
    and at most two spaces when the words before are a family and a version ('Gemma 3 12B', 'qwen2 7B')."""
    tokens, j, spaces, named = clause.tokens, i - 1, 0, False
    while j >= clause.start:
        t = tokens[j]
        if tokens[j + 1].space_before:
            if named:
                break  # "Does internlm2_7b_chat": the name began after the space
            spaces += 1
            glued_number = t.is_num and j - 1 >= clause.start and not t.space_before and tokens[j - 1].kind == "word"
            version = t.is_num and t.value is not None and t.value < 10 and j - 1 >= clause.start and \
                tokens[j - 1].kind == "word" and spaces == 1
            if spaces > 2 or not (t.kind == "word" and t.text not in NOT_NAMES and "_" not in t.text
                                  or glued_number or version):
                break
        if t.kind == "word" and t.text not in NOT_NAMES or t.is_num or (t.kind == "punct" and t.text in "-._"):
            named = named or (t.kind == "word" and not tokens[j + 1].space_before and spaces == 0)
            j -= 1
            continue
        break
    first = j + 1
    while first < i and tokens[first].kind == "punct":
        first += 1
    return first


def _listed_size(clause: _Clause, i: int) -> bool:
    """Whether the size at token i (its unit at i + 1) stands in a list of sizes: '560M / 1.1B', '7B, 13B and 65B'."""
    tokens = clause.tokens

    def size_at(t: int) -> bool:
        return clause.start <= t and t + 1 < clause.end and tokens[t].is_num and \
            tokens[t + 1].text.split("_")[0] in ("b", "m", "bn") and not tokens[t + 1].space_before

    left = i - 1
    while left >= clause.start and tokens[left].text in ("/", ",", "and", "or", "&"):
        left -= 1
    if left < i - 1 and size_at(left - 1):
        return True
    right = i + 2
    while right < clause.end and tokens[right].text in ("/", ",", "and", "or", "&"):
        right += 1
    return right > i + 2 and size_at(right)


def _params_cue(clause: _Clause, i: int) -> bool:
    return i < clause.end and clause.tokens[i].text in ("params", "parameters", "parameter", "model", "param")


def _single_gpu(clause: _Clause, reading: Reading) -> None:
    """'a GPU', 'a single GPU', 'one card', 'an 80GB GPU', 'my 24 GB card': one GPU."""
    for k, w in enumerate(clause.words):
        if w in ("gpu", "card") and _setup(clause, k) == "user":
            nxt = clause.words[k + 1] if k + 1 < len(clause.words) else ""
            if nxt.isdigit() or nxt in ("s", "'"):
                continue  # "GPU 0 has …" names a device; "GPUs"
            count = _count_before(clause, k)
            if count and count[0] == 1:
                reading.set(Read("num_gpus", 1, clause.text(count[1], clause.keys[k].token)))


GPU_NOISE = {"nvidia", "geforce", "tesla", "rtx", "gtx", "amd", "instinct", "radeon", "quadro"}
SINGULAR = {"a", "an", "one", "my", "single", "1"}


def _count_before(clause: _Clause, s: int) -> tuple[int, int] | None:
    """'8x A100', '8 × H100', '2 x A100', 'four V100', 'dual 3090', 'a single 4090', 'an 80GB A100': the count
    and its token."""
    k = s - 1
    while k >= 0 and clause.words[k] in GPU_NOISE:
        k -= 1
    if k >= 1 and clause.words[k] in MEMORY_UNITS and clause.tokens[clause.keys[k - 1].token].is_num:
        k -= 2  # "a 24GB 3090"
    if k >= 0 and clause.words[k] in ("x", "×", "*"):
        k -= 1
    if k < 0:
        return None
    word = clause.words[k]
    t = clause.keys[k].token
    tok = clause.tokens[t]
    between = clause.tokens[t + 1:clause.keys[s].token]
    if any(b.kind == "punct" and b.text not in ("x", "×", "*", "-") for b in between):
        return None  # "training batch 1, TITAN RTX", "bf16` (Kaggle": another clause's number
    if tok.is_num and tok.value is not None and float(tok.value).is_integer() and 1 <= tok.value <= 4096:
        if k >= 1 and clause.words[k - 1] in (".", "v", "rtx"):
            return None
        if t > clause.start and clause.tokens[t - 1].kind == "word" and not tok.space_before:
            return None  # the end of a name: "bf16", "A100"
        return int(tok.value), t
    if word in WORD_NUMBERS:
        return WORD_NUMBERS[word], t
    if word in SINGULAR or (word == "single" and k >= 1 and clause.words[k - 1] in SINGULAR):
        return 1, t
    return None


def _count_after(clause: _Clause, e: int) -> tuple[int, int] | None:
    """'A100 x 8', 'H100 x8', 'T4 ×2', 'A100 80G * 2'."""
    words = clause.words
    if e + 1 < len(words) and words[e] in MEMORY_UNITS:
        e += 1
    elif e + 2 < len(words) and clause.tokens[clause.keys[e].token].is_num and words[e + 1] in MEMORY_UNITS:
        e += 2
    if e + 1 < len(words) and words[e] in ("x", "×", "*"):
        tok = clause.tokens[clause.keys[e + 1].token]
        if tok.is_num and tok.value and float(tok.value).is_integer() and 1 <= tok.value <= 4096:
            return int(tok.value), clause.keys[e].token
    return None


def _negated(clause: _Clause, k: int, length: int = 1) -> bool:
    """A negation just before ("without gradient checkpointing", "instead of Adam", "no fp32 master weights") or
    just after ("LoRA is not an option", "flash attention isn't installed")."""
    before = [w for w in clause.words[max(0, k - 5):k] if w not in ("'", "t")]  # "wouldn't need QLoRA"
    if NEGATIONS & set(before[-3:]):
        return True
    after = clause.words[k + length:k + length + 3]
    return bool(after[:1] and after[0] in ("is", "isn", "was", "wasn", "doesn", "didn", "won", "wouldn")
                and set(after) & {"not", "isn", "wasn", "doesn", "didn", "won", "wouldn"})


def _keywords(clause: _Clause, reading: Reading) -> None:
    index = _index("keywords")
    words = clause.words
    k = 0
    while k < len(words):
        hit = index.at(words, k)
        if hit is None:
            k += 1
            continue
        length, (name, value) = hit
        after = words[k + length] if k + length < len(words) else ""
        text = clause.text(clause.keys[k].token, clause.keys[k + length - 1].token)
        negated = _negated(clause, k, length) or after in ("off", "false", "disabled")
        last = clause.keys[k + length - 1].token
        if last + 1 < clause.end and clause.tokens[last + 1].text == "$":
            k += length  # `--load-in-4bit $load_in_4bit`: a value set elsewhere, not said
            continue
        if name == "precision" and not _training_precision(clause, k, length):
            k += length
            continue
        if name == "grad_checkpointing":
            value = not negated and after not in ("0",)
            reading.set(Read(name, value, text))
        elif not negated:
            if name == "zero_stage" and words[k] == "stage" and "zero" not in words and "deepspeed" not in words:
                pass
            elif name == "parallelism" and value == "zero" and words[k] == "zero" and not _zero_context(words, k, length):
                pass
            else:
                reading.set(Read(name, value, text, _setup(clause, k)))
        k += length


def _training_precision(clause: _Clause, k: int, length: int) -> bool:
    """'bf16' names the training precision, not a dtype elsewhere: not `bnb_4bit_compute_dtype=torch.float16`,
    `torch_dtype=bfloat16` (weights), a 'bf16[256128,2048]' buffer, or a name such as 'WizardLM-30B-fp16'."""
    before = clause.words[max(0, k - 3):k]
    if {"dtype", "compute", "torch", "torch_dtype"} & set(before):
        return False
    first, last = clause.keys[k].token, clause.keys[k + length - 1].token
    nxt = clause.tokens[last + 1] if last + 1 < clause.end else None
    if nxt is not None and nxt.text == "[" and not nxt.space_before:
        return False
    prev = clause.tokens[first - 1] if first > clause.start else None
    glued_to_name = prev is not None and prev.text == "-" and not clause.tokens[first].space_before \
        and first - 2 >= clause.start and not prev.space_before and clause.tokens[first - 2].kind in ("word", "num") \
        and clause.tokens[first - 2].text not in ("-",)
    return not glued_to_name


def _zero_context(words: list[str], k: int, length: int) -> bool:
    """'zero' names DeepSpeed's ZeRO when a stage number or 'stage'/'offload'/'deepspeed' is next to it."""
    nxt = words[k + length] if k + length < len(words) else ""
    return nxt in ("1", "2", "3", "stage", "offload", "optimization", "++", "infinity") or "deepspeed" in words


def _unit_after(clause: _Clause, k: int) -> tuple[str, int] | None:
    """The unit written right after the number at key k ('24GB', '24 GB', '7B', '8x'): (unit, key index)."""
    if k + 1 >= len(clause.keys):
        return None
    word = clause.words[k + 1]
    tok = clause.tokens[clause.keys[k + 1].token]
    if word in MEMORY_UNITS or word in COUNT_UNITS or word in TIMES or word in ("%", "px"):
        if tok.space_before and word in ("m", "b", "t", "k", "g", "x"):
            # "batch 4 x 8" and "8 b" are rare; only an attached single letter is a unit
            nxt = clause.words[k + 2] if k + 2 < len(clause.words) else ""
            if word == "x" and nxt and clause.tokens[clause.keys[k + 2].token].is_num:
                return None
            if word in ("m", "b", "t", "k") and nxt not in ("params", "parameters", "parameter", "model", "tokens"):
                return None
        return word, k + 1
    return None


# keys and flags that list device ids: `gpu_ids: 0,1`, `--gpu=0,1,2,3`, `CUDA_VISIBLE_DEVICES=0,1`, `localhost:0,1`
ID_LISTS = {"gpu_ids", "gpu", "gpus", "cuda_visible_devices", "localhost", "device_ids", "devices", "gpu_id"}
# …of which these name devices even when they list one (`--include localhost:1`); `--gpus 2` counts them
ID_ONLY = {"gpu_ids", "cuda_visible_devices", "localhost", "device_ids", "gpu_id"}


def _device_ids(clause: _Clause, reading: Reading) -> None:
    """GPUs counted from a list of device ids (`gpu_ids: 0,1` is 2 GPUs, `--gpu=0,1,2,3` 4, `--include localhost:1`
    1), and the device an error names (`GPU 0 has a total capacity …`), kept for when nothing else counts them."""
    tokens = clause.tokens
    for t in range(clause.start, clause.end - 1):
        tok = tokens[t]
        if tok.kind == "word" and tok.text == "gpu" and tokens[t + 1].is_num and tokens[t + 1].value is not None:
            nxt = tokens[t + 2] if t + 2 < len(tokens) else None
            if nxt is not None and nxt.text in (";", ")", "has"):
                reading.devices_named.setdefault(int(tokens[t + 1].value), clause.text(t, t + 1))  # "(GPU 0; …)"
        if tok.kind != "word" or tok.text not in ID_LISTS or tokens[t + 1].text not in ("=", ":"):
            continue
        ids, u = [], t + 2
        while u < clause.end and tokens[u].is_num and tokens[u].value is not None and len(ids) < 64:
            ids.append(tokens[u])
            clause.consumed.add(u)
            if u + 2 < clause.end and tokens[u + 1].text == "," and tokens[u + 2].is_num and not tokens[u + 2].space_before:
                u += 2
            else:
                break
        if len(ids) >= 2 or (ids and tok.text in ID_ONLY):
            reading.set(Read("num_gpus", len(ids), clause.text(t, u)))


PRODUCT = ("*", "x", "×")
NUMBER_START = frozenset("0123456789.")


def _formulas(clause: _Clause, reading: Reading) -> None:
    """Batch arithmetic as engineers write it: 'batch_size*gradient_accumulation_steps = 12*40 = 480' gives the
    per-step batch 12, accumulation 40 and the batch per update 480; 'gradient_accumulation_steps = 64* 2' is 128."""
    tokens, left = clause.tokens, _index("left")
    for t in range(clause.start + 1, clause.end - 1):
        if tokens[t].text != "=" or not tokens[t + 1].is_num:
            continue
        values, u = [], t + 1  # the numbers right of '=', multiplied
        while u < clause.end and tokens[u].is_num and tokens[u].value is not None and len(values) < 6:
            values.append(u)
            if u + 2 < clause.end and tokens[u + 1].text in PRODUCT and tokens[u + 2].is_num:
                u += 2
            else:
                break
        if len(values) < 2 or t - 1 not in clause.key_of and not any(x in clause.key_of for x in range(t - 3, t)):
            continue
        names, start = _factor_names(clause, left, t)
        product = 1.0
        for x in values:
            product *= tokens[x].value
        result = values[-1] + 2 if values[-1] + 2 < clause.end and tokens[values[-1] + 1].text == "=" else None
        text = clause.text(start, values[-1]) if names else ""
        if names and len(names) == len(values):  # one name per factor
            for name, x in zip(names, values):
                _fill(reading, name, tokens[x].value, "", text, _setup(clause, clause.key_of.get(x, 0)))
            if result is not None and tokens[result].is_num:
                clause.consumed.add(result)
                _fill(reading, "global_batch", tokens[result].value, "", clause.text(start, result), "user")
        elif len(names) == 1:  # "gradient_accumulation_steps = 64* 2"
            _fill(reading, names[0], product, "", text, _setup(clause, clause.key_of.get(values[0], 0)))
        else:
            continue
        clause.consumed.update(values)


def _factor_names(clause: _Clause, left: PhraseIndex, t: int) -> list[str]:
    """The slots named on the left of '=' at token t, factor by factor ('batch_size*gradient_accumulation_steps'),
    and the token the first name starts at."""
    tokens, names, u, start = clause.tokens, [], t - 1, t
    while u >= clause.start and len(names) < 6:
        if u not in clause.key_of:
            break
        k = clause.word_of(clause.key_of[u])[1] + 1
        hit = left.ending_at(clause.words, k)
        if hit is None:
            return [], t
        names.append(hit[1])
        start = clause.keys[k - hit[0]].token
        u = start - 1
        if u >= clause.start and tokens[u].text in PRODUCT:
            u -= 1
            continue
        break
    names = names[::-1]
    if len(names) >= 2 and "batch" in names:  # a batch multiplied by accumulation or GPUs is the per-step one
        names = ["micro_batch" if n == "batch" else n for n in names]
    return names, start


def _numbers(clause: _Clause, reading: Reading) -> None:
    left, right = _index("left"), _index("right")
    keys, words = clause.keys, clause.words
    # only numbers and number words are read here ("1,281,167", ".5", "four"): skip the rest in one pass
    spoken = clause.present & WORD_NUMBERS.keys()
    for k in [k for k, w in enumerate(words) if w[0] in NUMBER_START or (spoken and w in spoken)]:
        key = keys[k]
        tok = clause.tokens[key.token]
        if tok.kind == "word" and words[k] in WORD_NUMBERS and words[k] not in ("one", "single", "a"):
            slot = _right_slot(right, clause, k + 1)  # "two nodes", "four GPUs", "eight cards", "three epochs"
            if slot and slot[0] in ("num_gpus", "num_nodes", "gpus_per_node", "epochs"):
                name, n = slot[0], WORD_NUMBERS[words[k]]
                if name == "num_gpus":
                    name, n = _gpu_count(clause, k, n)
                _fill(reading, name, n, "", clause.text(key.token, keys[slot[1]].token), _setup(clause, k))
            continue
        if not tok.is_num or tok.value is None or key.token in clause.consumed:
            continue
        prev = clause.tokens[key.token - 1] if key.token > clause.start else None
        times = prev is not None and prev.text == "x" and key.token - 2 >= clause.start \
            and clause.tokens[key.token - 2].is_num  # "8x8 GPUs"
        if prev is not None and prev.kind == "word" and not tok.space_before and not times:
            continue  # part of a name: "A100", "M60", "llama2", "qwen2" are names, not quantities
        if prev is not None and prev.text in ("-", ".", "/") and not tok.space_before and key.token - 2 >= clause.start \
                and clause.tokens[key.token - 2].kind == "word" and not prev.space_before \
                and clause.tokens[key.token - 2].text not in ("batch", "size", "len", "length", "lr", "steps", "epochs"):
            continue  # "Llama-2", "vit-b/16", "gpt-2": a number inside a hyphenated name
        value = tok.value
        unit = _unit_after(clause, k)
        end = unit[1] if unit else k
        text_end = keys[end].token
        u = unit[0] if unit else ""
        setup = _setup(clause, k)
        if u in MEMORY_UNITS and u not in ("m",):
            _memory(clause, reading, k, end, value * MEMORY_UNITS[u], u)
            continue
        if u in ("%",):
            continue
        scaled = value * COUNT_UNITS[u] if u in COUNT_UNITS else value
        if u in TIMES:
            _factor(clause, reading, k, value, left)  # "batch size 4x", "learning rate 4x"; "8x A100" is the GPU's
            continue
        keyed = _config_key(clause, k, reading)
        if keyed is not None and keyed[0] == "skip":
            continue  # `per_device_eval_batch_size: 16`: not the training batch
        slot = keyed or _left_slot(left, words, k, clause)
        if slot is None and k >= 2 and tuple(words[k - 2:k]) in TARGET_CUES and ACCUMULATION_WORDS & set(words):
            slot = ("global_batch", k - 2)  # "GA 128 to get 128": the batch per update the user expects
        right_slot = _right_slot(right, clause, end + 1)
        if slot is None or (slot[0] == "batch" and right_slot and right_slot[0] == "micro_batch"):
            slot, keyed = right_slot or slot, None
        if slot is None:
            continue
        name, start_key = slot
        if name == "params" and not u and value < 1e5:
            continue
        first = keys[min(start_key, k)].token
        last = keys[max(end, start_key)].token if start_key > k else text_end
        text = clause.text(first, max(last, text_end))
        if name in ("batch", "micro_batch", "global_batch") and _is_change(words, k):
            continue
        if name == "num_gpus":
            name, scaled = _gpu_count(clause, k, int(scaled) if float(scaled).is_integer() else 0)
        if keyed is None and name == "global_batch" and words[start_key] == "train" and not _json_key(clause, start_key):
            name = "batch"  # `--train_batch_size` of a training script is per device; DeepSpeed's JSON key is global
        if name == "batch" and "than" in words[max(0, start_key - 3):start_key]:
            setup = "reference"  # "worse than batch 128": the batch compared with
        qualified = _qualified(words, min(start_key, k), k)
        if qualified and name in BATCH_FIELDS and start_key < k and "to" in words[start_key:k]:
            _fill(reading, name, scaled, u, text, setup, keyed=keyed is not None)  # "set X to the original 2048"
        if qualified:
            setup = "reference"  # "the default batch size of 32", "the original 2048"
        elif name in BATCH_FIELDS and _lr_batch(words, start_key):
            setup = "reference"  # "lr=0.03 for batch 256", "the learning rate for batch size 256": the LR's batch
        elif name in BATCH_FIELDS and not reading.in_personal_sentence and \
                any(r.value == scaled for f, r in reading.reference.items() if f in BATCH_FIELDS):
            setup = "reference"  # "the document suggests batch 14 … why does batch size 14 fail?": the same one
        _fill(reading, name, scaled, u, text, setup, qualified, keyed=keyed is not None)


ACCUMULATION_PARTS = {"accumulation", "accumulations", "accumulate", "accum", "subdivisions"}
# the parts of a config key or a flag that say which batch it is
NOT_TRAINING = {"eval", "evaluation", "test", "val", "valid", "validation", "inference", "infer", "predict",
                "prediction", "generation", "gen", "sample", "sampling"}
PER_DEVICE_PARTS = {"micro", "microbatch", "device", "gpu", "per"}
GLOBAL_PARTS = {"global", "total", "effective"}


def _config_key(clause: _Clause, k: int, reading: Reading) -> tuple[str, int] | None:
    """The batch a number is given under as a config key or a flag, read from the key's parts:
    `per_device_train_batch_size=4` and `device_train_microbatch_size: 2` are per device, `TRAIN.BATCH_SIZE_TOTAL 8`
    and `global_train_batch_size` global, `--batch_size_training 16` and `loader.batch_size=32` plain ("batch"),
    DeepSpeed's `train_batch_size` global but a script's `--train_batch_size` per device; an eval or test batch
    (`per_device_eval_batch_size: 16`) is no training batch ("skip")."""
    t = clause.keys[k].token
    j = t - 1
    while j >= clause.start and t - j <= 3 and clause.tokens[j].kind == "punct" and clause.tokens[j].text in "=:\"'`":
        j -= 1
    if j < clause.start or clause.tokens[j].kind != "word" or "_" not in clause.tokens[j].text:
        return None
    parts = set(clause.tokens[j].text.split("_"))
    start = clause.key_of[j]
    if parts & ACCUMULATION_PARTS or {"update", "freq"} <= parts:
        return "grad_accum_steps", start  # gradient_accumulation_steps, accumulate_grad_batches, update_freq
    if not ({"batch", "size"} <= parts or parts & {"microbatch", "batchsize", "bs"}):
        return None
    if parts & NOT_TRAINING:
        return "skip", start
    if parts & PER_DEVICE_PARTS:
        return "micro_batch", start
    if parts & GLOBAL_PARTS:
        return "global_batch", start
    if "train" in parts and not _in_flag(clause, j) and (reading.deepspeed or _json_key(clause, start)):
        return "global_batch", start
    return "batch", start


# "…accumulation 128 to get 128", "… for a total of 512": what the user expects per update, said with accumulation
TARGET_CUES = {("to", "get"), ("to", "reach"), ("total", "of"), ("giving", "a"), ("gives", "a"), ("get", "a")}
ACCUMULATION_WORDS = {"ga", "accumulation", "accum", "accumulate", "gradient_accumulation_steps", "accum_iter",
                      "gradient_accumulation"}
MOVE_WORDS = {"going", "go", "switch", "switching", "move", "moving", "increase", "increasing", "scale", "scaling",
              "jump", "jumping", "bump", "raise", "raising", "change", "changing", "decrease", "reduce", "drop"}
NODE_WORDS = {"node", "nodes", "machine", "machines", "server", "servers", "host", "hosts"}


def _factor(clause: _Clause, reading: Reading, k: int, value: float, left: PhraseIndex) -> None:
    """'batch size 4x', 'learning rate 4x', 'a 4x LR', '4x the batch'."""
    slot = _left_slot(left, clause.words, k)
    after = clause.words[k + 2:k + 5]
    if slot is None and after:
        for skip in range(2):
            cue = after[skip:]
            if cue and cue[0] in ("lr", "learning", "batch", "bs"):
                slot = ("lr" if cue[0] in ("lr", "learning") else "batch", min(k + 2 + skip, len(clause.keys) - 1))
                break
            if cue and cue[0] not in ("the", "a", "my", "larger", "bigger", "higher"):
                break
    if slot is None or not 0 < value <= 1e4:
        return
    text = clause.text(clause.keys[slot[1]].token, clause.keys[min(k + 1, len(clause.keys) - 1)].token)
    if slot[0] in ("batch", "micro_batch", "global_batch"):
        reading.set(Read("batch_scale_factor", value, text))
    elif slot[0] == "lr":
        reading.set(Read("lr_scale_factor", value, text))


def _gpu_count(clause: _Clause, k: int, count: int) -> tuple[str, float]:
    """'8x8 GPUs' and '6 machines x 8 cards' multiply; 'two nodes with 4 GPUs each' and '4 nodes, each with 4 A100
    GPUs' count GPUs per node (the total is settled once the node count is known)."""
    words = clause.words
    j = k - 1
    if j >= 1 and words[j] in ("x", "*", "×"):
        j -= 1
        if j >= 0 and words[j] in NODE_WORDS:
            j -= 1
        first = clause.tokens[clause.keys[j].token] if j >= 0 else None
        if first is not None and first.is_num and first.value and float(first.value).is_integer():
            return "num_gpus", count * int(first.value)
    nearby = set(words[max(0, k - 3):k]) | set(words[k + 1:k + 4])
    if "each" in nearby or {"per", "node"} <= set(words[k + 1:k + 5]):
        return "gpus_per_node", count
    return "num_gpus", count


def _right_slot(index: PhraseIndex, clause: _Clause, k: int) -> tuple[str, int] | None:
    """A cue after the number ("4 per GPU", "8 GPUs", "3 epochs"), unless it is the name of the next value
    ("--cutoff_len 1536 --per_device_train_batch_size 1": 'per device' belongs to the 1)."""
    words = clause.words
    if k < len(words):
        hit = index.at(words, k)
        opened = any(clause.tokens[t].text == "(" for t in range(clause.keys[k - 1].token + 1, clause.keys[k].token)) \
            if k > 0 else False
        if hit and not opened:  # "8*8 (GPUs*BS)": a legend in parentheses names the factors, it counts nothing
            nxt = k + hit[0]
            while nxt < len(words) and words[nxt] in ("train", "batch", "size", "="):
                nxt += 1
            if nxt < len(words) and clause.tokens[clause.keys[nxt].token].is_num:
                return None
            return hit[1], k + hit[0] - 1
    return None


def _json_key(clause: _Clause, k: int) -> bool:
    """Whether the word at key k is written as a quoted key ("train_batch_size": 32), as in a DeepSpeed JSON."""
    tok_index = clause.keys[k].token
    return tok_index > 0 and clause.tokens[tok_index - 1].text == '"'


def _left_slot(index: PhraseIndex, words: list[str], k: int, clause: _Clause | None = None) -> tuple[str, int] | None:
    """The nearest cue phrase ending within a few filler words before the number; a cue inside a parenthesis
    closed before the number is skipped for the one before the parenthesis ("Total train batch size (w. parallel,
    distributed & accumulation) = 224" is the total batch)."""
    end = k
    for _ in range(4):
        if end <= 0:
            return None
        if clause is not None:
            opened = _opening(clause, clause.keys[end - 1].token, clause.keys[k].token)
            if opened is not None:
                end = opened
                continue
        hit = index.ending_at(words, end)
        if hit:
            return hit[1], end - hit[0]
        if words[end - 1] not in FILLERS:
            return None
        end -= 1
    return None


def _opening(clause: _Clause, after: int, before: int) -> int | None:
    """The key index just after the '(' matching a ')' between tokens `after` and `before`, if there is one."""
    close = next((t for t in range(after + 1, before) if clause.tokens[t].text == ")"), None)
    if close is None:
        return None
    for t in range(close - 1, max(clause.start, close - 40) - 1, -1):
        if clause.tokens[t].text == "(":
            for u in range(t - 1, max(clause.start, t - 8) - 1, -1):
                if u in clause.key_of:
                    return clause.word_of(clause.key_of[u])[1] + 1
            return None
    return None


def _lr_batch(words: list[str], start: int) -> bool:
    """'the learning rate for batch size 256', 'lr=0.03 for batch 256': the batch a learning rate was set for."""
    return start >= 1 and words[start - 1] == "for" and bool({"lr", "learning", "rate"} & set(words[max(0, start - 6):start]))


def _qualified(words: list[str], start: int, k: int) -> bool:
    """A value said as a default or an original one ("the default batch size of 32", "set it to the original 2048"),
    unless the user says they use it ("I use the defaults")."""
    for j in range(max(0, start - 3), k):
        if words[j] in VALUE_QUALIFIERS or words[j] == "defaults":
            return not (j >= 2 and words[j - 1] == "the" and words[j - 2] in ("use", "used", "using", "keep"))
    return False


def _fill(reading: Reading, name: str, scaled: float, unit: str, text: str, setup: str,
          qualified: bool = False, keyed: bool = False) -> None:
    whole = float(scaled).is_integer()
    if name in ("micro_batch", "global_batch", "batch", "grad_accum_steps", "num_gpus", "num_nodes", "lora_rank",
                "warmup_steps", "image_size", "gpus_per_node"):
        if not whole or scaled < 1 or scaled > 10**7:
            return
        if name == "num_gpus" and scaled > 100_000:
            return
        reading.set(Read(name, int(scaled), text, setup, qualified=qualified, keyed=keyed))
    elif name == "zero_stage":
        if scaled in (0, 1, 2, 3):
            reading.set(Read(name, int(scaled), text, setup, qualified=qualified, keyed=keyed))
    elif name == "seq_len":
        if whole and 1 <= scaled <= 10**7 and unit in ("", "k"):
            reading.set(Read(name, int(scaled), text, setup, qualified=qualified, keyed=keyed))
    elif name == "lr":
        if 0 < scaled < 10:
            reading.set(Read(name, scaled, text, setup, qualified=qualified, keyed=keyed))
    elif name == "warmup_ratio":
        if 0 < scaled < 1:
            reading.set(Read(name, scaled, text, setup, qualified=qualified, keyed=keyed))
    elif name == "epochs":
        if 0 < scaled <= 10_000:
            reading.set(Read(name, scaled, text, setup, qualified=qualified, keyed=keyed))
    elif name == "dataset_size":
        if whole and scaled >= 10:
            reading.set(Read(name, int(scaled), text, setup, qualified=qualified, keyed=keyed))
    elif name == "params":
        if unit in COUNT_UNITS or scaled >= 1e5:
            reading.set(Read(name, scaled, text, setup, qualified=qualified, keyed=keyed))


MEASURED = {"allocate", "allocated", "free", "reserved", "using", "uses", "used", "peak", "consumes", "takes",
            "needs", "need", "requires", "occupied", "usage", "already", "about", "around", "approximately", "~",
            "than", "under", "over", "below", "above", "roughly", "nearly", "almost", "least", "most", "="}


def _memory(clause: _Clause, reading: Reading, k: int, end: int, nbytes: float, unit: str) -> None:
    """A memory size is a GPU's memory when the words around it say so ('24GB GPU', 'a GPU with 16 GB',
    '80GB A100', 'my 11G', '13B on 24GB', 'a 16GB Nvidia Tesla'); sizes an error or a measurement gives
    ('allocated', 'free', 'uses about 13GB', 'more than 22G') are not, but a total over several GPUs ('four V100s,
    128G in total') and the capacity an OOM error reports ('24.00 GiB total capacity') are kept for when nothing
    else says the card's size."""
    words = clause.words
    before = words[max(0, k - 4):k]
    after = words[end + 1:end + 4]
    gb = nbytes / (2**30 if unit in ("gib", "tib", "mib") else 1e9)
    if _setup(clause, k) != "user":
        return  # "were the GPUs in the paper 96GB GPUs?"
    capacity = {"capacity", "capacty"}  # PyTorch 2.1 printed "total capacty"
    if before[-2:-1] and before[-2] in capacity and before[-1] == "of" or after[:2] and after[0] == "total" and \
            after[1:2] and after[1] in capacity:
        if reading.capacity_gb is None:
            reading.capacity_gb = gb  # "(GPU 0; 24.00 GiB total capacity …)", "total capacity of 14.58 GiB"
        return
    if capacity & set(before[-3:]):
        return
    ran_with = len(before) >= 2 and before[-2] in ("runs", "run", "ran", "running") and before[-1] == "with"
    if _after_equals(clause, k):
        reading.total_memory_gb = gb  # "4*16 = 64 GB of vRAM": a sum over the GPUs
        return
    if set(before[-2:]) & MEASURED or ran_with or "in use" in " ".join(after) or before[-2:] == ["per", "gpu"] or \
            (after and after[0] in ("free", "allocated", "reserved", "already")):
        reading.measured_gb = max(reading.measured_gb or 0.0, gb)  # "uses around 72 GB"
        return
    if (set(before[-2:]) | set(after[:2])) & {"ram", "cpu", "host", "system", "disk", "dataset", "data"}:
        return
    if after[:2] == ["in", "total"] or (before and before[-1] in ("total", "totally")):
        reading.total_memory_gb = gb  # "four V100s, 128G in total": per GPU once the count is known
        return
    gpu_words = GPU_WORDS | GPU_NOISE | {"vram", "memory"}
    gpu_after = bool(set(after[:2]) & (gpu_words | {"of"})) and not set(after[:3]) & {"ram", "cpu", "host", "system"}
    card_before = bool(set(before[-3:]) & GPU_WORDS) or (before and before[-1] in ("my", "on"))
    gpu_before = card_before or bool(set(before[-2:]) & {"with", "has", "having"} and set(words[max(0, k - 6):k]) & GPU_WORDS)
    if gpu_after or gpu_before or (after and after[0] in ("each", "per")):
        first = clause.keys[k - 1].token if gpu_before and not gpu_after and k >= 1 else clause.keys[k].token
        last = clause.keys[end + 1].token if (gpu_after or not gpu_before) and end + 1 < len(clause.keys) \
            else clause.keys[end].token
        text = clause.text(first, last)
        reading.set(Read("gpu_memory_gb", round(gb, 2), text))
        reading.set(Read("gpu_memory_bytes", nbytes, text))


def _after_equals(clause: _Clause, k: int) -> bool:
    t = clause.keys[k].token
    return t > clause.start and clause.tokens[t - 1].text == "="


def _is_change(words: list[str], k: int) -> bool:
    """'batch from 32 to 8': the numbers belong to the change, not to the current batch."""
    window = words[max(0, k - 3):k + 3]
    return "from" in window and "to" in window


def _changes(clause: _Clause, reading: Reading) -> None:
    """'from A to B' after a batch / learning-rate cue, 'A → B', 'doubled the batch', 'batch 4x'."""
    words = clause.words
    for k, w in enumerate(words):
        if w != "from" or k + 3 >= len(words):
            continue
        cue_inside = ""
        first = k + 1
        while first < min(len(words), k + 4) and words[first] in ("batch", "size", "bs", "lr", "learning", "rate", "a", "the"):
            cue_inside += " " + words[first]
            first += 1
        if first >= len(words):
            continue
        a = clause.tokens[clause.keys[first].token]
        if not a.is_num:
            continue
        j = first + 1
        while j < len(words) and j < k + 5 and words[j] != "to":
            j += 1
        if j + 1 >= len(words) or words[j] != "to":
            continue
        b = clause.tokens[clause.keys[j + 1].token]
        if not b.is_num or a.value is None or b.value is None:
            continue
        cue = " ".join(words[max(0, k - 6):k]) + cue_inside
        text = clause.text(clause.keys[k].token, clause.keys[j + 1].token)
        if "batch" in cue or "bs" in words[max(0, k - 3):k]:
            if a.value.is_integer() and b.value.is_integer():
                reading.set(Read("batch_from", int(a.value), text))
                reading.set(Read("batch_to", int(b.value), text))
        elif "lr" in cue or "learning rate" in cue:
            reading.set(Read("lr_from", a.value, text))
            reading.set(Read("lr_to", b.value, text))
        elif any(g in words[j + 2:j + 4] for g in ("gpus", "gpu", "cards")):
            reading.set(Read("gpus_from", int(a.value), text))
            reading.set(Read("gpus_to", int(b.value), text))
    if not reading.in_past_clause:  # "I could go up to 32" on another setup is no change of the user's
        _moves(clause, reading)
    for k, w in enumerate(words):
        if w in ("doubled", "double", "doubling", "halved", "halve", "quadrupled") and not _negated(clause, k):
            window = words[k:k + 4]
            if "batch" in window or "bs" in window:
                factor = 0.5 if w.startswith("halv") else 4.0 if w == "quadrupled" else 2.0
                text = clause.text(clause.keys[k].token, clause.keys[min(k + 3, len(words) - 1)].token)
                reading.set(Read("batch_scale_factor", factor, text))


# verbs that change a value: "reduced it to 8", "lower the batch size to 16", "going to 1024", "changed bs to 64"
CHANGE_VERBS = {"reduce", "reduced", "reducing", "decrease", "decreased", "decreasing", "lower", "lowered",
                "lowering", "increase", "increased", "increasing", "change", "changed", "changing", "raise", "raised",
                "raising", "bump", "bumped", "drop", "dropped", "dropping", "cut", "go", "going", "went", "switch",
                "switched", "switching", "move", "moved", "moving", "jump", "jumped", "scale", "scaled", "scaling"}
# words that may stand between such a verb and its "to", or between "to" and the number, when a batch is changed
BATCH_OBJECT = {"it", "the", "my", "our", "batch", "size", "bs", "batchsize", "loader", "train", "micro", "per",
                "device", "gpu", "up", "down", "global", "total", "effective", "a", "of", "only", "just", "back"}
BATCH_WORDS = {"batch", "bs", "batchsize", "batches"}
# verbs that change the quantity last named without naming it ("lower it to 8", "going to 1024"); "switch to"
# names a mode more often than a number
UNNAMED_CHANGE_VERBS = CHANGE_VERBS - {"switch", "switched", "switching", "move", "moved", "moving"}
TOPICS = {"batch": "batch", "bs": "batch", "batchsize": "batch", "lr": "lr", "learning": "lr", "seq": "seq",
          "length": "seq", "len": "seq", "context": "seq", "resolution": "image", "epochs": "epochs", "gpus": "gpus"}


def _moves(clause: _Clause, reading: Reading) -> None:
    """A batch the user changes to: 'reduced to batch size 8', 'I lower it to 8', 'reduced it to 8 from 12',
    'going to 1024', 'after I change the batchsize to 64'. The batch it changes from is the one said with
    'from', else the last batch the user gave before, else a default the message named ('the default batch size
    of 32 … increasing it to 128'); none when the message gave none."""
    words = clause.words
    topics = reading.topics
    for k, w in enumerate(words):
        if w in TOPICS and (not topics or topics[-1] != TOPICS[w]):
            topics.append(TOPICS[w])
            del topics[:-4]
        if w != "to" or k == 0 or "batch_to" in reading.values:
            continue
        # the verb, over the object: "reduced [it] to", "lower [the batch size] to"
        j, named = k - 1, False
        while j > 0 and words[j] in BATCH_OBJECT and k - j < 6:
            named = named or words[j] in BATCH_WORDS
            j -= 1
        if words[j] not in CHANGE_VERBS or _negated(clause, j):
            continue
        micro = any(words[x] in ("micro", "per") for x in range(j + 1, k))
        # the number, over a batch cue: "to batch size 8", "to loader.batch_size=16"
        n = k + 1
        while n < len(words) and words[n] in BATCH_OBJECT and n - k < 5:
            named = named or words[n] in BATCH_WORDS
            micro = micro or words[n] in ("micro", "per")
            n += 1
        if n >= len(words):
            continue
        tok = clause.tokens[clause.keys[n].token]
        if not tok.is_num or tok.value is None or not float(tok.value).is_integer() or tok.value < 1:
            continue
        after = words[n + 1] if n + 1 < len(words) else ""
        if after in GPU_WORDS | NODE_WORDS | MEMORY_UNITS.keys() | COUNT_UNITS.keys() | {"tokens", "epochs", "%"}:
            continue
        if not named and (words[j] not in UNNAMED_CHANGE_VERBS or _topic(topics, tok.value) != "batch"):
            continue  # "lower it to 8" only when the last quantity named that can be 8 was a batch
        to = int(tok.value)
        text = clause.text(clause.keys[j].token, clause.keys[n].token)
        source = None
        if n + 2 < len(words) and words[n + 1] == "from" and clause.tokens[clause.keys[n + 2].token].is_num:
            a = clause.tokens[clause.keys[n + 2].token]
            if a.value is not None and float(a.value).is_integer():
                source = Read("batch_from", int(a.value), clause.text(clause.keys[j].token, clause.keys[n + 2].token))
                text = source.text
        if source is None:
            earlier = [m for m in reading.batch_mentions if m.value != to and not m.past and m.setup == "user"]
            if earlier:
                source = replace(earlier[-1], field="batch_from")
            else:
                default = next((reading.reference[f] for f in BATCH_FIELDS
                                if f in reading.reference and reading.reference[f].qualified), None)
                if default is not None and default.value != to:
                    source = replace(default, field="batch_from", setup="user")
        if source is None and micro:  # "I reduced micro_batch_size to 1": the per-device batch now, no known change
            reading.set(Read("micro_batch", to, text))
            continue
        if source is not None:
            reading.set(source)
        reading.set(Read("batch_to", to, text))


def _topic(topics: list[str], value: float) -> str:
    """The quantity last named that can take this value: in 'batch 256 at lr 0.1, going to 1024', not the LR."""
    for topic in reversed(topics):
        if topic == "lr" and value >= 10 or topic == "epochs" and value > 10_000:
            continue
        return topic
    return ""


def _goal(tokens: list[Token], source: str, reading: Reading, index: _Keys) -> None:
    """The user's goal, voted by cue phrases over whole sentences (`reading.goal`)."""
    from advisor.reading.goal import Sentence, goal_of

    whole = []
    for start, end in sentences(tokens):
        clause = _Clause(tokens, start, end, source, index)
        whole.append(Sentence(
            clause.words, clause.present, end < len(tokens) and tokens[end].text == "?",
            is_num=lambda k, c=clause: c.tokens[c.keys[k].token].is_num,
            in_flag=lambda k, c=clause: _in_flag(c, c.keys[k].token),
            word_of=clause.word_of,
            text=lambda a, b, c=clause: c.text(c.keys[a].token, c.keys[b].token)))
    oom = reading.values.get("oom")
    found = goal_of(whole, oom.text if oom is not None and oom.value else None, _index("goal"))
    if found is not None:
        reading.set(Read("goal", found[0], found[1]))


def _in_flag(clause: _Clause, t: int) -> bool:
    """Whether token t is a command-line flag's name: `--learning-rate`, `-batch_size` (not the 'tune' of
    'fine-tune')."""
    tok = clause.tokens[t]
    dash = clause.tokens[t - 1] if t > clause.start else None
    return dash is not None and dash.text == "-" and not tok.space_before and \
        (dash.space_before or (t - 2 >= clause.start and clause.tokens[t - 2].text == "-"))


def _product_batches(reading: Reading) -> None:
    """Two plain batches of the user's, one the other times the accumulation (and the GPUs), are the batch per
    update and the batch per step: '--batch_size 64 equivalent to --batch_size 8 and --accumulate_gradients 8'."""
    values = reading.values
    accum = reading.get("grad_accum_steps")
    if "batch_from" in values or not accum or accum < 2 or "global_batch" in values:
        return
    factor = accum * (reading.get("num_gpus") or 1)
    plain = [m for m in reading.batch_mentions if m.field == "batch" and m.setup == "user" and not m.past]
    for big in plain:
        small = next((m for m in plain if m.value * factor == big.value), None)
        if small is not None:
            values["global_batch"] = replace(big, field="global_batch")
            values["batch"] = small
            return


def _planned_change(reading: Reading) -> None:
    """Two batches of the user's in a row are a change from the first to the second when the second is planned
    ('SGD lr 0.1 at batch 256; I want to use batch 1024 on 4 GPUs', 'I use batch_size=4; so is batch_size=8
    right?') or when the first failed and the second works ('at batch 256 we get an OOM, at 128 it just fits'),
    unless the message said 'from … to …' itself."""
    values = reading.values
    if "batch_from" in values or "batch_to" in values:
        return
    mentions = [m for m in reading.batch_mentions if m.setup == "user" and not m.past]
    for old, new in zip(mentions, mentions[1:]):
        if old.value != new.value and ((new.planned and not old.planned) or (old.mood == "fail" and new.mood == "ok")):
            values["batch_from"] = replace(old, field="batch_from")
            values["batch_to"] = replace(new, field="batch_to")
            for was, planned in reading.conflicts:  # "… accumulation 1; so is batch 8 with accumulation 2 right?"
                if planned.planned and planned.sentence == new.sentence and values.get(was.field) is was:
                    values[was.field] = planned
            return


# what the user runs when they cite a setup and name none of their own ("the official LoRA tutorial says 11 GB …,
# yet on my RTX 3080 …"): the same training method
FOLLOWED = ("training_mode", "adapter", "precision", "optimizer", "parallelism", "zero_stage", "offload",
            "grad_checkpointing", "attention", "model")
# a pretrained checkpoint or a downstream task means fine-tuning
FINETUNE_EVIDENCE = ["instruct", "chat", "hf", "glue", "squad", "alpaca", "samsum", "dolly", "lima", "classifier",
                     "from_pretrained", "model_name_or_path", "text to image"]


def _first_phrase(clause: _Clause, index: PhraseIndex) -> str | None:
    for k in range(len(clause.words)):
        hit = index.at(clause.words, k)
        if hit is not None:
            return clause.text(clause.keys[k].token, clause.keys[k + hit[0] - 1].token)
    return None


def _vague_model(reading: Reading) -> None:
    """A family named without a size ('train llama2') and a size said alone ('a 13B model') are one model
    (llama-2-13b); a family alone names no model to reason with, so none is read."""
    model, params = reading.values.get("model"), reading.values.get("params")
    if model is None or not model.weak or not names.version_only(model.value):
        return
    if params is not None and not any(c.isalpha() for c in params.text.lower().rstrip("bm")):
        size = params.text.strip().lower().replace(" ", "")
        reading.values["model"] = replace(model, value=f"{model.value}-{size}", weak=False, implied=True)
    else:
        reading.values.pop("model")


def _from_reference(reading: Reading) -> None:
    for name in FOLLOWED:
        if name not in reading.values and name in reading.reference:
            reading.values[name] = replace(reading.reference[name], setup="user", implied=True)


def _implied_mode(reading: Reading) -> None:
    """Fine-tuning when the message does not say so but loads a pretrained checkpoint (`--model_name_or_path`,
    `from_pretrained`, a chat or instruct model) or trains on a downstream task (GLUE, SQuAD, Alpaca)."""
    if "training_mode" in reading.values or "adapter" in reading.values or reading.finetune_evidence is None:
        return
    reading.values["training_mode"] = Read("training_mode", "finetune", reading.finetune_evidence, implied=True)


# the sizes cards are sold with, in GB: an OOM error's capacity (14.58 GiB on a T4) rounds up to one of them
CARD_SIZES = (2, 3, 4, 6, 8, 10, 11, 12, 16, 20, 22, 24, 32, 40, 48, 64, 80, 94, 96, 128, 141, 192, 288)


def _card_memory(reading: Reading) -> None:
    """The card's memory when the message says it only indirectly: a total over the GPUs ('four V100s, 128G in
    total' is 32 GB each), or the capacity an OOM error reports ('79.17 GiB total capacity' is an 80 GB card);
    and the member of an ambiguous family that memory picks ('A100' with 79.17 GiB is the A100 80GB; an A100 that
    'uses around 72 GB' cannot be the 40 GB one)."""
    from advisor.domain import gpus as catalogue

    values = reading.values
    said = values.get("gpu_memory_gb")
    if (said is None or said.weak) and reading.total_memory_gb and reading.get("num_gpus"):
        per = reading.total_memory_gb / reading.get("num_gpus")
        if any(abs(per - size) < 0.5 for size in CARD_SIZES):
            values["gpu_memory_gb"] = Read("gpu_memory_gb", round(per), values.get("gpu_model", said).text
                                           if values.get("gpu_model") or said else "in total", implied=True)
    if "gpu_memory_gb" not in values and reading.capacity_gb:
        nominal = next((size for size in CARD_SIZES if size >= reading.capacity_gb - 0.5), None)
        if nominal is not None and reading.capacity_gb >= 0.85 * nominal:
            values["gpu_memory_gb"] = Read("gpu_memory_gb", nominal, "total capacity", implied=True)
    model = values.get("gpu_model")
    family = catalogue.families().get(model.value) if model is not None else None
    if not family:
        return
    memory = reading.get("gpu_memory_gb")
    members = [m for m in family if memory is not None and abs(m.memory_gb - memory) < 0.6]
    if not members and memory is None and reading.measured_gb:
        members = [m for m in family if m.memory_gb >= reading.measured_gb]
        members = members[:1] if len(members) == 1 else []
    if len(members) == 1:
        card = members[0]
        values["gpu_model"] = replace(model, value=card.id)
        values["gpu_memory_catalogue_bytes"] = Read("gpu_memory_catalogue_bytes", card.memory_bytes, model.text)
        if memory is None:
            values["gpu_memory_gb"] = Read("gpu_memory_gb", card.memory_gb, model.text, implied=True)


def _platform(reading: Reading) -> None:
    """A notebook platform ("on Kaggle", "a T4 on Colab") gives its card only when the message names none: one
    card when it offers one (Colab's T4), else the one whose GPU count the message states (Kaggle's two T4s
    for "2 GPUs"), else the platform itself, for the advisor to ask."""
    if reading.platform is None or "gpu_model" in reading.values:
        return
    match, text, setup = reading.platform
    if setup != "user":
        return
    gpus = reading.get("num_gpus")
    chosen = [(c, n) for c, n in zip(match.candidates, match.counts) if gpus is None or n == gpus]
    if len(chosen) == 1 or len(match.candidates) == 1:
        card, count = chosen[0] if chosen else (match.candidates[0], match.counts[0])
        reading.set(Read("gpu_model", card.id, text))
        reading.set(Read("gpu_memory_catalogue_bytes", card.memory_bytes, text))
        said = reading.values.get("gpu_memory_gb")
        if said is None or 0.8 <= said.value / card.memory_gb <= 1.05:  # "15G each" of a 16 GB T4: what it leaves
            reading.values["gpu_memory_gb"] = Read("gpu_memory_gb", card.memory_gb, text, weak=True)
        if gpus is None and count > 1:
            reading.set(Read("num_gpus", count, text))
    else:
        reading.set(Read("gpu_model", match.id, text))


def _resolve(reading: Reading) -> None:
    """Settle what the parts imply together: a plain 'batch' on one GPU is the per-device batch; LoRA on a 4-bit
    base is QLoRA; 'amp' takes its 16-bit type from a bf16/fp16 word; ZeRO or FSDP named with a stage."""
    values = reading.values
    _planned_change(reading)
    _product_batches(reading)
    plain = values.pop("batch", None)
    if plain is not None:
        gpus = reading.get("num_gpus")
        # a plain batch is the per-device one on one GPU, next to a stated global batch, when it is smaller than the
        # GPU count (batch 1 on 8 GPUs cannot be global), or when the user's launch gives it as a script's key or
        # flag (`--batch_size 1`, `batch_size = 4` with accumulation: every process reads it) — unless the message
        # asks which of the two it is
        per_device = gpus in (None, 1) or "global_batch" in values or plain.value < gpus or plain.value == 1 \
            or (plain.keyed and not reading.asks_per_device)
        if "micro_batch" not in values and per_device:
            values["micro_batch"] = replace(plain, field="micro_batch", implied=True)
        elif "micro_batch" not in values and "global_batch" not in values:
            values["batch_unqualified"] = replace(plain, field="batch_unqualified")
    ref_plain = reading.reference.pop("batch", None) or reading.reference.pop("global_batch", None) \
        or reading.reference.pop("micro_batch", None)
    if ref_plain is not None:
        reading.reference["batch"] = ref_plain
    _platform(reading)
    _card_memory(reading)
    single = values.get("num_gpus")
    if single is not None and single.value == 1:
        # "when I use 1 GPU … but with multiple GPUs", "single GPU (equivalent to 8 GPUs)": a comparison, so the
        # count is the larger one said, or none
        several = next((new for old, new in reading.conflicts if old is single and new.field == "num_gpus"
                        and new.value > 1 and new.setup == "user"), None)
        if several is not None or reading.several_gpus:
            values.pop("num_gpus")
            if several is not None:
                values["num_gpus"] = several
    if "num_gpus" not in values and "gpus_per_node" not in values and set(reading.devices_named) == {0} \
            and not reading.several_gpus:
        values["num_gpus"] = Read("num_gpus", 1, reading.devices_named[0], implied=True)  # an error on device 0 only
    per_node = values.pop("gpus_per_node", None)
    if per_node is not None:
        nodes = reading.get("num_nodes") or 1
        total = Read("num_gpus", per_node.value * nodes, per_node.text)
        old = values.get("num_gpus")
        if old is None or old.value in (per_node.value, 1) or old.value == total.value:
            values["num_gpus"] = total
    if reading.get("training_mode") == "finetune":
        # "Pre-training worked great with batch 256, so fine-tuning with batch 256…": the pre-training run's
        # numbers describe a reference setup, not the fine-tuning run
        for name in ("micro_batch", "batch_unqualified", "global_batch", "lr"):
            r = values.get(name)
            if r is not None and r.sentence in reading.pretraining_sentences:
                values.pop(name)
                key = "batch" if name != "lr" else "lr"
                reading.reference.setdefault(key, Read(key, r.value, r.text, "reference", sentence=r.sentence))
    _from_reference(reading)
    _vague_model(reading)
    _implied_mode(reading)
    adapter = reading.get("adapter")
    if adapter in ("lora", "qlora") and "training_mode" not in values:
        values["training_mode"] = Read("training_mode", "finetune", values["adapter"].text)
    if adapter == "lora" and reading.get("base_bits") == 4:
        values["adapter"] = Read("adapter", "qlora", values["adapter"].text)
    elif adapter is None and reading.get("training_mode") == "finetune" and reading.get("base_bits") == 4:
        # a 4-bit base cannot be trained itself: fine-tuning it ("unsloth/llama-3-8b-bnb-4bit", load_in_4bit=True)
        # trains adapters on it
        values["adapter"] = Read("adapter", "qlora", values["base_bits"].text, implied=True)
    if "zero_stage" in values and "parallelism" not in values:
        values["parallelism"] = Read("parallelism", "zero", values["zero_stage"].text)
    precision = reading.get("precision")
    if precision == "amp":
        values.pop("precision")
