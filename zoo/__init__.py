"""zoo: a Keras/TensorFlow model zoo for time series.

Public names: ``build``, ``list_models``, ``Forecaster``, ``Classifier``, ``load``,
``datasets``, ``metrics``. They are resolved lazily so that ``import zoo`` (and
``zoo --version``) does not pay TensorFlow's import cost until a model is needed.
"""

from __future__ import annotations

import importlib

from zoo._version import __version__

# public name -> (module, attribute or None for the module itself)
_LAZY = {
    "build": ("zoo.registry", "build"),
    "list_models": ("zoo.registry", "list_models"),
    "Forecaster": ("zoo.forecaster", "Forecaster"),
    "Classifier": ("zoo.classifier", "Classifier"),
    "SequenceLabeler": ("zoo.labeler", "SequenceLabeler"),
    "load": ("zoo.predictor", "load"),
    "datasets": ("zoo.datasets", None),
    "metrics": ("zoo.metrics", None),
    "builders": ("zoo.builders", None),
    "training": ("zoo.training", None),
    "windows": ("zoo.windows", None),
    "baselines": ("zoo.baselines", None),
    "backtest": ("zoo.backtest", None),
    "tune": ("zoo.tuning", "tune"),
    "plotting": ("zoo.plotting", None),
    "testing": ("zoo.testing", None),
    "export": ("zoo.export", None),
    "export_serving": ("zoo.serving.layout", "export_serving"),
    "serving": ("zoo.serving", None),
    "NaiveForecaster": ("zoo.baselines", "NaiveForecaster"),
    "SeasonalNaiveForecaster": ("zoo.baselines", "SeasonalNaiveForecaster"),
    "DriftForecaster": ("zoo.baselines", "DriftForecaster"),
    "MeanForecaster": ("zoo.baselines", "MeanForecaster"),
}

__all__ = [
    "__version__",
    "build",
    "list_models",
    "Forecaster",
    "Classifier",
    "SequenceLabeler",
    "load",
    "datasets",
    "metrics",
]


def __getattr__(name):
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'zoo' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
