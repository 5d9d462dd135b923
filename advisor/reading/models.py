"""The model trained: catalogue names ('Llama-3-8B-Instruct'), names with a size ('Baichuan2-13B-Chat', 'Gemma 3
12B'), names of a known family ('visual-bert', 'ResNet152'); a launch's model key outranks prose, names given to
other keys or inside file names rank below, and a family alone is completed by a size said alone or dropped."""

from __future__ import annotations

import re
from dataclasses import replace

from advisor.domain import catalogue
from advisor.reading import chinese, names
from advisor.reading.clause import DOCUMENTS, FILE_TYPES, MAX_NAMES, Clause, catalogue_names, in_flag, segment_mood, setup_of
from advisor.reading.cues import DATA_NOUNS, SWITCHED
from advisor.reading.hardware import CARD_PREFIXES, GPU_NOISE
from advisor.reading.names import CHECKPOINT_SUFFIXES, NOT_THE_MODEL
from advisor.reading.state import Read, Reading


def catalogue_models(clause: Clause, reading: Reading) -> None:
    """Models named from the catalogue ('Llama-3-8B-Instruct', 'meta-llama/Llama-2-7b-hf'), or named after one
    ('bert-base-multilingual'); a launch's model key outranks names in prose."""
    words = clause.words
    for s, e, target in catalogue_names(catalogue.model_index(), clause, reading):
        first, last = clause.keys[s], clause.keys[e - 1]
        if e < len(words) and words[e] in NOT_THE_MODEL and words[e] not in ("paper", "papers", "authors"):
            continue  # "a galactica 30b model (gpt-2 like)": a comparison, not the model trained
        if _compared_at(words, s):
            continue  # "train at 1024, as is done with sdxl", "faster than llama-7b": another model, for comparison
        if _replaced_at(words, s) or _sed_pattern(clause, first, last):
            # "the same command (except bert-base-cased, we are using bert-large-…)": the command's model is not
            # the one run, wherever else the command names it
            reading.replaced_models.add(target)
            continue
        if _data_key(clause, first):
            continue  # "output_dir: data/Qwen2.5-1.5B-Open-R1-GRPO", "--data_path alpaca_llama2.json": not the model
        if _git_ref(clause, first):
            continue  # "github.com/kohya-ss/sd-scripts/tree/sd3" (review 83 #20): a branch's name, no model trained
        if _comment_beside_a_model_key(clause, first):
            continue  # `model_path: ./qwen  # was llama-2-7b before`: the comment's alternative, not the model loaded
        if _backbone_at(words, s, e):
            continue  # "Grounding DINO (Swin-T backbone)", "'backbone': 'resnet50'": a part of the model trained
        if _other_patch(clause, e, target):
            continue  # "ViT-Base/14" is no ViT-B/16: a patch glued after the name is another model than its alias's
        if _inside_multimodal_name(clause, first) or _joined_to_another(clause, first):
            # "llava-v1.6-vicuna-7b": LLaVA built on Vicuna, a model of its own (its vision tower beside);
            # "wav2vec2-2-bert-large" (review 90 #25): an encoder joined to a decoder, both of them
            continue
        setup = setup_of(clause, s)
        if e < len(words) and words[e] in ("paper", "papers", "authors", "recipe", "readme", "repo"):
            setup = "reference"  # "the GPT-2 paper uses 512"
        if last > first and clause.tokens[last].text in SIZE_UNITS and _listed_size(clause, last - 1):
            continue  # "BLOOM 560M / 1.1B": several models, none of them
        end, extra = _continuation(clause, last)
        if extra and VARIANT_RANGE.fullmatch(clause.source[clause.tokens[last].end:clause.tokens[end].end]):
            continue  # "EfficientNets b0-l2", "YOLOv8n-x" (review 85 #25): a range of a family's variants, none of them
        if extra and clause.source[clause.tokens[last].end:clause.tokens[end].end].strip("-_").lower() in REPO_FOLDERS:
            continue  # "ChatGLM3-main/chatglm3-6b" (review 88 #21): a repository's downloaded folder, not the model
        in_file = _file_name_at(clause, end)  # "yi-6b-sft-qlora.json": the file is named after the model
        # ("yolo11s-cls.pt": another task's head on the same backbone, another model even in a file's name)
        head = any(clause.tokens[t].text.lower() in TASK_HEADS for t in range(last + 1, end + 1))
        if extra and (not in_file or head):  # "bert-base-multilingual": a model the catalogue lacks, named after one
            target, last = names.ident(clause.text(first, end)), end
        clause.claimed.update(range(first, last + 1))
        said = Read("model", target, clause.text(first, last), setup, keyed=_model_key(clause, first),
                    weak=in_file or _other_key(clause, first), mood=segment_mood(clause, first))
        reading.set(said)
        _note_switch(clause, reading, s, said)


def _other_patch(clause: Clause, e: int, target: str) -> bool:
    """Whether a vision transformer's name read up to key e goes on with another patch size glued to it
    ("ViT-Base/14", "vit-b-8") than the catalogue model it was matched to."""
    patch = catalogue.catalogue_entry(target).get("dims", {}).get("patch")
    words = clause.words
    if not patch or e >= len(words):
        return False
    k = e + 1 if words[e] == "/" else e
    if k >= len(words) or not words[k].isdigit() or clause.tokens[clause.keys[k]].space_before:
        return False
    return int(words[k]) != int(patch) and int(words[k]) in (8, 14, 16, 32)


# the families that build a vision-language model on a language model and name it after both
MULTIMODAL_PREFIXES = frozenset({"llava", "minigpt", "instructblip", "mplug", "sharegpt4v", "shikra", "bunny",
                                 "videollava", "internvl"})


def _inside_multimodal_name(clause: Clause, first: int) -> bool:
    """Whether the name at token `first` ends a longer name glued to it that starts with a vision-language family
    ("llava-v1.6-vicuna-7b", "minigpt4-vicuna-13b"): the model trained is that one, not its language model."""
    tokens, t = clause.tokens, first
    while t > clause.start and not tokens[t].space_before and tokens[t - 1].text not in ("/", "`", "'", '"', "(", "="):
        t -= 1
        if tokens[t].text in MULTIMODAL_PREFIXES:
            return True
    return False


def _joined_to_another(clause: Clause, first: int) -> bool:
    """Whether the name at token `first` follows "-2-" glued after another name ("wav2vec2-2-bert-large",
    "roberta-2-gpt2"): an encoder-decoder made of two models, whose size is neither's alone."""
    tokens = clause.tokens
    return first - 4 >= clause.start and [t.text for t in tokens[first - 3:first]] == ["-", "2", "-"] \
        and not any(t.space_before for t in tokens[first - 3:first + 1]) and tokens[first - 4].kind in ("word", "num")


# words right before a model's name that make it one compared with, not the one trained
COMPARED = frozenset({"than", "unlike", "versus", "vs"})  # "converges faster than RT-DETR"
COMPARING_PAIRS = frozenset({("done", "with"), ("as", "with"), ("compared", "to"), ("compared", "with"),
                             ("similar", "to"), ("same", "as")})


