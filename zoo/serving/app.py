"""The ``zoo serve`` ASGI application (Starlette) and its runner (uvicorn).

Every request is answered with JSON: the routes and the error statuses are in
:mod:`zoo.serving.protocol`. ``:predict`` model calls (numpy in, numpy out, through
the Predictor's fastest backend) run in each model's worker thread, batched across
concurrent requests (:mod:`zoo.serving.batching`), so the event loop only parses and
answers; ``:forecast`` (pandas feature building) runs in Starlette's thread pool.
JSON goes through orjson where installed (the ``serve`` extra), else the standard
library: parsing a 64-window request costs ~4.5 ms with ``json`` on this CPU.
"""

from __future__ import annotations

import contextlib
import json
import sys

import numpy as np

from zoo._checks import check_finite_output
from zoo.serving import protocol
from zoo.serving.batching import Batcher
from zoo.serving.protocol import RequestError

try:
    import orjson
except ImportError:  # the standard library does the same, slower
    orjson = None


def _loads(data: bytes):
    if orjson is not None:
        return orjson.loads(data)
    return json.loads(data)


def _dumps(payload) -> bytes:
    # NaN/inf are not JSON: answers are checked finite before they get here
    if orjson is not None:
        return orjson.dumps(payload, option=orjson.OPT_SERIALIZE_NUMPY)
    return json.dumps(_lists(payload), separators=(",", ":"), allow_nan=False).encode()


def _lists(payload):
    return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in payload.items()}


def create_app(servables: dict, max_body_bytes: int = protocol.DEFAULT_MAX_BODY):
    """The Starlette application serving ``servables``.

    Args:
        servables: Name -> :class:`zoo.serving.repository.Servable`
            (:func:`zoo.serving.repository.load_all`).
        max_body_bytes: Larger request bodies are refused with 413.

    Returns:
        A ``starlette.applications.Starlette`` app.

    Example:
        >>> from starlette.testclient import TestClient
        >>> from zoo.serving.repository import load_all
        >>> client = TestClient(create_app(load_all(["saved_models/golden"])))
        >>> client.get("/v1/models/golden").json()["model_version_status"][0]["state"]
        'AVAILABLE'
    """
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response
    from starlette.routing import Route

    batchers = {name: Batcher(s.predictor) for name, s in servables.items()}

    def error(message, status):
        return Response(_dumps({"error": message}), status_code=status,
                        media_type="application/json")

    def servable_for(name, version):
        servable = servables.get(name)
        if servable is None:
            raise RequestError(f"Servable not found for request: model {name!r} is not "
                               f"served (served: {sorted(servables)})", 404)
        if version is not None and not (version.isdigit() and int(version) == servable.version):
            raise RequestError(f"Servable not found for request: version {version!r} of "
                               f"{name!r} (served: version {servable.version})", 404)
        return servable

    async def read_body(request) -> bytes:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_body_bytes:
            raise RequestError(f"request body of {declared} bytes is over the limit of "
                               f"{max_body_bytes} bytes (--max-body-bytes)", 413)
        chunks, size = [], 0
        async for chunk in request.stream():  # a chunked body is counted as it arrives
            size += len(chunk)
            if size > max_body_bytes:
                raise RequestError(f"request body is over the limit of {max_body_bytes} "
                                   "bytes (--max-body-bytes)", 413)
            chunks.append(chunk)
        return b"".join(chunks)

    def dumps(payload):
        return Response(_dumps(payload), media_type="application/json")

    async def models(request):
        rest = request.path_params["rest"]
        try:
            if request.method in ("GET", "HEAD"):
                match = protocol.GET_PATH.match(rest)
                if match is None:
                    raise RequestError(f"no such resource: /v1/models/{rest}", 404)
                servable = servable_for(match["name"], match["version"])
                body = (protocol.metadata_body(servable) if match["meta"]
                        else protocol.status_body(servable))
                return dumps(body)
            match = protocol.POST_PATH.match(rest)
            if match is None:
                raise RequestError(f"no such resource: POST /v1/models/{rest} (use "
                                   "NAME[/versions/V]:predict or :forecast)", 404)
            servable = servable_for(match["name"], match["version"])
            verb = match["verb"]
            if verb not in ("predict", "forecast"):
                raise RequestError(f"':{verb}' is not served; use ':predict' (or "
                                   "':forecast' for forecasters)", 404)
            raw = await read_body(request)
            p = servable.predictor
            if verb == "predict":
                # a large body is parsed in a worker thread, so small requests keep flowing
                decode = (run_in_threadpool if len(raw) > LARGE_BODY else _now)
                feeds, key = await decode(_predict_feeds, raw, p)
                try:
                    out = await batchers[servable.name].submit(feeds)
                except RuntimeError as err:
                    raise RequestError(str(err), 503) from None
                try:
                    check_finite_output(out)
                except ValueError as err:
                    raise RequestError(str(err)) from None
                return dumps({key: np.ascontiguousarray(out)})
            history, future = protocol.decode_forecast(_parse(raw), p)
            frame = await run_in_threadpool(_forecast, p, history, future)
            return dumps({"forecast": protocol.forecast_records(frame)})
        except RequestError as err:
            return error(str(err), err.status)
        except Exception as err:  # noqa: BLE001 - a server answers; it never dies on a request
            print(f"zoo serve: internal error on {request.method} {request.url.path}: "
                  f"{type(err).__name__}: {err}", file=sys.stderr)
            return error(f"internal error ({type(err).__name__})", 500)

    async def not_found(request, exc):
        status = getattr(exc, "status_code", 404)
        if status == 405:
            response = error(f"method {request.method} is not allowed on {request.url.path} "
                             "(GET for status and metadata, POST for :predict and :forecast)", 405)
            response.headers["Allow"] = "GET, HEAD, POST"
            return response
        return error(f"no such resource: {request.method} {request.url.path}", status)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        for b in batchers.values():
            b.close()

    routes = [Route("/v1/models/{rest:path}", models, methods=["GET", "POST"])]
    return Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found},
                     lifespan=lifespan)


