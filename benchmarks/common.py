"""What every benchmark result records: device, backend, versions, date."""

from __future__ import annotations

import datetime
import json
import os
import platform
import sys

import keras


def environment() -> dict:
    """The machine and the software a number was measured with."""
    from cnn_keras.profiles import gpu_available

    versions = {"python": sys.version.split()[0], "keras": keras.__version__}
    for module in ("tensorflow", "jax", "torch"):
        if sys.modules.get(module) is not None:
            versions[module] = sys.modules[module].__version__
    device = "GPU" if gpu_available() else f"CPU ({os.cpu_count()} cores, {platform.machine()})"
    if gpu_available() and keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        gpu = tf.config.list_physical_devices("GPU")[0]
        device = tf.config.experimental.get_device_details(gpu).get("device_name", "GPU")
    return {
        "device": device,
        "backend": keras.backend.backend(),
        "versions": versions,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def write(kind: str, payload: dict, results_dir: str) -> str:
    """Writes ``payload`` with :func:`environment` as ``results_dir/KIND-DATE.json``."""
    record = {**environment(), **payload}
    os.makedirs(results_dir, exist_ok=True)
    stamp = record["date"].replace(":", "").replace("+0000", "Z")
    path = os.path.join(results_dir, f"{kind}-{record['backend']}-{stamp}.json")
    with open(path, "w") as file:
        json.dump(record, file, indent=2)
    return path
