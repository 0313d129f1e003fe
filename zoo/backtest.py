"""Rolling-origin backtests: a forecaster and the baselines scored over several folds.

Fold origins sit at the end of each series minus ``horizon``, minus ``horizon + step``,
minus ``horizon + 2 * step`` ...; in every fold the forecaster sees only the data up to
its origin (no leakage), forecasts ``horizon`` steps, and is scored on the steps that
follow. The baselines (:mod:`zoo.baselines`) go through the same folds, so the summary
says at a glance whether a model beats the naive forecasts. A probabilistic forecaster
(one with a ``distribution`` and a ``sample`` method) is also scored by the CRPS of its
sample paths; the point forecasts (the baselines among them) get ``NaN`` there.

Example:
    >>> import zoo
    >>> from zoo.backtest import backtest
    >>> from zoo.baselines import DriftForecaster
    >>> df = zoo.datasets.load("airline")
    >>> result = backtest(DriftForecaster(horizon=12), df, folds=2, metrics=("mae", "mase"))
    >>> list(result.summary.index), list(result.summary.columns)
    (['drift', 'naive', 'seasonal_naive'], ['mae', 'mase'])
    >>> [str(t.date()) for t in result.origins]
    ['1958-12-01', '1959-12-01']
"""

from __future__ import annotations

import dataclasses
import numbers
import warnings

import numpy as np
import pandas as pd

from zoo import metrics as M
from zoo import windows as W
from zoo._checks import check_bool, check_int, is_int

__all__ = ["CRPS_SAMPLES", "METRICS", "SAMPLE_METRICS", "BacktestResult", "backtest"]

METRICS = ("mae", "rmse", "mape", "smape", "mase")
"""The point metrics (see :mod:`zoo.metrics`): ``backtest``'s default for every forecaster."""

SAMPLE_METRICS = ("crps",)
"""The metrics of sample paths, added to the default for a probabilistic forecaster."""

CRPS_SAMPLES = 200
"""Sample paths drawn per fold (``sample(CRPS_SAMPLES, seed=fold, ...)``) for the CRPS."""


@dataclasses.dataclass(repr=False)
class BacktestResult:
    """What :func:`backtest` found.

    Attributes:
        folds: One row per fold and model: ``fold`` (0 = earliest), ``origin`` (the
            last timestamp the model was trained on; for a long frame, the latest one
            over the series), ``model`` and one column per metric (``crps`` is ``NaN``
            for a model that draws no samples: the baselines and point forecasters).
        summary: One row per model (the forecaster first, then the baselines), one
            column per metric: the mean over folds (``NaN`` if any fold is ``NaN``).
        forecasts: Every point forecast beside its actual value: ``fold``, ``model``,
            (``unique_id`` for a long frame), ``ds``, ``target``, ``y``, ``y_hat``.
        model: The forecaster's row name in ``folds`` and ``summary``.
        origins: The fold origins, earliest first.
        horizon: Steps forecast in each fold.
        step: Steps between consecutive origins.
        season: Seasonal period used by MASE and the seasonal naive baseline.
        refit: Whether the forecaster was refitted in every fold.
    """

    folds: pd.DataFrame
    summary: pd.DataFrame
    forecasts: pd.DataFrame
    model: str
    origins: list
    horizon: int
    step: int
    season: int
    refit: bool

    def __repr__(self) -> str:
        head = (
            f"BacktestResult(model={self.model!r}, folds={len(self.origins)}, "
            f"horizon={self.horizon}, step={self.step}, season={self.season}, "
            f"refit={self.refit})"
        )
        first, last = _show(self.origins[0]), _show(self.origins[-1])
        span = f"origin {first}" if len(self.origins) == 1 else f"origins {first} .. {last}"
        table = self.summary.to_string(float_format=lambda v: f"{v:.4g}")
        return f"{head}\n{span}; mean over folds:\n{table}"


def _show(stamp) -> str:
    if isinstance(stamp, pd.Timestamp) and stamp == stamp.normalize():
        return str(stamp.date())
    return str(stamp)


# ---------------------------------------------------------------------------- checks
def _names(value, name, accepted):
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    unknown = [v for v in items if v not in accepted]
    if unknown:
        raise ValueError(f"{name}: unknown name(s) {unknown}; accepted: {list(accepted)}")
    if len(set(items)) != len(items):
        raise ValueError(f"{name} lists a name twice: {items}")
    return items


