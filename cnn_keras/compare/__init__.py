"""Comparing the ImageNet models side by side (Canziani et al., 2017): one concern, three modules.

- :mod:`~cnn_keras.compare.measure`: every model built at its paper's size and measured
  (parameters, MACs, memory, latency), joined with its published accuracy; ``cnn-keras compare``.
- :mod:`~cnn_keras.compare.table`: the table's row, its CSV, the published accuracies.
- :mod:`~cnn_keras.compare.charts`: accuracy against operations or latency, as bubbles
  (``compare.plot_accuracy_vs_macs``; matplotlib is imported when a chart is first asked for,
  so reading the table works without it).
"""

from cnn_keras.compare.measure import DEFAULT_BATCH_SIZES as DEFAULT_BATCH_SIZES
from cnn_keras.compare.measure import TABLE_NAME as TABLE_NAME
from cnn_keras.compare.measure import check_batch_sizes as check_batch_sizes
from cnn_keras.compare.measure import check_names as check_names
from cnn_keras.compare.measure import check_output as check_output
from cnn_keras.compare.measure import compare as compare
from cnn_keras.compare.measure import format_rows as format_rows
from cnn_keras.compare.measure import measure as measure
from cnn_keras.compare.measure import measure_latency as measure_latency
from cnn_keras.compare.measure import run as run
from cnn_keras.compare.table import ComparisonRow as ComparisonRow
from cnn_keras.compare.table import load_published as load_published
from cnn_keras.compare.table import read_csv as read_csv
from cnn_keras.compare.table import write_csv as write_csv

_CHARTS = ("plot_accuracy_vs_macs", "plot_accuracy_vs_latency", "family_colours")


def __getattr__(name: str):
    if name in _CHARTS:
        from cnn_keras.compare import charts

        return getattr(charts, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
