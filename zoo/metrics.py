"""Forecast and classification metrics, in plain numpy.

Every metric is a function ``f(y_true, y_pred, ...) -> float`` that takes arrays of
any shape (numpy arrays, lists, pandas Series/DataFrames) and averages over every
element. ``y_true`` and ``y_pred`` must have exactly the same shape: a ``[h]`` forecast
against ``[h, 1]`` actuals would otherwise broadcast to ``[h, h]`` and give a wrong,
plausible-looking number, so a mismatch raises ``ValueError`` naming both shapes.

Missing values (forecast metrics):
    * ``NaN`` in ``y_true`` marks a missing observation: that position is skipped.
      Backtests over real data meet gaps in the actuals, and a gap says nothing about
      the forecast.
    * ``NaN`` in ``y_pred`` (or in ``lower``/``upper``) is *not* skipped: it makes the
      result ``NaN``, so that a broken forecast can never look good.
    * If every ``y_true`` is ``NaN`` the result is ``NaN``; empty input raises
      ``ValueError``.

Percentage metrics (``mape``, ``smape``) are in percent. ``mape`` raises ``ValueError``
when an observed ``y_true`` is 0 (the ratio is undefined); ``forecast_metrics`` reports
``NaN`` for it instead.

Classification metrics accept labels of any hashable kind numpy can sort (ints,
strings) and match scikit-learn's definitions.

Example:
    >>> from zoo import metrics
    >>> metrics.mae([1.0, 2.0, 3.0], [1.5, 2.0, 2.0])
    0.5
    >>> round(metrics.mape([100.0, 200.0], [110.0, 180.0]), 6)
    10.0
    >>> metrics.accuracy(["a", "b", "b"], ["a", "b", "a"]) == 2 / 3
    True
"""

from __future__ import annotations

import numpy as np

from zoo._checks import check_int, check_quantiles

__all__ = [
    "accuracy",
    "classification_metrics",
    "confusion_matrix",
    "coverage",
    "forecast_metrics",
    "log_loss",
    "macro_f1",
    "mae",
    "mape",
    "mase",
    "pinball_loss",
    "rmse",
    "smape",
]


# --------------------------------------------------------------------------- helpers


def _as_float(x, name: str) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be numeric (array-like of numbers); got {err}") from None
    if arr.size == 0:
        raise ValueError(f"{name} is empty; metrics need at least one value")
    return arr


def _pair(y_true, y_pred, pred_name: str = "y_pred") -> tuple[np.ndarray, np.ndarray]:
    t = _as_float(y_true, "y_true")
    p = _as_float(y_pred, pred_name)
    if t.shape != p.shape:
        raise ValueError(
            f"y_true and {pred_name} must have the same shape; "
            f"got y_true {t.shape} and {pred_name} {p.shape}"
        )
    return t, p


def _nanless_mean(values: np.ndarray, observed: np.ndarray) -> float:
    """Mean of ``values`` over positions where the actual was observed."""
    if not observed.any():
        return float("nan")
    # NaN in the prediction survives here on purpose (see module docstring).
    return float(np.mean(values[observed]))


# --------------------------------------------------------------------------- forecast


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
    diffs = np.abs(train[season:] - train[:-season])
    # Gaps in the training series only remove the differences they touch.
    valid = ~np.isnan(diffs)
    count = valid.sum(axis=0)
    total = np.where(valid, diffs, 0.0).sum(axis=0)
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


# --------------------------------------------------------------------------- classification


def _labels(y, name: str) -> np.ndarray:
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per sample); got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; metrics need at least one label")
    return arr


def _label_pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    t = _labels(y_true, "y_true")
    p = _labels(y_pred, "y_pred")
    if t.shape != p.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape; got y_true {t.shape} and y_pred {p.shape}"
        )
    return t, p


def _union_labels(*arrays) -> np.ndarray:
    try:
        return np.unique(np.concatenate(arrays))
    except TypeError as err:
        raise TypeError(f"labels must be sortable and of one kind (all str or all numbers): {err}")


def accuracy(y_true, y_pred) -> float:
    """Fraction of samples whose predicted label equals the true label.

    Args:
        y_true: True labels, 1-D.
        y_pred: Predicted labels, same length.

    Returns:
        A fraction in [0, 1].

    Example:
        >>> accuracy([0, 1, 1, 0], [0, 1, 0, 0])
        0.75
    """
    t, p = _label_pair(y_true, y_pred)
    return float(np.mean(t == p))


def confusion_matrix(y_true, y_pred, labels=None) -> np.ndarray:
    """Counts of (true label, predicted label) pairs.

    Args:
        y_true: True labels, 1-D.
        y_pred: Predicted labels, same length.
        labels: Label order for rows and columns. Default: the sorted union of
            ``y_true`` and ``y_pred``. As in scikit-learn, samples whose true or
            predicted label is not in ``labels`` are left out.

    Returns:
        An ``int64`` array ``[n_labels, n_labels]``; rows are true labels, columns
        predicted labels.

    Example:
        >>> confusion_matrix(["a", "b", "b"], ["a", "a", "b"]).tolist()
        [[1, 0], [1, 1]]
    """
    t, p = _label_pair(y_true, y_pred)
    if labels is None:
        labs = _union_labels(t, p)
    else:
        labs = np.asarray(labels)
        if labs.ndim != 1 or labs.size == 0:
            raise ValueError(f"labels must be a non-empty 1-D sequence; got {labels!r}")
        if np.unique(labs).size != labs.size:
            raise ValueError(f"labels must not repeat; got {labels!r}")
    index = {lab: i for i, lab in enumerate(labs.tolist())}
    n = len(index)
    cm = np.zeros((n, n), dtype=np.int64)
    for a, b in zip(t.tolist(), p.tolist()):
        i, j = index.get(a), index.get(b)
        if i is not None and j is not None:
            cm[i, j] += 1
    return cm


