"""The figures the notebooks draw. Every function returns a matplotlib ``Figure``; every figure
made from a run carries a caption saying where it was made (``caption``). The accuracy charts
of the comparison (notebook 09, ``cnn-keras compare``) live with it in
:mod:`cnn_keras.compare.charts`."""

from __future__ import annotations

import math
import os
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from cnn_keras import machine, tables
from cnn_keras.analysis.layers import LayerStats
from cnn_keras.history import main_output_logs


def caption(figure, text: str) -> None:
    """Writes ``text`` (the profile, backend and device) small under the figure, in place of
    an earlier caption (a figure drawn in several calls keeps one)."""
    for earlier in [t for t in figure.texts if t.get_gid() == "caption"]:
        earlier.remove()
    figure.text(0.01, 0.005, text, fontsize=7, color="0.4", ha="left", va="bottom", gid="caption")


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
    logs = main_output_logs(history)
    epochs = np.arange(1, len(logs["loss"]) + 1)
    figure, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    for ax, metric in zip(axes, ("loss", "accuracy"), strict=True):
        for prefix, style in (("", "-o"), ("val_", "--o")):
            if prefix + metric in logs:
                label = "validation" if prefix else "training"
                ax.plot(epochs, logs[prefix + metric], style, label=label)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
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
    RGB input, in gray on grayscale input (Fashion-MNIST). :func:`plot_kernels` of its kernel.

    Raises:
        ValueError: if the layer's kernel does not take 1 or 3 input channels.
    """
    kernel = keras.ops.convert_to_numpy(layer.kernel)  # (kh, kw, channels, filters)
    count = min(max_filters, kernel.shape[-1]) if kernel.ndim == 4 else 0
    return plot_kernels(
        kernel,
        max_filters=max_filters,
        title=title or f"{layer.name}: {count} of {kernel.shape[-1]} filters",
        name=layer.name,
    )


def plot_kernels(
    kernel,
    *,
    max_filters: int = 96,
    title: str = "",
    figure=None,
    columns: int = 16,
    name: str = "kernel",
):
    """A conv kernel ``(kh, kw, 1 or 3, filters)`` (a layer's, or one saved as an array) drawn
    as one small image per filter, each on its own scale (black its lowest weight, white its
    highest; in colour for RGB input).

    Args:
        kernel: the weights, ``(kh, kw, channels, filters)`` with 1 or 3 channels.
        max_filters: draw the first this many.
        title: the figure's title.
        figure: a matplotlib ``Figure`` or ``SubFigure`` to draw into (two kernels side by
            side); default a new figure, about 0.6 inch a filter.
        columns: filters per row.
        name: what the kernel is, for the error message.

    Raises:
        ValueError: if the kernel is not 4-D with 1 or 3 input channels.
    """
    kernel = np.asarray(kernel, dtype="float32")
    if kernel.ndim != 4 or kernel.shape[2] not in (1, 3):
        raise ValueError(
            "a conv layer on RGB or grayscale input (kernel (kh, kw, 3 or 1, filters)) is "
            f"needed; received {name!r} with kernel shape {kernel.shape}."
        )
    count = min(max_filters, kernel.shape[-1])
    columns = max(1, min(columns, count))
    rows = math.ceil(count / columns)
    if figure is None:
        figure = plt.figure(figsize=(columns * 0.6, rows * 0.6 + 0.4))
    axes = figure.subplots(
        rows, columns, squeeze=False, gridspec_kw={"wspace": 0.08, "hspace": 0.08}
    )
    for index, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if index < count:
            k = kernel[..., index]
            k = (k - k.min()) / (np.ptp(k) + 1e-8)
            if k.shape[-1] == 1:
                ax.imshow(k[..., 0], cmap="gray", interpolation="nearest")
            else:
                ax.imshow(k, interpolation="nearest")
    figure.suptitle(title or f"{count} of {kernel.shape[-1]} filters", fontsize=10)
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
        depth = row["depth"] or "shallow"
        depth = f"{depth} layers" if depth.isdigit() else depth
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
