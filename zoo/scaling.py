"""Target and covariate scaling: constants fitted on training data, applied to windows.

The constants are fitted here (numpy, training rows and windows only); the
model applies them inside its graph (:class:`zoo.builders.layers.WindowScaler`),
and the streamed training path scales its targets with that same layer.
"""

from __future__ import annotations

import numpy as np

from zoo import windows as W

# Windows sampled for the "window" scale constant.
SCALE_WINDOWS = 50_000


def _fit_scaling(rows, starts, wspec, log, scaling):
    """Scaling constants from training rows and training windows only."""
    n_t = wspec.n_targets
    rows_all = np.concatenate([r for r in rows if len(r)])
    t = rows_all[:, :n_t]
    t = np.log(np.maximum(t, 1e-12)) if log else t
    cov = rows_all[:, n_t:]
    stats = {"log": log, "scaling": scaling,
             "target_loc": t.mean(axis=0).tolist(),
             "target_scale": np.maximum(t.std(axis=0), 1e-6).tolist(),
             "cov_mean": cov.mean(axis=0).tolist() if cov.shape[1] else [],
             "cov_std": np.where(cov.std(axis=0) > 1e-12, cov.std(axis=0), 1.0).tolist()
             if cov.shape[1] else []}
    if scaling == "window":
        # spread of the targets around their input window's mean, over training windows
        # (an evenly spaced sample of them on long series)
        x, y, _ = W.make_windows([r for r in rows], W._thin(starts, SCALE_WINDOWS), wspec)
        tx, ty = x[..., :n_t].astype("float64"), y.astype("float64")
        if log:
            tx, ty = np.log(np.maximum(tx, 1e-12)), np.log(np.maximum(ty, 1e-12))
        dev = ty - tx.mean(axis=1, keepdims=True)
        stats["target_scale"] = np.maximum(np.sqrt((dev ** 2).mean(axis=(0, 1))), 1e-6).tolist()
    return stats


def _stream(arrays, starts, wspec, stats, batch_size, shuffle, seed):
    """A ``tf.data`` pipeline of (inputs, scaled targets) that slices windows on the fly.

    The targets are scaled with the ``loc`` and ``scale`` of the model's own
    :class:`WindowScaler`, so the network learns on exactly the scale it predicts on.
    """
    import tensorflow as tf

    from zoo.forecast_graph import _window_scaler

    n_t = wspec.n_targets
    scaler = _window_scaler(stats, n_t)
    ds = W.make_dataset(arrays, starts, wspec, batch_size=batch_size, shuffle=shuffle, seed=seed)

    def scale(inputs, y):
        _, loc, spread = scaler(inputs["inputs"] if isinstance(inputs, dict) else inputs)
        t = tf.math.log(tf.maximum(y, 1e-12)) if stats["log"] else y
        return inputs, (t - loc) / spread

    return ds.map(scale, num_parallel_calls=tf.data.AUTOTUNE).prefetch(2)


def _scale_targets(stats, x, y, n_t):
    """Targets on the network's scale, ``(T(y) - loc) / scale``, as WindowScaler computes them."""
    tx = np.asarray(x[..., :n_t], "float64")
    ty = np.asarray(y, "float64")
    if stats["log"]:
        tx, ty = np.log(np.maximum(tx, 1e-12)), np.log(np.maximum(ty, 1e-12))
    scaling = stats["scaling"]
    if scaling in ("window", "window_std"):
        loc = tx.mean(axis=1, keepdims=True)
        if scaling == "window":
            scale = np.asarray(stats["target_scale"])[None, None, :]
        else:
            scale = tx.std(axis=1, keepdims=True) + 1e-3
    elif scaling == "global":
        loc = np.asarray(stats["target_loc"])[None, None, :]
        scale = np.asarray(stats["target_scale"])[None, None, :]
    else:
        loc, scale = 0.0, 1.0
    return ((ty - loc) / scale).astype("float32")
