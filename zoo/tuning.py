"""Hyperparameter search for any zoo estimator, scored on its own validation part.

:func:`tune` runs KerasTuner's oracles (random search or Bayesian optimisation) over a
``space`` of estimator parameters. Every trial fits a clone of the estimator without
the refit and reads the score from ``validation_metrics_`` -- the part the estimator
carves from its training data (a time-ordered tail for forecasts, a stratified split
for classes) -- so the test part is never looked at. The best parameters are then
fitted once more as the user asked (with the refit by default), and the returned
estimator carries the whole search in ``search_``.

KerasTuner also distributes trials over machines: start the same script on every
machine with ``directory`` on a shared file system and the environment variables
``KERASTUNER_TUNER_ID`` (``"chief"`` on one machine, ``"tuner0"``, ``"tuner1"``, ... on
the others), ``KERASTUNER_ORACLE_IP`` and ``KERASTUNER_ORACLE_PORT`` (the chief's
address); the chief runs the oracle, the workers run trials, and every process returns
the best estimator once the trials are done. Needs the ``tune`` extra
(``pip install zoo-ts[tune]``).
"""

from __future__ import annotations

import math
import numbers
import tempfile
import time

from zoo._checks import check_int, is_int

__all__ = ["OBJECTIVES", "tune"]

# objective -> direction, read from validation_metrics_["model"]
OBJECTIVES = {"mae": "min", "rmse": "min", "mape": "min", "mase": "min",
              "accuracy": "max", "macro_f1": "max", "log_loss": "min"}
# the task's default: a proper scoring rule for classes (on a small validation split
# accuracy ties between most trials), the raw-unit error for forecasts
DEFAULT_OBJECTIVE = {"forecast": "mae", "classify": "log_loss", "label": "accuracy"}
TASK_OBJECTIVES = {"forecast": ("mae", "rmse", "mape", "mase"),
                   "classify": ("accuracy", "macro_f1", "log_loss"),
                   "label": ("accuracy", "macro_f1")}
# what a search may not vary: how trials are scored, trained or kept, and the search itself
NOT_SEARCHED = ("refit", "validation_size", "n_ensemble", "time_budget_s", "verbose",
                "backup_dir", "checkpoint_dir", "csv_log", "tensorboard_dir",
                "distribute_strategy")
# file and folder parameters: each trial or member writes under its own name
OWN_PATHS = ("backup_dir", "checkpoint_dir", "csv_log", "tensorboard_dir")
ALGORITHMS = ("random", "bayesian", "grid")
MODEL_KWARGS = "model_kwargs__"
CANDIDATE = "__candidate__"  # a plan entry whose choices are whole configurations


def _kerastuner():
    try:
        import keras_tuner
    except ImportError:
        raise ImportError("zoo.tune needs KerasTuner: pip install 'zoo-ts[tune]'") from None
    return keras_tuner


def _check_space(estimator, space) -> dict:
    """``{name: ("choice", values) | ("range", low, high)}``, every value checked."""
    from sklearn.base import clone

    if not isinstance(space, dict) or not space:
        raise ValueError("space must be a non-empty dict mapping parameter names to a list "
                         f"of choices or a (low, high) range, got {space!r}")
    known = set(estimator.get_params())
    plan = {}
    for name, values in space.items():
        base = name[len(MODEL_KWARGS):] if str(name).startswith(MODEL_KWARGS) else name
        if not isinstance(name, str) or not base or (base == name and name not in known):
            raise ValueError(f"space: {name!r} is not a parameter of {type(estimator).__name__} "
                             f"(known: {sorted(known)}; builder arguments go as "
                             f"'{MODEL_KWARGS}<argument>')")
        if name in NOT_SEARCHED or (name == "model" and "auto" in list(values or [])):
            raise ValueError(f"space: {name!r} cannot be searched (it sets how trials are "
                             "scored, trained or kept; model='auto' searches by itself)")
        if isinstance(values, list) and values:
            # KerasTuner's Choice holds one scalar type; any other list goes by index
            scalar = len({type(v) for v in values}) == 1 and isinstance(
                values[0], (str, bool, int, float)) and len(set(values)) == len(values)
            plan[name] = ("choice", list(values), not scalar)
            candidates = values
        elif isinstance(values, tuple) and len(values) == 2 and all(
                isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values) \
                and values[0] < values[1]:
            plan[name] = ("range", *values)
            candidates = values
        else:
            raise ValueError(f"space[{name!r}] must be a non-empty list of choices or a "
                             f"(low, high) tuple of numbers with low < high, got {values!r}")
        for value in candidates:  # refused here, before any trial trains
            trial = clone(estimator).set_params(**_as_params(estimator, {name: value}))
            try:
                check_params(trial)
            except (TypeError, ValueError) as err:
                raise type(err)(f"space[{name!r}] value {value!r}: {err}") from None
    return plan


