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

Example:
    >>> import tempfile, pathlib
    >>> from zoo import plotting
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "loss.png"
    >>> plotting.plot_history({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}, out).name
    'loss.png'
"""

from __future__ import annotations

import pathlib
import re

import numpy as np

__all__ = ["plot_confusion_matrix", "plot_forecast", "plot_history"]

_DPI = 100
_LR_KEYS = ("learning_rate", "lr")
# "<target>_q0.1", "y_hat_q0.95", "sales_q.5": everything after the last "_q" is the level.
_QUANTILE_COLUMN = re.compile(r"^(?P<target>.*)_q(?P<level>\d*\.?\d+)$")


# --------------------------------------------------------------------------- helpers


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


# --------------------------------------------------------------------------- history


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


# --------------------------------------------------------------------------- forecast


def _as_frame(obj, name: str, default_column: str = "y"):
    import pandas as pd

    if isinstance(obj, pd.Series):
        return obj.to_frame(name=obj.name if obj.name is not None else default_column)
    if isinstance(obj, pd.DataFrame):
        if obj.shape[1] == 0:
            raise ValueError(f"{name} has no columns")
        return obj
    raise TypeError(f"{name} must be a pandas Series or DataFrame; got {type(obj).__name__}")


def _index_kind(index, name: str) -> str:
    import pandas as pd

    if isinstance(index, pd.DatetimeIndex):
        return "datetime"
    if pd.api.types.is_numeric_dtype(index.dtype):
        return "numeric"
    raise ValueError(
        f"{name} must have a DatetimeIndex or a numeric (integer) index; got {type(index).__name__}"
    )


def _x(index):
    import pandas as pd

    if isinstance(index, pd.DatetimeIndex):
        if index.tz is not None:
            # Keep the local wall-clock time the user sees in their data.
            index = index.tz_localize(None)
        # No forced unit: pandas 3 keeps pre-1677 dates that datetime64[ns] cannot hold.
        return index.to_numpy()
    return index.to_numpy(dtype=np.float64)


def _split_forecast_columns(columns) -> tuple[list[str], dict[str, list[tuple[float, str]]]]:
    """Point-forecast columns and, per target, its sorted (level, column) quantiles."""
    points, bands = [], {}
    for col in columns:
        match = _QUANTILE_COLUMN.match(str(col))
        if match and 0 < float(match["level"]) < 1:
            bands.setdefault(match["target"], []).append((float(match["level"]), col))
        else:
            points.append(col)
    for levels in bands.values():
        levels.sort()
    return points, bands


def _pick_column(frame, target, n_targets: int, name: str):
    """The column of ``frame`` for ``target``; a one-column frame fits a lone target."""
    if target in frame.columns:
        return frame[target]
    if frame.shape[1] == 1 and n_targets == 1:
        return frame.iloc[:, 0]
    raise ValueError(
        f"{name} has no column {target!r} (forecast targets); got columns {list(frame.columns)!r}"
    )


def _forecast_figure(
    history, forecast, actuals=None, quantiles=None, title=None, ylabel=None, baselines=None
):
    hist = _as_frame(history, "history")
    fc = _as_frame(forecast, "forecast", default_column=str(hist.columns[0]))
    if len(hist) == 0 or len(fc) == 0:
        raise ValueError(
            f"history and forecast must not be empty; got {len(hist)} and {len(fc)} rows"
        )
    kind = _index_kind(hist.index, "history")
    if _index_kind(fc.index, "forecast") != kind:
        raise ValueError(
            "history and forecast must both have a DatetimeIndex or both a numeric index; "
            f"got {type(hist.index).__name__} and {type(fc.index).__name__}"
        )

    points, bands = _split_forecast_columns(fc.columns)
    targets = list(points) + [t for t in bands if t not in points]
    if quantiles is not None:
        wanted = sorted(float(q) for q in np.atleast_1d(quantiles))
        for target in list(bands):
            have = {round(level, 9): (level, col) for level, col in bands[target]}
            missing = [q for q in wanted if round(q, 9) not in have]
            if missing:
                raise ValueError(
                    f"quantiles {missing!r} have no '{target}_q<level>' column in forecast; "
                    f"available levels {[level for level, _ in bands[target]]!r}"
                )
            bands[target] = [have[round(q, 9)] for q in wanted]
        if not bands:
            raise ValueError(
                f"quantiles={quantiles!r} given but forecast has no '<target>_q<level>' "
                f"columns; got columns {list(fc.columns)!r}"
            )

    act = (
        _as_frame(actuals, "actuals", default_column=str(targets[0]))
        if actuals is not None
        else None
    )
    if baselines is not None and not isinstance(baselines, dict):
        raise TypeError(
            f"baselines must be a dict of name -> Series/DataFrame; got {type(baselines).__name__}"
        )
    base = {
        str(bname): _as_frame(bvalues, f"baselines[{bname!r}]", default_column=str(targets[0]))
        for bname, bvalues in (baselines or {}).items()
    }

    n = len(targets)
    fig = _new_figure(10.0, 3.2 * n + 0.6)
    axes = fig.subplots(n, 1, sharex=True, squeeze=False)[:, 0]
    for ax, target in zip(axes, targets):
        past = _pick_column(hist, target, n, "history")
        ax.plot(_x(past.index), past.to_numpy(dtype=np.float64), color="C0", label="history")
        levels = bands.get(target, [])
        # Nested bands: outermost pair lightest, e.g. q0.1-q0.9 then q0.25-q0.75.
        for k in range(len(levels) // 2):
            (lo_q, lo_col), (hi_q, hi_col) = levels[k], levels[-1 - k]
            ax.fill_between(
                _x(fc.index),
                fc[lo_col].to_numpy(dtype=np.float64),
                fc[hi_col].to_numpy(dtype=np.float64),
                color="C1",
                alpha=0.15 + 0.15 * k,
                linewidth=0,
                label=f"q{lo_q:g}–q{hi_q:g}",
            )
        if target in fc.columns:
            point = fc[target]
            point_label = "forecast"
        else:
            # Quantile-only forecast: the median (or the middle level) is the point.
            mid = min(levels, key=lambda lc: abs(lc[0] - 0.5))
            point, point_label = fc[mid[1]], f"forecast (q{mid[0]:g})"
        ax.plot(
            _x(fc.index),
            point.to_numpy(dtype=np.float64),
            color="C1",
            linewidth=2,
            marker="o" if len(fc) <= 36 else None,
            markersize=3,
            label=point_label,
        )
        if act is not None:
            real = _pick_column(act, target, n, "actuals")
            ax.plot(
                _x(real.index),
                real.to_numpy(dtype=np.float64),
                color="black",
                linewidth=1.2,
                label="actual",
            )
        for i, (bname, bframe) in enumerate(base.items()):
            series = _pick_column(bframe, target, n, f"baselines[{bname!r}]")
            ax.plot(
                _x(series.index),
                series.to_numpy(dtype=np.float64),
                linestyle="--",
                linewidth=0.9,
                color=f"C{(i + 2) % 10}",
                label=bname,
            )
        # Marks the forecast origin: everything right of it was not seen in training.
        ax.axvline(_x(hist.index[-1:])[0], color="grey", linestyle=":", linewidth=1)
        ax.set_ylabel(
            ylabel if ylabel and n == 1 else (f"{target} ({ylabel})" if ylabel else str(target))
        )
        ax.grid(True, alpha=0.3)
        ax.legend(loc="best", fontsize=8)
    if kind == "datetime":
        from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

        locator = AutoDateLocator()
        axes[-1].xaxis.set_major_locator(locator)
        axes[-1].xaxis.set_major_formatter(ConciseDateFormatter(locator))
    else:
        axes[-1].set_xlabel("step")
    fig.suptitle(title or "Forecast")
    return fig


def plot_forecast(
    history,
    forecast,
    path,
    actuals=None,
    quantiles=None,
    title=None,
    ylabel=None,
    baselines=None,
) -> pathlib.Path:
    """Plot past values, the forecast and its uncertainty, and write a PNG.

    One panel per target. Forecast columns named ``"<target>_q<level>"`` (as
    ``Forecaster.predict`` returns for quantile models) are drawn as shaded bands,
    the outermost pair (lowest and highest level) lightest, inner pairs darker; if a
    target has quantile columns but no point column, the level nearest 0.5 is drawn as
    the point forecast. A dotted vertical line marks the end of ``history``.

    Args:
        history: Past values, a pandas Series or DataFrame with a DatetimeIndex or a
            numeric index. Columns that are not forecast targets (covariates) are ignored.
        forecast: Forecast, a Series or DataFrame indexed by the future steps, one
            column per target plus optional quantile columns.
        path: Output file (``.png``; parent directories are created).
        actuals: Optional observed values over the forecast period (Series or DataFrame
            with the targets' columns), drawn in black.
        quantiles: Optional quantile levels to draw (each must have a column);
            default: every quantile column found.
        title: Figure title. Default "Forecast".
        ylabel: Unit or label for the y-axis.
        baselines: Optional dict name -> Series/DataFrame of baseline forecasts, drawn
            as thin dashed lines.

    Returns:
        The ``pathlib.Path`` written.

    Raises:
        ValueError: If the index kinds differ, a target column is missing from
            ``history``/``actuals``/a baseline, or a requested quantile has no column.

    Example:
        >>> import tempfile, pathlib
        >>> import pandas as pd
        >>> past = pd.Series([1.0, 2.0, 3.0], index=pd.date_range("2024-01-01", periods=3, freq="D"), name="y")
        >>> future = pd.DataFrame({"y": [4.0, 5.0], "y_q0.1": [3.5, 4.0], "y_q0.9": [4.5, 6.0]},
        ...                       index=pd.date_range("2024-01-04", periods=2, freq="D"))
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "fc.png"
        >>> plot_forecast(past, future, out).stat().st_size > 0
        True
    """
    fig = _forecast_figure(
        history,
        forecast,
        actuals=actuals,
        quantiles=quantiles,
        title=title,
        ylabel=ylabel,
        baselines=baselines,
    )
    return _save(fig, path)


# --------------------------------------------------------------------------- confusion matrix


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
