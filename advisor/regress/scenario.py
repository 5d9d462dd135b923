"""Scenario files: the input contract of `advisor answer` and the golden tests of `advisor check`.

```yaml
id: s01-memory-pressure          # optional
title: ...                        # optional
message: "free text from the user"    # or a list: a conversation's messages, one per turn
facts: {gpu_memory: 8GB}          # names listed by `advisor facts`
answers: {training_mode: finetune}
configs: [configs/ds_config.json] # training config files, relative to this file (or {name, content} inline)
expect: {...}                     # optional: what `advisor check` asserts (see Expect)
steps:                            # optional further turns: each adds answers/facts and has its own expect
  - answers: {training_mode: finetune}
    expect: {...}
```
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from advisor.errors import InputError
from advisor.consultation import build_memory
from advisor.engine.inputs import accept_input
from advisor.kb.model import KnowledgeBase
from advisor.kb.yamlio import YamlDocument, load_yaml_file, load_yaml_text, read_stdin
from advisor.reading.config_files import ConfigFile
from advisor.reading.configs import config_files_of, read_configs

Scalar = Union[bool, int, float, str]
MAX_STEPS = 1000  # turns in one scenario: each is a whole consultation when the scenario is loaded and checked


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Bound(Strict):
    """Numeric or exact bounds on a value; all given bounds must hold."""

    eq: Optional[Any] = None
    ne: Optional[Any] = None
    lt: Optional[float] = None
    lte: Optional[float] = None
    gt: Optional[float] = None
    gte: Optional[float] = None
    between: Optional[list[float]] = Field(None, min_length=2, max_length=2)
    approx: Optional[float] = None
    rel: Optional[float] = None
    abs: Optional[float] = None
    is_null: Optional[bool] = None

    @model_validator(mode="after")
    def _something(self) -> "Bound":
        if all(getattr(self, k) is None for k in ("eq", "ne", "lt", "lte", "gt", "gte", "between", "approx", "is_null")):
            raise ValueError("a bound needs at least one of eq, ne, lt, lte, gt, gte, between, approx, is_null")
        if (self.rel is not None or self.abs is not None) and self.approx is None:
            raise ValueError("rel/abs go with approx")
        return self


class IdSet(Strict):
    include: list[str] = []
    exclude: list[str] = []
    only: Optional[list[str]] = None
    at_most: Optional[int] = Field(None, ge=0)


class OptionExpect(Strict):
    id: str
    where: dict[str, Bound] = Field({}, description="paths inside the option: settings.micro_batch, estimates.NAME")


class OptionsExpect(Strict):
    include: list[OptionExpect] = []
    exclude: list[str] = []
    only: Optional[list[str]] = None
    order: list[str] = Field([], description="these options, where offered, appear in this relative order")
    every: dict[str, Bound] = Field({}, description="bounds every option must meet where the path is set")


class PlansExpect(Strict):
    """Expectations on `Advice.plans`: the user's plan ('current') and the plans offered, by id. The id
    'recommended' stands for the plan of the recommended option, whatever its id."""

    include: list[OptionExpect] = Field([], description="plans that must be there, with bounds on paths inside them: "
                                                       "per_gpu_bytes, fits, components.weights, effective_batch")
    exclude: list[str] = []
    every: dict[str, Bound] = Field({}, description="bounds every plan must meet where the path is set")
    offered: dict[str, Bound] = Field({}, description="bounds every offered plan (all but 'current') must meet")


class RecommendationExpect(Strict):
    option: Optional[str] = Field(..., description="the recommended option id, or null for none")
    depends_on: list[str] = []


class EstimateExpect(Bound):
    id: str


class TextExpect(Strict):
    forbid: list[str] = Field([], description="regular expressions that must not match the rendered advice")
    require: list[str] = Field([], description="regular expressions that must match the rendered advice")

    @field_validator("forbid", "require")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        """A pattern that does not compile is the scenario's error (file:line), not the checker's crash."""
        for pattern in patterns:
            try:
                re.compile(pattern)
            except (re.error, RecursionError, OverflowError) as exc:
                shown = pattern if len(pattern) <= 60 else pattern[:60] + "…"
                raise ValueError(f"invalid regular expression {shown!r}: {exc}") from None
        return patterns


class Expect(Strict):
    red_flags: IdSet = IdSet()
    findings: IdSet = IdSet()
    questions: IdSet = IdSet()
    measure: IdSet = IdSet()
    fired: IdSet = IdSet()
    options: OptionsExpect = OptionsExpect()
    plans: PlansExpect = PlansExpect()
    recommendation: Optional[RecommendationExpect] = None
    estimates: list[EstimateExpect] = []
    facts: dict[str, Bound] = {}
    text: TextExpect = TextExpect()


class Step(Strict):
    message: Optional[Union[str, list[str]]] = None
    facts: dict[str, Any] = {}
    answers: dict[str, Any] = {}
    expect: Expect = Expect()


class InlineConfig(Strict):
    name: str = Field(..., min_length=1, max_length=200, description="the file name to show in messages")
    content: str = Field(..., description="the file's text")


class ScenarioFile(Strict):
    id: Optional[str] = None
    title: Optional[str] = None
    probe: Optional[str] = Field(None, description="a saved `advisor probe --save` JSON (relative to this file): measured facts")
    configs: list[Union[str, InlineConfig]] = Field(
        [], max_length=16, description="training config files (DeepSpeed, TrainingArguments, accelerate, a model's "
                                       "config.json): paths relative to this file, or {name, content} inline")
    message: Union[str, list[str]] = Field("", description="the user's words; a list is a conversation, one message "
                                                        "per turn, a later one correcting an earlier one")
    facts: dict[str, Any] = {}
    answers: dict[str, Any] = {}
    expect: Optional[Expect] = None
    steps: list[Step] = Field([], max_length=MAX_STEPS, description="further turns (at most 1,000)")


class Scenario(BaseModel):
    """A validated scenario with the location of its file for messages."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    spec: ScenarioFile
    file: str
    doc: YamlDocument
    configs: list[ConfigFile] = []  # the config files, read

    @property
    def name(self) -> str:
        return self.spec.id or Path(self.file).stem

    def turns(self) -> list[tuple[str | list[str], dict, dict, Expect | None, tuple]]:
        """(message, facts, answers, expect, yaml path of the expect) for each turn, inputs accumulated."""
        spec = self.spec
        out = [(spec.message, dict(spec.facts), dict(spec.answers), spec.expect, ("expect",))]
        message, facts, answers = spec.message, dict(spec.facts), dict(spec.answers)
        for i, step in enumerate(spec.steps):
            message = step.message if step.message is not None else message
            facts.update(step.facts)
            answers.update(step.answers)
            out.append((message, dict(facts), dict(answers), step.expect, ("steps", i, "expect")))
        return out


