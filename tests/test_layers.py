"""Shared layers: LRN against TensorFlow's, its float32 under mixed precision, the head."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from cnn_keras.heads import classifier_head
from cnn_keras.layers import LocalResponseNormalization, conv_bn_act, lrn_by_window

pytestmark = pytest.mark.models


def test_lrn_defaults_are_the_papers():
    layer = LocalResponseNormalization()
    assert (layer.size, layer.bias, layer.alpha, layer.beta) == (5, 2.0, 1e-4, 0.75)


@pytest.mark.parametrize("size", [3, 5, 7])
def test_lrn_matches_tensorflow(size):
    tf = pytest.importorskip("tensorflow")
    if keras.backend.backend() != "tensorflow":
        pytest.skip("compares with tf.nn on the TensorFlow backend")
    x = np.random.default_rng(0).normal(0, 30, (2, 5, 5, 12)).astype("float32")
    ours = keras.ops.convert_to_numpy(LocalResponseNormalization(size=size, alpha=1e-3)(x))
    theirs = tf.nn.local_response_normalization(
        x, depth_radius=(size - 1) // 2, bias=2.0, alpha=1e-3, beta=0.75
    ).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)


def test_lrn_tensorflow_op_and_window_sum_agree_with_gradients():
    """On TensorFlow the layer calls tf.nn's op (speed); it must compute, and differentiate,
    what the backend-neutral window sum does."""
    tf = pytest.importorskip("tensorflow")
    if keras.backend.backend() != "tensorflow":
        pytest.skip("the TensorFlow op is used on the TensorFlow backend only")
    x = tf.constant(np.random.default_rng(2).normal(0, 30, (2, 3, 3, 10)).astype("float32"))
    layer = LocalResponseNormalization(size=5, alpha=1e-3)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        op = layer(x)
        window = lrn_by_window(x, 5, 2.0, 1e-3, 0.75)
        weights = tf.constant(np.random.default_rng(3).normal(size=x.shape).astype("float32"))
        op_loss, window_loss = tf.reduce_sum(op * weights), tf.reduce_sum(window * weights)
    np.testing.assert_allclose(op.numpy(), window.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        tape.gradient(op_loss, x).numpy(),
        tape.gradient(window_loss, x).numpy(),
        rtol=1e-4,
        atol=1e-6,
    )


def test_lrn_against_the_papers_formula():
    x = np.random.default_rng(1).normal(0, 50, (1, 1, 1, 8)).astype("float32")
    ours = keras.ops.convert_to_numpy(LocalResponseNormalization()(x))[0, 0, 0]
    a = x[0, 0, 0]
    expected = [
        a[i] / (2 + 1e-4 * np.sum(a[max(0, i - 2) : min(8, i + 3)] ** 2)) ** 0.75 for i in range(8)
    ]
    np.testing.assert_allclose(ours, expected, rtol=1e-5)


def test_lrn_stays_float32_under_mixed_precision():
    keras.config.set_dtype_policy("mixed_float16")
    inputs = keras.Input((4, 4, 8))
    x = keras.layers.Conv2D(8, 1, name="conv")(inputs)
    normalized = LocalResponseNormalization(name="norm")(x)
    assert x.dtype == "float16"
    assert normalized.dtype == "float32"
    big = np.full((1, 4, 4, 8), 300.0, "float32")  # 300**2 overflows float16
    out = keras.Model(inputs, normalized)(big)
    assert np.all(np.isfinite(keras.ops.convert_to_numpy(out)))


def test_lrn_serializes():
    layer = LocalResponseNormalization(size=3, bias=1.0, alpha=2e-4, beta=0.5, name="n")
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert (clone.size, clone.bias, clone.alpha, clone.beta) == (3, 1.0, 2e-4, 0.5)


@pytest.mark.parametrize("size", [0, 4, 2.5])
def test_lrn_rejects_even_or_bad_size(size):
    with pytest.raises(ValueError, match=r"size must be an odd positive int.*size="):
        LocalResponseNormalization(size=size)


def test_conv_bn_act_names_and_bias():
    inputs = keras.Input((8, 8, 3))
    x = conv_bn_act(inputs, 4, 3, name="conv1")
    model = keras.Model(inputs, x)
    assert [layer.name for layer in model.layers[1:]] == ["conv1", "conv1_bn", "conv1_relu"]
    assert model.get_layer("conv1").use_bias is False
    plain = conv_bn_act(inputs, 4, 3, batch_norm=False, name="conv2")
    assert keras.Model(inputs, plain).get_layer("conv2").use_bias is True


def test_head_dropout_sits_on_fc6_and_fc7():
    inputs = keras.Input((2, 2, 3))
    out = classifier_head(
        inputs,
        include_top=True,
        pooling=None,
        classes=5,
        classifier_activation="softmax",
        flatten=True,
        hidden=[("fc6", 8), ("fc7", 8)],
        dropout=0.5,
        classifier_name="fc8",
    )
    names = [layer.name for layer in keras.Model(inputs, out).layers[1:]]
    assert names == ["flatten", "fc6", "fc7_dropout", "fc7", "fc8_dropout", "fc8"]


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"classes": 0}, r"classes must be an int >= 1.*classes=0"),
        ({"classes": 2.5}, r"classes=2.5"),
        ({"pooling": "mean"}, r"pooling must be one of None, 'avg' or 'max'.*pooling='mean'"),
    ],
)
def test_head_rejects_bad_arguments(kwargs, pattern):
    args = dict(include_top=True, pooling=None, classes=3, classifier_activation=None) | kwargs
    with pytest.raises(ValueError, match=pattern):
        classifier_head(keras.Input((2, 2, 3)), **args)
