"""GoogLeNet, or Inception v1 (Szegedy et al., 2014), and the inception module it stacks.

The inception module runs a 1x1, a 3x3 and a 5x5 convolution and a 3x3 max pool side by side
on one input and concatenates their outputs by depth. Run naively, the 3x3 and 5x5 convs see
every input channel and the pool passes them all on, so cost and depth grow module after
module; GoogLeNet puts a 1x1 convolution (a "reduction") before the 3x3 and the 5x5 and after
the pool. :func:`inception_module` builds either kind on any input, and
:func:`inception_module_model` wraps one in a model to measure it::

    from cnn_keras.analysis import count_macs
    naive = inception_module_model(
        (28, 28, 256), filters_1x1=128, filters_3x3=192, filters_5x5=96, naive=True
    )
    count_macs(naive)  # 854,196,224 multiply-adds, output depth 672

:func:`googlenet` stacks nine modules as the paper's Table 1 does.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence

import keras
from keras import layers

from cnn_keras.checks import check_bool, check_image_shape
from cnn_keras.heads import application_model, check_head_args
from cnn_keras.layers import (
    LocalResponseNormalization,
    check_width_multiplier,
    conv_bn_act,
    he_init,
    image_input,
    scaled_width,
)
from cnn_keras.models.inception_blocks import AuxHead, Conv, auxiliary_head, check_aux_logits
from cnn_keras.registry import Family, register_model

PAPER = "Szegedy et al. (CVPR 2015)"


@dataclasses.dataclass(frozen=True)
class InceptionSpec:
    """One inception module: a row of the paper's Table 1 (filters at full width).

    Attributes:
        name: the module's name (``inception_4a``); its layers are ``inception_4a_1x1`` ...
        filters_1x1: "#1x1", the 1x1 branch.
        reduce_3x3: "#3x3 reduce", the 1x1 conv before the 3x3.
        filters_3x3: "#3x3".
        reduce_5x5: "#5x5 reduce", the 1x1 conv before the 5x5.
        filters_5x5: "#5x5".
        pool_proj: "pool proj", the 1x1 conv after the 3x3 max pool.
    """

    name: str
    filters_1x1: int
    reduce_3x3: int
    filters_3x3: int
    reduce_5x5: int
    filters_5x5: int
    pool_proj: int

    @property
    def output_depth(self) -> int:
        return self.filters_1x1 + self.filters_3x3 + self.filters_5x5 + self.pool_proj


# Szegedy et al. (2014), Table 1. Each stage ends in a 3x3 stride-2 max pool but the last.
STAGES: tuple[tuple[InceptionSpec, ...], ...] = (
    (
        InceptionSpec("inception_3a", 64, 96, 128, 16, 32, 32),  # 28x28x256
        InceptionSpec("inception_3b", 128, 128, 192, 32, 96, 64),  # 28x28x480
    ),
    (
        InceptionSpec("inception_4a", 192, 96, 208, 16, 48, 64),  # 14x14x512, aux1
        InceptionSpec("inception_4b", 160, 112, 224, 24, 64, 64),  # 14x14x512
        InceptionSpec("inception_4c", 128, 128, 256, 24, 64, 64),  # 14x14x512
        InceptionSpec("inception_4d", 112, 144, 288, 32, 64, 64),  # 14x14x528, aux2
        InceptionSpec("inception_4e", 256, 160, 320, 32, 128, 128),  # 14x14x832
    ),
    (
        InceptionSpec("inception_5a", 256, 160, 320, 32, 128, 128),  # 7x7x832
        InceptionSpec("inception_5b", 384, 192, 384, 48, 128, 128),  # 7x7x1024
    ),
)
AUX_AFTER = {"inception_4a": "aux1", "inception_4d": "aux2"}
MIN_SIZE = 32  # five stride-2 steps: the 5b map is 1x1
MIN_SIZE_AUX = 65  # aux's 5x5/3 pool needs a 5x5 4a map: ceil(65 / 16) = 5
# Section 5's auxiliary classifier: "An average pooling layer with 5x5 filter size and stride
# 3 [...] A 1x1 convolution with 128 filters [...] A fully connected layer with 1024 units
# [...] A dropout layer with 70% ratio of dropped outputs", then the classifier.
AUX_HEAD = AuxHead(convs=(("conv", Conv(128, 1)),), fc=1024, dropout=0.7)


def conv_relu(
    x: keras.KerasTensor, conv: Conv, *, name: str, batch_norm: bool = False
) -> keras.KerasTensor:
    """One conv of GoogLeNet: a :class:`~cnn_keras.models.inception_blocks.Conv` with a bias
    and ReLU, from He et al.'s initialization (see :func:`googlenet`), or with batch norm."""
    return conv_bn_act(
        x,
        conv.filters,
        conv.kernel_size,
        strides=conv.strides,
        padding=conv.padding,
        batch_norm=batch_norm,
        kernel_initializer=he_init(),
        name=name,
    )


