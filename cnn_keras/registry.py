"""The model registry: every architecture variant under one lower-case name, with all that is
known about it in one :class:`ModelSpec`.

A family module (``cnn_keras/models/vgg.py`` ...) describes what its variants share in a
:class:`Family` (display name, paper, input sizes, training recipe, augmentation, the width
knobs a run may turn) and registers each variant with its Family and the keyword arguments
that select it::

    VGG = Family("VGG", paper=..., input_size=224, min_input_size=32, recipe="vgg",
                 knobs=("width_multiplier", "fc_units"))
    vgg16 = register_model("vgg16", vgg, VGG, config="D", twin="VGG16")

``build_model("vgg16", classes=10)`` then calls
``vgg(config="D", name="vgg16", classes=10, family=VGG)``: the Family named at registration is
the one the builder takes its input sizes from (a builder called directly uses its module's).
``get_spec("vgg16")`` answers what training, data, profiles and the comparison need.

The registry imports no model: ``import cnn_keras`` imports every module of
:mod:`cnn_keras.models`, and each registers its variants, so the table is whole once the
package is imported.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable
from typing import Any

import keras

from cnn_keras.checks import (
    ArgumentsChecked,
    arguments_only,
    check_choice,
    check_keywords,
    check_str,
    suggestion,
)
from cnn_keras.recipes import RECIPES, Recipe

# The keras.applications keywords: a preset may set a default for them (the CIFAR nets'
# classes=10), and a caller may always change it.
HEAD_KEYWORDS = frozenset(
    ("include_top", "input_shape", "pooling", "classes", "classifier_activation", "name")
)
# The keyword by which ModelSpec.build hands a builder its registered Family.
FAMILY_KEYWORD = "family"
# Keywords a family spells its own way: passing one to a builder that takes the other says so.
KEYWORD_ALIASES = {"alpha": "width_multiplier"}


# The augmentations a model can ask for on ImageNet-like data (cnn_keras.data.AUGMENTATIONS):
# AlexNet's random 224 crops of the 256 image with flips, or Inception's random-area crops.
MODEL_AUGMENTATIONS = ("alexnet", "inception")
# The width keywords a run may turn to narrow a net for a CPU (cnn_keras.profiles.Profile).
KNOBS = ("width_multiplier", "fc_units")


@dataclasses.dataclass(frozen=True)
class Family:
    """What the variants of one family (or one branch of it, such as the CIFAR nets) share.

    Attributes:
        name: the display name, for tables and charts (``"ResNet"``); a CIFAR branch keeps
            its family's name and says ``imagenet=False``.
        paper: the source paper, as ``"Authors (venue year)"``.
        input_size: the paper's square input size in pixels (224, 227, 299, 32 ...); the
            builder's default input.
        min_input_size: the smallest square input the network accepts (its builder may ask
            for more with an option, such as an auxiliary head).
        recipe: the key of the paper's training recipe in :data:`cnn_keras.recipes.RECIPES`.
        augment: the paper's augmentation on ImageNet-like data, one of
            :data:`MODEL_AUGMENTATIONS` (small-image data sets always get the CIFAR one).
        imagenet: ``False`` for networks made for another data set (CIFAR).
        knobs: the width keywords of :data:`KNOBS` the builder takes (every builder takes
            ``width_multiplier``; the nets with hidden FC layers also ``fc_units``).
    """

    name: str
    paper: str
    input_size: int
    min_input_size: int
    recipe: str
    augment: str = "alexnet"
    imagenet: bool = True
    knobs: tuple[str, ...] = ("width_multiplier",)

    def __post_init__(self):
        check_choice("recipe", self.recipe, RECIPES)
        check_choice("augment", self.augment, MODEL_AUGMENTATIONS)
        for knob in self.knobs:
            check_choice("knobs", knob, KNOBS)


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """All the package knows about one registered model: its builder and preset, and its
    family's metadata (:class:`Family`).

    Attributes:
        name: the registered name, lower case with the variant spelled out (``vgg16``).
        builder: the family builder the variant is made from.
        preset: the keyword arguments that select this variant from the family builder.
        family: what the variant shares with its family (:class:`Family`; its display name
            is ``family.name``), handed to the builder at every build.
        twin: the name of the equal ``keras.applications`` model (``"VGG16"``), if any.

    ``paper``, ``input_size``, ``min_input_size``, ``imagenet``, ``augment`` and ``knobs`` read
    the :class:`Family`; ``recipe`` is the :class:`~cnn_keras.recipes.Recipe`.
    """

    name: str
    builder: Callable[..., keras.Model]
    preset: dict[str, Any]
    family: Family
    twin: str | None = None

    @property
    def paper(self) -> str:
        return self.family.paper

    @property
    def input_size(self) -> int:
        return self.family.input_size

    @property
    def min_input_size(self) -> int:
        return self.family.min_input_size

    @property
    def imagenet(self) -> bool:
        return self.family.imagenet

    @property
    def augment(self) -> str:
        return self.family.augment

    @property
    def knobs(self) -> tuple[str, ...]:
        return self.family.knobs

    @property
    def recipe(self) -> Recipe:
        """The paper's training recipe."""
        return RECIPES[self.family.recipe]

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """The paper's input shape, channels last."""
        return (self.input_size, self.input_size, 3)

    @property
    def min_input_shape(self) -> tuple[int, int, int]:
        """The smallest input shape the network accepts, channels last."""
        return (self.min_input_size, self.min_input_size, 3)

    def build(self, **kwargs: Any) -> keras.Model:
        """Builds the model; ``kwargs`` override the builder's defaults.

        Raises:
            ValueError: for a keyword the builder does not take (listing those it takes, with
                the closest to a misspelling), or one that changes what the preset selects
                (``vgg16`` with ``config="A"`` is not VGG16: build ``vgg11``, or call the
                family builder). Head keywords (``classes`` ...) may always be changed.
                ``family`` is refused too: the builder gets the registered :class:`Family`.
        """
        if FAMILY_KEYWORD in kwargs:
            raise ValueError(
                f"build_model({self.name!r}) takes its family from the registry "
                f"({self.family.name}); family= is not an argument of a registered model. Call "
                f"{self.builder.__module__}.{self.builder.__name__}(family=...) for a variant "
                "of your own."
            )
        accepted = _keywords(self.builder) - {FAMILY_KEYWORD}
        check_keywords(f"build_model({self.name!r})", kwargs, accepted, aliases=KEYWORD_ALIASES)
        for key, value in kwargs.items():
            if (
                key in self.preset
                and key not in HEAD_KEYWORDS
                and not _same(value, self.preset[key])
            ):
                raise ValueError(self._preset_message(key, value))
        if "name" in kwargs:
            check_str("name", kwargs["name"], hint="the model's name")
        return self.builder(
            **{**self.preset, "name": self.name, **kwargs, FAMILY_KEYWORD: self.family}
        )

    def check_arguments(self, **kwargs: Any) -> None:
        """Checks ``kwargs`` as :meth:`build` would take them, with the builder's own checks
        (its width bounds, its options, the input size it needs), and builds nothing.

        Raises:
            ValueError: as :meth:`build` for the same arguments.
        """
        with arguments_only():
            try:
                self.build(**kwargs)
            except ArgumentsChecked:
                return
        raise RuntimeError(
            f"{self.builder.__name__} built {self.name} without calling layers.image_input: "
            "every builder must build its input there, after checking its arguments."
        )

    def _preset_message(self, key: str, value: Any) -> str:
        twins = [
            spec.name
            for spec in _REGISTRY.values()
            if spec.builder is self.builder and _same(spec.preset.get(key), value)
        ]
        instead = f"build_model({twins[0]!r})" if twins else "another registered model"
        builder = f"{self.builder.__module__}.{self.builder.__name__}"
        return (
            f"{key}={value!r} changes what {self.name!r} is: it is {builder}("
            f"{key}={self.preset[key]!r}). Use {instead}, or call {builder}({key}={value!r}, "
            "...) for a variant of your own, named as you choose."
        )