def _note_switch(clause: Clause, reading: Reading, k: int, said: Read) -> None:
    """A model or a size named after a switch to it ("… so I switched to the much smaller 1.3B model"): the one the
    run uses now, over the one named before it."""
    words = clause.words
    # ("use the 1.3B sample script … change the model size into 7b": the size the run trains now)
    if not {"to", "into"}.isdisjoint(words[max(0, k - 5):k]) \
            and not (SWITCHED | {"change"}).isdisjoint(words[max(0, k - 10):k]):
        reading.switched_to[said.field] = said
    elif "now" in words[max(0, k - 6):k] and not EARLIER.isdisjoint(words[:max(0, k - 1)]):
        # "I previously used bert-base-chinese with batch 32, now roberta large at 4 OOMs" (review 85 #28): the model
        # of the run now, over the earlier run's
        reading.switched_to[said.field] = said


# "-l2", "–b7", "-x" after a family's variant: the range's other end (not "-v2", a version)
VARIANT_RANGE = re.compile(r"\s?[-–~]\s?[a-uw-z]\d{0,2}", re.IGNORECASE)
EARLIER = frozenset({"previously", "before", "earlier", "formerly"})


def _compared_at(words: list[str], k: int) -> bool:
    """Whether the name starting at key k follows words that compare it with the model trained ("faster than X",
    "other models like X do not have this" - review 85 #29)."""
    before = words[max(0, k - 3):k]
    return k > 0 and (words[k - 1] in COMPARED or tuple(words[max(0, k - 2):k]) in COMPARING_PAIRS
                      or "other" in before[:-1] and not {"model", "models"}.isdisjoint(before))


REPLACED = frozenset({("except",), ("instead", "of"), ("rather", "than"), ("replacing",), ("replaced",)})
BACKBONE = frozenset({"backbone", "backbones"})


def _backbone_at(words: list[str], s: int, e: int) -> bool:
    """Whether the name at keys s..e-1 is said to be a backbone - a part of the model trained, whose own size is not
    the model's: "a ResNet-50 backbone", "(Swin-T backbone)", "ResNet50 as the backbone", "backbone: swin-t",
    "'backbone': 'resnet50'", "the backbone is resnet50"."""
    while e < len(words) and words[e] in QUOTES:
        e += 1
    while s >= 1 and words[s - 1] in QUOTES:
        s -= 1  # ("backbone='resnet50'": the quotes are keys of their own)
    after = words[e:e + 3]
    if after[:1] and after[0] in BACKBONE or after[:1] == ["as"] and not BACKBONE.isdisjoint(after[1:]):
        return True
    return s >= 1 and words[s - 1] in BACKBONE or s >= 2 and words[s - 2] in BACKBONE and words[s - 1] in ("is", "was")


QUOTES = frozenset({"'", '"', "`"})


def _sed_pattern(clause: Clause, first: int, last: int) -> bool:
    """Whether the name at tokens first..last is what a sed substitution replaces: `s/bert-base-uncased/bert-large-
    uncased/` (review 85 #3) runs the second model, not the first."""
    tokens = clause.tokens
    return first - 2 >= clause.start and tokens[first - 1].text == "/" and tokens[first - 2].text == "s" \
        and not tokens[first - 1].space_before and not tokens[first].space_before \
        and last + 1 < clause.end and tokens[last + 1].text == "/"


def _replaced_at(words: list[str], k: int) -> bool:
    """Whether the name starting at key k is one the user says they replaced ("except X", "instead of X")."""
    return k > 0 and any(tuple(words[max(0, k - n):k]) in REPLACED for n in (1, 2))


# keys a launch names its model with (`--model_name_or_path chatglm2-6b`, `model_name="unsloth/gemma-3-1b-it"`)
MODEL_KEYS = {"model_name_or_path", "model_name", "pretrained_model_name_or_path", "base_model", "model_id",
              "model_path", "model", "from_pretrained"}


JOINTS = ("-", "_", ".")


def _model_key(clause: Clause, first: int) -> bool:
    """Whether the model name at token `first` is the value of a launch's model key: it outranks names in prose."""
    key = _key_before(clause, first)
    return key is not None and key in MODEL_KEYS


MAX_LINE_LOOKBACK = 64  # tokens looked back for the start of a line


def _comment_beside_a_model_key(clause: Clause, first: int) -> bool:
    """Whether the name at token `first` is in a comment after a model key's own value on its line
    (`pretrained_model_name_or_path: "./models/colqwen2_base" # "./models/paligemma-3b-mix-448"`, review 67 #5): an
    alternative left beside the value, not the model the config loads."""
    if "#" not in clause.source:
        return False  # (most messages have no comment: no scan back)
    tokens, t, hash_at = clause.tokens, first - 1, None
    while t >= 0 and first - t <= MAX_LINE_LOOKBACK and tokens[t].kind != "nl":
        if tokens[t].text == "#":
            hash_at = t
        elif hash_at is not None and tokens[t].kind == "word" and tokens[t].text.lower() in MODEL_KEYS \
                and t + 1 < hash_at and tokens[t + 1].text in (":", "="):
            return True
        t -= 1
    return False


def _other_key(clause: Clause, first: int) -> bool:
    """Whether a name is the value of another key (`--template qwen2_vl`, `--vision_tower openai/clip-vit-…`)."""
    key = _key_before(clause, first)
    return key is not None and key not in MODEL_KEYS


def _loaded_by_from_pretrained(tokens: list, first: int) -> bool:
    """Whether the name starting at token `first` is the first argument of a `from_pretrained(` call, its org and
    quote and a line break (the clause may end at it) between (review 74 #22)."""
    t = first - 1
    if t >= 1 and tokens[t].text == "/" and tokens[t - 1].kind == "word":
        t -= 2  # the org: "Qwen/"
    while t >= 0 and first - t <= 8 and tokens[t].text in ('"', "'", "\n", "`"):
        t -= 1
    return t >= 1 and tokens[t].text == "(" and tokens[t - 1].text == "from_pretrained"


def _key_before(clause: Clause, first: int) -> str | None:
    """The config key or flag whose value starts at token `first`, if any ('openai/' and '.../' skipped)."""
    t = first - 1
    if t - 1 >= clause.start and clause.tokens[t].text == "/" and clause.tokens[t - 1].kind == "word" \
            and not clause.tokens[t].space_before:
        t -= 2  # an org: "openai/clip-vit-…"
    # a path's folders ("../../../llama/llama-2-7b-hf", "/data1/Mixtral-8x7B"): back to where the path starts
    path = t
    while path >= clause.start and first - path <= 24 and not clause.tokens[path + 1].space_before \
            and clause.tokens[path].text not in ("=", ":", "\"", "'", "`"):
        path -= 1
    if path < t and any(clause.tokens[u].text == "/" for u in range(path + 1, first)):
        t = path
    while t >= clause.start and first - t <= 6 and clause.tokens[t].kind == "punct" and \
            clause.tokens[t].text in "=:\"'`./":
        t -= 1
    if _loaded_by_from_pretrained(clause.tokens, first):
        return "from_pretrained"  # `X.from_pretrained("Qwen/Qwen3-VL-235B-A22B-Instruct", …)`: what the code loads
    if t < clause.start or clause.tokens[t].kind != "word":
        return None
    key = clause.tokens[t]
    keyed = in_flag(clause, t) or (t + 1 < clause.end and clause.tokens[t + 1].text in ("=", ":")) or \
        ("_" in key.text and key.text in MODEL_KEYS)
    return key.text if keyed else None


