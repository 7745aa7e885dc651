"""What an experiment measures: a :class:`Metric` turns one run's curves (its rows of the
results, epoch by epoch) into one number, and the summary compares arms on it seed by seed.

The curves of a run are the results' columns for its rows, sorted by epoch: ``epoch``,
``train_loss``, ``train_accuracy``, ``test_loss``, ``test_accuracy`` (the accuracies as
fractions; the training ones are Keras's running means over the epoch, with dropout on, as
the papers plotted them), and the per-run columns (``params``, ``macs``, ``train_seconds`` and
the experiment's own measures, the same on every row of a run). ``train_seconds`` is the wall
time of the run's training (``training.run``'s), ``cpu_seconds`` the process's CPU time over the
whole run (all threads: on a machine shared with other work it is inflated far less than the
wall time).

Built in: :data:`FINAL_TEST_ACCURACY`, :data:`FINAL_TRAIN_ACCURACY`, :data:`GENERALIZATION_GAP`,
:data:`MEAN_TRAIN_ERROR` (the area under the training-error curve: how fast a net trains, with
no run left out for never reaching a threshold), :data:`TRAIN_SECONDS`, :data:`CPU_SECONDS`,
:data:`PARAMS` and :data:`MACS` (counts: deterministic), and the factories
:func:`epochs_to_train_error` and :func:`measured`. Every metric that reads a curve names the
epoch it reads: "final" is the last epoch's value, "mean" the average over all epochs.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping

import numpy as np

from cnn_keras.checks import check_choice, check_float, check_str

# The curves a run logs, by the names plots and metrics use, and their results columns.
CURVES = {
    "test accuracy": "test_accuracy",
    "training accuracy": "train_accuracy",
    "test loss": "test_loss",
    "training loss": "train_loss",
    "test error": "test_accuracy",  # 1 - accuracy
    "training error": "train_accuracy",
}


def curve(curves: Mapping[str, np.ndarray], name: str) -> np.ndarray:
    """The curve ``name`` (a key of :data:`CURVES`) of one run, per epoch.

    Raises:
        ValueError: for a name that is not in :data:`CURVES`.
    """
    check_choice("metric", name, CURVES)
    values = np.asarray(curves[CURVES[name]], dtype=float)
    return 1.0 - values if name.endswith("error") else values


@dataclasses.dataclass(frozen=True)
class Metric:
    """One number per run.

    Attributes:
        name: what it is, as a table header says it (``"final test accuracy"``).
        compute: ``compute(curves) -> float`` on one run's curves (see the module's docstring).
        unit: ``"%"`` for a fraction shown as a percentage, ``"epochs"``, ``"s"`` or ``""``.
        higher_is_better: whether a larger value is the better one (for the summary's words).
        deterministic: whether the value follows from the arm's definition alone (a count of
            parameters or multiply-accumulates): a comparison on it holds "by construction"
            and is never counted as support.
    """

    name: str
    compute: Callable[[Mapping[str, np.ndarray]], float]
    unit: str = "%"
    higher_is_better: bool = True
    deterministic: bool = False

    def __post_init__(self):
        check_str("name", self.name, hint="what the metric is, as a table header says it")
        check_choice("unit", self.unit, ("%", "epochs", "s", ""))

    def format(self, value: float, *, signed: bool = False) -> str:
        """``value`` in the metric's unit: ``"81.2 %"``, ``"3.0 epochs"``, ``"12.5 s"``
        (``"0.412 ms"`` below a second)."""
        if not math.isfinite(value):
            return str(value)
        sign = "+" if signed else ""
        if self.unit == "%":
            return f"{value * 100:{sign}.1f} %"
        if self.unit == "":
            for scale, suffix in ((1e9, " G"), (1e6, " M"), (1e3, " k")):
                if abs(value) >= scale:  # a count: 6.21 M multiply-accumulates
                    return f"{value / scale:{sign}.3g}{suffix}"
            return f"{value:{sign}.3g}"
        if self.unit == "s" and abs(value) < 1:  # an inference time per image
            return f"{value * 1000:{sign}.3g} ms"
        return f"{value:{sign}.1f} {self.unit}"


def _final(column: str) -> Callable[[Mapping[str, np.ndarray]], float]:
    def compute(curves):
        return float(np.asarray(curves[column], dtype=float)[-1])

    return compute


FINAL_TEST_ACCURACY = Metric("final test accuracy", _final("test_accuracy"))
FINAL_TRAIN_ACCURACY = Metric("final training accuracy", _final("train_accuracy"))
GENERALIZATION_GAP = Metric(
    "generalization gap",
    lambda c: float(np.asarray(c["train_accuracy"])[-1] - np.asarray(c["test_accuracy"])[-1]),
    higher_is_better=False,
)
TRAIN_SECONDS = Metric("training seconds", _final("train_seconds"), "s", higher_is_better=False)
CPU_SECONDS = Metric("CPU seconds", _final("cpu_seconds"), "s", higher_is_better=False)
MEAN_TRAIN_ERROR = Metric(
    "mean training error over the epochs",
    lambda c: float(np.mean(1.0 - np.asarray(c["train_accuracy"], dtype=float))),
    higher_is_better=False,
)
PARAMS = Metric("parameters", _final("params"), "", higher_is_better=False, deterministic=True)
MACS = Metric(
    "multiply-accumulates", _final("macs"), "", higher_is_better=False, deterministic=True
)


def epochs_to_train_error(error: float) -> Metric:
    """The epochs a run takes to bring its training error to ``error`` or below (AlexNet's
    Figure 1 at 0.25), with linear interpolation between two epochs' values (a run at 30 %
    after epoch 1 and 20 % after epoch 2 takes 1.5 epochs).

    A run there after its first epoch is interpolated from 90 % error (chance on ten classes)
    at epoch 0. A run that never gets there counts as ``epochs + 1``: a lower bound of what
    it would have taken, so the difference between two arms is then an underestimate. Choose
    a threshold every arm reaches within the budget.
    """
    error = check_float("error", error, minimum=0, maximum=1, min_inclusive=False)

    def compute(curves):
        errors = 1.0 - np.asarray(curves["train_accuracy"], dtype=float)
        epochs = np.asarray(curves["epoch"], dtype=float)
        reached = np.flatnonzero(errors <= error)
        if not reached.size:
            return float(epochs[-1] + 1)
        i = int(reached[0])
        if i == 0:  # interpolate from the untrained net's chance error, 0.9, at epoch 0
            before_epoch, before = epochs[0] - 1, max(0.9, error)
        else:
            before_epoch, before = epochs[i - 1], errors[i - 1]
        if before == errors[i]:
            return float(epochs[i])
        share = (before - error) / (before - errors[i])
        return float(before_epoch + share * (epochs[i] - before_epoch))

    return Metric(f"epochs to {error:.0%} training error", compute, "epochs", False)


def measured(
    column: str, *, unit: str = "", higher_is_better: bool = True, deterministic: bool = False
) -> Metric:
    """A per-run measure of the experiment (``Experiment.measures``), read from its column."""
    return Metric(column.replace("_", " "), _final(column), unit, higher_is_better, deterministic)
