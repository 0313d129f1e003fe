"""Linear forecasters: NLinear and DLinear (Zeng et al. 2023).

"Are Transformers Effective for Time Series Forecasting?" (AAAI 2023) shows that
one linear layer from the lookback window to the horizon, applied to each channel,
matches or beats the Transformer forecasters on the long-horizon benchmarks.
:func:`nlinear` subtracts the window's last value first and adds it back after;
:func:`dlinear` splits the window into a moving-average trend and the remainder
and maps each with its own linear layer. Both are forecast-only, need a fixed
lookback (one weight per input step) and are built from plain Keras layers, so
they load without zoo and lower to builtin LiteRT and OpenVINO ops.

How the channels become the ``n_targets`` outputs: every input channel gets its
own forecast (the paper's channel independence), ``[batch, horizon, n_features]``.
When the outputs are exactly those channels (``n_features == n_targets``, no
quantiles) that is the output, as in the paper. Otherwise a ``Dense`` on the
channel axis (``channel_mix``, initialised to the identity, so target ``k`` starts
as its own channel's forecast, the paper's channel-independent model) maps the
``n_features`` forecasts to ``n_targets`` outputs. The Forecaster puts its targets
first and the past covariates after them, so the covariates start unused and the
mix learns how much of their forecasts to add; dropping them (the paper's "MS"
setting, which keeps the target channel only) would make a user's covariates
silently useless. The mix is linear, so the whole model stays a linear map of the
window, and it also gives the extra outputs a distribution head asks for (the
Forecaster then passes ``n_targets`` = targets x parameters). The Forecaster feeds
these builders its scaled windows (log and per-window level removal for the
targets, a z-score for covariates); the last-value and trend arithmetic here act
on those scaled values, and the scaling layers around the network restore raw units.
"""

from __future__ import annotations

import keras

from zoo._checks import check_bool, check_int, is_int
from zoo.builders.common import check_name, finish, validate
from zoo.builders.layers import SortLastAxis
from zoo.registry import register

_SHARED_DOC = """
        task: ``"forecast"`` only (``"classify"`` raises ``ValueError``).
        input_shape: ``(lookback, n_features)`` with a fixed ``lookback``; the first
            channels are the targets (the Forecaster's order), the rest covariates.
        horizon: Steps forecast at once (the linear map's output size).
        n_targets: Outputs per step; when it differs from ``n_features`` (or with
            ``quantiles``) a ``channel_mix`` Dense maps the channels' forecasts to it.
        n_classes: Must be ``None`` (forecast only).
        api: ``"functional"`` only (the model adds a branch back); ``"sequential"``
            raises ``ValueError``.
        units: Accepted and unused. The estimators pass it to every builder, but a
            linear forecaster has no hidden width: its one layer's size is fixed by
            ``lookback`` and ``horizon``, and the paper's point is that no hidden
            layer is needed. It is still checked (a positive int or list of them).
        individual: False (the paper's default): one linear map shared by every
            channel. True: a separate map per channel (``EinsumDense``).
        kernel_initializer: Initializer of the linear maps' kernels.
        quantiles: Quantile levels: each target's forecast feeds a ``Dense`` to the
            quantiles (initialised so that every quantile starts at the forecast),
            then the quantiles are sorted; output ``[batch, horizon, n_targets, n_q]``.
        n_future: Must be 0: known-ahead covariates are not supported (the shared
            ``future`` join is a nonlinear mix of a flat feature vector, which would
            replace the linear map the model is).
        mask_value: Must be ``None`` (a linear map over fixed steps cannot skip padding).
        name: Model name."""


def _check_args(label, task, input_shape, horizon, n_targets, n_classes, api, units,
                dropout, individual, mask_value, kernel_initializer, quantiles, n_future,
                name):
    """The shared checks of both builders; returns ``(initializer, quantiles, individual)``."""
    if task != "forecast":
        raise ValueError(f"{label} supports task='forecast' only, got task={task!r}")
    if mask_value is not None:
        raise ValueError(
            f"{label} does not support mask_value: its linear map has one weight per input "
            "step, so padding would enter the forecast. Give it windows of one length "
            f"(lookback); got mask_value={mask_value!r}")
    if is_int(n_future) and n_future != 0:
        raise ValueError(
            f"{label} does not support n_future (known-ahead covariates): it is one linear "
            "map of the window per channel; use n_future=0, or a model such as 'lstm' for "
            f"future covariates; got n_future={n_future!r}")
    # validate's recurrent arguments do not apply here: their neutral values pass
    _, kernel_initializer, _, quantiles, _ = validate(
        task, input_shape, horizon, n_targets, n_classes, api, units, dropout, 0.0, None,
        kernel_initializer, "orthogonal", quantiles, n_future, "lstm")
    if n_classes is not None:
        raise ValueError(f"{label} is forecast-only: n_classes must be None, got {n_classes!r}")
    if api == "sequential":
        raise ValueError(
            f"{label} adds a branch back into the forecast (the window's "
            f"{'last value' if label == 'nlinear' else 'trend'}), which a Sequential model "
            "(a single chain of layers) cannot hold: use api='functional'")
    if input_shape[0] is None:
        raise ValueError(
            f"{label} needs a fixed lookback: its linear map has one weight per input step. "
            "Pass input_shape=(lookback, n_features), got input_shape="
            f"{tuple(input_shape)!r}")
    check_name(name)
    return kernel_initializer, quantiles, check_bool(individual, "individual")