def _continuation(clause: Clause, last: int) -> tuple[int, bool]:
    """The glued parts after a name ('-multilingual' in 'bert-base-multilingual', '-Chat-hf' in 'Llama-2-7b-chat-hf'):
    the last token of the whole name, and whether a part names another model (not a checkpoint suffix, nor a
    checkpoint trained from it: 'Llama-2-7b-sft-model-ocra-500k', 'llama-2-7b-hf-small-shards')."""
    tokens, t, extra, part, derived = clause.tokens, last, False, "", False
    if tokens[last].kind == "word" and tokens[last].text.endswith("_v") and last + 1 < clause.end \
            and tokens[last + 1].is_num and not tokens[last + 1].space_before:
        part = "v"  # "13B_v0": the unit's word is 'b_v', and the '0' glued on makes the version 'v0'
    while t + 1 < clause.end and not tokens[t + 1].space_before:
        nxt = tokens[t + 1]
        if nxt.text in JOINTS[:2] and t + 2 < clause.end and not tokens[t + 2].space_before \
                and tokens[t + 2].kind in ("word", "num"):
            if tokens[t + 2].text.lower() in SLUG_WORDS and (t + 3 >= clause.end or tokens[t + 3].space_before
                                                             or tokens[t + 3].text in JOINTS[:2]):
                # "…#2-fine-tune-flan-t5-xxl-using-deepspeed": a page's slug goes on in prose, the name ends (a whole
                # part only: "-a22b", "_in1k" are the name's own)
                break
            extra = extra or (part != "" and not _same_model_part(part))
            derived = derived or part in DERIVED_PARTS
            part, t = tokens[t + 2].text, t + 2
        elif nxt.kind in ("word", "num") and part:
            part, t = part + nxt.text, t + 1  # "4" + "bit"
        else:
            break
    extra = extra or (part != "" and not all(_same_model_part(p) for p in part.split("_")))
    derived = derived or not DERIVED_PARTS.isdisjoint(part.split("_"))
    return t, extra and not derived


# prose words glued into a URL's or a title's slug after a model's name ("fine-tune-flan-t5-xxl-using-deepspeed")
SLUG_WORDS = frozenset({"using", "with", "on", "for", "and", "to", "in", "of", "the", "a", "an", "how", "vs", "via",
                        "from", "by", "into", "at"})
TASK_HEADS = frozenset({"cls", "seg", "pose", "obb"})  # Ultralytics' task variants of a detector's name


# parts of a checkpoint's name that say it was trained from the model named before them (the same architecture)
DERIVED_PARTS = frozenset({"sft", "dpo", "orpo", "kto", "grpo", "ppo", "rlhf", "ft", "finetuned", "finetune", "tuned",
                           "merged", "shards", "sharded", "lora", "qlora", "adapter", "trained",
                           "unsupervised", "supervised"})  # ("bge-m3-unsupervised", review 89 #24)


def _same_model_part(part: str) -> bool:
    """A part that names a checkpoint or a version of the same model: '-hf', '-chat', '-0.9', '-v2', '-1048k'."""
    bare = part.lstrip("v").rstrip("k")
    return part in CHECKPOINT_SUFFIXES or (bare != "" and bare.replace(".", "").isdigit())


CARD_SIZE_UNITS = frozenset({"g", "gb", "gib"})  # "80G", "24GB": a card's memory glued to its number
NOT_NAMES = {"a", "an", "the", "my", "our", "your", "their", "his", "her", "its", "these", "those", "on", "with", "of",
             "for", "model", "models", "and", "to", "is", "in", "this",
             "that", "train", "training", "size", "batch", "to", "from", "at", "by", "about", "around", "than", "over",
             "under", "using", "use", "finetune", "finetuning", "fine", "tune", "tuning", "tuned", "run", "running",
             "only", "full", "lora", "qlora", "like", "or", "vs", "but", "it", "x", "even", "also", "same", "larger",
             "smaller", "bigger", "big", "small", "new", "base", "pretrained", "whole", "dense", "param", "params",
             "loading", "load", "quantized", "quantised", "finetuned", "trained", "instruct", "chat", "original",
             "official", "so", "as", "if", "when", "then", "can", "could", "would", "should", "will", "into",
             "node", "nodes", "machine", "machines", "single",  # ("单机7b", read "single node 7b": review 84 #30)
             "total", "parameters", "trainable", "number",  # "Total parameters 7243.436M" names no model
             "bit", "bits", "nf4", "int4", "int8", "fp16", "bf16", "gptq", "awq",  # "a 4bit 7B model": its precision
             "has", "have", "had", "with", "contains", "having",  # "BS-RoFormer has 72.2M parameters": a verb
             # "steps 3M/32", "tokens 2B", "samples 1.2M": a count of something else, no model
             "steps", "step", "iterations", "iteration", "iters", "updates", "tokens", "samples", "examples",
             "images", "sentences", "epochs", "words", "pairs", "documents", "data", "dataset",
             # "roughly 7M training examples": a count said as a guess, not a name
             "roughly", "approximately", "approx", "nearly", "almost", "some", "maybe", "perhaps", "just",
             # "I find 70B MFU 20%", "we see 13B at 40%": a verb of what the user observes, before the size
             "find", "found", "see", "saw", "get", "got", "observe", "observed", "notice", "noticed", "think", "try",
             "tried", "trying",
             "complete", "entire",  # ("loading the complete 14B model": the whole of it, no name)
             # "What does 34B Full Tuning … mean?" (review 89 #7), "which 7B fits?", "does it support 70B": a question's
             # words before the size
             "do", "does", "did", "what", "which", "how", "why", "are", "was", "were", "be", "need", "needs",
             "require", "requires", "support", "supports", "fit", "fits"}


SIZE_UNITS = frozenset({"b", "m", "bn", "t"})  # ("t" only with a cue: "the 0.1T GPT model", "a 1T parameter model")


# data sets named with their size ("cc3m", "cc12m", "laion400m", "coyo700m", "datacomp1b"): a count of examples
# (and MS-Celeb-1M's "ms1m")
# (and OGB's "ogbn-papers100M", "MAG240M": graphs of so many nodes - review 70 #20)
DATA_SETS = frozenset({"cc", "laion", "coyo", "datacomp", "yfcc", "webli", "jft", "mc", "wit", "ms", "papers", "mag"})


