"""Small real data sets bundled with zoo, loaded without any network access.

Forecasting sets load as a ``pandas.DataFrame`` with a ``DatetimeIndex`` named ``"date"``
whose ``freq`` is set, and float64 columns:

- ``airline``: 144 x 1, monthly ("MS") 1949-01..1960-12, column ``passengers``.
- ``sunspots``: 309 x 1, yearly ("YS-JAN") 1700..2008, column ``sunspots``.
- ``uschange``: 187 x 5, quarterly ("QS-JAN") 1970 Q1..2016 Q3, columns ``consumption``,
  ``income``, ``production``, ``savings``, ``unemployment``.
- ``elec_equip``: 257 x 1, monthly ("MS") 1995-01..2016-05, column ``turnover``.

Classification sets are the original UCR/UEA train/test splits and load as
``(X_train, y_train, X_test, y_test)``: ``X`` float32 arrays shaped ``[n, T, F]`` and ``y``
numpy arrays of the original label strings:

- ``italy_power_demand``: 67 train / 1029 test, T=24, F=1, labels "1", "2".
- ``gunpoint``: 50 / 150, T=150, F=1, labels "1", "2".
- ``arrowhead``: 36 / 175, T=251, F=1, labels "0", "1", "2".
- ``basic_motions``: 40 / 40, T=100, F=6, labels Badminton, Running, Standing, Walking.

The files live in the repository's top-level ``data/`` folder (``data/README.md`` records
source, citation and licence of each) and are installed as ``zoo/_data``.

Example:
    >>> from zoo import datasets
    >>> datasets.load("airline").loc["1949-01-01", "passengers"]
    np.float64(112.0)
    >>> X_train, y_train, X_test, y_test = datasets.load("GunPoint")
    >>> X_train.shape, sorted(set(y_train.tolist()))
    ((50, 150, 1), ['1', '2'])
"""

from __future__ import annotations

import builtins
import difflib
import functools
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zoo.tsfile import read_ts

__all__ = ["info", "list", "load", "make_streams", "read_ts"]

# `list` below shadows the builtin inside this module.
_list = builtins.list

_TASKS = ("forecast", "classify", "label")
_AEON = "aeon 1.6.0 (BSD-3-Clause)"
_STATSMODELS = "statsmodels 0.15.0 (BSD-3-Clause)"
_UCR = (
    "Dau, H. A. et al. (2019). The UCR time series archive. IEEE/CAA Journal of "
    "Automatica Sinica, 6(6), 1293-1305."
)
_UEA = (
    "Bagnall, A. et al. (2018). The UEA multivariate time series classification archive, "
    "2018. arXiv:1811.00075."
)

