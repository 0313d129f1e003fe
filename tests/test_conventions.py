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


_DETERMINISM = """
import json, sys
import numpy as np
import zoo

df = zoo.datasets.load("airline")
f = zoo.Forecaster(lookback=12, horizon=6, units=8, epochs=4, seed=3, quantiles=[0.1, 0.5, 0.9])
forecast = f.fit(df).predict()
Xtr, ytr, Xte, _ = zoo.datasets.load("italy_power_demand")
c = zoo.Classifier(units=4, epochs=3, seed=3).fit(Xtr[:200], ytr[:200])
np.savez(sys.argv[1], forecast=forecast.to_numpy(), proba=c.predict_proba(Xte[:100]))
"""


def test_same_seed_in_two_fresh_processes_gives_identical_estimators(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])))
    procs = [subprocess.Popen([sys.executable, "-c", _DETERMINISM, str(tmp_path / f"run{i}.npz")],
                              env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for i in range(2)]
    for proc in procs:
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, out[-3000:]
    a, b = (np.load(tmp_path / f"run{i}.npz") for i in range(2))
    assert a["forecast"].shape == (6, 4) and a["proba"].shape == (100, 2)
    np.testing.assert_array_equal(a["forecast"], b["forecast"])
    np.testing.assert_array_equal(a["proba"], b["proba"])
