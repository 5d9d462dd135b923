"""One reader per tool: a config document's keys as the facts of rules/facts.yaml, each with its file, line and key.

A reader walks its tool's keys with the typed getters of DocReader (a whole number in bounds, a number, true or
false, a short word, or "auto" where the tool allows it: anything else is an InputError at the key's line) and
records Settings; values the checks across files need (what an "auto" becomes) are kept as plain values, and
what is inconsistent within the file or cannot be used is kept as text. docs/configs.md lists every key read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Callable

from advisor.domain.catalogue import find_model
from advisor.engine.memory import Provenance
from advisor.errors import InputError
from advisor.reading.config_files import ConfigDoc
from advisor.units import fmt_sig

AUTO = "auto"
MAX_DEPTH = 32  # nesting walked when looking for "auto" values
MAX_AUTOS = 50  # "auto" values listed per file
LIMITS = {  # (smallest, largest) accepted for each numeric fact: anything outside is a typo, not a plan
    "micro_batch": (1, 10**7), "grad_accum_steps": (1, 10**6), "batch_size": (1, 10**9), "num_gpus": (1, 100_000),
    "num_nodes": (1, 10_000), "zero_stage": (0, 3), "warmup_steps": (0, 10**9), "seq_len": (1, 10**7),
    "lora_rank": (1, 65_536),
}


@dataclass(frozen=True)
class Setting:
    """One fact a file gives, with where it came from."""

    fact: str
    value: Any
    file: str
    line: int | None
    key: str  # as written: zero_optimization.stage, per_device_train_batch_size
    raw: Any  # the value as written
    kind: str  # the tool of the file (config_files.KIND_NAMES)
    note: str = ""  # how the raw value became the fact's value, where that is not plain
    weak: bool = False  # a tool's default or an implication: any other file or the message wins, without a conflict

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    @property
    def matched(self) -> str:
        said = self.key if self.raw == "" else f"{self.key}: {shown(self.raw)}"  # raw "": the file as a whole
        return said + (f"; {self.note}" if self.note else "")

    @property
    def provenance(self) -> Provenance:
        return Provenance("config", matched=self.matched, file=self.file, line=self.line)


@dataclass
class DocReading:
    """What one document gave: facts, the "auto" keys, plain values for the checks across files, and remarks."""

    doc: ConfigDoc
    settings: list[Setting] = field(default_factory=list)
    autos: list[tuple[str, int | None]] = field(default_factory=list)  # dotted key, line
    values: dict[str, tuple[Any, str]] = field(default_factory=dict)  # key -> (value, where), for the checks
    conflicts: list[str] = field(default_factory=list)  # inconsistent within the file
    notes: list[str] = field(default_factory=list)  # read, but not usable
    points_to: list[tuple[str, str]] = field(default_factory=list)  # (key, a file it names)


def shown(value: Any) -> str:
    """A value as a config file would show it, bounded."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return fmt_sig(value, 6)
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


# ---------------------------------------------------------------------------------------------- typed access

