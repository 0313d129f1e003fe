"""Forecast metrics: point errors, scaled errors, quantile loss, interval coverage and CRPS."""

from __future__ import annotations

import numpy as np

from zoo._checks import check_int, check_quantiles
from zoo.metrics._common import _as_float, _nanless_mean, _pair


def mae(y_true, y_pred) -> float:
    """Mean absolute error.

    Args:
        y_true: Observed values, any shape. ``NaN`` entries are skipped.
        y_pred: Forecasts, same shape as ``y_true``.

    Returns:
        ``mean(|y_true - y_pred|)`` over observed positions.

    Example:
        >>> mae([1.0, 2.0], [2.0, 4.0])
        1.5
    """
    t, p = _pair(y_true, y_pred)
    return _nanless_mean(np.abs(t - p), ~np.isnan(t))


def rmse(y_true, y_pred) -> float:
    """Root mean squared error.

    Args:
        y_true: Observed values, any shape. ``NaN`` entries are skipped.
        y_pred: Forecasts, same shape as ``y_true``.

    Returns:
        ``sqrt(mean((y_true - y_pred) ** 2))`` over observed positions.

    Example:
        >>> rmse([0.0, 0.0], [3.0, 4.0]) == (12.5) ** 0.5
        True
    """
    t, p = _pair(y_true, y_pred)
    return float(np.sqrt(_nanless_mean((t - p) ** 2, ~np.isnan(t))))


def mape(y_true, y_pred) -> float:
    """Mean absolute percentage error, in percent.

    Args:
        y_true: Observed values, any shape, none equal to 0. ``NaN`` entries are skipped.
        y_pred: Forecasts, same shape as ``y_true``.

    Returns:
        ``100 * mean(|y_true - y_pred| / |y_true|)``.

    Raises:
        ValueError: If an observed ``y_true`` is 0 (the percentage is undefined there);
            use ``smape`` or ``mase`` for series that touch zero.

    Example:
        >>> round(mape([100.0, 50.0], [90.0, 60.0]), 6)
        15.0
    """
    t, p = _pair(y_true, y_pred)
    observed = ~np.isnan(t)
    n_zero = int(np.count_nonzero(t[observed] == 0))
    if n_zero:
        raise ValueError(
            f"mape is undefined where y_true == 0 ({n_zero} such values); "
            "use smape or mase for series with zeros"
        )
    with np.errstate(invalid="ignore"):
        return 100.0 * _nanless_mean(np.abs(t - p) / np.abs(t), observed)


def smape(y_true, y_pred) -> float:
    """Symmetric mean absolute percentage error, in percent, on the 0..200 scale.

    Args:
        y_true: Observed values, any shape. ``NaN`` entries are skipped.
        y_pred: Forecasts, same shape as ``y_true``.

    Returns:
        ``200 * mean(|y_true - y_pred| / (|y_true| + |y_pred|))``, where a term with
        ``y_true == y_pred == 0`` counts as 0 (a perfect forecast of zero).

    Example:
        >>> smape([1.0, 0.0], [3.0, 0.0])
        50.0
    """
    t, p = _pair(y_true, y_pred)
    num = np.abs(t - p)
    den = np.abs(t) + np.abs(p)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(den == 0, 0.0, num / den)
    return 200.0 * _nanless_mean(ratio, ~np.isnan(t))


def _seasonal_scale(y_train, season: int) -> np.ndarray:
    """Mean absolute lag-``season`` difference of the training series (per column)."""
    season = check_int(season, "season")
    train = _as_float(y_train, "y_train")
    if train.ndim not in (1, 2):
        raise ValueError(f"y_train must be 1-D [T] or 2-D [T, n_series]; got shape {train.shape}")
    if train.shape[0] < season + 1:
        raise ValueError(
            f"y_train needs at least season + 1 = {season + 1} values to compute the "
            f"MASE scale; got {train.shape[0]}"
        )
    diffs = np.subtract(train[season:], train[:-season])
    np.abs(diffs, out=diffs)  # in place: a long y_train gets one full-length temporary
    # Gaps in the training series only remove the differences they touch.
    gaps = np.isnan(diffs)
    count = diffs.shape[0] - gaps.sum(axis=0)
    np.copyto(diffs, 0.0, where=gaps)
    total = diffs.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.atleast_1d(np.where(count > 0, total / np.maximum(count, 1), np.nan))
    bad = ~(scale > 0)
    if bad.any():
        which = np.flatnonzero(bad).tolist()
        raise ValueError(
            f"MASE scale (mean absolute lag-{season} difference of y_train) is 0 or "
            f"undefined for series {which}; the in-sample seasonal naive forecast is "
            "perfect there, so MASE is undefined"
        )
    return scale if train.ndim == 2 else scale[0]


