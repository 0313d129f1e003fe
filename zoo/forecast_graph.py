"""The forecasting graph: a network wired between the scaling layers.

:func:`_assemble` puts a builder's network between a :class:`WindowScaler` (raw
window in, network scale out, with the location and spread it removed) and an
:class:`InverseScaler` (network output back to raw units), so the exported model
takes raw values and returns raw units. :func:`_recursive` wraps a one-step model
to forecast ``horizon`` steps by feeding its forecasts back.
"""

from __future__ import annotations


def _inputs(x, future):
    return x if future is None else {"inputs": x, "future": future}


def _window_scaler(stats, n_t):
    """The :class:`WindowScaler` for fitted scaling constants ``stats``."""
    from zoo.builders.layers import WindowScaler

    return WindowScaler(n_targets=n_t, log=stats["log"], scaling=stats["scaling"],
                        target_loc=stats["target_loc"], target_scale=stats["target_scale"],
                        cov_mean=stats["cov_mean"], cov_std=stats["cov_std"], name="scaler")


def _assemble(network, stats, n_t, n_cols, H, n_future):
    """(train_model, predict_model, scaler) sharing the network's layers."""
    from zoo.builders.layers import InverseScaler, Standardize

    scaler = _window_scaler(stats, n_t)
    inverse = InverseScaler(log=stats["log"], name="unscale")
    fut_scaler = None
    if n_future:
        mean = stats["cov_mean"][-n_future:]
        std = stats["cov_std"][-n_future:]
        fut_scaler = Standardize(mean=mean, std=std, name="future_scaler")
    return _wire(network, scaler, inverse, fut_scaler, n_cols, H, n_future)


def _wire(network, scaler, inverse, fut_scaler, n_cols, H, n_future):
    import keras

    lookback = network.inputs[0].shape[1]
    inputs = keras.Input((lookback, n_cols), name="inputs", dtype="float32")
    scaled, loc, scale = scaler(inputs)
    if n_future:
        future = keras.Input((H, n_future), name="future", dtype="float32")
        y = network([scaled, fut_scaler(future)])
        model_inputs = {"inputs": inputs, "future": future}
    else:
        y = network(scaled)
        model_inputs = inputs
    train_model = keras.Model(model_inputs, y, name="train_model")
    raw = inverse([y, loc, scale])
    predict_model = keras.Model(model_inputs, raw, name="forecaster")
    return train_model, predict_model, scaler


def _recursive(step_model, horizon, n_t, lookback, n_cols, n_future):
    import keras

    from zoo.builders.layers import RecursiveForecast

    inputs = keras.Input((lookback, n_cols), name="inputs", dtype="float32")
    layer = RecursiveForecast(step_model, horizon=horizon, n_targets=n_t, name="recursive")
    if n_future:
        future = keras.Input((horizon, n_future), name="future", dtype="float32")
        return keras.Model({"inputs": inputs, "future": future}, layer(inputs, future),
                           name="forecaster")
    return keras.Model(inputs, layer(inputs), name="forecaster")
