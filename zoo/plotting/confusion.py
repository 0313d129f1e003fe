"""Confusion-matrix plots, annotated, optionally normalised per true class."""

from __future__ import annotations

import pathlib

import numpy as np

from zoo.plotting._common import _new_figure, _save


def _confusion_figure(cm, labels, title=None, normalize=False):
    try:
        counts = np.asarray(cm, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError("cm must be a numeric [n_labels, n_labels] array") from None
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.shape[0] == 0:
        raise ValueError(
            f"cm must be a square [n_labels, n_labels] array; got shape {counts.shape}"
        )
    names = [str(lab) for lab in labels]
    if len(names) != counts.shape[0]:
        raise ValueError(
            f"labels must have one entry per row of cm ({counts.shape[0]}); got {len(names)}"
        )
    if np.any(counts < 0):
        raise ValueError("cm must hold non-negative counts")
    if normalize:
        row_sums = counts.sum(axis=1, keepdims=True)
        # A class absent from y_true has an all-zero row: leave it 0 instead of 0/0.
        values = np.divide(counts, row_sums, out=np.zeros_like(counts), where=row_sums > 0)
    else:
        values = counts

    n = counts.shape[0]
    size = min(max(4.0, 0.6 * n + 2.5), 20.0)
    fig = _new_figure(size + 1.0, size)
    ax = fig.add_subplot(1, 1, 1)
    image = ax.imshow(values, cmap="Blues", vmin=0, vmax=1 if normalize else None)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ax.set_xticks(np.arange(n), labels=names)
    ax.set_yticks(np.arange(n), labels=names)
    if max((len(s) for s in names), default=0) > 3 or n > 10:
        for tick in ax.get_xticklabels():
            tick.set_rotation(45)
            tick.set_horizontalalignment("right")
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    if n <= 30:
        threshold = (values.max() if values.size else 0) / 2.0
        for i in range(n):
            for j in range(n):
                text = f"{values[i, j]:.2f}" if normalize else f"{counts[i, j]:.0f}"
                ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize=8 if n > 10 else 10,
                    color="white" if values[i, j] > threshold else "black",
                )
    ax.set_title(
        title or ("Confusion matrix (row-normalised)" if normalize else "Confusion matrix")
    )
    return fig


def plot_confusion_matrix(cm, labels, path, title=None, normalize=False) -> pathlib.Path:
    """Draw an annotated confusion matrix and write a PNG.

    Args:
        cm: Square array of counts, rows = true labels, columns = predicted labels
            (as ``zoo.metrics.confusion_matrix`` returns).
        labels: Names of the rows/columns, in order.
        path: Output file (``.png``; parent directories are created).
        title: Figure title.
        normalize: If True, divide each row by its total so cells show the fraction of
            each true class (recall on the diagonal).

    Returns:
        The ``pathlib.Path`` written.

    Raises:
        ValueError: If ``cm`` is not square or ``labels`` has the wrong length.

    Example:
        >>> import tempfile, pathlib
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "cm.png"
        >>> plot_confusion_matrix([[5, 1], [2, 7]], ["cat", "dog"], out).exists()
        True
    """
    return _save(_confusion_figure(cm, labels, title=title, normalize=normalize), path)
