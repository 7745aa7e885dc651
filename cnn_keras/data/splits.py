"""What both loaders take and give: their arguments, checked once, and :class:`Splits`."""

from __future__ import annotations

import dataclasses
import os
from typing import NamedTuple

from cnn_keras.checks import check_bool, check_int, suggestion
from cnn_keras.data.augment import resolve_augment
from cnn_keras.data.sources import DATASETS, check_image_size


@dataclasses.dataclass(frozen=True)
class Splits:
    """A training and a test split with what a classifier needs to know.

    Attributes:
        train: shuffled, augmented, batched, prefetched ``tf.data.Dataset`` of
            ``(image, label)`` (or an :class:`~cnn_keras.data.ArrayDataset`).
        test: batched, not shuffled, not augmented.
        num_classes: the number of classes.
        name: the data set's name.
        steps_per_epoch: training batches per epoch (``None`` when unknown).
        augment: the training augmentation (a key of :data:`~cnn_keras.data.AUGMENTATIONS`).
        mean: the per-channel mean subtracted (``None``: images left in [0, 1]).
        std: the per-channel standard deviation divided by.
        image_shape: ``(height, width, channels)`` of one image as the model gets it: build
            with ``input_shape=splits.image_shape``.
        class_names: the classes' names, in label order (``None`` when the set has none).
    """

    train: object
    test: object
    num_classes: int
    name: str
    steps_per_epoch: int | None = None
    augment: str = "none"
    mean: tuple[float, ...] | None = None
    std: tuple[float, ...] | None = None
    image_shape: tuple[int, int, int] | None = None
    class_names: tuple[str, ...] | None = None


class LoadArgs(NamedTuple):
    """The arguments :func:`~cnn_keras.data.load` and :func:`~cnn_keras.data.load_arrays`
    share, checked: plain ints, a bool, and the augmentation resolved to a key."""

    name: str
    image_size: int
    batch_size: int
    train_samples: int | None
    test_samples: int | None
    seed: int
    augment: str
    normalize: bool


def check_load_args(
    name,
    *,
    image_size,
    batch_size,
    train_samples,
    test_samples,
    seed,
    augment,
    normalize,
) -> LoadArgs:
    """Every shared argument of the two loaders checked before a file is read; ``ValueError``
    names the first bad one, the value received and what works."""
    if not isinstance(name, str) or (name not in DATASETS and not os.path.isdir(name)):
        raise ValueError(
            f"Unknown data set name={name!r}; use one of {', '.join(DATASETS)}, or a folder "
            "holding train/<class>/<image> and test/<class>/<image>." + suggestion(name, DATASETS)
        )
    image_size = check_image_size(image_size)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    train_samples, test_samples = (
        None if value is None else check_int(arg, value, minimum=1, hint="None: all")
        for arg, value in (("train_samples", train_samples), ("test_samples", test_samples))
    )
    seed = check_int("seed", seed, minimum=0)
    normalize = check_bool("normalize", normalize)
    augment = resolve_augment(augment, name)
    return LoadArgs(
        name, image_size, batch_size, train_samples, test_samples, seed, augment, normalize
    )
