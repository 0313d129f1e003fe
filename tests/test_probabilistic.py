"""Distribution heads, sample paths and conformal intervals (issue 16), on tiny models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import zoo
from zoo import metrics
from zoo.builders import distributions as Dist

# no refit: half the training time; the conformal model refits (its widths come from before)
TINY = dict(units=4, epochs=2, lookback=12, horizon=4, refit=False)


@pytest.fixture(scope="module")
def airline():
    return zoo.datasets.load("airline")


@pytest.fixture(scope="module")
def fitted(airline):
    """One fitted forecaster per distribution (direct), and a recursive Student-t."""
    out = {d: zoo.Forecaster(distribution=d, **TINY).fit(airline)
           for d in ("normal", "student_t", "negative_binomial")}
    out["recursive"] = zoo.Forecaster(distribution="student_t", strategy="recursive",
                                      **TINY).fit(airline)
    return out


@pytest.fixture(scope="module")
def conformal(airline):
    """A quantile forecaster with conformal intervals around its median (refit after calibrating)."""
    return zoo.Forecaster(conformal=[0.8, 0.95], quantiles=[0.1, 0.5, 0.9], validation_size=0.3,
                          **{**TINY, "refit": True}).fit(airline)


@pytest.mark.parametrize("name", ["normal", "student_t", "negative_binomial", "recursive"])
def test_sample_paths_are_reproducible_and_raw(fitted, airline, name):
    f = fitted[name]
    a, b = f.sample(32, seed=7), f.sample(32, seed=7)
    assert a.shape == (32, 4, 1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, f.sample(32, seed=8))
    # raw units: around the series' level, not the network's scale
    assert 100 < np.median(a) < 2000
    if name == "negative_binomial":
        np.testing.assert_array_equal(a, np.round(a))       # counts
        assert (a >= 0).all()


@pytest.mark.parametrize("name", ["normal", "student_t", "negative_binomial", "recursive"])
def test_predict_gives_the_median_and_quantiles_in_order(fitted, name):
    f = fitted[name]
    frame = f.predict(quantiles=[0.9, 0.1, 0.5])
    assert list(frame.columns) == ["passengers", "passengers_q0.1", "passengers_q0.5",
                                   "passengers_q0.9"]
    q = frame[["passengers_q0.1", "passengers_q0.5", "passengers_q0.9"]].to_numpy()
    assert (np.diff(q, axis=1) >= -1e-6).all()
    # the point forecast is the median: the 0.5 quantile (sampled for recursive paths)
    tol = 0.05 if name == "recursive" else (0.02 if name == "negative_binomial" else 1e-4)
    np.testing.assert_allclose(frame["passengers"], frame["passengers_q0.5"], rtol=tol)
    np.testing.assert_array_equal(f.predict().to_numpy().ravel(), frame["passengers"])


def test_samples_match_the_distribution_quantiles(fitted):
    f = fitted["normal"]
    paths = f.sample(4000, seed=0)[..., 0]
    frame = f.predict(quantiles=[0.1, 0.9])
    for q in (0.1, 0.9):
        np.testing.assert_allclose(np.quantile(paths, q, axis=0), frame[f"passengers_q{q}"],
                                   rtol=0.03)


def test_temperature_narrows_and_widens(fitted):
    f = fitted["normal"]
    spread = [np.std(f.sample(500, seed=1, temperature=t)) for t in (0.5, 1.0, 2.0)]
    assert spread[0] < spread[1] < spread[2]


def test_long_frame_samples_one_block_per_series(airline):
    s = airline["passengers"].to_numpy()
    idx = airline.index
    long = pd.concat([pd.DataFrame({"unique_id": u, "ds": idx, "y": s * k})
                      for u, k in (("a", 1.0), ("b", 3.0))])
    f = zoo.Forecaster(distribution="normal", **TINY).fit(long)
    paths = f.sample(8, seed=2)
    assert paths.shape == (2, 8, 4, 1)
    assert np.median(paths[1]) > 2 * np.median(paths[0])


def test_sample_endpoint_in_plain_tensorflow(fitted, tmp_path):
    import tensorflow as tf

    # recursive: future covariates (the calendar) and fed-back draws; direct counts
    for name in ("recursive", "negative_binomial"):
        f = fitted[name]
        path = f.export(tmp_path / name, formats=["keras"])
        loaded = tf.saved_model.load(str(path))
        feeds = zoo.load(path).make_inputs(None)
        out = loaded.sample(*[tf.constant(v) for v in feeds.values()], tf.constant(16),
                            tf.constant(5, tf.int64), tf.constant(1.0))["samples"].numpy()
        np.testing.assert_allclose(out[0], f.sample(16, seed=5), rtol=1e-5)
        # serving_default is unchanged: one output, the point forecast
        serving = loaded.signatures["serving_default"]
        assert list(serving.structured_outputs) == ["outputs"]
        np.testing.assert_allclose(serving(**{k: tf.constant(v) for k, v in feeds.items()})
                                   ["outputs"].numpy()[0, :, 0], f.predict()["passengers"],
                                   rtol=1e-5)
        np.testing.assert_allclose(zoo.load(path).sample(16, seed=5), out[0], rtol=1e-6)


def test_negative_binomial_likelihood_matches_scipy():
    from scipy import stats

    mean, disp, scale = 7.0, 0.3, 2.0
    # network-scale parameters: raw mean = m * scale, raw dispersion = a / sqrt(scale)
    y_pred = np.array([[[[mean / scale, disp * np.sqrt(scale), scale]]]], "float32")
    counts = np.array([0.0, 3.0, 12.0])
    for y in counts:
        nll = float(Dist.NegativeLogLikelihood("negative_binomial")(
            np.array([[[y / scale]]], "float32"), y_pred))
        r = 1 / disp
        np.testing.assert_allclose(nll, -stats.nbinom.logpmf(y, r, r / (r + mean)), rtol=1e-4)


def test_student_t_likelihood_matches_scipy():
    from scipy import stats

    y_pred = np.array([[[[0.5, 2.0, 4.0]]]], "float32")
    nll = float(Dist.NegativeLogLikelihood("student_t")(np.array([[[3.0]]], "float32"), y_pred))
    np.testing.assert_allclose(nll, -stats.t.logpdf(3.0, 4.0, 0.5, 2.0), rtol=1e-5)


def test_conformal_intervals_through_predict_and_the_artifact(conformal, tmp_path):
    import tensorflow as tf

    f = conformal
    assert f.conformal_["n_windows"] >= 19
    frame = f.predict()
    cols = ["passengers_lo0.8", "passengers_hi0.8", "passengers_lo0.95", "passengers_hi0.95"]
    assert list(frame.columns) == ["passengers", "passengers_q0.1", "passengers_q0.5",
                                   "passengers_q0.9"] + cols
    p = frame["passengers"]
    assert (frame["passengers_lo0.95"] <= frame["passengers_lo0.8"]).all()
    assert (frame["passengers_lo0.8"] <= p).all() and (p <= frame["passengers_hi0.8"]).all()
    assert (frame["passengers_hi0.8"] <= frame["passengers_hi0.95"]).all()
    path = f.export(tmp_path / "c", formats=["keras"])
    pd.testing.assert_frame_equal(zoo.load(path).predict(), frame, rtol=1e-5, check_names=False)
    loaded = tf.saved_model.load(str(path))
    feeds = zoo.load(path).make_inputs(None)
    out = loaded.intervals(*[tf.constant(v) for v in feeds.values()])
    np.testing.assert_allclose(out["lower"].numpy()[0, :, 0, 1], frame["passengers_lo0.95"],
                               rtol=1e-5)
    np.testing.assert_allclose(out["upper"].numpy()[0, :, 0, 0], frame["passengers_hi0.8"],
                               rtol=1e-5)


def test_conformal_widths_cover_exchangeable_residuals():
    from zoo.probabilistic import conformal_widths

    rng = np.random.default_rng(0)
    n = 1999  # the coverage of one calibration is random: sd ~ sqrt(0.9 * 0.1 / n)
    x = np.ones((n, 3, 1))
    y = rng.normal(size=(n, 2, 1))
    (w,) = conformal_widths(np.zeros_like(y), x, y, 1, [0.9])
    fresh = np.abs(rng.normal(size=(20000, 2, 1)))
    assert abs((fresh <= np.asarray(w)).mean() - 0.9) < 0.025


@pytest.mark.parametrize("kwargs, words", [
    (dict(distribution="gamma"), "distribution must be one of"),
    (dict(distribution="normal", quantiles=[0.1, 0.9]), "cannot be combined"),
    (dict(distribution="negative_binomial", log=True), "log=True"),
    (dict(distribution="negative_binomial", scaling="window"), "mean scaling"),
    (dict(conformal=[0.8, 1.2]), "conformal must be a list"),
    (dict(conformal=[0.99]), "validation windows"),
])
def test_refusals_before_training(airline, kwargs, words, monkeypatch):
    from zoo import training

    def never(*a, **k):
        raise AssertionError("trained")

    monkeypatch.setattr(training, "fit", never)
    with pytest.raises(ValueError, match=words):
        zoo.Forecaster(**{**TINY, **kwargs}).fit(airline)


def test_negative_binomial_refuses_negative_targets(monkeypatch):
    from zoo import training

    monkeypatch.setattr(training, "fit", lambda *a, **k: pytest.fail("trained"))
    df = pd.DataFrame({"y": np.r_[np.arange(40.0), -1.0]})
    with pytest.raises(ValueError, match="'y' holds negative values"):
        zoo.Forecaster(distribution="negative_binomial", **TINY).fit(df)


def test_sampling_refusals(fitted, conformal):
    point = conformal
    with pytest.raises(ValueError, match="distribution head"):
        point.sample(4)
    with pytest.raises(ValueError, match="distribution head"):
        point.predict(quantiles=[0.5])
    f = fitted["normal"]
    for bad, words in ((0, "num_samples"), (2.5, "num_samples"), (True, "num_samples")):
        with pytest.raises((TypeError, ValueError), match=words):
            f.sample(bad)
    with pytest.raises(ValueError, match="seed"):
        f.sample(4, seed=-1)
    with pytest.raises(ValueError, match="temperature"):
        f.sample(4, temperature=0)
    with pytest.raises(ValueError, match="quantiles"):
        f.predict(quantiles=[1.5])


def test_negative_binomial_median_is_close_to_the_exact_one():
    from scipy import stats

    mean, disp = np.meshgrid([2.0, 5.0, 10.0, 100.0, 1000.0], [0.01, 0.1, 0.5, 1.0, 3.0])
    mean, disp = mean.ravel(), disp.ravel()
    params = np.stack([mean, disp], -1)[None, :, None, :].astype("float32")   # [1, K, 1, 2]
    one = np.ones((1, 1, 1), "float32")
    got = Dist.DistributionMedian("negative_binomial")([params, 0 * one, one]).numpy().ravel()
    r = 1 / disp
    exact = stats.nbinom.median(r, r / (r + mean))
    assert (np.abs(got - exact) <= np.maximum(1.0, 0.04 * exact) + 1e-6).all(), \
        np.c_[mean, disp, got, exact]


def test_cli_flags_refused_clearly(tmp_path, capsys, monkeypatch):
    from zoo import training
    from zoo.cli.main import main

    monkeypatch.setattr(training, "fit", lambda *a, **k: pytest.fail("trained"))
    for argv, words in (
            (["--conformal", "0.8,x"], "--conformal takes comma-separated levels"),
            (["--conformal", "0.99"], "needs at least 99 validation windows"),
            (["--task", "classify", "--data", "italy_power", "--distribution", "normal"],
             "--distribution is for --task forecast only")):
        base = ["train", "--data", "airline", "--out", str(tmp_path / "a")]
        assert main(base + argv) == 2
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err
    assert not (tmp_path / "a").exists()