def macro_f1(y_true, y_pred) -> float:
    """Unweighted mean of the per-label F1 scores.

    Labels are the union of ``y_true`` and ``y_pred`` (as scikit-learn's
    ``f1_score(average="macro")``); a label never predicted correctly scores 0.

    Args:
        y_true: True labels, 1-D.
        y_pred: Predicted labels, same length.

    Returns:
        Macro-averaged F1 in [0, 1].

    Example:
        >>> round(macro_f1([0, 0, 1, 1], [0, 1, 1, 1]), 4)
        0.7333
    """
    cm = confusion_matrix(y_true, y_pred).astype(np.float64)
    tp = np.diag(cm)
    fp = cm.sum(axis=0) - tp
    fn = cm.sum(axis=1) - tp
    # 2tp / (2tp + fp + fn) equals 2PR/(P+R) and is 0 (not 0/0) when tp == 0,
    # because every label in the union has fp + fn > 0 when tp == 0.
    f1 = 2 * tp / (2 * tp + fp + fn)
    return float(np.mean(f1))


def log_loss(y_true, proba, classes=None) -> float:
    """Mean negative log-likelihood of the true labels (cross-entropy, natural log).

    Args:
        y_true: True labels, 1-D of length ``n``.
        proba: Class probabilities ``[n, n_classes]`` whose rows sum to 1, or for two
            classes a 1-D ``[n]`` array of the probability of the second class.
        classes: Labels of ``proba``'s columns, in order. Default: the sorted unique
            labels of ``y_true`` (scikit-learn's default).

    Returns:
        ``-mean(log(p[i, y_i]))``, probabilities clipped to ``[eps, 1 - eps]`` with
        ``eps`` the float64 machine epsilon so a confident mistake costs ~36, not inf.

    Raises:
        ValueError: If the shapes disagree, rows do not sum to 1 (within 1e-3),
            or a label of ``y_true`` is not in ``classes``.

    Example:
        >>> round(log_loss(["cat", "dog"], [[0.8, 0.2], [0.4, 0.6]]), 6)
        0.366985
    """
    t = _labels(y_true, "y_true")
    p = _as_float(proba, "proba")
    if classes is None:
        cls = _union_labels(t)
    else:
        cls = np.asarray(classes)
        if cls.ndim != 1 or cls.size == 0:
            raise ValueError(f"classes must be a non-empty 1-D sequence; got {classes!r}")
    if p.ndim == 1:
        if cls.size != 2:
            raise ValueError(
                f"1-D proba means the probability of the second of two classes; "
                f"got {cls.size} classes {cls.tolist()!r}"
            )
        p = np.stack([1.0 - p, p], axis=1)
    if p.ndim != 2 or p.shape[0] != t.shape[0] or p.shape[1] != cls.size:
        raise ValueError(
            f"proba must have shape [n_samples, n_classes] = [{t.shape[0]}, {cls.size}] "
            f"(classes {cls.tolist()!r}); got proba {p.shape}"
        )
    if np.any(p < 0) or np.any(np.isnan(p)):
        raise ValueError("proba must hold probabilities in [0, 1] without NaN")
    sums = p.sum(axis=1)
    if not np.allclose(sums, 1.0, atol=1e-3, rtol=0):
        worst = float(sums[np.argmax(np.abs(sums - 1))])
        raise ValueError(f"each row of proba must sum to 1; one sums to {worst}")
    index = {lab: i for i, lab in enumerate(cls.tolist())}
    unknown = sorted({lab for lab in t.tolist() if lab not in index}, key=str)
    if unknown:
        raise ValueError(f"y_true has labels {unknown!r} that are not in classes {cls.tolist()!r}")
    col = np.array([index[lab] for lab in t.tolist()])
    eps = np.finfo(np.float64).eps
    p = np.clip(p / sums[:, None], eps, 1 - eps)
    return float(-np.mean(np.log(p[np.arange(t.shape[0]), col])))


def classification_metrics(y_true, y_pred, proba=None, classes=None) -> dict:
    """The standard classification metrics in one dict.

    Args:
        y_true: True labels, 1-D.
        y_pred: Predicted labels, same length.
        proba: Optional class probabilities for ``log_loss``.
        classes: Column labels of ``proba`` (see ``log_loss``).

    Returns:
        ``{"accuracy", "macro_f1"}`` as floats, plus ``"log_loss"`` when ``proba``
        is given.

    Example:
        >>> classification_metrics([0, 1], [0, 1])
        {'accuracy': 1.0, 'macro_f1': 1.0}
    """
    out = {"accuracy": accuracy(y_true, y_pred), "macro_f1": macro_f1(y_true, y_pred)}
    if proba is not None:
        out["log_loss"] = log_loss(y_true, proba, classes=classes)
    return out
