"""Network in Network (Lin et al., 2013): "mlpconv" layers and global average pooling.

An mlpconv layer is a spatial conv followed by 1x1 convs: a small multilayer perceptron slid
over every position of the map (the paper's Figure 2). The net ends without a fully connected
layer: its last 1x1 conv gives one map per class, and global average pooling turns each map
into that class's score. GoogLeNet's 1x1 reductions and its (and ResNet's) global average
pooling come from here.
"""

from __future__ import annotations

import keras
from keras import layers

from cnn_keras.heads import application_model, check_head_args
from cnn_keras.layers import check_width_multiplier, he_init, image_input, scaled_width
from cnn_keras.registry import Family, register_model

# The authors' released Caffe model for CIFAR-10: three mlpconv blocks, each
# (block, spatial kernel, (spatial conv, 1x1 conv, 1x1 conv) widths, the pool after it).
# Layer names are the Caffe model's (conv1, cccp1, cccp2, pool1, ...). The last block's final
# 1x1 conv is ``cccp6``, one map per class: its width is ``classes``, not in this table.
BLOCKS = (
    (1, 5, (192, 160, 96), "max"),
    (2, 5, (192, 192, 192), "avg"),
    (3, 3, (192, 192), None),
)
DROPOUT = 0.5  # after pool1 and pool2, as in the Caffe model
PAPER = "Lin et al. (ICLR 2014)"
MIN_INPUT_SIZE = 8  # two stride-2 pools: 8 -> 4 -> 2
# The paper's Table 1: CIFAR-10 test error (%) of NIN, without and with data augmentation
# (translation and horizontal flips).
CIFAR10_ERROR = {"no_augmentation": 10.41, "augmentation": 8.81}


def _conv_relu(x: keras.KerasTensor, filters: int, kernel: int, name: str) -> keras.KerasTensor:
    """A conv with bias (``name``) and its ReLU (``{name}_relu``): no batch normalization,
    which came two years later."""
    x = layers.Conv2D(filters, kernel, padding="same", kernel_initializer=he_init(), name=name)(x)
    return layers.Activation("relu", name=f"{name}_relu")(x)


def nin(
    *,
    include_top: bool = True,
    input_shape=None,
    pooling: str | None = None,
    classes: int = 10,
    classifier_activation: str | None = "softmax",
    width_multiplier: float = 1.0,
    name: str = "nin",
    family: Family | None = None,
) -> keras.Model:
    """Network in Network for CIFAR-10: three mlpconv blocks and global average pooling.

    Shapes for a 32x32 input (the authors' Caffe model)::

        conv1 5x5, cccp1 1x1, cccp2 1x1   32x32x192, x160, x96
        pool1 3x3/2 max, dropout 0.5      16x16x96
        conv2 5x5, cccp3 1x1, cccp4 1x1   16x16x192
        pool2 3x3/2 avg, dropout 0.5      8x8x192
        conv3 3x3, cccp5 1x1              8x8x192
        cccp6 1x1                         8x8x(classes)   one map per class
        pool3 global average pool         classes         no fully connected layer

    Every conv has a bias and a ReLU (``cccp6`` too, as in the Caffe model). There are
    0.97 M parameters, 0.46 M of them in conv2.

    Args:
        include_top: end in ``cccp6`` (one map per class), global average pooling and the
            ``predictions`` activation. Without it the model ends after ``cccp5``'s ReLU, an
            8x8x192 map (see the note).
        input_shape: ``(height, width, channels)``; by default 32x32x3. At least 8x8.
        pooling: with ``include_top=False``: ``None``, ``"avg"`` or ``"max"``.
        classes: the maps of ``cccp6`` and the outputs (10 for CIFAR-10).
        classifier_activation: ``"softmax"`` or ``None`` for the pooled maps themselves.
        width_multiplier: scale every width but ``cccp6``'s (that is ``classes``).
        name: the model's name.
        family: the registry's Family, whose input sizes it takes; ``None``: ``NIN``.

    Raises:
        ValueError: for a bad head argument, a ``width_multiplier`` that leaves a layer
            without a channel, or an input below 8x8.

    Note:
        The paper does not give the widths or kernel sizes; they are the authors' released
        Caffe model for CIFAR-10 (192/160/96, 192/192/192, 192/192/classes; 5x5, 5x5, 3x3),
        with its pools: Caffe rounds pooled sizes up (32 -> 16 -> 8), which is Keras's
        ``"same"`` padding here (windows at 0, 2, ..., 30; an average over the window's part
        inside the map, as Caffe's). The last pool is global average pooling instead of the
        Caffe model's 8x8 average pool: the same at 32x32, and any input size works. The
        convs are initialized after He et al. (2015), not with the Caffe model's fixed
        Gaussians: without batch normalization, He's scaling is what lets the stack of 9
        ReLU convs start training. ``include_top=False`` drops ``cccp6``: that layer *is*
        the classifier (its maps are the class scores), so the features are the ones
        before it, as a fully connected classifier is dropped from the other nets.

    Reference: [Network In Network](https://arxiv.org/abs/1312.4400) (ICLR 2014)
    """
    check_head_args(include_top, pooling, classes, classifier_activation)
    narrowest = min(min(widths) for _, _, widths, _ in BLOCKS)
    width_multiplier = check_width_multiplier(width_multiplier, narrowest=narrowest)
    inputs = image_input(
        input_shape, NIN if family is None else family, model_name=name, include_top=include_top
    )
    x = inputs
    cccp = 1
    for block, kernel, widths, pool in BLOCKS:
        # The spatial conv, then the block's 1x1 convs (the "micro network").
        x = _conv_relu(x, scaled_width(widths[0], width_multiplier), kernel, f"conv{block}")
        for filters in widths[1:]:
            x = _conv_relu(x, scaled_width(filters, width_multiplier), 1, f"cccp{cccp}")
            cccp += 1
        if pool is not None:
            pool_layer = layers.MaxPooling2D if pool == "max" else layers.AveragePooling2D
            x = pool_layer(3, strides=2, padding="same", name=f"pool{block}")(x)
            x = layers.Dropout(DROPOUT, name=f"pool{block}_dropout")(x)
    if include_top:
        # NiN's classifier is its own: cccp6 gives one map per class, pool3 averages each map
        # into that class's score; there is no Dense layer for classifier_head to add.
        x = _conv_relu(x, int(classes), 1, f"cccp{cccp}")
        x = layers.GlobalAveragePooling2D(name=f"pool{len(BLOCKS)}")(x)
        outputs = layers.Activation(
            classifier_activation or "linear", dtype="float32", name="predictions"
        )(x)
        return keras.Model(inputs, outputs, name=name)
    return application_model(inputs, x, False, pooling, classes, classifier_activation, name=name)


NIN = Family(
    "NiN",
    paper=PAPER,
    input_size=32,
    min_input_size=MIN_INPUT_SIZE,
    recipe="nin_cifar",
    imagenet=False,
)
register_model("nin_cifar", nin, NIN, classes=10)
