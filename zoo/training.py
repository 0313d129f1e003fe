"""Training: optimizers, clipping, learning-rate schedules, callbacks, seeds, tf.distribute.

One module owns every training choice so that the estimators, the CLI and a user with a bare
``keras.Model`` from :func:`zoo.build` all train the same way:

* :func:`make_optimizer` -- a Keras optimizer with an optional exponential or cosine schedule
  and at most one kind of gradient clipping.
* :func:`make_callbacks` -- plateau schedule, early stopping, checkpoints, backup-and-restore,
  NaN guard, CSV log and TensorBoard, each ``True`` for defaults or a dict of keywords.
* :func:`resolve_options` -- turns the ``"auto"`` defaults into concrete choices and refuses
  combinations that Keras would only reject half-way through training.
* :func:`set_seed` -- repeatable training (same weights in a fresh process).
* :func:`fit` -- compiles and trains, inside ``strategy.scope()`` when a
  ``tf.distribute.Strategy`` is given, and records the learning rate of every epoch.

Which loop trains: ``model.fit`` by default. A custom loop (``strategy.run`` and
``strategy.reduce``) takes over under ``MultiWorkerMirroredStrategy``, where Keras 3's own
``fit`` fails (keras-team/keras#20585), and whenever several replicas train with gradient
clipping, because Keras clips each replica's share of the gradient before summing them (two
replicas with ``clipnorm=1`` can step by a norm of 2). The custom loop all-reduces the
gradients first and clips the sum, so clipping means the same thing on one device or many.

Callbacks in the custom loop: it drives a ``keras.callbacks.CallbackList`` through
``on_train_begin/end``, ``on_epoch_begin/end`` and ``on_train_batch_begin/end``, so every
callback built from those hooks and ``self.model`` applies: ``TerminateOnNaN``,
``EarlyStopping`` (with best-weight restore), ``ReduceLROnPlateau``, ``ModelCheckpoint``,
``BackupAndRestore`` (resume at the next epoch), ``CSVLogger``, ``LearningRateScheduler``,
``LambdaCallback``. The ``on_test_*``/``on_predict_*`` hooks are not called and Keras' progress
bar is replaced by a one-line-per-epoch printer. Metrics must be names or plain functions
(``"mae"``, ``"accuracy"``, ...), not stateful ``keras.metrics.Metric`` objects. On a
multi-worker cluster only the chief writes checkpoints, CSV logs and TensorBoard events; the
other workers read the chief's backup (a shared file system, as tf.distribute assumes) and
every stop decision uses globally reduced losses so that all workers stop together.
"""

from __future__ import annotations

import contextlib
import importlib.util
import math
import numbers
import os
import time

import keras
import numpy as np
import tensorflow as tf

__all__ = [
    "AUTO_CLIPNORM",
    "EARLY_STOPPING_DEFAULTS",
    "LR_SCHEDULES",
    "OPTIMIZERS",
    "PLATEAU_DEFAULTS",
    "EpochProgress",
    "LearningRateLogger",
    "TerminateOnNaN",
    "TrainingDivergedError",
    "fit",
    "make_callbacks",
    "make_optimizer",
    "resolve_options",
    "set_seed",
]

OPTIMIZERS = {
    "adam": keras.optimizers.Adam,
    "adamw": keras.optimizers.AdamW,
    "sgd": keras.optimizers.SGD,
    "rmsprop": keras.optimizers.RMSprop,
    "nadam": keras.optimizers.Nadam,
    "adamax": keras.optimizers.Adamax,
    "adagrad": keras.optimizers.Adagrad,
    "adadelta": keras.optimizers.Adadelta,
    "lion": keras.optimizers.Lion,
    "ftrl": keras.optimizers.Ftrl,
}
LR_SCHEDULES = ("exponential", "cosine")

# Halving after 5 flat epochs leaves room for several reductions before the default early stop.
PLATEAU_DEFAULTS = {"factor": 0.5, "patience": 5, "min_lr": 1e-5}
EARLY_STOPPING_DEFAULTS = {"patience": 20, "restore_best_weights": True}
AUTO_CLIPNORM = 1.0
# "auto" counts patience in optimizer steps too: on small data (a couple of steps per epoch)
# 5 or 20 epochs are a few dozen updates, and the validation loss of a forecaster often
# stays flat that long before the seasonal shape is learnt. Chosen on an inner split of
# Airline's training years (see benchmarks/RESULTS.md); on data with >= 40 steps per epoch
# the epoch counts above decide alone.
PLATEAU_MIN_STEPS = 40
EARLY_STOPPING_MIN_STEPS = 200

_SWITCH_VALUES = "'auto', True, False, None or a dict of keyword arguments"
_LOOPS = ("auto", "keras", "custom")


class TrainingDivergedError(RuntimeError):
    """Raised by :func:`fit` when training stopped because the loss became NaN or infinite.

    Attributes:
        epoch: 1-based epoch in which the loss diverged.
        batch: 0-based batch within that epoch.
        history: the history dict up to and including that epoch.
    """

    def __init__(self, message, *, epoch=None, batch=None, history=None):
        super().__init__(message)
        self.epoch = epoch
        self.batch = batch
        self.history = history


# --------------------------------------------------------------------------- argument checks


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _positive(name, value, *, integer=False, allow_none=True):
    if value is None:
        if allow_none:
            return None
        raise ValueError(f"{name} is required; got None.")
    kind = "a positive integer" if integer else "a positive number"
    if integer:
        ok = isinstance(value, numbers.Integral) and not isinstance(value, bool) and value > 0
    else:
        ok = _is_number(value) and math.isfinite(value) and value > 0
    if not ok:
        raise ValueError(f"{name} must be {kind}; got {value!r}.")
    return int(value) if integer else float(value)


def _switch(name, value):
    """Checks an on/off option: 'auto', True, False, None or a dict of keywords."""
    if value is None or value is False or value is True or value == "auto":
        return value
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise ValueError(f"{name}: the dict's keys must be keyword names; got {value!r}.")
        return value
    raise ValueError(f"{name} must be {_SWITCH_VALUES}; got {value!r}.")


def _check_schedule_name(lr_schedule):
    if lr_schedule is None or isinstance(
        lr_schedule, keras.optimizers.schedules.LearningRateSchedule
    ):
        return lr_schedule
    if isinstance(lr_schedule, str) and lr_schedule.lower() in LR_SCHEDULES:
        return lr_schedule.lower()
    raise ValueError(
        f"lr_schedule must be None, one of {list(LR_SCHEDULES)} or a "
        f"keras.optimizers.schedules.LearningRateSchedule; got {lr_schedule!r}."
    )


def _check_clipping(clipnorm, clipvalue, global_clipnorm):
    """Validates the three clipping options; only one may be set (none of them 'auto')."""
    values = {
        "clipnorm": _positive("clipnorm", clipnorm),
        "clipvalue": _positive("clipvalue", clipvalue),
        "global_clipnorm": _positive("global_clipnorm", global_clipnorm),
    }
    chosen = {k: v for k, v in values.items() if v is not None}
    if len(chosen) > 1:
        raise ValueError(
            "Only one of clipnorm, clipvalue and global_clipnorm may be set; got "
            + ", ".join(f"{k}={v}" for k, v in chosen.items())
            + ". clipnorm bounds the norm of each weight's gradient, clipvalue each gradient "
            "element, global_clipnorm the joint norm of all gradients: pick the one you mean."
        )
    return values


