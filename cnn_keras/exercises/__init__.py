"""Exercises at the end of each notebook, with answers a student can check without seeing them.

Each notebook's exercises live in a module of this package named after it (``nb03`` for
``03_vgg.ipynb``). Every answer is computed by the package, never typed in. Four kinds:

- **answer** (:func:`exercise`): a number, a tuple of numbers, or a word. ``check(key,
  answer)`` says right, or which value is wrong and whether it is too high or too low, or which
  common mistake it matches (:func:`mistake`: "this is the count without the biases"). Counts
  (ints) are exact; floats are right within the tolerance each exercise states.
- **implement it** (:func:`block_exercise`): ``check_block(key, my_block)`` builds the reader's
  block, a function of a Keras tensor, and compares it with the package's (output shape,
  parameters, then outputs with the same weights; see ``exercises.blocks``).
- **predict, then measure** (:func:`prediction`): ``predict(key, "b")`` says right or not and
  explains either way; the notebook then runs the cheap measurement the question names.
- **explain** (:func:`explanation`): ``explain(key)`` shows a short model answer, after the
  reader has written their own. Answer exercises with a "Why?" part have one too.

``question(key)`` gives the text of an exercise defined here (for a notebook's markdown);
``answer_renderings(key)`` every way its answer could be printed (for a test that no lesson
prints an answer before its exercise); ``solution(key)`` the computed answer, for teachers.

>>> from cnn_keras import exercises
>>> exercises.check("00.2", 36864)  # doctest: +SKIP
00.2 (parameters of VGG's conv1_2): not yet: this is the count without the biases.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import Callable

from cnn_keras.exercises import blocks, judge

Answer = int | float | str | tuple
KINDS = ("answer", "block", "predict", "explain")
_CALLS = {
    "answer": "exercises.check({key!r}, your_answer)",
    "block": "exercises.check_block({key!r}, your_block_function)",
    "predict": "exercises.predict({key!r}, 'a')",
    "explain": "exercises.explain({key!r})",
}


@dataclasses.dataclass(frozen=True)
class Exercise:
    """One exercise: its key (``"03.1"``: notebook 03, exercise 1), a short title for messages,
    its kind (one of :data:`KINDS`) and what that kind needs.

    Attributes:
        solve: computes the answer (answer and predict kinds) or builds the package's block
            from a Keras tensor (block kind); ``None`` for explain.
        rel_tol: relative tolerance of float answers (ints are exact).
        parts: names of a tuple answer's values, in order.
        question: the exercise's text, for those written here (new kinds).
        choices: letter -> option, for a prediction.
        model_answer: the short answer :func:`explain` shows.
        input_shape: the fixed input of a block exercise (without the batch).
        input_scale: the standard deviation of the block exercise's random test input.
        mistakes: description -> function computing a common wrong answer.
    """

    key: str
    title: str
    kind: str = "answer"
    solve: Callable | None = None
    rel_tol: float | None = None
    parts: tuple[str, ...] | None = None
    question: str = ""
    choices: dict[str, str] | None = None
    model_answer: str = ""
    input_shape: tuple[int, ...] | None = None
    input_scale: float = 1.0
    mistakes: dict[str, Callable[[], Answer]] = dataclasses.field(default_factory=dict)


_EXERCISES: dict[str, Exercise] = {}


def _register(entry: Exercise) -> None:
    notebook, _, number = entry.key.partition(".")
    if not (len(notebook) == 2 and notebook.isdigit() and number.isdigit()):
        raise ValueError(
            f"key must look like '03.1' (notebook.number); received key={entry.key!r}."
        )
    if entry.rel_tol is not None and not (0 <= entry.rel_tol < 1):
        raise ValueError(f"rel_tol must be in [0, 1); received rel_tol={entry.rel_tol!r}.")
    if entry.key in _EXERCISES:
        raise ValueError(f"exercise {entry.key!r} is registered twice.")
    _EXERCISES[entry.key] = entry


def _text(function: Callable) -> str:
    return inspect.cleandoc(function.__doc__ or "")


def exercise(
    key: str,
    title: str,
    *,
    rel_tol: float | None = None,
    parts: tuple[str, ...] | None = None,
    why: str = "",
):
    """Registers the decorated function as answer exercise ``key``; its return value is the
    answer (a number, a word, or a tuple of those), cached after the first call.

    Args:
        key: ``"NN.k"``: the notebook's two-digit number and the exercise's number in it.
        title: a few words naming what is asked, shown in :func:`check`'s messages.
        rel_tol: relative tolerance of float answers, stated for each exercise that has one
            (rounding by hand: 0.005 to 0.01). Ints are always exact.
        parts: names of a tuple answer's values (``("parameters", "MACs")``).
        why: the model answer of the exercise's "Why?" part, shown by :func:`explain`.
    """

    def register(solve: Callable[[], Answer]) -> Callable[[], Answer]:
        _register(
            Exercise(key, title, "answer", functools.cache(solve), rel_tol, parts, model_answer=why)
        )
        return solve

    return register


def mistake(key: str, description: str):
    """Registers the decorated function as a common mistake of exercise ``key`` (registered
    before it): it computes the wrong answer, and :func:`check` says ``"this is
    {description}"`` when the reader's answer equals it. For a tuple answer it returns a tuple
    with ``None`` where the mistake does not apply.
    """

    def register(compute: Callable[[], Answer]) -> Callable[[], Answer]:
        get(key).mistakes[description] = functools.cache(compute)
        return compute

    return register


def block_exercise(key: str, title: str, *, input_shape: tuple[int, ...], input_scale: float = 1.0):
    """Registers the decorated function, the package's block as a function of a Keras tensor,
    as implement-it exercise ``key``; its docstring is the question. The blocks are compared on
    inputs of ``input_shape`` drawn with standard deviation ``input_scale``."""

    def register(reference: Callable) -> Callable:
        entry = Exercise(key, title, "block", reference, question=_text(reference))
        _register(
            dataclasses.replace(entry, input_shape=tuple(input_shape), input_scale=input_scale)
        )
        return reference

    return register


def prediction(key: str, title: str, *, choices: dict[str, str], why: str):
    """Registers the decorated function as predict-then-measure exercise ``key``: it measures
    and returns the right letter of ``choices``; its docstring is the question; ``why``
    explains the outcome, shown whatever the reader predicted."""

    def register(measure: Callable[[], str]) -> Callable[[], str]:
        entry = Exercise(key, title, "predict", functools.cache(measure), question=_text(measure))
        _register(dataclasses.replace(entry, choices=dict(choices), model_answer=why))
        return measure

    return register


def explanation(key: str, title: str, *, question: str, answer: str) -> None:
    """Registers explain exercise ``key``: a short question and its model answer."""
    _register(
        Exercise(key, title, "explain", question=inspect.cleandoc(question), model_answer=answer)
    )


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


def _of_kind(key: str, *kinds: str) -> Exercise:
    entry = get(key)
    if entry.kind not in kinds:
        raise ValueError(
            f"exercise {key} is of kind {entry.kind!r}, not {' or '.join(map(repr, kinds))}; "
            f"received key={key!r}. Call {_CALLS[entry.kind].format(key=key)}."
        )
    return entry


def solution(key: str) -> Answer | Callable:
    """The computed answer of exercise ``key`` (for teachers and the solutions notebooks): the
    value, the right letter, the package's block function, or the model answer."""
    entry = get(key)
    if entry.kind == "explain":
        return entry.model_answer
    return entry.solve if entry.kind == "block" else entry.solve()


