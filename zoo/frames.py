"""Pure pandas: frequencies, future indexes, calendar features, seasons, forecast frames.

Nothing here knows about models: these are the facts about time indexes and the
output tables that estimators, baselines, backtests and the Predictor share.
"""

from __future__ import annotations

import numbers
import re

import numpy as np
import pandas as pd

ID_COL = "unique_id"
TIME_COL = "ds"
LONG_VALUE_COL = "y"


def infer_freq(index: pd.Index):
    """The frequency of a regular index: a pandas alias, or the integer step.

    Args:
        index: A DatetimeIndex or an integer index (at least 3 points for dates).

    Returns:
        A frequency string (``"MS"``, ``"QS-JAN"``, ``"D"``...) or an int step, or
        None when it cannot be inferred.

    Example:
        >>> infer_freq(pd.date_range("2020-01-01", periods=5, freq="MS"))
        'MS'
        >>> infer_freq(pd.Index([3, 5, 7]))
        2
    """
    if isinstance(index, pd.DatetimeIndex):
        if index.freq is not None:
            return index.freqstr
        if len(index) >= 3:
            return pd.infer_freq(index)
        return None
    if len(index) >= 2:
        steps = np.diff(np.asarray(index))
        if np.all(steps == steps[0]):
            return int(steps[0])
    return 1 if len(index) < 2 else None


def parse_dates(values, name) -> pd.DatetimeIndex:
    """The timestamps of a column of date strings (a CSV's time column, a long frame's ``ds``).

    Read month-first as pandas reads them, or day-first where only that gives increasing,
    regular dates (``31.01.2020``, ``29/02/2020`` from European spreadsheets).

    Args:
        values: The column (strings or datetime objects).
        name: Its name, for messages.

    Returns:
        A DatetimeIndex (unordered or irregular dates too: the panel says what is wrong).

    Raises:
        ValueError: Naming the column, when it holds no dates, or times of different zones
            (or naive times beside zoned ones).

    Example:
        >>> parse_dates(pd.Series(["31.01.2020", "29.02.2020", "31.03.2020"]), "date").month.tolist()
        [1, 2, 3]
    """
    import warnings

    parsed = []
    for dayfirst in (False, True):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                index = pd.DatetimeIndex(pd.to_datetime(values, dayfirst=dayfirst))
        except (ValueError, TypeError):
            continue
        if index.is_monotonic_increasing and (len(index) < 3 or pd.infer_freq(index)):
            return index
        parsed.append(index)
    if parsed:
        return parsed[0]
    try:
        pd.to_datetime(values, format="mixed", utc=True)
    except (ValueError, TypeError):
        raise ValueError(f"column {name!r} does not hold dates (date strings such as "
                         "2020-01-31 or timestamps)") from None
    raise ValueError(f"column {name!r} mixes time zones or UTC offsets (or naive and zoned "
                     "times); write every time in one zone (e.g. UTC)")


def future_index(index: pd.Index, horizon: int, freq=None) -> pd.Index:
    """The ``horizon`` timestamps (or integer positions) after ``index``.

    Args:
        index: The history's index.
        horizon: Number of future steps.
        freq: Frequency to use (inferred when None).

    Returns:
        A DatetimeIndex (with freq) or an integer RangeIndex-like Index.

    Example:
        >>> idx = future_index(pd.date_range("2020-01-01", periods=3, freq="MS"), 2)
        >>> [str(d.date()) for d in idx], idx.freqstr
        (['2020-04-01', '2020-05-01'], 'MS')
    """
    freq = freq if freq is not None else infer_freq(index)
    if isinstance(index, pd.DatetimeIndex):
        if freq is None or isinstance(freq, numbers.Integral):
            raise ValueError(
                "cannot infer the frequency of the time index; give a regular DatetimeIndex "
                "(set df.index.freq, e.g. df = df.asfreq('MS'))"
            )
        offset = pd.tseries.frequencies.to_offset(freq)
        return pd.date_range(index[-1] + offset, periods=horizon, freq=offset)
    step = int(freq) if isinstance(freq, numbers.Integral) else 1
    start = int(index[-1]) + step
    return pd.RangeIndex(start, start + step * horizon, step)


