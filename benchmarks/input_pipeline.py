"""Input-pipeline throughput alone (images/s, no model): cnn_keras.data.load's tf.data pipeline
and the NumPy ArrayDataset, with and without augmentation.

    python benchmarks/input_pipeline.py --dataset digits --image-size 32
    python benchmarks/input_pipeline.py --dataset cifar10 --image-size 32 --augment cifar
"""

from __future__ import annotations

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def images_per_s(dataset, epochs: int) -> float:
    """Iterates ``epochs`` epochs after one warm-up epoch; images per second."""
    for _ in dataset:  # warm-up: tf.data autotuning, caches
        pass
    count, start = 0, time.perf_counter()
    for _ in range(epochs):
        if hasattr(dataset, "on_epoch_end"):
            for i in range(len(dataset)):
                count += len(dataset[i][1])
            dataset.on_epoch_end()
        else:
            for _, labels in dataset:
                count += int(labels.shape[0])
    return count / (time.perf_counter() - start)


def main(argv=None) -> int:
    from cnn_keras import data

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="digits")
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs (3)")
    parser.add_argument("--augment", nargs="+", default=["none", "auto"])
    parser.add_argument("--results", default=os.path.join(HERE, "results"))
    args = parser.parse_args(argv)
    runs = []
    for backend in ("tf", "numpy"):
        for augment in args.augment:
            splits = data.load(
                args.dataset,
                image_size=args.image_size,
                batch_size=args.batch_size,
                augment=augment,
                normalize=True,
                backend=backend,
            )
            rate = images_per_s(splits.train, args.epochs)
            runs.append(
                {
                    "pipeline": "tf.data" if backend == "tf" else "ArrayDataset",
                    "augment": splits.augment,
                    "images_per_s": round(rate, 1),
                }
            )
            print(runs[-1], flush=True)
    sys.path.insert(0, HERE)
    from common import write

    payload = {
        "dataset": args.dataset,
        "image_size": args.image_size,
        "batch_size": args.batch_size,
        "runs": runs,
    }
    print("wrote", write("input_pipeline", payload, args.results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
