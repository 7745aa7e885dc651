"""How strongly the loss pulls on each layer: the norm of the cross-entropy's gradient with
respect to each kernel, on one batch, on the TensorFlow, JAX and PyTorch backends (notebook 05's
vanishing gradients). Reachable as ``analysis.gradient_norms``."""

from __future__ import annotations

from collections.abc import Iterable

import keras
import numpy as np


def gradient_norms(
    model: keras.Model, images, labels, *, layers: Iterable[str] | None = None
) -> dict[str, float]:
    """The norm of the cross-entropy's gradient with respect to each conv or dense kernel, on
    one batch, with the model in training mode (batch normalization uses the batch's
    statistics). Works on the TensorFlow, JAX and PyTorch backends.

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
    images = keras.ops.convert_to_tensor(images)
    labels = keras.ops.convert_to_tensor(labels)

    def loss_of(outputs):
        return keras.ops.mean(keras.losses.sparse_categorical_crossentropy(labels, outputs))

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = loss_of(model(images, training=True))
        gradients = tape.gradient(loss, [kernel.value for kernel in kernels])
    elif backend == "jax":
        import jax

        trainable = [v.value for v in model.trainable_variables]
        non_trainable = [v.value for v in model.non_trainable_variables]
        positions = [_index_of(model.trainable_variables, kernel) for kernel in kernels]

        def loss_fn(values):
            outputs, _ = model.stateless_call(values, non_trainable, images, training=True)
            return loss_of(outputs)

        all_gradients = jax.grad(loss_fn)(trainable)
        gradients = [all_gradients[i] for i in positions]
    elif backend == "torch":
        import torch

        loss = loss_of(model(images, training=True))
        gradients = torch.autograd.grad(loss, [kernel.value for kernel in kernels])
    else:
        raise ValueError(
            f"gradient_norms supports the tensorflow, jax and torch backends; this is "
            f"keras.backend.backend()={backend!r}."
        )
    return {
        layer.name: float(np.linalg.norm(keras.ops.convert_to_numpy(gradient)))
        for layer, gradient in zip(chosen, gradients, strict=True)
    }


_KERNEL_LAYERS = (keras.layers.Conv2D, keras.layers.DepthwiseConv2D, keras.layers.Dense)


def _index_of(variables, variable) -> int:
    for index, candidate in enumerate(variables):
        if candidate is variable:
            return index
    raise ValueError(f"{variable.path} is not a trainable variable of the model.")
