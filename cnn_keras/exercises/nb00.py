"""Exercises of notebook 00 (setup and the ImageNet challenge)."""

from __future__ import annotations

import keras
import numpy as np

from cnn_keras import analysis, tables
from cnn_keras.exercises import exercise


def scores_and_labels() -> tuple[np.ndarray, np.ndarray]:
    """Exercise 00.3's data: scores of 20 images over 10 classes, and their true labels."""
    rng = np.random.default_rng(2012)
    scores = rng.dirichlet(np.ones(10), size=20).astype("float32")
    labels = rng.integers(0, 10, size=20)
    return scores, labels


@exercise("00.1", "output side of AlexNet's first max pool")
def first_pool_side() -> int:
    return analysis.conv_output_size(55, 3, stride=2, padding=0)


@exercise("00.2", "parameters of VGG's conv1_2")
def vgg_conv1_2_params() -> int:
    layer = keras.layers.Conv2D(64, 3, padding="same")
    layer.build((None, 224, 224, 64))
    return layer.count_params()


@exercise("00.3", "top-5 accuracy of the 20 images")
def top5_accuracy() -> float:
    scores, labels = scores_and_labels()
    metric = keras.metrics.SparseTopKCategoricalAccuracy(k=5)
    metric.update_state(labels, scores)
    return float(metric.result())


@exercise("00.4", "how many times lower ResNet's top-5 error is than AlexNet's")
def error_ratio_2012_2015() -> float:
    rows = tables.read_table(tables.table_file("ilsvrc_winners.csv"))
    error = {row["model"]: float(row["top5_error"]) for row in rows}
    return error["AlexNet"] / error["ResNet"]
