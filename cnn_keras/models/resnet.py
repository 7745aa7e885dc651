"""ResNet (He et al., 2015): residual blocks ``H(x) = F(x) + x``, ResNet-18 to ResNet-152.

One builder, :func:`resnet`, driven by one stage table (:data:`STAGES`, the paper's Table 1),
makes every depth. Its blocks, :func:`basic_block` and :func:`bottleneck_block`, are reused by
the CIFAR nets (``resnet_cifar.py``) and by ResNeXt (``resnext.py``, a bottleneck block whose
3x3 conv is grouped). With ``se_ratio`` every block ends in a squeeze-and-excitation block
(Hu et al., 2017): ``se_resnet50`` here, ``se_resnext50_32x4d`` in ``resnext.py``.
"""

from __future__ import annotations

import keras
from keras import layers

from cnn_keras.attention import check_se_ratio, squeeze_excite
from cnn_keras.checks import check_bool, check_choice, check_int
from cnn_keras.heads import application_model, check_head_args
from cnn_keras.layers import (
    ZeroPadShortcut,
    check_width_multiplier,
    conv_bn_act,
    he_init,
    image_input,
    scaled_width,
)
from cnn_keras.registry import Family, register_model

# The paper's Table 1: the block type and the number of blocks in stages conv2_x ... conv5_x.
# Stage i (0-based) works at width 64 * 2**i (the bottleneck's inner width, or the basic
# block's width); a bottleneck block outputs 4 times that.
STAGES = {
    18: ("basic", (2, 2, 2, 2)),
    34: ("basic", (3, 4, 6, 3)),
    50: ("bottleneck", (3, 4, 6, 3)),
    101: ("bottleneck", (3, 4, 23, 3)),
    152: ("bottleneck", (3, 8, 36, 3)),
}
STAGE_WIDTHS = (64, 128, 256, 512)
EXPANSION = 4  # a bottleneck block's output width over its inner width: 64 -> 256
BN_EPSILON = 1.001e-5  # keras.applications' ResNet
PAPER = "He et al. (CVPR 2016)"
SE_PAPER = "Hu et al. (CVPR 2018)"
# The SENet paper's reduction ratio r, in all its models: an SE block squeezes the C channels it
# gates to C / r (EfficientNet sizes its SE blocks another way: efficientnet.SE_WIDTH_OF_INPUT).
SE_REDUCTION = 16
SHORTCUTS = ("projection", "zero_pad", None)


def _shortcut(
    x: keras.KerasTensor,
    filters: int,
    stride: int,
    *,
    kind: str | None,
    name: str,
    use_bias: bool,
) -> keras.KerasTensor | None:
    """The block's shortcut: ``x`` itself when the shape is kept, else option B (a 1x1
    projection conv + BN, ``{name}_0``) or option A (``ZeroPadShortcut``, no parameters).
    ``kind=None`` is a plain block: no shortcut at all."""
    if kind is None:
        return None
    if stride == 1 and x.shape[-1] == filters:
        return x
    if kind == "zero_pad":
        return ZeroPadShortcut(filters, strides=stride, name=f"{name}_0_pad")(x)
    return conv_bn_act(
        x,
        filters,
        1,
        strides=stride,
        activation=None,
        use_bias=use_bias,
        bn_epsilon=BN_EPSILON,
        kernel_initializer=he_init(),
        name=f"{name}_0",
    )


def _conv3x3(
    x: keras.KerasTensor,
    filters: int,
    stride: int,
    *,
    name: str,
    groups: int = 1,
    activation: str | None = "relu",
    use_bias: bool,
) -> keras.KerasTensor:
    """A 3x3 conv-BN(-ReLU), padded by 1 on every side as in the paper (a stride-2 ``"same"``
    conv would pad only the bottom and right)."""
    padding = "same"
    if stride > 1:
        x = layers.ZeroPadding2D(1, name=f"{name}_pad")(x)
        padding = "valid"
    return conv_bn_act(
        x,
        filters,
        3,
        strides=stride,
        padding=padding,
        groups=groups,
        activation=activation,
        use_bias=use_bias,
        bn_epsilon=BN_EPSILON,
        kernel_initializer=he_init(),
        name=name,
    )


