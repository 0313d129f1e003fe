"""zoo.Forecaster: scikit-learn conventions, frame layouts, scaling inside the model,
direct / recursive / quantile forecasts, and argument errors raised before training.

A few tiny real fits are shared through module-scoped fixtures. Tests about what
reaches training (windows, splits, refit) replace ``zoo.training.fit`` with
:class:`RecordingFit`, which builds the model exactly as training would but skips
the optimisation, so they run in well under a second.
"""

import warnings

import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import zoo
import zoo.training
from zoo import windows as W
from zoo.forecaster import Forecaster
from zoo.frames import median_of_quantiles

L, H = 6, 3
# calendar features off unless a test is about them: most tests read the inputs' layout
TINY = {"lookback": L, "horizon": H, "units": 4, "epochs": 2, "refit": False,
        "early_stopping": False, "reduce_lr_on_plateau": False, "seed": 0,
        "calendar_features": False}


def monthly(n=96, scale=1.0, start="2015-01-01", **extra):
    t = np.arange(n)
    y = scale * (10 + 2 * np.sin(2 * np.pi * t / 12) + 0.05 * t)
    return pd.DataFrame({"y": y, **extra}, index=pd.date_range(start, periods=n, freq="MS"))


def with_covariates(n=96):
    t = np.arange(n, dtype=float)
    return monthly(n, temp=np.cos(t / 5.0), promo=t)


def future_promo(frame, values=None):
    idx = W.future_index(frame.index, H)
    values = np.arange(len(frame), len(frame) + H, dtype=float) if values is None else values
    return pd.DataFrame({"promo": values}, index=idx)


class RecordingFit:
    """Stands in for zoo.training.fit: records its arguments, builds, does not train."""

    def __init__(self, val_loss=None):
        self.calls = []
        self.val_loss = val_loss

    def __call__(self, model, data, *, validation_data=None, **kwargs):
        self.calls.append(dict(data=data, validation_data=validation_data, **kwargs))
        if not isinstance(model, keras.Model):
            model = model()
        history = {"loss": [1.0] * kwargs["epochs"]}
        if validation_data is not None:
            history["val_loss"] = list(self.val_loss or [1.0] * kwargs["epochs"])
        return model, history


@pytest.fixture
def recorded(monkeypatch):
    rec = RecordingFit()
    monkeypatch.setattr(zoo.training, "fit", rec)
    return rec


