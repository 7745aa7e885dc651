"""The interpretation tools on tiny hand-built nets whose answers are known, as plain functions
(no pytest), so that one list runs in-process on TensorFlow (``test_interpret.py``) and in a
child process on JAX and on PyTorch (``python interpret_checks.py`` with ``KERAS_BACKEND``
set: one line per check, ``PASS name`` or ``FAIL name`` with the traceback)."""

from __future__ import annotations

import sys
import traceback

import keras
import numpy as np
import threadpoolctl

from cnn_keras import analysis

# The informative region of the region nets: rows 1-2, columns 3-4, channel 1 of a 6x6x3 image.
REGION = (slice(1, 3), slice(3, 5), 1)


def _region_kernel(outputs: int, values) -> np.ndarray:
    kernel = np.zeros((6, 6, 3, outputs), "float32")
    kernel[REGION] = values
    return kernel.reshape(6 * 6 * 3, outputs)


def region_net(hidden: bool = False) -> keras.Model:
    """A 6x6x3 classifier whose two logits read only the pixels of ``REGION``: class 0's logit
    is ``2 * sum(region)``, class 1's ``-3 * sum(region)``. With ``hidden``, a ReLU layer of 4
    units between (each ``relu(sum(region))``), so the gradient depends on the image."""
    inputs = keras.Input((6, 6, 3))
    x = keras.layers.Flatten()(inputs)
    classifier = keras.layers.Dense(2, activation="softmax", use_bias=False)
    if not hidden:
        model = keras.Model(inputs, classifier(x))
        classifier.set_weights([_region_kernel(2, (2.0, -3.0))])
        return model
    dense = keras.layers.Dense(4, activation="relu", use_bias=False)
    model = keras.Model(inputs, classifier(dense(x)))
    dense.set_weights([_region_kernel(4, 1.0)])
    classifier.set_weights([np.tile([[0.5, -0.75]], (4, 1)).astype("float32")])
    return model


def _outside(heat: np.ndarray) -> np.ndarray:
    mask = np.ones(heat.shape, bool)
    mask[REGION[:2]] = False
    return heat[mask]


def check_saliency_is_the_weight_inside_and_zero_outside():
    model = region_net()
    image = np.random.default_rng(0).uniform(0, 1, (6, 6, 3)).astype("float32")
    for label, weight in ((0, 2.0), (1, 3.0)):
        heat = analysis.saliency_map(model, image, label)
        assert heat.shape == (6, 6)
        np.testing.assert_allclose(heat[REGION[:2]], weight, rtol=1e-6)
        assert np.all(_outside(heat) == 0.0)
    # The predicted class: class 0's logit is positive on a positive image.
    np.testing.assert_allclose(analysis.saliency_map(model, image), heat * 2 / 3, rtol=1e-6)


def check_smoothgrad_is_zero_outside_and_plain_on_a_linear_net():
    image = np.random.default_rng(1).uniform(0, 1, (6, 6, 3)).astype("float32")
    linear = region_net()
    smooth = analysis.smoothgrad(linear, image, 1, samples=8, noise=0.2)
    np.testing.assert_allclose(smooth, analysis.saliency_map(linear, image, 1), rtol=1e-5)
    relu = region_net(hidden=True)
    smooth = analysis.smoothgrad(relu, image, 0, samples=16, noise=0.5, seed=3)
    assert np.all(_outside(smooth) == 0.0) and np.all(smooth[REGION[:2]] > 0)


def grad_cam_net(pool: bool = False) -> keras.Model:
    """An 8x8 grey image: channel 0 of ``relu`` is ``relu(x)``, channel 1 ``relu(-x)``; class
    0's logit is channel 0's mean, class 1's channel 1's (a class activation map net)."""
    inputs = keras.Input((8, 8, 1))
    conv = keras.layers.Conv2D(2, 1, use_bias=False, name="conv")
    x = keras.layers.ReLU(name="relu")(conv(inputs))
    if pool:
        x = keras.layers.MaxPooling2D(2, name="pool")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    classifier = keras.layers.Dense(2, activation="softmax", use_bias=False, name="predictions")
    model = keras.Model(inputs, classifier(x))
    conv.set_weights([np.array([1.0, -1.0], "float32").reshape(1, 1, 1, 2)])
    classifier.set_weights([np.eye(2, dtype="float32")])
    return model


