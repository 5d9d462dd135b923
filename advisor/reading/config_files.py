"""Training config files as documents: their syntax, the line of every key, and which tool wrote them.

A file is given as its name and its text (a chat client cannot pass paths). The syntax is told from the text:
JSON (an object), a dumped `TrainingArguments(...)` repr, YAML (a mapping), or lines of `key=value` and
command-line flags (`--per_device_train_batch_size 4 --bf16`, a launch command). The tool is told from the keys,
not from the file name: `zero_optimization` or `train_micro_batch_size_per_gpu` make a DeepSpeed config,
`distributed_type` or `num_processes` an accelerate config, `per_device_train_batch_size` or `learning_rate`
TrainingArguments, `micro_batch_size` or `base_model` an axolotl config, `model_type` or `hidden_size` a model's
config.json. A launch command
(`accelerate launch --num_processes 4 train.py --per_device_train_batch_size 4`) holds two documents: the
launcher's flags and the script's.

Every problem is an InputError naming the file and, where there is one, the line, and what was expected.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from advisor.errors import InputError
from advisor.kb.yamlio import load_yaml_text

MAX_FILE_CHARS = 1 << 20  # a DeepSpeed JSON is a few kB, a full TrainingArguments dump about 10 kB
MAX_FILES = 16
MAX_NAME_CHARS = 200
MAX_PAIRS = 2_000  # key=value items or flags in one file (TrainingArguments has about 120 fields)

KIND_NAMES = {"deepspeed": "DeepSpeed config", "training_args": "TrainingArguments", "axolotl": "axolotl config",
              "accelerate": "accelerate config", "launch": "launch command", "model_config": "model config.json"}
EXPECTED = ("expected a DeepSpeed config, TrainingArguments, an accelerate config, a launch command or a model's "
            "config.json (docs/configs.md lists the keys read)")

# Keys that only one tool's files have (a key two tools share, such as gradient_accumulation_steps, tells nothing).
DEEPSPEED_KEYS = frozenset({
    "train_batch_size", "train_micro_batch_size_per_gpu", "zero_optimization", "steps_per_print", "gradient_clipping",
    "wall_clock_breakdown", "zero_allow_untested_optimizer", "prescale_gradients", "gradient_predivide_factor",
    "amp", "bfloat16", "activation_checkpointing", "flops_profiler", "communication_data_type", "zero_force_ds_cpu_optimizer",
    "data_efficiency", "curriculum_learning", "tensorboard", "wandb", "csv_monitor", "elasticity", "aio",
})
DEEPSPEED_SECTIONS = frozenset({"fp16", "bf16", "optimizer", "scheduler"})  # DeepSpeed's only when they are objects
ACCELERATE_KEYS = frozenset({
    "compute_environment", "distributed_type", "num_processes", "num_machines", "machine_rank", "main_training_function",
    "use_cpu", "gpu_ids", "downcast_bf16", "rdzv_backend", "same_network", "tpu_env", "tpu_use_cluster", "tpu_use_sudo",
    "deepspeed_config", "main_process_ip", "main_process_port", "megatron_lm_config", "dynamo_config",
    "enable_cpu_affinity", "mixed_precision",
})
TRAINING_ARGS_KEYS = frozenset({
    "per_device_train_batch_size", "per_device_eval_batch_size", "learning_rate", "num_train_epochs", "output_dir",
    "optim", "warmup_ratio", "warmup_steps", "lr_scheduler_type", "logging_steps", "save_steps", "save_strategy",
    "eval_strategy", "evaluation_strategy", "max_steps", "weight_decay", "gradient_checkpointing", "report_to",
    "max_grad_norm", "adam_beta1", "adam_beta2", "adam_epsilon", "logging_dir", "overwrite_output_dir", "do_train",
    "do_eval", "seed", "deepspeed", "fsdp", "dataloader_num_workers", "remove_unused_columns", "push_to_hub",
    "run_name", "auto_find_batch_size", "max_seq_length", "model_name_or_path", "finetuning_type", "cutoff_len",
    "save_total_limit", "logging_strategy", "per_gpu_train_batch_size", "gradient_checkpointing_kwargs",
})
TRAINING_ARGS_FLAGS = frozenset({"bf16", "fp16", "tf32"})  # TrainingArguments' only when they are plain values
AXOLOTL_KEYS = frozenset({
    "base_model", "micro_batch_size", "num_epochs", "sequence_len", "sample_packing", "val_set_size", "adapter",
    "lora_target_modules", "lora_target_linear", "pad_to_sequence_len", "eval_sample_packing", "flash_attention",
    "wandb_project", "special_tokens", "dataset_prepared_path", "base_model_config", "tokenizer_type",
    "train_on_inputs", "group_by_length", "lora_model_dir", "bfloat16", "float16",
})
MODEL_CONFIG_KEYS = frozenset({
    "model_type", "architectures", "hidden_size", "num_hidden_layers", "num_attention_heads", "vocab_size",
    "intermediate_size", "n_embd", "n_layer", "n_head", "max_position_embeddings", "transformers_version",
    "rms_norm_eps", "layer_norm_eps", "layer_norm_epsilon", "hidden_act", "tie_word_embeddings", "bos_token_id",
    "eos_token_id", "num_key_value_heads", "rope_theta", "initializer_range",
})
# flags of the launchers (accelerate launch, torchrun, deepspeed), before the script's name
LAUNCH_KEYS = frozenset({
    "num_processes", "num_machines", "mixed_precision", "use_deepspeed", "use_fsdp", "multi_gpu", "zero_stage",
    "offload_optimizer_device", "offload_param_device", "deepspeed_config_file", "fsdp_sharding_strategy",
    "fsdp_offload_params", "nproc_per_node", "nnodes", "num_gpus", "num_nodes", "config_file",
})

_REPR_HEAD = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,80}\(")  # TrainingArguments( / Seq2SeqTrainingArguments( / SFTConfig(
_PAIR_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,120}")
_KEY_EQUALS_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_.\-]{0,120})[ \t]{0,20}=[ \t]{0,20}([^\s=][^=]{0,1900}?),?")


@dataclass(frozen=True)
class ConfigFile:
    """A config file as a chat client or the CLI passes it: a name to show in messages, and its text."""

    name: str
    content: str


@dataclass
class ConfigDoc:
    """One tool's settings from one file: plain data, and the line of each key where the syntax keeps it."""

    name: str
    kind: str
    syntax: str  # json | yaml | repr | pairs
    data: dict[str, Any]
    line_of: Callable[[tuple], int | None] = field(repr=False)

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]

    def line(self, path: Iterable[Any]) -> int | None:
        return self.line_of(tuple(path))

    def error(self, message: str, path: Iterable[Any] = ()) -> InputError:
        return InputError(message, self.name, self.line(path))


