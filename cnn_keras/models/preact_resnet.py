"""Pre-activation ResNet (He et al., 2016, "Identity Mappings in Deep Residual Networks").

The original residual unit computes ``x_{l+1} = relu(x_l + F(x_l))``: the ReLU after the
addition sits on the shortcut, so a signal crossing many units is clipped at every one. The
full pre-activation unit moves batch normalization and the ReLU in front of each conv
(BN-ReLU-conv) and leaves the addition alone: ``x_{l+1} = x_l + F(x_l)``, so any unit's
input reaches any deeper unit, and its gradient comes back, unchanged. That trains a
1001-layer net on CIFAR-10 (4.92 % error), where the original unit's 1202-layer net
overfitted.

:func:`preact_unit` is the one implementation of the unit: the CIFAR bottleneck nets
(:func:`preact_resnet_cifar`, ResNet-164 and ResNet-1001), the ImageNet nets
(:func:`preact_resnet`, on the v1 ResNets' stage table) and the Wide ResNets
(``wide_resnet.py``) are all built from it.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from cnn_keras.batch_norm import BatchNormalization
from cnn_keras.checks import check_bool, check_choice, check_int, is_int
from cnn_keras.heads import application_model, check_head_args
from cnn_keras.layers import (
    check_width_multiplier,
    he_init,
    image_input,
    scaled_width,
)
from cnn_keras.models.resnet import EXPANSION, STAGE_WIDTHS, STAGES
from cnn_keras.registry import Family, register_model

PAPER = "He et al. (ECCV 2016)"
BN_EPSILON = 1e-5  # Torch's, which the authors' code (fb.resnet.torch, resnet-1k-layers) used
# CIFAR: a 3x3 conv with 16 filters, then three stages on 32x32, 16x16 and 8x8 maps whose
# bottleneck units are 16, 32 and 64 wide inside and 4 times that outside.
CIFAR_STEM_WIDTH = 16
CIFAR_STAGE_WIDTHS = (16, 32, 64)
CIFAR_DEPTHS = (164, 1001)  # n = 18 and 111 units per stage (depth = 9n + 2)
MIN_CIFAR_INPUT_SIZE = 8  # 8 -> 8, 4, 2 over the three stages
# The paper's Table 4 (CIFAR-10 test error %, median of 5 runs, batch 128) and parameters.
CIFAR10_ERROR = {164: 5.46, 1001: 4.92}
PAPER_MPARAMS = {164: 1.7, 1001: 10.2}


def _bn_relu(x: keras.KerasTensor, name: str) -> keras.KerasTensor:
    """BatchNormalization (``{name}_bn``) and ReLU (``{name}_relu``): a pre-activation."""
    x = BatchNormalization(epsilon=BN_EPSILON, name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x)


def _conv(
    x: keras.KerasTensor, filters: int, kernel: int, stride: int, name: str
) -> keras.KerasTensor:
    """A conv without bias (a BN follows every one, in the next unit if not in this one),
    padded by ``kernel // 2`` on every side as in Torch (``"same"`` pads a stride-2 conv on
    the bottom and right only)."""
    padding = "same"
    if stride > 1 and kernel > 1:
        x = layers.ZeroPadding2D(kernel // 2, name=f"{name}_pad")(x)
        padding = "valid"
    return layers.Conv2D(
        filters,
        kernel,
        strides=stride,
        padding=padding,
        use_bias=False,
        kernel_initializer=he_init(),
        name=name,
    )(x)


def preact_unit(
    x: keras.KerasTensor,
    convs: Sequence[tuple[int, int, int]],
    *,
    name: str,
    preactivate: bool = True,
    dropout_rate: float = 0.0,
) -> keras.KerasTensor:
    """The full pre-activation residual unit (the paper's Figure 1(b) and 4(e)).

    ``x + F(x)`` where ``F`` is BN-ReLU-conv for every conv of ``convs``, nothing after the
    addition. Where the unit changes the shape (a stride, or another width), the shortcut is
    a 1x1 projection (``{name}_0``) of the pre-activated input, which both paths then share
    (the authors' code); otherwise it is ``x`` itself.

    Layers, with keras.applications' ResNetV2 names: ``{name}_preact_bn``,
    ``{name}_preact_relu``, ``{name}_1`` (conv), ``{name}_1_bn``, ``{name}_1_relu``,
    ``{name}_2``, ..., ``{name}_add``.

    Args:
        x: the input.
        convs: ``(filters, kernel size, stride)`` of each conv of the residual branch:
            ``[(64, 1, 1), (64, 3, 1), (256, 1, 1)]`` for a bottleneck, ``[(w, 3, s),
            (w, 3, 1)]`` for a basic (Wide ResNet) unit. The unit's stride is the product of
            the strides.
        name: the unit's name prefix (``conv3_block1``).
        preactivate: start with BN-ReLU; ``False`` only where the input has just been
            through BN-ReLU (the ImageNet stem before the first unit).
        dropout_rate: dropout after the BN-ReLU in front of every conv but the first (Wide
            ResNet's dropout between the two convs); 0 for none.
    """
    stride = 1
    for _, _, conv_stride in convs:
        stride *= conv_stride
    filters = convs[-1][0]
    pre = _bn_relu(x, f"{name}_preact") if preactivate else x
    if stride == 1 and x.shape[-1] == filters:
        shortcut = x
    else:
        shortcut = _conv(pre, filters, 1, stride, f"{name}_0")
    h = pre
    for index, (width, kernel, conv_stride) in enumerate(convs, start=1):
        if index > 1:
            h = _bn_relu(h, f"{name}_{index - 1}")
            if dropout_rate:
                h = layers.Dropout(dropout_rate, name=f"{name}_{index - 1}_dropout")(h)
        h = _conv(h, width, kernel, conv_stride, f"{name}_{index}")
    return layers.Add(name=f"{name}_add")([shortcut, h])


def bottleneck_convs(width: int, stride: int, *, stride_in_1x1: bool = True):
    """A bottleneck's convs for :func:`preact_unit`: 1x1 ``width``, 3x3 ``width``, 1x1
    ``4 * width``, the stride on the first 1x1 (the authors' CIFAR code, and the v1 ResNets
    here) or on the 3x3 (fb.resnet.torch)."""
    first, middle = (stride, 1) if stride_in_1x1 else (1, stride)
    return [(width, 1, first), (width, 3, middle), (EXPANSION * width, 1, 1)]


def basic_convs(width: int, stride: int):
    """A basic unit's convs for :func:`preact_unit`: two 3x3 convs, the stride on the first."""
    return [(width, 3, stride), (width, 3, 1)]


def cifar_preact_net(
    stages: Sequence[Sequence[Sequence[tuple[int, int, int]]]],
    family: Family,
    *,
    stem_width: int,
    dropout_rate: float,
    include_top: bool,
    input_shape,
    pooling: str | None,
    classes: int,
    classifier_activation: str | None,
    name: str,
) -> keras.Model:
    """The CIFAR pre-activation net around a table of units: a 3x3 conv (``conv1``, no BN
    or ReLU after it: the first unit's pre-activation is theirs), the units of each stage
    (``conv{2,3,4}_block{i}``, one list of convs per unit), the final BN-ReLU (``post_bn``,
    ``post_relu``) and the head. Shared by the pre-activation ResNets and the Wide ResNets
    for CIFAR (``family``: the caller's, whose input sizes it takes), whose builders
    check the arguments."""
    inputs = image_input(input_shape, family, model_name=name, include_top=include_top)
    x = _conv(inputs, stem_width, 3, 1, "conv1")  # 32x32x16
    for stage, units in enumerate(stages, start=2):  # 32x32, 16x16, 8x8
        for index, convs in enumerate(units, start=1):
            x = preact_unit(x, convs, name=f"conv{stage}_block{index}", dropout_rate=dropout_rate)
    x = _bn_relu(x, "post")
    return application_model(
        inputs, x, include_top, pooling, classes, classifier_activation, name=name
    )


def cifar_bottleneck_stages(depth: int, width_multiplier: float = 1.0):
    """The units of the CIFAR ResNet of ``depth = 9n + 2`` layers, for :func:`cifar_preact_net`:
    three stages of ``n`` bottleneck units, the first of stages 2 and 3 with stride 2."""
    n = (depth - 2) // 9
    return [
        [
            bottleneck_convs(scaled_width(width, width_multiplier), 2 if i and not unit else 1)
            for unit in range(n)
        ]
        for i, width in enumerate(CIFAR_STAGE_WIDTHS)
    ]


def cifar_trainable_parameters(
    stages: Sequence[Sequence[Sequence[tuple[int, int, int]]]],
    *,
    stem_width: int,
    classes: int = 10,
    channels: int = 3,
) -> int:
    """The trainable parameters of :func:`cifar_preact_net` for a table of units, counted
    from the table without building the net (a 1001-layer net takes a while to build).

    Each unit has, per conv, a BN (gamma and beta) on the conv's input and the conv's
    kernel, and a 1x1 projection where it changes the shape; then the final BN and the
    fully connected layer. The stem conv has no BN of its own (the first unit's
    pre-activation normalizes its output). So the count grows linearly with the depth and
    with the square of the width: the trade of depth against width in one line.
    """
    total = 9 * channels * stem_width
    width = stem_width
    for units in stages:
        for convs in units:
            stride, unit_in = 1, width
            for filters, kernel, conv_stride in convs:
                total += 2 * width + kernel * kernel * width * filters
                width, stride = filters, stride * conv_stride
            if stride > 1 or unit_in != width:
                total += unit_in * width
    return total + 2 * width + width * classes + classes


def preact_resnet_cifar(
    *,
    depth: int = 164,
    include_top: bool = True,
    input_shape=None,
    pooling: str | None = None,
    classes: int = 10,
    classifier_activation: str | None = "softmax",
    width_multiplier: float = 1.0,
    name: str = "preact_resnet_cifar",
    family: Family | None = None,
) -> keras.Model:
    """The paper's CIFAR pre-activation ResNets with bottleneck units: ``9n + 2`` layers.

    A 3x3 conv with 16 filters, then three stages of ``n`` bottleneck units (1x1, 3x3, 1x1;
    16, 32, 64 wide inside and 64, 128, 256 outside) on 32x32, 16x16 and 8x8 maps, the final
    BN-ReLU, global average pooling and a fully connected layer. ``9n + 2`` weight layers:
    164 for n = 18 (1.7 M parameters), 1001 for n = 111 (10.2 M).

    Shapes for a 32x32 input (ResNet-164)::

        conv1    32x32x16     3x3 conv
        conv2    32x32x64     18 units; the first projects 16 -> 64
        conv3    16x16x128    18 units; the first has stride 2
        conv4    8x8x256      18 units; the first has stride 2
        post     8x8x256      BN-ReLU
        head     10           global average pool, fc

    Args:
        depth: ``9n + 2``: 164 or 1001 in the paper (any ``n >= 1`` works: 11, 20, ...).
        include_top: end in global average pooling and the ``predictions`` layer.
        input_shape: ``(height, width, channels)``; by default 32x32x3. At least 8x8.
        pooling: with ``include_top=False``: ``None``, ``"avg"`` or ``"max"``.
        classes: outputs of the classifier (10 for CIFAR-10).
        classifier_activation: ``"softmax"`` or ``None`` for logits.
        width_multiplier: scale every width.
        name: the model's name.
        family: the registry's Family, whose input sizes it takes; ``None``: ``PREACT_CIFAR``.

    Raises:
        ValueError: for a depth that is not ``9n + 2``, a bad head argument, or an input
            below 8x8.

    Note:
        The layout follows the authors' code (github.com/KaimingHe/resnet-1k-layers), which
        the paper's text leaves open: the first conv has no BN or ReLU after it (the first
        unit pre-activates its input); a unit that changes the shape (the first of each
        stage) applies its BN-ReLU before splitting, so its 1x1 projection shortcut sees the
        pre-activated input; the stride-2 of the second and third stages is on the first 1x1
        conv. Convs have no bias (every conv's output meets a BN, in the next unit if not in
        its own); the authors' Torch convs had one. BN epsilon is Torch's 1e-5.

    Reference: [Identity Mappings in Deep Residual Networks](https://arxiv.org/abs/1603.05027)
        (ECCV 2016)
    """
    if not is_int(depth) or depth < 11 or (depth - 2) % 9:
        raise ValueError(
            "depth must be 9n + 2 with n >= 1 (164 and 1001 in the paper: n = 18 and 111 "
            f"bottleneck units per stage); received depth={depth!r}."
        )
    check_head_args(include_top, pooling, classes, classifier_activation)
    width_multiplier = check_width_multiplier(width_multiplier, narrowest=CIFAR_STEM_WIDTH)
    return cifar_preact_net(
        cifar_bottleneck_stages(int(depth), width_multiplier),
        PREACT_CIFAR if family is None else family,
        stem_width=scaled_width(CIFAR_STEM_WIDTH, width_multiplier),
        dropout_rate=0.0,
        include_top=include_top,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
        name=name,
    )


def preact_resnet(
    *,
    depth: int = 50,
    include_top: bool = True,
    input_shape=None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: str | None = "softmax",
    stride_in_1x1: bool = True,
    width_multiplier: float = 1.0,
    name: str = "preact_resnet",
    family: Family | None = None,
) -> keras.Model:
    """Pre-activation ResNet for ImageNet: the v1 ResNet's stages (the ResNet paper's
    Table 1, :data:`cnn_keras.models.resnet.STAGES`) with full pre-activation units.

    Shapes for a 224x224 input (bottleneck widths; basic units output 64 ... 512)::

        conv1   112x112x64    7x7/2 conv, BN, ReLU
        pool1   56x56x64      3x3/2 max pool
        conv2   56x56x256     the first unit takes the stem's BN-ReLU as its pre-activation
        conv3   28x28x512     the first unit of conv3 ... conv5 has stride 2 and a projection
        conv4   14x14x1024
        conv5   7x7x2048
        post    7x7x2048      BN, ReLU
        head    1000          global average pool, fc

    Args:
        depth: 18, 34 (basic units), 50, 101 or 152 (bottleneck units).
        include_top: end in global average pooling and the ``predictions`` layer.
        input_shape: ``(height, width, channels)``; by default 224x224x3. At least 32x32.
        pooling: with ``include_top=False``: ``None``, ``"avg"`` or ``"max"``.
        classes: outputs of the classifier.
        classifier_activation: ``"softmax"`` or ``None`` for logits.
        stride_in_1x1: bottleneck units downsample in their first 1x1 conv (as the v1 nets
            here and the authors' CIFAR code); ``False`` puts the stride on the 3x3 conv
            (fb.resnet.torch's ``preresnet.lua``).
        width_multiplier: scale every width.
        name: the model's name.
        family: the registry's Family, whose input sizes it takes; ``None``: ``PREACT``.

    Raises:
        ValueError: for a depth not in the table, a bad head argument, or an input below
            32x32.

    Note:
        The paper trains only ResNet-152 and ResNet-200 on ImageNet (Table 5), with "the
        same hyper-parameters and implementation as" the ResNet paper. The layout here is
        fb.resnet.torch's ``preresnet.lua``, which the authors point to: the stem keeps its
        BN-ReLU (the paper: "the first activation right after conv1"), the first unit of
        conv2 has no BN-ReLU of its own, the first unit of conv3 ... conv5 pre-activates
        before the split (its projection shortcut sees the pre-activated input), and a
        final BN-ReLU precedes the pooling. Convs have no bias; the parameter count is the
        v1 net's without conv biases, plus or minus the BN layers that moved.
        keras.applications' ResNet50V2 is not the same network: it puts each stage's
        stride on its last unit (with a 1x1 max pool on the shortcut), as TF-slim does, and
        gives the stem conv, the projections and the last 1x1 convs a bias; so it is not a
        weight-copy twin.

    Reference: [Identity Mappings in Deep Residual Networks](https://arxiv.org/abs/1603.05027)
        (ECCV 2016)
    """
    depth = check_choice(
        "depth", check_int("depth", depth), sorted(STAGES), hint="the ResNet paper's Table 1"
    )
    check_head_args(include_top, pooling, classes, classifier_activation)
    check_bool("stride_in_1x1", stride_in_1x1)
    width_multiplier = check_width_multiplier(width_multiplier, narrowest=STAGE_WIDTHS[0])
    block, blocks_per_stage = STAGES[depth]
    inputs = image_input(
        input_shape, PREACT if family is None else family, model_name=name, include_top=include_top
    )
    # conv1: 7x7/2 conv padded by 3, BN, ReLU (112x112x64); pool1: 3x3/2 max pool (56x56x64).
    x = _conv(inputs, scaled_width(64, width_multiplier), 7, 2, "conv1")
    x = _bn_relu(x, "conv1")
    x = layers.ZeroPadding2D(1, name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    for i, blocks in enumerate(blocks_per_stage):
        width = scaled_width(STAGE_WIDTHS[i], width_multiplier)
        for index in range(1, blocks + 1):
            stride = 2 if i > 0 and index == 1 else 1
            if block == "basic":
                convs = basic_convs(width, stride)
            else:
                convs = bottleneck_convs(width, stride, stride_in_1x1=stride_in_1x1)
            x = preact_unit(
                x,
                convs,
                name=f"conv{i + 2}_block{index}",
                preactivate=not (i == 0 and index == 1),
            )
    x = _bn_relu(x, "post")
    return application_model(
        inputs, x, include_top, pooling, classes, classifier_activation, name=name
    )


PREACT = Family(
    "Pre-activation ResNet", paper=PAPER, input_size=224, min_input_size=32, recipe="preact_resnet"
)
PREACT_CIFAR = Family(
    "Pre-activation ResNet",
    paper=PAPER,
    input_size=32,
    min_input_size=MIN_CIFAR_INPUT_SIZE,
    recipe="preact_resnet_cifar",
    imagenet=False,
)
for _depth in STAGES:
    register_model(f"preact_resnet{_depth}", preact_resnet, PREACT, depth=_depth)
for _depth in CIFAR_DEPTHS:
    register_model(f"preact_resnet{_depth}_cifar", preact_resnet_cifar, PREACT_CIFAR, depth=_depth)