# ---------------------------------------------------------------------------- calendar
def calendar_columns(freq) -> list:
    """Names of the calendar features used for a frequency.

    Monthly data get month-of-year, quarterly quarter-of-year, weekly
    week-of-year, daily day-of-week and day-of-year, hourly and finer hour-of-day
    and day-of-week; each as a sine/cosine pair so that December sits next to
    January. Yearly and integer-indexed data have none.

    Args:
        freq: A pandas frequency string (or None / int for none).

    Returns:
        Column names such as ``["month_sin", "month_cos"]``.

    Example:
        >>> calendar_columns("MS")
        ['month_sin', 'month_cos']
    """
    if freq is None or isinstance(freq, numbers.Integral):
        return []
    base = pd.tseries.frequencies.to_offset(freq).rule_code.split("-")[0].upper()
    if base in ("MS", "ME", "M", "BMS", "BME", "SMS", "SME"):
        parts = ["month"]
    elif base in ("QS", "QE", "Q", "BQS", "BQE"):
        parts = ["quarter"]
    elif base in ("W",):
        parts = ["week"]
    elif base in ("D", "B", "C"):
        parts = ["dayofweek", "dayofyear"]
    elif base in ("H", "BH", "CBH") or base.lower() in ("h", "min", "s", "t", "ms", "us", "ns"):
        parts = ["hour", "dayofweek"]
    else:
        parts = []
    return [f"{p}_{fn}" for p in parts for fn in ("sin", "cos")]


_PERIODS = {"month": 12, "quarter": 4, "week": 52.1775, "dayofweek": 7, "dayofyear": 365.25,
            "hour": 24}


def _wall_clock(index: pd.DatetimeIndex) -> np.ndarray:
    """The timestamps as naive ``datetime64`` (in their own unit) in wall-clock time."""
    if index.tz is not None:
        index = index.tz_localize(None)
    return index.to_numpy()


def calendar_features(index: pd.DatetimeIndex, columns: list) -> np.ndarray:
    """Sine/cosine calendar features of timestamps.

    Args:
        index: Timestamps.
        columns: Names from :func:`calendar_columns`.

    Returns:
        ``[len(index), len(columns)]`` float64 array.

    Example:
        >>> idx = pd.date_range("2020-01-01", periods=2, freq="MS")
        >>> calendar_features(idx, ["month_sin", "month_cos"]).round(3).tolist()
        [[0.0, 1.0], [0.5, 0.866]]
    """
    out = np.zeros((len(index), len(columns)))
    # numpy's datetime64 arithmetic, not pandas' field accessors: this runs for every
    # forecast (a tenth of a millisecond per accessor on a short index)
    stamps = _wall_clock(index)
    for j, col in enumerate(columns):
        part, fn = col.rsplit("_", 1)
        if part == "month":
            value = stamps.astype("M8[M]").astype("int64") % 12
        elif part == "quarter":
            value = stamps.astype("M8[M]").astype("int64") % 12 // 3
        elif part == "week":
            value = index.isocalendar().week.to_numpy() - 1
        elif part == "dayofweek":  # 1970-01-01 was a Thursday (Monday is 0)
            value = (stamps.astype("M8[D]").astype("int64") + 3) % 7
        elif part == "dayofyear":
            value = (stamps.astype("M8[D]") - stamps.astype("M8[Y]")).astype("int64")
        elif part == "hour":
            value = (stamps - stamps.astype("M8[D]")).astype("m8[m]").astype("int64") / 60.0
        else:
            raise ValueError(f"unknown calendar feature {col!r}")
        angle = 2 * np.pi * np.asarray(value, dtype="float64") / _PERIODS[part]
        out[:, j] = np.sin(angle) if fn == "sin" else np.cos(angle)
    return out


# ---------------------------------------------------------------------------- seasons and forecast frames
SEASONS = {"MS": 12, "ME": 12, "M": 12, "QS": 4, "QE": 4, "Q": 4, "W": 52, "D": 7, "B": 5,
           "H": 24, "h": 24}


def season_of(freq) -> int:
    """The seasonal period of a frequency (12 for monthly, 4 quarterly, ...; 1 if none).

    Example:
        >>> season_of("MS"), season_of("QS-JAN"), season_of("YS")
        (12, 4, 1)
    """
    if freq is None or isinstance(freq, numbers.Integral):
        return 1
    name = pd.tseries.frequencies.to_offset(freq).rule_code.split("-")[0]
    return SEASONS.get(name, SEASONS.get(name.upper(), 1))


def quantile_column(name: str, q: float) -> str:
    """Column name of a quantile forecast: ``"passengers_q0.1"``."""
    return f"{name}_q{q:g}"


