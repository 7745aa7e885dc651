"""One whole run, what ``cnn-keras train`` does, as named steps around a run plan
(:mod:`cnn_keras.plan`): the data, the model built and compiled with the plan's recipe,
:func:`~cnn_keras.training.fitting.fit`, the evaluation, and ``result.json`` and
``history.png``. :func:`run` runs a plan; :func:`train` plans one from a model's name and runs it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import os
import time

import keras

from cnn_keras import data, machine
from cnn_keras.plan import RunPlan, plan_run
from cnn_keras.recipes import Recipe, scale_for_replicas
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


def _build_and_compile(plan: RunPlan, splits, recipe: Recipe, scope) -> keras.Model:
    with scope:
        model = plan.build()
        compile_model(model, recipe, steps_per_epoch=steps_per_epoch_of(splits), epochs=plan.epochs)
    return model


def _fit(
    plan: RunPlan, model, splits, recipe: Recipe, output_dir: str, verbose, models_every_epoch
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
            epochs=plan.epochs,
            output_dir=output_dir,
            verbose=verbose,
            callbacks=[throughput],
            compile=False,
            keep_backup=True,  # until result.json is written: a kill before resumes
            models_every_epoch=models_every_epoch,
        )
    except NonFiniteLossError as caught:
        error = caught
    losses = read_log(output_dir).get("loss", [])
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
    if len(model.outputs) > 1:  # Keras names a multi-output model's scores by output
        main = f"{model.output_names[0]}_"
        scores = {k.removeprefix(main): v for k, v in scores.items() if k.startswith(main)}
    return {
        "test_top1": float(scores["accuracy"]),
        "test_top5": float(scores["top5"]) if "top5" in scores else None,
        "test_loss": float(scores["loss"]),
        "eval_seconds": round(time.perf_counter() - start, 2),
    }


def _write_history_plot(plan: RunPlan, output_dir: str) -> None:
    """``history.png``: the curves of the run's log, when it has one."""
    history = read_log(output_dir)
    if not history:
        return
    # Imported here: cnn_keras.plots took 0.55 s to import on a 2-core CPU, beside Keras.
    import matplotlib.pyplot as plt

    from cnn_keras import plots

    figure = plots.plot_history(
        history,
        title=f"{plan.model} on {plan.dataset}",
        where=plots.machine_caption(run_caption(plan)),
    )
    figure.savefig(os.path.join(output_dir, "history.png"), dpi=100)
    plt.close(figure)


def run_caption(plan: RunPlan) -> str:
    """What a figure of this run says it shows: profile, backend, data, size, epochs."""
    samples = "all" if plan.train_samples is None else f"{plan.train_samples:,}"
    return (
        f"profile={plan.profile.name} backend={keras.backend.backend()} dataset={plan.dataset} "
        f"({samples} training images) image_size={plan.image_size} epochs={plan.epochs}"
    )


