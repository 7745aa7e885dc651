"""Exercises of notebook 11 (after 2017: NiN, pre-activation ResNet, Wide ResNet, SENet,
MobileNetV2, EfficientNet)."""

from __future__ import annotations

import keras

from cnn_keras import analysis
from cnn_keras.attention import squeeze_excite
from cnn_keras.exercises import exercise
from cnn_keras.models.efficientnet import compound_scaling
from cnn_keras.models.mobilenet_v2 import inverted_residual_block
from cnn_keras.models.wide_resnet import wide_resnet


@exercise("11.1", "parameters of one FC layer from NiN's flattened 8x8x192 map to 10 classes")
def nin_fc_head() -> int:
    inputs = keras.Input((8, 8, 192))
    head = keras.layers.Dense(10)(keras.layers.Flatten()(inputs))
    return analysis.count_params(keras.Model(inputs, head)).total


@exercise("11.2", "parameters of an SE block (r = 16) on 256 channels")
def se_block_params() -> int:
    inputs = keras.Input((14, 14, 256))
    return analysis.count_params(keras.Model(inputs, squeeze_excite(inputs, 16, name="se"))).total


@exercise("11.3", "trainable parameters of WRN-16-8")
def wrn16_8_params() -> int:
    return analysis.count_params(wide_resnet(depth=16, widen_factor=8, name="wrn16_8")).trainable


@exercise("11.4", "EfficientNet's FLOPs factor at phi = 2")
def compound_flops_phi2() -> float:
    return compound_scaling(2).flops


@exercise("11.5", "MACs of an inverted residual block, 56x56x24, expansion 6")
def inverted_residual_macs() -> int:
    inputs = keras.Input((56, 56, 24))
    block = inverted_residual_block(inputs, 24, expansion=6, stride=1, name="block")
    return analysis.count_macs(keras.Model(inputs, block))