# One entry per data set; `info()` returns these facts and the tests check them
# against what `load()` actually returns.
_REGISTRY: dict[str, dict[str, Any]] = {
    "airline": {
        "task": "forecast",
        "files": ("Airline.csv",),
        "shape": (144, 1),
        "frequency": "MS",
        "columns": ("passengers",),
        "start": "1949-01-01",
        "end": "1960-12-01",
        "source": f"{_AEON}: aeon/datasets/data/Airline/Airline.csv",
        "citation": (
            "Box, G. E. P., Jenkins, G. M. and Reinsel, G. C. (1976). Time Series Analysis, "
            "Forecasting and Control. Series G."
        ),
        "description": "Monthly totals of international airline passengers (thousands), 1949-1960.",
    },
    "sunspots": {
        "task": "forecast",
        "files": ("sunspots.csv",),
        "shape": (309, 1),
        "frequency": "YS-JAN",
        "columns": ("sunspots",),
        "start": "1700-01-01",
        "end": "2008-01-01",
        "source": f"{_STATSMODELS}: statsmodels/datasets/sunspots/sunspots.csv",
        "citation": "SIDC / WDC-SILSO, Royal Observatory of Belgium: international sunspot "
        "number, version 1 (pre-2015), as distributed by NOAA's National Geophysical Data "
        "Center.",
        "description": "Yearly mean sunspot number (statsmodels' SUNACTIVITY), 1700-2008.",
    },
    "uschange": {
        "task": "forecast",
        "files": ("Uschange.csv",),
        "shape": (187, 5),
        "frequency": "QS-JAN",
        "columns": ("consumption", "income", "production", "savings", "unemployment"),
        "start": "1970-01-01",
        "end": "2016-07-01",
        "source": f"{_AEON}: aeon/datasets/data/Uschange/Uschange.csv",
        "citation": "Hyndman, R. J. and Athanasopoulos, G. (2018). Forecasting: Principles "
        "and Practice, 2nd ed. (R package fpp2, data set uschange).",
        "description": "Quarterly percentage changes in US personal consumption "
        "expenditure, personal disposable income, production, savings and the unemployment "
        "rate, 1970 Q1 - 2016 Q3 (Federal Reserve Bank of St Louis).",
    },
    "elec_equip": {
        "task": "forecast",
        "files": ("elec_equip.csv",),
        "shape": (257, 1),
        "frequency": "MS",
        "columns": ("turnover",),
        "start": "1995-01-01",
        "end": "2016-05-01",
        "source": f"{_STATSMODELS}: statsmodels/datasets/elec_equip/elec_equip.csv",
        "citation": "Eurostat, series STS.M.I7.W.TOVT.NS0016.4.000 (as shipped by "
        "statsmodels; cf. Hyndman's fpp data set elecequip).",
        "description": "Euro area (18) monthly total turnover index, manufacture of "
        "electrical equipment; working-day adjusted, not seasonally adjusted, 1995-2016.",
    },
    "italy_power_demand": {
        "task": "classify",
        "files": ("ItalyPowerDemand_TRAIN.ts", "ItalyPowerDemand_TEST.ts"),
        "shape": {"train": (67, 24, 1), "test": (1029, 24, 1)},
        "frequency": None,
        "classes": ("1", "2"),
        "source": f"{_AEON}: aeon/datasets/data/ItalyPowerDemand/ItalyPowerDemand_*.ts",
        "citation": _UCR,
        "description": "Daily Italian electrical power demand (24 hourly values); tell "
        "October-March days (1) from April-September days (2).",
    },
    "gunpoint": {
        "task": "classify",
        "files": ("GunPoint_TRAIN.ts", "GunPoint_TEST.ts"),
        "shape": {"train": (50, 150, 1), "test": (150, 150, 1)},
        "frequency": None,
        "classes": ("1", "2"),
        "source": f"{_AEON}: aeon/datasets/data/GunPoint/GunPoint_*.ts",
        "citation": _UCR,
        "description": "X-coordinate of an actor's right hand: drawing a gun (1) or "
        "pointing a finger (2).",
    },
    "arrowhead": {
        "task": "classify",
        "files": ("ArrowHead_TRAIN.ts", "ArrowHead_TEST.ts"),
        "shape": {"train": (36, 251, 1), "test": (175, 251, 1)},
        "frequency": None,
        "classes": ("0", "1", "2"),
        "source": f"{_AEON}: aeon/datasets/data/ArrowHead/ArrowHead_*.ts",
        "citation": _UCR,
        "description": "Outlines of projectile points as angle-based series; classes "
        "Avonlea (0), Clovis (1) and Mix (2).",
    },
    "basic_motions": {
        "task": "classify",
        "files": ("BasicMotions_TRAIN.ts", "BasicMotions_TEST.ts"),
        "shape": {"train": (40, 100, 6), "test": (40, 100, 6)},
        "frequency": None,
        "classes": ("Badminton", "Running", "Standing", "Walking"),
        "source": f"{_AEON}: aeon/datasets/data/BasicMotions/BasicMotions_*.ts",
        "citation": _UEA,
        "description": "Smart-watch 3-D accelerometer and 3-D gyroscope (6 channels, "
        "10 Hz for 10 s) while standing, walking, running or playing badminton.",
    },
    "basic_motions_streams": {
        "task": "label",
        "files": ("BasicMotions_TRAIN.ts", "BasicMotions_TEST.ts"),
        "shape": {"train": (40, None, 6), "test": (40, None, 6)},
        "frequency": None,
        "classes": ("Badminton", "Running", "Standing", "Walking"),
        "derived_from": "basic_motions",
        "source": f"{_AEON}: aeon/datasets/data/BasicMotions/BasicMotions_*.ts, made into "
        "streams by zoo.datasets.make_streams (seed 0 for train, 1 for test)",
        "citation": _UEA,
        "description": "Segmentation streams: 4 BasicMotions recordings of different "
        "activities cut to 30-100 steps each and joined, one activity label per step; "
        "train streams from the original train split only, test streams from the test split.",
    },
}

_ALIASES = {"airpassengers": "airline", "elecequip": "elec_equip"}


