"""AlexNet (Krizhevsky et al., 2012), and the builder it shares with ZFNet.

Both are five conv layers and three FC layers, written here as a table of conv rows::

    conv1-relu-norm-pool  conv2-relu-norm-pool  conv3-relu  conv4-relu  conv5-relu-pool
    fc6-dropout  fc7-dropout  fc8

``zfnet.py`` gives the same builder ZFNet's table.
"""

from __future__ import annotations

import dataclasses

import keras
from keras import layers

from cnn_keras.checks import MAX_UNITS, check_bool, check_choice, check_int
from cnn_keras.heads import application_model, check_head_args
from cnn_keras.layers import (
    LocalResponseNormalization,
    check_width_multiplier,
    he_init,
    image_input,
    scaled_width,
)
from cnn_keras.registry import Family, register_model


@dataclasses.dataclass(frozen=True)
class ConvRow:
    """One conv layer of an AlexNet-style network and what follows it.

    Attributes:
        name: the paper's name (``conv1`` ... ``conv5``).
        filters: output channels at ``width_multiplier=1``.
        kernel_size: square kernel size.
        strides: conv stride.
        padding: ``"same"``, ``"valid"`` or an int P of zeros added on each side.
        split: whether the layer is split over the two GPU towers (``groups`` applies).
        norm: whether local response normalization follows the ReLU.
        pool: the padding of the 3x3 stride-2 max pool that follows, or ``None`` for no pool.
    """

    name: str
    filters: int
    kernel_size: int
    strides: int = 1
    padding: str | int = "same"
    split: bool = False
    norm: bool = False
    pool: str | None = None


# Krizhevsky et al. (2012), section 3.5 and Figure 2: output sizes for a 227x227x3 input.
ALEXNET_ROWS = (
    ConvRow("conv1", 96, 11, strides=4, padding="valid", norm=True, pool="valid"),  # 55x55x96
    ConvRow("conv2", 256, 5, split=True, norm=True, pool="valid"),  # 27x27x256
    ConvRow("conv3", 384, 3),  # 13x13x384, sees both towers
    ConvRow("conv4", 384, 3, split=True),  # 13x13x384
    ConvRow("conv5", 256, 3, split=True, pool="valid"),  # 13x13x256, pooled to 6x6x256
)

ALEXNET = Family(
    "AlexNet",
    paper="Krizhevsky et al. (NeurIPS 2012)",
    input_size=227,
    min_input_size=67,
    recipe="alexnet",
    knobs=("width_multiplier", "fc_units"),
)
# The conv layers' nonlinearity: the paper's ReLU, or the saturating units its Figure 1
# compares it with.
ACTIVATIONS = ("relu", "tanh", "sigmoid")


def alexnet_style(
    rows: tuple[ConvRow, ...],
    *,
    family: Family,
    groups: int,
    local_response_norm: bool,
    include_top: bool,
    input_shape,
    pooling: str | None,
    classes: int,
    classifier_activation: str | None,
    width_multiplier: float,
    fc_units: int,
    dropout: float,
    name: str,
    activation: str = "relu",
) -> keras.Model:
    """Builds an AlexNet-style network from its conv rows (see :func:`alexnet`'s arguments;
    ``family`` is the caller's, whose input sizes it takes)."""
    check_head_args(include_top, pooling, classes, classifier_activation, dropout)
    width_multiplier = check_width_multiplier(
        width_multiplier, narrowest=min(row.filters for row in rows)
    )
    groups = check_int(
        "groups", groups, minimum=1, hint="2 for the paper's two GPUs, 1 for one tower"
    )
    fc_units = check_int(
        "fc_units", fc_units, minimum=1, maximum=MAX_UNITS, hint="4096 in the paper"
    )
    check_bool("local_response_norm", local_response_norm)
    check_choice(
        "activation", activation, ACTIVATIONS, hint="'relu' in the paper; 'tanh' as its Figure 1"
    )
    widths = [scaled_width(row.filters, width_multiplier) for row in rows]
    for index, row in enumerate(rows):
        in_channels = 3 if index == 0 else widths[index - 1]
        if row.split and (widths[index] % groups or in_channels % groups):
            raise ValueError(
                f"groups={groups} must divide the input and output channels of {row.name} "
                f"({in_channels} -> {widths[index]} at width_multiplier={width_multiplier}); "
                "use groups=1 or 2, or a width_multiplier that keeps the widths even."
            )

    inputs = image_input(input_shape, family, model_name=name, include_top=include_top)
    x = inputs
    for row, width in zip(rows, widths, strict=True):
        padding = row.padding
        if isinstance(padding, int):
            x = layers.ZeroPadding2D(padding, name=f"{row.name}_pad")(x)
            padding = "valid"
        x = layers.Conv2D(
            width,
            row.kernel_size,
            strides=row.strides,
            padding=padding,
            groups=groups if row.split else 1,
            kernel_initializer=he_init(),
            name=row.name,
        )(x)
        x = layers.Activation(activation, name=f"{row.name}_{activation}")(x)
        if row.norm and local_response_norm:
            x = LocalResponseNormalization(name=f"{row.name}_norm")(x)
        if row.pool is not None:
            x = layers.MaxPooling2D(3, strides=2, padding=row.pool, name=f"{row.name}_pool")(x)
    return application_model(
        inputs,
        x,
        include_top,
        pooling,
        classes,
        classifier_activation,
        flatten=True,
        hidden=[("fc6", fc_units), ("fc7", fc_units)],
        dropout=dropout,
        classifier_name="fc8",
        name=name,
    )


