"""Exercises of notebook 03 (VGG)."""

from __future__ import annotations

from cnn_keras import analysis, build_model
from cnn_keras.exercises import exercise


@exercise("03.1", "MACs of VGG16's conv3_2 at 224x224")
def conv3_2_macs() -> int:
    vgg16 = build_model("vgg16", include_top=False)
    return analysis.layer_macs(vgg16.get_layer("conv3_2"))
