"""Exercises of notebook 08 (ResNeXt, DenseNet, MobileNets)."""

from __future__ import annotations

import functools
import math

import keras

from cnn_keras import analysis, build_model
from cnn_keras.exercises import block_exercise, exercise, explanation, mistake, prediction
from cnn_keras.models.densenet import dense_layer
from cnn_keras.models.mobilenet import depthwise_separable_block
from cnn_keras.models.resnet import bottleneck_block
from cnn_keras.models.resnext import resnext

GROUPINGS = ((32, 4), (64, 2))


def _grouped_3x3(cardinality: int, bottleneck_width: int) -> keras.layers.Layer:
    """The grouped 3x3 conv of ResNeXt-50's first block (conv2, 56x56, 64 channels in) at
    ``cardinality`` x ``bottleneck_width``, built alone."""
    inputs = keras.Input((56, 56, 64))
    block = bottleneck_block(
        inputs,
        cardinality * bottleneck_width,
        256,
        groups=cardinality,
        stride_in_1x1=False,
        use_bias=False,
        name="conv2_block1",
    )
    return keras.Model(inputs, block).get_layer("conv2_block1_2")


@exercise(
    "08.1",
    "parameters of conv2's grouped 3x3 conv at 32x4d and at 64x2d",
    parts=("at 32x4d", "at 64x2d"),
)
def grouped_conv_params() -> tuple[int, int]:
    return tuple(_grouped_3x3(c, d).count_params() for c, d in GROUPINGS)


@mistake("08.1", "the count of an ungrouped 3x3 conv (one group of 128 channels)")
def ungrouped_conv_params() -> tuple[int, int]:
    return tuple(_grouped_3x3(1, c * d).count_params() for c, d in GROUPINGS)


@functools.cache
def _resnext(cardinality: int, bottleneck_width: int) -> keras.Model:
    return resnext(
        cardinality=cardinality,
        bottleneck_width=bottleneck_width,
        name=f"resnext50_{cardinality}x{bottleneck_width}d",
    )


@exercise(
    "08.2",
    "trainable parameters and MACs of ResNeXt-50 (64x2d) at 224x224",
    parts=("trainable parameters", "MACs"),
    why=(
        "A little cheaper than 32x4d, in parameters and in multiply-adds. Both have the same "
        "bottleneck width (64 x 2 = 32 x 4 = 128 channels in conv2), so every 1x1 conv is "
        "unchanged; only the grouped 3x3 differs, and a grouped conv costs (channels x d x 9) "
        "per position: halving d halves it. The 3x3s are a small share of a ResNeXt block, so "
        "the whole net moves by a few percent. The paper itself compares cardinalities at equal "
        "cost (its Table 2), widening the bottleneck as the groups get thinner."
    ),
)
def resnext50_64x2d() -> tuple[int, int]:
    net = _resnext(64, 2)
    return analysis.count_params(net).trainable, analysis.count_macs(net)


@mistake("08.2", "the count with batch norm's moving statistics, which are not trainable")
def resnext50_64x2d_total() -> tuple[int | None, int | None]:
    return analysis.count_params(_resnext(64, 2)).total, None


def _separable_over_full(kernel: int) -> float:
    inputs = keras.Input((14, 14, 512))
    full = keras.layers.Conv2D(512, kernel, padding="same", use_bias=False)(inputs)
    depthwise = keras.layers.DepthwiseConv2D(kernel, padding="same", use_bias=False)(inputs)
    separable = keras.layers.Conv2D(512, 1, use_bias=False)(depthwise)
    return analysis.count_macs(keras.Model(inputs, separable)) / analysis.count_macs(
        keras.Model(inputs, full)
    )


@exercise("08.3", "separable over full cost for a 5x5 kernel, 512 to 512 channels", rel_tol=0.005)
def separable_ratio_5x5() -> float:
    return _separable_over_full(5)


@mistake("08.3", "the ratio for a 3x3 kernel, 1/N + 1/9; this one is 5x5")
def separable_ratio_3x3() -> float:
    return _separable_over_full(3)


@exercise("08.4", "channels at the end of DenseNet-169's last dense block")
def densenet169_channels() -> int:
    net = build_model("densenet169")
    return int(net.get_layer("conv5_block32_concat").output.shape[-1])


