"""What the results say: per arm the mean and standard deviation over seeds, and for each of
the experiment's comparisons the difference between two arms paired by seed, with a 95 %
interval from Student's t distribution; then a verdict computed from that interval, never
taken from the paper: **supported** (the interval lies on the side the claim expects),
**not supported at this scale** (it includes 0), or **the opposite** (it lies on the other
side). NumPy only.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import numpy as np

from cnn_keras.experiments.definition import Comparison, Experiment, get_experiment
from cnn_keras.experiments.metrics import FINAL_TEST_ACCURACY, Metric
from cnn_keras.experiments.results import Results, as_results

OUTCOMES = ("supported", "not supported at this scale", "the opposite")
# Student's t, two-sided 95 % (the 0.975 quantile), for 1 to 30 degrees of freedom.
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t_quantile_975(df: int) -> float:
    """Student's t 0.975 quantile for ``df`` degrees of freedom (a table to 30, then the
    Cornish-Fisher expansion around the normal's 1.96, within 0.001)."""
    if df < 1:
        return math.inf
    if df <= len(_T975):
        return _T975[df - 1]
    z = 1.959964
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


@dataclasses.dataclass(frozen=True)
class ArmSummary:
    """One arm on one metric over its seeds (``std`` with ``n - 1``; nan for one seed)."""

    arm: str
    metric: Metric
    seeds: tuple[int, ...]
    values: tuple[float, ...]

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def mean(self) -> float:
        return float(np.mean(self.values)) if self.values else math.nan

    @property
    def std(self) -> float:
        return float(np.std(self.values, ddof=1)) if self.n > 1 else math.nan


@dataclasses.dataclass(frozen=True)
class PairedDifference:
    """``metric(arm) - metric(baseline)`` seed by seed (seeds both arms ran), its mean and
    95 % t interval, and the :data:`OUTCOMES` entry the interval gives."""

    comparison: Comparison
    seeds: tuple[int, ...]
    values: tuple[float, ...]

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def mean(self) -> float:
        return float(np.mean(self.values)) if self.values else math.nan

    @property
    def std(self) -> float:
        return float(np.std(self.values, ddof=1)) if self.n > 1 else math.nan

    @property
    def interval(self) -> tuple[float, float]:
        """The 95 % interval of the mean difference: infinite with fewer than two seeds."""
        if self.n < 2:
            return (-math.inf, math.inf)
        half = t_quantile_975(self.n - 1) * self.std / math.sqrt(self.n)
        return (self.mean - half, self.mean + half)

    @property
    def outcome(self) -> str:
        """``"supported"``, ``"not supported at this scale"`` or ``"the opposite"``."""
        low, high = self.interval
        if low <= 0 <= high or math.isnan(low):
            return OUTCOMES[1]
        above = low > 0
        return OUTCOMES[0] if above == (self.comparison.expect == "higher") else OUTCOMES[2]

    def sentence(self) -> str:
        """The verdict in one sentence, with the numbers it rests on."""
        c, metric = self.comparison, self.comparison.metric
        low, high = self.interval
        spread = (
            f"95 % interval {metric.format(low, signed=True)} to {metric.format(high, signed=True)}"
            if self.n > 1
            else "one seed, no interval"
        )
        zero = ", which includes 0" if self.outcome == OUTCOMES[1] and self.n > 1 else ""
        return (
            f"{self.outcome[0].upper()}{self.outcome[1:]}: {c.arm} - {c.baseline} in "
            f"{metric.name} is {metric.format(self.mean, signed=True)} ({spread}{zero}; "
            f"{self.n} seeds; the claim expects it {c.expect} than 0)."
        )


