"""ResNet, the CIFAR ResNets and plain nets, ResNeXt: reference counts, costs, equivalence with
keras.applications, and errors.

Full-size ImageNet builds are slow on a 2-core CPU: each is built once per module, and the tests
that compare with keras.applications, and the parameter counts (the same on every backend), are
not marked ``models``: they are not rerun on JAX, where building a deep net is several times
slower.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
from helpers import assert_same_outputs, randomize_weights

from cnn_keras import build_model, get_spec, list_models
from cnn_keras.analysis import count_macs, count_params
from cnn_keras.layers import ZeroPadShortcut
from cnn_keras.models.resnet import resnet
from cnn_keras.models.resnet_cifar import resnet_cifar
from cnn_keras.models.resnext import resnext
from cnn_keras.pretrained import copy_from_twin

# --- ResNet on ImageNet ----------------------------------------------------------------------

# The paper's Table 1, "FLOPs" row, which counts multiply-adds (analysis.count_macs).
PAPER_GMACS = {18: 1.8, 34: 3.6, 50: 3.8, 101: 7.6, 152: 11.3}
# keras.applications ResNet50/101/152 with the top, model.count_params() (Keras 3.15; also the
# "Parameters" column of https://keras.io/api/applications/: 25.6M, 44.7M, 60.4M).
KERAS_PARAMS = {50: 25_636_712, 101: 44_707_176, 152: 60_419_944}
# torchvision resnet18/resnet34 (no conv biases; BN buffers not counted): 11,689,512 and
# 21,797,672 (https://pytorch.org/vision/stable/models.html, "Params" column: 11.7M, 21.8M).
TORCHVISION_PARAMS = {18: 11_689_512, 34: 21_797_672}


@pytest.fixture(scope="module")
def imagenet_resnets():
    """Every ImageNet ResNet at 224x224, built once (about 10 s)."""
    return {depth: build_model(f"resnet{depth}") for depth in PAPER_GMACS}


@pytest.mark.slow
def test_resnet_macs_match_the_papers_table_1(imagenet_resnets):
    for depth, paper in PAPER_GMACS.items():
        gmacs = count_macs(imagenet_resnets[depth]) / 1e9
        # Table 1 prints one decimal, sometimes rounded (7.57 -> 7.6, 11.28 -> 11.3) and
        # sometimes cut (3.86 -> 3.8 for ResNet-50, 3.66 -> 3.6 for ResNet-34), and does not say
        # whether the FC layer (2 M) and the projection shortcuts are counted: we count both,
        # and ask for agreement within one unit of the printed digit, 0.1 G.
        assert abs(gmacs - paper) < 0.1, (depth, gmacs, paper)


@pytest.mark.slow
def test_resnet18_34_parameters_match_torchvision(imagenet_resnets):
    for depth, reference in TORCHVISION_PARAMS.items():
        assert count_params(imagenet_resnets[depth]).trainable == reference


@pytest.mark.slow
@pytest.mark.parametrize("depth", [50, 101, 152])
def test_resnet_equals_keras_applications(depth, imagenet_resnets):
    ours = imagenet_resnets[depth]
    reference = getattr(keras.applications, f"ResNet{depth}")(weights=None)
    assert count_params(ours).total == reference.count_params() == KERAS_PARAMS[depth]
    randomize_weights(reference, seed=depth)
    copy_from_twin(reference, ours, f"ResNet{depth}")  # conv2_block1_1_conv -> conv2_block1_1
    assert_same_outputs(ours, reference, ["conv5_block3_out", "predictions"])


@pytest.mark.models
def test_resnet_downsamples_in_the_first_1x1_conv():
    model = build_model("resnet50", input_shape=(64, 64, 3), include_top=False)
    assert model.get_layer("conv3_block1_1").strides == (2, 2)
    assert model.get_layer("conv3_block1_2").strides == (1, 1)
    assert model.get_layer("conv3_block1_0").strides == (2, 2)
    assert model.get_layer("conv3_block1_out").output.shape == (None, 8, 8, 512)


@pytest.mark.models
def test_resnet_bad_arguments():
    with pytest.raises(ValueError, match=r"depth must be one of 18, 34, 50, 101 or 152.*=42"):
        resnet(depth=42)
    with pytest.raises(ValueError, match=r"depth=18 changes what 'resnet50' is.*'resnet18'"):
        build_model("resnet50", depth=18)
    with pytest.raises(ValueError, match=r"input_shape=\(31, 31, 3\) is too small.*at least 32"):
        build_model("resnet50", input_shape=(31, 31, 3))


# --- The CIFAR nets ---------------------------------------------------------------------------

# The paper's Table 6, "# params" column (trainable parameters, as the paper counts them).
TABLE_6_MPARAMS = {20: 0.27, 32: 0.46, 44: 0.66, 56: 0.85, 110: 1.7}


@pytest.mark.parametrize("depth", sorted(TABLE_6_MPARAMS))
def test_cifar_resnet_parameters_match_table_6(depth):
    residual = build_model(f"resnet{depth}_cifar")
    plain = build_model(f"plain{depth}_cifar")
    params = count_params(residual).trainable
    digits = 1 if depth == 110 else 2  # "1.7M" for ResNet-110, "0.27M" for the others
    assert round(params / 1e6, digits) == TABLE_6_MPARAMS[depth], params
    assert count_params(plain) == count_params(residual)  # option A adds no parameters
    weight_layers = [
        layer
        for layer in residual.layers
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))
    ]
    assert len(weight_layers) == depth  # 6n + 2 weight layers
    assert residual.get_layer("conv4_block1_out").output.shape == (None, 8, 8, 64)
    assert not [layer for layer in plain.layers if isinstance(layer, keras.layers.Add)]


@pytest.mark.models
def test_cifar_registration():
    assert list_models(family="ResNet", imagenet=False) == sorted(
        f"resnet{d}_cifar" for d in TABLE_6_MPARAMS
    )
    assert list_models(family="Plain") == sorted(f"plain{d}_cifar" for d in TABLE_6_MPARAMS)
    spec = get_spec("resnet56_cifar")
    assert (spec.imagenet, spec.input_size) == (False, 32)


@pytest.mark.models
def test_cifar_depth_must_be_6n_plus_2():
    with pytest.raises(ValueError, match=r"depth must be 6n \+ 2.*received depth=21"):
        resnet_cifar(depth=21)
    with pytest.raises(ValueError, match=r"depth must be 6n \+ 2.*received depth=2\b"):
        resnet_cifar(depth=2, shortcuts=False)
    assert resnet_cifar(depth=8, input_shape=(8, 8, 3)).name == "resnet_cifar"
    with pytest.raises(ValueError, match=r"depth=8 changes what 'resnet20_cifar' is"):
        build_model("resnet20_cifar", depth=8)


@pytest.mark.models
def test_zero_pad_shortcut_subsamples_and_pads():
    x = np.arange(2 * 4 * 4 * 3, dtype="float32").reshape(2, 4, 4, 3)
    y = keras.ops.convert_to_numpy(ZeroPadShortcut(5, strides=2)(x))
    assert y.shape == (2, 2, 2, 5)
    np.testing.assert_array_equal(y[..., :3], x[:, ::2, ::2, :])
    np.testing.assert_array_equal(y[..., 3:], 0)
    layer = ZeroPadShortcut.from_config(ZeroPadShortcut(5, strides=2).get_config())
    assert (layer.filters, layer.strides) == (5, 2)
    with pytest.raises(ValueError, match="filters must be an int >= 1; received filters=0"):
        ZeroPadShortcut(0)


# --- ResNeXt ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_resnext_parameters_and_macs_match_the_paper():
    # The ResNeXt paper's Table 1: ResNeXt-50 (32x4d) has 25.0 x 10^6 parameters and
    # 4.2 x 10^9 FLOPs (multiply-adds); Table 5 (footnote): ResNeXt-101 (32x4d) 44.2 M and 8.0 G.
    # torchvision's resnext50_32x4d has exactly 25,028,904 parameters and 4.23 GFLOPS (MACs).
    for name, mparams, gmacs in (("resnext50_32x4d", 25.0, 4.2), ("resnext101_32x4d", 44.2, 8.0)):
        model = build_model(name)
        params = count_params(model).trainable
        assert round(params / 1e6, 1) == mparams, (name, params)
        assert round(count_macs(model) / 1e9, 1) == gmacs, (name, count_macs(model))
        if name == "resnext50_32x4d":
            assert params == 25_028_904
        keras.backend.clear_session()


@pytest.mark.models
def test_resnext_groups_are_the_cardinality():
    model = build_model("resnext50_32x4d", input_shape=(64, 64, 3), include_top=False)
    grouped = [
        layer
        for layer in model.layers
        if isinstance(layer, keras.layers.Conv2D) and layer.groups > 1
    ]
    assert len(grouped) == 3 + 4 + 6 + 3  # one grouped 3x3 conv per block
    assert {layer.groups for layer in grouped} == {32}
    # The 3x3 conv's width is cardinality * bottleneck_width * 2**i: 128, 256, 512, 1024.
    assert [model.get_layer(f"conv{s}_block1_2").filters for s in (2, 3, 4, 5)] == [
        128,
        256,
        512,
        1024,
    ]
    # The stride is on the 3x3 conv, as in the authors' code.
    assert model.get_layer("conv3_block1_1").strides == (1, 1)
    assert model.get_layer("conv3_block1_2").strides == (2, 2)

    other = resnext(input_shape=(64, 64, 3), cardinality=8, bottleneck_width=2)
    assert {layer.groups for layer in other.layers if isinstance(layer, keras.layers.Conv2D)} == {
        1,
        8,
    }
    assert other.get_layer("conv2_block1_2").filters == 16


@pytest.mark.models
def test_resnext_bad_arguments():
    with pytest.raises(
        ValueError, match=r"cardinality=32 does not divide .* width 38 .* works: \[1, 2, 19, 38\]"
    ):
        build_model("resnext50_32x4d", width_multiplier=0.3)
    with pytest.raises(ValueError, match=r"cardinality must be an int >= 1.*cardinality=0"):
        resnext(cardinality=0)
    with pytest.raises(ValueError, match=r"depth must be one of 50, 101 or 152.*depth=34"):
        resnext(depth=34)
    with pytest.raises(ValueError, match=r"input_shape=\(16, 16, 3\) is too small.*at least 32"):
        build_model("resnext101_32x4d", input_shape=(16, 16, 3))


@pytest.mark.parametrize("name", ["resnet20_cifar", "vgg11", "zfnet", "googlenet"])
def test_convs_start_from_he_initialization(name):
    # He et al. 2015, section 3.4: weights initialized as in He et al. 2015b (variance 2/fan-in).
    # VGG, AlexNet and ZFNet too (their builders' Notes): from Glorot's, VGG16 does not start to
    # learn in a short run.
    size = max(32, get_spec(name).min_input_size)
    model = build_model(name, input_shape=(size, size, 3), classes=10, width_multiplier=0.25)
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    he = {"scale": 2.0, "mode": "fan_in", "distribution": "untruncated_normal"}
    assert convs and all(
        he.items() <= conv.kernel_initializer.get_config().items() for conv in convs
    )
    weights = keras.ops.convert_to_numpy(convs[-1].kernel)
    fan_in = np.prod(weights.shape[:3])
    assert abs(weights.std() / np.sqrt(2 / fan_in) - 1) < 0.1