def _merge(
    x: keras.KerasTensor,
    shortcut: keras.KerasTensor | None,
    *,
    name: str,
    se_ratio: int | None = None,
) -> keras.KerasTensor:
    """``relu(F(x) + shortcut)`` (``{name}_add``, ``{name}_out``), or ``relu(F(x))`` for a plain
    block. With ``se_ratio``, ``F(x)`` first goes through a squeeze-and-excitation block
    (``{name}_se``): on the residual branch, before the addition (the SENet paper's Figure 3)."""
    if se_ratio is not None:
        x = squeeze_excite(x, se_ratio, name=f"{name}_se")
    if shortcut is not None:
        x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def basic_block(
    x: keras.KerasTensor,
    filters: int,
    *,
    stride: int = 1,
    shortcut: str | None = "projection",
    use_bias: bool = False,
    se_ratio: int | None = None,
    name: str,
) -> keras.KerasTensor:
    """Two 3x3 convs (``{name}_1``, ``{name}_2``) and the shortcut: ResNet-18/34 and the CIFAR
    nets (the paper's Figure 5, left).

    Args:
        x: the input.
        filters: the width of both convs and of the output.
        stride: the first conv's stride (2 where a stage halves the map).
        shortcut: where the shape changes: ``"projection"`` (option B, a 1x1 conv),
            ``"zero_pad"`` (option A: subsample and pad channels with zeros), or ``None`` for
            the plain net's block with no shortcut at all.
        use_bias: conv biases.
        se_ratio: add a squeeze-and-excitation block of this reduction ratio before the
            addition (``None``: none).
        name: the block's name prefix (``conv3_block1``).
    """
    residual = _shortcut(x, filters, stride, kind=shortcut, name=name, use_bias=use_bias)
    x = _conv3x3(x, filters, stride, name=f"{name}_1", use_bias=use_bias)
    x = _conv3x3(x, filters, 1, name=f"{name}_2", activation=None, use_bias=use_bias)
    return _merge(x, residual, name=name, se_ratio=se_ratio)


def bottleneck_block(
    x: keras.KerasTensor,
    width: int,
    filters: int,
    *,
    stride: int = 1,
    groups: int = 1,
    stride_in_1x1: bool = True,
    use_bias: bool = True,
    se_ratio: int | None = None,
    name: str,
) -> keras.KerasTensor:
    """1x1 (reduce to ``width``), 3x3 (``groups`` groups), 1x1 (expand to ``filters``), and a
    projection shortcut where the shape changes (the paper's Figure 5, right).

    Args:
        x: the input.
        width: the inner width (64 in conv2_x of ResNet-50; ``cardinality * d`` in ResNeXt).
        filters: the output width (256 in conv2_x).
        stride: the block's stride (2 in the first block of conv3_x ... conv5_x).
        groups: the 3x3 conv's groups: ResNeXt's cardinality.
        stride_in_1x1: put the stride on the first 1x1 conv (the paper, Caffe and
            keras.applications) rather than on the 3x3 conv (fb.resnet.torch, ResNeXt,
            torchvision's "ResNet v1.5").
        use_bias: conv biases.
        se_ratio: add a squeeze-and-excitation block of this reduction ratio before the
            addition (``None``: none).
        name: the block's name prefix (``conv3_block1``).
    """
    residual = _shortcut(x, filters, stride, kind="projection", name=name, use_bias=use_bias)
    stride_1x1, stride_3x3 = (stride, 1) if stride_in_1x1 else (1, stride)
    x = conv_bn_act(
        x,
        width,
        1,
        strides=stride_1x1,
        use_bias=use_bias,
        bn_epsilon=BN_EPSILON,
        kernel_initializer=he_init(),
        name=f"{name}_1",
    )
    x = _conv3x3(x, width, stride_3x3, groups=groups, name=f"{name}_2", use_bias=use_bias)
    x = conv_bn_act(
        x,
        filters,
        1,
        activation=None,
        use_bias=use_bias,
        bn_epsilon=BN_EPSILON,
        kernel_initializer=he_init(),
        name=f"{name}_3",
    )
    return _merge(x, residual, name=name, se_ratio=se_ratio)


