"""Exercises of notebook 09 (comparing complexity)."""

from __future__ import annotations

import functools
import math

from cnn_keras import compare
from cnn_keras.exercises import exercise, explanation, mistake, prediction


@functools.cache
def _row(name: str) -> compare.ComparisonRow:
    """The model's costs at its paper's input size, with its published accuracy."""
    return compare.compare([name], progress=False)[0]


@exercise("09.1", "AlexNet's float32 weights in MiB", rel_tol=0.005)
def alexnet_weight_mib() -> float:
    return _row("alexnet").weight_bytes / 2**20


@mistake("09.1", "megabytes of 10^6 bytes; a MiB is 2^20 bytes")
def alexnet_weight_mb() -> float:
    return _row("alexnet").weight_bytes / 1e6


@exercise("09.2", "GoogLeNet's top-1 points per million parameters", rel_tol=0.005)
def googlenet_density() -> float:
    row = _row("googlenet")
    return row.top1 / (row.params / 1e6)


@exercise(
    "09.3",
    "ResNet-18's activation memory over AlexNet's",
    rel_tol=0.01,
    why=(
        "Parameters and activations live in different places. Most of AlexNet's 61 million "
        "parameters sit in its fully connected layers, which act on a few thousand values, "
        "and its first conv, with stride 4, shrinks the image at once to 55x55. ResNet-18 "
        "keeps large maps through many layers: 112x112x64 after conv1, then 56x56x64 through "
        "four convs, and every conv output is followed by a batch-norm output and a ReLU "
        "output of the same size. Memory for activations grows with depth times map size, "
        "memory for weights with the width of the layers: the deeper, thinner net is the "
        "hungrier one per image."
    ),
)
def resnet18_over_alexnet_activations() -> float:
    return _row("resnet18").activation_bytes / _row("alexnet").activation_bytes


@exercise("09.4", "smallest batch where MobileNet holds more memory than AlexNet")
def mobilenet_passes_alexnet() -> int:
    mobilenet, alexnet = _row("mobilenet"), _row("alexnet")
    # weights + batch * activations: MobileNet's larger activations overtake AlexNet's weights.
    extra_weights = alexnet.weight_bytes - mobilenet.weight_bytes
    extra_per_image = mobilenet.activation_bytes - alexnet.activation_bytes
    return math.floor(extra_weights / extra_per_image) + 1


@mistake("09.4", "the largest batch where MobileNet still holds less (off by one)")
def mobilenet_still_below() -> int:
    return mobilenet_passes_alexnet() - 1


@prediction(
    "09.5",
    "what fills MobileNet's memory for one image",
    choices={
        "a": "its weights",
        "b": "its activations",
        "c": "about half each",
    },
    why=(
        "Its activations: its 4.2 million float32 weights take about 17 MB, but the distinct "
        "tensors of one 224x224 forward pass take more, because the early layers keep 112x112 "
        "maps of 32 to 64 channels and every depthwise, pointwise, batch-norm and ReLU output "
        "counts. Activations grow with the batch and the image size, weights do not: a "
        "'small' model is small on disk, not necessarily in memory."
    ),
)
def mobilenet_memory() -> str:
    """**09.5** (predict, then measure) For one 224x224 image, what takes more memory in
    MobileNet (alpha 1.0): its float32 weights or its activations (every distinct tensor of
    the forward pass)? Predict, then read the `weight_bytes` and `activation_bytes` columns of
    the comparison table for `mobilenet`."""
    row = _row("mobilenet")
    ratio = row.activation_bytes / row.weight_bytes
    return "b" if ratio > 1.2 else "a" if ratio < 1 / 1.2 else "c"


explanation(
    "09.6",
    "why MACs do not tell MobileNet's speed",
    question="""**09.6** (explain) Canziani et al. found inference time roughly proportional to
    the operation count across the networks they timed. Give a reason the rule fails for
    MobileNet's depthwise convolutions on a GPU.""",
    answer=(
        "A depthwise 3x3 conv does 9 multiply-adds per input value it reads, against hundreds "
        "for a full conv, so its time is set by memory traffic rather than arithmetic; it "
        "cannot be written as the large matrix product that GPU libraries run fastest (the "
        "MobileNet paper points out that its 1x1 convs can, through GEMM). Many thin layers "
        "also add a fixed launch overhead each. So MobileNet's 8 to 9 times fewer MACs than "
        "a full-conv net of the same shape buy a smaller speed-up in time."
    ),
)
