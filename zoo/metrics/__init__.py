"""Forecast and classification metrics, in plain numpy.

Every metric is a function ``f(y_true, y_pred, ...) -> float`` that takes arrays of
any shape (numpy arrays, lists, pandas Series/DataFrames) and averages over every
element. ``y_true`` and ``y_pred`` must have exactly the same shape: a ``[h]`` forecast
against ``[h, 1]`` actuals would otherwise broadcast to ``[h, h]`` and give a wrong,
plausible-looking number, so a mismatch raises ``ValueError`` naming both shapes.

Missing values (forecast metrics):
    * ``NaN`` in ``y_true`` marks a missing observation: that position is skipped.
      Backtests over real data meet gaps in the actuals, and a gap says nothing about
      the forecast.
    * ``NaN`` in ``y_pred`` (or in ``lower``/``upper``) is *not* skipped: it makes the
      result ``NaN``, so that a broken forecast can never look good.
    * If every ``y_true`` is ``NaN`` the result is ``NaN``; empty input raises
      ``ValueError``.
    * ``crps`` scores sample forecasts, ``samples`` of shape ``[n_samples, *y_true.shape]``
      (the sample axis first), in place of ``y_pred``; ``NaN`` or inf in them raises
      ``ValueError``.

Percentage metrics (``mape``, ``smape``) are in percent. ``mape`` raises ``ValueError``
when an observed ``y_true`` is 0 (the ratio is undefined); ``forecast_metrics`` reports
``NaN`` for it instead.

Classification metrics accept labels of any hashable kind numpy can sort (ints,
strings) and match scikit-learn's definitions.

Example:
    >>> from zoo import metrics
    >>> metrics.mae([1.0, 2.0, 3.0], [1.5, 2.0, 2.0])
    0.5
    >>> round(metrics.mape([100.0, 200.0], [110.0, 180.0]), 6)
    10.0
    >>> metrics.accuracy(["a", "b", "b"], ["a", "b", "a"]) == 2 / 3
    True
"""

from zoo.metrics.classification import (
    accuracy,
    classification_metrics,
    confusion_matrix,
    log_loss,
    macro_f1,
)
from zoo.metrics.forecast import (
    coverage,
    crps,
    forecast_metrics,
    mae,
    mape,
    mase,
    pinball_loss,
    rmse,
    smape,
)
from zoo.metrics.segmentation import (
    edit_score,
    labelling_metrics,
    segment_f1,
    segments,
    step_accuracy,
    step_macro_f1,
)

__all__ = [
    "accuracy",
    "classification_metrics",
    "confusion_matrix",
    "coverage",
    "crps",
    "edit_score",
    "forecast_metrics",
    "labelling_metrics",
    "log_loss",
    "macro_f1",
    "mae",
    "mape",
    "mase",
    "pinball_loss",
    "rmse",
    "segment_f1",
    "segments",
    "smape",
    "step_accuracy",
    "step_macro_f1",
]