# --------------------------------------------------------------------------- seeds


def set_seed(seed: int, deterministic: bool = True) -> None:
    """Seeds Python, NumPy, TensorFlow and Keras; optionally makes TF ops deterministic.

    Two trainings that call ``set_seed`` with the same seed in fresh processes then give
    identical weights and forecasts. ``deterministic=True`` turns on TensorFlow's op
    determinism for the rest of the process (it cannot be switched off again and makes a few
    GPU ops slower).

    Args:
        seed: a non-negative integer below 2**32.
        deterministic: also call ``tf.config.experimental.enable_op_determinism()``.

    Example:
        >>> from zoo.training import set_seed
        >>> set_seed(0)
    """
    if not (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)) or not (
        0 <= seed < 2**32
    ):
        raise ValueError(f"seed must be an integer in [0, 2**32); got {seed!r}.")
    if not isinstance(deterministic, bool):
        raise ValueError(f"deterministic must be True or False; got {deterministic!r}.")
    keras.utils.set_random_seed(int(seed))
    if deterministic:
        tf.config.experimental.enable_op_determinism()


# --------------------------------------------------------------------------- optimizer


def _learning_rate(learning_rate, lr_schedule, decay_steps, decay_rate, staircase, alpha):
    lr_schedule = _check_schedule_name(lr_schedule)
    if not isinstance(staircase, bool):
        raise ValueError(f"staircase must be True or False; got {staircase!r}.")
    if not (_is_number(alpha) and 0.0 <= alpha <= 1.0):
        raise ValueError(f"alpha must be a number in [0, 1]; got {alpha!r}.")
    if not isinstance(lr_schedule, keras.optimizers.schedules.LearningRateSchedule):
        learning_rate = _positive("learning_rate", learning_rate, allow_none=False)
    decay_steps = _positive("decay_steps", decay_steps, integer=True)
    if decay_rate is not None and not (_is_number(decay_rate) and 0 < decay_rate <= 1):
        raise ValueError(
            f"decay_rate must be in (0, 1] (the factor applied to the learning rate every "
            f"decay_steps optimizer steps); got {decay_rate!r}."
        )
    if lr_schedule != "exponential" and (decay_rate is not None or staircase):
        raise ValueError(
            "decay_rate and staircase apply to lr_schedule='exponential' only; got "
            f"lr_schedule={lr_schedule!r}, decay_rate={decay_rate!r}, staircase={staircase!r}."
        )
    if lr_schedule != "cosine" and alpha != 0.0:
        raise ValueError(f"alpha applies to lr_schedule='cosine' only; got {lr_schedule!r}.")
    if lr_schedule is None or not isinstance(lr_schedule, str):
        if decay_steps is not None:
            raise ValueError(
                "decay_steps needs lr_schedule='exponential' or 'cosine'; got "
                f"lr_schedule={lr_schedule!r}."
            )
        return learning_rate if lr_schedule is None else lr_schedule
    if decay_steps is None:
        raise ValueError(
            f"lr_schedule={lr_schedule!r} needs decay_steps (optimizer steps; the estimators "
            "also accept decay_epochs)."
        )
    if lr_schedule == "exponential":
        return keras.optimizers.schedules.ExponentialDecay(
            initial_learning_rate=learning_rate,
            decay_steps=decay_steps,
            decay_rate=0.5 if decay_rate is None else float(decay_rate),
            staircase=staircase,
        )
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=learning_rate, decay_steps=decay_steps, alpha=float(alpha)
    )


def make_optimizer(
    name="adam",
    learning_rate=1e-3,
    *,
    lr_schedule=None,
    decay_steps=None,
    decay_rate=None,
    staircase=False,
    alpha=0.0,
    clipnorm=None,
    clipvalue=None,
    global_clipnorm=None,
    **optimizer_kwargs,
) -> keras.optimizers.Optimizer:
    """Builds a Keras optimizer with an optional learning-rate schedule and clipping.

    Args:
        name: one of ``OPTIMIZERS`` (case-insensitive), or a ready
            ``keras.optimizers.Optimizer`` returned as is (no other option may then be set).
        learning_rate: the (initial) learning rate, a positive number. Ignored when
            ``lr_schedule`` is a ``LearningRateSchedule``.
        lr_schedule: ``None`` (constant), ``"exponential"``
            (``learning_rate * decay_rate ** (step / decay_steps)``), ``"cosine"``
            (cosine decay to ``alpha * learning_rate`` over ``decay_steps``) or any
            ``keras.optimizers.schedules.LearningRateSchedule``.
        decay_steps: optimizer steps (batches, not epochs) of the schedule; required by
            ``"exponential"`` and ``"cosine"``.
        decay_rate: factor per ``decay_steps`` for ``"exponential"``, in (0, 1]; default 0.5.
        staircase: ``"exponential"`` only: decay in whole steps of ``decay_steps``.
        alpha: ``"cosine"`` only: the final learning rate as a fraction of the initial one.
        clipnorm: bound on the norm of each weight's gradient.
        clipvalue: bound on the absolute value of each gradient element.
        global_clipnorm: bound on the joint norm of all gradients.
        **optimizer_kwargs: passed on to the optimizer class (e.g. ``weight_decay``).

    Returns:
        A ``keras.optimizers.Optimizer``.

    Raises:
        ValueError: unknown name or schedule, more than one clipping option, a schedule
            without ``decay_steps``, non-positive rates or steps, unknown optimizer keywords.

    Example:
        >>> from zoo.training import make_optimizer
        >>> opt = make_optimizer("adam", 1e-2, lr_schedule="exponential", decay_steps=100,
        ...                      decay_rate=0.5, clipnorm=1.0)
        >>> round(float(opt.learning_rate), 6)
        0.01
    """
    if isinstance(name, keras.optimizers.Optimizer):
        rivals = {
            "lr_schedule": lr_schedule,
            "decay_steps": decay_steps,
            "decay_rate": decay_rate,
            "clipnorm": clipnorm,
            "clipvalue": clipvalue,
            "global_clipnorm": global_clipnorm,
        }
        rivals = {k: v for k, v in rivals.items() if v is not None}
        if rivals or optimizer_kwargs or staircase:
            raise ValueError(
                "An optimizer instance carries its own learning rate and clipping; pass the "
                f"optimizer by name to use {sorted(rivals) + sorted(optimizer_kwargs)}."
            )
        return name
    if not isinstance(name, str) or name.lower() not in OPTIMIZERS:
        raise ValueError(
            f"optimizer must be one of {sorted(OPTIMIZERS)} or a keras.optimizers.Optimizer; "
            f"got {name!r}."
        )
    lr = _learning_rate(learning_rate, lr_schedule, decay_steps, decay_rate, staircase, alpha)
    clipping = _check_clipping(clipnorm, clipvalue, global_clipnorm)
    cls = OPTIMIZERS[name.lower()]
    try:
        return cls(learning_rate=lr, **clipping, **optimizer_kwargs)
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"optimizer_kwargs {sorted(optimizer_kwargs)} are not accepted by {cls.__name__}: {err}"
        ) from err