class DocReader:
    """Typed getters over one document (or a section of it, under `prefix`), recording facts as Settings."""

    def __init__(self, doc: ConfigDoc, out: DocReading, prefix: tuple = (), kind: str | None = None):
        self.doc, self.out, self.prefix, self.kind = doc, out, prefix, kind or doc.kind

    def has(self, *path: str) -> bool:
        return self._lookup(path)[0]

    def get(self, *path: str) -> Any:
        return self._lookup(path)[1]

    def _lookup(self, path: tuple) -> tuple[bool, Any]:
        node: Any = self.doc.data
        for part in self.prefix + path:
            if not isinstance(node, dict) or part not in node:
                return False, None
            node = node[part]
        return True, node

    def key(self, path: tuple) -> str:
        return ".".join(str(p) for p in self.prefix + path)

    def line(self, path: tuple) -> int | None:
        return self.doc.line(self.prefix + path) if self.prefix + path else None  # the whole file has no line

    def where(self, path: tuple) -> str:
        line = self.line(path)
        return f"{self.doc.name}:{line}" if line else self.doc.name

    def fail(self, path: tuple, expected: str) -> InputError:
        return InputError(f"{self.key(path)} must be {expected}, got {shown(self.get(*path))!r}", self.doc.name,
                          self.line(path))

    def section(self, *path: str) -> dict[str, Any] | None:
        """A nested mapping, or None when absent (null counts as absent); anything else is an error."""
        value = self.get(*path)
        if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "null")):
            return None
        if not isinstance(value, dict):
            raise self.fail(path, "a mapping of settings")
        return value

    @staticmethod
    def is_auto(value: Any) -> bool:
        return isinstance(value, str) and value.strip().lower() == AUTO

    def _given(self, path: tuple, auto: bool) -> tuple[bool, Any]:
        """(settled, value): absent or null is settled as None, "auto" (where allowed) as AUTO; anything else is
        not settled and comes back as a number, or None when it is not one."""
        value = self.get(*path)
        if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "null")):
            return True, None
        if auto and self.is_auto(value):
            return True, AUTO
        return False, _number(value)

    def integer(self, path: tuple, low: int, high: int, auto: bool = False) -> int | str | None:
        """A whole number in [low, high] (or "auto" where allowed); None when absent or null."""
        settled, number = self._given(path, auto)
        if settled:
            return number
        expected = f"a whole number from {low:,} to {high:,}" + (' or "auto"' if auto else "")
        if number is None or not float(number).is_integer() or not low <= number <= high:
            raise self.fail(path, expected)
        return int(number)

    def number(self, path: tuple, low: float, high: float, auto: bool = False, low_open: bool = False) -> float | str | None:
        """A number in [low, high] (or (low, high] with `low_open`; or "auto" where allowed); None when absent."""
        settled, number = self._given(path, auto)
        if settled:
            return number
        if number is None or number > high or (number <= low if low_open else number < low):
            bound = f"above {fmt_sig(low)}" if low_open else f"from {fmt_sig(low)}"
            raise self.fail(path, f"a number {bound} to {fmt_sig(high)}" + (' or "auto"' if auto else ""))
        return float(number)

    def flag(self, path: tuple, auto: bool = False) -> bool | str | None:
        value = self.get(*path)
        if value is None:
            return None
        if auto and self.is_auto(value):
            return AUTO
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in ("true", "yes", "1", "false", "no", "0", "none"):
            return value.strip().lower() in ("true", "yes", "1")
        raise self.fail(path, "true or false" + (' or "auto"' if auto else ""))

    def text(self, path: tuple) -> str | None:
        """A short word or name (an optimizer, a device, a strategy), lower-cased; None when absent."""
        value = self.get(*path)
        if value is None:
            return None
        if isinstance(value, bool):  # YAML 1.1 reads an unquoted `no` as false: accelerate's 'no' and 'NO'
            return "no" if value is False else "yes"
        if isinstance(value, (int, float)):
            return str(value)
        if not isinstance(value, str) or len(value) > 500:
            raise self.fail(path, "a short text value")
        return value.strip().lower()

    def put(self, fact: str, value: Any, path: tuple, note: str = "", weak: bool = False, raw: Any = None,
            label: str | None = None) -> None:
        """Record a fact read at `path` (`label` names it when the path is the whole file or section)."""
        self.out.settings.append(Setting(fact, value, self.doc.name, self.line(path), label or self.key(path),
                                         self.get(*path) if raw is None else raw, self.kind, note, weak))

    def keep(self, name: str, value: Any, path: tuple) -> None:
        """A plain value for the checks across files (what an "auto" becomes, which files disagree)."""
        if value is not None and name not in self.out.values:
            self.out.values[name] = (value, self.where(path))


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if abs(value) < 1e300 else None
    if isinstance(value, str) and 0 < len(value.strip()) <= 40:
        try:
            number = float(value.strip().replace("_", ""))
        except ValueError:
            return None
        return number if abs(number) < 1e300 else None
    return None


# ---------------------------------------------------------------------------------------------- vocabularies

DEEPSPEED_OPTIMIZERS = {"adam": "adamw", "adamw": "adamw", "fusedadam": "adamw", "muadam": "adamw",
                        "muadamw": "adamw", "lion": "lion", "fusedlion": "lion", "sgd": "sgd", "musgd": "sgd"}
HF_OPTIMIZERS = {
    **{name: "adamw" for name in ("adamw_torch", "adamw_torch_fused", "adamw_hf", "adamw_apex_fused", "adamw_torch_xla",
                                  "adamw_torch_npu_fused", "adamw_anyprecision", "paged_adamw_32bit", "paged_adamw",
                                  "adamw_32bit", "adam")},
    **{name: "adamw_8bit" for name in ("adamw_bnb_8bit", "adamw_8bit", "paged_adamw_8bit", "bnb_8bit")},
    "adafactor": "adafactor", "sgd": "sgd", "lion_32bit": "lion", "paged_lion_32bit": "lion", "lion": "lion",
    "schedule_free_adamw": "schedule_free_adamw",
}
FSDP_STAGES = {  # sharding strategy -> the ZeRO stage whose partitioning it matches (PyTorch FSDP and accelerate docs)
    "full_shard": 3, "shard_grad_op": 2, "hybrid_shard": 3, "hybrid_shard_zero2": 2, "_hybrid_shard_zero2": 2,
    "no_shard": 0, "1": 3, "2": 2, "3": 0, "4": 3, "5": 2,  # accelerate's old numeric codes
}
MIXED_PRECISION = {"no": "fp32", "fp16": "amp_fp16", "bf16": "amp_bf16"}
ATTENTION = {"flash_attention_2": "flash", "flash_attention_3": "flash", "sdpa": "sdpa", "eager": "eager"}
DATA_PARALLEL_TYPES = ("multi_gpu", "multi_npu", "multi_xpu", "multi_mlu", "multi_hpu", "multi_musa", "multi_sdaa")


