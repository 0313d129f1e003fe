"""Forecaster(seasonal_residual=...): the network learns the residual over the seasonal
naive forecast, which the graph adds back on the network's scale before unscaling.

A network whose output is forced to 0 (its last Dense zeroed) must then forecast exactly
the seasonal naive baseline in raw units, whatever the scaling, the head or the strategy;
the option round-trips through the artifact; the default graph is the one without it;
bad values are refused before training.
"""

import keras
import numpy as np
import pandas as pd
import pytest

import zoo
from zoo import baselines, scaling
from zoo.builders.layers import AddSeasonalNaive
from zoo.forecast_graph import model_inputs, step_model_of
from zoo.frames import median_of_quantiles

TINY = {"units": 4, "epochs": 1, "refit": False, "early_stopping": False,
        "reduce_lr_on_plateau": False, "seed": 0, "verbose": 0}


@pytest.fixture(scope="module")
def airline():
    return zoo.datasets.load("airline")


@pytest.fixture
def built_only(monkeypatch):
    """zoo.training.fit builds the training model and skips the optimisation: the
    network is zeroed afterwards, so what it would have learnt does not matter."""
    import zoo.training

    built = []

    def fit(model, data, *, validation_data=None, **kwargs):
        built.append(model() if not isinstance(model, keras.Model) else model)
        history = {"loss": [1.0] * kwargs["epochs"]}
        if validation_data is not None:
            history["val_loss"] = [1.0] * kwargs["epochs"]
        return built[-1], history

    monkeypatch.setattr(zoo.training, "fit", fit)
    return built


def zero_network(f):
    """Zeroes the last Dense of the forecaster's network: it then outputs exactly 0."""
    step = step_model_of(f.model_)
    network = next(layer for layer in step.layers if isinstance(layer, keras.Model))
    dense = [layer for layer in network.layers if layer.weights][-1]
    assert isinstance(dense, keras.layers.Dense)
    for w in dense.weights:
        w.assign(np.zeros(w.shape, "float32"))
    return f


def seasonal_naive(history, horizon, period):
    return baselines.seasonal_naive(np.asarray(history, "float64"), horizon, period)


