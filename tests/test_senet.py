"""Squeeze-and-excitation (Hu et al., 2017): the block against the paper's formula, its place
in SE-ResNet and SE-ResNeXt (the paper's Figure 3), its cost (``analysis.added_cost``) and the
paper's parameter counts.

Nothing here is marked ``models``: the counts are the same on every backend, building is
several times slower on JAX, and the contract test runs ``se_resnet50`` there.
"""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
from helpers import assert_same_outputs

from cnn_keras import build_model
from cnn_keras.analysis import added_cost, count_macs, count_params
from cnn_keras.attention import squeeze_excite
from cnn_keras.models.resnet import STAGES, resnet
from cnn_keras.models.resnext import resnext

RATIO = 16
# A narrow ResNet-50 at a small input: its stages output 64, 128, 256 and 512 channels.
SMALL = {"depth": 50, "input_shape": (32, 32, 3), "width_multiplier": 0.25, "classes": 10}
SMALL_WIDTHS = (64, 128, 256, 512)


def _se_params(widths, blocks, ratio=RATIO):
    """The SE blocks' parameters by the paper's formula (section 4): ``(2 / r) * sum of
    N_s * C_s**2`` over the stages' N_s blocks of C_s channels, plus the two FCs' biases
    (``C / r + C`` per block)."""
    weights = 2 * sum(n * c * c // ratio for n, c in zip(blocks, widths, strict=True))
    biases = sum(n * (c // ratio + c) for n, c in zip(blocks, widths, strict=True))
    return weights, biases


@pytest.fixture(scope="module")
def small_pair():
    """A narrow ResNet-50 and the same with SE blocks, built once."""
    return resnet(**SMALL, name="plain"), resnet(**SMALL, se_ratio=RATIO, name="se")


# --- The block -------------------------------------------------------------------------------


def test_squeeze_excite_is_the_papers_formula():
    channels, ratio = 32, 8
    inputs = keras.Input((4, 5, channels))
    block = keras.Model(inputs, squeeze_excite(inputs, ratio, name="se"))
    names = [layer.name for layer in block.layers[1:]]
    assert names == ["se_squeeze", "se_reduce", "se_expand", "se_scale"]
    # Two FCs: C x C/r and C/r x C weights, C/r and C biases.
    assert block.count_params() == 2 * channels * channels // ratio + channels // ratio + channels

    rng = np.random.default_rng(0)
    weights = [rng.normal(0, 0.5, w.shape).astype("float32") for w in block.weights]
    block.set_weights(weights)
    w1, b1, w2, b2 = (w.reshape(-1, w.shape[-1]) if w.ndim == 4 else w for w in weights)
    x = rng.normal(0, 1, (2, 4, 5, channels)).astype("float32")
    squeezed = x.mean(axis=(1, 2))  # F_sq: global average pooling
    gates = 1 / (1 + np.exp(-(np.maximum(squeezed @ w1 + b1, 0) @ w2 + b2)))  # F_ex
    expected = x * gates[:, None, None, :]  # F_scale
    actual = keras.ops.convert_to_numpy(block(x))
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)
    assert gates.std() > 0.1  # the check above compared channels weighted differently


@pytest.mark.parametrize("ratio", [0, -16, 2.5, True, "16", None])
def test_squeeze_excite_refuses_a_bad_ratio(ratio):
    inputs = keras.Input((4, 4, 32))
    with pytest.raises(ValueError, match=rf"ratio must be an int >= 1.*received ratio={ratio!r}"):
        squeeze_excite(inputs, ratio, name="se")


@pytest.mark.parametrize("builder", [resnet, resnext])
def test_builders_refuse_a_bad_se_ratio_before_building(builder):
    with pytest.raises(ValueError, match=r"se_ratio must be an int >= 1.*received se_ratio=0"):
        builder(se_ratio=0)


def test_squeeze_excite_keeps_one_unit_in_a_narrow_net():
    inputs = keras.Input((4, 4, 8))
    block = keras.Model(inputs, squeeze_excite(inputs, RATIO, name="se"))
    assert block.get_layer("se_reduce").filters == 1  # 8 / 16 rounds to 0: at least one unit


# --- SE-ResNet and SE-ResNeXt ----------------------------------------------------------------


def _block_names(depth: int = 50) -> list[str]:
    blocks = STAGES[depth][1]
    return [f"conv{s + 2}_block{b}" for s, n in enumerate(blocks) for b in range(1, n + 1)]


def _sources(layer: keras.layers.Layer) -> list[str]:
    """The names of the layers whose outputs ``layer`` takes."""
    inputs = layer.input if isinstance(layer.input, list) else [layer.input]
    return [tensor._keras_history.operation.name for tensor in inputs]


def test_se_block_sits_on_the_residual_branch_before_the_addition(small_pair):
    _, se = small_pair
    for block in _block_names():
        # The paper's Figure 3: the residual branch's last BN, then SE, then the addition.
        assert _sources(se.get_layer(f"{block}_se_squeeze")) == [f"{block}_3_bn"]
        scale = se.get_layer(f"{block}_se_scale")
        assert _sources(scale) == [f"{block}_3_bn", f"{block}_se_expand"]
        shortcut = f"{block}_0_bn" if block.endswith("block1") else _previous(block)
        assert _sources(se.get_layer(f"{block}_add")) == [shortcut, f"{block}_se_scale"]


def _previous(block: str) -> str:
    """The identity shortcut of ``block``: the previous block's output."""
    names = _block_names()
    return f"{names[names.index(block) - 1]}_out"


def test_se_resnet_with_open_gates_is_the_resnet(small_pair):
    plain, se = small_pair
    images = np.random.default_rng(1).uniform(-1, 1, (1, 32, 32, 3)).astype("float32")
    # The shared layers' weights into the SE net; the gates as built start anywhere in (0, 1),
    # so the outputs differ (the SE blocks are wired in) ...
    for layer in plain.layers:
        if layer.weights:
            se.get_layer(layer.name).set_weights(layer.get_weights())
    # (compared before the softmax, which can saturate both nets to the same one-hot output)
    last = f"{_block_names()[-1]}_out"
    features = [
        keras.ops.convert_to_numpy(keras.Model(model.input, model.get_layer(last).output)(images))
        for model in (se, plain)
    ]
    assert not np.allclose(*features, rtol=1e-2, atol=1e-3)
    # ... and with every gate held at sigmoid(30) = 1 in float32 they are ResNet's.
    for block in _block_names():
        expand = se.get_layer(f"{block}_se_expand")
        kernel, bias = expand.get_weights()
        expand.set_weights([np.zeros_like(kernel), np.full_like(bias, 30.0)])
    assert_same_outputs(se, plain)


def test_added_cost_of_the_se_blocks_is_the_papers_formula(small_pair):
    plain, se = small_pair
    cost = added_cost(se, plain)
    weights, biases = _se_params(SMALL_WIDTHS, STAGES[50][1])
    assert cost.extra_params == weights + biases
    # The FCs run once per image, on 1x1 maps: one multiply-accumulate per weight.
    assert cost.extra_macs == weights
    assert cost.params == count_params(se).total and cost.baseline_macs == count_macs(plain)
    assert cost.params_percent == pytest.approx(100 * (weights + biases) / cost.baseline_params)
    assert cost.describe() == (
        f"+{weights + biases:,} parameters ({cost.params_percent:+.2f} %), "
        f"+{weights:,} MACs ({cost.macs_percent:+.2f} %)"
    )
    # The other way round, the figures are negative.
    assert added_cost(plain, se).extra_params == -(weights + biases)


def test_added_cost_refuses_pairs_it_cannot_compare():
    def tiny(size, name, conv=True):
        inputs = keras.Input((size, size, 3))
        x = keras.layers.Conv2D(4, 3, name="conv")(inputs) if conv else inputs
        return keras.Model(inputs, keras.layers.GlobalAveragePooling2D(name="pool")(x), name=name)

    with pytest.raises(ValueError, match=r"one input.*\(8, 8, 3\).*\(9, 9, 3\).*input_shape"):
        added_cost(tiny(8, "a"), tiny(9, "b"))
    with pytest.raises(ValueError, match=r"baseline 'b' has 0 parameters and 0 MACs"):
        added_cost(tiny(8, "a"), tiny(8, "b", conv=False))
    with pytest.raises(ValueError, match=r"added_cost needs a functional"):
        added_cost(tiny(8, "a"), keras.layers.Dense(2))


# --- Full size: the paper's Table 2 ----------------------------------------------------------

# The SENet paper's Table 2 (and section 4): parameters in millions and GFLOPs
# (multiply-adds), ResNet-50 and ResNeXt-50 (32x4d) without and with SE blocks.
PAPER = {
    "resnet50": (25.6, 28.1, 3.86, 3.87),
    "resnext50_32x4d": (25.0, 27.6, 4.24, 4.25),
}
FULL_WIDTHS = (256, 512, 1024, 2048)


@pytest.fixture(scope="module")
def full_size():
    """Both pairs at 224x224 (about 10 s)."""
    return {name: (build_model(name), build_model(f"se_{name}")) for name in PAPER}


def _learned_weights(model: keras.Model, *, conv_biases: bool = True) -> int:
    """Trainable parameters, without the biases of the convs outside the SE blocks (the
    paper's ResNet-50 has none; keras.applications' has them) unless ``conv_biases``."""
    total = count_params(model).trainable
    if not conv_biases:
        convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
        total -= sum(c.bias.shape[0] for c in convs if c.use_bias and "_se_" not in c.name)
    return total


@pytest.mark.slow
def test_se_parameter_counts_match_the_papers_table_2(full_size):
    weights, biases = _se_params(FULL_WIDTHS, STAGES[50][1])
    assert (weights, biases) == (2_514_944, 16_048)  # (2/16) * 20,119,552; C/r + C per block
    (resnet50, se_resnet50), (resnext50, se_resnext50) = full_size.values()
    # SE-ResNet-50 is keras.applications' ResNet-50 (25,636,712) with the SE blocks.
    assert count_params(se_resnet50).total == 25_636_712 + weights + biases == 28_167_704
    # Without the conv biases the paper's convs lack: torchvision's ResNet-50, 25,557,032
    # learned weights, and 28,088,024 with the SE blocks.
    paper_style = [_learned_weights(m, conv_biases=False) for m in (resnet50, se_resnet50)]
    assert paper_style == [25_557_032, 28_088_024]
    # SE-ResNeXt-50 has no conv biases: 27,559,896 learned weights (ResNeXt-50's 25,028,904).
    assert _learned_weights(se_resnext50) == 25_028_904 + weights + biases == 27_559_896
    counts = {
        "resnet50": paper_style,
        "resnext50_32x4d": [_learned_weights(m) for m in (resnext50, se_resnext50)],
    }
    for name, (base, with_se) in counts.items():
        assert (round(base / 1e6, 1), round(with_se / 1e6, 1)) == PAPER[name][:2], name


@pytest.mark.slow
def test_se_cost_is_about_ten_percent_parameters_and_under_one_percent_macs(full_size):
    for name, (base, with_se) in full_size.items():
        paper_base, paper_se, _, _ = PAPER[name]
        cost = added_cost(with_se, base)
        # The paper's figures are rounded to 0.1 M: its ratio lies between the ratios of the
        # interval's ends (ResNet-50: 9.4 to 10.2 %, ResNeXt-50: 10.0 to 10.8 %).
        low = 100 * ((paper_se - 0.05) / (paper_base + 0.05) - 1)
        high = 100 * ((paper_se + 0.05) / (paper_base - 0.05) - 1)
        assert low < cost.params_percent < high, (name, cost.params_percent)
        # count_macs counts the two FCs only: well under 1 %.
        assert 0 < cost.macs_percent < 0.1, (name, cost.macs_percent)
        # The paper's 0.01 GFLOPs (3.86 -> 3.87, 4.24 -> 4.25: between 0 and 0.02 G after
        # rounding) also counts the squeeze's averaging and the channel-wise scaling, one
        # operation per value of each SE block's input.
        values = sum(
            math.prod(layer.output.shape[1:])
            for layer in with_se.layers
            if layer.name.endswith("_se_scale")
        )
        paper_style = cost.extra_macs + 2 * values
        assert 0 < paper_style < 0.02e9, (name, paper_style)
