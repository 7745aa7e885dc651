"""Data sets for training: the offline digits, tensorflow-datasets' image sets, a folder of images.

``digits`` is scikit-learn's 1,797 handwritten 8x8 digits, resized and given three channels:
it ships with a dependency, so it works with no network and with no TensorFlow, and is what the
``smoke`` and ``cpu`` profiles train on. ``cifar10``, ``cifar100``, ``fashion_mnist``,
``imagenette`` and ``imagenet2012`` come from tensorflow-datasets once downloaded (ImageNet from a
manual download). A folder ``ROOT/train/<class>/*.png`` (and ``ROOT/test/...``) loads too.

Two forms:

- :func:`load` gives ``tf.data`` pipelines: shuffle before batch, parallel map, prefetch,
  optional cache; on TensorFlow's absence it falls back to the second form.
- :func:`load_arrays` / :class:`ArrayDataset` give NumPy arrays in a ``keras.utils.PyDataset``,
  for JAX and PyTorch without TensorFlow.

Images are float32 channels last, in [0, 1], or per-channel standardized with
``normalize=True``; labels are int32 class indices. Augmentation (:data:`AUGMENTATIONS`) is
applied to the training split only, never to the test split.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import os
import socket

import keras
import numpy as np

DIGITS = "digits"
# tensorflow-datasets names and their test split.
TFDS_DATASETS = {
    "cifar10": "test",
    "cifar100": "test",
    "fashion_mnist": "test",
    "imagenette": "validation",
    "imagenet2012": "validation",
}
DATASETS = (DIGITS, *TFDS_DATASETS)
# Sets whose files cannot be downloaded by a script: the user puts them in manual_dir.
MANUAL_FILES = {"imagenet2012": "ILSVRC2012_img_train.tar and ILSVRC2012_img_val.tar"}

# Per-channel mean and standard deviation of the training images in [0, 1].
IMAGENET_STATS = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
CHANNEL_STATS = {
    "cifar10": ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)),
    "cifar100": ((0.5071, 0.4865, 0.4409), (0.2673, 0.2564, 0.2762)),
    "fashion_mnist": ((0.2860,) * 3, (0.3530,) * 3),
    "imagenette": IMAGENET_STATS,
    "imagenet2012": IMAGENET_STATS,
}

# The training-time augmentations, by the paper that used them.
AUGMENTATIONS = {
    "none": "no augmentation",
    "flip": "random horizontal flips",
    # Digits must not be mirrored: a shift only.
    "shift": "zero-pad 4 pixels and crop back at random (no flip)",
    # He et al. 2015, section 4.2: "4 pixels are padded on each side, and a 32x32 crop is
    # randomly sampled from the padded image or its horizontal flip".
    "cifar": "zero-pad 4 pixels, random crop back, random horizontal flip (ResNet, CIFAR)",
    # Krizhevsky et al. 2012, section 4.1: 224x224 patches of the 256x256 image, and their
    # reflections. At image_size s the image is resized to s*256/224 and cropped back to s.
    "alexnet": "resize to 8/7 of the size, random crop, random horizontal flip (AlexNet)",
    # Szegedy et al. 2015 (GoogLeNet), section 6: patches of 8%-100% of the image's area with
    # aspect ratio in [3/4, 4/3], resized, and flips.
    "inception": "random crop of 8%-100% of the area, aspect 3/4-4/3, resized, flip (Inception)",
}
INCEPTION_AREA = (0.08, 1.0)
INCEPTION_ASPECT = (3 / 4, 4 / 3)
PAD = 4


@dataclasses.dataclass(frozen=True)
class Splits:
    """A training and a test split with what a classifier needs to know.

    Attributes:
        train: shuffled, augmented, batched, prefetched ``tf.data.Dataset`` of
            ``(image, label)`` (or an :class:`ArrayDataset`).
        test: batched, not shuffled, not augmented.
        num_classes: the number of classes.
        name: the data set's name.
        steps_per_epoch: training batches per epoch (``None`` when unknown).
        augment: the training augmentation (a key of :data:`AUGMENTATIONS`).
        mean: the per-channel mean subtracted (``None``: images left in [0, 1]).
        std: the per-channel standard deviation divided by.
    """

    train: object
    test: object
    num_classes: int
    name: str
    steps_per_epoch: int | None = None
    augment: str = "none"
    mean: tuple[float, ...] | None = None
    std: tuple[float, ...] | None = None


def check_image_size(image_size: int) -> None:
    """Raises ``ValueError`` unless ``image_size`` is an int >= 8."""
    if isinstance(image_size, bool) or not isinstance(image_size, int) or image_size < 8:
        raise ValueError(
            f"image_size must be an int >= 8 (pixels per side); received image_size={image_size!r}."
        )


def _check_positive_int(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be an int >= 1; received {name}={value!r}.")


def tensorflow_available() -> bool:
    """Whether ``import tensorflow`` would work (without importing it)."""
    try:
        return importlib.util.find_spec("tensorflow") is not None
    except (ImportError, ValueError):  # blocked with sys.modules["tensorflow"] = None
        return False


def default_augment(name: str, family: str | None = None) -> str:
    """The paper's augmentation for data set ``name`` (and a model ``family``, for ImageNet)."""
    if name in ("cifar10", "cifar100", "fashion_mnist"):
        return "cifar"
    if name == DIGITS:
        return "shift"
    if family is not None and ("Inception" in family or family in ("GoogLeNet", "MobileNet")):
        return "inception"
    return "alexnet"


