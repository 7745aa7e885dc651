"""ResNeXt (Xie et al., 2017): ResNet's bottleneck with a grouped 3x3 conv of ``cardinality``
paths, each ``bottleneck_width`` channels wide; with ``se_ratio``, SE-ResNeXt.

ResNeXt is the ResNet builder with two more numbers: this module calls
:func:`cnn_keras.models.resnet.resnet` with them and adds no block of its own.
"""

from __future__ import annotations

import keras

from cnn_keras.checks import check_choice, check_int
from cnn_keras.models.resnet import SE_REDUCTION, SENET, STAGES, resnet
from cnn_keras.registry import Family, register_model

PAPER = "Xie et al. (CVPR 2017)"


def resnext(
    *,
    depth: int = 50,
    cardinality: int = 32,
    bottleneck_width: int = 4,
    include_top: bool = True,
    input_shape=None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | None = "softmax",
    width_multiplier: float = 1.0,
    se_ratio: int | None = None,
    name: str = "resnext",
    family: Family | None = None,
) -> keras.Model:
    """ResNeXt-50/101 (``C x d``): ResNet-50/101 whose bottleneck's 3x3 conv is split into
    ``cardinality`` (C) groups of ``bottleneck_width`` (d) channels.

    The paper's Table 1 for ResNeXt-50 (32x4d), for a 224x224 input::

        conv1   112x112x64    7x7/2 conv, then 3x3/2 max pool
        conv2   56x56x256     3 blocks of 1x1 128, 3x3 128 (C=32 groups), 1x1 256
        conv3   28x28x512     4 blocks of 1x1 256, 3x3 256 (C=32), 1x1 512
        conv4   14x14x1024    6 blocks (23 for ResNeXt-101) of 1x1 512, 3x3 512, 1x1 1024
        conv5   7x7x2048      3 blocks of 1x1 1024, 3x3 1024 (C=32), 1x1 2048
        head    1000          global average pool, fc

    A grouped conv is the paper's Figure 3(c), equal to its 32 parallel paths of Figure 3(a).

    Args:
        depth: 50 or 101 (the bottleneck rows of ResNet's stage table).
        cardinality: C, the number of paths (groups of the 3x3 conv).
        bottleneck_width: d, each path's width in conv2_x (doubled in every later stage).
        include_top: end in global average pooling and the ``predictions`` layer.
        input_shape: ``(height, width, 3)``; by default 224x224x3. At least 32x32.
        pooling: with ``include_top=False``: ``None``, ``"avg"`` or ``"max"``.
        classes: outputs of the classifier.
        classifier_activation: ``"softmax"`` or ``None`` for logits.
        width_multiplier: scale every width, for a small net on a CPU; the cardinality must
            still divide the grouped convs' widths.
        se_ratio: end every block's residual branch in a squeeze-and-excitation block of this
            reduction ratio, before the addition: SE-ResNeXt (16 is the SENet paper's).
            ``None``: no SE blocks.
        name: the model's name.
        family: the registry's Family, whose input sizes it takes; ``None``: ``RESNEXT``.

    Raises:
        ValueError: for a depth without bottleneck blocks, a ``cardinality`` that does not
            divide a stage's width, a bad head argument, an input below 32x32, or an
            ``se_ratio`` that is not ``None`` or an int >= 1.

    Note:
        As in the authors' code (fb.resnet.torch) and the paper's FLOP counts, the stride-2
        of a stage's first block is on the 3x3 conv, not on the first 1x1 as in ``resnet50``,
        and convs have no bias. BN epsilon is keras.applications' ResNet's 1.001e-5 (the
        authors' Torch code uses 1e-5).

        ``se_resnext50_32x4d`` has 27.56 M parameters, the SENet paper's 27.6 M (Table 2):
        its SE blocks add 2.53 M to ResNeXt-50's 25.03 M, +10.1 %. Their FCs add 2.5 M
        multiply-accumulates, +0.06 % of 4.23 G; the paper's 4.24 -> 4.25 GFLOPs also counts
        the squeeze's averaging and the channel-wise scaling (see ``resnet``'s note).

    Reference: [Aggregated Residual Transformations for Deep Neural Networks](
        https://arxiv.org/abs/1611.05431) (CVPR 2017); [Squeeze-and-Excitation Networks](
        https://arxiv.org/abs/1709.01507) (CVPR 2018)
    """
    bottleneck_depths = sorted(d for d, (block, _) in STAGES.items() if block == "bottleneck")
    check_choice(
        "depth", check_int("depth", depth), bottleneck_depths, hint="ResNet's bottleneck depths"
    )
    return resnet(
        depth=depth,
        include_top=include_top,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
        cardinality=cardinality,
        bottleneck_width=bottleneck_width,
        stride_in_1x1=False,
        use_bias=False,
        width_multiplier=width_multiplier,
        se_ratio=se_ratio,
        name=name,
        family=RESNEXT if family is None else family,
    )


RESNEXT = Family("ResNeXt", paper=PAPER, input_size=224, min_input_size=32, recipe="resnext")
for _depth in (50, 101):
    register_model(
        f"resnext{_depth}_32x4d",
        resnext,
        RESNEXT,
        depth=_depth,
        cardinality=32,
        bottleneck_width=4,
    )

# SE-ResNeXt-50 (32x4d): ResNeXt-50 with an SE block of ratio 16 in every block (the SENet
# paper's Table 2), in the SENet family with SE-ResNet-50.
register_model(
    "se_resnext50_32x4d",
    resnext,
    SENET,
    depth=50,
    cardinality=32,
    bottleneck_width=4,
    se_ratio=SE_REDUCTION,
)
