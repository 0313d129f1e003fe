"""The custom ``strategy.run`` training loop (multi-worker, clipping across replicas)."""

from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf

from zoo.training.callbacks import EpochProgress
from zoo.training.data import _class_weight_vector


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
