"""The figures of what a net learned (notebook 12), from the arrays :mod:`cnn_keras.analysis`
computes: heat maps over images (saliency, SmoothGrad, Grad-CAM, occlusion), a grid of images
(gradient-ascent filters and classes, feature maps), and the 2-D embedding coloured by class.
Every function returns a matplotlib ``Figure`` and takes ``where=``, the caption saying where
the figure was made (:func:`cnn_keras.plots.caption`)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from cnn_keras.plots import caption


def displayable(image, *, percentile: float = 0.0) -> np.ndarray:
    """``image`` (any range: standardized, caffe-style, gradient-ascent output) scaled to
    [0, 1] for ``imshow``, gray images as 2-D.

    Args:
        image: ``(height, width)`` or ``(height, width, 1 or 3)``.
        percentile: clip this percentile at each end before scaling (1 or 2 brings out the
            structure of a gradient-ascent image whose few extreme pixels take the range).
    """
    image = np.asarray(image, dtype="float32")
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    low, high = np.percentile(image, [percentile, 100 - percentile])
    return np.clip((image - low) / (high - low + 1e-8), 0.0, 1.0)


def _show(ax, image, percentile: float = 0.0):
    shown = displayable(image, percentile=percentile)
    ax.imshow(shown, cmap="gray" if shown.ndim == 2 else None, interpolation="nearest")


def _grid(count: int, columns: int, size: float, title_space: float = 0.5):
    columns = max(1, min(columns, count))
    rows = math.ceil(count / columns)
    figure, axes = plt.subplots(
        rows, columns, figsize=(columns * size, rows * size + title_space), squeeze=False
    )
    for ax in axes.ravel():
        ax.axis("off")
    return figure, axes.ravel()


def _finish(figure, title: str, where: str):
    if title:
        figure.suptitle(title)
    figure.tight_layout(rect=(0, 0.04 if where else 0, 1, 1))
    if where:
        caption(figure, where)
    return figure


def plot_heatmaps(
    images,
    heatmaps,
    *,
    titles: Sequence[str] | None = None,
    columns: int = 4,
    alpha: float = 0.5,
    cmap: str = "jet",
    title: str = "",
    where: str = "",
):
    """Each heat map over its image: the image in gray or colour, the map (scaled to its own
    maximum, stretched bilinearly over the image when it is coarser, as Grad-CAM's is) in
    ``cmap`` with transparency ``alpha``.

    Args:
        images: a list of images (or a batch), each ``(height, width[, channels])``, any
            range (each is scaled to [0, 1] for display: pass the photograph, not the
            preprocessed input, where you have it).
        heatmaps: one 2-D map per image, from ``analysis.saliency_map``, ``smoothgrad``,
            ``grad_cam`` or ``occlusion_map`` (for occlusion, pass ``1 - map``: the drop).
        titles: one per panel ("cat: Grad-CAM", "true shirt, said coat").
        columns: panels per row.
        alpha: the map's opacity; 1 shows the map alone.
        cmap: the map's colour map.
        title: the figure's title.
        where: the caption (profile, backend, device).

    Raises:
        ValueError: if the counts of images, maps and titles differ.
    """
    images, heatmaps = list(images), list(heatmaps)
    if len(images) != len(heatmaps) or (titles is not None and len(titles) != len(images)):
        raise ValueError(
            f"give one heat map (and title) per image; received {len(images)} images, "
            f"{len(heatmaps)} heat maps and {None if titles is None else len(titles)} titles."
        )
    figure, axes = _grid(len(images), columns, 2.4)
    for index, (image, heat) in enumerate(zip(images, heatmaps, strict=True)):
        ax = axes[index]
        _show(ax, image)
        height, width = np.asarray(image).shape[:2]
        heat = np.asarray(heat, dtype="float32")
        scale = float(np.abs(heat).max())
        ax.imshow(
            heat / scale if scale > 0 else heat,
            cmap=cmap,
            alpha=alpha,
            vmin=0.0,
            vmax=1.0,
            extent=(-0.5, width - 0.5, height - 0.5, -0.5),
            interpolation="bilinear",
        )
        if titles is not None:
            ax.set_title(titles[index], fontsize=8)
    return _finish(figure, title, where)


def plot_image_grid(
    images,
    *,
    titles: Sequence[str] | None = None,
    columns: int = 8,
    percentile: float = 1.0,
    title: str = "",
    where: str = "",
):
    """A grid of small images, each scaled to [0, 1] on its own: the gradient-ascent images of
    ``analysis.visualize_filters`` or ``visualize_classes`` (pass the result, or its
    ``images``), or any batch of images.

    Args:
        images: ``(count, height, width[, channels])``, or an ``analysis.Ascent``.
        titles: one per image ("filter 3", "sneaker").
        columns: images per row.
        percentile: clipped at each end before scaling (see :func:`displayable`).
        title: the figure's title.
        where: the caption (profile, backend, device).
    """
    images = list(getattr(images, "images", images))
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"give one title per image: {len(titles)} titles, {len(images)} images.")
    figure, axes = _grid(len(images), columns, 1.3)
    for index, image in enumerate(images):
        _show(axes[index], image, percentile)
        if titles is not None:
            axes[index].set_title(titles[index], fontsize=7)
    return _finish(figure, title, where)


def plot_embedding(
    points,
    labels,
    *,
    class_names: Sequence[str] | None = None,
    title: str = "",
    where: str = "",
    size: float = 8.0,
):
    """The 2-D embedding of ``analysis.embed_2d``, one colour per class, with a legend.

    Args:
        points: ``(count, 2)``.
        labels: ``(count,)`` int classes (the true ones; or the predicted, to see the mistakes).
        class_names: the name of each class index; default the indices.
        title: the figure's title (say PCA or t-SNE, and of which layer).
        where: the caption (profile, backend, device).
        size: the markers' size.
    """
    points = np.asarray(points, dtype="float32")
    labels = np.asarray(labels)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) != len(labels):
        raise ValueError(
            f"points must be (count, 2) with one label each; received points {points.shape} "
            f"and {len(labels)} labels."
        )
    figure, ax = plt.subplots(figsize=(6.5, 5.5))
    classes = np.unique(labels)
    colours = plt.get_cmap("tab10" if len(classes) <= 10 else "tab20")
    for index, label in enumerate(classes):
        chosen = labels == label
        name = class_names[int(label)] if class_names is not None else str(label)
        ax.scatter(*points[chosen].T, s=size, color=colours(index % colours.N), label=name)
    ax.legend(fontsize=7, markerscale=2, loc="best", frameon=False)
    ax.set_xticks([])
    ax.set_yticks([])
    return _finish(figure, title, where)
