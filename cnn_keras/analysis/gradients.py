"""How strongly the loss pulls on each weight: the cross-entropy's gradient with respect to the
trainable weights, on one batch, on the TensorFlow, JAX and PyTorch backends
(:func:`weight_gradients`), and its norm per kernel (:func:`gradient_norms`, notebook 05's
vanishing gradients). Reachable as ``analysis.gradient_norms`` and
``analysis.weight_gradients``."""

from __future__ import annotations

from collections.abc import Iterable

import keras
import numpy as np


def weight_gradients(model: keras.Model, images, labels) -> list[np.ndarray | None]:
    """The gradient of the mean cross-entropy with respect to each of
    ``model.trainable_variables`` on one batch, with the model in training mode (batch
    normalization uses the batch's statistics).

    Args:
        model: a classifier ending in softmax probabilities.
        images: a batch of inputs.
        labels: their int class labels.

    Returns:
        One float64 array per trainable variable, in order; ``None`` where a variable is not
        connected to the loss (TensorFlow and PyTorch say so; JAX gives zeros).

    Raises:
        ValueError: on a backend other than TensorFlow, JAX or PyTorch.
    """
    images = keras.ops.convert_to_tensor(images)
    labels = keras.ops.convert_to_tensor(labels)
    variables = model.trainable_variables

    def loss_of(outputs):
        return keras.ops.mean(keras.losses.sparse_categorical_crossentropy(labels, outputs))

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = loss_of(model(images, training=True))
        gradients = tape.gradient(loss, [v.value for v in variables])
    elif backend == "jax":
        import jax

        non_trainable = [v.value for v in model.non_trainable_variables]

        def loss_fn(trainable):
            outputs, _ = model.stateless_call(trainable, non_trainable, images, training=True)
            return loss_of(outputs)

        # Compiled as one graph: op by op, a deep net's backward pass is 2-3 times slower.
        gradients = jax.jit(jax.grad(loss_fn))([v.value for v in variables])
    elif backend == "torch":
        import torch

        loss = loss_of(model(images, training=True))
        gradients = torch.autograd.grad(
            loss, [v.value for v in variables], allow_unused=True, materialize_grads=False
        )
    else:
        raise ValueError(
            f"weight_gradients supports the tensorflow, jax and torch backends; this is "
            f"keras.backend.backend()={backend!r}."
        )
    return [
        None if g is None else np.asarray(keras.ops.convert_to_numpy(g), dtype="float64")
        for g in gradients
    ]


def gradient_norms(
    model: keras.Model, images, labels, *, layers: Iterable[str] | None = None
) -> dict[str, float]:
    """The norm of the cross-entropy's gradient with respect to each conv or dense kernel, on
    one batch, with the model in training mode (:func:`weight_gradients`).

    Args:
        model: a classifier ending in softmax probabilities.
        images: a batch of inputs.
        labels: their int class labels.
        layers: the layers whose kernels to measure (default: every ``Conv2D``, including
            depthwise and separable convs, and ``Dense``), in model order.

    Returns:
        ``{layer name: |dL/dW|}`` in model order.
    """
    if layers is None:
        chosen = [layer for layer in model.layers if isinstance(layer, _KERNEL_LAYERS)]
    else:
        chosen = [model.get_layer(name) for name in layers]
    kernels = [
        layer.depthwise_kernel if isinstance(layer, keras.layers.DepthwiseConv2D) else layer.kernel
        for layer in chosen
    ]
    gradients = weight_gradients(model, images, labels)
    return {
        layer.name: float(np.linalg.norm(gradients[_index_of(model.trainable_variables, kernel)]))
        for layer, kernel in zip(chosen, kernels, strict=True)
    }


_KERNEL_LAYERS = (keras.layers.Conv2D, keras.layers.DepthwiseConv2D, keras.layers.Dense)


def _index_of(variables, variable) -> int:
    for index, candidate in enumerate(variables):
        if candidate is variable:
            return index
    raise ValueError(f"{variable.path} is not a trainable variable of the model.")
