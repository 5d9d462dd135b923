"""Batches: which batch a config key or flag names, batch arithmetic ('12*40 = 480'), changes ('from 32 to 8',
'reduced it to 8', 'I use 4; so is 8 right?', 'at 256 we OOM, at 128 it fits'), the batch a learning rate was set
for, and the batch per update against the batch per step."""

from __future__ import annotations

import re
from dataclasses import replace

from advisor.reading.clause import Clause, in_flag, negated, setup_of
from advisor.reading.cues import (BATCH_SPELLINGS, COUNT_UNITS, FILLERS, GPU_WORDS, MEMORY_UNITS, VALUE_QUALIFIERS,
                                  cue_index)
from advisor.reading.hardware import NODE_WORDS
from advisor.reading.phrases import PhraseIndex
from advisor.reading.state import BATCH_FIELDS, Read, Reading, fill
from advisor.reading.tokens import WORD_NUMBERS
from advisor.units import DURATION_UNITS


PRODUCT = ("*", "x", "×")


def batch_products(clause: Clause, reading: Reading) -> None:
    """A batch said as a product of three or more counts with no result: "the batch size was 6 * 8 * 8" (review 66
    #1) is 384 per update - per-device × GPUs × accumulation, which one factor alone would misread as the per-device
    batch."""
    tokens, left = clause.tokens, cue_index("left")
    for k in clause.numbers:
        t = clause.keys[k]
        if t in clause.consumed or not tokens[t].is_num or tokens[t].value is None:
            continue
        factors, u = [t], t
        while u + 2 < clause.end and tokens[u + 1].text in PRODUCT and tokens[u + 2].is_num \
                and tokens[u + 2].value is not None and len(factors) < 4:
            u += 2
            factors.append(u)
        after = u + 1
        # (three factors or more: per-device × GPUs × accumulation; two, "batch size 16x2", are as often a layout
        # compared with others, "16x2 vs 32x1", which the reader reads per clause)
        if len(factors) < 3 or after < clause.end and (tokens[after].text in ("=", "/", "*")
                                                       or tokens[after].kind == "word" and not tokens[after].space_before
                                                       or tokens[after].text in GPU_WORDS | NODE_WORDS
                                                       or tokens[after].text in ("gpu", "gpus", "x", "images", "px",
                                                                                 "or", "tokens", "samples"))\
                or any(tokens[x].value != int(tokens[x].value) or tokens[x].value < 1 for x in factors):
            continue  # (one number, a product with its result said - formulas() reads it - or no counts)
        slot = _cue_before(left, clause.words, k)
        before = clause.words[max(0, slot[1] - 4):slot[1]] if slot is not None else []
        if slot is None or slot[0] not in ("batch", "global_batch") or setup_of(clause, k) != "user" \
                or "to" in clause.words[slot[1]:k] and not CHANGE_VERBS.isdisjoint(before) \
                or t > clause.start and tokens[t - 1].text == "(" or after in clause.card_starts \
                or "your" in before[-3:]:
            continue  # (not the reference's, "your total batch 4*4", nor a change's target "raise the batch size to
            # 4*1024", nor "(64 * 8)")
        product = 1.0
        for x in factors:
            product *= tokens[x].value
        clause.consumed.update(factors)
        fill(reading, "global_batch", product, "", clause.text(clause.keys[slot[1]], factors[-1]),
             setup_of(clause, k))
        return


def _cue_before(left: PhraseIndex, words: list[str], k: int) -> tuple[str, int] | None:
    """The cue phrase ending just before key k, over a few fillers ("the batch size was 6 * 8 * 8")."""
    end = k
    for _ in range(4):
        if end <= 0:
            return None
        hit = left.ending_at(words, end)
        if hit:
            return hit[1], end - hit[0]
        if words[end - 1] not in FILLERS:
            return None
        end -= 1
    return None


def formulas(clause: Clause, reading: Reading) -> None:
    """Batch arithmetic as engineers write it: 'batch_size*gradient_accumulation_steps = 12*40 = 480' gives the
    per-step batch 12, accumulation 40 and the batch per update 480; 'gradient_accumulation_steps = 64* 2' is 128."""
    tokens, left = clause.tokens, cue_index("left")
    if "=" not in clause.source[tokens[clause.start].start:tokens[clause.end - 1].end]:
        return
    for t in range(clause.start + 1, clause.end - 1):
        if tokens[t].text != "=" or not tokens[t + 1].is_num:
            continue
        if tokens[t - 1].text == "!":
            _batch_check(clause, reading, t)
            continue
        values, u = [], t + 1  # the numbers right of '=', multiplied
        while u < clause.end and tokens[u].is_num and tokens[u].value is not None and len(values) < 6:
            values.append(u)
            if u + 2 < clause.end and tokens[u + 1].text in PRODUCT and tokens[u + 2].is_num:
                u += 2
            else:
                break
        if len(values) == 1 and _keyed_factors(clause, reading, left, t, values[0]):
            continue
        factors, begin = _factor_names(clause, left, t) if len(values) == 1 else ([], t)
        if len(factors) >= 2 and not any(tokens[x].is_num for x in range(begin, t)) \
                and not (begin > clause.start and tokens[begin - 1].is_num):
            # "world_size x gradient accumulation steps x batch_size_per_gpu = 2048": the product of the names, not
            # the value of the last of them (the batch it states is read where it is said)
            clause.consumed.add(values[0])
            continue
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
                fill(reading, name, tokens[x].value, "", text, setup_of(clause, clause.key_of.get(x, 0)))
            if result is not None and tokens[result].is_num:
                clause.consumed.add(result)
                fill(reading, "global_batch", tokens[result].value, "", clause.text(start, result), "user")
        elif len(names) == 1 and names[0] == "lr":
            pass  # "lr = 0.0002 * 16 = 0.0032": a scaling rule worked out, not the LR the run uses
        elif len(names) == 1 and names[0] == "image_size" and len(values) == 2 \
                and tokens[values[0]].value == tokens[values[1]].value:
            # "image_size=224*224": a square image's side, said twice
            fill(reading, "image_size", tokens[values[0]].value, "", text, setup_of(clause, clause.key_of.get(values[0], 0)))
        elif len(names) == 1:  # "gradient_accumulation_steps = 64* 2"
            fill(reading, names[0], product, "", text, setup_of(clause, clause.key_of.get(values[0], 0)))
        else:
            continue
        clause.consumed.update(values)


# the words that may stand between two settings named together and their two values: "the batch size and initial
# learning rate is set to 8 and 0.01", "batch size and lr are 64 and 0.1 respectively"
PAIR_VERBS = frozenset({"is", "are", "was", "were", "set", "to", "be", "of", "=", ":", "as", "we", "use", "used",
                        "i", "respectively", "both", "initial", "the"})
# the settings a pair can name: both must be numbers with their own range (not "gpus and nodes", read elsewhere)
PAIRABLE = frozenset({"batch", "micro_batch", "global_batch", "lr", "grad_accum_steps", "epochs", "seq_len",
                      "warmup_steps", "lora_rank", "image_size"})


def respective_pairs(clause: Clause, reading: Reading) -> None:
    """'The batch size and initial learning rate is set to 8 and 0.01 on VOC 2007': two settings named, then their
    two values in the same order; each value goes to its own setting (not 8 to the learning rate, whose name is
    nearest)."""
    if "and" not in clause.present:
        return
    words, tokens, left = clause.words, clause.tokens, cue_index("left")
    for a in range(len(words) - 5):
        first = left.at(words, a)
        if first is None or first[1] not in PAIRABLE or a + first[0] >= len(words) or words[a + first[0]] != "and":
            continue
        b = a + first[0] + 1
        while b < len(words) and words[b] in ("initial", "the", "base", "peak"):
            b += 1
        second = left.at(words, b) if b < len(words) else None
        if second is None or second[1] not in PAIRABLE or second[1] == first[1]:
            continue
        k, skipped = b + second[0], 0
        while k < len(words) and words[k] in PAIR_VERBS and skipped < 5:
            k, skipped = k + 1, skipped + 1
        if k + 2 >= len(words) or words[k + 1] != "and":
            continue
        x, y = tokens[clause.keys[k]], tokens[clause.keys[k + 2]]
        if not (x.is_num and y.is_num and x.value is not None and y.value is not None):
            continue
        text = clause.text(clause.keys[a], clause.keys[k + 2])
        setup = setup_of(clause, a)
        fill(reading, first[1], x.value, "", text, setup)
        fill(reading, second[1], y.value, "", text, setup)
        clause.consumed.update({clause.keys[k], clause.keys[k + 2]})
        return


