"""Lesson 06, Inception v3: label smoothing (accuracy and calibration), and a 7x7 convolution
against its factorization into a 1x7 and a 7x1.

Both on the small net of :mod:`cnn_keras.experiments.nets_b` (28x28 Fashion-MNIST, SGD with
momentum, the learning rate divided by 10 at 50 % and 75 % of the run).

Calibration is measured on the trained model's test predictions (:func:`calibration`): the
expected calibration error (``ece``: the gap between confidence and accuracy, averaged over
ten equal-width confidence bins weighted by their images), the test loss without smoothing
(``nll``), and a reliability diagram's data: for each bin ``k`` (confidences in
``[k/10, (k+1)/10)``, ``k`` 1 to 9, the last bin closed), the mean confidence
``bin<k>_confidence``, the accuracy ``bin<k>_accuracy`` and the images ``bin<k>_count``
(nan for an empty bin). A confidence below 0.1 cannot happen with ten classes.
"""

from __future__ import annotations

import numpy as np

from cnn_keras.experiments.definition import Arm, Comparison, Experiment, register
from cnn_keras.experiments.metrics import (
    CPU_SECONDS,
    FINAL_TEST_ACCURACY,
    FINAL_TRAIN_ACCURACY,
    PARAMS,
    Metric,
    measured,
)
from cnn_keras.experiments.nets_b import FACTORIZED, SEVEN_BY_SEVEN

RETHINKING = "Szegedy et al., Rethinking the Inception Architecture (CVPR 2016)"
BINS = 10  # equal-width confidence bins on [0, 1]
_LAST: dict = {}  # the last model's test predictions: every measure of a run reads them


def test_predictions(model, plan) -> tuple[np.ndarray, np.ndarray]:
    """``(probabilities, labels)`` of ``model`` on ``plan``'s test images (computed once per
    model: the measures of one run share them)."""
    if _LAST.get("model") is not model or _LAST.get("plan") is not plan:
        probabilities, labels = [], []
        for images, batch_labels in plan.load_data().test:
            probabilities.append(np.asarray(model.predict_on_batch(images), dtype=float))
            labels.append(np.asarray(batch_labels).reshape(-1))
        _LAST.clear()
        _LAST.update(
            model=model,
            plan=plan,
            probabilities=np.concatenate(probabilities),
            labels=np.concatenate(labels).astype(int),
        )
    return _LAST["probabilities"], _LAST["labels"]


