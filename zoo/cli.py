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


def _train(args):
    import zoo

    if args.task == "classify":
        for flag in ("lookback", "horizon", "target"):
            if getattr(args, flag) is not None:
                raise UsageError(f"--{flag} is for --task forecast only")
        return _train_classifier(args)
    if args.label is not None:
        raise UsageError("--label is for --task classify only")
    for flag in ("lookback", "horizon", "epochs", "units"):
        value = getattr(args, flag)
        if value is not None and value < 1:
            raise UsageError(f"--{flag} must be a positive integer, got {value}")
    df = read_table(args.data, args.time_col)
    if args.target is not None and args.target not in df.columns:
        raise UsageError(f"--target {args.target!r} not in the columns {list(df.columns)}")
    model = args.model or "lstm"
    zoo.registry.get_spec(model)
    out = Path(args.out)
    if out.exists() and not args.overwrite:
        raise UsageError(f"--out {out} exists; pass --overwrite to replace it")
    horizon = args.horizon or 12
    lookback = args.lookback or 2 * horizon
    if len(df) < lookback + 2 * horizon:
        raise UsageError(f"the data has {len(df)} rows; --lookback {lookback} and --horizon "
                         f"{horizon} need at least {lookback + 2 * horizon} (training + held-out tail)")
    train, test = df.iloc[:-horizon], df.iloc[-horizon:]
    params = dict(model=model, lookback=lookback, horizon=horizon, target=args.target,
                  seed=args.seed, verbose=1)
    if args.epochs:
        params["epochs"] = args.epochs
    if args.units:
        params["units"] = args.units
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


def _train_classifier(args):
    import numpy as np

    import zoo

    path = Path(args.data)
    if not path.exists():
        raise UsageError(f"--data {args.data!r}: no such file")
    import pandas as pd

    frame = pd.read_csv(path)
    if args.label is None or args.label not in frame.columns:
        raise UsageError(f"--label must name the label column; columns are {list(frame.columns)[:10]}")
    y = frame[args.label].astype(str).to_numpy()
    X = frame.drop(columns=[args.label]).to_numpy(dtype="float64")
    out = Path(args.out)
    if out.exists() and not args.overwrite:
        raise UsageError(f"--out {out} exists; pass --overwrite to replace it")
    params = dict(model=args.model or "bigru", seed=args.seed, verbose=1)
    if args.epochs:
        params["epochs"] = args.epochs
    if args.units:
        params["units"] = args.units
    c = zoo.Classifier(**params).fit(X, y)
    print(f"validation: {c.validation_metrics_.get('model', {})}")
    c.export(out, overwrite=args.overwrite)
    print(f"artifact: {out}  classes: {list(np.asarray(c.classes_))}")
    return 0


def _load(artifact):
    import zoo

    return zoo.load(artifact)


def _evaluate(args):
    from zoo import metrics

    p = _load(args.artifact)
    m = p.manifest
    if m["task"] == "classify":
        import pandas as pd

        frame = pd.read_csv(args.data)
        label = args.label or "label"
        if label not in frame.columns:
            raise UsageError(f"--label {label!r} not in the CSV")
        y = frame[label].astype(str).to_numpy()
        pred = p.predict(frame.drop(columns=[label]).to_numpy(dtype="float64"))
        print(f"accuracy {metrics.accuracy(y, pred):.4f}  macro F1 {metrics.macro_f1(y, pred):.4f}")
        return 0
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
        import pandas as pd

        frame = pd.read_csv(args.data)
        out = pd.DataFrame({"label": p.predict(frame.to_numpy(dtype="float64"))})
    else:
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
