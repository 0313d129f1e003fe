"""Baseline forecasts: the yardsticks every model must beat.

Array-level functions (numpy only), each ``f(y, horizon, ...) -> np.ndarray``:

* ``naive``          repeats the last value.
* ``seasonal_naive`` repeats the last full season.
* ``drift``          extends the line through the first and last values.
* ``mean``           repeats the mean of the history (alias ``mean_forecast``).

``y`` is the history, ``[T]`` for one series or ``[T, n_targets]`` for several (each
column handled on its own); the result is a float64 array ``[horizon]`` or
``[horizon, n_targets]``, matching ``y``'s rank. The history must be free of ``NaN``
(fill or drop gaps first): a baseline silently built on a gap would not be a fair
yardstick. Definitions follow Hyndman & Athanasopoulos, *Forecasting: Principles and
Practice*, section 5.2.

``BASELINE_FUNCTIONS`` maps each name to its function.

Example:
    >>> import numpy as np
    >>> from zoo import baselines
    >>> y = np.array([1.0, 2.0, 3.0, 5.0])
    >>> baselines.naive(y, 2).tolist()
    [5.0, 5.0]
    >>> baselines.drift(y, 2).tolist()
    [6.333333333333333, 7.666666666666666]
    >>> baselines.seasonal_naive(y, 3, season=2).tolist()
    [3.0, 5.0, 3.0]
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "BASELINE_FUNCTIONS",
    "drift",
    "mean",
    "mean_forecast",
    "naive",
    "seasonal_naive",
]


def _check_horizon(horizon) -> int:
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ValueError(f"horizon must be a positive integer; got {horizon!r}")
    return int(horizon)


def _check_history(y, min_length: int = 1) -> np.ndarray:
    try:
        arr = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"y must be numeric, [T] or [T, n_targets]; got {err}") from None
    if arr.ndim not in (1, 2):
        raise ValueError(f"y must be 1-D [T] or 2-D [T, n_targets]; got shape {arr.shape}")
    if arr.shape[0] < min_length:
        raise ValueError(
            f"y needs at least {min_length} time step{'s' if min_length > 1 else ''} "
            f"for this baseline; got {arr.shape[0]}"
        )
    if arr.ndim == 2 and arr.shape[1] == 0:
        raise ValueError(f"y has no target columns; got shape {arr.shape}")
    if np.isnan(arr).any():
        raise ValueError("y contains NaN; fill or drop missing values before a baseline forecast")
    return arr


def naive(y, horizon: int) -> np.ndarray:
    """Naive forecast: every future step equals the last observed value.

    Args:
        y: History, ``[T]`` or ``[T, n_targets]``, no ``NaN``.
        horizon: Number of steps to forecast (positive integer).

    Returns:
        Float array ``[horizon]`` or ``[horizon, n_targets]``.

    Example:
        >>> naive([[1.0, 10.0], [2.0, 20.0]], 2).tolist()
        [[2.0, 20.0], [2.0, 20.0]]
    """
    h = _check_horizon(horizon)
    arr = _check_history(y)
    return np.repeat(arr[-1:], h, axis=0)


def seasonal_naive(y, horizon: int, season: int) -> np.ndarray:
    """Seasonal naive forecast: each step equals the value one season earlier.

    ``y_hat[T + h] = y[T - season + (h mod season)]`` for ``h = 0 .. horizon - 1``, so
    horizons longer than a season repeat the last observed season.

    Args:
        y: History, ``[T]`` or ``[T, n_targets]`` with ``T >= season``, no ``NaN``.
        horizon: Number of steps to forecast (positive integer).
        season: Season length in steps, e.g. 12 for monthly data (positive integer).

    Returns:
        Float array ``[horizon]`` or ``[horizon, n_targets]``.

    Raises:
        ValueError: If ``y`` is shorter than one season.

    Example:
        >>> seasonal_naive([1.0, 2.0, 3.0, 4.0, 5.0], 4, season=3).tolist()
        [3.0, 4.0, 5.0, 3.0]
    """
    h = _check_horizon(horizon)
    if isinstance(season, bool) or not isinstance(season, (int, np.integer)) or season < 1:
        raise ValueError(f"season must be a positive integer; got {season!r}")
    arr = _check_history(y, min_length=int(season))
    last_season = arr[len(arr) - season :]
    return last_season[np.arange(h) % season]


def drift(y, horizon: int) -> np.ndarray:
    """Drift forecast: the line through the first and last values, extended.

    ``y_hat[T + h] = y[T] + h * (y[T] - y[1]) / (T - 1)`` for ``h = 1 .. horizon``.

    Args:
        y: History, ``[T]`` or ``[T, n_targets]`` with ``T >= 2``, no ``NaN``.
        horizon: Number of steps to forecast (positive integer).

    Returns:
        Float array ``[horizon]`` or ``[horizon, n_targets]``.

    Raises:
        ValueError: If ``y`` has fewer than 2 time steps (the slope is undefined).

    Example:
        >>> drift([0.0, 1.0, 4.0], 2).tolist()
        [6.0, 8.0]
    """
    h = _check_horizon(horizon)
    arr = _check_history(y, min_length=2)
    slope = (arr[-1] - arr[0]) / (len(arr) - 1)
    steps = np.arange(1, h + 1, dtype=np.float64)
    if arr.ndim == 2:
        steps = steps[:, None]
    return arr[-1] + steps * slope


def mean(y, horizon: int) -> np.ndarray:
    """Mean forecast: every future step equals the mean of the history.

    Args:
        y: History, ``[T]`` or ``[T, n_targets]``, no ``NaN``.
        horizon: Number of steps to forecast (positive integer).

    Returns:
        Float array ``[horizon]`` or ``[horizon, n_targets]``.

    Example:
        >>> mean([1.0, 2.0, 6.0], 2).tolist()
        [3.0, 3.0]
    """
    h = _check_horizon(horizon)
    arr = _check_history(y)
    return np.repeat(arr.mean(axis=0, keepdims=True), h, axis=0)


# Alias for code that imports names unqualified, where a bare ``mean`` reads badly.
mean_forecast = mean

BASELINE_FUNCTIONS = {
    "naive": naive,
    "seasonal_naive": seasonal_naive,
    "drift": drift,
    "mean": mean,
}
