"""Exercises of notebook 03 (VGG)."""

from __future__ import annotations

import functools

import keras

from cnn_keras import analysis, build_model
from cnn_keras.exercises import exercise


@functools.cache
def _features(name: str) -> keras.Model:
    """The convolutional part (``include_top=False``) at 224x224: quick to build, shared."""
    return build_model(name, include_top=False)


@exercise("03.1", "MACs of VGG16's conv3_2 at 224x224")
def conv3_2_macs() -> int:
    return analysis.layer_macs(_features("vgg16").get_layer("conv3_2"))


@exercise("03.2", "3x3 layers stacked to see 11x11 (AlexNet's conv1)")
def layers_for_11x11() -> int:
    inputs = keras.Input((32, 32, 1))
    x, depth = inputs, 0
    while True:
        depth += 1
        x = keras.layers.Conv2D(1, 3, padding="same", name=f"conv3x3_{depth}")(x)
        field = analysis.receptive_field(keras.Model(inputs, x))
        if min(field) >= 11:
            return depth


@exercise("03.3", "receptive field of VGG19's pool5 (one side, pixels)")
def pool5_receptive_field() -> int:
    return analysis.receptive_field(_features("vgg19"), "pool5")[0]


@exercise("03.4", "% more MACs in VGG19's conv part than VGG16's at 224", rel_tol=0.01)
def vgg19_extra_macs_percent() -> float:
    macs16, macs19 = (analysis.count_macs(_features(name)) for name in ("vgg16", "vgg19"))
    return 100 * (macs19 / macs16 - 1)


@exercise("03.5", "MB of VGG19's conv-part activations at 224 (float32)", rel_tol=0.01)
def vgg19_activation_megabytes() -> float:
    return analysis.activation_memory(_features("vgg19")) / 1e6
