"""Distribution heads: parameters per step, their likelihood, median, quantiles and draws.

A probabilistic forecaster's network is any forecasting builder asked for
``n_targets * n_params`` outputs per step; :class:`DistributionParams` reshapes them to
``[B, horizon, n_targets, n_params]`` and constrains them (positive spreads, degrees of
freedom above 2). The parameters live on the network's scale (what
:class:`zoo.builders.layers.WindowScaler` made of the targets):

- ``"normal"`` and ``"student_t"``: location, spread (and degrees of freedom) of the
  *scaled* target. Scaling is monotone, so the raw median and quantiles are the scaled
  ones mapped back through :func:`zoo.scaling.unscale` (with ``log``, a normal becomes a
  log-normal), and a raw draw is a scaled draw mapped back.
- ``"negative_binomial"``: DeepAR's count likelihood (Salinas et al. 2020) under mean
  scaling (``scaling="mean"``: no log, no centring): the network's mean ``m`` and
  dispersion ``a`` are raw ``m * scale`` and ``a / sqrt(scale)``, and the likelihood is
  that of the raw values, so the training output carries the window's scale beside the
  parameters.

Draws use TensorFlow's stateless random ops, so a seed gives the same numbers eagerly,
inside a ``tf.function`` and inside a SavedModel loaded without zoo.
"""

from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from zoo import scaling
from zoo.builders.layers import PACKAGE

# name -> the parameters of each step and target, in the order of the last axis
DISTRIBUTIONS = {
    "normal": ("loc", "scale"),
    "student_t": ("loc", "scale", "df"),
    "negative_binomial": ("mean", "dispersion"),
}
MIN_SCALE = 1e-4
MIN_DF = 2.0  # above 2 the variance is finite


def n_params(distribution) -> int:
    """Parameters per step and target of ``distribution``.

    Example:
        >>> n_params("student_t")
        3
    """
    return len(DISTRIBUTIONS[distribution])


@keras.saving.register_keras_serializable(package=PACKAGE)
class DistributionParams(keras.layers.Layer):
    """``[B, H, T * P]`` network outputs -> constrained parameters ``[B, H, T, P]``.

    Called on the network's output alone, or on ``[output, scale]`` (``scale`` the
    ``[B, 1, T]`` spread of :class:`WindowScaler`) to append the scale as one more
    parameter column, which the negative binomial likelihood needs in training.

    Args:
        distribution: A key of ``DISTRIBUTIONS``.
        n_targets: Targets per step.

    Example:
        >>> import numpy as np
        >>> p = DistributionParams("normal", n_targets=1)(np.zeros((2, 3, 2), "float32"))
        >>> tuple(p.shape), bool((p.numpy()[..., 1] > 0).all())
        ((2, 3, 1, 2), True)
    """

    def __init__(self, distribution, n_targets, **kwargs):
        super().__init__(**kwargs)
        if distribution not in DISTRIBUTIONS:
            raise ValueError(f"distribution must be one of {sorted(DISTRIBUTIONS)}; "
                             f"got {distribution!r}")
        self.distribution = distribution
        self.n_targets = int(n_targets)

    def call(self, inputs):
        x, scale = (inputs if isinstance(inputs, (list, tuple)) else (inputs, None))
        P = n_params(self.distribution)
        x = ops.reshape(x, (-1, x.shape[1], self.n_targets, P))
        first = x[..., 0:1]
        if self.distribution == "negative_binomial":
            first = ops.softplus(first) + MIN_SCALE
        cols = [first, ops.softplus(x[..., 1:2]) + MIN_SCALE]
        if self.distribution == "student_t":
            cols.append(ops.softplus(x[..., 2:3]) + MIN_DF)
        if scale is not None:
            cols.append(ops.broadcast_to(ops.expand_dims(scale, -1), ops.shape(first)))
        return ops.concatenate(cols, axis=-1)

    def compute_output_shape(self, input_shape):
        x_shape = input_shape[0] if isinstance(input_shape, list) else input_shape
        extra = 1 if isinstance(input_shape, list) else 0
        return (x_shape[0], x_shape[1], self.n_targets, n_params(self.distribution) + extra)

    def get_config(self):
        return {**super().get_config(), "distribution": self.distribution,
                "n_targets": self.n_targets}


