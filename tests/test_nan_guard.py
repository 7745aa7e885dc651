"""The NaN guard on every backend: NaN images from epoch 2 stop the run, and no file keeps
non-finite weights. Marked ``models``: `make test-jax` runs it again on JAX, where the logged
loss stayed finite while the weights went NaN (issue 14)."""

from __future__ import annotations

import types

import keras
import numpy as np
import pytest

from cnn_keras import training


class Images(keras.utils.PyDataset):
    """Two batches of small images, all NaN once ``poisoned``."""

    def __init__(self):
        super().__init__()
        rng = np.random.default_rng(0)
        self.x = rng.random((16, 8, 8, 1), dtype="float32")
        self.y = rng.integers(0, 3, 16).astype("int32")
        self.poisoned = False

    def __len__(self):
        return 2

    def __getitem__(self, index):
        x, y = self.x[index * 8 : index * 8 + 8], self.y[index * 8 : index * 8 + 8]
        return (np.full_like(x, np.nan) if self.poisoned else x), y


class PoisonFromEpoch2(keras.callbacks.Callback):
    """From the second epoch on: NaN images, or NaN in batch normalization's moving mean,
    which a training step does not use: the loss stays finite while a weight is NaN, as the
    issue saw on JAX. (A callback: Keras on JAX begins and ends a pass over a ``PyDataset`` to
    peek at it before training, so the data set cannot count epochs.)"""

    def __init__(self, images: Images, what: str):
        super().__init__()
        self.images, self.what = images, what

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 1 and self.what == "images":
            self.images.poisoned = True
        elif epoch == 1:
            mean = self.model.get_layer("bn").moving_mean
            mean.assign(keras.ops.full(mean.shape, float("nan")))


@pytest.mark.models
@pytest.mark.parametrize(
    ("what", "message"),
    [
        ("images", r"The loss became nan at epoch 2"),
        ("moving_mean", r"The weights became NaN or infinite in epoch 2 \(the logged loss was \d"),
    ],
)
def test_nan_stops_the_run_and_leaves_epoch_1s_finite_model(what, message, tmp_path):
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(4, 3, name="conv")(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax", name="fc")(x))
    images = Images()
    splits = types.SimpleNamespace(train=images, test=None)

    with pytest.raises(training.NonFiniteLossError, match=message + r".*last\.keras"):
        training.fit(
            model,
            splits,
            recipe=training.recipe_for("resnet20_cifar"),
            epochs=3,
            output_dir=str(tmp_path),
            verbose=0,
            callbacks=[PoisonFromEpoch2(images, what)],
        )

    # What the backend holds after epoch 2: some weights are NaN, whatever the log said.
    assert not training.weights_finite(model)
    last = keras.saving.load_model(tmp_path / "last.keras")
    assert all(np.isfinite(w).all() for w in last.get_weights())  # epoch 1's
    assert len(training.read_log(str(tmp_path))["loss"]) == 2  # epoch 2 logged, then stopped
    assert not (tmp_path / "backup").exists()
