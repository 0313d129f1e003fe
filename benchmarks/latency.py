"""Inference latency benchmark: one exported Airline forecaster, every way to call it.

Measures, side by side in one process, the median wall time of a forecast for one
window and for a batch of 64 windows through ``keras.Model.predict``, a direct Keras
call, and the artifact's backends (``zoo.load`` with ``serve``, ``xla`` and ``onnx``),
plus plain ``tf.saved_model.load(path).serve``. Ratios against ``model.predict`` are
what to read: this machine is shared and absolute times drift.

Usage:
    python benchmarks/latency.py [--repeats 200]

Writes the ``latency`` section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

import zoo  # noqa: E402
from benchmarks._results import write_section  # noqa: E402


def _median_ms(fn, repeats):
    fn()  # warm-up: tracing, XLA compilation, session start
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=200)
    args = ap.parse_args(argv)

    import tensorflow as tf

    df = zoo.datasets.load("airline")
    f = zoo.Forecaster(lookback=24, horizon=12, units=64, epochs=5, seed=0).fit(df)
    path = f.export(Path(tempfile.mkdtemp(prefix="zoo-latency-")) / "airline")
    rng = np.random.default_rng(0)
    batches = {b: (300 + 100 * rng.random((b, 24, 1))).astype("float32") for b in (1, 64)}

    plain = tf.saved_model.load(str(path))
    callers = {
        "keras Model.predict": lambda x: f.model_.predict(x, verbose=0),
        "keras Model.__call__": lambda x: f.model_(x, training=False),
        "tf.saved_model.load(...).serve": lambda x: plain.serve(x),
    }
    for backend in ("serve", "xla", "onnx"):
        try:
            p = zoo.load(path, backend=backend)
        except Exception as err:  # a missing extra (onnxruntime) skips that row
            print(f"skip {backend}: {err}")
            continue
        callers[f"zoo.load(backend={backend!r})"] = p.run
    rows = []
    for name, call in callers.items():
        ms = {b: _median_ms(lambda x=x, call=call: call(x), args.repeats) for b, x in batches.items()}
        rows.append((name, ms[1], ms[64]))
        print(f"{name:34s} batch 1: {ms[1]:8.3f} ms   batch 64: {ms[64]:8.3f} ms", flush=True)
    ref1, ref64 = rows[0][1], rows[0][2]
    lines = [
        "## Inference latency (benchmarks/latency.py)",
        "",
        f"Command: `python benchmarks/latency.py --repeats {args.repeats}` — "
        f"{platform.machine()}, {os.cpu_count()} cores, CPU only; zoo {zoo.__version__}. "
        "LSTM(64) Airline forecaster, lookback 24, horizon 12; median of "
        f"{args.repeats} calls after one warm-up, all measured in one run.",
        "",
        "| how it is called | 1 window (ms) | speed-up | 64 windows (ms) | speed-up |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {n} | {a:.3f} | {ref1 / a:.1f}x | {b:.3f} | {ref64 / b:.1f}x |"
              for n, a, b in rows]
    write_section("latency", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