# ---------------------------------------------------------------------------------------------- entry point

def check_files(files: Any) -> list[ConfigFile]:
    """The caller's files as ConfigFile: a list of ConfigFile, {name, content} mappings or (name, content) pairs."""
    if files is None:
        return []
    if isinstance(files, (str, bytes)) or not isinstance(files, (list, tuple)):
        raise InputError("configs must be a list of files, each {name, content}")
    if len(files) > MAX_FILES:
        raise InputError(f"at most {MAX_FILES} config files, got {len(files)}")
    out = []
    for i, item in enumerate(files):
        if isinstance(item, ConfigFile):
            name, content = item.name, item.content
        elif isinstance(item, dict) and set(item) == {"name", "content"}:
            name, content = item["name"], item["content"]
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            name, content = item
        else:
            raise InputError(f"configs[{i}] must be {{name, content}}, the file's name and its text")
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_CHARS:
            raise InputError(f"configs[{i}].name must be a file name of 1 to {MAX_NAME_CHARS} characters")
        if not isinstance(content, str):
            raise InputError(f"configs[{i}].content must be the file's text", name)
        try:  # text that cannot be written back as UTF-8 (a lone surrogate from a broken client) is refused
            (name + content).encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(f"configs[{i}] has characters that are not valid Unicode (lone surrogates); send UTF-8 "
                             f"text") from None
        out.append(ConfigFile(" ".join(name.split()), content))
    return out


