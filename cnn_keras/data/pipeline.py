"""The ``tf.data`` pipelines: :func:`load`."""

from __future__ import annotations

from cnn_keras.checks import check_choice, check_int
from cnn_keras.data.arrays import load_arrays
from cnn_keras.data.augment import _tf_test_transform, _tf_train_transform
from cnn_keras.data.sources import (
    FASHION_MNIST,
    OFFLINE_DATASETS,
    channel_stats,
    offline_arrays,
    tensorflow_available,
)
from cnn_keras.data.splits import Splits, check_load_args
from cnn_keras.data.tfds_sets import tfds_splits


def _pipeline(
    dataset,
    *,
    transform,
    batch_size: int,
    training: bool,
    seed: int,
    mean=None,
    std=None,
    cache: bool | str = False,
    shuffle_buffer: int = 10_000,
):
    import tensorflow as tf

    def finish(image, label):
        if mean is not None:
            image = (image - tf.constant(mean)) / tf.constant(std)
        return image, tf.cast(label, tf.int32)

    if cache:
        dataset = dataset.cache("" if cache is True else cache)
    if training:
        # Shuffle single images before batching, so batches differ from epoch to epoch, and
        # give each image two random integers, new every epoch, to seed its augmentation.
        dataset = dataset.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)
        dataset = tf.data.Dataset.zip(dataset, seeds).map(
            lambda example, augment_seed: finish(transform(example[0], augment_seed), example[1]),
            num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=False,
        )
    else:
        dataset = dataset.map(
            lambda image, label: finish(transform(image), label),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def load(
    name: str = FASHION_MNIST,
    *,
    image_size: int,
    batch_size: int = 32,
    train_samples: int | None = None,
    test_samples: int | None = None,
    seed: int = 0,
    data_dir: str | None = None,
    augment: str | None = "auto",
    normalize: bool = False,
    cache: bool | str = False,
    download: bool = False,
    manual_dir: str | None = None,
    shuffle_buffer: int = 10_000,
    backend: str = "auto",
) -> Splits:
    """A data set as ``tf.data`` pipelines, images resized to ``image_size``.

    The training pipeline caches (if asked), shuffles single images, augments and normalizes
    them in a parallel map, batches and prefetches; the test pipeline only resizes, normalizes,
    batches and prefetches.

    Args:
        name: one of :data:`~cnn_keras.data.DATASETS`, or a folder with
            ``train/<class>/<image>`` and ``test/<class>/<image>`` (``val`` or ``validation``
            also work).
        image_size: the square size the network takes.
        batch_size: images per batch.
        train_samples: keep only the first this many training images (``None``: all).
        test_samples: keep only the first this many test images (``None``: all).
        seed: shuffling and augmentation seed.
        data_dir: for ``fashion_mnist``, a folder holding its four files (looked in after
            Debian's folder and Keras's cache: :func:`~cnn_keras.data.find_fashion_mnist`); for
            the tensorflow-datasets sets, its data folder (default: ``$TFDS_DATA_DIR`` or
            ``~/tensorflow_datasets``).
        augment: a key of :data:`~cnn_keras.data.AUGMENTATIONS`, ``"auto"`` (the paper's for
            this data set, AlexNet's on ImageNet-like data: :func:`~cnn_keras.data.default_augment`;
            a run plan passes its model's) or ``None``. Training split only.
        normalize: subtract the per-channel mean and divide by the standard deviation
            (:func:`~cnn_keras.data.channel_stats`: the published figures; digits: its training
            split's; a folder: ImageNet's).
        cache: cache the decoded images in memory (``True``) or in this file.
        download: download a missing set (Fashion-MNIST's four files into Keras's cache, or a
            tensorflow-datasets set, prepared); needs the network, and without it fails within
            seconds. Off by default: a missing set fails at once.
        manual_dir: where a manually downloaded set's archives are (ImageNet:
            ``ILSVRC2012_img_train.tar`` and ``ILSVRC2012_img_val.tar``); default
            ``<data_dir>/downloads/manual``.
        shuffle_buffer: images in the shuffle buffer.
        backend: ``"tf"`` for ``tf.data``, ``"numpy"`` for
            :func:`~cnn_keras.data.load_arrays`, ``"auto"``: ``tf.data`` when TensorFlow is
            installed.

    Raises:
        ValueError: for an unknown name or a bad argument.
        FileNotFoundError: when the set is not on disk; the message says where it was looked
            for and how to get it.
        ConnectionError: when ``download=True`` and the network is unreachable.
    """
    check_choice("backend", backend, ("auto", "tf", "numpy"))
    if backend == "numpy" or (backend == "auto" and not tensorflow_available()):
        return load_arrays(
            name,
            image_size=image_size,
            batch_size=batch_size,
            train_samples=train_samples,
            test_samples=test_samples,
            seed=seed,
            augment=augment,
            normalize=normalize,
            data_dir=data_dir,
            download=download,
        )
    import tensorflow as tf

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
    shuffle_buffer = check_int("shuffle_buffer", shuffle_buffer, minimum=1)
    name, image_size = args.name, args.image_size
    if name in OFFLINE_DATASETS:
        (x_train, y_train), (x_test, y_test), class_names = offline_arrays(
            name, image_size, seed=args.seed, data_dir=data_dir, download=download
        )
        stats = channel_stats(name, x_train)
        train = tf.data.Dataset.from_tensor_slices((x_train, y_train))
        test = tf.data.Dataset.from_tensor_slices((x_test, y_test))
        num_classes, channels = len(class_names), x_train.shape[-1]
    else:
        train, test, num_classes, channels = tfds_splits(
            name, data_dir=data_dir, download=download, manual_dir=manual_dir
        )
        stats, class_names = channel_stats(name), None
    if args.train_samples is not None:
        train = train.take(args.train_samples)
    if args.test_samples is not None:
        test = test.take(args.test_samples)
    mean, std = stats if args.normalize else (None, None)
    common = {"batch_size": args.batch_size, "seed": args.seed, "mean": mean, "std": std}
    train_pipe = _pipeline(
        train,
        transform=_tf_train_transform(args.augment, image_size),
        training=True,
        cache=cache,
        shuffle_buffer=shuffle_buffer,
        **common,
    )
    test_pipe = _pipeline(
        test, transform=_tf_test_transform(name, image_size), training=False, **common
    )
    steps = int(train_pipe.cardinality())
    return Splits(
        train=train_pipe,
        test=test_pipe,
        num_classes=num_classes,
        name=name,
        steps_per_epoch=steps if steps > 0 else None,
        augment=args.augment,
        mean=mean,
        std=std,
        image_shape=(image_size, image_size, channels),
        class_names=class_names,
    )
