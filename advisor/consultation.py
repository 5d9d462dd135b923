"""`consult()`: the one stateless core every interface calls, and the place the layers are wired together.

Facts in (the message, stated facts, answers to earlier questions), advice out. Nothing is remembered between
calls: a multi-turn conversation calls it again with the answers so far, which keeps every answer
reproducible from its inputs. This module composes the layers: the knowledge base (kb), the reader of the
user's words (reading), the domain's estimators and catalogue (domain), and the engine.
"""

from __future__ import annotations

import math

import re

from dataclasses import replace
from typing import Any, Mapping, Sequence

from advisor.engine.advice import Advice
from advisor.engine.assemble import Consultation, assemble
from advisor.engine.chaining import Engine
from advisor.engine.inputs import SKIPPED, accept_input
from advisor.engine.memory import Provenance, WorkingMemory, coerce_named
from advisor.errors import InputError
from advisor.kb import load as kb_load
from advisor.kb.model import KnowledgeBase
from advisor.reading import chinese
from advisor.reading.configs import apply_configs, read_configs
from advisor.reading.extract import extract_spans
from advisor.reading.hardware import GPUS_PER_SERVER
from advisor.reading.per_gpu import heaviest, memory_by_gpu
from advisor.reading.reader import read
from advisor.reading.state import Read, Reading
from advisor.reading.situation import facts_of
from advisor.reading.timings import MAX_SCAN, compared_timings
from advisor.units import BYTE_UNITS, parse_count

_ENGINES: dict[int, Engine] = {}


def check_text(message: str) -> None:
    """Text that cannot be written as UTF-8 (a lone surrogate from a broken client) is refused, not stored."""
    try:
        message.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("the message has characters that are not valid Unicode (lone surrogates); send UTF-8 text") from None


def load_kb(rules_dir: str | None = None) -> KnowledgeBase:
    """The knowledge base, with its estimator calls checked against the domain's estimators (a cheap pass over
    the estimate rules; the loader itself knows no estimator)."""
    from advisor.domain.estimators import ESTIMATORS  # registers the estimators the rules call

    kb = kb_load.load_kb(rules_dir)
    kb_load.check_estimator_calls(kb, ESTIMATORS)
    return kb


def engine_for(kb: KnowledgeBase) -> Engine:
    engine = _ENGINES.get(id(kb))
    if engine is None or engine.kb is not kb:
        engine = _ENGINES[id(kb)] = Engine(kb)
    return engine


def build_memory(kb: KnowledgeBase, message: str | Sequence[str], facts: Mapping[str, Any] | None,
                 answers: Mapping[str, Any] | None, measured: Mapping[str, Any] | None = None,
                 situation: Mapping[str, Any] | Any | None = None, configs: Sequence[Any] | None = None) -> WorkingMemory:
    """Put the caller's inputs into a working memory, strongest provenance first. A structured `situation`
    (advisor.reading.situation.Situation, or its dict) states facts like `facts` does; `facts` win over it.
    Config files (`configs`, each {name, content}) win over the message and give way to stated facts."""
    if situation is not None:
        from advisor.reading.situation import situation_facts

        facts = {**situation_facts(situation, kb), **dict(facts or {})}
    wm = WorkingMemory(kb)
    for kind, mapping in (("given", facts), ("measured", measured), ("answer", answers)):
        for name, raw in (mapping or {}).items():
            value = accept_input(kb, name, raw, kind)
            if value is SKIPPED:
                wm.declined.add(name)
            else:
                wm.set(name, value, Provenance(kind))
    for name, (value, matched) in read_messages(kb, message).items():
        if not wm.known(name) and name not in wm.declined:
            wm.set(name, value, Provenance("message", matched=matched))
    if configs:
        apply_configs(wm, read_configs(configs, kb))
    _filled_by_answers(wm)
    _catalogue_facts(wm)
    _framework_facts(wm)
    for name, spec in kb.facts.items():
        if spec.default is not None and not wm.known(name):
            wm.set(name, coerce_named(kb, name, spec.default), Provenance("default"))
    _check_consistency(wm)
    return wm


def read_messages(kb: KnowledgeBase, message: str | Sequence[str] | None) -> dict[str, tuple[Any, str]]:
    """A message, or a conversation's messages read one by one: what a later message says of a fact replaces
    what an earlier one said ('actually it is a 48GB card'), and facts it does not mention stay."""
    found: dict[str, tuple[Any, str]] = {}
    for text in [message] if isinstance(message, str) else message or ():
        found.update(read_message(kb, text))
    return found


# a YAML config's key or a script's flag commented out, alone on its line ("#bf16: true", "# --fp16 \\"): it sets
# nothing, so neither the reader nor the phrase patterns read it (blanked, so every span keeps its place). (Not
# "#burn_in=2000": a Darknet cfg's lines, commented or not, still name the framework whose keys they are.)
COMMENTED_SETTING = re.compile(r"(?m)^[ \t]*#[ \t]*(?:--?[A-Za-z][\w.-]*(?:[ \t=]+[^\s#]+)?|[A-Za-z_][\w.-]*[ \t]*:[ \t]*"
                               r"[^\s#]+)[ \t]*\\?[ \t]*$")


# a YAML template's comment listing a key's choices ("deepspeed: ds_z3_config.json  # choices: [ds_z0_config.json,
# ds_z2_config.json, ds_z3_config.json]", LLaMA-Factory's examples): options, not settings
CHOICES_COMMENT = re.compile(r"#[ \t]*choices[ \t]*:[ \t]*\[[^\]\n]{0,500}\]")


# a template's advice trailing a setting it ships ("gradient_accumulation_steps = 4, # Increase to 4 for smoother
# training", "num_generations = 8, # Decrease if out of memory" - review 74 #8, Unsloth's notebooks): the template
# author's words to every reader, not the user's change, claim or OOM (blanked, so every span keeps its place)
TEMPLATE_ADVICE = re.compile(r"(?im)^([ \t]{0,40}[\w.\-\"'\[\]]{1,80}[ \t]*[=:][^#\n]{1,200}?)[ \t]#[ \t]{0,4}"
                             r"(?:increase|decrease|reduce|lower|raise|set|change|choose|use|can|try|suggested|"
                             r"recommended|remove|keep|only|supports?)\b[^\n]{0,300}")


# a screenshot's address (Markdown's ![alt](url), HTML's <img src="url">): a file name someone's site gave the image,
# never the user's words ("GTR-llama-7b-abc.png" names no model of theirs); blanked, so every span keeps its place
IMAGE_ADDRESS = re.compile(r"(?<=\]\()[^)\s]{1,2000}(?=\))|(?<=src=\")[^\"\s]{1,2000}(?=\")", re.IGNORECASE)
IMAGE_MARK = re.compile(r"!\[[^\]\n]{0,300}\]\(|<img\b", re.IGNORECASE)


# a package's optional extras in an install command ("pip3 install -e '.[flash-attn,deepspeed]'", review 76 #23): what
# was installed, not what the run launches with (blanked, so every span keeps its place)
PIP_EXTRAS = re.compile(r"(?i)\bpip3?\s+install\b[^\n\[]{0,120}\[([\w\s,.-]{1,120})\]")


# an issue template's unticked choice ("- [ ] Windows", "- [ ] I am using the latest version"): an option the user did
# not pick, so nothing it says is theirs (blanked, so every span keeps its place; a ticked one, "- [X] Linux", stays)
UNTICKED = re.compile(r"(?m)^[ \t]{0,8}[-*+][ \t]{0,4}\[ \][^\n]{0,500}")


# a pasted error wrapped between a number and its unit ("(GPU 0; 14.75\nGiB total capacity"): one size, so the line
# break is read as a space (same length, so every span keeps its place)
WRAPPED_UNIT = re.compile(r"(?<=\d)[ \t]*\n[ \t]*(?=[GMKT]i?B\b)")
# markdown's bold around a word ("it fails on the **second** iteration", review 89 #22): blanked, so the phrase
# patterns read the words as written (not a power's "2**10": a letter or a digit on the inner side only)
BOLD_MARK = re.compile(r"(?<![A-Za-z0-9)*])\*\*(?=[A-Za-z0-9])|(?<=[A-Za-z0-9.,:!?)])\*\*(?![A-Za-z0-9(*])")


def _blank_image_addresses(message: str) -> str:
    """The message with the addresses of its images blanked (only an image's: a link to a model's page stays)."""
    out, at = [], 0
    for mark in IMAGE_MARK.finditer(message):
        if mark.start() < at:
            continue
        address = IMAGE_ADDRESS.search(message, mark.end() - 1, min(len(message), mark.end() + 2200))
        if address is None:
            continue
        out.append(message[at:address.start()])
        out.append(" " * (address.end() - address.start()))
        at = address.end()
    out.append(message[at:])
    return "".join(out)