def parse_config(file: ConfigFile) -> list[ConfigDoc]:
    """The documents of one file (one, or two for a launch command: the launcher's flags and the script's)."""
    name, text = file.name, file.content
    if len(text) > MAX_FILE_CHARS:
        raise InputError(f"larger than {MAX_FILE_CHARS:,} characters; {EXPECTED}", name)
    text = text.removeprefix("\ufeff")
    head = text.lstrip()
    if not head:
        raise InputError(f"the file is empty; {EXPECTED}", name, 1)
    if head[0] in "{[":
        data, line_of = _parse_json(text, name)
        return [_document(name, "json", data, line_of)]
    if _REPR_HEAD.match(head) and head.rstrip().endswith(")"):
        data, line_of = _parse_repr(text, name)
        return [_document(name, "repr", data, line_of)]
    yaml_error = doc = None
    try:
        doc = load_yaml_text(text, name)
    except InputError as exc:  # maybe not YAML at all: key=value lines or a command line
        yaml_error = exc
    if doc is not None and isinstance(doc.data, dict):
        return [_document(name, "yaml", doc.data, doc.line_of)]
    docs = _parse_pairs(text, name)
    if docs:
        return docs
    if yaml_error is not None:
        raise InputError(f"{yaml_error.message}; {EXPECTED}", name, yaml_error.line)
    raise InputError(f"no settings found (not a mapping, and no key=value or --flag); {EXPECTED}", name, 1)


def _document(name: str, syntax: str, data: dict[str, Any], line_of: Callable[[tuple], int | None]) -> ConfigDoc:
    return ConfigDoc(name, detect_kind(data, name), syntax, data, line_of)


def detect_kind(data: dict[str, Any], name: str) -> str:
    """The tool whose distinctive keys the file has most of (ties go to the first in KIND_NAMES' order)."""
    keys = {str(k) for k in data}
    scores = {
        "deepspeed": len(keys & DEEPSPEED_KEYS) + sum(isinstance(data.get(k), dict) for k in DEEPSPEED_SECTIONS),
        "training_args": len(keys & TRAINING_ARGS_KEYS)
        + sum(not isinstance(data.get(k), (dict, type(None))) for k in TRAINING_ARGS_FLAGS if k in data),
        "axolotl": len(keys & AXOLOTL_KEYS),
        "accelerate": len(keys & ACCELERATE_KEYS),
        "model_config": len(keys & MODEL_CONFIG_KEYS),
    }
    best = max(scores, key=lambda k: scores[k])  # max keeps the first of equal scores
    if scores[best] == 0:
        shown = ", ".join(sorted(keys)[:6]) + (", …" if len(keys) > 6 else "")
        raise InputError(f"none of its keys ({shown or 'none'}) is one I know; {EXPECTED}", name, 1)
    return best


# ---------------------------------------------------------------------------------------------- JSON

def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(key)
        out[key] = value
    return out


class _Duplicate(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _no_constant(word: str) -> Any:
    raise ValueError(f"{word} is not a number JSON allows")


def _parse_json(text: str, name: str) -> tuple[dict[str, Any], Callable[[tuple], int | None]]:
    try:
        data = json.loads(text, object_pairs_hook=_refuse_duplicates, parse_constant=_no_constant)
    except _Duplicate as exc:  # DeepSpeed itself refuses duplicate keys
        line = _json_key_line(text, (exc.key,), last=True)
        raise InputError(f"duplicate key {exc.key[:60]!r}; each setting may appear once", name, line) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} (column {exc.colno}); {EXPECTED}", name, exc.lineno) from None
    except RecursionError:
        raise InputError("nested too deeply to be a config file", name) from None
    except ValueError as exc:  # NaN/Infinity, or an integer too long to convert
        raise InputError(f"not valid JSON: {str(exc)[:200]}", name) from None
    if not isinstance(data, dict):
        raise InputError(f"a JSON {type(data).__name__}; {EXPECTED} (a JSON object)", name, 1)
    return data, lambda path: _json_key_line(text, path)


