"""fcn, resnet and inception_time: the papers' layers, the units rule, shapes, refusals.

The conformance harness (tests/test_builders.py, zoo.testing.check_builder) covers
training, round trips, export and the capability flags; these tests check what is
particular to the convolutional builders.
"""

import doctest

import numpy as np
import pytest

import zoo
import zoo.builders.convolutional as conv
from zoo.registry import get_spec

NAMES = ("fcn", "resnet", "inception_time")
TINY = {
    "fcn": {"filters": [4, 8, 4]},
    "resnet": {"filters": [4, 8, 8]},
    "inception_time": {"filters": 3, "depth": 3, "kernel_size": [5, 3, 2]},
}


def _types(model):
    return [type(l).__name__ for l in model.layers if type(l).__name__ != "InputLayer"]


def _x(batch, steps, features, seed=0):
    return np.random.default_rng(seed).normal(size=(batch, steps, features)).astype("float32")


def test_the_module_examples_run():
    result = doctest.testmod(conv)
    assert result.attempted and not result.failed


def test_registry_flags():
    for name in NAMES:
        spec = get_spec(name)
        assert spec.tasks == ("forecast", "classify")
        assert (spec.masking, spec.dynamic_time, spec.future_covariates) == (False, True, True)
        assert spec.sequential is (name == "fcn")
        assert name in zoo.list_models(task="classify")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"task": "classify", "n_classes": 4}, (5, 4)),
        ({"horizon": 3, "n_targets": 2}, (5, 3, 2)),
        ({"horizon": 2, "quantiles": [0.9, 0.1, 0.5]}, (5, 2, 1, 3)),
    ],
)
def test_output_shapes_at_two_lengths(name, kwargs, expected):
    m = zoo.build(name, input_shape=(None, 2), **TINY[name], **kwargs)
    for steps in (7, 16):
        out = np.asarray(m(_x(5, steps, 2)))
        assert out.shape == expected
    if kwargs.get("task") == "classify":
        np.testing.assert_allclose(out.sum(axis=1), 1.0, atol=1e-5)
    if "quantiles" in kwargs:
        assert np.all(np.diff(out, axis=-1) >= 0)


@pytest.mark.parametrize("name", NAMES)
def test_future_covariates_add_a_second_input(name):
    m = zoo.build(name, input_shape=(12, 2), horizon=4, n_future=3, **TINY[name])
    assert [tuple(t.shape) for t in m.inputs] == [(None, 12, 2), (None, 4, 3)]
    f1, f2 = _x(2, 4, 3, 1), _x(2, 4, 3, 2)
    x = _x(2, 12, 2)
    assert not np.allclose(np.asarray(m([x, f1])), np.asarray(m([x, f2])))


def test_fcn_defaults_are_the_papers_network():
    m = conv.fcn(task="classify", input_shape=(None, 1), n_classes=2)
    convs = [m.get_layer(f"conv_{i}") for i in range(3)]
    assert [c.filters for c in convs] == [128, 256, 128]
    assert [c.kernel_size for c in convs] == [(8,), (5,), (3,)]
    assert all(c.padding == "same" and c.use_bias for c in convs)
    assert _types(m) == ["Conv1D", "BatchNormalization", "Activation"] * 3 + [
        "GlobalAveragePooling1D", "Dense"]
    # conv (k*in*out + out) and BN (4 per channel) per block, softmax Dense 128 -> 2
    blocks = [(8, 1, 128), (5, 128, 256), (3, 256, 128)]
    expected = sum(k * i * o + o + 4 * o for k, i, o in blocks) + 128 * 2 + 2
    assert m.count_params() == expected == 265_986


def test_resnet_defaults_are_the_papers_network():
    m = conv.resnet(task="classify", input_shape=(None, 1), n_classes=2)
    for b, width in enumerate([64, 128, 128], start=1):
        convs = [m.get_layer(f"block{b}_conv{j}") for j in range(3)]
        assert [c.filters for c in convs] == [width] * 3
        assert [c.kernel_size for c in convs] == [(8,), (5,), (3,)]
    names = {l.name for l in m.layers}
    # 1x1 conv shortcuts where the channels change (1 -> 64 -> 128), BN alone in block 3
    assert {"block1_shortcut_conv", "block2_shortcut_conv"} <= names
    assert "block3_shortcut_conv" not in names and "block3_shortcut_bn" in names
    assert m.get_layer("block1_shortcut_conv").kernel_size == (1,)
    # the last conv of a block is added before its ReLU
    assert "block1_relu2" not in names and "block1_relu1" in names
    assert _types(m).count("Add") == 3
    assert tuple(m.get_layer("global_pool").output.shape) == (None, 128)


def test_inception_time_defaults_are_the_papers_network():
    m = conv.inception_time(task="classify", input_shape=(None, 1), n_classes=2)
    names = {l.name for l in m.layers}
    assert sum(n.endswith("_concat") for n in names) == 6
    # univariate input: no bottleneck in the first module, a 32-wide one after
    assert "module0_bottleneck" not in names
    assert m.get_layer("module1_bottleneck").filters == 32
    assert [m.get_layer(f"module3_conv{j}").kernel_size for j in range(3)] == [(40,), (20,),
                                                                               (10,)]
    assert m.get_layer("module3_pool").pool_size == (3,)
    assert m.get_layer("module3_pool").strides == (1,)
    assert m.get_layer("module3_pool_conv").filters == 32
    assert tuple(m.get_layer("module5_concat").output.shape) == (None, None, 128)
    convs = [l for l in m.layers if type(l).__name__ == "Conv1D"]
    assert not any(c.use_bias for c in convs)
    # shortcuts after modules 3 and 6, each a 1x1 conv + BN
    assert {"shortcut0_conv", "shortcut0_bn", "shortcut1_conv", "shortcut1_add"} <= names
    assert _types(m).count("Add") == 2
    multi = conv.inception_time(task="classify", input_shape=(20, 3), n_classes=2)
    assert multi.get_layer("module0_bottleneck").filters == 32


