"""What the reader understood: a value read (`Read`: the value, the words it came from, whose setup it belongs to
and how firmly it was said) and a whole message's reading (`Reading`: the user's values, a reference's, and the
conflicts between two statements, kept rather than raised), and `fill`, which checks a number fits its slot."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from advisor.domain.catalogue import has_preset
from advisor.reading.cues import COUNT_UNITS


# fields where a statement about the user's own run ("on my A100 the batch can only be 16") outranks one made
# in passing earlier in the message, and where the run asked about outranks an earlier one ("I first set 8
# accumulation steps … then I tried 6")
PERSONAL_FIELDS = {"model", "image_size", "micro_batch", "global_batch", "batch", "num_gpus", "gpu_model", "gpu_memory_gb", "gpu_memory_bytes",
                   "gpu_memory_catalogue_bytes", "gpus_per_node", "grad_accum_steps", "planned_steps", "epochs"}


BATCH_FIELDS = ("batch", "micro_batch", "global_batch")
# the settings a revision of the setup replaces ("后来改成了 --micro_train_batch_size 1 …"): what is said after it is the
# run's, over what the message said before
REVISABLE_FIELDS = frozenset({"micro_batch", "global_batch", "batch", "grad_accum_steps", "seq_len", "num_gpus",
                              "num_nodes", "gpus_per_node", "zero_stage", "lr", "image_size", "offload", "precision",
                              "parallelism", "grad_checkpointing", "lora_rank", "num_generations", "rollout_prompts",
                              "prompt_len", "completion_len", "actor_gpus_per_node", "actor_nodes"})
PROCESS_WORDS = frozenset({"procs", "processes", "ranks"})  # a count of training processes, not of cards


# what a supposed case ("what if …?") is made of: not read as the user's
SUPPOSED_FIELDS = frozenset(BATCH_FIELDS + ("num_gpus", "grad_accum_steps", "num_nodes"))


MAX_MENTIONS = 32


@dataclass(slots=True)  # (a message makes hundreds: slots are faster to make and read)
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
    third_party: bool = False  # said of what a script, config or model does, with no first-person word
    revised: bool = False  # said after the user's revision of their setup ("I later changed it to:")


MAX_ASKED = 8  # settings asked about, per message
# the fields that say which card a run has (one machine's, where a message lists two machines)
MACHINE_CARD_FIELDS = ("gpu_model", "gpu_memory_gb", "gpu_memory_bytes", "gpu_memory_catalogue_bytes", "num_gpus")
MAX_CARD_SENTENCES = 20  # the sentences whose cards are kept (a message lists a few machines)

# the settings a plan changes (the plan search's knobs): what a question may ask about adopting
PLAN_SETTINGS = frozenset({"zero_stage", "parallelism", "offload", "grad_checkpointing", "optimizer", "precision",
                           "adapter", "attention", "fused_loss"})


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
    revised: bool = False  # past the words that revise the setup ("I later changed it to:"): the run now
    in_third_party_clause: bool = False  # … and about what a script, a config or a model does ("BEVFormer trains …")
    # a recipe's words quoted over several sentences ('The paper says: "… During training, we set the batch size to
    # 32 per GPU."'): their 'we' and their numbers are the recipe's until the quote closes
    in_reference_quote: bool = False
    in_hypothetical_clause: bool = False  # … and a question about a case supposed ("What if I have 4 GPUs, …?")
    clause_mood: str = ""  # … and whether the clause reports a failure or a success (FAIL_WORDS / OK_WORDS)
    batch_mentions: list[Read] = field(default_factory=list)  # every batch read, in order (at most MAX_MENTIONS)
    capacity_gb: float | None = None  # the capacity an OOM error reports ("24.00 GiB total capacity")
    capacity_text: str = ""  # …and its words
    measured_gb: float | None = None  # the largest memory use the message reports ("uses around 72 GB")
    # the largest use of the user's run said with a verb of use ("it takes 24GB"), in bytes from the unit it was said
    # in (MiB and GiB binary, MB and GB decimal: "14678MiB" is 14.33 GiB)
    used_bytes: float | None = None
    used_text: str = ""  # …and its words
    total_memory_gb: float | None = None  # memory said over all GPUs ("128G in total")
    # where the message lists two GPUs' uses or more ("GPU 0: 38335MB, GPU 1: 45733MB"): per_gpu.ListedUse each - a
    # size there is what that GPU holds, never the card's size
    listed_gpu_uses: tuple = ()
    platform: Any = None  # (GpuMatch, words, setup) of the first platform named ("Kaggle", "Colab")
    platform_machines: Any = None  # (count, words) of machines of that type ("6 g5.4xlarge instances")
    finetune_evidence: str | None = None  # words that mean fine-tuning without saying so (FINETUNE_EVIDENCE)
    scratch_evidence: str | None = None  # training on a pre-training corpus ("ResNet50 on ImageNet")
    full_training: str | None = None  # words that rule adapters out ("without peft", "LoRA is not an option")
    full_training_mood: str = ""  # the mood of the clause that said it ("--finetuning_type full runs out of memory")
    weights_dtype: tuple[str, str] | None = None  # (bf16 | fp16, words) the weights are loaded in (`torch_dtype`)
    # settings said as changed to ("so I switched to ZeRO2", "… to fp16=True"): field -> the Read
    switched_to: dict[str, Any] = field(default_factory=dict)
    replaced_models: set = field(default_factory=set)  # models said replaced ("except bert-base-cased, we use …")
    adapter_switched_to: bool = False  # the adapters were said as a change made ("so I switched to LoRA")
    no_accumulation: Any = None  # the Read of "no accumulation": one micro-batch per update unless a count is said
    accumulation_said: bool = False  # accumulation spoken of as used, with no count ("loss grows with grad accum")
    launcher: str | None = None  # the words of a per-GPU launcher ("torchrun", "accelerate launch")
    per_card_memory_text: str = ""  # the words of a size said right before a card's name: each card's ("2*22G 2080ti")
    bare_memory_text: str = ""  # the words of a size no GPU word or card name stands by ("200GB of memory")
    several_gpus: bool = False  # the user's text speaks of several GPUs ("multiple GPUs", "per GPU", "across GPUs")
    plural_card: bool = False  # a card is named in the plural ("A100s", "8 V100s")
    batch_change_per_gpu: bool = False  # the batch change said is each GPU's ("per-GPU batch from 4 to 8")
    batch_to_said_as: str = ""  # how the new batch of a change was said: 'micro_batch' ("now 2 GPUs, 16 per GPU"),
    # 'global_batch' ("a global batch of 64") or a plain 'batch'
    several_gpus_text: str = ""  # the words of the first clause that does ("in a multi-GPU, multi-node setup")
    several_machines_text: str = ""  # the words of the first clause that runs on machines it does not count ("n nodes")
    same_hardware: bool = False  # the user runs on a reference's hardware ("I tried … with this hardware")
    asked_of_source: set = field(default_factory=set)  # sentences that ask the source's authors about their run
    swift_cli: str = ""  # the words that launch ms-swift ("swift sft"), whose gradient_checkpointing defaults to True
    only_per_gpu: bool = True  # … and only as 'per GPU', which one GPU has as well ("a single V100 … 256 per GPU")
    one_card_multiplied: bool = False  # one card written as a multiplier ("(A100 x1)", "1x H100"): a count said on purpose
    tuning_method: str = ""  # a preference or RL method named ("grpo", "dpo"): a pretrained model is tuned
    tuning_method_text: str = ""  # the words that named it ("GRPO", "--advantage_estimator group_norm")
    deepspeed: bool = False  # the message speaks of DeepSpeed (its `train_batch_size` is the global batch)
    unified_memory: bool = False  # an Apple machine named: its RAM is the GPU's memory ("M2 ULTRA 64GB")
    unified_memory_text: str = ""  # the word that said so ("spark", "mps")
    xla_report: bool = False  # the message holds XLA's memory report ("Total hbm usage >= 14.93G: reserved 529.00M …")
    # an RL trainer whose batch keys count prompts ('verl', 'openrlhf'): its `train_batch_size` is not a plain batch
    rl_trainer: str = ""
    rl_trainer_text: str = ""  # … the word that tells it (its name, or a key of its own)
    tpu: bool = False  # the message speaks of TPUs (a notebook platform then gives no GPU)
    asked_settings: list[tuple[str, Any, str]] = field(default_factory=list)  # settings a question weighs (ask_about)
    adam_setting: str | None = None  # the words of an Adam-family setting (`--adam_beta2 0.95`): AdamW's or Adam's
    # the settings pasted (a config file, a launch command) say a batch and nothing of accumulation: its default of
    # one step per update
    accumulation_unset: bool = False
    # the token ranges of lines that comment a setting out ("# --tp_size 4"): their numbers set nothing
    commented_out: list[tuple[int, int]] = field(default_factory=list)
    hf_trainer: str | None = None  # the words saying the run uses Hugging Face's Trainer (`per_device_train_batch_size`)
    # DeepSpeed's batch assertion: the train_batch_size asked, the micro-batch, accumulation and world size it saw, and
    # the words ("world_size 9 != 1 * 3 * 1")
    batch_assertion: tuple[float, float, float, float, str] | None = None
    # the 16-bit modes a key turns off, with its words (`fp16=False, bf16=False`: both, so the run trains in fp32)
    precisions_off: dict[str, str] = field(default_factory=dict)
    one_gpu_used: Any = None  # the words saying only one of the GPUs works ("only one gpu is used by unsloth")
    one_gpu_symptom: str | None = None  # "it just uses 1 gpu", "fine-tuning only uses 1 GPU": a launch's symptom
    arrows: bool = True  # the message has an arrow ('->', '→') that may write a change ("32 -> 256")
    asks_per_device: bool = False  # it asks whether a batch is per device or global ("per GPU or across GPUs?")
    topics: list[str] = field(default_factory=list)  # the quantities named so far, the last last ("batch", "lr")
    sentence: int = -1  # the sentence being read
    pretraining_sentences: set[int] = field(default_factory=set)  # sentences that speak of pre-training
    # the model sizes each sentence names ("32B LLM, TP=8, PP=1" / "70B LLM, TP=8, PP=2"): which settings go with
    # which model, where a message lists several (bounded: one entry a params read)
    sizes_by_sentence: dict[int, set] = field(default_factory=dict)
    sharding_unsettled: bool = False  # FSDP and ZeRO both said of runs tried: sharded, which of them asked
    in_question: bool = False  # … while the reader is in a clause that ends with '?'
    gpus_per_process: Read | None = None  # ms-swift's NPROC_PER_NODE below the visible GPUs: each process's share
    adapter_tried: str = ""  # "I tried to activate LoRA but it failed": an adapter tried and set aside
    stage_errored: Read | None = None  # "ZeRO3 throws an error, so I use ZeRO2": a stage that failed, not for memory
    evaluation_clauses: set[int] = field(default_factory=set)  # clauses that speak of evaluating ("when I evaluate")
    layouts: list[Any] = field(default_factory=list)  # GPU counts said with each GPU's batch (layouts.Layout)
    compared_layout: Any = None  # … and the one of two with the same total that is not the user's run
    # the batches and accumulation steps an equivalence question compares ("is bs 2 with accumulation 4 the same as
    # bs 8?"), as (field, value, key) in the order said; and the two settings paired from them (layouts.Split)
    compared_numbers: list[tuple[str, int, int]] = field(default_factory=list)
    compared_splits: list[Any] = field(default_factory=list)
    compared_splits_text: str = ""  # … and the words that compare them
    completion_only: Read | None = None  # `max_completion_length 1024` with no prompt length said
    # the GPUs of a whole RL job when the model trained has only some of them (OpenRLHF's actor beside its
    # reference and vLLM engines): the job's count, where num_gpus is the actor's
    job_gpus: Read | None = None
    plain_python: str | None = None  # "python train.py …": a script started as one process (no launcher)
    spawning_script: str | None = None  # detectron2's `train_net.py --num-gpus 2`: a script that starts a process per GPU
    batch_kept: Read | None = None  # "… to keep the effective batch at 64": the batch per update a change keeps
    batch_change_asked: bool = False  # "should I lower the batch to 2?": the change is a question, not yet made
    # a family named without its size and dropped as no model to reason with ('train llama2'): the size question
    # still asks for it by name
    vague_model: Read | None = None
    unlisted_model: Read | None = None  # … and a name the catalogue lacks after a training verb ("fine-tuning TabPFN")
    # "My laptop: … 1050ti 4GB" / "My PC: … 3070 8GB" (review 76 #14): each clause's label before a colon, and the words
    # of the clause an out-of-memory error is said in - which machine ran out
    labels: dict[int, frozenset] = field(default_factory=dict)
    oom_words: frozenset = frozenset()
    open_label: Any = None  # (label, end) of a label alone on its line ("My PC:"), which the lines below it carry
    card_reads: dict = field(default_factory=dict)  # sentence -> {card field -> Read}: the cards each sentence names
    names_seen: int = 0  # GPU and model names looked at (bounded: a message names a few, a pasted log thousands)
    # a transformer's shape as settings give it (`--num-layers 36 --hidden-size 1280 ...`): field -> Read, and
    # whether the message names a gated MLP (SwiGLU); counted by situation.shape_params when no size is said
    # the GPUs or nodes an LR was tuned on ("the LR 3e-4 was tuned on a single node"), as read (reference setup)
    tuned_on: Any = None
    shape: dict = field(default_factory=dict)
    shape_text: str = ""
    gated_mlp: bool = False

    def set(self, read: Read) -> None:
        if self.in_hypothetical_clause and read.field in SUPPOSED_FIELDS:
            return  # "What if I have 4 GPUs, per_device_train_batch_size=1?": a case supposed, not the user's run
        read.personal = read.personal or self.in_personal_sentence
        read.planned = read.planned or self.in_planning_sentence
        read.past = read.past or self.in_past_clause
        read.third_party = read.third_party or self.in_third_party_clause
        read.revised = read.revised or self.revised
        read.mood = read.mood or self.clause_mood
        if read.field in BATCH_FIELDS and len(self.batch_mentions) < MAX_MENTIONS:
            self.batch_mentions.append(read)
        if read.sentence < 0:
            read.sentence = self.sentence
        if read.field == "training_mode" and read.value == "scratch":
            self.pretraining_sentences.add(read.sentence)
        if read.field == "params" and read.setup == "user":
            self.sizes_by_sentence.setdefault(read.sentence, set()).add(read.value)
        if read.field in MACHINE_CARD_FIELDS and read.setup == "user" \
                and (read.sentence in self.card_reads or len(self.card_reads) < MAX_CARD_SENTENCES):
            # each sentence's card, for a machine's label to claim ("My PC:" then "3070 8GB" below it)
            self.card_reads.setdefault(read.sentence, {}).setdefault(read.field, read)
        table = self.reference if read.setup == "reference" else self.values
        old = table.get(read.field)
        # a later 'fine-tune' outranks an earlier 'pre-training' (fine-tuning a model that was pre-trained)
        finetune_wins = read.field == "training_mode" and old is not None and old.value == "scratch" \
            and read.value == "finetune"
        if finetune_wins and old.sentence == read.sentence:
            self.pretraining_sentences.discard(read.sentence)  # "pretrain the model from a checkpoint": one run
        restated = old is not None and old.value == read.value and old.sentence in self.pretraining_sentences \
            and read.sentence not in self.pretraining_sentences  # said again outside the pre-training sentence
        outranks = old is not None and old.value != read.value and read.field in PERSONAL_FIELDS \
            and rank(read) > rank(old) and not usable_of(old, read)
        # a weak read gives way to one said outright (accelerate's `mixed_precision: no`, then the script's `--fp16`)
        # "a p3dn.24xlarge … with 8 Nvidia V100 GPUs": the family named after its exact card says no other card
        outranks = outranks and not (read.field == "gpu_model" and isinstance(old.value, str)
                                     and isinstance(read.value, str) and old.value.startswith(read.value + "-"))
        outranks = outranks or (old is not None and old.value != read.value and old.weak and not read.weak
                                and read.field not in PERSONAL_FIELDS)
        # a setting said again after the user revised the setup is the run's now
        outranks = outranks or (old is not None and old.value != read.value and read.revised and not old.revised
                                and read.field in REVISABLE_FIELDS and read.setup == old.setup)
        # `from_pretrained("Qwen/Qwen3-VL-235B-A22B-Instruct")` loads 235B, whatever the title calls "30B" (review 74 #22)
        outranks = outranks or (read.field == "params" and read.keyed and old is not None and not old.keyed
                                and old.value != read.value and read.setup == old.setup)
        # offloading to NVMe goes further than to the CPU: a message that names both went there when RAM ran short
        # ("ZeRO-offload needs 346GB of RAM … so I tried ZeRO-infinity to offload to nvme")
        outranks = outranks or (read.field == "offload" and read.value == "nvme" and old is not None
                                and old.value == "cpu" and read.setup == old.setup)
        # "transformers and PEFT to QLoRA a model": the library's adapters are LoRA until the kind is named; and a
        # "LoRA" title before "when I'm doing QLoRA finetune": QLoRA is LoRA on a 4-bit base, the more exact name
        outranks = outranks or (read.field == "adapter" and old is not None and read.setup == old.setup
                                and (old.text.lower() == "peft" or old.value == "lora" and read.value == "qlora"
                                     and not old.keyed and not read.planned and not self.in_question))
        # "the largest GPT-2, gpt2-xl": a size of the family named before, in the same run, names the model exactly;
        # "8 Nvidia V100 GPUs … an aws p3dn.24xlarge": so is the exact card of the family named before
        outranks = outranks or (read.field in ("model", "gpu_model") and old is not None
                                and isinstance(old.value, str) and isinstance(read.value, str)
                                and read.value.startswith(old.value + "-") and read.setup == old.setup
                                and rank(read) >= rank(old)
                                and (read.field == "gpu_model" or has_preset(read.value)))
        if old is None or finetune_wins or restated or outranks:
            if old is not None and old.value != read.value and len(self.conflicts) < 20:
                self.conflicts.append((old, read))
            if restated and read.field in ("batch", "micro_batch", "global_batch"):
                self.reference.setdefault("batch", replace(old, field="batch", setup="reference"))
            table[read.field] = read
        elif old.value == read.value and read.personal and not old.personal and read.setup == old.setup \
                and read.field in CARD_FIELDS:
            # "(Comment in the "MI100 performance" issue.) … I'm using a second-hand MI100": the card said again of
            # the user's own run is theirs, as said first
            table[read.field] = replace(old, personal=True)
        elif old.value != read.value and len(self.conflicts) < 20 and \
                not any(o is old and r.value == read.value for o, r in self.conflicts):
            self.conflicts.append((old, read))

    def on_several_gpus(self, text: str) -> None:
        """The user's run is on several GPUs whose number no count of theirs settles (counts compared, tried side by
        side or swept): the first words that say so are kept."""
        self.several_gpus, self.only_per_gpu = True, False
        self.several_gpus_text = self.several_gpus_text or text

    def ask_about(self, name: str, value: Any, text: str) -> None:
        """A setting a question weighs adopting ("would zero3 help?", "zero2 or fsdp?"): (field, value, words), each
        field once, at most MAX_ASKED."""
        if name in PLAN_SETTINGS and len(self.asked_settings) < MAX_ASKED \
                and all(n != name for n, _, _ in self.asked_settings):
            self.asked_settings.append((name, value, text))

    def get(self, name: str) -> Any:
        read = self.values.get(name)
        return None if read is None else read.value

    def summary(self) -> dict[str, Any]:
        return {k: r.value for k, r in self.values.items()}


CARD_FIELDS = frozenset({"gpu_model", "gpu_memory_gb", "gpu_memory_catalogue_bytes"})  # what naming a card reads


def usable_of(card: Read, said: Read) -> bool:
    """A size said a little under the card's catalogue size is what the card leaves usable ('RTX A5000 22GB',
    '2 GPUs, 15G each' of a 16 GB T4), not another card: the catalogue's nominal size stays."""
    return card.field == "gpu_memory_gb" and card.weak and 0.8 <= said.value / card.value <= 1.05


