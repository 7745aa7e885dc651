"""Exercises of notebook 03 (VGG)."""

from __future__ import annotations

import functools

import keras

from cnn_keras import analysis, build_model
from cnn_keras.exercises import block_exercise, exercise, explanation, mistake, prediction
from cnn_keras.layers import conv_bn_act


@functools.cache
def _features(name: str) -> keras.Model:
    """The convolutional part (``include_top=False``) at 224x224: quick to build, shared."""
    return build_model(name, include_top=False)


@exercise("03.1", "MACs of VGG16's conv3_2 at 224x224")
def conv3_2_macs() -> int:
    return analysis.layer_macs(_features("vgg16").get_layer("conv3_2"))


@mistake("03.1", "conv3_1's count: it sees conv2_2's 128 channels, conv3_2 sees 256")
def conv3_1_macs() -> int:
    return analysis.layer_macs(_features("vgg16").get_layer("conv3_1"))


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


@mistake("03.3", "VGG16's pool5 field; VGG19 has one more conv in stages 3, 4 and 5")
def vgg16_pool5_receptive_field() -> int:
    return analysis.receptive_field(_features("vgg16"), "pool5")[0]


@exercise("03.4", "% more MACs in VGG19's conv part than VGG16's at 224", rel_tol=0.002)
def vgg19_extra_macs_percent() -> float:
    macs16, macs19 = (analysis.count_macs(_features(name)) for name in ("vgg16", "vgg19"))
    return 100 * (macs19 / macs16 - 1)


@mistake("03.4", "the whole nets' percentage; the question asks for the conv parts")
def vgg19_extra_macs_percent_whole() -> float:
    # The head (fc6, fc7, fc8 on pool5's 7x7x512) is the same in both nets.
    inputs = keras.Input((7, 7, 512))
    x = keras.layers.Flatten()(inputs)
    for units in (4096, 4096, 1000):
        x = keras.layers.Dense(units)(x)
    head = analysis.count_macs(keras.Model(inputs, x))
    macs16, macs19 = (analysis.count_macs(_features(name)) + head for name in ("vgg16", "vgg19"))
    return 100 * (macs19 / macs16 - 1)


@exercise("03.5", "MB of VGG19's conv-part activations at 224 (float32)", rel_tol=0.01)
def vgg19_activation_megabytes() -> float:
    return analysis.activation_memory(_features("vgg19")) / 1e6


@block_exercise("03.6", "a VGG stage", input_shape=(16, 16, 64))
def vgg_stage(x: keras.KerasTensor) -> keras.KerasTensor:
    """**03.6** (implement it) Write `stage(x)`, VGG's stage 2: two 3x3 convs of 128 filters,
    stride 1, "same" padding, with biases, each followed by a ReLU, then a 2x2 max pool with
    stride 2. Check it with `exercises.check_block("03.6", stage)`: it is built on a 16x16x64
    input (conv1_2's output, smaller) and compared with the layers of `build_model("vgg16")`."""
    for index in (1, 2):
        x = conv_bn_act(x, 128, 3, batch_norm=False, name=f"conv2_{index}")
    return keras.layers.MaxPooling2D(2, strides=2, name="pool2")(x)


def _first_layers(kernel: int, layers: int) -> keras.Model:
    """``layers`` convs of ``kernel`` on a 3-channel image, 64 filters each, no biases."""
    inputs = keras.Input((32, 32, 3))
    x = inputs
    for _ in range(layers):
        x = keras.layers.Conv2D(64, kernel, padding="same", use_bias=False)(x)
    return keras.Model(inputs, x)


@prediction(
    "03.7",
    "one 7x7 against three 3x3 on the RGB image",
    choices={
        "a": "the single 7x7 conv, as with C channels in and out (49C^2 against 27C^2)",
        "b": "the stack of three 3x3 convs",
        "c": "the same",
    },
    why=(
        "The stack, eight times over: 75,456 weights against 9,408. The 27C^2 against 49C^2 "
        "count assumes C channels in and out of every layer. On the image only the first 3x3 "
        "sees 3 channels (9 x 3 x 64 = 1,728); the other two map 64 channels to 64 (36,864 "
        "each), while the 7x7 sees the 3 channels alone: 49 x 3 x 64. A large filter is cheap "
        "on a thin input: one reason GoogLeNet and ResNet can afford a 7x7 on the image, and "
        "why the stack that later replaced ResNet's (ResNet-C in 'Bag of Tricks', He et al. "
        "2019) keeps its first 3x3s narrow, 32 filters."
    ),
)
def first_layer_filter() -> str:
    """**03.7** (predict, then measure) On the RGB image, a first layer of 64 filters: one
    7x7 conv (3 -> 64 channels), or three 3x3 convs in a row (3 -> 64 -> 64 -> 64), no biases.
    Which has more parameters? Predict, then build both on a 32x32x3 input and print
    `analysis.count_params(model).total` and `analysis.receptive_field(model)` of each."""
    seven = analysis.count_params(_first_layers(7, 1)).total
    three = analysis.count_params(_first_layers(3, 3)).total
    return "a" if seven > three else "b" if three > seven else "c"


explanation(
    "03.8",
    "what a stack of 3x3 convs gives besides fewer weights",
    question="""**03.8** (explain) Three stacked 3x3 convs see what one 7x7 sees, with fewer
    weights. What else do they give, according to the VGG paper, and what do they cost?""",
    answer=(
        "Three ReLUs instead of one, which makes the decision function more discriminative "
        "(section 2.3); the paper also reads the stack as a 7x7 filter forced to decompose "
        "into 3x3 ones with non-linearities between them, a kind of regularization. The cost: "
        "three layers of activations to compute and keep in memory for training instead of one."
    ),
)
