"""How the Forecaster's defaults were chosen: an inner split of Airline's training years.

The accuracy benchmark holds out 1959-1960. Choices about the defaults were made without
those months: this script trains on 1949-1956 only (its validation tail is the last 24 of
those months, 1955-1956), scores the 1957-1958 forecast, and compares

- the defaults before the change (no calendar features; plateau and early-stopping
  patience of 5 and 20 epochs, i.e. ~10 and ~40 optimizer steps on this series),
- calendar features alone (month of year as known-ahead inputs),
- calendar features with the patience counted in optimizer steps too (the defaults now).

Usage:
    python benchmarks/airline_design.py [--seeds 0 1 2] [--smoke]
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import zoo  # noqa: E402
from benchmarks._results import parser, publish  # noqa: E402
from zoo import baselines, metrics, training  # noqa: E402

# True/dict options keep their patience in epochs; "auto" also waits a number of steps
EPOCH_PATIENCE = dict(reduce_lr_on_plateau=dict(training.PLATEAU_DEFAULTS),
                      early_stopping=dict(training.EARLY_STOPPING_DEFAULTS))
CONFIGS = {
    "previous defaults (no calendar, patience 5 / 20 epochs)":
        dict(calendar_features=False, **EPOCH_PATIENCE),
    "calendar features, patience 5 / 20 epochs": dict(calendar_features=True, **EPOCH_PATIENCE),
    "calendar features, patience >= 40 / 200 steps (current defaults)": {},
}


def main(argv=None):
    ap = parser(__doc__)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = ap.parse_args(argv)
    small = dict(units=4, epochs=2) if args.smoke else {}
    if args.smoke:
        args.seeds = args.seeds[:1]
    warnings.filterwarnings("ignore")
    df = zoo.datasets.load("airline")
    train = df.iloc[:-24]                       # the benchmark's training part, 1949-1958
    inner, pseudo_test = train.iloc[:-24], train.iloc[-24:]
    y = pseudo_test["passengers"].to_numpy()
    hist = inner["passengers"].to_numpy()
    rows = {}
    for name, kwargs in CONFIGS.items():
        scores, seconds = [], []
        for seed in args.seeds:
            start = time.perf_counter()
            # 96 months: a 24-month validation tail holds exactly one 24-step window
            f = zoo.Forecaster(lookback=24, horizon=24, validation_size=24, seed=seed,
                               **kwargs, **small).fit(inner)
            scores.append(metrics.mape(y, f.predict()["passengers"].to_numpy()))
            seconds.append(time.perf_counter() - start)
            print(f"{name} seed {seed}: MAPE {scores[-1]:.2f} ({seconds[-1]:.0f} s)", flush=True)
        rows[name] = (scores, statistics.median(seconds))
    snaive = metrics.mape(y, baselines.seasonal_naive(hist, 24, 12))
    lines = [
        "## How the Airline defaults were chosen (benchmarks/airline_design.py)",
        "",
        f"Command: `python benchmarks/airline_design.py --seeds {' '.join(map(str, args.seeds))}`"
        f" — {platform.machine()}, {os.cpu_count()} cores, CPU only; zoo {zoo.__version__}. "
        "Inner split of the accuracy benchmark's training part: fit on 1949-1956 (validation "
        "tail 1955-1956), score the 24-month forecast of 1957-1958. The held-out test years "
        "1959-1960 are not read.",
        "",
        "| Forecaster(lookback=24, horizon=24) | inner MAPE % (mean ± sd) | per seed | median fit |",
        "|---|---|---|---|",
    ]
    for name, (scores, sec) in rows.items():
        sd = statistics.stdev(scores) if len(scores) > 1 else 0.0
        lines.append(f"| {name} | {statistics.mean(scores):.2f} ± {sd:.2f} | "
                     f"{', '.join(f'{s:.2f}' for s in scores)} | {sec:.0f} s |")
    lines.append(f"| seasonal naive | {snaive:.2f} | | |")
    publish("airline_design", "\n".join(lines), args.smoke)


if __name__ == "__main__":
    main()
