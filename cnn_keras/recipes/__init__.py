"""The papers' training recipes, as data.

A :class:`Recipe` holds what a paper says about training: optimizer, learning rate and its
schedule, momentum, weight decay, batch size, epochs, label smoothing. :data:`RECIPES` has one
per paper, under a short key; each registered model names its recipe in its
:class:`~cnn_keras.registry.ModelSpec` (``get_spec("vgg16").recipe``).
:func:`learning_rate_schedule` turns a recipe's schedule into Keras's, stretched to the run's
length: a 2-epoch smoke run of the CIFAR ResNet still divides the learning rate by 10 at 50%
and 75% of its steps, as the paper did at 32k and 48k of 64k iterations.
"""

from cnn_keras.recipes.papers import RECIPES
from cnn_keras.recipes.recipe import (
    SCHEDULES,
    Recipe,
    learning_rate_schedule,
    scale_for_replicas,
    scaled_to_batch,
)

__all__ = [
    "RECIPES",
    "SCHEDULES",
    "Recipe",
    "learning_rate_schedule",
    "scale_for_replicas",
    "scaled_to_batch",
]
