"""Where a run trains: the dtype policy (mixed precision on a GPU), data parallelism over the
visible devices, and the versions and machine a result is recorded with."""

from __future__ import annotations

import contextlib
import sys

import keras

from cnn_keras import machine
from cnn_keras.checks import check_choice

POLICIES = ("auto", "float32", "mixed_float16", "mixed_bfloat16")


def configure_precision(policy: str = "auto") -> str:
    """Sets Keras's dtype policy before building: ``"auto"`` is ``mixed_float16`` on a GPU
    (XLA is then on too: ``jit_compile="auto"``) and ``float32`` on a CPU, where float16 is
    slower. Returns the policy's name."""
    check_choice("policy", policy, POLICIES)
    if policy == "auto":
        policy = "mixed_float16" if machine.gpu_available() else "float32"
    keras.config.set_dtype_policy(policy)
    return policy


def data_parallel() -> tuple[contextlib.AbstractContextManager, int]:
    """Data parallelism over every visible device: ``(scope, replicas)``.

    Build and compile the model inside ``scope``. On TensorFlow, a ``MirroredStrategy`` over
    the GPUs (else the logical CPUs); on JAX, ``keras.distribution.DataParallel`` over
    ``jax.devices()``. Other backends: one replica.

    Multi-worker: on TensorFlow set ``TF_CONFIG`` on each machine and use
    ``tf.distribute.MultiWorkerMirroredStrategy``; on JAX call ``jax.distributed.initialize()``
    first, then ``jax.devices()`` lists every host's devices (README, Training).
    """
    backend = keras.backend.backend()
    # Each backend's library is imported only on that backend: the other may not be installed.
    if backend == "tensorflow":
        import tensorflow as tf

        devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
        strategy = tf.distribute.MirroredStrategy(
            devices=[d.name for d in devices],
            cross_device_ops=None
            if devices[0].device_type == "GPU"
            else (tf.distribute.ReductionToOneDevice()),
        )
        return strategy.scope(), strategy.num_replicas_in_sync
    if backend == "jax":
        import jax

        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=jax.devices()))
        return contextlib.nullcontext(), jax.device_count()
    return contextlib.nullcontext(), 1


def versions() -> dict[str, str]:
    """Python's, Keras's and the loaded backends' versions, and the machine, for a result."""
    found = {"python": sys.version.split()[0], "keras": keras.__version__}
    for module in ("tensorflow", "jax"):
        if module in sys.modules and sys.modules[module] is not None:
            found[module] = getattr(sys.modules[module], "__version__", "?")
    found["machine"] = machine.device_name()
    return found
