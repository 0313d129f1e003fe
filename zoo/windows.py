"""Time-ordered splits and sliding windows over the series of a :class:`Panel`.

Data flows ``DataFrame -> Panel -> windows``. Windows never straddle two series,
and training / validation splits are taken from the tail of each series, never
shuffled across time. The reading of frames (:mod:`zoo.panel`) and the pure-pandas
helpers (:mod:`zoo.frames`) are re-exported here, where earlier releases kept them.
"""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np

from zoo._checks import check_size
from zoo.frames import (  # noqa: F401  (re-exported: zoo.windows.ID_COL, ...)
    ID_COL,
    LONG_VALUE_COL,
    TIME_COL,
    calendar_columns,
    calendar_features,
    future_index,
    infer_freq,
)
from zoo.panel import Panel, Series, is_long, to_panel  # noqa: F401  (re-exported)

# Rows of calendar features computed at a time (bounds the temporaries of a long series).
BLOCK_ROWS = 1 << 20
# Up to this many series stream their window starts as tf.data ranges (no start array).
RANGE_SERIES = 64
# TensorFlow wraps memory aligned to this many bytes without a copy (it refuses less).
ALIGN_BYTES = 128


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
    out = []
    for s in panel.series:
        n = s.values.shape[1]
        arr = np.empty((len(s.values), n + len(columns)))
        arr[:, :n] = s.values
        # a block of rows at a time: no full-length temporaries beside the result
        for i in range(0, len(arr), BLOCK_ROWS):
            arr[i: i + BLOCK_ROWS, n:] = calendar_features(s.index[i: i + BLOCK_ROWS], columns)
        out.append(arr)
    return out


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
        An int array of start positions: int32 (half the memory of a long series'
        starts) where ``length`` fits in it, else int64.

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
    dtype = "int32" if length <= np.iinfo("int32").max else "int64"
    if hi < lo:
        return np.zeros(0, dtype=dtype)
    return np.arange(lo, hi + 1, dtype=dtype)


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
        out = arr[steps_out]
        ys.append(out[:, :, : spec.n_targets])
        if spec.future_cols:
            fs.append(out[:, :, spec.future_cols])
    if not xs:
        raise ValueError("no windows: every series is shorter than lookback + horizon")
    f = _joined(fs) if spec.future_cols else None
    return _joined(xs), _joined(ys), f


def _joined(parts):
    """The parts as one float32 array (a single part without a float64 copy of it first)."""
    return (parts[0] if len(parts) == 1 else np.concatenate(parts)).astype("float32")


def make_dataset(arrays, starts, spec: WindowSpec, *, batch_size=32, shuffle=True, seed=0,
                 series=None):
    """Streams windows through ``tf.data`` without materialising them.

    The series are concatenated once into one float32 variable (:func:`series_variable`);
    each batch of window starts is gathered from it, so memory stays
    ``O(total length)`` instead of ``O(windows * lookback)``. Contiguous starts (those
    of :func:`window_starts`) of up to ``RANGE_SERIES`` series are streamed as
    ``tf.data`` ranges, without an array of them.

    Args:
        arrays: One ``[T, n_cols]`` array per series.
        starts: One int array of window starts per series.
        spec: The :class:`WindowSpec`.
        batch_size: Batch size.
        shuffle: Shuffle window order each epoch (windows stay intact).
        seed: Shuffle seed.
        series: :func:`series_variable` of ``arrays``, to share one copy between the
            datasets of the same series (None: made here).

    Returns:
        A batched ``tf.data.Dataset`` of ``(inputs, y)`` where ``inputs`` is the
        window tensor, or a dict ``{"inputs", "future"}`` with future covariates.
    """
    import tensorflow as tf

    offsets = np.cumsum([0] + [len(a) for a in arrays[:-1]])
    n = sum(len(st) for st in starts)
    if n == 0:
        raise ValueError("no windows: every series is shorter than lookback + horizon")
    data = series_variable(arrays) if series is None else series
    L, H, n_t = spec.lookback, spec.horizon, spec.n_targets
    every = list(spec.input_cols) == list(range(int(data.shape[1])))
    steps_in = tf.range(L, dtype=tf.int64)[None, :]
    steps_out = tf.range(L, L + H, dtype=tf.int64)[None, :]

    def windows(start):
        # [B] starts -> [B, steps, columns]: the values of slicing each window
        x = tf.gather(data, start[:, None] + steps_in)
        if not every:
            x = tf.gather(x, spec.input_cols, axis=2)
        out = tf.gather(data, start[:, None] + steps_out)
        y = out[:, :, :n_t]
        if spec.future_cols:
            return {"inputs": x, "future": tf.gather(out, spec.future_cols, axis=2)}, y
        return x, y

    ds = _start_dataset(starts, offsets)
    if shuffle:
        ds = ds.shuffle(min(n, 100_000), seed=seed, reshuffle_each_iteration=True)
    # one gather per batch needs no parallel map (with the variable read, op determinism
    # would turn a parallel one back into a sequential one, and log that it did)
    return ds.batch(batch_size).map(windows).prefetch(2)


