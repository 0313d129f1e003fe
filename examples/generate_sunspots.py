"""
Title: Generating sunspot cycles from a trained model
Author: zoo developers
Date created: 2026/12/01
Last modified: 2026/12/01
Description: A recursive LSTM with a distribution head learns yearly sunspot numbers;
    feeding its own random draws back in, it generates new two-cycle sequences after
    1986. Fan charts and single paths at temperatures 0.5, 1 and 1.5 are drawn beside
    the real 1987-2008 years, and each temperature is scored by CRPS.

Run it:

    python examples/generate_sunspots.py                # full run
    python examples/generate_sunspots.py --docs-image   # + docs/images/sunspots_generated.png
    python examples/generate_sunspots.py --quick        # tiny model, a smoke test

Everything it writes goes to `--out` (default `examples/output/generate_sunspots/`);
`--docs-image` (full runs only) also saves the figure as the README's copy.
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

from zoo import baselines, metrics

CYCLE = 11                      # years in a solar cycle
HELD_OUT = 2 * CYCLE            # the last two cycles, 1987-2008, are never trained on
TEMPERATURES = (0.5, 1.0, 1.5)
DOCS_IMAGE = Path(__file__).resolve().parents[1] / "docs" / "images" / "sunspots_generated.png"


def parse_args(argv=None):
    """Command-line options: ``--out``, ``--quick``, ``--seed``, ``--docs-image``."""
    default_out = Path(__file__).resolve().parent / "output" / Path(__file__).stem
    parser = argparse.ArgumentParser(description="Generate sunspot sequences from a model.")
    parser.add_argument("--out", type=Path, default=default_out,
                        help=f"output directory (default: {default_out})")
    parser.add_argument("--quick", action="store_true",
                        help="tiny model, few epochs, a 6-year horizon: a smoke test")
    parser.add_argument("--seed", type=int, default=0, help="random seed (weights, samples)")
    parser.add_argument("--docs-image", action="store_true",
                        help=f"also save the figure as {DOCS_IMAGE} (ignored with --quick)")
    return parser.parse_args(argv)


def plot_generations(history, actual, paths, path: Path, n_paths: int = 4) -> Path:
    """One panel per temperature: the 2.5-97.5 % and 10-90 % bands of the sample
    paths, their median, a few single paths, and the real years in black."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5 * len(paths), 4.2), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(paths), sharey=True)
    years = actual.index.year
    for ax, (temperature, p) in zip(np.atleast_1d(axes), paths.items()):
        lo95, lo80, mid, hi80, hi95 = np.quantile(p, [0.025, 0.1, 0.5, 0.9, 0.975], axis=0)
        ax.plot(history.index.year, history.to_numpy(), color="0.45", lw=1,
                label="training years")
        ax.fill_between(years, lo95, hi95, color="tab:blue", alpha=0.15, label="2.5-97.5 %")
        ax.fill_between(years, lo80, hi80, color="tab:blue", alpha=0.3, label="10-90 %")
        for k in range(n_paths):
            ax.plot(years, p[k], color="tab:orange", lw=0.9, alpha=0.8,
                    label="sample paths" if k == 0 else None)
        ax.plot(years, mid, color="tab:blue", lw=1.5, label="median of the paths")
        ax.plot(years, actual.to_numpy(), color="black", lw=2, label="real (held out)")
        ax.axvline(history.index.year[-1], color="0.3", ls=":", lw=1)
        ax.set(title=f"temperature {temperature:g}", xlabel="year")
        ax.grid(alpha=0.3)
    np.atleast_1d(axes)[0].set_ylabel("yearly mean sunspot number")
    np.atleast_1d(axes)[0].legend(loc="upper left", fontsize=8)
    fig.suptitle(f"Sunspot sequences generated after {history.index.year[-1]} "
                 "(recursive LSTM, negative binomial head)")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    return path


