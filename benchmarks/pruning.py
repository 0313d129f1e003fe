"""Pruning benchmark: accuracy and compressed artifact size at 0 / 50 / 80 / 90 % sparsity.

The default Forecaster on Airline (last 24 months held out, as in benchmarks/accuracy.py)
and the default Classifier on ItalyPowerDemand (original split), each trained with
``pruning={"target_sparsity": s}`` (magnitude pruning of every kernel during training,
the refit included), over the same seeds. Reported: the test score (mean ± sd), the
kernels' measured sparsity, and the artifact's size as a gzip-compressed tar of its
directory (the zeros compress; the uncompressed files do not shrink).

Usage:
    python benchmarks/pruning.py [--seeds 0 1 2] [--smoke]

Writes the ``pruning`` section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import io
import os
import platform
import statistics
import sys
import tarfile
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import zoo  # noqa: E402
from benchmarks._results import parser, publish  # noqa: E402
from zoo import metrics, training  # noqa: E402

SPARSITIES = (0.0, 0.5, 0.8, 0.9)


def compressed_kb(path: Path) -> float:
    """Size of the artifact directory as a gzip-compressed tar, in kB."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=9) as tar:
        tar.add(path, arcname=path.name)
    return len(buffer.getvalue()) / 1024


def run(task, sparsity, seed, small, workdir):
    pruning = {"target_sparsity": sparsity} if sparsity else None
    start = time.perf_counter()
    if task == "airline":
        df = zoo.datasets.load("airline")
        train, test = df.iloc[:-24], df.iloc[-24:]
        est = zoo.Forecaster(lookback=24, horizon=24, seed=seed, pruning=pruning,
                             **small).fit(train)
        score = metrics.mape(test["passengers"].to_numpy(),
                             est.predict()["passengers"].to_numpy())
    else:
        Xtr, ytr, Xte, yte = zoo.datasets.load("italy_power_demand")
        est = zoo.Classifier(seed=seed, pruning=pruning, **small).fit(Xtr, ytr)
        score = est.score(Xte, yte)
    seconds = time.perf_counter() - start
    path = est.export(Path(workdir) / f"{task}-{sparsity}-{seed}", formats=("keras",))
    return score, training.sparsity(est.model_), compressed_kb(path), seconds


def main(argv=None):
    ap = parser(__doc__)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = ap.parse_args(argv)
    small = dict(units=4, epochs=2, refit=False) if args.smoke else {}
    seeds = args.seeds[:1] if args.smoke else args.seeds
    sparsities = (0.0, 0.8) if args.smoke else SPARSITIES
    workdir = tempfile.mkdtemp(prefix="zoo-pruning-")
    results = {}
    for task in ("airline", "italy_power_demand"):
        for s in sparsities:
            runs = [run(task, s, seed, small, workdir) for seed in seeds]
            results[task, s] = runs
            print(f"{task} sparsity {s:.0%}: {[round(r[0], 4) for r in runs]} "
                  f"(kernels {runs[0][1]:.3f} zero, {runs[0][2]:.0f} kB)", flush=True)

    def mean_sd(values):
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        return statistics.mean(values), sd

    lines = [
        "## Pruning (benchmarks/pruning.py)",
        "",
        f"Command: `python benchmarks/pruning.py --seeds {' '.join(map(str, seeds))}` — "
        f"{platform.machine()}, {os.cpu_count()} cores, CPU only; zoo {zoo.__version__}. "
        "Default estimators with `pruning={\"target_sparsity\": s}`; the size is the artifact "
        "directory (SavedModel, model.keras, zoo.json) as a gzip-compressed tar.",
        "",
        "| data set (score) | target sparsity | score, mean ± sd | relative to unpruned | "
        "kernels zero | compressed artifact | median fit |",
        "|---|---|---|---|---|---|---|",
    ]
    for task, label in (("airline", "Airline (test MAPE %, lower is better)"),
                        ("italy_power_demand", "ItalyPowerDemand (test accuracy)")):
        base = mean_sd([r[0] for r in results[task, 0.0]])[0]
        for s in sparsities:
            runs = results[task, s]
            m, sd = mean_sd([r[0] for r in runs])
            change = (m - base) / base * 100
            lines.append(
                f"| {label} | {s:.0%} | {m:.4g} ± {sd:.2g} | {change:+.1f} % | "
                f"{statistics.mean(r[1] for r in runs):.3f} | "
                f"{statistics.mean(r[2] for r in runs):.0f} kB | "
                f"{statistics.median(r[3] for r in runs):.0f} s |")
    airline80 = results.get(("airline", 0.8))
    if airline80:
        base = mean_sd([r[0] for r in results["airline", 0.0]])[0]
        loss = (mean_sd([r[0] for r in airline80])[0] - base) / base * 100
        lines += ["", f"Target (issue 15): 80 % sparsity loses under 10 % relative accuracy on "
                      f"Airline — {'met' if loss < 10 else 'NOT met'} ({loss:+.1f} % MAPE, "
                      "mean over seeds)."]
    publish("pruning", "\n".join(lines), args.smoke)


if __name__ == "__main__":
    main()
