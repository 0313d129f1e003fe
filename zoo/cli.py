"""The ``zoo`` command line: list, datasets, train, evaluate, predict, demo.

TensorFlow is imported lazily, inside the commands that train or load models,
so ``zoo --version``, ``zoo list`` and ``zoo datasets`` answer quickly. Bad input
gives a one-line error on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from zoo._version import __version__

DEMO_DIR = Path("saved_models") / "demo"


class UsageError(Exception):
    """A user mistake: reported in one line with exit status 2."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="zoo", description="Keras/TensorFlow model zoo for time series.")
    p.add_argument("--version", action="version", version=f"zoo {__version__}")
    p.add_argument("--threads", type=int, default=None,
                   help="CPU threads TensorFlow may use (default: all)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("list", help="models and the tasks each supports")
    sub.add_parser("datasets", help="bundled data sets")

    t = sub.add_parser("train", help="train on a CSV or a bundled data set and export an artifact")
    t.add_argument("--data", required=True, help="CSV path or bundled data set name")
    t.add_argument("--task", choices=("forecast", "classify"), default="forecast")
    t.add_argument("--target", default=None, help="target column (forecast)")
    t.add_argument("--label", default=None, help="label column (classify)")
    t.add_argument("--model", default=None, help="model name (see `zoo list`)")
    t.add_argument("--lookback", type=int, default=None)
    t.add_argument("--horizon", type=int, default=None)
    t.add_argument("--epochs", type=int, default=None)
    t.add_argument("--units", type=int, default=None)
    t.add_argument("--time-col", default=None, help="time column of the CSV (detected if omitted)")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--out", required=True, help="artifact directory to write")
    t.add_argument("--overwrite", action="store_true")

    e = sub.add_parser("evaluate", help="score an artifact on a CSV against the baselines")
    e.add_argument("artifact")
    e.add_argument("--data", required=True)
    e.add_argument("--time-col", default=None)
    e.add_argument("--label", default=None)

    pr = sub.add_parser("predict", help="forecast (or classify) with an artifact")
    pr.add_argument("artifact")
    pr.add_argument("--data", required=True)
    pr.add_argument("--time-col", default=None)
    pr.add_argument("--label", default=None,
                    help="classifiers: a label column of the CSV to leave out of the inputs")
    pr.add_argument("--output", default=None, help="write the table to this CSV")

    d = sub.add_parser("demo", help="train on Airline, export, reload, compare with baselines")
    d.add_argument("--out", default=str(DEMO_DIR))
    d.add_argument("--epochs", type=int, default=None)
    return p


def main(argv=None) -> int:
    """Runs the command line; returns the exit status.

    Args:
        argv: Arguments (default ``sys.argv[1:]``).

    Returns:
        0 on success, 2 on bad input.
    """
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 0
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        if args.threads is not None:
            if args.threads < 1:
                raise UsageError("--threads must be >= 1")
            import tensorflow as tf

            tf.config.threading.set_intra_op_parallelism_threads(args.threads)
            tf.config.threading.set_inter_op_parallelism_threads(args.threads)
        return {"list": _list, "datasets": _datasets, "train": _train, "evaluate": _evaluate,
                "predict": _predict, "demo": _demo}[args.command](args)
    except (UsageError, ValueError, TypeError, FileNotFoundError, FileExistsError) as err:
        print(f"zoo {args.command}: error: {err}".splitlines()[0], file=sys.stderr)
        return 2


def _list(args):
    from zoo.registry import get_spec, list_models

    rows = [(n, ", ".join(get_spec(n).tasks), get_spec(n).description) for n in list_models()]
    width = max(len(r[0]) for r in rows)
    print(f"{'model'.ljust(width)}  tasks              description")
    for name, tasks, desc in rows:
        print(f"{name.ljust(width)}  {tasks.ljust(17)}  {desc}")
    return 0


def _datasets(args):
    from zoo import datasets

    for name in datasets.list():
        info = datasets.info(name)
        print(f"{name:20s} {info['task']:9s} {str(info.get('shape')):16s} {info.get('description', '')[:60]}")
    return 0


def read_table(data, time_col=None):
    """A DataFrame from a CSV path or a bundled data set name (time column as index)."""
    import pandas as pd

    from zoo import datasets

    path = Path(data)
    if not path.exists():
        if data.lower().replace("-", "_") in datasets.list():
            loaded = datasets.load(data)
            if isinstance(loaded, tuple):
                raise UsageError(f"{data} is a classification set; pass a CSV with a label column")
            return loaded
        raise UsageError(f"--data {data!r}: no such file or bundled data set "
                         f"(bundled: {', '.join(datasets.list())})")
    try:
        frame = pd.read_csv(path)
    except Exception as err:  # noqa: BLE001 - any parse failure is the user's file
        raise UsageError(f"cannot read {path} as CSV: {err}") from None
    if time_col is not None:
        if time_col not in frame.columns:
            raise UsageError(f"--time-col {time_col!r} not in the CSV's columns {list(frame.columns)}")
    else:
        time_col = _detect_time_col(frame)
    if time_col is None or "unique_id" in frame.columns:
        return frame
    try:
        index = pd.to_datetime(frame[time_col])
    except (ValueError, TypeError):
        raise UsageError(f"column {time_col!r} does not hold dates") from None
    frame = frame.drop(columns=[time_col]).set_index(pd.DatetimeIndex(index, name=time_col))
    freq = pd.infer_freq(frame.index) if len(frame) >= 3 else None
    if freq is not None:
        frame = frame.asfreq(freq)
    return frame


def _detect_time_col(frame):
    import pandas as pd

    for col in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[col]):
            continue
        try:
            pd.to_datetime(frame[col].head(20), format="mixed")
            return col
        except (ValueError, TypeError):
            continue
    return None


