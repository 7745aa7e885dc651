"""What a unit of a trained net responds to, by gradient ascent on the input image, on every
backend:

- :func:`visualize_filters`: an image that maximizes the mean activation of one channel of a
  conv layer (Erhan et al. 2009; Chollet, *Deep Learning with Python*, chapter on
  interpreting convnets), one image per filter, all in one batch;
- :func:`visualize_classes`: an image that maximizes a class score minus an L2 penalty on the
  image, ``S_c(I) - l2 * |I|^2`` (Simonyan et al. 2013, section 2), one per class.

Each step adds ``step_size`` times the gradient divided by its root mean square, so the step
has the same size whatever the scale of the activations; a step that would lower an image's
objective is not taken, and that image's step size is halved, so the objective never falls;
``value_range`` clips the image after each step (a picture must stay a picture). Both return
the images and the objective at every step, so that a notebook (and a test) can see it rise.

References: [Erhan et al.](https://www.researchgate.net/publication/265022827),
[Simonyan et al.](https://arxiv.org/abs/1312.6034).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import keras
import numpy as np

from cnn_keras.analysis.backprop import class_scores, feature_map_layer, gradient_function, pick
from cnn_keras.checks import check_float, check_int


class Ascent(NamedTuple):
    """The result of a gradient ascent.

    Attributes:
        images: the final images, ``(count, height, width, channels)``, one per target.
        values: each image's objective at the start and after each step, ``(steps + 1,
            count)``; never falling (a step not taken repeats the value before it).
    """

    images: np.ndarray
    values: np.ndarray


def visualize_filters(
    model: keras.Model,
    layer_name: str,
    filters: int | Sequence[int],
    *,
    steps: int = 30,
    step_size: float = 0.1,
    start=None,
    crop: int = 0,
    value_range: tuple[float, float] | None = None,
    seed: int = 0,
) -> Ascent:
    """Images that each maximize one channel's mean activation in ``layer_name``.

    Args:
        model: any model with one image input.
        layer_name: a layer whose output is feature maps ``(batch, height, width, channels)``.
        filters: a channel index, or several (one image each, optimized together).
        steps: gradient-ascent steps (each one gradient of the batch).
        step_size: each step's root-mean-square change of a pixel, in the units of the
            model's input (0.1 suits standardized images; raise it for inputs in [0, 255],
            such as caffe-style VGG and ResNet input); halved for an image whenever a step
            would lower its objective.
        start: the first image, ``(height, width, channels)`` (the data's mean image, say);
            default: small Gaussian noise (standard deviation 0.1) around 0.
        crop: leave this many positions at each border of the map out of the mean (border
            effects make the edges of the map respond differently).
        value_range: ``(low, high)`` to clip the image to after each step; ``None``: no clip.
        seed: the random seed of the default start.

    Returns:
        :class:`Ascent`.

    Raises:
        ValueError: for an unknown layer, one without feature maps, a channel out of range,
            or a bad number.
    """
    output = feature_map_layer(model, layer_name).output
    channels = output.shape[-1]
    filters = _indices("filters", filters, channels, "a channel of the layer")
    height, width = output.shape[1:3]
    crop = check_int("crop", crop, minimum=0, hint="positions left out at each border")
    if height is not None and width is not None and 2 * crop >= min(height, width):
        raise ValueError(f"crop must leave part of the {height}x{width} map; received crop={crop}.")
    probe = keras.Model(model.input, output, name=f"{layer_name}_probe")

    def objective(maps, _):
        inner = maps[:, crop : maps.shape[1] - crop, crop : maps.shape[2] - crop, :]
        return pick(keras.ops.mean(inner, axis=(1, 2)), filters)

    return _ascend(probe, objective, len(filters), steps, step_size, start, value_range, seed)


def visualize_classes(
    model: keras.Model,
    labels: int | Sequence[int],
    *,
    steps: int = 50,
    step_size: float = 0.1,
    l2: float = 0.01,
    start=None,
    value_range: tuple[float, float] | None = None,
    seed: int = 0,
) -> Ascent:
    """Images that each maximize one class score (the logit) minus ``l2 * sum(image ** 2)``.

    Args:
        model: a classifier (a final softmax is stripped, see ``class_scores``).
        labels: a class index, or several (one image each, optimized together).
        steps, step_size, start, value_range, seed: as :func:`visualize_filters`.
        l2: the weight of the L2 penalty that keeps the image from growing without bound.

    Returns:
        :class:`Ascent`, whose ``values`` include the penalty.
    """
    scores = class_scores(model)
    labels = _indices("labels", labels, scores.output_shape[-1], "a class index")
    l2 = check_float("l2", l2, minimum=0.0, hint="the weight of the image's L2 penalty")

    def objective(logits, images):
        return pick(logits, labels) - l2 * keras.ops.sum(keras.ops.square(images), axis=(1, 2, 3))

    return _ascend(scores, objective, len(labels), steps, step_size, start, value_range, seed)


def _indices(name: str, values, count: int, hint: str) -> np.ndarray:
    listed = [values] if not isinstance(values, (list, tuple, np.ndarray)) else list(values)
    if not listed:
        raise ValueError(f"{name} must name at least one index; received {name}={values!r}.")
    return np.array(
        [check_int(name, v, minimum=0, maximum=count - 1, hint=hint) for v in listed], "int64"
    )


def _ascend(model, objective, count, steps, step_size, start, value_range, seed) -> Ascent:
    steps = check_int("steps", steps, minimum=1, maximum=10_000, hint="gradient-ascent steps")
    step_size = check_float("step_size", step_size, minimum=0.0, min_inclusive=False)
    shape = tuple(model.input_shape[1:])
    if any(s is None for s in shape):
        raise ValueError(f"the model's input shape {shape} must be fixed for gradient ascent.")
    if start is None:
        image = np.random.default_rng(seed).normal(0.0, 0.1, shape).astype("float32")
    else:
        image = np.asarray(start, dtype="float32")
        if image.shape != shape:
            raise ValueError(
                f"start must be one image of the model's input shape {shape}; received an "
                f"array of shape {image.shape}."
            )
    if value_range is not None:
        low, high = (float(v) for v in value_range)
        if not low < high:
            raise ValueError(
                f"value_range must be (low, high) with low < high; received "
                f"value_range={value_range!r}."
            )
        image = np.clip(image, low, high)
    images = np.repeat(image[None], count, axis=0)
    sizes = np.full((count, 1, 1, 1), step_size, "float32")
    step = gradient_function(model, objective)
    values, gradients = step(images)
    history = [values]
    for _ in range(steps):
        rms = np.sqrt(np.mean(np.square(gradients), axis=(1, 2, 3), keepdims=True))
        candidates = images + sizes * gradients / (rms + 1e-12)
        if value_range is not None:
            candidates = np.clip(candidates, low, high)
        new_values, new_gradients = step(candidates)
        better = new_values >= values  # a step that would lower the objective is not taken
        kept = better[:, None, None, None]
        images = np.where(kept, candidates, images)
        gradients = np.where(kept, new_gradients, gradients)
        values = np.where(better, new_values, values)
        sizes = np.where(kept, sizes, sizes / 2)
        history.append(values)
    return Ascent(images.astype("float32"), np.stack(history))
