"""The one place arguments are checked: every public function checks its arguments up front with
these, so a bad value fails at once with a ``ValueError`` that names the argument, the value
received and what works, instead of deep inside Keras, TensorFlow or NumPy.

Every check returns the value in the plain Python type the code goes on with: NumPy integers
(``np.int64(10)``, as ``len``-like code and data frames hand out) pass as ints, but ``True`` is
not an int and ``2.0`` is not an int here, and nan and inf are never numbers in range.

The bounds on what a machine can take live here too (:data:`MAX_IMAGE_SIZE`,
:data:`MAX_WIDTH_MULTIPLIER`), so the data loaders and the builders refuse the same sizes.
"""

from __future__ import annotations

import contextlib
import contextvars
import difflib
import math
import numbers
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any

import numpy as np

# The largest square image side the data loaders and the builders accept. The networks here
# take 32 to 299 pixels; data.load(image_size=4096) aborted the process inside XLA.
MAX_IMAGE_SIZE = 1024
# The widest a builder's width_multiplier (MobileNet's alpha) may scale the paper's net: a
# WRN-28-10 is ten times a ResNet's width; VGG16 at 16 times would hold 3.8 G parameters.
MAX_WIDTH_MULTIPLIER = 16.0
# The widest hidden fully connected layer (fc_units): 16 times AlexNet's and VGG's 4096.
MAX_UNITS = 65536


# Set while a builder runs only to check its arguments (:func:`arguments_only`).
_ARGUMENTS_ONLY = contextvars.ContextVar("cnn_keras_arguments_only", default=False)


class ArgumentsChecked(Exception):
    """Raised by :func:`stop_if_checking_arguments` inside :func:`arguments_only`: the builder
    has checked all of its arguments (every builder checks them before its input) and nothing
    was built."""


@contextlib.contextmanager
def arguments_only() -> Iterator[None]:
    """Within this block a builder stops at its input (``layers.image_input`` calls
    :func:`stop_if_checking_arguments`), after its argument checks, by raising
    :class:`ArgumentsChecked`: how a run plan refuses a bad width or option with the builder's
    own bounds before any data loads, without building a layer
    (:meth:`cnn_keras.registry.ModelSpec.check_arguments`)."""
    token = _ARGUMENTS_ONLY.set(True)
    try:
        yield
    finally:
        _ARGUMENTS_ONLY.reset(token)


def stop_if_checking_arguments(model_name: str) -> None:
    """Raises :class:`ArgumentsChecked` inside :func:`arguments_only`; does nothing outside."""
    if _ARGUMENTS_ONLY.get():
        raise ArgumentsChecked(model_name)


def is_int(value: Any) -> bool:
    """Whether ``value`` is a Python or NumPy integer, and not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _hint(hint: str) -> str:
    return f" ({hint})" if hint else ""


def _sentence(hint: str) -> str:
    return f" {hint[0].upper()}{hint[1:]}." if hint else ""


def _int_range(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f"an int in [{minimum}, {maximum}]"
    if minimum is not None:
        return f"an int >= {minimum}"
    if maximum is not None:
        return f"an int <= {maximum}"
    return "an int"


def check_int(
    name: str,
    value: Any,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    hint: str = "",
) -> int:
    """``value`` as a Python int, if it is a Python or NumPy integer in ``[minimum, maximum]``.

    Args:
        name: the argument's name, for the message.
        value: what was received.
        minimum: the smallest value that works (``None``: no bound).
        maximum: the largest value that works (``None``: no bound).
        hint: what the value means or what the paper uses, put in the message.

    Raises:
        ValueError: for a bool, a float, another type, or a value out of range.
    """
    if (
        not is_int(value)
        or (minimum is not None and value < minimum)
        or (maximum is not None and value > maximum)
    ):
        raise ValueError(
            f"{name} must be {_int_range(minimum, maximum)}{_hint(hint)}; "
            f"received {name}={value!r}."
        )
    return int(value)


def _float_range(
    minimum: float | None, maximum: float | None, min_inclusive: bool, max_inclusive: bool
) -> str:
    if minimum is not None and maximum is not None:
        return (
            f"a number in {'[' if min_inclusive else '('}{minimum:g}, "
            f"{maximum:g}{']' if max_inclusive else ')'}"
        )
    if minimum is not None:
        return f"a number {'>=' if min_inclusive else '>'} {minimum:g}"
    if maximum is not None:
        return f"a number {'<=' if max_inclusive else '<'} {maximum:g}"
    return "a finite number"


def check_float(
    name: str,
    value: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    min_inclusive: bool = True,
    max_inclusive: bool = True,
    hint: str = "",
) -> float:
    """``value`` as a Python float, if it is a finite real number (ints included) in range.

    Args:
        name: the argument's name, for the message.
        value: what was received.
        minimum, maximum: the bounds (``None``: none).
        min_inclusive, max_inclusive: whether the bounds themselves work.
        hint: what the value means, put in the message.

    Raises:
        ValueError: for a bool, a string, nan, inf, or a value out of range.
    """
    ok = _is_real(value) and math.isfinite(value)
    if ok and minimum is not None:
        ok = value >= minimum if min_inclusive else value > minimum
    if ok and maximum is not None:
        ok = value <= maximum if max_inclusive else value < maximum
    if not ok:
        what = _float_range(minimum, maximum, min_inclusive, max_inclusive)
        raise ValueError(f"{name} must be {what}{_hint(hint)}; received {name}={value!r}.")
    return float(value)


def check_bool(name: str, value: Any, *, hint: str = "") -> bool:
    """``value`` if it is ``True`` or ``False`` (a NumPy bool too); not a string, not 0 or 1.

    Raises:
        ValueError: for anything else (``"no"`` is truthy: it would silently mean ``True``).
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False{_hint(hint)}; received {name}={value!r}.")
    return bool(value)


