"""Schematics of the key blocks, drawn by code: boxes, arrows and the papers' widths.

Each function returns a matplotlib ``Figure`` of one block, data flowing from top to bottom;
:data:`SCHEMATICS` maps a file name to each, and ``tools/draw_concepts.py`` writes them all to
``figures/concepts/<name>.png`` (``make figures``). Widths are the papers': GoogLeNet's module
3a, ResNet's conv2_x, ResNeXt-50's 32x4d, DenseNet-BC's growth rate 32, MobileNet, Inception v3's
Figures 5 and 6, SENet's r = 16 and MobileNetV2's expansion 6.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

COLORS = {
    "io": "#ffffff",
    "conv": "#cfe2f3",
    "dw": "#d9ead3",
    "pool": "#fce5cd",
    "fc": "#ead1dc",
    "op": "#eeeeee",
}
BOX_H = 0.62
ARROW = {"arrowstyle": "-|>", "color": "#333333", "lw": 1.2, "shrinkA": 0, "shrinkB": 0}

# A node: (x, y, text, kind); y grows downwards; width per figure.
Node = tuple[float, float, str, str]


class _Diagram:
    """Boxes at (x, y) centres, in data units with y downwards, and arrows between them."""

    def __init__(self, title: str, size: tuple[float, float], box_w: float = 2.2):
        self.figure, self.ax = plt.subplots(figsize=size)
        self.title, self.box_w, self.nodes = title, box_w, {}

    def box(self, key: str, x: float, y: float, text: str, kind: str = "conv", w=None) -> None:
        w = w or self.box_w
        self.nodes[key] = (x, y, w)
        patch = FancyBboxPatch(
            (x - w / 2, y - BOX_H / 2),
            w,
            BOX_H,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            facecolor=COLORS[kind],
            edgecolor="#444444",
            lw=1.0,
        )
        self.ax.add_patch(patch)
        self.ax.text(x, y, text, ha="center", va="center", fontsize=10)

    def arrow(self, a: str, b: str) -> None:
        (xa, ya, _), (xb, yb, _) = self.nodes[a], self.nodes[b]
        start, end = (xa, ya + BOX_H / 2), (xb, yb - BOX_H / 2)
        self.ax.annotate("", xy=end, xytext=start, arrowprops=ARROW)

    def drop(self, a: str, b: str, x: float) -> None:
        """A vertical arrow at ``x`` from the bottom of ``a`` to the top of ``b`` (wide boxes)."""
        (_, ya, _), (_, yb, _) = self.nodes[a], self.nodes[b]
        self.ax.annotate("", xy=(x, yb - BOX_H / 2), xytext=(x, ya + BOX_H / 2), arrowprops=ARROW)

    def chain(self, keys: Sequence[str]) -> None:
        for a, b in zip(keys, keys[1:], strict=False):
            self.arrow(a, b)

    def skip(self, a: str, b: str, offset: float, label: str = "") -> None:
        """A path from ``a``'s side round to ``b``'s side, ``offset`` to the right (the
        shortcut), labelled halfway."""
        (xa, ya, wa), (xb, yb, wb) = self.nodes[a], self.nodes[b]
        x = max(xa + wa / 2, xb + wb / 2) + offset
        self.ax.plot([xa + wa / 2, x, x], [ya, ya, yb], color="#333333", lw=1.2)
        self.ax.annotate("", xy=(xb + wb / 2, yb), xytext=(x, yb), arrowprops=ARROW)
        if label:
            self.ax.text(x + 0.12, (ya + yb) / 2, label, ha="left", va="center", fontsize=9.5)

    def note(self, x: float, y: float, text: str, **kwargs) -> None:
        options = {"ha": "center", "va": "center", "fontsize": 9.5, "color": "#333333"}
        self.ax.text(x, y, text, **(options | kwargs))

    def done(self) -> Figure:
        xs = [x for x, _, _ in self.nodes.values()]
        ys = [y for _, y, _ in self.nodes.values()]
        self.ax.set_xlim(min(xs) - self.box_w * 0.75, max(xs) + self.box_w * 0.95)
        self.ax.set_ylim(max(ys) + 0.8, min(ys) - 0.8)
        self.ax.set_aspect("equal")
        self.ax.axis("off")
        self.ax.set_title(self.title, fontsize=12)
        self.figure.tight_layout()
        return self.figure


def _inception(reduced: bool) -> Figure:
    name = "with 1x1 reductions" if reduced else "naive"
    d = _Diagram(f"Inception module, {name} (GoogLeNet's 3a)", (9.5, 5.6 if reduced else 4.6))
    d.box("in", 3.75, 0, "previous layer\n28x28x192", "io", w=2.6)
    columns = (0, 2.5, 5.0, 7.5)
    if reduced:
        firsts = ("1x1 conv, 64", "1x1 conv, 96", "1x1 conv, 16", "3x3 max pool")
        seconds = (None, "3x3 conv, 128", "5x5 conv, 32", "1x1 conv, 32")
        depth = "concatenate: 64+128+32+32 = 256\n28x28x256"
    else:
        firsts = ("1x1 conv, 64", "3x3 conv, 128", "5x5 conv, 32", "3x3 max pool")
        seconds = (None, None, None, None)
        depth = "concatenate: 64+128+32+192 = 416\n28x28x416 (the pool passes all 192)"
    out_y = 4.0 if reduced else 2.8
    d.box("out", 3.75, out_y, depth, "op", w=9.7)
    for i, (x, first, second) in enumerate(zip(columns, firsts, seconds, strict=True)):
        d.box(f"a{i}", x, 1.4, first, "pool" if "pool" in first else "conv")
        d.arrow("in", f"a{i}")
        last = f"a{i}"
        if second:
            d.box(f"b{i}", x, 2.65, second, "conv")
            d.arrow(last, f"b{i}")
            last = f"b{i}"
        (x_last, y_last, _), (_, y_out, _) = d.nodes[last], d.nodes["out"]
        d.ax.annotate(
            "",
            xy=(x_last, y_out - BOX_H / 2),
            xytext=(x_last, y_last + BOX_H / 2),
            arrowprops=ARROW,
        )
    return d.done()


def inception_naive() -> Figure:
    """GoogLeNet's Figure 2a: 1x1, 3x3 and 5x5 convs and a 3x3 max pool side by side, with
    module 3a's widths; the pool passes every input channel on."""
    return _inception(reduced=False)


