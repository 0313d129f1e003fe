"""The Forecaster's training data: windows, the validation tail, scaling, streaming.

:func:`prepare` turns a :class:`zoo.panel.Panel` into everything training needs,
checked before any model exists: the calendar columns, the window layout, the
training / validation / all window starts of every series, the scaling constants
(fitted on the training part only) and whether the windows fit in memory.
:func:`network_data` gives the inputs and the scaled targets of a set of windows,
as dense arrays or, past ``DENSE_LIMIT`` floats, as a ``tf.data`` stream that slices
windows out of the series as they are needed. :func:`validation_metrics` scores a
model on the validation windows beside the naive baselines, in raw units.
:func:`future_values` reads the known-ahead covariates a forecast needs from ``future_df``.
:func:`seasonal_period` resolves the ``seasonal_residual`` option against the data.
"""

from __future__ import annotations

import dataclasses
import functools
import warnings

import numpy as np
import pandas as pd

from zoo import baselines, scaling
from zoo import windows as W
from zoo._checks import check_finite_float32, is_bool, is_int
from zoo.frames import median_of_quantiles, season_of

# Past this many floats of dense windows (80 MB as float32) training streams through tf.data.
DENSE_LIMIT = 20_000_000
# Windows sampled for the validation metrics when the windows stream.
METRIC_WINDOWS = 5_000


@dataclasses.dataclass
class TrainingData:
    """What :func:`prepare` found: the layout, the window starts and the scaling.

    Attributes:
        panel: The training panel.
        calendar: Calendar feature columns appended to every series.
        arrays: One ``[T, n_inputs]`` array per series (columns, then calendar).
        wspec: The window layout (``horizon`` is 1 for a recursive model).
        train_starts: Windows whose targets lie before each series' validation tail.
        val_starts: Windows whose targets all lie in the validation tail.
        all_starts: Every window (the refit's data).
        train_rows: The training part of each series (scaling is fitted on it).
        log: Whether targets are log-transformed.
        scaling: The resolved scaling (``"window"``, ``"window_std"``, ``"global"``, ``"none"``).
        stats: The scaling constants fitted on the training part.
        stream: Whether windows stream through tf.data instead of dense arrays.
        validation: Dense validation windows ``(x, y, future)`` (a sample of them when
            streaming) for the validation metrics, or None without a validation tail.
    """

    panel: object
    calendar: list
    arrays: list
    wspec: W.WindowSpec
    train_starts: list
    val_starts: list
    all_starts: list
    train_rows: list
    log: bool
    scaling: str
    stats: dict
    stream: bool
    validation: tuple | None

    @property
    def n_future(self) -> int:
        return len(self.wspec.future_cols)

    @property
    def n_inputs(self) -> int:
        return len(self.wspec.input_cols)

    @functools.cached_property
    def series(self):
        """The series as one float32 variable, shared by every stream of this data."""
        return W.series_variable(self.arrays)

    def refit_stats(self) -> dict:
        """Scaling constants fitted on every point (the refit learns from all of them)."""
        return scaling.fit_scaling(self.arrays, self.all_starts, self.wspec, self.log,
                                   self.scaling)


def calendar_for(panel, calendar_features) -> list:
    """The calendar columns ``calendar_features`` ("auto", True or False) adds to ``panel``."""
    timestamps = all(isinstance(s.index, pd.DatetimeIndex) for s in panel.series)
    if calendar_features is True:
        if not timestamps:
            raise ValueError("calendar_features=True needs timestamps (a DatetimeIndex or "
                             "datetime ds column)")
        columns = W.calendar_columns(panel.freq)
        if not columns:
            warnings.warn(f"calendar_features=True adds nothing at frequency {panel.freq!r}",
                          UserWarning, stacklevel=4)
        return columns
    if calendar_features == "auto" and timestamps:
        # yearly and irregular data have no calendar columns: then "auto" adds nothing
        return W.calendar_columns(panel.freq)
    return []


def resolve_log(train_rows, n_targets, log) -> bool:
    """``log`` ("auto", True or False) for these training rows."""
    positive = all(np.all(r[:, :n_targets] > 0) for r in train_rows if len(r))
    if log == "auto":
        return bool(positive)
    if log and not positive:
        raise ValueError("log=True needs strictly positive targets; use log='auto' or False")
    return bool(log)


