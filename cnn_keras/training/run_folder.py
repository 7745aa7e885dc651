"""The files of a run: its folder, the checkpoints and the backup a killed run resumes from,
the CSV log and :func:`read_log`, each file written atomically (a temporary name, then a
rename)."""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import shutil
import sys

import keras

from cnn_keras.training.callbacks import StopOnNonFinite


def prepare_output_dir(output_dir) -> None:
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


def _say(message: str) -> None:
    print(f"cnn-keras: {message}", file=sys.stderr, flush=True)


_TEMPORARY = ".tmp-"  # the prefix of a file being written; renamed once complete


def replace_atomically(path: str, write) -> None:
    """Calls ``write(temporary)`` on a temporary name in ``path``'s folder, then renames it to
    ``path``: a kill leaves the old file or the new one, never a part of one. The temporary
    name ends as ``path`` does (Keras checks ``.keras`` and ``.weights.h5``)."""
    folder, name = os.path.split(path)
    temporary = os.path.join(folder, _TEMPORARY + name)
    write(temporary)
    os.replace(temporary, path)


def write_json(record, indent: int | None = None):
    """A ``write(path)`` for :func:`replace_atomically` that writes ``record`` as JSON."""

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
        models_every_epoch: write ``last.keras`` and ``best.keras`` at every epoch's end (the
            default); ``False`` writes no ``best.keras`` and ``last.keras`` once, when training
            ends without a NaN: what a run that is read only at its end needs (the experiments'
            runner). The backup that resumes a killed run is written either way.
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
        models_every_epoch: bool = True,
        keep_backup: bool = False,
    ):
        super().__init__()
        self.models_every_epoch = models_every_epoch
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
        if self.models_every_epoch:
            replace_atomically(os.path.join(self.output_dir, "last.keras"), save)
        value = row.get(self.monitor)
        if value is not None and value > self.best:
            self.best = value
            if self.models_every_epoch:
                replace_atomically(os.path.join(self.output_dir, "best.keras"), save)
        self.rows.append(row)
        replace_atomically(self._path(epoch + 1, ".weights.h5"), self.model.save_weights)
        record = {"epoch": epoch + 1, "rows": self.rows, "best": self.best}
        replace_atomically(self._path(epoch + 1, ".json"), write_json(record))
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

        replace_atomically(self.log_path, write)

    def on_train_end(self, logs=None):
        self.model._initial_epoch = None
        if not self.models_every_epoch and self.guard.stopped_at is None and self.rows:
            replace_atomically(os.path.join(self.output_dir, "last.keras"), self.model.save)
        if not self.keep_backup:
            remove_backup(self.output_dir)


def read_log(output_dir: str) -> dict[str, list[float]]:
    """The CSV log of a run (all its epochs, resumed ones included) as Keras's history dict."""
    path = os.path.join(output_dir, "log.csv")
    if not os.path.exists(path):
        return {}
    with open(path, newline="") as file:
        rows = list(csv.DictReader(file))
    keys = [k for k in (rows[0] if rows else {}) if k != "epoch"]
    return {k: [float(row[k]) if row[k] else math.nan for row in rows] for k in keys}
