"""The checker of the "implement it" exercises: the reader's block against the package's.

Both blocks are built on one Keras input of a fixed shape; then, in order, the checker compares
the output shapes, the parameter counts (and which kinds of weighted layers differ), copies the
package's weights into the reader's block by order and shape, and compares the outputs on one
fixed random batch (inference mode). The first difference found is the message.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import keras
import numpy as np

from cnn_keras.analysis import count_params

# Outputs agree when the largest difference is under this fraction of the largest output:
# loose enough for a different batch-norm epsilon (1e-3 against 1.001e-5), tight enough for
# any wiring mistake (a missing activation, a wrong order, another concatenation order).
OUTPUT_TOLERANCE = 1e-2
_SEED = 2012


def build(block: Callable, input_shape: Sequence[int], who: str) -> keras.Model | str:
    """``block`` applied to a ``keras.Input(input_shape)`` as a model, or a message saying why
    it could not be built."""
    inputs = keras.Input(tuple(input_shape), name="block_input")
    try:
        outputs = block(inputs)
    except Exception as error:  # noqa: BLE001 - the reader's code: any error is the message
        return (
            f"{who} block raised {type(error).__name__} on a Keras tensor of shape "
            f"(None, {', '.join(map(str, input_shape))}): {error}"
        )
    if not isinstance(outputs, keras.KerasTensor):
        return f"{who} block must return one Keras tensor; it returned {type(outputs).__name__}"
    return keras.Model(inputs, outputs, name="block")


def _weighted_layers(model: keras.Model) -> Counter:
    return Counter(type(layer).__name__ for layer in model.layers if layer.weights)


def _layer_difference(yours: keras.Model, reference: keras.Model) -> str:
    mine, theirs = _weighted_layers(yours), _weighted_layers(reference)
    kinds = sorted(set(mine) | set(theirs))
    differ = [k for k in kinds if mine[k] != theirs[k]]
    if not differ:
        return ""
    listed = ", ".join(f"{k}: yours {mine[k]}, the package's {theirs[k]}" for k in differ)
    return f" Weighted layers that differ: {listed}."


def randomize(model: keras.Model) -> None:
    """Gives the biases and batch-norm statistics random values (fixed seed), so that a block
    that leaves one out, or uses it in the wrong place, changes the outputs."""
    rng = np.random.default_rng(_SEED)
    for variable in model.weights:
        kind = variable.path.rsplit("/", 1)[-1]
        shape = tuple(variable.shape)
        if kind in ("gamma", "moving_variance"):
            variable.assign(rng.uniform(0.5, 1.5, shape).astype("float32"))
        elif kind in ("beta", "moving_mean", "bias"):
            variable.assign(rng.normal(0.0, 0.1, shape).astype("float32"))


def _squeezed(shape) -> tuple[int, ...]:
    return tuple(int(n) for n in shape if n != 1)


def copy_weights(reference: keras.Model, yours: keras.Model) -> str | None:
    """Copies each of the reference's weights into the first of the reader's weights, in
    order, with the same shape once sizes of 1 are dropped (a Dense kernel takes a 1x1 conv's).
    Returns a message if a weight has no counterpart."""
    free = list(reference.weights)
    for variable in yours.weights:
        shape = _squeezed(variable.shape)
        index = next((i for i, w in enumerate(free) if _squeezed(w.shape) == shape), None)
        if index is None:
            return (
                f"no weight of the package's block has the shape of your "
                f"{variable.path} {tuple(variable.shape)}"
            )
        value = keras.ops.convert_to_numpy(free.pop(index))
        variable.assign(value.reshape(tuple(variable.shape)))
    return None


def compare(
    block: Callable, reference: Callable, input_shape: Sequence[int], input_scale: float = 1.0
) -> tuple[bool, str]:
    """``(right, message)``: the reader's ``block`` against the package's ``reference``, both
    functions of a Keras tensor, on inputs of ``input_shape`` (without the batch) drawn with
    standard deviation ``input_scale``."""
    expected = build(reference, input_shape, "the package's")
    if isinstance(expected, str):
        raise RuntimeError(expected)
    yours = build(block, input_shape, "your")
    if isinstance(yours, str):
        return False, f"not yet: {yours}."
    want, got = tuple(expected.output.shape[1:]), tuple(yours.output.shape[1:])
    if got != want:
        return False, f"not yet: your block outputs shape {got}, the package's {want}."
    counted, wanted = count_params(yours), count_params(expected)
    if counted.total != wanted.total:
        more = counted.total - wanted.total
        word = "more" if more > 0 else "fewer"
        return False, (
            f"not yet: your block has {abs(more):,} {word} parameters than the package's "
            f"(trainable {counted.trainable:,} against {wanted.trainable:,})."
            + _layer_difference(yours, expected)
        )
    randomize(expected)
    problem = copy_weights(expected, yours)
    if problem:
        return False, f"not yet: the parameter counts agree, but {problem}."
    batch = np.random.default_rng(_SEED).normal(0.0, input_scale, (2, *input_shape))
    batch = batch.astype("float32")
    out_ref = keras.ops.convert_to_numpy(expected(batch, training=False))
    out_yours = keras.ops.convert_to_numpy(yours(batch, training=False))
    scale = float(np.max(np.abs(out_ref))) or 1.0
    error = float(np.max(np.abs(out_yours - out_ref)))
    if error > OUTPUT_TOLERANCE * scale:
        return False, (
            f"not yet: shapes and parameter counts agree, but with the package's weights copied "
            f"in (by order and shape) the outputs differ by up to {error:.3g} (outputs reach "
            f"{scale:.3g}). Check the order of the layers, which activation goes where, "
            "and the order of concatenated branches."
        )
    return True, (
        f"right: output {want}, {wanted.total:,} parameters, and the same outputs "
        "with the same weights."
    )
