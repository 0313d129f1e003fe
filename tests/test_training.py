"""Tests for zoo.training: effects of optimizers, clipping, schedules, callbacks, seeds, scale-out.

The checks that need fresh processes (determinism, SIGKILL + BackupAndRestore, MirroredStrategy
over two logical CPUs, MultiWorkerMirroredStrategy with two workers) start together in the
background when this module begins, so they overlap each other and the in-process tests; the
``test_proc_*`` tests then wait for their results.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from zoo import training
from zoo.training import TrainingDivergedError

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORKER = HERE / "_training_helpers" / "training_worker.py"
PROC_TIMEOUT = 240  # seconds per subprocess; they share 2 cores with each other and pytest

# The subprocesses' data and model, reused here for the one-process references.
_spec = importlib.util.spec_from_file_location("_zoo_training_worker", WORKER)
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)

# --------------------------------------------------------------------------- background processes


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    env.pop("TF_CONFIG", None)
    return env


def _free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


class _Processes:
    """Named worker runs started at once; ``wait(name)`` returns (returncode, end of its log)."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.procs = {}
        self.deadline = {}

    def start(self, name, *args):
        with open(self.tmp / f"{name}.log", "w") as log:
            self.procs[name] = subprocess.Popen(
                [sys.executable, str(WORKER), *map(str, args)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=_env(),
                cwd=str(self.tmp),
            )
        self.deadline[name] = time.monotonic() + PROC_TIMEOUT

    def wait(self, name):
        proc = self.procs[name]
        try:
            proc.wait(timeout=max(1.0, self.deadline[name] - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            pytest.fail(f"{name} ran past {PROC_TIMEOUT}s:\n{self.log(name)}")
        return proc.returncode, self.log(name)

    def log(self, name):
        text = (self.tmp / f"{name}.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-40:])

    def stop(self):
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module", autouse=True)
def background(request, tmp_path_factory):
    """Launches the subprocess checks at once, and only those a selected ``test_proc_*`` needs."""
    wanted = {
        item.name.split("[")[0]
        for item in request.session.items
        if item.module is request.module and item.name.startswith("test_proc_")
    }
    procs = _Processes(tmp_path_factory.mktemp("training_procs"))
    if "test_proc_seeded_runs_repeat_exactly_and_two_workers_train_like_one" in wanted:
        keras.utils.set_random_seed(3)
        np.savez(procs.tmp / "init.npz", *worker.net().get_weights())
        ports = ",".join(map(str, _free_ports(2)))
        for i in range(2):
            procs.start(
                f"worker{i}",
                "multiworker",
                i,
                ports,
                procs.tmp / f"worker{i}.npz",
                procs.tmp / "init.npz",
                procs.tmp / "mw_ckpt",
            )
    if "test_proc_mirrored_over_two_cpus_matches_one_device" in wanted:
        procs.start("mirrored", "mirrored", procs.tmp / "mirrored.npz")
    if "test_proc_sigkill_then_resume_at_next_epoch" in wanted:
        (procs.tmp / "backup").mkdir()
        procs.start("backup", "backup", procs.tmp / "backup", 1)
    yield procs
    procs.stop()


# --------------------------------------------------------------------------- small models and data


def gru_net():
    return keras.Sequential([keras.Input((5, 3)), keras.layers.GRU(4), keras.layers.Dense(1)])


def dense_net(init=None):
    kwargs = {} if init is None else {"kernel_initializer": init}
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, **kwargs)])


def frozen_start(builder):
    """A builder whose every model starts from the same weights."""
    keras.utils.set_random_seed(11)
    weights = builder().get_weights()

    def build():
        model = builder()
        model.set_weights(weights)
        return model

    return build


def weights_of(model):
    return [v.numpy().copy() for v in model.trainable_variables]


LOOPS = ["keras", "custom"]
QUIET = {"reduce_lr_on_plateau": False, "early_stopping": False}


# --------------------------------------------------------------------------- make_optimizer


def test_exponential_schedule_gives_initial_times_rate_to_step_over_decay_steps():
    opt = training.make_optimizer(
        "sgd", 0.1, lr_schedule="exponential", decay_steps=10, decay_rate=0.5
    )
    for step in (0, 5, 10, 25):
        opt.iterations.assign(step)
        assert float(opt.learning_rate) == pytest.approx(0.1 * 0.5 ** (step / 10), rel=1e-6)
    stairs = training.make_optimizer(
        "sgd", 0.1, lr_schedule="exponential", decay_steps=10, decay_rate=0.5, staircase=True
    )
    stairs.iterations.assign(25)
    assert float(stairs.learning_rate) == pytest.approx(0.1 * 0.5**2, rel=1e-6)


def test_cosine_schedule_reaches_alpha_fraction():
    opt = training.make_optimizer("adam", 0.2, lr_schedule="cosine", decay_steps=100, alpha=0.1)
    expected = {0: 0.2, 50: 0.2 * (0.1 + 0.9 * 0.5), 100: 0.02, 400: 0.02}
    for step, lr in expected.items():
        opt.iterations.assign(step)
        assert float(opt.learning_rate) == pytest.approx(lr, rel=1e-5)


def test_optimizer_names_clipping_and_kwargs_reach_the_optimizer():
    opt = training.make_optimizer("AdamW", 3e-3, global_clipnorm=2.0, weight_decay=0.01)
    assert isinstance(opt, keras.optimizers.AdamW)
    assert (opt.clipnorm, opt.clipvalue, opt.global_clipnorm) == (None, None, 2.0)
    assert float(opt.learning_rate) == pytest.approx(3e-3)
    assert opt.weight_decay == pytest.approx(0.01)
    ready = keras.optimizers.SGD(0.5)
    assert training.make_optimizer(ready) is ready


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"name": "adamm"}, r"optimizer must be one of .*'adam'"),
        ({"lr_schedule": "linear"}, r"lr_schedule must be .*'exponential', 'cosine'"),
        ({"lr_schedule": "exponential"}, "needs decay_steps"),
        ({"lr_schedule": "cosine", "decay_steps": 0}, "decay_steps must be a positive integer"),
        (
            {"lr_schedule": "exponential", "decay_steps": 10, "decay_rate": 0.0},
            r"decay_rate must be in \(0, 1\]",
        ),
        ({"lr_schedule": "exponential", "decay_steps": 10, "decay_rate": -0.5}, "decay_rate"),
        ({"learning_rate": 0.0}, "learning_rate must be a positive number"),
        ({"learning_rate": float("nan")}, "learning_rate must be a positive number"),
        ({"decay_steps": 10}, "decay_steps needs lr_schedule"),
        ({"lr_schedule": "cosine", "decay_steps": 5, "decay_rate": 0.5}, "exponential' only"),
        (
            {"clipnorm": 1.0, "clipvalue": 1.0},
            "Only one of clipnorm, clipvalue and global_clipnorm",
        ),
        ({"clipnorm": 1.0, "global_clipnorm": 1.0}, "Only one of"),
        ({"clipnorm": -1.0}, "clipnorm must be a positive number"),
        ({"nonsense_option": 1}, r"optimizer_kwargs \['nonsense_option'\]"),
    ],
)
def test_make_optimizer_refuses_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        training.make_optimizer(**kwargs)


