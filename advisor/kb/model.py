"""The knowledge-base model: facts vocabulary, sources, conditions and rules.

Plain pydantic objects. They know nothing about YAML (see `kbload`) or about how rules run (see `engine`).
The JSON Schema that validates rule files at load time is generated from these classes (`advisor schema rules`).

A rule says: *when* a condition holds over the working memory, *do* one thing — raise a red flag, state a
finding, derive a fact, call an estimator, offer an option, recommend an option, or ask for a measurement.
Every claim a rule makes carries `sources` (ids in rules/sources.yaml) unless it is labelled `heuristic`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Callable, Iterator, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, PrivateAttr, Tag, field_validator, model_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
FACT_PATTERN = r"^[a-z][a-z0-9_]*$"
TEMPLATE_FIELD = re.compile(r"\{([a-z][a-z0-9_]*)(?::([a-z][a-z0-9]*))?\}")
BRACED = re.compile(r"\{[^{}]*\}")

FactType = Literal["number", "integer", "bool", "choice", "text", "pairs", "list"]
Unit = Literal["bytes", "card_bytes", "count", "seconds", "percent", "multiplier", "fraction"]  # card_bytes: a GPU's "N GB"
# = N GiB; fraction: a share of a whole, 0.1 shown as 10%
Scalar = Union[bool, int, float, str]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ------------------------------------------------------------------------------------------- vocabulary

class Pattern(Strict):
    """A phrase in the user's message that sets a fact.

    `regex` is matched case-insensitively. With `value`, a match sets that value; without it, the regex must
    have a named group `value` that is parsed like any other input for the fact (units included).
    A claim's match does not count when the words around it deny it ("I know a larger batch doesn't save
    memory"; advisor/reading/negation.py); `contains_negation` says the belief is itself a negative statement
    ("accumulation doesn't work"), so a negation inside the match is part of it. `unit` is the unit a log leaves
    out of the number it prints ("Limit: 10586741146": TensorFlow's allocator counts bytes; "data_time: 0.3": seconds; "max mem: 2821": torchvision's MB of 2^20 bytes). `blanks` says what the
    situation reader no longer sees once the pattern matched: the whole match (the default), only the value, when
    the words around it say more (a quoted figure in a sentence that names the model too), or nothing, when the
    value is the reader's too (a model's size, said where a quoted figure is).
    """

    regex: str
    value: Scalar | None = None
    contains_negation: bool = False
    unit: Literal["B", "MiB", "s"] | None = None
    blanks: Literal["match", "value", "nothing"] = "match"

    @field_validator("regex")
    @classmethod
    def _compiles(cls, regex: str) -> str:
        try:
            re.compile(regex, re.IGNORECASE)  # the flags extraction uses, so re's cache serves both
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from None
        return regex


# the verbs claims are described with, as the user's own ("Believes …" is what "you believe …")
CLAIM_VERBS = {"Believes": "believe", "Expects": "expect", "Says": "say", "Thinks": "think", "Wants": "want",
               "Assumes": "assume", "Asks": "ask", "Takes": "take", "Plans": "plan", "Reports": "report",
               "Claims": "claim", "Does": "do", "Considers": "consider"}


class FactSpec(Strict):
    name: Annotated[str, Field(pattern=FACT_PATTERN)]
    type: FactType
    unit: Unit | None = None
    description: str
    derived: bool = False  # set only by rules; otherwise an input (given, answered, extracted or defaulted)
    askable: bool = False
    question: str | None = None
    # the question in the user's own terms, asked instead when every fact it quotes is known (the first such):
    # "How many parameters does DETR have?" rather than "the model", for a model the catalogue does not know
    questions_naming: list[str] = []
    choices: list[str] | None = None
    default: Scalar | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    patterns: list[Pattern] = []
    reader: bool = False  # filled from the user's words by the situation reader (advisor/reading), not by patterns
    label: str | None = None  # a few plain words for people ("GPU memory"); else the description's first clause
    # the words to use instead while a bool fact is false ({plan_activations_modelled: "Model states per GPU of your
    # plan"}): a number whose meaning narrows with what the count could include
    label_if_not: dict[str, str] | None = None
    value_labels: dict[str, str] | None = None  # plain words for some choices ({amp_bf16: bf16 mixed precision})
    # an answer that supplies other inputs: the value of `fills_from` becomes the input its choice names
    # ({per_gpu: micro_batch, total: batch_size}); asked when a rule waits for one of them and `fills_from` is known
    fills: dict[str, str] | None = None
    fills_from: str | None = None
    # what a `pairs` fact's first numbers count, when not batches ("GPU": "1 GPU: 10 h, 4 GPUs: 8 h")
    pair_key: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "FactSpec":
        if self.askable and not self.question:
            raise ValueError(f"askable fact {self.name!r} needs a question")
        if self.questions_naming and not self.askable:
            raise ValueError(f"fact {self.name!r}: questions_naming words a question, so the fact must be askable")
        if self.type == "choice" and not self.choices:
            raise ValueError(f"choice fact {self.name!r} needs choices")
        if self.type != "choice" and self.choices:
            raise ValueError(f"only choice facts have choices ({self.name!r} is {self.type})")
        if self.derived and (self.askable or self.patterns or self.default is not None):
            raise ValueError(f"derived fact {self.name!r} cannot be askable, extracted or defaulted")
        if self.askable and self.default is not None:
            raise ValueError(f"fact {self.name!r}: a default is assumed, so it would never be asked; drop one")
        if bool(self.fills) != bool(self.fills_from) or self.fills and not (self.askable and set(self.fills) <= set(self.choices or ())):
            raise ValueError(f"fact {self.name!r}: fills needs fills_from, a question and choices for each value it maps")
        if self.value_labels and not set(self.value_labels) <= set(self.choices or ()):
            unknown = sorted(set(self.value_labels) - set(self.choices or ()))
            raise ValueError(f"fact {self.name!r}: value_labels name values that are not choices: {', '.join(unknown)}")
        return self

    @property
    def plain_label(self) -> str:
        """What a person calls this fact: its `label`, or the first clause of its description ("Model states
        with 8-bit AdamW (fp32 weights and gradients)." -> "Model states with 8-bit AdamW")."""
        if self.label:
            return self.label
        text = re.sub(r"\s*\([^()]{0,200}\)", "", self.description)  # parentheticals are detail
        verb, _, rest = text.partition(" ")
        if self.name.startswith("claim_") and verb in CLAIM_VERBS and rest:
            # a claim is the user's: "Believes mixed precision halves training memory." -> "you believe mixed
            # precision halves training memory"
            return f"you {CLAIM_VERBS[verb]} {rest.rstrip('.')}"
        text = re.split(r"[.;:]\s|[.;:]$|,\s", text.strip(), maxsplit=1)[0].strip()
        return text or self.name.replace("_", " ")  # capitals kept: "Adam's β2", "Kaplan et al.'s critical batch"

    def label_given(self, value_of: Callable[[str], Any]) -> str:
        """The plain label, or the narrower words of `label_if_not` while the bool fact it names is false."""
        narrowed = [words for fact, words in (self.label_if_not or {}).items() if value_of(fact) is False]
        return narrowed[0] if narrowed else self.plain_label

    def value_label(self, value: Any) -> str:
        """A choice in plain words: its value label, else the value with its underscores as spaces."""
        text = str(value)
        return (self.value_labels or {}).get(text) or text.replace("_", " ")

    @property
    def question_kind(self) -> str:
        return {"integer": "number", "number": "number", "bool": "bool", "choice": "choice"}.get(self.type, "text")


class Source(Strict):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    citation: str
    url: str | None = None
    status: Literal["verified", "secondary", "abstract", "recalled", "arithmetic"]
    note: str | None = None


class SeedItem(Strict):
    """One claim or item of the seed documents that the knowledge base must cover, with the audit's verdict."""

    id: Annotated[str, Field(pattern=ID_PATTERN)]
    where: str
    claim: str
    verdict: Literal["WRONG", "MISLEADING", "UNSOURCED", "OK+", "OK"]
    audit: str


# ------------------------------------------------------------------------------------------- conditions

class FactRef(Strict):
    """A reference to a fact's value, used wherever a literal could stand."""

    fact: Annotated[str, Field(pattern=FACT_PATTERN)]


Operand = Union[FactRef, Scalar]


class FactTest(Strict):
    """`{fact: NAME, <op>: VALUE}` with exactly one operator."""

    fact: Annotated[str, Field(pattern=FACT_PATTERN)]
    eq: Operand | None = None
    ne: Operand | None = None
    lt: Operand | None = None
    lte: Operand | None = None
    gt: Operand | None = None
    gte: Operand | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    # a comma-separated text fact names this value ("asked_topics lists lr": the message asks about the LR)
    lists: str | None = None
    known: bool | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    _op: str = PrivateAttr("")  # the operator, found once at validation (conditions are evaluated a lot)

    @model_validator(mode="after")
    def _one_operator(self) -> "FactTest":
        ops = [op for op in ("eq", "ne", "lt", "lte", "gt", "gte", "in_", "lists", "known") if getattr(self, op) is not None]
        if len(ops) != 1:
            raise ValueError(f"a fact test needs exactly one of eq, ne, lt, lte, gt, gte, in, lists, known "
                             f"(got {len(ops)})")
        self._op = ops[0]
        return self

    @property
    def operator(self) -> str:
        return self.__pydantic_private__["_op"].rstrip("_")  # direct: BaseModel.__getattr__ is slow on a hot path

    @property
    def operand(self) -> Any:
        return self.__dict__[self.__pydantic_private__["_op"]]


class Offered(Strict):
    """True when an option with this id has been offered."""

    offered: Annotated[str, Field(pattern=ID_PATTERN)]


class All(Strict):
    all: list["Condition"]


class Any_(Strict):
    any: list["Condition"]


class Not(Strict):
    not_: "Condition" = Field(alias="not")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _condition_kind(value: Any) -> str:
    """Which kind of condition a mapping is, from its keys (so errors come from the right branch)."""
    if isinstance(value, dict):
        return next((k for k in ("all", "any", "not", "offered") if k in value), "fact")
    return {All: "all", Any_: "any", Not: "not", Offered: "offered"}.get(type(value), "fact")


Condition = Annotated[
    Union[Annotated[All, Tag("all")], Annotated[Any_, Tag("any")], Annotated[Not, Tag("not")],
          Annotated[FactTest, Tag("fact")], Annotated[Offered, Tag("offered")]],
    Discriminator(_condition_kind),
]
All.model_rebuild()
Any_.model_rebuild()
Not.model_rebuild()


def condition_leaves(cond: Condition | None) -> Iterator[FactTest | Offered]:
    """The fact tests and `offered` tests of a condition, depth first."""
    if cond is None:
        return
    if isinstance(cond, (All, Any_)):
        for sub in cond.all if isinstance(cond, All) else cond.any:
            yield from condition_leaves(sub)
    elif isinstance(cond, Not):
        yield from condition_leaves(cond.not_)
    else:
        yield cond


def condition_facts(cond: Condition | None) -> list[str]:
    """Every fact name a condition reads, in order of appearance, without duplicates."""
    out: list[str] = []
    for leaf in condition_leaves(cond):
        if isinstance(leaf, FactTest):
            out.append(leaf.fact)
            if isinstance(leaf.operand, FactRef):
                out.append(leaf.operand.fact)
    return list(dict.fromkeys(out))


def condition_options(cond: Condition | None) -> list[str]:
    return [leaf.offered for leaf in condition_leaves(cond) if isinstance(leaf, Offered)]


def template_facts(text: str | None) -> list[str]:
    """Fact names used in a text template: `{name}` or `{name:format}`."""
    return list(dict.fromkeys(m.group(1) for m in TEMPLATE_FIELD.finditer(text or "")))


# ------------------------------------------------------------------------------------------------ rules

class RuleBase(Strict):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    title: str
    when: Condition | None = None
    salience: int = 0
    sources: list[str] = []
    heuristic: bool = False
    covers: list[str] = []
    rationale: str | None = None

    def texts(self) -> list[str]:
        """Templates whose facts must be known before the rule can fire."""
        return [self.title]

    def concludes(self) -> list[str]:
        """Facts this rule sets."""
        return []

    def action_facts(self) -> list[str]:
        """Facts the rule's action needs known (beyond its condition)."""
        out: list[str] = []
        for text in self.texts():
            out.extend(template_facts(text))
        return list(dict.fromkeys(out))

    def optional_facts(self) -> list[str]:
        """Facts the action reads if known, and leaves empty otherwise."""
        return []

    def reads(self) -> list[str]:
        return list(dict.fromkeys(condition_facts(self.when) + self.action_facts() + self.optional_facts()))

    @property
    def makes_claim(self) -> bool:
        return True


class RedFlagRule(RuleBase):
    """Something the user said or assumes that an expert would stop at; `counter` says why and what to do.

    With `belief`, the red flag counters a misconception (the wrong belief, as a user would state it) and is
    part of the misconception catalogue (docs/misconceptions.md); its condition tests the claim facts that
    detect the belief in the user's words.
    """

    kind: Literal["red_flag"]
    counter: str
    belief: str | None = None

    def texts(self) -> list[str]:
        return [self.title, self.counter]


# what a user's question asks for (advisor/reading/goal.py reads them into the fact `asked_topics`): the findings
# that answer it come first in the answer
AskedTopic = Literal["time", "steps", "lr", "accumulation", "batch_per_update", "fit", "gpus", "speed", "batch",
                     "changes", "expected"]
# (changes: settings the user asks about adopting, "would zero3 help?"; expected: whether what they measured is what
# it should be, "is this expected?", "is 88 hours normal?")


class FindingRule(RuleBase):
    """An observation computed from the facts (e.g. 'model states alone exceed the card'); `answers` names the
    questions it answers ("how long will it take?" is `time`), so it leads the answer when the user asks one.
    `diagnosis` marks one that names the cause and its fix by itself (a replay buffer in host RAM, the card held by
    another process): when it fires, the answer closes on it rather than on options still waiting for answers."""

    kind: Literal["finding"]
    text: str
    snippet: str | None = None
    answers: list[AskedTopic] = []
    diagnosis: bool = False

    def texts(self) -> list[str]:
        return [self.title, self.text]


class DeriveRule(RuleBase):
    """Sets facts from literals or other facts (a step of the decision tree)."""

    kind: Literal["derive"]
    set: dict[Annotated[str, Field(pattern=FACT_PATTERN)], Operand]

    def concludes(self) -> list[str]:
        return list(self.set)

    def action_facts(self) -> list[str]:
        refs = [v.fact for v in self.set.values() if isinstance(v, FactRef)]
        return list(dict.fromkeys(super().action_facts() + refs))

    @property
    def makes_claim(self) -> bool:
        return False


class EstimateCall(Strict):
    fn: Annotated[str, Field(pattern=FACT_PATTERN)]
    args: dict[Annotated[str, Field(pattern=FACT_PATTERN)], Operand] = {}
    optional: dict[Annotated[str, Field(pattern=FACT_PATTERN)], FactRef] = Field(
        {}, description="arguments passed only when their fact is known (the estimator's default applies otherwise)")
    into: Union[Annotated[str, Field(pattern=FACT_PATTERN)], dict[str, Annotated[str, Field(pattern=FACT_PATTERN)]]]

    def targets(self) -> dict[str, str]:
        """estimator result key -> fact name"""
        return {"value": self.into} if isinstance(self.into, str) else dict(self.into)


class EstimateRule(RuleBase):
    """Calls an estimator (code) and stores its result(s) as facts with provenance `estimate`."""

    kind: Literal["estimate"]
    estimate: EstimateCall

    def concludes(self) -> list[str]:
        return list(self.estimate.targets().values())

    def action_facts(self) -> list[str]:
        refs = [v.fact for v in self.estimate.args.values() if isinstance(v, FactRef)]
        return list(dict.fromkeys(super().action_facts() + refs))

    def optional_facts(self) -> list[str]:
        return [v.fact for v in self.estimate.optional.values()]

    @property
    def makes_claim(self) -> bool:
        return False  # the estimator carries its own sources


class OptionSettings(Strict):
    micro_batch: Operand | None = None
    grad_accum_steps: Operand | None = None
    num_gpus: Operand | None = None
    batch_size: Operand | None = None
    learning_rate: Operand | None = None
    precision: Operand | None = None
    optimizer: Operand | None = None
    gradient_checkpointing: Operand | None = None
    warmup: Operand | None = None
    epochs: Operand | None = None
    normalization: Operand | None = None


class Tradeoffs(Strict):
    speed: str
    memory: str
    accuracy: str
    risk: str


class OptionRule(RuleBase):
    """Offers one course of action with its settings, numbers, tradeoffs and how to validate it."""

    kind: Literal["option"]
    option: Annotated[str, Field(pattern=ID_PATTERN)]
    summary: str
    settings: OptionSettings = OptionSettings()
    estimates: dict[Annotated[str, Field(pattern=FACT_PATTERN)], FactRef] = {}
    tradeoffs: Tradeoffs
    validate_: str = Field(alias="validate")
    snippet: str | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def texts(self) -> list[str]:
        t = self.tradeoffs
        return [self.title, self.summary, t.speed, t.memory, t.accuracy, t.risk, self.validate_]

    def action_facts(self) -> list[str]:
        refs = [v.fact for v in self.estimates.values()]
        return list(dict.fromkeys(super().action_facts() + refs))

    def optional_facts(self) -> list[str]:
        return [v.fact for v in self.settings.__dict__.values() if isinstance(v, FactRef)]


class RecommendRule(RuleBase):
    """Recommends an offered option. After the fixed point, the fired one with the highest salience wins."""

    kind: Literal["recommend"]
    recommend: Annotated[str, Field(pattern=ID_PATTERN)]
    text: str
    # a first move said before the numbers that would confirm it are known: the answer still leads with what was
    # noticed, and the questions that would overturn it stay open
    provisional: bool = False

    def texts(self) -> list[str]:
        return [self.title, self.text]

    @property
    def makes_claim(self) -> bool:
        return False  # it argues from the option it recommends, which carries the sources


class MeasureRule(RuleBase):
    """A cheap measurement that would settle the question; shown under 'what to measure'."""

    kind: Literal["measure"]
    text: str

    def texts(self) -> list[str]:
        return [self.title, self.text]


class PlansRule(RuleBase):
    """Offers the plans of a plan search as options and recommends the first: `plans` names the fact holding them
    (a list of {option, plan, recommended, rationale} items an estimator computed, options in the shape of the
    advice's). The options' texts and numbers come from that estimator, which carries their sources."""

    kind: Literal["plans"]
    plans: FactRef
    verdicts: FactRef | None = Field(None, description="a fact listing {id, text}: why a plan that is not offered was "
                                                       "left out (WHY-NOT answers from it)")

    def action_facts(self) -> list[str]:
        return list(dict.fromkeys(super().action_facts() + [self.plans.fact]))

    def optional_facts(self) -> list[str]:
        return [self.verdicts.fact] if self.verdicts else []

    @property
    def makes_claim(self) -> bool:
        return False


Rule = Annotated[
    Union[RedFlagRule, FindingRule, DeriveRule, EstimateRule, OptionRule, RecommendRule, MeasureRule, PlansRule],
    Field(discriminator="kind"),
]


class RuleFile(Strict):
    """The shape of one rules/*.yaml file holding rules."""

    rules: list[Rule]


class FactsFile(Strict):
    facts: list[FactSpec]


class SourcesFile(Strict):
    sources: list[Source]


class SeedItemsFile(Strict):
    seed_items: list[SeedItem]


class KnowledgeBase(BaseModel):
    """Everything loaded from the rules directory, with the lookups the engine and lint need."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    facts: dict[str, FactSpec]
    sources: dict[str, Source]
    rules: list[Rule]
    seed_items: dict[str, SeedItem] = {}
    origins: dict[str, tuple[str, int]] = {}  # rule id -> (file, line), for messages

    def rule(self, rule_id: str) -> Rule:
        cached = self.__dict__.get("_rules_by_id")
        if cached is None or cached[0] is not self.rules:  # rebuilt if a copy replaced the rules
            cached = (self.rules, {rule.id: rule for rule in self.rules})
            object.__setattr__(self, "_rules_by_id", cached)
        return cached[1][rule_id]

    def where(self, rule_id: str) -> str:
        file, line = self.origins.get(rule_id, ("?", 0))
        return f"{file}:{line}"
