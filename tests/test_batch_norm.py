"""``cnn_keras.batch_norm.BatchNormalization``: Keras's layer, computed by TensorFlow's fused kernel
on the TensorFlow backend. It must compute what Keras's layer computes (outputs, moving
averages, gradients, in training and inference, under a mixed policy), fall back where the fused
kernel does not apply, and be the batch norm every builder uses."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from cnn_keras import build_model
from cnn_keras.batch_norm import BatchNormalization

# Not marked ``models``: on JAX and PyTorch the layer is Keras's own code (``super().call``),
# so the TensorFlow run is the one that tests something.

CASES = {  # name: (input shape, layer keywords)
    "conv": ((4, 5, 5, 6), {}),
    "conv, resnet epsilon, no gamma": ((4, 5, 5, 6), {"epsilon": 1.001e-5, "scale": False}),
    "dense, no beta": ((16, 6), {"center": False, "momentum": 0.9}),
    "channels first (Keras's code)": ((4, 6, 5, 5), {"axis": 1}),
}


def twins(shape, kwargs):
    """Ours and Keras's layer, built, with the same random weights and moving averages."""
    rng = np.random.default_rng(0)
    ours, theirs = BatchNormalization(**kwargs), keras.layers.BatchNormalization(**kwargs)
    ours.build(shape)
    theirs.build(shape)
    for a, b in zip(ours.weights, theirs.weights, strict=True):
        value = rng.uniform(0.5, 1.5, a.shape).astype("float32")
        a.assign(value)
        b.assign(value)
    return ours, theirs


def tensorflow_only():
    """TensorFlow, or a skip: the fused kernel is used on the TensorFlow backend only."""
    tf = pytest.importorskip("tensorflow")
    if keras.backend.backend() != "tensorflow":
        pytest.skip("the fused kernel is used on the TensorFlow backend only")
    return tf


def numpy(x):
    return keras.ops.convert_to_numpy(keras.ops.cast(x, "float32"))


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("training", [True, False])
def test_computes_what_keras_computes(case, training):
    shape, kwargs = CASES[case]
    ours, theirs = twins(shape, kwargs)
    x = np.random.default_rng(1).normal(3.0, 2.0, shape).astype("float32")
    np.testing.assert_allclose(
        numpy(ours(x, training=training)), numpy(theirs(x, training=training)), atol=2e-5
    )
    for a, b in zip(ours.non_trainable_weights, theirs.non_trainable_weights, strict=True):
        np.testing.assert_allclose(numpy(a), numpy(b), rtol=1e-5, err_msg=a.path)


@pytest.mark.parametrize("case", CASES)
def test_gradients_are_kerass(case):
    tf = tensorflow_only()
    shape, kwargs = CASES[case]
    ours, theirs = twins(shape, kwargs)
    x = tf.constant(np.random.default_rng(2).normal(3.0, 2.0, shape).astype("float32"))
    weights = tf.constant(np.random.default_rng(3).normal(size=shape).astype("float32"))
    grads = []
    for layer in (ours, theirs):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(layer(x, training=True) * weights)
        grads.append(tape.gradient(loss, [x, *layer.trainable_weights]))
    for a, b in zip(*grads, strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("case", CASES)
def test_tensorflow_runs_the_fused_kernel_where_it_applies(case):
    tf = tensorflow_only()
    shape, kwargs = CASES[case]
    ours, _ = twins(shape, kwargs)
    graph = (
        tf.function(lambda x: ours(x, training=True))
        .get_concrete_function(tf.TensorSpec(shape, "float32"))
        .graph
    )
    kinds = {op.type for op in graph.get_operations()}
    fused = kwargs.get("axis", -1) == -1
    assert ("FusedBatchNormV3" in kinds) == fused, sorted(kinds)
    assert ("SquaredDifference" in kinds) != fused, sorted(kinds)  # Keras's variance


def test_mixed_bfloat16_computes_in_float32_and_returns_bfloat16():
    keras.config.set_dtype_policy("mixed_bfloat16")
    ours, theirs = twins((4, 5, 5, 6), {})
    x = keras.ops.cast(np.random.default_rng(4).normal(3.0, 2.0, (4, 5, 5, 6)), "bfloat16")
    a, b = ours(x, training=True), theirs(x, training=True)
    assert keras.backend.standardize_dtype(a.dtype) == "bfloat16"
    np.testing.assert_allclose(numpy(a), numpy(b), atol=2e-2)
    np.testing.assert_allclose(numpy(ours.moving_variance), numpy(theirs.moving_variance), 1e-5)


def test_serializes_with_every_argument():
    layer = BatchNormalization(epsilon=1.001e-5, momentum=0.9, scale=False, name="bn")
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(clone) is BatchNormalization
    assert (clone.epsilon, clone.momentum, clone.scale, clone.name) == (1.001e-5, 0.9, False, "bn")


@pytest.mark.parametrize(
    "name, kwargs, size",
    [
        ("resnet20_cifar", {}, 32),
        ("preact_resnet18", {"width_multiplier": 0.125}, 32),
        ("densenet_bc100_cifar", {"width_multiplier": 0.5}, 32),
        ("mobilenet", {"width_multiplier": 0.25}, 32),
        ("mobilenet_v2", {"width_multiplier": 0.35}, 32),
        ("efficientnet_b0", {"width_multiplier": 0.25}, 32),
        ("inception_v3", {"width_multiplier": 0.125, "aux_logits": False}, 75),
    ],
)
def test_every_builder_uses_it(name, kwargs, size):
    if keras.backend.backend() != "tensorflow":
        pytest.skip("which class a builder picks does not depend on the backend")
    model = build_model(name, input_shape=(size, size, 3), classes=10, **kwargs)
    kinds = [type(x) for x in model.layers if isinstance(x, keras.layers.BatchNormalization)]
    assert kinds and set(kinds) == {BatchNormalization}
