"""Where a trained net puts each image: its penultimate features (what the classifier reads),
projected to two dimensions, so that a scatter coloured by class shows which classes the net
keeps apart and which it confuses.

- :func:`penultimate_layer` and :func:`penultimate_features`: the input of the classifier;
- :func:`embed_2d`: PCA (linear: distances along the two directions of largest variance) or
  t-SNE (van der Maaten and Hinton 2008; non-linear: neighbourhoods kept, distances between
  clusters not meaningful), both from scikit-learn.

The forward pass runs on any backend; the projection is NumPy and scikit-learn.
"""

from __future__ import annotations

import keras
import numpy as np

from cnn_keras.analysis.backprop import as_batch, output_layer
from cnn_keras.checks import check_choice, check_float, check_int

EMBEDDINGS = ("pca", "tsne")
# Layers that pass the classifier's input on unchanged (at inference) or only reshape it.
_PASS_THROUGH = (keras.layers.Dropout, keras.layers.Activation, keras.layers.Softmax)


def penultimate_layer(model: keras.Model) -> str:
    """The name of the layer whose output the classifier reads: the layer before the model's
    output layer, stepping back over a final ``Activation``/``Softmax`` and any ``Dropout``
    (``avg_pool`` in ResNet-50, ``fc7`` in VGG16, ``flatten`` in a small net that ends
    ``Flatten, Dense``).

    Raises:
        ValueError: for a model with several outputs, or whose output layer has several inputs.
    """
    layer = output_layer(model)
    if isinstance(layer, _PASS_THROUGH):
        layer = _parent(model, layer)
    layer = _parent(model, layer)
    while isinstance(layer, keras.layers.Dropout):
        layer = _parent(model, layer)
    return layer.name


def _parent(model: keras.Model, layer) -> keras.layers.Layer:
    inputs = layer.input if isinstance(layer.input, list) else [layer.input]
    if len(inputs) != 1:
        raise ValueError(
            f"{layer.name} of {model.name} has {len(inputs)} inputs: name the feature layer "
            "(layer_name=...)."
        )
    return inputs[0]._keras_history.operation


def penultimate_features(
    model: keras.Model, images, *, layer_name: str | None = None, batch_size: int = 256
) -> np.ndarray:
    """The features the classifier reads, one row per image.

    Args:
        model: a classifier.
        images: a batch of images, as the model sees them.
        layer_name: the feature layer; default :func:`penultimate_layer`.
        batch_size: images per forward pass.

    Returns:
        ``(count, features)`` float32 array (feature maps are flattened).
    """
    layer_name = penultimate_layer(model) if layer_name is None else layer_name
    names = [layer.name for layer in model.layers]
    if layer_name not in names:
        raise ValueError(f"layer_name={layer_name!r} is not a layer of {model.name}: {names}.")
    batch_size = check_int("batch_size", batch_size, minimum=1)
    images = as_batch(model, images)
    probe = keras.Model(model.input, model.get_layer(layer_name).output)
    rows = [
        keras.ops.convert_to_numpy(probe(images[i : i + batch_size], training=False))
        for i in range(0, len(images), batch_size)
    ]
    features = np.concatenate(rows)
    return features.reshape(len(features), -1).astype("float32")


def embed_2d(
    features, *, method: str = "pca", seed: int = 0, perplexity: float = 30.0
) -> np.ndarray:
    """Two-dimensional coordinates for each row of ``features``.

    Args:
        features: ``(count, dimensions)``, from :func:`penultimate_features`.
        method: ``"pca"`` (scikit-learn's ``PCA``, deterministic) or ``"tsne"`` (``TSNE``,
            initialized with PCA; perplexity at most a third of the count less one).
        seed: t-SNE's random seed.
        perplexity: t-SNE's effective number of neighbours (5 to 50 in the paper).

    scikit-learn's t-SNE runs one OpenMP thread per core; where the cores are busy (a test
    run, a notebook beside a training run), wrap the call in
    ``threadpoolctl.threadpool_limits(limits=1)``: 30 points took 20 s on a loaded 2-core
    machine with all threads, under 1 s with one.

    Returns:
        ``(count, 2)`` float32 array.

    Raises:
        ValueError: for another method, or features that are not 2-D with at least 3 rows
            and 2 columns.
    """
    method = check_choice("method", method, EMBEDDINGS)
    features = np.asarray(features, dtype="float32")
    if features.ndim != 2 or len(features) < 3 or features.shape[1] < 2:
        raise ValueError(
            "features must be (count, dimensions) with at least 3 rows and 2 dimensions; "
            f"received an array of shape {features.shape}."
        )
    if method == "pca":
        from sklearn.decomposition import PCA

        points = PCA(n_components=2).fit_transform(features)
    else:
        from sklearn.manifold import TSNE

        perplexity = check_float("perplexity", perplexity, minimum=1.0)
        perplexity = min(perplexity, (len(features) - 1) / 3)
        points = TSNE(
            n_components=2, perplexity=perplexity, init="pca", random_state=seed
        ).fit_transform(features)
    return points.astype("float32")
