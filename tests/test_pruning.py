"""Magnitude pruning: the schedule, every kernel at the target, zeros kept through export."""

import keras
import numpy as np
import pytest

import zoo
from zoo import training
from zoo.training.pruning import MagnitudePruning, check_pruning, make_pruning, prunable_weights


def test_the_polynomial_schedule_rises_fast_then_slowly_to_the_target():
    cb = MagnitudePruning(0.8, begin_step=10, end_step=110)
    s = [cb.sparsity_at(t) for t in (0, 10, 35, 60, 85, 110, 500)]
    assert s[:2] == [0.0, 0.0] and s[-2:] == [0.8, 0.8]
    assert np.all(np.diff(s) >= 0)
    # s_f * (1 - (1 - 1/4) ** 3): more than half the target after a quarter of the way
    assert s[2] == pytest.approx(0.8 * (1 - 0.75 ** 3))


@pytest.mark.parametrize("bad, match", [
    ([0.8], "dict"), ({"sparsity": 0.5}, "unknown key"), ({}, "target_sparsity"),
    ({"target_sparsity": 1.0}, r"\[0, 1\)"), ({"target_sparsity": 0.5, "end_step": 0}, "end_step"),
    ({"target_sparsity": 0.5, "frequency": 0}, "frequency"),
])
def test_bad_pruning_options_are_refused(bad, match):
    with pytest.raises(ValueError, match=match):
        check_pruning(bad)


def test_fit_prunes_every_kernel_input_recurrent_and_dense_to_the_target():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 10, 3)).astype("float32")
    y = x[:, -3:, :1].sum(axis=1)
    net = zoo.build("bilstm", input_shape=(10, 3), units=8)
    net, _ = training.fit(net, (x, y), epochs=6, batch_size=16,
                          pruning={"target_sparsity": 0.75, "frequency": 2})
    kernels = prunable_weights(net)
    names = {w.path.split("/")[-1] for w in kernels}
    assert names == {"kernel", "recurrent_kernel"} and len(kernels) == 5  # 2 x (in, rec), head
    for w in kernels:
        assert (np.asarray(w) == 0).mean() >= 0.75, w.path
    biases = [w for w in net.trainable_weights if w.name == "bias"]
    assert all((np.asarray(b) != 0).any() for b in biases)  # biases are not pruned


def test_the_last_pruning_follows_early_stopping_restoring_its_best_weights():
    cbs = training.make_callbacks(early_stopping=True, monitor="loss")
    pruner = make_pruning(check_pruning({"target_sparsity": 0.5}), total_steps=100)
    assert (pruner.begin, pruner.end) == (15, 50)  # 15 % and 50 % of the run's steps
    net = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), keras.layers.Dense(1)])
    x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
    net.compile("adam", "mse")
    net.fit(x, x[:, :1], epochs=3, verbose=0, callbacks=cbs + [pruner])
    assert training.sparsity(net) >= 0.5


def test_an_estimator_exports_the_zeros(tmp_path):
    df = zoo.datasets.load("airline")
    f = zoo.Forecaster(lookback=12, horizon=6, units=8, epochs=3,
                       pruning={"target_sparsity": 0.8}).fit(df)
    assert training.sparsity(f.model_) >= 0.8
    path = f.export(tmp_path / "pruned")
    p = zoo.load(path, backend="serve")
    assert p.manifest["kernel_sparsity"] >= 0.8 and p.manifest["params"]["pruning"] == {
        "target_sparsity": 0.8}
    np.testing.assert_allclose(p.predict(df).to_numpy(), f.predict(df).to_numpy(), rtol=1e-5)
    assert training.sparsity(zoo.Forecaster.load(path).model_) >= 0.8


def test_the_refit_epoch_count_is_chosen_among_epochs_at_the_target():
    from zoo.base import _best_epoch

    history = {"val_loss": [3.0, 1.0, 2.0, 1.5], "sparsity": [0.0, 0.4, 0.8, 0.8]}
    assert _best_epoch(history, {"target_sparsity": 0.8}) == 4
    assert _best_epoch(history, None) == 2
    assert _best_epoch({"loss": [1.0]}, None) is None


def test_a_pruned_fit_with_early_stopping_gets_the_larger_epoch_budget(monkeypatch):
    from zoo.training import pruning

    seen = []

    class Stop(Exception):
        pass

    def spy(*args, **kwargs):  # records the budget, trains nothing
        seen.append(kwargs["epochs"])
        raise Stop

    monkeypatch.setattr(training, "fit", spy)
    df = zoo.datasets.load("airline")
    for extra in ({}, {"early_stopping": False}):
        with pytest.raises(Stop):
            zoo.Forecaster(lookback=12, horizon=6, units=4, epochs=2, refit=False,
                           pruning={"target_sparsity": 0.5}, **extra).fit(df)
    assert seen == [2 * pruning.EPOCH_FACTOR, 2]
