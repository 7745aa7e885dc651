"""Helpers the model tests share: copying weights between two builds of one network, and
comparing their outputs."""

from __future__ import annotations

from collections.abc import Callable, Sequence

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


def copy_weights(
    source: keras.Model,
    target: keras.Model,
    rename: Callable[[str], str] | None = None,
) -> None:
    """Copies the weights of every weighted layer of ``source`` into ``target``.

    With ``rename``, layer ``n`` of ``source`` goes to the layer of ``target`` named
    ``rename(n)``; without it, the weighted layers are paired in order (same graph, other
    names), and each pair must be of one layer type. Either way every weighted layer of
    ``target`` must receive weights.
    """
    theirs = [layer for layer in source.layers if layer.weights]
    if rename is None:
        ours = [layer for layer in target.layers if layer.weights]
        assert len(ours) == len(theirs), (len(ours), len(theirs))
        for mine, their in zip(ours, theirs, strict=True):
            assert type(mine) is type(their), (mine.name, their.name)
            mine.set_weights(their.get_weights())
        return
    filled = set()
    for layer in theirs:
        mine = target.get_layer(rename(layer.name))
        mine.set_weights(layer.get_weights())
        filled.add(mine.name)
    missed = [layer.name for layer in target.layers if layer.weights and layer.name not in filled]
    assert not missed, f"layers without a counterpart: {missed[:5]}"


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
