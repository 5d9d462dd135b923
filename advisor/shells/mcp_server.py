"""`advisor mcp`: the advisor as a Model Context Protocol server over stdio (optional extra: pip install 'advisor[mcp]').

Four read-only tools - consult, estimate_memory, explain, list_presets - with structured output. Anticipated
failures (bad input) become tool errors the model can read and act on; nothing but protocol goes to stdout.
Client configuration: {"mcpServers": {"advisor": {"command": "advisor", "args": ["mcp"]}}}.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any, Optional

from pydantic import BaseModel, ConfigDict, Field

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations

from advisor.engine.advice import Advice
from advisor.errors import InputError
from advisor.engine.explain import Explanation
from advisor.shells.tools import TOOLS

PURE = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)

server = MCPServer(
    "advisor",
    instructions=("Batch-size and GPU-memory advisor. Call `consult` with the user's words and every fact you know; "
                  "if it returns questions, ask the user one at a time and call again with the answers. Present the "
                  "options with their tradeoffs and the recommendation; every number is in the result, do not invent "
                  "others. `estimate_memory` gives the memory breakdown of a model; `explain` says how a number or "
                  "option was reached."),
)


class MemoryEstimateOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    params: int
    batch: int
    components: dict[str, int]
    peak_bytes: int
    per_gpu: bool
    fits: Optional[bool]
    curve: dict[str, int]
    max_micro_batch: Optional[int]
    assumptions: list[str]


class Preset(BaseModel):
    name: str
    family: str
    params: int
    counted_module: str


class PresetList(BaseModel):
    presets: list[Preset]


def _run(name: str, args: BaseModel) -> dict[str, Any]:
    try:
        return TOOLS[name][1](args)
    except InputError as exc:  # anticipated: the model can fix its call
        raise ToolError(exc.location_message()) from None


def _register(name: str, returns: type[BaseModel]) -> None:
    """Register a tool whose parameters are the fields of its argument model in advisor.shells.tools.

    The SDK builds a tool's input schema from the function's signature, so the signature is generated from the
    model: one definition of every argument (type, constraints, description) for the chat tools and MCP alike,
    and the arguments stay flat (not nested under one object)."""
    model = TOOLS[name][0]

    def call(**kwargs: Any) -> BaseModel:
        return returns.model_validate(_run(name, model(**kwargs)))

    parameters = []
    for field_name, field in model.model_fields.items():
        annotation = Annotated[(field.annotation, *field.metadata, Field(description=field.description))]
        default = inspect.Parameter.empty if field.is_required() else field.default
        parameters.append(inspect.Parameter(field_name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                            annotation=annotation))
    call.__signature__ = inspect.Signature(parameters, return_annotation=returns)  # type: ignore[attr-defined]
    call.__name__ = name
    call.__doc__ = " ".join((model.__doc__ or "").split())
    server.tool(name=name, annotations=PURE)(call)


for _name, _returns in (("consult", Advice), ("estimate_memory", MemoryEstimateOut), ("explain", Explanation),
                        ("list_presets", PresetList)):
    _register(_name, _returns)


def main() -> int:
    server.run()  # stdio; nothing else writes to stdout
    return 0
