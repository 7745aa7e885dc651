"""Exercises of notebook 05 (ResNet)."""

from __future__ import annotations

import functools

import keras

from cnn_keras import analysis, build_model
from cnn_keras.exercises import block_exercise, exercise, explanation, mistake, prediction
from cnn_keras.models.resnet import basic_block, bottleneck_block


def _block_model(channels: int, make_block, side: int = 56) -> keras.Model:
    inputs = keras.Input((side, side, channels))
    return keras.Model(inputs, make_block(inputs))


@functools.cache
def _model(name: str, **kwargs) -> keras.Model:
    return build_model(name, **kwargs)


def _bottleneck() -> keras.Model:
    return _block_model(256, lambda x: bottleneck_block(x, 64, 256, use_bias=False, name="b"))


@exercise("05.1", "conv weights of a bottleneck block 256 -> 64 -> 64 -> 256 (no biases)")
def bottleneck_conv_weights() -> int:
    convs = [layer for layer in _bottleneck().layers if isinstance(layer, keras.layers.Conv2D)]
    return sum(analysis.count_params(conv).total for conv in convs)


@mistake("05.1", "the count with batch norm's scales and shifts; leave BN out")
def bottleneck_trainable() -> int:
    return analysis.count_params(_bottleneck()).trainable


@exercise("05.2", "MACs of one basic block of 64 filters on a 56x56 map")
def basic_block_macs() -> int:
    return analysis.count_macs(_block_model(64, lambda x: basic_block(x, 64, name="basic")))


@mistake("05.2", "one conv's count; the block has two")
def one_conv_macs() -> int:
    return basic_block_macs() // 2


@exercise("05.3", "MACs of ResNet-50 with the stride on the 3x3 conv (v1.5) at 224x224")
def resnet50_v1_5_macs() -> int:
    return analysis.count_macs(_model("resnet50", stride_in_1x1=False))


@mistake("05.3", "the count with the stride on the first 1x1 conv (the paper's, v1)")
def resnet50_v1_macs() -> int:
    return analysis.count_macs(_model("resnet50"))


@exercise(
    "05.4",
    "trainable parameters ResNet-50 has beyond ResNet-34",
    why=(
        "The parameters grow faster: about 17 % more against about 5 % more multiply-adds. The "
        "bottleneck block explains both. Its 1x1 reduction keeps the 3x3 conv as narrow as in "
        "ResNet-34 (64 to 512 channels), so the computation barely grows; but its outputs are "
        "four times wider (256 to 2048 channels), and the 1x1 convs and projections on those "
        "wide tensors add weights, most of them in the late stages, where the 14x14 and 7x7 "
        "maps make each weight cheap to apply. The wider last stage also makes the final FC "
        "layer four times larger (2048 x 1000)."
    ),
)
def resnet50_minus_resnet34() -> int:
    deeper, shallower = _model("resnet50"), _model("resnet34")
    return analysis.count_params(deeper).trainable - analysis.count_params(shallower).trainable


@mistake("05.4", "the difference of the totals; the question asks for trainable parameters")
def resnet50_minus_resnet34_total() -> int:
    deeper, shallower = _model("resnet50"), _model("resnet34")
    return analysis.count_params(deeper).total - analysis.count_params(shallower).total


@block_exercise("05.5", "a basic residual block", input_shape=(8, 8, 64))
def residual_basic(x: keras.KerasTensor) -> keras.KerasTensor:
    """**05.5** (implement it) Write `block(x)`, a basic block of 64 filters with an identity
    shortcut: a 3x3 conv (64, "same", no bias), batch norm, ReLU; a 3x3 conv (64, "same", no
    bias), batch norm; add `x`; ReLU. Check it with `exercises.check_block("05.5", block)`: it
    is built on an 8x8x64 input and compared with the package's `basic_block`."""
    return basic_block(x, 64, name="block")


@block_exercise("05.6", "a bottleneck residual block", input_shape=(8, 8, 256))
def residual_bottleneck(x: keras.KerasTensor) -> keras.KerasTensor:
    """**05.6** (implement it) Write `block(x)`, a bottleneck block of conv2_x with an identity
    shortcut on 256 channels: a 1x1 conv to 64 channels, a 3x3 conv (64, "same"), a 1x1 conv
    back to 256, each without bias and followed by batch norm, a ReLU after the first two;
    add `x`, then a ReLU. Check it with `exercises.check_block("05.6", block)`: it is built on
    an 8x8x256 input and compared with the package's `bottleneck_block`."""
    return bottleneck_block(x, 64, 256, use_bias=False, name="block")


SHORTCUT_SHARES = {"a": 0.0, "b": 0.1, "c": 0.5, "d": float("inf")}


def _downsampling_params(shortcut: str | None) -> int:
    """A basic block of conv3_1: 56x56x64 in, 128 filters, stride 2."""
    block = _block_model(64, lambda x: basic_block(x, 128, stride=2, shortcut=shortcut, name="b"))
    return analysis.count_params(block).total


@prediction(
    "05.7",
    "what a projection shortcut costs",
    choices={
        "a": "nothing: a shortcut is an addition",
        "b": "under 10 % of the block without it",
        "c": "between 10 % and 50 %",
        "d": "more than half",
    },
    why=(
        "Under 10 %: 8,704 parameters on the block's 222,208, 3.9 %. The projection is a 1x1 "
        "conv, a ninth of a 3x3's weights per channel pair, and it reads the 64 input "
        "channels where the second 3x3 reads 128: 64 x 128 weights and BN's 4 x 128, against "
        "9 x 64 x 128 and 9 x 128 x 128 for the convs. ResNet-34 has three such blocks, so "
        "option B costs it under 1 % of its parameters; the paper's Table 3 found B only "
        "slightly better than the free option A, and concluded that projections are not "
        "essential to the degradation problem."
    ),
)
def projection_cost() -> str:
    """**05.7** (predict, then measure) ResNet-34's conv3_1 block halves the map and doubles
    the width, 56x56x64 to 28x28x128, so its shortcut is a 1x1 projection conv with batch
    norm (option B). What does the shortcut add to the block's parameters? Predict, then
    compare `analysis.count_params` of `basic_block(x, 128, stride=2, name="b")` and
    `basic_block(x, 128, stride=2, shortcut=None, name="b")`, each built as a model."""
    plain = _downsampling_params(None)
    share = (_downsampling_params("projection") - plain) / plain
    return next(letter for letter, bound in SHORTCUT_SHARES.items() if share <= bound)


explanation(
    "05.8",
    "what the identity does and does not guarantee",
    question="""**05.8** (explain) For y = x + F(x), the gradient is dL/dx = dL/dy (1 + dF/dx). The
    lecture reads this as "each block passes back a gradient of at least 1". Why is that not a
    guarantee, and what does the identity guarantee instead?""",
    answer=(
        "dF/dx is a matrix (the Jacobian of the residual branch), not a number: 1 + dF/dx can "
        "shrink the gradient along directions where dF/dx is close to -1, and the ReLU after "
        "the addition zeroes it wherever the sum is negative. What the identity does give is a "
        "path whose Jacobian is exactly the identity, so the gradient reaching the first "
        "layers never has to be a product of every layer's weights, the product that vanishes "
        "or explodes in a deep plain net. The measured gradient ratios show a tendency (the "
        "residual net's first layers get far more of the gradient), not a floor."
    ),
)
