"""Exercises of notebook 02 (ZFNet)."""

from __future__ import annotations

import functools

import keras

from cnn_keras import analysis, build_model
from cnn_keras.analysis import interpret
from cnn_keras.exercises import exercise, explanation, mistake, prediction


@functools.cache
def _model(name: str) -> keras.Model:
    return build_model(name)


@exercise("02.1", "output side of ZFNet's conv2 on a 55x55 input")
def conv2_side() -> int:
    return analysis.conv_output_size(55, 5, stride=2, padding=0)


@mistake("02.1", 'the side with a padding of 2 ("same"), not 0')
def conv2_side_padded() -> int:
    return analysis.conv_output_size(55, 5, stride=2, padding=2)


@exercise("02.2", "parameters ZFNet's conv1 saves against AlexNet's")
def conv1_saving() -> int:
    return (
        _model("alexnet").get_layer("conv1").count_params()
        - _model("zfnet").get_layer("conv1").count_params()
    )


@exercise("02.3", "extra parameters of ZFNet's conv4 over AlexNet's two-GPU conv4")
def conv4_extra() -> int:
    return (
        _model("zfnet").get_layer("conv4").count_params()
        - _model("alexnet").get_layer("conv4").count_params()
    )


@exercise("02.4", "occluded images for a 53x53 image, 9x9 square, stride 4")
def occluded_images() -> int:
    return len(interpret.occlusion_grid(53, 9, 4)) ** 2


@mistake("02.4", "the count along one side; the square moves in both directions")
def occluded_positions_one_side() -> int:
    return len(interpret.occlusion_grid(53, 9, 4))


@prediction(
    "02.5",
    "whose conv1 needs more multiply-adds",
    choices={
        "a": "AlexNet's: its 11x11 filters are 2.5 times larger than ZFNet's 7x7",
        "b": "ZFNet's",
        "c": "about the same",
    },
    why=(
        "ZFNet's. Each 7x7x3 filter has 147 weights against 363, but stride 2 instead of 4 "
        "gives a 110x110 map instead of 55x55: four times the positions. About 4 x 147 / 363, "
        "1.6 times AlexNet's multiply-adds. A smaller filter is cheaper only at the same "
        "number of positions; the stride decides how many there are."
    ),
)
def conv1_costlier() -> str:
    """**02.5** (predict, then measure) ZFNet replaced conv1's 11x11 filters with stride 4 by
    7x7 filters with stride 2 (96 filters in both). Which conv1 needs more multiply-adds for
    one image at the paper's input size? Predict, then measure with
    `analysis.layer_macs(build_model(name).get_layer("conv1"))` for both nets."""
    ratio = analysis.layer_macs(_model("zfnet").get_layer("conv1")) / analysis.layer_macs(
        _model("alexnet").get_layer("conv1")
    )
    return "b" if ratio > 1.1 else "a" if ratio < 0.9 else "c"


explanation(
    "02.6",
    "the other cure for aliasing",
    question="""**02.6** (explain) Keeping AlexNet's stride of 4, what filters would conv1 need to
    avoid aliasing, and what would the net lose with them? Why is halving the stride the
    better cure?""",
    answer=(
        "Filters that pass nothing above the output's Nyquist frequency, 1/8 cycle per pixel "
        "at stride 4: smooth, blurring filters, a low-pass before the subsampling. Then "
        "nothing folds back, but nothing between 1/8 and the image's own 1/2 reaches conv2 "
        "either: the fine edges and textures are thrown away rather than cleaned. Training "
        "does not even push the filters that way, since the loss does not see aliasing. "
        "Stride 2 raises the Nyquist frequency to 1/4, so conv1 keeps twice the detail "
        "without folding it; the price is four times the output positions, and the "
        "multiply-adds of exercise 02.5."
    ),
)

explanation(
    "02.7",
    "what the occlusion experiment shows",
    question="""**02.7** (explain) What does the occlusion experiment show about a trained net that
    the pictures of its features do not?""",
    answer=(
        "That the net's decision depends on the object itself: as the gray square covers the "
        "object, the probability of the right class drops sharply, while covering the "
        "background barely changes it. The net locates the object in the image rather than "
        "classifying from the context around it; the feature pictures show what excites a "
        "unit, not what the final decision relies on."
    ),
)
