"""Exercises of notebook 05 (ResNet)."""

from __future__ import annotations

import keras

from cnn_keras import analysis, build_model
from cnn_keras.exercises import exercise
from cnn_keras.models.resnet import basic_block, bottleneck_block


def _block_model(channels: int, make_block) -> keras.Model:
    inputs = keras.Input((56, 56, channels))
    return keras.Model(inputs, make_block(inputs))


@exercise("05.1", "conv weights of a bottleneck block 256 -> 64 -> 64 -> 256 (no biases)")
def bottleneck_conv_weights() -> int:
    block = _block_model(256, lambda x: bottleneck_block(x, 64, 256, use_bias=False, name="b"))
    convs = [layer for layer in block.layers if isinstance(layer, keras.layers.Conv2D)]
    return sum(analysis.count_params(conv).total for conv in convs)


@exercise("05.2", "MACs of one basic block of 64 filters on a 56x56 map")
def basic_block_macs() -> int:
    return analysis.count_macs(_block_model(64, lambda x: basic_block(x, 64, name="basic")))


@exercise("05.3", "MACs of ResNet-50 with the stride on the 3x3 conv (v1.5) at 224x224")
def resnet50_v1_5_macs() -> int:
    return analysis.count_macs(build_model("resnet50", stride_in_1x1=False))


@exercise("05.4", "trainable parameters ResNet-50 has beyond ResNet-34")
def resnet50_minus_resnet34() -> int:
    deeper, shallower = build_model("resnet50"), build_model("resnet34")
    return analysis.count_params(deeper).trainable - analysis.count_params(shallower).trainable
