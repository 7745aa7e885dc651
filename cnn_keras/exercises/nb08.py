"""Exercises of notebook 08 (ResNeXt, DenseNet, MobileNets)."""

from __future__ import annotations

import math

import keras

from cnn_keras import analysis, build_model
from cnn_keras.exercises import exercise
from cnn_keras.models.resnet import bottleneck_block
from cnn_keras.models.resnext import resnext


def _grouped_3x3(cardinality: int, bottleneck_width: int) -> keras.layers.Layer:
    """The grouped 3x3 conv of ResNeXt-50's first block (conv2, 56x56, 64 channels in) at
    ``cardinality`` x ``bottleneck_width``, built alone."""
    inputs = keras.Input((56, 56, 64))
    block = bottleneck_block(
        inputs,
        cardinality * bottleneck_width,
        256,
        groups=cardinality,
        stride_in_1x1=False,
        use_bias=False,
        name="conv2_block1",
    )
    return keras.Model(inputs, block).get_layer("conv2_block1_2")


@exercise("08.1", "parameters of conv2's grouped 3x3 conv at 32x4d and at 64x2d")
def grouped_conv_params() -> tuple[int, int]:
    return tuple(_grouped_3x3(c, d).count_params() for c, d in ((32, 4), (64, 2)))


@exercise("08.2", "trainable parameters and MACs of ResNeXt-50 (64x2d) at 224x224")
def resnext50_64x2d() -> tuple[int, int]:
    net = resnext(cardinality=64, bottleneck_width=2, name="resnext50_64x2d")
    return analysis.count_params(net).trainable, analysis.count_macs(net)


@exercise("08.3", "separable over full cost for a 5x5 kernel, 512 to 512 channels")
def separable_ratio_5x5() -> float:
    inputs = keras.Input((14, 14, 512))
    full = keras.Model(inputs, keras.layers.Conv2D(512, 5, padding="same", use_bias=False)(inputs))
    depthwise = keras.layers.DepthwiseConv2D(5, padding="same", use_bias=False)(inputs)
    separable = keras.Model(inputs, keras.layers.Conv2D(512, 1, use_bias=False)(depthwise))
    return analysis.count_macs(separable) / analysis.count_macs(full)


@exercise("08.4", "channels at the end of DenseNet-169's last dense block")
def densenet169_channels() -> int:
    net = build_model("densenet169")
    return int(net.get_layer("conv5_block32_concat").output.shape[-1])


@exercise("08.5", "input size where alpha 1.0 costs what alpha 0.75 costs at 224", rel_tol=0.01)
def matched_resolution() -> float:
    # Cost falls about as the square of the input size: solve (s / 224)**2 * full = thin.
    full, thin = (
        analysis.count_macs(build_model("mobilenet", alpha=alpha)) for alpha in (1.0, 0.75)
    )
    return 224 * math.sqrt(thin / full)