def _keyed_factors(clause: Clause, reading: Reading, left: PhraseIndex, t: int, result: int) -> bool:
    """Each factor after its own name, then the product: 'batch size 128 * accumulated_grad_batch 16 = 2048' (`t`
    at its '='): the per-step batch, the accumulation and the batch per update, when the product is right."""
    tokens, pairs, u, start = clause.tokens, [], t - 1, t
    while u > clause.start and len(pairs) < 4:
        number, key_end = u, u - 1
        if tokens[u].text == ")" and u - 2 > clause.start and tokens[u - 2].text == "(":
            number, key_end = u - 1, u - 3  # "per_device_train_batch_size (4) * gradient_accumulation_steps (8)"
        if not tokens[number].is_num or tokens[number].value is None or key_end not in clause.key_of:
            break
        k = clause.word_of(clause.key_of[key_end])[1] + 1
        hit = left.ending_at(clause.words, k)
        if hit is None:
            break
        pairs.append((hit[1], number))
        start = clause.keys[k - hit[0]]
        u = start - 1
        if u < clause.start or tokens[u].text not in PRODUCT:
            break
        u -= 1
    gpus = None
    if pairs and u - 1 >= clause.start and u < start and tokens[u].text.lower() in GPU_COUNT_WORDS \
            and tokens[u - 1].is_num and tokens[u - 1].value is not None:
        gpus, start = u - 1, u - 1  # "4 GPUs * per_device_train_batch_size (4) * …": the GPUs a factor too
    names = [name for name, _ in pairs]
    product = tokens[gpus].value if gpus is not None else 1.0
    for _, x in pairs:
        product *= tokens[x].value
    if len(pairs) < 2 or not {"batch", "micro_batch"} & set(names) or len(set(names)) < len(names) \
            or product != tokens[result].value:
        return False
    if gpus is not None:
        fill(reading, "num_gpus", tokens[gpus].value, "", clause.text(start, result),
             setup_of(clause, clause.key_of.get(gpus, 0)))
    for name, x in pairs[::-1]:
        fill(reading, "micro_batch" if name == "batch" else name, tokens[x].value, "", clause.text(start, result),
             setup_of(clause, clause.key_of.get(x, 0)))
    fill(reading, "global_batch", tokens[result].value, "", clause.text(start, result),
         setup_of(clause, clause.key_of.get(result, 0)))
    clause.consumed.update([x for _, x in pairs] + [result] + ([gpus] if gpus is not None else []))
    return True


def _batch_check(clause: Clause, reading: Reading, t: int) -> None:
    """DeepSpeed's batch assertion, "train_batch_size is not equal to micro_batch_per_gpu * gradient_acc_step *
    world_size 256 != 4 * 8 * 1" (`t` at its '='): the batch the config asks for and the micro-batch and
    accumulation the run has, when nothing else says them. The world size is the one DeepSpeed saw, often not the
    user's GPUs (the assertion fires when the launcher and the config disagree), so it counts none."""
    tokens = clause.tokens
    asked, factors = t - 2, [t + 1, t + 3, t + 5]
    if asked <= clause.start or factors[-1] >= clause.end or not tokens[asked].is_num \
            or any(not tokens[u].is_num or tokens[u].value is None for u in factors) \
            or any(tokens[u].text not in PRODUCT for u in (t + 2, t + 4)) or tokens[asked - 1].text.lower() != "world_size":
        return
    text = clause.text(asked - 1, factors[-1])
    if reading.batch_assertion is None:  # (what DeepSpeed saw, for the mismatch to be named: its world size above all)
        reading.batch_assertion = (tokens[asked].value, *(tokens[u].value for u in factors), text)
    for name, u in (("global_batch", asked), ("micro_batch", factors[0]), ("grad_accum_steps", factors[1])):
        if name not in reading.values:  # (weak: the run's own flags, said later, outrank what the assertion saw)
            fill(reading, name, tokens[u].value, "", text, "user", weak=True)
    clause.consumed.update([asked] + factors)


# "128 seqs x 512", "64 sequences of 2048 tokens": a batch counted in sequences of a length
SEQUENCE_NOUNS = frozenset({"seqs", "sequences", "seq", "sequence", "samples", "examples", "docs", "documents"})
SEQUENCE_OF = frozenset({"x", "*", "of"})


def sequence_batches(clause: Clause, reading: Reading) -> None:
    """A batch given as sequences times their length ("the T5 paper used 128 seqs x 512 = 65k tokens per batch",
    "64 sequences of 2048 tokens"): the batch in sequences and the sequence length, for the setup the clause
    speaks of; the product after '=' is the same batch in tokens, read with them."""
    if clause.present.isdisjoint(SEQUENCE_NOUNS) or clause.present.isdisjoint(SEQUENCE_OF):
        return
    words, keys, tokens = clause.words, clause.keys, clause.tokens
    for k in clause.numbers:
        if k + 3 >= len(words) or words[k + 1] not in SEQUENCE_NOUNS or words[k + 2] not in SEQUENCE_OF \
                or not tokens[keys[k + 3]].is_num or keys[k] in clause.consumed:
            continue
        count, length = tokens[keys[k]].value, tokens[keys[k + 3]].value
        if words[k + 4:k + 5] == ["k"] and tokens[keys[k + 4]].start == tokens[keys[k + 3]].end:
            length *= 1024  # "8 sequences of 4k tokens"
        if count is None or length is None or not float(count).is_integer() or not 16 <= length <= 10**7 \
                or words[k + 2] == "of" and words[k + 4:k + 5] not in (["tokens"], ["token"], ["k"]):
            continue  # ("1 sample of 3 images" is no sequence length)
        last = keys[k + 3]
        while last + 1 < clause.end and tokens[last + 1].kind == "word" and tokens[last + 1].text in ("k", "tokens", "token"):
            last += 1
        if last + 2 < clause.end and tokens[last + 1].text == "=" and tokens[last + 2].is_num:
            last += 2  # "= 65k tokens per batch": the same batch in tokens
            while last + 1 < clause.end and tokens[last + 1].kind == "word" and tokens[last + 1].text in ("k", "m", "tokens", "token"):
                last += 1
        text, setup = clause.text(keys[k], last), setup_of(clause, k)
        # "global batch 512 sequences of 1024 tokens": said to be over all GPUs; "per device 8 sequences of …": each's
        said = words[max(0, k - 4):k]
        name = "global_batch" if not {"global", "total", "effective"}.isdisjoint(said) else \
            "micro_batch" if "device" in said or "gpu" in said and ("per" in said or "each" in said) else "batch"
        fill(reading, name, count, "", text, setup)
        fill(reading, "seq_len", length, "", text, setup)
        clause.consumed.update(range(keys[k], last + 1))


GPU_COUNT_WORDS = {"gpus", "gpu", "cards", "card", "devices", "device", "ranks", "processes"}
PER_DEVICE_TAIL = {"per", "each", "/"}  # "4 per GPU x 8 GPUs", "4 each", "4/GPU"


