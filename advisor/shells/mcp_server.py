"""`advisor mcp`: the advisor as a Model Context Protocol server over stdio (optional extra: pip install 'advisor[mcp]').

Four read-only tools - consult, estimate_memory, explain, list_presets - with structured output. Anticipated
failures (bad input) become tool errors the model can read and act on; nothing but protocol goes to stdout.
Client configuration: {"mcpServers": {"advisor": {"command": "advisor", "args": ["mcp"]}}}.
"""

from __future__ import annotations

import inspect
import os
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
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


# Every consultation is bounded by its inputs' limits (docs/robustness.md); this deadline is the last guard, so
# that one call can never hold a client forever. The worker thread cannot be killed, only abandoned.
CALL_SECONDS = float(os.environ.get("ADVISOR_MCP_CALL_SECONDS", "30"))
_WORKERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="advisor-tool")


def _run(name: str, args: BaseModel) -> dict[str, Any]:
    future = _WORKERS.submit(TOOLS[name][1], args)
    try:
        return future.result(timeout=CALL_SECONDS)
    except InputError as exc:  # anticipated: the model can fix its call
        raise ToolError(exc.location_message()) from None
    except FutureTimeout:
        raise ToolError(f"{name} took longer than {CALL_SECONDS:g} s and was abandoned; "
                        "send a shorter message or fewer values") from None
    except Exception as exc:  # noqa: BLE001 - a defect of the advisor, named rather than hidden
        raise ToolError(f"internal error in {name} ({type(exc).__name__}: {str(exc)[:300]}); "
                        "this is a bug of the advisor, not of your call") from None


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
    # the SDK ignores arguments a tool does not declare; the library refuses them, and so does the server
    arg_model = server._tool_manager.get_tool(name).fn_metadata.arg_model
    arg_model.model_config["extra"] = "forbid"
    arg_model.model_rebuild(force=True)


for _name, _returns in (("consult", Advice), ("estimate_memory", MemoryEstimateOut), ("explain", Explanation),
                        ("list_presets", PresetList)):
    _register(_name, _returns)


def main() -> int:
    server.run()  # stdio; nothing else writes to stdout
    return 0
