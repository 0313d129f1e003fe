"""Diagnostic plots written straight to PNG files.

Each public function draws on a fresh ``matplotlib.figure.Figure`` with the Agg
canvas, writes a PNG to ``path`` (creating parent directories) and returns the
``pathlib.Path``. ``pyplot`` is never used, so no global figure state is touched, no
window opens, and nothing is left to close; this also works on headless servers
whatever backend the user chose. matplotlib is imported inside the functions, so
``import zoo.plotting`` costs nothing.

* ``plot_history``          loss curves (+ other metrics, learning rate) per epoch.
* ``plot_forecast``         history, forecast, quantile band, actuals and baselines.
* ``plot_confusion_matrix`` an annotated confusion matrix.
* ``plot_segments``         a stream's true labels beside predicted labellings.

Example:
    >>> import tempfile, pathlib
    >>> from zoo import plotting
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "loss.png"
    >>> plotting.plot_history({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}, out).name
    'loss.png'
"""

from zoo.plotting.confusion import plot_confusion_matrix
from zoo.plotting.forecast import plot_forecast
from zoo.plotting.history import plot_history
from zoo.plotting.segments import plot_segments

__all__ = ["plot_confusion_matrix", "plot_forecast", "plot_history", "plot_segments"]
