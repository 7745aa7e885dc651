"""Small nets made only for the lessons' experiments, as :class:`~cnn_keras.registry.ModelSpec`
s that are not in the model registry (``list_models`` does not show them).

Each isolates one choice of a paper on a net small enough to train in seconds on a CPU:

- :data:`CONV1_NET` (lesson 02): ZFNet's first layer against AlexNet's, ``options={"conv1":
  "alexnet"}`` or ``"zfnet"``, the rest of the net the same.
- :data:`STACKED_NET` (lesson 03): one large filter against a stack of 3x3 filters with the
  same receptive field, ``options={"block": "5x5"}``, ``"3x3x2"``, ``"7x7"`` or ``"3x3x3"``.
- :data:`PIXELS_NET` (lesson 03): raw pixels as "features", a linear classifier on them: the
  baseline of the linear probe (its ``fc7`` is the flattened image).
- :data:`INCEPTION_NET` (lesson 04): three inception modules, naive (Figure 2a) or with 1x1
  reductions (Figure 2b), ``options={"naive": True}``; the two arms' widths are chosen so that
  their multiply-accumulates match (:data:`INCEPTION_WIDTHS`); ``options={"aux_logits": True}``
  adds GoogLeNet's auxiliary classifier after the second module (a second output).
- :data:`STACKED_BN_NET` and :data:`INCEPTION_BN_NET`: the same two nets with batch norm after
  every conv, trained with He et al.'s CIFAR recipe, for the experiments that compare trained
  nets rather than how fast each starts.
"""

from __future__ import annotations

import keras
from keras import layers

from cnn_keras.checks import check_bool, check_choice, check_float
from cnn_keras.heads import check_head_args, classifier_head
from cnn_keras.layers import (
    check_width_multiplier,
    conv_bn_act,
    he_init,
    image_input,
    scaled_width,
)
from cnn_keras.models.googlenet import AUX_HEAD, conv_relu, inception_module
from cnn_keras.models.inception_blocks import auxiliary_head, check_aux_logits
from cnn_keras.registry import Family, ModelSpec

# conv1's (kernel, stride): AlexNet's 11x11 stride 4, ZFNet's 7x7 stride 2 (its section 4.1).
CONV1 = {"alexnet": (11, 4), "zfnet": (7, 2)}
CONV1_WIDTHS = (96, 128, 192)  # conv1 (the paper's 96), conv2, conv3 at width 1
# A stage of the stacked net: the kernel sizes of its convs, one receptive field per pair.
BLOCKS = {"5x5": (5,), "3x3x2": (3, 3), "7x7": (7,), "3x3x3": (3, 3, 3)}
STACKED_WIDTH = 128  # every block's input and output channels, at width 1
# The inception net's three modules at width 1: (1x1, 3x3, 5x5) naive; (1x1, reduce 3x3, 3x3,
# reduce 5x5, 5x5, pool proj) with reductions. The reduced modules are wider (their outputs
# 192, 256, 384 channels at width 1 against 96, 128, 160 plus the input's): at width 0.25 on
# 32x32 the naive net costs 5.31 M multiply-accumulates per image and the reduced one 5.43 M
# (count_macs, 2 % apart), the cost a CPU's time follows.
STEM_WIDTH = 64
# The auxiliary classifier's 5x5 pool of stride 3 on the second module's grid (half the input):
# at least 24x24 in, so that the grid is 12x12 and the pool gives 3x3 or more.
MIN_SIZE_AUX = 24
INCEPTION_WIDTHS = {
    "naive": ((32, 48, 16), (48, 64, 16), (64, 64, 32)),
    "reduced": (
        (48, 64, 96, 16, 24, 24),
        (64, 96, 128, 24, 32, 32),
        (96, 128, 192, 32, 48, 48),
    ),
}


def _fixed_widths(width_multiplier: float, widths) -> list[int]:
    return [scaled_width(w, width_multiplier) for w in widths]


