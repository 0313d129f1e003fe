"""Forecast plots: history, point forecast, quantile bands, actuals and baselines."""

from __future__ import annotations

import pathlib

import numpy as np

from zoo.frames import parse_quantile_column
from zoo.plotting._common import _new_figure, _save


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
        parsed = parse_quantile_column(col)
        if parsed:
            bands.setdefault(parsed[0], []).append((parsed[1], col))
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