def interval_suffixes(levels) -> list:
    """Column suffixes of intervals: ``["lo0.8", "hi0.8", ...]``, lower then upper per level."""
    return [f"{side}{level:g}" for level in levels for side in ("lo", "hi")]


def add_forecast_columns(frame, values, suffixes, kind, targets):
    """Adds ``<name>_<suffix>`` columns to a :func:`format_forecast` frame, in place.

    Args:
        frame: The forecast frame (wide: one series; long: the series one after another).
        values: ``[S, horizon, n_targets, len(suffixes)]``.
        suffixes: One column suffix per entry of the last axis (``"q0.1"``, ``"lo0.8"``).
        kind: The layout of ``frame`` (``"long"`` or another).
        targets: Target column names.

    Returns:
        ``frame``.
    """
    values = np.asarray(values)
    if kind == "long":
        names = ["y_hat"] if len(targets) == 1 else [f"{t}_hat" for t in targets]
    else:
        names = list(targets)
    for j, name in enumerate(names):
        for k, suffix in enumerate(suffixes):
            column = values[:, :, j, k].reshape(-1) if kind == "long" else values[0, :, j, k]
            frame[f"{name}_{suffix}"] = column
    return frame


# "<target>_q0.1", "y_hat_q0.95", "sales_q.5": everything after the last "_q" is the level.
_QUANTILE_COLUMN = re.compile(r"^(?P<target>.*)_q(?P<level>\d*\.?\d+)$")


def parse_quantile_column(column) -> tuple[str, float] | None:
    """``(target, level)`` of a :func:`quantile_column` name, or None for other columns.

    Example:
        >>> parse_quantile_column("passengers_q0.1"), parse_quantile_column("passengers")
        (('passengers', 0.1), None)
    """
    match = _QUANTILE_COLUMN.match(str(column))
    if match is None or not 0 < float(match["level"]) < 1:
        return None
    return match["target"], float(match["level"])


def format_forecast(out, series, indices, kind, targets, quantiles=None):
    """Turns model outputs into the Forecaster's output frame (shared with the baselines).

    Args:
        out: ``[S, horizon, n_targets]`` (``[..., n_quantiles]`` with quantiles).
        series: The history series (``zoo.windows.Series``), one per row of ``out``.
        indices: The future index of each series.
        kind: The input layout: ``"wide"``, ``"long"``, ``"series"`` or ``"array"``.
        targets: Target column names.
        quantiles: Quantile levels of the last axis of ``out``, or None.

    Returns:
        Wide: a DataFrame indexed by the future timestamps; long: ``unique_id``,
        ``ds``, ``y_hat`` (+ quantile columns).
    """
    qs = quantiles
    if qs:
        median = median_of_quantiles(out, qs)
    else:
        median = out
    if kind == "long":
        frames = []
        for i, (s, idx) in enumerate(zip(series, indices)):
            data = {ID_COL: [s.uid] * len(idx), TIME_COL: idx}
            names = ["y_hat"] if len(targets) == 1 else [f"{t}_hat" for t in targets]
            for j, name in enumerate(names):
                data[name] = median[i, :, j]
                for k, q in enumerate(qs or []):
                    data[quantile_column(name, q)] = out[i, :, j, k]
            frames.append(pd.DataFrame(data))
        return pd.concat(frames, ignore_index=True)
    idx = indices[0]
    data = {}
    for j, t in enumerate(targets):
        data[t] = median[0, :, j]
        for k, q in enumerate(qs or []):
            data[quantile_column(t, q)] = out[0, :, j, k]
    frame = pd.DataFrame(data, index=idx)
    if isinstance(idx, pd.DatetimeIndex):
        frame.index.name = series[0].index.name
    return frame


def median_of_quantiles(out, qs):
    """The median from quantile forecasts ``[..., n_quantiles]`` (interpolated without 0.5).

    Example:
        >>> median_of_quantiles(np.array([[1.0, 3.0]]), [0.1, 0.9]).tolist()
        [2.0]
    """
    if 0.5 in qs:
        return out[..., qs.index(0.5)]
    # interpolate the median between the nearest quantiles
    qs_arr = np.asarray(qs)
    lo = np.searchsorted(qs_arr, 0.5) - 1
    lo = int(np.clip(lo, 0, len(qs) - 2)) if len(qs) > 1 else 0
    if len(qs) == 1:
        return out[..., 0]
    w = (0.5 - qs[lo]) / (qs[lo + 1] - qs[lo])
    return out[..., lo] * (1 - w) + out[..., lo + 1] * w