def negative_binomial_raw(params, scale):
    """The raw mean and dispersion of network-scale NB parameters (DeepAR's rescaling).

    ``scale`` broadcasts against ``params[..., 0]`` (``[B, 1, T]`` or ``[B, H, T]``).
    """
    s = ops.cast(scale, params.dtype)
    return params[..., 0] * s, params[..., 1] / ops.sqrt(s)


def _nb_median(mean, dispersion):
    # The exact median needs the incomplete beta function, which ONNX and LiteRT lack: match
    # the mean, variance and skewness with a shifted gamma and take its Wilson-Hilferty
    # median (pow and sqrt only)
    var = mean + dispersion * mean ** 2
    third = mean + 3.0 * dispersion * mean ** 2 + 2.0 * dispersion ** 2 * mean ** 3
    skew = third / var ** 1.5
    shape = 4.0 / skew ** 2
    scale = ops.sqrt(var) * skew / 2.0
    return ops.maximum(mean - shape * scale * (1.0 - (1.0 - 1.0 / (9.0 * shape)) ** 3), 0.0)


@keras.saving.register_keras_serializable(package=PACKAGE)
class DistributionMedian(keras.layers.Layer):
    """The raw-unit median ``[B, H, T]`` of network-scale parameters.

    Called on ``[params, loc, scale]``. The negative binomial's median is that of the
    shifted gamma with its mean, variance and skewness (Wilson-Hilferty): a continuous
    value within about one count, or 4 %, of the exact integer median for means above 2
    and dispersions up to 3 (tests/test_probabilistic.py compares them).

    Args:
        distribution: A key of ``DISTRIBUTIONS``.
        log: Whether the targets were log-transformed (normal / Student-t only).

    Example:
        >>> import numpy as np
        >>> p = np.array([[[[1.0, 0.5]]]], "float32")
        >>> loc, sc = np.full((1, 1, 1), 10.0, "float32"), np.full((1, 1, 1), 2.0, "float32")
        >>> DistributionMedian("normal")([p, loc, sc]).numpy().ravel().tolist()
        [12.0]
    """

    def __init__(self, distribution, log=False, **kwargs):
        super().__init__(**kwargs)
        self.distribution = distribution
        self.log = bool(log)

    def call(self, inputs):
        params, loc, scale = inputs
        if self.distribution == "negative_binomial":
            return _nb_median(*negative_binomial_raw(params, scale))
        return scaling.unscale(params[..., 0], loc, scale, self.log)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1])

    def get_config(self):
        return {**super().get_config(), "distribution": self.distribution, "log": self.log}


@keras.saving.register_keras_serializable(package=PACKAGE)
class NegativeLogLikelihood(keras.losses.Loss):
    """Mean negative log-likelihood of scaled targets ``[B, H, T]`` under the parameters.

    For ``"normal"`` and ``"student_t"`` the likelihood is that of the scaled targets
    (the scaling's Jacobian does not depend on the parameters); for
    ``"negative_binomial"`` ``y_pred`` carries the window's scale as its last column and
    the likelihood is that of the raw counts.

    Args:
        distribution: A key of ``DISTRIBUTIONS``.

    Example:
        >>> import numpy as np
        >>> nll = NegativeLogLikelihood("normal")
        >>> round(float(nll(np.zeros((1, 1, 1), "float32"), np.array([[[[0.0, 1.0]]]], "float32"))), 4)
        0.9189
    """

    def __init__(self, distribution, name="nll", reduction="sum_over_batch_size", **kwargs):
        super().__init__(name=name, reduction=reduction, **kwargs)
        self.distribution = distribution

    def call(self, y_true, y_pred):
        y = ops.cast(y_true, y_pred.dtype)
        if self.distribution == "negative_binomial":
            scale = y_pred[..., -1]
            mean, disp = negative_binomial_raw(y_pred, scale)
            y = y * scale
            r = 1.0 / disp
            out = -(tf.math.lgamma(y + r) - tf.math.lgamma(y + 1.0) - tf.math.lgamma(r)
                    + r * ops.log(r / (r + mean)) + y * ops.log(mean / (r + mean) + 1e-12))
        else:
            mu, sigma = y_pred[..., 0], y_pred[..., 1]
            z = (y - mu) / sigma
            if self.distribution == "normal":
                out = 0.5 * math.log(2.0 * math.pi) + ops.log(sigma) + 0.5 * z ** 2
            else:
                df = y_pred[..., 2]
                out = (tf.math.lgamma(df / 2.0) - tf.math.lgamma((df + 1.0) / 2.0)
                       + 0.5 * ops.log(df * math.pi) + ops.log(sigma)
                       + (df + 1.0) / 2.0 * ops.log1p(z ** 2 / df))
        return ops.mean(out, axis=(-1, -2))

    def get_config(self):
        return {"distribution": self.distribution, "name": self.name,
                "reduction": self.reduction}