def inception_module(
    x: keras.KerasTensor,
    *,
    filters_1x1: int,
    filters_3x3: int,
    filters_5x5: int,
    reduce_3x3: int | None = None,
    reduce_5x5: int | None = None,
    pool_proj: int | None = None,
    naive: bool = False,
    batch_norm: bool = False,
    name: str,
) -> keras.KerasTensor:
    """One inception module (the paper's Figure 2): four branches concatenated by depth.

    With reductions (Figure 2b, what GoogLeNet uses): ``1x1``; ``1x1 reduce -> 3x3``;
    ``1x1 reduce -> 5x5``; ``3x3 max pool -> 1x1 pool proj``. Output depth ``filters_1x1 +
    filters_3x3 + filters_5x5 + pool_proj``. Naive (Figure 2a): ``1x1``; ``3x3``; ``5x5``;
    ``3x3 max pool``, all on the input itself, so the output depth is ``filters_1x1 +
    filters_3x3 + filters_5x5`` plus all the input channels. Every conv is "same", stride 1,
    followed by ReLU; the pool is 3x3 stride 1 "same", so the map keeps its size.

    Layers are named as in the authors' Caffe release: ``{name}_1x1``, ``{name}_3x3_reduce``,
    ``{name}_3x3``, ``{name}_5x5_reduce``, ``{name}_5x5``, ``{name}_pool``,
    ``{name}_pool_proj``, and the concatenation ``{name}_output``.

    Args:
        x: the input feature map.
        filters_1x1: filters of the 1x1 branch.
        filters_3x3: filters of the 3x3 conv.
        filters_5x5: filters of the 5x5 conv.
        reduce_3x3: filters of the 1x1 before the 3x3 (required unless ``naive``).
        reduce_5x5: filters of the 1x1 before the 5x5 (required unless ``naive``).
        pool_proj: filters of the 1x1 after the pool (required unless ``naive``).
        naive: build Figure 2a, without reductions; then the three above must be ``None``.
        batch_norm: batch normalization after every conv (not in the paper).
        name: the module's name (``inception_3a``).

    Raises:
        ValueError: if the reductions are missing with ``naive=False`` or given with
            ``naive=True``.
    """
    reductions = {"reduce_3x3": reduce_3x3, "reduce_5x5": reduce_5x5, "pool_proj": pool_proj}
    if naive:
        given = {k: v for k, v in reductions.items() if v is not None}
        if given:
            raise ValueError(
                f"A naive inception module has no 1x1 reductions; received naive=True with "
                f"{', '.join(f'{k}={v!r}' for k, v in given.items())}. Leave them out, or "
                "use naive=False."
            )
    else:
        missing = [k for k, v in reductions.items() if v is None]
        if missing:
            raise ValueError(
                f"An inception module with reductions (naive=False) needs reduce_3x3, "
                f"reduce_5x5 and pool_proj; received {', '.join(f'{k}=None' for k in missing)}. "
                "Give them (GoogLeNet's Table 1), or use naive=True."
            )

    def conv(tensor, filters, kernel_size, suffix):
        return conv_relu(
            tensor, Conv(filters, kernel_size), name=f"{name}_{suffix}", batch_norm=batch_norm
        )

    branch_1x1 = conv(x, filters_1x1, 1, "1x1")
    branch_3x3 = x if naive else conv(x, reduce_3x3, 1, "3x3_reduce")
    branch_3x3 = conv(branch_3x3, filters_3x3, 3, "3x3")
    branch_5x5 = x if naive else conv(x, reduce_5x5, 1, "5x5_reduce")
    branch_5x5 = conv(branch_5x5, filters_5x5, 5, "5x5")
    branch_pool = layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x)
    if not naive:
        branch_pool = conv(branch_pool, pool_proj, 1, "pool_proj")
    return layers.Concatenate(name=f"{name}_output")(
        [branch_1x1, branch_3x3, branch_5x5, branch_pool]
    )


