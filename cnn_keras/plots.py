"""The figures the notebooks draw. Every function returns a matplotlib ``Figure``; every figure
made from a run carries a caption saying where it was made (``caption``)."""

from __future__ import annotations

import math
import os
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import numpy as np

from cnn_keras import machine, tables
from cnn_keras.analysis import LayerStats


def caption(figure, text: str) -> None:
    """Writes ``text`` (the profile, backend and device) small under the figure."""
    figure.text(0.01, 0.005, text, fontsize=7, color="0.4", ha="left", va="bottom")


def machine_caption(profile_line: str) -> str:
    """``profile_line`` (``profiles.describe``) and the device (``machine.device_name``), for
    :func:`caption`."""
    return f"{profile_line} | {machine.device_name()}"


def plot_history(history, *, title: str = "", where: str = ""):
    """Loss and accuracy per epoch, training against validation.

    Args:
        history: a ``keras.callbacks.History`` or its ``.history`` dict.
        title: the figure's title.
        where: the caption (profile, backend, device).
    """
    logs = getattr(history, "history", history)
    epochs = np.arange(1, len(logs["loss"]) + 1)
    figure, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    for ax, metric in zip(axes, ("loss", "accuracy"), strict=True):
        for prefix, style in (("", "-o"), ("val_", "--o")):
            if prefix + metric in logs:
                label = "validation" if prefix else "training"
                ax.plot(epochs, logs[prefix + metric], style, label=label)
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.legend()
        ax.grid(alpha=0.3)
    figure.suptitle(title)
    if where:
        caption(figure, where)
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    return figure


def plot_filters(layer: keras.layers.Layer, *, max_filters: int = 96, title: str = ""):
    """The kernels of a first conv layer as small images, each scaled to [0, 1]: in colour on
    RGB input, in gray on grayscale input (Fashion-MNIST).

    Raises:
        ValueError: if the layer's kernel does not take 1 or 3 input channels.
    """
    kernel = keras.ops.convert_to_numpy(layer.kernel)  # (kh, kw, channels, filters)
    if kernel.ndim != 4 or kernel.shape[2] not in (1, 3):
        raise ValueError(
            f"layer must be a conv layer on RGB or grayscale input (kernel (kh, kw, 3 or 1, "
            f"filters)); received {layer.name!r} with kernel shape {kernel.shape}."
        )
    count = min(max_filters, kernel.shape[-1])
    columns = min(16, count)
    rows = math.ceil(count / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(columns * 0.6, rows * 0.6 + 0.4))
    for index, ax in enumerate(np.ravel(axes)):
        ax.axis("off")
        if index < count:
            k = kernel[..., index]
            k = (k - k.min()) / (np.ptp(k) + 1e-8)
            if k.shape[-1] == 1:
                ax.imshow(k[..., 0], cmap="gray", interpolation="nearest")
            else:
                ax.imshow(k, interpolation="nearest")
    figure.suptitle(title or f"{layer.name}: {count} of {kernel.shape[-1]} filters")
    return figure


def sample_image(size: int) -> np.ndarray:
    """A real photograph (scikit-image's cat, Chelsea), square-cropped and resized to
    ``size``, float32 in [0, 1], shape ``(size, size, 3)``."""
    from skimage import data, transform

    image = data.chelsea()
    side = min(image.shape[:2])
    top = (image.shape[0] - side) // 2
    left = (image.shape[1] - side) // 2
    image = image[top : top + side, left : left + side]
    return transform.resize(image, (size, size), anti_aliasing=True).astype("float32")


def plot_feature_maps(model: keras.Model, layer_name: str, image: np.ndarray, *, maps: int = 16):
    """The first ``maps`` channels of ``layer_name``'s output for one image, beside the image."""
    probe = keras.Model(model.inputs, model.get_layer(layer_name).output)
    output = keras.ops.convert_to_numpy(probe(image[None]))[0]
    count = min(maps, output.shape[-1])
    columns = min(8, count + 1)
    rows = math.ceil((count + 1) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(columns * 1.3, rows * 1.3 + 0.4))
    axes = np.ravel(axes)
    shown = np.clip(image, 0, 1)
    axes[0].imshow(shown[..., 0] if shown.shape[-1] == 1 else shown, cmap="gray")
    axes[0].set_title("input", fontsize=8)
    for index, ax in enumerate(axes):
        ax.axis("off")
        if 0 < index <= count:
            ax.imshow(output[..., index - 1], cmap="viridis")
            ax.set_title(f"#{index - 1}", fontsize=8)
    figure.suptitle(f"{layer_name}: {count} of {output.shape[-1]} feature maps {output.shape}")
    return figure


