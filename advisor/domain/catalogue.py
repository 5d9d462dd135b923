"""The model catalogue and parameter counting from shapes.

Presets (advisor/data/models.yaml) carry the shapes the memory estimators need; their parameter counts are
computed here, one formula per architecture family, and tested against the published totals. A local
Hugging Face `config.json` or a `.safetensors` header is read without torch and without the network.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from advisor.errors import InputError

CATALOGUE = Path(__file__).parent / "data" / "models.yaml"
TRANSFORMER_FAMILIES = ("gpt2", "bert", "llama", "vit")


@dataclass(frozen=True)
class ModelSpec:
    """What the estimators need to know about a model."""

    name: str
    family: str  # gpt2 | bert | llama | vit | resnet | generic
    params: int
    d_model: int = 0
    n_layers: int = 0
    n_heads: int = 0
    n_kv_heads: int = 0
    d_ff: int = 0
    vocab: int = 0  # 0: no language-model head (no logits term)
    seq_len: int = 0  # tokens per sample (for ViT: patches + CLS)
    mlp: str = "gelu"  # gelu (two matrices) | swiglu (three)
    norm: str = "layernorm"  # layernorm | rmsnorm
    source: str = ""
    dims: dict[str, Any] = field(default_factory=dict)

    @property
    def has_transformer_shape(self) -> bool:
        return self.family in TRANSFORMER_FAMILIES and self.d_model > 0 and self.n_layers > 0


# ---------------------------------------------------------------------------------------------- counters

def count_gpt2(vocab: int, n_positions: int, d_model: int, n_layers: int, d_ff: int, tied: bool = True, **_: Any) -> int:
    d = d_model
    layer = 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + 2 * d + (d * d_ff + d_ff) + (d_ff * d + d)
    return vocab * d + n_positions * d + n_layers * layer + 2 * d + (0 if tied else vocab * d)


def count_bert(vocab: int, n_positions: int, d_model: int, n_layers: int, d_ff: int, type_vocab: int = 2,
               pooler: bool = True, **_: Any) -> int:
    d = d_model
    emb = vocab * d + n_positions * d + type_vocab * d + 2 * d
    layer = 4 * (d * d + d) + 2 * d + (d * d_ff + d_ff) + (d_ff * d + d) + 2 * d
    return emb + n_layers * layer + ((d * d + d) if pooler else 0)


def count_llama(vocab: int, d_model: int, n_layers: int, n_heads: int, d_ff: int, n_kv_heads: int | None = None,
                tied: bool = False, **_: Any) -> int:
    d = d_model
    head_dim = d // n_heads
    kv = n_kv_heads or n_heads
    layer = 2 * d * d + 2 * d * kv * head_dim + 3 * d * d_ff + 2 * d  # q,o; k,v; gate,up,down; two RMSNorms
    return vocab * d + n_layers * layer + d + (0 if tied else vocab * d)


def count_vit(image_size: int, patch: int, d_model: int, n_layers: int, d_ff: int, num_classes: int = 1000,
              channels: int = 3, **_: Any) -> int:
    d = d_model
    tokens = (image_size // patch) ** 2 + 1
    emb = channels * patch * patch * d + d + d + tokens * d  # patch conv (w+b), CLS, positions
    layer = 2 * d + 4 * (d * d + d) + 2 * d + (d * d_ff + d_ff) + (d_ff * d + d)
    return emb + n_layers * layer + 2 * d + (d * num_classes + num_classes)


def count_resnet(blocks: list[int], num_classes: int = 1000, **_: Any) -> int:
    conv = lambda ci, co, k: ci * co * k * k  # noqa: E731
    bn = lambda c: 2 * c  # noqa: E731
    total, cin = conv(3, 64, 7) + bn(64), 64
    for stage, n in enumerate(blocks):
        w = 64 * 2**stage
        for b in range(n):
            total += conv(cin, w, 1) + bn(w) + conv(w, w, 3) + bn(w) + conv(w, 4 * w, 1) + bn(4 * w)
            if b == 0:
                total += conv(cin, 4 * w, 1) + bn(4 * w)
            cin = 4 * w
    return total + cin * num_classes + num_classes


COUNTERS = {"gpt2": count_gpt2, "bert": count_bert, "llama": count_llama, "vit": count_vit, "resnet": count_resnet}


def count(family: str, dims: dict[str, Any]) -> int:
    if family not in COUNTERS:
        raise InputError(f"no parameter counter for family {family!r}; known: {', '.join(sorted(COUNTERS))}")
    return COUNTERS[family](**dims)


# ---------------------------------------------------------------------------------------------- presets

@lru_cache(maxsize=1)
def _presets() -> dict[str, dict[str, Any]]:
    return yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))["presets"]


def preset_names() -> list[str]:
    return sorted(_presets())


def spec_from_dims(name: str, family: str, dims: dict[str, Any], seq_len: int | None = None, source: str = "") -> ModelSpec:
    params = count(family, dims)
    if family == "vit":
        tokens = (dims["image_size"] // dims["patch"]) ** 2 + 1
        return ModelSpec(name, family, params, dims["d_model"], dims["n_layers"], dims["n_heads"], dims["n_heads"],
                         dims["d_ff"], 0, tokens, "gelu", "layernorm", source, dims)
    if family == "resnet":
        return ModelSpec(name, family, params, source=source, dims=dims)
    llama = family == "llama"
    return ModelSpec(
        name, family, params, dims["d_model"], dims["n_layers"], dims["n_heads"],
        dims.get("n_kv_heads") or dims["n_heads"], dims["d_ff"],
        vocab=dims["vocab"] if family in ("gpt2", "llama") else 0,  # BertModel has no LM head
        seq_len=seq_len or dims.get("n_positions", 0), mlp="swiglu" if llama else "gelu",
        norm="rmsnorm" if llama else "layernorm", source=source, dims=dims)


def preset(name: str, seq_len: int | None = None) -> ModelSpec:
    table = _presets()
    key = name.strip().lower()
    for preset_name, entry in table.items():
        if key == preset_name or key in [a.lower() for a in entry.get("aliases", [])]:
            return spec_from_dims(preset_name, entry["family"], entry["dims"], seq_len or entry.get("seq_len"),
                                  entry.get("source", ""))
    from difflib import get_close_matches

    hint = get_close_matches(key, list(table), n=1)
    raise InputError(f"unknown preset {name!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
                     + f"; known: {', '.join(sorted(table))} (see advisor estimate --presets)")


# ---------------------------------------------------------------------------------------------- local files

_HF_FAMILY = {"gpt2": "gpt2", "bert": "bert", "roberta": "bert", "llama": "llama", "mistral": "llama",
              "qwen2": "llama", "vit": "vit"}


def from_hf_config(path: str | Path, seq_len: int | None = None) -> ModelSpec:
    """A ModelSpec from a local Hugging Face config.json (no network, no transformers)."""
    path = Path(path)
    if path.is_dir():
        path = path / "config.json"
    try:
        cfg = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("no such file", str(path)) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"not a readable JSON config: {exc}", str(path)) from None
    model_type = cfg.get("model_type")
    family = _HF_FAMILY.get(model_type)
    if family is None:
        raise InputError(f"model_type {model_type!r} is not supported; supported: {', '.join(sorted(_HF_FAMILY))} "
                         f"(use --params for model states only, or --model for exact tracing)", str(path))
    g = lambda *keys, default=None: next((cfg[k] for k in keys if k in cfg), default)  # noqa: E731
    d = g("hidden_size", "n_embd", "d_model")
    dims: dict[str, Any] = {"d_model": d, "n_layers": g("num_hidden_layers", "n_layer"),
                            "n_heads": g("num_attention_heads", "n_head")}
    if family == "vit":
        dims.update(image_size=g("image_size", default=224), patch=g("patch_size", default=16),
                    d_ff=g("intermediate_size", default=4 * d), num_classes=len(cfg.get("id2label", {})) or 1000)
    else:
        dims.update(vocab=g("vocab_size"), n_positions=g("max_position_embeddings", "n_positions", default=0),
                    d_ff=g("intermediate_size", "n_inner", default=None) or 4 * d)
        if family == "llama":
            dims.update(n_kv_heads=g("num_key_value_heads", default=dims["n_heads"]), tied=bool(g("tie_word_embeddings", default=False)))
        if family == "gpt2":
            dims["tied"] = bool(g("tie_word_embeddings", default=True))
        if family == "bert":
            dims["type_vocab"] = g("type_vocab_size", default=2)
    missing = [k for k, v in dims.items() if v is None]
    if missing:
        raise InputError(f"config lacks {', '.join(missing)}", str(path))
    return spec_from_dims(path.parent.name or model_type, family, dims, seq_len, f"{path}")


DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
               "F8_E4M3": 1, "F8_E5M2": 1}


def safetensors_params(path: str | Path) -> dict[str, int]:
    """Parameter counts per dtype from a .safetensors header: u64 little-endian N, then N bytes of JSON."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            raw = f.read(8)
            if len(raw) != 8:
                raise InputError("too short to be a .safetensors file", str(path))
            (n,) = struct.unpack("<Q", raw)
            if n > 100_000_000:
                raise InputError("header length is implausible; not a .safetensors file", str(path))
            header = json.loads(f.read(n))
    except FileNotFoundError:
        raise InputError("no such file", str(path)) from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the safetensors header: {exc}", str(path)) from None
    counts: dict[str, int] = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        counts[entry["dtype"]] = counts.get(entry["dtype"], 0) + math.prod(entry["shape"])
    return counts