def rank(read: Read) -> int:
    """Which of two mentions of the user's hardware or batch describes the run asked about: one said of the user's
    own run ("on my A100") outranks one said in passing, and both outrank an earlier run that worked."""
    if read.field in ("model", "planned_steps", "epochs"):
        # `--model_name_or_path X` is the model the run loads, whatever the prose calls it; `num_iters = 500000` the
        # steps it runs, whatever "5000 iterations" timed; `--epochs 5` the epochs, whatever "not even 1 epoch" says
        return 3 if read.keyed else 0 if read.past or read.weak else 1
    if read.field == "num_gpus" and not PROCESS_WORDS.isdisjoint(read.text.lower().split()):
        return 3  # "8x H100, vLLM on one of them, so 7 training procs": the processes are the data-parallel degree
    return 0 if read.past or read.weak else 2 if read.personal else 1


# a transformer's shape: the sizes a config can give it (layers, width, feed-forward width, heads, vocabulary)
SHAPE_RANGES = {"n_layers": (1, 1000), "d_model": (16, 200_000), "d_ff": (16, 10**6), "n_heads": (1, 1024),
                "n_kv_heads": (1, 1024), "vocab": (2, 10**7)}


def fill(reading: Reading, name: str, scaled: float, unit: str, text: str, setup: str,
          qualified: bool = False, keyed: bool = False, mood: str = "", weak: bool = False) -> None:
    """Set a number read for a slot, when it can be one (a batch is a whole number from 1, a ZeRO stage 0-3, an LR
    under 10, …); out-of-range numbers are left unread."""
    whole = float(scaled).is_integer()
    if name in ("micro_batch", "global_batch", "batch", "grad_accum_steps", "num_gpus", "num_nodes", "lora_rank",
                "warmup_steps", "image_size", "gpus_per_node", "subdivisions", "num_generations", "planned_steps",
                "prompt_len", "completion_len", "source_len", "target_len", "rollout_prompts", "ppo_mini_prompts",
                "actor_gpus_per_node", "actor_nodes"):
        if not whole or scaled < (0 if name == "warmup_steps" else 1) or scaled > 10**7:  # `--warmup_steps 0` is said
            return
        if name == "num_gpus" and scaled > 100_000:
            return
        if name == "image_size" and scaled < 8:
            return  # "images of size (3, 224, 224)": the channels, no side of an image trained on
        reading.set(Read(name, int(scaled), text, setup, qualified=qualified, keyed=keyed, mood=mood, weak=weak))
    elif name in SHAPE_RANGES:  # a transformer's shape, only as a config key or a flag gives it
        low, high = SHAPE_RANGES[name]
        if whole and low <= scaled <= high and keyed and not unit:
            reading.set(Read(name, int(scaled), text, setup, keyed=True))
    elif name in ("tensor_parallel", "pipeline_parallel", "data_parallel", "sequence_parallel"):  # "tp=4", "PP 1"
        if whole and 1 <= scaled <= 100_000:
            reading.set(Read(name, int(scaled), text, setup))  # the degree: data parallel is what the rest leave
        if whole and scaled > 1 and name in ("tensor_parallel", "pipeline_parallel"):
            reading.set(Read("parallelism", "tensor" if name == "tensor_parallel" else "pipeline", text, setup))
    elif name == "precision_bits":  # `precision=16` is Lightning's mixed fp16, `precision=32` full fp32
        if scaled in (16, 32):
            reading.set(Read("precision", "amp_fp16" if scaled == 16 else "fp32", text, setup, keyed=True))
    elif name == "zero_stage":
        if scaled in (0, 1, 2, 3):
            reading.set(Read(name, int(scaled), text, setup, qualified=qualified, keyed=keyed, mood=mood, weak=weak))
    elif name == "seq_len":
        if unit == "k":
            scaled = round(scaled / 1000 * 1024)  # "2k context", "100k tokens": lengths count in 1,024s (2,048)
        if whole and 1 <= scaled <= 10**7 and unit in ("", "k"):
            reading.set(Read(name, int(scaled), text, setup, qualified=qualified, keyed=keyed, mood=mood, weak=weak))
    elif name == "lr":
        if 0 < scaled < 10:
            reading.set(Read(name, scaled, text, setup, qualified=qualified, keyed=keyed, mood=mood, weak=weak))
    elif name == "warmup_ratio":
        if 0 < scaled < 1:
            reading.set(Read(name, scaled, text, setup, qualified=qualified, keyed=keyed, mood=mood, weak=weak))
    elif name == "epochs":
        if 0 < scaled <= 10_000:
            reading.set(Read(name, scaled, text, setup, qualified=qualified, keyed=keyed, mood=mood, weak=weak))
    elif name == "dataset_size":
        if whole and scaled >= 10:
            reading.set(Read(name, int(scaled), text, setup, qualified=qualified, keyed=keyed, mood=mood, weak=weak))
    elif name in ("params", "trainable_params"):
        if unit in COUNT_UNITS or scaled >= 1e5:
            reading.set(Read(name, scaled, text, setup, qualified=qualified, keyed=keyed, mood=mood, weak=weak))