def calibration(probabilities: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """The expected calibration error, the negative log-likelihood and the reliability
    diagram's bins (see the module's docstring) of softmax outputs against integer labels.

    Raises:
        ValueError: if ``probabilities`` is not ``(n, classes)`` with ``n`` labels.
    """
    probabilities, labels = np.asarray(probabilities, float), np.asarray(labels).reshape(-1)
    if probabilities.ndim != 2 or len(probabilities) != len(labels):
        raise ValueError(
            f"probabilities must be (images, classes) with one label per image; received "
            f"shape {probabilities.shape} and {len(labels)} labels."
        )
    confidence = probabilities.max(axis=1)
    correct = (probabilities.argmax(axis=1) == labels).astype(float)
    which = np.minimum((confidence * BINS).astype(int), BINS - 1)
    values = {"ece": 0.0}
    for k in range(1, BINS):
        inside = which == k
        count = int(inside.sum())
        values[f"bin{k}_count"] = float(count)
        values[f"bin{k}_confidence"] = float(confidence[inside].mean()) if count else np.nan
        values[f"bin{k}_accuracy"] = float(correct[inside].mean()) if count else np.nan
        if count:
            gap = abs(values[f"bin{k}_accuracy"] - values[f"bin{k}_confidence"])
            values["ece"] += count / len(labels) * gap
    values["overconfidence"] = float(confidence.mean() - correct.mean())
    picked = probabilities[np.arange(len(labels)), labels]
    values["nll"] = float(-np.mean(np.log(np.clip(picked, 1e-12, None))))
    return values


def _measure(column: str):
    def measure(model, plan) -> float:
        return calibration(*test_predictions(model, plan))[column]

    measure.__name__ = column
    return measure


CALIBRATION_COLUMNS = (
    "ece",
    "overconfidence",
    "nll",
    *(f"bin{k}_{what}" for k in range(1, BINS) for what in ("confidence", "accuracy", "count")),
)
ECE = Metric("expected calibration error", measured("ece").compute, "%", higher_is_better=False)
NLL = measured("nll", higher_is_better=False)
OVERCONFIDENCE = Metric(
    "overconfidence (mean confidence - accuracy)",
    measured("overconfidence").compute,
    "%",
    higher_is_better=False,
)

register(
    Experiment(
        name="inception_label_smoothing",
        lesson="06",
        question="Does label smoothing raise the test accuracy, and does it make the net's "
        "confidence match its accuracy?",
        claim="Label smoothing of 0.1 lowered the top-1 and top-5 error by about 0.2 points "
        "(Szegedy et al.); it also calibrates the net, lowering the expected calibration "
        "error much as temperature scaling does (Muller et al.).",
        source=f"{RETHINKING}, section 7; Muller, Kornblith and Hinton, When Does Label "
        "Smoothing Help? (NeurIPS 2019), section 3, Figure 2 and Table 3",
        arms=(
            Arm("hard", FACTORIZED, {"label_smoothing": 0.0}, label="one-hot targets"),
            Arm("smoothed", FACTORIZED, {"label_smoothing": 0.1}, label="label smoothing 0.1"),
        ),
        budget={
            "image_size": 28,
            "width_multiplier": 0.5,
            "train_samples": 1000,
            "test_samples": 2000,
            "batch_size": 32,
            "epochs": 30,
        },
        comparisons=(
            Comparison(ECE, "smoothed", "hard", expect="lower", central=True),
            Comparison(OVERCONFIDENCE, "smoothed", "hard", expect="lower"),
            Comparison(FINAL_TRAIN_ACCURACY, "smoothed", "hard", expect="lower"),
            Comparison(FINAL_TEST_ACCURACY, "smoothed", "hard", paper_effect=0.002),
        ),
        measures={column: _measure(column) for column in CALIBRATION_COLUMNS},
        seeds=5,
        notes="Calibration is where smoothing acts on a net that has fitted its training set "
        "and grown over-confident, as the papers' were (Muller et al.'s trained to a "
        "near-zero training error). So 1,000 training images for 30 epochs in batches of 32 "
        "(940 steps): the one-hot arm fits them, and its overconfidence (mean confidence minus "
        "accuracy on the test images) shows where its calibration error comes from. An "
        "earlier budget (600 images, 15 epochs of batch 128: 75 steps) left the one-hot net "
        "at 78 % training accuracy, calibrated already, and smoothing made it under-confident. "
        "The accuracy effect in the paper is 0.2 points, below what five seeds detect here. "
        "The test loss column is the loss as trained (smoothed in one arm); nll is the "
        "unsmoothed one.",
    )
)

register(
    Experiment(
        name="inception_factorized_7x7",
        lesson="06",
        question="Does a 1x7 then a 7x1 convolution do the work of a 7x7 for fewer "
        "parameters and less time?",
        claim="An n x n convolution can be replaced by a 1 x n followed by an n x 1, "
        "cheaper by a factor of about n / 2; on medium grids (12 to 20) this works very well.",
        source=f"{RETHINKING}, section 3.2 and Figure 6",
        arms=(
            Arm("full_7x7", SEVEN_BY_SEVEN, label="7x7"),
            Arm("factorized", FACTORIZED, label="1x7 + 7x1"),
        ),
        budget={
            "image_size": 28,
            "width_multiplier": 0.5,
            "train_samples": 4000,
            "test_samples": 2000,
            "epochs": 5,
        },
        comparisons=(
            Comparison(
                FINAL_TEST_ACCURACY,
                "factorized",
                "full_7x7",
                test="non-inferiority",
                margin=0.01,
                margin_reason="The paper claims the factorization 'works very well' on medium "
                "grids and loses no expressiveness; Inception v3's gains it credits to such "
                "changes are about 1 point of top-1, so losing no more than 1 point is doing "
                "the 7x7's work.",
                central=True,
            ),
            Comparison(PARAMS, "factorized", "full_7x7", expect="lower"),
            Comparison(CPU_SECONDS, "factorized", "full_7x7", expect="lower"),
        ),
        seeds=8,
        notes="The two 7x7 layers work on the 14x14 grid, the paper's medium grid. The "
        "factorized pair has a batch norm and a ReLU after each half, as in Inception v3, so "
        "it is also one nonlinearity deeper. Time is CPU seconds of the whole run (tracing "
        "and data too), which hides part of the convolutions' saving on so small a net.",
    )
)
