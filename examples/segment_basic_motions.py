"""
Title: Labelling every step of activity streams with a bidirectional GRU
Author: zoo developers
Date created: 2026/12/01
Last modified: 2026/12/01
Description: Train a SequenceLabeler (many-to-many: one class per time step) on streams
    of BasicMotions recordings joined end to end, and compare it on streams it never saw
    with the usual workaround: a Classifier applied to a sliding window around each step.
    Per-step accuracy and macro F1, and the segment scores F1@k and edit (Lea et al. 2017).

Run it:

    python examples/segment_basic_motions.py            # full run
    python examples/segment_basic_motions.py --quick    # tiny models, a smoke test

Everything it writes goes to `--out` (default `examples/output/segment_basic_motions/`).
"""

# ## Setup

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pandas as pd

try:
    import zoo
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import zoo

from zoo import metrics, plotting

# The baseline's window: 25 steps (2.5 s of the 10 Hz watch), fixed before any run.
WIDTH = 25


def parse_args(argv=None):
    """Command-line options: ``--out``, ``--quick`` and ``--seed``."""
    default_out = Path(__file__).resolve().parent / "output" / Path(__file__).stem
    parser = argparse.ArgumentParser(description="Sequence labelling of activity streams.")
    parser.add_argument("--out", type=Path, default=default_out,
                        help=f"output directory (default: {default_out})")
    parser.add_argument("--quick", action="store_true",
                        help="few streams, tiny models, two epochs: a smoke test, not a result")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    return parser.parse_args(argv)


def centred_windows(stream, width=WIDTH):
    """One window of ``width`` steps around every step of ``stream`` (edges repeated)."""
    half = width // 2
    padded = np.concatenate([np.repeat(stream[:1], half, axis=0), stream,
                             np.repeat(stream[-1:], width - 1 - half, axis=0)])
    return padded[np.arange(len(stream))[:, None] + np.arange(width)[None, :]]


def main(argv=None) -> dict:
    """Runs the example; returns the metrics and the files written."""
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    # ## The data
    #
    # `basic_motions_streams` joins four BasicMotions recordings of different activities
    # (standing, walking, running, badminton), each cut to 30-100 steps, into one stream
    # of 6 watch channels with a label on every step. The 40 training streams are built
    # from the original training recordings only and the 40 test streams from the test
    # recordings, so no step of a test stream was ever seen in training.
    X_train, Y_train, X_test, Y_test = zoo.datasets.load("basic_motions_streams")
    if args.quick:
        X_train, Y_train, X_test, Y_test = X_train[:8], Y_train[:8], X_test[:4], Y_test[:4]
    print(f"{len(X_train)} training and {len(X_test)} test streams of "
          f"{min(map(len, X_train))}-{max(map(len, X_train))} steps, 6 channels")
    units, epochs = (4, 2) if args.quick else (32, 300)
    rows, predictions = {}, {}

    # ## The labeller
    #
    # `zoo.SequenceLabeler` pads the streams with a sentinel outside the data and masks
    # it, so streams of any length train together and the loss counts real steps only.
    # Every recurrent layer returns its sequence and a softmax classifies each step; the
    # bidirectional GRU sees the whole stream, before and after every step. Its epochs
    # are chosen on a fifth of the training streams.
    start = time.perf_counter()
    labeler = zoo.SequenceLabeler(model="bigru", units=units, epochs=epochs, batch_size=8,
                                  seed=args.seed).fit(X_train, Y_train)
    seconds = time.perf_counter() - start
    predictions["labeler (bigru)"] = labeler.predict(X_test)
    rows["labeler (bigru)"] = {"fit_seconds": seconds}

    # ## The sliding-window baseline
    #
    # The usual workaround without a many-to-many model: cut a window of 25 steps around
    # every step, label it with the step's class, train a sequence Classifier on those
    # windows (every 5th step of the training streams) and classify the window around
    # each test step.
    stride = 10 if args.quick else 5
    Xw = np.concatenate([centred_windows(x)[::stride] for x in X_train])
    yw = np.concatenate([y[::stride] for y in Y_train])
    start = time.perf_counter()
    window_clf = zoo.Classifier(model="bigru", units=units, epochs=epochs, batch_size=64,
                                seed=args.seed).fit(Xw, yw)
    seconds = time.perf_counter() - start
    predictions["sliding window (bigru)"] = [window_clf.predict(centred_windows(x))
                                             for x in X_test]
    rows["sliding window (bigru)"] = {"fit_seconds": seconds}

    # ## Scores on the held-out streams
    #
    # Per-step accuracy and macro F1 count every step once; the edit score and the
    # segmental F1 at 10, 25 and 50 % overlap judge the segments, and fall when a model
    # flickers between classes inside one activity.
    for name, pred in predictions.items():
        rows[name].update(metrics.labelling_metrics(Y_test, pred))
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "model"
    print("\nHeld-out streams:")
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    files = [out / "metrics.csv"]
    table.to_csv(files[0])

    # ## One held-out stream
    files.append(plotting.plot_segments(
        Y_test[0], {name: pred[0] for name, pred in predictions.items()},
        out / "segments.png", classes=labeler.classes_.tolist(),
        title="A held-out stream: true activities and predicted labels"))
    print("\nwrote " + ", ".join(str(f) for f in files))
    scores = {name: {k: float(v) for k, v in row.items() if k != "fit_seconds"}
              for name, row in rows.items()}
    truth = [y.tolist() for y in Y_test]
    return {"metrics": scores, "files": [str(f) for f in files],
            "fit_seconds": {name: row["fit_seconds"] for name, row in rows.items()},
            "predictions": {name: {"y_true": truth, "y_pred": [p.tolist() for p in pred]}
                            for name, pred in predictions.items()}}


if __name__ == "__main__":
    main()
