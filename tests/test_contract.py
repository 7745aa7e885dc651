"""The contract every registered model keeps (design.md, "Testing").

Each model: builds at its smallest input, gives ``(None, 7)`` with ``classes=7``, has unique
meaningful layer names that are the same in two builds, works without its top with every
``pooling``, refuses an input below its minimum, saves to ``.keras`` and loads in safe mode
with equal outputs, and builds on grayscale (one-channel) input. Its initial weights are
random, kernel by kernel, and fixed by ``keras.utils.set_random_seed``. One training step's
gradient reaches every trainable weight, finite (the backward check, on the contract's own
build: no extra one).

Every code path (each family, and each path inside one: basic and bottleneck ResNets, the
CIFAR DenseNet-BC stem, ZFNet's filter sizes ...) runs the whole contract on every backend
(``KERAS_BACKEND=jax pytest -m models``) through its cheapest variant, listed in
``CODE_PATHS``. The other variants are rows of the same tables, built by the same code: on
TensorFlow each is built once and checked for what a table row can change (its name, output,
layer names, distinct initial kernels, its minimum input). Building a deep variant costs
seconds to a minute on a CPU (ResNet-1001: 3,000 layers), so building each one six times would
not fit CI's budget.
"""

from __future__ import annotations

import re

import keras
import numpy as np
import pytest
from helpers import assert_every_weight_learns

from cnn_keras import build_model, get_spec, list_models

pytestmark = pytest.mark.models

# Every family, and every code path inside one (basic and bottleneck ResNets, the CIFAR
# DenseNet-BC stem, ZFNet's filter sizes), at its cheapest variant.
CODE_PATHS = (
    "alexnet",
    "zfnet",
    "vgg11",
    "googlenet",
    "resnet18",
    "resnet50",
    "resnet20_cifar",
    "plain20_cifar",
    "resnext50_32x4d",
    "inception_v3",
    "inception_v4",
    "inception_resnet_v1",
    "densenet121",
    "densenet_bc100_cifar",
    "mobilenet",
    "se_resnet50",
    "nin_cifar",
    "preact_resnet18",
    "preact_resnet164_cifar",
    "wrn16_4_cifar",
    "mobilenet_v2_0.5",
    "efficientnet_b0",
)
# The per-channel shifts that training-mode batch norm cancels, so one training step gives
# them no gradient (helpers.cancelled_by_batch_norm; keras.applications' twins have the same):
# resnet50 keeps keras.applications' bias on every conv (53), and BN follows each; every
# MobileNetV2 projection BN (17) feeds only 1x1 expansions and additions before the next BN;
# EfficientNet's too, in the first block of each stage (7): later blocks put stochastic depth,
# which scales each image differently, between the projection and the addition.
CANCELLED_SHIFTS = {"resnet50": 53, "se_resnet50": 53, "mobilenet_v2_0.5": 17, "efficientnet_b0": 7}
# The variants built once, on TensorFlow only.
OTHER_VARIANTS = (
    [name for name in list_models() if name not in CODE_PATHS]
    if keras.backend.backend() == "tensorflow"
    else []
)


def test_code_paths_cover_every_family_and_builder():
    specs = [get_spec(name) for name in list_models()]
    covered = [get_spec(name) for name in CODE_PATHS]
    assert {spec.family.name for spec in covered} == {spec.family.name for spec in specs}
    assert {spec.builder for spec in covered} == {spec.builder for spec in specs}


# Keras's automatic names ("conv2d_17", "batch_normalization", "add_3") mean a layer was not named.
_AUTO_NAME = re.compile(
    r"(conv2d|dense|batch_normalization|activation|re_lu|max_pooling2d|average_pooling2d|"
    r"global_average_pooling2d|add|concatenate|zero_padding2d|depthwise_conv2d|lambda)(_\d+)?"
    r"|(flatten|dropout)_\d+"
)