def _validate_inputs(doc: YamlDocument, kb: KnowledgeBase, facts: dict, answers: dict, base: tuple) -> None:
    """Check fact names and values here, where we still know their lines."""
    for key, kind, mapping in (("facts", "given", facts), ("answers", "answer", answers)):
        for name, raw in mapping.items():
            try:
                accept_input(kb, name, raw, kind)
            except InputError as exc:
                # a wrong name points at its key; a wrong value at the value
                bad_name = name not in kb.facts or not exc.message.startswith(f"fact {name!r}:")
                line = doc.key_line(base + (key,), name) if bad_name else doc.line_of(base + (key, name))
                raise InputError(exc.message, doc.file, line) from None


def parse_scenario(doc: YamlDocument, kb: KnowledgeBase) -> Scenario:
    from advisor.kb.load import validate_with_model

    if not isinstance(doc.data, dict):
        raise doc.error("a scenario is a mapping with keys message, facts, answers (and optionally id, title, expect, steps)")
    spec = validate_with_model(doc, ScenarioFile, doc.data)  # the same checks as schemas/scenario.schema.json, without its import cost
    _validate_inputs(doc, kb, spec.facts, spec.answers, ())
    for i, step in enumerate(spec.steps):
        _validate_inputs(doc, kb, step.facts, step.answers, ("steps", i))
    scenario = Scenario(spec=spec, file=doc.file, doc=doc, configs=_config_files(doc, spec))
    read_configs(scenario.configs, kb)  # a bad config file is reported at its own file and line
    for message, facts, answers, _, path in scenario.turns():
        try:  # facts that contradict each other (micro × accum × GPUs ≠ batch) only show once combined
            build_memory(kb, message, facts, answers, configs=scenario.configs)
        except InputError as exc:
            raise InputError(exc.message, doc.file, doc.key_line(path[:-1], "facts")) from None
    return scenario


def _config_files(doc: YamlDocument, spec: ScenarioFile) -> list[ConfigFile]:
    """The scenario's config files: paths are read relative to the scenario file, inline ones taken as they are."""
    base = Path(doc.file).parent if doc.file != "<stdin>" else Path(".")
    files = []
    for i, entry in enumerate(spec.configs):
        if isinstance(entry, InlineConfig):
            files.append(ConfigFile(entry.name, entry.content))
            continue
        path = Path(entry)
        try:
            files += config_files_of([str(path if path.is_absolute() else base / path)])
        except InputError as exc:
            if exc.message == "no such file":
                raise InputError(f"config file {entry!r} not found (paths are relative to the scenario file)",
                                 doc.file, doc.line_of(("configs", i))) from None
            raise
    return files


def load_scenario(path: str, kb: KnowledgeBase) -> Scenario:
    """Load a scenario file; '-' reads standard input."""
    if path == "-":
        if sys.stdin is not None and sys.stdin.isatty():
            print("advisor: reading the scenario from the terminal; end with Ctrl-D", file=sys.stderr)
        doc = load_yaml_text(read_stdin(), "<stdin>")
    else:
        doc = load_yaml_file(path)
    return parse_scenario(doc, kb)
