"""What every estimator shares: parameters, their checks, train-then-refit, export and load.

Estimators follow scikit-learn's conventions (``__init__`` only stores its
arguments; ``get_params`` / ``set_params`` / ``sklearn.base.clone`` work; ``fit``
returns ``self``; learned attributes end in ``_``), so they inherit
``sklearn.base.BaseEstimator``. Training is delegated to :func:`zoo.training.fit`,
which owns optimizers, clipping, schedules and callbacks; writing and reading the
artifact to :mod:`zoo.export`, which knows no estimator class.

A subclass sets ``task``, lists its arguments explicitly in ``__init__`` (calling
``self._set_params_from(locals())``), puts ``{training_args}`` in its docstring
where the shared training arguments are documented, and implements
``_input_specs`` (the SavedModel's inputs), ``_manifest`` (its task's facts, merged
with :meth:`_manifest_common`) and ``_restore`` (the inverse of ``_manifest``).
"""

from __future__ import annotations

import contextlib

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError as _SklearnNotFitted

from zoo._checks import (
    check_bool,
    check_choice,
    check_int,
    check_out_path,
    check_rate,
    check_size,
    check_units,
    is_int,
)

# The training keywords every estimator accepts and passes to zoo.training.fit.
TRAINING_PARAMS = (
    "optimizer",
    "learning_rate",
    "lr_schedule",
    "decay_steps",
    "decay_epochs",
    "decay_rate",
    "clipnorm",
    "clipvalue",
    "global_clipnorm",
    "reduce_lr_on_plateau",
    "early_stopping",
    "checkpoint_dir",
    "backup_dir",
    "csv_log",
    "tensorboard_dir",
    "pruning",
)

TRAINING_DOC = """optimizer: Optimizer name (see :mod:`zoo.training`) or a Keras optimizer.
        learning_rate: Initial learning rate.
        lr_schedule: None, ``"exponential"``, ``"cosine"`` or a Keras schedule.
        decay_steps: Schedule period in optimizer steps.
        decay_epochs: Schedule period in epochs (converted with steps per epoch).
        decay_rate: Exponential decay rate.
        clipnorm: ``"auto"`` (1.0 unless another clipping is set), None or a float.
        clipvalue: Clip each gradient element.
        global_clipnorm: Clip the joint gradient norm.
        reduce_lr_on_plateau: ``"auto"``, True, False or a dict of keyword arguments.
        early_stopping: ``"auto"``, True, False or a dict of keyword arguments.
        checkpoint_dir: Save the best model here during training.
        backup_dir: Resume an interrupted fit: rerun the same call and it picks up at
            the epoch after the last completed one, in the first training or in the
            refit (:mod:`zoo.training.resume`); removed when the fit finishes.
        csv_log: Write the history to this CSV file.
        tensorboard_dir: TensorBoard log directory (needs the ``tensorboard`` extra).
        distribute_strategy: A ``tf.distribute.Strategy`` to train under.
        pruning: None, or ``{"target_sparsity": 0.8}`` (optionally ``begin_step``,
            ``end_step``, ``frequency``): magnitude pruning of every kernel during
            training, the refit included; the exported model keeps the zeros
            (:mod:`zoo.training.pruning`)."""

# Builder arguments an estimator derives from the data: model_kwargs may not set them.
DERIVED_BUILDER_ARGS = ("task", "input_shape", "horizon", "n_targets", "n_classes",
                        "quantiles", "n_future", "api")


class NotFittedError(_SklearnNotFitted, RuntimeError):
    """``predict`` before ``fit``: scikit-learn's ``NotFittedError`` (a ``ValueError``
    and ``AttributeError``), and a ``RuntimeError`` as zoo raised before."""


