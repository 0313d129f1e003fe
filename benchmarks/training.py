"""Training speed benchmark: zoo estimators against a hand-written Keras fit and a PyTorch loop.

Trains the same recurrent network four ways in one process: the zoo estimator with its
defaults (validation tail, early stopping, plateau schedule, refit), the estimator doing
exactly the PyTorch loop's work, ``model.compile(...); model.fit(...)`` of the identical
network on numpy windows, and a PyTorch loop (``nn.LSTM``/``nn.GRU``, Adam,
``clip_grad_norm_``): four forecasters (lookback 48, 4 inputs, horizon 1, 4,096
windows, batch 64, 5 epochs) and a bidirectional GRU classifier. It reports the median
of ``--repeats`` round-robin runs, windows/s, the ratio against PyTorch and the achieved
GFLOP/s beside the machine's matmul rate, and profiles one default ``Forecaster.fit``
from outside the library. Without torch the PyTorch rows are skipped (and said so).

Usage:
    python benchmarks/training.py [--repeats 3] [--smoke]

Writes the ``training`` section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import collections
import contextlib
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import tensorflow as tf  # noqa: E402

import zoo  # noqa: E402
import zoo.forecast_data  # noqa: E402
import zoo.training  # noqa: E402
import zoo.training.loop  # noqa: E402
from benchmarks._results import missing, parser, publish  # noqa: E402
from zoo import windows as W  # noqa: E402

LOOKBACK, HORIZON, N_INPUTS, LR, CLIP, VALIDATION = 48, 1, 4, 1e-3, 1.0, 0.2
FORECASTERS, CLASSIFIER, CLASSIFY_SET = ("lstm", "gru", "bilstm", "stacked_lstm"), "bigru", \
    "italy_power_demand"
# (cell, bidirectional, layers) of each network, checked against the Keras model built
NETS = {"lstm": ("lstm", False, 1), "gru": ("gru", False, 1), "bilstm": ("lstm", True, 1),
        "stacked_lstm": ("lstm", False, 2), "bigru": ("gru", True, 1)}
ROWS = ("zoo defaults", "zoo, the PyTorch loop's work", "Keras model.fit", "PyTorch loop")
WORK = {"validation_size": 0, "refit": False, "early_stopping": False,
        "reduce_lr_on_plateau": False}
now = time.perf_counter


def series(n):
    """Target + 3 past covariates: random walks (numpy seed 0), integer index."""
    steps = np.random.default_rng(0).normal(size=(n, N_INPUTS))
    return pd.DataFrame(steps.cumsum(axis=0) + 10.0 * np.arange(N_INPUTS),
                        columns=["y", "x1", "x2", "x3"])


def default_length(windows):
    """The series length whose training part (before the 20 % tail) holds ``windows``."""
    n = windows + LOOKBACK + HORIZON - 1
    while W.split_point(n, VALIDATION) - LOOKBACK - HORIZON + 1 < windows:
        n += 1
    return n


def dense_windows(values):
    """``(x [N, L, F], y [N, 1, 1])`` of z-scored values, for the hand-written rows."""
    z = ((values - values.mean(0)) / values.std(0)).astype("float32")
    n = len(z) - LOOKBACK - HORIZON + 1
    return z[np.arange(n)[:, None] + np.arange(LOOKBACK)], z[LOOKBACK:LOOKBACK + n, :1, None]


def train_flops(name, timesteps, n_features, units, n_out):
    """Forward + backward FLOPs of one sample: the recurrent matmuls and the head."""
    cell, bi, layers = NETS[name]
    gates, dirs = (4 if cell == "lstm" else 3), (2 if bi else 1)
    forward, f_in = 0, n_features
    for _ in range(layers):
        forward += dirs * timesteps * 2 * gates * units * (f_in + units)
        f_in = dirs * units
    return 3 * (forward + 2 * f_in * n_out)  # backward ~ 2x forward


def build(name, task, x, units, n_out):
    """``zoo.build``'s network, checked to hold the layers ``NETS`` lists for PyTorch."""
    head = {"horizon": HORIZON} if task == "forecast" else {"n_classes": n_out}
    layers = NETS[name][2]  # a stack takes a list: the estimators turn an int into one too
    net = zoo.build(name, task=task, input_shape=x.shape[1:],
                    units=[units] * layers if layers > 1 else units, **head)
    found = []
    for layer in net.layers:
        inner = layer.forward_layer if isinstance(layer, keras.layers.Bidirectional) else layer
        if isinstance(inner, (keras.layers.LSTM, keras.layers.GRU)):
            found.append((type(inner).__name__.lower(), inner is not layer))
    assert found == [NETS[name][:2]] * layers, (name, found)
    return net