def _linear_map(x, horizon, individual, initializer, name):
    """``[B, L, C] -> [B, horizon, C]``: a linear layer over the time axis of each channel."""
    n_channels = x.shape[-1]
    t = keras.layers.Permute((2, 1), name=f"{name}_channels_first")(x)  # [B, C, L]
    if individual:
        t = keras.layers.EinsumDense("bcl,clh->bch", output_shape=(n_channels, horizon),
                                     bias_axes="ch", kernel_initializer=initializer,
                                     name=name)(t)
    else:
        # Dense acts on the last axis: the same (L -> horizon) weights for every channel
        t = keras.layers.Dense(horizon, kernel_initializer=initializer, name=name)(t)
    return keras.layers.Permute((2, 1), name=f"{name}_time_first")(t)


def _output_layers(n_channels, horizon, n_targets, quantiles):
    """The layers from the channels' forecasts ``[B, H, C]`` to the model's output."""
    layers = []
    if n_channels != n_targets or quantiles:
        # identity: target k starts as its own channel's forecast (channel independence)
        layers.append(keras.layers.Dense(n_targets, kernel_initializer="identity",
                                         name="channel_mix"))
    if quantiles:
        # ones: every quantile starts at the forecast; the biases learn the spread
        layers += [keras.layers.Reshape((horizon, n_targets, 1), name="quantile_axis"),
                   keras.layers.Dense(len(quantiles), kernel_initializer="ones",
                                      name="quantile_dense"),
                   SortLastAxis(name="forecast")]
    return layers


def _edge(x, lookback, side, repeat, name):
    """The first (``side=0``) or last step of ``x``, repeated ``repeat`` times."""
    crop = (0, lookback - 1) if side == 0 else (lookback - 1, 0)
    step = keras.layers.Cropping1D(crop, name=f"{name}_step")(x)
    if repeat == 1:
        return step
    return keras.layers.UpSampling1D(repeat, name=f"{name}_repeat")(step)


@register("nlinear", tasks=("forecast",), masking=False, dynamic_time=False,
          future_covariates=False, sequential=False,
          description="NLinear: one linear map lookback -> horizon of the window minus its "
                      "last value",
          example_kwargs={"input_shape": (12, 2), "horizon": 3, "n_targets": 1})
def nlinear(*, task="forecast", input_shape=(None, 1), horizon=1, n_targets=1,
            n_classes=None, api="functional", units=64, dropout=0.0, individual=False,
            kernel_initializer="glorot_uniform", quantiles=None, n_future=0, mask_value=None,
            name="nlinear"):
    """NLinear (Zeng et al. 2023): last value + a linear map of the window relative to it.

    For each channel: subtract the window's last value, apply one ``Dense`` from
    the ``lookback`` steps to the ``horizon`` steps, add the last value back. The
    normalisation makes the map see level-free windows, which helps when the level
    of the test period drifts from the training period's.

    Args:
        {shared}
        dropout: Dropout on the input window after its last value is subtracted
            (so the value added back is never dropped).

    Returns:
        An uncompiled ``keras.Model`` ``[batch, lookback, n_features] ->
        [batch, horizon, n_targets]`` (``[..., n_quantiles]`` with ``quantiles``).

    Example:
        >>> from zoo.builders.linear import nlinear
        >>> m = nlinear(input_shape=(24, 1), horizon=12)
        >>> tuple(m.output.shape), m.count_params()  # 24 x 12 weights + 12 biases
        ((None, 12, 1), 300)
    """
    initializer, quantiles, individual = _check_args(
        "nlinear", task, input_shape, horizon, n_targets, n_classes, api, units, dropout,
        individual, mask_value, kernel_initializer, quantiles, n_future, name)
    lookback, n_features = (int(d) for d in input_shape)
    horizon, n_targets = int(horizon), int(n_targets)

    inputs = keras.Input(shape=(lookback, n_features), name="inputs", dtype="float32")
    last = _edge(inputs, lookback, 1, 1, "last")  # [B, 1, C]
    x = keras.layers.Subtract(name="minus_last")([inputs, last])
    if dropout:
        x = keras.layers.Dropout(dropout, name="dropout")(x)
    x = _linear_map(x, horizon, individual, initializer, "linear")
    x = keras.layers.Add(name="plus_last")([x, last])
    return finish(inputs, x, _output_layers(n_features, horizon, n_targets, quantiles),
                  horizon=horizon, n_future=0, width=n_features, name=name)


