"""zoo.baselines: the array functions (exact hand-computed values) and the estimators
that wrap them behind zoo.Forecaster's fit / predict (same values, same output layout)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import zoo
from zoo import baselines
from zoo.baselines import (
    BASELINES,
    DriftForecaster,
    MeanForecaster,
    NaiveForecaster,
    SeasonalNaiveForecaster,
)

Y = np.array([1.0, 2.0, 3.0, 5.0])
Y2 = np.array([[1.0, 10.0], [2.0, 30.0], [4.0, 20.0], [7.0, 40.0]])


def test_naive_repeats_the_last_value():
    np.testing.assert_array_equal(baselines.naive(Y, 3), [5.0, 5.0, 5.0])
    np.testing.assert_array_equal(baselines.naive(Y2, 2), [[7.0, 40.0], [7.0, 40.0]])


def test_seasonal_naive_repeats_the_last_season():
    y = np.array([10.0, 20.0, 30.0, 11.0, 21.0, 31.0, 12.0])
    # last season (season=3) is [21, 31, 12]; horizon 7 wraps around it
    np.testing.assert_array_equal(
        baselines.seasonal_naive(y, 7, season=3), [21.0, 31.0, 12.0, 21.0, 31.0, 12.0, 21.0]
    )
    np.testing.assert_array_equal(baselines.seasonal_naive(y, 2, season=3), [21.0, 31.0])
    np.testing.assert_array_equal(
        baselines.seasonal_naive(Y2, 3, season=2), [[4.0, 20.0], [7.0, 40.0], [4.0, 20.0]]
    )
    # T == season is enough; season 1 is the naive forecast
    np.testing.assert_array_equal(baselines.seasonal_naive(Y, 2, season=4), [1.0, 2.0])
    np.testing.assert_array_equal(baselines.seasonal_naive(Y, 3, season=1), baselines.naive(Y, 3))


def test_seasonal_naive_rejects_history_shorter_than_a_season():
    with pytest.raises(ValueError, match="at least 12 time steps"):
        baselines.seasonal_naive(np.arange(11.0), 3, season=12)
    with pytest.raises(ValueError, match="season must be a positive integer"):
        baselines.seasonal_naive(Y, 3, season=0)


def test_drift_extends_the_line_through_first_and_last():
    # slope (5 - 1) / 3 = 4/3
    np.testing.assert_allclose(baselines.drift(Y, 3), [5 + 4 / 3, 5 + 8 / 3, 9.0], rtol=1e-12)
    # per column slopes 2 and 10
    np.testing.assert_allclose(baselines.drift(Y2, 2), [[9.0, 50.0], [11.0, 60.0]], rtol=1e-12)
    np.testing.assert_allclose(baselines.drift([3.0, 3.0], 2), [3.0, 3.0])
    with pytest.raises(ValueError, match="at least 2 time steps"):
        baselines.drift([1.0], 1)


def test_mean_repeats_the_history_mean():
    np.testing.assert_allclose(baselines.mean(Y, 2), [2.75, 2.75])
    np.testing.assert_allclose(baselines.mean(Y2, 1), [[3.5, 25.0]])
    assert baselines.mean_forecast is baselines.mean


def test_outputs_are_float_arrays_of_the_right_shape_for_int_and_pandas_input():
    ints = [1, 2, 3, 4, 5, 6]
    series = pd.Series(ints, dtype="int64")
    frame = pd.DataFrame({"a": ints, "b": ints})
    for name, fn in baselines.BASELINE_FUNCTIONS.items():
        kwargs = {"season": 2} if name == "seasonal_naive" else {}
        for y, shape in ((ints, (4,)), (series, (4,)), (frame, (4, 2))):
            out = fn(y, 4, **kwargs)
            assert out.shape == shape and out.dtype == np.float64, (name, out.shape, out.dtype)
    assert set(baselines.BASELINE_FUNCTIONS) == {"naive", "seasonal_naive", "drift", "mean"}


@pytest.mark.parametrize("horizon", [0, -1, 2.0, True, "3", None])
def test_bad_horizon_is_rejected(horizon):
    with pytest.raises(ValueError, match="horizon must be a positive integer"):
        baselines.naive(Y, horizon)


def test_bad_history_is_rejected():
    with pytest.raises(ValueError, match="NaN"):
        baselines.mean([1.0, np.nan, 2.0], 1)
    with pytest.raises(ValueError, match=r"1-D \[T\] or 2-D"):
        baselines.naive(np.zeros((3, 2, 1)), 1)
    with pytest.raises(ValueError, match="at least 1 time step for"):
        baselines.naive([], 1)
    with pytest.raises(TypeError, match="y must be numeric"):
        baselines.naive(["a", "b"], 1)


# ---------------------------------------------------------------- estimators
@pytest.fixture(scope="module")
def airline():
    return zoo.datasets.load("airline")


def long_frame(df):
    y = df["passengers"].to_numpy()
    return pd.concat([pd.DataFrame({"unique_id": "a", "ds": df.index, "y": y}),
                      pd.DataFrame({"unique_id": "b", "ds": df.index[:60], "y": 2 * y[:60]})],
                     ignore_index=True)


def test_estimators_equal_the_functions_on_airline(airline):
    y = airline["passengers"].to_numpy()
    expected = {"naive": baselines.naive(y, 12), "drift": baselines.drift(y, 12),
                "seasonal_naive": baselines.seasonal_naive(y, 12, 12),
                "mean": baselines.mean(y, 12)}
    for name, cls in BASELINES.items():
        out = cls(horizon=12).fit(airline).predict()
        np.testing.assert_array_equal(out["passengers"].to_numpy(), expected[name], err_msg=name)
        # predict(df) forecasts from the history it is given, not from the training data
        again = cls(horizon=12).fit(airline).predict(airline.iloc[:100])
        fn = baselines.BASELINE_FUNCTIONS[name]
        want = fn(y[:100], 12, season=12) if name == "seasonal_naive" else fn(y[:100], 12)
        np.testing.assert_array_equal(again["passengers"].to_numpy(), want, err_msg=name)
        assert again.index[0] == airline.index[100]
    assert SeasonalNaiveForecaster().fit(airline).season_ == 12


def test_estimators_follow_scikit_learn_conventions(airline):
    f = SeasonalNaiveForecaster(horizon=3, season=4, target="passengers")
    assert f.get_params() == {"horizon": 3, "season": 4, "target": "passengers"}
    assert not [k for k in vars(f) if k.endswith("_")]  # __init__ only stores
    assert f.fit(airline) is f
    assert {"series_", "targets_", "season_", "freq_", "kind_"} <= set(vars(f))
    copy = clone(f)
    assert copy.get_params() == f.get_params() and not hasattr(copy, "series_")
    assert repr(NaiveForecaster(horizon=3)) == "NaiveForecaster(horizon=3)"
    assert DriftForecaster().set_params(horizon=2).horizon == 2


@pytest.fixture(scope="module")
def tiny_forecasts(airline):
    """What a tiny zoo.Forecaster predicts for each input layout (formats only matter here)."""
    params = {"lookback": 12, "horizon": 12, "units": 4, "epochs": 1, "refit": False,
              "early_stopping": False, "reduce_lr_on_plateau": False, "seed": 0}
    inputs = {"wide": airline, "series": pd.Series(airline["passengers"].to_numpy()),
              "long": long_frame(airline)}
    return inputs, {k: zoo.Forecaster(**params).fit(v).predict() for k, v in inputs.items()}


@pytest.mark.parametrize("layout", ["wide", "series", "long"])
def test_output_layout_is_the_forecasters(tiny_forecasts, layout):
    inputs, expected = tiny_forecasts
    for cls in BASELINES.values():
        out = cls(horizon=12).fit(inputs[layout]).predict()
        pd.testing.assert_index_equal(out.columns, expected[layout].columns)
        pd.testing.assert_index_equal(out.index, expected[layout].index)
        if layout == "long":
            assert out["ds"].tolist() == expected[layout]["ds"].tolist()
            assert out["unique_id"].tolist() == expected[layout]["unique_id"].tolist()


def test_long_frame_forecasts_each_series_from_its_own_history(airline):
    frame = long_frame(airline)
    out = DriftForecaster(horizon=4).fit(frame).predict()
    y = airline["passengers"].to_numpy()
    np.testing.assert_array_equal(out.loc[out["unique_id"] == "a", "y_hat"], baselines.drift(y, 4))
    np.testing.assert_array_equal(out.loc[out["unique_id"] == "b", "y_hat"],
                                  baselines.drift(2 * y[:60], 4))
    assert out.loc[out["unique_id"] == "b", "ds"].iloc[0] == airline.index[60]
    with pytest.raises(ValueError, match="series 'b' has 60 time step.*season=72"):
        SeasonalNaiveForecaster(horizon=4, season=72).fit(frame)


def test_several_targets_and_ignored_covariates():
    idx = pd.date_range("2020-01-01", periods=8, freq="QS")
    t = np.arange(8.0)
    frame = pd.DataFrame({"a": t, "b": t**2, "x": np.ones(8)}, index=idx)
    f = SeasonalNaiveForecaster(horizon=2, target=["a", "b"]).fit(frame)
    out = f.predict()
    assert f.season_ == 4 and list(out.columns) == ["a", "b"] and out.index.freqstr == "QS-JAN"
    np.testing.assert_array_equal(out.to_numpy(), [[4.0, 16.0], [5.0, 25.0]])
    with pytest.raises(ValueError, match=r"column\(s\) \['x'\] were used in fit"):
        f.predict(frame[["a", "b"]])


def test_integer_index_and_arrays_continue_the_index():
    s = pd.Series([1.0, 2.0, 4.0], index=[10, 11, 12])
    out = NaiveForecaster(horizon=2).fit(s).predict()
    assert out.index.tolist() == [13, 14] and out["y"].tolist() == [4.0, 4.0]
    assert SeasonalNaiveForecaster(horizon=2).fit(s).season_ == 1
    out = MeanForecaster(horizon=2).fit(np.array([[1.0, 3.0], [3.0, 5.0]])).predict()
    assert out.index.tolist() == [2, 3] and out.to_dict("list") == {"y0": [2.0, 2.0],
                                                                   "y1": [4.0, 4.0]}


def test_estimator_errors_name_the_problem(airline):
    with pytest.raises(ValueError, match="horizon must be a positive integer"):
        NaiveForecaster(horizon=0).fit(airline)
    with pytest.raises(ValueError, match="season must be a positive integer"):
        SeasonalNaiveForecaster(season=0).fit(airline)
    with pytest.raises(ValueError, match="df has 5 time step.*season=12"):
        SeasonalNaiveForecaster().fit(airline.iloc[:5])
    with pytest.raises(ValueError, match="df has 1 time step.*drift needs at least 2"):
        DriftForecaster(horizon=1).fit(airline.iloc[:1])
    with pytest.raises(ValueError, match="target: unknown column"):
        MeanForecaster(target="sales").fit(airline)
    with pytest.raises(ValueError, match="NaN"):
        NaiveForecaster().fit(pd.Series([1.0, np.nan, 2.0]))
    with pytest.raises(RuntimeError, match="not fitted yet"):
        NaiveForecaster().predict()