def suggestion(value: Any, choices: Iterable[Any]) -> str:
    """``" Did you mean 'x'?"`` for the choice closest to a misspelt string, else ``""``."""
    if not isinstance(value, str):
        return ""
    names = [c for c in choices if isinstance(c, str)]
    close = difflib.get_close_matches(value, names, n=1, cutoff=0.6)
    if not close:
        close = [c for c in names if c.lower() == value.lower()]
    return f" Did you mean {close[0]!r}?" if close else ""


def _show(choices: Iterable[Any]) -> str:
    """``None, 'avg' or 'max'``."""
    shown = [repr(c) for c in choices]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


def check_choice(name: str, value: Any, choices: Collection[Any], *, hint: str = "") -> Any:
    """``value`` if it is one of ``choices``, else a ``ValueError`` listing them and the
    closest one to a misspelt string.
    """
    try:
        found = value in choices
    except TypeError:  # an unhashable value against a set or dict
        found = False
    if not found:
        raise ValueError(
            f"{name} must be one of {_show(choices)}{_hint(hint)}; received {name}={value!r}."
            + suggestion(value, choices)
        )
    return value


def check_str(name: str, value: Any, *, hint: str = "") -> str:
    """``value`` if it is a non-empty string."""
    if not isinstance(value, str) or not value:
        raise ValueError(
            f"{name} must be a non-empty string{_hint(hint)}; received {name}={value!r}."
        )
    return value


def check_ints(
    name: str,
    value: Any,
    *,
    length: int | None = None,
    minimum: int | None = 1,
    hint: str = "",
) -> tuple[int, ...]:
    """``value`` as a tuple of Python ints, if it is a non-empty list or tuple of integers
    ``>= minimum`` (of ``length`` items when given)."""
    ok = isinstance(value, (tuple, list, np.ndarray)) and len(value) > 0
    ok = ok and (length is None or len(value) == length)
    ok = ok and all(is_int(v) and (minimum is None or v >= minimum) for v in value)
    if not ok:
        count = "a non-empty tuple of ints" if length is None else f"a tuple of {length} ints"
        bound = "" if minimum is None else f" >= {minimum}"
        raise ValueError(f"{name} must be {count}{bound}{_hint(hint)}; received {name}={value!r}.")
    return tuple(int(v) for v in value)


def check_image_shape(
    name: str,
    value: Any,
    *,
    min_size: int = 1,
    max_size: int = MAX_IMAGE_SIZE,
    allow_none: bool = False,
    hint: str = "",
) -> tuple[int | None, int | None, int]:
    """``(height, width, channels)`` as Python ints, channels last.

    Args:
        name: the argument's name (``input_shape``).
        value: what was received.
        min_size: the smallest height and width that work.
        max_size: the largest height and width that work.
        allow_none: accept ``None`` for the height and the width (a model that takes any
            size: a feature extractor without the top); the channels are always an int.
        hint: a sentence on what works, put in the message (the paper's shape).

    Raises:
        ValueError: for a shape that is not three ints (floats are not truncated), fewer than
            one channel, or a size out of ``[min_size, max_size]``.
    """
    shape = tuple(value) if isinstance(value, (tuple, list)) else None
    if (
        shape is None
        or len(shape) != 3
        or not is_int(shape[2])
        or not all(is_int(d) or (allow_none and d is None) for d in shape[:2])
    ):
        free = " (height and width may be None without the top)" if allow_none else ""
        raise ValueError(
            f"{name} must be (height, width, channels), three ints{free}; received "
            f"{name}={value!r}.{_sentence(hint)}"
        )
    height, width, channels = (None if d is None else int(d) for d in shape)
    if channels < 1:
        raise ValueError(
            f"{name} must end in at least 1 channel (3 for RGB, 1 for grayscale); received "
            f"{name}={value!r}."
        )
    sizes = [d for d in (height, width) if d is not None]
    if any(d < min_size for d in sizes):
        raise ValueError(
            f"{name}={(height, width, channels)} is too small: height and width must be at "
            f"least {min_size}.{_sentence(hint)}"
        )
    if any(d > max_size for d in sizes):
        raise ValueError(
            f"{name}={(height, width, channels)} is too large: height and width must be at "
            f"most {max_size} (larger images exhaust memory or abort inside XLA)."
        )
    return height, width, channels


def check_keywords(
    where: str,
    given: Iterable[str],
    accepted: Collection[str],
    *,
    aliases: Mapping[str, str] | None = None,
) -> None:
    """Raises ``ValueError`` for a keyword ``where`` does not take, listing the ones it takes
    with the closest to a misspelling, or the keyword it has instead (``aliases``:
    ``{"width_multiplier": "alpha"}`` for MobileNet).
    """
    unknown = [key for key in given if key not in accepted]
    if not unknown:
        return
    key = unknown[0]
    alias = (aliases or {}).get(key)
    if alias in accepted:
        advice = f" {where} takes {alias}= for that."
    else:
        advice = suggestion(key, accepted)
    raise ValueError(
        f"{where} got an unexpected keyword argument {key!r}.{advice} It accepts: "
        f"{', '.join(sorted(accepted))}."
    )
