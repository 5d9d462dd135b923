"""The one ordering of rules: higher salience first, then the order of the knowledge base (file, then position).

The engine fires ready rules in this order, the winning recommendation is the first fired one in it, options are
listed in it, and explanations rank by it, so the three can never disagree.
"""

from __future__ import annotations

from typing import Iterable

from advisor.kb.model import KnowledgeBase, Rule


class RulePolicy:
    def __init__(self, kb: KnowledgeBase):
        self._position = {rule.id: i for i, rule in enumerate(kb.rules)}

    def key(self, rule: Rule) -> tuple[float, int]:
        return (-rule.salience, self._position[rule.id])

    def first(self, rules: Iterable[Rule]) -> Rule:
        return min(rules, key=self.key)

    def ordered(self, rules: Iterable[Rule]) -> list[Rule]:
        return sorted(rules, key=self.key)

    def before(self, a: Rule, b: Rule) -> bool:
        """Whether `a` outranks `b`."""
        return self.key(a) < self.key(b)
