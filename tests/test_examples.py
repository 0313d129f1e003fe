"""Every script in examples/ runs with ``--quick`` in-process and produces what it claims.

Examples are found by glob, so a new example is tested without touching this file: it
must expose ``parse_args(argv)`` and ``main(argv) -> dict`` with ``"files"`` (paths it
wrote under ``--out``) and ``"metrics"`` (a nested dict of numbers). Per-example checks
in ``EXTRA_CHECKS`` look at the values themselves.
"""

from __future__ import annotations

import importlib.util
import math
import numbers
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.py") if not p.name.startswith("_"))
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(f"zoo_example_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _leaves(tree):
    if isinstance(tree, dict):
        for value in tree.values():
            yield from _leaves(tree=value)
    else:
        yield tree


# ---------------------------------------------------------------- per-example checks
def _airline(result, out):
    lstms = {"lstm (defaults)", "lstm (no calendar)"}
    assert set(result["metrics"]) == lstms | {"naive", "seasonal_naive", "drift", "mean"}
    # the reported model is the one with the lower validation MAPE, never a test choice
    val = result["validation_mape"]
    assert set(val) == lstms and result["chosen"] == min(val, key=val.get)
    # the baselines do not depend on training: they pin the 24-month holdout exactly
    assert result["metrics"]["seasonal_naive"]["mape"] == pytest.approx(15.5234, abs=1e-3)
    assert result["metrics"]["naive"]["mase"] == pytest.approx(4.0334, abs=1e-3)
    frame = pd.read_csv(out / "forecasts.csv", index_col=0, parse_dates=True)
    assert len(frame) == 24 and str(frame.index[0].date()) == "1959-01-01"
    assert lstms | {"actual"} <= set(frame.columns)


def _sunspots(result, out):
    assert {"direct", "recursive", "naive", "seasonal_naive"} <= set(result["metrics"])
    by_lead = pd.read_csv(out / "error_by_lead.csv", index_col=0)
    assert list(by_lead.index) == list(range(1, result["horizon"] + 1))
    # the table's MAE is the mean of the per-lead MAEs (every origin has all 11 leads)
    for model in ("direct", "recursive"):
        assert by_lead[model].mean() == pytest.approx(result["metrics"][model]["mae"], rel=1e-6)


def _uschange(result, out):
    # --quick drops the target-only variant: one fit fewer
    assert {"bilstm + covariates", "naive", "seasonal_naive", "drift",
            "mean"} == set(result["metrics"])
    forecasts = pd.read_csv(out / "forecasts.csv")
    assert set(forecasts["model"]) == set(result["metrics"])
    assert (forecasts.groupby(["model", "fold"]).size() == 4).all()


def _scores_are_those_of_the_predictions(result):
    """Each reported accuracy and macro F1 is scikit-learn's on the returned predictions."""
    from sklearn.metrics import accuracy_score, f1_score

    for name, scores in result["metrics"].items():
        p = result["predictions"][name]
        assert scores["accuracy"] == pytest.approx(accuracy_score(p["y_true"], p["y_pred"]))
        assert scores["macro_f1"] == pytest.approx(f1_score(p["y_true"], p["y_pred"],
                                                            average="macro"))


def _classify(result, out):
    import zoo

    assert set(result["metrics"]) == {"italy_power_demand", "basic_motions"}
    # the whole original test split is scored, in its order
    for name in result["metrics"]:
        y_test = zoo.datasets.load(name)[3]
        assert result["predictions"][name]["y_true"] == y_test.tolist()
        assert set(result["predictions"][name]["y_pred"]) <= set(y_test.tolist())
    _scores_are_those_of_the_predictions(result)
    assert (out / "confusion_italy_power_demand.png").is_file()
    assert (out / "confusion_basic_motions.png").is_file()


def _export(result, out):
    diffs = result["metrics"]
    assert "tf serve" in diffs and any(k.startswith("zoo.load") for k in diffs)
    if importlib.util.find_spec("onnxruntime") is not None:
        assert "onnxruntime" in diffs
    for name, row in diffs.items():
        assert row["max_abs_diff"] <= row["tolerance"], name
        # rtol=1e-5 at hundreds of passengers: the tolerance is a few thousandths, not more
        assert row["tolerance"] < 0.05, name
    artifact = Path(result["artifact"])
    assert out in artifact.parents
    assert (artifact / "zoo.json").is_file() and (artifact / "saved_model.pb").is_file()


def _callbacks(result, out):
    norms = {k: np.asarray(v) for k, v in result["grad_norms"].items()}
    assert set(norms) == {"no clipping", "clipnorm=1", "clipvalue=0.1"}
    for name, values in norms.items():  # one raw gradient norm per epoch of the vanilla RNN
        assert len(values) == 4 and np.all(np.isfinite(values)) and np.all(values > 0), name
        assert result["metrics"][name]["largest_grad_norm"] == pytest.approx(values.max())
    assert (out / "clipping_simple_rnn.png").read_bytes()[:8] == PNG_MAGIC
    lrs = {k: np.asarray(v) for k, v in result["learning_rates"].items()}
    assert set(lrs) == {"plateau", "exponential", "clipnorm"}
    assert np.all(np.diff(lrs["exponential"]) < 0)  # decays every epoch
    assert np.all(lrs["clipnorm"] == lrs["clipnorm"][0])  # constant rate
    assert np.all(np.diff(lrs["plateau"]) <= 0)  # only ever lowered
    assert lrs["plateau"][0] == pytest.approx(1e-3)
    assert result["seasonal_naive_test_mae"] == pytest.approx(51.4615, abs=1e-3)
    histories = pd.read_csv(out / "histories.csv")
    assert {"loss", "val_loss", "learning_rate"} <= set(histories.columns)


def _digits(result, out):
    assert set(result["metrics"]) == {"stacked_lstm", "bilstm"}
    # --quick keeps 300 digits: a stratified quarter, 75, is the test part of both readers
    truths = [p["y_true"] for p in result["predictions"].values()]
    assert len(truths[0]) == 75 and truths[0] == truths[1] and set(truths[0]) == set(range(10))
    _scores_are_those_of_the_predictions(result)


def _segments(result, out):
    import zoo
    from zoo import metrics

    assert set(result["metrics"]) == {"labeler (bigru)", "sliding window (bigru)"}
    # --quick: the first 4 held-out streams, every step of them scored
    Y_test = zoo.datasets.load("basic_motions_streams")[3][:4]
    for name, scores in result["metrics"].items():
        p = result["predictions"][name]
        assert p["y_true"] == [y.tolist() for y in Y_test]
        assert [len(x) for x in p["y_pred"]] == [len(y) for y in Y_test]
        assert scores == pytest.approx(metrics.labelling_metrics(p["y_true"], p["y_pred"]))
    assert (out / "segments.png").read_bytes()[:8] == PNG_MAGIC


EXTRA_CHECKS = {
    "forecast_airline": _airline,
    "sunspots_direct_vs_recursive": _sunspots,
    "uschange_covariates": _uschange,
    "classify_italy_power": _classify,
    "export_and_load": _export,
    "callbacks_side_by_side": _callbacks,
    "digits_rows_lstm": _digits,
    "segment_basic_motions": _segments,
}


# ---------------------------------------------------------------- tests
def test_examples_found():
    assert set(EXTRA_CHECKS) <= {p.stem for p in EXAMPLES}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_layout(path):
    """Tutobook header, under 300 lines, --out defaulting to examples/output/<stem>/."""
    text = path.read_text()
    assert len(text.splitlines()) < 300
    header = re.match(r'\s*"""(.*?)"""', text, re.DOTALL)
    assert header, "the script must open with a docstring header"
    for field in ("Title:", "Author: zoo developers", "Date created:", "Description:"):
        assert field in header.group(1), field
    args = _load(path).parse_args([])
    assert Path(args.out) == ROOT / "examples" / "output" / path.stem
    assert args.quick is False


# the suite's time: these two run under -m slow (python -m pytest -m slow tests/test_examples.py)
SLOW_EXAMPLES = ("callbacks_side_by_side", "digits_rows_lstm")


@pytest.mark.parametrize("path", [
    pytest.param(p, marks=pytest.mark.slow) if p.stem in SLOW_EXAMPLES else p
    for p in EXAMPLES], ids=lambda p: p.stem)
def test_example_quick_run(path, tmp_path, capsys, monkeypatch):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)  # anything written to the working directory would show here
    out = tmp_path / "out"
    result = _load(path).main(["--quick", "--out", str(out)])
    printed = capsys.readouterr().out

    files = [Path(f) for f in result["files"]]
    assert files
    for f in files:
        assert out in f.parents, f"{f} is outside --out"
        assert f.is_file() and f.stat().st_size > 0, f
        if f.suffix == ".png":
            assert f.read_bytes()[:8] == PNG_MAGIC, f
        elif f.suffix == ".csv":
            frame = pd.read_csv(f)
            assert len(frame) > 0 and frame.shape[1] > 1, f
    assert not any(cwd.iterdir()), "the example wrote to the working directory"

    values = list(_leaves(result["metrics"]))
    assert values
    for v in values:
        assert isinstance(v, numbers.Real) and math.isfinite(v), result["metrics"]
    for name in result["metrics"]:
        assert name in printed, f"{name!r} missing from the printed table"

    EXTRA_CHECKS.get(path.stem, lambda result, out: None)(result, out)
