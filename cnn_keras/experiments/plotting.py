"""An experiment's curves: every arm as its mean over seeds epoch by epoch, with the 95 % t
interval of that mean as a band and, lighter, the range from the lowest to the highest seed,
and a run trained live drawn over them."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from cnn_keras.checks import check_choice
from cnn_keras.experiments.definition import get_experiment
from cnn_keras.experiments.metrics import CURVES, curve
from cnn_keras.experiments.results import as_results
from cnn_keras.experiments.stats import t_interval
from cnn_keras.history import main_output_logs

# Keras's history keys for each curve, for a live run.
_HISTORY_KEYS = {
    "test_accuracy": "val_accuracy",
    "train_accuracy": "accuracy",
    "test_loss": "val_loss",
    "train_loss": "loss",
}


def _live_curve(history, metric: str) -> np.ndarray:
    logs = main_output_logs(history)  # a run with auxiliary outputs: its main output's curves
    key = _HISTORY_KEYS[CURVES[metric]]
    if key not in logs:
        raise ValueError(
            f"live run has no {key!r} for metric={metric!r}; its keys are {sorted(logs)}."
        )
    values = np.asarray(logs[key], dtype=float)
    return 1.0 - values if metric.endswith("error") else values


def plot(
    source,
    metric: str = "test accuracy",
    *,
    arms: list[str] | None = None,
    live: Mapping | None = None,
    ax=None,
    title: str | None = None,
    experiment=None,
):
    """Every arm's mean curve over seeds with two bands at each epoch: the 95 % t interval of
    the mean (darker) and the range from the lowest to the highest seed (lighter); the machine,
    profile and seeds in the caption.

    Args:
        source: the experiment's name (its committed results), or its
            :class:`~cnn_keras.experiments.results.Results`.
        metric: one of :data:`~cnn_keras.experiments.metrics.CURVES` (``"test accuracy"``,
            ``"training error"``, ``"test loss"`` ...).
        arms: the arms to draw (default: all).
        live: runs trained in the notebook, ``{arm: history}`` (a ``keras.callbacks.History``,
            its ``.history`` dict or ``training.read_log``'s), drawn dashed over their band.
        ax: a matplotlib axes to draw on (default: a new figure).
        title: the axes' title (default: the experiment's question).
        experiment: the :class:`~cnn_keras.experiments.Experiment` (or its name) the results
            belong to; by default the one they name.

    Returns:
        The matplotlib ``Figure``.

    Raises:
        ValueError: for an unknown metric or arm, or a live run without that curve.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from cnn_keras.plots import caption

    check_choice("metric", metric, CURVES)
    results = as_results(source)
    experiment = get_experiment(experiment or results.experiment)
    arms = list(arms or results.arms)
    for arm in [*arms, *(live or {})]:
        check_choice("arm", arm, results.arms)
    if ax is None:
        figure, ax = plt.subplots(figsize=(6.5, 4))
    else:
        figure = ax.figure
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    seeds = results.seeds
    for index, arm in enumerate(arms):
        color = colors[index % len(colors)]
        runs = [results.run(arm, seed) for seed in seeds]
        runs = [r for r in runs if len(r["epoch"])]
        length = min(len(r["epoch"]) for r in runs)
        values = np.stack([curve(r, metric)[:length] for r in runs])
        epochs = runs[0]["epoch"][:length]
        label = f"{experiment.arm(arm).label} (mean of {len(runs)})"
        ax.plot(epochs, values.mean(axis=0), "-o", color=color, markersize=3, label=label)
        low, high = np.array([t_interval(column) for column in values.T]).T
        if len(runs) > 1:
            ax.fill_between(epochs, low, high, color=color, alpha=0.3, linewidth=0)
        ax.fill_between(epochs, values.min(axis=0), values.max(axis=0), color=color, alpha=0.1)
        if live and arm in live:
            mine = _live_curve(live[arm], metric)
            ax.plot(
                np.arange(1, len(mine) + 1),
                mine,
                "--x",
                color=color,
                label=f"{experiment.arm(arm).label} (your run)",
            )
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(metric)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(title if title is not None else experiment.question, fontsize=9)
    header = results.header
    caption(
        figure,
        f"{experiment.name}: bands the mean's 95 % interval and (lighter) the range of seeds "
        f"{header.get('seeds', seeds)} | profile={header.get('profile', '?')} "
        f"backend={header.get('backend', '?')} {header.get('date', '')[:10]}\n"
        f"{header.get('machine', '?')}",
    )
    figure.tight_layout(rect=(0, 0.07, 1, 1))
    return figure


def _recipe_words(facts) -> str:
    recipe = facts["recipe"]
    return f"learning rate {recipe.learning_rate:g} at batch {recipe.batch_size}"


def live_check(source, arm: str, history, plan=None, *, experiment=None) -> str:
    """Where a run trained live lands against its arm's committed seeds, in one sentence: its
    final test accuracy beside the seeds' range and the 95 % interval of their mean, and how
    far outside the range it is. With ``plan`` (the live run's), a run that is not the
    committed one (another profile, or a shortened budget) says what differs, since it is then
    not expected to land in the band.

    Args:
        source: the experiment's name or its results.
        arm: the arm the live run trained.
        history: the live run's ``History`` (or its dict, or ``training.read_log``'s).
        plan: the live run's :class:`~cnn_keras.plan.RunPlan`, to compare with the arm's.
        experiment: the experiment, by default the one the results name.
    """
    from cnn_keras.experiments.definition import _plan_facts

    results = as_results(source)
    experiment = get_experiment(experiment or results.experiment)
    check_choice("arm", arm, results.arms)
    mine = float(_live_curve(history, "test accuracy")[-1])
    seeds = np.array([results.run(arm, seed)["test_accuracy"][-1] for seed in results.seeds])
    low, high = t_interval(seeds)

    def pct(value):
        return f"{value * 100:.1f} %"

    if seeds.min() <= mine <= seeds.max():
        where = "inside the range of the committed seeds"
    else:
        edge = seeds.min() if mine < seeds.min() else seeds.max()
        side = "below" if mine < edge else "above"
        where = f"{abs(mine - edge) * 100:.1f} points {side} the range of the committed seeds"
    text = (
        f"Your {experiment.arm(arm).label} run ends at {pct(mine)} test accuracy, {where} "
        f"({pct(seeds.min())} to {pct(seeds.max())} over {len(seeds)} seeds; their mean "
        f"{pct(seeds.mean())}, 95 % interval {pct(low)} to {pct(high)})."
    )
    if plan is not None:
        profile = results.header.get("profile", "cpu")
        committed, live = _plan_facts(experiment.plan(arm, profile)), _plan_facts(plan)
        committed["recipe"], live["recipe"] = _recipe_words(committed), _recipe_words(live)
        changed = [k for k in committed if committed[k] != live[k]]
        if plan.profile.name != profile or changed:
            what = "; ".join(f"{k} {live[k]} (committed {committed[k]})" for k in changed)
            text += (
                f" It is not the committed run (profile {plan.profile.name}"
                + (f"; {what}" if what else "")
                + "), so it is not expected to land in the band."
            )
        else:
            text += f" It is the committed plan of seed {plan.seed}."
    return text
