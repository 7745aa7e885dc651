"""A recipe turned into what ``model.compile`` takes: the optimizer with the papers' L2 weight
decay, the learning-rate schedule, the (label-smoothed) loss, and batch normalization's
momentum.

The custom objects register under the package name ``cnn_keras`` (``cnn_keras>SGDWithL2``), not
under this module's: a model saved before the training package was split loads unchanged.
"""

from __future__ import annotations

import keras

from cnn_keras.checks import check_choice, check_float, check_int
from cnn_keras.recipes import Recipe, learning_rate_schedule
from cnn_keras.registry import get_spec


def recipe_for(model_name: str) -> Recipe:
    """The paper's recipe of a registered model (``get_spec(model_name).recipe``).

    Raises:
        ValueError: if ``model_name`` is not registered.
    """
    return get_spec(model_name).recipe


@keras.saving.register_keras_serializable(package="cnn_keras")
class SparseCategoricalCrossentropySmoothed(keras.losses.Loss):
    """Cross-entropy on int labels with label smoothing (Szegedy et al. 2015, section 7).

    Keras's ``SparseCategoricalCrossentropy`` has no ``label_smoothing``: the labels are made
    one-hot here and passed to ``categorical_crossentropy``, so the data pipelines keep int
    labels for every recipe.
    """

    def __init__(
        self,
        label_smoothing: float = 0.0,
        from_logits: bool = False,
        name: str = "sparse_categorical_crossentropy_smoothed",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        self.label_smoothing = check_float(
            "label_smoothing", label_smoothing, minimum=0, maximum=1, max_inclusive=False
        )
        self.from_logits = from_logits

    def call(self, y_true, y_pred):
        classes = keras.ops.shape(y_pred)[-1]
        labels = keras.ops.cast(keras.ops.reshape(y_true, (-1,)), "int32")
        one_hot = keras.ops.one_hot(labels, classes, dtype=y_pred.dtype)
        return keras.losses.categorical_crossentropy(
            one_hot, y_pred, from_logits=self.from_logits, label_smoothing=self.label_smoothing
        )

    def get_config(self):
        return {
            **super().get_config(),
            "label_smoothing": self.label_smoothing,
            "from_logits": self.from_logits,
        }


def _l2_gradient(gradient, variable, l2: float):
    """``gradient + l2 * variable``: the gradient of the loss plus ``l2 / 2 * |w|^2``."""
    if not l2:
        return gradient
    gradient = keras.ops.cast(gradient, variable.dtype)
    return keras.ops.add(gradient, keras.ops.multiply(keras.ops.cast(l2, variable.dtype), variable))


class _CoupledL2:
    """Adds ``l2 * w`` to each gradient before the optimizer's own update (its momentum and
    averages): the papers' L2 weight decay. Mixed in before a Keras optimizer class."""

    def __init__(self, learning_rate, *, l2: float = 0.0, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.l2 = check_float(
            "l2", l2, minimum=0, maximum=1, max_inclusive=False, hint="5e-4, 1e-4 ..."
        )

    def update_step(self, gradient, variable, learning_rate):
        super().update_step(_l2_gradient(gradient, variable, self.l2), variable, learning_rate)

    def get_config(self):
        return {**super().get_config(), "l2": self.l2}


@keras.saving.register_keras_serializable(package="cnn_keras")
class SGDWithL2(_CoupledL2, keras.optimizers.SGD):
    """SGD with momentum and the papers' L2 weight decay: ``l2 * w`` is added to each gradient
    before the momentum average, as Caffe, Torch and ``kernel_regularizer=L2(l2 / 2)`` do.

    Keras's own ``weight_decay`` is decoupled (Loshchilov and Hutter 2019): it shrinks the
    weights by ``lr * wd * w`` outside the momentum average. With momentum ``m`` the coupled
    form's decay is carried by the average and is about ``1 / (1 - m)`` times stronger at
    steady state: ten times with the papers' 0.9. The recipes' ``weight_decay`` values are the
    papers' L2 coefficients, so they train with this form.

    Args:
        learning_rate: a float or a ``LearningRateSchedule``.
        l2: the L2 coefficient (the papers' "weight decay"); every trainable variable.
        **kwargs: ``SGD``'s (``momentum``, ``nesterov``, ``clipnorm`` ...; not
            ``weight_decay``).

    Note:
        With ``clipnorm`` the gradient is clipped before ``l2 * w`` is added, where the papers
        clipped the sum.
    """


@keras.saving.register_keras_serializable(package="cnn_keras")
class RMSpropWithL2(_CoupledL2, keras.optimizers.RMSprop):
    """RMSprop with the papers' L2 weight decay added to each gradient before the squared
    average and the momentum (as TF-slim's regularization losses did for Inception and
    MobileNet). Arguments as :class:`SGDWithL2`, with ``RMSprop``'s keywords."""


def make_optimizer(
    recipe: Recipe, *, steps_per_epoch: int | None = None, epochs: int | None = None
) -> keras.optimizers.Optimizer:
    """The recipe's optimizer with its learning-rate schedule (:func:`learning_rate_schedule`)
    and its weight decay as the papers' L2 (:class:`SGDWithL2`, :class:`RMSpropWithL2`)."""
    learning_rate = learning_rate_schedule(recipe, steps_per_epoch=steps_per_epoch, epochs=epochs)
    if recipe.optimizer == "sgd":
        return SGDWithL2(
            learning_rate,
            l2=recipe.weight_decay,
            momentum=recipe.momentum,
            nesterov=recipe.nesterov,
            clipnorm=recipe.clipnorm,
        )
    return RMSpropWithL2(
        learning_rate,
        l2=recipe.weight_decay,
        rho=recipe.rho,
        momentum=recipe.momentum,
        epsilon=recipe.epsilon,
        clipnorm=recipe.clipnorm,
    )


def batchnorm_layers(model: keras.Model) -> list[keras.layers.BatchNormalization]:
    """Every ``BatchNormalization`` layer of ``model``, nested models included."""
    found = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            found.append(layer)
        elif isinstance(layer, keras.Model):
            found += batchnorm_layers(layer)
    return found


def set_batchnorm_momentum(model: keras.Model, momentum: float) -> int:
    """Sets the moving-average momentum of every batch normalization layer; returns how many.
    Call it before training (compiling traces the step again)."""
    momentum = check_float(
        "momentum", momentum, minimum=0, maximum=1, min_inclusive=False, max_inclusive=False
    )
    layers = batchnorm_layers(model)
    for layer in layers:
        layer.momentum = momentum
    return len(layers)


def compile_model(
    model: keras.Model,
    recipe: Recipe,
    *,
    steps_per_epoch: int | None = None,
    epochs: int | None = None,
    top5: bool | None = None,
    steps_per_execution: int | str = "auto",
    jit_compile: bool | str = "auto",
) -> keras.Model:
    """Compiles ``model`` with the recipe's optimizer (:func:`make_optimizer`), schedule and
    cross-entropy, and sets its batch normalization momentum to ``recipe.bn_momentum``.

    A model with auxiliary classifiers (outputs ``[main, aux1, ...]``: GoogLeNet's, Inception
    v3's with ``aux_logits=True``) gets one loss per output, the auxiliary ones weighed by
    ``recipe.aux_loss_weight`` (GoogLeNet's 0.3), and metrics on the main output only; train it
    on labels repeated once per output (:func:`cnn_keras.data.repeat_labels`) and predict with
    :func:`~cnn_keras.training.main_output`.

    Args:
        model: the model; its last layer's activation decides whether the loss takes logits.
        recipe: the paper's recipe.
        steps_per_epoch: training steps per epoch, for a step or exponential schedule (without
            it the initial learning rate stays constant).
        epochs: the run's epochs the schedule is stretched to (default: the paper's).
        top5: also report top-5 accuracy (default: with 100 classes or more).
        steps_per_execution: training steps per call of the compiled train function (callbacks
            then see every this many batches); ``"auto"``: 1.
            The same steps either way: it changes the speed, not the numbers.
        jit_compile: Keras's ``jit_compile``; ``"auto"``: XLA on JAX, and on TensorFlow only
            with a GPU (on a CPU, TensorFlow's XLA train step was slower than its graph step).

    Raises:
        ValueError: for a model with several outputs and a recipe without an auxiliary loss
            weight, or a bad ``steps_per_execution`` or ``jit_compile``.
    """
    if steps_per_execution == "auto":
        # One step per call until a measurement shows more helps: on a CPU a step takes tens
        # of milliseconds and the per-call cost is small beside it; a GPU is yet to be measured
        # (benchmarks/train_throughput.py --steps-per-execution N).
        steps_per_execution = 1
    steps_per_execution = check_int(
        "steps_per_execution", steps_per_execution, minimum=1, hint="or 'auto'"
    )
    check_choice("jit_compile", jit_compile, (True, False, "auto"))
    optimizer = make_optimizer(recipe, steps_per_epoch=steps_per_epoch, epochs=epochs)
    set_batchnorm_momentum(model, recipe.bn_momentum)
    outputs = len(model.outputs)
    if outputs > 1 and not recipe.aux_loss_weight:
        raise ValueError(
            f"{model.name} has {outputs} outputs (auxiliary classifiers) and its recipe "
            f"({recipe.paper}) weighs none: give the recipe an aux_loss_weight "
            "(dataclasses.replace(recipe, aux_loss_weight=0.3)), or build the model without "
            "aux_logits."
        )
    main = model.outputs[0]._keras_history.operation  # the layer that makes the main output
    from_logits = main.get_config().get("activation") in (None, "linear")
    if recipe.label_smoothing:
        loss = SparseCategoricalCrossentropySmoothed(recipe.label_smoothing, from_logits)
    else:
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)
    metrics = ["accuracy"]
    if top5 is None:
        top5 = model.outputs[0].shape[-1] >= 100
    if top5:
        metrics.append(keras.metrics.SparseTopKCategoricalAccuracy(5, name="top5"))
    if outputs > 1:  # the main output's loss at 1.0, each auxiliary one's at the recipe's weight
        loss, metrics = [loss] * outputs, [metrics] + [[]] * (outputs - 1)
        loss_weights = [1.0] + [recipe.aux_loss_weight] * (outputs - 1)
    else:
        loss_weights = None
    model.compile(
        optimizer=optimizer,
        loss=loss,
        loss_weights=loss_weights,
        metrics=metrics,
        steps_per_execution=steps_per_execution,
        jit_compile=jit_compile,
    )
    return model
