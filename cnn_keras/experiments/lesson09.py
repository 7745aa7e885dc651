"""Lesson 09, comparing complexity: our own chart. One net of each family that trains on the
``cpu`` profile, all on the same budget (Fashion-MNIST, the profile's quarter widths, each net
at 32x32 or its smallest input), with its test accuracy, its multiply-adds and its measured
inference time per image (``seconds_per_image``, :func:`seconds_per_image`).

A survey, not a test of one claim: two seeds per net, enough to show the spread; the
comparisons check three of the published chart's readings.
"""

from __future__ import annotations

import time

import numpy as np

from cnn_keras.experiments.definition import Arm, Comparison, Experiment, register
from cnn_keras.experiments.metrics import FINAL_TEST_ACCURACY, measured

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
            "test_samples": 500,
            "epochs": 3,
        },
        comparisons=(
            Comparison(FINAL_TEST_ACCURACY, "resnet18", "vgg16", expect="higher"),
            Comparison(FINAL_TEST_ACCURACY, "googlenet", "alexnet", expect="higher"),
            Comparison(SECONDS_PER_IMAGE, "mobilenet", "vgg16", expect="lower"),
        ),
        measures={"seconds_per_image": seconds_per_image},
        seeds=2,
        notes="Two seeds: a survey, not a claim. Every net has the same images, epochs and "
        "batch, and its own paper's recipe; the input is 32x32 or the net's smallest (AlexNet "
        "67, ZFNet 53, Inception v3 75), so their operations are not at one input size. "
        "Three epochs of 1,000 images favour the nets that learn fastest, not the best at "
        "ImageNet's scale; the time per image is on this CPU at batch 64.",
    )
)
