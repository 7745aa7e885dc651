"""The Inception family: GoogLeNet, Inception v3, Inception-v4, Inception-ResNet v1 and v2.

Reference numbers carry their source. Full-size networks are built once per module (building
one takes seconds on a CPU). Counts of parameters and multiply-adds, and the comparisons with
keras.applications (weights copied into ours, equal outputs), do not depend on the backend and
stay out of the ``models`` mark, so the JAX rerun of ``-m models`` (which compiles every new
weight shape and takes far longer to build) runs only the small behavioural tests; the
contract test (tests/test_contract.py) runs every model on every backend.
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import pytest
from helpers import assert_same_outputs, randomize_weights

from cnn_keras import get_spec, list_models
from cnn_keras.analysis import count_macs, count_params, layer_macs, weight_layer_depth
from cnn_keras.layers import ScaledResidual
from cnn_keras.models import inception_blocks
from cnn_keras.models.googlenet import AUX_HEAD as GOOGLENET_AUX_HEAD
from cnn_keras.models.googlenet import (
    conv_relu,
    googlenet,
    inception_module,
    inception_module_model,
)
from cnn_keras.models.inception_blocks import auxiliary_head, conv_bn, factorized_nxn
from cnn_keras.models.inception_resnet import inception_resnet
from cnn_keras.models.inception_v3 import AUX_HEAD as V3_AUX_HEAD
from cnn_keras.models.inception_v3 import block_17x17, inception_v3
from cnn_keras.models.inception_v4 import inception_v4
from cnn_keras.pretrained import copy_from_twin
from cnn_keras.training import compile_model, main_output, recipe_for

models = pytest.mark.models


# ---------------------------------------------------------------- GoogLeNet


@pytest.fixture(scope="module")
def googlenet_224():
    return googlenet()


def test_googlenet_params_macs_depth(googlenet_224):
    model = googlenet_224
    params = count_params(model)
    # Szegedy et al. (2014), Table 1, "params" column: 6.8 M in all. Ours counts the biases the
    # table leaves out and the classifier's 1024x1000 (the table rounds it to 1000K); the
    # authors' Caffe bvlc_googlenet without its auxiliary heads has 6,998,552, as here.
    assert params.total == 6_998_552
    assert params.total == pytest.approx(6.8e6, rel=0.04)
    assert params.non_trainable == 0  # no batch norm by default

    # Table 1, "ops" column: 1.5 G multiply-adds in all. Its conv1 row says 34 M, but a 7x7x3
    # conv with 64 filters on a 112x112 output is 112*112*64*7*7*3 = 118 M; every other row
    # agrees with our count to within 1 % (1468 M against 1465 M). So the total is 5 % above.
    macs = count_macs(model)
    conv1 = layer_macs(model.get_layer("conv1_7x7_s2"))
    assert conv1 == 112 * 112 * 64 * 7 * 7 * 3
    assert macs - conv1 == pytest.approx(1502e6 - 34e6, rel=0.01)
    assert macs == pytest.approx(1.5e9, rel=0.06)

    # "The network is 22 layers deep when counting only layers with parameters."
    assert weight_layer_depth(model) == 22

    assert model.get_layer("inception_3b_output").output.shape[1:] == (28, 28, 480)
    assert model.get_layer("inception_4e_output").output.shape[1:] == (14, 14, 832)
    assert model.get_layer("inception_5b_output").output.shape[1:] == (7, 7, 1024)
    assert model.get_layer("inception_5b_5x5").kernel.shape[:2] == (5, 5)  # a real 5x5
    assert model.get_layer("predictions_dropout").rate == 0.4


def test_googlenet_layer_names_follow_the_paper(googlenet_224):
    names = {layer.name for layer in googlenet_224.layers}
    for suffix in ("1x1", "3x3_reduce", "3x3", "5x5_reduce", "5x5", "pool", "pool_proj"):
        assert f"inception_4a_{suffix}" in names


def test_lecture_inception_module_costs():
    # The lecture's example: a 28x28x256 input, 1x1x128, 3x3x192, 5x5x96 and a 3x3 pool.
    filters = dict(filters_1x1=128, filters_3x3=192, filters_5x5=96)
    naive = inception_module_model((28, 28, 256), naive=True, **filters)
    # The slide: 854 M ops, output depth 672 = 128 + 192 + 96 + 256.
    assert count_macs(naive) == 28 * 28 * 256 * (128 + 192 * 9 + 96 * 25) == 854_196_224
    assert naive.output_shape == (None, 28, 28, 672)
    reduced = inception_module_model(
        (28, 28, 256), reduce_3x3=64, reduce_5x5=64, pool_proj=64, **filters
    )
    # The slide says 358 M for this module, but its own terms add up to 271 M:
    # 1x1 128 (25.7 M) + three 1x1 64 on 256 channels (3 x 12.8 M) + 3x3 192 on 64 (86.7 M)
    # + 5x5 96 on 64 (120.4 M). Output depth 128 + 192 + 96 + 64 = 480, as the slide says.
    assert count_macs(reduced) == 271_351_808
    assert reduced.output_shape == (None, 28, 28, 480)


def test_googlenet_uses_the_inception_module_function(googlenet_224):
    # The same function builds one module alone and GoogLeNet's 4a: the same layers.
    x = keras.Input((14, 14, 480))
    out = inception_module(
        x,
        filters_1x1=192,
        reduce_3x3=96,
        filters_3x3=208,
        reduce_5x5=16,
        filters_5x5=48,
        pool_proj=64,
        name="inception_4a",
    )
    alone = keras.Model(x, out)
    for layer in alone.layers[1:]:
        theirs = googlenet_224.get_layer(layer.name)
        assert type(theirs) is type(layer)
        assert [w.shape for w in theirs.weights] == [w.shape for w in layer.weights]


def test_inception_module_argument_errors():
    x = keras.Input((8, 8, 16))
    with pytest.raises(ValueError, match=r"naive=False.*reduce_5x5=None"):
        inception_module(x, filters_1x1=4, filters_3x3=4, filters_5x5=4, reduce_3x3=2, name="m")
    with pytest.raises(ValueError, match=r"naive=True with reduce_3x3=2"):
        inception_module(
            x, filters_1x1=4, filters_3x3=4, filters_5x5=4, reduce_3x3=2, naive=True, name="m"
        )


def test_googlenet_aux_logits_train_and_infer():
    # Not under the models mark: on JAX the train step alone compiles for over a minute here.
    model = googlenet(aux_logits=True, input_shape=(65, 65, 3), classes=5, width_multiplier=0.125)
    assert [o.shape for o in model.outputs] == [(None, 5)] * 3
    assert model.get_layer("aux1_dropout").rate == 0.7
    assert model.get_layer("aux2_conv").input.shape[1:3] == (1, 1)  # 5x5/3 pool of 5x5
    compile_model(model, recipe_for("googlenet"))  # section 5's 0.3 per auxiliary loss
    images = np.random.default_rng(0).uniform(0, 1, (2, 65, 65, 3)).astype("float32")
    labels = np.array([1, 3])
    logs = model.train_on_batch(images, [labels] * 3, return_dict=True)
    assert np.isfinite(logs["loss"])
    # The total is main + 0.3 * aux1 + 0.3 * aux2 (the loss of the step before its update): the
    # paper's section 5, "the losses of the auxiliary classifiers were weighted by 0.3".
    parts = [logs[key] for key in sorted(logs) if key.endswith("_loss")]
    assert len(parts) == 3
    main, aux1, aux2 = (
        logs[f"{n}_loss"] for n in ("predictions", "aux1_predictions", "aux2_predictions")
    )
    assert logs["loss"] == pytest.approx(main + 0.3 * aux1 + 0.3 * aux2, rel=1e-4)
    inference = main_output(model)
    assert inference.output_shape == (None, 5)
    np.testing.assert_allclose(
        inference.predict(images, verbose=0), model.predict(images, verbose=0)[0], rtol=1e-5
    )


def test_googlenet_bad_arguments():
    with pytest.raises(ValueError, match=r"aux_logits=True.*include_top=False"):
        googlenet(aux_logits=True, include_top=False)
    with pytest.raises(ValueError, match=r"input_shape=\(64, 64, 3\).*at least 65"):
        googlenet(aux_logits=True, input_shape=(64, 64, 3))
    with pytest.raises(ValueError, match=r"input_shape=\(31, 31, 3\).*at least 32"):
        googlenet(input_shape=(31, 31, 3))
    with pytest.raises(ValueError, match=r"3 outputs .*weighs none.*aux_loss_weight"):
        compile_model(
            googlenet(aux_logits=True, input_shape=(65, 65, 3), width_multiplier=0.125),
            recipe_for("vgg16"),
        )


def test_googlenet_batch_norm_option():
    model = googlenet(batch_norm=True, include_top=False, width_multiplier=0.125)
    names = {layer.name for layer in model.layers}
    assert "inception_4a_5x5_bn" in names
    assert "pool1_norm1" not in names  # LRN off with batch norm by default
    assert not model.get_layer("inception_4a_5x5").use_bias


# ---------------------------------------------------------------- Inception v3


@pytest.fixture(scope="module")
def inception_v3_299():
    return inception_v3(classifier_activation=None)


def _assert_same_outputs(source: keras.Model, target: keras.Model, application: str) -> None:
    randomize_weights(source)
    copy_from_twin(source, target, application)
    assert_same_outputs(target, source, atol=1e-4)


def test_inception_v3_params_and_macs(inception_v3_299):
    model = inception_v3_299
    # keras.applications.InceptionV3(weights=None).count_params() == 23,851,784.
    assert count_params(model).total == 23_851_784
    # Szegedy et al. (2015), abstract: "a computational cost of 5 billion multiply-adds". The
    # released network (ours, keras.applications') counts 5.71 G: the paper rounds, and its
    # figure is for the Table 1 outline, where the 35x35 modules have no 5x5 branch and the
    # stem is lighter (see the builder's Note). So 15 % above.
    assert count_macs(model) == pytest.approx(5e9, rel=0.15)
    assert model.get_layer("mixed7").output.shape[1:] == (17, 17, 768)
    assert model.get_layer("mixed10").output.shape[1:] == (8, 8, 2048)


def test_inception_v3_equals_keras_applications(inception_v3_299):
    reference = keras.applications.InceptionV3(weights=None, classifier_activation=None)
    _assert_same_outputs(reference, inception_v3_299, "InceptionV3")


def test_inception_v3_aux_logits():
    model = inception_v3(aux_logits=True, classes=5, width_multiplier=0.125)
    assert [o.shape for o in model.outputs] == [(None, 5), (None, 5)]
    assert model.get_layer("aux_conv1").output.shape[1:3] == (1, 1)
    # Compiled with its recipe, the loss is main + 0.4 * aux: TF-slim's training script, the
    # authors' code, weighs the auxiliary logits so (train_image_classifier.py, weights=0.4).
    # (Label smoothing off here, so that the loss is the plain cross-entropy computed below.)
    compile_model(model, dataclasses.replace(recipe_for("inception_v3"), label_smoothing=0.0))
    images = np.random.default_rng(0).uniform(0, 1, (2, 299, 299, 3)).astype("float32")
    labels = np.array([1, 3])
    main, aux = model(images, training=False)
    total = model.compute_loss(x=images, y=[labels, labels], y_pred=[main, aux])
    main_loss, aux_loss = (
        -np.log(keras.ops.convert_to_numpy(p)[[0, 1], labels]).mean() for p in (main, aux)
    )
    assert float(total) == pytest.approx(main_loss + 0.4 * aux_loss, rel=1e-5)
    with pytest.raises(ValueError, match=r"aux_logits=True.*include_top=False"):
        inception_v3(aux_logits=True, include_top=False)
    with pytest.raises(ValueError, match=r"input_shape=\(298, 298, 3\).*at least 299"):
        inception_v3(aux_logits=True, input_shape=(298, 298, 3))
    with pytest.raises(ValueError, match=r"input_shape=\(74, 74, 3\).*at least 75"):
        inception_v3(input_shape=(74, 74, 3))


def test_factorized_blocks_share_pieces():
    # The 17x17 modules differ only in their width: one function, four tables.
    assert block_17x17(160)[1] == factorized_nxn(7, (160, 192), reduce=160)
    assert [c.label for c in factorized_nxn(7, (8, 8, 8), first="nx1")] == ["7x1", "1x7", "7x1"]


def _head(input_shape, table, conv, name):
    x = keras.Input(input_shape)
    outputs = auxiliary_head(
        x, table, name=name, conv=conv, classes=1000, classifier_activation="softmax"
    )
    return keras.Model(x, outputs)


def test_one_auxiliary_head_two_papers():
    # GoogLeNet, section 5, on 4a's 14x14x512: a 5x5/3 average pool (4x4x512), a 1x1 conv 128
    # with ReLU, an FC 1024 with ReLU, dropout 0.7 and the linear classifier; biases throughout.
    head = _head((14, 14, 512), GOOGLENET_AUX_HEAD, conv_relu, "aux1")
    assert head.get_layer("aux1_flatten").output.shape[-1] == 4 * 4 * 128
    assert head.get_layer("aux1_dropout").rate == 0.7
    assert count_params(head).total == (512 + 1) * 128 + (2048 + 1) * 1024 + (1024 + 1) * 1000
    # Inception v3, section 4 (TF-slim's sizes), on mixed7's 17x17x768: the same pool (5x5),
    # a 1x1 conv 128 and a 5x5 "valid" conv 768 (1x1), each without bias and with batch norm
    # without scale (beta, moving mean and variance), then the classifier: no FC, no dropout.
    head = _head((17, 17, 768), V3_AUX_HEAD, conv_bn, "aux")
    assert head.get_layer("aux_flatten").output.shape[-1] == 768
    assert count_params(head).total == (
        768 * 128 + 3 * 128 + 5 * 5 * 128 * 768 + 3 * 768 + (768 + 1) * 1000
    )
    assert not any(isinstance(layer, keras.layers.Dropout) for layer in head.layers)


def test_inception_blocks_registers_no_model():
    # The registry imports every module of models/; the shared one must add no name.
    names = list_models()
    assert {"googlenet", "inception_v3", "inception_v4", "inception_resnet_v2"} <= set(names)
    assert not [n for n in names if get_spec(n).builder.__module__ == inception_blocks.__name__]


# ---------------------------------------------------------------- Inception-v4, -ResNet


@pytest.fixture(scope="module")
def inception_v4_299():
    return inception_v4()


@pytest.fixture(scope="module")
def inception_resnet_v2_299():
    return inception_resnet(config="v2", classifier_activation=None)


def test_inception_v4_params_and_macs(inception_v4_299, inception_v3_299):
    model = inception_v4_299
    params = count_params(model)
    # The paper gives no parameter count. 42.7 M is timm's inception_v4 (a port of the
    # authors' TF-slim weights; timm's model card: 42.7 M params, 12.3 GMACs). timm's batch
    # norm learns a scale, ours (as TF-slim's) does not: with the scales (half the
    # non-trainable moving statistics) the trainable counts are equal, 42,679,816.
    assert params.trainable + params.non_trainable // 2 == 42_679_816
    assert params.total == pytest.approx(42.7e6, rel=0.002)
    assert count_macs(model) == pytest.approx(12.3e9, rel=0.01)
    for layer, shape in (
        ("mixed_5a", (35, 35, 384)),  # Figure 3's stem output
        ("reduction_a", (17, 17, 1024)),
        ("inception_b7", (17, 17, 1024)),
        ("inception_c3", (8, 8, 1536)),
    ):
        assert model.get_layer(layer).output.shape[1:] == shape


def test_inception_resnet_v2_params_and_macs(
    inception_resnet_v2_299, inception_v4_299, inception_v3_299
):
    # keras.applications.InceptionResNetV2(weights=None).count_params() == 55,873,736.
    assert count_params(inception_resnet_v2_299).total == 55_873_736
    # The paper gives no multiply-add counts, only comparisons (section 3): Inception-ResNet-v2
    # "matches the raw cost of the newly introduced Inception-v4 network", Inception-ResNet-v1
    # has "roughly the computational cost of Inception-v3". Measured: 13.16 G against 12.25 G
    # (7 % more) and 6.21 G against 5.71 G (9 % more); "matches" and "roughly" taken as 10 %.
    v2_macs = count_macs(inception_resnet_v2_299)
    assert v2_macs == pytest.approx(count_macs(inception_v4_299), rel=0.10)
    v1 = inception_resnet(config="v1")
    assert count_macs(v1) == pytest.approx(count_macs(inception_v3_299), rel=0.10)
    # Inception-ResNet-v1's grids, as the paper's Figures 14, 7 (k=192, l=192, m=256, n=384)
    # and 12: 35x35x256, 17x17x896, 8x8x1792, with 5, 10 and 5 blocks.
    assert v1.get_layer("block35_5_relu").output.shape[1:] == (35, 35, 256)
    assert v1.get_layer("block17_10_relu").output.shape[1:] == (17, 17, 896)
    assert v1.get_layer("block8_5_relu").output.shape[1:] == (8, 8, 1792)


def test_inception_resnet_v2_equals_keras_applications(inception_resnet_v2_299):
    reference = keras.applications.InceptionResNetV2(weights=None, classifier_activation=None)
    _assert_same_outputs(reference, inception_resnet_v2_299, "InceptionResNetV2")


def test_inception_resnet_v2_paper_config():
    # The paper's Figure 15 with Figure 3's stem: 35x35x384, 17x17x1152, 8x8x2144 (Figures 17
    # and 18 print 1154 and 2144: 1154 is a typo, 384 + 384 + 384 = 1152).
    model = inception_resnet(config="v2_paper", include_top=False, width_multiplier=0.25)
    names = {layer.name for layer in model.layers}
    assert model.get_layer("block35_5_relu").output.shape[-1] == 96  # 384 / 4
    assert model.get_layer("mixed_7a").output.shape[-1] == 536  # 2144 / 4
    assert "block35_6_relu" not in names and "conv_7b" not in names


@models
def test_scaled_residual_layer():
    layer = ScaledResidual(0.2, name="res")
    a = np.ones((1, 2, 2, 3), "float32")
    b = np.full((1, 2, 2, 3), 5.0, "float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer([a, b])), 2.0)
    clone = ScaledResidual.from_config(layer.get_config())
    assert clone.scale == 0.2 and clone.name == "res"
    for bad in (0, -0.1, 1.5, "0.2"):
        with pytest.raises(ValueError, match=r"scale must be a number in \(0, 1\].*received"):
            ScaledResidual(bad)


def test_inception_v4_and_resnet_bad_arguments():
    for bad in (0.0, 1.2, (0.1, 0.1, 2.0)):
        with pytest.raises(
            ValueError,
            match=r"residual_scale must be a number in \(0, 1\].*received residual_scale=",
        ):
            inception_resnet(config="v1", residual_scale=bad)
    with pytest.raises(ValueError, match=r"residual_scale must be one number.*\(0.1, 0.2\)"):
        inception_resnet(residual_scale=(0.1, 0.2))
    with pytest.raises(
        ValueError, match=r"blocks must be a tuple of 3 ints.*received blocks=\(4, 7\)"
    ):
        inception_v4(blocks=(4, 7))
    with pytest.raises(ValueError, match=r"config must be one of.*received config='v3'"):
        inception_resnet(config="v3")
    for builder in (inception_v4, inception_resnet):
        with pytest.raises(ValueError, match=r"input_shape=\(74, 74, 3\).*at least 75"):
            builder(input_shape=(74, 74, 3))


@models
def test_small_inception_resnet_runs():
    # A CPU-sized variant is one argument away: one block per stage, an eighth of the width.
    model = inception_resnet(
        config="v1",
        blocks=(1, 1, 1),
        width_multiplier=0.125,
        residual_scale=0.3,
        classes=3,
        input_shape=(75, 75, 3),
    )
    assert model.get_layer("block35_1_scaled_residual").scale == 0.3
    out = model.predict(np.zeros((1, 75, 75, 3), "float32"), verbose=0)
    np.testing.assert_allclose(out.sum(), 1.0, rtol=1e-5)