_REGISTRY: dict[str, ModelSpec] = {}


def _keywords(builder: Callable[..., keras.Model]) -> set[str]:
    """The keyword arguments ``builder`` takes."""
    return {
        key
        for key, parameter in inspect.signature(builder).parameters.items()
        if parameter.kind in (parameter.KEYWORD_ONLY, parameter.POSITIONAL_OR_KEYWORD)
    }


def _same(a: Any, b: Any) -> bool:
    """``a == b`` for preset values (a list equals the tuple it spells)."""
    if isinstance(a, list):
        a = tuple(a)
    if isinstance(b, list):
        b = tuple(b)
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # arrays
        return False


def register_model(
    name: str,
    builder: Callable[..., keras.Model],
    family: Family,
    *,
    twin: str | None = None,
    **preset: Any,
) -> Callable[..., keras.Model]:
    """Registers one variant of a family builder and returns a function that builds it.

    Args:
        name: the public name (lower case, variant spelled out). Must be new.
        builder: the family builder; it must accept ``name``, ``family``,
            ``width_multiplier`` and the keras.applications keywords (``include_top``,
            ``input_shape``, ``pooling``, ``classes``, ``classifier_activation``).
        family: what the variant shares with its family (:class:`Family`): the builder gets
            it as ``family=`` at every build, and takes its input sizes from it.
        twin: the name of the equal model in ``keras.applications``, if there is one.
        **preset: the keyword arguments that select this variant.

    Returns:
        A function ``f(**kwargs)`` equal to ``build_model(name, **kwargs)``.

    Raises:
        ValueError: if ``name`` is already registered, ``family`` is not a :class:`Family`,
            ``builder`` takes no ``family`` keyword, or ``twin`` is not in
            ``keras.applications``.
    """
    if name in _REGISTRY:
        raise ValueError(f"Model name {name!r} is already registered; choose another name.")
    if not isinstance(family, Family):
        raise ValueError(f"family must be a cnn_keras.registry.Family; received {family!r}.")
    if FAMILY_KEYWORD not in _keywords(builder):
        raise ValueError(
            f"{builder.__name__} takes no {FAMILY_KEYWORD}= keyword: a registered builder gets "
            "its Family from the registry."
        )
    if twin is not None and not hasattr(keras.applications, twin):
        raise ValueError(f"twin={twin!r} is not a keras.applications model.")
    spec = ModelSpec(name=name, builder=builder, preset=dict(preset), family=family, twin=twin)
    _REGISTRY[name] = spec

    @functools.wraps(builder)
    def build(**kwargs: Any) -> keras.Model:
        return spec.build(**kwargs)

    build.__name__ = name
    build.__qualname__ = name
    preset_text = ", ".join(f"{k}={v!r}" for k, v in preset.items())
    build.__doc__ = (
        f"Builds ``{name}``: ``{builder.__name__}({preset_text})`` ({family.paper}).\n\n"
        f"Keyword arguments are those of ``{builder.__name__}``."
    )
    return build


