"""The tables shipped with the package (published accuracies, ILSVRC winners, the papers'
tables, as CSV files in this folder), and the project's own files, found from any folder.

Reading a table imports only the standard library: no matplotlib, no Keras.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

_FOLDER = Path(__file__).resolve().parent


def table_file(name: str) -> Path:
    """A table shipped in the package (``"published_accuracy.csv"``, in ``cnn_keras/tables``),
    found wherever the package is installed.

    Raises:
        FileNotFoundError: if the package has no such table (the message lists those it has).
    """
    path = _FOLDER / name
    if not path.is_file():
        have = sorted(p.name for p in _FOLDER.glob("*.csv"))
        raise FileNotFoundError(f"No table {name!r} in {_FOLDER}; the tables are {have}.")
    return path


def read_table(path: str | os.PathLike) -> list[dict[str, str]]:
    """A CSV file as a list of rows (dicts), skipping comment lines that start with ``#``."""
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def project_file(relative: str) -> Path:
    """``relative`` (``"pyproject.toml"``) found from the current folder or a parent,
    so a notebook finds the project's files whether it runs from ``notebooks/`` or the root.

    Raises:
        FileNotFoundError: if no parent folder has it.
    """
    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / relative).exists():
            return folder / relative
    raise FileNotFoundError(f"{relative} not found in {Path.cwd()} or its parents.")
