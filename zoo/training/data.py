"""Training data as arrays or a ``tf.data.Dataset``, and class weights."""

from __future__ import annotations

import math

import numpy as np
import tensorflow as tf


class _Data:
    """Training or validation data: arrays (x may be a dict) or a batched tf.data.Dataset."""

    def __init__(self, name, value):
        self.name = name
        self.dataset = None
        if isinstance(value, tf.data.Dataset):
            self.dataset = value
            self.n = None
            return
        if not isinstance(value, (tuple, list)) or len(value) not in (2, 3):
            raise ValueError(
                f"{name} must be an (x, y) or (x, y, sample_weight) tuple of arrays, or a "
                f"batched tf.data.Dataset; got {type(value).__name__}."
            )
        x, y = value[0], value[1]
        if isinstance(x, dict):
            if not x:
                raise ValueError(f"{name}: the input dict is empty.")
            self.x = {str(k): self._array(f"{name} x[{k!r}]", v) for k, v in x.items()}
        else:
            self.x = self._array(f"{name} x", x)
        self.y = self._array(f"{name} y", y)
        self.w = None if len(value) == 2 or value[2] is None else np.asarray(value[2], "float32")
        lengths = {len(a) for a in tf.nest.flatten(self.x)} | {len(self.y)}
        if self.w is not None:
            lengths.add(len(self.w))
        if len(lengths) != 1:
            raise ValueError(
                f"{name}: x, y (and sample_weight) differ in length: {sorted(lengths)}."
            )
        self.n = lengths.pop()
        if self.n == 0:
            raise ValueError(f"{name} is empty.")

    @staticmethod
    def _array(name, value):
        array = np.asarray(value)
        if array.ndim == 0:
            raise ValueError(f"{name} must be an array with a sample axis; got a scalar.")
        if array.dtype.kind == "f":
            # Keras computes in float32 anyway; converting once avoids a copy per batch.
            array = array.astype("float32", copy=False)
            if not np.isfinite(array).all():
                raise ValueError(f"{name} contains NaN or infinite values.")
        elif array.dtype.kind not in "iub":
            raise ValueError(f"{name} must be numeric; got dtype {array.dtype}.")
        return array

    def keras_args(self) -> dict:
        """``model.fit`` keywords (``sample_weight`` is keyword-only there: the third
        positional argument of ``fit`` is ``batch_size``)."""
        if self.dataset is not None:
            return {"x": self.dataset}
        args = {"x": self.x, "y": self.y}
        if self.w is not None:
            args["sample_weight"] = self.w
        return args

    def validation(self):
        """The data as ``model.fit``'s ``validation_data``."""
        if self.dataset is not None:
            return self.dataset
        return (self.x, self.y) if self.w is None else (self.x, self.y, self.w)

    def steps(self, batch_size, steps_per_epoch, required=True):
        """Optimizer steps per epoch (to convert decay_epochs, and for "auto" patience).

        A dataset of unknown length without ``steps_per_epoch`` raises when the count is
        ``required``, else gives None.
        """
        if self.dataset is None:
            return math.ceil(self.n / batch_size)
        if steps_per_epoch is not None:
            return steps_per_epoch
        cardinality = int(self.dataset.cardinality())
        if cardinality <= 0:
            if not required:
                return None
            raise ValueError(
                f"{self.name} is a tf.data.Dataset of unknown or infinite length: pass "
                "steps_per_epoch."
            )
        return cardinality


# --------------------------------------------------------------------------- fit


def _class_weight_vector(class_weight, y):
    """Per-sample weights from a {class: weight} dict (sparse labels or one-hot)."""
    labels = y.argmax(axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y), -1)[:, 0]
    labels = labels.astype("int64")
    unknown = set(np.unique(labels).tolist()) - set(class_weight)
    if unknown:
        raise ValueError(f"class_weight has no weight for classes {sorted(unknown)}.")
    table = np.zeros(max(class_weight) + 1, "float32")
    for k, v in class_weight.items():
        table[k] = v
    return table[labels]