# --------------------------------------------------------------------------- resolve_options


def test_resolve_options_auto_defaults():
    plain = training.resolve_options(has_validation=False)
    assert plain["monitor"] == "loss"
    assert plain["reduce_lr_on_plateau"] == {"monitor": "loss", **training.PLATEAU_DEFAULTS}
    assert plain["early_stopping"] is None  # nothing to stop on without validation data
    assert (plain["clipnorm"], plain["clipvalue"], plain["global_clipnorm"]) == (1.0, None, None)

    validated = training.resolve_options(has_validation=True, early_stopping={"patience": 3})
    assert validated["early_stopping"] == {
        "monitor": "val_loss",
        "patience": 3,
        "restore_best_weights": True,
    }
    assert training.resolve_options(has_validation=True)["early_stopping"]["patience"] == 20


def test_auto_patience_waits_a_minimum_of_optimizer_steps():
    # two steps per epoch (small data): "auto" waits 40 / 200 steps = 20 / 100 epochs
    few = training.resolve_options(has_validation=True, steps_per_epoch=2)
    assert few["reduce_lr_on_plateau"]["patience"] == 20
    assert few["early_stopping"]["patience"] == 100
    # many steps per epoch: the epoch defaults decide
    many = training.resolve_options(has_validation=True, steps_per_epoch=500)
    assert many["reduce_lr_on_plateau"]["patience"] == training.PLATEAU_DEFAULTS["patience"]
    assert many["early_stopping"]["patience"] == training.EARLY_STOPPING_DEFAULTS["patience"]
    # a user's explicit choice keeps its patience in epochs
    mine = training.resolve_options(has_validation=True, steps_per_epoch=2,
                                    reduce_lr_on_plateau=True, early_stopping={"patience": 3})
    assert mine["reduce_lr_on_plateau"]["patience"] == training.PLATEAU_DEFAULTS["patience"]
    assert mine["early_stopping"]["patience"] == 3


