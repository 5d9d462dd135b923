"""A multi-turn consultation for chat tools and the REPL, on top of the stateless `consult()`.

A Session only remembers the inputs - what the user said, the facts they stated, their answers - and recomputes
the advice from them on demand, so it serialises to a small JSON object a chat server can keep between requests
(`to_dict` / `from_dict`) and always gives the same advice for the same inputs.

    s = Session()
    s.say("I have an 8GB GPU and a 500M parameter model, what batch fits?")
    q = s.next_question()          # QuestionOut(id='training_mode', ...) or None
    s.answer(q.id, "finetune")     # validated; 'skip' declines
    s.advice().recommendation      # option_id='lora'
    s.explain("states_lora").text()
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from advisor.consultation import check_text, load_kb, run_consultation
from advisor.engine.advice import Advice, QuestionOut
from advisor.engine.assemble import Consultation
from advisor.engine.inputs import SKIPPED, accept_input
from advisor.engine.memory import unknown_fact_error
from advisor.errors import InputError
from advisor.kb.model import KnowledgeBase
from advisor.shells.answers import read_answer

SESSION_VERSION = 1


class SessionState(BaseModel):
    """What a Session stores: its inputs, never its conclusions."""

    model_config = ConfigDict(extra="forbid")

    version: int = SESSION_VERSION
    messages: list[str] = Field(default_factory=list)
    facts: dict[str, Any] = Field(default_factory=dict)
    answers: dict[str, Any] = Field(default_factory=dict)


class Session:
    def __init__(self, state: SessionState | None = None, kb: KnowledgeBase | None = None):
        self.kb = kb or load_kb()
        self.state = state or SessionState()
        self._cache: tuple[str, Consultation] | None = None
        self._check_names()

    # ------------------------------------------------------------------------------------------ inputs

    @property
    def message(self) -> str:
        return "\n".join(self.state.messages)

    def say(self, text: str) -> Advice:
        """Add what the user wrote. Each message is read on its own, in turn: what it says of a fact replaces
        what was said before - in an earlier message, an answer or a stated fact (a correction); facts it does
        not mention stay."""
        if not isinstance(text, str):
            raise InputError(f"say() takes text, got {type(text).__name__}")
        check_text(text)
        if text.strip():
            from advisor.consultation import read_message

            self.state.messages.append(text.strip())
            for name in read_message(self.kb, text):  # the latest word on a fact wins, whatever said it before
                self.state.answers.pop(name, None)
                self.state.facts.pop(name, None)
        return self.advice()

    def answer(self, question_id: str, value: Any) -> Advice:
        """Answer a question: a value of the vocabulary ('amp_bf16', '24GB'; 'skip' declines) or the user's own
        words for it ('bf16 mixed', '80 gigs', 'not sure'). Raises InputError, storing nothing, when neither reads."""
        try:
            value = accept_input(self.kb, question_id, value, "answer")
        except InputError:
            if not isinstance(value, str) or question_id not in self.kb.facts or not self.kb.facts[question_id].askable:
                raise
            check_text(value)
            free = read_answer(self.kb, question_id, value)
            if free is None:
                raise
            value = free
        self.state.answers[question_id] = "skip" if value is SKIPPED else value
        return self.advice()

    def set(self, name: str, value: Any) -> Advice:
        """State a fact (as `facts:` in a scenario). Raises InputError, storing nothing, on a bad name or value."""
        self.state.facts[name] = accept_input(self.kb, name, value, "given")
        self.state.answers.pop(name, None)
        return self.advice()

    def forget(self, name: str) -> Advice:
        if name not in self.kb.facts:
            raise InputError(unknown_fact_error(self.kb, name))
        found = self.state.facts.pop(name, None) is not None
        found = self.state.answers.pop(name, None) is not None or found
        if not found:
            raise InputError(f"{name!r} was not stated or answered in this session (facts read from your messages stay; "
                             f"override them with set)")
        return self.advice()

    def reset(self) -> None:
        self.state = SessionState()
        self._cache = None

    # ------------------------------------------------------------------------------------------ outputs

    def consultation(self) -> Consultation:
        key = self.state.model_dump_json()
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, run_consultation(self.state.messages, self.state.facts, self.state.answers, kb=self.kb))
        return self._cache[1]

    def advice(self) -> Advice:
        return self.consultation().advice

    def next_question(self) -> QuestionOut | None:
        questions = self.advice().questions
        return questions[0] if questions else None

    def explain(self, item: str):
        from advisor.engine.explain import explain

        return explain(self.consultation(), item)

    # ------------------------------------------------------------------------------------------ storage

    def to_dict(self) -> dict[str, Any]:
        return self.state.model_dump(mode="json")

    @classmethod
    def from_dict(cls, data: dict[str, Any], kb: KnowledgeBase | None = None) -> "Session":
        try:
            state = SessionState.model_validate(data)
        except Exception as exc:  # noqa: BLE001 - pydantic's message names the field
            raise InputError(f"not a saved advisor session: {exc}") from None
        if state.version != SESSION_VERSION:
            raise InputError(f"session version {state.version} is not supported (this advisor writes {SESSION_VERSION})")
        return cls(state, kb)

    def _check_names(self) -> None:
        """A session saved under an older knowledge base may name facts this one no longer knows."""
        unknown = sorted(n for n in (*self.state.facts, *self.state.answers) if n not in self.kb.facts)
        if unknown:
            raise InputError(f"this session uses facts the knowledge base no longer knows: {', '.join(unknown)}; "
                             f"remove them or start a new session")