def _probabilistic(forecaster) -> bool:
    return (getattr(forecaster, "distribution", None) is not None
            and callable(getattr(forecaster, "sample", None)))


def _model_name(forecaster, baseline_names):
    from zoo.baselines import _BaselineForecaster

    if isinstance(forecaster, _BaselineForecaster):
        name = forecaster.name
    elif isinstance(getattr(forecaster, "model", None), str):
        name = forecaster.model
    else:
        name = type(forecaster).__name__
    # a row name must identify one model: the forecaster yields when a baseline has its name
    return "forecaster" if name in baseline_names else name


def _min_train(forecaster, baseline_names, metric_names, season, freq):
    """Points the shortest training part must hold, with the reasons."""
    from zoo.baselines import SeasonalNaiveForecaster, _BaselineForecaster

    needs = {"a fit": 1}
    if "mase" in metric_names:
        needs["the MASE scale (season + 1)"] = season + 1
    if "seasonal_naive" in baseline_names:
        needs["the seasonal naive baseline (one season)"] = season
    if "drift" in baseline_names:
        needs["the drift baseline"] = 2
    if isinstance(forecaster, _BaselineForecaster):
        if isinstance(forecaster, SeasonalNaiveForecaster):
            from zoo.frames import season_of

            own = forecaster.season if forecaster.season is not None else season_of(freq)
            if is_int(own):
                needs["the forecaster (one season)"] = int(own)
        elif forecaster.name == "drift":
            needs["the forecaster"] = 2
    else:
        lookback = getattr(forecaster, "lookback", None)
        horizon = getattr(forecaster, "horizon", None)
        if isinstance(lookback, numbers.Integral) and isinstance(horizon, numbers.Integral):
            needs["one training window (lookback + horizon)"] = int(lookback) + int(horizon)
    reason = max(needs, key=needs.get)
    return needs[reason], reason


# ---------------------------------------------------------------------------- slicing
def _slicer(df, panel):
    """``cut(positions, stop)`` -> ``df`` restricted to rows ``[0, stop_i)`` of each series."""
    if panel.kind == "long":
        order = df.groupby(W.ID_COL, sort=False).cumcount().to_numpy()
        uid_of_row = df[W.ID_COL].to_numpy()
        position = {s.uid: i for i, s in enumerate(panel.series)}
        row_series = np.array([position[u] for u in uid_of_row])

        def cut(stops):
            return df[order < np.asarray(stops)[row_series]]

        return cut
    if isinstance(df, (pd.DataFrame, pd.Series)):
        return lambda stops: df.iloc[: stops[0]]
    arr = np.asarray(df)
    return lambda stops: arr[: stops[0]]


def _future_frame(panel, stops, horizon):
    """The declared known-ahead covariates over each fold's horizon, as predict expects them.

    Only ``panel.future_covariates``: the targets and past covariates of the horizon
    are what the fold scores, and a forecaster must never see them.
    """
    cols = list(panel.future_covariates)
    idx = [panel.columns.index(c) for c in cols]
    if panel.kind == "long":
        parts = []
        for s, stop in zip(panel.series, stops):
            part = pd.DataFrame(s.values[stop: stop + horizon, idx], columns=cols)
            part.insert(0, W.TIME_COL, s.index[stop: stop + horizon])
            part.insert(0, W.ID_COL, s.uid)
            parts.append(part)
        return pd.concat(parts, ignore_index=True)
    s, stop = panel.series[0], stops[0]
    return pd.DataFrame(s.values[stop: stop + horizon, idx], columns=cols,
                        index=s.index[stop: stop + horizon])


