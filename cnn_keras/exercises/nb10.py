"""Exercises of notebook 10 (training on a GPU: the ResNet paper's CIFAR-10 experiment)."""

from __future__ import annotations

import math

from cnn_keras import analysis, build_model, training
from cnn_keras.exercises import exercise, explanation, mistake, prediction

# He et al. 2015, section 4.2: 45k training images (5k held out), 64k iterations.
PAPER_TRAIN_IMAGES = 45_000
CIFAR10_TRAIN_IMAGES = 50_000
PAPER_ITERATIONS = 64_000


def _recipe():
    return training.recipe_for("resnet20_cifar")


@exercise("10.1", "epochs that the paper's 64k iterations make on its 45k images", rel_tol=0.005)
def paper_epochs() -> float:
    return PAPER_ITERATIONS * _recipe().batch_size / PAPER_TRAIN_IMAGES


@mistake("10.1", "the epochs on all 50k CIFAR-10 images; the paper holds 5k out")
def paper_epochs_on_50k() -> float:
    return PAPER_ITERATIONS * _recipe().batch_size / CIFAR10_TRAIN_IMAGES


def _rate_at(iteration: int) -> float:
    steps = math.ceil(PAPER_TRAIN_IMAGES / _recipe().batch_size)
    return float(training.learning_rate_schedule(_recipe(), steps_per_epoch=steps)(iteration))


@exercise("10.2", "the learning rate at iteration 40,000 of the paper's schedule", rel_tol=0.005)
def learning_rate_at_40k() -> float:
    return _rate_at(40_000)


@mistake("10.2", "the starting rate; the schedule has divided it once by then")
def starting_learning_rate() -> float:
    return _rate_at(0)


@exercise("10.3", "the learning rate train() uses for the CIFAR recipe on 4 GPUs", rel_tol=0.005)
def four_gpu_learning_rate() -> float:
    return training.scale_for_replicas(_recipe(), 4).learning_rate


@mistake("10.3", "the one-GPU rate; the linear scaling rule changes it with the batch")
def one_gpu_learning_rate() -> float:
    return _recipe().learning_rate


def _resnet32_params():
    return analysis.count_params(build_model("resnet32_cifar", input_shape=(32, 32, 3), classes=10))


@exercise("10.4", "trainable parameters of ResNet-32 (CIFAR-10)")
def resnet32_params() -> int:
    return _resnet32_params().trainable


@mistake("10.4", "the count with batch norm's moving statistics, which are not trainable")
def resnet32_total() -> int:
    return _resnet32_params().total


@prediction(
    "10.5",
    "steps per epoch on 4 GPUs",
    choices={"a": "the same as on one GPU", "b": "a quarter as many", "c": "four times as many"},
    why=(
        "A quarter as many: each GPU takes its own batch of 128, so one step sees 4 x 128 "
        "images and an epoch of 45k images takes a quarter of the steps. Fewer, larger steps "
        "would learn less per epoch at the same rate, hence the linear scaling rule (Goyal et "
        "al. 2017): multiply the learning rate by the number of GPUs, with a warm-up when the "
        "multiple is large."
    ),
)
def steps_on_four_gpus() -> str:
    """**10.5** (predict, then measure) `train(..., distribute=True)` on 4 GPUs gives each GPU
    the profile's batch of 128. How many steps does an epoch of the paper's 45k images take,
    against one GPU? Predict, then compute `math.ceil(45_000 / recipe.batch_size)` for
    `recipe = training.recipe_for("resnet20_cifar")` and for
    `training.scale_for_replicas(recipe, 4)`."""
    one = math.ceil(PAPER_TRAIN_IMAGES / _recipe().batch_size)
    four = math.ceil(PAPER_TRAIN_IMAGES / training.scale_for_replicas(_recipe(), 4).batch_size)
    ratio = four / one
    return "b" if ratio < 0.5 else "c" if ratio > 2 else "a"


explanation(
    "10.6",
    "the warm-up of ResNet-110",
    question="""**10.6** (explain) For its 110-layer CIFAR net the ResNet paper starts at a
    learning rate of 0.01, not 0.1, for a while. Why, and for how long?""",
    answer=(
        "At 0.1 the 110-layer net was slightly too hard to start converging, so the authors "
        "trained at 0.01 until the training error fell below 80 % (about 400 iterations) and "
        "then went back to 0.1 and the usual schedule (section 4.2). The large rate suits the "
        "later training; the first steps of a deep, freshly initialized net need a gentler one."
    ),
)

explanation(
    "10.7",
    "why the deeper plain net is not overfitting",
    question="""**10.7** (explain) The 56-layer plain net ends with a higher test error than the
    20-layer one. Why is that not overfitting?""",
    answer=(
        "Because its training error is higher too (the paper's Figure 1): overfitting would "
        "show a lower training error with a higher test error. And the deeper net could in "
        "principle do at least as well, by copying the shallow one and making its extra "
        "layers identities; that the solver does not find such a solution is an optimization "
        "difficulty, the degradation problem. A residual block makes the identity easy to "
        "learn: it is F(x) = 0."
    ),
)
