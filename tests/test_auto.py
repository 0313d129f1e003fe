"""model="auto" (a plan of builders, the validation winner kept) and n_ensemble (one model)."""

import numpy as np
import pytest

import zoo
from zoo import auto, ensemble

pytest.importorskip("keras_tuner")


@pytest.fixture(scope="module")
def airline():
    return zoo.datasets.load("airline")


def _small(**kw):
    return dict(lookback=12, horizon=6, units=4, epochs=1, verbose=0, seed=0, **kw)


def test_auto_forecaster_keeps_the_validation_winner_and_says_so(airline, tmp_path):
    f = zoo.Forecaster(model="auto", **_small(time_budget_s=1e-6)).fit(airline)
    search = f.search_
    assert search["plan"][:3] == ["nlinear", "dlinear", "lstm"] and f.model == "auto"
    # the budget skips every candidate after the first, which always runs
    assert len(search["trials"]) == 1 and search["skipped"] == len(search["plan"]) - 1
    assert search["best"] == {"model": "nlinear"} and f.network_kwargs_["task"] == "forecast"
    assert f.validation_metrics_["model"]["mae"] == pytest.approx(search["best_score"], rel=1e-4)
    p = zoo.load(f.export(tmp_path / "auto"))
    assert p.manifest["model"] == "nlinear" and p.manifest["search"]["best"] == search["best"]
    np.testing.assert_allclose(p.predict(airline).to_numpy(), f.predict(airline).to_numpy(),
                               rtol=1e-4)


def test_the_plan_follows_the_data():
    fixed_long = np.zeros((4, 150, 1))
    fixed_short = np.zeros((4, 20, 1))
    varying = [np.zeros((5, 1)), np.zeros((9, 1))]
    c = zoo.Classifier(model="auto")
    names = {k: [x["model"] for x in auto.plan(c, X)]
             for k, X in (("long", fixed_long), ("short", fixed_short), ("varying", varying))}
    assert names["long"].index("fcn") < names["long"].index("bigru")
    assert names["short"].index("bigru") < names["short"].index("fcn")
    assert all(zoo.registry.get_spec(n).masking for n in names["varying"])
    assert names["varying"]
    one_step = zoo.Forecaster(model="auto", horizon=1)
    assert "seq2seq" not in [x["model"] for x in auto.plan(one_step, None)]
    # calendar features asked for: only models with known-ahead inputs
    calendar = [x["model"] for x in auto.plan(zoo.Forecaster(model="auto",
                                                              calendar_features=True), None)]
    assert calendar and all(zoo.registry.get_spec(n).future_covariates for n in calendar)
    assert "nlinear" not in calendar


def test_auto_classifier_and_a_seed_ensemble_export_as_one_model(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 12, 1)).astype("float32")
    y = np.array(["a", "b", "c"] * 10)
    X[y == "b"] += 1.0
    X[y == "c"] -= 1.0
    c = zoo.Classifier(model="auto", units=4, epochs=1, verbose=0, time_budget_s=1e-6,
                       refit=False).fit(X, y)
    assert c.search_["objective"] == "log_loss" and len(c.search_["trials"]) == 1
    e = zoo.Classifier(model="gru", units=4, epochs=1, verbose=0, seed=3, n_ensemble=3,
                       refit=False).fit(X, y)
    assert [m["seed"] for m in e.ensemble_["members"]] == [3, 4, 5]
    assert e.ensemble_["combine"] == "mean"
    members = [layer for layer in e.model_.layers if layer.name.startswith("member_")]
    assert len(members) == 3
    proba = e.predict_proba(X)
    np.testing.assert_allclose(proba, np.mean([m(X) for m in members], axis=0), rtol=1e-5)
    p = zoo.load(e.export(tmp_path / "ens"))
    assert p.manifest["ensemble"]["n_members"] == 3
    np.testing.assert_allclose(p.predict_proba(X), proba, rtol=1e-4, atol=1e-6)


def test_an_auto_ensemble_takes_the_top_candidates_then_the_winner_under_new_seeds(airline):
    e = zoo.Forecaster(model="auto", **_small(n_ensemble=2, refit=False, time_budget_s=1e-6))
    e.fit(airline)
    assert [(m["model"], m["seed"]) for m in e.ensemble_["members"]] == [
        ("nlinear", 0), ("nlinear", 1)]
    assert e.search_["best"] == {"model": "nlinear"}


def test_a_forecast_ensemble_is_the_members_median(airline):
    e = zoo.Forecaster(**_small(n_ensemble=4, refit=False, calendar_features=False)).fit(airline)
    members = [layer for layer in e.model_.layers if layer.name.startswith("member_")]
    values = airline.iloc[:, 0].to_numpy("float32")
    x = np.stack([values[i: i + 12] for i in (0, 50, 100)])[..., None]  # raw windows
    outs = np.stack([np.asarray(m(x)) for m in members])
    np.testing.assert_allclose(np.asarray(e.model_(x)), np.median(outs, axis=0), rtol=1e-5,
                               atol=1e-4)
    assert e.validation_metrics_["model"]["mae"] == pytest.approx(
        np.mean([m["validation"]["mae"] for m in e.ensemble_["members"]]))


def test_median_of_matches_numpy_for_every_count():
    import keras

    rng = np.random.default_rng(1)
    for n in range(1, 8):
        xs = [keras.Input((3,)) for _ in range(n)]
        model = keras.Model(xs, ensemble.median_of(xs))
        values = [rng.normal(size=(2, 3)).astype("float32") for _ in range(n)]
        np.testing.assert_allclose(np.asarray(model(values)), np.median(values, axis=0),
                                   rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("est, match", [
    (zoo.Forecaster(n_ensemble=0), "n_ensemble"),
    (zoo.Forecaster(n_ensemble=2, distribution="normal"), "distribution"),
    (zoo.Forecaster(n_ensemble=2, conformal=[0.8]), "conformal"),
    (zoo.Forecaster(model="auto", time_budget_s=-5), "time_budget_s"),
    (zoo.Forecaster(model="auto", validation_size=0), "validation_size"),
    (zoo.SequenceLabeler(model="auto"), "Forecaster and the Classifier"),
])
def test_refusals_come_before_any_training(est, match, airline):
    X = airline if est.task == "forecast" else [np.zeros((6, 1))] * 4
    y = None if est.task == "forecast" else [np.array(["a"] * 6)] * 4
    with pytest.raises(ValueError, match=match):
        est.fit(X) if y is None else est.fit(X, y)