def own_paths(estimator, tag) -> dict:
    """``set_params`` arguments giving a trial or member its own backup, checkpoint and logs.

    Example:
        >>> import zoo
        >>> own_paths(zoo.Forecaster(csv_log="log.csv", backup_dir="b"), "member_1")
        {'backup_dir': 'b/member_1', 'csv_log': 'log_member_1.csv'}
    """
    from pathlib import Path

    out = {}
    for name in OWN_PATHS:
        value = estimator.get_params().get(name)
        if value is None:
            continue
        path = Path(value)
        out[name] = str(path.with_name(f"{path.stem}_{tag}{path.suffix}") if name == "csv_log"
                        else path / tag)
    return out


def check_params(estimator):
    """Runs the estimator's own parameter checks (the ones its ``fit`` starts with)."""
    check = getattr(estimator, "_check_params", None) or getattr(
        estimator, "_check_sequence_params", None)
    if check is not None:
        check()


def _as_params(estimator, values) -> dict:
    """Search values as ``set_params`` arguments (``model_kwargs__x`` merged into the dict)."""
    params = {k: v for k, v in values.items() if not k.startswith(MODEL_KWARGS)}
    extra = {k[len(MODEL_KWARGS):]: v for k, v in values.items() if k.startswith(MODEL_KWARGS)}
    if extra:
        params["model_kwargs"] = {**(estimator.get_params().get("model_kwargs") or {}), **extra}
    return params


def _declare(hp, plan):
    """The plan's KerasTuner hyperparameters; choices of lists go by their index."""
    for name, (kind, *args) in plan.items():
        if kind == "range":
            low, high = args
            if is_int(low) and is_int(high):
                hp.Int(name, int(low), int(high))
            else:  # a range over orders of magnitude is searched on a log scale
                log = low > 0 and high / low >= 100
                hp.Float(name, float(low), float(high), sampling="log" if log else "linear")
        else:
            values, by_index = args
            hp.Choice(name, list(range(len(values))) if by_index else values)


def _values(hp, plan) -> dict:
    """A trial's hyperparameters as the values of ``space``."""
    out = {}
    for name, (kind, *args) in plan.items():
        value = hp.get(name)
        value = args[0][int(value)] if kind == "choice" and args[1] else value
        if name == CANDIDATE:  # a whole configuration (zoo.auto's plans)
            out.update(value)
        else:
            out[name] = value
    return out


class NoScore(ValueError):
    """A fit gave no validation score: every other trial would fail the same way."""


def _score(estimator, objective):
    metrics = (getattr(estimator, "validation_metrics_", None) or {}).get("model", {})
    if objective not in metrics:
        raise NoScore(f"objective={objective!r} is not among the validation metrics "
                         f"{sorted(metrics)} of this fit")
    return float(metrics[objective])


