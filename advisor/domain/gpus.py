"""The GPU catalogue (advisor/domain/data/gpus.yaml) and a matcher for GPU names in short phrases.

The YAML is read on first use (lru_cache), never at import time, so `advisor answer` starts fast. Matching
is a token-sequence lookup (the model catalogue's `name_tokens`/`NameIndex`): one pass over the phrase's
tokens with a dict lookup per token, linear in its length, no backtracking regular expression.

Conventions: `memory_gb` is the marketed size (a card sold as "N GB" has N GiB nominal);
`memory_bytes` is what the runtime reports where a public source shows it, else the nominal N GiB.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from advisor.domain.catalogue import NameIndex, name_tokens
from advisor.errors import InputError

GPUS = Path(__file__).parent / "data" / "gpus.yaml"
GiB = 2**30
# Words people put around a GPU name that do not change which card it is.
NOISE = frozenset({"nvidia", "geforce", "tesla", "amd", "instinct", "radeon", "quadro", "rtx", "gpu", "gpus", "card"})
# ...except right before the number of a card marked `brand_needed` ("RTX 8000", "Quadro RTX 6000"): alone, "8000"
# is just a number ("8000 tokens"), and "Quadro RTX 6000" (Turing, 24 GB) is not the "RTX 6000" family.
BRAND_WORDS = frozenset({"quadro", "rtx"})
MEMORY_UNITS = frozenset({"gb", "g", "gib", "gig", "gigs"})
ARCH_WITH_BF16 = frozenset({"ampere", "ada", "hopper", "blackwell", "cdna", "cdna2", "cdna3", "rdna3", "davinci",
                            "alchemist", "battlemage"})  # (Intel Arc's XMX engines run bf16)
# Tensor cores (fast fp16 matrix math) arrived with Volta; AMD's matrix cores with CDNA. Older cards run fp16
# autocast for its memory saving but with little or no speed-up (Huawei's Ascend NPUs, DaVinci: cube units). An entry may say `tensor_cores: false` where its
# chip lacks what its architecture has (the GTX 16 series is Turing without tensor cores).
ARCH_WITH_TENSOR_CORES = frozenset({"volta", "turing", "ampere", "ada", "hopper", "blackwell", "cdna", "cdna2", "cdna3",
                                    "rdna3", "davinci", "alchemist", "battlemage"})


@dataclass(frozen=True)
class GpuSpec:
    id: str
    names: tuple[str, ...]
    memory_gb: float
    memory_bytes_reported: int | None
    reported: str
    bf16: bool
    fp16_tflops_dense: float | None
    bf16_tflops_dense: float | None
    arch: str
    vendor: str
    source: tuple[str, ...]
    family: str | None = None
    note: str = ""
    tensor_cores: bool | None = None  # None: as its architecture
    nvlink: bool | None = None  # False: the card has no NVLink bridge (GeForce RTX 40 and 50, RTX 30 below the 3090)

    @property
    def has_tensor_cores(self) -> bool:
        return self.arch in ARCH_WITH_TENSOR_CORES if self.tensor_cores is None else self.tensor_cores

    @property
    def memory_bytes(self) -> int:
        """What the runtime reports where a public source shows it, else the nominal size in GiB."""
        return self.memory_bytes_reported or int(self.memory_gb * GiB)


@dataclass(frozen=True)
class GpuMatch:
    """A GPU found in text: one card (`gpu`), or several (`candidates`) when the name is ambiguous (a family
    such as "A100" without a memory size, or a platform such as Kaggle that offers several)."""

    id: str  # a GPU id, a family id or a platform id
    gpu: GpuSpec | None
    candidates: tuple[GpuSpec, ...]
    text: str  # the words that matched
    memory_gb_said: float | None = None  # a size written next to the name ("A100 80GB")
    platform: str | None = None
    count: int = 1  # GPUs of that kind the platform gives (Kaggle's T4 x2)
    counts: tuple[int, ...] = ()  # per candidate, for platforms

    @property
    def ambiguous(self) -> bool:
        return self.gpu is None


# ---------------------------------------------------------------------------------------------- loading

@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    from advisor.domain.datafile import read_catalogue

    data = read_catalogue(GPUS, "gpus", "the GPU catalogue")
    data.setdefault("families", {})
    data.setdefault("platforms", {})
    return data


@lru_cache(maxsize=1)
def gpus() -> dict[str, GpuSpec]:
    out = {}
    for gid, e in _data()["gpus"].items():
        out[gid] = GpuSpec(gid, tuple(e.get("names", [])), float(e["memory_gb"]), e.get("memory_bytes_reported"),
                           e.get("reported", "nominal"), bool(e["bf16"]), e.get("fp16_tflops_dense"),
                           e.get("bf16_tflops_dense"), e["arch"], e.get("vendor", "nvidia"), tuple(e.get("source", [])),
                           e.get("family"), e.get("note", ""), e.get("tensor_cores"), e.get("nvlink"))
    return out


def gpu(gid: str) -> GpuSpec:
    table = gpus()
    if gid in table:
        return table[gid]
    found = find_gpu(gid)
    if found is not None and found.gpu is not None:
        return found.gpu
    raise InputError(f"unknown GPU {gid!r}; known: {', '.join(sorted(table))}")


@lru_cache(maxsize=1)
def families() -> dict[str, tuple[GpuSpec, ...]]:
    """Family id -> its members (one table, built once: read it, do not change it)."""
    table = gpus()
    return {fid: tuple(table[m] for m in f["members"]) for fid, f in _data()["families"].items()}


def platforms() -> dict[str, dict[str, Any]]:
    return dict(_data()["platforms"])


def aliases() -> list[tuple[str, str]]:
    """Every (alias, id) pair for a tokenizing reader: GPU ids and names, family names (→ family id) and
    platform names (→ platform id). Resolve an id with `find_gpu(alias)`."""
    pairs: list[tuple[str, str]] = []
    for gid, spec in gpus().items():
        pairs.append((gid, gid))
        pairs += [(name, gid) for name in spec.names]
    for fid, f in _data()["families"].items():
        pairs += [(name, fid) for name in f["names"]]
    for pid, p in _data()["platforms"].items():
        pairs += [(name, pid) for name in p["names"]]
    return pairs


@lru_cache(maxsize=1)
def brand_numbers() -> frozenset[str]:
    """The numbers that name a card only with its brand word before them: the first token after the brand words
    in each name of a `brand_needed` entry ("Quadro RTX 8000" → "8000")."""
    numbers = set()
    for e in _data()["gpus"].values():
        if e.get("brand_needed"):
            for name in e.get("names", []):
                numbers.update([t for t in name_tokens(name) if t not in NOISE][:1])
    return frozenset(t for t in numbers if t.isdigit())


def card_tokens(text: str) -> list[str]:
    """The tokens of a phrase that can name a card: NOISE words dropped, except the brand words right before a
    brand number ("RTX 8000", "Quadro RTX 6000"). One pass, linear in the phrase."""
    tokens = name_tokens(text)
    numbers = brand_numbers()
    # ("TITAN RTX": the brand word is the model's name after "titan", which alone names a family of cards)
    keep = [t not in NOISE or t == "rtx" and i > 0 and tokens[i - 1] == "titan" for i, t in enumerate(tokens)]
    for i, t in enumerate(tokens):
        j = i - 1
        while t in numbers and j >= 0 and tokens[j] in BRAND_WORDS and not keep[j]:
            keep[j] = True
            j -= 1
    return [t for t, k in zip(tokens, keep) if k]


def _key(alias: str) -> tuple[str, ...]:
    return tuple(card_tokens(alias))


@lru_cache(maxsize=1)
def name_index() -> NameIndex:
    # NOISE words are dropped from aliases as from phrases, so "GeForce RTX 3090" and "3090" are one key; a name
    # that ends in "Ti" is also written in the plural, glued ("two RTX 2080Tis": the words '2080', 'tis'), where
    # no card's own alias is written so
    keys = [(_key(alias), target) for alias, target in aliases() if _key(alias)]
    plural: dict[tuple[str, ...], str | None] = {}
    for key, target in keys:
        if key[-1] == "ti":  # (a plural two cards' names share, "4070 Tis", names neither)
            plural[key[:-1] + ("tis",)] = target if plural.get(key[:-1] + ("tis",), target) == target else None
    named = {key for key, _ in keys}  # ("4070 TiS" is the Ti Super's own alias: no plural there)
    keys += [(key, target) for key, target in plural.items() if target is not None and key not in named]
    return NameIndex((" ".join(key), target) for key, target in keys)


# ---------------------------------------------------------------------------------------------- matching

def _number(token: str) -> float | None:
    try:
        return float(token)
    except ValueError:
        return None


# words that end a card's name and its form factor: a size after them is not the card's
# ("4x A800 per gpu 30G memory usage": a size after 'per' or 'from' is a use, not the card's)
NOT_THE_CARDS = frozenset({"and", "plus", "or", "on", "in", "for", "at", "to", "but", "&", "+", "using", "per", "from",
                           "uses"})
HOST_MEMORY = frozenset({"dram", "cpu", "host", "system", "disk", "ssd"})  # (not RAM: "a V100 with 32GB RAM" is its own)


def _memory_near(tokens: list[str], start: int, end: int) -> float | None:
    """A size such as "80GB" / "80G" right after the name (a few form-factor tokens may intervene:
    "A100-SXM4-80GB") or right before it ("80GB A100")."""
    for i in range(end, min(end + 4, len(tokens) - 1)):
        if tokens[i] in NOT_THE_CARDS:
            break  # "8x A800 and 400G of RAM": a size joined on by a word is another thing's
        if tokens[i + 1] in MEMORY_UNITS and _number(tokens[i]) is not None:
            return None if i + 2 < len(tokens) and tokens[i + 2] in HOST_MEMORY else _number(tokens[i])
    if start >= 2 and tokens[start - 1] in MEMORY_UNITS and _number(tokens[start - 2]) is not None:
        return _number(tokens[start - 2])
    return None


def find_gpu(text: str) -> GpuMatch | None:
    """The first GPU (or GPU family, or platform) named in a short phrase; None when there is none.

    Case, "NVIDIA"/"GeForce"/"Tesla"/"RTX" and hyphen/space variants do not matter; a memory size next to the
    name picks the variant ("A100 40GB", "A100-80G", "80GB A100"). A family without a size ("A100") comes
    back ambiguous, with its members as candidates, for the reader to ask."""
    tokens = card_tokens(text)
    index = name_index()
    hit = index.find(tokens)
    while hit is not None and tokens[hit[1]:hit[1] + 1] == ["series"]:
        hit = index.find(tokens, hit[1])  # "the RTX 4000 series" is a product line, not the card "RTX 4000"
    if hit is None:
        return None
    start, end, target = hit
    if end - start >= 2 and tokens[end - 1] in MEMORY_UNITS and _number(tokens[end - 2]) is not None:
        said = _number(tokens[end - 2])  # the name says its size ("RTX 3060 12GB"): a later "11.34gb free" is not it
    else:
        said = _memory_near(tokens, start, end)
    matched = " ".join(tokens[start:end])
    table, fams, plats = gpus(), families(), _data()["platforms"]
    if target in plats:
        entries = plats[target]["gpus"]
        cands = tuple(table[e["gpu"]] for e in entries)
        counts = tuple(int(e.get("count", 1)) for e in entries)
        if len(cands) == 1:
            return GpuMatch(target, cands[0], cands, matched, said, target, counts[0], counts)
        return GpuMatch(target, None, cands, matched, said, target, 1, counts)
    if target in table and (table[target].family is None or said is None or said == table[target].memory_gb):
        return GpuMatch(target, table[target], (table[target],), matched, said)
    family = target if target in fams else table[target].family
    members = fams[family]
    chosen = [m for m in members if said is not None and m.memory_gb == said]
    if chosen:
        return GpuMatch(chosen[0].id, chosen[0], (chosen[0],), matched, said)
    return GpuMatch(family, None, members, matched, said)


# ---------------------------------------------------------------------------------------------- precision support

@dataclass(frozen=True)
class PrecisionSupport:
    gpu: str  # the GPU or family id
    arch: str
    bf16: bool
    tensor_cores: bool


def has_nvlink(gpu_id: str) -> bool | None:
    """False when a catalogue GPU, or every member of a family, has no NVLink (its GPUs talk over PCIe); None when
    the catalogue does not say."""
    table, fams = gpus(), families()
    members = (table[gpu_id],) if gpu_id in table else fams.get(gpu_id, ())
    return False if members and all(m.nvlink is False for m in members) else None


def precision_support(gpu_id: str) -> PrecisionSupport | None:
    """Whether a catalogue GPU, or a family whose members all agree, has bf16 and tensor cores; None if unknown."""
    table, fams = gpus(), families()
    members = (table[gpu_id],) if gpu_id in table else fams.get(gpu_id, ())
    if not members:
        return None
    facts = {(m.arch, m.bf16, m.has_tensor_cores) for m in members}
    if len(facts) != 1:
        return None
    arch, bf16, tensor_cores = facts.pop()
    return PrecisionSupport(gpu_id, arch, bf16, tensor_cores)