def gpu_products(clause: Clause, reading: Reading) -> None:
    """A batch given as a product with the GPU count: 'batch 4 x 8 GPUs = 32', '4 per GPU × 8 GPUs = 32 in
    total', '8 GPUs * 4 = 32 batch': the per-device batch, the GPU count and the batch per step over all GPUs.
    Only with a batch word in the clause, since '4 x 8 GPUs' alone is four nodes of eight GPUs."""
    if clause.present.isdisjoint(GPU_COUNT_WORDS) \
            or clause.present.isdisjoint({"batch", "bs", "batchsize", "batch_size"}):
        return
    tokens = clause.tokens
    for t in range(clause.start + 1, clause.end - 1):
        if tokens[t].text != "=" or not tokens[t + 1].is_num or tokens[t + 1].value is None:
            continue
        # the two factors left of '=': "A [per GPU] x B GPUs" or "B GPUs x A [per GPU]", each at most 3 tokens long
        span = [u for u in range(max(clause.start, t - 8), t)]
        marks = [u for u in span if tokens[u].text in PRODUCT]
        if len(marks) != 1:
            continue
        nums = [u for u in span if tokens[u].is_num and tokens[u].value is not None]
        before = [u for u in nums if u < marks[0]]
        after = [u for u in nums if u > marks[0]]
        if not before or not after:
            continue
        a, b = before[-1], after[0]

        def gpus_after(u: int) -> bool:
            return u + 1 < clause.end and tokens[u + 1].text.lower() in GPU_COUNT_WORDS \
                and not (u + 2 < clause.end and tokens[u + 2].text.lower() in ("each",))

        if gpus_after(b) and not gpus_after(a):
            batch, gpus = a, b
        elif gpus_after(a) and not gpus_after(b):
            batch, gpus = b, a
        else:
            continue
        per, count, total = tokens[batch].value, tokens[gpus].value, tokens[t + 1].value
        if t + 2 < clause.end and tokens[t + 2].text.lower() in GPU_COUNT_WORDS:
            continue  # "4 x 8 GPUs = 32 GPUs": a count of GPUs
        if not all(float(v).is_integer() and v >= 1 for v in (per, count, total)) or per * count != total:
            continue  # the arithmetic must be the user's own: 4 x 8 = 32
        first = min(a, b)
        setup = setup_of(clause, clause.key_of.get(first, 0))
        text = clause.text(first, t + 1)
        fill(reading, "micro_batch", per, "", text, setup)
        fill(reading, "num_gpus", count, "", text, setup)
        fill(reading, "global_batch", total, "", text, setup)
        clause.consumed.update({a, b, t + 1})


def _factor_names(clause: Clause, left: PhraseIndex, t: int) -> list[str]:
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
        start = clause.keys[k - hit[0]]
        u = start - 1
        if u >= clause.start and tokens[u].text in PRODUCT:
            u -= 1
            continue
        break
    names = names[::-1]
    if len(names) >= 2 and "batch" in names:  # a batch multiplied by accumulation or GPUs is the per-step one
        names = ["micro_batch" if n == "batch" else n for n in names]
    return names, start


ACCUMULATION_PARTS = {"accumulation", "accumulations", "accumulate", "accum", "subdivisions"}


# the parts of a config key or a flag that say which batch it is
NOT_TRAINING = {"eval", "evaluation", "test", "val", "valid", "validation", "inference", "infer", "predict",
                "prediction", "generation", "gen", "sample", "sampling", "rollout",
                "im", "image", "roi", "rois", "anchor", "anchors"}  # detectron's BATCH_SIZE_PER_IM: regions, not images


PER_DEVICE_PARTS = {"micro", "microbatch", "mbatch", "device", "gpu", "per"}  # (falcontune's mbatch_size)


GLOBAL_PARTS = {"global", "total", "effective"}


def deepspeeds_key(clause: Clause, reading: Reading) -> bool:
    """Whether a bare `train_batch_size` in this message is DeepSpeed's (the global batch): DeepSpeed named, and not a
    trainer's settings listed with their eval twin ("train_batch_size: 2, eval_batch_size: 2" beside a DeepSpeed config
    file are per device - DeepSpeed's JSON has no eval batch, review 57 #7)."""
    return reading.deepspeed and not ("eval_batch_size" in clause.source
                                      and "train_micro_batch_size_per_gpu" not in clause.source)


def config_key(clause: Clause, k: int, reading: Reading) -> tuple[str, int] | None:
    """The batch a number is given under as a config key or a flag, read from the key's parts:
    `per_device_train_batch_size=4` and `device_train_microbatch_size: 2` are per device, `TRAIN.BATCH_SIZE_TOTAL 8`
    and `global_train_batch_size` global, `--batch_size_training 16` and `loader.batch_size=32` plain ("batch"),
    DeepSpeed's `train_batch_size` global but a script's `--train_batch_size` per device; an eval or test batch
    (`per_device_eval_batch_size: 16`) is no training batch ("skip")."""
    t = clause.keys[k]
    j = t - 1
    while j >= clause.start and t - j <= 6 and (clause.tokens[j].kind == "punct" and clause.tokens[j].text in "=:\"'`"
                                                or clause.tokens[j].text in ("to", "the", "original", "default", "of")):
        j -= 1  # "set global_train_batch_size to the original 2048"
    if j >= clause.start and clause.tokens[j].text == "bsz" and j - 1 >= clause.start \
            and clause.tokens[j - 1].text == "-" and not clause.tokens[j].space_before:
        return "batch", clause.key_of[j]  # `--bsz=600` (S5, fairseq-style scripts; not a log's "bsz=20586")
    if j >= clause.start and clause.tokens[j].kind == "word" and "_" not in clause.tokens[j].text:
        # `--eval-batch-size 8`: a flag's words joined by hyphens; an eval or test batch is no training batch
        words, i = [clause.tokens[j].text], j
        while i - 2 >= clause.start and clause.tokens[i - 1].text == "-" and not clause.tokens[i].space_before \
                and not clause.tokens[i - 1].space_before and clause.tokens[i - 2].kind == "word" and len(words) < 6:
            i -= 2
            words.append(clause.tokens[i].text)
        flag = i - 1 >= clause.start and clause.tokens[i - 1].text == "-" and not clause.tokens[i].space_before
        if flag and "batch" in words and not NOT_TRAINING.isdisjoint(words):
            return "skip", clause.key_of.get(i, clause.key_of.get(j, 0))
        return None
    if j < clause.start or clause.tokens[j].kind != "word":
        return None
    parts = set(clause.tokens[j].text.split("_"))
    start = clause.key_of[j]
    if reading.rl_trainer and {"batch", "size"} <= parts:
        rl = _rl_key(parts, reading.rl_trainer)
        if rl is not None:
            return rl, start
    if parts == {"ims", "per", "batch"}:
        # detectron2's and maskrcnn-benchmark's SOLVER.IMS_PER_BATCH counts the images of a step over all GPUs;
        # the first Detectron's TRAIN.IMS_PER_BATCH (a `TRAIN:` section) counts each GPU's
        section = clause.words[max(0, start - 12):start]
        return ("micro_batch" if "train" in section and "solver" not in section else "global_batch"), start
    if parts & ACCUMULATION_PARTS and {"batch", "size"} <= parts and not parts & {"steps", "grad", "gradient"}:
        return "global_batch", start  # Caffe SSD's `accum_batch_size = 32`: the batch the accumulation builds
    if parts & ACCUMULATION_PARTS and parts & NOT_TRAINING:
        # eval_accumulation_steps moves the evaluation's predictions to the CPU every N batches: no training setting
        return "skip", start
    if parts & ACCUMULATION_PARTS or {"update", "freq"} <= parts:
        return "grad_accum_steps", start  # gradient_accumulation_steps, accumulate_grad_batches, update_freq
    if not ({"batch", "size"} <= parts or parts & {"microbatch", "mbatch", "batchsize", "bs"}):
        return None
    if parts & NOT_TRAINING or "lr" in parts:
        # (`BASE_LR_BATCHSIZE = 32`: the batch a base learning rate is stated for, not the run's)
        return "skip", start
    if parts & PER_DEVICE_PARTS:
        return "micro_batch", start
    if parts & GLOBAL_PARTS:
        return "global_batch", start
    if "train" in parts and not in_flag(clause, j) and (json_key(clause, start) or deepspeeds_key(clause, reading)):
        return "global_batch", start
    return "batch", start


def _rl_key(parts: set[str], trainer: str) -> str | None:
    """A batch key of verl or OpenRLHF, which count prompts where others count samples. verl: `data.train_batch_size`
    the prompts of a step, `ppo_mini_batch_size` the prompts of an update (rollout.n responses each), only
    `ppo_micro_batch_size_per_gpu` a training micro-batch (`log_prob_micro_batch_size_per_gpu` splits a forward of
    the rollout or the reference). OpenRLHF: `rollout_batch_size` the prompts of a rollout, `train_batch_size` the
    samples of an update over all GPUs."""
    if parts == {"train", "batch", "size"}:
        return "rollout_prompts" if trainer == "verl" else "global_batch"
    if trainer == "verl" and "mini" in parts:
        return "ppo_mini_prompts"
    if trainer == "verl" and "micro" in parts and not parts & {"ppo", "train"}:
        return "skip"
    if trainer == "openrlhf" and parts == {"rollout", "batch", "size"}:
        return "rollout_prompts"
    return None


# "…accumulation 128 to get 128", "… for a total of 512": what the user expects per update, said with accumulation
TARGET_CUES = {("to", "get"), ("to", "reach"), ("total", "of"), ("giving", "a"), ("gives", "a"), ("get", "a")}


