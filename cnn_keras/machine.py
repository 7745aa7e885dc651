"""The machine a number was measured on, described once: the GPUs the Keras backend sees, else
the CPU's model and its cores. Figure captions (``plots.machine_caption``), ``cnn-keras
compare``'s latency, training results and the benchmarks' records all say it in these words.
"""

from __future__ import annotations

import collections
import os
import platform

import keras


def gpu_names() -> list[str]:
    """The GPUs the current Keras backend sees, by name (``["NVIDIA H200"]``); empty without
    one."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return [
            tf.config.experimental.get_device_details(gpu).get("device_name", "GPU")
            for gpu in tf.config.list_physical_devices("GPU")
        ]
    if backend == "jax":
        import jax

        return [device.device_kind for device in jax.devices() if device.platform == "gpu"]
    if backend == "torch":
        import torch

        return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return []


def gpu_available() -> bool:
    """Whether the current Keras backend sees a GPU."""
    return bool(gpu_names())


def cpu_name() -> str:
    """The CPU's model name (``/proc/cpuinfo`` on Linux, else what ``platform`` knows) and its
    logical cores: ``"Intel(R) Xeon(R) CPU @ 2.20GHz, 2 cores"``."""
    name = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as file:
            name = next(line.split(":", 1)[1].strip() for line in file if "model name" in line)
    except (OSError, StopIteration):
        pass
    return f"{name}, {os.cpu_count()} cores"


def device_name() -> str:
    """The device in one line: ``"GPU: NVIDIA H200"`` (``"GPU: 8 x NVIDIA H200"``) where the
    Keras backend sees GPUs, else ``"CPU: "`` and :func:`cpu_name`."""
    gpus = collections.Counter(gpu_names())
    if gpus:
        return "GPU: " + ", ".join(
            name if count == 1 else f"{count} x {name}" for name, count in gpus.items()
        )
    return f"CPU: {cpu_name()}"