def _sharding(strategy: str) -> tuple[int | None, bool]:
    """(ZeRO-equivalent stage, offload) of an FSDP strategy text such as 'FULL_SHARD', 'full_shard auto_wrap
    offload' or '[<FSDPOption.FULL_SHARD: 'full_shard'>]' (the repr of TrainingArguments.fsdp)."""
    words = [w for w in "".join(c if c.isalnum() or c == "_" else " " for c in strategy.lower()).split()]
    stage = next((FSDP_STAGES[w] for w in words if w in FSDP_STAGES and not w.isdigit()), None)
    if stage is None and len(words) == 1 and words[0].isdigit():
        stage = FSDP_STAGES.get(words[0])
    return stage, "offload" in words


def _optimizer_name(text: str) -> str:
    """'OptimizerNames.ADAMW_TORCH' (a repr) and 'adamw_torch' are the same optimizer."""
    return text.rsplit(".", 1)[-1].strip("<>' ").split(":")[0].lower()


# ---------------------------------------------------------------------------------------------- one reader per tool

def read_deepspeed(r: DocReader) -> None:
    """A DeepSpeed config (JSON, or the `deepspeed` section of TrainingArguments)."""
    r.put("parallelism", "zero", (), raw="", label=r.key(()) or "a DeepSpeed config")
    for key, fact in (("train_batch_size", "batch_size"), ("train_micro_batch_size_per_gpu", "micro_batch"),
                      ("gradient_accumulation_steps", "grad_accum_steps")):
        value = r.integer((key,), *LIMITS[fact], auto=True)
        if isinstance(value, int):
            r.put(fact, value, (key,))
    if isinstance(r.get("zero_optimization"), bool):  # the old boolean form: true was stage 1
        stage = int(r.get("zero_optimization"))
        r.put("zero_stage", stage, ("zero_optimization",), note="the old boolean form: true is stage 1")
    elif r.section("zero_optimization") is not None:
        stage = r.integer(("zero_optimization", "stage"), 0, 3)
        if stage is None:
            r.put("zero_stage", 0, ("zero_optimization",), note="DeepSpeed's default stage", raw="(no stage)", weak=True)
        else:
            r.put("zero_stage", stage, ("zero_optimization", "stage"))
        _deepspeed_offload(r, stage or 0)
    _deepspeed_precision(r)
    optimizer = r.section("optimizer")
    if optimizer is not None:
        name = r.text(("optimizer", "type"))
        if name is not None:
            params = r.section("optimizer", "params") or {}
            mapped = DEEPSPEED_OPTIMIZERS.get(name.replace("_", "").replace("-", ""))
            if mapped == "adamw" and name == "adam" and str(params.get("adam_w_mode", True)).lower() in ("false", "0"):
                mapped = "adam"
            if mapped == "sgd" and (_number(params.get("momentum")) or 0) > 0:
                mapped = "sgd_momentum"
            if mapped:
                note = "DeepSpeed's Adam is AdamW unless adam_w_mode is false" if name == "adam" and mapped == "adamw" else ""
                r.put("optimizer", mapped, ("optimizer", "type"), note=note)
            else:
                r.out.notes.append(f"optimizer {r.get('optimizer', 'type')} ({r.where(('optimizer', 'type'))}) is not one "
                                   f"whose memory I compute (I know Adam, AdamW, Lion and SGD among DeepSpeed's)")
        lr = r.number(("optimizer", "params", "lr"), 0, 100, auto=True, low_open=True)
        if isinstance(lr, float):
            r.put("base_lr", lr, ("optimizer", "params", "lr"))
    scheduler = r.section("scheduler")
    if scheduler is not None:
        kind = r.text(("scheduler", "type")) or ""
        if kind in ("warmuplr", "warmupdecaylr", "warmupcosinelr"):
            steps = r.integer(("scheduler", "params", "warmup_num_steps"), *LIMITS["warmup_steps"], auto=True)
            if isinstance(steps, int):
                r.put("warmup_steps", steps, ("scheduler", "params", "warmup_num_steps"))
            elif steps is None:
                r.put("warmup_steps", 1000, ("scheduler", "type"), note="DeepSpeed's default warmup_num_steps is 1000",
                      weak=True)
    r.number(("gradient_clipping",), 0, 1e6, auto=True)  # checked only: no rule reasons with clipping
    _find_autos(r)


def _deepspeed_offload(r: DocReader, stage: int) -> None:
    devices = {}
    for section in ("offload_optimizer", "offload_param"):
        if r.section("zero_optimization", section) is None:
            continue
        device = r.text(("zero_optimization", section, "device"))
        if device not in (None, "none", "cpu", "nvme"):
            raise r.fail(("zero_optimization", section, "device"), '"cpu", "nvme" or "none"')
        if device in ("cpu", "nvme"):
            devices[section] = device
    if r.flag(("zero_optimization", "cpu_offload")):  # the older spelling of offload_optimizer: cpu
        devices.setdefault("offload_optimizer", "cpu")
    if "offload_param" in devices and stage != 3:
        r.out.conflicts.append(f"offload_param ({r.where(('zero_optimization', 'offload_param'))}) is valid only with "
                               f"ZeRO stage 3 and this file has stage {stage}: only the optimizer offload counts")
        devices.pop("offload_param")
    for section, device in devices.items():
        r.put("offload", device, ("zero_optimization", section, "device"))
        break