def _point_forecasts(pred, panel, stops, horizon, who):
    """The prediction as one ``[horizon, n_targets]`` array per series, checked for alignment."""
    targets = panel.targets
    if not isinstance(pred, pd.DataFrame):
        raise TypeError(f"{who}.predict must return a DataFrame, got {type(pred).__name__}")
    out = []
    if panel.kind == "long":
        names = ["y_hat"] if len(targets) == 1 else [f"{t}_hat" for t in targets]
        missing = [c for c in [W.ID_COL, W.TIME_COL] + names if c not in pred.columns]
        if missing:
            raise ValueError(f"{who}.predict returned no column(s) {missing}")
        groups = dict(tuple(pred.groupby(W.ID_COL, sort=False)))
        for s, stop in zip(panel.series, stops):
            want = s.index[stop: stop + horizon]
            got = groups.get(s.uid)
            values = None if got is None else got.set_index(W.TIME_COL)[names].reindex(want)
            if values is None or values.isna().to_numpy().any():
                raise ValueError(
                    f"{who}.predict did not forecast series {s.uid!r} at {list(want)}"
                )
            out.append(values.to_numpy(dtype="float64"))
        return out
    missing = [t for t in targets if t not in pred.columns]
    if missing:
        raise ValueError(f"{who}.predict returned no column(s) {missing}")
    s, stop = panel.series[0], stops[0]
    want = s.index[stop: stop + horizon]
    if len(pred) != horizon or not pred.index.equals(want):
        raise ValueError(
            f"{who}.predict returned index {list(pred.index)}; expected the {horizon} steps "
            f"after the fold origin {list(want)}"
        )
    return [pred[targets].to_numpy(dtype="float64")]


def _sample_paths(model, pred, kwargs, panel, horizon, who, fold):
    """``model.sample`` called as predict was, as one ``[N, horizon, n_targets]`` per series."""
    paths = np.asarray(model.sample(CRPS_SAMPLES, seed=fold, **kwargs), dtype="float64")
    long = panel.kind == "long"
    order = list(pd.unique(pred[W.ID_COL])) if long else []  # the series as predict put them
    shape = ((len(order),) if long else ()) + (CRPS_SAMPLES, horizon, len(panel.targets))
    if paths.shape != shape:
        layout = ("[n_series, " if long else "[") + "num_samples, horizon, n_targets]"
        raise ValueError(f"{who}.sample({CRPS_SAMPLES}) returned shape {paths.shape}; "
                         f"expected {layout} = {shape}")
    if not np.isfinite(paths).all():
        raise ValueError(f"{who}.sample returned NaN or inf in fold {fold}")
    if not long:
        return [paths]
    by_uid = dict(zip(order, paths))
    return [by_uid[s.uid] for s in panel.series]


# ---------------------------------------------------------------------------- scoring
def _score(names, actual, predicted, samples, train, season, warned):
    y_true, y_pred = np.concatenate(actual), np.concatenate(predicted)
    row = {}
    for name in names:
        if name == "crps":
            # every point of every series, as the point metrics average them
            row[name] = (np.nan if samples is None
                         else M.crps(y_true, np.concatenate(samples, axis=1)))
        elif name == "mape":
            # a zero actual makes MAPE undefined: NaN (as forecast_metrics does), not an abort
            row[name] = np.nan if np.any(y_true == 0) else M.mape(y_true, y_pred)
        elif name == "mase":
            per_series = []
            for t, p, tr in zip(actual, predicted, train):
                try:
                    per_series.append(M.mase(t, p, tr, season=season))
                except ValueError as err:
                    if not warned:
                        warnings.warn(f"MASE is NaN where it is undefined: {err}", UserWarning,
                                      stacklevel=3)
                        warned.append(True)
                    per_series.append(np.nan)
            # the mean of per-series MASE, as in the M4 competition
            row[name] = float(np.mean(per_series))
        else:
            row[name] = getattr(M, name)(y_true, y_pred)
    return row


