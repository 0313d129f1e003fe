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
    (["predict", ".", "--data", "airline"], "not a zoo artifact"),
])
def test_bad_input_is_one_line_and_exit_2(argv, needle, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_train_predict_evaluate_on_a_csv(tmp_path, capsys):
    idx = pd.date_range("2010-01-01", periods=72, freq="MS")
    t = np.arange(72)
    df = pd.DataFrame({"date": idx.strftime("%Y-%m-%d"),
                       "sales": 50 + 5 * np.sin(2 * np.pi * t / 12) + 0.2 * t})
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
    assert main(["evaluate", str(out), "--data", str(csv)]) == 0
    assert "model" in capsys.readouterr().out