def mase(y_true, y_pred, y_train, season: int = 1) -> float:
    """Mean absolute scaled error (Hyndman & Koehler, 2006).

    The absolute errors are divided by the in-sample MAE of the seasonal naive
    forecast on ``y_train``: ``mean(|y_train[t] - y_train[t - season]|)``. Values
    below 1 beat that naive forecast.

    Args:
        y_true: Observed values. With a 2-D ``y_train`` its last axis must hold the
            ``n_series`` series (e.g. ``[horizon, n_series]``). ``NaN`` entries are skipped.
        y_pred: Forecasts, same shape as ``y_true``.
        y_train: Training series, ``[T]`` or ``[T, n_series]`` (one scale per series).
        season: Seasonal lag of the naive reference, e.g. 12 for monthly data; 1 is
            the plain naive forecast.

    Returns:
        ``mean(|y_true - y_pred| / scale)``, the scale broadcast over the last axis.

    Raises:
        ValueError: If ``y_train`` has fewer than ``season + 1`` values, a scale is 0,
            or the series counts disagree.

    Example:
        >>> mase([3.0, 5.0], [4.0, 5.0], y_train=[1.0, 3.0, 5.0])
        0.25
    """
    t, p = _pair(y_true, y_pred)
    scale = _seasonal_scale(y_train, season)
    if np.ndim(scale) == 1 and (t.ndim == 0 or t.shape[-1] != scale.shape[0]):
        raise ValueError(
            f"y_train has {scale.shape[0]} series (shape [T, n_series]), so the last axis "
            f"of y_true must have length {scale.shape[0]}; got y_true {t.shape}"
        )
    return _nanless_mean(np.abs(t - p) / scale, ~np.isnan(t))


def _quantile_levels(quantiles) -> np.ndarray:
    # the levels in the given order: the predictions' last axis follows it
    return np.asarray(check_quantiles(quantiles, sort=False), dtype=np.float64)


def pinball_loss(y_true, y_pred_quantiles, quantiles) -> float:
    """Mean pinball (quantile) loss over all positions and quantiles.

    For level ``q`` and error ``e = y_true - y_hat_q`` the loss is
    ``max(q * e, (q - 1) * e)``.

    Args:
        y_true: Observed values, any shape. ``NaN`` entries are skipped.
        y_pred_quantiles: Quantile forecasts, shape ``y_true.shape + (len(quantiles),)``.
        quantiles: Quantile levels in (0, 1), in the order of the last axis.

    Returns:
        The pinball loss averaged over every position and every quantile (equal to the
        mean of scikit-learn's ``mean_pinball_loss`` over the quantiles).

    Example:
        >>> round(pinball_loss([10.0], [[8.0, 12.0]], quantiles=[0.1, 0.9]), 6)
        0.2
    """
    t = _as_float(y_true, "y_true")
    p = _as_float(y_pred_quantiles, "y_pred_quantiles")
    q = _quantile_levels(quantiles)
    expected = t.shape + (q.size,)
    if p.shape != expected:
        raise ValueError(
            f"y_pred_quantiles must have shape y_true.shape + (len(quantiles),) = "
            f"{expected}; got y_pred_quantiles {p.shape} with y_true {t.shape}"
        )
    err = t[..., None] - p
    loss = np.maximum(q * err, (q - 1.0) * err)
    observed = np.broadcast_to(~np.isnan(t)[..., None], loss.shape)
    return _nanless_mean(loss, observed)


def coverage(y_true, lower, upper) -> float:
    """Fraction of observations inside the closed interval ``[lower, upper]``.

    Args:
        y_true: Observed values, any shape. ``NaN`` entries are skipped.
        lower: Lower bounds, same shape as ``y_true``.
        upper: Upper bounds, same shape as ``y_true``.

    Returns:
        A fraction in [0, 1] (``NaN`` if a bound is ``NaN`` at an observed position).

    Raises:
        ValueError: On shape mismatch or if ``lower > upper`` somewhere.

    Example:
        >>> coverage([1.0, 5.0, 3.0, 4.0], [0.0, 0.0, 3.0, 0.0], [2.0, 2.0, 3.0, 4.0])
        0.75
    """
    t, lo = _pair(y_true, lower, "lower")
    _, hi = _pair(y_true, upper, "upper")
    if np.any(lo > hi):
        raise ValueError(
            f"lower must not exceed upper; it does at {int(np.sum(lo > hi))} positions"
        )
    observed = ~np.isnan(t)
    inside = ((t >= lo) & (t <= hi)).astype(np.float64)
    inside[np.isnan(lo) | np.isnan(hi)] = np.nan
    return _nanless_mean(inside, observed)


