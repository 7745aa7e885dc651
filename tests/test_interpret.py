"""Zeiler and Fergus's tools on tiny hand-built nets whose answers are known."""

from __future__ import annotations

import keras
import numpy as np
import pytest

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
