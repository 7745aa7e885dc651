"""The measuring tools, on the curriculum's numbers and on small models counted by hand."""

from __future__ import annotations

import time

import keras
import pytest

from cnn_keras import analysis, build_model, text_table


def test_conv_output_size_alexnet_conv1():
    # Krizhevsky et al. 2012: 11x11 stride 4 on 227 gives 55 (224 would not divide).
    assert analysis.conv_output_size(227, 11, 4, 0) == 55
    assert analysis.conv_output_size(32, 3, 1, 1) == 32


def test_conv_output_size_refuses_a_fraction():
    with pytest.raises(ValueError, match=r"stride=4 does not divide .*213.*Paddings that fit"):
        analysis.conv_output_size(224, 11, 4, 0)


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        ((0, 3), r"size must be an int >= 1; received size=0"),
        ((8, 3, 0), r"stride must be an int >= 1; received stride=0"),
        ((8, 3, 1, -1), r"padding must be an int >= 0"),
        ((2, 5), r"kernel_size=5 does not fit in size=2"),
    ],
)
def test_conv_output_size_bad_arguments(args, pattern):
    with pytest.raises(ValueError, match=pattern):
        analysis.conv_output_size(*args)


def test_conv_params_formula_matches_keras():
    layer = keras.layers.Conv2D(96, 11, strides=4)
    layer.build((None, 227, 227, 3))
    assert layer.count_params() == analysis.conv_params(96, 11, 3) == 34_944


def test_seven_by_seven_against_three_three_by_three():
    # Simonyan and Zisserman 2014, section 2.3: one 7x7 layer has 49C^2 weights, three 3x3
    # layers 27C^2 (C channels in and out, no biases), and see the same 7x7 field.
    channels = 64
    one = analysis.conv_params(channels, 7, channels, bias=False)
    three = 3 * analysis.conv_params(channels, 3, channels, bias=False)
    assert (one, three) == (49 * channels**2, 27 * channels**2)

    inputs = keras.Input((32, 32, channels))
    x = inputs
    for i in range(3):
        x = keras.layers.Conv2D(channels, 3, padding="same", use_bias=False, name=f"c{i}")(x)
    stack = keras.Model(inputs, x)
    fields = [row.receptive_field for row in analysis.layer_table(stack)[1:]]
    assert fields == [(3, 3), (5, 5), (7, 7)]  # n layers see (2n+1)x(2n+1)
    assert analysis.count_params(stack).total == three


def test_macs_of_each_layer_kind_by_hand():
    inputs = keras.Input((8, 8, 4))
    x = keras.layers.Conv2D(6, 3, padding="same", name="conv")(inputs)  # 8*8*6*3*3*4
    g = keras.layers.Conv2D(6, 3, padding="same", groups=2, name="grouped")(x)  # /2
    d = keras.layers.DepthwiseConv2D(3, padding="same", name="depthwise")(g)  # 8*8*6*3*3
    s = keras.layers.SeparableConv2D(10, 3, padding="same", name="separable")(d)
    f = keras.layers.Flatten(name="flatten")(s)
    out = keras.layers.Dense(5, name="dense")(f)  # 640*5
    model = keras.Model(inputs, out)
    macs = {row.name: row.macs for row in analysis.layer_table(model)}
    assert macs["conv"] == 8 * 8 * 6 * 9 * 4
    assert macs["grouped"] == 8 * 8 * 6 * 9 * 6 // 2
    assert macs["depthwise"] == 8 * 8 * 6 * 9
    assert macs["separable"] == 8 * 8 * 6 * 9 + 8 * 8 * 6 * 10
    assert macs["dense"] == 640 * 5
    assert analysis.count_macs(model) == sum(macs.values())


def test_trainable_and_non_trainable_params():
    inputs = keras.Input((4, 4, 3))
    x = keras.layers.Conv2D(8, 3, use_bias=False, name="c")(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)
    counts = analysis.count_params(keras.Model(inputs, x))
    assert counts.trainable == 3 * 3 * 3 * 8 + 2 * 8  # kernel, gamma, beta
    assert counts.non_trainable == 2 * 8  # moving mean and variance
    assert counts.total == counts.trainable + counts.non_trainable


def test_receptive_field_through_branches_and_strides():
    inputs = keras.Input((32, 32, 3))
    a = keras.layers.Conv2D(4, 3, strides=2, padding="same", name="a")(inputs)  # 3, jump 2
    b = keras.layers.Conv2D(4, 5, strides=2, padding="same", name="b")(inputs)  # 5, jump 2
    merged = keras.layers.Add(name="merge")([a, b])
    c = keras.layers.Conv2D(4, (1, 3), name="c")(merged)  # (5, 5 + 2*2) = (5, 9)
    model = keras.Model(inputs, c)
    assert analysis.receptive_field(model, "merge") == (5, 5)
    assert analysis.receptive_field(model) == (5, 9)
    with pytest.raises(ValueError, match=r"layer_name='nope' is not a layer"):
        analysis.receptive_field(model, "nope")


def test_vgg16_table_is_fast_and_matches_the_lecture():
    start = time.perf_counter()
    model = build_model("vgg16")
    built = time.perf_counter()
    rows = analysis.layer_table(model)
    done = time.perf_counter()
    # A ratio, not a wall-clock limit (a loaded machine slows both alike): the table reads the
    # built layers' shapes and must cost a small part of drawing VGG16's 138 M initial weights.
    assert done - built < 0.25 * (built - start), (
        f"VGG16's table took {done - built:.2f} s, its build {built - start:.2f} s"
    )
    by_name = {row.name: row for row in rows}
    # Memory is in the early convs, parameters in the FC layers (the lecture's point).
    assert by_name["conv1_1"].activations == 224 * 224 * 64
    assert by_name["fc6"].params == 7 * 7 * 512 * 4096 + 4096
    assert sum(r.params for r in rows if r.kind == "Dense") > 0.85 * sum(r.params for r in rows)
    # The last conv sees 196x196 pixels, the last pool 212x212.
    assert by_name["conv5_3"].receptive_field == (196, 196)
    assert by_name["pool5"].receptive_field == (212, 212)
    text = analysis.format_table(rows)
    assert "138,357,544" in text and "conv5_3" in text


def test_text_table_aligns_rules_and_totals():
    text = text_table.format_table(
        ("model", "params", "note"),
        [("alexnet", "61.0 M", "two towers"), ("vgg16", 138_357_544, "")],
        align="lrl",
        totals=("total", 1, ""),
    )
    assert text.splitlines() == [
        "model       params  note",
        "-------  ---------  ----------",
        "alexnet     61.0 M  two towers",
        "vgg16    138357544",
        "-------  ---------  ----------",
        "total            1",
    ]


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"align": "l"}, r"align must be one 'l' or 'r' per column \(2 columns.*align='l'"),
        ({"align": "lc"}, r"received align='lc'"),
        ({"align": "lr", "rows": [("a",)]}, r"rows\[0\] has 1 cells, the header 2"),
        ({"align": "lr", "totals": ("a", 1, 2)}, r"totals has 3 cells, the header 2"),
    ],
)
def test_text_table_bad_arguments(kwargs, pattern):
    kwargs = {"rows": [("a", 1)], **kwargs}
    with pytest.raises(ValueError, match=pattern):
        text_table.format_table(("name", "count"), **kwargs)
