"""Optimizers with an optional learning-rate schedule and gradient clipping."""

from __future__ import annotations

import keras

from zoo._checks import check_bool, check_positive, is_number
from zoo.training.options import (
    _check_clipping,
    _check_schedule_name,
)

OPTIMIZERS = {
    "adam": keras.optimizers.Adam,
    "adamw": keras.optimizers.AdamW,
    "sgd": keras.optimizers.SGD,
    "rmsprop": keras.optimizers.RMSprop,
    "nadam": keras.optimizers.Nadam,
    "adamax": keras.optimizers.Adamax,
    "adagrad": keras.optimizers.Adagrad,
    "adadelta": keras.optimizers.Adadelta,
    "lion": keras.optimizers.Lion,
    "ftrl": keras.optimizers.Ftrl,
}


def _learning_rate(learning_rate, lr_schedule, decay_steps, decay_rate, staircase, alpha):
    lr_schedule = _check_schedule_name(lr_schedule)
    staircase = check_bool(staircase, "staircase")
    if not (is_number(alpha) and 0.0 <= alpha <= 1.0):
        raise ValueError(f"alpha must be a number in [0, 1]; got {alpha!r}.")
    if not isinstance(lr_schedule, keras.optimizers.schedules.LearningRateSchedule):
        learning_rate = check_positive(learning_rate, "learning_rate", allow_none=False)
    decay_steps = check_positive(decay_steps, "decay_steps", integer=True)
    if decay_rate is not None and not (is_number(decay_rate) and 0 < decay_rate <= 1):
        raise ValueError(
            f"decay_rate must be in (0, 1] (the factor applied to the learning rate every "
            f"decay_steps optimizer steps); got {decay_rate!r}."
        )
    if lr_schedule != "exponential" and (decay_rate is not None or staircase):
        raise ValueError(
            "decay_rate and staircase apply to lr_schedule='exponential' only; got "
            f"lr_schedule={lr_schedule!r}, decay_rate={decay_rate!r}, staircase={staircase!r}."
        )
    if lr_schedule != "cosine" and alpha != 0.0:
        raise ValueError(f"alpha applies to lr_schedule='cosine' only; got {lr_schedule!r}.")
    if lr_schedule is None or not isinstance(lr_schedule, str):
        if decay_steps is not None:
            raise ValueError(
                "decay_steps needs lr_schedule='exponential' or 'cosine'; got "
                f"lr_schedule={lr_schedule!r}."
            )
        return learning_rate if lr_schedule is None else lr_schedule
    if decay_steps is None:
        raise ValueError(
            f"lr_schedule={lr_schedule!r} needs decay_steps (optimizer steps; the estimators "
            "also accept decay_epochs)."
        )
    if lr_schedule == "exponential":
        return keras.optimizers.schedules.ExponentialDecay(
            initial_learning_rate=learning_rate,
            decay_steps=decay_steps,
            decay_rate=0.5 if decay_rate is None else float(decay_rate),
            staircase=staircase,
        )
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=learning_rate, decay_steps=decay_steps, alpha=float(alpha)
    )


def make_optimizer(
    name="adam",
    learning_rate=1e-3,
    *,
    lr_schedule=None,
    decay_steps=None,
    decay_rate=None,
    staircase=False,
    alpha=0.0,
    clipnorm=None,
    clipvalue=None,
    global_clipnorm=None,
    **optimizer_kwargs,
) -> keras.optimizers.Optimizer:
    """Builds a Keras optimizer with an optional learning-rate schedule and clipping.

    Args:
        name: one of ``OPTIMIZERS`` (case-insensitive), or a ready
            ``keras.optimizers.Optimizer`` returned as is (no other option may then be set).
        learning_rate: the (initial) learning rate, a positive number. Ignored when
            ``lr_schedule`` is a ``LearningRateSchedule``.
        lr_schedule: ``None`` (constant), ``"exponential"``
            (``learning_rate * decay_rate ** (step / decay_steps)``), ``"cosine"``
            (cosine decay to ``alpha * learning_rate`` over ``decay_steps``) or any
            ``keras.optimizers.schedules.LearningRateSchedule``.
        decay_steps: optimizer steps (batches, not epochs) of the schedule; required by
            ``"exponential"`` and ``"cosine"``.
        decay_rate: factor per ``decay_steps`` for ``"exponential"``, in (0, 1]; default 0.5.
        staircase: ``"exponential"`` only: decay in whole steps of ``decay_steps``.
        alpha: ``"cosine"`` only: the final learning rate as a fraction of the initial one.
        clipnorm: bound on the norm of each weight's gradient.
        clipvalue: bound on the absolute value of each gradient element.
        global_clipnorm: bound on the joint norm of all gradients.
        **optimizer_kwargs: passed on to the optimizer class (e.g. ``weight_decay``).

    Returns:
        A ``keras.optimizers.Optimizer``.

    Raises:
        ValueError: unknown name or schedule, more than one clipping option, a schedule
            without ``decay_steps``, non-positive rates or steps, unknown optimizer keywords.

    Example:
        >>> from zoo.training import make_optimizer
        >>> opt = make_optimizer("adam", 1e-2, lr_schedule="exponential", decay_steps=100,
        ...                      decay_rate=0.5, clipnorm=1.0)
        >>> round(float(opt.learning_rate), 6)
        0.01
    """
    if isinstance(name, keras.optimizers.Optimizer):
        rivals = {
            "lr_schedule": lr_schedule,
            "decay_steps": decay_steps,
            "decay_rate": decay_rate,
            "clipnorm": clipnorm,
            "clipvalue": clipvalue,
            "global_clipnorm": global_clipnorm,
        }
        rivals = {k: v for k, v in rivals.items() if v is not None}
        if rivals or optimizer_kwargs or staircase:
            raise ValueError(
                "An optimizer instance carries its own learning rate and clipping; pass the "
                f"optimizer by name to use {sorted(rivals) + sorted(optimizer_kwargs)}."
            )
        return name
    if not isinstance(name, str) or name.lower() not in OPTIMIZERS:
        raise ValueError(
            f"optimizer must be one of {sorted(OPTIMIZERS)} or a keras.optimizers.Optimizer; "
            f"got {name!r}."
        )
    lr = _learning_rate(learning_rate, lr_schedule, decay_steps, decay_rate, staircase, alpha)
    clipping = _check_clipping(clipnorm, clipvalue, global_clipnorm)
    cls = OPTIMIZERS[name.lower()]
    try:
        return cls(learning_rate=lr, **clipping, **optimizer_kwargs)
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"optimizer_kwargs {sorted(optimizer_kwargs)} are not accepted by {cls.__name__}: {err}"
        ) from err
