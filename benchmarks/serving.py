"""Serving benchmark: `zoo serve` under closed-loop load, beside a bare ASGI floor.

Trains a small LSTM Airline forecaster, exports it, and starts ``python -m zoo serve``
on it as a user would (loopback only). A load generator in a process of its own runs
closed-loop clients for a fixed time (and at most a fixed number of requests): each
client is a thread with its own keep-alive ``http.client`` connection that sends a
TensorFlow Serving REST request (``POST /v1/models/airline:predict``), reads the whole
answer, and sends the next. It reports requests/s, p50/p99 latency, errors (non-200
answers, broken connections) and wrong answers (each forecast checked against the
model's direct predictions, ``zoo.load(path).run``), for requests of one window and of
64 windows. Two reference rows: the floor, a bare Starlette handler returning a
constant, served by uvicorn with the server's settings and loaded the same way; and
the model's raw ONNX Runtime call in-process, the cost of the forecast itself.

Usage:
    python benchmarks/serving.py [--clients 32] [--seconds 30] [--smoke]

Writes the ``serving`` section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from benchmarks._results import parser, publish

MODEL = "airline"  # `zoo serve DIR` serves the artifact under its directory's name
PREDICT = f"/v1/models/{MODEL}:predict"
HEADERS = {"Content-Type": "application/json"}
P99_TARGET_MS = 25.0


# --- the load generator (run as `serving.py --loadgen SETTINGS.json`) ----------------

def loadgen(settings: dict) -> dict:
    """Closed-loop load from ``clients`` threads for ``seconds`` (or ``max_requests``)."""
    body = settings["body"].encode()
    expected = None if settings["expected"] is None else np.asarray(settings["expected"])
    good = set()  # answers already checked right: byte-identical repeats skip the parse
    counter = itertools.count()  # next() on it is atomic under the GIL: the request cap
    results, problems = [], []
    clock = {}

    def go():  # run once all clients are warm and waiting: the measured window opens
        clock["t0"] = time.perf_counter()
        clock["deadline"] = clock["t0"] + settings["seconds"]

    start = threading.Barrier(settings["clients"] + 1, action=go)

    def note(problem: str):  # the first few, for the report
        if len(problems) < 5:
            problems.append(problem)

    def right(data: bytes) -> bool:
        if expected is None or data in good:
            return True
        try:
            ok = np.allclose(np.asarray(json.loads(data)["predictions"], dtype=float),
                             expected, rtol=1e-4, atol=1e-4)
        except (ValueError, KeyError, TypeError):
            ok = False
        if ok and len(good) < 256:
            good.add(data)
        elif not ok:
            note(f"wrong answer: {data[:200]!r}")
        return ok

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", settings["port"], timeout=30)
        lat, errors, wrong = [], 0, 0
        try:  # one request each before the clock starts: connections open, server warm
            conn.request("POST", PREDICT, body, HEADERS)
            conn.getresponse().read()
        except (OSError, http.client.HTTPException):
            conn.close()
        start.wait()
        while time.perf_counter() < clock["deadline"] and next(counter) < settings["max_requests"]:
            t0 = time.perf_counter()
            try:
                conn.request("POST", PREDICT, body, HEADERS)
                resp = conn.getresponse()
                data = resp.read()
            except (OSError, http.client.HTTPException) as err:
                errors += 1
                note(f"{type(err).__name__}: {err}")
                conn.close()  # http.client reconnects on the next request
                conn = http.client.HTTPConnection("127.0.0.1", settings["port"], timeout=30)
                continue
            lat.append(time.perf_counter() - t0)
            if resp.status != 200:
                errors += 1
                note(f"HTTP {resp.status}: {data[:200]!r}")
            elif not right(data):
                wrong += 1
        conn.close()
        results.append((lat, errors, wrong))

    threads = [threading.Thread(target=client) for _ in range(settings["clients"])]
    for t in threads:
        t.start()
    start.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - clock["t0"]
    lat = np.array([x for r in results for x in r[0]]) * 1e3
    return {"requests": len(lat), "rps": len(lat) / elapsed,
            "p50": float(np.percentile(lat, 50)) if len(lat) else float("nan"),
            "p99": float(np.percentile(lat, 99)) if len(lat) else float("nan"),
            "errors": sum(r[1] for r in results), "wrong": sum(r[2] for r in results),
            "problems": problems}


# --- the floor (run as `serving.py --floor SETTINGS.json`) ---------------------------

def floor(settings: dict) -> None:
    """A bare Starlette POST handler returning a constant, with the server's uvicorn settings."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    answer = {"predictions": settings["expected"]}  # the right answer, so it is checked too

    async def predict(request):
        await request.body()
        return JSONResponse(answer)

    app = Starlette(routes=[Route(PREDICT, predict, methods=["POST"])])
    uvicorn.run(app, host="127.0.0.1", port=settings["port"], log_level="warning",
                access_log=False)


