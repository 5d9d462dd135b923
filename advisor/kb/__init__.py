"""The knowledge base layer: the rule model, the YAML loader with line-numbered errors, the validated cache,
lint, and the JSON Schemas the files are checked against.

It knows nothing about GPUs or estimators: a rule that calls an estimator is checked against a registry
passed in by the caller (`load.check_estimator_calls`). Imports only `advisor.errors` and `advisor.units`.
"""
