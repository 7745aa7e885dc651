"""The ResNet paper's CIFAR-10 nets (section 4.2): 6n+2 layers, residual and plain.

The degradation experiment of the paper's Figure 6: ``plain56_cifar`` trains to a higher
training error than ``plain20_cifar``, while ``resnet56_cifar`` beats ``resnet20_cifar``. The
plain net is the residual net with its shortcuts taken out, layer for layer.
"""

from __future__ import annotations

import keras

from cnn_keras.attention import check_se_ratio
from cnn_keras.checks import check_bool, is_int
from cnn_keras.heads import application_model, check_head_args
from cnn_keras.layers import (
    check_width_multiplier,
    conv_bn_act,
    he_init,
    image_input,
    scaled_width,
)
from cnn_keras.models.resnet import BN_EPSILON, basic_block
from cnn_keras.registry import Family, register_model

# Section 4.2: three stages on 32x32, 16x16 and 8x8 maps with 16, 32 and 64 filters.
STAGE_WIDTHS = (16, 32, 64)
DEPTHS = (20, 32, 44, 56, 110)  # n = 3, 5, 7, 9, 18 (the paper's Table 6)
PAPER = "He et al. (CVPR 2016)"
MIN_INPUT_SIZE = 8  # 8x8 -> 8, 4, 2 over the three stages; also the digits data set's size


def resnet_cifar(
    *,
    depth: int = 20,
    shortcuts: bool = True,
    include_top: bool = True,
    input_shape=None,
    pooling: str | None = None,
    classes: int = 10,
    classifier_activation: str | None = "softmax",
    width_multiplier: float = 1.0,
    se_ratio: int | None = None,
    name: str = "resnet_cifar",
    family: Family | None = None,
) -> keras.Model:
    """The paper's CIFAR-10 ResNet with ``6n + 2`` weight layers, or its plain twin.

    A 3x3 conv with 16 filters, then three stages of ``n`` basic blocks (two 3x3 convs each)
    on 32x32x16, 16x16x32 and 8x8x64 maps (the first conv of stages 2 and 3 has stride 2),
    global average pooling and a 10-way fully connected layer: ``6n + 2`` layers.

    Args:
        depth: ``6n + 2``: 20, 32, 44, 56, 110 in the paper (1202 also works).
        shortcuts: residual blocks; ``False`` builds the plain net with the same layers.
        include_top: end in global average pooling and the ``predictions`` layer.
        input_shape: ``(height, width, 3)``; by default 32x32x3. At least 8x8.
        pooling: with ``include_top=False``: ``None``, ``"avg"`` or ``"max"``.
        classes: outputs of the classifier (10 for CIFAR-10).
        classifier_activation: ``"softmax"`` or ``None`` for logits.
        width_multiplier: scale every width.
        se_ratio: end every block's residual branch in a squeeze-and-excitation block of this
            reduction ratio (``None``: none), as the SENet paper's SE-ResNets on CIFAR-10
            (the journal version's CIFAR-10 table: ResNet-110 6.37 % error, SE-ResNet-110 5.21 %).
        name: the model's name.
        family: the registry's Family, whose input sizes it takes; ``None``: ``CIFAR[shortcuts]``.

    Raises:
        ValueError: for a depth that is not ``6n + 2``, a bad head argument or an input below
            8x8.

    Note:
        The shortcuts are the paper's option A for CIFAR: the identity, and where the width
        doubles a stride-2 subsample of ``x`` padded with zero channels
        (:class:`cnn_keras.layers.ZeroPadShortcut`), so the residual and the plain nets have the
        same parameters (0.27 M for 20 layers). The zeros are appended after ``x``'s channels;
        the paper does not say where they go (some reimplementations pad both sides, which
        only permutes channels). Convs have no bias (BN follows). The classifier is softmax
        over ``classes`` as in the paper.

    Reference: [Deep Residual Learning for Image Recognition](https://arxiv.org/abs/1512.03385)
        (CVPR 2016)
    """
    if not is_int(depth) or depth < 8 or (depth - 2) % 6:
        raise ValueError(
            f"depth must be 6n + 2 with n >= 1 (20, 32, 44, 56, 110 in the paper's Table 6); "
            f"received depth={depth!r}."
        )
    check_bool("shortcuts", shortcuts)
    if se_ratio is not None:
        se_ratio = check_se_ratio(se_ratio, arg="se_ratio")
    check_head_args(include_top, pooling, classes, classifier_activation)
    width_multiplier = check_width_multiplier(width_multiplier, narrowest=min(STAGE_WIDTHS))
    n = (int(depth) - 2) // 6
    inputs = image_input(
        input_shape,
        CIFAR[shortcuts] if family is None else family,
        model_name=name,
        include_top=include_top,
    )
    # conv1: 32x32x16
    x = conv_bn_act(
        inputs,
        scaled_width(16, width_multiplier),
        3,
        bn_epsilon=BN_EPSILON,
        kernel_initializer=he_init(),
        name="conv1",
    )
    # conv2_x 32x32x16, conv3_x 16x16x32, conv4_x 8x8x64: n blocks each.
    for i, width in enumerate(STAGE_WIDTHS):
        for index in range(1, n + 1):
            x = basic_block(
                x,
                scaled_width(width, width_multiplier),
                stride=2 if i > 0 and index == 1 else 1,
                shortcut="zero_pad" if shortcuts else None,
                se_ratio=se_ratio,
                name=f"conv{i + 2}_block{index}",
            )
    return application_model(
        inputs, x, include_top, pooling, classes, classifier_activation, name=name
    )


# With shortcuts the CIFAR ResNets, without them the plain nets they are compared with; both
# train with the paper's CIFAR recipe (section 4.2).
CIFAR = {
    shortcuts: Family(
        "ResNet" if shortcuts else "Plain",
        paper=PAPER,
        input_size=32,
        min_input_size=MIN_INPUT_SIZE,
        recipe="resnet_cifar",
        imagenet=False,
    )
    for shortcuts in (True, False)
}
for _depth in DEPTHS:
    for _shortcuts in (True, False):
        register_model(
            f"{CIFAR[_shortcuts].name.lower()}{_depth}_cifar",
            resnet_cifar,
            CIFAR[_shortcuts],
            depth=_depth,
            shortcuts=_shortcuts,
        )
