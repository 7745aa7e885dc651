"""Exercises of notebook 07 (Inception-v4 and Inception-ResNet)."""

from __future__ import annotations

import math

import keras

from cnn_keras import analysis
from cnn_keras.exercises import exercise
from cnn_keras.models.inception_resnet import CONFIGS, inception_resnet, inception_resnet_block


def _block17_conv(config: str, channels: int) -> keras.layers.Layer:
    """The linear 1x1 conv of a 17x17 block (``block17_1_conv``), the block built alone at
    the network's 299x299 shapes: 17x17 with ``channels``."""
    inputs = keras.Input((17, 17, channels))
    block = inception_resnet_block(inputs, CONFIGS[config].block_b, scale=0.1, name="block17_1")
    return keras.Model(inputs, block).get_layer("block17_1_conv")


@exercise("07.1", "parameters of Inception-ResNet-v1's block17 linear 1x1 conv")
def v1_block17_conv_params() -> int:
    return _block17_conv("v1", 896).count_params()


@exercise("07.2", "std after 20 blocks, unscaled and at scale 0.1 (variances add)", rel_tol=0.01)
def std_after_twenty_blocks() -> tuple[float, float]:
    # Input std 1; each block adds an independent residual of std 1 times the scale, so the
    # variance after n blocks is 1 + n * scale**2 (the ReLU after each sum left out).
    blocks = 20
    return tuple(math.sqrt(1 + blocks * scale**2) for scale in (1.0, 0.1))


@exercise("07.3", "MACs of Inception-ResNet-v2's block17 linear 1x1 conv at 299x299")
def v2_block17_conv_macs() -> int:
    return analysis.layer_macs(_block17_conv("v2", 1088))


@exercise("07.4", "parameters and MACs of the paper's Inception-ResNet-v2 (config='v2_paper')")
def v2_paper_costs() -> tuple[int, int]:
    net = inception_resnet(config="v2_paper", name="inception_resnet_v2_paper")
    return analysis.count_params(net).total, analysis.count_macs(net)
