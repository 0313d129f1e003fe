"""zoo.backtest: fold origins, no leakage, scores, refit=False, and errors before any fit.

Most tests backtest the baseline estimators (exact and fast); one backtests a tiny
zoo.Forecaster on Airline with refit=False.
"""

import warnings
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

import zoo
from zoo import baselines, metrics
from zoo.backtest import METRICS, BacktestResult, backtest
from zoo.baselines import DriftForecaster, MeanForecaster, NaiveForecaster, SeasonalNaiveForecaster


def ramp(n=40, dates=False):
    index = pd.date_range("2000-01-01", periods=n, freq="D") if dates else pd.RangeIndex(n)
    return pd.DataFrame({"y": np.arange(n, dtype=float)}, index=index)


class Spy(NaiveForecaster):
    """A naive forecaster that records the data every fit / predict call receives."""

    calls: ClassVar[list] = []

    def fit(self, df, y=None):
        Spy.calls.append(("fit", df.index[-1], len(df)))
        return super().fit(df)

    def predict(self, df=None, future_df=None):
        out = super().predict(df, future_df)
        seen = self.series_[0].index[-1] if df is None else df.index[-1]
        Spy.calls.append(("predict", seen, out.index[0]))
        return out


@pytest.fixture
def spy():
    Spy.calls = []
    return Spy


# ---------------------------------------------------------------- folds and scores
def test_fold_origins_and_forecasts_on_a_ramp():
    r = backtest(NaiveForecaster(horizon=5), ramp(40), folds=4, step=3, baselines=("drift",),
                 metrics=("mae", "rmse", "mase"))
    # training ends at T - horizon - (folds - 1 - k) * step = 26, 29, 32, 35 (exclusive)
    assert r.origins == [25, 28, 31, 34]
    assert r.folds["origin"].tolist() == [25, 25, 28, 28, 31, 31, 34, 34]
    assert r.folds["model"].tolist() == ["naive", "drift"] * 4
    assert r.folds["fold"].tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    # on a ramp the value is its position; naive repeats the origin's value: errors 1..5
    naive = r.forecasts[(r.forecasts["model"] == "naive") & (r.forecasts["fold"] == 3)]
    assert naive["ds"].tolist() == [35, 36, 37, 38, 39]
    np.testing.assert_array_equal(naive["y"], [35, 36, 37, 38, 39])
    np.testing.assert_array_equal(naive["y_hat"], [34] * 5)
    by_model = r.summary.to_dict("index")
    assert by_model["naive"] == {"mae": 3.0, "rmse": np.sqrt(11.0), "mase": 3.0}
    assert by_model["drift"] == {"mae": 0.0, "rmse": 0.0, "mase": 0.0}  # drift is exact on a line
    assert (r.horizon, r.step, r.season, r.refit, r.model) == (5, 3, 1, True, "naive")


def test_default_step_is_the_horizon_and_the_last_fold_ends_at_the_last_point():
    frame = ramp(30, dates=True)
    r = backtest(MeanForecaster(horizon=4), frame, folds=3, baselines=())
    assert r.origins == list(frame.index[[17, 21, 25]])
    last = r.forecasts[r.forecasts["fold"] == 2]
    assert list(last["ds"]) == list(frame.index[-4:])
    assert list(r.summary.index) == ["mean"]


def test_summary_is_the_mean_of_the_folds_and_scores_match_the_metric_functions():
    df = zoo.datasets.load("airline")
    r = backtest(DriftForecaster(horizon=12), df, folds=3)
    assert list(r.summary.columns) == list(METRICS)
    assert list(r.summary.index) == ["drift", "naive", "seasonal_naive"]
    expected = r.folds.groupby("model")[list(METRICS)].mean()
    pd.testing.assert_frame_equal(r.summary.sort_index(), expected.sort_index(), check_names=False)
    # one fold by hand: seasonal naive from the data before 1958-12 (fold 1)
    y = df["passengers"].to_numpy()
    stop = 144 - 12 - 12
    forecast = baselines.seasonal_naive(y[:stop], 12, season=12)
    row = r.folds[(r.folds["fold"] == 1) & (r.folds["model"] == "seasonal_naive")].iloc[0]
    assert row["origin"] == pd.Timestamp("1958-12-01")
    actual = y[stop: stop + 12]
    assert row["mae"] == metrics.mae(actual, forecast)
    assert row["smape"] == metrics.smape(actual, forecast)
    assert row["mase"] == metrics.mase(actual, forecast, y[:stop], season=12)
    assert "seasonal_naive" in repr(r) and "origins 1957-12-01 .. 1959-12-01" in repr(r)


