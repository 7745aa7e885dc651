"""Measuring any Keras model: parameters, multiply-accumulates, activations, receptive field.

Conventions, the same as the papers':

- **MACs** (multiply-accumulates) count the multiplications of convolutions and fully connected
  layers, one per weight use: a ``Conv2D`` costs ``H_out * W_out * C_out * kh * kw * C_in /
  groups``, a ``DepthwiseConv2D`` ``H_out * W_out * C * kh * kw`` (times its depth multiplier),
  a ``Dense`` ``inputs * units``. ``Conv1D`` and ``Conv3D`` count the same way over one or
  three axes; a transposed conv (``Conv2DTranspose``) multiplies every *input* value by its
  ``kh * kw * C_out`` weights: ``H_in * W_in * C_in * kh * kw * C_out``. Bias additions,
  batch norm, activations and pooling are not counted. This is what the ResNet paper calls
  "FLOPs" (3.6 G for ResNet-34), what GoogLeNet and VGG call "multiply-adds", and half of what
  a FLOP counter that counts the multiplication and the addition apart reports.
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
from collections.abc import Iterable

import keras
import numpy as np

from cnn_keras.checks import check_bool, check_int

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
_CONV_LAYERS = (keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D)
_TRANSPOSED_LAYERS = (
    keras.layers.Conv1DTranspose,
    keras.layers.Conv2DTranspose,
    keras.layers.Conv3DTranspose,
)
_DEPTHWISE_LAYERS = (keras.layers.DepthwiseConv1D, keras.layers.DepthwiseConv2D)
_SEPARABLE_LAYERS = (keras.layers.SeparableConv1D, keras.layers.SeparableConv2D)
_WEIGHT_LAYERS = (
    *_CONV_LAYERS,
    *_TRANSPOSED_LAYERS,
    *_DEPTHWISE_LAYERS,
    *_SEPARABLE_LAYERS,
    keras.layers.Dense,
)
_GLOBAL_LAYERS = (
    keras.layers.Flatten,
    keras.layers.GlobalAveragePooling2D,
    keras.layers.GlobalMaxPooling2D,
    keras.layers.Dense,
)


def conv_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0) -> int:
    """Spatial output size of a convolution or pooling: ``(N - F + 2P) / S + 1``.

    Args:
        size: the input's height or width, N.
        kernel_size: the filter's size, F.
        stride: the stride, S.
        padding: zeros added on each side, P.

    Raises:
        ValueError: if an argument is out of range, or if ``(N - F + 2P)`` is not a multiple of
            ``S`` (the filter would not fit a whole number of times), naming the paddings that
            would fit.
    """
    size = check_int("size", size, minimum=1)
    kernel_size = check_int("kernel_size", kernel_size, minimum=1)
    stride = check_int("stride", stride, minimum=1)
    padding = check_int("padding", padding, minimum=0)
    span = size - kernel_size + 2 * padding
    if span < 0:
        raise ValueError(
            f"kernel_size={kernel_size} does not fit in size={size} with padding={padding}: "
            f"kernel_size must be at most size + 2 * padding = {size + 2 * padding}."
        )
    if span % stride:
        fitting = [p for p in range(kernel_size) if (size - kernel_size + 2 * p) % stride == 0]
        raise ValueError(
            f"stride={stride} does not divide (N - F + 2P) = ({size} - {kernel_size} + "
            f"2*{padding}) = {span}: the output size {span / stride + 1:g} is not a whole number. "
            f"Paddings that fit: {fitting or 'none below the kernel size'}."
        )
    return span // stride + 1


def conv_params(filters: int, kernel_size: int, in_channels: int, *, bias: bool = True) -> int:
    """Parameters of a conv layer: ``K * (F * F * C + 1)`` with a bias, ``K * F * F * C``
    without (K filters of size F over C input channels).

    Raises:
        ValueError: unless ``filters``, ``kernel_size`` and ``in_channels`` are ints >= 1 and
            ``bias`` a bool.
    """
    filters = check_int("filters", filters, minimum=1)
    kernel_size = check_int("kernel_size", kernel_size, minimum=1)
    in_channels = check_int("in_channels", in_channels, minimum=1)
    bias = check_bool("bias", bias)
    return filters * (kernel_size * kernel_size * in_channels + int(bias))


@dataclasses.dataclass(frozen=True)
class ParamCount:
    """Parameters of a model: trainable (weights, biases, BN's gamma and beta) and
    non-trainable (BN's moving mean and variance)."""

    trainable: int
    non_trainable: int

    @property
    def total(self) -> int:
        return self.trainable + self.non_trainable


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


def _size(variables: Iterable) -> int:
    return sum(math.prod(v.shape) for v in variables)


def count_params(model: keras.Model) -> ParamCount:
    """Trainable and non-trainable parameters of a model (as ``model.summary()`` counts)."""
    return ParamCount(
        trainable=_size(model.trainable_weights),
        non_trainable=_size(model.non_trainable_weights),
    )


def _shape(tensor) -> tuple[int, ...]:
    return tuple(tensor.shape[1:])


def _pair(value) -> tuple[int, int]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def _functional(model, function: str) -> keras.Model:
    """``model`` if it is a functional or Sequential ``keras.Model`` built on a
    ``keras.Input``: the measures walk its graph of layers."""
    inputs = None
    if isinstance(model, keras.Model):
        try:
            inputs = model.inputs
        except (AttributeError, ValueError):
            inputs = None
    if not inputs:
        raise ValueError(
            f"{function} needs a functional or Sequential keras.Model built on a keras.Input "
            f"(as every cnn_keras builder makes); received model={model!r}. A layer, None or "
            "a subclassed model has no graph of layers to walk: wrap a layer in "
            "keras.Model(inputs, layer(inputs)), rebuild a subclassed model functionally."
        )
    return model


def _fixed_sizes(model: keras.Model, function: str) -> keras.Model:
    """``model`` if every input has fixed sizes (costs and activations depend on them)."""
    _functional(model, function)
    for tensor in model.inputs:
        if any(d is None for d in tuple(tensor.shape)[1:]):
            raise ValueError(
                f"{function} needs fixed input sizes: {model.name}'s input "
                f"{tensor.name!r} has shape {tuple(tensor.shape)}, free sizes (None) "
                "cost as much as the image they get. Build the model with a fixed "
                "input_shape, such as (224, 224, 3)."
            )
    return model


def layer_macs(layer: keras.layers.Layer) -> int:
    """Multiply-accumulates of one layer for one image (0 for layers without weights).

    The layer must be built and called once (it is, in a functional model).
    """
    if isinstance(layer, keras.Model):
        return count_macs(layer)
    if not isinstance(layer, _WEIGHT_LAYERS):
        return 0
    out_shape = _shape(layer.output)
    if isinstance(layer, keras.layers.Dense):
        return math.prod(out_shape[:-1]) * layer.input.shape[-1] * layer.units
    kernel = math.prod(layer.kernel_size)
    in_channels = layer.input.shape[-1]
    if isinstance(layer, _DEPTHWISE_LAYERS):  # one kernel per output channel
        return math.prod(out_shape) * kernel
    if isinstance(layer, _SEPARABLE_LAYERS):
        positions = math.prod(out_shape[:-1])
        depthwise = positions * in_channels * layer.depth_multiplier * kernel
        return depthwise + positions * out_shape[-1] * in_channels * layer.depth_multiplier
    if isinstance(layer, _TRANSPOSED_LAYERS):  # every input value meets kernel * C_out weights
        return math.prod(_shape(layer.input)) * kernel * out_shape[-1]
    return math.prod(out_shape) * kernel * in_channels // layer.groups


def count_macs(model: keras.Model) -> int:
    """Total multiply-accumulates of a model for one image (see the module's conventions).

    Raises:
        ValueError: unless ``model`` is a functional or Sequential model with fixed input sizes.
    """
    _fixed_sizes(model, "count_macs")
    return sum(layer_macs(layer) for layer in model.layers)


@dataclasses.dataclass(frozen=True)
class AddedCost:
    """What a model costs on top of a baseline, for one image (see :func:`added_cost`).

    Attributes:
        params: parameters of the model (trainable and not, as ``model.count_params()``).
        baseline_params: parameters of the baseline.
        macs: multiply-accumulates of the model.
        baseline_macs: multiply-accumulates of the baseline.
    """

    params: int
    baseline_params: int
    macs: int
    baseline_macs: int

    @property
    def extra_params(self) -> int:
        return self.params - self.baseline_params

    @property
    def extra_macs(self) -> int:
        return self.macs - self.baseline_macs

    @property
    def params_percent(self) -> float:
        """Extra parameters in % of the baseline's."""
        return 100 * self.extra_params / self.baseline_params

    @property
    def macs_percent(self) -> float:
        """Extra multiply-accumulates in % of the baseline's."""
        return 100 * self.extra_macs / self.baseline_macs

    def describe(self) -> str:
        """One line: ``+2,530,992 parameters (+9.87 %), +2,514,944 MACs (+0.07 %)``."""
        return (
            f"{self.extra_params:+,} parameters ({self.params_percent:+.2f} %), "
            f"{self.extra_macs:+,} MACs ({self.macs_percent:+.2f} %)"
        )


def added_cost(model: keras.Model, baseline: keras.Model) -> AddedCost:
    """What ``model`` costs on top of ``baseline``, the same network without one change:
    extra parameters and multiply-accumulates, absolute and in % of the baseline's.

    SE-ResNet-50 against ResNet-50 gives the price of the squeeze-and-excitation blocks
    (about +10 % parameters, under +0.1 % MACs); any pair built for one input shape works.
    A cheaper model gives negative figures.

    Raises:
        ValueError: unless both are functional models with fixed input sizes, the same input
            shape (costs grow with the image) and a baseline with parameters and MACs to
            compare with.
    """
    _fixed_sizes(model, "added_cost")
    _fixed_sizes(baseline, "added_cost")
    shapes = [[_shape(tensor) for tensor in m.inputs] for m in (model, baseline)]
    if shapes[0] != shapes[1]:
        raise ValueError(
            f"added_cost compares two models on one input: model {model.name!r} takes "
            f"{shapes[0]}, baseline {baseline.name!r} takes {shapes[1]}. Build both with the "
            "same input_shape."
        )
    cost = AddedCost(
        params=count_params(model).total,
        baseline_params=count_params(baseline).total,
        macs=count_macs(model),
        baseline_macs=count_macs(baseline),
    )
    if not (cost.baseline_params and cost.baseline_macs):
        raise ValueError(
            f"baseline {baseline.name!r} has {cost.baseline_params} parameters and "
            f"{cost.baseline_macs} MACs: a cost in % needs a baseline with conv or dense "
            "layers (both above 0)."
        )
    return cost


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
    _fixed_sizes(model, "layer_table")
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
        output_shape = _shape(layer.output)
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
    _functional(model, "weight_layer_depth")
    model_layers = {id(layer) for layer in model.layers}
    depth: dict[int, int] = {}
    for layer in model.layers:  # in topological order
        incoming = max((depth[id(p)] for p in _parents(layer, model_layers)), default=0)
        is_weighted = isinstance(layer, _WEIGHT_LAYERS)
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
    lines.append(
        (
            "total",
            "",
            "",
            f"{sum(r.params for r in rows):,}",
            f"{sum(r.macs for r in rows):,}",
            f"{total_activations:,}",
            "",
        )
    )
    widths = [max(len(str(cells[i])) for cells in [header, *lines]) for i in range(len(header))]
    left = {0, 1, 2}

    def render(cells) -> str:
        return "  ".join(
            str(c).ljust(w) if i in left else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    body = [render(header), rule, *map(render, lines[:-1]), rule, render(lines[-1])]
    if any(r.inplace for r in rows) and not skip_inplace:
        body.append("* in place: not added to the activation total")
    return "\n".join(body)


def gradient_norms(
    model: keras.Model, images, labels, *, layers: Iterable[str] | None = None
) -> dict[str, float]:
    """The norm of the cross-entropy's gradient with respect to each conv or dense kernel, on
    one batch, with the model in training mode (batch normalization uses the batch's
    statistics). Works on the TensorFlow, JAX and PyTorch backends.

    Args:
        model: a classifier ending in softmax probabilities.
        images: a batch of inputs.
        labels: their int class labels.
        layers: the layers whose kernels to measure (default: every ``Conv2D``, including
            depthwise and separable convs, and ``Dense``), in model order.

    Returns:
        ``{layer name: |dL/dW|}`` in model order.
    """
    if layers is None:
        chosen = [layer for layer in model.layers if isinstance(layer, _KERNEL_LAYERS)]
    else:
        chosen = [model.get_layer(name) for name in layers]
    kernels = [
        layer.depthwise_kernel if isinstance(layer, keras.layers.DepthwiseConv2D) else layer.kernel
        for layer in chosen
    ]
    images = keras.ops.convert_to_tensor(images)
    labels = keras.ops.convert_to_tensor(labels)

    def loss_of(outputs):
        return keras.ops.mean(keras.losses.sparse_categorical_crossentropy(labels, outputs))

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = loss_of(model(images, training=True))
        gradients = tape.gradient(loss, [kernel.value for kernel in kernels])
    elif backend == "jax":
        import jax

        trainable = [v.value for v in model.trainable_variables]
        non_trainable = [v.value for v in model.non_trainable_variables]
        positions = [_index_of(model.trainable_variables, kernel) for kernel in kernels]

        def loss_fn(values):
            outputs, _ = model.stateless_call(values, non_trainable, images, training=True)
            return loss_of(outputs)

        all_gradients = jax.grad(loss_fn)(trainable)
        gradients = [all_gradients[i] for i in positions]
    elif backend == "torch":
        import torch

        loss = loss_of(model(images, training=True))
        gradients = torch.autograd.grad(loss, [kernel.value for kernel in kernels])
    else:
        raise ValueError(
            f"gradient_norms supports the tensorflow, jax and torch backends; this is "
            f"keras.backend.backend()={backend!r}."
        )
    return {
        layer.name: float(np.linalg.norm(keras.ops.convert_to_numpy(gradient)))
        for layer, gradient in zip(chosen, gradients, strict=True)
    }


_KERNEL_LAYERS = (keras.layers.Conv2D, keras.layers.DepthwiseConv2D, keras.layers.Dense)


def _index_of(variables, variable) -> int:
    for index, candidate in enumerate(variables):
        if candidate is variable:
            return index
    raise ValueError(f"{variable.path} is not a trainable variable of the model.")
