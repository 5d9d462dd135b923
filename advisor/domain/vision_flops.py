"""Forward multiply-accumulates per sample of the catalogue's vision models, from their shapes.

A language model's training compute is 6 × parameters per token (Kaplan et al.), because every weight is used once
per token. A convolution reuses its few weights at every position of its feature map, so a CNN's compute follows
its feature maps, not its parameter count: ResNet-50 has 25.6M parameters and 4.09 G multiply-accumulates per
224² image. A ViT uses each block weight once per token, plus attention's two s × s products per layer.

Training takes about three forward passes' worth (the backward computes the gradients of both the activations and
the weights), so FLOPs per training sample ≈ 3 × 2 × forward MACs.
"""

from __future__ import annotations

from advisor.domain.catalogue import ModelSpec, at_image_size
from advisor.domain.cnn import resnet_forward_macs


def forward_macs(spec: ModelSpec, image_size: int = 0) -> float | None:
    """Multiply-accumulates of one sample's forward pass at `image_size` (0: the model's own), or None for a model
    whose shape is not one of these."""
    if spec.family == "resnet" and "blocks" in spec.dims:
        return resnet_forward_macs({**spec.dims, **({"image_size": int(image_size)} if image_size else {})})
    spec = at_image_size(spec, image_size)
    if spec.family == "vit" and spec.n_layers and spec.d_model and spec.seq_len:
        h, s, layers = spec.d_model, spec.seq_len, spec.n_layers
        ff = spec.d_ff or 4 * h
        patch = int(spec.dims.get("patch", 16))
        blocks = layers * (4 * h * h + 2 * h * ff) * s  # Q, K, V, output projections and the MLP, per token
        attention = layers * 2 * s * s * h  # Q·Kᵀ and the weights times V
        embed = 3 * patch * patch * h * (s - 1)  # the patch embedding's strided convolution
        head = h * int(spec.dims.get("num_classes", 1000))
        return float(blocks + attention + embed + head)
    return None

