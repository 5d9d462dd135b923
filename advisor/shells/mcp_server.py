"""`advisor mcp`: the advisor as a Model Context Protocol server over stdio (optional extra: pip install 'advisor[mcp]').

Four read-only tools - consult, estimate_memory, explain, list_presets - with structured output. Anticipated
failures (bad input) become tool errors the model can read and act on; nothing but protocol goes to stdout.
Client configuration: {"mcpServers": {"advisor": {"command": "advisor", "args": ["mcp"]}}}.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations

from advisor.engine.advice import Advice
from advisor.errors import InputError
from advisor.engine.explain import Explanation
from advisor.shells.tools import ConsultArgs, EstimateMemoryArgs, ExplainArgs, ListPresetsArgs, TOOLS, Value

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


@server.tool(annotations=PURE)
def consult(message: Annotated[str, Field(description="What the user said, verbatim")] = "",
            facts: Annotated[dict[str, Value], Field(description="Known facts by name (see the advisor's vocabulary)")] = {},  # noqa: B006
            answers: Annotated[dict[str, Value], Field(description="Answers to earlier questions by id; 'skip' declines")] = {},  # noqa: B006
            ) -> Advice:
    """Advise on batch size and GPU memory: red flags, questions (ask them, then call again with answers), the
    numbers, options with tradeoffs, a recommendation and what to measure."""
    return Advice.model_validate(_run("consult", ConsultArgs(message=message, facts=facts, answers=answers)))


@server.tool(annotations=PURE)
def estimate_memory(preset: Optional[str] = None, params: Optional[str] = None,
                    batch: Annotated[int, Field(ge=1, le=10**7)] = 8,
                    seq_len: Annotated[Optional[int], Field(ge=1, le=10**7)] = None,
                    precision: Literal["fp32", "amp_bf16", "amp_fp16", "bf16", "mixed"] = "fp32",
                    optimizer: Literal["sgd", "sgd_momentum", "adam", "adamw", "adamw_8bit", "adafactor", "lion"] = "adamw",
                    gpus: Annotated[int, Field(ge=1)] = 1, zero: Literal[0, 1, 2, 3] = 0, offload: bool = False,
                    checkpointing: Literal["none", "selective", "full"] = "none",
                    attention: Literal["eager", "flash"] = "eager",
                    lora: Annotated[Optional[float], Field(gt=0, le=1)] = None,
                    base_bits: Optional[Literal[4, 8, 16, 32]] = None,
                    budget_gib: Annotated[Optional[float], Field(gt=0)] = None,
                    target_batch: Annotated[Optional[int], Field(ge=1)] = None) -> MemoryEstimateOut:
    """Training memory per GPU of a catalogue model (preset) or a parameter count (params): components with
    formulas, peak(batch), whether it fits budget_gib and the largest micro-batch, plans for target_batch."""
    args = EstimateMemoryArgs(preset=preset, params=params, batch=batch, seq_len=seq_len, precision=precision,
                              optimizer=optimizer, gpus=gpus, zero=zero, offload=offload, checkpointing=checkpointing,
                              attention=attention, lora=lora, base_bits=base_bits, budget_gib=budget_gib,
                              target_batch=target_batch)
    return MemoryEstimateOut.model_validate(_run("estimate_memory", args))


@server.tool(annotations=PURE)
def explain(item: Annotated[str, Field(description="A fact, estimate, question, option, red flag or finding id, or 'recommendation'")],
            message: str = "", facts: dict[str, Value] = {}, answers: dict[str, Value] = {}) -> Explanation:  # noqa: B006
    """HOW a number or option was reached, WHY a question is asked, WHY-NOT an option was offered - for the same
    inputs as the consult call."""
    return Explanation.model_validate(_run("explain", ExplainArgs(item=item, message=message, facts=facts, answers=answers)))


@server.tool(annotations=PURE)
def list_presets() -> PresetList:
    """The model catalogue: names, families and exact parameter counts."""
    return PresetList.model_validate(_run("list_presets", ListPresetsArgs()))


def main() -> int:
    server.run()  # stdio; nothing else writes to stdout
    return 0