def resnet(
    *,
    depth: int = 50,
    include_top: bool = True,
    input_shape=None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | None = "softmax",
    cardinality: int = 1,
    bottleneck_width: int = 64,
    stride_in_1x1: bool = True,
    use_bias: bool = True,
    width_multiplier: float = 1.0,
    se_ratio: int | None = None,
    name: str = "resnet",
    family: Family | None = None,
) -> keras.Model:
    """ResNet for ImageNet: a 7x7/2 conv and a 3x3/2 max pool, four stages of residual blocks,
    global average pooling and one fully connected layer.

    Shapes for a 224x224 input (bottleneck widths; basic blocks output 64, 128, 256, 512)::

        conv1   112x112x64    7x7/2 conv
        pool1   56x56x64      3x3/2 max pool
        conv2   56x56x256     blocks of 1x1 64, 3x3 64, 1x1 256
        conv3   28x28x512     the first block has stride 2
        conv4   14x14x1024
        conv5   7x7x2048
        head    1000          global average pool, fc

    Layers are named as in keras.applications with the ``_conv`` suffix left off:
    ``conv2_block1_1`` (conv), ``conv2_block1_1_bn``, ``conv2_block1_1_relu``,
    ``conv2_block1_0`` (projection shortcut), ``conv2_block1_add``, ``conv2_block1_out``.

    Args:
        depth: 18, 34 (basic blocks), 50, 101 or 152 (bottleneck blocks): a row of
            :data:`STAGES`.
        include_top: end in global average pooling and the ``predictions`` layer.
        input_shape: ``(height, width, 3)``; by default 224x224x3. At least 32x32.
        pooling: with ``include_top=False``: ``None``, ``"avg"`` or ``"max"``.
        classes: outputs of the classifier.
        classifier_activation: ``"softmax"`` or ``None`` for logits.
        cardinality: the groups of every bottleneck's 3x3 conv (ResNeXt's C; 1 for ResNet).
        bottleneck_width: the width of one group in conv2_x (ResNeXt's d; 64 for ResNet).
            Stage i's inner width is ``cardinality * bottleneck_width * 2**i``.
        stride_in_1x1: bottleneck blocks downsample in their first 1x1 conv (the paper);
            ``False`` puts the stride on the 3x3 conv.
        use_bias: conv biases (see the note).
        width_multiplier: scale every width, for a small net on a CPU.
        se_ratio: end every block's residual branch in a squeeze-and-excitation block
            (:func:`cnn_keras.attention.squeeze_excite`) of this reduction ratio r, before the
            addition: SE-ResNet (16 is the SENet paper's). ``None``: no SE blocks.
        name: the model's name.
        family: the registry's Family, whose input sizes it takes; ``None``: ``RESNET``.

    Raises:
        ValueError: for a depth not in :data:`STAGES`, a bad head argument, an input below
            32x32, a ``cardinality`` that does not divide a stage's inner width, or an
            ``se_ratio`` that is not ``None`` or an int >= 1.

    Note:
        ``resnet50``, ``resnet101`` and ``resnet152`` are keras.applications' ResNet50,
        ResNet101 and ResNet152 layer for layer: copying its weights into ours gives equal
        outputs. That means two things the paper's text leaves open or differs on: the
        stride-2 of conv3_1, conv4_1 and conv5_1 sits on the first 1x1 conv, as in the
        paper and the authors' Caffe models (torchvision's "v1.5" moves it to the 3x3 conv),
        and every conv has a bias, as in the Keras port of the Caffe weights (the paper's convs
        have none, BN follows; the bias adds 0.1 % of parameters). The shortcut where the shape
        changes is the paper's option B (1x1 projection). ``resnet18`` and ``resnet34``, which
        keras.applications lacks, are registered without conv biases, as torchvision's, and
        downsample in their first 3x3 conv. Every 3x3 stride-2 conv is padded by 1 on all
        sides, as in the paper; BN epsilon is keras.applications' 1.001e-5.

        ``se_resnet50`` is ``resnet50`` with SE blocks, so it keeps the conv biases: 28,167,704
        parameters as keras.applications counts them (BN's moving averages included), and
        28,088,024 learned weights without the biases, the SENet paper's 28.1 M (Table 2).
        The SE blocks' share does not depend on the biases: 2.53 M parameters, +9.9 % (the
        paper: 25.6 M -> 28.1 M). Their FCs add 2.5 M multiply-accumulates, +0.07 % of
        ResNet-50's 3.86 G, where the paper reports 3.86 -> 3.87 GFLOPs:
        :func:`cnn_keras.analysis.count_macs` counts convs and FCs only, while the paper's
        0.01 G also holds the squeeze's averaging and the channel-wise scaling, about 5.5 M
        operations each (one per value of the blocks' outputs).

    Reference: [Deep Residual Learning for Image Recognition](https://arxiv.org/abs/1512.03385)
        (CVPR 2016); [Squeeze-and-Excitation Networks](https://arxiv.org/abs/1709.01507)
        (CVPR 2018)
    """
    depth = check_choice(
        "depth", check_int("depth", depth), sorted(STAGES), hint="the paper's Table 1"
    )
    check_head_args(include_top, pooling, classes, classifier_activation)
    cardinality = check_int(
        "cardinality", cardinality, minimum=1, hint="1 for ResNet, 32 for ResNeXt 32x4d"
    )
    bottleneck_width = check_int(
        "bottleneck_width", bottleneck_width, minimum=1, hint="64 for ResNet, 4 for ResNeXt 32x4d"
    )
    check_bool("stride_in_1x1", stride_in_1x1)
    check_bool("use_bias", use_bias)
    if se_ratio is not None:
        se_ratio = check_se_ratio(se_ratio, arg="se_ratio")
    width_multiplier = check_width_multiplier(
        width_multiplier, narrowest=min(STAGE_WIDTHS[0], cardinality * bottleneck_width)
    )
    block, blocks_per_stage = STAGES[depth]
    inner_widths = [
        scaled_width(cardinality * bottleneck_width * 2**i, width_multiplier) for i in range(4)
    ]
    for stage, width in enumerate(inner_widths, start=2):
        if block == "bottleneck" and width % cardinality:
            divisors = [c for c in range(1, width + 1) if width % c == 0]
            raise ValueError(
                f"cardinality={cardinality} does not divide the grouped 3x3 conv's width "
                f"{width} in stage conv{stage} (cardinality * bottleneck_width * 2**i = "
                f"{cardinality} * {bottleneck_width} * {2 ** (stage - 2)}, times "
                f"width_multiplier={width_multiplier}); a cardinality that divides {width} "
                f"works: {divisors}."
            )
    inputs = image_input(
        input_shape, RESNET if family is None else family, model_name=name, include_top=include_top
    )

    # conv1: 7x7/2 conv padded by 3 (112x112x64), pool1: 3x3/2 max pool padded by 1 (56x56x64).
    x = layers.ZeroPadding2D(3, name="conv1_pad")(inputs)
    x = conv_bn_act(
        x,
        scaled_width(64, width_multiplier),
        7,
        strides=2,
        padding="valid",
        use_bias=use_bias,
        bn_epsilon=BN_EPSILON,
        kernel_initializer=he_init(),
        name="conv1",
    )
    x = layers.ZeroPadding2D(1, name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)

    # conv2_x 56x56, conv3_x 28x28, conv4_x 14x14, conv5_x 7x7 (x 256, 512, 1024, 2048 for
    # bottleneck blocks; x 64, 128, 256, 512 for basic blocks).
    for i, blocks in enumerate(blocks_per_stage):
        for index in range(1, blocks + 1):
            stride = 2 if i > 0 and index == 1 else 1
            block_name = f"conv{i + 2}_block{index}"
            if block == "basic":
                x = basic_block(
                    x,
                    scaled_width(STAGE_WIDTHS[i], width_multiplier),
                    stride=stride,
                    use_bias=use_bias,
                    se_ratio=se_ratio,
                    name=block_name,
                )
            else:
                x = bottleneck_block(
                    x,
                    inner_widths[i],
                    scaled_width(EXPANSION * STAGE_WIDTHS[i], width_multiplier),
                    stride=stride,
                    groups=cardinality,
                    stride_in_1x1=stride_in_1x1,
                    use_bias=use_bias,
                    se_ratio=se_ratio,
                    name=block_name,
                )
    return application_model(
        inputs, x, include_top, pooling, classes, classifier_activation, name=name
    )


RESNET = Family("ResNet", paper=PAPER, input_size=224, min_input_size=32, recipe="resnet")
for _depth in STAGES:
    register_model(
        f"resnet{_depth}",
        resnet,
        RESNET,
        twin=f"ResNet{_depth}" if _depth >= 50 else None,
        depth=_depth,
        **({"use_bias": False} if STAGES[_depth][0] == "basic" else {}),
    )

# SE-ResNet-50: ResNet-50 with an SE block of ratio 16 in every block (the SENet paper's
# Table 2). The SE-ResNeXt is registered in resnext.py.
SENET = Family(
    "SENet", paper=SE_PAPER, input_size=224, min_input_size=32, recipe="senet", augment="inception"
)
register_model("se_resnet50", resnet, SENET, depth=50, se_ratio=SE_REDUCTION)
