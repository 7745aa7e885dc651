"""The lessons' experiments: the runner's rows and header, the paired statistics and the
verdict on hand-made numbers, the CLI on smoke, the full profile on mock data, and every
committed result against its experiment's definition."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from cnn_keras import experiments
from cnn_keras.cli import main
from cnn_keras.experiments import (
    FINAL_TEST_ACCURACY,
    Arm,
    Comparison,
    Experiment,
    Results,
    epochs_to_train_error,
)
from cnn_keras.experiments.definition import BASE_COLUMNS
from cnn_keras.registry import get_spec

# An 8-layer CIFAR ResNet and its plain twin (6n + 2 with n = 1), on 8x8 images: the cheapest
# pair that still differs in one thing.
RESNET8 = dataclasses.replace(
    get_spec("resnet20_cifar"), name="resnet8_cifar", preset={"depth": 8, "shortcuts": True}
)
PLAIN8 = dataclasses.replace(RESNET8, name="plain8_cifar", preset={"depth": 8, "shortcuts": False})
TINY = Experiment(
    name="tiny_shortcuts",
    lesson="05",
    question="Do shortcuts help an 8-layer net?",
    claim="They do.",
    source="a test",
    arms=(Arm("plain", PLAIN8), Arm("residual", RESNET8)),
    budget={
        "image_size": 8,
        "width_multiplier": 0.25,
        "batch_size": 32,
        "epochs": 2,
        "train_samples": 64,
        "test_samples": 64,
    },
    comparisons=(Comparison(FINAL_TEST_ACCURACY, "residual", "plain"),),
    measures={"layers": lambda model, plan: float(len(model.layers))},
    seeds=2,
    full_budget={"dataset": "cifar10", "epochs": 1, "width_multiplier": 0.25},
)


def _frame(values: dict[str, list[float]], epochs: int = 1) -> Results:
    """Results whose test accuracy is ``values[arm][seed]`` at every epoch."""
    rows = [
        {"experiment": "hand", "arm": arm, "seed": seed, "epoch": epoch + 1}
        | {"test_accuracy": value, "train_accuracy": 1 - (1 - value) / (epoch + 1)}
        for arm, per_seed in values.items()
        for seed, value in enumerate(per_seed)
        for epoch in range(epochs)
    ]
    return Results.from_rows(rows)


def _hand(expect: str = "higher") -> Experiment:
    return dataclasses.replace(
        TINY,
        name="hand",
        arms=(Arm("a", PLAIN8), Arm("b", RESNET8)),
        comparisons=(Comparison(FINAL_TEST_ACCURACY, "b", "a", expect=expect),),
        measures={},
    )


def test_runner_writes_rows_columns_and_header_then_reuses_finished_runs(tmp_path):
    lines = []
    output = tmp_path / "tiny.csv"
    results = experiments.run(
        TINY, seeds=1, profile="smoke", output=output, runs_dir=str(tmp_path), report=lines.append
    )
    assert list(results.columns) == [*BASE_COLUMNS, "layers"]
    # smoke caps the budget's 2 epochs at 1: one row per arm and seed
    assert len(results) == 2 and results.arms == ["plain", "residual"] and results.seeds == [0]
    assert results.columns["epoch"].tolist() == [1, 1]
    accuracy = results.columns["test_accuracy"]
    assert np.all((accuracy >= 0) & (accuracy <= 1))
    params = dict(zip(results.columns["arm"], results.columns["params"], strict=True))
    assert params["plain"] == params["residual"] > 0  # option A shortcuts add no weights
    assert np.all(results.columns["macs"] > 0) and np.all(results.columns["train_seconds"] > 0)
    assert results.columns["layers"][0] < results.columns["layers"][1]  # the Add layers
    header = results.header
    assert header["fingerprint"] == TINY.fingerprint("smoke") != TINY.fingerprint("cpu")
    assert header["profile"] == "smoke" and header["seeds"] == "0"
    for key in ("machine", "backend", "versions", "date", "dataset", "budget"):
        assert header[key]
    again = experiments.read_results(output)
    assert again.header == header and list(again.columns) == list(results.columns)
    for column, values in results.columns.items():
        if values.dtype == object:
            assert again.columns[column].tolist() == values.tolist()
        else:
            np.testing.assert_allclose(again.columns[column], values, rtol=1e-5)
    assert len(lines) == 3 and lines[0].startswith("tiny_shortcuts plain seed 0: 1 epochs in ")
    assert lines[-1] == f"wrote {output}"
    output.unlink()  # the run folders alone: each run read back from its folder
    reread = []
    experiments.run(
        TINY, seeds=1, profile="smoke", output=output, runs_dir=str(tmp_path), report=reread.append
    )
    assert all(line.endswith("(reused)") for line in reread[:-1]) and len(reread) == 3


def test_paired_difference_and_its_t_interval_on_known_numbers():
    # b - a = 0.10, 0.12, 0.11: mean 0.11, std 0.01, t(0.975, 2) = 4.303
    frame = _frame({"a": [0.50, 0.60, 0.70], "b": [0.60, 0.72, 0.81]})
    summary = experiments.summary(frame, _hand())
    (difference,) = summary.differences
    half = 4.30265 * 0.01 / math.sqrt(3)
    assert difference.seeds == (0, 1, 2) and difference.n == 3
    assert difference.mean == pytest.approx(0.11) and difference.std == pytest.approx(0.01)
    assert difference.interval == pytest.approx((0.11 - half, 0.11 + half))
    assert summary.arm("a").mean == pytest.approx(0.6) and summary.arm("a").std == pytest.approx(
        0.1
    )
    assert "+11.0 %" in str(summary) and "Supported" in str(summary)


def test_superiority_verdicts_supported_inconclusive_and_the_opposite():
    better = _frame({"a": [0.50, 0.60, 0.70], "b": [0.60, 0.72, 0.81]})
    mixed = _frame({"a": [0.50, 0.60, 0.70], "b": [0.55, 0.58, 0.71]})
    assert experiments.verdict(better, _hand()).startswith("Supported: b - a in final test")
    assert experiments.verdict(mixed, _hand()).startswith("Inconclusive: b - a")
    assert "This budget could detect" in experiments.verdict(mixed, _hand())
    assert experiments.verdict(better, _hand("lower")).startswith("The opposite")
    outcome = experiments.summary(better, _hand("lower")).differences[0].outcome
    assert outcome == "the opposite"
    one_seed = experiments.summary(_frame({"a": [0.5], "b": [0.9]}), _hand())
    assert one_seed.differences[0].outcome == "inconclusive"
    assert math.isinf(one_seed.differences[0].mde)


def test_plot_draws_a_band_per_arm_and_a_live_run_over_it():
    frame = _frame({"a": [0.50, 0.60, 0.70], "b": [0.60, 0.72, 0.81]}, epochs=3)
    live = {"b": {"accuracy": [0.5, 0.6, 0.7], "val_accuracy": [0.55, 0.65, 0.75]}}
    plt = pytest.importorskip("matplotlib.pyplot")
    figure = experiments.plot(frame, "training error", live=live, experiment=_hand())
    ax = figure.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == [
        "a (mean of 3)",
        "b (mean of 3)",
        "b (your run)",
    ]
    np.testing.assert_allclose(ax.get_lines()[2].get_ydata(), [0.5, 0.4, 0.3])
    # per arm the mean's 95 % interval and, lighter, the range of the seeds
    assert len(ax.collections) == 4 and "95 % interval" in figure.texts[0].get_text()
    # arm a's training error at epoch 1 is 0.5, 0.4, 0.3: its interval 0.4 ± t(0.975, 2) 0.1/√3
    interval_top = ax.collections[0].get_paths()[0].vertices[:, 1].max()
    range_top = ax.collections[1].get_paths()[0].vertices[:, 1].max()
    assert interval_top == pytest.approx(0.4 + 4.303 * 0.1 / math.sqrt(3), abs=1e-3)
    assert range_top == pytest.approx(0.5)
    plt.close(figure)
    with pytest.raises(ValueError, match="metric"):
        experiments.plot(frame, "top-5", experiment=_hand())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"arms": (Arm("a", PLAIN8), Arm("a", RESNET8))}, "distinct names"),
        ({"arms": (Arm("a", PLAIN8), Arm("b", PLAIN8))}, "are the same run"),
        ({"budget": {"epoch": 3}}, "not a plan_run keyword"),
        ({"budget": {"seed": 3}}, "not a plan_run keyword"),
        ({"lesson": "1"}, "two digits"),
        ({"measures": {"params": len}}, "would hide a results column"),
    ],
)
def test_a_bad_definition_is_refused_with_what_works(change, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(_hand(), **change)


def test_epochs_to_train_error_interpolates_and_counts_a_miss_as_one_more_epoch():
    metric = epochs_to_train_error(0.25)
    curves = {"epoch": np.array([1, 2, 3]), "train_accuracy": np.array([0.6, 0.7, 0.8])}
    assert metric.compute(curves) == pytest.approx(2.5)  # 30 % -> 20 % error between 2 and 3
    assert metric.compute({**curves, "train_accuracy": np.array([0.6, 0.65, 0.7])}) == 4


def test_cli_runs_an_experiment_on_smoke_and_lists_them(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["experiment", "--list"]) == 0
    listed = capsys.readouterr().out
    assert "alexnet_lrn" in listed and "lesson 01" in listed
    name = "alexnet_lrn"
    output = tmp_path / "lrn.csv"
    assert (
        main(["experiment", name, "--profile", "smoke", "--seeds", "1", "--output", str(output)])
        == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{name} lrn seed 0: 1 epochs in ")
    assert out[1].startswith(f"{name} no_lrn seed 0: ")
    assert any(line.startswith("Inconclusive: lrn - no_lrn") for line in out)  # one seed
    assert experiments.read_results(output).header["profile"] == "smoke"
    assert main(["experiment", "no_such_experiment"]) == 2


def test_full_profile_plans_the_papers_sizes_and_starts_on_mock_data(tmp_path):
    tfds = pytest.importorskip("tensorflow_datasets")
    plan = TINY.plan("residual", "full")
    assert plan.dataset == "cifar10" and plan.input_shape == (32, 32, 3) and plan.epochs == 1
    for name in experiments.list_experiments():  # every experiment plans on full
        experiment = experiments.get_experiment(name)
        for arm in experiment.arms:
            assert experiment.plan(arm.name, "full").profile.name == "full"
    with tfds.testing.mock_data(num_examples=8):  # one step of 8 images per arm
        results = experiments.run(
            TINY, seeds=1, profile="full", runs_dir=str(tmp_path), output=tmp_path / "f.csv"
        )
    assert len(results) == 2 and results.header["profile"] == "full"


COMMITTED = sorted(experiments.DATA_DIR.glob("*.csv"))
# Surveys rather than claims, which may have fewer than three seeds (lesson 09's chart, whose
# repair, three seeds and recalibrated batch norms, is issue 29's next step).
SURVEYS = {"complexity_survey"}
# The experiments whose central claim needs eight seeds or more: the degradation and
# squeeze-and-excitation, whose effects are the smallest beside their spread.
EIGHT_SEEDS = {"resnet_plain_residual", "senet_se_resnet20"}


@pytest.mark.parametrize("path", COMMITTED, ids=[p.stem for p in COMMITTED])
def test_committed_results_match_their_experiment(path):
    results = experiments.read_results(path)
    experiment = experiments.get_experiment(path.stem)
    assert results.experiment == experiment.name and results.header["profile"] == "cpu"
    assert results.header["fingerprint"] == experiment.fingerprint("cpu"), (
        f"{path.name} is stale: its experiment changed since it was run. Run "
        f"`make experiments EXPERIMENTS={experiment.name}` and commit the file."
    )
    assert results.arms == [arm.name for arm in experiment.arms]
    assert results.seeds == list(range(experiment.seeds))
    assert len(results.seeds) >= 3 or experiment.name in SURVEYS
    if any(c.central for c in experiment.comparisons):
        assert len(results.seeds) >= (8 if experiment.name in EIGHT_SEEDS else 5)
    epochs = experiment.plan(experiment.arms[0].name, "cpu").epochs
    for arm in experiment.arms:
        for seed in results.seeds:
            assert results.run(arm.name, seed)["epoch"].tolist() == list(range(1, epochs + 1))
    assert set(experiment.measures) <= set(results.columns)


# Defined, not yet run on cpu and committed: the 2-core machine of the session that wrote them
# ran out of time (each is a few minutes a run there). `make experiments EXPERIMENTS=<name>`
# makes the file; then remove the name here (the test fails until you do).
PENDING: set[str] = set()


def test_every_experiment_has_committed_results_or_is_listed_as_pending():
    committed = {path.stem for path in COMMITTED}
    missing = set(experiments.list_experiments()) - committed
    assert missing == PENDING - committed, f"missing: {sorted(missing)}"
    assert not PENDING & committed, f"committed now, drop from PENDING: {PENDING & committed}"


@pytest.mark.slow
def test_a_central_result_reproduces_within_its_seed_spread(tmp_path):
    # Seed 0 of one arm of a central experiment (LRN's "no gain", the cheapest: 1,500 images
    # for 5 epochs) retrained on cpu through the runner's path (the arm's plan, then
    # training.run) ends within the committed seeds' spread: four standard deviations over
    # seeds, at least 3 points (oneDNN's summation order varies between machines).
    from cnn_keras import training

    name, arm = "alexnet_lrn", "no_lrn"
    assert any(c.central for c in experiments.get_experiment(name).comparisons)
    committed = experiments.summary(name).arm(arm)
    plan = experiments.get_experiment(name).plan(arm, "cpu", seed=0)
    result = training.run(plan, tmp_path / "run", verbose=0)
    tolerance = max(4 * committed.std, 0.03)
    assert abs(result["test_top1"] - committed.mean) <= tolerance, (result, committed.values)


def _compare(test: str, expect: str = "higher", margin: float | None = 0.01, **more) -> Experiment:
    reason = "a test's margin" if margin is not None else ""
    comparison = Comparison(
        FINAL_TEST_ACCURACY,
        "b",
        "a",
        expect=expect,
        test=test,
        margin=margin,
        margin_reason=reason,
        **more,
    )
    return dataclasses.replace(_hand(), comparisons=(comparison,))


def _differences(values: list[float]) -> Results:
    """Results whose paired differences b - a are ``values``."""
    return _frame({"a": [0.7] * len(values), "b": [0.7 + v for v in values]})


def test_the_intervals_are_scipys_t_intervals():
    from scipy import stats

    values = [0.012, -0.004, 0.02, 0.007, 0.0, 0.015]
    for test, confidence in (("superiority", 0.95), ("non-inferiority", 0.90)):
        margin = None if test == "superiority" else 0.01
        summary = experiments.summary(_differences(values), _compare(test, margin=margin))
        (difference,) = summary.differences
        expected = stats.ttest_1samp(values, 0).confidence_interval(confidence)
        assert difference.interval == pytest.approx((expected.low, expected.high), abs=1e-9)


def test_minimum_detectable_effect_against_known_values_and_a_simulation():
    mde = experiments.minimum_detectable_effect
    # G*Power's paired t test, two-sided 5 %, 80 % power: dz = 1.15 with 8 pairs
    assert mde(1.0, 8) == pytest.approx(1.15, abs=0.01)
    # many pairs: the normal approximation (1.96 + 0.84) / sqrt(n)
    assert mde(1.0, 200) == pytest.approx((1.95996 + 0.84162) / math.sqrt(200), rel=0.01)
    assert mde(2.0, 8) == pytest.approx(2 * mde(1.0, 8))  # in the differences' units
    assert math.isinf(mde(1.0, 1)) and mde(0.0, 5) == 0.0
    # Simulated: at the detectable effect, the test finds it in about 80 % of experiments.
    rng = np.random.default_rng(0)
    n, trials = 5, 20000
    samples = rng.normal(mde(1.0, n), 1.0, size=(trials, n))
    t = samples.mean(axis=1) / (samples.std(axis=1, ddof=1) / math.sqrt(n))
    assert np.mean(np.abs(t) > 2.776) == pytest.approx(0.8, abs=0.015)  # t(0.975, 4)
    # non-inferiority: with no true difference, a margin this wide is established 80 % of the time
    margin = mde(1.0, n, "non-inferiority")
    samples = rng.normal(0.0, 1.0, size=(trials, n))
    low = samples.mean(axis=1) - 2.132 * samples.std(axis=1, ddof=1) / math.sqrt(n)  # t(0.95, 4)
    assert np.mean(low > -margin) == pytest.approx(0.8, abs=0.015)
    assert mde(1.0, n, "equivalence") > margin  # two ends to clear, not one


@pytest.mark.parametrize(
    ("test", "expect", "values", "outcome"),
    [
        ("non-inferiority", "higher", [0.002, -0.003, 0.001, 0.0, -0.001], "supported"),
        ("non-inferiority", "higher", [-0.03, -0.025, -0.035, -0.028, -0.032], "the opposite"),
        ("non-inferiority", "higher", [0.01, -0.03, 0.02, -0.04, 0.0], "inconclusive"),
        ("non-inferiority", "lower", [0.002, -0.003, 0.001, 0.0, -0.001], "supported"),
        ("non-inferiority", "lower", [0.03, 0.025, 0.035, 0.028, 0.032], "the opposite"),
        ("equivalence", "higher", [0.002, -0.003, 0.001, 0.0, -0.001], "equivalent within"),
        ("equivalence", "higher", [0.03, 0.025, 0.035, 0.028, 0.032], "the opposite"),
        ("equivalence", "higher", [-0.03, -0.025, -0.035, -0.028, -0.032], "the opposite"),
        ("equivalence", "higher", [0.01, -0.03, 0.02, -0.04, 0.0], "inconclusive"),
        ("superiority", "higher", [0.03, 0.025, 0.035, 0.028, 0.032], "supported"),
    ],
)
def test_each_test_gives_each_of_its_verdicts(test, expect, values, outcome):
    outcome = outcome.replace("within", "within the margin")
    margin = None if test == "superiority" else 0.01
    (difference,) = experiments.summary(
        _differences(values), _compare(test, expect, margin=margin)
    ).differences
    assert difference.outcome == outcome
    assert difference.sentence().lower().startswith(outcome)


def test_a_count_holds_by_construction_and_is_never_support():
    from cnn_keras.experiments import MACS

    frame = _frame({"a": [0.5, 0.6, 0.7], "b": [0.5, 0.6, 0.7]})
    frame.columns["macs"] = np.where(frame.columns["arm"] == "a", 1000, 400)
    experiment = dataclasses.replace(
        _hand(), comparisons=(Comparison(MACS, "b", "a", expect="lower"),)
    )
    (difference,) = experiments.summary(frame, experiment).differences
    assert difference.outcome == "by construction" and difference.mean == -600
    assert math.isnan(difference.mde)
    assert difference.sentence().startswith("By construction: b - a in multiply-accumulates")
    assert "by construction" not in experiments.DECIDED


def test_an_inconclusive_result_says_what_the_budget_could_detect_beside_the_paper():
    noisy = _differences([0.001, -0.002, 0.002, -0.001, 0.0])  # spread 0.16 points
    (small,) = experiments.summary(
        noisy, _compare("superiority", margin=None, paper_effect=0.02)
    ).differences
    assert small.outcome == "inconclusive" and small.mde < 0.02
    assert "real negative at this scale" in small.sentence()
    wide = _differences([0.04, -0.05, 0.03, -0.02, 0.0])
    (large,) = experiments.summary(
        wide, _compare("superiority", margin=None, paper_effect=0.002)
    ).differences
    assert large.outcome == "inconclusive" and large.mde > 0.002
    assert "too small a budget to see it" in large.sentence()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"test": "superiority", "margin": 0.01}, "non-inferiority or equivalence"),
        ({"test": "equivalence"}, "margin"),
        ({"test": "non-inferiority", "margin": -0.01, "margin_reason": "x"}, "margin"),
        ({"test": "non-inferiority", "margin": 0.01}, "margin_reason"),
        ({"test": "better"}, "test"),
    ],
)
def test_a_bad_comparison_is_refused_with_what_works(change, message):
    with pytest.raises(ValueError, match=message):
        Comparison(FINAL_TEST_ACCURACY, "b", "a", **change)


def test_mean_training_error_is_the_area_under_the_curve_and_has_no_censoring():
    curves = {"epoch": np.array([1, 2, 3]), "train_accuracy": np.array([0.6, 0.7, 0.8])}
    assert experiments.MEAN_TRAIN_ERROR.compute(curves) == pytest.approx(0.3)
    slow = {**curves, "train_accuracy": np.array([0.3, 0.35, 0.4])}
    assert experiments.MEAN_TRAIN_ERROR.compute(slow) == pytest.approx(0.65)


def test_the_runner_keeps_the_runs_of_its_file_and_trains_only_new_seeds(tmp_path):
    output = tmp_path / "tiny.csv"
    experiments.run(TINY, seeds=1, profile="smoke", output=output, runs_dir=str(tmp_path / "a"))
    first = experiments.read_results(output)
    lines = []
    more = experiments.run(
        TINY,
        seeds=2,
        profile="smoke",
        output=output,
        runs_dir=str(tmp_path / "b"),  # no run folders: seed 0 can only come from the file
        report=lines.append,
    )
    assert [line.endswith(f"kept from {output}") for line in lines[:4]] == [1, 1, 0, 0]
    assert more.seeds == [0, 1]
    kept = more.run("plain", 0)
    np.testing.assert_allclose(kept["test_accuracy"], first.run("plain", 0)["test_accuracy"])
    assert more.header["machine"] == first.header["machine"]  # one machine, named once
    assert float(more.header["wall_seconds"]) >= float(first.header["wall_seconds"])


def test_the_table_of_central_claims_in_data_readme_is_current():
    from cnn_keras.experiments import claims

    text = claims.README.read_text(encoding="utf-8")
    block = text.split(claims.BEGIN)[1].split(claims.END)[0].strip()
    assert block == claims.claims_table(), (
        "data/README.md's table of central claims is out of date: run "
        "`python -m cnn_keras.experiments.claims` and commit the file."
    )


def test_live_check_places_a_live_run_against_its_arms_seeds():
    frame = _frame({"a": [0.50, 0.60, 0.70], "b": [0.60, 0.72, 0.81]}, epochs=2)
    inside = experiments.live_check(frame, "b", {"val_accuracy": [0.5, 0.7]}, experiment=_hand())
    assert "70.0 % test accuracy, inside the range" in inside and "60.0 % to 81.0 %" in inside
    below = experiments.live_check(frame, "b", {"val_accuracy": [0.5]}, experiment=_hand())
    assert "10.0 points below the range" in below
    committed = _hand().plan("b", "cpu")
    same = experiments.live_check(
        frame, "b", {"val_accuracy": [0.7]}, committed, experiment=_hand()
    )
    assert same.endswith("It is the committed plan of seed 0.")
    preview = experiments.live_check(
        frame, "b", {"val_accuracy": [0.7]}, _hand().plan("b", "smoke"), experiment=_hand()
    )
    assert "not expected to land in the band" in preview and "epochs 1 (committed 2)" in preview
    with pytest.raises(ValueError, match="arm"):
        experiments.live_check(frame, "c", {"val_accuracy": [0.7]}, experiment=_hand())
