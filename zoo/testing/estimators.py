"""The conventions every zoo estimator must keep, checked on small data of its task.

:func:`check_estimator` takes an (unfitted) estimator, builds a small learnable
data set for its ``task`` and runs, on clones of it:

1. ``init``: ``__init__`` only stores its arguments (``vars`` equals ``get_params``);
2. ``params``: ``get_params`` / ``set_params`` / ``sklearn.base.clone`` round trips,
   and ``set_params`` returns the estimator and leaves the original alone;
3. ``pickle``: the unfitted estimator pickles and unpickles with the same parameters;
4. ``unfitted``: ``predict`` before ``fit`` raises an error that says to fit first;
5. ``refusals``: bad arguments (a zero epoch count, an unknown model, a negative
   learning rate) raise ``ValueError`` / ``TypeError`` before any training step;
6. ``fit``: ``fit`` returns the estimator, learned attributes end in ``_``, the
   arguments are unchanged, and predictions have the task's shape;
7. ``seed``: a clone fitted again with the same seed predicts the same values;
8. ``export``: the exported artifact, through ``zoo.load`` and through the
   estimator class's ``load``, predicts what the fitted estimator predicts
   (``rtol=1e-5, atol=1e-5``).

Failures raise ``AssertionError`` naming the estimator and the check.
"""

from __future__ import annotations

import pickle
import tempfile
import unittest.mock
from pathlib import Path

import numpy as np

RTOL = 1e-5
ATOL = 1e-5
BAD_PARAMS = ({"epochs": 0}, {"model": "no_such_model"}, {"learning_rate": -1.0})


class _TrainingStarted(AssertionError):
    pass


def small_data(estimator, seed=0):
    """``(X, y)`` for the estimator's task: a monthly frame and None, or sequences and labels.

    Args:
        estimator: A zoo estimator (its ``task`` and, for forecasters, its ``lookback``
            and ``horizon`` size the data).
        seed: Seed of the noise.

    Returns:
        Forecast: a DataFrame (DatetimeIndex, monthly) of a noisy seasonal series, and
        None. Classify: ``[n, 12, 2]`` sequences and string labels of two classes.
        Label: ``[n, 12, 2]`` sequences of two segments and ``[n, 12]`` string labels.

    Example:
        >>> import zoo
        >>> X, y = small_data(zoo.Classifier())
        >>> X.shape, sorted(set(y))
        ((30, 12, 2), ['high', 'low'])
    """
    import pandas as pd

    rng = np.random.default_rng(seed)
    task = getattr(estimator, "task", None)
    if task == "forecast":
        lookback, horizon = int(estimator.lookback), int(estimator.horizon)
        n = max(72, 4 * (lookback + horizon))
        t = np.arange(n)
        y = 20 + 5 * np.sin(2 * np.pi * t / 12) + 0.05 * t + rng.normal(0, 0.3, n)
        return pd.DataFrame({"y": y}, index=pd.date_range("2000-01-01", periods=n, freq="MS")), None
    if task == "classify":
        labels = np.array(["low", "high"])[np.arange(30) % 2]
        level = np.where(labels == "high", 1.0, -1.0)[:, None, None]
        X = level + 0.3 * rng.normal(size=(30, 12, 2))
        return X, labels
    if task == "label":
        # two segments per sequence, each "low" or "high", with its level on every step
        cut = rng.integers(3, 10, size=30)[:, None]
        first, second = rng.integers(0, 2, size=(2, 30, 1))
        idx = np.where(np.arange(12)[None, :] < cut, first, second)
        labels = np.array(["low", "high"])[idx]
        X = np.where(idx == 1, 1.0, -1.0)[:, :, None] + 0.3 * rng.normal(size=(30, 12, 2))
        return X, labels
    raise ValueError(f"check_estimator: estimator.task must be 'forecast', 'classify' or "
                     f"'label', got {task!r}")


def _predict(est, X):
    if est.task == "forecast":
        return est.predict(X).to_numpy()
    return np.asarray(est.predict_proba(X))


def _fit(est, X, y):
    return est.fit(X) if est.task == "forecast" else est.fit(X, y)


