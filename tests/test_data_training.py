"""The offline data set, the profiles, the recipes and one short training run."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_keras import build_model, data, profiles, training
from cnn_keras.plan import plan_run


def test_digits_arrays_shapes_and_range():
    (x_train, y_train), (x_test, y_test) = data.digits_arrays(32)
    assert x_train.shape[1:] == (32, 32, 3) and x_train.dtype == np.float32
    assert len(x_train) + len(x_test) == 1797  # scikit-learn's digits
    assert 0.0 <= x_train.min() and x_train.max() <= 1.0 and x_train.max() > 0.5
    assert np.array_equal(x_train[..., 0], x_train[..., 2])  # gray in three channels
    assert set(np.unique(y_train)) == set(range(10)) and y_test.dtype == np.int32


def test_load_digits_pipeline_shuffles_before_batching():
    splits = data.load("digits", image_size=16, batch_size=8, train_samples=64, seed=1)
    assert splits.num_classes == 10
    first = [y.numpy().tolist() for _, y in splits.train]
    second = [y.numpy().tolist() for _, y in splits.train]
    assert sum(len(b) for b in first) == 64
    # Shuffled before batching: batches hold other images in the next epoch, not just reordered.
    assert {tuple(sorted(b)) for b in first} != {tuple(sorted(b)) for b in second}
    test_labels = [y.numpy().tolist() for _, y in splits.test]
    assert test_labels == [y.numpy().tolist() for _, y in splits.test]  # no shuffle on test
    images, _ = next(iter(splits.test))
    assert images.shape[1:] == (16, 16, 3)


def test_tfds_set_through_mock_data():
    tfds = pytest.importorskip("tensorflow_datasets")
    with tfds.testing.mock_data(num_examples=12):
        splits = data.load("cifar10", image_size=20, batch_size=4)
        images, labels = next(iter(splits.train))
    assert images.shape == (4, 20, 20, 3) and images.dtype.name == "float32"
    assert float(images.numpy().max()) <= 1.0 and labels.dtype.name == "int32"
    assert splits.num_classes == 10


def test_tfds_set_not_downloaded_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"download_and_prepare.*'fashion_mnist'"):
        data.load("cifar10", image_size=32, data_dir=str(tmp_path))


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        (
            {"name": "mnist2"},
            r"Unknown data set name='mnist2'; use one of fashion_mnist, fashion_mnist_5, digits",
        ),
        ({"image_size": 4}, r"image_size must be an int in \[8, 1024\].*image_size=4"),
        ({"batch_size": 0}, r"batch_size must be an int >= 1.*batch_size=0"),
    ],
)
def test_load_rejects_bad_arguments(kwargs, pattern):
    args = {"image_size": 32} | kwargs
    with pytest.raises(ValueError, match=pattern):
        data.load(**args)


def test_profiles(monkeypatch):
    monkeypatch.setenv(profiles.ENV_PROFILE, "smoke")
    smoke = profiles.get_profile()
    assert smoke.name == "smoke" and smoke.dataset == "fashion_mnist"
    assert profiles.get_profile("cpu").dataset == "fashion_mnist"
    assert (smoke.augment, profiles.get_profile("full").augment) == (None, "auto")
    assert not hasattr(smoke, "input_size")  # a profile knows machines; the plan, models
    assert plan_run("alexnet", smoke).image_size == 67  # the net's minimum beats 32
    assert plan_run("vgg16", smoke).input_shape == (32, 32, 1)  # Fashion-MNIST is grey
    assert plan_run("alexnet", "full").input_shape == (227, 227, 3)  # Imagenette, the paper's
    monkeypatch.setenv(profiles.ENV_DATASET, "cifar10")
    assert profiles.get_profile().dataset == "cifar10"
    monkeypatch.delenv(profiles.ENV_PROFILE)
    assert profiles.get_profile().name == "cpu"
    assert "profile=cpu" in profiles.describe(profiles.get_profile())
    # A visible GPU (a fresh Colab session) keeps the minutes-long default and says how to ask
    # for the hours-long paper-size run.
    monkeypatch.setattr(profiles, "gpu_available", lambda: True)
    assert profiles.get_profile().name == "cpu"
    described = profiles.describe(profiles.get_profile())
    assert "device=GPU" in described and "get_profile('full')" in described
    assert "\n" not in profiles.describe(profiles.get_profile("full"))
    with pytest.raises(ValueError, match=r"Unknown profile 'huge'.*smoke, cpu, full"):
        profiles.get_profile("huge")


def test_recipes_are_the_papers():
    vgg = training.recipe_for("vgg16")
    assert (vgg.learning_rate, vgg.momentum, vgg.weight_decay, vgg.batch_size) == (
        0.01,
        0.9,
        5e-4,
        256,
    )
    assert training.recipe_for("alexnet").batch_size == 128


def test_fit_trains_and_writes_checkpoints(tmp_path):
    splits = data.load("digits", image_size=32, batch_size=32, train_samples=128)
    model = build_model(
        "vgg11", input_shape=(32, 32, 3), classes=10, width_multiplier=0.125, fc_units=32
    )
    history = training.fit(
        model,
        splits,
        recipe=training.recipe_for("vgg11"),
        epochs=2,
        output_dir=str(tmp_path),
        verbose=0,
    )
    assert len(history.history["loss"]) == 2 and "val_accuracy" in history.history
    assert np.all(np.isfinite(history.history["loss"]))
    for written in ("log.csv", "best.keras", "last.keras"):
        assert (tmp_path / written).stat().st_size > 0
    with pytest.raises(ValueError, match=r"epochs must be an int >= 1.*epochs=0"):
        training.fit(model, splits, recipe=training.recipe_for("vgg11"), epochs=0)
