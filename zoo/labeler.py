"""``zoo.SequenceLabeler``: one class per time step (many-to-many sequence labelling).

X is ``[n, T]``, ``[n, T, F]`` or a list of ``[T_i, F]`` arrays; Y holds one label
per step (``[n, T]`` or a list of ``[T_i]``). Sequences are right-padded with a
sentinel outside the data and masked inside the model, so the loss, the metrics and
the predictions see valid steps only, and the exported model takes any length
(``inputs`` ``[batch, None, n_features]``). Features are standardised inside the
model with constants fitted on the training sequences only.
"""

from __future__ import annotations

import numpy as np

from zoo._checks import check_finite_output
from zoo.base import SequenceEstimator
from zoo.scaling import feature_stats
from zoo.sequences import (
    as_sequences,
    as_step_labels,
    choose_pad_value,
    class_weights,
    pad_sequences,
    stratified_split,
)

SCALINGS = SequenceEstimator.SCALINGS


class SequenceLabeler(SequenceEstimator):
    """Recurrent sequence labeller: a class for every time step, scaling and masking inside.

    Args:
        model: A registered model name supporting ``task="label"``
            (``zoo.list_models("label")``: the recurrent and bidirectional builders).
        units: Recurrent units (an int, or a list for stacked models).
        dropout: Dropout after each recurrent layer.
        epochs: Maximum epochs (early stopping picks fewer on the validation part).
        batch_size: Sequences per batch.
        validation_size: Fraction or number of training sequences held out to choose
            the epoch count (stratified by each sequence's most frequent label).
        refit: Retrain on all sequences for the chosen number of epochs.
        class_weight: None, ``"balanced"`` (inverse step frequency) or a dict
            label -> weight; it weighs every step of that label.
        scaling: ``"auto"`` (= ``"global"``: per-feature z-score) or ``"none"``.
        seed: Random seed; None for no seeding.
        verbose: 0 quiet, 1 one line per epoch.
        model_kwargs: Extra builder keyword arguments.
        {training_args}

    Example:
        >>> import numpy as np, zoo
        >>> rng = np.random.default_rng(0)
        >>> Y = [np.repeat(rng.integers(0, 2, 3), 4) for _ in range(12)]
        >>> X = [y[:, None] + 0.1 * rng.normal(size=(12, 1)) for y in Y]
        >>> labeler = zoo.SequenceLabeler(units=4, epochs=2).fit(X, Y)
        >>> labeler.predict(X[:2])[0].shape
        (12,)
    """

    task = "label"

    def __init__(self, model="bigru", units=64, dropout=0.0, epochs=300, batch_size=16,
                 validation_size=0.2, refit=True, class_weight=None, scaling="auto", seed=0,
                 verbose=0, model_kwargs=None, optimizer="adam", learning_rate=1e-3,
                 lr_schedule=None, decay_steps=None, decay_epochs=None, decay_rate=None,
                 clipnorm="auto", clipvalue=None, global_clipnorm=None,
                 reduce_lr_on_plateau="auto", early_stopping="auto", checkpoint_dir=None,
                 backup_dir=None, csv_log=None, tensorboard_dir=None, distribute_strategy=None,
                 pruning=None):
        self._set_params_from(locals())

    def _check_params(self):
        spec = self._check_sequence_params()
        if not (spec.masking and spec.dynamic_time):
            raise ValueError(f"model {spec.name!r} cannot label padded sequences of any length "
                             f"(masking); choose one of the recurrent models "
                             f"{_label_models()}")
        return spec

    def fit(self, X, Y):
        """Trains on sequences ``X`` and their per-step labels ``Y``.

        Args:
            X: ``[n, T]``, ``[n, T, F]`` or a list of ``[T_i, F]`` arrays.
            Y: ``[n, T]`` or a list of ``[T_i]`` labels of any type (strings too).

        Returns:
            self.
        """
        spec = self._check_params()
        data, variable = as_sequences(X)
        seqs = list(data)
        lengths = [len(s) for s in seqs]
        labels = as_step_labels(Y, lengths)
        classes, flat_idx = np.unique(np.concatenate(labels), return_inverse=True)
        if len(classes) < 2:
            raise ValueError(f"Y holds a single class ({classes[0]!r}); labelling needs >= 2")
        steps = np.cumsum([0] + lengths)
        y_idx = [flat_idx[a:b] for a, b in zip(steps[:-1], steps[1:])]
        pad_value = choose_pad_value(np.concatenate(seqs))
        X_arr = pad_sequences(seqs, pad_value)
        Y_arr, W = self._targets(y_idx, classes, X_arr.shape[1])
        dominant = [np.bincount(y).argmax() for y in y_idx]
        train_idx, val_idx, _ = stratified_split(np.asarray(dominant), self.validation_size,
                                                 self.seed)

        self.network_kwargs_ = dict(self._builder_kwargs(spec), task="label",
                                    input_shape=(None, X_arr.shape[-1]), n_classes=len(classes),
                                    mask_value=pad_value)
        self._check_network(spec)
        holder = {"stats": feature_stats(X_arr[train_idx], pad_value, self.scaling)}
        val = (X_arr[val_idx], Y_arr[val_idx], W[val_idx]) if len(val_idx) else None

        def build():
            holder["model"] = self._standardized(spec, holder["stats"], pad_value, "labeler")
            return holder["model"]

        def score():
            from zoo import metrics

            proba = np.asarray(holder["model"](val[0], training=False))
            truth = [y_idx[i] for i in val_idx]
            pred = [p[: len(t)].argmax(axis=-1) for p, t in zip(proba, truth)]
            self.validation_metrics_ = {"n_sequences": int(len(val_idx)),
                                        "model": metrics.labelling_metrics(truth, pred)}

        def refit_data():
            holder["stats"] = feature_stats(X_arr, pad_value, self.scaling)
            return X_arr, Y_arr, W

        self.validation_metrics_ = {}
        self._train(build, lambda: (X_arr[train_idx], Y_arr[train_idx], W[train_idx]),
                    (lambda: val) if val is not None else None, refit_data=refit_data,
                    on_trained=score if val is not None else None,
                    loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                    fingerprint_data=(X_arr, Y_arr))
        self.model_ = holder["model"]
        self.classes_ = classes
        self.pad_value_ = pad_value
        self.variable_length_ = variable
        self.n_features_in_ = int(X_arr.shape[-1])
        self.scaling_stats_ = {"mean": holder["stats"][0], "std": holder["stats"][1]}
        return self

    def _targets(self, y_idx, classes, length):
        """Padded label indices ``[n, T]`` and step weights (0 on padding, class weights)."""
        Y = np.zeros((len(y_idx), length), dtype="int32")
        W = np.zeros((len(y_idx), length), dtype="float32")
        weights = class_weights(self.class_weight, classes, np.concatenate(y_idx))
        for i, y in enumerate(y_idx):
            Y[i, : len(y)] = y
            W[i, : len(y)] = weights[y]
        return Y, W

    # ------------------------------------------------------------------ inference
    def proba_with(self, run, X):
        """:meth:`predict_proba` with another way to run the model (the Predictor's backends).

        Args:
            run: ``run(x) -> probabilities [n, T, n_classes]`` on the padded float32 array.
            X: Sequences as in :meth:`fit`, of any lengths.

        Returns:
            ``[n, T, n_classes]`` for array input, a list of ``[T_i, n_classes]`` for a list.
        """
        data, variable = as_sequences(X)
        widths = {d.shape[-1] for d in data} if variable else {data.shape[-1]}
        if widths != {self.n_features_in_}:
            raise ValueError(f"X has {sorted(widths)} feature(s) per step; the model was fitted "
                             f"on {self.n_features_in_}")
        if not variable:
            return check_finite_output(run(data.astype("float32")))
        proba = np.asarray(run(pad_sequences(data, self.pad_value_)))
        # only the steps the user sent count (padding steps are never shown)
        return [check_finite_output(p[: len(s)]) for p, s in zip(proba, data)]

    def predict_proba(self, X):
        """Per-step class probabilities in the order of ``classes_``.

        Args:
            X: Sequences as in :meth:`fit`.

        Returns:
            ``[n, T, n_classes]`` for array input, a list of ``[T_i, n_classes]`` for a list.
        """
        self._check_fitted()
        return self.proba_with(lambda x: self.model_(x, training=False), X)

    def labels_from(self, proba):
        """Labels from :meth:`predict_proba`'s output (an array or a list)."""
        if isinstance(proba, list):
            return [self.classes_[p.argmax(axis=-1)] for p in proba]
        return self.classes_[np.asarray(proba).argmax(axis=-1)]

    def predict(self, X):
        """Predicted labels, one per step.

        Args:
            X: Sequences as in :meth:`fit`.

        Returns:
            ``[n, T]`` labels for array input, a list of ``[T_i]`` for a list.
        """
        return self.labels_from(self.predict_proba(X))

    def score(self, X, Y):
        """Per-step accuracy over every valid step of ``(X, Y)``.

        Args:
            X: Sequences.
            Y: True per-step labels.

        Returns:
            The fraction of steps labelled correctly.
        """
        from zoo.metrics import step_accuracy

        pred = self.predict(X)
        lengths = [len(p) for p in pred]
        return step_accuracy(as_step_labels(Y, lengths), list(pred))

    # ------------------------------------------------------------------ artifact
    def _input_specs(self):
        return {"inputs": (None, None, self.n_features_in_)}

    def _manifest(self):
        return {
            **self._manifest_common(),
            "classes": self.classes_.tolist(),
            "n_features": self.n_features_in_,
            "variable_length": self.variable_length_,
            "pad_value": self.pad_value_,
            "scaling": self.scaling_stats_,
        }

    def _restore(self, m):
        self._restore_common(m)
        self.classes_ = np.asarray(m["classes"])
        self.n_features_in_ = m["n_features"]
        self.variable_length_ = m["variable_length"]
        self.pad_value_ = m["pad_value"]
        self.scaling_stats_ = m["scaling"]


def _label_models():
    from zoo.registry import list_models

    return list_models("label")