def _resolve_augment(augment: str | None, name: str, family: str | None) -> str:
    if augment in (None, False):
        return "none"
    if augment == "auto":
        return default_augment(name, family)
    if augment not in AUGMENTATIONS:
        raise ValueError(
            f"Unknown augment={augment!r}; use 'auto', None or one of {', '.join(AUGMENTATIONS)}."
        )
    return augment


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


# ---------------------------------------------------------------------------------------------
# NumPy: augmentation and a PyDataset, no TensorFlow.


def _np_crop_resize(image: np.ndarray, top, left, height, width, size: int) -> np.ndarray:
    patch = image[top : top + height, left : left + width]
    if patch.shape[:2] == (size, size):
        return patch
    resized = keras.ops.image.resize(patch[None], (size, size), interpolation="bilinear")
    return keras.ops.convert_to_numpy(resized)[0]


def _np_inception_box(rng: np.random.Generator, height: int, width: int):
    """A random box of 8%-100% of the area with aspect 3/4-4/3 (else the whole image)."""
    for _ in range(10):
        area = height * width * rng.uniform(*INCEPTION_AREA)
        aspect = math.exp(rng.uniform(math.log(INCEPTION_ASPECT[0]), math.log(INCEPTION_ASPECT[1])))
        w = round(math.sqrt(area * aspect))
        h = round(math.sqrt(area / aspect))
        if 0 < w <= width and 0 < h <= height:
            return rng.integers(0, height - h + 1), rng.integers(0, width - w + 1), h, w
    return 0, 0, height, width


def augment_numpy(images: np.ndarray, augment: str, rng: np.random.Generator) -> np.ndarray:
    """Applies ``augment`` (a key of :data:`AUGMENTATIONS`) to a batch of NumPy images
    ``(n, h, w, c)`` with random numbers from ``rng``; the output has the input's shape."""
    if augment == "none":
        return images
    n, height, width, _ = images.shape
    out = np.empty_like(images)
    for i in range(n):
        image = images[i]
        if augment in ("cifar", "shift"):
            padded = np.pad(image, ((PAD, PAD), (PAD, PAD), (0, 0)))
            top, left = rng.integers(0, 2 * PAD + 1, size=2)
            image = padded[top : top + height, left : left + width]
        elif augment == "alexnet":
            big = round(height * 8 / 7)
            image = _np_crop_resize(image, 0, 0, height, width, big)
            top, left = rng.integers(0, big - height + 1, size=2)
            image = image[top : top + height, left : left + width]
        elif augment == "inception":
            image = _np_crop_resize(image, *_np_inception_box(rng, height, width), height)
        if augment != "shift" and rng.random() < 0.5:
            image = image[:, ::-1]
        out[i] = image
    return out


