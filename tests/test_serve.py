"""``zoo serve``: the real server (uvicorn, started as the README says) on a free loopback
port, driven over HTTP with TensorFlow Serving's request formats; and the TF Serving
version layout (``zoo.export_serving`` / ``zoo export-serving``)."""

import json
import os
import socket
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest

import zoo
from zoo.cli import main

httpx = pytest.importorskip("httpx")
pytest.importorskip("starlette")
pytest.importorskip("uvicorn")


def _frame(n=60):
    t = np.arange(n)
    idx = pd.date_range("2001-01-01", periods=n, freq="MS")
    return pd.DataFrame({"y": 50 + 5 * np.sin(2 * np.pi * t / 12) + 0.5 * t,
                         "promo": (t % 4 == 0).astype(float)}, index=idx)


LIMIT = 300_000  # --max-body-bytes of the test server


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, args):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
        self.proc = subprocess.Popen([sys.executable, "-m", "zoo", "serve", *args,
                                      "--port", str(self.port)], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.client = httpx.Client(base_url=self.url, timeout=30)
        deadline = time.time() + 120
        while time.time() < deadline:
            assert self.proc.poll() is None, self.proc.communicate()[1][-3000:]
            try:
                self.client.get("/v1/models/x")
                return
            except httpx.TransportError:
                time.sleep(0.3)
        raise AssertionError("the server did not start")

    def close(self):
        self.client.close()
        self.proc.terminate()
        return self.proc.communicate(timeout=30)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve")
    df = _frame()
    fc = zoo.Forecaster(lookback=12, horizon=3, units=4, epochs=1, verbose=0,
                        future_covariates=["promo"]).fit(df)
    fc_path = fc.export(root / "sales")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 10, 2)).astype("float32")
    y = np.array(["a", "b", "c"] * 10)
    clf_path = zoo.Classifier(units=4, epochs=1, verbose=0).fit(X, y).export(root / "clf")
    base = root / "repo"
    zoo.export_serving(clf_path, base, name="versioned")
    zoo.export_serving(clf_path, base, name="versioned")  # version 2
    # one server process (each loads TensorFlow); the limit sits above every test body
    server = Server([str(fc_path), "--name", f"kinds={clf_path}", str(base / "versioned"),
                     "--max-body-bytes", str(LIMIT)])
    yield {"server": server, "fc": fc_path, "clf": clf_path, "df": df, "X": X, "base": base}
    _, err = server.close()
    assert "Traceback" not in err, err[-3000:]


def _feeds(path, df):
    p = zoo.load(path)
    future = pd.DataFrame({"promo": [1.0, 0.0, 0.0]},
                          index=pd.date_range(df.index[-1], periods=4, freq="MS")[1:])
    return p, {k: v for k, v in p.make_inputs(df, future).items()}, future


def test_status_and_metadata_as_tf_serving_shapes_them(served):
    c = served["server"].client
    status = c.get("/v1/models/sales").json()
    assert status == {"model_version_status": [{"version": "1", "state": "AVAILABLE", "status":
                                                {"error_code": "OK", "error_message": ""}}]}
    assert c.get("/v1/models/sales/versions/1").status_code == 200
    meta = c.get("/v1/models/sales/metadata").json()
    sig = meta["metadata"]["signature_def"]["signature_def"]["serving_default"]
    assert meta["model_spec"] == {"name": "sales", "signature_name": "", "version": "1"}
    assert set(sig["inputs"]) == {"inputs", "future"}
    dims = [int(d["size"]) for d in sig["outputs"]["outputs"]["tensor_shape"]["dim"]]
    assert dims == [-1, 3, 1]
    # the base directory serves its highest version, like TF Serving
    assert c.get("/v1/models/versioned").json()["model_version_status"][0]["version"] == "2"


def test_row_and_columnar_predictions_equal_the_predictor(served):
    c = served["server"].client
    p, feeds, _ = _feeds(served["fc"], served["df"])
    x = np.concatenate([feeds["inputs"], feeds["inputs"] * 1.1])
    fut = np.concatenate([feeds["future"], feeds["future"]])
    want = p.predict(x, fut)
    rows = {"instances": [{"inputs": a.tolist(), "future": b.tolist()} for a, b in zip(x, fut)]}
    got = c.post("/v1/models/sales:predict", json=rows)
    assert got.status_code == 200, got.text
    np.testing.assert_allclose(np.array(got.json()["predictions"]), want, rtol=1e-5, atol=1e-5)
    cols = {"signature_name": "serve",  # every SavedModel endpoint computes `outputs`
            "inputs": {"inputs": x.tolist(), "future": fut.tolist()}}
    got = c.post("/v1/models/sales/versions/1:predict", json=cols).json()
    np.testing.assert_allclose(np.array(got["outputs"]), want, rtol=1e-5, atol=1e-5)


