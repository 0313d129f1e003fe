"""zoo.Classifier: conventions, labels, variable length, errors before training."""

import numpy as np
import pytest
from sklearn.base import clone

import zoo
from zoo.classifier import choose_pad_value


def _data(n=40, T=10, F=2, seed=0):
    rng = np.random.default_rng(seed)
    y = np.array(["low", "high"])[np.arange(n) % 2]
    X = rng.normal(size=(n, T, F)) + np.where(y == "high", 2.0, -2.0)[:, None, None]
    return X, y


@pytest.fixture(scope="module")
def fitted():
    X, y = _data()
    return zoo.Classifier(units=4, epochs=8, learning_rate=1e-2).fit(X, y), X, y


def test_sklearn_conventions_and_learning(fitted):
    clf, X, y = fitted
    params = clf.get_params()
    assert params["units"] == 4 and "distribute_strategy" in params
    assert clone(clf).get_params() == params
    assert list(clf.classes_) == ["high", "low"]  # sorted
    proba = clf.predict_proba(X)
    assert proba.shape == (40, 2) and np.allclose(proba.sum(1), 1, atol=1e-5)
    assert clf.score(X, y) >= 0.9  # well-separated classes
    assert set(clf.predict(X)) <= {"high", "low"}


def test_two_dimensional_input_and_variable_length():
    rng = np.random.default_rng(1)
    X2 = rng.normal(size=(20, 8))
    y = np.arange(20) % 2
    clf = zoo.Classifier(units=3, epochs=1, validation_size=0).fit(X2, y)
    assert clf.predict(X2).shape == (20,)
    seqs = [rng.normal(size=(rng.integers(4, 9), 1)) for _ in range(12)]
    clf = zoo.Classifier(units=3, epochs=1, validation_size=0).fit(seqs, np.arange(12) % 3)
    all_values = np.concatenate(seqs)
    assert clf.pad_value_ < all_values.min() and clf.pad_value_ != 0.0
    assert clf.predict(seqs).shape == (12,)


def test_pad_value_is_outside_the_data():
    assert choose_pad_value(np.array([-5e6, 3.0])) < -5e6


def test_bad_input_raises_before_training(monkeypatch):
    calls = []
    monkeypatch.setattr("zoo.training.fit", lambda *a, **k: calls.append(1))
    X, y = _data(n=10)
    cases = [
        (dict(), (X, y[:5]), "different lengths"),
        (dict(), (X, np.array(["a"] * 10)), "single class"),
        (dict(), (np.full((10, 4, 1), np.nan), y), "NaN"),
        (dict(), (np.zeros((10, 2, 2, 2)), y), "X must be"),
        (dict(model="nope"), (X, y), "unknown model"),
        (dict(class_weight="heavy"), (X, y), "class_weight"),
        (dict(class_weight={"zzz": 2.0}), (X, y), "unknown classes"),
        (dict(clipnorm=1.0, clipvalue=0.5), (X, y), "clip"),
        (dict(validation_size=1.5), (X, y), "validation_size"),
    ]
    for params, (Xb, yb), match in cases:
        with pytest.raises((ValueError, TypeError), match=match):
            zoo.Classifier(**params).fit(Xb, yb)
    assert not calls


def test_predict_checks_shape(fitted):
    clf, X, _ = fitted
    with pytest.raises(ValueError, match="time steps"):
        clf.predict(X[:, :5])
    with pytest.raises(ValueError, match="feature"):
        clf.predict(X[:, :, :1])


def test_class_weight_reaches_training_and_shifts_the_minority_probability(monkeypatch):
    import zoo.training

    rng = np.random.default_rng(0)
    y = np.where(np.arange(40) < 32, "a", "b")  # 32 "a", 8 "b"
    X = rng.normal(size=(40, 8, 1)) + np.where(y == "b", 0.5, 0.0)[:, None, None]
    params = dict(units=4, epochs=15, learning_rate=1e-2, refit=False, early_stopping=False,
                  reduce_lr_on_plateau=False, validation_size=0, seed=0)
    seen, real_fit = [], zoo.training.fit

    def spy(*args, **kwargs):
        seen.append(kwargs["class_weight"])
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(zoo.training, "fit", spy)
    plain = zoo.Classifier(**params).fit(X, y).predict_proba(X)[:, 1].mean()
    balanced = zoo.Classifier(**params, class_weight="balanced").fit(X, y)
    zoo.Classifier(**dict(params, epochs=1), class_weight={"b": 3.0}).fit(X, y)
    # "balanced" is n / (n_classes * count): 40 / (2 * 32) and 40 / (2 * 8); unnamed classes 1.0
    assert seen == [None, {0: 0.625, 1: 2.5}, {0: 1.0, 1: 3.0}]
    # the minority class weighs four times as much, so the model predicts it more readily
    # (0.21 -> 0.45 mean probability when written)
    assert balanced.predict_proba(X)[:, 1].mean() > plain + 0.08
