"""The accuracy charts of the comparison (Canziani et al., 2017, Figure 2): top-1 accuracy
against operations or measured latency, one bubble per model, and the placement of the bubbles'
labels so that no label covers another. ``cnn-keras compare`` and notebook 09 draw them
(``compare.plot_accuracy_vs_macs``, ``compare.plot_accuracy_vs_latency``)."""

from __future__ import annotations

import math

import matplotlib
import matplotlib.pyplot as plt

from cnn_keras.plots import caption


def _cell(row, key: str) -> float | None:
    """``row[key]`` as a float, ``None`` when missing or empty (rows from CSV hold strings)."""
    value = row.get(key)
    if value is None or value == "":
        return None
    return float(value)


def _palette() -> list[tuple]:
    # tab10, then black and colours far from tab10's: 19 families tell apart.
    extra = (
        "black",
        "navy",
        "gold",
        "slateblue",
        "darkred",
        "magenta",
        "saddlebrown",
        "teal",
        "plum",
    )
    return [plt.get_cmap("tab10")(i) for i in range(10)] + [
        matplotlib.colors.to_rgba(name) for name in extra
    ]


def family_colours() -> dict[str, tuple]:
    """One colour per family of the registered ImageNet nets, the same in every chart (the
    families in the order of their first model's name), so that VGG has one colour in the
    published chart, the latency chart and notebook 09's measured chart."""
    from cnn_keras.registry import get_spec, list_models

    families = dict.fromkeys(get_spec(name).family.name for name in list_models(imagenet=True))
    palette = _palette()
    return {family: palette[i % len(palette)] for i, family in enumerate(families)}


def _family_colours(rows) -> dict[str, tuple]:
    """The colours of the rows' families, in the rows' order: :func:`family_colours`, and a
    grey for a family not registered."""
    colours = family_colours()
    families = dict.fromkeys(str(r["family"]) for r in rows)
    return {family: colours.get(family, (0.5, 0.5, 0.5, 1.0)) for family in families}


# What a bubble's area can stand for in the accuracy charts: the row's key and its words.
BUBBLE_SIZES = {
    "params": "parameters",
    "activation_bytes": "activation memory",
    "memory_bytes": "memory (weights + activations)",
}


def _check_size(size: str) -> str:
    if size not in BUBBLE_SIZES:
        raise ValueError(f"size must be one of {', '.join(BUBBLE_SIZES)}; received size={size!r}.")
    return BUBBLE_SIZES[size]


def _circle_hits_box(centre, radius: float, box) -> bool:
    """Whether a circle (display pixels) overlaps a matplotlib ``Bbox``."""
    nearest_x = min(max(centre[0], box.x0), box.x1)
    nearest_y = min(max(centre[1], box.y0), box.y1)
    return math.hypot(centre[0] - nearest_x, centre[1] - nearest_y) < radius


def _label_offsets(radius: float):
    """Where a label may go, in points from its bubble's centre, best first: inside a large
    bubble, then on rings around it, every 30 degrees from the right, further out each time."""
    yield 0.0, 0.0, "center", "center"
    for reach in (radius + 2, radius + 12, radius + 24, radius + 40, radius + 60, radius + 85):
        for degrees in range(0, 360, 30):
            dx = reach * math.cos(math.radians(degrees))
            dy = reach * math.sin(math.radians(degrees))
            ha = "center" if abs(dx) < 1e-9 else ("left" if dx > 0 else "right")
            va = "center" if abs(dy) < 1e-9 else ("bottom" if dy > 0 else "top")
            yield dx, dy, ha, va


def _place_labels(ax, bubbles, avoid) -> None:
    """Names each bubble ``(x, y, radius in points, text)`` with a label that overlaps no other
    label, no other bubble and nothing in ``avoid`` (display boxes), trying the places of
    :func:`_label_offsets` in turn (where none is clear, the least bad: a label over a bubble
    still reads, one over a label does not); a label away from its bubble gets a thin leader
    line. The figure's layout must be final: the boxes are measured on the drawn figure."""
    figure = ax.figure
    renderer = figure.canvas.get_renderer()
    pixels = figure.dpi / 72
    inside = ax.get_window_extent(renderer)
    circles = [(ax.transData.transform((x, y)), r * pixels) for x, y, r, _ in bubbles]
    placed = list(avoid)

    def collisions(box, index: int, own: bool) -> int:
        if own and not (box.width < 1.9 * circles[index][1] and box.height < circles[index][1]):
            return 1000  # too big for its own bubble
        outside = not (inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1))
        return (
            100 * outside
            + 10 * sum(box.overlaps(other) for other in placed)
            + sum(
                _circle_hits_box(centre, r, box)
                for i, (centre, r) in enumerate(circles)
                if i != index or not own
            )
        )

    # The biggest bubbles first: their labels fit inside; small ones then find room beside.
    for index in sorted(range(len(bubbles)), key=lambda i: -bubbles[i][2]):
        x, y, radius, text = bubbles[index]
        best = None
        for dx, dy, ha, va in _label_offsets(radius):
            leader = math.hypot(dx, dy) > radius + 5
            label = ax.annotate(
                text,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                fontsize=7,
                ha=ha,
                va=va,
                zorder=4,
                arrowprops={"arrowstyle": "-", "color": "0.5", "lw": 0.5} if leader else None,
            )
            box = label.get_window_extent(renderer).expanded(1.04, 1.15)
            score = collisions(box, index, own=(dx, dy) == (0.0, 0.0))
            if best is None or score < best[0]:
                if best is not None:
                    best[1].remove()
                best = (score, label, box)
            else:
                label.remove()
            if score == 0:
                break
        placed.append(best[2])


