"""Edge formats: LiteRT (``model.tflite``) and OpenVINO IR (``model.xml`` + ``model.bin``).

A Keras recurrent layer runs its time loop as a ``while`` over ``TensorList`` ops,
which TFLite can lower only through Flex (select TF) ops, which LiteRT's own
interpreter cannot run, and which OpenVINO's converter refuses. The route taken
here is the **unrolled twin**: the model's config with ``unroll=True`` on every
recurrent layer, the same weights, at a static input length. Its graph holds only
builtin ops, keeps the batch dimension dynamic, and carries the scaling layers and
the ``future`` input exactly like the SavedModel, so both files take raw values
and return raw units, with inputs named ``inputs`` (and ``future``).

The static length is the artifact's lookback for forecasters and fixed-length
classifiers; a variable-length model needs ``max_length`` (shorter sequences are
padded with the manifest's ``pad_value`` and masked).
"""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

EDGE_FORMATS = ("litert", "openvino")
ROUTE = "unrolled"
_RECURRENT = {"LSTM", "GRU", "SimpleRNN"}
# OpenVINO's CPU plugin may run in bf16 on CPUs that have it (and its bf16 kernels
# crashed with SIGFPE here); an exact twin of the SavedModel needs f32.
OPENVINO_CONFIG = {"INFERENCE_PRECISION_HINT": "f32"}


def missing_packages(formats) -> list[str]:
    """The pip packages the asked edge formats need and that are not installed."""
    # LiteRT is converted by TensorFlow itself; OpenVINO's converter is its own package
    return ["openvino"] if "openvino" in formats and \
        importlib.util.find_spec("openvino") is None else []


def static_specs(input_specs: dict, max_length=None) -> dict:
    """The input specs with a static time dimension (``max_length`` where it was None).

    Args:
        input_specs: Ordered name -> shape, as for the SavedModel.
        max_length: The time length for inputs whose time dimension is dynamic.

    Returns:
        The specs with every dimension but the batch static.

    Raises:
        ValueError: If a time dimension is dynamic and ``max_length`` is None.
    """
    out = {}
    for name, shape in input_specs.items():
        shape = list(shape)
        if any(d is None for d in shape[1:]):
            if max_length is None:
                raise ValueError(
                    "max_length is required to export a variable-length model to the edge "
                    "formats ('litert', 'openvino'): they run at a fixed input length; pass "
                    "export(..., max_length=N) with the longest sequence to accept")
            shape = [shape[0]] + [max_length if d is None else d for d in shape[1:]]
        out[name] = tuple(shape)
    return out


def _layer_configs(node):
    """Every ``{"class_name": ..., "config": {...}}`` in a nested Keras config."""
    if isinstance(node, dict):
        if isinstance(node.get("config"), dict) and "class_name" in node:
            yield node
        for value in node.values():
            yield from _layer_configs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _layer_configs(value)


def _twin_config(config, length):
    for layer in _layer_configs(config):
        if layer["class_name"] in _RECURRENT:
            layer["config"]["unroll"] = True
        elif layer["class_name"] == "InputLayer" and length is not None:
            shape = layer["config"].get("batch_shape")  # unroll needs a static length
            if shape is not None and len(shape) == 3 and shape[1] is None:
                layer["config"]["batch_shape"] = [shape[0], length, shape[2]]


def unrolled_twin(model, max_length=None):
    """The same network with ``unroll=True`` on every recurrent layer and the same weights.

    Args:
        model: A Keras functional model (the estimator's ``model_``).
        max_length: The static time length for a model whose input length is dynamic.

    Returns:
        A new Keras model computing the same function with builtin ops only.

    Example:
        >>> import keras, numpy as np, zoo
        >>> m = zoo.build("gru", input_shape=(8, 1), units=4)
        >>> twin = unrolled_twin(m)
        >>> x = np.ones((2, 8, 1), "float32")
        >>> bool(np.allclose(m(x), twin(x), atol=1e-6))
        True
    """
    import zoo.builders  # noqa: F401  (registers the custom layers)

    config = copy.deepcopy(model.get_config())
    _twin_config(config, None if max_length is None else int(max_length))
    twin = type(model).from_config(config)
    twin.set_weights(model.get_weights())
    return twin


def write_edge(saved_twin: Path, directory: Path, formats) -> dict:
    """Converts the unrolled twin's SavedModel into the asked edge files.

    Args:
        saved_twin: A SavedModel of :func:`unrolled_twin` at :func:`static_specs`
            (written by :func:`zoo.export.write_artifact`).
        directory: The artifact's (temporary) directory, where the files go.
        formats: A subset of :data:`EDGE_FORMATS`.

    Returns:
        The per-format manifest entries: ``{"litert": {...}, "openvino": {...}}``.

    Raises:
        ValueError: If the model cannot be converted to LiteRT with builtin ops only.
    """
    import tensorflow as tf

    entry = {}
    if "litert" in formats:
        converter = tf.lite.TFLiteConverter.from_saved_model(str(saved_twin))
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
        try:
            flat = converter.convert()
        except Exception as err:  # noqa: BLE001 - the converter raises many kinds
            raise ValueError(f"this model cannot be converted to LiteRT with builtin ops "
                             f"only: {str(err).splitlines()[0]}") from None
        (directory / "model.tflite").write_bytes(flat)
        entry["litert"] = {"file": "model.tflite", "builtin_ops_only": True,
                           "signature": "serving_default"}
    if "openvino" in formats:
        import openvino as ov

        ir = ov.convert_model(str(saved_twin))
        ov.save_model(ir, str(directory / "model.xml"), compress_to_fp16=False)
        entry["openvino"] = {"files": ["model.xml", "model.bin"], "precision": "f32",
                             "compile_config": OPENVINO_CONFIG}
    return entry
