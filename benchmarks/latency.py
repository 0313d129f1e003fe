"""Inference latency benchmark: one exported Airline forecaster, every way to call it.

Measures, side by side in one process, the median wall time of a forecast for one
window and for a batch of 64 windows through ``keras.Model.predict``, a direct Keras
call, and the artifact's backends (``zoo.load`` with ``serve``, ``xla``, ``onnx`` and
``openvino``, the last where the ``edge`` extra is installed),
plus plain ``tf.saved_model.load(path).serve``. The forecaster is the default one
(``calendar_features="auto"``), so it takes the month of year beside the history and
over the horizon (``future``); the windows are real Airline histories turned into the
model's raw inputs by ``zoo.load(path).make_inputs``. Ratios against ``model.predict``
are what to read: this machine is shared and absolute times drift.

Usage:
    python benchmarks/latency.py [--repeats 200] [--smoke]

Writes the ``latency`` section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

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
from benchmarks._results import missing, parser, publish  # noqa: E402

LOOKBACK, HORIZON = 24, 12


def _median_ms(fn, repeats):
    fn()  # warm-up: tracing, XLA compilation, session start
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times)


def windows(predictor, df, batch):
    """``batch`` raw input windows (and their ``future``), from real histories of ``df``."""
    ends = range(LOOKBACK, len(df) + 1)
    made = [predictor.make_inputs(df.iloc[:end]) for end in ends]
    pick = [made[i % len(made)] for i in range(batch)]
    return {k: np.concatenate([m[k] for m in pick]) for k in pick[0]}


def main(argv=None):
    ap = parser(__doc__)
    ap.add_argument("--repeats", type=int, default=200)
    args = ap.parse_args(argv)
    if args.smoke:
        args.repeats = 5

    import tensorflow as tf

    df = zoo.datasets.load("airline")
    units, epochs = (8, 1) if args.smoke else (64, 5)
    f = zoo.Forecaster(lookback=LOOKBACK, horizon=HORIZON, units=units, epochs=epochs,
                       seed=0).fit(df)
    formats = ["keras", "onnx"] + (["openvino"] if not missing("openvino") else [])
    path = f.export(Path(tempfile.mkdtemp(prefix="zoo-latency-")) / "airline", formats=formats)
    reference = zoo.load(path, backend="serve")
    batches = {b: windows(reference, df, b) for b in (1, 64)}
    names = reference.input_names  # the signature's order: inputs, future

    plain = tf.saved_model.load(str(path))
    callers = {
        "keras Model.predict": lambda d: f.model_.predict(d, verbose=0),
        "keras Model.__call__": lambda d: f.model_(d, training=False),
        "tf.saved_model.load(...).serve":
            lambda d: plain.serve(*[d[n] for n in names])["outputs"],
    }
    for backend in ("serve", "xla", "onnx", "openvino"):
        try:
            p = zoo.load(path, backend=backend)
        except ValueError as err:  # a missing extra (onnxruntime) skips that row
            print(f"skip {backend}: {err}")
            continue
        callers[f"zoo.load(backend={backend!r}).run"] = \
            lambda d, p=p: p.run(*[d[n] for n in names])
    want = {b: np.asarray(callers["keras Model.__call__"](d)) for b, d in batches.items()}
    rows = []
    for name, call in callers.items():
        for b, d in batches.items():  # every way of calling answers the same
            np.testing.assert_allclose(np.asarray(call(d)), want[b], rtol=1e-4, atol=1e-3)
        ms = {b: _median_ms(lambda d=d, call=call: call(d), args.repeats)
              for b, d in batches.items()}
        rows.append((name, ms[1], ms[64]))
        print(f"{name:40s} batch 1: {ms[1]:8.3f} ms   batch 64: {ms[64]:8.3f} ms", flush=True)
    ref1, ref64 = rows[0][1], rows[0][2]
    lines = [
        "## Inference latency (benchmarks/latency.py)",
        "",
        f"Command: `python benchmarks/latency.py --repeats {args.repeats}` — "
        f"{platform.machine()}, {os.cpu_count()} cores, CPU only; zoo {zoo.__version__}. "
        f"LSTM({units}) Airline forecaster with the defaults (month-of-year calendar inputs "
        f"beside the history and as `future`), lookback {LOOKBACK}, horizon {HORIZON}; "
        f"median of {args.repeats} calls after one warm-up, all measured in one run; every "
        "row checked to give the same forecast.",
        "",
        "| how it is called | 1 window (ms) | speed-up | 64 windows (ms) | speed-up |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {n} | {a:.3f} | {ref1 / a:.1f}x | {b:.3f} | {ref64 / b:.1f}x |"
              for n, a, b in rows]
    publish("latency", "\n".join(lines), args.smoke)


if __name__ == "__main__":
    main()