def _check_positive(args, flags):
    for flag in flags:
        value = getattr(args, flag)
        if value is not None and value < 1:
            raise UsageError(f"--{flag} must be a positive integer, got {value}")


def _out_dir(args):
    out = Path(args.out)
    if out.exists() and not args.overwrite:
        raise UsageError(f"--out {out} exists; pass --overwrite to replace it")
    return out


def _training_params(args, model):
    """Estimator keywords shared by both tasks: model, seed, progress, --epochs, --units."""
    params = dict(model=model, seed=args.seed, verbose=1)
    if args.epochs:
        params["epochs"] = args.epochs
    if args.units:
        params["units"] = args.units
    return params


def _train(args):
    import zoo

    if args.task == "classify":
        for flag in ("lookback", "horizon", "target", "time_col"):
            if getattr(args, flag) is not None:
                raise UsageError(f"--{flag.replace('_', '-')} is for --task forecast only")
        return _train_classifier(args)
    if args.label is not None:
        raise UsageError("--label is for --task classify only")
    _check_positive(args, ("lookback", "horizon", "epochs", "units"))
    df = read_table(args.data, args.time_col)
    if args.target is not None and args.target not in df.columns:
        raise UsageError(f"--target {args.target!r} not in the columns {list(df.columns)}")
    model = args.model or "lstm"
    from zoo.registry import get_spec

    get_spec(model)
    out = _out_dir(args)
    horizon = args.horizon or 12
    lookback = args.lookback or 2 * horizon
    if len(df) < lookback + 2 * horizon:
        raise UsageError(f"the data has {len(df)} rows; --lookback {lookback} and --horizon "
                         f"{horizon} need at least {lookback + 2 * horizon} (training + held-out tail)")
    train, test = df.iloc[:-horizon], df.iloc[-horizon:]
    params = dict(_training_params(args, model), lookback=lookback, horizon=horizon,
                  target=args.target)
    f = zoo.Forecaster(**params).fit(train)
    _report_forecast(f, train, test)
    # the artifact forecasts from the end of all the data: refit on it, same settings
    final = zoo.Forecaster(**dict(params, verbose=0)).fit(df) if len(test) else f
    path = final.export(out, overwrite=args.overwrite)
    _plot_forecast(final, df, path / "forecast.png")
    print(f"artifact: {path}")
    return 0


