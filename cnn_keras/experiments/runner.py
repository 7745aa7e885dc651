"""The one runner: every arm of an experiment on every seed, each run through the package's own
training path (``plan_run``, then ``training.run``: the recipe, ``fit``, the run folder), the
rows written to ``data/experiments/<name>.csv``.

Each run has its folder, ``<runs_dir>/<name>/<profile>/<arm>/seed<k>``, stamped with the
experiment's fingerprint: a run finished earlier with the same definition is read back, not
trained again, and an interrupted one resumes (``training.run`` keeps a backup), so an
interrupted ``make experiments`` picks up where it stopped. The output file is a record of
finished runs too: where it has the same fingerprint, its rows of an arm and seed are kept and
that run is not trained again, so adding seeds to a committed experiment trains only the new
ones (its header then names every machine its runs came from).
"""

from __future__ import annotations

import datetime
import functools
import json
import math
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from cnn_keras.checks import check_int
from cnn_keras.experiments.definition import Experiment, _profile_name, get_experiment
from cnn_keras.experiments.results import Results, read_results, results_path
from cnn_keras.history import main_output_logs

RUNS_DIR = os.path.join("runs", "experiments")
# log.csv's keys (Keras's history) -> the results' columns.
_LOG_COLUMNS = {
    "loss": "train_loss",
    "accuracy": "train_accuracy",
    "val_loss": "test_loss",
    "val_accuracy": "test_accuracy",
}


def default_output(name: str, profile: str, runs_dir: str = RUNS_DIR) -> Path:
    """Where :func:`run` writes by default: the committed file on ``cpu``
    (``data/experiments/<name>.csv``), else ``<runs_dir>/<name>-<profile>.csv`` (a smoke or
    full run never overwrites the committed results)."""
    if profile == "cpu":
        return results_path(name)
    return Path(runs_dir) / f"{name}-{profile}.csv"


def run(
    name: str | Experiment,
    seeds: int | None = None,
    profile: str | None = "cpu",
    output: str | os.PathLike | None = None,
    *,
    runs_dir: str = RUNS_DIR,
    fresh: bool = False,
    verbose: int | str = 0,
    report: Callable[[str], None] | str | None = "print",
    **where,
) -> Results:
    """Trains every arm of experiment ``name`` on seeds ``0 .. seeds - 1`` and writes the rows.

    Args:
        name: a registered experiment's name (:func:`list_experiments`), or an
            :class:`Experiment`.
        seeds: how many seeds (default: the experiment's, 3 or 5).
        profile: ``"cpu"`` (the committed results), ``"smoke"`` (seconds, learns nothing) or
            ``"full"`` (a GPU: the paper's sizes, ``Experiment.full_budget``); ``None``:
            ``$CNN_KERAS_PROFILE``.
        output: the CSV file to write (default: :func:`default_output`).
        runs_dir: the scratch folder of the run folders.
        fresh: train every run again, even one finished earlier with the same definition.
        verbose: Keras's ``verbose`` for each run (0: silent).
        report: called with one line per finished run (``"print"``: printed at once;
            ``None``: silent).
        **where: ``plan.load_data``'s ``data_dir``, ``manual_dir``, ``download``.

    Returns:
        The :class:`Results` written to ``output``.

    Raises:
        ValueError: before anything trains, for an unknown experiment, a bad ``seeds`` or
            ``profile``, or an arm whose plan is refused.
    """
    experiment = get_experiment(name)
    if report == "print":
        report = functools.partial(print, flush=True)
    profile = _profile_name(profile)
    seeds = experiment.seeds if seeds is None else check_int("seeds", seeds, minimum=1)
    output = Path(output) if output is not None else default_output(experiment.name, profile)
    fingerprint = experiment.fingerprint(profile)
    plans = {
        (arm.name, seed): experiment.plan(arm.name, profile, seed)
        for seed in range(seeds)
        for arm in experiment.arms
    }  # every plan checked before the first run trains
    start = time.perf_counter()
    earlier = {} if fresh else _earlier_runs(output, fingerprint)
    rows: list[dict] = []
    for (arm, seed), plan in plans.items():
        if (arm, seed) in earlier:
            rows += earlier[arm, seed]
            if report is not None:
                report(f"{experiment.name} {arm} seed {seed}: kept from {output}")
            continue
        folder = Path(runs_dir) / experiment.name / profile / arm / f"seed{seed}"
        stamp = {"experiment": experiment.name, "arm": arm, "seed": seed, "profile": profile}
        stamp["fingerprint"] = fingerprint
        result, reused = _train(plan, folder, stamp, fresh=fresh, verbose=verbose, where=where)
        run_rows = _rows(experiment, arm, seed, plan, folder, result)
        rows += run_rows
        if report is not None:
            report(_line(experiment.name, arm, seed, run_rows, result, reused))
    header = _header(experiment, profile, fingerprint, seeds, time.perf_counter() - start, plans)
    if earlier:
        header |= _merged_header(read_results(output).header, header)
    results = Results.from_rows(rows, header)
    results.write(output)
    if report is not None:
        report(f"wrote {output}")
    return results


