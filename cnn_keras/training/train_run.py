"""One whole run, what ``cnn-keras train`` does, as named steps: the run's settings from the
profile and the model's spec (:func:`resolve_run`), the data, the model built and compiled,
:func:`~cnn_keras.training.fitting.fit`, the evaluation, and ``result.json`` and ``history.png``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import os
import time

import keras

from cnn_keras import data, machine, profiles
from cnn_keras.checks import check_float, check_int
from cnn_keras.recipes import Recipe, scale_for_replicas
from cnn_keras.registry import ModelSpec, get_spec
from cnn_keras.training.callbacks import NonFiniteLossError, Throughput
from cnn_keras.training.devices import configure_precision, data_parallel, versions
from cnn_keras.training.fitting import fit, steps_per_epoch_of
from cnn_keras.training.losses_optimizers import compile_model
from cnn_keras.training.run_folder import (
    prepare_output_dir,
    read_log,
    remove_backup,
    replace_atomically,
    write_json,
)


@dataclasses.dataclass(frozen=True)
class RunSettings:
    """What a run trains, each setting given or taken from the profile and the spec."""

    model_name: str
    spec: ModelSpec
    profile: profiles.Profile
    dataset: str
    epochs: int
    batch_size: int
    image_size: int
    train_samples: int | None
    width: dict
    learning_rate: float
    output_dir: str


def resolve_run(
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
) -> RunSettings:
    """:func:`train`'s settings: its arguments checked (``None``: not given), the unset ones
    from the profile and the spec; the learning rate is the recipe's scaled linearly to the
    batch (Goyal et al. 2017) unless given. Creates ``output_dir`` (nothing loads before)."""
    for name, value in (
        ("epochs", epochs),
        ("batch_size", batch_size),
        ("train_samples", train_samples),
        ("image_size", image_size),
    ):
        if value is not None:
            check_int(name, value, minimum=1)
    for name, value in (("learning_rate", learning_rate), ("width_multiplier", width_multiplier)):
        if value is not None:
            check_float(name, value, minimum=0, min_inclusive=False)
    run_profile = profiles.get_profile(profile)
    dataset = run_profile.dataset if dataset is None else dataset
    batch_size = run_profile.batch_size if batch_size is None else int(batch_size)
    spec = get_spec(model_name)
    if image_size is None:
        size = run_profile.input_shape(model_name)[0]
    else:
        data.check_image_size(image_size)
        size = max(image_size, spec.min_input_size)
    if output_dir is None:
        output_dir = os.path.join("runs", f"{model_name}-{dataset}")
    prepare_output_dir(output_dir)
    widths = {
        "width_multiplier": run_profile.width_multiplier
        if width_multiplier is None
        else width_multiplier,
        "fc_units": run_profile.fc_units,
    }
    return RunSettings(
        model_name=model_name,
        spec=spec,
        profile=run_profile,
        dataset=dataset,
        epochs=run_profile.epochs if epochs is None else int(epochs),
        batch_size=batch_size,
        image_size=size,
        train_samples=run_profile.train_samples if train_samples is None else train_samples,
        width={knob: widths[knob] for knob in spec.knobs},  # the knobs the family takes
        learning_rate=spec.recipe.learning_rate * batch_size / spec.recipe.batch_size
        if learning_rate is None
        else float(learning_rate),
        output_dir=output_dir,
    )


def _load_data(run: RunSettings, recipe: Recipe, *, seed: int, **where) -> data.Splits:
    """The run's data set at its image size, in batches of ``recipe.batch_size``; ``where``:
    :func:`cnn_keras.data.load`'s ``data_dir``, ``manual_dir`` and ``download``."""
    return data.load(
        run.dataset,
        image_size=run.image_size,
        batch_size=recipe.batch_size,
        train_samples=run.train_samples,
        test_samples=run.profile.test_samples,
        seed=seed,
        augment=run.profile.augment,
        normalize=True,
        model=run.model_name,
        **where,
    )


def _build_and_compile(run: RunSettings, splits, recipe: Recipe, scope) -> keras.Model:
    with scope:
        model = run.spec.build(
            input_shape=splits.image_shape, classes=splits.num_classes, **run.width
        )
        compile_model(model, recipe, steps_per_epoch=steps_per_epoch_of(splits), epochs=run.epochs)
    return model


