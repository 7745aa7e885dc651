"""Exercises of notebook 10 (training on a GPU: the ResNet paper's CIFAR-10 experiment)."""

from __future__ import annotations

import math

from cnn_keras import analysis, build_model, training
from cnn_keras.exercises import exercise

# He et al. 2015, section 4.2: 45k training images (5k held out), 64k iterations.
PAPER_TRAIN_IMAGES = 45_000
PAPER_ITERATIONS = 64_000


@exercise("10.1", "epochs that the paper's 64k iterations make on its 45k images")
def paper_epochs() -> float:
    batch = training.recipe_for("resnet20_cifar").batch_size
    return PAPER_ITERATIONS * batch / PAPER_TRAIN_IMAGES


@exercise("10.2", "the learning rate at iteration 40,000 of the paper's schedule")
def learning_rate_at_40k() -> float:
    recipe = training.recipe_for("resnet20_cifar")
    steps = math.ceil(PAPER_TRAIN_IMAGES / recipe.batch_size)
    schedule = training.learning_rate_schedule(recipe, steps_per_epoch=steps)
    return float(schedule(40_000))


@exercise("10.3", "the learning rate train() uses for the CIFAR recipe on 4 GPUs")
def four_gpu_learning_rate() -> float:
    return training.scale_for_replicas(training.recipe_for("resnet20_cifar"), 4).learning_rate


@exercise("10.4", "trainable parameters of ResNet-32 (CIFAR-10)")
def resnet32_params() -> int:
    model = build_model("resnet32_cifar", input_shape=(32, 32, 3), classes=10)
    return analysis.count_params(model).trainable