class ArrayDataset(keras.utils.PyDataset):
    """NumPy images and labels in batches, for any Keras backend (no TensorFlow needed).

    In training, the order is shuffled at each epoch (before batching) and each batch is
    augmented; in evaluation, neither.

    Args:
        x: images ``(n, h, w, c)`` float32 in [0, 1].
        y: int labels ``(n,)``.
        batch_size: images per batch.
        training: shuffle and augment.
        augment: a key of :data:`AUGMENTATIONS`.
        mean: per-channel mean to subtract after augmentation (``None``: none).
        std: per-channel standard deviation to divide by.
        seed: the seed of the shuffles and augmentations.
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
        **kwargs,
    ):
        super().__init__(**kwargs)
        _check_positive_int("batch_size", batch_size)
        if len(x) != len(y):
            raise ValueError(f"x and y differ in length: len(x)={len(x)}, len(y)={len(y)}.")
        self.x, self.y = x, np.asarray(y, "int32")
        self.batch_size, self.training = batch_size, training
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
        images = augment_numpy(self.x[rows], self.augment, self._rng)
        if self.mean is not None:
            images = (images - self.mean) / self.std
        return images.astype("float32"), self.y[rows]

    def on_epoch_end(self):
        if self.training:
            self._rng.shuffle(self._order)


def _digits_stats(x_train: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...]]:
    return tuple(x_train.mean(axis=(0, 1, 2)).tolist()), tuple(x_train.std(axis=(0, 1, 2)).tolist())


def load_arrays(
    name: str = DIGITS,
    *,
    image_size: int,
    batch_size: int = 32,
    train_samples: int | None = None,
    seed: int = 0,
    augment: str | None = "auto",
    normalize: bool = False,
    family: str | None = None,
    data_dir: str | None = None,
    download: bool = False,
) -> Splits:
    """A data set as :class:`ArrayDataset` splits: trains on JAX and PyTorch without TensorFlow.

    ``digits`` needs neither TensorFlow nor the network; the tensorflow-datasets sets are read
    into memory through TensorFlow (fine for CIFAR and Fashion-MNIST, not for ImageNet).
    Arguments as :func:`load`.
    """
    _check_load_args(name, image_size, batch_size, train_samples)
    augment = _resolve_augment(augment, name, family)
    if name == DIGITS:
        (x_train, y_train), (x_test, y_test) = digits_arrays(image_size, seed=seed)
        num_classes = 10
        stats = _digits_stats(x_train)
    else:  # read through TensorFlow into memory
        train, test, num_classes = _tfds_splits(
            name, data_dir=data_dir, download=download, manual_dir=None
        )

        def to_arrays(dataset):
            dataset = dataset.map(lambda image, label: (_tf_resize(image, image_size), label))
            images, labels = zip(*dataset.batch(1024).as_numpy_iterator(), strict=True)
            return np.concatenate(images), np.concatenate(labels).astype("int32")

        x_train, y_train = to_arrays(train if train_samples is None else train.take(train_samples))
        x_test, y_test = to_arrays(test)
        stats = CHANNEL_STATS[name]
    if train_samples is not None:
        x_train, y_train = x_train[:train_samples], y_train[:train_samples]
    mean, std = stats if normalize else (None, None)
    common = {"batch_size": batch_size, "mean": mean, "std": std, "seed": seed}
    train_data = ArrayDataset(x_train, y_train, training=True, augment=augment, **common)
    return Splits(
        train=train_data,
        test=ArrayDataset(x_test, y_test, training=False, **common),
        num_classes=num_classes,
        name=name,
        steps_per_epoch=len(train_data),
        augment=augment,
        mean=mean,
        std=std,
    )


# ---------------------------------------------------------------------------------------------
# tf.data


def _check_load_args(name, image_size, batch_size, train_samples) -> None:
    if name not in DATASETS and not (isinstance(name, str) and os.path.isdir(name)):
        raise ValueError(
            f"Unknown data set name={name!r}; use one of {', '.join(DATASETS)}, or a folder "
            "holding train/<class>/<image> and test/<class>/<image>."
        )
    check_image_size(image_size)
    _check_positive_int("batch_size", batch_size)
    if train_samples is not None:
        _check_positive_int("train_samples", train_samples)


def _tf_resize(image, size: int):
    import tensorflow as tf

    image = tf.cast(image, tf.float32) / 255.0 if image.dtype == tf.uint8 else image
    if image.shape[-1] == 1:
        image = tf.image.grayscale_to_rgb(image)
    return tf.image.resize(image, (size, size))


def _tf_train_transform(augment: str, size: int):
    """``(image (any size, uint8 or float in [0, 1]), seed) -> float32 size x size x 3``.

    Stateless random ops driven by ``seed`` (two integers, new for every image and every
    epoch, see :func:`_pipeline`): stateful ones (``tf.image.random_crop``) repeat the same
    crops every epoch once a global seed is set and the Keras session cleared.
    """
    import tensorflow as tf

    def transform(image, seed):
        box_seed, crop_seed, flip_seed = tf.unstack(
            tf.random.experimental.stateless_split(seed, num=3)
        )
        if augment == "inception":
            # The crop is taken on the image as stored (full resolution), then resized.
            begin, crop_size, _ = tf.image.stateless_sample_distorted_bounding_box(
                tf.shape(image),
                bounding_boxes=tf.constant([0.0, 0.0, 1.0, 1.0], shape=(1, 1, 4)),
                seed=box_seed,
                area_range=INCEPTION_AREA,
                aspect_ratio_range=INCEPTION_ASPECT,
                max_attempts=10,
                use_image_if_no_bounding_boxes=True,
            )
            image = tf.slice(image, begin, crop_size)
        image = _tf_resize(image, size)
        if augment in ("cifar", "shift"):
            image = tf.image.pad_to_bounding_box(image, PAD, PAD, size + 2 * PAD, size + 2 * PAD)
            image = tf.image.stateless_random_crop(image, (size, size, 3), seed=crop_seed)
        elif augment == "alexnet":
            big = round(size * 8 / 7)
            image = tf.image.stateless_random_crop(
                tf.image.resize(image, (big, big)), (size, size, 3), seed=crop_seed
            )
        if augment not in ("none", "shift"):
            image = tf.image.stateless_random_flip_left_right(image, seed=flip_seed)
        return image

    return transform


def _tf_test_transform(name: str, size: int):
    """Evaluation: resize; ImageNet-like sets take the central 87.5% first (224 of 256)."""
    import tensorflow as tf

    central = name in ("imagenette", "imagenet2012")

    def transform(image):
        if central:
            image = tf.image.central_crop(image, 0.875)
        return _tf_resize(image, size)

    return transform


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
    name: str = DIGITS,
    *,
    image_size: int,
    batch_size: int = 32,
    train_samples: int | None = None,
    seed: int = 0,
    data_dir: str | None = None,
    augment: str | None = "auto",
    normalize: bool = False,
    family: str | None = None,
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
        name: one of :data:`DATASETS`, or a folder with ``train/<class>/<image>`` and
            ``test/<class>/<image>`` (``val`` or ``validation`` also work).
        image_size: the square size the network takes.
        batch_size: images per batch.
        train_samples: keep only the first this many training images (``None``: all).
        seed: shuffling and augmentation seed.
        data_dir: tensorflow-datasets' data folder (default: ``$TFDS_DATA_DIR`` or
            ``~/tensorflow_datasets``).
        augment: a key of :data:`AUGMENTATIONS`, ``"auto"`` (the paper's for this data set and
            ``family``: :func:`default_augment`) or ``None``. Training split only.
        normalize: subtract the per-channel mean and divide by the standard deviation
            (:data:`CHANNEL_STATS`; digits: its training split's).
        family: the model family (``get_spec(name).family``), for ``augment="auto"``.
        cache: cache the decoded images in memory (``True``) or in this file.
        download: download and prepare a missing tensorflow-datasets set (needs the network;
            without it, fails within seconds). Off by default: a missing set fails at once.
        manual_dir: where a manually downloaded set's archives are (ImageNet:
            ``ILSVRC2012_img_train.tar`` and ``ILSVRC2012_img_val.tar``); default
            ``<data_dir>/downloads/manual``.
        shuffle_buffer: images in the shuffle buffer.
        backend: ``"tf"`` for ``tf.data``, ``"numpy"`` for :func:`load_arrays`, ``"auto"``:
            ``tf.data`` when TensorFlow is installed.

    Raises:
        ValueError: for an unknown name or a bad argument.
        FileNotFoundError: when a tensorflow-datasets set is not on disk; the message says where
            it was looked for, how to download it, and that ``digits`` works offline.
        ConnectionError: when ``download=True`` and the network is unreachable.
    """
    if backend not in ("auto", "tf", "numpy"):
        raise ValueError(f"backend must be 'auto', 'tf' or 'numpy'; received backend={backend!r}.")
    if backend == "numpy" or (backend == "auto" and not tensorflow_available()):
        return load_arrays(
            name,
            image_size=image_size,
            batch_size=batch_size,
            train_samples=train_samples,
            seed=seed,
            augment=augment,
            normalize=normalize,
            family=family,
            data_dir=data_dir,
            download=download,
        )
    import tensorflow as tf

    _check_load_args(name, image_size, batch_size, train_samples)
    augment = _resolve_augment(augment, name, family)
    if name == DIGITS:
        (x_train, y_train), (x_test, y_test) = digits_arrays(image_size, seed=seed)
        stats = _digits_stats(x_train)
        train = tf.data.Dataset.from_tensor_slices((x_train, y_train))
        test = tf.data.Dataset.from_tensor_slices((x_test, y_test))
        num_classes = 10
    else:
        train, test, num_classes = _tfds_splits(
            name, data_dir=data_dir, download=download, manual_dir=manual_dir
        )
        stats = CHANNEL_STATS.get(name, IMAGENET_STATS)
    if train_samples is not None:
        train = train.take(train_samples)
    mean, std = stats if normalize else (None, None)
    common = {"batch_size": batch_size, "seed": seed, "mean": mean, "std": std}
    train_pipe = _pipeline(
        train,
        transform=_tf_train_transform(augment, image_size),
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
        augment=augment,
        mean=mean,
        std=std,
    )


