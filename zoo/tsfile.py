"""Reading ``.ts`` files, the UCR/UEA time-series classification archive's format."""

from __future__ import annotations

import os
from collections.abc import Iterable

import numpy as np


def _parse_value(token: str, where: str) -> float:
    token = token.strip()
    if token in ("?", "NaN", "nan"):
        return float("nan")
    try:
        return float(token)
    except ValueError:
        raise ValueError(f"{where}: {token!r} is not a number") from None


def read_ts(
    source: str | os.PathLike | Iterable[str],
) -> tuple[np.ndarray, np.ndarray | None]:
    """Read a ``.ts`` file (the UCR/UEA archive format) with equal-length series.

    Lines starting with ``#`` are comments; ``@`` lines before ``@data`` are the header
    (``@classLabel true ...``, ``@dimensions``, ``@seriesLength``, ...). Each data line is
    one case: its dimensions separated by ``:``, values within a dimension by ``,``, and,
    when ``@classLabel`` is true, the label after the last ``:``. ``?`` marks a missing
    value and becomes NaN. Time-stamped and unequal-length series are refused.

    Args:
        source: A path, or an iterable of lines (an open text file, ``io.StringIO``).

    Returns:
        ``(X, y)``: ``X`` float32 ``[n_cases, series_length, n_dimensions]``; ``y`` a numpy
        str array of the labels as written, or ``None`` when the file has no labels.

    Raises:
        ValueError: the file does not follow the format, or its series differ in length
            or number of dimensions, or a label is not among those the header declares.

    Example:
        >>> import io
        >>> from zoo.tsfile import read_ts
        >>> text = "@classLabel true a b\\n@data\\n1,2,3:4,5,6:a\\n7,8,9:1,2,3:b\\n"
        >>> X, y = read_ts(io.StringIO(text))
        >>> X.shape, y.tolist(), X[0, :, 1].tolist()
        ((2, 3, 2), ['a', 'b'], [4.0, 5.0, 6.0])
    """
    if isinstance(source, (str, os.PathLike)):
        label = str(source)
        with open(source, encoding="utf-8") as handle:
            return _parse_ts(handle, label)
    if isinstance(source, (bytes, bytearray)):
        raise TypeError("source must be a path or an iterable of text lines; got bytes")
    return _parse_ts(source, getattr(source, "name", "<ts>"))


def _parse_ts(lines: Iterable[str], label: str) -> tuple[np.ndarray, np.ndarray | None]:
    header: dict[str, str] = {}
    spelling: dict[str, str] = {}  # header keys as written, for error messages
    in_data = False
    has_labels, declared = False, set()
    cases: list[list[list[float]]] = []
    labels: list[str] = []
    for number, line in enumerate(lines, start=1):
        if isinstance(line, bytes):
            line = line.decode("utf-8")
        line = line.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        where = f"{label}, line {number}"
        if not in_data:
            if not line.startswith("@"):
                raise ValueError(f"{where}: expected an @-header line or @data before data")
            key, _, value = line[1:].partition(" ")
            key = key.lower()
            if key == "data":
                in_data = True
                has_labels, declared = _class_labels(header, where)
                if _is_true(header.get("timestamps", "false")):
                    raise ValueError(f"{where}: time-stamped .ts files are not supported")
                continue
            header[key] = value.strip()
            spelling[key] = line[1:].partition(" ")[0]
            continue
        parts = line.split(":")
        if has_labels:
            if len(parts) < 2:
                raise ValueError(f"{where}: expected values followed by ':label'")
            *parts, case_label = parts
            case_label = case_label.strip()
            if declared and case_label not in declared:
                raise ValueError(
                    f"{where}: label {case_label!r} is not among the declared "
                    f"@classLabel values {sorted(declared)}"
                )
            labels.append(case_label)
        dims = [[_parse_value(t, where) for t in p.split(",")] for p in parts]
        if cases:
            expected = (len(cases[0]), len(cases[0][0]))
            if len(dims) != expected[0]:
                raise ValueError(
                    f"{where}: {len(dims)} dimensions, but earlier cases have {expected[0]}"
                )
        else:
            expected = (len(dims), len(dims[0]))
        if any(len(d) != expected[1] for d in dims):
            raise ValueError(
                f"{where}: series lengths {[len(d) for d in dims]} differ from "
                f"{expected[1]}; only equal-length .ts files are supported"
            )
        cases.append(dims)
    if not in_data:
        raise ValueError(f"{label}: no @data line found; is this a .ts file?")
    if not cases:
        raise ValueError(f"{label}: no data after @data")
    X = np.asarray(cases, dtype=np.float64).transpose(0, 2, 1).astype(np.float32)
    _check_header(header, spelling, X, label)
    y = np.asarray(labels, dtype=str) if has_labels else None
    return X, y


def _is_true(value: str) -> bool:
    return value.strip().lower() == "true"


def _class_labels(header: dict[str, str], where: str) -> tuple[bool, set[str]]:
    tokens = header.get("classlabel", "false").split()
    if not tokens:
        raise ValueError(f"{where}: @classLabel needs 'true' or 'false'")
    return _is_true(tokens[0]), set(tokens[1:])


def _check_header(
    header: dict[str, str], spelling: dict[str, str], X: np.ndarray, label: str
) -> None:
    checks = {"dimensions": X.shape[2], "serieslength": X.shape[1]}
    for key, actual in checks.items():
        if key in header and header[key].isdigit() and int(header[key]) != actual:
            raise ValueError(
                f"{label}: @{spelling[key]} says {header[key]} but the data has {actual}"
            )
    if "univariate" in header and _is_true(header["univariate"]) and X.shape[2] != 1:
        raise ValueError(f"{label}: @univariate true but the data has {X.shape[2]} dimensions")
