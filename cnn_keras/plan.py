"""The run plan: everything one training run will do, decided once, before anything loads.

:func:`plan_run` turns a model, a profile and the caller's overrides into a frozen
:class:`RunPlan`: the model's spec, the input shape and classes, the width knobs, the data set
and its subset sizes, the recipe *as run* (its batch, and its learning rate scaled to that batch
once, by :func:`~cnn_keras.recipes.scaled_to_batch`), the augmentation, the epochs and the seed.
It is pure: it builds no layer, reads no image and makes no folder (a folder data set's class
folders are listed, to count its classes). Every bad argument is refused there, the widths with
the builder's own bounds (:meth:`~cnn_keras.registry.ModelSpec.check_arguments`), so a run
never loads data and then fails.

``cnn-keras train``, :func:`cnn_keras.training.train`, the experiment runner and the notebooks
build their runs from a plan::

    plan = plan_run("resnet20_cifar", epochs=3)   # the profile's (cpu: Fashion-MNIST) ...
    print(plan)                                   # ... as a table: each value and its source
    result = training.run(plan, "runs/r20")       # data, model, recipe, fit, evaluation

What differs from the profile is an override in one visible line; ``str(plan)`` says where each
value came from (the profile, the paper, the data set, or the caller).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import Any

import keras

from cnn_keras import data, profiles, text_table
from cnn_keras.checks import check_float, check_int, suggestion
from cnn_keras.recipes import Recipe, scaled_to_batch
from cnn_keras.registry import HEAD_KEYWORDS, KNOBS, ModelSpec, get_spec

# Keywords a plan sets itself: the model's shape and width have arguments of their own.
_RESERVED_OPTIONS = frozenset((*HEAD_KEYWORDS, *KNOBS))
# ``augment``'s default: the profile's augmentation (None is a choice: no augmentation).
PROFILE_DEFAULT = "profile"


@dataclasses.dataclass(frozen=True)
class RunPlan:
    """One training run, every value decided (:func:`plan_run` makes it).

    Attributes:
        spec: the model's :class:`~cnn_keras.registry.ModelSpec`.
        profile: the :class:`~cnn_keras.profiles.Profile` the defaults came from.
        dataset: the data set's name (or folder).
        input_shape: ``(size, size, channels)`` the model is built for.
        classes: the classifier's outputs (the data set's classes).
        width: the width knobs the builder takes (``width_multiplier``, ``fc_units``).
        options: more builder keywords (``{"activation": "tanh"}``), checked by the builder.
        train_samples: training images used (``None``: all).
        test_samples: test images evaluated on (``None``: all).
        recipe: the paper's recipe as run: the run's batch, its learning rate, its label
            smoothing.
        augment: the training augmentation, a key of :data:`cnn_keras.data.AUGMENTATIONS`.
        epochs: training epochs.
        seed: the seed of the weights, the shuffling and the augmentation.
        sources: where each value came from, for :meth:`rows`.
    """

    spec: ModelSpec
    profile: profiles.Profile
    dataset: str
    input_shape: tuple[int, int, int]
    classes: int
    width: Mapping[str, Any]
    options: Mapping[str, Any]
    train_samples: int | None
    test_samples: int | None
    recipe: Recipe
    augment: str
    epochs: int
    seed: int
    sources: Mapping[str, str] = dataclasses.field(default_factory=dict, compare=False)

    @property
    def model(self) -> str:
        """The model's name."""
        return self.spec.name

    @property
    def image_size(self) -> int:
        return self.input_shape[0]

    @property
    def batch_size(self) -> int:
        return self.recipe.batch_size

    def build_kwargs(self) -> dict[str, Any]:
        """The keywords :meth:`build` passes to the builder."""
        return {
            "input_shape": self.input_shape,
            "classes": self.classes,
            **self.width,
            **self.options,
        }

    def build(self) -> keras.Model:
        """The model, built (not compiled)."""
        return self.spec.build(**self.build_kwargs())

    def load_data(self, **where: Any) -> data.Splits:
        """The data set at the plan's size, batch, subsets, augmentation and seed, normalized;
        ``where``: :func:`cnn_keras.data.load`'s ``data_dir``, ``manual_dir``, ``download``,
        ``backend``."""
        return data.load(
            self.dataset,
            image_size=self.image_size,
            batch_size=self.batch_size,
            train_samples=self.train_samples,
            test_samples=self.test_samples,
            seed=self.seed,
            augment=self.augment,
            normalize=True,
            **where,
        )

    def rows(self) -> list[tuple[str, str, str]]:
        """``(setting, value, from)`` for every setting, in the order a run uses them."""

        def samples(n):
            return "all" if n is None else f"{n:,}"

        values = {
            "model": f"{self.model}, {self.spec.paper}",
            "data set": f"{self.dataset}, {self.classes} classes",
            "input": "x".join(str(n) for n in self.input_shape),
            **{knob: str(value) for knob, value in self.width.items()},
            **{f"option {key}": repr(value) for key, value in self.options.items()},
            "train images": samples(self.train_samples),
            "test images": samples(self.test_samples),
            "augmentation": self.augment,
            "epochs": str(self.epochs),
            "batch": str(self.batch_size),
            "learning rate": f"{self.recipe.learning_rate:.4g}",
            "recipe": f"{self.recipe.optimizer}, {self.recipe.schedule} schedule, weight decay "
            f"{self.recipe.weight_decay:g}, label smoothing {self.recipe.label_smoothing:g}",
            "seed": str(self.seed),
        }
        return [(key, value, self.sources.get(key, "")) for key, value in values.items()]

    def __str__(self) -> str:
        return text_table.format_table(("setting", "value", "from"), self.rows(), align="lll")