def _json_key_line(text: str, path: tuple, last: bool = False) -> int | None:
    """The line of a key path in JSON text: each key is searched for as "key": after the previous one (or the
    last occurrence of a single key, for duplicates). Enough for config files, whose keys are unique per level."""
    pos, found = 0, None
    for part in path:
        if not isinstance(part, str):
            continue  # list indices: stay at the list's key
        quoted = json.dumps(part)
        search = text.rfind if last else text.find
        start = search(quoted) if last else search(quoted, pos)
        while start != -1:
            after = text[start + len(quoted): start + len(quoted) + 200].lstrip()
            if after.startswith(":"):
                break
            start = text.find(quoted, start + 1) if not last else text.rfind(quoted, 0, start)
        if start == -1:
            break
        found, pos = start, start + len(quoted)
    return None if found is None else text.count("\n", 0, found) + 1


# ---------------------------------------------------------------------------------------------- repr and pairs

def _split_top_level(body: str, start_line: int) -> list[tuple[str, int]]:
    """Items separated by commas or newlines outside brackets and quotes, each with its line (one linear pass).
    Stops after MAX_PAIRS + 1 items: the caller refuses that many."""
    items: list[tuple[str, int]] = []
    depth, quote, line, item_line = 0, "", start_line, start_line
    current: list[str] = []
    for ch in body:
        if not quote and depth == 0 and ch in ",\n":
            if current:
                items.append(("".join(current).strip(), item_line))
                if len(items) > MAX_PAIRS:
                    break
            current = []
        else:
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "'\"":
                quote = ch
            elif ch in "([{<":
                depth += 1
            elif ch in ")]}>":
                depth = max(0, depth - 1)
            if current or not ch.isspace():
                if not current:
                    item_line = line
                current.append(ch)
        if ch == "\n":
            line += 1
    if current:
        items.append(("".join(current).strip(), item_line))
    return items


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _parse_repr(text: str, name: str) -> tuple[dict[str, Any], Callable[[tuple], int | None]]:
    """`TrainingArguments(\\n_n_gpu=1,\\nbf16=True,\\n...)` as printed by the Trainer's log (one field a line), or
    the one-line dataclass repr `TrainingArguments(output_dir='out', ...)`. Values stay text."""
    opening = text.index("(")
    closing = text.rindex(")")
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    body, first_line = text[opening + 1:closing], text.count("\n", 0, opening) + 1
    if body.count("\n") >= 3:  # the Trainer's form: one field a line, values printed unquoted (a ' is not a quote)
        items = [(raw.strip().removesuffix(","), n) for n, raw in enumerate(body.split("\n"), first_line) if raw.strip()]
    else:
        items = _split_top_level(body, first_line)
    if len(items) > MAX_PAIRS:
        raise InputError(f"more than {MAX_PAIRS:,} settings; {EXPECTED}", name)
    for item, line in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not _PAIR_KEY.fullmatch(key):
            raise InputError(f"expected name=value inside {text[:opening].strip()[:40]}(...), got {item[:60]!r}", name, line)
        if key in data:
            raise InputError(f"duplicate key {key!r}; each setting may appear once", name, line)
        data[key], lines[key] = _unquote(value), line
    return data, lambda path: lines.get(path[0]) if path else 1


