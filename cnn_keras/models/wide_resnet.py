"""Wide Residual Networks (Zagoruyko and Komodakis, 2016): fewer, wider pre-activation units.

A WRN-d-k is the CIFAR pre-activation ResNet with basic units (two 3x3 convs, the paper's
B(3,3)) made ``k`` times wider and much shallower: WRN-40-4 (8.9 M parameters) beats the
1001-layer pre-activation ResNet (10.2 M) on CIFAR-10, 4.53 % against 4.92 % error, and
trains several times faster, because a wide layer is one big parallel computation where a deep
stack is many small sequential ones. Optional dropout between the two convs of a unit
regularizes the wide nets. The units are :func:`cnn_keras.models.preact_resnet.preact_unit`.
"""

from __future__ import annotations

import keras

from cnn_keras.checks import check_float, check_int, is_int
from cnn_keras.heads import check_head_args
from cnn_keras.layers import check_width_multiplier, scaled_width
from cnn_keras.models.preact_resnet import CIFAR10_ERROR as PREACT_CIFAR10_ERROR
from cnn_keras.models.preact_resnet import (
    CIFAR_STAGE_WIDTHS,
    CIFAR_STEM_WIDTH,
    MIN_CIFAR_INPUT_SIZE,
    PAPER_MPARAMS,
    basic_convs,
    cifar_bottleneck_stages,
    cifar_preact_net,
    cifar_trainable_parameters,
)
from cnn_keras.registry import Family, register_model

PAPER = "Zagoruyko and Komodakis (BMVC 2016)"
# (depth, widen factor) of the registered nets.
VARIANTS = ((16, 4), (28, 10), (40, 4))
# The paper's parameter counts (millions; Table 1's text and Tables 4-5) and CIFAR-10 test
# errors (%, Table 4, without dropout, mean of 5 runs). With dropout 0.3, WRN-28-10: 3.89 %.
PAPER_MPARAMS_WRN = {(16, 4): 2.7, (40, 4): 8.9, (16, 8): 11.0, (28, 10): 36.5}
CIFAR10_ERROR = {(16, 4): 5.02, (40, 4): 4.53, (16, 8): 4.27, (28, 10): 4.00}
DROPOUT_RATE = 0.3  # section 2.4 / Table 6: between the two convs of every unit


def wrn_stages(depth: int, widen_factor: int, width_multiplier: float = 1.0):
    """The units of WRN-``depth``-``widen_factor``: three stages of ``(depth - 4) / 6``
    basic units, ``16k``, ``32k`` and ``64k`` wide, the first of stages 2 and 3 with
    stride 2."""
    n = (depth - 4) // 6
    return [
        [
            basic_convs(
                scaled_width(width * widen_factor, width_multiplier), 2 if i and not unit else 1
            )
            for unit in range(n)
        ]
        for i, width in enumerate(CIFAR_STAGE_WIDTHS)
    ]


