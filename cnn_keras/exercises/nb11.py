"""Exercises of notebook 11 (after 2017: NiN, pre-activation ResNet, Wide ResNet, SENet,
MobileNetV2, EfficientNet)."""

from __future__ import annotations

import functools
import math

import keras

from cnn_keras import analysis, build_model
from cnn_keras.attention import squeeze_excite
from cnn_keras.exercises import block_exercise, exercise, explanation, mistake, prediction
from cnn_keras.models.efficientnet import compound_scaling
from cnn_keras.models.mobilenet_v2 import inverted_residual_block
from cnn_keras.models.wide_resnet import wide_resnet


def _nin_head(use_bias: bool) -> int:
    inputs = keras.Input((8, 8, 192))
    head = keras.layers.Dense(10, use_bias=use_bias)(keras.layers.Flatten()(inputs))
    return analysis.count_params(keras.Model(inputs, head)).total


@exercise("11.1", "parameters of one FC layer from NiN's flattened 8x8x192 map to 10 classes")
def nin_fc_head() -> int:
    return _nin_head(use_bias=True)


@mistake("11.1", "the count without the biases")
def nin_fc_head_weights() -> int:
    return _nin_head(use_bias=False)


def _se_block() -> keras.Model:
    inputs = keras.Input((14, 14, 256))
    return keras.Model(inputs, squeeze_excite(inputs, 16, name="se"))


@exercise("11.2", "parameters of an SE block (r = 16) on 256 channels")
def se_block_params() -> int:
    return analysis.count_params(_se_block()).total


@mistake("11.2", "the count without the biases")
def se_block_weights() -> int:
    return sum(
        math.prod(layer.kernel.shape) for layer in _se_block().layers if hasattr(layer, "kernel")
    )


@functools.cache
def _wrn16_8_params():
    return analysis.count_params(wide_resnet(depth=16, widen_factor=8, name="wrn16_8"))


@exercise("11.3", "trainable parameters of WRN-16-8")
def wrn16_8_params() -> int:
    return _wrn16_8_params().trainable


@mistake("11.3", "the count with batch norm's moving statistics, which are not trainable")
def wrn16_8_total() -> int:
    return _wrn16_8_params().total


@exercise("11.4", "EfficientNet's FLOPs factor at phi = 2", rel_tol=0.005)
def compound_flops_phi2() -> float:
    return compound_scaling(2).flops


@mistake("11.4", "2 ** phi, the rule's target; the bases themselves give a little less")
def compound_flops_target() -> float:
    return 2.0**2


def _inverted_residual() -> keras.Model:
    inputs = keras.Input((56, 56, 24))
    block = inverted_residual_block(inputs, 24, expansion=6, stride=1, name="block")
    return keras.Model(inputs, block)


@exercise("11.5", "MACs of an inverted residual block, 56x56x24, expansion 6")
def inverted_residual_macs() -> int:
    return analysis.count_macs(_inverted_residual())


@mistake("11.5", "the two 1x1 convs alone; the depthwise 3x3 costs too")
def inverted_residual_pointwise_macs() -> int:
    block = _inverted_residual()
    return sum(analysis.layer_macs(block.get_layer(f"block_{p}")) for p in ("expand", "project"))


@block_exercise("11.6", "a squeeze-and-excitation block", input_shape=(8, 8, 64))
def se_block(x: keras.KerasTensor) -> keras.KerasTensor:
    """**11.6** (implement it) Write `se(x)`, a squeeze-and-excitation block with r = 16 on 64
    channels: global average pooling to one value per channel, a fully connected layer to
    64 / 16 = 4 units with ReLU, one back to 64 units with a sigmoid (both with biases), and
    `x` multiplied channel by channel by those 64 weights. `Dense` layers or 1x1 convs both
    work (`GlobalAveragePooling2D(keepdims=True)` keeps a 1x1 map). Check it with
    `exercises.check_block("11.6", se)`: an 8x8x64 input, against the package's
    `squeeze_excite`."""
    return squeeze_excite(x, 16, name="se")


@block_exercise("11.7", "an inverted residual block", input_shape=(8, 8, 24))
def inverted_residual(x: keras.KerasTensor) -> keras.KerasTensor:
    """**11.7** (implement it) Write `block(x)`, MobileNetV2's inverted residual block on 24
    channels with expansion 6: a 1x1 conv to 144 channels, batch norm, ReLU6; a 3x3
    `DepthwiseConv2D` ("same", stride 1), batch norm, ReLU6; a 1x1 conv back to 24 channels and
    batch norm with **no activation** (the linear bottleneck); add `x`. Convs without bias.
    Check it with `exercises.check_block("11.7", block)`: an 8x8x24 input, against the
    package's `inverted_residual_block`."""
    return inverted_residual_block(x, 24, expansion=6, name="block")


@functools.cache
def _macs(name: str) -> int:
    return analysis.count_macs(build_model(name))


@prediction(
    "11.8",
    "MobileNet against MobileNetV2 in multiply-adds",
    choices={
        "a": "MobileNet (v1) needs more",
        "b": "MobileNetV2 needs more: its blocks expand 6 times",
        "c": "about the same",
    },
    why=(
        "MobileNet v1 needs about twice as many (the V2 paper: 575 M against 300 M "
        "multiply-adds), and V2 is more accurate. V2's blocks expand six times, but only "
        "inside the block, where the work is depthwise and cheap; between blocks the tensors "
        "stay thin (16 to 320 channels), so the 1x1 convs, which carry most of the cost, act on "
        "narrow inputs or outputs. V1 keeps all its tensors as wide as its convs (up to 1024 "
        "channels)."
    ),
)
def v1_or_v2() -> str:
    """**11.8** (predict, then measure) At 224x224 and width 1.0, which needs more
    multiply-adds: MobileNet or MobileNetV2? Predict, then print
    `analysis.count_macs(build_model(name))` for `"mobilenet"` and `"mobilenet_v2"`."""
    ratio = _macs("mobilenet") / _macs("mobilenet_v2")
    return "a" if ratio > 1.2 else "b" if ratio < 1 / 1.2 else "c"


explanation(
    "11.9",
    "why the inverted residual's last conv is linear",
    question="""**11.9** (explain) In MobileNetV2's block the 1x1 projection back to the thin
    tensor has batch norm but no ReLU. Why?""",
    answer=(
        "The thin tensor between blocks is a low-dimensional bottleneck, and a ReLU there "
        "destroys information: every channel it sets to zero is lost, and with few channels "
        "little redundancy remains to recover it (the paper's section 3.2 and Figure 1, where "
        "a spiral embedded in few dimensions and passed through ReLU collapses). Inside the "
        "expanded block a ReLU is harmless, because the information is spread over many "
        "channels. The paper measures it: the linear bottleneck is more accurate than a ReLU "
        "one (Figure 6a)."
    ),
)
