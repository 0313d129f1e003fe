"""Training-history plots: loss curves, other metrics and the learning rate per epoch."""

from __future__ import annotations

import pathlib

import numpy as np

from zoo.plotting._common import _new_figure, _save

_LR_KEYS = ("learning_rate", "lr")


def _history_dict(history) -> dict[str, np.ndarray]:
    raw = getattr(history, "history", history)
    if not isinstance(raw, dict):
        raise TypeError(
            "history must be a dict of metric -> per-epoch values or a keras History "
            f"(an object with a .history dict); got {type(history).__name__}"
        )
    if "loss" not in raw:
        raise ValueError(f"history must contain a 'loss' entry; got keys {sorted(map(str, raw))!r}")
    out = {}
    for key, values in raw.items():
        try:
            arr = np.asarray(values, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError):
            raise ValueError(
                f"history[{key!r}] must be a sequence of numbers, one per epoch"
            ) from None
        out[str(key)] = arr
    if out["loss"].size == 0:
        raise ValueError("history['loss'] is empty; nothing to plot")
    return out


def _wide_range(values: np.ndarray) -> bool:
    """True when positive values span more than 1.5 decades: a log axis reads better."""
    finite = values[np.isfinite(values)]
    return finite.size > 1 and finite.min() > 0 and finite.max() / finite.min() > 10**1.5


def _history_panels(hist: dict[str, np.ndarray]) -> list[tuple[str, list[str]]]:
    """[(panel title, keys drawn in it)]: loss first, other metrics, then learning rate."""
    panels = [("loss", ["loss"] + (["val_loss"] if "val_loss" in hist else []))]
    for key in hist:
        if key == "loss" or key.startswith("val_") or key in _LR_KEYS:
            continue
        panels.append((key, [key] + ([f"val_{key}"] if f"val_{key}" in hist else [])))
    # Validation-only metrics (no training twin) still get a panel.
    drawn = {k for _, keys in panels for k in keys}
    for key in hist:
        if key.startswith("val_") and key not in drawn and key[4:] not in _LR_KEYS:
            panels.append((key, [key]))
    lr_key = next((k for k in _LR_KEYS if k in hist), None)
    if lr_key is not None:
        panels.append(("learning rate", [lr_key]))
    return panels


def _history_figure(history, title=None):
    hist = _history_dict(history)
    panels = _history_panels(hist)
    fig = _new_figure(8.0, 2.6 * len(panels) + 0.6)
    axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    for ax, (name, keys) in zip(axes, panels):
        values = np.concatenate([hist[k] for k in keys])
        for key in keys:
            epochs = np.arange(1, hist[key].size + 1)
            is_val = key.startswith("val_")
            ax.plot(
                epochs,
                hist[key],
                label="validation" if is_val else ("training" if name != "learning rate" else key),
                linestyle="--" if is_val else "-",
                marker="o" if hist[key].size <= 30 else None,
                markersize=3,
            )
        if name == "loss" and "val_loss" in hist and np.isfinite(hist["val_loss"]).any():
            val = hist["val_loss"]
            best = int(np.nanargmin(np.where(np.isfinite(val), val, np.nan)))
            ax.axvline(
                best + 1,
                color="grey",
                linestyle=":",
                linewidth=1,
                label=f"best val_loss {val[best]:.4g} (epoch {best + 1})",
            )
        if _wide_range(values):
            ax.set_yscale("log")
        ax.set_ylabel(name)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="best", fontsize=8)
    axes[-1].set_xlabel("epoch")
    # Epochs are whole numbers; stop the locator from proposing 2.5.
    from matplotlib.ticker import MaxNLocator

    axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.suptitle(title or "Training history")
    return fig


def plot_history(history, path, title=None) -> pathlib.Path:
    """Plot training curves per epoch and write them to a PNG.

    Panels, top to bottom: ``loss`` with ``val_loss`` (the best validation epoch
    marked), one panel per other metric with its ``val_`` twin, and the learning rate
    (key ``"learning_rate"`` or ``"lr"``) when recorded. A panel whose positive values
    span more than 1.5 decades uses a log y-axis.

    Args:
        history: A dict of metric name -> per-epoch values, or a keras ``History``
            (anything with a ``.history`` dict), e.g. the return value of ``model.fit``.
        path: Output file (``.png``; parent directories are created).
        title: Figure title. Default "Training history".

    Returns:
        The ``pathlib.Path`` written.

    Raises:
        ValueError: If ``history`` has no ``"loss"`` entry or a non-numeric entry.

    Example:
        >>> import tempfile, pathlib
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "h.png"
        >>> h = {"loss": [1.0, 0.4], "val_loss": [1.2, 0.6], "learning_rate": [1e-3, 5e-4]}
        >>> plot_history(h, out).exists()
        True
    """
    return _save(_history_figure(history, title=title), path)
