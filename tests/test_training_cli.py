"""Recipes, schedules, the NaN stop, `cnn-keras train` end to end, resume after SIGKILL, two
logical devices on TensorFlow, and JAX with TensorFlow absent from the process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

import cnn_keras
from cnn_keras import build_model, cli, data, training

ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "CNN_KERAS_PROFILE": "smoke"}
SMALL = ["--profile", "smoke", "--image-size", "16", "--train-samples", "64", "--verbose", "0"]


def test_every_family_has_its_papers_recipe():
    families = {cnn_keras.get_spec(n).family.name: n for n in cnn_keras.list_models()}
    for family, name in families.items():
        assert training.recipe_for(name).paper, family
    resnet = training.recipe_for("resnet50")
    assert (resnet.learning_rate, resnet.weight_decay, resnet.batch_size) == (0.1, 1e-4, 256)
    v3 = training.recipe_for("inception_v3")
    assert (v3.optimizer, v3.learning_rate, v3.rho, v3.epsilon) == ("rmsprop", 0.045, 0.9, 1.0)
    assert (v3.label_smoothing, v3.decay_rate, v3.decay_every) == (0.1, 0.94, 2)
    assert training.recipe_for("densenet_bc100_cifar").batch_size == 64  # the CIFAR recipe
    # The notebooks print a recipe: its repr keeps the original fields only.
    assert repr(training.recipe_for("vgg16")).endswith("plateau_factor=0.1, label_smoothing=0.0)")


def test_schedules_follow_the_papers():
    cifar = training.recipe_for("resnet20_cifar")
    schedule = training.learning_rate_schedule(cifar, steps_per_epoch=352, epochs=182)
    rates = [float(schedule(step)) for step in (0, 31999, 32100, 47999, 48100, 63999)]
    np.testing.assert_allclose(rates, [0.1, 0.1, 0.01, 0.01, 0.001, 0.001], rtol=1e-5)
    short = training.learning_rate_schedule(cifar, steps_per_epoch=10, epochs=4)  # stretched
    np.testing.assert_allclose([float(short(s)) for s in (19, 21, 31)], [0.1, 0.01, 0.001])
    google = training.learning_rate_schedule(
        training.recipe_for("googlenet"), steps_per_epoch=5, epochs=60
    )
    np.testing.assert_allclose([float(google(39)), float(google(40))], [0.01, 0.0096])
    assert training.learning_rate_schedule(training.recipe_for("vgg16"), steps_per_epoch=5) == 0.01
    scaled = training.scale_for_replicas(cifar, 2)
    assert (scaled.batch_size, scaled.learning_rate) == (256, 0.2)


def test_label_smoothing_on_int_labels():
    loss = training.SparseCategoricalCrossentropySmoothed(0.1)
    y_pred = keras.ops.convert_to_tensor([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    reference = keras.losses.CategoricalCrossentropy(label_smoothing=0.1)
    one_hot = keras.ops.one_hot(keras.ops.convert_to_tensor([0, 2]), 3)
    np.testing.assert_allclose(float(loss([0, 2], y_pred)), float(reference(one_hot, y_pred)))
    assert keras.losses.deserialize(keras.losses.serialize(loss)).label_smoothing == 0.1


class _DivergeInEpoch2(keras.callbacks.Callback):
    """A diverged step in the second epoch: NaN in the classifier's kernel."""

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 1:
            kernel = self.model.layers[-1].kernel
            kernel.assign(keras.ops.full(kernel.shape, float("nan")))


def test_nan_loss_stops_and_keeps_the_last_good_model(tmp_path):
    splits = data.load("digits", image_size=32, batch_size=32, train_samples=64)
    model = build_model(
        "vgg11", input_shape=(32, 32, 3), width_multiplier=0.125, fc_units=16, classes=10
    )
    with pytest.raises(training.NonFiniteLossError, match=r"nan at epoch 2, batch 1.*last.keras"):
        training.fit(
            model,
            splits,
            recipe=training.recipe_for("vgg11"),
            epochs=3,
            output_dir=str(tmp_path),
            verbose=0,
            callbacks=[_DivergeInEpoch2()],
        )
    last = keras.saving.load_model(tmp_path / "last.keras")
    assert all(np.all(np.isfinite(w)) for w in last.get_weights())  # epoch 1's model
    losses = training.read_log(str(tmp_path))["loss"]
    assert len(losses) == 2 and np.isfinite(losses[0]) and np.isnan(losses[1])


