"""zoo.backtest scores a probabilistic forecaster by the CRPS of its sample paths.

A tiny fake (the naive forecast plus seeded normal noise, with ``distribution`` and
``sample``) stands in for a trained zoo.Forecaster, so these run in seconds.
"""

import warnings
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, clone

from zoo import metrics
from zoo.backtest import CRPS_SAMPLES, METRICS, SAMPLE_METRICS, backtest
from zoo.baselines import NaiveForecaster


class NoisyNaive(BaseEstimator):
    """The naive forecast, and sample paths drawn around it: N(forecast, scale)."""

    calls: ClassVar[list] = []

    def __init__(self, horizon=3, target=None, future_covariates=None, distribution="normal",
                 scale=1.0, reverse=False, broken=None):
        self.horizon = horizon
        self.target = target
        self.future_covariates = future_covariates
        self.distribution = distribution
        self.scale = scale
        self.reverse = reverse  # a long frame's series in the reverse order of the input
        self.broken = broken

    def fit(self, df, y=None):
        self.naive_ = NaiveForecaster(horizon=self.horizon, target=self.target).fit(df)
        return self

    def predict(self, df=None, future_df=None):
        NoisyNaive.calls.append(("predict", df, future_df))
        return self._point(df)

    def _point(self, df):
        pred = self.naive_.predict(df)
        if self.reverse and "unique_id" in pred.columns:
            uids = list(pd.unique(pred["unique_id"]))[::-1]
            pred = pd.concat([pred[pred["unique_id"] == u] for u in uids], ignore_index=True)
        return pred

    def sample(self, num_samples, df=None, future_df=None, seed=None):
        NoisyNaive.calls.append(("sample", df, future_df, num_samples, seed))
        pred = self._point(df)
        if "unique_id" in pred.columns:
            names = [c for c in pred.columns if c.endswith("_hat")]
            point = np.stack([g[names].to_numpy() for _, g in pred.groupby("unique_id", sort=False)])
        else:
            point = pred[self.naive_.targets_].to_numpy()[None]
        rng = np.random.default_rng(seed)
        paths = point[:, None] + self.scale * rng.normal(size=(len(point), num_samples) + point.shape[1:])
        if self.broken == "nan":
            paths[0, 0, 0, 0] = np.nan
        elif self.broken == "shape":
            paths = paths[:, :, :-1]
        return paths if "unique_id" in pred.columns else paths[0]


@pytest.fixture(autouse=True)
def no_calls():
    NoisyNaive.calls = []


def wide(n=30, targets=("a", "b")):
    rng = np.random.default_rng(0)
    index = pd.date_range("2001-01-01", periods=n, freq="D")
    return pd.DataFrame({t: np.cumsum(rng.normal(size=n)) + 10 * i for i, t in enumerate(targets)},
                        index=index)


def long(lengths=(30, 26)):
    rng = np.random.default_rng(1)
    parts = [pd.DataFrame({"unique_id": f"s{i}", "ds": pd.RangeIndex(n),
                           "y": np.cumsum(rng.normal(size=n)) + 1000 * i})
             for i, n in enumerate(lengths)]
    return pd.concat(parts, ignore_index=True)


def crps_of(r, model, fold):
    row = r.folds[(r.folds["model"] == model) & (r.folds["fold"] == fold)]
    return float(row["crps"].iloc[0])


# ---------------------------------------------------------------- which metrics by default
def test_the_default_adds_crps_for_a_probabilistic_forecaster_only():
    df = wide()
    r = backtest(NoisyNaive(target=["a", "b"]), df, folds=2)
    assert list(r.summary.columns) == list(METRICS) + list(SAMPLE_METRICS)
    assert list(r.folds.columns) == ["fold", "origin", "model"] + list(METRICS) + ["crps"]
    # a point forecaster's summary keeps the columns it always had
    point = backtest(NaiveForecaster(horizon=3, target=["a", "b"]), df, folds=2)
    assert list(point.summary.columns) == list(METRICS)
    # distribution=None makes the fake a point forecaster: its sample is not called
    NoisyNaive.calls = []
    off = backtest(NoisyNaive(target=["a", "b"], distribution=None), df, folds=2)
    assert list(off.summary.columns) == list(METRICS)
    assert not [c for c in NoisyNaive.calls if c[0] == "sample"]


def test_crps_is_finite_for_the_forecaster_and_nan_for_the_baselines():
    r = backtest(NoisyNaive(target=["a", "b"]), wide(), folds=3, baselines=("naive", "drift"))
    assert list(r.summary.index) == ["NoisyNaive", "naive", "drift"]
    assert np.isfinite(r.folds.loc[r.folds["model"] == "NoisyNaive", "crps"]).all()
    assert r.folds.loc[r.folds["model"] != "NoisyNaive", "crps"].isna().all()
    assert np.isfinite(r.summary.loc["NoisyNaive", "crps"])
    assert r.summary.loc[["naive", "drift"], "crps"].isna().all()
    # the point forecast is the naive one, so the point scores match the naive baseline
    assert r.summary.loc["NoisyNaive", "mae"] == r.summary.loc["naive", "mae"]