def matmul_rate(n=1024, repeats=7):
    """This machine's float32 ``n x n`` numpy matmul GFLOP/s: ``2 n^3 / t``, median ``t``."""
    a = np.random.default_rng(1).random((n, n), dtype=np.float32)
    times = []
    for _ in range(repeats + 1):  # the first is a warm-up
        t0 = now()
        a @ a
        times.append(now() - t0)
    return 2 * n ** 3 / statistics.median(times[1:]) / 1e9


def zoo_job(make, kwargs, data, best=None):
    def run():
        est = make(**kwargs)
        t0 = now()
        est.fit(*data)
        seconds = now() - t0
        units = est.network_kwargs_["units"]  # the network the Keras and PyTorch rows copy
        assert np.ravel(units).tolist() == [kwargs["units"]] * NETS[kwargs["model"]][2], units
        if best is not None:
            best.append(est.best_epoch_)
        return seconds
    return run


def keras_job(name, task, x, y, units, n_out, epochs, batch):
    loss = "mse" if task == "forecast" else "sparse_categorical_crossentropy"

    def run():
        keras.utils.set_random_seed(0)
        net = build(name, task, x, units, n_out)
        t0 = now()
        net.compile(keras.optimizers.Adam(LR, clipnorm=CLIP), loss)
        net.fit(x, y, batch_size=batch, epochs=epochs, shuffle=True, verbose=0)
        return now() - t0
    return run


def torch_job(name, task, x, y, units, n_out, epochs, batch):
    import torch
    from torch import nn

    cell, bi, layers = NETS[name]
    dirs, classify = 2 if bi else 1, task == "classify"
    # the Keras network's parameters, plus torch's second LSTM bias: the same network
    want = build(name, task, x, units, n_out).count_params() + \
        (4 * units * layers * dirs if cell == "lstm" else 0)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = (nn.LSTM if cell == "lstm" else nn.GRU)(
                x.shape[-1], units, num_layers=layers, batch_first=True, bidirectional=bi)
            self.head = nn.Linear(units * dirs, n_out)

        def forward(self, inputs):
            _, h = self.rnn(inputs)
            h = h[0] if cell == "lstm" else h
            # the last layer's final state in each direction: what Keras' RNN layers return
            return self.head(torch.cat(list(h[-dirs:]), dim=-1))

    xt = torch.from_numpy(np.ascontiguousarray(x))
    yt = torch.from_numpy(y.astype("int64") if classify else y.reshape(len(y), -1))
    loss_fn = nn.CrossEntropyLoss() if classify else nn.MSELoss()

    def run():
        torch.manual_seed(0)
        net = Net()
        assert sum(p.numel() for p in net.parameters()) == want, name
        t0 = now()
        opt = torch.optim.Adam(net.parameters(), lr=LR)
        gen = torch.Generator().manual_seed(0)
        for _ in range(epochs):
            order = torch.randperm(len(xt), generator=gen)
            for i in range(0, len(xt), batch):
                idx = order[i:i + batch]
                opt.zero_grad(set_to_none=True)
                loss_fn(net(xt[idx]), yt[idx]).backward()
                nn.utils.clip_grad_norm_(net.parameters(), CLIP)
                opt.step()
        return now() - t0
    return run


class EpochClock(keras.callbacks.Callback):
    """Records the length of each epoch and of each validation pass inside it."""

    def __init__(self):
        super().__init__()
        self.epochs, self.tests, self.marks = [], [], {}

    def on_epoch_begin(self, epoch, logs=None):
        self.marks["epoch"] = now()

    def on_test_begin(self, logs=None):
        self.marks["test"] = now()

    def on_test_end(self, logs=None):
        self.tests.append(now() - self.marks["test"])

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(now() - self.marks["epoch"])


