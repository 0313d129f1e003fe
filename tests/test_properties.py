"""Property tests (hypothesis) of windowing, scaling, metrics and export parity.

Every test runs with ``derandomize=True`` and no example database, so the suite is
deterministic and writes nothing beside the tests.

Checked properties:

* **Windowing** (:mod:`zoo.panel`, :mod:`zoo.windows`, :mod:`zoo.forecast_data`). Long
  frames (several series, rows interleaved by time) and wide frames of random series
  counts, lengths, start offsets, targets, past and future covariates, integer or daily
  timestamps (with or without calendar features), lookbacks, horizons and validation
  sizes go through ``to_panel`` and ``prepare`` as the Forecaster calls them. Every cell
  encodes ``(series, time step, column)``, so the windows ``make_windows`` cuts at the
  training, validation and refit starts can be decoded exactly: the target window starts
  right after the input window ends, in the same series, every column is where the
  ``WindowSpec`` says, no window crosses two series, the starts are exactly the windows
  that fit each split (training targets before ``split_point``, validation targets all in
  the tail), and the scaling constants come from the training part only. The
  ``tf.data`` stream (``make_dataset``), which slices windows from the concatenated
  series, gives the same windows as the dense path.
* **Scaling inverts exactly** (:mod:`zoo.scaling`, :mod:`zoo.builders.layers`): for every
  scaling, log on or off, positive or signed data, float32 and float64,
  ``unscale(scale_targets(y))`` gives ``y`` back, ``scale_window``'s target channels are
  ``scale_targets`` of the window, its covariates undo with ``cov_mean``/``cov_std``;
  ``standardize`` inverts and leaves padding; ``WindowScaler`` -> ``InverseScaler``
  round-trips a window and quantile outputs, and ``Standardize`` matches the function.
* **Metric identities** (:mod:`zoo.metrics.forecast`): MASE of the in-sample seasonal
  naive forecast over ``y_train[season:]`` is 1 (1-D and 2-D), MASE is scale free, sMAPE
  is symmetric and in [0, 200], pinball loss at q=0.5 is half the MAE and the mean over
  ``[q, 1 - q]`` is too, ``0 <= mae <= rmse <= max |error|``, MAPE is scale free,
  ``forecast_metrics`` agrees with the single metrics.
* **Export/load parity**: a few random tiny ``zoo.Forecaster`` configurations (registry
  model, lookback, horizon, strategy, quantiles) exported with ``formats=["keras"]`` and
  loaded with ``zoo.load`` predict what the estimator predicts, from the training tail
  and from a new history.
"""

from __future__ import annotations

import math
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from zoo import forecast_data as D
from zoo import metrics, registry, scaling
from zoo import windows as W


