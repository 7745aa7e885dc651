"""Inception v3 (Szegedy et al., 2015), and the branch tables its blocks are made from.

Every later Inception block is a few parallel branches concatenated by depth, each branch a
short chain of conv-BN-ReLU layers, sometimes starting with a pool, sometimes forking at its
end into a 1x3 and a 3x1 conv (Figure 7). This module writes a block as data::

    (
        (Conv(64, 1),),                                     # branch 0: 1x1
        (Conv(48, 1), Conv(64, 5)),                         # branch 1: 1x1 -> 5x5
        (Conv(64, 1), Conv(96, 3), Conv(96, 3)),            # branch 2: 1x1 -> 3x3 -> 3x3
        (Pool("avg"), Conv(32, 1)),                         # branch 3: pool -> 1x1
    )

and :func:`inception_block` builds any such table. The factorizations of the paper are
functions that return branches (:func:`factorized_nxn`), so each kind of block is written
once, and Inception-v4 and Inception-ResNet (``inception_v4.py``, ``inception_resnet.py``)
reuse the same pieces.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import keras
from keras import layers

from cnn_keras.checks import check_bool
from cnn_keras.heads import check_head_args, classifier_head
from cnn_keras.layers import check_width_multiplier, conv_bn_act, image_input, scaled_width
from cnn_keras.registry import Family, register_model

PAPER = "Szegedy et al. (CVPR 2016)"


@dataclasses.dataclass(frozen=True)
class Conv:
    """A conv-BN-ReLU layer of a branch: ``filters`` of ``kernel_size``, stride, padding."""

    filters: int
    kernel_size: int | tuple[int, int]
    strides: int = 1
    padding: str = "same"

    @property
    def label(self) -> str:
        kh, kw = (
            self.kernel_size if isinstance(self.kernel_size, tuple) else (self.kernel_size,) * 2
        )
        return f"{kh}x{kw}"


@dataclasses.dataclass(frozen=True)
class Pool:
    """A pooling layer of a branch: ``kind`` ``"avg"`` or ``"max"``, 3x3 by default."""

    kind: str
    pool_size: int = 3
    strides: int = 1
    padding: str = "same"


@dataclasses.dataclass(frozen=True)
class Split:
    """The end of a branch that forks into parallel convs on one input, concatenated
    (Figure 7's 1x3 and 3x1, "expanded filter bank outputs")."""

    convs: tuple[Conv, ...]


Step = Conv | Pool | Split
Branch = tuple[Step, ...]


def narrowest_conv(*tables) -> int:
    """The fewest filters of any :class:`Conv` in branch tables, stems or blocks (nested
    tuples of steps, ``(name, step)`` pairs and :class:`Split` forks), at full width."""
    widths = []

    def walk(item) -> None:
        if isinstance(item, Conv):
            widths.append(item.filters)
        elif isinstance(item, Split):
            walk(item.convs)
        elif isinstance(item, (tuple, list)):
            for part in item:
                walk(part)

    walk(tables)
    return min(widths)


def conv_bn(
    x: keras.KerasTensor,
    conv: Conv,
    *,
    name: str,
    width_multiplier: float = 1.0,
    activation: str | None = "relu",
) -> keras.KerasTensor:
    """One :class:`Conv` as the authors' TF-slim release builds it, and keras.applications
    after it: conv without bias, batch norm without scale (gamma), epsilon 1e-3, ReLU."""
    return conv_bn_act(
        x,
        scaled_width(conv.filters, width_multiplier),
        conv.kernel_size,
        strides=conv.strides,
        padding=conv.padding,
        activation=activation,
        use_bias=False,
        bn_epsilon=1e-3,
        bn_scale=False,
        name=name,
    )


def build_branch(
    x: keras.KerasTensor, branch: Branch, *, name: str, width_multiplier: float = 1.0
) -> keras.KerasTensor:
    """The steps of one branch in order; layer ``j`` is ``{name}_{j}_{kind}``
    (``mixed4_branch2_3_7x1``, ``mixed9_branch1_2a_1x3``, ``mixed0_branch3_1_avgpool``)."""
    for index, step in enumerate(branch, start=1):
        if isinstance(step, Conv):
            x = conv_bn(
                x, step, name=f"{name}_{index}_{step.label}", width_multiplier=width_multiplier
            )
        elif isinstance(step, Pool):
            pool = layers.AveragePooling2D if step.kind == "avg" else layers.MaxPooling2D
            x = pool(
                step.pool_size,
                strides=step.strides,
                padding=step.padding,
                name=f"{name}_{index}_{step.kind}pool",
            )(x)
        else:
            forks = [
                conv_bn(
                    x,
                    conv,
                    name=f"{name}_{index}{'abcdefgh'[fork]}_{conv.label}",
                    width_multiplier=width_multiplier,
                )
                for fork, conv in enumerate(step.convs)
            ]
            x = layers.Concatenate(name=f"{name}_{index}_concat")(forks)
    return x


def inception_block(
    x: keras.KerasTensor,
    branches: Sequence[Branch],
    *,
    name: str,
    concat_name: str | None = None,
    width_multiplier: float = 1.0,
) -> keras.KerasTensor:
    """Parallel branches on ``x``, concatenated by depth into a layer named ``concat_name``
    (by default ``name``).

    Branch ``b`` names its layers ``{name}_branch{b}_...`` (see :func:`build_branch`).
    """
    outputs = [
        build_branch(x, branch, name=f"{name}_branch{b}", width_multiplier=width_multiplier)
        for b, branch in enumerate(branches)
    ]
    return layers.Concatenate(name=concat_name or name)(outputs)


def factorized_nxn(
    n: int, widths: Sequence[int], *, first: str = "1xn", reduce: int | None = None
) -> Branch:
    """A chain of ``1xn`` and ``nx1`` convs in turn (Figure 6: an nxn conv factorized into a
    1xn and an nx1, each pair as wide as one nxn but ``2/n`` of its cost), after an optional
    1x1 reduction.

    Args:
        n: the kernel length (7 for the 17x17 grid).
        widths: each conv's filters, in order.
        first: ``"1xn"`` or ``"nx1"``, the orientation of the first conv.
        reduce: filters of a 1x1 conv before the chain.
    """
    shapes = [(1, n), (n, 1)] if first == "1xn" else [(n, 1), (1, n)]
    chain = tuple(Conv(w, shapes[i % 2]) for i, w in enumerate(widths))
    return ((Conv(reduce, 1),) if reduce else ()) + chain


def expanded(filters: int) -> Split:
    """Figure 7's fork at a branch's end: a 1x3 and a 3x1 conv side by side, concatenated."""
    return Split((Conv(filters, (1, 3)), Conv(filters, (3, 1))))


# ----- Inception v3's blocks, as keras.applications (after TF-slim) has them

STEM = (
    ("conv_1a_3x3", Conv(32, 3, strides=2, padding="valid")),  # 149x149x32
    ("conv_2a_3x3", Conv(32, 3, padding="valid")),  # 147x147x32
    ("conv_2b_3x3", Conv(64, 3)),  # 147x147x64
    ("pool_3a_3x3", Pool("max", strides=2, padding="valid")),  # 73x73x64
    ("conv_3b_1x1", Conv(80, 1, padding="valid")),  # 73x73x80
    ("conv_4a_3x3", Conv(192, 3, padding="valid")),  # 71x71x192
    ("pool_5a_3x3", Pool("max", strides=2, padding="valid")),  # 35x35x192
)


def block_35x35(pool_proj: int) -> tuple[Branch, ...]:
    """The 35x35 module (Figure 5, with a 5x5 branch kept beside the double 3x3)."""
    return (
        (Conv(64, 1),),
        (Conv(48, 1), Conv(64, 5)),
        (Conv(64, 1), Conv(96, 3), Conv(96, 3)),
        (Pool("avg"), Conv(pool_proj, 1)),
    )


def block_17x17(width: int) -> tuple[Branch, ...]:
    """The 17x17 module (Figure 6 with n=7): one and two factorized 7x7s of ``width``."""
    return (
        (Conv(192, 1),),
        factorized_nxn(7, (width, 192), reduce=width),
        factorized_nxn(7, (width, width, width, 192), first="nx1", reduce=width),
        (Pool("avg"), Conv(192, 1)),
    )


def block_8x8() -> tuple[Branch, ...]:
    """The 8x8 module (Figure 7): 1x3 and 3x1 side by side at the end of two branches."""
    return (
        (Conv(320, 1),),
        (Conv(384, 1), expanded(384)),
        (Conv(448, 1), Conv(384, 3), expanded(384)),
        (Pool("avg"), Conv(192, 1)),
    )


# Grid reductions (Figure 10): stride-2 conv branches beside a stride-2 max pool.
REDUCTION_35_TO_17 = (
    (Conv(384, 3, strides=2, padding="valid"),),
    (Conv(64, 1), Conv(96, 3), Conv(96, 3, strides=2, padding="valid")),
    (Pool("max", strides=2, padding="valid"),),
)
REDUCTION_17_TO_8 = (
    (Conv(192, 1), Conv(320, 3, strides=2, padding="valid")),
    factorized_nxn(7, (192, 192), reduce=192) + (Conv(192, 3, strides=2, padding="valid"),),
    (Pool("max", strides=2, padding="valid"),),
)

# (name, branches), in keras.applications' names; shapes for a 299x299 input.
BLOCKS = (
    ("mixed0", block_35x35(32)),  # 35x35x256
    ("mixed1", block_35x35(64)),  # 35x35x288
    ("mixed2", block_35x35(64)),  # 35x35x288
    ("mixed3", REDUCTION_35_TO_17),  # 17x17x768
    ("mixed4", block_17x17(128)),  # 17x17x768
    ("mixed5", block_17x17(160)),  # 17x17x768
    ("mixed6", block_17x17(160)),  # 17x17x768
    ("mixed7", block_17x17(192)),  # 17x17x768, the auxiliary classifier's input
    ("mixed8", REDUCTION_17_TO_8),  # 8x8x1280
    ("mixed9", block_8x8()),  # 8x8x2048
    ("mixed10", block_8x8()),  # 8x8x2048
)
AUX_AFTER = "mixed7"
MIN_SIZE = 75  # the 8x8 grid is then 1x1
MIN_SIZE_AUX = 299  # the auxiliary head's 5x5/3 pool and 5x5 valid conv need a 17x17 grid
# Loss weights of [main, aux]: TF-slim's training scripts weigh the auxiliary loss by 0.4.
AUX_LOSS_WEIGHTS = (1.0, 0.4)


def build_stem(
    x: keras.KerasTensor, stem: Sequence[tuple[str, Step]], *, width_multiplier: float = 1.0
) -> keras.KerasTensor:
    """A chain of named conv and pool layers (the stems before the first block)."""
    for layer_name, step in stem:
        if isinstance(step, Conv):
            x = conv_bn(x, step, name=layer_name, width_multiplier=width_multiplier)
        else:
            pool = layers.AveragePooling2D if step.kind == "avg" else layers.MaxPooling2D
            x = pool(step.pool_size, strides=step.strides, padding=step.padding, name=layer_name)(x)
    return x


def _auxiliary_classifier(
    x: keras.KerasTensor,
    *,
    classes: int,
    classifier_activation: str | None,
    width_multiplier: float,
) -> keras.KerasTensor:
    """Section 4's auxiliary classifier on the 17x17 grid, with batch norm as in "BN-auxiliary"
    (Table 3): 5x5/3 average pool 5x5x768, 1x1 conv 128, 5x5 conv 768 (1x1x768), FC."""
    x = layers.AveragePooling2D(5, strides=3, name="aux_avg_pool")(x)  # 5x5x768
    x = conv_bn(x, Conv(128, 1), name="aux_conv0", width_multiplier=width_multiplier)
    x = conv_bn(
        x, Conv(768, 5, padding="valid"), name="aux_conv1", width_multiplier=width_multiplier
    )  # 1x1x768
    x = layers.Flatten(name="aux_flatten")(x)
    return layers.Dense(
        classes, activation=classifier_activation, dtype="float32", name="aux_predictions"
    )(x)


def check_aux_logits(aux_logits: bool, include_top: bool) -> None:
    """Raises ``ValueError`` for ``aux_logits`` not a bool, or ``True`` without the top."""
    check_bool("aux_logits", aux_logits)
    if aux_logits and not include_top:
        raise ValueError(
            "aux_logits=True needs include_top=True (the auxiliary classifier is part of the "
            f"top); received aux_logits={aux_logits!r} with include_top={include_top!r}. Use "
            "aux_logits=False for a feature extractor."
        )


def inception_v3(
    *,
    include_top: bool = True,
    input_shape=None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | None = "softmax",
    aux_logits: bool = False,
    width_multiplier: float = 1.0,
    dropout: float = 0.2,
    name: str = "inception_v3",
) -> keras.Model:
    """Inception v3, layer for layer keras.applications' ``InceptionV3``: 23.9 M parameters,
    5.7 G multiply-adds at 299x299.

    Stem (conv 3x3/2, 3x3, 3x3, max pool, 1x1, 3x3, max pool) 35x35x192; three 35x35
    modules ``mixed0``-``mixed2`` 35x35x288; a grid reduction ``mixed3`` 17x17x768; four 17x17
    modules with factorized 7x7s ``mixed4``-``mixed7``; a grid reduction ``mixed8`` 8x8x1280;
    two 8x8 modules with 1x3/3x1 forks ``mixed9``, ``mixed10`` 8x8x2048; global average
    pooling, dropout, classifier. Every conv has batch norm without a scale and no bias.

    With ``aux_logits=True`` the outputs are ``[main, aux]``, the auxiliary classifier on
    ``mixed7``; compile with ``cnn_keras.training.compile_with_aux_losses(model,
    loss_weights=AUX_LOSS_WEIGHTS)``.

    Args:
        include_top: end in global average pooling, dropout and the classifier.
        input_shape: ``(height, width, 3)``; by default 299x299x3. At least 75x75, or
            299x299 with ``aux_logits``.
        pooling: with ``include_top=False``: ``None`` (the 8x8x2048 map), ``"avg"`` or
            ``"max"``.
        classes: outputs of the classifier(s).
        classifier_activation: ``"softmax"`` or ``None`` for logits.
        aux_logits: add the auxiliary classifier as a second output (needs ``include_top``).
        width_multiplier: scale every conv width, for a small net on a CPU.
        dropout: dropout rate before the classifier (TF-slim keeps 0.8).
        name: the model's name.

    Note:
        This is the authors' released network (TF-slim, and keras.applications after it),
        which departs from the paper's Table 1 (its "Inception-v2" outline, 42 layers): the
        stem has a 1x1 conv 80 and a 3x3 conv 192 followed by a max pool, not Table 1's three
        3x3 convs (stride 1, 2, 1); the 35x35 modules keep a 5x5 branch (48 -> 64) beside the
        double 3x3 instead of Figure 5's 5x5 factorized away, and the first has 32 pool
        filters (256 out, not 288); there are four 17x17 modules after the reduction, not
        Table 1's five; and batch norm has no learned scale. Table 1's output depths 288, 768
        and 2048 are kept.

    Note:
        keras.applications' InceptionV3 has no dropout; dropout does nothing at inference, so
        outputs are equal. Its auxiliary classifier ends in a flatten of a 1x1 map, so it needs
        the 17x17 grid of a 299x299 input.

    Reference: [Rethinking the Inception Architecture for Computer Vision](
        https://arxiv.org/abs/1512.00567) (CVPR 2016)
    """
    check_head_args(include_top, pooling, classes, classifier_activation, dropout)
    width_multiplier = check_width_multiplier(
        width_multiplier, narrowest=narrowest_conv(STEM, BLOCKS)
    )
    check_aux_logits(aux_logits, include_top)
    inputs = image_input(
        input_shape,
        INCEPTION_V3,
        model_name=name,
        include_top=include_top,
        min_size=MIN_SIZE_AUX if aux_logits else None,
    )
    x = build_stem(inputs, STEM, width_multiplier=width_multiplier)  # 35x35x192
    aux = None
    for block_name, branches in BLOCKS:
        x = inception_block(x, branches, name=block_name, width_multiplier=width_multiplier)
        if aux_logits and block_name == AUX_AFTER:
            aux = _auxiliary_classifier(
                x,
                classes=classes,
                classifier_activation=classifier_activation,
                width_multiplier=width_multiplier,
            )
    # 8x8x2048
    outputs = classifier_head(
        x,
        include_top=include_top,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
        dropout=dropout,
    )
    if aux is not None:
        outputs = [outputs, aux]
    return keras.Model(inputs, outputs, name=name)


INCEPTION_V3 = Family(
    "Inception v3",
    paper=PAPER,
    input_size=299,
    min_input_size=MIN_SIZE,
    recipe="inception_v3",
    augment="inception",
)
register_model("inception_v3", inception_v3, INCEPTION_V3, twin="InceptionV3")