def _left_bright() -> np.ndarray:
    image = -np.ones((8, 8, 1), "float32")
    image[:, :4] = 1.0  # the left half bright, the right half dark
    return image


def check_grad_cam_lights_the_half_its_class_reads():
    model, image = grad_cam_net(), _left_bright()
    bright = analysis.grad_cam(model, image, "relu", 0, resize=False)
    np.testing.assert_allclose(bright[:, :4], 1 / 64, rtol=1e-5)  # mean gradient 1/64 x relu(1)
    assert np.all(bright[:, 4:] == 0)
    dark = analysis.grad_cam(model, image, "relu", 1)
    assert np.all(dark[:, :4] == 0) and np.all(dark[:, 4:] > 0)
    darker = image * np.where(image < 0, 2.0, 1.0).astype("float32")  # class 1 wins
    np.testing.assert_allclose(
        analysis.grad_cam(model, darker, "relu"), analysis.grad_cam(model, darker, "relu", 1)
    )
    coarse = analysis.grad_cam(grad_cam_net(pool=True), image, "pool", 0)
    assert coarse.shape == (8, 8)  # the 4x4 map, resized to the image
    assert np.all(coarse[:, :3] > 0) and np.allclose(coarse[:, 5:], 0)


def check_grad_cam_refuses_a_layer_inside_a_branch():
    inputs = keras.Input((8, 8, 1))
    a = keras.layers.Conv2D(2, 1, name="branch")(inputs)
    b = keras.layers.Conv2D(2, 1, name="shortcut")(inputs)
    x = keras.layers.GlobalAveragePooling2D()(keras.layers.Add(name="join")([a, b]))
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(x))
    try:
        analysis.grad_cam(model, _left_bright(), "branch", 0)
    except ValueError as error:
        assert "inside a branch" in str(error), error
    else:
        raise AssertionError("grad_cam accepted a layer inside a branch")
    assert analysis.grad_cam(model, _left_bright(), "join", 0).shape == (8, 8)


def check_filter_ascent_raises_the_activation():
    inputs = keras.Input((8, 8, 1))
    conv = keras.layers.Conv2D(2, 3, use_bias=False, name="conv")
    model = keras.Model(inputs, keras.layers.Flatten()(conv(inputs)))
    edge = np.array([[-1, 0, 1]] * 3, "float32")  # a vertical edge detector, and its opposite
    conv.set_weights([np.stack([edge, -edge], axis=-1)[:, :, None, :]])
    start = np.zeros((8, 8, 1), "float32")
    result = analysis.visualize_filters(model, "conv", [0, 1], steps=10, start=start)
    assert result.images.shape == (2, 8, 8, 1) and result.values.shape == (11, 2)
    assert np.all(result.values[-1] > result.values[0] + 1)
    assert np.all(np.diff(result.values, axis=0) > 0)  # linear: every step climbs
    np.testing.assert_allclose(result.images[0], -result.images[1], atol=1e-5)
    assert result.images[0, :, -1].mean() > 0 > result.images[0, :, 0].mean()  # dark to bright


