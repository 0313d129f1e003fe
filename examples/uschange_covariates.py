"""
Title: US consumption with covariates and calendar features
Author: zoo developers
Date created: 2026/11/23
Last modified: 2026/11/23
Description: Forecast quarterly US consumption growth one year ahead with a bidirectional
    LSTM that also reads income, production, savings and unemployment (past covariates)
    and quarter-of-year features, and compare it with the same model on consumption
    alone and with the naive, seasonal naive, drift and mean baselines.

Run it:

    python examples/uschange_covariates.py            # full run
    python examples/uschange_covariates.py --quick    # tiny models, a smoke test

Everything it writes goes to `--out` (default `examples/output/uschange_covariates/`).
"""

# ## Setup

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pandas as pd

try:
    import zoo
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import zoo

from zoo import plotting
from zoo.backtest import backtest

TARGET = "consumption"
HORIZON = 4  # quarters


def parse_args(argv=None):
    """Command-line options: ``--out``, ``--quick`` and ``--seed``."""
    default_out = Path(__file__).resolve().parent / "output" / Path(__file__).stem
    parser = argparse.ArgumentParser(description="Bidirectional LSTM with covariates on US change.")
    parser.add_argument("--out", type=Path, default=default_out,
                        help=f"output directory (default: {default_out})")
    parser.add_argument("--quick", action="store_true",
                        help="one tiny model, few epochs and folds: a smoke test, not a result")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    """Runs the example; returns the metrics and the files written."""
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    # ## The data
    #
    # Quarterly percentage changes of US personal consumption, income, industrial
    # production, personal savings and the unemployment rate, 1970 Q1 - 2016 Q3 (187
    # quarters). The target is `consumption`; every other numeric column of a wide frame
    # becomes a *past covariate*: the model reads its history but needs no future values.
    # Growth rates cross zero, so MAPE means nothing here: the scores are MAE, RMSE and
    # MASE (below 1 beats the in-sample seasonal naive forecast).
    df = zoo.datasets.load("uschange")
    print(df.describe().loc[["mean", "std", "min", "max"]].to_string(
        float_format=lambda v: f"{v:.2f}"))

    # ## Rolling origins over a held-out tail
    #
    # `zoo.backtest.backtest(..., refit=False)` fits the model once, on the quarters before
    # the first origin (early stopping uses a validation tail of *those* quarters), then
    # forecasts 4 quarters from every origin, one quarter apart, seeing only the data up
    # to that origin; the baselines go through the same origins. With 21 origins the
    # scored tail is the last 24 quarters.
    folds = 2 if args.quick else 21
    units, epochs = (4, 2) if args.quick else (32, 300)

    # ## Two models
    #
    # `calendar_features=True` adds sine/cosine of the quarter as *known-ahead* inputs: the
    # Forecaster computes them for the forecast quarters itself, so `predict` needs no
    # `future_df`. The second model reads consumption (and the calendar) only, which shows
    # what the covariates add (`--quick` skips it: same code, one more fit). `"bilstm"`
    # runs an LSTM over the window in both directions.
    variants = {"bilstm + covariates": df, "bilstm, target only": df[[TARGET]]}
    if args.quick:
        variants.pop("bilstm, target only")
    results, forecasts, seconds = {}, [], {}
    for i, (name, data) in enumerate(variants.items()):
        forecaster = zoo.Forecaster(model="bilstm", lookback=12, horizon=HORIZON, target=TARGET,
                                    calendar_features=True, units=units, epochs=epochs,
                                    refit=not args.quick, seed=args.seed)
        start = time.perf_counter()
        result = backtest(forecaster, data, folds=folds, step=1, refit=False,
                          metrics=("mae", "rmse", "mase"),
                          # the baselines only read the target: score them once
                          baselines=("naive", "seasonal_naive", "drift", "mean") if i == 0
                          else ())
        seconds[name] = time.perf_counter() - start
        print(f"{name}: fitted and backtested in {seconds[name]:.1f} s")
        results.update(result.summary.rename(index={result.model: name}).to_dict(orient="index"))
        forecasts.append(result.forecasts.replace({"model": {result.model: name}}))
    forecasts = pd.concat(forecasts, ignore_index=True)

    # ## Scores
    table = pd.DataFrame.from_dict(results, orient="index").sort_values("mae")
    table.index.name = "model"
    print(f"\nMean over {folds} origins, {HORIZON} quarters ahead (lower is better):")
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))

    # ## Outputs
    #
    # Every point forecast beside its actual value, the score table, and the forecasts
    # from the last origin (the last four quarters) against the actual values.
    files = [out / "forecasts.csv", out / "metrics.csv"]
    forecasts.to_csv(files[0], index=False)
    table.to_csv(files[1])
    last = forecasts[forecasts["fold"] == forecasts["fold"].max()]

    def line(model):
        return last[last["model"] == model].set_index("ds")[["y_hat"]].rename(
            columns={"y_hat": TARGET})

    first_name = next(iter(variants))
    future = line(first_name).index
    actual = df.loc[future, [TARGET]]
    history = df.loc[: future[0], [TARGET]].iloc[:-1].iloc[-40:]
    files.append(plotting.plot_forecast(
        history, line(first_name), out / "forecast.png", actuals=actual,
        baselines={m: line(m) for m in table.index if m != first_name},
        title=f"US consumption growth: forecasts from {history.index[-1]:%Y-%m} "
              f"(solid: {first_name})",
        ylabel="% change on previous quarter"))
    print("\nwrote " + ", ".join(str(f) for f in files))
    assert np.all(np.isfinite(forecasts["y_hat"].to_numpy())), "a forecast is not finite"
    return {"metrics": results, "files": [str(f) for f in files], "seconds": seconds}


if __name__ == "__main__":
    main()