# --------------------------------------------------------------------------- callbacks


class TerminateOnNaN(keras.callbacks.TerminateOnNaN):
    """Keras' ``TerminateOnNaN``, quiet, remembering where the loss went NaN or infinite.

    After training, ``diverged`` is ``None`` or a ``(epoch, batch, loss)`` tuple (0-based
    epoch and batch); :func:`fit` turns it into a :class:`TrainingDivergedError`.

    Example:
        >>> from zoo.training import TerminateOnNaN
        >>> TerminateOnNaN().diverged is None
        True
    """

    def __init__(self):
        super().__init__(raise_error=False)
        self.diverged = None
        self._epoch = 0

    def on_train_begin(self, logs=None):
        self.diverged = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not np.isfinite(loss):
            self.diverged = (self._epoch, batch, float(loss))
            self.model.stop_training = True


def _current_lr(optimizer):
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))


class LearningRateLogger(keras.callbacks.Callback):
    """Adds ``learning_rate`` (the rate in effect when the epoch began) to each epoch's logs.

    Keras only logs the learning rate when ``ReduceLROnPlateau`` is active; this puts it in
    the history of every run so that ``zoo.plotting.plot_history`` can draw it.

    Example:
        >>> from zoo.training import LearningRateLogger
        >>> isinstance(LearningRateLogger(), keras.callbacks.Callback)
        True
    """

    def __init__(self):
        super().__init__()
        self._lr = None

    def on_epoch_begin(self, epoch, logs=None):
        self._lr = _current_lr(self.model.optimizer)

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = (
                self._lr if self._lr is not None else _current_lr(self.model.optimizer)
            )


class EpochProgress(keras.callbacks.Callback):
    """Prints one line per epoch: epoch k/N, loss, validation loss, learning rate, seconds.

    Example:
        >>> from zoo.training import EpochProgress
        >>> EpochProgress(epochs=3).epochs
        3
    """

    def __init__(self, epochs, print_fn=print):
        super().__init__()
        self.epochs = epochs
        self._print = print_fn
        self._start = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        parts = [f"Epoch {epoch + 1}/{self.epochs}"]
        lr = logs.pop("learning_rate", None)
        for key in sorted(logs, key=lambda k: (k.startswith("val_"), k != "loss", k)):
            value = logs[key]
            if _is_number(value):
                parts.append(f"{key}: {value:.4g}")
        if lr is not None:
            parts.append(f"lr: {lr:.3g}")
        seconds = time.perf_counter() - (self._start or time.perf_counter())
        parts.append(f"{seconds:.1f}s")
        self._print(" - ".join(parts), flush=True)


def _tensorboard_available():
    return importlib.util.find_spec("tensorboard") is not None


def _path(name, value):
    if not isinstance(value, (str, os.PathLike)) or not os.fspath(value):
        raise ValueError(f"{name} must be a path (str or os.PathLike); got {value!r}.")
    return os.fspath(value)


def _options(name, value, defaults, monitor):
    """True -> defaults; dict -> defaults updated by it; None/False -> None."""
    value = _switch(name, value)
    if value == "auto":
        raise ValueError(
            f"{name}='auto' is resolved by resolve_options() or fit(); make_callbacks takes "
            "True, False, None or a dict."
        )
    if value is None or value is False:
        return None
    options = {"monitor": monitor, **defaults}
    if isinstance(value, dict):
        options.update(value)
    return options


def make_callbacks(
    *,
    reduce_lr_on_plateau=None,
    early_stopping=None,
    checkpoint_dir=None,
    backup_dir=None,
    terminate_on_nan=True,
    csv_log=None,
    tensorboard_dir=None,
    monitor="val_loss",
    log_learning_rate=True,
) -> list:
    """Builds the training callbacks, in the order they must run.

    Args:
        reduce_lr_on_plateau: ``True`` for ``PLATEAU_DEFAULTS`` (halve after 5 flat epochs,
            down to 1e-5), a dict of ``ReduceLROnPlateau`` keywords, or ``None``/``False``.
        early_stopping: ``True`` for ``EARLY_STOPPING_DEFAULTS`` (patience 20, restore the
            best weights), a dict of ``EarlyStopping`` keywords, or ``None``/``False``.
        checkpoint_dir: directory where the best model so far is saved as ``best.keras``.
        backup_dir: directory for ``BackupAndRestore``: a run killed after epoch k resumes at
            epoch k+1 when started again with the same directory.
        terminate_on_nan: stop when the loss becomes NaN or infinite (:class:`TerminateOnNaN`).
        csv_log: path of a CSV file with one row of logs per epoch.
        tensorboard_dir: TensorBoard log directory; needs the ``tensorboard`` extra.
        monitor: quantity watched by the plateau, early-stopping and checkpoint callbacks.
        log_learning_rate: add ``learning_rate`` to every epoch's logs.

    Returns:
        A list of ``keras.callbacks.Callback``.

    Raises:
        ValueError: an option of the wrong kind.
        ImportError: ``tensorboard_dir`` without tensorboard installed.

    Example:
        >>> from zoo.training import make_callbacks
        >>> cbs = make_callbacks(early_stopping={"patience": 3}, monitor="loss")
        >>> [type(c).__name__ for c in cbs]
        ['LearningRateLogger', 'TerminateOnNaN', 'EarlyStopping']
    """
    if not isinstance(monitor, str) or not monitor:
        raise ValueError(f"monitor must be a metric name such as 'val_loss'; got {monitor!r}.")
    for name, value in (
        ("terminate_on_nan", terminate_on_nan),
        ("log_learning_rate", log_learning_rate),
    ):
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be True or False; got {value!r}.")
    plateau = _options("reduce_lr_on_plateau", reduce_lr_on_plateau, PLATEAU_DEFAULTS, monitor)
    stopping = _options("early_stopping", early_stopping, EARLY_STOPPING_DEFAULTS, monitor)
    checkpoint_dir = None if checkpoint_dir is None else _path("checkpoint_dir", checkpoint_dir)
    backup_dir = None if backup_dir is None else _path("backup_dir", backup_dir)
    csv_log = None if csv_log is None else _path("csv_log", csv_log)
    tensorboard_dir = None if tensorboard_dir is None else _path("tensorboard_dir", tensorboard_dir)
    if tensorboard_dir is not None and not _tensorboard_available():
        raise ImportError(
            "tensorboard_dir needs TensorBoard, which TensorFlow 2.21 no longer installs: "
            "pip install 'zoo-ts[tensorboard]' (or pip install tensorboard)."
        )

    callbacks = []
    if log_learning_rate:
        callbacks.append(LearningRateLogger())
    if terminate_on_nan:
        callbacks.append(TerminateOnNaN())
    if backup_dir is not None:
        # A second copy survives a kill in the middle of writing the first.
        callbacks.append(keras.callbacks.BackupAndRestore(backup_dir, double_checkpoint=True))
    try:
        if plateau is not None:
            callbacks.append(keras.callbacks.ReduceLROnPlateau(**plateau))
        if stopping is not None:
            callbacks.append(keras.callbacks.EarlyStopping(**stopping))
    except TypeError as err:
        raise ValueError(f"reduce_lr_on_plateau / early_stopping: {err}") from err
    if checkpoint_dir is not None:
        os.makedirs(checkpoint_dir, exist_ok=True)
        callbacks.append(
            keras.callbacks.ModelCheckpoint(
                os.path.join(checkpoint_dir, "best.keras"), monitor=monitor, save_best_only=True
            )
        )
    if csv_log is not None:
        parent = os.path.dirname(os.path.abspath(csv_log))
        os.makedirs(parent, exist_ok=True)
        # A resumed run continues the same log instead of overwriting it.
        callbacks.append(keras.callbacks.CSVLogger(csv_log, append=backup_dir is not None))
    if tensorboard_dir is not None:
        callbacks.append(keras.callbacks.TensorBoard(log_dir=tensorboard_dir))
    return callbacks


