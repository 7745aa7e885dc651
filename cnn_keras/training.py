"""The one ``fit`` the notebooks and the CLI use, and what it needs around a paper's recipe.

A :class:`~cnn_keras.recipes.Recipe` (:mod:`cnn_keras.recipes`) holds what a paper says about
training; :func:`recipe_for` gives a registered model's. :func:`compile_model`
turns it into a Keras optimizer, a ``LearningRateSchedule`` and a loss; :func:`fit` trains with
the callbacks a real run needs (schedule, NaN stop, CSV and TensorBoard logs, best and last
checkpoints, a backup to resume from). :func:`configure_precision` picks mixed precision on a
GPU and float32 on a CPU; :func:`data_parallel` spreads a batch over all visible devices.

Schedules given in epochs are stretched to the run's length: a 2-epoch smoke run of the CIFAR
ResNet still divides the learning rate by 10 at 50% and 75% of its steps, as the paper did at
32k and 48k of 64k iterations.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import importlib.util
import json
import math
import os
import shutil
import time

import keras

from cnn_keras.checks import check_float, check_int
from cnn_keras.recipes import (  # noqa: F401  (part of this module's public face)
    RECIPES,
    SCHEDULES,
    Recipe,
    learning_rate_schedule,
    scale_for_replicas,
)
from cnn_keras.registry import get_spec


def recipe_for(model_name: str) -> Recipe:
    """The paper's recipe of a registered model (``get_spec(model_name).recipe``).

    Raises:
        ValueError: if ``model_name`` is not registered.
    """
    return get_spec(model_name).recipe


@keras.saving.register_keras_serializable(package="cnn_keras")
class SparseCategoricalCrossentropySmoothed(keras.losses.Loss):
    """Cross-entropy on int labels with label smoothing (Szegedy et al. 2015, section 7).

    Keras's ``SparseCategoricalCrossentropy`` has no ``label_smoothing``: the labels are made
    one-hot here and passed to ``categorical_crossentropy``, so the data pipelines keep int
    labels for every recipe.
    """

    def __init__(
        self,
        label_smoothing: float = 0.0,
        from_logits: bool = False,
        name: str = "sparse_categorical_crossentropy_smoothed",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(
                f"label_smoothing must be in [0, 1); received label_smoothing={label_smoothing!r}."
            )
        self.label_smoothing = label_smoothing
        self.from_logits = from_logits

    def call(self, y_true, y_pred):
        classes = keras.ops.shape(y_pred)[-1]
        labels = keras.ops.cast(keras.ops.reshape(y_true, (-1,)), "int32")
        one_hot = keras.ops.one_hot(labels, classes, dtype=y_pred.dtype)
        return keras.losses.categorical_crossentropy(
            one_hot, y_pred, from_logits=self.from_logits, label_smoothing=self.label_smoothing
        )

    def get_config(self):
        return {
            **super().get_config(),
            "label_smoothing": self.label_smoothing,
            "from_logits": self.from_logits,
        }


def _l2_gradient(gradient, variable, l2: float):
    """``gradient + l2 * variable``: the gradient of the loss plus ``l2 / 2 * |w|^2``."""
    if not l2:
        return gradient
    gradient = keras.ops.cast(gradient, variable.dtype)
    return keras.ops.add(gradient, keras.ops.multiply(keras.ops.cast(l2, variable.dtype), variable))


def _check_l2(l2) -> float:
    return check_float("l2", l2, minimum=0, maximum=1, max_inclusive=False, hint="5e-4, 1e-4 ...")


class _CoupledL2:
    """Adds ``l2 * w`` to each gradient before the optimizer's own update (its momentum and
    averages): the papers' L2 weight decay. Mixed in before a Keras optimizer class."""

    def __init__(self, learning_rate, *, l2: float = 0.0, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.l2 = _check_l2(l2)

    def update_step(self, gradient, variable, learning_rate):
        super().update_step(_l2_gradient(gradient, variable, self.l2), variable, learning_rate)

    def get_config(self):
        return {**super().get_config(), "l2": self.l2}


@keras.saving.register_keras_serializable(package="cnn_keras")
class SGDWithL2(_CoupledL2, keras.optimizers.SGD):
    """SGD with momentum and the papers' L2 weight decay: ``l2 * w`` is added to each gradient
    before the momentum average, as Caffe, Torch and ``kernel_regularizer=L2(l2 / 2)`` do.

    Keras's own ``weight_decay`` is decoupled (Loshchilov and Hutter 2019): it shrinks the
    weights by ``lr * wd * w`` outside the momentum average. With momentum ``m`` the coupled
    form's decay is carried by the average and is about ``1 / (1 - m)`` times stronger at
    steady state: ten times with the papers' 0.9. The recipes' ``weight_decay`` values are the
    papers' L2 coefficients, so they train with this form.

    Args:
        learning_rate: a float or a ``LearningRateSchedule``.
        l2: the L2 coefficient (the papers' "weight decay"); every trainable variable.
        **kwargs: ``SGD``'s (``momentum``, ``nesterov``, ``clipnorm`` ...; not
            ``weight_decay``).

    Note:
        With ``clipnorm`` the gradient is clipped before ``l2 * w`` is added, where the papers
        clipped the sum.
    """


@keras.saving.register_keras_serializable(package="cnn_keras")
class RMSpropWithL2(_CoupledL2, keras.optimizers.RMSprop):
    """RMSprop with the papers' L2 weight decay added to each gradient before the squared
    average and the momentum (as TF-slim's regularization losses did for Inception and
    MobileNet). Arguments as :class:`SGDWithL2`, with ``RMSprop``'s keywords."""


def make_optimizer(
    recipe: Recipe, *, steps_per_epoch: int | None = None, epochs: int | None = None
) -> keras.optimizers.Optimizer:
    """The recipe's optimizer with its learning-rate schedule (:func:`learning_rate_schedule`)
    and its weight decay as the papers' L2 (:class:`SGDWithL2`, :class:`RMSpropWithL2`)."""
    learning_rate = learning_rate_schedule(recipe, steps_per_epoch=steps_per_epoch, epochs=epochs)
    if recipe.optimizer == "sgd":
        return SGDWithL2(
            learning_rate,
            l2=recipe.weight_decay,
            momentum=recipe.momentum,
            nesterov=recipe.nesterov,
            clipnorm=recipe.clipnorm,
        )
    return RMSpropWithL2(
        learning_rate,
        l2=recipe.weight_decay,
        rho=recipe.rho,
        momentum=recipe.momentum,
        epsilon=recipe.epsilon,
        clipnorm=recipe.clipnorm,
    )


def batchnorm_layers(model: keras.Model) -> list[keras.layers.BatchNormalization]:
    """Every ``BatchNormalization`` layer of ``model``, nested models included."""
    found = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            found.append(layer)
        elif isinstance(layer, keras.Model):
            found += batchnorm_layers(layer)
    return found


def set_batchnorm_momentum(model: keras.Model, momentum: float) -> int:
    """Sets the moving-average momentum of every batch normalization layer; returns how many.
    Call it before training (compiling traces the step again)."""
    if isinstance(momentum, bool) or not isinstance(momentum, int | float) or not 0 < momentum < 1:
        raise ValueError(f"momentum must be a number in (0, 1); received momentum={momentum!r}.")
    layers = batchnorm_layers(model)
    for layer in layers:
        layer.momentum = float(momentum)
    return len(layers)


def compile_model(
    model: keras.Model,
    recipe: Recipe,
    *,
    steps_per_epoch: int | None = None,
    epochs: int | None = None,
    top5: bool | None = None,
    steps_per_execution: int | str = "auto",
    jit_compile: bool | str = "auto",
) -> keras.Model:
    """Compiles ``model`` with the recipe's optimizer (:func:`make_optimizer`), schedule and
    cross-entropy, and sets its batch normalization momentum to ``recipe.bn_momentum``.

    Args:
        model: the model; its last layer's activation decides whether the loss takes logits.
        recipe: the paper's recipe.
        steps_per_epoch: training steps per epoch, for a step or exponential schedule (without
            it the initial learning rate stays constant).
        epochs: the run's epochs the schedule is stretched to (default: the paper's).
        top5: also report top-5 accuracy (default: with 100 classes or more).
        steps_per_execution: training steps per call of the compiled train function (callbacks
            then see every this many batches); ``"auto"``: 1.
            The same steps either way: it changes the speed, not the numbers.
        jit_compile: Keras's ``jit_compile``; ``"auto"``: XLA on JAX, and on TensorFlow only
            with a GPU (on a CPU, TensorFlow's XLA train step was slower than its graph step).
    """
    if steps_per_execution == "auto":
        # One step per call until a measurement shows more helps: on a CPU a step takes tens
        # of milliseconds and the per-call cost is small beside it; a GPU is yet to be measured
        # (benchmarks/train_throughput.py --steps-per-execution N).
        steps_per_execution = 1
    if (
        isinstance(steps_per_execution, bool)
        or not isinstance(steps_per_execution, int)
        or (steps_per_execution < 1)
    ):
        raise ValueError(
            "steps_per_execution must be an int >= 1 or 'auto'; received "
            f"steps_per_execution={steps_per_execution!r}."
        )
    if jit_compile not in (True, False, "auto"):
        raise ValueError(
            f"jit_compile must be True, False or 'auto'; received jit_compile={jit_compile!r}."
        )
    optimizer = make_optimizer(recipe, steps_per_epoch=steps_per_epoch, epochs=epochs)
    set_batchnorm_momentum(model, recipe.bn_momentum)
    from_logits = model.layers[-1].get_config().get("activation") in (None, "linear")
    if recipe.label_smoothing:
        loss = SparseCategoricalCrossentropySmoothed(recipe.label_smoothing, from_logits)
    else:
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)
    metrics = ["accuracy"]
    if top5 is None:
        top5 = model.output_shape[-1] >= 100
    if top5:
        metrics.append(keras.metrics.SparseTopKCategoricalAccuracy(5, name="top5"))
    model.compile(
        optimizer=optimizer,
        loss=loss,
        metrics=metrics,
        steps_per_execution=steps_per_execution,
        jit_compile=jit_compile,
    )
    return model


