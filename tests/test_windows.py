"""zoo.windows: time-ordered splits, exact window alignment, covariates, tf.data streaming.

Windows are checked on ramps, where the value at step ``t`` of column ``j`` is
``1000 * j + t``: any off-by-one in the alignment shows up as a wrong number.
"""

import numpy as np
import pandas as pd
import pytest

from zoo import windows as W


def ramp(length, n_cols=1, offset=0.0):
    t = np.arange(length, dtype="float64")[:, None]
    return offset + t + 1000.0 * np.arange(n_cols)[None, :]


def rss_mib():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


# ---------------------------------------------------------------- window starts and splits
def test_window_starts_target_window_starts_right_after_input_window():
    starts = W.window_starts(10, 3, 2)
    assert starts.tolist() == [0, 1, 2, 3, 4, 5]
    # the last window's last target is the series' last point
    assert starts[-1] + 3 + 2 - 1 == 9


def brute_starts(length, lookback, horizon, first_target, last_target):
    out = []
    for s in range(length):
        targets = range(s + lookback, s + lookback + horizon)
        if targets[-1] >= length:
            continue
        if last_target is not None and targets[-1] >= last_target:
            continue
        if first_target is not None and targets[0] < first_target:
            continue
        out.append(s)
    return out


@pytest.mark.parametrize("lookback, horizon", [(1, 1), (3, 2), (4, 5)])
def test_window_starts_keep_every_target_inside_the_bounds(lookback, horizon):
    length = 20
    for first in [None, 0, 5, 12, 19]:
        for last in [None, 20, 15, 9, 3]:
            got = W.window_starts(length, lookback, horizon, first_target=first, last_target=last)
            assert got.tolist() == brute_starts(length, lookback, horizon, first, last), (first, last)


@pytest.mark.parametrize(
    "length, size, expected",
    [(100, 0.2, 80), (100, 12, 88), (100, 0, 100), (100, 0.0, 100), (10, 0.25, 7), (5, 8, 0)],
)
def test_split_point_takes_the_tail(length, size, expected):
    assert W.split_point(length, size) == expected


@pytest.mark.parametrize("size", [1.0, 1.5, -0.1, -1, "0.2", True, None])
def test_split_point_rejects_bad_validation_size(size):
    with pytest.raises(ValueError, match="validation_size"):
        W.split_point(100, size)


def test_train_and_validation_windows_are_time_ordered_and_disjoint_in_targets():
    length, lookback, horizon = 60, 5, 3
    split = W.split_point(length, 0.25)
    train = W.window_starts(length, lookback, horizon, last_target=split)
    val = W.window_starts(length, lookback, horizon, first_target=split)
    spec = W.WindowSpec(lookback, horizon, 1, [0], [])
    _, y_tr, _ = W.make_windows([ramp(length)], [train], spec)
    _, y_val, _ = W.make_windows([ramp(length)], [val], spec)
    # on a ramp a target's value is its position
    assert y_tr.max() < split <= y_val.min()
    assert y_val.max() == length - 1
    assert len(train) == split - lookback - horizon + 1
    assert len(val) == length - split - horizon + 1
    # never shuffled: windows come in time order
    assert np.all(np.diff(y_tr[:, 0, 0]) == 1) and np.all(np.diff(y_val[:, 0, 0]) == 1)


# ---------------------------------------------------------------- dense windows
def test_make_windows_alignment_on_a_ramp_is_exact():
    lookback, horizon = 4, 3
    series = ramp(20, n_cols=3)  # target, past covariate, future covariate
    starts = W.window_starts(20, lookback, horizon)
    spec = W.WindowSpec(lookback, horizon, 1, [0, 1, 2], [2])
    x, y, f = W.make_windows([series], [starts], spec)
    assert x.shape == (len(starts), lookback, 3) and x.dtype == np.float32
    assert y.shape == (len(starts), horizon, 1) and f.shape == (len(starts), horizon, 1)
    for i, s in enumerate(starts):
        steps_in = s + np.arange(lookback)
        steps_out = s + lookback + np.arange(horizon)
        np.testing.assert_array_equal(x[i], series[steps_in])
        np.testing.assert_array_equal(y[i, :, 0], steps_out)
        np.testing.assert_array_equal(f[i, :, 0], 2000 + steps_out)
        # the target window starts right after the input window
        assert y[i, 0, 0] == x[i, -1, 0] + 1