def _key(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


_LOOKUP = {_key(n): n for n in _REGISTRY}
_LOOKUP.update(_ALIASES)


def list(task: str | None = None) -> builtins.list[str]:
    """Names of the bundled data sets, in lower case.

    Args:
        task: ``None`` for all sets, ``"forecast"``, ``"classify"`` or ``"label"`` for one kind.

    Returns:
        The names accepted by :func:`load`, forecasting sets first.

    Raises:
        ValueError: ``task`` is not ``None`` or one of those.

    Example:
        >>> from zoo import datasets
        >>> datasets.list(task="forecast")
        ['airline', 'sunspots', 'uschange', 'elec_equip']
    """
    if task is not None and task not in _TASKS:
        raise ValueError(f"task must be None or one of {_TASKS}; got {task!r}")
    return [n for n, meta in _REGISTRY.items() if task is None or meta["task"] == task]


def _resolve(name: Any) -> str:
    if not isinstance(name, str):
        raise TypeError(f"name must be a str naming a data set; got {type(name).__name__}")
    key = _key(name)
    if key in _LOOKUP:
        return _LOOKUP[key]
    close = difflib.get_close_matches(key, _LOOKUP, n=1, cutoff=0.5)
    hint = f" Did you mean {_LOOKUP[close[0]]!r}?" if close else ""
    raise ValueError(
        f"name: unknown data set {name!r}.{hint} Known data sets: {', '.join(_REGISTRY)}."
    )


def _find_data_dir(module_dir: Path) -> Path:
    # Installed wheels carry the files as zoo/_data; a source checkout has them in data/.
    candidates = [module_dir / "_data", module_dir.parent / "data"]
    marker = _REGISTRY["airline"]["files"][0]
    for candidate in candidates:
        if (candidate / marker).is_file():
            return candidate
    raise FileNotFoundError(
        "zoo's bundled data files are missing; looked for "
        + " and ".join(str(c / marker) for c in candidates)
        + ". Reinstall zoo from a wheel or sdist, or run it from a source checkout."
    )


@functools.lru_cache(maxsize=1)
def _data_dir() -> Path:
    return _find_data_dir(Path(__file__).resolve().parent)


def info(name: str) -> dict[str, Any]:
    """Facts about one bundled data set, without loading it.

    Args:
        name: A data set name, looked up as :func:`load` does.

    Returns:
        A dict with ``name``, ``task`` (``"forecast"``, ``"classify"``, ``"label"``), ``shape``
        (``(rows, columns)`` for forecasting; ``{"train": (n, T, F), "test": (n, T, F)}``
        for classification), ``frequency`` (a pandas offset alias, ``None`` for
        classification), ``columns`` with ``start``/``end`` dates or ``classes``,
        ``files``, ``source`` (package, version, licence and path in its wheel),
        ``citation`` and ``description``.

    Raises:
        TypeError: ``name`` is not a string.
        ValueError: ``name`` is not a known data set.

    Example:
        >>> from zoo import datasets
        >>> datasets.info("BasicMotions")["shape"]["train"]
        (40, 100, 6)
    """
    canonical = _resolve(name)
    meta = {"name": canonical, **_REGISTRY[canonical]}
    for key in ("files", "columns", "classes"):
        if key in meta:
            meta[key] = _list(meta[key])
    if isinstance(meta["shape"], dict):
        meta["shape"] = dict(meta["shape"])
    return meta


def load(name: str) -> pd.DataFrame | tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Load a bundled data set; every call returns fresh objects the caller may modify.

    Args:
        name: One of :func:`list`, case-insensitive; hyphens, underscores and spaces are
            ignored, so ``"ItalyPowerDemand"``, ``"italy-power-demand"`` and
            ``"italy_power_demand"`` are the same set.

    Returns:
        Forecasting sets: a ``DataFrame`` with a ``DatetimeIndex`` named ``"date"`` whose
        ``freq`` is set and float64 columns (see the module docstring).
        Classification sets: ``(X_train, y_train, X_test, y_test)`` where ``X`` is float32
        ``[n, T, F]`` and ``y`` holds the original label strings.
        Labelling sets: ``(X_train, Y_train, X_test, Y_test)``, lists of ``[T_i, F]``
        streams and of their ``[T_i]`` per-step labels.

    Raises:
        TypeError: ``name`` is not a string.
        ValueError: ``name`` is not a known data set (the message lists the known names
            and the closest match).
        FileNotFoundError: the data files are not installed.

    Example:
        >>> from zoo import datasets
        >>> df = datasets.load("uschange")
        >>> df.index.freqstr, df.shape
        ('QS-JAN', (187, 5))
    """
    canonical = _resolve(name)
    data = _load_cached(canonical)
    if isinstance(data, pd.DataFrame):
        return data.copy(deep=True)
    return tuple([x.copy() for x in a] if isinstance(a, _list) else a.copy() for a in data)


def make_streams(X, y, n_streams, *, segments=4, min_length=30, seed=0):
    """Long labelled streams from classification samples, for sequence labelling.

    Each stream joins ``segments`` samples, each of a class other than the one before
    it, each cut to a random contiguous stretch of ``min_length`` to all of its steps;
    every step is labelled with its sample's class. Built from one split's samples
    only, streams of a test split hold no step of the training split.

    Args:
        X: Samples ``[n, T, F]``.
        y: Their labels ``[n]``.
        n_streams: How many streams.
        segments: Samples per stream.
        min_length: The shortest stretch of a sample kept.
        seed: Seed of the random choices.

    Returns:
        ``(streams, labels)``: lists of ``[T_i, F]`` float32 arrays and ``[T_i]`` label arrays.

    Example:
        >>> from zoo import datasets
        >>> X, y, _, _ = datasets.load("basic_motions")
        >>> streams, labels = datasets.make_streams(X, y, 2, seed=0)
        >>> len(streams), streams[0].shape[1], len(set(labels[0].tolist())) >= 2
        (2, 6, True)
    """
    X, y = np.asarray(X), np.asarray(y)
    classes = np.unique(y)
    if len(classes) < 2:
        raise ValueError("make_streams needs samples of at least 2 classes")
    if not 1 <= min_length <= X.shape[1]:
        raise ValueError(f"min_length must be in [1, {X.shape[1]}]; got {min_length!r}")
    rng = np.random.default_rng(seed)
    streams, labels = [], []
    for _ in range(int(n_streams)):
        parts, tags, previous = [], [], None
        for _ in range(int(segments)):
            label = rng.choice([c for c in classes if c != previous])
            sample = X[rng.choice(np.flatnonzero(y == label))]
            length = int(rng.integers(min_length, X.shape[1] + 1))
            start = int(rng.integers(0, X.shape[1] - length + 1))
            parts.append(sample[start: start + length])
            tags.append(np.full(length, label))
            previous = label
        streams.append(np.concatenate(parts).astype("float32"))
        labels.append(np.concatenate(tags))
    return streams, labels


@functools.cache
def _load_cached(name: str):
    meta = _REGISTRY[name]
    if meta["task"] == "label":
        X_train, y_train, X_test, y_test = _load_cached(meta["derived_from"])
        n_train, n_test = meta["shape"]["train"][0], meta["shape"]["test"][0]
        return (*make_streams(X_train, y_train, n_train, seed=0),
                *make_streams(X_test, y_test, n_test, seed=1))
    paths = [_data_dir() / f for f in meta["files"]]
    if meta["task"] == "classify":
        X_train, y_train = read_ts(paths[0])
        X_test, y_test = read_ts(paths[1])
        return X_train, y_train, X_test, y_test
    frame = _FORECAST_READERS[name](paths[0])
    frame.index = pd.DatetimeIndex(frame.index, freq=meta["frequency"], name="date")
    frame.columns = _list(meta["columns"])
    return frame.astype("float64")


def _read_csv(path: Path, **kwargs) -> pd.DataFrame:
    # pandas 2.x's default C float parser can be off by one ulp; round_trip gives the
    # double nearest each decimal in the file on every pandas version.
    return pd.read_csv(path, float_precision="round_trip", **kwargs)


def _read_airline(path: Path) -> pd.DataFrame:
    raw = _read_csv(path)
    return pd.DataFrame(
        {"passengers": raw["Passengers"].to_numpy(dtype="float64")},
        index=pd.to_datetime(raw["Date"], format="%Y-%m"),
    )


def _read_sunspots(path: Path) -> pd.DataFrame:
    raw = _read_csv(path)
    return pd.DataFrame(
        {"sunspots": raw["SUNACTIVITY"].to_numpy(dtype="float64")},
        index=pd.to_datetime(raw["YEAR"].astype(int).astype(str), format="%Y"),
    )


def _read_uschange(path: Path) -> pd.DataFrame:
    raw = _read_csv(path, index_col=0)
    parts = raw["Quarter"].str.extract(r"^\s*(\d{4})\s*Q([1-4])\s*$")
    if parts.isna().any().any():
        raise ValueError(f"{path}: unexpected 'Quarter' values; expected e.g. '1970 Q1'")
    dates = pd.to_datetime(
        {"year": parts[0].astype(int), "month": 3 * parts[1].astype(int) - 2, "day": 1}
    )
    values = raw.drop(columns="Quarter")
    values.columns = [c.lower() for c in values.columns]
    values.index = pd.DatetimeIndex(dates)
    return values.sort_index()


def _read_elec_equip(path: Path) -> pd.DataFrame:
    raw = _read_csv(path)
    return pd.DataFrame(
        {"turnover": raw.iloc[:, 1].to_numpy(dtype="float64")},
        index=pd.to_datetime(raw["DATE"], format="%b-%d-%Y"),
    )


_FORECAST_READERS = {
    "airline": _read_airline,
    "sunspots": _read_sunspots,
    "uschange": _read_uschange,
    "elec_equip": _read_elec_equip,
}


