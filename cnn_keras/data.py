"""Data sets for training: Fashion-MNIST offline, tensorflow-datasets' image sets, a folder.

``fashion_mnist`` (Xiao et al. 2017: 60,000 + 10,000 grayscale 28x28 images of clothes, 10
classes) is what the ``smoke`` and ``cpu`` profiles train on: real images a small net learns in
minutes. Its four original files are read with NumPy (no TensorFlow, no network) from Debian's
package ``dataset-fashion-mnist``, Keras's cache or a folder you name, or downloaded once
(:func:`find_fashion_mnist`). ``digits`` (scikit-learn's 1,797 8x8 digits, given three channels)
also works offline but is too small to learn much from. ``cifar10``, ``cifar100``,
``imagenette`` and ``imagenet2012`` come from tensorflow-datasets once downloaded (ImageNet from a
manual download). A folder ``ROOT/train/<class>/*.png`` (and ``ROOT/test/...``) loads too.

Images keep their own channels (one for Fashion-MNIST, three for the photographs): build the
model with ``input_shape=splits.image_shape``.

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
import functools
import gzip
import importlib.util
import math
import os
import socket
from collections.abc import Sequence
from pathlib import Path

import keras
import numpy as np

from cnn_keras.checks import (
    MAX_IMAGE_SIZE,
    check_bool,
    check_choice,
    check_float,
    check_int,
    suggestion,
)

DIGITS = "digits"
FASHION_MNIST = "fashion_mnist"
# tensorflow-datasets names and their test split.
TFDS_DATASETS = {
    "cifar10": "test",
    "cifar100": "test",
    "imagenette": "validation",
    "imagenet2012": "validation",
}
DATASETS = (FASHION_MNIST, DIGITS, *TFDS_DATASETS)

# Fashion-MNIST's four files with the MD5 sums published beside them
# (github.com/zalandoresearch/fashion-mnist), where they are looked for, and where Keras
# downloads them from (the mirror keras.datasets.fashion_mnist uses).
FASHION_MNIST_FILES = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}
FASHION_MNIST_DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_MNIST_KERAS_DIR = "~/.keras/datasets/fashion-mnist"
FASHION_MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
# Sets whose files cannot be downloaded by a script: the user puts them in manual_dir.
MANUAL_FILES = {"imagenet2012": "ILSVRC2012_img_train.tar and ILSVRC2012_img_val.tar"}

# Per-channel mean and standard deviation of the training images in [0, 1].
IMAGENET_STATS = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
CHANNEL_STATS = {
    "cifar10": ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)),
    "cifar100": ((0.5071, 0.4865, 0.4409), (0.2673, 0.2564, 0.2762)),
    "fashion_mnist": ((0.2860,), (0.3530,)),
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


def check_image_size(image_size: int) -> int:
    """``image_size`` as an int, if it is an int in [8, :data:`~cnn_keras.checks.MAX_IMAGE_SIZE`]
    (larger images exhaust memory: ``image_size=4096`` aborted the process inside XLA)."""
    return check_int(
        "image_size",
        image_size,
        minimum=8,
        maximum=MAX_IMAGE_SIZE,
        hint="pixels per side; larger images exhaust memory or abort inside XLA",
    )


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
    if not isinstance(augment, str) or augment not in AUGMENTATIONS:
        raise ValueError(
            f"Unknown augment={augment!r}; use 'auto', None or one of {', '.join(AUGMENTATIONS)}."
            + suggestion(augment, AUGMENTATIONS)
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

    image_size = check_image_size(image_size)
    check_float(
        "test_fraction",
        test_fraction,
        minimum=0,
        maximum=1,
        min_inclusive=False,
        max_inclusive=False,
    )
    digits = load_digits()
    images = (digits.images / 16.0).astype("float32")[..., None]  # 8x8x1, in [0, 1]
    images = np.repeat(resize_images(images, image_size), 3, axis=-1)
    labels = digits.target.astype("int32")
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=test_fraction, random_state=seed, stratify=labels
    )
    return (x_train, y_train), (x_test, y_test)


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """An array from an idx file (LeCun's MNIST format, gzipped or not), read with NumPy.

    The header is two zero bytes, a type code (0x08: unsigned bytes), the number of dimensions
    and each dimension as a big-endian int32; the values follow.

    Raises:
        ValueError: if the file is not an idx file of unsigned bytes or is truncated.
    """
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as file:
        raw = file.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(
            f"{path} is not an idx file of unsigned bytes (header {raw[:4]!r}; expected "
            "00 00 08 <dimensions>)."
        )
    ndim = raw[3]
    shape = tuple(int(d) for d in np.frombuffer(raw, ">i4", count=ndim, offset=4))
    values = np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim)
    if values.size != math.prod(shape):
        raise ValueError(
            f"{path} is truncated: its header says {shape} ({math.prod(shape):,} values), it "
            f"holds {values.size:,}."
        )
    return values.reshape(shape)


def _has_fashion_mnist(folder: Path) -> bool:
    return all((folder / name).is_file() for name in FASHION_MNIST_FILES)


def find_fashion_mnist(data_dir: str | None = None, *, download: bool = False) -> Path:
    """The folder holding Fashion-MNIST's four ``*-ubyte.gz`` files.

    Looks, in order, in Debian's folder (package ``dataset-fashion-mnist``, which ``make
    setup`` installs), in Keras's cache (where ``keras.datasets.fashion_mnist`` puts the same
    files), in ``data_dir``, and with ``download=True`` downloads them into Keras's cache,
    checking their published MD5 sums.

    Raises:
        FileNotFoundError: at once, when no folder has the files and ``download`` is off; the
            message names the four ways to get them.
        ConnectionError: when ``download=True`` and the network is unreachable.
    """
    candidates = [Path(FASHION_MNIST_DEBIAN_DIR), Path(FASHION_MNIST_KERAS_DIR).expanduser()]
    if data_dir is not None:
        candidates.append(Path(data_dir).expanduser())
    for folder in candidates:
        if _has_fashion_mnist(folder):
            return folder
    ways = (
        f"Fashion-MNIST's files ({', '.join(FASHION_MNIST_FILES)}) were not found. Get them "
        f"one of four ways: (1) install Debian's package: sudo apt-get install "
        f"dataset-fashion-mnist (make setup does), which puts them in {FASHION_MNIST_DEBIAN_DIR}; "
        f"(2) run keras.datasets.fashion_mnist.load_data() once online, which caches them in "
        f"{FASHION_MNIST_KERAS_DIR}; (3) put them in a folder and pass data_dir= (CLI "
        f"--data-dir); (4) pass download=True (CLI --download) with network access. Looked "
        f"in: {', '.join(str(c) for c in candidates)}."
    )
    if not download:
        raise FileNotFoundError(ways)
    host = FASHION_MNIST_URL.split("/")[2]
    if not network_reachable(host):
        raise ConnectionError(f"Cannot download Fashion-MNIST: {host}:443 is unreachable. {ways}")
    for name, md5 in FASHION_MNIST_FILES.items():
        keras.utils.get_file(
            name,
            origin=FASHION_MNIST_URL + name,
            file_hash=md5,
            hash_algorithm="md5",
            cache_subdir=os.path.join("datasets", "fashion-mnist"),
        )
    return Path(FASHION_MNIST_KERAS_DIR).expanduser()


def fashion_mnist_arrays(
    data_dir: str | None = None, *, download: bool = False
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Fashion-MNIST as NumPy arrays, as stored: uint8 images ``(n, 28, 28, 1)``, int32 labels.

    60,000 training and 10,000 test images (the published split). Where the files are looked
    for: :func:`find_fashion_mnist`.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``.
    """
    return _read_fashion_mnist(find_fashion_mnist(data_dir, download=download))