def conv1_net(
    *,
    conv1: str = "zfnet",
    include_top: bool = True,
    input_shape=None,
    pooling: str | None = None,
    classes: int = 10,
    classifier_activation: str | None = "softmax",
    width_multiplier: float = 1.0,
    name: str = "conv1_net",
    family: Family | None = None,
) -> keras.Model:
    """Three conv layers, the first AlexNet's or ZFNet's: ``conv1`` (96 filters, 11x11 stride
    4 or 7x7 stride 2, "same") - ReLU - 3x3/2 max pool; ``conv2`` (128 3x3) - ReLU - 3x3/2
    max pool; ``conv3`` (192 3x3) - ReLU; global average pooling and the classifier.

    Args:
        conv1: ``"alexnet"`` (11x11 stride 4) or ``"zfnet"`` (7x7 stride 2).
        include_top, input_shape, pooling, classes, classifier_activation: as every builder's
            (64x64 by default, at least 32x32).
        width_multiplier: scale every conv width.
        name: the model's name.

    Note:
        ``conv1`` starts from both papers' N(0, 0.01) (AlexNet's section 5, ZFNet's section
        3), the later convs from He et al.'s: from a small start, what a filter shows after
        training is what it learnt, and a filter that learns nothing stays near zero (the
        papers' "dead" filters); from He's start a short run leaves mostly the initial noise.

    Note:
        Only ``conv1`` differs: with stride 2 every later map is twice as large on each side,
        so the ZFNet arm costs more multiply-accumulates after ``conv1``, as ZFNet did (its
        Figure 3: 110x110 after conv1 where AlexNet had 55x55).
    """
    check_choice("conv1", conv1, CONV1, hint="'alexnet' (11x11/4) or 'zfnet' (7x7/2)")
    check_head_args(include_top, pooling, classes, classifier_activation, 0.0)
    width_multiplier = check_width_multiplier(width_multiplier, narrowest=min(CONV1_WIDTHS))
    widths = _fixed_widths(width_multiplier, CONV1_WIDTHS)
    x = inputs = image_input(
        input_shape, family or CONV1_FAMILY, model_name=name, include_top=include_top
    )
    kernel, stride = CONV1[conv1]
    for index, (width, size) in enumerate(zip(widths, (kernel, 3, 3), strict=True), start=1):
        x = layers.Conv2D(
            width,
            size,
            strides=stride if index == 1 else 1,
            padding="same",
            activation="relu",
            kernel_initializer=(
                keras.initializers.RandomNormal(stddev=0.01) if index == 1 else he_init()
            ),
            name=f"conv{index}",
        )(x)
        if index < 3:
            x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"pool{index}")(x)
    outputs = classifier_head(
        x,
        include_top=include_top,
        pooling=pooling or "avg",
        classes=classes,
        classifier_activation=classifier_activation,
    )
    return keras.Model(inputs, outputs, name=name)


def stacked_net(
    *,
    block: str = "3x3x2",
    batch_norm: bool = False,
    include_top: bool = True,
    input_shape=None,
    pooling: str | None = None,
    classes: int = 10,
    classifier_activation: str | None = "softmax",
    width_multiplier: float = 1.0,
    name: str = "stacked_net",
    family: Family | None = None,
) -> keras.Model:
    """A stem (128 3x3 filters and a 2x2 max pool), then three stages, each one ``block`` and
    a 2x2 max pool, then global average pooling and the classifier. A block is a single 5x5
    or 7x7 conv, or a stack of two or three 3x3 convs with the same receptive field (VGG's
    section 2.3), every conv 128 filters on 128 channels, so a block has ``k * k * C * C``
    weights: 25 C^2 against 18 C^2, 49 C^2 against 27 C^2, as the paper counts them.

    Args:
        block: ``"5x5"``, ``"3x3x2"``, ``"7x7"`` or ``"3x3x3"``.
        batch_norm: batch normalization between every conv and its ReLU (the conv then has
            no bias), so that the deeper stacks train as fast as the single conv.
        include_top, input_shape, pooling, classes, classifier_activation: as every builder's
            (32x32 by default, at least 16x16).
        width_multiplier: scale every conv width.
        name: the model's name.
    """
    check_choice("block", block, BLOCKS, hint="a 5x5 or 7x7 conv, or two or three 3x3")
    check_bool("batch_norm", batch_norm)
    check_head_args(include_top, pooling, classes, classifier_activation, 0.0)
    width_multiplier = check_width_multiplier(width_multiplier, narrowest=STACKED_WIDTH)
    width = scaled_width(STACKED_WIDTH, width_multiplier)
    x = inputs = image_input(
        input_shape, family or STACKED_FAMILY, model_name=name, include_top=include_top
    )

    def conv(tensor, size, layer_name):
        return conv_bn_act(
            tensor,
            width,
            size,
            batch_norm=batch_norm,
            kernel_initializer=he_init(),
            name=layer_name,
        )

    x = layers.MaxPooling2D(2, name="stem_pool")(conv(x, 3, "stem"))
    for stage in range(1, 4):
        for index, size in enumerate(BLOCKS[block], start=1):
            x = conv(x, size, f"conv{stage}_{index}")
        x = layers.MaxPooling2D(2, name=f"pool{stage}")(x)
    outputs = classifier_head(
        x,
        include_top=include_top,
        pooling=pooling or "avg",
        classes=classes,
        classifier_activation=classifier_activation,
    )
    return keras.Model(inputs, outputs, name=name)