def profile(df, kwargs):
    """Where one default ``Forecaster.fit`` (and then its export) spends its time."""
    D, calls, last, clocks = zoo.forecast_data, collections.defaultdict(list), {}, []

    def timed(key):
        def wrap(orig):
            def wrapped(*a, **k):
                t0 = now()
                last[key] = orig(*a, **k)
                calls[key].append(now() - t0)
                return last[key]
            return wrapped
        return wrap

    def with_clock(orig):  # zoo's own callbacks, then the clock
        def wrapped(*a, **k):
            clocks.append(EpochClock())
            return orig(*a, **k) + [clocks[-1]]
        return wrapped

    with contextlib.ExitStack() as patches:  # each original is back when it closes
        for module, name, wrap in [
                (D, "prepare", timed("prepare")), (D, "network_data", timed("windows")),
                (D, "validation_metrics", timed("metrics")),
                (zoo.training, "fit", timed("fit")),  # the selection fit, then the refit
                (zoo.training.loop, "make_callbacks", with_clock)]:
            patches.enter_context(mock.patch.object(module, name, wrap(getattr(module, name))))
        f = zoo.Forecaster(**kwargs)
        t0 = now()
        f.fit(df)
        total = now() - t0
    with tempfile.TemporaryDirectory(prefix="zoo-training-") as tmp:
        t0 = now()
        f.export(Path(tmp) / "model")
        export = now() - t0

    rows = [("data: `prepare` (splits, window starts, scaling constants)",
             sum(calls["prepare"])),
            ("data: `network_data` (window arrays, scaled targets: train, validation, refit)",
             sum(calls["windows"]))]
    tracing = []
    for i, (fit_s, c) in enumerate(zip(calls["fit"], clocks)):
        tests = c.tests + [0.0] * (len(c.epochs) - len(c.tests))
        train = [e - t for e, t in zip(c.epochs, tests)]
        what = "selection fit" if i == 0 else f"refit ({len(train)} epoch(s))"
        rows += [(f"{what}: build, compile, callbacks, before and after the epochs",
                  fit_s - sum(c.epochs)),
                 (f"{what}: epoch 1 train steps (tf.function tracing included)", train[0])]
        if len(train) > 1:
            rows.append((f"{what}: epochs 2-{len(train)} train steps", sum(train[1:])))
            tracing.append(train[0] - statistics.median(train[1:]))
        if c.tests:
            rows.append((f"{what}: {len(c.tests)} validation pass(es), the first traces",
                         sum(c.tests)))
        if i == 0:
            rows.append(("validation metrics of the model before the refit",
                         sum(calls["metrics"])))
    rows.append(("other (checks, `to_panel`, refit scaling constants, storing)",
                 total - sum(s for _, s in rows)))
    counts = {k: sum(len(s) for s in getattr(last["prepare"], f"{k}_starts"))
              for k in ("train", "val", "all")}
    return {"rows": rows, "total": total, "export": export, "tracing": tracing,
            "counts": counts, "best_epoch": f.best_epoch_}