def main(argv=None) -> dict:
    """Runs the example; returns the metrics and the files written."""
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    # ## The data
    #
    # Yearly mean sunspot numbers, 1700-2008. The model trains on 1700-1986 (early
    # stopping on the last 20 % of those years); the last two cycles, 1987-2008, are
    # held out and only used to judge what the model generates.
    df = zoo.datasets.load("sunspots")
    horizon = 6 if args.quick else HELD_OUT
    train, actual = df.iloc[:-HELD_OUT], df["sunspots"].iloc[-HELD_OUT:].iloc[:horizon]
    print(f"train {train.index[0]:%Y}..{train.index[-1]:%Y}; held out "
          f"{actual.index[0]:%Y}..{actual.index[-1]:%Y}")

    # ## A model that can generate
    #
    # `distribution="negative_binomial"`: the network outputs a mean and a dispersion
    # for next year instead of one number, and trains by negative log-likelihood.
    # Sunspot numbers are never negative (and touch 0 at minima), which a negative
    # binomial respects, so no generated year goes below 0; it uses DeepAR's mean
    # scaling (each window divided by its mean size). `strategy="recursive"` makes it a
    # one-year model; `sample()` then draws a year, appends the draw to the window and
    # draws the next (ancestral sampling), so each path is a whole sequence with its own
    # cycle heights and timing, not a set of independent per-year draws.
    units, epochs = (4, 2) if args.quick else (64, 300)
    forecaster = zoo.Forecaster(lookback=3 * CYCLE, horizon=horizon, strategy="recursive",
                                distribution="negative_binomial", units=units, epochs=epochs,
                                refit=not args.quick, seed=args.seed)
    start = time.perf_counter()
    forecaster.fit(train)
    print(f"fit: {time.perf_counter() - start:.1f} s, epochs chosen on validation: "
          f"{forecaster.best_epoch_}")

    # ## Sampling at three temperatures
    #
    # `temperature` multiplies the spread of every draw: 1 is the fitted distribution,
    # 0.5 a tamer model (paths close to its median), 1.5 a wilder one. Each draw feeds
    # the next, so the temperature also changes how far whole paths wander. The same
    # seed gives the same paths. The CRPS of the paths against the real years (lower
    # is better; in sunspot numbers, comparable with a point forecast's MAE) says
    # which spread matches what happened.
    n_samples = 50 if args.quick else 500
    paths, rows = {}, {}
    for temperature in TEMPERATURES:
        p = forecaster.sample(n_samples, seed=args.seed, temperature=temperature)[..., 0]
        paths[temperature] = p                                       # [samples, horizon]
        lo80, hi80, lo95, hi95 = np.quantile(p, [0.1, 0.9, 0.025, 0.975], axis=0)
        rows[f"temperature {temperature:g}"] = {
            "crps": metrics.crps(actual.to_numpy(), p),
            "coverage_80": metrics.coverage(actual.to_numpy(), lo80, hi80),
            "coverage_95": metrics.coverage(actual.to_numpy(), lo95, hi95),
            "mean_peak": float(p.max(axis=1).mean()),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "temperature"
    print(f"\n{n_samples} paths of {horizon} years against the held-out years "
          f"(real peak {actual.max():.0f}; mean_peak: each path's highest year, averaged):")
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    # for reference: repeating the last cycle, a point forecast (its CRPS is its MAE)
    naive = baselines.BASELINE_FUNCTIONS["seasonal_naive"](train["sunspots"].to_numpy(),
                                                            horizon, season=CYCLE)
    reference = {"seasonal_naive": {"crps": metrics.mae(actual.to_numpy(), naive)}}
    print(f"seasonal_naive (repeat the last cycle): CRPS = MAE = "
          f"{reference['seasonal_naive']['crps']:.3f}")

    # ## Outputs
    #
    # The score table, every generated path, and the fan charts (one panel per
    # temperature) beside the real years.
    files = [out / "crps_by_temperature.csv", out / "paths.csv"]
    table.to_csv(files[0])
    pd.concat([pd.DataFrame(p.T, index=actual.index,
                            columns=[f"path{k}" for k in range(len(p))]).assign(temperature=t)
               for t, p in paths.items()]).to_csv(files[1])
    history = train["sunspots"].iloc[-60:]
    files.append(plot_generations(history, actual, paths, out / "sunspots_generated.png"))
    if args.docs_image and not args.quick:
        plot_generations(history, actual, paths, DOCS_IMAGE)
        print(f"saved {DOCS_IMAGE}")
    print("\nwrote " + ", ".join(str(f) for f in files))
    return {"metrics": {**table.to_dict(orient="index"), **reference},
            "files": [str(f) for f in files], "horizon": horizon,
            "best_epoch": forecaster.best_epoch_}


if __name__ == "__main__":
    main()
