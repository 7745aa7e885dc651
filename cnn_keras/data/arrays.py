"""NumPy images in a ``keras.utils.PyDataset``: trains on JAX and PyTorch without TensorFlow."""

from __future__ import annotations

import dataclasses
import functools
import math

import keras
import numpy as np

from cnn_keras.checks import check_int
from cnn_keras.data.augment import _tf_resize, _tf_test_transform, augment_numpy
from cnn_keras.data.sources import (
    FASHION_MNIST,
    OFFLINE_DATASETS,
    channel_stats,
    offline_arrays,
    resize_images,
)
from cnn_keras.data.splits import Splits, check_load_args
from cnn_keras.data.tfds_sets import tfds_splits


class ArrayDataset(keras.utils.PyDataset):
    """NumPy images and labels in batches, for any Keras backend (no TensorFlow needed).

    In training, the order is shuffled at each epoch (before batching) and each batch is
    augmented; in evaluation, neither.

    Args:
        x: images ``(n, h, w, c)``, float32 in [0, 1] or uint8.
        y: int labels ``(n,)``.
        batch_size: images per batch.
        training: shuffle and augment.
        augment: a key of :data:`~cnn_keras.data.AUGMENTATIONS`.
        mean: per-channel mean to subtract after augmentation (``None``: none).
        std: per-channel standard deviation to divide by.
        seed: the seed of the shuffles and augmentations.
        image_size: the side of the images the batches hold (``None``: ``x``'s height). ``x``
            may be stored at another size: each image is resized as it is batched, after the
            Inception crop (taken at the stored resolution, as ``tf.data`` takes it).
        **kwargs: ``workers``, ``use_multiprocessing``, ``max_queue_size`` of ``PyDataset``.
    """

    def __init__(
        self,
        x,
        y,
        *,
        batch_size: int,
        training: bool,
        augment: str = "none",
        mean=None,
        std=None,
        seed: int = 0,
        image_size: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        batch_size = check_int("batch_size", batch_size, minimum=1)
        seed = check_int("seed", seed, minimum=0)
        if image_size is not None:
            image_size = check_int("image_size", image_size, minimum=1)
        if len(x) != len(y):
            raise ValueError(f"x and y differ in length: len(x)={len(x)}, len(y)={len(y)}.")
        self.x, self.y = x, np.asarray(y, "int32")
        self.batch_size, self.training, self.image_size = batch_size, training, image_size
        self.augment = augment if training else "none"
        self.mean = None if mean is None else np.asarray(mean, "float32")
        self.std = None if std is None else np.asarray(std, "float32")
        self._rng = np.random.default_rng(seed)
        self._order = np.arange(len(x))
        if training:
            self._rng.shuffle(self._order)

    def __len__(self) -> int:
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, index: int):
        rows = self._order[index * self.batch_size : (index + 1) * self.batch_size]
        images = augment_numpy(self.x[rows], self.augment, self._rng, self.image_size)
        if self.mean is not None:
            images = (images - self.mean) / self.std
        return images.astype("float32"), self.y[rows]

    def on_epoch_end(self):
        if self.training:
            self._rng.shuffle(self._order)


def _tfds_arrays(dataset, samples: int | None, transform=None):
    """A ``tf.data`` split read into memory: ``(images, int32 labels)``, each image through
    ``transform`` (``None``: as stored, which needs images of one shape)."""
    dataset = dataset if samples is None else dataset.take(samples)
    if transform is not None:
        dataset = dataset.map(lambda image, label: (transform(image), label))
    images, labels = zip(*dataset.batch(1024).as_numpy_iterator(), strict=True)
    return np.concatenate(images), np.concatenate(labels).astype("int32")