def test_a_classifier_answers_its_probabilities(served):
    c = served["server"].client
    X = served["X"][:4]
    want = zoo.load(served["clf"]).predict_proba(X)
    for name in ("kinds", "versioned"):
        got = c.post(f"/v1/models/{name}:predict", json={"instances": X.tolist()}).json()
        np.testing.assert_allclose(np.array(got["predictions"]), want, rtol=1e-5, atol=1e-5)
    named = {"instances": [{"inputs": x.tolist()} for x in X]}
    got = c.post("/v1/models/kinds:predict", json=named).json()
    np.testing.assert_allclose(np.array(got["predictions"]), want, rtol=1e-5, atol=1e-5)
    got = c.post("/v1/models/versioned/versions/2:predict", json={"inputs": X.tolist()}).json()
    np.testing.assert_allclose(np.array(got["outputs"]), want, rtol=1e-5, atol=1e-5)


def test_forecast_takes_records_and_answers_the_forecast_frame(served):
    c = served["server"].client
    df = served["df"]
    p, _, future = _feeds(served["fc"], df)
    history = [{"ds": t.isoformat(), "y": float(r.y), "promo": float(r.promo)}
               for t, r in df.iterrows()]
    fut = [{"ds": t.isoformat(), "promo": float(v)} for t, v in future["promo"].items()]
    got = c.post("/v1/models/sales:forecast", json={"history": history, "future": fut})
    assert got.status_code == 200, got.text
    want = p.predict(df, future)
    records = got.json()["forecast"]
    assert [r["ds"][:10] for r in records] == [t.strftime("%Y-%m-%d") for t in want.index]
    np.testing.assert_allclose([r["y"] for r in records], want["y"], rtol=1e-5)


BAD = [  # (path, body bytes, status, a word the error names)
    ("/v1/models/sales:predict", b"{not json", 400, "JSON"),
    ("/v1/models/sales:predict", b"", 400, "JSON"),
    ("/v1/models/sales:predict", b"[1, 2]", 400, "object"),
    ("/v1/models/sales:predict", b'{"instances": [], "inputs": []}', 400, "not both"),
    ("/v1/models/sales:predict", b'{"instances": []}', 400, "non-empty"),
    ("/v1/models/sales:predict", b'{"rows": [1]}', 400, "instances"),
    ("/v1/models/sales:predict", b'{"instances": [[1, 2]]}', 400, "named inputs"),
    ("/v1/models/sales:predict", b'{"instances": [{"inputs": [[1]], "extra": 1}]}', 400,
     "unknown input"),
    ("/v1/models/sales:predict", b'{"inputs": {"inputs": [[[1, 2, 3]]], "future": [[[1]]]}}',
     400, "shaped"),
    ("/v1/models/sales:predict", b'{"inputs": {"inputs": "abc", "future": [1]}}', 400, "inputs"),
    ("/v1/models/sales:predict", b'{"instances": [{"inputs": [[1]], "future": [[1]]}, '
     b'{"inputs": [[1, 2]], "future": [[1]]}]}', 400, "rectangular"),
    ("/v1/models/sales:predict", b'{"inputs": {"inputs": [[[1]]]}}', 400, "missing input"),
    ("/v1/models/sales:predict", b'{"signature_name": "other", "inputs": [1]}', 400,
     "signature_name"),
    ("/v1/models/kinds:forecast", b'{"history": [{"y": 1}]}', 400, "forecasters"),
    ("/v1/models/sales:forecast", b'{"history": [{"ds": "2001-01-01", "z": 1}]}', 400,
     "missing"),
    ("/v1/models/sales:forecast", b'{"history": 3}', 400, "history"),
    ("/v1/models/sales:forecast", b'{"history": [{"ds": "nope", "y": 1}]}', 400, "ds"),
    ("/v1/models/kinds:predict", b'{"instances": [[["1", "2"]]]}', 400, "strings"),
    ("/v1/models/kinds:predict", b'{"instances": [[[true, false]]]}', 400, "booleans"),
    ("/v1/models/kinds:predict", b'{"instances": [[[null, 1]]]}', 400, "nulls"),
    ("/v1/models/kinds:predict", b'{"instances": [[[NaN, 1]]]}', 400, "finite|JSON"),
    ("/v1/models/kinds:predict", b'{"instances": [[[1e39, 1]]]}', 400, "float32"),
    ("/v1/models/kinds:predict", b'{"instances": ' + b"[" * 100000 + b"]" * 100000 + b"}", 400,
     "JSON"),
    ("/v1/models/sales:predict", json.dumps({"inputs": {  # 2 windows, 1 future
        "inputs": [[[1.0, 0.0, 0.0, 0.0]] * 12] * 2, "future": [[[1.0, 0.0, 0.0]] * 3]}}).encode(),
     400, "same number"),
    ("/v1/models/sales:forecast", b'{"history": null}', 400, "history"),
    ("/v1/models/sales:forecast", b'{"history": [{"y": 1, "promo": 0}]}', 400, "ds"),
    ("/v1/models/sales:forecast", b'{"history": [{"ds": 5, "y": 1, "promo": 0}]}', 400,
     "strings"),
    ("/v1/models/sales:forecast", b'{"history": [{"ds": "2001-01-01", "y": 1e300, '
     b'"promo": 0}]}', 400, "float32"),
    ("/v1/models/sales:forecast", b'{"history": [{"ds": "2001-01-01", "y": "7", '
     b'"promo": 0}]}', 400, "numbers"),
    ("/v1/models/nope:predict", b"{}", 404, "not served"),
    ("/v1/models/sales/versions/7:predict", b"{}", 404, "version"),
    ("/v1/models/sales:regress", b"{}", 404, "predict"),
]


