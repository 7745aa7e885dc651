"""Training throughput of what `cnn-keras train` runs, beside the compiled ceiling, the
keras.applications twin and PyTorch, on the machine this runs on.

    python benchmarks/train_throughput.py                   # resnet20_cifar and resnet50
    KERAS_BACKEND=jax python benchmarks/train_throughput.py resnet50 --image-size 224 \\
        --batch-size 128 --precision mixed_bfloat16        # a GPU

For each model, in a fresh subprocess, images/s after warm-up of:

- ``fit``: ``cnn_keras.training.fit`` (the recipe's optimizer, its callbacks, ``model.fit``) on
  ``cnn_keras.data.load``'s pipeline (``tf.data`` with TensorFlow, the NumPy ``ArrayDataset``
  without) of Fashion-MNIST resized to the image size (synthetic images in Fashion-MNIST's files
  when the set is not on disk). A callback times the training batches after the first
  ``--warmup`` of each round; the validation pass is left out.
- ``ceiling``: the same model's train step compiled with nothing around it, on one batch already
  on the device: on JAX a jitted step over ``model.stateless_call`` and
  ``optimizer.stateless_apply`` with its state donated; on TensorFlow ``model.train_step`` under
  ``tf.function(jit_compile=True)`` on a tensor batch.
- ``twin``: the keras.applications network (``fit``, same path), where one exists.
- ``torch``: ``benchmarks/torch_twin.py`` (eager and ``torch.compile``) when torch is installed.

``fit`` and ``ceiling`` run interleaved in rounds (fit, ceiling, twin, fit, ceiling, twin, ...)
and each is reported as the median over rounds, so load from other jobs hits both alike. The
table gives each and ``fit/ceiling``; the JSON in ``benchmarks/results/`` also has every round.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time

import keras

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MODELS = ("resnet20_cifar", "resnet50")


def default_image_size(name: str, gpu: bool) -> int:
    """32 px for the CIFAR nets; 64 px on a CPU, the paper's 224 on a GPU for the others."""
    if name.endswith("_cifar"):
        return 32
    return 224 if gpu else 64


# ---------------------------------------------------------------------------------------------
# Data: the project's pipeline.


def write_synthetic_fashion_mnist(folder: str, train: int, test: int, seed: int = 0) -> str:
    """Random 28x28 images and labels in Fashion-MNIST's four idx files, so that
    ``cnn_keras.data.load("fashion_mnist", data_dir=folder)`` runs its own pipeline on a machine
    without the data set. Returns ``folder``."""
    import numpy as np

    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    for split, count in (("train", train), ("t10k", test)):
        images = rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, count, dtype=np.uint8)
        with gzip.open(os.path.join(folder, f"{split}-images-idx3-ubyte.gz"), "wb") as file:
            file.write(struct.pack(">IIII", 2051, count, 28, 28) + images.tobytes())
        with gzip.open(os.path.join(folder, f"{split}-labels-idx1-ubyte.gz"), "wb") as file:
            file.write(struct.pack(">II", 2049, count) + labels.tobytes())
    return folder


def load_splits(image_size: int, batch_size: int, batches: int, data: str, pipeline: str = "auto"):
    """``cnn_keras.data.load`` of ``batches`` training batches of Fashion-MNIST, or where the
    set is not on disk (``data="auto"``) of synthetic images in its files, without augmentation
    (the ``smoke`` and ``cpu`` profiles' setting), normalized, through ``pipeline``
    (``data.load``'s ``backend``: ``"tf"``, ``"numpy"`` or ``"auto"``). Returns
    ``(splits, what)``: ``"fashion_mnist"`` or ``"synthetic"``."""
    from cnn_keras import data as data_module

    if data not in ("auto", "fashion_mnist"):
        raise ValueError(f"data must be 'auto' or 'fashion_mnist'; received data={data!r}.")
    data_dir = None
    try:
        data_module.find_fashion_mnist()
        data = "fashion_mnist"
    except FileNotFoundError:
        if data == "fashion_mnist":
            raise
        data = "synthetic"
        data_dir = write_synthetic_fashion_mnist(
            tempfile.mkdtemp(prefix="cnn_keras_bench_"), batch_size * batches, batch_size
        )
    splits = data_module.load(
        "fashion_mnist",
        image_size=image_size,
        batch_size=batch_size,
        train_samples=batch_size * batches,
        test_samples=batch_size,
        augment=None,
        normalize=True,
        data_dir=data_dir,
        backend=pipeline,
    )
    return splits, data


