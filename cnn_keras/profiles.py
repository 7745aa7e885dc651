"""Run profiles: how big the notebooks and the CLI train, chosen once by ``CNN_KERAS_PROFILE``.

- ``smoke``: CI on a 2-core CPU with no network: tiny inputs, narrow nets, a few steps on
  offline Fashion-MNIST. A notebook runs in well under a minute; nothing is meant to learn.
- ``cpu``: a laptop: Fashion-MNIST (offline) at 32 px or the net's smallest input, narrow
  nets, a subset of the images for a few epochs: every net learns (75 % and more, chance is
  10 %) and the whole suite runs in under 20 minutes on 2 cores. ``CNN_KERAS_DATASET`` names
  another data set.
- ``full``: a GPU: the paper's input size and widths, 90 epochs on Imagenette (downloaded):
  hours per notebook.

Unset, the profile is ``cpu``, with or without a GPU: a first run (a fresh Colab session
included) takes minutes and needs no download beyond Fashion-MNIST. ``full`` is always asked for
by name; :func:`describe` says what a GPU would allow.
"""

from __future__ import annotations

import dataclasses
import os

import keras

from cnn_keras.machine import gpu_available

ENV_PROFILE = "CNN_KERAS_PROFILE"
ENV_DATASET = "CNN_KERAS_DATASET"


@dataclasses.dataclass(frozen=True)
class Profile:
    """How large to train.

    Attributes:
        name: ``"smoke"``, ``"cpu"`` or ``"full"``.
        image_size: the square input size to train at (a run plan raises it to the net's
            smallest input; on ``full`` it takes the paper's).
        width_multiplier: the conv width factor for the builders that take one.
        fc_units: the width of AlexNet's, ZFNet's and VGG's hidden FC layers.
        epochs: training epochs.
        batch_size: the batch size.
        train_samples: training images to use (``None``: all).
        test_samples: test images to validate on (``None``: all).
        dataset: the data set to train on (``cnn_keras.data.load`` names).
        augment: the training augmentation, ``data.load``'s ``augment``: ``"auto"`` (the
            paper's) on ``full``; ``None`` on ``smoke`` and ``cpu``, whose few epochs underfit
            rather than overfit: on Fashion-MNIST VGG16 reached 84 % test accuracy in five
            epochs of 10,000 images without augmentation and 75 % with the paper's shifts and
            flips.
    """

    name: str
    image_size: int
    width_multiplier: float
    fc_units: int
    epochs: int
    batch_size: int
    train_samples: int | None
    test_samples: int | None
    dataset: str
    augment: str | None


PROFILES = {
    "smoke": Profile("smoke", 32, 0.125, 64, 2, 32, 256, 256, "fashion_mnist", None),
    "cpu": Profile("cpu", 32, 0.25, 256, 5, 128, 10_000, 2_000, "fashion_mnist", None),
    "full": Profile("full", 224, 1.0, 4096, 90, 128, None, None, "imagenette", "auto"),
}


def get_profile(name: str | None = None) -> Profile:
    """The profile named ``name``, else ``$CNN_KERAS_PROFILE``, else ``cpu`` (on a GPU too:
    the hours-long ``full`` is only ever chosen by name). ``$CNN_KERAS_DATASET`` overrides its
    data set.

    Raises:
        ValueError: for an unknown profile name.
    """
    name = name or os.environ.get(ENV_PROFILE) or "cpu"
    if name not in PROFILES:
        raise ValueError(
            f"Unknown profile {name!r} (from the argument or {ENV_PROFILE}); "
            f"use one of {', '.join(PROFILES)}."
        )
    profile = PROFILES[name]
    dataset = os.environ.get(ENV_DATASET)
    return dataclasses.replace(profile, dataset=dataset) if dataset else profile


def describe(profile: Profile) -> str:
    """The profile, the Keras backend and the device, for a notebook's first cell; on a GPU
    with a reduced profile, a second line on how to ask for ``full``."""
    gpu = gpu_available()
    device = "GPU" if gpu else "CPU"
    line = (
        f"profile={profile.name} backend={keras.backend.backend()} device={device} "
        f"dataset={profile.dataset} image_size={profile.image_size} epochs={profile.epochs}"
    )
    if gpu and profile.name != "full":
        line += (
            "\nA GPU is visible: get_profile('full') (or CNN_KERAS_PROFILE=full) trains at the "
            f"paper's size, {PROFILES['full'].epochs} epochs on {PROFILES['full'].dataset} "
            "(downloaded first): hours, not minutes."
        )
    return line
