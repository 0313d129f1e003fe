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

Estimators with :class:`zoo.Forecaster`'s ``fit`` / ``predict`` interface wrap them
(``NaiveForecaster``, ``SeasonalNaiveForecaster``, ``DriftForecaster``,
``MeanForecaster``; ``BASELINES`` maps each name to its class): they take the same
wide, long, Series and array inputs and return forecasts in the same layout, so a
baseline can stand wherever a model does (``zoo.backtest`` uses them that way).

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
from sklearn.base import BaseEstimator

from zoo import windows as W
from zoo._checks import check_int

__all__ = [
    "BASELINES",
    "BASELINE_FUNCTIONS",
    "DriftForecaster",
    "MeanForecaster",
    "NaiveForecaster",
    "SeasonalNaiveForecaster",
    "drift",
    "mean",
    "mean_forecast",
    "naive",
    "seasonal_naive",
]


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
    h = check_int(horizon, "horizon")
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
    h = check_int(horizon, "horizon")
    season = check_int(season, "season")
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
    h = check_int(horizon, "horizon")
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
    h = check_int(horizon, "horizon")
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


# ---------------------------------------------------------------------------- estimators
class _BaselineForecaster(BaseEstimator):
    """Shared fit / predict of the baseline estimators: one baseline function per class.

    Subclasses set ``name`` (a key of ``BASELINE_FUNCTIONS``) and, when the function
    needs more than one point of history, override ``_min_length``; one with more
    parameters than ``horizon`` and ``target`` defines its own ``__init__``.
    """

    name = None

    def __init__(self, horizon=12, target=None):
        self.horizon = horizon
        self.target = target

    def _min_length(self) -> int:
        return 1

    def _requirement(self) -> str:
        return f"{self.name} needs at least {self._min_length()} time step(s)"

    def _forecast(self, values: np.ndarray) -> np.ndarray:
        return BASELINE_FUNCTIONS[self.name](values, self.horizon)

    def _learn_season(self, panel) -> None:
        """Hook for estimators whose parameters depend on the data's frequency."""

    def _targets_only(self, panel) -> list:
        n_t = len(panel.targets)
        series = [W.Series(s.uid, s.index, s.values[:, :n_t]) for s in panel.series]
        for s in series:
            if len(s.values) < self._min_length():
                who = "df" if panel.kind != "long" else f"series {s.uid!r}"
                raise ValueError(f"{who} has {len(s.values)} time step(s); {self._requirement()}")
        return series

    def fit(self, df, y=None):
        """Stores the history of every series (the forecast is computed by ``predict``).

        Args:
            df: A wide DataFrame (DatetimeIndex or integer index), a long DataFrame
                (``unique_id``, ``ds`` and ``y`` or the ``target`` column), a Series or
                a 1-D / 2-D array, as for :meth:`zoo.Forecaster.fit`. Numeric columns
                other than the targets are accepted and ignored. No ``NaN``.
            y: Ignored (scikit-learn compatibility).

        Returns:
            self.
        """
        check_int(self.horizon, "horizon")
        panel = W.to_panel(df, self.target)
        self._learn_season(panel)
        self.series_ = self._targets_only(panel)
        self.targets_ = list(panel.targets)
        self.kind_ = panel.kind
        self.freq_ = panel.freq
        # predict(df) must find the columns fit saw, as zoo.Forecaster.predict does
        self.layout_ = W.Panel([], list(panel.targets), list(panel.past_covariates), [],
                               panel.kind, panel.freq)
        self.last_timestamp_ = max(s.index[-1] for s in panel.series)
        return self

    def predict(self, df=None, future_df=None):
        """Forecasts ``horizon`` steps after the end of ``df`` (or of the training data).

        Args:
            df: History in the layout of ``fit``; None for the training data. The
                baseline is computed from this history alone.
            future_df: Ignored; accepted so that code written for
                :meth:`zoo.Forecaster.predict` runs unchanged.

        Returns:
            The layout of :meth:`zoo.Forecaster.predict`: wide -> a DataFrame indexed by
            the future timestamps, one column per target; long -> ``unique_id``, ``ds``,
            ``y_hat`` (``<target>_hat`` for several targets); Series / array -> a
            DataFrame with a RangeIndex continuing the input.
        """
        if not hasattr(self, "series_"):
            raise RuntimeError(
                f"this {type(self).__name__} is not fitted yet: call fit() first"
            )
        if df is None:
            series, kind = self.series_, self.kind_
        else:
            panel = W.to_panel(df, None, None, layout=self.layout_)
            series, kind = self._targets_only(panel), panel.kind
        horizon = int(self.horizon)
        out = np.stack([self._forecast(s.values) for s in series])
        indices = [W.future_index(s.index, horizon, self.freq_) for s in series]
        from zoo.frames import format_forecast

        return format_forecast(out, series, indices, kind, self.targets_)