def check_estimator(estimator, *, workdir=None) -> list[str]:
    """Runs the estimator conventions on clones of ``estimator``.

    Args:
        estimator: An estimator instance, e.g. ``zoo.Forecaster(units=4, epochs=2)``;
            keep it small: it is fitted twice.
        workdir: Where the artifact is written (default: a temporary directory).

    Returns:
        The names of the checks that passed, in order.

    Raises:
        AssertionError: On the first convention broken, naming it.

    Example:
        >>> import zoo
        >>> from zoo.testing import check_estimator
        >>> check_estimator(zoo.Classifier(units=4, epochs=2))[:3]
        ['init', 'params', 'pickle']
    """
    from sklearn.base import clone

    import zoo
    import zoo.training

    name = type(estimator).__name__
    X, y = small_data(estimator)
    passed = []

    def fail(check, message):
        raise AssertionError(f"check_estimator({name}) {check}: {message}")

    params = estimator.get_params()
    fresh = type(estimator)(**params)
    if vars(fresh) != params or any(vars(fresh)[k] is not v for k, v in params.items()):
        fail("init", "__init__ must store exactly its arguments, unchanged, and nothing else")
    passed.append("init")

    try:
        copy = clone(estimator)
    except RuntimeError as err:
        fail("params", f"sklearn.base.clone failed: {err}")
    if copy.get_params() != params or copy is estimator:
        fail("params", "clone() changed the parameters")
    key = "epochs" if "epochs" in params else next(iter(params))
    if copy.set_params(**{key: params[key]}) is not copy:
        fail("params", "set_params must return the estimator")
    if "epochs" in params:
        copy.set_params(epochs=params["epochs"] + 1)
        if copy.epochs != params["epochs"] + 1 or estimator.get_params()["epochs"] != params["epochs"]:
            fail("params", "set_params must change the clone only")
    passed.append("params")

    restored = pickle.loads(pickle.dumps(clone(estimator)))
    if restored.get_params() != params:
        fail("pickle", "the unpickled estimator has other parameters")
    passed.append("pickle")

    try:
        _predict(clone(estimator), X)
    except (RuntimeError, ValueError, AttributeError) as err:
        if "fit" not in str(err):
            fail("unfitted", f"the error does not say to fit first: {err}")
    else:
        fail("unfitted", "predict before fit did not raise")
    passed.append("unfitted")

    def refuse(*args, **kwargs):
        raise _TrainingStarted("training started")

    with unittest.mock.patch.object(zoo.training, "fit", refuse):
        for bad in BAD_PARAMS:
            try:
                _fit(clone(estimator).set_params(**bad), X, y)
            except _TrainingStarted:
                fail("refusals", f"{bad} reached training before it was refused")
            except (ValueError, TypeError) as err:
                if not any(k in str(err) for k in bad) and "model" not in str(err):
                    fail("refusals", f"the error for {bad} does not name the argument: {err}")
            else:
                fail("refusals", f"{bad} was accepted")
    passed.append("refusals")

    fitted = clone(estimator)
    if _fit(fitted, X, y) is not fitted:
        fail("fit", "fit must return the estimator")
    learned = set(vars(fitted)) - set(params)
    if not learned or not all(a.endswith("_") for a in learned):
        fail("fit", f"learned attributes must end in '_': {sorted(learned)}")
    if fitted.get_params() != params:
        fail("fit", "fit changed the estimator's arguments")
    pred = _predict(fitted, X)
    want = {"forecast": lambda: (int(fitted.horizon),), "classify": lambda: (len(X), 2),
            "label": lambda: (len(X), X.shape[1], 2)}[fitted.task]()
    if pred.shape[:len(want)] != want or not np.all(np.isfinite(pred)):
        fail("fit", f"predictions shaped {pred.shape}, expected {want} and finite")
    passed.append("fit")

    if params.get("seed") is not None:
        again = _predict(_fit(clone(estimator), X, y), X)
        if not np.array_equal(again, pred):
            fail("seed", f"the same seed predicted differently (max diff "
                         f"{np.abs(again - pred).max():.3g})")
        passed.append("seed")

    own = None
    if workdir is None:
        own = tempfile.TemporaryDirectory(prefix="zoo-check-estimator-")
        workdir = own.name
    try:
        path = fitted.export(Path(workdir) / f"{name.lower()}-artifact", overwrite=True)
        for how, loaded in (("zoo.load", zoo.load(path)), (f"{name}.load", type(fitted).load(path))):
            got = (loaded.predict(X).to_numpy() if fitted.task == "forecast"
                   else np.asarray(loaded.predict_proba(X)))
            if not np.allclose(got, pred, rtol=RTOL, atol=ATOL):
                fail("export", f"{how} predicts differently (max diff "
                               f"{np.abs(got - pred).max():.3g})")
        passed.append("export")
    finally:
        if own is not None:
            own.cleanup()
    return passed
