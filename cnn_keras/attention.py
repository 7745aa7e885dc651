"""Channel attention: the squeeze-and-excitation block (Hu et al. 2017), a piece any family
can put in its blocks (SE-ResNet and SE-ResNeXt after the residual branch, EfficientNet inside
its MBConv blocks).

It is made of standard Keras layers, so a model that uses it saves and loads without a custom
class.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
from keras import layers

from cnn_keras.checks import check_int
from cnn_keras.layers import he_init, scaled_width


def check_se_ratio(ratio: int, *, arg: str = "ratio") -> int:
    """``ratio`` as an int, if it is an int >= 1: the squeeze-and-excitation block's reduction
    ratio r.

    Args:
        ratio: the factor the block's bottleneck divides the channels by.
        arg: the argument's name, for the message (the ResNet builders' is ``se_ratio``).
    """
    return check_int(
        arg,
        ratio,
        minimum=1,
        hint="the SENet paper uses r = 16 (its ablation tries 2 to 32)",
    )


def squeeze_excite(
    x: keras.KerasTensor,
    ratio: int = 16,
    *,
    name: str,
    reduced: int | None = None,
    activation: str = "relu",
    kernel_initializer: Callable[[], keras.initializers.Initializer | str] = he_init,
) -> keras.KerasTensor:
    """The squeeze-and-excitation (SE) block (Hu et al. 2017): ``x`` times a weight per channel
    that the block computes from ``x`` itself ("channel attention").

    For ``x`` of shape ``H x W x C``::

        squeeze   1x1xC      global average pool: one number per channel   {name}_squeeze
        excite    1x1xC/r    FC (a 1x1 conv) + ReLU                         {name}_reduce
                  1x1xC      FC (a 1x1 conv) + sigmoid: weights in (0, 1)   {name}_expand
        scale     HxWxC      x times its channel's weight                   {name}_scale

    The two FCs cost ``2 C**2 / r`` weights (plus ``C / r + C`` biases) and as many
    multiply-accumulates: a small price against a 3x3 conv's ``9 C**2`` weights applied at
    every one of the ``H * W`` positions. The block is built from standard Keras layers, so a
    model using it saves and loads without a custom class.

    Args:
        x: a ``(batch, height, width, channels)`` tensor.
        ratio: the reduction ratio r; the bottleneck has ``channels / r`` units (rounded by
            :func:`scaled_width`, at least one).
        name: the prefix of the block's four layers (``conv2_block1_se``).
        reduced: the bottleneck's units, given outright instead of through ``ratio``
            (EfficientNet: a quarter of the MBConv block's input channels, not of the
            expanded channels the SE block rescales).
        activation: the bottleneck's activation (the paper's ReLU; EfficientNet's swish).
        kernel_initializer: makes each FC's initializer (a new one per layer).

    Raises:
        ValueError: unless ``ratio`` is an int >= 1.

    Note:
        The FCs are 1x1 convolutions with biases, as in the authors' Caffe models, and start
        from He et al.'s initialization, as the paper's networks do.

    Reference: [Squeeze-and-Excitation Networks](https://arxiv.org/abs/1709.01507) (CVPR 2018)
    """
    ratio = check_se_ratio(ratio)
    channels = x.shape[-1]
    if reduced is None:
        reduced = scaled_width(channels, 1 / ratio)
    reduced = check_int("reduced", reduced, minimum=1, hint="the bottleneck's units")
    weights = layers.GlobalAveragePooling2D(keepdims=True, name=f"{name}_squeeze")(x)
    weights = layers.Conv2D(
        reduced,
        1,
        activation=activation,
        kernel_initializer=kernel_initializer(),
        name=f"{name}_reduce",
    )(weights)
    weights = layers.Conv2D(
        channels,
        1,
        activation="sigmoid",
        kernel_initializer=kernel_initializer(),
        name=f"{name}_expand",
    )(weights)
    return layers.Multiply(name=f"{name}_scale")([x, weights])