def test_past_covariates_never_reach_past_the_forecast_origin():
    lookback, horizon = 5, 4
    series = ramp(30, n_cols=3)
    starts = W.window_starts(30, lookback, horizon)
    x, _, f = W.make_windows([series], [starts], W.WindowSpec(lookback, horizon, 1, [0, 1, 2], [2]))
    origin = starts + lookback  # first forecast step of each window
    past = x[:, :, 1] - 1000
    assert np.all(past.max(axis=1) == origin - 1)
    # only the known-ahead column is read over the horizon
    assert f.shape[-1] == 1 and np.all(f[:, :, 0] - 2000 >= origin[:, None])


def test_make_windows_without_future_returns_none():
    x, y, f = W.make_windows([ramp(10)], [np.array([0, 2])], W.WindowSpec(3, 2, 1, [0], []))
    assert f is None
    assert x[:, :, 0].tolist() == [[0, 1, 2], [2, 3, 4]]
    assert y[:, :, 0].tolist() == [[3, 4], [5, 6]]


def test_windows_never_straddle_two_series():
    a, b = ramp(12), ramp(9, offset=10_000)
    lookback, horizon = 4, 2
    starts = [W.window_starts(len(a), lookback, horizon), W.window_starts(len(b), lookback, horizon)]
    x, y, _ = W.make_windows([a, b], starts, W.WindowSpec(lookback, horizon, 1, [0], []))
    assert len(x) == (12 - 6 + 1) + (9 - 6 + 1)
    whole = np.concatenate([x[:, :, 0], y[:, :, 0]], axis=1)
    # every window is one unbroken run of consecutive steps of one series
    assert np.all(np.diff(whole, axis=1) == 1)
    assert np.all((whole < 10_000).all(axis=1) | (whole >= 10_000).all(axis=1))


def test_make_windows_with_no_window_raises():
    with pytest.raises(ValueError, match="lookback \\+ horizon"):
        W.make_windows([ramp(4)], [np.zeros(0, "int64")], W.WindowSpec(3, 2, 1, [0], []))


# ---------------------------------------------------------------- tf.data streaming
def test_make_dataset_matches_make_windows_across_series():
    arrays = [ramp(15, 2), ramp(11, 2, offset=500)]
    spec = W.WindowSpec(4, 2, 1, [0, 1], [1])
    starts = [W.window_starts(len(a), 4, 2) for a in arrays]
    x, y, f = W.make_windows(arrays, starts, spec)
    ds = W.make_dataset(arrays, starts, spec, batch_size=5, shuffle=False)
    xs, ys, fs = [], [], []
    for inputs, target in ds:
        xs.append(inputs["inputs"].numpy())
        fs.append(inputs["future"].numpy())
        ys.append(target.numpy())
    np.testing.assert_array_equal(np.concatenate(xs), x)
    np.testing.assert_array_equal(np.concatenate(ys), y)
    np.testing.assert_array_equal(np.concatenate(fs), f)


def test_make_dataset_shuffles_whole_windows():
    arrays = [ramp(40)]
    spec = W.WindowSpec(5, 3, 1, [0], [])
    starts = [W.window_starts(40, 5, 3)]
    ((x, y),) = [(xb.numpy(), yb.numpy())
                 for xb, yb in W.make_dataset(arrays, starts, spec, batch_size=64, seed=1)]
    assert not np.all(np.diff(x[:, 0, 0]) > 0)  # order changed...
    assert sorted(x[:, 0, 0].tolist()) == starts[0].tolist()  # ...but every window is there once
    np.testing.assert_array_equal(x[:, :, 0], x[:, :1, 0] + np.arange(5))
    np.testing.assert_array_equal(y[:, :, 0], x[:, :1, 0] + 5 + np.arange(3))


