"""ZFNet (Zeiler and Fergus, 2013): AlexNet's layout with tuned hyperparameters.

The same builder as AlexNet (``alexnet.alexnet_style``) with ZFNet's conv rows.
"""

from __future__ import annotations

import dataclasses

import keras

from cnn_keras.checks import check_choice
from cnn_keras.models.alexnet import ConvRow, alexnet_style
from cnn_keras.registry import Family, register_model

# Zeiler and Fergus (2013), Figure 3: output sizes for a 224x224x3 input.
ZFNET_ROWS = (
    ConvRow("conv1", 96, 7, strides=2, padding=1, norm=True, pool="same"),  # 110x110, pool 55x55
    ConvRow("conv2", 256, 5, strides=2, padding="valid", norm=True, pool="same"),  # 26, pool 13
    ConvRow("conv3", 384, 3),  # 13x13x384
    ConvRow("conv4", 384, 3),  # 13x13x384
    ConvRow("conv5", 256, 3, pool="valid"),  # 13x13x256, pooled to 6x6x256
)

# The variant the cs231n lecture describes: conv3, conv4, conv5 with 512, 1024, 512 filters.
ZFNET_512_1024_512_ROWS = ZFNET_ROWS[:2] + (
    ConvRow("conv3", 512, 3),
    ConvRow("conv4", 1024, 3),
    ConvRow("conv5", 512, 3, pool="valid"),
)

ROWS = {"paper": ZFNET_ROWS, "512_1024_512": ZFNET_512_1024_512_ROWS}
ZFNET = Family(
    "ZFNet",
    paper="Zeiler and Fergus (ECCV 2014)",
    input_size=224,
    min_input_size=53,
    recipe="zfnet",
    knobs=("width_multiplier", "fc_units"),
)


def zfnet(
    *,
    conv_widths: str = "paper",
    include_top: bool = True,
    input_shape=None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | None = "softmax",
    local_response_norm: bool = True,
    width_multiplier: float = 1.0,
    fc_units: int = 4096,
    dropout: float = 0.5,
    name: str = "zfnet",
    family: Family | None = None,
) -> keras.Model:
    """ZFNet: AlexNet with a 7x7 stride-2 ``conv1`` and, in the lecture's variant, wider
    ``conv3``-``conv5``.

    ``conv1`` (96 7x7/2) - ReLU - norm - 3x3/2 pool (55x55x96); ``conv2`` (256 5x5/2) - ReLU -
    norm - pool (13x13x256); ``conv3`` 384, ``conv4`` 384, ``conv5`` 256 (3x3) - pool (6x6x256);
    ``fc6``, ``fc7`` (4096, dropout 0.5), ``fc8``. One tower: it was trained on one GPU.

    Args:
        conv_widths: ``"paper"`` for the final network of Figure 3 (384-384-256), or
            ``"512_1024_512"`` for the variant the cs231n lecture shows.
        include_top: end in ``fc6``-``fc7``-``fc8``; otherwise return the conv features.
        input_shape: ``(height, width, 3)``; by default 224x224x3. At least 53x53.
        pooling: with ``include_top=False``: ``None``, ``"avg"`` or ``"max"``.
        classes: outputs of ``fc8``.
        classifier_activation: ``"softmax"`` or ``None`` for logits.
        local_response_norm: add the normalization layers after ``conv1`` and ``conv2``.
        width_multiplier: scale every conv width, for a small net on a CPU.
        fc_units: width of ``fc6`` and ``fc7``.
        dropout: dropout rate on ``fc6`` and ``fc7``.
        name: the model's name.
        family: the registry's Family, whose input sizes it takes; ``None``: ``ZFNET``.

    Note:
        The paper gives the output sizes (110, 55, 26, 13, 13, 13, 6) but not the paddings.
        Here ``conv1`` pads 1 pixel, the first two pools pad ("same"), ``conv2`` and the last
        pool do not: that reproduces Figure 3's sizes from 224x224.

    Note:
        The paper's "contrast normalization" across feature maps is the same local response
        normalization as AlexNet's; its renormalization of conv filters whose RMS exceeds 0.1 is
        a training detail, not part of the network.

    Note:
        The convs start from He et al.'s initialization, as AlexNet's (see its Note), not
        from the paper's weights of 10^-2 and biases of 0 (section 3).

    Reference: [Visualizing and Understanding Convolutional Networks](
        https://arxiv.org/abs/1311.2901) (ECCV 2014)
    """
    check_choice("conv_widths", conv_widths, ROWS)
    return alexnet_style(
        ROWS[conv_widths],
        family=ZFNET if family is None else family,
        groups=1,
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
    )


register_model("zfnet", zfnet, ZFNET)
# The lecture's wider variant: the same family and recipe, the lecture as its source.
register_model(
    "zfnet_512_1024_512",
    zfnet,
    dataclasses.replace(ZFNET, paper="cs231n lecture 9 (2017), after " + ZFNET.paper),
    conv_widths="512_1024_512",
)
