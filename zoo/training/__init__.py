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

from zoo.training.callbacks import (
    EpochProgress,
    GradientNormLogger,
    LearningRateLogger,
    TerminateOnNaN,
    TrainingDivergedError,
    make_callbacks,
)
from zoo.training.loop import check_options, fit
from zoo.training.optimizers import OPTIMIZERS, make_optimizer
from zoo.training.options import (
    AUTO_CLIPNORM,
    EARLY_STOPPING_DEFAULTS,
    EARLY_STOPPING_MIN_STEPS,
    LR_SCHEDULES,
    PLATEAU_DEFAULTS,
    PLATEAU_MIN_STEPS,
    resolve_options,
)
from zoo.training.pruning import MagnitudePruning, check_pruning, sparsity
from zoo.training.seeds import set_seed

__all__ = [
    "AUTO_CLIPNORM",
    "EARLY_STOPPING_DEFAULTS",
    "EARLY_STOPPING_MIN_STEPS",
    "LR_SCHEDULES",
    "OPTIMIZERS",
    "PLATEAU_DEFAULTS",
    "PLATEAU_MIN_STEPS",
    "EpochProgress",
    "GradientNormLogger",
    "LearningRateLogger",
    "MagnitudePruning",
    "TerminateOnNaN",
    "TrainingDivergedError",
    "check_options",
    "check_pruning",
    "fit",
    "make_callbacks",
    "make_optimizer",
    "resolve_options",
    "set_seed",
    "sparsity",
]
