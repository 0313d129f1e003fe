"""The forecasting graph: a builder's network wired between the scaling layers.

:func:`assemble` puts the network between a :class:`WindowScaler` (raw window in,
network scale out, with the location and spread it removed) and an
:class:`InverseScaler` (network output back to raw units), so the exported model
takes raw values and returns raw units; known-ahead covariates (``future``) are
z-scored on the way in. :func:`recursive` wraps a one-step model so that it
forecasts ``horizon`` steps by feeding its forecasts back. With a ``distribution``
(:mod:`zoo.builders.distributions`) the network's outputs are a distribution's
parameters: the training model outputs them (the likelihood is the loss), the
prediction model their raw-unit median, and :func:`params_model` recovers the
parameters, location and scale from the prediction model (for sampling). With a
``seasonal_period`` the network learns the residual over the seasonal naive forecast:
an :class:`AddSeasonalNaive` adds the scaled window's seasonal naive to the network's
output, in the training model too, so the loss is on the whole scaled forecast and
the targets stay as they are.
"""

from __future__ import annotations

import keras

from zoo import scaling
from zoo.builders.distributions import DistributionMedian, DistributionParams, n_params
from zoo.builders.layers import (
    AddSeasonalNaive,
    InverseScaler,
    RecursiveForecast,
    Standardize,
    WindowScaler,
)


def model_inputs(x, future):
    """What the Keras model takes: the window array, or a dict with ``future`` too."""
    return x if future is None else {"inputs": x, "future": future}


def assemble(network, stats, n_targets, n_inputs, horizon, n_future, distribution=None,
             seasonal_period=None):
    """``(train_model, predict_model)`` sharing the network's layers.

    Args:
        network: The builder's model (``[scaled window (, scaled future)] -> network scale``).
        stats: The fitted constants of :func:`zoo.scaling.fit_scaling`.
        n_targets: Leading target columns of the window.
        n_inputs: Columns of the window.
        horizon: Steps the network outputs.
        n_future: Known-ahead columns (the window's last ``n_future`` columns, also
            given over the horizon as ``future``); 0 for none.
        distribution: None (the network outputs point forecasts), or a key of
            ``zoo.builders.distributions.DISTRIBUTIONS`` (the network outputs
            ``n_targets * n_params`` values per step).
        seasonal_period: None, or the season length whose seasonal naive forecast
            (of the scaled window) is added to the network's output: the network
            learns the residual over it. With a distribution only its location is
            shifted (the negative binomial's mean is constrained positive: refused).

    Returns:
        The training model (raw inputs -> network scale, the scale its targets are
        given on; a distribution's parameters) and the prediction model (raw inputs ->
        raw units; a distribution's median).
    """
    lookback = network.inputs[0].shape[1]
    scaler = WindowScaler(**scaling.layer_kwargs(stats, n_targets), name="scaler")
    inputs = keras.Input((lookback, n_inputs), name="inputs", dtype="float32")
    scaled, loc, scale = scaler(inputs)
    if n_future:
        future_scaler = Standardize(mean=stats["cov_mean"][-n_future:],
                                    std=stats["cov_std"][-n_future:], name="future_scaler")
        future = keras.Input((horizon, n_future), name="future", dtype="float32")
        y = network([scaled, future_scaler(future)])
        graph_inputs = {"inputs": inputs, "future": future}
    else:
        y = network(scaled)
        graph_inputs = inputs
    if seasonal_period:
        if distribution == "negative_binomial":
            raise ValueError("seasonal_residual cannot be combined with "
                             "distribution='negative_binomial' (its mean is constrained "
                             "positive, not a shift of the seasonal naive)")
        y = AddSeasonalNaive(seasonal_period, n_targets,
                             n_params(distribution) if distribution else 1,
                             name="seasonal_naive")([y, scaled])
    if distribution is None:
        train_model = keras.Model(graph_inputs, y, name="train_model")
        raw = InverseScaler(log=stats["log"], name="unscale")([y, loc, scale])
        return train_model, keras.Model(graph_inputs, raw, name="forecaster")
    params = DistributionParams(distribution, n_targets, name="params")
    p = params(y)
    # the negative binomial's likelihood is the raw counts': training sees the scale too
    train_out = params([y, scale]) if distribution == "negative_binomial" else p
    train_model = keras.Model(graph_inputs, train_out, name="train_model")
    raw = DistributionMedian(distribution, log=stats["log"], name="median")([p, loc, scale])
    return train_model, keras.Model(graph_inputs, raw, name="forecaster")


def params_model(predict_model):
    """``raw inputs -> [params, loc, scale]`` of a probabilistic prediction model.

    Works on the model :func:`assemble` returns and on the same model reloaded from
    ``model.keras``; for a recursive forecaster, pass its one-step model.
    """
    params, loc, scale = predict_model.get_layer("median").input
    # .input keeps the structure (a tensor, or the dict with future) that callers pass
    return keras.Model(predict_model.input, [params, loc, scale], name="params_model")


def step_model_of(model):
    """The one-step model inside a recursive forecaster, or ``model`` itself."""
    for layer in model.layers:
        if isinstance(layer, RecursiveForecast):
            return layer.step_model
    return model


def recursive(step_model, horizon, n_targets, lookback, n_inputs, n_future):
    """A ``horizon``-step forecaster running the one-step ``step_model`` on its own output."""
    inputs = keras.Input((lookback, n_inputs), name="inputs", dtype="float32")
    layer = RecursiveForecast(step_model, horizon=horizon, n_targets=n_targets, name="recursive")
    if n_future:
        future = keras.Input((horizon, n_future), name="future", dtype="float32")
        return keras.Model({"inputs": inputs, "future": future}, layer(inputs, future),
                           name="forecaster")
    return keras.Model(inputs, layer(inputs), name="forecaster")