def inception_bottleneck() -> Figure:
    """GoogLeNet's Figure 2b, module 3a: 1x1 reductions (96, 16) before the 3x3 and 5x5 and a
    1x1 projection (32) after the pool."""
    return _inception(reduced=True)


def _residual(title: str, steps: Sequence[tuple[str, str]], x_label: str, shortcut: str):
    d = _Diagram(title, (6.2, 1.6 + 1.05 * len(steps)), box_w=3.2)
    d.box("x", 0, 0, x_label, "io")
    keys = ["x"]
    for i, (text, kind) in enumerate(steps, start=1):
        d.box(f"s{i}", 0, 1.1 * i, text, kind)
        keys.append(f"s{i}")
    d.chain(keys)
    d.skip("x", keys[-2], 0.7, shortcut)
    return d.done()


def residual_basic() -> Figure:
    """ResNet's basic block (Figure 5, left), 64 channels: two 3x3 conv-BN, the identity added,
    then ReLU."""
    steps = [
        ("3x3 conv, 64, BN, ReLU", "conv"),
        ("3x3 conv, 64, BN", "conv"),
        ("+ (add x)", "op"),
        ("ReLU", "op"),
    ]
    return _residual("Basic residual block (ResNet-18/34)", steps, "x: 56x56x64", "identity x")


def residual_bottleneck() -> Figure:
    """ResNet's bottleneck block (Figure 5, right), conv2_x: 1x1 to 64, 3x3 at 64, 1x1 back to
    256, the identity added, then ReLU."""
    steps = [
        ("1x1 conv, 64, BN, ReLU", "conv"),
        ("3x3 conv, 64, BN, ReLU", "conv"),
        ("1x1 conv, 256, BN", "conv"),
        ("+ (add x)", "op"),
        ("ReLU", "op"),
    ]
    return _residual("Bottleneck block (ResNet-50/101/152)", steps, "x: 56x56x256", "identity x")