@pytest.mark.parametrize("name, units, widths", [
    ("fcn", 8, [16, 32, 16]),
    ("resnet", 8, [8, 16, 16]),
    ("inception_time", 10, [5]),
])
def test_units_sets_the_widths_and_filters_overrides_it(name, units, widths):
    m = zoo.build(name, input_shape=(12, 2), units=units)
    if name == "fcn":
        got = [m.get_layer(f"conv_{i}").filters for i in range(3)]
    elif name == "resnet":
        got = [m.get_layer(f"block{b}_conv0").filters for b in (1, 2, 3)]
    else:
        got = [m.get_layer("module0_conv0").filters]
    assert got == widths
    # the pooled features are 2 * units wide in every builder
    assert m.get_layer("global_pool").output.shape[-1] == 2 * units
    # an estimator's default units=64 gives the paper's network, like the builder default
    assert zoo.build(name, input_shape=(12, 2), units=64).count_params() == \
        zoo.build(name, input_shape=(12, 2)).count_params()
    explicit = zoo.build(name, input_shape=(12, 2), units=units, **TINY[name])
    assert explicit.count_params() < m.count_params()


def test_inception_time_options():
    base = {"input_shape": (16, 2), "filters": 4}
    plain = conv.inception_time(**base, depth=4, use_residual=False, bottleneck=0)
    names = {l.name for l in plain.layers}
    assert "Add" not in _types(plain) and not any("bottleneck" in n for n in names)
    halved = conv.inception_time(**base, kernel_size=8, bottleneck=6, depth=2)
    assert [halved.get_layer(f"module1_conv{j}").kernel_size[0] for j in range(3)] == [8, 4, 2]
    assert halved.get_layer("module1_bottleneck").filters == 6
    four = conv.inception_time(**base, kernel_size=[9, 5, 3, 1], depth=1)
    assert four.get_layer("module0_concat").output.shape[-1] == 5 * 4


@pytest.mark.parametrize("name", NAMES)
def test_dropout_sits_before_the_head_and_momentum_reaches_batch_norm(name):
    m = zoo.build(name, input_shape=(12, 1), dropout=0.3, batch_norm_momentum=0.9, **TINY[name])
    types = _types(m)
    assert types[types.index("GlobalAveragePooling1D") + 1] == "Dropout"
    assert m.get_layer("dropout").rate == 0.3
    bns = [l for l in m.layers if type(l).__name__ == "BatchNormalization"]
    assert bns and all(l.momentum == 0.9 for l in bns)
    assert "Dropout" not in _types(zoo.build(name, input_shape=(12, 1), **TINY[name]))


def test_fcn_sequential_equals_functional_with_the_same_weights():
    kw = dict(input_shape=(None, 2), horizon=2, dropout=0.1, **TINY["fcn"])
    func = zoo.build("fcn", **kw)
    seq = zoo.build("fcn", api="sequential", **kw)
    assert type(seq).__name__ == "Sequential" and _types(func) == _types(seq)
    seq.set_weights(func.get_weights())
    x = _x(3, 9, 2)
    np.testing.assert_allclose(np.asarray(seq(x)), np.asarray(func(x)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_refusals_say_why(name):
    params = {"input_shape": (10, 2), **TINY[name]}
    with pytest.raises(ValueError, match="does not support mask_value.*padding"):
        zoo.build(name, mask_value=-1.0, **params)
    with pytest.raises(ValueError, match="units must be a positive int.*filters"):
        zoo.build(name, units=[8, 8], **params)
    with pytest.raises(ValueError, match="units"):
        zoo.build(name, units=0, **params)
    with pytest.raises(ValueError, match="batch_norm_momentum"):
        zoo.build(name, batch_norm_momentum=1.0, **params)
    with pytest.raises(ValueError, match="dropout"):
        zoo.build(name, dropout=1.0, **params)
    with pytest.raises(ValueError, match="n_classes"):
        zoo.build(name, task="classify", **params)
    with pytest.raises(ValueError, match="kernel_initializer"):
        zoo.build(name, kernel_initializer="nonsense", **params)
    if name == "fcn":
        return
    with pytest.raises(ValueError, match="Sequential.*api='functional'"):
        zoo.build(name, api="sequential", **params)


@pytest.mark.parametrize("name, kwargs, match", [
    ("fcn", {"filters": []}, "filters"),
    ("fcn", {"filters": [4, 0, 4]}, "filters"),
    ("fcn", {"kernel_size": [3, 3]}, "one per filters entry"),
    ("resnet", {"filters": "64"}, "filters"),
    ("resnet", {"kernel_size": [8, 0]}, "kernel_size"),
    ("inception_time", {"filters": [4, 4]}, "filters must be a positive int"),
    ("inception_time", {"kernel_size": 3}, "kernel_size"),
    ("inception_time", {"kernel_size": []}, "kernel_size"),
    ("inception_time", {"depth": 0}, "depth"),
    ("inception_time", {"bottleneck": -1}, "bottleneck"),
    ("inception_time", {"use_residual": "yes"}, "use_residual"),
])
def test_bad_widths_raise_value_error_naming_them(name, kwargs, match):
    with pytest.raises(ValueError, match=match):
        zoo.build(name, input_shape=(10, 2), **{**TINY[name], **kwargs})
