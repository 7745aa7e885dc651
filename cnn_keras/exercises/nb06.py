"""Exercises of notebook 06 (Inception v2 and v3)."""

from __future__ import annotations

import keras
import numpy as np

from cnn_keras import analysis, build_model, tables
from cnn_keras.exercises import block_exercise, exercise, explanation, mistake, prediction
from cnn_keras.models.inception_blocks import Conv, build_branch, factorized_nxn


def _branch(shape: tuple[int, int, int], steps) -> keras.Model:
    inputs = keras.Input(shape)
    return keras.Model(inputs, build_branch(inputs, steps, name="branch"))


def _branch_macs(shape: tuple[int, int, int], steps) -> int:
    return analysis.count_macs(_branch(shape, steps))


@exercise("06.1", "fraction of MACs saved by a 1x5 then 5x1 against one 5x5", rel_tol=0.01)
def saving_1x5_5x1() -> float:
    shape = (17, 17, 64)
    full = _branch_macs(shape, (Conv(64, 5),))
    return 1 - _branch_macs(shape, (Conv(64, (1, 5)), Conv(64, (5, 1)))) / full


@mistake("06.1", "the fraction that remains; the question asks for the fraction saved")
def remaining_1x5_5x1() -> float:
    return 1 - saving_1x5_5x1()


@exercise("06.2", "MACs of a 1x7 conv of 192 filters on a 17x17x192 map")
def conv_1x7_macs() -> int:
    return _branch_macs((17, 17, 192), (Conv(192, (1, 7)),))


@mistake("06.2", "a full 7x7 conv's count; a 1x7 has 7 weights per channel, not 49")
def conv_7x7_macs() -> int:
    return _branch_macs((17, 17, 192), (Conv(192, 7),))


@exercise("06.3", "MACs of Inception v3's three 5x5 convs together, at 299x299")
def inception_v3_5x5_macs() -> int:
    model = build_model("inception_v3")
    return sum(
        analysis.layer_macs(layer)
        for layer in model.layers
        if isinstance(layer, keras.layers.Conv2D) and tuple(layer.kernel_size) == (5, 5)
    )


@exercise(
    "06.4",
    "top-1 error points from Inception-v2 (Table 1) to Inception-v3 (Table 3)",
    rel_tol=0.005,
)
def v2_to_v3_gain() -> float:
    rows = tables.read_table(tables.table_file("inception_v3_table3.csv"))
    v2 = [row for row in rows if row["network"] == "Inception-v2"]
    return round(float(v2[0]["top1_error"]) - float(v2[-1]["top1_error"]), 2)


SEVEN_BY_SEVEN = factorized_nxn(7, (192, 192))


@block_exercise("06.5", "a 7x7 conv factorized into 1x7 and 7x1", input_shape=(8, 8, 192))
def factorized_7x7(x: keras.KerasTensor) -> keras.KerasTensor:
    """**06.5** (implement it) Write `factorized(x)`: a 1x7 conv then a 7x1 conv, 192 filters
    each, "same" padding, no bias, each followed by `BatchNormalization(scale=False)` (as
    Inception v3: BN with a shift and no scale) and a ReLU. Check it with
    `exercises.check_block("06.5", factorized)`: it is built on an 8x8x192 input (the 17x17
    grid, smaller) and compared with the package's `build_branch(x, factorized_nxn(7, (192,
    192)))`."""
    return build_branch(x, SEVEN_BY_SEVEN, name="factorized")


def _filter_of(kernels: tuple[tuple[int, int], ...]) -> np.ndarray:
    """The 7x7 filter that convs of ``kernels`` in a row make, one channel in and out, no bias,
    random weights: their response to one bright pixel."""
    inputs = keras.Input((15, 15, 1))
    x = inputs
    for seed, kernel in enumerate(kernels):
        initializer = keras.initializers.RandomNormal(seed=seed)
        x = keras.layers.Conv2D(
            1, kernel, padding="same", use_bias=False, kernel_initializer=initializer
        )(x)
    impulse = np.zeros((1, 15, 15, 1), "float32")
    impulse[0, 7, 7, 0] = 1.0
    response = keras.ops.convert_to_numpy(keras.Model(inputs, x)(impulse))
    return response[0, 4:11, 4:11, 0]


@prediction(
    "06.6",
    "which 7x7 filters a 1x7 then a 7x1 can make",
    choices={
        "a": "every 7x7 filter: the pair sees the whole 7x7 window",
        "b": "only filters symmetric about their centre",
        "c": "only a column times a row: every row of the filter a multiple of one row",
    },
    why=(
        "Only a column times a row. Entry (i, j) of the pair's filter is the 7x1's weight i "
        "times the 1x7's weight j: 14 numbers for 49 entries, and every row is a multiple of "
        "one row (rank 1, where a 7x7 conv's random filter has rank 7). Seeing the whole "
        "window is not weighting it freely. With many channels the loss is smaller: each "
        "input and output channel get a sum of such products, one per middle channel, and "
        "the ReLU between the convs makes the pair non-linear. The paper found the trade "
        "good on grids of 12 to 20 pixels."
    ),
)
def factorized_filters() -> str:
    """**06.6** (predict, then measure) One channel in and one out, no bias, nothing between
    the two convs: which 7x7 filters can a 1x7 conv followed by a 7x1 conv make? Predict,
    then send one bright pixel through the pair with random weights: the output around it is
    the pair's 7x7 filter. Print it and its rank (`np.linalg.matrix_rank`), and a 7x7
    conv's beside it."""
    pair = _filter_of(((1, 7), (7, 1)))
    rank = np.linalg.matrix_rank(pair, tol=1e-5 * np.abs(pair).max())
    free = np.linalg.matrix_rank(_filter_of(((7, 7),)))
    return "a" if rank == free else "c" if rank == 1 else "b"


explanation(
    "06.7",
    "where the asymmetric factorization is used",
    question="""**06.7** (explain) Inception v3 factorizes 7x7 convs into 1x7 and 7x1 only on
    its 17x17 grid. Why not in the early layers too?""",
    answer=(
        "The paper found it empirically (section 3.2): the factorization does not work well on "
        "early layers, but gives very good results on medium grid sizes, maps of 12 to 20 "
        "pixels a side. Its design principles add a reason to be careful early: avoid "
        "representational bottlenecks near the input, where the net should keep the "
        "information of the image while it reduces its size gently."
    ),
)

explanation(
    "06.8",
    "batch norm in training and at inference",
    question="""**06.8** (explain) In training, batch normalization normalizes each channel with
    the mean and variance of the current batch; at inference it uses moving averages kept
    during training. Why the difference?""",
    answer=(
        "At inference an image must get the same output whatever else is in its batch, and a "
        "batch may hold one image, whose own statistics would normalize it to nothing useful. "
        "So BN then uses fixed statistics, the averages of the batch means and variances seen "
        "in training, and becomes a fixed affine map. The batch statistics in training add "
        "noise that regularizes, and the averages lag behind the weights: Keras averages with "
        "momentum 0.99, so a run of a few hundred steps can evaluate with stale statistics."
    ),
)