@dataclasses.dataclass(frozen=True)
class Summary:
    """An experiment's results in numbers: :class:`ArmSummary` per arm and metric (the
    comparisons' metrics, and the final test accuracy), :class:`PairedDifference` per
    comparison. ``str(summary)`` prints both tables and the verdicts."""

    experiment: Experiment
    arms: tuple[ArmSummary, ...]
    differences: tuple[PairedDifference, ...]
    header: Mapping[str, str]

    def arm(self, arm: str, metric: str = FINAL_TEST_ACCURACY.name) -> ArmSummary:
        """The :class:`ArmSummary` of ``arm`` on the metric named ``metric``."""
        for entry in self.arms:
            if entry.arm == arm and entry.metric.name == metric:
                return entry
        raise ValueError(f"No summary of arm={arm!r} on metric={metric!r}.")

    def table(self) -> str:
        """Per arm: each metric's mean ± std over seeds; then each paired difference."""
        from cnn_keras.text_table import format_table

        metrics = list(dict.fromkeys(entry.metric.name for entry in self.arms))
        arms = list(dict.fromkeys(entry.arm for entry in self.arms))
        rows = []
        for arm in arms:
            cells = [arm]
            for name in metrics:
                entry = self.arm(arm, name)
                spread = "" if math.isnan(entry.std) else f" ± {entry.metric.format(entry.std)}"
                cells.append(f"{entry.metric.format(entry.mean)}{spread}")
            cells.append(self.arm(arm, metrics[0]).n)
            rows.append(cells)
        align = "l" + "r" * (len(metrics) + 1)
        arm_table = format_table(["arm", *metrics, "seeds"], rows, align=align)
        diff_rows = [
            (
                f"{d.comparison.arm} - {d.comparison.baseline}",
                d.comparison.metric.name,
                d.comparison.metric.format(d.mean, signed=True),
                " to ".join(d.comparison.metric.format(v, signed=True) for v in d.interval),
                d.n,
                d.outcome,
            )
            for d in self.differences
        ]
        diff_table = format_table(
            ["difference", "metric", "mean", "95 % interval", "pairs", "verdict"],
            diff_rows,
            align="llrrrl",
        )
        return f"{arm_table}\n\n{diff_table}"

    def verdict(self) -> str:
        """One sentence per comparison (:meth:`PairedDifference.sentence`)."""
        return "\n".join(d.sentence() for d in self.differences)

    def __str__(self) -> str:
        return f"{self.table()}\n\n{self.verdict()}"


def run_values(results: Results, metric: Metric) -> dict[tuple[str, int], float]:
    """``metric`` of every run, by ``(arm, seed)``; runs where it is not finite left out."""
    values = {key: metric.compute(curves) for key, curves in results.runs().items()}
    return {key: v for key, v in values.items() if math.isfinite(v)}


def summary(source, experiment: Experiment | str | None = None) -> Summary:
    """The numbers of an experiment's results.

    Args:
        source: the experiment's name (its committed results are loaded), its
            :class:`Results`, or a mapping of columns (a pandas DataFrame works) with the
            ``arm``, ``seed`` and ``epoch`` columns and those the metrics read.
        experiment: the :class:`Experiment` (or its name) whose comparisons to compute; by
            default the one the results name.
    """
    results = as_results(source)
    experiment = get_experiment(experiment or results.experiment)
    metrics = {FINAL_TEST_ACCURACY.name: FINAL_TEST_ACCURACY}
    metrics |= {c.metric.name: c.metric for c in experiment.comparisons}
    arms = [a.name for a in experiment.arms if a.name in results.arms]
    per_metric = {name: run_values(results, metric) for name, metric in metrics.items()}
    arm_entries = []
    for arm in arms:
        for name, metric in metrics.items():
            runs = sorted((seed, v) for (a, seed), v in per_metric[name].items() if a == arm)
            arm_entries.append(
                ArmSummary(arm, metric, tuple(s for s, _ in runs), tuple(v for _, v in runs))
            )
    differences = []
    for comparison in experiment.comparisons:
        values = per_metric[comparison.metric.name]
        seeds = sorted(
            seed
            for arm, seed in values
            if arm == comparison.arm and (comparison.baseline, seed) in values
        )
        diffs = tuple(values[(comparison.arm, s)] - values[(comparison.baseline, s)] for s in seeds)
        differences.append(PairedDifference(comparison, tuple(seeds), diffs))
    return Summary(experiment, tuple(arm_entries), tuple(differences), dict(results.header))


def verdict(source, experiment: Experiment | str | None = None) -> str:
    """The verdict on each of the experiment's comparisons, one sentence each, computed from
    the results (:func:`summary`'s arguments)."""
    if isinstance(source, Summary):
        return source.verdict()
    return summary(source, experiment).verdict()