def check_seasonal_residual(value, lookback, distribution):
    """``seasonal_residual`` checked before any data is read; returns it unchanged.

    Args:
        value: False, True (the data's season) or a period (int >= 1).
        lookback: The Forecaster's lookback (the window must hold one season).
        distribution: The Forecaster's distribution head (or None).

    Example:
        >>> check_seasonal_residual(13, lookback=12, distribution=None)
        Traceback (most recent call last):
        ...
        ValueError: seasonal_residual=13 needs lookback >= 13 (the window must hold one season); got lookback=12
    """
    if not (is_bool(value) or (is_int(value) and value >= 1)):
        raise ValueError(f"seasonal_residual must be False, True (the season of the data's "
                         f"frequency) or a period in steps (an int >= 1), got {value!r}")
    if not is_bool(value) and int(value) > int(lookback):
        raise ValueError(f"seasonal_residual={value} needs lookback >= {value} (the window "
                         f"must hold one season); got lookback={lookback}")
    if bool(value) and distribution == "negative_binomial":
        raise ValueError("seasonal_residual cannot be combined with distribution="
                         "'negative_binomial': its mean is constrained positive, so the "
                         "seasonal naive cannot be added to it; use 'normal' or 'student_t'")
    return value


def seasonal_period(value, freq, lookback):
    """The period :func:`zoo.forecast_graph.assemble` adds the seasonal naive of, or None.

    ``True`` is the season of ``freq`` (:func:`zoo.frames.season_of`), refused when the
    frequency has none; an int is that period.

    Example:
        >>> seasonal_period(True, "MS", lookback=24), seasonal_period(False, "MS", 24)
        (12, None)
    """
    if not value:
        return None
    if is_bool(value):
        period = season_of(freq)
        if period <= 1:
            what = (f"frequency {freq!r} has none" if isinstance(freq, str) else
                    "the data has no timestamps (an integer index or an array)")
            raise ValueError(f"seasonal_residual=True uses the season of the data's frequency, "
                             f"but {what}; pass the period as an int (seasonal_residual=7) "
                             "or use False")
        if period > int(lookback):
            raise ValueError(f"seasonal_residual=True uses the season {period} of frequency "
                             f"{freq!r}, which needs lookback >= {period}; got "
                             f"lookback={lookback}")
        return int(period)
    return int(value)