def read_message(kb: KnowledgeBase, message: str) -> dict[str, tuple[Any, str]]:
    """Facts from the user's words, each with the words it came from: the situation reader's (hardware, model,
    training setup, batches, schedule, reference, changes, goal), then the phrase patterns of rules/facts.yaml
    (claims and the like) for facts the reader does not fill."""
    if "\n" in message:
        message = WRAPPED_UNIT.sub(lambda m: " " * len(m.group(0)), message)
    if IMAGE_MARK.search(message):
        message = _blank_image_addresses(message)
    if "[ ]" in message:
        message = UNTICKED.sub(lambda m: " " * len(m.group(0)), message)
    if "**" in message:
        message = BOLD_MARK.sub("  ", message)
    if "install" in message:
        message = PIP_EXTRAS.sub(lambda m: m.group(0)[:m.start(1) - m.start(0)] + " " * len(m.group(1))
                                 + m.group(0)[m.end(1) - m.start(0):], message)
    if "#" in message:
        message = COMMENTED_SETTING.sub(lambda m: " " * len(m.group(0)), message)
        message = CHOICES_COMMENT.sub(lambda m: " " * len(m.group(0)), message)
        message = TEMPLATE_ADVICE.sub(lambda m: m.group(1) + " " * (len(m.group(0)) - len(m.group(1))), message)
    patterned, said, used = extract_spans(kb, message)
    text = said
    for start, end in used:  # numbers a pattern already took are not read again
        text = text[:start] + " " * (end - start) + text[end:]
    reading = read(text)
    if "vocab_size" in patterned and reading.shape and "vocab" not in reading.shape:
        # `vocab_size=50304` among shape settings: a pattern took the number, the count of the shape needs it too
        value, words = patterned["vocab_size"]
        reading.shape["vocab"] = Read("vocab", int(value), words.strip())
    found = {name: (value, _unblanked(words, text, said)) for name, (value, words) in facts_of(reading, kb).items()}
    for name, (value, matched) in patterned.items():
        found.setdefault(name, (value, matched))
    view = chinese.english_view(said) if chinese.has_cjk(said) else None  # (the Chinese read as English, once)
    if view is not None:
        _patterns_on_the_english(kb, said, view, found)
    timings = compared_timings(said)
    if not timings and view is not None:
        # ("单卡0.15秒一个batch … 4卡0.35秒一个batch", review 68 #22)
        timings = _timings_in_the_english(said, view)
    for name, (value, matched) in timings.items():
        found.setdefault(name, (value, matched))
    if "epoch_seconds_by_epoch" in timings and "run_seconds_by_batch" in found \
            and {k for k, _ in found["run_seconds_by_batch"][0]} <= {k for k, _ in timings["epoch_seconds_by_epoch"][0]}:
        found.pop("run_seconds_by_batch")  # ("epoch 10 -> 0.21 s, 20 -> 0.49 s": a list of epochs, not of batches)
    _banner_counts_the_gpus(found, said)
    # (the reader's pass over the GPUs listed serves where it read the same text: no number a pattern took blanked)
    _memory_of_each_gpu(found, said, None if used else reading.listed_gpu_uses)
    _last_logged_loss(found, said)
    _commands_cut_inside_quotes(found, said)
    if found.get("verl_dynamic_bsz", (False,))[0] is True:
        # `use_dynamic_bsz=True` beside `ppo_micro_batch_size_per_gpu=4` (review 68 #17): the micro-batches are packed
        # to a token budget, so the count set is not what a micro-step holds
        for name in ("micro_batch", "grad_accum_steps"):
            if name in found and "micro_batch_size" in found[name][1]:
                found.pop(name)
    if found.get("claim_wants_memory_filled", (False,))[0] is True and "oom" not in found \
            and found.get("user_goal", (None,))[0] == "fit":
        # "settings to utilize more the vram … only around 37GB/80GB" (review 68 #26): memory left over, the run to
        # speed up - no fit to reach
        found["user_goal"] = ("faster", found["claim_wants_memory_filled"][1])
        _add_topic(found, "speed", found["claim_wants_memory_filled"][1])
    if found.get("claim_process_killed", (False,))[0] is True and "measured_use" in found and "oom" not in found \
            and not _gpu_said_around(said, found["measured_use"][1]):
        # "the program was killed after it had taken up 60g of memory" (review 87 #7): the host's RAM the process
        # took, not a GPU's use
        found.pop("measured_use")
    _loading_bar_is_no_step(found, said)
    if "horovod_named" in found and "dataloader_workers" in found \
            and re.fullmatch(r"\d{1,4}\s+workers", found["dataloader_workers"][1].strip(), re.IGNORECASE):
        # "why doesn't training speed up with 4 workers compared to 2 workers (on a CPU cluster)" with Horovod (review 87
        # #30): Horovod's workers are its training processes, not a DataLoader's
        found.pop("dataloader_workers")
    _epoch_shows_the_batch(found)
    _batch_too_large_for_each_gpu(found)
    _epoch_settles_batch_scope(found)
    _asked_batch_for_the_lr(found)
    if found.get("tpu_named", (False,))[0] is True and (
            NO_TPU.search(said[:MAX_SCAN]) and ("gpu_model" in found or "gpu" in said[:MAX_SCAN].lower())
            or ("gpu_model" in found or ON_A_GPU.search(said[:MAX_SCAN]))
            and THEIR_TPU.search(said[:MAX_SCAN]) and not MY_TPU.search(said[:MAX_SCAN])):
        # "this code uses 4x4 TPUs, but I don't have access to TPUs … OOM on a single Titan X" (review 53 #2), "I tried
        # with A100 (40GB) … how you fit the large model into TPU?" (review 55 #21): the TPUs are the code's or the
        # authors', the run is on the GPU named
        found.pop("tpu_named")
    if found.get("inference_slow", (False,))[0] is True and found.get("generation_run", (False,))[0] is not True \
            and "oom" not in found and "claim_run_fits" not in found:
        # "Speeding up inference … Inference takes about 1 second / image" (review 63 #7): the question is the model's
        # inference, though the message names its training too (Trainer.test(), "only used during training") - the
        # consultation is about a run to predict, with none of a training step's questions or levers
        found["generation_run"] = (True, found["inference_slow"][1])
    if found.get("claim_memory_not_freed", (False,))[0] is True and "oom" in found \
            and not re.search(r"out of memory|\boom|outofmemory|resource exhausted", found["oom"][1], re.IGNORECASE):
        # "after deleting my model, memory doesn't get empty … 85% of memory is full" (review 65 #10): a card shown
        # full by memory not handed back, not a failed allocation
        found.pop("oom")
        if found.get("user_goal", (None, ""))[1] == found.get("claim_memory_not_freed", (None, ""))[1] \
                or "full" in found.get("user_goal", (None, ""))[1]:
            found.pop("user_goal", None)
    if "grad_accum_steps" not in found and (unset := ACCUMULATION_COMMENTED_OUT.search(said[:MAX_SCAN])):
        # "with max_steps and gradient_accumulation_steps commented out" (review 67 #19): the default, no accumulation
        found["grad_accum_steps"] = (1, unset.group(0))
    if found.get("generation_run", (False,))[0] is True \
            and found.get("claim_slower_after_increase", (False,))[0] is True \
            and "claim_batched_generation_slower" not in found:
        # "increasing the batch size leads to marginally slower transcription times" (review 70 #12): a batch raised
        # for a model run to generate - the decoding's own reasons, not a training step's
        found["claim_batched_generation_slower"] = found.pop("claim_slower_after_increase")
    if "sam_points_per_side" in found and "generation_run" not in found:
        # SAM's automatic mask generator's grid (review 68 #16): a model run to segment, not trained
        found["generation_run"] = (True, found["sam_points_per_side"][1])
    if found.get("generation_run", (False,))[0] is True and "training_mode" in found:
        # "I test your pretrained model on my dataset" (review 65 #7), "I have a fine-tuned Whisper model. When
        # performing inference …" (review 66 #17), "--served-model-name Yi-1.5-34B-Chat" (#28): a model run as it
        # is, whatever training made it - no training mode in this question
        found.pop("training_mode")
    if found.get("generation_run", (False,))[0] is True:
        # "hf.co/unsloth/Qwen3-14B-GGUF run in ollama" (review 72 #22): what a library does in training (Unsloth's
        # fused loss and checkpointing) is nothing of a model run to generate
        for name in ("fused_loss", "grad_checkpointing"):
            if name in found and "unsloth" in found[name][1].lower():
                found.pop(name)
    if found.get("generation_run", (False,))[0] is True and found.get("adapter", (None,))[0] == "qlora" \
            and "base_bits" in found and found["adapter"][1] == found["base_bits"][1]:
        # "serving Kimi-Linear-48B-A3B-Instruct-AWQ-4bit with vLLM" (review 72 #1): a 4-bit checkpoint run as it is -
        # its weights' width, no adapters trained on it
        found.pop("adapter")
    _tpu_slice_devices(found, said)
    _engine_switched_off(found, said)
    _logs_of_several_worlds(found, said)
    _quoted_duration(found, said)
    if "params" in found and "model_preset" not in found and _said_as_tokens(found["params"][1], said[:MAX_SCAN]):
        # "configurations up to 5.7B tokens … settings for models beyond 5.7B (say, on full 23.9B tokens)" (review 71
        # #29): a size the message counts in tokens elsewhere is the data's, not the model's
        found.pop("params")
    if "bucket_counts" in found and "dataset_size" not in found:
        # aspect-ratio buckets listed in a log (review 69 #12): their images are the data set, not a question to ask
        counts = found["bucket_counts"][0]
        found["dataset_size"] = (float(sum(c for _, c in counts)), found["bucket_counts"][1])
    if (split := TRAIN_SPLIT.search(said[:MAX_SCAN])) is not None:
        # "determined on a 45k/5k train/val split" (review 71 #3): the examples trained on, over a named data set's
        # whole size (CIFAR-10's 50,000)
        found["dataset_size"] = (parse_count(split.group(1).replace(" ", "")), split.group(0))
    if "planned_steps" not in found and (schedule := CONFIG_ITERATIONS.search(said[:MAX_SCAN])):
        # "upernet_hornet_tiny_7x7_512_160k_ade20k.py" (review 70 #14): an OpenMMLab config's schedule, in iterations
        found["planned_steps"] = (int(schedule.group(1)) * 1000, schedule.group(0))
    if found.get("rl_env_named", (False,))[0] is True and found.get("training_mode", (None, ""))[0] == "finetune" \
            and found["training_mode"][1].lower() in ("ppo", "grpo", "rl", "rlhf"):
        # ML-Agents' PPO, SB3's (review 70 #6): an agent trained in its environments, not a pre-trained model tuned
        found.pop("training_mode")
    _gpus_a_model_was_trained_on(found, said)
    if found.get("detectron_named", (False,))[0] and MMDETECTION.search(said):
        # "for coco 2017 … half of iteration claimed in maskrcnn-benchmark": the run is mmdetection's, Detectron's
        # recipe only compared with
        found.pop("detectron_named")
    if found.get("detectron_named", (False,))[0] and "optimizer" not in found:
        # detectron2's solver is SGD with momentum 0.9 (its configs' SOLVER.MOMENTUM): the recipe's optimizer, not
        # a question to ask
        found["optimizer"] = ("sgd_momentum", found["detectron_named"][1])
    if found.get("detectron_named", (False,))[0] and "precision" not in found and not AMP_SAID.search(said):
        # detectron2 trains in fp32 unless SOLVER.AMP.ENABLED is set (its defaults.py: AMP off)
        found["precision"] = ("fp32", found["detectron_named"][1])
    if found.get("megatron_named", (False,))[0] is True and "optimizer" not in found:
        # Megatron-LM's --optimizer defaults to adam, run as apex's FusedAdam with decoupled weight decay (AdamW):
        # the framework's optimizer, not a question to ask
        found["optimizer"] = ("adamw", found["megatron_named"][1])
    if found.get("ultralytics", (False,))[0] is True:
        _ultralytics_batches(found, said)
    elif found.get("yolox_named", (False,))[0] is True and "batch_unqualified" in found and "batch_size" not in found:
        found["batch_size"] = found.pop("batch_unqualified")  # (YOLOX's -b is the total over the GPUs)
    if found.get("tensorflow_named", (False,))[0] is True and found["tensorflow_named"][1].lower() == "resourceexhaustederror" \
            and PADDLE.search(said):
        found.pop("tensorflow_named")  # (PaddlePaddle raises a ResourceExhaustedError of its own)
    _framework_batch(found, said)
    _batch_in_the_failed_tensor(found)
    _model_type_flag(found, said)
    _patch_change(found, said)
    _spacing_change(found, said)
    _memory_per_batch_item(found, said)
    _machines_and_cards(found, said)
    _length_histogram(found, said)
    _card_from_a_measured_peak(found)
    _allreduce_bandwidths(found, said)
    _other_ranks_on_one_gpu(found, said)
    _rates_of_other_bars(found, said)
    _memory_by_batch_listed(found, said)
    _oom_fixed_then_slow(found, said)
    _started_trainers_banner(found, said)
    _batch_the_finder_kept(found, said)
    _precision_corrected(found, said)
    said_size = found.get("params") or found.get("model_preset")
    if said_size is not None:
        found["params_said"] = (True, said_size[1])  # (the model named or sized in the message itself)
    if found.get("claim_asks_gpu_count", (False,))[0] is True:
        # "I want to ask about minimum gpus to do this" (review 74 #28): the GPU count is asked, though in no question
        topics = str(found.get("asked_topics", ("",))[0] or "")
        if "gpus" not in topics.split(","):
            found["asked_topics"] = (",".join(t for t in ("gpus", topics) if t), found["claim_asks_gpu_count"][1])
    if found.get("claim_fp8_more_memory", (False,))[0] is True and found.get("claim_run_fits", (False,))[0] is True:
        # "Using FP8 OOM, otherwise --bf16 works well": the run that fits is the bf16 one the plan counts; the OOM is
        # FP8's, which finding-fp8-adds-copies answers
        found.pop("oom", None)
    _unified_memory_size(found, said)
    if "target_tokens_per_step" not in found and (tokens := TOKENS_PER_UPDATE.search(said[:MAX_SCAN])) is not None:
        # "The total batch size( in token ) is 0.5M in one iteration" (review 71 #1)
        found["target_tokens_per_step"] = (parse_count(tokens.group(1).replace(" ", "")), tokens.group(0))
    if "reference_batch" not in found and (paper := SOURCE_BATCH_IN_BRACKETS.search(said[:MAX_SCAN])) is not None:
        # "Why are the batch size between that mentioned in the paper (8) and the provided training code (2)
        # different?" (review 71 #20): the source's batch, given in brackets after it
        found["reference_batch"] = (int(paper.group(1)), paper.group(0))
    if "peak_memory_by_batch" in found and not found.get("oom", (False,))[0] and "claim_run_fits" not in found:
        # peaks measured at several batches ("mini-batch 4: … [actual] 19GB; 8: 31GB; 16: 51GB"): those runs trained
        found["claim_run_fits"] = (True, found["peak_memory_by_batch"][1])
    if "target_duration" in found and _in_quoted_title(said, found["target_duration"][1]):
        found.pop("target_duration")  # "… the paper "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour"?"
    if found.get("claim_asks_memory_rule", (False,))[0] is True and found.get("user_goal", (None,))[0] == "fit" \
            and not any(name in found for name in ("params", "model_preset", "gpu_memory", "gpu_model", "oom")):
        # "What's the general rule of thumb for estimating GPU memory?": a rule asked, no run of the user's to fit - an
        # explanation, not a plan whose card and model are then asked for
        found["user_goal"] = ("explain_result", found["claim_asks_memory_rule"][1])
    if found.get("claim_asks_gpu_count_changes_results", (False,))[0] is True \
            and found.get("user_goal", (None,))[0] == "faster" and "step_seconds" not in found:
        # "Will nproc_per_node affect the results? Or is it just used to improve the training speed?": whether the GPU
        # count changes the training is asked, speed only named as the alternative
        found["user_goal"] = ("explain_result", found["claim_asks_gpu_count_changes_results"][1])
    if found.get("claim_asks_largest_model", (False,))[0] is True and "params" in found and "model_preset" not in found:
        # "Which size of the model can I train on 4 x 3090? It looks like I could only afford 0.5B?": a size
        # guessed at, the answer asked for - no model of the run's
        found.pop("params")
    if found.get("claim_gpu_memory_adds_up", (False,))[0] is True and "?" in found["claim_gpu_memory_adds_up"][1]:
        # "advantages of multi-gpu? Just training speed? or can use more memory?" (review 69 #3): what the memory of
        # several GPUs allows is asked, beside their speed
        _add_topic(found, "fit", found["claim_gpu_memory_adds_up"][1])
    if found.get("claim_asks_batch_scope", (False,))[0] is True:
        # "is it per core?": a question about the batch per update, whatever else the message asks
        _add_topic(found, "batch_per_update", found["claim_asks_batch_scope"][1])
    if "gpus_available" in found and "num_gpus" in found and found["num_gpus"][0] > found["gpus_available"][0] >= 1:
        # "CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7,8 … I have access to 8 GPUs": a run uses no more GPUs than there are
        found["num_gpus"] = found["gpus_available"]
    _processes_from_batches(found)
    _processes_from_steps_per_epoch(found, said)
    _summed_data_set(found, said)
    if "gpu_memory" in found and "gpu_model" not in found and found["gpu_memory"][0] < MIN_CARD_BYTES:
        found.pop("gpu_memory")  # ("masks are 140MB each": a file's or a tensor's size, no card's)
    _host_memory_ran_out(found, said)
    _use_of_a_run_said_to_run(found, reading)
    _summed_memory(found)
    _use_summed_over_the_cards(found, said)
    if found.get("rl_method", (None,))[0] == "grpo" and found.get("preference_objective", (None,))[0] in ("dpo", "kto"):
        found.pop("preference_objective")  # ("with sft/dpo/cpo it is": trainers compared; the run is GRPO's)
    _grpo_group_from_steps(found)
    for shown in ("total_updates_said", "epoch_steps_said"):
        if shown in found and "?" in said:
            # the trainer's banner, or "1 epoch = 3 steps", beside a question: the question is about its count of
            # steps (the pattern took the words, so the reader's question cues do not see them)
            _add_topic(found, "steps", found[shown][1])
    _processes_on_the_card(found, said)
    _slurm_tasks(found, said)
    _gpus_listed_by_machine(found, said)
    if "gpu_memory" not in found and "tf_allocator_limit" in found and "tpu_named" not in found:
        # "Limit: 15866508084" in TensorFlow's allocator summary: what the run could use of its card (the card is a
        # little larger: the CUDA context comes first) - the memory to plan in, not a question to ask
        found["gpu_memory"] = found["tf_allocator_limit"]
    _reserved_unallocated(found)
    if "oom_stage" in found and not (found.get("oom", (False,))[0] is True):
        # "… reload them during the backward calculation": a stage of the step, but no out-of-memory said to happen
        # in it (asked, it is the answer given)
        found.pop("oom_stage")
    return found


HOST_MEMORY_CLAIMS = ("claim_process_killed", "claim_host_ram_grows")
# the machine's memory named: RAM, host or system memory, swap, the kernel's OOM killer
HOST_MEMORY_NAMED = re.compile(r"(?i)\b(?:ram|host\s+memory|system\s+memory|cpu\s+memory|swap|oom[\s_-]?killer|dmesg|"
                               r"sigkill|exit\s+code\s+-?9|memory\s+monitor)\b")