ACCUMULATION_WORDS = {"ga", "accumulation", "accum", "accumulate", "gradient_accumulation_steps", "accum_iter",
                      "gradient_accumulation"}


def json_key(clause: Clause, k: int) -> bool:
    """Whether the word at key k is written as a quoted key ("train_batch_size": 32), as in a DeepSpeed JSON."""
    tok_index = clause.keys[k]
    return tok_index > 0 and clause.tokens[tok_index - 1].text == '"'


def lr_batch(words: list[str], start: int) -> bool:
    """'the learning rate for batch size 256', 'lr=0.03 for batch 256': the batch a learning rate was set for (not
    'what learning rate should I use for batch size 1024?', the batch the user asks an LR for)."""
    before = set(words[max(0, start - 8):start])
    return start >= 1 and words[start - 1] == "for" and bool({"lr", "learning", "rate"} & before) \
        and not (before & ASKING and before & ASKED_FOR_ONESELF)


ASKING = frozenset({"what", "which", "how"})
ASKED_FOR_ONESELF = frozenset({"should", "do", "would", "need", "shall"})


def said_as_default(words: list[str], start: int, k: int) -> bool:
    """A value said as a default or an original one ("the default batch size of 32", "set it to the original 2048"),
    unless the user says they use it ("I use the defaults", "the rest default (batch_size 128)")."""
    for j in range(max(0, start - 3), k):
        if words[j] in VALUE_QUALIFIERS or words[j] == "defaults":
            if j < start and any(w not in ("the", "a", "its") for w in words[j + 1:start]):
                continue  # "(default settings, batch size 1, …)": the default qualifies another word
            if j >= 1 and words[j - 1] in KEPT_AS_DEFAULT:
                return False  # "micro_batch_size 8, the rest default (batch_size 128)": defaults the run keeps
            if start < j == k - 1 and words[j] == "default" and words[j - 1] not in ("the", "a", "at", "to", "its"):
                return False  # argparse's "per_device_train_batch_size default=1" in the settings listed: the value
            return not (j >= 2 and words[j - 1] == "the" and words[j - 2] in ("use", "used", "using", "keep"))
    return False


KEPT_AS_DEFAULT = frozenset({"rest", "else", "other", "others", "remaining", "everything"})


def in_change(words: list[str], k: int) -> bool:
    """'batch from 32 to 8': the numbers belong to the change, not to the current batch."""
    window = words[max(0, k - 3):k + 3]
    if "from" in window and "to" in window:
        return True
    # "from ViT-B bs=256 to bs=1024", "from batch 256 to batch 1024": the cue said again before each number
    return k >= 2 and words[k - 1] in CHANGE_CUES and (
        words[k - 2] == "to" and "from" in words[max(0, k - 8):k - 2]
        or "from" in words[max(0, k - 5):k - 1] and "to" in words[k + 1:k + 3])


def declined_change(clause: Clause, k: int) -> bool:
    """Whether the number at key k is where a negated change would take the batch ("how can I overcome this without
    reducing my batch size to 1?", "I don't want to lower the batch to 4"): no batch the run has."""
    words = clause.words
    if k < 2 or words[k - 1] != "to":
        return False
    j = k - 2
    while j > 0 and words[j] in BATCH_OBJECT and k - j < 8:
        j -= 1
    return words[j] in CHANGE_VERBS and negated(clause, j)


CHANGE_SIGNS = frozenset({"from", "to", "doubled", "double", "doubling", "halved", "halve", "quadrupled", "half",
                          "twice"})


# the words of OpenMMLab's per-GPU batch keys, split ("samples_per_gpu" is samples, per, gpu)
PER_GPU_KEYS = (["samples", "per", "gpu"], ["imgs", "per", "gpu"], ["images", "per", "gpu"])


def _per_gpu_key_in(words: list[str], start: int, end: int) -> bool:
    return any(words[x:x + 3] in PER_GPU_KEYS for x in range(start, max(start, end - 2)))


def _then_sequence(clause: Clause, reading: Reading) -> None:
    """'I had batch size 50 and then 100', 'batch size 32, then 64': a batch said, then the one the user went to."""
    words, tokens, keys = clause.words, clause.tokens, clause.keys
    for k, w in enumerate(words):
        if w != "then" or k < 2 or k + 1 >= len(words) or "batch_to" in reading.values:
            continue
        a = k - 2 if words[k - 1] in ("and", ",") else k - 1
        if a < 1 or not tokens[keys[a]].is_num or not tokens[keys[k + 1]].is_num or words[a - 1] == "to":
            continue  # ("reduced the batch size to 8, then 4": a move's steps, which _moves follows to their end)
        if k + 2 < len(words) and (words[k + 2] in GPU_WORDS or words[k + 2] in MEMORY_UNITS
                                   or words[k + 2] in ("epochs", "steps", "%")):
            continue  # "batch 32 on 4 GPUs, then 8 GPUs": another quantity
        if not BATCH_SPELLINGS.intersection(words[max(0, a - 3):a]):
            continue
        x, y = tokens[keys[a]].value, tokens[keys[k + 1]].value
        if x is None or y is None or x == y:
            continue
        _change(reading, "batch", float(x), float(y), clause.text(keys[max(0, a - 2)], keys[k + 1]))
        return


LR_MOVE_WORDS = frozenset({"to", "use", "try"})
LR_OBJECT = frozenset({"the", "my", "our", "it", "lr", "learning", "rate", "base", "initial", "peak", "max"})


def _lr_moves(clause: Clause, reading: Reading) -> None:
    """A learning rate the user moves to or weighs, from the one they said: 'lr 0.1 … raise the lr to 0.8', 'set the
    learning rate to 3e-4', and in a question after the LR was the last quantity named, 'Goyal et al. scale lr
    linearly: should I use 0.8?'."""
    words, said = clause.words, reading.values["lr"]
    for k, w in enumerate(words):
        if w == "to" and k >= 2:
            j, named = k - 1, False
            while j > 0 and words[j] in LR_OBJECT and k - j < 5:
                named = named or words[j] in ("lr", "learning")
                j -= 1
            if words[j] not in CHANGE_VERBS and words[j] != "set" or negated(clause, j):
                continue
            if not named and not (words[j + 1:k] == ["it"] and reading.topics[-1:] == ["lr"]):
                continue  # ("raise it to 64" after the batch was named: the batch's move)
        elif w in ("use", "try") and reading.in_question:
            # the quantity named last, in this clause before the verb or else before it: the LR
            named = [TOPICS[x] for x in words[:k] if x in TOPICS]
            if (named[-1:] or reading.topics[-1:]) != ["lr"]:
                continue
            j = k
        else:
            continue
        n = k + 1
        if n >= len(words):
            return
        tok = clause.tokens[clause.keys[n]]
        after = words[n + 1:n + 2]
        if not tok.is_num or tok.value is None or not 0 < tok.value < 10 or float(tok.value).is_integer() \
                or tok.value == said.value or after and (after[0] in GPU_WORDS or after[0] in MEMORY_UNITS):
            continue  # (an LR is a fraction: "use 8 GPUs", "go to 2" name other things)
        _change(reading, "lr", float(said.value), float(tok.value), clause.text(clause.keys[j], clause.keys[n]))
        return


def _change(reading: Reading, topic: str, a: float, b: float, text: str) -> None:
    """A change of the quantity `topic` from a to b: the batch, the LR, the sequence length (the new one is the
    run's), or the GPU count (the run asked about has the new count)."""
    if topic == "batch":
        if a.is_integer() and b.is_integer() and min(a, b) >= 1:
            reading.set(Read("batch_from", int(a), text))
            reading.set(Read("batch_to", int(b), text))
    elif topic == "lr" and a > 0 and b > 0:
        # (not "increased from 0 to 0.16 in the first epoch": a warmup's ramp, no LR the run had)
        reading.set(Read("lr_from", a, text))
        reading.set(Read("lr_to", b, text))
    elif topic == "seq":  # "reduce the max sequence length from 512 to 128": 128 now
        fill(reading, "seq_len", b, "", text, "user")
    elif topic == "image" and a.is_integer() and b.is_integer() and 16 <= min(a, b) and max(a, b) <= 20_000:
        # "I changed the image size from 512 to 1024": the run is at 1024, and its memory moved with the pixels
        reading.set(Read("image_size_from", int(a), text))
        fill(reading, "image_size", b, "", text, "user")
    elif topic == "gpus" and a.is_integer() and b.is_integer() and 1 <= min(a, b):
        # "increase the number of GPUs from 1 to 4"
        reading.set(Read("gpus_from", int(a), text))
        reading.set(Read("gpus_to", int(b), text))
        fill(reading, "num_gpus", b, "", text, "user")