# ---------------------------------------------------------------------------- backtest
def backtest(forecaster, df, *, folds=3, horizon=None, step=None, refit=True,
             baselines=("naive", "seasonal_naive"), metrics=None, season=None):
    """Rolling-origin evaluation of a forecaster beside the baselines.

    Fold ``k`` (0 = earliest) of ``folds`` trains on each series up to position
    ``T - horizon - (folds - 1 - k) * step`` (exclusive) and is scored on the
    ``horizon`` steps that follow, so the last fold ends at the last point.

    Args:
        forecaster: An unfitted estimator with ``fit(df)`` and ``predict(df=None)``
            returning :class:`zoo.Forecaster`'s layout: a :class:`zoo.Forecaster` or a
            baseline estimator from :mod:`zoo.baselines`. It is cloned
            (``sklearn.base.clone``), never fitted in place.
        df: The data in any layout ``fit`` accepts: wide DataFrame, long DataFrame
            (``unique_id``, ``ds``, ...: origins are counted from each series' own
            end), Series or array.
        folds: Number of origins (integer >= 1).
        horizon: Steps forecast per fold; None uses ``forecaster.horizon`` (and a
            different value is an error: the forecaster would forecast another horizon).
        step: Steps between consecutive origins; None means ``horizon`` (folds that
            tile the tail without overlap).
        refit: True fits a fresh clone on each fold's training part. False fits one
            clone on the data before the first origin and forecasts every later fold
            from its history through ``predict(df=history)``; much faster for neural
            models, but later folds do not learn from the newer data.
        baselines: Names from ``zoo.baselines.BASELINES`` run through the same folds
            (``()`` for none).
        metrics: Names from ``METRICS`` and ``SAMPLE_METRICS``: ``"mae"``, ``"rmse"``,
            ``"mape"`` (``NaN`` in a fold whose actuals hold a 0), ``"smape"``,
            ``"mase"`` (scaled by the seasonal naive in-sample error of each fold's
            training part; ``NaN`` with a warning where that scale is 0), and
            ``"crps"`` (``zoo.metrics.crps`` of the ``CRPS_SAMPLES`` paths from
            ``sample(CRPS_SAMPLES, seed=fold, ...)``, called with the ``df`` /
            ``future_df`` that ``predict`` gets; ``NaN`` for a model that is not
            probabilistic, with a warning when that is the forecaster).
            None means ``METRICS``, plus ``"crps"`` for a probabilistic forecaster:
            one with ``distribution`` not None and a ``sample`` method.
        season: Seasonal period for MASE and the seasonal naive baseline; None infers
            it from the frequency (12 for monthly data, 1 for yearly or integer steps).

    Returns:
        A :class:`BacktestResult` with ``folds``, ``summary`` and ``forecasts``.

    Raises:
        ValueError: Before any fit, for a bad ``folds``, ``horizon``, ``step``,
            ``refit``, ``baselines``, ``metrics`` or ``season``, or a series too short
            for the folds (the message says how many points are needed).
        TypeError: If ``forecaster`` lacks ``fit`` / ``predict``.

    Example:
        >>> import zoo
        >>> from zoo.backtest import backtest
        >>> from zoo.baselines import MeanForecaster
        >>> df = zoo.datasets.load("airline")
        >>> r = backtest(MeanForecaster(horizon=12), df, folds=3, baselines=("naive",))
        >>> r.folds[["fold", "model"]].values.tolist()[:3]
        [[0, 'mean'], [0, 'naive'], [1, 'mean']]
        >>> bool(r.summary.loc["naive", "mae"] < r.summary.loc["mean", "mae"])
        True
    """
    from sklearn.base import clone

    from zoo.baselines import BASELINES
    from zoo.frames import season_of

    if not (callable(getattr(forecaster, "fit", None))
            and callable(getattr(forecaster, "predict", None))):
        raise TypeError(
            f"forecaster must have fit(df) and predict(df=None) (a zoo.Forecaster or a "
            f"zoo.baselines estimator); got {type(forecaster).__name__}"
        )
    folds = check_int(folds, "folds")
    own_horizon = getattr(forecaster, "horizon", None)
    if horizon is None:
        if own_horizon is None:
            raise ValueError(f"horizon: {type(forecaster).__name__} has no horizon attribute; "
                             "pass horizon=<steps>")
        horizon = check_int(own_horizon, "forecaster.horizon")
    else:
        horizon = check_int(horizon, "horizon")
        if own_horizon is not None and own_horizon != horizon:
            raise ValueError(
                f"horizon={horizon} differs from forecaster.horizon={own_horizon!r}; leave "
                f"horizon=None or set the forecaster's horizon (forecaster.set_params(horizon=...))"
            )
    step = horizon if step is None else check_int(step, "step")
    refit = check_bool(refit, "refit")
    baseline_names = _names(baselines, "baselines", BASELINES)
    accepted = METRICS + SAMPLE_METRICS
    if metrics is None:
        metrics = accepted if _probabilistic(forecaster) else METRICS
    metric_names = _names(metrics, "metrics", accepted)
    if not metric_names:
        raise ValueError(f"metrics must name at least one of {list(accepted)}")
    if season is not None:
        season = check_int(season, "season")

    panel = W.to_panel(df, getattr(forecaster, "target", None),
                       getattr(forecaster, "future_covariates", None),
                       fill_missing=getattr(forecaster, "fill_missing", None))
    season = season_of(panel.freq) if season is None else season
    min_train, reason = _min_train(forecaster, baseline_names, metric_names, season, panel.freq)
    span = horizon + (folds - 1) * step
    shortest = min(panel.series, key=lambda s: len(s.values))
    if len(shortest.values) < min_train + span:
        who = "df" if panel.kind != "long" else f"series {shortest.uid!r}"
        raise ValueError(
            f"{who} is too short for folds={folds}, horizon={horizon}, step={step}: "
            f"{min_train + span} points are needed ({min_train} before the first origin for "
            f"{reason}, plus horizon + (folds - 1) * step = {span}), got "
            f"{len(shortest.values)}; lower folds or step"
        )

    n_t = len(panel.targets)
    name = _model_name(forecaster, baseline_names)
    if "crps" in metric_names and not _probabilistic(forecaster):
        warnings.warn(f"crps is NaN for {name}: it has no distribution and sample() to draw "
                      "forecast paths from", UserWarning, stacklevel=2)
    models = {name: forecaster}
    for b in baseline_names:
        cls = BASELINES[b]
        kwargs = {"season": season} if b == "seasonal_naive" else {}
        models[b] = cls(horizon=horizon, target=list(panel.targets), **kwargs)
    uses_future = bool(getattr(forecaster, "future_covariates", None))
    cut = _slicer(df, panel)
    lengths = [len(s.values) for s in panel.series]
    fold_stops = [[n - horizon - (folds - 1 - k) * step for n in lengths] for k in range(folds)]

    fitted = {}
    if not refit:
        for key, est in models.items():
            fitted[key] = clone(est).fit(cut(fold_stops[0]))

    rows, points, origins, warned = [], [], [], []
    for k, stops in enumerate(fold_stops):
        history = cut(stops)
        future_df = _future_frame(panel, stops, horizon) if uses_future else None
        actual = [s.values[stop: stop + horizon, :n_t] for s, stop in zip(panel.series, stops)]
        train = [s.values[:stop, :n_t] for s, stop in zip(panel.series, stops)]
        origin = max(s.index[stop - 1] for s, stop in zip(panel.series, stops))
        origins.append(origin)
        for key, est in models.items():
            model = clone(est).fit(history) if refit else fitted[key]
            kwargs = {"future_df": future_df} if refit else {"df": history, "future_df": future_df}
            pred = model.predict(**kwargs)
            predicted = _point_forecasts(pred, panel, stops, horizon, key)
            samples = None
            if "crps" in metric_names and _probabilistic(est):
                samples = _sample_paths(model, pred, kwargs, panel, horizon, key, k)
            row = {"fold": k, "origin": origin, "model": key}
            row.update(_score(metric_names, actual, predicted, samples, train, season, warned))
            rows.append(row)
            points.append(_points(k, key, panel, stops, horizon, actual, predicted))

    table = pd.DataFrame(rows)
    summary = pd.DataFrame(
        {m: [float(np.mean(table.loc[table["model"] == key, m].to_numpy())) for key in models]
         for m in metric_names},
        index=pd.Index(list(models), name="model"),
    )
    return BacktestResult(folds=table, summary=summary,
                          forecasts=pd.concat(points, ignore_index=True), model=name,
                          origins=origins, horizon=horizon, step=step, season=season, refit=refit)


def _points(fold, model, panel, stops, horizon, actual, predicted):
    frames = []
    for s, stop, a, p in zip(panel.series, stops, actual, predicted):
        ds = s.index[stop: stop + horizon]
        for j, target in enumerate(panel.targets):
            part = {"fold": fold, "model": model}
            if panel.kind == "long":
                part[W.ID_COL] = s.uid
            part.update({W.TIME_COL: ds, "target": target, "y": a[:, j], "y_hat": p[:, j]})
            frames.append(pd.DataFrame(part))
    return pd.concat(frames, ignore_index=True)
