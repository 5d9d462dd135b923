"""The words of the domain, in one place: the precisions, optimizers and parallelism schemes the advisor knows,
and the fixed overheads it assumes. Estimators key their byte tables by these names, the shells offer them as
choices, and rules/facts.yaml lists them as a fact's choices; tests/test_layout.py checks that all agree, so a
new name cannot silently become "not computable" somewhere.
"""

# torch.autocast keeps fp32 weights (amp_*); bf16 = pure bf16 weights and optimizer state
PRECISIONS = ("fp32", "amp_bf16", "amp_fp16", "bf16")
# DeepSpeed/Megatron-style: 16-bit weights and gradients with an fp32 master copy in the optimizer
MASTER_COPY_PRECISIONS = ("mixed",)
ALL_PRECISIONS = PRECISIONS + MASTER_COPY_PRECISIONS

OPTIMIZERS = ("sgd", "sgd_momentum", "adam", "adamw", "adamw_8bit", "adamw_4bit", "adafactor", "lion", "prodigy",
              "adam_mini", "schedule_free_adamw")
SGD_FAMILY = ("sgd", "sgd_momentum")
ADAPTIVE_OPTIMIZERS = ("adam", "adamw", "adamw_8bit", "adamw_4bit", "adafactor", "lion", "prodigy", "adam_mini",
                       "schedule_free_adamw")
# what the probe and the tracer can build with torch.optim alone (no bitsandbytes)
TORCH_OPTIMIZERS = ("sgd", "sgd_momentum", "adam", "adamw")

TRAINING_MODES = ("scratch", "finetune")
INTERCONNECTS = ("nvlink", "pcie", "ethernet", "infiniband")

# memory the CUDA context takes outside PyTorch's allocator: ~0.3-0.4 GB with lazy module loading (CUDA >= 11.7)
CUDA_CONTEXT_BYTES = 0.4e9