def _report_forecast(f, train, test):
    from zoo import baselines, metrics

    pred = f.predict(train)
    y = test[f.targets_].to_numpy()
    hist = train[f.targets_].to_numpy()
    rows = {"model": pred[f.targets_].to_numpy()}
    for name, fn in baselines.BASELINE_FUNCTIONS.items():
        if name == "seasonal_naive":
            if f.season_ <= 1 or len(hist) < f.season_:
                continue
            rows[name] = fn(hist, len(test), f.season_)
        else:
            rows[name] = fn(hist, len(test))
    print(f"\nheld-out tail: {len(test)} steps from {test.index[0]}")
    print(f"{'':16s}{'MAE':>10s}{'RMSE':>10s}{'MAPE%':>10s}{'MASE':>8s}")
    for name, p in rows.items():
        p = p.reshape(y.shape)
        m = metrics.forecast_metrics(y, p, y_train=hist, season=max(f.season_, 1))
        print(f"{name:16s}{m['mae']:10.3f}{m['rmse']:10.3f}{m['mape']:10.2f}{m.get('mase', float('nan')):8.3f}")
    return rows


def _plot_forecast(f, df, path):
    from zoo import plotting

    try:
        plotting.plot_forecast(df[f.targets_].iloc[-4 * f.horizon:], f.predict(df), path,
                               title=f"{f.model} forecast", ylabel=", ".join(f.targets_))
    except (ValueError, TypeError) as err:
        print(f"(no plot: {err})")


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
        raise UsageError(f"--data {data!r} is a forecasting set; classifying needs a "
                         f"classification set ({', '.join(datasets.list('classify'))}) or a CSV")
    return datasets.load(data)


def _hint(err):
    text = str(err)
    return f"; did you mean {text.split('Did you mean ')[1].split('?')[0]}?" \
        if "Did you mean " in text else ""


def read_samples(path, label=None, require_label=True):
    """Sequences (and labels) from a CSV with one row per sample.

    Every column but ``label`` is one time step and must be numeric and complete.

    Args:
        path: The CSV file.
        label: The label column; None when the CSV holds no labels.
        require_label: Refuse ``label=None``, naming the columns to choose from.

    Returns:
        ``(X, y)``: float64 ``[n, T]`` and string labels ``[n]`` (None without ``label``).

    Raises:
        UsageError: a missing or unknown label column, a non-numeric or incomplete
            time-step column, no rows, or no time-step columns.

    Example:
        >>> import tempfile, os
        >>> csv = os.path.join(tempfile.mkdtemp(), "s.csv")
        >>> _ = open(csv, "w").write("t0,t1,kind\\n0.5,1.5,a\\n2.0,3.0,b\\n")
        >>> X, y = read_samples(csv, "kind")
        >>> X.shape, y.tolist()
        ((2, 2), ['a', 'b'])
    """
    import numpy as np
    import pandas as pd

    try:
        frame = pd.read_csv(path)
    except Exception as err:  # noqa: BLE001 - any parse failure is the user's file
        raise UsageError(f"cannot read {path} as CSV: {err}") from None
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    if label is None and require_label:
        raise UsageError(f"--label must name the CSV's label column; columns are {_show(columns)}")
    if label is not None and label not in columns:
        raise UsageError(f"--label {label!r} is not a column of {path}; "
                         f"columns are {_show(columns)}")
    if len(frame) == 0:
        raise UsageError(f"{path} has no rows")
    steps = [c for c in columns if c != label]
    if not steps:
        raise UsageError(f"{path} has no time-step columns besides the label {label!r}")
    for col in steps:
        if not pd.api.types.is_numeric_dtype(frame[col]):
            hint = "" if label is not None else f" (if it holds the labels, pass --label {col})"
            raise UsageError(f"column {col!r} is not numeric; every column but the label is a "
                             f"time step{hint}")
        if frame[col].isna().any():
            raise UsageError(f"column {col!r} has {int(frame[col].isna().sum())} empty cell(s); "
                             "every sample needs a value at every time step")
    X = frame[steps].to_numpy(dtype="float64")
    if not np.all(np.isfinite(X)):
        raise UsageError(f"{path} holds inf values in its time-step columns")
    if label is None:
        return X, None
    if frame[label].isna().any():
        empty = int(frame[label].isna().sum())
        raise UsageError(f"label column {label!r} has {empty} empty cell(s)")
    return X, np.asarray(frame[label].astype(str).to_numpy(), dtype=str)


