"""nlinear and dlinear: the paper's arithmetic against numpy, shapes, refusals, a Forecaster.

The conformance harness (tests/test_builders.py) covers training, round trips and
export; these tests check what is particular to the linear builders.
"""

import numpy as np
import pytest

import zoo
import zoo.builders.linear  # runs the @register decorators
from zoo.builders.linear import dlinear, nlinear
from zoo.registry import get_spec

RNG = np.random.default_rng(0)


def _x(batch, lookback, channels, seed=0):
    return np.random.default_rng(seed).normal(size=(batch, lookback, channels)).astype("float32")


def _randomize(model, seed=1):
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(size=w.shape).astype("float32") for w in model.get_weights()])


def _linear_numpy(windows, kernel, bias, individual):
    """``[B, L, C] -> [B, H, C]`` per channel, as the paper's ``nn.Linear`` over time."""
    if individual:  # kernel [C, L, H], bias [C, H]
        return np.einsum("blc,clh->bhc", windows, kernel) + bias.T[None]
    return np.einsum("blc,lh->bhc", windows, kernel) + bias[None, :, None]


def _moving_average_numpy(x, k):
    p = (k - 1) // 2
    padded = np.pad(x, ((0, 0), (p, p), (0, 0)), mode="edge")
    return np.stack([padded[:, i:i + k].mean(axis=1) for i in range(x.shape[1])], axis=1)


def test_registry_flags():
    for name in ("nlinear", "dlinear"):
        spec = get_spec(name)
        assert spec.tasks == ("forecast",)
        assert (spec.masking, spec.dynamic_time, spec.future_covariates, spec.sequential) == \
            (False, False, False, False)
    assert {"nlinear", "dlinear"} <= set(zoo.list_models("forecast"))
    assert not {"nlinear", "dlinear"} & set(zoo.list_models("classify"))


@pytest.mark.parametrize("builder", [nlinear, dlinear])
@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({}, (4, 5, 1)),
        ({"individual": True}, (4, 5, 1)),
        ({"n_targets": 3}, (4, 5, 3)),  # targets + covariates in, every channel out
        ({"n_targets": 4}, (4, 5, 4)),  # more outputs than channels (a distribution head)
        ({"quantiles": [0.9, 0.1, 0.5]}, (4, 5, 1, 3)),
        ({"n_targets": 2, "quantiles": [0.2, 0.8], "individual": True}, (4, 5, 2, 2)),
    ],
)
def test_output_shapes(builder, kwargs, expected):
    m = builder(input_shape=(16, 3), horizon=5, **kwargs)
    _randomize(m)
    out = np.asarray(m(_x(4, 16, 3)))
    assert out.shape == expected and out.dtype == np.float32
    if "quantiles" in kwargs:
        assert np.all(np.diff(out, axis=-1) >= 0)


@pytest.mark.parametrize("individual", [False, True])
def test_nlinear_is_the_last_value_plus_a_linear_map(individual):
    m = nlinear(input_shape=(10, 2), horizon=4, n_targets=2, individual=individual)
    assert "channel_mix" not in [l.name for l in m.layers]  # outputs = channels: the paper's
    _randomize(m)
    kernel, bias = m.get_layer("linear").get_weights()
    assert kernel.shape == ((2, 10, 4) if individual else (10, 4))
    x = _x(3, 10, 2)
    last = x[:, -1:, :]
    want = last + _linear_numpy(x - last, kernel, bias, individual)
    np.testing.assert_allclose(np.asarray(m(x)), want, rtol=1e-5, atol=1e-5)


def test_nlinear_mixes_the_channels_forecasts_into_the_targets():
    m = nlinear(input_shape=(8, 3), horizon=2, n_targets=1)
    x = _x(5, 8, 3)
    # at initialisation the mix is the identity: the covariates do not move the forecast
    moved = x.copy()
    moved[:, :, 1:] += 10.0
    np.testing.assert_allclose(np.asarray(m(x)), np.asarray(m(moved)), rtol=1e-5, atol=1e-5)
    _randomize(m)
    kernel, bias = m.get_layer("linear").get_weights()
    mix, mix_bias = m.get_layer("channel_mix").get_weights()
    last = x[:, -1:, :]
    per_channel = last + _linear_numpy(x - last, kernel, bias, False)
    np.testing.assert_allclose(np.asarray(m(x)), per_channel @ mix + mix_bias,
                               rtol=1e-5, atol=1e-5)


