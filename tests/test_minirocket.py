"""minirocket: the 84 kernels, the dilations, bias fitting (adapt), PPV, the estimator hook.

The conformance harness (tests/test_builders.py, once the name is wired into
zoo.builders) covers the API twins, training, round trips and the SavedModel; these
tests check what is particular to MiniRocket against plain numpy.
"""

import doctest
import itertools

import keras
import numpy as np
import pytest

import zoo
import zoo.builders.rocket as mr
from zoo.base import adapt_network
from zoo.builders.rocket import MiniRocketFeatures, minirocket


def _series(n=6, steps=20, channels=1, seed=0):
    return np.random.default_rng(seed).normal(size=(n, steps, channels)).astype("float32")


def _numpy_conv(x, weights, dilation):
    """Cross-correlation with zero "same" padding, as the paper's code computes it."""
    steps = len(x)
    out = np.zeros(steps)
    for t in range(steps):
        for j in range(9):
            s = t + (j - 4) * dilation
            if 0 <= s < steps:
                out[t] += weights[j] * x[s]
    return out


def _numpy_ppv(layer, x):
    """The layer's PPV features of ``x`` [n, T, C] computed in numpy, in the paper's order."""
    biases = np.asarray(layer.biases)
    channels = np.asarray(layer.channel_weights)
    feats = np.zeros((len(x), layer.n_features))
    start = 0
    for i, (d, f) in enumerate(zip(layer.dilations, layer.features_per_dilation)):
        pad = 4 * d
        for k in range(84):
            w = np.full(9, -1.0)
            w[list(mr.INDICES[k])] = 2.0
            for n, series in enumerate(x):
                conv = sum(channels[i * 84 + k, c] * _numpy_conv(series[:, c], w, d)
                           for c in range(x.shape[2]))
                if (i + k) % 2:
                    conv = conv[pad:len(conv) - pad]
                feats[n, start:start + f] = (conv[:, None] > biases[start:start + f]).mean(0)
            start += f
    return feats


def test_the_kernels_are_the_84_choices_of_three_positions():
    assert mr.WEIGHTS.shape == (9, 84)
    twos = {tuple(np.flatnonzero(col == 2.0)) for col in mr.WEIGHTS.T}
    assert twos == set(itertools.combinations(range(9), 3))
    assert set(np.unique(mr.WEIGHTS)) == {-1.0, 2.0}
    assert np.all(mr.WEIGHTS.sum(0) == 0)  # blind to a level shift


