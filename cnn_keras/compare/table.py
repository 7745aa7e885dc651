"""The comparison table of ``cnn-keras compare``: one :class:`ComparisonRow` per model, its
CSV (written and read back), and the published accuracies joined to it from
``cnn_keras/tables/published_accuracy.csv``. Reachable as ``compare.ComparisonRow``,
``compare.load_published``, ``compare.write_csv`` and ``compare.read_csv``."""

from __future__ import annotations

import csv
import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import keras

from cnn_keras import machine
from cnn_keras.tables import read_table, table_file

PUBLISHED_ACCURACY = "published_accuracy.csv"  # in cnn_keras/tables


@dataclasses.dataclass
class ComparisonRow:
    """One model in the comparison.

    Attributes:
        model: the registered name.
        family: the architecture family (``get_spec(model).family.name``).
        paper: the source paper, as the registry spells it.
        year: the paper's year (the last year in ``paper``).
        input_size: the square input size the model was measured at (the paper's).
        params: parameters, trainable and non-trainable.
        macs: multiply-accumulates for one image.
        activation_bytes: float32 bytes of one forward pass's distinct tensors, one image.
        weight_bytes: float32 bytes of the parameters.
        top1, top5: published single-crop accuracy in %, ``None`` where not published.
        top1_other, top5_other: the published figure from another evaluation (10 crops, dense)
            where no single-crop figure exists, else ``None``.
        source: where the accuracy comes from (paper and table, or keras.applications).
        note: what the figure measures, where sources disagree, why a cell is empty.
        latency_ms: median inference time per batch in milliseconds, by batch size; empty
            unless measured.
    """

    model: str
    family: str
    paper: str
    year: int | None
    input_size: int
    params: int
    macs: int
    activation_bytes: int
    weight_bytes: int
    top1: float | None = None
    top5: float | None = None
    top1_other: float | None = None
    top5_other: float | None = None
    source: str = ""
    note: str = ""
    latency_ms: dict[int, float] = dataclasses.field(default_factory=dict)

    @property
    def memory_bytes(self) -> int:
        """Weights plus one image's activations, float32: what inference at batch 1 holds."""
        return self.weight_bytes + self.activation_bytes

    @property
    def best_top1(self) -> float | None:
        """The single-crop top-1 if published, else the other evaluation's (or ``None``)."""
        return self.top1 if self.top1 is not None else self.top1_other

    @property
    def single_crop(self) -> bool:
        """Whether :attr:`best_top1` is a single-crop figure."""
        return self.top1 is not None

    def as_dict(self) -> dict[str, object]:
        """The row as a flat dict, the columns of the CSV (``latency_b{n}_ms`` per batch)."""
        row = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        latency = row.pop("latency_ms")
        row["memory_bytes"] = self.memory_bytes
        for batch, ms in sorted(latency.items()):
            row[f"latency_b{batch}_ms"] = ms
        return row


def _float(text: str | None) -> float | None:
    text = (text or "").strip()
    return float(text) if text else None


def load_published(path: str | os.PathLike | None = None) -> dict[str, dict[str, object]]:
    """The published accuracies by model name: ``top1``, ``top5``, ``top1_other``,
    ``top5_other`` (floats or ``None``), ``source`` and ``note``.

    Args:
        path: the CSV; by default the package's ``cnn_keras/tables/published_accuracy.csv``.
    """
    path = Path(path) if path is not None else table_file(PUBLISHED_ACCURACY)
    table = {}
    for row in read_table(path):
        table[row["model"]] = {
            "top1": _float(row.get("top1")),
            "top5": _float(row.get("top5")),
            "top1_other": _float(row.get("top1_other")),
            "top5_other": _float(row.get("top5_other")),
            "source": (row.get("source") or "").strip(),
            "note": (row.get("note") or "").strip(),
        }
    return table


COLUMNS = (
    "model",
    "family",
    "paper",
    "year",
    "input_size",
    "params",
    "macs",
    "activation_bytes",
    "weight_bytes",
    "memory_bytes",
    "top1",
    "top5",
    "top1_other",
    "top5_other",
    "source",
    "note",
)


def write_csv(rows: Sequence[ComparisonRow], path: str | os.PathLike) -> Path:
    """Writes the rows as CSV (``COLUMNS``, then ``latency_b{n}_ms`` if measured), with a
    ``#`` comment line saying where latency was measured; empty cells for ``None``."""
    dicts = [row.as_dict() for row in rows]
    columns = list(COLUMNS)
    for row in dicts:
        columns += [key for key in row if key not in columns]
    path = Path(path)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        handle.write(
            "# Made by `cnn-keras compare` (cnn_keras/compare/): parameters, MACs and float32 "
            "memory at the paper's input size; accuracies from "
            "cnn_keras/tables/published_accuracy.csv.\n"
        )
        if any(row.latency_ms for row in rows):
            handle.write(
                f"# Latency (median ms per batch) measured on {machine.device_name()}, "
                f"backend={keras.backend.backend()}.\n"
            )
        writer = csv.DictWriter(handle, columns, restval="")
        writer.writeheader()
        for row in dicts:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return path


def read_csv(
    path: str | os.PathLike, *, published: Mapping[str, Mapping[str, object]] | None = None
) -> list[ComparisonRow]:
    """The rows of a table :func:`write_csv` wrote (``cnn-keras compare``): the measured
    costs and latencies from the file, the accuracies joined again from ``published`` (by
    default the package's ``cnn_keras/tables/published_accuracy.csv``), so an edit there shows
    at once.
    """
    published = load_published() if published is None else published
    rows = []
    for cells in read_table(path):
        name = cells["model"]
        rows.append(
            ComparisonRow(
                model=name,
                family=cells["family"],
                paper=cells["paper"],
                year=int(cells["year"]) if cells["year"] else None,
                input_size=int(cells["input_size"]),
                params=int(cells["params"]),
                macs=int(cells["macs"]),
                activation_bytes=int(cells["activation_bytes"]),
                weight_bytes=int(cells["weight_bytes"]),
                latency_ms={
                    int(key[len("latency_b") : -len("_ms")]): float(value)
                    for key, value in cells.items()
                    if key.startswith("latency_b") and value
                },
                **published.get(name, {"note": "not in the published accuracy table"}),
            )
        )
    return rows