def sized_names(clause: Clause, reading: Reading) -> None:
    """Models outside the catalogue named with their size ('Baichuan2-13B-Chat', 'galactica 30b', 'Gemma 3 12B',
    'internlm2_7b_chat'): the name as written (names.ident) and the size as parameters. A size with no name ('a 7B
    model', '13B on 24GB') gives the parameters only; a size glued to one letter is a variant's code, not its size
    ('gemma-3n-E2B', 'Qwen3-30B-A3B')."""
    if clause.present.isdisjoint(SIZE_UNITS):
        return
    tokens, keys = clause.tokens, clause.keys
    # only a token before a size unit's word may be a size ('7', 'B'): the unit's keys pick them in one pass
    for i in sorted({keys[k] - 1 for k, w in enumerate(clause.words) if w in SIZE_UNITS and keys[k] > clause.start}):
        num, unit = tokens[i], tokens[i + 1]
        if i in clause.consumed:
            continue  # a GPU's name ("K40m", "M60"): its digits are no model's size
        unit_word = unit.text.split("_")[0]  # "7b_chat"
        if not num.is_num or unit.kind != "word" or unit.space_before or unit_word not in ("b", "m", "bn", "t"):
            continue
        after = tokens[i + 2] if i + 2 < clause.end else None
        if after is not None and after.kind == "word" and not after.space_before:
            continue  # "4bit", "7bf16"…
        if num.value is None or not 0.01 <= num.value <= (5000 if unit_word != "m" else 5_000_000):
            continue  # up to 5,000B ('9708M' is 9.7B)
        if i - 2 >= clause.start and tokens[i - 1].text in ("*", "x", "×") and tokens[i - 2].is_num:
            continue  # "8*910B (64G)", "8x 910B": a count of devices (Ascend 910B), not a model's size
        if i > clause.start and tokens[i - 1].text == ":" and not num.space_before and after is not None \
                and after.text == ":" and not after.space_before:
            continue  # nvidia-smi's bus id "00000000:3B:00.0": hexadecimal digits, no model's size
        if i > clause.start and tokens[i - 1].text.lower() in NPU_BRANDS:
            continue  # "ascend 910b*8": Huawei's NPU, not a model's size
        if unit_word == "m" and i - 2 >= clause.start and tokens[i - 1].text in ("h", "hr", "hrs") \
                and tokens[i - 2].is_num and not num.space_before:
            continue  # "took 1h4m": an hour and four minutes
        if i > clause.start and tokens[i - 1].kind == "word" and not num.space_before \
                and tokens[i - 1].text.split("_")[-1] in DATA_SETS:
            continue  # "cc3m", "laion400m", "datacomp1b": a data set of so many pairs
        if unit_word == "m" and i > clause.start and tokens[i - 1].text in CARD_BRANDS:
            continue  # "GTX 960M", "Quadro P2000M": a laptop card the catalogue does not know, not 960M parameters
        size = num.value * (1e9 if unit_word in ("b", "bn") else 1e12 if unit_word == "t" else 1e6)
        # (the unit exactly "b", the size set apart before it: not "open_llama_3b_v2" nor a hash's "cb7fc3b5")
        tenths = after is not None and after.is_num and not after.space_before and len(after.text) == 1 \
            and unit.text == "b" and float(num.value).is_integer() \
            and (num.space_before or i == clause.start or tokens[i - 1].kind != "word")
        if unit.text in ("b", "m") and after is not None and after.is_num and not after.space_before \
                and len(after.text) >= 2:
            continue  # "…-e8cb-4b43-955d…" (an image's uuid): digits glued on both sides are an id, no size
        if tenths:  # RWKV's "1B5", "RWKV-4-Raven-1B5": a decimal point written as the unit, 1.5B
            size += after.value * 1e8
        if i - 2 >= clause.start and tokens[i - 1].text == "_" and tokens[i - 2].is_num and not num.space_before \
                and not tokens[i - 1].space_before and len(num.text) == 1 and float(tokens[i - 2].value).is_integer() \
                and (tokens[i - 2].space_before or i - 3 >= clause.start and tokens[i - 3].text == "-"):
            # (not a family's version glued before it: "llama2_7b", "internlm2_7b", "T0_3B", "llama3_1_8B")
            size = (tokens[i - 2].value + num.value / 10) * (size / num.value)  # "Qwen-1_8B": 1.8B, '_' the point
        if after is not None and after.kind == "word" and after.text.lower() in DATA_NOUNS:
            continue  # "1.2M images", "2B tokens": a count of data, not a model's size
        if after is not None and after.text.lower() in ("active", "activated"):
            continue  # "only 13B active params": what a mixture of experts uses per token, not what it holds
        if any(tokens[t].is_num and tokens[t].value and abs(tokens[t].value - size) <= 0.1 * size
               for t in range(max(clause.start, i - 14), i)):
            continue  # "14029574132 tokens (about 14B)": the number said just before, rounded, not a model's size
        first = _name_start(clause, i)
        if _comment_beside_a_model_key(clause, first):
            continue  # (`model_path: ./colqwen2_base # ./models/paligemma-3b-mix-448`: the alternative left beside)
        has_letters = any(tokens[x].kind == "word" and tokens[x].text not in NOT_NAMES for x in range(first, i))
        # (not Chinese words glued before the size: "是否在13B以上的MoE模型" - review 86 #13 - says 13B, no name)
        has_letters = has_letters and not chinese.has_cjk(clause.source[tokens[first].start:tokens[i].start])
        variant = i > clause.start and tokens[i - 1].kind == "word" and not num.space_before \
            and (len(tokens[i - 1].text.split("_")[-1]) == 1 or tokens[i - 1].text.endswith("v"))
        # ("E2B", "A3B", the "s34b" of `laion2b_s34b_b79k`; "yolov8m", "v5s")
        cue = _params_cue(clause, i + 2) or _params_named_before(clause, i) \
            or (after is not None and after.kind == "word" and after.text.lower() in names.FAMILIES)  # "a 350M GPT"
        if size < 1e8 and not (has_letters or cue):
            continue  # "560M" with no name or cue may be tokens or rows
        if unit_word == "t" and not (cue and num.value <= 100):
            continue  # ("the 0.1T GPT model": a trillion only where a model or its parameters follow)
        if unit_word == "m" and not (has_letters or cue):
            continue
        if _listed_size(clause, i):
            continue  # "BLOOM 560M / 1.1B", "for 7B, 13B, 33B and 65B": several models, no one of them
        if _in_hex_id(clause, i):
            continue  # "gist.github.com/…/0cbb81abb98b1d09…": a hash's digits, no size
        if _data_key(clause, _name_start(clause, i)):
            continue  # "--sp_path=data/pub3m_cased.model": a tokenizer's or a data set's file, not the model
        text = clause.source[tokens[first if has_letters else i].start:(after if tenths else unit).end]
        setup = setup_of(clause, clause.key_of.get(i, 0))
        if has_letters and not clause.claimed & set(range(first, i + 2)) \
                and not _compared_at(clause.words, clause.key_of.get(first, 0)) \
                and not _backbone_at(clause.words, clause.key_of.get(first, 0), clause.key_of.get(i + 1, 0) + 1):
            end, _ = _continuation(clause, i + 1)
            in_file = _file_name_at(clause, end)  # "yi-6b-sft-qlora.json", "run_clm_sft-chinese-7b.py"
            model_id = names.ident(clause.source[tokens[first].start:tokens[i + 1 if in_file else end].end])
            if tenths:  # ("rwkv-4-raven-1b" of "…-1B5": the size as a decimal, "rwkv-4-raven-1.5b")
                model_id = model_id.replace(f"{int(num.value)}b", f"{int(num.value)}.{after.text}b", 1) \
                    if model_id.endswith(f"{int(num.value)}b") else model_id
            said = Read("model", model_id, text, setup, keyed=_model_key(clause, first),
                        weak=in_file or _other_key(clause, first), mood=segment_mood(clause, i))
            reading.set(said)
            _note_switch(clause, reading, clause.key_of.get(first, 0), said)
            clause.claimed.update(range(first, end + 1))
        if not has_letters and not clause.claimed & {i, i + 1}:
            _family_after(clause, reading, i, setup)  # "a 6.7B OPT model", "the 13B Llama"
        if not variant:
            # "a ~30b model should need 300g": a size said roughly gives way to a catalogue model's own count
            rough = i > clause.start and tokens[i - 1].text in ("~", "≈")
            # (the size in the name of the checkpoint a config or code loads outranks one the prose gives)
            keyed = bool(has_letters and _model_key(clause, first))
            said = Read("params", size, text, setup, weak=rough, mood=segment_mood(clause, i), keyed=keyed)
            reading.set(said)
            _note_switch(clause, reading, clause.key_of.get(first if has_letters else i, 0), said)