# ---------------------------------------------------------------------------------------------
# What is timed.


class BatchTimer(keras.callbacks.Callback):
    """Seconds from the end of training batch ``warmup - 1`` to the end of the last batch of
    each epoch, as ``rounds``: ``(steps, seconds)``. The loss is read as a number at each batch
    end (the project's NaN stop reads it too), so the step is finished when the clock is read."""

    def __init__(self, warmup: int):
        super().__init__()
        self.warmup = warmup
        self.rounds: list[tuple[int, float]] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._marks: list[tuple[int, float]] = []

    def on_train_batch_end(self, batch, logs=None):
        if logs and "loss" in logs:
            float(logs["loss"])
        self._marks.append((batch, time.perf_counter()))

    def on_epoch_end(self, epoch, logs=None):
        timed = [(b, t) for b, t in self._marks if b >= self.warmup - 1]
        if len(timed) >= 2:
            (b0, t0), (b1, t1) = timed[0], timed[-1]
            self.rounds.append((b1 - b0, t1 - t0))


def fit_round(model, splits, recipe, timer, *, first: bool, fit_kwargs: dict) -> float:
    """One epoch of ``cnn_keras.training.fit``; images/s over its batches after the warm-up."""
    from cnn_keras import training

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
    steps, seconds = timer.rounds[-1]
    return steps * recipe.batch_size / seconds


def make_ceiling_step(model, x, y):
    """The model's train step compiled alone, on a batch already on the device: a function
    ``run(steps) -> images/s`` (the first call compiles: warm it up)."""
    batch = int(x.shape[0])
    if keras.backend.backend() == "jax":
        import jax

        optimizer, loss_fn = model.optimizer, model.loss

        def loss_and_state(trainable, non_trainable, x, y):
            y_pred, non_trainable, losses = model.stateless_call(
                trainable, non_trainable, x, training=True, return_losses=True
            )
            loss = loss_fn(y, y_pred) + sum(losses)
            return optimizer.scale_loss(loss), (loss, non_trainable)

        grad = jax.value_and_grad(loss_and_state, has_aux=True)

        def step(trainable, non_trainable, optimizer_vars, x, y):
            (_, (loss, non_trainable)), grads = grad(trainable, non_trainable, x, y)
            trainable, optimizer_vars = optimizer.stateless_apply(optimizer_vars, grads, trainable)
            return trainable, non_trainable, optimizer_vars, loss

        step = jax.jit(step, donate_argnums=(0, 1, 2))
        x, y = jax.device_put(x), jax.device_put(y)

        def run(steps: int) -> float:
            groups = (
                model.trainable_variables,
                model.non_trainable_variables,
                optimizer.variables,
            )
            # Copies: the step donates its state, the model's variables must stay valid.
            state = [[jax.numpy.array(v.value, copy=True) for v in g] for g in groups]
            jax.block_until_ready(state)
            start = time.perf_counter()
            for _ in range(steps):
                *state, loss = step(*state, x, y)
            jax.block_until_ready(loss)
            seconds = time.perf_counter() - start
            for group, values in zip(groups, state, strict=True):
                for variable, value in zip(group, values, strict=True):
                    variable.assign(value)
            return steps * batch / seconds

        return run
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        step = tf.function(model.train_step, jit_compile=True)
        data = (tf.constant(x), tf.constant(y))

        def run(steps: int) -> float:
            start = time.perf_counter()
            for _ in range(steps):
                logs = step(data)
            float(logs["loss"])
            return steps * batch / (time.perf_counter() - start)

        return run
    raise ValueError(
        f"the compiled ceiling is measured on the jax and tensorflow backends; the backend is "
        f"{keras.backend.backend()!r}."
    )


