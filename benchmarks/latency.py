"""Inference latency benchmark: one exported Airline forecaster, every way to call it.

Measures, side by side in one process, the median wall time of a forecast for one
window and for a batch of 64 windows through ``keras.Model.predict``, a direct Keras
call, and the artifact's backends (``zoo.load`` with ``serve``, ``xla``, ``onnx`` and
``openvino``, the last where the ``edge`` extra is installed),
plus plain ``tf.saved_model.load(path).serve``. Then ``zoo.load(path).predict`` on
raw arrays against a plain ``onnxruntime.InferenceSession`` of the artifact's
``model.onnx`` at 1, 64, 1,024 and 16,384 windows (calls interleaved, p50 and p99),
and the DataFrame path's own cost for one series (``predict(history)`` against
``predict`` on the arrays it builds, and the feature building alone). The forecaster is the default one
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


def _interleaved_ms(fns, repeats, block=10):
    """``{name: (p50, p99)}`` in ms over ``repeats`` calls of each of ``fns``.

    The callers take turns in blocks of ``block`` calls, so drift hits all alike; the
    first call of each block is not timed: ONNX Runtime's threads spin-wait for a while
    after a call, and a block's first call would pay for the other session's spinning.
    """
    for fn in fns.values():
        fn()
    times = {k: [] for k in fns}
    while len(next(iter(times.values()))) < repeats:
        for name, fn in fns.items():
            fn()
            for _ in range(min(block, repeats - len(times[name]))):
                t0 = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - t0)
    return {k: (1e3 * statistics.median(v), 1e3 * float(np.percentile(v, 99)))
            for k, v in times.items()}


def versus_onnxruntime(path, one, names, sizes, repeats):
    """``zoo.load(path).predict`` on raw arrays against raw ONNX Runtime, per batch size."""
    import onnxruntime as ort

    predictor = zoo.load(path)
    assert predictor.backend == "onnx", predictor.backend
    session = ort.InferenceSession(str(path / "model.onnx"), providers=["CPUExecutionProvider"])
    rows = []
    for batch in sizes:
        feeds = {n: np.ascontiguousarray(np.resize(one[n], (batch,) + one[n].shape[1:]))
                 for n in names}
        arrays = [feeds[n] for n in names]
        np.testing.assert_allclose(predictor.predict(*arrays),
                                   session.run(None, feeds)[0], rtol=1e-6, atol=1e-6)
        ms = _interleaved_ms({"ort": lambda: session.run(None, feeds),
                              "zoo": lambda: predictor.predict(*arrays)},
                             max(10, repeats * 64 // max(batch, 64)))
        rows.append((batch, *ms["ort"], *ms["zoo"]))
        print(f"batch {batch:6d}: onnxruntime {ms['ort'][0]:9.3f} ms  zoo {ms['zoo'][0]:9.3f} ms",
              flush=True)
    return rows


def dataframe_path(path, df, repeats):
    """One series: ``predict(history)``, ``predict`` on its arrays, and ``make_inputs``."""
    predictor = zoo.load(path)
    made = predictor.make_inputs(df)
    arrays = [made[n] for n in predictor.input_names]
    np.testing.assert_allclose(predictor.predict(df).to_numpy(),
                               predictor.predict(*arrays)[0], rtol=1e-6)
    return _interleaved_ms({"frame": lambda: predictor.predict(df),
                            "arrays": lambda: predictor.predict(*arrays),
                            "features": lambda: predictor.make_inputs(df)}, repeats)


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
    lines += _against_raw(path, df, reference, args)
    publish("latency", "\n".join(lines), args.smoke)


def _against_raw(path, df, reference, args):
    """The section's second part: raw ONNX Runtime and the DataFrame path."""
    if missing("onnxruntime"):
        print("skip: onnxruntime is not installed (pip install 'zoo-ts[onnx]')")
        return ["", "(onnxruntime not installed: the comparison with raw ONNX Runtime was "
                "skipped)"]
    sizes = (1, 64, 1024) if args.smoke else (1, 64, 1024, 16384)
    one = reference.make_inputs(df)
    raw = versus_onnxruntime(path, one, reference.input_names, sizes, args.repeats)
    frame = dataframe_path(path, df, args.repeats)
    added = frame["frame"][0] - frame["arrays"][0]
    lines = [
        "",
        "`zoo.load(path).predict(inputs, future)` on raw float32 arrays against a plain "
        "`onnxruntime.InferenceSession(model.onnx).run(None, feeds)` (default session "
        "options), in alternating blocks of 10 calls (the first of each block untimed); per "
        "batch size "
        f"max(10, {args.repeats} x 64 / windows) calls each. The Predictor checks every "
        "input (shape, finite float32) and the answer (finite) on each call.",
        "",
        "| windows | onnxruntime p50 (ms) | p99 | zoo predict p50 (ms) | p99 | ratio of p50s |",
        "|---|---|---|---|---|---|",
    ]
    lines += [f"| {b:,} | {o50:.3f} | {o99:.3f} | {z50:.3f} | {z99:.3f} | {z50 / o50:.3f}x |"
              for b, o50, o99, z50, z99 in raw]
    lines += [
        "",
        "One Airline series as a DataFrame (the full 144-month history, calendar features "
        f"built from its index), {args.repeats} calls each in alternating blocks:",
        "",
        "| call | p50 (ms) | p99 (ms) |",
        "|---|---|---|",
        f"| `predict(history_df)` | {frame['frame'][0]:.3f} | {frame['frame'][1]:.3f} |",
        f"| `predict(inputs, future)` on the same arrays | {frame['arrays'][0]:.3f} | "
        f"{frame['arrays'][1]:.3f} |",
        f"| `make_inputs(history_df)` (feature building alone) | {frame['features'][0]:.3f} | "
        f"{frame['features'][1]:.3f} |",
        "",
        "| target (issue 12) | measured | met |",
        "|---|---|---|",
    ]
    for b, o50, _, z50, _ in raw:
        lines.append(f"| `zoo.load(...).predict` within 1.05x of raw ONNX Runtime at {b:,} "
                     f"window(s) | {z50 / o50:.3f}x | {'yes' if z50 / o50 <= 1.05 else 'no'} |")
    lines.append(f"| the DataFrame path adds under 1 ms for one series | {added:.3f} ms | "
                 f"{'yes' if added < 1 else 'no'} |")
    return lines


if __name__ == "__main__":
    main()
