"""``zoo.Classifier``: sequence classification, fixed or variable length.

X is ``[n, T]``, ``[n, T, F]`` or a list of ``[T_i, F]`` arrays. Variable-length
input is padded with a sentinel outside the data (never a silent 0.0) and
masked inside the model; the pad value goes into the manifest. Features are
standardised inside the model with constants fitted on the training part only.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from zoo.base import ZooEstimator

SCALINGS = ("auto", "global", "none")


def pad_sequences(seqs, pad_value, length=None) -> np.ndarray:
    """Right-pads ``[T_i, F]`` arrays into ``[n, max T_i, F]`` with ``pad_value``.

    Example:
        >>> pad_sequences([np.ones((2, 1)), np.ones((1, 1))], -9.0)[:, :, 0].tolist()
        [[1.0, 1.0], [1.0, -9.0]]
    """
    length = length or max(len(s) for s in seqs)
    n_features = seqs[0].shape[1]
    out = np.full((len(seqs), length, n_features), pad_value, dtype="float32")
    for i, s in enumerate(seqs):
        out[i, : len(s)] = s
    return out


def choose_pad_value(values: np.ndarray) -> float:
    """A sentinel far below every value in the data (a round negative number).

    Example:
        >>> choose_pad_value(np.array([-3.0, 2.5]))
        -10000.0
    """
    low = float(np.min(values)) if values.size else 0.0
    high = float(np.max(np.abs(values))) if values.size else 1.0
    magnitude = 10 ** max(4, math.ceil(math.log10(max(high, 1.0))) + 3)
    pad = -float(magnitude)
    return pad if pad < low else low - magnitude


def as_sequences(X, name="X"):
    """Validates X: returns ``(array [n, T, F] or list of [T_i, F], variable_length)``."""
    if isinstance(X, (list, tuple)) and len(X) and not np.isscalar(X[0]) and \
            len({np.shape(x)[0] for x in X}) > 1:
        seqs = []
        for i, x in enumerate(X):
            a = np.asarray(x, dtype="float64")
            if a.ndim == 1:
                a = a[:, None]
            if a.ndim != 2 or len(a) == 0:
                raise ValueError(f"{name}[{i}] must be a non-empty [T_i] or [T_i, F] array, "
                                 f"got shape {a.shape}")
            seqs.append(a)
        widths = {s.shape[1] for s in seqs}
        if len(widths) > 1:
            raise ValueError(f"every sequence in {name} needs the same number of features, got {sorted(widths)}")
        for s in seqs:
            if not np.all(np.isfinite(s)):
                raise ValueError(f"NaN or inf in {name}")
        return seqs, True
    try:
        arr = np.asarray(X, dtype="float64")
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be numeric: an array [n, T] or [n, T, F], or a list of "
                        f"[T_i, F] arrays") from None
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3:
        raise ValueError(f"{name} must be [n, T], [n, T, F] or a list of [T_i, F] arrays, "
                         f"got shape {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape})")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"NaN or inf in {name}")
    return arr, False


class Classifier(ZooEstimator):
    """Recurrent sequence classifier with scaling (and masking) inside the model.

    Args:
        model: A registered model name supporting ``task="classify"``.
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
        optimizer: Optimizer name (see :mod:`zoo.training`).
        learning_rate: Initial learning rate.
        lr_schedule: None, ``"exponential"``, ``"cosine"`` or a Keras schedule.
        decay_steps: Schedule period in optimizer steps.
        decay_epochs: Schedule period in epochs.
        decay_rate: Exponential decay rate.
        clipnorm: ``"auto"`` (1.0 unless another clipping is set), None or a float.
        clipvalue: Clip each gradient element.
        global_clipnorm: Clip the joint gradient norm.
        reduce_lr_on_plateau: ``"auto"``, True, False or a dict.
        early_stopping: ``"auto"``, True, False or a dict.
        checkpoint_dir: Save the best model here during training.
        backup_dir: BackupAndRestore directory.
        csv_log: Write the history to this CSV file.
        tensorboard_dir: TensorBoard log directory.
        distribute_strategy: A ``tf.distribute.Strategy``.

    Example:
        >>> import zoo
        >>> Xtr, ytr, Xte, yte = zoo.datasets.load("italy_power_demand")
        >>> c = zoo.Classifier(units=8, epochs=2).fit(Xtr, ytr)
        >>> c.predict(Xte[:3]).shape
        (3,)
    """

    def __init__(self, model="bigru", units=64, dropout=0.0, epochs=300, batch_size=16,
                 validation_size=0.2, refit=True, class_weight=None, scaling="auto", seed=0,
                 verbose=0, model_kwargs=None, optimizer="adam", learning_rate=1e-3,
                 lr_schedule=None, decay_steps=None, decay_epochs=None, decay_rate=None,
                 clipnorm="auto", clipvalue=None, global_clipnorm=None,
                 reduce_lr_on_plateau="auto", early_stopping="auto", checkpoint_dir=None,
                 backup_dir=None, csv_log=None, tensorboard_dir=None, distribute_strategy=None):
        self.model = model
        self.units = units
        self.dropout = dropout
        self.epochs = epochs
        self.batch_size = batch_size
        self.validation_size = validation_size
        self.refit = refit
        self.class_weight = class_weight
        self.scaling = scaling
        self.seed = seed
        self.verbose = verbose
        self.model_kwargs = model_kwargs
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.lr_schedule = lr_schedule
        self.decay_steps = decay_steps
        self.decay_epochs = decay_epochs
        self.decay_rate = decay_rate
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.reduce_lr_on_plateau = reduce_lr_on_plateau
        self.early_stopping = early_stopping
        self.checkpoint_dir = checkpoint_dir
        self.backup_dir = backup_dir
        self.csv_log = csv_log
        self.tensorboard_dir = tensorboard_dir
        self.distribute_strategy = distribute_strategy

    def _check_params(self):
        spec = self._check_common()
        if "classify" not in spec.tasks:
            import zoo

            raise ValueError(f"model {self.model!r} does not classify; choose one of "
                             f"{zoo.list_models('classify')}")
        if self.scaling not in SCALINGS:
            raise ValueError(f"scaling must be one of {SCALINGS}, got {self.scaling!r}")
        vs = self.validation_size
        if isinstance(vs, bool) or not isinstance(vs, numbers.Real) or vs < 0 or \
                (isinstance(vs, float) and vs >= 1):
            raise ValueError(f"validation_size must be a float in [0, 1) or an int >= 0, got {vs!r}")
        if not isinstance(self.refit, bool):
            raise ValueError(f"refit must be True or False, got {self.refit!r}")
        cw = self.class_weight
        if cw is not None and cw != "balanced" and not isinstance(cw, dict):
            raise ValueError(f"class_weight must be None, 'balanced' or a dict, got {cw!r}")
        return spec

    def fit(self, X, y):
        """Trains on sequences ``X`` and labels ``y``.

        Args:
            X: ``[n, T]``, ``[n, T, F]`` or a list of ``[T_i, F]`` arrays.
            y: ``n`` labels of any type (strings too).

        Returns:
            self.
        """
        import zoo
        from zoo import training
        from zoo.builders.layers import Standardize

        spec = self._check_params()
        data, variable = as_sequences(X)
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y must be 1-D (one label per sample), got shape {y.shape}")
        n = len(data)
        if len(y) != n:
            raise ValueError(f"X and y have different lengths: {n} and {len(y)}")
        classes, y_idx = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(f"y holds a single class ({classes[0]!r}); a classifier needs >= 2")
        flat = np.concatenate(data) if variable else data.reshape(-1, data.shape[-1])
        pad_value = choose_pad_value(flat) if variable else None
        X_arr = pad_sequences(data, pad_value) if variable else data.astype("float32")
        n_features = X_arr.shape[-1]
        weights = self._class_weights(classes, y, y_idx)

        train_idx, val_idx = self._split(y_idx)
        stats = _feature_stats(X_arr[train_idx], pad_value) if self.scaling != "none" else \
            ([0.0] * n_features, [1.0] * n_features)
        input_shape = (None if variable else X_arr.shape[1], n_features)
        network_kwargs = dict(self._builder_kwargs(spec), task="classify",
                              input_shape=input_shape, n_classes=len(classes))
        if variable:
            if not spec.masking:
                raise ValueError(f"model {spec.name!r} does not support variable-length input "
                                 "(masking); choose a recurrent model such as 'bigru'")
            network_kwargs["mask_value"] = pad_value
        holder = {}

        def build():
            import keras

            network = zoo.build(spec.name, **network_kwargs)
            inputs = keras.Input(input_shape, name="inputs", dtype="float32")
            scaled = Standardize(mean=holder["stats"][0], std=holder["stats"][1],
                                 pad_value=pad_value, name="scaler")(inputs)
            holder["model"] = keras.Model(inputs, network(scaled), name="classifier")
            return holder["model"]

        holder["stats"] = stats
        train_kwargs = dict(self._training_kwargs(), epochs=self.epochs,
                            batch_size=self.batch_size, loss="sparse_categorical_crossentropy",
                            metrics=["accuracy"], class_weight=weights,
                            strategy=self.distribute_strategy, verbose=self.verbose)
        if self.seed is not None:
            training.set_seed(self.seed)
        val = (X_arr[val_idx], y_idx[val_idx]) if len(val_idx) else None
        _, history = training.fit(build, (X_arr[train_idx], y_idx[train_idx]),
                                  validation_data=val, **train_kwargs)
        self.history_ = history
        self.best_epoch_ = None
        if history.get("val_loss"):
            self.best_epoch_ = int(np.nanargmin(history["val_loss"])) + 1
        self.validation_metrics_ = {}
        if val is not None:
            from zoo import metrics

            proba = np.asarray(holder["model"](val[0], training=False))
            self.validation_metrics_ = {
                "n_samples": int(len(val_idx)),
                "model": metrics.classification_metrics(val[1], proba.argmax(1), proba,
                                                        classes=np.arange(len(classes))),
            }
        if self.refit and val is not None:
            holder["stats"] = _feature_stats(X_arr, pad_value) if self.scaling != "none" else stats
            if self.seed is not None:
                training.set_seed(self.seed)
            refit_kwargs = dict(train_kwargs, epochs=self.best_epoch_ or self.epochs,
                                early_stopping=False)
            if refit_kwargs["reduce_lr_on_plateau"] == "auto":
                refit_kwargs["reduce_lr_on_plateau"] = False
            _, self.refit_history_ = training.fit(build, (X_arr, y_idx), **refit_kwargs)
        self.model_ = holder["model"]
        self.classes_ = classes
        self.pad_value_ = pad_value
        self.variable_length_ = variable
        self.n_timesteps_ = None if variable else int(X_arr.shape[1])
        self.n_features_in_ = int(n_features)
        self.network_kwargs_ = network_kwargs
        self.scaling_stats_ = {"mean": holder["stats"][0], "std": holder["stats"][1]}
        return self

    def _class_weights(self, classes, y, y_idx):
        if self.class_weight is None:
            return None
        if self.class_weight == "balanced":
            counts = np.bincount(y_idx, minlength=len(classes))
            return {i: float(len(y) / (len(classes) * c)) for i, c in enumerate(counts)}
        unknown = [k for k in self.class_weight if k not in set(classes.tolist())]
        if unknown:
            raise ValueError(f"class_weight names unknown classes {unknown}; classes are "
                             f"{classes.tolist()}")
        return {i: float(self.class_weight.get(c, 1.0)) for i, c in enumerate(classes.tolist())}

    def _split(self, y_idx):
        n = len(y_idx)
        vs = self.validation_size
        n_val = int(vs) if isinstance(vs, numbers.Integral) else int(math.ceil(n * vs))
        if n_val == 0:
            return np.arange(n), np.zeros(0, "int64")
        if n_val >= n:
            raise ValueError(f"validation_size={vs!r} leaves no training samples (n={n})")
        from sklearn.model_selection import train_test_split

        counts = np.bincount(y_idx)
        stratify = y_idx if counts.min() >= 2 and n_val >= len(counts) else None
        train_idx, val_idx = train_test_split(np.arange(n), test_size=n_val, stratify=stratify,
                                              random_state=self.seed)
        return np.sort(train_idx), np.sort(val_idx)

    # ------------------------------------------------------------------ inference
    def _prepare(self, X):
        if not hasattr(self, "classes_"):
            self._check_fitted()
        data, variable = as_sequences(X)
        widths = {d.shape[-1] for d in data} if variable else {data.shape[-1]}
        if widths != {self.n_features_in_}:
            raise ValueError(f"X has {sorted(widths)} feature(s) per step; the model was fitted "
                             f"on {self.n_features_in_}")
        if variable or self.variable_length_:
            if not self.variable_length_:
                raise ValueError(f"the model was fitted on fixed-length sequences of "
                                 f"{self.n_timesteps_} steps; got variable lengths")
            seqs = data if variable else list(data)
            return pad_sequences(seqs, self.pad_value_)
        if data.shape[1] != self.n_timesteps_:
            raise ValueError(f"X has {data.shape[1]} time steps; the model was fitted on "
                             f"{self.n_timesteps_}")
        return data.astype("float32")

    def predict_proba(self, X):
        """Class probabilities ``[n, n_classes]`` in the order of ``classes_``.

        Args:
            X: Sequences as in :meth:`fit`.

        Returns:
            A float array.
        """
        x = self._prepare(X)
        return np.asarray(self._call(x))

    def _call(self, x, future=None):
        return self.model_(x, training=False)

    def predict(self, X):
        """Predicted labels.

        Args:
            X: Sequences as in :meth:`fit`.

        Returns:
            An array of labels from ``classes_``.
        """
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def score(self, X, y):
        """Accuracy on ``(X, y)``.

        Args:
            X: Sequences.
            y: True labels.

        Returns:
            The fraction of correct predictions.
        """
        y = np.asarray(y)
        pred = self.predict(X)
        if len(pred) != len(y):
            raise ValueError(f"X and y have different lengths: {len(pred)} and {len(y)}")
        return float(np.mean(pred == y))

    # ------------------------------------------------------------------ export / load
    def export(self, path, overwrite=False, formats=None):
        """Writes the self-contained artifact (SavedModel + zoo.json + model.keras [+ ONNX]).

        Args:
            path: The artifact directory.
            overwrite: Replace an existing artifact.
            formats: Extra formats, a subset of ``("keras", "onnx")``.

        Returns:
            The artifact path.
        """
        from zoo.export import export_estimator

        self._check_fitted()
        return export_estimator(self, path, overwrite=overwrite, formats=formats)

    def _input_specs(self):
        return {"inputs": (None, self.n_timesteps_, self.n_features_in_)}

    def _manifest(self):
        params = {k: v for k, v in self.get_params().items()
                  if k != "distribute_strategy" and not hasattr(v, "get_config")}
        return {
            "task": "classify",
            "model": self.model,
            "model_kwargs": self.network_kwargs_,
            "params": params,
            "classes": self.classes_.tolist(),
            "n_timesteps": self.n_timesteps_,
            "n_features": self.n_features_in_,
            "variable_length": self.variable_length_,
            "pad_value": self.pad_value_,
            "scaling": self.scaling_stats_,
            "metrics": {"validation": self.validation_metrics_},
            "best_epoch": self.best_epoch_,
        }

    def _restore(self, m):
        self.classes_ = np.asarray(m["classes"])
        self.n_timesteps_ = m["n_timesteps"]
        self.n_features_in_ = m["n_features"]
        self.variable_length_ = m["variable_length"]
        self.pad_value_ = m["pad_value"]
        self.network_kwargs_ = m["model_kwargs"]
        self.scaling_stats_ = m["scaling"]
        self.validation_metrics_ = m["metrics"].get("validation", {})
        self.best_epoch_ = m.get("best_epoch")
        self.history_ = {}

    @classmethod
    def load(cls, path):
        """A fitted Classifier back from an artifact's ``model.keras`` and manifest.

        Args:
            path: An artifact directory written by :meth:`export`.

        Returns:
            A fitted :class:`Classifier`.
        """
        from zoo.export import load_estimator

        return load_estimator(path, expected_task="classify")


def _feature_stats(X, pad_value):
    flat = X.reshape(-1, X.shape[-1]).astype("float64")
    if pad_value is not None:
        flat = flat[~np.all(flat == pad_value, axis=1)]
    mean = flat.mean(axis=0)
    std = flat.std(axis=0)
    std = np.where(std > 1e-12, std, 1.0)
    return mean.tolist(), std.tolist()