def quantiles(params, loc, scale, distribution, log, levels) -> np.ndarray:
    """Raw-unit quantiles ``[B, H, T, Q]`` of network-scale ``params`` (numpy / scipy).

    Args:
        params: ``[B, H, T, P]`` parameters.
        loc: ``[B, 1, T]`` window location of :class:`WindowScaler`.
        scale: ``[B, 1, T]`` window scale.
        distribution: A key of ``DISTRIBUTIONS``.
        log: Whether the targets were log-transformed.
        levels: Quantile levels in (0, 1).

    Returns:
        The quantiles, float64.

    Example:
        >>> p = np.array([[[[0.0, 1.0]]]]); z = np.zeros((1, 1, 1)); o = np.ones((1, 1, 1))
        >>> quantiles(p, z, o, "normal", False, [0.5]).ravel().tolist()
        [0.0]
    """
    from scipy import stats

    params = np.asarray(params, "float64")
    loc, scale = np.asarray(loc, "float64"), np.asarray(scale, "float64")
    q = np.asarray(levels, "float64")
    p = params[..., None, :]  # [B, H, T, 1, P]
    if distribution == "negative_binomial":
        s = scale[..., None]
        mean, disp = p[..., 0] * s, p[..., 1] / np.sqrt(s)
        r = 1.0 / disp
        return stats.nbinom.ppf(q, r, r / (r + mean)).astype("float64")
    if distribution == "normal":
        z = stats.norm.ppf(q, p[..., 0], p[..., 1])
    else:
        z = stats.t.ppf(q, p[..., 2], p[..., 0], p[..., 1])
    return np.asarray(scaling.unscale(z, loc, scale, log), "float64")


def draw(params, loc, scale, distribution, log, num_samples, seed, temperature=1.0):
    """Raw-unit draws ``[num_samples, B, H, T]`` from network-scale ``params`` (TensorFlow).

    Args:
        params: ``[B, H, T, P]`` parameters (a tensor).
        loc: ``[B, 1, T]`` window location.
        scale: ``[B, 1, T]`` window scale.
        distribution: A key of ``DISTRIBUTIONS``.
        log: Whether the targets were log-transformed.
        num_samples: Draws per point (an int or an int32 scalar tensor).
        seed: A ``[2]`` int tensor ``[s, k]``: the stateless key of the first draw; a
            second draw (Student-t, negative binomial) uses ``[s, k + 1]``, so callers
            step ``k`` by 2.
        temperature: Multiplies the spread (normal / Student-t scale; the negative
            binomial's dispersion by its square): below 1 narrows the draws, above 1
            widens them.

    Returns:
        The draws, float32.
    """
    params = tf.convert_to_tensor(params, tf.float32)
    shape = tf.concat([[num_samples], tf.shape(params)[:-1]], axis=0)
    seed = tf.cast(seed, tf.int64)
    temperature = tf.cast(temperature, tf.float32)
    if distribution == "negative_binomial":
        mean, disp = negative_binomial_raw(params, scale)
        r = 1.0 / (disp * temperature ** 2)
        rate = tf.random.stateless_gamma(shape, seed, alpha=r) * (mean / r)
        return tf.random.stateless_poisson(shape, seed + [0, 1], rate, dtype=tf.float32)
    eps = tf.random.stateless_normal(shape, seed)
    if distribution == "student_t":
        df = params[..., 2]
        chi2 = 2.0 * tf.random.stateless_gamma(shape, seed + [0, 1], alpha=df / 2.0)
        eps = eps / tf.sqrt(chi2 / df)
    z = params[..., 0] + temperature * params[..., 1] * eps
    # [N, B, H, T] against [B, 1, T]: plain broadcasting (unscale's 4-D case is quantiles')
    raw = z * tf.cast(scale, tf.float32) + tf.cast(loc, tf.float32)
    return tf.exp(tf.clip_by_value(raw, -scaling.EXP_CLIP, scaling.EXP_CLIP)) if log else raw
