"""How the pruning schedule's defaults were chosen: an inner split of Airline's training years.

The pruning benchmark holds out 1959-1960. This script never reads those months: it
trains on 1949-1956 (validation tail 1955-1956) and scores the 24-month forecast of
1957-1958, for the unpruned default Forecaster and for 80 % sparsity under each
candidate schedule: where pruning starts and ends, as shares of the run's optimizer
steps (``zoo.training.pruning.BEGIN_FRACTION`` / ``END_FRACTION``), whether early
stopping waits until the target is reached (``WAIT_FOR_PRUNING``) and the epoch budget
of the pruned fit, as a multiple of ``epochs`` (``EPOCH_FACTOR``: early stopping still
ends it; the room is for training on at the target sparsity).

An earlier run of this script, before the refit's epoch count was chosen among the
epochs at the target sparsity, compared begin/end shares 0/70 %, 0/40 %, 20/50 % and
30/60 % (+14.6 % to +36.7 % over unpruned) and chose 0/70 %.

Usage:
    python benchmarks/pruning_design.py [--seeds 0 1 2] [--smoke]

Writes the ``pruning_design`` section of benchmarks/RESULTS.md.
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

import zoo  # noqa: E402
import zoo.training.pruning as P  # noqa: E402
from benchmarks._results import parser, publish  # noqa: E402
from zoo import metrics  # noqa: E402

# (begin, end) shares of the run's steps, whether early stopping waits for the target, and
# the epoch budget as a multiple of epochs
SCHEDULES = [(0.0, 0.7, True, 1), (0.3, 0.7, True, 1), (0.0, 0.35, True, 2),
             (0.15, 0.5, True, 2)]


def main(argv=None):
    ap = parser(__doc__)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = ap.parse_args(argv)
    small = dict(units=4, epochs=2) if args.smoke else {}
    seeds = args.seeds[:1] if args.smoke else args.seeds
    schedules = SCHEDULES[:2] if args.smoke else SCHEDULES
    df = zoo.datasets.load("airline")
    train = df.iloc[:-24]                       # the benchmark's training part, 1949-1958
    inner, pseudo_test = train.iloc[:-24], train.iloc[-24:]
    y = pseudo_test["passengers"].to_numpy()
    configs = [("unpruned", None, None, None, 1)] + [
        (f"80 %, begin {b:.0%}, end {e:.0%}, early stopping "
         f"{'waits for the target' if w else 'from the start'}, {k}x epochs", b, e, w, k)
        for b, e, w, k in schedules]
    rows = {}
    for name, begin, end, wait, factor in configs:
        scores, seconds = [], []
        for seed in seeds:
            if begin is not None:
                P.BEGIN_FRACTION, P.END_FRACTION, P.WAIT_FOR_PRUNING = begin, end, wait
                P.EPOCH_FACTOR = factor
            pruning = None if begin is None else {"target_sparsity": 0.8}
            start = time.perf_counter()
            f = zoo.Forecaster(lookback=24, horizon=24, validation_size=24, seed=seed,
                               pruning=pruning, **small).fit(inner)
            seconds.append(time.perf_counter() - start)
            scores.append(metrics.mape(y, f.predict()["passengers"].to_numpy()))
            print(f"{name} seed {seed}: inner MAPE {scores[-1]:.2f}", flush=True)
        rows[name] = (scores, statistics.median(seconds))
    base = statistics.mean(rows["unpruned"][0])
    lines = [
        "## How the pruning schedule was chosen (benchmarks/pruning_design.py)",
        "",
        f"Command: `python benchmarks/pruning_design.py --seeds {' '.join(map(str, seeds))}` — "
        f"{platform.machine()}, {os.cpu_count()} cores, CPU only; zoo {zoo.__version__}. "
        "Inner split of the pruning benchmark's training part: fit on 1949-1956 (validation "
        "tail 1955-1956), score the 24-month forecast of 1957-1958; the held-out years "
        "1959-1960 are not read. Begin and end are shares of each run's optimizer steps "
        "(the refit's schedule spans the refit).",
        "",
        "| Forecaster(lookback=24, horizon=24) | inner MAPE % (mean ± sd) | per seed | "
        "relative to unpruned | median fit |",
        "|---|---|---|---|---|",
    ]
    for name, (scores, sec) in rows.items():
        sd = statistics.stdev(scores) if len(scores) > 1 else 0.0
        m = statistics.mean(scores)
        lines.append(f"| {name} | {m:.2f} ± {sd:.2f} | {', '.join(f'{s:.2f}' for s in scores)} "
                     f"| {(m - base) / base * 100:+.1f} % | {sec:.0f} s |")
    publish("pruning_design", "\n".join(lines), args.smoke)


if __name__ == "__main__":
    main()