def grouped_conv() -> Figure:
    """ResNeXt's block (Figure 3a and 3c), 32x4d: 32 paths of 1x1 (4), 3x3 (4) and 1x1 (256)
    summed, which is one 1x1 to 128, a 3x3 conv in 32 groups, and a 1x1 back to 256."""
    d = _Diagram("ResNeXt block, 32x4d: 32 paths = one grouped conv", (11.5, 5.2), box_w=2.0)
    d.box("x", 2.6, 0, "x: 256 channels", "io", w=7.2)
    for i, x in enumerate((0, 2.4, 5.2)):
        for row, text in enumerate(("1x1 conv, 4", "3x3 conv, 4", "1x1 conv, 256"), start=1):
            d.box(f"p{i}{row}", x, 1.1 * row, text)
        d.drop("x", f"p{i}1", x)
        d.chain([f"p{i}1", f"p{i}2", f"p{i}3"])
        d.note(x - 0.08, 0.55, ("path 1", "path 2", "path 32")[i], fontsize=8.5, ha="right")
    d.note(3.8, 2.2, "...", fontsize=16)
    d.box("sum", 2.6, 4.4, "+ (sum of the 32 paths, add x)", "op", w=7.2)
    for i, x in enumerate((0, 2.4, 5.2)):
        d.drop(f"p{i}3", "sum", x)
    d.note(6.95, 2.2, "=", fontsize=22)
    d.box("gx", 9.0, 0, "x: 256 channels", "io", w=3.0)
    d.box("g1", 9.0, 1.1, "1x1 conv, 128", w=3.0)
    d.box("g2", 9.0, 2.2, "3x3 conv, 128,\n32 groups of 4", w=3.0)
    d.box("g3", 9.0, 3.3, "1x1 conv, 256", w=3.0)
    d.box("gsum", 9.0, 4.4, "+ (add x)", "op", w=3.0)
    d.chain(["gx", "g1", "g2", "g3", "gsum"])
    return d.done()


def dense_block() -> Figure:
    """DenseNet-BC's dense block, growth rate k = 32: each layer (BN-ReLU-1x1 conv 4k,
    BN-ReLU-3x3 conv k) takes the concatenation of everything before it."""
    d = _Diagram("Dense block (DenseNet-BC, growth rate k = 32)", (10.5, 4.6), box_w=1.9)
    channels = (64, 96, 128, 160)
    for i, c in enumerate(channels):
        d.box(f"c{i}", 2.6 * i, 0, f"concat: {c}" if i else "x0: 64", "op" if i else "io")
        d.box(f"h{i}", 2.6 * i + 1.3, 1.5, f"H{i + 1}: +32", "conv", w=1.6)
        d.arrow(f"c{i}", f"h{i}")
    d.box("c4", 2.6 * 4, 0, "concat: 192", "op")
    for i in range(4):
        (xh, yh, _), (xc, yc, _) = d.nodes[f"h{i}"], d.nodes[f"c{i + 1}"]
        start, end = (xh, yh - BOX_H / 2), (xc - 0.2, yc + BOX_H / 2)
        d.ax.annotate("", xy=end, xytext=start, arrowprops=ARROW)
        d.ax.annotate("", xy=(xc - 0.95, yc), xytext=(xc - 1.65, yc), arrowprops=ARROW)
    d.note(
        5.2,
        2.7,
        "each H: BN, ReLU, 1x1 conv (4k = 128), BN, ReLU, 3x3 conv (k = 32)\n"
        "the input of layer i is [x0, x1, ..., x(i-1)]: 64 + 32 (i - 1) channels",
    )
    return d.done()


def depthwise_separable() -> Figure:
    """MobileNet's Figure 3: a 3x3 conv-BN-ReLU against a 3x3 depthwise conv-BN-ReLU and a 1x1
    pointwise conv-BN-ReLU, with the cost of each per position."""
    d = _Diagram("Depthwise separable conv (MobileNet)", (9.5, 4.8), box_w=3.4)
    d.box("a_in", 0, 0, "M channels", "io")
    d.box("a1", 0, 1.6, "3x3 conv, N filters,\nBN, ReLU", "conv")
    d.box("a_out", 0, 3.2, "N channels", "io")
    d.chain(["a_in", "a1", "a_out"])
    d.note(0, 4.0, "per position: 9 M N", fontsize=10)
    d.box("b_in", 4.6, 0, "M channels", "io")
    d.box("b1", 4.6, 1.1, "3x3 depthwise conv\n(one filter per channel), BN, ReLU", "dw", w=3.9)
    d.box("b2", 4.6, 2.2, "1x1 conv, N filters, BN, ReLU", "conv", w=3.9)
    d.box("b_out", 4.6, 3.2, "N channels", "io")
    d.chain(["b_in", "b1", "b2", "b_out"])
    d.note(4.6, 4.0, "per position: 9 M + M N,  ratio 1/N + 1/9", fontsize=10)
    return d.done()


