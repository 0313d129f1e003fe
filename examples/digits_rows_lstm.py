"""
Title: Reading digit images row by row with recurrent classifiers
Author: zoo developers
Date created: 2026/11/23
Last modified: 2026/11/23
Description: The classic "MNIST rows" LSTM, offline: each 8x8 image of scikit-learn's
    bundled digits is a sequence of 8 rows (timesteps) of 8 pixels (features); a stacked
    LSTM and a bidirectional LSTM classify them.

Run it:

    python examples/digits_rows_lstm.py            # full run
    python examples/digits_rows_lstm.py --quick    # tiny models, a smoke test

Everything it writes goes to `--out` (default `examples/output/digits_rows_lstm/`).
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
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

try:
    import zoo
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import zoo

from zoo import metrics, plotting


def parse_args(argv=None):
    """Command-line options: ``--out``, ``--quick`` and ``--seed``."""
    default_out = Path(__file__).resolve().parent / "output" / Path(__file__).stem
    parser = argparse.ArgumentParser(description="Stacked vs bidirectional LSTM on digit rows.")
    parser.add_argument("--out", type=Path, default=default_out,
                        help=f"output directory (default: {default_out})")
    parser.add_argument("--quick", action="store_true",
                        help="tiny models and few epochs: a smoke test, not a result")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    """Runs the example; returns the metrics and the files written."""
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    # ## The data
    #
    # 1797 handwritten digits, 8x8 pixels with intensities 0-16, shipped inside
    # scikit-learn (no download). `images` is `[n, 8, 8]`: read as `[samples, timesteps,
    # features]`, the network sees the image one row at a time, top to bottom, as the
    # MNIST-rows LSTM examples do with 28x28 images. A stratified quarter is the test
    # part; the Classifier carves its validation fifth out of the training part.
    digits = load_digits()
    X, y = digits.images.astype("float32"), digits.target
    if args.quick:
        X, y = X[:300], y[:300]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=args.seed)
    print(f"train {X_train.shape}, test {X_test.shape} [samples, rows, pixels per row]")

    # ## Two readers
    #
    # * `stacked_lstm`: two LSTM layers, the first passing its whole output sequence to
    #   the second; it reads top to bottom only.
    # * `bilstm`: one LSTM layer run top-down and bottom-up, the final states joined; the
    #   bottom rows (the stroke that tells 3 from 9, say) are seen last by one direction
    #   and first by the other.
    #
    # Both get 32 units per layer; the pixel intensities are standardised inside the
    # model. A batch of 64 keeps an epoch to a handful of steps on 2 CPU cores.
    units, epochs = (4, 2) if args.quick else (32, 300)
    readers = {"stacked_lstm": [units, units], "bilstm": units}
    rows, best, predictions = {}, None, {}
    for name, layer_units in readers.items():
        clf = zoo.Classifier(model=name, units=layer_units, epochs=epochs, batch_size=64,
                             refit=not args.quick, seed=args.seed)
        start = time.perf_counter()
        clf.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        pred = clf.predict(X_test)
        rows[name] = {
            "parameters": clf.model_.count_params(),
            "best_epoch": clf.best_epoch_,
            "accuracy": metrics.accuracy(y_test, pred),
            "macro_f1": metrics.macro_f1(y_test, pred),
            "fit_seconds": seconds,
        }
        print(f"{name}: {seconds:.1f} s, test accuracy {rows[name]['accuracy']:.4f}")
        predictions[name] = {"y_true": y_test.tolist(), "y_pred": pred.tolist()}
        # the reader shown below is the better one on its validation part, not on the test
        val_accuracy = clf.validation_metrics_["model"]["accuracy"]
        if best is None or val_accuracy > best[2]:
            best = (name, pred, val_accuracy)

    # ## Results
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "model"
    print("\nTest scores (digits read row by row):")
    print(table.to_string(float_format=lambda v: f"{v:.4g}"))

    # The confusion matrix of the better reader (on validation) shows which digits it mixes up.
    name, pred, _ = best
    labels = np.arange(10)
    cm = metrics.confusion_matrix(y_test, pred, labels=labels)
    files = [out / "metrics.csv"]
    table.to_csv(files[0])
    files.append(plotting.plot_confusion_matrix(
        cm, [str(d) for d in labels], out / "confusion.png",
        title=f"{name}: test accuracy {rows[name]['accuracy']:.3f}"))
    print("\nwrote " + ", ".join(str(f) for f in files))
    results = {m: {k: float(r[k]) for k in ("accuracy", "macro_f1")} for m, r in rows.items()}
    return {"metrics": results, "files": [str(f) for f in files], "predictions": predictions}


if __name__ == "__main__":
    main()
