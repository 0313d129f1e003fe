"""``fit``: compile and train with ``model.fit``, or hand over to the custom loop."""

from __future__ import annotations

import contextlib

import keras
import tensorflow as tf

from zoo._checks import check_bool, check_positive, is_int, is_number
from zoo.training.callbacks import (
    EpochProgress,
    TerminateOnNaN,
    TrainingDivergedError,
    check_paths,
    make_callbacks,
)
from zoo.training.data import _Data
from zoo.training.distributed import _custom_fit, _metric_fns, _per_sample_fn
from zoo.training.optimizers import make_optimizer
from zoo.training.options import _LOOPS, resolve_options
from zoo.training.pruning import check_pruning, make_pruning


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


def _options_of(optimizer, lr_schedule, clipnorm):
    """The schedule and clipnorm "auto" must step aside for (an optimizer instance's own)."""
    if not isinstance(optimizer, keras.optimizers.Optimizer):
        return lr_schedule, clipnorm
    own = getattr(optimizer, "_learning_rate", None)
    if isinstance(own, keras.optimizers.schedules.LearningRateSchedule):
        return own, None
    return lr_schedule, None


def check_options(*, epochs=100, batch_size=32, optimizer="adam", learning_rate=1e-3,
                  lr_schedule=None, decay_steps=None, decay_epochs=None, decay_rate=None,
                  staircase=False, alpha=0.0, clipnorm="auto", clipvalue=None,
                  global_clipnorm=None, reduce_lr_on_plateau="auto", early_stopping="auto",
                  checkpoint_dir=None, backup_dir=None, csv_log=None, tensorboard_dir=None,
                  strategy=None, verbose=0, optimizer_kwargs=None, pruning=None) -> None:
    """Refuses every bad training option that needs no data, before anything is built.

    :func:`fit` starts with it; the estimators call it before they read their data,
    so a bad learning rate or a rival clipping is refused before any work is done.
    It writes nothing (callback directories are made when training starts).

    Args:
        epochs, batch_size, optimizer, learning_rate, lr_schedule, decay_steps,
        decay_epochs, decay_rate, staircase, alpha, clipnorm, clipvalue,
        global_clipnorm, reduce_lr_on_plateau, early_stopping, checkpoint_dir,
        backup_dir, csv_log, tensorboard_dir, strategy, verbose, optimizer_kwargs,
        pruning: As for :func:`fit`.

    Raises:
        ValueError: A bad option or rival options set together.
        ImportError: ``tensorboard_dir`` without TensorBoard installed.

    Example:
        >>> from zoo.training import check_options
        >>> check_options(learning_rate=1e-2, clipvalue=0.5)
    """
    check_positive(epochs, "epochs", integer=True, allow_none=False)
    check_positive(batch_size, "batch_size", integer=True, allow_none=False)
    if verbose not in (0, 1, 2) or isinstance(verbose, bool):
        raise ValueError(f"verbose must be 0, 1 or 2; got {verbose!r}.")
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
    if optimizer_kwargs is not None and not isinstance(optimizer_kwargs, dict):
        raise ValueError(f"optimizer_kwargs must be a dict or None; got {optimizer_kwargs!r}.")
    if decay_epochs is not None:
        check_positive(decay_epochs, "decay_epochs")
        if decay_steps is not None:
            raise ValueError("Set decay_steps or decay_epochs, not both.")
        if lr_schedule is None:
            raise ValueError("decay_epochs needs lr_schedule='exponential' or 'cosine'; got "
                             "lr_schedule=None.")
        decay_steps = 1  # stands in for the steps decay_epochs becomes once the data is known
    schedule, auto_clipnorm = _options_of(optimizer, lr_schedule, clipnorm)
    options = resolve_options(lr_schedule=schedule, reduce_lr_on_plateau=reduce_lr_on_plateau,
                              early_stopping=early_stopping, clipnorm=auto_clipnorm,
                              clipvalue=clipvalue, global_clipnorm=global_clipnorm)
    if isinstance(optimizer, keras.optimizers.Optimizer):
        if strategy is not None:
            raise ValueError(
                "Under a distribute strategy pass the optimizer by name so that it is created "
                "inside strategy.scope()."
            )
        # Refuses schedule, clipping and optimizer keywords next to a ready optimizer.
        make_optimizer(optimizer, lr_schedule=lr_schedule, decay_steps=decay_steps,
                       decay_rate=decay_rate, staircase=staircase,
                       clipnorm=None if clipnorm == "auto" else clipnorm, clipvalue=clipvalue,
                       global_clipnorm=global_clipnorm, **(optimizer_kwargs or {}))
    else:
        make_optimizer(optimizer, learning_rate, lr_schedule=lr_schedule,
                       decay_steps=decay_steps, decay_rate=decay_rate, staircase=staircase,
                       alpha=alpha, clipnorm=options["clipnorm"], clipvalue=options["clipvalue"],
                       global_clipnorm=options["global_clipnorm"], **(optimizer_kwargs or {}))
    check_paths(checkpoint_dir=checkpoint_dir, backup_dir=backup_dir, csv_log=csv_log,
                tensorboard_dir=tensorboard_dir)
    check_pruning(pruning)


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
    pruning=None,
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
        pruning: ``None`` or ``{"target_sparsity": s, ...}``: magnitude pruning of every
            kernel during training (:mod:`zoo.training.pruning`).

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
    check_options(epochs=epochs, batch_size=batch_size, optimizer=optimizer,
                  learning_rate=learning_rate, lr_schedule=lr_schedule, decay_steps=decay_steps,
                  decay_epochs=decay_epochs, decay_rate=decay_rate, staircase=staircase,
                  alpha=alpha, clipnorm=clipnorm, clipvalue=clipvalue,
                  global_clipnorm=global_clipnorm, reduce_lr_on_plateau=reduce_lr_on_plateau,
                  early_stopping=early_stopping, checkpoint_dir=checkpoint_dir,
                  backup_dir=backup_dir, csv_log=csv_log, tensorboard_dir=tensorboard_dir,
                  strategy=strategy, verbose=verbose, optimizer_kwargs=optimizer_kwargs,
                  pruning=pruning)
    epochs, batch_size = int(epochs), int(batch_size)
    steps_per_epoch = check_positive(steps_per_epoch, "steps_per_epoch", integer=True)
    if loop not in _LOOPS:
        raise ValueError(f"loop must be one of {list(_LOOPS)}; got {loop!r}.")
    shuffle = check_bool(shuffle, "shuffle")
    _check_model(model, strategy)
    callbacks = list(callbacks or [])
    for cb in callbacks:
        if not isinstance(cb, keras.callbacks.Callback):
            raise ValueError(f"callbacks must be keras.callbacks.Callback objects; got {cb!r}.")
    optimizer_kwargs = dict(optimizer_kwargs or {})
    if metrics is not None and not isinstance(metrics, (list, tuple)):
        raise ValueError(f"metrics must be a list of metric names or functions; got {metrics!r}.")
    if class_weight is not None and (
        not isinstance(class_weight, dict)
        or not all(
            is_int(k) and k >= 0 and is_number(v) and v >= 0
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
        decay_steps = max(1, round(decay_epochs * train.steps(batch_size, steps_per_epoch)))

    schedule_for_options, clipnorm_for_options = _options_of(optimizer, lr_schedule, clipnorm)
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
        if any(getattr(d, "w", None) is not None and d.w.ndim > 1 for d in (train, val)):
            raise ValueError(
                "per-step sample weights (a SequenceLabeler's) need loop='keras'; the custom "
                "loop weighs whole samples. Under several replicas, leave clipping off "
                "(clipnorm=None) so that the Keras loop trains."
            )

    steps = train.steps(batch_size, steps_per_epoch, required=False)
    pruner = make_pruning(check_pruning(pruning), epochs * steps if steps else None)
    stopping = options["early_stopping"]
    if pruner is not None and stopping is not None:
        # early stopping chooses among models at the target sparsity, not before it
        stopping = dict(stopping, start_from_epoch=max(stopping.get("start_from_epoch", 0),
                                                       pruner.end_epoch(steps)))
    zoo_callbacks = make_callbacks(
        reduce_lr_on_plateau=options["reduce_lr_on_plateau"],
        early_stopping=stopping,
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
    if pruner is not None:
        # last: its final pruning runs after EarlyStopping restored the best weights
        all_callbacks.append(pruner)

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
            **args,
            epochs=epochs,
            validation_data=None if val is None else val.validation(),
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