def test_quantiles_start_at_the_point_forecast():
    m = nlinear(input_shape=(8, 1), horizon=3, quantiles=[0.1, 0.5, 0.9])
    out = np.asarray(m(_x(2, 8, 1)))
    np.testing.assert_allclose(out, np.repeat(out[..., :1], 3, axis=-1), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("kernel_size, lookback", [(25, 24), (5, 12), (1, 6), (3, 2)])
def test_dlinear_trend_is_the_edge_padded_moving_average(kernel_size, lookback):
    import keras

    m = dlinear(input_shape=(lookback, 2), kernel_size=kernel_size)
    trend = keras.Model(m.input, m.get_layer("trend").output)
    x = _x(3, lookback, 2)
    np.testing.assert_allclose(np.asarray(trend(x)), _moving_average_numpy(x, kernel_size),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("individual", [False, True])
def test_dlinear_is_a_linear_map_of_trend_plus_one_of_the_remainder(individual):
    m = dlinear(input_shape=(12, 2), horizon=3, n_targets=2, kernel_size=5,
                individual=individual)
    _randomize(m)
    x = _x(4, 12, 2)
    trend = _moving_average_numpy(x, 5)
    want = (_linear_numpy(trend, *m.get_layer("linear_trend").get_weights(), individual)
            + _linear_numpy(x - trend, *m.get_layer("linear_remainder").get_weights(),
                            individual))
    np.testing.assert_allclose(np.asarray(m(x)), want, rtol=1e-4, atol=1e-4)


def test_dropout_acts_on_the_input_window_in_training_only():
    m = nlinear(input_shape=(12, 1), horizon=2, dropout=0.5)
    assert m.get_layer("dropout").input.shape == m.get_layer("minus_last").output.shape
    x = _x(64, 12, 1)
    np.testing.assert_array_equal(np.asarray(m(x)), np.asarray(m(x)))
    assert not np.allclose(np.asarray(m(x, training=True)), np.asarray(m(x)))
    assert dlinear(input_shape=(12, 1), dropout=0.5).get_layer("dropout").input.name == "inputs"


def test_units_is_accepted_and_unused_but_checked():
    a, b = nlinear(input_shape=(12, 1), units=4), nlinear(input_shape=(12, 1), units=[64, 8])
    assert a.count_params() == b.count_params() == 12 + 1
    with pytest.raises(ValueError, match="units"):
        nlinear(input_shape=(12, 1), units=0)


@pytest.mark.parametrize("builder", [nlinear, dlinear])
@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"task": "classify", "n_classes": 2}, "task='forecast' only"),
        ({"task": "label"}, "task='forecast' only"),
        ({"mask_value": -1.0}, "mask_value"),
        ({"n_future": 2}, "n_future"),
        ({"n_future": -1}, "n_future"),
        ({"input_shape": (None, 2)}, "fixed lookback"),
        ({"input_shape": (12,)}, "input_shape"),
        ({"api": "sequential"}, "api='functional'"),
        ({"api": "keras"}, "api"),
        ({"individual": "yes"}, "individual"),
        ({"dropout": 1.0}, "dropout"),
        ({"horizon": 0}, "horizon"),
        ({"n_targets": 0}, "n_targets"),
        ({"n_classes": 3}, "n_classes"),
        ({"quantiles": [0.5, 1.5]}, "quantile"),
        ({"kernel_initializer": "nonsense"}, "kernel_initializer"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(builder, kwargs, match):
    with pytest.raises(ValueError, match=match):
        builder(**{"input_shape": (12, 2), **kwargs})


@pytest.mark.parametrize("kernel_size, match", [(4, "odd"), (0, "kernel_size"),
                                                (2.5, "kernel_size")])
def test_dlinear_refuses_a_kernel_that_is_not_a_centred_window(kernel_size, match):
    with pytest.raises(ValueError, match=match):
        dlinear(input_shape=(12, 1), kernel_size=kernel_size)


def test_the_registry_refuses_other_tasks_and_unknown_arguments():
    with pytest.raises(ValueError, match="supports task"):
        zoo.build("dlinear", task="classify", input_shape=(12, 1), n_classes=2)
    with pytest.raises(TypeError, match="moving_avg"):
        zoo.build("dlinear", input_shape=(12, 1), moving_avg=5)
    with pytest.raises(TypeError, match="kernel_size"):  # nlinear has no decomposition
        zoo.build("nlinear", input_shape=(12, 1), kernel_size=5)


def test_forecaster_fits_airline_with_nlinear_and_predicts():
    df = zoo.datasets.load("airline")
    f = zoo.Forecaster(model="nlinear", lookback=24, horizon=12, epochs=2, verbose=0).fit(df)
    assert f.network_kwargs_["input_shape"] == (24, 1)
    pred = f.predict()
    assert pred.shape == (12, 1) and list(pred.columns) == list(df.columns)
    assert pred.index[0] == df.index[-1] + df.index.freq
    assert np.all(np.isfinite(pred.to_numpy()))
    # the last value is added back: the forecast starts near the series' level, not at 0
    assert 0.5 * df.iloc[-12:].min().item() < pred.iloc[0].item() < 2 * df.iloc[-12:].max().item()


def test_forecaster_refuses_future_covariates_for_a_linear_model():
    df = zoo.datasets.load("airline")
    df["promo"] = np.arange(len(df)) % 2
    with pytest.raises(ValueError, match="future_covariates"):
        zoo.Forecaster(model="dlinear", lookback=24, horizon=12, epochs=1, verbose=0,
                       target="passengers", future_covariates=["promo"]).fit(df)
