"""lstm_fcn, gru_fcn, alstm_fcn and cnn_lstm: argument errors, shapes, dimension shuffle,
attention, masking.

The conformance harness (tests/test_builders.py) covers training, round trips
and export; these tests check what is particular to the hybrid builders.
"""

import numpy as np
import pytest

import zoo
from zoo.builders.hybrid import CausalConv1D, alstm_fcn
from zoo.registry import get_spec

TINY_FCN = {"filters": [4, 4, 4], "kernel_size": [3, 3, 3], "units": 3}
TINY_CNN = {"filters": [4, 4], "kernel_size": 3, "units": 3}


def _layer_types(model):
    return [type(l).__name__ for l in model.layers if type(l).__name__ != "InputLayer"]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"mask_value": -1.0}, "mask_value"),
        ({"api": "sequential"}, "api='functional'"),
        ({"api": "keras"}, "api"),
        ({"input_shape": (None, 2)}, "fixed number"),
        ({"dimension_shuffle": "yes"}, "dimension_shuffle"),
        ({"filters": []}, "filters"),
        ({"filters": [4, 0, 4]}, "filters"),
        ({"kernel_size": [3, 3]}, "one per filters entry"),
        ({"kernel_size": 0}, "kernel_size"),
        ({"units": 0}, "units"),
        ({"dropout": 1.0}, "dropout"),
        ({"cell": "transformer"}, "cell"),
        ({"task": "classify"}, "n_classes"),
        ({"task": "classify", "n_classes": 2, "quantiles": [0.5]}, "quantiles"),
        ({"kernel_initializer": "nonsense"}, "kernel_initializer"),
        ({"name": ""}, "name"),
    ],
)
@pytest.mark.parametrize("builder", ["lstm_fcn", "alstm_fcn"])
def test_lstm_fcn_bad_arguments_raise_value_error_naming_them(builder, kwargs, match):
    params = {**TINY_FCN, "input_shape": (10, 2), **kwargs}
    fn = zoo.builders.lstm_fcn if builder == "lstm_fcn" else alstm_fcn
    with pytest.raises(ValueError, match=match):
        fn(**params)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"filters": "64"}, "filters"),
        ({"kernel_size": [3, 3, 3]}, "kernel_size"),
        ({"kernel_size": True}, "kernel_size"),
        ({"cell": "transformer"}, "cell"),
        ({"units": [4, -1]}, "units"),
        ({"mask_value": "pad"}, "mask_value"),
        ({"api": "sequential", "n_future": 2}, "functional"),
        ({"task": "classify", "n_classes": 1}, "n_classes"),
        ({"horizon": 0}, "horizon"),
    ],
)
def test_cnn_lstm_bad_arguments_raise_value_error_naming_them(kwargs, match):
    params = {**TINY_CNN, "input_shape": (None, 2), **kwargs}
    with pytest.raises(ValueError, match=match):
        zoo.builders.cnn_lstm(**params)


def test_capability_flags_in_the_registry():
    fcn, cnn = get_spec("lstm_fcn"), get_spec("cnn_lstm")
    assert (fcn.masking, fcn.dynamic_time, fcn.sequential) == (False, False, False)
    assert (cnn.masking, cnn.dynamic_time, cnn.sequential) == (True, True, True)
    assert {"lstm_fcn", "cnn_lstm"} <= set(zoo.list_models(task="classify"))
    assert {"lstm_fcn", "cnn_lstm"} <= set(zoo.list_models(task="forecast"))
    for name in ("gru_fcn", "alstm_fcn"):
        spec = get_spec(name)
        assert (spec.masking, spec.dynamic_time, spec.future_covariates, spec.sequential) == \
            (False, False, True, False)
        assert spec.tasks == ("forecast", "classify")
    # gru_fcn is a preset of lstm_fcn, not a copy of it
    assert get_spec("gru_fcn").builder is zoo.builders.lstm_fcn
    assert get_spec("gru_fcn").preset == {"cell": "gru"}
    assert get_spec("lstm_fcn").preset == {}


@pytest.mark.parametrize("name", ["lstm_fcn", "gru_fcn", "alstm_fcn", "cnn_lstm"])
@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"task": "classify", "n_classes": 4}, (5, 4)),
        ({"horizon": 3, "n_targets": 2}, (5, 3, 2)),
        ({"horizon": 2, "quantiles": [0.9, 0.1, 0.5]}, (5, 2, 1, 3)),
    ],
)
def test_output_shapes(name, kwargs, expected):
    tiny = TINY_CNN if name == "cnn_lstm" else TINY_FCN
    m = zoo.build(name, input_shape=(12, 2), **tiny, **kwargs)
    x = np.random.default_rng(0).normal(size=(5, 12, 2)).astype("float32")
    out = np.asarray(m(x))
    assert out.shape == expected
    if kwargs.get("task") == "classify":
        np.testing.assert_allclose(out.sum(axis=1), 1.0, atol=1e-5)
    if "quantiles" in kwargs:
        assert np.all(np.diff(out, axis=-1) >= 0)


