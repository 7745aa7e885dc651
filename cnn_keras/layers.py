"""Pieces shared by two or more families: the model input, conv-BN-activation, LRN, the
squeeze-and-excitation block.

Model code imports ``keras`` only, so every piece here runs on the TensorFlow, JAX and PyTorch
backends, and every custom layer is registered and serializable, so models save to ``.keras``
and load in safe mode.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers, ops

from cnn_keras.batch_norm import BatchNormalization
from cnn_keras.checks import (
    MAX_WIDTH_MULTIPLIER,
    check_float,
    check_image_shape,
    check_int,
    is_int,
    stop_if_checking_arguments,
)
from cnn_keras.registry import Family

PACKAGE = "cnn_keras"


def image_input(
    input_shape: Sequence[int | None] | None,
    family: Family,
    *,
    model_name: str,
    include_top: bool = True,
    min_size: int | None = None,
) -> keras.KerasTensor:
    """The model's ``keras.Input``, after checking ``input_shape``.

    Args:
        input_shape: ``(height, width, channels)``, channels last, or ``None`` for the paper's
            ``(size, size, 3)``. Any number of channels works (as in keras.applications
            without pretrained weights): 1 for grayscale images such as Fashion-MNIST. Without
            the top, height and width may be ``None`` (any size, as keras.applications).
        family: the model's :class:`~cnn_keras.registry.Family` (the one its builder was
            given): its ``input_size`` is the default, its ``min_input_size`` the smallest
            height and width accepted.
        model_name: the model's name, for error messages.
        include_top: whether the model ends in the classifier (then sizes must be fixed).
        min_size: a larger minimum than the family's, for an option that needs it (an
            auxiliary head).

    Raises:
        ValueError: if the shape is not ``(height, width, channels)`` of ints with both sizes
            in ``[min_size, MAX_IMAGE_SIZE]`` and at least one channel, if a size is ``None``
            with the top, if ``family`` is not a Family, or if Keras is set to
            ``channels_first``.
    """
    if not isinstance(family, Family):
        raise ValueError(
            f"family must be a cnn_keras.registry.Family (or None for {model_name}'s own); "
            f"received family={family!r}."
        )
    default_size = family.input_size
    min_size = family.min_input_size if min_size is None else min_size
    if keras.config.image_data_format() != "channels_last":
        raise ValueError(
            f"{model_name} is built channels last; received image_data_format="
            f"{keras.config.image_data_format()!r}. Call "
            "keras.config.set_image_data_format('channels_last')."
        )
    if input_shape is None:
        input_shape = (default_size, default_size, 3)
    paper = f"the paper's shape for {model_name} is ({default_size}, {default_size}, 3)"
    shape = check_image_shape(
        "input_shape", input_shape, min_size=min_size, allow_none=True, hint=paper
    )
    if include_top and None in shape:
        raise ValueError(
            f"input_shape={tuple(input_shape)!r} has a free height or width, which only works "
            f"without the top (include_top=False); the classifier of {model_name} needs fixed "
            f"sizes, at least {min_size} ({paper})."
        )
    stop_if_checking_arguments(model_name)
    return keras.Input(shape=shape, name="input")


def he_init() -> keras.initializers.Initializer:
    """He et al. 2015 ("Delving deep into rectifiers"): a zero-mean Gaussian with variance
    2 / fan-in, which keeps the variance of the signal through a stack of ReLU layers without
    batch normalization (Glorot's keeps it only without the ReLU: it halves at every layer).
    The ResNets use it (their paper, section 3.4), and the VGGs (see ``vgg``'s Note).

    A new initializer for every layer: an unseeded Keras initializer fixes its seed when it is
    made, so one instance shared by many layers would give every kernel of the same shape the
    same values, drawn from a seed that ``keras.utils.set_random_seed`` does not control.
    """
    return keras.initializers.VarianceScaling(2.0, mode="fan_in", distribution="untruncated_normal")


def scaled_width(filters: int, width_multiplier: float) -> int:
    """``filters * width_multiplier`` rounded, at least 1: a narrower net for a CPU."""
    return max(1, round(filters * width_multiplier))


def check_width_multiplier(
    width_multiplier: float, *, narrowest: int, name: str = "width_multiplier"
) -> float:
    """``width_multiplier`` as a float, if it keeps the net's narrowest layer at least one
    channel wide (``narrowest * width_multiplier >= 1``) and is at most
    :data:`~cnn_keras.checks.MAX_WIDTH_MULTIPLIER`.

    Below that bound layers collapse to one channel each: the net still builds but learns
    nothing; above it the weights exhaust memory.

    Args:
        width_multiplier: the factor on every width (1.0 is the paper's).
        narrowest: the filters of the narrowest layer at the paper's width.
        name: the argument's name (MobileNet's is ``alpha``).

    Raises:
        ValueError: for a bool, nan, inf, or a value out of
            ``[1 / narrowest, MAX_WIDTH_MULTIPLIER]``; the message gives the bounds.
    """
    return check_float(
        name,
        width_multiplier,
        minimum=1 / narrowest,
        maximum=MAX_WIDTH_MULTIPLIER,
        hint=(
            f"1.0 is the paper's width, 0.25 a quarter; below 1/{narrowest} the narrowest "
            f"layer, {narrowest} filters wide, would have less than one channel"
        ),
    )


def conv_bn_act(
    x: keras.KerasTensor,
    filters: int,
    kernel_size: int | tuple[int, int],
    *,
    name: str,
    strides: int | tuple[int, int] = 1,
    padding: str = "same",
    groups: int = 1,
    batch_norm: bool = True,
    activation: str | None = "relu",
    use_bias: bool | None = None,
    bn_epsilon: float = 1e-3,
    bn_scale: bool = True,
    kernel_initializer: str | keras.initializers.Initializer = "glorot_uniform",
) -> keras.KerasTensor:
    """Conv2D, then optional BatchNormalization, then optional activation.

    The layers are named ``name``, ``name + "_bn"`` and ``name + "_" + activation``, so a layer
    table reads ``conv1``, ``conv1_bn``, ``conv1_relu``.

    Args:
        x: the input tensor.
        filters: output channels.
        kernel_size: an int or ``(height, width)`` (Inception's 1x7 and 7x1).
        name: the conv layer's name, from the paper (``conv1``, ``conv3_block2_1``).
        strides: conv strides.
        padding: ``"same"`` or ``"valid"``.
        groups: grouped convolution (AlexNet's two towers, ResNeXt's cardinality).
        batch_norm: add BatchNormalization after the conv.
        activation: a Keras activation name, or ``None``.
        use_bias: conv bias; by default only when there is no batch norm.
        bn_epsilon: BatchNormalization epsilon (keras.applications uses 1e-3 or 1.001e-5).
        bn_scale: learn BatchNormalization's gamma (InceptionV3 does not).
        kernel_initializer: the conv kernel's initializer (Keras's default, Glorot uniform;
            the ResNets use He et al.'s).
    """
    if use_bias is None:
        use_bias = not batch_norm
    x = layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        groups=groups,
        use_bias=use_bias,
        kernel_initializer=kernel_initializer,
        name=name,
    )(x)
    if batch_norm:
        x = BatchNormalization(epsilon=bn_epsilon, scale=bn_scale, name=f"{name}_bn")(x)
    if activation is not None:
        x = layers.Activation(activation, name=f"{name}_{activation}")(x)
    return x


def lrn_by_window(inputs, size: int, bias: float, alpha: float, beta: float):
    """Local response normalization over the last axis, as a sum of ``size`` shifted slices
    of the squares: any rank, any backend (:class:`LocalResponseNormalization`'s formula)."""
    squares = ops.square(inputs)
    radius = (size - 1) // 2
    channels = inputs.shape[-1]
    padded = ops.pad(squares, [[0, 0]] * (len(inputs.shape) - 1) + [[radius, radius]])
    window_sum = padded[..., 0:channels]
    for offset in range(1, size):
        window_sum = window_sum + padded[..., offset : offset + channels]
    return inputs / ops.power(bias + alpha * window_sum, beta)


@keras.saving.register_keras_serializable(package=PACKAGE)
class LocalResponseNormalization(layers.Layer):
    """Local Response Normalization across channels (Krizhevsky et al., 2012, section 3.3).

    ``b[c] = a[c] / (k + alpha * sum(a[j]**2 for j in the size channels around c)) ** beta``

    The defaults are the paper's ``n=5, k=2, alpha=1e-4, beta=0.75``. This is
    ``tf.nn.local_response_normalization(depth_radius=(size - 1) // 2, bias=k, alpha=alpha,
    beta=beta)``; PyTorch's ``LocalResponseNorm(size, alpha, beta, k)`` divides ``alpha`` by
    ``size``, so the same layer there takes ``alpha * size``.

    On the TensorFlow backend a 4-D input goes to that op (one op and its gradient: 3x faster
    AlexNet training on a CPU than a slice per channel); elsewhere :func:`lrn_by_window`
    computes the formula. The layer computes in float32 whatever the dtype policy (under
    ``mixed_float16``, ``a**2`` overflows float16), and returns float32; the next layer casts
    back.

    Args:
        size: the number of channels summed over (the paper's n), odd.
        bias: the paper's k.
        alpha: the paper's alpha (not divided by ``size``).
        beta: the paper's beta.

    Reference: [ImageNet Classification with Deep Convolutional Neural Networks](
        https://papers.nips.cc/paper/4824-imagenet-classification-with-deep-convolutional-neural-networks)
        (NeurIPS 2012)
    """

    def __init__(
        self,
        size: int = 5,
        bias: float = 2.0,
        alpha: float = 1e-4,
        beta: float = 0.75,
        **kwargs,
    ):
        if not (is_int(size) and size >= 1 and size % 2 == 1):
            raise ValueError(
                f"size must be an odd positive int (the paper uses 5); received size={size!r}."
            )
        size = int(size)
        kwargs["dtype"] = "float32"
        super().__init__(**kwargs)
        self.size = size
        self.bias = bias
        self.alpha = alpha
        self.beta = beta

    def call(self, inputs):
        if keras.backend.backend() == "tensorflow" and len(inputs.shape) == 4:
            import tensorflow as tf  # one op and its gradient, not a slice per channel

            return tf.nn.local_response_normalization(
                inputs,
                depth_radius=(self.size - 1) // 2,
                bias=self.bias,
                alpha=self.alpha,
                beta=self.beta,
            )
        return lrn_by_window(inputs, self.size, self.bias, self.alpha, self.beta)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(size=self.size, bias=self.bias, alpha=self.alpha, beta=self.beta)
        return config


@keras.saving.register_keras_serializable(package=PACKAGE)
class ZeroPadShortcut(layers.Layer):
    """ResNet's option A shortcut (He et al., 2015, section 3.3): the identity, subsampled and
    padded with zero channels where a block changes the shape. No parameters.

    ``y = pad(x[:, ::s, ::s, :])`` with ``filters - channels`` zero channels appended after the
    input's channels, so the first ``channels`` outputs carry ``x`` and the rest are zeros. The
    paper's CIFAR nets (section 4.2) use it everywhere the width doubles.

    Args:
        filters: the output channels, at least the input's.
        strides: the subsampling step (2 where the map halves; ``ceil(size / strides)`` out,
            as a stride-2 ``"same"`` conv).

    Reference: [Deep Residual Learning for Image Recognition](https://arxiv.org/abs/1512.03385)
        (CVPR 2016)
    """

    def __init__(self, filters: int, strides: int = 1, **kwargs):
        filters = check_int("filters", filters, minimum=1)
        strides = check_int("strides", strides, minimum=1)
        super().__init__(**kwargs)
        self.filters = filters
        self.strides = strides

    def build(self, input_shape):
        if input_shape[-1] > self.filters:
            raise ValueError(
                f"ZeroPadShortcut pads channels and cannot drop them: filters={self.filters} "
                f"is below the input's {input_shape[-1]} channels."
            )

    def call(self, inputs):
        if self.strides > 1:
            inputs = inputs[:, :: self.strides, :: self.strides, :]
        extra = self.filters - inputs.shape[-1]
        if extra:
            inputs = ops.pad(inputs, [[0, 0], [0, 0], [0, 0], [0, extra]])
        return inputs

    def compute_output_shape(self, input_shape):
        def subsampled(size):
            return None if size is None else -(-size // self.strides)

        batch, height, width, _ = input_shape
        return (batch, subsampled(height), subsampled(width), self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(filters=self.filters, strides=self.strides)
        return config


def check_residual_scale(scale: float, *, arg: str = "residual_scale") -> float:
    """``scale`` as a float, if it is a number in (0, 1].

    Args:
        scale: the factor a residual is multiplied by before it is added to the shortcut.
        arg: the argument's name, for the message.
    """
    return check_float(
        arg,
        scale,
        minimum=0,
        maximum=1,
        min_inclusive=False,
        hint="the Inception-v4 paper scales residuals by 0.1 to 0.3; 1 adds them unscaled",
    )


@keras.saving.register_keras_serializable(package=PACKAGE)
class ScaledResidual(layers.Layer):
    """``shortcut + scale * residual``: the residual scaling of Inception-ResNet.

    Szegedy et al. (2016, section 3.3) found that Inception-ResNets wider than about 1000
    filters "died" early in training (the last layers output only zeros) unless the residual
    was scaled down by a factor between 0.1 and 0.3 before the addition. Called on
    ``[shortcut, residual]``, two tensors of one shape. No parameters.

    Args:
        scale: the factor on the residual, in (0, 1].

    Reference: [Inception-v4, Inception-ResNet and the Impact of Residual Connections on
        Learning](https://arxiv.org/abs/1602.07261) (AAAI 2017)
    """

    def __init__(self, scale: float, **kwargs):
        scale = check_residual_scale(scale, arg="scale")
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, inputs):
        shortcut, residual = inputs
        return shortcut + ops.multiply(residual, ops.cast(self.scale, residual.dtype))

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        config = super().get_config()
        config.update(scale=self.scale)
        return config
