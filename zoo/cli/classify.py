"""The classification commands: train, evaluate and predict with a classifier."""

from __future__ import annotations

import sys
from pathlib import Path

from zoo.cli._common import (
    FLAGS,
    UsageError,
    check_positive,
    export_formats,
    model_for,
    out_dir,
    training_params,
)
from zoo.io import read_samples

HOLDOUT_FRACTION = 0.2
MIN_CLASSIFY_ROWS = 5


def _bundled_classification(data):
    """``(X_train, y_train, X_test, y_test)`` when ``data`` names a bundled classification set.

    Returns None when ``data`` is an existing file (a CSV to read instead).
    """
    from zoo import datasets

    if Path(data).exists():
        return None
    try:
        info = datasets.info(data)
    except ValueError as err:
        raise UsageError(f"--data {data!r}: no such file or bundled data set "
                         f"(classification sets: {', '.join(datasets.list('classify'))})"
                         f"{_hint(err)}") from None
    if info["task"] != "classify":
        raise UsageError(f"--data {data!r} is a {info['task']!r} set; classifying needs a "
                         f"classification set ({', '.join(datasets.list('classify'))}) or a CSV")
    return datasets.load(data)


def _hint(err):
    text = str(err)
    return f"; did you mean {text.split('Did you mean ')[1].split('?')[0]}?" \
        if "Did you mean " in text else ""


def holdout_split(X, y, seed=0, fraction=HOLDOUT_FRACTION):
    """A stratified held-out part (plain random when a class is too small to stratify).

    Args:
        X: Samples ``[n, ...]``.
        y: Labels ``[n]``.
        seed: ``random_state`` of scikit-learn's ``train_test_split``.
        fraction: Share of the samples held out.

    Returns:
        ``(X_train, y_train, X_test, y_test, note)``; ``note`` says why the split is
        not stratified, else it is None.

    Example:
        >>> import numpy as np
        >>> y = np.array(["a"] * 5 + ["b"] * 5)
        >>> Xtr, ytr, Xte, yte, note = holdout_split(np.arange(10.0)[:, None], y)
        >>> sorted(yte.tolist()), note
        (['a', 'b'], None)
    """
    from zoo.sequences import stratified_split

    train, held, note = stratified_split(y, fraction, seed)
    return X[train], y[train], X[held], y[held], note


def classification_baselines(X_train, y_train, X_test):
    """Predictions of the two reference classifiers on ``X_test``.

    "majority" predicts the most frequent training label; "1-NN euclidean" is
    scikit-learn's ``KNeighborsClassifier(1)`` on the flattened series (the
    classic UCR baseline).

    Args:
        X_train: Training samples ``[n, T]`` or ``[n, T, F]``.
        y_train: Training labels.
        X_test: Samples to predict.

    Returns:
        A dict name -> predicted labels.

    Example:
        >>> import numpy as np
        >>> p = classification_baselines(np.array([[0.0], [1.0], [1.1]]), np.array(["a", "b", "b"]),
        ...                              np.array([[0.1]]))
        >>> p["majority"].tolist(), p["1-NN euclidean"].tolist()
        (['b'], ['a'])
    """
    import numpy as np
    from sklearn.neighbors import KNeighborsClassifier

    classes, counts = np.unique(y_train, return_counts=True)
    knn = KNeighborsClassifier(n_neighbors=1).fit(X_train.reshape(len(X_train), -1), y_train)
    return {"majority": np.full(len(X_test), classes[counts.argmax()]),
            "1-NN euclidean": knn.predict(X_test.reshape(len(X_test), -1))}


def _report_classification(y_test, rows):
    from zoo import metrics

    print(f"{'':18s}{'accuracy':>10s}{'macro F1':>10s}")
    for name, pred in rows.items():
        acc, f1 = metrics.accuracy(y_test, pred), metrics.macro_f1(y_test, pred)
        print(f"{name:18s}{acc:10.4f}{f1:10.4f}")


