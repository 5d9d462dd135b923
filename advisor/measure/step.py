"""The one training step the tracer and the probe both run, with its optimizer and autocast choices.

Peaks are only comparable if both run exactly the same step: forward under autocast, a scalar loss, backward,
optimizer step, gradients freed (set_to_none, as the Trainer and Lightning do).
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any, Callable

from advisor.domain.vocabulary import TORCH_OPTIMIZERS
from advisor.errors import InputError


def make_optimizer(name: str, params: Any, torch: Any) -> Any:
    if name == "sgd":
        return torch.optim.SGD(params, lr=1e-3)
    if name == "sgd_momentum":
        return torch.optim.SGD(params, lr=1e-3, momentum=0.9)
    if name == "adam":
        return torch.optim.Adam(params, lr=1e-3)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=1e-3)
    raise InputError(f"measuring supports the optimizers {', '.join(TORCH_OPTIMIZERS)} (got {name!r}); "
                     "use the analytic estimate for others")


def autocast(precision: str, torch: Any, device: str = "cpu") -> Any:
    if precision == "fp32":
        return nullcontext()
    if precision == "amp_bf16":
        return torch.autocast(device, dtype=torch.bfloat16)
    if precision == "amp_fp16":
        return torch.autocast(device, dtype=torch.float16)
    raise InputError(f"measuring supports precisions fp32, amp_bf16, amp_fp16 (got {precision!r})")


def to_device(x: Any, device: str) -> Any:
    return x.to(device) if hasattr(x, "to") else x


def train_step(model: Any, make_batch: Callable, loss_fn: Callable, optimizer: Any, batch: int, precision: str,
               torch: Any, device: str = "cpu") -> None:
    inputs, targets = make_batch(batch)
    if device != "cpu":
        inputs, targets = to_device(inputs, device), to_device(targets, device)
    with autocast(precision, torch, device):
        loss = loss_fn(model(inputs), targets)
    if not (hasattr(loss, "shape") and tuple(loss.shape) == ()):
        raise InputError("loss_fn must return a scalar tensor")
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
