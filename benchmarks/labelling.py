"""Sequence-labelling benchmark: SequenceLabeler against a sliding-window Classifier.

Runs ``examples/segment_basic_motions.py`` (the comparison on BasicMotions streams: 40
training streams from the original training recordings, 40 held-out streams from the
test recordings) once per seed and reports, per model, the mean ± sd over seeds of
per-step accuracy, macro F1, the edit score and segmental F1@50 on the held-out
streams, with the median fit time. Every choice (epochs) is made on validation streams
carved from the training streams; the window of the baseline (25 steps) was fixed
before any run.

Usage:
    python benchmarks/labelling.py [--seeds 0 1 2] [--smoke]

Writes the ``labelling`` section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import zoo  # noqa: E402
from benchmarks._results import parser, publish  # noqa: E402

EXAMPLE = ROOT / "examples" / "segment_basic_motions.py"
COLUMNS = ("accuracy", "macro_f1", "edit", "f1@0.5")


def _example():
    spec = importlib.util.spec_from_file_location("segment_basic_motions", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv=None):
    ap = parser(__doc__)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = ap.parse_args(argv)
    seeds = args.seeds[:1] if args.smoke else args.seeds
    example = _example()
    runs = []
    for seed in seeds:
        start = time.perf_counter()
        out = tempfile.mkdtemp(prefix="zoo-labelling-")
        result = example.main(["--seed", str(seed), "--out", out] + (["--quick"] if args.smoke
                                                                      else []))
        runs.append((result["metrics"], result["fit_seconds"], time.perf_counter() - start))
    names = list(runs[0][0])

    def cell(name, key):
        values = [r[0][name][key] for r in runs]
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        return f"{statistics.mean(values):.3f} ± {sd:.3f}"

    lines = [
        "## Sequence labelling (benchmarks/labelling.py)",
        "",
        f"Command: `python benchmarks/labelling.py --seeds {' '.join(map(str, seeds))}` — "
        f"{platform.machine()}, {os.cpu_count()} cores, CPU only; zoo {zoo.__version__}. "
        "`examples/segment_basic_motions.py` per seed: 40 BasicMotions streams for training "
        "(original training recordings), 40 held-out streams (test recordings); mean ± sd "
        "over seeds.",
        "",
        "| model | step accuracy | step macro F1 | edit | F1@50 | median fit |",
        "|---|---|---|---|---|---|",
    ]
    for name in names:
        fit = statistics.median(r[1][name] for r in runs)
        lines.append(f"| {name} | " + " | ".join(cell(name, k) for k in COLUMNS)
                     + f" | {fit:.0f} s |")
    labeler, window = names
    better = [r[0][labeler]["accuracy"] > r[0][window]["accuracy"] for r in runs]
    lines += ["", f"Target (issue 15): per-step accuracy above the sliding-window baseline on "
                  f"held-out streams — {'met' if all(better) else 'NOT met'} "
                  f"({sum(better)} of {len(runs)} seeds)."]
    publish("labelling", "\n".join(lines), args.smoke)


if __name__ == "__main__":
    main()
