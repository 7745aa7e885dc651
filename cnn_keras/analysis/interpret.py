"""Seeing what a trained convnet learned, after Zeiler and Fergus (2013).

Two of the paper's tools, for one image and any Keras classifier:

- :func:`strongest_feature_maps`: the channels of a layer that respond most to the image (the
  paper shows "the strongest feature map" of a layer, section 4.2 and Figure 7);
- :func:`occlusion_map`: slide a grey square over the image and record the probability of the
  true class at each position (section 4.2, "Occlusion Sensitivity"): where it drops, the net
  was looking.

Reference: [Visualizing and Understanding Convolutional Networks](https://arxiv.org/abs/1311.2901)
(ECCV 2014).
"""

from __future__ import annotations

import keras
import numpy as np

from cnn_keras.analysis.backprop import feature_map_layer
from cnn_keras.checks import check_int


def _check_image(model: keras.Model, image) -> np.ndarray:
    image = np.asarray(image, dtype="float32")
    expected = tuple(model.input_shape[1:])
    if image.ndim != 3 or any(
        e is not None and e != s for e, s in zip(expected, image.shape, strict=True)
    ):
        raise ValueError(
            f"image must be one image of the model's input shape {expected} (height, width, "
            f"channels, no batch axis); received an array of shape {image.shape}."
        )
    return image


def occlusion_grid(size: int, patch: int, stride: int) -> list[int]:
    """The first row (or column) of each position of a ``patch``-wide square slid over ``size``
    pixels with step ``stride``: ``0, stride, 2 * stride, ...`` while the square fits.

    Raises:
        ValueError: if ``patch`` is not in ``1..size`` or ``stride`` is not a positive int.
    """
    if not isinstance(patch, int) or not 1 <= patch <= size:
        raise ValueError(f"patch must be an int in 1..{size} (the image side); received {patch!r}.")
    if not isinstance(stride, int) or stride < 1:
        raise ValueError(f"stride must be a positive int; received stride={stride!r}.")
    return list(range(0, size - patch + 1, stride))


def occlusion_map(
    model: keras.Model,
    image,
    label: int,
    *,
    patch: int = 8,
    stride: int = 4,
    fill: float = 0.0,
    batch_size: int = 128,
) -> np.ndarray:
    """The model's probability of ``label`` with a ``patch`` x ``patch`` square of value
    ``fill`` laid over ``image`` at each position of :func:`occlusion_grid`.

    ``fill`` is the grey the paper uses: on standardized input, 0 is the training set's mean.

    Args:
        model: a classifier whose output is a probability per class (a softmax).
        image: one image, ``(height, width, channels)``, as the model sees it.
        label: the class whose probability is mapped (the true class).

    Returns:
        ``(rows, columns)`` float array; entry ``[i, j]`` is the probability with the square's
        top-left corner at ``(rows_grid[i], columns_grid[j])``.

    Raises:
        ValueError: for an image of the wrong shape, a label out of range, a bad patch or stride.
    """
    image = _check_image(model, image)
    classes = model.output_shape[-1]
    label = check_int("label", label, minimum=0, maximum=classes - 1, hint="a class index")
    rows = occlusion_grid(image.shape[0], patch, stride)
    columns = occlusion_grid(image.shape[1], patch, stride)
    occluded = np.repeat(image[None], len(rows) * len(columns), axis=0)
    for index, (top, left) in enumerate((r, c) for r in rows for c in columns):
        occluded[index, top : top + patch, left : left + patch, :] = fill
    probabilities = model.predict(occluded, batch_size=batch_size, verbose=0)[:, label]
    return probabilities.reshape(len(rows), len(columns))


def strongest_feature_maps(
    model: keras.Model, layer_name: str, image, *, count: int = 8
) -> tuple[np.ndarray, np.ndarray]:
    """The ``count`` channels of ``layer_name``'s output that respond most strongly to
    ``image`` (largest activation anywhere in the map), strongest first.

    Returns:
        ``(channels, maps)``: the channel indices, shape ``(count,)``, and their maps, shape
        ``(count, height, width)``.

    Raises:
        ValueError: for an unknown layer, a layer whose output is not a feature map, an image
            of the wrong shape or a ``count`` out of range.
    """
    image = _check_image(model, image)
    output = feature_map_layer(model, layer_name).output
    channels = output.shape[-1]
    count = check_int("count", count, minimum=1, maximum=channels, hint="feature maps to show")
    probe = keras.Model(model.input, output)
    maps = keras.ops.convert_to_numpy(probe(image[None]))[0]
    strongest = np.argsort(-maps.max(axis=(0, 1)), kind="stable")[:count]
    return strongest, np.moveaxis(maps[..., strongest], -1, 0)
