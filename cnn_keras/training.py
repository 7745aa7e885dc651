"""The papers' training recipes as data, and the one ``fit`` the notebooks and the CLI use."""

from __future__ import annotations

import dataclasses
import os

import keras

from cnn_keras.registry import get_spec


@dataclasses.dataclass(frozen=True)
class Recipe:
    """How a paper trained its network.

    Attributes:
        paper: where the recipe comes from (paper and section).
        optimizer: ``"sgd"`` (with momentum) or ``"rmsprop"``.
        learning_rate: the initial learning rate.
        momentum: SGD momentum.
        weight_decay: the L2 coefficient on the weights.
        batch_size: the paper's batch size.
        epochs: about how many epochs the paper trained.
        plateau_factor: the factor the learning rate is multiplied by when validation accuracy
            stops improving (``None``: no such schedule).
        label_smoothing: label smoothing of the cross-entropy.
    """

    paper: str
    optimizer: str
    learning_rate: float
    momentum: float
    weight_decay: float
    batch_size: int
    epochs: int
    plateau_factor: float | None = 0.1
    label_smoothing: float = 0.0


RECIPES = {
    # Section 5: SGD, batch 128, momentum 0.9, weight decay 0.0005, lr 0.01 divided by 10 when
    # the validation error stopped improving (three times), about 90 epochs.
    "AlexNet": Recipe("Krizhevsky et al. 2012, section 5", "sgd", 0.01, 0.9, 5e-4, 128, 90),
    # Section 3: AlexNet's recipe, on one GPU.
    "ZFNet": Recipe("Zeiler and Fergus 2013, section 3", "sgd", 0.01, 0.9, 5e-4, 128, 70),
    # Section 3.1: batch 256, momentum 0.9, L2 5e-4, lr 0.01 divided by 10 on plateau (3 times),
    # 74 epochs.
    "VGG": Recipe("Simonyan and Zisserman 2014, section 3.1", "sgd", 0.01, 0.9, 5e-4, 256, 74),
}


def recipe_for(model_name: str) -> Recipe:
    """The recipe of a registered model's family.

    Raises:
        ValueError: if the family has no recipe yet.
    """
    family = get_spec(model_name).family
    if family not in RECIPES:
        raise ValueError(
            f"No training recipe for family={family!r} (model {model_name!r}); recipes exist "
            f"for {', '.join(RECIPES)}."
        )
    return RECIPES[family]


def compile_model(model: keras.Model, recipe: Recipe) -> keras.Model:
    """Compiles ``model`` with the recipe's optimizer and a sparse cross-entropy.

    Note:
        Keras applies ``weight_decay`` to the weights directly at each step (``w -= lr * wd *
        w``) instead of adding ``wd * w`` to the gradient before momentum, as the papers' L2
        did; with momentum 0.9 the two differ a little in effective strength.
    """
    if recipe.optimizer == "sgd":
        optimizer = keras.optimizers.SGD(
            recipe.learning_rate, momentum=recipe.momentum, weight_decay=recipe.weight_decay
        )
    elif recipe.optimizer == "rmsprop":
        optimizer = keras.optimizers.RMSprop(
            recipe.learning_rate, momentum=recipe.momentum, weight_decay=recipe.weight_decay
        )
    else:
        raise ValueError(
            f"recipe.optimizer must be 'sgd' or 'rmsprop'; received {recipe.optimizer!r}."
        )
    from_logits = model.layers[-1].get_config().get("activation") in (None, "linear")
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits),
        metrics=["accuracy"],
    )
    return model


def callbacks_for(recipe: Recipe, output_dir: str | None = None) -> list[keras.callbacks.Callback]:
    """The recipe's schedule, and with ``output_dir`` a CSV log, the best and the last model as
    ``.keras``, and a backup so an interrupted run resumes where it stopped."""
    callbacks: list[keras.callbacks.Callback] = [keras.callbacks.TerminateOnNaN()]
    if recipe.plateau_factor is not None:
        callbacks.append(
            keras.callbacks.ReduceLROnPlateau(
                monitor="val_accuracy", factor=recipe.plateau_factor, patience=5, verbose=1
            )
        )
    if output_dir is not None:
        os.makedirs(output_dir, exist_ok=True)
        callbacks += [
            keras.callbacks.CSVLogger(os.path.join(output_dir, "log.csv"), append=True),
            keras.callbacks.ModelCheckpoint(
                os.path.join(output_dir, "best.keras"), monitor="val_accuracy", save_best_only=True
            ),
            keras.callbacks.ModelCheckpoint(os.path.join(output_dir, "last.keras")),
            keras.callbacks.BackupAndRestore(os.path.join(output_dir, "backup")),
        ]
    return callbacks


def fit(
    model: keras.Model,
    splits,
    *,
    recipe: Recipe,
    epochs: int,
    output_dir: str | None = None,
    verbose: int | str = "auto",
) -> keras.callbacks.History:
    """Compiles ``model`` with ``recipe`` and trains it on ``splits`` (``cnn_keras.data.load``),
    validating on the test split, with Keras's progress bar.

    Args:
        model: the model; its last layer's activation decides whether the loss takes logits.
        splits: a :class:`cnn_keras.data.Splits`.
        recipe: the paper's recipe (:func:`recipe_for`).
        epochs: how many epochs (profiles train fewer than the paper).
        output_dir: where to write the log, checkpoints and backup (see :func:`callbacks_for`).
        verbose: Keras's ``verbose``.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be an int >= 1; received epochs={epochs!r}.")
    compile_model(model, recipe)
    return model.fit(
        splits.train,
        validation_data=splits.test,
        epochs=epochs,
        callbacks=callbacks_for(recipe, output_dir),
        shuffle=False,  # the tf.data pipeline shuffles before batching
        verbose=verbose,
    )
