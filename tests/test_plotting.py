"""zoo.plotting: each function writes a readable PNG whose content follows its input."""

import types

import numpy as np
import pandas as pd
import pytest

from zoo import plotting

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def read_png(path):
    """Check the file is a real PNG and return its pixels [height, width, channels]."""
    import matplotlib.image

    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    image = matplotlib.image.imread(path)
    assert image.ndim == 3 and image.shape[2] in (3, 4)
    assert 200 <= image.shape[0] <= 4000 and 200 <= image.shape[1] <= 4000, image.shape
    # A blank canvas would be one colour; a plot has lines and text.
    rgb = (image[..., :3] * 255).astype(np.uint32)
    packed = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    assert np.unique(packed).size > 10
    return image


HISTORY = {
    "loss": [10.0, 2.0, 0.5, 0.1, 0.05],
    "val_loss": [11.0, 3.0, 0.8, 0.6, 0.7],
    "mae": [3.0, 2.0, 1.5, 1.2, 1.1],
    "val_mae": [3.1, 2.2, 1.8, 1.7, 1.8],
}


# --------------------------------------------------------------------------- history


def test_plot_history_panels_with_and_without_learning_rate(tmp_path):
    plain = plotting.plot_history(HISTORY, tmp_path / "nested" / "plain.png", title="run 1")
    with_lr = plotting.plot_history(
        {**HISTORY, "learning_rate": [1e-3, 1e-3, 5e-4, 5e-4, 2.5e-4]}, tmp_path / "lr.png"
    )
    assert plain == tmp_path / "nested" / "plain.png" and plain.exists()
    # The learning-rate panel makes the figure taller, not just different.
    assert read_png(with_lr).shape[0] > read_png(plain).shape[0]

    fig = plotting.history._history_figure({**HISTORY, "lr": [0.1, 0.1, 0.01, 0.01, 0.001]})
    loss_ax, mae_ax, lr_ax = fig.axes
    assert loss_ax.get_yscale() == "log"  # loss spans 200x
    assert mae_ax.get_yscale() == "linear"  # mae spans 3x
    assert lr_ax.get_ylabel() == "learning rate"
    assert lr_ax.get_xlabel() == "epoch"
    labels = [line.get_label() for line in loss_ax.get_lines()]
    assert labels[:2] == ["training", "validation"]
    assert "best val_loss 0.6 (epoch 4)" in labels
    np.testing.assert_array_equal(loss_ax.get_lines()[0].get_xdata(), [1, 2, 3, 4, 5])


def test_plot_history_accepts_a_keras_like_history_object(tmp_path):
    history = types.SimpleNamespace(history={"loss": [0.9, 0.7, 0.6]})
    path = plotting.plot_history(history, str(tmp_path / "keras"))
    assert path.suffix == ".png"
    read_png(path)
    (ax,) = plotting.history._history_figure(history).axes
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [0.9, 0.7, 0.6])


def test_plot_history_errors_name_the_problem(tmp_path):
    with pytest.raises(ValueError, match="'loss'.*'val_loss'"):
        plotting.plot_history({"val_loss": [1.0]}, tmp_path / "x.png")
    with pytest.raises(TypeError, match="History"):
        plotting.plot_history([1.0, 2.0], tmp_path / "x.png")
    with pytest.raises(ValueError, match=r"history\['loss'\] is empty"):
        plotting.plot_history({"loss": []}, tmp_path / "x.png")
    with pytest.raises(ValueError, match=r"\.png"):
        plotting.plot_history({"loss": [1.0]}, tmp_path / "x.jpg")
    assert not list(tmp_path.iterdir())


# --------------------------------------------------------------------------- forecast


@pytest.fixture
def monthly():
    idx = pd.date_range("2020-01-01", periods=48, freq="MS")
    y = pd.Series(
        100 + np.arange(48) + 10 * np.sin(np.arange(48) / 12 * 2 * np.pi), index=idx, name="sales"
    )
    past, future = y.iloc[:36], y.iloc[36:]
    forecast = pd.DataFrame(
        {
            "sales": future.to_numpy() + 2,
            "sales_q0.1": future.to_numpy() - 8,
            "sales_q0.5": future.to_numpy() + 2,
            "sales_q0.9": future.to_numpy() + 12,
        },
        index=future.index,
    )
    return past, future, forecast


def test_plot_forecast_datetime_with_quantile_band_actuals_and_baselines(tmp_path, monthly):
    from matplotlib.collections import PolyCollection
    from matplotlib.dates import ConciseDateFormatter

    past, future, forecast = monthly
    naive = pd.Series(past.iloc[-1], index=future.index)
    path = plotting.plot_forecast(
        past,
        forecast,
        tmp_path / "fc.png",
        actuals=future,
        baselines={"naive": naive},
        title="Sales",
        ylabel="units",
    )
    read_png(path)

    fig = plotting.forecast._forecast_figure(past, forecast, actuals=future, baselines={"naive": naive})
    (ax,) = fig.axes
    assert isinstance(ax.xaxis.get_major_formatter(), ConciseDateFormatter)
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert [b.get_label() for b in bands] == ["q0.1–q0.9"]  # 3 levels -> one outer pair
    # The band spans exactly the lowest and highest quantile columns.
    ys = bands[0].get_paths()[0].vertices[:, 1]
    assert ys.min() == pytest.approx(forecast["sales_q0.1"].min())
    assert ys.max() == pytest.approx(forecast["sales_q0.9"].max())
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert {"history", "forecast", "actual", "naive"} <= set(lines)
    assert lines["naive"].get_linestyle() == "--"
    np.testing.assert_allclose(lines["forecast"].get_ydata(), forecast["sales"].to_numpy())