@functools.lru_cache(maxsize=2)
def _read_fashion_mnist(folder: Path):
    # Read once per process: decompressing the 26 MB of training images takes seconds. The
    # arrays are read-only views of the files' bytes. Debian recompresses the files, so their
    # MD5 sums differ from the published ones: the idx headers are checked instead.
    def read(split, count):
        images = read_idx(folder / f"{split}-images-idx3-ubyte.gz")[..., None]
        labels = read_idx(folder / f"{split}-labels-idx1-ubyte.gz").astype("int32")
        if images.shape != (count, 28, 28, 1) or labels.shape != (count,):
            raise ValueError(
                f"{folder} does not hold Fashion-MNIST's {split} split: images {images.shape} "
                f"and labels {labels.shape}, expected ({count}, 28, 28) and ({count},)."
            )
        return images, labels

    return read("train", 60_000), read("t10k", 10_000)


def resize_images(images: np.ndarray, size: int, *, chunk: int = 8192) -> np.ndarray:
    """``images`` ``(n, h, w, c)`` (uint8 in [0, 255] or float in [0, 1]) as float32 in [0, 1]
    at ``size`` x ``size``, bilinear; resized a chunk at a time to bound memory."""
    scale = 1 / 255 if images.dtype == np.uint8 else 1.0
    if images.shape[1:3] == (size, size):
        return images.astype("float32") * np.float32(scale)
    out = np.empty((len(images), size, size, images.shape[-1]), "float32")
    for start in range(0, len(images), chunk):
        part = images[start : start + chunk].astype("float32") * np.float32(scale)
        resized = keras.ops.image.resize(part, (size, size), interpolation="bilinear")
        out[start : start + chunk] = np.clip(keras.ops.convert_to_numpy(resized), 0.0, 1.0)
    return out


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
        batch_size = check_int("batch_size", batch_size, minimum=1)
        seed = check_int("seed", seed, minimum=0)
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


