"""Inception v3 (Szegedy et al., 2015) as branch tables.

Its blocks are tables of :mod:`cnn_keras.models.inception_blocks`' pieces (:class:`Conv`,
:class:`Pool`, :func:`factorized_nxn`, :func:`expanded`), one function per kind of block
(:func:`block_35x35`, :func:`block_17x17`, :func:`block_8x8`) and one list of all eleven
(:data:`BLOCKS`); :func:`~cnn_keras.models.inception_blocks.inception_block` builds each.
"""

from __future__ import annotations

import keras

from cnn_keras.heads import application_model, check_head_args
from cnn_keras.layers import check_width_multiplier, image_input
from cnn_keras.models.inception_blocks import (
    AuxHead,
    Branch,
    Conv,
    Pool,
    auxiliary_head,
    build_stem,
    check_aux_logits,
    conv_bn,
    expanded,
    factorized_nxn,
    inception_block,
    narrowest_conv,
)
from cnn_keras.registry import Family, register_model

PAPER = "Szegedy et al. (CVPR 2016)"


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
# Section 4's auxiliary classifier on the 17x17 grid, with batch norm as in "BN-auxiliary"
# (Table 3), in TF-slim's (and keras.applications') sizes: 5x5/3 average pool 5x5x768, 1x1
# conv 128, 5x5 conv 768 (1x1x768), classifier; no hidden FC, no dropout.
AUX_HEAD = AuxHead(convs=(("conv0", Conv(128, 1)), ("conv1", Conv(768, 5, padding="valid"))))


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
    family: Family | None = None,
) -> keras.Model:
    """Inception v3, layer for layer keras.applications' ``InceptionV3``: 23.9 M parameters,
    5.7 G multiply-adds at 299x299.

    Stem (conv 3x3/2, 3x3, 3x3, max pool, 1x1, 3x3, max pool) 35x35x192; three 35x35
    modules ``mixed0``-``mixed2`` 35x35x288; a grid reduction ``mixed3`` 17x17x768; four 17x17
    modules with factorized 7x7s ``mixed4``-``mixed7``; a grid reduction ``mixed8`` 8x8x1280;
    two 8x8 modules with 1x3/3x1 forks ``mixed9``, ``mixed10`` 8x8x2048; global average
    pooling, dropout, classifier. Every conv has batch norm without a scale and no bias.

    With ``aux_logits=True`` the outputs are ``[main, aux]``, the auxiliary classifier on
    ``mixed7``; :func:`cnn_keras.training.compile_model` weighs its loss by the recipe's 0.4
    (TF-slim's).

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
        family: the registry's Family, whose input sizes it takes; ``None``: ``INCEPTION_V3``.

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
        INCEPTION_V3 if family is None else family,
        model_name=name,
        include_top=include_top,
        min_size=MIN_SIZE_AUX if aux_logits else None,
    )
    x = build_stem(inputs, STEM, width_multiplier=width_multiplier)  # 35x35x192
    aux_outputs = []
    for block_name, branches in BLOCKS:
        x = inception_block(x, branches, name=block_name, width_multiplier=width_multiplier)
        if aux_logits and block_name == AUX_AFTER:
            aux_outputs.append(
                auxiliary_head(
                    x,
                    AUX_HEAD,
                    name="aux",
                    conv=conv_bn,
                    classes=classes,
                    classifier_activation=classifier_activation,
                    width_multiplier=width_multiplier,
                )
            )
    # 8x8x2048
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


INCEPTION_V3 = Family(
    "Inception v3",
    paper=PAPER,
    input_size=299,
    min_input_size=MIN_SIZE,
    recipe="inception_v3",
    augment="inception",
)
register_model("inception_v3", inception_v3, INCEPTION_V3, twin="InceptionV3")
