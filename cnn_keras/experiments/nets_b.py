"""Nets made only for the experiments of lessons 06-08: :class:`~cnn_keras.registry.ModelSpec`
s that the runner trains but the model registry does not list.

- :data:`SEVEN_BY_SEVEN` and :data:`FACTORIZED` (lesson 06): one small Inception-v3-style
  net whose two middle convolutions are 7x7, or each a 1x7 then a 7x1 (Rethinking the
  Inception architecture, section 3.2 and Figure 6).
- :data:`RESNEXT_1X64D` and :data:`RESNEXT_32X4D` (lesson 08): ResNeXt-50's template with one
  path of 64 channels (ResNet-50's bottleneck) or 32 paths of 4, the paper's Table 3.
- :data:`DENSENET_BC_SMALL` (lesson 08): a DenseNet-BC on the CIFAR stem, 3 blocks of 5.
"""

from __future__ import annotations

import dataclasses

import keras
from keras import layers

from cnn_keras.checks import check_bool
from cnn_keras.heads import check_head_args, classifier_head
from cnn_keras.layers import check_width_multiplier, conv_bn_act, image_input, scaled_width
from cnn_keras.models.densenet import densenet
from cnn_keras.registry import Family, ModelSpec, get_spec

# The widths of the small factorization net at width_multiplier 1: the stem, then the two
# 7x7 (or 1x7 + 7x1) convolutions.
STEM_FILTERS, MIDDLE_FILTERS = 16, 32

SMALL_NETS = Family(
    "Experiment net",
    paper="Szegedy et al. (CVPR 2016), section 3.2",
    input_size=28,
    min_input_size=28,
    recipe="resnet_cifar",
    imagenet=False,
)


def _seven(x: keras.KerasTensor, filters: int, *, factorized: bool, name: str):
    """A 7x7 conv-BN-ReLU, or a 1x7 conv-BN-ReLU then a 7x1 conv-BN-ReLU (Figure 6's n=7)."""
    if not factorized:
        return conv_bn_act(x, filters, 7, name=f"{name}_7x7")
    x = conv_bn_act(x, filters, (1, 7), name=f"{name}_1x7")
    return conv_bn_act(x, filters, (7, 1), name=f"{name}_7x1")


def factorization_net(
    *,
    factorized: bool = True,
    include_top: bool = True,
    input_shape=None,
    pooling: str | None = None,
    classes: int = 10,
    classifier_activation: str | None = "softmax",
    width_multiplier: float = 1.0,
    name: str = "factorization_net",
    family: Family | None = None,
) -> keras.Model:
    """A small net for 28x28 images whose two middle convolutions are 7x7 or factorized::

        conv1            28x28x16    3x3 conv-BN-ReLU, then 2x2 max pool
        mid1             14x14x32    7x7, or 1x7 then 7x1 (each conv-BN-ReLU)
        mid2             14x14x32    the same, then 2x2 max pool
        conv4            7x7x64      3x3 conv-BN-ReLU
        head             10          global average pool, fc

    The 7x7s sit on the 14x14 grid, where the paper found the factorization works well
    ("medium grid sizes, between 12 and 20"); it costs 14 weights per input and output
    channel against 49.

    Args:
        factorized: 1x7 then 7x1 (``True``) or 7x7 (``False``).
        include_top, input_shape, pooling, classes, classifier_activation, name: as every
            builder (the input at least 28x28).
        width_multiplier: scale every width.
        family: the :class:`~cnn_keras.registry.Family` whose input sizes it takes
            (``None``: :data:`SMALL_NETS`).

    Reference: [Rethinking the Inception Architecture for Computer Vision](
        https://arxiv.org/abs/1512.00567) (CVPR 2016)
    """
    check_bool("factorized", factorized)
    check_head_args(include_top, pooling, classes, classifier_activation)
    width_multiplier = check_width_multiplier(width_multiplier, narrowest=STEM_FILTERS)
    inputs = image_input(
        input_shape, family or SMALL_NETS, model_name=name, include_top=include_top
    )
    x = conv_bn_act(inputs, scaled_width(STEM_FILTERS, width_multiplier), 3, name="conv1")
    x = layers.MaxPooling2D(2, name="pool1")(x)
    middle = scaled_width(MIDDLE_FILTERS, width_multiplier)
    x = _seven(x, middle, factorized=factorized, name="mid1")
    x = _seven(x, middle, factorized=factorized, name="mid2")
    x = layers.MaxPooling2D(2, name="pool2")(x)
    x = conv_bn_act(x, scaled_width(2 * MIDDLE_FILTERS, width_multiplier), 3, name="conv4")
    outputs = classifier_head(
        x,
        include_top=include_top,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
    )
    return keras.Model(inputs, outputs, name=name)


SEVEN_BY_SEVEN = ModelSpec("net_7x7", factorization_net, {"factorized": False}, SMALL_NETS)
FACTORIZED = ModelSpec("net_1x7_7x1", factorization_net, {"factorized": True}, SMALL_NETS)

_RESNEXT = get_spec("resnext50_32x4d")
RESNEXT_32X4D = _RESNEXT
RESNEXT_1X64D = dataclasses.replace(
    _RESNEXT, name="resnext50_1x64d", preset={"depth": 50, "cardinality": 1, "bottleneck_width": 64}
)

_DENSENET_CIFAR = get_spec("densenet_bc100_cifar")
DENSENET_BC_SMALL = dataclasses.replace(
    _DENSENET_CIFAR,
    name="densenet_bc_small",
    builder=densenet,
    preset={**_DENSENET_CIFAR.preset, "blocks": (5, 5, 5)},
)
