"""What the bad-input and good-input tables share (tests/test_bad_input.py, test_good_input.py).

- ``Case``: one row of a table: an id, the entry point and input it exercises, a call
  taking the per-test context, and (for bad rows) the exception type and the words
  its message must hold (the argument or column, and what is accepted).
- the tiny models the predict / export / load / Predictor / CLI rows need, each
  trained for real once per process (1 epoch, 2 units) and exported once;
- ``Context``: a fresh working directory (the test's cwd) with helpers that write the
  input files a row needs, ``zoo.training.fit`` replaced by a sentinel, and a snapshot
  of every file under the working directory and the shared artifacts, to prove that a
  refusal wrote nothing.

The fitted models are cached at module level (not in a conftest), so that both tables
share them when they run in one process and each builds them once under xdist.
"""

from __future__ import annotations

import atexit
import dataclasses
import functools
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd

import zoo
import zoo.training

REAL_FIT = zoo.training.fit
# small and fast: no validation part, no refit, no callbacks to speak of
TINY = {"units": 2, "epochs": 1, "refit": False, "validation_size": 0, "batch_size": 64,
        "seed": 0}
LOOKBACK, HORIZON = 4, 2


@dataclasses.dataclass(frozen=True)
class Case:
    """One row of an input table.

    Attributes:
        id: The test id: ``<entry point>-<input>-<what is wrong / unusual>``.
        call: ``call(ctx)``: runs the entry point on the input (a Python call), or
            returns the ``argv`` of a command line (``cli=True``).
        exc: Bad rows: the exception type expected (a ``ValueError``, ``TypeError``
            or ``FileNotFoundError``, or a subclass of one).
        needles: Bad rows: substrings the message must hold (the argument or column
            and what is accepted).
        cli: The call gives argv for ``zoo.cli.main.main``.
        check: Good rows: ``check(result, ctx)`` asserts on what the call returned
            (None: the call must reach training, which the sentinel stops).
    """

    id: str
    call: Callable[[Context], Any]
    exc: type = ValueError
    needles: tuple = ()
    cli: bool = False
    check: Callable | None = None


def params(cases):
    """pytest parameters with the cases' ids (each id used once)."""
    import pytest

    ids = [c.id for c in cases]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    assert not dup, f"duplicate case ids: {dup}"
    return [pytest.param(c, id=c.id) for c in cases]


# ----------------------------------------------------------------------------- data
def monthly(n=30, start="2000-01-01", **cols) -> pd.DataFrame:
    """A monthly frame (DatetimeIndex with freq MS): ``sales`` and any other columns."""
    t = np.arange(n, dtype="float64")
    data = {"sales": 20 + t + 3 * np.sin(2 * np.pi * t / 12)}
    data.update(cols)
    return pd.DataFrame(data, index=pd.date_range(start, periods=n, freq="MS", name="date"))


def with_promo(n=30, **cols) -> pd.DataFrame:
    """``monthly`` with the known-ahead ``promo`` column the covariate model reads."""
    return monthly(n, promo=(np.arange(n) % 3 == 0).astype("float64"), **cols)


def future(frame, n=HORIZON, **cols) -> pd.DataFrame:
    """``promo`` over the ``n`` months after ``frame`` (a wide future_df)."""
    idx = pd.date_range(frame.index[-1] + pd.offsets.MonthBegin(), periods=n, freq="MS")
    return pd.DataFrame({"promo": np.ones(n), **cols}, index=idx)


def long_frame(n=24, ids=("a", "b"), start="2000-01-01", freq="MS") -> pd.DataFrame:
    """A long frame: ``unique_id``, ``ds``, ``y`` for each id."""
    rows = [pd.DataFrame({"unique_id": uid, "ds": pd.date_range(start, periods=n, freq=freq),
                          "y": 10.0 + (k + 1) * np.arange(n)}) for k, uid in enumerate(ids)]
    return pd.concat(rows, ignore_index=True)


def long_promo(n=24, ids=("a", "b")) -> pd.DataFrame:
    """``long_frame`` with a known-ahead ``promo`` column."""
    frame = long_frame(n, ids)
    return frame.assign(promo=(np.arange(len(frame)) % 2).astype("float64"))


def long_future(frame, n=HORIZON) -> pd.DataFrame:
    """A long future_df: ``promo`` over the ``n`` steps after each series of ``frame``."""
    rows = []
    for uid, group in frame.groupby("unique_id", sort=False):
        ds = pd.date_range(group["ds"].iloc[-1] + pd.offsets.MonthBegin(), periods=n, freq="MS")
        rows.append(pd.DataFrame({"unique_id": uid, "ds": ds, "promo": np.ones(n)}))
    return pd.concat(rows, ignore_index=True)


