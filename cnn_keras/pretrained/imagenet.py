"""ImageNet's side of the pretrained weights: the 1,000 class names (a table shipped with the
package, so that :func:`decode_predictions` works offline), and the input preprocessing each
set of published weights was trained with."""

from __future__ import annotations

import functools
from typing import NamedTuple

import keras
import numpy as np

from cnn_keras import tables
from cnn_keras.checks import check_int
from cnn_keras.pretrained.build import require_twin
from cnn_keras.registry import get_spec

# How each keras.applications family wants its RGB [0, 255] input (keras.applications'
# preprocess_input modes): "caffe": BGR, minus the ImageNet mean per channel (VGG, ResNet);
# "tf": scaled to [-1, 1] (Inception, MobileNet); "torch": to [0, 1], minus the mean, over the
# standard deviation per channel (DenseNet). keras.applications' EfficientNet does its own
# inside the model: Rescaling(1/255), a Normalization whose published "variance" holds the
# standard deviations, and Rescaling(1/sqrt(std)) to make up for it, which is "torch"'s
# arithmetic (tensorflow/tensorflow#49930). Ours, like every builder here, leaves that to the
# data: so "torch" for it too.
PREPROCESSING = {
    "VGG": "caffe",
    "ResNet": "caffe",
    "Inception": "tf",
    "MobileNet": "tf",
    "DenseNet": "torch",
    "EfficientNet": "torch",
}


class ImageNetClass(NamedTuple):
    """One of the 1,000 ILSVRC-2012 classes: its output ``index``, WordNet ``wnid`` and
    keras.applications' short ``name`` (``tabby``, ``Egyptian_cat``)."""

    index: int
    wnid: str
    name: str


@functools.cache
def imagenet_classes() -> tuple[ImageNetClass, ...]:
    """The 1,000 ImageNet classes in the order of the classifiers' outputs, from
    ``cnn_keras/tables/imagenet_classes.csv`` (its header says where the list comes from)."""
    rows = tables.read_table(tables.table_file("imagenet_classes.csv"))
    return tuple(ImageNetClass(i, row["wnid"], row["name"]) for i, row in enumerate(rows))


def decode_predictions(predictions, top: int = 5) -> list[list[tuple[str, str, float]]]:
    """The ``top`` classes of each row of ImageNet predictions, most likely first, as
    ``keras.applications.imagenet_utils.decode_predictions`` gives them, but offline.

    Args:
        predictions: ``(batch, 1000)`` probabilities or logits (a NumPy array or a tensor).
        top: how many classes per image.

    Returns:
        One list per image of ``(wnid, name, score)`` tuples (``("n02123045", "tabby",
        0.61)``).

    Raises:
        ValueError: for predictions that are not ``(batch, 1000)``, or ``top`` out of 1..1000.
    """
    predictions = np.asarray(keras.ops.convert_to_numpy(predictions))
    if predictions.ndim != 2 or predictions.shape[1] != 1000:
        raise ValueError(
            "predictions must be (batch, 1000), one row of ImageNet scores per image; received "
            f"an array of shape {predictions.shape}."
        )
    top = check_int("top", top, minimum=1, maximum=1000, hint="classes per image")
    classes = imagenet_classes()
    return [
        [
            (classes[i].wnid, classes[i].name, float(row[i]))
            for i in np.argsort(-row, kind="stable")[:top]
        ]
        for row in predictions
    ]


def preprocessing_mode(name: str) -> str:
    """The keras.applications preprocessing mode (``"caffe"``, ``"tf"`` or ``"torch"``) the
    ImageNet weights of registered model ``name`` were trained with.

    Raises:
        ValueError: for a model without published weights.
    """
    application = require_twin(name)
    return next(mode for family, mode in PREPROCESSING.items() if application.startswith(family))


def preprocess_input(name: str, images) -> np.ndarray:
    """RGB images with values in [0, 255] as the ImageNet weights of ``name`` expect them
    (:data:`PREPROCESSING`: VGG and ResNet BGR minus the mean, Inception and MobileNet
    [-1, 1], DenseNet and EfficientNet standardized per channel).

    Args:
        name: a registered model with ImageNet weights.
        images: ``(height, width, 3)`` or a batch, RGB in [0, 255] (uint8 or float).

    Returns:
        float32 array of the same shape (a copy).
    """
    images = np.array(images, dtype="float32", copy=True)
    if images.shape[-1:] != (3,):
        raise ValueError(
            f"images must be RGB, (..., height, width, 3); received an array of shape "
            f"{images.shape}."
        )
    return keras.applications.imagenet_utils.preprocess_input(
        images, data_format="channels_last", mode=preprocessing_mode(name)
    )


def prepare_image(
    name: str, image, *, size: int | None = None, preprocess: bool = True
) -> np.ndarray:
    """One photograph (any size, RGB or gray, uint8 or floats in [0, 255]) as input for
    ``name``'s ImageNet weights: the central square, resized to ``size`` (default the model's
    input size), then :func:`preprocess_input`.

    Args:
        name: a registered model with ImageNet weights.
        image: the photograph (``skimage.data.chelsea()``).
        size: the square side; default the model's input size.
        preprocess: ``False`` stops before :func:`preprocess_input`: the cropped, resized
            RGB picture in [0, 255], to show under a heat map.

    Returns:
        float32 array ``(size, size, 3)``.
    """
    from skimage import transform

    image = np.asarray(image)
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    if image.ndim != 3 or image.shape[-1] not in (3, 4):
        raise ValueError(
            f"image must be one photograph, (height, width[, 3]); received shape {image.shape}."
        )
    size = get_spec(name).input_size if size is None else check_int("size", size, minimum=32)
    side = min(image.shape[:2])
    top, left = (image.shape[0] - side) // 2, (image.shape[1] - side) // 2
    square = image[top : top + side, left : left + side, :3].astype("float32")
    resized = transform.resize(square, (size, size), preserve_range=True, anti_aliasing=True)
    return preprocess_input(name, resized) if preprocess else resized.astype("float32")
