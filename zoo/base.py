"""What the two estimators share: parameter storage, training options, checks.

Estimators follow scikit-learn's conventions (``__init__`` only stores its
arguments; ``get_params`` / ``set_params`` / ``sklearn.base.clone`` work; ``fit``
returns ``self``; learned attributes end in ``_``), so they inherit
``sklearn.base.BaseEstimator``. Training itself is delegated to
:func:`zoo.training.fit`, which owns optimizers, clipping, schedules and callbacks.
"""

from __future__ import annotations

import numbers

from sklearn.base import BaseEstimator

# The training keywords both estimators accept and pass to zoo.training.fit.
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
)


def check_int(value, name, minimum=1):
    """``value`` as an int >= ``minimum``, else a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


class ZooEstimator(BaseEstimator):
    """Base class of :class:`zoo.Forecaster` and :class:`zoo.Classifier`."""

    def _check_fitted(self):
        if not hasattr(self, "model_"):
            raise RuntimeError(
                f"this {type(self).__name__} is not fitted yet: call fit() first "
                f"(or {type(self).__name__}.load(path))"
            )

    def _training_kwargs(self) -> dict:
        return {name: getattr(self, name) for name in TRAINING_PARAMS}

    def _check_common(self):
        from zoo.registry import get_spec

        spec = get_spec(self.model)
        check_int(self.epochs, "epochs")
        check_int(self.batch_size, "batch_size")
        if self.seed is not None:
            check_int(self.seed, "seed", minimum=0)
        if self.model_kwargs is not None and not isinstance(self.model_kwargs, dict):
            raise TypeError(f"model_kwargs must be a dict or None, got {type(self.model_kwargs).__name__}")
        reserved = {"task", "input_shape", "horizon", "n_targets", "n_classes", "quantiles",
                    "n_future", "api"}
        clash = reserved & set(self.model_kwargs or {})
        if clash:
            raise ValueError(
                f"model_kwargs may not set {sorted(clash)}: the estimator derives them from the data"
            )
        if not isinstance(self.units, (numbers.Integral, list, tuple)) or isinstance(self.units, bool):
            raise ValueError(f"units must be an int or a list of ints, got {self.units!r}")
        if isinstance(self.dropout, bool) or not isinstance(self.dropout, numbers.Real) or not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be a float in [0, 1), got {self.dropout!r}")
        from zoo.training import resolve_options

        # raises the clipping / schedule ValueErrors before any data is touched
        resolve_options(
            lr_schedule=self.lr_schedule,
            reduce_lr_on_plateau=self.reduce_lr_on_plateau,
            early_stopping=self.early_stopping,
            clipnorm=self.clipnorm,
            clipvalue=self.clipvalue,
            global_clipnorm=self.global_clipnorm,
            has_validation=True,
        )
        return spec

    def _builder_kwargs(self, spec) -> dict:
        units = self.units
        if isinstance(units, tuple):
            units = list(units)
        if isinstance(units, numbers.Integral) and spec.builder.__name__ == "stacked":
            units = [int(units), int(units)]  # a stacked preset with an int means two layers
        kwargs = {"units": units, "dropout": float(self.dropout)}
        kwargs.update(self.model_kwargs or {})
        return kwargs
