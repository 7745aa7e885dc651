"""The one ``fit`` the notebooks and the CLI use, and what it needs around a paper's recipe.

A :class:`~cnn_keras.recipes.Recipe` (:mod:`cnn_keras.recipes`) holds what a paper says about
training; :func:`recipe_for` gives a registered model's. :func:`compile_model` turns it into a
Keras optimizer, a ``LearningRateSchedule`` and a loss; :func:`fit` trains with the callbacks a
real run needs (schedule, NaN stop, CSV and TensorBoard logs, best and last checkpoints, a
backup to resume from). :func:`configure_precision` picks mixed precision on a GPU and float32
on a CPU; :func:`data_parallel` spreads a batch over all visible devices. :func:`train` is one
whole run, what ``cnn-keras train`` does.

Schedules given in epochs are stretched to the run's length: a 2-epoch smoke run of the CIFAR
ResNet still divides the learning rate by 10 at 50% and 75% of its steps, as the paper did at
32k and 48k of 64k iterations.

The modules, split by what changes together:

- :mod:`~cnn_keras.training.losses_optimizers`: the recipe turned into an optimizer (the
  papers' L2 weight decay), a loss (label smoothing) and batch normalization's momentum;
  :func:`compile_model`.
- :mod:`~cnn_keras.training.aux_outputs`: the inference model of a network with auxiliary
  classifiers (:func:`compile_model` weighs their losses).
- :mod:`~cnn_keras.training.devices`: precision, data parallelism, the versions a result
  records.
- :mod:`~cnn_keras.training.callbacks`: the NaN stop and the throughput timer.
- :mod:`~cnn_keras.training.run_folder`: the run's files, its backup and resume, its log.
- :mod:`~cnn_keras.training.fitting`: :func:`fit`, its callbacks, :func:`final_accuracy`.
- :mod:`~cnn_keras.training.train_run`: :func:`train`, as named steps.

(``fitting`` and ``train_run``, not ``fit`` and ``train``: a submodule named as the function
it exports is hidden by it, ``training.fit`` being the function.)
"""

from cnn_keras.recipes import (
    RECIPES,
    SCHEDULES,
    Recipe,
    learning_rate_schedule,
    scale_for_replicas,
)
from cnn_keras.training.aux_outputs import main_output
from cnn_keras.training.callbacks import (
    NonFiniteLossError,
    StopOnNonFinite,
    Throughput,
    weights_finite,
)
from cnn_keras.training.devices import configure_precision, data_parallel
from cnn_keras.training.fitting import callbacks_for, final_accuracy, fit, in_notebook
from cnn_keras.training.losses_optimizers import (
    RMSpropWithL2,
    SGDWithL2,
    SparseCategoricalCrossentropySmoothed,
    batchnorm_layers,
    compile_model,
    make_optimizer,
    recipe_for,
    set_batchnorm_momentum,
)
from cnn_keras.training.run_folder import RunFolder, read_log, remove_backup
from cnn_keras.training.train_run import run, run_caption, train

__all__ = [
    "RECIPES",
    "SCHEDULES",
    "NonFiniteLossError",
    "RMSpropWithL2",
    "Recipe",
    "RunFolder",
    "SGDWithL2",
    "SparseCategoricalCrossentropySmoothed",
    "StopOnNonFinite",
    "Throughput",
    "batchnorm_layers",
    "callbacks_for",
    "compile_model",
    "configure_precision",
    "data_parallel",
    "final_accuracy",
    "fit",
    "in_notebook",
    "learning_rate_schedule",
    "main_output",
    "make_optimizer",
    "read_log",
    "recipe_for",
    "remove_backup",
    "scale_for_replicas",
    "set_batchnorm_momentum",
    "run",
    "run_caption",
    "train",
    "weights_finite",
]
