"""zoo.tune: KerasTuner's search over an estimator's parameters, scored on its validation part."""

import numpy as np
import pytest

import zoo

pytest.importorskip("keras_tuner")


@pytest.fixture
def airline():
    return zoo.datasets.load("airline")


def _forecaster(**kw):
    return zoo.Forecaster(lookback=12, horizon=6, epochs=1, units=4, seed=0, verbose=0, **kw)


def test_the_best_validation_score_wins_and_is_refitted(airline, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    best = zoo.tune(_forecaster(), airline, space={"units": [2, 6]}, max_trials=2)
    search = best.search_
    assert [t["status"] for t in search["trials"]] == ["completed", "completed"]
    assert sorted(t["params"]["units"] for t in search["trials"]) == [2, 6]
    winner = min(search["trials"], key=lambda t: t["score"])
    assert search["best"] == winner["params"] and search["best_score"] == winner["score"]
    assert best.units == winner["params"]["units"] and best.refit is True
    # the refitted estimator scores its validation part as the trial did
    assert best.validation_metrics_["model"]["mae"] == pytest.approx(winner["score"], rel=1e-4)
    assert len(best.predict(airline)) == 6
    assert list(tmp_path.iterdir()) == []  # no ./untitled_project


def test_the_budget_skips_the_trials_not_started_and_failures_are_recorded(airline):
    est = _forecaster(model="bilstm", refit=False)
    space = {"model_kwargs__merge_mode": ["nonsense", "sum", "concat"]}
    best = zoo.tune(est, airline, space=space, max_trials=3, algorithm="random", seed=3)
    statuses = {t["params"]["model_kwargs__merge_mode"]: t for t in best.search_["trials"]}
    assert statuses["nonsense"]["status"] == "failed"
    assert "merge_mode" in statuses["nonsense"]["error"] and statuses["nonsense"]["score"] is None
    assert best.search_["best"]["model_kwargs__merge_mode"] in ("sum", "concat")
    assert best.model_kwargs["merge_mode"] == best.search_["best"]["model_kwargs__merge_mode"]

    quick = zoo.tune(est, airline, space={"units": (2, 64)}, max_trials=5, time_budget_s=1e-6)
    assert len(quick.search_["trials"]) == 1 and quick.search_["skipped"] == 4


def test_lists_of_lists_are_chosen_by_index_and_come_back_as_given():
    import keras_tuner as kt

    from zoo.tuning import _check_space, _declare, _values

    plan = _check_space(zoo.Classifier(model="stacked_gru"),
                        {"units": [[4], [2, 2]], "learning_rate": (1e-4, 1e-1)})
    hp = kt.HyperParameters()
    _declare(hp, plan)
    assert hp.get("units") in (0, 1)  # declared by index: Choice holds one scalar type
    hp.values["units"] = 1
    assert _values(hp, plan)["units"] == [2, 2]
    assert hp._hps["learning_rate"][0].sampling == "log"  # three orders of magnitude


@pytest.mark.slow
def test_a_classifier_is_scored_by_validation_log_loss_and_lists_go_by_index():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 10, 1)).astype("float32")
    y = np.array(["a", "b"] * 20)
    X[y == "b"] += 1.5
    clf = zoo.Classifier(model="stacked_gru", epochs=1, units=4, seed=0, verbose=0, refit=False)
    best = zoo.tune(clf, X, y, space={"units": [[4], [2, 2]]}, max_trials=2)
    assert best.search_["objective"] == "log_loss" and best.search_["direction"] == "min"
    assert best.units in ([4], [2, 2]) and len(best.search_["trials"]) == 2


@pytest.mark.parametrize("kwargs, error, match", [
    ({"space": {}}, ValueError, "space"),
    ({"space": {"unitz": [4]}}, ValueError, "unitz"),
    ({"space": {"units": (8,)}}, ValueError, r"space\['units'\]"),
    ({"space": {"units": (8, 4)}}, ValueError, "low < high"),
    ({"space": {"units": [4, 0]}}, ValueError, r"space\['units'\] value 0"),
    ({"space": {"units": [4]}, "objective": "r2"}, ValueError, "objective"),
    ({"space": {"units": [4]}, "objective": "accuracy"}, ValueError, "for task 'forecast'"),
    ({"space": {"refit": [True, False]}}, ValueError, "cannot be searched"),
    ({"space": {"validation_size": [0.1, 0.3]}}, ValueError, "cannot be searched"),
    ({"space": {"model": ["lstm", "auto"]}}, ValueError, "cannot be searched"),
    ({"space": {"units": [4]}, "algorithm": "hyperband"}, ValueError, "algorithm"),
    ({"space": {"units": [4]}, "time_budget_s": -1}, ValueError, "time_budget_s"),
    ({"space": {"units": [4]}, "max_trials": 0}, ValueError, "max_trials"),
])
def test_bad_arguments_are_refused_before_any_trial(airline, kwargs, error, match):
    with pytest.raises(error, match=match):
        zoo.tune(_forecaster(), airline, **kwargs)


def test_trials_and_members_write_their_own_backups_and_logs():
    from zoo.tuning import own_paths

    est = zoo.Forecaster(backup_dir="runs/b", csv_log="logs/fit.csv", tensorboard_dir="tb")
    assert own_paths(est, "trial_3") == {"backup_dir": "runs/b/trial_3", "tensorboard_dir":
                                         "tb/trial_3", "csv_log": "logs/fit_trial_3.csv"}
    assert own_paths(zoo.Forecaster(), "member_0") == {}


def test_tuning_needs_validation_data_and_a_zoo_estimator(airline):
    with pytest.raises(ValueError, match="validation_size"):
        zoo.tune(_forecaster(validation_size=0), airline, space={"units": [4]})
    with pytest.raises(TypeError, match="zoo Forecaster"):
        zoo.tune(object(), airline, space={"units": [4]})
    with pytest.raises(ValueError, match="searches its own plan"):
        zoo.tune(zoo.Forecaster(model="auto"), airline, space={"units": [4]})
