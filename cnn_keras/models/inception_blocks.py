"""The pieces every Inception network is built from: branch tables, stems and the auxiliary
classifier head. No model is registered here.

From Inception v3 on, a block is a few parallel branches concatenated by depth, each branch a
short chain of conv-BN-ReLU layers, sometimes starting with a pool, sometimes forking at its
end into a 1x3 and a 3x1 conv (Szegedy et al., 2015, Figure 7). A block is written as data::

    (
        (Conv(64, 1),),                                     # branch 0: 1x1
        (Conv(48, 1), Conv(64, 5)),                         # branch 1: 1x1 -> 5x5
        (Conv(64, 1), Conv(96, 3), Conv(96, 3)),            # branch 2: 1x1 -> 3x3 -> 3x3
        (Pool("avg"), Conv(32, 1)),                         # branch 3: pool -> 1x1
    )

and :func:`inception_block` builds any such table. The factorizations of the paper are
functions that return branches (:func:`factorized_nxn`, :func:`expanded`), so each kind of
block is written once; Inception v3, Inception-v4 and Inception-ResNet (``inception_v3.py``,
``inception_v4.py``, ``inception_resnet.py``) hold their tables, this module the builders.
GoogLeNet (``googlenet.py``), whose module predates batch norm and names its layers after the
authors' Caffe release, shares the auxiliary classifier (:func:`auxiliary_head`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import keras
from keras import layers

from cnn_keras.checks import check_bool, check_ints
from cnn_keras.layers import conv_bn_act, scaled_width


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
# A stem item is a named conv or pool, or a named block of parallel branches.
StemItem = tuple[str, Step | Sequence[Branch]]

VALID = {"padding": "valid"}
MAX_POOL_S2 = Pool("max", strides=2, padding="valid")


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


def pool_layer(pool: Pool, *, name: str) -> layers.Layer:
    """The Keras pooling layer of a :class:`Pool`."""
    layer = layers.AveragePooling2D if pool.kind == "avg" else layers.MaxPooling2D
    return layer(pool.pool_size, strides=pool.strides, padding=pool.padding, name=name)


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
            x = pool_layer(step, name=f"{name}_{index}_{step.kind}pool")(x)
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


def build_stem(
    x: keras.KerasTensor, stem: Sequence[StemItem], *, width_multiplier: float = 1.0
) -> keras.KerasTensor:
    """A stem before the first block, in order: each item a named :class:`Conv` (conv-BN-ReLU
    named so), :class:`Pool`, or block of parallel branches (:func:`inception_block`)."""
    for item_name, item in stem:
        if isinstance(item, Conv):
            x = conv_bn(x, item, name=item_name, width_multiplier=width_multiplier)
        elif isinstance(item, Pool):
            x = pool_layer(item, name=item_name)(x)
        else:
            x = inception_block(x, item, name=item_name, width_multiplier=width_multiplier)
    return x


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


def check_blocks(blocks: Sequence[int], *, expected: int = 3, paper: str) -> tuple[int, ...]:
    """``blocks`` as a tuple of ints, if it is ``expected`` ints >= 1."""
    return check_ints(
        "blocks",
        blocks,
        length=expected,
        hint=f"the A, B and C blocks per stage; the paper's {paper}",
    )


# ----- the auxiliary classifier


@dataclasses.dataclass(frozen=True)
class AuxHead:
    """The shape of an auxiliary classifier: a pool, convs, an optional hidden FC with
    dropout, and the classifier. Widths at full width; each model module holds its paper's.

    Attributes:
        convs: ``(suffix, conv)`` pairs, the layer of each named ``{head name}_{suffix}``.
        pool_size, pool_strides: the average pool on the grid it reads ("valid").
        fc: units of a hidden fully connected layer with ReLU, or ``None``.
        dropout: the dropout rate after the hidden layer (needs ``fc``).
    """

    convs: tuple[tuple[str, Conv], ...]
    pool_size: int = 5
    pool_strides: int = 3
    fc: int | None = None
    dropout: float = 0.0


def auxiliary_head(
    x: keras.KerasTensor,
    head: AuxHead,
    *,
    name: str,
    conv: Callable[..., keras.KerasTensor],
    classes: int,
    classifier_activation: str | None,
    width_multiplier: float = 1.0,
) -> keras.KerasTensor:
    """An auxiliary classifier on the grid ``x``: ``{name}_avg_pool``, the convs
    ``{name}_{suffix}``, ``{name}_flatten``, ``{name}_fc`` and ``{name}_dropout`` if the head
    has them, and ``{name}_predictions`` (float32, for mixed precision).

    Args:
        x: the grid the classifier reads.
        head: its shape (:class:`AuxHead`).
        name: the head's name, the prefix of its layers.
        conv: builds one conv of the head as its network builds its convs, called as
            ``conv(x, step, name=layer_name)`` with a :class:`Conv` whose filters are already
            scaled by ``width_multiplier`` (:func:`conv_bn` for TF-slim's conv-BN-ReLU).
        classes: outputs of the classifier.
        classifier_activation: ``"softmax"`` or ``None`` for logits.
        width_multiplier: scale the convs and the hidden layer.
    """
    pool = layers.AveragePooling2D(
        head.pool_size, strides=head.pool_strides, name=f"{name}_avg_pool"
    )
    x = pool(x)
    for suffix, step in head.convs:
        step = dataclasses.replace(step, filters=scaled_width(step.filters, width_multiplier))
        x = conv(x, step, name=f"{name}_{suffix}")
    x = layers.Flatten(name=f"{name}_flatten")(x)
    if head.fc:
        x = layers.Dense(
            scaled_width(head.fc, width_multiplier), activation="relu", name=f"{name}_fc"
        )(x)
    if head.dropout:
        x = layers.Dropout(head.dropout, name=f"{name}_dropout")(x)
    return layers.Dense(
        classes, activation=classifier_activation, dtype="float32", name=f"{name}_predictions"
    )(x)


def check_aux_logits(aux_logits: bool, include_top: bool) -> None:
    """Raises ``ValueError`` for ``aux_logits`` not a bool, or ``True`` without the top."""
    check_bool("aux_logits", aux_logits)
    if aux_logits and not include_top:
        raise ValueError(
            "aux_logits=True needs include_top=True (the auxiliary classifiers are part of the "
            f"top); received aux_logits={aux_logits!r} with include_top={include_top!r}. Use "
            "aux_logits=False for a feature extractor."
        )
