"""Exercises of notebook 02 (ZFNet)."""

from __future__ import annotations

from cnn_keras import analysis, build_model
from cnn_keras.analysis import interpret
from cnn_keras.exercises import exercise


@exercise("02.1", "output side of ZFNet's conv2 on a 55x55 input")
def conv2_side() -> int:
    return analysis.conv_output_size(55, 5, stride=2, padding=0)


@exercise("02.2", "parameters ZFNet's conv1 saves against AlexNet's")
def conv1_saving() -> int:
    alexnet, zfnet = build_model("alexnet"), build_model("zfnet")
    return alexnet.get_layer("conv1").count_params() - zfnet.get_layer("conv1").count_params()


@exercise("02.3", "extra parameters of ZFNet's conv4 over AlexNet's two-GPU conv4")
def conv4_extra() -> int:
    alexnet, zfnet = build_model("alexnet"), build_model("zfnet")
    return zfnet.get_layer("conv4").count_params() - alexnet.get_layer("conv4").count_params()


@exercise("02.4", "occluded images for a 53x53 image, 9x9 square, stride 4")
def occluded_images() -> int:
    return len(interpret.occlusion_grid(53, 9, 4)) ** 2
