"""The forecasting commands: train, evaluate and predict with a forecaster, and the demo."""

from __future__ import annotations

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
from zoo.io import read_table
from zoo.panel import to_panel

DEMO_DIR = Path("saved_models") / "demo"


def train(args):
    import zoo

    if args.label is not None:
        raise UsageError("--label is for --task classify only")
    check_positive(args, ("lookback", "horizon", "epochs", "units"))
    df = read_table(args.data, args.time_col, argnames=FLAGS)
    if args.target is not None and args.target not in df.columns:
        raise UsageError(f"--target {args.target!r} not in the columns {list(df.columns)}")
    model = model_for(args, "forecast", "lstm")
    out = out_dir(args)
    exporting = export_formats(args)
    horizon = args.horizon or 12
    lookback = args.lookback or 2 * horizon
    if len(df) < lookback + 2 * horizon:
        raise UsageError(f"the data has {len(df)} rows; --lookback {lookback} and --horizon "
                         f"{horizon} need at least {lookback + 2 * horizon} (training + held-out tail)")
    train, test = df.iloc[:-horizon], df.iloc[-horizon:]
    params = dict(training_params(args, model), lookback=lookback, horizon=horizon,
                  target=args.target, distribution=args.distribution,
                  conformal=_levels(args.conformal))
    # all of it is read as the final fit will read it, so that a bad row in the held-out
    # tail is refused now, not after the first training
    to_panel(df, args.target)
    f = zoo.Forecaster(**params).fit(train)
    report(f.predict, f.targets_, f.season_, train, test)
    # the artifact forecasts from the end of all the data: refit on it, same settings (with
    # --model auto, the model the held-out part scored)
    if params["model"] == "auto":
        from zoo.auto import chosen_model

        params = dict(params, model=chosen_model(f))
    final = zoo.Forecaster(**dict(params, verbose=0)).fit(df) if len(test) else f
    path = final.export(out, overwrite=args.overwrite, **exporting)
    _plot_forecast(final, df, path / "forecast.png")
    print(f"artifact: {path}")
    return 0


def _levels(text):
    """``--conformal 0.8,0.95`` as a list of floats (None when not given)."""
    if text is None:
        return None
    try:
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise UsageError(f"--conformal takes comma-separated levels in (0, 1) such as "
                         f"0.8,0.95; got {text!r}") from None


def report(predict, targets, season, train, test):
    """Prints the model's and the baselines' errors on ``test``; returns their forecasts.

    Args:
        predict: ``predict(history) -> forecast frame`` (an estimator's or a Predictor's).
        targets: The target columns.
        season: The seasonal period (MASE, seasonal naive).
        train: The history the forecasts start from.
        test: The held-out steps that follow it.

    Returns:
        Name -> forecast array ``[len(test), n_targets]``.
    """
    from zoo import baselines, metrics

    pred = predict(train)
    y = test[targets].to_numpy()
    hist = train[targets].to_numpy()
    rows = {"model": pred[targets].to_numpy()}
    for name, fn in baselines.BASELINE_FUNCTIONS.items():
        if name == "seasonal_naive":
            if season <= 1 or len(hist) < season:
                continue
            rows[name] = fn(hist, len(test), season)
        else:
            rows[name] = fn(hist, len(test))
    print(f"\nheld-out tail: {len(test)} steps from {test.index[0]}")
    print(f"{'':16s}{'MAE':>10s}{'RMSE':>10s}{'MAPE%':>10s}{'MASE':>8s}")
    for name, p in rows.items():
        p = p.reshape(y.shape)
        m = metrics.forecast_metrics(y, p, y_train=hist, season=max(season, 1))
        print(f"{name:16s}{m['mae']:10.3f}{m['rmse']:10.3f}{m['mape']:10.2f}{m.get('mase', float('nan')):8.3f}")
    return rows


def _plot_forecast(f, df, path):
    from zoo import plotting

    frame = f.predict(df)
    # the point and quantile columns; conformal bounds are in the artifact, not the plot
    frame = frame[[c for c in frame.columns if "_lo" not in c and "_hi" not in c]
                  if getattr(f, "conformal_", None) else frame.columns]
    try:
        plotting.plot_forecast(df[f.targets_].iloc[-4 * f.horizon:], frame, path,
                               title=f"{f.model} forecast", ylabel=", ".join(f.targets_))
    except (ValueError, TypeError) as err:
        print(f"(no plot: {err})")


def evaluate(p, args):
    """``zoo evaluate`` for a forecaster artifact: the last ``horizon`` rows held out."""
    df = read_table(args.data, args.time_col, argnames=FLAGS)
    if len(df) < p.lookback + p.horizon:
        raise UsageError(f"the CSV needs at least lookback + horizon = {p.lookback + p.horizon} "
                         "rows")
    train, test = df.iloc[:-p.horizon], df.iloc[-p.horizon:]
    report(p.predict, p.targets, p.season, train, test)
    return 0


def predict(p, args):
    """``zoo predict`` for a forecaster artifact: the forecast after the CSV's end."""
    if args.label is not None:
        raise UsageError("--label is for classifier artifacts; this one forecasts")
    return p.predict(read_table(args.data, args.time_col, argnames=FLAGS))


def demo(args):
    import numpy as np

    import zoo
    from zoo import datasets

    check_positive(args, ("epochs",))
    out = out_dir(args, overwrite=True)
    df = datasets.load("airline")
    horizon = 24
    train, test = df.iloc[:-horizon], df.iloc[-horizon:]
    print(f"Airline passengers, monthly {df.index[0]:%Y-%m} .. {df.index[-1]:%Y-%m}; "
          f"training on data up to {train.index[-1]:%Y-%m}, forecasting {horizon} months.")
    params = dict(model="lstm", lookback=24, horizon=horizon, seed=0, verbose=1)
    if args.epochs:
        params["epochs"] = args.epochs
    f = zoo.Forecaster(**params).fit(train)
    out = f.export(out, overwrite=True)
    print(f"exported to {out}")
    p = zoo.load(out)
    forecast = p.predict(train)
    direct = f.predict(train)
    same = np.allclose(forecast.to_numpy(), direct.to_numpy(), rtol=1e-5, atol=1e-5)
    print(f"reloaded with zoo.load (backend {p.backend}): matches the in-memory model: {same}")
    rows = report(f.predict, f.targets_, f.season_, train, test)
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
