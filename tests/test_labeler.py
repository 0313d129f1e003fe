"""zoo.SequenceLabeler: one class per step, variable length, errors first, a zoo-free artifact."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import zoo
from zoo.testing import check_estimator


def _streams(n=24, seed=0, lengths=(8, 20)):
    """Sequences of 2-4 segments whose class sets the level of their steps."""
    rng = np.random.default_rng(seed)
    X, Y = [], []
    for _ in range(n):
        parts = rng.integers(2, 5)
        labels = np.concatenate([np.full(rng.integers(3, 7), rng.choice(["low", "mid", "high"]))
                                 for _ in range(parts)])[: rng.integers(*lengths)]
        level = np.select([labels == "low", labels == "mid"], [-1.0, 0.0], 1.0)
        X.append(np.stack([level, np.sin(np.arange(len(labels)))], axis=1)
                 + 0.1 * rng.normal(size=(len(labels), 2)))
        Y.append(labels)
    return X, Y


@pytest.fixture(scope="module")
def fitted():
    X, Y = _streams()
    labeler = zoo.SequenceLabeler(units=8, epochs=40, learning_rate=1e-2, batch_size=8,
                                  refit=False).fit(X, Y)
    return labeler, X, Y


def test_the_labeler_keeps_the_estimator_conventions(tmp_path):
    assert check_estimator(zoo.SequenceLabeler(units=4, epochs=2), workdir=tmp_path)[-1] == "export"


def test_variable_length_labelling_learns_and_keeps_the_structure(fitted):
    labeler, X, Y = fitted
    assert list(labeler.classes_) == ["high", "low", "mid"]
    pred = labeler.predict(X)
    assert isinstance(pred, list) and [len(p) for p in pred] == [len(y) for y in Y]
    proba = labeler.predict_proba(X)
    assert all(p.shape == (len(y), 3) for p, y in zip(proba, Y))
    assert all(np.allclose(p.sum(axis=1), 1.0, atol=1e-5) for p in proba)
    # levels that tell the classes apart: learnt well above chance (1/3)
    assert labeler.score(X, Y) > 0.8
    assert labeler.score(X, Y) == pytest.approx(zoo.metrics.step_accuracy(Y, pred))
    assert {"accuracy", "edit", "f1@0.5"} <= set(labeler.validation_metrics_["model"])
    # array input in, arrays out
    same = np.stack([x[:6] for x in X])  # every sequence has at least 6 steps
    assert labeler.predict(same).shape == (len(X), 6)
    # a step's label does not depend on the padding behind a shorter sequence
    alone = labeler.predict_proba([X[0]])[0]
    np.testing.assert_allclose(alone, proba[0], rtol=1e-5, atol=1e-6)


def test_bad_input_is_refused_before_training(monkeypatch):
    calls = []
    monkeypatch.setattr("zoo.training.fit", lambda *a, **k: calls.append(1))
    X, Y = _streams(6)
    cases = [
        (dict(), (X, Y[:3]), "different numbers of sequences"),
        (dict(), (X, [y[:-1] for y in Y]), "labels for the"),
        (dict(), (X, [np.full(len(y), "a") for y in Y]), "single class"),
        (dict(model="lstm_fcn"), (X, Y), "task 'label'"),
        (dict(validation_size=2.5), (X, Y), "validation_size"),
        (dict(pruning={"target_sparsity": 1.5}), (X, Y), "target_sparsity"),
        (dict(), (X, "abc"), "one label per time step"),
    ]
    for params, (Xb, Yb), match in cases:
        with pytest.raises((ValueError, TypeError), match=match):
            zoo.SequenceLabeler(**params).fit(Xb, Yb)
    assert not calls


def test_the_artifact_labels_any_length_in_plain_tensorflow(fitted, tmp_path):
    labeler, X, _ = fitted
    path = labeler.export(tmp_path / "labeler")
    p = zoo.load(path)
    assert p.task == "label" and p.manifest["signature"]["inputs"]["inputs"] == [None, None, 2]
    got = p.predict_proba(X)
    for a, b in zip(got, labeler.predict_proba(X)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    assert [list(a) for a in p.predict(X[:3])] == [list(a) for a in labeler.predict(X[:3])]
    long = np.concatenate(X[:4])[None].astype("float32")  # longer than any training sequence
    np.save(tmp_path / "x.npy", long)
    script = textwrap.dedent(f"""
        import sys
        sys.modules["zoo"] = None
        import numpy as np, tensorflow as tf
        m = tf.saved_model.load({str(path)!r})
        np.save({str(tmp_path / 'out.npy')!r},
                m.serve(np.load({str(tmp_path / 'x.npy')!r}))["outputs"].numpy())
    """)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = np.load(tmp_path / "out.npy")
    assert out.shape == (1, long.shape[1], 3)
    np.testing.assert_allclose(out[0], labeler.predict_proba([long[0]])[0], rtol=1e-5, atol=1e-5)


def test_balanced_class_weight_weighs_each_step_by_its_class():
    labeler = zoo.SequenceLabeler(class_weight="balanced")
    y_idx = [np.array([0, 0, 0, 1]), np.array([0, 1])]
    Y, W = labeler._targets(y_idx, np.array(["a", "b"]), 4)
    # 6 steps: 4 of class 0 (weight 6 / (2 * 4)), 2 of class 1 (6 / (2 * 2)); padding 0
    np.testing.assert_allclose(W, [[0.75, 0.75, 0.75, 1.5], [0.75, 1.5, 0.0, 0.0]])
    assert Y.tolist() == [[0, 0, 0, 1], [0, 1, 0, 0]]
