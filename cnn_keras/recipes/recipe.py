"""What a recipe is: the :class:`Recipe` record, its learning-rate schedule in Keras's terms,
and the linear scaling rule for more replicas."""

from __future__ import annotations

import dataclasses

import keras

from cnn_keras.checks import check_int

SCHEDULES = ("plateau", "step", "exponential", "constant")


@dataclasses.dataclass(frozen=True)
class Recipe:
    """How a paper trained its network.

    Attributes:
        paper: where the recipe comes from (paper and section).
        optimizer: ``"sgd"`` (with momentum) or ``"rmsprop"``.
        learning_rate: the initial learning rate (for ``batch_size`` images per step).
        momentum: SGD's or RMSProp's momentum.
        weight_decay: the L2 coefficient on the weights.
        batch_size: the batch size: the paper's in :data:`~cnn_keras.recipes.RECIPES`, the
            run's in a run plan's recipe (:func:`scaled_to_batch`).
        epochs: about how many epochs the paper trained.
        plateau_factor: the factor the learning rate is multiplied by when validation accuracy
            stops improving (``schedule="plateau"``).
        label_smoothing: label smoothing of the cross-entropy.
        schedule: one of :data:`SCHEDULES`: ``"plateau"`` (divide on a plateau of validation
            accuracy), ``"step"`` (multiply by ``decay_rate`` at each of ``decay_epochs``),
            ``"exponential"`` (multiply by ``decay_rate`` every ``decay_every`` epochs),
            ``"constant"``.
        decay_epochs: the epochs of the paper's run where a ``"step"`` schedule decays.
        decay_rate: the factor of a ``"step"`` or ``"exponential"`` decay.
        decay_every: the epochs between two ``"exponential"`` decays.
        nesterov: Nesterov momentum (SGD).
        rho: RMSProp's decay of the squared-gradient average.
        epsilon: RMSProp's epsilon.
        clipnorm: clip each gradient to this norm (``None``: no clipping).
        aux_loss_weight: the weight of each auxiliary classifier's loss beside the main one's
            1.0 (GoogLeNet's 0.3, Inception v3's 0.4); 0 for a network without one.
        bn_momentum: the momentum of every batch normalization layer's moving averages: 0.9,
            Torch's default (``momentum=0.1``), which fb.resnet.torch and the DenseNet and
            ResNeXt code trained with. Keras's default 0.99 leaves the averages near their
            start after a few hundred steps, so a short run evaluates at chance while its
            training accuracy climbs. It does not change a forward pass.
        notes: where the recipe is not in the paper, or where the lecture differs.

    The fields after ``label_smoothing`` are left out of ``repr`` (the notebooks print a
    recipe and check the line).
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
    schedule: str = dataclasses.field(default="plateau", repr=False)
    decay_epochs: tuple[float, ...] = dataclasses.field(default=(), repr=False)
    decay_rate: float = dataclasses.field(default=0.1, repr=False)
    decay_every: float = dataclasses.field(default=1.0, repr=False)
    nesterov: bool = dataclasses.field(default=False, repr=False)
    rho: float = dataclasses.field(default=0.9, repr=False)
    epsilon: float = dataclasses.field(default=1e-7, repr=False)
    clipnorm: float | None = dataclasses.field(default=None, repr=False)
    aux_loss_weight: float = dataclasses.field(default=0.0, repr=False)
    bn_momentum: float = dataclasses.field(default=0.9, repr=False)
    notes: str = dataclasses.field(default="", repr=False)

    def __post_init__(self):
        if self.optimizer not in ("sgd", "rmsprop"):
            raise ValueError(f"optimizer must be 'sgd' or 'rmsprop'; received {self.optimizer!r}.")
        if self.schedule not in SCHEDULES:
            raise ValueError(
                f"schedule must be one of {', '.join(SCHEDULES)}; received {self.schedule!r}."
            )

    def describe(self) -> str:
        """Every field on one line each, for a notebook or the CLI."""
        return "\n".join(f"{f.name}: {getattr(self, f.name)}" for f in dataclasses.fields(self))


def scaled_to_batch(recipe: Recipe, batch_size: int) -> Recipe:
    """The recipe at ``batch_size`` images per step, its learning rate scaled linearly with the
    batch (the linear scaling rule, Goyal et al. 2017): the one place the rule is written.

    Raises:
        ValueError: if ``batch_size`` is not an int of at least 1.
    """
    batch_size = check_int("batch_size", batch_size, minimum=1)
    return dataclasses.replace(
        recipe,
        batch_size=batch_size,
        learning_rate=recipe.learning_rate * batch_size / recipe.batch_size,
    )


def scale_for_replicas(recipe: Recipe, replicas: int) -> Recipe:
    """The recipe on ``replicas`` devices: ``replicas`` times the batch, the learning rate
    scaled with it (:func:`scaled_to_batch`)."""
    replicas = check_int("replicas", replicas, minimum=1)
    return scaled_to_batch(recipe, recipe.batch_size * replicas)


def learning_rate_schedule(
    recipe: Recipe, *, steps_per_epoch: int | None, epochs: int | None = None
) -> float | keras.optimizers.schedules.LearningRateSchedule:
    """The recipe's schedule per step, stretched from the paper's ``recipe.epochs`` to
    ``epochs`` (default: the paper's). A float for ``"plateau"`` and ``"constant"`` (the
    plateau is a callback), or when ``steps_per_epoch`` is unknown."""
    if recipe.schedule in ("plateau", "constant") or not steps_per_epoch:
        return recipe.learning_rate
    stretch = (epochs or recipe.epochs) / recipe.epochs * steps_per_epoch
    if recipe.schedule == "exponential":
        return keras.optimizers.schedules.ExponentialDecay(
            recipe.learning_rate,
            decay_steps=max(1, round(recipe.decay_every * stretch)),
            decay_rate=recipe.decay_rate,
            staircase=True,
        )
    boundaries = sorted({max(1, round(e * stretch)) for e in recipe.decay_epochs})
    values = [recipe.learning_rate * recipe.decay_rate**i for i in range(len(boundaries) + 1)]
    return keras.optimizers.schedules.PiecewiseConstantDecay(boundaries, values)
