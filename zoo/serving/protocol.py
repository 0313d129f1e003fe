"""TensorFlow Serving's REST API, as ``zoo serve`` speaks it: decoding and answers.

Pure functions over parsed JSON and numpy, so they are tested without a server;
:mod:`zoo.serving.app` puts them behind Starlette. Routes (``NAME`` is a served model, ``V`` its version):

- ``POST /v1/models/NAME[/versions/V]:predict``: the row format ``{"instances": [...]}``
  (each instance the ``inputs`` nested list, or an object of named inputs such as
  ``inputs`` and ``future``) answers ``{"predictions": [...]}``; the columnar format
  ``{"inputs": ...}`` (a batched list, or an object of named batched lists) answers
  ``{"outputs": ...}``. ``signature_name`` may be ``serving_default``.
- ``POST /v1/models/NAME[/versions/V]:forecast`` (zoo's own): ``{"history": [records],
  "future": [records]}`` answers ``{"forecast": [records of the forecast frame]}``.
- ``GET /v1/models/NAME[/versions/V]`` (status) and ``.../metadata`` (signature_def).

Errors are ``{"error": "..."}``: 400 for a bad request, 404 for an unknown model or
version, 405 for a wrong method, 413 for a body over the limit, 500 (no traceback)
otherwise.
"""

from __future__ import annotations

import json
import re

import numpy as np

from zoo._checks import check_finite_float32

# the part of a /v1/models/ URL after the prefix, for POST and GET
POST_PATH = re.compile(r"^(?P<name>[^/:]+)(?:/versions/(?P<version>[^/:]+))?:(?P<verb>[A-Za-z]+)$")
GET_PATH = re.compile(r"^(?P<name>[^/:]+)(?:/versions/(?P<version>[^/:]+))?(?P<meta>/metadata)?$")
SIGNATURES = ("serving_default", "serve")
DEFAULT_MAX_BODY = 32 * 1024 * 1024


class RequestError(Exception):
    """A client mistake: answered with ``status`` and ``{"error": message}``."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


# ---------------------------------------------------------------- request decoding
def _batch(value, name: str) -> np.ndarray:
    try:
        raw = np.asarray(value)
    except (ValueError, TypeError):
        raw = None  # ragged nesting
    if raw is None or raw.dtype.kind not in "iuf":
        raise RequestError(f"input {name!r} must be a rectangular array of numbers (every "
                           "instance shaped alike; no strings, booleans or nulls)")
    return _finite_float32(raw, f"input {name!r}")


def _finite_float32(values: np.ndarray, what: str) -> np.ndarray:
    """``values`` as float32, refused (400) when any is NaN, infinite or beyond float32's range."""
    try:
        return check_finite_float32(values, what)
    except ValueError as err:
        raise RequestError(str(err)) from None


def decode_predict(body: dict, input_names: list) -> tuple[list, str]:
    """The request's arrays in signature order, and the response key.

    Args:
        body: The parsed JSON body.
        input_names: The model's inputs (``inputs`` [, ``future``]).

    Returns:
        ``(arrays, "predictions" | "outputs")``.

    Raises:
        RequestError: For a body that is not a TF Serving predict request for this model.
    """
    if not isinstance(body, dict):
        raise RequestError("the body must be a JSON object with 'instances' or 'inputs'")
    signature = body.get("signature_name", "serving_default")
    if signature not in SIGNATURES:
        raise RequestError(f"signature_name {signature!r} is not served; this model has "
                           "'serving_default' (also 'serve')")
    if "instances" in body and "inputs" in body:
        raise RequestError("give 'instances' (row format) or 'inputs' (columnar format), "
                           "not both")
    if "instances" in body:
        rows = body["instances"]
        if not isinstance(rows, list) or not rows:
            raise RequestError("'instances' must be a non-empty list")
        if all(isinstance(r, dict) for r in rows):
            columns = {}
            for r in rows:
                _check_names(r, input_names)
                for n in input_names:
                    columns.setdefault(n, []).append(r[n])
            return [_batch(columns[n], n) for n in input_names], "predictions"
        if any(isinstance(r, dict) for r in rows):
            raise RequestError("'instances' must all be lists or all be objects of named inputs")
        if len(input_names) > 1:
            raise RequestError(f"this model takes named inputs {input_names}: each instance "
                               "must be an object with those keys")
        return [_batch(rows, input_names[0])], "predictions"
    if "inputs" in body:
        value = body["inputs"]
        if isinstance(value, dict):
            _check_names(value, input_names)
            return [_batch(value[n], n) for n in input_names], "outputs"
        if len(input_names) > 1:
            raise RequestError(f"this model takes named inputs {input_names}: 'inputs' must "
                               "be an object with those keys")
        return [_batch(value, input_names[0])], "outputs"
    raise RequestError("the body must have 'instances' (row format) or 'inputs' "
                       "(columnar format)")


