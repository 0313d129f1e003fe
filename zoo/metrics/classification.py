"""Classification metrics: accuracy, confusion matrix, macro F1 and log loss."""

from __future__ import annotations

import numpy as np

from zoo.metrics._common import _as_float


def _labels(y, name: str) -> np.ndarray:
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per sample); got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; metrics need at least one label")
    return arr


def _label_pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    t = _labels(y_true, "y_true")
    p = _labels(y_pred, "y_pred")
    if t.shape != p.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape; got y_true {t.shape} and y_pred {p.shape}"
        )
    return t, p


def _union_labels(*arrays) -> np.ndarray:
    try:
        return np.unique(np.concatenate(arrays))
    except TypeError as err:
        raise TypeError(f"labels must be sortable and of one kind (all str or all numbers): {err}")


def accuracy(y_true, y_pred) -> float:
    """Fraction of samples whose predicted label equals the true label.

    Args:
        y_true: True labels, 1-D.
        y_pred: Predicted labels, same length.

    Returns:
        A fraction in [0, 1].

    Example:
        >>> accuracy([0, 1, 1, 0], [0, 1, 0, 0])
        0.75
    """
    t, p = _label_pair(y_true, y_pred)
    return float(np.mean(t == p))


def confusion_matrix(y_true, y_pred, labels=None) -> np.ndarray:
    """Counts of (true label, predicted label) pairs.

    Args:
        y_true: True labels, 1-D.
        y_pred: Predicted labels, same length.
        labels: Label order for rows and columns. Default: the sorted union of
            ``y_true`` and ``y_pred``. As in scikit-learn, samples whose true or
            predicted label is not in ``labels`` are left out.

    Returns:
        An ``int64`` array ``[n_labels, n_labels]``; rows are true labels, columns
        predicted labels.

    Example:
        >>> confusion_matrix(["a", "b", "b"], ["a", "a", "b"]).tolist()
        [[1, 0], [1, 1]]
    """
    t, p = _label_pair(y_true, y_pred)
    if labels is None:
        labs = _union_labels(t, p)
    else:
        labs = np.asarray(labels)
        if labs.ndim != 1 or labs.size == 0:
            raise ValueError(f"labels must be a non-empty 1-D sequence; got {labels!r}")
        if np.unique(labs).size != labs.size:
            raise ValueError(f"labels must not repeat; got {labels!r}")
    index = {lab: i for i, lab in enumerate(labs.tolist())}
    n = len(index)
    cm = np.zeros((n, n), dtype=np.int64)
    for a, b in zip(t.tolist(), p.tolist()):
        i, j = index.get(a), index.get(b)
        if i is not None and j is not None:
            cm[i, j] += 1
    return cm


def macro_f1(y_true, y_pred) -> float:
    """Unweighted mean of the per-label F1 scores.

    Labels are the union of ``y_true`` and ``y_pred`` (as scikit-learn's
    ``f1_score(average="macro")``); a label never predicted correctly scores 0.

    Args:
        y_true: True labels, 1-D.
        y_pred: Predicted labels, same length.

    Returns:
        Macro-averaged F1 in [0, 1].

    Example:
        >>> round(macro_f1([0, 0, 1, 1], [0, 1, 1, 1]), 4)
        0.7333
    """
    cm = confusion_matrix(y_true, y_pred).astype(np.float64)
    tp = np.diag(cm)
    fp = cm.sum(axis=0) - tp
    fn = cm.sum(axis=1) - tp
    # 2tp / (2tp + fp + fn) equals 2PR/(P+R) and is 0 (not 0/0) when tp == 0,
    # because every label in the union has fp + fn > 0 when tp == 0.
    f1 = 2 * tp / (2 * tp + fp + fn)
    return float(np.mean(f1))


def log_loss(y_true, proba, classes=None) -> float:
    """Mean negative log-likelihood of the true labels (cross-entropy, natural log).

    Args:
        y_true: True labels, 1-D of length ``n``.
        proba: Class probabilities ``[n, n_classes]`` whose rows sum to 1, or for two
            classes a 1-D ``[n]`` array of the probability of the second class.
        classes: Labels of ``proba``'s columns, in order. Default: the sorted unique
            labels of ``y_true`` (scikit-learn's default).

    Returns:
        ``-mean(log(p[i, y_i]))``, probabilities clipped to ``[eps, 1 - eps]`` with
        ``eps`` the float64 machine epsilon so a confident mistake costs ~36, not inf.

    Raises:
        ValueError: If the shapes disagree, rows do not sum to 1 (within 1e-3),
            or a label of ``y_true`` is not in ``classes``.

    Example:
        >>> round(log_loss(["cat", "dog"], [[0.8, 0.2], [0.4, 0.6]]), 6)
        0.366985
    """
    t = _labels(y_true, "y_true")
    p = _as_float(proba, "proba")
    if classes is None:
        cls = _union_labels(t)
    else:
        cls = np.asarray(classes)
        if cls.ndim != 1 or cls.size == 0:
            raise ValueError(f"classes must be a non-empty 1-D sequence; got {classes!r}")
    if p.ndim == 1:
        if cls.size != 2:
            raise ValueError(
                f"1-D proba means the probability of the second of two classes; "
                f"got {cls.size} classes {cls.tolist()!r}"
            )
        p = np.stack([1.0 - p, p], axis=1)
    if p.ndim != 2 or p.shape[0] != t.shape[0] or p.shape[1] != cls.size:
        raise ValueError(
            f"proba must have shape [n_samples, n_classes] = [{t.shape[0]}, {cls.size}] "
            f"(classes {cls.tolist()!r}); got proba {p.shape}"
        )
    if np.any(p < 0) or np.any(np.isnan(p)):
        raise ValueError("proba must hold probabilities in [0, 1] without NaN")
    sums = p.sum(axis=1)
    if not np.allclose(sums, 1.0, atol=1e-3, rtol=0):
        worst = float(sums[np.argmax(np.abs(sums - 1))])
        raise ValueError(f"each row of proba must sum to 1; one sums to {worst}")
    index = {lab: i for i, lab in enumerate(cls.tolist())}
    unknown = sorted({lab for lab in t.tolist() if lab not in index}, key=str)
    if unknown:
        raise ValueError(f"y_true has labels {unknown!r} that are not in classes {cls.tolist()!r}")
    col = np.array([index[lab] for lab in t.tolist()])
    eps = np.finfo(np.float64).eps
    p = np.clip(p / sums[:, None], eps, 1 - eps)
    return float(-np.mean(np.log(p[np.arange(t.shape[0]), col])))


def classification_metrics(y_true, y_pred, proba=None, classes=None) -> dict:
    """The standard classification metrics in one dict.

    Args:
        y_true: True labels, 1-D.
        y_pred: Predicted labels, same length.
        proba: Optional class probabilities for ``log_loss``.
        classes: Column labels of ``proba`` (see ``log_loss``).

    Returns:
        ``{"accuracy", "macro_f1"}`` as floats, plus ``"log_loss"`` when ``proba``
        is given.

    Example:
        >>> classification_metrics([0, 1], [0, 1])
        {'accuracy': 1.0, 'macro_f1': 1.0}
    """
    out = {"accuracy": accuracy(y_true, y_pred), "macro_f1": macro_f1(y_true, y_pred)}
    if proba is not None:
        out["log_loss"] = log_loss(y_true, proba, classes=classes)
    return out