def _deepspeed_precision(r: DocReader) -> None:
    enabled = {}
    for section, precision in (("bf16", "amp_bf16"), ("bfloat16", "amp_bf16"), ("fp16", "amp_fp16"), ("amp", "amp_fp16")):
        if r.section(section) is None:
            continue
        enabled[section] = (r.flag((section, "enabled"), auto=True), precision)
    on = [s for s, (v, _) in enabled.items() if v is True]
    if len(on) > 1:
        both = "both" if len(on) == 2 else "all"
        r.out.conflicts.append(f"{' and '.join(s + '.enabled' for s in on)} are {both} true in {r.doc.name}; "
                               f"DeepSpeed runs one 16-bit mode and refuses this")
        return
    note = "DeepSpeed keeps fp32 master weights in the optimizer: counted as mixed precision"
    if on:
        r.put("precision", enabled[on[0]][1], (on[0], "enabled"), note=note)
    elif enabled and all(v is False for v, _ in enabled.values()):
        first = next(iter(enabled))
        r.put("precision", "fp32", (first, "enabled"), note="no 16-bit mode enabled: DeepSpeed trains in fp32")


def _find_autos(r: DocReader) -> None:
    """Every value left to "auto", wherever it is in the DeepSpeed config (the first MAX_AUTOS of them: a real
    config has about twenty, and each is looked up by line)."""
    todo: list[tuple[tuple, Any, int]] = [((), r.get(), 0)]
    found = 0
    while todo:
        path, node, depth = todo.pop()
        if isinstance(node, dict) and depth < MAX_DEPTH:
            todo += [(path + (k,), v, depth + 1) for k, v in reversed(node.items())]
        elif r.is_auto(node):
            found += 1
            if found <= MAX_AUTOS:
                r.out.autos.append((".".join(str(p) for p in path), r.line(path)))
    if found > MAX_AUTOS:
        r.out.notes.append(f"{found - MAX_AUTOS:,} more \"auto\" values in {r.doc.name} are not listed")


def read_training_args(r: DocReader) -> None:
    """Hugging Face TrainingArguments (and the scripts' model and PEFT arguments that share their files: TRL,
    LLaMA-Factory, alignment-handbook recipes)."""
    micro_key = "per_device_train_batch_size" if r.has("per_device_train_batch_size") else "per_gpu_train_batch_size"
    micro = r.integer((micro_key,), *LIMITS["micro_batch"])
    if micro is not None:
        r.put("micro_batch", micro, (micro_key,))
    r.keep("per_device_train_batch_size", micro, (micro_key,))
    accum = r.integer(("gradient_accumulation_steps",), *LIMITS["grad_accum_steps"])
    if accum is not None:
        r.put("grad_accum_steps", accum, ("gradient_accumulation_steps",))
    r.keep("gradient_accumulation_steps", accum, ("gradient_accumulation_steps",))
    lr = r.number(("learning_rate",), 0, 100, low_open=True)
    if lr is not None:
        r.put("base_lr", lr, ("learning_rate",))
    r.keep("learning_rate", lr, ("learning_rate",))
    for key, low, high in (("max_grad_norm", 0, 1e6), ("weight_decay", 0, 10), ("adam_beta1", 0, 1), ("adam_beta2", 0, 1),
                           ("adam_epsilon", 0, 1)):
        r.keep(key, r.number((key,), low, high), (key,))
    _warmup(r)
    epochs = r.number(("num_train_epochs",), 0, 1e5, low_open=True)
    max_steps = r.integer(("max_steps",), -1, 10**12)
    if max_steps is not None and max_steps > 0:
        if epochs is not None:
            r.out.notes.append(f"max_steps {max_steps} ({r.where(('max_steps',))}) ends training, so num_train_epochs "
                               f"{shown(epochs)} is not used")
    elif epochs is not None:
        r.put("epochs", epochs, ("num_train_epochs",))
    _training_args_precision(r)
    checkpointing = r.flag(("gradient_checkpointing",))
    if checkpointing is not None:
        r.put("grad_checkpointing", checkpointing, ("gradient_checkpointing",))
    _training_args_optimizer(r)
    _training_args_distributed(r)
    for key in ("max_seq_length", "max_length", "cutoff_len", "block_size", "model_max_length", "sequence_len"):
        seq = r.integer((key,), *LIMITS["seq_len"])
        if seq is not None:
            r.put("seq_len", seq, (key,))
            break
    attention = r.text(("attn_implementation",))  # a model argument that recipes keep in the same file
    if attention in ATTENTION:
        r.put("attention", ATTENTION[attention], ("attn_implementation",))
    _training_args_model(r)


