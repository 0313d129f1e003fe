"""``zoo.Forecaster``: DataFrame in, forecasts in raw units out.

The path is ``DataFrame -> Panel -> windows -> builder (scaling inside the
model) -> zoo.training.fit -> export``. The network trains on scaled targets;
the model it exports wraps the same layers between a :class:`WindowScaler` and
an :class:`InverseScaler`, so the artifact takes raw values and returns raw units.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from zoo import windows as W
from zoo.base import ZooEstimator, check_int
from zoo.forecast_graph import _assemble, _inputs, _recursive
from zoo.frames import _median, format_forecast, quantile_column, season_of  # noqa: F401
from zoo.scaling import _fit_scaling, _scale_targets, _stream

STRATEGIES = ("direct", "recursive")
SCALING_CHOICES = ("auto", "window", "window_std", "global", "none")
# Past this many floats of dense windows (80 MB as float32) fit() streams through tf.data.
DENSE_LIMIT = 20_000_000
METRIC_WINDOWS = 5_000


class Forecaster(ZooEstimator):
    """Recurrent forecaster of one or many series, with scaling inside the model.

    Args:
        model: A registered model name (``zoo.list_models("forecast")``).
        lookback: Input window length (steps of history the model reads).
        horizon: Steps forecast after the end of the history.
        target: Target column or list; None means the only numeric column
            (``y`` in a long frame).
        units: Recurrent units (an int, or a list for stacked models).
        dropout: Dropout after each recurrent layer.
        strategy: ``"direct"`` (one model outputs all ``horizon`` steps) or
            ``"recursive"`` (a one-step model fed its own forecasts).
        quantiles: Optional quantile levels, e.g. ``[0.1, 0.5, 0.9]`` (pinball loss);
            the point forecast is the median.
        future_covariates: Columns known ahead (given to ``predict`` in ``future_df``).
        calendar_features: ``"auto"`` (the default: on when the data has timestamps
            whose frequency has calendar features, e.g. month of year for monthly
            data), True or False. The features are sine/cosine pairs of the calendar
            position, read as known-ahead covariates (the artifact's ``future``
            input) and beside the history; they tell the network where in the
            season each forecast step falls.
        scaling: ``"auto"`` (= ``"window"``), ``"window"`` (per-window level, fitted
            spread), ``"window_std"``, ``"global"`` (z-score) or ``"none"``.
        log: ``"auto"`` (log targets when every training value is positive), True or False.
        epochs: Maximum epochs (early stopping picks fewer on the validation tail).
        batch_size: Batch size.
        validation_size: Tail of each series for validation: a fraction or a number of steps.
        refit: After early stopping chose the epoch count, retrain on all the data.
        seed: Random seed (weights, shuffling, determinism); None for no seeding.
        verbose: 0 quiet, 1 one line per epoch.
        model_kwargs: Extra builder keyword arguments (e.g. ``{"layer_norm": True}``).
        fill_missing: None (NaN is an error) or ``"interpolate"``.
        optimizer: Optimizer name (see :mod:`zoo.training`).
        learning_rate: Initial learning rate.
        lr_schedule: None, ``"exponential"``, ``"cosine"`` or a Keras schedule.
        decay_steps: Schedule period in optimizer steps.
        decay_epochs: Schedule period in epochs (converted with steps per epoch).
        decay_rate: Exponential decay rate.
        clipnorm: ``"auto"`` (1.0 unless another clipping is set), None or a float.
        clipvalue: Clip each gradient element.
        global_clipnorm: Clip the joint gradient norm.
        reduce_lr_on_plateau: ``"auto"``, True, False or a dict of keyword arguments.
        early_stopping: ``"auto"``, True, False or a dict of keyword arguments.
        checkpoint_dir: Save the best model here during training.
        backup_dir: BackupAndRestore directory (resume an interrupted fit).
        csv_log: Write the history to this CSV file.
        tensorboard_dir: TensorBoard log directory (needs the ``tensorboard`` extra).
        distribute_strategy: A ``tf.distribute.Strategy`` to train under.

    Example:
        >>> import zoo
        >>> df = zoo.datasets.load("airline")
        >>> f = zoo.Forecaster(lookback=24, horizon=12, units=8, epochs=2).fit(df)
        >>> f.predict().shape
        (12, 1)
    """

    def __init__(self, model="lstm", lookback=24, horizon=12, target=None, units=64, dropout=0.0,
                 strategy="direct", quantiles=None, future_covariates=None,
                 calendar_features="auto", scaling="auto", log="auto", epochs=300, batch_size=32,
                 validation_size=0.2, refit=True, seed=0, verbose=0, model_kwargs=None,
                 fill_missing=None, optimizer="adam", learning_rate=1e-3, lr_schedule=None,
                 decay_steps=None, decay_epochs=None, decay_rate=None, clipnorm="auto",
                 clipvalue=None, global_clipnorm=None, reduce_lr_on_plateau="auto",
                 early_stopping="auto", checkpoint_dir=None, backup_dir=None, csv_log=None,
                 tensorboard_dir=None, distribute_strategy=None):
        self.model = model
        self.lookback = lookback
        self.horizon = horizon
        self.target = target
        self.units = units
        self.dropout = dropout
        self.strategy = strategy
        self.quantiles = quantiles
        self.future_covariates = future_covariates
        self.calendar_features = calendar_features
        self.scaling = scaling
        self.log = log
        self.epochs = epochs
        self.batch_size = batch_size
        self.validation_size = validation_size
        self.refit = refit
        self.seed = seed
        self.verbose = verbose
        self.model_kwargs = model_kwargs
        self.fill_missing = fill_missing
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.lr_schedule = lr_schedule
        self.decay_steps = decay_steps
        self.decay_epochs = decay_epochs
        self.decay_rate = decay_rate
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.reduce_lr_on_plateau = reduce_lr_on_plateau
        self.early_stopping = early_stopping
        self.checkpoint_dir = checkpoint_dir
        self.backup_dir = backup_dir
        self.csv_log = csv_log
        self.tensorboard_dir = tensorboard_dir
        self.distribute_strategy = distribute_strategy

    # ------------------------------------------------------------------ checks
    def _check_params(self):
        spec = self._check_common()
        if "forecast" not in spec.tasks:
            raise ValueError(f"model {self.model!r} does not forecast; choose one of "
                             f"{__import__('zoo').list_models('forecast')}")
        check_int(self.lookback, "lookback")
        check_int(self.horizon, "horizon")
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, got {self.strategy!r} "
                             "(a tf.distribute.Strategy goes in distribute_strategy)")
        if self.scaling not in SCALING_CHOICES:
            raise ValueError(f"scaling must be one of {SCALING_CHOICES}, got {self.scaling!r}")
        if self.log not in ("auto", True, False):
            raise ValueError(f"log must be 'auto', True or False, got {self.log!r}")
        if not (isinstance(self.calendar_features, bool) or self.calendar_features == "auto"):
            raise ValueError("calendar_features must be 'auto', True or False, got "
                             f"{self.calendar_features!r}")
        if not isinstance(self.refit, bool):
            raise ValueError(f"refit must be True or False, got {self.refit!r}")
        quantiles = None
        if self.quantiles is not None:
            from zoo.builders.recurrent import _check_quantiles

            quantiles = _check_quantiles(self.quantiles)
            if self.strategy == "recursive":
                raise ValueError("strategy='recursive' cannot forecast quantiles (feeding "
                                 "quantiles back is not defined); use strategy='direct'")
        W.split_point(100, self.validation_size)  # validates validation_size
        return spec, quantiles

    # ------------------------------------------------------------------ fit
    def fit(self, df, y=None):
        """Trains on a wide frame, a long frame (one global model), a Series or an array.

        Args:
            df: The training data (see the class docstring and ``zoo.windows.to_panel``).
            y: Ignored (scikit-learn compatibility).

        Returns:
            self.
        """
        import zoo
        from zoo import training
        from zoo.builders.heads import PinballLoss

        spec, quantiles = self._check_params()
        panel = W.to_panel(df, self.target, self.future_covariates, fill_missing=self.fill_missing)
        if self.strategy == "recursive" and panel.past_covariates:
            raise ValueError(
                f"strategy='recursive' needs every input known ahead, but columns "
                f"{panel.past_covariates} are past-only covariates; pass them as "
                "future_covariates, drop them, or use strategy='direct'"
            )
        calendar = []
        timestamps = all(isinstance(s.index, pd.DatetimeIndex) for s in panel.series)
        if self.calendar_features is True:
            if not timestamps:
                raise ValueError("calendar_features=True needs timestamps (a DatetimeIndex or "
                                 "datetime ds column)")
            calendar = W.calendar_columns(panel.freq)
            if not calendar:
                warnings.warn(f"calendar_features=True adds nothing at frequency {panel.freq!r}",
                              UserWarning, stacklevel=2)
        elif self.calendar_features == "auto" and timestamps:
            # yearly and irregular data have no calendar columns: then "auto" adds nothing
            calendar = W.calendar_columns(panel.freq)
        L = int(self.lookback)
        H = int(self.horizon) if self.strategy == "direct" else 1
        arrays = W.add_calendar(panel, calendar)
        n_t = len(panel.targets)
        n_cols = arrays[0].shape[1]
        future_cols = list(range(n_t + len(panel.past_covariates), n_cols))
        wspec = W.WindowSpec(L, H, n_t, list(range(n_cols)), future_cols)

        splits = [W.split_point(len(a), self.validation_size) for a in arrays]
        train_starts = [W.window_starts(len(a), L, H, last_target=s) for a, s in zip(arrays, splits)]
        val_starts = [W.window_starts(len(a), L, H, first_target=s) if s < len(a)
                      else np.zeros(0, "int64") for a, s in zip(arrays, splits)]
        all_starts = [W.window_starts(len(a), L, H) for a in arrays]
        short = [s.uid for s, st in zip(panel.series, all_starts) if len(st) == 0]
        if len(short) == len(arrays):
            lengths = sorted({len(a) for a in arrays})
            raise ValueError(
                f"too little data: lookback + horizon = {L + H} steps are needed for one "
                f"training window, but the longest series has {max(lengths)}"
            )
        if panel.kind == "long":
            W.warn_short(short, L + H)
        if sum(len(s) for s in train_starts) == 0:
            raise ValueError(
                f"validation_size={self.validation_size!r} leaves no training window of "
                f"lookback + horizon = {L + H} steps; lower validation_size or lookback"
            )

        train_rows = [a[:s] for a, s in zip(arrays, splits)]
        log = self._resolve_log(train_rows, n_t)
        scaling = "window" if self.scaling == "auto" else self.scaling
        stats = _fit_scaling(train_rows, train_starts, wspec, log, scaling)

        n_val = sum(len(s) for s in val_starts)
        if n_val == 0 and any(s < len(a) for a, s in zip(arrays, splits)):
            # a validation window needs horizon steps of the tail as targets
            warnings.warn(
                f"validation_size={self.validation_size!r} leaves a validation tail shorter "
                f"than horizon={H}: no validation window, so no early stopping and no "
                "validation_metrics_; raise validation_size to at least the horizon",
                UserWarning, stacklevel=2,
            )
        # Small data trains on dense window arrays; past DENSE_LIMIT values the windows are
        # sliced out of the series by tf.data as they are needed (memory O(series length)).
        stream = W._window_values(all_starts, wspec) > DENSE_LIMIT
        # the validation metrics need the windows in memory: an evenly spaced sample of them
        val = W.make_windows(arrays, W._thin(val_starts, METRIC_WINDOWS) if stream else val_starts,
                             wspec) if n_val else None
        builder_kwargs = self._builder_kwargs(spec)
        n_future = len(future_cols)
        network_kwargs = dict(builder_kwargs, task="forecast", input_shape=(L, n_cols),
                              horizon=H, n_targets=n_t, quantiles=quantiles, n_future=n_future)
        loss = PinballLoss(quantiles) if quantiles else "mse"

        holder = {}

        def build_train_model():
            # called by zoo.training.fit, inside distribute_strategy.scope() when one is given
            network = zoo.build(spec.name, **network_kwargs)
            holder["models"] = _assemble(network, stats, n_t, n_cols, H, n_future)
            return holder["models"][0]

        def data_for(starts, stats, shuffle):
            if stream:
                return _stream(arrays, starts, wspec, stats, int(self.batch_size), shuffle,
                               0 if self.seed is None else int(self.seed))
            x, y, f = W.make_windows(arrays, starts, wspec)
            return _inputs(x, f), _scale_targets(stats, x, y, n_t)

        if self.seed is not None:
            training.set_seed(self.seed)
        train_kwargs = dict(self._training_kwargs(), epochs=self.epochs,
                            batch_size=self.batch_size, loss=loss,
                            strategy=self.distribute_strategy, verbose=self.verbose)
        _, history = training.fit(
            build_train_model,
            data_for(train_starts, stats, shuffle=True),
            validation_data=data_for(val_starts, stats, shuffle=False) if n_val else None,
            **train_kwargs,
        )
        predict_model = holder["models"][1]
        self.validation_metrics_ = (
            _validation_metrics(predict_model, val, quantiles, wspec, panel.freq, train_rows)
            if val is not None else {}
        )
        self.best_epoch_ = None
        if history.get("val_loss"):
            self.best_epoch_ = int(np.nanargmin(history["val_loss"])) + 1
        self.history_ = history
        if self.refit and val is not None:
            # the validation tail chose the epoch count; now learn from every point
            stats = _fit_scaling(arrays, all_starts, wspec, log, scaling)
            if self.seed is not None:
                training.set_seed(self.seed)
            refit_kwargs = dict(train_kwargs, epochs=self.best_epoch_ or self.epochs,
                                early_stopping=False)
            if refit_kwargs["reduce_lr_on_plateau"] == "auto":
                refit_kwargs["reduce_lr_on_plateau"] = False  # no validation loss to watch
            _, self.refit_history_ = training.fit(
                build_train_model, data_for(all_starts, stats, shuffle=True), **refit_kwargs)
            predict_model = holder["models"][1]
        if self.strategy == "recursive" and self.horizon > 1:
            predict_model = _recursive(predict_model, int(self.horizon), n_t, L, n_cols, n_future)
        self.scaling_stats_ = stats
        self.streamed_ = bool(stream)
        self.model_ = predict_model
        self.network_kwargs_ = {k: v for k, v in network_kwargs.items()}
        self.targets_ = list(panel.targets)
        self.past_covariates_ = list(panel.past_covariates)
        self.future_covariates_ = list(panel.future_covariates)
        self.calendar_ = list(calendar)
        self.input_names_ = panel.columns + list(calendar)
        self.future_names_ = [self.input_names_[j] for j in future_cols]
        self.freq_ = panel.freq
        self.kind_ = panel.kind
        self.log_ = log
        self.quantiles_ = quantiles
        self.season_ = season_of(panel.freq)
        self.n_features_in_ = n_cols
        self.layout_ = W.Panel([], panel.targets, panel.past_covariates,
                               panel.future_covariates, panel.kind, panel.freq)
        # the end of each training series: predict() with no data continues from here
        self.tail_ = [W.Series(s.uid, s.index[-L:], s.values[-L:]) for s in panel.series
                      if len(s.values) >= L]
        self.last_timestamp_ = max(s.index[-1] for s in panel.series)
        return self

    def _resolve_log(self, train_rows, n_t):
        if self.log == "auto":
            return bool(all(np.all(r[:, :n_t] > 0) for r in train_rows if len(r)))
        if self.log and not all(np.all(r[:, :n_t] > 0) for r in train_rows if len(r)):
            raise ValueError("log=True needs strictly positive targets; use log='auto' or False")
        return bool(self.log)

    # ------------------------------------------------------------------ predict
    def predict(self, df=None, future_df=None):
        """Forecasts ``horizon`` steps after the end of ``df`` (or of the training data).

        Args:
            df: History in the layout of ``fit`` (wide, long, Series or array),
                at least ``lookback`` steps per series; None for the training data.
            future_df: Known-ahead covariates over the horizon (wide: indexed by the
                future timestamps; long: ``unique_id``, ``ds`` + columns).

        Returns:
            Wide: a DataFrame indexed by the future timestamps, one column per
            target (+ ``<target>_q0.1`` ... for quantiles). Long: ``unique_id``,
            ``ds``, ``y_hat`` (+ ``y_hat_q0.1`` ...). Array/Series: a DataFrame with
            a RangeIndex continuing the input.
        """
        if not hasattr(self, "targets_"):
            self._check_fitted()
        series, kind = self._history(df)
        x, fut, indices = self.make_inputs(series, future_df, kind)
        out = np.asarray(self._call(x, fut))
        return self._format(out, series, indices, kind)

    def _call(self, x, future):
        inputs = _inputs(x, future)
        return self.model_(inputs, training=False)

    def _history(self, df):
        if df is None:
            return self.tail_, self.kind_
        panel = W.to_panel(df, None, None, fill_missing=self.fill_missing, layout=self.layout_)
        L = self.lookback
        short = [s.uid for s in panel.series if len(s.values) < L]
        if short:
            who = "" if panel.kind != "long" else f" (series {short[:5]})"
            raise ValueError(f"too little history to predict{who}: lookback={L} steps needed")
        return [W.Series(s.uid, s.index[-L:], s.values[-L:]) for s in panel.series], panel.kind

    def make_inputs(self, series, future_df, kind):
        """Model inputs ``[S, lookback, n_inputs]`` (+ future) for the ends of ``series``."""
        H = int(self.horizon)
        indices = [W.future_index(s.index, H, self.freq_) for s in series]
        rows = []
        for s in series:
            if self.calendar_:
                rows.append(np.concatenate([s.values, W.calendar_features(s.index, self.calendar_)], 1))
            else:
                rows.append(s.values)
        x = np.stack(rows).astype("float32")
        if not self.future_names_:
            return x, None, indices
        fut = []
        known = self._future_frame(future_df, series, indices, kind)
        for s, idx, frame in zip(series, indices, known):
            parts = []
            if self.future_covariates_:
                parts.append(frame)
            if self.calendar_:
                parts.append(W.calendar_features(idx, self.calendar_))
            fut.append(np.concatenate(parts, axis=1))
        return x, np.stack(fut).astype("float32"), indices

    def _future_frame(self, future_df, series, indices, kind):
        cols = self.future_covariates_
        if not cols:
            return [None] * len(series)
        if future_df is None:
            raise ValueError(f"future_df is required: the model uses known-ahead covariates {cols}")
        out = []
        for s, idx in zip(series, indices):
            if kind == "long":
                part = future_df[future_df[W.ID_COL] == s.uid].set_index(W.TIME_COL)
            else:
                part = future_df
            missing = [c for c in cols if c not in part.columns]
            if missing:
                raise ValueError(f"future_df lacks column(s) {missing}")
            try:
                values = part.loc[idx, cols] if kind != "array" else part[cols].iloc[: len(idx)]
            except KeyError:
                raise ValueError(
                    f"future_df must cover the {len(idx)} steps after the history "
                    f"({idx[0]} .. {idx[-1]})"
                ) from None
            if len(values) != len(idx):
                raise ValueError(f"future_df must hold {len(idx)} rows per series, got {len(values)}")
            arr = values.to_numpy(dtype="float64")
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"NaN or inf in future_df column(s) {cols}")
            out.append(arr)
        return out

    def _format(self, out, series, indices, kind):
        return format_forecast(out, series, indices, kind, self.targets_, self.quantiles_)

    # ------------------------------------------------------------------ export / load
    def export(self, path, overwrite=False, formats=None):
        """Writes the self-contained artifact (SavedModel + zoo.json + model.keras [+ ONNX]).

        Args:
            path: The artifact directory to create.
            overwrite: Replace an existing artifact at ``path``.
            formats: Extra formats: a subset of ``("keras", "onnx")``; default all available.

        Returns:
            The artifact's ``pathlib.Path``.
        """
        from zoo.export import export_estimator

        self._check_fitted()
        return export_estimator(self, path, overwrite=overwrite, formats=formats)

    def _input_specs(self):
        specs = {"inputs": (None, int(self.lookback), int(self.n_features_in_))}
        if self.future_names_:
            specs["future"] = (None, int(self.horizon), len(self.future_names_))
        return specs

    def _manifest(self):
        params = {k: v for k, v in self.get_params().items()
                  if k not in ("distribute_strategy",) and not callable(v)
                  and not hasattr(v, "get_config")}
        freq = self.freq_
        tail = None
        if sum(s.values.size for s in self.tail_) <= 100_000:
            tail = [{"uid": s.uid, "index": [str(i) if isinstance(s.index, pd.DatetimeIndex)
                                             else int(i) for i in s.index],
                     "values": s.values.tolist()} for s in self.tail_]
        return {
            "task": "forecast",
            "model": self.model,
            "model_kwargs": self.network_kwargs_,
            "params": params,
            "lookback": int(self.lookback),
            "horizon": int(self.horizon),
            "strategy": self.strategy,
            "inputs": self.input_names_,
            "targets": self.targets_,
            "past_covariates": self.past_covariates_,
            "future_covariates": self.future_covariates_,
            "calendar_features": self.calendar_,
            "future_inputs": self.future_names_,
            "quantiles": self.quantiles_,
            "frequency": freq,
            "season": self.season_,
            "layout": self.kind_,
            "index_kind": "datetime" if isinstance(self.last_timestamp_, pd.Timestamp) else "integer",
            "last_timestamp": str(self.last_timestamp_),
            "log": self.log_,
            "scaling": self.scaling_stats_,
            "metrics": {"validation": self.validation_metrics_},
            "best_epoch": self.best_epoch_,
            "tail": tail,
        }

    def _restore(self, m):
        self.targets_ = m["targets"]
        self.past_covariates_ = m["past_covariates"]
        self.future_covariates_ = m["future_covariates"]
        self.calendar_ = m["calendar_features"]
        self.input_names_ = m["inputs"]
        self.future_names_ = m["future_inputs"]
        self.freq_ = m["frequency"]
        self.kind_ = m["layout"]
        self.log_ = m["log"]
        self.quantiles_ = m["quantiles"]
        self.season_ = m["season"]
        self.n_features_in_ = len(m["inputs"])
        self.network_kwargs_ = m["model_kwargs"]
        self.scaling_stats_ = m["scaling"]
        self.validation_metrics_ = m["metrics"].get("validation", {})
        self.best_epoch_ = m.get("best_epoch")
        self.history_ = {}
        self.layout_ = W.Panel([], self.targets_, self.past_covariates_, self.future_covariates_,
                               self.kind_, self.freq_)
        dt = m.get("index_kind") == "datetime"
        self.last_timestamp_ = pd.Timestamp(m["last_timestamp"]) if dt else int(m["last_timestamp"])
        self.tail_ = []
        for t in m.get("tail") or []:
            index = pd.DatetimeIndex(pd.to_datetime(t["index"])) if dt else pd.Index(t["index"])
            self.tail_.append(W.Series(t["uid"], index, np.asarray(t["values"], "float64")))

    @classmethod
    def load(cls, path):
        """A fitted Forecaster back from an artifact's ``model.keras`` and manifest.

        Args:
            path: An artifact directory written by :meth:`export`.

        Returns:
            A fitted :class:`Forecaster` that can predict and continue training.
        """
        from zoo.export import load_estimator

        return load_estimator(path, expected_task="forecast")


# ---------------------------------------------------------------------- helpers


def _validation_metrics(predict_model, val, quantiles, wspec, freq, train_rows):
    """Model and naive baselines scored on the validation windows, in raw units."""
    from zoo import metrics

    x, y, f = val
    pred = np.asarray(predict_model(_inputs(x, f), training=False))
    if quantiles:
        pred = _median(pred, quantiles)
    n_t = wspec.n_targets
    hist = x[..., :n_t]
    season = season_of(freq)
    candidates = {"model": pred, "naive": np.repeat(hist[:, -1:, :], y.shape[1], axis=1)}
    if season > 1 and hist.shape[1] >= season:
        reps = int(np.ceil(y.shape[1] / season))
        candidates["seasonal_naive"] = np.tile(hist[:, -season:, :], (1, reps, 1))[:, : y.shape[1]]
    result = {"n_windows": int(len(x))}
    scale_rows = [r[:, :n_t] for r in train_rows if len(r) > season]
    for name, p in candidates.items():
        row = {"mae": metrics.mae(y, p), "rmse": metrics.rmse(y, p)}
        if np.all(y != 0):
            row["mape"] = metrics.mape(y, p)
        if len(scale_rows) == 1:
            try:
                row["mase"] = metrics.mase(y.reshape(-1, n_t), p.reshape(-1, n_t), scale_rows[0],
                                           season=season)
            except ValueError:
                pass
        result[name] = {k: float(v) for k, v in row.items()}
    return result
