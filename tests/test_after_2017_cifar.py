"""Network in Network, the pre-activation ResNets and the Wide ResNets: the papers' parameter
counts, the layouts that the counts do not show, the depth-against-width table, and errors.

ResNet-1001 takes most of a minute to build on a 2-core CPU: its count is checked through
``cifar_trainable_parameters``, which is checked against built ResNet-164 and Wide ResNets.
"""

from __future__ import annotations

import keras
import pytest

from cnn_keras import build_model, get_spec, list_models
from cnn_keras.analysis import count_params
from cnn_keras.models.nin import nin
from cnn_keras.models.preact_resnet import (
    CIFAR_STEM_WIDTH,
    cifar_bottleneck_stages,
    cifar_trainable_parameters,
    preact_resnet,
    preact_resnet_cifar,
)
from cnn_keras.models.resnet import STAGES, resnet
from cnn_keras.models.wide_resnet import depth_vs_width, wide_resnet, wrn_stages
from cnn_keras.tables import read_table, table_file

# The papers' parameter counts in millions, as printed: Identity Mappings Table 4 (ResNet-164
# 1.7 M, ResNet-1001 10.2 M); Wide ResNets Tables 1 and 4 (WRN-16-4 2.7 M, WRN-40-4 8.9 M,
# WRN-28-10 36.5 M).
PREACT_MPARAMS = {164: 1.7, 1001: 10.2}
WRN_MPARAMS = {(16, 4): 2.7, (40, 4): 8.9, (28, 10): 36.5}


@pytest.fixture(scope="module")
def cifar_nets():
    """The CIFAR nets that build in a few seconds, once each."""
    return {name: build_model(name) for name in ("wrn16_4_cifar", "preact_resnet164_cifar")}


def _weights(model: keras.Model) -> int:
    """Parameters of the conv and dense layers (kernels and biases), BN left out."""
    return sum(
        layer.count_params()
        for layer in model.layers
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))
    )


def _bn_trainable(model: keras.Model) -> int:
    return sum(
        2 * layer.gamma.shape[0]
        for layer in model.layers
        if isinstance(layer, keras.layers.BatchNormalization)
    )


# --- Network in Network -----------------------------------------------------------------------


def test_nin_parameters_by_hand():
    model = build_model("nin_cifar")
    # Every conv has a bias: k*k*in*out + out. The Caffe model's widths.
    by_hand = (
        (5 * 5 * 3 * 192 + 192)  # conv1
        + (192 * 160 + 160)  # cccp1
        + (160 * 96 + 96)  # cccp2
        + (5 * 5 * 96 * 192 + 192)  # conv2
        + 2 * (192 * 192 + 192)  # cccp3, cccp4
        + (3 * 3 * 192 * 192 + 192)  # conv3
        + (192 * 192 + 192)  # cccp5
        + (192 * 10 + 10)  # cccp6: one map per class
    )
    assert by_hand == 966_986
    assert count_params(model).trainable == by_hand
    assert round(by_hand / 1e6, 2) == 0.97
    assert not [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert model.get_layer("pool1").output.shape == (None, 16, 16, 96)
    assert model.get_layer("pool2").output.shape == (None, 8, 8, 192)
    assert model.get_layer("cccp6").output.shape == (None, 8, 8, 10)
    assert model.output_shape == (None, 10)


@pytest.mark.models
def test_nin_without_top_ends_before_the_class_maps():
    features = nin(include_top=False, input_shape=(32, 32, 3))
    assert features.output_shape == (None, 8, 8, 192)
    assert features.layers[-1].name == "cccp5_relu"
    assert nin(include_top=False, pooling="avg").output_shape == (None, 192)
    logits = nin(classes=7, classifier_activation=None)
    assert logits.output_shape == (None, 7)
    with pytest.raises(ValueError, match=r"width_multiplier must be a number in \[0.0104"):
        nin(width_multiplier=0.01)


# --- Pre-activation ResNet, CIFAR -------------------------------------------------------------


def test_table_count_equals_the_built_nets(cifar_nets):
    stages = cifar_bottleneck_stages(164)
    counted = cifar_trainable_parameters(stages, stem_width=CIFAR_STEM_WIDTH)
    assert counted == count_params(cifar_nets["preact_resnet164_cifar"]).trainable
    counted = cifar_trainable_parameters(wrn_stages(16, 4), stem_width=CIFAR_STEM_WIDTH)
    assert counted == count_params(cifar_nets["wrn16_4_cifar"]).trainable


def test_preact_cifar_parameters_match_the_paper(cifar_nets):
    model = cifar_nets["preact_resnet164_cifar"]
    assert round(count_params(model).trainable / 1e6, 1) == PREACT_MPARAMS[164]
    layers_with_weights = [
        layer
        for layer in model.layers
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))
        and not layer.name.endswith("_0")  # projections are not counted in 9n + 2
    ]
    assert len(layers_with_weights) == 164
    # ResNet-1001 from its table: 10.33 M with BN's gamma and beta, 10.18 M without. The
    # paper's 10.2 M counts the conv and fc weights only (both round 164's to 1.7 M).
    stages = cifar_bottleneck_stages(1001)
    total = cifar_trainable_parameters(stages, stem_width=CIFAR_STEM_WIDTH)
    bn, channels = 0, CIFAR_STEM_WIDTH
    for units in stages:
        for convs in units:
            for filters, _, _ in convs:  # a BN (gamma, beta) on every conv's input
                bn += 2 * channels
                channels = filters
    bn += 2 * channels  # the final BN
    assert round((total - bn) / 1e6, 1) == PREACT_MPARAMS[1001]
    assert round(total / 1e6, 1) == 10.3


