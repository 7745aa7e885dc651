"""Comparing the ImageNet models side by side (Canziani et al., 2017): what each costs and what
it scores.

For every registered ImageNet model (or the ones named) :func:`compare` builds the model at its
paper's input size and measures, with :mod:`cnn_keras.analysis`:

- **parameters** (trainable and not) and **MACs** (multiply-accumulates for one image, what the
  papers call "FLOPs" or "multiply-adds");
- **activation memory** (float32 bytes of the distinct tensors of one forward pass for one
  image) and **weight memory** (float32 bytes of the parameters);
- optionally the **inference latency** at batch 1 and batch 32 on the current device: the
  median of a few timed ``predict_on_batch`` calls after warm-up calls (the first calls trace
  and compile).

It joins the published accuracies of ``cnn_keras/tables/published_accuracy.csv`` (top-1 and
top-5, single crop where the source gives one, each with its source) and writes the table as
CSV and the accuracy charts as PNG and SVG (``cnn-keras compare``). The table itself (its row,
its CSV, the published accuracies) is :mod:`cnn_keras.compare.table`, the charts
:mod:`cnn_keras.compare.charts`.

Reference: [An Analysis of Deep Neural Network Models for Practical Applications](
https://arxiv.org/abs/1605.07678) (Canziani, Paszke and Culurciello, arXiv 2017).
"""

from __future__ import annotations

import os
import re
import statistics
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import keras
import numpy as np

from cnn_keras import analysis, text_table
from cnn_keras.checks import check_int, check_ints
from cnn_keras.compare.table import ComparisonRow, load_published, write_csv
from cnn_keras.registry import get_spec, list_models

TABLE_NAME = "complexity.csv"
DEFAULT_BATCH_SIZES = (1, 32)


def _year(paper: str) -> int | None:
    years = re.findall(r"\b(?:19|20)\d\d\b", paper)
    return int(years[-1]) if years else None


def check_names(names: Iterable[str] | None) -> list[str]:
    """The names to compare: all registered ImageNet models when ``names`` is empty.

    Raises:
        ValueError: for a name that is not a registered ImageNet model, listing those that are.
    """
    known = list_models(imagenet=True)
    names = list(names or known)
    for name in names:
        if name not in known:
            raise ValueError(
                f"names: unknown ImageNet model {name!r}; registered ImageNet models: "
                f"{', '.join(known)}."
            )
    return names


def check_batch_sizes(batch_sizes: Iterable[int]) -> tuple[int, ...]:
    """``batch_sizes`` as a tuple of positive ints.

    Raises:
        ValueError: if one is not an int >= 1, or none is given.
    """
    return check_ints(
        "batch_sizes", tuple(batch_sizes), minimum=1, hint=f"such as {DEFAULT_BATCH_SIZES}"
    )