def pixels_net(
    *,
    include_top: bool = True,
    input_shape=None,
    pooling: str | None = None,
    classes: int = 10,
    classifier_activation: str | None = "softmax",
    width_multiplier: float = 1.0,
    name: str = "pixels_net",
    family: Family | None = None,
) -> keras.Model:
    """The image itself as features: ``fc7`` is the flattened (normalized) image, followed by
    one linear classifier (softmax regression). The raw-pixel baseline of a linear probe.

    Args:
        include_top, input_shape, pooling, classes, classifier_activation: as every builder's
            (32x32 by default); ``pooling`` must be ``None`` (there is no feature map).
        width_multiplier: accepted as every builder's; there is no conv to widen.
        name: the model's name.
    """
    check_head_args(include_top, pooling, classes, classifier_activation, 0.0)
    if pooling is not None:
        raise ValueError(f"pixels_net has no feature map to pool; received pooling={pooling!r}.")
    check_float("width_multiplier", width_multiplier, minimum=0, min_inclusive=False)
    inputs = image_input(
        input_shape, family or PIXELS_FAMILY, model_name=name, include_top=include_top
    )
    x = layers.Flatten(name="fc7")(inputs)
    if include_top:
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    return keras.Model(inputs, x, name=name)


def inception_net(
    *,
    naive: bool = False,
    aux_logits: bool = False,
    batch_norm: bool = False,
    include_top: bool = True,
    input_shape=None,
    pooling: str | None = None,
    classes: int = 10,
    classifier_activation: str | None = "softmax",
    width_multiplier: float = 1.0,
    name: str = "inception_net",
    family: Family | None = None,
) -> keras.Model:
    """A stem conv (64 3x3) and a 2x2 max pool, two inception modules, a 2x2 max pool, a third
    module, global average pooling and the classifier; the modules naive or with 1x1
    reductions, at the widths of :data:`INCEPTION_WIDTHS`. With ``aux_logits`` the model has
    two outputs, ``[main, aux]``: GoogLeNet's auxiliary classifier (its ``AUX_HEAD``: a 5x5
    average pool of stride 3, a 1x1 conv of 128, an FC layer of 1,024 with dropout 0.7, the
    classifier; at the net's width) reads the second module's output, as GoogLeNet's reads
    4a's and 4d's; training weighs its loss by the recipe's ``aux_loss_weight`` (0.3).

    Args:
        naive: GoogLeNet's Figure 2a (no reductions, narrower so that it costs the same) instead
            of Figure 2b.
        aux_logits: add the auxiliary classifier (a second output).
        batch_norm: batch normalization between every conv and its ReLU, the stem's and the
            modules' (not in GoogLeNet, which predates it).
        include_top, input_shape, pooling, classes, classifier_activation: as every builder's
            (32x32 by default, at least 8x8).
        width_multiplier: scale every conv width.
        name: the model's name.
    """
    check_bool("naive", naive)
    check_bool("batch_norm", batch_norm)
    check_aux_logits(aux_logits, include_top)
    check_head_args(include_top, pooling, classes, classifier_activation, 0.0)
    table = INCEPTION_WIDTHS["naive" if naive else "reduced"]
    width_multiplier = check_width_multiplier(
        width_multiplier, narrowest=min(min(row) for row in table)
    )
    x = inputs = image_input(
        input_shape,
        family or INCEPTION_FAMILY,
        model_name=name,
        include_top=include_top,
        min_size=MIN_SIZE_AUX if aux_logits else None,
    )
    x = conv_bn_act(
        x,
        scaled_width(STEM_WIDTH, width_multiplier),
        3,
        batch_norm=batch_norm,
        kernel_initializer=he_init(),
        name="stem",
    )
    x = layers.MaxPooling2D(2, name="stem_pool")(x)
    keys = (
        ("filters_1x1", "filters_3x3", "filters_5x5")
        if naive
        else ("filters_1x1", "reduce_3x3", "filters_3x3", "reduce_5x5", "filters_5x5", "pool_proj")
    )
    for index, row in enumerate(table):
        if index == 2:
            x = layers.MaxPooling2D(2, name="pool")(x)
        widths = dict(zip(keys, _fixed_widths(width_multiplier, row), strict=True))
        x = inception_module(
            x, naive=naive, batch_norm=batch_norm, name=f"inception_{'abc'[index]}", **widths
        )
        if aux_logits and index == 1:
            aux = auxiliary_head(
                x,
                AUX_HEAD,
                name="aux",
                conv=conv_relu,
                classes=classes,
                classifier_activation=classifier_activation,
                width_multiplier=width_multiplier,
            )
    outputs = classifier_head(
        x,
        include_top=include_top,
        pooling=pooling or "avg",
        classes=classes,
        classifier_activation=classifier_activation,
    )
    return keras.Model(inputs, [outputs, aux] if aux_logits else outputs, name=name)