def test_make_dataset_streams_a_million_rows_without_dense_windows(monkeypatch):
    length, lookback, horizon = 1_000_000, 48, 4
    series = np.stack([np.arange(length, dtype="float64"), -np.arange(length, dtype="float64")], 1)
    starts = W.window_starts(length, lookback, horizon)
    spec = W.WindowSpec(lookback, horizon, 1, [0, 1], [1])

    def dense(*args, **kwargs):
        raise AssertionError("make_dataset must not build dense windows")

    monkeypatch.setattr(W, "make_windows", dense)
    # warm tf.data up so that its one-off allocations are not counted
    list(W.make_dataset([ramp(30)], [np.arange(3)], W.WindowSpec(4, 2, 1, [0], []), shuffle=False))
    before = rss_mib()
    ds = W.make_dataset([series], [starts], spec, batch_size=512, shuffle=False)
    batches = list(ds.take(3))
    shuffled = next(iter(W.make_dataset([series], [starts], spec, batch_size=512, seed=3)))
    grown = rss_mib() - before
    # dense inputs alone would be 1e6 windows * 48 steps * 2 columns * 4 bytes = 366 MiB
    assert grown < 150, f"memory grew by {grown:.0f} MiB"
    assert ds.element_spec[0]["inputs"].shape.as_list() == [None, lookback, 2]
    assert ds.element_spec[0]["future"].shape.as_list() == [None, horizon, 1]
    assert ds.element_spec[1].shape.as_list() == [None, horizon, 1]

    def check(inputs, target, expected_starts=None):
        x, f, y = inputs["inputs"].numpy(), inputs["future"].numpy(), target.numpy()
        s = x[:, 0, 0].astype("int64")
        if expected_starts is not None:
            np.testing.assert_array_equal(s, expected_starts)
        np.testing.assert_array_equal(x[:, :, 0], s[:, None] + np.arange(lookback))
        np.testing.assert_array_equal(x[:, :, 1], -x[:, :, 0])
        steps_out = s[:, None] + lookback + np.arange(horizon)
        np.testing.assert_array_equal(y[:, :, 0], steps_out)
        np.testing.assert_array_equal(f[:, :, 0], -steps_out)

    for k, (inputs, target) in enumerate(batches):
        check(inputs, target, np.arange(512 * k, 512 * (k + 1)))
    check(*shuffled)
    assert len(set(shuffled[0]["inputs"][:, 0, 0].numpy().tolist())) == 512


def test_make_dataset_without_windows_raises():
    with pytest.raises(ValueError, match="no windows"):
        W.make_dataset([ramp(4)], [np.zeros(0, "int64")], W.WindowSpec(3, 2, 1, [0], []))


# ---------------------------------------------------------------- frequency and calendar
def test_infer_freq_and_future_index_continue_the_series():
    monthly = pd.date_range("2020-01-01", periods=5, freq="MS")
    assert W.infer_freq(monthly) == "MS"
    assert W.infer_freq(pd.DatetimeIndex(list(monthly))) == "MS"  # freq not set: inferred
    nxt = W.future_index(monthly, 3)
    assert list(nxt) == list(pd.date_range("2020-06-01", periods=3, freq="MS"))
    assert W.infer_freq(pd.Index([3, 5, 7])) == 2
    assert list(W.future_index(pd.Index([3, 5, 7]), 2)) == [9, 11]
    assert list(W.future_index(pd.RangeIndex(10), 3)) == [10, 11, 12]
    hourly = pd.date_range("2021-03-01 22:00", periods=4, freq="h")
    assert list(W.future_index(hourly, 1)) == [pd.Timestamp("2021-03-02 02:00")]


def test_future_index_of_irregular_timestamps_raises():
    idx = pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-01-05", "2020-01-06"])
    assert W.infer_freq(idx) is None
    with pytest.raises(ValueError, match="frequency"):
        W.future_index(idx, 2)


