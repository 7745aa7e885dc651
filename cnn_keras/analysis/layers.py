"""A model layer by layer: output shapes, parameters, multiply-accumulates, activation memory
and receptive field per layer, and their totals. Conventions, the same as the papers':

- **MACs**: see :mod:`cnn_keras.analysis.costs`.
- **Activations** are the values a layer outputs for one image. Elementwise layers that
  frameworks run in place (activations, dropout) and reshapes (flatten), which are views of
  their input, are listed but not added to the total, so the
  total is the memory of the distinct tensors one forward pass keeps for the backward pass:
  the input, every conv, pooling, normalization, merge and dense output. Bytes are float32
  (4 per value) unless given.
- **Receptive field**: how many input pixels (height, width) one output value depends on,
  through ``rf_out = rf_in + (k - 1) * dilation * jump_in`` and ``jump_out = jump_in * stride``.
  Where branches merge the largest field is kept. After flattening or global pooling a value
  sees the whole input (``None`` in the table, printed as ``all``).
"""

from __future__ import annotations

import dataclasses
import math

import keras

from cnn_keras import text_table
from cnn_keras.analysis.costs import WEIGHT_LAYERS, layer_macs, require_fixed_sizes, require_graph
from cnn_keras.checks import check_int

# Layers that make no new tensor (in-place elementwise ops, views): not added to totals.
INPLACE_LAYERS = (
    keras.layers.Activation,
    keras.layers.ReLU,
    keras.layers.LeakyReLU,
    keras.layers.ELU,
    keras.layers.PReLU,
    keras.layers.Softmax,
    keras.layers.Dropout,
    keras.layers.SpatialDropout2D,
    keras.layers.Flatten,
    keras.layers.Reshape,
)
_WINDOW_LAYERS = (
    keras.layers.Conv2D,
    keras.layers.DepthwiseConv2D,
    keras.layers.SeparableConv2D,
    keras.layers.MaxPooling2D,
    keras.layers.AveragePooling2D,
)
_GLOBAL_LAYERS = (
    keras.layers.Flatten,
    keras.layers.GlobalAveragePooling2D,
    keras.layers.GlobalMaxPooling2D,
    keras.layers.Dense,
)


@dataclasses.dataclass(frozen=True)
class LayerStats:
    """One row of :func:`layer_table`.

    Attributes:
        name: the layer's name.
        kind: the layer's class name.
        output_shape: the output shape without the batch axis.
        params: parameters of the layer (trainable and not).
        macs: multiply-accumulates for one image.
        activations: values in the output for one image.
        inplace: whether the layer is elementwise and counted as in place.
        receptive_field: ``(height, width)`` in input pixels, or ``None`` for the whole input.
    """

    name: str
    kind: str
    output_shape: tuple[int, ...]
    params: int
    macs: int
    activations: int
    inplace: bool
    receptive_field: tuple[int, int] | None


def _pair(value) -> tuple[int, int]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def _window(layer) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]] | None:
    """``(kernel, strides, dilation)`` of a sliding-window layer, else ``None``."""
    if not isinstance(layer, _WINDOW_LAYERS):
        return None
    if isinstance(layer, (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)):
        return _pair(layer.pool_size), _pair(layer.strides), (1, 1)
    return _pair(layer.kernel_size), _pair(layer.strides), _pair(layer.dilation_rate)


def _parents(layer, model_layers: set[int]) -> list:
    parents = []
    for node in layer._inbound_nodes:
        for tensor in node.input_tensors:
            parent = tensor._keras_history.operation
            if id(parent) in model_layers:
                parents.append(parent)
    return parents


def layer_table(model: keras.Model) -> list[LayerStats]:
    """One :class:`LayerStats` per layer of a functional model, in the model's order.

    Raises:
        ValueError: unless ``model`` is a functional or Sequential model with fixed input sizes.
    """
    require_fixed_sizes(model, "layer_table")
    model_layers = {id(layer) for layer in model.layers}
    # Per layer: receptive field and jump (input pixels between adjacent outputs), per axis.
    field: dict[int, tuple[tuple[int, int], tuple[int, int]] | None] = {}
    rows = []
    for layer in model.layers:
        parents = _parents(layer, model_layers)
        incoming = [field[id(p)] for p in parents]
        if not parents:
            state = ((1, 1), (1, 1))
        elif any(s is None for s in incoming) or isinstance(layer, _GLOBAL_LAYERS):
            state = None
        else:
            rf = tuple(max(s[0][axis] for s in incoming) for axis in range(2))
            jump = tuple(max(s[1][axis] for s in incoming) for axis in range(2))
            window = _window(layer)
            if window is not None:
                kernel, strides, dilation = window
                rf = tuple(rf[a] + (kernel[a] - 1) * dilation[a] * jump[a] for a in range(2))
                jump = tuple(jump[a] * strides[a] for a in range(2))
            state = (rf, jump)
        field[id(layer)] = state
        output_shape = tuple(layer.output.shape[1:])
        rows.append(
            LayerStats(
                name=layer.name,
                kind=type(layer).__name__,
                output_shape=output_shape,
                params=layer.count_params() if layer.built else 0,
                macs=layer_macs(layer),
                activations=math.prod(output_shape),
                inplace=isinstance(layer, INPLACE_LAYERS),
                receptive_field=None if state is None else state[0],
            )
        )
    return rows