# a size said bare ("3 GB of memory"), with no GPU word after it: whose memory it is, the message says elsewhere
BARE_SIZE = re.compile(r"\s*\d[\d.,]*\s*(?:gib|gb|g)\b(?!\s*(?:gpu|vram|card))", re.IGNORECASE)
# an out-of-memory tied to a GPU ("CUDA out of memory", torch's OutOfMemoryError; not Ray's
# ray.exceptions.OutOfMemoryError, which is the node's RAM)
GPU_OOM = re.compile(r"(?i)\b(?:cuda|gpu|hip|vram|xpu)\b[^.\n]{0,20}\b(?:out of memory|oom)\b|(?<!exceptions\.)outofmemoryerror|"
                     r"\bresource ?exhausted\b|\bout of (?:gpu|vram|xpu|cuda|device) memory\b")


MMDETECTION = re.compile(r"(?i)\bmmdet(?:ection)?\b|\bopen-?mmlab\b")
# (and its model zoos' names: PP-OCRv3, PPOCRV3, PP-YOLOE, PP-LCNet)
PADDLE = re.compile(r"(?i)\bpaddle(?:paddle|detection|video|ocr|nlp|seg|clas|speech|\.fluid|\.)?|\bpp-?(?:ocr|yolo|lcnet|hgnet)")
# an epoch's steps as a log or the user gives them: "Step [100/150] per epoch", "600 iterations per epoch"
STEPS_PER_EPOCH = re.compile(r"(?i)\[\s*\d{1,7}\s*/\s*(\d{1,7})\s*\][^.\n]{0,20}?\bper\s+epoch\b|"
                             r"\b(\d{1,7})\s+(?:steps|iterations|iters|batches)\s+(?:per|an?|each)\s+epoch\b")


# a collective's measured bandwidth as nccl-tests or a test script prints it ("AllReduce [[0,...,7]] Bytes: 2.00000 GB
# Time: 0.68834 s Bandwidth: 5.08 GB/s", "all_reduce … busbw 213.8 GB/s")
ALLREDUCE_BANDWIDTH = re.compile(r"(?i)\ball[_ ]?reduce\b[^\n]{0,120}?\b(?:bandwidth|busbw|algbw)\s{0,3}[:=]?\s{0,3}"
                                 r"(\d{1,5}(?:\.\d{1,3})?)\s{0,3}gb/s")


def _patterns_on_the_english(kb: KnowledgeBase, said: str, view: tuple[str, list[tuple[int, int]]],
                             found: dict[str, tuple[Any, str]]) -> None:
    """The phrase patterns (claims and the like, written in English) run again over the message's Chinese read as
    English ("多卡微调就OOM，但是单卡能跑": an OOM on several GPUs where one runs), each fact found quoting the user's own
    characters; what the message's own words gave stays."""
    english, spans = view
    extra, normalised, _ = extract_spans(kb, english)
    if normalised != english:
        return  # (the view is built in the patterns' normal form; were it not, its spans would not line up)
    for name, (value, matched) in extra.items():
        if name in found or not isinstance(matched, str):
            continue
        at = english.find(matched)
        words = chinese.original_words(said, spans, at, at + len(matched)) if at >= 0 else ""
        if words:
            found[name] = (value, words)


# an accumulation setting said to be commented out, in prose: the run accumulates nothing
ACCUMULATION_COMMENTED_OUT = re.compile(r"(?i)\bgradient_accumulation_steps\b[^.\n]{0,40}?\bcommented[ -]?out\b"
                                        r"|\bcommented[ -]?out\b[^.\n]{0,20}?\bgradient_accumulation_steps\b")


# a training log's loss: the Trainer's {'loss': 0.0007, …}, Lightning's "loss=0.123", "train_loss: 0.05" (not
# eval_loss, val_loss, the loss scale)
LOGGED_LOSS = re.compile(r"""(?<![\w-])['"]?(?:train_)?loss['"]?\s{0,2}[:=]\s{0,2}"""
                         r"(\d{1,3}(?:\.\d{1,8})?(?:e-\d{1,2})?)(?![\d.])", re.IGNORECASE)
MAX_LOSSES = 10_000  # logged losses looked at (a long paste's)
EVAL_PHASE = re.compile(r"(?i)\b(?:valid|validation|validating|val|eval|evaluation|evaluating|test|testing)\b")
MAX_LOSS_LINE = 300  # characters of a loss's line looked at for its phase


def _commands_cut_inside_quotes(found: dict[str, tuple[Any, str]], said: str) -> None:
    """A blank or comment line inside a quoted string (`options="`, flags each ending in a backslash, `--split 99,1,0`,
    then a blank line, the closing quote cut from the paste - review 84 #20) is part of the string: no command ends
    there."""
    for name in ("command_cut_by_blank_line", "command_cut_by_comment"):
        if name not in found:
            continue
        at = said.find(found[name][1], 0, MAX_SCAN)
        if at < 0:
            continue
        fence = said.rfind("```", 0, at)  # (a code block's quotes count from its start; prose has its own)
        if said.count('"', fence + 1, at) % 2:  # (not single quotes: "# don't" in a comment opens none)
            found.pop(name)


def _last_logged_loss(found: dict[str, tuple[Any, str]], said: str) -> None:
    """The loss of the last step a pasted training log shows ("{'loss': 0.0007, …, 'epoch': 14.98}"), when it
    shows two or more (a log, not a loss said once in prose)."""
    last, count = None, 0
    for match in LOGGED_LOSS.finditer(said[:MAX_SCAN]):
        line_start = max(said.rfind("\n", 0, match.start()) + 1, match.start() - MAX_LOSS_LINE)
        if EVAL_PHASE.search(said, line_start, match.start()) is not None:
            continue  # a validation bar's loss ("Epoch (valid):   3% 1/32 [… loss=1.656]" - review 90 #18)
        last, count = match, count + 1
        if count >= MAX_LOSSES:
            break
    if last is not None and count >= 2 and "final_train_loss" not in found:
        found["final_train_loss"] = (float(last.group(1)), last.group(0))


def _timings_in_the_english(said: str, view: tuple[str, list[tuple[int, int]]]) -> dict[str, tuple[Any, str]]:
    """The timings compared in a message written in Chinese, read from its English view, each quoting the user's own
    characters."""
    english, spans = view
    out = {}
    for name, (value, matched) in compared_timings(english).items():
        at = english.find(matched) if isinstance(matched, str) else -1
        out[name] = (value, (chinese.original_words(said, spans, at, at + len(matched)) if at >= 0 else "") or matched)
    return out


def _add_topic(found: dict[str, tuple[Any, str]], topic: str, words: str) -> None:
    """Add a topic to what the message asks about (`asked_topics`, a comma-separated list), once."""
    topics, said = found.get("asked_topics", ("", words))
    if topic not in [t.strip() for t in str(topics).split(",")]:
        found["asked_topics"] = (",".join(t for t in (str(topics), topic) if t), said)


def _allreduce_bandwidths(found: dict[str, tuple[Any, str]], message: str) -> None:
    """Two all-reduce bandwidths measured on different groups of GPUs (across the machines, within one): the
    slowest and the fastest, when they differ at least twofold."""
    measured: list[tuple[float, str]] = []
    for match in ALLREDUCE_BANDWIDTH.finditer(message[:MAX_SCAN]):
        if float(match.group(1)) > 0:
            measured.append((float(match.group(1)), match.group(0)))
        if len(measured) >= 8:
            break
    if len(measured) >= 2 and max(measured)[0] >= 2 * min(measured)[0]:
        found["allreduce_bw_slow"], found["allreduce_bw_fast"] = min(measured), max(measured)


# a title quoted in a line: "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour" (capitalised words, in quotes)
QUOTED = re.compile(r'["“]([^"”\n]{8,200})["”]')


def _in_quoted_title(message: str, text: str) -> bool:
    """Whether `text` is inside a quoted title of a line - a paper's or a post's, its words mostly capitalised - and
    so says nothing of the run (review 56 #21: a target of '1 Hour' read from a paper's name)."""
    for match in QUOTED.finditer(message[:MAX_SCAN]):
        quoted = match.group(1)
        if text in quoted:
            words = [w for w in re.findall(r"[A-Za-z][\w-]*", quoted) if len(w) > 3]
            if words and sum(w[0].isupper() for w in words) >= 0.6 * len(words):
                return True
    return False


# a progress bar of something other than training steps: "Loading checkpoint shards: 100%| 2/2 [00:00<00:00, 8.22it/s]"
OTHER_BAR = re.compile(r"(?i)\b(?:loading|downloading|fetching|tokeniz\w{0,6}|map|filter|generating|evaluat\w{0,5}|saving|"
                       r"converting|preprocess\w{0,6}|formatting|validation|eval)\b")


def _rates_of_other_bars(found: dict[str, tuple[Any, str]], message: str) -> None:
    """A rate read from a progress bar of loading, tokenizing or evaluating (review 55 #30's "Loading checkpoint
    shards: … 8.22it/s") times no training step: dropped."""
    for name in ("step_seconds", "speed_in_steps"):
        if name not in found:
            continue
        at = message.find(found[name][1])
        if at < 0:
            continue
        line = message[message.rfind("\n", 0, at) + 1:at]
        if OTHER_BAR.search(line[-200:]):
            found.pop(name)


# a row of nvidia-smi's process table: "|    5   N/A  N/A     26599      C   ...bin/python3     1387MiB |" (the GI and CI
# columns only on newer drivers)
SMI_PROCESS_ROW = re.compile(r"^\|?\s{0,8}(\d{1,2})\s{1,12}(?:(?:N/A|\d{1,3})\s{1,12}(?:N/A|\d{1,3})\s{1,12})?"
                             r"(\d{2,9})\s{1,12}(?:C|G|C\+G)\s{1,12}\S{1,200}\s{1,40}(\d{1,7})\s?MiB\s{0,8}\|?\s*$",
                             re.MULTILINE)
MAX_SMI_ROWS = 256  # rows read from one process table (a node lists a few per GPU)


def _other_ranks_on_one_gpu(found: dict[str, tuple[Any, str]], message: str) -> None:
    """nvidia-smi's process table listing processes on one GPU that also each have a GPU of their own (PIDs 26599-26601
    on GPU 5 besides GPUs 6-8): the other ranks' CUDA contexts on the first GPU - the first GPU holds more, as the
    user would say it - and the GPUs the run uses, where nothing else counts them."""
    if "MiB" not in message:
        return  # (a substring test before the pattern: most messages paste no process table)
    gpus_of: dict[str, set[str]] = {}
    rows, said = 0, ""
    for match in SMI_PROCESS_ROW.finditer(message[:MAX_SCAN]):
        gpus_of.setdefault(match.group(2), set()).add(match.group(1))
        said = said or match.group(0).strip()  # (the table's first row, quoted as what was read)
        rows += 1
        if rows >= MAX_SMI_ROWS:
            break
    on_gpu: dict[str, set[str]] = {}
    for pid, gpus in gpus_of.items():
        for gpu in gpus:
            on_gpu.setdefault(gpu, set()).add(pid)
    crowded = any(len(pids) >= 2 and sum(len(gpus_of[p]) >= 2 for p in pids) >= 1 for pids in on_gpu.values())
    if not crowded:
        return
    found.setdefault("claim_gpu0_extra_memory", (True, said))
    found.setdefault("launch", ("process_per_gpu", said))  # (a process of its own on each GPU: no DataParallel)
    if "num_gpus" not in found:
        # (the GPUs the ranks run on: each process's own GPU, besides the first GPU they crowd)
        found["num_gpus"] = (len(on_gpu), said)
        found.pop("gpu_count_unsaid", None)


# a 3D (or 2D) patch or crop size as a config lists it: `"patch_size": [112, 160, 128]`, `patch_size = (96, 96, 96)`
PATCH_SIZE = re.compile(r"""["']?\b(?:patch_size|crop_size|roi_size)["']?\s{0,3}[:=]\s{0,3}[\[(]\s{0,20}"""
                        r"""(\d{1,5}(?:\.0)?)\s{0,20},\s{0,20}(\d{1,5}(?:\.0)?)\s{0,20}(?:,\s{0,20}(\d{1,5}(?:\.0)?)\s{0,20})?[\])]""",
                        re.IGNORECASE)
MAX_PATCHES = 8  # sizes read per message (a plan lists a few configurations)


def _patch_change(found: dict[str, tuple[Any, str]], message: str) -> None:
    """A patch size changed in a pasted plan ("changed patch_size from [112, 160, 128] to [388, 512, 512]"): the voxels
    of the first and of the last size said, and their ratio - what the activations of each sample grow by."""
    sizes: list[tuple[tuple[int, ...], str]] = []
    for match in PATCH_SIZE.finditer(message[:MAX_SCAN]):
        dims = tuple(int(float(d)) for d in match.groups() if d is not None)
        if all(d >= 1 for d in dims):
            sizes.append((dims, match.group(0)))
        if len(sizes) >= MAX_PATCHES:
            break
    if len(sizes) < 2 or sizes[0][0] == sizes[-1][0] or len(sizes[0][0]) != len(sizes[-1][0]):
        return
    (old, old_words), (new, new_words) = sizes[0], sizes[-1]
    before, after = math.prod(old), math.prod(new)
    found["patch_voxels_from"] = (before, old_words)
    found["patch_voxels_to"] = (after, new_words)
    found["patch_voxel_ratio"] = (after / before, new_words)
    # the largest power of two that divides every axis of the patch that ran: what a U-Net's poolings need
    stride = min(d & -d for d in old)
    found["patch_stride_kept"] = (all(d % stride == 0 for d in new), new_words)
    found["patch_stride"] = (stride, old_words)


# a volume's voxel spacing said in millimetres ("low-resolution (3.0 mm) … high-resolution (1.5mm)", "spacing 0.8mm")
SPACING_MM = re.compile(r"(?<![\w.])(\d{1,2}(?:\.\d{1,3})?)\s?mm\b", re.IGNORECASE)
MAX_SPACINGS = 6


