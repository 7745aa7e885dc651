"""Exercises of notebook 01 (AlexNet)."""

from __future__ import annotations

import functools

import keras
import numpy as np

from cnn_keras import analysis, build_model, tables
from cnn_keras.exercises import block_exercise, exercise, explanation, mistake, prediction
from cnn_keras.layers import LocalResponseNormalization


@functools.cache
def _alexnet(groups: int = 2) -> keras.Model:
    return build_model("alexnet", groups=groups)


def _conv2_params(groups: int, use_bias: bool = True) -> int:
    layer = keras.layers.Conv2D(256, 5, padding="same", groups=groups, use_bias=use_bias)
    layer.build((None, 27, 27, 96))
    return layer.count_params()


@exercise("01.1", "parameters of conv2 in one tower")
def conv2_one_tower() -> int:
    return _alexnet(groups=1).get_layer("conv2").count_params()


@mistake("01.1", "the count without the biases")
def conv2_one_tower_weights() -> int:
    return _conv2_params(groups=1, use_bias=False)


@mistake("01.1", "the two-tower count (groups=2: each filter sees 48 channels)")
def conv2_two_towers() -> int:
    return _conv2_params(groups=2)


@exercise("01.2", "parameters the two-GPU split saves")
def split_saving() -> int:
    one = analysis.count_params(_alexnet(groups=1)).total
    two = analysis.count_params(_alexnet(groups=2)).total
    return one - two


@exercise("01.3", "MACs of conv1 for one 227x227 image")
def conv1_macs() -> int:
    return analysis.layer_macs(_alexnet().get_layer("conv1"))


@mistake("01.3", "the count at 224x224, where conv1's map would be 54x54, not 55x55")
def conv1_macs_at_224() -> int:
    inputs = keras.Input((224, 224, 3))
    conv = keras.layers.Conv2D(96, 11, strides=4)(inputs)
    return analysis.count_macs(keras.Model(inputs, conv))


@exercise("01.4", "LRN of a channel among equal neighbours", rel_tol=0.002)
def lrn_of_equal_channels() -> float:
    a = np.full((1, 1, 1, 9), 100.0, "float32")
    return float(keras.ops.convert_to_numpy(LocalResponseNormalization()(a))[0, 0, 0, 4])


@exercise("01.5", "relative top-5 error reduction of the 7-CNN ensemble, in %", rel_tol=0.01)
def ensemble_reduction() -> float:
    rows = tables.read_table(tables.table_file("alexnet_table2.csv"))
    top5 = {row["model"]: float(row["top5_val"]) for row in rows if row["top5_val"]}
    return 100 * (top5["1 CNN"] - top5["7 CNNs*"]) / top5["1 CNN"]


@block_exercise("01.6", "Local Response Normalization", input_shape=(4, 4, 16), input_scale=100)
def lrn(x: keras.KerasTensor) -> keras.KerasTensor:
    """**01.6** (implement it) Write `lrn(x)` with `keras.ops` only: the paper's LRN divides each
    channel c by `(k + alpha * S) ** beta`, where S sums the squares of the n = 5 channels
    c-2 ... c+2 (those that exist), with k = 2, alpha = 1e-4, beta = 0.75. Hint: pad the
    squares with two zero channels on each side (`keras.ops.pad`) and add five slices. Check it
    with `exercises.check_block("01.6", lrn)`: it runs on 4x4x16 inputs of standard deviation
    100 (small inputs leave the denominator near `2 ** 0.75` whatever the sum), against the
    package's `layers.LocalResponseNormalization`."""
    return LocalResponseNormalization(name="lrn")(x)


LAYER_CHOICES = {"a": "conv1", "b": "conv3", "c": "fc6", "d": "fc8"}


@prediction(
    "01.7",
    "the layer that holds the most parameters",
    choices=LAYER_CHOICES,
    why=(
        "fc6. It connects the 6x6x256 map after pool5 (9,216 values) to 4,096 units: about 38 "
        "million weights, more than half of the network. The five conv layers together hold "
        "under 4 % of the parameters but do over 90 % of the multiply-adds: convs cost "
        "computation, fully connected layers cost memory. Later nets (GoogLeNet, ResNet) "
        "replace this head with global average pooling."
    ),
)
def most_parameters() -> str:
    """**01.7** (predict, then measure) Which of these layers of AlexNet holds the most
    parameters? Predict, then print `analysis.format_table(analysis.layer_table(model))` for
    `model = build_model("alexnet")` and read the params column."""
    counts = {name: _alexnet().get_layer(name).count_params() for name in LAYER_CHOICES.values()}
    best = max(counts, key=counts.get)
    return next(letter for letter, name in LAYER_CHOICES.items() if name == best)


explanation(
    "01.8",
    "why ReLU rather than tanh",
    question="""**01.8** (explain) AlexNet uses ReLU, max(0, x), where earlier nets used tanh.
    What does that change in training, and what did the paper measure? Two sentences.""",
    answer=(
        "tanh saturates: for inputs far from zero its gradient is nearly 0, so the weights "
        "before it learn slowly; ReLU does not saturate for positive inputs (its gradient there "
        "is 1) and is cheap to compute. The paper's Figure 1: a four-layer CNN with ReLUs "
        "reached 25 % training error on CIFAR-10 six times faster than the same net with tanh, "
        "and that speed is what made a net this large trainable on 1.2 million images in five "
        "to six days on two GPUs."
    ),
)
