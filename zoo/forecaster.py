"""``zoo.Forecaster``: DataFrame in, forecasts in raw units out.

``fit`` reads top to bottom: check the arguments, *prepare* the data
(:func:`zoo.forecast_data.prepare`: panel, windows, splits, scaling), *train* the
network between the scaling layers (:func:`zoo.forecast_graph.assemble`, then the
shared train-then-refit step of :class:`zoo.base.ZooEstimator`) and *store* what
prediction and export need. The network trains on scaled targets; the model it
exports wraps the same layers between a :class:`WindowScaler` and an
:class:`InverseScaler`, so the artifact takes raw values and returns raw units.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zoo import forecast_data as D
from zoo import probabilistic as P
from zoo import windows as W
from zoo._checks import (
    check_choice,
    check_finite_output,
    check_int,
    check_quantiles,
    check_size,
)
from zoo import ensemble as E
from zoo.base import ZooEstimator
from zoo.frames import format_forecast, quantile_column, season_of  # noqa: F401  (re-exported)

STRATEGIES = ("direct", "recursive")
SCALING_CHOICES = ("auto", "window", "window_std", "global", "none", "mean")
# The training tail is stored in the manifest (predict() with no data) up to this many values.
TAIL_LIMIT = 100_000


class Forecaster(P.SamplingMixin, ZooEstimator):
    """Recurrent forecaster of one or many series, with scaling inside the model.

    Args:
        model: A registered model name (``zoo.list_models("forecast")``), or ``"auto"``:
            a plan of models fixed by the data is fitted and the one with the lowest
            validation MAE kept (:mod:`zoo.auto`; ``search_`` says what was tried).
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
        scaling: ``"auto"`` (= ``"window"``; ``"mean"`` for the negative binomial),
            ``"window"`` (per-window level, fitted spread), ``"window_std"``,
            ``"global"`` (z-score), ``"none"`` or ``"mean"`` (divide by one plus the
            window's mean size, no centring: DeepAR's scaling for counts).
        log: ``"auto"`` (log targets when every training value is positive), True or False.
        epochs: Maximum epochs (early stopping picks fewer on the validation tail).
        batch_size: Batch size.
        validation_size: Tail of each series for validation: a fraction or a number of steps.
        refit: After early stopping chose the epoch count, retrain on all the data.
        seed: Random seed (weights, shuffling, determinism); None for no seeding.
        verbose: 0 quiet, 1 one line per epoch.
        model_kwargs: Extra builder keyword arguments (e.g. ``{"layer_norm": True}``).
        fill_missing: None (NaN is an error) or ``"interpolate"``.
        distribution: None (a point forecaster), ``"normal"``, ``"student_t"`` or
            ``"negative_binomial"``: the network outputs that distribution's parameters
            per step and target, trained by negative log-likelihood; ``predict`` gives
            its median (``predict(quantiles=[...])`` adds quantiles) and
            :meth:`sample` draws paths. ``"student_t"`` suits heavy-tailed noise,
            ``"negative_binomial"`` non-negative counts (it needs mean scaling: no
            log, no centring). With ``strategy="recursive"`` each draw is fed back,
            giving paths with serial dependence (DeepAR's sampling) -- the choice when
            whole trajectories matter (totals over the horizon, peaks, generation);
            ``strategy="direct"`` draws each step from its own marginal, which is
            enough for per-step intervals and cheaper. Not combined with ``quantiles``.
        conformal: None, or coverage levels such as ``[0.8, 0.95]``: split-conformal
            intervals per horizon step from the residuals of the model before the
            refit on the validation windows (``validation_size`` must give at least
            ``level / (1 - level)`` of them); ``predict`` adds
            ``<target>_lo<level>`` and ``<target>_hi<level>`` columns.
        seasonal_residual: False (the default), True or a period in steps: the network
            learns the residual over the seasonal naive forecast (each step the
            window's value one period earlier, the last period repeated), which the
            model adds back on the network's scale before unscaling, so the artifact
            still takes raw values and returns raw units. True is the season of the
            data's frequency (12 for monthly); 1 is the naive forecast (the last
            value). Every quantile, and a normal / Student-t location, is shifted; not
            with ``"negative_binomial"``. With ``strategy="recursive"`` the one-step
            model adds the value one period before the step it forecasts (past the
            first period: its own forecast, fed back). ``lookback`` must hold a period.
        n_ensemble: Members trained with seeds ``seed``, ``seed + 1``, ... (with
            ``model="auto"``: the top candidates), served as one model whose forecast
            is the members' element-wise median (:mod:`zoo.ensemble`); 1 is one model.
            Not with ``distribution`` or ``conformal``.
        time_budget_s: With ``model="auto"``: seconds after which no further candidate
            starts (:mod:`zoo.auto`; None: try them all).
        {training_args}

    Example:
        >>> import zoo
        >>> df = zoo.datasets.load("airline")
        >>> f = zoo.Forecaster(lookback=24, horizon=12, units=8, epochs=2).fit(df)
        >>> f.predict().shape
        (12, 1)
    """

    task = "forecast"
    _TOP_LEVEL_PARAMS = ("model", "lookback", "horizon", "quantiles")

    def __init__(self, model="lstm", lookback=24, horizon=12, target=None, units=64, dropout=0.0,
                 strategy="direct", quantiles=None, future_covariates=None,
                 calendar_features="auto", scaling="auto", log="auto", epochs=300, batch_size=32,
                 validation_size=0.2, refit=True, seed=0, verbose=0, model_kwargs=None,
                 fill_missing=None, optimizer="adam", learning_rate=1e-3, lr_schedule=None,
                 decay_steps=None, decay_epochs=None, decay_rate=None, clipnorm="auto",
                 clipvalue=None, global_clipnorm=None, reduce_lr_on_plateau="auto",
                 early_stopping="auto", checkpoint_dir=None, backup_dir=None, csv_log=None,
                 tensorboard_dir=None, distribute_strategy=None, pruning=None,
                 distribution=None, conformal=None, seasonal_residual=False, n_ensemble=1,
                 time_budget_s=240.0):
        self._set_params_from(locals())

    # ------------------------------------------------------------------ checks
    def _check_params(self):
        spec = self._check_common()
        check_int(self.lookback, "lookback")
        check_int(self.horizon, "horizon")
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, got {self.strategy!r} "
                             "(a tf.distribute.Strategy goes in distribute_strategy)")
        check_choice(self.scaling, "scaling", SCALING_CHOICES)
        choices = {"log": check_choice(self.log, "log", ("auto", True, False)),
                   "calendar_features": check_choice(self.calendar_features, "calendar_features",
                                                     ("auto", True, False))}
        quantiles = check_quantiles(self.quantiles)
        if quantiles is not None and self.strategy == "recursive":
            raise ValueError("strategy='recursive' cannot forecast quantiles (feeding "
                             "quantiles back is not defined); use strategy='direct'")
        if (self.future_covariates or choices["calendar_features"] is True) and \
                not spec.future_covariates:
            raise ValueError(f"model {spec.name!r} takes no known-ahead covariates: drop "
                             "future_covariates / calendar_features=True or choose another model")
        check_size(self.validation_size)
        choices["log"], choices["scaling"] = P.check_distribution(
            self.distribution, quantiles, choices["log"], self.scaling)
        choices["conformal"] = P.check_conformal(self.conformal)
        D.check_seasonal_residual(self.seasonal_residual, self.lookback, self.distribution)
        return spec, quantiles, choices

    # ------------------------------------------------------------------ fit
    def fit(self, df, y=None):
        """Trains on a wide frame, a long frame (one global model), a Series or an array.

        Args:
            df: The training data (see the class docstring and ``zoo.windows.to_panel``).
            y: Ignored (scikit-learn compatibility).

        Returns:
            self.
        """
        if E.fit_delegated(self, (df,)) is not None:  # model="auto", n_ensemble > 1
            return self
        spec, quantiles, choices = self._check_params()
        panel = W.to_panel(df, self.target, self.future_covariates, fill_missing=self.fill_missing)
        if self.strategy == "recursive" and panel.past_covariates:
            raise ValueError(
                f"strategy='recursive' needs every input known ahead, but columns "
                f"{panel.past_covariates} are past-only covariates; pass them as "
                "future_covariates, drop them, or use strategy='direct'"
            )
        if self.distribution == "negative_binomial":
            P.check_counts(panel)
        self.seasonal_period_ = D.seasonal_period(self.seasonal_residual, panel.freq, self.lookback)
        data = D.prepare(panel, lookback=self.lookback,
                         horizon=self.horizon if self.strategy == "direct" else 1,
                         validation_size=self.validation_size,
                         calendar_features=choices["calendar_features"] if spec.future_covariates
                         else False, log=choices["log"], scaling_choice=choices["scaling"])
        self.conformal_ = None
        if choices["conformal"]:
            P.check_enough_windows(choices["conformal"], P.count_windows(data, self.horizon))
        model = self._train_network(spec, data, quantiles, choices["conformal"])
        self._store(data, model, quantiles)
        return self

    def _train_network(self, spec, data, quantiles, conformal=None):
        """Trains (and refits) the network; returns the raw-in, raw-out prediction model."""
        import zoo
        from zoo.builders.distributions import NegativeLogLikelihood, n_params
        from zoo.builders.heads import PinballLoss
        from zoo.forecast_graph import assemble, model_inputs, recursive

        wspec = data.wspec
        dist = self.distribution
        # a distribution head: the builder's network outputs every parameter per target
        n_out = wspec.n_targets * (n_params(dist) if dist else 1)
        self.network_kwargs_ = dict(self._builder_kwargs(spec), task="forecast",
                                    input_shape=(wspec.lookback, data.n_inputs),
                                    horizon=wspec.horizon, n_targets=n_out,
                                    quantiles=quantiles, n_future=data.n_future)
        self._check_network(spec)
        holder = {"stats": data.stats}

        def build():
            # called by zoo.training.fit, inside distribute_strategy.scope() when one is given
            network = zoo.build(spec.name, **self.network_kwargs_)
            holder["train"], holder["predict"] = assemble(
                network, holder["stats"], wspec.n_targets, data.n_inputs, wspec.horizon,
                data.n_future, distribution=dist, seasonal_period=self.seasonal_period_)
            return holder["train"]

        def full_horizon(model):
            if self.strategy == "recursive" and self.horizon > 1:
                return recursive(model, int(self.horizon), wspec.n_targets, wspec.lookback,
                                 data.n_inputs, data.n_future)
            return model

        def windows(starts, shuffle):
            return D.network_data(data, starts, holder["stats"], shuffle=shuffle,
                                  batch_size=int(self.batch_size),
                                  seed=0 if self.seed is None else int(self.seed))

        def score():
            self.validation_metrics_ = D.validation_metrics(holder["predict"], data, quantiles)
            if conformal:
                # calibrated on the model before the refit, which never saw these windows
                x, y, future = P.validation_windows(data, int(self.horizon))
                point = np.asarray(full_horizon(holder["predict"])(model_inputs(x, future),
                                                                   training=False))
                if quantiles:
                    from zoo.frames import median_of_quantiles
                    point = median_of_quantiles(point, quantiles)
                self.conformal_ = {"levels": conformal, "n_windows": int(len(x)),
                                   "normalization": P.NORMALIZATION,
                                   "widths": P.conformal_widths(point, x, y, wspec.n_targets,
                                                                conformal, P.NORMALIZATION)}

        def refit_data():
            holder["stats"] = data.refit_stats()
            return windows(data.all_starts, shuffle=True)

        self.validation_metrics_ = {}
        has_val = data.validation is not None
        self._train(build, lambda: windows(data.train_starts, shuffle=True),
                    (lambda: windows(data.val_starts, shuffle=False)) if has_val else None,
                    refit_data=refit_data, on_trained=score if has_val else None,
                    loss=(NegativeLogLikelihood(dist) if dist else
                          PinballLoss(quantiles) if quantiles else "mse"),
                    fingerprint_data=[s.values for s in data.panel.series])
        self.scaling_stats_ = holder["stats"]
        return full_horizon(holder["predict"])

    def _store(self, data, model, quantiles):
        panel, L = data.panel, int(self.lookback)
        self.model_ = model
        self.streamed_ = data.stream
        self.targets_ = list(panel.targets)
        self.past_covariates_ = list(panel.past_covariates)
        self.future_covariates_ = list(panel.future_covariates)
        self.calendar_ = list(data.calendar)
        self.input_names_ = panel.columns + list(data.calendar)
        self.future_names_ = [self.input_names_[j] for j in data.wspec.future_cols]
        self.freq_ = panel.freq
        self.kind_ = panel.kind
        self.log_ = data.log
        self.quantiles_ = quantiles
        self.season_ = season_of(panel.freq)
        self.n_features_in_ = data.n_inputs
        self.layout_ = W.Panel([], panel.targets, panel.past_covariates,
                               panel.future_covariates, panel.kind, panel.freq)
        # the end of each training series: predict() with no data continues from here
        # (copied: the panel's values are views of the training arrays, not kept after fit)
        self.tail_ = [W.Series(s.uid, s.index[-L:], s.values[-L:].copy()) for s in panel.series
                      if len(s.values) >= L]
        self.last_timestamp_ = max(s.index[-1] for s in panel.series)

    # ------------------------------------------------------------------ predict
    def predict(self, df=None, future_df=None, quantiles=None):
        """Forecasts ``horizon`` steps after the end of ``df`` (or of the training data).

        Args:
            df: History in the layout of ``fit`` (wide, long, Series or array),
                at least ``lookback`` steps per series; None for the training data.
            future_df: Known-ahead covariates over the horizon (wide: indexed by the
                future timestamps; long: ``unique_id``, ``ds`` + columns).
            quantiles: With a ``distribution``: levels whose quantile columns are
                added (the distribution's own quantiles with ``strategy="direct"``;
                with ``"recursive"``, those of 1,000 sample paths drawn with seed 0).

        Returns:
            Wide: a DataFrame indexed by the future timestamps, one column per
            target (+ ``<target>_q0.1`` ... for quantiles, ``<target>_lo0.8`` /
            ``<target>_hi0.8`` ... for conformal intervals). Long: ``unique_id``,
            ``ds``, ``y_hat`` (+ ``y_hat_q0.1`` ...). Array/Series: a DataFrame with
            a RangeIndex continuing the input.
        """
        from zoo.forecast_graph import model_inputs

        self._check_fitted()
        if quantiles is not None and self.distribution is None:
            raise ValueError("predict(quantiles=...) needs a distribution head "
                             "(Forecaster(distribution='normal', ...)); a quantile model "
                             "sets its levels at construction (quantiles=[...])")
        levels = check_quantiles(quantiles)
        frame = self.forecast_with(
            lambda x, future: self.model_(model_inputs(x, future), training=False),
            df, future_df)
        if levels:
            from zoo.frames import add_forecast_columns

            series, kind = self._history(df)
            values = self._distribution_quantiles(series, future_df, kind, levels)
            add_forecast_columns(frame, values, [f"q{q:g}" for q in levels], kind,
                                 self.targets_)
        return frame

    def forecast_with(self, run, df=None, future_df=None):
        """:meth:`predict` with another way to run the model (the Predictor's backends).

        Args:
            run: ``run(x, future) -> outputs`` on raw arrays ``[S, lookback, n_inputs]``
                and ``[S, horizon, n_future]`` (or None).
            df: History, as for :meth:`predict`.
            future_df: Known-ahead covariates, as for :meth:`predict`.

        Returns:
            The forecast frame of :meth:`predict`.
        """
        series, kind = self._history(df)
        x, future, indices = self.make_inputs(series, future_df, kind)
        out = check_finite_output(run(x, future))
        frame = format_forecast(out, series, indices, kind, self.targets_, self.quantiles_)
        if getattr(self, "conformal_", None):
            from zoo.frames import add_forecast_columns, interval_suffixes, median_of_quantiles

            point = median_of_quantiles(out, self.quantiles_) if self.quantiles_ else out
            lower, upper = P.intervals(point, x, self.conformal_["widths"], len(self.targets_),
                                       P.interval_floor(self),
                                       self.conformal_.get("normalization", "mean_abs"))
            bounds = np.stack([np.asarray(lower), np.asarray(upper)], axis=-1)
            add_forecast_columns(frame, bounds.reshape(*bounds.shape[:3], -1),
                                 interval_suffixes(self.conformal_["levels"]), kind,
                                 self.targets_)
        return frame

    def _history(self, df):
        if df is None:
            if not self.tail_:
                raise ValueError("predict() without df continues the training data, but none "
                                 "of it is stored (no series had lookback steps, or the "
                                 f"artifact left out more than {TAIL_LIMIT} values): pass df")
            return self.tail_, self.kind_
        panel = W.to_panel(df, None, None, fill_missing=self.fill_missing, layout=self.layout_)
        L = self.lookback
        short = [s.uid for s in panel.series if len(s.values) < L]
        if short:
            who = "" if panel.kind != "long" else f" (series {short[:5]})"
            raise ValueError(f"too little history to predict{who}: lookback={L} steps needed")
        return [W.Series(s.uid, s.index[-L:], s.values[-L:]) for s in panel.series], panel.kind

    def make_inputs(self, series, future_df, kind):
        """Model inputs ``[S, lookback, n_inputs]`` (+ future) for the ends of ``series``.

        Args:
            series: History series (``zoo.windows.Series``), ``lookback`` steps each.
            future_df: Known-ahead covariates over the horizon, or None.
            kind: The history's layout (``"wide"``, ``"long"``, ``"array"``).

        Returns:
            ``(x, future, indices)``: float32 inputs, float32 future inputs (or None) and
            the future index of each series.
        """
        H = int(self.horizon)
        if self.calendar_ and not all(isinstance(s.index, pd.DatetimeIndex) for s in series):
            raise ValueError(f"the model reads the calendar features {self.calendar_} of "
                             "timestamps: the history needs a DatetimeIndex (a long frame: a "
                             f"{W.TIME_COL!r} column of timestamps), not an integer index or "
                             "an array")
        indices = [W.future_index(s.index, H, self.freq_) for s in series]
        rows = [np.concatenate([s.values, W.calendar_features(s.index, self.calendar_)], 1)
                if self.calendar_ else s.values for s in series]
        x = np.stack(rows).astype("float32")
        if not self.future_names_:
            return x, None, indices
        known = D.future_values(future_df, series, indices, kind, self.future_covariates_)
        future = []
        for idx, values in zip(indices, known):
            parts = [values] if self.future_covariates_ else []
            if self.calendar_:
                parts.append(W.calendar_features(idx, self.calendar_))
            future.append(np.concatenate(parts, axis=1))
        return x, np.stack(future).astype("float32"), indices

    # ------------------------------------------------------------------ artifact
    def _input_specs(self):
        specs = {"inputs": (None, int(self.lookback), int(self.n_features_in_))}
        if self.future_names_:
            specs["future"] = (None, int(self.horizon), len(self.future_names_))
        return specs

    def _manifest(self):
        tail = None
        if sum(s.values.size for s in self.tail_) <= TAIL_LIMIT:
            tail = [{"uid": s.uid, "index": [str(i) if isinstance(s.index, pd.DatetimeIndex)
                                             else int(i) for i in s.index],
                     "values": s.values.tolist()} for s in self.tail_]
        datetime = isinstance(self.last_timestamp_, pd.Timestamp)
        return {
            **self._manifest_common(),
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
            "frequency": self.freq_,
            "season": self.season_,
            "layout": self.kind_,
            "index_kind": "datetime" if datetime else "integer",
            "last_timestamp": str(self.last_timestamp_),
            "log": self.log_,
            "scaling": self.scaling_stats_,
            "tail": tail,
            "conformal": self.conformal_,
            "seasonal_period": self.seasonal_period_,
        }

    def _restore(self, m):
        self._restore_common(m)
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
        self.scaling_stats_ = m["scaling"]
        self.conformal_ = m.get("conformal")
        self.seasonal_period_ = m.get("seasonal_period")
        self.layout_ = W.Panel([], self.targets_, self.past_covariates_, self.future_covariates_,
                               self.kind_, self.freq_)
        dt = m.get("index_kind") == "datetime"
        self.last_timestamp_ = pd.Timestamp(m["last_timestamp"]) if dt else int(m["last_timestamp"])
        self.tail_ = []
        for t in m.get("tail") or []:
            index = pd.DatetimeIndex(pd.to_datetime(t["index"])) if dt else pd.Index(t["index"])
            self.tail_.append(W.Series(t["uid"], index, np.asarray(t["values"], "float64")))
