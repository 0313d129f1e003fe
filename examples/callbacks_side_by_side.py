"""
Title: Plateau, schedule or clipping: three training set-ups side by side
Author: zoo developers
Date created: 2026/11/23
Last modified: 2026/12/01
Description: Train the same LSTM forecaster on the same data three ways (reduce the
    learning rate on a plateau, an exponential learning-rate schedule, tight gradient
    clipping at a constant rate) and draw their learning-rate and validation-loss curves
    and final validation/test errors in one figure. Then train a vanilla RNN over a long
    window without clipping, with clipnorm and with clipvalue, and plot its gradient
    norm and loss: where clipping matters most.

Run it:

    python examples/callbacks_side_by_side.py            # full run
    python examples/callbacks_side_by_side.py --quick    # tiny models, a smoke test

Everything it writes goes to `--out` (default `examples/output/callbacks_side_by_side/`).
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

from zoo import baselines, metrics, plotting

LOOKBACK, HORIZON, HOLDOUT = 24, 12, 24  # months

# ## Three set-ups
#
# Everything not listed is shared: Adam at 1e-3, up to 300 epochs, early stopping on the
# validation tail with a patience of 100 epochs (best weights restored), so that each
# policy, not the stopping rule, decides how far training gets. The estimators' `"auto"`
# defaults step aside for a rival: a schedule turns the plateau callback off (Keras
# cannot combine them), and an explicit `clipnorm` replaces the automatic `clipnorm=1.0`.
#
# * `plateau`: `reduce_lr_on_plateau=True`, zoo's defaults: halve the rate after 5
#   epochs without a better validation loss, down to 1e-5.
# * `exponential`: the rate halves every 50 epochs (`decay_epochs` is converted to
#   optimizer steps from the number of batches per epoch), whatever the loss does.
# * `clipnorm`: constant rate, no plateau, each weight's gradient norm clipped to 0.1.
SETUPS = {
    "plateau": {"reduce_lr_on_plateau": True},
    "exponential": {"lr_schedule": "exponential", "decay_epochs": 50, "decay_rate": 0.5},
    "clipnorm": {"clipnorm": 0.1, "reduce_lr_on_plateau": False},
}


def parse_args(argv=None):
    """Command-line options: ``--out``, ``--quick`` and ``--seed``."""
    default_out = Path(__file__).resolve().parent / "output" / Path(__file__).stem
    parser = argparse.ArgumentParser(description="Plateau vs schedule vs clipping, one figure.")
    parser.add_argument("--out", type=Path, default=default_out,
                        help=f"output directory (default: {default_out})")
    parser.add_argument("--quick", action="store_true",
                        help="tiny models and few epochs: a smoke test, not a result")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    return parser.parse_args(argv)


def side_by_side(histories: dict, table: pd.DataFrame, reference: float, path: Path) -> Path:
    """One PNG: learning rate and validation loss per epoch, and the final errors."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 4.2), dpi=100)
    ax_lr, ax_loss, ax_err = fig.subplots(1, 3)
    for (name, hist), style in zip(histories.items(), ("-", "--", ":")):
        epochs = np.arange(1, len(hist["loss"]) + 1)
        # distinct line styles: curves that coincide (two constant rates) stay visible
        ax_lr.plot(epochs, hist["learning_rate"], style, lw=2, label=name)
        line, = ax_loss.plot(epochs, hist["val_loss"], style, lw=2, label=name)
        best = int(np.argmin(hist["val_loss"]))
        ax_loss.plot(best + 1, hist["val_loss"][best], "o", color=line.get_color())
    ax_lr.set(yscale="log", xlabel="epoch", title="learning rate (start of epoch)")
    ax_loss.set(yscale="log", xlabel="epoch", title="validation loss (dot: best epoch)")
    width = 0.38
    pos = np.arange(len(table))
    ax_err.bar(pos - width / 2, table["val_mae"], width, label="validation")
    ax_err.bar(pos + width / 2, table["test_mae"], width, label="test")
    ax_err.axhline(reference, color="k", ls="--", lw=1, label="seasonal naive (test)")
    ax_err.set_xticks(pos, table.index)
    top = max(table[["val_mae", "test_mae"]].to_numpy().max(), reference)
    ax_err.set(ylabel="MAE (raw units)", title="final errors", ylim=(0, 1.4 * top))
    for ax in (ax_lr, ax_loss, ax_err):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle("Same LSTM, same data: three ways to control the step size")
    fig.tight_layout()
    fig.savefig(path)
    return path