# --- the driver -----------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_command(artifact: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "zoo", "serve", str(artifact), "--port", str(port)]


def start_server(cmd, port, log: Path, ready_path: str, method="GET", body=None):
    """Starts ``cmd`` and waits (up to 60 s) for ``ready_path`` to answer 200."""
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError(f"{cmd} exited {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request(method, ready_path, body, HEADERS)
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.1)
    stop(proc)
    raise RuntimeError(f"{cmd} did not answer {ready_path} in 60 s:\n{log.read_text()[-3000:]}")


def stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def load(tmp: Path, port: int, body: str, expected, args) -> dict:
    """Runs the load generator in a process of its own and returns its figures."""
    settings = tmp / "loadgen.json"
    settings.write_text(json.dumps({
        "port": port, "body": body, "clients": args.clients, "seconds": args.seconds,
        "max_requests": args.max_requests, "expected": expected.tolist()}))
    done = subprocess.run([sys.executable, __file__, "--loadgen", str(settings)],
                          capture_output=True, text=True, timeout=args.seconds + 120,
                          check=False)
    if done.returncode:
        raise RuntimeError(f"the load generator failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def onnx_ms(path: Path, feeds: dict, calls: int) -> tuple[float, float]:
    """Median and p99 (ms) of the raw ONNX Runtime call, in-process."""
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path / "model.onnx"), providers=["CPUExecutionProvider"])
    sess.run(["outputs"], feeds)
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        sess.run(["outputs"], feeds)
        times.append(time.perf_counter() - t0)
    return 1e3 * float(np.median(times)), 1e3 * float(np.percentile(times, 99))


def request(predictor, feeds: dict, n: int) -> str:
    """The TF Serving REST body for the first ``n`` windows of ``feeds`` (row format)."""
    names = predictor.input_names
    if len(names) == 1:
        instances = [feeds[names[0]][i].tolist() for i in range(n)]
    else:
        instances = [{k: feeds[k][i].tolist() for k in names} for i in range(n)]
    return json.dumps({"instances": instances})


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    def v(p):  # uvloop and httptools are optional: uvicorn falls back without them
        try:
            return version(p)
        except PackageNotFoundError:
            return "not installed"

    pkgs = ["tensorflow", "onnxruntime", "starlette", "uvicorn", "uvloop", "httptools", "orjson"]
    return f"Python {platform.python_version()}, " + ", ".join(f"{p} {v(p)}" for p in pkgs)


def measure(tmp: Path, name: str, cmd, port: int, ready: tuple, cases, args) -> list:
    """Starts a server, loads it with each ``(label, body, expected)`` case, stops it."""
    server = start_server(cmd, port, tmp / "server.log", *ready)
    try:
        return [(f"{name}, {label}", load(tmp, port, body, want, args))
                for label, body, want in cases]
    finally:
        stop(server)