def load_arrays(
    name: str = FASHION_MNIST,
    *,
    image_size: int,
    batch_size: int = 32,
    train_samples: int | None = None,
    test_samples: int | None = None,
    seed: int = 0,
    augment: str | None = "auto",
    normalize: bool = False,
    data_dir: str | None = None,
    download: bool = False,
) -> Splits:
    """A data set as :class:`ArrayDataset` splits: trains on JAX and PyTorch without TensorFlow.

    ``fashion_mnist`` and ``digits`` need neither TensorFlow nor the network; the
    tensorflow-datasets sets are read into memory through TensorFlow (fine for CIFAR, not for
    ImageNet). Arguments as :func:`~cnn_keras.data.load`.

    With ``augment="inception"`` the training images stay at their stored resolution (when
    they share one shape, as Fashion-MNIST's and CIFAR's do): each crop is taken there and
    resized, as ``tf.data`` does; other images are resized once, up front.
    """
    args = check_load_args(
        name,
        image_size=image_size,
        batch_size=batch_size,
        train_samples=train_samples,
        test_samples=test_samples,
        seed=seed,
        augment=augment,
        normalize=normalize,
    )
    name, image_size, augment = args.name, args.image_size, args.augment
    keep_stored = augment == "inception"
    if name in OFFLINE_DATASETS:
        (x_train, y_train), (x_test, y_test), class_names = offline_arrays(
            name, image_size, seed=args.seed, data_dir=data_dir, download=download
        )
        stats, num_classes = channel_stats(name, x_train), len(class_names)
        x_train, y_train = x_train[: args.train_samples], y_train[: args.train_samples]
        x_test, y_test = x_test[: args.test_samples], y_test[: args.test_samples]
        x_test = resize_images(x_test, image_size)
        if not keep_stored:
            x_train = resize_images(x_train, image_size)
    else:  # read through TensorFlow into memory
        train, test, num_classes, _ = tfds_splits(
            name, data_dir=data_dir, download=download, manual_dir=None
        )
        stats, class_names = channel_stats(name), None
        if keep_stored and train.element_spec[0].shape.is_fully_defined():
            resize = None
        else:
            resize = functools.partial(_tf_resize, size=image_size)
        x_train, y_train = _tfds_arrays(train, args.train_samples, resize)
        test_transform = _tf_test_transform(name, image_size)
        x_test, y_test = _tfds_arrays(test, args.test_samples, test_transform)
    mean, std = stats if args.normalize else (None, None)
    common = {"batch_size": args.batch_size, "mean": mean, "std": std, "seed": args.seed}
    # Two threads make the next batches while the step runs. Not with random augmentation:
    # its draws come from one generator, and threads would change which image gets which.
    ahead = {"workers": 2, "max_queue_size": 4}
    train_data = ArrayDataset(
        x_train,
        y_train,
        training=True,
        augment=augment,
        image_size=image_size,
        **common,
        **(ahead if augment == "none" else {}),
    )
    return Splits(
        train=train_data,
        test=ArrayDataset(x_test, y_test, training=False, **common, **ahead),
        num_classes=num_classes,
        name=name,
        steps_per_epoch=len(train_data),
        augment=augment,
        mean=mean,
        std=std,
        image_shape=x_test.shape[1:],
        class_names=class_names,
    )


class _RepeatedLabels(keras.utils.PyDataset):
    """An :class:`ArrayDataset` whose batches carry their labels ``copies`` times."""

    def __init__(self, dataset: ArrayDataset, copies: int):
        super().__init__()
        self.dataset, self.copies = dataset, copies

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index: int):
        images, labels = self.dataset[index]
        return images, (labels,) * self.copies

    def on_epoch_end(self):
        self.dataset.on_epoch_end()


def repeat_labels(splits: Splits, copies: int) -> Splits:
    """``splits`` with every batch's labels given ``copies`` times, as a tuple: the targets of
    a model with that many outputs that all predict the class (GoogLeNet with its two
    auxiliary classifiers: ``copies=3``). Works on ``tf.data`` and NumPy splits alike."""
    copies = check_int("copies", copies, minimum=1)

    def repeat(dataset):
        if isinstance(dataset, ArrayDataset):
            return _RepeatedLabels(dataset, copies)
        return dataset.map(lambda images, labels: (images, (labels,) * copies))

    return dataclasses.replace(splits, train=repeat(splits.train), test=repeat(splits.test))
