"""The callbacks that write no file: the NaN stop (:class:`StopOnNonFinite`, and the error
:func:`~cnn_keras.training.fitting.fit` raises after it) and the throughput timer."""

from __future__ import annotations

import math
import threading
import time

import keras


class NonFiniteLossError(RuntimeError):
    """The loss or the weights became NaN or infinite; ``history`` holds the epochs run
    before."""

    def __init__(self, message: str, history=None):
        super().__init__(message)
        self.history = history


def _finite(logs) -> bool:
    loss = (logs or {}).get("loss")
    return loss is None or math.isfinite(float(loss))


def weights_finite(model: keras.Model) -> bool:
    """Whether every floating-point weight of ``model`` (batch normalization's moving averages
    included) is finite, as the backend holds it. The logged loss is not enough: on JAX a batch
    of NaN images left the logged loss finite (about 2.30) while the weights became NaN."""
    checks = [
        keras.ops.all(keras.ops.isfinite(weight))
        for weight in model.weights
        if "float" in str(weight.dtype)
    ]
    return not checks or bool(keras.ops.all(keras.ops.stack(checks)))


class StopOnNonFinite(keras.callbacks.Callback):
    """Stops training at the first NaN or infinite batch loss, or at the end of an epoch whose
    weights are not all finite (:func:`weights_finite`), and remembers where: ``stopped_at`` is
    ``(epoch, batch or None, loss)``. Put it first: the callbacks after it read
    ``stopped_at`` and write nothing for that epoch.

    The batch check may run off the training loop's thread (``async_safe``): on JAX, Keras then
    hands each batch's end to a worker thread, and the next step starts without waiting for
    this one's loss; training stops a step or two after the first bad batch, which is still
    the one recorded. TensorFlow calls it in line whatever this says."""

    async_safe = True

    def __init__(self):
        super().__init__()
        self.epoch = 0
        self.stopped_at: tuple[int, int | None, float] | None = None
        self._lock = threading.Lock()

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if _finite(logs):
            return
        with self._lock:  # batch ends may be checked out of order: keep the earliest
            if self.stopped_at is None or (
                self.stopped_at[0] == self.epoch
                and self.stopped_at[1] is not None
                and batch < self.stopped_at[1]
            ):
                self.stopped_at = (self.epoch, batch, float(logs["loss"]))
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        if self.stopped_at is None and not weights_finite(self.model):
            self.stopped_at = (epoch, None, float((logs or {}).get("loss", math.nan)))
            self.model.stop_training = True

    def describe(self) -> str:
        """What went wrong, in a sentence (``stopped_at`` must be set)."""
        epoch, batch, loss = self.stopped_at
        if batch is None:
            return (
                f"The weights became NaN or infinite in epoch {epoch + 1} (the logged loss was "
                f"{loss}): training stopped."
            )
        return f"The loss became {loss} at epoch {epoch + 1}, batch {batch + 1}: training stopped."


class Throughput(keras.callbacks.Callback):
    """Training images per second, per epoch, timed from the first to the last batch of each
    epoch (the first epoch includes compilation; read the last). It only counts batch ends,
    so Keras may call it off the training loop's thread (``async_safe``)."""

    async_safe = True

    def __init__(self, batch_size: int):
        super().__init__()
        self.batch_size = batch_size
        self.images_per_s: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start, self._batches = None, 0

    def on_train_batch_begin(self, batch, logs=None):
        if self._start is None:
            self._start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        # The batch's index, not a count of calls: with steps_per_execution, one call ends
        # several batches, and calls may arrive out of order.
        self._batches = max(self._batches, batch + 1)

    def on_epoch_end(self, epoch, logs=None):
        if self._start is not None:
            seconds = time.perf_counter() - self._start
            self.images_per_s.append(self._batches * self.batch_size / max(seconds, 1e-9))