def test_cli_train_end_to_end_on_fashion_mnist_offline(tmp_path, capsys):
    out = tmp_path / "run"
    width = ["--width-multiplier", "0.5"]
    assert (
        cli.main(["train", "resnet20_cifar", "--epochs", "2", "--output", str(out), *width, *SMALL])
        == 0
    )
    result = json.loads((out / "result.json").read_text())
    assert result["status"] == "completed" and result["epochs_completed"] == 2
    assert result["dataset"] == "fashion_mnist"  # the smoke profile's default, offline
    model = keras.saving.load_model(out / "last.keras")
    assert model.input_shape == (None, 16, 16, 1) and model.get_layer("conv1").filters == 8
    assert 0.0 <= result["test_top1"] <= 1.0 and result["test_top5"] is None  # 10 classes
    assert result["train_images_per_s"] > 0 and result["versions"]["keras"] == keras.__version__
    for name in ("log.csv", "best.keras", "last.keras", "history.png"):
        assert (out / name).stat().st_size > 0, name
    assert not (out / "backup").exists()  # deleted once the run finished
    assert '"test_top1"' in capsys.readouterr().out
    assert cli.main(["train", "resnet20_cifar", "--dataset", "mnist2", *SMALL]) == 2


# Run in a subprocess: kill the process with SIGKILL in the middle of epoch 2, after the backup
# of epoch 1 was written.
KILL_MID_EPOCH = """
import os, signal, sys
import keras
from cnn_keras import cli

class Kill(keras.callbacks.Callback):
    epoch = 0
    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
    def on_train_batch_end(self, batch, logs=None):
        if self.epoch == 1 and batch == 0:
            assert os.path.exists(os.path.join(sys.argv[3], "backup")), "no backup yet"
            os.kill(os.getpid(), signal.SIGKILL)

original = keras.Model.fit
def fit(self, *args, callbacks=(), **kwargs):
    return original(self, *args, callbacks=[*callbacks, Kill()], **kwargs)
keras.Model.fit = fit
sys.exit(cli.main(sys.argv[1:]))
"""


def test_killed_run_resumes_and_ends_where_an_uninterrupted_run_ends(tmp_path):
    out = tmp_path / "run"
    argv = ["train", "--output", str(out), "vgg11", "--epochs", "3", *SMALL, "--image-size", "32"]
    killed = subprocess.run(
        [sys.executable, "-c", KILL_MID_EPOCH, *argv], env=ENV, capture_output=True, text=True
    )
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert (out / "backup").is_dir() and len(training.read_log(str(out))["loss"]) == 1
    [first_epoch_loss] = training.read_log(str(out))["loss"]
    assert cli.main(argv) == 0  # the rerun, in this process (no second start-up)
    result = json.loads((out / "result.json").read_text())
    assert result["epochs_completed"] == 3 and result["status"] == "completed"
    log = training.read_log(str(out))
    assert len(log["loss"]) == 3 and log["loss"][0] == first_epoch_loss  # epoch 1 kept
    assert not (out / "backup").exists()


TWO_CPUS_TF = """
import sys, json
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from cnn_keras import training
result = training.train("vgg11", profile="smoke", epochs=1, image_size=32,
                        train_samples=64, batch_size=8, distribute=True, output_dir=sys.argv[1],
                        verbose=0)
print("RESULT", json.dumps(result))
"""

JAX_WITHOUT_TF = """
import sys, json
sys.modules["tensorflow"] = None  # import tensorflow now fails
from cnn_keras import training, data
import jax
assert jax.device_count() == 2, jax.devices()
assert not data.tensorflow_available()
result = training.train("vgg11", profile="smoke", epochs=1, image_size=32,
                        train_samples=64, batch_size=8, distribute=True, output_dir=sys.argv[1],
                        verbose=0)
assert sys.modules["tensorflow"] is None
print("RESULT", json.dumps(result))
"""


