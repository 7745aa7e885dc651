"""MobileNet (Howard et al., 2017): depthwise separable convolutions, a width multiplier
``alpha`` and a resolution multiplier (the input size)."""

from __future__ import annotations

import keras
from keras import layers

from cnn_keras.batch_norm import BatchNormalization
from cnn_keras.checks import check_bool, check_int
from cnn_keras.heads import application_model, check_head_args
from cnn_keras.layers import (
    check_width_multiplier,
    conv_bn_act,
    image_input,
    scaled_width,
)
from cnn_keras.registry import Family, register_model

# The paper's Table 1 after the first conv (3x3/2, 32 filters): one row per depthwise separable
# block, (stride of the 3x3 depthwise conv, filters of the 1x1 pointwise conv).
ROWS = (
    (1, 64),
    (2, 128),
    (1, 128),
    (2, 256),
    (1, 256),
    (2, 512),
    *((1, 512),) * 5,
    (2, 1024),
    (1, 1024),
)
FIRST_FILTERS = 32
PAPER = "Howard et al. (arXiv 2017)"


def width(filters: int, alpha: float) -> int:
    """``filters * alpha``, cut to an int as keras.applications does, at least 1."""
    return max(1, int(filters * alpha))


def depthwise_separable_block(
    x: keras.KerasTensor,
    filters: int,
    *,
    stride: int = 1,
    depth_multiplier: int = 1,
    block_id: int,
) -> keras.KerasTensor:
    """3x3 depthwise conv-BN-ReLU6 (``conv_dw_{id}``), then 1x1 pointwise conv-BN-ReLU6
    (``conv_pw_{id}``): the paper's Figure 3, right."""
    padding = "same"
    if stride > 1:
        # Pad the bottom and right by one, as keras.applications (equal to "same" for an even
        # size; also right for an odd one).
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
        padding = "valid"
    x = layers.DepthwiseConv2D(
        3,
        strides=stride,
        padding=padding,
        depth_multiplier=depth_multiplier,
        use_bias=False,
        name=f"conv_dw_{block_id}",
    )(x)
    x = BatchNormalization(name=f"conv_dw_{block_id}_bn")(x)
    x = layers.Activation("relu6", name=f"conv_dw_{block_id}_relu6")(x)
    return conv_bn_act(x, filters, 1, activation="relu6", name=f"conv_pw_{block_id}")


def mobilenet(
    *,
    alpha: float = 1.0,
    depth_multiplier: int = 1,
    dropout: float = 1e-3,
    include_top: bool = True,
    input_shape=None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | None = "softmax",
    width_multiplier: float = 1.0,
    separable: bool = True,
    name: str = "mobilenet",
    family: Family | None = None,
) -> keras.Model:
    """MobileNet v1: a 3x3/2 conv, 13 depthwise separable blocks (:data:`ROWS`), global
    average pooling and one fully connected layer.

    Shapes for a 224x224 input at ``alpha=1``::

        conv1             112x112x32     3x3/2 conv
        conv_dw/pw_1      112x112x64
        conv_dw/pw_2, 3   56x56x128      block 2 has stride 2
        conv_dw/pw_4, 5   28x28x256
        conv_dw/pw_6-11   14x14x512
        conv_dw/pw_12, 13 7x7x1024
        head              1000           global average pool, dropout, fc

    A depthwise separable block costs ``H*W*C*9 + H*W*C*N`` multiply-adds against
    ``H*W*C*N*9`` for a full 3x3 conv: 8 to 9 times less for N in the hundreds.

    Args:
        alpha: the width multiplier: every layer has ``int(filters * alpha)`` channels
            (1.0, 0.75, 0.5, 0.25 in the paper).
        depth_multiplier: outputs of the depthwise conv per input channel (1 in the paper).
        dropout: dropout before the classifier (keras.applications' 1e-3).
        include_top: end in global average pooling and the ``predictions`` layer.
        input_shape: ``(height, width, 3)``; by default 224x224x3. The resolution multiplier
            is the input size: 224, 192, 160 or 128 in the paper. At least 32x32.
        pooling: with ``include_top=False``: ``None``, ``"avg"`` or ``"max"``.
        classes: outputs of the classifier.
        classifier_activation: ``"softmax"`` or ``None`` for logits.
        width_multiplier: the package's knob for a small net on a CPU, on top of ``alpha``
            and rounded as in every family (``layers.scaled_width``); ``alpha`` is the
            paper's multiplier, cut to an int as keras.applications does.
        separable: ``False`` replaces each depthwise separable block by one full 3x3
            conv-BN-ReLU6 of the same stride and filters (``conv_full_{id}``): the paper's
            "Conv MobileNet" of Table 4, about 8 times the multiply-adds.
        name: the model's name.
        family: the registry's Family, whose input sizes it takes; ``None``: ``MOBILENET``.

    Raises:
        ValueError: for ``alpha`` below 1/32 (the first conv would have no channel) or above
            16, a bad ``depth_multiplier`` or head argument, or an input below 32x32.

    Note:
        This is keras.applications' MobileNet layer for layer (equal outputs after a weight
        copy) except for the classifier: Keras ends in a 1x1 conv ``conv_preds`` and a reshape,
        we end in the same map as a ``Dense`` (its kernel is the 1x1 conv's, reshaped). Like
        Keras and the authors' TensorFlow release, it uses ReLU6 where the paper says ReLU,
        and its stride-2 depthwise convs pad the bottom and right only. The paper's Table 1
        prints the 13th block as stride 2; the 7x7 output it lists (and every release) means
        stride 1.

    Reference: [MobileNets: Efficient Convolutional Neural Networks for Mobile Vision
        Applications](https://arxiv.org/abs/1704.04861) (arXiv 2017)
    """
    alpha = check_width_multiplier(
        alpha, narrowest=min(FIRST_FILTERS, *(filters for _, filters in ROWS)), name="alpha"
    )
    depth_multiplier = check_int(
        "depth_multiplier", depth_multiplier, minimum=1, maximum=64, hint="1 in the paper"
    )
    check_head_args(include_top, pooling, classes, classifier_activation, dropout)
    check_bool("separable", separable)
    narrowest = min(FIRST_FILTERS, *(filters for _, filters in ROWS))
    width_multiplier = check_width_multiplier(width_multiplier, narrowest=width(narrowest, alpha))

    def channels(filters: int) -> int:
        return scaled_width(width(filters, alpha), width_multiplier)

    inputs = image_input(
        input_shape,
        MOBILENET if family is None else family,
        model_name=name,
        include_top=include_top,
    )
    # conv1: 112x112x32 (x alpha)
    x = conv_bn_act(inputs, channels(FIRST_FILTERS), 3, strides=2, activation="relu6", name="conv1")
    # 112x112x64, 56x56x128, 28x28x256, 14x14x512, 7x7x1024 (x alpha)
    for block_id, (stride, filters) in enumerate(ROWS, start=1):
        if not separable:
            x = conv_bn_act(
                x,
                channels(filters),
                3,
                strides=stride,
                activation="relu6",
                name=f"conv_full_{block_id}",
            )
            continue
        x = depthwise_separable_block(
            x,
            channels(filters),
            stride=stride,
            depth_multiplier=depth_multiplier,
            block_id=block_id,
        )
    return application_model(
        inputs, x, include_top, pooling, classes, classifier_activation, dropout=dropout, name=name
    )


MOBILENET = Family(
    "MobileNet",
    paper=PAPER,
    input_size=224,
    min_input_size=32,
    recipe="mobilenet",
    augment="inception",
)
register_model("mobilenet", mobilenet, MOBILENET, twin="MobileNet")
