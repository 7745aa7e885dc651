"""Exercises of notebook 01 (AlexNet)."""

from __future__ import annotations

import keras
import numpy as np

from cnn_keras import analysis, build_model, tables
from cnn_keras.exercises import exercise
from cnn_keras.layers import LocalResponseNormalization


@exercise("01.1", "parameters of conv2 in one tower")
def conv2_one_tower() -> int:
    return build_model("alexnet", groups=1).get_layer("conv2").count_params()


@exercise("01.2", "parameters the two-GPU split saves")
def split_saving() -> int:
    one = analysis.count_params(build_model("alexnet", groups=1)).total
    two = analysis.count_params(build_model("alexnet", groups=2)).total
    return one - two


@exercise("01.3", "MACs of conv1 for one 227x227 image")
def conv1_macs() -> int:
    return analysis.layer_macs(build_model("alexnet").get_layer("conv1"))


@exercise("01.4", "LRN of a channel among equal neighbours", rel_tol=0.002)
def lrn_of_equal_channels() -> float:
    a = np.full((1, 1, 1, 9), 100.0, "float32")
    return float(keras.ops.convert_to_numpy(LocalResponseNormalization()(a))[0, 0, 0, 4])


@exercise("01.5", "relative top-5 error reduction of the 7-CNN ensemble, in %", rel_tol=0.01)
def ensemble_reduction() -> float:
    rows = tables.read_table(tables.table_file("alexnet_table2.csv"))
    top5 = {row["model"]: float(row["top5_val"]) for row in rows if row["top5_val"]}
    return 100 * (top5["1 CNN"] - top5["7 CNNs*"]) / top5["1 CNN"]
