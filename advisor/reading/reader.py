"""Reading a message the way engineers write it: which GPU and how many, which model, how it is trained, the
batches, the schedule, what changed, what a reference used, and what the user wants.

The reader works on tokens (`reading.tokens`), never on one regex per fact, clause by clause (`reading.clause`):
1. entities: GPUs (`reading.hardware`) and models (`reading.models`) named from the catalogues, token by token, and
   models the catalogue does not know named with a size or after a known family;
2. keywords: phrases such as "gradient checkpointing", "ZeRO-3", "8-bit Adam", "from scratch" set a field,
   unless a negation ("no", "without", "instead of", …) stands just before them;
3. numbers: each number (with the unit written next to it) fills the slot its nearest cue words name, looking a
   few words to the left ("batch size of 32", `per_device_train_batch_size=4`) and to the right ("4 per GPU",
   "3 epochs", "8 GPUs"), within its sentence;
4. setups: a sentence about a paper, a recipe, a default or an earlier run gives reference values, not the
   user's own; "from A to B", "reduced it to 8" and "doubled" give changes (`reading.batches`);
5. the goal, voted over whole sentences (`reading.goal`), and what the parts imply together (`_resolve`).
A second value for a field the reader already filled is kept as a conflict (with both texts), never an error
(`reading.state`). Every step is a single pass with bounded look-around, so the cost is linear in the message's
length. The vocabulary is data (`reading.cues`).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace

from advisor.reading import batches, failures, hardware, layouts, models, names
from advisor.reading.clause import (DOCUMENTS, QUOTES, Clause, Keys, TokenSpan, in_file_name, in_flag, in_title, negated,
                                    ok_said, segment_mood, setup_of)
from advisor.reading.cues import (BATCH_SPELLINGS, GPU_WORDS, PRETRAINING_DATA, REFERENCE_CUES, THIRD_PARTY, TRAINED_ON, COUNT_UNITS, FAIL_WORDS, FILLERS, FIRST_PERSON, LAUNCH_WORDS, MEMORY_UNITS, NEGATIONS,
                                  PAST_FIRST, PAST_RUN, PAST_RUN_PHRASES, PLANNING, SWITCHED, TIMES, cue_index)
from advisor.reading.goal import Sentence, asked_of, asks_how_it_was_trained, goal_of
from advisor.reading.per_gpu import listed_uses
from advisor.reading.phrases import PhraseIndex
from advisor.reading.state import BATCH_FIELDS, MACHINE_CARD_FIELDS, SHAPE_RANGES, Read, Reading, fill, rank
from advisor.reading.tokens import CONTRAST, WORD_NUMBERS, Token, clauses_and_sentences, tokenize

__all__ = ["Read", "Reading", "read"]


# preference and reinforcement-learning tuning: they start from a pretrained (usually an SFT) model, so nobody
# doing one trains from scratch (not a label of the message: the training method is implied, not said)
TUNING_METHODS = ("grpo", "ppo", "rlhf", "dpo", "orpo", "kto", "rloo", "simpo", "dapo", "gspo")
SCRIPT_TYPES = frozenset({"sh", "py", "yaml", "yml"})  # a script or a config named for a method: `train_grpo.sh`
GROUP_SAMPLING = {"dapo": "grpo", "gspo": "grpo"}  # GRPO's variants: prompts sampled in groups, a policy tuned
# … except PPO on a game or a simulator, which trains its policy from scratch ("ppo2 on Atari", "PPO in MuJoCo")
GAME_RL_WORDS = frozenset({"atari", "gym", "gymnasium", "mujoco", "cartpole", "baselines", "sb3", "rllib", "procgen",
                           "minigrid", "isaacgym", "timesteps", "pong", "breakout", "vizdoom", "metaworld"})

# a trainable-module pattern that every parameter's name matches (VideoX-Fun, EasyAnimate: `--trainable_modules "."`)
TRAIN_EVERY_MODULE = re.compile(r"--trainable_modules[= ]+[\"']?\.[\"']?(?=\s|$)")


# a UUID (8-4-4-4-12 hex digits), or a run of 16-64 hex digits holding a letter and a digit (a commit's hash): no
# number in it is a quantity (the lookbehind fails at once inside a run, so a scan stays linear)
HEX_ID = re.compile(r"(?<![0-9A-Za-z-])(?:[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}"
                    r"|(?=[0-9a-f]{0,63}[a-f])(?=[0-9a-f]{0,63}[0-9])[0-9a-f]{16,64})(?![0-9A-Za-z-])"
                    # a web address's fragment ("…-6bbb79981d7b#31b4" - review 86 #11: no model of 31.4B)
                    r"|(?<=[0-9a-z/])#[0-9a-z]{2,12}(?![0-9A-Za-z-])")


def read(message: str) -> Reading:
    """Read one message (at most reading.tokens.MAX_MESSAGE characters)."""
    from advisor.reading.tokens import MAX_MESSAGE, MAX_TOKENS

    truncated = len(message) > MAX_MESSAGE
    if "-" in message or "/" in message:
        # an attachment's UUID or a commit's hash ("…/assets/300012b4-e72d-4b6d-…") holds digit-letter runs that read
        # as sizes ("4b6" as 4.6B parameters): blanked, same length, so every span keeps its place
        message = HEX_ID.sub(lambda m: " " * len(m.group(0)), message[:MAX_MESSAGE])
    tokens = tokenize(message)
    reading = Reading(truncated=truncated or len(tokens) >= MAX_TOKENS)
    index = Keys(tokens)
    reading.deepspeed = "deepspeed" in index.words  # (a list's membership test runs in C)
    reading.xla_report = "hbm" in index.words and not XLA_REPORT_WORDS.isdisjoint(index.words)
    if "gpu" in index.words or "cuda" in index.words or "device" in index.words or "rank" in index.words:
        reading.listed_gpu_uses = listed_uses(message)
    unified = UNIFIED_MEMORY_WORDS.intersection(index.words)
    if not unified and "dgx" in index.words and "spark" in index.words:
        unified = {"spark"}  # (NVIDIA's DGX Spark: the GB10's memory is the host's)
    if not unified and "m" in index.words and (chip := _apple_chip(tokens, message)):
        unified = {chip}  # "M1 Pro 16GB", "an M2 Max" (review 72 #24): Apple silicon, split "m" "1" by the tokenizer
    reading.unified_memory = bool(unified)
    reading.unified_memory_text = min(unified) if unified else ""  # (a word of the message, for the fact's source)
    reading.rl_trainer, reading.rl_trainer_text = _rl_trainer(message, index.words)
    reading.arrows = ">" in message or "→" in message or "⟶" in message
    if "trainable_modules" in message:
        every = TRAIN_EVERY_MODULE.search(message[:MAX_MESSAGE])
        if every is not None:
            reading.full_training = every.group(0).strip()  # VideoX-Fun's `--trainable_modules "."`: every weight
    clauses, sentences = clauses_and_sentences(tokens)
    if "#" in message:
        reading.commented_out = _commented_out(tokens)
    quoting = '"' in message or "“" in message  # (a recipe may be quoted over several sentences: below)
    blockquoted = _blockquoted(tokens) if ">" in message else None
    reference_ended = False  # whether the clause before spoke of a reference setup to its end
    # a fenced block introduced by a reference's words ("You used 8xA100 80GB, accordingly your settings are:" and then
    # ```yaml … ```): 'next' when the clause before opened it, 'inside' until its closing fence
    reference_block = ""
    own_quote = False  # a markdown quote the user's own words introduce ("I trained with below configurations.")
    # each preference or RL method named (the first named first), with how often alone and inside a key
    method_mentions: dict[str, list[int]] = {}
    method_words: dict[str, str] = {}  # the first words that named each
    for n, (start, end) in enumerate(clauses):
        reading.sentence = n
        clause = Clause(tokens, start, end, message, index)
        present = clause.present
        if blockquoted is not None and start < end and not blockquoted[start]:
            own_quote = not FIRST_PERSON.isdisjoint(present) and not OWN_BLOCK_WORDS.isdisjoint(present)
        fence = _opens_with_fence(tokens, start, end)
        if reference_block == "next" and fence or reference_block == "inside":
            clause.reference_at = [True] * len(clause.words)
            reference_block = "" if reference_block == "inside" and fence else "inside"
        elif reference_block == "next":
            reference_block = ""
        if reference_ended and tokens[start].text.lower() in ("while", "whereas") and FIRST_PERSON.isdisjoint(present) \
                and THIRD_PARTY.isdisjoint(present) and REFERENCE_CUES.isdisjoint(present):
            # "the README's LoRA config shows 17.18 GB, while the full one (1x RTX 4090) shows 14.97 GB": two of the
            # source's figures set side by side, with no word of the user's (not "…, but on my 4 2080s it fails")
            # nor of another source ("the paper's batch is 1024, while in the config file it is 64")
            clause.reference_at = [True] * len(clause.words)
        if blockquoted is not None and start < end and blockquoted[start] and blockquoted[end - 1] and not own_quote:
            # "> **Important**: The default learning rate in config files is for 4 GPUs and 2 img/gpu": a markdown
            # quote of the docs or of another comment - their setup, not the user's
            clause.reference_at = [True] * len(clause.words)
        if start > 0 and tokens[start - 1].text == "#" or tokens[start].text == "#":
            if _recipes_comment(tokens, start, present):
                # "# Config for 16 nodes of 8 H100s with FSDP1" atop a pasted recipe: the recipe's setup, not the
                # user's ("… in the recipe with a single node and got OOM")
                clause.reference_at = [True] * len(clause.words)
        reference_ended = bool(clause.reference_at) and clause.reference_at[-1]
        if not reference_block and tokens[end - 1].text == ":" and (
                reference_ended and not present.isdisjoint(BLOCK_SOURCES)
                or not present.isdisjoint(SOURCE_VERBS) and not present.isdisjoint(SOURCE_NOUNS)):
            # ("… your settings are:" then a fenced block: the source's settings; "the text says that :" then the
            # model zoo's note - review 55 #9)
            reference_block = "next"
        question = end < len(tokens) and tokens[end].text == "?"
        reading.in_question = question
        semantics = question and "or" in present and present & {"per", "each"} and present & {"total", "across", "global", "all"}
        if semantics:
            reading.asks_per_device = True  # "is that per GPU or across GPUs?"
        if reading.finetune_evidence is None:
            reading.finetune_evidence = _first_phrase(clause, cue_index("finetune"), unless_negated=True)
            if reading.scratch_evidence is None and reading.finetune_evidence is None \
                    and not present.isdisjoint(PRETRAINED_WORDS):
                reading.scratch_evidence = _without_pretrained(clause)
        # (isdisjoint: per clause, a test that builds no set)
        if reading.scratch_evidence is None and not present.isdisjoint(PRETRAINING_DATA):
            reading.scratch_evidence = _trained_on_corpus(clause)
        if reading.scratch_evidence is None and not present.isdisjoint(SHAPE_KEYS):
            reading.scratch_evidence = _defined_by_shape(clause)
        if reading.launcher is None and not present.isdisjoint(LAUNCH_WORDS) \
                and not any(a <= clause.start < b for a, b in reading.commented_out):
            reading.launcher = _first_phrase(clause, cue_index("launchers"))
        if reading.plain_python is None and "py" in present and ("python" in present or "run" in present):
            reading.plain_python = _plain_python(clause)
        if reading.spawning_script is None and "train" in present and "net" in present and "gpus" in present:
            reading.spawning_script = _spawning_script(clause)
        if reading.spawning_script is None and ("spawn" in present or "multiprocessing" in present):
            reading.spawning_script = _spawned_processes(clause)
        if reading.spawning_script is None and "fairseq" in present:
            # fairseq's train.py (fairseq-train) starts a process per visible GPU itself, its
            # --distributed-world-size defaulting to them (review 81 #29: no plain python's DataParallel)
            k = clause.words.index("fairseq")
            reading.spawning_script = clause.text(clause.keys[k], clause.keys[k])
        if reading.plain_python is None and "xtuner" in present and "train" in present \
                and present.isdisjoint(("launcher", "nproc", "nproc_per_node")):
            # `xtuner train config.py` starts one process unless NPROC_PER_NODE is set before it (torchrun
            # underneath), or a --launcher (slurm, pytorch) starts its ranks
            k = clause.words.index("xtuner")
            if clause.words[k + 1:k + 2] == ["train"]:
                reading.plain_python = clause.text(clause.keys[k], clause.keys[k + 1])
        # "what if I have 4 GPUs?", "would batch 8 be faster?": a case supposed, not the run
        reading.in_hypothetical_clause = question and (clause.words[:2] == ["what", "if"]
                                                       or clause.words[:1] in (["suppose"], ["supposing"])
                                                       or clause.words[:1] == ["would"]
                                                       and clause.words[1:2] in SUPPOSED_BATCHES
                                                       or _asks_meaning(clause) or _asks_a_speedup(clause)) \
            or _means_when(clause)
        personal_words = present
        if reading.in_reference_quote:  # the recipe's quoted words go on, up to the quote that closes them
            quotes = [t for t in range(start, end) if tokens[t].text in QUOTES]
            quoted = bisect_left(clause.keys, quotes[0]) if quotes else len(clause.words)
            own = clause.reference_at or [False] * len(clause.words)  # (after the quote, the clause's own cues)
            clause.reference_at = [True] * quoted + own[quoted:]
            personal_words = set(clause.words[quoted:])  # (the quote's 'we' is the recipe's)
            reading.in_reference_quote = not quotes
        elif quoting and clause.reference_at and clause.reference_at[-1] \
                and sum(tokens[t].text in QUOTES for t in range(start, end)) % 2:
            reading.in_reference_quote = True  # 'The paper says: "All the experiments are …' (opened, not closed)
        if not reading.revised and not present.isdisjoint(REVISION_WORDS) and _revises_the_setup(clause):
            reading.revised = True  # "I later changed it to:": what follows is the run now
        reading.in_personal_sentence = not FIRST_PERSON.isdisjoint(personal_words)
        reading.in_planning_sentence = question or _plans(clause)  # "so is batch 8 right?"
        if question and (any(clause.words[k:k + 2] in ASKED_OF_SOURCE for k in range(min(3, len(clause.words))))
                         or not reading.in_personal_sentence and asks_how_it_was_trained(clause.words)):
            # "Did you use LoRA/PEFT for this SFT?"; "So SwinTransformer was really trained on 64 gpus?" (review 70
            # #11): what the source's run was, no plan of the user's
            reading.asked_of_source.add(reading.sentence)
        mood = _mood(clause)
        if not present.isdisjoint(EVALUATING):
            reading.evaluation_clauses.add(n)
        if mood == "fail" and "still" in present and n and tokens[start].text.lower() in CONTRAST:
            # "I set the batch to 1, however it still runs out of memory": the batch of the clause before fails too
            for m in reading.batch_mentions:
                if m.sentence == n - 1 and not m.mood:
                    m.mood = "fail"
        # "a month ago I trained one on a 4080 and it worked": a run that worked some time ago is an earlier run
        reading.in_past_clause = _past_run(clause.words, present) or ("ago" in present and mood == "ok")
        reading.in_third_party_clause = not reading.in_personal_sentence and _speaks_of_third_party(clause)
        if not semantics and not (question and _asks_of_the_method(clause.words)) \
                and (several := hardware.speaks_of_several_gpus(clause)):
            # (not "does the method rely on multi-GPU for stability?": a question of what the method needs)
            # (a question of what "per GPU or over all GPUs" means counts no GPUs)
            reading.several_gpus = True
            reading.only_per_gpu = reading.only_per_gpu and several == "per"
            if several != "per" and not reading.several_gpus_text:
                reading.several_gpus_text = clause.text(clause.start, clause.end - 1)
        if not reading.swift_cli and "swift" in present:
            at = clause.words.index("swift")
            if clause.words[at + 1:at + 2] in (["sft"], ["pt"], ["rlhf"], ["train"]):
                reading.swift_cli = clause.text(clause.keys[at], clause.keys[at + 1])  # ms-swift's command line
        if not reading.same_hardware and not SAME_HARDWARE_NOUNS.isdisjoint(present):
            said = " ".join(clause.words)
            reading.same_hardware = any(phrase in said for phrase in SAME_HARDWARE)
        if not reading.several_machines_text and _several_nodes(clause.words):
            reading.several_machines_text = clause.text(clause.start, clause.end - 1)  # "with multiple nodes"
        reading.clause_mood = mood
        if not present.isdisjoint(TUNING_METHODS):  # (the clause's set: no scan of the words unless one is there)
            for k, word in enumerate(clause.words):
                if word in TUNING_METHODS:
                    method = GROUP_SAMPLING.get(word, word)
                    # (a word of its own counts, and a script named for it - `train_grpo.sh`, `train_dpo.py`; a part
                    # of a key - verl's `ppo_mini_batch_size`, `main_ppo` - only names the method where nothing else
                    # does)
                    at = clause.keys[k]
                    alone = clause.tokens[at].text.lower() == word or at + 2 < len(clause.tokens) \
                        and clause.tokens[at + 1].text == "." and clause.tokens[at + 2].text.lower() in SCRIPT_TYPES
                    method_mentions.setdefault(method, [0, 0])[0 if alone else 1] += 1
                    method_words.setdefault(method, clause.tokens[at].text)
        hardware.listed_devices(clause, reading)
        hardware.gpu_names(clause, reading)
        hardware.unknown_cards(clause, reading)
        if "many" in present and "how" in present and hardware.asks_how_many_gpus(clause):
            # "how many H100s do I need?": no one-GPU run whose batch is the whole
            reading.several_gpus, reading.only_per_gpu = True, False
        models.catalogue_models(clause, reading)
        if not _xla_memory_report(clause, reading):  # (XLA's "global 241.0K, scoped 9.56M": sizes in bytes, no model's)
            models.sized_names(clause, reading)
        models.family_names(clause, reading)
        models.unlisted_names(clause, reading)
        models.context_after_name(clause, reading)
        hardware.single_gpu(clause, reading)
        hardware.one_gpu_used(clause, reading)
        _keywords(clause, reading)
        failures.memory_failure(clause, reading)
        hardware.device_ids(clause, reading)
        batches.formulas(clause, reading)
        if "*" in clause.present or "x" in clause.present or "×" in clause.present:
            batches.batch_products(clause, reading)
        batches.respective_pairs(clause, reading)
        batches.sequence_batches(clause, reading)
        batches.gpu_products(clause, reading)
        layouts.layouts(clause, reading, _equivalence_asked(clause))
        _numbers(clause, reading)
        layouts.accumulation_splits(clause, reading)
        batches.changes(clause, reading)
        _machine_label(clause, reading)
    reading.in_personal_sentence = reading.in_hypothetical_clause = reading.in_question = False
    if method_mentions:
        # the method named most as a word of its own, the first of a tie: "does it support PPO or DPO? … 34B llama DPO
        # on 8*A100" is a DPO run (review 89 #7); "The GRPO settings … `ppo_mini_batch_size=256`" a GRPO one
        reading.tuning_method = max(method_mentions, key=method_mentions.__getitem__)
        reading.tuning_method_text = method_words[reading.tuning_method]
    if reading.tuning_method == "ppo" and not GAME_RL_WORDS.isdisjoint(index.words):
        # (classic RL: no pretrained model, and none of an LLM's PPO memory)
        reading.tuning_method = reading.tuning_method_text = ""
    if "estimator" in message and reading.tuning_method in ("ppo", "grpo", "rloo", ""):
        _advantage_estimator(message[:MAX_MESSAGE], reading)
    if reading.platform is not None:  # (only a notebook platform asks: "Colab TPU v2" has no GPU)
        reading.tpu = not TPU_WORDS.isdisjoint(index.words)  # ("TPUv3" is the keys 'tpuv', '3')
    micro = reading.values.get("micro_batch")
    if micro is not None and "per_device" in micro.text.lower():  # (the Trainer's optimizer is AdamW unless said)
        reading.hf_trainer = micro.text
    elif not HF_TRAINER_WORDS.isdisjoint(index.words):
        reading.hf_trainer = next(w for w in index.words if w in HF_TRAINER_WORDS)
    elif _hf_trainer_named(index.words):
        reading.hf_trainer = "Trainer"  # "with the HF Trainer", "Hugging Face's Trainer", "the transformers Trainer"
    _goal(tokens, sentences, message, reading, index)
    if "num_gpus" not in reading.values and "device" in index.words:
        _gpus_from_device_indices(reading, tokens)
    reading.one_card_multiplied = ("x1" in message or "1x" in message or "×1" in message or "1×" in message) \
        and ONE_CARD_MULTIPLIED.search(message[:MAX_MESSAGE]) is not None
    if "launch.py:" in message and "parallelism" not in reading.values and not reading.deepspeed:
        _deepspeed_launcher_log(message[:MAX_MESSAGE], reading)
    _resolve(reading)
    _stack_before_sdpa(message, reading)
    _shape(reading, index.words, message)
    _lora_switches(reading, message)
    _lora_projection_list(reading, message)
    micro = reading.values.get("micro_batch")
    if micro is not None and micro.keyed and "grad_accum_steps" not in reading.values \
            and "global_batch" not in reading.values and "ultralytics" not in reading.values:
        # (a global batch beside it implies the accumulation: 128 at micro 1 on 8 GPUs is 16 steps)
        reading.accumulation_unset = _settings_pasted(message) >= SETTINGS_PASTED \
            and not ACCUMULATION_NAMED.search(message)
    optimizer = reading.values.get("optimizer")
    if optimizer is not None and optimizer.value == "sgd" and "momentum" in index.words:
        _sgd_momentum(index, reading, optimizer)
    return reading


# verl's `algorithm.adv_estimator=grpo` and OpenRLHF's `--advantage_estimator group_norm`: the method the run is,
# whatever its entry point is called (verl starts every algorithm from `verl.trainer.main_ppo`, review 89 #3)
ADVANTAGE_ESTIMATOR = re.compile(r"(?i)\badv(?:antage)?_estimator[\"']?[ \t]{0,3}[=:]?[ \t]{0,3}[\"']?"
                                 r"([a-z][a-z_+]{1,30})")
# the estimators whose run has a critic (GAE: PPO's value model) or samples each prompt in a group without one
ESTIMATOR_METHODS = {"gae": "ppo", "grpo": "grpo", "grpo_passk": "grpo", "drgrpo": "grpo", "group_norm": "grpo",
                     "gspo": "grpo", "dapo": "grpo", "rloo": "rloo"}


def _advantage_estimator(message: str, reading: Reading) -> None:
    """The method the trainer's advantage estimator names, over the words that named one (an unknown estimator
    leaves them)."""
    found = ADVANTAGE_ESTIMATOR.search(message)
    if found is not None and (method := ESTIMATOR_METHODS.get(found.group(1).lower())) is not None:
        reading.tuning_method, reading.tuning_method_text = method, found.group(0)


# "A100 x1", "4090 x1", "1x A100", "1×H100" (not a product, "2x1", nor a hex "0x1")
ONE_CARD_MULTIPLIED = re.compile(r"(?i)\b(?:[a-z]{1,4}\d{2,4}|\d{4})\s?[x×]\s?1\b|\b1\s?[x×]\s?(?:[a-z]{1,4}\d{2,4}|rtx|gtx|\d{4})")


# DeepSpeed's launcher logs as "[2023-04-04 17:43:59,766] [INFO] [launch.py:318:sigkill_handler] Killing subprocess"
# (its logger's "[levelname] [file:line:function]" format, which torch.distributed's launcher does not print)
DEEPSPEED_LAUNCHER_LOG = re.compile(r"\[(?:INFO|WARNING|ERROR)\] \[launch\.py:\d{1,5}:\w{1,40}\]")


def _deepspeed_launcher_log(message: str, reading: Reading) -> None:
    """A log of DeepSpeed's launcher pasted with no DeepSpeed named (review 78 #23): the run is DeepSpeed's, its
    ZeRO stage unsaid."""
    found = DEEPSPEED_LAUNCHER_LOG.search(message)
    if found is not None:
        reading.deepspeed = True
        reading.set(Read("parallelism", "zero", found.group(0), "user", weak=True))


# a config file or a launch command pasted whole: its settings as `key = value`, `snake_key: value` (YAML, JSON) or
# flags (`--lr 2e-5`); four or more say the user showed the run's settings, not picked a few. (Not by lines: a
# launch command is often pasted as one.)
SETTING = re.compile(r'(?<![\w.\-])(?:[A-Za-z][\w.\-]{0,40}[ \t]*=(?!=)|[A-Za-z]\w{0,20}[_.][\w.]{1,30}["\']?[ \t]*:(?![/:])'
                     r'|--[A-Za-z][\w\-]{1,40})')
SETTINGS_PASTED = 4
# what names accumulation in any framework's settings: `gradient_accumulation_steps`, `GRADIENT_ACC`, Lightning's
# `accumulate_grad_batches`, Caffe's `iter_size`, fairseq's `--update-freq`, Darknet's `subdivisions`, "GA 8"
ACCUMULATION_NAMED = re.compile(r'(?i)accum|grad(?:ient)?[_ -]?acc|subdivisions|iter_size|update[_-]freq|\bgas?\b')


def _settings_pasted(message: str) -> int:
    """How many settings the message pastes (it stops counting at SETTINGS_PASTED)."""
    count = 0
    for _ in SETTING.finditer(message):
        count += 1
        if count >= SETTINGS_PASTED:
            break
    return count


# a stack older than SDPA: PyTorch before 2.0 has no scaled_dot_product_attention, and Transformers before 4.36 did
# not use it by default (nor did pytorch-transformers or pytorch-pretrained-bert): attention there is eager, storing
# its score matrices ("transformers 4.3.3, PyTorch 1.6.0"). Bounded: each alternative is a fixed shape, no backtracking.
BEFORE_SDPA = re.compile(
    r'(?i)\b(?:py)?torch\s{0,3}(?:version\s|==|=|v)?\s{0,3}1\.\d{1,2}(?:\.\d{1,3})?\b(?!\.\d)'
    r'|\btransformers\s{0,3}(?:version\s|==|=|v)?\s{0,3}(?:4\.(?:[0-9]|[12][0-9]|3[0-5])|[23]\.\d{1,2})(?:\.\d{1,3})?\b(?!\.\d)'
    r'|\bpytorch[-_](?:transformers|pretrained[-_]bert)\b')


TRANSFORMER_HINTS = ("transformer", "attention", "bert", "gpt", "llama", "t5", "vit", "llm", "token")
CNN_HINTS = ("resnet", "cnn", "conv", "yolo", "efficientnet", "vgg", "unet", "u-net", "mobilenet", "densenet", "moco",
             "simclr", "detectron", "mmdet")


def _stack_before_sdpa(message: str, reading: Reading) -> None:
    """The attention a stack older than SDPA runs, when the message names none: eager (implied)."""
    low = message.lower()
    if "attention" in reading.values or ("torch" not in low and "transformers" not in low):
        return  # (the names said or not, before the pattern scans the whole message)
    if any(hint in low for hint in CNN_HINTS) and not any(hint in low for hint in TRANSFORMER_HINTS):
        return  # (a CNN's run on PyTorch 1.7 - MoCo's ResNet, review 75 #17 - has no attention to run eagerly)
    found = BEFORE_SDPA.search(message)
    if found is not None:
        reading.values["attention_default"] = Read("attention_default", "eager", found.group(0), implied=True)


def _sgd_momentum(index: Keys, reading: Reading, optimizer: Read) -> None:
    """`torch.optim.SGD(params, lr=0.1, momentum=0.9)`, "SGD ... momentum 0.9": SGD with a momentum buffer (one
    more state per weight), unless the momentum said is 0."""
    words = index.words
    for k, w in enumerate(words):
        if w == "momentum" and not (k + 1 < len(words) and words[k + 1] in ("0", "0.0", "0.")):
            reading.values["optimizer"] = replace(optimizer, value="sgd_momentum")
            return


# what a version number follows ("Ubuntu 20, GPU NVIDIA …" counts no GPUs)
VERSIONED = frozenset({"ubuntu", "centos", "debian", "windows", "win", "macos", "cuda", "cudnn", "nccl", "rocm",
                       "python", "pytorch", "torch", "driver", "jetpack", "version"})
# a batch measured in time ("a batch of 350 seconds of audio"): no count of samples
DURATION_WORDS = frozenset({"seconds", "second", "secs", "sec", "minutes", "mins", "hours"})
GLUED_DEGREES = frozenset({"tp", "pp", "dp", "cp"})  # "TP8 PP8 DP2", "CP8": Megatron's degrees, written glued
GLUED_BATCHES = frozenset({"bs", "bsz"})  # "the lr is set to 0.003 for bs4096" (review 85 #30): a batch, written glued
# "after 200 steps", "every 500 steps": a point in a run, not the steps it is set to take
POINT_IN_RUN = frozenset({"after", "at", "every", "each", "first", "last", "around", "within", "by", "until", "till"})
# words that round a point in the run without moving it ("after more than 8000 iterations", "after about 500 steps")
ABOUT_WORDS = frozenset({"more", "less", "than", "about", "over", "roughly", "nearly", "almost", "approximately", "~"})


def _point_in_run(words: list[str], k: int) -> bool:
    """Whether the number at key k is a point in the run ("after 200 steps", "after more than 8000 iterations", the
    second of "at 32k and 48k iterations"), not where the run is said to end ("terminate training at 64k iterations"
    is its length - review 71 #3)."""
    j = k - 1
    while j >= 0 and k - j <= 3 and words[j] in ABOUT_WORDS:
        j -= 1
    if j >= 0 and words[j] == "at" and not RUN_ENDS.isdisjoint(words[max(0, j - 3):j]):
        return False
    if j >= 2 and words[j] in ("and", "or") and words[j - 1] in ("k", "m") and words[j - 2].isdigit():
        return _point_in_run(words, j - 2)  # "at 32k and 48k"
    if j >= 1 and words[j] in ("and", "or") and words[j - 1].isdigit():
        return _point_in_run(words, j - 1)  # "at 32000 and 48000"
    return j >= 0 and words[j] in POINT_IN_RUN


REMAINDER_WORDS = frozenset({"last", "remaining", "leftover", "extra", "odd"})  # ("drop the last 72 images")
RUN_ENDS = frozenset({"terminate", "terminates", "terminated", "stop", "stops", "stopped", "end", "ends", "ended",
                      "finish", "finishes", "finished"})

# "a 20k-image subset of ImageNet": not the named data set's own size
SUBSET_WORDS = frozenset({"subset", "subsets", "portion", "fraction", "part", "sample", "sampled", "%"})
FORMAT_WORDS = frozenset({"format", "formatted", "style", "like", "custom"})  # (a data set named as a format)

# "is 8 per device going to OOM?", "will batch 16 run out of memory?": an OOM foreseen in a question, not seen
FORESEEING = frozenset({"going", "gonna", "will", "would"})


def _predicted(clause: Clause, k: int) -> bool:
    """Whether the OOM at key k is one a question foresees (not "why …"): 'will', 'would', 'going to' or 'gonna'
    within the four words before it, in a clause that ends with '?' or in a part that opens like a question ("…, is
    8 per device going to OOM")."""
    words = clause.words
    if "why" in clause.present or FORESEEING.isdisjoint(words[max(0, k - 5):k]):
        return False
    if clause.end < len(clause.tokens) and clause.tokens[clause.end].text == "?":
        return True
    if "if" in words[max(0, k - 12):k]:
        return True  # "if gradient_accumulation_steps is set too large it will OOM": a condition foreseen
    for j in range(max(0, k - 8), k):  # an auxiliary that opens the clause, or a part after ',' or 'and'
        t = clause.keys[j]
        if words[j] in QUESTION_OPENERS and (t == clause.start or clause.tokens[t - 1].text in (",", "and", "so")):
            return True
    return False



# what says a setting was changed to ("so I switched to LoRA and it works": LoRA is the run now)
# settings a switch said in words sets ("switched to the much smaller 1.3B model": the model and its size too)
# (the adapter too: "I just changed qlora to lora")
SWITCHABLE = frozenset({"precision", "optimizer", "attention", "model", "params", "adapter"})
SWITCHES = (["use"], ["enable"], ["enabled"])  # a key's first part that turns on what follows (`use_fp16`)
SWITCH_ENDINGS = frozenset({"run", "training", "mode", "enabled"})  # … or its last part (Tacotron 2's `fp16_run`)
# "would batch 8 be faster?", "would micro 2 help throughput?": the batch a question supposes
SUPPOSED_BATCHES = (["batch"], ["bs"], ["batchsize"], ["micro"], ["microbatch"], ["mbs"], ["per"])
TPU_WORDS = frozenset({"tpu", "tpus", "tpuv"})
# Hugging Face's Trainer and TRL's trainers, named ("SFTTrainer", "TrainingArguments")
HF_NAMES = frozenset({"hf", "huggingface", "hugging", "face", "transformers"})  # … the Trainer said in prose


def _hf_trainer_named(words: list[str]) -> bool:
    """'the HF Trainer', "Hugging Face's Trainer": the word Trainer right after Hugging Face's name (not Lightning's
    Trainer in a message that also names transformers)."""
    return "trainer" in words and any(w == "trainer" and not HF_NAMES.isdisjoint(words[max(0, i - 3):i])
                                      for i, w in enumerate(words))
HF_TRAINER_WORDS = frozenset({"trainingarguments", "sfttrainer", "sftconfig", "dpotrainer", "dpoconfig", "grpotrainer",
                              "grpoconfig", "seq2seqtrainer", "seq2seqtrainingarguments", "orpotrainer", "ktotrainer"})


ASKED_OF_METHOD = frozenset({"method", "approach", "algorithm", "technique"})


def _asks_of_the_method(words: list[str]) -> bool:
    """'Does the method rely critically on multi-GPU for stability?': a question of what the method needs, whose
    GPUs are no run's (the numbering of a list of questions before it is skipped)."""
    words = [w for w in words[:6] if not w.isdigit()]
    return words[:1] in (["does"], ["do"], ["is"], ["would"]) and words[1:2] == ["the"] \
        and words[2:3] != [] and words[2] in ASKED_OF_METHOD


RECIPE_COMMENT_WORDS = frozenset({"config", "configuration", "recipe", "setup"})


def _recipes_comment(tokens: list[Token], start: int, present: set[str]) -> bool:
    """Whether the clause at `start` is a comment line of a pasted config that describes the recipe's hardware ("#
    Config for 16 nodes of 8 H100s with FSDP1"): '#' opening the line, a config's word and 'for'."""
    hash_at = start if tokens[start].text == "#" else start - 1
    return (hash_at == 0 or tokens[hash_at - 1].kind == "nl") and "for" in present \
        and not RECIPE_COMMENT_WORDS.isdisjoint(present)


MOST_LISTED_DEVICES = 15  # device indices a log lists on one machine


def _gpus_from_device_indices(reading: Reading, tokens: list[Token]) -> None:
    """'Using CUDA device0 _CudaDeviceProperties(name='GeForce RTX 2080 Ti') device1 … device7' (review 49 #12): a log
    that lists its devices from 0 (the word and its index glued) counts them, where the message counts no GPUs."""
    indices: set[int] = set()
    for t in range(1, len(tokens)):
        tok, before = tokens[t], tokens[t - 1]
        if tok.is_num and not tok.space_before and before.text == "device" and tok.text.isdigit():
            indices.add(int(tok.text))
            if len(indices) > MOST_LISTED_DEVICES:
                return
    if 0 in indices and len(indices) >= 2 and max(indices) <= MOST_LISTED_DEVICES:
        reading.set(Read("num_gpus", max(indices) + 1, f"device0 … device{max(indices)}", weak=True))


def _rl_trainer(message: str, words: list[str]) -> tuple[str, str]:
    """verl or OpenRLHF, named or known by their own keys, and the word that tells: both count their batches in
    prompts where other trainers count samples (verl's `data.train_batch_size` is the prompts of a step, OpenRLHF's
    `rollout_batch_size` too)."""
    for trainer, name, keys in RL_TRAINERS:
        if name in words:
            return trainer, name
        for key in keys:
            if key in message:
                return trainer, key
    return "", ""


RL_TRAINERS = (("verl", "verl", ("actor_rollout_ref", "ppo_mini_batch_size", "data.train_batch_size",
                                  "algorithm.adv_estimator", "data.max_response_length")),
               ("openrlhf", "openrlhf", ("micro_train_batch_size", "n_samples_per_prompt", "micro_rollout_batch_size")))


# settings a conditional switches on ("if I turn on offload …", "if I enable gradient checkpointing it fits"): a case
# supposed, not the run's
SUPPOSED_SETTINGS = frozenset({"offload", "grad_checkpointing", "zero_stage", "parallelism", "adapter", "attention"})
IF_WORDS = frozenset({"if", "when", "once"})
FAILURE_HINTS = frozenset({"killed", "out", "error", "errors", "crash", "crashes", "crashed", "fails", "failed", "oom",
                           "ooms", "exception"})
SWITCH_VERBS = frozenset({"turn", "enable", "activate", "use", "add", "switch", "try", "set"})


def _switched_on_if(words: list[str], k: int) -> bool:
    """A keyword right after 'if I turn on / enable / use / switch to' (within five words of the 'if')."""
    before = words[max(0, k - 6):k]
    for j, w in enumerate(before):
        if w in IF_WORDS and before[j + 1:j + 2] in (["i"], ["we"]) and not SWITCH_VERBS.isdisjoint(before[j + 2:j + 4]):
            return True
    return False


FEARED = frozenset({"would", "wouldn", "wouldnt", "will", "won", "wont", "might"})  # modals of a failure supposed
AVOIDED = frozenset({"avoid", "avoiding", "prevent", "preventing", "avoids", "prevents"})  # a failure kept off


def _if_you(words: list[str], k: int) -> bool:
    """'if you run out of memory', 'if one gets OOM': a case put to the reader of a note or a README (within four
    words before the keyword)."""
    before = words[max(0, k - 4):k]
    return any(w == "if" and before[j + 1:j + 2] in (["you"], ["one"]) for j, w in enumerate(before))


SPEED_ASKED = frozenset({"faster", "quicker", "slower", "speedup"})


def _asks_a_speedup(clause: Clause) -> bool:
    """'How much faster will I converge with 8 GPUs?', 'Would it be faster with 8 GPUs?': the speed of a case
    supposed, whose GPUs are not the run's (called on questions only)."""
    words = clause.words
    if SPEED_ASKED.isdisjoint(clause.present):
        return False
    return words[:1] == ["would"] or (words[:1] == ["how"] and not clause.present.isdisjoint({"will", "would"}))


def _asks_meaning(clause: Clause) -> bool:
    """'what does "8x2" in the config names mean — 8 GPUs on 2 nodes, i.e. 16 GPUs and batch 32?': the numbers of a
    question about what a name means are the user's guesses at it, not their run."""
    words = clause.words
    return "mean" in clause.present and any(words[k] == "what" and words[k + 1] in ("does", "do")
                                            for k in range(min(len(words) - 1, 4)))


def _means_when(clause: Clause) -> bool:
    """'Does it mean that when I use two GPUs the batch size is set to 8?', "是都意味着我用两张显卡训练的时候batchsize自动设置成8"
    (review 73 #30): what a setting would do in a case the user supposes, not their run."""
    words = clause.words
    if "mean" not in clause.present and "means" not in clause.present:
        return False
    at = next(k for k, w in enumerate(words) if w in ("mean", "means"))
    # (not 'if': "Does that mean if I go from 4 to 8 GPUs I only need to change samples_per_gpu?" is the user's plan;
    # and the clause must open with the question: "I now have 2x 3090s 24GB, does that mean when people post GPU
    # requirements my limit is 48GB?" has the user's own cards before it - review 90 #27)
    return at <= MEANS_OPENS and "when" in words[at + 1:]


MEANS_OPENS = 4  # "does it mean", "so does that mean": the words a clause's question opens with


def _images_of_a_size(clause: Clause, noun: int) -> bool:
    """'16 images of 1024x1024': images said with their size are the ones a step holds, not a data set."""
    words = clause.words
    return words[noun + 1:noun + 2] == ["of"] and noun + 2 < len(words) and _square(clause, noun + 2)


REVISION_WORDS = frozenset({"later"})
REVISING_VERBS = frozenset({"changed", "switched", "modified", "updated", "set", "moved"})


def _revises_the_setup(clause: Clause) -> bool:
    """Whether the clause revises the setup said before: "I later changed it to:" ("后来改成了"), "later switched to" -
    not "later in training", nor a note's "Update: … I was able to train with 16", which reports what then ran."""
    words = clause.words
    return any(w == "later" and not REVISING_VERBS.isdisjoint(words[k + 1:k + 3]) for k, w in enumerate(words[:12]))


def _square(clause: Clause, k: int) -> bool:
    """'800x800', '1024*1024', '512 x 512', '224 by 224', '1024^2': an image's side, said twice or squared (8x8 GPUs
    is a count: too small a side)."""
    words = clause.words
    t = clause.keys[k]
    if t + 2 < clause.end and clause.tokens[t + 1].text == "^" and clause.tokens[t + 2].text == "2" \
            and not clause.tokens[t + 1].space_before and not clause.tokens[t + 2].space_before:
        # "1024^2 images", "训练图像是1024^2大小": the side squared (review 77 #18)
        value = clause.tokens[t].value
        return value is not None and 28 <= value <= 16384
    if k + 2 >= len(words) or words[k + 1] not in ("x", "*", "by") or words[k + 2] != words[k]:
        return False
    tok = clause.tokens[t]
    after = clause.words[k + 3] if k + 3 < len(clause.words) else ""
    if after in ("x", "*") or (t - 2 >= clause.start and clause.tokens[t - 1].text in ("x", "*")
                               and clause.tokens[t - 2].is_num):
        return False  # "512x512x512", "65x512x512": a volume or a clip, not an image's side
    # (MNIST's 28x28 up; not "2048*2048 matrices", a GEMM's shape)
    return tok.value is not None and 28 <= tok.value <= 16384 and after not in GPU_WORDS and after not in MATRIX_WORDS


MATRIX_WORDS = frozenset({"matrix", "matrices", "matmul", "matmuls", "gemm", "gemms", "tensor", "tensors"})


SHAPE_WORDS = frozenset({"shape", "shapes"})
SHAPE_NAMES = SHAPE_WORDS | {"size"}  # (torch.Size's key is 'size')


def _in_shape(clause: Clause, t: int) -> bool:
    """Whether the number at token t stands inside a tensor's shape: 'shape[32,35,35,320]', 'torch.Size([8, 4096])',
    'lhs_shape=(1, 8, 2176)' (an opening bracket after a shape word, with no closing one before the number)."""
    tokens = clause.tokens
    if t == clause.start or tokens[t - 1].text not in ("[", "(", ",") or not clause.present & SHAPE_NAMES:
        return False  # (a dimension follows a bracket or a comma: the cheap test first)
    for u in range(t - 1, max(clause.start, t - 24) - 1, -1):
        text = tokens[u].text
        if text in (")", "]"):
            return False
        if text in ("(", "["):
            v = u - 1
            while v >= clause.start and tokens[v].text in ("(", "[", "="):
                v -= 1
            if v >= clause.start and tokens[v].kind == "word" and (tokens[v].text.split("_")[-1] in SHAPE_WORDS or (
                    tokens[v].text == "size" and v - 2 >= clause.start and tokens[v - 2].text == "torch")):
                return True  # (not "image size (512, 512)" nor "batch size (128)": only torch.Size is a shape)
    return False


XLA_REPORT_WORDS = frozenset({"hlo", "scoped", "program", "usage", "used", "requirement"})


# an Apple machine, whose RAM is also its GPU's memory ("my M2 ULTRA 64GB … RAM Usage: 55.8/64.0GB")
UNIFIED_MEMORY_WORDS = frozenset({"m1", "m2", "m3", "m4", "mps", "macbook", "mac", "apple", "mlx", "unified", "gb10",
                                  "jetson", "orin"})  # (a Jetson's GPU shares its board's memory too)


APPLE_TIERS = frozenset({"pro", "max", "ultra"})


def _apple_chip(tokens: list[Token], message: str) -> str:
    """An Apple silicon chip said as "M1 Pro", "M2 Max", "M3 Ultra" ("m" glued to its generation, then its tier): the
    chip's name as written, or ""."""
    for i in range(len(tokens) - 2):
        if tokens[i].text == "m" and tokens[i + 1].is_num and tokens[i + 1].text in ("1", "2", "3", "4", "5") \
                and not tokens[i + 1].space_before and tokens[i + 2].text.lower() in APPLE_TIERS:
            return message[tokens[i].start:tokens[i + 2].end]
    return ""


# the first words of the lines of XLA's memory report, one size each ("    reserved        529.00M", "    global
# 100.0K", "  1. Size: 5.97G", "     Unpadded size: 5.72G")
XLA_LINE_KEYS = frozenset({"reserved", "program", "global", "scoped", "hlo", "arguments", "output", "size",
                           "unpadded", "extra", "shape", "total", "maximum", "largest", "xla", "allocation", "1", "2",
                           "3", "4", "5", "6", "7", "8", "9", "10"})


def _xla_memory_report(clause: Clause, reading: Reading) -> bool:
    """XLA's memory report ("Total hbm usage >= 9.50G: reserved 530.00M, program 8.98G … global 241.0K, scoped
    9.56M, HLO temp 8.97G"): its K, M and G are bytes (not "8xH100-80GB (HBM3)", a card's memory type); laid out a
    size a line, each line of it once the message holds the report (review 65 #5)."""
    return "hbm" in clause.present and not clause.present.isdisjoint(XLA_REPORT_WORDS) \
        or _xla_report_line(clause, reading)


def _xla_report_line(clause: Clause, reading: Reading) -> bool:
    """A line of XLA's memory report, one size of the program's ("    reserved  529.00M", "  1. Size: 5.97G"); not its
    first sentence, "Used 12.64G of 8.00G hbm", whose capacity is the device's."""
    return reading.xla_report and bool(clause.words) and clause.words[0] in XLA_LINE_KEYS


def _log_line(clause: Clause) -> bool:
    """Whether the clause is a training log line: a loss printed with its value ('loss': 1.6692, loss_avg: 3.81)."""
    words = clause.words
    for i, w in enumerate(words):
        if w == "loss" or (w == "avg" and i > 0 and words[i - 1] == "loss"):
            j = i + 1
            while j < len(words) and words[j] == "'":
                j += 1
            if j < len(words) and clause.tokens[clause.keys[j]].is_num:
                return True
    return False


def _mood(clause: Clause) -> str:
    """'fail' for a clause that reports a failure (an OOM, an error, "it doesn't run"), 'ok' for one that says the
    run works ("it runs fine", "it ran properly"), '' otherwise."""
    present = clause.present
    if not present.isdisjoint(FAIL_WORDS) or {"out", "memory"} <= present:
        return "fail"
    words = clause.words
    if not present.isdisjoint(RUN_WORDS) and any(w in RUN_WORDS and NEGATIONS.intersection(words[max(0, k - 3):k])
                                   for k, w in enumerate(words)):
        return "fail"  # "it doesn't run", "does not fit", "won't work"
    return "ok" if ok_said(present, words) else ""


ACTIVATION_WORDS = frozenset({"activation", "activations", "act"})  # (what an offload of activations names)

# what a run does when it works, said of the run ("runs", "fits") or of how it went ("fine", "properly")
RUN_WORDS = frozenset({"run", "runs", "work", "works", "worked", "fit", "fits", "train", "trains"})

# settings besides the batch whose value in a failing run outranks the one in a run that works
# ("fits with SGD, can't with AdamW"; "it works on 8 devices but OOMs with 6 devices": the run asked about is the 6)
MOOD_FIELDS = ("seq_len", "dataset_size", "model", "params", "optimizer", "training_mode", "num_gpus")
MIN_SAID_LENGTH = 16  # a "context" after a smaller number counts passages ("1 positive context"), not tokens
LENGTH_FIELDS = ("seq_len", "completion_len", "prompt_len")  # (settled before the prompt's and completion's add up)
IN_A_BATCH = frozenset({"in", "per", "a", "an", "each", "every", "of", "batch", "/"})  # "10 images in a batch"

# what the user's own run prints: numbers it reports are the run's, whatever words its lines use
RUN_OUTPUT = frozenset({"log", "logs", "output", "prints", "printed", "console", "stdout", "progress"})

def _speaks_of_third_party(clause: Clause) -> bool:
    """Whether a prose word of the clause says a script, a config or a model is the subject (THIRD_PARTY); the
    parts of a key, a flag or a file's name (`--config_file`, `configs/x.yaml`) are not prose."""
    if clause.present.isdisjoint(THIRD_PARTY) or not clause.present.isdisjoint(RUN_OUTPUT):
        return False  # ("the log says Num examples = 800,000 … = 72": the user's run reporting itself)
    for t in range(clause.start, clause.end):
        tok = clause.tokens[t]
        if tok.kind == "word" and tok.text.lower() in THIRD_PARTY and not in_flag(clause, t) \
                and not in_file_name(clause, t) and not (t > clause.start and clause.tokens[t - 1].text == "/") \
                and not (t > clause.start and clause.tokens[t - 1].text.lower() == "it"):
            # ("at batch 8 it trains fine": "it" is the user's run, not a script that trains)
            return True
    return False


def _plans(clause: Clause) -> bool:
    """Whether a word of the clause says what the user plans ("now", "want", "switch"), as prose: not a part of a
    flag's or a key's name (`--scale_lr`, `scale_factor`)."""
    words = clause.words
    if "after" in clause.present and any(w == "after" and words[k + 1:k + 2] and words[k + 1] in FIRST_PERSON
                                         and words[k + 2:k + 3] and words[k + 2] in SETTING_VERBS
                                         for k, w in enumerate(words)):
        return True  # "with samples_per_gpu=2 … after I set samples_per_gpu=4, …": the setting changed to
    if "memory" in clause.present and ("because" in clause.present or "due" in clause.present) and any(
            w in ("because", "due") and "memory" in words[k + 1:k + 6] for k, w in enumerate(words)):
        return True  # "when the batch size is 24 (because of the GPU memory limit)": the setting the user turned to
    if PLANNING.isdisjoint(clause.present):
        return False
    return any(w in PLANNING and clause.word_of(k) == (k, k) and not in_flag(clause, clause.keys[k])
               for k, w in enumerate(words))


SETTING_VERBS = frozenset({"set", "changed", "increased", "raised", "reduced", "decreased", "lowered", "switched"})


def _past_run(words: list[str], present: set[str]) -> bool:
    if not present.isdisjoint(PAST_RUN):
        return True
    if present.isdisjoint(PAST_FIRST):
        return False
    # (not "the last training step": a point in the run, not a run before it)
    return any(k + 1 < len(words) and (words[k], words[k + 1]) in PAST_RUN_PHRASES
               and not (k + 2 < len(words) and (words[k + 2] in NEGATIONS or words[k + 2] in POINTS_IN_A_RUN))
               for k in [k for k, w in enumerate(words) if w in PAST_FIRST])


POINTS_IN_A_RUN = frozenset({"step", "steps", "epoch", "epochs", "iteration", "iterations", "batch", "loss"})


# what follows a setting that could not be turned on ("gradient checkpointing fails", "… is not supported"); not "is
# not enough", which is a setting on that did not suffice
SWITCH_FAILED = frozenset({"fails", "failed", "fail", "crashes", "crashed", "errors", "unsupported"})
SWITCH_UNAVAILABLE = frozenset({"supported", "available", "working", "possible", "enabled", "implemented"})
TURNED_ON = frozenset({"grad_checkpointing", "fused_loss"})  # settings a run turns on (not "OOM errors")


ADAM_SETTINGS = frozenset({"beta", "beta1", "beta2", "betas", "eps", "epsilon"})
BATCH_KEY_WORDS = frozenset({"minibatch", "mini", "batch", "num", "iters", "iter", "steps"})


def _said_unsupported(words: list[str], end: int) -> bool:
    """Whether the words after a library's name say it does not support (or cannot run) what follows."""
    after = words[end:end + 5]  # ("does not support", "doesn't support": 'doesn', "'", 't' - "isn't supported")
    return not {"not", "cannot", "t", "never"}.isdisjoint(after) and not UNSUPPORTED.isdisjoint(after)


UNSUPPORTED = frozenset({"support", "supports", "supported", "work", "works"})
# libraries whose name alone is a keyword, and which an issue template's environment lists with their versions
LIBRARY_NAMES = frozenset({"peft", "deepspeed", "bitsandbytes", "accelerate", "apex", "xformers", "unsloth", "trl"})


DEEPSPEED_CONFIG_NAME = re.compile(r"(?:^|/)(?:zero|ds|deepspeed)[\w.-]{0,60}\.(?:json|ya?ml)$", re.IGNORECASE)


def _deepspeed_config_file(clause: Clause, k: int) -> bool:
    """Whether the word at key k is inside a DeepSpeed config's file name (`zero3_bf16_cpuoffload_all.json`,
    `deepspeed_configs/zero2_bf16.json`), whose parts name the config's settings."""
    token = clause.tokens[clause.keys[k]]
    text = clause.source
    start, end = token.start, token.end
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "`'\"(:=" and token.end - start < 200:
        start -= 1
    while end < len(text) and not text[end].isspace() and text[end] not in "`'\")," and end - token.start < 200:
        end += 1
    return DEEPSPEED_CONFIG_NAME.search(text[start:end]) is not None


def _keywords(clause: Clause, reading: Reading) -> None:
    index = cue_index("keywords")
    words, starts, present = clause.words, index.by_first, clause.present
    if present.isdisjoint(index.first_words):
        return
    documents = bool(present & DOCUMENTS)  # a document's name may hold a keyword ("…-fsdp.md")
    quoted = None  # whether the clause has quotes, where a title may hold a keyword ("Large Minibatch SGD")
    after_hit = 0  # a phrase read covers its words: the next one starts after it
    for k in [k for k, w in enumerate(words) if w in starts]:  # one pass picks the words a keyword may start at
        if k < after_hit:
            continue
        hit = index.at(words, k)
        if hit is not None and quoted is None:
            said = clause.source[clause.tokens[clause.start].start:clause.tokens[clause.end - 1].end]
            quoted = '"' in said or "“" in said
        if hit is not None and quoted and hit[1][0] != "oom" and in_title(clause, clause.keys[k]):
            after_hit = k + hit[0]  # the SGD of "Accurate, Large Minibatch SGD: Training ImageNet…": a title's
            continue
        if hit is None or (documents and in_file_name(clause, clause.keys[k], DOCUMENTS)):
            continue  # "ram-efficient-pytorch-fsdp.md" names a document, not the user's FSDP (a script's name may)
        if hit[1][0] != "training_mode" and _in_url(clause, clause.keys[k]):
            # "https://github.com/Dao-AILab/flash-attention": a link's words, no setting (but a tutorial's link, "…/
            # image_classification_efficientnet_fine_tuning/", does say the kind of training followed)
            after_hit = k + hit[0]
            continue
        if hit[1] == ("training_mode", "scratch") and _in_file_path(clause, clause.keys[k]):
            # "model_name_or_path: /opt/ml/pretrain_model" (review 89 #11): a folder named for the pretrained
            # model, which the run starts from - no pretraining from scratch
            after_hit = k + hit[0]
            continue
        if _in_directory(clause, clause.keys[k]) and words[k + hit[0] - 1] != "py":
            # "/datas/alpaca_lora_4bit/text-generation-webui/…": where files are, no setting (a phrase that names
            # the file itself does: a traceback through `torch/nn/parallel/data_parallel.py`)
            after_hit = k + hit[0]
            continue
        length, (name, value) = hit
        end = k + length
        if name == "parallelism" and value == "ddp" and words[k:end] == ["data", "parallel"] \
                and clause.word_of(k) == (k, end - 1) and _called(clause, clause.keys[end - 1]):
            value = "dp"  # `data_parallel(self.model, x, range(ngpu))`: torch.nn.parallel's one-process DataParallel
        if length == 1 and words[k] in LIBRARY_NAMES and (words[end:end + 1] == ["version"] or end < len(words)
                                                          and clause.tokens[clause.keys[end]].is_num):
            after_hit = end
            continue  # "- PEFT version: 0.12.0", "deepspeed 0.15.4": an environment's listing, no setting of the run
        if name == "oom" and _if_you(words, k):
            after_hit = end
            continue  # "if you run out of memory, add --hparams='batch_size=1024'": a script's advice, not a report
        if name == "oom" and not AVOIDED.isdisjoint(words[max(0, k - 3):k]):
            after_hit = end
            continue  # "(avoiding CUDA out of memory error), I changed the config" (review 67 #10): a failure kept off
        if name == "oom" and reading.in_question and not FEARED.isdisjoint(words[max(0, k - 5):k]) \
                and "why" not in words[:k]:  # (not "why will it OOM at step 100?": a failure seen, asked about)
            after_hit = end
            continue  # "wouldnt it cause out of memory?" (review 68 #28): a failure feared for a plan, not one seen
        if name in SUPPOSED_SETTINGS and reading.clause_mood == "ok" and present.isdisjoint(FAILURE_HINTS) \
                and _switched_on_if(words, k):
            after_hit = end
            continue  # "If I turn on offload, the code runs": what would make it work, not the run's setting (but
            # "when I use ZeRO-3 it OOMs", "if I set offload to cpu, the process gets killed": a run that fails)
        if k >= 3 and words[k - 3] == "if" and words[k - 2] in ("it", "this", "that", "trainer") \
                and words[k - 1] in ("is", "s", "uses", "was"):
            after_hit = end
            continue  # "Is the Trainer DDP or DP? If it is DDP, why …": a case supposed in a question, not the run's
        if words[k] == "ds" and clause.word_of(k)[0] < k:
            continue  # `train_ds config`, `val_ds`: a data set's name, no DeepSpeed
        if name == "attention" and (not IMPORTING.isdisjoint(words[max(0, k - 3):k])
                                    or not {"fail", "failed", "failure"}.isdisjoint(words[end:end + 3])):
            after_hit = end  # Qwen's log: "Try importing flash-attention …", "import flash_attn fail, please install
            continue  # FlashAttention": a kernel the code looked for and did not find, not one the run uses
        if name == "training_mode" and value == "scratch" and in_flag(clause, clause.keys[k]) \
                and clause.word_of(k)[1] == end - 1:
            after_hit = end  # OpenRLHF's `--pretrain Qwen2.5-3B-Instruct`, `--reward_pretrain <path>`: checkpoints
            continue  # the run starts from
        if name == "precision" and (clause.word_of(k)[0] < k and words[clause.word_of(k)[0]:k] not in SWITCHES
                                    or clause.word_of(end - 1)[1] > end - 1) and not _deepspeed_config_file(clause, k):
            continue  # "bf16" inside `bf16_accumulate_gradient`, "fp32" inside `_convert_to_fp32`: another key's name
            # (but `--use_fp16 True`, `enable_bf16` switch the precision itself, and a DeepSpeed config's file name
            # says its own: `zero3_bf16_cpuoffload_all.json` - review 71 #10)
        if name == "base_bits" and not OPTIMIZER_WORDS.isdisjoint(words[end:end + 2]) \
                and not (end < len(words) and in_flag(clause, clause.keys[end])):  # ("--fp8_base --optimizer_type")
            # "a custom 4-bit optimizer", "8bit Adam": the optimizer's states, not the base model's
            said = clause.text(clause.keys[k], clause.keys[min(end, len(words) - 1)])
            # (AdamW's moments in 8 bits - bitsandbytes - or in 4 - lpmm, torchao's AdamW4bit)
            reading.set(Read("optimizer", f"adamw_{value}bit", said, setup_of(clause, k)))
            after_hit = end
            continue
        if name == "parallelism" and words[k:end] in (["data", "parallel"], ["model", "parallel"]) \
                and clause.word_of(k)[1] == end - 1 and end < len(words) \
                and clause.tokens[clause.keys[end - 1] + 1].text in ("=", ":"):
            after_hit = end
            continue  # `data_parallel=fsdp`, `model_parallel: 2`: a key whose value says what runs, not the key's name
        if name == "offload" and ACTIVATION_WORDS.intersection(words[max(0, k - 2):k] + words[end:end + 1]):
            after_hit = end
            continue  # `activation_cpu_offload`, "offload activations": the activations kept on the host, no state's
        if name == "parallelism" and value == "ddp" and words[k] == "ddp" and clause.word_of(end - 1)[1] > end - 1:
            continue  # `ddp_timeout`, `ddp_find_unused_parameters`: the Trainer's settings every config lists, no DDP
        if words[k] in LIBRARY_NAMES and _said_unsupported(words, end):
            after_hit = end
            continue  # "Unsloth does not support Qwen-VL": a library the run cannot use, not one it runs with
        if name == "fused_loss" and words[k] == "unsloth" and end < len(words) \
                and clause.tokens[clause.keys[end - 1] + 1].text == "/" and not clause.tokens[clause.keys[end - 1] + 1].space_before:
            after_hit = end
            continue  # `unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit`: a checkpoint Unsloth published, no Unsloth training
        if name == "zero_stage" and _key_goes_on(clause, end - 1) and words[end] in STAGE_SETTING_PARTS:
            continue  # `zero3_init_flag: true`, `stage3_max_live_parameters`: a setting of stage 3, not the stage
        last = clause.keys[end - 1]
        if (last + 1 < clause.end and clause.tokens[last + 1].text == "$") or \
                (name != "parallelism" and _shell_variable(clause, clause.keys[k])):
            # `--load-in-4bit $load_in_4bit`: a value set elsewhere, not said (but `--deepspeed $DS_CONFIG` uses it)
            after_hit = end
            continue
        after = words[end] if end < len(words) else ""
        if after == "'" and end + 1 < len(words):
            after = words[end + 1]  # `'fsdp_activation_checkpointing': False`: a quoted key, then its value
        if name == "precision" and value in ("amp_bf16", "amp_fp16") and reading.weights_dtype is None \
                and (words[max(0, k - 3):k].count("torch") >= 1 and "dtype" in words[max(0, k - 3):k]
                     and "compute" not in words[max(0, k - 3):k]
                     or words[k - 1:k] == ["dtype"] and (reading.swift_cli or "swift" in clause.present)) \
                and setup_of(clause, k) == "user":
            # `torch_dtype=torch.bfloat16`, ms-swift's `--dtype bf16`: the weights loaded in 16 bits (settled in
            # _resolve)
            reading.weights_dtype = (value[4:], clause.text(clause.keys[max(0, k - 2)], last))
        if name == "precision" and (not _training_precision(clause, k, length) or after in ("auto", "none")
                                    or words[end:end + 2] == ["enabled", "auto"] or _set_at_run_time(clause, last)
                                    or FLOPS_WORDS & set(words[k + length:k + length + 6])):
            # `bf16: auto`, `"fp16": {"enabled": "auto"}`, `bf16=is_bfloat16_supported()`: left to the framework
            # or the machine; "the H100 in bfloat16 is 1979 TFLOPs": a card's speed, not the run's precision
            after_hit = end
            continue
        if name == "precision" and value in ("amp_bf16", "amp_fp16") and last + 2 < clause.end \
                and clause.tokens[last + 1].text == "-" and clause.tokens[last + 2].text == "true" \
                and not clause.tokens[last + 1].space_before and not clause.tokens[last + 2].space_before:
            value = value[4:]  # Lightning's `precision="bf16-true"`: the weights themselves in bf16
        if name == "optimizer" and clause.word_of(end - 1)[1] > end - 1 and words[end] in BATCH_KEY_WORDS:
            after_hit = end  # RLlib's `sgd_minibatch_size`: the minibatch of its SGD passes, no optimizer said
            continue
        if name == "optimizer" and clause.word_of(end - 1)[1] > end - 1 and words[end] in ADAM_SETTINGS:
            # `--adam_beta2 0.95`, `adam_epsilon`: a setting of the Adam family (the Trainer's AdamW's as well), which
            # says the states' size without naming the optimizer
            reading.adam_setting = reading.adam_setting or clause.text(clause.keys[k], clause.keys[clause.word_of(end)[1]])
            after_hit = end
            continue
        key_end = clause.word_of(end - 1)[1] + 1  # past the whole key: `fsdp_offload_params False`
        if name == "precision" and key_end < len(words) and words[key_end] in SWITCH_ENDINGS \
                and clause.keys[key_end] == clause.keys[end - 1] + 2:
            key_end += 1  # `fp16_run False`
        after_key = words[key_end] if key_end < len(words) else ""
        if after_key == "'" and key_end + 1 < len(words):
            after_key = words[key_end + 1]
        if name in TURNED_ON and after == "default" and end + 1 < len(words):
            after = words[end + 1]  # argparse's `gradient_checkpointing default=False`: the value after 'default'
        if name in TURNED_ON and after_key == "default" and key_end + 1 < len(words):
            after_key = words[key_end + 1]
        comma_after = end < len(words) and any(clause.tokens[t].text in (",", ";")
                                               for t in range(clause.keys[end - 1] + 1, clause.keys[end]))
        if comma_after:
            after = ""  # "enabled gradient checkpointing, disabled the preview": the comma ends the setting's words
        off = negated(clause, k, length) or after in ("off", "false", "disabled", "not") \
            or (key_end > end and after_key in ("false", "none", "0", "disabled"))
        if name == "offload" and not off and key_end > end and key_end < len(words):
            # ColossalAI's `offload_optim_frac=0.0`: a share of nothing offloads nothing
            value_token = clause.tokens[clause.keys[key_end]]
            off = value_token.is_num and value_token.value == 0
        if name == "parallelism" and value in ("tensor", "pipeline") and key_end > end and after_key == "1" \
                and clause.tokens[clause.keys[key_end]].is_num:
            off = True  # `tensor_model_parallel_size=1`: a degree of one splits nothing
        if name == "precision" and value == "amp":
            said = " ".join(w for w in words[key_end:key_end + 4] if w not in ("=", ":", "'", '"', "`"))
            if said.split(" ")[0] in ("no", "false", "none", "0"):
                # accelerate's `mixed_precision: 'no'`: full fp32 - unless the training script's own `--fp16` or
                # `--bf16` says otherwise (the Trainer's flag sets up autocast whatever the launcher's config says)
                reading.set(Read("precision", "fp32", clause.text(clause.keys[k], last), setup_of(clause, k),
                                 weak=True))
                after_hit = end
                continue
            elif said.startswith(("fp 8", "int 8", "fp 4", "fp8")):
                after_hit = end  # `mixed_precision fp8`: another precision than the ones the estimates know
                continue
        device = [w for w in words[end:end + 4] if w not in ("=", ":", "'", '"')][:1] \
            if name == "parallelism" and value == "device_map" else []
        if device in (["cuda"], ["cpu"], ["0"], ["{"]):
            after_hit = end  # `device_map='cuda'`, `device_map={'': 0}`: the whole model on one device, no split
            if reading.one_gpu_used is None and setup_of(clause, k) == "user" and device != ["cpu"]:
                # (and one process: of the machine's GPUs, the run uses the one it loads the model on)
                reading.one_gpu_used = clause.text(clause.keys[k], clause.keys[min(end + 3, len(words) - 1)])
            continue
        if name == "parallelism" and value in ("tensor", "pipeline") and _inference_engines(clause, k):
            after_hit = end  # `vllm_tensor_parallel_size`: how the generation engine splits its copy, not the training
            continue
        if name != "oom" and _package_version(clause, last):
            after_hit = end  # "deepspeed 0.13.1, flash-attn 2.5.8": the packages installed, not the run's settings
            continue
        if name == "offload" and "device" in words[end:end + 3] and {"auto", "none"} & set(words[end + 1:end + 5]):
            after_hit = end  # `"offload_param": {"device": "auto"}`: left to the launcher, not said
            continue
        if name == "training_mode" and off and present & {"cannot", "couldn", "unable"}:
            off = False  # "I cannot finetune Gemma-3": fine-tuning that fails, not its absence
        if not off and name in TURNED_ON and (after in SWITCH_FAILED or after in ("is", "was") and
                                          words[end + 1:end + 2] == ["not"] and words[end + 2:end + 3] and
                                          words[end + 2] in SWITCH_UNAVAILABLE):
            off = True  # "gradient checkpointing fails with …", "… is not supported": tried, and not on
        if not off and name != "oom" and ("off" in present or "disabled" in present) and not comma_after:
            off = _turned_off_after(words, end)  # "with fsdp and EMA turned off", "fsdp is disabled"
        if not off and "false" in present:  # "use_8bit_adam and gradient_checkpointing are False"
            later = words[end:end + 6]  # (and "setting load_in_8bit to False")
            off = "false" in later and bool({"are", "is", "=", "to"} & set(later[:later.index("false")])
                                            or later[0] == "and")
        if name == "dataset_known" and (not SUBSET_WORDS.isdisjoint(present) or _inside_identifier(clause, k)
                                        or not FORMAT_WORDS.isdisjoint(words[max(0, k - 3):end + 3])
                                        or "weights" in words[max(0, k - 3):k]  # Keras' weights='imagenet'
                                        or words[max(0, k - 2):k] in (["pretrained", "on"], ["trained", "on"],
                                                                      ["pre", "trained"])
                                        or _in_code_comment(clause, clause.keys[k])):
            # ("# Train the model on the COCO8 dataset" above `data="VisDrone.yaml"`: an example's comment left over)
            # "a 20k-image subset of ImageNet": not the data set's own size; "a custom dataset in the same format as
            # COCO", "COCO-style annotations": a format, not the data set
            after_hit = end
            continue
        if name == "oom" and (_predicted(clause, k) or failures.understood(clause)):
            # "is 8 per device going to OOM?": whether it would fit is asked; "my understanding is that memory isn't
            # enough for 64 at once, so …": why a setting exists - nothing failed yet
            after_hit = end
            continue
        if name != "oom" and _asked_of_them(clause, k):
            after_hit = end  # "are you using half precision (fp16)?": the authors' setting asked after, no one's plan
            continue
        if name != "oom" and (_asked_about(clause, k, length) or _supposed_to_help(clause, k + length)):
            after_hit = end  # "should I turn on gradient checkpointing?", "would zero3 help?": an option asked about
            reading.ask_about(name, not off if isinstance(value, bool) else value, clause.text(clause.keys[k], last))
            continue
        text = clause.text(clause.keys[k], last)
        if name == "training_mode" and value == "finetune" and not off and reading.full_training is None \
                and (not {"full", "fully"}.isdisjoint(words[k:end]) or _full_after(clause, end)):
            reading.full_training = text  # "full fine-tuning", "full-parameter", `--finetuning_type full`
            reading.full_training_mood = reading.clause_mood
        if name == "full_weights":
            if not off and reading.full_training is None and words[k - 1:k] not in (["of"], ["than"], ["vs"]) \
                    and after not in HYPERPARAMETER_TAILS and setup_of(clause, k) == "user":
                # "train all parameters" (not "0.1% of all parameters", nor the hyperparameters of "all parameters
                # default")
                reading.full_training = text
            after_hit = end
            continue
        if name == "grad_checkpointing":
            reading.set(Read(name, not off and after != "0", text))
        elif name == "fused_loss":
            nxt = clause.tokens[last + 1] if last + 1 < clause.end else None
            if not off and not (nxt is not None and nxt.text == "/" and not nxt.space_before):
                # (not "unsloth/llama-3-8b-bnb-4bit": an organisation's checkpoint, not its trainer)
                reading.set(Read("fused_loss", True, text, setup_of(clause, k)))
        elif name == "accumulating":
            if after in ("fusion", "fused"):
                after_hit = end  # Megatron's `--no-gradient-accumulation-fusion`: a kernel's fusion, not the accumulation
                continue
            asked = clause.end < len(clause.tokens) and clause.tokens[clause.end].text == "?"
            reading.accumulation_said = reading.accumulation_said or not off
            if off and not asked and reading.no_accumulation is None and setup_of(clause, k) == "user":
                # "no accumulation", "without gradient accumulation": one micro-batch per update, unless a count
                # is said anywhere ("without accumulation I fit 4; with accumulation 8 I get 32")
                reading.no_accumulation = Read("grad_accum_steps", 1, text)
        elif name == "adapter" and off and reading.full_training is None:
            reading.full_training = text  # "training the 7B model (…, without peft)": all its weights
        elif name == "precision" and off and value in ("amp_fp16", "amp_bf16") and after_key == "false" \
                and setup_of(clause, k) == "user":
            reading.precisions_off.setdefault(value, clause.text(clause.keys[k], clause.keys[key_end]))
        elif not off:
            if name == "zero_stage" and words[k] == "stage" and present.isdisjoint(("zero", "deepspeed", "ds")):
                pass  # (the ds of "ds_config uses stage2" is DeepSpeed's)
            elif name == "zero_stage" and clause.tokens[last].is_num and _alternative_stage(clause, last):
                # "zero_stage2&3": ZeRO, with both stages tried
                reading.set(Read("parallelism", "zero", text, setup_of(clause, k)))
            elif name == "parallelism" and value == "zero" and words[k] == "zero" and not _zero_context(words, k, length) \
                    and text != "ZeRO":  # DeepSpeed's own spelling names it without a stage ("ZeRO on GPT-3 13B")
                pass
            else:
                # an out-of-memory error is the user's, whoever's setup the clause speaks of ("following your
                # configuration, it prompts CUDA out of memory")
                said = Read(name, value, text, "user" if name == "oom" else setup_of(clause, k),
                            mood=segment_mood(clause, clause.keys[k]) if name in MOOD_FIELDS else "",
                            # "1.8 steps/s with float32 by default and 0.2 now with mixed_float16": what the run
                            # had before a setting was said, which gives way to it
                            weak=name == "precision" and words[end:end + 2] == ["by", "default"]
                            # ("default_config_fsdp.yaml" beside "I am using DeepSpeed Stage-3": a file's name
                            # gives way to the scheme said outright)
                            or name == "parallelism" and in_file_name(clause, clause.keys[k]),
                            # "--deepspeed zero2.json (zero3 was slow)": a setting tried before and judged
                            past=name in ("zero_stage", "parallelism", "offload")
                            and _judged_before(words, end, helped=name == "offload"))
                if name == "adapter" and _tried_and_failed(words, k, end):
                    # "I tried to activate LoRA but it failed in _broadcast_to_vllm()": an attempt set aside; the run
                    # is the one the settings describe
                    reading.adapter_tried = reading.adapter_tried or text
                    after_hit = end
                    continue
                reading.set(said)
                if name == "zero_stage" and _errored(words, end):
                    reading.stage_errored = said  # "zero3 gives a weight-2D error": not a plan to offer back
                if name == "adapter" and not SWITCHED.isdisjoint(present):
                    reading.adapter_switched_to = True
                if name == "zero_stage" and not SWITCHED.isdisjoint(words[max(0, k - 4):k]):
                    reading.switched_to["zero_stage"] = said  # "so I switched to ZeRO2"
                elif name == "zero_stage" and not TRIED.isdisjoint(words[max(0, k - 4):k]) and "still" in \
                        clause.source[clause.tokens[clause.keys[k]].end:clause.tokens[clause.keys[k]].end + 40].lower():
                    # "(after being told to try zero_stage 3:) still the same": the stage tried, which ran out too
                    reading.switched_to["zero_stage"] = said
                elif name in SWITCHABLE and "to" in words[max(0, k - 8):k] and not SWITCHED.isdisjoint(words[:k]):
                    # 'so I changed "fp16 = False, bf16 = True" to "fp16 = True, bf16 = False"': the setting now
                    reading.switched_to.setdefault(name, said)
                if name == "offload" and ({"param", "params", "parameters"} & set(words[k:end])
                                          or words[k:end] == ["cpuoffload", "all"]):
                    reading.set(Read("offload_params", True, text, setup_of(clause, k)))  # `offload_param`
        after_hit = end


# what an earlier try of a setting is judged ("zero3 was slow", "fsdp was too slow", "offload was painfully slow")
VERDICTS = frozenset({"slow", "slower", "too", "unusable", "painfully", "very", "way", "much", "worse", "awful"})
HELPED = frozenset({"helps", "helped", "works", "worked", "fixes", "fixed", "solves", "solved", "fits"})


def _full_after(clause: Clause, end: int) -> bool:
    """Whether 'full' closes the words just after a fine-tuning phrase ("fine-tuning Llama-2-13b full, …"): the
    method said after the model (not "full precision", "full shard" - a noun after it)."""
    words = clause.words
    for j in range(end, min(len(words), end + 6)):
        if words[j] == "full":
            t = clause.keys[j] + 1
            return t >= clause.end or clause.tokens[t].kind == "punct"
    return False


def _tried_and_failed(words: list[str], k: int, end: int) -> bool:
    """'I tried to activate LoRA but it failed in _broadcast_to_vllm()': a setting tried that did not work, set aside -
    not the run the message is about."""
    if TRIED.isdisjoint(words[max(0, k - 4):k]):
        return False
    after = words[end:end + 8]
    return "but" in after and not FAIL_WORDS.isdisjoint(after[after.index("but") + 1:])


# what a setting that does not run is said to do, other than run out of memory ("zero3 throws an error", "stage 3
# crashes at init", "ZeRO3配置会报错")
ERRORED = frozenset({"error", "errors", "exception", "fails", "failed", "crash", "crashes", "crashed", "hangs", "hung",
                     "stuck", "incompatible", "unsupported"})
ERROR_IS_MEMORY = frozenset({"oom", "ooms", "memory", "cuda_out_of_memory", "outofmemoryerror"})


def _errored(words: list[str], end: int) -> bool:
    """Whether the setting whose words end before key `end` is followed, in its next few words, by an error that is
    not an out-of-memory one: a setting that did not run at all, which no plan should offer back."""
    after = words[end:end + 6]
    hit = next((i for i, word in enumerate(after) if word in ERRORED), None)
    if hit is None or (hit and after[hit - 1] in ("no", "without", "not", "any")):
        return False  # ("zero3 runs without errors but is slow")
    return ERROR_IS_MEMORY.isdisjoint(words[end:end + hit + 5])  # ("zero3 error: CUDA out of memory": memory)


def _judged_before(words: list[str], end: int, helped: bool = False) -> bool:
    """Whether the setting whose words end before key `end` is followed by 'was'/'were' and a verdict: an earlier
    try, which the setting the user runs now outranks."""
    if words[end:end + 1] in (["was"], ["were"]) and words[end + 1:end + 2] != [] and words[end + 1] in VERDICTS:
        return True
    # (`helped`:) "cpu_offload helps but is 3x slower", "offload works but is too slow": tried, and set aside for
    # its cost - not a stage ("zero3 works but is too slow" beside a zero3.json in the launch says no run of its own)
    if not helped:
        return False
    after = words[end:end + 9]
    if "but" not in after[:4] or HELPED.isdisjoint(after[:2]):
        return False
    but = after.index("but")
    return not VERDICTS.isdisjoint(after[but + 1:but + 6])


BOUND_MARKS = frozenset({">", "<", "≥", "≤"})  # between a setting and a number: a bound, not its value


def _bound_mark(tokens: list[Token], t: int) -> bool:
    """Whether token t compares ('> 1', '<= 512') - not an arrow's head ('=> 32', '-> 8', a change or a value)."""
    return tokens[t].text in BOUND_MARKS and not (tokens[t].text == ">" and t > 0 and not tokens[t].space_before
                                                  and tokens[t - 1].text in ("=", "-"))
BINARY_COUNT_UNITS = {"k": 2**10, "m": 2**20, "b": 2**30}  # "0.5M tokens" is often 2^19 (512 × 1,024)


def _token_counts(value: float, unit: str, scaled: float) -> tuple[float, float]:
    """A token count said with a suffix, read both ways: (decimal, binary) - '4M' is 4,000,000 or 4 × 2^20."""
    return scaled, value * BINARY_COUNT_UNITS[unit] if unit in BINARY_COUNT_UNITS else scaled
BATCH_NOUNS = BATCH_SPELLINGS


# words after "all parameters" that make them the run's settings, not its weights ("all parameters default")
HYPERPARAMETER_TAILS = frozenset({"default", "defaults", "unchanged", "same", "as", "in", "at", "set"})


# what asks whether to adopt a setting, in a question: a modal of advice before a verb of adopting ("should I turn
# on X", "do I need X", "is it worth trying X"), or a modal before the setting and a verb of effect after it ("would
# zero3 help", "will gradient checkpointing be enough"). "Can I use LoRA on a 3090?" asks whether a plan fits: LoRA
# is the plan, read as the user's.
ADVICE_MODALS = frozenset({"should", "would", "shall", "might", "do", "does", "worth"})
EFFECT_MODALS = frozenset({"should", "would", "could", "can", "will", "might", "do", "does"})
ADOPTING = frozenset({"turn", "enable", "enabling", "use", "using", "try", "trying", "switch", "add", "adding",
                      "apply", "applying", "activate", "need", "move", "go", "change", "upgrade"})
SWITCHING = frozenset({"switch", "move", "go", "change", "upgrade"})  # "switch to zero3": 'to' names the setting
EFFECTS = frozenset({"help", "helps", "work", "fix", "solve", "reduce", "save", "be", "make"})
SUBJECTS = frozenset({"i", "we", "you", "it"})
BARE_VERBS = frozenset(w for w in ADOPTING if not w.endswith("ing"))  # ("using ZeRO-3, why …?" uses it)


PROPOSING = frozenset({"use", "set", "try", "increase", "decrease", "raise", "lower", "reduce", "switch", "go"})


QUESTION_OPENERS = frozenset({"is", "are", "does", "do", "would", "will", "can", "could", "should"})
EQUIVALENCE = frozenset({"same", "equivalent", "equal", "identical"})
# what two settings can be said to give alike ("give exactly the same result as batch 32?")
OUTCOMES = frozenset({"result", "results", "thing", "effect", "outcome", "gradient", "gradients", "update", "updates",
                      "accuracy", "performance", "loss", "behaviour", "behavior", "training", "model"})


MAX_COMPARED = 8  # numbers an equivalence question compares (two settings name four at most)
MAX_COMPARED_VALUE = 1 << 24  # a batch or a step count larger than this is no setting


def _equivalence_asked(clause: Clause) -> bool:
    """Whether the clause asks if two settings are the same ("is bs 8 + grad accum 4 exactly same as bs 32",
    "are 4 GPUs × 8 equivalent to 32 on one?"), with or without its question mark."""
    words = clause.words
    if EQUIVALENCE.isdisjoint(clause.present) or not any(
            w in EQUIVALENCE and (words[i + 1:i + 2] in (["as"], ["to"])
                                  or words[i + 1:i + 2] and words[i + 1] in OUTCOMES and words[i + 2:i + 3] in (["as"], ["to"]))
            for i, w in enumerate(words)):
        return False  # ("the same batch size", "stay the same if …" compare nothing; "the same result as …" does)
    opening = [w for w in words[:3] if w not in ("also", "and", "so", "but", "then")]
    asked = clause.end < len(clause.tokens) and clause.tokens[clause.end].text == "?"
    return asked or bool(opening) and opening[0] in QUESTION_OPENERS


def _runs_contrasted(clause: Clause) -> bool:
    """Whether the clause sets two runs' settings against each other ("the loss differs between
    per_device_train_batch_size=2, gradient_accumulation_steps=4 and per_device_train_batch_size=4,
    gradient_accumulation_steps=2"): the user's two runs, compared like an equivalence question's two settings."""
    return "between" in clause.present and not DIFFERING.isdisjoint(clause.present)


DIFFERING = frozenset({"differ", "differs", "differed", "different", "difference", "differences", "inconsistent",
                       "inconsistency", "vary", "varies", "mismatch", "discrepancy"})


def _own_side_of_equivalence(clause: Clause, k: int) -> bool:
    """Whether the number at key k is the user's own setting that an equivalence question then asks about ("I set
    batch 96 per GPU and accumulation 4, is that equivalent to the paper's 8x192?"): said by the user before the
    'is that / would this' that opens the question, so theirs, and only the side after it is compared."""
    words = clause.words
    for i in range(k + 1, len(words) - 2):
        if words[i] in QUESTION_OPENERS and words[i + 1] in ("that", "this", "it") \
                and not EQUIVALENCE.isdisjoint(words[i + 2:i + 6]):
            return not FIRST_PERSON.isdisjoint(words[:k])
    return False


def _since_last_number(clause: Clause, start: int, end: int) -> list[str]:
    """The words of keys start..end-1 after the last number among them (`MICRO_BATCH_SIZE = 4`, `BATCH_SIZE = 8`:
    the first key's words belong to its own value)."""
    for j in range(end - 1, start - 1, -1):
        if clause.tokens[clause.keys[j]].is_num:
            return clause.words[j + 1:end]
    return clause.words[start:end]


MAX_PATH_WORDS = 12  # the words of a script's path (its folders and name) after `python`


def _spawning_script(clause: Clause) -> str | None:
    """detectron2's `train_net.py --num-gpus 2` (more than one): its launch() starts a process per GPU - whatever a
    one-GPU command said before it (review 52 #11)."""
    words = clause.words
    for e in range(2, len(words)):
        if words[e] == "py" and words[e - 2:e] == ["train", "net"]:
            g = _several_gpus_key(clause, e)
            if g is not None:
                return clause.text(clause.keys[e - 2], clause.keys[g + 2])
    return None


TAKES_WORDS = frozenset({"take", "takes", "took", "taking", "needs", "lasts"})  # a time said for a unit of the run


# a result read at a point of the run: "after 160k iterations, mIoU only reaches 55" is what the run trained
RESULT_WORDS = frozenset({"miou", "map", "map50", "accuracy", "acc", "bleu", "wer", "cer", "fid", "top1", "score",
                          "f1", "iou", "psnr", "ssim", "perplexity", "ppl"})


def _inside_a_name(clause: Clause, t: int) -> bool:
    """Whether the number token `t` is glued into a hyphenated name ("whisper-large-v3-ct2-10epoch"): a '-' glued
    before it, after a word (or a number glued to one). (An underscored run tag, "…_adamw_wd1e-2_3epochs", names the
    run's own settings, its epochs among them.)"""
    tokens = clause.tokens
    if t - 2 < clause.start or tokens[t].space_before or tokens[t - 1].text != "-" \
            or tokens[t - 1].space_before:
        return False
    before = tokens[t - 2]
    # (a number before the hyphen is a range's start, "3-5 epochs", unless a word is glued to it: "ct2-10epoch")
    return before.kind == "word" or before.is_num and t - 3 >= clause.start and not before.space_before \
        and tokens[t - 3].kind == "word"


def _spawned_processes(clause: Clause) -> str | None:
    """A script that spawns a process per GPU itself: PyTorch's ImageNet example's `--multiprocessing-distributed`,
    `mp.spawn(main_worker, nprocs=…)`, `torch.multiprocessing.spawn` (review 66 #13)."""
    words = clause.words
    for e in range(len(words) - 1):
        if words[e] == "multiprocessing" and words[e + 1] in ("distributed", "spawn") \
                or words[e] == "mp" and words[e + 1] == "spawn":
            return clause.text(clause.keys[e], clause.keys[e + 1])
    return None


def _several_gpus_key(clause: Clause, e: int) -> int | None:
    """Where `--num-gpus N` with N > 1 follows the script name ending at key e (detectron2's launch key), or None."""
    words, tokens, keys = clause.words, clause.tokens, clause.keys
    return next((g for g in range(e + 1, len(words) - 2) if words[g:g + 2] == ["num", "gpus"]
                 and tokens[keys[g + 2]].is_num and (tokens[keys[g + 2]].value or 0) > 1), None)


def _plain_python(clause: Clause) -> str | None:
    """The words of a script started by plain python ("python train.py --device 0,1,2,3"), or run as it is ("Run the
    examples/pytorch/speech-recognition/run_speech_recognition_seq2seq.py with the following arguments", a user who
    names no launcher): one process, whatever the GPUs it is given (not "python -m torch.distributed.run …", a
    launcher)."""
    words = clause.words
    for k, w in enumerate(words[:-2]):
        if w == "run":
            j = k + 2 if words[k + 1] == "the" else k + 1
        elif w == "python" and not (clause.tokens[clause.keys[k]].start and clause.source[
                clause.tokens[clause.keys[k]].start - 1] == "/"):
            # (not "/usr/local/lib/python3.8/dist-packages/…/modeling_utils.py": a traceback's path)
            j = k + 1  # ("python3 main.py": the version glued to the interpreter's name)
            if clause.tokens[clause.keys[j]].is_num and not clause.tokens[clause.keys[j]].space_before:
                j += 1
            if j < len(words) and words[j] == "m":
                continue  # `python -m torch.distributed.run …`: a launcher
        else:
            continue
        e = _script_end(clause, j)
        if e is None:
            continue
        if words[e - 1] in LAUNCHER_SCRIPTS:
            return None  # coqui TTS's `python TTS/bin/distribute.py`: a launcher that starts a process per GPU
        if words[e - 2:e] == ["train", "net"] and _several_gpus_key(clause, e) is not None:
            return None  # detectron2's `train_net.py --num-gpus 2`: its launch() starts a process per GPU
        if w == "run" and not CONFIG_DATA_SETS.isdisjoint(words[j:e]):
            continue  # "run upernet_hornet_tiny_7x7_512_160k_ade20k.py" (review 70 #14): an OpenMMLab config, which
            # a launcher script runs - no script started by plain python
        return clause.text(clause.keys[k], clause.keys[e])
    return None


# the data sets OpenMMLab's config names end with ("…_160k_ade20k.py", "…_1x_coco.py"): a config's name, not a script's
CONFIG_DATA_SETS = frozenset({"ade20k", "coco", "cityscapes", "voc12aug", "voc", "imagenet", "lvis", "objects365",
                              "pascal", "ade", "coco_instance", "in1k", "cifar10", "cifar100"})


def _script_end(clause: Clause, j: int) -> int | None:
    """The key of the "py" that ends a script's path starting at key j ("./llm-foundry/scripts/train/train.py"), the
    path being one word of the command line; None when none does."""
    words = clause.words
    for e in range(j + 1, min(j + MAX_PATH_WORDS, len(words))):
        t = clause.keys[e]
        if words[e] == "py" and clause.tokens[t - 1].text == "." and not clause.tokens[t].space_before:
            return e
        if clause.tokens[t].space_before and t != clause.keys[e - 1]:
            return None  # (a key's words share its token: "rl_training" is one word of the path, review 56 #4)
    return None


TRIED = frozenset({"try", "tried", "trying"})  # a setting tried ("told to try zero_stage 3: still the same")
PEFT_SHARE = 0.2  # trainable parameters under this share of all of them: adapters on a frozen base (PEFT's print)
# scripts that are launchers themselves, started by plain python: coqui TTS's TTS/bin/distribute.py (a process per
# GPU of CUDA_VISIBLE_DEVICES)
LAUNCHER_SCRIPTS = frozenset({"distribute"})
# launchers and wrappers that give every GPU its own process, and so its own DataLoader
DISTRIBUTED_WORDS = frozenset({"ddp", "lightning", "torchrun", "distributed", "accelerate", "deepspeed"})


def _tuned_on(words: list[str], k: int) -> bool:
    """Whether the count at key k is where something was tuned: "the LR was tuned on a single node", "tuned on 8
    GPUs" (the setup a learning rate belongs to, not the run's now)."""
    first = max(0, k - 4)
    before = words[first:k]
    # (not "fine-tune on 4 GPUs": the run itself)
    return "on" in before and any(w in ("tuned", "tune", "tuning") and (first + i == 0 or words[first + i - 1] != "fine")
                                  for i, w in enumerate(before))


# what a count may be written for: a script's, a config's or a recipe's own setup
WRITTEN_FOR = frozenset({"script", "scripts", "config", "configs", "configuration", "recipe", "yaml", "example",
                         "examples", "command", "default"})


def _made_for(words: list[str], k: int) -> bool:
    """Whether the count at key k is what a script or config was made for: "the default script is for 8 gpus", "the
    config was written for 4 nodes", "the example is designed for 8 GPUs"."""
    before = words[max(0, k - 6):k]
    return before[-1:] == ["for"] and not WRITTEN_FOR.isdisjoint(before) \
        and not {"is", "was", "are", "were", "written", "designed", "made", "meant"}.isdisjoint(before[-3:-1])


def _total_after_a_batch(clause: Clause, k: int) -> bool:
    """Whether the number at key k is written "(total N)" or ", total N" just after a batch was named (within ten
    words): the batch over all GPUs ("batch_size 128 per GPU and lr 4e-3 (total 4096)"). A bare "total 4 GPUs" has a
    noun of its own, which the caller reads first."""
    words = clause.words
    if k >= 1 and words[k + 1:k + 2] == ["total"] and not BATCH_NAME_WORDS.isdisjoint(words[max(0, k - 10):k]):
        before = clause.keys[k] - 1  # "batch 256 per GPU (2048 total)": the total said after its number
        return before >= clause.start and clause.tokens[before].text == "("
    if k < 2 or words[k - 1] != "total" or BATCH_NAME_WORDS.isdisjoint(words[max(0, k - 11):k - 1]):
        return False
    before = clause.keys[k - 1] - 1
    return before >= clause.start and clause.tokens[before].text in ("(", ",")


def _named_from(words: list[str], k: int) -> int:
    """Where the words naming the number at key k start, when its slot was read from the words after it ("set
    batch_size 512 per GPU": at 'batch')."""
    while k > 0 and words[k - 1] in BATCH_NAME_WORDS:
        k -= 1
    return k


BATCH_NAME_WORDS = BATCH_SPELLINGS | {"size"}
ASKING_MODALS = frozenset({"should", "shall", "do", "can", "could", "must"})  # "do I set batch 512 per GPU, or …?"
OPEN_ENDS = frozenset({"more", "so", "longer", "higher", "larger", "bigger", "above", "beyond", "greater"})  # "50000 or more"


def _weighed_in_question(clause: Clause, cue: int) -> bool:
    """Whether the setting whose cue starts at key `cue` is an option a question weighs ("…, or use
    gradient_accumulation_steps=4?", "or just set batch 8?", "is that ok or should I use batch 16?"): 'or' in the
    question, and before the cue a verb that proposes, after 'or' or after 'should I'."""
    end = clause.end
    if end >= len(clause.tokens) or clause.tokens[end].text != "?" or "or" not in clause.present:
        return False
    words = clause.words
    if all(words[j + 1:j + 2] and words[j + 1] in OPEN_ENDS for j, w in enumerate(words) if w == "or"):
        return False  # "can I set seqlen to 50000 or more?": a value and beyond, no other option weighed
    verb = cue - 1
    if verb >= 0 and words[verb] == "or":  # "should I use batch 8 or batch 16?": the second option, as the first
        return any(words[j] in PROPOSING and words[j - 1] in ("i", "we") and words[j - 2] in ("should", "shall")
                   for j in range(2, verb))
    if verb < 1 or words[verb] not in PROPOSING:
        return False
    before = words[verb - 1]
    if before == "and" and "or" in words[max(0, verb - 6):verb - 1]:
        return True  # "…, or keep 128 and use update_freq 4?": the second half of an option weighed
    return before == "or" or verb >= 2 and (words[verb - 2] == "or" and before in ("just", "maybe", "instead")
                                            or words[verb - 2] in ASKING_MODALS and before in ("i", "we"))


# "using flash-attention may reduce it, I haven't tried yet": a setting said to help, not one in use
MODALS = frozenset({"may", "might", "could"})
HELPING = frozenset({"reduce", "help", "fix", "save", "lower", "solve", "decrease", "cut"})
HEDGED_MODALS = frozenset({"may", "might", "could", "would"})  # ("would help" is hedged by a 'maybe' before it)


def _supposed_to_help(clause: Clause, end: int) -> bool:
    """Whether the words after a setting (ending at key `end`) say it may help: 'may reduce it', 'might help',
    'perhaps AMP or DALI could be used', 'maybe mixed precision would help'."""
    after = clause.words[end:end + 5]
    if HEDGED_MODALS.isdisjoint(after):
        return False  # (no modal after the setting, the common case: MODALS are HEDGED_MODALS too)
    for i, w in enumerate(after):
        nxt = after[i + 1:i + 3]
        if w in MODALS and nxt[:1] and nxt[0] in HELPING:
            return True
        helps = nxt[:1] and nxt[0] in HELPING or nxt[:1] == ["be"] and nxt[1:] in (["used"], ["useful"], ["helpful"])
        if w in HEDGED_MODALS and helps:
            return "maybe" in clause.words[:end] or "perhaps" in clause.words[:end] or w != "would"
    return False


SUPPORTS = frozenset({"support", "supports", "provide", "provides", "offer", "offers", "have", "has", "allow",
                      "allows", "implement", "implements"})


IMPORTING = frozenset({"importing", "import", "install", "installing"})  # a kernel looked for, not used
ASKED_OF_THEM = frozenset({"are", "were", "did", "do", "have", "had"})  # "are you using …?", "did you train with …?"


def _asked_of_them(clause: Clause, k: int) -> bool:
    """Whether the setting at key k is asked of the authors in a question to them: "are you using half precision
    (fp16) or something else?", "did you train with bf16?" - their run's setting, not the user's nor one to adopt."""
    end = clause.end
    if end >= len(clause.tokens) or clause.tokens[end].text != "?":
        return False
    words = clause.words
    return any(words[j] in ASKED_OF_THEM and words[j + 1] == "you" for j in range(max(0, k - 6), k - 1))


def _asked_about(clause: Clause, k: int, length: int) -> bool:
    """Whether the setting at keys k..k+length is one the user asks about adopting, not one they use: "Would zero3
    help or should I turn on gradient checkpointing?" (neither is on yet); "Why does it OOM when I use ZeRO-3?"
    uses it."""
    end = clause.end
    if end >= len(clause.tokens) or clause.tokens[end].text != "?":
        return False
    words = clause.words
    if k >= 2 and (words[k - 2:k] in (["what", "about"], ["how", "about"], ["experience", "with"],
                                      ["experiences", "with"], ["thoughts", "on"])):
        return True  # "What is your experience with LoRA?", "what about LoRA?" (review 69 #5): an option weighed
    if k >= 1 and words[k - 1] in ("with", "under") and words[:1] in (["what"], ["which"], ["how"]):
        return False  # "what micro batch should I use with FSDP full shard?": FSDP is the given, not the question
    if words[:1] == ["or"]:
        return True  # "go zero3? or offload_optimizer?": the next option weighed
    if k >= 1 and words[k - 1] in SUPPORTS:
        return True  # "Does yolov5 provide model-parallel training with multi gpu?": whether the tool has it
    if k >= 1 and words[k - 1] in ("does", "do", "is") and "than" in words[k + length:k + length + 8]:
        return True  # "does bf16 use less memory than fp16 AMP?": two settings compared, neither said to be used
    if k >= 1 and words[k - 1] == "or" or words[k + length:k + length + 1] == ["or"]:
        return True  # "zero2 or fsdp?", "would SHARD_GRAD_OP help or cpu_offload?": options set side by side
    # "what if I turn on 8-bit adam + gradient checkpointing?": settings supposed, each one after the verb
    for j in range(max(0, k - 12), k - 1):
        if words[j] == "what" and words[j + 1] == "if" and not ADOPTING.isdisjoint(words[j + 2:k]):
            return True
    # the verb, up to two words ("turn on", "use the") before it, or its own; further back over alternatives ("do we
    # need a second node / cpu offload?")
    reach = 7 if {"or", "/"}.intersection(words[max(0, k - 6):k]) else 4
    for j in range(k, max(-1, k - reach), -1):
        if words[j] in ADOPTING:
            if "to" in words[j + 1:k] and words[j] not in SWITCHING:
                return False  # "do I need to full fine-tune …": what the user wants to do, not a setting to adopt
            if "for" in words[j + 1:k]:
                return False  # "how many H100s do I need for QLoRA?": the plan the need is for
            subject = j - 1 if j >= 1 and words[j - 1] in SUBJECTS else j
            if subject >= 2 and words[subject - 1] == "to" and words[subject - 2] in ADOPTING:
                j = subject - 2  # "should I try to use deepspeed?": the modal stands before the first verb
                subject = j - 1 if j >= 1 and words[j - 1] in SUBJECTS else j
            # "should I switch to zero3?"; "switch to zero3?", "try zero3?": a bare verb opening the question
            return subject >= 1 and words[subject - 1] in ADVICE_MODALS or subject == 0 and words[0] in BARE_VERBS
    # ("would adamw_8bit + gradient checkpointing be enough?": the effect after a second setting joined on)
    effect = EFFECTS.intersection(words[k + length:k + length + 4])
    return bool(effect) and bool(EFFECT_MODALS.intersection(words[max(0, k - 5):k]))


def _shell_variable(clause: Clause, t: int) -> bool:
    """Whether the word at token t is a shell variable's name (`$load_in_4bit`, `${deepspeed_config}`)."""
    tokens = clause.tokens
    if t - 1 < clause.start or tokens[t].space_before:
        return False
    prev = tokens[t - 1].text
    return prev == "$" or (prev == "{" and t - 2 >= clause.start and tokens[t - 2].text == "$")


FLOPS_WORDS = {"flops", "tflops", "tflop", "pflops", "teraflops"}


def _set_at_run_time(clause: Clause, last: int) -> bool:
    """Whether a key's value (after '=' or ':') is a call, decided when the script runs: `bf16=is_bf16_supported()`."""
    t = last + 1
    if t >= clause.end or clause.tokens[t].text not in ("=", ":"):
        return False
    t += 1
    if t < clause.end and clause.tokens[t].text == "not":
        t += 1
    if t >= clause.end or clause.tokens[t].kind != "word":
        return False
    if clause.tokens[t].text == "dict":
        return False  # mmcv's `fp16 = dict(loss_scale='dynamic')`: a setting written as a dict, not a call at run time
    for u in range(t + 1, min(clause.end, t + 12)):  # a name glued together ('is_bfloat', '16', '_', 'supported')
        tok = clause.tokens[u]
        if tok.space_before:
            return False
        if tok.text == "(":
            return True
        if tok.kind not in ("word", "num") and tok.text not in ("_", "."):
            return False
    return False


def _training_precision(clause: Clause, k: int, length: int) -> bool:
    """'bf16' names the training precision, not a dtype elsewhere: not `bnb_4bit_compute_dtype=torch.float16`,
    `torch_dtype=bfloat16` (weights), a 'bf16[256128,2048]' buffer, or a name such as 'WizardLM-30B-fp16' - but a
    DeepSpeed config's file name says its own (`zero3_bf16_cpuoffload_all.json`)."""
    if _deepspeed_config_file(clause, k):
        return True
    before = clause.words[max(0, k - 3):k]
    first, last = clause.keys[k], clause.keys[k + length - 1]
    if {"dtype", "compute"} & set(before) or before[-1:] == ["torch"] and clause.tokens[first - 1].text == ".":
        return False  # (but `adamw_torch, bf16` is an optimizer, then the precision)
    nxt = clause.tokens[last + 1] if last + 1 < clause.end else None
    if nxt is not None and nxt.text in ("[", "_") and not nxt.space_before and not (
            nxt.text == "_" and k + length < len(clause.words) and clause.words[k + length] in SWITCH_ENDINGS
            and clause.keys[k + length] == last + 2):
        return False  # a 'bf16[256128,2048]' buffer, `bf16_accumulate_gradient` (but Tacotron 2's `fp16_run`)
    prev = clause.tokens[first - 1] if first > clause.start else None
    if prev is not None and prev.text == "_" and not clause.tokens[first].space_before:
        return False  # `_convert_to_fp32`
    glued_to_name = prev is not None and prev.text == "-" and not clause.tokens[first].space_before \
        and first - 2 >= clause.start and not prev.space_before and clause.tokens[first - 2].kind in ("word", "num") \
        and clause.tokens[first - 2].text not in ("-",)
    return not glued_to_name


def _zero_context(words: list[str], k: int, length: int) -> bool:
    """'zero' names DeepSpeed's ZeRO when a stage number or 'stage'/'offload'/'deepspeed' is next to it."""
    nxt = words[k + length] if k + length < len(words) else ""
    return nxt in ("1", "2", "3", "stage", "offload", "optimization", "++", "infinity") or "deepspeed" in words


COMPUTE_RATES = frozenset({"tflops", "tflop", "teraflops", "pflops", "petaflops", "gflops", "flops"})


PHYSICAL_LENGTHS = frozenset({"mm", "cm", "um", "µm", "nm", "micron", "microns"})  # a voxel's or a pixel's real size


def _unit_after(clause: Clause, k: int) -> tuple[str, int] | None:
    """The unit written right after the number at key k ('24GB', '24 GB', '7B', '8x'): (unit, key index)."""
    if k + 1 >= len(clause.keys):
        return None
    word = clause.words[k + 1]
    tok = clause.tokens[clause.keys[k + 1]]
    plus = clause.keys[k + 1] == clause.keys[k] + 2 and clause.tokens[clause.keys[k] + 1].text == "+" \
        and not clause.tokens[clause.keys[k] + 1].space_before and not tok.space_before and word in MEMORY_UNITS
    if clause.keys[k + 1] != clause.keys[k] + 1 and not plus:  # ("40+G memory": a size, at least that - review 83 #2)
        return None  # "batch_size=16, bn_blocks=2": a comma between, so no unit ('bn' is a key's first part)
    if word in MEMORY_UNITS or word in COUNT_UNITS or word in TIMES or word in ("%", "px"):
        after = clause.keys[k + 1] + 1
        if len(word) == 1 and word != "x" and after < clause.end and not clause.tokens[after].space_before \
                and clause.tokens[after].is_num:
            return None  # "6 g5.4xlarge instances": a letter glued to digits names something (an instance type)
        if tok.space_before and word in ("m", "b", "t", "k", "g", "x"):
            # "batch 4 x 8" and "8 b" are rare; only an attached single letter is a unit
            nxt = clause.words[k + 2] if k + 2 < len(clause.words) else ""
            if word == "x" and nxt and clause.tokens[clause.keys[k + 2]].is_num:
                return None
            if word in ("m", "b", "t", "k") and nxt not in ("params", "parameters", "parameter", "model", "tokens"):
                return None
        return word, k + 1
    return None


# a part of a key before a length cue that makes it another text's length than the training sequence's
NOT_THE_SEQUENCE = frozenset({"completion", "output", "target", "new", "generation", "gen", "token", "caption", "query",
                              "answer", "response", "input", "prompt", "source", "eval"})


# the first part of a key that names another LR than the run's (`unet_lr`, `text_encoder_lr`, `min_lr`)
OTHER_LRS = frozenset({"unet", "encoder", "te", "min", "final", "end", "warmup", "head", "backbone", "embedding",
                       "embed", "critic", "disc", "discriminator", "plus"})


_SEVERAL = {"multiple", "several", "more", "many", "n", "multi", "across"}
_MACHINES = frozenset({"node", "nodes", "machines", "servers", "hosts"})


def _several_nodes(words: list[str]) -> bool:
    """Whether a clause speaks of running on several machines ("with multiple nodes", "n nodes", "multi-node",
    "across nodes"), so a single node in it is the baseline it is compared with."""
    return any(w in _SEVERAL and (words[k + 1:k + 2] and words[k + 1] in _MACHINES
                                  or w == "across" and words[k + 1:k + 2] in (["the"], ["several"], ["multiple"])
                                  and words[k + 2:k + 3] and words[k + 2] in _MACHINES)
               for k, w in enumerate(words)) or "multinode" in words


def _numbers(clause: Clause, reading: Reading) -> None:
    left, right = cue_index("left"), cue_index("right")
    keys, words = clause.keys, clause.words
    # only numbers and number words are read here ("1,281,167", ".5", "four"): the clause's number keys, and its
    # number words when it has any
    spoken = clause.present & WORD_NUMBERS.keys()
    at = sorted(clause.numbers + [k for k, w in enumerate(words) if w in spoken]) if spoken else clause.numbers
    for k in at:
        key = keys[k]
        tok = clause.tokens[key]
        if tok.kind == "word":  # a number said in words
            word = words[k]
            if word in WORD_NUMBERS and word not in ("single", "a") \
                    and (k + 1 >= len(words) or words[k + 1] != "of" and words[k + 1] not in GPU_WORDS):
                # ("one of the GPUs" counts nothing; "the batch_size of one GPU" is no batch of one)
                slot = _left_slot(left, words, k, clause)
                if slot and slot[0] in ("batch", "micro_batch", "global_batch", "grad_accum_steps"):
                    # "batch_size one", "a batch size of two": a batch said in words
                    fill(reading, slot[0], WORD_NUMBERS[word], "", clause.text(keys[slot[1]], key),
                         setup_of(clause, k), mood=segment_mood(clause, key))
                    continue
            if word in WORD_NUMBERS and (hardware.counts_machines(clause, k) or hardware.counts_workers(clause, k)) \
                    and setup_of(clause, k) == "user":
                fill(reading, "num_nodes", WORD_NUMBERS[word], "", clause.text(key, keys[k + 3]), "user")
                _machine_size(clause, reading, k)
                continue  # "two 8-gpu machines"
            if word in ("one", "single") and k + 1 < len(words) and words[k + 1] in ("node", "machine", "server") \
                    and setup_of(clause, k) == "user":
                if "than" not in words[max(0, k - 4):k] \
                        and ("from" in words[max(0, k - 2):k] or not _several_nodes(words)):
                    # (not "slower than on a single node": compared with; nor "with n nodes a step takes n times
                    # that of a single node": the baseline the several nodes are held against, unless the run
                    # moved "from a single node" to them)
                    # "a single node"; "the LR was tuned on a single node": the setup the LR belongs to
                    tuned = _tuned_on(words, k)
                    fill(reading, "num_nodes", 1, "", clause.text(key, keys[k + 1]), "reference" if tuned else "user")
                    if tuned and reading.tuned_on is None:
                        reading.tuned_on = Read("num_nodes", 1, clause.text(key, keys[k + 1]), "reference")
                continue
            if word in WORD_NUMBERS and word not in ("one", "single", "a"):
                slot = _right_slot(right, clause, k + 1)  # "two nodes", "four GPUs", "eight cards", "three epochs"
                if slot is None and _count_of_sized_cards(clause, k + 1):
                    slot = ("num_gpus", k + 1)  # "two 24GB GPUs": a count, then each card's size
                if slot and slot[0] == "num_gpus" and words[max(0, k - 2):k] == ["between", "the"] \
                        and not RUNS_COMPARED.isdisjoint(clause.present):
                    continue  # "my settings are the same between the two cards" (review 52 #7): two runs compared
                if slot and slot[0] in ("num_gpus", "num_nodes", "gpus_per_node", "epochs") \
                        and not (slot[0] == "num_gpus" and (hardware.found_by_an_error(words, k)
                                                            or hardware.gpu_time(words, k))):
                    name, n = slot[0], WORD_NUMBERS[word]
                    if name == "num_gpus" and words[slot[1]] in ("devices", "device") and _gpus_on_each_device(words):
                        name = "num_nodes"  # "two devices and 8 gpu on each devices" (review 86 #8): machines
                    elif name == "num_gpus":
                        name, n = hardware.gpu_count(clause, k, n)
                    setup = "reference" if name != "epochs" and hardware.lacked(words, k) else setup_of(clause, k)
                    fill(reading, name, n, "", clause.text(key, keys[slot[1]]), setup)
                continue
        if not tok.is_num or tok.value is None or key in clause.consumed:
            continue
        if not tok.space_before and key - 1 >= clause.start and (
                clause.tokens[key - 1].text == "$" or clause.tokens[key - 1].text == "{"
                and key - 2 >= clause.start and clause.tokens[key - 2].text == "$"):
            continue  # `NUM_MICROBATCHES=${7:-0}`, `$1`: a script's positional parameter, not a value (review 52 #25)
        if k >= 1 and words[k - 1] in VERSIONED and (k < 2 or words[k - 2] not in ("batch", "bs")):
            continue  # "Ubuntu 20, GPU …", "CUDA 12", "Python 3": a version, not a count
        if key + 1 < clause.end and clause.tokens[key + 1].text == "%":
            if words[k + 1:k + 2] == ["warmup"]:  # "3% warmup": a share of the training's updates
                fill(reading, "warmup_ratio", tok.value / 100, "%", clause.text(key, keys[k + 1]), setup_of(clause, k))
            elif "warmup" in words[max(0, k - 2):k] and words[k - 1] in ("warmup", "of"):  # "warmup of 10%"
                fill(reading, "warmup_ratio", tok.value / 100, "%", clause.text(keys[words.index("warmup", max(0, k - 2))],
                                                                                key + 1), setup_of(clause, k))
            continue  # "80% GPU util", "GPUs at 100%": a share, never a count or a size
        if _fraction_of(clause, key):
            continue  # "changed batch_size to 1/8 of the original": a share of another value, not a batch of 1
        if reading.commented_out and any(a <= key < b for a, b in reading.commented_out):
            continue  # "# --tp_size 4 \", "# gradient_accumulation_steps: 8": a setting switched off
        if _in_shape(clause, key):
            continue  # "OOM when allocating tensor with shape[123008,500]": a tensor's dimensions
        if k >= 2 and words[k - 1] == "or" and clause.tokens[keys[k - 2]].is_num \
                and _left_slot(left, words, k - 2, clause) is None:
            continue  # "16 or 4 GPUs": alternatives, not the user's count (but "batch_size=128 or 4 GPUs" is one)
        if clause.ends_a_range(key) \
                and (words[k + 1:k + 2] and words[k + 1] in GPU_WORDS or keys[k] + 1 in clause.card_starts):
            continue  # "ideally use 4-8 V100s", "2-4 GPUs": a range of counts, no count of the user's
        prev = clause.tokens[key - 1] if key > clause.start else None
        if _clock_time(clause, key):
            continue  # "2x GPUs: [08:00, 07:55]" (review 86 #25): minutes and seconds of a timer, no count
        times = prev is not None and prev.text == "x" and key - 2 >= clause.start \
            and clause.tokens[key - 2].is_num  # "8x8 GPUs"
        if prev is not None and prev.kind == "word" and not tok.space_before and not times \
                and prev.text not in GLUED_DEGREES and not (prev.text in GLUED_BATCHES and prev.space_before):
            continue  # part of a name: "A100", "M60", "llama2", "qwen2" are names, not quantities
        # `BATCH_SIZE=${BATCH_SIZE:-128}`: a shell script's default for its variable, the recipe's value
        shell_default = prev is not None and prev.text == "-" and key - 4 >= clause.start \
            and clause.tokens[key - 2].text == ":" and clause.tokens[key - 3].kind == "word" \
            and clause.tokens[key - 4].text == "{"
        if prev is not None and prev.text == "-" and not tok.space_before and not shell_default and (
                prev.space_before or key - 2 < clause.start or clause.tokens[key - 2].text in ("=", ":", "(", "[")):
            continue  # "batch=-1", "--batch -1": a negative number (YOLO's "auto"), no count or size
        if prev is not None and prev.text in ("-", "+") and tok.space_before and prev.space_before \
                and key - 2 >= clause.start and "_" in clause.tokens[key - 2].text:
            continue  # `micro_step < gradient_accumulation_steps - 1` (review 78 #5): code's arithmetic on a setting
        if prev is not None and prev.text in ("-", ".", "/", "_") and not tok.space_before and key - 2 >= clause.start \
                and clause.tokens[key - 2].kind == "word" and not prev.space_before \
                and clause.tokens[key - 2].text not in ("batch", "size", "len", "length", "lr", "steps", "epochs") \
                and not (prev.text == "/" and clause.tokens[key - 2].text.lower() in MEMORY_UNITS):
            # (not "37GB/80GB": a use over the card's size, written without spaces - review 68 #26)
            continue  # "Llama-2", "vit-b/16", "gpt-2": a number inside a hyphenated name
        value = tok.value
        # (a quotient only after its cue, "accumulation steps 1024/8/16 = 8"; else its result keeps a cue after it,
        # "gives 1024/8/16 = 8 accumulation steps")
        result = _product_result(clause, key, quotient=_left_slot(left, words, k, clause) is not None)
        if result is not None:  # "the effective batch_size is 128*8 = 1024": the cue names the result
            value = clause.tokens[result].value
            clause.consumed.update(range(key + 1, result + 1))
        unit = _unit_after(clause, k) if result is None else None  # ("32x128 = 4096": no factor, no image side)
        # (a product's cue may follow its result: "lr 1e-4 for 8x2=16 batch size")
        end = unit[1] if unit else clause.key_of.get(result, k) if result is not None else k
        text_end = keys[end]
        u = unit[0] if unit else ""
        if u in ("k", "m") and _xla_memory_report(clause, reading) or u == "g" and _xla_report_line(clause, reading):
            continue  # XLA's memory report: "global 241.0K, scoped 9.56M" are bytes, not a batch or a count
        if u in MEMORY_UNITS and u not in ("m",):
            if value in (1000, 1024) and prev is not None and prev.text == "/":
                continue  # "400000 x 400000 x 4/1024/1024/1024 GB": a unit's divisor in a sum, not a size
            hardware.read_memory(clause, reading, k, end, value * MEMORY_UNITS[u], u)
            continue
        if u in ("%",) or words[k + 1:k + 2] and words[k + 1] in PHYSICAL_LENGTHS:
            continue  # ("low-resolution (3.0 mm)": a CT's voxel spacing, no image side - review 73 #2)
        if not COMPUTE_RATES.isdisjoint(words[max(0, k - 3):k + 2]):
            continue  # "400 TFLOPs per GPU", "teraflops is around 400 per GPU": a compute rate, no batch or count
        if u == "px" or result is None and _square(clause, k):  # "a 512px dataset", "input fixed at 800x800"
            # the side said again ("224 by 224") or its square's 2 ("1024^2"): counts no images
            squared = clause.tokens[key + 1].text == "^"
            if u != "px":
                clause.consumed.add(keys[k + 1 if squared else k + 2])
            last = keys[k + 1] if squared else keys[min(end + 2, len(keys) - 1)]
            fill(reading, "image_size", value, "", clause.text(key, last if u != "px" else keys[end]),
                 setup_of(clause, k), weak=u != "px")
            continue
        scaled = value * COUNT_UNITS[u] if u in COUNT_UNITS else value
        if u in TIMES:
            _factor(clause, reading, k, value, left)  # "batch size 4x", "learning rate 4x"; "8x A100" is the GPU's
            continue
        keyed = batches.config_key(clause, k, reading)
        if keyed is not None and keyed[0] == "skip":
            continue  # `per_device_eval_batch_size: 16`: not the training batch
        if keyed is not None and keyed[0] == "batch" and (
                batches.per_device(_since_last_number(clause, max(0, keyed[1] - 4), keyed[1]))
                or "dataloader" in words[k + 1:k + 5] and not DISTRIBUTED_WORDS.isdisjoint(clause.present)):
            # "per-GPU batch_size=32"; "batch_size=32 in the DataLoader" under DDP or Lightning, where every process
            # builds its own loader: each GPU's batch
            keyed = ("micro_batch", keyed[1])
        slot = keyed or _left_slot(left, words, k, clause)
        if slot is not None and slot[0] in PRODUCT_TERMS and clause.tokens[key - 1].text == "=" \
                and _product_of_names(clause, slot[1]):
            # "N_GPU * train_batch_size * gradient_accumulation_steps==2048" (review 72 #16): the number is the
            # product's, the batch per update - not its last factor's
            slot, keyed = ("global_batch", slot[1]), None
        if slot is not None and slot[0] in GPU_COUNT_FIELDS | {"num_nodes"} \
                and words[clause.word_of(slot[1])[0]] in OTHER_ROLES:
            continue  # OpenRLHF's `--ref_num_gpus_per_node 4`, `--critic_num_nodes 1`: another model's GPUs, not the run's
        if result is not None and slot is not None and slot[0] in GPU_COUNT_FIELDS \
                and "batch" in words[max(0, slot[1] - 8):slot[1]]:
            continue  # "the total batch size on all GPUs would be 8 x 4 = 32": the batch's product, no GPU count
        if slot is None and k >= 1 and words[k - 1] == "b" and in_flag(clause, keys[k - 1]) \
                and clause.word_of(k - 1) == (k - 1, k - 1):
            slot = ("batch", k - 1)  # `-b 256`: the batch flag of PyTorch's ImageNet example, timm, YOLOX
        if slot is None and k >= 2 and tuple(words[k - 2:k]) in batches.TARGET_CUES and batches.ACCUMULATION_WORDS & set(words):
            slot = ("global_batch", k - 2)  # "GA 128 to get 128": the batch per update the user expects
        noun = end + 1
        while noun < len(words) and noun - end <= 2 and words[noun] in hardware.GPU_NOISE:
            noun += 1  # "8 nvidia GPUs", "4 Tesla cards": a brand between the count and its noun
        if u in ("m", "b") and words[noun:noun + 3][1:] in (["style", "model"], ["like", "model"], ["based", "model"]) \
                and words[noun] in names.FAMILIES:
            noun += 2  # "a ~500M llama-style model": the size of a model built like a family's
        if keyed is None and slot is not None and slot[0] in GPU_COUNT_FIELDS \
                and words[noun:noun + 1] and words[noun] in OTHER_COUNTS:
            continue  # "4 GPUs and 8 CPU cores": the count of the noun after it, not of the GPU cue before it
        right_slot = _right_slot(right, clause, noun)
        if right_slot is None and words[noun:noun + 1] == ["tokens"] and _sample_length_said(words, k, noun):
            right_slot = ("seq_len", noun)  # "one record corresponds to about 30000 tokens": a sample's length
        if right_slot is None and words[noun:noun + 1] == ["tokens"] and u == "k" and value in CONTEXT_KS \
                and (words[k - 1:k] in (["with"], ["at"]) and (words[noun + 1:noun + 2] not in (["per"], ["in"])
                                                               or words[noun + 1:noun + 3] == ["per", "sample"])
                     or words[noun + 1:noun + 3] in (["per", "sample"], ["per", "sequence"])):
            # "pre-training Llama-3-8B with 64K-tokens" (review 86 #16), "64k tokens per sample": a context's length
            # (a power of two in thousands; not "trained on 64K tokens", a data set's size)
            right_slot = ("seq_len", noun)
        if right_slot is None and scaled >= 1000 and u in DATA_SET_UNITS and noun + 1 < len(words) \
                and words[noun + 1] in DATA_SET_NOUNS and words[noun].isalpha() and words[noun] not in NOT_A_DATA_SET:
            # "the ~52k Alpaca dataset", "100k SFT samples", "a 52k-example dataset": a name or a kind between
            right_slot = ("dataset_size", noun + 1)
        elif right_slot is None and scaled >= 1000 and u in DATA_SET_UNITS and noun + 2 < len(words) \
                and words[noun + 2] in DATA_SET_NOUNS and words[noun].isalpha() and words[noun + 1].isalpha() \
                and not {words[noun], words[noun + 1]} & NOT_A_DATA_SET \
                and _unbroken(clause, noun - 1, 3) == 3:
            right_slot = ("dataset_size", noun + 2)  # "2M image-text pairs", "400k image-caption pairs": two words between
        elif right_slot is None and scaled >= 1000 and u in DATA_SET_UNITS and words[noun:noun + 1] == ["dataset"] \
                and not (u == "" and _year(value) and k >= 1 and words[k - 1].isalpha()
                         and words[k - 1] not in ("a", "an", "the", "my", "our", "this", "of", "with", "about")):
            # "the dolly 15k dataset": a data set of that many (not "2 datasets", nor "the ImageNet 2012 dataset": a
            # release's year)
            right_slot = ("dataset_size", noun)
        elif right_slot is None and scaled >= 1000 and u not in ("", "b") and u in DATA_SET_UNITS \
                and words[noun:noun + 1] in (["datasets"], ["data"]):
            right_slot = ("dataset_size", noun)  # "I have 2 million datasets", "50k data": its items, loosely said
        if right_slot is None and words[noun:noun + 1] == ["batches"] and _each_gpus(words, noun + 1) \
                and float(scaled).is_integer():
            right_slot = ("micro_batch", noun)  # "allocate 8 batches to each gpu": the samples each GPU runs
        if right_slot is not None and right_slot[0] == "dataset_size" and (
                _of_each_group(clause, right_slot[1]) or _images_of_a_size(clause, right_slot[1])):
            # "37 classes and 120 images each", "500 samples per class": a group's, not the data set; "16 images of
            # 1024x1024 on one card": the images a step holds
            right_slot = None
        if slot is None and right_slot is None and _total_after_a_batch(clause, k):
            slot = ("global_batch", k - 1)  # "128 per GPU and lr 4e-3 (total 4096)": the batch over all GPUs
        elif words[k + 1:k + 2] == ["total"] and _total_after_a_batch(clause, k):
            # "batch 256 per GPU (2048 total)": the total, not another per-GPU batch the cue before the bracket names
            slot, right_slot = ("global_batch", k + 1), None
        if slot is None or (slot[0] == "batch" and right_slot and right_slot[0] == "micro_batch") \
                or (right_slot and keyed is None and _listed_after(clause, slot[1], key)) \
                or (right_slot and keyed is None and slot[0] in GPU_COUNT_FIELDS and right_slot[0] != slot[0]
                    and clause.tokens[key - 1].text not in ("=", ":", "(")) \
                or (right_slot and keyed is None and right_slot[0] in GPU_COUNT_FIELDS and slot[0] not in GPU_COUNT_FIELDS
                    and k >= 1 and words[k - 1] in ("with", "on", "using", "across", "over")) \
                or (right_slot and keyed is None and slot[0] == "seq_len" and right_slot[0] == "dataset_size"
                    and words[slot[1]] == "input" and k >= 1 and words[k - 1] in ("is", "was", "are", "were")):
            # ("My input is 10 videos" - review 77 #6: the inputs counted by the noun after them, no length)
            # ("how should I set gradient accumulation steps with 4 GPUs?": the GPUs' count, not the steps)
            # "8 GPUs, 50000 samples": a cue before a list separator named the previous value; the noun after this
            # number names it (as in "4 GPUs with 2 images per GPU": the GPUs were counted before it)
            slot, keyed = right_slot or slot, None
        if k >= 2 and words[k - 1] == "per" and clause.tokens[keys[k - 2]].is_num \
                and (clause.tokens[keys[k - 2]].value or 1) < 1 and float(value).is_integer() and 2 <= value <= 1e6 \
                and words[end + 1:end + 2] in ([], ["images"], ["samples"], ["examples"], ["sequences"], ["batch"]):
            # "lr 0.1 per 256", "5e-4 per 512 samples": a learning rate stated for a batch of that size
            fill(reading, "batch", value, "", clause.text(keys[k - 2], text_end), "reference")
            continue
        if keyed is None and words[end + 1:end + 2] in (["tokens"], ["token"]) and (u in ("k", "m", "b") or not u and scaled >= 1000) \
                and words[end + 2:end + 3] in (["per"], ["each"], ["/"]) and words[end + 3:end + 4] in (
                    ["batch"], ["step"], ["update"], ["iteration"], ["optimizer"]):
            # "target 4M tokens per batch": the batch per update, said in tokens
            reading.set(Read("batch_tokens", _token_counts(value, u, scaled), clause.text(key, keys[end + 3]),
                             setup_of(clause, k)))
            continue
        if keyed is None and words[end + 1:end + 2] in (["tokens"], ["token"]) and clause.present & BATCH_NOUNS \
                and (slot is None or slot[0] not in ("batch", "micro_batch", "global_batch")) \
                and [batches.TOPICS[w] for w in words[max(0, k - 12):k] if w in batches.TOPICS][-1:] == ["batch"]:
            # "the GPT-3 paper batch for the 350M model (0.5M tokens)": the batch, said in tokens
            reading.set(Read("batch_tokens", _token_counts(value, u, scaled), clause.text(key, keys[end + 1]),
                             setup_of(clause, k)))
            continue
        if slot is None:
            if not u and float(value).is_integer() and 1 < value <= 1024 and _count_of_sized_cards(clause, end + 1) \
                    and not (key + 1 < clause.end and clause.tokens[key + 1].text in ("-", "–", "~")):
                # (not a range's first end: "requires 10-12GB GPU memory")
                # "on 4 24GB VRAM GPUs", "4 times 24 GB graphics cards": a count, then each card's size ("2x8 80GB
                # GPUs": so many machines of that count - review 79 #17)
                name, count = hardware.gpu_count(clause, k, int(value))
                fill(reading, name, count, "", clause.text(keys[k - 2] if count != value else key,
                                                          keys[min(end + 4, len(keys) - 1)]), setup_of(clause, k))
                if words[end + 2:end + 3] in (["gpus"], ["cards"]):
                    clause.consumed.add(keys[end + 1])  # ("4 48GPUs": the 48 sizes the cards, it counts none)
                continue
            if not u and float(value).is_integer() and hardware.counts_machines(clause, k) and setup_of(clause, k) == "user":
                fill(reading, "num_nodes", value, "", clause.text(key, keys[k + 3]), "user")
                _machine_size(clause, reading, k)
                continue  # "2 8-GPU nodes"
            if not u and float(value).is_integer() and value <= MAX_MACHINES and hardware.counts_workers(clause, k) \
                    and setup_of(clause, k) == "user":
                fill(reading, "num_nodes", value, "", clause.text(key, keys[k + 1]), "user")
                continue  # "2 workers with 4 GPUs each"
            if not u and end + 1 < len(words) and words[end + 1][:1] in hardware.CARD_INITIALS \
                    and value <= 1024 and hardware.card_after(clause, end + 1):
                slot = ("num_gpus", end + 1)  # "on 8 RTX6000": a count before a card the catalogue may not know
            elif (stated := _stated_batch(clause, k, end, value)) is not None:
                # "the biggest batch size I can set without out of memory is 16": the batch, said as a sentence's
                # subject with its value at the end
                fill(reading, stated, value, "", clause.text(key, text_end), setup_of(clause, k),
                     mood=segment_mood(clause, key))
                continue
            elif batches.in_change(words, k):
                continue  # "change IMS_PER_BATCH from 64 to 16": a change, read as one
            elif setup_of(clause, k) == "user" and _bare_use(clause, reading, k, end, scaled):
                fill(reading, "batch", scaled, "", clause.text(keys[k - 1], text_end), "user")  # "I'll use 512"
                continue
            elif setup_of(clause, k) == "user" and float(value).is_integer() and 1 <= value <= 100_000 \
                    and "batch" in words[max(0, k - 6):k] and _above_it_fails(clause, key):
                # "When the batch size is larger than 5, GPU will out of memory" (review 80 #8): 5 fits, more does not
                reading.set(Read("max_micro_batch", int(value), clause.text(keys[max(0, k - 1)], key)))
                continue
            elif setup_of(clause, k) == "user" and _bare_fit(clause, reading, k, end, value):
                # "the paper uses batch 128 … on my A100 only 32 fits": the largest micro-batch that fits
                reading.set(Read("max_micro_batch", int(value), clause.text(keys[max(0, k - 1)], keys[end + 1])))
                continue
            elif clause.reference_at and _their_bare_batch(clause, reading, k, end, scaled):
                # "my batch is 480, while the GPT-2 paper uses 512": a bare number in a reference's words, in a
                # sentence about the batch, is the reference's batch ("8k": 8,000)
                fill(reading, "batch", scaled, "", clause.text(key, text_end), "reference")
                continue
            elif _default_of_the_batch_before(clause, k, scaled):
                # "batch size 512 (default is 1024)": the recipe's batch, said beside the one the user ran
                fill(reading, "batch", scaled, "", clause.text(keys[max(0, k - 2)], text_end), "reference",
                     qualified=True)
                continue
            else:
                continue
        name, start_key = slot
        if name == "num_gpus" and words[start_key:start_key + 2] == ["gpu", "number"] \
                and clause.word_of(start_key) != (start_key, start_key):
            continue  # `gpu_number = 8` in a script: a variable a formula uses (the env report's "GPU number: 1" counts)
        if name in PARALLEL_DEGREES and (_inference_engines(clause, start_key)
                                         or reading.rl_trainer and TRAINING_SIDE.isdisjoint(clause.present)):
            # `vllm_tensor_parallel_size 4`, `--rollout.tensor_model_parallel_size 2`: the generation engine's; in
            # verl or OpenRLHF, whose actor trains under FSDP or ZeRO, a TP said loosely ("it seems to happen in the
            # vllm stage, but TP_size is 8") is the rollout engine's too
            continue
        if name == "sequence_parallel" and start_key == k - 1 and words[start_key] == "cp" \
                and keys[k] == keys[start_key] + 1 and clause.tokens[keys[k]].space_before:
            continue  # "CP8", `cp=8` are Megatron's context parallelism; "cp 8 files" is the shell's copy
        setup = setup_of(clause, k)
        if name in BATCH_FIELDS and start_key < k and {"token", "tokens"}.intersection(
                words[clause.word_of(start_key)[0]:clause.word_of(start_key)[1] + 1]):
            continue  # `--token_batch 10`, `max_tokens_per_batch`: a batch counted in tokens by a script's own rule
        if name == "micro_batch" and start_key < k and words[start_key] in ("per", "each") and start_key \
                and words[start_key - 1] in NOT_SAMPLES and (keys[start_key - 1] == keys[start_key] or clause.tokens[
                    keys[start_key] - 1].text not in (",", ";", "(", ")", ":", "=", ".")):
            continue  # `num_worker_per_gpu: 16`, "4 threads per GPU": a count per GPU of something else
        if name in BATCH_FIELDS and words[end + 1:end + 2] and words[end + 1] in DURATION_WORDS:
            continue  # "the batch size is 350 seconds": audio per batch (fairseq's max_tokens), not a count of samples
        if name in ("batch", "global_batch", "micro_batch") and words[end + 1:end + 2] in (["tokens"], ["token"]) \
                and clause.word_of(end + 1) == (end + 1, end + 1):  # (not the next flag's `--token_batch`)
            # "global batch 4M tokens", "the paper used batch 0.5M tokens": tokens per update, not samples; with a
            # K/M/B suffix both readings are kept (4M is 4,000,000 or 4 × 2^20), the sequence length decides
            reading.set(Read("batch_tokens", _token_counts(value, u, scaled), clause.text(keys[start_key], keys[end + 1]),
                             setup))
            continue
        if name == "num_gpus" and start_key < k and words[end + 1:end + 2] == ["total"] and prev is not None \
                and prev.text == "(" and "per" in words[max(0, start_key - 8):start_key]:
            name = "global_batch"  # "2 images per GPU on 8 GPUs (16 total)": the batch over the GPUs, not a count
        if name == "batch" and start_key < k and start_key and words[start_key - 1] == "sub":
            # "a sub-batch size of 4 … the total batch size accumulated to 1,024" (review 89 #27): the piece a step
            # computes at a time, not the batch an update learns from
            name = "micro_batch"
        if name == "batch" and (words[end + 1:end + 2] in (["total"], ["overall"], ["combined"])
                                or words[end + 1:end + 3] == ["in", "total"]):
            name = "global_batch"  # "batch 256 total", "the batch size is 64 overall": over all GPUs
        if name in ("batch", "global_batch") and start_key < k and words[end + 1:end + 2] == ["each"] \
                and (reading.get("num_gpus") or 0) != 1 and "total" not in words[start_key:k]:
            name = "micro_batch"  # "4 GPUs with batch 64 each": each GPU's batch
        if name == "batch" and start_key < k and _each_gpu_runs(words, start_key):
            name = "micro_batch"  # "each card runs batch size 8", "each GPU is running a batch size of 8"
        if name == "params" and not u and value < 1e5:
            continue
        if name == "trainable_params" and words[end + 1:end + 2] == ["of"] and end + 2 < len(keys) \
                and clause.tokens[keys[end + 2]].is_num and (clause.tokens[keys[end + 2]].value or 0) > scaled:
            # Unsloth's banner, "Trainable parameters = 66,060,288 of 4,073,997,824 (1.62% trained)": the model's
            # whole count after the trained share
            reading.set(Read("params", float(clause.tokens[keys[end + 2]].value),
                             clause.text(keys[start_key], keys[end + 2]), setup))
        if name == "image_size" and words[start_key] == "input" and value > MAX_INPUT_SIDE:
            continue  # `input_size = 5000` beside nn.Linear(input_size, output_size): a layer's width, not an image's
        if name == "image_size" and start_key > k and k >= 2 and words[k - 1] in ("x", "*") \
                and clause.tokens[keys[k - 2]].is_num and k >= 4 and words[k - 3] in ("x", "*"):
            continue  # "320x150x26 pixels": a volume's last side, not an image's size
        if name == "lora_rank" and words[start_key] == "rank" and not PROCESS_RANKS.isdisjoint(
                words[clause.word_of(start_key)[0]:start_key] + words[max(0, start_key - 1):start_key]):
            continue  # `NODE_RANK=1`, `--local_rank 0`, "the global rank": a process's number, not LoRA's rank
        if name == "lora_rank" and words[start_key] in ("r", "rank") and not (
                clause.present & {"lora", "qlora", "peft", "adapter", "adapters", "loras"} or reading.get("adapter")):
            continue  # "R_50_FPN" is a ResNet-50, "rank 0" a process: a LoRA rank needs LoRA said nearby
        if name == "zero_stage" and not clause.present & {"zero", "deepspeed", "ds"} \
                and not (_json_key(clause, start_key, k) and (reading.deepspeed or reading.get("parallelism") == "zero")):
            # "on monolingual data (stage 1)": a stage of training, not of ZeRO (but a DeepSpeed JSON's `"stage": 2`,
            # alone on its line under "zero_optimization", is ZeRO's)
            continue
        if name == "zero_stage" and _alternative_stage(clause, key):
            continue  # "zero_stage2&3", "ZeRO 2/3": both tried, neither the one asked about
        if name == "zero_stage" and _key_goes_on(clause, end) and words[end + 1] in STAGE_SETTING_PARTS:
            continue  # `zero3_init_flag: true`: a setting of stage 3, not the stage
        if name == "zero_stage" and _asked_about(clause, start_key, end - start_key + 1):
            # "ZeRO-2 … should I switch to zero3?": the stage asked about, not the one in use
            reading.ask_about(name, int(value), clause.text(keys[start_key], text_end))
            continue
        if _weighed_in_question(clause, start_key if start_key <= k else _named_from(words, k)):
            continue  # "keep lr 1e-5, divide it by 4, or use gradient_accumulation_steps=4?": an option, not the run
        if name in BATCH_FIELDS + ("grad_accum_steps",) and (
                keyed is None and not in_flag(clause, keys[start_key]) and _equivalence_asked(clause)
                and not _own_side_of_equivalence(clause, k) or _runs_contrasted(clause)
                # ("per_device_train_batch_size=1, gradient_accumulation_steps=8 的效果和 per_device_train_batch_size=4,
                # gradient_accumulation_steps=2 的效果一样吗": the same key twice, two settings weighed - review 52 #10)
                or keyed is not None and not in_flag(clause, keys[start_key]) and words.count(words[start_key]) >= 2
                and _equivalence_asked(clause)):
            # "is bs 8 + grad accum 4 exactly the same as bs 32": two settings compared in words, neither the run
            # (flags compared, `--batch_size 8 --accumulate_gradients 8`, are usually ones the user ran); kept to pair
            if float(scaled).is_integer() and 1 <= scaled <= MAX_COMPARED_VALUE \
                    and len(reading.compared_numbers) < MAX_COMPARED:
                reading.compared_numbers.append(("grad_accum_steps" if name == "grad_accum_steps" else "batch",
                                                 int(scaled), k))
            continue
        if name == "grad_accum_steps" and (u in ("k", "m", "b") or words[end + 1:end + 2] in (["tokens"], ["token"])):
            continue  # "accumulate to 4M tokens": the batch accumulation would reach, not a count of steps
        if name == "grad_accum_steps" and not keyed and words[start_key] in ("accumulate", "accumulating") \
                and k == start_key + 1 and clause.end < len(clause.tokens) and clause.tokens[clause.end].text == "?":
            continue  # "accumulate 4 or lower the lr?": a plan the user weighs, not the run's accumulation
        if name == "grad_accum_steps" and not keyed and words[k - 1:k] == ["to"] and k - 1 > start_key and (
                ("batch" in reading.reference and reading.reference["batch"].value == value)
                or clause.end < len(clause.tokens) and clause.tokens[clause.end].text == "?" and "or" in clause.present):
            continue  # "should I accumulate to 1024 or use 256?": the batch it would reach, not a count of steps
        if name == "grad_accum_steps" and start_key < k \
                and set(words[clause.word_of(start_key)[0]:start_key]) & {"eval", "evaluation", "predict", "test"}:
            continue  # `eval_accumulation_steps=…,#1`: how often evaluation moves its outputs to the CPU (review 82 #20)
        if name == "precision_bits" and not (prev is not None and prev.text in ("=", ":") or in_flag(clause, keys[start_key])):
            continue  # `precision=16`, `--precision 32`: a setting; "the precision of 16 digits" is none
        if name == "warmup_steps" and (u in ("%",) or (end + 1 < len(words) and words[end + 1] in ("epoch", "epochs", "%"))
                                       or "ratio" in words[start_key:k]):
            continue  # "warmup of 5 epochs", "warmup 10%": not a count of steps
        if name != "seq_len" and start_key < k and any(_bound_mark(clause.tokens, t)
                                                      for t in range(keys[start_key] + 1, keys[k])):
            # "Gradient Accumulation > 1", "batch size < 8": a bound said, not the setting's value (but "for sequence
            # length > 8192 … OOM" is the length that ran out)
            continue
        if name == "seq_len" and start_key < k and set(words[clause.word_of(start_key)[0]:start_key]) & NOT_THE_SEQUENCE:
            continue  # `max_completion_length`, `max_output_length`, `max_token_length`: a part of it, or another text
        if name == "seq_len" and start_key < k and any(clause.tokens[t].text == "," for t in range(keys[start_key], keys[k])):
            continue  # "1 channel input, 4 classes": a comma parts the cue from the number, which is another's
        if name == "seq_len" and scaled < MIN_SAID_LENGTH and words[start_key] in ("context", "ctx"):
            continue  # "1 question, 1 positive context and 1 hard negative context" (review 67 #6): passages counted
        if name == "seq_len" and k > start_key and k + 1 < len(words) and words[k + 1] in SECONDS_WORDS:
            continue  # "a context of 6 seconds (300 tokens)": audio's length in time, not its tokens
        if name == "seq_len" and "input" in words[start_key:k] and "output" in clause.present:
            continue  # `max_input_length: 128`, `max_output_length: 256`: a decoder's sequence is both together
        if name == "lr" and clause.word_of(start_key)[0] < start_key and start_key < k \
                and words[start_key - 1 if words[start_key - 1] not in ("_", ".") else start_key - 2] in OTHER_LRS:
            continue  # `unet_lr = 4e-5`, `min_lr`, `warmup_lr`: a part's or a schedule end's LR, not the run's
        if name in BATCH_FIELDS and start_key < k and not keyed and key - 1 > keys[start_key] \
                and clause.tokens[keys[start_key] + 1].text == "[" and words[start_key] == "batch":
            continue  # MXNet's "Epoch[0] Batch [15920-15940] Speed: 27.11 samples/sec": a log's batch counter
        if name == "num_generations" and start_key < k and clause.word_of(start_key)[0] < start_key:
            continue  # DeepSpeed's `"sub_group_size": 1e6`: a part of another key, no GRPO group
        if name == "lr" and (_in_arithmetic(clause, key) or result is not None
                             or (end + 1 < len(words) and words[end + 1] in GPU_WORDS)):
            continue  # "base_lr = 0.1 * batch_size / 256", "lr = 1 GPU's lr * 8": a rule worked out, not set
        if name == "lr" and _log_line(clause):
            continue  # "{'loss': 1.6692, 'learning_rate': 1.36e-07}": the schedule's value at a step, not the LR set
        if name == "batch" and start_key < k and "node" in words[k + 1:k + 4] and {"each", "per"} & set(words[k + 1:k + 4]):
            continue  # "batch_size = 256 on each node": a node's share, neither per device nor over all GPUs
        if name in ("batch", "global_batch") and not keyed and setup == "user" and (reading.get("num_nodes") or 0) >= 2 \
                and _each_said_of(clause, min(start_key, k)) \
                and not hardware.NODE_WORDS.isdisjoint(clause.present) and float(scaled).is_integer():
            # "when I using 8 nodes to train the model, each is 8x2=16 batch size": a node's batch, the nodes' sum
            # the batch per update
            nodes = reading.get("num_nodes")
            last = end if start_key < k else start_key + (words[start_key + 1:start_key + 2] == ["size"])
            said = clause.text(keys[min(start_key, k)], keys[min(len(keys) - 1, last)])
            fill(reading, "global_batch", scaled * nodes, "", said, setup)
            continue
        if name == "num_gpus" and start_key > k and words[start_key] in ("devices", "device") \
                and _gpus_on_each_device(words):
            name = "num_nodes"  # "two devices and 8 gpu on each devices" (review 86 #8): the devices are machines
        if name == "num_nodes" and start_key > k and ("layer" in words[start_key + 1:start_key + 4]
                                                      or not LAYER_WORDS.isdisjoint(words[max(0, k - 12):k])):
            continue  # "768 nodes per layer", "each hidden layer has 1024 and 512 nodes": a network's units, not machines
        if name == "epochs" and start_key > k and (words[start_key + 1:start_key + 3] in (["for", "warmup"],
                                                                                         ["of", "warmup"])
                                                   or words[k - 1:k] == ["warmup"] and keys[k] == keys[k - 1] + 1
                                                   or words[max(0, k - 3):k - 1] in (["warmup", "for"], ["warmup", "of"])):
            # "using 10 epochs for warmup", "warmup for additional 5 epochs" (review 85 #19): the warmup's length
            continue
        if name == "num_nodes" and not keyed and (scaled > MAX_MACHINES or not GRAPH_WORDS.isdisjoint(clause.present)):
            continue  # "my dataset (10242 nodes)", "a graph with 400k nodes and 2M edges": a graph's, not machines
        if name == "dataset_size" and start_key > k and _each_gpus(words, start_key + 1) \
                and _unbroken(clause, start_key, 2) == 2 and "batch" not in words[start_key + 3:start_key + 5]:
            # (not "50,000 examples, per_device_train_batch_size 8": a data set, then the next setting's name)
            name = "micro_batch"  # "4 samples per card", "8 images to each gpu": the batch each GPU runs
        elif name == "dataset_size" and start_key > k and words[start_key + 1:start_key + 4] == ["at", "a", "time"]:
            if reading.in_planning_sentence and not reading.in_personal_sentence:
                # "does it mean each GPU gets only 4 images at a time?": a reading asked about (not "we compute 16
                # pictures at a time … is that right?": the user's own run, to confirm)
                continue
            name = "micro_batch"  # "we compute 16 pictures at a time": the batch one pass runs
        elif name == "dataset_size" and k >= 1 and words[k - 1] in REMAINDER_WORDS:
            continue  # "should I drop the last 72 images every epoch?" (review 71 #3): what an epoch leaves over
        elif name == "dataset_size" and start_key > k and (words[start_key + 1:start_key + 3] == ["at", "once"]
                                                            or k and words[k - 1] in FED):
            continue  # "not enough memory to compute 64 pictures at once", "I feed 30 pictures of size 480*528 to
            # the PSPNet": what one pass is given, not the data set
        elif name == "dataset_size" and start_key > k and words[start_key + 1:start_key + 3] == ["per", "epoch"]:
            pass  # "5k samples per epoch": the data set
        elif name == "dataset_size" and start_key > k and "batch" in words[start_key + 1:start_key + 4] \
                and words[start_key + 1] in IN_A_BATCH and _unbroken(clause, start_key, 2) == 2:
            # "only fit 10 images in a batch (in total)": a batch, not the data set (but "120,000 examples with
            # batch 32" and "10,000 samples, batch 64" are the data set, and then the batch)
            name = "global_batch" if "total" in words[start_key + 1:start_key + 7] else "batch"
        elif name == "dataset_size" and start_key > k and start_key + 1 < len(words) and words[start_key + 1] == "per" \
                and _unbroken(clause, start_key, 2) == 2:
            continue  # "256 images per forward", "7000 samples per second": a batch or a rate, not the data set
        elif name == "dataset_size" and start_key > k and words[start_key + 1:start_key + 3] in (["for", "each"],
                                                                                               ["for", "every"]):
            continue  # "on average 110 captions for each image" (review 81 #17): a ratio, not the data set
        if name == "planned_steps" and reading.in_question and (
                result is not None or keys[k] - 1 >= clause.start and clause.tokens[keys[k] - 1].text == "="):
            continue  # "Shouldn't it be 800,000 / 3 / 24 = 11,112 steps?": the user's own arithmetic, checked - no plan
        if name == "planned_steps" and reading.in_question and {"epoch", "epochs"} & set(words[max(0, k - 6):k]):
            continue  # "does each epoch have 500,000 steps or 2 million steps?": an epoch's count asked, no plan
        if name == "planned_steps" and start_key > k and (
                _point_in_run(words, k) and RESULT_WORDS.isdisjoint(words[start_key + 1:start_key + 8])
                or value < 1000 and u not in ("k", "m") and not _trained_for(words, k)
                or k >= 1 and clause.ends_a_range(keys[k]) and _point_in_run(words, k - 1)  # ("at 3000-10000 iters")
                or words[start_key + 1:start_key + 2] in (["of"], ["per"], ["/"])
                or not {"warmup", "warmups", "warm", "warms", "warming", "warmed"}.isdisjoint(words[max(0, k - 3):k])):
            continue  # "after 200 steps", "every 500 steps", "300 steps of warmup", "10 steps per second", "only warm
            # up for 1000 steps": no run's length (but "after 160k iterations, mIoU only reaches 55": the length the
            # run's result was read at - review 66 #7)
        if name == "epochs" and keys[end] + 1 < clause.end and clause.tokens[keys[end] + 1].kind == "word" \
                and not clause.tokens[keys[end] + 1].space_before \
                and not clause.tokens[keys[end] + 1].text.startswith(("epoch", "ep")):  # (but a tag's "…_3epochs")
            continue  # "epochs of 3d_cascade_fullres": the number begins a name (3d, 2d), no count of epochs
        if name == "epochs" and (words[end + 1:end + 3] in (["and", "later"], ["and", "after"], ["and", "on"])
                                 or words[end + 1:end + 2] in (["onwards"], ["onward"])
                                 or start_key > k and words[k - 1:k] == ["first"]
                                 or start_key > k and words[k - 1:k] and words[k - 1] in EPOCHS_DONE):
            # "epochs 2 and later take 212 seconds", "from epoch 5 onwards", "runs OK for the first 12 epochs": a point
            # in the run, not its length ("after 80 epochs mAP50 is 0.42" is what the run trained); "able to complete 1
            # epoch", "the time to complete 1 epoch", "4 GPUs finishing 75 epochs per day": how far it got, or a pace
            continue
        if name == "epochs" and start_key > k and keys[k] > clause.start \
                and clause.tokens[keys[k] - 1].text.lower() in ("every", "each", "these", "those"):
            continue  # "training stalls every 3 epochs", "每3个epoch": a period of the run, not its length; "these 3
            # epochs are fast" ("这3个epoch会很快"): the epochs just named again (review 77 #22)
        if name == "epochs" and start_key > k and _inside_a_name(clause, keys[k]):
            continue  # "whisper-large-v3-ct2-10epoch": a checkpoint's name, no count of the run's epochs (review 66 #17)
        if name == "epochs" and start_key > k and value == 1 \
                and words[k - 1:k] in (["for"], ["per"], ["each"], ["in"]) \
                and not TAKES_WORDS.isdisjoint(words[start_key + 1:start_key + 6]):
            continue  # "for 1 epoch, it will take 15mins, so for training 300 epoch": a time's unit (review 66 #2)
        if name == "epochs" and start_key > k and _point_in_run(words, k) and not FAILURE_HINTS.isdisjoint(words):
            continue  # "after 3 epochs the script is killed because GPU is out of memory": where the run failed, not
            # how long it was planned to be
        if name == "epochs" and start_key < k and not POLICY_EPOCHS.isdisjoint(
                words[clause.word_of(start_key)[0]:clause.word_of(start_key)[1] + 1]):
            continue  # PPO's `--update_epochs=8`, `ppo_epochs`: passes over each rollout; `--validation_epochs`: a period
        if name == "epochs" and start_key < k and "min" in words[clause.word_of(start_key)[0]:start_key + 1]:
            continue  # Lightning's `min_epochs = 1` beside `max_epochs = 50`: a floor, not the run's length
        if name == "epochs" and (words[start_key - 1:start_key] == ["warmup"] or words[start_key - 2:start_key]
                                 == ["warm", "up"] if start_key < k else not WARMUP_WORDS.isdisjoint(words[k + 1:start_key])):
            continue  # `warmup_epochs: 5`, "warm-up epochs should be 40", "5 warmup epochs": the warmup's length
        if name == "dataset_size" and scaled <= SMALLEST_DATA_SET and any(
                m.value == scaled for m in reading.batch_mentions if m.setup == "user"):
            continue  # "batchsize: 32 … do we always use 32 sentences for training?": the batch said again
        if name == "dataset_size" and start_key > k and "_" in clause.tokens[keys[start_key]].text \
                and any(clause.tokens[t].text == "," for t in range(keys[end] + 1, keys[start_key])):
            continue  # "global_step=9e+3, consumed_samples=6.3e+5": the next key's noun, not this number's unit
        if name == "dataset_size" and start_key > k and _per_time(clause, keys[start_key] + 1):
            continue  # "7000 samples/s", "320 img/sec": a rate
        if name == "dataset_size" and words[k - 1:k] in (["every"], ["each"], ["per"]):
            continue  # "logging should happen every 80 samples": a period of the run, not the data set
        if name == "dataset_size" and (_per_step_said(words, k) or words[start_key + 1:start_key + 3] in (
                ["are", "passed"], ["were", "passed"], ["passed", "between"])
                or start_key > k and words[start_key + 1:start_key + 2] in (["in"], ["per"])
                and not STEP_WORDS.isdisjoint(words[start_key + 2:start_key + 4])):
            # ("fit 64 examples in a step", "32 samples per step": what a step holds)
            continue  # "as if between each step, 640 samples are passed": what a step consumes, not the data set
        if name == "dataset_size" and (times or (GPU_WORDS & set(words[max(0, k - 4):k])
                                                 and {"each", "per"} & set(words[max(0, k - 5):k]))):
            continue  # "100x16 samples" (samples seen), "each GPU loads 30 examples" (a batch): not the data set
        first = keys[min(start_key, k)]
        last = keys[max(end, start_key)] if start_key > k else text_end
        if name == "micro_batch" and start_key > k and _each_gpus(words, start_key + 1):
            last = keys[_each_gpus(words, start_key + 1)]  # "16 images per GPU": the words say whose batch it is
        text = clause.text(first, max(last, text_end))
        if name in ("batch", "micro_batch", "global_batch") and batches.declined_change(clause, k):
            continue  # "without reducing my batch size to 1": a change the user will not make
        if name in ("batch", "micro_batch", "global_batch", "seq_len", "image_size") and batches.in_change(words, k) \
                or name in ("batch", "micro_batch", "global_batch", "seq_len", "grad_accum_steps", "lr", "num_gpus") \
                and batches.arrow_after(clause, k):
            continue  # "from 32 to 256", "32 -> 256", "accumulation 1 -> 4": a change, read as one
        if name in ("batch", "micro_batch", "global_batch") and not keyed and start_key < k \
                and words[start_key - 1:start_key] in (["last"], ["final"], ["remaining"], ["leftover"], ["partial"]) \
                and words[start_key + 1:start_key + 2] not in (["size"], ["sizes"]):
            # "the last batch is only 16": what an epoch leaves over, not the batch the run uses (but "a final batch
            # size of 32" is the batch wanted)
            continue
        if name in ("batch", "micro_batch", "global_batch") and not keyed and _compared(clause, key):
            continue  # "with batch size >= 8", "a batch size larger than 2": a bound, not a batch run
        if name in ("batch", "micro_batch", "global_batch", "num_gpus") and not keyed \
                and _in_sweep(clause, key, alternatives=name != "num_gpus"):
            _several_counts(clause, reading, name, k, value)
            continue  # "I tried batch sizes of 32, 64, 128 and 200", "with 1, 2, 4 and 8 GPUs": a sweep, none the run
        if name in ("num_gpus", "num_nodes") and not keyed and _counts_compared(clause, k):
            _several_counts(clause, reading, name, k, value)
            continue  # "12 nodes > 6 nodes > 2 nodes > 1 node": setups compared, none of them the run
        if name == "num_gpus" and (hardware.found_by_an_error(words, k) or hardware.gpu_time(words, k)):
            continue  # (and "200 GPU-hours": time, not GPUs)
        if name == "num_gpus" and k >= 1 and words[k - 1] in ("other", "remaining", "rest"):
            continue  # "the first GPU … while the other 3 GPUs use ~20GB": some of the run's GPUs, not their number
        if name == "num_gpus":
            name, scaled = hardware.gpu_count(clause, k, int(scaled) if float(scaled).is_integer() else 0)
            if hardware.serving(words, max(k, start_key)):
                continue  # "24 GPUs for training and 8 GPUs for vLLM": the 8 generate, they train nothing
        if name == "num_gpus" and setup == "user" and hardware.compared_with(clause, k) \
                and words[max(0, k - 2):k] not in (["more", "than"], ["less", "than"], ["fewer", "than"]):
            setup = "reference"  # "… or the lr to match the 8-GPU run?", "slower than 8 GPUs": the run compared with
            if reading.tuned_on is None and "same" in words[end + 1:end + 5] and not {"lr", "learning"}.isdisjoint(
                    clause.present):
                # "should my lr be scaled compared to running on 1 GPU with the same settings (lr 2e-5)?": the LR
                # belongs to those settings on that count
                reading.tuned_on = Read(name, scaled, text, "reference")
        if name in ("num_gpus", "num_nodes") and setup == "user" and _made_for(words, k):
            setup = "reference"  # "As the default script is for 8 gpus" (review 79 #11): what a script was written for
        if name in ("num_gpus", "gpus_per_node", "num_nodes") and (hardware.lacked(words, k) or _tuned_on(words, k)):
            # "I don't have access to 32 GPUs": the count someone else ran with, not theirs; "the LR was tuned on 8
            # GPUs": the setup the LR belongs to
            setup = "reference"
            if _tuned_on(words, k) and reading.tuned_on is None:
                reading.tuned_on = Read(name, scaled, text, "reference")
        if keyed is None and name == "global_batch" and words[start_key] == "train" and not batches.json_key(clause, start_key) \
                and not batches.deepspeeds_key(clause, reading) and layouts.SAID_TOTAL.isdisjoint(words[start_key:k]):
            # `--train_batch_size` of a training script is per device; DeepSpeed's key is global (and so is one the
            # user glosses: "train_batch_size(global batch size)=64")
            name = "batch"
        if name in ("batch", "global_batch") and keyed is None and words[end + 1:end + 2] in (["/"], ["per"]) \
                and words[end + 2:end + 3] in (["gpu"], ["device"], ["card"]):
            name = "micro_batch"  # "8 images per batch (4/gpu)": each GPU's batch, beside the total
        if name == "batch" and setup == "user" and _fit_limit(words, start_key) and float(scaled).is_integer():
            # "I can't fit more than batch size 10 on an 80GB A100": the largest batch that fits, the user's own
            reading.set(Read("max_micro_batch", int(scaled), text))
            continue
        if name == "batch" and "than" in words[max(0, start_key - 3):start_key]:
            setup = "reference"  # "worse than batch 128": the batch compared with
        # (a script's default is the recipe's, unless the user says they set it: "I changed BATCH_SIZE=${…:-16}")
        qualified = shell_default and not reading.in_personal_sentence \
            or batches.said_as_default(words, min(start_key, k), k)
        if qualified and name in BATCH_FIELDS and start_key < k and "to" in words[start_key:k]:
            fill(reading, name, scaled, u, text, setup, keyed=keyed is not None)  # "set X to the original 2048"
        if qualified and name in BATCH_FIELDS and setup == "user" and reading.in_personal_sentence \
                and segment_mood(clause, key) == "fail":
            # "with the default batchsize=64 I get an OOM error, and with -bs 32 it works": the default the user ran
            fill(reading, name, scaled, u, text, setup, keyed=keyed is not None, mood="fail")
            setup = "reference"
        elif qualified:
            setup = "reference"  # "the default batch size of 32", "the original 2048"
        elif name in BATCH_FIELDS and batches.lr_batch(words, min(start_key, k)):
            # "lr=0.03 for batch 256", "the learning rate for batch size 256", "lr is 1e-4 for 8x2=16 batch size":
            # the LR's batch
            setup = "reference"
        elif name in BATCH_FIELDS and setup == "user" and keyed is None and words[start_key] in ("batch", "bs") \
                and start_key >= 1 and (
                words[start_key - 1] == "than" or start_key >= 2 and words[start_key - 2] == "than"
                and words[start_key - 1] in ("with", "at", "using")):
            setup = "reference"  # "much worse than with batch 256 total": the run compared with (in prose: two of the
            # user's own settings compared, "`bs=1` gives a higher loss than `bs=8`", are both theirs)
        elif name in BATCH_FIELDS and not reading.in_personal_sentence and \
                any(r.value == scaled for f, r in reading.reference.items() if f in BATCH_FIELDS):
            setup = "reference"  # "the document suggests batch 14 … why does batch size 14 fail?": the same one
        if name in BATCH_FIELDS and scaled >= 100_000 and (
                "tokens" in words[max(0, k - 3):k] or "audio" in words[end + 1:end + 8]):
            continue  # fairseq's "max tokens 1.4M samples per GPU (~87.5s audio)": a budget of audio samples, no batch
        if name in BATCH_FIELDS and words[max(0, start_key - 2):start_key] == ["equivalent", "to"] \
                and reading.get("grad_accum_steps") and "batch_from" not in reading.values:
            # "when I increase gradient accumulation steps to 4 (equivalent to batch size of 128)": the product of the
            # user's own settings, worked out - no batch said of its own, nor a change of the per-device one
            continue
        mood = segment_mood(clause, key) if name in BATCH_FIELDS or name in MOOD_FIELDS else ""
        # (a run length under a config key, `num_iters = 500000`, is the run's, whatever "5000 iterations" timed)
        said_as_key = name == "planned_steps" and start_key < k and "_" in clause.tokens[keys[start_key]].text \
            or name == "epochs" and start_key < k and (in_flag(clause, keys[start_key])
                                                       or clause.tokens[keys[start_key] + 1].text in ("=", ":"))
        # (`--epochs 5`, `epochs=200`: the run's setting, over "not even 1 epoch" in prose)
        if name in SHAPE_RANGES or name in LENGTH_FIELDS:
            # `n_layer = 12`, `"hidden_size": 4096`, `--num-layers 36`: a model's shape only as a setting gives it
            # (not "the hidden size of an LSTM of 512 is..." in prose); a length set by `--max_seq_length 512` is the
            # run's, over one said in prose
            cue = keys[start_key]
            said_as_key = start_key < k and ("_" in clause.tokens[cue].text or in_flag(clause, cue))
        if name in BATCH_FIELDS and setup == "user" and _which_another_uses(words, max(end, start_key)):
            setup = "reference"  # "batch_size=128, which is what `launch_dns.sh` uses" (review 75 #8): the script's
        fill(reading, name, scaled, u, text, setup, qualified, keyed=keyed is not None or said_as_key, mood=mood)
        if name == "global_batch" and setup == "user" and reading.batch_kept is None and float(scaled).is_integer() \
                and not KEEPING.isdisjoint(words[max(0, start_key - 4):start_key]):
            # "I'd divide grad accum by 4 to keep the effective batch at 64": the batch per update stays; what
            # changes is how it is split into micro-batches
            reading.batch_kept = Read("global_batch", int(scaled), text)
        if name == "micro_batch" and setup == "user" and words[end + 1:end + 2] in (["fits"], ["works"]) \
                and float(scaled).is_integer():
            # "per gpu 32 fits (64 OOMs)": the run's micro-batch is one the user says fits (the OOM was another's)
            reading.set(Read("max_micro_batch", int(scaled), clause.text(keys[start_key], keys[end + 1])))
        if name in BATCH_FIELDS and setup == "user" and _same_as_reference(words, k) and float(scaled).is_integer() \
                and scaled >= 1:
            # "the same batch size (128) as yours", "with the same setting, batch_size=32": the user's value is
            # also the reference's
            reading.reference.setdefault("batch", Read("batch", int(scaled), text, "reference", sentence=reading.sentence))


KEEPING = frozenset({"keep", "keeping", "kept", "maintain", "maintaining", "preserve", "preserving", "hold", "holding"})


# the parts of a key that sets something of a ZeRO stage rather than naming it (`zero3_init_flag`,
# `stage3_gather_16bit_weights_on_model_save`, `stage3_prefetch_bucket_size`)
STAGE_SETTING_PARTS = frozenset({"init", "save", "gather", "max", "prefetch", "param", "params", "live", "persistence",
                                 "threshold", "reuse", "distance", "sub", "group", "bucket", "module", "leaf"})
OFF_LINKS = frozenset({"turned", "switched", "is", "are", "was", "were", "and", "both", "kept", "left", "all"})


def _turned_off_after(words: list[str], end: int) -> bool:
    """Whether the words after a setting (from key `end`) turn it off: "fsdp is disabled", "with fsdp and EMA turned
    off" (one other setting's name may follow 'and')."""
    later = words[end:end + 6]
    stop = next((i for i, w in enumerate(later) if w in ("off", "disabled")), None)
    return stop is not None and all(w in OFF_LINKS or i > 0 and later[i - 1] == "and"
                                    for i, w in enumerate(later[:stop]))


OPTIMIZER_WORDS = frozenset({"optimizer", "optimizers", "optim", "adam", "adamw", "states", "state"})


def _key_goes_on(clause: Clause, k: int) -> bool:
    """Whether the word at key k is glued by '_' to a next word ("zero3" in `zero3_init_flag`)."""
    t = clause.keys[k]
    return k + 1 < len(clause.words) and t + 2 < clause.end and clause.tokens[t + 1].text == "_" \
        and not clause.tokens[t + 1].space_before and clause.keys[k + 1] == t + 2


NOT_SAMPLES = frozenset({"worker", "workers", "thread", "threads", "process", "processes", "proc", "procs", "env",
                         "envs", "node", "nodes", "seed"})  # what else is counted per GPU


SETS_A_VALUE = {"uses", "used", "use", "using", "set", "sets", "recommend", "recommends", "suggest", "suggests",
                "chose", "choose", "is", "was", "s", "of", "with", "at", "to", "=", ":", "'", "trains", "trained"}
ENDS_A_VALUE = {",", ".", ";", "?", "!", ")", "—", "–", "and", "or", "but", "while", "vs", "instead", "with", "on", "for",
                "at", "mentioned", "reported", "stated", "given", "used", "in"}
# ("the paper used 1024 with lr 0.1", "… 512 on 8 GPUs", "rather than the 256 mentioned in the paper")


def _listed_after(clause: Clause, cue_key: int, number: int) -> bool:
    """Whether a comma, a semicolon, 'and' or an opening bracket stands between the cue at key cue_key and the
    number's token ("64 GPUs (16 nodes of 4 V100s)": the 16 is the nodes')."""
    return any(clause.tokens[t].text in (",", ";", "and", "(") for t in range(clause.keys[cue_key] + 1, number))


def _their_bare_batch(clause: Clause, reading: Reading, k: int, end: int, value: float) -> bool:
    """Whether the number at key k, with no cue of its own, is a reference's batch: said in a reference's words
    ("the paper uses 512", "Devlin et al.'s 256"), closing a phrase (a mark or 'and' follows, not a noun), when
    the quantity last named, in this clause or before it, is the batch."""
    if setup_of(clause, k) != "reference" or not float(value).is_integer() or not 1 <= value <= 10**6:
        return False
    words = clause.words
    # the quantities named before it, leaving out a noun that already has its number ("across 8 GPUs")
    # ("the epoch is set to 30" names the epochs too, though not "8h per epoch")
    named_here = [words[j] for j in range(max(0, k - 20), k) if (words[j] in batches.TOPICS or words[j] == "epoch"
                                                                  and (j == 0 or words[j - 1] not in ("per", "each", "every")))
                  and not (j > 0 and clause.tokens[clause.keys[j - 1]].is_num)]
    other = next((j for j in range(k - 1, max(-1, k - 8), -1) if words[j] in STEP_NOUNS
                  or words[j] in batches.OTHER_QUANTITIES), None)
    if other is not None and not any(words[j] in batches.TOPICS for j in range(other, k)):
        return False  # "the paper sets training iters to 20000": another quantity named nearer than the batch
    # the last one that can take this value ("what lr, paper used 4096 with lr 1e-3": 4096 is no LR)
    topic = (batches.last_topic([batches.TOPICS.get(w, "epochs") for w in named_here], value) if named_here else "") \
        or batches.last_topic(reading.topics, value)
    if topic == "" and _bare_use(clause, reading, k, end, value):
        return True  # "the paper used 512, I'll use 512": to a batch-size advisor, a number used bare is a batch
    compared = k >= 2 and words[k - 1] in ("your", "their", "the") and words[k - 2] in ("than", "vs", "versus", "to")
    if topic != "batch" or k == 0 or words[k - 1] not in SETS_A_VALUE and not compared:
        return False  # "the authors got 81": a result, not a setting ("much smaller than your 16": their batch)
    if not RESULT_NOUNS.isdisjoint(words[max(0, k - 8):k]) and not named_here:
        return False  # "the result reported in your paper is 63": a result, though the batch was named before
    t = clause.keys[end]
    nxt = clause.tokens[t + 1].text.lower() if t + 1 < clause.end else "."
    return nxt in ENDS_A_VALUE


USE_WORDS = frozenset({"use", "used", "uses", "using"})
STEP_NOUNS = frozenset({"iters", "iter", "iterations", "iteration", "steps", "step", "updates", "max_iters"})
POLICY_EPOCHS = frozenset({"update", "ppo", "policy", "rollout", "critic", "actor",  # (the parts of such a key)
                           # diffusers' `--validation_epochs=25`, `save_epochs`, `eval_epochs`: how often, not how long
                           "validation", "val", "eval", "save", "checkpointing", "log", "logging",
                           # an LR schedule's milestones, PaddleClas' `decay_epochs: [30, 60, 90]`: points in the run
                           "decay", "milestone", "milestones", "step", "steps", "lr"})
RESULT_NOUNS = frozenset({"result", "results", "accuracy", "acc", "score", "scores", "map", "miou", "bleu",
                          "performance", "metric", "metrics", "f1", "auc", "wer", "fid"})
CLOSES_A_BARE_VALUE = frozenset({",", ".", ";", "?", "!", ")", "and", "but", "too", "instead", "as"})


def _bare_use(clause: Clause, reading: Reading, k: int, end: int, value: float) -> bool:
    """Whether the number at key k is "used" bare - 'the paper used 512', "I'll use 512 too" - in a message that has
    named no quantity yet, closing its phrase: the batch the whole exchange is about."""
    words = clause.words
    if k == 0 or words[k - 1] not in USE_WORDS or reading.topics or clause.present & batches.TOPICS.keys() \
            or not float(value).is_integer() or not 2 <= value <= 65536:
        return False
    if not COUNTED_DEVICES.isdisjoint(words[max(0, k - 8):k]):
        return False  # "using 1GPU is much higher than using 3": a count of the devices just named, no batch
    t = clause.keys[end]
    return (clause.tokens[t + 1].text.lower() if t + 1 < clause.end else ".") in CLOSES_A_BARE_VALUE


COUNTED_DEVICES = frozenset({"gpu", "gpus", "card", "cards", "node", "nodes", "device", "devices"})


def _bare_fit(clause: Clause, reading: Reading, k: int, end: int, value: float) -> bool:
    """Whether the number at key k is a batch said bare before 'fits' or 'works' ('only 32 fits', '32 fits at most',
    'batch 32 OOMs but 8 works') after the batch was the last quantity named."""
    words = clause.words
    if not (end + 1 < len(words) and words[end + 1] in ("fits", "fit", "works", "runs") and float(value).is_integer()
            and 1 <= value <= 65536) or end != k or words[k - 1:k] in (["will"], ["would"], ["does"], ["can"]):
        return False  # (a batch has no unit: "will 16k fit?" asks about a context length; a question supposes)
    if not REPORTING.isdisjoint(words[max(0, k - 3):k]):
        return False  # "if autobatch says 281 fits why does it OOM?": a tool's or a source's claim, not the user's run
    # the batch named last, before this clause or in it ("batch 32 OOMs but 8 works")
    named = [batches.TOPICS[w] for w in words[max(0, k - 12):k] if w in batches.TOPICS]
    return (named[-1:] or [batches.last_topic(reading.topics, value)]) == ["batch"]


# verbs that report what another says ("autobatch says 281 fits", "the docs claim 8 works")
REPORTING = frozenset({"says", "said", "claims", "claimed", "suggests", "suggested", "reports", "reported",
                       "estimates", "estimated", "predicts", "predicted"})
# words that start another subject between a batch noun and "is N"
OTHER_SUBJECTS = frozenset({"and", "but", "while", "loss", "accuracy", "acc", "time", "speed", "usage", "utilization",
                            "lr", "rate", "epoch", "epochs", "step", "steps"})


def _stated_batch(clause: Clause, k: int, end: int, value: float) -> str | None:
    """Whether the bare number at key k completes "<the batch …> is N": 'is' or 'was' just before it, a batch noun
    at most ten words back with no number and no other quantity between, and the phrase ending with the number."""
    words = clause.words
    if k == 0 or words[k - 1] not in ("is", "was") or not float(value).is_integer() or not 1 <= value <= 65536:
        return None
    for j in range(k - 2, max(-1, k - 12), -1):
        if clause.tokens[clause.keys[j]].is_num or words[j] in OTHER_SUBJECTS \
                or any(clause.tokens[t].text in (",", ";") for t in range(clause.keys[j] + 1, clause.keys[j + 1])):
            return None  # "the batch size is fixed and the loss is 16": another subject's value
        topic = batches.TOPICS.get(words[j])
        if topic is not None:
            t = clause.keys[end]
            nxt = clause.tokens[t + 1].text.lower() if t + 1 < clause.end else "."
            if topic != "batch" or clause.word_of(j) != (j, j) or nxt not in ENDS_A_VALUE:
                return None
            between = set(words[j:k])  # "my batch size on each GPU is 8", "the batch size for one GPU is 28"
            return "micro_batch" if between & {"each", "per", "one", "single"} and between & GPU_WORDS else "batch"
    return None


EACH_GPU_LINKS = frozenset({"for", "on", "to", "in"})  # "8 images for each GPU", "… to each gpu", "… on every card"
EACH_GPU_NOUNS = frozenset({"gpu", "card", "device"})


ANOTHERS_VERBS = frozenset({"uses", "used", "sets", "recommends", "recommended", "suggests", "suggested", "specifies",
                            "default", "defaults"})


def _which_another_uses(words: list[str], last: int) -> bool:
    """Whether a relative clause right after the value at key `last` gives it to another ("…=128, which is what the
    script uses", "…, which the README recommends"), with no word of the user's in it."""
    after = words[last + 1:last + 9]
    # (not "…=2, which is also the default in the paper": the user's value, the source's as well)
    return after[:1] == ["which"] and not ANOTHERS_VERBS.isdisjoint(after) and FIRST_PERSON.isdisjoint(after) \
        and "also" not in after


def _gpus_on_each_device(words: list[str]) -> bool:
    """Whether the words say GPUs on each device ("8 gpu on each devices", "4 GPUs per device"): devices that hold
    GPUs are machines."""
    return any(w in ("gpu", "gpus", "cards") and words[i + 1:i + 2] in (["on"], ["in"], ["per"])
               and bool({"device", "devices"} & set(words[i + 2:i + 4])) for i, w in enumerate(words))


def _clock_time(clause: Clause, t: int) -> bool:
    """Whether the number token t opens a time written with colons ("08:00", "1:23:45"): its digits glued to a ':'
    and two digits after it."""
    tokens = clause.tokens
    return t + 2 < clause.end and tokens[t + 1].text == ":" and not tokens[t + 1].space_before \
        and tokens[t + 2].is_num and not tokens[t + 2].space_before and len(tokens[t + 2].text) == 2 \
        and len(tokens[t].text) <= 2


def _each_gpus(words: list[str], i: int) -> int:
    """The key of the GPU noun when the words from key i say 'each GPU's' ("per GPU", "for each card", "to every
    device"), else 0."""
    if words[i:i + 3] == ["per", "batch", "per"]:
        i += 2  # "8 samples per batch per GPU" (review 85 #24)
    if words[i:i + 1] == ["per"]:
        noun = i + 1
    elif words[i:i + 1] and words[i] in EACH_GPU_LINKS and words[i + 1:i + 2] and words[i + 1] in ("each", "every"):
        noun = i + 2
    else:
        return 0
    return noun if words[noun:noun + 1] and words[noun] in EACH_GPU_NOUNS else 0


RUNNING = frozenset({"runs", "run", "running", "gets", "get", "getting", "takes", "take", "has", "uses", "use", "sees",
                     "trains", "processes", "is", "with", "a", "the", "of"})


def _each_gpu_runs(words: list[str], start: int) -> bool:
    """Whether the batch whose cue starts at key `start` is said of each GPU before it: "each card runs batch size 8",
    "each GPU is running a batch size of 8", "per GPU a batch of 4" (only running words between)."""
    j = start - 1
    while j >= 0 and start - j <= 4 and words[j] in RUNNING:
        j -= 1
    return j >= 1 and words[j] in GPU_WORDS and words[j - 1] in ("each", "per", "every")


SAME_WHAT = {"setting", "settings", "config", "configuration", "hyperparameters", "setup", "batch", "command"}
THEIRS = {"yours", "your", "paper", "paper's", "authors", "official", "readme", "repo", "original", "reported"}


def _same_as_reference(words: list[str], k: int) -> bool:
    """Whether the number at key k is said to be a reference's own: "the same batch size (128) as yours", "with the
    same setting, batch_size=32", "32, the same as the paper" (within eight words of it)."""
    lo, hi = max(0, k - 8), min(len(words), k + 8)
    for i in range(lo, hi):
        if words[i] != "same":
            continue
        if SAME_WHAT & set(words[i + 1:i + 3]):
            return True
        after_as = words[i + 1:i + 8]
        if "as" in after_as and THEIRS & set(after_as[after_as.index("as") + 1:after_as.index("as") + 4]):
            return True
    return False


ARITHMETIC = frozenset({"*", "/", "×"})  # not 'x': "8x A100" is a count


def _in_arithmetic(clause: Clause, t: int) -> bool:
    """Whether the number at token t is a term of a product or a quotient ('0.1 * batch_size / 256')."""
    tokens = clause.tokens
    nxt = tokens[t + 1].text if t + 1 < clause.end else ""
    prev = tokens[t - 1].text if t - 1 >= clause.start else ""
    return nxt in ARITHMETIC or prev in ARITHMETIC


def _product_result(clause: Clause, t: int, quotient: bool = False) -> int | None:
    """The token of C in 'A*B = C' (or 'A x B x C = D', or a quotient 'A/B/C = D': "accumulation steps
    1024/8/16 = 8") starting at the number at token t, if it is one."""
    tokens, u = clause.tokens, t
    for _ in range(4):
        if u + 2 < clause.end and (tokens[u + 1].text in batches.PRODUCT or quotient and tokens[u + 1].text == "/") \
                and tokens[u + 2].is_num:
            u += 2
        else:
            break
    if u > t and u + 2 < clause.end and tokens[u + 1].text == "=" and tokens[u + 2].is_num \
            and tokens[u + 2].value is not None:
        return u + 2
    return None


def _machine_size(clause: Clause, reading: Reading, k: int) -> None:
    """After the machines counted at key k ("four 8 card V100 GPUs", "two 8-gpu machines"), the GPUs each holds:
    the number after the count, read once here (it counts each machine's GPUs, not the run's)."""
    if clause.words[k + 2] in ("gpu", "card"):
        t = clause.keys[k + 1]
        fill(reading, "gpus_per_node", clause.tokens[t].value, "", clause.text(t, clause.keys[k + 2]), "user")
        clause.consumed.add(t)


def _count_of_sized_cards(clause: Clause, k: int) -> bool:
    """Whether the keys from k say a card's size and then cards: '24GB VRAM GPUs', 'times 24 GB graphics cards'."""
    words = clause.words
    if k < len(words) and words[k] in ("times", "x", "*", "×"):
        k += 1
    if k + 1 < len(words) and words[k + 1] in ("gpus", "cards") and not clause.tokens[clause.keys[k + 1]].space_before \
            and clause.tokens[clause.keys[k]].space_before \
            and clause.tokens[clause.keys[k]].value in frozenset().union(*clause.card_sizes.values()):
        # "I am on 4 48GPUs (A6000)" (review 77 #12): the size of a card the clause names, glued to the cards it sizes
        return True
    if k + 1 >= len(words) or not clause.tokens[clause.keys[k]].is_num or words[k + 1] not in MEMORY_UNITS:
        return False
    rest = [w for w in words[k + 2:k + 5] if w not in ("vram", "of", "memory", "graphics")]
    return bool(rest) and rest[0] in GPU_WORDS


COMPARATORS = frozenset({">", "<", ">=", "<=", "≥", "≤"})
COMPARED_WORDS = frozenset({"larger", "bigger", "greater", "more", "less", "smaller", "higher", "lower", "above",
                            "below", "beyond", "exceeding", "over", "under"})


def _compared(clause: Clause, t: int) -> bool:
    """Whether the number at token t is a bound: '>= 8', '> 2', 'larger than 2', 'above 64'."""
    tokens = clause.tokens
    prev = [tokens[u].text.lower() for u in range(max(clause.start, t - 2), t)]
    if prev and (prev[-1] in COMPARATORS or "".join(prev[-2:]) in COMPARATORS):
        return True
    return bool(prev) and (prev[-1] == "than" and len(prev) == 2 and prev[0] in COMPARED_WORDS
                           or prev[-1] in ("above", "below", "beyond", "exceeding"))


STRICTLY_ABOVE = frozenset({"larger", "bigger", "greater", "more", "higher", "above", "beyond", "exceeding", ">"})
# an out-of-memory said in the words just after a bound, within its sentence
OOM_AFTER = re.compile(r"(?i)^[^.?!\n]{0,60}?\b(?:oom|ooms|out\s+of\s+memory|runs?\s+out)\b")


def _above_it_fails(clause: Clause, t: int) -> bool:
    """Whether the bound at token t is one a batch may not pass ("larger than 5", "above 16", "> 8") and the words
    after it say that past it memory runs out ("…, GPU will out of memory")."""
    before = [clause.tokens[u].text.lower() for u in range(max(clause.start, t - 2), t)]
    strict = bool(before) and (before[-1] in STRICTLY_ABOVE or before[-1] == "than" and before[0] in STRICTLY_ABOVE)
    end = clause.tokens[t].end
    return strict and OOM_AFTER.match(clause.source[end:end + 80]) is not None


def _per_time(clause: Clause, t: int) -> bool:
    """Whether the tokens from t say 'per unit of time': '/s', '/sec', '/ second'."""
    return t + 1 < clause.end and clause.tokens[t].text == "/" and clause.tokens[t + 1].text in ("s", "sec", "second", "secs")


def _alternative_stage(clause: Clause, t: int) -> bool:
    """Whether the stage at token t is one of two said together ('2&3', '2/3', '2 or 3')."""
    for sep, other in ((t + 1, t + 2), (t - 1, t - 2)):
        if clause.start <= min(sep, other) and max(sep, other) < clause.end and clause.tokens[sep].text in ("&", "/", "or") \
                and clause.tokens[other].is_num and clause.tokens[other].value in (0, 1, 2, 3):
            return True
    return False


def _several_counts(clause: Clause, reading: Reading, name: str, k: int, value: float) -> None:
    """GPU counts of the user's compared or swept ("tried 2 devices, 6 devices and 8 devices"): none is the run, but
    the run is on several GPUs, so the fewest that hold the plan is worth counting (and theirs is asked)."""
    if name == "num_gpus" and value > 1 and setup_of(clause, k) == "user":
        reading.on_several_gpus(clause.text(clause.keys[k], clause.keys[k + 1]))


def _counts_compared(clause: Clause, k: int) -> bool:
    """Whether the count at key k is one of three or more counts of the same thing in its clause ("12 nodes >
    6 nodes > 2 nodes > 1 node", "on 1 GPU, 2 GPUs and 4 GPUs"): a comparison of setups."""
    words = clause.words
    noun = words[k + 1].rstrip("s") if k + 1 < len(words) else ""
    if not noun.isalpha():
        return False  # (a mark after the number: `'devices': 1, …` is a config's value)
    if clause.counts_by_noun is None:  # (one pass per clause, however many counts it has)
        clause.counts_by_noun = {}
        for j in range(len(words) - 1):
            if clause.tokens[clause.keys[j]].is_num:
                clause.counts_by_noun.setdefault(words[j + 1].rstrip("s"), set()).add(words[j])
    return len(clause.counts_by_noun.get(noun, ())) >= 3


def _in_sweep(clause: Clause, t: int, alternatives: bool = True) -> bool:
    """Whether the number at token t is in a list of three or more numbers ("32, 64, 128 and 200") or, with
    `alternatives`, one of two ("32 or 64"; two GPU counts offered are two setups, which the conflict rule settles)."""
    def listed(u: int, step: int) -> int:
        n = 0
        while n < 8:
            sep, num = u + step, u + 2 * step
            if not (clause.start <= num < clause.end) or not clause.tokens[num].is_num \
                    or clause.tokens[sep].text not in (",", "and", "or", "/"):
                return n
            n, u = n + 1, num
        return n
    if listed(t, 1) + listed(t, -1) >= 2:
        return True
    # two values offered as alternatives: "is the effective batch 32 or 64?"
    return alternatives and ((t + 2 < clause.end and clause.tokens[t + 1].text == "or" and clause.tokens[t + 2].is_num)
                             or (t - 2 >= clause.start and clause.tokens[t - 1].text == "or" and clause.tokens[t - 2].is_num))


def _factor(clause: Clause, reading: Reading, k: int, value: float, left: PhraseIndex) -> None:
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
    if k + 2 < len(clause.keys) and clause.keys[k + 2] == clause.keys[k + 1] + 1:
        times, other = clause.tokens[clause.keys[k + 1]], clause.tokens[clause.keys[k + 2]]
        shape = clause.keys[k + 2] + 1 < clause.end and clause.tokens[clause.keys[k + 2] + 1].text in ("x", "×", "*") \
            and not clause.tokens[clause.keys[k + 2] + 1].space_before  # ("32x3x512x512": a tensor's shape)
        if other.is_num and not times.space_before and not other.space_before and not shape:
            # "batch 2x8", "bs=2x8": a product (per GPU × GPUs, as READMEs write it), not "batch 2x" the old one
            if slot[0] in BATCH_FIELDS and other.value and float(value * other.value).is_integer():
                clause.consumed.add(clause.keys[k + 2])
                fill(reading, "batch", value * other.value, "", clause.text(clause.keys[slot[1]], clause.keys[k + 2]),
                     setup_of(clause, k))
            return
    ends = (clause.keys[slot[1]], clause.keys[min(k + 1, len(clause.keys) - 1)])
    text = clause.text(min(ends), max(ends))  # "batch size 4x" or "the 4x batch": the cue on either side
    if slot[0] in ("batch", "micro_batch", "global_batch"):
        reading.set(Read("batch_scale_factor", value, text))
    elif slot[0] == "lr":
        reading.set(Read("lr_scale_factor", value, text))


def _default_of_the_batch_before(clause: Clause, k: int, value: float) -> bool:
    """'batch size 512 (default is 1024)', 'bs 8 (default: 16)': a number the word 'default' introduces, in brackets
    right after a batch said with its value - the default's batch, not a second batch of the user's."""
    words, tokens, keys = clause.words, clause.tokens, clause.keys
    if not float(value).is_integer() or value < 1 or k < 3 or words[k - 1] not in ("default", "is") \
            or "default" not in words[k - 2:k]:
        return False
    start = k - 2 if words[k - 1] == "is" else k - 1
    opened = any(tokens[t].text == "(" for t in range(keys[start - 1] + 1, keys[start]))  # "512 (default …"
    return opened and tokens[keys[start - 1]].is_num and not BATCH_SPELLINGS.isdisjoint(words[max(0, start - 4):start - 1])


SMALLEST_DATA_SET = 4096  # a count of samples this small, equal to a batch said, is that batch said again
FIT_VERBS = frozenset({"fit", "fits", "use", "run", "go", "set", "handle", "train", "increase", "get"})
LIMIT_NEGATIONS = frozenset({"t", "not", "cannot", "unable", "never", "no"})


def _fit_limit(words: list[str], start: int) -> bool:
    """'can't fit more than batch size 10', 'unable to go beyond a batch of 8': a limit the user ran into, said of the
    batch starting at key `start` - not 'worse than batch 128', a batch compared with."""
    before = words[max(0, start - 3):start]
    if "than" in before:
        at = start - len(before) + before.index("than")
        if at < 1 or words[at - 1] not in ("more", "bigger", "larger", "higher"):
            return False
        verb_end = at - 1
    elif "beyond" in before:
        verb_end = start - len(before) + before.index("beyond")
    else:
        return False
    lead = words[max(0, verb_end - 4):verb_end]
    return not FIT_VERBS.isdisjoint(lead) and not LIMIT_NEGATIONS.isdisjoint(words[max(0, verb_end - 6):verb_end])


PARALLEL_DEGREES = frozenset({"tensor_parallel", "pipeline_parallel", "data_parallel", "sequence_parallel"})
# what runs beside the training in RL and names its own parallel degrees (vLLM, SGLang, a rollout worker)
TRAINING_SIDE = frozenset({"actor", "critic", "megatron", "training", "train", "trainer"})  # (not the rollout's)
INFERENCE_ENGINES = frozenset({"vllm", "sglang", "rollout", "infer", "inference", "generation", "gen", "ref", "reward"})


def _shape(reading: Reading, words: list[str], message: str) -> None:
    """A transformer's shape, as its settings give it, set apart from the fields the labels read (the count is
    situation.shape_params's: a vocabulary size may come from a pattern of the knowledge base), and the words
    that give it: the stretch of the message from its first setting to its last, when they stand together."""
    reading.shape = {name: reading.values.pop(name) for name in SHAPE_RANGES if name in reading.values}
    if not reading.shape:
        return
    reading.gated_mlp = not GATED_MLP.isdisjoint(words)
    spans = [(at, at + len(r.text)) for r in reading.shape.values() if (at := message.find(r.text)) >= 0]
    start, end = min(spans, default=(0, 0))[0], max((b for _, b in spans), default=0)
    first = reading.shape.get("n_layers") or next(iter(reading.shape.values()))
    reading.shape_text = message[start:end] if spans and end - start <= MAX_SHAPE_TEXT else first.text


MAX_SHAPE_TEXT = 400  # characters the words of a shape's settings may span to be quoted together


# lit-gpt's LoRA switches, one per kind of layer ("'lora_query': True, 'lora_key': False, ..."): which layers it adapts
LORA_SWITCH = re.compile(r"\blora_(query|key|value|projection|mlp|head)\b['\"]?(?:\s{0,3}[:=]\s{0,3}|\s{1,3})['\"]?(true|false)\b",
                         re.IGNORECASE)
MAX_SWITCHES = 12  # (a pasted dict names each once; a log repeating them is read no further)


def _lora_switches(reading: Reading, message: str) -> None:
    """lit-gpt's hparams say which layers carry LoRA: query and value alone are q and v; the attention's four
    (query, key, value, projection) without the MLP are the attention projections; the MLP on is every linear layer."""
    if "lora_targets" in reading.values or "lora_" not in message.lower():
        return
    on, text = set(), ""
    for k, match in enumerate(LORA_SWITCH.finditer(message)):
        if k >= MAX_SWITCHES:
            break
        text = text or match.group(0)
        if match.group(2).lower() == "true":
            on.add(match.group(1).lower())
    if not text:
        return
    targets = "all_linear" if "mlp" in on else "attention" if {"key", "projection"} & on else \
        "qv" if {"query", "value"} <= on else None
    if targets is not None:
        reading.set(Read("lora_targets", targets, text, keyed=True))


# a list of projection names a LoRA config targets: "q_proj,v_proj,k_proj,o_proj,gate_proj,down_proj,up_proj"
PROJECTION_LIST = re.compile(r"\b(?:q|k|v|o|gate|up|down)_proj\b(?:['\"]?\s{0,3}[,;\s]\s{0,3}['\"]?(?:q|k|v|o|gate|up|down)_proj\b){1,12}",
                             re.IGNORECASE)
MAX_PROJECTION_LISTS = 8  # lists read per message (a config names one; a log repeating it is read no further)


def _lora_projection_list(reading: Reading, message: str) -> None:
    """The LoRA targets a list of projection names says, in any order: the MLP's (gate, up, down) make every linear layer,
    k or o the attention's four, q and v alone q and v (review 56 #13: "q_proj,v_proj,k_proj,o_proj,gate_proj,…" is
    every linear layer, not the q and v its first two name). The longest list said wins over a phrase's reading."""
    if "_proj" not in message:
        return  # (a substring test before the pattern: most messages name no projection)
    longest = ""
    for k, match in enumerate(PROJECTION_LIST.finditer(message)):
        if k >= MAX_PROJECTION_LISTS:
            break
        if len(match.group(0)) > len(longest):
            longest = match.group(0)
    if not longest:
        return
    names = {name.lower() for name in re.findall(r"(q|k|v|o|gate|up|down)_proj", longest, re.IGNORECASE)}
    targets = "all_linear" if names & {"gate", "up", "down"} else "attention" if names & {"k", "o"} else \
        "qv" if names >= {"q", "v"} else None
    if targets is not None:
        reading.values["lora_targets"] = Read("lora_targets", targets, longest, keyed=True)


GATED_MLP = frozenset({"swiglu", "geglu", "silu", "gated"})  # an MLP of three matrices (LLaMA's, Mistral's, T5 v1.1's)


def _package_version(clause: Clause, last: int) -> bool:
    """Whether the name ending at token `last` is followed by a package's version ("deepspeed 0.13.1",
    "flash-attn==2.5.8", "peft v0.7.1"): a list of what is installed, which says nothing of what the run uses."""
    t, tokens = last + 1, clause.tokens
    signs = ""
    while t < clause.end and t - last <= 3 and tokens[t].text in ("=", ">", "<", "~", "v", "-"):
        signs += tokens[t].text
        t += 1
    if t >= clause.end or not tokens[t].is_num or t - last > 3:
        return False
    dotted = t + 1 < clause.end and tokens[t + 1].is_num and tokens[t + 1].text.startswith(".") \
        and not tokens[t + 1].space_before
    # (`==2.5`, `>=0.14` pin a version; a single '=' sets a value: `pretraining_ratio=0.5`)
    return dotted or signs in ("==", ">=", "~=", "<=") and "." in tokens[t].text


def _inference_engines(clause: Clause, k: int) -> bool:
    """Whether the key at k belongs to an inference engine's settings: its first part names one (`vllm_...`), a
    dotted prefix does (`rollout.tensor_model_parallel_size`), or an engine is named just before ("vLLM engine with
    TP 4")."""
    first = clause.word_of(k)[0]
    if clause.words[first] in INFERENCE_ENGINES:
        return True
    if not {"vllm", "sglang", "engine", "engines"}.isdisjoint(clause.words[max(0, first - 4):first]):
        return True  # "1 vLLM engine with TP 4": the engine's degree, said before it
    t = clause.keys[first]
    if t - 2 >= clause.start and clause.tokens[t - 1].text == "." and clause.tokens[t - 2].text in INFERENCE_ENGINES:
        return True
    # a config file of the engine's, named in the heading or line just above its settings ("#### infer.toml" then
    # "[parallel] tp = 4" - review 79 #12): the last file named before the key
    before = clause.source[max(0, clause.tokens[t].start - 200):clause.tokens[t].start]
    named = CONFIG_FILE_NAMED.findall(before)
    return bool(named) and named[-1].lower().startswith(("infer", "inference", "vllm", "sglang", "rollout", "serve"))


CONFIG_FILE_NAMED = re.compile(r"\b([\w-]+)\.(?:toml|ya?ml|json|cfg|ini)\b")


# what a data set is split into: "500 images per class" is one group's size
GROUPS = frozenset({"class", "category", "label", "folder", "identity", "person", "speaker", "subject", "language"})


def _of_each_group(clause: Clause, noun: int) -> bool:
    """Whether the data noun at `noun` is followed by 'each' or 'per class' (and the like): a group's count."""
    words = clause.words
    after = words[noun + 1:noun + 4]
    if (after[:1] == ["per"] and after[1:2] and after[1] in STEP_WORDS) \
            or (after[:2] in (["for", "each"], ["in", "each"]) and after[2:3] and after[2] in STEP_WORDS):
        return True  # "32 examples for each step", "64 images per batch": what one step takes, not the data set
    # (not "10 videos, each with 63 frames", "500 images, each 1024x1024" - review 77 #6: what each item holds, the
    # items counted)
    described = (after[1:2] in (["with"], ["having"], ["has"], ["of"], ["containing"], ["contains"])
                 or after[1:2] != [] and after[1][:1].isdigit()) \
        and clause.keys[noun + 2] == clause.keys[noun + 1] + 1  # ("120 images each, with cfg…": the comma ends it)
    return after[:1] == ["each"] and not described \
        or (after[:1] == ["per"] and after[1:2] != [] and after[1].rstrip("s") in GROUPS)


STEP_WORDS = frozenset({"step", "batch", "iteration", "iter", "update", "forward"})


# what a data set's size counts, after a name or a kind ("52k Alpaca dataset", "100k SFT samples")
DATA_SET_NOUNS = frozenset({"dataset", "examples", "samples", "images", "instructions", "conversations", "pairs",
                            "rows", "sentences", "documents", "dialogues"})
# the suffixes a data set's size is said with before its noun ("a 52k dataset", "400万数据集", "a 1.2 million image
# dataset"); not 'b' nor 't', which size models and token counts
DATA_SET_UNITS = frozenset({"", "k", "m", "million", "mn", "thousand", "wan"})
GPU_COUNT_FIELDS = frozenset({"num_gpus", "num_nodes", "gpus_per_node"})
# a launcher's --num_gpus up to a usual machine's eight is each machine's; more on several machines ("--num_gpus 16
# --num_nodes 2" on machines of eight) is the total, said with the flag misread
MOST_GPUS_PER_NODE_SAID = 8
SECONDS_WORDS = frozenset({"seconds", "second", "sec", "secs", "s", "ms", "minutes", "minute", "min", "mins", "hours"})
MAX_MACHINES = hardware.MAX_MACHINES
FED = frozenset({"feed", "feeding", "fed", "pass", "passing"})  # "I feed 30 pictures to the network": one pass's
RUNS_COMPARED = frozenset({"same", "differences", "difference", "differ", "differs", "different"})  # (two cards set side by side)
MAX_INPUT_SIDE = 4096  # an "input size" above this is a layer's width or a length, not an image's side
LAYER_WORDS = frozenset({"layer", "layers", "hidden", "neurons", "units"})  # (a network's nodes are its units)
GRAPH_WORDS = frozenset({"graph", "graphs", "edges", "edge", "gnn", "gcn", "adjacency", "vertices", "pyg"})


# nouns a count before them belongs to that no field reads: "8 CPU cores", "16 threads", "4 data-loader workers"
OTHER_COUNTS = hardware.CPU_COUNTS | {"workers", "worker"}


# words between a number and those nouns that make it no data set's size ("512 tokens samples", "8 GPUs images")
PROCESS_RANKS = frozenset({"node", "local", "global", "world", "process", "machine", "proc"})  # ranks of processes
WARMUP_WORDS = frozenset({"warmup", "warm"})  # before a count's "epochs": the warmup's length, not the run's
# verbs whose count of epochs is how far a run got, not how long it is planned ("complete 1 epoch", "finishing 75")
# (and "at": "an out of memory error at 2.5 epochs" is when it failed)
# a LoRA hyperparameter's key (`--lora_target c_attn`, `lora_rank: 8`): it sets an adapter up, but turns none on
LORA_SETTING_KEY = re.compile(r"lora_(?:target|rank|alpha|dropout|r\b)", re.I)
EPOCHS_DONE = frozenset({"complete", "completed", "completing", "finish", "finished", "finishing", "at"})
NOT_A_DATA_SET = frozenset({"tokens", "token", "gpus", "gpu", "steps", "epochs", "batch", "per", "of", "more",
                            "training", "train", "validation", "test", "eval", "length", "context", "long",
                            "resolution", "pixel", "frame", "second", "hour"})


# what one training sample is called, said before its length in tokens ("each example is ~3000 tokens")
SAMPLE_NOUNS = frozenset({"sample", "samples", "example", "examples", "record", "records", "text", "texts",
                          "document", "documents", "doc", "docs", "conversation", "conversations", "prompt", "prompts",
                          "sequence", "sequences", "input", "inputs", "row", "rows", "instance", "instances",
                          "dialogue", "dialogues", "item", "items", "entry", "entries", "essay", "essays", "article",
                          "articles", "transcript", "transcripts"})
# what may stand between the sample's noun and its length: a verb of size and a hedge
SAMPLE_LENGTH_FILLERS = frozenset({"is", "are", "was", "were", "has", "have", "had", "contains", "contain", "with",
                                   "of", "about", "around", "roughly", "approximately", "approx", "~", "up", "to",
                                   "corresponds", "correspond", "averages", "average", "on", "over", "under", "at",
                                   "least", "most", "nearly", "almost", "like", "be", "can", "may", "might", "some",
                                   "reach", "reaches", "exceed", "exceeds", "than", "more", "less", "≈", "long"})
CONTEXT_KS = frozenset({2, 4, 8, 16, 32, 64, 128, 256})  # "32K", "128k": the context lengths models are trained at
NOT_SAMPLE_LENGTH = frozenset({"per", "total", "in", "/", "a", "each", "every", "for"})  # "N tokens per second"


def _sample_length_said(words: list[str], k: int, noun: int) -> bool:
    """Whether the number at k, before "tokens" at noun, is one sample's length: a sample's noun a few words before
    it, with only a verb of size and hedges between ("each sample has about 30000 tokens", "my prompts are ~6000
    tokens", "one record corresponds to about 30000 tokens") - not "tokens per second", nor "the dataset has 2M
    tokens" (a data set's size: no sample's noun)."""
    if words[noun + 1:noun + 2] and words[noun + 1] in NOT_SAMPLE_LENGTH:
        return False  # "6000 tokens per second", "tokens in total", "tokens a step"
    j = k - 1
    while j >= 0 and k - j <= 5 and words[j] in SAMPLE_LENGTH_FILLERS:
        j -= 1
    return j >= 0 and j < k - 1 and words[j] in SAMPLE_NOUNS


def _right_slot(index: PhraseIndex, clause: Clause, k: int) -> tuple[str, int] | None:
    """A cue after the number ("4 per GPU", "8 GPUs", "3 epochs"), unless it is the name of the next value
    ("--cutoff_len 1536 --per_device_train_batch_size 1": 'per device' belongs to the 1)."""
    words, keys = clause.words, clause.keys
    # (most keys follow one another with no token between: no mark to look for)
    between = 0 < k < len(words) and keys[k] - keys[k - 1] > 1
    if between and any(clause.tokens[t].text in (",", ";", "#", "]")
                       or clause.tokens[t].text == ")" and not _bracketed(clause, t)
                       for t in range(keys[k - 1] + 1, keys[k])):
        # "--nproc-per-node 2, node_rank 0": a cue after a comma names the list's next item; "crop_size(240,1248)
        # gpu memory": a cue after a bracket that holds more than the number names what follows it (not "(774M)
        # model": the number alone in brackets); a log line's "executor.py:45] # GPU blocks: 378" (review 72 #10): the
        # line number ends its prefix, and "# GPU blocks" is a count of blocks
        return None
    if k < len(words) and words[k] in index.by_first:
        hit = index.at(words, k)
        if hit is not None and hit[0] > 1 and _unbroken(clause, k, hit[0]) < hit[0]:
            hit = index.at(words, k, _unbroken(clause, k, hit[0]))  # "8 GPUs, each 12G": the cue is "GPUs"
        opened = hit is not None and between and \
            any(clause.tokens[t].text == "(" for t in range(keys[k - 1] + 1, keys[k]))
        if hit and in_flag(clause, clause.keys[k]):
            return None  # "--num-layers 32 --seq-length 4096": a flag after a number names the next value
        if hit and not opened:  # "8*8 (GPUs*BS)": a legend in parentheses names the factors, it counts nothing
            nxt = k + hit[0]
            while nxt < len(words) and words[nxt] in ("train", "batch", "size", "="):
                nxt += 1
            cue_end = clause.keys[k + hit[0] - 1]
            # "on 8 GPUs: train_batch_size=32": a colon after the cue, then another key's name, ends the cue's phrase
            labelled = nxt > k + hit[0] and any(clause.tokens[t].text == ":"
                                                 for t in range(cue_end + 1, clause.keys[k + hit[0]]))
            # (not a card's name after the cue: "8 gpu 3090", "8卡3090" - the GPUs, then which they are)
            if nxt < len(words) and clause.tokens[clause.keys[nxt]].is_num and not labelled \
                    and clause.keys[nxt] not in clause.card_ends and not any(
                    clause.tokens[t].text in (",", ";", ")", "(") for t in range(cue_end, clause.keys[nxt])):
                # "--cutoff_len 1536 --per_device_train_batch_size 1" (but not "2 GPUs, 15G each", nor "1 node
                # (8x A100)", whose next number is the parenthesis's)
                return None
            return hit[1], k + hit[0] - 1
    return None


STEP_WORDS = frozenset({"step", "steps", "iteration", "iterations", "update", "updates", "log", "logs"})


def _per_step_said(words: list[str], k: int) -> bool:
    """Whether the words just before key k tie the count to each step ("between each step, 640 samples", "per
    logging step 640 samples"), not to the data set."""
    before = words[max(0, k - 5):k]
    return any(w in ("each", "every", "per") and before[i + 1:i + 2] and before[i + 1] in STEP_WORDS
               for i, w in enumerate(before))


SAME_HARDWARE = ("this hardware", "the same hardware", "the same gpus", "the same setup", "this setup",
                 "the same machine", "same hardware",
                 # ("I'm using the same device as the one mentioned in the paper, which is a 4090" - review 83 #29)
                 "the same device", "the same gpu", "the same card", "the same graphics card")
HARDWARE_FIELDS = ("gpu_model", "gpu_memory_gb", "gpu_memory_catalogue_bytes", "num_gpus")
SAME_HARDWARE_NOUNS = frozenset({"hardware", "setup", "gpus", "machine", "device", "gpu", "card"})


# settings a line of their own may give for each of several models ("32B LLM, TP=8, PP=1" then "70B LLM, TP=8, PP=2")
MODEL_LINE_SETTINGS = frozenset({"tensor_parallel", "pipeline_parallel", "data_parallel", "sequence_parallel",
                                 "micro_batch", "global_batch",
                                 "grad_accum_steps", "seq_len", "zero_stage", "lr"})


def _settings_of_the_model_asked(reading: Reading) -> None:
    """Where a message lists settings beside several model sizes ("32B LLM, TP=8, PP=1, MFU=47%" and "70B LLM, TP=8,
    PP=2, MFU=20%", the user training the 70B: review 52 #12), a setting said first beside another size gives way
    to the one said beside the size of the run asked about."""
    params, by_sentence = reading.values.get("params"), reading.sizes_by_sentence
    if params is None or len(by_sentence) < 2:
        return
    for kept, other in reading.conflicts:
        if kept.field in MODEL_LINE_SETTINGS and reading.values.get(kept.field) is kept and other.setup == "user" \
                and params.value not in by_sentence.get(kept.sentence, {params.value}) \
                and by_sentence.get(other.sentence) == {params.value}:
            reading.values[kept.field] = other


LABEL_FILLERS = frozenset({"my", "the", "our", "a", "on", "with", "setup", "machine", "system", "computer"})
MAX_LABELS = 20


def _machine_label(clause: Clause, reading: Reading) -> None:
    """Note the label a clause opens with before a colon ("My laptop:", "SETUP B (single GPU):" - its distinctive
    words, "laptop", "b"), and the words of the clause the OOM is said in (the clause read is reading.sentence)."""
    n, tokens, start = reading.sentence, clause.tokens, clause.start
    oom = reading.values.get("oom")
    if oom is not None and oom.sentence == n and not reading.oom_words:
        reading.oom_words = frozenset(clause.words)
    if len(reading.labels) >= MAX_LABELS or start >= clause.end:
        return
    for t in range(start, min(start + 8, clause.end)):
        if tokens[t].text == ":":
            before = [w for w, key in zip(clause.words, clause.keys) if key < t]
            label = frozenset(w for w in before if w not in LABEL_FILLERS and not w[:1].isdigit())
            if 0 < len(label) <= 3:
                reading.labels[n] = label
                # ("My laptop:" alone on its line, the machine's parts listed below it - review 88 #3): the label
                # holds for the lines after it, until a blank line
                reading.open_label = (label, tokens[clause.end - 1].end) if t == clause.end - 1 else None
            return
    if reading.open_label is not None:
        label, last_end = reading.open_label
        gap = clause.source[last_end:tokens[start].start]
        if re.search(r"\n[ \t]*\n", gap):
            reading.open_label = None
        else:
            reading.labels[n] = label
            reading.open_label = (label, tokens[clause.end - 1].end)


def _card_of_the_machine_that_ran_out(reading: Reading) -> None:
    """Two machines listed under labels ("My laptop: 1050ti 4GB" then "My PC: 3070 8GB") and the out-of-memory error
    said of one of them by its label ("my PC shows CUDA out of memory"): that machine's card is the run's, not the
    one named first."""
    if not reading.oom_words or len(reading.labels) < 2:
        return
    kept = reading.values.get("gpu_model")
    labels, oom_words = reading.labels, reading.oom_words
    labelled = [(labels[n], cards) for n, cards in sorted(reading.card_reads.items()) if n in labels]
    ran_out = next((cards for label, cards in labelled if "gpu_model" in cards and label <= oom_words), None)
    if ran_out is not None and kept is not None and kept.value != ran_out["gpu_model"].value and any(
            "gpu_model" in cards and not label <= oom_words for label, cards in labelled):
        # ("My laptop:" and "My PC:" alone on their lines, each machine's parts listed below - review 88 #3)
        for name in MACHINE_CARD_FIELDS:
            if name in ran_out:
                reading.values[name] = ran_out[name]
            elif name != "num_gpus":
                reading.values.pop(name, None)  # (the other card's size is not this one's)
        return
    for old, new in reading.conflicts:
        if old.field != "gpu_model" or old is not kept or new.setup != old.setup:
            continue
        mine, theirs = reading.labels.get(new.sentence), reading.labels.get(old.sentence)
        if mine and theirs and mine != theirs and mine <= reading.oom_words and not theirs <= reading.oom_words:
            for name in MACHINE_CARD_FIELDS:
                other = next((b for a, b in reading.conflicts if a.field == name and b.sentence == new.sentence
                              and reading.values.get(name) is a), None)
                if other is not None:
                    reading.values[name] = other
            reading.values["gpu_model"] = new
            return


def _same_hardware(reading: Reading) -> None:
    """"you benchmarked using two L4 GPUs. I tried to run a VM with this hardware": the reference's cards are the
    user's too, when the user names none of their own."""
    if "gpu_model" in reading.values or "gpu_memory_gb" in reading.values or "gpu_model" not in reading.reference:
        return
    if not reading.same_hardware:
        return
    for name in HARDWARE_FIELDS:
        if name in reading.reference:
            reading.values[name] = replace(reading.reference[name], setup="user", implied=True)


def _each_said_of(clause: Clause, j: int) -> bool:
    """Whether the value at key j is said of "each" right before it ("each is 8x2=16 batch size", "each 16"), with no
    mark between (not "8× A100 80G each, batch size=1": each card's size, then the batch)."""
    words = clause.words
    at = j - 1 if words[j - 1:j] == ["each"] else j - 2 if words[j - 2:j - 1] == ["each"] and words[j - 1] in (
        "is", "has", "with", "uses", "runs", "gets") else -1
    return at >= 0 and _unbroken(clause, at, j - at + 1) == j - at + 1


def _size_of(model_id: str, params: float) -> bool:
    """Whether a catalogue model has about this many parameters (within 15%); True for a model the catalogue lacks."""
    from advisor.domain import catalogue

    if not catalogue.has_preset(model_id):
        return True
    total = catalogue.catalogue_entry(model_id).get("params_total")
    return not total or abs(float(total) - params) <= 0.15 * params


def _bracketed(clause: Clause, close: int) -> bool:
    """Whether the bracket closed at token `close` holds one number alone, its unit with it ("(774M)", "(90k)")."""
    inside = clause.tokens[max(clause.start, close - 3):close]
    opened = [i for i, tok in enumerate(inside) if tok.text == "("]
    held = inside[opened[-1] + 1:] if opened else []
    return bool(held) and held[0].is_num and all(tok.kind == "word" for tok in held[1:])


def _unbroken(clause: Clause, k: int, most: int = 8) -> int:
    """How many keys from key k follow one another with no ',' or ';' between them (at most `most`)."""
    n = 1
    while k + n < len(clause.keys) and n < most and not any(
            clause.tokens[t].text in (",", ";") for t in range(clause.keys[k + n - 1] + 1, clause.keys[k + n])):
        n += 1
    return n


# the first part of a key that gives another model's GPUs in an RLHF launch (OpenRLHF's `--ref_num_gpus_per_node`,
# `--critic_num_nodes`, `--reward_num_gpus_per_node`, `--vllm_num_engines`): the trained actor's have their own keys
OTHER_ROLES = frozenset({"ref", "critic", "reward", "rm", "vllm", "teacher"})


def _left_slot(index: PhraseIndex, words: list[str], k: int, clause: Clause | None = None) -> tuple[str, int] | None:
    """The nearest cue phrase ending within a few filler words before the number; a cue inside a parenthesis
    closed before the number is skipped for the one before the parenthesis ("Total train batch size (w. parallel,
    distributed & accumulation) = 224" is the total batch)."""
    end = k
    if clause is not None and k > 0:
        opened = _opening(clause, clause.keys[k - 1], clause.keys[k])
        end = opened if opened is not None else k
    for _ in range(6):
        if end <= 0:
            return None
        hit = index.ending_at(words, end)
        if hit and clause is not None and end < k:
            opened = _opening(clause, clause.keys[end - 1], clause.keys[k])
            if opened is not None and opened < end:
                # "(batch per device * num GPUs * grad accum steps) it should be 8 * 2 * 4": the cue closed in its
                # parenthesis before the fillers names a formula's term, not the number's setting
                end = opened
                continue
        if hit:
            if hit[1] in ("batch", "micro_batch", "global_batch") and _steps_in_a_batch(words, end - hit[0]):
                return None  # "Why is the total number of steps in a batch 12170?": a count of steps, no batch
            cue = end - hit[0]
            if hit[1] == "micro_batch" and words[cue:cue + 1] == ["per"] and cue >= 1 and words[cue - 1] in SHARED_OUT:
                return None  # "the chunks per GPU are 1032176 / 4 = 258044" (review 84 #21): the data's share, no batch
            if end < k and clause is not None and cue >= 1 and clause.tokens[clause.keys[cue - 1]].is_num \
                    and clause.keys[cue] - clause.keys[cue - 1] == 1:
                return None  # "2 GPUs and 128 total threads": the noun is the number's before it, not this one's
            return hit[1], end - hit[0]
        if words[end - 1] not in FILLERS:
            return None
        end -= 1
    return None


# what a data set or a model is divided into: so many of them "per GPU" are a share, not a batch
SHARED_OUT = frozenset({"chunks", "documents", "docs", "tokens", "files", "shards", "rows", "records", "lines", "words",
                        "parameters", "params", "layers", "experts", "heads"})
STEP_NOUNS = frozenset({"steps", "iterations", "iters", "updates", "batches"})
PRODUCT_TERMS = frozenset({"batch", "micro_batch", "grad_accum_steps", "num_gpus"})  # factors of the batch per update


RUN_VERBS = frozenset({"train", "training", "trained", "trains", "finetune", "finetuning", "fine", "tune", "tuning",
                       "run", "running", "pretrain", "pretraining"})


def _trained_for(words: list[str], k: int) -> bool:
    """Whether the count at key k is how long a run is set to go: 'for' right before it and a verb of training a few
    words back ("train SDXL for 200 steps" - review 72 #16; not "after 200 steps" nor "every 200 steps")."""
    # ("the pretrained model was first trained on 100 steps" - review 78 #22: 'on' after 'trained' says the same)
    return k >= 2 and (words[k - 1] == "for" and not RUN_VERBS.isdisjoint(words[max(0, k - 5):k - 1])
                       or words[k - 1] == "on" and words[k - 2] == "trained")


def _product_of_names(clause: Clause, cue: int) -> bool:
    """Whether the cue starting at key `cue` ends a product of settings' names written out ("N_GPU * train_batch_size *
    gradient_accumulation_steps"): a '*' before it, after a name, and a batch among the factors' words."""
    words = clause.words
    if cue < 2 or words[cue - 1] != "*" or clause.tokens[clause.keys[cue - 2]].is_num:
        return False  # (not "2 * gradient_accumulation_steps = 16": a number times the setting gives the setting)
    return "batch" in words[max(0, cue - 8):cue - 1]


def _steps_in_a_batch(words: list[str], cue: int) -> bool:
    """Whether the batch cue starting at key `cue` is the container of a count of steps ("the number of steps in a
    batch", "iterations per batch"): the number after it counts those (review 65 #30); or counts batches itself
    (PPO's `num_mini_batch: 1`, "the number of mini-batches": how many, not how large - review 65 #4)."""
    before = [w for w in words[max(0, cue - 4):cue] if w not in ("a", "the", "each", "one")]
    counted = [w for w in before if w not in ("mini", "micro")]  # (`num_mini_batch`: "num" before "mini batch")
    if counted[-1:] in (["num"], ["n"]) or counted[-2:] == ["number", "of"]:
        return True
    return len(before) >= 2 and before[-1] in ("in", "per") and before[-2] in STEP_NOUNS


def _opening(clause: Clause, after: int, before: int) -> int | None:
    """The key index just after the '(' matching a ')' between tokens `after` and `before`, if there is one."""
    tokens = clause.tokens
    for close in range(after + 1, before):
        if tokens[close].text == ")":
            break
    else:
        return None  # (most numbers follow their cue with nothing or one mark between: no parenthesis)
    for t in range(close - 1, max(clause.start, close - 40) - 1, -1):
        if clause.tokens[t].text == "(":
            for u in range(t - 1, max(clause.start, t - 8) - 1, -1):
                if u in clause.key_of:
                    return clause.word_of(clause.key_of[u])[1] + 1
            return None
    return None


def _goal(tokens: list[Token], sentences: list[tuple[int, int]], source: str, reading: Reading, index: Keys) -> None:
    """The user's goal, voted by cue phrases over whole sentences (`reading.goal`)."""
    whole = []
    hashes = "#" in source  # (no '#' in the message: no comment for a cue to stand in)
    for start, end in sentences:
        a, b = index.first[start], index.first[end]
        if a != b:
            whole.append(_Sentence(tokens, start, end, source, index, a, b, hashes))
    oom = reading.values.get("oom")
    found = goal_of(whole, oom.text if oom is not None and oom.value else None, cue_index("goal"))
    theirs = next((reading.reference[f] for f in BATCH_FIELDS if f in reading.reference), None)
    if found is None and theirs is not None and "?" in source and FAIL_WORDS.isdisjoint(index.words) \
            and {"killed", "crashed"}.isdisjoint(index.words):
        # "your README says the batch size is 10 for each GPU - isn't it 10 for all?", "the paper trains with 256 (32
        # per GPU) on 4 GPUs: did you mean 64?": a question about a recipe's batch, with no other aim, is about
        # reproducing it (not beside a run that failed: "the default batch_size=8 … killed - how do I fix this?")
        found = ("match_reference", theirs.text)
    if found is not None:
        reading.set(Read("goal", found[0], found[1]))
    topics, said = asked_of(whole, cue_index("asked"))
    # (a setting asked about that the run uses anyway - "how many H100s do I need for QLoRA?" - is no change)
    reading.asked_settings = [(name, value, text) for name, value, text in reading.asked_settings
                              if name not in reading.values or reading.values[name].value != value]
    if reading.asked_settings:  # "would zero3 help?": what the change would do is asked, first
        topics, said = ["changes"] + topics, said or reading.asked_settings[0][2]
    if not topics and found is not None and found[0] == "faster":
        topics, said = ["speed"], found[1]  # "two GPUs are only 10% faster - what could I be doing wrong?": speed
    if topics:
        reading.set(Read("asked_topics", ", ".join(topics), said))


MAX_PATH_TOKENS = 64  # glued tokens of one path looked at


def _fraction_of(clause: Clause, t: int) -> bool:
    """Whether the number at token t is a fraction's numerator or denominator said of something ('1/8 of the
    original', 'a 1/4 of it')."""
    tokens = clause.tokens
    if t + 3 < clause.end and tokens[t + 1].text == "/" and tokens[t + 2].is_num and not tokens[t + 1].space_before \
            and not tokens[t + 2].space_before:
        return tokens[t + 3].text.lower() == "of"
    return t - 2 >= clause.start and tokens[t - 1].text == "/" and tokens[t - 2].is_num \
        and not tokens[t].space_before and not tokens[t - 1].space_before \
        and t + 1 < clause.end and tokens[t + 1].text.lower() == "of"


def _glued_start(clause: Clause, t: int) -> int:
    """The first token of the run of glued tokens (no space between them) that token t ends, at most
    MAX_PATH_TOKENS back: a path's, a link's or a key's start."""
    tokens, first = clause.tokens, t
    while first > clause.start and not tokens[first].space_before and t - first < MAX_PATH_TOKENS:
        first -= 1
    return first


def _in_url(clause: Clause, t: int) -> bool:
    """Whether token t is inside a web address: its run of glued tokens holds '://' or starts with 'www.'."""
    tokens, first = clause.tokens, _glued_start(clause, t)
    glued = "".join(tokens[u].text for u in range(first, t + 1)).lower()
    return "://" in glued or glued.startswith("www.")


def _in_file_path(clause: Clause, t: int) -> bool:
    """Whether token t is a part of a file-system path's run of glued tokens, after a '/' ('pretrain_model' in
    '/opt/ml/pretrain_model')."""
    tokens, first = clause.tokens, _glued_start(clause, t)
    return tokens[first].text in ("/", "~", ".") and any(tokens[u].text == "/" for u in range(first, t))


def _in_directory(clause: Clause, t: int) -> bool:
    """Whether token t is part of a directory's name inside a file-system path: one that starts at '/', '~' or '.',
    with a '/' after t in the same run of glued tokens ('alpaca_lora_4bit' in '/datas/alpaca_lora_4bit/models/…';
    not a checkpoint's own name at the path's end, '/models/llama-3-8b-bnb-4bit')."""
    tokens, first = clause.tokens, _glued_start(clause, t)
    if tokens[first].text not in ("/", "~", "."):
        return False  # (a path from the root, the home or here: not "zero2/zero3", nor TensorFlow's "training/Adam/…")
    u = t
    while u + 1 < clause.end and not tokens[u + 1].space_before and u - t < MAX_PATH_TOKENS:
        u += 1
        if tokens[u].text == "/":
            return True
    return False


# words that introduce the user's own settings below them ("I trained my data with below configurations.")
OWN_BLOCK_WORDS = frozenset({"below", "following", "configurations", "configuration", "config", "settings"})


def _blockquoted(tokens: list[Token]) -> list[bool]:
    """For each token, whether it stands on a markdown quote's line: one whose first token is a single '>' (not
    '>>', nor an arrow '->' within a line)."""
    out, inside = [False] * len(tokens), False
    for t, tok in enumerate(tokens):
        if tok.kind == "nl":
            inside = False
        elif t == 0 or tokens[t - 1].kind == "nl":
            inside = tok.text == ">" and not (t + 1 < len(tokens) and tokens[t + 1].text == ">")
        out[t] = inside
    return out


# the sources whose settings a fenced block after "…:" may give ("your settings are:", "the paper's config:"), not
# "they all report OOM:" (the user's own tries) nor "in the provided code:" (what the user runs)
BLOCK_SOURCES = frozenset({"you", "your", "paper", "authors", "official", "readme", "documentation", "docs", "recipe"})
SOURCE_VERBS = frozenset({"says", "states", "reads", "writes", "mentions", "notes", "said", "stated", "wrote"})
SOURCE_NOUNS = frozenset({"text", "readme", "docs", "documentation", "paper", "page", "table", "guide", "tutorial",
                          "wiki", "blog", "article", "doc"})  # what reports a source's words: "the text says that:"


def _opens_with_fence(tokens: list[Token], start: int, end: int) -> bool:
    """Whether the clause tokens[start:end] opens with a markdown code fence (three backticks)."""
    return end - start >= 3 and all(tokens[t].text == "`" for t in range(start, start + 3))


def _called(clause: Clause, t: int) -> bool:
    """Whether the word ending at token t is called as a function: '(' right after it."""
    return t + 1 < clause.end and clause.tokens[t + 1].text == "(" and not clause.tokens[t + 1].space_before


def _in_code_comment(clause: Clause, t: int) -> bool:
    """Whether token t follows a '#' on its own line (a comment in pasted code), looking back at most 40 tokens."""
    tokens = clause.tokens
    for j in range(t - 1, max(clause.start, t - 40) - 1, -1):
        if tokens[j].kind == "nl":
            return False
        if tokens[j].text == "#":
            return True
    return False


def _inside_identifier(clause: Clause, k: int) -> bool:
    """Whether the word at key k is glued after an underscore inside a longer name - a config's or a checkpoint's
    ("faster_rcnn_resnet50_v1_800x1333_coco17_gpu-8": a COCO checkpoint, not the data the user trains on - review
    68 #27)."""
    t = clause.keys[k]
    return t > clause.start and not clause.tokens[t].space_before and clause.tokens[t - 1].text == "_"


def _commented_out(tokens: list[Token]) -> list[tuple[int, int]]:
    """The token ranges of the lines that open with '#' and then a flag or a key's '=' or ':' (settings commented
    out of a script or a config), not headings ("# Results: 8 GPUs"). At most MAX_COMMENTED lines."""
    found: list[tuple[int, int]] = []
    for t, tok in enumerate(tokens):
        if tok.text != "#" or (t > 0 and tokens[t - 1].kind != "nl") or t + 2 >= len(tokens):
            continue
        after = tokens[t + 1]
        if after.text == "-" or after.kind == "word" and "_" in after.text and tokens[t + 2].text in ("=", ":") \
                or after.text.lower() in COMMENTED_LAUNCHERS and tokens[t + 2].kind != "nl":
            end = t + 1
            while end < len(tokens) and tokens[end].kind != "nl":
                end += 1
            found.append((t, end))
            if len(found) >= MAX_COMMENTED:
                break
    return found


MAX_COMMENTED = 32  # commented-out setting lines looked at in one message
# a launch commented out of a script: "# torchrun --nproc_per_node=3" above the `accelerate launch` that runs (review
# 84 #29)
COMMENTED_LAUNCHERS = frozenset({"torchrun", "deepspeed", "accelerate", "python", "python3", "swift", "llamafactory",
                                 "cuda_visible_devices", "nproc_per_node"})


def _in_comment(tokens: list[Token], start: int, t: int) -> bool:
    """Whether token t follows a '#' that comes after something on its line: a config line's comment
    (`warmup_steps = 2000  # lr scheduler warm up`), whose words ask nothing (a '#' opening a line is a heading)."""
    u = t - 1
    while u >= start and tokens[u].kind != "nl" and tokens[u].text != "#":
        u -= 1
    if u < start or tokens[u].kind == "nl":
        return False
    before = u - 1
    return before >= start and tokens[before].kind != "nl" and tokens[before].text != "#"


class _Sentence(Sentence):
    """A sentence of the message as `reading.goal` reads it: a slice of the message's keys."""

    __slots__ = ("words", "present", "question", "_tokens", "_start", "_end", "_source", "_keys", "_span", "_a",
                 "_hashes")

    def __init__(self, tokens: list[Token], start: int, end: int, source: str, index: Keys, a: int, b: int,
                 hashes: bool = True):
        self.words = index.words[a:b]
        self.present = set(self.words)
        self.question = end < len(tokens) and tokens[end].text == "?"
        self._tokens, self._start, self._end, self._source = tokens, start, end, source
        self._keys, self._span, self._a = index.keys, index.span, a
        self._hashes = hashes  # whether the message has a '#' at all (else no key is in a comment)

    def is_num(self, k: int) -> bool:
        return self._tokens[self._keys[self._a + k]].is_num

    def in_flag(self, k: int) -> bool:
        t = self._keys[self._a + k]
        return in_flag(TokenSpan(self._tokens, self._start, self._end), t) \
            or self._hashes and _in_comment(self._tokens, self._start, t)

    def word_of(self, k: int) -> tuple[int, int]:
        whole = self._span.get(self._a + k)
        return (k, k) if whole is None else (whole[0] - self._a, whole[1] - self._a)

    def text(self, x: int, y: int) -> str:
        return self._source[self._tokens[self._keys[self._a + x]].start:self._tokens[self._keys[self._a + y]].end]

    def called(self, k: int) -> bool:
        t = self._keys[self._a + k]
        tokens = self._tokens
        quoted = t - 1 >= self._start and t + 1 < self._end and tokens[t - 1].text in ("'", '"') \
            and tokens[t + 1].text == tokens[t - 1].text and not tokens[t].space_before \
            and not tokens[t + 1].space_before  # `dm.setup('fit')`: a string in code
        return quoted or t - 2 >= self._start and tokens[t - 1].text == "." and not tokens[t].space_before \
            and not tokens[t - 1].space_before and tokens[t - 2].kind == "word"


# what the user runs when they cite a setup and name none of their own ("the official LoRA tutorial says 11 GB …,
# yet on my RTX 3080 …"): the same training method (not its kernels: "the wiki trains a 7B with unsloth + fa2 at
# this length" says what the wiki used, which the user's config may lack)
# a yes/no question to the source's authors about their run: "Did you use LoRA?", "were you training with bf16?"
ASKED_OF_SOURCE = (["did", "you"], ["were", "you"], ["if", "yes"], ["if", "so"])  # (its follow-up: "If yes, what was …")
FOLLOWED = ("training_mode", "adapter", "precision", "optimizer", "parallelism", "zero_stage", "offload",
            "grad_checkpointing", "model", "preference_objective")


def _first_phrase(clause: Clause, index: PhraseIndex, unless_negated: bool = False) -> str | None:
    if clause.present.isdisjoint(index.first_words):
        return None
    for k in [k for k, w in enumerate(clause.words) if w in index.by_first]:
        hit = index.at(clause.words, k)
        if hit is not None and not (unless_negated and negated(clause, k, hit[0])):
            return clause.text(clause.keys[k], clause.keys[k + hit[0] - 1])
    return None


PRETRAINED_WORDS = frozenset({"pretrained", "pre"})


def _without_pretrained(clause: Clause) -> str | None:
    """"I train ImageNet without pre-trained weights", "no pretrained checkpoint": from scratch, said (the negation
    read as everywhere else, clause.negated)."""
    for k, w in enumerate(clause.words):
        if w in PRETRAINED_WORDS and negated(clause, k):
            return clause.text(clause.keys[max(0, k - 1)], clause.keys[min(k + 2, len(clause.keys) - 1)])
    return None


# a model defined by its shape in a launch (`--num-layers 32 --hidden-size 4096`, nanoGPT's `n_layer = 12`, `n_embd`)
# is built, not loaded: it trains from scratch unless a checkpoint is loaded
SHAPE_KEYS = frozenset({"layers", "layer", "embd", "hidden"})
LOADS_CHECKPOINT = frozenset({"load", "pretrained", "checkpoint", "ckpt", "resume", "init_from", "finetune", "lora"})


def _defined_by_shape(clause: Clause) -> str | None:
    words, present = clause.words, clause.present
    # a key's name, glued ("--num-layers", "num_layers", "n_layer"), not prose ("the num layers")
    layers = next((k for k, w in enumerate(words) if w in ("layers", "layer") and k > 0 and words[k - 1] in ("num", "n")
                   and (clause.word_of(k)[0] < k or not clause.tokens[clause.keys[k]].space_before)), None)
    width = {"hidden", "embd"} & present
    if layers is None or not width or present & LOADS_CHECKPOINT:
        return None
    return clause.text(clause.keys[layers - 1], clause.keys[layers])


def _trained_on_corpus(clause: Clause) -> str | None:
    """The words of the user's run trained on a pre-training corpus ("Training ResNet50 on imagenet", "ran
    train_owt.sh on openwebtext"), not a checkpoint pretrained on one ("an ImageNet-pretrained ResNet",
    "pretrained on ImageNet") nor a file or folder named after one (`examples/imagenet/main.py`)."""
    words = clause.words
    for k, w in enumerate(words):
        if w not in PRETRAINING_DATA or k == 0:
            continue
        t = clause.keys[k]
        glued = clause.tokens[t - 1].text in ("/", "-", "_") and not clause.tokens[t].space_before
        before = words[max(0, k - 3):k]
        after = words[k + 1:k + 3]
        if glued or in_file_name(clause, t) or setup_of(clause, k) != "user" or not TRAINED_ON & set(words[k - 2:k]):
            continue
        if {"pretrained", "pretrain", "trained"} & set(before) or "pre" in before or {"pretrained", "pre"} & set(after):
            continue
        return clause.text(clause.keys[k - 1], t)
    return None


def _planned_change(reading: Reading, field: str) -> tuple[Read, Read] | None:
    """(the value said before, the one planned after) of a field the user changes across sentences ("was on 1 GPU …
    now moving to 4 GPUs"), from the conflicts of the user's own mentions; None when there is no such change."""
    for old, new in reading.conflicts:
        if old.field == new.field == field and old.setup == new.setup == "user" and new.planned \
                and not old.planned and new.sentence > old.sentence and not old.third_party \
                and new.sentence not in reading.asked_of_source:
            # (not from what a script or a recipe assumes: "the script … seems to assume all layers fit on one GPU")
            if any(r.field == field and r.sentence == new.sentence and r.value == old.value
                   for pair in reading.conflicts for r in pair):
                continue  # "1 GPU: 2.1 it/s, 4 GPUs: 0.6 it/s": both counts listed side by side, compared
            # ("Is there any way to run a batch on two GPU? … I used 4*H800 and apply FSDP" - review 77 #5: what
            # the user then ran, said of themselves, is the change made)
            ran = [r for pair in reading.conflicts for r in pair if r.field == field and r.sentence > new.sentence
                   and r.personal and not r.planned and r.setup == "user" and r.value not in (old.value, new.value)]
            return old, (max(ran, key=lambda r: r.sentence) if ran else new)
    return None


def _node_count_changed(reading: Reading) -> None:
    """"was on 1 node (8x A100) … now 2 nodes, same config": the machines changed and the GPUs with them, at the
    same GPUs per machine (8 → 16), so the run asked about has the new count and the old one is where it came from."""
    values = reading.values
    change = _planned_change(reading, "num_nodes")
    if change is None or values.get("num_nodes") is not change[0]:
        return
    old, new = change
    gpus = values.get("num_gpus")
    if gpus is None or gpus.sentence != old.sentence or old.value <= 0 or gpus.value % old.value:
        return
    total = gpus.value // old.value * new.value
    values["num_nodes"] = new
    values["gpus_from"] = replace(gpus, field="gpus_from")
    values["num_gpus"] = replace(new, field="num_gpus", value=total)
    values["gpus_to"] = replace(new, field="gpus_to", value=total)


def _from_reference(reading: Reading) -> None:
    """The reference's settings the user follows when they say none of their own - not one asked about ("Did you
    use LoRA for this SFT?": what the authors did is the question)."""
    for name in FOLLOWED:
        said = reading.values.get(name)
        if said is not None and said.sentence in reading.asked_of_source and not said.keyed and name != "model":
            reading.reference.setdefault(name, replace(said, setup="reference"))  # "If yes, what was the LoRA config?"
            del reading.values[name]
        if name not in reading.values and name in reading.reference \
                and reading.reference[name].sentence not in reading.asked_of_source:
            reading.values[name] = replace(reading.reference[name], setup="user", implied=True)
            if name == "model" and "params" not in reading.values and "params" in reading.reference:
                reading.values["params"] = replace(reading.reference["params"], setup="user", implied=True)


def _implied_mode(reading: Reading) -> None:
    """Fine-tuning when the message does not say so but loads a pretrained checkpoint (`--model_name_or_path`,
    `from_pretrained`, a chat or instruct model) or trains on a downstream task (GLUE, SQuAD, Alpaca)."""
    if "training_mode" in reading.values or "adapter" in reading.values:
        return
    evidence = reading.finetune_evidence or reading.full_training  # no adapters means the whole model, trained on
    model = reading.values.get("model")
    if evidence is None and reading.scratch_evidence is None and model is not None and _pretrained_encoder(model.value):
        evidence = model.text  # "I'm using BERT-large uncased": an encoder checkpoint is fine-tuned on a task
    if evidence is not None:
        reading.values["training_mode"] = Read("training_mode", "finetune", evidence, implied=True)
    elif reading.scratch_evidence is not None:
        reading.values["training_mode"] = Read("training_mode", "scratch", reading.scratch_evidence, implied=True)


def _pretrained_encoder(model_id: str) -> bool:
    """Whether the catalogue's model is an encoder checkpoint (BERT, RoBERTa): released to be fine-tuned on a task."""
    from advisor.domain import catalogue

    if not catalogue.has_preset(model_id):
        return False
    entry = catalogue.catalogue_entry(model_id)
    return entry.get("arch_kind", "") == "encoder" or entry.get("family") == "bert"


BOUND_SAID = re.compile(r">|\b(?:above|over|beyond|exceeds?|exceeding|more than|greater than|longer than)\b", re.I)


def _take_failing(reading: Reading, field: str) -> None:
    """Of two values of a setting, one in a run that works and one in a run that fails, the failing one is the
    run asked about."""
    said = reading.values.get(field)
    failing = next((b for a, b in reading.conflicts if a is said and b.field == field and a.setup == b.setup
                    == "user" and a.mood == "ok" and b.mood == "fail"), None)
    if failing is None and field in LENGTH_FIELDS and said is not None and said.mood == "fail" \
            and BOUND_SAID.search(said.text):
        # "LoRA OOMs when seq_len > 4096 … seq_len of 8192 was running into OOM": the first is a bound, the length
        # said past it is the run
        failing = next((b for a, b in reading.conflicts if a is said and b.field == field and a.setup == b.setup
                        == "user" and not b.past and b.value > a.value and not BOUND_SAID.search(b.text)), None)
    if failing is None and field in LENGTH_FIELDS and said is not None and not said.mood:
        # "max_seq_length=2048 … every card uses 60-70G. At length 4096, even 8 machines OOM": a longer length said
        # after, failing, is the run to make fit (the first one's run is only measured)
        failing = next((b for a, b in reading.conflicts if a is said and b.field == field and a.setup == b.setup
                        == "user" and b.mood == "fail" and not b.past and b.value > a.value
                        and b.sentence > a.sentence), None)
    if failing is None and field in LENGTH_FIELDS and said is not None and said.mood == "ok" \
            and said.text.split()[-2:-1] == ["to"]:
        # "Reducing max_completion_length to 2040 works … Max Completion Length: 8129": a length cut to make it run
        # is the workaround; the longer one said plainly is the run asked about
        failing = next((b for a, b in reading.conflicts if a is said and b.field == field and a.setup == b.setup
                        == "user" and b.mood != "ok" and not b.past and b.value > a.value), None)
    if failing is not None:
        # "24k context trains fine but 32k context OOMs", "it ran fine with 400k pairs; now 2000k, it doesn't run":
        # the setting to make fit is the one failing
        reading.values[field] = failing


def _take_failing_micro_batch(reading: Reading) -> None:
    """A micro-batch said in a run that works and another in one that fails: the failing one is the run asked about
    ("I am able to run this with train_batch_size=64 … with the 0.6B model; however, I am not able to run the same
    code with the 4B model even when I set train_batch_size=8" - review 89 #21). The batch was read as `batch` and
    named the micro-batch after, so its conflicts are matched by the words said."""
    said = reading.values.get("micro_batch")
    if said is None or said.mood != "ok":
        return
    failing = next((b for a, b in reading.conflicts if a.field == b.field == "batch" and a.text == said.text
                    and a.setup == b.setup == "user" and a.mood == "ok" and b.mood == "fail" and not b.past), None)
    if failing is not None:
        reading.values["micro_batch"] = replace(failing, field="micro_batch")


EVALUATING = frozenset({"evaluate", "evaluating", "evaluation", "eval", "validation", "validate", "validating",
                        "inference"})


def _json_key(clause: Clause, start_key: int, k: int) -> bool:
    """Whether the number at key k is the value of a quoted key or a `key:` right before it (`"stage": 2`)."""
    first, number = clause.keys[start_key], clause.keys[k]
    return number - first <= 4 and any(clause.tokens[t].text == ":" for t in range(first + 1, number))


def _year(value: float) -> bool:
    """Whether a number reads as a year a data set or a model was released in (ImageNet 2012, COCO 2017)."""
    return float(value).is_integer() and 1990 <= value <= 2035


def _least_failing(reading: Reading) -> Read | None:
    """Of several plain batches of the user's, the one to make fit: the smallest, when it is said to fail (even the
    least batch said runs out of memory), or the largest, when it alone fails above those said to work (None
    otherwise: a smaller batch that fails beside a larger one that runs leaves which is asked about open)."""
    plain = [m for m in reading.batch_mentions if m.field == "batch" and m.setup == "user" and not m.past]
    least = min(plain, key=lambda m: m.value, default=None)
    if least is None or "oom" not in reading.values:  # (a failure of memory: not "errors over 15% at batch size 8")
        return None
    most = max(plain, key=lambda m: m.value)
    working = [m for m in plain if m.mood == "ok"]
    if least.mood != "fail" and most.mood == "fail" and working and most.sentence not in reading.evaluation_clauses \
            and all(m.value < most.value for m in working):
        # "at batch 8 it trains fine, but batch 16 OOMs": the batch that fails is the one to make fit, and the
        # largest said to work is what fits so far
        fits = max(working, key=lambda m: m.value)
        reading.values.setdefault("max_micro_batch", replace(fits, field="max_micro_batch"))
        return most
    if least.mood != "fail" or least.sentence in reading.evaluation_clauses:
        return None  # (not "when I evaluate it OOMs even with a batch size of one": evaluation's batch)
    return least


def _recipes_nodes(reading: Reading) -> None:
    """"# Config for 16 nodes of 8 H100s … I ran it in the recipe with a single node": fewer of the recipe's nodes,
    when the user says nothing of their GPUs - its cards and GPUs per node (said as implied, so the reading shows
    them)."""
    values, reference = reading.values, reading.reference
    nodes, theirs = values.get("num_nodes"), reference.get("num_nodes")
    per_node, card = reference.get("gpus_per_node"), reference.get("gpu_model")
    if nodes is None or theirs is None or per_node is None or card is None or nodes.value >= theirs.value \
            or not {"num_gpus", "gpu_model", "gpu_memory_gb", "gpus_per_node"}.isdisjoint(values):
        return
    for name in ("gpu_model", "gpu_memory_gb", "gpu_memory_catalogue_bytes", "gpus_per_node"):
        if name in reference:
            values[name] = replace(reference[name], setup="user", implied=True)
    values["num_gpus"] = replace(nodes, field="num_gpus", value=nodes.value * per_node.value, implied=True)


def _resolve(reading: Reading) -> None:
    """Settle what the parts imply together: a plain 'batch' on one GPU is the per-device batch; LoRA on a 4-bit
    base is QLoRA; 'amp' takes its 16-bit type from a bf16/fp16 word; ZeRO or FSDP named with a stage."""
    from advisor.domain import catalogue

    values = reading.values
    _same_hardware(reading)
    _card_of_the_machine_that_ran_out(reading)
    _settings_of_the_model_asked(reading)
    size, model = values.get("params"), values.get("model")
    if size is not None and size.weak and model is not None and model.keyed and catalogue.has_preset(model.value):
        values.pop("params")  # the model a launch loads counts its own parameters, more exactly than a rough size
    if reading.no_accumulation is not None and "grad_accum_steps" not in values:
        reading.set(reading.no_accumulation)
    mini, group = values.get("ppo_mini_prompts"), values.get("num_generations")
    if mini is not None and "global_batch" not in values and (group is not None or reading.tuning_method != "grpo"):
        # verl's update: ppo_mini_batch_size prompts × rollout.n responses each (its workers multiply them), the
        # samples one optimizer update learns from over all GPUs (rollout.n is 1 unless set; GRPO sets it above 1)
        values["global_batch"] = replace(mini, field="global_batch", value=mini.value * (group.value if group else 1))
    if "gpus_from" not in values:
        change = _planned_change(reading, "num_gpus")
        if change is not None:
            # "was on 1 GPU with per_device 16 … now moving to 4 GPUs": the run asked about has the new count
            old, new = change
            values["num_gpus"] = new
            values["gpus_from"], values["gpus_to"] = replace(old, field="gpus_from"), replace(new, field="gpus_to")
    if "gpus_from" not in values:
        _node_count_changed(reading)
    if reading.one_gpu_used is not None:
        # "kaggle 2x T4 … only one gpu is used by unsloth": the machine has more, the run uses one
        machine = values.get("num_gpus")
        if machine is not None and machine.setup == "user" and machine.value > 1:
            values["machine_gpus"] = replace(machine, field="machine_gpus")
        values["num_gpus"] = Read("num_gpus", 1, reading.one_gpu_used)
        reading.several_gpus = False
    if reading.weights_dtype is not None and "precision" not in values and "adapter" not in values:
        # weights loaded in bf16 and trained as they are (the Trainer's and a plain loop's optimizer then keeps its
        # state in bf16 too): pure bf16 training - but DeepSpeed and FSDP keep fp32 master weights beside them.
        # (fp16 weights are left to the question: the vocabulary's pure 16-bit precision is bf16's)
        width, text = reading.weights_dtype
        sharded = reading.deepspeed or (values.get("parallelism") is not None and values["parallelism"].value in
                                        ("zero", "fsdp"))
        if sharded or width == "bf16":
            values["precision"] = Read("precision", ("amp_" + width) if sharded else width, text, implied=True)
    adapter, mode = values.get("adapter"), values.get("training_mode")
    fine_tuning_fails = adapter is not None and mode is not None and mode.value == "finetune" \
        and mode.mood == "fail" and mode.sentence != adapter.sentence
    if adapter is not None and adapter.mood == "ok" and (reading.full_training_mood == "fail" or fine_tuning_fails) \
            and not reading.adapter_switched_to:
        # "with --finetuning_type lora it runs, but --finetuning_type full runs out of memory", "can't finetune sdxl
        # on a 4090, out of memory … I am able to train an SDXL LoRA": the run that fails, every weight trained, is
        # the one asked about
        del values["adapter"]
    elif adapter is not None and reading.full_training is not None and LORA_SETTING_KEY.match(adapter.text):
        # "全参数 … --finetuning_type full … --lora_target c_attn" (review 52 #8): a LoRA setting left in a command
        # that trains every weight turns no adapter on - LLaMA-Factory ignores it unless finetuning_type is lora
        del values["adapter"]
    batches.resolve_third_party(reading)
    batches.resolve_planned_change(reading)
    batches.resolve_product_batches(reading)
    plain = values.pop("batch", None)
    said = {m.value for m in reading.batch_mentions if m.setup == "user" and not m.past and m.field == "batch"}
    fits = values.get("max_micro_batch")
    if len(said) > 1 and plain is not None and not plain.keyed and "batch_from" not in values \
            and not (fits is not None and plain.mood == "fail" and said == {plain.value, fits.value}):
        # (but "batch-size=4 … 20% … batch-size=8 … out of GPU memory": the failing one past the one that fits is the
        # run - batches.resolve_planned_change)
        # "batch size 32 takes 17G … 12G with batch size 128 for vit-s/16": several runs' plain batches, none named
        # as the run asked about (no change, no config key, no per-device cue): ask rather than pick one - unless
        # the least of them is said to fail ("SFT runs at batch size 4 … with DPO even batch size 2 OOMs")
        plain = _least_failing(reading)
    changed = [values[name] for name in ("batch_from", "batch_to") if name in values]
    if plain is not None and not plain.keyed and len(changed) == 2 and plain.value not in {r.value for r in changed}:
        # "SFT runs at batch 4 … DPO OOMs even at batch 2 … batch 1 works": a change of the run asked about (2 → 1)
        # after a batch of another run: the change says the batch, not the other run's
        plain = None
    subdivisions = values.pop("subdivisions", None)
    if plain is not None and subdivisions is not None and plain.value % subdivisions.value == 0 \
            and "micro_batch" not in values and "global_batch" not in values:
        # darknet's `batch=64 subdivisions=16`: 64 images per update, in 16 passes of 4
        values["global_batch"] = replace(plain, field="global_batch")
        values["micro_batch"] = Read("micro_batch", plain.value // subdivisions.value,
                                     f"{plain.text} {subdivisions.text}", implied=True)
        values.setdefault("grad_accum_steps", replace(subdivisions, field="grad_accum_steps"))
        plain = None
    if plain is not None:
        gpus = reading.get("num_gpus")
        # a plain batch is the per-device one on one GPU, next to a stated global batch, when it is smaller than the
        # GPU count (batch 1 on 8 GPUs cannot be global), or when the user's launch gives it as a script's key or
        # flag (`--batch_size 1`, `batch_size = 4` with accumulation: every process reads it) — unless the message
        # asks which of the two it is
        per_device = gpus in (None, 1) or "global_batch" in values or plain.value < gpus or plain.value == 1 \
            or (plain.keyed and not reading.asks_per_device) \
            or ("lightning" in values and not reading.asks_per_device)  # (Lightning's loader: each process's batch)
        micro = values.get("micro_batch")
        if micro is not None and plain.keyed and micro.keyed and plain.value > micro.value and "global_batch" not in values:
            # `MICRO_BATCH_SIZE = 4`, `BATCH_SIZE = 8`: next to a per-step key, the plain one is per update
            values["global_batch"] = replace(plain, field="global_batch")
        elif micro is not None and "global_batch" not in values and (gpus or 1) > 1 \
                and plain.value == micro.value * gpus * (reading.get("grad_accum_steps") or 1):
            # "the single-GPU batch size is 16 … 6 GPUs … the training batch size is 96": the product is the total
            values["global_batch"] = replace(plain, field="global_batch", implied=True)
        elif "micro_batch" not in values and per_device:
            values["micro_batch"] = replace(plain, field="micro_batch", implied=True)
        elif "micro_batch" not in values and "global_batch" not in values:
            values["batch_unqualified"] = replace(plain, field="batch_unqualified")
    lr, ref_batch = values.get("lr"), reading.reference.get("batch") or reading.reference.get("global_batch")
    if lr is not None and ref_batch is not None and lr.sentence == ref_batch.sentence and not lr.personal \
            and "lr" not in reading.reference:
        # "the configs use lr=0.03 for batch 256": the LR that goes with the reference's batch is theirs too
        reading.reference["lr"] = replace(values.pop("lr"), setup="reference")
    ref_plain = reading.reference.pop("batch", None) or reading.reference.pop("global_batch", None)
    ref_micro = reading.reference.pop("micro_batch", None) if ref_plain is None else None
    if ref_micro is not None:
        ref_plain = ref_micro
        ref_gpus, ref_accum = reading.reference.get("num_gpus"), reading.reference.get("grad_accum_steps")
        said_per_gpu = re.search(r"(?i)per[_ ]?(?:gpu|device)", ref_micro.text) is not None
        # (a config key's name said after its value counts as keyed: "16 per_device_train_batch_size x 1
        # gradient_accumulation_steps x 8 num_gpus", review 67 #17)
        if ref_gpus is not None and said_per_gpu \
                and (ref_micro.keyed or re.search(r"(?i)per_(?:gpu|device)_", ref_micro.text)):
            # "You used 8xA100 80GB GPU's, accordingly your settings are: batch_size_per_gpu: 38400,
            # grad_accumulation_steps: 1" (review 54 #12): the reference's batch per update is its per-GPU batch times
            # its GPUs and accumulation
            factor = ref_gpus.value * (ref_accum.value if ref_accum is not None else 1)
            ref_plain = replace(ref_micro, field="batch", value=ref_micro.value * factor)
    if ref_plain is not None:
        reading.reference["batch"] = ref_plain
        own = values.get("micro_batch") or values.get("batch_to")
        gpus, accum = reading.get("num_gpus") or 1, reading.get("grad_accum_steps") or 1
        if own is not None and gpus * accum > 1 and ref_plain.value == own.value * gpus * accum \
                and f"{own.value:g}" in re.findall(r"\d+", ref_plain.text):  # (a product said, with its factor)
            # "according to your statement the actual batch size is 800 * 4 = 3200": the user's own per-GPU batch
            # times their own GPUs, worked out by the authors' rule - the user's batch per update, not the recipe's
            del reading.reference["batch"]
            values.setdefault("global_batch", replace(ref_plain, field="global_batch", setup="user", implied=True))
    nodes, gpus = values.get("num_nodes"), values.get("num_gpus")
    if nodes is not None and gpus is not None and nodes.value == 1 and gpus.value > hardware.MOST_GPUS_PER_NODE:
        # "32 H800s" beside a script's `NUM_NODES=${NUM_NODES:-"1"}` (review 86 #10): no machine holds 32 GPUs, so
        # the one machine is a default the launch overrides
        del values["num_nodes"]
    if len(reading.precisions_off) == 2 and "precision" not in values:
        # "fp16=False, bf16=False" (review 86 #1): the Trainer's two 16-bit modes both off - it trains in fp32
        reading.set(Read("precision", "fp32", "; ".join(reading.precisions_off.values()), weak=True))
    layouts.resolve_layouts(reading)
    _take_failing_micro_batch(reading)
    hardware.resolve_platform(reading)
    hardware.resolve_card_memory(reading)
    for field in LENGTH_FIELDS:
        _take_failing(reading, field)  # (before a prompt's and a completion's lengths make the sequence's)
    prompt, completion = values.pop("prompt_len", None), values.pop("completion_len", None)
    said = values.get("seq_len")
    if prompt is not None and completion is not None and (said is None or said.value <= prompt.value
                                                          or not said.keyed and prompt.keyed and completion.keyed):
        # (a length in prose - "a maximum sequence length of 32k" - gives way to the flags the command sets,
        # `--prompt_max_len 1024 --generate_max_len 36864`)
        # "max_prompt_length 2048, max_completion_length 1024": each sequence trained on is both, 3,072 tokens (not
        # "the longest input is 168": a prompt's length, within the prompt's bound)
        values["seq_len"] = Read("seq_len", prompt.value + completion.value, prompt.text, implied=True)
    elif completion is not None and "seq_len" not in values:
        reading.completion_only = completion  # (no sequence's length alone: the facts add the trainer's default prompt)
    source, target = values.pop("source_len", None), values.pop("target_len", None)
    if source is not None and "seq_len" not in values:
        # `--max_source_length 2000 --max_target_length 1200` (ChatGLM's and the seq2seq examples' flags): a
        # decoder trains on both, 3,200 tokens; an encoder-decoder holds the two sides' activations together
        total = source.value + (target.value if target is not None else 0)
        values["seq_len"] = Read("seq_len", total, source.text, implied=target is not None)
    model = values.get("model")
    if model is not None and model.value in reading.replaced_models:
        # "the same command (except bert-base-cased, we are using bert-large-uncased-whole-word-masking)"
        other = next((b for a, b in reading.conflicts if a is model and b.field == "model"
                      and b.value not in reading.replaced_models), None)
        if other is not None:
            values["model"] = other
    card = values.get("gpu_model")
    theirs = reading.reference.get("gpu_model")
    if card is not None and theirs is not None and card.value == theirs.value and not card.personal:
        # "How did training with batch 8 fit onto a single A100? … you used a single A100 … On a 24 GB 4090 …": the
        # card said again as the authors' is theirs, and the user's is the other one
        other = next((b for a, b in reading.conflicts if a is card and b.field == "gpu_model" and b.setup == "user"
                      and b.value != card.value), None)
        if other is not None:
            values["gpu_model"] = other
    for field in MOOD_FIELDS:
        if field not in LENGTH_FIELDS:  # (the lengths were settled above)
            _take_failing(reading, field)
    if "image_size_from" not in values:
        # "with images of 640 there was no problem. Only thing I changed was --img 1920" (review 86 #26): of two sizes
        # the user ran, the one that worked is where the run came from, the other the run asked about
        pair = next(((a, b) for a, b in reading.conflicts if a.field == b.field == "image_size"
                     and a.setup == b.setup == "user" and a.value != b.value and (a.mood == "ok") != (b.mood == "ok")),
                    None)
        if pair is not None and (values.get("image_size") is None
                                 or values["image_size"].value in (pair[0].value, pair[1].value)):
            ran, now = pair if pair[0].mood == "ok" else pair[::-1]
            values["image_size"], values["image_size_from"] = now, replace(ran, field="image_size_from")
    size = values.get("image_size")
    if size is not None and "image_size_from" not in values and size.mood != "ok":
        # "it trains fine at imgsz 640, but at 1280 it runs out of memory": the size that ran is where the run came from
        ran = next((other for pair in reading.conflicts if size in pair for other in pair
                    if other is not size and other.field == "image_size" and other.setup == size.setup == "user"
                    and other.mood == "ok" and other.value != size.value), None)
        if ran is not None:
            values["image_size_from"] = replace(ran, field="image_size_from")
    nodes = values.get("num_nodes")
    if nodes is not None and nodes.value == 1 and reading.several_machines_text and nodes.mood != "fail" \
            and not any(nodes in pair for pair in reading.conflicts):
        # "Running VGG16 on multiple nodes is slower than single node … It works well … on a single node": the one
        # machine is the baseline; the run asked about is on several, uncounted (but "I ran the recipe with a single
        # node and got OOM … multi-node and single-node should not differ": the one machine failing is the run)
        values.pop("num_nodes")
        nodes = None
    later = next((b for a, b in reading.conflicts if a is nodes and b.field == "num_nodes" and a.setup == b.setup
                  == "user" and a.mood == "ok" and b.mood != "ok"), None) if nodes is not None else None
    if later is not None:
        # "on one machine everything works; on two machines … very slowly": the setup asked about is the other
        values["num_nodes"] = later
    elif nodes is not None and nodes.value == 1:
        more = next((b if a is nodes else a for a, b in reading.conflicts if nodes in (a, b)
                     and b.field == "num_nodes" and (b if a is nodes else a).value > 1
                     and a.setup == b.setup == "user" and not (a.past or b.past)), None)
        if more is not None:
            # "12000 tokens/s with 1 node but 9000 with 2 nodes": one node compared with several, and the run asked
            # about is the several (one node is the baseline it falls short of)
            values["num_nodes"] = more
    _recipes_nodes(reading)
    moved = values.get("gpus_to")
    if moved is not None:  # "from 8 GPUs to 2 GPUs": the run asked about has the new count, whatever else was said
        values["num_gpus"] = replace(moved, field="num_gpus")
    count = values.get("num_gpus")
    if count is not None and moved is None and any(count in pair and a.value != b.value and a.setup == b.setup == "user"
                                 and not (a.past or b.past) and rank(a) == rank(b) and a.sentence == b.sentence
                                 and min(a.value, b.value) > 1 and not {":", "="} & set(a.text + b.text)
                                 and {a.mood, b.mood} != {"ok", "fail"}  # (one that works, one that fails: settled)
                                 for pair in reading.conflicts for a, b in [pair] if a.field == "num_gpus"):
        # "either 8 GPUs and batch 128 or 4 GPUs and batch 256": two setups of the
        # user's side by side, neither the one asked about; ask rather than pick - and several GPUs all the same,
        # so the fewest that hold the plan is worth counting ("tried 6 devices, 8 devices")
        reading.on_several_gpus(values.pop("num_gpus").text)
    single = values.get("num_gpus")
    micro = values.get("micro_batch")
    # (a one-GPU layout weighed against another on several is the run resolve_layouts chose: kept)
    laid_out = reading.compared_layout is not None and micro is not None and single is not None \
        and micro.text == single.text
    if single is not None and single.value == 1 and not laid_out:
        # "when I use 1 GPU … but with multiple GPUs", "single GPU (equivalent to 8 GPUs)": a comparison, so the
        # count is the larger one said, or none
        several = next((other for pair in reading.conflicts if single in pair for other in pair
                        if other is not single and other.field == "num_gpus" and other.value > 1
                        and other.setup == "user"), None)  # either said first
        # ("一张卡", "单卡": one card said in Chinese, whose words the read quotes as written)
        said_one = not hardware.SAID_ONE.isdisjoint(single.text.lower().split()) or single.text[:1] in ("一", "单")
        # ("(A100 x1)" - review 77 #19: a count written as the cards' multiplier is said on purpose, whatever a pasted
        # README says of "multi-GPU" elsewhere)
        if several is not None or reading.several_gpus and not (reading.only_per_gpu and said_one) \
                and not reading.one_card_multiplied:
            values.pop("num_gpus")
            if several is not None:
                values["num_gpus"] = several
    said_gpus, nodes_said = values.get("num_gpus"), reading.get("num_nodes") or 1
    if "gpus_per_node" not in values and said_gpus is not None and nodes_said > 1 \
            and said_gpus.value <= MOST_GPUS_PER_NODE_SAID \
            and said_gpus.text.lower().replace("-", "_").startswith(("num_gpus", "__num_gpus")):
        # `deepspeed --num_gpus 8 --num_nodes 3`, detectron2's `--num-gpus 8 --num-machines 2`: a launcher's GPUs on
        # each machine (accelerate's --num_processes counts them all)
        values["gpus_per_node"] = values.pop("num_gpus")
    per_node = values.pop("gpus_per_node", None)
    if per_node is not None and "num_nodes" not in values and reading.several_machines_text \
            and (values.get("num_gpus") is None or values["num_gpus"].value == per_node.value):
        # "zero3 on multiple nodes, each with 8 40G A100" (review 86 #3): 8 on each of machines uncounted - no
        # total of the GPUs, which the nodes' count (asked) settles
        values.pop("num_gpus", None)
        per_node = None
    if per_node is not None:
        nodes = reading.get("num_nodes") or 1
        total = Read("num_gpus", per_node.value * nodes, per_node.text)
        old = values.get("num_gpus")
        if old is None or old.value in (per_node.value, 1) or old.value == total.value:
            values["num_gpus"] = total
        elif nodes == 1 and old.value > total.value and old.value % total.value == 0 \
                and per_node.text.upper().startswith("NPROC_PER_NODE") \
                and (reading.swift_cli and not reading.deepspeed and reading.get("parallelism") not in ("zero", "fsdp")
                     or reading.get("parallelism") == "device_map"):
            # (with DeepSpeed or FSDP each process holds its GPU alone: no device_map split)
            # ms-swift with `NPROC_PER_NODE=4` on 8 GPUs: 4 processes in data parallel, each with its
            # copy of the model split over 2 GPUs by device_map
            values["num_gpus"] = total
            values["machine_gpus"] = replace(old, field="machine_gpus")
            reading.gpus_per_process = replace(old, field="split_gpus", value=old.value // total.value)
        elif nodes == 1 and old.value > total.value and old.setup == "user" and not old.planned:
            # "hardware: 8x A100 80GB" and `torchrun --nproc_per_node=2`: two processes, two GPUs train (one each) -
            # the launch's count, kept beside the machine's for the consultation (situation._launched_count)
            reading.conflicts.append((old, total))
    actor, actor_nodes = values.pop("actor_gpus_per_node", None), values.pop("actor_nodes", None)
    if actor is not None:
        # OpenRLHF's `--actor_num_nodes 3 --actor_num_gpus_per_node 1` beside `--ref_num_nodes 3
        # --ref_num_gpus_per_node 6` and vLLM's engines: the model trained is sharded and data-parallel over the
        # actor's GPUs only (3), not over every GPU the machines have (24)
        trained = Read("num_gpus", actor.value * (actor_nodes.value if actor_nodes else 1), actor.text, keyed=True)
        job = values.get("num_gpus")
        if job is not None and job.value > trained.value:
            reading.job_gpus = job
        values["num_gpus"] = trained
    whole, micro, accum = values.get("global_batch"), values.get("micro_batch"), reading.get("grad_accum_steps")
    if whole is not None and micro is not None and accum and accum > 1 and whole.value < micro.value * accum \
            and not whole.planned:
        # "train batch size: 1, gradient accumulation: 128": a batch per update under one micro-batch × the
        # accumulation is no batch per update; the '1' is the micro-batch said again
        values.pop("global_batch")
        whole = None
    if whole is not None and "micro_batch" not in values and reading.get("num_gpus") == 1 \
            and (reading.get("grad_accum_steps") or 1) == 1 and not whole.planned:
        # (not a batch per update planned - "target global batch 32": its micro-batch is what is asked)
        # `IMS_PER_BATCH = 4` on one GPU with no accumulation: the batch per update is the one GPU's batch
        values["micro_batch"] = replace(whole, field="micro_batch", implied=True)
    if reading.get("training_mode") == "finetune":
        # "Pre-training worked great with batch 256, so fine-tuning with batch 256…": the pre-training run's
        # numbers describe a reference setup, not the fine-tuning run
        for name in ("micro_batch", "batch_unqualified", "global_batch", "lr"):
            r = values.get(name)
            if r is not None and r.sentence in reading.pretraining_sentences:
                values.pop(name)
                key = "batch" if name != "lr" else "lr"
                reading.reference.setdefault(key, Read(key, r.value, r.text, "reference", sentence=r.sentence))
    trainable = values.pop("trainable_params", None)
    if trainable is not None and "params" not in values and "adapter" not in values and "lora_rank" not in values:
        values["params"] = replace(trainable, field="params", implied=True)  # no adapter: every weight trains
    elif trainable is not None and ("adapter" in values or "lora_rank" in values):
        # PEFT's "trainable params: 408,944,640 || all params: …": the adapters' own count (not a label)
        values["adapter_params"] = replace(trainable, field="adapter_params", implied=True)
    elif trainable is not None and "params" in values and trainable.value < PEFT_SHARE * values["params"].value \
            and reading.full_training is None:
        # "trainable params: 153,354,240 || all params: 14,442,255,424 || trainable%: 1.0618": PEFT's print of
        # adapters on a frozen base (LoRA by far the most often), whatever else the message names
        values["adapter"] = Read("adapter", "lora", trainable.text, implied=True)
        values["adapter_params"] = replace(trainable, field="adapter_params", implied=True)
    _from_reference(reading)
    models.resolve_vague_model(reading)
    models.catalogue_params(reading)
    models.sized_sibling(reading)
    _implied_mode(reading)
    adapter = reading.get("adapter")
    if adapter in ("lora", "qlora") and "training_mode" not in values:
        values["training_mode"] = Read("training_mode", "finetune", values["adapter"].text)
    if adapter == "lora" and reading.get("base_bits") == 4:
        values["adapter"] = Read("adapter", "qlora", values["adapter"].text)
    elif adapter == "qlora" and reading.get("base_bits") == 16:
        # "xtuner's qlora config fits 24G, but LoRA without quantization runs out" (review 76 #29): the run asked
        # about is the one on the unquantized base, named after the QLoRA that worked
        values["adapter"] = Read("adapter", "lora", values["base_bits"].text)
    elif adapter is None and reading.get("training_mode") in ("finetune", None) and reading.get("base_bits") == 4 \
            and reading.full_training is None:
        # a 4-bit base cannot be trained itself: training on it ("unsloth/llama-3-8b-bnb-4bit", load_in_4bit=True,
        # "even with 4bit quantization") trains adapters on it
        values["adapter"] = Read("adapter", "qlora", values["base_bits"].text, implied=True)
    elif adapter is None and reading.get("training_mode") in ("finetune", None) and reading.get("base_bits") == 8 \
            and reading.full_training is None and "optimizer" not in values:
        # the same of an 8-bit base (load_in_8bit=True): only adapters train on it - LoRA on an 8-bit base
        values["adapter"] = Read("adapter", "lora", values["base_bits"].text, implied=True)
    said = {(r.field, r.value) for pair in reading.conflicts for r in pair if r.setup == "user" and not r.past}
    sharded_said = {(r.field, r.value) for pair in reading.conflicts for r in pair if r.setup == "user"
                    and not r.past and not r.weak}
    if {("parallelism", "fsdp"), ("parallelism", "zero")} <= sharded_said:
        tried = [r for pair in reading.conflicts for r in pair if r.field == "parallelism" and r.setup == "user"
                 and r.value in ("fsdp", "zero")]
        works = [r for r in tried if r.mood == "ok"]
        if len({r.value for r in works}) == 1 and len({r.value for r in tried}) == 2:
            # "DeepSpeedStrategy(offload_optimizer=True) … OOM … FSDP works with the same script": the one that
            # works is the comparison, the other the run asked about
            values["parallelism"] = next(r for r in tried if r.value != works[0].value)
        else:
            # "OOM with both FSDP and DeepSpeed ZeRO-3": two runs tried, neither the plan to check; ask which
            # (sharded either way: no launcher makes it DDP below)
            values.pop("parallelism", None)
            values.pop("zero_stage", None)
            reading.sharding_unsettled = True
    if reading.get("parallelism") == "device_map" and reading.get("num_gpus") == 1:
        values.pop("parallelism")  # `device_map="auto"` on one GPU places the model there; it splits nothing
    sides = {r.value for pair in reading.conflicts for r in pair if r.field == "image_size" and r.setup == "user"}
    if len(sides) > 1 and "image_size_from" not in values:
        # "image_size=512 … only image_size=224 works": two runs' sizes, ask (unless one ran and the other is the run
        # that fails: "fine at 640, OOM at 1280")
        values.pop("image_size", None)
    if {("grad_checkpointing", True), ("grad_checkpointing", False)} <= said:
        values.pop("grad_checkpointing", None)  # on in one place, off in another: ask
    # (a stage tried before and judged, "zero3 was slow", is no stage of the run's)
    stages = {r.value for o, n in reading.conflicts if o.field == "zero_stage" for r in (o, n) if not r.past}
    if "zero_stage" in reading.reference:
        stages.add(reading.reference["zero_stage"].value)
    for name in SWITCHABLE & reading.switched_to.keys():
        now = reading.switched_to[name]
        if now.setup == "user" and values.get(name) is not None and values[name] is not now:
            values[name] = now  # (what the setting was changed to, over what it was)
            model = values.get("model")
            if name == "params" and model is not None and "model" not in reading.switched_to \
                    and not _size_of(model.value, now.value):
                # the catalogue model a script names, its size changed: a model of another size, the script's a reference
                reading.reference.setdefault("model", replace(values.pop("model"), setup="reference"))
    switched = reading.switched_to.get("zero_stage")  # (a stage switched to settles the stages said: below)
    if switched is not None and switched.setup == "user" and len(stages) == 2 and switched.value in stages \
            and (not switched.planned or switched.mood == "fail"):  # ("… switched to ZeRO-2 and now OOM": the run's)
        values["zero_stage"] = switched  # "ZeRO3 gives an error, so I switched to ZeRO2": the run is on the new stage
    elif reading.stage_errored is not None and len(stages) == 2 and reading.stage_errored.value in stages and (
            running := next((r for o, n in reading.conflicts if o.field == "zero_stage" for r in (o, n)
                             if r.value != reading.stage_errored.value and not r.past), None)) is not None:
        # "I tried zero3 but it fails with an assertion error, zero2 gives OOM": the run is on the stage that runs
        values["zero_stage"] = running
    elif "zero_stage" in values and len(stages | {values["zero_stage"].value}) > 1:
        values.pop("zero_stage")  # "stage 1 … stage 2 … stage 3", "zero_stage2&3", "docs use zero2; change to zero3?"
    parallelism = values.get("parallelism")
    if "zero_stage" not in values and not stages and parallelism is not None and parallelism.value == "zero" \
            and values.get("offload_params") is not None and values["offload_params"].value \
            and values["offload_params"].text.lower().replace("-", "_") == "offload_param":
        # DeepSpeed's config offloads parameters only in stage 3 (`offload_param`): ZeRO with it is ZeRO-3 (not
        # Lightning's `offload_parameters`, a strategy argument whose stage is its own, 2 by default)
        values["zero_stage"] = Read("zero_stage", 3, values["offload_params"].text, implied=True)
    if "zero_stage" in values and (parallelism is None or parallelism.value == "ddp"):
        # ZeRO runs over data parallelism: a stage said makes it ZeRO ("data-parallel size … ZeRO-2")
        values["parallelism"] = Read("parallelism", "zero", values["zero_stage"].text)
    elif parallelism is None and reading.launcher is not None and (reading.get("num_gpus") or 1) > 1 \
            and not reading.sharding_unsettled \
            and not any(name in reading.launcher.lower() for name in ("horovod", "mpi")):
        # torchrun / torch.distributed.launch / accelerate launch over several GPUs, nothing sharded: DDP (Horovod
        # and MPI's launchers start a process per GPU too, but for any framework: Horovod's allreduce, JAX, TF)
        values["parallelism"] = Read("parallelism", "ddp", reading.launcher, implied=True)
    elif parallelism is None and (reading.get("num_gpus") or 1) > 1 and values["num_gpus"].text.startswith(
            "NPROC_PER_NODE=") and reading.rl_trainer != "verl":  # (verl's actor shards with FSDP: situation.py)
        # `export NPROC_PER_NODE=4` before `swift sft` (ms-swift, LLaMA-Factory): the script starts torchrun
        values["parallelism"] = Read("parallelism", "ddp", values["num_gpus"].text, implied=True)
    elif parallelism is None and reading.swift_cli and (reading.get("num_gpus") or 1) > 1 \
            and values["num_gpus"].text.upper().startswith("CUDA_VISIBLE_DEVICES") and not reading.deepspeed \
            and reading.launcher is None and not reading.sharding_unsettled:
        # `CUDA_VISIBLE_DEVICES=0,1,2,3 swift sft …` with no NPROC_PER_NODE: ms-swift starts one process and loads
        # the model with device_map over the visible GPUs (its examples/train/multi-gpu/device_map), no DDP
        values["parallelism"] = Read("parallelism", "device_map", reading.swift_cli, implied=True)
    pure = next((b for a, b in reading.conflicts if a.field == "precision" and a.value == "amp_bf16"
                 and b.value == "bf16" and b.setup == "user"), None)
    if pure is not None and reading.get("precision") == "amp_bf16":
        values["precision"] = pure  # `--mixed_precision=bf16 --full_bf16`: the weights themselves are bf16
    precision = reading.get("precision")
    said_dtype = next((b for a, b in reading.conflicts if a.field == "precision" and a.value == "amp"
                       and b.value in ("amp_fp16", "amp_bf16") and b.setup == "user"), None)
    if precision == "amp" and said_dtype is not None:
        values["precision"] = said_dtype  # "Mixed precision training … in bf16": the dtype said later is its own
    elif precision == "amp":
        # "AMP on", `precision="amp"`, "mixed precision" with no dtype: autocast's default on CUDA is float16
        # (torch.autocast); bf16 AMP holds the same memory
        values["precision"] = Read("precision", "amp_fp16", values["precision"].text, implied=True)