def resolve_options(
    *,
    lr_schedule=None,
    reduce_lr_on_plateau="auto",
    early_stopping="auto",
    clipnorm="auto",
    clipvalue=None,
    global_clipnorm=None,
    has_validation=False,
    steps_per_epoch=None,
) -> dict:
    """Resolves the ``"auto"`` defaults and refuses rival choices before training.

    ``"auto"`` means "on unless the user chose a rival": the plateau schedule steps aside for
    a learning-rate schedule, ``clipnorm=1.0`` for a user's clipvalue or global_clipnorm,
    and early stopping needs validation data. Options set by the user never step aside:
    rivals raise ``ValueError`` instead.

    Args:
        lr_schedule: as in :func:`make_optimizer`.
        reduce_lr_on_plateau: ``"auto"``, ``True``, ``False``, ``None`` or a dict.
        early_stopping: ``"auto"``, ``True``, ``False``, ``None`` or a dict.
        clipnorm: ``"auto"``, ``None`` or a positive number.
        clipvalue: ``None`` or a positive number.
        global_clipnorm: ``None`` or a positive number.
        has_validation: whether validation data will be given.
        steps_per_epoch: optimizer steps per epoch, or None. With it, a callback that is on
            because of ``"auto"`` waits at least ``PLATEAU_MIN_STEPS`` /
            ``EARLY_STOPPING_MIN_STEPS`` optimizer steps (rounded up to epochs) before it
            fires; ``True`` and dicts keep their patience in epochs as given.

    Returns:
        A dict with ``reduce_lr_on_plateau`` and ``early_stopping`` (``None`` or a dict of
        callback keywords), ``clipnorm``, ``clipvalue``, ``global_clipnorm`` (numbers or
        ``None``) and ``monitor`` (``"val_loss"`` with validation data, else ``"loss"``).

    Example:
        >>> from zoo.training import resolve_options
        >>> opts = resolve_options(lr_schedule="cosine", has_validation=True)
        >>> opts["reduce_lr_on_plateau"] is None, opts["clipnorm"], opts["monitor"]
        (True, 1.0, 'val_loss')
    """
    lr_schedule = _check_schedule_name(lr_schedule)
    plateau = _switch("reduce_lr_on_plateau", reduce_lr_on_plateau)
    stopping = _switch("early_stopping", early_stopping)
    if not isinstance(has_validation, bool):
        raise ValueError(f"has_validation must be True or False; got {has_validation!r}.")
    if not (clipnorm is None or clipnorm == "auto" or _is_number(clipnorm)):
        raise ValueError(f"clipnorm must be 'auto', None or a positive number; got {clipnorm!r}.")
    user_clipnorm = None if clipnorm == "auto" else clipnorm
    clipping = _check_clipping(user_clipnorm, clipvalue, global_clipnorm)
    if clipnorm == "auto" and clipvalue is None and global_clipnorm is None:
        clipping["clipnorm"] = AUTO_CLIPNORM

    monitor = "val_loss" if has_validation else "loss"
    if steps_per_epoch is not None:
        steps_per_epoch = _positive("steps_per_epoch", steps_per_epoch, integer=True)
    plateau_auto, stopping_auto = plateau == "auto", stopping == "auto"
    if plateau == "auto":
        plateau = lr_schedule is None
    elif plateau is not None and plateau is not False and lr_schedule is not None:
        raise ValueError(
            f"reduce_lr_on_plateau={reduce_lr_on_plateau!r} cannot be combined with "
            f"lr_schedule={lr_schedule!r}: the plateau callback sets the learning rate "
            "directly, which a schedule does not allow (Keras fails with a TypeError the "
            "first time the plateau fires, mid-training). Keep one: pass "
            "reduce_lr_on_plateau=False or lr_schedule=None."
        )
    if stopping == "auto":
        stopping = has_validation

    def options(value, defaults, auto, min_steps):
        if value is None or value is False:
            return None
        merged = {"monitor": monitor, **defaults}
        if isinstance(value, dict):
            merged.update(value)
        if auto and steps_per_epoch:
            merged["patience"] = max(merged["patience"], math.ceil(min_steps / steps_per_epoch))
        return merged

    return {
        "reduce_lr_on_plateau": options(plateau, PLATEAU_DEFAULTS, plateau_auto,
                                        PLATEAU_MIN_STEPS),
        "early_stopping": options(stopping, EARLY_STOPPING_DEFAULTS, stopping_auto,
                                  EARLY_STOPPING_MIN_STEPS),
        **clipping,
        "monitor": monitor,
    }


# --------------------------------------------------------------------------- data


class _Data:
    """Training or validation data: arrays (x may be a dict) or a batched tf.data.Dataset."""

    def __init__(self, name, value):
        self.name = name
        self.dataset = None
        if isinstance(value, tf.data.Dataset):
            self.dataset = value
            self.n = None
            return
        if not isinstance(value, (tuple, list)) or len(value) not in (2, 3):
            raise ValueError(
                f"{name} must be an (x, y) or (x, y, sample_weight) tuple of arrays, or a "
                f"batched tf.data.Dataset; got {type(value).__name__}."
            )
        x, y = value[0], value[1]
        if isinstance(x, dict):
            if not x:
                raise ValueError(f"{name}: the input dict is empty.")
            self.x = {str(k): self._array(f"{name} x[{k!r}]", v) for k, v in x.items()}
        else:
            self.x = self._array(f"{name} x", x)
        self.y = self._array(f"{name} y", y)
        self.w = None if len(value) == 2 or value[2] is None else np.asarray(value[2], "float32")
        lengths = {len(a) for a in tf.nest.flatten(self.x)} | {len(self.y)}
        if self.w is not None:
            lengths.add(len(self.w))
        if len(lengths) != 1:
            raise ValueError(
                f"{name}: x, y (and sample_weight) differ in length: {sorted(lengths)}."
            )
        self.n = lengths.pop()
        if self.n == 0:
            raise ValueError(f"{name} is empty.")

    @staticmethod
    def _array(name, value):
        array = np.asarray(value)
        if array.ndim == 0:
            raise ValueError(f"{name} must be an array with a sample axis; got a scalar.")
        if array.dtype.kind == "f":
            # Keras computes in float32 anyway; converting once avoids a copy per batch.
            array = array.astype("float32", copy=False)
            if not np.isfinite(array).all():
                raise ValueError(f"{name} contains NaN or infinite values.")
        elif array.dtype.kind not in "iub":
            raise ValueError(f"{name} must be numeric; got dtype {array.dtype}.")
        return array

    def keras_args(self):
        if self.dataset is not None:
            return (self.dataset,)
        return (self.x, self.y) if self.w is None else (self.x, self.y, self.w)

    def steps(self, batch_size, steps_per_epoch, required=True):
        """Optimizer steps per epoch (to convert decay_epochs, and for "auto" patience).

        A dataset of unknown length without ``steps_per_epoch`` raises when the count is
        ``required``, else gives None.
        """
        if self.dataset is None:
            return math.ceil(self.n / batch_size)
        if steps_per_epoch is not None:
            return steps_per_epoch
        cardinality = int(self.dataset.cardinality())
        if cardinality <= 0:
            if not required:
                return None
            raise ValueError(
                f"{self.name} is a tf.data.Dataset of unknown or infinite length: pass "
                "steps_per_epoch."
            )
        return cardinality


