"""Exercises of notebook 06 (Inception v2 and v3)."""

from __future__ import annotations

import keras

from cnn_keras import analysis, build_model, tables
from cnn_keras.exercises import exercise
from cnn_keras.models.inception_blocks import Conv, build_branch


def _branch_macs(shape: tuple[int, int, int], steps) -> int:
    inputs = keras.Input(shape)
    return analysis.count_macs(keras.Model(inputs, build_branch(inputs, steps, name="branch")))


@exercise("06.1", "fraction of MACs saved by a 1x5 then 5x1 against one 5x5", rel_tol=0.01)
def saving_1x5_5x1() -> float:
    shape = (17, 17, 64)
    full = _branch_macs(shape, (Conv(64, 5),))
    return 1 - _branch_macs(shape, (Conv(64, (1, 5)), Conv(64, (5, 1)))) / full


@exercise("06.2", "MACs of a 1x7 conv of 192 filters on a 17x17x192 map")
def conv_1x7_macs() -> int:
    return _branch_macs((17, 17, 192), (Conv(192, (1, 7)),))


@exercise("06.3", "MACs of Inception v3's three 5x5 convs together, at 299x299")
def inception_v3_5x5_macs() -> int:
    model = build_model("inception_v3")
    return sum(
        analysis.layer_macs(layer)
        for layer in model.layers
        if isinstance(layer, keras.layers.Conv2D) and tuple(layer.kernel_size) == (5, 5)
    )


@exercise("06.4", "top-1 error points from Inception-v2 (Table 1) to Inception-v3 (Table 3)")
def v2_to_v3_gain() -> float:
    rows = tables.read_table(tables.table_file("inception_v3_table3.csv"))
    v2 = [row for row in rows if row["network"] == "Inception-v2"]
    return round(float(v2[0]["top1_error"]) - float(v2[-1]["top1_error"]), 2)