def series_variable(arrays):
    """The series concatenated into one ``[sum T, n_cols]`` float32 variable on the CPU.

    The values are filled series by series into one aligned buffer that the variable
    wraps without a copy (``tf.constant`` of an array holds two copies of it). A
    variable, not a tensor: a dataset function captures it by handle, where tf.data's
    graph rewrites (op determinism's among them) copy a captured tensor once more.
    """
    import tensorflow as tf

    shape = (sum(len(a) for a in arrays), arrays[0].shape[1])
    nbytes = shape[0] * shape[1] * 4
    raw = np.empty(nbytes + ALIGN_BYTES, np.uint8)
    first = -raw.ctypes.data % ALIGN_BYTES
    flat = raw[first: first + nbytes].view("float32").reshape(shape)
    row = 0
    for a in arrays:
        flat[row: row + len(a)] = a
        row += len(a)
    with tf.device("/CPU:0"):
        # the variable keeps the buffer alive; nothing assigns to it
        return tf.Variable(tf.experimental.dlpack.from_dlpack(flat.__dlpack__()),
                           trainable=False)


def _is_range(st) -> bool:
    """Whether the starts are ``first, first + 1, ..., last``."""
    return int(st[-1]) - int(st[0]) + 1 == len(st) and bool(np.all(st[1:] > st[:-1]))


def _start_dataset(starts, offsets):
    """A ``tf.data`` dataset of the int64 window starts, offset into the concatenation."""
    import tensorflow as tf

    parts = [(np.asarray(st), int(off)) for st, off in zip(starts, offsets) if len(st)]
    if len(parts) <= RANGE_SERIES and all(_is_range(st) for st, _ in parts):
        # the same elements as the array would give, without holding them
        ranges = [tf.data.Dataset.range(int(st[0]) + off, int(st[-1]) + off + 1)
                  for st, off in parts]
        ds = ranges[0]
        for r in ranges[1:]:
            ds = ds.concatenate(r)
        return ds
    return tf.data.Dataset.from_tensor_slices(
        np.concatenate([st.astype("int64") + off for st, off in parts]))


def window_values(starts, wspec) -> int:
    """Floats that dense window arrays for ``starts`` would hold (inputs, targets, future)."""
    n = sum(len(s) for s in starts)
    per = (wspec.lookback * len(wspec.input_cols)
           + wspec.horizon * (wspec.n_targets + len(wspec.future_cols)))
    return n * per


def thin(starts, cap):
    """At most about ``cap`` window starts, evenly spaced within every series."""
    total = sum(len(s) for s in starts)
    if total <= cap:
        return starts
    every = int(np.ceil(total / cap))
    return [np.asarray(s)[::every] for s in starts]


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
    size = check_size(validation_size)
    if isinstance(size, int):
        return max(length - size, 0)
    return length - int(math.ceil(length * size))


def warn_short(uids, min_length):
    if uids:
        shown = ", ".join(repr(u) for u in uids[:5]) + (" ..." if len(uids) > 5 else "")
        warnings.warn(
            f"{len(uids)} series shorter than lookback + horizon = {min_length} are left out "
            f"of training: {shown}. They still get forecasts when they have lookback points.",
            UserWarning,
            stacklevel=3,
        )
