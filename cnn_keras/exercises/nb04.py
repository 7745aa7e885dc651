"""Exercises of notebook 04 (GoogLeNet)."""

from __future__ import annotations

import dataclasses

import keras

from cnn_keras import analysis, build_model
from cnn_keras.exercises import exercise
from cnn_keras.models.googlenet import STAGES, inception_module, inception_module_model

SPECS = {spec.name: spec for stage in STAGES for spec in stage}
LECTURE_FILTERS = {"filters_1x1": 128, "filters_3x3": 192, "filters_5x5": 96}


@exercise("04.1", "MACs of inception_3a's 5x5 branch (reduce and 5x5)")
def branch_5x5_macs() -> int:
    module = inception_module_model((28, 28, 192), **dataclasses.asdict(SPECS["inception_3a"]))
    return sum(
        analysis.layer_macs(module.get_layer(f"inception_3a_{suffix}"))
        for suffix in ("5x5_reduce", "5x5")
    )


@exercise("04.2", "output depth of three naive modules stacked on 28x28x256")
def naive_stack_depth() -> int:
    inputs = keras.Input((28, 28, 256))
    x = inputs
    for index in range(3):
        x = inception_module(x, naive=True, name=f"naive_{index + 1}", **LECTURE_FILTERS)
    return int(x.shape[-1])


@exercise("04.3", "times fewer MACs for inception_4e than its naive twin", rel_tol=0.01)
def reduction_saving_4e() -> float:
    spec = dataclasses.asdict(SPECS["inception_4e"])
    reduced = inception_module_model((14, 14, 528), **spec)
    naive_filters = {k: spec[k] for k in ("filters_1x1", "filters_3x3", "filters_5x5")}
    naive = inception_module_model((14, 14, 528), naive=True, name="naive_4e", **naive_filters)
    return analysis.count_macs(naive) / analysis.count_macs(reduced)


@exercise("04.4", "parameters of the auxiliary classifier on 4a (1000 classes)")
def aux1_params() -> int:
    model = build_model("googlenet", aux_logits=True)
    return sum(layer.count_params() for layer in model.layers if layer.name.startswith("aux1_"))


@exercise("04.5", "% of GoogLeNet's MACs at 224 spent in the stem", rel_tol=0.01)
def stem_share_percent() -> float:
    model = build_model("googlenet")
    rows = analysis.layer_table(model)
    stem_end = [row.name for row in rows].index("pool2_3x3_s2")
    return 100 * sum(row.macs for row in rows[: stem_end + 1]) / analysis.count_macs(model)
