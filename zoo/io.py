"""Reading user tables (CSV) for the command line and for Python users.

:func:`read_table` gives a forecasting frame (a time column as a regular
DatetimeIndex, or a long frame as it is); :func:`read_samples` gives
classification samples, one row per sequence. Errors are ``ValueError`` (or
``FileNotFoundError``) naming the argument; ``argnames`` lets a caller name the
arguments its own way (the command line passes its flags, ``--data`` ...).
"""

from __future__ import annotations

from pathlib import Path


def _name(argnames, arg):
    return (argnames or {}).get(arg, arg)


def read_table(data, time_col=None, *, argnames=None):
    """A DataFrame from a CSV path or a bundled data set name (time column as index).

    Args:
        data: A CSV file, or the name of a bundled forecasting set (``zoo.datasets.list()``).
        time_col: The time column; None detects the first column that parses as dates
            (a CSV without one, or a long frame with ``unique_id``, is returned as read).
        argnames: How messages name ``data`` and ``time_col`` (default: those names).

    Returns:
        A DataFrame; with a time column, indexed by it (with its frequency when regular).

    Raises:
        FileNotFoundError: ``data`` is neither a file nor a bundled set.
        ValueError: The file is no CSV, ``time_col`` is not a column or holds no dates,
            or ``data`` names a classification set.

    Example:
        >>> read_table("airline").index.freqstr
        'MS'
    """
    import pandas as pd

    from zoo import datasets

    path = Path(data)
    if not path.exists():
        if str(data).lower().replace("-", "_") in datasets.list():
            loaded = datasets.load(data)
            if isinstance(loaded, tuple):
                raise ValueError(f"{data} is a classification set; pass a CSV with a label column")
            return loaded
        raise FileNotFoundError(f"{_name(argnames, 'data')} {str(data)!r}: no such file or "
                                f"bundled data set (bundled: {', '.join(datasets.list())})")
    frame = _read_csv(path)
    if time_col is not None:
        if time_col not in frame.columns:
            raise ValueError(f"{_name(argnames, 'time_col')} {time_col!r} not in the CSV's "
                             f"columns {list(frame.columns)}")
    else:
        time_col = _detect_time_col(frame)
    if time_col is None or "unique_id" in frame.columns:
        return frame
    try:
        index = pd.to_datetime(frame[time_col])
    except (ValueError, TypeError):
        raise ValueError(f"column {time_col!r} does not hold dates") from None
    frame = frame.drop(columns=[time_col]).set_index(pd.DatetimeIndex(index, name=time_col))
    freq = pd.infer_freq(frame.index) if len(frame) >= 3 else None
    if freq is not None:
        frame = frame.asfreq(freq)
    return frame


def _read_csv(path):
    import pandas as pd

    try:
        return pd.read_csv(path)
    except Exception as err:  # noqa: BLE001 - any parse failure is the user's file
        raise ValueError(f"cannot read {path} as CSV: {err}") from None


def _detect_time_col(frame):
    import pandas as pd

    for col in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[col]):
            continue
        try:
            pd.to_datetime(frame[col].head(20), format="mixed")
            return col
        except (ValueError, TypeError):
            continue
    return None


def read_samples(path, label=None, require_label=True, *, argnames=None):
    """Sequences (and labels) from a CSV with one row per sample.

    Every column but ``label`` is one time step and must be numeric and complete.

    Args:
        path: The CSV file.
        label: The label column; None when the CSV holds no labels.
        require_label: Refuse ``label=None``, naming the columns to choose from.
        argnames: How messages name ``label`` (default: ``label``).

    Returns:
        ``(X, y)``: float64 ``[n, T]`` and string labels ``[n]`` (None without ``label``).

    Raises:
        ValueError: a missing or unknown label column, a non-numeric or incomplete
            time-step column, no rows, or no time-step columns.

    Example:
        >>> import tempfile, os
        >>> csv = os.path.join(tempfile.mkdtemp(), "s.csv")
        >>> _ = open(csv, "w").write("t0,t1,kind\\n0.5,1.5,a\\n2.0,3.0,b\\n")
        >>> X, y = read_samples(csv, "kind")
        >>> X.shape, y.tolist()
        ((2, 2), ['a', 'b'])
    """
    import numpy as np
    import pandas as pd

    frame = _read_csv(path)
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    flag = _name(argnames, "label")
    if label is None and require_label:
        raise ValueError(f"{flag} must name the CSV's label column; columns are {_show(columns)}")
    if label is not None and label not in columns:
        raise ValueError(f"{flag} {label!r} is not a column of {path}; "
                         f"columns are {_show(columns)}")
    if len(frame) == 0:
        raise ValueError(f"{path} has no rows")
    steps = [c for c in columns if c != label]
    if not steps:
        raise ValueError(f"{path} has no time-step columns besides the label {label!r}")
    for col in steps:
        if not pd.api.types.is_numeric_dtype(frame[col]):
            hint = "" if label is not None else f" (if it holds the labels, pass {flag} {col})"
            raise ValueError(f"column {col!r} is not numeric; every column but the label is a "
                             f"time step{hint}")
        if frame[col].isna().any():
            raise ValueError(f"column {col!r} has {int(frame[col].isna().sum())} empty cell(s); "
                             "every sample needs a value at every time step")
    X = frame[steps].to_numpy(dtype="float64")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{path} holds inf values in its time-step columns")
    if label is None:
        return X, None
    if frame[label].isna().any():
        empty = int(frame[label].isna().sum())
        raise ValueError(f"label column {label!r} has {empty} empty cell(s)")
    return X, np.asarray(frame[label].astype(str).to_numpy(), dtype=str)


def _show(columns, limit=12):
    shown = ", ".join(repr(c) for c in columns[:limit])
    return f"[{shown}{', ...' if len(columns) > limit else ''}] ({len(columns)} columns)"
