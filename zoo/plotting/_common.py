"""The figure and PNG plumbing every plot shares (Agg canvas, no pyplot)."""

from __future__ import annotations

import pathlib

_DPI = 100


def _new_figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path) -> pathlib.Path:
    if not isinstance(path, (str, pathlib.PurePath)):
        raise TypeError(f"path must be a str or pathlib.Path; got {type(path).__name__}")
    out = pathlib.Path(path)
    if out.suffix.lower() not in ("", ".png"):
        raise ValueError(f"path must name a .png file; got {str(out)!r}")
    if out.suffix == "":
        out = out.with_suffix(".png")
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        fig.savefig(out, format="png", dpi=_DPI)
    finally:
        # Without pyplot nothing else holds the figure; clearing frees its artists now.
        fig.clear()
    return out