def question(key: str) -> str:
    """The text of exercise ``key`` where the package holds it (block, predict and explain
    exercises; a prediction's choices included), else its title."""
    entry = get(key)
    text = entry.question or entry.title
    if entry.choices:
        text += "\n\n" + "\n".join(f"({k}) {v}" for k, v in entry.choices.items())
    return text


def _wrapped(text: str) -> str:
    return textwrap.fill(text, width=96)


def _verdict(key: str, answer) -> tuple[bool, str]:
    entry = _of_kind(key, "answer", "block", "predict")
    if entry.kind == "block":
        if not callable(answer):
            got = judge.describe(answer)
            return False, f"not yet: give a function of a Keras tensor, got {got}."
        return blocks.compare(answer, entry.solve, entry.input_shape, entry.input_scale)
    if entry.kind == "predict":
        if not isinstance(answer, str) or answer.strip().lower() not in entry.choices:
            letters = ", ".join(repr(k) for k in entry.choices)
            return False, f"not yet: give one of {letters}, got {judge.describe(answer)}."
        if answer.strip().lower() == entry.solve():
            return True, "right."
        return False, "not yet: the measurement says otherwise."
    expected = entry.solve()
    values = expected if isinstance(expected, tuple) else (expected,)
    if entry.rel_tol is None and any(isinstance(v, float) for v in values):
        raise ValueError(f"exercise {key} has a float answer and must state its rel_tol.")
    return judge.judge(
        answer, expected, rel_tol=entry.rel_tol or 0.0, parts=entry.parts, mistakes=entry.mistakes
    )