def test_fit_counts_auto_patience_in_steps_of_its_data():
    x = np.zeros((64, 3), "float32")
    y = np.zeros((64, 1), "float32")
    net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    seen = {}

    class Probe(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            for cb in self.model._zoo_probe_callbacks:
                seen[type(cb).__name__] = cb.patience

    # 64 samples in batches of 32: 2 steps per epoch -> patience 20 and 100 epochs
    original = training.make_callbacks

    def spy(**kwargs):
        cbs = original(**kwargs)
        net._zoo_probe_callbacks = [c for c in cbs if hasattr(c, "patience")]
        return cbs

    import unittest.mock

    with unittest.mock.patch.object(training.loop, "make_callbacks", spy):
        training.fit(net, (x, y), validation_data=(x, y), epochs=1, batch_size=32,
                     callbacks=[Probe()])
    assert seen == {"ReduceLROnPlateau": 20, "EarlyStopping": 100}


def test_fit_takes_a_dataset_of_unknown_length():
    # no step count: "auto" patience stays in epochs instead of refusing the data
    x, y = np.zeros((64, 3), "float32"), np.zeros((64, 1), "float32")
    ds = tf.data.Dataset.from_tensor_slices((x, y)).filter(lambda a, b: tf.constant(True))
    ds = ds.batch(16)
    assert int(ds.cardinality()) < 0
    net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    _, history = training.fit(net, ds, epochs=2)
    assert len(history["loss"]) == 2


def test_resolve_options_defaults_step_aside_for_user_choices():
    opts = training.resolve_options(lr_schedule="cosine", clipvalue=0.5)
    assert opts["reduce_lr_on_plateau"] is None
    assert (opts["clipnorm"], opts["clipvalue"]) == (None, 0.5)
    opts = training.resolve_options(global_clipnorm=2.0, reduce_lr_on_plateau=False)
    assert (opts["clipnorm"], opts["global_clipnorm"], opts["reduce_lr_on_plateau"]) == (
        None,
        2.0,
        None,
    )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"lr_schedule": "exponential", "reduce_lr_on_plateau": True}, "cannot be combined"),
        ({"lr_schedule": "cosine", "reduce_lr_on_plateau": {"patience": 2}}, "TypeError"),
        ({"clipnorm": 1.0, "clipvalue": 0.5}, "Only one of"),
        ({"clipvalue": 0.5, "global_clipnorm": 1.0}, "Only one of"),
        ({"early_stopping": "yes"}, r"early_stopping must be 'auto', True, False, None or a dict"),
        ({"clipnorm": "big"}, "clipnorm must be 'auto', None or a positive number"),
    ],
)
def test_resolve_options_refuses_rivals_the_user_set(kwargs, match):
    with pytest.raises(ValueError, match=match):
        training.resolve_options(**kwargs)


# --------------------------------------------------------------------------- make_callbacks


def test_make_callbacks_builds_each_option_in_order(tmp_path):
    cbs = training.make_callbacks(
        reduce_lr_on_plateau={"patience": 2},
        early_stopping=True,
        checkpoint_dir=tmp_path / "ckpt",
        backup_dir=tmp_path / "backup",
        csv_log=tmp_path / "logs" / "train.csv",
        monitor="loss",
    )
    assert [type(c).__name__ for c in cbs] == [
        "LearningRateLogger",
        "TerminateOnNaN",
        "BackupAndRestore",
        "ReduceLROnPlateau",
        "EarlyStopping",
        "ModelCheckpoint",
        "CSVLogger",
    ]
    plateau, stopping = cbs[3], cbs[4]
    assert (plateau.patience, plateau.factor, plateau.monitor) == (2, 0.5, "loss")
    assert (stopping.patience, stopping.restore_best_weights) == (20, True)
    assert [type(c).__name__ for c in training.make_callbacks(terminate_on_nan=False)] == [
        "LearningRateLogger"
    ]


def test_make_callbacks_refuses_auto_and_names_the_tensorboard_extra(monkeypatch, tmp_path):
    with pytest.raises(ValueError, match="resolve_options"):
        training.make_callbacks(early_stopping="auto")
    with pytest.raises(ValueError, match="checkpoint_dir must be a path"):
        training.make_callbacks(checkpoint_dir=True)
    monkeypatch.setattr(training.callbacks, "_tensorboard_available", lambda: False)
    with pytest.raises(ImportError, match=r"zoo-ts\[tensorboard\]"):
        training.make_callbacks(tensorboard_dir=tmp_path)


# --------------------------------------------------------------------------- fit: callbacks' effects