def weight_layer_depth(model: keras.Model) -> int:
    """Depth as the papers count it: the most weight layers (convolutions and fully connected
    layers) on any path from the input to an output.

    Normalization, pooling, merges and activations add nothing; parallel branches count their
    longest branch. GoogLeNet's paper: "22 layers deep when counting only layers with
    parameters": ``conv1``, ``conv2_3x3_reduce``, ``conv2_3x3``, a reduction and a 3x3 in each
    of the nine modules, and the classifier.

    Raises:
        ValueError: unless ``model`` is a functional or Sequential model (a subclassed model
            has no graph to walk).
    """
    require_graph(model, "weight_layer_depth")
    model_layers = {id(layer) for layer in model.layers}
    depth: dict[int, int] = {}
    for layer in model.layers:  # in topological order
        incoming = max((depth[id(p)] for p in _parents(layer, model_layers)), default=0)
        is_weighted = isinstance(layer, WEIGHT_LAYERS)
        depth[id(layer)] = incoming + int(is_weighted)
    return max(depth.values())


def count_activations(model: keras.Model) -> int:
    """Values in the distinct tensors of one forward pass for one image (see the module's
    conventions: in-place layers are not counted)."""
    return sum(row.activations for row in layer_table(model) if not row.inplace)


def activation_memory(model: keras.Model, bytes_per_value: int = 4) -> int:
    """Bytes of :func:`count_activations` for one image (float32 by default; 2 for float16).

    Raises:
        ValueError: unless ``bytes_per_value`` is an int in [1, 8].
    """
    bytes_per_value = check_int("bytes_per_value", bytes_per_value, minimum=1, maximum=8)
    return count_activations(model) * bytes_per_value


def receptive_field(model: keras.Model, layer_name: str | None = None) -> tuple[int, int] | None:
    """Receptive field ``(height, width)`` of one output value of ``layer_name`` (by default
    the last layer before flattening or global pooling), in input pixels.

    Raises:
        ValueError: if the model has no layer ``layer_name``.
    """
    rows = layer_table(model)
    if layer_name is None:
        fields = [row.receptive_field for row in rows if row.receptive_field is not None]
        return fields[-1]
    for row in rows:
        if row.name == layer_name:
            return row.receptive_field
    raise ValueError(
        f"layer_name={layer_name!r} is not a layer of {model.name}; its layers are "
        f"{', '.join(row.name for row in rows)}."
    )


def human(number: float, unit: str = "") -> str:
    """``138357544`` as ``'138.4 M'``: thousands, millions, billions for tables."""
    for factor, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "K")):
        if abs(number) >= factor:
            return f"{number / factor:.1f} {prefix}{unit}"
    return f"{number:g} {unit}".rstrip()


def format_table(rows: list[LayerStats], *, skip_inplace: bool = False) -> str:
    """A fixed-width text table of :func:`layer_table` rows with a totals line.

    Args:
        rows: rows from :func:`layer_table`.
        skip_inplace: leave out the in-place layers (activations, dropout) to shorten it.
    """
    header = ("layer", "type", "output", "params", "MACs", "activations", "RF")
    lines = []
    for row in rows:
        if skip_inplace and row.inplace:
            continue
        rf = "all" if row.receptive_field is None else "x".join(map(str, row.receptive_field))
        lines.append(
            (
                row.name,
                row.kind,
                "x".join(map(str, row.output_shape)),
                f"{row.params:,}",
                f"{row.macs:,}",
                f"{row.activations:,}" + (" *" if row.inplace else ""),
                rf,
            )
        )
    total_activations = sum(r.activations for r in rows if not r.inplace)
    totals = (
        "total",
        "",
        "",
        f"{sum(r.params for r in rows):,}",
        f"{sum(r.macs for r in rows):,}",
        f"{total_activations:,}",
        "",
    )
    text = text_table.format_table(header, lines, align="lllrrrr", totals=totals)
    if any(r.inplace for r in rows) and not skip_inplace:
        text += "\n* in place: not added to the activation total"
    return text