def prepare(panel, *, lookback, horizon, validation_size, calendar_features, log,
            scaling_choice) -> TrainingData:
    """Windows, splits and scaling for training on ``panel``; refuses data too short.

    Args:
        panel: The training panel.
        lookback: Input steps.
        horizon: Target steps per window (1 for a recursive model).
        validation_size: The tail of each series held out (fraction or steps).
        calendar_features: ``"auto"``, True or False.
        log: ``"auto"``, True or False.
        scaling_choice: ``"auto"`` or one of :data:`zoo.scaling.SCALINGS`.

    Returns:
        A :class:`TrainingData`.
    """
    L, H = int(lookback), int(horizon)
    calendar = calendar_for(panel, calendar_features)
    arrays = W.add_calendar(panel, calendar)
    for series, a in zip(panel.series, arrays):
        if a is not series.values:
            # the arrays begin with the panel's columns: a long series holds them once
            series.values = a[:, : series.values.shape[1]]
    n_t = len(panel.targets)
    n_cols = arrays[0].shape[1]
    future_cols = list(range(n_t + len(panel.past_covariates), n_cols))
    wspec = W.WindowSpec(L, H, n_t, list(range(n_cols)), future_cols)

    splits = [W.split_point(len(a), validation_size) for a in arrays]
    all_starts = [W.window_starts(len(a), L, H) for a in arrays]
    # the training and validation windows are a head and a tail of them (views: a long
    # series holds its starts once); window_starts(..., last_target / first_target=s)
    train_starts = [st[: max(s - L - H + 1, 0)] for st, s in zip(all_starts, splits)]
    val_starts = [st[max(s - L, 0):] if s < len(a) else np.zeros(0, "int64")
                  for a, st, s in zip(arrays, all_starts, splits)]
    short = [s.uid for s, st in zip(panel.series, all_starts) if len(st) == 0]
    if len(short) == len(arrays):
        raise ValueError(
            f"too little data: lookback + horizon = {L + H} steps are needed for one "
            f"training window, but the longest series has {max(len(a) for a in arrays)}"
        )
    if panel.kind == "long":
        W.warn_short(short, L + H)
    if sum(len(s) for s in train_starts) == 0:
        raise ValueError(
            f"validation_size={validation_size!r} leaves no training window of "
            f"lookback + horizon = {L + H} steps; lower validation_size or lookback"
        )
    n_val = sum(len(s) for s in val_starts)
    if n_val == 0 and any(s < len(a) for a, s in zip(arrays, splits)):
        # a validation window needs horizon steps of the tail as targets
        warnings.warn(
            f"validation_size={validation_size!r} leaves a validation tail shorter "
            f"than horizon={H}: no validation window, so no early stopping and no "
            "validation_metrics_; raise validation_size to at least the horizon",
            UserWarning, stacklevel=3,
        )

    train_rows = [a[:s] for a, s in zip(arrays, splits)]
    log = resolve_log(train_rows, n_t, log)
    resolved = "window" if scaling_choice == "auto" else scaling_choice
    stats = scaling.fit_scaling(train_rows, train_starts, wspec, log, resolved)
    # Small data trains on dense window arrays; past DENSE_LIMIT values the windows are
    # sliced out of the series by tf.data as they are needed (memory O(series length)).
    stream = W.window_values(all_starts, wspec) > DENSE_LIMIT
    # the validation metrics need the windows in memory: an evenly spaced sample of them
    validation = None
    if n_val:
        starts = W.thin(val_starts, METRIC_WINDOWS) if stream else val_starts
        validation = W.make_windows(arrays, starts, wspec)
    return TrainingData(panel, list(calendar), arrays, wspec, train_starts, val_starts,
                        all_starts, train_rows, log, resolved, stats, bool(stream), validation)


def network_data(data: TrainingData, starts, stats, *, shuffle, batch_size, seed):
    """``(inputs, scaled targets)`` of the windows at ``starts``: arrays or a tf.data stream.

    The targets are on the network's scale, computed by :mod:`zoo.scaling` with the
    ``loc`` and ``scale`` the model's own :class:`WindowScaler` removes from each window.
    """
    kwargs = scaling.layer_kwargs(stats, data.wspec.n_targets)
    if data.stream:
        return stream(data.arrays, starts, data.wspec, kwargs, batch_size=batch_size,
                      shuffle=shuffle, seed=seed, series=data.series)
    from zoo.forecast_graph import model_inputs

    x, y, future = W.make_windows(data.arrays, starts, data.wspec)
    _, loc, scale = scaling.scale_window(x.astype("float64"), **kwargs)
    targets = scaling.scale_targets(y.astype("float64"), loc, scale, kwargs["log"])
    return model_inputs(x, future), np.asarray(targets, dtype="float32")


def stream(arrays, starts, wspec, scaler_kwargs, *, batch_size, shuffle, seed, series=None):
    """A ``tf.data`` pipeline of ``(inputs, scaled targets)`` slicing windows on the fly.

    Args:
        arrays: One ``[T, n_inputs]`` array per series.
        starts: Window starts per series.
        wspec: The window layout.
        scaler_kwargs: :func:`zoo.scaling.layer_kwargs` of the fitted constants.
        batch_size: Batch size.
        shuffle: Shuffle the windows every epoch.
        seed: Shuffle seed.
        series: :func:`zoo.windows.series_variable` of ``arrays`` (None: made here); the
            training, validation and refit streams share one.

    Returns:
        A batched, prefetched ``tf.data.Dataset``.
    """
    ds = W.make_dataset(arrays, starts, wspec, batch_size=batch_size, shuffle=shuffle, seed=seed,
                        series=series)

    def scale(inputs, y):
        _, loc, spread = scaling.scale_window(
            inputs["inputs"] if isinstance(inputs, dict) else inputs, **scaler_kwargs)
        return inputs, scaling.scale_targets(y, loc, spread, scaler_kwargs["log"])

    # sequential, as the windows' map: the dataset reads a variable (see make_dataset)
    return ds.map(scale).prefetch(2)