ARROWS = ("→", "⟶", "->", "=>", "-->")
# a time's units after an arrow's second number ("->16min/epoch", "-> 2 it/s"); not "m" nor "w", which after a count
# are millions and 万 as often as minutes and weeks
TIME_UNITS = frozenset(DURATION_UNITS.keys() - {"m", "w"}) | {"it", "its"}


def arrow_after(clause: Clause, k: int) -> bool:
    """Whether the number at key k is the first of 'A -> B' (a change, not the run's value)."""
    keys, tokens = clause.keys, clause.tokens
    if k + 1 >= len(keys) or not tokens[keys[k + 1]].is_num or keys[k + 1] - keys[k] > 4:
        return False
    b = keys[k + 1]
    if b + 1 < clause.end and tokens[b + 1].text == "%":
        return False  # "learning rate 2e-4 -> 86.86%": a result, not a change
    if b + 1 < clause.end and tokens[b + 1].text.lower() in TIME_UNITS:
        return False  # "--batch-size 128  ->16min/epoch" (review 77 #19): what the setting gave, a time
    if b + 2 < clause.end and tokens[b + 1].text.lower() in PRODUCT and tokens[b + 2].is_num:
        return False  # "accumulation: 10 => 50 x 4 x 10 = 2,000": what it makes, worked out, not a change
    return "".join(tokens[t].text for t in range(keys[k] + 1, b)) in ARROWS


def _arrows(clause: Clause, reading: Reading) -> None:
    """'batch 32 -> 256', 'lr 1e-4 → 4e-4', 'GPUs: 1 -> 8': a change written with an arrow between two numbers,
    of the quantity named just before."""
    if not reading.arrows:
        return
    tokens, words, keys = clause.tokens, clause.words, clause.keys
    said = clause.source[tokens[clause.start].start:tokens[clause.end - 1].end]
    if ">" not in said and "→" not in said and "⟶" not in said:
        return
    found = 0
    for k in clause.numbers:  # (only a number starts an arrow's change)
        if found == MAX_ARROWS:
            return  # a pasted log of arrows ("1->2->3…") tells nothing more after the first few
        ta = keys[k]
        if k + 1 >= len(keys) or tokens[ta].value is None or tokens[keys[k + 1]].value is None \
                or not arrow_after(clause, k):
            continue
        found += 1
        keyed = config_key(clause, k, reading)
        if keyed is not None and keyed[0] in ("micro_batch", "grad_accum_steps"):
            # `per_device_train_batch_size 16 -> 4`, `gradient_accumulation_steps 1 -> 4`: the run's new setting (with
            # both changed the batch per update may not change at all: 16 × 1 = 4 × 4)
            fill(reading, keyed[0], tokens[keys[k + 1]].value, "", clause.text(ta, keys[k + 1]), "user", keyed=True)
            clause.consumed.update((ta, keys[k + 1]))
            continue
        topic = next((TOPICS.get(x, "") for x in reversed(words[max(0, k - 6):k]) if x in TOPICS or x in OTHER_QUANTITIES), "")
        if not topic and words[k + 2:k + 3] in (["gpus"], ["gpu"], ["cards"]):
            topic = "gpus"  # "1 -> 8 GPUs"
        if topic == "batch" and per_device(words[max(0, k - 8):k]):
            reading.batch_change_per_gpu = True  # "Lowering per_device_train_batch_size (16 -> 2)": each GPU's batch
        _change(reading, topic, tokens[ta].value, tokens[keys[k + 1]].value, clause.text(ta, keys[k + 1]))


MAX_ARROWS = 8  # changes written with arrows read per clause
GPU_KEY_WORDS = frozenset({"gpus", "ngpu", "ngpus"})  # a GPU count's key before each number: "from ngpu=4 to ngpu=2"
CHANGE_CUES = frozenset({"batch", "size", "bs", "lr"}) | GPU_KEY_WORDS
RANGE_NOUNS = frozenset({"sizes", "batches", "values", "settings"})  # plural: a range of values tried  # the cue words a 'from A to B' may repeat before each number


SWITCHING = frozenset({"switching", "switch", "switched", "moving", "going", "changing", "change", "changed"})


def _switched_between(clause: Clause, reading: Reading) -> None:
    """"When switching between 1 and 2 GPUs I have to change the micro_batch from 4 to 2" (review 56 #7): the GPU count
    went from the first to the second, and the run asked about has the second."""
    words, tokens, keys = clause.words, clause.tokens, clause.keys
    for k, w in enumerate(words):
        if w != "between" or k + 4 >= len(words) or SWITCHING.isdisjoint(words[max(0, k - 3):k]):
            continue
        a, b = tokens[keys[k + 1]], tokens[keys[k + 3]]
        if words[k + 2] == "and" and a.is_num and b.is_num and words[k + 4] in GPU_COUNT_WORDS \
                and a.value is not None and b.value is not None and a.value != b.value:
            _change(reading, "gpus", float(a.value), float(b.value), clause.text(keys[k], keys[k + 4]))
            return


