"""How the distribution heads' spread calibration was checked: an inner split of each training part.

``benchmarks/probabilistic.py`` holds out each set's tail. This script never reads it:
it takes the part before that tail, holds out the last half-tail of it instead (the
inner test), fits each distribution head once on what is left, and scores the
forecasts from every origin of the inner test twice -- with the spread calibration the
fit chose on its validation windows (``zoo.probabilistic.calibrate_spread``) and with
the factors set back to 1 (the network's own NLL-trained spread).

Usage:
    python benchmarks/probabilistic_design.py [--seeds 0 1] [--smoke]

Writes the ``probabilistic_design`` section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

import zoo  # noqa: E402
from benchmarks._results import parser, publish  # noqa: E402
from benchmarks.probabilistic import EPOCHS, N_SAMPLES, SETS, as_array, load, origins_frame  # noqa: E402
from zoo import metrics  # noqa: E402
from zoo.forecast_graph import step_model_of  # noqa: E402

HEADS = ("normal", "student_t", "negative_binomial")


def score(est, df, origins, lookback, horizon, seed):
    """80 % / 95 % coverage and CRPS of ``est`` from every origin."""
    values = df.iloc[:, 0].to_numpy("float64")
    actual = np.stack([values[t: t + horizon] for t in origins])
    history = origins_frame(df, origins, lookback)
    n = len(origins)
    frame = est.predict(history, quantiles=[0.025, 0.1, 0.9, 0.975])
    q = {lv: as_array(frame, f"y_hat_q{lv:g}", n, horizon) for lv in (0.025, 0.1, 0.9, 0.975)}
    paths = np.moveaxis(est.sample(N_SAMPLES, df=history, seed=seed)[..., 0], 1, 0)
    return {"cov0.8": metrics.coverage(actual, q[0.1], q[0.9]),
            "cov0.95": metrics.coverage(actual, q[0.025], q[0.975]),
            "crps": metrics.crps(actual, paths)}


def main(argv=None):
    ap = parser(__doc__)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    args = ap.parse_args(argv)
    small = dict(units=4, epochs=2, refit=False) if args.smoke else {}
    seeds = args.seeds[:1] if args.smoke else args.seeds
    sets = ("ar1",) if args.smoke else tuple(SETS)
    heads = HEADS[:1] if args.smoke else HEADS
    rows, started = [], time.perf_counter()
    for name in sets:
        label, lookback, horizon, tail = SETS[name]
        df = load(name).iloc[: len(load(name)) - tail]      # the benchmark's training part
        inner = tail // 2
        origins = list(range(len(df) - inner, len(df) - horizon + 1))
        for head in heads:
            if head == "negative_binomial" and (df.iloc[:, 0] < 0).any():
                continue
            got = {"calibrated": [], "uncalibrated": []}
            for seed in seeds:
                est = zoo.Forecaster(lookback=lookback, horizon=horizon, seed=seed,
                                     validation_size=horizon + 30, distribution=head,
                                     **{"epochs": EPOCHS, **small})
                est.fit(df.iloc[: len(df) - inner])
                layer = step_model_of(est.model_).get_layer("spread")
                fitted = layer.spread.numpy()
                got["calibrated"].append(score(est, df, origins, lookback, horizon, seed))
                layer.spread.assign(np.ones_like(fitted))
                got["uncalibrated"].append(score(est, df, origins, lookback, horizon, seed))
                print(f"{name} {head} seed {seed}: factors {np.round(fitted.ravel(), 2)} "
                      f"cov80 {got['uncalibrated'][-1]['cov0.8']:.3f} -> "
                      f"{got['calibrated'][-1]['cov0.8']:.3f}", flush=True)
            rows.append((label, len(origins), horizon, head, got))
    lines = [
        "## How the spread calibration was checked (benchmarks/probabilistic_design.py)",
        "",
        f"Command: `python benchmarks/probabilistic_design.py --seeds "
        f"{' '.join(map(str, seeds))}` — {platform.machine()}, {os.cpu_count()} cores, CPU "
        f"only; zoo {zoo.__version__}; {(time.perf_counter() - started) / 60:.0f} min. "
        "Inner split of each training part of `benchmarks/probabilistic.py` (whose held-out "
        "tails are not read): the last half-tail of the training part is the inner test, "
        "the rest fits each head once (its settings otherwise), and the forecasts from every "
        "inner origin are scored with the calibrated spread and with the factors set to 1. "
        "The calibration was added after the benchmark's first run showed the heads' "
        "intervals too narrow on its held-out tails; this table checks it on data that run "
        "never scored, before the benchmark is run again. Mean over seeds.",
        "",
        "| inner test (origins × horizon) | head | 80 % coverage, uncalibrated → calibrated "
        "| 95 % coverage | CRPS |",
        "|---|---|---|---|---|",
    ]
    for label, n, horizon, head, got in rows:
        def m(which, key):
            return statistics.mean(r[key] for r in got[which])
        lines.append(
            f"| {label} ({n} × {horizon}) | {head} | {100 * m('uncalibrated', 'cov0.8'):.1f} → "
            f"{100 * m('calibrated', 'cov0.8'):.1f} % | {100 * m('uncalibrated', 'cov0.95'):.1f} "
            f"→ {100 * m('calibrated', 'cov0.95'):.1f} % | {m('uncalibrated', 'crps'):.3g} → "
            f"{m('calibrated', 'crps'):.3g} |")
    publish("probabilistic_design", "\n".join(lines), args.smoke)


if __name__ == "__main__":
    main()
