"""What an experiment is: a frozen record (:class:`Experiment`) of a question, its arms
(:class:`Arm`, variants that differ in one thing), the budget they share, what is compared
(:class:`Comparison`) and how many seeds; and the registry of them by name.

Each arm becomes a :class:`cnn_keras.plan.RunPlan` through ``plan_run``: the arm's model, the
budget's keywords and then the arm's own (``options`` merged key by key), the profile and the
seed (:meth:`Experiment.plan`). The budget is written for the ``cpu`` profile; ``smoke`` trims
it (:data:`SMOKE_CAPS`) and ``full`` replaces it with ``full_budget`` (by default nothing: the
profile's paper sizes).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import inspect
import json
import pkgutil
import re
from collections.abc import Callable, Mapping
from typing import Any

from cnn_keras.checks import check_choice, check_int, check_str, suggestion
from cnn_keras.experiments.comparison import Comparison
from cnn_keras.registry import ModelSpec

# The results' columns; an experiment's measures may not take these names.
BASE_COLUMNS = (
    "experiment",
    "arm",
    "seed",
    "epoch",
    "train_loss",
    "train_accuracy",
    "test_loss",
    "test_accuracy",
    "train_seconds",
    "cpu_seconds",
    "params",
    "macs",
)
# What smoke keeps at most of a budget: a run of seconds that checks the path, learns nothing.
SMOKE_CAPS = {"epochs": 1, "train_samples": 256, "test_samples": 256}
# plan_run's keywords that are not the experiment's to set.
_NOT_OVERRIDES = ("model", "profile", "seed")
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")


def _check_slug(name: str, value: Any) -> str:
    check_str(name, value)
    if not _SLUG.match(value):
        raise ValueError(
            f"{name} must be lower case letters, digits and underscores, starting with a letter "
            f"(it names files and folders); received {name}={value!r}."
        )
    return value


def _model_id(model: str | ModelSpec) -> str:
    if isinstance(model, ModelSpec):
        builder = f"{model.builder.__module__}.{model.builder.__qualname__}"
        preset = ", ".join(f"{k}={v!r}" for k, v in sorted(model.preset.items()))
        return f"{model.name} = {builder}({preset})"
    return model


@dataclasses.dataclass(frozen=True)
class Arm:
    """One variant of an experiment.

    Attributes:
        name: a short slug (``"relu"``, ``"resnet56"``): the arm's folder and its results'
            ``arm`` column.
        model: a registered model name, or a :class:`~cnn_keras.registry.ModelSpec` for a net
            of the experiment's own.
        overrides: ``plan_run`` keywords that make this arm what it is (``{"options":
            {"activation": "tanh"}}``, ``{"augment": "cifar"}``); they win over the budget's,
            and ``options`` are merged key by key.
        label: how plots and tables name the arm (default: ``name``).
    """

    name: str
    model: str | ModelSpec
    overrides: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    label: str = ""

    def __post_init__(self):
        _check_slug("Arm.name", self.name)
        if not isinstance(self.model, str | ModelSpec):
            raise ValueError(
                f"Arm.model must be a registered model name or a ModelSpec; received "
                f"{self.model!r} for arm {self.name!r}."
            )
        _check_overrides(f"arm {self.name!r}'s overrides", self.overrides)
        if not self.label:
            object.__setattr__(self, "label", self.name)


def _check_overrides(where: str, overrides: Mapping[str, Any]) -> None:
    if not isinstance(overrides, Mapping):
        raise ValueError(f"{where} must be a dict of plan_run keywords; received {overrides!r}.")
    from cnn_keras.plan import plan_run

    accepted = set(inspect.signature(plan_run).parameters) - set(_NOT_OVERRIDES)
    for key in overrides:
        if key not in accepted:
            raise ValueError(
                f"{where} has {key!r}, not a plan_run keyword an experiment sets."
                f"{suggestion(key, accepted)} Accepted: {', '.join(sorted(accepted))}."
            )
    if "options" in overrides and not isinstance(overrides["options"], Mapping):
        raise ValueError(f"{where}: options must be a dict; received {overrides['options']!r}.")


def merge(*layers: Mapping[str, Any]) -> dict[str, Any]:
    """The ``plan_run`` keywords of several layers, later ones winning, ``options`` merged."""
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if key == "options":
                merged["options"] = {**merged.get("options", {}), **value}
            else:
                merged[key] = value
    return merged


def differences(a: Arm, b: Arm) -> list[str]:
    """What makes arm ``b`` differ from arm ``a``, one ``"key: a -> b"`` per setting."""
    left, right = (
        merge({"model": _model_id(a.model)}, a.overrides),
        merge({"model": _model_id(b.model)}, b.overrides),
    )
    flat = [
        {
            **{k: v for k, v in side.items() if k != "options"},
            **{f"options.{k}": v for k, v in side.get("options", {}).items()},
        }
        for side in (left, right)
    ]
    return [
        f"{key}: {flat[0].get(key, '(default)')!r} -> {flat[1].get(key, '(default)')!r}"
        for key in sorted(set(flat[0]) | set(flat[1]))
        if flat[0].get(key, "(default)") != flat[1].get(key, "(default)")
    ]


@dataclasses.dataclass(frozen=True)
class Experiment:
    """A lesson's claim put to the test.

    Attributes:
        name: a slug (``"alexnet_relu_tanh"``): the results' file is
            ``data/experiments/<name>.csv``.
        lesson: the notebook's number, ``"01"`` ... ``"11"``.
        question: what the experiment asks, in one sentence.
        claim: what the source says, in one sentence.
        source: where it says it (paper, section, table or figure).
        arms: two or more :class:`Arm`; each compared pair differs in one thing.
        budget: ``plan_run`` keywords every arm shares on the ``cpu`` profile (data subset,
            image size, width, epochs, batch ...); chosen by a pilot run so that every run
            takes at most about 20 s on a quiet 2-core CPU.
        comparisons: the :class:`Comparison` s that test the claim.
        measures: per-run measurements of the trained model, ``{column: f(model, plan) ->
            float}``, written as columns of the results (the share of dead conv1 filters ...).
        seeds: the seeds a full run trains, 0 to ``seeds - 1``: 3, or 5 where the effect is
            small.
        full_budget: the budget on the ``full`` profile (by default none: the paper's sizes).
        notes: why the budget is what it is, and what may make the result differ from the
            paper's.
    """

    name: str
    lesson: str
    question: str
    claim: str
    source: str
    arms: tuple[Arm, ...]
    budget: Mapping[str, Any]
    comparisons: tuple[Comparison, ...]
    measures: Mapping[str, Callable] = dataclasses.field(default_factory=dict)
    seeds: int = 3
    full_budget: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    notes: str = ""

    def __post_init__(self):
        _check_slug("Experiment.name", self.name)
        if not (isinstance(self.lesson, str) and re.fullmatch(r"\d\d", self.lesson)):
            raise ValueError(f"lesson must be two digits ('01'); received {self.lesson!r}.")
        for field in ("question", "claim", "source"):
            check_str(field, getattr(self, field))
        object.__setattr__(self, "arms", tuple(self.arms))
        object.__setattr__(self, "comparisons", tuple(self.comparisons))
        names = [arm.name for arm in self.arms]
        if len(names) < 2 or len(set(names)) != len(names):
            raise ValueError(f"{self.name}: arms need two or more distinct names; got {names}.")
        _check_overrides(f"{self.name}'s budget", self.budget)
        _check_overrides(f"{self.name}'s full_budget", self.full_budget)
        if not self.comparisons:
            raise ValueError(f"{self.name}: give at least one Comparison.")
        for comparison in self.comparisons:
            for arm in (comparison.arm, comparison.baseline):
                check_choice(f"{self.name}: a comparison's arm", arm, names)
            if not differences(self.arm(comparison.baseline), self.arm(comparison.arm)):
                raise ValueError(
                    f"{self.name}: arms {comparison.arm!r} and {comparison.baseline!r} are the "
                    "same run; a compared pair must differ in one thing."
                )
        for column in self.measures:
            _check_slug("a measure's name", column)
            if column in BASE_COLUMNS:
                raise ValueError(f"{self.name}: measure {column!r} would hide a results column.")
        check_int("seeds", self.seeds, minimum=1, hint="3, or 5 where the effect is small")

    def arm(self, name: str) -> Arm:
        """The arm called ``name``."""
        check_choice("arm", name, [arm.name for arm in self.arms])
        return next(arm for arm in self.arms if arm.name == name)

    def budget_for(self, profile: str) -> dict[str, Any]:
        """The budget on ``profile``: ``full_budget`` on ``full``; on ``smoke`` the budget
        capped at :data:`SMOKE_CAPS`; else the budget."""
        if profile == "full":
            return dict(self.full_budget)
        if profile == "smoke":
            return {
                **self.budget,
                **{k: min(self.budget.get(k) or cap, cap) for k, cap in SMOKE_CAPS.items()},
            }
        return dict(self.budget)

    def overrides(self, arm: str, profile: str) -> dict[str, Any]:
        """The ``plan_run`` keywords of ``arm`` on ``profile``: budget, then the arm's."""
        return merge(self.budget_for(profile), self.arm(arm).overrides)

    def plan(self, arm: str, profile: str | None = None, seed: int = 0):
        """The :class:`~cnn_keras.plan.RunPlan` of one arm and seed (pure: nothing loads):
        what the runner trains, and what a notebook trains live."""
        from cnn_keras.plan import plan_run

        profile = _profile_name(profile)
        return plan_run(self.arm(arm).model, profile, seed=seed, **self.overrides(arm, profile))

    def fingerprint(self, profile: str = "cpu") -> str:
        """A short hash of what the results depend on: the arms, the budget on ``profile``,
        the measures' names and every arm's resolved plan (data set, sizes, recipe ...). A
        results file whose header has another fingerprint is stale."""
        profile = _profile_name(profile)
        definition = {
            "name": self.name,
            "arms": [
                {"name": a.name, "model": _model_id(a.model), "overrides": a.overrides}
                for a in self.arms
            ],
            "budget": self.budget_for(profile),
            "measures": sorted(self.measures),
            "plans": [_plan_facts(self.plan(arm.name, profile)) for arm in self.arms],
        }
        text = json.dumps(_plain(definition), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def describe(self) -> str:
        """The experiment in a few lines: question, claim and source, arms, budget, seeds,
        comparisons, notes."""
        first = self.arms[0]
        lines = [
            f"{self.name} (lesson {self.lesson}): {self.question}",
            f"claim: {self.claim} ({self.source})",
            f"arm {first.name}: {_model_id(first.model)} {dict(first.overrides) or ''}".rstrip(),
        ]
        lines += [f"arm {a.name}: {'; '.join(differences(first, a))}" for a in self.arms[1:]]
        budget = ", ".join(f"{k}={v!r}" for k, v in self.budget.items())
        lines += [f"budget (cpu): {budget}; {self.seeds} seeds"]
        lines += [f"compares: {c.describe()}" for c in self.comparisons]
        if self.notes:
            lines += [f"notes: {self.notes}"]
        return "\n".join(lines)


def _profile_name(profile: str | None) -> str:
    from cnn_keras.profiles import get_profile

    return get_profile(profile).name


def _plan_facts(plan) -> dict[str, Any]:
    """What of a resolved plan decides the result (not its seed)."""
    keys = (
        "dataset input_shape classes width options train_samples test_samples batch_size "
        "recipe augment epochs"
    ).split()
    return {
        "model": _model_id(getattr(plan, "spec", None) or plan.model),
        **{k: getattr(plan, k, None) for k in keys},
    }


def _plain(value: Any) -> Any:
    """``value`` in JSON's types, for a stable fingerprint."""
    if isinstance(value, ModelSpec):
        return _model_id(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(dataclasses.asdict(value))
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float | int | str | bool) or value is None:
        return value
    return repr(value)


_EXPERIMENTS: dict[str, Experiment] = {}


def register(experiment: Experiment) -> Experiment:
    """Adds ``experiment`` to the registry (its lesson module calls this) and returns it.

    Raises:
        ValueError: if its name is taken.
    """
    if experiment.name in _EXPERIMENTS:
        raise ValueError(f"Experiment name {experiment.name!r} is already registered.")
    _EXPERIMENTS[experiment.name] = experiment
    return experiment


def _import_lessons() -> None:
    """Imports every ``lesson*`` module of this package: each registers its experiments."""
    from cnn_keras import experiments

    for module in pkgutil.iter_modules(experiments.__path__):
        if module.name.startswith("lesson"):
            importlib.import_module(f"{experiments.__name__}.{module.name}")


def list_experiments(lesson: str | None = None) -> list[str]:
    """The registered experiments' names, by lesson then name (one lesson's with ``lesson``)."""
    _import_lessons()
    chosen = [e for e in _EXPERIMENTS.values() if lesson is None or e.lesson == lesson]
    return [e.name for e in sorted(chosen, key=lambda e: (e.lesson, e.name))]


def get_experiment(name: str | Experiment) -> Experiment:
    """The registered experiment ``name`` (an :class:`Experiment` passes through).

    Raises:
        ValueError: for an unknown name, listing the registered ones.
    """
    if isinstance(name, Experiment):
        return name
    _import_lessons()
    if not isinstance(name, str) or name not in _EXPERIMENTS:
        raise ValueError(
            f"Unknown experiment name={name!r}.{suggestion(name, _EXPERIMENTS)} Registered: "
            f"{', '.join(list_experiments())}."
        )
    return _EXPERIMENTS[name]
