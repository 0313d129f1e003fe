"""The shared argument checks: integers, numbers, rates, flags, choices, sizes, quantiles,
units, paths and float32-representable values.

A leaf module (numpy and the standard library only): builders, training, estimators,
baselines and the backtest all refuse bad arguments with the same messages, which
name the argument and say what is accepted. ``bool`` is refused wherever a number is
expected (``True`` passes ``isinstance(x, int)`` by accident) and an ``int`` wherever a
flag is; numpy scalars pass. Every number ends up in a float32 tensor, so numbers and
arrays beyond float32's range (or, for positive numbers, rounding to 0 in it) are refused.
"""

from __future__ import annotations

import math
import numbers
import os

import numpy as np

#: The largest finite float32 (about 3.4e38): data and arguments beyond it become inf.
FLOAT32_MAX = float(np.finfo(np.float32).max)


def is_number(value) -> bool:
    """Whether ``value`` is a real number (numpy scalars included), not a ``bool``.

    Example:
        >>> is_number(2.5), is_number(np.int64(3)), is_number(True), is_number("1")
        (True, True, False, False)
    """
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def is_bool(value) -> bool:
    """Whether ``value`` is a flag: ``True``/``False`` or a numpy boolean.

    Example:
        >>> is_bool(np.True_), is_bool(1)
        (True, False)
    """
    return isinstance(value, (bool, np.bool_))


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
    if not (is_number(value) and math.isfinite(value) and 0 < value <= FLOAT32_MAX
            and np.float32(value) > 0):
        raise ValueError(f"{name} must be a positive number (within float32's range, "
                         f"1e-38 .. 3.4e38); got {value!r}.")
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
    if not is_bool(value):
        raise ValueError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def check_choice(value, name: str, choices):
    """The choice ``value`` stands for, else a ``ValueError`` listing ``choices``.

    A numpy boolean stands for the Python one; ``1`` and ``0`` do not stand for
    ``True`` and ``False`` (a flag is not a number, as a number is not a flag).

    Example:
        >>> check_choice("direct", "strategy", ("direct", "recursive"))
        'direct'
        >>> check_choice(np.False_, "log", ("auto", True, False))
        False
    """
    for choice in choices:
        if isinstance(choice, bool) or is_bool(value):
            if isinstance(choice, bool) and is_bool(value) and bool(value) is choice:
                return choice
            continue
        try:
            if bool(value == choice):
                return choice
        except (TypeError, ValueError):  # an array compared element-wise
            continue
    raise ValueError(f"{name} must be one of {tuple(choices)}; got {value!r}")


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


def check_units(units, name: str = "units") -> list:
    """Recurrent units: a positive int, or a non-empty sequence of them (numpy arrays too).

    Returns:
        A list of ints (one per recurrent layer).

    Example:
        >>> check_units(np.int64(8)), check_units(np.array([16, 8]))
        ([8], [16, 8])
    """
    if is_int(units):
        return [check_int(units, name)]
    try:
        flat = not isinstance(units, (str, bytes, dict, set)) and np.ndim(units) == 1
    except ValueError:  # ragged nesting
        flat = False
    if not flat or len(units) == 0:
        raise ValueError(f"{name} must be a positive int or a non-empty list of them; "
                         f"got {units!r}")
    return [check_int(u, name) for u in units]


_FLOAT32 = np.dtype("float32")


def check_finite_float32(values, name: str) -> np.ndarray:
    """``values`` as a float32 array, refused unless every one is a finite float32 number.

    Args:
        values: An array-like of numbers (booleans read as 0 / 1).
        name: What the values are, for the message (``"input 'inputs'"``, ``"column 'y'"``).

    Returns:
        The float32 array: ``values`` itself when it already is a float32 ndarray
        (no copy), else a new one.

    Raises:
        ValueError: For strings or other non-numbers, NaN, infinity, or magnitudes
            beyond float32's range (they would become infinity in the model).

    Example:
        >>> check_finite_float32([1, 2.5], "x").dtype
        dtype('float32')
        >>> check_finite_float32([1e39], "x")
        Traceback (most recent call last):
        ...
        ValueError: x holds NaN, infinity or values beyond float32's range (|x| > 3.4e38); finite float32 numbers are accepted
    """
    arr = values if isinstance(values, np.ndarray) else None
    if arr is not None and arr.dtype == _FLOAT32:
        out = arr  # the predictors' hot path: no copy
    else:
        try:
            arr = np.asarray(values)
            if arr.dtype.kind not in "biufO":
                raise TypeError
            if arr.dtype.kind == "O":  # strings inside raise here, not as float32
                arr = arr.astype("float64")
        except (TypeError, ValueError):
            kind = getattr(getattr(values, "dtype", None), "name", type(values).__name__)
            raise ValueError(f"{name} must hold numbers (a rectangular array of them); got "
                             f"{kind}") from None
        with np.errstate(over="ignore", invalid="ignore"):
            out = arr.astype("float32")
    if not np.isfinite(out).all():
        raise ValueError(f"{name} holds NaN, infinity or values beyond float32's range "
                         "(|x| > 3.4e38); finite float32 numbers are accepted")
    return out


def check_path(value, name: str) -> str:
    """A non-empty path (``str`` or ``os.PathLike``) as a string.

    Example:
        >>> check_path("runs/a", "csv_log")
        'runs/a'
    """
    if not isinstance(value, (str, os.PathLike)) or not os.fspath(value):
        raise ValueError(f"{name} must be a path (str or os.PathLike); got {value!r}.")
    return os.fspath(value)


def check_finite_output(values) -> np.ndarray:
    """A model's outputs as an array, refused when any is NaN or infinite.

    A model never answers NaN silently: with finite inputs (every entry point refuses
    NaN and inf) a non-finite output means inputs far outside the training range or
    broken weights.

    Example:
        >>> check_finite_output([0.5, 2.0]).tolist()
        [0.5, 2.0]
    """
    out = np.asarray(values)
    if out.dtype.kind in "fc" and not np.isfinite(out).all():
        bad = int((~np.isfinite(out)).reshape(len(out), -1).any(axis=1).sum()) if out.ndim else 1
        raise ValueError(
            f"the model answered NaN or inf for {bad} of {len(out) if out.ndim else 1} input(s): "
            "check for values far outside the training range (or retrain: the weights may "
            "have diverged)")
    return out


def check_out_path(value, name: str) -> str:
    """A path to create: non-empty, ``str`` or ``os.PathLike``, under an existing directory.

    The nearest existing ancestor must be a directory (not a file), so that writing
    there cannot fail half-way; whether the path itself may exist is the caller's rule.

    Example:
        >>> check_out_path("runs/new/artifact", "path")
        'runs/new/artifact'
    """
    path = check_path(value, name)
    ancestor = os.path.dirname(os.path.abspath(path))
    while not os.path.exists(ancestor):
        ancestor = os.path.dirname(ancestor)
    if not os.path.isdir(ancestor):
        raise ValueError(f"{name} {path!r} lies under {ancestor!r}, which is a file, not a "
                         "directory; give a path inside a directory")
    return path