def _best_epoch(history, pruning):
    """The epoch (1-based) of the lowest validation loss, None without validation.

    A pruned fit chooses among the epochs at its target sparsity (the pruning
    callback logs each epoch's ``sparsity``): the refit trains that many epochs, so it
    must run past the end of its own pruning schedule as the first training did.
    """
    val = history.get("val_loss")
    if not val:
        return None
    val = np.asarray(val, "float64")
    reached = np.asarray(history.get("sparsity", []), "float64")
    if pruning and len(reached) == len(val) and reached.size:
        at_target = reached >= reached.max() - 1e-9
        if at_target.any() and np.isfinite(val[at_target]).any():
            val = np.where(at_target, val, np.nan)
    return int(np.nanargmin(val)) + 1


class ZooEstimator(BaseEstimator):
    """Base class of :class:`zoo.Forecaster` and :class:`zoo.Classifier`."""

    #: The artifact's task ("forecast", "classify"), also the Predictor's lookup key.
    task = None
    #: Constructor arguments the manifest stores at its top level, not again in "params".
    _TOP_LEVEL_PARAMS = ("model",)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__doc__ and "{training_args}" in cls.__doc__:
            cls.__doc__ = cls.__doc__.replace("{training_args}", TRAINING_DOC)

    def _set_params_from(self, arguments: dict) -> None:
        # __init__ only stores its arguments (scikit-learn's rule), all of them
        for name in self._get_param_names():
            setattr(self, name, arguments[name])

    # ------------------------------------------------------------------ checks
    def _check_fitted(self):
        if not hasattr(self, "model_"):
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet: call fit() first "
                f"(or {type(self).__name__}.load(path))"
            )

    def _training_kwargs(self) -> dict:
        return {name: getattr(self, name) for name in TRAINING_PARAMS}

    def _check_common(self):
        """Checks the shared parameters; returns the model's registry spec."""
        from zoo import auto, ensemble
        from zoo.registry import get_spec, list_models

        ensemble.check_params(self)
        # with model="auto" the rest is checked as for the default model (a candidate
        # that refuses a setting fails alone, recorded in search_)
        spec = get_spec(auto.DEFAULT_MODEL[self.task] if self.model == auto.AUTO else self.model)
        if self.task not in spec.tasks:
            raise ValueError(f"model {self.model!r} does not support task {self.task!r}; "
                             f"choose one of {list_models(self.task)}")
        if self.seed is not None:
            check_int(self.seed, "seed", minimum=0, maximum=2**32 - 1)
        check_bool(self.refit, "refit")
        if self.model_kwargs is not None and not isinstance(self.model_kwargs, dict):
            raise TypeError(f"model_kwargs must be a dict or None, got "
                            f"{type(self.model_kwargs).__name__}")
        clash = set(DERIVED_BUILDER_ARGS) & set(self.model_kwargs or {})
        if clash:
            raise ValueError(
                f"model_kwargs may not set {sorted(clash)}: the estimator derives them from the data"
            )
        check_units(self.units)
        check_rate(self.dropout, "dropout")
        from zoo.training import check_options

        # the optimizer, schedule, clipping and callback options, before any data is read
        check_options(**self._training_kwargs(), epochs=self.epochs, batch_size=self.batch_size,
                      strategy=self.distribute_strategy, verbose=self.verbose)
        return spec

    def _option_kwargs(self) -> dict:
        return {k: getattr(self, k) for k in ("lr_schedule", "reduce_lr_on_plateau",
                                              "early_stopping", "clipnorm", "clipvalue",
                                              "global_clipnorm")}

    def _builder_kwargs(self, spec) -> dict:
        units = self.units
        if not is_int(units):
            units = check_units(units)  # a tuple or an array of ints: a list of ints
        if is_int(units) and spec.depth > 1:
            units = [int(units)] * spec.depth  # e.g. a stacked preset: an int is every layer
        kwargs = {"units": int(units) if is_int(units) else units, "dropout": float(self.dropout)}
        kwargs.update(self.model_kwargs or {})
        return kwargs

    def _check_network(self, spec) -> None:
        """Builds the network of ``network_kwargs_`` once, unused, when the builder may refuse it.

        ``model_kwargs`` and a list of ``units`` reach the builder unchecked by the
        estimator; building once here refuses them before training starts, not inside
        it. Without them every builder argument was checked already, and nothing is built.
        """
        if self.model_kwargs or not is_int(self.units):
            import zoo

            zoo.build(spec.name, **self.network_kwargs_)

    # ------------------------------------------------------------------ training
    def _train(self, build, data, validation=None, *, refit_data=None, on_trained=None,
               fingerprint_data=(), **fit_kwargs):
        """Trains, then (with ``refit`` and validation data) retrains on all the data.

        The validation part chooses the epoch count (early stopping, the plateau
        schedule); the refit then learns from every sample for that many epochs.

        Args:
            build: Zero-argument callable building the model to train (it is called
                again for the refit: a fresh network).
            data: Zero-argument callable giving the training data for
                :func:`zoo.training.fit` (called after the seed is set).
            validation: Zero-argument callable giving the validation data, or None.
            refit_data: Zero-argument callable giving the refit's data (all samples).
            on_trained: Called after the first training, before the refit (scores
                the model that chose the epoch count).
            fingerprint_data: The training data's arrays: with ``backup_dir``, a
                backup is resumed only into a fit of the same parameters and data.
            **fit_kwargs: The task's keywords for :func:`zoo.training.fit` (``loss``,
                ``metrics``, ``class_weight``).
        """
        from zoo import training

        options = training.resolve_options(**self._option_kwargs(),
                                           has_validation=validation is not None)
        epochs = self.epochs
        if self.pruning and options["early_stopping"]:
            from zoo.training import pruning

            # early stopping ends it; the room is for learning on at the target sparsity
            epochs = int(round(self.epochs * pruning.EPOCH_FACTOR))
        kwargs = dict(self._training_kwargs(), epochs=epochs, batch_size=self.batch_size,
                      strategy=self.distribute_strategy, verbose=self.verbose, **fit_kwargs)
        state = self._fit_state(fingerprint_data)
        if self.seed is not None:
            training.set_seed(self.seed)
        history = self._phase(state, "train", build, data,
                              keep=bool(self.refit and validation is not None),
                              validation_data=None if validation is None else validation(),
                              **kwargs)
        self.history_ = history
        self.best_epoch_ = _best_epoch(history, self.pruning)
        if on_trained is not None:
            on_trained()
        refit = bool(self.refit and validation is not None)
        chose = [what for what, on in (("epochs (early stopping)", options["early_stopping"]),
                                       ("learning-rate reductions",
                                        options["reduce_lr_on_plateau"]),
                                       ("the refit's epoch count", refit)) if on]
        self.validation_scope_ = {
            "scored_model": "before the refit on all data" if refit else "the exported model",
            "validation_chose": chose if validation is not None else [],
        }
        if refit:
            if self.seed is not None:
                training.set_seed(self.seed)
            refit_kwargs = dict(kwargs, epochs=self.best_epoch_ or self.epochs,
                                early_stopping=False)
            if refit_kwargs["reduce_lr_on_plateau"] == "auto":
                refit_kwargs["reduce_lr_on_plateau"] = False  # no validation loss to watch
            self.refit_history_ = self._phase(state, "refit", build, refit_data, **refit_kwargs)
        if state is not None:
            state.clear()

    def _fit_state(self, arrays):
        """The resumable state under ``backup_dir`` (None without one)."""
        if self.backup_dir is None:
            return None
        import tensorflow as tf

        if isinstance(self.distribute_strategy, tf.distribute.MultiWorkerMirroredStrategy):
            # every worker runs this fit: zoo.training.fit's own chief-only backup serves
            return None
        from zoo.training.resume import FitState, fingerprint

        skip = {"backup_dir", "checkpoint_dir", "csv_log", "tensorboard_dir", "verbose",
                "epochs", "distribute_strategy"}
        params = {k: v for k, v in self.get_params().items() if k not in skip}
        return FitState(self.backup_dir,
                        fingerprint({"params": params, "network": self.network_kwargs_},
                                    *arrays))

    def _phase(self, state, phase, build, data, *, keep=False, **kwargs):
        """One ``training.fit``; with a backup, resumable and its whole history kept.

        A phase that finished before a kill is not trained again: its weights load into
        a fresh ``build()`` and its history comes back (``keep`` stores them for that).
        """
        from zoo import training

        if state is None:
            return training.fit(build, data(), **kwargs)[1]
        history = state.finished(phase)
        if history is not None:
            strategy = kwargs.get("strategy")
            with strategy.scope() if strategy is not None else contextlib.nullcontext():
                state.load_weights(phase, build())
            return history
        kwargs["backup_dir"] = state.phase_dir(phase)
        kwargs["callbacks"] = [state.epoch_log(phase)]
        try:
            model, _ = training.fit(build, data(), **kwargs)
        except training.TrainingDivergedError:
            state.clear()  # a diverged run is not worth resuming
            raise
        history = state.history(phase)
        if keep:
            state.save_finished(phase, model, history)
        return history

    # ------------------------------------------------------------------ export / load
    def export(self, path, overwrite=False, formats=None, max_length=None):
        """Writes the self-contained artifact (SavedModel + zoo.json + model.keras [+ ONNX]).

        Args:
            path: The artifact directory to create.
            overwrite: Replace an existing artifact at ``path``.
            formats: Files beside the SavedModel: a subset of ``("keras", "onnx",
                "litert", "openvino")``; None means keras and onnx (where the ``onnx``
                extra is installed). ``"litert"`` writes ``model.tflite`` (builtin
                ops only) and ``"openvino"`` ``model.xml`` + ``model.bin`` (the
                ``edge`` extra); both take raw values and return raw units.
            max_length: Variable-length models: the fixed input length of the edge
                formats (shorter sequences are padded with the manifest's ``pad_value``).

        Returns:
            The artifact's ``pathlib.Path``.
        """
        from zoo.export import write_artifact

        self._check_fitted()
        path = check_out_path(path, "path")
        overwrite = check_bool(overwrite, "overwrite")
        specs = self._input_specs()
        return write_artifact(self.model_, path, input_specs=specs,
                              manifest=self._manifest(), overwrite=overwrite, formats=formats,
                              max_length=max_length, extra_endpoints=self._endpoints(specs))

    def _endpoints(self, input_specs) -> dict:
        """SavedModel endpoints beside ``serve`` (see ``zoo.export.write_saved_model``)."""
        return {}

    def _manifest_common(self) -> dict:
        """The manifest keys every task has: task, model, the builder kwargs, params, metrics."""
        from zoo import auto

        params = {k: v for k, v in self.get_params().items()
                  if k not in self._TOP_LEVEL_PARAMS and k != "distribute_strategy"
                  and not callable(v) and not hasattr(v, "get_config")}
        derived = set(DERIVED_BUILDER_ARGS) | {"mask_value"}
        return {
            "task": self.task,
            "model": auto.chosen_model(self),
            # the network's own arguments; the data-derived ones are the manifest's facts
            "model_kwargs": {k: v for k, v in self.network_kwargs_.items() if k not in derived},
            "params": params,
            "metrics": {"validation": self.validation_metrics_,
                        "validation_scope": getattr(self, "validation_scope_", None)},
            "best_epoch": self.best_epoch_,
            "kernel_sparsity": self._kernel_sparsity(),
            "search": getattr(self, "search_", None),
            "ensemble": getattr(self, "ensemble_", None),
        }

    def _kernel_sparsity(self):
        """The fraction of zero weights over the model's kernels, when it was pruned."""
        if not self.pruning:
            return None
        from zoo.training import sparsity

        return sparsity(self.model_)

    def _restore_common(self, manifest: dict) -> None:
        self.network_kwargs_ = dict(manifest.get("model_kwargs") or {})
        self.validation_metrics_ = manifest["metrics"].get("validation", {})
        self.validation_scope_ = manifest["metrics"].get("validation_scope")
        self.best_epoch_ = manifest.get("best_epoch")
        self.history_ = {}
        for name in ("search", "ensemble"):  # kept through load and export again
            if manifest.get(name) is not None:
                setattr(self, f"{name}_", manifest[name])

    @classmethod
    def from_manifest(cls, manifest: dict):
        """An estimator holding a manifest's facts, with no Keras model behind it.

        The Predictor uses it to build model inputs from DataFrames and to format
        outputs exactly as the estimator does; :meth:`load` adds the model.

        Args:
            manifest: A verified manifest (:func:`zoo.export.read_manifest`).

        Returns:
            An instance of ``cls`` whose learned attributes come from the manifest.
        """
        accepted = cls._get_param_names()
        params = {k: v for k, v in (manifest.get("params") or {}).items() if k in accepted}
        params.update({k: manifest[k] for k in cls._TOP_LEVEL_PARAMS if k in manifest})
        est = cls(**params)
        est._restore(manifest)
        return est

    @classmethod
    def load(cls, path):
        """A fitted estimator back from an artifact's ``model.keras`` and manifest.

        Args:
            path: An artifact directory written by :meth:`export`.

        Returns:
            A fitted estimator that can predict and continue training.

        Raises:
            ValueError: If the artifact holds another task's model, or no ``model.keras``.
        """
        from zoo.export import load_keras_model, read_manifest

        manifest = read_manifest(path)
        if manifest.get("task") != cls.task:
            raise ValueError(f"{path} holds a {manifest.get('task')!r} model, not a "
                             f"{cls.task!r} model ({cls.__name__})")
        est = cls.from_manifest(manifest)
        est.model_ = load_keras_model(path, manifest)
        return est