# ---------------------------------------------------------------------------------------------
# Devices: precision and data parallelism.


def configure_precision(policy: str = "auto") -> str:
    """Sets Keras's dtype policy before building: ``"auto"`` is ``mixed_float16`` on a GPU
    (XLA is then on too: ``jit_compile="auto"``) and ``float32`` on a CPU, where float16 is
    slower. Returns the policy's name."""
    from cnn_keras.profiles import gpu_available

    if policy == "auto":
        policy = "mixed_float16" if gpu_available() else "float32"
    if policy not in ("float32", "mixed_float16", "mixed_bfloat16"):
        raise ValueError(
            f"policy must be 'auto', 'float32', 'mixed_float16' or 'mixed_bfloat16'; "
            f"received policy={policy!r}."
        )
    keras.config.set_dtype_policy(policy)
    return policy


def data_parallel() -> tuple[contextlib.AbstractContextManager, int]:
    """Data parallelism over every visible device: ``(scope, replicas)``.

    Build and compile the model inside ``scope``. On TensorFlow, a ``MirroredStrategy`` over
    the GPUs (else the logical CPUs); on JAX, ``keras.distribution.DataParallel`` over
    ``jax.devices()``. Other backends: one replica.

    Multi-worker: on TensorFlow set ``TF_CONFIG`` on each machine and use
    ``tf.distribute.MultiWorkerMirroredStrategy``; on JAX call ``jax.distributed.initialize()``
    first, then ``jax.devices()`` lists every host's devices (README, Training).
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
        strategy = tf.distribute.MirroredStrategy(
            devices=[d.name for d in devices],
            cross_device_ops=None
            if devices[0].device_type == "GPU"
            else (tf.distribute.ReductionToOneDevice()),
        )
        return strategy.scope(), strategy.num_replicas_in_sync
    if backend == "jax":
        import jax

        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=jax.devices()))
        return contextlib.nullcontext(), jax.device_count()
    return contextlib.nullcontext(), 1


# ---------------------------------------------------------------------------------------------
# Callbacks.


class NonFiniteLossError(RuntimeError):
    """The loss or the weights became NaN or infinite; ``history`` holds the epochs run
    before."""

    def __init__(self, message: str, history=None):
        super().__init__(message)
        self.history = history


def _finite(logs) -> bool:
    loss = (logs or {}).get("loss")
    return loss is None or math.isfinite(float(loss))


def weights_finite(model: keras.Model) -> bool:
    """Whether every floating-point weight of ``model`` (batch normalization's moving averages
    included) is finite, as the backend holds it. The logged loss is not enough: on JAX a batch
    of NaN images left the logged loss finite (about 2.30) while the weights became NaN."""
    checks = [
        keras.ops.all(keras.ops.isfinite(weight))
        for weight in model.weights
        if "float" in str(weight.dtype)
    ]
    return not checks or bool(keras.ops.all(keras.ops.stack(checks)))


class StopOnNonFinite(keras.callbacks.Callback):
    """Stops training at the first NaN or infinite batch loss, or at the end of an epoch whose
    weights are not all finite (:func:`weights_finite`), and remembers where: ``stopped_at`` is
    ``(epoch, batch or None, loss)``. Put it first: the callbacks after it read
    ``stopped_at`` and write nothing for that epoch."""

    def __init__(self):
        super().__init__()
        self.epoch = 0
        self.stopped_at: tuple[int, int | None, float] | None = None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.stopped_at is None and not _finite(logs):
            self.stopped_at = (self.epoch, batch, float(logs["loss"]))
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        if self.stopped_at is None and not weights_finite(self.model):
            self.stopped_at = (epoch, None, float((logs or {}).get("loss", math.nan)))
            self.model.stop_training = True

    def describe(self) -> str:
        """What went wrong, in a sentence (``stopped_at`` must be set)."""
        epoch, batch, loss = self.stopped_at
        if batch is None:
            return (
                f"The weights became NaN or infinite in epoch {epoch + 1} (the logged loss was "
                f"{loss}): training stopped."
            )
        return f"The loss became {loss} at epoch {epoch + 1}, batch {batch + 1}: training stopped."


def _say(message: str) -> None:
    import sys

    print(f"cnn-keras: {message}", file=sys.stderr, flush=True)


_TEMPORARY = ".tmp-"  # the prefix of a file being written; renamed once complete


def _replace_atomically(path: str, write) -> None:
    """Calls ``write(temporary)`` on a temporary name in ``path``'s folder, then renames it to
    ``path``: a kill leaves the old file or the new one, never a part of one. The temporary
    name ends as ``path`` does (Keras checks ``.keras`` and ``.weights.h5``)."""
    folder, name = os.path.split(path)
    temporary = os.path.join(folder, _TEMPORARY + name)
    write(temporary)
    os.replace(temporary, path)


def _write_json(record, indent: int | None = None):
    """A ``write(path)`` for :func:`_replace_atomically` that writes ``record`` as JSON."""

    def write(path):
        with open(path, "w") as file:
            json.dump(record, file, indent=indent)

    return write


def remove_backup(output_dir: str) -> None:
    """Deletes the backup of a run (``output_dir/backup``): renamed first, so a kill during the
    deletion leaves the whole backup or none of it."""
    backup_dir = os.path.join(output_dir, "backup")
    doomed = os.path.join(output_dir, _TEMPORARY + "backup")
    if os.path.isdir(backup_dir):
        shutil.rmtree(doomed, ignore_errors=True)
        os.replace(backup_dir, doomed)
    shutil.rmtree(doomed, ignore_errors=True)


class RunFolder(keras.callbacks.Callback):
    """The files of a run in ``output_dir``, written at the end of every good epoch so that a
    run killed at any instant resumes where it stopped and ends where an uninterrupted run ends.

    At the end of an epoch whose loss and weights are finite (:class:`StopOnNonFinite`), in this
    order, each file written under a temporary name and then renamed (a kill leaves the old
    file or the new one): ``last.keras``; ``best.keras`` when ``monitor`` (higher is better)
    improved; ``backup/epoch-N.weights.h5`` (the weights and the optimizer's state) and then
    ``backup/epoch-N.json`` (the log rows of epochs 1 to N and the best ``monitor``): the JSON
    file, written last, marks epoch N complete; the backup of epoch N - 1 is kept as a
    fall-back, older ones go. Last, ``log.csv`` is rewritten from the record. An epoch that
    went NaN gets its row in ``log.csv`` and no other file.

    At the start of training, the newest complete epoch of ``backup/`` is restored and
    ``log.csv`` rewritten from its record (a kill between the backup and the log neither loses
    nor repeats a row). A backup that does not load (a truncated or foreign file) is reported
    on stderr and the one before it tried; with none left the run starts afresh and says so.
    With no backup the run is fresh and an earlier run's ``log.csv`` goes.

    Args:
        output_dir: the run folder.
        guard: the run's :class:`StopOnNonFinite`.
        monitor: the log key ``best.keras`` maximizes.
        keep_backup: keep ``backup/`` at the end of training (:func:`train` deletes it once
            ``result.json`` is written); otherwise it is deleted when training ends.

    Note:
        A kill of the process is covered; a power cut is not (the files are not synced to
        disk). A resumed epoch sees a different shuffle of the data than it would have in an
        uninterrupted run (the pipelines reshuffle per pass, not per epoch number).
    """

    def __init__(
        self,
        output_dir: str,
        guard: StopOnNonFinite,
        *,
        monitor: str = "val_accuracy",
        keep_backup: bool = False,
    ):
        super().__init__()
        self.output_dir = output_dir
        self.backup_dir = os.path.join(output_dir, "backup")
        self.log_path = os.path.join(output_dir, "log.csv")
        self.guard = guard
        self.monitor = monitor
        self.keep_backup = keep_backup
        self.rows: list[dict[str, float]] = []
        self.best = -math.inf

    def _path(self, epoch: int, suffix: str) -> str:
        return os.path.join(self.backup_dir, f"epoch-{epoch:04d}{suffix}")

    def _complete_epochs(self) -> list[int]:
        """The epochs whose record (the JSON file written last) is in ``backup/``, newest
        first."""
        epochs = []
        for name in os.listdir(self.backup_dir):
            stem = name.removesuffix(".json")
            if name.endswith(".json") and stem.startswith("epoch-") and stem[6:].isdigit():
                epochs.append(int(stem[6:]))
        return sorted(epochs, reverse=True)

    def _clean_temporaries(self) -> None:
        # What a kill during remove_backup left.
        shutil.rmtree(os.path.join(self.output_dir, _TEMPORARY + "backup"), ignore_errors=True)
        for folder in (self.output_dir, self.backup_dir):
            for name in os.listdir(folder):
                path = os.path.join(folder, name)
                if name.startswith(_TEMPORARY) and os.path.isfile(path):
                    os.remove(path)

    def on_train_begin(self, logs=None):
        os.makedirs(self.backup_dir, exist_ok=True)
        self._clean_temporaries()
        self.rows, self.best = self._restore()
        self._write_log(self.rows)

    def _restore(self) -> tuple[list[dict[str, float]], float]:
        epochs = self._complete_epochs()
        if not epochs:
            if os.listdir(self.backup_dir) or os.path.exists(self.log_path):
                _say(f"no complete backup in {self.backup_dir}: starting a fresh run.")
            self._clear_backup()
            return [], -math.inf
        model = self.model
        if model.optimizer is not None and not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
        variables = list(model.weights) + list(getattr(model.optimizer, "variables", []))
        start = [keras.ops.convert_to_numpy(v) for v in variables]
        for epoch in epochs:
            try:
                with open(self._path(epoch, ".json")) as file:
                    record = json.load(file)
                if len(record["rows"]) != epoch:
                    raise ValueError(f"{len(record['rows'])} log rows for {epoch} epochs")
                model.load_weights(self._path(epoch, ".weights.h5"))
            except (OSError, ValueError, KeyError, TypeError) as error:
                _say(
                    f"the backup of epoch {epoch} in {self.backup_dir} does not load "
                    f"({type(error).__name__}: {str(error)[:200]}); "
                    + ("trying the one before." if epoch != epochs[-1] else "none left.")
                )
                continue
            if epoch != epochs[0]:
                _say(f"resuming from the backup of epoch {epoch}, the newest that loads.")
            model._initial_epoch = epoch  # what keras.callbacks.BackupAndRestore sets
            return record["rows"], record["best"]
        for variable, value in zip(variables, start, strict=True):
            variable.assign(value)
        _say(f"no backup in {self.backup_dir} loads: starting a fresh run.")
        self._clear_backup()
        return [], -math.inf

    def _clear_backup(self) -> None:
        for name in os.listdir(self.backup_dir):
            path = os.path.join(self.backup_dir, name)
            if os.path.isfile(path):
                os.remove(path)

    def on_epoch_end(self, epoch, logs=None):
        row = {"epoch": epoch, **{k: float(v) for k, v in sorted((logs or {}).items())}}
        if self.guard.stopped_at is not None:
            self._write_log([*self.rows, row])
            return
        save = self.model.save
        _replace_atomically(os.path.join(self.output_dir, "last.keras"), save)
        value = row.get(self.monitor)
        if value is not None and value > self.best:
            self.best = value
            _replace_atomically(os.path.join(self.output_dir, "best.keras"), save)
        self.rows.append(row)
        _replace_atomically(self._path(epoch + 1, ".weights.h5"), self.model.save_weights)
        record = {"epoch": epoch + 1, "rows": self.rows, "best": self.best}
        _replace_atomically(self._path(epoch + 1, ".json"), _write_json(record))
        for older in self._complete_epochs():
            if older < epoch:  # keep this epoch's and the one before
                os.remove(self._path(older, ".json"))
                with contextlib.suppress(FileNotFoundError):
                    os.remove(self._path(older, ".weights.h5"))
        self._write_log(self.rows)

    def _write_log(self, rows: list[dict[str, float]]) -> None:
        if not rows:
            with contextlib.suppress(FileNotFoundError):
                os.remove(self.log_path)
            return
        keys = ["epoch", *sorted({k for row in rows for k in row} - {"epoch"})]

        def write(path):
            with open(path, "w", newline="") as file:
                writer = csv.DictWriter(file, fieldnames=keys, restval="")
                writer.writeheader()
                writer.writerows(rows)

        _replace_atomically(self.log_path, write)

    def on_train_end(self, logs=None):
        self.model._initial_epoch = None
        if not self.keep_backup:
            remove_backup(self.output_dir)


class Throughput(keras.callbacks.Callback):
    """Training images per second, per epoch, timed from the first to the last batch of each
    epoch (the first epoch includes compilation; read the last)."""

    def __init__(self, batch_size: int):
        super().__init__()
        self.batch_size = batch_size
        self.images_per_s: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start, self._batches = None, 0

    def on_train_batch_begin(self, batch, logs=None):
        if self._start is None:
            self._start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self._batches += 1

    def on_epoch_end(self, epoch, logs=None):
        if self._start is not None:
            seconds = time.perf_counter() - self._start
            self.images_per_s.append(self._batches * self.batch_size / max(seconds, 1e-9))


def read_log(output_dir: str) -> dict[str, list[float]]:
    """The CSV log of a run (all its epochs, resumed ones included) as Keras's history dict."""
    path = os.path.join(output_dir, "log.csv")
    if not os.path.exists(path):
        return {}
    with open(path, newline="") as file:
        rows = list(csv.DictReader(file))
    keys = [k for k in (rows[0] if rows else {}) if k != "epoch"]
    return {k: [float(row[k]) if row[k] else math.nan for row in rows] for k in keys}


def callbacks_for(
    recipe: Recipe, output_dir: str | None = None, *, keep_backup: bool = False
) -> list[keras.callbacks.Callback]:
    """The NaN stop (:class:`StopOnNonFinite`, first), the recipe's plateau schedule, and with
    ``output_dir`` the run's files (:class:`RunFolder`: ``log.csv``, ``best.keras``,
    ``last.keras``, ``backup/`` to resume from) and TensorBoard logs (when TensorFlow and
    TensorBoard are installed). No file but the log's row is written for a NaN epoch."""
    guard = StopOnNonFinite()
    callbacks: list[keras.callbacks.Callback] = [guard]
    if recipe.schedule == "plateau" and recipe.plateau_factor is not None:
        callbacks.append(
            keras.callbacks.ReduceLROnPlateau(
                monitor="val_accuracy", factor=recipe.plateau_factor, patience=5, verbose=1
            )
        )
    if output_dir is None:
        return callbacks
    from cnn_keras.data import tensorflow_available

    os.makedirs(output_dir, exist_ok=True)
    callbacks.append(RunFolder(output_dir, guard, keep_backup=keep_backup))
    if tensorflow_available() and importlib.util.find_spec("tensorboard") is not None:
        callbacks.append(
            keras.callbacks.TensorBoard(
                os.path.join(output_dir, "tensorboard"), write_graph=False, profile_batch=0
            )
        )
    return callbacks


def in_notebook() -> bool:
    """Whether this process is a Jupyter kernel (where a per-step progress bar would store
    thousands of lines in the notebook)."""
    import sys

    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    return type(shell).__name__ == "ZMQInteractiveShell"


def _steps_per_epoch(splits) -> int | None:
    steps = getattr(splits, "steps_per_epoch", None)
    if steps:
        return steps
    try:
        return len(splits.train)
    except TypeError:
        return None


def fit(
    model: keras.Model,
    splits,
    *,
    recipe: Recipe,
    epochs: int,
    output_dir: str | None = None,
    verbose: int | str = "auto",
    callbacks: list[keras.callbacks.Callback] | None = None,
    compile: bool = True,
    keep_backup: bool = False,
    steps_per_execution: int | str = "auto",
    jit_compile: bool | str = "auto",
) -> keras.callbacks.History:
    """Compiles ``model`` with ``recipe`` and trains it on ``splits`` (``cnn_keras.data.load``),
    validating on the test split, with Keras's progress bar in a terminal and one line per
    epoch in a notebook.

    Run again with the same ``output_dir`` after an interruption, it resumes from the last
    finished epoch and ends where an uninterrupted run ends.

    Args:
        model: the model; its last layer's activation decides whether the loss takes logits.
        splits: a :class:`cnn_keras.data.Splits`.
        recipe: the paper's recipe (:func:`recipe_for`); its schedule is stretched to
            ``epochs``.
        epochs: how many epochs (profiles train fewer than the paper).
        output_dir: where to write the logs, checkpoints and backup (:func:`callbacks_for`).
        verbose: Keras's ``verbose``; ``"auto"`` is ``2`` (one line per epoch) in a Jupyter
            kernel and ``1`` (a progress bar) elsewhere.
        callbacks: more callbacks.
        compile: compile the model here (``False``: it is compiled already).
        keep_backup: keep ``output_dir/backup`` when training ends (:class:`RunFolder`).
        steps_per_execution: :func:`compile_model`'s, when ``compile``.
        jit_compile: :func:`compile_model`'s, when ``compile``.

    Raises:
        NonFiniteLossError: when the loss or the weights become NaN or infinite (the weights
            are checked at the end of every epoch, on every backend); the run stops, the last
            good epoch's checkpoints stay in ``output_dir``.
    """
    epochs = check_int("epochs", epochs, minimum=1)
    if compile:
        compile_model(
            model,
            recipe,
            steps_per_epoch=_steps_per_epoch(splits),
            epochs=epochs,
            steps_per_execution=steps_per_execution,
            jit_compile=jit_compile,
        )
    all_callbacks = callbacks_for(recipe, output_dir, keep_backup=keep_backup)
    all_callbacks += list(callbacks or [])
    if verbose == "auto":
        verbose = 2 if in_notebook() else 1
    history = model.fit(
        splits.train,
        validation_data=splits.test,
        epochs=epochs,
        callbacks=all_callbacks,
        shuffle=False,  # the pipeline shuffles single images before batching
        verbose=verbose,
    )
    guard = all_callbacks[0]
    if guard.stopped_at is not None:
        epoch = guard.stopped_at[0]
        kept = (
            f" The last good model (epoch {epoch}) is {os.path.join(output_dir, 'last.keras')}."
            if output_dir and epoch > 0
            else ""
        )
        raise NonFiniteLossError(
            f"{guard.describe()}{kept} Lower the learning rate (recipe {recipe.learning_rate}) "
            "or check the data for NaN values.",
            history,
        )
    return history


def final_accuracy(history) -> tuple[float, float]:
    """``(training accuracy, test accuracy)`` of the last epoch of a run (a ``History``, its
    dict, or :func:`read_log`'s): what a notebook prints after training. The test accuracy is
    the validation split's, which :func:`fit` takes from the test set."""
    logs = getattr(history, "history", history)
    train_key = next((k for k in ("accuracy", "predictions_accuracy") if k in logs), None)
    if train_key is None:
        raise ValueError(
            f"history has no accuracy to report; its keys are {sorted(logs)}. Compile with "
            "metrics=['accuracy'] (compile_model does)."
        )
    return float(logs[train_key][-1]), float(logs["val_" + train_key][-1])


# ---------------------------------------------------------------------------------------------
# One whole run: what ``cnn-keras train`` does.


def _width_kwargs(spec, width_multiplier: float, fc_units: int) -> dict:
    """The width knobs the model's family takes (``spec.knobs``), at the run's values."""
    values = {"width_multiplier": width_multiplier, "fc_units": fc_units}
    return {knob: values[knob] for knob in spec.knobs}


def _versions() -> dict[str, str]:
    import platform
    import sys

    versions = {"python": sys.version.split()[0], "keras": keras.__version__}
    for module in ("tensorflow", "jax"):
        if module in sys.modules and sys.modules[module] is not None:
            versions[module] = getattr(sys.modules[module], "__version__", "?")
    versions["machine"] = f"{platform.machine()} {platform.system()}, {os.cpu_count()} CPUs"
    return versions


def _check_positive(name: str, value, *, integer: bool = False) -> None:
    """``value`` is ``None`` (not given) or a finite number > 0 (an int >= 1, NumPy's included,
    when ``integer``); else a ``ValueError`` naming ``name``."""
    if value is None:
        return
    if integer:
        check_int(name, value, minimum=1)
    else:
        check_float(name, value, minimum=0, min_inclusive=False)


def _check_output_dir(output_dir) -> None:
    """Creates the run folder, or says in a ``ValueError`` why it cannot be written."""
    if not isinstance(output_dir, str | os.PathLike) or not str(output_dir):
        raise ValueError(f"output_dir must be a folder path; received output_dir={output_dir!r}.")
    if os.path.exists(output_dir) and not os.path.isdir(output_dir):
        raise ValueError(
            f"output_dir={str(output_dir)!r} is a file, not a folder: give a folder (new or one of "
            "an earlier run to resume)."
        )
    try:
        os.makedirs(output_dir, exist_ok=True)
    except OSError as error:
        raise ValueError(
            f"output_dir={str(output_dir)!r} cannot be created: {error.strerror}."
        ) from None
    if not os.access(output_dir, os.W_OK | os.X_OK):
        raise ValueError(f"output_dir={str(output_dir)!r} is not writable: give another folder.")


def train(
    model_name: str,
    *,
    dataset: str | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    profile: str | None = None,
    output_dir: str | None = None,
    image_size: int | None = None,
    train_samples: int | None = None,
    width_multiplier: float | None = None,
    learning_rate: float | None = None,
    distribute: bool = False,
    precision: str = "auto",
    data_dir: str | None = None,
    manual_dir: str | None = None,
    download: bool = False,
    seed: int = 0,
    verbose: int | str = "auto",
) -> dict:
    """Trains a registered model with its paper's recipe at a profile's size and writes, in
    ``output_dir``: ``log.csv``, ``tensorboard/``, ``best.keras``, ``last.keras``,
    ``history.png`` and ``result.json`` (test top-1 and top-5 accuracy, throughput, versions).

    Run again with the same arguments after an interruption, it resumes (``backup/``).
    Unset arguments come from the profile (``cnn_keras.profiles``): the data set, epochs,
    training and test images, the augmentation (the paper's on ``full``) and the width
    (``width_multiplier``, and ``fc_units`` where the family has hidden FC layers: the spec's
    ``knobs``); the batch size defaults to the profile's,
    the learning rate to the recipe's scaled linearly to that batch.

    Returns:
        The dict written to ``result.json``.

    Raises:
        ValueError: before any data loads, for a bad argument (a count or a rate that is not
            a positive number; ``None`` means the default) or an ``output_dir`` that is a file
            or cannot be written.
        NonFiniteLossError: when the loss or the weights become NaN (``result.json`` then
            says so).
    """
    import datetime

    from cnn_keras import data, profiles

    for name, value in (
        ("epochs", epochs),
        ("batch_size", batch_size),
        ("train_samples", train_samples),
        ("image_size", image_size),
    ):
        _check_positive(name, value, integer=True)
    _check_positive("learning_rate", learning_rate)
    _check_positive("width_multiplier", width_multiplier)
    run_profile = profiles.get_profile(profile)
    dataset = run_profile.dataset if dataset is None else dataset
    epochs = run_profile.epochs if epochs is None else int(epochs)
    batch_size = run_profile.batch_size if batch_size is None else int(batch_size)
    spec = get_spec(model_name)
    recipe = spec.recipe
    if image_size is None:
        size = run_profile.input_shape(model_name)[0]
    else:
        data.check_image_size(image_size)
        size = max(image_size, spec.min_input_size)
    if train_samples is None:
        train_samples = run_profile.train_samples
    if output_dir is None:
        output_dir = os.path.join("runs", f"{model_name}-{dataset}")
    _check_output_dir(output_dir)  # before the data loads
    keras.utils.set_random_seed(seed)
    policy = configure_precision(precision)
    scope, replicas = data_parallel() if distribute else (contextlib.nullcontext(), 1)
    # The run's recipe: the profile's batch, the learning rate scaled linearly to it (Goyal et
    # al. 2017), then both times the replicas.
    lr = recipe.learning_rate * batch_size / recipe.batch_size
    if learning_rate is not None:
        lr = float(learning_rate)
    run_recipe = scale_for_replicas(
        dataclasses.replace(recipe, batch_size=batch_size, learning_rate=lr), replicas
    )
    splits = data.load(
        dataset,
        image_size=size,
        batch_size=run_recipe.batch_size,
        train_samples=train_samples,
        test_samples=run_profile.test_samples,
        seed=seed,
        data_dir=data_dir,
        augment=run_profile.augment,
        normalize=True,
        model=model_name,
        download=download,
        manual_dir=manual_dir,
    )
    with scope:
        model = spec.build(
            input_shape=splits.image_shape,
            classes=splits.num_classes,
            **_width_kwargs(
                spec,
                run_profile.width_multiplier if width_multiplier is None else width_multiplier,
                run_profile.fc_units,
            ),
        )
        compile_model(model, run_recipe, steps_per_epoch=_steps_per_epoch(splits), epochs=epochs)
    throughput = Throughput(run_recipe.batch_size)
    result = {
        "model": model_name,
        "dataset": dataset,
        "profile": run_profile.name,
        "image_size": size,
        "epochs": epochs,
        "batch_size": run_recipe.batch_size,
        "learning_rate": run_recipe.learning_rate,
        "replicas": replicas,
        "precision": policy,
        "augment": splits.augment,
        "recipe": recipe.paper,
        "backend": keras.backend.backend(),
        "device": "GPU" if profiles.gpu_available() else "CPU",
        "params": model.count_params(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    start = time.perf_counter()
    status, error = "completed", None
    try:
        fit(
            model,
            splits,
            recipe=run_recipe,
            epochs=epochs,
            output_dir=output_dir,
            verbose=verbose,
            callbacks=[throughput],
            compile=False,
            keep_backup=True,  # until result.json is written: a kill before resumes
        )
    except NonFiniteLossError as caught:
        status, error = "nan", caught
    history = read_log(output_dir)
    result |= {
        "status": status,
        # The log's last row is the NaN epoch's when the run stopped on one.
        "epochs_completed": len(history.get("loss", [])) - (error is not None),
        "train_seconds": round(time.perf_counter() - start, 2),
        "train_images_per_s": round(throughput.images_per_s[-1], 1)
        if throughput.images_per_s
        else None,
    }
    if error is None:
        start = time.perf_counter()
        scores = model.evaluate(splits.test, verbose=0, return_dict=True)
        seconds = time.perf_counter() - start
        result |= {
            "test_top1": float(scores["accuracy"]),
            "test_top5": float(scores["top5"]) if "top5" in scores else None,
            "test_loss": float(scores["loss"]),
            "eval_seconds": round(seconds, 2),
        }
    result["versions"] = _versions()
    if history:
        from cnn_keras import plots

        figure = plots.plot_history(
            history,
            title=f"{model_name} on {dataset}",
            where=plots.machine_caption(profiles.describe(run_profile)),
        )
        figure.savefig(os.path.join(output_dir, "history.png"), dpi=100)
        import matplotlib.pyplot as plt

        plt.close(figure)
    _replace_atomically(os.path.join(output_dir, "result.json"), _write_json(result, indent=2))
    remove_backup(output_dir)
    if error is not None:
        raise error
    return result
