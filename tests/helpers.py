"""Helpers the model tests share: random weights that show a misplaced copy, and comparing two
models' outputs. The weight copy itself is the package's (``cnn_keras.pretrained.copy_weights``,
``copy_from_twin``), which ``build_model(..., weights="imagenet")`` uses too."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

from cnn_keras.analysis import weight_gradients


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


def cancelled_by_batch_norm(model: keras.Model) -> dict[str, str]:
    """The per-channel shifts (conv and dense biases, BN betas) that training-mode batch norm
    cancels, each with the weight of its layer that sets the scale of its gradient:
    ``{path: kernel or gamma path}``.

    A shift adds one constant to every value of its channel. Layers that keep a per-channel
    constant a per-channel constant (a 1x1 conv, any conv on a 1x1 map, an addition, a
    concatenation) pass it on; batch norm in training mode subtracts each channel's batch mean,
    which removes it. So a shift whose every path ends in batch norm through such layers does
    not change the loss, and its gradient is zero up to rounding.
    """
    consumers: dict[str, list[keras.layers.Layer]] = {}
    for layer in model.layers:
        for node in layer._inbound_nodes:
            for tensor in node.input_tensors:
                consumers.setdefault(tensor._keras_history.operation.name, []).append(layer)

    def keeps_constant(layer) -> bool:
        if isinstance(layer, (keras.layers.Add, keras.layers.Concatenate)):
            return True
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.DepthwiseConv2D)):
            one_by_one = tuple(layer.kernel_size) == (1, 1)
            return one_by_one or tuple(layer.input.shape[1:3]) == (1, 1)
        return False

    def cancelled(layer) -> bool:
        after = consumers.get(layer.name, [])
        return bool(after) and all(
            isinstance(c, keras.layers.BatchNormalization) or (keeps_constant(c) and cancelled(c))
            for c in after
        )

    found = {}
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization) and layer.center and cancelled(layer):
            found[layer.beta.path] = (layer.gamma if layer.scale else layer.beta).path
        elif (
            isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))
            and layer.use_bias
            and cancelled(layer)
        ):
            found[layer.bias.path] = layer.kernel.path
    return found


def assert_every_weight_learns(model: keras.Model, images, labels) -> dict[str, str]:
    """The backward check (timm runs one on every model): one training step's gradient is
    finite everywhere and nonzero for every trainable weight, except the shifts batch norm
    cancels (:func:`cancelled_by_batch_norm`), whose gradient must be zero up to rounding.
    Returns those shifts."""
    norms = {}
    for variable, gradient in zip(
        model.trainable_variables, weight_gradients(model, images, labels), strict=True
    ):
        assert gradient is not None, f"{variable.path} is not connected to the loss"
        assert np.isfinite(gradient).all(), f"{variable.path}: NaN or inf in its gradient"
        norms[variable.path] = float(np.linalg.norm(gradient))
    cancelled = cancelled_by_batch_norm(model)
    # Rounding, next to the gradient of its own layer's kernel (or gamma).
    leaks = {
        p: norms[p] / norms[ref] for p, ref in cancelled.items() if norms[p] > 1e-4 * norms[ref]
    }
    assert leaks == {}, "batch norm should cancel these shifts"
    zero = sorted(p for p, norm in norms.items() if norm == 0 and p not in cancelled)
    assert zero == [], f"{len(zero)} of {len(norms)} trainable weights get no gradient"
    return cancelled
