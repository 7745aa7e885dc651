"""Executes notebooks in place on the cpu profile and keeps their outputs, figures included.

Usage: python tools/refresh_notebooks.py [--profile smoke] [--jobs 2] notebooks/01_alexnet.ipynb
[...] (``make notebooks`` runs every notebook on cpu, two at a time; ``--profile smoke`` is a
quick pass to store the checked cells' outputs while editing, not what is committed).

The committed notebooks carry one cpu-profile run, so a reader on a code-hosting site sees
every curve, filter and chart. Cells tagged ``nbval-check-output`` also get the ``keep_output``
tag: nbval on the smoke profile compares their printout (profile-independent facts) with the
stored one. stderr is dropped (TensorFlow's log lines, temporary paths). A notebook over
``MAX_BYTES`` is an error: a training cell printed too much or a figure is too large.
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import nbformat
from nbclient import NotebookClient

CHECK_TAG = "nbval-check-output"
PROFILE = "cpu"
MAX_BYTES = 2_000_000


def is_checked(cell) -> bool:
    return CHECK_TAG in cell.metadata.get("tags", [])


def refresh(path: Path, profile: str = PROFILE) -> None:
    notebook = nbformat.read(path, as_version=4)
    os.environ["CNN_KERAS_PROFILE"] = profile
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    start = time.perf_counter()
    NotebookClient(
        notebook,
        timeout=1800,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = [o for o in cell.outputs if o.get("name") != "stderr"]
        if is_checked(cell):
            cell.metadata["tags"] = sorted(set(cell.metadata.get("tags", [])) | {"keep_output"})
    notebook.metadata.pop("widgets", None)
    nbformat.write(notebook, path)
    size = path.stat().st_size
    seconds = time.perf_counter() - start
    print(f"{path}: {profile} profile, {seconds:.0f} s, {size / 1e6:.2f} MB")
    if size > MAX_BYTES:
        raise SystemExit(f"{path} is {size:,} bytes, over {MAX_BYTES:,}: print less.")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--profile", default=PROFILE, help=f"run profile ({PROFILE})")
    parser.add_argument("--jobs", type=int, default=1, help="notebooks run at once (1)")
    args = parser.parse_args()
    # Each notebook in its own process (and kernel). A notebook that fails is left as it was
    # and named at the end; the others are still run and written.
    failed = []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        runs = {pool.submit(refresh, path, args.profile): path for path in args.notebooks}
        for run in as_completed(runs):
            if run.exception() is not None:
                failed.append(runs[run])
                print(f"{runs[run]} failed: {run.exception()}")
    if failed:
        raise SystemExit(f"{len(failed)} notebook(s) failed: {', '.join(map(str, failed))}")