_PAPERS = {
    "zfnet": "Zeiler and Fergus (ECCV 2014)",
    "vgg": "Simonyan and Zisserman (ICLR 2015)",
    "googlenet": "Szegedy et al. (CVPR 2015)",
}
CONV1_FAMILY = Family("conv1 net", _PAPERS["zfnet"], 64, 32, recipe="zfnet")
STACKED_FAMILY = Family("stacked 3x3 net", _PAPERS["vgg"], 32, 16, recipe="vgg")
PIXELS_FAMILY = Family("raw pixels", _PAPERS["vgg"], 32, 8, recipe="vgg")
INCEPTION_FAMILY = Family("inception net", _PAPERS["googlenet"], 32, 8, recipe="googlenet")

CONV1_NET = ModelSpec("conv1_net", conv1_net, {}, CONV1_FAMILY)
STACKED_NET = ModelSpec("stacked_net", stacked_net, {}, STACKED_FAMILY)
PIXELS_NET = ModelSpec("pixels_net", pixels_net, {}, PIXELS_FAMILY)
INCEPTION_NET = ModelSpec("inception_net", inception_net, {}, INCEPTION_FAMILY)

# The same nets with batch norm, trained with He et al.'s CIFAR recipe (SGD from 0.1, divided by
# 10 at half and three quarters of the run): a batch-normalized net converges in a few epochs,
# so the comparison is between trained nets, not between how fast each starts.
_BN_NOTE = "; batch norm and He et al.'s CIFAR recipe"
STACKED_BN_NET = ModelSpec(
    "stacked_net_bn",
    stacked_net,
    {"batch_norm": True},
    Family("stacked 3x3 net" + _BN_NOTE, _PAPERS["vgg"], 32, 16, recipe="resnet_cifar"),
)
INCEPTION_BN_NET = ModelSpec(
    "inception_net_bn",
    inception_net,
    {"batch_norm": True},
    Family("inception net" + _BN_NOTE, _PAPERS["googlenet"], 32, 8, recipe="resnet_cifar"),
)