def plot_layer_costs(rows: list[LayerStats], *, title: str = ""):
    """Activations (memory) and parameters per weighted or pooling layer, side by side: where
    a network spends its memory and where its parameters."""
    shown = [r for r in rows if not r.inplace and r.kind != "InputLayer"]
    names = [r.name for r in shown]
    figure, axes = plt.subplots(2, 1, figsize=(max(6, len(shown) * 0.35), 5), sharex=True)
    axes[0].bar(names, [r.activations * 4 / 2**20 for r in shown], color="tab:blue")
    axes[0].set_ylabel("activations (MiB, float32)")
    axes[1].bar(names, [r.params / 1e6 for r in shown], color="tab:orange")
    axes[1].set_ylabel("parameters (M)")
    axes[1].tick_params(axis="x", rotation=90)
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def save(figure, name: str) -> Path:
    """Saves ``figure`` as ``name`` (``"01_alexnet_curves.png"``) in ``$CNN_KERAS_FIGURE_DIR``,
    by default the project's ``build/figures``; returns the path."""
    folder = os.environ.get("CNN_KERAS_FIGURE_DIR")
    if folder is None:
        folder = tables.project_file("pyproject.toml").parent / "build" / "figures"
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100, bbox_inches="tight")
    return path


def plot_ilsvrc_winners(rows: list[dict[str, str]]):
    """ILSVRC classification winners: top-5 error bars with depth labels, and the human
    baseline (the row without a year) as a line. Rows need ``year``, ``model``, ``top5_error``
    and ``depth``."""
    human_error = next(float(r["top5_error"]) for r in rows if not r["year"])
    rows = [r for r in rows if r["year"]]
    figure, ax = plt.subplots(figsize=(9, 4))
    labels = [f"{r['year']}\n{r['model']}" for r in rows]
    errors = [float(r["top5_error"]) for r in rows]
    bars = ax.bar(labels, errors, color="tab:blue")
    for bar, row in zip(bars, rows, strict=True):
        depth = f"{row['depth']} layers" if row["depth"] else "shallow"
        ax.annotate(
            depth,
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.axhline(human_error, color="tab:red", linestyle="--", label=f"human ({human_error} %)")
    ax.set_ylabel("top-5 error (%)")
    ax.set_title("ILSVRC classification winners")
    ax.legend()
    ax.tick_params(axis="x", labelsize=8)
    figure.tight_layout()
    return figure


def _cell(row, key: str) -> float | None:
    """``row[key]`` as a float, ``None`` when missing or empty (rows from CSV hold strings)."""
    value = row.get(key)
    if value is None or value == "":
        return None
    return float(value)


def _family_colours(rows) -> dict[str, tuple]:
    families = list(dict.fromkeys(str(r["family"]) for r in rows))
    palette = [plt.get_cmap("tab10")(i) for i in range(10)] + [(0.0, 0.0, 0.0, 1.0)]
    palette += [plt.get_cmap("Dark2")(i) for i in range(8)]
    return {family: palette[i % len(palette)] for i, family in enumerate(families)}


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
    bubble, then beside it (right, left, above, below, the corners), then further out."""
    yield 0.0, 0.0, "center", "center"
    for reach in (radius + 2, radius + 12, radius + 24, radius + 40, radius + 60):
        corner = reach / math.sqrt(2)
        yield reach, 0.0, "left", "center"
        yield -reach, 0.0, "right", "center"
        yield 0.0, reach, "center", "bottom"
        yield 0.0, -reach, "center", "top"
        yield corner, corner, "left", "bottom"
        yield corner, -corner, "left", "top"
        yield -corner, corner, "right", "bottom"
        yield -corner, -corner, "right", "top"


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
    figure, ax = plt.subplots(figsize=(10, 6.5))
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
