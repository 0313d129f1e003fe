"""Every registered builder passes the conformance harness, plus builder-specific checks."""

import numpy as np
import pytest

import zoo
from zoo.testing import check_builders


def test_every_registered_builder_carries_small_example_kwargs():
    # the harness's small arguments live with each model (scikit-learn's INIT_PARAMS idea),
    # so a plugin builder registers its own and runs the same harness
    for name in zoo.list_models():
        spec = zoo.registry.get_spec(name)
        assert spec.example_kwargs, f"{name} registered without example_kwargs"
        assert "input_shape" in spec.example_kwargs, name


def test_six_core_names_are_registered():
    assert {"lstm", "gru", "stacked_lstm", "stacked_gru", "bilstm", "bigru"} <= set(
        zoo.list_models()
    )
    assert set(zoo.list_models(task="classify")) <= set(zoo.list_models())


# One model of each family runs by default (the recurrent builder -- simple_rnn, the same
# code as lstm, gru and the stacked presets --, a bidirectional one, both hybrids); every
# registered builder runs under -m slow (python -m pytest -m slow tests/test_builders.py).
DEFAULT_HARNESS = ("simple_rnn", "bigru", "cnn_lstm", "lstm_fcn")


@pytest.fixture(scope="module")
def harness(request, tmp_path_factory):
    # the selected builders, their SavedModels checked in one zoo-free subprocess
    wanted = [item.callspec.params["name"] for item in request.session.items
              if item.module is request.module
              and item.originalname == "test_builder_passes_the_harness"]
    return check_builders(wanted, workdir=tmp_path_factory.mktemp("harness"), collect=True)


@pytest.mark.parametrize("name", [
    name if name in DEFAULT_HARNESS else pytest.param(name, marks=pytest.mark.slow)
    for name in zoo.list_models()])
def test_builder_passes_the_harness(name, harness):
    passed = harness[name]
    if isinstance(passed, AssertionError):
        raise passed
    # every task the model supports: both APIs and the capability flags
    spec = zoo.registry.get_spec(name)
    sequential = "sequential" if spec.sequential else "sequential (refused)"
    assert sorted(passed) == sorted(f"{name}/{task}/{what}" for task in spec.tasks
                                    for what in ("functional", "capabilities", sequential))


def test_the_harness_catches_a_builder_that_breaks_its_promise(tmp_path):
    from zoo.registry import register, unregister

    def drops_the_mask(mask_value=None, **kwargs):
        return zoo.builders.lstm(**kwargs)  # claims masking, ignores the padding sentinel

    register("liar", tasks=("forecast",), description="says it masks",
             example_kwargs={"units": 4, "input_shape": (None, 2)})(drops_the_mask)
    try:
        results = check_builders(["liar", "gru"], tasks=["forecast"], apis=["functional"],
                                 workdir=tmp_path, collect=True)
        with pytest.raises(AssertionError, match="masking=True but a right-padded sequence"):
            check_builders(["liar"], tasks=["forecast"], apis=["functional"], workdir=tmp_path)
    finally:
        unregister("liar")
    assert isinstance(results["liar"], AssertionError) and "masking" in str(results["liar"])
    assert results["gru"] == ["gru/forecast/functional", "gru/forecast/capabilities"]


@pytest.mark.slow  # the suite's time: the default harness covers future inputs and masking
def test_harness_extras_residual_future_masking(tmp_path):
    # the options with no Sequential twin go through the same harness (functional only)
    table = {
        "stacked_lstm": {"units": [4, 4, 4], "input_shape": (None, 2), "residual": True,
                         "horizon": 2, "mask_value": -999.0},
        "gru": {"units": 4, "input_shape": (6, 2), "n_future": 3, "horizon": 4},
    }
    passed = check_builders(table, apis=["functional"], workdir=tmp_path)
    assert "stacked_lstm/forecast/functional" in passed and "gru/forecast/functional" in passed


