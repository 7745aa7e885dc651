"""Helpers the model tests share: random weights that show a misplaced copy, and comparing two
models' outputs. The weight copy itself is the package's (``cnn_keras.pretrained.copy_weights``,
``copy_from_twin``), which ``build_model(..., weights="imagenet")`` uses too."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np


def randomize_weights(model: keras.Model, seed: int = 0) -> None:
    """Random BN statistics, scales, shifts and biases, so that a weight copy that puts a
    tensor in the wrong place shows in the outputs (keras.applications starts BN at 0 and 1)."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            # gamma and beta exist only with scale=True and center=True (Inception has no gamma).
            if layer.scale:
                layer.gamma.assign(rng.uniform(0.5, 1.0, layer.gamma.shape))
            if layer.center:
                layer.beta.assign(rng.normal(0, 0.1, layer.beta.shape))
            layer.moving_mean.assign(rng.normal(0, 0.1, layer.moving_mean.shape))
            layer.moving_variance.assign(rng.uniform(0.5, 1.5, layer.moving_variance.shape))
        elif isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense)) and layer.use_bias:
            kernel, bias = layer.get_weights()
            layer.set_weights([kernel, rng.normal(0, 0.1, bias.shape)])


def assert_same_outputs(
    ours: keras.Model,
    reference: keras.Model,
    layer_names: Sequence[str] | None = None,
    *,
    seed: int = 0,
    rtol: float = 1e-4,
    atol: float = 1e-5,
) -> None:
    """Equal outputs of both models on one random image in [-1, 1], computed eagerly (faster
    on a CPU than tracing ``predict`` for one batch): the named layers' outputs (the same name
    in both), or the models' outputs when ``layer_names`` is ``None``."""
    shape = ours.input_shape[1:]
    images = np.random.default_rng(seed).uniform(-1, 1, (1, *shape)).astype("float32")
    names = ["output"] if layer_names is None else list(layer_names)
    results = []
    for model in (ours, reference):
        if layer_names is not None:
            model = keras.Model(model.input, [model.get_layer(n).output for n in names])
        outputs = model(images, training=False)
        results.append(outputs if isinstance(outputs, list | tuple) else [outputs])
    for name, mine, theirs in zip(names, *results, strict=True):
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(mine),
            keras.ops.convert_to_numpy(theirs),
            rtol=rtol,
            atol=atol,
            err_msg=name,
        )
