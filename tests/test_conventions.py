"""zoo.testing.check_estimator over both estimators, and the harness failing when it should."""

import numpy as np
import pytest

import zoo
from zoo.testing import check_estimator

ALL = ["init", "params", "pickle", "unfitted", "refusals", "fit", "seed", "export"]


def test_forecaster_keeps_the_conventions(tmp_path):
    f = zoo.Forecaster(lookback=6, horizon=3, units=4, epochs=2, calendar_features=True)
    assert check_estimator(f, workdir=tmp_path) == ALL


def test_classifier_keeps_the_conventions(tmp_path):
    assert check_estimator(zoo.Classifier(units=4, epochs=2), workdir=tmp_path) == ALL


def test_check_estimator_catches_an_estimator_that_rewrites_its_arguments(tmp_path):
    class Rounding(zoo.Classifier):
        def __init__(self, units=4, epochs=2):
            self.units = int(units) * 2  # not what the user passed: breaks clone()
            self.epochs = epochs

    with pytest.raises(AssertionError, match="init"):
        check_estimator(Rounding(), workdir=tmp_path)


def test_check_estimator_catches_refusals_that_come_too_late(tmp_path, monkeypatch):
    import zoo.base

    # an estimator that forgets to check its options before training
    monkeypatch.setattr(zoo.base.ZooEstimator, "_check_common",
                        lambda self: zoo.registry.get_spec("bigru"))
    with pytest.raises(AssertionError, match="refusals"):
        check_estimator(zoo.Classifier(units=4, epochs=2), workdir=tmp_path)


def test_small_data_follows_the_task():
    X, y = zoo.testing.estimators.small_data(zoo.Forecaster(lookback=30, horizon=10))
    assert y is None and len(X) >= 4 * 40 and X.index.freqstr == "MS"
    X, y = zoo.testing.estimators.small_data(zoo.Classifier())
    assert X.shape == (30, 12, 2) and set(np.unique(y)) == {"high", "low"}
    with pytest.raises(ValueError, match="task"):
        zoo.testing.estimators.small_data(object())