def _dataset(name: Any) -> tuple[str, int, int]:
    """``(name, channels, classes)`` of a data set name or folder."""
    if isinstance(name, str) and name in data.DATASET_SHAPES:
        return (name, *data.DATASET_SHAPES[name])
    if isinstance(name, str) and os.path.isdir(os.path.join(name, "train")):
        classes = sum(entry.is_dir() for entry in os.scandir(os.path.join(name, "train")))
        return name, 3, classes
    raise ValueError(
        f"Unknown data set dataset={name!r}; use one of {', '.join(data.DATASETS)}, or a folder "
        "holding train/<class>/<image> and test/<class>/<image>." + suggestion(name, data.DATASETS)
    )


def _samples(name: str, value: Any, default: int | None) -> int | None:
    if value is None:
        return default
    if value == "all":
        return None
    return check_int(name, value, minimum=1, hint="'all' for every image, None: the profile's")


def _input_size(spec: ModelSpec, profile: profiles.Profile, image_size: Any) -> tuple[int, str]:
    """The square input size and where it came from."""
    if image_size is not None:
        size = data.check_image_size(image_size)
        if size < spec.min_input_size:
            raise ValueError(
                f"image_size={image_size!r} is below {spec.name}'s smallest input, "
                f"{spec.min_input_size} pixels; use {spec.min_input_size} or more, or None for "
                f"the profile's ({profile.image_size}, raised to the net's minimum)."
            )
        return size, "given"
    if profile.name == "full":
        return spec.input_size, "the paper's"
    if profile.image_size < spec.min_input_size:
        return (
            spec.min_input_size,
            f"the net's minimum (profile {profile.name}: {profile.image_size})",
        )
    return profile.image_size, f"profile {profile.name}"