def _warmup(r: DocReader) -> None:
    steps = r.number(("warmup_steps",), 0, 1e9)
    ratio = r.number(("warmup_ratio",), 0, 1)
    if steps is not None and 0 < steps < 1:  # recent transformers take a ratio in warmup_steps
        ratio, steps = steps, None
        r.put("warmup_ratio", ratio, ("warmup_steps",), note="a value below 1 is a ratio of the training steps")
    elif steps is not None and not float(steps).is_integer():
        raise r.fail(("warmup_steps",), "a whole number of steps, or a ratio below 1")
    if steps:
        r.put("warmup_steps", int(steps), ("warmup_steps",))
        if ratio:
            r.out.notes.append(f"warmup_steps {int(steps)} ({r.where(('warmup_steps',))}) overrides warmup_ratio "
                               f"{shown(ratio)}")
    elif ratio and r.has("warmup_ratio"):
        r.put("warmup_ratio", ratio, ("warmup_ratio",))
    elif steps == 0 and not ratio:
        r.put("warmup_steps", 0, ("warmup_steps",))
    if steps is not None or ratio is not None:
        path = ("warmup_steps",) if steps or not ratio else ("warmup_ratio",)
        r.put("warmup_used", bool(steps or ratio), path)
    r.keep("warmup_steps", int(steps) if steps else steps, ("warmup_steps",))
    r.keep("warmup_ratio", ratio, ("warmup_ratio",))


def _training_args_precision(r: DocReader) -> None:
    bf16, fp16 = r.flag(("bf16",)), r.flag(("fp16",))
    r.keep("bf16", bf16, ("bf16",))
    r.keep("fp16", fp16, ("fp16",))
    if bf16 and fp16:
        r.out.conflicts.append(f"bf16 and fp16 are both true in {r.doc.name}; the Trainer refuses this (at most one "
                               f"of fp16 and bf16 can be true)")
    elif bf16:
        r.put("precision", "amp_bf16", ("bf16",), note="bf16 mixed precision (autocast)")
    elif fp16:
        r.put("precision", "amp_fp16", ("fp16",), note="fp16 mixed precision (autocast)")
    elif bf16 is False or fp16 is False:
        # both off: the Trainer keeps what the launcher set (accelerate's mixed_precision), else fp32
        r.put("precision", "fp32", ("bf16",) if bf16 is False else ("fp16",), weak=True,
              note="neither bf16 nor fp16: fp32 unless the launcher sets mixed precision")


def _put_optimizer(r: DocReader, key: str) -> None:
    """A Trainer/axolotl optimizer name (adamw_torch, paged_adamw_8bit, adafactor, ...) as the optimizer fact."""
    mapped = HF_OPTIMIZERS.get(_optimizer_name(r.text((key,))))
    if mapped:
        r.put("optimizer", mapped, (key,))
    else:
        r.out.notes.append(f"{key} {shown(r.get(key))} ({r.where((key,))}) is not one whose memory I compute "
                           f"(AdamW and its 8-bit and paged forms, Adafactor, SGD, Lion)")


def _training_args_optimizer(r: DocReader) -> None:
    if r.text(("optim",)) is not None:
        _put_optimizer(r, "optim")
    elif r.flag(("adafactor",)):  # the deprecated flag
        r.put("optimizer", "adafactor", ("adafactor",))
    else:  # the Trainer builds AdamW unless told otherwise (or unless a DeepSpeed optimizer section decides)
        r.put("optimizer", "adamw", (), raw="", label="no optim", note="the Trainer's default is AdamW (adamw_torch)",
              weak=True)


def _training_args_distributed(r: DocReader) -> None:
    deepspeed = r.get("deepspeed")
    if isinstance(deepspeed, dict):  # the DeepSpeed config inline
        read_deepspeed(DocReader(r.doc, r.out, r.prefix + ("deepspeed",), kind="deepspeed"))
    elif isinstance(deepspeed, str) and deepspeed.strip().lower() not in ("", "none", "null", "false"):
        r.put("parallelism", "zero", ("deepspeed",))
        r.out.points_to.append(("deepspeed", deepspeed.strip()))
    fsdp = r.get("fsdp")
    if isinstance(fsdp, list):
        fsdp = " ".join(str(x) for x in fsdp[:20])
    if isinstance(fsdp, str) and fsdp.strip() not in ("", "[]", "False", "false", "None"):
        stage, offload = _sharding(fsdp)
        r.put("parallelism", "fsdp", ("fsdp",))
        if stage is not None:
            r.put("zero_stage", stage, ("fsdp",), note="the ZeRO stage this FSDP sharding matches")
        if offload:
            r.put("offload", "cpu", ("fsdp",), note="FSDP offload")
    config = r.get("fsdp_config")
    if isinstance(config, dict) and r.flag(("fsdp_config", "activation_checkpointing")):
        r.put("grad_checkpointing", True, ("fsdp_config", "activation_checkpointing"))


