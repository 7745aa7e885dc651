"""The central claims: the comparisons marked ``central=True`` (one or two per lesson), each
with its committed result, as one table (:func:`claims_table`, what ``data/README.md`` shows
between its markers, rewritten by ``python -m cnn_keras.experiments.claims``).
"""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

from cnn_keras.experiments.definition import Experiment, get_experiment, list_experiments
from cnn_keras.experiments.results import DATA_DIR, Results, results_path
from cnn_keras.experiments.stats import DECIDED, PairedDifference, summary

README = DATA_DIR.parent / "README.md"
BEGIN, END = "<!-- central claims: begin -->", "<!-- central claims: end -->"


@dataclasses.dataclass(frozen=True)
class Claim:
    """One central comparison and its committed result."""

    experiment: Experiment
    difference: PairedDifference
    cpu_seconds: float  # the experiment's, all arms and seeds

    @property
    def decided(self) -> bool:
        """Whether the verdict decides the claim (supported, equivalent or the opposite)."""
        return self.difference.outcome in DECIDED


def cpu_seconds(results: Results) -> float:
    """The CPU seconds of every run of ``results`` (``cpu_seconds`` is repeated on each row of
    a run: counted once per run)."""
    runs = results.runs()
    return float(sum(run["cpu_seconds"][-1] for run in runs.values() if len(run["cpu_seconds"])))


def central_experiments() -> list[Experiment]:
    """The experiments with a central comparison, by lesson."""
    chosen = [get_experiment(name) for name in list_experiments()]
    return [e for e in chosen if any(c.central for c in e.comparisons)]


def pending(folder: str | Path | None = None) -> list[str]:
    """The central experiments whose committed results are missing or stale (made with
    another definition)."""
    from cnn_keras.experiments.results import read_results

    missing = []
    for experiment in central_experiments():
        path = results_path(experiment.name, folder)
        fresh = path.is_file() and (
            read_results(path).header.get("fingerprint") == experiment.fingerprint("cpu")
        )
        if not fresh:
            missing.append(experiment.name)
    return missing


def central_claims(folder: str | Path | None = None) -> list[Claim]:
    """Every central comparison of every experiment whose committed results match its
    definition, by lesson (:func:`pending` lists the others)."""
    from cnn_keras.experiments.results import read_results

    claims: list[Claim] = []
    skip = set(pending(folder))
    for experiment in central_experiments():
        if experiment.name in skip:
            continue
        results = read_results(results_path(experiment.name, folder))
        numbers = summary(results, experiment)
        seconds = cpu_seconds(results)
        for difference in numbers.differences:
            if difference.comparison.central:
                claims.append(Claim(experiment, difference, seconds))
    return claims


def design(experiment: Experiment) -> str:
    """The budget in a few words: ``"28 px, 8,000 images x 8 epochs, 5,000 test"``."""
    plan = experiment.plan(experiment.arms[0].name, "cpu")
    return (
        f"{plan.image_size} px, {plan.train_samples:,} images x {plan.epochs} epochs, "
        f"{plan.test_samples:,} test"
    )


def _cell(text: str) -> str:
    return text.replace("|", "/")


def claims_table(claims: list[Claim] | None = None) -> str:
    """The central claims as a Markdown table: lesson, experiment, comparison, test, seeds,
    the mean difference and its interval, the minimum detectable effect, the paper's effect,
    the verdict and the experiment's CPU time; then the counts."""
    claims = central_claims() if claims is None else claims
    lines = [
        "| lesson | experiment | comparison | design | test | seeds | difference (interval) | "
        "detectable | paper | verdict | CPU |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for claim in claims:
        d, c = claim.difference, claim.difference.comparison
        fmt = c.metric.format
        test = d.test if c.margin is None else f"{d.test}, margin {fmt(c.margin)}"
        low, high = d.interval
        interval = (
            f"{fmt(d.mean, signed=True)} ({fmt(low, signed=True)} to {fmt(high, signed=True)})"
        )
        lines.append(
            "| "
            + " | ".join(
                _cell(cell)
                for cell in (
                    claim.experiment.lesson,
                    f"`{claim.experiment.name}`",
                    f"{c.arm} - {c.baseline}, {c.metric.name}",
                    design(claim.experiment),
                    test,
                    str(d.n),
                    interval,
                    fmt(d.mde) if math.isfinite(d.mde) else "-",
                    fmt(c.paper_effect, signed=True) if c.paper_effect is not None else "-",
                    d.outcome,
                    f"{claim.cpu_seconds / 60:.0f} min",
                )
            )
            + " |"
        )
    decided = sum(claim.decided for claim in claims)
    total = sum({claim.experiment.name: claim.cpu_seconds for claim in claims}.values())
    lines += [
        "",
        f"{decided} of {len(claims)} central claims decided (supported, equivalent within the "
        f"margin, or the opposite); their experiments took {total / 3600:.1f} CPU-hours.",
    ]
    waiting = pending()
    if waiting:
        lines.append(
            "Not yet run at their present design (their central claims are not in the table): "
            + ", ".join(f"`{name}`" for name in waiting)
            + "."
        )
    return "\n".join(lines)


def update_readme(path: str | Path = README) -> bool:
    """Writes :func:`claims_table` between the markers of ``path``; returns whether it
    changed."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"{path} has no {BEGIN} ... {END} markers to write the table between.")
    new = pattern.sub(lambda _: f"{BEGIN}\n{claims_table()}\n{END}", text)
    path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    print(f"{README}: {'updated' if update_readme() else 'already current'}")
