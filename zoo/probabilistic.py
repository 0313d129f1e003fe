"""What the Forecaster's distribution heads and conformal intervals need beside the network.

- :func:`check_distribution` -- the ``distribution`` argument against ``quantiles``,
  ``log`` and ``scaling`` (the negative binomial needs DeepAR's mean scaling);
- :func:`check_conformal` and :func:`conformal_widths` -- split-conformal intervals
  (Lei et al. 2018) per horizon step and target, from the residuals of the model before
  the refit on validation windows carved from the training data. The residuals are
  divided by each window's mean absolute target value (:func:`window_norm`), so one
  set of widths serves series of any level and a growing series gets wider intervals;
- :func:`intervals` -- the bounds, in ``keras.ops`` (numpy in ``predict``, TensorFlow
  in the artifact's ``intervals`` endpoint);
- :func:`endpoints` -- the artifact's ``sample`` and ``intervals`` endpoints.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from zoo import windows as W
from zoo._checks import check_choice, check_finite_output, check_int, check_positive

DISTRIBUTION_CHOICES = (None, "normal", "student_t", "negative_binomial")


def check_distribution(distribution, quantiles, log, scaling):
    """The distribution checked against the other arguments; returns ``(log, scaling)``.

    Args:
        distribution: None or a name of ``DISTRIBUTION_CHOICES``.
        quantiles: The checked ``quantiles`` (None or a list).
        log: The ``log`` choice (``"auto"``, True, False).
        scaling: The ``scaling`` choice.

    Returns:
        The ``log`` and ``scaling`` choices to prepare the data with (the negative
        binomial resolves ``"auto"`` to no log and mean scaling).

    Example:
        >>> check_distribution("negative_binomial", None, "auto", "auto")
        (False, 'mean')
    """
    check_choice(distribution, "distribution", DISTRIBUTION_CHOICES)
    if distribution is not None and quantiles is not None:
        raise ValueError("quantiles and distribution cannot be combined: a distribution "
                         "head gives quantiles itself (predict(quantiles=[...])); pass one "
                         "or the other")
    if distribution != "negative_binomial":
        return log, scaling
    if log is True:
        raise ValueError("distribution='negative_binomial' models raw counts: log=True "
                         "contradicts it; use log='auto' or False")
    if scaling not in ("auto", "mean"):
        raise ValueError(f"distribution='negative_binomial' needs DeepAR's mean scaling (no "
                         f"centring): scaling must be 'auto' or 'mean', got {scaling!r}")
    return False, "mean"


def check_counts(panel):
    """Refuses negative targets for the negative binomial (counts are >= 0)."""
    for s in panel.series:
        values = s.values[:, :len(panel.targets)]
        bad = np.nonzero(np.nanmin(values, axis=0) < 0)[0] if values.size else []
        if len(bad):
            raise ValueError(f"distribution='negative_binomial' models counts, but target "
                             f"column {panel.targets[bad[0]]!r} holds negative values; use "
                             "distribution='normal' or 'student_t'")


def check_conformal(levels):
    """``conformal`` checked: None or the sorted distinct levels in (0, 1).

    Example:
        >>> check_conformal([0.95, 0.8])
        [0.8, 0.95]
    """
    from zoo._checks import check_quantiles

    return check_quantiles(levels, "conformal")


def windows_needed(level) -> int:
    """Validation windows split-conformal needs for ``level``: ``(n + 1) * level <= n``."""
    return int(math.ceil(level / (1.0 - level) - 1e-9))


def check_enough_windows(levels, n_windows):
    """Refuses ``levels`` that ``n_windows`` validation windows cannot calibrate."""
    if not levels:
        return
    need = windows_needed(max(levels))
    if n_windows < need:
        raise ValueError(
            f"conformal={levels} needs at least {need} validation windows for the level "
            f"{max(levels)}, but the validation tail gives {n_windows}: raise "
            "validation_size, lower the horizon or drop the highest level")


def validation_windows(data, horizon):
    """Raw validation windows ``(x, y, future)`` of ``horizon`` target steps."""
    if data.wspec.horizon == horizon:
        return data.validation
    from zoo.forecast_data import METRIC_WINDOWS

    wspec = dataclasses.replace(data.wspec, horizon=int(horizon))
    starts = [W.window_starts(len(a), wspec.lookback, horizon, first_target=len(t))
              if len(t) < len(a) else np.zeros(0, "int64")
              for a, t in zip(data.arrays, data.train_rows)]
    if data.stream:  # as prepare() does: an evenly spaced sample of long series' windows
        starts = W.thin(starts, METRIC_WINDOWS)
    if not sum(len(s) for s in starts):
        return None
    return W.make_windows(data.arrays, starts, wspec)


def count_windows(data, horizon) -> int:
    """How many validation windows of ``horizon`` steps the data gives."""
    windows = validation_windows(data, horizon)
    return 0 if windows is None else len(windows[0])


# What conformal residuals are divided by: each window's mean absolute target value
# ("mean_abs"), its standard deviation ("window_std"), or nothing ("none", plain split
# conformal); benchmarks/conformal_design.py compares them on inner splits.
NORMALIZATION = "mean_abs"


def window_norm(x, n_targets, kind=None):
    """Each window's scale ``[B, 1, T]`` (1 where it is 0).

    ``kind``: ``"mean_abs"``, ``"window_std"`` or ``"none"``; None is ``NORMALIZATION``
    (an artifact stores the kind its widths were fitted with).
    """
    from keras import ops

    kind = kind or NORMALIZATION
    t = ops.convert_to_tensor(x)[..., :n_targets]
    if kind == "none":
        return ops.ones_like(t[:, :1, :])
    if kind == "window_std":
        size = ops.std(t, axis=1, keepdims=True)
    else:
        size = ops.mean(ops.abs(t), axis=1, keepdims=True)
    return ops.where(size > 0, size, ops.ones_like(size))


def conformal_widths(point, x, y, n_targets, levels, kind=None) -> list:
    """Split-conformal half-widths ``[level][horizon][target]`` (in window-norm units).

    Args:
        point: The model's point forecasts on the validation windows ``[N, H, T]``.
        x: The validation windows' raw inputs ``[N, lookback, n_inputs]``.
        y: Their raw targets ``[N, H, T]``.
        n_targets: Leading target columns of ``x``.
        levels: Coverage levels in (0, 1).
        kind: The window normalisation (:func:`window_norm`).

    Returns:
        Nested lists of floats: the ``ceil((N + 1) * level)``-th smallest normalised
        absolute residual at every step and target.
    """
    score = np.abs(np.asarray(y, "float64") - np.asarray(point, "float64")) / \
        np.asarray(window_norm(x, n_targets, kind), "float64")
    ordered = np.sort(score, axis=0)
    n = len(ordered)
    return [ordered[min(int(math.ceil((n + 1) * level)), n) - 1].tolist() for level in levels]


def intervals(point, x, widths, n_targets, floor=None, kind=None):
    """``(lower, upper)`` ``[B, H, T, L]``: the point forecast -/+ the widths x window norm.

    ``floor`` (0 for counts) bounds the lower end.
    """
    from keras import ops

    point = ops.convert_to_tensor(point)
    w = ops.convert_to_tensor(np.moveaxis(np.asarray(widths, "float32"), 0, -1), point.dtype)
    half = ops.expand_dims(ops.cast(window_norm(x, n_targets, kind), point.dtype), -1) * w
    centre = ops.expand_dims(point, -1)
    lower = centre - half
    return (lower if floor is None else ops.maximum(lower, floor)), centre + half


def interval_floor(estimator):
    """0 for a negative binomial forecaster (counts), else None."""
    return 0.0 if estimator.distribution == "negative_binomial" else None


def endpoints(estimator, input_specs) -> dict:
    """The artifact's extra endpoints of a fitted Forecaster: ``sample``, ``intervals``.

    ``sample(inputs[, future], num_samples, seed, temperature)`` returns ``{"samples":
    [B, num_samples, horizon, n_targets]}``; ``intervals(inputs[, future])`` returns
    ``{"lower", "upper"}`` ``[B, horizon, n_targets, n_levels]``.
    """
    import tensorflow as tf

    out = {}
    has_future = "future" in input_specs
    sig = [tf.TensorSpec(s, tf.float32, name=n) for n, s in input_specs.items()]
    n_t = len(estimator.targets_)
    if estimator.distribution is not None:
        from zoo.forecast_graph import params_model, step_model_of
        from zoo.sampling import sample_paths

        pm = params_model(step_model_of(estimator.model_))
        options = dict(distribution=estimator.distribution, log=bool(estimator.log_),
                       recursive=estimator.strategy == "recursive",
                       horizon=int(estimator.horizon), n_targets=n_t)
        extra = [tf.TensorSpec((), tf.int32, name="num_samples"),
                 tf.TensorSpec((), tf.int64, name="seed"),
                 tf.TensorSpec((), tf.float32, name="temperature")]

        def sample(inputs, *rest):
            future, (n, seed, temperature) = (rest[0], rest[1:]) if has_future else (None, rest)
            return {"samples": sample_paths(pm, inputs, future, n, seed, temperature,
                                            **options)}

        out["sample"] = (sample, sig + extra, pm)
    if estimator.conformal_ is not None:
        from zoo.frames import median_of_quantiles

        model, widths = estimator.model_, estimator.conformal_["widths"]
        qs, floor = estimator.quantiles_, interval_floor(estimator)
        kind = estimator.conformal_.get("normalization", "mean_abs")

        def bounds(inputs, future=None):
            point = model(inputs if future is None else {"inputs": inputs, "future": future},
                          training=False)
            if qs:  # a quantile model's intervals are around its median
                point = median_of_quantiles(point, qs)
            lower, upper = intervals(point, inputs, widths, n_t, floor, kind)
            return {"lower": lower, "upper": upper}

        out["intervals"] = (bounds, sig, None)
    return out


def check_sampling(num_samples, seed, temperature):
    """``sample``'s arguments checked: ``(num_samples, seed, temperature)``.

    A None seed becomes a fresh random one.

    Example:
        >>> check_sampling(10, 3, 1)
        (10, 3, 1.0)
    """
    num_samples = check_int(num_samples, "num_samples")
    seed = (int(np.random.default_rng().integers(2 ** 31)) if seed is None
            else check_int(seed, "seed", minimum=0, maximum=2 ** 63 - 1))
    return num_samples, seed, check_positive(temperature, "temperature", allow_none=False)


class SamplingMixin:
    """The Forecaster's sampling: :meth:`sample`, distribution quantiles, the endpoints."""

    def _distribution_quantiles(self, series, future_df, kind, levels):
        from zoo.builders.distributions import quantiles as ppf
        from zoo.forecast_graph import model_inputs

        x, future, _ = self.make_inputs(series, future_df, kind)
        if self.strategy == "recursive":
            paths = self._sample(x, future, 1000, 0, 1.0)           # [S, N, H, T]
            return np.moveaxis(np.quantile(paths, levels, axis=1), 0, -1)
        params, loc, scale = self._params_model()(model_inputs(x, future), training=False)
        return check_finite_output(ppf(params, loc, scale, self.distribution, self.log_,
                                       levels))

    def _params_model(self):
        from zoo.forecast_graph import params_model, step_model_of

        if getattr(self, "_params_cache", None) is None or self._params_cache[0] is not self.model_:
            self._params_cache = (self.model_, params_model(step_model_of(self.model_)))
        return self._params_cache[1]

    def _sample(self, x, future, num_samples, seed, temperature):
        from zoo.sampling import sample_paths

        paths = sample_paths(self._params_model(), x, future, num_samples, seed, temperature,
                             distribution=self.distribution, log=bool(self.log_),
                             recursive=self.strategy == "recursive",
                             horizon=int(self.horizon), n_targets=len(self.targets_))
        return check_finite_output(np.asarray(paths))

    def sample(self, num_samples, df=None, future_df=None, seed=None, temperature=1.0):
        """Sample paths in raw units from the distribution head.

        Args:
            num_samples: Paths per series.
            df: History, as for :meth:`predict` (None: the end of the training data).
            future_df: Known-ahead covariates over the horizon, as for :meth:`predict`.
            seed: Integer >= 0: the same seed gives the same paths (here and through the
                artifact's ``sample`` endpoint); None draws a fresh seed.
            temperature: Multiplies the spread of every draw (1 is the fitted
                distribution; below 1 narrower, above 1 wider).

        Returns:
            ``[num_samples, horizon, n_targets]`` for one series (wide frame, Series or
            array); ``[n_series, num_samples, horizon, n_targets]`` for a long frame, in
            the order of :meth:`predict`'s output.

        Example:
            >>> import zoo
            >>> df = zoo.datasets.load("airline")
            >>> f = zoo.Forecaster(horizon=6, units=4, epochs=1, distribution="normal").fit(df)
            >>> paths = f.sample(5, seed=1)
            >>> paths.shape, bool((paths == f.sample(5, seed=1)).all())
            ((5, 6, 1), True)
        """
        self._check_fitted()
        if self.distribution is None:
            raise ValueError("sample() needs a distribution head: Forecaster(distribution="
                             "'normal' | 'student_t' | 'negative_binomial', ...)")
        num_samples, seed, temperature = check_sampling(num_samples, seed, temperature)
        series, kind = self._history(df)
        x, future, _ = self.make_inputs(series, future_df, kind)
        paths = self._sample(x, future, num_samples, seed, temperature)
        return paths if kind == "long" else paths[0]

    def _endpoints(self, input_specs):
        return endpoints(self, input_specs)

