"""Bad input: every public entry point refuses it clearly, before training, writing nothing.

Each row asserts that the call raises the expected type (``ValueError``, ``TypeError``,
``FileNotFoundError``, or a zoo exception subclassing one: ``NotFittedError``,
``ArtifactExistsError``, the CLI's ``UsageError``), that the message holds the words
the row names (the argument or column, and what is accepted), that ``zoo.training.fit``
was never called (it is replaced by a sentinel that fails the row), and that no file or
directory appeared or changed in the working directory or the shared artifacts. A
command-line row asserts exit status 2, one line on stderr and no traceback instead of
the type.

The table is derived, not collected: for each public entry point, each input it takes,
and for each input the ways it can be wrong that apply. Kinds of wrong:

  T  Python type, including those passing isinstance checks by accident (bool and
     np.bool_ for int, 1 for True, str for a sequence, dict, None)
  R  numeric range and float32 representability (0, negative, NaN, inf, > 3.4e38,
     rounding to 0 in float32)
  S  shape and dimensionality (1-D / 4-D, empty, ragged, wrong length)
  C  structure: columns, names, keys, dtypes, choices
  I  time-index properties: unsorted, duplicated, irregular (gaps), NaT, tz mixes,
     no frequency, another kind or frequency than fit's
  A  agreement between arguments (with each other, with the data, with the fitted model)
  F  files: missing, a directory, empty, header only, binary, workbook, delimiter,
     duplicate header, ragged rows, encoding; paths under a file, existing targets

  entry point              input                      kinds (rows below)
  zoo.build / builders     name, task                 T C A
                           input_shape                T S R
                           horizon, n_targets,        T R A
                           n_classes
                           units                      T S R A (a list for a 1-layer name)
                           dropout, recurrent_dropout R T
                           mask_value                 T R (NaN, beyond float32)
                           quantiles, n_future        R A (classify, sequential)
                           api, normalization,        C
                           merge_mode, initializers
                           layer_norm                 T
                           other keywords             C (unknown) A (a preset's fixed one)
  zoo.list_models          task                       C T
  Forecaster(...)          lookback, horizon, epochs, T R
                           batch_size, seed
                           learning_rate, clipping    T R A (rivals)
                           dropout, validation_size   T R A (no window left)
                           strategy, scaling, log,    C T (1 for True)
                           calendar_features,
                           fill_missing, optimizer,
                           lr_schedule, decay_*       C R A
                           quantiles                  T R S A (recursive)
                           units                      T R S A
                           model, model_kwargs        T C A (derived keys, unknown or bad
                                                      builder arguments)
                           target, future_covariates  T C S A
                           early_stopping, plateau,   T C A
                           csv_log, checkpoint_dir,
                           pruning, distribute_strategy
  Forecaster.fit(df)       the object                 T S
                           columns / values           C R (NaN, inf, > float32, complex,
                                                      nullable NA, duplicate names)
                           the time index             I (unsorted, duplicated, gaps, NaT,
                                                      str/float/multi index, tz mix,
                                                      irregular integers)
                           length                     S A (lookback + horizon)
                           against parameters         A (log=True, calendar on integers,
                                                      recursive with past covariates)
  long frames              unique_id, ds, y           C (missing), R, I (NaN id or ds,
                                                      float/bool/non-date ds, mixed types,
                                                      tz mix, per-series unsorted/dup/gaps,
                                                      different frequencies), S (no rows)
  Forecaster.predict(df)   history                    T C R I A (columns of fit, frequency
                                                      of fit, timestamps for the calendar,
                                                      lookback), unfitted
  future_df                the object, columns,       T C R I S A
                           values, index
  Classifier.fit(X, y)     X                          T S R (NaN, inf, > float32, complex,
                                                      strings, sparse, ragged, padding room)
                           y                          T S R (NaN, None, mixed, continuous) A
                           class_weight, scaling,     T C R A
                           validation_size, units
  Classifier.predict /     X                          T S R A (steps, features, variable
  predict_proba / score    y (score)                  length of fit) T S, unfitted
  SequenceLabeler.fit      Y, model                   T S R A
  estimator.export         path                       T F (empty, under a file, exists,
                                                      a non-artifact), unfitted
                           overwrite, formats,        T C R
                           max_length
  zoo.load / Predictor     path                       T F (missing, file, no manifest, bad
                                                      JSON, another task)
                           backend, threads           T C R A (no model.onnx)
  Predictor.run            arrays                     S (count, shape, batch) R T
  Predictor.predict /      history, X, future_df      as the estimators' A (task)
  predict_proba / make_inputs
  zoo.io readers           path, columns              F C
  CLI (argparse)           commands and options       C T (unknown, missing, not an int)
  zoo train                --data                     F I R C
                           --time-col, --target,      C I R
                           --label, --id-col
                           --lookback ... --units,    R A
                           --seed, --threads
                           --out                      F (exists, a file, under a file,
                                                      empty, a non-artifact)
                           --formats, --max-length,   C R A
                           --task / --model
  zoo predict / evaluate   artifact, --data,          F C I A
                           --output, --label, ...
  zoo export-serving       artifact, base, --name,    F C R
                           --version
  zoo serve / demo         dirs, --port, --name,      F C R
                           --epochs, --out

A few kinds do not apply (an entry point takes no such input) and are left out; every
other cell has at least one row. The good inputs derived the same way are in
tests/test_good_input.py. Every row is cheap: training is never reached, and the few
fitted models the predict / export / load rows need are trained once per process
(tests/_inputs.py).
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
    csv_text,
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

PIL_PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


class _TrainingStarted(AssertionError):
    """Raised by the stand-in for zoo.training.fit: the input reached training."""


def _training_started(*args, **kwargs):
    raise _TrainingStarted("the input reached zoo.training.fit before it was refused")


@pytest.fixture
def ctx(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(zoo.training, "fit", _training_started)
    return Context(tmp_path)


# ----------------------------------------------------------------------------- helpers
def F(**kw):
    return zoo.Forecaster(**{"lookback": LOOKBACK, "horizon": HORIZON, **TINY, **kw})


def C(**kw):
    return zoo.Classifier(**{**TINY, "model": "gru", **kw})


def L(**kw):
    return zoo.SequenceLabeler(**{**TINY, "model": "gru", **kw})


def fparam(name, value, *needles, exc=ValueError, data=monthly, **extra):
    """A Forecaster argument row: ``Forecaster(name=value).fit(data())``."""
    return Case(f"forecaster-{name}-{_show(value)}", lambda ctx: F(**{name: value}, **extra)
                .fit(data()), exc, needles or (name,))


def _show(value):
    text = repr(value).replace(" ", "")
    return text if len(text) < 28 else text[:25] + "..."


def fdata(id, make, *needles, exc=ValueError, **kw):
    """A Forecaster.fit(df) row: ``make()`` is the frame (or object)."""
    return Case(f"forecaster-fit-df-{id}", lambda ctx: F(**kw).fit(make()), exc, needles)


def fdf(**cols):
    return lambda: monthly(**cols)


def build(id, *needles, exc=ValueError, name="lstm", **kw):
    args = {"input_shape": (6, 2), "units": 2, **kw}
    return Case(f"build-{id}", lambda ctx: zoo.build(name, **args), exc, needles)


def cli(id, argv, *needles):
    """A command-line row: ``argv(ctx)`` writes its input files and gives the arguments."""
    return Case(f"cli-{id}", argv, SystemExit, needles, cli=True)


def sales_csv(ctx, name="s.csv", frame=None, **kwargs):
    return ctx.csv(name, monthly(48) if frame is None else frame, **kwargs)


def train(*extra, data=sales_csv):
    return lambda ctx: ["train", "--data", data(ctx), "--out", "out", *extra]


def shuffled(frame):
    return frame.sample(frac=1.0, random_state=0)


nan_at = lambda n, i: np.where(np.arange(n) == i, np.nan, np.arange(n) + 1.0)
X, Y = sequences()
HIST = with_promo()
FUT = future(HIST)


# ----------------------------------------------------------------------------- builders
BUILDERS = [
    build("name-int", "model name", "string", exc=TypeError, name=3),
    build("name-None", "model name", "string", exc=TypeError, name=None),
    build("name-unknown", "unknown model 'lstmm'", "Known models", name="lstmm"),
    build("task-unknown", "task='regress'", "supports task in", task="regress"),
    build("task-label-for-lstm_fcn", "task='label'", "supports task in", name="lstm_fcn",
          task="label", n_classes=2),
    build("input_shape-int", "input_shape", "(timesteps or None, n_features)", input_shape=6),
    build("input_shape-3-items", "input_shape", "(timesteps or None", input_shape=(6, 2, 1)),
    build("input_shape-str", "input_shape", "(timesteps or None", input_shape="62"),
    build("input_shape-0-steps", "input_shape[0]", "positive integer", input_shape=(0, 2)),
    build("input_shape-bool-steps", "input_shape[0]", "positive integer", input_shape=(True, 2)),
    build("input_shape-float-steps", "input_shape[0]", "positive integer", input_shape=(6.0, 2)),
    build("input_shape-None-features", "input_shape[1]", "positive integer",
          input_shape=(6, None)),
    build("horizon-0", "horizon", "positive integer", horizon=0),
    build("horizon-bool", "horizon", "positive integer", horizon=True),
    build("horizon-np.bool_", "horizon", "positive integer", horizon=np.True_),
    build("n_targets-0", "n_targets", "positive integer", n_targets=0),
    build("n_classes-missing", "n_classes is required", "integer >= 2", task="classify"),
    build("n_classes-1", "n_classes", "integer >= 2", task="classify", n_classes=1),
    build("n_classes-bool", "n_classes", "integer >= 2", task="classify", n_classes=True),
    build("api-unknown", "api must be one of", "'sequential'", api="subclass"),
    build("units-0", "units", "positive integer", units=0),
    build("units-float", "units", "int", units=2.5),
    build("units-str", "units", "int", units="2"),
    build("units-empty-list", "units", "non-empty list", name="stacked_lstm", units=[]),
    build("units-list-with-0", "units", "positive integer", name="stacked_lstm", units=[2, 0]),
    build("units-list-for-one-layer", "units must be an int for 'lstm'", "stacked_lstm",
          units=[2, 2]),
    build("dropout-1", "dropout", "[0, 1)", dropout=1.0),
    build("dropout-negative", "dropout", "[0, 1)", dropout=-0.1),
    build("recurrent_dropout-str", "recurrent_dropout", "[0, 1)", recurrent_dropout="0.1"),
    build("mask_value-str", "mask_value", "finite float32", input_shape=(None, 2), mask_value="x"),
    build("mask_value-bool", "mask_value", "finite float32", input_shape=(None, 2), mask_value=True),
    build("mask_value-nan", "mask_value", "finite float32", input_shape=(None, 2),
          mask_value=float("nan")),
    build("mask_value-beyond-float32", "mask_value", "finite float32", input_shape=(None, 2),
          mask_value=1e39),
    build("kernel_initializer-unknown", "kernel_initializer", "keras initializer",
          kernel_initializer="nope"),
    build("quantiles-out-of-range", "quantiles", "(0, 1)", quantiles=[0.5, 1.5]),
    build("quantiles-for-classify", "quantiles apply to task='forecast'", task="classify",
          n_classes=2, quantiles=[0.5]),
    build("n_future-negative", "n_future", "integer >= 0", n_future=-1),
    build("n_future-sequential", "n_future > 0", "api='functional'", n_future=1,
          api="sequential"),
    build("n_future-for-classify", "n_future", "task='forecast'", task="classify", n_classes=2,
          n_future=1),
    build("keyword-unknown", "takes no argument(s) ['nope']", "it accepts", exc=TypeError, nope=1),
    build("layer_norm-str", "layer_norm", "True or False", layer_norm="yes"),
    build("normalization-unknown", "normalization must be one of", "'layer'",
          normalization="group"),
    build("merge_mode-unknown", "merge_mode must be one of", "'concat'", name="bigru",
          merge_mode="max"),
    build("residual-sequential", "residual=True", "api='functional'", name="stacked_lstm",
          units=[2, 2], residual=True, api="sequential"),
    build("preset-cell-clash", "fixes cell='gru'", "zoo.builders.stacked", name="stacked_gru",
          cell="lstm"),
    build("lstm_fcn-sequential", "lstm_fcn", "Sequential", name="lstm_fcn", api="sequential"),
    build("lstm_fcn-variable-length", "input_shape=(timesteps", name="lstm_fcn",
          input_shape=(None, 2)),
    build("lstm_fcn-mask_value", "lstm_fcn does not support mask_value", name="lstm_fcn",
          mask_value=-1.0),
    build("lstm_fcn-filters-0", "filters", "positive integer", name="lstm_fcn", filters=[0, 2, 2]),
    build("lstm_fcn-filters-str", "filters", "positive int", name="lstm_fcn", filters="8"),
    Case("list_models-task-unknown", lambda ctx: zoo.list_models("regress"), ValueError,
         ("task must be None or one of",)),
    Case("list_models-task-int", lambda ctx: zoo.list_models(3), ValueError, ("task must be",)),
]

# ----------------------------------------------------------------------------- Forecaster(...)
POSITIVE_INT = "positive integer"
QUANTILES = "distinct floats in (0, 1)"
FORECASTER_PARAMS = [
    *[fparam("lookback", v, "lookback", POSITIVE_INT) for v in (True, np.True_, 6.0, "6", 0, -1)],
    *[fparam("horizon", v, "horizon", POSITIVE_INT) for v in (0, True, 2.0)],
    *[fparam("units", v, "units", "positive int") for v in (0, True, "8", [2, 0], [], 2.5,
                                                             {"a": 2})],
    fparam("units", [2, 2], "units must be an int for 'lstm'", "stacked_lstm"),
    *[fparam("dropout", v, "dropout", "[0, 1)") for v in (1.0, -0.1, float("nan"), True, "0.1")],
    *[fparam("epochs", v, "epochs", POSITIVE_INT) for v in (0, 1.5, True, np.True_)],
    *[fparam("batch_size", v, "batch_size", POSITIVE_INT) for v in (0, "32", 32.0)],
    *[fparam("learning_rate", v, "learning_rate", "positive number")
      for v in (-1.0, 0.0, float("nan"), float("inf"), "0.1", True, 1e300, 1e-50)],
    *[fparam("seed", v, "seed", "[0, 4294967295]") for v in (-1, 2**40, 1.0, True)],
    fparam("strategy", "sideways", "strategy must be one of", "'recursive'"),
    *[fparam("quantiles", v, "quantiles", QUANTILES)
      for v in ([0.0, 0.5], [0.5, 1.0], [0.5, 0.5], "0.5", 0.5, [float("nan")], [], [True],
                [0.1, "0.9"])],
    fparam("quantiles", [0.1, 0.9], "strategy='recursive' cannot forecast quantiles",
           strategy="recursive"),
    fparam("scaling", "minmax", "scaling must be one of", "'window'"),
    *[fparam("log", v, "log must be one of", "'auto'") for v in ("yes", 1, None)],
    *[fparam("calendar_features", v, "calendar_features must be one of", "'auto'")
      for v in ("yes", 1, 0)],
    *[fparam("validation_size", v, "validation_size", "float in [0, 1) or an int >= 0")
      for v in (1.0, -1, True, "20%", float("nan"))],
    fparam("validation_size", 1000, "validation_size=1000 leaves no training window"),
    *[fparam("refit", v, "refit must be True or False") for v in ("yes", 1, None)],
    *[fparam("verbose", v, "verbose must be 0, 1 or 2") for v in (3, True, "1")],
    fparam("model", "nope", "unknown model 'nope'", "Known models"),
    fparam("model", 3, "model name must be a string", exc=TypeError),
    fparam("model_kwargs", [1], "model_kwargs must be a dict", exc=TypeError),
    fparam("model_kwargs", {"horizon": 3}, "model_kwargs may not set ['horizon']"),
    fparam("model_kwargs", {"nope": 1}, "takes no argument(s) ['nope']", "it accepts",
           exc=TypeError),
    fparam("model_kwargs", {"layer_norm": "x"}, "layer_norm must be True or False"),
    fparam("model_kwargs", {"normalization": "group"}, "normalization must be one of"),
    fparam("fill_missing", "zero", "fill_missing must be None or 'interpolate'"),
    fparam("target", "z", "target: unknown column(s) ['z']", "the frame has"),
    fparam("target", 3, "target must be a column name", exc=TypeError),
    fparam("target", [], "target must be a column name or a non-empty list"),
    fparam("target", ["sales", 1], "target must hold column names", exc=TypeError),
    fparam("future_covariates", ["z"], "future_covariates: unknown column(s) ['z']"),
    fparam("future_covariates", 3, "future_covariates must be a column name", exc=TypeError),
    fparam("future_covariates", ["sales"], "both target and future_covariates", target="sales"),
    fparam("future_covariates", ["p"], "column 'p' is not numeric", target="sales",
           data=lambda: monthly(p=["x"] * 30)),
    fparam("optimizer", "nope", "optimizer must be one of", "'adam'"),
    fparam("optimizer", 3, "optimizer must be one of"),
    fparam("lr_schedule", "nope", "lr_schedule must be None", "'cosine'"),
    fparam("lr_schedule", "exponential", "needs decay_steps"),
    fparam("decay_steps", 0, "decay_steps", POSITIVE_INT, lr_schedule="exponential",
           decay_rate=0.9),
    fparam("decay_rate", 2.0, "decay_rate must be in (0, 1]", lr_schedule="exponential",
           decay_steps=10),
    fparam("decay_epochs", 2, "decay_steps or decay_epochs, not both", lr_schedule="cosine",
           decay_steps=3),
    fparam("decay_epochs", 3, "decay_epochs needs lr_schedule='exponential' or 'cosine'"),
    fparam("decay_rate", 0.5, "decay_rate and staircase apply to lr_schedule='exponential'"),
    fparam("clipnorm", -1.0, "clipnorm", "positive number"),
    fparam("clipnorm", "x", "clipnorm must be 'auto', None or a positive number"),
    fparam("clipvalue", 0, "clipvalue", "positive number"),
    fparam("global_clipnorm", float("nan"), "global_clipnorm", "positive number"),
    fparam("clipvalue", 1.0, "Only one of clipnorm, clipvalue and global_clipnorm",
           clipnorm=1.0),
    fparam("reduce_lr_on_plateau", "yes", "reduce_lr_on_plateau must be 'auto', True, False"),
    fparam("reduce_lr_on_plateau", True, "cannot be combined with", lr_schedule="cosine",
           decay_steps=10),
    fparam("early_stopping", "x", "early_stopping must be 'auto', True, False"),
    fparam("early_stopping", {"nope": 1}, "early_stopping: unknown keyword(s) ['nope']",
           "accepted"),
    fparam("early_stopping", {1: 1}, "early_stopping: the dict's keys must be keyword names"),
    fparam("csv_log", 3, "csv_log must be a path"),
    fparam("checkpoint_dir", "", "checkpoint_dir must be a path"),
    Case("forecaster-csv_log-a-directory", lambda ctx: F(csv_log=ctx.dir("logs")).fit(monthly()),
         ValueError, ("csv_log", "is a directory", "file path")),
    Case("forecaster-csv_log-under-a-file", lambda ctx: F(
        csv_log=ctx.text("f.txt", "x") + "/log.csv").fit(monthly()), ValueError,
         ("csv_log", "which is a file")),
    Case("forecaster-checkpoint_dir-a-file", lambda ctx: F(
        checkpoint_dir=ctx.text("c.txt", "x")).fit(monthly()), ValueError,
         ("checkpoint_dir", "is a file", "directory path")),
    Case("classifier-backup_dir-a-file", lambda ctx: C(
        backup_dir=ctx.text("b.txt", "x")).fit(*sequences()), ValueError,
         ("backup_dir", "is a file")),
    fparam("pruning", {"target_sparsity": 1.5}, "pruning['target_sparsity']", "[0, 1)"),
    fparam("pruning", [0.5], "pruning must be None or a dict"),
    fparam("pruning", {"target_sparsity": 0.5, "x": 1}, "pruning: unknown key(s) ['x']"),
    fparam("distribute_strategy", "mirrored", "must be a tf.distribute.Strategy"),
]

# ----------------------------------------------------------------------------- Forecaster.fit(df)
NOT_A_FRAME = "data must be a DataFrame, Series or numpy array"
FORECASTER_DATA = [
    fdata("None", lambda: None, NOT_A_FRAME, exc=TypeError),
    fdata("dict", lambda: {"sales": [1.0, 2.0]}, NOT_A_FRAME, exc=TypeError),
    fdata("str", lambda: "airline", NOT_A_FRAME, exc=TypeError),
    fdata("int", lambda: 5, NOT_A_FRAME, exc=TypeError),
    fdata("list-of-str", lambda: ["a", "b"] * 10, "data must be numeric", exc=TypeError),
    fdata("bool-array", lambda: np.arange(30) > 3, "data must be numeric", exc=TypeError),
    fdata("3d-array", lambda: np.ones((30, 2, 2)), "1-D [T] or 2-D [T, n_columns]"),
    fdata("empty-frame", lambda: pd.DataFrame(), "target=None needs exactly one numeric column"),
    fdata("no-rows", lambda: monthly().iloc[:0], "too little data", "lookback + horizon"),
    fdata("no-numeric-column", lambda: monthly().astype(str),
          "needs exactly one numeric column, found 0"),
    fdata("two-numeric-columns-target-None", fdf(x=np.ones(30)), "found 2", "target='<column>'"),
    fdata("target-is-strings", fdf(kind=["a"] * 30), "column 'kind' is not numeric",
          target="kind"),
    fdata("target-complex", lambda: monthly().assign(sales=lambda d: d["sales"] + 1j),
          "column 'sales' is not numeric", target="sales"),
    fdata("NaN", lambda: monthly().assign(sales=nan_at(30, 3)), "NaN", "'sales'",
          "fill_missing='interpolate'"),
    fdata("inf", lambda: monthly().assign(sales=lambda d: d["sales"].where(d["sales"] < 30,
                                                                           np.inf)),
          "NaN or inf", "'sales'"),
    fdata("beyond-float32", lambda: monthly().assign(sales=lambda d: d["sales"] * 1e38),
          "column 'sales'", "float32"),
    fdata("covariate-beyond-float32", fdf(x=np.full(30, -1e39)), "column 'x'", "float32",
          target="sales"),
    fdata("nullable-Float64-with-NA", lambda: monthly().astype("Float64").assign(
        sales=lambda d: d["sales"].mask(d.index.month == 5)), "NaN", "'sales'"),
    fdata("entirely-missing-interpolated", fdf(x=np.full(30, np.nan)), "entirely missing",
          target="sales", fill_missing="interpolate"),
    fdata("duplicate-column-names", lambda: pd.concat([monthly(), monthly()], axis=1),
          "column 'sales' appears more than once", target="sales"),
    fdata("unsorted", lambda: monthly().iloc[::-1], "increasing order", "sort"),
    fdata("shuffled", lambda: shuffled(monthly()), "increasing order"),
    fdata("duplicate-timestamps", lambda: monthly().iloc[[0, 1, 1] + list(range(2, 30))],
          "duplicate timestamp"),
    fdata("gaps", lambda: monthly().drop(monthly().index[[5, 17]]), "no regular frequency",
          "asfreq"),
    fdata("NaT-in-index", lambda: monthly().set_axis(
        pd.DatetimeIndex(list(monthly().index[:-1]) + [pd.NaT])), "missing timestamp(s) (NaT)"),
    fdata("str-index", lambda: monthly().set_axis(monthly().index.strftime("%Y-%m-%d")),
          "DatetimeIndex or an integer index", "set_index"),
    fdata("float-index", lambda: monthly().set_axis(np.arange(30) * 1.0),
          "DatetimeIndex or an integer index"),
    fdata("tz-mix-index", lambda: monthly().set_axis(pd.Index(
        list(monthly().index[:15].tz_localize("UTC")) + list(monthly().index[15:]), dtype=object)),
          "different time zones", "utc=True"),
    fdata("multiindex-rows", lambda: pd.DataFrame({"sales": np.arange(60.0)}, index=pd.MultiIndex
                                                  .from_product([["a", "b"], range(30)])),
          "DatetimeIndex or an integer index"),
    fdata("integer-index-gaps", lambda: monthly().set_axis(np.r_[0:15, 20:35]),
          "integer index has no regular step"),
    fdata("too-short", lambda: monthly(5), "too little data", "lookback + horizon = 6"),
    fdata("log-True-non-positive", lambda: monthly().assign(sales=lambda d: -d["sales"]),
          "log=True needs strictly positive targets", log=True),
    fdata("calendar-True-integer-index", lambda: monthly().reset_index(drop=True),
          "calendar_features=True needs timestamps", calendar_features=True),
    fdata("recursive-with-past-covariates", fdf(x=np.ones(30)),
          "strategy='recursive' needs every input known ahead", "['x']", strategy="recursive",
          target="sales"),
    fdata("series-of-strings", lambda: pd.Series(["a"] * 30, index=monthly().index),
          "is not numeric"),
]

LONG = "forecaster-fit-long"
LONG_DATA = [
    Case(f"{LONG}-no-unique_id", lambda ctx: F().fit(long_frame().drop(columns="unique_id")),
         ValueError, ("'unique_id' is missing",)),
    Case(f"{LONG}-no-ds", lambda ctx: F().fit(long_frame().drop(columns="ds")), ValueError,
         ("'ds' is missing",)),
    Case(f"{LONG}-no-y", lambda ctx: F().fit(long_frame().drop(columns="y")), ValueError,
         ("value column 'y' not found",)),
    Case(f"{LONG}-no-rows", lambda ctx: F().fit(long_frame().iloc[:0]), ValueError, ("no rows",)),
    Case(f"{LONG}-NaN-unique_id", lambda ctx: F().fit(long_frame().assign(
        unique_id=lambda d: d["unique_id"].where(d.index != 3))), ValueError,
         ("column 'unique_id' has 1 empty cell(s)",)),
    Case(f"{LONG}-NaT-ds", lambda ctx: F().fit(long_frame().assign(
        ds=lambda d: d["ds"].where(d.index != 3))), ValueError, ("column 'ds' has 1 empty cell",)),
    Case(f"{LONG}-float-ds", lambda ctx: F().fit(long_frame().assign(
        ds=lambda d: d.groupby("unique_id").cumcount() * 1.5)), ValueError,
         ("column 'ds' must hold timestamps (or date strings) or integers", "floating")),
    Case(f"{LONG}-bool-ds", lambda ctx: F().fit(long_frame().assign(ds=True)), ValueError,
         ("column 'ds' must hold timestamps",)),
    Case(f"{LONG}-ds-not-dates", lambda ctx: F().fit(long_frame().assign(ds="soon")),
         ValueError, ("column 'ds' does not hold dates",)),
    Case(f"{LONG}-ds-ints-and-timestamps", lambda ctx: F().fit(long_frame().assign(
        ds=lambda d: pd.Series([t if i % 2 else i for i, t in enumerate(d["ds"])], dtype=object))),
         ValueError, ("column 'ds' must hold timestamps", "mixed-integer")),
    Case(f"{LONG}-ds-tz-mix", lambda ctx: F().fit(long_frame().assign(
        ds=lambda d: [f"{t:%Y-%m-%d}" + ("T00:00:00+01:00" if i % 2 else "")
                      for i, t in enumerate(d["ds"])])), ValueError,
         ("column 'ds' mixes time zones",)),
    Case(f"{LONG}-duplicate-ds", lambda ctx: F().fit(pd.concat([long_frame(),
                                                                long_frame().iloc[:1]])),
         ValueError, ("duplicate timestamp", "series 'a'")),
    Case(f"{LONG}-unsorted-series", lambda ctx: F().fit(long_frame().iloc[::-1]), ValueError,
         ("increasing order", "series")),
    Case(f"{LONG}-gaps", lambda ctx: F().fit(long_frame().drop(index=[3, 30])), ValueError,
         ("no regular frequency", "series 'a'")),
    Case(f"{LONG}-different-frequencies", lambda ctx: F().fit(pd.concat(
        [long_frame(ids=("a",)), long_frame(ids=("b",), freq="D")], ignore_index=True)),
         ValueError, ("every series of a long frame needs the same frequency", "'D'")),
    Case(f"{LONG}-y-strings", lambda ctx: F().fit(long_frame().assign(y="x")), ValueError,
         ("column 'y' is not numeric", "series")),
    Case(f"{LONG}-y-NaN", lambda ctx: F().fit(long_frame().assign(
        y=lambda d: d["y"].where(d.index != 2))), ValueError, ("NaN", "'y'", "series 'a'")),
    Case(f"{LONG}-y-beyond-float32", lambda ctx: F().fit(long_frame().assign(y=4e38)),
         ValueError, ("column 'y'", "float32")),
    Case(f"{LONG}-every-series-too-short", lambda ctx: F().fit(long_frame(n=4)), ValueError,
         ("too little data",)),
]


# ----------------------------------------------------------------------------- predict, future_df
def cov(call):
    return lambda ctx: call(ctx.cov)


PREDICT = [
    Case("forecaster-predict-unfitted", lambda ctx: F().predict(), zoo.base.NotFittedError,
         ("not fitted", "fit()")),
    Case("forecaster-predict-df-str", cov(lambda f: f.predict("x", FUT)), TypeError,
         (NOT_A_FRAME,)),
    Case("forecaster-predict-df-missing-column", cov(lambda f: f.predict(
        HIST.drop(columns="promo"), FUT)), ValueError, ("['promo']", "were used in fit")),
    Case("forecaster-predict-df-extra-column", cov(lambda f: f.predict(HIST.assign(z=1.0), FUT)),
         ValueError, ("['z']", "were not used in fit")),
    Case("forecaster-predict-df-NaN", cov(lambda f: f.predict(
        HIST.assign(sales=nan_at(30, 29)), FUT)), ValueError, ("NaN", "'sales'")),
    Case("forecaster-predict-df-beyond-float32", cov(lambda f: f.predict(
        HIST.assign(sales=1e39), FUT)), ValueError, ("column 'sales'", "float32")),
    Case("forecaster-predict-df-unsorted", cov(lambda f: f.predict(HIST.iloc[::-1], FUT)),
         ValueError, ("increasing order",)),
    Case("forecaster-predict-df-duplicate-timestamps", cov(lambda f: f.predict(
        HIST.iloc[list(range(29)) + [28]], FUT)), ValueError, ("duplicate timestamp",)),
    Case("forecaster-predict-df-too-short", cov(lambda f: f.predict(HIST.iloc[-3:], FUT)),
         ValueError, ("too little history", f"lookback={LOOKBACK}")),
    Case("forecaster-predict-df-other-frequency", cov(lambda f: f.predict(HIST.set_axis(
        pd.date_range("2000-01-01", periods=30, freq="D")), FUT)), ValueError,
         ("frequency is 'D'", "'MS'")),
    Case("forecaster-predict-df-integer-index-for-calendar", cov(lambda f: f.predict(
        HIST.reset_index(drop=True), FUT)), ValueError, ("calendar features", "DatetimeIndex")),
    Case("forecaster-predict-df-array-for-calendar", cov(lambda f: f.predict(
        HIST.to_numpy(), FUT)), ValueError, ("calendar features", "DatetimeIndex")),
    Case("forecaster-predict-df-array-columns", cov(lambda f: f.predict(np.ones((8, 3)))),
         ValueError, ("3 column(s)", "fitted on 2")),
    Case("forecaster-predict-long-gaps", lambda ctx: ctx.long.predict(
        long_promo().drop(index=[20]), long_future(long_promo())), ValueError,
         ("no regular frequency", "series 'a'")),
    Case("forecaster-predict-long-short-series", lambda ctx: ctx.long.predict(
        long_promo().groupby("unique_id").tail(2), long_future(long_promo())), ValueError,
         ("too little history", "series ['a', 'b']")),
    Case("forecaster-predict-long-no-y", lambda ctx: ctx.long.predict(
        long_promo().drop(columns="y"), long_future(long_promo())), ValueError,
         ("['y']", "were used in fit")),
    Case("windows-to_panel-timestamps-for-integer-fit", lambda ctx: zoo.windows.to_panel(
        monthly(), layout=zoo.windows.to_panel(monthly().reset_index(drop=True))), ValueError,
         ("fitted on an integer index", "integer index")),
]

FUTURE = "forecaster-predict-future_df"
FUTURE_DF = [
    Case(f"{FUTURE}-missing", cov(lambda f: f.predict(HIST)), ValueError,
         ("future_df is required", "['promo']")),
    Case(f"{FUTURE}-list", cov(lambda f: f.predict(HIST, [1.0, 0.0])), TypeError,
         ("future_df must be a DataFrame", "['promo']")),
    Case(f"{FUTURE}-ndarray", cov(lambda f: f.predict(HIST, np.ones((2, 1)))), TypeError,
         ("future_df must be a DataFrame",)),
    Case(f"{FUTURE}-missing-column", cov(lambda f: f.predict(HIST, FUT.rename(
        columns={"promo": "p"}))), ValueError, ("future_df lacks column(s) ['promo']",)),
    Case(f"{FUTURE}-too-few-rows", cov(lambda f: f.predict(HIST, FUT.iloc[:1])), ValueError,
         (f"future_df must cover the {HORIZON} steps after the history",)),
    Case(f"{FUTURE}-wrong-dates", cov(lambda f: f.predict(HIST, FUT.set_axis(
        FUT.index - pd.DateOffset(years=1)))), ValueError, ("future_df must cover",)),
    Case(f"{FUTURE}-duplicated-rows", cov(lambda f: f.predict(HIST, pd.concat(
        [FUT, FUT.iloc[:1]]))), ValueError, (f"future_df must hold {HORIZON} rows",)),
    Case(f"{FUTURE}-NaN", cov(lambda f: f.predict(HIST, FUT.assign(promo=[np.nan, 1.0]))),
         ValueError, ("NaN", "future_df", "['promo']")),
    Case(f"{FUTURE}-strings", cov(lambda f: f.predict(HIST, FUT.assign(promo=["a", "b"]))),
         ValueError, ("future_df column(s) ['promo'] must hold numbers",)),
    Case(f"{FUTURE}-beyond-float32", cov(lambda f: f.predict(HIST, FUT.assign(promo=1e39))),
         ValueError, ("future_df column(s) ['promo']", "float32")),
    Case(f"{FUTURE}-tz-aware-for-naive", cov(lambda f: f.predict(HIST, FUT.tz_localize("UTC"))),
         ValueError, ("future_df must cover",)),
    Case(f"{FUTURE}-long-without-ids", lambda ctx: ctx.long.predict(
        long_promo(), FUT), ValueError, ("future_df of a long frame needs columns 'unique_id'",)),
    Case(f"{FUTURE}-long-missing-series", lambda ctx: ctx.long.predict(
        long_promo(), long_future(long_promo()).iloc[:HORIZON]), ValueError,
         ("future_df must cover",)),
]

# ----------------------------------------------------------------------------- Classifier, labeler
X_MUST = "X must be"
RAGGED = [np.zeros((3, 2)), np.ones((4, 2))] * 3


def cfit(id, make_X, *needles, exc=ValueError, y=None, **kw):
    return Case(f"classifier-fit-X-{id}", lambda ctx: C(**kw).fit(
        make_X(), Y if y is None else y), exc, needles)


def cy(id, y, *needles, exc=ValueError):
    return Case(f"classifier-fit-y-{id}", lambda ctx: C().fit(X, y), exc, needles)


def ragged_y():
    return np.array(["a", "b"] * 3)


CLASSIFIER_FIT = [
    cfit("None", lambda: None, X_MUST, "list of [T_i, F] arrays", exc=TypeError),
    cfit("str", lambda: "abc", X_MUST, exc=TypeError),
    cfit("dict", lambda: {"a": 1}, X_MUST, exc=TypeError),
    cfit("scalar", lambda: 3.0, X_MUST, exc=TypeError),
    cfit("1d", lambda: np.arange(12.0), X_MUST, "Expected 2D array"),
    cfit("4d", lambda: np.zeros((12, 2, 2, 2)), "X must be [n, T], [n, T, F]"),
    cfit("no-samples", lambda: np.zeros((0, 5, 2)), X_MUST, "0 sample(s)", y=np.array([])),
    cfit("no-steps", lambda: np.zeros((12, 0, 2)), "X is empty", "0 feature(s)"),
    cfit("no-features", lambda: np.zeros((12, 5, 0)), "X is empty", "0 feature(s)"),
    cfit("one-sample", lambda: X[:1], X_MUST, "minimum of 2", y=Y[:1]),
    cfit("NaN", lambda: np.where(X > 1, np.nan, X), X_MUST, "NaN"),
    cfit("inf", lambda: np.where(X > 1, np.inf, X), X_MUST, "infinity"),
    cfit("beyond-float32", lambda: X * 1e39, "X holds", "float32"),
    cfit("complex", lambda: X + 1j, X_MUST, "Complex data not supported"),
    cfit("strings", lambda: X.astype(str).astype(object) + "x", X_MUST),
    cfit("sparse", lambda: __import__("scipy.sparse").sparse.csr_matrix(X[:, :, 0]), X_MUST,
         "sparse", exc=TypeError),
    cfit("DataFrame-with-text", lambda: pd.DataFrame(X[:, :, 0]).assign(s="a"), X_MUST),
    cfit("ragged-widths", lambda: [np.zeros((3, 2)), np.zeros((4, 3))] * 3,
         "every sequence in X needs the same number of features", y=ragged_y()),
    cfit("ragged-empty-sequence", lambda: [np.zeros((3, 2)), np.zeros((0, 2))] * 3,
         "X[1] must be a non-empty [T_i] or [T_i, F] array", y=ragged_y()),
    cfit("ragged-None-item", lambda: [np.zeros((3, 2)), None] * 3, "X[1] must be a non-empty",
         y=ragged_y()),
    cfit("ragged-3d-item", lambda: [np.zeros((3, 2, 1)), np.zeros((4, 2, 1))] * 3,
         "X[0] must be a non-empty [T_i] or [T_i, F] array", y=ragged_y()),
    cfit("ragged-NaN", lambda: [np.zeros((3, 2)), np.full((4, 2), np.nan)] * 3, "X[1]", "NaN",
         y=ragged_y()),
    cfit("ragged-beyond-float32", lambda: [np.zeros((3, 2)), np.full((4, 2), 1e39)] * 3,
         "X[1] holds", "float32", y=ragged_y()),
    cfit("ragged-no-room-for-padding", lambda: [np.zeros((3, 2)), np.full((4, 2), 1e36)] * 3,
         "padding", "1e35", y=ragged_y()),
    cfit("ragged-for-lstm_fcn", lambda: RAGGED, "does not support variable-length input",
         y=ragged_y(), model="lstm_fcn", units=2),
    cy("None", None, "y must hold one class label per sample", exc=TypeError),
    cy("scalar", 3, "y must hold one class label per sample", exc=TypeError),
    cy("str", "ab" * 6, "y must hold one class label per sample", exc=TypeError),
    cy("2d", np.c_[Y, Y], "y must be 1-D"),
    cy("column-vector", Y[:, None], "y must be 1-D"),
    cy("length", Y[:5], "X and y have different lengths: 12 and 5"),
    cy("single-class", np.array(["a"] * 12), "a classifier needs >= 2"),
    cy("NaN", np.r_[np.nan, np.arange(11) % 2], "y must hold class labels", "NaN"),
    cy("None-labels", np.array([None, "a"] * 6, dtype=object), "y must hold class labels"),
    cy("mixed-types", np.array([1, "a"] * 6, dtype=object), "y must hold class labels",
       "of one kind"),
    cy("continuous", np.linspace(0.1, 0.9, 12), "y must hold class labels", "continuous"),
    Case("classifier-class_weight-str", lambda ctx: C(class_weight="x").fit(X, Y), ValueError,
         ("class_weight must be None, 'balanced' or a dict",)),
    Case("classifier-class_weight-list", lambda ctx: C(class_weight=[1, 2]).fit(X, Y),
         ValueError, ("class_weight must be None, 'balanced' or a dict",)),
    Case("classifier-class_weight-unknown-class", lambda ctx: C(class_weight={"z": 2.0})
         .fit(X, Y), ValueError, ("class_weight names unknown classes ['z']",)),
    *[Case(f"classifier-class_weight-value-{_show(w)}", lambda ctx, w=w: C(
        class_weight={"a": w}).fit(X, Y), ValueError,
        ("class_weight must map classes to positive finite numbers",))
      for w in (-1.0, 0, "x", float("nan"), True)],
    Case("classifier-scaling-unknown", lambda ctx: C(scaling="window").fit(X, Y), ValueError,
         ("scaling must be one of", "'global'")),
    Case("classifier-validation_size-all", lambda ctx: C(validation_size=12).fit(X, Y),
         ValueError, ("validation_size=12 leaves no training samples",)),
    Case("classifier-units-list-for-gru", lambda ctx: C(units=[2, 2]).fit(X, Y), ValueError,
         ("units must be an int for 'gru'", "stacked_gru")),
    Case("classifier-model_kwargs-unknown", lambda ctx: C(model_kwargs={"nope": 1}).fit(X, Y),
         TypeError, ("takes no argument(s) ['nope']",)),
]


def clf(call):
    return lambda ctx: call(ctx.clf)


CLASSIFIER_PREDICT = [
    Case("classifier-predict-unfitted", lambda ctx: C().predict(X), zoo.base.NotFittedError,
         ("not fitted",)),
    Case("classifier-predict-X-None", clf(lambda c: c.predict(None)), TypeError, (X_MUST,)),
    Case("classifier-predict-X-steps", clf(lambda c: c.predict(X[:, :4])), ValueError,
         ("X has 4 features", "expecting 5")),
    Case("classifier-predict-X-features", clf(lambda c: c.predict(np.concatenate([X, X], 2))),
         ValueError, ("feature(s) per step", "fitted on 1")),
    Case("classifier-predict-X-1d", clf(lambda c: c.predict(X[0, :, 0])), ValueError,
         (X_MUST, "Expected 2D array")),
    Case("classifier-predict-X-NaN", clf(lambda c: c.predict(np.full_like(X, np.nan))),
         ValueError, (X_MUST, "NaN")),
    Case("classifier-predict-X-beyond-float32", clf(lambda c: c.predict(X * 1e39)), ValueError,
         ("X holds", "float32")),
    Case("classifier-predict-X-empty", clf(lambda c: c.predict(X[:0])), ValueError,
         (X_MUST, "0 sample(s)")),
    Case("classifier-predict-X-variable-for-fixed", clf(lambda c: c.predict([X[0], X[1][:3]])),
         ValueError, ("fitted on fixed-length sequences of 5 steps",)),
    Case("classifier-predict_proba-X-str", clf(lambda c: c.predict_proba("abc")), TypeError,
         (X_MUST,)),
    Case("classifier-predict_proba-X-complex", clf(lambda c: c.predict_proba(X + 1j)),
         ValueError, ("Complex data not supported",)),
    Case("classifier-score-y-None", clf(lambda c: c.score(X, None)), TypeError,
         ("y must hold one class label per sample",)),
    Case("classifier-score-y-length", clf(lambda c: c.score(X, Y[:3])), ValueError,
         ("X and y have different lengths: 12 and 3",)),
    Case("classifier-score-y-2d", clf(lambda c: c.score(X, np.c_[Y, Y])), ValueError,
         ("y must be 1-D",)),
    Case("classifier-score-y-NaN", clf(lambda c: c.score(X, np.full(12, np.nan))), ValueError,
         ("y must hold class labels",)),
]

STEP_Y = np.tile([0, 0, 1, 1, 1], (12, 1))
LABELER = [
    Case("labeler-fit-Y-None", lambda ctx: L().fit(X, None), ValueError,
         ("Y must be an array [n, T] or a list of [T_i] label arrays",)),
    Case("labeler-fit-Y-1d", lambda ctx: L().fit(X, Y), ValueError,
         ("Y must be an array [n, T]", "one label per time step")),
    Case("labeler-fit-Y-steps", lambda ctx: L().fit(X, STEP_Y[:, :3]), ValueError,
         ("Y[0] has 3 labels for the 5 steps of X[0]",)),
    Case("labeler-fit-Y-sequences", lambda ctx: L().fit(X, STEP_Y[:5]), ValueError,
         ("X and Y hold different numbers of sequences: 12 and 5",)),
    Case("labeler-fit-Y-NaN", lambda ctx: L().fit(X, np.where(STEP_Y == 0, np.nan, 1.0)),
         ValueError, ("NaN or inf in the labels Y[0]",)),
    Case("labeler-fit-Y-single-class", lambda ctx: L().fit(X, np.zeros_like(STEP_Y)), ValueError,
         ("labelling needs >= 2",)),
    Case("labeler-fit-Y-mixed-types", lambda ctx: L().fit(
        X, [np.array([1, "a", 1, "a", 1], dtype=object)] * 12), ValueError,
         ("Y must hold class labels",)),
    Case("labeler-model-without-label-task", lambda ctx: L(model="lstm_fcn").fit(X, STEP_Y),
         ValueError, ("does not support task 'label'",)),
    Case("labeler-fit-X-ragged-widths", lambda ctx: L().fit(
        [np.zeros((3, 2)), np.zeros((4, 3))], [np.zeros(3), np.ones(4)]), ValueError,
         ("same number of features",)),
]


# ----------------------------------------------------------------------------- export, load, Predictor
def plain_export(path_of, **kw):
    return lambda ctx: ctx.plain.export(path_of(ctx), **kw)


EXPORT = [
    Case("export-unfitted", lambda ctx: F().export("art"), zoo.base.NotFittedError,
         ("not fitted",)),
    *[Case(f"export-path-{_show(p)}", plain_export(lambda ctx, p=p: p), ValueError,
           ("path", "str or os.PathLike")) for p in (None, 3, "", b"art")],
    Case("export-path-under-a-file", plain_export(lambda ctx: ctx.text("f.txt", "x") + "/art"),
         ValueError, ("path", "which is a file")),
    Case("export-path-exists", plain_export(lambda ctx: ctx.plain_art), FileExistsError,
         ("exists", "overwrite=True")),
    Case("export-path-exists-is-ValueError", plain_export(lambda ctx: ctx.plain_art), ValueError,
         ("exists",)),
    Case("export-path-a-file-overwrite", plain_export(lambda ctx: ctx.text("f.txt", "x"),
                                                       overwrite=True), ValueError,
         ("not a zoo artifact",)),
    Case("export-path-other-directory-overwrite", plain_export(
        lambda ctx: (ctx.text("d/keep.txt", "x"), "d")[1], overwrite=True), ValueError,
         ("not a zoo artifact",)),
    *[Case(f"export-overwrite-{_show(v)}", plain_export(lambda ctx: "art", overwrite=v),
           ValueError, ("overwrite must be True or False",)) for v in ("yes", 1, None)],
    Case("export-formats-str", plain_export(lambda ctx: "art", formats="keras"), TypeError,
         ("formats must be None or a list of names",)),
    Case("export-formats-unknown", plain_export(lambda ctx: "art", formats=["pdf"]), ValueError,
         ("formats must be a subset of",)),
    *[Case(f"export-max_length-{_show(v)}", plain_export(lambda ctx: "art", max_length=v),
           ValueError, ("max_length", "positive integer")) for v in (0, True, 2.5)],
]


def manifest_garbage(ctx):
    ctx.text("bad/zoo.json", "{not json")
    return "bad"


LOAD = [
    *[Case(f"load-path-{_show(p)}", lambda ctx, p=p: zoo.load(p), ValueError,
           ("path", "str or os.PathLike")) for p in (None, 3, "")],
    Case("load-path-missing", lambda ctx: zoo.load("nope"), ValueError,
         ("is not a directory", "zoo artifact")),
    Case("load-path-a-file", lambda ctx: zoo.load(ctx.text("f.txt", "x")), ValueError,
         ("is not a directory", "zoo artifact")),
    Case("load-directory-without-manifest", lambda ctx: zoo.load(ctx.dir("empty")), ValueError,
         ("is not a zoo artifact", "zoo.json is missing")),
    Case("load-manifest-not-json", lambda ctx: zoo.load(manifest_garbage(ctx)), ValueError,
         ("is not valid JSON",)),
    *[Case(f"load-backend-{_show(b)}", lambda ctx, b=b: zoo.load(ctx.plain_art, backend=b),
           ValueError, ("backend must be one of", "'onnx'")) for b in ("gpu", None, 1)],
    Case("load-backend-onnx-without-model.onnx", lambda ctx: zoo.load(ctx.cov_art,
                                                                      backend="onnx"),
         ValueError, ("has no model.onnx",)),
    *[Case(f"load-threads-{_show(t)}", lambda ctx, t=t: zoo.load(ctx.plain_art, threads=t),
           ValueError, ("threads", POSITIVE_INT)) for t in (0, True, 1.5)],
    Case("Forecaster.load-classifier-artifact", lambda ctx: zoo.Forecaster.load(ctx.clf_art),
         ValueError, ("holds a 'classify' model", "'forecast'")),
]


def pred(call, art="cov_art"):
    return lambda ctx: call(predictor(art))


W_IN = np.ones((1, LOOKBACK, 4))
W_FUT = np.ones((1, HORIZON, 3))
PREDICTOR = [
    Case("predictor-run-array-count", pred(lambda p: p.run(W_IN)), ValueError,
         ("expected 2 array(s) ['inputs', 'future']",)),
    Case("predictor-run-inputs-shape", pred(lambda p: p.run(np.ones((1, 5, 4)), W_FUT)),
         ValueError, ("inputs must be shaped ['batch', 4, 4]",)),
    Case("predictor-run-future-shape", pred(lambda p: p.run(W_IN, np.ones((1, 3, 3)))),
         ValueError, ("future must be shaped",)),
    Case("predictor-run-batch-sizes", pred(lambda p: p.run(np.ones((2, LOOKBACK, 4)), W_FUT)),
         ValueError, ("same number of windows",)),
    Case("predictor-run-NaN", pred(lambda p: p.run(W_IN * np.nan, W_FUT)), ValueError,
         ("input 'inputs'", "finite float32")),
    Case("predictor-run-beyond-float32", pred(lambda p: p.run(W_IN * 1e39, W_FUT)), ValueError,
         ("input 'inputs'", "float32")),
    Case("predictor-run-strings", pred(lambda p: p.run(np.full((1, LOOKBACK, 4), "a"), W_FUT)),
         ValueError, ("input 'inputs' must hold numbers",)),
    Case("predictor-predict-3d-shape", pred(lambda p: p.predict(np.ones((1, 5, 4)), W_FUT)),
         ValueError, ("inputs must be shaped",)),
    Case("predictor-predict-future_df-missing", pred(lambda p: p.predict(HIST)), ValueError,
         ("future_df is required", "['promo']")),
    Case("predictor-predict-history-missing-column", pred(lambda p: p.predict(
        HIST.drop(columns="promo"), FUT)), ValueError, ("['promo']", "were used in fit")),
    Case("predictor-predict-history-other-frequency", pred(lambda p: p.predict(HIST.set_axis(
        pd.date_range("2000-01-01", periods=30, freq="W")), FUT)), ValueError,
         ("frequency is 'W-SUN'", "'MS'")),
    Case("predictor-make_inputs-too-short", pred(lambda p: p.make_inputs(HIST.iloc[-2:], FUT)),
         ValueError, ("too little history", "lookback")),
    Case("predictor-predict_proba-on-forecaster", pred(lambda p: p.predict_proba(X)), ValueError,
         ("predict_proba is for classifiers",)),
    Case("predictor-make_inputs-on-classifier", pred(lambda p: p.make_inputs(HIST), "clf_art"),
         ValueError, ("make_inputs is for forecasters",)),
    Case("predictor-classify-X-steps", pred(lambda p: p.predict(X[:, :3]), "clf_art"),
         ValueError, ("expecting 5",)),
    Case("predictor-classify-X-NaN", pred(lambda p: p.predict_proba(X * np.nan), "clf_art"),
         ValueError, (X_MUST, "NaN")),
    Case("predictor-classify-X-str", pred(lambda p: p.predict("abc"), "clf_art"), TypeError,
         (X_MUST,)),
]

IO = [
    Case("io-read_table-missing-file", lambda ctx: zoo.io.read_table("nope.csv"),
         FileNotFoundError, ("'nope.csv'", "no such file or bundled data set")),
    Case("io-read_table-classification-set", lambda ctx: zoo.io.read_table("gunpoint"),
         ValueError, ("gunpoint is a classification set",)),
    Case("io-read_table-semicolons", lambda ctx: zoo.io.read_table(ctx.text(
        "s.csv", csv_text(monthly()).replace(",", ";"))), ValueError, ("semicolon-separated",
                                                                       "comma-separated")),
    Case("io-read_samples-label-absent", lambda ctx: zoo.io.read_samples(
        ctx.csv("c.csv", samples_csv()), "nope"), ValueError, ("label 'nope' is not a column",)),
    Case("io-read_sequences-id_col-absent", lambda ctx: zoo.io.read_sequences(
        ctx.csv("q.csv", steps_csv()), "nope", None, "activity"), ValueError,
         ("id_col 'nope' is not a column",)),
]


# ----------------------------------------------------------------------------- the command line
def art(name):
    return lambda ctx: str(getattr(ctx, name))


def tz_mix(ctx):
    frame = monthly(48)
    dates = [f"{t:%Y-%m-%d}" + ("T00:00:00+01:00" if i % 2 else "")
             for i, t in enumerate(frame.index)]
    return ctx.text("tz.csv", pd.DataFrame({"date": dates, "sales": frame["sales"].to_numpy()})
                    .to_csv(index=False))


def edit_csv(fn, name="e.csv"):
    """A row's CSV: the sales CSV's text changed by ``fn``."""
    return lambda ctx: ctx.text(name, fn(csv_text(monthly(48))))


def frame_csv(make, name="f.csv", **kw):
    return lambda ctx: ctx.csv(name, make(), **kw)


def classify(*extra, data=lambda ctx: ctx.csv("c.csv", samples_csv())):
    return lambda ctx: ["train", "--task", "classify", "--data", data(ctx), "--out", "out", *extra]


def label(*extra, data=lambda ctx: ctx.csv("q.csv", steps_csv())):
    return lambda ctx: ["train", "--task", "label", "--data", data(ctx), "--out", "out", *extra]


def predict(artifact, *extra, data=sales_csv, command="predict"):
    return lambda ctx: [command, art(artifact)(ctx), "--data", data(ctx), *extra]


def existing(kind):
    """An --out target that exists: a directory of other files, or a file."""
    def make(ctx):
        return ctx.text("taken/keep.txt", "x") and "taken" if kind == "dir" else \
            ctx.text("taken.txt", "x")
    return make


CLI = [
    cli("unknown-command", lambda ctx: ["nope"], "invalid choice: 'nope'"),
    cli("unknown-option", train("--bogus"), "unrecognized arguments: --bogus"),
    cli("train-no-data", lambda ctx: ["train", "--out", "out"], "--data", "required"),
    cli("train-no-out", lambda ctx: ["train", "--data", sales_csv(ctx)], "--out", "required"),
    cli("train-lookback-not-int", train("--lookback", "x"), "--lookback", "invalid int value"),
    cli("train-lookback-float", train("--lookback", "2.5"), "--lookback", "invalid int value"),
    cli("train-lookback-0", train("--lookback", "0"), "--lookback must be a positive integer"),
    cli("train-horizon-negative", train("--horizon", "-3"), "--horizon must be a positive"),
    cli("train-epochs-0", train("--epochs", "0"), "--epochs must be a positive integer"),
    cli("train-units-0", train("--units", "0"), "--units must be a positive integer"),
    cli("train-seed-negative", train("--seed", "-1"), "seed", "[0, 4294967295]"),
    cli("train-threads-0", lambda ctx: ["--threads", "0", *train()(ctx)], "--threads must be"),
    cli("train-task-unknown", train("--task", "regress"), "--task", "invalid choice"),
    cli("train-data-missing", train(data=lambda ctx: "nope.csv"), "--data 'nope.csv'",
        "no such file or bundled data set"),
    cli("train-data-directory", train(data=lambda ctx: ctx.dir("d")), "--data 'd' is a directory"),
    cli("train-data-empty-file", train(data=lambda ctx: ctx.text("e.csv", "")),
        "--data 'e.csv' is empty", "header row"),
    cli("train-data-header-only", train(data=lambda ctx: ctx.text("h.csv", "date,sales\n")),
        "has no rows"),
    cli("train-data-binary", train(data=lambda ctx: ctx.bytes("b.csv", PIL_PNG)),
        "is not a CSV text file", "comma-separated"),
    cli("train-data-xlsx", train(data=lambda ctx: ctx.bytes("w.xlsx", b"PK\x03\x04" + b"\0" * 64)),
        "is not a CSV text file", "Excel workbook"),
    cli("train-data-semicolons", train(data=edit_csv(lambda t: t.replace(",", ";"))),
        "semicolon-separated", "comma-separated"),
    cli("train-data-tabs", train(data=edit_csv(lambda t: t.replace(",", "\t"))),
        "tab-separated"),
    cli("train-data-excel-sep-semicolon", train(data=edit_csv(
        lambda t: "sep=;\n" + t.replace(",", ";"))), "'sep=;'", "comma-separated"),
    cli("train-data-duplicate-header", train(data=lambda ctx: ctx.text(
        "d.csv", "date,sales,sales\n" + "".join(f"2000-{m:02d}-01,{m},{m}\n" for m in range(1, 13)))),
        "['sales']", "more than once"),
    cli("train-data-ragged-rows", train(data=edit_csv(lambda t: t + "2010-01-01,1,2,3\n")),
        "cannot read --data", "Expected 2 fields"),
    cli("train-data-unsorted", train(data=frame_csv(lambda: monthly(48).iloc[::-1])),
        "increasing order"),
    cli("train-data-duplicate-dates", train(data=frame_csv(
        lambda: monthly(48).iloc[[0] + list(range(48))])), "duplicate timestamp"),
    cli("train-data-gaps", train(data=frame_csv(lambda: monthly(60).drop(monthly(60).index[7]))),
        "no regular frequency"),
    cli("train-data-NaN-in-held-out-tail", train(data=frame_csv(
        lambda: monthly(48).assign(sales=nan_at(48, 47)))), "NaN", "'sales'"),
    cli("train-data-beyond-float32", train(data=frame_csv(
        lambda: monthly(48).assign(sales=lambda d: d["sales"] * 1e37))), "'sales'", "float32"),
    cli("train-data-text-values", train("--target", "sales", data=frame_csv(
        lambda: monthly(48).assign(sales="unknown"))), "column 'sales' is not numeric"),
    cli("train-time-col-absent", train("--time-col", "when"), "--time-col 'when'",
        "not in the CSV's columns"),
    cli("train-time-col-floats", train("--time-col", "sales"), "column 'sales'",
        "dates or integer steps"),
    cli("train-time-col-empty-cell", train(data=edit_csv(lambda t: t + ",1.5\n")),
        "column 'date' has 1 empty cell(s)"),
    cli("train-time-col-tz-mix", train(data=tz_mix), "column 'date' mixes time zones"),
    cli("train-time-col-not-dates", train("--time-col", "kind", data=frame_csv(
        lambda: monthly(48, kind=["x"] * 48))), "column 'kind' does not hold dates"),
    cli("train-target-absent", train("--target", "revenue"), "--target 'revenue'",
        "not in the columns"),
    cli("train-too-short", train("--lookback", "40"), "the data has 48 rows", "--lookback 40"),
    cli("train-out-exists", lambda ctx: ["train", "--data", sales_csv(ctx), "--out",
                                         existing("dir")(ctx)], "--out taken exists",
        "--overwrite"),
    cli("train-out-is-a-file", lambda ctx: ["train", "--data", sales_csv(ctx), "--out",
                                            existing("file")(ctx)], "exists", "--overwrite"),
    cli("train-out-under-a-file", lambda ctx: ["train", "--data", sales_csv(ctx), "--out",
                                               existing("file")(ctx) + "/art"], "--out",
        "which is a file"),
    cli("train-out-empty", lambda ctx: ["train", "--data", sales_csv(ctx), "--out", ""],
        "--out must name the artifact directory"),
    cli("train-out-other-directory-overwrite", lambda ctx: [
        "train", "--data", sales_csv(ctx), "--out", existing("dir")(ctx), "--overwrite"],
        "is not a zoo artifact"),
    cli("train-formats-unknown", train("--formats", "pdf"), "--formats takes a comma-separated"),
    cli("train-max-length-0", train("--max-length", "0"), "--max-length must be a positive"),
    cli("train-model-unknown", train("--model", "transformer"), "unknown model 'transformer'"),
    cli("train-label-for-forecast", train("--label", "sales"), "--label is for --task classify"),
    cli("train-id-col-for-forecast", train("--id-col", "x"), "--id-col is for --task label"),
    cli("classify-lookback", classify("--label", "kind", "--lookback", "3"),
        "--lookback is for --task forecast only"),
    cli("classify-no-label", classify(), "--label must name the CSV's label column"),
    cli("classify-label-absent", classify("--label", "nope"), "--label 'nope' is not a column"),
    cli("classify-text-step-column", classify("--label", "t1"), "column 'kind' is not numeric"),
    cli("classify-empty-cell", classify("--label", "kind", data=lambda ctx: ctx.csv(
        "c.csv", samples_csv().assign(t2=lambda d: d["t2"].where(d.index != 4)))),
        "column 't2' has 1 empty cell(s)"),
    cli("classify-single-class", classify("--label", "kind", data=lambda ctx: ctx.csv(
        "c.csv", samples_csv().assign(kind="low"))), "holds a single class ('low')"),
    cli("classify-few-rows", classify("--label", "kind", data=lambda ctx: ctx.csv(
        "c.csv", samples_csv(4))), "has 4 rows", "at least 5"),
    cli("classify-forecast-set", classify(data=lambda ctx: "airline"), "is a 'forecast' set"),
    cli("classify-unknown-set", classify(data=lambda ctx: "italypower"),
        "no such file or bundled data set", "italy_power_demand"),
    cli("label-model-without-label-task", label("--id-col", "seq", "--label", "activity",
                                               "--model", "cnn_lstm"),
        "--model 'cnn_lstm' does not support --task label"),
    cli("label-id-col-absent", label("--label", "activity"), "--id-col 'unique_id' is not a "
        "column"),
    cli("label-no-label", label("--id-col", "seq"), "--label must name"),
    cli("label-few-sequences", label("--id-col", "seq", "--label", "activity",
                                     data=lambda ctx: ctx.csv("q.csv", steps_csv(3))),
        "holds 3 sequences", "at least 5"),
    cli("label-time-col-text", label("--id-col", "seq", "--label", "activity", "--time-col",
                                     "activity"), "column 'activity' holds neither numbers nor "
        "dates"),
    cli("predict-artifact-missing", lambda ctx: ["predict", "nope", "--data", sales_csv(ctx)],
        "nope is not a directory", "zoo artifact"),
    cli("predict-artifact-a-file", lambda ctx: ["predict", sales_csv(ctx), "--data",
                                                sales_csv(ctx)], "is not a directory"),
    cli("predict-artifact-without-manifest", lambda ctx: ["predict", ctx.dir("d"), "--data",
                                                          sales_csv(ctx)], "zoo.json is missing"),
    cli("predict-data-missing", predict("plain_art", data=lambda ctx: "nope.csv"),
        "--data 'nope.csv'", "no such file"),
    cli("predict-data-too-short", predict("plain_art", data=lambda ctx: ctx.csv(
        "s.csv", monthly(3))), "too little history", f"lookback={LOOKBACK}"),
    cli("predict-data-extra-column", predict("plain_art", data=lambda ctx: ctx.csv(
        "s.csv", monthly(12, x=np.ones(12)))), "['x']", "were not used in fit"),
    cli("predict-data-other-frequency", predict("plain_art", data=lambda ctx: ctx.csv(
        "s.csv", monthly(12).set_axis(pd.date_range("2020-01-01", periods=12, freq="D")))),
        "frequency is 'D'", "'MS'"),
    cli("predict-output-a-directory", predict("plain_art", "--output", "."),
        "--output must name a file"),
    cli("predict-output-missing-directory", predict("plain_art", "--output", "no/f.csv"),
        "--output 'no/f.csv'", "does not exist"),
    cli("predict-label-for-forecaster", predict("plain_art", "--label", "x"),
        "--label is for classifier artifacts"),
    cli("predict-id-col-for-forecaster", predict("plain_art", "--id-col", "x"),
        "--id-col is for labelling artifacts"),
    cli("predict-future-covariates-needed", predict("cov_art", data=lambda ctx: ctx.csv(
        "s.csv", with_promo())), "future_df is required"),
    cli("predict-classifier-time-col", predict("clf_art", "--time-col", "t", data=lambda ctx:
                                               ctx.csv("c.csv", samples_csv(steps=5))),
        "--time-col is for forecasters"),
    cli("predict-classifier-steps", predict("clf_art", "--label", "kind", data=lambda ctx:
                                            ctx.csv("c.csv", samples_csv(steps=3))),
        "X has 3 features", "expecting 5"),
    cli("predict-classifier-features", predict("clf_art", "--label", "kind", data=lambda ctx:
                                               ctx.text("c.csv", "t0,t1,t2,t3,t4,kind\n"
                                                        "1,2,3,4,x,a\n")),
        "column 't4' is not numeric"),
    cli("evaluate-data-too-short", predict("plain_art", data=lambda ctx: ctx.csv(
        "s.csv", monthly(5)), command="evaluate"), "lookback + horizon = 6"),
    cli("evaluate-classifier-no-label", predict("clf_art", data=lambda ctx: ctx.csv(
        "c.csv", samples_csv(steps=5).drop(columns="kind")), command="evaluate"),
        "--label must name"),
    cli("export-serving-artifact-missing", lambda ctx: ["export-serving", "nope", "models"],
        "nope is not a directory"),
    cli("export-serving-base-a-file", lambda ctx: ["export-serving", art("plain_art")(ctx),
                                                   ctx.text("m.txt", "x")], "base 'm.txt'",
        "is a file"),
    cli("export-serving-version-0", lambda ctx: ["export-serving", art("plain_art")(ctx),
                                                 "models", "--version", "0"],
        "version must be a positive integer"),
    cli("export-serving-name", lambda ctx: ["export-serving", art("plain_art")(ctx), "models",
                                            "--name", "../up"], "name must be letters, digits"),
    cli("serve-no-dirs", lambda ctx: ["serve"], "give at least one artifact"),
    cli("serve-port", lambda ctx: ["serve", art("plain_art")(ctx), "--port", "70000"],
        "--port must be in 0..65535"),
    cli("serve-name-form", lambda ctx: ["serve", "--name", "x"], "--name takes NAME=DIR"),
    cli("serve-dir-missing", lambda ctx: ["serve", "nope"], "nope does not exist"),
    cli("serve-max-body-bytes-0", lambda ctx: ["serve", art("plain_art")(ctx),
                                               "--max-body-bytes", "0"],
        "--max-body-bytes must be a positive integer"),
    cli("demo-epochs-0", lambda ctx: ["demo", "--epochs", "0", "--out", "d"],
        "--epochs must be a positive integer"),
    cli("demo-out-a-file", lambda ctx: ["demo", "--out", ctx.text("d.txt", "x")],
        "is not a zoo artifact"),
]

BAD = (BUILDERS + FORECASTER_PARAMS + FORECASTER_DATA + LONG_DATA + PREDICT + FUTURE_DF
       + CLASSIFIER_FIT + CLASSIFIER_PREDICT + LABELER + EXPORT + LOAD + PREDICTOR + IO + CLI)
ACCEPTED_TYPES = (ValueError, TypeError, FileNotFoundError)


def test_the_table_is_big_enough():
    assert len(BAD) >= 80
    assert {c.id.split("-")[0] for c in BAD} >= {
        "build", "forecaster", "classifier", "labeler", "export", "load", "predictor", "cli"}


@pytest.mark.parametrize("case", params(BAD))
def test_bad_input_is_refused_clearly_before_training_and_writes_nothing(case, ctx, capsys):
    before = ctx.snapshot()
    if case.cli:
        argv = case.call(ctx)
        before = ctx.snapshot()  # the row's input files are written now
        status = main(argv)
        err = capsys.readouterr().err
        assert status == 2, (status, err)
        assert "Traceback" not in err and err.count("\n") == 1, err
        message = err.strip()
    else:
        with pytest.raises(case.exc) as info:
            case.call(ctx)
        assert isinstance(info.value, ACCEPTED_TYPES), type(info.value)
        message = str(info.value)
    missing = [n for n in case.needles if n not in message]
    assert not missing, f"{missing} not in the message: {message}"
    assert ctx.snapshot() == before, "a refusal wrote or changed files"