class NaiveForecaster(_BaselineForecaster):
    """Naive forecaster: every future step equals the last observed value.

    Args:
        horizon: Steps forecast after the end of the history.
        target: Target column or list; None means the only numeric column (``y`` in
            a long frame), as for :class:`zoo.Forecaster`.

    Example:
        >>> import zoo
        >>> from zoo.baselines import NaiveForecaster
        >>> df = zoo.datasets.load("airline")
        >>> f = NaiveForecaster(horizon=3).fit(df)
        >>> f.predict()["passengers"].tolist()
        [432.0, 432.0, 432.0]
    """

    name = "naive"


class SeasonalNaiveForecaster(_BaselineForecaster):
    """Seasonal naive forecaster: each step equals the value one season earlier.

    Args:
        horizon: Steps forecast after the end of the history.
        season: Season length in steps; None infers it from the frequency (12 for
            monthly, 4 quarterly, 7 daily, 24 hourly ...; 1, the naive forecast, for
            yearly or integer-indexed data). The value used is ``season_``.
        target: Target column or list; None means the only numeric column.

    Example:
        >>> import zoo
        >>> from zoo.baselines import SeasonalNaiveForecaster
        >>> df = zoo.datasets.load("airline")
        >>> f = SeasonalNaiveForecaster(horizon=3).fit(df)
        >>> f.season_, f.predict()["passengers"].tolist()
        (12, [417.0, 391.0, 419.0])
    """

    name = "seasonal_naive"

    def __init__(self, horizon=12, season=None, target=None):
        self.horizon = horizon
        self.season = season
        self.target = target

    def _learn_season(self, panel) -> None:
        if self.season is None:
            from zoo.frames import season_of

            self.season_ = season_of(panel.freq)
        else:
            s = self.season
            self.season_ = check_int(s, "season")

    def _min_length(self) -> int:
        return self.season_

    def _requirement(self) -> str:
        return f"seasonal_naive with season={self.season_} needs at least one season"

    def _forecast(self, values: np.ndarray) -> np.ndarray:
        return seasonal_naive(values, self.horizon, season=self.season_)


class DriftForecaster(_BaselineForecaster):
    """Drift forecaster: the line through the first and last values, extended.

    Args:
        horizon: Steps forecast after the end of the history.
        target: Target column or list; None means the only numeric column.

    Example:
        >>> import pandas as pd
        >>> from zoo.baselines import DriftForecaster
        >>> DriftForecaster(horizon=2).fit(pd.Series([0.0, 1.0, 4.0])).predict()
             y
        3  6.0
        4  8.0
    """

    name = "drift"

    def _min_length(self) -> int:
        return 2


class MeanForecaster(_BaselineForecaster):
    """Mean forecaster: every future step equals the mean of the history.

    Args:
        horizon: Steps forecast after the end of the history.
        target: Target column or list; None means the only numeric column.

    Example:
        >>> import numpy as np
        >>> from zoo.baselines import MeanForecaster
        >>> MeanForecaster(horizon=2).fit(np.array([1.0, 2.0, 6.0])).predict()["y"].tolist()
        [3.0, 3.0]
    """

    name = "mean"


BASELINES = {
    "naive": NaiveForecaster,
    "seasonal_naive": SeasonalNaiveForecaster,
    "drift": DriftForecaster,
    "mean": MeanForecaster,
}
