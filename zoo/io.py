"""Reading user tables (CSV) for the command line and for Python users.

:func:`read_table` gives a forecasting frame (a time column as a regular
DatetimeIndex, or a long frame as it is); :func:`read_samples` gives
classification samples, one row per sequence. Errors are ``ValueError`` (or
``FileNotFoundError``) naming the argument; ``argnames`` lets a caller name the
arguments its own way (the command line passes its flags, ``--data`` ...).

The CSV files read are comma-separated, as spreadsheets and pandas write them: UTF-8
with or without a byte-order mark, UTF-16 with one (Excel's "Unicode Text"), or
Windows-1252 (Excel's "CSV (Comma delimited)"); any line endings; quoted fields and
headers; an Excel ``sep=,`` first line; spaces around header names; trailing empty
columns. Semicolon- or tab-separated files, binary files (an ``.xlsx`` workbook),
empty files and duplicated header names are refused with a message saying so.
"""

from __future__ import annotations

import csv
import re
import warnings
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
    from zoo.frames import parse_dates

    path = Path(data)
    if not path.exists():
        if str(data).lower().replace("-", "_") in datasets.list():
            loaded = datasets.load(data)
            if isinstance(loaded, tuple):
                raise ValueError(f"{data} is a classification set; pass a CSV with a label column")
            return loaded
        raise FileNotFoundError(f"{_name(argnames, 'data')} {str(data)!r}: no such file or "
                                f"bundled data set (bundled: {', '.join(datasets.list())})")
    frame = _read_csv(path, argnames)
    if time_col is not None:
        if time_col not in frame.columns:
            raise ValueError(f"{_name(argnames, 'time_col')} {time_col!r} not in the CSV's "
                             f"columns {list(frame.columns)}")
    else:
        time_col = _detect_time_col(frame)
    if time_col is None or "unique_id" in frame.columns:
        return frame
    times = frame[time_col]
    if times.isna().any():
        raise ValueError(f"column {time_col!r} has {int(times.isna().sum())} empty cell(s); "
                         "every row needs a time")
    if pd.api.types.is_integer_dtype(times):  # step numbers or years: an integer index
        index = pd.Index(times.astype("int64"), name=time_col)
    elif pd.api.types.is_numeric_dtype(times) or pd.api.types.is_bool_dtype(times):
        raise ValueError(f"column {time_col!r} holds {times.dtype} numbers; a time column holds "
                         "dates or integer steps")
    else:
        index = pd.DatetimeIndex(parse_dates(times, time_col), name=time_col)
    frame = frame.drop(columns=[time_col]).set_index(index)
    regular = isinstance(index, pd.DatetimeIndex) and len(frame) >= 3 and index.is_unique \
        and index.is_monotonic_increasing  # else the estimator says what is wrong
    freq = pd.infer_freq(frame.index) if regular else None
    if freq is not None:
        frame = frame.asfreq(freq)
    return frame