def factorized_convs() -> Figure:
    """Inception v3's factorizations: a 5x5 conv as two 3x3 convs (Figure 5), and an nxn conv as
    a 1xn then an nx1 conv (Figure 6, n = 7 on the 17x17 grid)."""
    d = _Diagram("Factorized convolutions (Inception v3)", (10, 4.6), box_w=2.0)
    d.box("p_in", 0, 0, "input", "io")
    d.box("p1", 0, 1.6, "5x5 conv", "conv")
    d.chain(["p_in", "p1"])
    d.note(1.5, 1.0, "=", fontsize=20)
    d.box("q_in", 3.0, 0, "input", "io")
    d.box("q1", 3.0, 1.1, "3x3 conv", "conv")
    d.box("q2", 3.0, 2.2, "3x3 conv", "conv")
    d.chain(["q_in", "q1", "q2"])
    d.note(1.5, 3.1, "same 5x5 window: 18 weights\nper channel pair, not 25", fontsize=10)
    d.box("r_in", 6.4, 0, "input", "io")
    d.box("r1", 6.4, 1.6, "7x7 conv", "conv")
    d.chain(["r_in", "r1"])
    d.note(7.9, 1.0, "=", fontsize=20)
    d.box("s_in", 9.4, 0, "input", "io")
    d.box("s1", 9.4, 1.1, "1x7 conv", "conv")
    d.box("s2", 9.4, 2.2, "7x1 conv", "conv")
    d.chain(["s_in", "s1", "s2"])
    d.note(7.9, 3.1, "same 7x7 window: 14 weights\nper channel pair, not 49", fontsize=10)
    return d.done()


def se_block() -> Figure:
    """The squeeze-and-excitation block (SENet's Figure 1 and 3), r = 16 on 256 channels: pool,
    FC to 16 with ReLU, FC to 256 with a sigmoid, and each channel scaled by its weight."""
    d = _Diagram("Squeeze-and-excitation block (r = 16)", (7.4, 6.0), box_w=3.4)
    d.box("x", 0, 0, "x: HxWx256", "io")
    d.box("s", 0, 1.1, "global average pool: 1x1x256", "pool")
    d.box("f1", 0, 2.2, "FC 256/16 = 16, ReLU", "fc")
    d.box("f2", 0, 3.3, "FC 256, sigmoid: weights in (0, 1)", "fc")
    d.box("m", 0, 4.4, "multiply: each channel of x\nby its weight", "op")
    d.box("out", 0, 5.5, "HxWx256", "io")
    d.chain(["x", "s", "f1", "f2", "m", "out"])
    d.skip("x", "m", 0.6, "x")
    d.note(-2.7, 1.1, "squeeze", fontsize=10, style="italic")
    d.note(-2.7, 2.75, "excite", fontsize=10, style="italic")
    d.note(-2.7, 4.4, "scale", fontsize=10, style="italic")
    return d.done()


def inverted_residual() -> Figure:
    """MobileNetV2's inverted residual block (Figure 3b), 24 channels, expansion 6: 1x1 to 144
    with ReLU6, 3x3 depthwise with ReLU6, a linear 1x1 back to 24, and the input added."""
    steps = [
        ("1x1 conv, 144 (x6), BN, ReLU6", "conv"),
        ("3x3 depthwise, 144, BN, ReLU6", "dw"),
        ("1x1 conv, 24, BN, no ReLU", "conv"),
        ("+ (add x)", "op"),
    ]
    d = _Diagram("Inverted residual block (MobileNetV2)", (6.8, 5.8), box_w=3.6)
    d.box("x", 0, 0, "x: 56x56x24 (thin)", "io")
    keys = ["x"]
    for i, (text, kind) in enumerate(steps, start=1):
        d.box(f"s{i}", 0, 1.1 * i, text, kind)
        keys.append(f"s{i}")
    d.chain(keys)
    d.skip("x", "s4", 0.5, "x")
    d.note(0, 5.2, "wide inside (144), thin between blocks (24):\nthe linear bottleneck")
    return d.done()


SCHEMATICS: dict[str, Callable[[], Figure]] = {
    "inception_naive": inception_naive,
    "inception_bottleneck": inception_bottleneck,
    "residual_basic": residual_basic,
    "residual_bottleneck": residual_bottleneck,
    "grouped_conv": grouped_conv,
    "dense_block": dense_block,
    "depthwise_separable": depthwise_separable,
    "factorized_convs": factorized_convs,
    "se_block": se_block,
    "inverted_residual": inverted_residual,
}
