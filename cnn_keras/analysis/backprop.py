"""The one gradient the interpretation tools take: of a score of a model's outputs with respect
to the model's input, written once per backend (``tf.GradientTape``, ``jax.grad`` through
``stateless_call``, ``torch.autograd``), as :mod:`cnn_keras.analysis.gradients` does for the
weights. No backend is imported at module level.

Also here: :func:`class_scores`, the classifier without its final softmax, because the papers
differentiate the class *score* (the logit), not its probability (Simonyan et al. 2013,
section 2; Selvaraju et al. 2017, section 3): a saturated softmax has no gradient left to show.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np

# A score of the model's outputs (and, for a penalty, of its input images): one value per
# image of the batch, shape (batch,).
Objective = Callable[[object, object], object]


def gradient_function(
    model: keras.Model, objective: Objective
) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """A function ``f(images) -> (values, gradients)``: ``objective(model(images), images)``, one
    value per image, and its gradient with respect to the images, with the model in inference
    mode (batch normalization uses its moving statistics, dropout is off). Works on the
    TensorFlow (eager, ``tf.GradientTape``), JAX (compiled once, on the first call, and reused:
    the gradient-ascent loops call it at every step) and PyTorch (``torch.autograd``) backends.

    Each image's value depends on that image alone (inference mode), so the gradient of their
    sum is every image's own gradient.

    Args:
        model: any Keras model with one input.
        objective: ``(outputs, images) -> values``, written with ``keras.ops`` (so that it
            runs on every backend), returning one value per image, shape ``(batch,)``.

    Returns:
        ``f``, taking a float32 array of the model's input shape with a batch axis and
        returning NumPy arrays ``values`` ``(batch,)`` and ``gradients`` (the images' shape).

    Raises:
        ValueError: on another backend than tensorflow, jax or torch.
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        return _tensorflow(model, objective)
    if backend == "jax":
        return _jax(model, objective)
    if backend == "torch":
        return _torch(model, objective)
    raise ValueError(
        "The interpretation tools support the tensorflow, jax and torch backends; this is "
        f"keras.backend.backend()={backend!r}."
    )


def _tensorflow(model, objective):
    import tensorflow as tf

    def f(images):
        images = tf.convert_to_tensor(images, tf.float32)
        with tf.GradientTape() as tape:
            tape.watch(images)
            values = objective(model(images, training=False), images)
            total = tf.reduce_sum(values)
        return values.numpy(), tape.gradient(total, images).numpy()

    return f


def _jax(model, objective):
    import jax
    import jax.numpy as jnp

    def total(images, trainable, non_trainable):
        outputs, _ = model.stateless_call(trainable, non_trainable, images, training=False)
        values = objective(outputs, images)
        return jnp.sum(values), values

    # The weights are arguments, not constants baked into the compiled function.
    step = jax.jit(jax.value_and_grad(total, has_aux=True))

    def f(images):
        trainable = [v.value for v in model.trainable_variables]
        non_trainable = [v.value for v in model.non_trainable_variables]
        (_, values), gradients = step(jnp.asarray(images, jnp.float32), trainable, non_trainable)
        return np.asarray(values), np.asarray(gradients)

    return f


def _torch(model, objective):
    import torch

    def f(images):
        with torch.enable_grad():
            x = keras.ops.convert_to_tensor(np.asarray(images, "float32"))
            x = x.detach().requires_grad_(True)
            values = objective(model(x, training=False), x)
            (gradients,) = torch.autograd.grad(values.sum(), x)
        return keras.ops.convert_to_numpy(values.detach()), keras.ops.convert_to_numpy(gradients)

    return f


def output_layer(model: keras.Model) -> keras.layers.Layer:
    """The layer that computes the model's (single) output.

    Raises:
        ValueError: for a model with several outputs (Inception v3 with its auxiliary head:
            build it without, ``aux_logits=False``).
    """
    if len(model.outputs) != 1:
        raise ValueError(
            f"{model.name} has {len(model.outputs)} outputs; the interpretation tools need one "
            "(build Inception v3 and GoogLeNet without their auxiliary heads)."
        )
    return model.outputs[0]._keras_history.operation


def _is_softmax(activation) -> bool:
    return getattr(activation, "__name__", "") == "softmax"


def class_scores(model: keras.Model) -> keras.Model:
    """``model`` without its final softmax: a model from the same input (sharing every layer
    but the last) whose output is the class scores, the logits.

    - A final ``Softmax`` layer, or ``Activation("softmax")``: the output is that layer's input.
    - A final ``Dense`` (or ``Conv2D``) with ``activation="softmax"``, as every builder here
      ends (``classifier_activation="softmax"``): that layer's affine part, on its own weights
      (shared, not copied), on the same input.
    - Anything else (``classifier_activation=None``, a regression): ``model`` itself.
    """
    last = output_layer(model)
    if isinstance(last, keras.layers.Softmax) or (
        isinstance(last, keras.layers.Activation) and _is_softmax(last.activation)
    ):
        return keras.Model(model.input, last.input, name=f"{model.name}_scores")
    if isinstance(last, (keras.layers.Dense, keras.layers.Conv2D)) and _is_softmax(last.activation):
        scores = _WithoutActivation(last)(last.input)
        return keras.Model(model.input, scores, name=f"{model.name}_scores")
    return model


class _WithoutActivation(keras.layers.Layer):
    """A ``Dense`` or ``Conv2D`` layer's affine part, on that layer's own variables (shared,
    not copied: a later training step shows). Not for saving."""

    def __init__(self, layer, **kwargs):
        super().__init__(name=f"{layer.name}_scores", dtype=layer.dtype_policy, **kwargs)
        self.wrapped = layer

    def call(self, inputs):
        layer = self.wrapped
        if isinstance(layer, keras.layers.Dense):
            outputs = keras.ops.matmul(inputs, layer.kernel)
        else:
            outputs = layer.convolution_op(inputs, layer.kernel)
        return outputs + layer.bias if layer.use_bias else outputs

    def compute_output_shape(self, input_shape):
        return self.wrapped.compute_output_shape(input_shape)


def as_batch(model: keras.Model, images, *, what: str = "images") -> np.ndarray:
    """``images`` as float32 with a batch axis: one image ``(height, width, channels)`` or a
    batch, of the model's input shape.

    Raises:
        ValueError: for another shape than the model's input, naming both.
    """
    images = np.asarray(images, dtype="float32")
    expected = tuple(model.input_shape[1:])
    if images.ndim == len(expected):
        images = images[None]
    if images.ndim != len(expected) + 1 or any(
        e is not None and e != s for e, s in zip(expected, images.shape[1:], strict=True)
    ):
        raise ValueError(
            f"{what} must be one image of the model's input shape {expected} or a batch of "
            f"them; received an array of shape {images.shape}."
        )
    return images


def class_labels(scores_model: keras.Model, images: np.ndarray, labels) -> np.ndarray:
    """``labels`` as an int array, one per image (``None``: the model's predicted classes).

    Raises:
        ValueError: for a count that is not one per image, or a label out of range.
    """
    classes = scores_model.output_shape[-1]
    if labels is None:
        scores = keras.ops.convert_to_numpy(scores_model(images, training=False))
        return np.argmax(scores, axis=-1)
    labels = np.atleast_1d(np.asarray(labels))
    if labels.shape != (len(images),) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"label must be one int class index per image ({len(images)}), or None for the "
            f"predicted class; received {labels.tolist()!r}."
        )
    if labels.min() < 0 or labels.max() >= classes:
        raise ValueError(
            f"label must be a class index in [0, {classes - 1}]; received {labels.tolist()!r}."
        )
    return labels.astype("int64")


def pick(values, labels: np.ndarray):
    """``values[i, labels[i]]`` for each row ``i``, in ``keras.ops`` (for an objective)."""
    classes = values.shape[-1]
    mask = keras.ops.convert_to_tensor(np.eye(classes, dtype="float32")[labels])
    return keras.ops.sum(values * mask, axis=-1)


def feature_map_layer(model: keras.Model, layer_name: str) -> keras.layers.Layer:
    """The layer ``layer_name`` of ``model``, refused with ``ValueError`` when the model has
    no such layer or its output is not a grid of feature maps (batch, height, width,
    channels): what Grad-CAM, feature-map plots and filter images read."""
    names = [layer.name for layer in model.layers]
    if layer_name not in names:
        raise ValueError(f"layer_name={layer_name!r} is not a layer of {model.name}: {names}.")
    layer = model.get_layer(layer_name)
    if len(layer.output.shape) != 4:
        raise ValueError(
            f"layer_name={layer_name!r} gives {tuple(layer.output.shape)}, not feature maps "
            "(batch, height, width, channels): choose a conv, activation or pooling layer."
        )
    return layer
