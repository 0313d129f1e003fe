"""Time-ordered splits, sliding windows, covariates and calendar features.

Data flows ``DataFrame -> Panel -> windows``. A :class:`Panel` holds one or
more series (a wide frame is one series; a long frame with ``unique_id`` and
``ds`` is many), each as a float array ``[T, n_columns]`` with columns ordered
targets, past covariates, future (known-ahead) covariates. Windows never
straddle two series, and training / validation splits are taken from the tail
of each series, never shuffled across time.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import warnings

import numpy as np
import pandas as pd

ID_COL = "unique_id"
TIME_COL = "ds"
LONG_VALUE_COL = "y"

# rows * columns above which windows stream through tf.data instead of a dense array
STREAM_THRESHOLD = 20_000_000


@dataclasses.dataclass
class Series:
    """One series of a panel.

    Attributes:
        uid: The series id (``None`` for a wide frame).
        index: Timestamps (DatetimeIndex) or integer positions, length ``T``.
        values: ``[T, n_columns]`` float64 values, columns as in the panel.
    """

    uid: object
    index: pd.Index
    values: np.ndarray


@dataclasses.dataclass
class Panel:
    """Series with a shared column layout.

    Attributes:
        series: The series.
        targets: Target column names.
        past_covariates: Columns observed only up to the forecast origin.
        future_covariates: Columns known ahead (also needed over the horizon).
        kind: ``"wide"``, ``"long"`` or ``"array"`` (how predictions are returned).
        freq: The pandas frequency string of a DatetimeIndex, or the integer step.
    """

    series: list
    targets: list
    past_covariates: list
    future_covariates: list
    kind: str
    freq: object = None

    @property
    def columns(self) -> list:
        return self.targets + self.past_covariates + self.future_covariates


def _is_numeric(s: pd.Series) -> bool:
    # booleans (a holiday flag, a promotion on/off) are covariates too: they read as 0 / 1
    return pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)


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
    for j, col in enumerate(columns):
        part, fn = col.rsplit("_", 1)
        if part == "month":
            value = index.month - 1
        elif part == "quarter":
            value = index.quarter - 1
        elif part == "week":
            value = index.isocalendar().week.to_numpy() - 1
        elif part == "dayofweek":
            value = index.dayofweek
        elif part == "dayofyear":
            value = index.dayofyear - 1
        elif part == "hour":
            value = index.hour + index.minute / 60.0
        else:
            raise ValueError(f"unknown calendar feature {col!r}")
        angle = 2 * np.pi * np.asarray(value, dtype="float64") / _PERIODS[part]
        out[:, j] = np.sin(angle) if fn == "sin" else np.cos(angle)
    return out


# ---------------------------------------------------------------------------- frames
def _as_list(value, name):
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        items = list(value)
    except TypeError:
        raise TypeError(f"{name} must be a column name or a list of names, got {value!r}") from None
    if not all(isinstance(v, str) for v in items):
        raise TypeError(f"{name} must hold column names (strings), got {value!r}")
    return items


def _check_values(frame: pd.DataFrame, columns, fill_missing, where):
    for col in columns:
        if not _is_numeric(frame[col]):
            raise ValueError(
                f"column {col!r} is not numeric (dtype {frame[col].dtype}); targets and "
                f"covariates must be numbers{where}"
            )
    values = frame[columns].to_numpy(dtype="float64", copy=True)
    bad = ~np.isfinite(values)
    if bad.any():
        cols = sorted({columns[j] for j in np.nonzero(bad)[1]})
        if fill_missing == "interpolate":
            filled = pd.DataFrame(values, columns=columns).replace([np.inf, -np.inf], np.nan)
            filled = filled.interpolate(limit_direction="both")
            if filled.isna().any().any():
                raise ValueError(f"column(s) {cols} are entirely missing{where}")
            return filled.to_numpy()
        raise ValueError(
            f"NaN or inf in column(s) {cols}{where}; clean the data or pass "
            f"fill_missing='interpolate'"
        )
    return values


def _check_index(index, where):
    if index.has_duplicates:
        dup = index[index.duplicated()][0]
        raise ValueError(f"duplicate timestamp {dup!r}{where}")
    if not index.is_monotonic_increasing:
        raise ValueError(f"timestamps are not in increasing order{where}; sort the data first")


def is_long(df) -> bool:
    """Whether ``df`` is a long frame (columns ``unique_id`` and ``ds``)."""
    return isinstance(df, pd.DataFrame) and ID_COL in df.columns and TIME_COL in df.columns


def to_panel(data, target=None, future_covariates=None, *, fill_missing=None,
             layout=None) -> Panel:
    """Reads a wide frame, a long frame, a Series or an array into a :class:`Panel`.

    Args:
        data: A wide DataFrame (DatetimeIndex or integer index; numeric columns),
            a long DataFrame (columns ``unique_id``, ``ds`` and ``y`` or the
            ``target`` column), a Series, or a 1-D / 2-D array.
        target: Target column(s); None means the only numeric column (``y`` in a
            long frame). For arrays, ``None`` means every column.
        future_covariates: Columns known ahead of time.
        fill_missing: None (NaN/inf is an error) or ``"interpolate"``.
        layout: A panel whose columns the result must match (for predict).

    Returns:
        The panel.

    Raises:
        ValueError: For unknown or non-numeric columns, NaN/inf, duplicate or
            unordered timestamps; the message names the column.

    Example:
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0]}, index=pd.date_range("2020", periods=3, freq="D"))
        >>> p = to_panel(df)
        >>> p.targets, p.series[0].values.shape, p.freq
        (['y'], (3, 1), 'D')
    """
    if fill_missing not in (None, "interpolate"):
        raise ValueError(f"fill_missing must be None or 'interpolate', got {fill_missing!r}")
    future_covariates = _as_list(future_covariates, "future_covariates")
    if isinstance(data, pd.Series):
        name = data.name if isinstance(data.name, str) else (target if isinstance(target, str) else "y")
        frame = data.to_frame(name=name)
        kind = "wide" if isinstance(frame.index, pd.DatetimeIndex) else "array"
        if kind == "array" and not pd.api.types.is_integer_dtype(frame.index):
            # an integer index is kept so that forecasts continue it
            frame.index = pd.RangeIndex(len(frame))
        return _wide_panel(frame, target or name, future_covariates, fill_missing, layout, kind)
    if isinstance(data, np.ndarray) or (isinstance(data, (list, tuple)) and not isinstance(data, str)):
        arr = np.asarray(data)
        if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
            raise TypeError(f"data must be numeric, got an array of dtype {arr.dtype}")
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim != 2:
            raise ValueError(f"an array must be 1-D [T] or 2-D [T, n_columns], got shape {arr.shape}")
        cols = [f"y{j}" if arr.shape[1] > 1 else "y" for j in range(arr.shape[1])]
        if layout is not None:
            if len(layout.columns) != arr.shape[1]:
                raise ValueError(
                    f"data has {arr.shape[1]} column(s) but the model was fitted on "
                    f"{len(layout.columns)}: {layout.columns}"
                )
            cols = layout.columns
        frame = pd.DataFrame(arr, columns=cols)
        tgt = target if target is not None else (layout.targets if layout else cols)
        return _wide_panel(frame, tgt, future_covariates, fill_missing, layout, "array")
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"data must be a DataFrame, Series or numpy array, got {type(data).__name__}"
        )
    if is_long(data):
        return _long_panel(data, target, future_covariates, fill_missing, layout)
    if TIME_COL in data.columns or ID_COL in data.columns:
        missing = ID_COL if TIME_COL in data.columns else TIME_COL
        raise ValueError(
            f"a long frame needs both columns {ID_COL!r} and {TIME_COL!r}; column {missing!r} "
            "is missing (for a single series, use a wide frame indexed by time)"
        )
    return _wide_panel(data, target, future_covariates, fill_missing, layout, "wide")


def _resolve_columns(frame, target, future_covariates, layout, exclude=()):
    numeric = [c for c in frame.columns if c not in exclude and _is_numeric(frame[c])]
    if layout is not None:
        missing = [c for c in layout.columns if c not in frame.columns]
        if missing:
            raise ValueError(
                f"column(s) {missing} were used in fit but are missing here; expected "
                f"{layout.columns}"
            )
        # a numeric column fit never saw would silently be dropped: refuse it instead
        extra = [c for c in numeric if c not in layout.columns]
        if extra:
            raise ValueError(
                f"column(s) {extra} were not used in fit; expected the columns {layout.columns}"
            )
        return list(layout.targets), list(layout.past_covariates), list(layout.future_covariates)
    targets = _as_list(target, "target")
    if not targets:
        candidates = [c for c in numeric if c not in future_covariates]
        if len(candidates) != 1:
            raise ValueError(
                f"target=None needs exactly one numeric column, found {len(candidates)}: "
                f"{candidates}; pass target='<column>' (or a list)"
            )
        targets = candidates
    for name, cols in (("target", targets), ("future_covariates", future_covariates)):
        unknown = [c for c in cols if c not in frame.columns]
        if unknown:
            raise ValueError(
                f"{name}: unknown column(s) {unknown}; the frame has {list(frame.columns)}"
            )
    overlap = set(targets) & set(future_covariates)
    if overlap:
        raise ValueError(f"column(s) {sorted(overlap)} are both target and future_covariates")
    past = [c for c in numeric if c not in targets and c not in future_covariates]
    return targets, past, list(future_covariates)


def _wide_panel(frame, target, future_covariates, fill_missing, layout, kind):
    index = frame.index
    if not isinstance(index, pd.DatetimeIndex):
        if not pd.api.types.is_integer_dtype(index):
            raise ValueError(
                "a wide frame needs a DatetimeIndex or an integer index; got an index of dtype "
                f"{index.dtype}. Set the time column as index (df.set_index('date')) or use "
                f"a long frame with columns {ID_COL!r} and {TIME_COL!r}"
            )
    _check_index(index, "")
    targets, past, future = _resolve_columns(frame, target, future_covariates, layout)
    values = _check_values(frame, targets + past + future, fill_missing, "")
    freq = infer_freq(index)
    if isinstance(index, pd.DatetimeIndex) and freq is None and len(index) >= 3:
        raise ValueError(
            "the DatetimeIndex has no regular frequency (gaps or irregular steps); "
            "resample it first, e.g. df.asfreq('MS') and fill_missing='interpolate'"
        )
    return Panel([Series(None, index, values)], targets, past, future, kind, freq)


def _long_panel(frame, target, future_covariates, fill_missing, layout):
    target = target if target is not None else (None if layout else LONG_VALUE_COL)
    if layout is None and isinstance(target, str) and target not in frame.columns:
        raise ValueError(
            f"long frame: value column {target!r} not found; columns are {list(frame.columns)}"
        )
    targets, past, future = _resolve_columns(frame, target, future_covariates, layout,
                                             exclude=(ID_COL, TIME_COL))
    ds = frame[TIME_COL]
    if not (pd.api.types.is_datetime64_any_dtype(ds) or pd.api.types.is_integer_dtype(ds)):
        try:
            ds = pd.to_datetime(ds)
        except (ValueError, TypeError):
            raise ValueError(
                f"column {TIME_COL!r} must hold timestamps or integers, got dtype {ds.dtype}"
            ) from None
    frame = frame.assign(**{TIME_COL: ds})
    series, freq = [], None
    for uid, group in frame.groupby(ID_COL, sort=False):
        index = pd.DatetimeIndex(group[TIME_COL]) if pd.api.types.is_datetime64_any_dtype(
            group[TIME_COL]) else pd.Index(group[TIME_COL].to_numpy())
        where = f" (series {uid!r})"
        _check_index(index, where)
        values = _check_values(group, targets + past + future, fill_missing, where)
        f = infer_freq(index)
        if freq is None and f is not None:
            freq = f
        series.append(Series(uid, index, values))
    if not series:
        raise ValueError("the long frame has no rows")
    return Panel(series, targets, past, future, "long", freq)


# ---------------------------------------------------------------------------- windows
def add_calendar(panel: Panel, columns: list) -> list:
    """Arrays of each series with calendar features appended (``[T, n_cols + n_cal]``).

    Args:
        panel: The panel (its series need a DatetimeIndex when ``columns``).
        columns: Calendar feature names.

    Returns:
        One array per series.
    """
    if not columns:
        return [s.values for s in panel.series]
    return [np.concatenate([s.values, calendar_features(s.index, columns)], axis=1)
            for s in panel.series]


def window_starts(length: int, lookback: int, horizon: int, first_target=None, last_target=None):
    """Start positions of windows whose target steps lie in ``[first_target, last_target)``.

    A window starting at ``s`` reads inputs ``s .. s+lookback-1`` and targets
    ``s+lookback .. s+lookback+horizon-1``: the target window starts right after the
    input window.

    Args:
        length: Series length.
        lookback: Input steps.
        horizon: Target steps.
        first_target: Earliest allowed target position (default: no limit).
        last_target: One past the latest allowed target position (default: length).

    Returns:
        An int array of start positions.

    Example:
        >>> window_starts(10, 3, 2).tolist()
        [0, 1, 2, 3, 4, 5]
        >>> window_starts(10, 3, 2, last_target=8).tolist()
        [0, 1, 2, 3]
    """
    last_target = length if last_target is None else last_target
    hi = last_target - lookback - horizon  # last start whose targets end before last_target
    # first start whose targets all lie at or after first_target (no target shared with training)
    lo = 0 if first_target is None else max(0, first_target - lookback)
    if hi < lo:
        return np.zeros(0, dtype="int64")
    return np.arange(lo, hi + 1, dtype="int64")


@dataclasses.dataclass
class WindowSpec:
    """Which columns of a series array feed which part of a window.

    Attributes:
        lookback: Input steps.
        horizon: Target steps.
        n_targets: Leading target columns.
        input_cols: Column indices of the model's ``inputs`` (all columns).
        future_cols: Column indices fed over the horizon as ``future`` (may be empty).
    """

    lookback: int
    horizon: int
    n_targets: int
    input_cols: list
    future_cols: list


def make_windows(arrays, starts, spec: WindowSpec):
    """Dense windows for in-memory training.

    Args:
        arrays: One ``[T, n_cols]`` array per series.
        starts: One int array of window starts per series.
        spec: The :class:`WindowSpec`.

    Returns:
        ``(x, y, future)``: ``[N, lookback, n_inputs]``, ``[N, horizon, n_targets]``
        and ``[N, horizon, n_future]`` (or None) float32 arrays.

    Example:
        >>> ramp = np.arange(6, dtype=float)[:, None]
        >>> x, y, f = make_windows([ramp], [np.array([0, 1])], WindowSpec(2, 1, 1, [0], []))
        >>> x[:, :, 0].tolist(), y[:, :, 0].tolist()
        ([[0.0, 1.0], [1.0, 2.0]], [[2.0], [3.0]])
    """
    L, H = spec.lookback, spec.horizon
    xs, ys, fs = [], [], []
    for arr, st in zip(arrays, starts):
        st = np.asarray(st, dtype="int64")
        if len(st) == 0:
            continue
        steps_in = st[:, None] + np.arange(L)[None, :]
        steps_out = st[:, None] + L + np.arange(H)[None, :]
        xs.append(arr[steps_in][:, :, spec.input_cols])
        ys.append(arr[steps_out][:, :, : spec.n_targets])
        if spec.future_cols:
            fs.append(arr[steps_out][:, :, spec.future_cols])
    if not xs:
        raise ValueError("no windows: every series is shorter than lookback + horizon")
    x = np.concatenate(xs).astype("float32")
    y = np.concatenate(ys).astype("float32")
    f = np.concatenate(fs).astype("float32") if spec.future_cols else None
    return x, y, f


def make_dataset(arrays, starts, spec: WindowSpec, *, batch_size=32, shuffle=True, seed=0):
    """Streams windows through ``tf.data`` without materialising them.

    The series are concatenated once into one float32 tensor; each element is
    sliced from it by its start offset, so memory stays ``O(total length)``
    instead of ``O(windows * lookback)``.

    Args:
        arrays: One ``[T, n_cols]`` array per series.
        starts: One int array of window starts per series.
        spec: The :class:`WindowSpec`.
        batch_size: Batch size.
        shuffle: Shuffle window order each epoch (windows stay intact).
        seed: Shuffle seed.

    Returns:
        A batched ``tf.data.Dataset`` of ``(inputs, y)`` where ``inputs`` is the
        window tensor, or a dict ``{"inputs", "future"}`` with future covariates.
    """
    import tensorflow as tf

    offsets = np.cumsum([0] + [len(a) for a in arrays[:-1]])
    flat_starts = np.concatenate([np.asarray(st, "int64") + off
                                  for st, off in zip(starts, offsets)])
    if len(flat_starts) == 0:
        raise ValueError("no windows: every series is shorter than lookback + horizon")
    data = tf.constant(np.concatenate(arrays).astype("float32"))
    L, H, n_t = spec.lookback, spec.horizon, spec.n_targets
    input_cols = tf.constant(spec.input_cols, dtype=tf.int32)
    future_cols = tf.constant(spec.future_cols, dtype=tf.int32)

    def window(start):
        # slicing at a tensor offset loses the static time length; Keras needs it back
        x = tf.ensure_shape(tf.gather(data[start: start + L], input_cols, axis=1),
                            [L, len(spec.input_cols)])
        out = data[start + L: start + L + H]
        y = tf.ensure_shape(out[:, :n_t], [H, n_t])
        if spec.future_cols:
            f = tf.ensure_shape(tf.gather(out, future_cols, axis=1), [H, len(spec.future_cols)])
            return {"inputs": x, "future": f}, y
        return x, y

    ds = tf.data.Dataset.from_tensor_slices(flat_starts)
    if shuffle:
        ds = ds.shuffle(min(len(flat_starts), 100_000), seed=seed, reshuffle_each_iteration=True)
    return ds.map(window, num_parallel_calls=tf.data.AUTOTUNE).batch(batch_size).prefetch(2)


def split_point(length: int, validation_size) -> int:
    """Index where a series' validation tail starts.

    Args:
        length: Series length.
        validation_size: Float in (0, 1) (fraction of the series) or int steps; 0 for none.

    Returns:
        The first validation position (``length`` when there is no validation part).

    Example:
        >>> split_point(100, 0.2), split_point(100, 12), split_point(100, 0)
        (80, 88, 100)
    """
    if isinstance(validation_size, bool) or not isinstance(validation_size, numbers.Real):
        raise ValueError(f"validation_size must be a float in [0, 1) or an int >= 0, got {validation_size!r}")
    if isinstance(validation_size, numbers.Integral):
        if validation_size < 0:
            raise ValueError(f"validation_size must be >= 0, got {validation_size}")
        return max(length - int(validation_size), 0)
    if not 0 <= validation_size < 1:
        raise ValueError(f"validation_size as a fraction must be in [0, 1), got {validation_size}")
    return length - int(math.ceil(length * validation_size))


def warn_short(uids, min_length):
    if uids:
        shown = ", ".join(repr(u) for u in uids[:5]) + (" ..." if len(uids) > 5 else "")
        warnings.warn(
            f"{len(uids)} series shorter than lookback + horizon = {min_length} are left out "
            f"of training: {shown}. They still get forecasts when they have lookback points.",
            UserWarning,
            stacklevel=3,
        )
