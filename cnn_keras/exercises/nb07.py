"""Exercises of notebook 07 (Inception-v4 and Inception-ResNet)."""

from __future__ import annotations

import math

import keras
import numpy as np

from cnn_keras import analysis
from cnn_keras.exercises import block_exercise, exercise, explanation, mistake, prediction
from cnn_keras.models.inception_resnet import CONFIGS, inception_resnet, inception_resnet_block


def _block17_conv(config: str, channels: int) -> keras.layers.Layer:
    """The linear 1x1 conv of a 17x17 block (``block17_1_conv``), the block built alone at
    the network's 299x299 shapes: 17x17 with ``channels``."""
    inputs = keras.Input((17, 17, channels))
    block = inception_resnet_block(inputs, CONFIGS[config].block_b, scale=0.1, name="block17_1")
    return keras.Model(inputs, block).get_layer("block17_1_conv")


@exercise("07.1", "parameters of Inception-ResNet-v1's block17 linear 1x1 conv")
def v1_block17_conv_params() -> int:
    return _block17_conv("v1", 896).count_params()


@mistake("07.1", "the count without the biases")
def v1_block17_conv_weights() -> int:
    return math.prod(_block17_conv("v1", 896).kernel.shape)


BLOCKS = 20
SCALES = (1.0, 0.1)


@exercise(
    "07.2",
    "std after 20 blocks, unscaled and at scale 0.1 (variances add)",
    rel_tol=0.01,
    parts=("unscaled", "scaled"),
)
def std_after_twenty_blocks() -> tuple[float, float]:
    # Input std 1; each block adds an independent residual of std 1 times the scale, so the
    # variance after n blocks is 1 + n * scale**2 (the ReLU after each sum left out).
    return tuple(math.sqrt(1 + BLOCKS * scale**2) for scale in SCALES)


@mistake("07.2", "the variance; the question asks for the standard deviation")
def variance_after_twenty_blocks() -> tuple[float, float]:
    return tuple(1 + BLOCKS * scale**2 for scale in SCALES)


@exercise("07.3", "MACs of Inception-ResNet-v2's block17 linear 1x1 conv at 299x299")
def v2_block17_conv_macs() -> int:
    return analysis.layer_macs(_block17_conv("v2", 1088))


@exercise(
    "07.4",
    "parameters and MACs of the paper's Inception-ResNet-v2 (config='v2_paper')",
    parts=("parameters", "MACs"),
)
def v2_paper_costs() -> tuple[int, int]:
    net = inception_resnet(config="v2_paper", name="inception_resnet_v2_paper")
    return analysis.count_params(net).total, analysis.count_macs(net)


@block_exercise("07.5", "an Inception-ResNet-A block", input_shape=(8, 8, 256))
def block35(x: keras.KerasTensor) -> keras.KerasTensor:
    """**07.5** (implement it) Write `block(x)`, Inception-ResNet-v1's 35x35 block (the paper's
    Figure 10) on 256 channels. Three branches, concatenated in this order: a 1x1 conv (32);
    a 1x1 (32) then a 3x3 (32); a 1x1 (32), a 3x3 (32), a 3x3 (32). Each conv: "same", no
    bias, `BatchNormalization(scale=False)`, ReLU. Then a linear 1x1 conv back to 256 channels
    with a bias (no BN, no activation), scaled by 0.17 and added to `x`, then a ReLU. Check it
    with `exercises.check_block("07.5", block)` (an 8x8x256 input; the package's
    `inception_resnet_block`). `keras.layers.Rescaling(0.17)` scales a tensor."""
    return inception_resnet_block(x, CONFIGS["v1"].block_a, scale=0.17, name="block35")


def _block_a(scale: float) -> keras.Model:
    inputs = keras.Input((8, 8, 64))
    block = inception_resnet_block(
        inputs, CONFIGS["v1"].block_a, scale=scale, width_multiplier=0.5, name="a"
    )
    return keras.Model(inputs, block)


@prediction(
    "07.6",
    "the scale against a smaller linear 1x1 conv",
    choices={
        "a": "the same outputs, to rounding",
        "b": "different outputs: the batch norms in the branches undo the smaller weights",
        "c": "different outputs: the ReLU after the sum is not linear",
    },
    why=(
        "The same. Nothing lies between the linear 1x1 conv and the scaling, so "
        "s (Wz + b) = (sW) z + sb, z being the branches' concatenation; the batch norms sit "
        "inside the branches, before the 1x1, and the ReLU after the sum sees the same sum "
        "either way. So the scale adds nothing a net could not compute, and takes nothing "
        "away. What it changes is training: the block starts close to the identity, and a "
        "step of a given size on the 1x1's weights moves the residual only s times as far, "
        "at every step, not only at the start."
    ),
)
def scale_as_weights() -> str:
    """**07.6** (predict, then measure) An Inception-ResNet-A block at scale 0.1, and the same
    block at scale 1.0 with the same weights, except that its linear 1x1 conv's (`a_conv`)
    kernel and bias are multiplied by 0.1. On the same inputs, what do the two blocks give?
    Predict, then build both with `inception_resnet_block(x, CONFIGS["v1"].block_a,
    scale=..., width_multiplier=0.5, name="a")` on 8x8x64, copy the weights, and print the
    largest difference of their outputs."""
    scaled, unscaled = _block_a(0.1), _block_a(1.0)
    rng = np.random.default_rng(7)
    scaled.set_weights(
        [
            rng.uniform(0.5, 1.5, v.shape) if "variance" in v.path else rng.normal(0, 0.1, v.shape)
            for v in scaled.weights
        ]
    )
    unscaled.set_weights(scaled.get_weights())
    conv = unscaled.get_layer("a_conv")
    conv.set_weights([0.1 * w for w in conv.get_weights()])
    images = rng.normal(size=(4, 8, 8, 64)).astype("float32")
    # Each block's sum before its ReLU, and its output.
    (sum_1, out_1), (sum_2, out_2) = (
        [
            keras.ops.convert_to_numpy(t)
            for t in keras.Model(
                model.input, [model.get_layer("a_scaled_residual").output, model.output]
            )(images, training=False)
        ]
        for model in (scaled, unscaled)
    )
    if not np.allclose(sum_1, sum_2, rtol=1e-4, atol=1e-5):
        return "b"
    return "a" if np.allclose(out_1, out_2, rtol=1e-4, atol=1e-5) else "c"


explanation(
    "07.7",
    "why scale the residuals",
    question="""**07.7** (explain) Why do Szegedy et al. multiply each residual by 0.1 to 0.3
    before adding it, and what else did they try?""",
    answer=(
        "With more than about 1000 filters, their residual variants became unstable: early in "
        "training the network 'died', the last layer before the average pooling producing only "
        "zeros, and neither a lower learning rate nor extra batch normalization prevented it. "
        "Scaling the residuals down before the addition stabilized training (section 3.3). "
        "The scale keeps each block close to the identity, so the activations do not grow "
        "block after block (exercise 07.2); the paper adds that it does not seem to cost "
        "accuracy."
    ),
)
