"""The command line, in-process through main(argv)."""

import numpy as np
import pandas as pd
import pytest

from zoo import __version__
from zoo.cli import main


def test_version_list_datasets(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and __version__ in capsys.readouterr().out
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "bigru" in out and "forecast, classify" in out
    assert main(["datasets"]) == 0
    assert "italy_power_demand" in capsys.readouterr().out


@pytest.mark.parametrize("argv, needle", [
    (["train", "--data", "no_such.csv", "--out", "x"], "no such file"),
    (["train", "--data", "airline", "--model", "nope", "--out", "x"], "unknown model"),
    (["train", "--data", "airline", "--horizon", "-3", "--out", "x"], "--horizon"),
    (["train", "--data", "airline", "--target", "sales", "--out", "x"], "--target"),
    (["train", "--data", "airline", "--time-budget", "60", "--out", "x"], "--model auto"),
    (["predict", ".", "--data", "airline"], "not a zoo artifact"),
])
def test_bad_input_is_one_line_and_exit_2(argv, needle, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


def _forecast_rows(text):
    """{row name: (MAE, RMSE, MAPE%, MASE)} from the error table the forecast commands print."""
    import re

    rows = {}
    for line in text.splitlines():
        m = re.fullmatch(r"(model|naive|seasonal_naive|drift|mean)\s+([-0-9.]+)\s+([-0-9.]+)"
                         r"\s+([-0-9.]+)\s+([-0-9.na]+)", line.strip())
        if m:
            rows[m.group(1)] = tuple(float(v) for v in m.groups()[1:])
    return rows


def _sales(n):
    idx = pd.date_range("2010-01-01", periods=n, freq="MS")
    t = np.arange(n)
    return pd.DataFrame({"date": idx.strftime("%Y-%m-%d"),
                         "sales": 50 + 5 * np.sin(2 * np.pi * t / 12) + 0.2 * t})


def test_train_predict_evaluate_on_a_csv(tmp_path, capsys):
    import zoo

    df = _sales(72)
    csv = tmp_path / "sales.csv"
    df.to_csv(csv, index=False)
    out = tmp_path / "art"
    assert main(["train", "--data", str(csv), "--target", "sales", "--lookback", "12",
                 "--horizon", "6", "--epochs", "2", "--units", "4", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Epoch 1/" in text and "seasonal_naive" in text and "artifact:" in text
    assert (out / "zoo.json").is_file() and (out / "forecast.png").is_file()
    assert main(["predict", str(out), "--data", str(csv), "--output", str(tmp_path / "f.csv")]) == 0
    forecast = pd.read_csv(tmp_path / "f.csv", index_col=0)
    assert forecast.shape == (6, 1) and forecast.index[0].startswith("2016-01-01")

    # evaluate on months the artifact never saw: the CSV continues 6 months past its data
    later = tmp_path / "later.csv"
    _sales(78).to_csv(later, index=False)
    capsys.readouterr()
    assert main(["evaluate", str(out), "--data", str(later)]) == 0
    rows = _forecast_rows(capsys.readouterr().out)
    assert {"model", "naive", "seasonal_naive", "drift", "mean"} <= set(rows)
    actual = _sales(78)["sales"].to_numpy()[-6:]
    history = pd.read_csv(csv, index_col="date", parse_dates=True).asfreq("MS")
    forecast = zoo.load(out).predict(history)["sales"].to_numpy()
    assert rows["model"][0] == pytest.approx(np.abs(forecast - actual).mean(), abs=1e-3)
    assert rows["naive"][0] == pytest.approx(np.abs(actual - df["sales"].iloc[-1]).mean(), abs=1e-3)
    assert rows["seasonal_naive"][0] == pytest.approx(
        np.abs(actual - df["sales"].to_numpy()[-12:-6]).mean(), abs=1e-3)


# --------------------------------------------------------------------------- classification


def _waves_csv(path, n_per_class=20, steps=24, seed=0):
    """Noisy sines and noisy square waves, one row per sample, label column "kind"."""
    rng = np.random.default_rng(seed)
    t = np.arange(steps)
    rows, kinds = [], []
    for _ in range(n_per_class):
        for kind in ("sine", "square"):
            wave = np.sin(2 * np.pi * t / 12 + rng.uniform(0, 2 * np.pi))
            rows.append((wave if kind == "sine" else np.sign(wave)) + 0.3 * rng.normal(size=steps))
            kinds.append(kind)
    df = pd.DataFrame(np.array(rows), columns=[f"t{i}" for i in range(steps)])
    df["kind"] = kinds
    df.to_csv(path, index=False)
    return df


def _score_table(text):
    """{row name: (accuracy, macro F1)} from the table `zoo train --task classify` prints."""
    import re

    rows = {}
    for line in text.splitlines():
        m = re.fullmatch(r"(model|majority|1-NN euclidean)\s+([0-9.]+)\s+([0-9.]+)", line.strip())
        if m:
            rows[m.group(1)] = (float(m.group(2)), float(m.group(3)))
    return rows


def _sklearn_scores(y_test, pred):
    from sklearn.metrics import accuracy_score, f1_score

    return accuracy_score(y_test, pred), f1_score(y_test, pred, average="macro")


def test_classify_csv_train_predict_evaluate(tmp_path, capsys):
    from sklearn.model_selection import train_test_split
    from sklearn.neighbors import KNeighborsClassifier

    import zoo

    csv = tmp_path / "waves.csv"
    df = _waves_csv(csv)
    out = tmp_path / "art"
    assert main(["train", "--task", "classify", "--label", "kind", "--data", str(csv),
                 "--model", "gru", "--epochs", "2", "--units", "4", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Epoch 1/2" in text and "holding out 8 (stratified)" in text
    table = _score_table(text)
    assert set(table) == {"model", "majority", "1-NN euclidean"}
    # the held-out part is 8 samples: every accuracy is a whole number of eighths
    assert all(abs(acc * 8 - round(acc * 8)) < 1e-3 for acc, _ in table.values())

    # the baselines, recomputed independently on the same split
    X, y = df.drop(columns="kind").to_numpy(), df["kind"].to_numpy()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    knn = KNeighborsClassifier(n_neighbors=1).fit(X_tr, y_tr).predict(X_te)
    np.testing.assert_allclose(table["1-NN euclidean"], _sklearn_scores(y_te, knn), atol=1e-4)
    majority = pd.Series(y_tr).value_counts().idxmax()
    np.testing.assert_allclose(table["majority"], _sklearn_scores(y_te, [majority] * len(y_te)),
                               atol=1e-4)

    assert (out / "zoo.json").is_file()
    assert (out / "confusion_matrix.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    p = zoo.load(out)  # the extra PNG does not upset the checksum verification
    assert p.manifest["task"] == "classify" and p.manifest["classes"] == ["sine", "square"]

    # predict on the training CSV: the label column is left out with --label
    assert main(["predict", str(out), "--data", str(csv)]) == 2
    assert "--label kind" in capsys.readouterr().err
    pred_csv = tmp_path / "pred.csv"
    assert main(["predict", str(out), "--data", str(csv), "--label", "kind",
                 "--output", str(pred_csv)]) == 0
    pred = pd.read_csv(pred_csv, index_col=0)
    assert list(pred.columns) == ["label", "p_sine", "p_square"] and len(pred) == 40
    assert set(pred["label"]) <= {"sine", "square"}
    proba = pred[["p_sine", "p_square"]].to_numpy()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    assert (pred["label"] == np.array(["sine", "square"])[proba.argmax(axis=1)]).all()
    np.testing.assert_allclose(proba, p.predict_proba(X), rtol=1e-5, atol=1e-5)

    capsys.readouterr()
    assert main(["evaluate", str(out), "--data", str(csv), "--label", "kind"]) == 0
    text = capsys.readouterr().out
    acc = float(text.split("accuracy ")[1].split()[0])
    assert acc == pytest.approx(np.mean(pred["label"].to_numpy() == y), abs=1e-4)
    assert "sine" in text and "square" in text and "40 samples" in text


def test_classify_bundled_set_holds_out_its_test_split(tmp_path, capsys):
    from sklearn.neighbors import KNeighborsClassifier

    from zoo import datasets

    out = tmp_path / "ipd"
    assert main(["train", "--task", "classify", "--data", "italy_power_demand", "--model", "gru",
                 "--epochs", "1", "--units", "4", "--out", str(out)]) == 0
    table = _score_table(capsys.readouterr().out)
    X_tr, y_tr, X_te, y_te = datasets.load("italy_power_demand")
    knn = KNeighborsClassifier(n_neighbors=1).fit(X_tr[..., 0], y_tr).predict(X_te[..., 0])
    np.testing.assert_allclose(table["1-NN euclidean"], _sklearn_scores(y_te, knn), atol=1e-4)
    assert table["1-NN euclidean"][0] > 0.95  # UCR's published 1-NN ED error is 0.045
    assert (out / "confusion_matrix.png").is_file()
    # the artifact is the model scored above, so evaluating it on the test split agrees
    assert main(["evaluate", str(out), "--data", "italy_power_demand"]) == 0
    text = capsys.readouterr().out
    acc = float(text.split("accuracy ")[1].split()[0])
    assert "1029 samples" in text and acc == pytest.approx(table["model"][0], abs=2 / 1029)


@pytest.mark.parametrize("extra, needle", [
    ([], "--label must name"),
    (["--label", "nope"], "--label 'nope' is not a column"),
    (["--label", "kind", "--lookback", "5"], "--lookback is for --task forecast only"),
    (["--label", "kind", "--time-col", "t0"], "--time-col is for --task forecast only"),
    (["--label", "kind", "--epochs", "0"], "--epochs must be a positive integer"),
    (["--label", "t1"], "column 'kind' is not numeric"),
])
def test_classify_bad_input_is_one_line_and_exit_2(extra, needle, tmp_path, capsys):
    csv = tmp_path / "waves.csv"
    _waves_csv(csv, n_per_class=3, steps=5)
    assert main(["train", "--task", "classify", "--data", str(csv), "--out",
                 str(tmp_path / "art"), *extra]) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "art").exists()


def test_classify_bad_data_names(tmp_path, capsys):
    csv = tmp_path / "few.csv"
    pd.DataFrame({"t0": [1.0, 2.0, 3.0], "t1": [0.5, None, 1.0], "kind": ["a", "b", "a"]}) \
        .to_csv(csv, index=False)
    one, few = tmp_path / "one.csv", tmp_path / "four.csv"
    pd.DataFrame({"t0": np.arange(6.0), "kind": ["a"] * 6}).to_csv(one, index=False)
    pd.DataFrame({"t0": np.arange(4.0), "kind": ["a", "b"] * 2}).to_csv(few, index=False)
    cases = [(["--data", "airline"], "is a 'forecast' set"),
             (["--data", "italypower"], "did you mean 'italy_power_demand'"),
             (["--data", str(csv), "--label", "kind"], "column 't1' has 1 empty cell"),
             (["--data", str(one), "--label", "kind"], "holds a single class ('a')"),
             (["--data", str(few), "--label", "kind"], "has 4 rows"),
             (["--data", str(few), "--label", "kind", "--out", str(tmp_path)], "exists")]
    for argv, needle in cases:
        assert main(["train", "--task", "classify", "--out", str(tmp_path / "a"), *argv]) == 2
        err = capsys.readouterr().err
        assert needle in err and err.count("\n") == 1, (argv, err)


def test_holdout_split_stratifies_or_says_why_not():
    from zoo.cli import holdout_split

    X = np.arange(20.0)[:, None]
    y = np.array(["a"] * 15 + ["b"] * 5)
    _, y_tr, _, y_te, note = holdout_split(X, y, seed=3)
    assert note is None and sorted(y_te.tolist()) == ["a", "a", "a", "b"] and len(y_tr) == 16
    y_rare = np.array(["a"] * 19 + ["b"])
    X_tr, y_tr, X_te, y_te, note = holdout_split(X, y_rare, seed=3)
    assert note == "class 'b' has 1 sample" and len(y_te) == 4
    assert sorted(np.concatenate([X_tr, X_te]).ravel().tolist()) == X.ravel().tolist()


# --------------------------------------------------------------------------- labelling
def _steps_csv(path, n_seq=10, seed=0):
    """One row per time step: sequence id, time, two features, the step's activity."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(n_seq):
        labels = np.repeat(rng.choice(["rest", "walk", "run"], 3), rng.integers(3, 7, 3))
        level = {"rest": 0.0, "walk": 1.0, "run": 2.0}
        for t, lab in enumerate(labels):
            rows.append({"seq": f"s{s}", "t": t, "acc": level[lab] + 0.1 * rng.normal(),
                         "gyro": rng.normal(), "activity": lab})
    df = pd.DataFrame(rows)
    df.sample(frac=1, random_state=0).to_csv(path, index=False)  # rows in any order
    return df


def test_label_csv_train_predict_evaluate(tmp_path, capsys):
    import zoo

    csv = tmp_path / "steps.csv"
    df = _steps_csv(csv)
    out = tmp_path / "art"
    common = ["--data", str(csv), "--id-col", "seq", "--time-col", "t", "--label", "activity"]
    assert main(["train", "--task", "label", *common, "--epochs", "2", "--units", "4",
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "holding out 2 sequences" in text and "majority" in text and "F1@50" in text
    p = zoo.load(out)
    assert p.task == "label" and sorted(p.classes) == ["rest", "run", "walk"]

    pred_csv = tmp_path / "pred.csv"
    assert main(["predict", str(out), *common, "--output", str(pred_csv)]) == 0
    pred = pd.read_csv(pred_csv, index_col=0)
    # one label per row: the sequences in order of first appearance in the file, by time
    read = pd.read_csv(csv)
    want = read.assign(order=pd.factorize(read["seq"])[0]).sort_values(["order", "t"])
    assert len(pred) == len(df) and list(pred["seq"]) == list(want["seq"])
    assert list(pred["t"]) == list(want["t"]) and set(pred["label"]) <= set(p.classes)

    capsys.readouterr()
    assert main(["evaluate", str(out), *common]) == 0
    accuracy = float(capsys.readouterr().out.split("model")[1].split()[0])
    assert accuracy == pytest.approx(np.mean(pred["label"].to_numpy()
                                             == want["activity"].to_numpy()), abs=1e-4)


@pytest.mark.parametrize("extra, needle", [
    (["--id-col", "nope", "--label", "activity"], "--id-col 'nope' is not a column"),
    (["--id-col", "seq"], "--label must name"),
    (["--id-col", "seq", "--label", "activity", "--lookback", "3"], "--lookback is for"),
    (["--id-col", "seq", "--label", "activity", "--model", "cnn_lstm"], "does not support --task label"),
    (["--id-col", "seq", "--label", "activity", "--model", "auto"], "auto is for --task forecast"),
    (["--id-col", "seq", "--label", "activity", "--n-ensemble", "2"], "--n-ensemble is for"),
])
def test_label_bad_input_is_one_line_and_exit_2(extra, needle, tmp_path, capsys):
    csv = tmp_path / "steps.csv"
    _steps_csv(csv, n_seq=6)
    assert main(["train", "--task", "label", "--data", str(csv), "--out", str(tmp_path / "a"),
                 *extra]) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1 and not (tmp_path / "a").exists()