def _training_args_model(r: DocReader) -> None:
    """The model's name (a catalogue model gives its parameter count) and LoRA/QLoRA settings of the same file."""
    name = r.get("model_name_or_path")
    if isinstance(name, str) and name.strip():
        spec = find_model(name[:300])
        if spec is not None:
            r.put("model_preset", spec.name, ("model_name_or_path",))
        else:
            r.out.notes.append(f"model {shown(name)} ({r.where(('model_name_or_path',))}) is not in my catalogue; "
                               f"pass its config.json too for its parameter count")
    finetuning = r.text(("finetuning_type",))  # LLaMA-Factory
    peft = r.flag(("use_peft",)) if r.has("use_peft") else None  # TRL
    lora = finetuning == "lora" or bool(peft)
    four_bit = r.flag(("load_in_4bit",)) if r.has("load_in_4bit") else None
    bits = r.integer(("quantization_bit",), 2, 16) if r.has("quantization_bit") else None
    if lora:
        path = ("finetuning_type",) if finetuning == "lora" else ("use_peft",)
        qlora = bool(four_bit) or bits == 4
        r.put("adapter", "qlora" if qlora else "lora", path, note="on a 4-bit base" if qlora else "")
        r.put("training_mode", "finetune", path)
    elif finetuning in ("full", "freeze"):
        r.put("adapter", "none", ("finetuning_type",))
        r.put("training_mode", "finetune", ("finetuning_type",))
    for key in ("lora_rank", "lora_r"):
        rank = r.integer((key,), *LIMITS["lora_rank"])
        if rank is not None and lora:
            r.put("lora_rank", rank, (key,))
            break


def read_axolotl(r: DocReader) -> None:
    """An axolotl YAML (its own names for the batch, epochs and length; the rest as TrainingArguments)."""
    for key, fact in (("micro_batch_size", "micro_batch"), ("gradient_accumulation_steps", "grad_accum_steps"),
                      ("sequence_len", "seq_len")):
        value = r.integer((key,), *LIMITS[fact])
        if value is not None:
            r.put(fact, value, (key,))
    r.keep("per_device_train_batch_size", r.integer(("micro_batch_size",), *LIMITS["micro_batch"]), ("micro_batch_size",))
    lr = r.number(("learning_rate",), 0, 100, low_open=True)
    if lr is not None:
        r.put("base_lr", lr, ("learning_rate",))
    _warmup(r)
    epochs = r.number(("num_epochs",), 0, 1e5, low_open=True)
    max_steps = r.integer(("max_steps",), -1, 10**12)
    if epochs is not None and not (max_steps and max_steps > 0):
        r.put("epochs", epochs, ("num_epochs",))
    _axolotl_precision(r)
    checkpointing = r.get("gradient_checkpointing")
    if isinstance(checkpointing, str) and checkpointing.strip().lower() in ("unsloth", "offload"):
        r.put("grad_checkpointing", True, ("gradient_checkpointing",), note="checkpointing with offloaded activations")
    elif checkpointing is not None:
        r.put("grad_checkpointing", r.flag(("gradient_checkpointing",)), ("gradient_checkpointing",))
    if r.text(("optimizer",)) is not None:
        _put_optimizer(r, "optimizer")
    adapter = r.text(("adapter",))
    if adapter in ("lora", "qlora"):
        qlora = adapter == "qlora" or bool(r.flag(("load_in_4bit",)))
        r.put("adapter", "qlora" if qlora else "lora", ("adapter",))
        r.put("training_mode", "finetune", ("adapter",))
        rank = r.integer(("lora_r",), *LIMITS["lora_rank"])
        if rank is not None:
            r.put("lora_rank", rank, ("lora_r",))
    if r.flag(("flash_attention",)):
        r.put("attention", "flash", ("flash_attention",))
    elif r.flag(("sdp_attention",)):
        r.put("attention", "sdpa", ("sdp_attention",))
    base = r.get("base_model")
    if isinstance(base, str) and base.strip():
        spec = find_model(base[:300])
        if spec is not None:
            r.put("model_preset", spec.name, ("base_model",))
    _training_args_distributed(r)
    if r.section("fsdp_config") is not None:  # axolotl writes accelerate's fsdp_* keys there
        _fsdp_plugin(r, ("fsdp_config",))


def _axolotl_precision(r: DocReader) -> None:
    """bf16/fp16 are mixed precision, bfloat16/float16 pure 16-bit weights; `bf16: auto` picks bf16 where the
    GPU has it, so it is left to the GPU (a note) rather than guessed."""
    bf16 = r.get("bf16")
    if isinstance(bf16, str) and bf16.strip().lower() == AUTO:
        r.out.notes.append(f"bf16: auto ({r.where(('bf16',))}) trains in bf16 where the GPU supports it, else in "
                           f"fp16 or fp32: say which precision runs")
        bf16 = None
    else:
        bf16 = r.flag(("bf16",))
    pure = r.flag(("bfloat16",))
    fp16 = r.flag(("fp16",))
    if pure:
        r.put("precision", "bf16", ("bfloat16",), note="pure bf16 weights (no autocast)")
    elif bf16:
        r.put("precision", "amp_bf16", ("bf16",))
    elif fp16:
        r.put("precision", "amp_fp16", ("fp16",))
    elif bf16 is False and fp16 is False:
        r.put("precision", "fp32", ("bf16",), weak=True, note="neither bf16 nor fp16")