def _read_csv(path, argnames=None):
    """A comma-separated file as a DataFrame (the encodings and forms of the module docstring)."""
    import io

    import pandas as pd

    flag, path = _name(argnames, "data"), Path(path)
    if path.is_dir():
        raise ValueError(f"{flag} {str(path)!r} is a directory, not a CSV file")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"{flag} {str(path)!r}: no such file") from None
    except OSError as err:
        raise ValueError(f"{flag} {str(path)!r} cannot be read: {err.strerror}") from None
    text = _decode(raw, f"{flag} {str(path)!r}")
    lines = text.splitlines()
    if lines and re.fullmatch(r'"?sep=.?"?,*', lines[0].strip()):  # Excel's delimiter hint
        if lines[0].strip().strip('"') not in ("sep=,", "sep=,,"):
            raise ValueError(f"{flag} {str(path)!r} declares {lines[0].strip()!r}; zoo reads "
                             "comma-separated CSV files")
        lines = lines[1:]
        text = "\n".join(lines)
    header = next((line for line in lines if line.strip()), None)
    if header is None:
        raise ValueError(f"{flag} {str(path)!r} is empty; a CSV needs a header row and data rows")
    names = [n.strip() for n in next(csv.reader([header]))]
    if len(names) == 1:
        for sep, what in ((";", "semicolon"), ("\t", "tab")):
            if sep in header:
                raise ValueError(f"{flag} {str(path)!r} looks {what}-separated; zoo reads "
                                 "comma-separated CSV files (save it as 'CSV UTF-8 (Comma "
                                 "delimited)')")
    dups = sorted({n for n in names if n and names.count(n) > 1})
    if dups:
        raise ValueError(f"{flag} {str(path)!r}: column(s) {dups} appear more than once in the "
                         "header; column names must be unique")
    try:
        frame = pd.read_csv(io.StringIO(text), skipinitialspace=True)
    except Exception as err:  # noqa: BLE001 - any parse failure is the user's file
        raise ValueError(f"cannot read {flag} {str(path)!r} as CSV: {err}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    empty = [c for c in frame.columns if c.startswith("Unnamed: ") and frame[c].isna().all()]
    frame = frame.drop(columns=empty)  # trailing commas: columns without a name or a value
    if len(frame) == 0:
        raise ValueError(f"{flag} {str(path)!r} has no rows (only a header)")
    return frame


def _decode(raw: bytes, what: str) -> str:
    """The text of a CSV file's bytes: UTF-16 by its byte-order mark, UTF-8, else Windows-1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise ValueError(f"{what} is not valid UTF-16 text") from None
    binary = "an Excel workbook or a zip archive" if raw.startswith(b"PK\x03\x04") else None
    if binary is None and b"\x00" in raw[:8192]:
        binary = "binary data"
    if binary is None:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("cp1252")
            except UnicodeDecodeError:
                text = None
        if text is None or any(ch < " " and ch not in "\t\r\n\f" for ch in text[:8192]):
            binary = "binary data or an unknown encoding"
        else:
            return text
    raise ValueError(f"{what} is not a CSV text file ({binary}); export it as CSV "
                     "(UTF-8, comma-separated)")


def _detect_time_col(frame):
    import pandas as pd

    for col in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[col]):
            continue
        head = frame[col].dropna().head(20)
        for utc in (False, True):  # a column mixing time zones is a time column too
            try:
                if head.empty or pd.api.types.is_bool_dtype(head):
                    break
                pd.to_datetime(head, format="mixed", utc=utc)
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

    frame = _read_csv(path, argnames)
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


def read_sequences(path, id_col="unique_id", time_col=None, label=None, require_label=True, *,
                   argnames=None):
    """Sequences of per-step rows from a CSV: one row per time step, a column names the sequence.

    Every column but ``id_col``, ``time_col`` and ``label`` is a feature and must be numeric
    and complete. Rows are grouped by ``id_col`` (in order of first appearance) and sorted
    by ``time_col`` within a sequence when it is given.

    Args:
        path: The CSV file.
        id_col: The column naming each row's sequence.
        time_col: A column to order the steps by (numbers or dates), or None for file order.
        label: The per-step label column; None when the CSV holds no labels.
        require_label: Refuse ``label=None``.
        argnames: How messages name ``id_col``, ``time_col`` and ``label``.

    Returns:
        ``(frame, X, Y)``: the rows in sequence order (id, time and label columns kept,
        the position of each row in ``X`` given by that order), a list of float64
        ``[T_i, F]`` arrays and a list of string ``[T_i]`` label arrays (None without
        ``label``).

    Example:
        >>> import tempfile, os
        >>> csv = os.path.join(tempfile.mkdtemp(), "s.csv")
        >>> _ = open(csv, "w").write("seq,t,x,kind\\na,1,0.5,up\\na,0,0.1,up\\nb,0,2.0,down\\n")
        >>> frame, X, Y = read_sequences(csv, "seq", "t", "kind")
        >>> [x.ravel().tolist() for x in X], [y.tolist() for y in Y]
        ([[0.1, 0.5], [2.0]], [['up', 'up'], ['down']])
    """
    import numpy as np
    import pandas as pd

    frame = _read_csv(path, argnames)
    frame.columns = [str(c) for c in frame.columns]
    columns = list(frame.columns)
    for arg, col in (("id_col", id_col), ("time_col", time_col), ("label", label)):
        if col is not None and col not in columns:
            raise ValueError(f"{_name(argnames, arg)} {col!r} is not a column of {path}; "
                             f"columns are {_show(columns)}")
    if label is None and require_label:
        raise ValueError(f"{_name(argnames, 'label')} must name the CSV's per-step label column; "
                         f"columns are {_show(columns)}")
    if len(frame) == 0:
        raise ValueError(f"{path} has no rows")
    features = [c for c in columns if c not in (id_col, time_col, label)]
    if not features:
        raise ValueError(f"{path} has no feature columns besides {id_col!r}, {time_col!r} and "
                         f"{label!r}")
    for col in features:
        if not pd.api.types.is_numeric_dtype(frame[col]):
            raise ValueError(f"column {col!r} is not numeric; every column but "
                             f"{_name(argnames, 'id_col')}, {_name(argnames, 'time_col')} and "
                             f"{_name(argnames, 'label')} is a feature")
        if not np.all(np.isfinite(frame[col].to_numpy(dtype="float64"))):
            raise ValueError(f"column {col!r} has empty cells or inf; every step needs a value")
    if frame[id_col].isna().any():
        raise ValueError(f"{_name(argnames, 'id_col')} {id_col!r} has empty cells")
    if label is not None and frame[label].isna().any():
        raise ValueError(f"label column {label!r} has {int(frame[label].isna().sum())} empty cell(s)")
    keys = [pd.factorize(frame[id_col])[0]]
    if time_col is not None:
        time = frame[time_col]
        if not pd.api.types.is_numeric_dtype(time):
            try:
                with warnings.catch_warnings():
                    # pandas warns when it parses element by element; the result is checked
                    warnings.simplefilter("ignore", UserWarning)
                    time = pd.to_datetime(time)
            except (ValueError, TypeError):
                raise ValueError(f"column {time_col!r} holds neither numbers nor dates") from None
        keys.append(np.asarray(time))
    # stable: the sequences in order of first appearance, each sorted by time
    frame = frame.iloc[np.lexsort(keys[::-1])].reset_index(drop=True)
    groups = list(frame.groupby(pd.factorize(frame[id_col])[0], sort=True))
    X = [g[features].to_numpy(dtype="float64") for _, g in groups]
    Y = None if label is None else [g[label].astype(str).to_numpy() for _, g in groups]
    return frame, X, Y