def make_train_on_batch(model, x, y):
    """Keras's own compiled train function (metrics included) called once per step by
    ``train_on_batch`` on a batch already on the device: ``run(steps) -> images/s``."""
    x, y = keras.ops.convert_to_tensor(x), keras.ops.convert_to_tensor(y)

    def run(steps: int) -> float:
        start = time.perf_counter()
        for _ in range(steps):
            model.train_on_batch(x, y)  # returns NumPy numbers: the step is done
        return steps * int(x.shape[0]) / (time.perf_counter() - start)

    return run


def fit_arrays_round(model, x, y, recipe, timer) -> float:
    """One epoch of ``model.fit`` on in-memory NumPy arrays with :func:`fit`'s callbacks: fit
    without the project's pipeline."""
    from cnn_keras import training

    model.fit(
        x,
        y,
        batch_size=recipe.batch_size,
        epochs=1,
        shuffle=False,
        verbose=0,
        callbacks=training.callbacks_for(recipe) + [timer],
    )
    steps, seconds = timer.rounds[-1]
    return steps * recipe.batch_size / seconds


def _arrays(splits):
    import numpy as np

    images, labels = zip(*((np.asarray(a), np.asarray(b)) for a, b in splits.train), strict=True)
    return np.concatenate(images), np.concatenate(labels)


