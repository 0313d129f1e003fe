"""Training options: the shared argument checks and ``resolve_options``."""

from __future__ import annotations

import math

import keras

from zoo._checks import check_bool, check_positive, is_number

LR_SCHEDULES = ("exponential", "cosine")

# Halving after 5 flat epochs leaves room for several reductions before the default early stop.
PLATEAU_DEFAULTS = {"factor": 0.5, "patience": 5, "min_lr": 1e-5}
EARLY_STOPPING_DEFAULTS = {"patience": 20, "restore_best_weights": True}
AUTO_CLIPNORM = 1.0
# "auto" counts patience in optimizer steps too: on small data (a couple of steps per epoch)
# 5 or 20 epochs are a few dozen updates, and the validation loss of a forecaster often
# stays flat that long before the seasonal shape is learnt. Chosen on an inner split of
# Airline's training years (see benchmarks/RESULTS.md); on data with >= 40 steps per epoch
# the epoch counts above decide alone.
PLATEAU_MIN_STEPS = 40
EARLY_STOPPING_MIN_STEPS = 200

_SWITCH_VALUES = "'auto', True, False, None or a dict of keyword arguments"
_LOOPS = ("auto", "keras", "custom")


# --------------------------------------------------------------------------- argument checks


# the Keras callback whose keywords each switch's dict holds
_SWITCH_CALLBACKS = {"early_stopping": "EarlyStopping", "reduce_lr_on_plateau": "ReduceLROnPlateau"}


def _switch(name, value):
    """Checks an on/off option: 'auto', True, False, None or a dict of keywords."""
    if value is None or value is False or value is True or value == "auto":
        return value
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise ValueError(f"{name}: the dict's keys must be keyword names; got {value!r}.")
        if name in _SWITCH_CALLBACKS:
            import inspect

            callback = getattr(keras.callbacks, _SWITCH_CALLBACKS[name])
            accepted = set(inspect.signature(callback).parameters) - {"self", "kwargs"}
            unknown = sorted(set(value) - accepted)
            if unknown:
                raise ValueError(f"{name}: unknown keyword(s) {unknown} for keras.callbacks."
                                 f"{callback.__name__}; accepted: {sorted(accepted)}.")
        return value
    raise ValueError(f"{name} must be {_SWITCH_VALUES}; got {value!r}.")


def _check_schedule_name(lr_schedule):
    if lr_schedule is None or isinstance(
        lr_schedule, keras.optimizers.schedules.LearningRateSchedule
    ):
        return lr_schedule
    if isinstance(lr_schedule, str) and lr_schedule.lower() in LR_SCHEDULES:
        return lr_schedule.lower()
    raise ValueError(
        f"lr_schedule must be None, one of {list(LR_SCHEDULES)} or a "
        f"keras.optimizers.schedules.LearningRateSchedule; got {lr_schedule!r}."
    )


def _check_clipping(clipnorm, clipvalue, global_clipnorm):
    """Validates the three clipping options; only one may be set (none of them 'auto')."""
    values = {
        "clipnorm": check_positive(clipnorm, "clipnorm"),
        "clipvalue": check_positive(clipvalue, "clipvalue"),
        "global_clipnorm": check_positive(global_clipnorm, "global_clipnorm"),
    }
    chosen = {k: v for k, v in values.items() if v is not None}
    if len(chosen) > 1:
        raise ValueError(
            "Only one of clipnorm, clipvalue and global_clipnorm may be set; got "
            + ", ".join(f"{k}={v}" for k, v in chosen.items())
            + ". clipnorm bounds the norm of each weight's gradient, clipvalue each gradient "
            "element, global_clipnorm the joint norm of all gradients: pick the one you mean."
        )
    return values