def _earlier_runs(output: Path, fingerprint: str) -> dict[tuple[str, int], list[dict]]:
    """The rows of each run in ``output`` when it was made with ``fingerprint`` (else none)."""
    if not output.is_file():
        return {}
    earlier = read_results(output)
    if earlier.header.get("fingerprint") != fingerprint:
        return {}
    runs: dict[tuple[str, int], list[dict]] = {}
    for row in earlier.rows():
        runs.setdefault((row["arm"], int(row["seed"])), []).append(row)
    return runs


def _merged_header(before: dict[str, str], now: dict[str, str]) -> dict[str, str]:
    """Where a file's runs came from when some were kept from an earlier file: every machine,
    date and version, and the wall seconds of both."""
    merged = {}
    for key in ("machine", "backend", "versions", "date"):
        values = [v for v in before.get(key, "").split(" | ") if v] + [now[key]]
        merged[key] = " | ".join(dict.fromkeys(values))
    wall = float(before.get("wall_seconds", 0) or 0) + float(now["wall_seconds"])
    merged["wall_seconds"] = f"{wall:.0f}"
    return merged


def _train(plan, folder: Path, stamp: dict, *, fresh: bool, verbose, where) -> tuple[dict, bool]:
    """``training.run`` in ``folder``, or the result of an earlier run there with the same
    stamp; the folder of a run with another stamp is cleared first."""
    from cnn_keras import training
    from cnn_keras.training.run_folder import replace_atomically, write_json

    stamp_path, result_path = folder / "experiment.json", folder / "result.json"
    same = stamp_path.is_file() and json.loads(stamp_path.read_text()) == stamp
    if same and not fresh and result_path.is_file():
        result = json.loads(result_path.read_text())
        if result.get("status", "completed") == "completed":
            return result, True
    if folder.exists() and (fresh or not same):
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp_path.write_text(json.dumps(stamp))
    cpu_start = time.process_time()
    # The runner reads a run's model once, when it ends: no model files after every epoch (the
    # backup that resumes a killed run is still written).
    result = training.run(plan, str(folder), verbose=verbose, models_every_epoch=False, **where)
    result["cpu_seconds"] = round(time.process_time() - cpu_start, 2)
    replace_atomically(str(result_path), write_json(result, indent=2))
    return result, False


def _rows(experiment: Experiment, arm: str, seed: int, plan, folder: Path, result) -> list[dict]:
    """One row per epoch of a finished run: its log, and the per-run columns (time,
    parameters, MACs, the experiment's measures) repeated on each."""
    import keras

    from cnn_keras import analysis
    from cnn_keras.training import read_log

    log = read_log(str(folder))
    model_path = folder / "last.keras"
    model = (
        keras.saving.load_model(model_path, compile=False) if model_path.is_file() else plan.build()
    )
    per_run = {
        "train_seconds": float(result.get("train_seconds", math.nan)),
        "cpu_seconds": float(result.get("cpu_seconds", math.nan)),
        "params": analysis.count_params(model).total,
        "macs": analysis.count_macs(model),
    }
    for column, measure in experiment.measures.items():
        per_run[column] = float(measure(model, plan))
    keras.backend.clear_session()
    log = main_output_logs(log)  # a model with auxiliary outputs: its main output's curves
    epochs = len(log.get("loss", []))
    curves = {col: log.get(key, [math.nan] * epochs) for key, col in _LOG_COLUMNS.items()}
    return [
        {
            "experiment": experiment.name,
            "arm": arm,
            "seed": seed,
            "epoch": epoch + 1,
            **{column: values[epoch] for column, values in curves.items()},
            **per_run,
        }
        for epoch in range(epochs)
    ]


def _line(name: str, arm: str, seed: int, rows: list[dict], result: dict, reused: bool) -> str:
    last = rows[-1] if rows else {}
    return (
        f"{name} {arm} seed {seed}: {len(rows)} epochs in "
        f"{result.get('train_seconds', math.nan):.1f} s, training accuracy "
        f"{last.get('train_accuracy', math.nan):.1%}, test accuracy "
        f"{last.get('test_accuracy', math.nan):.1%}" + (" (reused)" if reused else "")
    )


def _header(
    experiment: Experiment, profile: str, fingerprint: str, seeds: int, seconds: float, plans
) -> dict[str, str]:
    import keras

    from cnn_keras import machine
    from cnn_keras.training.devices import versions

    plan = next(iter(plans.values()))
    found = versions()
    found.pop("machine", None)
    return {
        "experiment": experiment.name,
        "lesson": experiment.lesson,
        "question": experiment.question,
        "fingerprint": fingerprint,
        "profile": profile,
        "dataset": str(getattr(plan, "dataset", "")),
        "budget": json.dumps(experiment.budget_for(profile), sort_keys=True, default=str),
        "seeds": ",".join(map(str, range(seeds))),
        "machine": machine.device_name(),
        "backend": keras.backend.backend(),
        "versions": ", ".join(f"{k} {v}" for k, v in found.items()),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "wall_seconds": f"{seconds:.0f}",
        "command": f"cnn-keras experiment {experiment.name} --profile {profile}",
    }
