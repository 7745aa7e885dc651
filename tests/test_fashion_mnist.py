"""Fashion-MNIST, the offline data set: idx files read with NumPy, where they are looked for,
and what a missing copy says."""

from __future__ import annotations

import gzip
import os
import socket
import time

import numpy as np
import pytest

from cnn_keras import data

HAVE_DEBIAN_COPY = os.path.isfile(
    os.path.join(data.FASHION_MNIST_DEBIAN_DIR, "train-images-idx3-ubyte.gz")
)


def _write_idx(path, array: np.ndarray) -> None:
    header = bytes([0, 0, 0x08, array.ndim]) + np.asarray(array.shape, ">i4").tobytes()
    with gzip.open(path, "wb", compresslevel=1) as file:
        file.write(header + array.astype(np.uint8).tobytes())


@pytest.fixture(scope="module")
def fixture_dir(tmp_path_factory):
    """A folder with the four files at Fashion-MNIST's sizes: image i is filled with i % 251,
    label i is i % 10."""
    folder = tmp_path_factory.mktemp("fashion")
    for split, count in (("train", 60_000), ("t10k", 10_000)):
        values = (np.arange(count) % 251).astype(np.uint8)
        images = np.broadcast_to(values[:, None, None], (count, 28, 28))
        _write_idx(folder / f"{split}-images-idx3-ubyte.gz", images)
        _write_idx(folder / f"{split}-labels-idx1-ubyte.gz", np.arange(count) % 10)
    return folder


@pytest.fixture
def no_default_copies(tmp_path, monkeypatch):
    """Debian's folder and Keras's cache point at empty folders."""
    monkeypatch.setattr(data.sources, "FASHION_MNIST_DEBIAN_DIR", str(tmp_path / "debian"))
    monkeypatch.setattr(data.sources, "FASHION_MNIST_KERAS_DIR", str(tmp_path / "keras"))


def test_read_idx_and_a_named_folder(fixture_dir, no_default_copies):
    (x_train, y_train), (x_test, y_test) = data.fashion_mnist_arrays(str(fixture_dir))
    assert x_train.shape == (60_000, 28, 28, 1) and x_test.shape == (10_000, 28, 28, 1)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.int32
    assert x_train[300, 5, 7, 0] == 300 % 251 and y_test[13] == 3
    splits = data.load_arrays(
        "fashion_mnist",
        image_size=32,
        batch_size=8,
        train_samples=16,
        test_samples=8,
        data_dir=str(fixture_dir),
        augment=None,
    )
    images, labels = splits.test[0]
    assert images.shape == (8, 32, 32, 1) and splits.image_shape == (32, 32, 1)
    np.testing.assert_allclose(images[:, 16, 16, 0], np.arange(8) / 255, atol=1e-6)
    assert list(labels) == list(range(8)) and len(splits.train) == 2
    assert splits.class_names[0] == "T-shirt/top" and splits.num_classes == 10


def test_read_idx_rejects_what_is_not_idx(tmp_path):
    bad = tmp_path / "bad.gz"
    with gzip.open(bad, "wb") as file:
        file.write(b"PK\x03\x04 not an idx file")
    with pytest.raises(ValueError, match=r"not an idx file of unsigned bytes"):
        data.read_idx(bad)
    short = tmp_path / "short.gz"
    _write_idx(short, np.zeros((3, 2), np.uint8))
    with gzip.open(short, "rb") as file:
        raw = file.read()
    with gzip.open(short, "wb") as file:
        file.write(raw[:-1])
    with pytest.raises(ValueError, match=r"truncated.*\(3, 2\)"):
        data.read_idx(short)


def test_missing_names_all_four_ways_and_fails_fast(tmp_path, no_default_copies, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OSError("network unreachable (test)")

    monkeypatch.setattr(socket, "create_connection", unreachable)
    start = time.perf_counter()
    with pytest.raises(FileNotFoundError) as missing:
        data.load("fashion_mnist", image_size=32, data_dir=str(tmp_path / "nowhere"))
    message = str(missing.value)
    for way in (
        "apt-get install dataset-fashion-mnist",
        "keras.datasets.fashion_mnist.load_data()",
        "data_dir=",
        "download=True",
        str(tmp_path / "nowhere"),
    ):
        assert way in message, way
    with pytest.raises(ConnectionError, match=r"unreachable.*apt-get install"):
        data.load_arrays("fashion_mnist", image_size=32, download=True)
    # Fast, not hung in download retries (minutes): a bound ten times above the usual second or
    # two, so a loaded machine cannot fail it.
    assert time.perf_counter() - start < 60


def test_keras_cache_is_looked_in_before_a_named_folder(fixture_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(data.sources, "FASHION_MNIST_DEBIAN_DIR", str(tmp_path / "debian"))
    monkeypatch.setattr(data.sources, "FASHION_MNIST_KERAS_DIR", str(fixture_dir))
    assert data.find_fashion_mnist(str(tmp_path / "elsewhere")) == fixture_dir


@pytest.mark.skipif(not HAVE_DEBIAN_COPY, reason="dataset-fashion-mnist not installed")
def test_debian_copy_through_tf_data_and_numpy_alike():
    tf_splits = data.load(
        "fashion_mnist", image_size=32, batch_size=16, test_samples=16, normalize=True
    )
    np_splits = data.load_arrays(
        "fashion_mnist", image_size=32, batch_size=16, test_samples=16, normalize=True
    )
    tf_images, tf_labels = next(iter(tf_splits.test))
    np_images, np_labels = np_splits.test[0]
    assert tf_splits.image_shape == np_splits.image_shape == (32, 32, 1)
    assert tf_splits.steps_per_epoch == np_splits.steps_per_epoch == 60_000 // 16
    np.testing.assert_array_equal(tf_labels.numpy(), np_labels)
    np.testing.assert_allclose(tf_images.numpy(), np_images, atol=1e-4)
    assert abs(float(np_images.mean())) < 0.5  # normalized with the published statistics
    x, _ = next(iter(tf_splits.train))
    assert x.shape == (16, 32, 32, 1) and tf_splits.augment == "cifar"