@pytest.fixture
def no_training(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("training started before the bad argument was refused")

    monkeypatch.setattr(zoo.training, "fit", refuse)


def inputs_of(call, part="data"):
    x = call[part][0]
    return (x["inputs"], x["future"]) if isinstance(x, dict) else (x, None)


# ---------------------------------------------------------------- real fits, shared
@pytest.fixture(scope="module")
def wide_fit():
    frame = monthly()
    return Forecaster(**TINY).fit(frame), frame


@pytest.fixture(scope="module")
def quantile_fit():
    frame = with_covariates()
    f = Forecaster(**dict(TINY, calendar_features=True), target="y", future_covariates=["promo"],
                   quantiles=[0.9, 0.1, 0.5])
    return f.fit(frame), frame


@pytest.fixture(scope="module")
def recursive_fit():
    frame = monthly(promo=np.arange(96, dtype=float))
    f = Forecaster(**dict(TINY, calendar_features=True), strategy="recursive", future_covariates=["promo"])
    return f.fit(frame), frame


# ---------------------------------------------------------------- scikit-learn conventions
def test_init_only_stores_its_arguments():
    f = Forecaster(lookback=-5, strategy="sideways", model="nope", units=4)
    assert vars(f) == f.get_params()
    assert f.get_params()["lookback"] == -5 and f.get_params()["strategy"] == "sideways"


def test_get_params_set_params_and_clone(wide_fit):
    f, _ = wide_fit
    copy = clone(f)
    assert copy.get_params() == f.get_params()
    assert not hasattr(copy, "model_")
    with pytest.raises(RuntimeError, match="not fitted"):
        copy.predict()
    assert copy.set_params(units=8, horizon=5) is copy
    assert copy.units == 8 and copy.horizon == 5 and f.units == 4


def test_fit_returns_self_and_learned_attributes_end_in_underscore(recorded):
    f = Forecaster(**TINY)
    assert f.fit(monthly()) is f
    learned = set(vars(f)) - set(f.get_params())
    assert {"model_", "scaling_stats_", "targets_", "freq_", "history_"} <= learned
    assert all(name.endswith("_") for name in learned), learned
    # fit did not rewrite the user's arguments
    assert f.get_params() == Forecaster(**TINY).get_params()


# ---------------------------------------------------------------- wide frames
def test_predict_wide_frame_indexes_the_future_timestamps(wide_fit):
    f, frame = wide_fit
    out = f.predict()
    expected = pd.date_range(frame.index[-1], periods=H + 1, freq="MS")[1:]
    assert list(out.columns) == ["y"]
    assert out.index.equals(expected) and out.index.freqstr == "MS"
    assert np.all(np.isfinite(out.to_numpy()))


def test_predict_continues_from_the_given_history(wide_fit):
    f, frame = wide_fit
    np.testing.assert_allclose(f.predict(frame).to_numpy(), f.predict().to_numpy(), rtol=1e-6)
    # only the last lookback steps matter
    np.testing.assert_allclose(f.predict(frame.iloc[-L:]).to_numpy(), f.predict().to_numpy(),
                               rtol=1e-6)
    earlier = f.predict(frame.iloc[:60])
    assert earlier.index[0] == frame.index[60]
    assert not np.allclose(earlier.to_numpy(), f.predict().to_numpy())


def set_head(model, bias):
    """Zeroes the forecast head's kernel and sets its bias: the network outputs ``bias``."""
    layers = [l for l in model._flatten_layers() if l.name == "forecast_dense"]
    assert len(layers) == 1, [l.name for l in model._flatten_layers()]
    kernel, b = layers[0].get_weights()
    layers[0].set_weights([np.zeros_like(kernel), np.full_like(b, bias)])


@pytest.mark.parametrize("log", [False, True])
def test_model_takes_raw_values_and_returns_raw_units_in_closed_form(log):
    # with the head's kernel at zero the network outputs its bias b on every step, so the
    # raw forecast is known exactly: T^-1(mean of T(window) + b * scale), T = log or identity
    frame = monthly(60, scale=50.0)
    f = Forecaster(**dict(TINY, epochs=1), log=log).fit(frame)
    set_head(f.model_, 0.5)
    scale = f.scaling_stats_["target_scale"][0]
    for history in (frame, frame.iloc[:40]):
        window = history["y"].to_numpy()[-L:]
        level = np.log(window).mean() if log else window.mean()
        expected = np.exp(level + 0.5 * scale) if log else level + 0.5 * scale
        np.testing.assert_allclose(f.predict(history)["y"].to_numpy(), [expected] * H,
                                   rtol=1e-5)
        raw = np.asarray(f.model_(history.to_numpy()[-L:][None].astype("float32")))
        np.testing.assert_allclose(raw[0, :, 0], [expected] * H, rtol=1e-5)


def test_scaling_inside_the_model_makes_forecasts_scale_with_the_data(wide_fit):
    f, frame = wide_fit
    big = clone(f).fit(frame * 1000)
    assert f.log_ and big.log_
    # log + per-window level: the network sees identical inputs and targets, so the same seed
    # trains the same network and only the units differ
    np.testing.assert_allclose(big.predict().to_numpy(), 1000 * f.predict().to_numpy(), rtol=1e-3)
    np.testing.assert_allclose(big.predict(frame.iloc[:50] * 1000).to_numpy(),
                               1000 * f.predict(frame.iloc[:50]).to_numpy(), rtol=1e-3)


def test_integer_indexed_wide_frame_continues_its_index(recorded):
    frame = pd.DataFrame({"load": monthly()["y"].to_numpy()}, index=np.arange(100, 292, 2))
    f = Forecaster(**TINY).fit(frame)
    assert list(f.predict().index) == [292, 294, 296]
    assert list(f.predict(frame.iloc[:40]).index) == [180, 182, 184]


def test_other_numeric_columns_are_past_covariates(recorded):
    frame = with_covariates()
    f = Forecaster(**TINY, target="y").fit(frame)
    assert f.past_covariates_ == ["temp", "promo"] and f.future_names_ == []
    x, future = inputs_of(recorded.calls[0])
    assert future is None and x.shape[-1] == 3
    # inputs stay raw (the model scales them): the promo column is the time step
    np.testing.assert_array_equal(x[:, :, 2], x[:, :1, 2] + np.arange(L))


# ---------------------------------------------------------------- splits, scaling, refit
@pytest.mark.parametrize("size, split", [(0.25, 72), (12, 84)])
def test_validation_size_takes_the_tail(recorded, size, split):
    frame = pd.DataFrame({"y": 100.0 + np.arange(96)},
                         index=pd.date_range("2015-01-01", periods=96, freq="MS"))
    f = Forecaster(**TINY, validation_size=size).fit(frame)
    (call,) = recorded.calls
    x_tr, _ = inputs_of(call)
    x_val, _ = inputs_of(call, "validation_data")
    assert len(x_tr) == split - L - H + 1 and len(x_val) == 96 - split - H + 1
    # on a ramp the value is the step: training targets end before the split, validation
    # windows start their forecasts at or after it
    assert x_tr[-1, -1, 0] == 100 + split - H - 1
    assert x_val[0, -1, 0] == 100 + split - 1
    assert f.validation_metrics_["n_windows"] == len(x_val)


def test_no_validation_tail(recorded):
    Forecaster(**TINY, validation_size=0).fit(monthly())
    (call,) = recorded.calls
    assert call["validation_data"] is None and len(inputs_of(call)[0]) == 96 - L - H + 1


def test_validation_tail_shorter_than_the_horizon_warns(recorded):
    with pytest.warns(UserWarning, match="validation_size=2 .*horizon=3"):
        f = Forecaster(**TINY, validation_size=2).fit(monthly())
    (call,) = recorded.calls
    assert call["validation_data"] is None and f.validation_metrics_ == {}
    # the two tail points are not trained on either: the split is kept
    assert len(inputs_of(call)[0]) == 94 - L - H + 1


def test_several_targets_with_quantiles_get_one_column_each(recorded):
    frame = monthly(a=np.linspace(1, 2, 96))
    f = Forecaster(**TINY, target=["y", "a"], quantiles=[0.2, 0.8]).fit(frame)
    assert recorded.calls[0]["data"][1].shape[1:] == (H, 2)
    out = f.predict()
    assert list(out.columns) == ["y", "y_q0.2", "y_q0.8", "a", "a_q0.2", "a_q0.8"]
    # no 0.5 level: the point forecast is interpolated half-way between 0.2 and 0.8
    np.testing.assert_allclose(out["a"], (out["a_q0.2"] + out["a_q0.8"]) / 2, rtol=1e-6)


def test_scaling_is_fitted_on_the_training_part_only(recorded):
    frame = monthly()
    split = W.split_point(len(frame), 0.2)
    tail_changed = frame.copy()
    tail_changed.iloc[split:, 0] *= 3.0
    head_changed = frame.copy()
    head_changed.iloc[:10, 0] *= 3.0
    stats = Forecaster(**TINY).fit(frame).scaling_stats_
    assert Forecaster(**TINY).fit(tail_changed).scaling_stats_ == stats
    assert Forecaster(**TINY).fit(head_changed).scaling_stats_ != stats
    # refit=True learns from every point, so its final constants do see the tail
    refit = dict(TINY, refit=True)
    assert (Forecaster(**refit).fit(tail_changed).scaling_stats_
            != Forecaster(**refit).fit(frame).scaling_stats_)


def test_refit_trains_again_on_all_windows_for_the_best_epoch_count(monkeypatch):
    rec = RecordingFit(val_loss=[3.0, 1.0, 2.0, 2.5])
    monkeypatch.setattr(zoo.training, "fit", rec)
    f = Forecaster(**dict(TINY, epochs=4, refit=True, early_stopping=True)).fit(monthly())
    first, second = rec.calls
    assert f.best_epoch_ == 2
    assert first["epochs"] == 4 and first["validation_data"] is not None
    assert second["epochs"] == 2 and second["validation_data"] is None
    assert second["early_stopping"] is False
    assert len(inputs_of(second)[0]) == 96 - L - H + 1 > len(inputs_of(first)[0])


# ---------------------------------------------------------------- covariates and calendar
def test_future_covariates_and_calendar_reach_the_model_as_future(recorded):
    frame = with_covariates()
    f = Forecaster(**dict(TINY, calendar_features=True), target="y", future_covariates=["promo"])
    f.fit(frame)
    assert f.input_names_ == ["y", "temp", "promo", "month_sin", "month_cos"]
    assert f.future_names_ == ["promo", "month_sin", "month_cos"]
    shapes = {t.name: tuple(t.shape) for t in f.model_.inputs}
    assert shapes == {"inputs": (None, L, 5), "future": (None, H, 3)}
    x, future = inputs_of(recorded.calls[0])
    assert x.shape[1:] == (L, 5) and future.shape == (len(x), H, 3)
    # promo is the time step: the horizon's known-ahead values are those of the target steps,
    # right after the input window, and the past-only temp column is not among them
    steps_in, steps_out = x[:, :, 2].astype(int), future[:, :, 0].astype(int)
    np.testing.assert_array_equal(steps_out, steps_in[:, -1:] + 1 + np.arange(H))
    calendar = W.calendar_features(frame.index, ["month_sin", "month_cos"])
    np.testing.assert_allclose(x[:, :, 3:], calendar[steps_in], atol=1e-6)
    np.testing.assert_allclose(future[:, :, 1:], calendar[steps_out], atol=1e-6)


def test_calendar_features_without_timestamps_are_refused_and_yearly_warns(recorded):
    frame = pd.DataFrame({"y": np.arange(1.0, 41.0)})
    with pytest.raises(ValueError, match="calendar_features"):
        Forecaster(**dict(TINY, calendar_features=True)).fit(frame)
    yearly = frame.set_index(pd.date_range("1950", periods=40, freq="YS"))
    with pytest.warns(UserWarning, match="calendar_features"):
        f = Forecaster(**dict(TINY, calendar_features=True)).fit(yearly)
    assert f.calendar_ == [] and f.input_names_ == ["y"]


def test_quantile_forecasts_are_sorted_and_the_point_is_the_median(quantile_fit):
    f, frame = quantile_fit
    out = f.predict(future_df=future_promo(frame))
    assert f.quantiles_ == [0.1, 0.5, 0.9]
    assert list(out.columns) == ["y", "y_q0.1", "y_q0.5", "y_q0.9"]
    q = out[["y_q0.1", "y_q0.5", "y_q0.9"]].to_numpy()
    assert np.all(np.diff(q, axis=1) >= 0)
    np.testing.assert_array_equal(out["y"].to_numpy(), out["y_q0.5"].to_numpy())
    assert out.index.equals(future_promo(frame).index)


def test_known_ahead_values_change_the_forecast(quantile_fit):
    f, frame = quantile_fit
    base = f.predict(future_df=future_promo(frame)).to_numpy()
    other = f.predict(future_df=future_promo(frame, values=[500.0, -500.0, 0.0])).to_numpy()
    assert not np.allclose(base, other)
    with pytest.raises(ValueError, match="future_df is required"):
        f.predict()
    with pytest.raises(ValueError, match="future_df"):
        f.predict(future_df=future_promo(frame).iloc[:2])
    with pytest.raises(ValueError, match="future_df lacks"):
        f.predict(future_df=future_promo(frame).rename(columns={"promo": "other"}))


def test_median_between_quantiles_is_interpolated():
    out = np.array([[[[1.0, 3.0]]]])
    assert median_of_quantiles(out, [0.1, 0.9]).item() == pytest.approx(2.0)
    assert median_of_quantiles(out, [0.3, 0.5]).item() == 3.0


def test_recursive_strategy_feeds_its_one_step_forecasts_back(recursive_fit):
    f, frame = recursive_fit
    fut = future_promo(frame)
    out = f.predict(future_df=fut)
    assert out.shape == (H, 1) and out.index.equals(fut.index)
    step = f.model_.get_layer("recursive").step_model
    x, future, _ = f.make_inputs(f.tail_, fut, "wide")
    window, manual = x, []
    for h in range(H):
        y = np.asarray(step({"inputs": window, "future": future[:, h:h + 1]}))
        manual.append(y[0, 0, 0])
        row = np.concatenate([y, future[:, h:h + 1]], axis=-1)
        window = np.concatenate([window[:, 1:], row], axis=1).astype("float32")
    np.testing.assert_allclose(out["y"].to_numpy(), manual, rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------- long frames
def long_frame(ds_kind="int", target="y"):
    rows = []
    for uid, n, level in [("a", 40, 100.0), ("b", 30, 500.0), ("c", 8, 900.0), ("d", 4, 50.0)]:
        ds = (np.arange(n) if ds_kind == "int"
              else pd.date_range("2020-01-01", periods=n, freq="D"))
        rows.append(pd.DataFrame({"unique_id": uid, "ds": ds, target: level + np.arange(n)}))
    return pd.concat(rows, ignore_index=True)


def test_long_frame_trains_one_global_model_and_forecasts_every_long_enough_series(recorded):
    data = long_frame()
    f = Forecaster(**dict(TINY, validation_size=0))
    with pytest.warns(UserWarning, match="2 series .*'c', 'd'"):
        f.fit(data)
    (call,) = recorded.calls  # one model for every series
    x, _ = inputs_of(call)
    assert len(x) == (40 - L - H + 1) + (30 - L - H + 1)
    assert set(np.unique(x[:, 0, 0] // 100)) == {1, 5}  # windows of a and b only...
    assert np.all(np.diff(x[:, :, 0], axis=1) == 1)  # ...each inside one series
    out = f.predict()
    assert list(out.columns) == ["unique_id", "ds", "y_hat"]
    # c is too short to train on but has lookback points; d has fewer and is left out
    assert out["unique_id"].tolist() == ["a"] * H + ["b"] * H + ["c"] * H
    assert out["ds"].tolist() == [40, 41, 42, 30, 31, 32, 8, 9, 10]
    assert np.all(np.isfinite(out["y_hat"]))
    again = f.predict(data[data["unique_id"] != "d"])
    pd.testing.assert_frame_equal(again, out)


def test_long_frame_with_timestamps_named_target_and_quantiles(recorded):
    data = long_frame("time", target="sales")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        f = Forecaster(**TINY, target="sales", quantiles=[0.1, 0.5, 0.9]).fit(data)
    out = f.predict()
    assert list(out.columns) == ["unique_id", "ds", "y_hat", "y_hat_q0.1", "y_hat_q0.5",
                                 "y_hat_q0.9"]
    a = out[out["unique_id"] == "a"]
    assert list(a["ds"]) == list(pd.date_range("2020-02-10", periods=H, freq="D"))
    b = out[out["unique_id"] == "b"]
    assert b["ds"].iloc[0] == pd.Timestamp("2020-01-31")


def test_long_frame_where_no_series_has_a_window_is_an_error(no_training):
    data = long_frame()
    data = data[data["unique_id"].isin(["c", "d"])]
    with pytest.raises(ValueError, match="lookback \\+ horizon"):
        Forecaster(**TINY).fit(data)


# ---------------------------------------------------------------- Series and arrays
def test_series_and_1d_array_forecast_with_a_range_index(recorded):
    values = monthly(50)["y"].to_numpy()
    for data in (values, pd.Series(values), list(values)):
        f = Forecaster(**TINY).fit(data)
        out = f.predict()
        assert isinstance(out.index, pd.RangeIndex) and list(out.index) == [50, 51, 52]
        assert list(out.columns) == ["y"]
        assert list(f.predict(values[:20]).index) == [20, 21, 22]


def test_series_with_an_integer_index_continues_it(recorded):
    values = monthly(50)["y"].to_numpy()
    f = Forecaster(**TINY).fit(pd.Series(values, index=np.arange(100, 150)))
    assert list(f.predict().index) == [150, 151, 152]


def test_2d_array_forecasts_every_column(recorded):
    values = np.stack([monthly(50)["y"].to_numpy(), np.linspace(1, 2, 50)], axis=1)
    f = Forecaster(**TINY).fit(values)
    assert recorded.calls[0]["data"][1].shape[1:] == (H, 2)
    out = f.predict()
    assert list(out.columns) == ["y0", "y1"] and list(out.index) == [50, 51, 52]
    with pytest.raises(ValueError, match="2"):
        f.predict(values[:, :1])


def test_fill_missing_interpolate_trains_on_filled_values(recorded):
    frame = pd.DataFrame({"y": 100.0 + np.arange(60)},
                         index=pd.date_range("2015-01-01", periods=60, freq="MS"))
    frame.iloc[[5, 30], 0] = [np.nan, np.inf]
    Forecaster(**dict(TINY, validation_size=0), fill_missing="interpolate").fit(frame)
    x, _ = inputs_of(recorded.calls[0])
    np.testing.assert_array_equal(x[0, :, 0], 100 + np.arange(L))  # step 5 filled in
    np.testing.assert_array_equal(x[:, :, 0], x[:, :1, 0] + np.arange(L))


# ---------------------------------------------------------------- errors before training
def bad(**kwargs):
    return dict(TINY, **kwargs)


@pytest.mark.parametrize(
    "params, data, exc, match",
    [
        (bad(lookback=0), None, ValueError, "lookback"),
        (bad(lookback=2.5), None, ValueError, "lookback"),
        (bad(lookback=True), None, ValueError, "lookback"),
        (bad(horizon=-1), None, ValueError, "horizon"),
        (bad(strategy="sideways"), None, ValueError, "strategy"),
        (bad(quantiles=[0.0, 0.5]), None, ValueError, "quantiles"),
        (bad(quantiles=[0.5, 1.2]), None, ValueError, "quantiles"),
        (bad(quantiles=[]), None, ValueError, "quantiles"),
        (bad(quantiles=[0.5, 0.5]), None, ValueError, "quantiles"),
        (bad(quantiles="median"), None, ValueError, "quantiles"),
        (bad(validation_size=1.0), None, ValueError, "validation_size"),
        (bad(validation_size=-3), None, ValueError, "validation_size"),
        (bad(validation_size="20%"), None, ValueError, "validation_size"),
        (bad(validation_size=90), None, ValueError, "validation_size"),
        (bad(model="transformerz"), None, ValueError, "transformerz"),
        (bad(scaling="minmax"), None, ValueError, "scaling"),
        (bad(log="yes"), None, ValueError, "log"),
        (bad(calendar_features="yes"), None, ValueError, "calendar_features"),
        (bad(refit="yes"), None, ValueError, "refit"),
        (bad(fill_missing="zero"), None, ValueError, "fill_missing"),
        (bad(strategy="recursive", quantiles=[0.1, 0.9]), None, ValueError, "recursive"),
        (bad(strategy="recursive", target="y"), with_covariates(), ValueError, "'temp', 'promo'"),
        (bad(log=True), monthly(scale=-1.0), ValueError, "log=True"),
        (bad(), monthly(n=8), ValueError, "lookback \\+ horizon"),
        (bad(), with_covariates(), ValueError, "'y', 'temp', 'promo'"),
        (bad(target="sales"), monthly(), ValueError, "'sales'"),
        (bad(future_covariates=["holiday"]), monthly(), ValueError, "'holiday'"),
        (bad(), monthly().assign(y=lambda d: d["y"].where(d.index.year != 2016)), ValueError,
         "NaN.*'y'"),
        (bad(target="y"), monthly(temp=np.r_[np.ones(95), np.inf]), ValueError, "'temp'"),
        (bad(), monthly().iloc[[0, 1, 1] + list(range(2, 96))], ValueError, "duplicate"),
        (bad(), monthly().iloc[::-1], ValueError, "increasing"),
        (bad(target="kind"), monthly(kind=["a"] * 96), ValueError, "'kind' is not numeric"),
        (bad(), np.ones((10, 4, 2)), ValueError, "1-D"),
        (bad(), np.array(["a"] * 40), TypeError, "numeric"),
        (bad(), "airline", TypeError, "DataFrame"),
    ],
)
def test_bad_input_is_refused_before_training(no_training, params, data, exc, match):
    data = monthly() if data is None else data
    with pytest.raises(exc, match=match):
        Forecaster(**params).fit(data)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda fr: fr.assign(extra=1.0), "'extra'"),
        (lambda fr: fr.rename(columns={"y": "z"}), "'y'"),
        (lambda fr: fr.iloc[-L + 1:], "lookback"),
        (lambda fr: fr.assign(y=np.r_[fr["y"].to_numpy()[:-1], np.nan]), "NaN"),
        (lambda fr: fr.iloc[[0, 2, 1] + list(range(3, len(fr)))], "increasing"),
    ],
)
def test_bad_predict_input_names_the_problem(wide_fit, make, match):
    f, frame = wide_fit
    with pytest.raises(ValueError, match=match):
        f.predict(make(frame))


# ---------------------------------------------------------------- it learns
def test_small_forecaster_beats_the_naive_forecast_on_a_sine():
    t = np.arange(120)
    frame = pd.DataFrame({"y": 5 + np.sin(2 * np.pi * t / 12)},
                         index=pd.date_range("2000-01-01", periods=120, freq="MS"))
    f = Forecaster(lookback=12, horizon=4, units=16, epochs=10, batch_size=8,
                   learning_rate=0.01, validation_size=24, refit=False, early_stopping=False,
                   reduce_lr_on_plateau=False, seed=0).fit(frame)
    scores = f.validation_metrics_
    assert scores["n_windows"] == 24 - 4 + 1
    # about 0.02 of the naive error when written; 0.2 leaves room for other platforms
    assert scores["model"]["mae"] < 0.2 * scores["naive"]["mae"], scores
    future = pd.date_range("2010-01-01", periods=4, freq="MS")
    np.testing.assert_allclose(f.predict()["y"], 5 + np.sin(2 * np.pi * np.arange(120, 124) / 12),
                               atol=0.2)
    assert f.predict().index.equals(future)


def test_calendar_features_auto_follows_the_frequency(recorded):
    AUTO = {k: v for k, v in TINY.items() if k != "calendar_features"}
    # monthly timestamps: month of year is added; integer and yearly indexes get nothing
    f = Forecaster(**AUTO).fit(monthly())
    assert f.get_params()["calendar_features"] == "auto"
    assert f.calendar_ == ["month_sin", "month_cos"] and f.future_names_ == f.calendar_
    assert {t.name for t in f.model_.inputs} == {"inputs", "future"}
    plain = monthly().reset_index(drop=True)
    assert Forecaster(**AUTO).fit(plain).calendar_ == []
    yearly = plain.set_index(pd.date_range("1900", periods=len(plain), freq="YS"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "auto" stays quiet where the frequency has none
        assert Forecaster(**AUTO).fit(yearly).calendar_ == []
    assert Forecaster(**dict(TINY, calendar_features=False)).fit(monthly()).calendar_ == []
    for bad in ("yes", 1, None):
        with pytest.raises(ValueError, match="calendar_features"):
            Forecaster(**dict(TINY, calendar_features=bad)).fit(monthly())


# ---------------------------------------------------------------- streaming large data
def _reference_targets(stats, x, y):
    """Scaled targets written out in numpy, independently of zoo.scaling."""
    tx, ty = x[..., :1].astype("float64"), y.astype("float64")
    if stats["log"]:
        tx, ty = np.log(tx), np.log(ty)
    if stats["scaling"] == "window":
        return (ty - tx.mean(axis=1, keepdims=True)) / stats["target_scale"][0]
    if stats["scaling"] == "window_std":
        return (ty - tx.mean(axis=1, keepdims=True)) / (tx.std(axis=1, keepdims=True) + 1e-3)
    if stats["scaling"] == "global":
        return (ty - stats["target_loc"][0]) / stats["target_scale"][0]
    return ty


@pytest.mark.parametrize("scaling, log", [("window", True), ("window_std", False),
                                          ("global", True), ("none", False)])
def test_streamed_batches_equal_the_dense_windows(scaling, log):
    import dataclasses

    from zoo import forecast_data as D

    frame = with_covariates(60)
    panel = W.to_panel(frame, "y", ["promo"])
    dense = D.prepare(panel, lookback=L, horizon=H, validation_size=0.2, calendar_features=True,
                      log=log, scaling_choice=scaling)
    assert not dense.stream and dense.wspec.future_cols == [2, 3, 4]
    streamed = dataclasses.replace(dense, stream=True)
    kwargs = dict(shuffle=False, batch_size=7, seed=0)
    x_dense, y_dense = D.network_data(dense, dense.all_starts, dense.stats, **kwargs)
    batches = list(D.network_data(streamed, dense.all_starts, dense.stats, **kwargs))
    got_x = np.concatenate([b[0]["inputs"] for b in batches])
    got_f = np.concatenate([b[0]["future"] for b in batches])
    got_y = np.concatenate([b[1] for b in batches])
    np.testing.assert_allclose(got_x, x_dense["inputs"], rtol=1e-6)
    np.testing.assert_allclose(got_f, x_dense["future"], rtol=1e-6)
    np.testing.assert_allclose(got_y, y_dense, rtol=1e-5, atol=1e-5)
    x, y, _ = W.make_windows(dense.arrays, dense.all_starts, dense.wspec)
    np.testing.assert_allclose(y_dense, _reference_targets(dense.stats, x, y), rtol=1e-5,
                               atol=1e-6)


def test_large_series_stream_without_dense_windows(monkeypatch):
    import zoo.forecast_data as D
    import zoo.scaling

    # shrink the thresholds so that a small series takes the large-data path
    monkeypatch.setattr(D, "DENSE_LIMIT", 1_000)
    monkeypatch.setattr(zoo.scaling, "SCALE_WINDOWS", 50)
    monkeypatch.setattr(D, "METRIC_WINDOWS", 20)
    built = []
    real = W.make_windows

    def spy(arrays, starts, spec):
        built.append(sum(len(s) for s in starts))
        return real(arrays, starts, spec)

    monkeypatch.setattr(W, "make_windows", spy)
    frame = monthly(600)
    f = Forecaster(**dict(TINY, refit=True, epochs=1)).fit(frame)
    assert f.streamed_ and len(f.history_["loss"]) == 1 and "val_loss" in f.history_
    # no dense window array beyond the sampled ones: 592 training windows never materialise
    assert built and max(built) <= 50
    assert f.validation_metrics_["n_windows"] <= 20
    out = f.predict()
    assert out.shape == (H, 1) and np.all(np.isfinite(out.to_numpy()))
