"""The model catalogue and parameter counting from shapes.

Presets (advisor/domain/data/models.yaml) carry the shapes the memory estimators need; their parameter counts are
computed here, one formula per architecture family, and tested against the published totals. A local
Hugging Face `config.json` or a `.safetensors` header is read without torch and without the network.
Model names in free text are found by `find_model` (a token-sequence lookup, linear in the text's length).
The YAML is read on first use, never at import time.
"""

from __future__ import annotations

import json
import math
import stat
import struct
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from advisor.errors import InputError

CATALOGUE = Path(__file__).parent / "data" / "models.yaml"
TRANSFORMER_FAMILIES = ("gpt2", "bert", "llama", "vit", "neox", "opt", "falcon", "phi")
# arch kinds whose activations the single-stack transformer formula (estimators.training) describes
SINGLE_STACK_KINDS = ("decoder", "encoder", "vit")
MOE_LAYOUTS = ("mixtral",)  # mixtures of experts whose blocks are a Llama block with the MLP routed to top-k experts
ARCH_KINDS = ("decoder", "encoder", "encoder-decoder", "moe-decoder", "cnn", "vit", "diffusion-unet",
              "diffusion-transformer", "generic")
# transformers normalise with LayerNorm or RMSNorm: no BatchNorm in them
LAYER_NORM_KINDS = ("decoder", "encoder", "encoder-decoder", "moe-decoder", "vit")
_ARCH_OF_FAMILY = {"gpt2": "decoder", "llama": "decoder", "neox": "decoder", "opt": "decoder", "falcon": "decoder",
                   "phi": "decoder", "bert": "encoder", "vit": "vit", "resnet": "cnn", "t5": "encoder-decoder",
                   "mixtral": "moe-decoder", "clip": "vit"}


