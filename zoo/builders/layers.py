"""The few custom layers zoo needs, registered for ``safe_mode`` loading.

No ``Lambda`` layers anywhere: ``keras.saving.load_model(..., safe_mode=True)``
refuses them. Every layer here keeps its whole state in ``get_config`` (plain
floats and lists), so a model reloads from ``.keras`` and from its config alone.

Scaling lives inside the model (the artifact takes raw values and returns raw
units): :class:`WindowScaler` maps a raw input window to the network's scale and
returns the per-window location it removed; :class:`InverseScaler` maps the
network's output back to raw units with that location; :class:`AddSeasonalNaive`
(the Forecaster's ``seasonal_residual``) adds the window's seasonal naive forecast
to the network's output between the two. The scalers, and :class:`Standardize`,
wrap the functions of :mod:`zoo.scaling`, which training uses on its data too.
"""

from __future__ import annotations

import keras
from keras import ops

from zoo import scaling
from zoo.scaling import SCALINGS  # noqa: F401  (re-exported)

PACKAGE = "zoo"


@keras.saving.register_keras_serializable(package=PACKAGE)
class LastTimestep(keras.layers.Layer):
    """Takes the last valid time step of a sequence, ``[B, T, C] -> [B, C]``.

    With a mask (right-padded variable-length input) it takes the last unmasked
    step of each sequence rather than the padding at the end.

    Example:
        >>> import numpy as np
        >>> x = np.arange(12, dtype="float32").reshape(1, 4, 3)
        >>> LastTimestep()(x).numpy().tolist()
        [[9.0, 10.0, 11.0]]
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return inputs[:, -1, :]
        steps = ops.shape(inputs)[1]
        # index of the last True in each row (0 when the row is fully masked)
        positions = ops.arange(steps, dtype="int32")[None, :]
        last = ops.max(ops.where(mask, positions, ops.zeros_like(positions)), axis=1)
        onehot = ops.one_hot(last, steps, dtype=inputs.dtype)
        return ops.sum(inputs * onehot[:, :, None], axis=1)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])


@keras.saving.register_keras_serializable(package=PACKAGE)
class SortLastAxis(keras.layers.Layer):
    """Sorts the last axis ascending: quantile forecasts never cross.

    Example:
        >>> import numpy as np
        >>> SortLastAxis()(np.array([[3.0, 1.0, 2.0]], "float32")).numpy().tolist()
        [[1.0, 2.0, 3.0]]
    """

    def call(self, inputs):
        return ops.sort(inputs, axis=-1)

    def compute_output_shape(self, input_shape):
        return input_shape


def _floats(values):
    return [float(v) for v in values]


@keras.saving.register_keras_serializable(package=PACKAGE)
class Standardize(keras.layers.Layer):
    """``(x - mean) / std`` per feature with constants fitted on training data.

    Steps whose features all equal ``pad_value`` (padding of variable-length
    input) are passed through unchanged so that a following ``Masking`` layer
    still recognises them.

    Args:
        mean: Per-feature means (list of floats).
        std: Per-feature standard deviations (list of positive floats).
        pad_value: The padding sentinel, or None.

    Example:
        >>> import numpy as np
        >>> layer = Standardize(mean=[1.0], std=[2.0])
        >>> layer(np.array([[[3.0]]], "float32")).numpy().tolist()
        [[[1.0]]]
    """

    def __init__(self, mean, std, pad_value=None, **kwargs):
        super().__init__(**kwargs)
        self.mean = _floats(mean)
        self.std = _floats(std)
        if len(self.mean) != len(self.std):
            raise ValueError("Standardize: mean and std must have the same length")
        if any(s <= 0 for s in self.std):
            raise ValueError("Standardize: every std must be positive")
        self.pad_value = None if pad_value is None else float(pad_value)
        self.supports_masking = True

    def call(self, inputs):
        return scaling.standardize(inputs, self.mean, self.std, self.pad_value)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "std": self.std,
                "pad_value": self.pad_value}


@keras.saving.register_keras_serializable(package=PACKAGE)
class WindowScaler(keras.layers.Layer):
    """Scales a raw forecasting window; returns ``(scaled, loc, scale)``.

    The first ``n_targets`` channels are targets; the rest are covariates.

    Targets: optionally ``log`` (for positive series), then per-window level
    removal (``scaling="window"``: subtract the window mean of each target),
    then division by a spread — a constant fitted on training windows
    (``"window"``), the window's own standard deviation (``"window_std"``), or a
    global z-score (``"global"``: fitted mean and std, no per-window level).
    Covariates: a global z-score with constants fitted on training data.

    Args:
        n_targets: Number of leading target channels.
        log: Apply ``log`` to the targets first.
        scaling: One of ``"window"``, ``"window_std"``, ``"global"``, ``"none"``.
        target_loc: Fitted per-target location (used by ``"global"``).
        target_scale: Fitted per-target spread (``"window"`` and ``"global"``).
        cov_mean: Fitted covariate means.
        cov_std: Fitted covariate standard deviations.

    Example:
        >>> import numpy as np
        >>> s = WindowScaler(n_targets=1, scaling="window", target_scale=[1.0])
        >>> scaled, loc, scale = s(np.array([[[1.0], [3.0]]], "float32"))
        >>> scaled.numpy().ravel().tolist(), loc.numpy().ravel().tolist()
        ([-1.0, 1.0], [2.0])
    """

    def __init__(self, n_targets, log=False, scaling="window", target_loc=None,
                 target_scale=None, cov_mean=None, cov_std=None, **kwargs):
        super().__init__(**kwargs)
        if scaling not in SCALINGS:
            raise ValueError(f"scaling must be one of {SCALINGS}, got {scaling!r}")
        self.n_targets = int(n_targets)
        self.log = bool(log)
        self.scaling = scaling
        self.target_loc = _floats(target_loc or [0.0] * self.n_targets)
        self.target_scale = _floats(target_scale or [1.0] * self.n_targets)
        self.cov_mean = _floats(cov_mean or [])
        self.cov_std = _floats(cov_std or [])

    def call(self, inputs):
        return scaling.scale_window(
            inputs, n_targets=self.n_targets, log=self.log, scaling=self.scaling,
            target_loc=self.target_loc, target_scale=self.target_scale,
            cov_mean=self.cov_mean, cov_std=self.cov_std)

    def compute_output_shape(self, input_shape):
        stat = (input_shape[0], 1, self.n_targets)
        return input_shape, stat, stat

    def get_config(self):
        return {**super().get_config(), "n_targets": self.n_targets, "log": self.log,
                "scaling": self.scaling, "target_loc": self.target_loc,
                "target_scale": self.target_scale, "cov_mean": self.cov_mean,
                "cov_std": self.cov_std}


@keras.saving.register_keras_serializable(package=PACKAGE)
class InverseScaler(keras.layers.Layer):
    """Maps network outputs back to raw units: ``y * scale + loc``, then ``exp``.

    Called on ``[y, loc, scale]`` where ``y`` is ``[B, H, T]`` or, for quantile
    models, ``[B, H, T, Q]``; ``loc`` and ``scale`` are ``[B, 1, T]`` from
    :class:`WindowScaler`.

    Args:
        log: Whether the targets were log-transformed.

    Example:
        >>> import numpy as np
        >>> y = np.zeros((1, 2, 1), "float32"); loc = np.full((1, 1, 1), 2.0, "float32")
        >>> InverseScaler()([y, loc, np.ones_like(loc)]).numpy().ravel().tolist()
        [2.0, 2.0]
    """

    def __init__(self, log=False, **kwargs):
        super().__init__(**kwargs)
        self.log = bool(log)

    def call(self, inputs):
        y, loc, scale = inputs
        return scaling.unscale(y, loc, scale, self.log)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "log": self.log}


@keras.saving.register_keras_serializable(package=PACKAGE)
class AddSeasonalNaive(keras.layers.Layer):
    """Adds the seasonal naive forecast of the scaled window to the network's output.

    Called on ``[y, window]``: ``window`` is :class:`WindowScaler`'s scaled window
    ``[B, lookback, C]`` (targets first) and ``y`` the network's output on the same
    scale. Step ``h`` gets the window's target value at ``lookback - period +
    (h mod period)``, so the network learns the residual over the seasonal naive
    forecast, and a network that outputs 0 forecasts exactly the seasonal naive.
    ``y`` is ``[B, H, T]`` (point forecasts), ``[B, H, T, Q]`` (quantiles: every
    quantile is shifted) or ``[B, H, T * n_params]`` (a distribution's parameters,
    ``n_params`` per target: only the first, the location, is shifted). The window's
    scaling is affine in the (log) target, so the shifted output maps back through
    :class:`InverseScaler` to the raw seasonal naive plus the network's residual.

    Args:
        period: Season length in steps (1: the last value, the naive forecast).
        n_targets: Leading target channels of the window.
        n_params: Distribution parameters per target (1 for point / quantile outputs).

    Example:
        >>> import numpy as np
        >>> window = np.arange(5, dtype="float32").reshape(1, 5, 1)
        >>> y = np.zeros((1, 4, 1), "float32")
        >>> AddSeasonalNaive(period=3, n_targets=1)([y, window]).numpy().ravel().tolist()
        [2.0, 3.0, 4.0, 2.0]
    """

    def __init__(self, period, n_targets, n_params=1, **kwargs):
        super().__init__(**kwargs)
        self.period = int(period)
        self.n_targets = int(n_targets)
        self.n_params = int(n_params)
        if self.period < 1 or self.n_targets < 1 or self.n_params < 1:
            raise ValueError("AddSeasonalNaive: period, n_targets and n_params must be >= 1")

    def call(self, inputs):
        y, window = inputs
        m, horizon = self.period, y.shape[1]
        # a gather with constant indices: builtin in ONNX, LiteRT and OpenVINO alike
        last = window[:, -m:, : self.n_targets]
        naive = ops.take(last, [h % m for h in range(horizon)], axis=1)   # [B, H, T]
        naive = ops.cast(naive, y.dtype)
        if len(y.shape) == 4:
            return y + naive[..., None]
        if self.n_params > 1:
            # parameters are laid out target-major (see DistributionParams): shift column 0
            cols = [t for t in range(self.n_targets) for _ in range(self.n_params)]
            mask = [1.0 if p == 0 else 0.0 for _ in range(self.n_targets)
                    for p in range(self.n_params)]
            naive = ops.take(naive, cols, axis=2) * ops.convert_to_tensor(mask, y.dtype)
        return y + naive

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "period": self.period, "n_targets": self.n_targets,
                "n_params": self.n_params}


@keras.saving.register_keras_serializable(package=PACKAGE)
class RecursiveForecast(keras.layers.Layer):
    """Runs a one-step forecaster ``horizon`` times, feeding each forecast back.

    The step model maps a raw window ``[B, lookback, n_inputs]`` (plus
    ``future`` ``[B, 1, n_future]`` when it has known-ahead covariates) to
    ``[B, 1, n_targets]`` in raw units. Every input column must be a target or
    known ahead: the next row of the window is the forecast followed by that
    step's known-ahead covariates.

    Args:
        step_model: The one-step ``keras.Model``.
        horizon: Steps to forecast.
        n_targets: Leading target columns of the window.

    Example:
        >>> import numpy as np
        >>> inp = keras.Input((3, 1))
        >>> last = LastTimestep()(inp)
        >>> step = keras.Model(inp, keras.layers.Reshape((1, 1))(last))
        >>> tuple(RecursiveForecast(step, horizon=2, n_targets=1)(np.ones((1, 3, 1), "float32")).shape)
        (1, 2, 1)
    """

    def __init__(self, step_model, horizon, n_targets, **kwargs):
        super().__init__(**kwargs)
        if isinstance(step_model, dict):
            step_model = keras.saving.deserialize_keras_object(step_model)
        self.step_model = step_model
        self.horizon = int(horizon)
        self.n_targets = int(n_targets)

    def build(self, input_shape):
        self.built = True

    def call(self, inputs, future=None):
        window = inputs
        outputs = []
        for h in range(self.horizon):
            if future is None:
                y = self.step_model(window)
                row = y
            else:
                f = future[:, h: h + 1, :]
                y = self.step_model({"inputs": window, "future": f})
                row = ops.concatenate([y, f], axis=-1)
            outputs.append(y)
            window = ops.concatenate([window[:, 1:, :], ops.cast(row, window.dtype)], axis=1)
        return ops.concatenate(outputs, axis=1)

    def compute_output_shape(self, inputs_shape, future_shape=None):
        # Keras 3 matches these argument names to call()'s, plus "_shape"
        return (inputs_shape[0], self.horizon, self.n_targets)

    def get_config(self):
        return {**super().get_config(),
                "step_model": keras.saving.serialize_keras_object(self.step_model),
                "horizon": self.horizon, "n_targets": self.n_targets}
