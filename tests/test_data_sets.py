"""The data sets: tfds through mock_data, a folder the test writes, NumPy for JAX, offline."""

from __future__ import annotations

import socket
import time

import keras
import numpy as np
import pytest

from cnn_keras import data

tfds = pytest.importorskip("tensorflow_datasets")


def _images(dataset):
    return [x.numpy() for x, _ in dataset]


def test_cifar10_mock_data_shapes_normalization_and_augmentation():
    with tfds.testing.mock_data(num_examples=8):
        plain = data.load("cifar10", image_size=24, batch_size=4, augment=None)
        normal = data.load("cifar10", image_size=24, batch_size=4, augment=None, normalize=True)
        auto = data.load("cifar10", image_size=24, batch_size=4)
        x, y = next(iter(plain.train))
        raw_test, normal_test = _images(plain.test)[0], _images(normal.test)[0]
        augmented = next(iter(auto.train))[0].numpy()
    assert x.shape == (4, 24, 24, 3) and x.dtype.name == "float32" and y.dtype.name == "int32"
    assert 0.0 <= x.numpy().min() and x.numpy().max() <= 1.0
    mean, std = data.CHANNEL_STATS["cifar10"]
    np.testing.assert_allclose(normal_test, (raw_test - mean) / std, rtol=1e-5, atol=1e-5)
    assert auto.augment == "cifar" and augmented.shape == (4, 24, 24, 3)
    assert (normal.num_classes, auto.num_classes) == (10, 10)


def test_imagenet_mock_data_inception_crops():
    with tfds.testing.mock_data(num_examples=4):
        splits = data.load(
            "imagenet2012", image_size=32, batch_size=2, augment="inception", normalize=True
        )
        x, _ = next(iter(splits.train))
        test_x, _ = next(iter(splits.test))
    assert splits.augment == "inception" and x.shape == test_x.shape == (2, 32, 32, 3)
    assert splits.num_classes == 1000


def test_digits_augmentation_random_in_training_off_in_evaluation():
    def load(augment):
        # shuffle_buffer=1 keeps the order, so two epochs show the same images.
        return data.load(
            "digits",
            image_size=16,
            batch_size=8,
            train_samples=8,
            augment=augment,
            shuffle_buffer=1,
        )

    plain = load(None)
    assert _images(plain.train)[0].tolist() == _images(plain.train)[0].tolist()
    # With a global seed (and a cleared session), stateful random ops in the pipeline could
    # repeat the same crops every epoch: each epoch must still get new ones.
    for clear in (False, True, True, False, True):
        keras.utils.set_random_seed(0)
        if clear:
            keras.backend.clear_session()
        shifted = load("cifar")
        first, second = _images(shifted.train)[0], _images(shifted.train)[0]
        assert not np.array_equal(first, second)  # a new crop and flip each epoch
    assert first.shape == (8, 16, 16, 3)
    for a, b in zip(_images(shifted.test), _images(plain.test), strict=True):
        np.testing.assert_array_equal(a, b)  # evaluation: no augmentation


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory):
    """train/ and test/ with two classes of random 12x10 PNG images (3 and 2 per class)."""
    from PIL import Image

    root = tmp_path_factory.mktemp("folder")
    rng = np.random.default_rng(0)
    for split, count in (("train", 3), ("test", 2)):
        for label in ("cat", "dog"):
            (root / split / label).mkdir(parents=True)
            for i in range(count):
                pixels = rng.integers(0, 256, (12, 10, 3), dtype=np.uint8)
                Image.fromarray(pixels).save(root / split / label / f"{i}.png")
    return root


def test_folder_fixture(image_folder):
    splits = data.load(str(image_folder), image_size=8, batch_size=4, augment="alexnet")
    x, y = next(iter(splits.train))
    assert splits.num_classes == 2 and x.shape == (4, 8, 8, 3) and y.dtype.name == "int32"
    assert sum(len(y) for _, y in splits.test) == 4
    assert sorted(sum((y.numpy().tolist() for _, y in splits.train), [])) == [0, 0, 0, 1, 1, 1]
    with pytest.raises(ValueError, match=r"train/ and test/"):
        data.load(str(image_folder / "train"), image_size=8)


def test_folder_normalized_alike_by_load_and_load_arrays(image_folder):
    # A folder has no published statistics: both loaders take ImageNet's from one lookup (the
    # NumPy loader once indexed the table and raised KeyError).
    args = {"image_size": 8, "batch_size": 4, "augment": None, "normalize": True}
    tf_splits = data.load(str(image_folder), **args)
    np_splits = data.load_arrays(str(image_folder), **args)
    assert (tf_splits.mean, tf_splits.std) == (np_splits.mean, np_splits.std)
    assert np_splits.mean == data.channel_stats(str(image_folder))[0] == data.IMAGENET_STATS[0]
    tf_images = np.concatenate([x.numpy() for x, _ in tf_splits.test])
    np_images = np.concatenate([np_splits.test[i][0] for i in range(len(np_splits.test))])
    np.testing.assert_allclose(np_images, tf_images, atol=1e-5)


