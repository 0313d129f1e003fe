"""``n_ensemble=k``: k members trained apart, served as ONE model, raw in and raw out.

Members differ by seed (``seed``, ``seed + 1``, ...), or, with ``model="auto"``, are the
top k candidates of the search. Forecasts are combined by their element-wise median
(robust to one member that went astray; for quantile heads it keeps the quantiles in
order, the median being monotone in every argument), class probabilities by their
mean. The combination is built from plain Keras layers (``Minimum`` / ``Maximum`` in a
sorting network, ``Average``), so the exported SavedModel, ONNX and edge files need
neither zoo nor any custom op.
"""

from __future__ import annotations

import math

from zoo._checks import check_int, is_number

MAX_MEMBERS = 25
COMBINE = {"forecast": "median", "classify": "mean", "label": "mean"}


def check_params(estimator):
    """``model="auto"``, ``n_ensemble`` and ``time_budget_s`` checked, before any data is read.

    Estimators without ``time_budget_s`` (the SequenceLabeler) have no ``model="auto"``.
    """
    from zoo.auto import AUTO

    if estimator.model == AUTO and not hasattr(estimator, "time_budget_s"):
        from zoo.registry import list_models

        raise ValueError(f"model='auto' is for the Forecaster and the Classifier; choose one "
                         f"of {list_models(estimator.task)}")
    if hasattr(estimator, "n_ensemble"):
        n = check_int(estimator.n_ensemble, "n_ensemble", maximum=MAX_MEMBERS)
        clash = [a for a in ("distribution", "conformal") if getattr(estimator, a, None)]
        if n > 1 and clash:
            raise ValueError(f"n_ensemble={n} combines point forecasts by their median; "
                             f"{clash[0]}= needs one network (its samples or its calibration "
                             "would not be the ensemble's): use n_ensemble=1")
    budget = getattr(estimator, "time_budget_s", None)
    if budget is not None and not (is_number(budget) and 0 < budget < math.inf):
        raise ValueError(f"time_budget_s must be None or a positive number of seconds, got "
                         f"{budget!r}")


def fit_delegated(estimator, fit_args):
    """Fits ``n_ensemble > 1`` (here) and ``model="auto"`` (:mod:`zoo.auto`) from clones.

    Returns:
        The fitted ``estimator``, or None when its own ``fit`` should train it.
    """
    import zoo.auto as auto

    check_params(estimator)
    if getattr(estimator, "n_ensemble", 1) == 1 and estimator.model != auto.AUTO:
        return None
    params = set(estimator.get_params())
    for stale in [k for k in vars(estimator) if k.endswith("_") and k not in params]:
        del estimator.__dict__[stale]  # a previous fit's learned state: the clones' replaces it
    if getattr(estimator, "n_ensemble", 1) > 1:
        return fit(estimator, fit_args)
    if estimator.model == auto.AUTO:
        return auto.fit(estimator, fit_args)
    return None


