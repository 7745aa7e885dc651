"""What every benchmark result records: device (``cnn_keras.machine``), backend, versions,
date."""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import os
import sys

import keras

from cnn_keras import machine


def environment() -> dict:
    """The machine and the software a number was measured with."""
    versions = {"python": sys.version.split()[0], "keras": keras.__version__}
    for package in ("tensorflow", "jax", "jaxlib", "torch", "torchvision"):
        try:  # installed, loaded or not: cpu_vs_torch runs each backend in a child process
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            pass
    return {
        "device": machine.device_name(),
        "cpu": machine.cpu_name(),
        "backend": keras.backend.backend(),
        "versions": versions,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def write(kind: str, payload: dict, results_dir: str, path: str | None = None) -> str:
    """Writes ``payload`` with :func:`environment` as ``results_dir/KIND-BACKEND-DATE.json``,
    or over ``path`` (a run that writes again as it goes). Returns the path."""
    record = {**environment(), **payload}
    os.makedirs(results_dir, exist_ok=True)
    if path is None:
        stamp = record["date"].replace(":", "").replace("+0000", "Z")
        path = os.path.join(results_dir, f"{kind}-{record['backend']}-{stamp}.json")
    with open(path, "w") as file:
        json.dump(record, file, indent=2)
    return path