def test_no_leakage_each_fit_sees_only_data_up_to_its_origin(spy):
    frame = ramp(40, dates=True)
    r = backtest(spy(horizon=5), frame, folds=3, baselines=())
    fits = [c for c in spy.calls if c[0] == "fit"]
    predicts = [c for c in spy.calls if c[0] == "predict"]
    assert [c[1] for c in fits] == r.origins == list(frame.index[[24, 29, 34]])
    assert [c[2] for c in fits] == [25, 30, 35]
    # every forecast starts the step after the last point its model saw
    for _, seen, first in predicts:
        assert first == seen + pd.Timedelta(days=1)


def test_refit_false_fits_once_before_the_first_origin_and_predicts_from_each_history(spy):
    frame = ramp(40, dates=True)
    once = backtest(spy(horizon=5), frame, folds=3, refit=False, baselines=("drift", "mean"))
    fits = [c for c in spy.calls if c[0] == "fit"]
    assert [c[1] for c in fits] == [frame.index[24]]
    histories = [c[1] for c in spy.calls if c[0] == "predict"]
    assert histories == list(frame.index[[24, 29, 34]])
    # baselines depend only on the history they are given: both paths agree exactly
    every = backtest(NaiveForecaster(horizon=5), frame, folds=3, baselines=("drift", "mean"))
    pd.testing.assert_frame_equal(once.summary.rename({"forecaster": "naive"}), every.summary)
    assert once.refit is False


def test_long_frame_counts_origins_from_each_series_end():
    a = pd.DataFrame({"unique_id": "a", "ds": pd.RangeIndex(20), "y": np.arange(20.0)})
    b = pd.DataFrame({"unique_id": "b", "ds": pd.RangeIndex(30), "y": 2.0 * np.arange(30)})
    r = backtest(NaiveForecaster(horizon=3), pd.concat([b, a]), folds=2, baselines=("drift",),
                 metrics=("mae",))
    fc = r.forecasts[r.forecasts["model"] == "naive"]
    last = fc[fc["fold"] == 1]
    assert last.groupby("unique_id")["ds"].apply(list).to_dict() == {"a": [17, 18, 19],
                                                                     "b": [27, 28, 29]}
    # naive errors: a gives 1, 2, 3; b (slope 2) gives 2, 4, 6 -> mean 3 over both series
    assert r.summary.loc["naive", "mae"] == 3.0
    assert r.summary.loc["drift", "mae"] == 0.0
    assert r.origins == [23, 26]  # the latest origin over the series


def test_undefined_mape_and_mase_are_nan_not_an_abort():
    flat = pd.DataFrame({"y": [5.0] * 12 + [0.0, 1.0, 2.0]})
    with pytest.warns(UserWarning, match="MASE is NaN"):
        r = backtest(NaiveForecaster(horizon=3), flat, folds=1, baselines=())
    row = r.summary.loc["naive"]
    assert np.isnan(row["mape"]) and np.isnan(row["mase"])
    assert row["mae"] == 4.0  # |0-5|, |1-5|, |2-5|


def test_future_covariates_of_each_fold_reach_predict():
    seen = []

    class NeedsFuture(NaiveForecaster):
        # the attribute backtest reads to decide whether predict needs future_df
        future_covariates: ClassVar[list] = ["promo"]

        def fit(self, df, y=None):
            return super().fit(df[["y"]])

        def predict(self, df=None, future_df=None):
            seen.append(future_df)
            return super().predict(None if df is None else df[["y"]])

    frame = ramp(20).assign(promo=np.arange(100.0, 120.0))
    backtest(NeedsFuture(horizon=2), frame, folds=2, baselines=())
    assert [f.index.tolist() for f in seen] == [[16, 17], [18, 19]]
    assert [f["promo"].tolist() for f in seen] == [[116.0, 117.0], [118.0, 119.0]]


def test_predict_never_sees_a_target_or_past_covariate_of_the_horizon():
    columns = []

    class Cheat(NaiveForecaster):
        """Forecasts the horizon's actual values whenever future_df shows them."""

        future_covariates: ClassVar[list] = ["promo"]

        def fit(self, df, y=None):
            return super().fit(df[["y"]])

        def predict(self, df=None, future_df=None):
            columns.append(list(future_df.columns))
            out = super().predict(None if df is None else df[["y"]])
            if "y" in future_df.columns:
                out["y"] = future_df["y"].to_numpy()
            return out

    frame = ramp(30).assign(promo=np.arange(30.0), temp=np.cos(np.arange(30.0)))
    r = backtest(Cheat(horizon=3, target="y"), frame, folds=3, baselines=("naive",), metrics=("mae",))
    assert columns == [["promo"]] * 3
    # the cheat saw no actuals, so it scores exactly what the naive forecast scores
    assert r.summary.loc["forecaster", "mae"] == r.summary.loc["naive", "mae"] == 2.0