# ## Clipping a vanilla RNN
#
# The gates of an LSTM or GRU were invented because a plain recurrent layer multiplies
# its gradient by the same recurrent matrix at every step: over a long window it
# vanishes or explodes. Sunspots (yearly, 1700-2008) read 96 years at a time by a
# `simple_rnn`, at a learning rate of 1e-2, shows the explosions; the three runs share
# everything but the clipping. `zoo.training.GradientNormLogger` records the raw norm of
# the loss gradient on a fixed batch (before clipping) at the end of every epoch.
RNN_LOOKBACK = 96
CLIPPING = {"no clipping": {"clipnorm": None},
            "clipnorm=1": {"clipnorm": 1.0},
            "clipvalue=0.1": {"clipvalue": 0.1}}


def clipping_runs(units, epochs, seed):
    """Histories of a vanilla RNN trained with each entry of ``CLIPPING``."""
    from zoo import training
    from zoo import windows as W

    series = zoo.datasets.load("sunspots")["sunspots"].to_numpy()
    z = ((series - series.mean()) / series.std())[:, None]
    starts = W.window_starts(len(z), RNN_LOOKBACK, 1)
    x, y, _ = W.make_windows([z], [starts], W.WindowSpec(RNN_LOOKBACK, 1, 1, [0], []))
    histories = {}
    for name, clipping in CLIPPING.items():
        training.set_seed(seed)
        net = zoo.build("simple_rnn", input_shape=(RNN_LOOKBACK, 1), units=units)
        _, histories[name] = training.fit(
            net, (x, y), epochs=epochs, batch_size=16, learning_rate=1e-2,
            reduce_lr_on_plateau=False, early_stopping=False,
            callbacks=[training.GradientNormLogger(x[:64], y[:64])], **clipping)
    return histories


