"""
Title: Classifying time series with a bidirectional GRU
Author: zoo developers
Date created: 2026/11/23
Last modified: 2026/11/23
Description: Train a bidirectional GRU Classifier on ItalyPowerDemand (univariate) and
    BasicMotions (multivariate) with their original UCR/UEA train/test splits; report
    accuracy and macro F1 and draw the confusion matrices.

Run it:

    python examples/classify_italy_power.py            # full run
    python examples/classify_italy_power.py --quick    # tiny models, a smoke test

Everything it writes goes to `--out` (default `examples/output/classify_italy_power/`).
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

# Readable names for the plots; the data keep the archive's labels.
DISPLAY = {
    "italy_power_demand": {"1": "Oct-Mar", "2": "Apr-Sep"},
    "basic_motions": {},
}


def parse_args(argv=None):
    """Command-line options: ``--out``, ``--quick`` and ``--seed``."""
    default_out = Path(__file__).resolve().parent / "output" / Path(__file__).stem
    parser = argparse.ArgumentParser(description="Bidirectional GRU on UCR/UEA data sets.")
    parser.add_argument("--out", type=Path, default=default_out,
                        help=f"output directory (default: {default_out})")
    parser.add_argument("--quick", action="store_true",
                        help="tiny models, few epochs, 24 steps per sequence: a smoke test")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    return parser.parse_args(argv)


def evaluate(name: str, args, out: Path) -> tuple[dict, Path]:
    """Fits a Classifier on the original training split of ``name``, scores the test split."""
    X_train, y_train, X_test, y_test = zoo.datasets.load(name)
    if args.quick:
        # the first 24 steps only: Keras runs the RNN step by step when the estimator
        # scores its validation part, so long sequences dominate a smoke run
        X_train, X_test = X_train[:, :24], X_test[:, :24]
    print(f"\n{name}: train {X_train.shape}, test {X_test.shape} [samples, steps, features], "
          f"classes {sorted(set(y_train.tolist()))}")

    # `validation_size=0.2` holds out a stratified fifth of the *training* split; early
    # stopping watches its loss to choose the epoch count (`epochs` is a ceiling), then
    # the model is refitted on the whole training split for that many epochs. The test
    # split is used once, below, to score.
    units, epochs = (4, 2) if args.quick else (64, 300)
    clf = zoo.Classifier(model="bigru", units=units, epochs=epochs, validation_size=0.2,
                         refit=not args.quick, seed=args.seed)
    start = time.perf_counter()
    clf.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    proba = clf.predict_proba(X_test)
    pred = clf.classes_[proba.argmax(axis=1)]  # what clf.predict(X_test) returns

    row = {
        "n_train": len(X_train), "n_test": len(X_test), "timesteps": X_train.shape[1],
        "features": X_train.shape[2], "best_epoch": clf.best_epoch_,
        "accuracy": metrics.accuracy(y_test, pred),
        "macro_f1": metrics.macro_f1(y_test, pred),
        "log_loss": metrics.log_loss(y_test, proba, classes=clf.classes_),
        "fit_seconds": seconds,
    }
    # Rows are true classes, columns predicted ones, both in the order of `classes_`.
    cm = metrics.confusion_matrix(y_test, pred, labels=clf.classes_)
    labels = [DISPLAY[name].get(c, c) for c in clf.classes_.tolist()]
    path = plotting.plot_confusion_matrix(
        cm, labels, out / f"confusion_{name}.png",
        title=f"{name}: test accuracy {row['accuracy']:.3f}")
    row["predictions"] = {"y_true": y_test.tolist(), "y_pred": pred.tolist()}
    return row, path


def main(argv=None) -> dict:
    """Runs the example; returns the metrics and the files written."""
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    # ## The data
    #
    # *ItalyPowerDemand* (UCR): 24 hourly electricity demand readings per day; the class
    # says whether the day falls in October-March or April-September. Only 67 training
    # days against 1029 test days, which makes it a test of how little data a model needs.
    #
    # *BasicMotions* (UEA): 100 steps of a 3-axis accelerometer and a 3-axis gyroscope
    # (6 features per step) worn while standing, walking, running or playing badminton;
    # 40 training and 40 test recordings.
    #
    # Both load as `(X_train, y_train, X_test, y_test)` with `X` shaped
    # `[samples, steps, features]` and the archive's own labels (strings).

    # ## The model
    #
    # `model="bigru"` reads each sequence forwards and backwards with a GRU and classifies
    # the two final states with a softmax layer. The Classifier standardises every feature
    # inside the model with statistics of the training split, so the exported model takes
    # raw readings.
    results, files = {}, []
    for name in ("italy_power_demand", "basic_motions"):
        results[name], path = evaluate(name, args, out)
        files.append(path)

    # ## Scores
    #
    # For reference, the UCR archive lists 0.955 test accuracy for 1-nearest-neighbour
    # with Euclidean distance on ItalyPowerDemand.
    predictions = {name: row.pop("predictions") for name, row in results.items()}
    table = pd.DataFrame.from_dict(results, orient="index")
    table.index.name = "dataset"
    print("\nTest scores (original splits):")
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    files.insert(0, out / "metrics.csv")
    table.to_csv(files[0])
    print("\nwrote " + ", ".join(str(f) for f in files))
    scores = {name: {k: float(row[k]) for k in ("accuracy", "macro_f1", "log_loss")}
              for name, row in results.items()}
    assert all(np.isfinite(v) for row in scores.values() for v in row.values())
    return {"metrics": scores, "files": [str(f) for f in files], "predictions": predictions,
            "best_epoch": {name: row["best_epoch"] for name, row in results.items()}}


if __name__ == "__main__":
    main()
