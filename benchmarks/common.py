"""What every benchmark result records: device, backend, versions, date."""

from __future__ import annotations

import datetime
import json
import os
import platform
import sys

import keras


def cpu_name() -> str:
    """The CPU's model name (``/proc/cpuinfo`` on Linux) and its logical cores."""
    name = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as file:
            name = next(line.split(":", 1)[1].strip() for line in file if "model name" in line)
    except (OSError, StopIteration):
        pass
    return f"{name}, {os.cpu_count()} cores"


def gpu_name() -> str | None:
    """The first GPU the Keras backend sees, by name; ``None`` without one."""
    from cnn_keras.profiles import gpu_available

    if not gpu_available():
        return None
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        gpu = tf.config.list_physical_devices("GPU")[0]
        return tf.config.experimental.get_device_details(gpu).get("device_name", "GPU")
    if backend == "jax":
        import jax

        return jax.devices()[0].device_kind
    import torch

    return torch.cuda.get_device_name(0)


def environment() -> dict:
    """The machine and the software a number was measured with."""
    versions = {"python": sys.version.split()[0], "keras": keras.__version__}
    for module in ("tensorflow", "jax", "torch", "torchvision"):
        if sys.modules.get(module) is not None:
            versions[module] = sys.modules[module].__version__
    gpu = gpu_name()
    return {
        "device": f"GPU: {gpu}" if gpu else f"CPU: {cpu_name()}",
        "cpu": cpu_name(),
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