@pytest.mark.parametrize(
    "freq, expected",
    [
        ("MS", ["month_sin", "month_cos"]),
        ("ME", ["month_sin", "month_cos"]),
        ("QS-JAN", ["quarter_sin", "quarter_cos"]),
        ("W-SUN", ["week_sin", "week_cos"]),
        ("D", ["dayofweek_sin", "dayofweek_cos", "dayofyear_sin", "dayofyear_cos"]),
        ("h", ["hour_sin", "hour_cos", "dayofweek_sin", "dayofweek_cos"]),
        ("YS", []),
        (None, []),
        (1, []),
    ],
)
def test_calendar_columns_per_frequency(freq, expected):
    assert W.calendar_columns(freq) == expected


def test_calendar_features_are_cyclic():
    idx = pd.date_range("2020-01-01", periods=13, freq="MS")
    feats = W.calendar_features(idx, ["month_sin", "month_cos"])
    angle = 2 * np.pi * np.arange(13) / 12
    np.testing.assert_allclose(feats, np.stack([np.sin(angle), np.cos(angle)], 1), atol=1e-12)
    np.testing.assert_allclose(feats[0], feats[12])  # January again
    hours = pd.date_range("2021-01-04 00:00", periods=3, freq="6h")  # a Monday
    feats = W.calendar_features(hours, ["hour_sin", "hour_cos", "dayofweek_sin"])
    np.testing.assert_allclose(feats[:, 0], [0, 1, 0], atol=1e-12)
    np.testing.assert_allclose(feats[:, 1], [1, 0, -1], atol=1e-12)
    np.testing.assert_allclose(feats[:, 2], 0, atol=1e-12)


def test_add_calendar_appends_features_after_the_columns():
    df = pd.DataFrame({"y": np.arange(4.0)}, index=pd.date_range("2020-11-01", periods=4, freq="MS"))
    panel = W.to_panel(df)
    (arr,) = W.add_calendar(panel, ["month_sin", "month_cos"])
    assert arr.shape == (4, 3)
    np.testing.assert_array_equal(arr[:, 0], np.arange(4.0))
    np.testing.assert_allclose(arr[2, 1:], [0.0, 1.0], atol=1e-12)  # January 2021


# ---------------------------------------------------------------- frames -> panels
def monthly(n=24, **cols):
    return pd.DataFrame(cols or {"y": np.arange(1.0, n + 1)},
                        index=pd.date_range("2020-01-01", periods=n, freq="MS"))


def test_wide_frame_columns_split_into_target_past_and_future():
    n = 12
    df = monthly(n, sales=np.arange(n, dtype=float), price=np.ones(n), promo=np.zeros(n),
                 note=["x"] * n)
    panel = W.to_panel(df, target="sales", future_covariates=["promo"])
    assert (panel.targets, panel.past_covariates, panel.future_covariates) == (
        ["sales"], ["price"], ["promo"])
    assert panel.kind == "wide" and panel.freq == "MS"
    np.testing.assert_array_equal(panel.series[0].values[:, 0], np.arange(n))
    np.testing.assert_array_equal(panel.series[0].values[:, 2], 0)


def test_target_none_takes_the_only_numeric_column_else_lists_them():
    df = monthly(6, value=np.arange(6.0), label=list("abcdef"))
    assert W.to_panel(df).targets == ["value"]
    with pytest.raises(ValueError, match=r"\['a', 'b'\]"):
        W.to_panel(monthly(6, a=np.arange(6.0), b=np.arange(6.0)))


def test_long_frame_makes_one_series_per_id_with_integer_or_time_ds():
    long = pd.DataFrame({"unique_id": ["a"] * 5 + ["b"] * 3, "ds": list(range(5)) + [10, 11, 12],
                         "y": np.arange(8.0)})
    panel = W.to_panel(long)
    assert [s.uid for s in panel.series] == ["a", "b"]
    assert panel.kind == "long" and panel.freq == 1
    np.testing.assert_array_equal(panel.series[1].values[:, 0], [5, 6, 7])
    assert list(panel.series[1].index) == [10, 11, 12]
    dated = long.assign(ds=[f"2021-0{m}-01" for m in range(1, 6)] + ["2022-01-01", "2022-02-01",
                                                                       "2022-03-01"])
    panel = W.to_panel(dated)
    assert isinstance(panel.series[0].index, pd.DatetimeIndex) and panel.freq == "MS"


