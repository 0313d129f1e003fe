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