def median_of(tensors):
    """The element-wise median of same-shaped Keras tensors, from ``Minimum``/``Maximum``.

    A bubble-sort network puts the values in order; the median is the middle one (the
    mean of the middle two for an even count).

    Example:
        >>> import keras, numpy as np
        >>> xs = [keras.Input((2,)) for _ in range(4)]
        >>> m = keras.Model(xs, median_of(xs))
        >>> m([np.array([[v, -v]], "float32") for v in (3.0, 1.0, 4.0, 2.0)]).numpy().tolist()
        [[2.5, -2.5]]
    """
    import keras

    values = list(tensors)
    n = len(values)
    if n == 1:
        return values[0]
    for end in range(n - 1, 0, -1):  # after pass `end`, values[end] holds its rank
        for i in range(end):
            low = keras.layers.Minimum()([values[i], values[i + 1]])
            high = keras.layers.Maximum()([values[i], values[i + 1]])
            values[i], values[i + 1] = low, high
        if end <= (n - 1) // 2:  # the middle ranks are placed
            break
    if n % 2:
        return values[n // 2]
    return keras.layers.Average()([values[n // 2 - 1], values[n // 2]])


def combine(models, kind, name):
    """One Keras model running every member on the same inputs and combining them.

    Args:
        models: Keras models with the same inputs (names and shapes) and output shape.
        kind: ``"median"`` or ``"mean"``.
        name: The combined model's name.

    Returns:
        A functional ``keras.Model`` whose layers are the member models.
    """
    import keras

    first = models[0]
    shapes = {str([tuple(t.shape) for t in m.inputs]) for m in models}
    if len(shapes) > 1:
        raise ValueError(f"ensemble members must take the same inputs, got {sorted(shapes)}")
    structure = first.input
    if isinstance(structure, dict):
        inputs = {k: keras.Input(v.shape[1:], name=k, dtype=v.dtype) for k, v in structure.items()}
    else:
        inputs = keras.Input(structure.shape[1:], name=first.inputs[0].name, dtype=structure.dtype)
    outputs = []
    for i, model in enumerate(models):
        # the same graph under a name of its own: one model may not hold two "forecaster"s
        member = keras.Model(model.input, model.output, name=f"member_{i}")
        outputs.append(member(inputs))
    if len(outputs) == 1:
        out = outputs[0]
    elif kind == "median":
        out = median_of(outputs)
    else:
        out = keras.layers.Average(name="mean")(outputs)
    return keras.Model(inputs, out, name=name)


def mean_scores(metrics):
    """The members' validation scores averaged key by key (the non-numeric from the first)."""
    if not metrics or not all(m.get("model") for m in metrics):
        return metrics[0] if metrics else {}
    out = dict(metrics[0])
    keys = [k for k, v in metrics[0]["model"].items() if isinstance(v, (int, float))]
    out["model"] = {k: float(sum(m["model"][k] for m in metrics) / len(metrics))
                    for k in keys if all(k in m["model"] for m in metrics)}
    return out


def fit(estimator, fit_args):
    """Fits ``estimator.n_ensemble`` members and makes ``estimator`` their combination.

    The first member's fitted state (scaling, names, frequency, ...) is taken over --
    every member saw the same data, so it is the same for all --, ``model_`` becomes
    the combined model, ``validation_metrics_`` the members' mean scores (each member
    scored before its refit, on the same validation part), and ``ensemble_`` lists the
    members' seeds (or models) and scores.
    """
    from sklearn.base import clone

    import zoo.auto as auto

    k = int(estimator.n_ensemble)
    base_seed = estimator.seed
    if estimator.model == auto.AUTO:
        configs = auto.top_candidates(estimator, fit_args, k)
        seeds = [base_seed] * len(configs)
        # fewer candidates finished than members asked: the winner again, other seeds
        for i in range(1, k - len(configs) + 1):
            configs.append(configs[0])
            seeds.append(None if base_seed is None else int(base_seed) + i)
    else:
        configs = [{}] * k
        seeds = [None if base_seed is None else int(base_seed) + i for i in range(k)]
    from zoo.tuning import own_paths

    members = []
    for i, (config, seed) in enumerate(zip(configs, seeds)):
        member = clone(estimator).set_params(n_ensemble=1, seed=seed, **config,
                                             **own_paths(estimator, f"member_{i}"))
        members.append(member.fit(*fit_args))
    params = set(estimator.get_params())
    for attr, value in vars(members[0]).items():
        if attr not in params:
            setattr(estimator, attr, value)
    kind = COMBINE[estimator.task]
    estimator.model_ = combine([m.model_ for m in members], kind, name=members[0].model_.name)
    estimator.validation_metrics_ = mean_scores([m.validation_metrics_ for m in members])
    estimator.ensemble_ = {
        "n_members": len(members), "combine": kind,
        "members": [{"seed": seed, "model": auto.chosen_model(m),
                     "validation": m.validation_metrics_.get("model")}
                    for m, seed in zip(members, seeds)]}
    return estimator