@register("dlinear", tasks=("forecast",), masking=False, dynamic_time=False,
          future_covariates=False, sequential=False,
          description="DLinear: moving-average trend and remainder, one linear map each",
          example_kwargs={"input_shape": (12, 3), "horizon": 2, "n_targets": 2,
                          "kernel_size": 5, "quantiles": [0.1, 0.5, 0.9]})
def dlinear(*, task="forecast", input_shape=(None, 1), horizon=1, n_targets=1,
            n_classes=None, api="functional", units=64, dropout=0.0, kernel_size=25,
            individual=False, kernel_initializer="glorot_uniform", quantiles=None,
            n_future=0, mask_value=None, name="dlinear"):
    """DLinear (Zeng et al. 2023): trend and remainder, each through its own linear map.

    The trend is the centred moving average of each channel over ``kernel_size``
    steps, with the window's first and last values repeated ``(kernel_size - 1) / 2``
    times beyond its ends (the paper's edge padding, so the trend keeps the
    window's length and follows its ends); the remainder is the window minus the
    trend. One ``Dense`` maps the trend from ``lookback`` to ``horizon`` steps,
    another the remainder; their sum is the forecast.

    Args:
        {shared}
        dropout: Dropout on the input window, before the decomposition.
        kernel_size: Moving-average window, an odd int >= 1 (the paper's 25; a centred
            average needs an odd width). It may exceed the lookback: the edge padding
            then dominates the trend.

    Returns:
        An uncompiled ``keras.Model`` ``[batch, lookback, n_features] ->
        [batch, horizon, n_targets]`` (``[..., n_quantiles]`` with ``quantiles``).

    Example:
        >>> from zoo.builders.linear import dlinear
        >>> m = dlinear(input_shape=(48, 2), horizon=6, n_targets=1, kernel_size=7)
        >>> tuple(m.output.shape), tuple(m.get_layer("trend").output.shape)
        ((None, 6, 1), (None, 48, 2))
    """
    initializer, quantiles, individual = _check_args(
        "dlinear", task, input_shape, horizon, n_targets, n_classes, api, units, dropout,
        individual, mask_value, kernel_initializer, quantiles, n_future, name)
    kernel_size = check_int(kernel_size, "kernel_size")
    if kernel_size % 2 == 0:
        raise ValueError(f"kernel_size must be an odd int >= 1 (a centred moving average), "
                         f"got {kernel_size!r}")
    lookback, n_features = (int(d) for d in input_shape)
    horizon, n_targets = int(horizon), int(n_targets)

    inputs = keras.Input(shape=(lookback, n_features), name="inputs", dtype="float32")
    x = keras.layers.Dropout(dropout, name="dropout")(inputs) if dropout else inputs
    pad = (kernel_size - 1) // 2
    padded = x
    if pad:
        padded = keras.layers.Concatenate(axis=1, name="edge_padded")(
            [_edge(x, lookback, 0, pad, "first"), x, _edge(x, lookback, 1, pad, "last")])
    trend = keras.layers.AveragePooling1D(kernel_size, strides=1, padding="valid",
                                          name="trend")(padded)
    remainder = keras.layers.Subtract(name="remainder")([x, trend])
    x = keras.layers.Add(name="trend_plus_remainder")([
        _linear_map(trend, horizon, individual, initializer, "linear_trend"),
        _linear_map(remainder, horizon, individual, initializer, "linear_remainder")])
    return finish(inputs, x, _output_layers(n_features, horizon, n_targets, quantiles),
                  horizon=horizon, n_future=0, width=n_features, name=name)


nlinear.__doc__ = nlinear.__doc__.replace("\n        {shared}", _SHARED_DOC)
dlinear.__doc__ = dlinear.__doc__.replace("\n        {shared}", _SHARED_DOC)