def changes(clause: Clause, reading: Reading) -> None:
    """'from A to B' after a batch / learning-rate cue, 'A → B', 'doubled the batch', 'batch 4x'."""
    words = clause.words
    _arrows(clause, reading)
    if "then" in clause.present:
        _then_sequence(clause, reading)
    if "between" in clause.present and "gpus_from" not in reading.values:
        _switched_between(clause, reading)
    if "lr" in reading.values and "lr_to" not in reading.values and not clause.present.isdisjoint(LR_MOVE_WORDS):
        _lr_moves(clause, reading)
    if clause.present.isdisjoint(CHANGE_SIGNS):  # (isdisjoint: a test that builds no set, per clause)
        if not clause.present.isdisjoint(TOPICS):  # the quantities named, for a later "lower it to 8" (the last four)
            topics = reading.topics
            for topic in [TOPICS[w] for w in words if w in TOPICS]:
                if not topics or topics[-1] != topic:
                    topics.append(topic)
            del topics[:-4]
        return
    for k, w in enumerate(words):
        if w != "from" or k + 3 >= len(words):
            continue
        if k >= 1 and words[k - 1] in RANGE_NOUNS:
            continue  # "batch sizes from 2 up to 64 all take 30 s": the values tried, no change made
        cue_inside = ""
        first = k + 1
        while first < min(len(words), k + 4) and words[first] in ("batch", "size", "bs", "lr", "learning", "rate", "a", "the"):
            cue_inside += " " + words[first]
            first += 1
        if first >= len(words):
            continue
        if not clause.tokens[clause.keys[first]].is_num:
            # "going from ViT-B bs=256 to bs=1024": a name before the cue and its number
            cued = next((j for j in range(first + 1, min(len(words), first + 4))
                         if words[j - 1] in CHANGE_CUES and clause.tokens[clause.keys[j]].is_num), None)
            if cued is None:
                continue
            cue_inside, first = " " + " ".join(words[first:cued]), cued  # (the whole key: "num gpus")
        a = clause.tokens[clause.keys[first]]
        times = words[first + 1:first + 2] in (["x"], ["*"])  # ('×' is the key 'x')
        if not a.is_num or words[first + 1:first + 2] == ["px"] or times and words[first + 2:first + 3] != ["to"]:
            continue  # (not "from 512x512 to 1024x1024": image sizes; but "from 4x to 8x A100" counts cards)
        if words[first + 1:first + 2] and words[first + 1] in MEMORY_SIZE_UNITS:
            continue  # "with batch size 32 it went from 17G to 23G": memory used, not a batch
        j = first + 1
        while j < len(words) and j < k + 5 and words[j] != "to":
            j += 1
        if j + 1 >= len(words) or words[j] != "to":
            continue
        to = j + 1
        while to + 1 < len(words) and to < j + 3 and words[to] in cue_inside.split():
            to += 1  # "from batch 256 to batch 1024", "from bs=256 to bs=1024": the cue said again
        b_value = _count_after_to(clause, to)
        if b_value is None or a.value is None:
            continue
        # the nearest quantity named before it ("the batch_size has to be far smaller — downgraded from 4096 to 512"),
        # where a quantity no topic tracks stops the search ("lora rank lowered from 16 to 4", "accuracy dropped …")
        topic = next((TOPICS.get(x, "") for x in reversed(words[max(0, k - 16):first])
                      if x in TOPICS or x in OTHER_QUANTITIES), "")
        text = clause.text(clause.keys[k], clause.keys[to])
        # ("from 4 to 8 GPUs", "to 8 A100 GPUs"; not "from 32 to 128 but GPU memory barely changed", review 87 #10: a
        # GPU word after a conjunction, or the GPUs' memory, counts nothing)
        named_after = next((x for x in range(to + 1, min(to + 3, len(words)))
                            if words[x] in ("gpus", "gpu", "cards")), None)
        gpus_after = named_after is not None and words[named_after + 1:named_after + 2] not in (["memory"], ["vram"]) \
            and (named_after == to + 1 or words[to + 1] not in ("but", "and", "or", "so", "while", "the", "my", ","))
        gpus = (gpus_after or any(g in words[first + 1:j] for g in ("gpus", "gpu", "cards"))
                or not GPU_KEY_WORDS.isdisjoint(cue_inside.split())  # "from ngpu=4 to ngpu=2"
                or _gpu_count_named(words, max(0, k - 6), first)
                or times and words[to + 1:to + 2] == ["x"])  # "4x to 8x A100" (a size, "from 40gb to 80gb", left above)
        counted = words[first + 1:first + 2] in (["gpus"], ["cards"], ["gpu"], ["card"]) or times  # "from 8 cards to …"
        topic = "gpus" if gpus and (counted or topic not in ("batch", "lr", "seq")) else topic
        if topic == "batch" and per_device(words[max(0, k - 8):k]):
            reading.batch_change_per_gpu = True  # "the batch_size of one GPU from 4 to 8": each GPU's batch
        _change(reading, topic, a.value, b_value, text)
    if not reading.in_past_clause:  # "I could go up to 32" on another setup is no change of the user's
        _moves(clause, reading)
    # "do I halve BASE_LR, or halve IMS_PER_BATCH?": alternatives weighed, neither a change made
    weighed = "or" in clause.present and clause.end < len(clause.tokens) and clause.tokens[clause.end].text == "?"
    for k, w in enumerate(words):
        if w in ("doubled", "double", "doubling", "halved", "halve", "quadrupled") and not negated(clause, k) \
                and not (weighed and w in ("double", "halve")):
            window = words[k:k + 4]
            before = words[max(0, k - 5):k]
            # "the total batch size will be doubled": the batch before the participle, no other setting between
            named_before = w in ("doubled", "halved", "quadrupled") and any(
                b in ("batch", "bs") and OTHER_TOPICS.isdisjoint(before[i + 1:]) for i, b in enumerate(before))
            if "batch" in window or "bs" in window or named_before:
                factor = 0.5 if w.startswith("halv") else 4.0 if w == "quadrupled" else 2.0
                if named_before and "batch" not in window and "bs" not in window:
                    start = max(i for i in range(max(0, k - 5), k) if words[i] in ("batch", "bs"))
                    text = clause.text(clause.keys[start], clause.keys[k])  # "batch size will be doubled"
                else:
                    text = clause.text(clause.keys[k], clause.keys[min(k + 3, len(words) - 1)])
                reading.set(Read("batch_scale_factor", factor, text))
    _half_of_the_original(clause, reading)


ORIGINALS = frozenset({"original", "default", "paper", "paper's", "recipe", "official", "author's", "authors"})
BATCH_NOUNS = frozenset({"batch", "bs", "batchsize"})


def _half_of_the_original(clause: Clause, reading: Reading) -> None:
    """'I changed the batch size to 70 (half of the original)', 'cut the batch size by half', '改成了70（原来的一半）':
    the batch named a few words before, no other setting between, halved (or doubled: 'twice the default')."""
    words = clause.words
    for k, w in enumerate(words):
        if w not in ("half", "twice"):
            continue
        after = [x for x in words[k + 1:k + 4] if x not in ("of", "the", "that")]
        by_half = w == "half" and k > 0 and words[k - 1] == "by"
        if not (by_half or after[:1] and after[0] in ORIGINALS) or negated(clause, k):
            continue
        before = words[max(0, k - 8):k]
        if any(b in BATCH_NOUNS and OTHER_TOPICS.isdisjoint(before[i + 1:]) for i, b in enumerate(before)):
            start = max(i for i in range(max(0, k - 8), k) if words[i] in BATCH_NOUNS)
            reading.set(Read("batch_scale_factor", 0.5 if w == "half" else 2.0,
                             clause.text(clause.keys[start], clause.keys[min(k + 3, len(words) - 1)])))
            return


OTHER_TOPICS = frozenset({"lr", "learning", "rate", "epochs", "steps", "gpus", "gpu", "nodes", "warmup", "and"})


PER_DEVICE = (("per", "gpu"), ("per", "device"), ("each", "gpu"), ("of", "one", "gpu"), ("per", "card"), ("micro",))


def per_device(before: list[str]) -> bool:
    """Whether the words before a batch change say it is each GPU's ("per-GPU batch", "the batch_size of one GPU",
    `per_device_train_batch_size`, "micro batch")."""
    return any(tuple(before[i:i + len(p)]) == p for p in PER_DEVICE for i in range(len(before) - len(p) + 1))


def _count_after_to(clause: Clause, k: int) -> float | None:
    """The number a change goes to, at key k: '… to 4', or a count in words before a card ('… to a single card',
    '… to one GPU')."""
    tok = clause.tokens[clause.keys[k]]
    if tok.is_num:
        return tok.value
    words = clause.words
    if words[k] in ("a", "an") and k + 1 < len(words):
        k += 1
    if words[k] in WORD_NUMBERS and k + 1 < len(words) and words[k + 1] in ("gpu", "gpus", "card", "cards"):
        return float(WORD_NUMBERS[words[k]])
    return None


# verbs that change a value: "reduced it to 8", "lower the batch size to 16", "going to 1024", "changed bs to 64"
CHANGE_VERBS = {"reduce", "reduced", "reducing", "decrease", "decreased", "decreasing", "lower", "lowered",
                "lowering", "increase", "increased", "increasing", "change", "changed", "changing", "raise", "raised",
                "raising", "bump", "bumped", "drop", "dropped", "dropping", "cut", "go", "going", "went", "switch",
                "switched", "switching", "move", "moved", "moving", "jump", "jumped", "scale", "scaled", "scaling",
                "halve", "halved", "halving", "double", "doubled", "doubling", "shrink", "shrank", "shrunk",
                "shrinking"}


# words that may stand between such a verb and its "to", or between "to" and the number, when a batch is changed
BATCH_OBJECT = BATCH_SPELLINGS | {"it", "the", "my", "our", "size", "loader", "train", "micro", "per", "device", "gpu",
                                  "up", "down", "global", "total", "effective", "a", "of", "only", "just", "back"}


BATCH_WORDS = BATCH_SPELLINGS | {"batches"}


MEMORY_SIZE_UNITS = frozenset(MEMORY_UNITS) - {"m"}  # a memory size's units (not "m": "from 7M to 13M params")


# verbs that change the quantity last named without naming it ("lower it to 8", "going to 1024"); "switch to"
# names a mode more often than a number
UNNAMED_CHANGE_VERBS = CHANGE_VERBS - {"switch", "switched", "switching", "move", "moved", "moving"}


TOPICS = {**dict.fromkeys(BATCH_SPELLINGS, "batch"), "lr": "lr", "learning": "lr", "seq": "seq", "length": "seq",
          "len": "seq", "context": "seq", "resolution": "image", "image": "image", "img": "image", "imgsz": "image",
          "epochs": "epochs", "gpus": "gpus"}


# quantities whose changes are not the reader's ("the loss went from 2.1 to 1.8"): a 'from A to B' after one of
# them changes none of the batch, the LR, the sequence or the GPUs
OTHER_QUANTITIES = frozenset({"rank", "accuracy", "acc", "loss", "map", "bleu", "f1", "score", "perplexity", "ppl",
                              "alpha", "dropout", "temperature", "workers", "steps", "iterations", "time", "speed",
                              "usage", "utilization", "memory", "vram"})


def _gpu_count_named(words: list[str], lo: int, hi: int) -> bool:
    """'our GPU count', 'the number of GPUs' among the keys lo..hi: what a 'from A to B' that follows changes."""
    return any(words[x] in ("gpu", "gpus") and (words[x + 1:x + 2] in (["count"], ["counts"])
                                                  or words[max(0, x - 2):x] == ["number", "of"])
               for x in range(lo, hi))