def main(argv=None):
    ap = parser(__doc__)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--max-requests", type=int, default=200_000, help="per row")
    ap.add_argument("--loadgen", help=argparse.SUPPRESS)
    ap.add_argument("--floor", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.loadgen:  # the load generator's own process: figures as JSON on stdout
        print(json.dumps(loadgen(json.loads(Path(args.loadgen).read_text()))))
        return
    if args.floor:
        return floor(json.loads(Path(args.floor).read_text()))
    calls, units, epochs = 2000, 32, 2
    if args.smoke:
        args.clients, args.seconds, args.max_requests, calls, units, epochs = 2, 2, 2000, 50, 4, 1
        print(f"--smoke: {args.clients} clients for {args.seconds} s per row (at most "
              f"{args.max_requests} requests), LSTM({units}) trained {epochs} epoch, {calls} "
              "ONNX calls; nothing written", flush=True)

    import zoo

    df = zoo.datasets.load("airline")
    with tempfile.TemporaryDirectory(prefix="zoo-serving-") as tmp:
        tmp = Path(tmp)
        f = zoo.Forecaster(model="lstm", lookback=24, horizon=12, units=units,
                           epochs=epochs, verbose=0).fit(df)
        path = f.export(tmp / MODEL)
        p = zoo.load(path)
        # 64 different windows: the histories ending at the 64 last months, latest first
        made = [p.make_inputs(df.iloc[:end]) for end in range(len(df), len(df) - 64, -1)]
        feeds = {k: np.concatenate([m[k] for m in made]) for k in made[0]}
        cases = []
        for n in (1, 64):  # bodies serialised once; answers from the direct predictions
            want = p.run(*[feeds[k][:n] for k in p.input_names])
            cases.append((f"{n} window{'s' if n > 1 else ''}", request(p, feeds, n), want))

        port = free_port()
        (tmp / "floor.json").write_text(json.dumps(
            {"port": port, "expected": cases[0][2].tolist()}))
        rows = measure(tmp, "bare Starlette handler (floor)",
                       [sys.executable, __file__, "--floor", str(tmp / "floor.json")], port,
                       (PREDICT, "POST", cases[0][1]), cases[:1], args)
        port = free_port()
        rows += measure(tmp, "zoo serve", serve_command(path, port), port,
                        (f"/v1/models/{MODEL}",), cases, args)
        raw = [(n, *onnx_ms(path, {k: v[:n] for k, v in feeds.items()}, calls))
               for n in (1, 64)]
    report(rows, raw, args, calls, units, zoo.__version__)


def report(rows, raw, args, calls, units, zoo_version):
    for name, r in rows:
        for problem in r["problems"]:
            print(f"{name}: {problem}")
    served = [r for name, r in rows if name.startswith("zoo serve")]
    p99 = served[0]["p99"]
    errors, wrong = sum(r["errors"] for r in served), sum(r["wrong"] for r in served)
    targets = [(f"single-window p99 under {P99_TARGET_MS:.0f} ms", f"{p99:.1f} ms",
                p99 < P99_TARGET_MS),
               ("zero errors", errors, errors == 0), ("zero wrong answers", wrong, wrong == 0)]
    command = "python benchmarks/serving.py" + (" --smoke" if args.smoke else "")
    lines = [
        "## Serving (benchmarks/serving.py)",
        "",
        (f"Command: `{command}` — {platform.machine()}, {os.cpu_count()} cores "
         f"({platform.platform()}), CPU only, loopback; {versions()}; zoo {zoo_version}. "
         f"LSTM({units}) Airline forecaster (lookback 24, horizon 12, month-of-year calendar "
         f"inputs), served by `python -m zoo serve`. {args.clients} closed-loop clients for "
         f"{args.seconds:g} s per row (at most {args.max_requests} requests), each a thread "
         "with its own keep-alive `http.client` connection, in a load-generator process of "
         "its own on the same cores as the server; TF Serving REST `:predict` requests; "
         "every answer checked against the model's direct predictions (rtol = atol = 1e-4)."),
        "",
        "| server, request | requests | requests/s | p50 (ms) | p99 (ms) | errors | wrong |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [f"| {name} | {r['requests']} | {r['rps']:.0f} | {r['p50']:.2f} | "
              f"{r['p99']:.2f} | {r['errors']} | {r['wrong']} |" for name, r in rows]
    lines += ["", f"The model's raw ONNX Runtime call in-process ({calls} calls):", "",
              "| windows | median (ms) | p99 (ms) |", "|---|---|---|"]
    lines += [f"| {n} | {med:.3f} | {q:.3f} |" for n, med, q in raw]
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    lines += [f"| {t} | {m} | {'yes' if ok else 'no'} |" for t, m, ok in targets]
    publish("serving", "\n".join(lines), args.smoke)


if __name__ == "__main__":
    main()
