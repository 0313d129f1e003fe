"""Good input: the unusual-but-valid forms of every input are accepted (over-strict
validation is a defect too).

Derived the way tests/test_bad_input.py derives its table: for each public entry point
and each input it takes, the forms a user or a real tool produces that are valid:

  numbers   numpy scalars (np.int64/int32/int16, np.float32/float64) wherever an int or
            a float is taken; np.True_/np.False_ wherever a flag is; np.str_ wherever a
            name or a choice is; ints where a float is taken (learning_rate=1)
  sequences tuples and numpy arrays for lists (quantiles, units, input_shape, target),
            unsorted quantile levels
  frames    RangeIndex and integer indexes (any start and step), PeriodIndex, tz-aware
            DatetimeIndex, a regular DatetimeIndex without its freq attribute, business-day,
            weekly, quarterly, yearly, hourly and 15-minute data; pandas nullable columns
            without missing values (Int64, Float64, boolean); float32, int, uint8 and bool
            columns; non-numeric columns beside the target (ignored); a Series, a list, 1-D
            and 2-D arrays; a non-string column name
  long      categorical and integer ids; integer, nullable, string, tz-aware and Period ``ds``;
            rows of different series interleaved; series of different lengths and starts;
            another target column; extra text columns
  future_df rows in any order, rows beyond the horizon, extra columns, nullable and integer
            columns
  sequences float32, int, bool and object arrays; nested lists; DataFrames (nullable too);
            ragged lists of arrays or of lists; labels as ints, bools, integral floats, lists,
            Series, Categoricals, nullable arrays; class_weight with numpy keys and values
  paths     str and pathlib.Path; a nested directory that does not exist yet
  Predictor float64, int and nested-list arrays for ``run``; DataFrames and 3-D arrays for
            ``predict``; numpy ints for ``threads``
  files     CSV as real tools write them: a UTF-8 byte-order mark (Excel "CSV UTF-8"), CRLF
            line endings, both, Windows-1252 (Excel "CSV (Comma delimited)"), UTF-16 with a
            BOM, quoted headers and fields, Excel's ``sep=,`` first line, trailing commas
            (empty unnamed columns), spaces around header names, trailing blank lines, US
            (1/31/2000) and European (31.01.2000) dates, ISO timestamps with one UTC offset,
            an integer time column (years); semicolon-separated files are not documented
            by zoo.io and are refused (tests/test_bad_input.py)
  CLI       ``--flag=value``, options after positionals, bundled set names in any case

A row either reaches training (``zoo.training.fit`` is replaced by a sentinel that stops
it: validation accepted the input, and no training ran), or returns without training (the
predict, build, export, load and command-line predict rows) and is checked. The three
tests at the end train for real (1 epoch, 2 units) on the most unusual inputs and predict;
the shared models the predict rows use were trained for real too (tests/_inputs.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _inputs import (
    HORIZON,
    LOOKBACK,
    TINY,
    Case,
    Context,
    future,
    long_frame,
    long_future,
    long_promo,
    monthly,
    params,
    predictor,
    samples_csv,
    sequences,
    steps_csv,
    with_promo,
)

import zoo
import zoo.base
import zoo.io
import zoo.training
from zoo.cli.main import main


class _ReachedTraining(BaseException):
    """Raised by the stand-in for zoo.training.fit: validation accepted the input."""


def _reached(*args, **kwargs):
    raise _ReachedTraining()


@pytest.fixture
def ctx(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return Context(tmp_path)


# ----------------------------------------------------------------------------- helpers
def F(**kw):
    return zoo.Forecaster(**{"lookback": LOOKBACK, "horizon": HORIZON, **TINY, **kw})


def C(**kw):
    return zoo.Classifier(**{**TINY, "model": "gru", **kw})


def trains(id, call):
    """A row that must reach training."""
    return Case(id, call)


def returns(id, call, check):
    """A row that returns without training; ``check(result, ctx)`` asserts on it."""
    return Case(id, call, check=check)


def fparam(name, value, data=monthly, **extra):
    return trains(f"forecaster-{name}-{_show(value)}",
                  lambda ctx: F(**{name: value}, **extra).fit(data()))


def _show(value):
    text = repr(value).replace(" ", "")
    return text if len(text) < 32 else text[:29] + "..."


def fdata(id, make, **kw):
    return trains(f"forecaster-fit-df-{id}", lambda ctx: F(**kw).fit(make()))


def index_of(freq, n=30, **kw):
    return lambda: monthly(n).set_axis(pd.date_range("2020-01-06", periods=n, freq=freq, **kw))


def shape(*want):
    def check(result, ctx):
        assert tuple(np.shape(result)) == want, np.shape(result)
    return check


def frame_of(n_rows, columns=None, index=None):
    def check(result, ctx):
        assert isinstance(result, pd.DataFrame) and len(result) == n_rows, result
        assert np.all(np.isfinite(result.select_dtypes("number").to_numpy()))
        if columns is not None:
            assert list(result.columns) == columns, list(result.columns)
        if index is not None:
            assert isinstance(result.index, index), type(result.index)
    return check


def build(id, want, name="lstm", **kw):
    args = {"input_shape": (6, 2), "units": 2, **kw}
    return returns(f"build-{id}", lambda ctx: zoo.build(name, **args),
                   lambda m, ctx: tuple(m.output.shape) == want or pytest.fail(str(m.output)))


X, Y = sequences()
HIST = with_promo()
FUT = future(HIST)

# ----------------------------------------------------------------------------- builders
BUILDERS = [
    build("numpy-ints", (None, 3, 1), input_shape=(np.int64(6), np.int32(2)), units=np.int64(2),
          horizon=np.int64(3), n_targets=np.int16(1)),
    build("input_shape-list", (None, 1, 1), input_shape=[6, 2]),
    build("input_shape-ndarray", (None, 1, 1), input_shape=np.array([6, 2])),
    build("input_shape-variable", (None, 1, 1), input_shape=(None, 2)),
    build("dropout-np.float32", (None, 1, 1), dropout=np.float32(0.1)),
    build("units-tuple-stacked", (None, 1, 1), name="stacked_lstm", units=(2, 2)),
    build("units-ndarray-stacked", (None, 1, 1), name="stacked_gru", units=np.array([2, 3])),
    build("units-numpy-list", (None, 1, 1), name="stacked_rnn", units=[np.int64(2), 2]),
    build("mask_value-np.float32", (None, 1, 1), input_shape=(None, 2),
          mask_value=np.float32(-99)),
    build("name-upper-case", (None, 1, 1), name="LSTM"),
    build("name-np.str_", (None, 1, 1), name=np.str_("gru")),
    build("task-np.str_-classify", (None, 3), task=np.str_("classify"), n_classes=np.int64(3)),
    build("layer_norm-np.True_", (None, 1, 1), layer_norm=np.True_),
    build("quantiles-ndarray", (None, 1, 1, 3), quantiles=np.array([0.9, 0.1, 0.5])),
    build("initializer-alias", (None, 1, 1), kernel_initializer="he"),
    build("n_future-np.int64", (None, 2, 1), horizon=2, n_future=np.int64(1)),
    returns("list_models-np.str_", lambda ctx: zoo.list_models(np.str_("label")),
            lambda names, ctx: "bigru" in names and "lstm_fcn" not in names or pytest.fail()),
]

# ----------------------------------------------------------------------------- Forecaster(...)
FORECASTER_PARAMS = [
    fparam("lookback", np.int64(4)), fparam("lookback", np.int32(6)),
    fparam("horizon", np.int16(2)), fparam("epochs", np.int64(3)),
    fparam("batch_size", np.int64(8)), fparam("seed", np.int64(7)), fparam("seed", None),
    fparam("units", np.int32(3)), fparam("units", (2, 3), model="stacked_lstm"),
    fparam("units", np.array([2, 2]), model="stacked_gru"),
    fparam("learning_rate", np.float32(0.01)), fparam("learning_rate", 1),
    fparam("dropout", np.float32(0.1)), fparam("dropout", 0),
    fparam("validation_size", np.float64(0.25)), fparam("validation_size", 6),
    fparam("validation_size", np.int64(6)),
    fparam("refit", np.True_), fparam("log", np.False_), fparam("log", True),
    fparam("calendar_features", np.True_), fparam("calendar_features", False),
    fparam("quantiles", np.array([0.1, 0.5, 0.9])),
    fparam("quantiles", (np.float32(0.1), 0.9)), fparam("quantiles", [0.9, 0.1, 0.5]),
    fparam("target", np.str_("sales")), fparam("target", ("sales",)),
    fparam("target", ["sales", "x"], data=lambda: monthly(x=np.ones(30))),
    fparam("future_covariates", ("promo",), data=with_promo, target="sales"),
    fparam("future_covariates", np.str_("promo"), data=with_promo, target="sales"),
    fparam("model", "GRU"), fparam("model", np.str_("simple_rnn")), fparam("model", " lstm "),
    fparam("model", "lstm_fcn"), fparam("model", "cnn_lstm"),
    fparam("strategy", np.str_("recursive")), fparam("scaling", np.str_("global")),
    fparam("fill_missing", "interpolate", data=lambda: monthly().assign(
        sales=lambda d: d["sales"].where(d.index.month != 4))),
    fparam("early_stopping", {"patience": 3, "min_delta": 0.0}, validation_size=6),
    fparam("reduce_lr_on_plateau", {"factor": 0.5, "patience": 2}),
    fparam("clipvalue", np.float32(0.5)), fparam("clipnorm", None),
    fparam("global_clipnorm", 2, clipnorm=None),
    fparam("lr_schedule", "Cosine", decay_epochs=np.int64(2)),
    fparam("lr_schedule", "exponential", decay_steps=np.int64(10), decay_rate=np.float32(0.9)),
    fparam("optimizer", "SGD"), fparam("optimizer", np.str_("rmsprop")),
    fparam("pruning", {"target_sparsity": np.float32(0.5)}),
    fparam("model_kwargs", {"layer_norm": np.True_}),
    fparam("model_kwargs", {"recurrent_initializer": "glorot"}),
    fparam("csv_log", __import__("pathlib").Path("runs/log.csv")),
    fparam("verbose", np.int64(0)),
]

# ----------------------------------------------------------------------------- Forecaster.fit(df)
FORECASTER_DATA = [
    fdata("RangeIndex", lambda: monthly().reset_index(drop=True)),
    fdata("integer-index-step-2", lambda: monthly().set_axis(np.arange(100, 160, 2))),
    fdata("uint-index", lambda: monthly().set_axis(np.arange(30, dtype="uint32"))),
    fdata("PeriodIndex-monthly", lambda: monthly().to_period("M")),
    fdata("PeriodIndex-quarterly", lambda: monthly().set_axis(
        pd.period_range("2000Q1", periods=30, freq="Q"))),
    fdata("tz-aware-UTC", lambda: monthly().tz_localize("UTC")),
    fdata("tz-aware-daily-across-DST", lambda: monthly(60).set_axis(
        pd.date_range("2020-03-01", periods=60, freq="D", tz="Europe/Berlin"))),
    fdata("no-freq-attribute", lambda: monthly().set_axis(pd.DatetimeIndex(
        list(monthly().index)))),
    fdata("business-days", index_of("B")), fdata("weekly", index_of("W")),
    fdata("quarter-start", index_of("QS")), fdata("year-start", index_of("YS")),
    fdata("hourly", index_of("h")), fdata("15-minutes", index_of("15min")),
    fdata("Int64-nullable", lambda: monthly().astype({"sales": "int64"}).astype("Int64")),
    fdata("Float64-nullable", lambda: monthly().astype("Float64")),
    fdata("boolean-nullable-covariate", lambda: monthly(
        flag=pd.array([True, False] * 15, dtype="boolean")), target="sales"),
    fdata("bool-covariate", lambda: monthly(flag=np.arange(30) % 2 == 0), target="sales"),
    fdata("float32", lambda: monthly().astype("float32")),
    fdata("int64", lambda: monthly().astype("int64")),
    fdata("uint8", lambda: monthly().astype("uint8")),
    fdata("text-column-beside", lambda: monthly(note=["x"] * 30)),
    fdata("datetime-column-beside", lambda: monthly().assign(when=monthly().index)),
    fdata("column-named-0", lambda: pd.DataFrame({0: monthly()["sales"].to_numpy()},
                                                 index=monthly().index)),
    fdata("constant", lambda: monthly().assign(sales=5.0)),
    fdata("negative-values", lambda: monthly().assign(sales=lambda d: d["sales"] - 100)),
    fdata("Series", lambda: monthly()["sales"]),
    fdata("Series-unnamed", lambda: pd.Series(monthly()["sales"].to_numpy(),
                                              index=monthly().index)),
    fdata("Series-PeriodIndex", lambda: monthly()["sales"].to_period("M")),
    fdata("list", lambda: list(np.arange(30.0))),
    fdata("int-array", lambda: np.arange(30)),
    fdata("float32-2d-array", lambda: np.ones((30, 2), "float32") * np.arange(30)[:, None]),
    fdata("long-categorical-ids", lambda: long_frame().astype({"unique_id": "category"})),
    fdata("long-integer-ids", lambda: long_frame().assign(
        unique_id=lambda d: d["unique_id"].map({"a": 1, "b": 2}))),
    fdata("long-integer-ds", lambda: long_frame().assign(
        ds=lambda d: d.groupby("unique_id").cumcount())),
    fdata("long-Int64-ds", lambda: long_frame().assign(
        ds=lambda d: d.groupby("unique_id").cumcount().astype("Int64"))),
    fdata("long-string-ds", lambda: long_frame().assign(ds=lambda d: d["ds"].dt.strftime(
        "%Y-%m-%d"))),
    fdata("long-tz-aware-ds", lambda: long_frame().assign(ds=lambda d: d["ds"].dt.tz_localize(
        "UTC"))),
    fdata("long-Period-ds", lambda: long_frame().assign(ds=lambda d: d["ds"].dt.to_period("M"))),
    fdata("long-interleaved-rows", lambda: long_frame().sort_values(["ds", "unique_id"])),
    fdata("long-different-lengths-and-starts", lambda: pd.concat(
        [long_frame(n=30, ids=("a",)), long_frame(n=12, ids=("b",), start="2001-06-01")],
        ignore_index=True)),
    fdata("long-other-target", lambda: long_frame().rename(columns={"y": "sales"}),
          target="sales"),
    fdata("long-text-column", lambda: long_frame().assign(name="shop")),
    fdata("long-nullable-y", lambda: long_frame().astype({"y": "Float64"})),
]

# ----------------------------------------------------------------------------- predict, future_df
def cov(call):
    return lambda ctx: call(ctx.cov)


PREDICT = [
    returns("forecaster-predict-none-continues-training", lambda ctx: ctx.plain.predict(),
            frame_of(HORIZON, ["sales"], pd.DatetimeIndex)),
    returns("forecaster-predict-future_df-unsorted", cov(lambda f: f.predict(HIST, FUT.iloc[::-1])),
            frame_of(HORIZON, ["sales"])),
    returns("forecaster-predict-future_df-extra-rows", cov(lambda f: f.predict(
        HIST, future(HIST, n=HORIZON + 3))), frame_of(HORIZON)),
    returns("forecaster-predict-future_df-extra-columns", cov(lambda f: f.predict(
        HIST, FUT.assign(other=1.0, note="x"))), frame_of(HORIZON)),
    returns("forecaster-predict-future_df-nullable", cov(lambda f: f.predict(
        HIST, FUT.astype("Float64"))), frame_of(HORIZON)),
    returns("forecaster-predict-future_df-int-and-bool", cov(lambda f: f.predict(
        HIST, FUT.assign(promo=[1, 0]))), frame_of(HORIZON)),
    returns("forecaster-predict-future_df-bool", cov(lambda f: f.predict(
        HIST, FUT.assign(promo=[True, False]))), frame_of(HORIZON)),
    returns("forecaster-predict-history-nullable", cov(lambda f: f.predict(
        HIST.astype("Float64"), FUT)), frame_of(HORIZON)),
    returns("forecaster-predict-history-columns-reordered", cov(lambda f: f.predict(
        HIST[["promo", "sales"]], FUT)), frame_of(HORIZON)),
    returns("forecaster-predict-history-no-freq-attribute", cov(lambda f: f.predict(
        HIST.set_axis(pd.DatetimeIndex(list(HIST.index))), FUT)), frame_of(HORIZON)),
    returns("forecaster-predict-history-PeriodIndex", cov(lambda f: f.predict(
        HIST.to_period("M"), FUT)), frame_of(HORIZON, index=pd.DatetimeIndex)),
    returns("forecaster-predict-history-exactly-lookback", cov(lambda f: f.predict(
        HIST.iloc[-LOOKBACK:], FUT)), frame_of(HORIZON)),
    returns("forecaster-predict-history-float32", cov(lambda f: f.predict(
        HIST.astype("float32"), FUT)), frame_of(HORIZON)),
    returns("forecaster-predict-history-text-column", lambda ctx: ctx.plain.predict(
        monthly(note=["x"] * 30)), frame_of(HORIZON, ["sales"])),
    returns("forecaster-predict-history-Series", lambda ctx: ctx.plain.predict(
        monthly()["sales"]), frame_of(HORIZON, ["sales"])),
    returns("forecaster-predict-long-interleaved", lambda ctx: ctx.long.predict(
        long_promo().sort_values(["ds", "unique_id"]), long_future(long_promo())),
            frame_of(2 * HORIZON, ["unique_id", "ds", "y_hat"])),
    returns("forecaster-predict-long-categorical-ids", lambda ctx: ctx.long.predict(
        long_promo().astype({"unique_id": "category"}), long_future(long_promo()).iloc[::-1]),
            frame_of(2 * HORIZON)),
    returns("forecaster-predict-long-one-series", lambda ctx: ctx.long.predict(
        long_promo().query("unique_id == 'b'"), long_future(long_promo())), frame_of(HORIZON)),
    returns("forecaster-predict-long-model-wide-history", lambda ctx: ctx.long.predict(
        long_promo().query("unique_id == 'a'").set_index("ds")[["y", "promo"]],
        long_future(long_promo()).query("unique_id == 'a'").set_index("ds")[["promo"]]),
            frame_of(HORIZON, ["y"])),
]

# ----------------------------------------------------------------------------- Classifier, labeler
def cfit(id, make_X, make_y=lambda: Y, **kw):
    return trains(f"classifier-fit-{id}", lambda ctx: C(**kw).fit(make_X(), make_y()))


RAGGED = [np.zeros((3, 1)), np.ones((4, 1))] * 3
RAGGED_Y = np.array(["a", "b"] * 3)
CLASSIFIER = [
    cfit("X-float32", lambda: X.astype("float32")), cfit("X-int", lambda: (X * 10).astype(int)),
    cfit("X-bool", lambda: X > 0), cfit("X-object-floats", lambda: X.astype(object)),
    cfit("X-2d", lambda: X[:, :, 0]), cfit("X-nested-list-2d", lambda: X[:, :, 0].tolist()),
    cfit("X-nested-list-3d", lambda: X.tolist()),
    cfit("X-DataFrame", lambda: pd.DataFrame(X[:, :, 0])),
    cfit("X-DataFrame-Float64", lambda: pd.DataFrame(X[:, :, 0]).astype("Float64")),
    cfit("X-tuple-of-arrays", lambda: tuple(X)),
    cfit("X-ragged", lambda: RAGGED, lambda: RAGGED_Y),
    cfit("X-ragged-1d", lambda: [np.zeros(3), np.ones(4)] * 3, lambda: RAGGED_Y),
    cfit("X-ragged-lists", lambda: [[0.0, 1.0], [1.0, 2.0, 3.0]] * 3, lambda: RAGGED_Y),
    cfit("y-ints", lambda: X, lambda: np.arange(12) % 2),
    cfit("y-bools", lambda: X, lambda: np.arange(12) % 2 == 0),
    cfit("y-integral-floats", lambda: X, lambda: (np.arange(12) % 2).astype(float)),
    cfit("y-three-classes", lambda: X, lambda: np.array(list("abc") * 4)),
    cfit("y-list", lambda: X, lambda: list(Y)), cfit("y-Series", lambda: X, lambda: pd.Series(Y)),
    cfit("y-Categorical", lambda: X, lambda: pd.Categorical(Y)),
    cfit("y-Int64", lambda: X, lambda: pd.array(np.arange(12) % 2, dtype="Int64")),
    cfit("y-np.str_", lambda: X, lambda: [np.str_(v) for v in Y]),
    cfit("class_weight-balanced", lambda: X, class_weight="balanced"),
    cfit("class_weight-numpy", lambda: X, class_weight={np.str_("a"): np.float32(2), "b": 1}),
    cfit("validation_size-int", lambda: X, validation_size=4),
    cfit("validation_size-np.float32", lambda: X, validation_size=np.float32(0.25)),
    cfit("units-np.int64", lambda: X, units=np.int64(3)),
    cfit("model-np.str_", lambda: X, model=np.str_("BiGRU")),
    cfit("scaling-np.str_", lambda: X, scaling=np.str_("none")),
    trains("labeler-fit-Y-lists-of-strings", lambda ctx: zoo.SequenceLabeler(**TINY).fit(
        X, [["a", "a", "b", "b", "b"]] * 12)),
    trains("labeler-fit-ragged", lambda ctx: zoo.SequenceLabeler(**TINY).fit(
        [np.zeros((3, 1)), np.ones((5, 1))] * 3, [np.array([0, 1, 1]),
                                                  np.array([1, 1, 0, 0, 0])] * 3)),
    trains("labeler-fit-Y-int-array", lambda ctx: zoo.SequenceLabeler(**TINY).fit(
        X, np.tile([0, 0, 1, 1, 2], (12, 1)))),
]


def clf(call):
    return lambda ctx: call(ctx.clf)


CLASSIFIER_PREDICT = [
    returns("classifier-predict-X-float32", clf(lambda c: c.predict(X.astype("float32"))),
            shape(12)),
    returns("classifier-predict-X-2d", clf(lambda c: c.predict(X[:, :, 0])), shape(12)),
    returns("classifier-predict-X-list-of-arrays", clf(lambda c: c.predict(list(X))), shape(12)),
    returns("classifier-predict-X-DataFrame", clf(lambda c: c.predict(pd.DataFrame(X[:, :, 0]))),
            shape(12)),
    returns("classifier-predict-X-int", clf(lambda c: c.predict(X.astype(int))), shape(12)),
    returns("classifier-predict_proba-one-sample", clf(lambda c: c.predict_proba(X[:1])),
            shape(1, 2)),
    returns("classifier-score-y-list", clf(lambda c: c.score(X, list(Y))),
            lambda s, ctx: 0 <= s <= 1 or pytest.fail()),
    returns("classifier-score-y-Series", clf(lambda c: c.score(X, pd.Series(Y))),
            lambda s, ctx: 0 <= s <= 1 or pytest.fail()),
    returns("classifier-score-unseen-labels", clf(lambda c: c.score(X, np.array(["z"] * 12))),
            lambda s, ctx: s == 0 or pytest.fail()),
]

# ----------------------------------------------------------------------------- export, load, Predictor
def same_forecast(ctx_name):
    def check(p, ctx):
        want = getattr(ctx, ctx_name).predict(monthly())
        np.testing.assert_allclose(p.predict(monthly()).to_numpy(), want.to_numpy(), rtol=1e-4,
                                   atol=1e-4)
    return check


def pred(call, art="cov_art"):
    return lambda ctx: call(predictor(art))


W_IN = np.ones((1, LOOKBACK, 4))
W_FUT = np.ones((1, HORIZON, 3))
EXPORT_LOAD = [
    returns("export-pathlib-nested-new-directory", lambda ctx: zoo.load(ctx.plain.export(
        __import__("pathlib").Path("a") / "b" / "art", formats=("keras",),
        overwrite=np.False_)), same_forecast("plain")),
    returns("load-pathlib", lambda ctx: zoo.load(ctx.plain_art), same_forecast("plain")),
    returns("load-str-backend-np.str_-threads-np.int64", lambda ctx: zoo.load(
        str(ctx.plain_art), backend=np.str_("auto"), threads=np.int64(1)), same_forecast("plain")),
    returns("load-Forecaster.load", lambda ctx: zoo.Forecaster.load(str(ctx.plain_art)),
            same_forecast("plain")),
    returns("predictor-run-float64", pred(lambda p: p.run(W_IN, W_FUT)), shape(1, HORIZON, 1)),
    returns("predictor-run-int", pred(lambda p: p.run(W_IN.astype(int), W_FUT.astype(int))),
            shape(1, HORIZON, 1)),
    returns("predictor-run-nested-lists", pred(lambda p: p.run(W_IN.tolist(), W_FUT.tolist())),
            shape(1, HORIZON, 1)),
    returns("predictor-predict-3d-arrays", pred(lambda p: p.predict(np.ones((3, LOOKBACK, 4),
                                                                            "float32"),
                                                                    np.ones((3, HORIZON, 3)))),
            shape(3, HORIZON, 1)),
    returns("predictor-predict-DataFrame", pred(lambda p: p.predict(HIST, FUT)),
            frame_of(HORIZON, ["sales"])),
    returns("predictor-predict-PeriodIndex-history", pred(lambda p: p.predict(
        HIST.to_period("M"), FUT.iloc[::-1])), frame_of(HORIZON)),
    returns("predictor-make_inputs", pred(lambda p: p.make_inputs(HIST, FUT)),
            lambda d, ctx: sorted(d) == ["future", "inputs"] or pytest.fail(str(d))),
    returns("predictor-classify-2d-X", pred(lambda p: p.predict(X[:, :, 0]), "clf_art"),
            shape(12)),
    returns("predictor-classify-list-X", pred(lambda p: p.predict_proba(list(X)), "clf_art"),
            shape(12, 2)),
]

# ----------------------------------------------------------------------------- files and the CLI
SALES = monthly(72)


def rows(frame=SALES, date="%Y-%m-%d", sep="\n", quote=False, extra=""):
    """CSV text of ``frame`` (date, sales), as a tool might write it."""
    q = '"' if quote else ""
    head = f"{q}date{q},{q}sales{q}{extra and ','}{extra}"
    body = [f"{q}{t.strftime(date) if isinstance(date, str) else date(t)}{q},{q}{v}{q}"
            f"{extra and ','}" for t, v in zip(frame.index, frame["sales"])]
    return sep.join([head] + body) + sep


def us_date(t):
    return f"{t.month}/{t.day}/{t.year}"


CSV_FORMS = {
    "plain": lambda ctx: ctx.text("s.csv", rows()),
    "utf8-bom": lambda ctx: ctx.text("s.csv", "\ufeff" + rows()),
    "crlf": lambda ctx: ctx.text("s.csv", rows(sep="\r\n")),
    "excel-csv-utf8-bom-crlf": lambda ctx: ctx.text("s.csv", "\ufeff" + rows(sep="\r\n")),
    "excel-cp1252-crlf": lambda ctx: ctx.text("s.csv", rows(sep="\r\n", extra="note").replace(
        ",\r\n", ",caf\xe9 \u20ac\r\n"), encoding="cp1252"),
    "utf16-bom": lambda ctx: ctx.text("s.csv", rows(), encoding="utf-16"),
    "quoted": lambda ctx: ctx.text("s.csv", rows(quote=True)),
    "excel-sep-line": lambda ctx: ctx.text("s.csv", "sep=,\r\n" + rows(sep="\r\n")),
    "trailing-commas": lambda ctx: ctx.text("s.csv", rows().replace("\n", ",\n")),
    "spaces-around-names": lambda ctx: ctx.text("s.csv", rows().replace("date,sales",
                                                                        " date , sales ")),
    "trailing-blank-lines": lambda ctx: ctx.text("s.csv", rows() + "\n\n"),
    "us-dates": lambda ctx: ctx.text("s.csv", rows(date=us_date)),
    "european-dates": lambda ctx: ctx.text("s.csv", rows(date="%d.%m.%Y")),
    "european-slash-dates": lambda ctx: ctx.text("s.csv", rows(date="%d/%m/%Y")),
    "iso-timestamps": lambda ctx: ctx.text("s.csv", rows(date="%Y-%m-%dT%H:%M:%S")),
    "one-utc-offset": lambda ctx: ctx.text("s.csv", rows(date="%Y-%m-%dT%H:%M:%S+02:00")),
}


def cli_train(form, *extra):
    return trains(f"cli-train-csv-{form}", lambda ctx: main(
        ["train", "--data", CSV_FORMS[form](ctx), "--out", "out", *extra]))


def cli_predict(form):
    def call(ctx):
        return main(["predict", str(ctx.plain_art), "--data", CSV_FORMS[form](ctx),
                     "--output", "pred.csv"])

    def check(status, ctx):
        assert status == 0
        out = pd.read_csv(ctx.tmp / "pred.csv", index_col=0)
        assert list(out.columns) == ["sales"] and len(out) == HORIZON
        assert out.index[0].startswith("2006-01-01"), out.index[0]
    return returns(f"cli-predict-csv-{form}", call, check)


def cli_ok(id, argv, check=None):
    def call(ctx):
        return main(argv(ctx))
    return returns(f"cli-{id}", call, check or (lambda status, ctx: status == 0 or pytest.fail()))


CLI = [
    *[cli_train(form) for form in CSV_FORMS],
    *[cli_predict(form) for form in ("utf8-bom", "excel-cp1252-crlf", "utf16-bom",
                                     "excel-sep-line", "european-dates", "trailing-commas")],
    cli_ok("evaluate-csv-crlf", lambda ctx: ["evaluate", str(ctx.plain_art), "--data",
                                             CSV_FORMS["crlf"](ctx)]),
    trains("cli-train-integer-time-column", lambda ctx: main([
        "train", "--data", ctx.csv("y.csv", SALES.reset_index(drop=True).assign(
            year=np.arange(1950, 1950 + len(SALES)))), "--time-col", "year", "--target", "sales",
        "--out", "out"])),
    trains("cli-train-explicit-time-col", lambda ctx: main([
        "train", "--data", CSV_FORMS["plain"](ctx), "--time-col", "date", "--out", "out"])),
    trains("cli-train-flag=value", lambda ctx: main([
        "train", f"--data={CSV_FORMS['plain'](ctx)}", "--out=out", "--lookback=6", "--horizon=3",
        "--epochs=1", "--units=2"])),
    trains("cli-train-long-csv", lambda ctx: main([
        "train", "--data", ctx.csv("l.csv", long_frame(n=40)), "--horizon", "3", "--out",
        "out"])),
    trains("cli-train-bundled-name-case", lambda ctx: main([
        "train", "--data", "Airline", "--out", "out"])),
    trains("cli-train-out-nested-new-directory", lambda ctx: main([
        "train", "--data", CSV_FORMS["plain"](ctx), "--out", "new/nested/out"])),
    trains("cli-classify-csv-bom-crlf-quoted", lambda ctx: main([
        "train", "--task", "classify", "--data", ctx.text(
            "c.csv", "\ufeff" + samples_csv().to_csv(index=False, lineterminator="\r\n",
                                                     quoting=1)),
        "--label", "kind", "--out", "out"])),
    trains("cli-classify-bundled-set-dashes", lambda ctx: main([
        "train", "--task", "classify", "--data", "italy-power-demand", "--out", "out"])),
    trains("cli-label-csv-crlf", lambda ctx: main([
        "train", "--task", "label", "--data", ctx.text("q.csv", steps_csv().to_csv(
            index=False, lineterminator="\r\n")), "--id-col", "seq", "--time-col", "t",
        "--label", "activity", "--out", "out"])),
    cli_ok("predict-classifier-csv-label", lambda ctx: [
        "predict", str(ctx.clf_art), "--data", ctx.csv("c.csv", samples_csv(steps=5)),
        "--label", "kind"]),
    cli_ok("predict-classifier-csv-no-label-bom", lambda ctx: [
        "predict", str(ctx.clf_art), "--data", ctx.text("c.csv", "\ufeff" + samples_csv(
            steps=5).drop(columns="kind").to_csv(index=False))]),
    cli_ok("evaluate-classifier-label-column", lambda ctx: [
        "evaluate", str(ctx.clf_art), "--data", ctx.csv("c.csv", samples_csv(
            steps=5, label="label"))]),
    cli_ok("predict-options-after-positional-output-in-subdir", lambda ctx: [
        "predict", "--data", CSV_FORMS["crlf"](ctx), str(ctx.plain_art), "--output",
        (ctx.dir("outdir"), "outdir/f.csv")[1]],
        lambda status, ctx: status == 0 and (ctx.tmp / "outdir" / "f.csv").is_file()
        or pytest.fail()),
]

IO = [
    returns(f"io-read_table-{form}", lambda ctx, form=form: zoo.io.read_table(
        CSV_FORMS[form](ctx)), lambda df, ctx: (
            list(df.columns)[:1] == ["sales"] and len(df) == 72 and df.index.freqstr == "MS"
            and df.index[0].month == 1) or pytest.fail(f"{df.columns} {df.index[:3]}"))
    for form in CSV_FORMS
]

GOOD = (BUILDERS + FORECASTER_PARAMS + FORECASTER_DATA + PREDICT + CLASSIFIER
        + CLASSIFIER_PREDICT + EXPORT_LOAD + CLI + IO)


@pytest.mark.parametrize("case", params(GOOD))
def test_good_input_is_accepted(case, ctx, monkeypatch, capsys):
    monkeypatch.setattr(zoo.training, "fit", _reached)
    if case.check is None:
        try:
            result = case.call(ctx)
        except _ReachedTraining:
            return
        pytest.fail(f"did not reach training: returned {result!r}; stderr: "
                    f"{capsys.readouterr().err}")
    result = case.call(ctx)
    assert "error:" not in capsys.readouterr().err
    case.check(result, ctx)


# ----------------------------------------------------------------------------- real training
def test_period_index_nullable_numpy_arguments_train_and_predict():
    """A PeriodIndex, a Float64 target, a boolean covariate, numpy arguments: for real."""
    frame = monthly().astype({"sales": "Float64"}).assign(
        open=pd.array([True, False] * 15, dtype="boolean")).to_period("M")
    f = zoo.Forecaster(lookback=np.int64(LOOKBACK), horizon=np.int32(HORIZON), target="sales",
                       quantiles=np.array([0.9, 0.1, 0.5]), refit=np.False_,
                       learning_rate=np.float32(0.01), validation_size=np.int64(6),
                       **{k: v for k, v in TINY.items() if k not in ("refit", "validation_size")})
    f.fit(frame)
    forecast = f.predict()
    assert isinstance(forecast.index, pd.DatetimeIndex) and forecast.index.freqstr == "MS"
    assert list(forecast.columns) == ["sales", "sales_q0.1", "sales_q0.5", "sales_q0.9"]
    assert str(forecast.index[0].date()) == "2002-07-01"
    again = f.predict(frame.iloc[-LOOKBACK:])  # history as a PeriodIndex frame too
    np.testing.assert_allclose(again.to_numpy(), forecast.to_numpy(), rtol=1e-5, atol=1e-5)


def test_tz_aware_hourly_long_frame_with_categorical_ids_trains_and_predicts():
    frame = long_frame(n=36, freq="h", start="2021-03-27").astype(
        {"unique_id": "category", "y": "Float64"})
    frame["ds"] = frame["ds"].dt.tz_localize("UTC")
    f = zoo.Forecaster(lookback=LOOKBACK, horizon=HORIZON, **TINY).fit(frame)
    out = f.predict()
    assert list(out.columns) == ["unique_id", "ds", "y_hat"] and len(out) == 2 * HORIZON
    assert str(out["ds"].dt.tz) == "UTC" and np.all(np.isfinite(out["y_hat"]))


def test_pandas_classifier_input_trains_predicts_and_scores():
    Xd = pd.DataFrame(X[:, :, 0]).astype("Float64")
    y = pd.Categorical(Y)
    c = zoo.Classifier(model=np.str_("gru"), class_weight={np.str_("a"): np.float32(2.0)},
                       **TINY).fit(Xd, y)
    proba = c.predict_proba(Xd)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    assert set(c.predict(X).tolist()) <= {"a", "b"}
    assert 0.0 <= c.score(Xd, list(Y)) <= 1.0


def _untrained_fit(model, data, **kwargs):
    """zoo.training.fit without the training: the network as built, a one-epoch history."""
    return model(), {"loss": [1.0]}


def test_cli_train_writes_only_inside_out(tmp_path, monkeypatch, capsys):
    """``zoo train`` on an Excel-style CSV (BOM, CRLF), to the end (the weights as built,
    to stay quick): its artifact and plot are the only new paths, all inside --out."""
    from _inputs import snapshot

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(zoo.training, "fit", _untrained_fit)
    (tmp_path / "s.csv").write_text("\ufeff" + rows(monthly(30), sep="\r\n"), newline="")
    before = set(snapshot(tmp_path))
    assert main(["train", "--data", "s.csv", "--lookback", "4", "--horizon", "2", "--epochs",
                 "1", "--units", "2", "--out", "out"]) == 0, capsys.readouterr().err
    new = set(snapshot(tmp_path)) - before
    out = str(tmp_path / "out")
    assert new and all(p == out or p.startswith(out + "/") for p in new), sorted(new)
    assert (tmp_path / "out" / "zoo.json").is_file()
