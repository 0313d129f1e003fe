"""Tests for zoo.datasets: the bundled files, the loaders and the .ts parser."""

from __future__ import annotations

import collections
import csv
import hashlib
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from zoo import datasets

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"

FORECAST = {
    # name: (shape, freqstr, columns, first date, last date)
    "airline": ((144, 1), "MS", ["passengers"], "1949-01-01", "1960-12-01"),
    "sunspots": ((309, 1), "YS-JAN", ["sunspots"], "1700-01-01", "2008-01-01"),
    "uschange": (
        (187, 5),
        "QS-JAN",
        ["consumption", "income", "production", "savings", "unemployment"],
        "1970-01-01",
        "2016-07-01",
    ),
    "elec_equip": ((257, 1), "MS", ["turnover"], "1995-01-01", "2016-05-01"),
}

CLASSIFY = {
    # name: (train shape, test shape, train class counts, test class counts)
    "italy_power_demand": ((67, 24, 1), (1029, 24, 1), {"1": 34, "2": 33}, {"1": 513, "2": 516}),
    "gunpoint": ((50, 150, 1), (150, 150, 1), {"1": 24, "2": 26}, {"1": 76, "2": 74}),
    "arrowhead": (
        (36, 251, 1),
        (175, 251, 1),
        {"0": 12, "1": 12, "2": 12},
        {"0": 69, "1": 53, "2": 53},
    ),
    "basic_motions": (
        (40, 100, 6),
        (40, 100, 6),
        dict.fromkeys(["Badminton", "Running", "Standing", "Walking"], 10),
        dict.fromkeys(["Badminton", "Running", "Standing", "Walking"], 10),
    ),
}


def test_list_names_and_task_filter():
    assert datasets.list() == [*FORECAST, *CLASSIFY, "basic_motions_streams"]
    assert datasets.list(task="forecast") == [*FORECAST]
    assert datasets.list(task="classify") == [*CLASSIFY]
    assert datasets.list(task="label") == ["basic_motions_streams"]
    with pytest.raises(ValueError, match="task"):
        datasets.list(task="regress")


@pytest.mark.parametrize("name", list(FORECAST))
def test_forecast_sets_shape_frequency_columns(name):
    shape, freq, columns, first, last = FORECAST[name]
    df = datasets.load(name)
    assert isinstance(df, pd.DataFrame)
    assert df.shape == shape
    assert isinstance(df.index, pd.DatetimeIndex)
    assert df.index.name == "date"
    assert df.index.freqstr == freq
    # freq set and consistent: the index equals a regular range with no gaps.
    expected = pd.date_range(first, last, freq=freq)
    assert (df.index == expected).all() and len(expected) == shape[0]
    assert list(df.columns) == columns
    assert all(dtype == np.float64 for dtype in df.dtypes)
    assert not df.isna().any().any()
    info = datasets.info(name)
    assert info["task"] == "forecast"
    assert info["shape"] == shape and info["frequency"] == freq
    assert info["columns"] == columns


def test_airline_known_values():
    df = datasets.load("airline")
    assert df.loc["1949-01-01", "passengers"] == 112.0
    assert df.loc["1960-12-01", "passengers"] == 432.0
    assert df["passengers"].sum() == 40363.0  # total of R's AirPassengers


def test_other_forecast_sets_known_values():
    sun = datasets.load("sunspots")["sunspots"]
    assert sun.loc["1700-01-01"] == 5.0 and sun.loc["2008-01-01"] == 2.9
    assert sun.sum() == pytest.approx(15373.4)
    us = datasets.load("uschange")
    # the literals as written in Uschange.csv: values are parsed, never rounded
    np.testing.assert_array_equal(
        us.iloc[0].to_numpy(),
        [0.615986218, 0.9722610429999999, -2.4527003119999997, 4.810311502, 0.9],
    )
    assert us.loc["2016-07-01", "unemployment"] == 0.0
    elec = datasets.load("elec_equip")["turnover"]
    assert elec.loc["1995-01-01"] == 66.19 and elec.loc["2016-05-01"] == 97.86


