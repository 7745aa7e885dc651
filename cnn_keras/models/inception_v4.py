"""Inception-v4 (Szegedy et al., 2016): a uniform stack of Inception-A, -B and -C blocks.

The blocks are branch tables of :mod:`cnn_keras.models.inception_blocks`' pieces
(:class:`Conv`, :class:`Pool`, :func:`factorized_nxn`, :func:`expanded`); the stem and
Reduction-A are shared with Inception-ResNet (``inception_resnet.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import keras

from cnn_keras.heads import application_model, check_head_args
from cnn_keras.layers import check_width_multiplier, image_input
from cnn_keras.models.inception_blocks import (
    MAX_POOL_S2,
    VALID,
    Branch,
    Conv,
    Pool,
    build_stem,
    check_blocks,
    expanded,
    factorized_nxn,
    inception_block,
    narrowest_conv,
)
from cnn_keras.registry import Family, register_model

PAPER = "Szegedy et al. (AAAI 2017)"
MIN_SIZE = 75  # the 8x8 grid is then 1x1

# Figure 3, the stem of Inception-v4 and Inception-ResNet-v2 (shapes for 299x299x3).
STEM = (
    ("conv_1a_3x3", Conv(32, 3, strides=2, **VALID)),  # 149x149x32
    ("conv_2a_3x3", Conv(32, 3, **VALID)),  # 147x147x32
    ("conv_2b_3x3", Conv(64, 3)),  # 147x147x64
    ("mixed_3a", ((MAX_POOL_S2,), (Conv(96, 3, strides=2, **VALID),))),  # 73x73x160
    (
        "mixed_4a",
        (
            (Conv(64, 1), Conv(96, 3, **VALID)),
            factorized_nxn(7, (64, 64), reduce=64) + (Conv(96, 3, **VALID),),
        ),
    ),  # 71x71x192
    ("mixed_5a", ((Conv(192, 3, strides=2, **VALID),), (MAX_POOL_S2,))),  # 35x35x384
)


def reduction_a(k: int, l: int, m: int, n: int) -> tuple[Branch, ...]:  # noqa: E741
    """Figure 7, the 35x35 to 17x17 reduction, with the paper's Table 1 widths k, l, m, n:
    a 3x3/2 conv ``n``; ``1x1 k -> 3x3 l -> 3x3/2 m``; a 3x3/2 max pool."""
    return (
        (Conv(n, 3, strides=2, **VALID),),
        (Conv(k, 1), Conv(l, 3), Conv(m, 3, strides=2, **VALID)),
        (MAX_POOL_S2,),
    )


# Table 1 of the paper: the filter numbers of Reduction-A per network.
REDUCTION_A_WIDTHS = {
    "inception_v4": (192, 224, 256, 384),
    "inception_resnet_v1": (192, 192, 256, 384),
    "inception_resnet_v2": (256, 256, 384, 384),
}

# Figure 4: 35x35x384 in and out.
BLOCK_A = (
    (Conv(96, 1),),
    (Conv(64, 1), Conv(96, 3)),
    (Conv(64, 1), Conv(96, 3), Conv(96, 3)),
    (Pool("avg"), Conv(96, 1)),
)
# Figure 5: 17x17x1024 in and out.
BLOCK_B = (
    (Conv(384, 1),),
    factorized_nxn(7, (224, 256), reduce=192),
    factorized_nxn(7, (192, 224, 224, 256), first="nx1", reduce=192),
    (Pool("avg"), Conv(128, 1)),
)
# Figure 8: 17x17x1024 to 8x8x1536.
REDUCTION_B = (
    (Conv(192, 1), Conv(192, 3, strides=2, **VALID)),
    factorized_nxn(7, (256, 320), reduce=256) + (Conv(320, 3, strides=2, **VALID),),
    (MAX_POOL_S2,),
)
# Figure 6: 8x8x1536 in and out.
BLOCK_C = (
    (Conv(256, 1),),
    (Conv(384, 1), expanded(256)),
    factorized_nxn(3, (448, 512), first="nx1", reduce=384) + (expanded(256),),
    (Pool("avg"), Conv(256, 1)),
)
# Figure 9: 4 x A, reduction, 7 x B, reduction, 3 x C.
STAGES = (
    ("inception_a", 4, BLOCK_A),  # 35x35x384
    ("reduction_a", 1, reduction_a(*REDUCTION_A_WIDTHS["inception_v4"])),  # 17x17x1024
    ("inception_b", 7, BLOCK_B),  # 17x17x1024
    ("reduction_b", 1, REDUCTION_B),  # 8x8x1536
    ("inception_c", 3, BLOCK_C),  # 8x8x1536
)


def inception_v4(
    *,
    include_top: bool = True,
    input_shape=None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | None = "softmax",
    blocks: Sequence[int] = (4, 7, 3),
    width_multiplier: float = 1.0,
    dropout: float = 0.2,
    name: str = "inception_v4",
    family: Family | None = None,
) -> keras.Model:
    """Inception-v4 as the paper's Figure 9: 42.7 M parameters, 12.3 G multiply-adds at 299.

    Stem (Figure 3) 35x35x384; four Inception-A (Figure 4) 35x35x384; Reduction-A (Figure 7,
    k=192, l=224, m=256, n=384) 17x17x1024; seven Inception-B (Figure 5) 17x17x1024;
    Reduction-B (Figure 8) 8x8x1536; three Inception-C (Figure 6) 8x8x1536; average pooling,
    dropout (keep 0.8) and the classifier.

    Args:
        include_top: end in global average pooling, dropout and the classifier.
        input_shape: ``(height, width, 3)``; by default 299x299x3. At least 75x75.
        pooling: with ``include_top=False``: ``None`` (the 8x8x1536 map), ``"avg"`` or
            ``"max"``.
        classes: outputs of the classifier.
        classifier_activation: ``"softmax"`` or ``None`` for logits.
        blocks: how many Inception-A, -B and -C blocks (the paper's 4, 7, 3); fewer for a
            small net on a CPU.
        width_multiplier: scale every conv width, for a small net on a CPU.
        dropout: dropout rate before the classifier (the paper keeps 0.8).
        name: the model's name.
        family: the registry's Family, whose input sizes it takes; ``None``: ``INCEPTION_V4``.

    Note:
        The paper has batch norm "only on top of the traditional layers" without saying
        which kind; as the authors' TF-slim release, every conv is followed by batch norm
        without a learned scale (epsilon 1e-3) and has no bias. In Figures 5 and 6 the order
        of the 1x7/7x1 (1x3/3x1) convs in the double branch follows TF-slim (7x1 first in
        Inception-B's fourth branch, 3x1 first in Inception-C's).

    Reference: [Inception-v4, Inception-ResNet and the Impact of Residual Connections on
        Learning](https://arxiv.org/abs/1602.07261) (AAAI 2017)
    """
    check_head_args(include_top, pooling, classes, classifier_activation, dropout)
    width_multiplier = check_width_multiplier(
        width_multiplier, narrowest=narrowest_conv(STEM, [branches for _, _, branches in STAGES])
    )
    counts = dict(
        zip(
            ("inception_a", "inception_b", "inception_c"),
            check_blocks(blocks, paper="Figure 9: 4, 7, 3"),
            strict=True,
        )
    )
    inputs = image_input(
        input_shape,
        INCEPTION_V4 if family is None else family,
        model_name=name,
        include_top=include_top,
    )
    x = build_stem(inputs, STEM, width_multiplier=width_multiplier)  # 35x35x384
    for stage, repeats, branches in STAGES:
        for index in range(1, counts.get(stage, repeats) + 1):
            block_name = stage if stage.startswith("reduction") else f"{stage}{index}"
            x = inception_block(x, branches, name=block_name, width_multiplier=width_multiplier)
    # 8x8x1536
    return application_model(
        inputs, x, include_top, pooling, classes, classifier_activation, dropout=dropout, name=name
    )


INCEPTION_V4 = Family(
    "Inception-v4",
    paper=PAPER,
    input_size=299,
    min_input_size=MIN_SIZE,
    recipe="inception_v4",
    augment="inception",
)
register_model("inception_v4", inception_v4, INCEPTION_V4)
