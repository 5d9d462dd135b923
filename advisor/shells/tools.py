"""Tools for chat models: argument models, their JSON Schemas in OpenAI and Anthropic function-calling formats,
and one dispatcher. The MCP server (advisor/shells/mcp_server.py) exposes the same four tools, its schemas generated from these models.

    from advisor.shells import tools
    tools.anthropic_tools()      # [{"name", "description", "input_schema"}, ...]
    tools.openai_tools()         # [{"type": "function", "function": {"name", "description", "parameters"}}, ...]
    tools.call_tool("consult", {"message": "8GB GPU, 500M model, what batch fits?"})   # -> a JSON-able dict

A chat loop (any SDK): send the tool list with the conversation; when the model calls a tool, pass its name and
arguments to `call_tool` and return the result (or the error text, on InputError) as the tool result. Keep the
facts and answers in your conversation state: `consult` is stateless. See docs/chat-tools.md.
"""

from __future__ import annotations

from typing import Annotated, Any, Callable, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

from advisor.domain.vocabulary import ALL_PRECISIONS, OPTIMIZERS
from advisor.errors import InputError
from advisor.reading.situation import Situation

Value = Union[str, int, float, bool, list]


class ToolArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConfigFileArg(ToolArgs):
    """A training config file by its content (a chat client cannot pass paths)."""

    name: Annotated[str, Field(min_length=1, max_length=200, description="The file's name, shown in messages, e.g. "
                                                                         "'ds_config.json'")]
    content: Annotated[str, Field(max_length=1 << 20, description="The file's text, verbatim")]


class ConsultArgs(ToolArgs):
    """Advise on batch size and GPU memory. Pass the user's words and every fact you know; if the result has
    questions, ask the user (one at a time), then call again with their answers under `answers`. Present the
    options with their tradeoffs and the recommendation; do not invent numbers - every number is in the result."""

    message: Annotated[str, Field(description="What the user said, verbatim (the whole conversation is fine)")] = ""
    facts: Annotated[dict[str, Value], Field(description="Known facts by name, e.g. {'gpu_memory': '24GB', 'optimizer': "
                                                        "'adamw'}; names and units: advisor facts")] = {}
    answers: Annotated[dict[str, Value], Field(description="Answers to earlier questions by question id; 'skip' declines")] = {}
    situation: Annotated[Optional[Situation], Field(description="What you know of the user's situation, structured "
                                                               "(hardware, model, training, batches, schedule, "
                                                               "reference, changes, oom, goal); fill only what the "
                                                               "user said")] = None
    configs: Annotated[list[ConfigFileArg], Field(max_length=16, description="Training config files the user pasted "
                                                  "or attached, verbatim: DeepSpeed JSON, Hugging Face "
                                                  "TrainingArguments (JSON, YAML, a printed TrainingArguments(...) "
                                                  "or key=value lines), accelerate config YAML, a launch command, a "
                                                  "model's config.json. The kind is told from the content")] = []


class EstimateMemoryArgs(ToolArgs):
    """Training memory per GPU for a model: each component with its formula, peak(batch) = a + b·batch, whether it
    fits a GPU and the largest micro-batch, and micro-batch × accumulation × GPUs plans for a target batch."""

    preset: Annotated[Optional[str], Field(description="A catalogue model (list_presets), e.g. 'llama-2-7b'")] = None
    params: Annotated[Optional[str], Field(description="Parameter count instead of a preset, e.g. '350M' or '7.5e9' (model states only)")] = None
    batch: Annotated[int, Field(ge=1, le=10**7, description="Micro-batch per GPU")] = 8
    seq_len: Annotated[Optional[int], Field(ge=1, le=10**7, description="Sequence length (default: the model's context)")] = None
    precision: Literal[ALL_PRECISIONS] = "fp32"
    optimizer: Literal[OPTIMIZERS] = "adamw"
    gpus: Annotated[int, Field(ge=1, le=100_000)] = 1
    zero: Literal[0, 1, 2, 3] = 0
    offload: bool = False
    checkpointing: Literal["none", "selective", "full", "offloaded"] = "none"
    attention: Literal["eager", "flash"] = "eager"
    lora: Annotated[Optional[float], Field(gt=0, le=1, description="Train adapters of this fraction of the parameters")] = None
    base_bits: Optional[Literal[4, 8, 16, 32]] = None
    budget_gib: Annotated[Optional[float], Field(gt=0, description="GPU memory in GiB")] = None
    target_batch: Annotated[Optional[int], Field(ge=1, description="Global batch to reach with accumulation")] = None