def tune(estimator, X, y=None, *, space, max_trials=20, time_budget_s=None, objective=None,
         algorithm="random", directory=None, seed=None, verbose=0):
    """Searches ``space`` on the estimator's validation part; returns the fitted best estimator.

    Args:
        estimator: An unfitted zoo estimator (Forecaster, Classifier, SequenceLabeler) with
            validation data (``validation_size > 0``): its parameters outside ``space``
            are kept in every trial.
        X: What the estimator's ``fit`` takes first (a frame for a Forecaster, sequences
            for a Classifier).
        y: The labels for a Classifier or SequenceLabeler; None for a Forecaster.
        space: ``{parameter: [choice, ...] | (low, high)}``. Keys are the estimator's
            parameters, or ``"model_kwargs__<argument>"`` for a builder argument. A list
            is a set of choices (any values, lists too); a 2-tuple is a range: ints give
            an integer range, floats a continuous one (on a log scale when ``high / low
            >= 100``).
        max_trials: Most parameter sets tried.
        time_budget_s: Seconds after which no new trial starts (None: no limit; the
            first trial always runs); the trials left out are counted in
            ``search_["skipped"]``.
        objective: A key of :data:`OBJECTIVES` read from ``validation_metrics_["model"]``;
            None is ``"mae"`` for forecasts, ``"log_loss"`` for classes and
            ``"accuracy"`` for per-step labels.
        algorithm: ``"random"``, ``"bayesian"`` or ``"grid"`` (KerasTuner's oracles; the
            grid tries every combination, the choices in the order given).
        directory: Where KerasTuner keeps its trials (None: a temporary directory,
            removed afterwards; give a shared one to distribute trials).
        seed: The oracle's seed (None: the estimator's ``seed``, else 0).
        verbose: 1 prints every trial's score and a table at the end.

    Returns:
        The estimator of the best parameters, fitted as the original asks (with its
        refit); ``search_`` holds ``objective``, ``direction``, ``best`` (the
        parameters), ``trials`` (each with ``params``, ``score``, ``fit_time_s``,
        ``status``, ``error``), ``skipped`` and ``time_budget_s``.

    Example:
        >>> import zoo
        >>> f = zoo.Forecaster(lookback=12, horizon=6, epochs=2, units=4, seed=0)
        >>> best = zoo.tune(f, zoo.datasets.load("airline"), space={"units": [4, 8]},
        ...             max_trials=2)
        >>> sorted(best.search_["best"]), len(best.search_["trials"])
        (['units'], 2)
    """
    _kerastuner()  # its ImportError first: the extra is missing
    task = getattr(estimator, "task", None)
    if task not in DEFAULT_OBJECTIVE or not hasattr(estimator, "get_params"):
        raise TypeError(f"estimator must be a zoo Forecaster, Classifier or SequenceLabeler, "
                        f"got {type(estimator).__name__}")
    if not estimator.get_params().get("validation_size"):
        raise ValueError("tune scores every trial on the validation part the estimator carves "
                         "from its training data: validation_size must be > 0")
    objective = DEFAULT_OBJECTIVE[task] if objective is None else objective
    if objective not in TASK_OBJECTIVES[task]:
        raise ValueError(f"objective must be one of {TASK_OBJECTIVES[task]} for task {task!r}, "
                         f"got {objective!r}")
    if estimator.get_params().get("model") == "auto":
        raise ValueError("model='auto' searches its own plan of models: tune an estimator "
                         "with a named model (or put model names in space)")
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {ALGORITHMS}, got {algorithm!r}")
    max_trials = check_int(max_trials, "max_trials")
    if time_budget_s is not None and not (isinstance(time_budget_s, numbers.Real)
                                          and time_budget_s > 0 and math.isfinite(time_budget_s)):
        raise ValueError(f"time_budget_s must be None or a positive number of seconds, got "
                         f"{time_budget_s!r}")
    plan = _check_space(estimator, space)
    if seed is None:
        seed = estimator.get_params().get("seed")
    seed = 0 if seed is None else check_int(seed, "seed", minimum=0)
    return run_search(estimator, (X,) if y is None else (X, y), plan, objective=objective,
                      algorithm=algorithm, max_trials=max_trials, time_budget_s=time_budget_s,
                      directory=directory, seed=seed, verbose=verbose)