@pytest.mark.parametrize("loop", LOOPS)
def test_plateau_lowers_the_learning_rate_when_nothing_can_be_learned(loop):
    # Zero inputs and a zero-mean target: every full-batch gradient is exactly 0, the loss is
    # flat, and each epoch after the first is a plateau.
    x = np.zeros((32, 4), "float32")
    y = np.random.default_rng(0).normal(size=(32, 1)).astype("float32")
    y -= y.mean()
    model, history = training.fit(
        lambda: dense_net("zeros"),
        (x, y),
        epochs=5,
        batch_size=32,
        learning_rate=1e-2,
        reduce_lr_on_plateau={"patience": 1},
        loop=loop,
    )
    assert float(model.optimizer.learning_rate) == pytest.approx(1e-2 * 0.5**4, rel=1e-6)
    assert history["learning_rate"] == pytest.approx([1e-2, 1e-2, 5e-3, 2.5e-3, 1.25e-3], rel=1e-6)


@pytest.mark.parametrize("loop", LOOPS)
def test_decay_epochs_follow_the_exponential_schedule_per_epoch(loop):
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(40, 4)), rng.normal(size=(40, 1))
    # 40 rows / batch 8 = 5 steps per epoch; decay_epochs=2 -> decay_steps=10.
    model, history = training.fit(
        dense_net(),
        (x, y),
        epochs=4,
        batch_size=8,
        optimizer="sgd",
        learning_rate=0.1,
        lr_schedule="exponential",
        decay_epochs=2,
        decay_rate=0.5,
        loop=loop,
    )
    expected = [0.1 * 0.5 ** (epoch * 5 / 10) for epoch in range(4)]
    assert history["learning_rate"] == pytest.approx(expected, rel=1e-6)
    assert int(model.optimizer.iterations) == 20


def _huge_gradient_problem():
    """Large inputs, weights and targets: every raw gradient is in the thousands."""
    rng = np.random.default_rng(2)
    x = (rng.normal(size=(16, 4)) * 10).astype("float32")
    y = np.full((16, 1), -1e4, "float32")

    def build():
        return keras.Sequential(
            [
                keras.Input((4,)),
                keras.layers.Dense(3, kernel_initializer=keras.initializers.Constant(10.0)),
                keras.layers.Dense(1, kernel_initializer=keras.initializers.Constant(10.0)),
            ]
        )

    probe = build()
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((probe(x) - y) ** 2)
    raw = [g.numpy() for g in tape.gradient(loss, probe.trainable_variables)]
    return build, x, y, raw


@pytest.mark.parametrize("loop", LOOPS)
def test_clipping_bounds_each_norm_the_joint_norm_or_each_value(loop):
    build, x, y, raw = _huge_gradient_problem()
    assert min(np.linalg.norm(g) for g in raw) > 100  # so an unclipped step would be huge
    joint = np.sqrt(sum(np.sum(g**2) for g in raw))
    expected = {
        "clipnorm": [g / np.linalg.norm(g) for g in raw],
        "global_clipnorm": [g / joint for g in raw],
        "clipvalue": [np.clip(g, -0.5, 0.5) for g in raw],
    }
    bounds = {"clipnorm": 1.0, "global_clipnorm": 1.0, "clipvalue": 0.5}
    for option, bound in bounds.items():
        model = build()
        before = weights_of(model)
        # SGD with learning rate 1 and one full batch: the step is minus the clipped gradient.
        model, _ = training.fit(
            model,
            (x, y),
            epochs=1,
            batch_size=16,
            optimizer="sgd",
            learning_rate=1.0,
            terminate_on_nan=False,
            loop=loop,
            **QUIET,
            **{option: bound},
        )
        steps = [b - a for a, b in zip(weights_of(model), before)]
        for step, want in zip(steps, expected[option]):
            np.testing.assert_allclose(step, want, rtol=1e-4, atol=1e-6)
        if option == "clipnorm":
            assert all(np.linalg.norm(s) == pytest.approx(1.0, rel=1e-4) for s in steps)
        if option == "global_clipnorm":
            assert np.sqrt(sum(np.sum(s**2) for s in steps)) == pytest.approx(1.0, rel=1e-4)
        if option == "clipvalue":
            assert model.optimizer.clipnorm is None  # the default clipnorm stepped aside
            assert np.max(np.abs(np.concatenate([s.ravel() for s in steps]))) == pytest.approx(0.5)


