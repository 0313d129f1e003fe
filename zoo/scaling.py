"""The one scaling implementation: constants fitted on training data, applied anywhere.

Fitting (numpy, on training rows and training windows only):

* :func:`fit_standardize` -- per-column mean and spread (covariates, classifier features);
* :func:`fit_scaling` -- every constant a forecaster's :class:`WindowScaler` needs.

Applying (``keras.ops``, so the same code runs on numpy arrays, eager tensors, inside the
exported graph and inside a ``tf.data`` map):

* :func:`scale_window` -- a raw window to the network's scale, with the ``loc`` and
  ``scale`` it removed from the targets;
* :func:`scale_targets` -- raw targets to the network's scale with that ``loc``/``scale``;
* :func:`unscale` -- network outputs back to raw units;
* :func:`standardize` -- ``(x - mean) / std``, leaving padding steps as they are.

The graph layers in :mod:`zoo.builders.layers` are thin wrappers around these
functions, and training data is scaled by them too, so a network always learns on
exactly the scale it predicts on. ``keras.ops`` is imported inside the functions that
use it: importing this module (the Predictor does, through the estimators) does not
start TensorFlow.
"""

from __future__ import annotations

import numpy as np

from zoo import windows as W

SCALINGS = ("window", "window_std", "global", "none", "mean")
# Windows sampled for the "window" scale constant.
SCALE_WINDOWS = 50_000
# log() of targets clips at this floor; exp() of outputs clips at +-EXP_CLIP.
LOG_FLOOR = 1e-12
EXP_CLIP = 80.0
# window_std adds this to a window's own spread (a flat window must not divide by 0).
STD_EPS = 1e-3


# ---------------------------------------------------------------------------- fitting
def fit_standardize(values, pad_value=None):
    """Per-column mean and standard deviation (1.0 where a column is constant).

    Args:
        values: ``[..., n_columns]`` array.
        pad_value: Rows whose every column equals it are padding and are left out.

    Returns:
        ``(mean, std)`` as lists of floats.

    Example:
        >>> fit_standardize(np.array([[1.0, 5.0], [3.0, 5.0]]))
        ([2.0, 5.0], [1.0, 1.0])
    """
    values = np.asarray(values, dtype="float64")
    if values.shape[-1] == 0:
        return [], []
    flat = values.reshape(-1, values.shape[-1])
    if pad_value is not None:
        flat = flat[~np.all(flat == pad_value, axis=1)]
    std = flat.std(axis=0)
    return flat.mean(axis=0).tolist(), np.where(std > 1e-12, std, 1.0).tolist()


def feature_stats(X, pad_value=None, scaling="global"):
    """A sequence estimator's feature constants: fitted (``"global"``/``"auto"``) or identity.

    Example:
        >>> feature_stats(np.ones((2, 3, 1)), scaling="none")
        ([0.0], [1.0])
    """
    n_features = np.shape(X)[-1]
    if scaling == "none":
        return [0.0] * n_features, [1.0] * n_features
    return fit_standardize(X, pad_value)


def fit_scaling(rows, starts, wspec, log, scaling):
    """The forecaster's scaling constants, from training rows and training windows only.

    Args:
        rows: One ``[T, n_columns]`` array per series (training part only).
        starts: The training window starts of each series.
        wspec: The :class:`zoo.windows.WindowSpec`.
        log: Whether the targets are log-transformed first.
        scaling: One of ``SCALINGS``.

    Returns:
        A dict of plain floats and lists: ``log``, ``scaling``, ``target_loc``,
        ``target_scale``, ``cov_mean``, ``cov_std`` (the manifest stores it as it is).
    """
    n_t = wspec.n_targets
    parts = [r for r in rows if len(r)]
    rows_all = parts[0] if len(parts) == 1 else np.concatenate(parts)
    t = _transform_rows(rows_all[:, :n_t], log)
    cov_mean, cov_std = fit_standardize(rows_all[:, n_t:])
    stats = {"log": bool(log), "scaling": scaling,
             "target_loc": t.mean(axis=0).tolist(),
             "target_scale": np.maximum(t.std(axis=0), 1e-6).tolist(),
             "cov_mean": cov_mean, "cov_std": cov_std}
    if scaling == "window":
        # spread of the targets around their input window's mean, over training windows
        # (an evenly spaced sample of them on long series)
        x, y, _ = W.make_windows(list(rows), W.thin(starts, SCALE_WINDOWS), wspec)
        tx = np.asarray(target_transform(x[..., :n_t].astype("float64"), log))
        ty = np.asarray(target_transform(y.astype("float64"), log))
        dev = ty - tx.mean(axis=1, keepdims=True)
        stats["target_scale"] = np.maximum(np.sqrt((dev ** 2).mean(axis=(0, 1))), 1e-6).tolist()
    return stats


def _transform_rows(values, log):
    """:func:`target_transform` of ``[T, n]`` values as numpy, a block of rows at a time.

    The values are the same as in one call; the blocks keep TensorFlow's (cached)
    memory for the temporaries small on long series.
    """
    if not log:
        return np.asarray(values)
    return np.concatenate([np.asarray(target_transform(values[i: i + W.BLOCK_ROWS], log))
                           for i in range(0, len(values), W.BLOCK_ROWS)])


