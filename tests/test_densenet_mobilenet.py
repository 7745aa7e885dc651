"""DenseNet and MobileNet: reference counts with their sources, equivalence with
keras.applications after a weight copy, costs, and errors.

The keras.applications comparisons and the DenseNet counts (the same on every backend; deep
DenseNets build slowly on JAX) are not marked ``models``; the rest is rerun on JAX.
"""

from __future__ import annotations

import keras
import pytest
from helpers import assert_same_outputs, randomize_weights

from cnn_keras import build_model, get_spec
from cnn_keras.analysis import count_macs, count_params
from cnn_keras.models.densenet import densenet
from cnn_keras.pretrained import copy_from_twin


def _weight_layers(model: keras.Model) -> int:
    return sum(
        isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense)) for layer in model.layers
    )


# --- DenseNet ---------------------------------------------------------------------------------

# keras.applications DenseNet121/169/201 with the top, model.count_params() (Keras 3.15; the
# keras.io/api/applications table: 8.1M, 14.3M, 20.2M).
KERAS_DENSENET_PARAMS = {121: 8_062_504, 169: 14_307_880, 201: 20_242_984}


@pytest.mark.slow
@pytest.mark.parametrize("depth", sorted(KERAS_DENSENET_PARAMS))
def test_densenet_equals_keras_applications(depth):
    ours = build_model(f"densenet{depth}")
    reference = getattr(keras.applications, f"DenseNet{depth}")(weights=None)
    assert count_params(ours).total == reference.count_params() == KERAS_DENSENET_PARAMS[depth]
    # The name says the weight layers: 2 per dense layer, 3 transitions, conv1 and the fc.
    assert _weight_layers(ours) == depth
    randomize_weights(reference, seed=depth)
    copy_from_twin(reference, ours, f"DenseNet{depth}")  # keras.applications' names
    assert_same_outputs(ours, reference, ["conv5_block16_concat", "avg_pool", "predictions"])


def test_densenet264_is_the_table_1_row():
    model = build_model("densenet264", input_shape=(32, 32, 3))
    # Table 1's row (6, 12, 64, 48) gives 2 * 130 + 3 + 2 = 265 weight layers: the name counts
    # one fewer (as noted in later reimplementations); we build the table as printed.
    assert _weight_layers(model) == 265
    # 64 -> +6k = 256 -> 128 -> +12k = 512 -> 256 -> +64k = 2304 -> 1152 -> +48k = 2688 (k=32).
    assert model.get_layer("conv5_block48_concat").output.shape[-1] == 1152 + 48 * 32
    # 33.3 M trainable parameters (timm's densenet264d differs in its stem, so no reference).
    assert round(count_params(model).trainable / 1e6, 1) == 33.3


def test_densenet_bc100_cifar_matches_table_2():
    model = build_model("densenet_bc100_cifar")
    spec = get_spec("densenet_bc100_cifar")
    assert (spec.imagenet, spec.input_size, spec.family.name) == (False, 32, "DenseNet")
    # The paper's Table 2: DenseNet-BC (L=100, k=12) has 0.8 M parameters.
    assert round(count_params(model).trainable / 1e6, 1) == 0.8
    assert _weight_layers(model) == 100  # L = 100: 3 x 16 x 2 + conv1 + 2 transitions + fc
    assert model.output_shape == (None, 10)
    assert model.get_layer("conv1_conv").output.shape == (None, 32, 32, 24)  # 2k channels
    assert model.get_layer("pool2_pool").output.shape == (None, 16, 16, 108)  # (24 + 16*12) / 2
    assert model.get_layer("relu").output.shape == (None, 8, 8, 342)


@pytest.mark.models
def test_densenet_growth_rate_and_blocks_are_parameters():
    model = densenet(input_shape=(32, 32, 3), growth_rate=8, blocks=(2, 3))
    assert model.get_layer("conv2_block2_concat").output.shape[-1] == 16 + 2 * 8
    assert model.get_layer("relu").output.shape[-1] == 16 + 3 * 8
    assert _weight_layers(model) == 2 * 5 + 1 + 2


@pytest.mark.models
def test_densenet_bad_arguments():
    with pytest.raises(ValueError, match=r"growth_rate must be an int in \[1, .*growth_rate=0"):
        densenet(growth_rate=0)
    with pytest.raises(ValueError, match=r"blocks must be .*received blocks=\(\)"):
        densenet(blocks=())
    with pytest.raises(ValueError, match=r"compression must be a number in \(0, 1\].*=1.5"):
        densenet(compression=1.5, stem="cifar")
    with pytest.raises(ValueError, match=r"input_shape=\(31, 31, 3\) is too small.*at least 32"):
        build_model("densenet121", input_shape=(31, 31, 3))
    with pytest.raises(ValueError, match=r"input_shape=\(7, 7, 3\) is too small.*at least 8"):
        build_model("densenet_bc100_cifar", input_shape=(7, 7, 3))


# --- MobileNet --------------------------------------------------------------------------------

# keras.applications MobileNet(alpha) with the top, model.count_params() (Keras 3.15), and the
# paper's Table 6 multiply-adds at 224x224 (569 M, 325 M, 149 M; its parameters 4.2 M, 2.6 M,
# 1.3 M count the classifier too).
MOBILENETS = {1.0: (4_253_864, 569), 0.75: (2_601_976, 325), 0.5: (1_342_536, 149)}


@pytest.mark.slow
@pytest.mark.parametrize("alpha", sorted(MOBILENETS, reverse=True))
def test_mobilenet_equals_keras_applications(alpha):
    params, paper_mmacs = MOBILENETS[alpha]
    ours = build_model("mobilenet", alpha=alpha)
    assert round(count_macs(ours) / 1e6) == paper_mmacs
    reference = keras.applications.MobileNet(weights=None, alpha=alpha)
    assert count_params(ours).total == reference.count_params() == params
    randomize_weights(reference, seed=int(alpha * 100))
    # Keras's classifier is a 1x1 conv "conv_preds" on the pooled 1x1 map, then a reshape; ours
    # is a Dense on the pooled vector: the same map, whose kernel is the conv's (1, 1, C, classes)
    # kernel reshaped to (C, classes), as copy_from_twin does. Every other layer pairs in order.
    copy_from_twin(reference, ours, "MobileNet")
    assert_same_outputs(ours, reference, ["conv_pw_13_bn", "predictions"])


@pytest.mark.models
def test_mobilenet_alpha_and_resolution():
    model = build_model("mobilenet", alpha=0.25, input_shape=(128, 128, 3), include_top=False)
    assert model.output_shape == (None, 4, 4, 256)
    assert model.get_layer("conv1").filters == 8
    dw = model.get_layer("conv_dw_13")
    assert isinstance(dw, keras.layers.DepthwiseConv2D) and dw.strides == (1, 1)


@pytest.mark.models
def test_mobilenet_bad_arguments():
    for alpha in (0, -0.5, "1.0", 1 / 64, float("inf")):
        with pytest.raises(
            ValueError, match=rf"alpha must be a number in \[0.03125, 16\].*={alpha!r}"
        ):
            build_model("mobilenet", alpha=alpha)
    with pytest.raises(ValueError, match=r"depth_multiplier must be an int in \[1, 64\].*=0"):
        build_model("mobilenet", depth_multiplier=0)
    with pytest.raises(ValueError, match=r"input_shape=\(31, 32, 3\) is too small.*at least 32"):
        build_model("mobilenet", input_shape=(31, 32, 3))