def train(args):
    import numpy as np

    import zoo

    check_positive(args, ("epochs", "units"))
    model = model_for(args, "classify", "bigru")
    out = out_dir(args)
    exporting = export_formats(args)
    bundled = _bundled_classification(args.data)
    if bundled is not None:
        if args.label is not None:
            print(f"(--label {args.label} ignored: bundled sets carry their labels)",
                  file=sys.stderr)
        X_train, y_train, X_test, y_test = bundled
        y_train, y_test = np.asarray(y_train, dtype=str), np.asarray(y_test, dtype=str)
        print(f"{args.data}: {len(X_train)} training and {len(X_test)} test samples of "
              f"{X_train.shape[1]} steps; the original test split is held out")
    else:
        X, y = read_samples(args.data, args.label, argnames=FLAGS)
        if len(X) < MIN_CLASSIFY_ROWS:
            raise UsageError(f"{args.data} has {len(X)} rows; training and a held-out part need "
                             f"at least {MIN_CLASSIFY_ROWS}")
        if len(np.unique(y)) < 2:
            raise UsageError(f"--label {args.label!r} holds a single class ({str(y[0])!r}); "
                             "a classifier needs at least 2")
        X_train, y_train, X_test, y_test, note = holdout_split(X, y, args.seed)
        how = f"random, not stratified: {note}" if note else "stratified"
        print(f"{args.data}: {len(X)} samples of {X.shape[1]} steps; holding out "
              f"{len(X_test)} ({how})")
        if len(np.unique(y_train)) < 2:
            raise UsageError(f"the training part holds a single class ({str(y_train[0])!r}); "
                             "add samples of the other classes")
    params = training_params(args, model)
    c = zoo.Classifier(**params).fit(X_train, y_train)
    pred = c.predict(X_test)
    print(f"\nheld-out part: {len(y_test)} samples")
    baselines = classification_baselines(X_train, y_train, X_test)
    _report_classification(y_test, {"model": pred, **baselines})
    # a CSV's artifact learns from every row (same settings), as the forecast path's does;
    # a bundled set keeps its test split unseen, so its artifact is the model scored above
    if params["model"] == "auto":  # the artifact is the model the held-out part scored
        from zoo.auto import chosen_model

        params = dict(params, model=chosen_model(c))
    final = c if bundled is not None else zoo.Classifier(**dict(params, verbose=0)).fit(X, y)
    path = final.export(out, overwrite=args.overwrite, **exporting)
    _plot_confusion(y_test, pred, c.classes_, path / "confusion_matrix.png")
    print(f"artifact: {path}  classes: {[str(k) for k in final.classes_]}")
    return 0


def _plot_confusion(y_true, y_pred, classes, path):
    import numpy as np

    from zoo import metrics, plotting

    labels = np.unique(np.concatenate([np.asarray(classes, dtype=str),
                                       np.asarray(y_true, dtype=str)]))
    cm = metrics.confusion_matrix(y_true, y_pred, labels=labels)
    try:
        plotting.plot_confusion_matrix(cm, labels, path,
                                       title=f"Held-out confusion matrix ({len(y_true)} samples)")
    except (ValueError, TypeError) as err:
        print(f"(no plot: {err})")


def _classify_data(p, args, require_label):
    """``(X, y)`` for a classifier artifact from ``--data`` (a bundled set's test split)."""
    import numpy as np

    if args.time_col is not None:
        raise UsageError("--time-col is for forecasters; this artifact classifies")
    bundled = _bundled_classification(args.data)
    if bundled is not None:
        return bundled[2], np.asarray(bundled[3], dtype=str)
    label = args.label
    if label is None and require_label:
        import pandas as pd

        label = "label" if "label" in pd.read_csv(args.data, nrows=0).columns else None
    X, y = read_samples(args.data, label, require_label=require_label, argnames=FLAGS)
    n_steps = p.manifest.get("n_timesteps")
    if n_steps is not None and X.shape[1] == n_steps + 1 and label is None:
        raise UsageError(f"{args.data} has {X.shape[1]} columns; the model takes {n_steps} time "
                         "steps: pass --label COL to leave the label column out")
    return X, y


def evaluate(p, args):
    """``zoo evaluate`` for a classifier artifact: accuracy, macro F1 and a per-class table."""
    import numpy as np

    from zoo import metrics

    X, y = _classify_data(p, args, require_label=True)
    unknown = sorted(set(y.tolist()) - {str(k) for k in p.classes})
    if unknown:
        print(f"(labels the model never saw: {unknown[:10]}; it knows "
              f"{[str(k) for k in p.classes][:10]})")
    pred = p.predict(X)
    print(f"{len(y)} samples: accuracy {metrics.accuracy(y, pred):.4f}  "
          f"macro F1 {metrics.macro_f1(y, pred):.4f}")
    labels = np.unique(np.concatenate([np.asarray(p.classes, dtype=str), y]))
    print(f"{'class':16s}{'true':>8s}{'predicted':>11s}{'correct':>9s}")
    for k in labels:
        print(f"{k:16s}{int(np.sum(y == k)):8d}{int(np.sum(pred == k)):11d}"
              f"{int(np.sum((y == k) & (pred == k))):9d}")
    return 0


def predict(p, args):
    """``zoo predict`` for a classifier artifact: a label and probabilities per row."""
    import numpy as np
    import pandas as pd

    X, _ = _classify_data(p, args, require_label=False)
    proba = np.asarray(p.predict_proba(X))
    classes = [str(k) for k in p.classes]
    out = pd.DataFrame({"label": np.asarray(classes)[proba.argmax(axis=1)]})
    for i, k in enumerate(classes):
        out[f"p_{k}"] = proba[:, i]
    return out
