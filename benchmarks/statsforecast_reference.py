"""statsforecast's AutoETS, AutoARIMA and AutoTheta on the accuracy benchmark's splits.

The reference rows of ``benchmarks/accuracy.py``'s forecasting tables. statsforecast pins
pandas < 3 and is never a dependency of zoo, so this script runs in a virtual environment
of its own and imports nothing from zoo: it reads the bundled CSV files in ``data/``
with pandas, holds out the same last ``h`` steps as the accuracy benchmark (Airline 24
months, sunspots 20 years, US consumption 8 quarters, electrical equipment 24 months),
fits each model on the part before and forecasts the held-out tail once. The season
length of each set is its frequency's (12 monthly, 4 quarterly, 1 yearly: the sunspot
cycle of ~11 years is no calendar season), and it is also the lag of the seasonal naive
forecast whose in-sample MAE scales MASE. Writes ``benchmarks/statsforecast_reference.json``:
the actual tails, every forecast, MAPE (%) and MASE, the fit times, the command and the
versions; ``accuracy.py`` reads it and checks the actual tails against its own split.

Usage (the environment, once, then the script):
    python3 -m venv /tmp/sfvenv && /tmp/sfvenv/bin/pip install statsforecast 'pandas<3'
    /tmp/sfvenv/bin/python benchmarks/statsforecast_reference.py [--smoke]

``--smoke`` reads and splits every set, scores the seasonal naive forecast and, where
statsforecast is installed, fits the three models on Airline alone; it writes nothing
(in zoo's own environment, where statsforecast is absent, only the statsforecast part
is left out).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks._results import missing, parser  # noqa: E402  (stdlib only: no zoo import)

OUT = ROOT / "benchmarks" / "statsforecast_reference.json"
DATA = ROOT / "data"
SETUP = "python3 -m venv /tmp/sfvenv && /tmp/sfvenv/bin/pip install statsforecast 'pandas<3'"
MODELS = ("AutoETS", "AutoARIMA", "AutoTheta")

# name: (file, column read, column name in zoo, horizon held out, season length)
SETS = {
    "airline": ("Airline.csv", "Passengers", "passengers", 24, 12),
    "sunspots": ("sunspots.csv", "SUNACTIVITY", "sunspots", 20, 1),
    "uschange": ("Uschange.csv", "Consumption", "consumption", 8, 4),
    "elec_equip": ("elec_equip.csv", "STS.M.I7.W.TOVT.NS0016.4.000", "turnover", 24, 12),
}


def read(name: str) -> tuple[np.ndarray, list[str]]:
    """The set's target column as float64, oldest first, and its dates as ISO strings.

    The parsing follows ``zoo.datasets`` (round-trip float parsing, the same date
    formats), so the values are those ``zoo.datasets.load(name)`` returns.
    """
    file, column, _, _, _ = SETS[name]
    # pandas 2.3 announces float_precision's removal; zoo's reader passes it too
    warnings.filterwarnings("ignore", message=".*float_precision.*")
    raw = pd.read_csv(DATA / file, float_precision="round_trip",
                      index_col=0 if name == "uschange" else None)
    if name == "airline":
        dates = pd.to_datetime(raw["Date"], format="%Y-%m")
    elif name == "sunspots":
        dates = pd.to_datetime(raw["YEAR"].astype(int).astype(str), format="%Y")
    elif name == "uschange":
        parts = raw["Quarter"].str.extract(r"^\s*(\d{4})\s*Q([1-4])\s*$").astype(int)
        dates = pd.to_datetime({"year": parts[0], "month": 3 * parts[1] - 2, "day": 1})
    else:
        dates = pd.to_datetime(raw["DATE"], format="%b-%d-%Y")
    frame = pd.DataFrame({"date": dates.to_numpy(), "y": raw[column].to_numpy("float64")})
    frame = frame.sort_values("date", kind="stable")
    return frame["y"].to_numpy("float64"), [d.strftime("%Y-%m-%d") for d in frame["date"]]


def mape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Mean absolute percentage error in percent (zoo.metrics.mape's definition)."""
    return float(100.0 * np.mean(np.abs(actual - forecast) / np.abs(actual)))