class ExplainArgs(ConsultArgs):
    """Explain one item of the advice for the same inputs: HOW a number or option was reached, WHY a question is
    asked, or WHY-NOT an option was not offered."""

    item: Annotated[str, Field(description="A fact or estimate id, question id, option id, red-flag id, finding id, or 'recommendation'")]


class ListPresetsArgs(ToolArgs):
    """The model catalogue: names, families and exact parameter counts (computed from shapes)."""


def consult_tool(args: ConsultArgs) -> dict[str, Any]:
    from advisor.consultation import consult

    return consult(args.message, args.facts, args.answers, situation=args.situation, configs=_configs(args)).to_dict()


def _configs(args: ConsultArgs) -> list[dict[str, str]]:
    return [{"name": f.name, "content": f.content} for f in args.configs]


def estimate_memory_tool(args: EstimateMemoryArgs) -> dict[str, Any]:
    from advisor.estimation import estimate_memory

    return estimate_memory(**args.model_dump())


def explain_tool(args: ExplainArgs) -> dict[str, Any]:
    from advisor.consultation import run_consultation
    from advisor.engine.explain import explain

    return explain(run_consultation(args.message, args.facts, args.answers, situation=args.situation,
                                    configs=_configs(args)), args.item).model_dump()


def list_presets_tool(args: ListPresetsArgs) -> dict[str, Any]:
    from advisor.domain.catalogue import catalogue_entry, preset, preset_names

    return {"presets": [{"name": n, "family": preset(n).family, "params": preset(n).params,
                         "counted_module": catalogue_entry(n)["counted_module"]} for n in preset_names()]}


TOOLS: dict[str, tuple[type[ToolArgs], Callable[[Any], dict[str, Any]]]] = {
    "consult": (ConsultArgs, consult_tool),
    "estimate_memory": (EstimateMemoryArgs, estimate_memory_tool),
    "explain": (ExplainArgs, explain_tool),
    "list_presets": (ListPresetsArgs, list_presets_tool),
}


def _schema(model: type[ToolArgs]) -> dict[str, Any]:
    schema = model.model_json_schema()
    schema.pop("title", None)
    schema.pop("description", None)
    schema.setdefault("properties", {})
    return schema


def _description(model: type[ToolArgs]) -> str:
    return " ".join((model.__doc__ or "").split())


def anthropic_tools() -> list[dict[str, Any]]:
    return [{"name": name, "description": _description(model), "input_schema": _schema(model)}
            for name, (model, _) in TOOLS.items()]


def openai_tools() -> list[dict[str, Any]]:
    return [{"type": "function", "function": {"name": name, "description": _description(model),
                                              "parameters": _schema(model), "strict": False}}
            for name, (model, _) in TOOLS.items()]


def call_tool(name: str, arguments: dict[str, Any] | None) -> dict[str, Any]:
    """Run a tool call from a chat model. Raises InputError (with a message the model can act on) on bad input."""
    from pydantic import ValidationError

    if name not in TOOLS:
        raise InputError(f"unknown tool {name!r}; tools: {', '.join(TOOLS)}")
    model, fn = TOOLS[name]
    try:
        args = model.model_validate(arguments or {})
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise InputError(f"{name}: {where + ': ' if where else ''}{err['msg']}") from None
    return fn(args)