HEX_ID = re.compile(r"[0-9a-f]{12,}")
SHORT_HASH = re.compile(r"[0-9a-f]{6,11}")


def _in_hex_id(clause: Clause, i: int) -> bool:
    """Whether token i is inside a run of glued letters and digits that is a hexadecimal id (a commit, a gist)."""
    tokens, lo, hi = clause.tokens, i, i
    while lo > clause.start and not tokens[lo].space_before and tokens[lo - 1].kind in ("word", "num") \
            and i - lo < MAX_ID_TOKENS:
        lo -= 1
    while hi + 1 < clause.end and not tokens[hi + 1].space_before and tokens[hi + 1].kind in ("word", "num") \
            and hi - i < MAX_ID_TOKENS:
        hi += 1
    run = "".join(t.text for t in tokens[lo:hi + 1]).lower()
    # (a version's local label is a short commit: PyTorch "2.1.0a0+32f93b1")
    local_label = lo > clause.start and tokens[lo - 1].text == "+" and not tokens[lo].space_before \
        and not tokens[lo - 1].space_before and SHORT_HASH.fullmatch(run) is not None
    return hi - lo >= 3 and (HEX_ID.fullmatch(run) is not None or local_label)


MAX_ID_TOKENS = 40
# parts of a key whose value is a data set's, a tokenizer's or an output's file ("--sp_path", "--input_glob")
DATA_KEY_PARTS = frozenset({"data", "dataset", "vocab", "tokenizer", "sp", "spm", "output", "log", "logs", "save",
                            "cache", "record", "records", "input", "glob", "corpus"})


def _data_key(clause: Clause, first: int) -> bool:
    key = _key_before(clause, first)
    return key is not None and not DATA_KEY_PARTS.isdisjoint(key.split("_"))


def _family_after(clause: Clause, reading: Reading, i: int, setup: str) -> None:
    """A size followed by a family's name ('a 6.7B OPT model', 'a 7B Llama 2 model') names the catalogue's model of
    that family and size, when the catalogue has exactly that one; otherwise the size alone is read."""
    tokens = clause.tokens
    after, t = [], i + 2
    while t < clause.end and len(after) < 3 and tokens[t].kind in ("word", "num") and tokens[t].text not in NOT_NAMES:
        after.append(tokens[t].text)
        t += 1
    if not after or after[0] not in names.FAMILIES:
        return
    size = (tokens[i].text + tokens[i + 1].text).lower()
    for n in range(len(after), 0, -1):  # the longest name first: "llama 2 7b" before "llama 7b"
        found = catalogue.model_id_of(" ".join(after[:n]) + " " + size)
        if found is not None:
            text = clause.source[tokens[i].start:tokens[i + 1 + n].end]
            reading.set(Read("model", found, text, setup))
            clause.claimed.update(range(i, i + 2 + n))
            return




# what a model-like name names when one of these follows it: a config or a script, not the model ("the vit-14-ep300
# config", "run the llama2 script")
NAMED_THINGS = {"config", "configs", "script", "scripts", "notebook", "recipe", "example", "dataset", "repo"}


def _file_name_at(clause: Clause, t: int) -> bool:
    """Whether the name ending at token t is the stem of a file's name ('….json', '….py')."""
    return t + 2 < clause.end and clause.tokens[t + 1].text == "." and clause.tokens[t + 2].text in FILE_TYPES \
        and not clause.tokens[t + 1].space_before


# a family's name joined to one of these words names a kind of model or a setting, not a model ("a CLIP-style
# loss", "apex's opt_level", "BERT-like encoders", "GPT-based")
GENERIC_PARTS = frozenset({"style", "level", "like", "based", "type", "family", "specific", "sized", "related", "kind",
                           "series", "compatible", "variants", "variant", "models", "architectures",
                           # tools named after a family: LLaMA-Factory, llama.cpp, llama-index, llama-recipes
                           "factory", "cpp", "index", "recipes", "jax", "flax",  # (whisper-jax: a JAX port)
                           # an optimizer's state or step in code ("opt_state", "opt.step"): 'opt' abbreviates it
                           "state", "states", "step",
                           # a setting named after what it bounds ("clip_max_norm", "clip_grad_norm"): no CLIP model
                           "max", "norm", "grad",
                           # a job, script or error named after the model ("got error flux_training" - review 88 #15)
                           "training", "trainer",
                           # a repository's downloaded folder ("ChatGLM3-main/chatglm3-6b" - review 88 #21)
                           "main", "master"})
REPO_FOLDERS = frozenset({"main", "master"})  # the suffix GitHub's zip download gives a repository's folder


SETTING_PREFIXES = frozenset({"grad", "gradient", "max", "min", "no", "use", "enable", "disable", "norm", "open", "freeze",
                              "unfreeze", "train", "tune", "finetune",  # (`freeze_vit: True` is a switch)
                              "my", "our"})  # (`name: my_flux_lora` - review 77 #10: the user's name for a job)