def _accuracy_bubbles(
    rows,
    x_key: str,
    x_scale: float,
    *,
    xlabel: str,
    title: str,
    where: str,
    size: str = "params",
):
    """Top-1 against ``rows[x_key] * x_scale``, bubble area proportional to ``rows[size]``,
    one colour per family; a hollow bubble is a figure that is not single-crop. Labels are
    placed where they overlap no other label or bubble."""
    size_words = _check_size(size)
    colours = _family_colours(rows)
    figure, ax = plt.subplots(figsize=(12, 8))
    largest = max(_cell(r, size) or 0 for r in rows) or 1
    seen, bubbles = set(), []
    for row in rows:
        x, value = _cell(row, x_key), _cell(row, size) or 0
        top1, single = _cell(row, "top1"), True
        if top1 is None:
            top1, single = _cell(row, "top1_other"), False
        if x is None or top1 is None:
            continue
        family = str(row["family"])
        colour = colours[family]
        area = 2000 * value / largest + 15
        ax.scatter(
            x * x_scale,
            top1,
            s=area,
            facecolors=(*colour[:3], 0.55) if single else "none",
            edgecolors=colour,
            linewidths=1.5,
            linestyle="-" if single else "--",
            zorder=3,
        )
        seen.add(family)
        # A marker's size is its area in points squared: its radius is half the root.
        bubbles.append((x * x_scale, top1, math.sqrt(area) / 2, str(row["model"])))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("ImageNet top-1 accuracy (%), published")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.margins(0.08)
    handles = [
        plt.Line2D([], [], marker="o", linestyle="", markersize=8, color=colours[f], label=f)
        for f in colours
        if f in seen
    ]
    legend = ax.legend(
        handles=handles,
        title=f"family (bubble area = {size_words})",
        fontsize=8,
        loc="lower right",
    )
    legend.get_title().set_fontsize(8)
    note = ax.text(
        0.01,
        0.99,
        "filled: single-crop figure; hollow: the source's other evaluation (10 crops, dense)",
        transform=ax.transAxes,
        fontsize=7,
        ha="left",
        va="top",
        color="0.3",
    )
    if where:
        caption(figure, where)
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    _place_labels(
        ax, bubbles, [legend.get_window_extent(renderer), note.get_window_extent(renderer)]
    )
    return figure


def plot_accuracy_vs_macs(rows, *, where: str = "", size: str = "params"):
    """Canziani et al. (2017), Figure 2: top-1 accuracy against operations (G-MACs for one
    image at the paper's input), one colour per family, bubble area proportional to
    parameters as in the paper, or to memory as the lecture's slide says.

    Args:
        rows: dicts (``ComparisonRow.as_dict()`` or rows of the compare CSV) with ``model``,
            ``family``, ``macs``, ``top1``, ``top1_other`` and the ``size`` column.
        where: the caption (how and where the table was made).
        size: what a bubble's area stands for: ``"params"`` (the paper's chart),
            ``"activation_bytes"`` (one image's activations) or ``"memory_bytes"`` (weights
            and activations).

    Raises:
        ValueError: for another ``size``.
    """
    size_words = _check_size(size)
    return _accuracy_bubbles(
        rows,
        "macs",
        1e-9,
        xlabel="operations (G-MACs per image)",
        title=f"Accuracy against operations; bubble area = {size_words}",
        where=where,
        size=size,
    )


def plot_accuracy_vs_latency(rows, *, batch_size: int = 1, where: str = ""):
    """Top-1 accuracy against measured inference time per image at ``batch_size`` (log
    scale); rows without a ``latency_b{batch_size}_ms`` are left out.

    Args:
        rows: as :func:`plot_accuracy_vs_macs`, with ``latency_b{batch_size}_ms``.
        batch_size: which measured batch size to plot.
        where: the caption: it must name the device the latency was measured on.

    Raises:
        ValueError: if no row has a latency for ``batch_size``.
    """
    key = f"latency_b{batch_size}_ms"
    timed = [dict(r, per_image_ms=_cell(r, key) / batch_size) for r in rows if _cell(r, key)]
    if not timed:
        raise ValueError(
            f"batch_size={batch_size}: no row has {key!r}; measure it first "
            "(cnn-keras compare --latency)."
        )
    figure = _accuracy_bubbles(
        timed,
        "per_image_ms",
        1.0,
        xlabel=f"inference time per image at batch {batch_size} (ms)",
        title=f"Accuracy against measured latency (batch {batch_size}); bubble area = parameters",
        where=where,
    )
    figure.axes[0].set_xscale("log")
    return figure