@dataclass(frozen=True)
class ModelSpec:
    """What the estimators need to know about a model."""

    name: str
    family: str  # the counter: gpt2 | bert | llama | neox | opt | falcon | phi | t5 | mixtral | vit | clip | resnet | published | generic
    params: int
    d_model: int = 0
    n_layers: int = 0
    n_heads: int = 0
    n_kv_heads: int = 0
    d_ff: int = 0
    vocab: int = 0  # 0: no language-model head (no logits term)
    seq_len: int = 0  # tokens per sample (for ViT: patches + CLS)
    mlp: str = "gelu"  # gelu (two matrices) | swiglu (three: SwiGLU or GeGLU)
    norm: str = "layernorm"  # layernorm | rmsnorm
    source: str = ""
    dims: dict[str, Any] = field(default_factory=dict)
    arch_kind: str = ""  # one of ARCH_KINDS
    head_dim: int = 0  # per-head width (Gemma: 256 while d_model/heads is 192)
    tied: bool = False  # LM head shares the token embedding
    active_params: int = 0  # parameters one token uses (MoE: router + top-k experts); = params for dense models

    def __post_init__(self) -> None:
        if not self.arch_kind:
            object.__setattr__(self, "arch_kind", _ARCH_OF_FAMILY.get(self.family, "generic"))
        if not self.active_params:
            object.__setattr__(self, "active_params", self.params)
        if not self.head_dim and self.n_heads:
            object.__setattr__(self, "head_dim", self.d_model // self.n_heads)

    @property
    def has_transformer_shape(self) -> bool:
        """True where the single-stack activation formula applies (not MoE, encoder-decoder, CNN or UNet)."""
        return (self.family in TRANSFORMER_FAMILIES and self.arch_kind in SINGLE_STACK_KINDS
                and self.d_model > 0 and self.n_layers > 0)

    @property
    def is_moe(self) -> bool:
        return self.arch_kind == "moe-decoder"

    @property
    def has_activation_shape(self) -> bool:
        """True where the per-layer activation formula applies: a single-stack transformer, or a mixture-of-experts
        decoder laid out like one (Mixtral: attention, then each token through its top-k SwiGLU experts)."""
        return self.has_transformer_shape or (self.is_moe and self.family in MOE_LAYOUTS and self.d_model > 0
                                              and self.n_layers > 0 and int(self.dims.get("top_k", 0)) > 0)


# ---------------------------------------------------------------------------------------------- counters
# One function per layout. Each counts the parameters of the module named in the catalogue entry's
# `counted_module` (weights and biases; no buffers such as rotary inv_freq or attention masks).

def _linear(n_in: int, n_out: int, bias: bool) -> int:
    return n_in * n_out + (n_out if bias else 0)


def count_gpt2(vocab: int, n_positions: int, d_model: int, n_layers: int, d_ff: int, tied: bool = True,
               embedding_norm: bool = False, **_: Any) -> int:
    """GPT-2 (and GPT-3's dense layout): learned positions, pre-LayerNorm, biased fused QKV, GELU MLP.

    BLOOM is this layout with ALiBi instead of learned positions (`n_positions` 0) and a LayerNorm right after the
    word embedding (`embedding_norm`)."""
    d = d_model
    layer = 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + 2 * d + (d * d_ff + d_ff) + (d_ff * d + d)
    return (vocab * d + n_positions * d + (2 * d if embedding_norm else 0) + n_layers * layer + 2 * d
            + (0 if tied else vocab * d))


def count_bert(vocab: int, n_positions: int, d_model: int, n_layers: int, d_ff: int, type_vocab: int = 2,
               pooler: bool = True, **_: Any) -> int:
    """BERT and RoBERTa encoders (word, position and token-type embeddings, post-LayerNorm, optional pooler)."""
    d = d_model
    emb = vocab * d + n_positions * d + type_vocab * d + 2 * d
    layer = 4 * (d * d + d) + 2 * d + (d * d_ff + d_ff) + (d_ff * d + d) + 2 * d
    return emb + n_layers * layer + ((d * d + d) if pooler else 0)


def count_llama(vocab: int, d_model: int, n_layers: int, n_heads: int, d_ff: int, n_kv_heads: int | None = None,
                tied: bool = False, head_dim: int | None = None, qkv_bias: bool = False, norms_per_layer: int = 2,
                qk_norm: bool = False, **_: Any) -> int:
    """Llama-style decoders: RMSNorm, rotary, grouped-query attention, gated MLP (SwiGLU/GeGLU), no biases.

    Covers Llama 2/3, Mistral, CodeLlama, Qwen2.5 and ChatGLM (`qkv_bias`), Gemma (`head_dim` != d/heads, tied),
    Gemma-2 (`norms_per_layer` 4), Qwen3 and Gemma-3 (`qk_norm`: an RMSNorm of one head's width on the queries and
    one on the keys, shared by the heads), Phi-3 (fused qkv and gate_up projections hold the same weights)."""
    d = d_model
    hd = head_dim or d // n_heads
    kv = n_kv_heads or n_heads
    attn = _linear(d, n_heads * hd, qkv_bias) + 2 * _linear(d, kv * hd, qkv_bias) + n_heads * hd * d
    layer = attn + 3 * d * d_ff + norms_per_layer * d + (2 * hd if qk_norm else 0)
    return vocab * d + n_layers * layer + d + (0 if tied else vocab * d)


def count_mixtral(vocab: int, d_model: int, n_layers: int, n_heads: int, d_ff: int, n_experts: int, top_k: int,
                  n_kv_heads: int | None = None, tied: bool = False, active: bool = False, **_: Any) -> int:
    """Mixtral sparse MoE: Llama attention, a router and `n_experts` SwiGLU experts per layer.

    active=True counts what one token uses: the router and `top_k` experts (all attention and embeddings)."""
    d = d_model
    hd = d // n_heads
    kv = n_kv_heads or n_heads
    experts = top_k if active else n_experts
    layer = 2 * d * n_heads * hd + 2 * d * kv * hd + d * n_experts + experts * 3 * d * d_ff + 2 * d
    return vocab * d + n_layers * layer + d + (0 if tied else vocab * d)


def count_neox(vocab: int, d_model: int, n_layers: int, d_ff: int, tied: bool = False, **_: Any) -> int:
    """GPT-NeoX / Pythia: rotary, parallel attention and MLP with two LayerNorms, biased layers, untied head."""
    d = d_model
    layer = 2 * 2 * d + _linear(d, 3 * d, True) + _linear(d, d, True) + _linear(d, d_ff, True) + _linear(d_ff, d, True)
    return vocab * d + n_layers * layer + 2 * d + (0 if tied else vocab * d)


def count_opt(vocab: int, n_positions: int, d_model: int, n_layers: int, d_ff: int, tied: bool = True,
              position_offset: int = 2, **_: Any) -> int:
    """OPT: learned positions with 2 extra rows (offset 2), pre-LayerNorm, biased layers, ReLU MLP, tied head."""
    d = d_model
    layer = 4 * _linear(d, d, True) + 2 * 2 * d + _linear(d, d_ff, True) + _linear(d_ff, d, True)
    return vocab * d + (n_positions + position_offset) * d + n_layers * layer + 2 * d + (0 if tied else vocab * d)


def count_falcon(vocab: int, d_model: int, n_layers: int, n_heads: int, n_kv_heads: int, d_ff: int | None = None,
                 ln_per_layer: int = 1, tied: bool = True, **_: Any) -> int:
    """Falcon: parallel attention/MLP, multi-query (7B: 1 KV head) or grouped (40B: 8) attention, no biases.

    Falcon-7B shares one LayerNorm per layer; the 40B "new decoder architecture" has two (`ln_per_layer`)."""
    d = d_model
    hd = d // n_heads
    ff = d_ff or 4 * d
    layer = d * (n_heads + 2 * n_kv_heads) * hd + d * d + 2 * d * ff + ln_per_layer * 2 * d
    return vocab * d + n_layers * layer + 2 * d + (0 if tied else vocab * d)


def count_phi(vocab: int, d_model: int, n_layers: int, d_ff: int, **_: Any) -> int:
    """Phi-1.5/Phi-2: parallel attention/MLP sharing one LayerNorm, biased q/k/v/dense/fc layers, untied head with bias."""
    d = d_model
    layer = 2 * d + 4 * _linear(d, d, True) + _linear(d, d_ff, True) + _linear(d_ff, d, True)
    return vocab * d + n_layers * layer + 2 * d + _linear(d, vocab, True)


def count_t5(vocab: int, d_model: int, n_layers: int, n_heads: int, d_kv: int, d_ff: int, n_decoder_layers: int | None = None,
             gated: bool = False, tied: bool = True, buckets: int = 32, **_: Any) -> int:
    """T5 encoder-decoder (T5ForConditionalGeneration): shared embedding, no biases, RMS-style LayerNorm (weight
    only), relative attention bias (buckets × heads) in the first layer of each stack, cross-attention in the
    decoder; T5 v1.1 / Flan-T5 use a gated-GELU MLP (`gated`) and an untied LM head."""
    d, inner = d_model, n_heads * d_kv
    attn = 4 * d * inner
    ff = (3 if gated else 2) * d * d_ff
    enc = n_layers * (attn + ff + 2 * d) + buckets * n_heads + d
    dec_layers = n_decoder_layers or n_layers
    dec = dec_layers * (2 * attn + ff + 3 * d) + buckets * n_heads + d
    return vocab * d + enc + dec + (0 if tied else vocab * d)


def _vit_layer(d: int, d_ff: int) -> int:
    return 2 * d + 4 * (d * d + d) + 2 * d + (d * d_ff + d_ff) + (d_ff * d + d)


def count_vit(image_size: int, patch: int, d_model: int, n_layers: int, d_ff: int, num_classes: int = 1000,
              channels: int = 3, **_: Any) -> int:
    """ViT / DeiT classifier (torchvision vit_*, timm deit_*): patch conv, CLS token, learned positions."""
    d = d_model
    tokens = (image_size // patch) ** 2 + 1
    emb = channels * patch * patch * d + d + d + tokens * d  # patch conv (w+b), CLS, positions
    return emb + n_layers * _vit_layer(d, d_ff) + 2 * d + (d * num_classes + num_classes)


def count_clip(vocab: int, text_positions: int, text_d: int, text_layers: int, text_ff: int, image_size: int, patch: int,
               vision_d: int, vision_layers: int, vision_ff: int, projection_dim: int, channels: int = 3, **_: Any) -> int:
    """CLIP (transformers CLIPModel): text transformer, vision transformer (bias-free patch conv, pre- and
    post-LayerNorm), two bias-free projections and the logit scale."""
    text = vocab * text_d + text_positions * text_d + text_layers * _vit_layer(text_d, text_ff) + 2 * text_d
    tokens = (image_size // patch) ** 2 + 1
    vision = (channels * patch * patch * vision_d + vision_d + tokens * vision_d + 2 * vision_d
              + vision_layers * _vit_layer(vision_d, vision_ff) + 2 * vision_d)
    return text + vision + vision_d * projection_dim + text_d * projection_dim + 1


def count_resnet(blocks: list[int], num_classes: int = 1000, block: str = "bottleneck", **_: Any) -> int:
    """torchvision ResNet: BasicBlock (ResNet-18/34) or Bottleneck (ResNet-50/101/152), BatchNorm weight+bias."""
    conv = lambda ci, co, k: ci * co * k * k  # noqa: E731
    bn = lambda c: 2 * c  # noqa: E731
    expansion = 4 if block == "bottleneck" else 1
    total, cin = conv(3, 64, 7) + bn(64), 64
    for stage, n in enumerate(blocks):
        w = 64 * 2**stage
        for b in range(n):
            if block == "bottleneck":
                total += conv(cin, w, 1) + bn(w) + conv(w, w, 3) + bn(w) + conv(w, 4 * w, 1) + bn(4 * w)
            else:
                total += conv(cin, w, 3) + bn(w) + conv(w, w, 3) + bn(w)
            if b == 0 and (cin != expansion * w or stage > 0):
                total += conv(cin, expansion * w, 1) + bn(expansion * w)
            cin = expansion * w
    return total + cin * num_classes + num_classes


COUNTERS = {"gpt2": count_gpt2, "bert": count_bert, "llama": count_llama, "vit": count_vit, "resnet": count_resnet,
            "neox": count_neox, "opt": count_opt, "falcon": count_falcon, "phi": count_phi, "t5": count_t5,
            "mixtral": count_mixtral, "clip": count_clip}


def count(family: str, dims: dict[str, Any]) -> int:
    if family not in COUNTERS:
        raise InputError(f"no parameter counter for family {family!r}; known: {', '.join(sorted(COUNTERS))}")
    return COUNTERS[family](**dims)


def count_active(family: str, dims: dict[str, Any]) -> int:
    """Parameters one token uses: the total for dense models, router + top-k experts for MoE."""
    return count_mixtral(**{**dims, "active": True}) if family == "mixtral" else count(family, dims)


def embedding_params(family: str, dims: dict[str, Any]) -> int:
    """Token-embedding parameters (plus an untied LM head): what papers leave out of "non-embedding" counts."""
    if "vocab" not in dims or "d_model" not in dims:
        return 0
    return dims["vocab"] * dims["d_model"] * (1 if dims.get("tied", family in ("gpt2", "opt", "t5", "falcon")) else 2)


# ---------------------------------------------------------------------------------------------- presets

@lru_cache(maxsize=1)
def _presets() -> dict[str, dict[str, Any]]:
    from advisor.domain.datafile import read_catalogue

    return read_catalogue(CATALOGUE, "presets", "the model catalogue")["presets"]


def catalogue_entry(name: str) -> dict[str, Any]:
    """The catalogue's record of a preset (aliases, family, counted module, dims, source), as written in the YAML."""
    return dict(_presets()[name])


def has_preset(name: str) -> bool:
    """Whether the catalogue has a model of this id (a lookup, without sorting every name as preset_names does)."""
    return name in _presets()


def preset_names() -> list[str]:
    return sorted(_presets())


SIZE_LETTERS = frozenset("nsmlx")  # YOLO's variants: yolov8n … yolov8x


def line_members(family: str) -> list[str]:
    """The catalogue's models of one line in its sizes, for a name said without one: 'bert' → bert-base, bert-large;
    'yolov8' → yolov8n … yolov8x; 'resnet' → resnet18 … resnet152; 'gpt2' → gpt2 … gpt2-xl - the name itself or one
    part more (not llama-2-7b for 'llama', another generation, nor qwen2.5-vl-7b for 'qwen2.5', another kind), in
    the order of their sizes."""
    family = family.lower()
    out = []
    for name in preset_names():
        rest = name[len(family):] if name.startswith(family) else ""
        if name == family or rest.startswith("-") and len(rest) > 1 and "-" not in rest[1:] \
                or rest.isdigit() or len(rest) == 1 and rest in SIZE_LETTERS:
            out.append(name)
    return sorted(out, key=lambda name: (preset(name).params, name))


def spec_from_dims(name: str, family: str, dims: dict[str, Any], seq_len: int | None = None, source: str = "",
                   arch_kind: str = "") -> ModelSpec:
    params = count(family, dims)
    active = count_active(family, dims)
    kind = arch_kind or _ARCH_OF_FAMILY.get(family, "generic")
    if family == "vit":
        tokens = (dims["image_size"] // dims["patch"]) ** 2 + 1
        return ModelSpec(name, family, params, dims["d_model"], dims["n_layers"], dims["n_heads"], dims["n_heads"],
                         dims["d_ff"], 0, tokens, "gelu", "layernorm", source, dims, kind)
    if family == "clip":
        tokens = (dims["image_size"] // dims["patch"]) ** 2 + 1
        return ModelSpec(name, family, params, dims["vision_d"], dims["vision_layers"], 0, 0, dims["vision_ff"], 0, tokens,
                         source=source, dims=dims, arch_kind=kind)
    if family == "resnet":
        return ModelSpec(name, family, params, source=source, dims=dims, arch_kind=kind)
    gated = family in ("llama", "mixtral") or dims.get("gated", False)
    rms = family in ("llama", "mixtral", "t5")
    n_heads = dims["n_heads"]
    d = dims["d_model"]
    if family == "t5":
        head_dim = dims["d_kv"]
    else:
        head_dim = dims.get("head_dim") or d // n_heads
    tied = bool(dims.get("tied", family in ("gpt2", "opt", "t5", "falcon")))
    return ModelSpec(
        name, family, params, d, dims["n_layers"], n_heads, dims.get("n_kv_heads") or n_heads,
        dims.get("d_ff") or 4 * d,
        vocab=0 if family == "bert" else dims["vocab"],  # BertModel has no LM head
        seq_len=seq_len or dims.get("n_positions", 0), mlp="swiglu" if gated else "gelu",
        norm="rmsnorm" if rms else "layernorm", source=source, dims=dims, arch_kind=kind, head_dim=head_dim,
        tied=tied, active_params=active)


def _spec_from_entry(key: str, entry: dict[str, Any], seq_len: int | None) -> ModelSpec:
    source = entry.get("source", "")
    source = "; ".join(source) if isinstance(source, list) else str(source)
    family = entry["family"]
    if family == "published":  # no counter: the published total is the count
        total = int(entry["params_total"])
        return ModelSpec(key, "published", total, source=source, dims={}, arch_kind=entry.get("arch_kind", "generic"),
                         active_params=int(entry.get("params_active") or total))
    return spec_from_dims(key, family, entry["dims"], seq_len or entry.get("seq_len"), source, entry.get("arch_kind", ""))


def preset(name: str, seq_len: int | None = None) -> ModelSpec:
    """A catalogue model by id or alias: case, separators, an org prefix and suffixes such as -hf, -chat,
    -instruct, -it, -base, -v0.1 do not matter (`llama2-7b`, `meta-llama/Llama-2-7b-chat-hf` → llama-2-7b)."""
    table = _presets()
    key = _lookup_name(name)
    if key is not None:
        return _spec_from_entry(key, table[key], seq_len)
    from difflib import get_close_matches

    wanted = str(name).strip().lower()
    hint = get_close_matches(wanted, list(table), n=1)
    raise InputError(f"unknown preset {name!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
                     + f"; known: {', '.join(sorted(table))} (see advisor estimate --presets)")


def at_image_size(spec: ModelSpec, image_size: int | None) -> ModelSpec:
    """A vision model at the image size it is trained at: "ViT-L/16 at 384px" has (384 / 16)² + 1 = 577 tokens, not
    the checkpoint's 197 at 224px, and a ResNet's feature maps at 512² hold (512 / 224)² = 5.2× the activations of
    224² (the other models as they are)."""
    if not image_size or int(image_size) == spec.dims.get("image_size"):
        return spec
    if spec.family == "resnet" and "blocks" in spec.dims:
        return replace(spec, dims={**spec.dims, "image_size": int(image_size)})
    patch = spec.dims.get("patch") if spec.family == "vit" else None
    if not patch:
        return spec
    return replace(spec, seq_len=(int(image_size) // int(patch)) ** 2 + 1, dims={**spec.dims, "image_size": int(image_size)})


# ---------------------------------------------------------------------------------------------- names in text
# Names are compared as token sequences: lower case, split at every change between letters and digits and at
# anything else ("Llama-2-7B" and "llama2 7b" are both llama|2|7|b; "Qwen2.5-7B" is qwen|2.5|7|b). Matching a
# phrase is one pass over its tokens with a dict lookup per token, so it is linear in the input's length.

MAX_TEXT = 100_000  # characters of a phrase the finders look at
_SUFFIXES: tuple[tuple[str, ...], ...] = (("hf",), ("chat",), ("instruct",), ("it",), ("base",), ("v", "0.1"))


def name_tokens(text: str) -> list[str]:
    """Lower-case alphanumeric tokens, split at letter/digit changes; a '.' between digits stays in the number."""
    text = text[:MAX_TEXT].lower().replace("×", "x")
    tokens: list[str] = []
    current: list[str] = []
    kind = ""
    n = len(text)
    for i, ch in enumerate(text):
        if ch.isascii() and ch.isalpha():
            k = "a"
        elif ch.isascii() and ch.isdigit():
            k = "d"
        elif ch == "." and kind == "d" and i + 1 < n and text[i + 1].isascii() and text[i + 1].isdigit():
            current.append(ch)
            continue
        else:
            k = ""
        if k != kind:
            if current:
                tokens.append("".join(current))
            current, kind = [], k
        if k:
            current.append(ch)
    if current:
        tokens.append("".join(current))
    return tokens


class NameIndex:
    """Aliases as token tuples, indexed by their first token; `find` returns the leftmost, then longest, match."""

    def __init__(self, pairs: Iterable[tuple[str, str]]):
        self.exact: dict[tuple[str, ...], str] = {}
        by_first: dict[str, list[tuple[str, ...]]] = {}
        for alias, target in pairs:
            toks = tuple(name_tokens(alias))
            if not toks:
                continue
            previous = self.exact.setdefault(toks, target)
            if previous != target:
                raise InputError(f"alias {alias!r} names both {previous!r} and {target!r}")
            by_first.setdefault(toks[0], []).append(toks)
        self.by_first = {k: sorted(set(v), key=len, reverse=True) for k, v in by_first.items()}
        self.first_words = frozenset(self.by_first)  # (a set: a clause's words meet it faster than a dict's keys)
        # aliases of two tokens or more by their first two ("a", "100"): a common first token ("a", "h") then costs a
        # dictionary lookup, not a comparison with each of its aliases
        self.by_pair: dict[tuple[str, str], list[tuple[str, ...]]] = {}
        for cands in self.by_first.values():
            for cand in cands:
                if len(cand) >= 2:
                    self.by_pair.setdefault(cand[:2], []).append(cand)

    def find(self, tokens: list[str], start: int = 0) -> tuple[int, int, str] | None:
        """(first token, end token, target) of the leftmost-longest alias in tokens[start:]."""
        for i in range(start, len(tokens)):
            for cand in self.by_first.get(tokens[i], ()):
                if tuple(tokens[i:i + len(cand)]) == cand:
                    return i, i + len(cand), self.exact[cand]
        return None


def _strip_org(name: str) -> str:
    """'meta-llama/Llama-2-7b-hf' → 'Llama-2-7b-hf'; 'vit-b/16' is left alone (the part after '/' is no name)."""
    name = str(name).strip()
    org, _, rest = name.rpartition("/")
    if org and " " not in org and rest[:1].isalpha() and len(name_tokens(rest)) >= 2:
        return rest
    return name


@lru_cache(maxsize=1)
def model_index() -> NameIndex:
    return NameIndex(model_aliases())


def model_aliases() -> list[tuple[str, str]]:
    """Every (alias, model id) pair, ids included; org-prefixed aliases also without the org."""
    pairs: list[tuple[str, str]] = []
    for key, entry in _presets().items():
        pairs.append((key, key))
        for alias in entry.get("aliases", []):
            pairs.append((str(alias), key))
            if _strip_org(str(alias)) != str(alias):
                pairs.append((_strip_org(str(alias)), key))
    return pairs


def model_id_of(name: str) -> str | None:
    """The catalogue's id for a model's whole name as people write it ('Llama 2 7B', 'meta-llama/Llama-2-7b-hf'),
    or None: a lookup, never a guess."""
    return _lookup_name(name)


def _lookup_name(name: str) -> str | None:
    """The model id for a whole name, trying the full name first, then without trailing suffixes."""
    index = model_index()
    for candidate in (str(name), _strip_org(str(name))):
        toks = name_tokens(candidate)
        while toks:
            hit = index.exact.get(tuple(toks))
            if hit is not None:
                return hit
            for suffix in _SUFFIXES:
                if len(toks) > len(suffix) and tuple(toks[-len(suffix):]) == suffix:
                    toks = toks[:-len(suffix)]
                    break
            else:
                break
    return None


def find_model(text: str) -> ModelSpec | None:
    """The first catalogue model named in a phrase ("fine-tuning Llama-3-8B-Instruct with LoRA" → llama-3-8b).

    A size alone ("a 7B model") names no model: None."""
    hit = model_index().find(name_tokens(text))
    return None if hit is None else preset(hit[2])


# ---------------------------------------------------------------------------------------------- local files

_HF_FAMILY = {"gpt2": "gpt2", "bert": "bert", "roberta": "bert", "llama": "llama", "mistral": "llama",
              "qwen2": "llama", "vit": "vit"}
MAX_CONFIG_BYTES = 4 * 2**20  # a config.json is a few KB
MAX_HEADER_BYTES = 100_000_000  # safetensors' own limit on the JSON header


def _regular_file(path: Path) -> None:
    """InputError unless path is an existing regular file (a FIFO or a device would block or never end)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputError("no such file", str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", str(path)) from None
    if not stat.S_ISREG(mode):
        raise InputError("not a regular file (expected a JSON or .safetensors file, not a directory, FIFO or device)", str(path))


def _read_bounded(path: Path, limit: int, what: str) -> bytes:
    _regular_file(path)
    try:
        with path.open("rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", str(path)) from None
    if len(data) > limit:
        raise InputError(f"larger than {limit:,} bytes; expected {what}", str(path))
    return data


def _positive_int(value: Any, key: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InputError(f"{key} must be a positive integer, got {value!r}", where)
    return value


def from_hf_config(path: str | Path, seq_len: int | None = None) -> ModelSpec:
    """A ModelSpec from a local Hugging Face config.json (no network, no transformers)."""
    from advisor.files import path_kind

    path = Path(path)
    if path_kind(path) == "folder":
        path = path / "config.json"
    raw = _read_bounded(path, MAX_CONFIG_BYTES, "a Hugging Face config.json")
    try:
        cfg = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"not a readable JSON config: {exc}", str(path)) from None
    if not isinstance(cfg, dict):
        raise InputError(f"expected a JSON object (a Hugging Face config.json), got a JSON {type(cfg).__name__}", str(path))
    return spec_from_hf_config(cfg, str(path), path.parent.name, seq_len)


def hf_config_supported(cfg: dict[str, Any]) -> bool:
    """Whether the parameters of this config.json's model_type can be counted from its shapes."""
    return isinstance(cfg.get("model_type"), str) and cfg["model_type"] in _HF_FAMILY


def spec_from_hf_config(cfg: dict[str, Any], where: str, name: str = "", seq_len: int | None = None) -> ModelSpec:
    """A ModelSpec from the parsed object of a Hugging Face config.json; `where` names it in errors."""
    model_type = cfg.get("model_type")
    family = _HF_FAMILY.get(model_type) if isinstance(model_type, str) else None
    if family is None:
        raise InputError(f"model_type {model_type!r} is not supported; supported: {', '.join(sorted(_HF_FAMILY))} "
                         f"(use --params for model states only, or --model for exact tracing)", where)
    g = lambda *keys, default=None: next((cfg[k] for k in keys if k in cfg), default)  # noqa: E731
    d = g("hidden_size", "n_embd", "d_model")
    dims: dict[str, Any] = {"d_model": d, "n_layers": g("num_hidden_layers", "n_layer"),
                            "n_heads": g("num_attention_heads", "n_head")}
    if family == "vit":
        labels = cfg.get("id2label")
        dims.update(image_size=g("image_size", default=224), patch=g("patch_size", default=16),
                    d_ff=g("intermediate_size", default=None),
                    num_classes=(len(labels) if isinstance(labels, dict) and labels else 1000))
    else:
        dims.update(vocab=g("vocab_size"), n_positions=g("max_position_embeddings", "n_positions", default=0),
                    d_ff=g("intermediate_size", "n_inner", default=None))
        if family == "llama":
            dims.update(n_kv_heads=g("num_key_value_heads", default=dims["n_heads"]), tied=bool(g("tie_word_embeddings", default=False)))
            if model_type == "qwen2":
                dims["qkv_bias"] = True
            if g("head_dim") is not None:
                dims["head_dim"] = g("head_dim")
        if family == "gpt2":
            dims["tied"] = bool(g("tie_word_embeddings", default=True))
        if family == "bert":
            dims["type_vocab"] = g("type_vocab_size", default=2)
    missing = [k for k, v in dims.items() if v is None and k != "d_ff"]
    if missing:
        raise InputError(f"config lacks {', '.join(missing)}", where)
    for key in ("d_model", "n_layers", "n_heads", "vocab", "n_kv_heads", "image_size", "patch", "type_vocab", "head_dim"):
        if key in dims:
            dims[key] = _positive_int(dims[key], key, where)
    if dims.get("n_positions") is not None and dims["n_positions"] != 0:
        dims["n_positions"] = _positive_int(dims["n_positions"], "n_positions", where)
    dims["d_ff"] = _positive_int(dims["d_ff"], "d_ff", where) if dims.get("d_ff") is not None else 4 * dims["d_model"]
    if family == "vit" and dims["patch"] > dims["image_size"]:
        raise InputError(f"patch_size {dims['patch']} is larger than image_size {dims['image_size']}", where)
    if family != "vit" and "head_dim" not in dims and dims["d_model"] % dims["n_heads"]:
        raise InputError(f"hidden size {dims['d_model']} is not a multiple of {dims['n_heads']} heads", where)
    return spec_from_dims(name or model_type, family, dims, seq_len, where)


def preset_with_shape(spec: ModelSpec) -> str | None:
    """The catalogue preset with exactly this model's shape (family, width, depth, heads, vocabulary and parameter
    count), so that a config.json of a catalogue model gets the preset's activation model; None if there is none."""
    for name in preset_names():
        other = preset(name)
        if (other.family, other.params, other.d_model, other.n_layers, other.n_heads, other.vocab) == \
                (spec.family, spec.params, spec.d_model, spec.n_layers, spec.n_heads, spec.vocab):
            return name
    return None


DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
               "F8_E4M3": 1, "F8_E5M2": 1}


def safetensors_params(path: str | Path) -> dict[str, int]:
    """Parameter counts per dtype from a .safetensors header: u64 little-endian N, then N bytes of JSON."""
    path = Path(path)
    _regular_file(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            raw = f.read(8)
            if len(raw) != 8:
                raise InputError("too short to be a .safetensors file (expected an 8-byte header length)", str(path))
            (n,) = struct.unpack("<Q", raw)
            if n == 0 or n > MAX_HEADER_BYTES or n > size - 8:
                raise InputError(f"header length {n:,} is implausible for a {size:,}-byte file "
                                 f"(expected 1..{min(MAX_HEADER_BYTES, max(size - 8, 0)):,}); not a .safetensors file", str(path))
            body = f.read(n)
        header = json.loads(body.decode("utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the safetensors header: {exc.strerror or exc}", str(path)) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"the safetensors header is not JSON: {exc}", str(path)) from None
    if not isinstance(header, dict):
        raise InputError(f"the safetensors header is a JSON {type(header).__name__}, expected an object of tensors", str(path))
    counts: dict[str, int] = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        shape = entry.get("shape") if isinstance(entry, dict) else None
        dtype = entry.get("dtype") if isinstance(entry, dict) else None
        if not isinstance(dtype, str) or not isinstance(shape, list) or not all(
                isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in shape):
            raise InputError(f"tensor {name!r} has no valid dtype and shape (expected a dtype string and a list of "
                             f"non-negative integers)", str(path))
        counts[dtype] = counts.get(dtype, 0) + math.prod(shape)
    return counts
