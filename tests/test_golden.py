"""The committed golden artifact still loads and forecasts what it forecast when made.

saved_models/golden/ was written by saved_models/regenerate_golden.py; these tests
never regenerate it. They also walk the plain-TensorFlow routes the README shows:
``tf.saved_model.load`` in a process where ``import zoo`` fails, ``keras.layers.TFSMLayer``
and ``saved_model_cli show``.
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import zoo
from zoo.export import read_manifest

GOLDEN = Path(__file__).resolve().parent.parent / "saved_models" / "golden"
EXPECTED = json.loads((GOLDEN / "expected.json").read_text())
TOL = {"rtol": 1e-5, "atol": 1e-5}


def _history():
    return zoo.datasets.load(EXPECTED["history"]["dataset"]).loc[: EXPECTED["history"]["end"]]


def _expected_frame():
    return pd.DataFrame(EXPECTED["values"], columns=EXPECTED["columns"],
                        index=pd.DatetimeIndex(EXPECTED["index"]))


def test_expected_file_is_not_part_of_the_checksummed_artifact():
    m = read_manifest(GOLDEN)  # verifies every checksum
    assert "expected.json" not in m["files"]
    assert m["task"] == "forecast" and m["lookback"] == 12 and m["horizon"] == 6


@pytest.mark.parametrize("backend", ["serve", "xla", "onnx"])
def test_golden_forecast_is_unchanged(backend):
    if backend == "onnx":
        pytest.importorskip("onnxruntime")
    p = zoo.load(GOLDEN, backend=backend)
    assert p.backend == backend
    got = p.predict(_history())
    want = _expected_frame()
    assert list(got.columns) == list(want.columns)
    assert list(got.index) == list(want.index)
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), **TOL)


def test_golden_loads_as_an_estimator_that_continues_training():
    f = zoo.Forecaster.load(GOLDEN)
    np.testing.assert_allclose(f.predict(_history()).to_numpy(), _expected_frame().to_numpy(),
                               **TOL)
    before = [w.copy() for w in f.model_.get_weights()]
    f.model_.compile(optimizer="adam", loss="mse")
    arrays = zoo.load(GOLDEN).make_inputs(_history())
    target = np.full((1, 6, 1, 3), 400.0, "float32")
    f.model_.fit(arrays, target, epochs=1, verbose=0)
    assert any(not np.array_equal(a, b) for a, b in zip(before, f.model_.get_weights()))


def test_plain_tensorflow_and_tfsmlayer_match_zoo(tmp_path):
    arrays = zoo.load(GOLDEN, backend="serve").make_inputs(_history())
    want = _expected_frame().to_numpy()[:, 1:]  # the quantile columns, [horizon, 3]
    np.savez(tmp_path / "in.npz", **arrays)
    script = textwrap.dedent(f"""
        import sys
        sys.modules["zoo"] = None  # import zoo must fail here
        try:
            import zoo
        except ImportError:
            pass
        else:
            raise SystemExit("zoo was importable")
        import numpy as np, tensorflow as tf
        d = np.load({str(tmp_path / 'in.npz')!r})
        m = tf.saved_model.load({str(GOLDEN)!r})
        out = m.serve(d["inputs"], d["future"])["outputs"].numpy()
        np.save({str(tmp_path / 'out.npy')!r}, out)
    """)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    np.testing.assert_allclose(np.load(tmp_path / "out.npy")[0, :, 0, :], want, **TOL)

    import keras

    layer = keras.layers.TFSMLayer(str(GOLDEN), call_endpoint="serve")
    out = layer(arrays["inputs"], future=arrays["future"])
    out = out["outputs"] if isinstance(out, dict) else out
    np.testing.assert_allclose(np.asarray(out)[0, :, 0, :], want, **TOL)


def test_saved_model_cli_shows_the_signature():
    cli = Path(sys.executable).parent / "saved_model_cli"
    cli = str(cli) if cli.exists() else shutil.which("saved_model_cli")
    if cli is None:
        pytest.skip("saved_model_cli is not on PATH")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run([cli, "show", "--dir", str(GOLDEN), "--all"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = proc.stdout
    assert "signature_def['serving_default']" in text
    assert "inputs['inputs']" in text and "shape: (-1, 12, 3)" in text
    assert "inputs['future']" in text and "shape: (-1, 6, 2)" in text
    assert "outputs['outputs']" in text and "shape: (-1, 6, 1, 3)" in text
