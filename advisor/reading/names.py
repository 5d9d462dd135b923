"""Model names the catalogue does not know, as engineers write them: an id from the written name.

"Baichuan2-13B-Chat" is `baichuan2-13b`, "meta-llama/Llama-2-70b-chat-hf" `llama-2-70b`, "internlm2_7b_chat"
`internlm2-7b`, "ViT-g/14" `vit-g-14`, "bert-base-multilingual" `bert-base-multilingual`: lower case, an org
prefix and the suffixes that name a checkpoint of the same model (-hf, -chat, -instruct, -it, -uncased, a
quantisation) dropped, '_', '/' and spaces made '-'. A name is recognised without a size only when it starts
with (or ends in) a model family's name, so "the 152 layer model" is no model name.
"""

from __future__ import annotations

import re
from functools import lru_cache

# suffixes that name a checkpoint or a format of the same model, not another model
CHECKPOINT_SUFFIXES = frozenset({"hf", "chat", "instruct", "instr", "it", "uncased", "cased", "awq", "gptq", "gguf", "bnb",
                                 "4bit", "8bit", "fp16", "bf16", "int4", "int8", "unsloth", "base_model", "v0", "v1",
                                 "pt", "ckpt", "safetensors", "bin",
                                 # (a config file named after the model and the method: "llama3_1_8B_lora_config")
                                 "config", "cfg", "lora", "qlora",
                                 # BERT pre-trained with whole-word masking: the same architecture
                                 "wwm", "whole", "word", "masking",
                                 # mT0's machine-translated-prompt variant ("mt0-xxl-mt"): the same weights' shape
                                 "mt",
                                 # "wav2vec2 (base-model)" (review 83 #11): the word "model" names no other one
                                 "model"})
# families of models people train (their names start a model's name: "resnet152", "qwen-vl", "bevformer-small")
FAMILIES = frozenset({
    "bert", "roberta", "deberta", "distilbert", "albert", "electra", "xlnet", "flan", "bart", "mbart", "gpt", "gptj",
    "neox", "opt", "bloom", "bloomz", "pythia", "galactica", "falcon", "mpt", "llama", "codellama", "vicuna", "mistral",
    "mixtral", "qwen", "gemma", "phi", "chatglm", "glm", "internlm", "baichuan", "yi", "deepseek", "llava", "whisper",
    "wav", "hubert", "wavlm", "clip", "blip", "vit", "deit", "swin", "convnext", "resnet", "resnext", "densenet",
    "efficientnet", "mobilenet", "inception", "vgg", "yolo", "yolov", "detr", "dino", "sam", "unet", "sdxl", "flux",
    "bevformer", "segformer",
    # vision, speech and recommender models people name with a variant or a number ("YOLOX-nano", "EfficientDet-D7",
    # "Tacotron2", "HRNet-W32", "StyleGAN2-ADA", "pix2pix")
    "yolox", "efficientdet", "retinanet", "pspnet", "hrnet", "alexnet", "stylegan", "pix", "tacotron", "fastspeech",
    "waveglow", "conformer", "longformer", "starcoder", "minicpm", "slowfast", "dlrm", "openfold", "tabnet", "segnet",
})
# families whose name alone names one model (or one architecture an expert reads as the model trained): "training
# DETR", "LLaVA OOMs", "AlexNet on ImageNet" (not "clip", "opt", "phi", "sam", "bloom", "flux", "whisper": words
# of their own)
SOLO_FAMILIES = frozenset({"detr", "llava", "deit", "starcoder", "retinanet", "pspnet", "alexnet", "waveglow",
                           "slowfast", "dlrm", "openfold", "tabnet", "segnet", "conformer", "longformer", "tacotron",
                           "xlnet", "roberta", "deberta", "electra", "segformer", "bevformer", "efficientdet", "yolox",
                           "hrnet", "stylegan", "fastspeech", "chatglm"})  # letters only: a name's digits are keys of their own ("qwen2" is qwen, 2; "yolov5l" is yolov, 5, l)
# words that make a family's name a comparison or a kind, not the model trained ("gpt-2 like", "llama-style")
NOT_THE_MODEL = frozenset({"like", "style", "based", "family", "architecture", "paper", "papers", "authors"})


