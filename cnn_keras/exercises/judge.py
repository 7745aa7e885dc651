"""How an answer is judged and how it could be printed: the checker's machinery, apart from the
registry in ``exercises/__init__.py``.

A count (an int) must be exact; a float is right within the exercise's stated relative
tolerance; a choice (a string) ignores case and surrounding spaces; a tuple is judged element by
element, and the message names the elements that are wrong. A wrong answer that equals one of
the exercise's declared mistakes (computed by the package, like the answer) is named.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence

from cnn_keras.analysis import human

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")


def describe(value) -> str:
    """``str '1e9'``: the type's name and the value, for a message about a wrong type."""
    return f"{type(value).__name__} {value!r}"


def _as_number(answer) -> float | None:
    """``answer`` as a finite float if it is a real number (NumPy scalars included), else None."""
    if isinstance(answer, bool) or isinstance(answer, str):
        return None
    if not isinstance(answer, numbers.Real) and not hasattr(answer, "__float__"):
        return None
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def type_problem(answer, expected) -> str | None:
    """What is wrong with the answer's type, or None when it can be compared with ``expected``."""
    if isinstance(expected, str):
        return None if isinstance(answer, str) else f"give a str (a letter), got {describe(answer)}"
    value = _as_number(answer)
    if isinstance(expected, int):
        if value is None or value != int(value):
            return f"give an int (a whole count), got {describe(answer)}"
        return None
    if value is None:
        return f"give a number (int or float), got {describe(answer)}"
    return None


def same(answer, expected, rel_tol: float) -> bool:
    """Whether one value (not a tuple) is right: ints exactly, floats within ``rel_tol``,
    strings without regard to case or surrounding spaces."""
    if type_problem(answer, expected) is not None:
        return False
    if isinstance(expected, str):
        return answer.strip().lower() == expected.strip().lower()
    value = _as_number(answer)
    if isinstance(expected, int):
        return int(value) == expected
    return math.isclose(value, expected, rel_tol=rel_tol, abs_tol=1e-12)


def direction(answer, expected) -> str:
    """``too high`` or ``too low``, ``a little`` within 25 %, else ``far``: no more than that."""
    value = _as_number(answer)
    if value is None or isinstance(expected, str):
        return "wrong"
    size = "a little " if expected and 0.8 < value / expected < 1.25 else "far "
    return f"{size}too {'high' if value > expected else 'low'}"


def _named_mistake(answer, mistakes: Mapping[str, object], rel_tol: float) -> str | None:
    for description, value in mistakes.items():
        if value is not None and value != "" and same(answer, value, rel_tol):
            return description
    return None


def judge(
    answer,
    expected,
    *,
    rel_tol: float,
    parts: Sequence[str] | None = None,
    mistakes: Mapping[str, Callable[[], object]] | None = None,
) -> tuple[bool, str]:
    """``(right, message)`` for ``answer`` against ``expected``; the message never shows the
    expected value.

    Args:
        answer: the reader's answer.
        expected: the computed answer: an int, a float, a str, or a tuple of those.
        rel_tol: the relative tolerance of float values (ints are always exact).
        parts: the names of a tuple's elements, in order (``("parameters", "MACs")``).
        mistakes: description -> function computing a common wrong answer; for a tuple, the
            function returns a tuple with ``None`` where the mistake does not apply.
    """
    computed = {text: make() for text, make in (mistakes or {}).items()}
    if not isinstance(expected, tuple):
        problem = type_problem(answer, expected)
        if problem:
            return False, f"not yet: {problem}."
        if same(answer, expected, rel_tol):
            return True, "right."
        named = _named_mistake(answer, computed, rel_tol)
        if named:
            return False, f"not yet: this is {named}."
        if isinstance(expected, str):
            return False, "not yet."
        return False, f"not yet. It is {direction(answer, expected)}."
    names = parts or tuple(f"value {i + 1}" for i in range(len(expected)))
    if not isinstance(answer, (tuple, list)) or len(answer) != len(expected):
        got = f"{len(answer)} values" if isinstance(answer, (tuple, list)) else describe(answer)
        return False, f"not yet: give {len(expected)} values ({', '.join(names)}), got {got}."
    wrong = []
    for index, (given, wanted) in enumerate(zip(answer, expected, strict=True)):
        label = f"the {ORDINALS[index]} value ({names[index]})"
        problem = type_problem(given, wanted)
        if problem:
            wrong.append(f"{label}: {problem}")
            continue
        if same(given, wanted, rel_tol):
            continue
        element = {text: value[index] for text, value in computed.items()}
        named = _named_mistake(given, element, rel_tol)
        wrong.append(f"{label} is {named}" if named else f"{label} is {direction(given, wanted)}")
    if not wrong:
        return True, "right."
    return False, "not yet: " + "; ".join(wrong) + "."


def _number_renderings(value) -> set[str]:
    """The ways a notebook could print one number."""
    if isinstance(value, int):
        grouped = f"{value:,}"
        found = {str(value), grouped, f"{value:_}"}
        found |= {grouped.replace(",", space) for space in (" ", "\u202f", "\u2009")}
    else:
        shown = {f"{value:.{digits}f}" for digits in range(4)}
        shown |= {f"{value:.{digits}g}" for digits in range(2, 6)}
        # A rounding more than 1 % off ("5" for 4.59) is not a rendering of the answer.
        found = {text for text in shown if math.isclose(float(text), value, rel_tol=0.01)}
        if 0 < abs(value) < 1:
            percents = {f"{100 * value:.{d}f}" for d in range(3)}
            percents = {p for p in percents if math.isclose(float(p), 100 * value, rel_tol=0.01)}
            found |= {f"{p}{sign}" for p in percents for sign in ("%", " %", "")}
    if abs(value) >= 1000:
        printed = human(value)
        found |= {printed, printed.replace(" ", "")}
        factor, prefix = next(
            (f, p) for f, p in ((1e9, "G"), (1e6, "M"), (1e3, "K")) if abs(value) >= f
        )
        found |= {f"{value / factor:.{d}f}{s}{prefix}" for d in range(3) for s in ("", " ")}
    return found


def renderings(expected) -> tuple[str, ...]:
    """Every way a notebook could print ``expected`` (a number, or each number of a tuple):
    digits with and without thousands separators, roundings to 0-3 decimals and 2-5 significant
    digits, ``analysis.human``'s units (``36.9 K``, ``138.4 M``, ``1.2 G``) with and without the
    space, and a fraction below 1 as a percentage. Strings (choices) render as nothing: their
    letters are not answers a lesson could print."""
    values = expected if isinstance(expected, tuple) else (expected,)
    found: set[str] = set()
    for value in values:
        if not isinstance(value, str):
            found |= _number_renderings(value)
    return tuple(sorted(found, key=lambda text: (-len(text), text)))