def network_reachable(host: str = "storage.googleapis.com", timeout: float = 3.0) -> bool:
    """Whether a TCP connection to ``host``:443 opens within ``timeout`` seconds."""
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


def _missing_message(name: str, where: str, manual_dir: str | None) -> str:
    if name in MANUAL_FILES:
        manual = manual_dir or os.path.join(where, "downloads", "manual")
        how = (
            f"It cannot be downloaded by a script: get {MANUAL_FILES[name]} from "
            f"https://image-net.org, put them in {manual} (or pass manual_dir=, CLI "
            "--manual-dir), and load again with download=True (CLI --download) to prepare it."
        )
    else:
        how = (
            "Download it once with network access: pass download=True (CLI --download), or run "
            f"python -c \"import tensorflow_datasets as tfds; tfds.builder('{name}')"
            '.download_and_prepare()" (or set TFDS_DATA_DIR to a prepared copy).'
        )
    return (
        f"The data set {name!r} is not prepared in {where} (tried tensorflow-datasets with "
        f"download=False). {how} With no network, use the offline data set 'digits'."
    )


def _tfds_splits(name: str, *, data_dir: str | None, download: bool, manual_dir: str | None):
    """``(train, test, num_classes)``: undecoded-size images (uint8) and int labels."""
    import tensorflow_datasets as tfds

    if os.path.isdir(name):
        builder = tfds.ImageFolder(name)
        splits = set(builder.info.splits)
        test_split = next((s for s in ("test", "validation", "val") if s in splits), None)
        if "train" not in splits or test_split is None:
            raise ValueError(
                f"The folder name={name!r} must hold train/ and test/ (or val/) subfolders of "
                f"class folders; found splits {sorted(splits)}."
            )
        train, test = (
            builder.as_dataset(split=s, as_supervised=True, shuffle_files=s == "train")
            for s in ("train", test_split)
        )
        return train, test, builder.info.features["label"].num_classes

    where = data_dir or os.environ.get("TFDS_DATA_DIR") or "~/tensorflow_datasets"
    not_found = (tfds.core.DatasetNotFoundError, AssertionError)  # tfds raises either

    def read():
        # download=False: offline, tfds would otherwise retry downloads for minutes.
        return tfds.load(
            name,
            split=["train", TFDS_DATASETS[name]],
            as_supervised=True,
            with_info=True,
            shuffle_files=True,
            download=False,
            data_dir=data_dir,
        )

    try:
        (train, test), info = read()
    except not_found as error:
        if not download:
            raise FileNotFoundError(_missing_message(name, where, manual_dir)) from error
        if name not in MANUAL_FILES and not network_reachable():
            raise ConnectionError(
                f"Cannot download {name!r}: the network is unreachable (tried "
                "storage.googleapis.com:443 for 3 s). " + _missing_message(name, where, manual_dir)
            ) from error
        config = tfds.download.DownloadConfig(manual_dir=manual_dir)
        try:
            tfds.builder(name, data_dir=data_dir).download_and_prepare(download_config=config)
        except not_found as manual_error:  # the manual files are missing
            raise FileNotFoundError(_missing_message(name, where, manual_dir)) from manual_error
        (train, test), info = read()
    return train, test, info.features["label"].num_classes