@pytest.mark.parametrize("case", [
    {"log": False},                                 # window scaling, raw targets
    {"log": True},                                  # window scaling of log targets
    {"log": True, "quantiles": [0.1, 0.5, 0.9]},    # every quantile shifted
    {"log": False, "distribution": "normal"},       # the location shifted
    {"log": False, "strategy": "recursive", "horizon": 7, "seasonal_residual": 5,
     "calendar_features": False},                   # one step, fed back past a period
])
def test_a_zero_network_forecasts_the_seasonal_naive(airline, case, built_only):
    case = {"lookback": 24, "horizon": 14, "seasonal_residual": True, **case}
    f = zero_network(zoo.Forecaster(**TINY, **case).fit(airline.iloc[:96]))
    period = 12 if case["seasonal_residual"] is True else case["seasonal_residual"]
    assert f.seasonal_period_ == period
    history = airline.iloc[:120]
    expected = seasonal_naive(history.to_numpy()[-24:], case["horizon"], period)
    got = f.predict(history)
    np.testing.assert_allclose(got.iloc[:, 0].to_numpy(), expected[:, 0], rtol=1e-5, atol=1e-5)
    # the training model (the loss's input) holds the addition too: on the targets' scale
    series, kind = f._history(history)
    x, future, _ = f.make_inputs(series, None, kind)
    train_out = np.asarray(built_only[-1](model_inputs(x, future), training=False))
    if case.get("distribution"):
        train_out = train_out[..., 0]                                # the location
    elif case.get("quantiles"):
        train_out = train_out[..., 1]
    _, loc, spread = scaling.scale_window(x.astype("float64"),
                                          **scaling.layer_kwargs(f.scaling_stats_, 1))
    on_scale = scaling.scale_targets(expected[None, : train_out.shape[1]], loc, spread,
                                     f.log_)
    np.testing.assert_allclose(train_out, on_scale, rtol=1e-4, atol=1e-4)
    if case.get("distribution"):  # draws are centred on it too (a tiny spread: the centre)
        paths = f.sample(2, history, seed=0, temperature=1e-6)
        np.testing.assert_allclose(paths[..., 0], np.broadcast_to(expected[:, 0], (2, 14)),
                                   rtol=1e-4, atol=1e-4)
    if case.get("quantiles"):
        out = np.asarray(f.model_(model_inputs(x, future), training=False))
        for q in range(3):  # every quantile, not only the median
            np.testing.assert_allclose(out[0, :, 0, q], expected[:, 0], rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(median_of_quantiles(out, case["quantiles"])[0, :, 0],
                                   expected[:, 0], rtol=1e-5, atol=1e-5)


def test_the_layer_shifts_only_the_location_of_distribution_parameters():
    window = np.arange(10, dtype="float32").reshape(1, 5, 2)     # targets in column 0
    y = np.zeros((1, 3, 2), "float32")                          # 1 target x (loc, scale)
    out = AddSeasonalNaive(period=2, n_targets=1, n_params=2)([y, window]).numpy()
    assert out[0, :, 0].tolist() == [6.0, 8.0, 6.0] and out[0, :, 1].tolist() == [0.0] * 3
    layer = AddSeasonalNaive.from_config(AddSeasonalNaive(3, 1, 2).get_config())
    assert (layer.period, layer.n_targets, layer.n_params) == (3, 1, 2)


def test_integer_period_on_an_array_and_the_naive_period_one(built_only):
    y = np.r_[np.arange(30.0), np.arange(30.0)] % 7 + 1.0
    for period in (7, 1):
        f = zero_network(zoo.Forecaster(lookback=10, horizon=9, seasonal_residual=period,
                                        **TINY).fit(y))
        np.testing.assert_allclose(f.predict().to_numpy()[:, 0],
                                   seasonal_naive(y[-10:], 9, period), rtol=1e-5, atol=1e-5)


def test_export_round_trip_and_default_is_off(airline, tmp_path, built_only):
    on = zoo.Forecaster(lookback=24, horizon=6, seasonal_residual=True, **TINY).fit(airline)
    path = on.export(tmp_path / "on")
    manifest = zoo.load(path).manifest
    assert manifest["seasonal_period"] == 12 and manifest["params"]["seasonal_residual"] is True
    expected = on.predict()
    for backend in ("serve", "auto"):
        np.testing.assert_allclose(zoo.load(path, backend=backend).predict(), expected,
                                   rtol=1e-5, atol=1e-5)
    again = zoo.Forecaster.load(path)
    assert again.seasonal_residual is True and again.seasonal_period_ == 12
    np.testing.assert_allclose(again.predict(), expected, rtol=1e-5, atol=1e-5)
    assert any(isinstance(layer, AddSeasonalNaive) for layer in again.model_.layers)

    off = zoo.Forecaster(lookback=24, horizon=6, **TINY)
    assert off.get_params()["seasonal_residual"] is False
    off.fit(airline)
    assert off.seasonal_period_ is None
    assert not any(isinstance(layer, AddSeasonalNaive) for layer in off.model_.layers)
    assert zoo.load(off.export(tmp_path / "off")).manifest["seasonal_period"] is None


@pytest.mark.parametrize("kwargs, data, words", [
    ({"seasonal_residual": "yes"}, "airline", "seasonal_residual must be False, True"),
    ({"seasonal_residual": 0}, "airline", "seasonal_residual must be False, True"),
    ({"seasonal_residual": 2.5}, "airline", "seasonal_residual must be False, True"),
    ({"seasonal_residual": 25}, "airline", "seasonal_residual=25 needs lookback >= 25"),
    ({"seasonal_residual": True, "lookback": 6}, "airline", "needs lookback >= 12"),
    ({"seasonal_residual": True}, "array", "no timestamps"),
    ({"seasonal_residual": True}, "yearly", "frequency 'YS.*' has none"),
    ({"seasonal_residual": True, "distribution": "negative_binomial"}, "airline",
     "seasonal_residual cannot be combined with distribution='negative_binomial'"),
])
def test_refusals_before_training(airline, kwargs, data, words, monkeypatch):
    from zoo import training

    monkeypatch.setattr(training, "fit", lambda *a, **k: pytest.fail("trained"))
    frame = {"airline": airline, "array": airline.to_numpy()[:, 0],
             "yearly": pd.DataFrame({"y": np.arange(1.0, 61.0)},
                                    index=pd.date_range("1900", periods=60, freq="YS"))}[data]
    f = zoo.Forecaster(**{"lookback": 24, "horizon": 3, **TINY, **kwargs})
    with pytest.raises(ValueError, match=words):
        f.fit(frame)
    assert not hasattr(f, "model_")