def _spacing_change(found: dict[str, tuple[Any, str]], message: str) -> None:
    """Two voxel spacings of a 3-D volume (review 73 #2: "OK … at low-resolution (3.0 mm), but … OOM … at
    high-resolution (1.5mm)"): a volume resampled to the finer spacing has (coarse / fine)³ the voxels, and an
    activation or output map over it grows as much. Only where a memory failure or a memory question is said."""
    if "patch_voxel_ratio" in found or not (found.get("oom", (False,))[0] or found.get("user_goal", (None,))[0] == "fit"):
        return
    spacings: dict[float, str] = {}
    for match in SPACING_MM.finditer(message[:MAX_SCAN]):
        value = float(match.group(1))
        if 0.1 <= value <= 10:
            spacings.setdefault(value, match.group(0))
        if len(spacings) > MAX_SPACINGS:
            return
    if len(spacings) != 2:
        return  # (three or more sizes are a table or an anisotropic spacing, not one change)
    fine, coarse = sorted(spacings)
    found["spacing_fine_mm"] = (fine, spacings[fine])
    found["spacing_coarse_mm"] = (coarse, spacings[coarse])
    found["spacing_voxel_ratio"] = ((coarse / fine) ** 3, spacings[fine])


# "4机8卡 H100" (review 74 #21): machines and cards said together in Chinese - N机M卡
MACHINES_CARDS = re.compile(r"(?<![\d.])(\d{1,3})\s?(?:机|台机器|台|个节点|节点)\s?(\d{1,4})\s?(?:卡|张卡|块卡|张|块)")


def _machines_and_cards(found: dict[str, tuple[Any, str]], message: str) -> None:
    """"4机8卡": 4 machines of 8 cards, 32 GPUs; "2机16卡": 16 cards over 2 machines. Cards no more than a server holds
    are each machine's; more are the total."""
    # (a machine count said alone elsewhere - "4台8卡 … 4096长度，8台机器都会OOM", review 82 #30 - gives way to the
    # layout said with its cards, the run measured; machines and GPUs both read stand)
    if "num_nodes" in found and "num_gpus" in found or (match := MACHINES_CARDS.search(message[:MAX_SCAN])) is None:
        return
    nodes, cards = int(match.group(1)), int(match.group(2))
    if nodes < 2 or cards < 1:
        return
    total = nodes * cards if cards <= GPUS_PER_SERVER else cards
    if total % nodes:
        return
    found["num_nodes"] = (nodes, match.group(0))
    found["num_gpus"] = (total, match.group(0))


# a memory figure for each item of a batch, as a tool's README gives it ("the RECOGNITION_BATCH_SIZE is by default set
# to 256, as each batch item would occupy 50 mb in GPU VRAM" - review 73 #20, Surya OCR; "50mb per batch item")
PER_ITEM_MEMORY = re.compile(
    r"(?i)\b(?:(?:each|per|every)\s+(?:batch\s+)?(?:item|sample|image|element|page|line)s?\s+(?:would\s+|will\s+|should\s+)?"
    r"(?:occupy|occupies|use|uses|take|takes|need|needs|require|requires|cost|costs)\s+(?:about\s+|around\s+|roughly\s+|~\s*)?"
    r"\**\s*(?P<a>\d{1,5}(?:\.\d{1,3})?)\s*\**\s*(?P<ua>mb|gb|mib|gib)\b"
    r"|(?P<b>\d{1,5}(?:\.\d{1,3})?)\s*\**\s*(?P<ub>mb|gb|mib|gib)\s*\**\s+(?:of\s+(?:gpu\s+)?(?:memory|vram)\s+)?(?:per|for\s+each|each)\s+"
    r"(?:batch\s+)?(?:item|sample|image|element|page|line)\b)")
DEFAULT_BATCH = re.compile(r"(?i)\b(?:[A-Z_]{0,30}BATCH_SIZE|batch[ _]size)\**\s*(?:(?:is|was)\s+(?:by\s+default\s+)?"
                           r"(?:set\s+to\s+)?|=\s*|of\s+|set\s+to\s+)\**\s*(\d{1,6})\b")


def _memory_per_batch_item(found: dict[str, tuple[Any, str]], message: str) -> None:
    """A tool's stated memory for each batch item and the batch it runs: the batch's share is their product (256 ×
    50 MB = 12.8 GB), what the card must hold beside the model's weights."""
    item = PER_ITEM_MEMORY.search(message[:MAX_SCAN])
    if item is None:
        return
    number, unit = (item.group("a"), item.group("ua")) if item.group("a") else (item.group("b"), item.group("ub"))
    size = float(number) * BYTE_UNITS[unit.lower()]
    if size <= 0:
        return
    found["batch_item_bytes"] = (size, item.group(0))
    used = found.get("measured_use")
    if used is not None and abs(used[0] - size) < 0.01 * size:
        found.pop("measured_use")  # ("each batch item uses 50MB": one item's share, not the run's memory)
    batch = DEFAULT_BATCH.search(message[:MAX_SCAN])
    if batch is not None and 1 <= int(batch.group(1)) <= 100_000:
        found["items_batch"] = (int(batch.group(1)), batch.group(0))


# one bin of a length histogram, a line each: "Duration 11s - 20s: 66,525 files", "512-1024 tokens: 3,120 samples"
LENGTH_BIN = re.compile(r"(?im)^[ \t>*-]{0,6}(?:[a-z]{1,12}[ \t]{1,3}){0,2}?(\d{1,6}(?:\.\d{1,3})?)[ \t]{0,2}(s|sec|secs|seconds|tok|tokens)?"
                        r"[ \t]{0,2}(?:-|–|~|to)[ \t]{0,2}(\d{1,6}(?:\.\d{1,3})?)[ \t]{0,2}(s|sec|secs|seconds|tok|tokens)?[ \t]{0,2}[:=|][ \t]{0,3}"
                        r"(\d{1,3}(?:,\d{3}){1,3}|\d{1,9})[ \t]{0,3}(?:files?|file\(s\)|samples?|examples?|utterances?|sequences?"
                        r"|items?|rows?|clips?|cuts?)?[ \t]{0,3}$")
MIN_BINS = 4  # lines that make a histogram (fewer are a few ranges said in prose)
MAX_BINS = 400


def _length_histogram(found: dict[str, tuple[Any, str]], message: str) -> None:
    """A histogram of the samples' lengths pasted as lines ("Duration 0s - 10s: 72,190 files"): how many samples, the
    lengths under which 95% and 99% of them fall, and the longest - the peak a batch reaches is the longest sample's,
    not the average's."""
    bins: list[tuple[float, float, int]] = []
    units: set[str] = set()
    for match in LENGTH_BIN.finditer(message[:MAX_SCAN]):
        lo, unit_lo, hi, unit_hi, count = match.groups()
        low, high, n = float(lo), float(hi), int(count.replace(",", ""))
        if high < low:
            return  # (not a histogram: a range that runs backwards)
        bins.append((low, high, n))
        units.update(u.lower()[:3] for u in (unit_lo, unit_hi) if u)
        if len(bins) >= MAX_BINS:
            break
    total = sum(n for _, _, n in bins)
    if len(bins) < MIN_BINS or total <= 0 or len(units) > 1:
        return
    unit = "s" if units & {"s", "sec"} or "duration" in message.lower() else "tokens" if units else ""
    if not unit:
        return  # (lengths in no unit said: a histogram of something else)
    bins.sort(key=lambda b: b[1])

    def edge(share: float) -> tuple[float, float]:
        running = 0
        for _, high, n in bins:
            running += n
            if running >= share * total:
                return high, running / total
        return bins[-1][1], 1.0

    (p95, kept95), (p99, kept99) = edge(0.95), edge(0.99)
    words = match.group(0).strip()  # (the last bin read: at least MIN_BINS were)
    found["length_samples"] = (total, words)
    found["length_unit_word"] = ("seconds" if unit == "s" else "tokens", words)
    found["length_p95"] = (p95, words)
    found["length_p95_kept"] = (kept95, words)
    found["length_p99"] = (p99, words)
    found["length_p99_kept"] = (kept99, words)
    found["length_longest"] = (bins[-1][1], words)


def _card_from_a_measured_peak(found: dict[str, tuple[Any, str]]) -> None:
    """A card named without its size ("4 GPUs (V100)") whose run measured more than its smaller sizes hold ("max mem:
    19499" MB): the size that holds it, the smallest such (a V100 32GB) - not a question of which one it is."""
    if "gpu_model" not in found or "gpu_memory" in found or "gpu_line_sizes" not in found:
        return
    from advisor.domain.gpus import families

    measured = [found[name] for name in ("logged_max_memory", "measured_use") if name in found]
    members = families().get(found["gpu_model"][0], ())
    if not measured or not members:
        return
    peak, words = max(measured, key=lambda m: m[0])
    holding = sorted((m for m in members if m.memory_bytes >= peak), key=lambda m: m.memory_bytes)
    if not holding or len(holding) == len(members):
        return  # (every size holds it: the measurement does not say which)
    card = holding[0]
    found["gpu_model"] = (card.id, f"{found['gpu_model'][1]} ({words})")
    found["gpu_memory"] = (float(card.memory_bytes), words)
    found.pop("gpu_named", None)
    found.pop("gpu_line_sizes", None)


def _framework_batch(found: dict[str, tuple[Any, str]], message: str) -> None:
    """The framework the message names (advisor/domain/data/frameworks.yaml), and a batch said bare under one that
    counts the total over its replicas ("batch_size=64 with MirroredStrategy on 4 GPUs") is that total."""
    from advisor.domain.frameworks import framework_named

    named = framework_named(message)
    if named is None:
        return
    spec, words = named
    found["framework"] = (spec.id, words)
    for name in ("batch_unqualified", "micro_batch", "batch_size"):
        if name in found and any(key in found[name][1].lower() for key in spec.token_keys):
            # "batch_size=1024" in tensor2tensor, "--max-tokens 4096" in fairseq: each GPU's tokens, no count of samples
            found["framework_batch_tokens"] = found.pop(name)
    if spec.token_keys and "framework_batch_tokens" not in found:
        said = _token_cap(message, spec.token_keys)
        if said is not None:  # `max_tokens: 1400000` in a config beside `batch_size: 200`
            found["framework_batch_tokens"] = said
    if spec.id == "fairseq" and "framework_batch_tokens" in found:
        # beside a token cap, fairseq's --batch-size is a cap on sentences (--max-sentences), not the batch
        for name in ("batch_unqualified", "micro_batch"):
            if name in found:
                found["framework_sentence_cap"] = found.pop(name)
                if found.get("grad_accum_steps", (None, ""))[1] == found["framework_sentence_cap"][1]:
                    del found["grad_accum_steps"]  # (the one step implied with the batch it was read from)
                break
    if spec.accumulation == "splits" and "batch_size" not in found:
        _split_global_batch(found)
    if spec.batch == "global" and "batch_unqualified" in found and "batch_size" not in found:
        found["batch_size"] = found.pop("batch_unqualified")
    elif spec.batch == "per_device" and "batch_unqualified" in found and "micro_batch" not in found:
        found["micro_batch"] = found.pop("batch_unqualified")  # ("Horovod, batch 64": each process's)
    gpus = int(found.get("num_gpus", (1,))[0] or 1)
    if spec.batch == "per_device" and gpus > 1 and "batch_size" in found and "micro_batch" not in found \
            and "grad_accum_steps" not in found and "batch_scale_factor" in found \
            and not TOTAL_BATCH.search(message[:MAX_SCAN]):
        # "bs from 64 to 256 on 8 cards" under PaddleClas, whose batch_size is each card's: 256 is each card's batch,
        # 2048 the batch per update, and the 64 it came from 512 (the same cards)
        per_card, words = found["batch_size"]
        found["micro_batch"] = (per_card, words)
        found["batch_size"] = (per_card * gpus, words)
        if "reference_batch" in found and found.get("reference_batch_own", (False,))[0] is True:
            found["reference_batch"] = (found["reference_batch"][0] * gpus, found["reference_batch"][1])


# TPUs the user says they lack ("I don't have access to TPUs", "without a TPU", "no TPUs")
NO_TPU = re.compile(r"(?i)\b(?:don'?t|do\s+not|doesn'?t|does\s+not|no|without|not)\s+(?:have\s+)?(?:any\s+)?"
                    r"(?:access\s+to\s+)?(?:any\s+|a\s+)?TPUs?\b"
                    # ("Due to lack of availability of TPUs and high end GPUs" - review 70 #12)
                    r"|\b(?:lack|shortage)\s+of\s+(?:availability\s+of\s+|access\s+to\s+)?TPUs?\b")
# the authors' TPUs ("how you fit the large model into TPU", "your TPU v3 runs"), and the user's own ("my TPU v3-8")
THEIR_TPU = re.compile(r"(?i)\b(?:you|your|the\s+authors?|they|the\s+paper)\b[^.?!\n]{0,60}?\bTPUs?\b")
# "When trying to train the high res version (on nvidia GPU currently)" (review 71 #18): the run's own card, unnamed
ON_A_GPU = re.compile(r"(?i)\b(?:on|using|with)\s+(?:an?\s+|my\s+|our\s+)?(?:nvidia\s+)?gpus?\b")
MY_TPU = re.compile(r"(?i)\b(?:i|we|my|our)\b[^.?!\n]{0,40}?\bTPUs?\b")


# a mixed precision said in any form (detectron2's SOLVER.AMP.ENABLED True, "amp", "fp16", "autocast"): not its fp32 default
AMP_SAID = re.compile(r"(?i)\b(?:amp|fp16|bf16|autocast|mixed[- ]precision|half[- ]precision)\b")


# ms-swift's `--model_type qwen2_5` (an architecture's family, written with underscores for dots)
MODEL_TYPE_FLAG = re.compile(r"--model_type[ \t=]{1,3}([A-Za-z][A-Za-z0-9_.-]{1,40})")


def _model_type_flag(found: dict[str, tuple[Any, str]], message: str) -> None:
    """`--model models/jina-code-embeddings-1.5b --model_type qwen2_5` (review 53 #17): the family the flag names and
    the size the model's name gives make a catalogue model (Qwen2.5-1.5B: 28 layers of width 1536), where the name
    alone is no catalogue's - only when one member of the family has about that size."""
    if "model_preset" in found or "params" not in found:
        return
    match = MODEL_TYPE_FLAG.search(message[:MAX_SCAN])
    if match is None:
        return
    from advisor.domain import catalogue

    family = re.sub(r"(?<=\d)_(?=\d)", ".", match.group(1).lower())
    params = float(found["params"][0])
    near = [name for name in catalogue.preset_names() if name.startswith(family + "-")
            and abs(catalogue.catalogue_entry(name).get("params_total", 0) / params - 1) <= 0.15]
    if len(near) == 1:
        found["model_preset"] = (near[0], match.group(0))