def sequences(n=12, steps=5, features=1, seed=0):
    """``(X [n, steps, features], y)``: two classes, a and b, that differ in level."""
    rng = np.random.default_rng(seed)
    y = np.array(["a", "b"] * (n // 2))
    X = rng.normal(size=(n, steps, features)) + (y == "b")[:, None, None] * 2.0
    return X, y


def csv_text(frame: pd.DataFrame, **kwargs) -> str:
    """A frame as CSV text, the time index as a first ``date`` column (ISO dates)."""
    out = frame.copy()
    if isinstance(out.index, pd.DatetimeIndex):
        out.index = out.index.strftime("%Y-%m-%d")
        out.index.name = "date"
        return out.to_csv(**kwargs)
    return out.to_csv(index=False, **kwargs)


def samples_csv(n=20, steps=4, label="kind", seed=0) -> pd.DataFrame:
    """Classification rows: ``t0 .. t{steps-1}`` and a label column of two classes."""
    rng = np.random.default_rng(seed)
    kinds = np.array(["low", "high"] * (n // 2))
    values = rng.normal(size=(n, steps)) + (kinds == "high")[:, None] * 3.0
    frame = pd.DataFrame(values, columns=[f"t{i}" for i in range(steps)])
    frame[label] = kinds
    return frame


def steps_csv(n_seq=6, seed=0) -> pd.DataFrame:
    """Labelling rows: one per time step: ``seq``, ``t``, ``acc``, ``activity``."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(n_seq):
        for t, lab in enumerate(["rest"] * 3 + ["walk"] * 3):
            rows.append({"seq": f"s{s}", "t": t, "acc": float(lab == "walk") + 0.1 * rng.normal(),
                         "activity": lab})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- models
@functools.cache
def models() -> dict:
    """The tiny models, trained for real and exported once per process.

    - ``cov``: a Forecaster on ``with_promo()`` (target ``sales``, known-ahead ``promo``,
      monthly calendar features), exported to ``cov_art``;
    - ``plain``: a Forecaster on ``monthly()`` (``sales`` only), exported to ``plain_art``
      (the command line's predict and evaluate rows: no future_df there);
    - ``long``: a Forecaster on ``long_promo()`` (two series, known-ahead ``promo``; not
      exported);
    - ``clf``: a Classifier on ``sequences()`` (12 sequences of 5 steps, 1 feature: the
      command line's one-row-per-sample CSVs), exported to ``clf_art``.
    """
    root = Path(tempfile.mkdtemp(prefix="zoo-input-tables-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    out = {"root": root}
    with mock.patch.object(zoo.training, "fit", REAL_FIT), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out["cov"] = zoo.Forecaster(lookback=LOOKBACK, horizon=HORIZON, target="sales",
                                    future_covariates=["promo"], **TINY).fit(with_promo())
        out["plain"] = zoo.Forecaster(lookback=LOOKBACK, horizon=HORIZON, **TINY).fit(monthly())
        out["long"] = zoo.Forecaster(lookback=LOOKBACK, horizon=HORIZON, future_covariates=["promo"],
                                     **TINY).fit(long_promo())
        X, y = sequences()
        out["clf"] = zoo.Classifier(model="gru", **TINY).fit(X, y)
        # ONNX Runtime loads in a tenth of the SavedModel's time: the artifacts the command
        # line rows load again and again have model.onnx; cov_art has not (a refusal's row)
        for name, formats in (("cov", ["keras"]), ("plain", None), ("clf", None)):
            out[f"{name}_art"] = out[name].export(root / name, formats=formats)
    return out


@functools.cache
def predictor(name: str):
    """``zoo.load`` of the artifact ``name`` (``"cov_art"``, ...), loaded once per process."""
    return zoo.load(models()[name])


# ----------------------------------------------------------------------------- context
def snapshot(*roots) -> dict:
    """Every file and directory under ``roots``: path -> (size, mtime) (None for directories)."""
    seen = {}
    for root in roots:
        for base, dirs, files in os.walk(root):
            for d in dirs:
                seen[os.path.join(base, d)] = None
            for f in files:
                p = os.path.join(base, f)
                st = os.stat(p)
                seen[p] = (st.st_size, st.st_mtime_ns)
    return seen


class Context:
    """What a row's call gets: the working directory, file writers and the fitted models."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.m = models()
        self.inputs = set()  # the files the row wrote as its input (not the call's output)

    def __getattr__(self, name):  # ctx.cov, ctx.clf_art, ...
        try:
            return self.m[name]
        except KeyError:
            raise AttributeError(name) from None

    def text(self, name, text, encoding="utf-8", newline="") -> str:
        """Writes ``text`` to ``name`` in the working directory; returns the name."""
        path = self.tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding=encoding, newline=newline) as fh:
            fh.write(text)
        self.inputs.update({str(path), str(path.parent)})
        return name

    def bytes(self, name, data: bytes) -> str:
        (self.tmp / name).write_bytes(data)
        self.inputs.add(str(self.tmp / name))
        return name

    def dir(self, name) -> str:
        """An (empty) directory in the working directory, as an input."""
        (self.tmp / name).mkdir(parents=True, exist_ok=True)
        self.inputs.add(str(self.tmp / name))
        return name

    def csv(self, name, frame: pd.DataFrame, **kwargs) -> str:
        return self.text(name, csv_text(frame, **kwargs))

    def snapshot(self) -> dict:
        """Every file and directory now under the working directory and the shared
        artifacts, but the row's own input files."""
        return {p: v for p, v in snapshot(self.tmp, self.m["root"]).items()
                if p not in self.inputs}