def _check_names(given: dict, input_names: list):
    unknown = sorted(set(given) - set(input_names))
    if unknown:
        raise RequestError(f"unknown input name(s) {unknown}; this model takes {input_names}")
    absent = [n for n in input_names if n not in given]
    if absent:
        raise RequestError(f"missing input(s) {absent}; this model takes {input_names}")


def decode_forecast(body, predictor):
    """The history and future frames of a ``:forecast`` request."""
    import pandas as pd

    if predictor.task != "forecast":
        raise RequestError(f"this model is a {predictor.task!r} model; ':forecast' is for "
                           "forecasters (use ':predict')")
    if not isinstance(body, dict) or "history" not in body:
        raise RequestError("the body must be an object with 'history': a list of records "
                           "such as {\"ds\": \"2020-01-01\", \"y\": 1.0}")
    unknown = sorted(set(body) - {"history", "future"})
    if unknown:
        raise RequestError(f"unknown key(s) {unknown}; a forecast request takes 'history' "
                           "and optionally 'future'")
    timed = predictor.manifest.get("frequency") is not None
    frames = []
    for key in ("history", "future"):
        records = body.get(key)
        if records is None and key == "future":
            frames.append(None)
            continue
        if not isinstance(records, list) or not records or not all(
                isinstance(r, dict) for r in records):
            raise RequestError(f"{key!r} must be a non-empty list of records (objects)")
        frame = pd.DataFrame.from_records(records)
        for col in frame.columns:
            if col not in ("ds", "unique_id"):
                _check_numbers(frame[col], key, col)
        if timed and "ds" not in frame.columns:
            raise RequestError(f"{key!r} records need a 'ds' timestamp: this model was "
                               f"trained on {predictor.manifest['frequency']!r} data")
        if "ds" in frame.columns:
            if timed:
                if not all(isinstance(v, str) for v in frame["ds"]):
                    raise RequestError(f"{key!r}: 'ds' must hold timestamps as strings "
                                       "(ISO 8601, such as \"2020-01-31\")")
                try:
                    frame["ds"] = pd.to_datetime(frame["ds"])
                except (ValueError, TypeError) as err:
                    raise RequestError(f"{key!r}: 'ds' must hold timestamps "
                                       f"({str(err).splitlines()[0]})") from None
            if "unique_id" not in frame.columns:
                frame = frame.set_index("ds")
        frames.append(frame)
    return frames


def _check_numbers(column, key, name):
    values = column.tolist()
    if not all(isinstance(v, (int, float)) for v in values):  # booleans are 0/1 flags
        raise RequestError(f"{key!r}: column {name!r} must hold numbers (no strings or "
                           "nulls)")
    _finite_float32(np.asarray(values, dtype="float64"), f"{key!r}: column {name!r}")


def forecast_records(frame) -> list:
    """A forecast frame as JSON records (timestamps as ISO strings)."""
    import pandas as pd

    if "ds" not in frame.columns:
        frame = frame.rename_axis("ds").reset_index()
    frame = frame.copy()
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = frame[col].map(lambda t: t.isoformat())
    return json.loads(frame.to_json(orient="records", double_precision=15))


# ---------------------------------------------------------------- metadata
def status_body(servable) -> dict:
    """``GET /v1/models/NAME``: TF Serving's model status."""
    return {"model_version_status": [{"version": str(servable.version), "state": "AVAILABLE",
                                      "status": {"error_code": "OK", "error_message": ""}}]}


def _tensor(name, shape, endpoint):
    return {"dtype": "DT_FLOAT", "name": f"{endpoint}_{name}:0",
            "tensor_shape": {"dim": [{"size": str(-1 if d is None else d), "name": ""}
                                     for d in shape], "unknown_rank": False}}


def output_shape(manifest) -> list:
    """The ``outputs`` tensor's shape, from the manifest's facts."""
    task = manifest["task"]
    if task == "forecast":
        shape = [None, manifest["horizon"], len(manifest["targets"])]
        return shape + [len(manifest["quantiles"])] if manifest.get("quantiles") else shape
    if task == "label":
        return [None, None, len(manifest["classes"])]
    return [None, len(manifest["classes"])]


def metadata_body(servable) -> dict:
    """``GET /v1/models/NAME/metadata``: the model spec and signature_def, as TF Serving."""
    m = servable.predictor.manifest
    inputs = {n: _tensor(n, s, "serving_default") for n, s in m["signature"]["inputs"].items()}
    sig = {"inputs": inputs,
           "outputs": {"outputs": _tensor("outputs", output_shape(m), "StatefulPartitionedCall")},
           "method_name": "tensorflow/serving/predict", "defaults": {}}
    return {"model_spec": {"name": servable.name, "signature_name": "",
                           "version": str(servable.version)},
            "metadata": {"signature_def": {"signature_def": {"serving_default": sig}}}}
