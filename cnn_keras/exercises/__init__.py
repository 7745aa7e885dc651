"""Exercises at the end of each notebook, with answers a student can check without seeing them.

Each notebook's exercises live in a module of this package named after it (``nb03`` for
``03_vgg.ipynb``). An exercise is a function, registered with :func:`exercise`, that computes its
answer with the package's own tools, so an answer is never typed in. A student calls
:func:`check` with their own value and is told right, or how far off and in which direction; the
computed answer stays hidden. A teacher calls :func:`solution` (the solutions notebooks under
``notebooks/solutions`` do, with the worked steps); tests use :func:`is_right`.

>>> from cnn_keras import exercises
>>> exercises.check("03.1", 2e9)  # doctest: +SKIP
03.1 (MACs of VGG16's conv3_2 at 224x224): not yet. It is a little too high.
"""

from __future__ import annotations

import functools
import importlib
import math
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

Answer = int | float | str | tuple


@dataclass(frozen=True)
class Exercise:
    """One exercise: its key (``"03.1"``: notebook 03, exercise 1), a short title for messages,
    the function that computes its answer, and the relative tolerance a numeric answer gets."""

    key: str
    title: str
    solve: Callable[[], Answer]
    rel_tol: float = 0.005


_EXERCISES: dict[str, Exercise] = {}


def exercise(key: str, title: str, *, rel_tol: float = 0.005):
    """Registers the decorated function as exercise ``key``; its return value is the answer
    (a number, a short string for a choice, or a tuple of those), cached after the first call.

    Args:
        key: ``"NN.k"``: the notebook's two-digit number and the exercise's number in it.
        title: a few words naming what is asked, shown in :func:`check`'s messages.
        rel_tol: relative tolerance for numeric answers (0.5 % by default: rounding by hand).
    """
    notebook, _, number = key.partition(".")
    if not (len(notebook) == 2 and notebook.isdigit() and number.isdigit()):
        raise ValueError(f"key must look like '03.1' (notebook.number); received key={key!r}.")
    if not (0 <= rel_tol < 1):
        raise ValueError(f"rel_tol must be in [0, 1); received rel_tol={rel_tol!r}.")

    def register(solve: Callable[[], Answer]) -> Callable[[], Answer]:
        if key in _EXERCISES:
            raise ValueError(f"exercise {key!r} is registered twice.")
        _EXERCISES[key] = Exercise(key, title, functools.cache(solve), rel_tol)
        return solve

    return register


def _load_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("nb"):
            importlib.import_module(f"{__name__}.{module.name}")


def exercises_for(notebook: str | None = None) -> list[Exercise]:
    """The registered exercises, of one notebook (``"03"``) or all, in order."""
    _load_all()
    found = [e for e in _EXERCISES.values() if notebook is None or e.key.startswith(f"{notebook}.")]
    return sorted(found, key=lambda e: (e.key.split(".")[0], int(e.key.split(".")[1])))


def get(key: str) -> Exercise:
    """The exercise registered under ``key``.

    Raises:
        ValueError: for an unknown key, listing the notebook's keys.
    """
    _load_all()
    if key not in _EXERCISES:
        notebook = str(key).partition(".")[0]
        known = [e.key for e in exercises_for(notebook)] or sorted(_EXERCISES)
        raise ValueError(f"Unknown exercise key={key!r}; known: {', '.join(known)}.")
    return _EXERCISES[key]


def solution(key: str) -> Answer:
    """The computed answer of exercise ``key`` (for teachers and the solutions notebooks)."""
    return get(key).solve()


def _same(answer, expected, rel_tol: float) -> bool:
    if isinstance(expected, tuple):
        return (
            isinstance(answer, (tuple, list))
            and len(answer) == len(expected)
            and all(_same(a, e, rel_tol) for a, e in zip(answer, expected, strict=True))
        )
    if isinstance(expected, str):
        return isinstance(answer, str) and answer.strip().lower() == expected.strip().lower()
    if (
        isinstance(answer, bool)
        or not isinstance(answer, (int, float))
        and not hasattr(answer, "__float__")
    ):
        return False
    answer = float(answer)
    return math.isfinite(answer) and math.isclose(answer, expected, rel_tol=rel_tol, abs_tol=1e-12)


def _direction(answer, expected) -> str:
    """A hint that gives away no more than high or low, and roughly by how much."""
    if isinstance(expected, (int, float)) and isinstance(answer, (int, float)) and expected:
        ratio = float(answer) / expected
        if ratio > 0:
            size = "a little" if 0.8 < ratio < 1.25 else "far"
            return f" It is {size} too {'high' if ratio > 1 else 'low'}."
    if isinstance(expected, tuple):
        return f" Give {len(expected)} values, in the order asked."
    return ""


def is_right(key: str, answer: Answer | None) -> bool:
    """Whether ``answer`` is right for exercise ``key`` (silently: :func:`check` says it).

    Numbers count as right within the exercise's relative tolerance; choices (strings) ignore
    case and surrounding spaces; tuples are compared element by element.
    """
    entry = get(key)
    return answer is not None and _same(answer, entry.solve(), entry.rel_tol)


def check(key: str, answer: Answer | None) -> None:
    """Prints whether ``answer`` is right for exercise ``key``, without showing the answer:
    "right.", or "not yet." with whether it is too high or too low. ``None`` (the placeholder
    in the notebooks) just reminds what to do. Returns nothing, so that a notebook cell shows
    the sentence alone."""
    entry = get(key)
    if answer is None:
        print(f"{key} ({entry.title}): replace None with your answer.")
    elif is_right(key, answer):
        print(f"{key} ({entry.title}): right.")
    else:
        print(f"{key} ({entry.title}): not yet.{_direction(answer, entry.solve())}")