def _offline_arrays(name: str, image_size: int, *, seed: int, data_dir, download):
    """``(x_train, y_train), (x_test, y_test), stats, class_names`` of an offline set, images
    not yet resized (uint8 or float)."""
    if name == DIGITS:
        (x_train, y_train), test = digits_arrays(image_size, seed=seed)
        return (x_train, y_train), test, _digits_stats(x_train), tuple(str(d) for d in range(10))
    train, test = fashion_mnist_arrays(data_dir, download=download)
    return train, test, CHANNEL_STATS[FASHION_MNIST], FASHION_MNIST_CLASSES


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
    family: str | None = None,
    data_dir: str | None = None,
    download: bool = False,
) -> Splits:
    """A data set as :class:`ArrayDataset` splits: trains on JAX and PyTorch without TensorFlow.

    ``fashion_mnist`` and ``digits`` need neither TensorFlow nor the network; the
    tensorflow-datasets sets are read into memory through TensorFlow (fine for CIFAR, not for
    ImageNet). Arguments as :func:`load`.
    """
    name, image_size, batch_size, train_samples, test_samples, seed = _check_load_args(
        name, image_size, batch_size, train_samples, test_samples, seed
    )
    normalize = check_bool("normalize", normalize)
    augment = _resolve_augment(augment, name, family)
    if name in (DIGITS, FASHION_MNIST):
        (x_train, y_train), (x_test, y_test), stats, class_names = _offline_arrays(
            name, image_size, seed=seed, data_dir=data_dir, download=download
        )
        x_train, y_train = x_train[:train_samples], y_train[:train_samples]
        x_test, y_test = x_test[:test_samples], y_test[:test_samples]
        x_train, x_test = resize_images(x_train, image_size), resize_images(x_test, image_size)
        num_classes = len(class_names)
    else:  # read through TensorFlow into memory
        train, test, num_classes, _ = _tfds_splits(
            name, data_dir=data_dir, download=download, manual_dir=None
        )

        def to_arrays(dataset, samples):
            dataset = dataset if samples is None else dataset.take(samples)
            dataset = dataset.map(lambda image, label: (_tf_resize(image, image_size), label))
            images, labels = zip(*dataset.batch(1024).as_numpy_iterator(), strict=True)
            return np.concatenate(images), np.concatenate(labels).astype("int32")

        x_train, y_train = to_arrays(train, train_samples)
        x_test, y_test = to_arrays(test, test_samples)
        stats, class_names = CHANNEL_STATS.get(name, IMAGENET_STATS), None
    mean, std = stats if normalize else (None, None)
    common = {"batch_size": batch_size, "mean": mean, "std": std, "seed": seed}
    # Two threads make the next batches while the step runs. Not with random augmentation:
    # its draws come from one generator, and threads would change which image gets which.
    ahead = {"workers": 2, "max_queue_size": 4}
    train_data = ArrayDataset(
        x_train,
        y_train,
        training=True,
        augment=augment,
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
        image_shape=x_train.shape[1:],
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


# ---------------------------------------------------------------------------------------------
# tf.data


def _check_load_args(
    name, image_size, batch_size, train_samples, test_samples, seed
) -> tuple[str, int, int, int | None, int | None, int]:
    """The arguments :func:`load` and :func:`load_arrays` share, checked, as plain ints."""
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
    return name, image_size, batch_size, train_samples, test_samples, seed


# The files tensorflow-datasets' ImageFolder reads, by the bytes they start with.
IMAGE_SIGNATURES = {
    ".png": b"\x89PNG\r\n\x1a\n",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
}


def check_image_folder(root: str, splits: Sequence[str]) -> None:
    """Raises ``ValueError`` for a folder data set that cannot train a classifier: fewer than
    two class folders, or an image file that is not what its name says (an empty, truncated
    at the header or mislabelled file), named, rather than failing inside TensorFlow at the
    first batch. Reads the first bytes of each file only.

    Args:
        root: the folder holding ``<split>/<class>/<image>``.
        splits: the split folders to check (``train`` and ``test``).
    """
    classes = set()
    for split in splits:
        split_dir = Path(root, split)
        for class_dir in sorted(p for p in split_dir.iterdir() if p.is_dir()):
            classes.add(class_dir.name)
            for path in sorted(class_dir.iterdir()):
                signature = IMAGE_SIGNATURES.get(path.suffix.lower())
                if signature is None:
                    continue  # not read by ImageFolder
                with open(path, "rb") as file:
                    head = file.read(len(signature))
                if head != signature:
                    raise ValueError(
                        f"{path} is not a {path.suffix.lower()[1:].upper()} image (it starts "
                        f"with {head!r}, not {signature!r}): the folder data set name={root!r} "
                        "cannot be read. Replace or remove the file."
                    )
    if len(classes) < 2:
        raise ValueError(
            f"The folder data set name={root!r} has {len(classes)} class folder(s) "
            f"{sorted(classes)} in {', '.join(splits)}: a classifier needs at least two "
            "(train/<class>/<image> with one folder per class)."
        )


def _tf_resize(image, size: int):
    import tensorflow as tf

    image = tf.cast(image, tf.float32) / 255.0 if image.dtype == tf.uint8 else image
    return tf.image.resize(image, (size, size))


def _tf_train_transform(augment: str, size: int):
    """``(image (any size, uint8 or float in [0, 1]), seed) -> float32 size x size x channels``.

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
        crop = tf.concat([[size, size], tf.shape(image)[-1:]], axis=0)
        if augment in ("cifar", "shift"):
            image = tf.image.pad_to_bounding_box(image, PAD, PAD, size + 2 * PAD, size + 2 * PAD)
            image = tf.image.stateless_random_crop(image, crop, seed=crop_seed)
        elif augment == "alexnet":
            big = round(size * 8 / 7)
            image = tf.image.stateless_random_crop(
                tf.image.resize(image, (big, big)), crop, seed=crop_seed
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
        test_samples: keep only the first this many test images (``None``: all).
        seed: shuffling and augmentation seed.
        data_dir: for ``fashion_mnist``, a folder holding its four files (looked in after
            Debian's folder and Keras's cache: :func:`find_fashion_mnist`); for the
            tensorflow-datasets sets, its data folder (default: ``$TFDS_DATA_DIR`` or
            ``~/tensorflow_datasets``).
        augment: a key of :data:`AUGMENTATIONS`, ``"auto"`` (the paper's for this data set and
            ``family``: :func:`default_augment`) or ``None``. Training split only.
        normalize: subtract the per-channel mean and divide by the standard deviation
            (:data:`CHANNEL_STATS`; digits: its training split's).
        family: the model family (``get_spec(name).family``), for ``augment="auto"``.
        cache: cache the decoded images in memory (``True``) or in this file.
        download: download a missing set (Fashion-MNIST's four files into Keras's cache, or a
            tensorflow-datasets set, prepared); needs the network, and without it fails within
            seconds. Off by default: a missing set fails at once.
        manual_dir: where a manually downloaded set's archives are (ImageNet:
            ``ILSVRC2012_img_train.tar`` and ``ILSVRC2012_img_val.tar``); default
            ``<data_dir>/downloads/manual``.
        shuffle_buffer: images in the shuffle buffer.
        backend: ``"tf"`` for ``tf.data``, ``"numpy"`` for :func:`load_arrays`, ``"auto"``:
            ``tf.data`` when TensorFlow is installed.

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
            family=family,
            data_dir=data_dir,
            download=download,
        )
    import tensorflow as tf

    name, image_size, batch_size, train_samples, test_samples, seed = _check_load_args(
        name, image_size, batch_size, train_samples, test_samples, seed
    )
    normalize = check_bool("normalize", normalize)
    shuffle_buffer = check_int("shuffle_buffer", shuffle_buffer, minimum=1)
    augment = _resolve_augment(augment, name, family)
    if name in (DIGITS, FASHION_MNIST):
        (x_train, y_train), (x_test, y_test), stats, class_names = _offline_arrays(
            name, image_size, seed=seed, data_dir=data_dir, download=download
        )
        train = tf.data.Dataset.from_tensor_slices((x_train, y_train))
        test = tf.data.Dataset.from_tensor_slices((x_test, y_test))
        num_classes, channels = len(class_names), x_train.shape[-1]
    else:
        train, test, num_classes, channels = _tfds_splits(
            name, data_dir=data_dir, download=download, manual_dir=manual_dir
        )
        stats, class_names = CHANNEL_STATS.get(name, IMAGENET_STATS), None
    if train_samples is not None:
        train = train.take(train_samples)
    if test_samples is not None:
        test = test.take(test_samples)
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
        image_shape=(image_size, image_size, channels),
        class_names=class_names,
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
        f"download=False). {how} With no network, use the offline data set 'fashion_mnist'."
    )


def _tfds_splits(name: str, *, data_dir: str | None, download: bool, manual_dir: str | None):
    """``(train, test, num_classes, channels)``: images as stored (uint8) and int labels."""
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
        check_image_folder(name, ("train", test_split))
        train, test = (
            builder.as_dataset(split=s, as_supervised=True, shuffle_files=s == "train")
            for s in ("train", test_split)
        )
        features = builder.info.features
        return train, test, features["label"].num_classes, features["image"].shape[-1]

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
    return train, test, info.features["label"].num_classes, info.features["image"].shape[-1]