def resolve_options(
    *,
    lr_schedule=None,
    reduce_lr_on_plateau="auto",
    early_stopping="auto",
    clipnorm="auto",
    clipvalue=None,
    global_clipnorm=None,
    has_validation=False,
    steps_per_epoch=None,
) -> dict:
    """Resolves the ``"auto"`` defaults and refuses rival choices before training.

    ``"auto"`` means "on unless the user chose a rival": the plateau schedule steps aside for
    a learning-rate schedule, ``clipnorm=1.0`` for a user's clipvalue or global_clipnorm,
    and early stopping needs validation data. Options set by the user never step aside:
    rivals raise ``ValueError`` instead.

    Args:
        lr_schedule: as in :func:`make_optimizer`.
        reduce_lr_on_plateau: ``"auto"``, ``True``, ``False``, ``None`` or a dict.
        early_stopping: ``"auto"``, ``True``, ``False``, ``None`` or a dict.
        clipnorm: ``"auto"``, ``None`` or a positive number.
        clipvalue: ``None`` or a positive number.
        global_clipnorm: ``None`` or a positive number.
        has_validation: whether validation data will be given.
        steps_per_epoch: optimizer steps per epoch, or None. With it, a callback that is on
            because of ``"auto"`` waits at least ``PLATEAU_MIN_STEPS`` /
            ``EARLY_STOPPING_MIN_STEPS`` optimizer steps (rounded up to epochs) before it
            fires; ``True`` and dicts keep their patience in epochs as given.

    Returns:
        A dict with ``reduce_lr_on_plateau`` and ``early_stopping`` (``None`` or a dict of
        callback keywords), ``clipnorm``, ``clipvalue``, ``global_clipnorm`` (numbers or
        ``None``) and ``monitor`` (``"val_loss"`` with validation data, else ``"loss"``).

    Example:
        >>> from zoo.training import resolve_options
        >>> opts = resolve_options(lr_schedule="cosine", has_validation=True)
        >>> opts["reduce_lr_on_plateau"] is None, opts["clipnorm"], opts["monitor"]
        (True, 1.0, 'val_loss')
    """
    lr_schedule = _check_schedule_name(lr_schedule)
    plateau = _switch("reduce_lr_on_plateau", reduce_lr_on_plateau)
    stopping = _switch("early_stopping", early_stopping)
    has_validation = check_bool(has_validation, "has_validation")
    if not (clipnorm is None or clipnorm == "auto" or is_number(clipnorm)):
        raise ValueError(f"clipnorm must be 'auto', None or a positive number; got {clipnorm!r}.")
    user_clipnorm = None if clipnorm == "auto" else clipnorm
    clipping = _check_clipping(user_clipnorm, clipvalue, global_clipnorm)
    if clipnorm == "auto" and clipvalue is None and global_clipnorm is None:
        clipping["clipnorm"] = AUTO_CLIPNORM

    monitor = "val_loss" if has_validation else "loss"
    if steps_per_epoch is not None:
        steps_per_epoch = check_positive(steps_per_epoch, "steps_per_epoch", integer=True)
    plateau_auto, stopping_auto = plateau == "auto", stopping == "auto"
    if plateau == "auto":
        plateau = lr_schedule is None
    elif plateau is not None and plateau is not False and lr_schedule is not None:
        raise ValueError(
            f"reduce_lr_on_plateau={reduce_lr_on_plateau!r} cannot be combined with "
            f"lr_schedule={lr_schedule!r}: the plateau callback sets the learning rate "
            "directly, which a schedule does not allow (Keras fails with a TypeError the "
            "first time the plateau fires, mid-training). Keep one: pass "
            "reduce_lr_on_plateau=False or lr_schedule=None."
        )
    if stopping == "auto":
        stopping = has_validation

    def options(value, defaults, auto, min_steps):
        if value is None or value is False:
            return None
        merged = {"monitor": monitor, **defaults}
        if isinstance(value, dict):
            merged.update(value)
        if auto and steps_per_epoch:
            merged["patience"] = max(merged["patience"], math.ceil(min_steps / steps_per_epoch))
        return merged

    return {
        "reduce_lr_on_plateau": options(plateau, PLATEAU_DEFAULTS, plateau_auto,
                                        PLATEAU_MIN_STEPS),
        "early_stopping": options(stopping, EARLY_STOPPING_DEFAULTS, stopping_auto,
                                  EARLY_STOPPING_MIN_STEPS),
        **clipping,
        "monitor": monitor,
    }
