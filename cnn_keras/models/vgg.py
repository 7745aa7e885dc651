"""VGG (Simonyan and Zisserman, 2014): only 3x3 convs and 2x2 max pools, configs A to E."""

from __future__ import annotations

import keras
from keras import layers

from cnn_keras.checks import MAX_UNITS, check_bool, check_choice, check_int
from cnn_keras.heads import application_model, check_head_args
from cnn_keras.layers import (
    check_width_multiplier,
    conv_bn_act,
    he_init,
    image_input,
    scaled_width,
)
from cnn_keras.registry import Family, register_model

# Table 1 of the paper: conv widths per stage; each stage ends in a 2x2 stride-2 max pool.
CONFIGS = {
    "A": ((64,), (128,), (256, 256), (512, 512), (512, 512)),  # VGG11
    "B": ((64, 64), (128, 128), (256, 256), (512, 512), (512, 512)),  # VGG13
    "D": ((64, 64), (128, 128), (256,) * 3, (512,) * 3, (512,) * 3),  # VGG16
    "E": ((64, 64), (128, 128), (256,) * 4, (512,) * 4, (512,) * 4),  # VGG19
}
VGG = Family(
    "VGG",
    paper="Simonyan and Zisserman (ICLR 2015)",
    input_size=224,
    min_input_size=32,
    recipe="vgg",
    knobs=("width_multiplier", "fc_units"),
)


def vgg(
    *,
    config: str = "D",
    include_top: bool = True,
    input_shape=None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | None = "softmax",
    batch_norm: bool = False,
    width_multiplier: float = 1.0,
    fc_units: int = 4096,
    dropout: float = 0.5,
    name: str = "vgg",
    family: Family | None = None,
) -> keras.Model:
    """VGG: five stages of 3x3 stride-1 "same" convs, each closed by a 2x2/2 max pool; then
    ``fc6``, ``fc7`` (4096, dropout 0.5) and ``fc8``.

    For a 224x224 input the stages output 112x112x64, 56x56x128, 28x28x256, 14x14x512 and
    7x7x512. Layers are named as in the authors' Caffe release: ``conv3_2``, ``pool3``, ``fc7``.
    ``config="D"`` (VGG16) and ``"E"`` (VGG19) are layer for layer keras.applications' VGG16 and
    VGG19, so their ImageNet weights copy into these models.

    Args:
        config: the paper's configuration: ``"A"`` (11 layers), ``"B"`` (13), ``"D"`` (16) or
            ``"E"`` (19).
        include_top: end in ``fc6``-``fc7``-``fc8``; otherwise return the conv features.
        input_shape: ``(height, width, 3)``; by default 224x224x3. At least 32x32.
        pooling: with ``include_top=False``: ``None``, ``"avg"`` or ``"max"``.
        classes: outputs of ``fc8``.
        classifier_activation: ``"softmax"`` or ``None`` for logits.
        batch_norm: add batch normalization after every conv (the later "VGG-BN"; not in the
            paper, which predates batch norm).
        width_multiplier: scale every conv width, for a small net on a CPU.
        fc_units: width of ``fc6`` and ``fc7``.
        dropout: dropout rate on ``fc6`` and ``fc7``.
        name: the model's name.
        family: the registry's Family, whose input sizes it takes; ``None``: ``VGG``.

    Note:
        The convs start from He et al.'s initialization (Gaussian, variance 2 / fan-in;
        torchvision's VGG uses the same rule with the fan-out), not from the paper's: it
        trained config A from N(0, 0.01) and started the deeper configs from A's weights
        (section 3.1), adding that Glorot's initialization also works. Without batch
        normalization Glorot's variance halves at every ReLU: on Fashion-MNIST at 32x32 and
        a quarter of the width, VGG16 stayed at chance for four epochs of 12,000 images with
        it and reached 75 % test accuracy with He's (cpu profile, 2-core CPU). Weights copied
        from keras.applications replace either.
        keras.applications' VGG has no dropout layers (dropout does nothing at inference, so
        outputs are equal); the paper used dropout 0.5 on the first two FC layers.

    Reference: [Very Deep Convolutional Networks for Large-Scale Image Recognition](
        https://arxiv.org/abs/1409.1556) (ICLR 2015)
    """
    check_choice(
        "config", config, CONFIGS, hint="the paper's Table 1: A=VGG11, B=VGG13, D=VGG16, E=VGG19"
    )
    check_head_args(include_top, pooling, classes, classifier_activation, dropout)
    check_bool("batch_norm", batch_norm)
    width_multiplier = check_width_multiplier(
        width_multiplier, narrowest=min(min(stage) for stage in CONFIGS[config])
    )
    fc_units = check_int(
        "fc_units", fc_units, minimum=1, maximum=MAX_UNITS, hint="4096 in the paper"
    )
    inputs = image_input(
        input_shape, VGG if family is None else family, model_name=name, include_top=include_top
    )
    x = inputs
    for stage, widths in enumerate(CONFIGS[config], start=1):
        for index, width in enumerate(widths, start=1):
            x = conv_bn_act(
                x,
                scaled_width(width, width_multiplier),
                3,
                batch_norm=batch_norm,
                kernel_initializer=he_init(),
                name=f"conv{stage}_{index}",
            )
        x = layers.MaxPooling2D(2, strides=2, name=f"pool{stage}")(x)
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


for _name, _config, _twin in (
    ("vgg11", "A", None),
    ("vgg13", "B", None),
    ("vgg16", "D", "VGG16"),
    ("vgg19", "E", "VGG19"),
):
    register_model(_name, vgg, VGG, twin=_twin, config=_config)
