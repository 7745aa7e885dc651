"""A run killed at any instant resumes and ends where an uninterrupted run ends.

The kills here happen in-process, at the chosen file operation of :class:`training.RunFolder`:
a patched ``os.replace`` raises (leaving a truncated temporary file where the kill is "inside a
write"), so the run folder is left as a SIGKILL at that instant would leave it. A tiny net on a
fixed batch order trains identically run after run, so the resumed run's weights must equal
the uninterrupted run's exactly. A real SIGKILL of ``cnn-keras train`` is in
test_training_cli.py.
"""

from __future__ import annotations

import os
import types

import keras
import numpy as np
import pytest

from cnn_keras import data, training

EPOCHS = 3
RECIPE = training.recipe_for("resnet20_cifar")  # SGD with momentum, a step schedule


class Killed(BaseException):
    """The process "died" here (a BaseException: nothing in Keras catches it)."""


def _splits():
    rng = np.random.default_rng(0)
    x = rng.random((16, 8, 8, 1), dtype="float32")
    y = rng.integers(0, 3, 16)
    # training=False: a fixed batch order, so every run sees the same batches.
    train = data.ArrayDataset(x, y, batch_size=8, training=False)
    return types.SimpleNamespace(
        train=train, test=data.ArrayDataset(x, y, batch_size=8, training=False)
    )


def _model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(4, 3, name="conv")(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)  # moving averages: non-trainable state
    x = keras.layers.Activation("relu", name="relu")(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name="tiny")


def _run(output_dir):
    keras.backend.clear_session()
    return training.fit(
        _model(), _splits(), recipe=RECIPE, epochs=EPOCHS, output_dir=str(output_dir), verbose=0
    )


def _final_weights(output_dir):
    return keras.saving.load_model(os.path.join(output_dir, "last.keras")).get_weights()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted run: its log and final weights."""
    out = tmp_path_factory.mktemp("reference")
    _run(out)
    return training.read_log(str(out)), _final_weights(out)


def _backup(out, epoch, suffix):
    return os.path.join(out, "backup", f"epoch-{epoch:04d}{suffix}")


# Each kill: the file operation (the destination of os.replace, "@N": the first one once epoch
# N's record is written) where the process dies, and whether it dies inside the write (the
# temporary file truncated, never renamed) or just after the rename.
KILLS = {
    # Epoch 2's backup half written: resume from epoch 1.
    "inside the backup write": ("epoch-0002.weights.h5", "inside"),
    # Epoch 2's weights in place, its record (the JSON marking it complete) not yet.
    "between the backup's weights and its record": ("epoch-0002.weights.h5", "after"),
    # Epoch 2 backed up, its row not yet in log.csv: the log is rewritten from the backup.
    "between the backup and the log": ("log.csv@2", "inside"),
    # last.keras of epoch 3 half written: the complete one of epoch 2 stays.
    "inside the last model's write": ("last.keras@2", "inside"),
    # The last epoch's record written, the deletion of the backup not begun.
    "after the last epoch, before the end": ("log.csv@3", "after"),
}


@pytest.mark.parametrize("kill", list(KILLS))
def test_a_kill_at_any_instant_resumes_to_the_same_end(kill, reference, tmp_path, monkeypatch):
    target, when = KILLS[kill]
    target, _, epoch = target.partition("@")
    real_replace = os.replace

    def replace(src, dst):
        hit = os.path.basename(dst) == target and (
            not epoch or os.path.exists(_backup(tmp_path, int(epoch), ".json"))
        )
        if hit and when == "inside":
            with open(src, "r+b") as file:
                file.truncate(os.path.getsize(src) // 2)
            raise Killed(kill)
        real_replace(src, dst)
        if hit:
            raise Killed(kill)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(Killed):
        _run(tmp_path)
    monkeypatch.setattr(os, "replace", real_replace)
    assert (tmp_path / "backup").is_dir()

    history = _run(tmp_path)

    log, weights = reference
    resumed = training.read_log(str(tmp_path))
    assert len(resumed["loss"]) == EPOCHS  # every epoch once: none lost, none repeated
    assert resumed == log  # the same numbers: the run went on exactly where it stopped
    assert len(history.history.get("loss", [])) < EPOCHS  # it did resume, not restart
    for got, want in zip(_final_weights(tmp_path), weights, strict=True):
        np.testing.assert_array_equal(got, want)
    assert not (tmp_path / "backup").exists()
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".tmp-")]


def test_an_unreadable_backup_falls_back_to_the_one_before(reference, tmp_path, capsys):
    # Epochs 1 and 2 backed up, then killed; the newest backup is then damaged on disk.
    class Stop(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 2:
                raise Killed("epoch 3")

    keras.backend.clear_session()
    with pytest.raises(Killed):
        training.fit(
            _model(),
            _splits(),
            recipe=RECIPE,
            epochs=EPOCHS,
            output_dir=str(tmp_path),
            verbose=0,
            callbacks=[Stop()],
        )
    newest = _backup(tmp_path, 2, ".weights.h5")
    with open(newest, "r+b") as file:
        file.truncate(os.path.getsize(newest) // 3)

    _run(tmp_path)

    err = capsys.readouterr().err
    assert "the backup of epoch 2" in err and "does not load" in err
    assert "resuming from the backup of epoch 1" in err
    log, weights = reference
    assert training.read_log(str(tmp_path)) == log
    for got, want in zip(_final_weights(tmp_path), weights, strict=True):
        np.testing.assert_array_equal(got, want)


def test_a_backup_that_does_not_load_at_all_means_a_fresh_run_that_says_so(
    reference, tmp_path, capsys
):
    # The old keras.callbacks.BackupAndRestore file a SIGKILL truncated (issue 14), and a
    # record whose weights are garbage: neither loads, the run starts afresh.
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "latest.weights.h5").write_bytes(b"\x89HDF\r\n")
    (tmp_path / "backup" / "epoch-0001.json").write_text('{"epoch": 1, "rows": [{}], "best": 0}')
    (tmp_path / "backup" / "epoch-0001.weights.h5").write_bytes(b"not hdf5")
    (tmp_path / "log.csv").write_text("epoch,loss\n0,9.0\n")

    history = _run(tmp_path)

    err = capsys.readouterr().err
    assert "does not load" in err and "starting a fresh run" in err
    assert len(history.history["loss"]) == EPOCHS
    log, weights = reference
    assert training.read_log(str(tmp_path)) == log
    for got, want in zip(_final_weights(tmp_path), weights, strict=True):
        np.testing.assert_array_equal(got, want)
