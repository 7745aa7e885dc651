"""Training throughput (images/s after warm-up, synthetic data) and peak memory of registered
models, each beside its keras.applications twin where one exists.

    python benchmarks/train_throughput.py resnet50 --image-size 224 --batch-size 64
    python benchmarks/train_throughput.py vgg11 --image-size 32 --batch-size 32 --steps 10

Each model is measured in a fresh subprocess, so the peak memory is its own: on a GPU the
device's peak allocation (TensorFlow), on a CPU the process's peak resident memory (which
includes the framework, ~1 GB for TensorFlow). Results go to benchmarks/results/ as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# Our registered name -> keras.applications class name.
TWINS = {
    "vgg16": "VGG16",
    "vgg19": "VGG19",
    "resnet50": "ResNet50",
    "resnet101": "ResNet101",
    "resnet152": "ResNet152",
    "inception_v3": "InceptionV3",
    "inception_resnet_v2": "InceptionResNetV2",
    "densenet121": "DenseNet121",
    "densenet169": "DenseNet169",
    "densenet201": "DenseNet201",
    "mobilenet": "MobileNet",
}


def _peak_memory_mb() -> float:
    import keras

    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        if tf.config.list_physical_devices("GPU"):
            return tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**20
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure_one(name: str, twin: bool, args) -> dict:
    """Builds one model, trains it on one synthetic batch, and times ``args.steps`` steps."""
    import keras
    import numpy as np

    from cnn_keras import build_model, training

    policy = training.configure_precision(args.precision)
    shape = (args.image_size, args.image_size, 3)
    if twin:
        model = getattr(keras.applications, TWINS[name])(weights=None, input_shape=shape)
        label = f"keras.applications.{TWINS[name]}"
    else:
        model = build_model(name, input_shape=shape)
        label = name
    classes = model.output_shape[-1]
    model.compile(
        optimizer=keras.optimizers.SGD(0.01, momentum=0.9),
        loss=keras.losses.SparseCategoricalCrossentropy(),
    )
    rng = np.random.default_rng(0)
    x = rng.random((args.batch_size, *shape), dtype=np.float32)
    y = rng.integers(0, classes, args.batch_size)
    for _ in range(args.warmup):  # compilation and autotuning
        model.train_on_batch(x, y)
    start = time.perf_counter()
    for _ in range(args.steps):
        loss = model.train_on_batch(x, y)
    float(np.asarray(loss))  # wait for the device
    seconds = time.perf_counter() - start
    return {
        "model": label,
        "params": model.count_params(),
        "image_size": args.image_size,
        "batch_size": args.batch_size,
        "precision": policy,
        "warmup_steps": args.warmup,
        "steps": args.steps,
        "images_per_s": round(args.steps * args.batch_size / seconds, 1),
        "peak_memory_mb": round(_peak_memory_mb(), 1),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="+", help="registered model names")
    parser.add_argument("--image-size", type=int, default=224)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first (3)")
    parser.add_argument("--steps", type=int, default=10, help="timed steps (10)")
    parser.add_argument("--precision", default="auto", help="auto, float32 or mixed_float16")
    parser.add_argument("--no-twin", action="store_true", help="skip keras.applications")
    parser.add_argument("--results", default=os.path.join(HERE, "results"))
    parser.add_argument("--one", help=argparse.SUPPRESS)  # child: "name" or "name:twin"
    args = parser.parse_args(argv)
    if args.one:
        name, _, twin = args.one.partition(":")
        print("RESULT " + json.dumps(measure_one(name, bool(twin), args)))
        return 0
    runs = []
    for name in args.names:
        jobs = [name] + ([f"{name}:twin"] if name in TWINS and not args.no_twin else [])
        for job in jobs:
            child = [sys.executable, __file__, *(argv or sys.argv[1:]), "--one", job]
            done = subprocess.run(child, capture_output=True, text=True)
            if done.returncode:
                print(done.stderr[-3000:], file=sys.stderr)
                return done.returncode
            line = next(s for s in done.stdout.splitlines() if s.startswith("RESULT "))
            runs.append(json.loads(line.removeprefix("RESULT ")))
            print(
                f"{runs[-1]['model']}: {runs[-1]['images_per_s']} images/s, "
                f"peak {runs[-1]['peak_memory_mb']} MB",
                flush=True,
            )
    sys.path.insert(0, HERE)
    from common import write

    print("wrote", write("train_throughput", {"runs": runs}, args.results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
