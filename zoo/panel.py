"""Reading user data (wide frames, long frames, Series, arrays) into a :class:`Panel`.

A :class:`Panel` holds one or more series (a wide frame is one series; a long frame
with ``unique_id`` and ``ds`` is many), each as a float array ``[T, n_columns]``
with columns ordered targets, past covariates, future (known-ahead) covariates.
Every check of the user's columns, values and time index happens here.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from zoo._checks import check_finite_float32
from zoo.frames import ID_COL, LONG_VALUE_COL, TIME_COL, infer_freq, parse_dates


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


def _is_numeric(s) -> bool:
    # booleans (a holiday flag, a promotion on/off) are covariates too: they read as 0 / 1;
    # complex numbers are not (their imaginary part would be dropped)
    return (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_complex_dtype(s)) \
        or pd.api.types.is_bool_dtype(s)


def _as_list(value, name, allow_empty=True):
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
    if not items and not allow_empty:
        raise ValueError(f"{name} must be a column name or a non-empty list of names (or None "
                         "for the only numeric column), got []")
    return items


def _check_values(frame: pd.DataFrame, columns, fill_missing, where):
    dtypes = frame.dtypes
    for col in columns:
        if not _is_numeric(dtypes[col]):
            raise ValueError(
                f"column {col!r} is not numeric (dtype {dtypes[col]}); targets and "
                f"covariates must be numbers{where}"
            )
    # whole-frame conversion when the columns are the frame's, in order: selecting a
    # list of columns costs a reindex on every forecast
    chosen = frame if list(frame.columns) == list(columns) else frame[columns]
    values = chosen.to_numpy(dtype="float64", na_value=np.nan, copy=True)
    bad = ~np.isfinite(values)
    if bad.any():
        cols = sorted({columns[j] for j in np.nonzero(bad)[1]})
        if fill_missing == "interpolate":
            filled = pd.DataFrame(values, columns=columns).replace([np.inf, -np.inf], np.nan)
            filled = filled.interpolate(limit_direction="both")
            if filled.isna().any().any():
                raise ValueError(f"column(s) {cols} are entirely missing{where}")
            values = filled.to_numpy()
        else:
            raise ValueError(
                f"NaN or inf in column(s) {cols}{where}; clean the data or pass "
                f"fill_missing='interpolate'"
            )
    with np.errstate(over="ignore"):
        narrow = values.astype("float32")
    if not np.isfinite(narrow).all():  # finite in float64 but infinite in the float32 model
        for j, col in enumerate(columns):
            check_finite_float32(values[:, j], f"column {col!r}{where}")
    return values


def _check_index(index, where):
    if isinstance(index, pd.DatetimeIndex) and index.hasnans:
        raise ValueError(f"the time index has {int(index.isna().sum())} missing timestamp(s) "
                         f"(NaT){where}; drop or fill those rows")
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
    panel = _read(data, target, future_covariates, fill_missing, layout)
    if layout is not None:
        _check_time_like(panel, layout)
    return panel


def _read(data, target, future_covariates, fill_missing, layout) -> Panel:
    if fill_missing not in (None, "interpolate"):
        raise ValueError(f"fill_missing must be None or 'interpolate', got {fill_missing!r}")
    future_covariates = _as_list(future_covariates, "future_covariates")
    if isinstance(data, (pd.Series, pd.DataFrame)) and isinstance(data.index, pd.PeriodIndex):
        data = data.set_axis(data.index.to_timestamp())  # each period by its start
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
    if data.columns.has_duplicates:
        dup = data.columns[data.columns.duplicated()][0]
        raise ValueError(f"column {dup!r} appears more than once; column names must be unique")
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
    dtypes = frame.dtypes
    numeric = [c for c in frame.columns if c not in exclude and _is_numeric(dtypes[c])]
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
    targets = _as_list(target, "target", allow_empty=False)
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
        if pd.api.types.infer_dtype(index, skipna=True) == "datetime":
            raise ValueError(
                "the index holds timestamps of different time zones (or naive and tz-aware "
                "ones): a wide frame needs one DatetimeIndex; convert it with "
                "df.index = pd.to_datetime(df.index, utc=True)")
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
    if not isinstance(index, pd.DatetimeIndex) and freq is None:
        raise ValueError(
            "the integer index has no regular step (gaps or irregular steps); reindex it "
            "first, e.g. df.reindex(range(first, last + 1)) and fill_missing='interpolate'"
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
    missing = int(frame[ID_COL].isna().sum())
    if missing:
        raise ValueError(f"column {ID_COL!r} has {missing} empty cell(s); every row of a long "
                         "frame needs a series id")
    frame = frame.assign(**{TIME_COL: _long_times(frame[TIME_COL])})
    dated = pd.api.types.is_datetime64_any_dtype(frame[TIME_COL])
    series, freq, first = [], None, None
    for uid, group in frame.groupby(ID_COL, sort=False):
        index = pd.DatetimeIndex(group[TIME_COL]) if dated else pd.Index(group[TIME_COL].to_numpy())
        where = f" (series {uid!r})"
        _check_index(index, where)
        values = _check_values(group, targets + past + future, fill_missing, where)
        f = infer_freq(index)
        if f is None and len(index) >= (3 if dated else 2):
            raise ValueError(f"the timestamps{where} have no regular frequency (gaps or "
                             "irregular steps); fill the gaps first (missing values with "
                             "fill_missing='interpolate')")
        if freq is None and f is not None:
            freq, first = f, uid
        elif f is not None and not _same_freq(f, freq):
            raise ValueError(f"series {uid!r} has frequency {f!r} but series {first!r} has "
                             f"{freq!r}; every series of a long frame needs the same frequency")
        series.append(Series(uid, index, values))
    if not series:
        raise ValueError("the long frame has no rows")
    return Panel(series, targets, past, future, "long", freq)


def _long_times(ds: pd.Series) -> pd.Series:
    """A long frame's ``ds`` as timestamps or integers; anything else is refused."""
    missing = int(ds.isna().sum())
    if missing:
        raise ValueError(f"column {TIME_COL!r} has {missing} empty cell(s); every row needs a time")
    if isinstance(ds.dtype, pd.PeriodDtype):
        return ds.dt.to_timestamp()
    if pd.api.types.is_datetime64_any_dtype(ds):
        return ds
    if pd.api.types.is_integer_dtype(ds):
        return ds.astype("int64")
    kind = pd.api.types.infer_dtype(ds, skipna=True)
    if kind in ("string", "datetime", "date"):
        return pd.Series(parse_dates(ds, TIME_COL), index=ds.index, name=ds.name)
    raise ValueError(f"column {TIME_COL!r} must hold timestamps (or date strings) or integers, "
                     f"got {kind} values (dtype {ds.dtype})")


def _same_freq(a, b) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return pd.tseries.frequencies.to_offset(a) == pd.tseries.frequencies.to_offset(b)
    return a == b


def _check_time_like(panel: Panel, layout: Panel) -> None:
    """Refuses history whose time index differs in kind or frequency from fit's."""
    fitted = layout.freq
    dated = [isinstance(s.index, pd.DatetimeIndex) for s in panel.series]
    if isinstance(fitted, str) and all(dated) and panel.freq is not None \
            and not _same_freq(panel.freq, fitted):
        raise ValueError(f"the data's frequency is {panel.freq!r} but the model was fitted on "
                         f"{fitted!r} data; resample it first (df.asfreq({fitted!r}))")
    if fitted is not None and not isinstance(fitted, str) and any(dated):
        raise ValueError(f"the model was fitted on an integer index (step {fitted}); this data "
                         "has timestamps: give it an integer index")