def _show(columns, limit=12):
    shown = ", ".join(repr(c) for c in columns[:limit])
    return f"[{shown}{', ...' if len(columns) > limit else ''}] ({len(columns)} columns)"


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
    import numpy as np
    from sklearn.model_selection import train_test_split

    classes, counts = np.unique(y, return_counts=True)
    n_test = int(np.ceil(len(y) * fraction))
    note = None
    if counts.min() < 2:
        note = f"class {str(classes[counts.argmin()])!r} has {counts.min()} sample"
    elif n_test < len(classes) or len(y) - n_test < len(classes):
        note = f"{len(classes)} classes do not fit in {n_test} held-out samples"
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=n_test, random_state=seed,
                                              stratify=None if note else y)
    return X_tr, y_tr, X_te, y_te, note


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


def _train_classifier(args):
    import numpy as np

    import zoo
    from zoo.registry import get_spec

    _check_positive(args, ("epochs", "units"))
    model = args.model or "bigru"
    if "classify" not in get_spec(model).tasks:
        raise UsageError(f"--model {model!r} does not classify; choose one of "
                         f"{', '.join(zoo.list_models('classify'))}")
    out = _out_dir(args)
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
        X, y = read_samples(args.data, args.label)
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
    params = _training_params(args, model)
    c = zoo.Classifier(**params).fit(X_train, y_train)
    pred = c.predict(X_test)
    print(f"\nheld-out part: {len(y_test)} samples")
    baselines = classification_baselines(X_train, y_train, X_test)
    _report_classification(y_test, {"model": pred, **baselines})
    # a CSV's artifact learns from every row (same settings), as the forecast path's does;
    # a bundled set keeps its test split unseen, so its artifact is the model scored above
    final = c if bundled is not None else zoo.Classifier(**dict(params, verbose=0)).fit(X, y)
    path = final.export(out, overwrite=args.overwrite)
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
    X, y = read_samples(args.data, label, require_label=require_label)
    n_steps = p.manifest.get("n_timesteps")
    if n_steps is not None and X.shape[1] == n_steps + 1 and label is None:
        raise UsageError(f"{args.data} has {X.shape[1]} columns; the model takes {n_steps} time "
                         "steps: pass --label COL to leave the label column out")
    return X, y


def _evaluate_classifier(p, args):
    import numpy as np

    from zoo import metrics

    X, y = _classify_data(p, args, require_label=True)
    unknown = sorted(set(y.tolist()) - {str(k) for k in p.manifest["classes"]})
    if unknown:
        print(f"(labels the model never saw: {unknown[:10]}; it knows "
              f"{[str(k) for k in p.manifest['classes']][:10]})")
    pred = p.predict(X)
    print(f"{len(y)} samples: accuracy {metrics.accuracy(y, pred):.4f}  "
          f"macro F1 {metrics.macro_f1(y, pred):.4f}")
    labels = np.unique(np.concatenate([np.asarray(p.manifest["classes"], dtype=str), y]))
    print(f"{'class':16s}{'true':>8s}{'predicted':>11s}{'correct':>9s}")
    for k in labels:
        print(f"{k:16s}{int(np.sum(y == k)):8d}{int(np.sum(pred == k)):11d}"
              f"{int(np.sum((y == k) & (pred == k))):9d}")
    return 0


