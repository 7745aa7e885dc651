"""DenseNet (Huang et al., 2017): every layer of a dense block sees the concatenation of all
earlier layers' outputs; transition layers halve the map and compress the channels."""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from cnn_keras.batch_norm import BatchNormalization
from cnn_keras.checks import (
    MAX_UNITS,
    check_bool,
    check_choice,
    check_float,
    check_int,
    check_ints,
)
from cnn_keras.heads import application_model, check_head_args
from cnn_keras.layers import check_width_multiplier, image_input, scaled_width
from cnn_keras.registry import Family, register_model

# The paper's Table 1: layers per dense block for the ImageNet DenseNets (growth rate 32).
BLOCKS = {
    121: (6, 12, 24, 16),
    169: (6, 12, 32, 32),
    201: (6, 12, 48, 32),
    264: (6, 12, 64, 48),
}
BN_EPSILON = 1.001e-5  # keras.applications' DenseNet
_PAPER = "Huang et al. (CVPR 2017)"
# Each stem's family: the ImageNet nets, and the CIFAR ones with their own input and recipe.
STEMS = {
    "imagenet": Family(
        "DenseNet", paper=_PAPER, input_size=224, min_input_size=32, recipe="densenet"
    ),
    "cifar": Family(
        "DenseNet",
        paper=_PAPER,
        input_size=32,
        min_input_size=8,
        recipe="densenet_cifar",
        imagenet=False,
    ),
}


def _bn_relu_conv(
    x: keras.KerasTensor, filters: int, kernel_size: int, *, name: str, bn: str
) -> keras.KerasTensor:
    """DenseNet's pre-activation unit: BN (``{name}_{bn}_bn``), ReLU, then a conv without bias
    (``{name}_{bn + 1}_conv`` in keras.applications' numbering, passed whole as ``name``)."""
    x = BatchNormalization(epsilon=BN_EPSILON, name=f"{bn}_bn")(x)
    x = layers.Activation("relu", name=f"{bn}_relu")(x)
    return layers.Conv2D(filters, kernel_size, padding="same", use_bias=False, name=name)(x)


def dense_layer(
    x: keras.KerasTensor, growth_rate: int, *, bottleneck: bool = True, name: str
) -> keras.KerasTensor:
    """One layer of a dense block: ``[x, H(x)]`` where ``H`` is BN-ReLU-Conv1x1(4k) (with
    ``bottleneck``, the "B" of DenseNet-BC) then BN-ReLU-Conv3x3(k), k the growth rate."""
    y = x
    if bottleneck:
        y = _bn_relu_conv(y, 4 * growth_rate, 1, bn=f"{name}_0", name=f"{name}_1_conv")
    y = _bn_relu_conv(
        y, growth_rate, 3, bn=f"{name}_1" if bottleneck else f"{name}_0", name=f"{name}_2_conv"
    )
    return layers.Concatenate(name=f"{name}_concat")([x, y])


