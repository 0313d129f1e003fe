"""Array coercion and NaN handling shared by the metrics."""

from __future__ import annotations

import numpy as np


def _as_float(x, name: str) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be numeric (array-like of numbers); got {err}") from None
    if arr.size == 0:
        raise ValueError(f"{name} is empty; metrics need at least one value")
    return arr


def _pair(y_true, y_pred, pred_name: str = "y_pred") -> tuple[np.ndarray, np.ndarray]:
    t = _as_float(y_true, "y_true")
    p = _as_float(y_pred, pred_name)
    if t.shape != p.shape:
        raise ValueError(
            f"y_true and {pred_name} must have the same shape; "
            f"got y_true {t.shape} and {pred_name} {p.shape}"
        )
    return t, p


def _nanless_mean(values: np.ndarray, observed: np.ndarray) -> float:
    """Mean of ``values`` over positions where the actual was observed."""
    if not observed.any():
        return float("nan")
    # NaN in the prediction survives here on purpose (see module docstring).
    return float(np.mean(values[observed]))