def main(argv=None):
    ap = parser(__doc__)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    args.windows, args.epochs, args.units, args.batch = 4096, 5, 64, 64
    models, n_classify = FORECASTERS, None
    if args.smoke:
        args.windows, args.epochs, args.units, args.repeats = 256, 1, 8, 1
        models, n_classify = ("lstm",), 128
    windows, epochs, units, batch = args.windows, args.epochs, args.units, args.batch
    use_torch = not missing("torch")
    if use_torch:
        import torch
        torch.set_num_threads(os.cpu_count())
    else:
        print("torch is not installed: the PyTorch rows are skipped")

    # ---- the data: the Forecaster's frames, the same windows as arrays, the classifier's set
    full = series(default_length(windows))
    exact = full.iloc[:windows + LOOKBACK + HORIZON - 1]  # the training part: `windows`
    fx, fy = dense_windows(exact.to_numpy())
    Xtr, ytr, Xte, yte = zoo.datasets.load(CLASSIFY_SET)
    X = np.concatenate([Xtr, Xte]).astype("float32")[:n_classify]
    labels = np.concatenate([ytr, yte])[:n_classify]
    classes, y_idx = np.unique(labels, return_inverse=True)
    Xs = (X - X.mean((0, 1))) / X.std((0, 1))
    common = {"lookback": LOOKBACK, "horizon": HORIZON, "target": "y", "units": units,
              "epochs": epochs, "batch_size": batch, "calendar_features": False, "seed": 0}
    # name -> (task, estimator, its kwargs, default data, the exact work's data, x, y, n_out)
    tasks = {m: ("forecast", zoo.Forecaster, dict(common, model=m), (full,), (exact,), fx, fy,
                 HORIZON) for m in models}
    tasks[CLASSIFIER] = ("classify", zoo.Classifier,
                         {"model": CLASSIFIER, "units": units, "epochs": epochs,
                          "batch_size": batch, "seed": 0}, (X, labels), (X, labels), Xs, y_idx,
                         len(classes))

    # ---- warm-up: one-time library init (and torch's first use of each cell) is not billed
    zoo.Forecaster(lookback=8, target="y", units=4, epochs=1, calendar_features=False,
                   validation_size=0).fit(series(80))
    keras_job("lstm", "forecast", fx[:64, :8], fy[:64], 4, 1, 1, 32)()
    if use_torch:
        for name in ("lstm", "bigru"):
            torch_job(name, "forecast", fx[:64, :8], fy[:64], 4, 1, 1, 32)()

    jobs, best = {}, collections.defaultdict(list)
    for name, (task, est, kw, data, data_work, x, y, n_out) in tasks.items():
        jobs[name, ROWS[0]] = zoo_job(est, kw, data, best[name])
        jobs[name, ROWS[1]] = zoo_job(est, dict(kw, **WORK), data_work)
        jobs[name, ROWS[2]] = keras_job(name, task, x, y, units, n_out, epochs, batch)
        if use_torch:
            jobs[name, ROWS[3]] = torch_job(name, task, x, y, units, n_out, epochs, batch)
    times = collections.defaultdict(list)
    for r in range(args.repeats):  # round-robin: drift hits every row alike
        for key, job in jobs.items():
            times[key].append(job())
            print(f"repeat {r + 1}: {key[0]:13s} {key[1]:30s} {times[key][-1]:8.2f} s",
                  flush=True)
    peak = matmul_rate()
    prof = profile(full, dict(common, model="lstm"))
    versions = f"TensorFlow {tf.__version__}, Keras {keras.__version__}, " + (
        f"PyTorch {torch.__version__} ({torch.get_num_threads()} threads)" if use_torch
        else "PyTorch not installed")
    args.n_full, args.n_exact, args.versions = len(full), len(exact), versions
    publish("training", report(args, tasks, times, best, peak, prof), args.smoke)


def _para(text):
    return " ".join(text.split())


