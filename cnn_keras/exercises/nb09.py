"""Exercises of notebook 09 (comparing complexity)."""

from __future__ import annotations

import functools
import math

from cnn_keras import compare
from cnn_keras.exercises import exercise


@functools.cache
def _row(name: str) -> compare.ComparisonRow:
    """The model's costs at its paper's input size, with its published accuracy."""
    return compare.compare([name], progress=False)[0]


@exercise("09.1", "AlexNet's float32 weights in MiB")
def alexnet_weight_mib() -> float:
    return _row("alexnet").weight_bytes / 2**20


@exercise("09.2", "GoogLeNet's top-1 points per million parameters")
def googlenet_density() -> float:
    row = _row("googlenet")
    return row.top1 / (row.params / 1e6)


@exercise("09.3", "ResNet-18's activation memory over AlexNet's")
def resnet18_over_alexnet_activations() -> float:
    return _row("resnet18").activation_bytes / _row("alexnet").activation_bytes


@exercise("09.4", "smallest batch where MobileNet holds more memory than AlexNet")
def mobilenet_passes_alexnet() -> int:
    mobilenet, alexnet = _row("mobilenet"), _row("alexnet")
    # weights + batch * activations: MobileNet's larger activations overtake AlexNet's weights.
    extra_weights = alexnet.weight_bytes - mobilenet.weight_bytes
    extra_per_image = mobilenet.activation_bytes - alexnet.activation_bytes
    return math.floor(extra_weights / extra_per_image) + 1