def list_models(*, family: str | None = None, imagenet: bool | None = None) -> list[str]:
    """Names of the registered models, sorted.

    Args:
        family: keep only this family, by its display name (``get_spec(name).family.name``).
        imagenet: ``True`` keeps the ImageNet networks, ``False`` the others (CIFAR).
    """
    return sorted(
        name
        for name, spec in _REGISTRY.items()
        if (family is None or spec.family.name == family)
        and (imagenet is None or spec.imagenet == imagenet)
    )


def get_spec(name: str) -> ModelSpec:
    """The :class:`ModelSpec` of a registered model.

    Raises:
        ValueError: if ``name`` is not registered; the message lists the names that are.
    """
    if not isinstance(name, str) or name not in _REGISTRY:
        raise ValueError(
            f"Unknown model name={name!r}.{suggestion(name, _REGISTRY)} Registered models: "
            f"{', '.join(list_models())}."
        )
    return _REGISTRY[name]


def build_model(name: str, /, *, weights: str | None = None, **kwargs: Any) -> keras.Model:
    """Builds a registered model by name.

    Args:
        name: one of :func:`list_models` (positional, so that ``name=`` in ``kwargs`` names
            the model).
        weights: ``None`` (random initialization), ``"imagenet"`` (keras.applications'
            published weights of the twin, for :func:`cnn_keras.pretrained.models_with_weights`)
            or the path of a weights file; see :func:`cnn_keras.pretrained.build_pretrained`.
        **kwargs: passed to the family builder (``input_shape``, ``classes``, ``pooling``,
            ``name``, ...); see :meth:`ModelSpec.build` for what is refused.

    Returns:
        A functional ``keras.Model`` named ``name`` unless ``kwargs`` gives another name.
    """
    if weights is not None:
        return _PRETRAINED_BUILDER[0](name, weights, **kwargs)
    return get_spec(name).build(**kwargs)


# How ``build_model(..., weights=...)`` builds: ``cnn_keras.pretrained`` installs its builder here
# when the package is imported, so that the registry, below it, never imports it.
def _no_pretrained_builder(name: str, weights: Any, **kwargs: Any) -> keras.Model:
    raise RuntimeError("import cnn_keras.pretrained to build a model with weights=")


_PRETRAINED_BUILDER: list[Callable[..., keras.Model]] = [_no_pretrained_builder]


def install_pretrained_builder(builder: Callable[..., keras.Model]) -> None:
    """Makes ``builder(name, weights, **kwargs)`` what :func:`build_model` calls for
    ``weights=`` (:func:`cnn_keras.pretrained.build_pretrained`)."""
    _PRETRAINED_BUILDER[0] = builder