@exercise("08.5", "input size where alpha 1.0 costs what alpha 0.75 costs at 224", rel_tol=0.01)
def matched_resolution() -> float:
    # Cost falls about as the square of the input size: solve (s / 224)**2 * full = thin.
    full, thin = (
        analysis.count_macs(build_model("mobilenet", alpha=alpha)) for alpha in (1.0, 0.75)
    )
    return 224 * math.sqrt(thin / full)


@block_exercise("08.6", "a depthwise separable block", input_shape=(8, 8, 64))
def separable(x: keras.KerasTensor) -> keras.KerasTensor:
    """**08.6** (implement it) Write `block(x)`, MobileNet's depthwise separable block from 64
    to 128 channels: a 3x3 `DepthwiseConv2D` ("same", no bias), batch norm, ReLU6
    (`keras.layers.ReLU(6.0)`); then a 1x1 conv of 128 filters (no bias), batch norm, ReLU6.
    Check it with `exercises.check_block("08.6", block)`: an 8x8x64 input, against the
    package's `depthwise_separable_block`."""
    return depthwise_separable_block(x, 128, block_id=1)


@block_exercise("08.7", "a DenseNet-BC layer", input_shape=(8, 8, 64))
def dense_bc_layer(x: keras.KerasTensor) -> keras.KerasTensor:
    """**08.7** (implement it) Write `layer(x)`, one layer of a DenseNet-BC dense block with
    growth rate k = 32: batch norm (epsilon 1.001e-5), ReLU, a 1x1 conv of 4k = 128 filters;
    batch norm (same epsilon), ReLU, a 3x3 conv of k = 32 filters ("same"); convs without bias;
    then concatenate `[x, new]` by depth (the input first). Check it with
    `exercises.check_block("08.7", layer)`: an 8x8x64 input, against the package's
    `dense_layer`."""
    return dense_layer(x, 32, name="dense")


@prediction(
    "08.8",
    "where a depthwise separable conv spends its multiply-adds",
    choices={
        "a": "mostly in the depthwise 3x3 conv",
        "b": "mostly in the pointwise 1x1 conv",
        "c": "about half in each",
    },
    why=(
        "In the 1x1 pointwise conv, by far: per position the depthwise conv costs 3 x 3 x 512 "
        "multiply-adds and the pointwise 512 x 512, 57 times more. The MobileNet paper "
        "(Table 2) finds 95 % of the whole network's computation in 1x1 convs, which is good "
        "news: a 1x1 conv is a matrix product, the operation every library makes fastest."
    ),
)
def separable_split() -> str:
    """**08.8** (predict, then measure) A depthwise separable conv from 512 to 512 channels on a
    14x14 map: a 3x3 depthwise conv, then a 1x1 conv. Where do its multiply-adds go? Predict,
    then print `analysis.layer_macs` of each of the two layers."""
    inputs = keras.Input((14, 14, 512))
    depthwise = keras.layers.DepthwiseConv2D(3, padding="same", use_bias=False)
    pointwise = keras.layers.Conv2D(512, 1, use_bias=False)
    keras.Model(inputs, pointwise(depthwise(inputs)))
    share = analysis.layer_macs(pointwise) / (
        analysis.layer_macs(depthwise) + analysis.layer_macs(pointwise)
    )
    return "b" if share > 0.6 else "a" if share < 0.4 else "c"


explanation(
    "08.9",
    "concatenation in DenseNet against addition in ResNet",
    question="""**08.9** (explain) A ResNet block adds its output to its input; a DenseNet layer
    concatenates them. What does concatenation buy, and what does it cost?""",
    answer=(
        "Every layer sees the feature maps of all earlier layers of its block unchanged, not "
        "mixed into one sum, so features are reused instead of relearned and each layer can be "
        "narrow: it adds only k = 32 channels. DenseNet-121 has about 8 million parameters "
        "against ResNet-50's 25.6 million for similar accuracy. The cost: each layer's input "
        "grows by k channels per earlier layer, so DenseNet needs the 1x1 bottleneck (4k) "
        "before each 3x3 and transitions that halve the channels, and the many concatenated "
        "maps take much memory in training."
    ),
)