def _width(
    spec: ModelSpec, profile: profiles.Profile, given: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The width knobs the builder takes, given or the profile's, and their sources."""
    for knob, value in given.items():
        if value is not None and knob not in spec.knobs:
            raise ValueError(
                f"{knob}={value!r}: {spec.name} has no such width knob; it takes "
                f"{', '.join(spec.knobs)}."
            )
    width, sources = {}, {}
    for knob in spec.knobs:
        if given.get(knob) is not None:
            width[knob], sources[knob] = given[knob], "given"
        else:
            width[knob], sources[knob] = getattr(profile, knob), f"profile {profile.name}"
    return width, sources


def _options(options: Mapping[str, Any] | None) -> dict[str, Any]:
    if options is None:
        return {}
    if not isinstance(options, Mapping) or not all(isinstance(k, str) for k in options):
        raise ValueError(
            f"options must be a dict of builder keywords, such as {{'activation': 'tanh'}}; "
            f"received options={options!r}."
        )
    reserved = sorted(_RESERVED_OPTIONS.intersection(options))
    if reserved:
        raise ValueError(
            f"options={dict(options)!r} sets {', '.join(reserved)}, which the plan decides: pass "
            "image_size=, width_multiplier= or fc_units= to plan_run (the classes come from the "
            "data set)."
        )
    return dict(options)


def _recipe(
    spec: ModelSpec, batch_size: int, learning_rate: Any, label_smoothing: Any
) -> tuple[Recipe, dict[str, str]]:
    """The recipe as run: at the run's batch, the learning rate scaled to it unless given."""
    recipe = scaled_to_batch(spec.recipe, batch_size)
    paper = spec.recipe
    sources = {
        "learning rate": f"{paper.learning_rate:g} at batch {paper.batch_size} ({paper.paper}), "
        f"scaled to batch {batch_size}",
        "recipe": paper.paper,
    }
    if learning_rate is not None:
        rate = check_float("learning_rate", learning_rate, minimum=0, min_inclusive=False)
        recipe, sources["learning rate"] = dataclasses.replace(recipe, learning_rate=rate), "given"
    if label_smoothing is not None:
        smoothing = check_float(
            "label_smoothing", label_smoothing, minimum=0, maximum=1, max_inclusive=False
        )
        recipe = dataclasses.replace(recipe, label_smoothing=smoothing)
        sources["recipe"] = f"{paper.paper}; label smoothing given"
    return recipe, sources


def plan_run(
    model: str | ModelSpec,
    profile: str | profiles.Profile | None = None,
    *,
    dataset: str | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    image_size: int | None = None,
    train_samples: int | str | None = None,
    test_samples: int | str | None = None,
    width_multiplier: float | None = None,
    fc_units: int | None = None,
    learning_rate: float | None = None,
    augment: str | None = PROFILE_DEFAULT,
    label_smoothing: float | None = None,
    options: Mapping[str, Any] | None = None,
    seed: int = 0,
) -> RunPlan:
    """The plan of one training run: ``model`` at ``profile``'s size, with the overrides.

    ``None`` (and ``augment``'s default) means the profile's value; on ``full`` the input is the
    paper's. Nothing is built or loaded.

    Args:
        model: a registered name (``"resnet20_cifar"``) or a
            :class:`~cnn_keras.registry.ModelSpec` (a net made for an experiment).
        profile: a profile name or :class:`~cnn_keras.profiles.Profile` (``None``:
            ``$CNN_KERAS_PROFILE``, else ``cpu``).
        dataset: a name of :data:`cnn_keras.data.DATASETS` or a folder.
        epochs: training epochs.
        batch_size: images per step; the recipe's learning rate is scaled to it.
        image_size: the square input size; at least the net's smallest (a profile's size is
            raised to it; a given one below it is refused).
        train_samples: training images to use, ``"all"`` for every one.
        test_samples: test images to evaluate on, ``"all"`` for every one.
        width_multiplier: the conv width factor (the builder's own bounds apply).
        fc_units: the hidden FC width, for the nets that have hidden FC layers.
        learning_rate: the initial learning rate as run (no scaling applied to it).
        augment: a key of :data:`cnn_keras.data.AUGMENTATIONS`, ``"auto"`` (the paper's for
            this data set and model) or ``None`` (none).
        label_smoothing: the recipe's label smoothing, replaced.
        options: more builder keywords that change the net (``{"activation": "tanh"}``).
        seed: the seed of the weights, the shuffling and the augmentation.

    Raises:
        ValueError: for any bad argument, naming it, what was received and what works: an
            unknown model, profile, data set or augmentation; a count, size or rate out of
            range; a width the builder refuses (``width_multiplier=0.001``); an option the
            builder does not take.
    """
    spec = model if isinstance(model, ModelSpec) else get_spec(model)
    run_profile = (
        profile if isinstance(profile, profiles.Profile) else profiles.get_profile(profile)
    )
    from_profile = f"profile {run_profile.name}"
    dataset, channels, classes = _dataset(run_profile.dataset if dataset is None else dataset)
    size, size_source = _input_size(spec, run_profile, image_size)
    width, sources = _width(
        spec, run_profile, {"width_multiplier": width_multiplier, "fc_units": fc_units}
    )
    options = _options(options)
    batch = run_profile.batch_size if batch_size is None else batch_size
    recipe, recipe_sources = _recipe(spec, batch, learning_rate, label_smoothing)
    if augment == PROFILE_DEFAULT:
        augment, augment_source = run_profile.augment, from_profile
    else:
        augment_source = "given"
    if augment == "auto":
        augment = data.default_augment(dataset, spec.augment)
        augment_source += ", the paper's"
    augment = data.resolve_augment(augment, dataset)
    plan = RunPlan(
        spec=spec,
        profile=run_profile,
        dataset=dataset,
        input_shape=(size, size, channels),
        classes=classes,
        width=width,
        options=options,
        train_samples=_samples("train_samples", train_samples, run_profile.train_samples),
        test_samples=_samples("test_samples", test_samples, run_profile.test_samples),
        recipe=recipe,
        augment=augment,
        epochs=run_profile.epochs if epochs is None else check_int("epochs", epochs, minimum=1),
        seed=check_int("seed", seed, minimum=0),
        sources={
            "model": "",
            "data set": from_profile if dataset == run_profile.dataset else "given",
            "input": size_source,
            **sources,
            **{f"option {key}": "given" for key in options},
            "train images": from_profile if train_samples is None else "given",
            "test images": from_profile if test_samples is None else "given",
            "augmentation": augment_source,
            "epochs": from_profile if epochs is None else "given",
            "batch": from_profile if batch_size is None else "given",
            **recipe_sources,
            "seed": "",
        },
    )
    spec.check_arguments(**plan.build_kwargs())  # the builder's own bounds, nothing built
    return plan
