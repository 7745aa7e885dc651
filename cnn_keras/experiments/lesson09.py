"""Lesson 09, comparing complexity: our own chart. One net of each family that trains on the
``cpu`` profile, all on the same budget (Fashion-MNIST, the profile's quarter widths, each net
at 32x32 or its smallest input), with its test accuracy, its multiply-adds and its measured
inference time per image (``seconds_per_image``, :func:`seconds_per_image`).

A survey over three seeds; its comparisons check three of the published chart's readings.

Three epochs of 1,000 images are 24 steps: too few for a batch-normalized net's moving
statistics (each step moves them a tenth of the way, or a hundredth with EfficientNet's
momentum) to catch up with weights that change fast, so at test time such a net normalizes with
statistics of the net it was some steps before, and may answer at chance while its training
accuracy is far above it. Each run therefore also measures its test accuracy after its batch
norms' statistics are recomputed from training images (:func:`recalibrated_test_accuracy`:
training itself is untouched), and the accuracy comparisons read that measure.
"""

from __future__ import annotations

import time

import numpy as np

from cnn_keras.experiments.definition import Arm, Comparison, Experiment, register
from cnn_keras.experiments.metrics import Metric, measured

# One registered net per family, in the order of the lessons.
SURVEY = (
    "alexnet",
    "zfnet",
    "vgg16",
    "googlenet",
    "resnet18",
    "inception_v3",
    "resnext50_32x4d",
    "densenet121",
    "mobilenet",
    "mobilenet_v2",
    "efficientnet_b0",
)
TIMING_BATCH, TIMING_REPEATS = 64, 5
# Training batches whose statistics replace the moving ones (16 of 128: 2,048 images).
RECALIBRATION_BATCHES = 16


def recalibrated_test_accuracy(model, plan) -> float:
    """The test accuracy of ``model`` after every batch norm's moving mean and variance are
    recomputed as the average over :data:`RECALIBRATION_BATCHES` training batches of
    ``plan`` (its weights untouched, its statistics restored afterwards).

    A net without batch norm returns its plain test accuracy.
    """
    import keras

    norms = _batch_norms(model, keras)
    saved = [
        (layer.momentum, [keras.ops.convert_to_numpy(v) for v in _statistics(layer)])
        for layer in norms
    ]
    splits = plan.load_data()
    try:
        if norms:
            for step, (images, _) in enumerate(splits.train.take(RECALIBRATION_BATCHES)):
                for layer in norms:  # the running average of the batches seen so far
                    layer.momentum = step / (step + 1)
                model(images, training=True)
        correct = total = 0
        for images, labels in splits.test:
            predictions = np.asarray(model.predict_on_batch(images))
            correct += int((predictions.argmax(axis=-1) == np.asarray(labels).reshape(-1)).sum())
            total += len(predictions)
    finally:
        for layer, (momentum, values) in zip(norms, saved, strict=True):
            layer.momentum = momentum
            for variable, value in zip(_statistics(layer), values, strict=True):
                variable.assign(value)
    return correct / total


def _batch_norms(model, keras) -> list:
    """Every batch norm of ``model``, those of nested models included."""
    found = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            found.append(layer)
        elif hasattr(layer, "layers"):
            found += _batch_norms(layer, keras)
    return found


def _statistics(layer):
    return (layer.moving_mean, layer.moving_variance)


def seconds_per_image(model, plan) -> float:
    """The trained model's inference time per image: the fastest of
    :data:`TIMING_REPEATS` predictions of one batch of :data:`TIMING_BATCH` images (after one
    to warm up), divided by the batch. The fastest, because other work on the machine only
    ever adds time."""
    images = np.zeros((TIMING_BATCH, *plan.input_shape), dtype="float32")
    model.predict_on_batch(images)
    best = np.inf
    for _ in range(TIMING_REPEATS):
        start = time.perf_counter()
        model.predict_on_batch(images)
        best = min(best, time.perf_counter() - start)
    return best / TIMING_BATCH


SECONDS_PER_IMAGE = measured("seconds_per_image", unit="s", higher_is_better=False)
RECALIBRATED_TEST_ACCURACY = Metric(
    "test accuracy, batch-norm statistics recomputed",
    measured("recalibrated_test_accuracy").compute,
    "%",
)

register(
    Experiment(
        name="complexity_survey",
        lesson="09",
        question="On one small budget, how do the families' accuracies, operations and "
        "inference times compare, and does the published chart's ordering hold?",
        claim="Later nets reach a higher accuracy for fewer operations than AlexNet and VGG "
        "(ResNet-18 beats VGG-16 with a fraction of its operations), and the operation count "
        "is a fair first estimate of inference time (MobileNet runs faster than VGG-16).",
        source="Canziani, Paszke and Culurciello, An Analysis of Deep Neural Network Models "
        "for Practical Applications (arXiv 2016), Figures 1, 2 and 8",
        arms=tuple(Arm(name, name) for name in SURVEY),
        budget={
            "width_multiplier": 0.25,
            "train_samples": 1000,
            "test_samples": 2000,
            "epochs": 3,
        },
        comparisons=(
            Comparison(
                RECALIBRATED_TEST_ACCURACY, "resnet18", "vgg16", expect="higher", central=True
            ),
            Comparison(RECALIBRATED_TEST_ACCURACY, "googlenet", "alexnet", expect="higher"),
            Comparison(SECONDS_PER_IMAGE, "mobilenet", "vgg16", expect="lower", central=True),
        ),
        measures={
            "recalibrated_test_accuracy": recalibrated_test_accuracy,
            "seconds_per_image": seconds_per_image,
        },
        seeds=3,
        notes="Every net has the same images, epochs and batch, and its own paper's recipe; "
        "the input is 32x32 or the net's smallest (AlexNet 67, ZFNet 53, Inception v3 75), "
        "so their operations are not at one input size. Three epochs of 1,000 images favour "
        "the nets that learn fastest, not the best at ImageNet's scale. The accuracy compared "
        "is measured after the batch norms' statistics are recomputed from 2,048 training "
        "images (the module's docstring says why); the test accuracy column keeps the one "
        "training left. The time per image is the fastest of five predictions of a batch of "
        "64 on this CPU, measured right after the run's training in the same process.",
    )
)
