"""Exercises of notebook 12 (what the nets learned: filters, saliency, Grad-CAM, gradient
ascent, embeddings, and ImageNet-trained weights)."""

from __future__ import annotations

import functools

import keras
import numpy as np

from cnn_keras import analysis, build_model
from cnn_keras.exercises import exercise, explanation, mistake, prediction
from cnn_keras.experiments.nets import CONV1_NET


@functools.cache
def _resnet50_conv1() -> keras.layers.Layer:
    return build_model("resnet50", input_shape=(64, 64, 3), include_top=False).get_layer("conv1")


@exercise("12.1", "parameters of ResNet-50's conv1")
def resnet50_conv1_params() -> int:
    return _resnet50_conv1().count_params()


@mistake("12.1", "the count without the biases")
def resnet50_conv1_weights() -> int:
    return int(np.prod(_resnet50_conv1().kernel.shape))


@functools.cache
def _vgg16_conv5_3() -> tuple[int, int, int]:
    height, width, channels = build_model("vgg16").get_layer("conv5_3_relu").output.shape[1:]
    return height, width, channels


@exercise(
    "12.2",
    "Grad-CAM on VGG16's conv5_3: weights per class, and input pixels per map cell",
    parts=("weights alpha_k per class", "input pixels per cell, along one side"),
)
def vgg16_grad_cam() -> tuple[int, int]:
    height, _, channels = _vgg16_conv5_3()
    return channels, 224 // height


@mistake("12.2", "the number of cells in the map, not the number of maps")
def vgg16_grad_cam_cells() -> tuple[int | None, int | None]:
    height, width, _ = _vgg16_conv5_3()
    return height * width, None


def _lesson_net() -> keras.Model:
    return CONV1_NET.build(
        conv1="zfnet", input_shape=(64, 64, 1), classes=10, width_multiplier=0.25
    )


@exercise("12.3", "receptive field of the lesson's conv3, in input pixels along one side")
def conv3_receptive_field() -> int:
    return analysis.receptive_field(_lesson_net(), "conv3")[0]


@mistake("12.3", "the sum of the kernel sizes, as if every layer had stride 1")
def conv3_receptive_field_stride_1() -> int:
    return 7 + 3 + 3 + 3 + 3 - 4


@prediction(
    "12.4",
    "the saliency map of a linear classifier",
    choices={
        "a": "the same map for every image: it shows the class's weights",
        "b": "a different map for each image, bright on the object",
        "c": "zero everywhere",
    },
    why=(
        "For a linear classifier the class score is w_c . x + b_c, so its gradient with respect "
        "to the image is w_c, whatever the image: the saliency map is |w_c|, identical for "
        "every input. It describes the model, not the image. Adebayo et al. (2018) make the "
        "mirror point: a map that does not change when the model changes (randomized weights) "
        "describes the image, not the model; a useful explanation must depend on both."
    ),
)
def linear_saliency() -> str:
    """**12.4** (predict, then measure) A linear classifier (`Flatten`, then one `Dense` layer
    to 10 classes) on 28x28 gray images. You compute the saliency map of class 3 for two
    different images. What do you get? Predict, then measure with `analysis.saliency_map` on
    two random images."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((28, 28, 1))
    model = keras.Model(inputs, keras.layers.Dense(10)(keras.layers.Flatten()(inputs)))
    rng = np.random.default_rng(0)
    first, second = (
        analysis.saliency_map(model, rng.normal(size=(28, 28, 1)).astype("float32"), label=3)
        for _ in range(2)
    )
    if np.abs(first).max() == 0:
        return "c"
    return "a" if np.allclose(first, second, rtol=1e-5, atol=1e-7) else "b"


explanation(
    "12.5",
    "what Adebayo et al.'s sanity check tests",
    question="""**12.5** (explain) Adebayo et al. (2018) randomize a trained net's weights,
    layer by layer from the top, and compute the saliency map again. Some methods give
    nearly the same picture as before. What does that tell you about those methods, and why
    does a map that looks like an edge detector prove nothing?""",
    answer=(
        "A map that barely changes when the weights it should explain are destroyed does not "
        "depend on what the net learned: it is computed mostly from the image (its edges, its "
        "contrast) and the architecture. Such a method fails the test even if its pictures "
        "look convincing, because an edge detector applied to the image would draw the same "
        "picture. The paper finds the plain gradient and Grad-CAM change as they should, while "
        "Guided Backprop and Guided Grad-CAM stay almost the same. A map is evidence about the "
        "model only if it changes when the model does (and with the labels, their second test)."
    ),
)