@pytest.mark.parametrize(
    ("name", "filename", "first_value_column"),
    [
        ("airline", "Airline.csv", 1),
        ("sunspots", "sunspots.csv", 1),
        ("uschange", "Uschange.csv", 2),
        ("elec_equip", "elec_equip.csv", 1),
    ],
)
def test_forecast_values_equal_the_file_text_exactly(name, filename, first_value_column):
    with open(DATA / filename, newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    expected = np.array([[float(v) for v in row[first_value_column:]] for row in rows])
    np.testing.assert_array_equal(datasets.load(name).to_numpy(), expected)


@pytest.mark.parametrize("name", list(CLASSIFY))
def test_classification_sets_shapes_labels_counts(name):
    train_shape, test_shape, train_counts, test_counts = CLASSIFY[name]
    X_train, y_train, X_test, y_test = datasets.load(name)
    assert X_train.shape == train_shape and X_test.shape == test_shape
    assert X_train.dtype == np.float32 and X_test.dtype == np.float32
    assert y_train.shape == (train_shape[0],) and y_test.shape == (test_shape[0],)
    assert y_train.dtype.kind in "UO" and isinstance(y_train[0].item(), str)
    assert dict(collections.Counter(y_train.tolist())) == train_counts
    assert dict(collections.Counter(y_test.tolist())) == test_counts
    assert np.isfinite(X_train).all() and np.isfinite(X_test).all()
    info = datasets.info(name)
    assert info["task"] == "classify" and info["frequency"] is None
    assert info["shape"] == {"train": train_shape, "test": test_shape}
    assert info["classes"] == sorted(train_counts)


@pytest.mark.parametrize("name", ["italy_power_demand", "gunpoint", "arrowhead"])
def test_univariate_ucr_series_are_z_normalised(name):
    # The archive z-normalises each univariate series (ddof=1); a parser that split or
    # shifted values would break this.
    X_train, _, X_test, _ = datasets.load(name)
    for X in (X_train, X_test):
        np.testing.assert_allclose(X.mean(axis=1), 0.0, atol=1e-5)
        np.testing.assert_allclose(X.std(axis=1, ddof=1), 1.0, atol=1e-4)


def test_classification_known_values():
    X_train, y_train, _, _ = datasets.load("ItalyPowerDemand")
    np.testing.assert_allclose(X_train[0, :3, 0], [-0.71051757, -1.1833204, -1.3724416])
    np.testing.assert_allclose(X_train[0, -1, 0], -0.26923494)
    assert y_train[0] == "1"
    X_train, y_train, _, _ = datasets.load("basic_motions")
    # channels are dimensions in file order: first case, channel 0 vs channel 5 differ.
    assert y_train[0] == "Standing"
    assert not np.allclose(X_train[0, :, 0], X_train[0, :, 5])


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("ItalyPowerDemand", "italy_power_demand"),
        ("italy-power-demand", "italy_power_demand"),
        ("BasicMotions", "basic_motions"),
        ("basic motions", "basic_motions"),
        ("GUNPOINT", "gunpoint"),
        ("Gun_Point", "gunpoint"),
        ("ArrowHead", "arrowhead"),
        ("AIRLINE", "airline"),
        ("USChange", "uschange"),
        ("elec-equip", "elec_equip"),
    ],
)
def test_lookup_is_case_and_separator_insensitive(alias, canonical):
    assert datasets.info(alias)["name"] == canonical
    a, b = datasets.load(alias), datasets.load(canonical)
    if isinstance(a, tuple):
        for x, y in zip(a, b, strict=True):
            np.testing.assert_array_equal(x, y)
    else:
        pd.testing.assert_frame_equal(a, b)


def test_unknown_name_lists_known_names_and_closest_match():
    with pytest.raises(ValueError) as excinfo:
        datasets.load("airlnie")
    message = str(excinfo.value)
    assert "'airlnie'" in message and "Did you mean 'airline'?" in message
    assert all(name in message for name in datasets.list())
    with pytest.raises(ValueError, match="Known data sets"):
        datasets.info("zzzz")
    with pytest.raises(TypeError, match="name must be a str"):
        datasets.load(3)


def test_load_returns_fresh_copies():
    df = datasets.load("airline")
    df.iloc[0, 0] = -1.0
    df["extra"] = 1.0
    again = datasets.load("airline")
    assert again.iloc[0, 0] == 112.0 and list(again.columns) == ["passengers"]
    X_train, y_train, _, _ = datasets.load("gunpoint")
    X_train[:] = 0.0
    y_train[:] = "x"
    X2, y2, _, _ = datasets.load("gunpoint")
    assert np.abs(X2).sum() > 0 and set(y2.tolist()) == {"1", "2"}


def test_bundled_files_match_recorded_checksums_and_are_all_used():
    sums = {}
    for line in (DATA / "SHA256SUMS").read_text().splitlines():
        digest, filename = line.split()
        sums[filename] = digest
    for filename, digest in sums.items():
        assert hashlib.sha256((DATA / filename).read_bytes()).hexdigest() == digest, filename
    used = {f for name in datasets.list() for f in datasets.info(name)["files"]}
    assert used == set(sums)
    on_disk = {p.name for p in DATA.iterdir()} - {"README.md", "SHA256SUMS"}
    assert on_disk == used
    readme = (DATA / "README.md").read_text()
    assert all(f.split("_TRAIN")[0].split("_TEST")[0] in readme for f in used)


