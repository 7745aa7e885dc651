"""The interpretation tools on tiny hand-built nets whose answers are known: Zeiler and
Fergus's occlusion and feature maps, and (``interpret_checks``) saliency, SmoothGrad, Grad-CAM,
gradient ascent and the embedding, on TensorFlow in-process and on JAX and PyTorch in child
processes (PyTorch skipped where torch is not installed: the project does not require it)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import interpret_checks
import keras
import numpy as np
import pytest

from cnn_keras import analysis
from cnn_keras.analysis import interpret


@pytest.fixture(scope="module")
def one_pixel_net():
    """A 4x4 grey-image classifier that looks at one pixel, (1, 2): class 0's logit is
    5 times that pixel, class 1's is -5 times it."""
    inputs = keras.Input((4, 4, 1))
    dense = keras.layers.Dense(2, activation="softmax")
    model = keras.Model(inputs, dense(keras.layers.Flatten()(inputs)))
    kernel = np.zeros((16, 2), "float32")
    kernel[1 * 4 + 2] = (5.0, -5.0)
    dense.set_weights([kernel, np.zeros(2, "float32")])
    return model


def test_occluding_the_informative_pixel_lowers_the_true_class(one_pixel_net):
    image = np.ones((4, 4, 1), "float32")
    heat = interpret.occlusion_map(one_pixel_net, image, 0, patch=2, stride=1, fill=0.0)
    assert heat.shape == (3, 3)
    covers = np.zeros((3, 3), bool)
    covers[0:2, 1:3] = True  # squares with top-left corner (r, c) covering pixel (1, 2)
    np.testing.assert_allclose(heat[covers], 0.5, rtol=1e-5)  # logits 0 and 0
    unoccluded = one_pixel_net.predict(image[None], verbose=0)[0, 0]
    np.testing.assert_allclose(heat[~covers], unoccluded, rtol=1e-5)
    assert unoccluded > 0.99


def test_occlusion_grid_and_bad_arguments(one_pixel_net):
    assert interpret.occlusion_grid(53, 9, 4) == list(range(0, 45, 4))
    image = np.ones((4, 4, 1), "float32")
    with pytest.raises(ValueError, match=r"patch must be an int in 1\.\.4.*received 5"):
        interpret.occlusion_map(one_pixel_net, image, 0, patch=5)
    with pytest.raises(ValueError, match="stride must be a positive int; received stride=0"):
        interpret.occlusion_map(one_pixel_net, image, 0, patch=2, stride=0)
    with pytest.raises(
        ValueError, match=r"label must be an int in \[0, 1\] \(a class index\); received label=2"
    ):
        interpret.occlusion_map(one_pixel_net, image, 2, patch=2)
    with pytest.raises(ValueError, match=r"image must be one image.*\(1, 4, 4, 1\)"):
        interpret.occlusion_map(one_pixel_net, image[None], 0, patch=2)


def test_strongest_feature_maps_order_by_peak_activation():
    inputs = keras.Input((3, 3, 1))
    conv = keras.layers.Conv2D(3, 1, use_bias=False, name="conv")
    model = keras.Model(inputs, keras.layers.Flatten()(conv(inputs)))
    conv.set_weights([np.array([1.0, 3.0, 2.0], "float32").reshape(1, 1, 1, 3)])
    image = np.arange(9, dtype="float32").reshape(3, 3, 1)
    channels, maps = interpret.strongest_feature_maps(model, "conv", image, count=2)
    assert list(channels) == [1, 2]
    np.testing.assert_allclose(maps, [3 * image[..., 0], 2 * image[..., 0]])
    with pytest.raises(ValueError, match=r"count must be an int in \[1, 3\].*received count=4"):
        interpret.strongest_feature_maps(model, "conv", image, count=4)
    with pytest.raises(ValueError, match="layer_name='conv9' is not a layer"):
        interpret.strongest_feature_maps(model, "conv9", image)
    with pytest.raises(ValueError, match="not feature maps"):
        interpret.strongest_feature_maps(model, model.layers[-1].name, image)


# --- Saliency, SmoothGrad, Grad-CAM, gradient ascent, embedding: on every backend ---------------


@pytest.mark.parametrize("check", interpret_checks.CHECKS, ids=lambda c: c.__name__)
def test_interpretation_in_process(check):
    """Each check of ``interpret_checks`` on this run's backend (TensorFlow in ``make test``)."""
    check()


def _other_backends():
    here = keras.backend.backend()
    torch = importlib.util.find_spec("torch") is not None
    return [
        pytest.param(
            backend,
            marks=pytest.mark.skipif(
                backend == "torch" and not torch,
                reason="torch is not installed (not a project dependency)",
            ),
        )
        for backend in ("tensorflow", "jax", "torch")
        if backend != here
    ]


