"""The timed stretches of ``cpu_vs_torch.py``: ours (``cnn_keras.training.fit``) on the Keras
backend this process runs, and the PyTorch twin eager; each model is built and compiled once
per precision and kept for the next stretch."""

from __future__ import annotations

import gc
import time

_MODELS: dict = {}  # (net, precision) -> what a stretch needs, built on first use


def _keras_timer(warmup: int, seconds: float):
    import keras

    class StretchTimer(keras.callbacks.Callback):
        """Starts the clock at the end of batch ``warmup - 1`` and stops training once
        ``seconds`` have passed; reads the loss (waits for the step) only at those two ends."""

        def __init__(self):
            super().__init__()
            self.start = self.first = self.steps = self.elapsed = self.cpu = None

        def on_train_batch_end(self, batch, logs=None):
            if self.start is None and batch >= warmup - 1:
                float(logs["loss"])
                self.start, self.first = time.perf_counter(), batch
                self.cpu = time.process_time()
            elif (
                self.start is not None
                and self.elapsed is None
                and time.perf_counter() - self.start >= seconds
            ):
                float(logs["loss"])
                self.elapsed, self.steps = time.perf_counter() - self.start, batch - self.first
                self.cpu = time.process_time() - self.cpu
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            if self.elapsed is None:
                raise RuntimeError("the epoch ended before the stretch: raise BATCHES.")

    return StretchTimer()


BATCHES = 160  # training batches in the data set: more than any stretch trains


def keras_stretch(net, precision, *, seconds, batch_size, warmup, nets, options):
    """Trains ``net`` with ``fit`` for ``seconds`` after ``warmup`` batches: images per second
    of wall clock and of the process's CPU time, and the steps. The first call builds,
    compiles and loads the data."""
    import dataclasses

    import keras

    from cnn_keras import build_model, data, training

    key = (net, precision)
    first = key not in _MODELS
    if first:
        size, kwargs = nets[net]
        splits = data.load(
            "fashion_mnist",
            image_size=size,
            batch_size=batch_size,
            train_samples=batch_size * BATCHES,
            test_samples=batch_size,
            augment=None,
            normalize=True,
        )
        splits = dataclasses.replace(splits, test=None)
        keras.utils.set_random_seed(0)
        keras.config.set_dtype_policy(precision)
        model = build_model(net, input_shape=splits.image_shape, classes=10, **kwargs)
        keras.config.set_dtype_policy("float32")
        recipe = dataclasses.replace(training.recipe_for(net), batch_size=batch_size)
        _MODELS[key] = (model, splits, recipe)
    model, splits, recipe = _MODELS[key]
    # The NaN stop in line with the loop (as before issue 21): to measure what that costs.
    training.StopOnNonFinite.async_safe = options.get("nan_check", "async") != "inline"
    spe = options.get("steps_per_execution", "auto")
    jit = options.get("jit_compile", "auto")
    fit_kwargs = {
        "steps_per_execution": int(spe) if str(spe).isdigit() else spe,
        "jit_compile": {"true": True, "false": False}.get(str(jit).lower(), jit),
    }
    # A stretch stops its epoch midway, leaving a tf.data iterator behind; when the garbage
    # collector finalizes one during a later stretch, that stretch stalls for 2-15 s (measured on
    # AlexNet). Collected here, untimed.
    gc.collect()
    timer = _keras_timer(warmup, seconds)
    training.fit(
        model,
        splits,
        recipe=recipe,
        epochs=1,
        verbose=0,
        callbacks=[timer],
        compile=first,
        **(fit_kwargs if first else {}),
    )
    images = timer.steps * batch_size
    return {
        "images_per_s": images / timer.elapsed,
        "images_per_cpu_s": images / timer.cpu,
        "steps": timer.steps,
    }


def torch_stretch(net, precision, *, seconds, batch_size, warmup, nets, options):
    """Trains the PyTorch twin of ``net`` eagerly (SGD with momentum, cross-entropy; bfloat16
    autocast for ``mixed_bfloat16``) for ``seconds`` after ``warmup`` batches on preloaded
    batches: images per second of wall clock and of CPU time, and the steps."""
    import torch
    import torch_twin

    key = ("torch", net, precision)
    if key not in _MODELS:
        size, kwargs = nets[net]
        torch.manual_seed(0)
        if net == "resnet20_cifar":
            model = torch_twin.resnet20_option_a(channels=1, classes=10)
        else:
            from cnn_keras import build_model  # on Keras's numpy backend: only read

            ours = build_model(net, input_shape=(size, size, 1), classes=10, **kwargs)
            model = torch_twin.sequential_twin(ours)
        memory_format = getattr(torch, options.get("torch_memory_format", "contiguous_format"))
        model = model.to(memory_format=memory_format)
        model.train()
        batches = [
            (
                torch.randn(batch_size, 1, size, size).contiguous(memory_format=memory_format),
                torch.randint(0, 10, (batch_size,)),
            )
            for _ in range(8)
        ]
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        _MODELS[key] = (model, optimizer, batches)
    model, optimizer, batches = _MODELS[key]
    loss_fn = torch.nn.CrossEntropyLoss()
    bf16 = precision == "mixed_bfloat16"

    def step(i):
        x, y = batches[i % len(batches)]
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    gc.collect()  # as before ours: untimed
    for i in range(warmup):
        step(i)
    start, cpu, steps = time.perf_counter(), time.process_time(), 0
    while time.perf_counter() - start < seconds:
        step(steps)
        steps += 1
    images = steps * batch_size
    return {
        "images_per_s": images / (time.perf_counter() - start),
        "images_per_cpu_s": images / (time.process_time() - cpu),
        "steps": steps,
    }
