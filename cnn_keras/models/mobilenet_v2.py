"""MobileNetV2 (Sandler et al., 2018): inverted residual blocks with linear bottlenecks.

A block widens a thin input with a 1x1 conv (``expansion`` times), filters it with a 3x3
depthwise conv, and projects it back to a thin output with a 1x1 conv that has *no* activation
(the "linear bottleneck": a ReLU in a thin layer destroys information, section 3.2). The
shortcut joins the thin ends, the reverse of ResNet's bottleneck, hence "inverted".

:func:`inverted_residual_block` and :func:`make_divisible` are reused by EfficientNet
(``efficientnet.py``), whose MBConv block is this block with squeeze-and-excitation, swish and
5x5 kernels.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
from keras import layers

from cnn_keras.attention import squeeze_excite
from cnn_keras.batch_norm import BatchNormalization
from cnn_keras.heads import application_model, check_head_args
from cnn_keras.layers import (
    check_width_multiplier,
    conv_bn_act,
    image_input,
    scaled_width,
)
from cnn_keras.registry import Family, register_model

# The paper's Table 2 after the first conv (3x3/2, 32 filters), one row per stage of
# bottleneck blocks: (t: expansion factor, c: output channels, n: blocks, s: stride of the
# first block; the others have stride 1). Then a 1x1 conv to 1280, global pooling and the fc.
STAGES = (
    (1, 16, 1, 1),  # 112x112x16
    (6, 24, 2, 2),  # 56x56x24
    (6, 32, 3, 2),  # 28x28x32
    (6, 64, 4, 2),  # 14x14x64
    (6, 96, 3, 1),  # 14x14x96
    (6, 160, 3, 2),  # 7x7x160
    (6, 320, 1, 1),  # 7x7x320
)
STEM_FILTERS = 32
TOP_FILTERS = 1280
DIVISOR = 8  # every width is a multiple of 8 (fast on mobile hardware)
PAPER = "Sandler et al. (CVPR 2018)"
ALPHAS = (1.0, 0.75, 0.5)  # the registered alphas (the authors released 0.35 to 1.4)


def make_divisible(value: float, divisor: int = DIVISOR) -> int:
    """``value`` rounded to the nearest multiple of ``divisor`` (at least ``divisor``), and one
    ``divisor`` more if rounding lost more than 10 % of ``value``.

    The rule of the authors' TensorFlow code, which keras.applications' MobileNetV2 and
    EfficientNet (its ``round_filters``) follow: ``make_divisible(32 * 0.75) == 24``,
    ``make_divisible(16 * 0.5) == 8``, ``make_divisible(24 * 0.35) == 8``,
    ``make_divisible(12) == 16`` (not 8: 8 would lose a third).
    """
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * value:
        rounded += divisor
    return rounded


def _depthwise_bn_act(
    x: keras.KerasTensor,
    kernel_size: int,
    stride: int,
    *,
    activation: str,
    initializer: keras.initializers.Initializer | str,
    name: str,
) -> keras.KerasTensor:
    """Depthwise conv (``{name}_dwconv``), BN and the activation."""
    x = layers.DepthwiseConv2D(
        kernel_size,
        strides=stride,
        padding="same",
        use_bias=False,
        depthwise_initializer=initializer,
        name=f"{name}_dwconv",
    )(x)
    x = BatchNormalization(epsilon=1e-3, name=f"{name}_dwconv_bn")(x)
    return layers.Activation(activation, name=f"{name}_dwconv_{activation}")(x)


def _glorot() -> str:
    return "glorot_uniform"


def inverted_residual_block(
    x: keras.KerasTensor,
    filters: int,
    *,
    expansion: int,
    stride: int = 1,
    kernel_size: int = 3,
    activation: str = "relu6",
    se_filters: int = 0,
    drop_rate: float = 0.0,
    initializer: Callable[[], keras.initializers.Initializer | str] = _glorot,
    name: str,
) -> keras.KerasTensor:
    """The inverted residual block with a linear bottleneck (the paper's Table 1 and
    Figure 3b), and EfficientNet's MBConv block with ``se_filters`` and ``drop_rate``.

    Layers: ``{name}_expand`` (1x1 conv-BN-activation to ``expansion`` times the input width;
    left out when ``expansion`` is 1), ``{name}_dwconv`` (depthwise ``kernel_size`` conv-BN-
    activation with the block's stride), squeeze-and-excitation (``{name}_se_*``, EfficientNet
    only), ``{name}_project`` (1x1 conv-BN to ``filters``, no activation), and ``{name}_add``
    where the input and output have one shape (stride 1, same width).

    Args:
        x: the input.
        filters: output channels.
        expansion: the paper's t: the expanded width over the input width (1 or 6).
        stride: the depthwise conv's stride.
        kernel_size: the depthwise conv's size (3; EfficientNet also 5).
        activation: ``"relu6"`` (MobileNetV2) or ``"swish"`` (EfficientNet).
        se_filters: the squeeze-and-excitation's reduced width; 0 for none.
        drop_rate: stochastic depth (``{name}_drop``): in training, the residual branch of
            the whole batch element is dropped with this probability (and scaled by
            ``1 / (1 - drop_rate)`` otherwise); only where there is a shortcut.
        initializer: makes a new initializer for each conv kernel.
        name: the block's name prefix (``block2a``).
    """
    inputs = x
    in_channels = x.shape[-1]
    if expansion != 1:
        x = conv_bn_act(
            x,
            in_channels * expansion,
            1,
            activation=activation,
            kernel_initializer=initializer(),
            name=f"{name}_expand",
        )
    x = _depthwise_bn_act(
        x, kernel_size, stride, activation=activation, initializer=initializer(), name=name
    )
    if se_filters:
        x = squeeze_excite(
            x,
            name=f"{name}_se",
            reduced=se_filters,
            activation=activation,
            kernel_initializer=initializer,
        )
    # The linear bottleneck: BN, and no activation.
    x = conv_bn_act(
        x, filters, 1, activation=None, kernel_initializer=initializer(), name=f"{name}_project"
    )
    if stride != 1 or in_channels != filters:
        return x
    if drop_rate > 0:
        x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{name}_drop")(x)
    return layers.Add(name=f"{name}_add")([x, inputs])


def block_name(stage: int, index: int) -> str:
    """``block{stage}{letter}``: ``block2a`` is the first block of the second stage of
    bottlenecks, ``block2b`` the second (keras.applications' EfficientNet names)."""
    return f"block{stage}{chr(ord('a') + index)}"


def mobilenet_v2(
    *,
    alpha: float = 1.0,
    width_multiplier: float = 1.0,
    include_top: bool = True,
    input_shape=None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | None = "softmax",
    name: str = "mobilenet_v2",
    family: Family | None = None,
) -> keras.Model:
    """MobileNetV2: a 3x3/2 conv, 17 inverted residual blocks (:data:`STAGES`), a 1x1 conv to
    1280, global average pooling and one fully connected layer.

    Shapes for a 224x224 input at ``alpha=1``::

        stem_conv         112x112x32     3x3/2 conv
        block1a           112x112x16     t=1: no expansion
        block2a-b         56x56x24       the first block of a stage has its stride
        block3a-c         28x28x32
        block4a-d         14x14x64
        block5a-c         14x14x96
        block6a-c         7x7x160
        block7a           7x7x320
        top_conv          7x7x1280       1x1 conv
        head              1000           global average pool, fc

    Every block but the first of a stage adds its input: 10 of the 17.

    Args:
        alpha: the paper's width multiplier: a stage of ``c`` channels gets
            ``make_divisible(int(c * alpha))`` (multiples of 8); the stem
            ``make_divisible(32 * alpha)``; the last conv stays 1280 wide for ``alpha <= 1``
            (section 6.1). 1.0, 0.75 and 0.5 are registered.
        width_multiplier: a further factor on every width after ``alpha``'s rounding,
            rounded by :func:`~cnn_keras.layers.scaled_width` (not to multiples of 8), for a
            small net on a CPU; 1.0 leaves the paper's widths.
        include_top: end in global average pooling and the ``predictions`` layer.
        input_shape: ``(height, width, channels)``; by default 224x224x3. At least 32x32.
        pooling: with ``include_top=False``: ``None``, ``"avg"`` or ``"max"``.
        classes: outputs of the classifier.
        classifier_activation: ``"softmax"`` or ``None`` for logits.
        name: the model's name.
        family: the registry's Family, whose input sizes it takes; ``None``: ``MOBILENET_V2``.

    Raises:
        ValueError: for ``alpha`` or ``width_multiplier`` out of range (below 1/16, where
            the 16-channel stage would have less than one channel, or above 16), a bad head
            argument, or an input below 32x32.

    Note:
        This is keras.applications' MobileNetV2 layer for layer: copying its weights gives
        equal outputs. Its stride-2 depthwise convs pad ``"same"`` (one more row and column at
        the bottom and right for an even size), which is what keras.applications' explicit
        ``correct_pad`` padding computes for every size; the paper does not say. ReLU6 is the
        paper's. The paper's Table 2 ends in a 1x1 conv as the classifier; Keras (and we) use
        a ``Dense`` layer, the same map. No dropout before the classifier (keras.applications
        has none; the authors' TF-slim code had 0.2).

    Reference: [MobileNetV2: Inverted Residuals and Linear Bottlenecks](
        https://arxiv.org/abs/1801.04381) (CVPR 2018)
    """
    narrowest = min(filters for _, filters, _, _ in STAGES)
    alpha = check_width_multiplier(alpha, narrowest=narrowest, name="alpha")
    width_multiplier = check_width_multiplier(width_multiplier, narrowest=narrowest)
    check_head_args(include_top, pooling, classes, classifier_activation)
    inputs = image_input(
        input_shape,
        MOBILENET_V2 if family is None else family,
        model_name=name,
        include_top=include_top,
    )

    def width(filters: int) -> int:
        return scaled_width(filters, width_multiplier)

    # stem_conv: 112x112x32
    x = conv_bn_act(
        inputs,
        width(make_divisible(STEM_FILTERS * alpha)),
        3,
        strides=2,
        activation="relu6",
        name="stem_conv",
    )
    for stage, (expansion, filters, blocks, stride) in enumerate(STAGES, start=1):
        for index in range(blocks):
            x = inverted_residual_block(
                x,
                width(make_divisible(int(filters * alpha))),
                expansion=expansion,
                stride=stride if index == 0 else 1,
                name=block_name(stage, index),
            )
    # top_conv: 7x7x1280, only widened (never narrowed) by alpha.
    top = make_divisible(TOP_FILTERS * alpha) if alpha > 1 else TOP_FILTERS
    x = conv_bn_act(x, width(top), 1, activation="relu6", name="top_conv")
    return application_model(
        inputs, x, include_top, pooling, classes, classifier_activation, name=name
    )


MOBILENET_V2 = Family(
    "MobileNetV2",
    paper=PAPER,
    input_size=224,
    min_input_size=32,
    recipe="mobilenet_v2",
    augment="inception",
)
for _alpha in ALPHAS:
    register_model(
        "mobilenet_v2" if _alpha == 1 else f"mobilenet_v2_{_alpha}",
        mobilenet_v2,
        MOBILENET_V2,
        twin="MobileNetV2" if _alpha == 1 else None,  # keras.applications' default alpha
        alpha=_alpha,
    )
