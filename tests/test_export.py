"""The artifact contract: layout, zoo-free loading, atomic writes, verification, Predictor."""

import json
import os
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pandas as pd
import pytest

import zoo
from zoo.export import read_manifest


def _series(n=96, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 100 + 10 * np.sin(2 * np.pi * t / 12) + t * 0.5 + rng.normal(0, 1, n)
    idx = pd.date_range("2000-01-01", periods=n, freq="MS")
    return pd.DataFrame({"y": y, "promo": (t % 5 == 0).astype(float)}, index=idx)


KNOWN_BIAS = 0.25


def _known_output(model, bias):
    """Zeroes the forecast head's kernel and sets its bias, so the network outputs ``bias``."""
    (head,) = [l for l in model._flatten_layers() if l.name == "forecast_dense"]
    kernel, b = head.get_weights()
    head.set_weights([np.zeros_like(kernel), np.full_like(b, bias)])


def _closed_form(f, windows):
    """The raw forecast of a log-scaled model whose network outputs KNOWN_BIAS everywhere."""
    scale = f.scaling_stats_["target_scale"][0]
    level = np.log(windows[..., 0]).mean(axis=1)
    return np.exp(level + KNOWN_BIAS * scale)[:, None, None] * np.ones((1, f.horizon, 1))


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory):
    root = tmp_path_factory.mktemp("artifacts")
    df = _series()
    fc = zoo.Forecaster(lookback=12, horizon=4, units=4, epochs=2, quantiles=[0.1, 0.5, 0.9],
                        future_covariates=["promo"], calendar_features=True).fit(df)
    rng = np.random.default_rng(1)
    seqs = [rng.normal(size=(rng.integers(5, 12), 2)) for _ in range(24)]
    labels = np.array(["up", "down", "flat"] * 8)
    clf = zoo.Classifier(units=4, epochs=2).fit(seqs, labels)
    # a forecaster whose raw output is known in closed form: it guards the scaling layers
    known = zoo.Forecaster(lookback=12, horizon=4, units=4, epochs=1, log=True,
                           calendar_features=False).fit(df[["y"]])
    _known_output(known.model_, KNOWN_BIAS)
    return {
        "df": df, "fc": fc, "fc_path": fc.export(root / "fc"),
        "seqs": seqs, "clf": clf, "clf_path": clf.export(root / "clf"), "root": root,
        "known": known, "known_path": known.export(root / "known"),
    }


def test_layout_and_manifest(artifacts):
    path = artifacts["fc_path"]
    names = set(os.listdir(path))
    assert {"saved_model.pb", "variables", "zoo.json", "model.keras"} <= names
    m = read_manifest(path)
    assert m["task"] == "forecast" and m["lookback"] == 12 and m["horizon"] == 4
    assert m["format_version"] == 2
    # the columns in the order of the inputs' last axis: target, future covariate, calendar
    assert m["inputs"] == ["y", "promo", "month_sin", "month_cos"]
    assert m["future_inputs"] == ["promo", "month_sin", "month_cos"]
    assert m["signature"]["inputs"] == {"inputs": [None, 12, 4], "future": [None, 4, 3]}
    # each fact once: lookback and horizon are top-level facts only
    assert not {"lookback", "horizon", "model", "quantiles"} & set(m["params"])
    assert not {"input_shape", "horizon", "n_future", "task"} & set(m["model_kwargs"])
    assert m["quantiles"] == [0.1, 0.5, 0.9]
    assert m["frequency"] == "MS" and m["last_timestamp"].startswith("2007-12-01")
    assert "model" in m["metrics"]["validation"] and "naive" in m["metrics"]["validation"]
    # the validation tail chose the epochs, and the scores are the pre-refit model's
    assert m["metrics"]["validation_scope"]["scored_model"] == "before the refit on all data"
    assert "the refit's epoch count" in m["metrics"]["validation_scope"]["validation_chose"]
    assert all(len(v) == 64 for v in m["files"].values())
    assert {"model.keras", "saved_model.pb"} <= set(m["files"])
    assert {"zoo", "tensorflow", "keras"} <= set(m["versions"])


