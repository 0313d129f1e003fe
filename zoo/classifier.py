"""``zoo.Classifier``: sequence classification, fixed or variable length.

X is ``[n, T]``, ``[n, T, F]`` or a list of ``[T_i, F]`` arrays (see
:mod:`zoo.sequences`). Variable-length input is padded with a sentinel outside
the data (never a silent 0.0) and masked inside the model; the pad value goes into
the manifest. Features are standardised inside the model with constants fitted on
the training part only.
"""

from __future__ import annotations

import numpy as np

from zoo._checks import check_finite_output
from zoo.base import SequenceEstimator
from zoo.scaling import feature_stats
from zoo.sequences import (  # noqa: F401  (re-exported: zoo.classifier.pad_sequences, ...)
    as_labels,
    as_sequences,
    choose_pad_value,
    class_weights,
    pad_sequences,
    stratified_split,
)

SCALINGS = SequenceEstimator.SCALINGS


class Classifier(SequenceEstimator):
    """Recurrent sequence classifier with scaling (and masking) inside the model.

    Args:
        model: A registered model name supporting ``task="classify"``, or ``"auto"``: a
            plan of models fixed by the data (sequence length, fixed or varying) is
            fitted and the one with the lowest validation log loss kept
            (:mod:`zoo.auto`; ``search_`` says what was tried).
        units: Recurrent units (an int, or a list for stacked models).
        dropout: Dropout after each recurrent layer.
        epochs: Maximum epochs (early stopping picks fewer on the validation part).
        batch_size: Batch size.
        validation_size: Fraction (stratified) or number of training samples held
            out to choose the epoch count.
        refit: Retrain on all samples for the chosen number of epochs.
        class_weight: None, ``"balanced"`` or a dict label -> weight.
        scaling: ``"auto"`` (= ``"global"``: per-feature z-score) or ``"none"``.
        seed: Random seed; None for no seeding.
        verbose: 0 quiet, 1 one line per epoch.
        model_kwargs: Extra builder keyword arguments.
        n_ensemble: Members trained with seeds ``seed``, ``seed + 1``, ... (with
            ``model="auto"``: the top candidates), served as one model whose
            probabilities are the members' mean (:mod:`zoo.ensemble`); 1 is one model.
        time_budget_s: With ``model="auto"``: seconds after which no further candidate
            starts (None: try them all).
        {training_args}

    Attributes:
        classes_: The class labels, in the order of the probabilities.
        n_timesteps_: Time steps of fixed-length input (None when fitted on sequences
            of varying length).
        n_channels_: Features per time step (the manifest's ``n_features``).
        n_features_in_: scikit-learn's meaning, ``X.shape[1]``: the time steps of
            fixed-length input; not set for variable-length models.
        history_: The Keras loss history of the training that chose the epochs.

    Scikit-learn's ``check_estimator`` passes (``tests/test_sklearn_checks.py``).
    Before ``fit``, ``predict`` raises :class:`zoo.base.NotFittedError`
    (scikit-learn's ``NotFittedError``, also a ``RuntimeError``).

    Example:
        >>> import zoo
        >>> Xtr, ytr, Xte, yte = zoo.datasets.load("italy_power_demand")
        >>> c = zoo.Classifier(units=8, epochs=2).fit(Xtr, ytr)
        >>> c.predict(Xte[:3]).shape
        (3,)
    """

    task = "classify"

    def __init__(self, model="bigru", units=64, dropout=0.0, epochs=300, batch_size=16,
                 validation_size=0.2, refit=True, class_weight=None, scaling="auto", seed=0,
                 verbose=0, model_kwargs=None, optimizer="adam", learning_rate=1e-3,
                 lr_schedule=None, decay_steps=None, decay_epochs=None, decay_rate=None,
                 clipnorm="auto", clipvalue=None, global_clipnorm=None,
                 reduce_lr_on_plateau="auto", early_stopping="auto", checkpoint_dir=None,
                 backup_dir=None, csv_log=None, tensorboard_dir=None, distribute_strategy=None,
                 pruning=None, n_ensemble=1, time_budget_s=240.0):
        self._set_params_from(locals())

    def fit(self, X, y):
        """Trains on sequences ``X`` and labels ``y``.

        Args:
            X: ``[n, T]``, ``[n, T, F]`` or a list of ``[T_i, F]`` arrays.
            y: ``n`` labels of any type (strings too).

        Returns:
            self.
        """
        from zoo.ensemble import fit_delegated

        if fit_delegated(self, (X, y)) is not None:  # model="auto", n_ensemble > 1
            return self
        spec = self._check_sequence_params()
        data, variable = as_sequences(X, min_samples=2)
        y = as_labels(y, len(data))
        classes, y_idx = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(f"y holds a single class ({classes[0]!r}); a classifier needs >= 2")
        if variable and not (spec.masking and spec.dynamic_time):
            raise ValueError(f"model {spec.name!r} does not support variable-length input "
                             "(masking); choose a recurrent model such as 'bigru'")
        flat = np.concatenate(data) if variable else data.reshape(-1, data.shape[-1])
        pad_value = choose_pad_value(flat) if variable else None
        X_arr = pad_sequences(data, pad_value) if variable else data.astype("float32")
        weights = None if self.class_weight is None else dict(
            enumerate(class_weights(self.class_weight, classes, y_idx).tolist()))
        train_idx, val_idx, _ = stratified_split(y_idx, self.validation_size, self.seed)

        self.network_kwargs_ = dict(self._builder_kwargs(spec), task="classify",
                                    input_shape=(None if variable else X_arr.shape[1],
                                                 X_arr.shape[-1]),
                                    n_classes=len(classes))
        if variable:
            self.network_kwargs_["mask_value"] = pad_value
        self._check_network(spec)
        # the raw inputs that data-dependent layers adapt to (base.adapt_network)
        holder = {"stats": feature_stats(X_arr[train_idx], pad_value, self.scaling),
                  "x": X_arr[train_idx]}
        val = (X_arr[val_idx], y_idx[val_idx]) if len(val_idx) else None

        def build():
            holder["model"] = self._standardized(spec, holder["stats"], pad_value, "classifier",
                                                 adapt_x=holder["x"])
            return holder["model"]

        def score():
            from zoo import metrics

            proba = np.asarray(holder["model"](val[0], training=False))
            self.validation_metrics_ = {
                "n_samples": int(len(val_idx)),
                "model": metrics.classification_metrics(val[1], proba.argmax(1), proba,
                                                        classes=np.arange(len(classes))),
            }

        def refit_data():
            holder["stats"] = feature_stats(X_arr, pad_value, self.scaling)
            holder["x"] = X_arr  # the refit adapts to all data, as its scaling does
            return X_arr, y_idx

        self.validation_metrics_ = {}
        self._train(build, lambda: (X_arr[train_idx], y_idx[train_idx]),
                    (lambda: val) if val is not None else None, refit_data=refit_data,
                    on_trained=score if val is not None else None,
                    loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                    class_weight=weights, fingerprint_data=(X_arr, y_idx))
        self.model_ = holder["model"]
        self.classes_ = classes
        self.pad_value_ = pad_value
        self.variable_length_ = variable
        self.n_timesteps_ = None if variable else int(X_arr.shape[1])
        self.n_channels_ = int(X_arr.shape[-1])
        self._set_n_features_in()
        self.scaling_stats_ = {"mean": holder["stats"][0], "std": holder["stats"][1]}
        return self

    # ------------------------------------------------------------------ inference
    def _set_n_features_in(self):
        # scikit-learn's meaning, X.shape[1]: the time steps of fixed-length input; a
        # variable-length model has none (the per-step count is n_channels_)
        if self.n_timesteps_ is None:
            self.__dict__.pop("n_features_in_", None)
        else:
            self.n_features_in_ = self.n_timesteps_

    def _prepare(self, X):
        data, variable = as_sequences(X)
        widths = {d.shape[-1] for d in data} if variable else {data.shape[-1]}
        if widths != {self.n_channels_}:
            raise ValueError(f"X has {sorted(widths)} feature(s) per step; the model was fitted "
                             f"on {self.n_channels_}")
        if variable or self.variable_length_:
            if not self.variable_length_:
                raise ValueError(f"the model was fitted on fixed-length sequences of "
                                 f"{self.n_timesteps_} steps; got variable lengths")
            seqs = data if variable else list(data)
            return pad_sequences(seqs, self.pad_value_)
        if data.shape[1] != self.n_timesteps_:
            raise ValueError(f"X has {data.shape[1]} features, but {type(self).__name__} is "
                             f"expecting {self.n_timesteps_} features as input (time steps "
                             "of the fixed-length sequences it was fitted on)")
        return data.astype("float32")

    def predict_proba(self, X):
        """Class probabilities ``[n, n_classes]`` in the order of ``classes_``.

        Args:
            X: Sequences as in :meth:`fit`.

        Returns:
            A float array.
        """
        self._check_fitted()
        return self.proba_with(lambda x: self.model_(x, training=False), X)

    def proba_with(self, run, X):
        """:meth:`predict_proba` with another way to run the model (the Predictor's backends).

        Args:
            run: ``run(x) -> probabilities`` on the padded float32 array ``[n, T, F]``.
            X: Sequences as in :meth:`fit`.

        Returns:
            ``[n, n_classes]`` probabilities.
        """
        return check_finite_output(run(self._prepare(X)))

    def predict(self, X):
        """Predicted labels.

        Args:
            X: Sequences as in :meth:`fit`.

        Returns:
            An array of labels from ``classes_``.
        """
        proba = self.predict_proba(X)  # first: it raises NotFittedError before fit
        return self.classes_[proba.argmax(axis=1)]

    def score(self, X, y):
        """Accuracy on ``(X, y)``.

        Args:
            X: Sequences.
            y: True labels.

        Returns:
            The fraction of correct predictions.
        """
        pred = self.predict(X)
        y = as_labels(y, len(pred))
        return float(np.mean(pred == y))

    # ------------------------------------------------------------------ artifact
    def _input_specs(self):
        return {"inputs": (None, self.n_timesteps_, self.n_channels_)}

    def _manifest(self):
        return {
            **self._manifest_common(),
            "classes": self.classes_.tolist(),
            "n_timesteps": self.n_timesteps_,
            "n_features": self.n_channels_,  # per step, as before
            "variable_length": self.variable_length_,
            "pad_value": self.pad_value_,
            "scaling": self.scaling_stats_,
        }

    def _restore(self, m):
        self._restore_common(m)
        self.classes_ = np.asarray(m["classes"])
        self.n_timesteps_ = m["n_timesteps"]
        self.n_channels_ = m["n_features"]
        self._set_n_features_in()
        self.variable_length_ = m["variable_length"]
        self.pad_value_ = m["pad_value"]
        self.scaling_stats_ = m["scaling"]