def measure_model(
    name: str,
    *,
    image_size: int,
    batch_size: int,
    warmup: int = 2,
    steps: int = 5,
    rounds: int = 2,
    precision: str = "auto",
    twin: bool = True,
    data: str = "auto",
    steps_per_execution="auto",
    jit_compile="auto",
    width_multiplier: float | None = None,
    breakdown: bool = False,
    pipeline: str = "auto",
) -> dict:
    """Measures ``fit``, ``ceiling`` and (where one exists) ``twin`` for one model, interleaved
    over ``rounds``; images/s of each round and their medians. ``breakdown`` adds, between fit
    and the ceiling, ``fit_arrays`` (``model.fit`` on NumPy arrays: no project pipeline) and
    ``train_on_batch`` (Keras's train function on a device batch: no input, no callbacks)."""
    from cnn_keras import build_model, get_spec, training

    for arg, value in (("warmup", warmup), ("steps", steps), ("rounds", rounds)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{arg} must be an int >= 1; received {arg}={value!r}.")
    keras.utils.set_random_seed(0)
    policy = training.configure_precision(precision)
    splits, data_used = load_splits(image_size, batch_size, warmup + steps, data, pipeline)
    splits = dataclasses.replace(splits, test=None)  # no validation pass in the timed epochs
    shape, classes = splits.image_shape, splits.num_classes
    recipe = dataclasses.replace(training.recipe_for(name), batch_size=batch_size)
    kwargs = {} if width_multiplier is None else {"width_multiplier": width_multiplier}
    ours = build_model(name, input_shape=shape, classes=classes, **kwargs)
    fit_kwargs = {"steps_per_execution": steps_per_execution, "jit_compile": jit_compile}
    runs = {"fit": (ours, BatchTimer(warmup))}
    twin_name = get_spec(name).twin  # the keras.applications twin, if any
    if twin and twin_name:
        model = getattr(keras.applications, twin_name)(
            weights=None, input_shape=shape, classes=classes
        )
        runs["twin"] = (model, BatchTimer(warmup))
    order = ("fit", "fit_arrays", "train_on_batch", "ceiling", "twin")
    order = order if breakdown else ("fit", "ceiling", "twin")
    rates: dict[str, list[float]] = {what: [] for what in order}
    ceiling = on_batch = None
    for r in range(rounds):
        for what in order:
            if what == "fit_arrays":
                if r == 0:
                    x_all, y_all = _arrays(splits)
                    arrays_timer = BatchTimer(warmup)
                rates[what].append(fit_arrays_round(ours, x_all, y_all, recipe, arrays_timer))
            elif what == "train_on_batch":
                if on_batch is None:
                    on_batch = make_train_on_batch(ours, x_all[:batch_size], y_all[:batch_size])
                    on_batch(warmup)
                rates[what].append(on_batch(steps))
            elif what == "ceiling":
                if ceiling is None:
                    x, y = _arrays(splits)
                    ceiling = make_ceiling_step(ours, x[:batch_size], y[:batch_size])
                    ceiling(warmup)  # compiles
                rates["ceiling"].append(ceiling(steps))
            elif what in runs:
                model, timer = runs[what]
                rates[what].append(
                    fit_round(model, splits, recipe, timer, first=r == 0, fit_kwargs=fit_kwargs)
                )
    medians = {k: round(statistics.median(v), 1) for k, v in rates.items() if v}
    return {
        "model": name,
        "twin": f"keras.applications.{twin_name}" if "twin" in runs else None,
        "params": ours.count_params(),
        "image_shape": list(shape),
        "batch_size": batch_size,
        "precision": policy,
        "data": data_used,
        "pipeline": type(splits.train).__name__,
        "steps_per_execution": ours.steps_per_execution,
        "jit_compile_fit": bool(ours.jit_compile),
        "warmup_steps": warmup,
        "timed_steps": steps,
        "rounds": rounds,
        "images_per_s": medians,
        "images_per_s_rounds": {k: [round(x, 1) for x in v] for k, v in rates.items() if v},
        "fit_over_ceiling": round(medians["fit"] / medians["ceiling"], 3),
    }


# ---------------------------------------------------------------------------------------------
# The command.


def _child(argv: list[str]) -> tuple[int, dict | None, str]:
    done = subprocess.run([sys.executable, *argv], capture_output=True, text=True)
    line = next((s for s in done.stdout.splitlines() if s.startswith("RESULT ")), None)
    if done.returncode or line is None:
        return done.returncode or 1, None, done.stderr[-3000:]
    return 0, json.loads(line.removeprefix("RESULT ")), ""


def format_table(runs: list[dict], torch_runs: list[dict]) -> str:
    """The printed table: one row per model, images/s of each configuration."""
    head = "| model | image, batch | fit (ours) | ceiling | fit/ceiling | keras.applications |"
    head += " torch eager | torch.compile |"
    lines = [head, "|" + " --- |" * (head.count("|") - 1)]
    for run in runs:
        rate = run["images_per_s"]
        torch_rates = {
            t["mode"]: t["images_per_s"] for t in torch_runs if t["model"] == run["model"]
        }
        size = run["image_shape"]
        lines.append(
            f"| {run['model']} | {size[0]}x{size[1]}x{size[2]}, {run['batch_size']} | "
            f"{rate['fit']} | {rate['ceiling']} | {run['fit_over_ceiling']:.2f} | "
            f"{rate.get('twin', '-')} | {torch_rates.get('eager', '-')} | "
            f"{torch_rates.get('compile', '-')} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=list(DEFAULT_MODELS), help="models")
    parser.add_argument(
        "--image-size", type=int, help="default: 32 for *_cifar, else 64 on a CPU, 224 on a GPU"
    )
    parser.add_argument("--batch-size", type=int, help="default: 32 on a CPU, 128 on a GPU")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps per round (2)")
    parser.add_argument("--steps", type=int, default=4, help="timed steps per round (4)")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds (2)")
    parser.add_argument("--precision", default="auto", help="auto, float32, mixed_*float16")
    parser.add_argument("--steps-per-execution", default="auto", help="compile_model's (auto)")
    parser.add_argument("--jit-compile", default="auto", help="compile_model's (auto)")
    parser.add_argument(
        "--data",
        default="auto",
        help="auto (synthetic where Fashion-MNIST is missing) or fashion_mnist",
    )
    parser.add_argument("--pipeline", default="auto", help="data.load's backend: auto, tf, numpy")
    parser.add_argument("--width-multiplier", type=float, help=argparse.SUPPRESS)  # tests
    parser.add_argument("--no-twin", action="store_true", help="skip keras.applications")
    parser.add_argument(
        "--breakdown", action="store_true", help="also fit on arrays and train_on_batch"
    )
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch twin")
    parser.add_argument("--note", default="", help="recorded with the results")
    parser.add_argument("--results", default=os.path.join(HERE, "results"), help="'' to skip")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # child: the model to measure
    args = parser.parse_args(argv)
    sys.path.insert(0, HERE)
    from common import environment, write

    from cnn_keras.machine import gpu_available

    gpu = gpu_available()
    if args.one:
        spe = args.steps_per_execution
        jit = args.jit_compile
        result = measure_model(
            args.one,
            image_size=args.image_size or default_image_size(args.one, gpu),
            batch_size=args.batch_size or (128 if gpu else 32),
            warmup=args.warmup,
            steps=args.steps,
            rounds=args.rounds,
            precision=args.precision,
            twin=not args.no_twin,
            data=args.data,
            steps_per_execution=int(spe) if spe.isdigit() else spe,
            jit_compile={"true": True, "false": False}.get(jit.lower(), jit),
            width_multiplier=args.width_multiplier,
            breakdown=args.breakdown,
            pipeline=args.pipeline,
        )
        print("RESULT " + json.dumps(result))
        return 0
    env = environment()
    print(f"{env['device']}, keras {env['versions']['keras']} on {env['backend']}", flush=True)
    start = time.perf_counter()
    runs, path = [], None
    passed = list(argv if argv is not None else sys.argv[1:])
    options = [a for a in passed if a not in args.names]
    for name in args.names:
        code, result, error = _child([os.path.abspath(__file__), *options, "--one", name])
        if code:
            print(error, file=sys.stderr)
            return code
        runs.append(result)
        if args.results:  # after each model: a run stopped halfway keeps what it measured
            path = write("train_throughput", {"note": args.note, "runs": runs}, args.results, path)
        rates = ", ".join(f"{k} {v}" for k, v in result["images_per_s"].items())
        print(f"{name}: {rates} images/s; fit/ceiling {result['fit_over_ceiling']:.2f}", flush=True)
    torch_runs: list[dict] = []
    if not args.no_torch:
        torch_args = [os.path.join(HERE, "torch_twin.py"), *args.names, "--json"]
        for run in runs:
            torch_args += ["--shape", f"{run['model']}={','.join(map(str, run['image_shape']))}"]
        torch_args += ["--batch-size", str(runs[0]["batch_size"])] if runs else []
        torch_args += ["--warmup", str(args.warmup), "--steps", str(args.steps)]
        done = subprocess.run([sys.executable, *torch_args], capture_output=True, text=True)
        for line in done.stdout.splitlines():
            if line.startswith("RESULT "):
                torch_runs.append(json.loads(line.removeprefix("RESULT ")))
            elif line.strip():
                print(line, flush=True)
        if done.returncode:
            print(done.stderr[-2000:], file=sys.stderr)
    print()
    print(format_table(runs, torch_runs))
    print(
        "\nimages/s after warm-up, median of the rounds. fit: cnn_keras.training.fit on the "
        "project's data pipeline; ceiling: the same train step compiled alone on a batch "
        "already on the device (jax: jitted stateless step; tensorflow: tf.function with XLA)."
    )
    print(f"took {time.perf_counter() - start:.0f} s")
    if args.results:
        payload = {"note": args.note, "runs": runs, "torch": torch_runs}
        print("wrote", write("train_throughput", payload, args.results, path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
