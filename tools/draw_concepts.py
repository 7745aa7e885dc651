"""Writes the block schematics of ``cnn_keras.concepts`` to ``<folder>/<name>.png``.

Usage: ``python tools/draw_concepts.py figures/concepts`` (``make figures`` runs it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from cnn_keras.concepts import SCHEMATICS  # noqa: E402


def main(folder: str = "figures/concepts") -> None:
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    for name, draw in SCHEMATICS.items():
        figure = draw()
        figure.savefig(target / f"{name}.png", dpi=110)
        plt.close(figure)
        print(target / f"{name}.png")


if __name__ == "__main__":
    main(*sys.argv[1:])
