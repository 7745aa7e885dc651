"""Data sets for training: the offline digits, and tensorflow-datasets' image sets.

``digits`` is scikit-learn's 1,797 handwritten 8x8 digits, resized and given three channels:
it ships with a dependency, so it works with no network and is what the ``smoke`` and ``cpu``
profiles train on. ``cifar10``, ``cifar100``, ``fashion_mnist`` and ``imagenette`` come from
tensorflow-datasets once downloaded.

Images are float32 in [0, 1], channels last; labels are int class indices.
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np

DIGITS = "digits"
# tensorflow-datasets names and their test split.
TFDS_DATASETS = {
    "cifar10": "test",
    "cifar100": "test",
    "fashion_mnist": "test",
    "imagenette": "validation",
}
DATASETS = (DIGITS, *TFDS_DATASETS)


@dataclasses.dataclass(frozen=True)
class Splits:
    """A training and a test pipeline with what a classifier needs to know.

    Attributes:
        train: shuffled, batched, prefetched ``tf.data.Dataset`` of ``(image, label)``.
        test: batched, prefetched, not shuffled.
        num_classes: the number of classes.
        name: the data set's name.
    """

    train: object
    test: object
    num_classes: int
    name: str


def check_image_size(image_size: int) -> None:
    """Raises ``ValueError`` unless ``image_size`` is an int >= 8."""
    if isinstance(image_size, bool) or not isinstance(image_size, int) or image_size < 8:
        raise ValueError(
            f"image_size must be an int >= 8 (pixels per side); received image_size={image_size!r}."
        )


def digits_arrays(
    image_size: int, *, test_fraction: float = 0.2, seed: int = 0
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """scikit-learn's digits as NumPy arrays, resized to ``image_size`` with three channels.

    Works on every backend and offline. The split is stratified and fixed by ``seed``.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: images float32 in [0, 1] of shape
        ``(n, image_size, image_size, 3)``, labels int32 0-9.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    check_image_size(image_size)
    digits = load_digits()
    images = (digits.images / 16.0).astype("float32")[..., None]  # 8x8x1, in [0, 1]
    resized = keras.ops.image.resize(images, (image_size, image_size), interpolation="bilinear")
    images = np.clip(keras.ops.convert_to_numpy(resized), 0.0, 1.0)
    images = np.repeat(images, 3, axis=-1)
    labels = digits.target.astype("int32")
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=test_fraction, random_state=seed, stratify=labels
    )
    return (x_train, y_train), (x_test, y_test)


def _pipeline(dataset, *, batch_size: int, training: bool, seed: int):
    import tensorflow as tf

    if training:
        dataset = dataset.shuffle(4096, seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def load(
    name: str = DIGITS,
    *,
    image_size: int,
    batch_size: int = 32,
    train_samples: int | None = None,
    seed: int = 0,
    data_dir: str | None = None,
) -> Splits:
    """A data set as ``tf.data`` pipelines, images resized to ``image_size``.

    Args:
        name: one of :data:`DATASETS`.
        image_size: the square size the network takes.
        batch_size: images per batch.
        train_samples: keep only the first this many training images (``None``: all).
        seed: shuffling seed.
        data_dir: tensorflow-datasets' data folder (default: ``$TFDS_DATA_DIR`` or
            ``~/tensorflow_datasets``).

    Raises:
        ValueError: for an unknown name or a bad size.
        FileNotFoundError: when a tensorflow-datasets set has not been downloaded; the
            message says how to download it and that ``digits`` works offline.
    """
    import tensorflow as tf

    if name not in DATASETS:
        raise ValueError(f"Unknown data set name={name!r}; use one of {', '.join(DATASETS)}.")
    check_image_size(image_size)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1; received batch_size={batch_size!r}.")
    if name == DIGITS:
        (x_train, y_train), (x_test, y_test) = digits_arrays(image_size, seed=seed)
        train = tf.data.Dataset.from_tensor_slices((x_train, y_train))
        test = tf.data.Dataset.from_tensor_slices((x_test, y_test))
        num_classes = 10
    else:
        train, test, num_classes = _tfds_splits(name, image_size=image_size, data_dir=data_dir)
    if train_samples is not None:
        train = train.take(train_samples)
    return Splits(
        train=_pipeline(train, batch_size=batch_size, training=True, seed=seed),
        test=_pipeline(test, batch_size=batch_size, training=False, seed=seed),
        num_classes=num_classes,
        name=name,
    )


def _tfds_splits(name: str, *, image_size: int, data_dir: str | None):
    import tensorflow as tf
    import tensorflow_datasets as tfds

    try:
        (train, test), info = tfds.load(
            name,
            split=["train", TFDS_DATASETS[name]],
            as_supervised=True,
            with_info=True,
            download=False,  # offline, downloading would retry for minutes
            data_dir=data_dir,
        )
    except (tfds.core.DatasetNotFoundError, AssertionError) as error:  # tfds raises either
        where = data_dir or "$TFDS_DATA_DIR or ~/tensorflow_datasets"
        raise FileNotFoundError(
            f"The data set {name!r} is not in {where}."
            f' Download it once with network access: python -c "import tensorflow_datasets as '
            f"tfds; tfds.builder('{name}').download_and_prepare()\" (or set TFDS_DATA_DIR to a "
            f"copy). With no network, use the offline data set 'digits'."
        ) from error

    def prepare(image, label):
        image = tf.image.resize(tf.cast(image, tf.float32) / 255.0, (image_size, image_size))
        if image.shape[-1] == 1:
            image = tf.image.grayscale_to_rgb(image)
        return image, tf.cast(label, tf.int32)

    train = train.map(prepare, num_parallel_calls=tf.data.AUTOTUNE)
    test = test.map(prepare, num_parallel_calls=tf.data.AUTOTUNE)
    return train, test, info.features["label"].num_classes