SETTING_PREPOSITIONS = frozenset({"on", "for", "when"})


def _setting_phrase(words: list[str], k: int) -> int:
    """Where a short phrase saying what the change is for starts, right before the 'to' at key k, when a batch word
    comes just before it: "increasing the batch size on training cifar10 to 1500" (review 78 #17) gives the key of
    "on"; k when there is none (at most four words, no 'to' nor another quantity among them)."""
    for p in range(k - 1, max(0, k - 5), -1):
        if words[p] == "to" or words[p] in OTHER_QUANTITIES:
            return k
        if words[p] in SETTING_PREPOSITIONS:
            return p if p >= 1 and words[p - 1] in BATCH_WORDS | {"size"} else k
    return k


def _moves(clause: Clause, reading: Reading) -> None:
    """A batch the user changes to: 'reduced to batch size 8', 'I lower it to 8', 'reduced it to 8 from 12',
    'going to 1024', 'after I change the batchsize to 64'. The batch it changes from is the one said with
    'from', else the last batch the user gave before, else a default the message named ('the default batch size
    of 32 … increasing it to 128'); none when the message gave none."""
    words = clause.words
    topics = reading.topics
    for k, w in enumerate(words):
        if w in TOPICS:
            _note_topic(topics, w)  # (the quantity named last, as this clause goes: "lower it to 8")
        if w != "to" or k == 0 or "batch_to" in reading.values:
            continue
        # the verb, over the object: "reduced [it] to", "lower [the batch size] to"
        j, named = k - 1, False
        setting = _setting_phrase(words, k)  # ("… the batch size on training cifar10 to 1500": what it is set for)
        while j > 0 and (words[j] in BATCH_OBJECT or j >= setting) and k - j < 6 + (k - setting):
            named = named or words[j] in BATCH_WORDS
            j -= 1
        if words[j] not in CHANGE_VERBS:
            # "I changed data = dict(samples_per_gpu=6, workers_per_gpu=3) to samples_per_gpu=16": a config said
            # as the object, the batch's key in it
            verb = next((x for x in range(k - 1, max(0, k - 16), -1) if words[x] in CHANGE_VERBS), None)
            if verb is not None and (not BATCH_WORDS.isdisjoint(words[verb + 1:k]) or _per_gpu_key_in(words, verb + 1, k)) \
                    and any(clause.tokens[t].text == "=" for t in range(clause.keys[verb], clause.keys[k])):
                j, named = verb, True
        if words[j] not in CHANGE_VERBS or negated(clause, j):
            continue
        subject = _passive_batch(words, j) if not named else None
        named = named or subject is not None
        micro = any(words[x] in ("micro", "per") for x in range(j + 1, k))
        # the number, over a batch cue: "to batch size 8", "to loader.batch_size=16"
        n = k + 1
        while n < len(words) and n - k < 5 and (words[n] in BATCH_OBJECT or words[n:n + 3] in PER_GPU_KEYS):
            if words[n:n + 3] in PER_GPU_KEYS:  # mmdetection's `samples_per_gpu=16`, `imgs_per_gpu`
                named = micro = True
                n += 3
                continue
            named = named or words[n] in BATCH_WORDS
            micro = micro or words[n] in ("micro", "per")
            n += 1
        if n >= len(words):
            continue
        tok = clause.tokens[clause.keys[n]]
        if not tok.is_num or tok.value is None or not float(tok.value).is_integer() or tok.value < 1:
            continue
        after = words[n + 1] if n + 1 < len(words) else ""
        if after in GPU_WORDS | NODE_WORDS | MEMORY_UNITS.keys() | COUNT_UNITS.keys() | {"tokens", "epochs", "%"}:
            continue
        t = clause.keys[n] + 1
        if t < clause.end and clause.tokens[t].text == "%":
            continue  # "the CPU usage may go to 100%": a share, not a batch
        if t + 1 < clause.end and clause.tokens[t].text == "/" and clause.tokens[t + 1].is_num \
                and not clause.tokens[t].space_before:
            continue  # "changed batch_size to 1/8 of the original": a fraction of it, not a batch of 1
        if not named and (words[j] not in UNNAMED_CHANGE_VERBS or last_topic(topics, tok.value) != "batch"):
            continue  # "lower it to 8" only when the last quantity named that can be 8 was a batch
        to = int(tok.value)
        text = clause.text(clause.keys[j], clause.keys[n])
        chained = _then_to(clause, n)
        steps = {to}  # (the steps of a chain are none of them where it started)
        if chained is not None:
            # "reduced the batch size to 8 and then to 4": where the change ended
            to, text = chained[0], clause.text(clause.keys[j], clause.keys[chained[1]])
            steps.add(to)
        source = None
        if n + 2 < len(words) and words[n + 1] == "from" and clause.tokens[clause.keys[n + 2]].is_num:
            a = clause.tokens[clause.keys[n + 2]]
            if a.value is not None and float(a.value).is_integer():
                source = Read("batch_from", int(a.value), clause.text(clause.keys[j], clause.keys[n + 2]))
                text = source.text
        if source is None:
            # a batch said later in this clause is no earlier batch ("increased the batch to 2048 (keeping 64 per GPU)")
            later = clause.source[clause.tokens[clause.keys[n]].end:clause.tokens[clause.end - 1].end]
            before = [m for m in reading.batch_mentions if m.value not in steps
                      and not (m.sentence == reading.sentence and m.text in later)]
            earlier = [m for m in before if not m.past and m.setup == "user"]
            default = next((reading.reference[f] for f in BATCH_FIELDS
                            if f in reading.reference and reading.reference[f].qualified), None)
            # a run the user did before ("trained with batch 24 successfully … had to reduce it to 8"): what was
            # lowered (a reference's batch stays the reference: "you could run 2 images, so I reduced it to 1")
            done = [m for m in before if m.past and m.setup == "user"]
            if earlier:
                source = replace(earlier[-1], field="batch_from")
            elif default is not None and default.value != to:
                source = replace(default, field="batch_from", setup="user")
            elif len({m.value for m in done}) == 1:
                source = replace(done[-1], field="batch_from", setup="user")
        if source is None and micro:  # "I reduced micro_batch_size to 1": the per-device batch now, no known change
            reading.set(Read("micro_batch", to, text))
            continue
        if source is None and subject is not None:
            # "even when the batch size is reduced to 32": the batch now, as "reduced the batch size to 32" says it
            reading.set(Read("batch", to, clause.text(clause.keys[subject], clause.keys[n])))
        if source is not None:
            reading.set(source)
            reading.batch_change_asked = _change_asked(clause, j)
            if per_device(words[j + 1:n]) and source.field == "batch_from":
                # "increase per_device_train_batch_size to 32" from 16: each GPU's batch changed
                reading.batch_change_per_gpu = True
        reading.set(Read("batch_to", to, text))


# what stands between a batch and its passive verb: "the batch size is reduced to 32", "bs was then lowered to 8"
PASSIVE_AUXILIARIES = frozenset({"is", "was", "were", "are", "been", "be", "being", "gets", "got", "get"})
PASSIVE_FILLERS = PASSIVE_AUXILIARIES | {"has", "have", "had", "then", "further", "even", "already", "also"}


def _passive_batch(words: list[str], j: int) -> int | None:
    """The key of the batch that is the subject of the change verb at key j in the passive voice ('the batch size
    is reduced to 32'), none when the words before the verb are no such subject."""
    i = j - 1
    while i > 0 and words[i] in PASSIVE_FILLERS and j - i <= 3:
        i -= 1
    # (a note's terse past, no auxiliary: "batch size changed to 70", "bs reduced to 8")
    terse = i == j - 1 and words[j].endswith("ed")
    if not terse and (i == j - 1 or PASSIVE_AUXILIARIES.isdisjoint(words[i + 1:j])):
        return None
    if words[i] == "size" and i > 0 and words[i - 1] in BATCH_SPELLINGS:
        return i - 1
    return i if words[i] in BATCH_SPELLINGS else None


THEN_WORDS = frozenset({"then", "finally", "later", "eventually"})
CHAIN_WORDS = THEN_WORDS | {"and", "to"}  # what joins one step of a change to the next ("and then to 4")