def run_search(estimator, fit_args, plan, *, objective, algorithm, max_trials, time_budget_s,
               directory, seed, verbose, fit_best=True):
    """The search of checked arguments (:func:`tune` checks them; ``zoo.auto`` plans them).

    Returns the winner fitted as ``estimator`` asks, carrying ``search_``; with
    ``fit_best=False`` only the ``search_`` dict (every completed trial is in it).

    ``plan`` maps each name to ``("choice", values, by_index)`` or ``("range", low,
    high)``; the name :data:`CANDIDATE` holds whole configurations (dicts of parameters).
    """
    from sklearn.base import clone

    kt = _kerastuner()
    direction = OBJECTIVES[objective]
    trials, errors, fitted, budget = [], [], {}, {"hit": False}
    refit = estimator.get_params().get("refit", True)
    sign = 1 if direction == "min" else -1
    started = time.perf_counter()

    class _Search(kt.engine.base_tuner.BaseTuner):
        def pre_create_trial(self):
            # the budget only skips trials not yet started (none is cut short, and one
            # always completes, so there is an answer)
            if time_budget_s is not None and \
                    any(t["status"] == "completed" for t in trials) and \
                    time.perf_counter() - started > time_budget_s:
                budget["hit"] = True
                self.oracle.max_trials = len(self.oracle.trials)

        def run_trial(self, trial, *args, **_):  # search() passes verbose on
            values = _values(trial.hyperparameters, plan)
            record = {"params": values, "score": None, "fit_time_s": None,
                      "status": "failed", "error": None}
            trials.append(record)
            t0 = time.perf_counter()
            try:
                est = clone(estimator).set_params(**_as_params(estimator, values), refit=False,
                                                  **own_paths(estimator, f"trial_{trial.trial_id}"))
                est.fit(*args)
                score = _score(est, objective)
                if not math.isfinite(score):
                    raise ValueError(f"the validation {objective} is {score}")
            except Exception as err:  # a failed trial is failed, never a silent score
                record["error"] = f"{type(err).__name__}: {err}"
                errors.append(err)
                if isinstance(err, NoScore):  # e.g. no validation windows: stop here
                    raise kt.errors.FatalError(record["error"]) from err
                raise kt.errors.FailedTrialError(record["error"]) from err
            record.update(score=score, fit_time_s=time.perf_counter() - t0,
                          status="completed")
            if not refit and (not fitted or sign * score < sign * fitted["score"]):
                fitted.update(trial_id=trial.trial_id, score=score, estimator=est)
            if verbose:
                print(f"trial {len(trials)}: {values} -> {objective} {score:.6g}")
            # KerasTuner minimises: a maximised metric is reported negated
            return {objective: score if direction == "min" else -score}

    oracle_cls = {"random": kt.oracles.RandomSearchOracle, "grid": kt.oracles.GridSearchOracle,
                  "bayesian": kt.oracles.BayesianOptimizationOracle}[algorithm]
    hp = kt.HyperParameters()
    _declare(hp, plan)
    oracle = oracle_cls(objective=kt.Objective(objective, "min"), max_trials=max_trials,
                        hyperparameters=hp, seed=seed + 1,  # KerasTuner: 0 is no seed
                        max_consecutive_failed_trials=max_trials + 1)
    from keras_tuner.src import config as kt_config

    debug, kt_config.DEBUG = kt_config.DEBUG, bool(verbose)  # True prints every traceback
    try:
        with tempfile.TemporaryDirectory(prefix="zoo-tune-") as tmp:
            # never KerasTuner's default ./untitled_project; a given directory resumes (and
            # shares, for distributed trials) the search kept there
            search = _Search(oracle=oracle, directory=str(directory or tmp),
                             project_name="zoo_tune", overwrite=directory is None)
            try:
                search.search(*fit_args, verbose=int(bool(verbose)))
            except kt.errors.FatalError:
                raise errors[-1] from None
            done = [t for t in search.oracle.get_best_trials(max_trials + len(trials))
                    if t.status == "COMPLETED" and t.score is not None]
    finally:
        kt_config.DEBUG = debug
    if not done:
        if errors and isinstance(errors[0], (ValueError, TypeError)):
            raise type(errors[0])(f"every trial failed; the first: {errors[0]}") from errors[0]
        messages = "; ".join(t["error"] or "?" for t in trials) or "no trial ran"
        raise RuntimeError(f"every trial failed: {messages}")
    best_trial = done[0]
    values = _values(best_trial.hyperparameters, plan)
    score = best_trial.score if direction == "min" else -best_trial.score
    search = {"objective": objective, "direction": direction, "best": values,
              "best_score": float(score), "trials": trials,
              "skipped": max_trials - len(trials) if budget["hit"] else 0,
              "time_budget_s": time_budget_s, "algorithm": algorithm}
    if verbose:
        print(search_table(search))
    if not fit_best:
        return search
    if refit or fitted.get("trial_id") != best_trial.trial_id:
        final = clone(estimator).set_params(**_as_params(estimator, values)).fit(*fit_args)
    else:  # the trial's fit is already the fit asked for
        final = fitted["estimator"]
    final.search_ = search
    return final


def search_table(search) -> str:
    """The trials of a ``search_`` as a plain-text table (the best first).

    Example:
        >>> print(search_table({"objective": "mae", "direction": "min", "trials": [
        ...     {"params": {"units": 4}, "score": 2.0, "fit_time_s": 1.0, "status": "completed"}]}))
              params  mae  fit s    status
        {'units': 4}  2.0    1.0 completed
    """
    import pandas as pd

    sign = 1 if search["direction"] == "min" else -1
    rows = sorted(search["trials"], key=lambda t: (t["score"] is None,
                                                   sign * (t["score"] or 0.0)))
    frame = pd.DataFrame({"params": [str(t["params"]) for t in rows],
                          search["objective"]: [t["score"] for t in rows],
                          "fit s": [None if t["fit_time_s"] is None else round(t["fit_time_s"], 1)
                                    for t in rows],
                          "status": [t["status"] for t in rows]})
    return frame.to_string(index=False)
