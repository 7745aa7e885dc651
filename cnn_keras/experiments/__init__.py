"""Every lesson tests its idea: controlled experiments over several seeds (issue 19).

An experiment is data (:class:`Experiment`): a question, the claim and its source, two or more
arms that differ in one thing (:class:`Arm`), the budget they share, the comparisons that test
the claim (:class:`Comparison` on a :class:`Metric`), optional per-run measures, and a number of
seeds. One runner trains every arm on every seed through the package's training path and
writes tidy rows; the statistics and the verdict are computed from those rows.

Use::

    from cnn_keras import experiments

    experiments.list_experiments()                   # names, by lesson
    experiments.run("alexnet_relu_tanh")             # trains; writes data/experiments/<name>.csv
    results = experiments.load("alexnet_relu_tanh")  # the committed rows (a notebook)
    print(experiments.summary(results))              # mean ± std per arm, paired differences
    experiments.verdict(results)                     # supported / equivalent within the
                                                     # margin / the opposite / inconclusive /
                                                     # by construction, with the numbers
    experiments.plot(results, "training error", live={"relu": history})
    plan = experiments.get_experiment("alexnet_relu_tanh").plan("relu", seed=0)  # train live

or ``cnn-keras experiment NAME [--seeds N] [--profile P]`` and ``make experiments``.

Adding an experiment: in ``cnn_keras/experiments/lessonNN.py`` (imported by the registry),
``register(Experiment(...))`` with a budget chosen by a pilot run (each run at most about
20 s on a quiet 2-core CPU), run it on ``cpu`` and commit ``data/experiments/<name>.csv``;
``tests/test_experiments.py`` then checks that the file matches the definition.

Modules: ``definition`` (the records and the registry), ``comparison`` (what a claim
expects and its test), ``metrics`` (one number per run), ``claims`` (the central claims' table),
``results`` (the CSV and :class:`Results`), ``runner`` (:func:`run`), ``stats``
(:func:`summary`, :func:`verdict`), ``plotting`` (:func:`plot`), and one ``lessonNN`` module
per lesson with its experiments.
"""

from cnn_keras.experiments.definition import (
    Arm,
    Comparison,
    Experiment,
    get_experiment,
    list_experiments,
    register,
)
from cnn_keras.experiments.metrics import (
    CPU_SECONDS,
    CURVES,
    FINAL_TEST_ACCURACY,
    FINAL_TRAIN_ACCURACY,
    GENERALIZATION_GAP,
    MACS,
    MEAN_TRAIN_ERROR,
    PARAMS,
    TRAIN_SECONDS,
    Metric,
    epochs_to_train_error,
    measured,
)
from cnn_keras.experiments.plotting import live_check, plot
from cnn_keras.experiments.results import DATA_DIR, Results, load, read_results, results_path
from cnn_keras.experiments.runner import run
from cnn_keras.experiments.stats import (
    DECIDED,
    OUTCOMES,
    Summary,
    minimum_detectable_effect,
    summary,
    verdict,
)

__all__ = [
    "CPU_SECONDS",
    "CURVES",
    "DATA_DIR",
    "FINAL_TEST_ACCURACY",
    "FINAL_TRAIN_ACCURACY",
    "DECIDED",
    "GENERALIZATION_GAP",
    "MACS",
    "MEAN_TRAIN_ERROR",
    "OUTCOMES",
    "PARAMS",
    "TRAIN_SECONDS",
    "Arm",
    "Comparison",
    "Experiment",
    "Metric",
    "Results",
    "Summary",
    "epochs_to_train_error",
    "get_experiment",
    "list_experiments",
    "live_check",
    "load",
    "measured",
    "minimum_detectable_effect",
    "plot",
    "read_results",
    "register",
    "results_path",
    "run",
    "summary",
    "verdict",
]
