"""Output heads shared by every builder, and the pinball loss for quantiles.

A head is a list of layers so that the Sequential and the functional version of
a model hold exactly the same layers in the same order.
"""

from __future__ import annotations

import keras
from keras import ops

from zoo.builders.layers import PACKAGE, SortLastAxis


def forecast_head(horizon: int, n_targets: int, quantiles=None) -> list:
    """Dense -> Reshape to ``[B, horizon, n_targets]`` (``[..., n_quantiles]``, sorted).

    Args:
        horizon: Steps forecast at once.
        n_targets: Target series forecast jointly.
        quantiles: Optional sorted list of quantile levels in (0, 1).

    Returns:
        The head's layers, in order.

    Example:
        >>> [type(l).__name__ for l in forecast_head(3, 1)]
        ['Dense', 'Reshape']
    """
    n_q = len(quantiles) if quantiles else 0
    size = horizon * n_targets * (n_q or 1)
    shape = (horizon, n_targets, n_q) if n_q else (horizon, n_targets)
    layers = [keras.layers.Dense(size, name="forecast_dense"),
              keras.layers.Reshape(shape, name="forecast" if not n_q else "forecast_raw")]
    if n_q:
        layers.append(SortLastAxis(name="forecast"))
    return layers


def classification_head(n_classes: int) -> list:
    """Dense with softmax: class probabilities ``[B, n_classes]``.

    Args:
        n_classes: Number of classes (>= 2).

    Returns:
        The head's layers.

    Example:
        >>> classification_head(3)[0].units
        3
    """
    return [keras.layers.Dense(n_classes, activation="softmax", name="probabilities")]


@keras.saving.register_keras_serializable(package=PACKAGE)
class PinballLoss(keras.losses.Loss):
    """Mean pinball (quantile) loss over every quantile in the last axis.

    ``y_true`` is ``[B, H, T]``; ``y_pred`` is ``[B, H, T, Q]``.

    Args:
        quantiles: Quantile levels in (0, 1), in the order of ``y_pred``'s last axis.

    Example:
        >>> import numpy as np
        >>> loss = PinballLoss([0.5])
        >>> float(loss(np.zeros((1, 1, 1), "float32"), np.ones((1, 1, 1, 1), "float32")))
        0.5
    """

    def __init__(self, quantiles, name="pinball", reduction="sum_over_batch_size", **kwargs):
        super().__init__(name=name, reduction=reduction, **kwargs)
        self.quantiles = [float(q) for q in quantiles]

    def call(self, y_true, y_pred):
        q = ops.convert_to_tensor(self.quantiles, dtype=y_pred.dtype)
        err = ops.expand_dims(ops.cast(y_true, y_pred.dtype), -1) - y_pred
        return ops.mean(ops.maximum(q * err, (q - 1.0) * err), axis=(-1, -2))

    def get_config(self):
        return {"quantiles": self.quantiles, "name": self.name, "reduction": self.reduction}
