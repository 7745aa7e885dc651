"""What a layer costs: parameters and multiply-accumulates, counted on any Keras model, and the
lecture's formulas by hand (a conv's output size and parameters).

**MACs** (multiply-accumulates) count the multiplications of convolutions and fully connected
layers, one per weight use: a ``Conv2D`` costs ``H_out * W_out * C_out * kh * kw * C_in /
groups``, a ``DepthwiseConv2D`` ``H_out * W_out * C * kh * kw`` (times its depth multiplier),
a ``Dense`` ``inputs * units``. ``Conv1D`` and ``Conv3D`` count the same way over one or
three axes; a transposed conv (``Conv2DTranspose``) multiplies every *input* value by its
``kh * kw * C_out`` weights: ``H_in * W_in * C_in * kh * kw * C_out``. Bias additions,
batch norm, activations and pooling are not counted. This is what the ResNet paper calls
"FLOPs" (3.6 G for ResNet-34), what GoogLeNet and VGG call "multiply-adds", and half of what
a FLOP counter that counts the multiplication and the addition apart reports.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable

import keras

from cnn_keras.checks import check_bool, check_int

_CONV_LAYERS = (keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D)
_TRANSPOSED_LAYERS = (
    keras.layers.Conv1DTranspose,
    keras.layers.Conv2DTranspose,
    keras.layers.Conv3DTranspose,
)
_DEPTHWISE_LAYERS = (keras.layers.DepthwiseConv1D, keras.layers.DepthwiseConv2D)
_SEPARABLE_LAYERS = (keras.layers.SeparableConv1D, keras.layers.SeparableConv2D)
# Layers with weights: what the MACs count, and what the papers count as a layer's depth.
WEIGHT_LAYERS = (
    *_CONV_LAYERS,
    *_TRANSPOSED_LAYERS,
    *_DEPTHWISE_LAYERS,
    *_SEPARABLE_LAYERS,
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


def require_graph(model, function: str) -> keras.Model:
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


def require_fixed_sizes(model: keras.Model, function: str) -> keras.Model:
    """``model`` if every input has fixed sizes (costs and activations depend on them)."""
    require_graph(model, function)
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
    if not isinstance(layer, WEIGHT_LAYERS):
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
    require_fixed_sizes(model, "count_macs")
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
    require_fixed_sizes(model, "added_cost")
    require_fixed_sizes(baseline, "added_cost")
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
