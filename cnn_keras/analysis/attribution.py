"""Which pixels a classifier's decision rests on, for one image, on every backend:

- :func:`saliency_map`: the gradient of the class score with respect to the input pixels,
  its largest magnitude over the colour channels (Simonyan, Vedaldi and Zisserman 2013,
  section 3.1): how much a small change of each pixel moves the score.
- :func:`smoothgrad`: the same gradient averaged over noisy copies of the image (Smilkov et
  al. 2017), which removes much of the pixel-to-pixel noise of the plain gradient.
- :func:`grad_cam`: a named conv layer's feature maps weighted by the average gradient of
  the class score over each map, summed, through a ReLU (Selvaraju et al. 2017, equations 1
  and 2): coarse (the layer's resolution), but class-discriminative.

Each works on the class *score*, the logit before the softmax (:func:`~cnn_keras.analysis.
backprop.class_scores`), and takes ``label=None`` for the predicted class. Zeiler and Fergus's
occlusion map is :func:`cnn_keras.analysis.interpret.occlusion_map`.

References: [Simonyan et al.](https://arxiv.org/abs/1312.6034),
[Smilkov et al.](https://arxiv.org/abs/1706.03825),
[Selvaraju et al.](https://arxiv.org/abs/1610.02391).
"""

from __future__ import annotations

import keras
import numpy as np

from cnn_keras.analysis.backprop import (
    as_batch,
    class_labels,
    class_scores,
    feature_map_layer,
    gradient_function,
    pick,
)
from cnn_keras.checks import check_bool, check_float, check_int


def input_gradients(model: keras.Model, images, labels=None) -> np.ndarray:
    """The gradient of each image's class score (logit) with respect to its pixels.

    Args:
        model: a classifier (a final softmax is stripped, see ``class_scores``).
        images: one image ``(height, width, channels)`` or a batch, as the model sees them.
        labels: one class per image (an int for one image), or ``None`` for the predicted.

    Returns:
        float32 array of the images' shape, with a batch axis.
    """
    scores = class_scores(model)
    images = as_batch(model, images)
    labels = class_labels(scores, images, labels)
    _, gradients = gradient_function(scores, lambda outputs, _: pick(outputs, labels))(images)
    return gradients


def saliency_map(model: keras.Model, image, label: int | None = None) -> np.ndarray:
    """Simonyan et al.'s image-specific class saliency: ``max over channels |d score / d x|``.

    Args:
        model: a classifier.
        image: one image ``(height, width, channels)``, as the model sees it.
        label: the class whose score is differentiated; ``None``: the predicted class.

    Returns:
        ``(height, width)`` float32 array, zero where the score does not depend on the pixel.

    Raises:
        ValueError: for an image of another shape than the model's input, or a bad label.
    """
    image = _one_image(model, image)
    return np.abs(input_gradients(model, image, _labels(label)))[0].max(axis=-1)


def smoothgrad(
    model: keras.Model,
    image,
    label: int | None = None,
    *,
    samples: int = 25,
    noise: float = 0.15,
    seed: int = 0,
) -> np.ndarray:
    """Smilkov et al.'s SmoothGrad: the input gradient averaged over ``samples`` copies of the
    image with Gaussian noise added, then ``max over channels |.|`` as :func:`saliency_map`.

    Args:
        model: a classifier.
        image: one image, as the model sees it.
        label: the class; ``None``: the predicted class of the image without noise.
        samples: noisy copies (the paper: 50 is plenty, from about 20 little changes).
        noise: the noise's standard deviation as a fraction of the image's value range (max
            minus min); the paper finds 10 to 20 % best.
        seed: the noise's random seed.

    Returns:
        ``(height, width)`` float32 array.
    """
    image = _one_image(model, image)
    samples = check_int("samples", samples, minimum=1, maximum=1024, hint="noisy copies")
    noise = check_float("noise", noise, minimum=0.0, maximum=1.0, hint="of the value range")
    scores = class_scores(model)
    label = class_labels(scores, image[None], _labels(label))[0]
    sigma = noise * float(np.ptp(image))
    rng = np.random.default_rng(seed)
    noisy = image[None] + rng.normal(0.0, sigma, (samples, *image.shape)).astype("float32")
    labels = np.full(samples, label)
    _, gradients = gradient_function(scores, lambda outputs, _: pick(outputs, labels))(noisy)
    return np.abs(gradients.mean(axis=0)).max(axis=-1)


def grad_cam(
    model: keras.Model,
    image,
    layer_name: str,
    label: int | None = None,
    *,
    resize: bool = True,
) -> np.ndarray:
    """Selvaraju et al.'s Grad-CAM for one image and one conv layer: ``ReLU(sum_k a_k A^k)``,
    where ``A^k`` is the layer's ``k``-th feature map and ``a_k`` the mean over its positions of
    the gradient of the class score with respect to it.

    Choose the last conv block's output (``conv5_3`` or ``pool5`` in VGG16,
    ``conv5_block3_out`` in ResNet-50): the paper finds it the best trade-off of high-level
    meaning and resolution.

    Args:
        model: a classifier.
        image: one image, as the model sees it.
        layer_name: a layer whose output is feature maps, ``(batch, height, width, channels)``,
            and that every path from the input to the output passes through (a block's output,
            not a conv inside one branch of a residual or Inception block).
        label: the class; ``None``: the predicted class.
        resize: resize the map bilinearly to the image's height and width; ``False`` keeps the
            layer's resolution.

    Returns:
        float32 array ``(height, width)``, zero where no feature map speaks for the class;
        not normalized (divide by its maximum to compare images).

    Raises:
        ValueError: for an unknown layer, one whose output is not feature maps, one inside a
            branch, an image of the wrong shape or a bad label.
    """
    image = _one_image(model, image)
    resize = check_bool("resize", resize)
    scores = class_scores(model)
    label = class_labels(scores, image[None], _labels(label))
    layer = feature_map_layer(model, layer_name)
    try:
        head = keras.Model(layer.output, scores.output, name=f"{model.name}_head")
    except ValueError as error:
        raise ValueError(
            f"layer_name={layer_name!r} lies inside a branch of {model.name}: some path from "
            "the input to the output bypasses it, so the class score is not a function of its "
            "output alone. Choose a block's output (where the branches have joined)."
        ) from error
    activations = keras.ops.convert_to_numpy(
        keras.Model(model.input, layer.output)(image[None], training=False)
    )
    _, gradients = gradient_function(head, lambda outputs, _: pick(outputs, label))(activations)
    weights = gradients[0].mean(axis=(0, 1))  # a_k: one per feature map
    cam = np.maximum((activations[0] * weights).sum(axis=-1), 0.0).astype("float32")
    if resize and cam.shape != image.shape[:2]:
        cam = keras.ops.convert_to_numpy(
            keras.ops.image.resize(cam[..., None], image.shape[:2], interpolation="bilinear")
        )[..., 0]
    return cam


def _one_image(model: keras.Model, image) -> np.ndarray:
    image = np.asarray(image, dtype="float32")
    if image.ndim != len(model.input_shape) - 1:
        raise ValueError(
            f"image must be one image of the model's input shape {tuple(model.input_shape[1:])} "
            f"(no batch axis); received an array of shape {image.shape}."
        )
    return as_batch(model, image, what="image")[0]


def _labels(label):
    if label is None:
        return None
    check_int("label", label, minimum=0, hint="a class index, or None for the predicted class")
    return [int(label)]