def transition(x: keras.KerasTensor, compression: float, *, name: str) -> keras.KerasTensor:
    """BN-ReLU-Conv1x1 to ``compression`` times the channels, then 2x2/2 average pooling."""
    filters = int(x.shape[-1] * compression)
    x = BatchNormalization(epsilon=BN_EPSILON, name=f"{name}_bn")(x)
    x = layers.Activation("relu", name=f"{name}_relu")(x)
    x = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def densenet(
    *,
    blocks: Sequence[int] = BLOCKS[121],
    growth_rate: int = 32,
    compression: float = 0.5,
    bottleneck: bool = True,
    stem: str = "imagenet",
    include_top: bool = True,
    input_shape=None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | None = "softmax",
    width_multiplier: float = 1.0,
    name: str = "densenet",
    family: Family | None = None,
) -> keras.Model:
    """DenseNet: a stem, dense blocks joined by transition layers, BN-ReLU, global average
    pooling and one fully connected layer.

    DenseNet-121 (``blocks=(6, 12, 24, 16)``, k=32) on a 224x224 input::

        conv1, pool1   56x56x64      7x7/2 conv, 3x3/2 max pool
        conv2          56x56x256     6 layers, each adding k=32 channels
        pool2          28x28x128     transition: 1x1 conv to half the channels, 2x2 avg pool
        conv3, pool3   28x28x512 -> 14x14x256
        conv4, pool4   14x14x1024 -> 7x7x512
        conv5          7x7x1024      then BN-ReLU (``bn``, ``relu``), pool, fc

    The CIFAR stem (``stem="cifar"``, the paper's section 3 for DenseNet-BC) is one 3x3 conv to
    ``2 * growth_rate`` channels on the 32x32 image; three blocks then work on 32x32, 16x16 and
    8x8 maps. Layers are named as in keras.applications (``conv2_block1_1_conv``,
    ``conv2_block1_concat``, ``pool2_conv``), so its weights copy by name.

    Args:
        blocks: layers per dense block (:data:`BLOCKS` for ImageNet, ``(16, 16, 16)`` for
            DenseNet-BC-100).
        growth_rate: k, the channels each layer adds.
        compression: theta, the transition's output over input channels (0.5 in
            DenseNet-BC; 1 for no compression).
        bottleneck: a 1x1 conv to 4k channels before each 3x3 (the "B" in BC).
        stem: ``"imagenet"`` (7x7/2 conv to 2k channels, 3x3/2 max pool) or ``"cifar"``.
        include_top: end in global average pooling and the ``predictions`` layer.
        input_shape: ``(height, width, 3)``; by default 224x224x3 (32x32x3 for the CIFAR stem).
            At least 32x32 (8x8 for the CIFAR stem).
        pooling: with ``include_top=False``: ``None``, ``"avg"`` or ``"max"``.
        classes: outputs of the classifier.
        classifier_activation: ``"softmax"`` or ``None`` for logits.
        width_multiplier: scale the growth rate (and so every width, which all follow from
            it), for a small net on a CPU.
        name: the model's name.
        family: the registry's Family, whose input sizes it takes; ``None``: ``STEMS[stem]``.

    Raises:
        ValueError: for a bad ``blocks``, ``growth_rate``, ``width_multiplier``,
            ``compression``, ``stem``, head argument, or an input below the smallest size.

    Note:
        ``densenet121``, ``densenet169`` and ``densenet201`` are keras.applications'
        DenseNet121/169/201 layer for layer (equal outputs after a weight copy). The ImageNet
        stem has 64 filters, which is 2k for k=32, as in the paper; keras.applications' BN
        epsilon is 1.001e-5 (the authors' Torch code: 1e-5). The paper's dropout (0.2 after
        each conv, only for CIFAR without data augmentation) is left out.

    Reference: [Densely Connected Convolutional Networks](https://arxiv.org/abs/1608.06993)
        (CVPR 2017)
    """
    blocks = check_ints(
        "blocks",
        blocks,
        minimum=1,
        hint=f"layers per dense block; the paper's Table 1: {BLOCKS[121]} for DenseNet-121",
    )
    growth_rate = check_int(
        "growth_rate",
        growth_rate,
        minimum=1,
        maximum=MAX_UNITS // 4,
        hint="32 for ImageNet, 12 for DenseNet-BC-100",
    )
    check_float(
        "compression",
        compression,
        minimum=0,
        maximum=1,
        min_inclusive=False,
        hint="0.5 in DenseNet-BC, 1 for none",
    )
    check_bool("bottleneck", bottleneck)
    check_choice("stem", stem, STEMS)
    check_head_args(include_top, pooling, classes, classifier_activation)
    width_multiplier = check_width_multiplier(width_multiplier, narrowest=growth_rate)
    growth_rate = scaled_width(growth_rate, width_multiplier)
    inputs = image_input(
        input_shape,
        STEMS[stem] if family is None else family,
        model_name=name,
        include_top=include_top,
    )
    if stem == "imagenet":
        # conv1: 7x7/2 conv padded by 3, 112x112x64; pool1: 3x3/2 max pool padded by 1, 56x56x64.
        x = layers.ZeroPadding2D(3, name="conv1_pad")(inputs)
        x = layers.Conv2D(2 * growth_rate, 7, strides=2, use_bias=False, name="conv1_conv")(x)
        x = BatchNormalization(epsilon=BN_EPSILON, name="conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
        x = layers.ZeroPadding2D(1, name="pool1_pad")(x)
        x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    else:
        # conv1: 3x3 conv, 32x32x(2k); the first dense layer's BN-ReLU follows.
        x = layers.Conv2D(2 * growth_rate, 3, padding="same", use_bias=False, name="conv1_conv")(
            inputs
        )
    # Dense block s ("conv{s}") adds blocks[i] * k channels; transition "pool{s}" halves the map.
    for i, layers_in_block in enumerate(blocks):
        stage = i + 2
        for index in range(1, layers_in_block + 1):
            x = dense_layer(x, growth_rate, bottleneck=bottleneck, name=f"conv{stage}_block{index}")
        if i < len(blocks) - 1:
            x = transition(x, compression, name=f"pool{stage}")
    x = BatchNormalization(epsilon=BN_EPSILON, name="bn")(x)
    x = layers.Activation("relu", name="relu")(x)
    return application_model(
        inputs, x, include_top, pooling, classes, classifier_activation, name=name
    )


for _depth, _blocks in BLOCKS.items():
    register_model(
        f"densenet{_depth}",
        densenet,
        STEMS["imagenet"],
        twin=None if _depth == 264 else f"DenseNet{_depth}",
        blocks=_blocks,
        growth_rate=32,
    )

# DenseNet-BC with L=100 layers and k=12 (the paper's Table 2): 3 blocks of (100 - 4) / 6 = 16
# bottleneck layers, compression 0.5.
register_model(
    "densenet_bc100_cifar",
    densenet,
    STEMS["cifar"],
    blocks=(16, 16, 16),
    growth_rate=12,
    compression=0.5,
    stem="cifar",
    classes=10,
)