def _split_global_batch(found: dict[str, tuple[Any, str]]) -> None:
    """T5X's `BATCH_SIZE = 1024` with `trainer.num_microbatches = 16` on a v3-8: 1024 per update over all devices,
    cut into 16 micro-batches of 64, 8 a core - the batch said is the update's, the accumulation divides it."""
    said = found.pop("micro_batch", None) or found.pop("batch_unqualified", None)
    if said is None:
        return
    found["batch_size"] = said
    accum, devices = int(found.get("grad_accum_steps", (1,))[0] or 1), int(found.get("num_gpus", (1,))[0] or 1)
    if said[0] % (accum * devices) == 0:
        found["micro_batch"] = (said[0] // (accum * devices), said[1])


def _token_cap(message: str, keys: tuple[str, ...]) -> tuple[int, str] | None:
    """The value of a framework's token-counting key said in the message (`max_tokens: 1400000`, `--max-tokens
    4096`), with its words; None when none is said with a whole number."""
    spelled = "|".join(re.escape(key).replace(r"\-", "[-_ ]").replace("_", "[-_ ]").replace(r"\ ", "[-_ ]")
                       for key in keys)
    match = re.search(r"(?<![\w-])(?:--)?(?:" + spelled + r")\s{0,3}[:=]?\s{0,3}(\d{1,12}(?:,\d{3})*)(?![\w.])",
                      message[:MAX_SCAN], re.IGNORECASE)
    if match is None:
        return None
    value = int(match.group(1).replace(",", ""))
    return (value, match.group(0)) if value > 0 else None


# a batch said to be the total ("the total batch size", "global batch", "effective batch"): not each card's
TOTAL_BATCH = re.compile(r"\b(?:total|global|effective)\s+(?:train(?:ing)?\s+)?batch", re.IGNORECASE)


MOST_PROCESSES = 4096  # a quotient above this is no count of GPUs

# the batches Unsloth prints as it starts, which are what ran whatever the pasted code set ("We will change the batch
# size of 1 to the `num_generations` of 8 … Total batch size (8 x 4 x 1) = 32" - review 74 #8): per device ×
# accumulation × GPUs, all three
BANNER_PRODUCT = re.compile(r"(?i)\btotal\s+batch\s+size\s*\(\s*(\d{1,6})\s*x\s*(\d{1,6})\s*x\s*(\d{1,6})\s*\)\s*=\s*(\d{1,9})")


def _started_trainers_banner(found: dict[str, tuple[Any, str]], message: str) -> None:
    """Unsloth's start-up banner "Total batch size (8 x 4 x 1) = 32" replaces the per-device batch, the accumulation
    and the GPUs the pasted code set (it may change them: a GRPO batch raised to a multiple of num_generations)."""
    if (product := BANNER_PRODUCT.search(message[:MAX_SCAN])) is not None:
        micro, accum, gpus, total = (int(g) for g in product.groups())
        if micro >= 1 and accum >= 1 and gpus >= 1 and micro * accum * gpus == total:
            words = product.group(0)
            found["micro_batch"] = (micro, words)
            found["grad_accum_steps"] = (accum, words)
            found["num_gpus"] = (gpus, words)
            found["batch_size"] = (total, words)


def _last_match(pattern: re.Pattern, message: str) -> re.Match | None:
    """The last match of `pattern` in the message's first MAX_SCAN characters (what was said last stands)."""
    last = None
    for last in pattern.finditer(message[:MAX_SCAN]):
        pass
    return last


# "I use fp16 … Sorry, it is bf16." (review 81 #19): a precision the user corrects - the correction is the run's
PRECISION_CORRECTED = re.compile(r"(?i)\b(?:sorry|correction|oops|actually|i\s+mean|i\s+meant|my\s+bad|typo)\b[,:;!.\s-]{0,4}"
                                 r"(?:it\s+is|it's|it\s+was|i\s+use|i\s+used|i'm\s+using|we\s+use|using)?\s{0,2}"
                                 r"(?P<dtype>bf16|bfloat16|fp16|float16|fp32|float32)\b")
CORRECTED_PRECISION = {"bf16": "amp_bf16", "bfloat16": "amp_bf16", "fp16": "amp_fp16", "float16": "amp_fp16",
                       "fp32": "fp32", "float32": "fp32"}


def _precision_corrected(found: dict[str, tuple[Any, str]], message: str) -> None:
    """A precision the user corrects after saying another ("fp16 … Sorry, it is bf16"): the last correction."""
    corrected = _last_match(PRECISION_CORRECTED, message)
    if corrected is not None and found.get("precision", (None,))[0] not in (None, "bf16"):
        found["precision"] = (CORRECTED_PRECISION[corrected.group("dtype").lower()], corrected.group(0))


# Accelerate's find_executable_batch_size (the Trainer's auto_find_batch_size) prints the batch it settled on after
# halving on each OOM; the Trainer's banner below it still prints the per-device batch asked for
FOUND_EXECUTABLE_BATCH = re.compile(r"(?i)\bcurrently\s+training\s+with\s+a\s+batch\s+size\s+of:?\s*(\d{1,6})\b")


def _batch_the_finder_kept(found: dict[str, tuple[Any, str]], message: str) -> None:
    """"Currently training with a batch size of: 2 … Instantaneous batch size per device = 16" (review 81 #28): the
    per-device batch the run trains with is the one the batch finder kept, not the one the arguments asked for."""
    kept = _last_match(FOUND_EXECUTABLE_BATCH, message)  # (the finder halves and prints again after each OOM)
    if kept is not None and int(kept.group(1)) >= 1:
        found["micro_batch"] = (int(kept.group(1)), kept.group(0))


def _processes_from_batches(found: dict[str, tuple[Any, str]]) -> None:
    """A trainer's banner that gives the total batch and each device's ("Instantaneous batch size per device = 64 …
    Total train batch size (w. parallel, distributed & accumulation) = 2048 … Gradient Accumulation steps = 1"):
    the processes are the quotient (32), where the message counts no GPUs itself."""
    if "num_gpus" in found or not all(name in found for name in ("batch_size", "micro_batch")):
        return
    total, words = found["batch_size"]
    if "total train batch size" not in str(words).lower():
        return  # (the banner's product, not a batch said loosely)
    micro, accum = found["micro_batch"][0], found.get("grad_accum_steps", (1,))[0] or 1
    if not micro or micro < 1 or total % (micro * accum):
        return
    processes = int(total // (micro * accum))
    if 2 <= processes <= MOST_PROCESSES:
        found["num_gpus"] = (processes, words)


def _processes_from_steps_per_epoch(found: dict[str, tuple[Any, str]], message: str) -> None:
    """'Distributed log: Step [100/150] per epoch … single-GPU log: Step [600/600] per epoch' with DDP worse than one
    GPU: a DistributedSampler gives each of N processes 1/N of the data, so an epoch's steps fall N-fold - the
    processes the message never counted."""
    if int(found.get("num_gpus", (1,))[0] or 1) > 1 or not (
            found.get("claim_multi_gpu_worse_result", (False,))[0] is True or found.get("parallelism", ("",))[0] == "ddp"):
        return
    counts = []
    for match in STEPS_PER_EPOCH.finditer(message[:MAX_SCAN]):
        counts.append((int(match.group(1) or match.group(2)), match.group(0)))
        if len(counts) > 2:
            return  # (more than a pair: which two are the runs is not said)
    if len(counts) != 2 or min(counts)[0] < 1:
        return
    (few, few_words), (many, many_words) = sorted(counts)
    if many % few == 0 and many // few >= 2:
        found["num_gpus"] = (many // few, f"{many_words} … {few_words}")


# "665k + 98k samples": a data set said as the sum of its parts (the reader takes the count beside the noun)
SUMMED_COUNT = re.compile(r"(?i)(?<![\d.,])(\d{1,3}(?:,\d{3}){1,3}|\d{1,9}(?:\.\d{1,3})?)\s*([km]?)\s*\+\s*"
                          r"(\d{1,3}(?:,\d{3}){1,3}|\d{1,9}(?:\.\d{1,3})?)\s*([km]?)\s+(?:samples|examples|images|"
                          r"sentences|pairs|conversations|dialogues|items|records|instructions|pictures|photos)\b")


def _summed_data_set(found: dict[str, tuple[Any, str]], message: str) -> None:
    """'Dataset is 665k + 98k samples': the data set is the sum, where the reader read the last part (98k)."""
    if "dataset_size" not in found:
        return
    match = SUMMED_COUNT.search(message[:MAX_SCAN])
    if match is None:
        return
    first, second = (parse_count(match.group(i) + match.group(i + 1)) for i in (1, 3))
    if found["dataset_size"][0] == second:
        found["dataset_size"] = (first + second, match.group(0))


MIN_CARD_BYTES = 0.9 * 2**30  # no GPU anyone trains on has less: a smaller size said bare is something else's


def _batch_in_the_failed_tensor(found: dict[str, tuple[Any, str]]) -> None:
    """"batch size 256 using 160 GPUs … OOM when allocating tensor with shape[256,512,28,28] … on GPU:0": a batch said
    on several GPUs, per GPU or in total unsaid, that is the first dimension of the one tensor a GPU failed to
    allocate is what that GPU held - each GPU's batch, not the total (which would put 256 / 160 on each)."""
    if "batch_unqualified" not in found or "oom_tensor_shape" not in found or (found.get("num_gpus", (1,))[0] or 1) < 2:
        return
    first = str(found["oom_tensor_shape"][0]).split(",")[0].strip()
    if first.isdigit() and int(first) == found["batch_unqualified"][0] and "micro_batch" not in found:
        found["micro_batch"] = found.pop("batch_unqualified")


ULTRALYTICS_NBS = re.compile(r"\bnbs\s*[=:]\s*(\d{1,5})\b")


def _ultralytics_batches(found: dict[str, tuple[Any, str]], message: str) -> None:
    """Ultralytics' batch= is the total over the GPUs (each gets batch / GPUs), and its trainer accumulates to the
    nominal batch nbs (64 unless set): accumulate = max(round(nbs / batch), 1). The trainer answers what a bare batch
    on several GPUs and an unsaid accumulation would ask, so its batches are filled in as it sets them."""
    gpus = int(found.get("num_gpus", (1,))[0] or 1)
    if "batch_unqualified" in found and "batch_size" not in found:
        total, words = found.pop("batch_unqualified")
    elif gpus == 1 and "micro_batch" in found and "batch_size" not in found:
        total, words = found["micro_batch"]
    elif "batch_size" in found and "micro_batch" not in found:
        total, words = found.pop("batch_size")  # ("batch 32" with yolov5m: --batch-size, the total over the GPUs)
    else:
        return
    if "grad_accum_steps" in found or not total or total < 1 or total % gpus:
        found.setdefault("batch_size", (total, words))
        return
    said = ULTRALYTICS_NBS.search(message)
    nbs = int(said.group(1)) if said else 64
    accumulate = max(round(nbs / total), 1)
    how = said.group(0) if said else found["ultralytics"][1]  # (the words that named the trainer: its default nbs)
    found["micro_batch"] = (total // gpus, words)
    found["grad_accum_steps"] = (accumulate, how)
    found["batch_size"] = (total * accumulate, how)


# PyTorch's OOM message lists the processes on the card: "Process 60879 has 25.18 GiB memory in use"
PROCESS_ON_CARD = re.compile(r"\bProcess (\d{1,9}) has (\d{1,5}(?:\.\d{1,2})?) ([GM])iB memory in use")
MAX_PROCESSES_READ = 64


def _processes_on_the_card(found: dict[str, tuple[Any, str]], message: str) -> None:
    """The processes an out-of-memory error lists on the card that ran out ("Process 60879 has 25.18 GiB memory in
    use. Process 60901 has 18.75 GiB …"): several of them under a launch of several ranks are the run's own ranks on
    one GPU."""
    if "oom" not in found:
        return
    pids: dict[str, float] = {}
    first = None
    for match in PROCESS_ON_CARD.finditer(message):
        pids[match.group(1)] = float(match.group(2)) * 2 ** (30 if match.group(3) == "G" else 20)
        first = first or match.group(0)
        if len(pids) >= MAX_PROCESSES_READ:
            break
    if len(pids) >= 2:
        found["oom_processes_on_card"] = (len(pids), first)
    if pids and "this process has" in message:
        # "Process 147633 has 32.01 GiB memory in use. Including non-PyTorch memory, this process has 46.70 GiB":
        # the processes listed beside "this process" are other ones, on the card the run needed
        found["oom_other_processes"] = (sum(pids.values()), first)


MOST_GENERATIONS = 64  # completions per prompt a GRPO run samples, at most (a larger quotient is no group size)


def _grpo_group_from_steps(found: dict[str, tuple[Any, str]]) -> None:
    """GRPO's trainer counts completions: its banner's total updates, the examples (prompts), the epochs and the
    batch per update give the completions per prompt when the message does not say them ("Num examples = 1,283 …
    Total train batch size = 4 … Total optimization steps = 1,283": 4 completions a prompt)."""
    if found.get("rl_method", (None,))[0] != "grpo" or "num_generations" in found:
        return
    needed = ("total_updates_said", "dataset_size", "batch_size")
    if any(name not in found for name in needed):
        return
    steps, prompts, batch = (found[name][0] for name in needed)
    epochs = found.get("epochs", (1,))[0] or 1
    group = steps * batch / (prompts * epochs)
    if 2 <= round(group) <= MOST_GENERATIONS and abs(group - round(group)) < 0.05:
        found["num_generations"] = (round(group), found["total_updates_said"][1])


# Slurm's `srun … --gres=gpu:4 … --ntasks-per-node=1`: the tasks it starts on each machine, and the GPUs it gives it
SLURM_TASKS = re.compile(r"--ntasks-per-node[= ](\d{1,3})\b")
SLURM_GPUS = re.compile(r"--gres[= ]gpu(?::[\w.-]{1,20})?:(\d{1,2})\b|--gpus-per-node[= ](\d{1,2})\b")


# a launcher run inside a Slurm task, which starts a rank per GPU itself; and a script told to take its ranks from Slurm
INNER_LAUNCHER = re.compile(r"\bdeepspeed\s+--|\btorchrun\b|\btorch\.distributed\.(?:run|launch)\b|"
                            r"\baccelerate\s+launch\b")
SLURM_LAUNCHER = re.compile(r"--launcher[= ]slurm\b")


def _slurm_tasks(found: dict[str, tuple[Any, str]], message: str) -> None:
    """`srun --gres=gpu:4 --ntasks-per-node=1 … --launcher slurm`: a launcher that makes each Slurm task a rank runs
    as many processes as tasks - one process, one GPU used, however many GPUs the job holds."""
    tasks, gpus = SLURM_TASKS.search(message), SLURM_GPUS.search(message)
    if tasks is None or gpus is None:
        return
    if INNER_LAUNCHER.search(message) and not SLURM_LAUNCHER.search(message):
        return  # (one task that starts its ranks itself - `srun … deepspeed --num_gpus 8 …`, torchrun - uses them all)
    n_tasks, n_gpus = int(tasks.group(1)), int(gpus.group(1) or gpus.group(2))
    if 1 <= n_tasks < n_gpus:
        found["slurm_tasks_per_node"] = (n_tasks, tasks.group(0))
        found["slurm_gpus_per_node"] = (n_gpus, gpus.group(0))
        # the run's ranks are the tasks: its batch per update and its memory per GPU are theirs, and the GPUs the job
        # holds are the ones a plan could use
        nodes = int(found.get("num_nodes", (1,))[0] or 1)
        found["num_gpus"] = (n_tasks * nodes, tasks.group(0))
        found["launch"] = ("process_per_gpu", tasks.group(0))  # (a process a task, each on its GPU)
        if nodes == 1:
            found["machine_gpus"] = (n_gpus, gpus.group(0))
        else:
            found.setdefault("gpus_available", (n_gpus * nodes, gpus.group(0)))


# "node1: 4A6000(45G)\nnode2: 2A6000(45G)": each machine's cards listed by line
NODE_LINE = re.compile(r"(?im)^\s{0,8}(?:node|machine|server|host)\s?\d{1,3}\s{0,3}[:=]\s{0,3}(\d{1,2})\s?[x×*]?\s?[a-z]{1,8}-?\d{2,5}")
MAX_NODE_LINES = 64


def _gpus_listed_by_machine(found: dict[str, tuple[Any, str]], message: str) -> None:
    """Machines listed a line each with their cards ("node1: 4A6000(45G)", "node2: 2A6000(45G)", …): the GPUs are
    the sum, the machines the lines (4 + 2 + 2 + 2 = 10 GPUs on 4 machines), over any count said elsewhere."""
    counts, first = [], None
    for match in NODE_LINE.finditer(message):
        counts.append(int(match.group(1)))
        first = first or match.group(0).strip()
        if len(counts) >= MAX_NODE_LINES:
            break
    if len(counts) >= 2 and all(counts):
        found["num_gpus"] = (sum(counts), first)
        found["num_nodes"] = (len(counts), first)


SUM_TOLERANCE = 0.15  # a stated size within this of the GPUs × one card's capacity is their sum


def _summed_memory(found: dict[str, tuple[Any, str]]) -> None:
    """"8gpu includes 96 GiB memory. Why the error shows total 11.17GiB?": the size said is the cards' sum (8 ×
    11.17 GiB, give or take a card's reserved memory), the error's capacity one card's - which is the card's memory."""
    if not all(name in found for name in ("gpu_memory", "oom_capacity", "num_gpus")) or "gpu_model" in found:
        return
    said, capacity, gpus = found["gpu_memory"][0], found["oom_capacity"][0], found["num_gpus"][0]
    if isinstance(gpus, (int, float)) and gpus >= 2 and capacity > 0 \
            and abs(said / (capacity * gpus) - 1) <= SUM_TOLERANCE:
        found["memory_said_summed"] = found["gpu_memory"]
        found["gpu_memory"] = found["oom_capacity"]


# "in total", "altogether", Chinese 一共 / 总共 / 合计: a use said of all the cards together
TOTAL_WORDS = re.compile(r"(?i)\b(?:in\s+total|total(?:ly)?|altogether|combined|summed|all\s+(?:the\s+)?(?:gpus|cards))\b"
                         r"|一共|总共|合计|总计")


def _use_summed_over_the_cards(found: dict[str, tuple[Any, str]], said: str) -> None:
    """"4块A10（22731MB显存/块）… 此时一共占用显存50个G" (review 75 #10): a use said in total over several GPUs, more than
    one card holds, is the cards' sum - each uses its share."""
    use, card, gpus = (found.get(name, (None,))[0] for name in ("measured_use", "gpu_memory", "num_gpus"))
    if not (isinstance(use, (int, float)) and isinstance(card, (int, float)) and isinstance(gpus, int)) \
            or gpus < 2 or not card < use <= gpus * card * 1.05:
        return
    words = found["measured_use"][1]
    at = said.find(words)
    if at < 0 or not TOTAL_WORDS.search(said[max(0, at - 24):at + len(words) + 24]):
        return
    found["measured_use_summed"] = (use, words)
    found["measured_use"] = (use / gpus, words)


def _reserved_unallocated(found: dict[str, tuple[Any, str]]) -> None:
    """PyTorch 1.5-2.0's out-of-memory error reports what its allocator reserved in total ("2.22 GiB reserved in total
    by PyTorch") beside what it allocated ("2.12 GiB already allocated"); the cache the counts use is the difference,
    reserved but unallocated, which later releases print themselves."""
    if "oom_pytorch_reserved" in found or "oom_reserved_total" not in found or "oom_pytorch_allocated" not in found:
        return
    total, allocated = found["oom_reserved_total"][0], found["oom_pytorch_allocated"][0]  # (bytes, parsed)
    if total >= allocated:
        found["oom_pytorch_reserved"] = (total - allocated, found["oom_reserved_total"][1])


def _host_memory_ran_out(found: dict[str, tuple[Any, str]], message: str) -> None:
    """'system memory (not GPU memory) keeps increasing until the instance runs out of memory', 'the process gets
    Killed … oom-killer': the memory that ran out is the machine's, so an out-of-memory the message never ties to a
    GPU ("CUDA out of memory", "OutOfMemoryError", "GPU OOM") is not a GPU's, whose plans and questions would answer
    another problem."""
    if not any(found.get(name, (False,))[0] is True for name in HOST_MEMORY_CLAIMS) or "oom" not in found:
        return
    if GPU_OOM.search(message):
        if found.get("claim_process_killed", (False,))[0] is True and not HOST_MEMORY_NAMED.search(message):
            # "runs out of GPU memory and the process is getting killed by OOM" (review 76 #10): the kill is the GPU's
            # out-of-memory ending the run, no machine's RAM named
            found.pop("claim_process_killed")
        return
    if "gpu_memory" in found and BARE_SIZE.match(found["gpu_memory"][1]):
        found.pop("gpu_memory")  # "only 3 GB of memory is available" on the instance: its RAM, no GPU's size
    oom_said = found.pop("oom")[1]
    if found.get("user_goal", (None, None))[1] == oom_said:
        found.pop("user_goal")  # (the goal read from those words: fitting a GPU's memory)


def _use_of_a_run_said_to_run(found: dict[str, tuple[Any, str]], reading: Reading) -> None:
    """A use the reader left out beside an OOM (the use of a run that ran out is no run's use) is the run's after all
    when the user says the run runs: "CUDA out of memory with the defaults" as the title, then "micro_batch_size 32
    did not fully utilize the available GPU memory (20556 / 24268 MB)" (review 52 #29) - the OOM was another
    setting's."""
    if "measured_use" not in found and reading.used_bytes and found.get("claim_run_fits", (None,))[0] is True \
            and found.get("oom", (None,))[0] is True:
        found["measured_use"] = (float(reading.used_bytes), reading.used_text)


def _asked_batch_for_the_lr(found: dict[str, tuple[Any, str]]) -> None:
    """"I use batch 32 with lr 1e-4 - can I increase the batch size to 64? What LR then?": the batch asked about,
    with the LR asked too, is a change of the batch the LR was tuned for (the user's own, on one GPU or per GPU),
    as "I went from 32 to 64" would be; asked only whether it fits, it changes nothing."""
    if "asked_batch" not in found or found.get("user_goal", (None,))[0] != "choose_lr" \
            or "reference_batch" in found or "batch_scale_factor" in found:
        return
    name = "micro_batch" if "micro_batch" in found else "batch_size" if found.get("num_gpus", (1,))[0] == 1 else None
    own = found.get(name) if name else None
    asked, words = found["asked_batch"]
    if own is None or not own[0] or asked == own[0]:
        return
    found["reference_batch"] = own  # (the batch the LR was tuned for; the run's batch becomes the one asked about)
    found[name] = (asked, words)
    if name == "micro_batch" and "batch_size" in found:
        found["batch_size"] = (found["batch_size"][0] * asked / own[0], words)
    found["batch_scale_factor"] = (asked / own[0], words)


# a Cloud TPU slice's name: the generation and the number after it (cloud-tpu: v2 and v3 count TensorCores, each a
# device of 8 or 16 GiB; v4 and v5p count TensorCores too, two a chip, each chip one device of 32 or 95 GiB; v5e and
# v6e count chips, of 16 and 32 GiB)
# (a sentence's period may end it: "a TPU v3-8.")
TPU_SLICE = re.compile(r"(?i)(?<![\w.-])(?:tpu[\s-]?)?(v2|v3|v4|v5p|v5e|v5litepod|v6e)-(\d{1,4})(?![\w]|\.\w)")
TPU_DEVICES = {"v2": (1, 8), "v3": (1, 16), "v4": (2, 32), "v5p": (2, 95), "v5e": (1, 16), "v5litepod": (1, 16),
               "v6e": (1, 32)}  # generation -> (slice-name units a device, GiB a device)


def _tpu_slice_devices(found: dict[str, tuple[Any, str]], message: str) -> None:
    """"a TPU v4-8", "v3-8": the devices JAX sees and each one's memory, so a global batch is counted over them and
    not on one card (a v4-8 is 4 chips of 32 GiB; a v3-8 8 cores of 16 GiB) - only where no GPU was said."""
    if not found.get("tpu_named", (False,))[0] or any(n in found for n in ("gpu_model", "gpu_memory")):
        return
    matches = []
    for match in TPU_SLICE.finditer(message[:MAX_SCAN]):
        matches.append(match)
        if len(matches) >= 8:
            break
    if not matches:
        return
    match = matches[0]
    if found.get("oom", (False,))[0] is True and len({m.group(0).lower() for m in matches}) > 1:
        # "batch 4 on a v3-8 was normal, but batch 128 on a v3-256 reported OOM": the slice of the clause that
        # failed is the run asked about
        failed = [m for m in matches if FAILED_CLAUSE.search(_clause_at(message, m.start()))]
        match = failed[0] if failed else match
    per, gib = TPU_DEVICES[match.group(1).lower()]
    devices = int(match.group(2)) // per
    if devices < 1:
        return
    if "num_gpus" in found and found["num_gpus"][0] != devices:
        return  # (a count said that is not the slice's devices: "gpus=1" of a GPU run compared, a sub-slice)
    found["num_gpus"] = found.get("num_gpus", (devices, match.group(0)))  # (Lightning's `tpu_cores=8` on a v3-8)
    found["gpu_memory"] = (gib * 2**30, match.group(0))


# TRL's `use_vllm` off or commented out ("# use_vllm=False," above `vllm_gpu_memory_utilization=0.5` - review 79 #9),
# and on nowhere: the engine's share is a setting nothing reads
ENGINE_OFF = re.compile(r"(?im)^[ \t]*#[ \t]*use_vllm\b|\buse_vllm\s*[=:]\s*(?:false|0)\b|--no[_-]use[_-]vllm\b")
ENGINE_ON = re.compile(r"(?im)^(?![ \t]*#).*?\buse_vllm\s*[=:]\s*(?:true|1)\b|--use[_-]vllm(?:\s+(?:true|1))?\s*(?:$|--|\\)")


def _engine_switched_off(found: dict[str, tuple[Any, str]], message: str) -> None:
    """A generation engine's memory share set where the engine itself is off (TRL's GRPOConfig with `use_vllm`
    commented out or False): no card is reserved for it."""
    if "rollout_memory_share" in found and ENGINE_OFF.search(message[:MAX_SCAN]) \
            and not ENGINE_ON.search(message[:MAX_SCAN]):
        found.pop("rollout_memory_share")


# an out-of-memory said in a clause (TensorFlow's and XLA's "resource exhausted" too)
FAILED_CLAUSE = re.compile(r"(?i)\b(?:oom|out of memory|resource ?exhausted|ran out)\b")


CLAUSE_ENDS = (". ", "\n", "; ", ", but ", " but ", ", while ")


def _clause_at(message: str, at: int) -> str:
    """The clause of the message around position `at`: from the sentence end or ', but' before it to the one after
    (bounded: at most 400 characters either side)."""
    first = max(0, at - 400)
    window = message[first:at + 400].lower()
    here = at - first
    start = max([window.rfind(end, 0, here) + len(end) for end in CLAUSE_ENDS if window.rfind(end, 0, here) >= 0] + [0])
    ends = [e for e in (window.find(end, here) for end in CLAUSE_ENDS) if e >= 0]
    return message[first + start:first + (min(ends) if ends else len(window))]


# the Hugging Face Trainer's banner: "Total train batch size (w. parallel, distributed & accumulation) = 16"
HF_TOTAL_BATCH = re.compile(r"total\s+train\s+batch\s+size\s+\(w\.\s+parallel,\s+distributed\s+&\s+accumulation\)\s+=\s+"
                            r"(\d{1,7})", re.IGNORECASE)


SMI_INDEX = re.compile(r"\d{1,2}\s+(?:NVIDIA|Tesla|GeForce|Quadro|AMD|Radeon)\b.{0,40}", re.IGNORECASE)
BUSY_GPU_BYTES = 2 * 2**30  # a GPU nvidia-smi lists with more than this in use runs part of the job (heuristic)


# what a progress bar times before training starts: loading or converting weights, preparing the data
LOADING_BAR = re.compile(r"(?i)\b(?:loading|optimi[sz]ing\s+(?:the\s+)?(?:model\s+)?weights|convert\w{0,3}|quantiz\w{0,5}|"
                         r"download\w{0,3}|fetching|tokeniz\w{0,5}|map(?:ping)?|caching|checkpoint\s+shards|"
                         r"moving\s+weights|generating\s+(?:class\s+)?images|latents)\b")
PROGRESS_BAR = re.compile(r"[ \t]{0,8}\d{1,3}%\s?\|")  # tqdm's "100%|████| 228/228 [00:23<00:00, 9.68it/s]"


def _loading_bar_is_no_step(found: dict[str, tuple[Any, str]], said: str) -> None:
    """A progress bar's rate on the line that loads or converts the weights, or right after such a line ("Optimizing
    model weights to fp8 … 228/228 [00:23<00:00, 9.68it/s]" - review 88 #8): the layers it converted each second, not
    a training step."""
    if "step_seconds" not in found:
        return
    text = found["step_seconds"][1]
    at = said.find(text)
    if at < 0 or not re.search(r"\d\s?(?:it/s|s/it)\b", text):
        return
    line_start = said.rfind("\n", 0, at) + 1
    before = said[max(line_start, at - 160):at]
    if PROGRESS_BAR.match(said, line_start):  # a bar alone on its line: the line above says what it times
        before = said[max(said.rfind("\n", 0, max(0, line_start - 1)) + 1, line_start - 200):at]
    if LOADING_BAR.search(before) and not re.search(r"(?i)\btrain", said[max(line_start, at - 60):at]):
        for name in ("step_seconds", "speed_in_steps"):
            found.pop(name, None)


GPU_SAID = re.compile(r"\b(?:gpu|vram|cuda|card|device)", re.IGNORECASE)  # words that make a memory figure a GPU's


def _gpu_said_around(said: str, words: str) -> bool:
    """Whether a GPU is named in the words or within a few words of them ("takes up 20GB of GPU memory")."""
    at = said.find(words)
    return bool(GPU_SAID.search(said[max(0, at - 40):at + len(words) + 40] if at >= 0 else words))


def _memory_of_each_gpu(found: dict[str, tuple[Any, str]], said: str, listed: tuple | None = None) -> None:
    """Each GPU's memory listed ("GPU 0: 52.7GB / 80GB - GPU 1: 71.5GB / 80GB", nvidia-smi's rows): the GPUs in use
    where no count was said, and which of them holds the most - the first (rank 0's extra work) or another (that
    rank's own batches or cache), which "memory imbalance" alone does not say (review 82 #9, #10). (Each use listed is
    read as a use, never the card's size, by the reader: hardware._listed_gpu_use.)"""
    by_gpu = memory_by_gpu(said, listed)
    if not by_gpu:
        return
    busy = [i for i, (used, _) in by_gpu.items() if used >= BUSY_GPU_BYTES]
    # (nor the index of nvidia-smi's second row, "1 NVIDIA A100-SXM4-80GB", read as a count of one)
    if len(busy) >= 2 and ("num_gpus" not in found or SMI_INDEX.fullmatch(found["num_gpus"][1].strip())):
        found["num_gpus"] = (len(busy), "; ".join(by_gpu[i][1] for i in sorted(busy)))
    most = heaviest(by_gpu)
    if most is None:
        return
    if most == min(by_gpu):
        found.setdefault("claim_gpu0_extra_memory", (True, by_gpu[most][1]))
        return
    found.pop("claim_gpu0_extra_memory", None)  # ("memory imbalance" read as GPU 0's, where GPU 1 holds more)
    found["heavier_gpu_index"] = (most, by_gpu[most][1])


def _banner_counts_the_gpus(found: dict[str, tuple[Any, str]], said: str) -> None:
    """The Trainer's banner gives the total batch, the per-device batch and the accumulation: their quotient is the
    processes the run had ("per device = 1 … Total … = 16 … Gradient Accumulation steps = 16": one GPU - review 66
    #5), which no question should ask again."""
    if "num_gpus" in found or "micro_batch" not in found or "grad_accum_steps" not in found:
        return
    total = HF_TOTAL_BATCH.search(said[:MAX_SCAN])
    micro, accumulation = found["micro_batch"][0], found["grad_accum_steps"][0]
    if total is None or not all(isinstance(v, (int, float)) and v >= 1 for v in (micro, accumulation)):
        return
    gpus, rest = divmod(int(total.group(1)), int(micro) * int(accumulation))
    if rest == 0 and gpus >= 1:
        found["num_gpus"] = (gpus, total.group(0))


# a batch per update above this many samples, from an unqualified batch read as each GPU's, is no run's (heuristic:
# most recipes' batches per update stay far below it; the contrastive runs that go beyond - SigLIP's - say them as
# totals, which is the reading this gives)
LARGEST_PLAUSIBLE_UPDATE = 65_536


def _batch_too_large_for_each_gpu(found: dict[str, tuple[Any, str]]) -> None:
    """"I used 14400 batch size on 48 A100-40GB" (review 81 #13): read as each GPU's it makes 691,200 samples an
    update, which no run uses - so it is the total over the GPUs (300 each), not a question to ask."""
    if "batch_unqualified" not in found or "num_gpus" not in found or "batch_size" in found:
        return
    (batch, words), gpus = found["batch_unqualified"], found["num_gpus"][0]
    if not (isinstance(batch, (int, float)) and isinstance(gpus, (int, float))) or gpus < 2 or batch % gpus:
        return
    if batch * gpus > LARGEST_PLAUSIBLE_UPDATE:
        del found["batch_unqualified"]
        found["batch_size"] = (int(batch), words)


def _epoch_shows_the_batch(found: dict[str, tuple[Any, str]]) -> None:
    """A plain "batch_size=1" with no GPU count said is read as the batch per update of one GPU; an epoch whose
    updates show another ("29,450 samples … one epoch takes about 1,800 steps": 16 an update) says the run
    accumulates or spreads it, so the per-device batch stays and the batch per update is not assumed from it."""
    if "epoch_steps_said" not in found or "dataset_size" not in found or "batch_size" not in found \
            or "micro_batch" not in found or "num_gpus" in found or "grad_accum_steps" in found:
        return
    (batch, said), (micro, micro_said) = found["batch_size"], found["micro_batch"]
    implied = found["dataset_size"][0] / found["epoch_steps_said"][0]
    if said == micro_said and batch == micro and implied > 1.5 * batch:
        del found["batch_size"]


WORLD_SIZE = re.compile(r"\bworld[_ ]size\s*(?:[:=]|is)\s*(\d{1,5})\b", re.IGNORECASE)
MODEL_PARALLEL_SIZE = re.compile(r"\b(?:model|tensor)[_ ]parallel(?:[_ ]size)?\s*(?:[:=]|is)\s*(\d{1,5})\b", re.IGNORECASE)


def _logs_of_several_worlds(found: dict[str, tuple[Any, str]], said: str) -> None:
    """Logs of runs at several sizes pasted side by side ("1 node 1 gpu: world size: 1 … 1 node 4 gpu: world size:
    4", review 70 #7): a world of one is the one-GPU run's, not the run asked about; and "model parallel size: 1" in
    every log names no model parallelism - a size of one splits nothing."""
    worlds = [int(m.group(1)) for m in WORLD_SIZE.finditer(said[:MAX_SCAN])]
    if found.get("one_process_in_log", (False,))[0] is True and any(w > 1 for w in worlds):
        found.pop("one_process_in_log")
    sizes = [int(m.group(1)) for m in MODEL_PARALLEL_SIZE.finditer(said[:MAX_SCAN])]
    if found.get("parallelism", (None,))[0] == "tensor" and sizes and max(sizes) == 1 \
            and "parallel" in found["parallelism"][1].lower():
        found.pop("parallelism")
        if "zero_stage" in found:  # (the ZeRO the logs run under, which the size-one read had taken the place of)
            found["parallelism"] = ("zero", found["zero_stage"][1])


# an OpenMMLab config's iteration schedule before its data set ("_160k_ade20k", "_80k_cityscapes", "_40k_voc12aug")
TOKENS_PER_UPDATE = re.compile(r"(?i)\bbatch[ _-]?size\s*\(\s*in\s+tokens?\s*\)\s*(?:is|=|:)\s*(?:about\s+|~\s*)?"
                               r"(\d{1,4}(?:\.\d{1,3})?\s?[kKmM])\b")
SOURCE_BATCH_IN_BRACKETS = re.compile(r"(?i)\bbatch[ _-]?sizes?\b[^.?!\n]{0,80}?\b(?:the\s+)?(?:paper|readme|original\s+"
                                      r"(?:implementation|code|repo))\s*\((\d{1,5})\)")
APPLE_CHIP_SIZE = re.compile(r"(?i)\bM[1-5]\s?(?:Pro|Max|Ultra)?\s*(?:\(|,|with|and)?\s*(\d{1,3})\s?GB\b")


def _unified_memory_size(found: dict, said: str) -> None:
    """Apple silicon's memory is the GPU's ("M1 Pro 16GB", "a MacBook M2 Max with 32GB of RAM" - review 72 #24): the
    size said beside the chip, or the machine's RAM, is what the GPU can use."""
    if found.get("unified_memory_named", (False,))[0] is not True or "gpu_memory" in found:
        return
    if (size := APPLE_CHIP_SIZE.search(said[:MAX_SCAN])) is not None:
        found["gpu_memory"] = (float(size.group(1)) * 2**30, size.group(0))
    elif "cpu_ram" in found:
        found["gpu_memory"] = found["cpu_ram"]


# "I got an OOM. So i set the `load_in_8_bit=True`. But I am getting extremely slow fine tuning speed" (review 71 #24):
# an OOM the user's own change fixed, and the run now trains, only slowly
FIXED_THEN_SLOW = re.compile(
    r"(?i)\b(?:oom|out\s+of\s+(?:gpu\s+|cuda\s+)?memory)\b[^.?!\n]{0,60}[.!]?\s{1,6}"
    r"(?:(?:so|then|after\s+that|therefore|hence|thus)\s*,?\s*)?i\s+(?:have\s+|had\s+|then\s+)?"
    r"(?:set|changed|reduced|lowered|decreased|enabled|used|added|switched|turned\s+on|loaded)\b"
    r"(?:[^.?!]|\.(?=\w)){0,160}?(?:[.!]\s{0,6})?\b(?:but|now|however)\b(?:[^.?!]|\.(?=\d)){0,80}?"
    r"\b(?:slow|slower|slowly|speed|takes?|taking|hours?|days?)\b")


def _oom_fixed_then_slow(found: dict, said: str) -> None:
    """An OOM, then the user's change, then "but it is slow": the change fixed the OOM and the run trains - its speed
    is the question, not fitting (the OOM was of the setting before the change)."""
    if found.get("oom", (False,))[0] is not True or (match := FIXED_THEN_SLOW.search(said[:MAX_SCAN])) is None:
        return
    found.pop("oom")
    found["claim_run_fits"] = (True, match.group(0))
    if found.get("user_goal", (None,))[0] in (None, "fit"):
        found["user_goal"] = ("faster", match.group(0))


# "when max_batch_size=1,64,128 …, the gpu memory will be 27g, 49g, 72g" (review 72 #3): two lists side by side
LISTED_BATCHES = re.compile(r"(?i)(?:\b|_)batch(?:[ _-]?size)?s?\s*(?:=|:|of|is|are)?\s*(?P<batches>\d{1,5}(?:\s*(?:,|/|and)\s*\d{1,5}){1,5})"
                            r"\b[^.\n]{0,80}?\b(?:memory|vram|usage)\b[^.\n\d]{0,40}?"
                            r"(?P<sizes>\d{1,4}(?:\.\d{1,2})?\s?g(?:i?b)?(?:\s*(?:,|/|and)\s*\d{1,4}(?:\.\d{1,2})?\s?g(?:i?b)?){1,5})\b")


def _memory_by_batch_listed(found: dict, said: str) -> None:
    """The memory at several batches said as two lists of one length ("max_batch_size 1, 64, 128 … memory 27g, 49g,
    72g"): batch=memory pairs, as a measurement at each batch."""
    if "peak_memory_by_batch" in found or (match := LISTED_BATCHES.search(said[:MAX_SCAN])) is None:
        return
    batches = [int(b) for b in re.findall(r"\d+", match.group("batches"))]
    sizes = [float(g) * 1e9 for g in re.findall(r"\d+(?:\.\d+)?", match.group("sizes"))]
    if len(batches) == len(sizes) and len(set(batches)) == len(batches):
        found["peak_memory_by_batch"] = ([[b, m] for b, m in zip(batches, sizes)], match.group(0))


def _said_as_tokens(size_text: str, said: str) -> bool:
    """Whether the words a model's size was read from ("beyond 5.7B") are a count the message gives in tokens
    elsewhere ("up to 5.7B tokens")."""
    size = re.search(r"\d+(?:\.\d+)?\s?[kKmMbBtT]\b", size_text)
    if size is None:
        return False
    number = re.escape(size.group(0).replace(" ", ""))
    if re.search(rf"(?<![\d.]){number[:-1]}\s?{number[-1]}[\s-]+(?:models?|param\w{{0,6}}|llms?)\b", said, re.IGNORECASE):
        return False  # ("a 7B model on 7B tokens": the size is said of the model too)
    return re.search(rf"(?<![\d.]){number[:-1]}\s?{number[-1]}\s+tokens\b", said, re.IGNORECASE) is not None


TRAIN_SPLIT = re.compile(r"\b(\d{1,3}(?:,\d{3}){1,2}|\d{1,7}(?:\.\d{1,2})?\s?[kKmM]?)\s?/\s?\d{1,3}(?:,\d{3}){0,2}(?:\.\d{1,2})?\s?[kKmM]?"
                         r"\s+train\s?/\s?(?:val|valid|validation|dev|test)\b", re.IGNORECASE)
CONFIG_ITERATIONS = re.compile(r"_(\d{1,4})k_(?:ade20k|cityscapes|voc12aug|pascal_context\w{0,6}|coco-stuff\d{0,3}|"
                               r"isaid|potsdam|vaihingen|loveda|chase_db1|drive|hrf|stare)\b", re.IGNORECASE)


def _quoted_duration(found: dict[str, tuple[Any, str]], said: str) -> None:
    """A run's time on a markdown quote's line ("> It will take around 2 days to train a DiffuSeq model on 2 NVIDIA
    A100 GPUs" - review 70 #26) is the quoted source's, not the user's run's."""
    if "current_duration" not in found or ">" not in said:
        return
    words = found["current_duration"][1]
    at = said.find(words)
    line = said[said.rfind("\n", 0, at) + 1:at] if at >= 0 else ""
    if line.lstrip().startswith(">"):
        value, words = found.pop("current_duration")
        found.setdefault("reference_duration", (value, words))


# "So SwimTransformer was really trained on 64 gpus?" (review 70 #11): how a model was trained, asked - a source's GPUs
TRAINED_ON_ASKED = re.compile(r"\b(?:was|were)\s+(?:really\s+|actually\s+|originally\s+)?trained\s+(?:on|with|using)\s+"
                              r"(\d{1,4})\s+(?:gpus?|cards?|[a-z]{1,2}\d{2,4}s?)\b[^.?!\n]{0,40}\?", re.IGNORECASE)


def _gpus_a_model_was_trained_on(found: dict[str, tuple[Any, str]], said: str) -> None:
    """The GPUs a question asks a model was trained on are the source's, not the user's run's."""
    asked = TRAINED_ON_ASKED.search(said[:MAX_SCAN])
    if asked is None or "num_gpus" not in found or found["num_gpus"][0] != int(asked.group(1)) \
            or found["num_gpus"][1] not in asked.group(0):
        return
    words = found.pop("num_gpus")[1]
    found.setdefault("reference_num_gpus", (int(asked.group(1)), words))


EPOCHS_SAID_TOLERANCE = 0.02  # epochs a user works out by hand are rounded ("about 1282" for 1,280)


def _epoch_settles_batch_scope(found: dict[str, tuple[Any, str]]) -> None:
    """A batch not said to be per GPU or the total, on several GPUs, with the updates of an epoch seen (or the
    epochs the user works out from the steps): the count says which it is ("50000 images, batch size 256 on 8 GPUs
    with DDP … each epoch shows 25 iterations": ⌈50,000 / (256 × 8)⌉ = 25, so 256 is each GPU's; 196 would have
    made it the total). Settled only when one reading gives the count and the other does not."""
    needed = ("batch_unqualified", "num_gpus", "dataset_size")
    if any(name not in found for name in needed) or "micro_batch" in found or "batch_size" in found:
        return
    batch, gpus = found["batch_unqualified"][0], found["num_gpus"][0]
    data, accumulation = found["dataset_size"][0], found.get("grad_accum_steps", (1,))[0]
    if not all(isinstance(v, (int, float)) and v >= 1 for v in (batch, gpus, data, accumulation)) or gpus < 2:
        return
    steps, planned, epochs = (found.get(name, (0,))[0] for name in ("epoch_steps_said", "planned_steps", "epochs"))
    if isinstance(steps, (int, float)) and steps >= 1:
        per_gpu = math.ceil(data / (batch * gpus * accumulation)) == steps
        total = math.ceil(data / (batch * accumulation)) == steps
    elif all(isinstance(v, (int, float)) and v > 0 for v in (planned, epochs)):
        # the user's own arithmetic: "100 pairs, 8 cards, batch_size=8, max_training_step=2000: about 1282 epochs"
        # (review 70 #19) - 2,000 × 8 × 8 / 100 = 1,280 passes, so 8 is each card's
        passes = lambda per_update: planned * per_update / data  # noqa: E731
        per_gpu = abs(passes(batch * gpus * accumulation) - epochs) <= EPOCHS_SAID_TOLERANCE * epochs
        total = abs(passes(batch * accumulation) - epochs) <= EPOCHS_SAID_TOLERANCE * epochs
    else:
        return
    if per_gpu != total:
        words = found.pop("batch_unqualified")[1]
        found["micro_batch" if per_gpu else "batch_size"] = (batch, words)


def _unblanked(words: str, blanked: str, said: str) -> str:
    """The user's own words for a quote the reader took from the blanked text (a sentence that spans a number a
    pattern took quotes that number again, not the spaces put in its place)."""
    if not isinstance(words, str) or "  " not in words:
        return words
    at = blanked.find(words)
    return said[at:at + len(words)] if at >= 0 else words


LANGUAGE_MODEL_PARAMS = 1e9  # (no sequence model this large normalises with BatchNorm)


def _filled_by_answers(wm: WorkingMemory) -> None:
    """An answer that says what a value already read is (facts.yaml `fills`): "per GPU" makes the batch said
    without saying so the micro-batch, "the total" the batch per update - unless the user stated that input."""
    for spec in wm.kb.facts.values():
        if spec.fills and spec.fills_from and wm.known(spec.name) and wm.known(spec.fills_from):
            target = spec.fills.get(str(wm.value(spec.name)))
            if target is not None and not wm.known(target):
                said = wm.facts[spec.fills_from].provenance.matched  # the words of the value ("batch 256")
                wm.set(target, wm.value(spec.fills_from), replace(wm.facts[spec.name].provenance, matched=said))


def _catalogue_facts(wm: WorkingMemory) -> None:
    """A catalogue model implies its parameter count (computed from its shapes), unless the user gave one, and
    for a transformer that it has no BatchNorm (for a ResNet or a YOLO that it has)."""
    if wm.known("model_preset") and "params" in wm.kb.facts:
        from advisor.domain.catalogue import LAYER_NORM_KINDS, catalogue_entry, preset

        spec = preset(wm.value("model_preset"))
        if not wm.known("params"):
            wm.set("params", float(spec.params),
                   Provenance("estimate", estimator=f"the model catalogue ({spec.name}, counted from its shapes)"))
        if "model_has_vocab" in wm.kb.facts and not wm.known("model_has_vocab"):
            # a language-model head makes logits (an image model's UNet or CNN has none: no sequence to ask for)
            wm.set("model_has_vocab", spec.vocab > 0,
                   Provenance("estimate", estimator=f"the model catalogue ({spec.name})"))
        if "experts_not_linear" in wm.kb.facts and catalogue_entry(spec.name).get("experts_not_linear"):
            # DBRX's experts are fused parameters, which a bitsandbytes 4-bit load does not quantize
            wm.set("experts_not_linear", True, Provenance("estimate", estimator=f"the model catalogue ({spec.name})"))
        if "image_diffusion_transformer" in wm.kb.facts and not wm.known("image_diffusion_transformer") \
                and spec.arch_kind == "diffusion-transformer" and catalogue_entry(spec.name).get("modality") != "video":
            # FLUX, SD3, Qwen-Image: an image's latent (8× smaller a side) cut in 2×2 patches, side²/256 tokens
            wm.set("image_diffusion_transformer", True,
                   Provenance("estimate", estimator=f"the model catalogue ({spec.name}: a diffusion transformer)"))
        layer_norm = spec.arch_kind in LAYER_NORM_KINDS or catalogue_entry(spec.name).get("norm") == "layer"
        if catalogue_entry(spec.name).get("norm") == "batch" and not wm.known("uses_batchnorm") \
                and "uses_batchnorm" in wm.kb.facts:
            # ResNets, EfficientNets, YOLO's Conv blocks: BatchNorm after the convolutions
            wm.set("uses_batchnorm", True,
                   Provenance("estimate", estimator=f"the model catalogue ({spec.name}: BatchNorm after its convolutions)"))
        if layer_norm and not wm.known("uses_batchnorm"):
            # a transformer (or ConvNeXt) normalises with LayerNorm or RMSNorm: nothing to ask about BatchNorm
            wm.set("uses_batchnorm", False,
                   Provenance("estimate", estimator=f"the model catalogue ({spec.name}: a transformer, no BatchNorm)"))
    if wm.known("ultralytics") and wm.value("ultralytics") is True and not wm.known("uses_batchnorm") \
            and "uses_batchnorm" in wm.kb.facts:
        # Ultralytics' YOLO models build every convolution as Conv2d + BatchNorm2d + an activation
        wm.set("uses_batchnorm", True, Provenance("estimate", estimator="Ultralytics' YOLO (Conv2d + BatchNorm2d blocks)"))
    if wm.known("architecture") and wm.value("architecture") == "transformer" and not wm.known("uses_batchnorm") \
            and "uses_batchnorm" in wm.kb.facts:
        # a transformer named by its kind ("ViT-B", "a GPT"): LayerNorm or RMSNorm, as the catalogue's transformers
        wm.set("uses_batchnorm", False,
               Provenance("estimate", estimator="the model family (a transformer: no BatchNorm)"))
    if not wm.known("uses_batchnorm") and "uses_batchnorm" in wm.kb.facts and wm.known("adapter") \
            and wm.value("adapter") == "qlora":
        # QLoRA (bitsandbytes 4-bit linear layers under adapters) fine-tunes language models, whose layers normalise
        # with LayerNorm or RMSNorm
        wm.set("uses_batchnorm", False, Provenance(
            "estimate", estimator="QLoRA (a 4-bit language model under adapters: no BatchNorm)"))
    if not wm.known("uses_batchnorm") and "uses_batchnorm" in wm.kb.facts and wm.known("seq_len") \
            and wm.known("params") and wm.value("params") >= LANGUAGE_MODEL_PARAMS:
        # billions of parameters trained on token sequences ("chatglm2-6b", max_source_length 256): a language model,
        # whose layers normalise with LayerNorm or RMSNorm
        wm.set("uses_batchnorm", False, Provenance(
            "estimate", estimator="a model of billions of parameters trained on sequences (a language model: no BatchNorm)"))
    if wm.known("gpu_model") and "gpu_bf16" in wm.kb.facts:  # what the card supports, for the precision checks
        from advisor.domain.gpus import precision_support

        support = precision_support(str(wm.value("gpu_model")))
        if support is not None:
            catalogue = Provenance("estimate", estimator=f"the GPU catalogue ({support.gpu}: {support.arch})")
            for name, value in (("gpu_bf16", support.bf16), ("gpu_tensor_cores", support.tensor_cores)):
                if not wm.known(name):
                    wm.set(name, value, catalogue)
    if wm.known("gpu_model") and not wm.known("interconnect") and wm.known("num_gpus") and wm.value("num_gpus") > 1 \
            and (not wm.known("num_nodes") or wm.value("num_nodes") == 1):
        from advisor.domain.gpus import has_nvlink

        if has_nvlink(str(wm.value("gpu_model"))) is False:  # several GeForce RTX 4090s: no bridge to join them
            wm.set("interconnect", "pcie", Provenance(
                "estimate", estimator=f"the GPU catalogue ({wm.value('gpu_model')} has no NVLink: its GPUs talk over PCIe)"))


def _framework_facts(wm: WorkingMemory) -> None:
    """How the framework named counts its batch, from the framework catalogue."""
    if not wm.known("framework") or "framework_batch_scope" not in wm.kb.facts:
        return
    from advisor.domain.frameworks import frameworks

    spec = frameworks().get(str(wm.value("framework")))
    if spec is None:
        return
    catalogue = Provenance("estimate", estimator=f"the framework catalogue ({spec.name}: {spec.source})")
    for name, value in (("framework_batch_scope", spec.batch), ("framework_batch_unit", spec.unit),
                        ("framework_name", spec.name), ("framework_batch_key", spec.key), ("framework_note", spec.note)):
        if not wm.known(name):
            wm.set(name, value, catalogue)


def _check_consistency(wm: WorkingMemory) -> None:
    """Facts the caller states must agree; what a message says may not (a red flag, rf-effective-batch, then
    shows the arithmetic instead of refusing the message)."""
    names = ("micro_batch", "grad_accum_steps", "num_gpus", "batch_size")
    if all(wm.known(n) and wm.facts[n].provenance.kind in ("given", "answer") for n in names):
        micro, accum, gpus, batch = (wm.value(n) for n in names)
        if micro * accum * gpus != batch:
            raise InputError(f"contradictory facts: micro_batch {micro} × grad_accum_steps {accum} × num_gpus {gpus} "
                             f"= {micro * accum * gpus}, but batch_size is {batch} (batch_size is the global batch per "
                             f"optimizer update); fix one of them")


def consult(message: str | Sequence[str] = "", facts: Mapping[str, Any] | None = None, answers: Mapping[str, Any] | None = None, *,
            measured: Mapping[str, Any] | None = None, situation: Mapping[str, Any] | Any | None = None,
            configs: Sequence[Any] | None = None, kb: KnowledgeBase | None = None) -> Advice:
    """Advise on a situation: the user's words (`message`; a list of messages is a conversation, a later one
    correcting an earlier one), facts by name, answers to earlier questions, measurements, a structured
    `situation`, and/or training config files (`configs`: DeepSpeed, TrainingArguments, accelerate, a model's
    config.json; each {name, content}). Raises InputError (with what was expected) on bad input."""
    return run_consultation(message, facts, answers, measured=measured, situation=situation, configs=configs, kb=kb).advice


def run_consultation(message: str | Sequence[str] = "", facts: Mapping[str, Any] | None = None, answers: Mapping[str, Any] | None = None,
                     *, measured: Mapping[str, Any] | None = None, situation: Mapping[str, Any] | Any | None = None,
                     configs: Sequence[Any] | None = None, kb: KnowledgeBase | None = None) -> Consultation:
    messages = [message] if isinstance(message, str) or message is None else message
    if not isinstance(messages, (list, tuple)) or not all(isinstance(m, str) or m is None for m in messages):
        raise InputError("message must be text (or a list of texts, one per turn of a conversation)")
    for text in messages:
        check_text(text or "")
    for label, mapping in (("facts", facts), ("answers", answers), ("measured", measured)):
        if mapping is not None and not isinstance(mapping, Mapping):
            raise InputError(f"{label} must be a mapping of name to value")
    kb = kb or load_kb()
    wm = build_memory(kb, [m or "" for m in messages], facts, answers, measured, situation, configs)
    engine = engine_for(kb)
    run = engine.run(wm)
    return Consultation(kb, wm, run, assemble(kb, wm, run, engine.policy), engine)