@pytest.mark.parametrize("path, body, status, word", BAD,
                         ids=[f"{i}-{b[2]}" for i, b in enumerate(BAD)])
def test_bad_requests_get_json_errors_and_the_server_stays_up(served, path, body, status, word):
    c = served["server"].client
    got = c.post(path, content=body, headers={"content-type": "application/json"})
    assert got.status_code == status, got.text
    message = got.json()["error"]
    assert any(w.lower() in message.lower() for w in word.split("|")), message
    assert "Traceback" not in message
    assert c.get("/v1/models/sales").status_code == 200


def test_unknown_routes_and_methods(served):
    c = served["server"].client
    assert c.head("/v1/models/sales").status_code == 200
    assert c.get("/v1/models/sales/versions/01").status_code == 200  # TF Serving reads an int
    assert c.put("/v1/models/sales").headers["allow"] == "GET, HEAD, POST"
    assert c.get("/v2/health").status_code == 404
    assert "error" in c.get("/v2/health").json()
    assert c.get("/v1/models/nope").status_code == 404
    assert c.get("/v1/models/sales/versions/3/metadata").status_code == 404
    assert c.delete("/v1/models/sales").status_code == 405


def test_bodies_over_the_limit_get_413_declared_or_chunked(served):
    c = served["server"].client
    rows = np.repeat(served["X"], 40, axis=0)
    big = json.dumps({"instances": rows.tolist()}).encode()
    assert len(big) > LIMIT
    got = c.post("/v1/models/kinds:predict", content=big)
    assert got.status_code == 413 and "limit" in got.json()["error"]

    def chunks():
        for i in range(0, len(big), 50_000):
            yield big[i:i + 50_000]
    got = c.post("/v1/models/kinds:predict", content=chunks())  # no Content-Length
    assert got.status_code == 413
    small = {"instances": served["X"][:1].round(2).tolist()}
    assert c.post("/v1/models/kinds:predict", json=small).status_code == 200


