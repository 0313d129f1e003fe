"""Probabilistic forecasts: CRPS, pinball loss and interval coverage over rolling origins.

On the bundled forecasting sets (Airline, sunspots, electrical equipment, US consumption)
and a synthetic AR(1) series with known noise, each method is fitted once on the part
before a held-out tail and then forecasts from every origin inside that tail, one step
apart, seeing only the history up to the origin (all origins in one batched
``predict``/``sample`` call on a long frame, one series per origin). Methods: the
distribution heads ``distribution="normal"``, ``"student_t"`` and ``"negative_binomial"``
(only where the training targets are non-negative), the quantile head
``quantiles=[0.025, 0.1, 0.5, 0.9, 0.975]``, and the point model with
``conformal=[0.8, 0.95]``. Reported per method: CRPS of 200 sample paths (distribution
heads only), pinball loss at 0.1 / 0.5 / 0.9, and the empirical coverage of the 80 % and
95 % intervals, mean ± sd over seeds, and the median fit time.

Usage:
    python benchmarks/probabilistic.py [--seeds 0 1 2] [--smoke]

Writes the ``probabilistic`` section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import zoo  # noqa: E402
from benchmarks._results import parser, publish  # noqa: E402
from zoo import metrics  # noqa: E402

QUANTILES = [0.025, 0.1, 0.5, 0.9, 0.975]   # 95 % and 80 % central intervals + the median
PINBALL = [0.1, 0.5, 0.9]
LEVELS = [0.8, 0.95]
N_SAMPLES = 200
EPOCHS = 100        # cap on the estimator's default of 300 (early stopping picks fewer)
AR_SEED, AR_PHI, AR_N = 12345, 0.8, 1000

# name: (label, lookback, horizon, held-out tail in steps); fixed before any test figure
SETS = {
    "airline": ("Airline", 24, 12, 36),
    "sunspots": ("Sunspots", 30, 10, 60),
    "elec_equip": ("Elec. equipment", 24, 12, 48),
    "uschange": ("US consumption", 12, 8, 40),
    "ar1": ("AR(1), phi 0.8, N(0, 1)", 20, 5, 300),
}
# Per-set estimator arguments. AR(1) is stationary around a known mean: the default window
# scaling removes each window's level, so the network cannot learn the reversion to it.
# Chosen on the inner split of the AR training part (fit on steps 0-549, scored from every
# origin in 550-695, normal head, seeds 0-2; the held-out steps 700-999 not read):
# scaling="global" CRPS 0.769 against 0.899 with the default, MAE 1.096 against 1.278,
# 80 % coverage 83.7 % against 80.9 %.
SET_KWARGS = {"ar1": {"scaling": "global"}}
METHODS = {
    "normal": dict(distribution="normal"),
    "student_t": dict(distribution="student_t"),
    "negative_binomial": dict(distribution="negative_binomial"),
    "quantile head": dict(quantiles=QUANTILES),
    "conformal": dict(conformal=LEVELS),
}


def ar1() -> pd.DataFrame:
    """y_t = 0.8 y_{t-1} + e_t, e_t ~ N(0, 1), AR_N points after a 100-step burn-in;
    an integer index (no calendar)."""
    e = np.random.default_rng(AR_SEED).standard_normal(AR_N + 100)
    y = np.zeros_like(e)
    for t in range(1, len(e)):
        y[t] = AR_PHI * y[t - 1] + e[t]
    return pd.DataFrame({"y": y[100:]})


def load(name: str) -> pd.DataFrame:
    if name == "ar1":
        return ar1()
    df = zoo.datasets.load(name)
    return df[["consumption"]] if name == "uschange" else df   # the target alone


def origins_frame(df, origins, lookback):
    """A long frame: one series per origin t, its ``lookback`` steps before t."""
    column = df.columns[0]
    parts = [pd.DataFrame({"unique_id": k, "ds": df.index[t - lookback: t],
                           column: df[column].to_numpy()[t - lookback: t]})
             for k, t in enumerate(origins)]
    return pd.concat(parts, ignore_index=True)


def as_array(frame, column, n, horizon):
    """Column of a long forecast frame as ``[n_origins, horizon]`` (origin order checked)."""
    assert (frame["unique_id"].to_numpy() == np.repeat(np.arange(n), horizon)).all()
    return frame[column].to_numpy("float64").reshape(n, horizon)


def run(name, method, seed, df, origins, small):
    _, lookback, horizon, tail = SETS[name]
    train = df.iloc[: len(df) - tail]
    est = zoo.Forecaster(lookback=lookback, horizon=horizon, seed=seed,
                         validation_size=horizon + 30, **{"epochs": EPOCHS, **small},
                         **SET_KWARGS.get(name, {}), **METHODS[method])
    start = time.perf_counter()
    est.fit(train)
    seconds = time.perf_counter() - start
    values = df.iloc[:, 0].to_numpy("float64")
    actual = np.stack([values[t: t + horizon] for t in origins])
    history = origins_frame(df, origins, lookback)
    n = len(origins)
    row = {"fit_s": seconds, "n_points": actual.size}
    if est.distribution is not None:
        frame = est.predict(history, quantiles=QUANTILES)
        q = {lv: as_array(frame, f"y_hat_q{lv:g}", n, horizon) for lv in QUANTILES}
        paths = est.sample(N_SAMPLES, df=history, seed=seed)[..., 0]   # [n, S, H]
        paths = np.moveaxis(paths, 1, 0)                               # [S, n, H]
        row["crps"] = metrics.crps(actual, paths)
        lo, hi = np.quantile(paths, [0.1, 0.9], axis=0)
        row["sample_cov80"] = metrics.coverage(actual, lo, hi)
        bounds = {0.8: (q[0.1], q[0.9]), 0.95: (q[0.025], q[0.975])}
        median = q[0.5]
    elif est.quantiles is not None:
        frame = est.predict(history)
        q = np.sort(np.stack([as_array(frame, f"y_hat_q{lv:g}", n, horizon)
                              for lv in QUANTILES], -1), -1)
        q = dict(zip(QUANTILES, np.moveaxis(q, -1, 0)))
        bounds = {0.8: (q[0.1], q[0.9]), 0.95: (q[0.025], q[0.975])}
        median = q[0.5]
    else:
        frame = est.predict(history)
        bounds = {lv: (as_array(frame, f"y_hat_lo{lv:g}", n, horizon),
                       as_array(frame, f"y_hat_hi{lv:g}", n, horizon)) for lv in LEVELS}
        q = {0.1: bounds[0.8][0], 0.9: bounds[0.8][1]}
        median = as_array(frame, "y_hat", n, horizon)
    q[0.5] = median
    for lv in PINBALL:
        row[f"pinball{lv:g}"] = metrics.pinball_loss(actual, q[lv][..., None], [lv])
    row["pinball"] = float(np.mean([row[f"pinball{lv:g}"] for lv in PINBALL]))
    for lv in LEVELS:
        row[f"cov{lv:g}"] = metrics.coverage(actual, *bounds[lv])
    return row


def commit() -> str:
    """The checkout's short commit hash (with '+' when files differ from it), or '?'."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no",
                                "zoo"], cwd=root, capture_output=True, text=True).stdout
        return head + ("+" if dirty.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


def mean_sd(values):
    values = [v for v in values if v is not None]
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return statistics.mean(values), sd


def cell(runs, key, fmt="{:.3g}", scale=1.0):
    if key not in runs[0]:
        return "—"
    m, sd = mean_sd([r[key] * scale for r in runs])
    return f"{fmt.format(m)} ± {fmt.format(sd)}"


def main(argv=None):
    ap = parser(__doc__)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = ap.parse_args(argv)
    small = dict(units=4, epochs=2, refit=False) if args.smoke else {}
    seeds = args.seeds[:1] if args.smoke else args.seeds
    sets = ("airline", "ar1") if args.smoke else tuple(SETS)
    started, code = time.perf_counter(), commit()   # read once: the code the run imports
    results, n_origins = {}, {}
    for name in sets:
        df = load(name)
        _, _, horizon, tail = SETS[name]
        origins = list(range(len(df) - tail, len(df) - horizon + 1))
        origins = origins[:3] if args.smoke else origins
        n_origins[name] = len(origins)
        counts = bool((df.iloc[: len(df) - tail, 0] >= 0).all())
        methods = [m for m in METHODS if counts or m != "negative_binomial"]
        if name == "ar1":   # Gaussian noise by construction: the t head adds nothing here
            methods = [m for m in methods if m != "student_t"]
        if args.smoke:   # one of each kind of method: distribution, quantile, conformal
            methods = ["normal"] if name == "ar1" else ["normal", "quantile head", "conformal"]
        for method in methods:
            runs = [run(name, method, seed, df, origins, small) for seed in seeds]
            results[name, method] = runs
            print(f"{name} {method}: crps {[round(r.get('crps', np.nan), 4) for r in runs]} "
                  f"cov80 {[round(r['cov0.8'], 3) for r in runs]} "
                  f"cov95 {[round(r['cov0.95'], 3) for r in runs]} "
                  f"({time.perf_counter() - started:.0f} s so far)", flush=True)
    total = time.perf_counter() - started

    import tensorflow as tf

    lines = [
        "## Probabilistic forecasts (benchmarks/probabilistic.py)",
        "",
        f"Command: `python benchmarks/probabilistic.py --seeds {' '.join(map(str, seeds))}` — "
        f"{platform.machine()}, {os.cpu_count()} cores (shared), CPU only; zoo "
        f"{zoo.__version__} (commit {code}), TensorFlow {tf.__version__}; "
        f"{total / 60:.0f} min in all.",
        "",
        "Design (fixed before any test figure was seen): each set's last steps are held out "
        "(Airline 36 months, sunspots 60 years, electrical equipment 48 months, US "
        "consumption 40 quarters, AR(1) 300 steps); each model is fitted once on the part "
        "before, then forecasts from every origin in the tail, one step apart, with only "
        "the history up to the origin; every forecast step of every origin is scored "
        "(overlapping windows, so the points are not independent). Default `lstm` "
        "Forecaster (64 units, `strategy=\"direct\"`, default scaling and calendar "
        f"features) with `epochs={EPOCHS}` as a cap on time (early stopping picks fewer) "
        "and `validation_size=horizon + 30` steps for every method (conformal needs 19 "
        "validation windows for 95 %). US consumption: the target alone, no covariates. "
        "The AR(1) series is `y_t = 0.8 y_(t-1) + e_t`, `e_t ~ N(0, 1)`, 1,000 points "
        f"(numpy seed {AR_SEED}), integer index, fitted with `scaling=\"global\"` (the "
        "default window scaling hides the level a stationary series reverts to; chosen on "
        "an inner split of the AR training part, CRPS 0.769 against 0.899, see SET_KWARGS "
        "in the script); it gets no Student-t head (its noise is "
        "Gaussian by construction) to keep the run under ~25 minutes on 2 cores. The "
        "negative binomial runs only where the training targets are non-negative "
        "(not US consumption, not AR(1)).",
        "",
        f"CRPS: from {N_SAMPLES} sample paths of `sample(..., seed=seed)` (distribution heads "
        "only; — where a method gives no distribution). Pinball: the mean of the losses at "
        "0.1, 0.5 and 0.9 — a distribution head's `predict(quantiles=...)`, the quantile "
        "head's own columns, and for conformal the 80 % bounds as the 0.1 / 0.9 quantiles "
        "and the point forecast as the median. Coverage: the share of held-out points "
        "inside the 80 % (q0.1..q0.9, lo0.8..hi0.8) and 95 % (q0.025..q0.975, "
        "lo0.95..hi0.95) intervals. CRPS and pinball are in the set's units (lower is "
        "better); mean ± sd over seeds; fit time: the median over seeds.",
        "",
        "| data set (origins × horizon) | method | CRPS | pinball 0.1/0.5/0.9 | 80 % coverage "
        "| 95 % coverage | median fit |",
        "|---|---|---|---|---|---|---|",
    ]
    for (name, method), runs in results.items():
        label, _, horizon, _ = SETS[name]
        lines.append(
            f"| {label} ({n_origins[name]} × {horizon}) | {method} | {cell(runs, 'crps')} | "
            f"{cell(runs, 'pinball')} | {cell(runs, 'cov0.8', '{:.1f}', 100)} % | "
            f"{cell(runs, 'cov0.95', '{:.1f}', 100)} % | "
            f"{statistics.median(r['fit_s'] for r in runs):.0f} s |")
    lines += ["", "Pinball loss by level (mean over seeds):", "",
              "| data set | method | 0.1 | 0.5 | 0.9 |", "|---|---|---|---|---|"]
    for (name, method), runs in results.items():
        lines.append(f"| {SETS[name][0]} | {method} | " + " | ".join(
            f"{statistics.mean(r[f'pinball{lv:g}'] for r in runs):.3g}" for lv in PINBALL) + " |")

    targets = ["", "| target (issue 16) | measured | met |", "|---|---|---|"]
    ar = results.get(("ar1", "normal"))
    if ar:
        covs = [100 * r["sample_cov80"] for r in ar]
        ok = all(70 <= c <= 90 for c in covs)
        targets.append(
            f"| AR(1) with known noise: the 10–90 % range of the normal head's {N_SAMPLES} "
            f"samples covers 70–90 % of held-out points ({n_origins['ar1']} origins × "
            f"{SETS['ar1'][2]} steps); met when every seed does | "
            f"{statistics.mean(covs):.1f} % (seeds: {', '.join(f'{c:.1f}' for c in covs)}) | "
            f"{'yes' if ok else 'no'} |")
    conf = [(name, runs) for (name, method), runs in results.items() if method == "conformal"]
    for lv in LEVELS:
        pooled = [100 * sum(runs[k][f"cov{lv:g}"] * runs[k]["n_points"] for _, runs in conf)
                  / sum(runs[k]["n_points"] for _, runs in conf) for k in range(len(seeds))]
        m = statistics.mean(pooled)
        per_set = ", ".join(
            f"{SETS[name][0]} {100 * statistics.mean(r[f'cov{lv:g}'] for r in runs):.1f}"
            for name, runs in conf)
        targets.append(
            f"| conformal {lv * 100:.0f} % intervals reach their nominal coverage within 5 points "
            f"on held-out data (pooled over {len(conf)} sets and their origins, mean over seeds) | "
            f"{m:.1f} % (seeds: {', '.join(f'{c:.1f}' for c in pooled)}; per set, mean over "
            f"seeds: {per_set}) | {'yes' if abs(m - 100 * lv) <= 5 else 'no'} |")
    lines += targets
    publish("probabilistic", "\n".join(lines), args.smoke)


if __name__ == "__main__":
    main()
