"""Memory benchmark: one epoch on series of a million and ten million rows, streamed.

``zoo.Forecaster.fit`` keeps small data as dense window arrays and streams windows
through ``tf.data`` (gathered from the series as they are needed) once the dense arrays
would pass ``zoo.forecast_data.DENSE_LIMIT`` floats. This script fits the same
configuration on synthetic hourly series of each of ``--rows`` points, each fit in a
fresh process: as shipped (streamed) at every size, and with the limit raised so that
the dense path is taken at the sizes up to ``--dense-max`` (dense windows need about
7 GB per million rows). It records each process's peak resident memory and wall time,
and checks the target: one epoch on a 10,000,000-row series streamed under 2 GB.

Usage:
    python benchmarks/memory.py [--rows 1000000 10000000] [--dense-max 2000000]
                                [--lookback 48] [--horizon 24] [--smoke]
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The target: one epoch on a series of TARGET_ROWS rows, streamed, under TARGET_MB.
TARGET_ROWS = 10_000_000
TARGET_MB = 2000  # 2 GB; peak memory is printed in MB of 2**20 bytes, so this is strict

CHILD = r"""
import json, os, resource, sys, time
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
import numpy as np, pandas as pd
import zoo, zoo.forecast_data
rows, lookback, horizon, dense, limit = map(int, sys.argv[1:6])
if dense:
    zoo.forecast_data.DENSE_LIMIT = float("inf")
elif limit:
    zoo.forecast_data.DENSE_LIMIT = limit


def series():
    # the generator's temporaries are gone before fit: only the frame is the caller's data
    t = np.arange(rows)
    rng = np.random.default_rng(0)
    y = 100 + 10 * np.sin(2 * np.pi * t / 24) + 5 * np.sin(2 * np.pi * t / 168) \
        + rng.normal(0, 1, rows)
    # an hourly index from 1900 passes pandas' nanosecond range (year 2262) past 3.1M
    # rows: microseconds reach far enough
    index = pd.date_range("1900-01-01", periods=rows, freq="h", unit="us")
    return pd.DataFrame({"load": y}, index=index)


df = series()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
f = zoo.Forecaster(lookback=lookback, horizon=horizon, units=16, epochs=1, batch_size=4096,
                   validation_size=0.1, refit=False, early_stopping=False,
                   reduce_lr_on_plateau=False, seed=0).fit(df)
seconds = time.perf_counter() - start
pred = f.predict()
print(json.dumps({"streamed": f.streamed_, "seconds": seconds,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "before_fit_mb": base / 1024, "inputs": f.n_features_in_,
                  "finite": bool(np.isfinite(pred.to_numpy()).all())}))
"""


def run(rows, lookback, horizon, dense, limit=0):
    """One fit in a fresh process; returns what the child printed (peak memory, time)."""
    out = subprocess.run([sys.executable, "-c", CHILD, str(rows), str(lookback), str(horizon),
                          str(int(dense)), str(int(limit))], capture_output=True, text=True,
                         cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), check=False)
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def dense_gb(rows, lookback, horizon, n_in):
    """GB of float32 dense windows (inputs and targets with their future inputs)."""
    return (rows - lookback - horizon + 1) * (lookback + horizon) * n_in * 4 / 1e9


def target_line(results):
    """The target's line: 10M rows streamed under 2 GB, measured and met or not."""
    target = f"one epoch on a {TARGET_ROWS:,}-row series, streamed, under 2 GB ({TARGET_MB} MB)"
    r = results.get(("streamed (default)", TARGET_ROWS))
    if r is None:
        return f"Target: {target} — not measured in this run."
    met = "yes" if r["peak_mb"] < TARGET_MB else "no"
    return f"Target: {target} — measured {r['peak_mb']:.0f} MB peak; met: {met}."


def main(argv=None):
    from benchmarks._results import parser, publish
    from zoo import __version__

    ap = parser(__doc__)
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, TARGET_ROWS],
                    help="series lengths, each streamed in its own process")
    ap.add_argument("--dense-max", type=int, default=2_000_000,
                    help="the dense comparison runs at the lengths up to this (~7 GB per "
                         "million rows)")
    ap.add_argument("--lookback", type=int, default=48)
    ap.add_argument("--horizon", type=int, default=24)
    args = ap.parse_args(argv)
    if args.smoke:
        args.rows, args.dense_max = [20_000], 20_000  # both paths, each in its own process
    results = {}
    for rows in args.rows:
        paths = [("streamed (default)", False)]
        if rows <= args.dense_max:
            paths.append(("dense windows", True))
        for name, dense in paths:
            # a smoke run's small series streams only below the default limit
            r = run(rows, args.lookback, args.horizon, dense,
                    limit=100_000 if args.smoke and not dense else 0)
            assert r["streamed"] == (not dense), f"{name} at {rows} rows took the other path"
            assert r["finite"], f"{name} at {rows} rows forecast NaN or inf"
            results[(name, rows)] = r
            print(name, rows, r, flush=True)
    n_in = next(iter(results.values()))["inputs"]
    sizes = " and ".join(f"{dense_gb(rows, args.lookback, args.horizon, n_in):.2f} GB at "
                         f"{rows:,} rows" for rows in args.rows)
    lines = [
        f"## Memory: one epoch on series of up to {max(args.rows):,} rows (benchmarks/memory.py)",
        "",
        (f"Command: `python benchmarks/memory.py --rows {' '.join(map(str, args.rows))} "
         f"--dense-max {args.dense_max} --lookback {args.lookback} --horizon {args.horizon}` "
         f"— {platform.machine()}, {os.cpu_count()} cores, CPU only; zoo {__version__}. One "
         "epoch of `zoo.Forecaster(units=16, batch_size=4096, validation_size=0.1)` on a "
         f"synthetic hourly series ({n_in} inputs per step: the target and its calendar "
         f"features); dense float32 windows would hold {sizes}, so the dense path runs only "
         f"up to {args.dense_max:,} rows. Each fit runs in its own process; peak memory is "
         "the process's maximum resident memory (TensorFlow's runtime and the series' "
         "DataFrame included), before fit its maximum before `fit` was called."),
        "",
        "| path | rows | peak memory | before fit | fit time |",
        "|---|---|---|---|---|",
    ]
    for (name, rows), r in results.items():
        lines.append(f"| {name} | {rows:,} | {r['peak_mb']:.0f} MB | "
                     f"{r['before_fit_mb']:.0f} MB | {r['seconds']:.0f} s |")
    lines.append("")
    for rows in args.rows:
        s, d = results[("streamed (default)", rows)], results.get(("dense windows", rows))
        if d is not None:
            lines += [(f"At {rows:,} rows streaming uses {d['peak_mb'] / s['peak_mb']:.1f}x less "
                       f"peak memory ({d['peak_mb'] - s['peak_mb']:.0f} MB) at "
                       f"{s['seconds'] / d['seconds']:.2f}x the dense path's time."), ""]
    lines.append(target_line(results))
    publish("memory", "\n".join(lines), args.smoke)


if __name__ == "__main__":
    main()