def test_plain_tensorflow_without_zoo_matches_in_memory(artifacts, tmp_path):
    fc, clf = artifacts["fc"], artifacts["clf"]
    rng = np.random.default_rng(2)
    cases = {}
    for batch in (1, 7):
        x = (100 + 10 * rng.normal(size=(batch, 12, 4))).astype("float32")
        f = rng.normal(size=(batch, 4, 3)).astype("float32")
        cases[f"fc_{batch}"] = (x, f, np.asarray(fc.model_({"inputs": x, "future": f})))
        seq = rng.normal(size=(batch, 9, 2)).astype("float32")
        cases[f"clf_{batch}"] = (seq, None, np.asarray(clf.model_(seq)))
        raw = (50 + 100 * rng.random(size=(batch, 12, 1))).astype("float32")
        cases[f"known_{batch}"] = (raw, None, _closed_form(artifacts["known"], raw))
    np.savez(tmp_path / "in.npz", **{f"{k}_x": v[0] for k, v in cases.items()},
             **{f"{k}_f": v[1] for k, v in cases.items() if v[1] is not None})
    script = textwrap.dedent(f"""
        import sys
        sys.modules["zoo"] = None
        import numpy as np, tensorflow as tf
        d = np.load({str(tmp_path / 'in.npz')!r})
        fc = tf.saved_model.load({str(artifacts['fc_path'])!r})
        clf = tf.saved_model.load({str(artifacts['clf_path'])!r})
        known = tf.saved_model.load({str(artifacts['known_path'])!r})
        sig = fc.signatures["serving_default"]
        out = {{}}
        for b in (1, 7):
            out[f"fc_{{b}}"] = fc.serve(d[f"fc_{{b}}_x"], d[f"fc_{{b}}_f"])["outputs"].numpy()
            out[f"sig_{{b}}"] = sig(inputs=tf.constant(d[f"fc_{{b}}_x"]), future=tf.constant(d[f"fc_{{b}}_f"]))["outputs"].numpy()
            out[f"clf_{{b}}"] = clf.serve(d[f"clf_{{b}}_x"])["outputs"].numpy()
            out[f"known_{{b}}"] = known.serve(d[f"known_{{b}}_x"])["outputs"].numpy()
        np.savez({str(tmp_path / 'out.npz')!r}, **out)
    """)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = np.load(tmp_path / "out.npz")
    for batch in (1, 7):
        np.testing.assert_allclose(got[f"fc_{batch}"], cases[f"fc_{batch}"][2], rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(got[f"sig_{batch}"], cases[f"fc_{batch}"][2], rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(got[f"clf_{batch}"], cases[f"clf_{batch}"][2], rtol=1e-5, atol=1e-5)
        # raw units known in closed form, not only agreement with the in-memory model
        np.testing.assert_allclose(got[f"known_{batch}"], cases[f"known_{batch}"][2], rtol=1e-5)
    assert got["fc_7"].shape == (7, 4, 1, 3)
    assert np.all(np.diff(got["fc_7"], axis=-1) >= 0)  # sorted quantiles


def test_no_cudnn_ops_in_the_graph(artifacts):
    import tensorflow as tf

    loaded = tf.saved_model.load(str(artifacts["fc_path"]))
    graph = loaded.signatures["serving_default"].graph.as_graph_def()
    ops = {n.op for n in graph.node} | {n.op for f in graph.library.function for n in f.node_def}
    assert ops, "empty graph"
    assert not [o for o in ops if "Cudnn" in o]


def test_existing_path_needs_overwrite_and_overwrite_swaps(artifacts):
    fc, path = artifacts["fc"], artifacts["fc_path"]
    with pytest.raises(FileExistsError):
        fc.export(path)
    assert "model.onnx" in read_manifest(path)["files"]
    (path / "plot.png").write_bytes(b"not listed")  # files added later are ignored
    read_manifest(path)
    fc.export(path, overwrite=True, formats=("keras",))
    # the whole directory was replaced: the extra file and the ONNX model are gone, and the
    # manifest lists exactly the files on disk
    on_disk = {p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()}
    listed = set(read_manifest(path)["files"])
    assert listed == on_disk - {"zoo.json"} and "model.onnx" not in on_disk
    assert "plot.png" not in on_disk and "model.keras" in listed
    assert not [p for p in path.parent.iterdir() if ".zoo-tmp-" in p.name or ".zoo-old-" in p.name]


def test_stale_temporary_sibling_is_cleaned(artifacts, tmp_path):
    stale = tmp_path / ".model.zoo-tmp-999999-deadbeef"
    stale.mkdir()
    (stale / "junk").write_text("half-written")
    artifacts["fc"].export(tmp_path / "model", formats=())
    assert not stale.exists()
    assert (tmp_path / "model" / "zoo.json").is_file()


def test_crash_during_export_leaves_previous_artifact(artifacts, tmp_path, monkeypatch):
    fc = artifacts["fc"]
    path = fc.export(tmp_path / "model", formats=())
    manifest = (path / "zoo.json").read_text()

    def boom(*args, **kwargs):
        raise RuntimeError("simulated crash")

    monkeypatch.setattr("zoo.export.write_saved_model", boom)
    with pytest.raises(RuntimeError):
        fc.export(path, overwrite=True)
    assert (path / "zoo.json").read_text() == manifest
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def _copy(path, dest):
    import shutil

    shutil.copytree(path, dest)
    return dest


def test_tampered_truncated_bad_json_and_newer_format_are_refused(artifacts, tmp_path):
    src = artifacts["clf_path"]
    tampered = _copy(src, tmp_path / "tampered")
    with open(tampered / "model.keras", "ab") as fh:
        fh.write(b"x")
    with pytest.raises(ValueError, match="checksum"):
        zoo.load(tampered)
    truncated = _copy(src, tmp_path / "truncated")
    var = next((truncated / "variables").glob("*.data*"))
    var.write_bytes(var.read_bytes()[:10])
    with pytest.raises(ValueError, match="checksum"):
        zoo.load(truncated)
    bad = _copy(src, tmp_path / "badjson")
    (bad / "zoo.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        zoo.load(bad)
    newer = _copy(src, tmp_path / "newer")
    m = json.loads((newer / "zoo.json").read_text())
    m["format_version"] = 99
    (newer / "zoo.json").write_text(json.dumps(m))
    with pytest.raises(ValueError, match="format"):
        zoo.load(newer)
    with pytest.raises(ValueError, match="not a zoo artifact"):
        zoo.load(tmp_path)


def test_predictor_backends_agree_with_estimator(artifacts):
    fc, df = artifacts["fc"], artifacts["df"]
    future = pd.DataFrame({"promo": [1.0, 0.0, 0.0, 1.0]},
                          index=pd.date_range(df.index[-1], periods=5, freq="MS")[1:])
    expected = fc.predict(df, future_df=future)
    for backend in ("serve", "xla", "auto"):
        p = zoo.load(artifacts["fc_path"], backend=backend)
        got = p.predict(df, future_df=future)
        assert list(got.columns) == list(expected.columns)
        assert got.index.equals(expected.index)
        np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-5, atol=1e-4)
    with pytest.raises(ValueError, match="backend"):
        zoo.load(artifacts["fc_path"], backend="gpu")


def test_predictor_classifier_and_thread_safety(artifacts):
    clf, seqs = artifacts["clf"], artifacts["seqs"]
    p = zoo.load(artifacts["clf_path"])
    assert p.manifest["pad_value"] == clf.pad_value_
    np.testing.assert_array_equal(p.predict(seqs), clf.predict(seqs))
    np.testing.assert_allclose(p.predict_proba(seqs), clf.predict_proba(seqs), rtol=1e-5, atol=1e-6)
    single = p.predict_proba(seqs)
    results, errors = [None] * 8, []

    def work(i):
        try:
            results[i] = p.predict_proba(seqs)
        except Exception as err:  # noqa: BLE001
            errors.append(err)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for r in results:
        np.testing.assert_array_equal(r, single)


def test_estimators_load_back_and_continue(artifacts):
    fc = zoo.Forecaster.load(artifacts["fc_path"])
    df = artifacts["df"]
    future = pd.DataFrame({"promo": [0.0] * 4},
                          index=pd.date_range(df.index[-1], periods=5, freq="MS")[1:])
    np.testing.assert_allclose(fc.predict(df, future_df=future).to_numpy(),
                               artifacts["fc"].predict(df, future_df=future).to_numpy(),
                               rtol=1e-6)
    clf = zoo.Classifier.load(artifacts["clf_path"])
    np.testing.assert_array_equal(clf.predict(artifacts["seqs"]),
                                  artifacts["clf"].predict(artifacts["seqs"]))
    with pytest.raises(ValueError, match="forecast"):
        zoo.Classifier.load(artifacts["fc_path"])


@pytest.mark.parametrize("backend", ["serve", "xla", "onnx"])
def test_every_backend_returns_the_raw_units_known_in_closed_form(artifacts, backend):
    if backend == "onnx":
        pytest.importorskip("onnxruntime")
    known, df = artifacts["known"], artifacts["df"][["y"]]
    p = zoo.load(artifacts["known_path"], backend=backend)
    for history in (df, df.iloc[:50]):
        want = _closed_form(known, history.to_numpy()[-12:][None])[0, :, 0]
        np.testing.assert_allclose(p.predict(history)["y"].to_numpy(), want, rtol=1e-5)
