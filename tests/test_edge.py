"""Edge formats: model.tflite run by LiteRT's own interpreter and the OpenVINO IR run by
OpenVINO's own runtime match the SavedModel's ``serve``, raw values in and raw units out.

The models are exported here; both runtimes then run in ONE subprocess that cannot
import zoo or TensorFlow, as on an edge box. The default suite covers one model of each
kind (a quantile forecaster with ``future``, a masked variable-length classifier);
``-m slow`` covers every registered builder, as forecaster and classifier, and a labeller.
"""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

import zoo
from zoo.export import read_manifest

pytest.importorskip("ai_edge_litert")
pytest.importorskip("openvino")

EDGE = ["keras", "litert", "openvino"]


def _frame(n=72):
    t = np.arange(n)
    idx = pd.date_range("2000-01-01", periods=n, freq="MS")
    return pd.DataFrame({"y": 100 + 10 * np.sin(2 * np.pi * t / 12) + t,
                         "promo": (t % 5 == 0).astype(float)}, index=idx)


def _forecaster(model, **kw):
    from zoo.registry import get_spec

    # a model without known-ahead inputs reads promo as a past covariate
    future = ["promo"] if get_spec(model).future_covariates else None
    return zoo.Forecaster(model=model, lookback=12, horizon=3, units=4, epochs=1, verbose=0,
                          target="y", future_covariates=future, **kw).fit(_frame())


def _sequences(n=24, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(rng.integers(5, 12), 2)).astype("float32") for _ in range(n)]


def _feeds(p, rng, batch=5):
    """Raw inputs shaped like the edge signature (real values, varied per window)."""
    if p.task == "forecast":
        full = _frame(72 + p.horizon)
        future = full.iloc[72:][["promo"]] if "future" in p.input_names else None
        base = p.make_inputs(full.iloc[:72], future)
        return {k: (np.repeat(v, batch, 0) * (1 + 0.05 * rng.random((batch,) + v.shape[1:])))
                .astype("float32") for k, v in base.items()}
    shape = p.manifest["edge"]["inputs"]["inputs"]
    x = rng.normal(size=(batch, *shape[1:])).astype("float32")
    if p.manifest.get("pad_value") is not None:  # variable length: pad the tails
        for i in range(batch):
            x[i, 3 + i:] = p.manifest["pad_value"]
    return {"inputs": x}


RUNNER = textwrap.dedent("""
    import json, sys
    sys.modules["zoo"] = None; sys.modules["tensorflow"] = None  # the edge box has neither
    import numpy as np, openvino as ov
    from ai_edge_litert.interpreter import Interpreter
    worst = {}
    for case in json.load(open(sys.argv[1])):
        z = np.load(case["npz"])
        feeds = {k: z[k] for k in case["inputs"]}
        for b in (1, len(z["expected"])):
            part = {k: v[:b] for k, v in feeds.items()}
            lite = Interpreter(model_path=case["dir"] + "/model.tflite")
            out = lite.get_signature_runner("serving_default")(**part)["outputs"]
            cm = ov.Core().compile_model(case["dir"] + "/model.xml", "CPU",
                                         {"INFERENCE_PRECISION_HINT": "f32"})
            ov_out = cm(part)[cm.output("outputs")]
            for name, got in (("litert", out), ("openvino", ov_out)):
                ok = got.shape == z["expected"][:b].shape and np.allclose(
                    got, z["expected"][:b], rtol=1e-4, atol=1e-4)
                err = float(np.max(np.abs(got - z["expected"][:b]))) if got.shape == z["expected"][:b].shape else None
                worst.setdefault(case["name"], {})[f"{name}@{b}"] = [bool(ok), err]
    print(json.dumps(worst))
""")


def _run_edge(cases, tmp_path):
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    (tmp_path / "runner.py").write_text(RUNNER)
    proc = subprocess.run([sys.executable, str(tmp_path / "runner.py"),
                           str(tmp_path / "cases.json")], capture_output=True, text=True,
                          cwd=tmp_path, timeout=600, env=dict(os.environ, PYTHONPATH=""))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _check(estimators, tmp_path, max_length=None):
    rng = np.random.default_rng(0)
    cases = []
    for name, est in estimators.items():
        path = est.export(tmp_path / name, formats=EDGE, max_length=max_length.get(name)
                          if isinstance(max_length, dict) else None)
        manifest = read_manifest(path)
        assert {"model.tflite", "model.xml", "model.bin"} <= set(manifest["files"])
        assert manifest["edge"]["route"] == "unrolled"
        assert manifest["edge"]["litert"]["builtin_ops_only"] is True
        p = zoo.load(path, backend="serve")
        feeds = _feeds(p, rng)
        expected = p.run(*[feeds[n] for n in p.input_names])
        np.savez(tmp_path / f"{name}.npz", expected=expected, **feeds)
        cases.append({"name": name, "dir": str(path), "npz": str(tmp_path / f"{name}.npz"),
                      "inputs": p.input_names})
    result = _run_edge(cases, tmp_path)
    bad = {n: r for n, r in result.items() if not all(ok for ok, _ in r.values())}
    assert not bad, bad
    assert set(result) == set(estimators)