def test_a_tiny_forecaster_is_backtested_with_refit_false(monkeypatch):
    df = zoo.datasets.load("airline")
    f = zoo.Forecaster(lookback=12, horizon=12, units=4, epochs=2, refit=False,
                       early_stopping=False, reduce_lr_on_plateau=False, seed=0)
    ends = []
    original = zoo.Forecaster.fit

    def recording_fit(self, data, y=None):
        ends.append(data.index[-1])
        return original(self, data, y)

    monkeypatch.setattr(zoo.Forecaster, "fit", recording_fit)
    r = backtest(f, df, folds=2, refit=False)
    assert ends == [pd.Timestamp("1958-12-01")]  # one fit, on the data before the first origin
    assert not hasattr(f, "model_")  # the caller's estimator stays unfitted
    assert list(r.summary.index) == ["lstm", "naive", "seasonal_naive"]
    lstm = r.forecasts[r.forecasts["model"] == "lstm"]
    assert len(lstm) == 24 and np.all(np.isfinite(lstm["y_hat"]))
    # later folds forecast from their own history: the two folds differ
    assert not np.allclose(lstm["y_hat"].to_numpy()[:12], lstm["y_hat"].to_numpy()[12:])
    for k in (0, 1):
        part = lstm[lstm["fold"] == k]
        row = r.folds[(r.folds["fold"] == k) & (r.folds["model"] == "lstm")].iloc[0]
        assert row["mae"] == metrics.mae(part["y"], part["y_hat"])


def test_the_forecasters_row_is_renamed_when_a_baseline_has_its_name():
    r = backtest(SeasonalNaiveForecaster(horizon=4, season=2), ramp(30), folds=1, season=3)
    assert list(r.summary.index) == ["forecaster", "naive", "seasonal_naive"]
    fc = r.forecasts[r.forecasts["fold"] == 0].set_index("model")["y_hat"]
    np.testing.assert_array_equal(fc.loc["forecaster"], [24, 25, 24, 25])
    np.testing.assert_array_equal(fc.loc["seasonal_naive"], [23, 24, 25, 23])
    assert isinstance(r, BacktestResult)


# ---------------------------------------------------------------- errors, before any fit
@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"folds": 0}, "folds must be a positive integer"),
        ({"folds": 2.0}, "folds must be a positive integer"),
        ({"horizon": 4}, r"horizon=4 differs from forecaster.horizon=5"),
        ({"step": 0}, "step must be a positive integer"),
        ({"refit": "yes"}, "refit must be True or False"),
        ({"baselines": ("naive", "arima")}, r"baselines: unknown name\(s\) \['arima'\]"),
        ({"metrics": ("mae", "r2")}, r"metrics: unknown name\(s\) \['r2'\]; accepted"),
        ({"metrics": ()}, "metrics must name at least one"),
        ({"season": 0}, "season must be a positive integer"),
        ({"folds": 8}, r"too short for folds=8, horizon=5, step=5: 42 points are needed"),
    ],
)
def test_bad_arguments_are_refused_before_any_fit(spy, kwargs, match):
    with pytest.raises(ValueError, match=match):
        backtest(spy(horizon=5), ramp(40), **{"baselines": (), **kwargs})
    assert spy.calls == []


def test_too_short_counts_what_training_needs():
    # MASE at season 12 needs 13 training points, the folds 2 * 12 more
    df = zoo.datasets.load("airline").iloc[:36]
    with pytest.raises(ValueError, match=r"37 points are needed \(13 before the first origin "
                                         r"for the MASE scale"):
        backtest(NaiveForecaster(horizon=12), df, folds=2)
    f = zoo.Forecaster(lookback=24, horizon=12)
    needed = r"60 points are needed \(36 before .* \(lookback \+ horizon\)"
    with pytest.raises(ValueError, match=needed):
        backtest(f, df, folds=2, refit=False)
    long = pd.DataFrame({"unique_id": ["a"] * 9 + ["b"] * 4, "ds": list(range(9)) + list(range(4)),
                         "y": np.arange(13.0)})
    with pytest.raises(ValueError, match="series 'b' is too short"):
        backtest(NaiveForecaster(horizon=2), long, folds=2)


def test_an_object_without_fit_and_predict_is_a_type_error():
    with pytest.raises(TypeError, match="forecaster must have fit"):
        backtest(baselines.naive, ramp(), horizon=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        backtest(NaiveForecaster(horizon=3), ramp(), horizon=3, folds=1)  # equal: no complaint
