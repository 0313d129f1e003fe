"""zoo.metrics.crps: exact against brute force, the MAE of a point mass, the Gaussian closed
form, invariance to the order of the samples, NaN actuals skipped and bad input refused."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from zoo import metrics


def brute_force(y, x):
    """E|X - y| - 0.5 E|X - X'| over all N^2 pairs (the V-statistic), per position."""
    first = np.mean(np.abs(x - y), axis=0)
    pairs = np.mean(np.abs(x[:, None] - x[None, :]), axis=(0, 1))
    return np.mean(first - 0.5 * pairs)


def gaussian_crps(y, mu, sigma):
    z = (y - mu) / sigma
    return sigma * (z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / np.sqrt(np.pi))


@pytest.mark.parametrize("shape", [(), (7,), (5, 3)])
def test_matches_the_pairwise_definition(shape):
    rng = np.random.default_rng(0)
    y = rng.normal(size=shape)
    x = rng.normal(size=(31,) + shape) * 2 + 0.5
    assert metrics.crps(y, x) == pytest.approx(brute_force(y, x), rel=1e-12, abs=1e-12)


def test_a_point_mass_scores_its_mae():
    rng = np.random.default_rng(1)
    y = rng.normal(size=(12, 2))
    point = rng.normal(size=(12, 2))
    samples = np.repeat(point[None], 50, axis=0)
    assert metrics.crps(y, samples) == pytest.approx(metrics.mae(y, point), rel=1e-12)
    # one sample is a point mass too
    assert metrics.crps(y, point[None]) == pytest.approx(metrics.mae(y, point), rel=1e-12)
    assert metrics.crps(point, samples) == 0.0


def test_many_normal_samples_approach_the_gaussian_closed_form():
    rng = np.random.default_rng(2)
    mu, sigma = 3.0, 2.0
    y = np.linspace(-4.0, 10.0, 15)  # z from -3.5 to 3.5
    samples = rng.normal(mu, sigma, size=(40_000, y.size))
    expected = gaussian_crps(y, mu, sigma)
    assert metrics.crps(y, samples) == pytest.approx(expected.mean(), rel=5e-3)
    for j in (0, 7, 14):  # per point too, where z is far out and at the centre
        assert metrics.crps(y[j], samples[:, j]) == pytest.approx(expected[j], rel=2e-2)


def test_the_order_of_the_samples_does_not_matter():
    rng = np.random.default_rng(3)
    y = rng.normal(size=(6, 2))
    x = rng.gamma(2.0, size=(25, 6, 2))
    shuffled = x[rng.permutation(25)]
    assert metrics.crps(y, shuffled) == pytest.approx(metrics.crps(y, x), rel=1e-12)


def test_a_large_level_loses_no_precision():
    rng = np.random.default_rng(6)
    y = rng.normal(size=8)
    x = rng.normal(size=(40, 8))
    assert metrics.crps(y + 1e8, x + 1e8) == pytest.approx(metrics.crps(y, x), rel=1e-6)


def test_a_sharper_correct_forecast_scores_better():
    rng = np.random.default_rng(4)
    y = np.zeros(20)
    assert metrics.crps(y, rng.normal(0, 0.5, (500, 20))) < metrics.crps(y, rng.normal(0, 2, (500, 20)))


def test_nan_actuals_are_skipped_and_all_nan_is_nan():
    rng = np.random.default_rng(5)
    y = np.array([1.0, np.nan, 3.0])
    x = rng.normal(size=(10, 3))
    assert metrics.crps(y, x) == pytest.approx(metrics.crps(y[[0, 2]], x[:, [0, 2]]))
    assert np.isnan(metrics.crps([np.nan, np.nan], x[:, :2]))


def test_accepts_lists_and_pandas():
    y = pd.Series([0.0, 1.0])
    samples = pd.DataFrame([[-1.0, 1.0], [1.0, 1.0]])
    assert metrics.crps(y, samples) == metrics.crps([0.0, 1.0], [[-1.0, 1.0], [1.0, 1.0]]) == 0.25


def test_a_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\[n_samples, 4\].*got samples \(10, 5\) with y_true \(4,\)"):
        metrics.crps(np.zeros(4), np.zeros((10, 5)))
    # the sample axis goes first: [horizon, n_samples] is refused
    with pytest.raises(ValueError, match=r"sample axis first.*\(10, 4\) with y_true \(10,\)"):
        metrics.crps(np.zeros(10), np.zeros((10, 4)))
    # samples with the shape of y_true (a point forecast) lack the sample axis
    with pytest.raises(ValueError, match=r"got samples \(3, 2\) with y_true \(3, 2\)"):
        metrics.crps(np.zeros((3, 2)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="samples must have shape"):
        metrics.crps(1.0, 2.0)


def test_no_sample_is_refused():
    with pytest.raises(ValueError, match="samples holds no sample"):
        metrics.crps(np.zeros(3), np.zeros((0, 3)))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_samples_are_refused(bad):
    x = np.zeros((5, 3))
    x[2, 1] = bad
    with pytest.raises(ValueError, match=r"samples must be finite; it holds 1 NaN or inf"):
        metrics.crps(np.zeros(3), x)


def test_empty_or_non_numeric_input_is_refused():
    with pytest.raises(ValueError, match="y_true is empty"):
        metrics.crps([], np.zeros((3, 0)))
    with pytest.raises(TypeError, match="samples must be numeric"):
        metrics.crps([1.0], [["a"], ["b"]])
    with pytest.raises(TypeError, match="y_true must be numeric"):
        metrics.crps(["a"], [[1.0]])
