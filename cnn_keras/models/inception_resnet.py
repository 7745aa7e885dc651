"""Inception-ResNet v1 and v2 (Szegedy et al., 2016): inception blocks with a residual
connection, the residual scaled down before the addition.

An Inception-ResNet block runs a few inception branches on ``x``, concatenates them, brings
the depth back to ``x``'s with a linear 1x1 conv (no batch norm, no activation), and adds::

    y = relu(x + scale * conv_1x1(concat(branches(x))))

The branches are tables of :mod:`cnn_keras.models.inception_blocks`' pieces, the stem and
Reduction-A are Inception-v4's (``inception_v4.py``), and the scaling is the registered
:class:`cnn_keras.layers.ScaledResidual` layer, so the models save and load in safe mode.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import keras
from keras import layers

from cnn_keras.checks import check_bool, check_choice
from cnn_keras.heads import application_model, check_head_args
from cnn_keras.layers import (
    ScaledResidual,
    check_residual_scale,
    check_width_multiplier,
    conv_bn_act,
    image_input,
)
from cnn_keras.models.inception_blocks import (
    MAX_POOL_S2,
    VALID,
    Branch,
    Conv,
    Pool,
    StemItem,
    build_stem,
    check_blocks,
    conv_bn,
    inception_block,
    narrowest_conv,
)
from cnn_keras.models.inception_v3 import STEM as INCEPTION_V3_STEM
from cnn_keras.models.inception_v4 import MIN_SIZE, REDUCTION_A_WIDTHS, STEM, reduction_a
from cnn_keras.registry import Family, register_model

PAPER = "Szegedy et al. (AAAI 2017)"


@dataclasses.dataclass(frozen=True)
class InceptionResNetConfig:
    """One Inception-ResNet network, as data.

    Attributes:
        stem: the stem, up to the 35x35 grid.
        block_a, block_b, block_c: the residual branches of the 35x35, 17x17 and 8x8 blocks.
        reduction_a, reduction_b: the grid reductions between them.
        blocks: how many A, B and C blocks.
        residual_scales: the default residual scale of the A, B and C blocks.
        linear_last_block: the last C block adds its residual unscaled and has no ReLU.
        final_conv: filters of a 1x1 conv-BN-ReLU after the last block, or ``None``.
    """

    stem: tuple[StemItem, ...]
    block_a: tuple[Branch, ...]
    reduction_a: tuple[Branch, ...]
    block_b: tuple[Branch, ...]
    reduction_b: tuple[Branch, ...]
    block_c: tuple[Branch, ...]
    blocks: tuple[int, int, int]
    residual_scales: tuple[float, float, float] = (0.17, 0.1, 0.2)
    linear_last_block: bool = False
    final_conv: int | None = None


def reduction_b(widths: tuple[int, int, int, int]) -> tuple[Branch, ...]:
    """Figures 12 and 18, the 17x17 to 8x8 reduction of Inception-ResNet: ``1x1 256 ->
    3x3/2 384``; ``1x1 256 -> 3x3/2 w1``; ``1x1 256 -> 3x3 w2 -> 3x3/2 w3``; max pool."""
    first, second, third_mid, third = widths
    return (
        (Conv(256, 1), Conv(first, 3, strides=2, **VALID)),
        (Conv(256, 1), Conv(second, 3, strides=2, **VALID)),
        (Conv(256, 1), Conv(third_mid, 3), Conv(third, 3, strides=2, **VALID)),
        (MAX_POOL_S2,),
    )


CONFIGS = {
    # The paper's Figure 15 with Figures 14, 10, 7, 11, 12, 13 (shapes for 299x299x3).
    "v1": InceptionResNetConfig(
        stem=(
            ("conv_1a_3x3", Conv(32, 3, strides=2, **VALID)),  # 149x149x32
            ("conv_2a_3x3", Conv(32, 3, **VALID)),  # 147x147x32
            ("conv_2b_3x3", Conv(64, 3)),  # 147x147x64
            ("pool_3a_3x3", MAX_POOL_S2),  # 73x73x64
            ("conv_3b_1x1", Conv(80, 1)),  # 73x73x80
            ("conv_4a_3x3", Conv(192, 3, **VALID)),  # 71x71x192
            ("conv_4b_3x3", Conv(256, 3, strides=2, **VALID)),  # 35x35x256
        ),
        block_a=(  # Figure 10, 35x35x256
            (Conv(32, 1),),
            (Conv(32, 1), Conv(32, 3)),
            (Conv(32, 1), Conv(32, 3), Conv(32, 3)),
        ),
        reduction_a=reduction_a(*REDUCTION_A_WIDTHS["inception_resnet_v1"]),  # 17x17x896
        block_b=(  # Figure 11
            (Conv(128, 1),),
            (Conv(128, 1), Conv(128, (1, 7)), Conv(128, (7, 1))),
        ),
        reduction_b=reduction_b((384, 256, 256, 256)),  # 8x8x1792
        block_c=(  # Figure 13
            (Conv(192, 1),),
            (Conv(192, 1), Conv(192, (1, 3)), Conv(192, (3, 1))),
        ),
        blocks=(5, 10, 5),
    ),
    # keras.applications' InceptionResNetV2, after the authors' TF-slim release.
    "v2": InceptionResNetConfig(
        stem=(
            *INCEPTION_V3_STEM,  # 35x35x192
            (
                "mixed_5b",
                (
                    (Conv(96, 1),),
                    (Conv(48, 1), Conv(64, 5)),
                    (Conv(64, 1), Conv(96, 3), Conv(96, 3)),
                    (Pool("avg"), Conv(64, 1)),
                ),
            ),  # 35x35x320
        ),
        block_a=(  # Figure 16, 35x35x320
            (Conv(32, 1),),
            (Conv(32, 1), Conv(32, 3)),
            (Conv(32, 1), Conv(48, 3), Conv(64, 3)),
        ),
        reduction_a=reduction_a(*REDUCTION_A_WIDTHS["inception_resnet_v2"]),  # 17x17x1088
        block_b=(  # Figure 17
            (Conv(192, 1),),
            (Conv(128, 1), Conv(160, (1, 7)), Conv(192, (7, 1))),
        ),
        reduction_b=reduction_b((384, 288, 288, 320)),  # 8x8x2080
        block_c=(  # Figure 19
            (Conv(192, 1),),
            (Conv(192, 1), Conv(224, (1, 3)), Conv(256, (3, 1))),
        ),
        blocks=(10, 20, 10),
        linear_last_block=True,
        final_conv=1536,  # conv_7b, 8x8x1536
    ),
}
# The paper's own Inception-ResNet-v2 stem (Figure 3, Inception-v4's) and block counts
# (Figure 15: 5, 10, 5), for comparison; not registered.
CONFIGS["v2_paper"] = dataclasses.replace(
    CONFIGS["v2"], stem=STEM, blocks=(5, 10, 5), linear_last_block=False, final_conv=None
)


def inception_resnet_block(
    x: keras.KerasTensor,
    branches: Sequence[Branch],
    *,
    scale: float,
    name: str,
    activation: str | None = "relu",
    width_multiplier: float = 1.0,
    residual: bool = True,
) -> keras.KerasTensor:
    """One Inception-ResNet block: ``activation(x + scale * conv_1x1(concat(branches(x))))``;
    with ``residual=False``, ``activation(conv_1x1(concat(branches(x))))``, the same block
    without its shortcut (``scale`` is then unused).

    Layers: the branches ``{name}_branch{b}_...``, their concatenation ``{name}_mixed``, the
    linear 1x1 conv back to ``x``'s depth ``{name}_conv`` (with a bias, no batch norm),
    the scaled sum ``{name}_scaled_residual`` and ``{name}_relu``.

    Raises:
        ValueError: if ``scale`` is not in (0, 1].
    """
    check_residual_scale(scale)
    use_shortcut = residual
    mixed = inception_block(
        x, branches, name=name, concat_name=f"{name}_mixed", width_multiplier=width_multiplier
    )
    residual = conv_bn_act(
        mixed,
        x.shape[-1],
        1,
        batch_norm=False,
        activation=None,
        use_bias=True,
        name=f"{name}_conv",
    )
    if use_shortcut:
        x = ScaledResidual(scale, name=f"{name}_scaled_residual")([x, residual])
    else:
        x = residual
    if activation is not None:
        x = layers.Activation(activation, name=f"{name}_{activation}")(x)
    return x


def inception_resnet(
    *,
    config: str = "v2",
    include_top: bool = True,
    input_shape=None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | None = "softmax",
    residual_scale: float | Sequence[float] | None = None,
    blocks: Sequence[int] | None = None,
    width_multiplier: float = 1.0,
    dropout: float = 0.2,
    residual: bool = True,
    name: str = "inception_resnet",
    family: Family | None = None,
) -> keras.Model:
    """Inception-ResNet: a stem, A blocks (35x35), Reduction-A, B blocks (17x17), Reduction-B,
    C blocks (8x8), average pooling, dropout, classifier.

    ``config="v2"`` is layer for layer keras.applications' ``InceptionResNetV2`` (55.9 M
    parameters, 13.2 G multiply-adds at 299): blocks ``block35_1`` ... ``block35_10``
    35x35x320, ``mixed_6a`` 17x17x1088, ``block17_1`` ... ``block17_20``, ``mixed_7a``
    8x8x2080, ``block8_1`` ... ``block8_10``, ``conv_7b`` 8x8x1536. ``config="v1"`` is the
    paper's Inception-ResNet-v1 (Figures 14, 10, 11, 12, 13, 15): 35x35x256, 17x17x896,
    8x8x1792, five, ten and five blocks.

    Args:
        config: ``"v1"``, ``"v2"`` (keras.applications'), or ``"v2_paper"`` (the paper's
            stem and block counts with v2's blocks).
        include_top: end in global average pooling, dropout and the classifier.
        input_shape: ``(height, width, 3)``; by default 299x299x3. At least 75x75.
        pooling: with ``include_top=False``: ``None`` (the last 8x8 map), ``"avg"`` or
            ``"max"``.
        classes: outputs of the classifier.
        classifier_activation: ``"softmax"`` or ``None`` for logits.
        residual_scale: the factor on the residual before the addition, in (0, 1]: one for
            every block, or one each for the A, B and C blocks. By default TF-slim's 0.17,
            0.1 and 0.2 (the paper: "between 0.1 and 0.3").
        blocks: how many A, B and C blocks; by default the config's.
        width_multiplier: scale every inception conv width, for a small net on a CPU (the
            residual's 1x1 conv follows the width of its input).
        dropout: dropout rate before the classifier (the paper keeps 0.8).
        residual: ``False`` drops every block's shortcut (each block is then its branches,
            their 1x1 conv and the ReLU): the same net, parameter for parameter, without
            residual connections, to test the paper's claim that they speed up training.
        name: the model's name.
        family: the registry's Family, whose input sizes it takes; ``None``: ``INCEPTION_RESNET``.

    Note:
        keras.applications' (and TF-slim's) Inception-ResNet-v2 departs from the paper's
        Figure 15: its stem is Inception v3's with a 35x35 inception block ``mixed_5b``
        (35x35x320) instead of Figure 3's (35x35x384); it has 10, 20 and 10 blocks, not 5,
        10 and 5; its last block adds the residual unscaled and without ReLU, and a 1x1
        conv ``conv_7b`` (1536) follows. Depths follow from that: 1088 after Reduction-A
        (the paper's Figure 17 says 1154) and 2080 after Reduction-B (2144 in Figure 18).
        ``config="v2_paper"`` builds the paper's stem and block counts.

    Note:
        The paper has batch norm "only on top of the traditional layers, but not on top of
        the summations". As TF-slim, every conv but the residual's linear 1x1 has batch norm
        without a learned scale and no bias; the 1x1 has a bias. Inception-ResNet-v1's
        residual scales are not in the paper; the defaults are v2's.

    Reference: [Inception-v4, Inception-ResNet and the Impact of Residual Connections on
        Learning](https://arxiv.org/abs/1602.07261) (AAAI 2017)
    """
    spec = CONFIGS[check_choice("config", config, CONFIGS)]
    check_head_args(include_top, pooling, classes, classifier_activation, dropout)
    check_bool("residual", residual)
    width_multiplier = check_width_multiplier(
        width_multiplier,
        narrowest=narrowest_conv(
            spec.stem,
            spec.block_a,
            spec.reduction_a,
            spec.block_b,
            spec.reduction_b,
            spec.block_c,
        ),
    )
    if residual_scale is None:
        scales = spec.residual_scales
    elif isinstance(residual_scale, (tuple, list)):
        if len(residual_scale) != 3:
            raise ValueError(
                "residual_scale must be one number in (0, 1] or three (A, B and C blocks); "
                f"received residual_scale={residual_scale!r}."
            )
        scales = tuple(residual_scale)
    else:
        scales = (residual_scale,) * 3
    scales = tuple(check_residual_scale(scale) for scale in scales)
    counts = check_blocks(
        spec.blocks if blocks is None else blocks, paper=f"{spec.blocks} for {config}"
    )

    inputs = image_input(
        input_shape,
        INCEPTION_RESNET if family is None else family,
        model_name=name,
        include_top=include_top,
    )
    x = build_stem(inputs, spec.stem, width_multiplier=width_multiplier)  # 35x35
    stages = (
        ("block35", spec.block_a, "mixed_6a", spec.reduction_a),  # then 17x17
        ("block17", spec.block_b, "mixed_7a", spec.reduction_b),  # then 8x8
        ("block8", spec.block_c, None, None),
    )
    for (prefix, branches, reduction_name, reduction), count, scale in zip(
        stages, counts, scales, strict=True
    ):
        for index in range(1, count + 1):
            last = spec.linear_last_block and reduction is None and index == count
            x = inception_resnet_block(
                x,
                branches,
                scale=1.0 if last else scale,
                activation=None if last else "relu",
                name=f"{prefix}_{index}",
                width_multiplier=width_multiplier,
                residual=residual,
            )
        if reduction is not None:
            x = inception_block(
                x, reduction, name=reduction_name, width_multiplier=width_multiplier
            )
    if spec.final_conv:
        x = conv_bn(x, Conv(spec.final_conv, 1), name="conv_7b", width_multiplier=width_multiplier)
    return application_model(
        inputs, x, include_top, pooling, classes, classifier_activation, dropout=dropout, name=name
    )


INCEPTION_RESNET = Family(
    "Inception-ResNet",
    paper=PAPER,
    input_size=299,
    min_input_size=MIN_SIZE,
    recipe="inception_resnet",
    augment="inception",
)
register_model("inception_resnet_v1", inception_resnet, INCEPTION_RESNET, config="v1")
register_model(
    "inception_resnet_v2",
    inception_resnet,
    INCEPTION_RESNET,
    twin="InceptionResNetV2",
    config="v2",
)