@pytest.mark.models
def test_preact_unit_keeps_the_shortcut_clean(cifar_nets):
    model = cifar_nets["preact_resnet164_cifar"]
    # An identity unit adds its input unchanged: no ReLU after an addition anywhere.
    add = model.get_layer("conv2_block2_add")
    assert add.input[0] is model.get_layer("conv2_block1_add").output
    assert not [layer for layer in model.layers if layer.name.endswith("_add_relu")]
    # A unit that changes the shape pre-activates before the split: the projection and the
    # first conv both read the same BN-ReLU, and the stride is on the first 1x1 conv.
    preact = model.get_layer("conv3_block1_preact_relu").output
    assert model.get_layer("conv3_block1_0").input is preact
    assert model.get_layer("conv3_block1_1").input is preact
    assert model.get_layer("conv3_block1_1").strides == (2, 2)
    assert model.get_layer("conv4_block18_add").output.shape == (None, 8, 8, 256)
    assert model.layers[-3].name == "post_relu"


@pytest.mark.models
def test_preact_cifar_depth_must_be_9n_plus_2():
    with pytest.raises(ValueError, match=r"depth must be 9n \+ 2.*received depth=165"):
        preact_resnet_cifar(depth=165)
    assert preact_resnet_cifar(depth=11, input_shape=(8, 8, 3)).output_shape == (None, 10)
    with pytest.raises(ValueError, match=r"depth=1001 changes what 'preact_resnet164_cifar'"):
        build_model("preact_resnet164_cifar", depth=1001)


# --- Pre-activation ResNet, ImageNet ----------------------------------------------------------


def _expected_bn_difference(depth: int) -> int:
    """Trainable BN parameters of the pre-activation net minus the v1 net's, from the
    stage table: v1 has a BN after every conv (on its output, projections included);
    pre-activation has the stem's BN, one on the input of every conv of a unit (but the
    first unit's first, whose input is the stem's BN-ReLU), none on the projections, and a
    final one."""
    block, blocks_per_stage = STAGES[depth]
    v1 = preact = 2 * 64  # the stem conv's BN, in both
    channels = 64
    for i, blocks in enumerate(blocks_per_stage):
        width = 64 * 2**i
        widths = [width, width] if block == "basic" else [width, width, 4 * width]
        for index in range(blocks):
            inputs = [channels, *widths[:-1]]
            if i == 0 and index == 0:
                inputs = inputs[1:]
            preact += 2 * sum(inputs)
            v1 += 2 * sum(widths)
            if channels != widths[-1] or (i > 0 and index == 0):
                v1 += 2 * widths[-1]  # the projection's BN
            channels = widths[-1]
    preact += 2 * channels  # the final BN
    return preact - v1


@pytest.mark.slow
@pytest.mark.parametrize("depth", [18, 50])
def test_preact_imagenet_parameters_equal_v1_within_the_bn_difference(depth):
    ours = build_model(f"preact_resnet{depth}")
    v1 = resnet(depth=depth, use_bias=False)  # the same convs: the registered 50 has biases
    assert _weights(ours) == _weights(v1)
    difference = _expected_bn_difference(depth)
    assert _bn_trainable(ours) - _bn_trainable(v1) == difference
    assert count_params(ours).trainable == count_params(v1).trainable + difference


