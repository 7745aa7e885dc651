"""Training and inference of a network with auxiliary classifiers (GoogLeNet, Inception v3):
the auxiliary losses weighed into the main one, then the main output alone."""

from __future__ import annotations

from collections.abc import Sequence

import keras

from cnn_keras.models.googlenet import AUX_LOSS_WEIGHTS


def compile_with_aux_losses(
    model: keras.Model,
    *,
    optimizer="sgd",
    loss="sparse_categorical_crossentropy",
    metrics: Sequence | None = ("accuracy",),
    loss_weights: Sequence[float] = AUX_LOSS_WEIGHTS,
    **compile_kwargs,
) -> keras.Model:
    """Compiles a model with outputs ``[main, aux1, ...]`` so that the auxiliary losses count
    ``loss_weights`` (GoogLeNet's 1.0, 0.3, 0.3) of the main one; ``metrics`` are reported
    for the main output only. Returns the model.

    Raises:
        ValueError: if ``loss_weights`` has not one weight per output.
    """
    n_outputs = len(model.outputs)
    if len(loss_weights) != n_outputs:
        raise ValueError(
            f"loss_weights needs one weight per output; {model.name} has {n_outputs} outputs "
            f"and received loss_weights={tuple(loss_weights)!r}. Build it with aux_logits=True "
            "for GoogLeNet's (1.0, 0.3, 0.3)."
        )
    model.compile(
        optimizer=optimizer,
        loss=[loss] * n_outputs,
        loss_weights=list(loss_weights),
        metrics=None if metrics is None else [list(metrics)] + [[]] * (n_outputs - 1),
        **compile_kwargs,
    )
    return model


def main_output(model: keras.Model) -> keras.Model:
    """The inference model of a network trained with auxiliary outputs: its first output only
    (the same layers and weights)."""
    if len(model.outputs) == 1:
        return model
    return keras.Model(model.inputs, model.outputs[0], name=f"{model.name}_main")
