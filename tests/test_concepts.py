"""The block schematics: each draws, and figures/concepts holds one committed PNG per schematic."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from cnn_keras import concepts  # noqa: E402

FOLDER = Path(__file__).resolve().parents[1] / "figures" / "concepts"


@pytest.mark.parametrize("name", sorted(concepts.SCHEMATICS))
def test_each_schematic_draws_labelled_boxes(name):
    figure = concepts.SCHEMATICS[name]()
    try:
        assert isinstance(figure, Figure)
        (axes,) = figure.axes
        texts = [text.get_text() for text in axes.texts]
        assert axes.get_title() and len(axes.patches) >= 3 and len(texts) >= 3
        figure.canvas.draw()
    finally:
        plt.close(figure)


def test_the_papers_widths_are_on_the_figures():
    widths = {
        "inception_bottleneck": ("1x1 conv, 96", "1x1 conv, 16", "5x5 conv, 32", "= 256"),
        "grouped_conv": ("32 groups of 4",),
        "inverted_residual": ("144 (x6)",),
        "se_block": ("256/16 = 16",),
    }
    for name, labels in widths.items():
        figure = concepts.SCHEMATICS[name]()
        text = " ".join(t.get_text() for t in figure.axes[0].texts)
        plt.close(figure)
        for label in labels:
            assert label in text, (name, label)


def test_figures_concepts_holds_one_png_per_schematic():
    assert sorted(p.stem for p in FOLDER.glob("*.png")) == sorted(concepts.SCHEMATICS)