@pytest.mark.models
def test_preact_imagenet_layout():
    # fb.resnet.torch's stride on the 3x3 conv; the default, on the first 1x1 conv, is built
    # by preact_unit as in the CIFAR nets (checked there).
    model = preact_resnet(depth=50, input_shape=(64, 64, 3), include_top=False, stride_in_1x1=False)
    # The first unit takes the stem's BN-ReLU (after the max pool) as its pre-activation.
    pool = model.get_layer("pool1_pool").output
    assert model.get_layer("conv2_block1_1").input is pool
    assert model.get_layer("conv2_block1_0").input is pool
    assert "conv2_block1_preact_bn" not in [layer.name for layer in model.layers]
    assert model.get_layer("conv3_block1_1").strides == (1, 1)
    assert model.get_layer("conv3_block1_2").strides == (2, 2)
    assert model.get_layer("conv3_block1_0").strides == (2, 2)
    assert model.output_shape == (None, 2, 2, 2048)
    with pytest.raises(ValueError, match=r"depth must be one of 18, 34, 50, 101 or 152"):
        preact_resnet(depth=20)


# --- Wide ResNet ------------------------------------------------------------------------------


def test_wrn_parameters_match_the_paper(cifar_nets):
    assert round(count_params(cifar_nets["wrn16_4_cifar"]).trainable / 1e6, 1) == 2.7
    for (depth, k), mparams in WRN_MPARAMS.items():
        counted = cifar_trainable_parameters(wrn_stages(depth, k), stem_width=CIFAR_STEM_WIDTH)
        assert round(counted / 1e6, 1) == mparams, (depth, k, counted)


def test_depth_vs_width_table():
    rows = {row["model"]: row for row in depth_vs_width()}
    assert set(rows) >= {"ResNet-1001 (pre-act)", "WRN-40-4", "WRN-28-10", "WRN-16-4"}
    deep, wide = rows["ResNet-1001 (pre-act)"], rows["WRN-40-4"]
    # 18 units against 333: fewer parameters, and a lower error in the papers.
    assert wide["params"] < deep["params"]
    assert (wide["units"], deep["units"]) == (18, 333)
    assert wide["cifar10_error"] < deep["cifar10_error"]
    for row in rows.values():
        assert abs(row["params"] / 1e6 - row["paper_mparams"]) < 0.15, row


@pytest.mark.models
def test_wrn_dropout_between_the_convs():
    model = wide_resnet(depth=10, widen_factor=2, dropout_rate=0.3, input_shape=(8, 8, 3))
    dropouts = [layer for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert [layer.name for layer in dropouts][:2] == [
        "conv2_block1_1_dropout",
        "conv3_block1_1_dropout",
    ]
    assert len(dropouts) == 3 and all(layer.rate == 0.3 for layer in dropouts)
    assert model.get_layer("conv2_block1_2").input is dropouts[0].output
    plain = wide_resnet(depth=10, widen_factor=2, input_shape=(8, 8, 3))
    assert not [layer for layer in plain.layers if isinstance(layer, keras.layers.Dropout)]
    assert plain.get_layer("conv4_block1_add").output.shape == (None, 2, 2, 128)


@pytest.mark.models
def test_wrn_bad_arguments():
    with pytest.raises(ValueError, match=r"depth must be 6n \+ 4.*received depth=27"):
        wide_resnet(depth=27)
    with pytest.raises(ValueError, match=r"widen_factor must be an int >= 1.*widen_factor=0"):
        wide_resnet(widen_factor=0)
    with pytest.raises(ValueError, match=r"dropout_rate must be a number in \[0, 1\).*=1.0"):
        wide_resnet(dropout_rate=1.0)


# --- Registry and tables ----------------------------------------------------------------------


def test_registration_and_variant_table():
    assert list_models(family="Wide ResNet") == ["wrn16_4_cifar", "wrn28_10_cifar", "wrn40_4_cifar"]
    assert list_models(family="NiN") == ["nin_cifar"]
    assert list_models(family="Pre-activation ResNet", imagenet=False) == [
        "preact_resnet1001_cifar",
        "preact_resnet164_cifar",
    ]
    assert len(list_models(family="Pre-activation ResNet", imagenet=True)) == 5
    spec = get_spec("wrn28_10_cifar")
    assert (spec.imagenet, spec.input_size, spec.preset) == (
        False,
        32,
        {"depth": 28, "widen_factor": 10},
    )
    rows = read_table(table_file("preact_variants.csv"))
    assert [row["figure"] for row in rows] == ["4a", "4b", "4c", "4d", "4e"]
    for column in ("resnet110_error", "resnet164_error"):
        best = min(rows, key=lambda row: float(row[column]))
        assert best["variant"] == "full pre-activation"
