"""How the AR(1) set's scaling was chosen: an inner split of its training part.

``benchmarks/probabilistic.py`` holds out the AR(1) series' last 300 steps (700-999).
This script never reads them: it fits the normal head on steps 0-549 with the default
scaling and with ``scaling="global"`` and scores the forecasts from every origin in
550-695 (80 % coverage, CRPS from 200 paths, MAE of the median).

Usage:
    python benchmarks/probabilistic_ar_design.py [--seeds 0 1 2] [--smoke]

Writes the ``probabilistic_ar_design`` section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

import zoo  # noqa: E402
from benchmarks._results import parser, publish  # noqa: E402
from benchmarks.probabilistic import EPOCHS, N_SAMPLES, SETS, ar1, as_array, origins_frame  # noqa: E402
from zoo import metrics  # noqa: E402

FIT_END, FIRST, LAST = 550, 550, 696   # the inner split: fit before 550, origins 550-695


def main(argv=None):
    ap = parser(__doc__)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = ap.parse_args(argv)
    small = dict(units=4, epochs=2, refit=False) if args.smoke else {}
    seeds = args.seeds[:1] if args.smoke else args.seeds
    _, L, H, _ = SETS["ar1"]
    df = ar1()
    origins = list(range(FIRST, LAST if not args.smoke else FIRST + 10))
    values = df.iloc[:, 0].to_numpy()
    actual = np.stack([values[t:t + H] for t in origins])
    hist = origins_frame(df, origins, L)
    rows = {}
    for scaling in ("auto", "global"):
        res = []
        for seed in seeds:
            est = zoo.Forecaster(lookback=L, horizon=H, seed=seed, validation_size=H + 30,
                                 distribution="normal", scaling=scaling,
                                 **{"epochs": EPOCHS, **small}).fit(df.iloc[:FIT_END])
            fr = est.predict(hist, quantiles=[0.1, 0.9])
            n = len(origins)
            paths = np.moveaxis(est.sample(N_SAMPLES, df=hist, seed=seed)[..., 0], 1, 0)
            res.append({"cov": metrics.coverage(actual, as_array(fr, "y_hat_q0.1", n, H),
                                                as_array(fr, "y_hat_q0.9", n, H)),
                        "crps": metrics.crps(actual, paths),
                        "mae": metrics.mae(actual, as_array(fr, "y_hat", n, H))})
            print(scaling, seed, res[-1], flush=True)
        rows[scaling] = res
    lines = [
        "## How the AR(1) set's scaling was chosen (benchmarks/probabilistic_ar_design.py)",
        "",
        f"Command: `python benchmarks/probabilistic_ar_design.py --seeds "
        f"{' '.join(map(str, seeds))}` — {platform.machine()}, {os.cpu_count()} cores, CPU "
        f"only; zoo {zoo.__version__}. Normal head fitted on AR(1) steps 0-{FIT_END - 1}, "
        f"scored from every origin in {FIRST}-{LAST - 1} ({len(origins)} origins × {H} "
        "steps); the benchmark's held-out steps 700-999 are not read. Mean over seeds.",
        "",
        "| scaling | 80 % coverage | CRPS | MAE of the median |",
        "|---|---|---|---|",
    ]
    for scaling, res in rows.items():
        m = {k: statistics.mean(r[k] for r in res) for k in ("cov", "crps", "mae")}
        lines.append(f"| {scaling} | {100 * m['cov']:.1f} % | {m['crps']:.3f} | {m['mae']:.3f} |")
    publish("probabilistic_ar_design", "\n".join(lines), args.smoke)


if __name__ == "__main__":
    main()
