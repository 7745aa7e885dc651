"""What the results say: per arm the mean and standard deviation over seeds, and for each of
the experiment's comparisons the difference between two arms paired by seed, with Student's t
interval, the test the comparison declares, and a verdict computed from them, never taken from
the paper:

- a **superiority** test ("is better"): the 95 % interval lies on the side the claim expects
  (**supported**), on the other side (**the opposite**), or includes 0 (**inconclusive**);
- a **non-inferiority** test ("loses nothing", "does the same work for less"): the 90 %
  interval (a one-sided 5 % test on each end) lies above minus the margin (**supported**),
  wholly below it (**the opposite**: it loses more than the margin), or across it
  (**inconclusive**);
- an **equivalence** test ("no gain", "never seemed to harm"): the 90 % interval lies inside
  plus and minus the margin (**equivalent within the margin**: two one-sided tests), wholly
  outside it (**the opposite**), or across an end (**inconclusive**);
- a deterministic quantity (a count of parameters or multiply-accumulates) holds **by
  construction**: its difference is reported, never counted as support.

Every difference also reports its **minimum detectable effect**: with its seeds and the spread
observed between them, the smallest true difference its test would find with 80 % power (for
a superiority test); for the other two, the smallest margin it would establish with 80 % power
were the true difference 0. An inconclusive result whose minimum detectable effect is below
the paper's effect is a real negative at this scale: an effect the paper's size would most
likely have shown. The distributions are scipy.stats'.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import numpy as np
from scipy import optimize, stats

from cnn_keras.experiments.definition import Comparison, Experiment, get_experiment
from cnn_keras.experiments.metrics import FINAL_TEST_ACCURACY, Metric
from cnn_keras.experiments.results import Results, as_results

SUPPORTED = "supported"
EQUIVALENT = "equivalent within the margin"
OPPOSITE = "the opposite"
INCONCLUSIVE = "inconclusive"
BY_CONSTRUCTION = "by construction"
OUTCOMES = (SUPPORTED, EQUIVALENT, OPPOSITE, INCONCLUSIVE, BY_CONSTRUCTION)
# The outcomes that decide a claim, one way or the other.
DECIDED = (SUPPORTED, EQUIVALENT, OPPOSITE)
POWER = 0.8
# The confidence of each test's interval: 95 % two-sided for superiority; 90 % for the tests
# with a margin (each end a one-sided test at 5 %).
CONFIDENCE = {"superiority": 0.95, "non-inferiority": 0.90, "equivalence": 0.90}


def t_interval(values, confidence: float = 0.95) -> tuple[float, float]:
    """Student's t interval of the mean of ``values`` (infinite with fewer than two)."""
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return (-math.inf, math.inf)
    mean, sem = float(values.mean()), float(values.std(ddof=1)) / math.sqrt(len(values))
    if sem == 0:
        return (mean, mean)
    low, high = stats.t.interval(confidence, len(values) - 1, loc=mean, scale=sem)
    return (float(low), float(high))


def _solve_power(power_of, std: float, target: float = POWER) -> float:
    """The effect ``d > 0`` at which ``power_of(d)`` (rising with ``d``) reaches ``target``."""
    high = std
    while power_of(high) < target:
        high *= 2
        if high > 1e6 * std:  # never reached
            return math.inf
    return float(optimize.brentq(lambda d: power_of(d) - target, 0.0, high, xtol=std * 1e-9))