def _smallest(name: str, channels: int = 3, **kwargs) -> keras.Model:
    size = get_spec(name).min_input_size
    return build_model(name, input_shape=(size, size, channels), **kwargs)


def _kernels(model: keras.Model) -> dict[str, np.ndarray]:
    """Every kernel (weights of two or more dimensions) by its path."""
    return {
        weight.path: keras.ops.convert_to_numpy(weight.value)
        for weight in model.weights
        if len(weight.shape) >= 2
    }


def _check_built(model: keras.Model, name: str) -> tuple[list[str], dict[str, np.ndarray]]:
    """What every build must be: named ``name``, 7 outputs, unique meaningful layer names,
    kernels that start distinct. Returns the layer names and the kernels."""
    assert model.name == name
    assert model.output_shape == (None, 7)
    names = [layer.name for layer in model.layers]
    assert len(names) == len(set(names)), "layer names must be unique"
    unnamed = [n for n in names if _AUTO_NAME.fullmatch(n)]
    assert not unnamed, f"layers left with Keras's automatic names: {unnamed[:5]}"
    # No two kernels start equal (an initializer shared by many layers can make them so).
    kernels = _kernels(model)
    assert kernels
    by_value = {(array.shape, array.tobytes()): path for path, array in kernels.items()}
    assert len(by_value) == len(kernels), "kernels of the same shape start with equal values"
    return names, kernels


@pytest.mark.parametrize("name", OTHER_VARIANTS)
def test_variant_builds(name):
    keras.utils.set_random_seed(0)
    _check_built(_smallest(name, 1, classes=7), name)


@pytest.mark.parametrize("name", CODE_PATHS)
def test_contract(name, tmp_path):
    keras.utils.set_random_seed(0)
    model = _smallest(name, classes=7)
    names, kernels = _check_built(model, name)

    # Eager calls, not predict(): compiling each model would cost more than the test.
    images = np.random.default_rng(0).uniform(0, 1, (2, *model.input_shape[1:])).astype("float32")
    expected = keras.ops.convert_to_numpy(model(images, training=False))
    path = tmp_path / f"{name}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    actual = keras.ops.convert_to_numpy(loaded(images, training=False))
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)

    # The backward check (timm's): one training step's gradient is finite and reaches every
    # trainable weight, but the shifts batch norm cancels (CANCELLED_SHIFTS), zero to rounding.
    cancelled = assert_every_weight_learns(model, images, np.array([1, 5]))
    assert len(cancelled) == CANCELLED_SHIFTS.get(name, 0), sorted(cancelled)[:5]

    # A second build in the same session, without the top: every layer it shares with the
    # first keeps its name (a layer left to Keras's naming would get a new suffix) and, from
    # the same seed, its initial weights.
    keras.utils.set_random_seed(0)
    features = _smallest(name, include_top=False)
    assert len(features.output_shape) == 4
    feature_names = [layer.name for layer in features.layers]
    assert feature_names == names[: len(feature_names)]
    for path, array in _kernels(features).items():
        np.testing.assert_array_equal(array, kernels[path], err_msg=f"{path} differs")
    # Any number of input channels (grayscale Fashion-MNIST has one): the max-pooled features
    # are built on one channel (not run: an eager call costs a minute per model on JAX).
    channels = features.output_shape[-1]
    for pooling, input_channels in (("avg", 3), ("max", 1)):
        pooled = _smallest(name, input_channels, include_top=False, pooling=pooling)
        assert pooled.input_shape[-1] == input_channels
        assert pooled.output_shape == (None, channels)


@pytest.mark.parametrize("name", [*CODE_PATHS, *OTHER_VARIANTS])
def test_refuses_input_below_minimum(name):
    size = get_spec(name).min_input_size - 1
    with pytest.raises(ValueError, match=r"input_shape=.*too small.*at least"):
        build_model(name, input_shape=(size, size, 3))
