"""The training callbacks and ``make_callbacks``."""

from __future__ import annotations

import importlib.util
import os
import time

import keras
import numpy as np

from zoo._checks import check_bool, check_out_path, is_number
from zoo.training.options import EARLY_STOPPING_DEFAULTS, PLATEAU_DEFAULTS, _switch


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


class GradientNormLogger(keras.callbacks.Callback):
    """Adds ``grad_norm``, the global norm of the loss gradient on a fixed batch, to each epoch.

    The norm is of the raw gradient, before any clipping: it shows what clipping acts on
    (a vanilla RNN over a long window is where it explodes). It costs one forward and
    backward pass per epoch.

    Args:
        x: A batch of inputs (an array or a dict of arrays).
        y: Its targets.

    Example:
        >>> import numpy as np
        >>> from zoo.training import GradientNormLogger
        >>> GradientNormLogger(np.zeros((2, 3)), np.zeros((2, 1))).x.shape
        (2, 3)
    """

    def __init__(self, x, y):
        super().__init__()
        self.x, self.y = x, y

    def on_epoch_end(self, epoch, logs=None):
        import tensorflow as tf

        with tf.GradientTape() as tape:
            pred = self.model(self.x, training=False)
            loss = self.model.compute_loss(x=self.x, y=self.y, y_pred=pred)
        grads = [g for g in tape.gradient(loss, self.model.trainable_variables) if g is not None]
        if logs is not None:
            logs["grad_norm"] = float(tf.linalg.global_norm(grads))


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
            if is_number(value):
                parts.append(f"{key}: {value:.4g}")
        if lr is not None:
            parts.append(f"lr: {lr:.3g}")
        seconds = time.perf_counter() - (self._start or time.perf_counter())
        parts.append(f"{seconds:.1f}s")
        self._print(" - ".join(parts), flush=True)


def _tensorboard_available():
    return importlib.util.find_spec("tensorboard") is not None


def check_paths(*, checkpoint_dir=None, backup_dir=None, csv_log=None, tensorboard_dir=None):
    """The callbacks' paths as strings (None stays None); refuses TensorBoard when missing.

    Each must be creatable (no file on its way) and of its kind where it exists: a
    directory for the three ``*_dir``, a file for ``csv_log``. Writes nothing: the
    directories are made when the callbacks are.

    Example:
        >>> check_paths(csv_log="runs/log.csv")
        (None, None, 'runs/log.csv', None)
    """
    paths = {"checkpoint_dir": checkpoint_dir, "backup_dir": backup_dir, "csv_log": csv_log,
             "tensorboard_dir": tensorboard_dir}
    out = tuple(None if v is None else check_out_path(v, k) for k, v in paths.items())
    for name, value in zip(paths, out):
        if value is None:
            continue
        is_dir = name != "csv_log"
        if os.path.exists(value) and os.path.isdir(value) != is_dir:
            raise ValueError(f"{name} {value!r} is a {'file' if is_dir else 'directory'}; "
                             f"give a {'directory' if is_dir else 'file'} path")
    if tensorboard_dir is not None and not _tensorboard_available():
        raise ImportError(
            "tensorboard_dir needs TensorBoard, which TensorFlow 2.21 no longer installs: "
            "pip install 'zoo-ts[tensorboard]' (or pip install tensorboard)."
        )
    return out


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
        check_bool(value, name)
    plateau = _options("reduce_lr_on_plateau", reduce_lr_on_plateau, PLATEAU_DEFAULTS, monitor)
    stopping = _options("early_stopping", early_stopping, EARLY_STOPPING_DEFAULTS, monitor)
    checkpoint_dir, backup_dir, csv_log, tensorboard_dir = check_paths(
        checkpoint_dir=checkpoint_dir, backup_dir=backup_dir, csv_log=csv_log,
        tensorboard_dir=tensorboard_dir)

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