def _sample_array(samples, t: np.ndarray) -> np.ndarray:
    """``samples`` as float64 ``[n_samples, *y_true.shape]``, finite, at least one sample."""
    try:
        x = np.asarray(samples, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"samples must be numeric (array-like of numbers); got {err}") from None
    if x.ndim != t.ndim + 1 or x.shape[1:] != t.shape:
        raise ValueError(
            f"samples must have shape [n_samples, *y_true.shape] = [n_samples, "
            f"{', '.join(map(str, t.shape))}] (the sample axis first); got samples "
            f"{x.shape} with y_true {t.shape}"
        )
    if x.shape[0] < 1:
        raise ValueError(f"samples holds no sample (shape {x.shape}); crps needs at least one")
    bad = int(np.count_nonzero(~np.isfinite(x)))
    if bad:
        raise ValueError(
            f"samples must be finite; it holds {bad} NaN or inf value(s) (a forecast "
            "with a broken sample cannot be scored)"
        )
    return x


def crps(y_true, samples) -> float:
    """Continuous ranked probability score of a sample forecast, averaged over every point.

    At each position the forecast distribution is the empirical one of the samples
    ``x_1..x_N``, and ``CRPS = E|X - y| - 0.5 * E|X - X'|``, computed exactly (the
    V-statistic) in ``O(N log N)`` from the sorted samples ``x_(1) <= ... <= x_(N)``:
    ``mean_i |x_i - y| - (1 / N**2) * sum_i (2i - N - 1) * x_(i)``. Lower is better;
    with one sample (or all samples equal) it is the absolute error, so CRPS and MAE
    share units and can be compared directly.

    Args:
        y_true: Observed values, any shape ``S`` (e.g. ``[horizon]`` or
            ``[horizon, n_targets]``). ``NaN`` entries are skipped.
        samples: Sample forecasts with the sample axis first: shape
            ``[n_samples, *S]`` with ``n_samples >= 1``, every value finite.

    Returns:
        The CRPS averaged over every observed position (``NaN`` if none is observed).

    Raises:
        ValueError: If ``samples`` does not have shape ``[n_samples, *y_true.shape]``,
            holds no sample, or holds ``NaN`` or inf; if ``y_true`` is empty.

    Example:
        >>> crps([0.0], [[-1.0], [1.0]])  # E|X - y| = 1, E|X - X'| = 1
        0.5
        >>> crps([1.0, 2.0], [[2.0, 4.0]]) == mae([1.0, 2.0], [2.0, 4.0])
        True
    """
    t = _as_float(y_true, "y_true")
    x = np.sort(_sample_array(samples, t), axis=0)
    n = x.shape[0]
    weights = (2.0 * np.arange(1, n + 1) - n - 1).reshape((n,) + (1,) * t.ndim)
    # 0.5 * E|X - X'|; the weights sum to 0, so measuring from the smallest sample changes
    # nothing but the rounding: a point mass gets exactly 0, a far-off level loses no digits
    spread = np.sum(weights * (x - x[0]), axis=0) / float(n) ** 2
    score = np.mean(np.abs(x - t), axis=0) - spread
    # the score is >= 0; rounding must not make a point-mass forecast look better than exact
    observed = ~np.isnan(t)
    return _nanless_mean(np.maximum(score, 0.0), observed)


def forecast_metrics(y_true, y_pred, y_train=None, season: int = 1) -> dict:
    """The standard forecast metrics in one dict.

    Args:
        y_true: Observed values, any shape. ``NaN`` entries are skipped.
        y_pred: Forecasts, same shape as ``y_true``.
        y_train: Optional training series for MASE (see ``mase``).
        season: Seasonal lag for MASE.

    Returns:
        ``{"mae", "rmse", "mape", "smape"}`` as floats, plus ``"mase"`` when ``y_train``
        is given. ``"mape"`` is ``NaN`` when an observed ``y_true`` is 0.

    Example:
        >>> m = forecast_metrics([100.0, 200.0], [110.0, 190.0], y_train=[90.0, 100.0])
        >>> m["mae"], round(m["mape"], 6), m["mase"]
        (10.0, 7.5, 1.0)
    """
    t, p = _pair(y_true, y_pred)
    out = {"mae": mae(t, p), "rmse": rmse(t, p)}
    observed = ~np.isnan(t)
    out["mape"] = float("nan") if np.any(t[observed] == 0) else mape(t, p)
    out["smape"] = smape(t, p)
    if y_train is not None:
        out["mase"] = mase(t, p, y_train, season=season)
    return out
