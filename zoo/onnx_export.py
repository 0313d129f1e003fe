"""ONNX export through tf2onnx (the optional ``onnx`` extra)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

OPSET = 17


def available() -> bool:
    """Whether tf2onnx and onnxruntime are installed (``pip install zoo-ts[onnx]``)."""
    return all(importlib.util.find_spec(m) is not None for m in ("tf2onnx", "onnx", "onnxruntime"))


def write_onnx(model, path: Path, input_specs: dict) -> Path:
    """Converts a Keras model to ONNX with inputs named as the SavedModel's.

    Args:
        model: The Keras model (cuDNN kernels already disabled).
        path: Output ``.onnx`` file.
        input_specs: Ordered input name -> shape, as for the SavedModel.

    Returns:
        The path written.
    """
    import tensorflow as tf
    import tf2onnx

    signature = tuple(tf.TensorSpec(shape, tf.float32, name=n) for n, shape in input_specs.items())
    names = list(input_specs)

    @tf.function(input_signature=signature)
    def forward(*args):
        feed = args[0] if len(args) == 1 else dict(zip(names, args))
        return {"outputs": tf.identity(model(feed, training=False), name="outputs")}

    tf2onnx.convert.from_function(forward, input_signature=signature, opset=OPSET,
                                  output_path=str(path))
    return Path(path)