def test_numpy_inception_crop_is_taken_before_the_resize_as_in_tf_data(monkeypatch):
    from cnn_keras.data import augment

    # One-pixel vertical stripes, 32x32: resized to 8 first they blur to an even gray, so a
    # crop of the resized image differs from the resized crop of the stored one.
    image = np.tile(np.array([0, 255], np.uint8), (32, 16))[..., None]
    # The same box (relative to the image it is drawn on) for every draw.
    monkeypatch.setattr(
        augment, "_np_inception_box", lambda rng, h, w: (h // 8, w // 16, h // 2, 3 * w // 8)
    )
    train = data.ArrayDataset(
        image[None], [0], batch_size=1, training=True, augment="inception", image_size=8
    )
    crop = image[4:20, 2:14]  # the box on the stored 32x32 image
    expected = augment._tf_resize(crop, 8).numpy()  # what tf.data does after its crop
    assert expected.std() > 0.1  # stripes still there, not gray
    for _ in range(4):  # a flip or none
        got = train[0][0][0]
        assert got.shape == (8, 8, 1)
        assert any(np.allclose(got, e, atol=1e-5) for e in (expected, expected[:, ::-1]))


def test_load_arrays_keeps_stored_images_for_inception_crops():
    with tfds.testing.mock_data(num_examples=4):
        splits = data.load_arrays("cifar10", image_size=8, batch_size=4, augment="inception")
    assert splits.train.x.shape == (4, 32, 32, 3) and splits.train.x.dtype == np.uint8
    assert splits.train[0][0].shape == (4, 8, 8, 3) and splits.image_shape == (8, 8, 3)
    assert splits.test[0][0].shape == (4, 8, 8, 3)


def test_array_dataset_shuffles_augments_and_normalizes():
    x = np.random.default_rng(0).random((10, 8, 8, 3), dtype=np.float32)
    y = np.arange(10)
    train = data.ArrayDataset(x, y, batch_size=5, training=True, augment="inception", seed=1)
    test = data.ArrayDataset(
        x, y, batch_size=5, training=False, augment="cifar", mean=[0.5] * 3, std=[0.25] * 3
    )
    assert len(train) == 2 and train[0][0].shape == (5, 8, 8, 3)
    order = np.concatenate([train[i][1] for i in range(2)])
    train.on_epoch_end()
    assert sorted(order) == list(range(10))
    assert not np.array_equal(order, np.concatenate([train[i][1] for i in range(2)]))
    np.testing.assert_allclose(test[0][0], (x[:5] - 0.5) / 0.25, rtol=1e-6)  # no augmentation
    splits = data.load_arrays("digits", image_size=16, batch_size=8, normalize=True)
    assert abs(float(np.mean(splits.test[0][0]))) < 1.0 and splits.augment == "shift"
    assert splits.steps_per_epoch == len(splits.train)


def test_offline_fails_fast_with_the_way_out(tmp_path, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OSError("network unreachable (test)")

    monkeypatch.setattr(socket.socket, "connect", unreachable)
    monkeypatch.setattr(socket, "create_connection", unreachable)
    start = time.perf_counter()
    with pytest.raises(FileNotFoundError, match=r"download=False.*download=True.*'fashion_mnist'"):
        data.load("cifar10", image_size=32, data_dir=str(tmp_path))
    with pytest.raises(ConnectionError, match=r"unreachable.*'fashion_mnist'"):
        data.load("cifar100", image_size=32, data_dir=str(tmp_path), download=True)
    with pytest.raises(FileNotFoundError, match=r"ILSVRC2012_img_train.tar.*downloads.manual"):
        data.load("imagenet2012", image_size=32, data_dir=str(tmp_path))
    # Fast, not hung in download retries (minutes): a bound ten times above the usual second or
    # two, so a loaded machine cannot fail it.
    assert time.perf_counter() - start < 60


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"augment": "mixup"}, r"Unknown augment='mixup'"),
        ({"train_samples": 0}, r"train_samples must be an int >= 1.*train_samples=0"),
        ({"backend": "torch"}, r"backend must be one of 'auto', 'tf' or 'numpy'.*'torch'"),
    ],
)
def test_load_rejects_bad_arguments(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        data.load("digits", image_size=16, **kwargs)


def test_auto_augmentation_is_the_data_sets_or_the_models_papers():
    # Small-image sets get the CIFAR one whatever the model; ImageNet-like data gets the one
    # the caller names (the run plan passes its family's), AlexNet's by default; the data layer
    # takes an augmentation, never a model name.
    for imagenet in ("alexnet", "inception"):
        assert data.default_augment("imagenette", imagenet) == imagenet
        assert data.default_augment("cifar10", imagenet) == "cifar"
    assert data.default_augment("imagenette") == "alexnet"
    with pytest.raises(ValueError, match="imagenet"):
        data.default_augment("imagenette", "inception_v3")
    with pytest.raises(TypeError):
        data.load("imagenette", image_size=32, model="inception_v3")