def test_data_dir_lookup_prefers_installed_copy_then_checkout(tmp_path):
    pkg = tmp_path / "zoo"
    pkg.mkdir()
    with pytest.raises(FileNotFoundError, match="bundled data files are missing"):
        datasets._find_data_dir(pkg)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "Airline.csv").write_text("x")
    assert datasets._find_data_dir(pkg) == tmp_path / "data"
    (pkg / "_data").mkdir()
    (pkg / "_data" / "Airline.csv").write_text("x")
    assert datasets._find_data_dir(pkg) == pkg / "_data"


TS_MULTIVARIATE = (
    "# a comment line\r\n"
    "@problemName Tiny\r\n"
    "@timeStamps false\r\n"
    "@missing true\r\n"
    "@univariate false\r\n"
    "@dimensions 2\r\n"
    "@equalLength true\r\n"
    "@seriesLength 3\r\n"
    "@classLabel true walk run\r\n"
    "@data\r\n"
    "1.0,2.0,3.0:4.0,5.0,6.0:walk\r\n"
    "\r\n"
    "-1, 0.5 ,1e3:?,8,9:run\r\n"
)


def test_read_ts_multivariate_inline_example():
    X, y = datasets.read_ts(io.StringIO(TS_MULTIVARIATE))
    assert X.shape == (2, 3, 2) and X.dtype == np.float32
    np.testing.assert_array_equal(X[0], [[1, 4], [2, 5], [3, 6]])
    np.testing.assert_array_equal(X[1, :, 0], [-1.0, 0.5, 1000.0])
    assert np.isnan(X[1, 0, 1]) and X[1, 2, 1] == 9.0
    assert y.tolist() == ["walk", "run"]


def test_read_ts_from_path_and_without_labels(tmp_path):
    path = tmp_path / "x.ts"
    path.write_text("@classLabel false\n@data\n1,2\n3,4\n")
    X, y = datasets.read_ts(path)
    assert y is None
    np.testing.assert_array_equal(X[:, :, 0], [[1, 2], [3, 4]])
    X, y = datasets.read_ts(str(path))
    assert X.shape == (2, 2, 1)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("@classLabel true a\n", "no @data"),
        ("@classLabel true a\n1,2:a\n", "expected an @-header line"),
        ("@classLabel true a b\n@data\n1,2:a\n1,2,3:b\n", "only equal-length"),
        ("@classLabel true a b\n@data\n1,2:3,4:a\n1,2:b\n", "dimensions"),
        ("@classLabel true a b\n@data\n1,2:c\n", "label 'c'"),
        ("@classLabel true a\n@data\n1,x:a\n", "'x' is not a number"),
        ("@timeStamps true\n@classLabel false\n@data\n(0,1)\n", "time-stamped"),
        ("@seriesLength 5\n@classLabel false\n@data\n1,2\n", "seriesLength"),
        ("@classLabel true a\n@data\n", "no data after @data"),
    ],
)
def test_read_ts_rejects_malformed_input(text, match):
    with pytest.raises(ValueError, match=match):
        datasets.read_ts(io.StringIO(text))


def test_import_does_not_load_tensorflow():
    code = (
        "import sys, zoo.datasets as d; d.load('airline'); "
        "bad = [m for m in ('tensorflow', 'keras') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=60)


def test_streams_are_built_from_one_split_each_and_labelled_per_step():
    X_train, y_train, X_test, y_test = datasets.load("basic_motions")
    S_train, L_train, S_test, L_test = datasets.load("basic_motions_streams")
    assert len(S_train) == len(S_test) == 40
    for streams, labels, X in ((S_train, L_train, X_train), (S_test, L_test, X_test)):
        for s, lab in zip(streams, labels):
            assert s.shape == (len(lab), 6) and s.dtype == np.float32
            runs = [lab[0]] + [b for a, b in zip(lab[:-1], lab[1:]) if a != b]
            assert len(runs) == 4 and 4 * 30 <= len(s) <= 4 * 100  # 4 segments, 30-100 steps
            # the first segment is a stretch of one recording of its own split
            first = int(np.argmax(lab != lab[0])) if len(set(lab)) > 1 else len(lab)
            window = s[:first]
            assert any(np.allclose(window, x[i: i + first]) for x in X
                       for i in range(0, 101 - first))
    # the same every time, and fresh copies the caller may change
    again = datasets.load("basic_motions_streams")
    again[0][0][:] = 0
    assert np.array_equal(datasets.load("basic_motions_streams")[0][0], S_train[0])


def test_make_streams_checks_its_arguments():
    X, y, _, _ = datasets.load("basic_motions")
    with pytest.raises(ValueError, match="min_length"):
        datasets.make_streams(X, y, 2, min_length=500)
    with pytest.raises(ValueError, match="2 classes"):
        datasets.make_streams(X[:5], np.zeros(5), 2)
