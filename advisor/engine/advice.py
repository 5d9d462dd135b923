"""The output contract: what `consult()` returns and `advisor answer --format json` prints.

Chat tooling and regression tools rely on these field names; `advisor schema advice` exports the JSON Schema
(checked in as advisor/kb/schemas/advice.schema.json). Add fields freely; rename or remove none.
"""

from __future__ import annotations

from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

Value = Union[bool, int, float, str, list, None]
SCHEMA_VERSION = "1"


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RedFlagOut(Out):
    id: str
    title: str
    counter: str
    sources: list[str]
    heuristic: bool = False
    belief: Optional[str] = None  # the misconception it counters, when it is one (docs/misconceptions.md)


class FindingOut(Out):
    id: str
    title: str
    text: str
    sources: list[str]
    heuristic: bool = False
    snippet: Optional[str] = None


class QuestionOut(Out):
    id: str = Field(description="The fact this question asks for; answer with answers: {id: value}")
    text: str
    why: list[str] = Field(description="The conclusions that depend on the answer")
    reason: str = Field("", description="Why it is asked, in plain words (from the conclusions that wait for it)")
    kind: Literal["number", "choice", "bool", "text"]
    choices: Optional[list[str]] = None
    unit: Optional[str] = None


class EstimateOut(Out):
    id: str
    value: Value
    unit: Optional[str]
    formula: str
    sources: list[str]
    heuristic: bool = False
    by: str = Field(description="estimator function and the rule that called it")


class Settings(Out):
    micro_batch: Optional[int] = None
    grad_accum_steps: Optional[int] = None
    num_gpus: Optional[int] = None
    effective_batch: Optional[int] = Field(None, description="micro_batch × grad_accum_steps × num_gpus, computed")
    batch_size: Optional[int] = None
    learning_rate: Optional[float] = None
    precision: Optional[str] = None
    optimizer: Optional[str] = None
    gradient_checkpointing: Optional[bool] = None
    warmup: Optional[str] = None
    epochs: Optional[float] = None
    normalization: Optional[str] = None

    @model_validator(mode="after")
    def _effective(self) -> "Settings":
        parts = (self.micro_batch, self.grad_accum_steps, self.num_gpus)
        self.effective_batch = parts[0] * parts[1] * parts[2] if None not in parts else None
        return self


class Tradeoffs(Out):
    speed: str
    memory: str
    accuracy: str
    risk: str


class Quantity(Out):
    """A number with its unit (bytes, count, multiplier, …), so no renderer has to guess it."""

    value: Value
    unit: Optional[str] = None


class OptionOut(Out):
    id: str
    title: str
    summary: str
    settings: Settings
    estimates: dict[str, Quantity]
    tradeoffs: Tradeoffs
    validate_: str = Field(alias="validate")
    sources: list[str]
    heuristic: bool = False
    snippet: Optional[str] = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class PlanOut(Out):
    """One plan of the plan search, for tables and charts: the user's own (`current`) and each option offered."""

    id: str = Field(description="'current' for the user's plan, else the id of the option it is")
    title: str
    current: bool
    recommended: bool
    fits: bool
    per_gpu_bytes: float = Field(description="peak bytes on each GPU at the plan's micro-batch (states and overheads "
                                             "only when activations are not modelled)")
    budget_bytes: Optional[float] = None
    components: dict[str, float] = Field(description="bytes per GPU by component at the peak")
    micro_batch: Optional[int] = None
    grad_accum_steps: Optional[int] = None
    num_gpus: int = 1
    effective_batch: Optional[int] = None
    fixed_bytes: Optional[float] = Field(None, description="peak(b) ≈ fixed + b × per_sample bytes per GPU (margin and "
                                                           "CUDA overheads included), exact at the plan's micro-batch")
    per_sample_bytes: Optional[float] = None
    peak_by_micro_batch: list[list[float]] = Field([], description="[micro-batch, peak bytes per GPU] at 1, 2, 4, … "
                                                  "past the largest micro-batch that fits, and at the plan's, the largest "
                                                  "and the next; empty without an activation model")
    cpu_bytes: Optional[float] = None
    cpu_bytes_per_machine: Optional[float] = Field(None, description="each machine's share of cpu_bytes, when the "
                                                                     "GPUs are on several machines")


class Recommendation(Out):
    option_id: Optional[str]
    rationale: str
    depends_on: list[str]
    provisional: bool = Field(False, description="A first move before the numbers that would confirm it are known")


class MeasureOut(Out):
    id: str
    title: str
    text: str
    sources: list[str]
    heuristic: bool = False


class Provenance(Out):
    kind: Literal["given", "answer", "measured", "config", "message", "derived", "estimate", "default"]
    by: Optional[str] = None


class FactOut(Out):
    name: str
    value: Value
    unit: Optional[str]
    provenance: Provenance


class TraceEntry(Out):
    rule: str
    kind: str
    because: str
    produced: list[str]


class SourceOut(Out):
    id: str
    citation: str
    url: Optional[str]


class Advice(Out):
    schema_version: str = SCHEMA_VERSION
    red_flags: list[RedFlagOut]
    findings: list[FindingOut]
    questions: list[QuestionOut]
    estimates: list[EstimateOut]
    options: list[OptionOut]
    recommendation: Recommendation
    measure: list[MeasureOut]
    facts: list[FactOut]
    trace: list[TraceEntry]
    sources: list[SourceOut]
    plans: list[PlanOut] = Field([], description="the plan search: the user's plan and the plans offered, with "
                                                 "per-GPU memory by component (empty when it did not run)")

    def option(self, option_id: str) -> OptionOut | None:
        return next((o for o in self.options if o.id == option_id), None)

    def to_json(self) -> str:
        return self.model_dump_json(indent=2, by_alias=True)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)
