"""EfficientNet (Tan and Le, 2019): one baseline, B0, scaled in depth, width and resolution
together ("compound scaling").

B0 is a stack of MBConv blocks (MobileNetV2's inverted residual block,
:func:`~cnn_keras.models.mobilenet_v2.inverted_residual_block`, with squeeze-and-excitation and
swish) found by architecture search (:data:`STAGES`, the paper's Table 1). B1 ... B3 multiply
every width by a width coefficient and every stage's block count by a depth coefficient, and
take a larger input (:data:`SCALING`). :func:`compound_scaling` computes the paper's rule.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import keras

from cnn_keras.checks import check_choice, check_float
from cnn_keras.heads import application_model, check_head_args
from cnn_keras.layers import check_width_multiplier, conv_bn_act, image_input, scaled_width
from cnn_keras.models.mobilenet_v2 import block_name, inverted_residual_block, make_divisible
from cnn_keras.registry import Family, register_model

# The paper's Table 1, stages 2-8 (stage 1 is the 3x3/2 stem conv to 32 channels, stage 9 the
# 1x1 conv to 1280, pooling and the fc): (expansion of MBConv1/MBConv6, depthwise kernel size,
# output channels, blocks, stride of the first block). The table lists each stage's input
# resolution; the strides are where it halves.
STAGES = (
    (1, 3, 16, 1, 1),  # 112x112x16
    (6, 3, 24, 2, 2),  # 56x56x24
    (6, 5, 40, 2, 2),  # 28x28x40
    (6, 3, 80, 3, 2),  # 14x14x80
    (6, 5, 112, 3, 1),  # 14x14x112
    (6, 5, 192, 4, 2),  # 7x7x192
    (6, 3, 320, 1, 1),  # 7x7x320
)
STEM_FILTERS = 32
TOP_FILTERS = 1280
# An SE block's squeeze width as a fraction of its MBConv block's input width, not of the
# expanded channels it gates (the authors' and keras.applications' se_ratio): 0.25 is a
# reduction of 4 after MBConv1 and of 24 after MBConv6 (SENet's r is resnet.SE_REDUCTION).
SE_WIDTH_OF_INPUT = 0.25
DROP_CONNECT_RATE = 0.2  # stochastic depth of the last block (survival probability 0.8)
PAPER = "Tan and Le (ICML 2019)"


class Scaling(NamedTuple):
    """One scaled EfficientNet: its width and depth coefficients, input size and dropout."""

    width: float
    depth: float
    resolution: int
    dropout: float


# The released models' coefficients (the authors' code and keras.applications): the paper
# gives only B0 and the rule (section 4.2); the released numbers are rounded by hand and are
# not exactly the rule's (see compound_scaling). Dropout grows from 0.2 (B0) to 0.5 (B7).
SCALING = {
    "b0": Scaling(width=1.0, depth=1.0, resolution=224, dropout=0.2),
    "b1": Scaling(width=1.0, depth=1.1, resolution=240, dropout=0.2),
    "b2": Scaling(width=1.1, depth=1.2, resolution=260, dropout=0.3),
    "b3": Scaling(width=1.2, depth=1.4, resolution=300, dropout=0.3),
}


def conv_initializer() -> keras.initializers.Initializer:
    """The authors' conv initializer (and keras.applications'): a truncated normal with
    variance 2 / fan-out. A new one for every layer (see :func:`~cnn_keras.layers.he_init`)."""
    return keras.initializers.VarianceScaling(2.0, mode="fan_out", distribution="truncated_normal")


def round_filters(filters: int, width: float) -> int:
    """A stage's width times the width coefficient, rounded to a multiple of 8 by
    :func:`~cnn_keras.models.mobilenet_v2.make_divisible` (MobileNetV2's rule)."""
    return make_divisible(filters * width)


def round_repeats(repeats: int, depth: float) -> int:
    """A stage's block count times the depth coefficient, rounded up."""
    return math.ceil(depth * repeats)


class CompoundScaling(NamedTuple):
    """The multipliers of the compound scaling rule for one ``phi``."""

    depth: float  # alpha ** phi: layers
    width: float  # beta ** phi: channels
    resolution: float  # gamma ** phi: input side
    flops: float  # (alpha * beta**2 * gamma**2) ** phi: multiply-adds


def compound_scaling(
    phi: float, *, alpha: float = 1.2, beta: float = 1.1, gamma: float = 1.15
) -> CompoundScaling:
    """The paper's compound scaling (Equation 3): depth ``alpha**phi``, width ``beta**phi``,
    resolution ``gamma**phi``.

    A conv layer's multiply-adds grow linearly with depth but with the square of width (input
    and output channels) and of resolution (height and width), so the net costs
    ``(alpha * beta**2 * gamma**2) ** phi`` times B0's. The paper's grid search on B0 found
    ``alpha=1.2, beta=1.1, gamma=1.15`` under ``alpha * beta**2 * gamma**2 ~ 2``: each step
    of ``phi`` about doubles the cost. (MobileNet's multipliers scale one dimension each:
    width ``a`` costs ``a**2``, resolution ``r`` costs ``r**2``.)

    Args:
        phi: the compound coefficient (0 is B0).
        alpha: the depth base.
        beta: the width base.
        gamma: the resolution base.

    Returns:
        The multipliers, and the cost ratio to B0.

    Note:
        The released B1 ... B7 do not follow the rule exactly (B1 is depth 1.1, width 1.0,
        resolution 240, where ``phi=1`` gives 1.2, 1.1 and 258): see :data:`SCALING`.
    """
    phi = check_float("phi", phi, minimum=0, maximum=16, hint="0 is B0, 1 doubles its cost")
    for arg, value in (("alpha", alpha), ("beta", beta), ("gamma", gamma)):
        check_float(arg, value, minimum=1, maximum=4, hint="the paper's 1.2, 1.1, 1.15")
    return CompoundScaling(
        depth=alpha**phi,
        width=beta**phi,
        resolution=gamma**phi,
        flops=(alpha * beta**2 * gamma**2) ** phi,
    )


def efficientnet(
    *,
    variant: str = "b0",
    dropout: float | None = None,
    drop_connect_rate: float = DROP_CONNECT_RATE,
    width_multiplier: float = 1.0,
    include_top: bool = True,
    input_shape=None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | None = "softmax",
    name: str = "efficientnet",
    family: Family | None = None,
) -> keras.Model:
    """EfficientNet-B0 ... B3: a 3x3/2 conv, 16 MBConv blocks in 7 stages (B0; more for B1-B3),
    a 1x1 conv to 1280, global average pooling, dropout and one fully connected layer.

    Shapes of B0 at 224x224 (B1-B3: widths ``round_filters(c, width)``, stages
    ``ceil(n * depth)`` blocks long, and their own input size)::

        stem_conv         112x112x32     3x3/2 conv
        block1a           112x112x16     MBConv1 3x3
        block2a-b         56x56x24       MBConv6 3x3
        block3a-b         28x28x40       MBConv6 5x5
        block4a-c         14x14x80       MBConv6 3x3
        block5a-c         14x14x112      MBConv6 5x5
        block6a-d         7x7x192        MBConv6 5x5
        block7a           7x7x320        MBConv6 3x3
        top_conv          7x7x1280       1x1 conv
        head              1000           global average pool, dropout, fc

    Every block has squeeze-and-excitation (a quarter of its input width) and swish.

    Args:
        variant: ``"b0"`` ... ``"b3"``, a row of :data:`SCALING`.
        dropout: dropout before the classifier; by default the variant's (0.2 or 0.3).
        drop_connect_rate: stochastic depth: block ``i`` of ``N`` drops its residual branch
            with probability ``drop_connect_rate * i / N`` in training (0 for the first, 0.2
            at most); a forward pass in inference is not changed.
        width_multiplier: a further factor on every width after the variant's rounding,
            rounded by :func:`~cnn_keras.layers.scaled_width`, for a small net on a CPU.
        include_top: end in global average pooling, dropout and the ``predictions`` layer.
        input_shape: ``(height, width, channels)``; by default the variant's size (224, 240,
            260, 300). At least 32x32.
        pooling: with ``include_top=False``: ``None``, ``"avg"`` or ``"max"``.
        classes: outputs of the classifier.
        classifier_activation: ``"softmax"`` or ``None`` for logits.
        name: the model's name.
        family: the registry's Family, whose input sizes it takes; ``None``: ``FAMILIES[variant]``.

    Raises:
        ValueError: for a variant not in :data:`SCALING`, a rate outside [0, 1), a
            ``width_multiplier`` out of range, a bad head argument, or an input below 32x32.

    Note:
        The B0 table is the paper's; the B1-B3 coefficients are the authors' released ones.
        This is keras.applications' EfficientNetB0 ... B3 layer for layer (equal outputs after
        a weight copy) without their first layers: Keras's model rescales ``[0, 255]`` pixels
        and normalizes them with ImageNet's statistics inside the model
        (``include_preprocessing``); ours takes the images the package's data pipeline has
        normalized already. Stride-2 convs pad ``"same"``, which equals Keras's explicit
        ``correct_pad`` for every size. The classifier keeps Keras's default initializer
        (the authors' is a uniform with variance 1/3 of fan-out's).

    Reference: [EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks](
        https://arxiv.org/abs/1905.11946) (ICML 2019)
    """
    variant = check_choice("variant", variant, sorted(SCALING), hint="EfficientNet-B0 ... B3")
    scaling = SCALING[variant]
    if dropout is None:
        dropout = scaling.dropout
    check_float(
        "drop_connect_rate",
        drop_connect_rate,
        minimum=0,
        maximum=1,
        max_inclusive=False,
        hint="the paper's 0.2 (survival probability 0.8); 0 turns stochastic depth off",
    )
    narrowest = min(round_filters(filters, scaling.width) for _, _, filters, _, _ in STAGES)
    width_multiplier = check_width_multiplier(width_multiplier, narrowest=narrowest)
    check_head_args(include_top, pooling, classes, classifier_activation, dropout)
    inputs = image_input(
        input_shape,
        FAMILIES[variant] if family is None else family,
        model_name=name,
        include_top=include_top,
    )

    def width(filters: int) -> int:
        return scaled_width(round_filters(filters, scaling.width), width_multiplier)

    # stem_conv: 112x112x32 (for B0)
    x = conv_bn_act(
        inputs,
        width(STEM_FILTERS),
        3,
        strides=2,
        activation="swish",
        kernel_initializer=conv_initializer(),
        name="stem_conv",
    )
    repeats = [round_repeats(blocks, scaling.depth) for _, _, _, blocks, _ in STAGES]
    total, done = sum(repeats), 0
    for stage, ((expansion, kernel, filters, _, stride), blocks) in enumerate(
        zip(STAGES, repeats, strict=True), start=1
    ):
        for index in range(blocks):
            x = inverted_residual_block(
                x,
                width(filters),
                expansion=expansion,
                stride=stride if index == 0 else 1,
                kernel_size=kernel,
                activation="swish",
                se_filters=max(1, int(x.shape[-1] * SE_WIDTH_OF_INPUT)),
                drop_rate=drop_connect_rate * done / total,
                initializer=conv_initializer,
                name=block_name(stage, index),
            )
            done += 1
    # top_conv: 7x7x1280 (for B0)
    x = conv_bn_act(
        x,
        width(TOP_FILTERS),
        1,
        activation="swish",
        kernel_initializer=conv_initializer(),
        name="top_conv",
    )
    return application_model(
        inputs, x, include_top, pooling, classes, classifier_activation, dropout=dropout, name=name
    )


# One family record per variant: the input size is the variant's resolution.
FAMILIES = {
    variant: Family(
        "EfficientNet",
        paper=PAPER,
        input_size=scaling.resolution,
        min_input_size=32,
        recipe="efficientnet",
        augment="inception",
    )
    for variant, scaling in SCALING.items()
}
for _variant in SCALING:
    register_model(
        f"efficientnet_{_variant}",
        efficientnet,
        FAMILIES[_variant],
        twin=f"EfficientNet{_variant.upper()}",
        variant=_variant,
    )