# --------------------------------------------------------------------------- fit


def _class_weight_vector(class_weight, y):
    """Per-sample weights from a {class: weight} dict (sparse labels or one-hot)."""
    labels = y.argmax(axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y), -1)[:, 0]
    labels = labels.astype("int64")
    unknown = set(np.unique(labels).tolist()) - set(class_weight)
    if unknown:
        raise ValueError(f"class_weight has no weight for classes {sorted(unknown)}.")
    table = np.zeros(max(class_weight) + 1, "float32")
    for k, v in class_weight.items():
        table[k] = v
    return table[labels]


def _is_multi_worker(strategy):
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)


def _check_model(model, strategy):
    if isinstance(model, keras.Model):
        if strategy is not None:
            variables = model.weights
            if variables and not strategy.extended.variable_created_in_scope(variables[0].value):
                raise ValueError(
                    "model was built outside strategy.scope(): pass a zero-argument callable "
                    "that builds it (e.g. lambda: zoo.build(...)) so fit builds it inside the "
                    "scope, or build it under `with strategy.scope():` yourself."
                )
        return
    if not callable(model):
        raise ValueError(
            f"model must be a keras.Model or a zero-argument callable returning one; got "
            f"{type(model).__name__}."
        )


def fit(
    model,
    data,
    *,
    validation_data=None,
    epochs=100,
    batch_size=32,
    loss="mse",
    metrics=None,
    optimizer="adam",
    learning_rate=1e-3,
    lr_schedule=None,
    decay_steps=None,
    decay_epochs=None,
    decay_rate=None,
    staircase=False,
    alpha=0.0,
    clipnorm="auto",
    clipvalue=None,
    global_clipnorm=None,
    reduce_lr_on_plateau="auto",
    early_stopping="auto",
    checkpoint_dir=None,
    backup_dir=None,
    terminate_on_nan=True,
    csv_log=None,
    tensorboard_dir=None,
    callbacks=None,
    class_weight=None,
    strategy=None,
    shuffle=True,
    verbose=0,
    steps_per_epoch=None,
    loop="auto",
    optimizer_kwargs=None,
):
    """Compiles and trains a Keras model with zoo's optimizer, clipping, schedule and callbacks.

    Every argument is checked before the model is built, compiled or trained.

    Args:
        model: a ``keras.Model``, or a zero-argument callable returning one (so that it is
            built inside ``strategy.scope()``).
        data: ``(x, y)`` or ``(x, y, sample_weight)`` with x an array or a dict of arrays
            (e.g. ``{"inputs": ..., "future": ...}``), or a batched ``tf.data.Dataset``.
        validation_data: same forms as ``data``, or ``None``.
        epochs: number of epochs.
        batch_size: global batch size for array data (split across replicas).
        loss: a Keras loss name, function or ``keras.losses.Loss``.
        metrics: list of metric names or functions.
        optimizer: name in ``OPTIMIZERS`` or a ``keras.optimizers.Optimizer``.
        learning_rate, lr_schedule, decay_steps, decay_rate, staircase, alpha: see
            :func:`make_optimizer`.
        decay_epochs: schedule period in epochs, converted to ``decay_steps`` with the steps
            per epoch (``ceil(n / batch_size)``, or the dataset's length/``steps_per_epoch``).
        clipnorm: ``"auto"`` (1.0 unless clipvalue or global_clipnorm is set), ``None`` or a
            number; clipvalue, global_clipnorm: ``None`` or a number.
        reduce_lr_on_plateau, early_stopping: ``"auto"``, ``True``, ``False``/``None`` or a dict
            (see :func:`resolve_options`).
        checkpoint_dir, backup_dir, terminate_on_nan, csv_log, tensorboard_dir: see
            :func:`make_callbacks`.
        callbacks: extra ``keras.callbacks.Callback`` objects, run after zoo's own.
        class_weight: ``{class: weight}`` for classification.
        strategy: a ``tf.distribute.Strategy`` or ``None``.
        shuffle: shuffle array data every epoch.
        verbose: 0 quiet, 1 one line per epoch, 2 Keras' own per-epoch output.
        steps_per_epoch: steps per epoch for ``tf.data.Dataset`` input.
        loop: ``"auto"``, ``"keras"`` (``model.fit``) or ``"custom"`` (``strategy.run``).
        optimizer_kwargs: extra keywords for the optimizer class.

    Returns:
        ``(model, history)``: the trained model and a dict mapping ``loss``, ``val_loss``,
        metrics and ``learning_rate`` to one value per epoch run.

    Raises:
        ValueError: a bad argument, or rival options set together.
        TrainingDivergedError: training stopped because the loss became NaN or infinite.

    Example:
        >>> import numpy as np, keras
        >>> from zoo.training import fit
        >>> x, y = np.random.rand(32, 5, 3), np.random.rand(32, 1)
        >>> net = keras.Sequential([keras.Input((5, 3)), keras.layers.GRU(4), keras.layers.Dense(1)])
        >>> net, history = fit(net, (x, y), epochs=2, batch_size=16)
        >>> sorted(history)
        ['learning_rate', 'loss']
    """
    # ---- check everything before anything is built
    epochs = _positive("epochs", epochs, integer=True, allow_none=False)
    batch_size = _positive("batch_size", batch_size, integer=True, allow_none=False)
    steps_per_epoch = _positive("steps_per_epoch", steps_per_epoch, integer=True)
    if verbose not in (0, 1, 2) or isinstance(verbose, bool):
        raise ValueError(f"verbose must be 0, 1 or 2; got {verbose!r}.")
    if loop not in _LOOPS:
        raise ValueError(f"loop must be one of {list(_LOOPS)}; got {loop!r}.")
    if not isinstance(shuffle, bool):
        raise ValueError(f"shuffle must be True or False; got {shuffle!r}.")
    if strategy is not None:
        if not isinstance(strategy, tf.distribute.Strategy):
            raise ValueError(
                f"strategy (distribute_strategy) must be a tf.distribute.Strategy or None; got "
                f"{type(strategy).__name__}."
            )
        if isinstance(strategy, tf.distribute.experimental.ParameterServerStrategy):
            raise ValueError(
                "ParameterServerStrategy is not supported; use MirroredStrategy, "
                "MultiWorkerMirroredStrategy, TPUStrategy or OneDeviceStrategy."
            )
    _check_model(model, strategy)
    callbacks = list(callbacks or [])
    for cb in callbacks:
        if not isinstance(cb, keras.callbacks.Callback):
            raise ValueError(f"callbacks must be keras.callbacks.Callback objects; got {cb!r}.")
    if optimizer_kwargs is not None and not isinstance(optimizer_kwargs, dict):
        raise ValueError(f"optimizer_kwargs must be a dict or None; got {optimizer_kwargs!r}.")
    optimizer_kwargs = dict(optimizer_kwargs or {})
    if metrics is not None and not isinstance(metrics, (list, tuple)):
        raise ValueError(f"metrics must be a list of metric names or functions; got {metrics!r}.")
    if class_weight is not None and (
        not isinstance(class_weight, dict)
        or not all(
            isinstance(k, numbers.Integral) and k >= 0 and _is_number(v) and v >= 0
            for k, v in class_weight.items()
        )
    ):
        raise ValueError(
            f"class_weight must map class indices (int >= 0) to weights >= 0; got {class_weight!r}."
        )

    train = _Data("data", data)
    val = None if validation_data is None else _Data("validation_data", validation_data)
    if train.dataset is None and steps_per_epoch is not None:
        raise ValueError(
            "steps_per_epoch applies to tf.data.Dataset input; with arrays an epoch is "
            "ceil(n / batch_size) steps."
        )
    if decay_epochs is not None:
        decay_epochs = _positive("decay_epochs", decay_epochs)
        if decay_steps is not None:
            raise ValueError("Set decay_steps or decay_epochs, not both.")
        decay_steps = max(1, round(decay_epochs * train.steps(batch_size, steps_per_epoch)))

    schedule_for_options, clipnorm_for_options = lr_schedule, clipnorm
    if isinstance(optimizer, keras.optimizers.Optimizer):
        if strategy is not None:
            raise ValueError(
                "Under a distribute strategy pass the optimizer by name so that it is created "
                "inside strategy.scope()."
            )
        # Refuses schedule, clipping and optimizer keywords next to a ready optimizer.
        make_optimizer(
            optimizer,
            lr_schedule=lr_schedule,
            decay_steps=decay_steps,
            decay_rate=decay_rate,
            staircase=staircase,
            clipnorm=None if clipnorm == "auto" else clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            **optimizer_kwargs,
        )
        # The instance brings its own schedule and clipping; the "auto" defaults step aside.
        own = getattr(optimizer, "_learning_rate", None)
        if isinstance(own, keras.optimizers.schedules.LearningRateSchedule):
            schedule_for_options = own
        clipnorm_for_options = None
    options = resolve_options(
        lr_schedule=schedule_for_options,
        reduce_lr_on_plateau=reduce_lr_on_plateau,
        early_stopping=early_stopping,
        clipnorm=clipnorm_for_options,
        clipvalue=clipvalue,
        global_clipnorm=global_clipnorm,
        has_validation=val is not None,
        steps_per_epoch=train.steps(batch_size, steps_per_epoch, required=False),
    )

    def make_opt():
        if isinstance(optimizer, keras.optimizers.Optimizer):
            return optimizer
        return make_optimizer(
            optimizer,
            learning_rate,
            lr_schedule=lr_schedule,
            decay_steps=decay_steps,
            decay_rate=decay_rate,
            staircase=staircase,
            alpha=alpha,
            clipnorm=options["clipnorm"],
            clipvalue=options["clipvalue"],
            global_clipnorm=options["global_clipnorm"],
            **optimizer_kwargs,
        )

    # Building it once here validates every optimizer argument before the model is built;
    # under a strategy a second one is made inside its scope.
    opt = make_opt()
    clipping = any(options[k] is not None for k in ("clipnorm", "clipvalue", "global_clipnorm"))
    replicas = strategy.num_replicas_in_sync if strategy is not None else 1
    custom = loop == "custom" or (
        loop == "auto" and (_is_multi_worker(strategy) or (replicas > 1 and clipping))
    )
    if custom:
        if train.dataset is None and batch_size % replicas:
            raise ValueError(
                f"batch_size={batch_size} must be a multiple of the {replicas} replicas."
            )
        loss_fn = _per_sample_fn(loss, "loss")
        metric_fns = _metric_fns(metrics, loss)
        if class_weight is not None and train.dataset is not None:
            raise ValueError("class_weight with a tf.data.Dataset needs loop='keras'.")

    zoo_callbacks = make_callbacks(
        reduce_lr_on_plateau=options["reduce_lr_on_plateau"],
        early_stopping=options["early_stopping"],
        checkpoint_dir=checkpoint_dir,
        backup_dir=backup_dir,
        terminate_on_nan=terminate_on_nan,
        csv_log=csv_log,
        tensorboard_dir=tensorboard_dir,
        monitor=options["monitor"],
    )
    all_callbacks = zoo_callbacks + callbacks
    if verbose == 1 or (verbose == 2 and custom):
        all_callbacks.append(EpochProgress(epochs))

    # ---- build and compile (inside the strategy's scope)
    scope = strategy.scope() if strategy is not None else contextlib.nullcontext()
    with scope:
        if not isinstance(model, keras.Model):
            model = model()
            if not isinstance(model, keras.Model):
                raise TypeError(
                    f"the model callable must return a keras.Model; got {type(model).__name__}."
                )
        if strategy is not None:
            opt = make_opt()
        model.compile(optimizer=opt, loss=loss, metrics=list(metrics) if metrics else None)

    # ---- train
    if custom:
        history = _custom_fit(
            model,
            train,
            val,
            strategy=strategy or tf.distribute.get_strategy(),
            epochs=epochs,
            batch_size=batch_size,
            steps_per_epoch=steps_per_epoch,
            shuffle=shuffle,
            loss_fn=loss_fn,
            metric_fns=metric_fns,
            callbacks=all_callbacks,
            class_weight=class_weight,
        )
    else:
        args = train.keras_args()
        kwargs = {}
        if train.dataset is None:
            kwargs.update(batch_size=batch_size, shuffle=shuffle)
        else:
            # A dataset brings its own order; keras warns when shuffle is passed with one.
            kwargs.update(steps_per_epoch=steps_per_epoch, shuffle=False)
        result = model.fit(
            *args,
            epochs=epochs,
            validation_data=None
            if val is None
            else (val.dataset if val.dataset is not None else val.keras_args()),
            class_weight=class_weight,
            callbacks=all_callbacks,
            verbose=2 if verbose == 2 else 0,
            **kwargs,
        )
        history = {k: [float(v) for v in vals] for k, vals in result.history.items()}

    for cb in zoo_callbacks:
        if isinstance(cb, TerminateOnNaN) and cb.diverged is not None:
            epoch, batch, value = cb.diverged
            lr = learning_rate if not isinstance(optimizer, keras.optimizers.Optimizer) else None
            raise TrainingDivergedError(
                f"Training diverged: the loss became {value} at epoch {epoch + 1}/{epochs} "
                f"(batch {batch}). Try a lower learning_rate"
                + (f" (it was {lr:g})" if lr is not None else "")
                + ", gradient clipping (clipnorm=1.0 or global_clipnorm=1.0), and check the "
                "data's scale.",
                epoch=epoch + 1,
                batch=batch,
                history=history,
            )
    return model, history