def is_right(key: str, answer) -> bool:
    """Whether ``answer`` is right for exercise ``key`` (silently: :func:`check` says it): a
    value for an answer exercise, a letter for a prediction, a function for a block."""
    return answer is not None and _verdict(key, answer)[0]


def check(key: str, answer: Answer | None) -> None:
    """Prints whether ``answer`` is right for answer exercise ``key``, without showing the
    answer: "right.", or what is wrong: the type expected, which value of a tuple, too high or
    too low, or the common mistake it matches. ``None`` (the notebooks' placeholder) reminds
    what to do. Returns nothing, so that a cell shows the sentence alone."""
    entry = _of_kind(key, "answer")
    if answer is None:
        print(f"{key} ({entry.title}): replace None with your answer.")
        return
    print(f"{key} ({entry.title}): {_verdict(key, answer)[1]}")


def check_block(key: str, block: Callable | None) -> None:
    """Prints whether ``block`` (a function taking a Keras tensor and returning one) builds
    the same block as the package's for exercise ``key``, or the first difference: the output
    shape, the parameter count (by how many, and which weighted layers differ), or the outputs
    with the package's weights copied in."""
    entry = _of_kind(key, "block")
    if block is None:
        print(f"{key} ({entry.title}): replace None with your block function.")
        return
    print(f"{key} ({entry.title}): {_verdict(key, block)[1]}")


def predict(key: str, choice: str | None) -> None:
    """Prints whether ``choice`` (a letter) is the outcome the package measures for
    prediction ``key``, and why, right or not; ``None`` prints the question and choices."""
    entry = _of_kind(key, "predict")
    if choice is None:
        print(f"{key}: {question(key)}\n\nReplace None with your letter.")
        return
    print(f"{key} ({entry.title}): {_verdict(key, choice)[1]}\n{_wrapped(entry.model_answer)}")


def explain(key: str) -> None:
    """Prints the model answer of explain exercise ``key`` (or of an answer exercise's "Why?"
    part): read it after writing your own."""
    entry = get(key)
    if not entry.model_answer or entry.kind == "predict":
        raise ValueError(
            f"exercise {key} has no model answer to explain; received key={key!r}. "
            f"Call {_CALLS[entry.kind].format(key=key)}."
        )
    print(f"{key} ({entry.title}), a model answer:\n{_wrapped(entry.model_answer)}")


def answer_renderings(key: str) -> tuple[str, ...]:
    """Every way exercise ``key``'s answer could be printed in a notebook, longest first:
    digits with and without thousands separators (``36928``, ``36,928``, ``36 928``),
    roundings to 0-3 decimals and 2-5 significant digits, ``analysis.human``'s units
    (``36.9 K``, ``3.2 M``, ``1.2 G``, with and without the space), fractions below 1 as
    percentages (``23.5 %``). Empty for blocks, predictions and explanations. A test matching
    them in a lesson should match whole numbers (no digit just before or after) and may skip
    the short ones (a 2-digit answer matches everywhere)."""
    entry = get(key)
    return judge.renderings(entry.solve()) if entry.kind == "answer" else ()