def _tokens(line: str) -> list[str]:
    """Whitespace-separated words of a shell line, quotes kept together and removed ("--lr='2e-5'" → --lr=2e-5)."""
    words, current, quote, started = [], [], "", False
    for ch in line:
        if quote:
            if ch == quote:
                quote = ""
            else:
                current.append(ch)
        elif ch in "'\"":
            quote, started = ch, True
        elif ch.isspace():
            if current or started:
                words.append("".join(current))
            current, started = [], False
        elif ch == "#" and not current and not started:
            break  # a comment
        else:
            current.append(ch)
    if current or started:
        words.append("".join(current))
    return words


def _parse_pairs(text: str, name: str) -> list[ConfigDoc]:
    """key=value lines and --flag [value] words (a launch command: flags before the script's name are the
    launcher's, after it the script's). Empty when nothing looks like a setting."""
    launcher: dict[str, Any] = {}
    script: dict[str, Any] = {}
    lines: dict[tuple[int, str], int] = {}
    target, part = script, 1
    seen_launcher = False
    words: list[tuple[str, int]] = []
    for number, raw in enumerate(text.replace("\\\r\n", " \n").replace("\\\n", " \n").splitlines(), 1):
        setting = raw.split(" #", 1)[0].strip()  # a trailing comment
        pair = _KEY_EQUALS_LINE.fullmatch(setting) if len(setting) <= 2_000 else None
        if pair:  # "learning_rate = 2e-5", one setting on its line
            words.append((f"{pair.group(1)}={pair.group(2)}", number))
        else:
            words += [(w, number) for w in _tokens(raw)]
    if len(words) > 50 * MAX_PAIRS:
        raise InputError(f"more than {50 * MAX_PAIRS:,} words; {EXPECTED}", name)
    i = 0
    while i < len(words):
        word, line = words[i]
        i += 1
        if word in ("launch", "torchrun", "deepspeed", "accelerate") or word.endswith(("/torchrun", "/deepspeed")):
            if not script:
                target, part, seen_launcher = launcher, 0, True
            continue
        if seen_launcher and target is launcher and (_is_script(word) or word == "-m"):
            if word == "-m":
                i += 1  # the module's name
            target, part = script, 1
            continue
        if word.startswith("--") and len(word) > 2:
            key, sep, value = word[2:].partition("=")
            if not sep:
                if i < len(words) and not words[i][0].startswith("-") and not _is_script(words[i][0]):
                    value, i = words[i][0], i + 1
                else:
                    value = "true"  # a store_true flag such as --bf16
        else:
            key, sep, value = word.partition("=")
            if not sep:
                continue  # a program name, a script, a stray word
            value = value.rstrip(",")
        key = key.replace("-", "_")
        if not _PAIR_KEY.fullmatch(key):
            continue
        if key in target:
            raise InputError(f"duplicate setting {key!r}; each setting may appear once", name, line)
        target[key] = _unquote(value)
        lines[(part, key)] = line
        if len(target) > MAX_PAIRS:
            raise InputError(f"more than {MAX_PAIRS:,} settings; {EXPECTED}", name)
    docs = []
    for index, data in ((0, launcher), (1, script)):
        if not data:
            continue
        kind = "launch" if index == 0 else _pairs_kind(data)
        if kind is None:
            continue
        docs.append(ConfigDoc(name, kind, "pairs", data, lambda path, index=index: lines.get((index, path[0])) if path else 1))
    return docs


def _is_script(word: str) -> bool:
    return word.endswith(".py")


def _pairs_kind(data: dict[str, Any]) -> str | None:
    """key=value lines are TrainingArguments or an accelerate config (or, with launcher flags only, a launch command)."""
    keys = set(data)
    ta = len(keys & TRAINING_ARGS_KEYS) + len(keys & TRAINING_ARGS_FLAGS)
    accelerate = len(keys & ACCELERATE_KEYS)
    launch = len(keys & (LAUNCH_KEYS - ACCELERATE_KEYS))
    if max(ta, accelerate, launch) == 0:
        return None
    if ta >= max(accelerate, launch):
        return "training_args"
    return "accelerate" if accelerate >= launch else "launch"