# --------------------------------------------------------------------------- custom loop


def _per_sample_fn(fn, name):
    """A loss or metric as a function (y_true, y_pred) -> one value per sample."""
    if isinstance(fn, keras.losses.Loss):
        raw = fn.call
    elif isinstance(fn, str):
        try:
            raw = keras.losses.get(fn)
        except ValueError:
            raw = None
        if isinstance(raw, keras.losses.Loss):
            raw = raw.call
        if not callable(raw):
            raise ValueError(f"{name}: unknown loss {fn!r} (use a Keras loss name or function).")
    elif callable(fn) and not isinstance(fn, keras.metrics.Metric):
        raw = fn
    else:
        raise ValueError(
            f"{name} must be a Keras loss name, a function (y_true, y_pred) or a "
            f"keras.losses.Loss under the custom training loop; got {fn!r}."
        )

    def per_sample(y_true, y_pred):
        values = raw(y_true, y_pred)
        rank = len(values.shape)
        if rank > 1:
            values = tf.reduce_mean(values, axis=list(range(1, rank)))
        return tf.cast(values, "float32")

    return per_sample


_ACCURACY = {
    "sparse_categorical_crossentropy": keras.metrics.sparse_categorical_accuracy,
    "categorical_crossentropy": keras.metrics.categorical_accuracy,
    "binary_crossentropy": keras.metrics.binary_accuracy,
}


