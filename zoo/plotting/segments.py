"""Segmentation plots: the true labels of a stream beside one or more predicted labellings."""

from __future__ import annotations

import pathlib

import numpy as np

from zoo.plotting._common import _new_figure, _save


def _segments_figure(truth, predictions, classes=None, title=None):
    truth = np.asarray(truth)
    if truth.ndim != 1 or truth.size == 0:
        raise ValueError(f"truth must be a non-empty 1-D label sequence; got shape {truth.shape}")
    if not isinstance(predictions, dict):
        raise TypeError(f"predictions must be a dict of name -> labels; got "
                        f"{type(predictions).__name__}")
    rows = {"true": truth}
    for name, labels in predictions.items():
        labels = np.asarray(labels)
        if labels.shape != truth.shape:
            raise ValueError(f"predictions[{name!r}] has shape {labels.shape}; the truth has "
                             f"{truth.shape}")
        rows[str(name)] = labels
    classes = list(classes) if classes is not None else sorted(
        set(np.concatenate(list(rows.values())).tolist()))
    index = {c: i for i, c in enumerate(classes)}
    from matplotlib import colormaps
    from matplotlib.patches import Patch

    colours = [colormaps["tab10"](i % 10) for i in range(len(classes))]
    fig = _new_figure(10.0, 0.6 + 0.5 * len(rows))
    ax = fig.add_subplot(1, 1, 1)
    for r, (name, labels) in enumerate(rows.items()):
        codes = np.array([index.get(v, -1) for v in labels.tolist()])
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        ends = np.r_[starts[1:], len(codes)]
        for s, e in zip(starts, ends):
            colour = colours[codes[s]] if codes[s] >= 0 else "lightgrey"
            ax.broken_barh([(s, e - s)], (len(rows) - 1 - r - 0.4, 0.8), facecolors=colour)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(list(rows)[::-1])
    ax.set_xlim(0, len(truth))
    ax.set_xlabel("time step")
    handles = [Patch(color=colours[i], label=str(c)) for i, c in enumerate(classes)]
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    if title:
        ax.set_title(title)
    return fig


def plot_segments(truth, predictions, path, classes=None, title=None) -> pathlib.Path:
    """Draws a stream's true labels above each predicted labelling, one colour per class.

    Args:
        truth: The true label of every step, ``[T]``.
        predictions: Name -> predicted labels ``[T]`` (e.g. the labeller, a baseline).
        path: The PNG file to write.
        classes: The class order of the colours (default: sorted labels).
        title: Figure title.

    Returns:
        The path written.

    Example:
        >>> import tempfile, pathlib
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "segments.png"
        >>> plot_segments(["a", "a", "b"], {"model": ["a", "b", "b"]}, out).name
        'segments.png'
    """
    return _save(_segments_figure(truth, predictions, classes, title), path)