def minimum_detectable_effect(std: float, n: int, test: str = "superiority") -> float:
    """The smallest true paired difference that ``n`` seeds with standard deviation ``std``
    detect with 80 % power, from the noncentral t distribution.

    Args:
        std: the standard deviation of the paired differences.
        n: the number of pairs (seeds).
        test: ``"superiority"``: the two-sided 5 % t test (its 95 % interval excludes 0);
            ``"non-inferiority"``: the smallest margin that the one-sided 5 % test establishes
            with 80 % power when the true difference is 0; ``"equivalence"``: the same for two
            one-sided tests (each end given 90 % power, so both hold together about 80 % of the
            time).

    Returns:
        The effect in the differences' units; ``inf`` with fewer than two seeds; ``0`` when
        the differences do not vary.
    """
    if n < 2 or not math.isfinite(std):
        return math.inf
    if std == 0:
        return 0.0
    df, root_n = n - 1, math.sqrt(n)
    if test == "superiority":
        critical = stats.t.ppf(0.975, df)

        def power_of(d):
            shift = d * root_n / std
            # The lower tail as the upper tail of the mirrored shift (scipy's nct.cdf far in
            # the tail returns nan where its sf returns 0).
            return stats.nct.sf(critical, df, shift) + stats.nct.sf(critical, df, -shift)

        return _solve_power(power_of, std)
    critical = stats.t.ppf(0.95, df)
    target = POWER if test == "non-inferiority" else (1 + POWER) / 2
    return _solve_power(lambda d: stats.nct.sf(critical, df, d * root_n / std), std, target)


class _OverSeeds:
    """Values over seeds: their count, mean and standard deviation (with ``n - 1``; nan for
    one seed)."""

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
class ArmSummary(_OverSeeds):
    """One arm on one metric over its seeds."""

    arm: str
    metric: Metric
    seeds: tuple[int, ...]
    values: tuple[float, ...]

    @property
    def interval(self) -> tuple[float, float]:
        """The 95 % t interval of the arm's mean (what the plots' bands show)."""
        return t_interval(self.values)