def test_export_serving_layout_loads_in_plain_tensorflow(served, tmp_path):
    base = tmp_path / "models"
    v1 = zoo.export_serving(served["fc"], base)
    assert v1 == base / "sales" / "1" and (v1 / "saved_model.pb").is_file()
    assert main(["export-serving", str(served["fc"]), str(base), "--version", "5"]) == 0
    assert zoo.export_serving(served["fc"], base) == base / "sales" / "6"
    assert not any(p.is_symlink() for p in base.rglob("*"))
    assert sorted(p.name for p in (base / "sales").iterdir()) == ["1", "5", "6"]
    with pytest.raises(ValueError, match="exists already"):
        zoo.export_serving(served["fc"], base, version=5)
    p, feeds, _ = _feeds(served["fc"], served["df"])
    want = p.predict(feeds["inputs"], feeds["future"])
    np.savez(tmp_path / "feeds.npz", **feeds)
    code = textwrap.dedent(f"""
        import sys; sys.modules["zoo"] = None
        import numpy as np, tensorflow as tf
        z = np.load({str(tmp_path / "feeds.npz")!r})
        m = tf.saved_model.load({str(base / "sales" / "6")!r})
        out = m.signatures["serving_default"](inputs=z["inputs"], future=z["future"])
        print(np.asarray(out["outputs"]).ravel().tolist())
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(got, want.ravel(), rtol=1e-5, atol=1e-5)


def test_export_serving_refuses_bad_input_and_writes_nothing(served, tmp_path, capsys):
    base = tmp_path / "models"
    with pytest.raises(ValueError, match="zoo artifact"):
        zoo.export_serving(tmp_path, base)
    with pytest.raises(ValueError, match="name"):
        zoo.export_serving(served["fc"], base, name="../escape")
    with pytest.raises(ValueError, match="version"):
        zoo.export_serving(served["fc"], base, version=0)
    assert not base.exists()
    (tmp_path / "other" / "m" / "3").mkdir(parents=True)  # a plain SavedModel version, say
    assert zoo.export_serving(served["fc"], tmp_path / "other", name="m").name == "4"
    assert main(["export-serving", str(tmp_path / "absent"), str(base)]) == 2
    assert "export-serving: error" in capsys.readouterr().err
    assert not base.exists()


def test_serve_refuses_bad_arguments_in_one_line(tmp_path, capsys):
    for argv, word in ([["serve", str(tmp_path)], "neither"], [["serve"], "at least one"],
                       [["serve", str(tmp_path / "no")], "does not exist"],
                       [["serve", "--name", "x", str(tmp_path)], "NAME=DIR"],
                       [["serve", "--port", "70000", str(tmp_path)], "--port"],
                       [["serve", "--name", f"a={tmp_path}", "--name", f"a={tmp_path}"],
                        "twice"]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert word in err and len(err.splitlines()) == 1, err


def test_concurrent_requests_are_batched_and_each_gets_its_own_answer(served):
    from concurrent.futures import ThreadPoolExecutor

    p, feeds, _ = _feeds(served["fc"], served["df"])
    scales = np.linspace(0.8, 1.2, 64)
    want = p.predict(feeds["inputs"] * scales[:, None, None],
                     np.repeat(feeds["future"], 64, 0))

    def one(i):
        body = {"instances": [{"inputs": (feeds["inputs"][0] * scales[i]).tolist(),
                               "future": feeds["future"][0].tolist()}]}
        with httpx.Client(base_url=served["server"].url, timeout=30) as c:
            return np.array(c.post("/v1/models/sales:predict", json=body).json()["predictions"])

    with ThreadPoolExecutor(16) as pool:
        got = np.concatenate(list(pool.map(one, range(64))))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


class _Recorder:
    """A stand-in predictor: doubles its input, fails on a marked shape, records calls."""

    def __init__(self):
        self.calls = []

    def compute(self, feeds):
        self.calls.append([f.shape for f in feeds])
        if feeds[0].shape[1] == 3:
            raise ValueError("bad shape 3")
        return feeds[0] * 2


def test_the_batcher_groups_by_shape_and_isolates_failures():
    import asyncio

    from zoo.serving.batching import Batcher

    rec = _Recorder()
    batcher = Batcher(rec, max_rows=10)
    items = [np.full((1 + i % 3, 2 + 2 * (i % 2), 1), i, "float32") for i in range(12)]
    items.append(np.zeros((1, 3, 1), "float32"))

    async def go():
        return await asyncio.gather(*(batcher.submit([x]) for x in items),
                                    return_exceptions=True)
    try:
        got = asyncio.run(go())
    finally:
        batcher.close()
    for x, out in zip(items[:-1], got[:-1]):
        np.testing.assert_array_equal(out, x * 2)
    assert isinstance(got[-1], ValueError)
    assert all(len({s[1:] for s in call}) == 1 for call in rec.calls)  # one shape per call
    assert len(rec.calls) < len(items)  # requests shared calls
    assert max(call[0][0] for call in rec.calls) <= 10 + 2  # max_rows, plus one request


@pytest.mark.parametrize("module", ["zoo.serving.batching", "zoo.serving.app",
                                    "zoo.serving.layout", "zoo.edge_export"])
def test_the_docstring_examples_run(module, monkeypatch):
    import doctest
    import importlib
    from pathlib import Path

    monkeypatch.chdir(Path(__file__).resolve().parent.parent)  # they read saved_models/golden
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted and not result.failed


def test_the_batcher_answers_each_event_loop_and_survives_a_closed_one():
    import asyncio
    import threading

    from zoo.serving.batching import Batcher

    class Slow(_Recorder):
        def compute(self, feeds):
            time.sleep(0.3)
            return feeds[0] * 2

    batcher = Batcher(Slow())
    x = np.ones((1, 2, 1), "float32")
    got = {}

    def in_its_own_loop(name):
        got[name] = asyncio.run(asyncio.wait_for(batcher.submit([x]), 5))

    threads = [threading.Thread(target=in_its_own_loop, args=(n,)) for n in "ab"]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(got) == {"a", "b"} and time.time() - t0 < 3  # neither waited for its timeout

    async def give_up():  # the loop closes while the worker still computes its request
        try:
            await asyncio.wait_for(batcher.submit([x]), 0.05)
        except asyncio.TimeoutError:
            pass
    asyncio.run(give_up())
    time.sleep(0.5)
    np.testing.assert_array_equal(asyncio.run(batcher.submit([x])), x * 2)  # still alive
    batcher.close()
    with pytest.raises(RuntimeError, match="closed"):
        asyncio.run(batcher.submit([x]))
