"""
Title: Forecasting airline passengers with an LSTM
Author: zoo developers
Date created: 2026/11/23
Last modified: 2026/11/23
Description: Forecast the last 24 months of the Airline series with an LSTM Forecaster,
    with and without calendar features (chosen on validation data), against the naive,
    seasonal naive, drift and mean baselines (MAPE, MASE).

Run it:

    python examples/forecast_airline.py            # full run, a minute or two on 2 cores
    python examples/forecast_airline.py --quick    # tiny model, a smoke test

Everything it writes goes to `--out` (default `examples/output/forecast_airline/`).
"""

# ## Setup
#
# TensorFlow's C++ start-up chatter is silenced before zoo imports it. The path fallback
# lets the script run from a source checkout that was never `pip install`ed.

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

from zoo import baselines, metrics, plotting

HOLDOUT = 24  # months scored, never seen during training or model selection
SEASON = 12


def parse_args(argv=None):
    """Command-line options: ``--out``, ``--quick`` and ``--seed``."""
    default_out = Path(__file__).resolve().parent / "output" / Path(__file__).stem
    parser = argparse.ArgumentParser(description="LSTM vs baselines on Airline passengers.")
    parser.add_argument("--out", type=Path, default=default_out,
                        help=f"output directory (default: {default_out})")
    parser.add_argument("--quick", action="store_true",
                        help="tiny model and few epochs: a smoke test, not a result")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    """Runs the example; returns the metrics and the files written."""
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    # ## The data
    #
    # 144 monthly totals (thousands of passengers), 1949-1960: trend plus a yearly season
    # whose amplitude grows with the level. The last 24 months are the test part. The
    # Forecaster carves its own validation tail out of the *training* part, so early
    # stopping never sees the test months.
    df = zoo.datasets.load("airline")
    train, test = df.iloc[:-HOLDOUT], df.iloc[-HOLDOUT:]
    history = train["passengers"].to_numpy()
    actual = test["passengers"].to_numpy()
    print(f"train {train.index[0]:%Y-%m} .. {train.index[-1]:%Y-%m} ({len(train)} months), "
          f"test {test.index[0]:%Y-%m} .. {test.index[-1]:%Y-%m} ({len(test)} months)")

    # ## The model
    #
    # A single LSTM reads the last 24 months and outputs all 24 future months at once
    # (`strategy="direct"`). Scaling lives inside the model: with positive data the
    # Forecaster takes logs and removes each window's level, which is what lets a small
    # network follow a series whose level doubles over the training period. `epochs` is
    # only a ceiling: early stopping on the validation tail picks the epoch count, and the
    # model is then refitted on all training months for that many epochs (`--quick`
    # skips the refit to save a second graph trace).
    #
    # ## What the calendar adds: decided on validation
    #
    # With monthly timestamps the Forecaster adds the month of year (a sine/cosine pair)
    # as a known-ahead input by default (`calendar_features="auto"`): the network is told
    # where in the year each forecast month falls instead of inferring the phase from the
    # 24 values it reads. The second set-up turns that off. (Training length is handled by
    # the defaults too: 120 months make ~2 batches per epoch, so the plateau and
    # early-stopping callbacks wait at least 40 and 200 optimizer steps, not just 5 and 20
    # epochs, before they act.) Both are fitted; the one with the lower MAPE on the
    # *validation* windows is the model we report, and the test months only score it.
    units, epochs = (8, 3) if args.quick else (64, 300)
    setups = {"lstm (defaults)": {},
              "lstm (no calendar)": {"calendar_features": False}}
    forecasts, validation = {}, {}
    for name, options in setups.items():
        forecaster = zoo.Forecaster(model="lstm", lookback=24, horizon=HOLDOUT, units=units,
                                    epochs=epochs, refit=not args.quick, seed=args.seed,
                                    **options)
        start = time.perf_counter()
        forecaster.fit(train)
        forecasts[name] = forecaster.predict()  # 24 months after the end of the training data
        val = forecaster.validation_metrics_
        validation[name] = val["model"]["mape"]
        print(f"{name}: {time.perf_counter() - start:.1f} s, best epoch on validation "
              f"{forecaster.best_epoch_}, validation MAPE {validation[name]:.2f}%")
    print(f"(seasonal naive on the same validation windows: {val['seasonal_naive']['mape']:.2f}%)")
    chosen = min(validation, key=validation.get)
    print(f"chosen on validation: {chosen}")

    # ## Baselines
    #
    # A model is only worth its training time if it beats the simple rules. The seasonal
    # naive forecast (repeat the last year) is the one to watch on monthly data.
    predictions = {name: f["passengers"].to_numpy() for name, f in forecasts.items()}
    for name, fn in baselines.BASELINE_FUNCTIONS.items():
        extra = {"season": SEASON} if name == "seasonal_naive" else {}
        predictions[name] = fn(history, HOLDOUT, **extra)

    # ## Scores
    #
    # MAPE is in percent. MASE divides the mean absolute error by the in-sample error of
    # the seasonal naive forecast on the training months: below 1 beats that yardstick.
    results = {
        name: {"mape": metrics.mape(actual, pred),
               "mase": metrics.mase(actual, pred, history, season=SEASON),
               "mae": metrics.mae(actual, pred)}
        for name, pred in predictions.items()
    }
    table = pd.DataFrame.from_dict(results, orient="index").sort_values("mape")
    table.index.name = "model"
    print(f"\nTest scores, last 24 months (lower is better; reported model: {chosen}):")
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))

    # ## Outputs
    #
    # The forecasts beside the actual values, the score table, and a plot of the last six
    # years with the chosen forecast, the actual test months and the other forecasts.
    frame = pd.DataFrame(predictions, index=test.index).assign(actual=actual)
    files = [out / "forecasts.csv", out / "metrics.csv"]
    frame.to_csv(files[0])
    table.to_csv(files[1])
    lines = {name: pd.DataFrame({"passengers": pred}, index=test.index)
             for name, pred in predictions.items() if name != chosen}
    files.append(plotting.plot_forecast(
        train.iloc[-72:], forecasts[chosen], out / "forecast.png", actuals=test,
        baselines=lines, title=f"Airline passengers, last 24 months: {chosen} (solid)",
        ylabel="passengers (thousands)"))
    print("\nwrote " + ", ".join(str(f) for f in files))
    assert np.all(np.isfinite(frame.to_numpy())), "a forecast is not finite"
    return {"metrics": results, "files": [str(f) for f in files], "chosen": chosen,
            "validation_mape": validation}


if __name__ == "__main__":
    main()