@pytest.mark.parametrize("name", ["lstm_fcn", "alstm_fcn", "cnn_lstm"])
def test_future_covariates_add_a_second_input(name):
    tiny = TINY_CNN if name == "cnn_lstm" else TINY_FCN
    m = zoo.build(name, input_shape=(12, 2), horizon=4, n_future=3, **tiny)
    assert [tuple(t.shape) for t in m.inputs] == [(None, 12, 2), (None, 4, 3)]
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 12, 2)).astype("float32")
    f1, f2 = (rng.normal(size=(2, 4, 3)).astype("float32") for _ in range(2))
    assert not np.allclose(np.asarray(m([x, f1])), np.asarray(m([x, f2])))


def test_dimension_shuffle_feeds_the_transposed_input_to_the_lstm():
    shuffled = zoo.build("lstm_fcn", input_shape=(10, 2), **TINY_FCN)
    lstm = shuffled.get_layer("lstm_0")
    assert tuple(lstm.input.shape) == (None, 2, 10)
    # the kernel reads T=10 values per step: 4 gates x 3 units wide
    assert tuple(lstm.cell.kernel.shape) == (10, 12)
    assert "Permute" in _layer_types(shuffled)

    plain = zoo.build("lstm_fcn", input_shape=(10, 2), dimension_shuffle=False, **TINY_FCN)
    lstm = plain.get_layer("lstm_0")
    assert tuple(lstm.input.shape) == (None, 10, 2)
    assert tuple(lstm.cell.kernel.shape) == (2, 12)
    assert "Permute" not in _layer_types(plain)


def test_without_shuffle_lstm_fcn_takes_any_length():
    m = zoo.build("lstm_fcn", input_shape=(None, 2), dimension_shuffle=False,
                  task="classify", n_classes=3, **TINY_FCN)
    rng = np.random.default_rng(2)
    for steps in (7, 19):
        assert np.asarray(m(rng.normal(size=(2, steps, 2)).astype("float32"))).shape == (2, 3)


def test_lstm_fcn_layers_follow_the_paper():
    m = zoo.build("lstm_fcn", input_shape=(16, 1), task="classify", n_classes=2)
    convs = [m.get_layer(f"conv_{i}") for i in range(3)]
    assert [c.filters for c in convs] == [128, 256, 128]
    assert [c.kernel_size for c in convs] == [(8,), (5,), (3,)]
    assert all(c.padding == "same" for c in convs)
    assert type(convs[0].kernel_initializer).__name__ == "HeUniform"
    assert m.get_layer("lstm_0").units == 8
    assert m.get_layer("dropout").rate == 0.8
    assert {"BatchNormalization", "GlobalAveragePooling1D", "Concatenate"} <= set(_layer_types(m))
    no_dropout = zoo.build("lstm_fcn", input_shape=(16, 1), dropout=0.0, **TINY_FCN)
    assert "Dropout" not in _layer_types(no_dropout)


def test_gru_fcn_puts_a_gru_in_the_recurrent_branch():
    m = zoo.build("gru_fcn", input_shape=(10, 2), **TINY_FCN)
    assert m.name == "gru_fcn"
    gru = m.get_layer("gru_0")
    assert type(gru).__name__ == "GRU" and tuple(gru.input.shape) == (None, 2, 10)
    assert not any(type(l).__name__ == "LSTM" for l in m.layers)
    with pytest.raises(ValueError, match="fixes cell='gru'"):
        zoo.build("gru_fcn", input_shape=(10, 2), cell="lstm", **TINY_FCN)
    with pytest.raises(ValueError, match="gru_fcn does not support mask_value"):
        zoo.build("gru_fcn", input_shape=(10, 2), mask_value=-1.0, **TINY_FCN)


def test_lstm_fcn_has_no_attention_and_alstm_fcn_only_adds_it():
    plain = zoo.build("lstm_fcn", input_shape=(10, 2), **TINY_FCN)
    att = zoo.build("alstm_fcn", input_shape=(10, 2), **TINY_FCN)
    assert not any(l.name.startswith("attention") for l in plain.layers)
    added = {l.name for l in att.layers} - {l.name for l in plain.layers}
    assert added == {"attention_score", "attention_flatten", "attention_weights",
                     "attention_pool"}
    assert att.count_params() == plain.count_params() + TINY_FCN["units"]  # Dense(1), no bias
    assert att.get_layer("lstm_0").return_sequences and not plain.get_layer("lstm_0").return_sequences


