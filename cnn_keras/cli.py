"""The ``cnn-keras`` command: list the models with their costs, print one model's layer table,
compare, train, and run a lesson's experiment."""

from __future__ import annotations

import argparse
import math
import sys


class UsageError(ValueError):
    """A bad command line (argparse's own errors included)."""


class _Parser(argparse.ArgumentParser):
    """Errors as a ``UsageError``: :func:`main` prints one line, no usage block."""

    def error(self, message):
        raise UsageError(f"{self.prog}: {message}")


def _integer(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"{text} is below {minimum}; give an integer >= {minimum}")
    return value


def positive_int(text: str) -> int:
    """An argparse ``type``: an integer >= 1."""
    return _integer(text, 1)


def non_negative_int(text: str) -> int:
    """An argparse ``type``: an integer >= 0."""
    return _integer(text, 0)


def positive_float(text: str) -> float:
    """An argparse ``type``: a finite number > 0 (not ``nan``, not ``inf``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a finite number > 0 (0.01, 0.5 ...)")
    return value


def _models(args: argparse.Namespace) -> int:
    import keras

    from cnn_keras import analysis, get_spec, list_models, text_table

    names = args.names or list_models()
    for name in names:
        get_spec(name)  # unknown names fail before the slow builds start
    header = ("model", "params", "MACs", "input", "paper")
    rows = []
    for name in names:
        spec = get_spec(name)
        model = spec.build()
        rows.append(
            (
                name,
                analysis.human(analysis.count_params(model).total),
                analysis.human(analysis.count_macs(model)),
                "x".join(map(str, spec.input_shape)),
                spec.paper,
            )
        )
        keras.backend.clear_session()
        print(f"built {name}", file=sys.stderr, flush=True)
    print(text_table.format_table(header, rows, align="lrrll"))
    return 0


def _summary(args: argparse.Namespace) -> int:
    from cnn_keras import analysis, build_model, get_spec

    spec = get_spec(args.name)
    kwargs = {}
    if args.input_size is not None:
        kwargs["input_shape"] = (args.input_size, args.input_size, 3)
    model = build_model(args.name, **kwargs)
    print(f"{args.name}: {spec.paper}, input {model.input_shape[1:]}")
    print(analysis.format_table(analysis.layer_table(model), skip_inplace=args.skip_inplace))
    return 0


def _compare(args: argparse.Namespace) -> int:
    from cnn_keras import compare

    paths = compare.run(
        args.names,
        output=args.output,
        latency=args.latency,
        batch_sizes=args.batch_sizes,
        warmup=args.warmup,
        repeats=args.repeats,
    )
    for path in paths.values():
        print(f"wrote {path}")
    return 0


def _train(args: argparse.Namespace) -> int:
    import json

    from cnn_keras import training
    from cnn_keras.plan import plan_run

    plan = plan_run(
        args.name,
        args.profile,
        dataset=args.dataset,
        epochs=args.epochs,
        batch_size=args.batch_size,
        image_size=args.image_size,
        train_samples=args.train_samples,
        width_multiplier=args.width_multiplier,
        learning_rate=args.learning_rate,
        seed=args.seed,
    )
    print(plan)
    if args.plan_only:
        return 0
    result = training.run(
        plan,
        args.output,
        distribute=args.distribute,
        precision=args.precision,
        verbose=args.verbose,
        data_dir=args.data_dir,
        manual_dir=args.manual_dir,
        download=args.download,
    )
    print(json.dumps({k: v for k, v in result.items() if k != "versions"}, indent=2))
    return 0


def _experiment(args: argparse.Namespace) -> int:
    from cnn_keras import experiments

    if args.list:
        for name in experiments.list_experiments():
            experiment = experiments.get_experiment(name)
            print(f"{name:<28} lesson {experiment.lesson}  {experiment.question}")
        return 0
    names = experiments.list_experiments() if args.all else args.names
    if not names:
        raise UsageError("cnn-keras experiment: name an experiment, or give --all or --list")
    if args.output and len(names) > 1:
        raise UsageError("cnn-keras experiment: --output takes one experiment, not several")
    for name in names:
        experiments.get_experiment(name)  # unknown names fail before anything trains
    for name in names:
        results = experiments.run(
            name, seeds=args.seeds, profile=args.profile, output=args.output, fresh=args.fresh
        )
        print(experiments.summary(results), flush=True)
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="cnn-keras",
        description="Keras 3 builders for the classic ImageNet CNNs, and what they cost.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    models = commands.add_parser(
        "models",
        help="table of registered models: parameters, MACs, input size, paper",
        description="Build each registered model at its paper's input size and print its "
        "parameters, multiply-accumulates, input size and paper.",
    )
    models.add_argument("names", nargs="*", help="models to list (default: all)")
    models.set_defaults(run=_models)
    summary = commands.add_parser(
        "summary",
        help="per-layer table of one model",
        description="Print one model's per-layer table: output shape, parameters, "
        "multiply-accumulates, activations and receptive field.",
    )
    summary.add_argument("name", help="a registered model name (see 'cnn-keras models')")
    summary.add_argument(
        "--input-size", type=positive_int, help="square input size (default: paper's)"
    )
    summary.add_argument(
        "--skip-inplace", action="store_true", help="leave out activation and dropout rows"
    )
    summary.set_defaults(run=_summary)
    compare = commands.add_parser(
        "compare",
        help="compare the ImageNet models: costs, published accuracy, latency, charts",
        description="Build every registered ImageNet model (or those named) at its paper's "
        "input size; print parameters, MACs, memory and published accuracy; optionally time "
        "inference; write the table (CSV) and the accuracy charts (PNG, SVG) into --output.",
    )
    compare.add_argument("names", nargs="*", help="ImageNet models (default: all)")
    compare.add_argument(
        "--output", default="build/compare", help="folder for the CSV and charts (build/compare)"
    )
    compare.add_argument(
        "--latency", action="store_true", help="also time inference on this device"
    )
    compare.add_argument(
        "--batch-sizes",
        type=positive_int,
        nargs="+",
        default=[1, 32],
        help="batches to time (1 32)",
    )
    compare.add_argument(
        "--warmup", type=non_negative_int, default=2, help="untimed calls first (2)"
    )
    compare.add_argument("--repeats", type=positive_int, default=5, help="timed calls, median (5)")
    compare.set_defaults(run=_compare)
    train = commands.add_parser(
        "train",
        help="train a model with its paper's recipe; resumes an interrupted run",
        description="Train a registered model on a data set with its paper's recipe at a "
        "profile's size. Writes log.csv, tensorboard/, best.keras, last.keras, history.png and "
        "result.json (test accuracy, throughput) into --output. Run the same command again "
        "after an interruption to resume.",
    )
    train.add_argument("name", help="a registered model name (see 'cnn-keras models')")
    train.add_argument(
        "--dataset",
        help="fashion_mnist (offline), digits, cifar10, cifar100, imagenette, "
        "imagenet2012 or a folder (default: the profile's, fashion_mnist on smoke and cpu)",
    )
    train.add_argument("--epochs", type=positive_int, help="epochs (default: the profile's)")
    train.add_argument(
        "--batch-size", type=positive_int, help="batch per replica (default: profile's)"
    )
    train.add_argument("--profile", help="smoke, cpu or full (default: $CNN_KERAS_PROFILE)")
    train.add_argument("--output", help="run folder (default: runs/MODEL-DATASET)")
    train.add_argument(
        "--image-size", type=positive_int, help="square input (default: the profile's)"
    )
    train.add_argument(
        "--train-samples", type=positive_int, help="training images to use (default: all)"
    )
    train.add_argument(
        "--width-multiplier",
        type=positive_float,
        help="scale every width (default: the profile's)",
    )
    train.add_argument("--learning-rate", type=positive_float, help="default: the recipe's, scaled")
    train.add_argument(
        "--distribute", action="store_true", help="data-parallel on every visible device"
    )
    train.add_argument(
        "--precision",
        default="auto",
        choices=["auto", "float32", "mixed_float16", "mixed_bfloat16"],
        help="auto (default), float32, mixed_float16 or mixed_bfloat16",
    )
    train.add_argument(
        "--data-dir",
        help="a folder holding Fashion-MNIST's four files, or tensorflow-datasets' folder",
    )
    train.add_argument("--manual-dir", help="folder of a manual download (ImageNet's tars)")
    train.add_argument("--download", action="store_true", help="download a missing data set")
    train.add_argument("--seed", type=non_negative_int, default=0, help="random seed (0)")
    train.add_argument(
        "--plan-only",
        action="store_true",
        help="print the run plan (every setting and where it comes from) and stop",
    )
    train.add_argument(
        "--verbose", type=int, choices=[0, 1, 2], default=1, help="Keras verbose: 0, 1 or 2 (1)"
    )
    train.set_defaults(run=_train)
    experiment = commands.add_parser(
        "experiment",
        help="run a lesson's experiment: every arm on every seed, then the verdict",
        description="Train every arm of an experiment on every seed, print one line per "
        "run, write the rows (data/experiments/NAME.csv on the cpu profile), and end with "
        "the summary (mean and std per arm, paired differences with 95 %% intervals) and the "
        "verdict. Finished runs are read back from runs/experiments, not trained again.",
    )
    experiment.add_argument("names", nargs="*", metavar="NAME", help="experiments to run")
    experiment.add_argument("--list", action="store_true", help="list the experiments")
    experiment.add_argument("--all", action="store_true", help="run every experiment")
    experiment.add_argument(
        "--seeds", type=positive_int, help="seeds 0 .. N-1 (default: the experiment's)"
    )
    experiment.add_argument(
        "--profile", default="cpu", help="cpu (default: the committed results), smoke or full"
    )
    experiment.add_argument("--output", help="the CSV to write (default: see above)")
    experiment.add_argument(
        "--fresh", action="store_true", help="train every run again, even a finished one"
    )
    experiment.set_defaults(run=_experiment)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``cnn-keras``; returns the exit status: 0, 2 for a bad argument or a
    file or data set that cannot be read or written (one line on stderr, ``cnn-keras: error:
    ...``, no traceback), 4 when training stopped on a NaN loss."""
    from cnn_keras.training import NonFiniteLossError

    try:
        args = make_parser().parse_args(argv)
        return args.run(args)
    except (ValueError, OSError) as error:  # OSError: FileNotFoundError, ConnectionError ...
        print(f"cnn-keras: error: {_one_line(error)}", file=sys.stderr)
        return 2
    except NonFiniteLossError as error:
        print(f"cnn-keras: error: {_one_line(error)}", file=sys.stderr)
        return 4


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    if isinstance(error, OSError) and error.filename and error.filename not in text:
        text += f": {error.filename}"
    return text or type(error).__name__


if __name__ == "__main__":
    sys.exit(main())
