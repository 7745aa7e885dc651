"""The one ``fit`` the notebooks and the CLI use: the recipe compiled in, the callbacks a real
run needs (the NaN stop, the recipe's plateau schedule, the run folder, TensorBoard), Keras's
progress bar in a terminal and one line per epoch in a notebook."""

from __future__ import annotations

import importlib.util
import os
import sys

import keras

from cnn_keras.checks import check_int
from cnn_keras.data import tensorflow_available
from cnn_keras.history import main_output_logs
from cnn_keras.recipes import Recipe
from cnn_keras.training.callbacks import NonFiniteLossError, StopOnNonFinite
from cnn_keras.training.losses_optimizers import compile_model
from cnn_keras.training.run_folder import RunFolder


def callbacks_for(
    recipe: Recipe,
    output_dir: str | None = None,
    *,
    keep_backup: bool = False,
    guard: StopOnNonFinite | None = None,
    models_every_epoch: bool = True,
) -> list[keras.callbacks.Callback]:
    """The NaN stop (``guard``, first), the recipe's plateau schedule, and with ``output_dir``
    the run's files (:class:`RunFolder`: ``log.csv``, ``best.keras``, ``last.keras``,
    ``backup/`` to resume from) and TensorBoard logs (when TensorFlow and TensorBoard are
    installed). No file but the log's row is written for a NaN epoch.

    Args:
        recipe: the run's recipe (its plateau schedule is a callback).
        output_dir: the run folder; ``None``: no files.
        keep_backup: :class:`RunFolder`'s.
        guard: the run's :class:`StopOnNonFinite`, to read its ``stopped_at`` after training
            (default: a new one).
        models_every_epoch: :class:`RunFolder`'s; ``False`` also leaves out TensorBoard's
            logs (a run read only at its end).
    """
    guard = StopOnNonFinite() if guard is None else guard
    callbacks: list[keras.callbacks.Callback] = [guard]
    if recipe.schedule == "plateau" and recipe.plateau_factor is not None:
        callbacks.append(
            keras.callbacks.ReduceLROnPlateau(
                monitor="val_accuracy", factor=recipe.plateau_factor, patience=5, verbose=1
            )
        )
    if output_dir is None:
        return callbacks
    os.makedirs(output_dir, exist_ok=True)
    callbacks.append(
        RunFolder(output_dir, guard, keep_backup=keep_backup, models_every_epoch=models_every_epoch)
    )
    tensorboard = tensorflow_available() and importlib.util.find_spec("tensorboard") is not None
    if models_every_epoch and tensorboard:
        callbacks.append(
            keras.callbacks.TensorBoard(
                os.path.join(output_dir, "tensorboard"), write_graph=False, profile_batch=0
            )
        )
    return callbacks


def in_notebook() -> bool:
    """Whether this process is a Jupyter kernel (where a per-step progress bar would store
    thousands of lines in the notebook)."""
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    return type(shell).__name__ == "ZMQInteractiveShell"


def steps_per_epoch_of(splits) -> int | None:
    """The training batches of an epoch of ``splits``, when they are known (a schedule in
    epochs needs them)."""
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
    models_every_epoch: bool = True,
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
        models_every_epoch: :func:`callbacks_for`'s.
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
            steps_per_epoch=steps_per_epoch_of(splits),
            epochs=epochs,
            steps_per_execution=steps_per_execution,
            jit_compile=jit_compile,
        )
    guard = StopOnNonFinite()
    all_callbacks = [
        *callbacks_for(
            recipe,
            output_dir,
            keep_backup=keep_backup,
            guard=guard,
            models_every_epoch=models_every_epoch,
        ),
        *(callbacks or []),
    ]
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
    logs = main_output_logs(history)
    if "accuracy" not in logs:
        raise ValueError(
            f"history has no accuracy to report; its keys are {sorted(logs)}. Compile with "
            "metrics=['accuracy'] (compile_model does)."
        )
    return float(logs["accuracy"][-1]), float(logs["val_accuracy"][-1])
