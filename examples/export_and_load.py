"""
Title: Export a forecaster and load it three ways
Author: zoo developers
Date created: 2026/11/23
Last modified: 2026/11/23
Description: Fit a small Forecaster, export the self-contained artifact, then answer the
    same raw windows with plain TensorFlow (`tf.saved_model.load(path).serve`), with
    `zoo.load(path)` and with ONNX Runtime, and check that every answer matches the
    in-memory model.

Run it:

    python examples/export_and_load.py            # full run
    python examples/export_and_load.py --quick    # tiny model, a smoke test

Everything it writes goes to `--out` (default `examples/output/export_and_load/`).
"""

# ## Setup

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pandas as pd

try:
    import zoo
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import zoo

# The artifact contract promises float32 agreement to these tolerances, relative to the
# raw units of the forecast (hundreds of passengers here), as numpy's allclose reads them.
RTOL = ATOL = 1e-5


def parse_args(argv=None):
    """Command-line options: ``--out``, ``--quick`` and ``--seed``."""
    default_out = Path(__file__).resolve().parent / "output" / Path(__file__).stem
    parser = argparse.ArgumentParser(description="Export a Forecaster and load it three ways.")
    parser.add_argument("--out", type=Path, default=default_out,
                        help=f"output directory (default: {default_out})")
    parser.add_argument("--quick", action="store_true",
                        help="tiny model and few epochs: a smoke test, not a result")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    return parser.parse_args(argv)


def compare(name: str, got, reference: np.ndarray) -> dict:
    """Max abs difference to the reference, and the allclose tolerance at that scale."""
    got = np.asarray(got)
    if got.shape != reference.shape:
        raise AssertionError(f"{name}: shape {got.shape}, expected {reference.shape}")
    np.testing.assert_allclose(got, reference, rtol=RTOL, atol=ATOL, err_msg=name)
    return {"max_abs_diff": float(np.max(np.abs(got - reference))),
            "tolerance": float(ATOL + RTOL * np.max(np.abs(reference)))}


def main(argv=None) -> dict:
    """Runs the example; returns the differences between backends and the files written."""
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    # ## Fit a small forecaster
    #
    # Airline passengers, 24 months of history in, 12 months out. The point of this
    # example is the artifact, not the accuracy, so the model is small.
    df = zoo.datasets.load("airline")
    units, epochs = (4, 2) if args.quick else (16, 100)
    forecaster = zoo.Forecaster(model="lstm", lookback=24, horizon=12, units=units,
                                epochs=epochs, refit=not args.quick, seed=args.seed).fit(df)

    # ## Export
    #
    # One directory, written atomically: a TensorFlow SavedModel at its root (endpoint
    # `serve`, signature `serving_default`), `zoo.json` (the manifest: inputs, lookback,
    # horizon, scaling, checksums of every file), `model.keras` for fine-tuning and
    # `model.onnx` when the `onnx` extra (tf2onnx, onnx, onnxruntime) is installed. The
    # scaling lives inside the graph: the artifact takes raw values, returns raw units.
    path = forecaster.export(out / "airline_lstm", overwrite=True)
    manifest = json.loads((path / "zoo.json").read_text())
    print(f"exported to {path}: {sorted(manifest['files'])}")
    print(f"inputs {manifest['inputs']}, lookback {manifest['lookback']}, "
          f"horizon {manifest['horizon']}, signature {manifest['signature']['inputs']}")

    # ## The windows to answer
    #
    # Raw values, float32, in the order the manifest lists the inputs: here passengers
    # and the month of year as a sine/cosine pair (`calendar_features="auto"` adds it for
    # monthly data), over the `lookback` months as `inputs` `[batch, lookback, 3]` and
    # over the forecast months as `future` `[batch, horizon, 2]`. `make_inputs(history)`
    # builds exactly these arrays from a DataFrame (what a TF Serving client sends).
    # Three histories ending at different months, so the batch dimension is exercised
    # too. The reference answer is the in-memory Keras model the estimator trained.
    predictor = zoo.load(path)
    ends = [len(df) - 24, len(df) - 12, len(df)]
    parts = [predictor.make_inputs(df.iloc[:e]) for e in ends]
    feed = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    reference = np.asarray(forecaster.model_(feed if len(feed) > 1 else feed["inputs"],
                                             training=False))
    print(f"windows {', '.join(f'{k} {v.shape}' for k, v in feed.items())} "
          f"-> forecasts {reference.shape}")

    # ## (a) Plain TensorFlow
    #
    # No zoo code is needed to serve the artifact: `tf.saved_model.load` restores the
    # traced graph, custom scaling layers included. (zoo's tests run this in a process
    # where `import zoo` fails.) The `serving_default` signature is what TF Serving and
    # `saved_model_cli` use; it takes the inputs by name.
    import tensorflow as tf

    loaded = tf.saved_model.load(str(path))
    tensors = [tf.constant(feed[name]) for name in feed]
    answers = {"tf serve": loaded.serve(*tensors)["outputs"].numpy(),
               "tf serving_default":
                   loaded.signatures["serving_default"](**dict(zip(feed, tensors)))["outputs"]
                   .numpy()}

    # ## (b) `zoo.load`
    #
    # The Predictor verifies the manifest's checksums and picks the fastest backend
    # available (ONNX Runtime, then the XLA-compiled endpoint, then `serve`). Given raw
    # arrays it runs the model; given a DataFrame it builds the window itself, exactly
    # as `Forecaster.predict` does.
    answers[f"zoo.load ({predictor.backend})"] = predictor.run(*feed.values())
    frame = predictor.predict(df)
    pd.testing.assert_frame_equal(frame, forecaster.predict(df), rtol=RTOL, atol=ATOL)
    print(f"zoo.load backend: {predictor.backend}; DataFrame forecast matches "
          f"Forecaster.predict ({frame.index[0]:%Y-%m} .. {frame.index[-1]:%Y-%m})")

    # ## (c) ONNX Runtime
    #
    # `model.onnx` has the same input and output names as the SavedModel, so any ONNX
    # runtime (C++, C#, Java, JavaScript, ...) can serve it without TensorFlow.
    onnx_file = path / "model.onnx"
    if importlib.util.find_spec("onnxruntime") is None or not onnx_file.exists():
        print("ONNX Runtime check skipped: install the onnx extra (pip install 'zoo-ts[onnx]') "
              "before exporting to get model.onnx and onnxruntime")
    else:
        import onnxruntime as ort

        session = ort.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
        answers["onnxruntime"] = session.run(["outputs"], feed)[0]

    # ## Compare
    #
    # Every backend must agree with the in-memory model within the contract's float32
    # tolerances (`assert_allclose` raises otherwise).
    diffs = {name: compare(name, got, reference) for name, got in answers.items()}
    table = pd.DataFrame.from_dict(diffs, orient="index")
    table.index.name = "backend"
    print("\nAgreement with the in-memory model (allclose rtol=1e-5, atol=1e-5):")
    print(table.to_string(float_format=lambda v: f"{v:.2e}"))

    files = [out / "agreement.csv", out / "forecasts.csv"]
    table.to_csv(files[0])
    pd.DataFrame(reference[:, :, 0].T, columns=[f"from_{df.index[e - 1]:%Y-%m}" for e in ends]
                 ).to_csv(files[1], index_label="step")
    print("\nwrote " + ", ".join(str(f) for f in files) + f" and the artifact {path}")
    return {"metrics": diffs, "files": [str(f) for f in files], "artifact": str(path),
            "backend": predictor.backend}


if __name__ == "__main__":
    main()
