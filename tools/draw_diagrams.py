"""Draws keras.utils.plot_model diagrams of one module of each family and of the smaller
whole nets into ``figures/diagrams/`` (``make figures``).

Each module is built as a small ``keras.Model`` from its family's block function, on an input
of the size and depth it has in the paper's network. Needs pydot and graphviz's ``dot``
(``make setup`` installs graphviz where apt-get is available).

Usage: python tools/draw_diagrams.py [OUTPUT_FOLDER]
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import keras

from cnn_keras import build_model
from cnn_keras.models import (
    densenet,
    googlenet,
    inception_blocks,
    inception_resnet,
    inception_v3,
    mobilenet,
    resnet,
)

# The whole nets small enough to read as one diagram.
WHOLE_NETS = ("alexnet", "zfnet", "vgg16", "googlenet", "resnet18", "mobilenet")


def _module(input_shape, name, block) -> keras.Model:
    inputs = keras.Input(input_shape, name=f"{name}_input")
    return keras.Model(inputs, block(inputs), name=name)


def modules() -> dict[str, keras.Model]:
    """One module per family, as small models, by file name."""

    def dense_block(x, layers=4):
        for i in range(1, layers + 1):
            x = densenet.dense_layer(x, 32, name=f"conv2_block{i}")
        return x

    return {
        "inception_module_3a": _module(
            (28, 28, 192),
            "inception_3a",
            lambda x: googlenet.inception_module(
                x,
                filters_1x1=64,
                reduce_3x3=96,
                filters_3x3=128,
                reduce_5x5=16,
                filters_5x5=32,
                pool_proj=32,
                name="inception_3a",
            ),
        ),
        "inception_v3_block_35x35": _module(
            (35, 35, 192),
            "mixed0",
            lambda x: inception_blocks.inception_block(
                x, inception_v3.block_35x35(32), name="mixed0"
            ),
        ),
        "inception_resnet_v1_block_a": _module(
            (35, 35, 256),
            "block35_1",
            lambda x: inception_resnet.inception_resnet_block(
                x, inception_resnet.CONFIGS["v1"].block_a, scale=0.17, name="block35_1"
            ),
        ),
        "residual_basic_block": _module(
            (56, 56, 64),
            "conv2_block1",
            lambda x: resnet.basic_block(x, 64, name="conv2_block1"),
        ),
        "residual_basic_block_downsampling": _module(
            (56, 56, 64),
            "conv3_block1",
            lambda x: resnet.basic_block(x, 128, stride=2, name="conv3_block1"),
        ),
        "residual_bottleneck_block": _module(
            (56, 56, 64),
            "conv2_block1",
            lambda x: resnet.bottleneck_block(x, 64, 256, name="conv2_block1"),
        ),
        "resnext_bottleneck_block": _module(
            (56, 56, 64),
            "conv2_block1",
            lambda x: resnet.bottleneck_block(
                x, 128, 256, groups=32, stride_in_1x1=False, name="conv2_block1"
            ),
        ),
        "dense_block": _module((56, 56, 64), "dense_block1", dense_block),
        "depthwise_separable_block": _module(
            (112, 112, 32),
            "conv_dw_1_block",
            lambda x: mobilenet.depthwise_separable_block(x, 64, block_id=1),
        ),
    }


def draw(model: keras.Model, path: Path, **options) -> Path:
    keras.utils.plot_model(
        model, to_file=str(path), show_shapes=True, show_layer_names=True, dpi=72, **options
    )
    if not path.exists() or path.stat().st_size == 0:
        raise RuntimeError(f"plot_model wrote nothing to {path}: are pydot and graphviz there?")
    return path


def main(argv: list[str]) -> int:
    folder = Path(argv[1] if len(argv) > 1 else "figures/diagrams")
    if shutil.which("dot") is None:
        print(
            "graphviz's `dot` is missing: install graphviz (apt-get install graphviz, "
            "brew install graphviz, conda install graphviz) and run again.",
            file=sys.stderr,
        )
        return 1
    folder.mkdir(parents=True, exist_ok=True)
    for name, model in modules().items():
        print(draw(model, folder / f"{name}.png"))
        keras.backend.clear_session()
    for name in WHOLE_NETS:
        print(draw(build_model(name), folder / f"{name}.png"))
        keras.backend.clear_session()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
