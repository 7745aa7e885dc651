"""The papers' training recipes, as data.

A :class:`Recipe` holds what a paper says about training: optimizer, learning rate and its
schedule, momentum, weight decay, batch size, epochs, label smoothing. :data:`RECIPES` has one
per paper, under a short key; each registered model names its recipe in its
:class:`~cnn_keras.registry.ModelSpec` (``get_spec("vgg16").recipe``).
:func:`learning_rate_schedule` turns a recipe's schedule into Keras's, stretched to the run's
length: a 2-epoch smoke run of the CIFAR ResNet still divides the learning rate by 10 at 50%
and 75% of its steps, as the paper did at 32k and 48k of 64k iterations.
"""

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
        batch_size: the paper's batch size.
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


_SGD = {"optimizer": "sgd", "momentum": 0.9}

RECIPES = {
    # Section 5: SGD, batch 128, momentum 0.9, weight decay 0.0005, lr 0.01 divided by 10 when
    # the validation error stopped improving (three times), about 90 epochs.
    "alexnet": Recipe("Krizhevsky et al. 2012, section 5", "sgd", 0.01, 0.9, 5e-4, 128, 90),
    # Section 3: AlexNet's recipe, on one GPU.
    "zfnet": Recipe("Zeiler and Fergus 2013, section 3", "sgd", 0.01, 0.9, 5e-4, 128, 70),
    # Section 3.1: batch 256, momentum 0.9, L2 5e-4, lr 0.01 divided by 10 on plateau (3 times),
    # 74 epochs.
    "vgg": Recipe("Simonyan and Zisserman 2014, section 3.1", "sgd", 0.01, 0.9, 5e-4, 256, 74),
    # Section 6: asynchronous SGD, momentum 0.9, "decreasing the learning rate by 4% every 8
    # epochs". The paper gives no initial rate, batch or weight decay: those are BVLC Caffe's
    # bvlc_googlenet quick solver (lr 0.01, batch 32, weight decay 2e-4, 2.4M iterations ~ 60
    # epochs).
    "googlenet": Recipe(
        "Szegedy et al. 2015, section 6",
        learning_rate=0.01,
        weight_decay=2e-4,
        batch_size=32,
        epochs=60,
        plateau_factor=None,
        schedule="exponential",
        decay_rate=0.96,
        decay_every=8,
        notes="initial lr, batch and weight decay from BVLC Caffe's solver (not in the paper)",
        **_SGD,
    ),
    # Section 3.4: SGD, batch 256, lr 0.1 divided by 10 when the error plateaus, weight decay
    # 0.0001, momentum 0.9, up to 60e4 iterations (~120 epochs). The lecture's slide says weight
    # decay 1e-5: the paper says 1e-4, used here.
    "resnet": Recipe(
        "He et al. 2015, section 3.4",
        learning_rate=0.1,
        weight_decay=1e-4,
        batch_size=256,
        epochs=120,
        plateau_factor=0.1,
        notes="the lecture's slide gives weight decay 1e-5; the paper 1e-4",
        **_SGD,
    ),
    # Section 4.2: batch 128, lr 0.1 divided by 10 at 32k and 48k iterations, stop at 64k
    # (45k/5k train/val split: 64k x 128 / 45k ~ 182 epochs; 32k ~ 91, 48k ~ 136.5), weight decay
    # 0.0001, momentum 0.9. Same slide difference on weight decay as ResNet.
    "resnet_cifar": Recipe(
        "He et al. 2015, section 4.2",
        learning_rate=0.1,
        weight_decay=1e-4,
        batch_size=128,
        epochs=182,
        plateau_factor=None,
        schedule="step",
        decay_epochs=(91, 136.5),
        decay_rate=0.1,
        notes="32k and 48k of 64k iterations; the lecture's slide gives weight decay 1e-5",
        **_SGD,
    ),
    # Section 3.2: "Inception-v2" recipe: RMSProp with decay 0.9 and epsilon 1.0, lr 0.045
    # decayed every two epochs by 0.94, gradient clipping at 2.0, batch 32, 100 epochs, label
    # smoothing 0.1 (section 7). Weight decay is not given: 4e-5 is TF-slim's.
    "inception_v3": Recipe(
        "Szegedy et al. 2015 (Rethinking the Inception architecture), sections 7-8",
        optimizer="rmsprop",
        learning_rate=0.045,
        momentum=0.0,
        weight_decay=4e-5,
        batch_size=32,
        epochs=100,
        plateau_factor=None,
        label_smoothing=0.1,
        schedule="exponential",
        decay_rate=0.94,
        decay_every=2,
        rho=0.9,
        epsilon=1.0,
        clipnorm=2.0,
        notes="weight decay 4e-5 is TF-slim's; the paper gives none",
    ),
    # Section 3: RMSProp with decay 0.9 and epsilon 1.0, lr 0.045 decayed every two epochs by
    # 0.94. Batch, epochs and weight decay are not given: Inception v3's are used.
    "inception_v4": Recipe(
        "Szegedy et al. 2016 (Inception-v4), section 4",
        optimizer="rmsprop",
        learning_rate=0.045,
        momentum=0.0,
        weight_decay=4e-5,
        batch_size=32,
        epochs=100,
        plateau_factor=None,
        schedule="exponential",
        decay_rate=0.94,
        decay_every=2,
        rho=0.9,
        epsilon=1.0,
        notes="batch, epochs and weight decay not in the paper (Inception v3's)",
    ),
    # Section 3, ImageNet: SGD with Nesterov momentum 0.9 (no dampening), batch 256, 90 epochs,
    # lr 0.1 divided by 10 at epochs 30 and 60, weight decay 1e-4.
    "densenet": Recipe(
        "Huang et al. 2017, section 4.2",
        learning_rate=0.1,
        weight_decay=1e-4,
        batch_size=256,
        epochs=90,
        plateau_factor=None,
        schedule="step",
        decay_epochs=(30, 60),
        nesterov=True,
        **_SGD,
    ),
    # Section 4.2, CIFAR: batch 64, 300 epochs, lr 0.1 divided by 10 at 50% and 75% of them.
    "densenet_cifar": Recipe(
        "Huang et al. 2017, section 4.2",
        learning_rate=0.1,
        weight_decay=1e-4,
        batch_size=64,
        epochs=300,
        plateau_factor=None,
        schedule="step",
        decay_epochs=(150, 225),
        nesterov=True,
        **_SGD,
    ),
    # Section 4: RMSProp, asynchronous, little regularization, "very little or no weight decay"
    # on the depthwise filters. No numbers given: MobileNetV2's (Sandler et al. 2018, section
    # 6.1: RMSProp decay and momentum 0.9, lr 0.045 x 0.98 every epoch, weight decay 4e-5,
    # batch 96).
    "mobilenet": Recipe(
        "Howard et al. 2017, section 4",
        optimizer="rmsprop",
        learning_rate=0.045,
        momentum=0.9,
        weight_decay=4e-5,
        batch_size=96,
        epochs=120,
        plateau_factor=None,
        schedule="exponential",
        decay_rate=0.98,
        decay_every=1,
        rho=0.9,
        epsilon=1.0,
        notes="numbers from the MobileNetV2 paper; v1 gives none",
    ),
    # Section 5.1: SGD, batch 256, weight decay 1e-4, momentum 0.9, lr 0.1 divided by 10 three
    # times with fb.resnet.torch's schedule (epochs 30, 60, 80 of 90).
    "resnext": Recipe(
        "Xie et al. 2017, section 5.1",
        learning_rate=0.1,
        weight_decay=1e-4,
        batch_size=256,
        epochs=90,
        plateau_factor=None,
        schedule="step",
        decay_epochs=(30, 60, 80),
        **_SGD,
    ),
    # The SENet paper, section 5.1 (arXiv v4): synchronous SGD with momentum 0.9, batch 1024,
    # lr 0.6 divided by 10 every 30 epochs, 100 epochs from scratch with He et al.'s
    # initialization. Augmentation: "inception" crops (random size and aspect ratio, to 224x224)
    # and horizontal flips, mean RGB subtraction. The paper gives no weight decay: ResNet's 1e-4.
    "senet": Recipe(
        "Hu et al. 2017 (Squeeze-and-Excitation Networks), section 5.1",
        optimizer="sgd",
        learning_rate=0.6,
        momentum=0.9,
        weight_decay=1e-4,
        batch_size=1024,
        epochs=100,
        plateau_factor=None,
        schedule="step",
        decay_epochs=(30, 60, 90),
        decay_rate=0.1,
        notes="weight decay not in the paper: ResNet's 1e-4",
    ),
}
# The same papers' recipes for the variants in other families.
RECIPES["inception_resnet"] = dataclasses.replace(
    RECIPES["inception_v4"], paper="Szegedy et al. 2016 (Inception-ResNet), section 4"
)


def scale_for_replicas(recipe: Recipe, replicas: int) -> Recipe:
    """The linear scaling rule (Goyal et al. 2017): ``replicas`` times the batch, and the
    learning rate times as much."""
    replicas = check_int("replicas", replicas, minimum=1)
    return dataclasses.replace(
        recipe,
        batch_size=recipe.batch_size * replicas,
        learning_rate=recipe.learning_rate * replicas,
    )


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