def test_plot_forecast_nested_bands_and_quantile_selection(monthly):
    from matplotlib.collections import PolyCollection

    past, _, forecast = monthly
    wide = forecast.assign(
        **{"sales_q0.25": forecast["sales"] - 3, "sales_q0.75": forecast["sales"] + 3}
    )
    fig = plotting.forecast._forecast_figure(past, wide)
    labels = [c.get_label() for c in fig.axes[0].collections if isinstance(c, PolyCollection)]
    assert labels == ["q0.1–q0.9", "q0.25–q0.75"]
    fig = plotting.forecast._forecast_figure(past, wide, quantiles=[0.25, 0.75])
    labels = [c.get_label() for c in fig.axes[0].collections if isinstance(c, PolyCollection)]
    assert labels == ["q0.25–q0.75"]
    with pytest.raises(ValueError, match=r"quantiles \[0\.05\] have no 'sales_q<level>' column"):
        plotting.forecast._forecast_figure(past, wide, quantiles=[0.05, 0.9])


def test_plot_forecast_integer_index_multiple_targets(tmp_path):
    rng = np.random.default_rng(0)
    past = pd.DataFrame(
        {"a": rng.normal(size=30).cumsum(), "b": rng.normal(size=30).cumsum(), "covariate": 1.0}
    )
    forecast = pd.DataFrame({"a": np.zeros(6), "b": np.ones(6)}, index=range(30, 36))
    path = plotting.plot_forecast(past, forecast, tmp_path / "two.png")
    single = plotting.plot_forecast(past[["a"]], forecast[["a"]], tmp_path / "one.png")
    assert read_png(path).shape[0] > read_png(single).shape[0]  # one panel per target
    fig = plotting.forecast._forecast_figure(past, forecast)
    assert [ax.get_ylabel() for ax in fig.axes] == ["a", "b"]  # the covariate is not drawn
    assert fig.axes[-1].get_xlabel() == "step"
    forecast_line = next(l for l in fig.axes[1].get_lines() if l.get_label() == "forecast")
    np.testing.assert_array_equal(forecast_line.get_xdata(), np.arange(30, 36))


def test_plot_forecast_series_inputs_and_quantile_only_forecast(monthly):
    past, _, forecast = monthly
    # Unnamed series: the lone forecast column is matched to the lone history series.
    fig = plotting.forecast._forecast_figure(past.rename(None), forecast["sales"].rename(None))
    assert len(fig.axes) == 1
    q_only = forecast.drop(columns="sales")
    fig = plotting.forecast._forecast_figure(past, q_only)
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert "forecast (q0.5)" in labels


def test_plot_forecast_rejects_bad_input(monthly):
    past, _, forecast = monthly
    with pytest.raises(ValueError, match="both have a DatetimeIndex or both a numeric"):
        plotting.forecast._forecast_figure(past, forecast.reset_index(drop=True))
    with pytest.raises(ValueError, match="history has no column 'other'"):
        plotting.forecast._forecast_figure(
            past.to_frame().assign(x=1.0), forecast.rename(columns={"sales": "other"})[["other"]]
        )
    with pytest.raises(TypeError, match="forecast must be a pandas Series or DataFrame"):
        plotting.forecast._forecast_figure(past, forecast.to_numpy())
    with pytest.raises(TypeError, match="baselines must be a dict"):
        plotting.forecast._forecast_figure(past, forecast, baselines=[forecast["sales"]])


# --------------------------------------------------------------------------- confusion matrix


def test_plot_confusion_matrix_counts_and_normalized(tmp_path):
    cm = np.array([[5, 1, 0], [2, 7, 1], [0, 0, 0]])
    labels = ["cat", "dog", "bird"]
    read_png(plotting.plot_confusion_matrix(cm, labels, tmp_path / "cm.png", title="pets"))
    read_png(plotting.plot_confusion_matrix(cm, labels, tmp_path / "cmn.png", normalize=True))

    counts = plotting.confusion._confusion_figure(cm, labels)
    texts = [t.get_text() for t in counts.axes[0].texts]
    assert texts == ["5", "1", "0", "2", "7", "1", "0", "0", "0"]
    norm = plotting.confusion._confusion_figure(cm, labels, normalize=True)
    texts = [t.get_text() for t in norm.axes[0].texts]
    # rows divided by their totals; the empty "bird" row stays 0 instead of NaN
    assert texts == ["0.83", "0.17", "0.00", "0.20", "0.70", "0.10", "0.00", "0.00", "0.00"]
    assert [t.get_text() for t in norm.axes[0].get_xticklabels()] == labels


def test_plot_confusion_matrix_rejects_mismatched_labels(tmp_path):
    with pytest.raises(ValueError, match=r"labels must have one entry per row of cm \(2\); got 3"):
        plotting.plot_confusion_matrix([[1, 0], [0, 1]], ["a", "b", "c"], tmp_path / "x.png")
    with pytest.raises(ValueError, match="square"):
        plotting.plot_confusion_matrix([[1, 0, 0], [0, 1, 0]], ["a", "b"], tmp_path / "x.png")
