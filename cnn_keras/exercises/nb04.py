"""Exercises of notebook 04 (GoogLeNet)."""

from __future__ import annotations

import dataclasses
import functools
import math

import keras

from cnn_keras import analysis, build_model
from cnn_keras.exercises import block_exercise, exercise, explanation, mistake, prediction
from cnn_keras.models.googlenet import STAGES, inception_module, inception_module_model

SPECS = {spec.name: spec for stage in STAGES for spec in stage}
LECTURE_FILTERS = {"filters_1x1": 128, "filters_3x3": 192, "filters_5x5": 96}


@functools.cache
def _module_3a(naive: bool = False) -> keras.Model:
    spec = dataclasses.asdict(SPECS["inception_3a"])
    if naive:
        spec = {k: spec[k] for k in ("name", "filters_1x1", "filters_3x3", "filters_5x5")}
    return inception_module_model((28, 28, 192), naive=naive, **spec)


@exercise("04.1", "MACs of inception_3a's 5x5 branch (reduce and 5x5)")
def branch_5x5_macs() -> int:
    module = _module_3a()
    return sum(
        analysis.layer_macs(module.get_layer(f"inception_3a_{suffix}"))
        for suffix in ("5x5_reduce", "5x5")
    )


@mistake("04.1", "the 5x5 conv alone; the branch also has its 1x1 reduction")
def conv_5x5_macs() -> int:
    return analysis.layer_macs(_module_3a().get_layer("inception_3a_5x5"))


@mistake("04.1", "the 5x5 conv on all 192 input channels, as in the naive module")
def naive_5x5_macs() -> int:
    return analysis.layer_macs(_module_3a(naive=True).get_layer("inception_3a_5x5"))


def _naive_stack_depth(modules: int) -> int:
    inputs = keras.Input((28, 28, 256))
    x = inputs
    for index in range(modules):
        x = inception_module(x, naive=True, name=f"naive_{index + 1}", **LECTURE_FILTERS)
    return int(x.shape[-1])


@exercise("04.2", "output depth of three naive modules stacked on 28x28x256")
def naive_stack_depth() -> int:
    return _naive_stack_depth(3)


@mistake("04.2", "the depth after one module")
def naive_one_module_depth() -> int:
    return _naive_stack_depth(1)


@mistake("04.2", "the depth without the pool branch, which passes its input on")
def naive_depth_without_pool() -> int:
    return sum(LECTURE_FILTERS.values())


@exercise("04.3", "times fewer MACs for inception_4e than its naive twin", rel_tol=0.01)
def reduction_saving_4e() -> float:
    spec = dataclasses.asdict(SPECS["inception_4e"])
    reduced = inception_module_model((14, 14, 528), **spec)
    naive_filters = {k: spec[k] for k in ("filters_1x1", "filters_3x3", "filters_5x5")}
    naive = inception_module_model((14, 14, 528), naive=True, name="naive_4e", **naive_filters)
    return analysis.count_macs(naive) / analysis.count_macs(reduced)


@functools.cache
def _aux_params(use_bias: bool) -> int:
    model = build_model("googlenet", aux_logits=True)
    layers = [layer for layer in model.layers if layer.name.startswith("aux1_")]
    if use_bias:
        return sum(layer.count_params() for layer in layers)
    return sum(math.prod(layer.kernel.shape) for layer in layers if hasattr(layer, "kernel"))


@exercise("04.4", "parameters of the auxiliary classifier on 4a (1000 classes)")
def aux1_params() -> int:
    return _aux_params(use_bias=True)


@mistake("04.4", "the count without the biases")
def aux1_weights() -> int:
    return _aux_params(use_bias=False)


@exercise("04.5", "% of GoogLeNet's MACs at 224 spent in the stem", rel_tol=0.01)
def stem_share_percent() -> float:
    model = build_model("googlenet")
    rows = analysis.layer_table(model)
    stem_end = [row.name for row in rows].index("pool2_3x3_s2")
    return 100 * sum(row.macs for row in rows[: stem_end + 1]) / analysis.count_macs(model)


BRANCHES = {"a": ("1x1",), "b": ("3x3_reduce", "3x3"), "c": ("5x5_reduce", "5x5")}
BRANCHES["d"] = ("pool_proj",)


@prediction(
    "04.6",
    "the costliest branch of inception_3a",
    choices={
        "a": "the 1x1 branch",
        "b": "the 3x3 branch (its 1x1 reduction included)",
        "c": "the 5x5 branch (its 1x1 reduction included)",
        "d": "the pool branch (its 1x1 projection)",
    },
    why=(
        "The 3x3 branch, about four fifths of the module's multiply-adds: 128 filters of 3x3 "
        "over 96 reduced channels. A 5x5 weighs 25/9 times a 3x3 per channel, and on all 192 "
        "input channels the 5x5 branch would cost the most; its reduction to 16 channels cuts "
        "it below an eighth of the 3x3 branch. The reductions put the cost where the paper "
        "wants it: most filters are 3x3, few are 5x5 (Table 1)."
    ),
)
def costliest_branch() -> str:
    """**04.6** (predict, then measure) Module 3a on its 28x28x192 input: which branch needs
    the most multiply-adds? Predict, then print the layer table of
    `inception_module_model((28, 28, 192), **dataclasses.asdict(SPECS["inception_3a"]))`
    (`analysis.format_table(analysis.layer_table(...))`) and add up each branch."""
    module = _module_3a()
    macs = {
        letter: sum(analysis.layer_macs(module.get_layer(f"inception_3a_{s}")) for s in suffixes)
        for letter, suffixes in BRANCHES.items()
    }
    return max(macs, key=macs.get)


@block_exercise("04.7", "inception module 3a", input_shape=(8, 8, 192))
def module_3a(x: keras.KerasTensor) -> keras.KerasTensor:
    """**04.7** (implement it) Write `module_3a(x)`: four branches on `x`, concatenated by depth
    in this order: a 1x1 conv (64 filters); a 1x1 conv (96) then a 3x3 conv (128); a 1x1 conv
    (16) then a 5x5 conv (32); a 3x3 max pool (stride 1, "same") then a 1x1 conv (32). Every
    conv has "same" padding and a bias and is followed by a ReLU. Check it with
    `exercises.check_block("04.7", module_3a)`: it is built on an 8x8x192 input (3a's is
    28x28x192; the side changes no parameter) and compared with the package's
    `inception_module`."""
    return inception_module(x, **dataclasses.asdict(SPECS["inception_3a"]))


explanation(
    "04.8",
    "why 1x1 convs before the 3x3 and 5x5, and after the pool",
    question="""**04.8** (explain) Why does the inception module put a 1x1 conv before its 3x3
    and 5x5 convs, and another after its max pool? One sentence each.""",
    answer=(
        "A conv's cost grows with its input channels, so a 1x1 conv that first reduces 192 "
        "channels to 96 or 16 makes the expensive 3x3 and 5x5 convs several times cheaper "
        "(the paper's 'dimension reduction', with a ReLU that adds a non-linearity). The pool "
        "branch passes all its input channels on, so without the 1x1 projection after it the "
        "output depth would grow with every module (exercise 04.2), and so would the cost of "
        "the next one."
    ),
)