def test_dilations_grow_exponentially_to_a_quarter_of_the_receptive_limit():
    for steps, requested in ((9, 84), (24, 10_000), (150, 10_000), (251, 2_000)):
        d, f = mr.fit_dilations(steps, requested)
        assert d[0] == 1 and d[-1] <= (steps - 1) / 8 and np.all(np.diff(d) > 0)
        assert 84 * f.sum() == 84 * (requested // 84)
        assert len(d) <= 32 and np.all(f >= 1)


def test_shapes_and_feature_count():
    model = minirocket(input_shape=(20, 3), n_classes=4, num_features=200)
    layer = model.get_layer("minirocket_features")
    assert layer.n_features == 168  # rounded down to a multiple of 84
    assert tuple(model(_series(5, 20, 3)).shape) == (5, 4)
    assert tuple(layer(_series(2, 20, 3)).shape) == (2, 168)
    seq = minirocket(input_shape=(20, 3), n_classes=4, num_features=200, api="sequential",
                     dropout=0.3)
    assert [type(l).__name__ for l in seq.layers] == ["MiniRocketFeatures", "Dropout", "Dense"]
    assert not model.get_layer("minirocket_features").trainable_weights  # only the head learns


def test_ppv_equals_numpy_with_alternating_padding():
    for channels in (1, 3):
        x = _series(3, 20, channels, seed=channels)
        layer = MiniRocketFeatures(num_features=168, seed=4)
        layer.build(x.shape)
        rng = np.random.default_rng(0)
        layer.biases.assign(rng.normal(scale=2.0, size=layer.n_features).astype("float32"))
        got = np.asarray(layer(x))  # mean 0, std 1 until adapted: the raw PPV
        np.testing.assert_allclose(got, _numpy_ppv(layer, x), atol=1e-6)
        if channels == 3:  # every combination sums a non-empty subset of the channels
            subsets = np.asarray(layer.channel_weights)
            assert set(np.unique(subsets)) == {0.0, 1.0} and subsets.sum(1).min() >= 1
            assert len({tuple(r) for r in subsets}) > 1


def test_adapt_fits_quantile_biases_from_data_deterministically():
    x = _series(8, 24, 1)
    a, b, other = (MiniRocketFeatures(num_features=168, seed=s) for s in (7, 7, 8))
    for layer in (a, b, other):
        layer.adapt(x)
    biases = np.asarray(a.biases)
    np.testing.assert_array_equal(biases, np.asarray(b.biases))
    assert not np.array_equal(biases, np.asarray(other.biases))
    # the convolution is linear: twice the data, twice every bias (same examples drawn)
    twice = MiniRocketFeatures(num_features=168, seed=7)
    twice.adapt(2 * x)
    np.testing.assert_allclose(np.asarray(twice.biases), 2 * biases, rtol=1e-5, atol=1e-5)
    # each bias is a quantile of one drawn example's "same" convolution, at the golden levels
    rng = np.random.default_rng([7, 2])
    levels, start = mr.quantile_levels(a.n_features), 0
    for d, f in zip(a.dilations, a.features_per_dilation):
        pick = rng.integers(len(x), size=84)
        for k in range(84):
            w = np.full(9, -1.0)
            w[list(mr.INDICES[k])] = 2.0
            conv = _numpy_conv(x[pick[k], :, 0], w, d)
            np.testing.assert_allclose(biases[start:start + f],
                                       np.quantile(conv, levels[start:start + f]),
                                       rtol=1e-5, atol=1e-5)
            start += f
    # the features come out standardised on the data adapted to
    feats = np.asarray(a(x))
    varying = np.asarray(a.feature_std) != 1.0
    np.testing.assert_allclose(feats.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(feats[:, varying].std(0), 1, atol=1e-3)


def test_adapt_network_feeds_each_layer_what_it_sees_and_skips_keras_adapt_layers():
    x = _series(6, 16, 1)
    calls = []

    class Recorder(keras.layers.Normalization):  # has keras' adapt but does not opt in
        def adapt(self, data, *args, **kwargs):
            calls.append(data)

    net = keras.Sequential([keras.Input((16, 1)), Recorder(), keras.layers.Rescaling(2.0),
                            MiniRocketFeatures(num_features=84, seed=1)])
    before = keras.layers.Rescaling(-1.0)
    adapt_network(net, x, before=before)
    direct = MiniRocketFeatures(num_features=84, seed=1)
    direct.adapt(-2.0 * x)
    np.testing.assert_array_equal(np.asarray(net.layers[-1].biases), np.asarray(direct.biases))
    assert not calls


def test_classifier_adapts_fits_predicts_and_exports(tmp_path):
    rng = np.random.default_rng(0)
    y = np.array(["a", "b"] * 12)
    X = rng.normal(size=(24, 12, 2)) + np.where(y == "a", 0.0, 1.5)[:, None, None] \
        * np.sin(np.arange(12))[None, :, None]
    clf = zoo.Classifier(model="minirocket", epochs=1, model_kwargs={"num_features": 168},
                         verbose=0).fit(X, y)
    layer = clf.model_.get_layer("minirocket").get_layer("minirocket_features")
    # the refit re-adapted to all the data, as the network sees it (standardised)
    mean, std = clf.scaling_stats_["mean"], clf.scaling_stats_["std"]
    ref = MiniRocketFeatures(num_features=168)
    ref.adapt(((X - np.asarray(mean)) / np.asarray(std)).astype("float32"))
    np.testing.assert_allclose(np.asarray(layer.biases), np.asarray(ref.biases), atol=1e-5)
    assert np.any(np.asarray(layer.biases) != 0)
    proba = clf.predict_proba(X)
    assert proba.shape == (24, 2) and set(clf.predict(X)) <= {"a", "b"}
    path = clf.export(tmp_path / "art")
    from zoo import onnx_export

    for backend in ("serve", "onnx") if onnx_export.available() else ("serve",):
        p = zoo.load(path, backend=backend)
        np.testing.assert_allclose(p.run(X.astype("float32")), proba, rtol=1e-5, atol=1e-5)
    again = zoo.Classifier.load(path)
    np.testing.assert_allclose(again.predict_proba(X), proba, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("kwargs, match", [
    ({"mask_value": -999.0}, "mask_value"),
    ({"input_shape": (None, 1)}, "fixed number of time steps"),
    ({"input_shape": (8, 1)}, ">= 9"),
    ({"task": "forecast"}, "classify"),
    ({"num_features": 83}, "num_features"),
    ({"max_dilations_per_kernel": 0}, "max_dilations_per_kernel"),
    ({"seed": -1}, "seed"),
    ({"n_classes": None}, "n_classes"),
    ({"dropout": 1.0}, "dropout"),
    ({"units": 0}, "units"),
    ({"api": "keras"}, "api"),
    ({"quantiles": [0.5]}, "quantiles"),
    ({"name": ""}, "name"),
    ({"l2": -0.1}, "l2"),
    ({"l2": True}, "l2"),
    ({"head_initializer": "nonsense"}, "head_initializer"),
])
def test_bad_arguments_raise_value_error_naming_them(kwargs, match):
    params = {"input_shape": (16, 1), "n_classes": 2, "num_features": 84, **kwargs}
    with pytest.raises(ValueError, match=match):
        minirocket(**params)


def test_the_classifier_refuses_variable_length_input():
    seqs = [np.zeros((n, 1)) for n in (10, 12, 14, 16)]
    with pytest.raises(ValueError, match="variable-length"):
        zoo.Classifier(model="minirocket", epochs=1).fit(seqs, [0, 1, 0, 1])
    with pytest.raises(ValueError, match="forecast"):
        zoo.build("minirocket", task="forecast", input_shape=(16, 1))
    layer = MiniRocketFeatures(num_features=84)
    with pytest.raises(ValueError, match="per example"):
        layer.build((None, 16, 1))
        layer.adapt(_series(3, 20, 1))


def test_the_module_examples_run():
    result = doctest.testmod(mr)
    assert result.attempted and not result.failed