def family_names(clause: Clause, reading: Reading) -> None:
    """Models of a known family written without a size ('visual-bert', 'Qwen-VL', 'ResNet152', 'bevformer-small',
    'ViT-g/14', 'llama2'): two parts or more, or digits glued to the family's name."""
    if clause.present.isdisjoint(names.FAMILIES):
        return
    tokens, done = clause.tokens, clause.start
    # the tokens a family's name is a part of, in order (the rest of the clause is not looked at)
    family_at = {clause.keys[k]: w for k, w in enumerate(clause.words) if w in names.FAMILIES}
    for t in sorted(family_at):
        if t < done or reading.names_seen >= MAX_NAMES:
            continue
        tok = tokens[t]
        if tok.kind != "word" or t in clause.claimed:
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
        if _data_key(clause, first) or _flag_name(clause, first) or _comment_beside_a_model_key(clause, first):
            done = last + 1
            continue  # "output_dir: data/Qwen2.5-1.5B-Open-R1-GRPO": where the run writes, not its model
        if first == last and "_" in tokens[first].text and last + 1 < clause.end and tokens[last + 1].text in "=:":
            done = last + 1
            continue  # "clip_path = 'clip-vit-large-patch14'": a config key named after a family, not a model
        written = clause.source[tokens[first].start:tokens[last].end]
        after = clause.words[clause.key_of[last] + 1] if last in clause.key_of and \
            clause.key_of[last] + 1 < len(clause.words) else ""
        # ("train_openfold.py", a page's "Training_OpenFold.html": a file named after the model, not the model)
        file_name = any(tokens[x].text == "." and tokens[x + 1].text in NAMED_FILES for x in range(first, last))
        # "opt.zero_grad()", "bert.encoder": a variable's attribute in code, named like a family, not a model
        code = any(tokens[x].text == "." and tokens[x + 1].kind == "word" and "_" in tokens[x + 1].text
                   or tokens[x].text == "." and x + 2 <= last + 1 and x + 2 < clause.end
                   and tokens[x + 2].text == "(" for x in range(first, last))
        file_name = file_name or code
        parts = [p for p in written.replace("/", "-").replace("_", "-").replace(".", "-").split("-") if p]
        glued_digits = any(tokens[x].is_num and tokens[x - 1].kind == "word" and not tokens[x].space_before
                           for x in range(first + 1, last + 1))
        # "CLIP-style", "opt_level", "BERT-like"; "grad_clip", "open_clip": a setting's or a library's name
        generic = any(p.lower() in GENERIC_PARTS for p in parts[1:]) or parts[0].lower() in SETTING_PREFIXES
        # (`--output_dir output_qwen`: where a run writes, named after the family, not the model it loads)
        generic = generic or parts[0].lower() in OUTPUT_PARTS and not _model_key(clause, first)
        # (`sam_num_points_per_side`, `clip_batch_size`: a setting's key named after the model's family - review 68 #16)
        generic = generic or "_" in written and not SETTING_KEY_PARTS.isdisjoint(p.lower() for p in parts[1:])
        k0 = clause.key_of.get(first, 0)
        backbone = _backbone_at(clause.words, k0, clause.key_of.get(last, k0) + 1)  # "HRNetW48 backbone"
        if not file_name and not generic and not backbone and after not in NAMED_THINGS | NOT_THE_MODEL \
                and not _compared_at(clause.words, clause.key_of.get(_chunk_start(clause, first), 0)) \
                and (len(parts) >= 2 or glued_digits or parts[0].lower() in names.SOLO_FAMILIES) \
                and not clause.claimed & set(range(first, last + 1)):
            model_id = names.ident(written)
            if family_at[t] not in model_id:
                done = last + 1
                continue  # "Recommendation/DLRM/PyTorch": a path whose last part is no model of the family
            solo = len(parts) == 1 and not glued_digits  # "training DETR": the family alone, a vaguer name
            reading.set(Read("model", model_id, written, setup_of(clause, clause.key_of.get(first, 0)),
                             keyed=_model_key(clause, first),
                             weak=names.version_only(model_id) or solo or _other_key(clause, first)))
            clause.claimed.update(range(first, last + 1))
        done = last + 1


# the words of a setting's snake_case key after a family's name ("sam_num_points_per_side", "clip_batch_size")
SETTING_KEY_PARTS = frozenset({"num", "per", "points", "side", "size", "batch", "steps", "lr", "max", "min", "len",
                               "length", "path", "dir", "ratio", "weight", "loss", "threshold", "thresh", "iou"})


# what may follow "Llama3-70B 8K": the training the context length is for, or the end of the clause
CONTEXT_FOLLOWERS = frozenset({"full", "fine", "finetune", "finetuning", "sft", "lora", "qlora", "training", "train",
                               "pretraining", "pretrain", "context", "seq", "sequence", "continual", "continued"})
CONTEXT_SIZES = frozenset({1, 2, 4, 8, 16, 32, 64, 128, 256})  # the context lengths people write in K (× 1,024)


def context_after_name(clause: Clause, reading: Reading) -> None:
    """'Llama3-70B 8K full fine-tuning', 'Qwen2-7B 32k SFT': a length in K right after a model's name is its
    context length (8K = 8,192 tokens), when training or the clause's end follows - not '8K samples'."""
    if "seq_len" in reading.values or not clause.claimed or "k" not in clause.present:
        return
    tokens = clause.tokens
    for t in sorted(clause.claimed):
        if t + 1 in clause.claimed or t + 2 >= clause.end:
            continue
        num, unit = tokens[t + 1], tokens[t + 2]
        if num.kind != "num" or not num.space_before or unit.text.lower() != "k" or unit.space_before \
                or num.value not in CONTEXT_SIZES or {t + 1, t + 2} & clause.consumed:
            continue
        k = clause.key_of.get(t + 3) if t + 3 < clause.end else None
        follower = clause.words[k] if k is not None and k < len(clause.words) else ""
        if follower and follower not in CONTEXT_FOLLOWERS:
            continue
        reading.set(Read("seq_len", num.value * 1024, clause.source[num.start:unit.end],
                         setup_of(clause, clause.key_of.get(t + 1, 0))))
        clause.consumed.update((t + 1, t + 2))
        return


# the verbs a model trained is named after ("fine-tuning TabPFN on …", "train my DeepLabV3 with …")
TRAIN_VERBS = frozenset({"train", "training", "trains", "finetune", "finetuning", "tune", "tuning", "pretrain",
                         "pretraining", "retrain", "retraining"})
TRAIN_DETERMINERS = frozenset({"my", "a", "the", "our", "this", "custom"})
# what may follow the name of a model trained: a preposition, its noun, or the clause's end
AFTER_TRAINED = frozenset({"on", "with", "using", "for", "model", "in", "at", "and", "from", "via", "to", "under"})
# names written like a model's that are a framework's, a method's, a data set's or a card's (CamelCase or capitals)
NOT_MODEL_NAMES = frozenset({
    "lora", "qlora", "dora", "peft", "deepspeed", "pytorch", "tensorflow", "keras", "jax", "flax", "huggingface",
    "accelerate", "lightning", "fsdp", "ddp", "zero", "adamw", "adam", "sgd", "bf16", "fp16", "fp32", "vram", "cuda",
    "nccl", "colab", "kaggle", "gpu", "gpus", "tpu", "tpus", "npu", "oom", "llm", "llms", "vlm", "sft", "dpo",
    "rlhf", "grpo", "ppo", "imagenet", "cifar", "cifar10", "cifar100", "coco", "mnist", "wikitext", "openwebtext",
    "librispeech", "laion", "ms", "mscoco", "voc", "ade20k", "cityscapes", "squad", "glue", "imdb", "trl", "vllm",
    "unsloth", "axolotl", "megatron", "nemo", "mmdetection", "detectron2", "yolo", "ultralytics", "openai", "nvidia",
    "amd", "macbook", "mac", "apple", "mps", "rocm", "dreambooth", "textual", "controlnet", "ema", "moe", "ai", "ml",
    "dl", "nlp", "cv", "rl", "api", "cpu", "ram", "ssd", "nvme", "fp8", "int8", "int4", "nf4", "gguf", "onnx",
    "stage1", "stage2", "stage3", "seq2seq", "s3dis", "shapenet", "got10k", "kitti", "nuscenes", "waymo", "scannet",
    "ogbn", "obgn", "ogbl", "ogbg"})  # (OGB's data sets: "ogbn-products", "ogbn-papers100M")