def test_fill_missing_interpolates():
    df = monthly(5, y=[1.0, np.nan, 3.0, np.inf, 5.0])
    with pytest.raises(ValueError, match="'y'.*fill_missing"):
        W.to_panel(df)
    panel = W.to_panel(df, fill_missing="interpolate")
    np.testing.assert_allclose(panel.series[0].values[:, 0], [1, 2, 3, 4, 5])


@pytest.mark.parametrize(
    "make, kwargs, exc, match",
    [
        (lambda: monthly(4, y=[1.0, 2.0, np.nan, 4.0]), {}, ValueError, "'y'"),
        (lambda: monthly(4, y=np.ones(4), x=[1.0, np.inf, 1.0, 1.0]), {"target": "y"}, ValueError,
         "'x'"),
        (lambda: monthly(4, y=np.ones(4)).iloc[[0, 1, 1, 2]], {}, ValueError, "duplicate"),
        (lambda: monthly(4, y=np.ones(4)).iloc[[1, 0, 2, 3]], {}, ValueError, "increasing"),
        (lambda: monthly(4, y=np.ones(4)), {"target": "z"}, ValueError, "target.*'z'"),
        (lambda: monthly(4, y=np.ones(4)), {"future_covariates": ["promo"]}, ValueError,
         "future_covariates.*'promo'"),
        (lambda: monthly(4, y=list("abcd")), {"target": "y"}, ValueError, "'y' is not numeric"),
        (lambda: monthly(4, y=np.ones(4), p=list("abcd")), {"target": "y", "future_covariates": "p"},
         ValueError, "'p' is not numeric"),
        (lambda: monthly(4, y=np.ones(4)), {"target": 3}, TypeError, "target"),
        (lambda: monthly(4, y=np.ones(4)), {"target": "y", "future_covariates": "y"}, ValueError,
         "both target and future_covariates"),
        (lambda: monthly(4, y=np.ones(4)), {"fill_missing": "zero"}, ValueError, "fill_missing"),
        (lambda: pd.DataFrame({"y": np.ones(4)}, index=list("abcd")), {}, ValueError,
         "DatetimeIndex or an integer index"),
        (lambda: pd.DataFrame({"y": np.ones(4)}, index=pd.DatetimeIndex(
            ["2020-01-01", "2020-01-02", "2020-01-05", "2020-01-06"])), {}, ValueError, "frequency"),
        (lambda: np.ones((3, 4, 2)), {}, ValueError, "1-D"),
        (lambda: np.array(["a", "b"]), {}, TypeError, "numeric"),
        (lambda: {"y": [1, 2]}, {}, TypeError, "DataFrame"),
        (lambda: pd.DataFrame({"ds": [0, 1], "y": [1.0, 2.0]}), {}, ValueError, "'unique_id'"),
        (lambda: pd.DataFrame({"unique_id": ["a", "a", "b", "b"], "ds": [0, 1, 1, 0],
                               "y": [1.0, 2.0, 3.0, 4.0]}), {}, ValueError, "series 'b'"),
        (lambda: pd.DataFrame({"unique_id": ["a", "a"], "ds": [0, 1], "v": [1.0, 2.0]}), {},
         ValueError, "'y' not found"),
        (lambda: pd.DataFrame({"unique_id": ["a", "a"], "ds": [0, 1], "y": [1.0, np.nan]}), {},
         ValueError, "'y'.*series 'a'"),
    ],
)
def test_to_panel_rejects_bad_input_naming_it(make, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        W.to_panel(make(), **kwargs)


def test_layout_from_fit_is_enforced():
    fitted = W.to_panel(monthly(6, y=np.arange(6.0), x=np.ones(6)), target="y")
    with pytest.raises(ValueError, match="missing"):
        W.to_panel(monthly(6, y=np.arange(6.0)), layout=fitted)
    with pytest.raises(ValueError, match="'z'"):
        W.to_panel(monthly(6, y=np.arange(6.0), x=np.ones(6), z=np.ones(6)), layout=fitted)
    with pytest.raises(ValueError, match="2"):
        W.to_panel(np.ones((6, 3)), layout=fitted)
    again = W.to_panel(monthly(6, x=np.ones(6), y=np.arange(6.0)), layout=fitted)
    # columns come back in the fitted order, whatever the frame's order
    np.testing.assert_array_equal(again.series[0].values[:, 0], np.arange(6.0))


def test_arrays_and_series():
    panel = W.to_panel(np.arange(5.0))
    assert panel.kind == "array" and panel.targets == ["y"]
    assert list(panel.series[0].index) == [0, 1, 2, 3, 4]
    panel = W.to_panel(np.ones((5, 2)))
    assert panel.targets == ["y0", "y1"] and panel.past_covariates == []
    s = pd.Series(np.arange(4.0), index=pd.date_range("2020", periods=4, freq="D"), name="load")
    panel = W.to_panel(s)
    assert panel.kind == "wide" and panel.targets == ["load"] and panel.freq == "D"
    panel = W.to_panel(pd.Series(np.arange(4.0), index=[10, 12, 14, 16]))
    assert panel.kind == "array" and panel.freq == 2
    assert list(panel.series[0].index) == [10, 12, 14, 16]
    panel = W.to_panel(pd.Series(np.arange(3.0), index=[0.5, 1.5, 2.5]))
    assert list(panel.series[0].index) == [0, 1, 2]


def test_boolean_columns_are_covariates_read_as_zero_one():
    n = 8
    holiday = np.arange(n) % 3 == 0
    df = monthly(n, sales=np.arange(1.0, n + 1), holiday=holiday)
    panel = W.to_panel(df, target="sales")
    assert panel.past_covariates == ["holiday"]
    np.testing.assert_array_equal(panel.series[0].values[:, 1], holiday.astype(float))


@pytest.mark.parametrize("index", [
    pd.date_range("1899-03-01 13:47", periods=3000, freq="17h"),
    pd.date_range("2020-01-01", periods=300, freq="MS", tz="Europe/Paris"),
    pd.date_range("1600-02-27", periods=800, freq="D"),
    pd.date_range("2021-03-27 22:00", periods=200, freq="30min", tz="America/New_York"),
    pd.DatetimeIndex(pd.to_datetime(["1500-01-01 05:30", "1969-12-31 23:59:59", "2300-06-01"],
                                    format="mixed").astype("M8[s]")),
    pd.date_range("2000-01-01", periods=50, freq="7min", unit="ns"),
], ids=["hourly-1899", "monthly-tz", "daily-1600", "dst-halfhour", "seconds-unit", "ns-unit"])
def test_calendar_features_match_pandas_fields(index):
    # the features come from datetime64 arithmetic; pandas' own field accessors are the truth
    from zoo.frames import _PERIODS, calendar_features

    fields = {"month": index.month - 1, "quarter": index.quarter - 1,
              "week": index.isocalendar().week.to_numpy() - 1,
              "dayofweek": index.day_of_week, "dayofyear": index.day_of_year - 1,
              "hour": index.hour + index.minute / 60.0}
    columns = [f"{part}_{fn}" for part in fields for fn in ("sin", "cos")]
    got = calendar_features(index, columns)
    for j, col in enumerate(columns):
        part, fn = col.rsplit("_", 1)
        angle = 2 * np.pi * np.asarray(fields[part], "float64") / _PERIODS[part]
        np.testing.assert_allclose(got[:, j], np.sin(angle) if fn == "sin" else np.cos(angle),
                                   atol=1e-12, err_msg=col)