def read_accelerate(r: DocReader) -> None:
    """An accelerate config YAML (`accelerate config` writes it to ~/.cache/huggingface/accelerate/default_config.yaml)."""
    kind = r.text(("distributed_type",))
    processes = r.integer(("num_processes",), *LIMITS["num_gpus"])
    machines = r.integer(("num_machines",), *LIMITS["num_nodes"])
    if processes is not None:  # accelerate's num_processes counts every process of every machine
        r.put("num_gpus", processes, ("num_processes",))
    elif kind == "no":
        r.put("num_gpus", 1, ("distributed_type",), note="one process")
    r.keep("num_processes", processes, ("num_processes",))
    if machines is not None:
        r.put("num_nodes", machines, ("num_machines",))
    if kind in DATA_PARALLEL_TYPES:
        r.put("parallelism", "ddp", ("distributed_type",))
    elif kind == "fsdp":
        r.put("parallelism", "fsdp", ("distributed_type",))
    elif kind == "deepspeed":
        r.put("parallelism", "zero", ("distributed_type",))
    elif kind in ("xla", "tpu", "multi_cpu"):
        r.out.notes.append(f"distributed_type {r.get('distributed_type')} ({r.where(('distributed_type',))}) is not a "
                           f"GPU run; my memory numbers are for GPUs")
    _mixed_precision(r, ("mixed_precision",))
    _gpu_ids(r, processes, machines)
    if r.section("fsdp_config") is not None:
        _fsdp_plugin(r, ("fsdp_config",))
    if r.section("deepspeed_config") is not None:
        _deepspeed_plugin(r, ("deepspeed_config",))
    if r.flag(("use_cpu",)):
        r.out.notes.append(f"use_cpu is true ({r.where(('use_cpu',))}): a CPU run; my memory numbers are for GPUs")


def _mixed_precision(r: DocReader, path: tuple) -> None:
    mode = r.text(path)
    if mode is None:
        return
    if mode in MIXED_PRECISION:
        r.put("precision", MIXED_PRECISION[mode], path)
        r.keep("mixed_precision", mode, path)
    elif mode == "fp8":
        r.out.notes.append(f"mixed_precision fp8 ({r.where(path)}) is not a precision whose memory I compute; "
                           f"the advice assumes 16-bit")
    else:
        raise r.fail(path, '"no", "fp16", "bf16" or "fp8"')


def _gpu_ids(r: DocReader, processes: int | None, machines: int | None) -> None:
    ids = r.get("gpu_ids")
    if ids is None or processes is None or (machines or 1) > 1:
        return
    text = str(ids).strip().lower()
    if text in ("all", ""):
        return
    listed = [p for p in text.replace(" ", "").split(",") if p]
    if len(listed) < processes:
        r.out.conflicts.append(f"num_processes {processes} ({r.where(('num_processes',))}) but gpu_ids lists "
                               f"{len(listed)} GPU(s) ({shown(ids)}): more processes than GPUs")


def _fsdp_plugin(r: DocReader, base: tuple) -> None:
    strategy = r.get(*base, "fsdp_sharding_strategy")
    if strategy is not None:
        stage, _ = _sharding(str(strategy))
        if stage is None:
            raise r.fail(base + ("fsdp_sharding_strategy",), "FULL_SHARD, SHARD_GRAD_OP, HYBRID_SHARD, "
                                                            "HYBRID_SHARD_ZERO2 or NO_SHARD (or 1 to 5)")
        r.put("zero_stage", stage, base + ("fsdp_sharding_strategy",), note="the ZeRO stage this FSDP sharding matches")
    elif r.has(*base, "fsdp_version") and str(r.get(*base, "fsdp_version")) == "2":
        reshard = r.flag(base + ("fsdp_reshard_after_forward",))
        if reshard is not None:  # FSDP2: resharding after forward is FULL_SHARD, keeping parameters is SHARD_GRAD_OP
            r.put("zero_stage", 3 if reshard else 2, base + ("fsdp_reshard_after_forward",),
                  note="the ZeRO stage this FSDP2 setting matches")
    if r.flag(base + ("fsdp_offload_params",)):
        r.put("offload", "cpu", base + ("fsdp_offload_params",), note="FSDP CPU offload")
    checkpointing = r.flag(base + ("fsdp_activation_checkpointing",))
    if checkpointing is not None:
        r.put("grad_checkpointing", checkpointing, base + ("fsdp_activation_checkpointing",))