# ---------------------------------------------------------------- the score itself
@pytest.mark.parametrize("refit", [True, False])
def test_crps_equals_the_metric_on_the_folds_actuals_and_samples(refit):
    df, horizon, folds, step = wide(40), 3, 3, 2
    fake = NoisyNaive(horizon=horizon, target=["a", "b"], scale=0.7)
    r = backtest(fake, df, folds=folds, step=step, refit=refit, metrics=("mae", "crps"))
    first = len(df) - horizon - (folds - 1) * step
    fitted = clone(fake).fit(df.iloc[:first])
    for k in range(folds):
        stop = len(df) - horizon - (folds - 1 - k) * step
        actual = df.iloc[stop: stop + horizon][["a", "b"]].to_numpy()
        if refit:
            samples = clone(fake).fit(df.iloc[:stop]).sample(CRPS_SAMPLES, seed=k)
        else:
            samples = fitted.sample(CRPS_SAMPLES, df=df.iloc[:stop], seed=k)
        assert samples.shape == (CRPS_SAMPLES, horizon, 2)
        assert crps_of(r, "NoisyNaive", k) == pytest.approx(metrics.crps(actual, samples),
                                                            rel=1e-12)
    folds_mean = r.folds.loc[r.folds["model"] == "NoisyNaive", "crps"].mean()
    assert r.summary.loc["NoisyNaive", "crps"] == pytest.approx(folds_mean, rel=1e-12)


def test_a_sharper_forecaster_scores_a_lower_crps_with_the_same_point_scores():
    df = wide(40)
    sharp = backtest(NoisyNaive(target=["a", "b"], scale=0.1), df, folds=3, baselines=())
    wide_ = backtest(NoisyNaive(target=["a", "b"], scale=10.0), df, folds=3, baselines=())
    assert sharp.summary["mae"].iloc[0] == wide_.summary["mae"].iloc[0]
    assert sharp.summary["crps"].iloc[0] < wide_.summary["crps"].iloc[0]


@pytest.mark.parametrize("reverse", [False, True])
def test_a_long_frame_matches_each_series_paths_to_its_actuals(reverse):
    df, horizon = long(), 3
    fake = NoisyNaive(horizon=horizon, reverse=reverse)
    r = backtest(fake, df, folds=2, metrics=("crps",), baselines=())
    lengths = {"s0": 30, "s1": 26}
    for k in range(2):
        stops = {u: n - horizon - (1 - k) * horizon for u, n in lengths.items()}
        pos = df.groupby("unique_id").cumcount()
        history = df[pos < df["unique_id"].map(stops)]
        paths = clone(fake).fit(history).sample(CRPS_SAMPLES, seed=k)
        assert paths.shape == (2, CRPS_SAMPLES, horizon, 1)
        order = ["s1", "s0"] if reverse else ["s0", "s1"]  # the order predict returns
        by_uid = dict(zip(order, paths))
        actual = np.concatenate([df[df["unique_id"] == u]["y"].to_numpy()[s: s + horizon, None]
                                 for u, s in stops.items()])
        samples = np.concatenate([by_uid[u] for u in stops], axis=1)
        assert crps_of(r, "NoisyNaive", k) == pytest.approx(metrics.crps(actual, samples),
                                                            rel=1e-12)
    # the two levels are 1000 apart: paths matched to the wrong series would score ~1000
    assert r.summary.loc["NoisyNaive", "crps"] < 10


# ---------------------------------------------------------------- how sample is called
@pytest.mark.parametrize("refit", [True, False])
def test_sample_is_called_as_predict_is_with_the_fold_as_seed(refit):
    df = wide(30)
    df["x"] = np.arange(30.0)  # a known-ahead covariate: predict and sample both get it
    fake = NoisyNaive(target=["a", "b"], future_covariates=["x"])
    backtest(fake, df, folds=3, refit=refit, baselines=())
    predicts = [c for c in NoisyNaive.calls if c[0] == "predict"]
    samples = [c for c in NoisyNaive.calls if c[0] == "sample"]
    assert len(samples) == 3
    for k, (p, s) in enumerate(zip(predicts[-3:] if refit else predicts, samples)):
        assert s[3:] == (CRPS_SAMPLES, k)
        if refit:
            assert p[1] is None and s[1] is None  # the fitted history itself
        else:
            pd.testing.assert_frame_equal(s[1], p[1])
            assert s[1].index[-1] == df.index[30 - 3 - (2 - k) * 3 - 1]
        pd.testing.assert_frame_equal(s[2], p[2])
        assert list(s[2].index) == list(df.index[30 - 3 - (2 - k) * 3:][:3])


# ---------------------------------------------------------------- refusals and warnings
def test_crps_asked_of_a_point_forecaster_is_nan_with_a_warning():
    with pytest.warns(UserWarning, match="crps is NaN for naive"):
        r = backtest(NaiveForecaster(horizon=3, target=["a", "b"]), wide(), folds=2,
                     metrics=("mae", "crps"), baselines=())
    assert list(r.summary.columns) == ["mae", "crps"]
    assert r.folds["crps"].isna().all()
    with warnings.catch_warnings():  # a probabilistic forecaster is not warned about
        warnings.simplefilter("error")
        backtest(NoisyNaive(target=["a", "b"]), wide(), folds=2, metrics=("crps",))


def test_unknown_metrics_list_crps_among_the_accepted():
    with pytest.raises(ValueError, match=r"unknown name\(s\) \['crsp'\].*'mase', 'crps'\]"):
        backtest(NoisyNaive(target=["a", "b"]), wide(), metrics=("crsp",))


def test_bad_sample_paths_are_refused_naming_the_model():
    with pytest.raises(ValueError, match=r"NoisyNaive.sample\(200\) returned shape \(200, 2, 2\); "
                                         r"expected \[num_samples, horizon, n_targets\] = "
                                         r"\(200, 3, 2\)"):
        backtest(NoisyNaive(target=["a", "b"], broken="shape"), wide(), folds=2)
    with pytest.raises(ValueError, match=r"\[n_series, num_samples, horizon, n_targets\] = "
                                         r"\(2, 200, 3, 1\)"):
        backtest(NoisyNaive(broken="shape"), long(), folds=2)
    with pytest.raises(ValueError, match="NoisyNaive.sample returned NaN or inf in fold 0"):
        backtest(NoisyNaive(target=["a", "b"], broken="nan"), wide(), folds=2)