def test_edge_files_match_serve(tmp_path):
    clf = zoo.Classifier(model="bigru", units=4, epochs=1, verbose=0).fit(
        _sequences(), np.array(["a", "b", "c"] * 8))
    estimators = {  # every builder, both tasks, and a labeller: -m slow
        "lstm_future_quantiles": _forecaster("lstm", quantiles=[0.1, 0.5, 0.9]),
        "bigru_masked_classifier": clf,
    }
    _check(estimators, tmp_path, max_length={"bigru_masked_classifier": 14})


@pytest.mark.slow
def test_a_labeller_exports_to_both_edge_formats(tmp_path):
    lab_X = [np.random.default_rng(i).normal(size=(10 + i, 2)) for i in range(6)]
    lab_y = [np.where(np.arange(len(x)) < 5, "rest", "move") for x in lab_X]
    labeler = zoo.SequenceLabeler(model="gru", units=4, epochs=1, verbose=0).fit(lab_X, lab_y)
    _check({"gru_labeler": labeler}, tmp_path, max_length={"gru_labeler": 16})


@pytest.mark.slow
@pytest.mark.parametrize("model", zoo.list_models())
def test_every_builder_exports_to_both_edge_formats(model, tmp_path):
    from zoo.registry import get_spec

    tasks = get_spec(model).tasks
    models = {f"{model}_forecast": _forecaster(model)} if "forecast" in tasks else {}
    if "classify" in tasks:
        X = np.random.default_rng(1).normal(size=(24, 12, 2)).astype("float32")
        models[f"{model}_classify"] = zoo.Classifier(model=model, units=4, epochs=1,
                                                     verbose=0).fit(X, np.array(["a", "b"] * 12))
    _check(models, tmp_path)


def test_variable_length_needs_max_length_and_writes_nothing(tmp_path):
    clf = zoo.Classifier(units=4, epochs=1, verbose=0).fit(_sequences(), np.array(["a", "b"] * 12))
    with pytest.raises(ValueError, match="max_length"):
        clf.export(tmp_path / "clf", formats=["litert"])
    assert not any(tmp_path.iterdir())


def test_bad_formats_are_refused_before_writing(tmp_path):
    f = zoo.Forecaster(lookback=6, horizon=2, units=4, epochs=1, verbose=0).fit(_frame()[["y"]])
    for formats, error in (("litert", TypeError), (["tflite"], ValueError), ([3], ValueError),
                           (None, None)):
        if error is None:  # None keeps its meaning: keras and onnx, no edge files
            files = read_manifest(f.export(tmp_path / "ok", formats=formats))["files"]
            assert "model.keras" in files and "model.tflite" not in files
            continue
        with pytest.raises(error, match="formats"):
            f.export(tmp_path / "a", formats=formats)
        assert not any(tmp_path.iterdir())


def test_cli_train_formats_writes_the_edge_files(tmp_path, capsys):
    from zoo.cli import main

    out = tmp_path / "art"
    assert main(["train", "--data", "airline", "--lookback", "12", "--horizon", "3",
                 "--epochs", "1", "--units", "4", "--formats", "litert", "--max-length", "50",
                 "--out", str(out)]) == 0
    files = read_manifest(out)["files"]
    assert {"model.tflite", "model.keras", "saved_model.pb"} <= set(files)
    assert "model.xml" not in files
    assert read_manifest(out)["edge"]["max_length"] is None  # fixed length: not used
    capsys.readouterr()
    for bad in ("tflite", ",", "litert,gguf"):
        assert main(["train", "--data", "airline", "--epochs", "1", "--formats", bad,
                     "--out", str(tmp_path / "b")]) == 2
        printed, err = capsys.readouterr()
        assert "--formats" in err and "epoch" not in printed.lower(), (printed, err)
    assert not (tmp_path / "b").exists()


@pytest.mark.slow
def test_an_ensemble_exports_to_both_edge_formats(tmp_path):
    # the median's Minimum/Maximum layers and the members' nested graphs convert too
    _check({"lstm_ensemble": _forecaster("lstm", n_ensemble=3)}, tmp_path)