def report(args, tasks, times, best, peak, prof):
    """The section's markdown."""
    counts, X, epochs, units = prof["counts"], tasks[CLASSIFIER][5], args.epochs, args.units
    chosen = "; ".join(f"{k} " + ", ".join(map(str, v)) for k, v in best.items())
    lines = ["## Training speed (benchmarks/training.py)", "", _para(f"""
        Command: `python benchmarks/training.py --repeats {args.repeats}` — {platform.machine()},
        {os.cpu_count()} cores, CPU only; zoo {zoo.__version__}, {args.versions}. Median of
        {args.repeats} run(s) per row; rows interleaved round-robin in one process after an
        untimed warm-up of each framework."""), "", _para(f"""
        Forecasting: {units} units, lookback {LOOKBACK}, {N_INPUTS} inputs (target + 3 past
        covariates: random walks, numpy seed 0), horizon {HORIZON}, {args.windows:,} training
        windows, batch {args.batch}, {epochs} epoch(s), Adam {LR:g}, clipnorm {CLIP:g}, MSE,
        `calendar_features=False`. **zoo defaults**: every other argument its default: a
        {VALIDATION:.0%} validation tail on top ({args.n_full:,} points; `prepare` counted
        {counts['train']:,} training, {counts['val']:,} validation and {counts['all']:,} refit
        windows), early stopping, ReduceLROnPlateau, the refit on all windows for the best
        epoch (best epochs: {chosen}). **zoo, the PyTorch loop's work**: `validation_size=0,
        refit=False, early_stopping=False, reduce_lr_on_plateau=False` on the {args.n_exact:,}
        points of the training part (the scaling layers and the NaN guard stay). **Keras
        model.fit**: `zoo.build`'s network, `compile(Adam(1e-3, clipnorm=1.0), 'mse')`,
        `fit(..., shuffle=True)` on z-scored numpy windows. **PyTorch loop**: `nn.LSTM` /
        `nn.GRU` (bidirectional, 2 layers as the model), a Linear head on the last state,
        Adam, `clip_grad_norm_(1.0)` (the joint norm; Keras' clipnorm is per weight),
        shuffled mini-batches; its parameter count is checked against the Keras network's.
        The zoo rows include building the network (their fit does it); the Keras and PyTorch
        rows start from a built one."""), "", _para(f"""
        Classifier: `{CLASSIFIER}` on {CLASSIFY_SET}, training and test splits together
        ({len(X):,} sequences of {X.shape[1]} steps x {X.shape[2]}; the training split alone
        is one batch per epoch, too little to time), the same units, batch, epochs and rows;
        CrossEntropy in PyTorch."""), "", _para(f"""
        windows/s = training windows x epochs / s (the *zoo defaults* rows do more: the
        validation passes and the refit). vs PyTorch = PyTorch time / row time (> 1: faster
        than PyTorch). GFLOP/s counts the same nominal work, recurrent matmuls only: per
        sample, step, layer and direction, forward = 2 x g x U x (F_in + U) FLOPs (g = 4
        gates for LSTM, 3 for GRU; F_in the layer's input width), plus 2 x width x outputs
        for the head; training = 3 x forward (backward ~ 2 x forward); the elementwise gate
        math is not counted. Float32 1024x1024 numpy matmul here: {peak:.0f} GFLOP/s."""), "",
        "| model | how it trains | median s | windows/s | vs PyTorch | GFLOP/s | "
        "% of numpy matmul |", "|---|---|---|---|---|---|---|"]
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = {}
    for name, (*_, x, _y, n_out) in tasks.items():
        ref, work = med.get((name, ROWS[3])), len(x) * epochs
        gflop = work * train_flops(name, *x.shape[1:], units, n_out) / 1e9
        for row in [r for r in ROWS if (name, r) in med]:
            s = med[name, row]
            ratio[name, row] = ref / s if ref else None
            lines.append(f"| {name} | {row} | {s:.2f} | {work / s:,.0f} | "
                         + (f"{ref / s:.2f}x" if ref else "n/a")
                         + f" | {gflop / s:.2f} | {100 * gflop / s / peak:.1f} % |")
    if (CLASSIFIER, ROWS[3]) not in med:
        lines += ["", "PyTorch rows skipped: torch is not installed."]
    total = prof["total"]
    lines += ["", _para(f"""
        Where one default `Forecaster.fit` (lstm as above, one more run; best epoch
        {prof['best_epoch']}) spends its {total:.2f} s, timed from outside the library:
        `zoo.forecast_data.prepare`, `network_data` and `validation_metrics` wrapped,
        `zoo.training.fit` timed per call (selection fit, refit) and a callback appended by
        wrapping `zoo.training.loop.make_callbacks` (an epoch's train steps are the epoch
        less its validation pass)."""), "",
        "| part | s | share |", "|---|---|---|"]
    lines += [f"| {what} | {s:.2f} | {100 * s / total:.0f} % |" for what, s in prof["rows"]]
    lines += [f"| **`Forecaster.fit` total** | {total:.2f} | 100 % |",
              f"| `f.export(tmpdir)`, after the fit (not in the total) | {prof['export']:.2f} "
              "| |", ""]
    if prof["tracing"]:
        lines += ["First-epoch overhead (epoch 1's train steps less the median later epoch's, "
                  "mostly tf.function tracing): "
                  + " and ".join(f"{t:.2f} s" for t in prof["tracing"])
                  + " (selection fit, refit).", ""]
    lines += ["Targets of the issue:", "", "| target | model | measured | met |",
              "|---|---|---|---|"]
    for target, row, bar in (("`fit` with defaults >= 1.0x the PyTorch loop", ROWS[0], 1.0),
                             ("zoo doing the PyTorch loop's exact work >= 1.3x", ROWS[1], 1.3)):
        for name in tasks:
            r = ratio.get((name, row))
            lines.append(f"| {target} | {name} | " + (
                f"{r:.2f}x | {'yes' if r >= bar else 'no'} |" if r else
                "not measured (no torch) | n/a |"))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