def inception_module_model(
    input_shape: Sequence[int] = (28, 28, 256),
    *,
    naive: bool = False,
    name: str = "inception_module",
    **filters: int | None,
) -> keras.Model:
    """One :func:`inception_module` on an input of ``input_shape``, as a model to measure.

    The lecture's example: ``inception_module_model((28, 28, 256), filters_1x1=128,
    filters_3x3=192, filters_5x5=96, naive=True)``; add ``reduce_3x3=64, reduce_5x5=64,
    pool_proj=64`` and ``naive=False`` for the module with reductions.

    Args:
        input_shape: ``(height, width, channels)`` of the module's input.
        naive: build the naive module.
        name: the model's name; the module's layers are named after it.
        **filters: the keyword arguments of :func:`inception_module` that set filters.

    Raises:
        ValueError: if ``input_shape`` is not three positive ints, or as
            :func:`inception_module`.
    """
    shape = check_image_shape("input_shape", input_shape, hint="like the lecture's (28, 28, 256)")
    inputs = keras.Input(shape=shape, name="input")
    outputs = inception_module(inputs, naive=naive, name=name, **filters)
    return keras.Model(inputs, outputs, name=name)


def googlenet(
    *,
    include_top: bool = True,
    input_shape=None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | None = "softmax",
    aux_logits: bool = False,
    batch_norm: bool = False,
    local_response_norm: bool | None = None,
    width_multiplier: float = 1.0,
    dropout: float = 0.4,
    name: str = "googlenet",
    family: Family | None = None,
) -> keras.Model:
    """GoogLeNet as the paper's Table 1 and Figure 3 describe it: 22 weight layers deep.

    Stem: ``conv1_7x7_s2`` (64, 7x7/2) 112x112x64, ``pool1_3x3_s2`` 56x56x64, LRN,
    ``conv2_3x3_reduce`` (64, 1x1), ``conv2_3x3`` (192, 3x3) 56x56x192, LRN, ``pool2_3x3_s2``
    28x28x192. Then inception 3a, 3b (28x28x480), pool, 4a ... 4e (14x14x832), pool, 5a, 5b
    (7x7x1024), global average pooling, dropout 0.4 and one linear layer. About 7.0 M
    parameters and 1.6 G multiply-adds at 224x224 (the paper: 6.8 M and 1.5 G).

    With ``aux_logits=True`` the model has three outputs, ``[main, aux1, aux2]``: the two
    auxiliary classifiers on 4a and 4d (5x5/3 average pool, 1x1 conv 128, FC 1024, dropout
    0.7, FC). :func:`cnn_keras.training.compile_model` weighs their losses by the recipe's 0.3
    (section 5), and predict with :func:`cnn_keras.training.main_output` (the paper discards
    them at inference).

    Args:
        include_top: end in global average pooling, dropout and the classifier.
        input_shape: ``(height, width, 3)``; by default 224x224x3. At least 32x32, or 65x65
            with ``aux_logits``.
        pooling: with ``include_top=False``: ``None`` (the 7x7x1024 map), ``"avg"`` or
            ``"max"``.
        classes: outputs of the classifier(s).
        classifier_activation: ``"softmax"`` or ``None`` for logits.
        aux_logits: add the two auxiliary classifiers as extra outputs (needs
            ``include_top``).
        batch_norm: batch normalization after every conv (GoogLeNet predates it).
        local_response_norm: the two LRN layers of the paper's Figure 3; by default on
            without ``batch_norm`` and off with it.
        width_multiplier: scale every conv and hidden FC width, for a small net on a CPU.
        dropout: dropout rate before the classifier (0.4 in the paper).
        name: the model's name.
        family: the registry's Family, whose input sizes it takes; ``None``: ``GOOGLENET``.

    Note:
        Table 1 does not show the two local response normalization layers that Figure 3 has
        (after ``pool1`` and after ``conv2_3x3``). They are here, with the values of the
        authors' Caffe model (n=5, k=1, alpha=1e-4 over the window, so 2e-5 per channel,
        beta=0.75), as ``pool1_norm1`` and ``conv2_norm2``.

    Note:
        Padding is "same" throughout; with stride-2 3x3 pools this gives Caffe's
        ceil-mode sizes (112 -> 56 -> 28 -> 14 -> 7). torchvision's GoogLeNet uses a 3x3
        conv in the "5x5" branch (a known bug it keeps for its weights) and batch norm;
        this one has the paper's real 5x5 convs and no batch norm unless asked.

    Note:
        The convs start from He et al.'s initialization (``layers.he_init``), as AlexNet's and
        VGG's, where the authors' Caffe model used Glorot's ("xavier"). Without batch norm,
        22 ReLU layers deep, Glorot's start barely learned in a short run: on Fashion-MNIST
        (cpu profile, a quarter of the width, 65x65, auxiliary heads) 37 % test accuracy after
        five epochs of 8,000 images, against 71 % after four of 12,000 from He's.

    Reference: [Going Deeper with Convolutions](https://arxiv.org/abs/1409.4842) (CVPR 2015)
    """
    check_head_args(include_top, pooling, classes, classifier_activation, dropout)
    check_aux_logits(aux_logits, include_top)
    check_bool("batch_norm", batch_norm)
    if local_response_norm is not None:
        check_bool("local_response_norm", local_response_norm, hint="or None: on without BN")
    narrowest = min(
        min(getattr(spec, f.name) for f in dataclasses.fields(spec) if f.name != "name")
        for stage in STAGES
        for spec in stage
    )
    width_multiplier = check_width_multiplier(width_multiplier, narrowest=narrowest)
    if local_response_norm is None:
        local_response_norm = not batch_norm
    inputs = image_input(
        input_shape,
        GOOGLENET if family is None else family,
        model_name=name,
        include_top=include_top,
        min_size=MIN_SIZE_AUX if aux_logits else None,
    )

    def width(filters: int) -> int:
        return scaled_width(filters, width_multiplier)

    def lrn(tensor, layer_name):
        if not local_response_norm:
            return tensor
        return LocalResponseNormalization(size=5, bias=1.0, alpha=1e-4 / 5, name=layer_name)(tensor)

    conv = functools.partial(conv_relu, batch_norm=batch_norm)
    x = conv(inputs, Conv(width(64), 7, strides=2), name="conv1_7x7_s2")  # 112x112x64
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool1_3x3_s2")(x)  # 56x56x64
    x = lrn(x, "pool1_norm1")
    x = conv(x, Conv(width(64), 1), name="conv2_3x3_reduce")
    x = conv(x, Conv(width(192), 3), name="conv2_3x3")  # 56x56x192
    x = lrn(x, "conv2_norm2")
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool2_3x3_s2")(x)  # 28x28x192

    aux_outputs = []
    for stage, specs in enumerate(STAGES, start=3):
        if stage > 3:
            # 14x14x480 before stage 4, 7x7x832 before stage 5
            x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"pool{stage}_3x3_s2")(x)
        for spec in specs:
            x = inception_module(
                x,
                filters_1x1=width(spec.filters_1x1),
                reduce_3x3=width(spec.reduce_3x3),
                filters_3x3=width(spec.filters_3x3),
                reduce_5x5=width(spec.reduce_5x5),
                filters_5x5=width(spec.filters_5x5),
                pool_proj=width(spec.pool_proj),
                batch_norm=batch_norm,
                name=spec.name,
            )
            if aux_logits and spec.name in AUX_AFTER:
                aux_outputs.append(
                    auxiliary_head(
                        x,
                        AUX_HEAD,
                        name=AUX_AFTER[spec.name],
                        conv=conv,
                        classes=classes,
                        classifier_activation=classifier_activation,
                        width_multiplier=width_multiplier,
                    )
                )
    # 7x7x1024
    return application_model(
        inputs,
        x,
        include_top,
        pooling,
        classes,
        classifier_activation,
        dropout=dropout,
        aux_outputs=aux_outputs,
        name=name,
    )


GOOGLENET = Family(
    "GoogLeNet",
    paper=PAPER,
    input_size=224,
    min_input_size=MIN_SIZE,
    recipe="googlenet",
    augment="inception",
)
register_model("googlenet", googlenet, GOOGLENET)
