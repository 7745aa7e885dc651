"""AlexNet, ZFNet and VGG against their papers and against keras.applications."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from cnn_keras import analysis, build_model
from cnn_keras.models.vgg import vgg
from cnn_keras.pretrained import copy_from_twin

pytestmark = pytest.mark.models


@pytest.mark.parametrize(
    ("name", "application", "params"),
    [
        # keras.applications.VGG16 / VGG19 with include_top=True: model.count_params().
        ("vgg16", "VGG16", 138_357_544),
        ("vgg19", "VGG19", 143_667_240),
    ],
)
def test_vgg_is_keras_applications_network(name, application, params):
    ours = build_model(name)
    theirs = getattr(keras.applications, application)(weights=None)
    assert analysis.count_params(ours).total == theirs.count_params() == params
    copy_from_twin(theirs, ours, application)
    images = np.random.default_rng(0).uniform(0, 255, (1, 224, 224, 3)).astype("float32")
    images = keras.applications.vgg16.preprocess_input(images)
    np.testing.assert_allclose(
        ours.predict(images, verbose=0), theirs.predict(images, verbose=0), rtol=1e-4, atol=1e-6
    )


def test_vgg16_macs_near_the_quoted_15_5_g():
    # The VGG16 cost usually quoted (e.g. Canziani et al. 2017, Fig. 2) is 15.5 G
    # multiply-adds at 224x224; conv and FC layers count 15.47 G.
    macs = analysis.count_macs(vgg(config="D"))
    assert abs(macs / 15.5e9 - 1) < 0.01


@pytest.mark.parametrize(("config", "depth"), [("A", 11), ("B", 13), ("D", 16), ("E", 19)])
def test_vgg_configs_have_their_depth(config, depth):
    model = vgg(config=config, input_shape=(32, 32, 3), fc_units=8, width_multiplier=0.125)
    weighted = [
        layer
        for layer in model.layers
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))
    ]
    assert len(weighted) == depth


def test_alexnet_paper_figures():
    model = build_model("alexnet")
    conv1 = model.get_layer("conv1")
    # Krizhevsky et al. 2012, section 3.5: 96 kernels of 11x11x3 -> 34,848 weights, 55x55x96.
    assert int(np.prod(conv1.kernel.shape)) == 11 * 11 * 3 * 96 == 34_848
    assert conv1.output.shape[1:] == (55, 55, 96)
    assert model.get_layer("conv5_pool").output.shape[1:] == (6, 6, 256)
    assert all(
        layer.count_params() == 0
        for layer in model.layers
        if isinstance(layer, keras.layers.MaxPooling2D)
    )
    # "60 million parameters" (abstract); the two-tower network counts 60,965,224.
    assert abs(analysis.count_params(model).total / 60e6 - 1) < 0.02
    # The two towers: conv2, conv4, conv5 in two groups; conv3 sees both halves.
    assert [model.get_layer(n).groups for n in ("conv2", "conv3", "conv4", "conv5")] == [2, 1, 2, 2]


def test_alexnet_one_tower_has_more_weights():
    two = build_model("alexnet", input_shape=(67, 67, 3), fc_units=16)
    one = build_model("alexnet", input_shape=(67, 67, 3), fc_units=16, groups=1)
    # conv2, conv4 and conv5 weights double without the split: 307,200 + 663,552 + 442,368.
    extra = 5 * 5 * 48 * 256 + 3 * 3 * 192 * 384 + 3 * 3 * 192 * 256
    assert analysis.count_params(one).total - analysis.count_params(two).total == extra


def test_zfnet_figure_3_sizes():
    # Zeiler and Fergus 2013, Figure 3: 110, 55, 26, 13, 13, 13, 6.
    model = build_model("zfnet")
    sizes = [
        model.get_layer(name).output.shape[1]
        for name in ("conv1", "conv1_pool", "conv2", "conv2_pool", "conv3", "conv5", "conv5_pool")
    ]
    assert sizes == [110, 55, 26, 13, 13, 13, 6]
    assert model.get_layer("conv5_pool").output.shape[-1] == 256


def test_zfnet_lecture_variant_widths():
    model = build_model("zfnet_512_1024_512", input_shape=(53, 53, 3), fc_units=8)
    assert [model.get_layer(f"conv{i}").filters for i in (3, 4, 5)] == [512, 1024, 512]


@pytest.mark.parametrize(
    ("name", "kwargs", "pattern"),
    [
        ("vgg16", {"input_shape": (31, 31, 3)}, r"too small.*at least 32"),
        ("alexnet", {"input_shape": (64, 64, 3)}, r"input_shape=\(64, 64, 3\).*at least 67"),
        ("vgg16", {"input_shape": (64, 64, 0)}, r"at least 1 channel.*\(64, 64, 0\)"),
        ("vgg16", {"input_shape": (64, 64)}, r"input_shape must be \(height, width, channels\)"),
        ("vgg16", {"classes": 0}, r"classes must be an int >= 1.*classes=0"),
        ("alexnet", {"pooling": "sum"}, r"pooling must be one of None, 'avg' or 'max'"),
        ("vgg16", {"config": "C"}, r"config='C' changes what 'vgg16' is.*vgg\(config='D'\)"),
        ("alexnet", {"groups": 0}, r"groups must be an int >= 1.*groups=0"),
        ("alexnet", {"groups": 3}, r"groups=3 must divide the input and output channels of conv2"),
        ("alexnet", {"width_multiplier": 0}, r"width_multiplier must be a number in \[0.01"),
        ("zfnet", {"conv_widths": "big"}, r"conv_widths must be one of .*'big'"),
    ],
)
def test_bad_arguments_name_the_argument(name, kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        build_model(name, **kwargs)


def test_unknown_model_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown model name='vgg17'.*vgg16"):
        build_model("vgg17")