def run(
    plan: RunPlan,
    output_dir: str | os.PathLike | None = None,
    *,
    distribute: bool = False,
    precision: str = "auto",
    verbose: int | str = "auto",
    models_every_epoch: bool = True,
    **where,
) -> dict:
    """Runs ``plan`` and writes, in ``output_dir`` (default ``runs/<model>-<dataset>``):
    ``log.csv``, ``tensorboard/``, ``best.keras``, ``last.keras``, ``history.png`` and
    ``result.json`` (test top-1 and top-5 accuracy, throughput, versions).

    Run again with the same plan after an interruption, it resumes (``backup/``). A model with
    auxiliary outputs trains on its labels repeated once per output (the recipe weighs the
    auxiliary losses) and is evaluated on its main output.

    Args:
        plan: the run (:func:`cnn_keras.plan.plan_run`).
        output_dir: the run folder, new or an earlier run's to resume.
        distribute: spread each batch over every visible device; the batch and the learning
            rate are multiplied by the replicas (the linear scaling rule).
        precision: :func:`~cnn_keras.training.configure_precision`'s.
        verbose: ``model.fit``'s (``"auto"``: one line per epoch in a notebook).
        models_every_epoch: write ``last.keras`` and ``best.keras`` after every epoch, and
            TensorBoard's logs (the default); ``False``: ``last.keras`` once at the end, no
            ``best.keras`` and no TensorBoard logs (a run read only when it ends, as the
            experiments' runner reads it). Resuming a killed run works either way.
        **where: :func:`cnn_keras.data.load`'s ``data_dir``, ``manual_dir``, ``download``.

    Returns:
        The dict written to ``result.json``.

    Raises:
        ValueError: for an ``output_dir`` that is a file or cannot be written (before any data
            loads).
        NonFiniteLossError: when the loss or the weights become NaN (``result.json`` then
            says so).
    """
    output_dir = os.fspath(output_dir or os.path.join("runs", f"{plan.model}-{plan.dataset}"))
    prepare_output_dir(output_dir)
    keras.utils.set_random_seed(plan.seed)
    policy = configure_precision(precision)
    scope, replicas = data_parallel() if distribute else (contextlib.nullcontext(), 1)
    # The batch and the learning rate times the replicas (one replica: the plan's).
    plan = dataclasses.replace(plan, recipe=scale_for_replicas(plan.recipe, replicas))
    recipe = plan.recipe
    splits = plan.load_data(**where)
    model = _build_and_compile(plan, splits, recipe, scope)
    if len(model.outputs) > 1:
        splits = data.repeat_labels(splits, len(model.outputs))
    result = {
        "model": plan.model,
        "dataset": plan.dataset,
        "profile": plan.profile.name,
        "image_size": plan.image_size,
        "epochs": plan.epochs,
        "batch_size": recipe.batch_size,
        "learning_rate": recipe.learning_rate,
        "replicas": replicas,
        "precision": policy,
        "augment": splits.augment,
        "recipe": plan.recipe.paper,
        "backend": keras.backend.backend(),
        "device": machine.device_name(),
        "params": model.count_params(),
        "seed": plan.seed,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    trained, error = _fit(plan, model, splits, recipe, output_dir, verbose, models_every_epoch)
    result |= trained
    if error is None:
        result |= _evaluate(model, splits)
    result["versions"] = versions()
    _write_history_plot(plan, output_dir)
    replace_atomically(os.path.join(output_dir, "result.json"), write_json(result, indent=2))
    remove_backup(output_dir)
    if error is not None:
        raise error
    return result


def train(
    model_name: str,
    *,
    output_dir: str | None = None,
    distribute: bool = False,
    precision: str = "auto",
    data_dir: str | None = None,
    manual_dir: str | None = None,
    download: bool = False,
    verbose: int | str = "auto",
    **overrides,
) -> dict:
    """Trains a registered model with its paper's recipe at a profile's size: :func:`run` of
    :func:`~cnn_keras.plan.plan_run` ``(model_name, **overrides)``.

    ``overrides`` are :func:`~cnn_keras.plan.plan_run`'s (``profile``, ``dataset``,
    ``epochs``, ``batch_size``, ``image_size``, ``train_samples``, ``width_multiplier``,
    ``learning_rate``, ``seed`` ...); unset, each is the profile's, and the learning rate the
    recipe's scaled linearly to the batch.

    Returns:
        The dict written to ``result.json``.

    Raises:
        ValueError: before any data loads, for a bad argument (from the plan: a count or a
            rate that is not a positive number, a width the builder refuses) or an
            ``output_dir`` that is a file or cannot be written.
        NonFiniteLossError: when the loss or the weights become NaN.
    """
    plan = plan_run(model_name, **overrides)
    return run(
        plan,
        output_dir,
        distribute=distribute,
        precision=precision,
        verbose=verbose,
        data_dir=data_dir,
        manual_dir=manual_dir,
        download=download,
    )