@dataclasses.dataclass(frozen=True)
class PairedDifference(_OverSeeds):
    """``metric(arm) - metric(baseline)`` seed by seed (seeds both arms ran): its mean, the
    interval and the minimum detectable effect of the comparison's test, and the verdict."""

    comparison: Comparison
    seeds: tuple[int, ...]
    values: tuple[float, ...]

    @property
    def test(self) -> str:
        """The comparison's test, or ``"by construction"`` for a deterministic metric."""
        if self.comparison.metric.deterministic:
            return BY_CONSTRUCTION
        return self.comparison.test

    @property
    def confidence(self) -> float:
        """The interval's confidence: 0.95 for superiority, 0.90 with a margin."""
        return CONFIDENCE.get(self.comparison.test, 0.95)

    @property
    def interval(self) -> tuple[float, float]:
        """The interval of the mean difference at :attr:`confidence` (infinite with fewer
        than two seeds)."""
        return t_interval(self.values, self.confidence)

    @property
    def mde(self) -> float:
        """The minimum detectable effect of this comparison's test with these seeds and this
        spread (:func:`minimum_detectable_effect`); nan by construction."""
        if self.test == BY_CONSTRUCTION:
            return math.nan
        return minimum_detectable_effect(self.std, self.n, self.comparison.test)

    @property
    def outcome(self) -> str:
        """One of :data:`OUTCOMES`, from the test and the interval."""
        if self.test == BY_CONSTRUCTION:
            return BY_CONSTRUCTION
        low, high = self.interval
        if math.isnan(low) or math.isinf(low):
            return INCONCLUSIVE
        c = self.comparison
        # Signed so that the claim's favoured side is positive.
        sign = 1.0 if c.expect == "higher" else -1.0
        low, high = sorted((sign * low, sign * high))
        if c.test == "superiority":
            if low > 0:
                return SUPPORTED
            return OPPOSITE if high < 0 else INCONCLUSIVE
        if c.test == "non-inferiority":
            if low > -c.margin:
                return SUPPORTED
            return OPPOSITE if high < -c.margin else INCONCLUSIVE
        if -c.margin < low and high < c.margin:
            return EQUIVALENT
        return OPPOSITE if low > c.margin or high < -c.margin else INCONCLUSIVE

    def sentence(self) -> str:
        """The verdict in one sentence, with the numbers it rests on."""
        c, metric = self.comparison, self.comparison.metric
        fmt = metric.format
        what = f"{c.arm} - {c.baseline} in {metric.name}"
        if self.test == BY_CONSTRUCTION:
            side = (self.mean > 0) == (c.expect == "higher")
            return (
                f"By construction: {what} is {fmt(self.mean, signed=True)}, "
                f"{'as' if side else 'not as'} the claim expects ({c.expect}); a count that "
                "follows from the nets' definitions, not a result of training."
            )
        low, high = self.interval
        spread = (
            f"{self.confidence * 100:.0f} % interval "
            f"{fmt(low, signed=True)} to {fmt(high, signed=True)}"
            if self.n > 1
            else "one seed, no interval"
        )
        if c.test == "superiority":
            expects = f"the claim expects it {c.expect} than 0"
        elif c.test == "non-inferiority":
            side = "below" if c.expect == "higher" else "above"
            expects = f"the claim expects it no more than {fmt(c.margin)} {side} 0"
        else:
            expects = f"the claim expects it within ±{fmt(c.margin)}"
        text = (
            f"{self.outcome[0].upper()}{self.outcome[1:]}: {what} is "
            f"{fmt(self.mean, signed=True)} ({spread}; {self.n} seeds; {c.test} test, "
            f"{expects})."
        )
        return f"{text} {self.power_sentence()}"

    def power_sentence(self) -> str:
        """What this budget could detect, beside the paper's effect, and what an inconclusive
        result therefore means."""
        c, fmt = self.comparison, self.comparison.metric.format
        if not math.isfinite(self.mde):
            return "With fewer than two seeds nothing can be detected."
        if self.std == 0:
            return (
                f"Every seed gave the same difference, {fmt(self.mean, signed=True)}: with no "
                "spread there is nothing for a test to weigh."
            )
        if c.test != "superiority":
            could = f"This budget could establish a margin of {fmt(self.mde)} or more (80 % power)"
            paper = (
                "" if c.paper_effect is None else f"; the paper's effect is {fmt(c.paper_effect)}"
            )
            if self.outcome == INCONCLUSIVE and self.mde > c.margin:
                return (
                    f"{could}, wider than the claim's margin of {fmt(c.margin)}: too few seeds "
                    f"or too much spread between them for this test{paper}."
                )
            return f"{could}{paper}."
        could = f"This budget could detect {fmt(self.mde)} or more (80 % power)"
        if c.paper_effect is None:
            return f"{could}; the paper gives no effect in these units."
        paper = fmt(abs(c.paper_effect))
        if self.outcome != INCONCLUSIVE:
            return f"{could}; the paper's effect is {paper}."
        if c.test == "superiority" and self.mde <= abs(c.paper_effect):
            return (
                f"{could}, below the paper's effect of {paper}: an effect of the paper's size "
                "would most likely have shown, so this is a real negative at this scale."
            )
        return f"{could}, more than the paper's effect of {paper}: too small a budget to see it."


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
                d.test + ("" if d.comparison.margin is None else f", margin {_margin(d)}"),
                d.comparison.metric.format(d.mean, signed=True),
                "" if d.test == BY_CONSTRUCTION else _interval_text(d),
                "" if d.test == BY_CONSTRUCTION else d.comparison.metric.format(d.mde),
                d.n,
                d.outcome,
            )
            for d in self.differences
        ]
        diff_table = format_table(
            ["difference", "metric", "test", "mean", "interval", "detectable", "pairs", "verdict"],
            diff_rows,
            align="lllrrrrl",
        )
        return f"{arm_table}\n\n{diff_table}"

    def verdict(self) -> str:
        """One sentence per comparison (:meth:`PairedDifference.sentence`)."""
        return "\n".join(d.sentence() for d in self.differences)

    def __str__(self) -> str:
        return f"{self.table()}\n\n{self.verdict()}"


def _margin(d: PairedDifference) -> str:
    return d.comparison.metric.format(d.comparison.margin)


def _interval_text(d: PairedDifference) -> str:
    values = " to ".join(d.comparison.metric.format(v, signed=True) for v in d.interval)
    return f"{values} ({d.confidence * 100:.0f} %)"


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