def _metric_fns(metrics, loss):
    """[(history key, per-sample function)] for the custom loop."""
    result = []
    for metric in metrics or []:
        if isinstance(metric, str) and metric.lower() in ("accuracy", "acc"):
            fn = _ACCURACY.get(loss if isinstance(loss, str) else getattr(loss, "name", None))
            if fn is None:
                raise ValueError(
                    f"metric {metric!r} needs a crossentropy loss under the custom loop "
                    f"({sorted(_ACCURACY)}); got loss={loss!r}."
                )
            result.append((metric, _per_sample_fn(fn, "metrics")))
        elif (
            isinstance(metric, str)
            and callable(getattr(keras.metrics, metric, None))
            and not (isinstance(getattr(keras.metrics, metric), type))
        ):
            result.append((metric, _per_sample_fn(getattr(keras.metrics, metric), "metrics")))
        elif isinstance(metric, str):
            result.append((metric, _per_sample_fn(metric, "metrics")))
        elif callable(metric) and not isinstance(metric, (keras.metrics.Metric, type)):
            result.append((metric.__name__, _per_sample_fn(metric, "metrics")))
        else:
            raise ValueError(
                "metrics under the custom training loop (MultiWorkerMirroredStrategy, or "
                "several replicas with clipping) must be names such as 'mae' or 'accuracy' or "
                f"plain functions, not stateful keras.metrics.Metric objects; got {metric!r}."
            )
    return result


def _array_dataset(strategy, data, weights, batch_size, shuffle):
    """Distributes array data so that every replica runs the same number of full batches.

    On one replica the batches are exactly those of ``model.fit`` (the last one partial).
    With several, each input pipeline (worker) keeps its own shard, shuffled every epoch,
    padded with zero-weight rows to exactly ``steps * batch_size / pipelines`` rows: all
    workers then take the same number of steps (a worker with fewer would leave the others
    waiting in an all-reduce) and every batch has a static shape. The padding adds nothing to
    the loss, which is divided by the number of real rows in the global batch; only layers that
    mix rows (BatchNormalization) see it, in the last batch of an epoch.
    """
    steps = math.ceil(data.n / batch_size)

    def dataset_fn(ctx):
        pipelines, index = ctx.num_input_pipelines, ctx.input_pipeline_id
        per_replica = ctx.get_per_replica_batch_size(batch_size)
        rows = steps * batch_size // pipelines
        idx = np.arange(index, data.n, pipelines)

        def take(a):
            return a[idx]

        real = (
            tf.nest.map_structure(take, data.x),
            take(data.y),
            take(weights),
            np.ones(len(idx), "float32"),
        )
        ds = tf.data.Dataset.from_tensor_slices(real)
        if shuffle and len(idx) > 1:
            ds = ds.shuffle(len(idx), reshuffle_each_iteration=True)
        if ctx.num_replicas_in_sync == 1:
            return ds.batch(per_replica).repeat()
        pad = rows - len(idx)
        if pad:

            def zeros(a):
                return np.zeros((pad, *a.shape[1:]), a.dtype)

            ds = ds.concatenate(
                tf.data.Dataset.from_tensor_slices(
                    (
                        tf.nest.map_structure(zeros, data.x),
                        zeros(data.y),
                        np.zeros(pad, "float32"),
                        np.zeros(pad, "float32"),
                    )
                )
            )
        return ds.batch(per_replica, drop_remainder=True).repeat()

    return strategy.distribute_datasets_from_function(dataset_fn), steps


def _user_dataset(strategy, dataset):
    """A user's batched dataset as (x, y, weight, mask) batches, sharded by data."""

    def with_mask(*element):
        if len(element) == 1 and isinstance(element[0], (tuple, list)):
            element = tuple(element[0])
        if len(element) not in (2, 3):
            raise ValueError("dataset elements must be (x, y) or (x, y, sample_weight).")
        x, y = element[0], element[1]
        ones = tf.ones(tf.shape(tf.nest.flatten(y)[0])[:1], "float32")
        w = tf.cast(element[2], "float32") if len(element) == 3 else ones
        return x, y, w, ones

    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return strategy.experimental_distribute_dataset(dataset.map(with_mask).with_options(options))


def _clip(grads, optimizer):
    if optimizer.clipnorm:
        return [tf.clip_by_norm(g, optimizer.clipnorm) for g in grads]
    if optimizer.clipvalue:
        return [tf.clip_by_value(g, -optimizer.clipvalue, optimizer.clipvalue) for g in grads]
    if optimizer.global_clipnorm:
        return tf.clip_by_global_norm(grads, optimizer.global_clipnorm)[0]
    return grads