class SequenceEstimator(ZooEstimator):
    """What the two sequence estimators (Classifier, SequenceLabeler) share.

    Their features are standardised inside the model (``scaling``), padding is masked,
    and ``class_weight`` weighs classes; the network sits behind a ``Standardize`` layer.
    """

    SCALINGS = ("auto", "global", "none")

    def _check_sequence_params(self):
        spec = self._check_common()
        check_choice(self.scaling, "scaling", self.SCALINGS)
        check_size(self.validation_size)
        cw = self.class_weight
        if cw is not None and cw != "balanced" and not isinstance(cw, dict):
            raise ValueError(f"class_weight must be None, 'balanced' or a dict, got {cw!r}")
        return spec

    def _standardized(self, spec, stats, pad_value, name, adapt_x=None):
        """The network of ``self.network_kwargs_`` behind a ``Standardize`` of ``stats``.

        With ``adapt_x`` (the raw training inputs) the network's data-dependent layers
        are set up from them first (:func:`adapt_network`), as the network sees them.
        """
        import keras

        import zoo
        from zoo.builders.layers import Standardize

        network = zoo.build(spec.name, **self.network_kwargs_)
        inputs = keras.Input(self.network_kwargs_["input_shape"], name="inputs", dtype="float32")
        scaler = Standardize(mean=stats[0], std=stats[1], pad_value=pad_value, name="scaler")
        if adapt_x is not None:
            adapt_network(network, adapt_x, before=scaler)
        return keras.Model(inputs, network(scaler(inputs)), name=name)


def adapt_network(network, x, before=None):
    """Calls ``adapt(inputs)`` on every layer of ``network`` that sets ``adapt_before_fit``.

    Such a layer (e.g. MiniRocket's transform, whose biases are quantiles of training
    data) gets the training inputs exactly as it sees them: ``x`` through ``before``
    and then through the layers ahead of it, in order (an earlier layer adapts first).
    Keras' own ``adapt`` layers (``Normalization``, ...) do not opt in and are left alone.

    Args:
        network: A functional or Sequential ``keras.Model``.
        x: The training inputs of the estimator's model (raw).
        before: A layer applied to ``x`` first (the estimator's scaler), or None.
    """
    import keras

    todo = [layer for layer in network.layers if getattr(layer, "adapt_before_fit", False)]
    if not todo:
        return
    x = np.asarray(x if before is None else before(x))
    for layer in todo:
        if layer.input is network.inputs[0]:
            layer.adapt(x)
        else:  # the layers ahead of it, batched: the features may be large
            layer.adapt(keras.Model(network.inputs, layer.input).predict(x, verbose=0))