def mase(actual: np.ndarray, forecast: np.ndarray, train: np.ndarray, season: int) -> float:
    """MAE over the in-sample MAE of the lag-``season`` naive forecast on ``train``."""
    scale = np.mean(np.abs(train[season:] - train[:-season]))
    return float(np.mean(np.abs(actual - forecast)) / scale)


def statsforecast_models(season: int) -> dict:
    from statsforecast.models import AutoARIMA, AutoETS, AutoTheta

    return {"AutoETS": AutoETS(season_length=season),
            "AutoARIMA": AutoARIMA(season_length=season),
            "AutoTheta": AutoTheta(season_length=season)}


def chosen(name: str, model) -> str:
    """The specification the automatic model selected (what its defaults settled on)."""
    if name == "AutoETS":
        return str(model.model_["method"])
    if name == "AutoARIMA":
        from statsforecast.arima import arima_string

        return arima_string(model.model_).strip()
    return f"Theta, model type {model.model_['modeltype']}"


def run_set(name: str, with_models: bool) -> dict:
    file, _, column, horizon, season = SETS[name]
    y, dates = read(name)
    train, actual = y[:-horizon], y[-horizon:]
    snaive = np.resize(train[-season:], horizon)   # the last season, repeated
    result = {
        "file": f"data/{file}",
        "sha256": hashlib.sha256((DATA / file).read_bytes()).hexdigest(),
        "column": column,
        "horizon": horizon,
        "season_length": season,
        "n_train": len(train),
        "train_end": dates[-horizon - 1],
        "test_start": dates[-horizon],
        "actual": actual.tolist(),
        "models": {},
        "seasonal_naive": {"mape": mape(actual, snaive), "mase": mase(actual, snaive, train,
                                                                      season)},
    }
    if with_models:
        for model_name, model in statsforecast_models(season).items():
            start = time.perf_counter()
            model.fit(train)
            forecast = np.asarray(model.predict(h=horizon)["mean"], "float64")
            seconds = time.perf_counter() - start
            result["models"][model_name] = {
                "chosen": chosen(model_name, model), "forecast": forecast.tolist(),
                "mape": mape(actual, forecast), "mase": mase(actual, forecast, train, season),
                "fit_predict_s": seconds}
    return result


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    have_sf = not missing("statsforecast")
    results = {}
    for name in SETS:
        fit = have_sf and (not args.smoke or name == "airline")
        results[name] = run_set(name, fit)
        models = results[name]["models"]
        line = ", ".join(f"{m} [{v['chosen']}] MAPE {v['mape']:.2f}% MASE {v['mase']:.3f}"
                         for m, v in models.items()) or "statsforecast models not run"
        snaive = results[name]["seasonal_naive"]
        print(f"{name} (h={SETS[name][3]}, m={SETS[name][4]}): {line}; seasonal naive MAPE "
              f"{snaive['mape']:.2f}% MASE {snaive['mase']:.3f}", flush=True)
    if not have_sf:
        print("statsforecast is not installed here (it never is in zoo's environment); "
              f"set it up with: {SETUP}")
        if not args.smoke:
            raise SystemExit("statsforecast is needed to write " + str(OUT.relative_to(ROOT)))
    if args.smoke:
        print(f"\n(--smoke: {OUT.relative_to(ROOT)} was not written)")
        return
    import statsforecast

    payload = {
        "description": "statsforecast AutoETS, AutoARIMA and AutoTheta forecasts of the "
                       "held-out tails of benchmarks/accuracy.py (the last h steps of each "
                       "set; one fit on the part before, one forecast); MAPE in percent, MASE "
                       "scaled by the in-sample MAE of the seasonal naive forecast of lag "
                       "season_length on the training part.",
        "command": " ".join([sys.executable, *sys.argv]),
        "script": "benchmarks/statsforecast_reference.py",
        "environment": SETUP,
        "created_utc": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "versions": {"python": platform.python_version(),
                     "statsforecast": statsforecast.__version__, "pandas": pd.__version__,
                     "numpy": np.__version__},
        "machine": f"{platform.machine()}, {platform.platform()}",
        "sets": results,
    }
    OUT.write_text(json.dumps(payload, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
