"""Array-level baseline forecasts in zoo.baselines: exact hand-computed values."""

import numpy as np
import pandas as pd
import pytest

from zoo import baselines

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
