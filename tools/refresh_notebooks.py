"""Re-executes notebooks on the smoke profile and keeps only the outputs nbval checks.

Usage: python tools/refresh_notebooks.py notebooks/01_alexnet.ipynb [...]

Cells that carry ``# NBVAL_CHECK_OUTPUT`` keep their output and execution count (nbval skips
a checked cell without them); every other cell keeps its execution count and loses its output,
so the repository holds no training logs or images. Run it after editing a notebook.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

CHECK_MARK = "# NBVAL_CHECK_OUTPUT"


def is_checked(cell) -> bool:
    return any(line.strip() == CHECK_MARK for line in cell.source.splitlines())


def refresh(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    os.environ["CNN_KERAS_PROFILE"] = "smoke"
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": "notebooks"}}
    ).execute()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        tags = set(cell.metadata.get("tags", []))
        if is_checked(cell):
            cell.metadata["tags"] = sorted(tags | {"keep_output"})
            # stderr is never compared; keeping it would store temp paths and log lines.
            cell.outputs = [o for o in cell.outputs if o.get("name") != "stderr"]
        else:
            cell.outputs = []
    notebook.metadata.pop("widgets", None)
    nbformat.write(notebook, path)
    print(f"refreshed {path}")


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        refresh(Path(argument))
