"""The inference engine: working memory with typed provenance, the condition language, one rule-ordering
policy, forward chaining (a table from rule kind to action), questions and the recommendation, the advice it
assembles, and explanations (HOW / WHY / WHY-NOT) read from the trace.

Domain-free: estimators are called by name through the registry in `engine.estimators`, which the domain
layer fills. Imports `advisor.kb`, `advisor.errors` and `advisor.units` only.
"""