def _train_up_validate_down():
    """Training targets 1, validation targets 0: every epoch of learning worsens val_loss."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(32, 4)).astype("float32")
    return (x, np.ones((32, 1), "float32")), (x[:16], np.zeros((16, 1), "float32"))


@pytest.mark.parametrize("loop", LOOPS)
def test_early_stopping_restores_the_best_weights_and_checkpoints_them(loop, tmp_path):
    train, val = _train_up_validate_down()
    model, history = training.fit(
        lambda: dense_net("zeros"),
        train,
        validation_data=val,
        epochs=50,
        batch_size=8,
        optimizer="sgd",
        learning_rate=0.05,
        early_stopping={"patience": 2},
        checkpoint_dir=tmp_path / "ckpt",
        csv_log=tmp_path / "log.csv",
        loop=loop,
    )
    val_losses = history["val_loss"]
    assert len(val_losses) == 3  # best at epoch 1, two epochs of patience, stop
    assert val_losses[2] > 2 * val_losses[0]
    assert model.evaluate(*val, verbose=0) == pytest.approx(val_losses[0], rel=1e-5)
    best = keras.models.load_model(tmp_path / "ckpt" / "best.keras")
    assert best.evaluate(*val, verbose=0) == pytest.approx(val_losses[0], rel=1e-5)
    with open(tmp_path / "log.csv") as f:
        rows = list(csv.DictReader(f))
    assert [float(r["learning_rate"]) for r in rows] == pytest.approx([0.05] * 3)


@pytest.mark.parametrize("loop", LOOPS)
def test_a_diverging_run_stops_and_raises_a_clear_error(loop):
    rng = np.random.default_rng(4)
    x = (rng.normal(size=(64, 4)) * 10).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    # SGD with learning rate 10 on inputs of scale 10 multiplies the error ~1e3 times a step.
    with pytest.raises(
        TrainingDivergedError, match=r"at epoch \d+/100.*lower learning_rate"
    ) as err:
        training.fit(
            dense_net(),
            (x, y),
            epochs=100,
            batch_size=16,
            optimizer="sgd",
            learning_rate=10.0,
            clipnorm=None,
            loop=loop,
            **QUIET,
        )
    assert isinstance(err.value, RuntimeError)
    assert err.value.epoch < 100
    assert len(err.value.history["loss"]) == err.value.epoch  # no epoch ran after it
    assert not np.isfinite(err.value.history["loss"][-1])


def test_verbose_one_prints_one_line_per_epoch_and_zero_prints_nothing(capsys):
    rng = np.random.default_rng(5)
    data = (rng.normal(size=(32, 4)), rng.normal(size=(32, 1)))
    training.fit(dense_net(), data, epochs=2, batch_size=16)
    assert capsys.readouterr().out == ""
    training.fit(dense_net(), data, validation_data=data, epochs=2, batch_size=16, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    for k, line in enumerate(lines, start=1):
        assert line.startswith(f"Epoch {k}/2 - loss: ")
        assert " - val_loss: " in line and " - lr: 0.001 - " in line and line.endswith("s")


# --------------------------------------------------------------------------- the custom loop


def dict_input_net():
    past = keras.Input((5, 3), name="inputs")
    future = keras.Input((2, 1), name="future")
    h = keras.layers.Concatenate()([keras.layers.GRU(4)(past), keras.layers.Flatten()(future)])
    return keras.Model({"inputs": past, "future": future}, keras.layers.Dense(2)(h))


def classifier_net():
    return keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(5, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )


def test_custom_loop_trains_exactly_like_keras_fit():
    rng = np.random.default_rng(6)
    # 40 rows in batches of 16: the last batch is partial, which the custom loop pads.
    x = {"inputs": rng.normal(size=(40, 5, 3)), "future": rng.normal(size=(40, 2, 1))}
    y = rng.normal(size=(40, 2))
    val = ({k: v[:8] for k, v in x.items()}, y[:8])
    build = frozen_start(dict_input_net)
    runs = {
        loop: training.fit(
            build,
            (x, y),
            validation_data=val,
            epochs=2,
            batch_size=16,
            shuffle=False,
            metrics=["mae"],
            learning_rate=1e-2,
            clipnorm=0.1,
            loop=loop,
        )
        for loop in LOOPS
    }
    (k_model, k_hist), (c_model, c_hist) = runs["keras"], runs["custom"]
    assert set(c_hist) == set(k_hist) == {"loss", "mae", "val_loss", "val_mae", "learning_rate"}
    for key in k_hist:
        np.testing.assert_allclose(c_hist[key], k_hist[key], rtol=1e-5)
    for a, b in zip(weights_of(c_model), weights_of(k_model)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert k_hist["loss"][-1] < k_hist["loss"][0]


def test_custom_loop_weights_classes_like_keras_fit():
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(30, 6)), rng.integers(0, 3, size=30)
    build = frozen_start(classifier_net)
    runs = {
        loop: training.fit(
            build,
            (x, y),
            epochs=2,
            batch_size=8,
            shuffle=False,
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
            class_weight={0: 1.0, 1: 3.0, 2: 0.5},
            learning_rate=1e-2,
            loop=loop,
        )
        for loop in LOOPS
    }
    for key in ("loss", "accuracy"):
        np.testing.assert_allclose(runs["custom"][1][key], runs["keras"][1][key], rtol=1e-5)
    for a, b in zip(weights_of(runs["custom"][0]), weights_of(runs["keras"][0])):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_custom_loop_takes_a_batched_dataset():
    rng = np.random.default_rng(8)
    x, y = rng.normal(size=(30, 4)).astype("float32"), rng.normal(size=(30, 1)).astype("float32")
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)  # the last batch holds 6
    build = frozen_start(dense_net)
    _, keras_hist = training.fit(build, ds, validation_data=ds, epochs=2, loop="keras")
    _, custom_hist = training.fit(build, ds, validation_data=ds, epochs=2, loop="custom")
    np.testing.assert_allclose(custom_hist["loss"], keras_hist["loss"], rtol=1e-5)
    np.testing.assert_allclose(custom_hist["val_loss"], keras_hist["val_loss"], rtol=1e-5)
    _, counted = training.fit(
        build,
        ds.repeat(),
        epochs=2,
        steps_per_epoch=3,
        loop="custom",
        lr_schedule="exponential",
        decay_epochs=1,
        optimizer="sgd",
        learning_rate=0.1,
    )
    assert counted["learning_rate"] == pytest.approx([0.1, 0.05], rel=1e-6)


def test_custom_loop_resumes_from_backup_after_an_interruption(tmp_path):
    rng = np.random.default_rng(9)
    data = (rng.normal(size=(32, 5, 3)), rng.normal(size=(32, 1)))
    seen = {}

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                seen["weights"] = weights_of(self.model)
                raise KeyboardInterrupt  # as if the process were stopped here

    class Record(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            seen["restored"] = weights_of(self.model)
            seen["epochs"] = []

        def on_epoch_begin(self, epoch, logs=None):
            seen["epochs"].append(epoch)

    build = frozen_start(gru_net)
    backup = tmp_path / "backup"
    with pytest.raises(KeyboardInterrupt):
        training.fit(
            build,
            data,
            epochs=4,
            batch_size=16,
            backup_dir=backup,
            loop="custom",
            callbacks=[Interrupt()],
        )
    _, history = training.fit(
        build, data, epochs=4, batch_size=16, backup_dir=backup, loop="custom", callbacks=[Record()]
    )
    assert seen["epochs"] == [2, 3]
    assert len(history["loss"]) == 2
    for a, b in zip(seen["restored"], seen["weights"]):
        np.testing.assert_array_equal(a, b)
    assert not backup.exists()  # a finished run removes its backup


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"epochs": 0}, "epochs must be a positive integer"),
        ({"batch_size": -1}, "batch_size must be a positive integer"),
        ({"verbose": 3}, "verbose must be 0, 1 or 2"),
        ({"loop": "fast"}, r"loop must be one of \['auto', 'keras', 'custom'\]"),
        ({"optimizer": "adamm"}, "optimizer must be one of"),
        ({"lr_schedule": "linear"}, "lr_schedule must be"),
        ({"lr_schedule": "exponential"}, "needs decay_steps"),
        (
            {"lr_schedule": "cosine", "decay_steps": 10, "reduce_lr_on_plateau": True},
            "cannot be combined",
        ),
        ({"clipnorm": 1.0, "clipvalue": 1.0}, "Only one of"),
        ({"decay_steps": 5, "decay_epochs": 1, "lr_schedule": "cosine"}, "not both"),
        ({"early_stopping": "yes"}, "early_stopping must be"),
        ({"metrics": "mae"}, "metrics must be a list"),
        ({"steps_per_epoch": 3}, "steps_per_epoch applies to tf.data.Dataset"),
        ({"strategy": "mirrored"}, r"must be a tf.distribute.Strategy"),
        ({"class_weight": {0: -1.0}}, "class_weight must map"),
        ({"data": (np.full((8, 5, 3), np.nan), np.zeros((8, 1)))}, "data x contains NaN"),
        ({"data": (np.zeros((8, 5, 3)), np.zeros((7, 1)))}, r"differ in length: \[7, 8\]"),
        ({"validation_data": [1, 2, 3, 4]}, "validation_data must be an"),
        ({"loop": "custom", "metrics": [keras.metrics.MeanAbsoluteError()]}, "not stateful"),
        ({"optimizer": keras.optimizers.SGD(0.1), "clipvalue": 1.0}, "carries its own"),
    ],
)
def test_fit_refuses_bad_arguments_before_building_the_model(kwargs, match):
    built = []

    def build():
        built.append(1)
        return gru_net()

    data = kwargs.pop("data", (np.zeros((8, 5, 3)), np.zeros((8, 1))))
    with pytest.raises(ValueError, match=match):
        training.fit(build, data, epochs=kwargs.pop("epochs", 2), **kwargs)
    assert built == []


def test_fit_names_a_missing_tensorboard_before_building(monkeypatch, tmp_path):
    monkeypatch.setattr(training.callbacks, "_tensorboard_available", lambda: False)
    built = []
    with pytest.raises(ImportError, match="tensorboard"):
        training.fit(
            lambda: built.append(1) or gru_net(),
            (np.zeros((8, 5, 3)), np.zeros((8, 1))),
            tensorboard_dir=tmp_path,
        )
    assert built == []


def test_non_chief_workers_write_nothing_and_only_read_the_backup(tmp_path):
    class NotChief:
        class extended:  # noqa: N801  (mimics strategy.extended)
            should_checkpoint = False

    callbacks = training.make_callbacks(
        early_stopping=True,
        checkpoint_dir=tmp_path / "ckpt",
        backup_dir=tmp_path / "backup",
        csv_log=tmp_path / "log.csv",
    ) + [training.EpochProgress(3)]
    kept = training.distributed._worker_callbacks(callbacks, NotChief)
    assert [type(c).__name__ for c in kept] == [
        "LearningRateLogger",
        "TerminateOnNaN",
        "_ReadOnlyBackup",
        "EarlyStopping",
    ]
    model = dense_net()
    model.compile("sgd", "mse")
    reader = kept[2]
    reader.set_model(model)
    reader.on_train_begin()
    reader.on_epoch_end(0, {"loss": 1.0})
    reader.on_train_end()
    assert not (tmp_path / "backup").exists()


def test_a_model_built_outside_the_strategy_scope_is_refused():
    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
    with pytest.raises(ValueError, match="outside strategy.scope"):
        training.fit(gru_net(), (np.zeros((8, 5, 3)), np.zeros((8, 1))), strategy=strategy)


def test_set_seed_checks_its_arguments():
    with pytest.raises(ValueError, match="seed must be an integer"):
        training.set_seed(-1)
    with pytest.raises(ValueError, match="seed must be an integer"):
        training.set_seed("0")
    with pytest.raises(ValueError, match="deterministic must be True or False"):
        training.set_seed(0, deterministic="yes")


def test_fit_trains_a_model_from_zoo_build():
    registry = pytest.importorskip("zoo.registry")
    t = np.arange(200, dtype="float32")
    series = np.sin(t / 4)
    x = np.stack([series[i : i + 8] for i in range(180)])[..., None]
    y = series[8:188, None]
    model = registry.build("lstm", input_shape=(8, 1), units=4)
    model, history = training.fit(model, (x, y), epochs=3, batch_size=32, learning_rate=1e-2)
    assert len(history["learning_rate"]) == 3
    assert history["loss"][-1] < history["loss"][0]


# --------------------------------------------------------------------------- subprocess checks


def _load(path):
    with np.load(path) as data:
        return {k: data[k] for k in data.files}


def test_proc_seeded_runs_repeat_exactly_and_two_workers_train_like_one(background):
    results = []
    for name in ("worker0", "worker1"):
        code, log = background.wait(name)
        assert code == 0, log
        results.append(_load(background.tmp / f"{name}.npz"))
    w0, w1 = results
    # Determinism: two fresh processes with set_seed(7) give identical weights and forecasts.
    seeded = [k for k in w0 if k.startswith("seeded_")]
    assert "seeded_forecast" in seeded and len(seeded) == 7
    for key in seeded:
        np.testing.assert_array_equal(w0[key], w1[key], err_msg=key)

    # MultiWorkerMirroredStrategy: two workers, one replica each, in sync with each other and
    # with the same start, data and settings trained here in one process on one device.
    assert int(w0["replicas"]) == 2
    with np.load(background.tmp / "init.npz") as f:
        start = worker.starting_from([f[k] for k in f.files])
    x, y = worker.data()
    model, history = training.fit(
        start,
        (x[:44], y[:44]),  # 3 steps of 16, the last padded on both workers
        validation_data=(x[44:], y[44:]),
        epochs=4,
        batch_size=16,
        shuffle=False,
        learning_rate=1e-2,
    )
    for i, var in enumerate(model.trainable_variables):
        np.testing.assert_array_equal(w0[f"w{i}"], w1[f"w{i}"])
        np.testing.assert_allclose(w0[f"w{i}"], var.numpy(), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(w0["loss"], history["loss"], rtol=1e-4)
    np.testing.assert_allclose(w0["val_loss"], history["val_loss"], rtol=1e-4)
    # Only the chief writes the checkpoint, and it holds the best model; the chief's backup
    # (which the other worker only reads) is gone once training finished.
    assert sorted(p.name for p in (background.tmp / "mw_ckpt").iterdir()) == ["best.keras"]
    best = keras.models.load_model(background.tmp / "mw_ckpt" / "best.keras")
    assert best.evaluate(x[44:], y[44:], verbose=0) == pytest.approx(
        min(history["val_loss"]), rel=1e-4
    )


def test_proc_mirrored_over_two_cpus_matches_one_device(background):
    code, log = background.wait("mirrored")
    assert code == 0, log
    result = _load(background.tmp / "mirrored.npz")
    assert int(result["replicas"]) == 2
    # Gradients far above clipnorm=0.05: clipping is active, and still the two replicas give
    # the one-device result, because the custom loop clips the all-reduced gradient.
    assert result["start_grad_norms"].max() > 4 * 0.05
    # Also the plain run (no clipping), which keras' own fit trains under the strategy.
    singles = [k for k in result if k.startswith("single_")]
    assert len(singles) == 10
    for key in singles:
        np.testing.assert_allclose(
            result["mirrored_" + key[7:]], result[key], rtol=1e-4, atol=1e-6, err_msg=key
        )
    assert result["mirrored_loss"][-1] < result["mirrored_loss"][0]


def test_proc_sigkill_then_resume_at_next_epoch(background):
    directory = background.tmp / "backup"
    code, log = background.wait("backup")
    assert code == -9, log  # the worker SIGKILLs itself at the end of epoch index 1
    assert (directory / "epochs.txt").read_text().split() == ["0", "1"]
    killed = _load(directory / "killed.npz")
    seen = {"epochs": []}

    class Record(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            # Runs after zoo's BackupAndRestore: sees what it restored.
            seen["iterations"] = int(self.model.optimizer.iterations)
            seen["weights"] = weights_of(self.model)

        def on_epoch_begin(self, epoch, logs=None):
            seen["epochs"].append(epoch)

    # Run again (here, in a new process): same settings, same backup directory.
    x, y = worker.data()
    _, history = training.fit(
        worker.net,
        (x, y),
        epochs=5,
        batch_size=16,
        backup_dir=directory / "bk",
        callbacks=[Record()],
    )
    assert seen["epochs"] == [2, 3, 4]
    assert len(history["loss"]) == 3
    assert seen["iterations"] == int(killed["iterations"]) == 2 * 4
    for i, restored in enumerate(seen["weights"]):
        np.testing.assert_array_equal(restored, killed[f"w{i}"])
    assert not (directory / "bk").exists()  # a finished run removes its backup


def test_sample_weights_reach_keras_fit():
    # (x, y, w): rows with weight 0 must not pull the model (model.fit's third positional
    # argument is batch_size, so the weights have to go by keyword)
    x = np.ones((64, 1), "float32")
    y = np.where(np.arange(64) < 32, 1.0, 100.0)[:, None].astype("float32")
    w = np.where(np.arange(64) < 32, 1.0, 0.0).astype("float32")
    net = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, use_bias=False)])
    net, history = training.fit(net, (x, y, w), epochs=60, batch_size=64, learning_rate=0.2,
                                reduce_lr_on_plateau=False, early_stopping=False)
    assert float(net(x[:1])[0, 0]) == pytest.approx(1.0, abs=0.05)


def test_gradient_norm_logger_records_the_raw_norm_before_clipping():
    import tensorflow as tf

    x = np.ones((8, 2), "float32")
    y = np.full((8, 1), 1000.0, "float32")  # a huge error: a gradient norm far above 1
    net = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, kernel_initializer="zeros")])
    logger = training.GradientNormLogger(x, y)
    net, history = training.fit(net, (x, y), epochs=2, batch_size=8, clipnorm=1.0,
                                callbacks=[logger], reduce_lr_on_plateau=False)
    assert len(history["grad_norm"]) == 2
    with tf.GradientTape() as tape:
        loss = keras.losses.mean_squared_error(y, net(x))
        loss = tf.reduce_mean(loss)
    want = float(tf.linalg.global_norm(tape.gradient(loss, net.trainable_variables)))
    assert history["grad_norm"][-1] == pytest.approx(want, rel=1e-4) and want > 100


def test_per_step_sample_weights_are_refused_by_the_custom_loop():
    x = np.zeros((8, 5, 1), "float32")
    y = np.zeros((8, 5), "int32")
    w = np.ones((8, 5), "float32")
    net = keras.Sequential([keras.Input((5, 1)), keras.layers.GRU(2, return_sequences=True),
                            keras.layers.Dense(2, activation="softmax")])
    with pytest.raises(ValueError, match="per-step sample weights"):
        training.fit(net, (x, y, w), epochs=1, loop="custom",
                     loss="sparse_categorical_crossentropy")
