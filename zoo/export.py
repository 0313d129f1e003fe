"""Writes and reads the self-contained artifact; knows no estimator class.

:func:`write_artifact` takes a Keras model, its input specs and the estimator's
manifest, builds the artifact in a temporary sibling directory and renames it
into place, so a crash at any moment leaves either the previous artifact or none
at ``path`` (the contract is in the README's "The artifact" section):

- a TensorFlow SavedModel at the root: endpoints ``serve`` (also the
  ``serving_default`` signature) and ``serve_xla``; input ``inputs`` float32
  ``[batch, lookback, n_inputs]`` of raw values (+ ``future``); output ``outputs``
  in raw units (forecasts) or probabilities (classifiers);
- ``zoo.json``, the manifest, with SHA-256 checksums of every file written;
- ``model.keras`` for fine-tuning; ``model.onnx`` when the ``onnx`` extra is installed;
  ``model.tflite`` (LiteRT) and ``model.xml`` + ``model.bin`` (OpenVINO IR) when asked
  (:mod:`zoo.edge_export`).

:func:`read_manifest` verifies an artifact (format 1 and 2 manifests) and
:func:`load_keras_model` loads its ``model.keras`` with ``safe_mode=True``.

Manifest format 2 stores each fact once: ``lookback``, ``horizon``, ``inputs``,
``targets``, ``quantiles`` and ``last_timestamp`` at the top level only (format 1
repeated some of them in ``params`` and ``model_kwargs``, which readers now ignore).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np

from zoo._atomic import building, clean_stale, remove, swap_in

FORMAT_VERSION = 2
MANIFEST = "zoo.json"
# every format export can write; DEFAULT_FORMATS is what formats=None means
FORMATS = ("keras", "onnx", "litert", "openvino")
DEFAULT_FORMATS = ("keras", "onnx")


class ArtifactExistsError(FileExistsError, ValueError):
    """The artifact's ``path`` exists and ``overwrite`` is False.

    A ``FileExistsError``, as before, and a ``ValueError`` like every other refusal of
    a bad argument (as ``io.UnsupportedOperation`` is both an ``OSError`` and a
    ``ValueError``).
    """


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _json_safe(value):
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return value if np.isfinite(value) else None
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return repr(value)


def disable_cudnn(model) -> int:
    """Turns the fused cuDNN kernel off in every LSTM/GRU of ``model`` (nested too).

    An export traced where a GPU is visible would otherwise bake ``CudnnRNNV3``
    ops that cannot run on a CPU.

    Args:
        model: A Keras model.

    Returns:
        How many recurrent layers were changed.
    """
    import keras

    count = 0
    seen = set()

    def visit(layer):
        nonlocal count
        if id(layer) in seen:
            return
        seen.add(id(layer))
        if isinstance(layer, (keras.layers.LSTM, keras.layers.GRU)):
            layer.use_cudnn = False
            count += 1
        for attr in ("forward_layer", "backward_layer", "layer", "step_model"):
            child = getattr(layer, attr, None)
            if isinstance(child, keras.layers.Layer):
                visit(child)
        for child in getattr(layer, "layers", []) or []:
            visit(child)
        for child in layer._flatten_layers(include_self=False, recursive=False):
            visit(child)

    visit(model)
    return count


def write_saved_model(model, directory: Path, input_specs: dict, xla: bool = True,
                      extra_endpoints=None) -> list:
    """Writes ``model`` as a SavedModel with named inputs and an ``outputs`` output.

    Args:
        model: A Keras model taking ``inputs`` (or a dict with ``inputs`` and ``future``).
        directory: Target directory (created).
        input_specs: Ordered name -> shape (None for dynamic dims) of float32 inputs.
        xla: Also add a ``serve_xla`` endpoint compiled with XLA.
        extra_endpoints: Name -> ``(function, input_signature, model_or_None)``: more
            endpoints (a probabilistic forecaster's ``sample``), each tracking the model
            it calls; ``serve`` and ``serving_default`` stay as they are.

    Returns:
        The endpoint names written.
    """
    import keras
    import tensorflow as tf

    names = list(input_specs)
    signature = [tf.TensorSpec(shape, tf.float32, name=n) for n, shape in input_specs.items()]

    if names == ["inputs"]:
        def serve(inputs):
            return {"outputs": model(inputs, training=False)}
    else:
        def serve(inputs, future):
            return {"outputs": model({"inputs": inputs, "future": future}, training=False)}

    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint("serve", serve, input_signature=signature)
    endpoints = ["serve"]
    if xla:
        try:
            archive.add_endpoint("serve_xla", tf.function(serve, jit_compile=True),
                                 input_signature=signature)
            endpoints.append("serve_xla")
        except Exception:  # noqa: BLE001 - a model XLA cannot compile still exports
            pass
    for name, (function, input_signature, tracked) in (extra_endpoints or {}).items():
        if tracked is not None:
            archive.track(tracked)
        archive.add_endpoint(name, function, input_signature=input_signature)
        endpoints.append(name)
    archive.write_out(str(directory), verbose=False)
    return endpoints


def check_formats(formats, input_specs=None, max_length=None) -> tuple:
    """Checks ``formats`` (and ``max_length``) before anything is written.

    Args:
        formats: None (``DEFAULT_FORMATS``) or an iterable of names from ``FORMATS``.
        input_specs: The model's input specs, to check that a variable-length model
            asking for an edge format has ``max_length``.
        max_length: Static time length for the edge formats of variable-length models.

    Returns:
        The formats as a tuple.
    """
    from zoo._checks import check_int
    from zoo.edge_export import EDGE_FORMATS, missing_packages, static_specs

    if max_length is not None:
        check_int(max_length, "max_length", minimum=1)
    if formats is None:
        return DEFAULT_FORMATS
    if isinstance(formats, str) or not hasattr(formats, "__iter__"):
        raise TypeError(f"formats must be None or a list of names from {list(FORMATS)}, "
                        f"got {formats!r}")
    formats = tuple(formats)
    bad = [f for f in formats if not isinstance(f, str) or f not in FORMATS]
    if bad:
        raise ValueError(f"formats must be a subset of {list(FORMATS)}, got {list(formats)}")
    edge = [f for f in formats if f in EDGE_FORMATS]
    if edge:
        absent = missing_packages(edge)
        if absent:
            raise ValueError(f"formats {edge} need {absent}: pip install 'zoo-ts[edge]'")
        if input_specs is not None:
            static_specs(input_specs, max_length)
    return formats


def write_artifact(model, path, *, input_specs: dict, manifest: dict, overwrite=False,
                   formats=None, max_length=None, extra_endpoints=None) -> Path:
    """Writes a model's artifact to ``path`` atomically.

    Args:
        model: The Keras model, raw values in and raw units (or probabilities) out.
        path: The artifact directory.
        input_specs: Ordered input name -> shape (None for dynamic dims): ``inputs``
            and, for models with known-ahead covariates, ``future``.
        manifest: The estimator's facts (JSON-serialisable after numpy conversion);
            the format version, library versions, endpoints, signature and file
            checksums are added here.
        overwrite: Replace an existing artifact.
        formats: Extra formats among ``FORMATS``; None = ``DEFAULT_FORMATS`` (keras,
            and onnx where its extra is installed).
        max_length: The static time length of the edge formats for variable-length
            models (required for them; ignored by the other formats).
        extra_endpoints: More SavedModel endpoints (see :func:`write_saved_model`).

    Returns:
        The artifact path.

    Raises:
        ArtifactExistsError: If ``path`` exists and ``overwrite`` is False (a
            ``FileExistsError`` and a ``ValueError``).
        ValueError: A weight is NaN or infinite, or ``path`` is not an artifact.
    """
    path = Path(path)
    formats = check_formats(formats, input_specs, max_length)
    if path.exists() and not overwrite:
        raise ArtifactExistsError(f"{path} exists; pass overwrite=True to replace it")
    if path.exists() and not (path / MANIFEST).is_file():
        raise ValueError(f"{path} exists and is not a zoo artifact; refusing to overwrite it")
    bad = [w.path for w in model.weights if "float" in str(w.dtype)
           and not np.all(np.isfinite(np.asarray(w.numpy(), dtype="float32")))]
    if bad:
        raise ValueError(f"the model's weights hold NaN or infinite values ({', '.join(bad[:3])}"
                         f"{', ...' if len(bad) > 3 else ''}): training diverged; refusing to "
                         "export it (retrain with a lower learning_rate or gradient clipping)")
    parent = path.parent
    parent.mkdir(parents=True, exist_ok=True)
    clean_stale(parent, path.name)
    with building(path) as tmp:
        disable_cudnn(model)
        endpoints = write_saved_model(model, tmp, input_specs,
                                      extra_endpoints=extra_endpoints)
        files = []
        if "keras" in formats:
            model.save(tmp / "model.keras")
            files.append("model.keras")
        if "onnx" in formats:
            from zoo import onnx_export

            if onnx_export.available():
                onnx_export.write_onnx(model, tmp / "model.onnx", input_specs)
                files.append("model.onnx")
        manifest = dict(manifest)
        edge = [f for f in formats if f in ("litert", "openvino")]
        if edge:
            manifest["edge"] = _write_edge(model, tmp, edge, input_specs, max_length)
        manifest.update({
            "format_version": FORMAT_VERSION,
            "versions": _versions(),
            "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "endpoints": endpoints,
            "signature": {"inputs": {n: list(s) for n, s in input_specs.items()},
                          "outputs": "outputs"},
        })
        listed = sorted(p for p in tmp.rglob("*") if p.is_file())
        manifest["files"] = {p.relative_to(tmp).as_posix(): sha256(p) for p in listed}
        (tmp / MANIFEST).write_text(json.dumps(_json_safe(manifest), indent=2, sort_keys=True))
        try:
            remove(swap_in(tmp, path, replace=overwrite))
        except FileExistsError:
            raise ArtifactExistsError(f"{path} was created by another writer meanwhile; pass "
                                      "overwrite=True to replace it") from None
    return path


def _write_edge(model, tmp: Path, formats, input_specs, max_length) -> dict:
    """The edge files from the model's unrolled twin; returns the manifest's ``edge`` entry."""
    from zoo.edge_export import ROUTE, static_specs, unrolled_twin, write_edge

    specs = static_specs(input_specs, max_length)
    dynamic = any(d is None for shape in input_specs.values() for d in list(shape)[1:])
    max_length = max_length if dynamic else None  # a fixed-length model keeps its length
    twin = unrolled_twin(model, max_length)
    disable_cudnn(twin)
    saved = tmp / ".unrolled-twin"  # inside the temporary artifact: removed with it on failure
    write_saved_model(twin, saved, specs, xla=False)
    entry = write_edge(saved, tmp, formats)
    shutil.rmtree(saved)
    return {"route": ROUTE, "inputs": {n: list(s) for n, s in specs.items()},
            "max_length": max_length, **entry}


def _versions() -> dict:
    import keras
    import tensorflow as tf

    from zoo import __version__

    return {"zoo": __version__, "tensorflow": tf.__version__, "keras": keras.__version__,
            "numpy": np.__version__}


def read_manifest(path) -> dict:
    """Reads and verifies an artifact's manifest and checksums.

    Args:
        path: The artifact directory.

    Returns:
        The manifest dict.

    Raises:
        ValueError: If the directory is no artifact, the manifest is not JSON or
            comes from a newer format version, or a listed file is missing or
            does not match its checksum.
    """
    from zoo._checks import check_path

    path = Path(check_path(path, "path"))
    if not path.is_dir():
        raise ValueError(f"{path} is not a directory (expected a zoo artifact)")
    mpath = path / MANIFEST
    if not mpath.is_file():
        raise ValueError(f"{path} is not a zoo artifact: {MANIFEST} is missing")
    try:
        manifest = json.loads(mpath.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{mpath} is not valid JSON: {err}") from None
    if not isinstance(manifest, dict) or "format_version" not in manifest:
        raise ValueError(f"{mpath} is not a zoo manifest (no format_version)")
    from zoo.manifest_schema import check_manifest

    check_manifest(manifest, path)  # types and file entries, before any listed file is read
    version = manifest["format_version"]
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ValueError(
            f"{path} was written with artifact format {version!r}; this zoo reads format "
            f"<= {FORMAT_VERSION}: upgrade zoo"
        )
    for rel, digest in manifest.get("files", {}).items():
        f = path / rel
        if not f.is_file():
            raise ValueError(f"artifact {path} is incomplete: {rel} is missing")
        if sha256(f) != digest:
            raise ValueError(f"artifact {path} is corrupted: checksum of {rel} does not match")
    return manifest


def load_keras_model(path, manifest: dict):
    """The artifact's ``model.keras``, loaded with ``safe_mode=True`` (no code runs).

    Args:
        path: The artifact directory.
        manifest: Its verified manifest.

    Returns:
        The Keras model.

    Raises:
        ValueError: If the artifact was exported without ``model.keras``.
    """
    import keras

    import zoo.builders  # noqa: F401  (registers the custom layers)

    if "model.keras" not in manifest.get("files", {}):
        raise ValueError(f"{path} has no model.keras (exported with formats without 'keras')")
    return keras.saving.load_model(Path(path) / "model.keras", safe_mode=True)
