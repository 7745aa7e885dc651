"""Exercises of notebook 00 (setup and the ImageNet challenge)."""

from __future__ import annotations

import keras
import numpy as np

from cnn_keras import analysis, tables
from cnn_keras.exercises import block_exercise, exercise, explanation, mistake, prediction
from cnn_keras.layers import conv_bn_act


def scores_and_labels() -> tuple[np.ndarray, np.ndarray]:
    """Exercise 00.3's data: scores of 20 images over 10 classes, and their true labels."""
    rng = np.random.default_rng(2012)
    scores = rng.dirichlet(np.ones(10), size=20).astype("float32")
    labels = rng.integers(0, 10, size=20)
    return scores, labels


@exercise("00.1", "output side of AlexNet's first max pool")
def first_pool_side() -> int:
    return analysis.conv_output_size(55, 3, stride=2, padding=0)


@mistake("00.1", "the side with a padding of 1, not 0")
def first_pool_side_padded() -> int:
    return analysis.conv_output_size(55, 3, stride=2, padding=1)


def _conv1_2(use_bias: bool) -> int:
    layer = keras.layers.Conv2D(64, 3, padding="same", use_bias=use_bias)
    layer.build((None, 224, 224, 64))
    return layer.count_params()


@exercise("00.2", "parameters of VGG's conv1_2")
def vgg_conv1_2_params() -> int:
    return _conv1_2(use_bias=True)


@mistake("00.2", "the count without the biases")
def vgg_conv1_2_weights() -> int:
    return _conv1_2(use_bias=False)


def _top_k(k: int) -> float:
    scores, labels = scores_and_labels()
    metric = keras.metrics.SparseTopKCategoricalAccuracy(k=k)
    metric.update_state(labels, scores)
    return float(metric.result())


@exercise("00.3", "top-5 accuracy of the 20 images", rel_tol=0.005)
def top5_accuracy() -> float:
    return _top_k(5)


@mistake("00.3", "the top-1 accuracy")
def top1_accuracy() -> float:
    return _top_k(1)


@exercise("00.4", "how many times lower ResNet's top-5 error is than AlexNet's", rel_tol=0.005)
def error_ratio_2012_2015() -> float:
    rows = tables.read_table(tables.table_file("ilsvrc_winners.csv"))
    error = {row["model"]: float(row["top5_error"]) for row in rows}
    return error["AlexNet"] / error["ResNet"]


@block_exercise("00.5", "a conv-BN-ReLU unit", input_shape=(16, 16, 3))
def conv_bn_relu_unit(x: keras.KerasTensor) -> keras.KerasTensor:
    """**00.5** (implement it) The unit most nets after 2015 repeat: write `unit(x)`, a function
    of a Keras tensor that returns a Keras tensor: a 3x3 `Conv2D` of 32 filters with "same"
    padding and **no bias** (batch norm's shift replaces it), then `BatchNormalization()`, then
    a ReLU. Check it with `exercises.check_block("00.5", unit)`: it is built on a 16x16x3
    input and compared with the package's `layers.conv_bn_act`."""
    return conv_bn_act(x, 32, 3, name="unit")


def _conv_costs(side: int) -> tuple[int, int]:
    inputs = keras.Input((side, side, 3))
    model = keras.Model(inputs, keras.layers.Conv2D(16, 3, padding="same")(inputs))
    return analysis.count_params(model).total, analysis.count_macs(model)


@prediction(
    "00.6",
    "parameters and MACs of a conv when the image side doubles",
    choices={
        "a": "both double",
        "b": "the parameters stay the same, the MACs grow 4 times",
        "c": "both grow 4 times",
        "d": "the parameters stay the same, the MACs double",
    },
    why=(
        "A conv layer's parameters are K(F*F*C + 1): the same filters slide over a map of any "
        "size, so the image size does not enter. Its MACs are H_out*W_out*K*F*F*C: doubling the "
        "side gives four times the positions, so four times the work. That is why the papers "
        "quote costs at one input size (224 or 299), and why a CPU lesson at 32x32 is cheap."
    ),
)
def doubled_side() -> str:
    """**00.6** (predict, then measure) A 3x3 conv of 16 filters on a 3-channel image: the image
    grows from 32x32 to 64x64. Predict, then measure with `analysis.count_params` and
    `analysis.count_macs` on the conv built at both sizes."""
    (params_32, macs_32), (params_64, macs_64) = _conv_costs(32), _conv_costs(64)
    outcomes = {(2, 2): "a", (1, 4): "b", (4, 4): "c", (1, 2): "d"}
    return outcomes[(params_64 // params_32, macs_64 // macs_32)]


explanation(
    "00.7",
    "why ImageNet reports top-5",
    question="""**00.7** (explain) ILSVRC ranked entries by top-5 error. Why top-5 rather
    than top-1 alone? Two sentences.""",
    answer=(
        "Each image carries one label, but many photos hold several objects, and the 1000 "
        "classes include near-twins (over a hundred dog breeds): a net whose first guess is "
        "another object in the photo, or a neighbouring breed, is not wrong in a useful sense. "
        "Top-5 forgives those plausible alternatives and so measures recognition rather than "
        "luck in matching the annotator's single label; top-1 is reported beside it as the "
        "stricter figure."
    ),
)