def validation_metrics(predict_model, data: TrainingData, quantiles) -> dict:
    """The model and the naive baselines scored on the validation windows, in raw units.

    Returns:
        ``{"n_windows": N, "model": {...}, "naive": {...}, "seasonal_naive": {...}}``
        with MAE, RMSE, MAPE (no zero actuals) and MASE (one series) for each.
    """
    from zoo import metrics
    from zoo.forecast_graph import model_inputs

    x, y, future = data.validation
    pred = np.asarray(predict_model(model_inputs(x, future), training=False))
    if quantiles:
        pred = median_of_quantiles(pred, quantiles)
    n_t, H = data.wspec.n_targets, y.shape[1]
    history = x[..., :n_t].astype("float64")
    season = season_of(data.panel.freq)
    candidates = {"model": pred,
                  "naive": np.stack([baselines.naive(h, H) for h in history])}
    if season > 1 and history.shape[1] >= season:
        candidates["seasonal_naive"] = np.stack(
            [baselines.seasonal_naive(h, H, season) for h in history])
    result = {"n_windows": len(x)}
    scale_rows = [r[:, :n_t] for r in data.train_rows if len(r) > season]
    for name, p in candidates.items():
        row = {"mae": metrics.mae(y, p), "rmse": metrics.rmse(y, p)}
        if np.all(y != 0):
            row["mape"] = metrics.mape(y, p)
        if len(scale_rows) == 1:
            try:
                row["mase"] = metrics.mase(y.reshape(-1, n_t), p.reshape(-1, n_t), scale_rows[0],
                                           season=season)
            except ValueError:
                pass
        result[name] = {k: float(v) for k, v in row.items()}
    return result


def future_values(future_df, series, indices, kind, cols):
    """The known-ahead columns ``cols`` of ``future_df`` over each series' horizon.

    Args:
        future_df: Wide: a frame indexed by the future timestamps (or positions); long:
            ``unique_id``, ``ds`` and the columns; array layout: the next rows.
        series: The history series, one per forecast.
        indices: The future index of each series.
        kind: The history's layout (``"wide"``, ``"long"``, ``"array"``).
        cols: The known-ahead columns.

    Returns:
        One ``[horizon, len(cols)]`` float64 array per series (None each without ``cols``).
    """
    if not cols:
        return [None] * len(series)
    if future_df is None:
        raise ValueError(f"future_df is required: the model uses known-ahead covariates {cols}")
    if not isinstance(future_df, pd.DataFrame):
        raise TypeError(f"future_df must be a DataFrame holding the known-ahead columns {cols} "
                        "over the horizon (indexed by the future timestamps; a long frame's "
                        f"with columns {W.ID_COL!r} and {W.TIME_COL!r}), got "
                        f"{type(future_df).__name__}")
    if kind == "long" and not W.is_long(future_df):
        raise ValueError(f"future_df of a long frame needs columns {W.ID_COL!r} and "
                         f"{W.TIME_COL!r} beside {cols}; it has {list(future_df.columns)}")
    out = []
    for s, idx in zip(series, indices):
        if kind == "long":
            part = future_df[future_df[W.ID_COL] == s.uid].set_index(W.TIME_COL)
        else:
            part = future_df
        missing = [c for c in cols if c not in part.columns]
        if missing:
            raise ValueError(f"future_df lacks column(s) {missing}")
        try:
            values = part.loc[idx, cols] if kind != "array" else part[cols].iloc[: len(idx)]
        except KeyError:
            raise ValueError(
                f"future_df must cover the {len(idx)} steps after the history "
                f"({idx[0]} .. {idx[-1]})"
            ) from None
        if len(values) != len(idx):
            raise ValueError(f"future_df must hold {len(idx)} rows per series, got {len(values)}")
        try:
            arr = values.to_numpy(dtype="float64", na_value=np.nan)
        except (TypeError, ValueError):
            raise ValueError(f"future_df column(s) {cols} must hold numbers") from None
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"NaN or inf in future_df column(s) {cols}")
        check_finite_float32(arr, f"future_df column(s) {cols}")
        out.append(arr)
    return out
