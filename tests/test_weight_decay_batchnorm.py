"""The papers' L2 weight decay (added to the gradient before momentum) and the papers' batch
normalization momentum, as ``compile_model`` sets them; the backend-neutral helpers the
notebooks train with (gradient norms, repeated labels for auxiliary outputs)."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest

from cnn_keras import analysis, build_model, data, training

pytestmark = pytest.mark.models

LR, MOMENTUM, L2, SLOPE = 0.1, 0.9, 0.01, 0.5  # the loss is SLOPE * w: its gradient is SLOPE


def _steps(optimizer, steps: int, w0: float = 1.0) -> list[float]:
    """``w`` after each of ``steps`` updates with the constant loss gradient ``SLOPE``."""
    variable = keras.Variable(np.float32(w0))
    values = []
    for _ in range(steps):
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(np.float32(SLOPE)), variable)])
        values.append(float(keras.ops.convert_to_numpy(variable)))
    return values


def test_sgd_l2_is_added_to_the_gradient_before_momentum():
    # By hand: g_t = SLOPE + L2 * w_{t-1}; m_t = MOMENTUM * m_{t-1} - LR * g_t; w_t = w_{t-1} + m_t.
    w1 = 1.0 - LR * (SLOPE + L2 * 1.0)  # 0.949
    m1 = w1 - 1.0
    w2 = w1 + MOMENTUM * m1 - LR * (SLOPE + L2 * w1)
    m2 = w2 - w1
    w3 = w2 + MOMENTUM * m2 - LR * (SLOPE + L2 * w2)
    ours = _steps(training.SGDWithL2(LR, l2=L2, momentum=MOMENTUM), 3)
    np.testing.assert_allclose(ours, [w1, w2, w3], rtol=1e-6)
    # Keras's decoupled weight_decay shrinks w outside the momentum: not the same numbers.
    keras_decoupled = _steps(keras.optimizers.SGD(LR, momentum=MOMENTUM, weight_decay=L2), 3)
    assert abs(keras_decoupled[2] - w3) > 1e-4


def test_rmsprop_l2_is_added_to_the_gradient_before_the_averages():
    rho, eps = 0.9, 1.0
    w, velocity, expected = 1.0, 0.0, []
    for _ in range(2):
        g = SLOPE + L2 * w
        velocity = rho * velocity + (1 - rho) * g * g
        w -= LR * g / math.sqrt(velocity + eps)
        expected.append(w)
    optimizer = training.RMSpropWithL2(LR, l2=L2, rho=rho, epsilon=eps)
    np.testing.assert_allclose(_steps(optimizer, 2), expected, rtol=1e-6)


def test_coupled_decay_is_about_ten_times_keras_decoupled_with_momentum_0_9():
    # No loss at all: only the decay moves w. Coupled, the momentum average carries the decay
    # and multiplies it by about 1 / (1 - 0.9) = 10 once warmed up (9.1 on average over the
    # first 100 steps).
    def shrink(optimizer):
        variable = keras.Variable(np.float32(1.0))
        zero = keras.ops.convert_to_tensor(np.float32(0.0))
        for _ in range(100):
            optimizer.apply_gradients([(zero, variable)])
        return -math.log(float(keras.ops.convert_to_numpy(variable)))

    coupled = shrink(training.SGDWithL2(0.1, l2=1e-3, momentum=0.9))
    decoupled = shrink(keras.optimizers.SGD(0.1, momentum=0.9, weight_decay=1e-3))
    assert 8.5 < coupled / decoupled < 10, coupled / decoupled


def test_l2_optimizers_serialize_and_check_their_argument():
    optimizer = training.SGDWithL2(0.05, l2=5e-4, momentum=0.9, nesterov=True)
    copy = keras.optimizers.deserialize(keras.optimizers.serialize(optimizer))
    assert isinstance(copy, training.SGDWithL2) and (copy.l2, copy.nesterov) == (5e-4, True)
    with pytest.raises(ValueError, match=r"l2 must be a number in \[0, 1\).*l2=-0.1"):
        training.RMSpropWithL2(0.01, l2=-0.1)


def test_compile_model_uses_the_papers_l2_and_batchnorm_momentum():
    model = build_model("resnet20_cifar", input_shape=(8, 8, 1), classes=3)
    recipe = training.recipe_for("resnet20_cifar")
    training.compile_model(model, recipe, steps_per_epoch=1, epochs=1)
    assert isinstance(model.optimizer, training.SGDWithL2)
    assert model.optimizer.l2 == recipe.weight_decay == 1e-4
    assert model.optimizer.weight_decay is None  # not Keras's decoupled form as well
    layers = training.batchnorm_layers(model)
    assert len(layers) == 19 and {layer.momentum for layer in layers} == {0.9}

    # One training step moves the moving mean 10 % of the way to the batch mean (0.99: 1 %), on
    # a small net (a training step of ResNet-20 compiles for half a minute on JAX).
    inputs = keras.Input((8, 8, 1))
    conv = keras.layers.Conv2D(4, 3, name="conv")(inputs)
    bn = keras.layers.BatchNormalization(name="bn")
    pooled = keras.layers.GlobalAveragePooling2D()(bn(conv))
    small = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(pooled))
    training.compile_model(small, recipe)
    images = np.random.default_rng(0).normal(2.0, 1.0, (16, 8, 8, 1)).astype("float32")
    batch_mean = keras.ops.convert_to_numpy(keras.Model(inputs, conv)(images)).mean(axis=(0, 1, 2))
    before = keras.ops.convert_to_numpy(bn.moving_mean)
    small.train_on_batch(images, np.zeros(16, "int32"))
    after = keras.ops.convert_to_numpy(bn.moving_mean)
    np.testing.assert_allclose(after - before, 0.1 * (batch_mean - before), rtol=1e-3, atol=1e-5)


def test_gradient_norms_match_the_closed_form_on_every_backend():
    # softmax(x W) with W = 0: p = 1/2 for both classes, dL/dW = x^T (p - onehot) / n.
    inputs = keras.Input((3,))
    dense = keras.layers.Dense(2, use_bias=False, kernel_initializer="zeros", name="fc")
    model = keras.Model(inputs, keras.layers.Activation("softmax")(dense(inputs)))
    x = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0]], "float32")
    y = np.array([0, 1], "int32")
    expected = x.T @ (np.full((2, 2), 0.5) - np.eye(2)[y]) / 2
    norms = analysis.gradient_norms(model, x, y)
    assert list(norms) == ["fc"]
    np.testing.assert_allclose(norms["fc"], np.linalg.norm(expected), rtol=1e-5)


def test_repeat_labels_for_auxiliary_outputs_on_numpy_splits():
    x = np.zeros((10, 8, 8, 1), "float32")
    y = np.arange(10, dtype="int32")
    base = data.Splits(
        train=data.ArrayDataset(x, y, batch_size=4, training=True),
        test=data.ArrayDataset(x, y, batch_size=4, training=False),
        num_classes=10,
        name="toy",
    )
    repeated = data.repeat_labels(base, 3)
    images, labels = repeated.test[0]
    assert images.shape == (4, 8, 8, 1) and len(labels) == 3
    assert all(list(copy) == [0, 1, 2, 3] for copy in labels)
    assert len(repeated.train) == 3
    with pytest.raises(ValueError, match=r"copies must be an int >= 1.*copies=0"):
        data.repeat_labels(base, 0)
