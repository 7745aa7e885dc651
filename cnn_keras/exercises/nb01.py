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


def _layer_params(model: keras.Model) -> dict[str, int]:
    return {layer.name: layer.count_params() for layer in model.layers if layer.weights}


@prediction(
    "01.7",
    "AlexNet's parameters at 224x224",
    choices={
        "a": "the same: a layer's weights do not depend on the image's size",
        "b": "fewer, in every conv layer and in fc6",
        "c": "fewer, in fc6 only",
        "d": "none: it cannot be built, since (224 - 11) / 4 + 1 is not a whole number",
    },
    why=(
        "Fewer, in fc6 only. A conv layer's weights are its filters, whatever the size of the "
        "map they slide over, so conv1 to conv5 keep theirs. Keras does not refuse 224: it "
        "drops the last pixels that a stride-4 window cannot reach, and the maps come out "
        "54, 26, 12 and 5 pixels wide instead of 55, 27, 13 and 6. fc6 connects every value "
        "of the last map: 5x5x256 = 6,400 inputs instead of 9,216, so it loses about 11.5 "
        "million weights. A dense head ties a net to one input size; the global average "
        "pooling of later nets (GoogLeNet, ResNet) unties it."
    ),
)
def parameters_at_224() -> str:
    """**01.7** (predict, then measure) Build AlexNet for the paper's stated 224x224 input
    instead of 227x227: `build_model("alexnet", input_shape=(224, 224, 3))`. How do its
    parameters change? Predict, then compare the two nets layer by layer with
    `layer.count_params()`."""
    try:
        small = build_model("alexnet", input_shape=(224, 224, 3))
    except ValueError:
        return "d"
    ours, theirs = _layer_params(_alexnet()), _layer_params(small)
    changed = {name for name in ours if ours[name] != theirs[name]}
    if not changed:
        return "a"
    if changed == {"fc6"} and theirs["fc6"] < ours["fc6"]:
        return "c"
    return "b"


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