class _Steps:
    """The distributed train and evaluation steps of the custom loop."""

    def __init__(self, model, strategy, loss_fn, metric_fns):
        self.model = model
        self.strategy = strategy
        self.loss_fn = loss_fn
        self.metric_fns = metric_fns
        self.replicas = strategy.num_replicas_in_sync
        self.train = tf.function(self._train, reduce_retracing=True)
        self.evaluate = tf.function(self._evaluate, reduce_retracing=True)

    def _regularization(self):
        losses = self.model.losses
        return tf.add_n([tf.cast(v, "float32") for v in losses]) if losses else tf.constant(0.0)

    def _sums(self, x, y, w, mask, training):
        y_pred = self.model(x, training=training)
        weighted = tf.reduce_sum(self.loss_fn(y, y_pred) * w * mask)
        metrics = [tf.reduce_sum(fn(y, y_pred) * mask) for _, fn in self.metric_fns]
        return weighted, metrics

    def _train_replica(self, batch):
        x, y, w, mask = batch
        ctx = tf.distribute.get_replica_context()
        count = ctx.all_reduce(tf.distribute.ReduceOp.SUM, tf.reduce_sum(mask))
        variables = self.model.trainable_variables
        with tf.GradientTape() as tape:
            weighted, metrics = self._sums(x, y, w, mask, training=True)
            # Each replica's share: summed over replicas it is the global batch mean (plus the
            # regularization once), as Keras' "sum_over_batch_size" reduction computes it.
            share = weighted / tf.maximum(count, 1.0) + self._regularization() / self.replicas
        grads = tape.gradient(share, variables)
        pairs = [(g, v) for g, v in zip(grads, variables) if g is not None]
        grads = [tf.convert_to_tensor(g) for g, _ in pairs]
        # Clip the all-reduced gradient, not each replica's part of it. Handing the optimizer
        # 1/replicas of the clipped sum lets its own all-reduce rebuild the sum, and keeps its
        # own clipping a no-op (each part is within the bound).
        grads = ctx.all_reduce(tf.distribute.ReduceOp.SUM, grads)
        grads = [g / self.replicas for g in _clip(grads, self.model.optimizer)]
        self.model.optimizer.apply(grads, [v for _, v in pairs])
        return share, count, metrics

    def _train(self, batch):
        share, count, metrics = self.strategy.run(self._train_replica, args=(batch,))
        reduce = self.strategy.reduce
        return (
            reduce(tf.distribute.ReduceOp.SUM, share, axis=None),
            reduce(tf.distribute.ReduceOp.MEAN, count, axis=None),
            [reduce(tf.distribute.ReduceOp.SUM, m, axis=None) for m in metrics],
        )

    def _eval_replica(self, batch):
        x, y, w, mask = batch
        weighted, metrics = self._sums(x, y, w, mask, training=False)
        return weighted, tf.reduce_sum(mask), metrics, self._regularization() / self.replicas

    def _evaluate(self, batch):
        out = self.strategy.run(self._eval_replica, args=(batch,))
        return tf.nest.map_structure(
            lambda v: self.strategy.reduce(tf.distribute.ReduceOp.SUM, v, axis=None), out
        )


def _worker_callbacks(callbacks, strategy):
    """On non-chief workers: no files written; backups are read from the chief's directory."""
    if strategy.extended.should_checkpoint:
        return callbacks
    kept = []
    for cb in callbacks:
        if isinstance(cb, keras.callbacks.BackupAndRestore):
            kept.append(_ReadOnlyBackup(cb))
        elif not isinstance(
            cb,
            (
                keras.callbacks.ModelCheckpoint,
                keras.callbacks.CSVLogger,
                keras.callbacks.TensorBoard,
                EpochProgress,
            ),
        ):
            kept.append(cb)
    return kept


class _ReadOnlyBackup(keras.callbacks.Callback):
    """Restores from a chief's BackupAndRestore directory without writing or deleting it."""

    def __init__(self, backup):
        super().__init__()
        self._backup = backup

    def set_model(self, model):
        super().set_model(model)
        self._backup.set_model(model)

    def on_train_begin(self, logs=None):
        self._backup.on_train_begin(logs)


def _custom_fit(
    model,
    train,
    val,
    *,
    strategy,
    epochs,
    batch_size,
    steps_per_epoch,
    shuffle,
    loss_fn,
    metric_fns,
    callbacks,
    class_weight,
):
    with strategy.scope():
        if not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
    step_fns = _Steps(model, strategy, loss_fn, metric_fns)
    names = [name for name, _ in metric_fns]

    if train.dataset is None:
        weights = np.ones(train.n, "float32") if train.w is None else train.w
        if class_weight is not None:
            weights = weights * _class_weight_vector(class_weight, train.y)
        train_ds, steps = _array_dataset(strategy, train, weights, batch_size, shuffle)
        train_iter, epoch_batches = iter(train_ds), None
    elif steps_per_epoch is not None:
        # A fixed number of steps per epoch runs on through the dataset's end.
        steps, epoch_batches = steps_per_epoch, None
        train_iter = iter(_user_dataset(strategy, train.dataset.repeat()))
    else:
        # One pass per epoch; tf.distribute keeps workers in step at the end of the data.
        steps, train_iter = None, None
        epoch_batches = _user_dataset(strategy, train.dataset)
    val_iter = val_steps = val_ds = None
    if val is not None:
        if val.dataset is None:
            weights = np.ones(val.n, "float32") if val.w is None else val.w
            val_ds, val_steps = _array_dataset(strategy, val, weights, batch_size, False)
            val_iter = iter(val_ds)
        else:
            val_ds = _user_dataset(strategy, val.dataset)

    def evaluate():
        total = count = 0.0
        metric_sums = [0.0] * len(names)
        reg = 0.0
        batches = (next(val_iter) for _ in range(val_steps)) if val_iter is not None else val_ds
        for batch in batches:
            weighted, n, metrics, reg = step_fns.evaluate(batch)
            total, count = total + float(weighted), count + float(n)
            metric_sums = [a + float(b) for a, b in zip(metric_sums, metrics)]
        logs = {"val_loss": total / max(count, 1.0) + float(reg)}
        logs.update({f"val_{k}": s / max(count, 1.0) for k, s in zip(names, metric_sums)})
        return logs

    callbacks = _worker_callbacks(callbacks, strategy)
    history = keras.callbacks.History()
    cb_list = keras.callbacks.CallbackList(
        callbacks + [history],
        add_history=False,
        add_progbar=False,
        model=model,
        verbose=0,
        epochs=epochs,
        steps=steps,
    )
    model.stop_training = False
    cb_list.on_train_begin()
    # BackupAndRestore sets this when it restores a run that was interrupted.
    initial_epoch = getattr(model, "_initial_epoch", None) or 0
    model._initial_epoch = None
    epoch_logs = {}
    for epoch in range(initial_epoch, epochs):
        cb_list.on_epoch_begin(epoch)
        total = count = 0.0
        metric_sums = [0.0] * len(names)
        if train_iter is not None:
            batches = (next(train_iter) for _ in range(steps))
        else:
            batches = iter(epoch_batches)
        logs = {}
        for step, batch in enumerate(batches):
            cb_list.on_train_batch_begin(step)
            loss, n, metrics = step_fns.train(batch)
            n = float(n)
            total, count = total + float(loss) * n, count + n
            metric_sums = [a + float(b) for a, b in zip(metric_sums, metrics)]
            logs = {"loss": total / max(count, 1.0)}
            logs.update({k: s / max(count, 1.0) for k, s in zip(names, metric_sums)})
            cb_list.on_train_batch_end(step, logs)
            if model.stop_training:
                break
        epoch_logs = dict(logs)
        if val is not None:
            epoch_logs.update(evaluate())
        cb_list.on_epoch_end(epoch, epoch_logs)
        if model.stop_training:
            break
    cb_list.on_train_end(epoch_logs)
    return {k: [float(v) for v in vals] for k, vals in history.history.items()}