def alexnet(
    *,
    include_top: bool = True,
    input_shape=None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | None = "softmax",
    groups: int = 2,
    local_response_norm: bool = True,
    width_multiplier: float = 1.0,
    fc_units: int = 4096,
    dropout: float = 0.5,
    activation: str = "relu",
    name: str = "alexnet",
    family: Family | None = None,
) -> keras.Model:
    """AlexNet as the paper describes it: five conv layers, LRN, three FC layers.

    ``conv1`` (96 11x11 filters, stride 4) - ReLU - LRN - 3x3/2 max pool; ``conv2`` (256 5x5) -
    ReLU - LRN - pool; ``conv3`` (384 3x3), ``conv4`` (384 3x3), ``conv5`` (256 3x3) - pool;
    ``fc6`` and ``fc7`` (4096, dropout 0.5), ``fc8``. About 61 M parameters with the two
    towers (the paper's "60 million").

    Args:
        include_top: end in ``fc6``-``fc7``-``fc8``; otherwise return the conv features.
        input_shape: ``(height, width, 3)``; by default 227x227x3. At least 67x67.
        pooling: with ``include_top=False``: ``None`` (the 6x6x256 map), ``"avg"`` or ``"max"``.
        classes: outputs of ``fc8``.
        classifier_activation: ``"softmax"`` or ``None`` for logits.
        groups: 2 splits ``conv2``, ``conv4`` and ``conv5`` into two groups as the paper's two
            GPUs did (each tower sees only its own half of the previous layer); 1 builds one
            tower (as Caffe's and torchvision's single-GPU AlexNet, which also change the
            widths).
        local_response_norm: add the LRN layers (n=5, k=2, alpha=1e-4, beta=0.75).
        width_multiplier: scale every conv width, for a small net on a CPU.
        fc_units: width of ``fc6`` and ``fc7``.
        dropout: dropout rate on ``fc6`` and ``fc7`` (0 for none).
        activation: the conv layers' nonlinearity, one of :data:`ACTIVATIONS`: ``"relu"`` as
            in the paper, ``"tanh"`` for the saturating units its Figure 1 compares (a net of
            ReLUs reached 25 % training error on CIFAR-10 six times sooner). ``fc6`` and
            ``fc7`` keep their ReLUs.
        name: the model's name.
        family: the registry's Family, whose input sizes it takes; ``None``: ``ALEXNET``.

    Note:
        The paper says the input is 224x224, but an 11x11 stride-4 conv without padding gives
        the stated 55x55 only from 227x227: ``(227 - 11) / 4 + 1 = 55``. The default is 227.

    Note:
        The paper normalizes after the ReLU and pools after the normalization (section 3.5);
        the lecture's slide lists conv-pool-norm. This follows the paper.

    Note:
        The convs start from He et al.'s initialization (``layers.he_init``), as the VGGs do,
        not from the paper's N(0, 0.01) with biases of 1 (section 5), which suited its 90
        epochs: on Fashion-MNIST (cpu profile, one tower, a quarter of the width) AlexNet
        reached 68 % test accuracy after four epochs of 12,000 images from Keras's Glorot
        initialization and 75 % from He's. Weights copied from a trained model replace either.

    Reference: [ImageNet Classification with Deep Convolutional Neural Networks](
        https://papers.nips.cc/paper/4824-imagenet-classification-with-deep-convolutional-neural-networks)
        (NeurIPS 2012)
    """
    return alexnet_style(
        ALEXNET_ROWS,
        family=ALEXNET if family is None else family,
        groups=groups,
        local_response_norm=local_response_norm,
        include_top=include_top,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
        width_multiplier=width_multiplier,
        fc_units=fc_units,
        dropout=dropout,
        name=name,
        activation=activation,
    )


register_model("alexnet", alexnet, ALEXNET)