@pytest.mark.parametrize(
    ("backend", "script", "env"),
    [
        ("tensorflow", TWO_CPUS_TF, {}),
        ("jax", JAX_WITHOUT_TF, {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}),
    ],
)
def test_data_parallel_on_two_cpu_devices(backend, script, env, tmp_path):
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), str(tmp_path)],
        env={**ENV, "KERAS_BACKEND": backend, **env},
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    line = next(s for s in run.stdout.splitlines() if s.startswith("RESULT"))
    result = json.loads(line.removeprefix("RESULT "))
    assert result["backend"] == backend and result["replicas"] == 2
    assert result["batch_size"] == 16 and result["learning_rate"] == pytest.approx(0.01 * 16 / 256)
    assert result["status"] == "completed" and 0.0 <= result["test_top1"] <= 1.0


# One bad `cnn-keras` command line per row: (arguments, a fragment of the one-line message).
# Each is refused before any data loads or model builds: exit code 2, one line, no traceback.
BAD_COMMAND_LINES = {
    "epochs 0": (["--epochs", "0"], "argument --epochs: 0 is below 1"),
    "batch size 0": (["--batch-size", "0"], "argument --batch-size: 0 is below 1"),
    "batch size 2.5": (["--batch-size", "2.5"], "argument --batch-size: '2.5' is not an integer"),
    "learning rate 0": (["--learning-rate", "0"], "--learning-rate: 0 is not a finite number > 0"),
    "learning rate -1": (["--learning-rate", "-1"], "--learning-rate: -1 is not a finite number"),
    "learning rate nan": (["--learning-rate", "nan"], "--learning-rate: nan is not a finite"),
    "learning rate inf": (["--learning-rate", "inf"], "--learning-rate: inf is not a finite"),
    "learning rate word": (["--learning-rate", "fast"], "--learning-rate: 'fast' is not a number"),
    "train samples 0": (["--train-samples", "0"], "argument --train-samples: 0 is below 1"),
    "image size -8": (["--image-size", "-8"], "argument --image-size: -8 is below 1"),
    "width 0": (["--width-multiplier", "0"], "--width-multiplier: 0 is not a finite number > 0"),
    "seed -1": (["--seed", "-1"], "argument --seed: -1 is below 0"),
    "verbose 3": (["--verbose", "3"], "argument --verbose: invalid choice: 3"),
    "precision": (["--precision", "float64"], "argument --precision: invalid choice: 'float64'"),
    "profile": (["--profile", "huge"], "huge"),
    "model": (["--epochs", "1", "vgg17"], "Unknown model name='vgg17'"),
    "output is a file": (["--output", "{file}"], "is a file, not a folder"),
    "output under a file": (["--output", "{file}/run"], "cannot be created"),
}


@pytest.mark.parametrize("row", list(BAD_COMMAND_LINES))
def test_bad_train_command_lines_are_one_line_errors(row, tmp_path, capsys):
    args, message = BAD_COMMAND_LINES[row]
    (tmp_path / "file").write_text("not a folder")
    args = [a.replace("{file}", str(tmp_path / "file")) for a in args]
    name = [] if "vgg17" in args else ["vgg11"]
    assert cli.main(["train", *name, *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("cnn-keras: error: "), err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "file" / "run").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["compare", "--repeats", "0"], "argument --repeats: 0 is below 1"),
        (["compare", "--batch-sizes", "1", "0"], "argument --batch-sizes: 0 is below 1"),
        (["summary", "vgg11", "--input-size", "-3"], "argument --input-size: -3 is below 1"),
    ],
)
def test_bad_command_lines_of_other_commands(argv, message, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


def test_train_function_refuses_bad_numbers_before_loading_data():
    for name, value in [("epochs", 0), ("batch_size", 2.0), ("learning_rate", float("nan"))]:
        with pytest.raises(ValueError, match=rf"{name} must be .*received {name}={value!r}"):
            training.train("vgg11", **{name: value})