def wide_resnet(
    *,
    depth: int = 28,
    widen_factor: int = 10,
    dropout_rate: float = 0.0,
    include_top: bool = True,
    input_shape=None,
    pooling: str | None = None,
    classes: int = 10,
    classifier_activation: str | None = "softmax",
    width_multiplier: float = 1.0,
    name: str = "wide_resnet",
    family: Family | None = None,
) -> keras.Model:
    """WRN-d-k for CIFAR: pre-activation basic units, ``k`` times the ResNet's width.

    A 3x3 conv with 16 filters, three stages of ``n = (d - 4) / 6`` units of two 3x3 convs
    (BN-ReLU-conv each) on 32x32x16k, 16x16x32k and 8x8x64k maps, the final BN-ReLU, global
    average pooling and a fully connected layer. The first unit of each stage projects the
    shortcut with a 1x1 conv. ``d`` counts the convs and the classifier: ``6n`` in the units,
    the first conv, the two projections that change the width and stride, and the fc.

    Shapes for a 32x32 input (WRN-28-10)::

        conv1    32x32x16     3x3 conv
        conv2    32x32x160    4 units; the first projects 16 -> 160
        conv3    16x16x320    4 units; the first has stride 2
        conv4    8x8x640      4 units; the first has stride 2
        post     8x8x640      BN-ReLU
        head     10           global average pool, fc

    Args:
        depth: ``6n + 4``: 16, 28, 40 in the paper.
        widen_factor: the paper's ``k`` (1 is the pre-activation ResNet's width).
        dropout_rate: dropout between the two convs of every unit (after the second BN-ReLU);
            the paper uses 0.3, 0 (the default) is none.
        include_top: end in global average pooling and the ``predictions`` layer.
        input_shape: ``(height, width, channels)``; by default 32x32x3. At least 8x8.
        pooling: with ``include_top=False``: ``None``, ``"avg"`` or ``"max"``.
        classes: outputs of the classifier (10 for CIFAR-10).
        classifier_activation: ``"softmax"`` or ``None`` for logits.
        width_multiplier: scale every width, the first conv's too (on top of ``k``).
        name: the model's name.
        family: the registry's Family, whose input sizes it takes; ``None``: ``WIDE_RESNET``.

    Raises:
        ValueError: for a depth that is not ``6n + 4``, a ``widen_factor`` below 1, a
            ``dropout_rate`` outside [0, 1), a bad head argument, or an input below 8x8.

    Note:
        The layout is the authors' code (github.com/szagoruyko/wide-residual-networks),
        which the paper's Figure 1(d) and Table 1 leave open in the same places as the
        pre-activation ResNet's: no BN-ReLU after the first conv, and a unit that changes
        the shape pre-activates before splitting, its 1x1 projection seeing the
        pre-activated input. Convs have no bias (the authors' Torch convs had one) and BN
        epsilon is Torch's 1e-5. The paper's parameter counts are matched within their
        rounding (the test checks it).

    Reference: [Wide Residual Networks](https://arxiv.org/abs/1605.07146) (BMVC 2016)
    """
    if not is_int(depth) or depth < 10 or (depth - 4) % 6:
        raise ValueError(
            "depth must be 6n + 4 with n >= 1 (16, 28 or 40 in the paper: n = 2, 4, 6 units "
            f"per stage); received depth={depth!r}."
        )
    widen_factor = check_int(
        "widen_factor", widen_factor, minimum=1, hint="the paper's k: 4, 8, 10; 1 is ResNet's"
    )
    dropout_rate = check_float(
        "dropout_rate",
        dropout_rate,
        minimum=0,
        maximum=1,
        max_inclusive=False,
        hint=f"the paper uses {DROPOUT_RATE} between the two convs of a unit; 0 for none",
    )
    check_head_args(include_top, pooling, classes, classifier_activation)
    width_multiplier = check_width_multiplier(width_multiplier, narrowest=CIFAR_STEM_WIDTH)
    return cifar_preact_net(
        wrn_stages(int(depth), widen_factor, width_multiplier),
        WIDE_RESNET if family is None else family,
        stem_width=scaled_width(CIFAR_STEM_WIDTH, width_multiplier),
        dropout_rate=dropout_rate,
        include_top=include_top,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
        name=name,
    )


def depth_vs_width(classes: int = 10) -> list[dict[str, object]]:
    """Deep and thin against shallow and wide on CIFAR-10: the pre-activation ResNets
    (164 and 1001 layers, k = 1) beside the Wide ResNets of the paper's Table 4, one row
    each, with their trainable parameters counted from their tables (no net is built) and
    the papers' parameters and errors.

    Rows: ``model`` (``"WRN-40-4"``), ``depth``, ``widen_factor``, ``units`` (residual
    units), ``params`` (computed), ``paper_mparams``, ``cifar10_error`` (%).
    """
    classes = check_int("classes", classes, minimum=1)
    stem = CIFAR_STEM_WIDTH
    rows = []
    for depth in sorted(PREACT_CIFAR10_ERROR):
        stages = cifar_bottleneck_stages(depth)
        rows.append(
            {
                "model": f"ResNet-{depth} (pre-act)",
                "depth": depth,
                "widen_factor": 1,
                "units": sum(len(units) for units in stages),
                "params": cifar_trainable_parameters(stages, stem_width=stem, classes=classes),
                "paper_mparams": PAPER_MPARAMS[depth],
                "cifar10_error": PREACT_CIFAR10_ERROR[depth],
            }
        )
    for depth, k in sorted(CIFAR10_ERROR):
        stages = wrn_stages(depth, k)
        rows.append(
            {
                "model": f"WRN-{depth}-{k}",
                "depth": depth,
                "widen_factor": k,
                "units": sum(len(units) for units in stages),
                "params": cifar_trainable_parameters(stages, stem_width=stem, classes=classes),
                "paper_mparams": PAPER_MPARAMS_WRN[(depth, k)],
                "cifar10_error": CIFAR10_ERROR[(depth, k)],
            }
        )
    return rows


WIDE_RESNET = Family(
    "Wide ResNet",
    paper=PAPER,
    input_size=32,
    min_input_size=MIN_CIFAR_INPUT_SIZE,
    recipe="wide_resnet_cifar",
    imagenet=False,
)
for _depth, _k in VARIANTS:
    register_model(
        f"wrn{_depth}_{_k}_cifar", wide_resnet, WIDE_RESNET, depth=_depth, widen_factor=_k
    )
