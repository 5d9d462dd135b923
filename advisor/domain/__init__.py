"""The domain: the vocabulary of training setups (precisions, optimizers, parallelism, overheads), the model
catalogue, and the estimators behind every number the advice prints (memory, scaling, batching, statistics).

Pure functions of their inputs; no torch. May import the engine's estimator registry, never a shell.
"""