def plot_clipping(histories: dict, path: Path) -> Path:
    """Gradient norm and training loss per epoch, one line per clipping set-up."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 3.8), dpi=100)
    ax_norm, ax_loss = fig.subplots(1, 2)
    for (name, hist), style in zip(histories.items(), ("-", "--", ":")):
        epochs = np.arange(1, len(hist["loss"]) + 1)
        ax_norm.plot(epochs, hist["grad_norm"], style, lw=2, label=name)
        ax_loss.plot(epochs, hist["loss"], style, lw=2, label=name)
    ax_norm.set(yscale="log", xlabel="epoch", title="gradient norm (raw, fixed batch)")
    ax_loss.set(yscale="log", xlabel="epoch", title="training loss")
    for ax in (ax_norm, ax_loss):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(f"simple_rnn over {RNN_LOOKBACK} years of sunspots, learning rate 1e-2")
    fig.tight_layout()
    fig.savefig(path)
    return path


def main(argv=None) -> dict:
    """Runs the example; returns the metrics and the files written."""
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    # ## The data
    #
    # Airline passengers, monthly 1949-1960. The last 24 months are the test part: 13
    # forecasts of 12 months from origins one month apart. Each model trains on the
    # months before and carves its validation tail out of those.
    df = zoo.datasets.load("airline")
    values = df["passengers"].to_numpy()
    stops = list(range(len(df) - HOLDOUT, len(df) - HORIZON + 1))
    train = df.iloc[: stops[0]]
    actual = np.stack([values[s: s + HORIZON] for s in stops])
    # the yardstick: repeat the last year, from the same origins
    reference = metrics.mae(actual, np.stack([baselines.seasonal_naive(values[:s], HORIZON, 12)
                                              for s in stops]))

    # ## Train the three set-ups
    #
    # `refit=False` keeps the model that early stopping chose, so the curves drawn below
    # belong to the very model that is scored. `history_` holds one value per epoch of
    # `loss`, `val_loss` and `learning_rate` (zoo logs the rate in effect at the start
    # of every epoch, whatever sets it); `validation_metrics_` holds the model's errors on
    # the validation windows in raw units.
    units, epochs = (4, 3) if args.quick else (32, 300)
    rows, histories = {}, {}
    for name, options in SETUPS.items():
        forecaster = zoo.Forecaster(model="lstm", lookback=LOOKBACK, horizon=HORIZON,
                                    units=units, epochs=epochs, learning_rate=1e-3,
                                    early_stopping={"patience": 100}, refit=False,
                                    seed=args.seed, **options)
        start = time.perf_counter()
        forecaster.fit(train)
        seconds = time.perf_counter() - start
        # `predict(history)` forecasts from the end of any history: one call per origin
        pred = np.stack([forecaster.predict(df.iloc[:s])["passengers"].to_numpy()
                         for s in stops])
        hist = forecaster.history_
        histories[name] = hist
        rows[name] = {
            "epochs_run": len(hist["loss"]),
            "best_epoch": forecaster.best_epoch_,
            "first_lr": hist["learning_rate"][0],
            "last_lr": hist["learning_rate"][-1],
            "best_val_loss": min(hist["val_loss"]),
            "val_mae": forecaster.validation_metrics_["model"]["mae"],
            "test_mae": metrics.mae(actual, pred),
            "test_mape": metrics.mape(actual, pred),
            "fit_seconds": seconds,
        }
        print(f"{name}: {rows[name]['epochs_run']} epochs in {seconds:.1f} s")

    # ## Results
    #
    # The learning-rate panel shows the three policies: steps down when validation
    # stalls, a smooth decay fixed in advance, and a flat line (clipping bounds each
    # step's size through the gradient instead of the rate). The plateau policy keeps its
    # rate while the validation loss still improves and halves it in quick succession
    # once it stalls; the exponential decay lowers it on a fixed timetable whatever the
    # loss does. Compare the validation column first: the test column only confirms. The
    # seasonal naive forecast (repeat the last year) is the bar.
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "setup"
    print("\nSame model and data, three step-size policies:")
    print(table.to_string(float_format=lambda v: f"{v:.4g}"))
    print(f"seasonal naive test MAE over the same origins: {reference:.4g}")

    files = [out / "results.csv", out / "histories.csv",
             side_by_side(histories, table, reference, out / "callbacks_side_by_side.png")]
    table.to_csv(files[0])
    pd.concat({name: pd.DataFrame(h) for name, h in histories.items()},
              names=["setup", "epoch"]).to_csv(files[1])
    # zoo.plotting draws one run's full history (loss, validation loss, learning rate)
    for name, hist in histories.items():
        files.append(plotting.plot_history(hist, out / f"history_{name}.png",
                                           title=f"Training history: {name}"))

    # ## The vanilla RNN with and without clipping
    #
    # Most of the time the raw gradient norm stays below 1, where `clipnorm=1` changes
    # nothing; the three runs fall alike. The difference is in the rare steep steps: the
    # unclipped run meets one late in training (its norm jumps and its loss climbs
    # several-fold within a few epochs, seed 0), while `clipnorm` (each weight's gradient
    # to norm 1) and `clipvalue` (each element to +-0.1) cap those steps and keep the loss
    # where it was. Clipping is insurance against the steps a long recurrence produces.
    clipped = clipping_runs(units, 4 if args.quick else 150, args.seed)
    clipping = {name: {"largest_grad_norm": max(h["grad_norm"]),
                       "median_grad_norm": float(np.median(h["grad_norm"])),
                       "final_loss": h["loss"][-1]} for name, h in clipped.items()}
    print("\nsimple_rnn on sunspots, lookback 96:")
    print(pd.DataFrame.from_dict(clipping, orient="index").to_string(float_format=lambda v: f"{v:.4g}"))
    files.append(plot_clipping(clipped, out / "clipping_simple_rnn.png"))
    print("\nwrote " + ", ".join(str(f) for f in files))
    results = {name: {k: float(row[k]) for k in ("val_mae", "test_mae", "test_mape",
                                                 "best_val_loss", "last_lr")}
               for name, row in rows.items()}
    results.update(clipping)
    return {"metrics": results, "files": [str(f) for f in files],
            "learning_rates": {name: h["learning_rate"] for name, h in histories.items()},
            "grad_norms": {name: h["grad_norm"] for name, h in clipped.items()},
            "seasonal_naive_test_mae": reference}


if __name__ == "__main__":
    main()
