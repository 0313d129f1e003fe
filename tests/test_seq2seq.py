"""seq2seq: the decoder writes the horizon step by step from the encoder's state."""

import numpy as np
import pandas as pd
import pytest

import zoo
from zoo.builders import seq2seq


@pytest.mark.parametrize("kwargs, shape", [
    ({}, (None, 4, 1)),
    ({"cell": "gru", "units": [6, 4], "n_targets": 2}, (None, 4, 2)),
    ({"quantiles": [0.1, 0.5, 0.9], "attention": "additive"}, (None, 4, 1, 3)),
])
def test_output_shapes(kwargs, shape):
    m = seq2seq(input_shape=(None, 3), horizon=4, units=kwargs.pop("units", 5), **kwargs)
    assert tuple(m.output.shape) == shape


def test_each_decoder_step_reads_its_own_future_covariates():
    m = seq2seq(input_shape=(8, 2), horizon=5, units=6, n_future=1, attention="dot")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 8, 2)).astype("float32")
    future = rng.normal(size=(2, 5, 1)).astype("float32")
    base = np.asarray(m([x, future]))
    changed = future.copy()
    changed[:, 3] += 5.0  # a covariate of step 3 cannot change the steps before it
    out = np.asarray(m([x, changed]))
    np.testing.assert_allclose(out[:, :3], base[:, :3], rtol=1e-6, atol=1e-6)
    assert np.abs(out[:, 3:] - base[:, 3:]).max() > 1e-4


def test_stacked_decoder_layers_start_from_their_encoder_twins():
    m = seq2seq(input_shape=(8, 1), horizon=2, units=[6, 4], cell="gru")
    decoders = [layer for layer in m.layers if layer.name.startswith("decoder_")]
    assert [d.units for d in decoders] == [6, 4]
    assert all(len(node.arguments.kwargs.get("initial_state", [])) == 1
               for d in decoders for node in d._inbound_nodes)


@pytest.mark.parametrize("kwargs, match", [
    ({"task": "classify", "n_classes": 2}, "forecasts"),
    ({"api": "sequential"}, "functional"),
    ({"attention": "luong"}, "attention"),
    ({"cell": "transformer"}, "cell"),
    ({"units": 0}, "units"),
])
def test_refusals_name_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        seq2seq(input_shape=(8, 1), **kwargs)


def test_forecaster_with_future_covariates_fits_predicts_and_exports(tmp_path):
    t = np.arange(80)
    df = pd.DataFrame({"y": 50 + 10 * np.sin(2 * np.pi * t / 12) + 5 * (t % 7 == 0),
                       "promo": (t % 7 == 0).astype(float)},
                      index=pd.date_range("2001-01-01", periods=80, freq="D"))
    f = zoo.Forecaster(model="seq2seq", lookback=14, horizon=7, units=4, epochs=2, verbose=0,
                       future_covariates=["promo"], model_kwargs={"attention": "dot"}, seed=0)
    f.fit(df.iloc[:73])
    got = f.predict(df.iloc[:73], future_df=df.iloc[73:][["promo"]])
    assert len(got) == 7 and np.isfinite(got["y"]).all()
    p = zoo.load(f.export(tmp_path / "s2s"))
    np.testing.assert_allclose(p.predict(df.iloc[:73], future_df=df.iloc[73:][["promo"]])
                               ["y"], got["y"], rtol=1e-4)
