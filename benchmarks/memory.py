"""Memory benchmark: training on a million-row series, streamed against dense windows.

``zoo.Forecaster.fit`` keeps small data as dense window arrays and streams windows
through ``tf.data`` (sliced from the series as they are needed) once the dense arrays
would pass ``zoo.forecast_data.DENSE_LIMIT`` floats. This script fits the same
configuration on a synthetic hourly series of ``--rows`` points twice, each in a fresh
process: once as shipped (streamed) and once with the limit raised so the dense path is
taken, and records each process's peak resident memory and wall time.

Usage:
    python benchmarks/memory.py [--rows 1000000] [--lookback 48] [--horizon 24] [--smoke]
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
t = np.arange(rows)
rng = np.random.default_rng(0)
y = 100 + 10 * np.sin(2 * np.pi * t / 24) + 5 * np.sin(2 * np.pi * t / 168) + rng.normal(0, 1, rows)
df = pd.DataFrame({"load": y}, index=pd.date_range("1900-01-01", periods=rows, freq="h"))
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
    out = subprocess.run([sys.executable, "-c", CHILD, str(rows), str(lookback), str(horizon),
                          str(int(dense)), str(int(limit))], capture_output=True, text=True, cwd=ROOT,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)))
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    from benchmarks._results import parser, publish
    from zoo import __version__

    ap = parser(__doc__)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--lookback", type=int, default=48)
    ap.add_argument("--horizon", type=int, default=24)
    args = ap.parse_args(argv)
    if args.smoke:
        args.rows = 20_000  # both paths, each in its own process, in seconds
    results = {}
    for name, dense in (("streamed (default)", False), ("dense windows", True)):
        # a smoke run's small series streams only below the default limit
        results[name] = run(args.rows, args.lookback, args.horizon, dense,
                            limit=100_000 if args.smoke else 0)
        print(name, results[name], flush=True)
    s, d = results["streamed (default)"], results["dense windows"]
    assert s["streamed"] and not d["streamed"], "the paths were not the ones asked for"
    n_in = s["inputs"]
    dense_gb = ((args.rows - args.lookback - args.horizon + 1)
                * (args.lookback * n_in + args.horizon * n_in) * 4 / 1e9)
    lines = [
        "## Memory: a million-row series (benchmarks/memory.py)",
        "",
        f"Command: `python benchmarks/memory.py --rows {args.rows} --lookback {args.lookback} "
        f"--horizon {args.horizon}` — {platform.machine()}, {os.cpu_count()} cores, CPU only; "
        f"zoo {__version__}. One epoch of `zoo.Forecaster(units=16, batch_size=4096)` on a "
        f"synthetic hourly series ({n_in} inputs per step: the target and its calendar "
        f"features); dense float32 windows would hold {dense_gb:.2f} GB. Each path runs in "
        "its own process; peak resident memory is the process's maximum (TensorFlow's "
        "runtime included).",
        "",
        "| path | peak memory | before fit | fit time |",
        "|---|---|---|---|",
    ]
    for name, r in results.items():
        lines.append(f"| {name} | {r['peak_mb']:.0f} MB | {r['before_fit_mb']:.0f} MB | "
                     f"{r['seconds']:.0f} s |")
    lines += ["", f"Streaming uses {d['peak_mb'] / s['peak_mb']:.1f}x less peak memory "
              f"({d['peak_mb'] - s['peak_mb']:.0f} MB) at {s['seconds'] / d['seconds']:.2f}x "
              "the dense path's time."]
    publish("memory", "\n".join(lines), args.smoke)


if __name__ == "__main__":
    main()