@pytest.mark.parametrize("backend", _other_backends())
def test_interpretation_on_other_backends(backend):
    """The same checks in a child process on the other backends, each gradient written for it
    (jax.grad through stateless_call, torch.autograd); off TensorFlow, the tools import no
    TensorFlow."""
    tests = os.path.dirname(os.path.abspath(__file__))
    env = {
        **os.environ,
        "KERAS_BACKEND": backend,
        "PYTHONPATH": os.pathsep.join([os.path.dirname(tests), tests]),
    }
    done = subprocess.run(
        [sys.executable, os.path.join(tests, "interpret_checks.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = done.stdout.splitlines()
    passed = {line.split()[1] for line in lines if line.startswith("PASS ")}
    assert done.returncode == 0 and passed == {c.__name__ for c in interpret_checks.CHECKS}, (
        done.stdout[-4000:] + done.stderr[-2000:]
    )
    assert f"BACKEND {backend}" in lines
    if backend != "tensorflow":
        assert "TENSORFLOW_IMPORTED False" in lines


def test_interpretation_bad_arguments():
    model = interpret_checks.grad_cam_net()
    image = np.zeros((8, 8, 1), "float32")
    with pytest.raises(ValueError, match=r"image must be one image.*\(8, 8, 1\).*\(1, 8, 8, 1\)"):
        analysis.saliency_map(model, image[None])
    with pytest.raises(ValueError, match=r"label must be a class index in \[0, 1\].*\[2\]"):
        analysis.saliency_map(model, image, 2)
    with pytest.raises(ValueError, match=r"layer_name='conv9' is not a layer"):
        analysis.grad_cam(model, image, "conv9")
    with pytest.raises(ValueError, match=r"not feature maps"):
        analysis.grad_cam(model, image, "predictions")
    with pytest.raises(ValueError, match=r"samples must be an int in \[1, 1024\].*samples=0"):
        analysis.smoothgrad(model, image, samples=0)
    with pytest.raises(ValueError, match=r"filters must be an int in \[0, 1\].*filters=2"):
        analysis.visualize_filters(model, "conv", [0, 2])
    with pytest.raises(ValueError, match=r"crop must leave part of the 8x8 map"):
        analysis.visualize_filters(model, "conv", 0, crop=4)
    with pytest.raises(ValueError, match=r"start must be one image.*\(8, 8, 1\)"):
        analysis.visualize_classes(model, 0, start=np.zeros((4, 4, 1)))
    with pytest.raises(ValueError, match=r"method must be one of 'pca' or 'tsne'"):
        analysis.embed_2d(np.zeros((5, 3)), method="umap")
    assert analysis.class_scores(model).output_shape == (None, 2)


def test_class_scores_strips_a_softmax_layer_and_shares_the_weights():
    inputs = keras.Input((3,))
    dense = keras.layers.Dense(2, name="fc")
    model = keras.Model(inputs, keras.layers.Softmax()(dense(inputs)))
    x = np.array([[1.0, 2.0, 3.0]], "float32")
    scores = analysis.class_scores(model)
    np.testing.assert_allclose(scores(x), dense(x), rtol=1e-6)
    logits_model = interpret_checks.grad_cam_net()
    stripped = analysis.class_scores(logits_model)
    logits_model.get_layer("predictions").kernel.assign(2 * np.eye(2, dtype="float32"))
    image = interpret_checks._left_bright()[None]
    # Both halves' means are 1/2: doubled by the kernel assigned after stripping (shared).
    np.testing.assert_allclose(keras.ops.convert_to_numpy(stripped(image)), [[1.0, 1.0]])


def test_interpretation_figures():
    import matplotlib.pyplot as plt

    from cnn_keras import interpret_plots

    image = interpret_checks._left_bright()
    heat = analysis.grad_cam(
        interpret_checks.grad_cam_net(pool=True), image, "pool", 0, resize=False
    )
    figure = interpret_plots.plot_heatmaps(
        [image, image], [heat, np.ones((8, 8))], titles=["Grad-CAM", "flat"], where="here"
    )
    assert len([ax for ax in figure.axes if ax.images]) == 2
    assert any(text.get_text() == "here" for text in figure.texts)
    with pytest.raises(ValueError, match=r"one heat map \(and title\) per image"):
        interpret_plots.plot_heatmaps([image], [heat, heat])
    ascent = analysis.Ascent(np.random.default_rng(0).normal(size=(5, 8, 8, 1)), np.zeros((2, 5)))
    figure = interpret_plots.plot_image_grid(ascent, titles=list("abcde"), columns=3)
    assert len([ax for ax in figure.axes if ax.images]) == 5
    points = np.random.default_rng(0).normal(size=(20, 2))
    figure = interpret_plots.plot_embedding(points, np.arange(20) % 4, class_names=list("wxyz"))
    assert [t.get_text() for t in figure.axes[0].get_legend().get_texts()] == list("wxyz")
    plt.close("all")