@pytest.mark.parametrize("shuffle, steps", [(True, 3), (False, 10)])
def test_alstm_fcn_attention_is_a_softmax_weighted_sum_of_the_lstm_outputs(shuffle, steps):
    import keras

    m = alstm_fcn(input_shape=(10, 3), dimension_shuffle=shuffle, task="classify",
                  n_classes=2, **TINY_FCN)
    probe = keras.Model(m.input, [m.get_layer("lstm_0").output,
                                  m.get_layer("attention_weights").output,
                                  m.get_layer("attention_pool").output])
    x = np.random.default_rng(6).normal(size=(4, 10, 3)).astype("float32")
    h, weights, pooled = (np.asarray(t) for t in probe(x))
    # with the dimension shuffle the steps the attention weights are the features
    assert h.shape == (4, steps, 3) and weights.shape == (4, steps)
    scores = h @ m.get_layer("attention_score").get_weights()[0][:, 0]
    want = np.exp(scores - scores.max(axis=1, keepdims=True))
    want /= want.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(weights, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(pooled, np.einsum("bs,bsu->bu", weights, h), rtol=1e-5,
                               atol=1e-6)


def test_alstm_fcn_without_shuffle_takes_any_length_and_stacks():
    m = alstm_fcn(input_shape=(None, 2), dimension_shuffle=False, task="classify",
                  n_classes=3, **{**TINY_FCN, "units": [3, 2]})
    assert m.get_layer("lstm_0").return_sequences and m.get_layer("lstm_1").return_sequences
    rng = np.random.default_rng(7)
    for steps in (5, 17):
        out = np.asarray(m(rng.normal(size=(2, steps, 2)).astype("float32")))
        assert out.shape == (2, 3) and np.allclose(out.sum(axis=1), 1.0, atol=1e-5)


def test_kernel_initializer_reaches_the_convolutions_and_cell_is_chosen():
    m = zoo.build("cnn_lstm", input_shape=(8, 1), cell="gru", kernel_initializer="glorot",
                  **TINY_CNN)
    assert type(m.get_layer("conv_0").kernel_initializer).__name__ == "GlorotUniform"
    assert type(m.get_layer("gru_0")).__name__ == "GRU"
    assert m.get_layer("conv_1").padding == "causal"


def test_cnn_lstm_sequential_equals_functional_with_the_same_weights():
    func = zoo.build("cnn_lstm", input_shape=(None, 2), horizon=2, dropout=0.1, **TINY_CNN)
    seq = zoo.build("cnn_lstm", input_shape=(None, 2), horizon=2, dropout=0.1,
                    api="sequential", **TINY_CNN)
    assert _layer_types(func) == _layer_types(seq)
    seq.set_weights(func.get_weights())
    x = np.random.default_rng(3).normal(size=(3, 9, 2)).astype("float32")
    np.testing.assert_allclose(np.asarray(seq(x)), np.asarray(func(x)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("api", ["functional", "sequential"])
def test_cnn_lstm_mask_makes_right_padding_invisible(api):
    masked = zoo.build("cnn_lstm", task="classify", n_classes=3, input_shape=(None, 1),
                       mask_value=-1e4, api=api, **TINY_CNN)
    x = np.random.default_rng(4).normal(size=(1, 6, 1)).astype("float32")
    padded = np.concatenate([x, np.full((1, 4, 1), -1e4, "float32")], axis=1)
    np.testing.assert_allclose(np.asarray(masked(padded)), np.asarray(masked(x)),
                               rtol=1e-5, atol=1e-6)
    # the same weights without the mask do see the padding
    unmasked = zoo.build("cnn_lstm", task="classify", n_classes=3, input_shape=(None, 1),
                         api=api, **TINY_CNN)
    unmasked.set_weights(masked.get_weights())
    assert not np.allclose(np.asarray(unmasked(padded)), np.asarray(masked(x)), atol=1e-3)


def test_causal_conv_ignores_the_future_and_refuses_other_padding():
    layer = CausalConv1D(3, 4)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(1, 10, 2)).astype("float32")
    changed = x.copy()
    changed[:, 6:] = rng.normal(size=(1, 4, 2))
    a, b = np.asarray(layer(x)), np.asarray(layer(changed))
    np.testing.assert_array_equal(a[:, :6], b[:, :6])
    assert not np.allclose(a[:, 6:], b[:, 6:])
    with pytest.raises(ValueError, match="padding"):
        CausalConv1D(3, 4, padding="same")
    with pytest.raises(ValueError, match="strides"):
        CausalConv1D(3, 4, strides=2)
