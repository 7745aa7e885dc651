"""The ``cnn-keras`` command: list the models with their costs, print one model's layer table."""

from __future__ import annotations

import argparse
import sys


def _models(args: argparse.Namespace) -> int:
    import keras

    from cnn_keras import analysis, get_spec, list_models

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
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
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


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
    summary.add_argument("--input-size", type=int, help="square input size (default: paper's)")
    summary.add_argument(
        "--skip-inplace", action="store_true", help="leave out activation and dropout rows"
    )
    summary.set_defaults(run=_summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``cnn-keras``; returns the exit status."""
    args = make_parser().parse_args(argv)
    try:
        return args.run(args)
    except ValueError as error:
        print(f"cnn-keras: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
