"""``model="auto"``: the estimator tries a plan of builders and keeps the validation winner.

The plan is fixed by the data (sequence length, number of samples and series, horizon)
before anything trains, and always in the same order (cheap and strong candidates
first), so a time budget only skips the candidates at its end. Every candidate is the
user's estimator with only ``model`` changed -- parameters the user set are kept --,
fitted without the refit and scored on the validation part the estimator carves from
its training data (:func:`zoo.tuning.run_search` on KerasTuner's grid oracle); the
winner is fitted again with the refit. The estimator keeps ``model="auto"`` as its
parameter; ``search_`` says what was chosen and why.
"""

from __future__ import annotations

import numpy as np

AUTO = "auto"
DEFAULT_TIME_BUDGET_S = 240.0
# what the other parameters of an auto estimator are checked against
DEFAULT_MODEL = {"forecast": "lstm", "classify": "bigru", "label": "bigru"}

# the order candidates are tried in, per kind of data (only registered names are used)
FORECAST_PLAN = ("nlinear", "dlinear", "lstm", "seq2seq", "gru", "cnn_lstm")
SHORT_SEQUENCES = ("minirocket", "bigru", "fcn", "resnet", "lstm_fcn", "inception_time")
# a recurrent layer reading hundreds of steps one by one learns little in its budget
LONG_SEQUENCES = ("minirocket", "fcn", "resnet", "inception_time", "lstm_fcn", "bigru")
VARIABLE_LENGTH = ("bigru", "cnn_lstm", "stacked_gru")
LONG = 100  # steps from which a sequence counts as long
ROCKET_KERNEL = 9  # MiniRocket's kernel length: its shortest input


def _lengths(X) -> set:
    """The distinct sequence lengths of classification inputs (an array or a list of arrays)."""
    if isinstance(X, np.ndarray) and X.dtype != object:
        return {X.shape[1]} if X.ndim >= 2 else {1}
    return {len(np.asarray(x)) for x in X}


def plan(estimator, X) -> list:
    """The candidates for ``estimator`` on ``X``: a list of ``{"model": name}``, in order.

    Args:
        estimator: A Forecaster or Classifier with ``model="auto"``.
        X: What its ``fit`` takes first.

    Returns:
        The registered candidates that fit the task and the data.

    Example:
        >>> import numpy as np, zoo
        >>> from zoo.auto import plan
        >>> [c["model"] for c in plan(zoo.Classifier(model="auto"),
        ...                           [np.zeros((5, 1)), np.zeros((7, 1))])]
        ['bigru', 'cnn_lstm', 'stacked_gru']
    """
    from zoo.registry import get_spec, list_models

    known = set(list_models(estimator.task))
    if estimator.task == "forecast":
        names = [n for n in FORECAST_PLAN if n != "seq2seq" or estimator.horizon > 1]
        if estimator.future_covariates or estimator.calendar_features is True:
            names = [n for n in names if n in known and get_spec(n).future_covariates]
    else:
        lengths = _lengths(X)
        if len(lengths) > 1:
            names = VARIABLE_LENGTH
        else:
            names = LONG_SEQUENCES if max(lengths) >= LONG else SHORT_SEQUENCES
            if max(lengths) < ROCKET_KERNEL:  # shorter than MiniRocket's kernels
                names = [n for n in names if n != "minirocket"]
    return [{"model": n} for n in names if n in known]


def _search(estimator, fit_args, fit_best):
    from sklearn.base import clone

    from zoo.tuning import CANDIDATE, DEFAULT_OBJECTIVE, check_params, run_search

    candidates = plan(estimator, fit_args[0])
    if not candidates:
        raise ValueError(f"model='auto' found no registered model for task "
                         f"{estimator.task!r} and these data")
    # every other parameter is refused here, before any candidate trains
    check_params(clone(estimator).set_params(**candidates[0], n_ensemble=1))
    if not estimator.validation_size:
        raise ValueError("model='auto' chooses on the validation part carved from the training "
                         "data: validation_size must be > 0")
    found = run_search(clone(estimator).set_params(n_ensemble=1), fit_args,
                       {CANDIDATE: ("choice", candidates, True)},
                       objective=DEFAULT_OBJECTIVE[estimator.task], algorithm="grid",
                       max_trials=len(candidates), time_budget_s=estimator.time_budget_s,
                       directory=None, seed=0 if estimator.seed is None else int(estimator.seed),
                       verbose=estimator.verbose, fit_best=fit_best)
    search = found if not fit_best else found.search_
    search["plan"] = [c["model"] for c in candidates]
    return found


def fit(estimator, fit_args):
    """Fits ``estimator`` (``model="auto"``) as its validation winner; returns it.

    The winner's fitted state (network, scaling, metrics, ``search_``) is taken over by
    ``estimator``; its parameters stay as the user gave them.
    """
    best = _search(estimator, fit_args, fit_best=True)
    params = set(estimator.get_params())
    for name, value in vars(best).items():
        if name not in params:
            setattr(estimator, name, value)
    return estimator


def top_candidates(estimator, fit_args, k):
    """The ``k`` best candidates' parameters (fewer if fewer completed); sets ``search_``."""
    search = _search(estimator, fit_args, fit_best=False)
    sign = 1 if search["direction"] == "min" else -1
    done = sorted((t for t in search["trials"] if t["status"] == "completed"),
                  key=lambda t: sign * t["score"])
    estimator.search_ = search
    if estimator.task == "forecast" and done:
        # members share one input layout: a model without known-ahead inputs gets no
        # calendar columns, so it joins only others like it
        from zoo.registry import get_spec

        takes_future = get_spec(done[0]["params"]["model"]).future_covariates
        done = [t for t in done if get_spec(t["params"]["model"]).future_covariates
                == takes_future]
    return [dict(t["params"]) for t in done[:k]]


def chosen_model(estimator) -> str:
    """The registry name behind a fitted estimator (the winner for ``model="auto"``)."""
    if estimator.model == AUTO:
        return estimator.search_["best"]["model"]
    return estimator.model