def check_output(output: str | os.PathLike) -> Path:
    """Creates the folder ``output`` if needed and checks that a file can be written there.

    Raises:
        ValueError: if it is a file, or cannot be created or written, with the reason.
    """
    folder = Path(output)
    if folder.exists() and not folder.is_dir():
        raise ValueError(
            f"output must be a folder; received output={str(output)!r}, which is a file. "
            "Give a new or existing folder you can write to."
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise ValueError(
            f"output={str(output)!r} cannot be written ({error.strerror or error}); "
            "give a folder you can write to, such as build/compare."
        ) from error
    return folder


def measure_latency(
    model: keras.Model, batch_size: int, *, warmup: int = 2, repeats: int = 5, seed: int = 0
) -> float:
    """Median seconds of one ``model.predict_on_batch`` call on a random batch.

    Args:
        model: a built model with a fixed input shape.
        batch_size: images per call.
        warmup: untimed calls first (tracing and compilation happen there).
        repeats: timed calls; the median is returned.
        seed: the random batch's seed.

    Raises:
        ValueError: if ``batch_size``, ``warmup`` or ``repeats`` is out of range.
    """
    check_batch_sizes([batch_size])
    check_int("warmup", warmup, minimum=0)
    check_int("repeats", repeats, minimum=1)
    shape = (batch_size, *model.input_shape[1:])
    batch = np.random.default_rng(seed).random(shape, dtype="float32")
    for _ in range(warmup):
        keras.ops.convert_to_numpy(model.predict_on_batch(batch))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        keras.ops.convert_to_numpy(model.predict_on_batch(batch))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(
    name: str,
    *,
    published: Mapping[str, Mapping[str, object]] | None = None,
    latency_batch_sizes: Sequence[int] = (),
    warmup: int = 2,
    repeats: int = 5,
) -> ComparisonRow:
    """Builds ``name`` at its paper's input size and measures one :class:`ComparisonRow`.

    Args:
        name: a registered ImageNet model.
        published: :func:`load_published`'s table (by default read from the project).
        latency_batch_sizes: batch sizes to time inference at (none: no timing).
        warmup, repeats: see :func:`measure_latency`.
    """
    spec = get_spec(name)
    published = load_published() if published is None else published
    model = spec.build()
    params = analysis.count_params(model).total
    row = ComparisonRow(
        model=name,
        family=spec.family.name,
        paper=spec.paper,
        year=_year(spec.paper),
        input_size=model.input_shape[1],  # what was measured (the spec's size)
        params=params,
        macs=analysis.count_macs(model),
        activation_bytes=analysis.activation_memory(model),
        weight_bytes=params * 4,
        **published.get(name, {"note": "not in the published accuracy table"}),
    )
    for batch in latency_batch_sizes:
        row.latency_ms[batch] = 1000 * measure_latency(model, batch, warmup=warmup, repeats=repeats)
    return row


def compare(
    names: Iterable[str] | None = None,
    *,
    latency: bool = False,
    batch_sizes: Iterable[int] = DEFAULT_BATCH_SIZES,
    warmup: int = 2,
    repeats: int = 5,
    published: Mapping[str, Mapping[str, object]] | None = None,
    progress: bool = True,
) -> list[ComparisonRow]:
    """One :class:`ComparisonRow` per model, in the order given (default: every registered
    ImageNet model, sorted). ``keras.backend.clear_session()`` runs after each model, so only
    one model is in memory at a time.

    Args:
        names: registered ImageNet model names; empty or ``None`` for all.
        latency: also time inference at each of ``batch_sizes`` on the current device.
        batch_sizes: the batch sizes to time.
        warmup, repeats: see :func:`measure_latency`.
        published: :func:`load_published`'s table (by default read from the project).
        progress: show a ``keras.utils.Progbar`` while building.

    Raises:
        ValueError: for an unknown name or a batch size below 1 (before anything is built).
    """
    names = check_names(names)
    sizes = check_batch_sizes(batch_sizes) if latency else ()
    published = load_published() if published is None else published
    bar = keras.utils.Progbar(len(names), unit_name="model") if progress else None
    rows = []
    for index, name in enumerate(names, start=1):
        rows.append(
            measure(
                name,
                published=published,
                latency_batch_sizes=sizes,
                warmup=warmup,
                repeats=repeats,
            )
        )
        keras.backend.clear_session()
        if bar is not None:
            bar.update(index, finalize=index == len(names))
    return rows


def format_rows(rows: Sequence[ComparisonRow], *, latency: bool = True) -> str:
    """A fixed-width text table: model, family, params, MACs, memory, accuracies, latency.

    An accuracy in parentheses is not single-crop (``top1_other``); ``-`` is not published.
    """

    def accuracy(value, other):
        if value is not None:
            return f"{value:.1f}"
        return f"({other:.1f})" if other is not None else "-"

    batches = sorted({b for row in rows for b in row.latency_ms}) if latency else []
    header = (
        "model",
        "family",
        "params",
        "MACs",
        "act. MiB",
        "total MiB",
        "top-1",
        "top-5",
        *(f"ms@{b}" for b in batches),
    )
    lines = [
        (
            row.model,
            row.family,
            analysis.human(row.params),
            analysis.human(row.macs),
            f"{row.activation_bytes / 2**20:.1f}",
            f"{row.memory_bytes / 2**20:.1f}",
            accuracy(row.top1, row.top1_other),
            accuracy(row.top5, row.top5_other),
            *(f"{row.latency_ms[b]:.1f}" if b in row.latency_ms else "-" for b in batches),
        )
        for row in rows
    ]
    return text_table.format_table(header, lines, align="ll" + "r" * (len(header) - 2))


def run(
    names: Iterable[str] | None = None,
    *,
    output: str | os.PathLike = "build/compare",
    latency: bool = False,
    batch_sizes: Iterable[int] = DEFAULT_BATCH_SIZES,
    warmup: int = 2,
    repeats: int = 5,
    progress: bool = True,
    where: str = "",
) -> dict[str, Path]:
    """``cnn-keras compare``: :func:`compare`, then the table printed and written as
    ``complexity.csv`` and the charts as PNG and SVG into ``output``.

    Arguments are checked before anything is built. Returns the written paths by name
    (``table``, ``accuracy_vs_macs.png`` ..., ``accuracy_vs_latency.png`` ... when timed).

    Raises:
        ValueError: for an unknown model, a batch size below 1, or an output folder that
            cannot be written.
    """
    import matplotlib.pyplot as plt

    from cnn_keras import plots
    from cnn_keras.compare import charts

    names = check_names(names)
    if latency:
        check_batch_sizes(batch_sizes)
    folder = check_output(output)
    rows = compare(
        names,
        latency=latency,
        batch_sizes=batch_sizes,
        warmup=warmup,
        repeats=repeats,
        progress=progress,
    )
    print(format_rows(rows))
    if not where:
        command = "cnn-keras compare --latency" if latency else "cnn-keras compare"
        where = plots.machine_caption(f"{command}, backend={keras.backend.backend()}")
    paths = {"table": write_csv(rows, folder / TABLE_NAME)}
    dicts = [row.as_dict() for row in rows]
    figures = [("accuracy_vs_macs", charts.plot_accuracy_vs_macs(dicts, where=where))]
    if latency:
        batch = min(check_batch_sizes(batch_sizes))
        figure = charts.plot_accuracy_vs_latency(dicts, batch_size=batch, where=where)
        figures.append(("accuracy_vs_latency", figure))
    for stem, figure in figures:
        for suffix in ("png", "svg"):
            path = folder / f"{stem}.{suffix}"
            figure.savefig(path, dpi=100, bbox_inches="tight")
            paths[path.name] = path
        plt.close(figure)
    return paths