def _then_to(clause: Clause, n: int) -> tuple[int, int] | None:
    """The last of a chain of 'to's after the number at key n ("to 8 and then to 4", "to 8, then 4"): (value, key),
    none when the change stops at n. Bounded: a chain is a few steps long."""
    words, last = clause.words, None
    for _ in range(4):
        m = n + 1
        while m < len(words) and m - n <= 3 and words[m] in CHAIN_WORDS:
            m += 1
        if m == n + 1 or m >= len(words) or not THEN_WORDS.intersection(words[n + 1:m]):
            break
        tok = clause.tokens[clause.keys[m]]
        if not tok.is_num or tok.value is None or not float(tok.value).is_integer() or tok.value < 1:
            break
        n, last = m, (int(tok.value), m)
    return last


ASKING_MODALS = frozenset({"should", "shall", "must", "do", "does", "would", "can", "could"})
ASKING_SUBJECTS = frozenset({"i", "we"})


def _change_asked(clause: Clause, verb: int) -> bool:
    """Whether the change whose verb is at key `verb` is asked about, not made: "Should I lower the batch to 2?",
    "do we need to reduce batch size to 1?" (a question, with the asker and a modal before the verb); "I reduced it to
    8, why is it slow?" made it."""
    end = clause.end
    if end >= len(clause.tokens) or clause.tokens[end].text != "?":
        return False
    before = clause.words[max(0, verb - 5):verb]
    return not ASKING_SUBJECTS.isdisjoint(before) and not ASKING_MODALS.isdisjoint(before)


def _note_topic(topics: list[str], word: str) -> None:
    """Remember the quantity a word names (the last four, in order)."""
    topic = TOPICS.get(word)
    if topic is not None and (not topics or topics[-1] != topic):
        topics.append(topic)
        del topics[:-4]


def last_topic(topics: list[str], value: float) -> str:
    """The quantity last named that can take this value: in 'batch 256 at lr 0.1, going to 1024', not the LR."""
    for topic in reversed(topics):
        if topic == "lr" and value >= 10 or topic == "epochs" and value > 10_000:
            continue
        return topic
    return ""


def resolve_product_batches(reading: Reading) -> None:
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


def resolve_third_party(reading: Reading) -> None:
    """A batch said of what a script, a config or a model does ("BEVFormer trains with batchsize=1 per GPU", "the
    config batch size 64"), in a clause with no first-person word, is the reference's when the user states a
    different batch of their own ("I trained it … with batchsize=2 per GPU")."""
    values = reading.values
    own = [m for m in reading.batch_mentions if m.setup == "user" and m.personal and not m.past]
    for m in reading.batch_mentions:
        if m.setup != "user" or not m.third_party or m.personal:
            continue
        other = next((p for p in own if p.value != m.value), None)
        if other is None:
            continue
        m.setup = "reference"
        reading.reference.setdefault("batch", replace(m, field="batch"))
        if values.get(m.field) is m:
            if other.field == m.field:
                values[m.field] = other
            else:
                values.pop(m.field)


def resolve_planned_change(reading: Reading) -> None:
    """Two batches of the user's in a row are a change from the first to the second when the second is planned
    ('SGD lr 0.1 at batch 256; I want to use batch 1024 on 4 GPUs', 'I use batch_size=4; so is batch_size=8
    right?') or when the first failed and a smaller second works ('at batch 256 we get an OOM, at 128 it just
    fits'), unless the message said 'from … to …' itself."""
    values = reading.values
    if "batch_from" in values or "batch_to" in values:
        return
    mentions = []
    for m in reading.batch_mentions:
        if m.setup == "user" and not m.past and not (mentions and (mentions[-1].field, mentions[-1].value)
                                                     == (m.field, m.value)):
            mentions.append(m)  # (a batch said again - "e.g. now per_device 16" - is the first saying of it)
    for i, (old, new) in enumerate(zip(mentions, mentions[1:])):
        earlier = [m for m in mentions[:i] if m.field == new.field == "micro_batch" != old.field]
        if earlier and earlier[-1].value != new.value:
            # "per_device_train_batch_size=1 gives: … global train batch size (4 x 1) … so I set
            # per_device_train_batch_size=8": the per-device key changed, the total between is its product
            old = earlier[-1]
        if any(layout.per_gpu == old.value and layout.gpus * layout.per_gpu == new.value for layout in reading.layouts):
            continue  # "8x GPU (2 samples per gpu, so effective BS of 16)": the layout's product, no change
        accum, gpus = reading.get("grad_accum_steps") or 1, reading.get("num_gpus") or 1
        gpus_read = reading.values.get("num_gpus")
        if new.field == "micro_batch" != old.field and gpus > 1 and new.value * gpus * accum == old.value \
                and gpus_read is not None and gpus_read.sentence == old.sentence:
            # "a minibatch of 128 on two GPUs … does this mean the batch per GPU is 64?": the total's share, the GPUs
            # said with it (not "1 GPU at batch 32; now 2 GPUs, batch 16 per GPU": the same total on a new layout)
            continue
        if gpus > 1 and new.value == old.value * gpus \
                and re.search(rf"(?<![\d.]){old.value}\s*[*x×]\s*{gpus}(?![\d.])", new.text):
            continue  # "a big batch of 32 * 8 = 256 examples" on 8 V100s (review 85 #6): the per-GPU batch's product
        accum_read = reading.values.get("grad_accum_steps")
        if (accum > 1 or gpus > 1) and new.field != "micro_batch" and new.value == old.value * accum * gpus \
                and (not GLOBAL_PARTS.isdisjoint(new.text.lower().split())
                     or accum > 1 and accum_read is not None and accum_read.sentence == new.sentence):
            # "batch_size: 4 and gradient_accumulation: 2, so the effective batch would be 160 (20 GPUs)"; "when I
            # increase gradient accumulation steps to 4 (equivalent to batch size of 128)": the product, worked out
            continue
        same_kind = old.field == new.field or "batch" in (old.field, new.field)  # not "total 4096, so 512 per GPU?"
        if old.value != new.value and same_kind and \
                ((new.planned and not old.planned) or (old.mood == "fail" and new.mood == "ok" and new.value < old.value)):
            # (a larger batch that works beside a smaller one that failed is another setup's: "multi-GPU OOMs even
            # at samples_per_gpu=1, but single-GPU training is fine at 3")
            if not new.planned and any(later.value == old.value for later in mentions[mentions.index(new) + 1:]):
                # "train_batch_size=2 -> OOM … batch 1 works. Is FLUX really taking more than 80GB at batch 2?": the
                # failing batch asked about again is the run; the one that works is the largest that fits
                values.setdefault("max_micro_batch", replace(new, field="max_micro_batch"))
                return
            accumulation = [(was, planned) for was, planned in reading.conflicts
                            if was.field == "grad_accum_steps" and planned.planned and planned.sentence == new.sentence]
            if old.field == new.field == "micro_batch" and accumulation and \
                    old.value * accumulation[0][0].value == new.value * accumulation[0][1].value:
                # "micro 2, GA 8 today; on H100 plan micro 4, GA 4": the same batch per update, split otherwise
                values["micro_batch"], values["grad_accum_steps"] = new, accumulation[0][1]
                return
            values["batch_from"] = replace(old, field="batch_from")
            values["batch_to"] = replace(new, field="batch_to")
            reading.batch_to_said_as = new.field
            if old.field == new.field == "micro_batch":
                # "per_device_train_batch_size 16 … increased to 32": each GPU's batch changed, so the batch per
                # update changed by as much on every GPU
                reading.batch_change_per_gpu = True
            for was, planned in reading.conflicts:  # "… accumulation 1; so is batch 8 with accumulation 2 right?"
                # (not "so if 4 GPUs and per-device 4, lr ~6.25e-6, right?": the LR they propose is what is asked)
                if planned.planned and planned.sentence == new.sentence and values.get(was.field) is was \
                        and was.field != "lr":
                    values[was.field] = planned
            return
        if old.value < new.value and same_kind and new.mood == "fail" and old.mood != "fail" \
                and not new.planned and not old.planned and old.field == new.field and not old.keyed:
            # "When I training with batch-size=4, my GPU memory utilization rate is about 20%. But when I training with
            # batch-size=8, an error occurred … out of GPU memory" (review 80 #20): the smaller runs, the larger fails -
            # the failing one is the run asked about, the other the largest that is known to fit (but `--batch_size 1`
            # set, then "batch size 2 OOMs": the run is the one its command sets)
            values.setdefault("max_micro_batch", replace(old, field="max_micro_batch"))
            values[new.field] = new
            return