# bodies above this many bytes are parsed off the event loop
LARGE_BODY = 256 * 1024


async def _now(fn, *args):
    return fn(*args)


def _parse(raw: bytes):
    try:
        return _loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        raise RequestError(f"the body is not valid JSON: {str(err).splitlines()[0]}") from None
    except RecursionError:
        raise RequestError("the body is not valid JSON for this API: nested too deeply") from None


def _predict_feeds(raw: bytes, predictor):
    """The checked float32 feeds of a ``:predict`` body, and the answer's key."""
    body = _parse(raw)
    signature = body.get("signature_name") if isinstance(body, dict) else None
    if signature is not None and signature in predictor.manifest.get("endpoints", []):
        body = {k: v for k, v in body.items() if k != "signature_name"}  # every endpoint
    arrays, key = protocol.decode_predict(body, predictor.input_names)  # computes `outputs`
    try:
        return predictor.check_inputs(*arrays), key
    except ValueError as err:  # wrong shapes or batch sizes: the Predictor names the input
        raise RequestError(str(err)) from None


def _forecast(predictor, history, future):
    try:
        return predictor.predict(history, future)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as err:
        # the estimator's own checks, and pandas failing on history it cannot index
        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise RequestError(f"this history cannot be forecast: {message}") from None


def serve(servables: dict, host: str = "127.0.0.1", port: int = 8501,
          max_body_bytes: int = protocol.DEFAULT_MAX_BODY) -> None:
    """Runs the server until interrupted (uvicorn, one process).

    Args:
        servables: As for :func:`create_app`.
        host: The address to bind (loopback unless told otherwise).
        port: The TCP port (TF Serving's REST default, 8501).
        max_body_bytes: As for :func:`create_app`.
    """
    import gc

    import uvicorn

    # Everything loaded so far (TensorFlow, Keras, the models: millions of objects) is
    # never freed; frozen, the collector stops walking it on every full collection.
    # Unfrozen, those collections were the whole single-window p99 (65 ms vs 16 ms).
    gc.collect()
    gc.freeze()
    app = create_app(servables, max_body_bytes)
    for s in servables.values():
        print(f"serving {s.name!r} version {s.version} ({s.predictor.task}, backend "
              f"{s.predictor.backend}) at http://{host}:{port}/v1/models/{s.name}", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
