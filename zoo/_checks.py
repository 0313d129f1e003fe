"""The shared argument checks: integers, numbers, rates, flags, choices, sizes, quantiles.

A leaf module (numpy and the standard library only): builders, training, estimators,
baselines and the backtest all refuse bad arguments with the same messages, which
name the argument and say what is accepted. ``bool`` is refused wherever a number is
expected (``True`` passes ``isinstance(x, int)`` by accident); numpy scalars pass.
"""

from __future__ import annotations

import math
import numbers
import os

import numpy as np


def is_number(value) -> bool:
    """Whether ``value`` is a real number (numpy scalars included), not a ``bool``.

    Example:
        >>> is_number(2.5), is_number(np.int64(3)), is_number(True), is_number("1")
        (True, True, False, False)
    """
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def is_int(value) -> bool:
    """Whether ``value`` is an integer (numpy integers included), not a ``bool``.

    Example:
        >>> is_int(3), is_int(np.int32(3)), is_int(3.0), is_int(False)
        (True, True, False, False)
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def check_int(value, name: str, minimum: int = 1, maximum: int | None = None) -> int:
    """``value`` as an ``int`` in ``[minimum, maximum]``, else a ``ValueError`` naming ``name``.

    Args:
        value: The argument.
        name: Its name, for the message.
        minimum: The smallest accepted value.
        maximum: The largest accepted value, or None for no limit.

    Returns:
        ``int(value)``.

    Example:
        >>> check_int(np.int64(3), "horizon")
        3
        >>> check_int(0, "horizon")
        Traceback (most recent call last):
        ...
        ValueError: horizon must be a positive integer; got 0
    """
    if not is_int(value) or value < minimum or (maximum is not None and value > maximum):
        if maximum is not None:
            want = f"an integer in [{minimum}, {maximum}]"
        elif minimum == 1:
            want = "a positive integer"
        else:
            want = f"an integer >= {minimum}"
        raise ValueError(f"{name} must be {want}; got {value!r}")
    return int(value)


def check_positive(value, name: str, *, integer: bool = False, allow_none: bool = True):
    """A positive finite number (or integer), or None where ``allow_none``.

    Example:
        >>> check_positive(0.5, "clipnorm"), check_positive(None, "clipnorm")
        (0.5, None)
    """
    if value is None:
        if allow_none:
            return None
        raise ValueError(f"{name} is required; got None.")
    if integer:
        return check_int(value, name)
    if not (is_number(value) and math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number; got {value!r}.")
    return float(value)


def check_rate(value, name: str) -> float:
    """A float in ``[0, 1)`` (dropout rates).

    Example:
        >>> check_rate(0.2, "dropout")
        0.2
    """
    if not (is_number(value) and 0 <= value < 1):
        raise ValueError(f"{name} must be a float in [0, 1); got {value!r}")
    return float(value)


def check_bool(value, name: str) -> bool:
    """``True`` or ``False`` (numpy booleans too), nothing else.

    Example:
        >>> check_bool(np.True_, "refit")
        True
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def check_choice(value, name: str, choices):
    """``value`` if it is one of ``choices``, else a ``ValueError`` listing them.

    Example:
        >>> check_choice("direct", "strategy", ("direct", "recursive"))
        'direct'
    """
    try:
        ok = value in choices
    except TypeError:  # an unhashable value against a dict or set
        ok = False
    if not ok or isinstance(value, (bool, np.bool_)) and not any(c is value for c in choices):
        raise ValueError(f"{name} must be one of {tuple(choices)}; got {value!r}")
    return value


def check_size(value, name: str = "validation_size"):
    """A held-out size: a fraction in ``[0, 1)`` or a count (an int >= 0).

    Returns:
        The int count or the float fraction.

    Example:
        >>> check_size(0.2), check_size(12)
        (0.2, 12)
    """
    if is_int(value):
        if value < 0:
            raise ValueError(f"{name} must be a float in [0, 1) or an int >= 0; got {value!r}")
        return int(value)
    if not (is_number(value) and 0 <= value < 1):
        raise ValueError(f"{name} must be a float in [0, 1) or an int >= 0; got {value!r}")
    return float(value)


def check_quantiles(quantiles, name: str = "quantiles", *, sort: bool = True):
    """Distinct quantile levels in ``(0, 1)``: a sorted list (or in the given order).

    Args:
        quantiles: None or a non-empty sequence of levels.
        name: The argument's name.
        sort: Return them sorted (model heads) or in the given order (metrics, whose
            predictions follow that order).

    Returns:
        None, or a list of floats.

    Example:
        >>> check_quantiles([0.9, 0.1, 0.5])
        [0.1, 0.5, 0.9]
    """
    if quantiles is None:
        return None
    if isinstance(quantiles, (str, bytes)) or is_number(quantiles):
        raise ValueError(f"{name} must be a list of distinct floats in (0, 1); got {quantiles!r}")
    try:
        items = list(quantiles)
        qs = [float(q) for q in items if not isinstance(q, (bool, np.bool_, str, bytes))]
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a list of distinct floats in (0, 1); got {quantiles!r}"
        ) from None
    if not qs or len(qs) != len(items) or any(not 0 < q < 1 for q in qs) or len(set(qs)) != len(qs):
        raise ValueError(f"{name} must be a list of distinct floats in (0, 1); got {quantiles!r}")
    return sorted(qs) if sort else qs


def check_path(value, name: str) -> str:
    """A non-empty path (``str`` or ``os.PathLike``) as a string.

    Example:
        >>> check_path("runs/a", "csv_log")
        'runs/a'
    """
    if not isinstance(value, (str, os.PathLike)) or not os.fspath(value):
        raise ValueError(f"{name} must be a path (str or os.PathLike); got {value!r}.")
    return os.fspath(value)