def _settings(n):
    return settings(max_examples=n, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ================================================================== windowing
# A cell of series ``sid`` at step ``t`` (0-based position in its series) of column ``c``
# holds code(sid, t, c): exact in float32 for every size drawn here.
N_CODE_COLS = 8


def code(sid, t, c):
    return (np.asarray(sid) * 1000 + np.asarray(t)) * N_CODE_COLS + np.asarray(c)


def decode(v):
    v = np.asarray(np.rint(v), dtype="int64")
    return v // N_CODE_COLS // 1000, v // N_CODE_COLS % 1000, v % N_CODE_COLS


@st.composite
def panels(draw):
    """A frame whose every cell encodes (series, step, column) and how it was made."""
    layout = draw(st.sampled_from(["long", "wide"]))
    n_series = 1 if layout == "wide" else draw(st.integers(1, 5))
    lengths = [draw(st.integers(1 if layout == "long" else 3, 40)) for _ in range(n_series)]
    offsets = [draw(st.integers(0, 10)) for _ in range(n_series)]
    n_t = draw(st.integers(1, 2))
    n_past = draw(st.integers(0, 2))
    n_fut = draw(st.integers(0, 2))
    calendar = draw(st.booleans())
    time_kind = "datetime" if calendar else draw(st.sampled_from(["int", "datetime"]))
    targets = ["y"] if n_t == 1 else [f"y{j}" for j in range(n_t)]
    past = [f"p{j}" for j in range(n_past)]
    fut = [f"f{j}" for j in range(n_fut)]
    names = targets + past + fut  # column id c = position in this list
    order = draw(st.permutations(range(n_series)))  # tie-break of interleaved rows
    sids = [s + 1 for s in range(n_series)]  # from 1: every code is positive
    frames = []
    for k, (sid, n, off) in enumerate(zip(sids, lengths, offsets)):
        t = np.arange(n)
        cols = {name: code(sid, t, c).astype("float64") for c, name in enumerate(names)}
        ds = off + t if time_kind == "int" else (
            pd.Timestamp("2021-03-01") + pd.to_timedelta(off + t, unit="D"))
        frames.append(pd.DataFrame({"unique_id": f"s{sid}", "ds": ds, **cols,
                                    "_order": order[k]}))
    # the columns of the frame in a shuffled order: the panel must reorder them
    shuffled = draw(st.permutations(names))
    if layout == "long":
        df = pd.concat(frames).sort_values(["ds", "_order"], kind="stable")
        df = df[["unique_id", "ds", *shuffled]].reset_index(drop=True)
    else:
        df = frames[0].set_index("ds")[list(shuffled)]
        if time_kind == "datetime":
            df.index = pd.DatetimeIndex(df.index, freq="D")
    lookback = draw(st.integers(1, 8))
    horizon = draw(st.integers(1, 5))
    validation_size = draw(st.one_of(st.just(0), st.integers(0, 15),
                                     st.floats(0.05, 0.6)))
    return {
        "df": df, "layout": layout, "sids": sids, "lengths": lengths, "offsets": offsets,
        "targets": targets, "past": past, "future": fut, "names": names, "calendar": calendar,
        "lookback": lookback, "horizon": horizon, "validation_size": validation_size,
        "time_kind": time_kind,
        "log": draw(st.sampled_from([False, "auto"])),
        "scaling": draw(st.sampled_from(["auto", "window", "window_std", "global", "none"])),
    }


def _expected_split(length, size):
    if isinstance(size, int):
        return max(length - size, 0)
    return length - math.ceil(length * size)


def _check_windows(data, starts, case, uid_to_sid, colmap):
    """Decodes every window cut at ``starts`` and checks each cell's position exactly.

    ``colmap[k]`` is the code column of array column ``k`` (calendar columns have none).
    """
    wspec = data.wspec
    L, H = wspec.lookback, wspec.horizon
    if sum(len(s) for s in starts) == 0:
        return 0
    x, y, fut = W.make_windows(data.arrays, starts, wspec)
    n_names = len(case["names"])
    rows = [(uid_to_sid[s.uid], int(st_)) for s, sts in zip(data.panel.series, starts)
            for st_ in sts]
    assert len(x) == len(y) == len(rows)
    if wspec.future_cols:
        assert fut.shape == (len(rows), H, len(wspec.future_cols))
    else:
        assert fut is None
    coded_in = [k for k, c in enumerate(wspec.input_cols) if c < n_names]
    coded_fut = [k for k, c in enumerate(wspec.future_cols) if c < n_names]
    for n, (sid, s) in enumerate(rows):
        steps_in = s + np.arange(L)
        steps_out = s + L + np.arange(H)  # the target window starts right after the input
        # every coded input column holds series sid at steps s .. s+L-1, column c
        want = code(sid, steps_in[:, None],
                    colmap[np.asarray(wspec.input_cols)[coded_in]][None, :])
        np.testing.assert_array_equal(x[n][:, coded_in], want.astype("float32"))
        want_y = code(sid, steps_out[:, None], np.arange(wspec.n_targets)[None, :])
        np.testing.assert_array_equal(y[n], want_y.astype("float32"))
        # decoded: one series per window, inputs then targets, consecutive steps
        s_in, t_in, _ = decode(x[n][:, coded_in])
        s_out, t_out, c_out = decode(y[n])
        assert set(np.unique(s_in)) == {sid} and set(np.unique(s_out)) == {sid}
        assert t_out[0, 0] == t_in[-1, 0] + 1
        assert (c_out == np.arange(wspec.n_targets)[None, :]).all()
        if coded_fut:
            want_f = code(sid, steps_out[:, None],
                          colmap[np.asarray(wspec.future_cols)[coded_fut]][None, :])
            np.testing.assert_array_equal(fut[n][:, coded_fut], want_f.astype("float32"))
        if data.calendar:
            series = data.panel.series[[uid_to_sid[u.uid] for u in data.panel.series].index(sid)]
            cal = W.calendar_features(series.index, data.calendar)
            cal_in = [k for k, c in enumerate(wspec.input_cols) if c >= n_names]
            cal_fut = [k for k, c in enumerate(wspec.future_cols) if c >= n_names]
            np.testing.assert_allclose(x[n][:, cal_in], cal[steps_in], atol=1e-6)
            np.testing.assert_allclose(fut[n][:, cal_fut], cal[steps_out], atol=1e-6)
    return len(rows)


@_settings(100)
@given(case=panels())
def test_prepared_windows_follow_their_inputs_within_one_series(case):
    df = case["df"]
    L, H = case["lookback"], case["horizon"]
    panel = W.to_panel(df, case["targets"] if len(case["targets"]) > 1 else "y",
                       case["future"] or None)
    # the panel's layout: targets, past covariates, future covariates; one series per id
    assert panel.targets == case["targets"]
    # past covariates: the other numeric columns, in the frame's column order
    assert panel.past_covariates == [c for c in df.columns if c in case["past"]]
    assert panel.future_covariates == case["future"]
    assert panel.kind == case["layout"]
    uid_to_sid = {f"s{sid}": sid for sid in case["sids"]} if case["layout"] == "long" \
        else {None: case["sids"][0]}
    assert sorted(uid_to_sid[s.uid] for s in panel.series) == sorted(case["sids"])

    lengths = {sid: n for sid, n in zip(case["sids"], case["lengths"])}
    splits = {sid: _expected_split(n, case["validation_size"]) for sid, n in lengths.items()}
    n_train = sum(max(0, splits[s] - L - H + 1) for s in case["sids"])
    n_all = sum(max(0, lengths[s] - L - H + 1) for s in case["sids"])
    kwargs = {"lookback": L, "horizon": H, "validation_size": case["validation_size"],
              "calendar_features": case["calendar"], "log": case["log"],
              "scaling_choice": case["scaling"]}
    event(f"{case['layout']}, {len(case['sids'])} series, calendar={case['calendar']}, "
          f"refused={n_all == 0 or n_train == 0}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if n_all == 0 or n_train == 0:
            # too little data is refused before any window is cut, and only then
            with pytest.raises(ValueError, match="too little data|no training window"):
                D.prepare(panel, **kwargs)
            return
        data = D.prepare(panel, **kwargs)

    n_names = len(case["names"])
    colmap = np.asarray([case["names"].index(c) for c in panel.columns])
    assert data.wspec.lookback == L and data.wspec.horizon == H
    assert data.wspec.n_targets == len(case["targets"])
    assert data.wspec.input_cols == list(range(n_names + len(data.calendar)))
    n_before_future = len(case["targets"]) + len(case["past"])
    assert data.wspec.future_cols == list(range(n_before_future, n_names + len(data.calendar)))
    if case["calendar"]:
        assert data.calendar == W.calendar_columns("D")
    else:
        assert data.calendar == []

    for i, s in enumerate(data.panel.series):
        sid, n = uid_to_sid[s.uid], lengths[uid_to_sid[s.uid]]
        # the series' rows, in time order, every column where the panel says
        assert data.arrays[i].shape == (n, n_names + len(data.calendar))
        np.testing.assert_array_equal(
            data.arrays[i][:, :n_names], code(sid, np.arange(n)[:, None], colmap[None, :]))
        split = W.split_point(n, case["validation_size"])
        assert split == splits[sid]
        # exactly the windows that fit: all, training (targets < split), validation
        # (every target in the tail), none reaching outside the series
        fits = [b for b in range(n) if b + L + H <= n]
        assert data.all_starts[i].tolist() == fits
        assert data.train_starts[i].tolist() == [b for b in fits if b + L + H <= split]
        want_val = [b for b in fits if b + L >= split] if split < n else []
        assert data.val_starts[i].tolist() == want_val
        assert W.window_starts(n, L, H).tolist() == fits
        assert len(data.train_rows[i]) == split

    seen = 0
    for starts in (data.train_starts, data.val_starts, data.all_starts):
        seen += _check_windows(data, starts, case, uid_to_sid, colmap)
    assert seen >= n_all  # the refit's windows alone are n_all
    n_val = sum(len(s) for s in data.val_starts)
    if n_val:
        x, y, _f = W.make_windows(data.arrays, data.val_starts, data.wspec)
        np.testing.assert_array_equal(data.validation[0], x)
        np.testing.assert_array_equal(data.validation[1], y)
    else:
        assert data.validation is None

    # scaling is fitted on the training part only: its level is the training rows' mean
    train_targets = np.concatenate([r[:, :data.wspec.n_targets] for r in data.train_rows])
    assert data.log == (case["log"] == "auto")  # every code is positive
    t = np.log(train_targets) if data.log else train_targets
    np.testing.assert_allclose(data.stats["target_loc"], t.mean(axis=0), rtol=1e-6)


@st.composite
def window_sets(draw):
    n_series = draw(st.integers(1, 4))
    n_cols = draw(st.integers(1, 4))
    lengths = [draw(st.integers(1, 30)) for _ in range(n_series)]
    arrays = [code(sid + 1, np.arange(n)[:, None], np.arange(n_cols)[None, :]).astype("float64")
              for sid, n in enumerate(lengths)]
    L = draw(st.integers(1, 6))
    H = draw(st.integers(1, 4))
    n_t = draw(st.integers(1, n_cols))
    future = sorted(draw(st.sets(st.integers(n_t, n_cols - 1), max_size=n_cols - n_t))) \
        if n_cols > n_t else []
    starts = []
    for n in lengths:
        fits = W.window_starts(n, L, H)
        keep = draw(st.lists(st.booleans(), min_size=len(fits), max_size=len(fits)))
        starts.append(fits[np.asarray(keep, dtype=bool)] if len(fits) else fits)
    assume(sum(len(s) for s in starts) > 0)
    return arrays, starts, W.WindowSpec(L, H, n_t, list(range(n_cols)), future), \
        draw(st.integers(1, 7))


@_settings(15)
@given(sets=window_sets())
def test_streamed_windows_are_the_dense_windows(sets):
    arrays, starts, wspec, batch_size = sets
    x, y, f = W.make_windows(arrays, starts, wspec)
    ds = W.make_dataset(arrays, starts, wspec, batch_size=batch_size, shuffle=False)
    xs, ys, fs = [], [], []
    for inputs, target in ds:
        if wspec.future_cols:
            xs.append(inputs["inputs"].numpy())
            fs.append(inputs["future"].numpy())
        else:
            xs.append(inputs.numpy())
        ys.append(target.numpy())
    np.testing.assert_array_equal(np.concatenate(xs), x)
    np.testing.assert_array_equal(np.concatenate(ys), y)
    if wspec.future_cols:
        np.testing.assert_array_equal(np.concatenate(fs), f)
    # and those windows lie in one series each, targets right after the inputs
    sid_x, t_x, _ = decode(x)
    sid_y, t_y, _ = decode(y)
    assert (sid_x == sid_x[:, :1, :1]).all() and (sid_y == sid_x[:, :1, :1]).all()
    np.testing.assert_array_equal(t_y[:, 0, 0], t_x[:, -1, 0] + 1)


@_settings(60)
@given(length=st.integers(0, 60), lookback=st.integers(1, 10), horizon=st.integers(1, 10),
       first=st.one_of(st.none(), st.integers(0, 60)),
       last=st.one_of(st.none(), st.integers(0, 60)))
def test_window_starts_are_exactly_the_windows_inside_the_bounds(length, lookback, horizon,
                                                                 first, last):
    if last is not None:
        last = min(last, length)
    got = W.window_starts(length, lookback, horizon, first_target=first, last_target=last)
    hi = length if last is None else last
    lo = 0 if first is None else first
    want = [s for s in range(length)
            if s + lookback >= lo and s + lookback + horizon <= hi]
    assert got.tolist() == want


# ================================================================== scaling
finite = {"allow_nan": False, "allow_infinity": False, "allow_subnormal": False}


@st.composite
def scaling_cases(draw):
    B = draw(st.integers(1, 4))
    T = draw(st.integers(1, 8))
    n_t = draw(st.integers(1, 3))
    n_c = draw(st.integers(0, 2))
    log = draw(st.booleans())
    sign = draw(st.sampled_from(["positive", "negative", "mixed"])) if not log else "positive"
    dtype = draw(st.sampled_from(["float32", "float64"]))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    magnitude = 10.0 ** draw(st.integers(-2, 3))
    t = rng.lognormal(0.0, 1.0, size=(B, T, n_t)) * magnitude
    if sign == "negative":
        t = -t
    elif sign == "mixed":
        t = t * rng.choice([-1.0, 1.0], size=t.shape)
    if draw(st.booleans()):  # flat windows: a zero spread must not break the inverse
        t = np.repeat(t[:, :1], T, axis=1)
    c = rng.normal(3.0, 5.0, size=(B, T, n_c))
    horizon = draw(st.integers(1, 5))
    y = rng.lognormal(0.0, 1.0, size=(B, horizon, n_t)) * magnitude
    if sign == "negative":
        y = -y
    elif sign == "mixed":
        y = y * rng.choice([-1.0, 1.0], size=y.shape)
    kwargs = {"n_targets": n_t, "log": log,
              "scaling": draw(st.sampled_from(list(scaling.SCALINGS))),
              "target_loc": rng.normal(0.0, magnitude, n_t).tolist(),
              "target_scale": (rng.uniform(0.1, 3.0, n_t) * magnitude).tolist(),
              "cov_mean": rng.normal(0.0, 2.0, n_c).tolist() if n_c else [],
              "cov_std": rng.uniform(0.5, 4.0, n_c).tolist() if n_c else []}
    return np.concatenate([t, c], axis=-1).astype(dtype), y.astype(dtype), kwargs


def _tol(dtype):
    return {"rtol": 2e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}


@_settings(60)
@given(case=scaling_cases())
def test_scaling_functions_invert_exactly(case):
    x, y, kw = case
    n_t, log = kw["n_targets"], kw["log"]
    scaled, loc, scale = (np.asarray(a) for a in scaling.scale_window(x, **kw))
    assert scaled.shape == x.shape and loc.shape == scale.shape == (x.shape[0], 1, n_t)
    assert np.all(scale > 0)
    tol = _tol(x.dtype)
    # raw targets -> the network's scale -> raw units is the identity
    net = np.asarray(scaling.scale_targets(y, loc, scale, log))
    back = np.asarray(scaling.unscale(net, loc, scale, log))
    np.testing.assert_allclose(back, y, **tol)
    # the window's target channels are the targets' transform, and undo the same way
    np.testing.assert_allclose(
        scaled[..., :n_t], np.asarray(scaling.scale_targets(x[..., :n_t], loc, scale, log)),
        **tol)
    np.testing.assert_allclose(np.asarray(scaling.unscale(scaled[..., :n_t], loc, scale, log)),
                               x[..., :n_t], **tol)
    # covariates: a z-score with the fitted constants
    if kw["cov_mean"]:
        cov = scaled[..., n_t:] * np.asarray(kw["cov_std"]) + np.asarray(kw["cov_mean"])
        np.testing.assert_allclose(cov, x[..., n_t:], rtol=1e-5, atol=1e-5)
    # per-window level: the scaled targets of each window have mean 0
    if kw["scaling"] in ("window", "window_std"):
        # a mean's rounding error is a few ulps of the level, magnified by 1 / scale
        ulp = np.finfo(x.dtype).eps
        level = np.abs(np.asarray(scaling.target_transform(x[..., :n_t], log))).max(axis=1)
        bound = 16 * ulp * (level[:, None, :] / scale + np.abs(scaled[..., :n_t]).max() + 1.0)
        assert np.all(np.abs(scaled[..., :n_t].mean(axis=1, keepdims=True)) <= bound)
    # quantile outputs [B, H, T, Q] unscale quantile by quantile
    q = np.stack([net, net * 0.5, net + 1.0], axis=-1)
    out = np.asarray(scaling.unscale(q, loc, scale, log))
    for k in range(3):
        np.testing.assert_allclose(out[..., k], np.asarray(scaling.unscale(q[..., k], loc, scale,
                                                                           log)), **tol)


@_settings(40)
@given(seed=st.integers(0, 2 ** 32 - 1), n=st.integers(1, 6), t=st.integers(1, 6),
       f=st.integers(1, 4), pad=st.booleans())
def test_standardize_inverts_and_keeps_padding(seed, n, t, f, pad):
    rng = np.random.default_rng(seed)
    x = rng.normal(2.0, 10.0, size=(n, t, f))
    mean, std = rng.normal(0, 3, f).tolist(), rng.uniform(0.1, 5, f).tolist()
    pad_value = -999.0 if pad else None
    if pad:
        x[:, t // 2:] = pad_value
    out = np.asarray(scaling.standardize(x, mean, std, pad_value))
    is_pad = np.all(x == -999.0, axis=-1) if pad else np.zeros(x.shape[:2], bool)
    np.testing.assert_array_equal(out[is_pad], x[is_pad])
    np.testing.assert_allclose((out * std + np.asarray(mean))[~is_pad], x[~is_pad], rtol=1e-10,
                               atol=1e-10)
    if (~is_pad).sum() > 1:
        fitted_mean, fitted_std = scaling.fit_standardize(x, pad_value)
        z = np.asarray(scaling.standardize(x, fitted_mean, fitted_std, pad_value))[~is_pad]
        np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-9)


@_settings(12)
@given(case=scaling_cases())
def test_graph_scaling_layers_round_trip(case):
    from zoo.builders.layers import InverseScaler, Standardize, WindowScaler

    x, y, kw = case
    x, y = x.astype("float32"), y.astype("float32")
    n_t, log = kw["n_targets"], kw["log"]
    layer = WindowScaler(**kw)
    scaled, loc, scale = (np.asarray(a) for a in layer(x))
    # the layer is the function, and survives its config
    ref = [np.asarray(a) for a in scaling.scale_window(x, **kw)]
    for got, want in zip((scaled, loc, scale), ref):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    again = WindowScaler.from_config(layer.get_config())(x)
    np.testing.assert_allclose(np.asarray(again[0]), scaled, rtol=1e-6, atol=1e-6)
    inverse = InverseScaler(log=log)
    tol = _tol(np.float32)
    np.testing.assert_allclose(np.asarray(inverse([scaled[..., :n_t], loc, scale])),
                               x[..., :n_t], **tol)
    net = np.asarray(scaling.scale_targets(y, loc, scale, log))
    np.testing.assert_allclose(np.asarray(inverse([net, loc, scale])), y, **tol)
    quantiles = np.stack([net - 0.3, net, net + 0.3], axis=-1)
    out = np.asarray(inverse([quantiles, loc, scale]))
    assert out.shape == quantiles.shape
    np.testing.assert_allclose(out[..., 1], y, **tol)
    if kw["cov_mean"]:
        cov = x[..., n_t:]
        std_layer = Standardize(mean=kw["cov_mean"], std=kw["cov_std"])
        np.testing.assert_allclose(np.asarray(std_layer(cov)), scaled[..., n_t:],
                                   rtol=1e-5, atol=1e-5)


# ================================================================== metrics
def _series(min_len=2, max_len=40, cols=None):
    shape = st.integers(min_len, max_len) if cols is None else st.tuples(
        st.integers(min_len, max_len), st.just(cols))
    from hypothesis.extra.numpy import arrays

    return arrays(np.float64, shape, elements=st.floats(-1e4, 1e4, **finite))


@_settings(60)
@given(data=st.data(), season=st.integers(1, 12), n_series=st.one_of(st.none(),
                                                                     st.integers(1, 3)))
def test_mase_of_the_in_sample_seasonal_naive_forecast_is_one(data, season, n_series):
    train = data.draw(_series(season + 1, season + 40, n_series))
    diffs = np.abs(train[season:] - train[:-season])
    assume(np.all(diffs.mean(axis=0) > 1e-6))
    # in sample: the naive forecast of y_train[t] is y_train[t - season], for t >= season
    value = metrics.mase(train[season:], train[:-season], train, season=season)
    assert value == pytest.approx(1.0, rel=1e-9)
    # MASE is the MAE in units of that scale, and scale free
    if n_series is None:
        y = data.draw(_series(1, 10))
        p = data.draw(_series(len(y), len(y)))
        m = metrics.mase(y, p, train, season=season)
        assert m == pytest.approx(metrics.mae(y, p) / diffs.mean(), rel=1e-9, abs=1e-12)
        a = data.draw(st.floats(1e-3, 1e3))
        assert metrics.mase(a * y, a * p, a * train, season=season) == pytest.approx(
            m, rel=1e-9, abs=1e-12)


@_settings(60)
@given(data=st.data())
def test_point_metric_identities(data):
    y = data.draw(_series(1, 30))
    p = data.draw(_series(len(y), len(y)))
    e = np.abs(y - p)
    mae, rmse = metrics.mae(y, p), metrics.rmse(y, p)
    assert 0.0 <= mae <= rmse * (1 + 1e-12) + 1e-12
    assert rmse <= e.max() * (1 + 1e-12) + 1e-12
    assert mae == pytest.approx(e.mean(), rel=1e-12, abs=1e-12)
    assert metrics.mae(y, y) == 0.0 and metrics.rmse(y, y) == 0.0
    assert metrics.mae(p, y) == mae and metrics.rmse(p, y) == rmse
    s = metrics.smape(y, p)
    assert s == pytest.approx(metrics.smape(p, y), rel=1e-12, abs=1e-12)
    assert 0.0 <= s <= 200.0 + 1e-9
    assert metrics.smape(y, y) == 0.0
    if np.all(y != 0):
        a = data.draw(st.floats(1e-3, 1e3))
        assert metrics.mape(a * y, a * p) == pytest.approx(metrics.mape(y, p), rel=1e-9,
                                                           abs=1e-9)
        fm = metrics.forecast_metrics(y, p)
        assert fm["mape"] == pytest.approx(metrics.mape(y, p), rel=1e-12)
    fm = metrics.forecast_metrics(y, p)
    assert fm["mae"] == mae and fm["rmse"] == rmse and fm["smape"] == s


@_settings(60)
@given(data=st.data(), q=st.floats(0.01, 0.49))
def test_pinball_identities(data, q):
    y = data.draw(_series(1, 30))
    p = data.draw(_series(len(y), len(y)))
    mae = metrics.mae(y, p)
    # at the median the pinball loss is half the absolute error
    assert metrics.pinball_loss(y, p[:, None], [0.5]) == pytest.approx(0.5 * mae, rel=1e-12,
                                                                      abs=1e-12)
    # levels q and 1 - q at the same forecast average to half the absolute error too
    both = np.stack([p, p], axis=-1)
    assert metrics.pinball_loss(y, both, [q, 1 - q]) == pytest.approx(0.5 * mae, rel=1e-9,
                                                                      abs=1e-9)
    # a forecast below every observation is penalised by q, above by 1 - q
    low = y - 1.0 - np.abs(y).max()
    assert metrics.pinball_loss(y, low[:, None], [q]) == pytest.approx(
        q * np.mean(y - low), rel=1e-9)
    assert metrics.pinball_loss(y, y[:, None], [q]) == 0.0
    # coverage of a band around every observation is 1
    assert metrics.coverage(y, np.minimum(y, p), np.maximum(y, p)) == 1.0


# ================================================================== export parity
FORECAST_MODELS = registry.list_models("forecast")


@st.composite
def forecaster_configs(draw):
    quantiles = draw(st.sampled_from([None, [0.1, 0.5, 0.9]]))
    strategy = "direct" if quantiles else draw(st.sampled_from(["direct", "recursive"]))
    return {"model": draw(st.sampled_from(FORECAST_MODELS)), "lookback": draw(st.integers(3, 8)),
            "horizon": draw(st.integers(1, 4)), "quantiles": quantiles, "strategy": strategy}


def _history(n=60):
    t = np.arange(n)
    y = 20.0 + 3.0 * np.sin(2 * np.pi * t / 7) + 0.1 * t
    return pd.DataFrame({"y": y}, index=pd.date_range("2022-01-01", periods=n, freq="D"))


@_settings(3)
@given(config=forecaster_configs())
def test_exported_forecaster_predicts_what_the_estimator_predicts(config):
    import zoo

    event(f"{config['model']}, {config['strategy']}, quantiles={config['quantiles']}")
    df = _history()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = zoo.Forecaster(units=2, epochs=1, refit=False, batch_size=64, **config).fit(df)
    with tempfile.TemporaryDirectory() as tmp:
        path = f.export(Path(tmp) / "model", formats=["keras"])
        assert (path / "model.keras").is_file() and not (path / "model.onnx").exists()
        p = zoo.load(path)
        assert p.manifest["lookback"] == config["lookback"]
        assert p.manifest["horizon"] == config["horizon"]
        for history in (None, df.iloc[:-9] * 1.5):
            want = f.predict(history)
            got = p.predict(history)
            assert list(got.columns) == list(want.columns)
            assert got.index.equals(want.index)
            assert len(got) == config["horizon"]
            np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-4, atol=1e-4)