def unlisted_names(clause: Clause, reading: Reading) -> None:
    """A model the catalogue does not know, named after a training verb ('fine-tuning TabPFN on …', 'train my
    DeepLabV3 with …'): written as a name is (capitals inside a word, or letters and digits glued), kept only as
    the name the size question asks about - no count, no shapes, nothing guessed."""
    if reading.unlisted_model is not None or "model" in reading.values or clause.present.isdisjoint(TRAIN_VERBS):
        return
    words, keys, tokens = clause.words, clause.keys, clause.tokens
    for k, w in enumerate(words):
        if w not in TRAIN_VERBS or tokens[keys[k]].text.lower() != w or keys[k] + 1 < clause.end \
                and not tokens[keys[k] + 1].space_before:
            continue  # (a word of its own: not 'train' of 'train_dreambooth.py' nor of 'retrain_s0')
        n = k + 1
        while n < len(words) and n <= k + 2 and words[n] in TRAIN_DETERMINERS:
            n += 1
        if n >= len(words):
            return
        first = last = keys[n]
        while last + 1 < clause.end and not tokens[last + 1].space_before and \
                (tokens[last + 1].kind in ("word", "num") or tokens[last + 1].text in JOINTS):
            last += 1
        while last > first and tokens[last].kind == "punct":
            last -= 1
        span = set(range(first, last + 1))
        if tokens[first].kind != "word" or span & (clause.claimed | clause.consumed) or first in clause.card_starts \
                or not tokens[first].space_before:
            continue
        written = clause.source[tokens[first].start:tokens[last].end]
        following = clause.key_of.get(last + 1) if last + 1 < clause.end else None
        after = words[following] if following is not None and following < len(words) else ""
        if _written_as_name(written) and after in AFTER_TRAINED | {""} and not (last + 1 < clause.end
                                                                              and tokens[last + 1].text in "=:("):
            reading.unlisted_model = Read("model", names.ident(written), written, setup_of(clause, n))
            return


YEAR_SUFFIX = re.compile(r"(?:19|20)\d{2}$")


def _written_as_name(written: str) -> bool:
    """'TabPFN', 'DeepLabV3', 'UNet', 'wav2letter': a capital after a small letter, or letters and digits glued, or
    a family's name alone ('BERT', 'Whisper') - not a word of the language ('Transformer'), a framework ('PyTorch')
    or a method ('LoRA')."""
    if written.lower() in names.FAMILIES:
        return True
    parts = [p for p in re.split(r"[-.]", written) if p]
    # (a file's or a setting's name - 'train_sd3.py', 'Task10_Colon' - or a kind: 'gpt2-like', 'LoRAs')
    if not parts or not 3 <= len(written) <= 30 or "_" in written or parts[-1].lower() in NAMED_FILES \
            or any(p.lower() in GENERIC_PARTS for p in parts[1:]) or not written[0].isalpha() \
            or parts[0].lower() in NOT_MODEL_NAMES or parts[0].lower().removesuffix("s") in NOT_MODEL_NAMES \
            or YEAR_SUFFIX.sub("", parts[0].lower()) in NOT_MODEL_NAMES:
        return False  # (nor a data set's release: "COCO2017", "VOC2012" - review 72 #20)
    camel = any(a.islower() and b.isupper() for a, b in zip(written, written[1:]))
    glued = any(a.isalpha() and b.isdigit() for a, b in zip(written, written[1:]))
    return camel or glued


def _chunk_start(clause: Clause, first: int) -> int:
    """The first token of the unspaced text a name ends ("https://github.com/NVIDIA/tacotron2"): what is said before
    a link or a path is said of the name at its end ("Compared to https://…/tacotron2")."""
    tokens = clause.tokens
    while first > clause.start and not tokens[first].space_before and tokens[first - 1].kind != "nl":
        first -= 1
    return first


def _flag_name(clause: Clause, first: int) -> bool:
    """Whether the name starting at token `first` is a command-line flag's own name, glued to its dashes
    ("--opt-sdp-attention", "-opt_level"): a setting, not the OPT model (a flag's value comes after it)."""
    tokens = clause.tokens
    return first > clause.start and tokens[first - 1].text == "-" and not tokens[first].space_before


NAMED_FILES = FILE_TYPES | DOCUMENTS | {"htm"}
NPU_BRANDS = frozenset({"ascend", "atlas"})  # Huawei's accelerators, named by a number and a 'B' ("Ascend 910B")
OUTPUT_PARTS = frozenset({"output", "outputs", "out", "log", "logs"})
CARD_BRANDS = GPU_NOISE | frozenset(CARD_PREFIXES) | {"mx"}  # what starts a card's name ("GTX 960M", "MX 150M")


GIT_REF_PATHS = frozenset({"tree", "blob", "commits", "compare", "tag", "tags", "releases"})


def _git_ref(clause: Clause, first: int) -> bool:
    """Whether the name at token `first` is a git branch or tag: in a repository's URL (".../tree/sd3") or after
    git's -b."""
    tokens = clause.tokens
    if first - 2 >= clause.start and tokens[first].space_before and tokens[first - 2].text == "-" \
            and tokens[first - 1].text == "b" and not tokens[first - 1].space_before:
        return True  # "git clone … -b sd3", "(-b sd3)" (review 88 #15): the branch checked out, not a model
    return first - 3 >= clause.start and tokens[first - 1].text == "/" and not tokens[first].space_before \
        and tokens[first - 2].text.lower() in GIT_REF_PATHS and tokens[first - 3].text == "/"


def _name_start(clause: Clause, i: int) -> int:
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
            if spaces == 2 and not (tokens[j + 1].is_num or t.text in names.FAMILIES):
                break  # ("Gemma 3 12B", "Mistral Nemo 12B"; not the "trying" of "trying qwen2 0.5B")
            if t.text.lower() in CARD_SIZE_UNITS and not t.space_before and j - 1 >= clause.start \
                    and tokens[j - 1].is_num:
                break  # "A100 8x80G 7b模型" (review 84 #30): the cards' memory before the size, no part of a name
        # (a word glued inside the name is part of it: the 'a' of "qwen3-a3b-30b")
        inside = len(t.text) == 1 and not t.space_before and not tokens[j + 1].space_before and j - 1 >= clause.start \
            and tokens[j - 1].text in ("-", "_", ".") and not tokens[j - 1].space_before
        if t.kind == "word" and (t.text not in NOT_NAMES or inside) or t.is_num or (t.kind == "punct" and t.text in "-._"):
            named = named or (t.kind == "word" and not tokens[j + 1].space_before and spaces == 0)
            j -= 1
            continue
        break
    first = j + 1
    while first < i and tokens[first].kind == "punct":
        first += 1
    return first


def _listed_size(clause: Clause, i: int) -> bool:
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


# the words after a size that say it counts a model's parameters: "a 400M transformer", "a 7B LLM", "560M params"
PARAMS_NOUNS = {"params", "parameters", "parameter", "model", "param", "transformer", "llm", "lm", "network", "net",
                "models", "checkpoint", "dense"}


# a setting whose value is the model's size, not its name ("model_name='345M'" in the GPT-2 scripts, "model_size: 7B")
MODEL_SIZE_KEYS = {"model_name", "model_size", "model", "size", "model_type", "modelsize"}


# kinds of model that may stand between a size and its noun: "a 300M seq2seq transformer", "a 1B causal LM"
MODEL_KINDS = {"seq2seq", "seq", "decoder", "encoder", "only", "-", "causal", "language", "vision", "text", "dense"}