def _fit(
    run: RunSettings, model, splits, recipe: Recipe, verbose
) -> tuple[dict, NonFiniteLossError | None]:
    """Trains; returns the result's training entries and the :class:`NonFiniteLossError` that
    stopped the run, if one did."""
    throughput = Throughput(recipe.batch_size)
    start = time.perf_counter()
    error = None
    try:
        fit(
            model,
            splits,
            recipe=recipe,
            epochs=run.epochs,
            output_dir=run.output_dir,
            verbose=verbose,
            callbacks=[throughput],
            compile=False,
            keep_backup=True,  # until result.json is written: a kill before resumes
        )
    except NonFiniteLossError as caught:
        error = caught
    losses = read_log(run.output_dir).get("loss", [])
    return {
        "status": "completed" if error is None else "nan",
        # The log's last row is the NaN epoch's when the run stopped on one.
        "epochs_completed": len(losses) - (error is not None),
        "train_seconds": round(time.perf_counter() - start, 2),
        "train_images_per_s": round(throughput.images_per_s[-1], 1)
        if throughput.images_per_s
        else None,
    }, error


def _evaluate(model: keras.Model, splits) -> dict:
    """The test split's top-1 and top-5 accuracy and loss, and how long they took."""
    start = time.perf_counter()
    scores = model.evaluate(splits.test, verbose=0, return_dict=True)
    return {
        "test_top1": float(scores["accuracy"]),
        "test_top5": float(scores["top5"]) if "top5" in scores else None,
        "test_loss": float(scores["loss"]),
        "eval_seconds": round(time.perf_counter() - start, 2),
    }


def _write_history_plot(run: RunSettings) -> None:
    """``history.png``: the curves of the run's log, when it has one."""
    history = read_log(run.output_dir)
    if not history:
        return
    # Imported here: cnn_keras.plots took 0.55 s to import on a 2-core CPU, beside Keras.
    import matplotlib.pyplot as plt

    from cnn_keras import plots

    figure = plots.plot_history(
        history,
        title=f"{run.model_name} on {run.dataset}",
        where=plots.machine_caption(profiles.describe(run.profile)),
    )
    figure.savefig(os.path.join(run.output_dir, "history.png"), dpi=100)
    plt.close(figure)


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
    run = resolve_run(
        model_name,
        dataset=dataset,
        epochs=epochs,
        batch_size=batch_size,
        profile=profile,
        output_dir=output_dir,
        image_size=image_size,
        train_samples=train_samples,
        width_multiplier=width_multiplier,
        learning_rate=learning_rate,
    )
    keras.utils.set_random_seed(seed)
    policy = configure_precision(precision)
    scope, replicas = data_parallel() if distribute else (contextlib.nullcontext(), 1)
    # The run's batch and learning rate, both times the replicas.
    recipe = scale_for_replicas(
        dataclasses.replace(
            run.spec.recipe, batch_size=run.batch_size, learning_rate=run.learning_rate
        ),
        replicas,
    )
    splits = _load_data(
        run, recipe, seed=seed, data_dir=data_dir, manual_dir=manual_dir, download=download
    )
    model = _build_and_compile(run, splits, recipe, scope)
    result = {
        "model": model_name,
        "dataset": run.dataset,
        "profile": run.profile.name,
        "image_size": run.image_size,
        "epochs": run.epochs,
        "batch_size": recipe.batch_size,
        "learning_rate": recipe.learning_rate,
        "replicas": replicas,
        "precision": policy,
        "augment": splits.augment,
        "recipe": run.spec.recipe.paper,
        "backend": keras.backend.backend(),
        "device": machine.device_name(),
        "params": model.count_params(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    trained, error = _fit(run, model, splits, recipe, verbose)
    result |= trained
    if error is None:
        result |= _evaluate(model, splits)
    result["versions"] = versions()
    _write_history_plot(run)
    replace_atomically(os.path.join(run.output_dir, "result.json"), write_json(result, indent=2))
    remove_backup(run.output_dir)
    if error is not None:
        raise error
    return result
