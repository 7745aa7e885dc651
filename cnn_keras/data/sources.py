"""Where the images come from: the data sets' names, Fashion-MNIST's files, scikit-learn's
digits, each set's channel statistics, and the checks every loader makes before reading."""

from __future__ import annotations

import functools
import gzip
import importlib.util
import math
import os
import socket
from pathlib import Path

import keras
import numpy as np

from cnn_keras.checks import MAX_IMAGE_SIZE, check_float, check_int

DIGITS = "digits"
FASHION_MNIST = "fashion_mnist"
# Fashion-MNIST's first five classes (T-shirt/top, Trouser, Pullover, Dress, Coat), both
# splits: a net trained on them has never seen the other five, which a transfer test probes
# (lesson 03's linear probe). Labels 0-4, Fashion-MNIST's normalization.
FASHION_MNIST_5 = "fashion_mnist_5"
# The sets read with NumPy, without TensorFlow or the network.
OFFLINE_DATASETS = (FASHION_MNIST, FASHION_MNIST_5, DIGITS)
# tensorflow-datasets names and their test split.
TFDS_DATASETS = {
    "cifar10": "test",
    "cifar100": "test",
    "imagenette": "validation",
    "imagenet2012": "validation",
}
DATASETS = (*OFFLINE_DATASETS, *TFDS_DATASETS)

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

# (channels, classes) of each named set as the loaders give it: what a run plan builds the model
# for before any file is read. A folder of photographs has 3 channels and one class per folder.
DATASET_SHAPES = {
    "fashion_mnist": (1, 10),
    "fashion_mnist_5": (1, 5),
    "digits": (3, 10),
    "cifar10": (3, 10),
    "cifar100": (3, 100),
    "imagenette": (3, 10),
    "imagenet2012": (3, 1000),
}

# Per-channel mean and standard deviation of the training images in [0, 1].
IMAGENET_STATS = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
CHANNEL_STATS = {
    "cifar10": ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)),
    "cifar100": ((0.5071, 0.4865, 0.4409), (0.2673, 0.2564, 0.2762)),
    "fashion_mnist": ((0.2860,), (0.3530,)),
    "fashion_mnist_5": ((0.2860,), (0.3530,)),  # the whole set's: one input scale for both
    "imagenette": IMAGENET_STATS,
    "imagenet2012": IMAGENET_STATS,
}


def channel_stats(
    name: str, x_train: np.ndarray | None = None
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """``(mean, std)`` per channel that ``normalize=True`` uses for data set ``name``.

    The published figures of :data:`CHANNEL_STATS`; for ``digits``, its training images'
    own (``x_train``, in [0, 1]); for a folder of photographs, ImageNet's.
    """
    if name == DIGITS:
        if x_train is None:
            raise ValueError("channel_stats('digits') needs x_train, the training images.")
        axes = tuple(range(x_train.ndim - 1))
        return tuple(x_train.mean(axis=axes).tolist()), tuple(x_train.std(axis=axes).tolist())
    return CHANNEL_STATS.get(name, IMAGENET_STATS)


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


def network_reachable(host: str = "storage.googleapis.com", timeout: float = 3.0) -> bool:
    """Whether a TCP connection to ``host``:443 opens within ``timeout`` seconds."""
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


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
        if all((folder / name).is_file() for name in FASHION_MNIST_FILES):
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


def offline_arrays(name: str, image_size: int, *, seed: int, data_dir, download):
    """``(x_train, y_train), (x_test, y_test), class_names`` of a set of
    :data:`OFFLINE_DATASETS`: Fashion-MNIST as stored (uint8 28x28), digits at ``image_size``."""
    if name == DIGITS:
        train, test = digits_arrays(image_size, seed=seed)
        return train, test, tuple(str(d) for d in range(10))
    train, test = fashion_mnist_arrays(data_dir, download=download)
    if name == FASHION_MNIST_5:
        train, test = ((x[y < 5], y[y < 5]) for x, y in (train, test))
        return train, test, FASHION_MNIST_CLASSES[:5]
    return train, test, FASHION_MNIST_CLASSES