def _deepspeed_plugin(r: DocReader, base: tuple) -> None:
    file = r.get(*base, "deepspeed_config_file")
    if isinstance(file, str) and file.strip().lower() not in ("", "none", "null"):
        r.out.points_to.append((r.key(base + ("deepspeed_config_file",)), file.strip()))
    stage = r.integer(base + ("zero_stage",), 0, 3)
    if stage is not None:
        r.put("zero_stage", stage, base + ("zero_stage",))
    for key in ("offload_optimizer_device", "offload_param_device"):
        device = r.text(base + (key,))
        if device not in (None, "none", "cpu", "nvme"):
            raise r.fail(base + (key,), '"cpu", "nvme" or "none"')
        if device in ("cpu", "nvme"):
            r.put("offload", device, base + (key,))
            break
    accum = r.integer(base + ("gradient_accumulation_steps",), *LIMITS["grad_accum_steps"])
    if accum is not None:
        r.put("grad_accum_steps", accum, base + ("gradient_accumulation_steps",))
        r.keep("gradient_accumulation_steps", accum, base + ("gradient_accumulation_steps",))
    r.keep("max_grad_norm", r.number(base + ("gradient_clipping",), 0, 1e6), base + ("gradient_clipping",))


def read_launch(r: DocReader) -> None:
    """Launcher flags: accelerate launch, torchrun or the deepspeed launcher (before the script's name)."""
    processes = r.integer(("num_processes",), *LIMITS["num_gpus"])
    machines = r.integer(("num_machines",), *LIMITS["num_nodes"])
    if processes is not None:
        r.put("num_gpus", processes, ("num_processes",))
        r.keep("num_processes", processes, ("num_processes",))
    if machines is not None:
        r.put("num_nodes", machines, ("num_machines",))
    for per_node_key, nodes_key in (("nproc_per_node", "nnodes"), ("num_gpus", "num_nodes")):  # torchrun, deepspeed
        per_node = r.get(per_node_key)
        if per_node is None or str(per_node).strip().lower() in ("gpu", "auto", "cpu"):
            continue
        per_node = r.integer((per_node_key,), *LIMITS["num_gpus"])
        nodes_text = str(r.get(nodes_key) or "1")
        nodes = r.integer((nodes_key,), *LIMITS["num_nodes"]) if ":" not in nodes_text else None  # "1:4" is elastic
        if nodes is not None:
            r.put("num_nodes", nodes, (nodes_key,))
        total = per_node * (nodes or 1)
        note = f"{per_node} per node × {nodes} nodes" if nodes and nodes > 1 else ""
        if ":" not in nodes_text:
            r.put("num_gpus", total, (per_node_key,), note=note)
            r.keep("num_processes", total, (per_node_key,))
    _mixed_precision(r, ("mixed_precision",))
    for key, parallelism in (("use_deepspeed", "zero"), ("use_fsdp", "fsdp"), ("multi_gpu", "ddp")):
        if r.flag((key,)):
            r.put("parallelism", parallelism, (key,))
            break
    if r.has("fsdp_sharding_strategy") or r.has("fsdp_offload_params"):
        _fsdp_plugin(r, ())
    if any(r.has(k) for k in ("zero_stage", "offload_optimizer_device", "offload_param_device", "deepspeed_config_file")):
        _deepspeed_plugin(r, ())
    config = r.get("config_file")
    if isinstance(config, str) and config.strip():
        r.out.points_to.append(("config_file", config.strip()))


def read_model_config(r: DocReader) -> None:
    """A Hugging Face config.json: the parameter count from the shapes, and the catalogue model of that shape."""
    from advisor.domain.catalogue import hf_config_supported, preset_with_shape, spec_from_hf_config

    data = r.doc.data
    hidden = data.get("hidden_size", data.get("n_embd", data.get("d_model")))
    if hidden is None and isinstance(data.get("hidden_sizes"), list) and data["hidden_sizes"]:
        hidden = max((h for h in data["hidden_sizes"] if isinstance(h, int)), default=None)
    if isinstance(hidden, int) and not isinstance(hidden, bool) and 0 < hidden <= 10**6:
        r.keep("hidden_size", hidden, ("hidden_size",))
    if not hf_config_supported(data):
        r.out.notes.append(f"model_type {shown(data.get('model_type'))} ({r.doc.name}) is not one whose parameters I "
                           f"count from the shapes; give the parameter count (params) instead")
        return
    spec = spec_from_hf_config(data, r.doc.name, PurePath(r.doc.name).parent.name)
    shape = (f"{spec.n_layers} layers × {spec.d_model} wide" + (f", vocabulary {spec.vocab:,}" if spec.vocab else "")
             + f": {spec.params:,} parameters counted from the shapes")
    r.put("params", float(spec.params), ("model_type",), note=shape)
    name = preset_with_shape(spec)
    if name is not None:
        r.put("model_preset", name, ("model_type",), note="the catalogue model of this shape")


READERS: dict[str, Callable[[DocReader], None]] = {
    "deepspeed": read_deepspeed, "training_args": read_training_args, "accelerate": read_accelerate,
    "launch": read_launch, "model_config": read_model_config, "axolotl": read_axolotl,
}
