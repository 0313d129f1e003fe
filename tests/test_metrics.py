"""zoo.metrics: hand-computed values, agreement with scikit-learn, and input checks."""

import pathlib
import subprocess
import sys

import numpy as np
import pytest
from sklearn import metrics as skm

from zoo import metrics

REPO = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture
def rng():
    return np.random.default_rng(0)


# --------------------------------------------------------------------------- hand-computed


def test_point_metrics_hand_computed():
    y = np.array([100.0, 200.0, 50.0, 80.0])
    p = np.array([110.0, 180.0, 50.0, 100.0])
    # errors: -10, 20, 0, -20
    assert metrics.mae(y, p) == pytest.approx(12.5)
    assert metrics.rmse(y, p) == pytest.approx(np.sqrt((100 + 400 + 0 + 400) / 4))
    assert metrics.mape(y, p) == pytest.approx(100 * (0.1 + 0.1 + 0.0 + 0.25) / 4)
    assert metrics.smape(y, p) == pytest.approx(200 * (10 / 210 + 20 / 380 + 0 + 20 / 180) / 4)


def test_smape_counts_zero_over_zero_as_zero_and_is_bounded_by_200():
    assert metrics.smape([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert metrics.smape([0.0, 2.0], [0.0, 2.0]) == 0.0
    # Opposite signs give the maximum: |e| == |y| + |yhat|.
    assert metrics.smape([1.0, -3.0], [-1.0, 3.0]) == pytest.approx(200.0)
    assert metrics.smape([0.0, 4.0], [1.0, 4.0]) == pytest.approx(100.0)


def test_mase_season_1_hand_computed():
    y_train = [1.0, 3.0, 2.0, 5.0]  # |diffs| 2, 1, 3 -> scale 2
    assert metrics.mase([6.0, 7.0], [7.0, 4.0], y_train) == pytest.approx(2.0 / 2.0)
    assert metrics.mase([6.0, 7.0], [6.5, 7.5], y_train, season=1) == pytest.approx(0.25)


def test_mase_season_12_hand_computed():
    first_year = np.arange(12.0)
    second_year = first_year + np.arange(1.0, 13.0)  # lag-12 differences 1..12 -> scale 6.5
    y_train = np.concatenate([first_year, second_year])
    # errors 3 and 6 -> MAE 4.5
    assert metrics.mase([10.0, 20.0], [13.0, 26.0], y_train, season=12) == pytest.approx(4.5 / 6.5)
    # with season=1 the same data has a different scale: mean |diff| of the lag-1 series
    scale1 = np.mean(np.abs(np.diff(y_train)))
    assert metrics.mase([10.0, 20.0], [13.0, 26.0], y_train, season=1) == pytest.approx(
        4.5 / scale1
    )


def test_mase_2d_training_gives_one_scale_per_series():
    y_train = np.array([[0.0, 0.0], [1.0, 10.0], [2.0, 20.0]])  # scales 1 and 10
    y_true = np.array([[3.0, 30.0], [4.0, 40.0]])
    y_pred = np.array([[4.0, 40.0], [4.0, 20.0]])
    # scaled errors: 1/1, 10/10, 0/1, 20/10 -> mean 1.0
    assert metrics.mase(y_true, y_pred, y_train) == pytest.approx(1.0)


def test_mase_rejects_short_training_zero_scale_and_series_mismatch():
    with pytest.raises(ValueError, match="season \\+ 1 = 13"):
        metrics.mase([1.0], [1.0], np.arange(12.0), season=12)
    with pytest.raises(ValueError, match="scale"):
        metrics.mase([1.0], [2.0], [5.0, 5.0, 5.0])
    with pytest.raises(ValueError, match="last axis of y_true must have length 2"):
        metrics.mase([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], np.arange(8.0).reshape(4, 2))
    with pytest.raises(ValueError, match="season"):
        metrics.mase([1.0], [1.0], [1.0, 2.0], season=0)


def test_pinball_loss_hand_computed():
    assert metrics.pinball_loss([10.0], [[8.0, 12.0]], [0.1, 0.9]) == pytest.approx(0.2)
    # q=0.5: e=-1 -> 0.5; q=0.9: e=+1 -> 0.9
    assert metrics.pinball_loss([0.0], [[1.0, -1.0]], [0.5, 0.9]) == pytest.approx(0.7)


def test_coverage_hand_computed_with_closed_bounds():
    y = [1.0, 5.0, 3.0, 4.0]
    assert metrics.coverage(y, [0.0, 0.0, 3.0, 0.0], [2.0, 2.0, 3.0, 4.0]) == 0.75
    with pytest.raises(ValueError, match="lower must not exceed upper"):
        metrics.coverage([1.0], [2.0], [0.0])


def test_classification_hand_computed():
    y = ["cat", "dog", "dog", "bird"]
    p = ["cat", "dog", "cat", "dog"]
    assert metrics.accuracy(y, p) == 0.5
    # per label F1 = 2tp / (2tp + fp + fn): bird 0, cat 2/(2+1+0), dog 2/(2+1+1)
    assert metrics.macro_f1(y, p) == pytest.approx((0 + 2 / 3 + 1 / 2) / 3)
    cm = metrics.confusion_matrix(y, p)
    assert cm.tolist() == [[0, 0, 1], [0, 1, 0], [0, 1, 1]]  # bird, cat, dog sorted
    assert cm.dtype == np.int64
    ordered = metrics.confusion_matrix(y, p, labels=["dog", "cat"])
    assert ordered.tolist() == [[1, 1], [0, 1]]  # the bird sample is left out
    assert metrics.log_loss(["a", "b"], [[0.8, 0.2], [0.4, 0.6]]) == pytest.approx(
        -(np.log(0.8) + np.log(0.6)) / 2
    )


def test_log_loss_uses_the_column_order_of_classes():
    proba = [[0.9, 0.1], [0.2, 0.8]]
    natural = metrics.log_loss(["a", "b"], proba)
    swapped = metrics.log_loss(["a", "b"], proba, classes=["b", "a"])
    assert natural == pytest.approx(-(np.log(0.9) + np.log(0.8)) / 2)
    assert swapped == pytest.approx(-(np.log(0.1) + np.log(0.2)) / 2)
    # 1-D proba is the probability of the second class
    assert metrics.log_loss([0, 1], [0.1, 0.8]) == pytest.approx(natural)


def test_log_loss_is_finite_for_confident_mistakes():
    value = metrics.log_loss([0, 1], [[0.0, 1.0], [0.0, 1.0]])
    assert np.isfinite(value) and value == pytest.approx(-np.log(np.finfo(float).eps) / 2)


def test_log_loss_input_errors():
    with pytest.raises(ValueError, match="not in classes"):
        metrics.log_loss(["a", "z"], [[0.5, 0.5], [0.5, 0.5]], classes=["a", "b"])
    with pytest.raises(ValueError, match="sum to 1"):
        metrics.log_loss([0, 1], [[0.5, 0.6], [0.5, 0.5]])
    with pytest.raises(ValueError, match=r"\[2, 3\]"):
        metrics.log_loss([0, 1], [[0.5, 0.5], [0.5, 0.5]], classes=[0, 1, 2])


def test_aggregate_dicts():
    m = metrics.forecast_metrics([100.0, 200.0], [110.0, 190.0], y_train=[90.0, 100.0])
    assert m == pytest.approx(
        {"mae": 10.0, "rmse": 10.0, "mape": 7.5, "smape": m["smape"], "mase": 1.0}
    )
    assert m["smape"] == pytest.approx(100 * (10 / 210 + 10 / 390))
    no_train = metrics.forecast_metrics([0.0, 2.0], [1.0, 2.0])
    assert set(no_train) == {"mae", "rmse", "mape", "smape"}
    assert np.isnan(no_train["mape"])  # y_true has a zero
    assert no_train["mae"] == 0.5
    c = metrics.classification_metrics(["a", "b"], ["a", "a"], proba=[[0.9, 0.1], [0.6, 0.4]])
    assert c["accuracy"] == 0.5
    assert c["macro_f1"] == pytest.approx((2 / 3 + 0) / 2)
    assert c["log_loss"] == pytest.approx(-(np.log(0.9) + np.log(0.4)) / 2)
    assert set(metrics.classification_metrics([1], [1])) == {"accuracy", "macro_f1"}


# --------------------------------------------------------------------------- vs scikit-learn


@pytest.mark.parametrize("shape", [(50,), (12, 3)])
def test_forecast_metrics_match_sklearn(rng, shape):
    y = rng.uniform(1.0, 10.0, size=shape)
    p = y + rng.normal(0.0, 1.0, size=shape)
    flat_y, flat_p = y.reshape(-1), p.reshape(-1)
    assert metrics.mae(y, p) == pytest.approx(skm.mean_absolute_error(flat_y, flat_p))
    assert metrics.rmse(y, p) == pytest.approx(skm.mean_squared_error(flat_y, flat_p) ** 0.5)
    assert metrics.mape(y, p) == pytest.approx(
        skm.mean_absolute_percentage_error(flat_y, flat_p) * 100
    )


def test_pinball_loss_matches_sklearn_per_quantile(rng):
    quantiles = [0.1, 0.5, 0.9]
    y = rng.normal(size=(20, 2))
    pq = y[..., None] + rng.normal(size=(20, 2, 3))
    expected = np.mean(
        [
            skm.mean_pinball_loss(y.reshape(-1), pq[..., k].reshape(-1), alpha=q)
            for k, q in enumerate(quantiles)
        ]
    )
    assert metrics.pinball_loss(y, pq, quantiles) == pytest.approx(expected)
    single = metrics.pinball_loss(y, pq[..., 1:2], [0.5])
    assert single == pytest.approx(
        skm.mean_pinball_loss(y.reshape(-1), pq[..., 1].reshape(-1), alpha=0.5)
    )


def test_classification_metrics_match_sklearn(rng):
    classes = np.array(["bird", "cat", "dog", "eel"])
    y = rng.choice(classes, size=60)
    p = np.where(rng.uniform(size=60) < 0.6, y, rng.choice(classes[:3], size=60))
    logits = rng.normal(size=(60, 4))
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert metrics.accuracy(y, p) == pytest.approx(skm.accuracy_score(y, p))
    assert metrics.macro_f1(y, p) == pytest.approx(skm.f1_score(y, p, average="macro"))
    assert metrics.log_loss(y, proba, classes=classes) == pytest.approx(
        skm.log_loss(y, proba, labels=classes)
    )
    np.testing.assert_array_equal(metrics.confusion_matrix(y, p), skm.confusion_matrix(y, p))
    order = ["eel", "cat", "bird"]
    np.testing.assert_array_equal(
        metrics.confusion_matrix(y, p, labels=order), skm.confusion_matrix(y, p, labels=order)
    )


def test_macro_f1_matches_sklearn_when_a_label_is_only_predicted():
    y = [0, 0, 1, 1]
    p = [0, 2, 1, 1]
    assert metrics.macro_f1(y, p) == pytest.approx(
        skm.f1_score(y, p, average="macro", zero_division=0)
    )


# --------------------------------------------------------------------------- NaN policy and checks


def test_nan_in_y_true_is_skipped():
    y = np.array([1.0, np.nan, 3.0])
    p = np.array([2.0, 100.0, 5.0])
    assert metrics.mae(y, p) == pytest.approx(1.5)
    assert metrics.rmse(y, p) == pytest.approx(np.sqrt(2.5))
    assert metrics.mape(y, p) == pytest.approx(100 * (1 + 2 / 3) / 2)
    assert metrics.coverage(y, p - 1.5, p + 1.5) == 0.5
    assert metrics.pinball_loss(y, p[:, None], [0.5]) == pytest.approx(0.75)
    assert np.isnan(metrics.mae([np.nan], [1.0]))


def test_nan_in_y_pred_makes_the_metric_nan():
    for fn in (metrics.mae, metrics.rmse, metrics.mape, metrics.smape):
        assert np.isnan(fn([1.0, 2.0], [1.0, np.nan])), fn.__name__


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"y_true \(3,\) and y_pred \(3, 1\)"):
        metrics.mae([1.0, 2.0, 3.0], [[1.0], [2.0], [3.0]])
    with pytest.raises(
        ValueError, match=r"= \(2, 2\); got y_pred_quantiles \(1, 2\) with y_true \(2,\)"
    ):
        metrics.pinball_loss([1.0, 2.0], [[1.0, 2.0]], [0.1, 0.9])
    with pytest.raises(ValueError, match="y_true and y_pred must have the same shape"):
        metrics.accuracy([1, 2], [1])


@pytest.mark.parametrize(
    "call",
    [
        lambda: metrics.mae([], []),
        lambda: metrics.smape([], []),
        lambda: metrics.accuracy([], []),
        lambda: metrics.macro_f1([], []),
    ],
)
def test_empty_input_raises(call):
    with pytest.raises(ValueError, match="empty"):
        call()


def test_mape_rejects_zero_actuals():
    with pytest.raises(ValueError, match="y_true == 0"):
        metrics.mape([0.0, 1.0], [1.0, 1.0])


def test_non_numeric_forecast_input_is_a_type_error():
    with pytest.raises(TypeError, match="y_pred must be numeric"):
        metrics.mae([1.0], ["x"])


def test_quantile_levels_are_checked():
    with pytest.raises(ValueError, match=r"quantiles must be .* in \(0, 1\)"):
        metrics.pinball_loss([1.0], [[1.0]], [1.5])


def test_metric_modules_import_neither_tensorflow_nor_matplotlib():
    code = (
        "import sys, zoo.metrics, zoo.baselines, zoo.plotting; "
        "bad = [m for m in ('tensorflow', 'keras', 'matplotlib') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# --------------------------------------------------------------------------- labelling
def test_step_scores_pool_every_step_and_match_scikit_learn():
    from sklearn.metrics import accuracy_score, f1_score

    truth = [np.array(["a", "a", "b"]), np.array(["b", "c", "c", "c"])]
    pred = [np.array(["a", "b", "b"]), np.array(["b", "c", "a", "c"])]
    flat_t, flat_p = np.concatenate(truth), np.concatenate(pred)
    assert metrics.step_accuracy(truth, pred) == pytest.approx(accuracy_score(flat_t, flat_p))
    assert metrics.step_macro_f1(truth, pred) == pytest.approx(
        f1_score(flat_t, flat_p, average="macro"))
    with pytest.raises(ValueError, match="sequence 1"):
        metrics.step_accuracy(truth, [pred[0], pred[1][:2]])


def test_segment_f1_counts_overlapping_segments_of_the_right_label():
    truth = [0] * 10 + [1] * 10
    assert metrics.segment_f1(truth, truth) == 1.0
    shifted = [0] * 13 + [1] * 7  # IoU 10/13 and 7/10: both >= 0.5, both < 0.8
    assert metrics.segment_f1(truth, shifted, overlap=0.5) == 1.0
    assert metrics.segment_f1(truth, shifted, overlap=0.8) == 0.0
    # a flicker inside the first segment: 4 predicted segments, 2 true ones
    flicker = [0] * 4 + [1] + [0] * 5 + [1] * 10
    # predicted (0,[0,4)) IoU 0.4 -> FP; (1,[4,5)) -> FP; (0,[5,10)) IoU 0.5 -> TP; (1,...) TP
    p, r = 2 / 4, 2 / 2
    assert metrics.segment_f1(truth, flicker, overlap=0.5) == pytest.approx(2 * p * r / (p + r))
    # a true segment is matched once: a second prediction over it is a false positive
    assert metrics.segment_f1([0] * 6, [0] * 3 + [1] + [0] * 2, overlap=0.1) == pytest.approx(
        2 * (1 / 3) * 1 / (1 / 3 + 1))
    with pytest.raises(ValueError, match="overlap"):
        metrics.segment_f1(truth, truth, overlap=0)


def test_edit_score_is_the_levenshtein_distance_of_the_segment_labels():
    assert metrics.edit_score([0, 0, 1, 1, 2], [0, 1, 1, 2, 2]) == 100.0  # same segment order
    assert metrics.edit_score([0, 0, 1, 1], [0, 0, 0, 0]) == 50.0  # one of two segments lost
    assert metrics.edit_score([0, 1], [1, 0]) == 0.0
    # averaged over sequences
    assert metrics.edit_score([[0, 1], [0, 0]], [[0, 1], [1, 1]]) == 50.0
    assert metrics.segments(["a", "a", "b"]) == [("a", 0, 2), ("b", 2, 3)]
