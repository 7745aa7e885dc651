"""Inference of a network trained with auxiliary classifiers (GoogLeNet, Inception v3): the
main output alone. Training weighs the auxiliary losses in :func:`~cnn_keras.training.compile_model`
with the recipe's ``aux_loss_weight``."""

from __future__ import annotations

import keras


def main_output(model: keras.Model) -> keras.Model:
    """The inference model of a network trained with auxiliary outputs: its first output only
    (the same layers and weights)."""
    if len(model.outputs) == 1:
        return model
    return keras.Model(model.inputs, model.outputs[0], name=f"{model.name}_main")