def _params_named_before(clause: Clause, i: int) -> bool:
    """A parameters noun just before a size: 'Total parameters 7243.436M', 'params: 1.3B'; a model's noun with the
    size in brackets after it: 'a seq2seq transformer (~300M)'."""
    t = i - 1
    while t >= clause.start and i - t <= 4 and clause.tokens[t].text in (":", "=", "(", "total", "~", "≈", "'", '"'):
        t -= 1
    if t < clause.start or i - t > 4:
        return False
    word = clause.tokens[t].text.lower()
    flag = t > clause.start and clause.tokens[t - 1].text == "-" and not clause.tokens[t].space_before
    if word in MODEL_SIZE_KEYS and (flag or any(clause.tokens[x].text in (":", "=") for x in range(t + 1, i))):
        return True  # nshepperd's gpt-2 `model_name='345M'` and `--model_name 774M`, a config's `model_size: 1.3B`
    # (the size alone in its brackets: not "a small model (64M storage)", bytes on disk)
    closes = i + 2 < clause.end and clause.tokens[i + 2].text in (")", ",")
    bracketed = closes and "(" in (clause.tokens[x].text for x in range(t + 1, i))
    return word in ("parameters", "params", "param") or bracketed and word in PARAMS_NOUNS - {"dense", "checkpoint"}


def _params_cue(clause: Clause, i: int) -> bool:
    """A parameters noun after a size: '7B params', '9708M total params', 'a 300M seq2seq transformer'."""
    if i < clause.end and clause.tokens[i].text.lower() == "total":
        i += 1
    skipped = 0
    while i < clause.end and skipped < 4 and (clause.tokens[i].text.lower() in MODEL_KINDS or clause.tokens[i].is_num
                                              and not clause.tokens[i].space_before and skipped):
        i, skipped = i + 1, skipped + 1  # (the "2" of "seq2seq" is glued between its parts)
    if i < clause.end and clause.tokens[i].text.lower() in PARAMS_NOUNS:
        return True
    # "a 300M encoder with dynamic padding": a kind that is a model's noun by itself ends the phrase
    return skipped > 0 and clause.tokens[i - 1].text.lower() in ("encoder", "decoder")


def resolve_vague_model(reading: Reading) -> None:
    """A family named without a size ('train llama2') and a size said alone ('a 13B model') are one model
    (llama-2-13b); a family whose version comes in one size only ('chatglm2' is chatglm2-6b, 'ChatGLM' chatglm-6b)
    is that model; a family alone names no model to reason with, so none is read (it is kept as the name asked
    about)."""
    model, params = reading.values.get("model"), reading.values.get("params")
    if model is None or not model.weak or not names.version_only(model.value):
        return
    if params is not None and not any(c.isalpha() for c in params.text.lower().rstrip("bm")):
        size = params.text.strip().lower().replace(" ", "")
        reading.values["model"] = replace(model, value=f"{model.value}-{size}", weak=False, implied=True)
    elif (only := _only_size_of(model.value)) is not None:
        reading.values["model"] = replace(model, value=only, weak=False, implied=True)
    else:
        reading.vague_model = reading.values.pop("model")


def _only_size_of(family: str) -> str | None:
    """The catalogue's one model of a family and version released in a single size ('chatglm2' → chatglm2-6b), or
    None where there are several sizes, or none, to choose from."""
    from advisor.domain import catalogue

    sized = [name for name in catalogue.preset_names() if name.startswith(family + "-") and _said_size(name)]
    return sized[0] if len(sized) == 1 else None


def _said_size(text: str) -> bool:
    """Whether a model's name as written carries its size: '7b', '8x7B', '560m', '1.3B' (a number, then b or m);
    not a version and a variant ('yolov8m': the number follows a letter other than the 'x' of '8x7B')."""
    low = text.lower()
    for k, ch in enumerate(low):
        if ch in "bm" and k > 0 and low[k - 1].isdigit() and (k + 1 == len(low) or not low[k + 1].isalpha()):
            start = k - 1
            while start > 0 and (low[start - 1].isdigit() or low[start - 1] == "."):
                start -= 1
            if start == 0 or not low[start - 1].isalpha() or low[start - 1] == "x":
                return True
    return False


def sized_sibling(reading: Reading) -> None:
    """A catalogue model said with a size far from its own ('1.5B gpt2', 'bert-base, 340M params') is the member of
    its line with that size (gpt2-xl, bert-large); with no such member the size stands and the model is dropped,
    since its shapes would size every plan for another model."""
    model, params = reading.values.get("model"), reading.values.get("params")
    if model is None or params is None or params.text == model.text or not catalogue.has_preset(model.value):
        return
    total = catalogue.catalogue_entry(model.value).get("params_total")
    named = params.text.split()[0] if params.text.split() else ""
    if named[:1].isalpha() and any(ch.isdigit() for ch in named) and named.lower() != model.text.lower():
        # the size of another model named ("… bart-large-cnn … hoping to train t5-3b later"): the model read keeps
        # its own count (not the model's own name with its size after it: "GPT2 774M" is gpt2-large)
        if total and not 1 / SIZE_TOLERANCE <= params.value / total <= SIZE_TOLERANCE:
            reading.values["params"] = Read("params", float(total), model.text, implied=True)
        return
    if not total or 1 / SIZE_TOLERANCE <= params.value / total <= SIZE_TOLERANCE:
        return
    stem = model.value.rsplit("-", 1)[0] if "-" in model.value else model.value
    family = catalogue.catalogue_entry(model.value).get("family")
    # (a sibling is the same line in another size - gpt2-xl of gpt2, llama-13b of llama-7b - not another generation:
    # "1.3b+ models such as llama-7b" names no llama-3.2-1b)
    siblings = [name for name in catalogue.preset_names() if (name == stem or name.rsplit("-", 1)[0] == stem)
                and catalogue.catalogue_entry(name).get("family") == family
                and abs(catalogue.catalogue_entry(name).get("params_total", 0) / params.value - 1) <= 0.15]
    if len(siblings) == 1:
        reading.values["model"] = replace(model, value=siblings[0], implied=True)
    else:
        reading.values.pop("model")


SIZE_TOLERANCE = 1.5  # a size said within this factor of the catalogue's count is the same model, roughly put


def catalogue_params(reading: Reading) -> None:
    """A catalogue model whose name carries its size ('Mixtral-8x7B', 'llama-2-7b-hf') has the catalogue's count,
    unless the message states another one; a size read from a name that lost to it ('llama-7b' in prose against
    `--model_name llama-2-7b-hf`) gives way too."""
    model, params = reading.values.get("model"), reading.values.get("params")
    if model is None or model.implied or not _said_size(model.text) or not catalogue.has_preset(model.value):
        return
    losers = {b.text for a, b in reading.conflicts if a.field == "model"} | \
        {a.text for a, b in reading.conflicts if a.field == "model"}
    if params is not None and (params.text == model.text or (
            params.text not in losers and not params.text.lower().endswith(("model", "models")))):
        return  # the size as the name writes it ("Gemma 3 12B" is 12B; the catalogue's count is the engine's)
    total = catalogue.catalogue_entry(model.value).get("params_total")
    if total:
        reading.values["params"] = Read("params", float(total), model.text, implied=True)