def _predict_classifier(p, args):
    import numpy as np
    import pandas as pd

    X, _ = _classify_data(p, args, require_label=False)
    proba = np.asarray(p.predict_proba(X))
    classes = [str(k) for k in p.manifest["classes"]]
    out = pd.DataFrame({"label": np.asarray(classes)[proba.argmax(axis=1)]})
    for i, k in enumerate(classes):
        out[f"p_{k}"] = proba[:, i]
    return out


def _load(artifact):
    import zoo

    return zoo.load(artifact)


def _evaluate(args):
    p = _load(args.artifact)
    m = p.manifest
    if m["task"] == "classify":
        return _evaluate_classifier(p, args)
    df = read_table(args.data, args.time_col)
    h = m["horizon"]
    if len(df) < m["lookback"] + h:
        raise UsageError(f"the CSV needs at least lookback + horizon = {m['lookback'] + h} rows")
    train, test = df.iloc[:-h], df.iloc[-h:]
    est = p._est
    _report_forecast(_Bound(est, p), train, test)
    return 0


class _Bound:
    """The estimator view _report_forecast needs, answering through a Predictor."""

    def __init__(self, est, predictor):
        self._est, self._p = est, predictor
        self.targets_, self.season_ = est.targets_, est.season_

    def predict(self, df):
        return self._p.predict(df)


def _predict(args):
    p = _load(args.artifact)
    if p.manifest["task"] == "classify":
        out = _predict_classifier(p, args)
    else:
        if args.label is not None:
            raise UsageError("--label is for classifier artifacts; this one forecasts")
        out = p.predict(read_table(args.data, args.time_col))
    if args.output:
        out.to_csv(args.output)
        print(f"wrote {args.output}")
    else:
        print(out.to_string())
    return 0


def _demo(args):
    import numpy as np

    import zoo
    from zoo import datasets

    df = datasets.load("airline")
    horizon = 24
    train, test = df.iloc[:-horizon], df.iloc[-horizon:]
    print(f"Airline passengers, monthly {df.index[0]:%Y-%m} .. {df.index[-1]:%Y-%m}; "
          f"training on data up to {train.index[-1]:%Y-%m}, forecasting {horizon} months.")
    params = dict(model="lstm", lookback=24, horizon=horizon, seed=0, verbose=1)
    if args.epochs:
        params["epochs"] = args.epochs
    f = zoo.Forecaster(**params).fit(train)
    out = f.export(args.out, overwrite=True)
    print(f"exported to {out}")
    p = zoo.load(out)
    forecast = p.predict(train)
    direct = f.predict(train)
    same = np.allclose(forecast.to_numpy(), direct.to_numpy(), rtol=1e-5, atol=1e-5)
    print(f"reloaded with zoo.load (backend {p.backend}): matches the in-memory model: {same}")
    rows = _report_forecast(f, train, test)
    table = forecast.rename(columns={"passengers": "forecast"})
    table["actual"] = test["passengers"].to_numpy()
    if "seasonal_naive" in rows:
        table["seasonal_naive"] = rows["seasonal_naive"].ravel()
    print()
    print(table.round(1).to_string())
    from zoo import plotting

    baselines = {"seasonal naive": table["seasonal_naive"]} if "seasonal_naive" in table else None
    png = plotting.plot_forecast(train["passengers"].iloc[-48:], forecast, out / "forecast.png",
                                 actuals=test["passengers"], baselines=baselines,
                                 title="Airline passengers: LSTM forecast", ylabel="passengers (thousands)")
    print(f"plot: {png}")
    return 0 if same else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
