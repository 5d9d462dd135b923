"""What training config files say, combined: one setting per fact, what they disagree on, what they leave to
"auto", and the result put into working memory.

    reading = read_configs([ConfigFile("ds_config.json", text), ...], kb)
    apply_configs(working_memory, reading)      # after the message's facts, before the defaults

Each file is parsed (config_files) and read by its tool's reader (config_tools). Where two files say different
things, the value of the tool that decides at launch is used (a DeepSpeed JSON over TrainingArguments over
launcher flags over an accelerate config; a model's config.json for the model) and the disagreement is kept as a
conflict; settings left to "auto" are listed with what they will become; settings read but not usable are kept
as notes. Those three lists become the text facts config_conflicts, config_auto and config_notes, which
rules/configs.yaml turns into red flags and findings. Nothing inconsistent is refused: a file is refused only
when it cannot be read as any tool's file, or a value has the wrong type or an absurd size.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any, Iterable

from advisor.engine.memory import USER_PROVENANCE, Provenance, WorkingMemory, coerce
from advisor.errors import InputError
from advisor.kb.model import KnowledgeBase
from advisor.reading.config_files import ConfigFile, check_files, parse_config
from advisor.reading.config_tools import READERS, DocReader, DocReading, Setting, shown
from advisor.units import UnitError

# Which file decides when two give the same setting: the tool that reads it last at launch. The Trainer fills
# a DeepSpeed JSON's "auto" values from TrainingArguments but refuses one that disagrees; launcher flags
# override an accelerate config file.
PRECEDENCE = ("deepspeed", "training_args", "axolotl", "launch", "accelerate", "model_config")
# ...except the model itself, which its config.json gives exactly (a script's model_name_or_path is only a name)
MODEL_PRECEDENCE = ("model_config", "training_args", "axolotl", "deepspeed", "launch", "accelerate")
MODEL_FACTS = frozenset({"params", "model_preset"})
# Settings the Hugging Face Trainer checks between a DeepSpeed JSON and TrainingArguments (it stops on a mismatch)
TRAINER_CHECKED = frozenset({"micro_batch", "grad_accum_steps", "batch_size", "base_lr", "precision"})


@dataclass
class ConfigReading:
    """All files combined: one setting per fact, and what the advice should say about them."""

    files: list[tuple[str, str]] = field(default_factory=list)  # (file, what it is)
    facts: dict[str, Setting] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)
    autos: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    deepspeed_batch: dict[str, Setting] = field(default_factory=dict)  # the deciding DeepSpeed file's numbers


# ---------------------------------------------------------------------------------------------- combining

def read_configs(files: Any, kb: KnowledgeBase) -> ConfigReading:
    """Read and combine config files (a list of ConfigFile or {name, content}). Raises InputError for a file that
    cannot be read or a value of the wrong type or size; inconsistencies are kept in the result instead."""
    docs = [doc for file in check_files(files) for doc in parse_config(file)]
    readings = []
    for doc in docs:
        out = DocReading(doc)
        READERS[doc.kind](DocReader(doc, out))
        readings.append(out)
    return combine(readings, kb)


def combine(readings: list[DocReading], kb: KnowledgeBase) -> ConfigReading:
    """One setting per fact (ranked: a tool's default last, then by PRECEDENCE, then by file order), with every
    disagreement, each "auto" with what it becomes, the notes, and the deciding DeepSpeed file's batch numbers."""
    result = ConfigReading(files=[(d.doc.name, d.doc.kind_name) for d in readings])
    values: dict[str, tuple[Any, str]] = {}
    for reading in readings:
        for key, value in reading.values.items():
            values.setdefault(key, value)
    candidates: dict[str, list[tuple[tuple, Setting]]] = {}
    for order, reading in enumerate(readings):
        for setting in reading.settings:
            if setting.fact not in kb.facts:
                continue  # a knowledge base without this fact (a custom rules folder)
            setting = _coerced(setting, kb)
            tools = MODEL_PRECEDENCE if setting.fact in MODEL_FACTS else PRECEDENCE
            rank = (setting.weak, tools.index(setting.kind), order)
            candidates.setdefault(setting.fact, []).append((rank, setting))
        result.conflicts += reading.conflicts
        result.notes += reading.notes
    for fact, ranked in candidates.items():
        ranked.sort(key=lambda pair: pair[0])
        chosen = ranked[0][1]
        result.facts[fact] = chosen
        reported = set()
        for _, other in ranked[1:]:
            if other.weak or other.value == chosen.value or (other.file, other.key) in reported:
                continue
            reported.add((other.file, other.key))
            result.conflicts.append(_conflict_text(fact, chosen, other))
    named = {PurePath(r.doc.name).name for r in readings}
    for reading in readings:
        for key, target in reading.points_to:
            if PurePath(target).name not in named:
                result.notes.append(f"{key} in {reading.doc.name} names {shown(target)}, which I was not given; "
                                    f"pass it too (another --config) to have it read")
    result.autos = [_auto_text(key, line, reading.doc.name, values)
                    for reading in readings for key, line in reading.autos]
    for reading in readings:  # the numbers of the DeepSpeed file that decides
        batch = {s.key.split(".")[-1]: s for s in reading.settings if s.kind == "deepspeed"
                 and s.fact in ("batch_size", "micro_batch", "grad_accum_steps")}
        if batch:
            result.deepspeed_batch = batch
            break
    return result


def _coerced(setting: Setting, kb: KnowledgeBase) -> Setting:
    try:
        value = coerce(kb.facts[setting.fact], setting.value)
    except UnitError as exc:
        raise InputError(f"{setting.key}: {exc}", setting.file, setting.line) from None
    return setting if value == setting.value else replace(setting, value=value)


def _conflict_text(fact: str, chosen: Setting, other: Setting) -> str:
    text = f"{chosen.key} {shown(chosen.raw)} in {chosen.where} but {other.key} {shown(other.raw)} in {other.where}"
    if shown(chosen.raw) != shown(chosen.value) or shown(other.raw) != shown(other.value):
        text += f" ({fact} {shown(chosen.value)} against {shown(other.value)})"
    if {chosen.kind, other.kind} == {"deepspeed", "training_args"} and fact in TRAINER_CHECKED:
        return text + ": the Trainer stops at launch on this mismatch; set the DeepSpeed value to \"auto\""
    return text + f": I used {chosen.where}"


# what the Hugging Face integration puts in place of "auto" (transformers' HfTrainerDeepSpeedConfig)
AUTO_FILLS: dict[str, tuple[str, tuple[str, ...]]] = {
    "train_micro_batch_size_per_gpu": ("per_device_train_batch_size", ("per_device_train_batch_size",)),
    "gradient_accumulation_steps": ("gradient_accumulation_steps", ("gradient_accumulation_steps",)),
    "gradient_clipping": ("max_grad_norm", ("max_grad_norm",)),
    "optimizer.params.lr": ("learning_rate", ("learning_rate",)),
    "optimizer.params.betas": ("[adam_beta1, adam_beta2]", ("adam_beta1", "adam_beta2")),
    "optimizer.params.eps": ("adam_epsilon", ("adam_epsilon",)),
    "optimizer.params.weight_decay": ("weight_decay", ("weight_decay",)),
    "scheduler.params.warmup_max_lr": ("learning_rate", ("learning_rate",)),
    "scheduler.params.warmup_num_steps": ("warmup_steps, or warmup_ratio × the training steps", ("warmup_steps",)),
    "scheduler.params.total_num_steps": ("the number of training steps", ()),
    "fp16.enabled": ("fp16", ("fp16",)),
    "bf16.enabled": ("bf16", ("bf16",)),
}


def _auto_text(name: str, line: int | None, file: str, values: dict[str, tuple[Any, str]]) -> str:
    """What one "auto" value becomes: the number where the files give it, else where it will come from."""
    where = f"{file}:{line}" if line else file
    head = f"{name} ({where})"
    if name == "train_batch_size":
        parts = [values.get(k, (None, ""))[0] for k in ("num_processes", "per_device_train_batch_size",
                                                          "gradient_accumulation_steps")]
        if all(isinstance(p, int) for p in parts):
            return f"{head} becomes GPUs × micro-batch × accumulation = {parts[0]} × {parts[1]} × {parts[2]} = " \
                   f"{parts[0] * parts[1] * parts[2]:,}"
        named = [str(p) if isinstance(p, int) else label for p, label in
                 zip(parts, ("GPUs", "per_device_train_batch_size", "gradient_accumulation_steps"))]
        return f"{head} becomes {' × '.join(named)}"
    if name == "scheduler.params.warmup_min_lr":
        return f"{head} becomes 0"
    hidden = values.get("hidden_size", (None, ""))
    for suffix, factor, label in (("reduce_bucket_size", 1.0, "hidden_size²"),
                                  ("stage3_prefetch_bucket_size", 0.9, "0.9 × hidden_size²"),
                                  ("stage3_param_persistence_threshold", None, "10 × hidden_size")):
        if name == f"zero_optimization.{suffix}":
            if hidden[0] is None:
                return f"{head} becomes {label} (the model's hidden size; give its config.json to see the number)"
            number = 10 * hidden[0] if factor is None else int(factor * hidden[0] * hidden[0])
            return f"{head} becomes {label} = {number:,} (hidden_size {hidden[0]:,} from {hidden[1]})"
    if name in AUTO_FILLS:
        label, keys = AUTO_FILLS[name]
        found = [values[k] for k in keys if k in values]
        if name in ("fp16.enabled", "bf16.enabled") and not found and "mixed_precision" in values:
            mode, source = values["mixed_precision"]
            return f"{head} becomes {'true' if mode == name.split('.')[0] else 'false'} (mixed_precision {mode} " \
                   f"from {source})"
        if keys and len(found) == len(keys):
            shown_values = ", ".join(shown(v) for v, _ in found)
            return f"{head} becomes {label} = {shown_values} (from {found[0][1]})"
        launcher = " (or accelerate's mixed_precision)" if name in ("fp16.enabled", "bf16.enabled") else ""
        return f"{head} becomes {label} of TrainingArguments{launcher}, which your files do not give"
    return f"{head} is filled in by the integration at launch"


# ---------------------------------------------------------------------------------------------- into the memory

def apply_configs(wm: WorkingMemory, reading: ConfigReading) -> None:
    """Put the files' facts into working memory: over what the message says (noting where they disagree), under
    what the caller states or answers; then what DeepSpeed's batch arithmetic implies, and the three text facts."""
    conflicts = list(reading.conflicts)
    for fact, setting in reading.facts.items():
        old = wm.facts.get(fact)
        if old is not None and old.provenance.kind in USER_PROVENANCE and old.provenance.kind not in ("message", "config"):
            if old.value != setting.value:
                conflicts.append(f"you gave {fact} {shown(old.value)} but {setting.key} is {shown(setting.raw)} in "
                                 f"{setting.where}: I used yours")
            continue
        if old is not None and old.provenance.kind == "message":
            if setting.weak:
                continue
            if old.value != setting.value and fact != "params":  # a message's "7B" is a rounded count
                conflicts.append(f"your message says {old.provenance.matched!r} ({fact} {shown(old.value)}) but "
                                 f"{setting.key} is {shown(setting.raw)} in {setting.where}: I used the file")
        wm.set(fact, setting.value, setting.provenance)
    conflicts += _deepspeed_batch(wm, reading)
    files = ", ".join(name for name, _ in reading.files)
    for name, items in (("config_conflicts", conflicts), ("config_auto", reading.autos), ("config_notes", reading.notes)):
        if items and name in wm.kb.facts:
            wm.set(name, "; ".join(dict.fromkeys(items)), Provenance("config", matched=f"{len(items)} item(s)", file=files))


def _deepspeed_batch(wm: WorkingMemory, reading: ConfigReading) -> list[str]:
    """DeepSpeed's rule train_batch_size = micro-batch × accumulation × GPUs, with what it implies where one of
    the four is missing (as DeepSpeed derives it at launch). A mismatch of all four is the red flag
    rf-effective-batch; what cannot hold on any number of GPUs is a conflict here."""
    ds = reading.deepspeed_batch
    if not ds:
        return []
    total, micro, accum = (ds.get(k) for k in ("train_batch_size", "train_micro_batch_size_per_gpu",
                                                "gradient_accumulation_steps"))
    gpus = wm.value("num_gpus") if wm.known("num_gpus") else None
    anchor = total or micro or accum
    assert anchor is not None

    def imply(fact: str, value: int, how: str) -> None:
        if fact in wm.kb.facts and not wm.known(fact):
            wm.set(fact, value, Provenance("config", matched=how, file=anchor.file, line=anchor.line))

    if total is not None and micro is not None and accum is not None:
        per_gpu = micro.value * accum.value
        if total.value % per_gpu:
            return [f"train_batch_size {total.value:,} ({total.where}) is not a multiple of micro-batch {micro.value} × "
                    f"accumulation {accum.value} = {per_gpu:,}: DeepSpeed stops at launch on any number of GPUs"]
        if gpus is None:
            imply("num_gpus", total.value // per_gpu,
                  f"implied: train_batch_size {total.value:,} / (micro-batch {micro.value} × accumulation {accum.value})")
        return []
    if gpus is None:
        return []
    if total is not None and micro is not None:
        share = micro.value * gpus
        if total.value % share:
            return [f"train_batch_size {total.value:,} ({total.where}) is not a multiple of micro-batch {micro.value} × "
                    f"{gpus} GPUs = {share:,}: DeepSpeed stops at launch"]
        imply("grad_accum_steps", total.value // share,
              f"implied: train_batch_size {total.value:,} / (micro-batch {micro.value} × {gpus} GPUs)")
    elif total is not None and accum is not None:
        share = accum.value * gpus
        if total.value % share:
            return [f"train_batch_size {total.value:,} ({total.where}) is not a multiple of accumulation {accum.value} × "
                    f"{gpus} GPUs = {share:,}: DeepSpeed stops at launch"]
        imply("micro_batch", total.value // share,
              f"implied: train_batch_size {total.value:,} / (accumulation {accum.value} × {gpus} GPUs)")
    elif total is not None:
        if total.value % gpus:
            return [f"train_batch_size {total.value:,} ({total.where}) is not a multiple of {gpus} GPUs: DeepSpeed "
                    f"stops at launch"]
        imply("grad_accum_steps", 1, "DeepSpeed's default when only train_batch_size is given")
        imply("micro_batch", total.value // gpus, f"implied: train_batch_size {total.value:,} / {gpus} GPUs")
    return []


def config_files_of(paths: Iterable[str]) -> list[ConfigFile]:
    """Config files from paths on disk (the CLI's --config), each read whole but bounded, as UTF-8 text."""
    from advisor.kb.yamlio import read_bounded
    from advisor.reading.config_files import MAX_FILE_CHARS

    out = []
    for path in paths:
        data = read_bounded(path, MAX_FILE_CHARS, "config file")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            hint = (" (training_args.bin is a pickle: print args.to_json_string() and save that instead)"
                    if path.endswith(".bin") else "")
            raise InputError(f"not UTF-8 text (byte 0x{data[exc.start]:02x}); expected a text config file{hint}",
                             path, line) from None
        out.append(ConfigFile(path, text))
    return out