def layer_kwargs(stats, n_targets):
    """The :class:`WindowScaler` keyword arguments for fitted ``stats``."""
    return dict(n_targets=n_targets, log=stats["log"], scaling=stats["scaling"],
                target_loc=stats["target_loc"], target_scale=stats["target_scale"],
                cov_mean=stats["cov_mean"], cov_std=stats["cov_std"])


# ---------------------------------------------------------------------------- applying
def target_transform(t, log):
    """``log(max(t, LOG_FLOOR))`` when ``log``, else ``t`` unchanged."""
    from keras import ops

    return ops.log(ops.maximum(t, LOG_FLOOR)) if log else t


def standardize(x, mean, std, pad_value=None):
    """``(x - mean) / std`` per feature; steps that are all ``pad_value`` stay as they are.

    Example:
        >>> np.asarray(standardize(np.array([[3.0], [-9.0]]), [1.0], [2.0], pad_value=-9.0)).tolist()
        [[1.0], [-9.0]]
    """
    from keras import ops

    x = ops.convert_to_tensor(x)
    dtype = x.dtype
    out = (x - ops.convert_to_tensor(mean, dtype)) / ops.convert_to_tensor(std, dtype)
    if pad_value is not None:
        is_pad = ops.all(ops.equal(x, ops.cast(pad_value, dtype)), axis=-1, keepdims=True)
        out = ops.where(is_pad, ops.full_like(x, pad_value), out)
    return out


def scale_window(inputs, *, n_targets, log=False, scaling="window", target_loc=None,
                 target_scale=None, cov_mean=None, cov_std=None):
    """A raw window ``[B, T, C]`` on the network's scale; returns ``(scaled, loc, scale)``.

    The first ``n_targets`` channels are targets: ``log`` (optionally), then the
    location is removed -- the window's own mean (``"window"``, ``"window_std"``),
    the fitted ``target_loc`` (``"global"``) or nothing (``"none"``, ``"mean"``) -- and
    the result divided by a spread: the fitted ``target_scale`` (``"window"``,
    ``"global"``), the window's own standard deviation (``"window_std"``), one plus the
    window's mean absolute value (``"mean"``, DeepAR's scaling for counts) or 1. The other channels are
    covariates, z-scored with ``cov_mean`` / ``cov_std``. ``loc`` and ``scale`` are
    ``[B, 1, n_targets]``.

    Example:
        >>> scaled, loc, scale = scale_window(np.array([[[1.0], [3.0]]]), n_targets=1,
        ...                                   target_scale=[1.0])
        >>> np.asarray(scaled).ravel().tolist(), np.asarray(loc).ravel().tolist()
        ([-1.0, 1.0], [2.0])
    """
    from keras import ops

    inputs = ops.convert_to_tensor(inputs)
    dtype = inputs.dtype
    t = target_transform(inputs[..., :n_targets], log)
    if scaling in ("window", "window_std"):
        loc = ops.mean(t, axis=1, keepdims=True)
        if scaling == "window":
            scale = ops.ones_like(loc) * ops.convert_to_tensor(target_scale, dtype)
        else:
            scale = ops.std(t, axis=1, keepdims=True) + STD_EPS
    elif scaling == "global":
        loc = ops.zeros_like(t[:, :1, :]) + ops.convert_to_tensor(target_loc, dtype)
        scale = ops.ones_like(loc) * ops.convert_to_tensor(target_scale, dtype)
    elif scaling == "none":
        loc = ops.zeros_like(t[:, :1, :])
        scale = ops.ones_like(loc)
    elif scaling == "mean":
        # DeepAR's mean scaling (counts): no centring, divide by 1 + the window's mean size
        loc = ops.zeros_like(t[:, :1, :])
        scale = 1.0 + ops.mean(ops.abs(t), axis=1, keepdims=True)
    else:
        raise ValueError(f"scaling must be one of {SCALINGS}, got {scaling!r}")
    scaled = (t - loc) / scale
    if cov_mean:
        covariates = standardize(inputs[..., n_targets:], cov_mean, cov_std)
        scaled = ops.concatenate([scaled, covariates], axis=-1)
    return scaled, loc, scale


def scale_targets(y, loc, scale, log=False):
    """Raw targets ``[B, H, n_targets]`` on the network's scale: ``(T(y) - loc) / scale``."""
    from keras import ops

    return (target_transform(ops.convert_to_tensor(y), log) - loc) / scale


def unscale(y, loc, scale, log=False):
    """Network outputs back to raw units: ``y * scale + loc``, then ``exp`` when ``log``.

    ``y`` is ``[B, H, T]`` or, for quantile models, ``[B, H, T, Q]``; ``loc`` and
    ``scale`` are ``[B, 1, T]``. The exponent is clipped so that an untrained or
    diverged network never gives ``inf``.

    Example:
        >>> np.asarray(unscale(np.zeros((1, 2, 1)), np.full((1, 1, 1), 2.0), np.ones((1, 1, 1)))).ravel().tolist()
        [2.0, 2.0]
    """
    from keras import ops

    y = ops.convert_to_tensor(y)
    if len(y.shape) == 4:
        loc, scale = loc[..., None], scale[..., None]
    out = y * ops.cast(scale, y.dtype) + ops.cast(loc, y.dtype)
    return ops.exp(ops.clip(out, -EXP_CLIP, EXP_CLIP)) if log else out