def test_unknown_name_lists_known_and_closest():
    with pytest.raises(ValueError, match=r"Did you mean 'bilstm'.*Known models: .*bigru"):
        zoo.build("bilstmm")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"task": "regress"}, "task"),
        ({"api": "keras"}, "api"),
        ({"input_shape": (10,)}, "input_shape"),
        ({"input_shape": (10, 0)}, "n_features"),
        ({"units": 0}, "units"),
        ({"units": [4, -1]}, "units"),
        ({"dropout": 1.5}, "dropout"),
        ({"horizon": 0}, "horizon"),
        ({"task": "classify"}, "n_classes"),
        ({"task": "classify", "n_classes": 1}, "n_classes"),
        ({"kernel_initializer": "nonsense"}, "kernel_initializer"),
        ({"quantiles": [0.5, 1.5]}, "quantiles"),
        ({"mask_value": "pad"}, "mask_value"),
        ({"api": "sequential", "n_future": 2}, "functional"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(kwargs, match):
    with pytest.raises(ValueError, match=match):
        zoo.build("lstm", input_shape=kwargs.pop("input_shape", (10, 1)), **kwargs)


def test_preset_refuses_a_contradicting_cell_and_builder_function_chooses_it():
    with pytest.raises(ValueError, match="fixes cell='gru'"):
        zoo.build("stacked_gru", cell="lstm")
    m = zoo.builders.stacked(cell="gru", input_shape=(5, 1), units=[3, 2])
    assert [type(l).__name__ for l in m.layers if "GRU" in type(l).__name__] == ["GRU", "GRU"]
    m = zoo.builders.bidirectional(cell="lstm", input_shape=(5, 1), units=3)
    assert type(m.get_layer("lstm_0").forward_layer).__name__ == "LSTM"


def test_residual_needs_functional_and_recurrent_dropout_warns():
    with pytest.raises(ValueError, match="residual"):
        zoo.build("stacked_lstm", api="sequential", residual=True, input_shape=(5, 1))
    with pytest.warns(UserWarning, match="cuDNN"):
        zoo.build("gru", recurrent_dropout=0.2, input_shape=(5, 1), units=2)


def test_initializer_aliases_reach_the_layer():
    m = zoo.build("lstm", input_shape=(5, 1), units=3, kernel_initializer="he",
                  recurrent_initializer="glorot")
    layer = m.get_layer("lstm_0")
    assert type(layer.cell.kernel_initializer).__name__ == "HeNormal"
    assert type(layer.cell.recurrent_initializer).__name__ == "GlorotUniform"


def test_masked_padding_does_not_change_the_output():
    # a padded sequence gives the same answer as the unpadded one
    m = zoo.build("bigru", task="classify", n_classes=2, input_shape=(None, 1), units=3,
                  mask_value=-1e4)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, 6, 1)).astype("float32")
    padded = np.concatenate([x, np.full((1, 4, 1), -1e4, "float32")], axis=1)
    np.testing.assert_allclose(np.asarray(m(padded)), np.asarray(m(x)), rtol=1e-5, atol=1e-6)


def test_residual_stack_with_mask_ignores_padding():
    m = zoo.build("stacked_lstm", input_shape=(None, 1), units=[3, 3], residual=True,
                  mask_value=-1e4, horizon=2)
    x = np.random.default_rng(1).normal(size=(1, 5, 1)).astype("float32")
    padded = np.concatenate([x, np.full((1, 3, 1), -1e4, "float32")], axis=1)
    np.testing.assert_allclose(np.asarray(m(padded)), np.asarray(m(x)), rtol=1e-5, atol=1e-6)


def test_normalization_sits_between_layers_and_on_the_inputs_never_inside():
    import keras

    m = zoo.build("stacked_rnn", input_shape=(None, 3), units=[4, 4], normalization="batch",
                  mask_value=-99.0)
    kinds = [type(l).__name__ for l in m.layers]
    assert kinds[:3] == ["InputLayer", "Masking", "BatchNormalization"]  # the input features
    assert kinds.count("BatchNormalization") == 3  # inputs, then after each recurrent layer
    cells = [l.cell for l in m.layers if isinstance(l, keras.layers.RNN)]
    assert all(type(c).__name__ == "SimpleRNNCell" for c in cells) and len(cells) == 2
    layer = zoo.build("gru", input_shape=(5, 1), units=4, layer_norm=True)
    assert [type(l).__name__ for l in layer.layers].count("LayerNormalization") == 1
    same = zoo.build("gru", input_shape=(5, 1), units=4, normalization="layer")
    assert [type(l).__name__ for l in same.layers] == [type(l).__name__ for l in layer.layers]
    with pytest.raises(ValueError, match="choose one"):
        zoo.build("gru", input_shape=(5, 1), layer_norm=True, normalization="batch")
    with pytest.raises(ValueError, match="normalization must be one of"):
        zoo.build("gru", input_shape=(5, 1), normalization="group")


def test_batch_normalization_ignores_padding():
    # masked steps must not move the moments: a padded batch trains like the unpadded one
    x = np.random.default_rng(0).normal(size=(4, 6, 2)).astype("float32")
    padded = np.concatenate([x, np.full((4, 3, 2), -99.0, "float32")], axis=1)
    m = zoo.build("birnn", task="label", n_classes=3, input_shape=(None, 2), units=4,
                  normalization="batch", mask_value=-99.0)
    a = np.asarray(m(x, training=True))
    b = np.asarray(m(padded, training=True))[:, :6]
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["simple_rnn", "bilstm", "stacked_gru"])
def test_label_task_classifies_every_step(name):
    m = zoo.build(name, task="label", n_classes=4, input_shape=(None, 3), units=4)
    out = np.asarray(m(np.zeros((2, 9, 3), "float32")))
    assert out.shape == (2, 9, 4) and np.allclose(out.sum(-1), 1.0, atol=1e-5)
    assert "label" in zoo.registry.get_spec(name).tasks


def test_label_is_opt_in():
    assert "label" not in zoo.registry.get_spec("lstm_fcn").tasks
    assert set(zoo.list_models("label")) == {"simple_rnn", "lstm", "gru", "stacked_rnn",
                                             "stacked_lstm", "stacked_gru", "birnn", "bilstm",
                                             "bigru"}
    with pytest.raises(ValueError, match="supports task"):
        zoo.build("cnn_lstm", task="label", n_classes=2, input_shape=(None, 1))