@lru_cache(maxsize=1024)  # (a pure function of the words; the same names recur within and across messages)
def ident(written: str) -> str:
    """The id of a model name as written: 'Baichuan2-13B-Chat' -> 'baichuan2-13b'; of two sizes written as
    alternatives, the first ('BaiChuan-7B/13B' -> 'baichuan-7b')."""
    head, _, tail = written.rpartition("/")
    if SIZE.fullmatch(tail.strip()) and SIZE.fullmatch(re.split(r"[-_ ]", head.strip())[-1]):
        written = head
    name = written.strip().lower().rpartition("/")[2] if "/" in written and not _slash_variant(written) \
        else written.strip().lower()
    # a hub cache's or a mirror's folder: "models--Qwen--Qwen2.5-7B", "cpatonn-mirror__Qwen3-30B-A3B"
    name = name.rpartition("--")[2] if name.startswith("models--") else name.rpartition("__")[2]
    name = DECIMAL_SIZE.sub(r"\1.\2", name)  # "Qwen-1_8B" is 1.8B (not "llama3_1_8B": version 3.1, 8B)
    for sep in ("_", " ", "/"):
        name = name.replace(sep, "-")
    parts = [p for p in name.split("-") if p]
    while len(parts) > 1 and parts[-1] in CHECKPOINT_SUFFIXES:
        parts.pop()
    # "llava-v1.6-vicuna-7b" is llava-1.6-vicuna-7b: a dotted version reads the same without its 'v'
    parts = [p[1:] if p[:1] == "v" and "." in p and p[1:].replace(".", "").isdigit() else p for p in parts]
    family = parts[0].rstrip("0123456789.")
    if family in VERSIONED and len(parts) > 2 and parts[1].isdigit() and len(parts[1]) == 1 \
            and parts[0][-1:].isdigit() and SIZE.fullmatch(parts[2]):
        parts[:2] = [parts[0] + "." + parts[1]]  # "llama3_1_8B", "qwen2-5-7b": a version written with '_' or '-'
    elif family in VERSIONED and len(parts) > 3 and parts[0] == family and parts[1].isdigit() and parts[2].isdigit() \
            and len(parts[2]) == 1 and SIZE.fullmatch(parts[3]):
        parts[1:3] = [parts[1] + "." + parts[2]]  # "llama-3-1-8b"
    if family in GLUED_VERSIONS and parts[0] == family and len(parts) > 2 and re.fullmatch(r"\d+(\.\d+)?", parts[1]):
        parts[:2] = [family + parts[1]]  # "Qwen-2.5-7B" is qwen2.5-7b, as Qwen names it
    if len(parts) == 1 and GLUED_SIZE.fullmatch(parts[0]):
        parts = list(GLUED_SIZE.fullmatch(parts[0]).groups())  # "QWQ32B" is qwq-32b: a size glued to the name
    out = "-".join(parts)
    if out.startswith("llama") and out[5:6].isdigit():
        out = "llama-" + out[5:]  # "llama2-7b" is spelled "llama-2-7b", as Meta names it
    return out


DECIMAL_SIZE = re.compile(r"(?<!\w)(\d)_(\d[bm])(?![a-z\d])")  # a size whose decimal point is written '_'
SIZE = re.compile(r"\d+(?:\.\d+)?[bmBM]")  # a model's size as its name writes it: '7B', '1.5b', '350M'
# a name of letters with its size glued on ("qwq32b", "llama7b"): not a version before a size ("qwen2.5", "t5")
GLUED_SIZE = re.compile(r"([a-z]{3,})(\d+(?:\.\d+)?b)")


# families whose version is glued to the name ("qwen2.5-7b", "baichuan2-13b"; "qwen-7b" is the first Qwen)
GLUED_VERSIONS = frozenset({"qwen", "baichuan", "internlm", "chatglm"})


def _slash_variant(written: str) -> bool:
    """'ViT-g/14' (a patch size) rather than 'meta-llama/Llama-2-7b' (an org prefix): digits right after '/'."""
    tail = written.rpartition("/")[2]
    return tail[:1].isdigit()


# families whose glued number is a version, not a variant: "llama2", "Gemma-3", "qwen2" name no one model
VERSIONED = frozenset({"llama", "qwen", "qwen2", "qwen3", "gemma", "mistral", "phi", "chatglm", "glm", "internlm",
                       "baichuan", "yi", "deepseek", "falcon", "gpt", "opt", "bloom", "mpt", "codellama"})


def version_only(model_id: str) -> bool:
    """'llama-2', 'gemma-3', 'qwen2' (a family and its version, no size or variant) rather than 'qwen-vl'."""
    parts = model_id.split("-")
    stem = parts[0].rstrip("0123456789.")
    return stem in VERSIONED and all(p.replace(".", "").isdigit() for p in parts[1:])
