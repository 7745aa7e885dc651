"""An experiment's results: tidy rows (one per arm, seed and epoch) under a header of comment
lines, in ``data/experiments/<name>.csv``; :class:`Results` holds them in memory as columns.

The file::

    # experiment: alexnet_relu_tanh
    # fingerprint: 3f0c...        (Experiment.fingerprint(profile): stale when it changes)
    # profile: cpu
    # machine: CPU: Intel(R) Xeon(R) CPU @ 2.20GHz, 2 cores
    # ...                         (backend, versions, date, seeds, wall seconds, command)
    experiment,arm,seed,epoch,train_loss,train_accuracy,test_loss,test_accuracy,...
    alexnet_relu_tanh,relu,0,1,1.02,0.63,0.71,0.74,...

No pandas needed; ``pandas.DataFrame(results.rows())`` makes a frame where pandas is installed.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

# The repository's data folder (the package sits beside it in a checkout).
DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "experiments"
_TEXT_COLUMNS = ("experiment", "arm")
_INT_COLUMNS = ("seed", "epoch", "params", "macs")


def results_path(name: str, folder: str | os.PathLike | None = None) -> Path:
    """Where experiment ``name``'s committed results live: ``data/experiments/<name>.csv``
    (or ``<folder>/<name>.csv``)."""
    return Path(folder or DATA_DIR) / f"{name}.csv"


@dataclasses.dataclass
class Results:
    """An experiment's rows as columns, with the file's header.

    Attributes:
        columns: one NumPy array per column, every one as long as the others: ``experiment``
            and ``arm`` as text, the rest as numbers (``seed``, ``epoch``, ``params`` and
            ``macs`` as ints).
        header: the comment lines' keys and values (``experiment``, ``fingerprint``,
            ``profile``, ``machine``, ``backend``, ``versions``, ``date``, ...).
    """

    columns: dict[str, np.ndarray]
    header: dict[str, str] = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        self.columns = {k: _as_column(k, v) for k, v in self.columns.items()}
        lengths = {k: len(v) for k, v in self.columns.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"columns must all have one length; received lengths {lengths}.")
        missing = {"arm", "seed", "epoch"} - set(self.columns)
        if missing:
            raise ValueError(f"results need the columns arm, seed, epoch; missing {missing}.")

    @classmethod
    def from_rows(cls, rows: list[Mapping], header: Mapping[str, str] | None = None) -> Results:
        """Results from a list of row dicts (every row with the same keys)."""
        keys = list(rows[0]) if rows else ["arm", "seed", "epoch"]
        return cls({k: [row[k] for row in rows] for k in keys}, dict(header or {}))

    @property
    def experiment(self) -> str:
        """The experiment's name: the header's, else the ``experiment`` column's."""
        if "experiment" in self.header:
            return self.header["experiment"]
        if "experiment" in self.columns and len(self.columns["experiment"]):
            return str(self.columns["experiment"][0])
        raise ValueError("these results name no experiment (no header, no experiment column).")

    @property
    def arms(self) -> list[str]:
        """The arms, in the order of their first row."""
        return list(dict.fromkeys(self.columns["arm"].tolist()))

    @property
    def seeds(self) -> list[int]:
        """The seeds, sorted."""
        return sorted(set(self.columns["seed"].tolist()))

    def __len__(self) -> int:
        return len(self.columns["arm"])

    def rows(self) -> list[dict]:
        """One dict per row (``pandas.DataFrame(results.rows())`` is a data frame)."""
        lists = {k: v.tolist() for k, v in self.columns.items()}  # Python types
        return [{k: values[i] for k, values in lists.items()} for i in range(len(self))]

    def run(self, arm: str, seed: int) -> dict[str, np.ndarray]:
        """The curves of one run: its rows' columns sorted by epoch (empty arrays if none)."""
        chosen = (self.columns["arm"] == arm) & (self.columns["seed"] == seed)
        order = np.argsort(self.columns["epoch"][chosen], kind="stable")
        return {k: v[chosen][order] for k, v in self.columns.items()}

    def runs(self) -> dict[tuple[str, int], dict[str, np.ndarray]]:
        """Every run's curves, by ``(arm, seed)``."""
        pairs = dict.fromkeys(
            zip(self.columns["arm"].tolist(), self.columns["seed"].tolist(), strict=True)
        )
        return {(arm, seed): self.run(arm, seed) for arm, seed in pairs}

    def to_csv(self) -> str:
        """The file's text: header comments, then the rows."""
        out = io.StringIO()
        for key, value in self.header.items():
            out.write(f"# {key}: {' '.join(str(value).split())}\n")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(list(self.columns))
        for row in self.rows():
            writer.writerow([_cell(v) for v in row.values()])
        return out.getvalue()

    def write(self, path: str | os.PathLike) -> Path:
        """Writes :meth:`to_csv` to ``path`` (folders made, a temporary name then a rename)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".tmp-{path.name}")
        temporary.write_text(self.to_csv(), encoding="utf-8")
        os.replace(temporary, path)
        return path


def _cell(value) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.6g}"
    return str(value)


def _as_column(key: str, values) -> np.ndarray:
    if key in _TEXT_COLUMNS:
        return np.asarray([str(v) for v in values], dtype=object)
    array = np.asarray([math.nan if v in ("", None) else v for v in values], dtype=float)
    if key in _INT_COLUMNS and np.all(np.isfinite(array)):
        return array.astype(np.int64)
    return array


def read_results(path: str | os.PathLike) -> Results:
    """The :class:`Results` of a file :meth:`Results.write` wrote.

    Raises:
        ValueError: if the file does not exist or has no header row.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"No results file at {str(path)!r}.")
    header, lines = {}, []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            header[key.strip()] = value.strip()
        elif line.strip():
            lines.append(line)
    if not lines:
        raise ValueError(f"{str(path)!r} has no column names: not a results file.")
    rows = list(csv.DictReader(lines))
    keys = lines[0].split(",")
    return Results({k: [row[k] for row in rows] for k in keys}, header)


def load(name: str, folder: str | os.PathLike | None = None) -> Results:
    """The committed results of experiment ``name`` (``data/experiments/<name>.csv``), what a
    notebook plots.

    Raises:
        ValueError: if there is no such file; the message says how to make it.
    """
    path = results_path(name, folder)
    if not path.is_file():
        raise ValueError(
            f"No results for experiment {name!r} at {str(path)!r}: run "
            f"`cnn-keras experiment {name}` (or `make experiments EXPERIMENTS={name}`)."
        )
    return read_results(path)


def as_results(source) -> Results:
    """``source`` as :class:`Results`: an experiment's name (its committed file), Results, or
    a mapping of columns (a pandas DataFrame works).

    Raises:
        ValueError: for anything else, or a name without a committed file.
    """
    if isinstance(source, Results):
        return source
    if isinstance(source, str):
        return load(source)
    try:
        return Results({str(k): np.asarray(source[k]) for k in source})
    except (TypeError, KeyError, IndexError):
        raise ValueError(
            "source must be an experiment's name, its Results, or a mapping of columns (a "
            f"data frame); received {type(source).__name__}."
        ) from None
