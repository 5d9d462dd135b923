"""Activation accounting for convolutional networks (and ViT's patch embedding), from layer shapes.

What PyTorch saves for backward, per op (fp32 unless noted; 16-bit under autocast or 16-bit weights):

* Conv2d saves its input (also the network's input image: the weight gradient needs it);
* BatchNorm2d saves its input and a per-channel mean and inverse std (fp32);
* ReLU(inplace=True) saves its output - the BatchNorm's output storage, which the next convolution saves too;
* MaxPool2d saves its input (shared) and int64 indices of its output;
* `out += identity` saves nothing; AdaptiveAvgPool2d saves its input (the last block's output, shared); the
  classifier saves the pooled features.

The peak of a CNN is usually inside backward, not at its start: the deep, low-resolution stages hold most of the
parameters, so their gradients exist while the early, high-resolution activations are still saved. The model walks
backward through the stages: at each one, what is still saved + the gradients produced so far + the activation
gradients in flight (the incoming gradient, the outgoing one, and the residual branch's copy).

Checked against traced ResNet-18- and ResNet-50-shaped models (tests/test_memory_accuracy.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from advisor.units import fmt_bytes, fmt_bytes_gib


@dataclass
class Stage:
    """One step of the backward walk: a block (or the stem) in forward order."""

    name: str
    saved: float  # elements saved per sample by this block's ops (16-bit or fp32 storage)
    saved_int64: float  # elements of int64 indices per sample (max pool)
    params: int  # parameters whose gradients this block produces
    out: float  # elements per sample of its output (the gradient flowing into it in backward)
    inp: float  # elements per sample of its input (the gradient it produces)
    largest: float  # elements per sample of its largest internal activation (gradients in flight inside it)
    residual: bool  # a residual block: the output gradient is kept for the identity branch
    largest_weight: int = 0  # its largest weight tensor (a gradient temporary when accumulating into .grad)
    macs: float = 0.0  # multiply-accumulates per sample of its convolutions in forward


def _conv_out(size: int, kernel: int, stride: int, pad: int) -> int:
    return (size + 2 * pad - kernel) // stride + 1


def resnet_stages(dims: dict[str, Any]) -> tuple[list[Stage], dict[str, float]]:
    """The stages of a torchvision-style ResNet (`block`: basic | bottleneck, `blocks` per stage) at `image_size`."""
    size = int(dims.get("image_size", 224))
    classes = int(dims.get("num_classes", 1000))
    bottleneck = dims.get("block", "bottleneck") == "bottleneck"
    base = int(dims.get("width", 64))
    stages: list[Stage] = []
    image = 3 * size * size
    s1 = _conv_out(size, 7, 2, 3)
    stem = base * s1 * s1
    s2 = _conv_out(s1, 3, 2, 1)
    pooled = base * s2 * s2
    # conv1 saves the image; bn1 its input; relu (in place) the bn output, which max pool also saves; pool indices
    stages.append(Stage("stem", image + 2 * stem, pooled, 3 * base * 49 + 2 * base, pooled, 0, stem, False, 3 * base * 49,
                        macs=3 * base * 49 * s1 * s1))
    cin, res = base, s2
    expansion = 4 if bottleneck else 1
    for i, n in enumerate(dims["blocks"]):
        width = base * 2**i
        for j in range(n):
            stride = 2 if (i > 0 and j == 0) else 1
            out_res = _conv_out(res, 3, stride, 1)
            cout = width * expansion
            down = stride != 1 or cin != cout
            a_in, a_out = cin * res * res, cout * out_res * out_res
            if bottleneck:
                mid1, mid2 = width * res * res, width * out_res * out_res
                # conv1 out, bn1/relu out, conv2 out, bn2/relu out, conv3 out, bn3/relu out (the block output)
                saved = 2 * mid1 + 2 * mid2 + 2 * a_out
                params = cin * width + 2 * width + width * width * 9 + 2 * width + width * cout + 2 * cout
                largest = max(mid1, a_out)
                macs = cin * width * res * res + (width * width * 9 + width * cout) * out_res * out_res
            else:
                mid = width * out_res * out_res
                saved = 2 * mid + 2 * a_out  # conv1 out, bn1/relu out, conv2 out, bn2/relu out (the block output)
                params = cin * width * 9 + 2 * width + width * width * 9 + 2 * width
                largest = max(mid, a_out)
                macs = (cin * width * 9 + width * width * 9) * out_res * out_res
            weight = max(width * width * 9, cin * width * (1 if bottleneck else 9), width * cout)
            if down:
                saved += a_out  # the downsample convolution's output, saved by its BatchNorm
                params += cin * cout + 2 * cout
                macs += cin * cout * out_res * out_res
            stages.append(Stage(f"stage {i + 1} block {j + 1}", saved, 0, params, a_out, a_in, largest, True, weight,
                                macs=macs))
            cin, res = cout, out_res
    head = {"features": float(cin), "classes": float(classes), "head_params": float(cin * classes + classes)}
    return stages, head


def resnet_forward_macs(dims: dict[str, Any]) -> float:
    """Multiply-accumulates of one sample's forward pass through a torchvision-style ResNet (its convolutions and
    classifier; BatchNorm, ReLU and pooling are a few percent more): ResNet-50 at 224² is 4.09 G, ResNet-18 1.81 G."""
    stages, head = resnet_stages(dims)
    return sum(st.macs for st in stages) + head["features"] * head["classes"]


def backward_walk(stages: list[Stage], head: dict[str, float], act_bytes: int,
                  grad_bytes: int) -> tuple[tuple[float, float, float], ...]:
    """Candidate backward peaks (gradients produced so far, other fixed bytes, per-sample bytes, weight-gradient
    temporary when accumulating): at the start of backward, and inside each stage walking from the last to the
    first."""
    saved = [st.saved * act_bytes + st.saved_int64 * 8 for st in stages]
    head_saved = head["features"] * act_bytes + head["classes"] * 4  # pooled features, log-softmax
    total = sum(saved) + head_saved
    phases = [(0.0, 0.0, total + 2 * head["classes"] * 4, head["head_params"] * 4)]
    grads = head["head_params"] * 4
    alive = total - head_saved
    for st, sv in zip(reversed(stages), reversed(saved)):
        in_flight = st.out + st.inp + 2 * st.largest + (st.out if st.residual else 0)  # gradients of its activations
        phases.append((grads + st.params * 4, 0.0, alive + in_flight * grad_bytes, st.largest_weight * 4.0))
        grads += st.params * 4
        alive -= sv
    return tuple(phases)


def resnet_activation_model(spec: Any, setup: Any, device: str) -> Any:
    from advisor.domain.estimators.training import ActivationModel, storage_bytes

    if "blocks" not in spec.dims:
        return ActivationModel({}, {}, "activations not estimated: no ResNet stage shapes; trace the model with --model")
    b = storage_bytes(setup, device)
    stages, head = resnet_stages(spec.dims)
    act = b.lin  # convolutions and BatchNorm run in 16 bits under autocast; the image is saved as a 16-bit copy
    phases = backward_walk(stages, head, act, act)
    start = phases[0][2]
    peak_per = max(ph[2] for ph in phases[1:])
    peak_fixed = max(ph[0] for ph in phases)
    per_sample = {"activations": float(start)}
    formulas = {"activations": (f"{len(stages) - 1} {spec.dims.get('block', 'bottleneck')} blocks at "
                                f"{spec.dims.get('image_size', 224)}²: conv inputs, BatchNorm inputs, ReLU outputs, "
                                f"max-pool indices (int64), {act}-byte storage = {fmt_bytes_gib(start)} per sample")}
    if peak_per > start:
        per_sample["backward temporaries"] = float(peak_per - start)
        formulas["backward temporaries"] = ("inside backward: the gradients of deep stages (up to "
                                            f"{fmt_bytes(peak_fixed)}) beside the early stages' saved activations and "
                                            "the activation gradients in flight")
    assumption = (f"activations from layer shapes (advisor/domain/cnn.py): torchvision-style ResNet, in-place ReLU, "
                  f"image {spec.dims.get('image_size', 224)}², {act}-byte storage; the peak is the largest of the start "
                  "of backward and each stage's backward; cuDNN workspaces are not included")
    return ActivationModel(per_sample, formulas, assumption, phases)


def vit_input_bytes(spec: Any, b: Any) -> float:
    """ViT's patch embedding (a strided convolution) saves the image: fp32, or autocast's 16-bit copy."""
    size = int(spec.dims.get("image_size", 224))
    return 3 * size * size * (b.lin if b.amp or b.res == 2 else 4)


def count_resnet_params(dims: dict[str, Any]) -> int:
    """Parameters of the ResNet the stages describe (basic or bottleneck blocks)."""
    stages, head = resnet_stages(dims)
    return int(sum(st.params for st in stages) + head["head_params"])