def check_class_ascent_raises_the_score_and_moves_only_the_region():
    model = region_net()
    start = np.zeros((6, 6, 3), "float32")
    result = analysis.visualize_classes(model, [0, 1], steps=15, l2=0.01, start=start)
    assert np.all(result.values[-1] > result.values[0] + 1)
    for image, sign in zip(result.images, (1, -1), strict=True):
        assert np.all(_outside(image.max(axis=-1)) == 0) and np.all(_outside(image.min(-1)) == 0)
        assert np.all(sign * image[REGION] > 0)
    # Far too long a first step (the optimum of 2 * sum - |x|^2 is 1 in each region pixel):
    # refused and halved until one climbs; the objective never falls.
    big = analysis.visualize_classes(model, 0, steps=12, step_size=50.0, l2=1.0, start=start)
    assert np.all(np.diff(big.values, axis=0) >= 0) and big.values[-1, 0] > 3.0


def embedding_net() -> keras.Model:
    inputs = keras.Input((4, 4, 1))
    x = keras.layers.Flatten(name="flatten")(inputs)
    features = keras.layers.Dense(3, use_bias=False, name="features")
    x = keras.layers.Dropout(0.5)(features(x))
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax", name="fc")(x))
    kernel = np.zeros((16, 3), "float32")
    kernel[:8, 0] = 1.0  # feature 0: the top half's sum; 1: the bottom half's; 2: nothing
    kernel[8:, 1] = 1.0
    features.set_weights([kernel])
    return model


def check_embedding_reads_the_penultimate_features():
    model = embedding_net()
    assert analysis.penultimate_layer(model) == "features"  # the Dropout stepped over
    rng = np.random.default_rng(0)
    images = rng.normal(0, 0.1, (30, 4, 4, 1)).astype("float32")
    labels = np.arange(30) % 2
    images[labels == 0, :2] += 1.0  # class 0: a bright top half; class 1: a bright bottom
    images[labels == 1, 2:] += 1.0
    features = analysis.penultimate_features(model, images, batch_size=7)
    halves = np.stack([images[:, :2].sum(axis=(1, 2, 3)), images[:, 2:].sum(axis=(1, 2, 3))], 1)
    np.testing.assert_allclose(features[:, :2], halves, rtol=1e-5, atol=1e-5)
    assert np.all(features[:, 2] == 0)
    pca = analysis.embed_2d(features, method="pca")
    first = pca[:, 0] * np.sign(pca[labels == 0, 0].mean())
    assert np.all(first[labels == 0] > 0) and np.all(first[labels == 1] < 0)
    # One OpenMP thread: on a busy 2-core machine, t-SNE's threads spin for 20 s on 30 points.
    with threadpoolctl.threadpool_limits(limits=1):
        tsne = analysis.embed_2d(features, method="tsne", perplexity=5)
    distances = np.linalg.norm(tsne[:, None] - tsne[None], axis=-1) + np.eye(30) * 1e9
    assert np.all(labels[distances.argmin(axis=1)] == labels)  # each point's neighbour: its class


def check_occlusion_and_feature_maps():
    model = grad_cam_net()
    image = _left_bright()
    heat = analysis.occlusion_map(model, image, 0, patch=4, stride=4, fill=-1.0)
    assert heat.shape == (2, 2) and np.all(heat[:, 0] < heat[:, 1])  # covering the left hurts
    channels, maps = analysis.strongest_feature_maps(model, "relu", image, count=2)
    assert sorted(channels.tolist()) == [0, 1] and maps.shape == (2, 8, 8)


CHECKS = [value for name, value in sorted(globals().items()) if name.startswith("check_")]


def main() -> int:
    """Runs every check; prints ``PASS``/``FAIL`` lines and returns the number failed."""
    tensorflow_before = "tensorflow" in sys.modules
    failed = 0
    for check in CHECKS:
        try:
            check()
            print(f"PASS {check.__name__}")
        except Exception:  # noqa: BLE001  (report every check, then fail)
            failed += 1
            print(f"FAIL {check.__name__}\n{traceback.format_exc()}")
    print(f"BACKEND {keras.backend.backend()}")
    print(f"TENSORFLOW_IMPORTED {not tensorflow_before and 'tensorflow' in sys.modules}")
    return failed


if __name__ == "__main__":
    sys.exit(main())
